// `mymedic hub ...`, at a chain's hub: register branches and manage their tokens. A token is
// printed once, on the last line, and only its SHA-256 is kept; give it to the branch's
// sysadmin for `mymedic join`.
import { systemActor } from '../core/runner';
import { hubBranches } from '../sync/status';
import { registerBranch, registrationByCode, revokeBranchToken, rotateBranchToken } from '../sync/registry';
import { clearFlag } from '../sync/state';
import { CliExit, dataDirOf, EXIT_OK, EXIT_USAGE, openExisting, out, parseFlags, table, usageError, withKernel } from './common';

export const hubUsage = `
Usage: mymedic hub <add-branch|rotate-token|revoke|list|clear-flag> --data DIR [options]

At a chain's hub (a server run with --mode hub, or "mode": "hub" in its config):

  mymedic hub add-branch CODE     registers branch CODE (e.g. BLR1) and prints its token
                                  on the last line; the branch runs \`mymedic join\` with it
  mymedic hub rotate-token CODE   a new token for CODE; the old one stops working at once
  mymedic hub revoke CODE         the token stops working at once (pushes get 401)
  mymedic hub list [--json]       registered branches: joined, last push, lag, health
  mymedic hub clear-flag CODE     clears the flag a refused batch (altered, foreign or
                                  diverged events) put on a branch, once it is looked into

Every subcommand takes --data DIR (default: $MYMEDIC_DATA, else ./data) and --help.
Tokens are shown once and kept only as SHA-256; a lost token is replaced with rotate-token.
`;

const flags = { data: { type: 'string' }, json: { type: 'boolean' }, reason: { type: 'string' } } as const;

function codeArg(argv: string[], sub: string): { code: string; values: { data?: string; json?: boolean; reason?: string } } {
  const { values, positionals } = parseFlags(argv, flags, hubUsage, `hub ${sub}`, 1);
  const code = positionals[0];
  if (!code) throw usageError(`missing the branch CODE: mymedic hub ${sub} CODE`, 'hub');
  return { code, values };
}

export async function hubCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'add-branch': {
      const { code, values } = codeArg(rest, sub);
      return withKernel(openExisting(dataDirOf(values.data)), (k) => {
        const r = k.runner.run({ actor: systemActor('cli') }, (tx) => registerBranch(tx, code));
        out(`Registered branch ${r.code}. At the branch, run:`);
        out(`  mymedic join --data DIR --hub <this hub's URL> --token <the token below>`);
        out(`The token is shown only now (kept here as SHA-256):`);
        out(r.token);
        return EXIT_OK;
      });
    }
    case 'rotate-token': {
      const { code, values } = codeArg(rest, sub);
      return withKernel(openExisting(dataDirOf(values.data)), (k) => {
        const r = k.runner.run({ actor: systemActor('cli') }, (tx) => rotateBranchToken(tx, code));
        out(`New token for ${code.toUpperCase()} (the old one no longer works); give it to the branch (\`mymedic join --token\`):`);
        out(r.token);
        return EXIT_OK;
      });
    }
    case 'revoke': {
      const { code, values } = codeArg(rest, sub);
      return withKernel(openExisting(dataDirOf(values.data)), (k) => {
        k.runner.run({ actor: systemActor('cli') }, (tx) => revokeBranchToken(tx, code, values.reason ?? null));
        out(`Revoked the token of ${code.toUpperCase()}: its pushes and pulls now get 401. \`mymedic hub rotate-token ${code.toUpperCase()}\` issues a new one.`);
        return EXIT_OK;
      });
    }
    case 'clear-flag': {
      const { code, values } = codeArg(rest, sub);
      return withKernel(openExisting(dataDirOf(values.data)), (k) => {
        const reg = registrationByCode(k.db, code);
        if (!reg) throw new CliExit(`error: no branch ${code.toUpperCase()} is registered`);
        const cleared = reg.origin ? clearFlag(k.db, reg.origin) : false;
        out(cleared ? `Cleared the flag of ${reg.code}.` : `${reg.code} was not flagged.`);
        return EXIT_OK;
      });
    }
    case 'list': {
      const { values } = parseFlags(rest, flags, hubUsage, 'hub list');
      return withKernel(openExisting(dataDirOf(values.data)), (k) => {
        const rows = hubBranches(k.db, k.clock.now());
        if (values.json) {
          out(JSON.stringify(rows, null, 2));
          return EXIT_OK;
        }
        if (!rows.length) {
          out('No branches registered yet: mymedic hub add-branch CODE');
          return EXIT_OK;
        }
        out(
          table(
            ['CODE', 'NAME', 'HEALTH', 'HELD', 'LAG', 'LAST PUSH', 'FLAG'],
            rows.map((r) => [r.code, r.name ?? '-', r.health, String(r.high_water), `${r.lag_events} ev / ${r.lag_seconds} s`, r.last_push_at ?? 'never', r.flagged_reason ?? '-']),
          ),
        );
        return EXIT_OK;
      });
    }
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      out(hubUsage.trim());
      return sub === undefined ? EXIT_USAGE : EXIT_OK;
    default:
      throw usageError(`unknown subcommand 'hub ${sub}'`, 'hub');
  }
}
