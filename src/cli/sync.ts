// `mymedic join` and `mymedic sync status`, at a branch of a chain.
import { listBranches } from '../org/queries';
import { SyncAgent } from '../sync/agent';
import { SyncCallError } from '../sync/client';
import { describeHub, type HubLink, loadHubLink, saveHubLink } from '../sync/link';
import { branchSyncStatus } from '../sync/status';
import { silentLogger } from '../http/log';
import { VERSION } from '../http/services';
import { CliExit, dataDirOf, EXIT_OK, openExisting, out, parseFlags, usageError, withKernel } from './common';

export const joinUsage = `
Usage: mymedic join --hub URL --token T [--ca FILE] --data DIR

At a branch: joins the chain whose hub is at URL, with the token \`mymedic hub add-branch
CODE\` printed there. It contacts the hub once (the token is bound to this installation and
its branch CODE for good), then saves URL and token to DIR/hub.json (mode 0600). From then
on \`mymedic serve\` runs in branch mode: it pushes this branch's events to the hub and
pulls the chain's price list, policies, announcements and doctor directory. The branch
keeps working when the hub is unreachable and catches up later.

Options:
  --hub URL      the hub's base URL, e.g. https://hq.example.in (HTTPS across the internet)
  --token T      the branch token (mmb_…); or set MYMEDIC_HUB_TOKEN instead of the flag,
                 which keeps it out of the shell history
  --ca FILE      PEM certificate of the authority that signed the hub's certificate, when
                 it is not a public one (e.g. a self-signed hub)
  --data DIR     data folder (default: $MYMEDIC_DATA, else ./data)
  -h, --help     show this help

An installation in a chain serves one branch: the one whose code the token was issued for.
Run it again with a rotated token to replace the old one.
`;

export const syncUsage = `
Usage: mymedic sync status --data DIR [--json]

At a branch: the hub it syncs with, how many of this branch's events the hub holds and how
far behind it is (events, and the age of the oldest unsent one), the chain-event cursor, the
last successful push and pull and the last error. Reads the database only; the server may
be running.
`;

export async function joinCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { data: { type: 'string' }, hub: { type: 'string' }, token: { type: 'string' }, ca: { type: 'string' } } as const, joinUsage, 'join');
  const token = values.token ?? process.env.MYMEDIC_HUB_TOKEN;
  if (!values.hub) throw usageError('missing --hub URL', 'join');
  if (!token) throw usageError('missing --token T (or MYMEDIC_HUB_TOKEN)', 'join');
  let url: URL;
  try {
    url = new URL(values.hub);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw usageError(`--hub must be an http:// or https:// URL, not ${values.hub}`, 'join');
  }
  const link: HubLink = { url: url.toString().replace(/\/+$/, ''), token, ...(values.ca ? { ca: values.ca } : {}) };
  const dataDir = dataDirOf(values.data);
  return withKernel(openExisting(dataDir), async (k) => {
    const branches = listBranches(k.db);
    if (!branches.length) throw new CliExit('error: this installation has no branch yet; run mymedic init first');
    const agent = new SyncAgent(k, link, silentLogger, { requestTimeoutMs: 15_000, version: VERSION });
    try {
      await agent.hello();
    } catch (e) {
      const m = e instanceof SyncCallError ? `${e.message}${e.status ? ` (${e.status} ${e.code})` : ''}` : (e as Error).message;
      throw new CliExit(`error: the hub at ${describeHub(link)} refused or could not be reached: ${m}\nNothing changed.`);
    }
    saveHubLink(dataDir, link);
    const s = branchSyncStatus(k.db, k.origin, link.url, k.clock.now());
    out(`Joined the hub at ${describeHub(link)} as branch ${s.branch_code}. The hub holds ${s.push_high_water} of this branch's ${s.head_seq} events.`);
    out(`Restart \`mymedic serve\` (it now runs in branch mode) to push the rest and keep in sync.`);
    return EXIT_OK;
  });
}

export async function syncCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'status') {
    if (sub === undefined || sub === '--help' || sub === '-h') {
      out(syncUsage.trim());
      return sub === undefined ? 2 : EXIT_OK;
    }
    throw usageError(`unknown subcommand 'sync ${sub}'`, 'sync');
  }
  const { values } = parseFlags(rest, { data: { type: 'string' }, json: { type: 'boolean' } } as const, syncUsage, 'sync status');
  const dataDir = dataDirOf(values.data);
  const link = loadHubLink(dataDir);
  return withKernel(openExisting(dataDir), (k) => {
    const s = branchSyncStatus(k.db, k.origin, link ? describeHub(link) : null, k.clock.now());
    if (values.json) {
      out(JSON.stringify(s, null, 2));
      return EXIT_OK;
    }
    if (!link) {
      out('Not joined to a hub (standalone). At a branch of a chain: mymedic join --hub URL --token T');
      return EXIT_OK;
    }
    out(`hub:            ${s.hub_url} (branch ${s.branch_code ?? '?'})`);
    out(`pushed:         ${s.push_high_water} of ${s.head_seq} events held by the hub`);
    out(`lag:            ${s.lag_events} events, oldest unsent ${s.lag_seconds} s old`);
    out(`chain cursor:   hub seq ${s.pull_after}`);
    out(`last push ok:   ${s.last_push_ok_at ?? 'never'}`);
    out(`last pull ok:   ${s.last_pull_ok_at ?? 'never'}`);
    out(`last error:     ${s.last_error ? `${s.last_error} (${s.last_error_at})` : 'none'}`);
    return EXIT_OK;
  });
}
