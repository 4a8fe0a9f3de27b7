// The command line of the mymedic executable. Each command lives in src/cli/ and is loaded
// only when used, so `mymedic user list` does not pay for loading the web app.
import { DomainError } from './core/errors';
import { latestSchemaVersion } from './core/migrate';
import { VERSION } from './http/services';
import { bundledSqliteVersion, CliExit, EXIT_FAILED, EXIT_OK, EXIT_USAGE, err, out } from './cli/common';

type Command = { summary: string; run: () => Promise<(argv: string[]) => Promise<number>>; usage: () => Promise<string> };

const commands: Record<string, Command> = {
  serve: {
    summary: 'serve the web app and API (defaults: ./data, 0.0.0.0, port 8080)',
    run: async () => (await import('./cli/serve')).serveCommand,
    usage: async () => (await import('./cli/serve')).serveUsage,
  },
  init: {
    summary: 'create the clinic, its first branch and the owner, without a browser',
    run: async () => (await import('./cli/init')).initCommand,
    usage: async () => (await import('./cli/init')).initUsage,
  },
  user: {
    summary: 'add, list, disable or enable staff accounts; set a password',
    run: async () => (await import('./cli/user')).userCommand,
    usage: async () => (await import('./cli/user')).userUsage,
  },
  migrate: {
    summary: 'apply pending database schema changes (serve does it at start)',
    run: async () => (await import('./cli/maintenance')).migrateCommand,
    usage: async () => (await import('./cli/maintenance')).migrateUsage,
  },
  rebuild: {
    summary: 'refill every read table by replaying the event log',
    run: async () => (await import('./cli/maintenance')).rebuildCommand,
    usage: async () => (await import('./cli/maintenance')).rebuildUsage,
  },
  verify: {
    summary: 'check every hash chain and every read table; exit 1 naming the first problem',
    run: async () => (await import('./cli/maintenance')).verifyCommand,
    usage: async () => (await import('./cli/maintenance')).verifyUsage,
  },
  backup: {
    summary: 'status (replica lag, last snapshot, last drill), now (a checked snapshot file), drill',
    run: async () => (await import('./cli/backup')).backupCommand,
    usage: async () => (await import('./cli/backup')).backupUsage,
  },
  restore: {
    summary: 'restore a replica or snapshot into a new folder, checked (integrity_check, verify) first',
    run: async () => (await import('./cli/backup')).restoreCommand,
    usage: async () => (await import('./cli/backup')).restoreUsage,
  },
  hub: {
    summary: 'at a chain hub: add-branch CODE (prints its token), rotate-token, revoke, list, clear-flag',
    run: async () => (await import('./cli/hub')).hubCommand,
    usage: async () => (await import('./cli/hub')).hubUsage,
  },
  join: {
    summary: 'at a branch: join the chain hub at --hub URL with --token T; serve then syncs',
    run: async () => (await import('./cli/sync')).joinCommand,
    usage: async () => (await import('./cli/sync')).joinUsage,
  },
  sync: {
    summary: 'status: what the hub holds of this branch, lag, last error',
    run: async () => (await import('./cli/sync')).syncCommand,
    usage: async () => (await import('./cli/sync')).syncUsage,
  },
  export: {
    summary: 'write the event log to stdout as NDJSON (--ndjson)',
    run: async () => (await import('./cli/maintenance')).exportCommand,
    usage: async () => (await import('./cli/maintenance')).exportUsage,
  },
};

export function versionLine(): string {
  return `mymedic ${VERSION} (schema ${latestSchemaVersion()}, sqlite ${bundledSqliteVersion()})`;
}

export function overview(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return `
mymedic ${VERSION}: a self-hosted clinic server in one file.

Usage: mymedic <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}
  ${'help'.padEnd(width)}  show this overview, or \`mymedic help <command>\` for one command

Options:
  --version, -v   print the version, the database schema it writes and its SQLite
  --help, -h      show this overview

Every command takes --data DIR (default: $MYMEDIC_DATA, else ./data) and --help.

First run:
  mymedic init --data /var/lib/mymedic --clinic "Sunrise Clinic" --branch-code BLR1 \\
    --admin asha --password-file /root/owner.pw
  mymedic serve --data /var/lib/mymedic

Exit codes: 0 done, 1 failed (the message says why), 2 wrong usage,
3 this mymedic cannot open that database (newer schema, or SQLite too old).
`;
}

/** Runs one command line and returns the process exit code; never exits by itself. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h') {
      out(overview().trim());
      return name === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (name === '--version' || name === '-v' || name === 'version') {
      out(versionLine());
      return EXIT_OK;
    }
    if (name === 'help') {
      const topic = rest[0];
      if (!topic) {
        out(overview().trim());
        return EXIT_OK;
      }
      const c = commands[topic];
      if (!c) throw new CliExit(`unknown command '${topic}'\nRun \`mymedic help\` for the list of commands.`, EXIT_USAGE);
      out((await c.usage()).trim());
      return EXIT_OK;
    }
    const command = commands[name];
    if (!command) {
      const hint = name.startsWith('-') ? `unknown option '${name}'` : `unknown command '${name}'`;
      throw new CliExit(`${hint}\nRun \`mymedic help\` for the list of commands.`, EXIT_USAGE);
    }
    return await (await command.run())(rest);
  } catch (e) {
    return report(e);
  }
}

function report(e: unknown): number {
  if (e instanceof CliExit) {
    if (e.message) err(e.message);
    return e.code;
  }
  if (e instanceof DomainError) {
    err(`error: ${e.message}`);
    return EXIT_FAILED;
  }
  const error = e instanceof Error ? e : new Error(String(e));
  err(`error: ${error.message}`);
  if (process.env.MYMEDIC_DEBUG) err(error.stack ?? '');
  return EXIT_FAILED;
}
