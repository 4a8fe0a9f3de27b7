// The mymedic executable: `bun src/main.ts <command>` in development, `dist/mymedic` built.
import { runCli } from './cli';

const code = await runCli(process.argv.slice(2));
process.exit(code);
