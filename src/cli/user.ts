// `mymedic user ...`: staff accounts from the shell, for when nobody can sign in
// (forgotten owner password) or for scripted installs. Every change is an event like
// one made in the browser, recorded as done by the system via the command line.
import { systemActor } from '../core/runner';
import { createUser, disableUser, enableUser, setUserPassword } from '../org/commands';
import { getBranchByCode, getUserByUsername, listBranches, listUsers } from '../org/queries';
import { cleanRole, hashPassword } from '../org/rules';
import { ROLES } from '../org/events';
import {
  askPassword,
  CliExit,
  dataDirOf,
  EXIT_OK,
  EXIT_USAGE,
  openExisting,
  out,
  parseFlags,
  readPasswordFile,
  stdinIsTty,
  table,
  usageError,
  withKernel,
} from './common';

export const userUsage = `
Usage: mymedic user <add|passwd|disable|enable|list> --data DIR [options]

Manages staff accounts directly in the database (the server may be running).

  mymedic user add --username U --name NAME --role ROLE [--branch CODE ...] --password-file FILE
  mymedic user passwd --username U --password-file FILE
  mymedic user disable --username U [--reason TEXT]
  mymedic user enable --username U
  mymedic user list [--json]

Every subcommand takes --data DIR (default: $MYMEDIC_DATA, else ./data).
Run \`mymedic user <subcommand> --help\` for details.
`;

const addUsage = `
Usage: mymedic user add --data DIR --username U --name NAME --role ROLE [--branch CODE ...] --password-file FILE

Creates a staff account.

Options:
  --data DIR            data folder (default: $MYMEDIC_DATA, else ./data)
  --username U          sign-in name: 3 to 32 letters, digits, . _ -
  --name NAME           full name, as shown on pages and receipts
  --role ROLE           one of: ${ROLES.join(', ')}
  --branch CODE         a branch the user works in; repeat for several. When the clinic
                        has a single branch it is the default. Owners and hq see every branch.
  --password-file FILE  file holding the password on one line (- reads stdin); on a
                        terminal, leave it out to type the password instead
  -h, --help            show this help

Example:
  mymedic user add --data /var/lib/mymedic --username ravi --name "Ravi Kumar" \\
    --role front_desk --branch BLR1 --password-file /root/ravi.pw
`;

const passwdUsage = `
Usage: mymedic user passwd --data DIR --username U --password-file FILE

Sets a new password for an account (e.g. an owner who forgot theirs). Sessions already
signed in stay valid; disable and enable the account to end them.

Options:
  --data DIR            data folder (default: $MYMEDIC_DATA, else ./data)
  --username U          the account
  --password-file FILE  file holding the new password on one line (- reads stdin); on a
                        terminal, leave it out to type the password instead
  -h, --help            show this help
`;

const disableUsage = `
Usage: mymedic user disable --data DIR --username U [--reason TEXT]

Disables an account: it can no longer sign in and its open sessions end at once.
The clinic always keeps at least one active owner.

Options:
  --data DIR      data folder (default: $MYMEDIC_DATA, else ./data)
  --username U    the account
  --reason TEXT   why (kept in the audit trail)
  -h, --help      show this help
`;

const enableUsage = `
Usage: mymedic user enable --data DIR --username U

Lets a disabled account sign in again.

Options:
  --data DIR      data folder (default: $MYMEDIC_DATA, else ./data)
  --username U    the account
  -h, --help      show this help
`;

const listUsage = `
Usage: mymedic user list --data DIR [--json]

Lists every staff account: username, name, role, branches, and whether it is active.

Options:
  --data DIR    data folder (default: $MYMEDIC_DATA, else ./data)
  --json        one JSON object per line instead of a table
  -h, --help    show this help
`;

const cli = { actor: systemActor('cli') };

export async function userCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'add':
      return userAdd(rest);
    case 'passwd':
      return userPasswd(rest);
    case 'disable':
      return userDisable(rest);
    case 'enable':
      return userEnable(rest);
    case 'list':
      return userList(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      out(userUsage.trim());
      return sub === undefined ? EXIT_USAGE : EXIT_OK;
    default:
      throw usageError(`unknown subcommand 'user ${sub}'`, 'user');
  }
}

function required<T extends Record<string, unknown>>(values: T, names: (keyof T & string)[], command: string): void {
  const missing = names.filter((n) => values[n] === undefined || values[n] === '');
  if (missing.length) throw usageError(`missing ${missing.map((n) => `--${n}`).join(', ')}`, command);
}

async function passwordFrom(file: string | undefined, command: string): Promise<string> {
  if (file) return readPasswordFile(file);
  if (!stdinIsTty()) throw usageError('missing --password-file (no terminal to ask on)', command);
  return askPassword('New password (at least 8 characters)');
}

async function userAdd(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      data: { type: 'string' },
      username: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      branch: { type: 'string', multiple: true },
      'password-file': { type: 'string' },
    },
    addUsage,
    'user add',
  );
  required(values, ['username', 'name', 'role'], 'user add');
  const role = cleanRole(values.role!);
  const kernel = openExisting(dataDirOf(values.data));
  return withKernel(kernel, async (k) => {
    if (getUserByUsername(k.db, values.username!)) throw new CliExit(`error: username ${values.username!.trim().toLowerCase()} is already taken`);
    const codes = values.branch ?? [];
    const branchIds = codes.map((code) => {
      const b = getBranchByCode(k.db, code.trim().toUpperCase());
      if (!b) throw new CliExit(`error: no branch with code ${code}; branches: ${listBranches(k.db).map((x) => x.code).join(', ') || 'none'}`);
      return b.id;
    });
    if (!branchIds.length && role !== 'owner' && role !== 'hq') {
      const active = listBranches(k.db).filter((b) => b.active);
      if (active.length === 1) branchIds.push(active[0].id);
      else throw usageError(`give --branch CODE (this clinic has ${active.length} branches: ${active.map((b) => b.code).join(', ')})`, 'user add');
    }
    const passwordHash = await hashPassword(await passwordFrom(values['password-file'], 'user add'));
    k.runner.run(cli, (tx) => createUser(tx, { username: values.username!, name: values.name!, role, branchIds, passwordHash }));
    out(`added ${values.username!.trim().toLowerCase()} (${role})`);
    return 0;
  });
}

function findUser(db: Parameters<typeof getUserByUsername>[0], username: string) {
  const user = getUserByUsername(db, username);
  if (!user) throw new CliExit(`error: no user named ${username.trim().toLowerCase()}`);
  return user;
}

async function userPasswd(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { data: { type: 'string' }, username: { type: 'string' }, 'password-file': { type: 'string' } }, passwdUsage, 'user passwd');
  required(values, ['username'], 'user passwd');
  const kernel = openExisting(dataDirOf(values.data));
  return withKernel(kernel, async (k) => {
    const user = findUser(k.db, values.username!);
    const passwordHash = await hashPassword(await passwordFrom(values['password-file'], 'user passwd'));
    k.runner.run(cli, (tx) => setUserPassword(tx, user.id, passwordHash));
    out(`password changed for ${user.username}`);
    return 0;
  });
}

async function userDisable(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { data: { type: 'string' }, username: { type: 'string' }, reason: { type: 'string' } }, disableUsage, 'user disable');
  required(values, ['username'], 'user disable');
  const kernel = openExisting(dataDirOf(values.data));
  return withKernel(kernel, (k) => {
    const user = findUser(k.db, values.username!);
    if (!user.active) throw new CliExit(`error: ${user.username} is already disabled`);
    k.runner.run(cli, (tx) => disableUser(tx, user.id, values.reason?.trim() || null, null));
    out(`disabled ${user.username}`);
    return 0;
  });
}

async function userEnable(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { data: { type: 'string' }, username: { type: 'string' } }, enableUsage, 'user enable');
  required(values, ['username'], 'user enable');
  const kernel = openExisting(dataDirOf(values.data));
  return withKernel(kernel, (k) => {
    const user = findUser(k.db, values.username!);
    if (user.active) throw new CliExit(`error: ${user.username} is already active`);
    k.runner.run(cli, (tx) => enableUser(tx, user.id));
    out(`enabled ${user.username}`);
    return 0;
  });
}

async function userList(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { data: { type: 'string' }, json: { type: 'boolean' } }, listUsage, 'user list');
  const kernel = openExisting(dataDirOf(values.data));
  return withKernel(kernel, (k) => {
    const branches = listBranches(k.db);
    const codeOf = new Map(branches.map((b) => [b.id, b.code]));
    const users = listUsers(k.db, branches.map((b) => b.id));
    for (const u of users) u.branchIds.sort((a, b) => (codeOf.get(a) ?? a).localeCompare(codeOf.get(b) ?? b));
    if (values.json) {
      for (const u of users) {
        out(JSON.stringify({ id: u.id, username: u.username, name: u.name, role: u.role, branches: u.branchIds.map((id) => codeOf.get(id) ?? id), active: u.active }));
      }
      return 0;
    }
    if (!users.length) {
      out('no users yet; run mymedic init');
      return 0;
    }
    out(
      table(
        ['USERNAME', 'NAME', 'ROLE', 'BRANCHES', 'ACTIVE'],
        users.map((u) => [
          u.username,
          u.name,
          u.role,
          u.role === 'owner' || u.role === 'hq' ? 'all' : u.branchIds.map((id) => codeOf.get(id) ?? id).join(',') || '-',
          u.active ? 'yes' : 'no',
        ]),
      ),
    );
    return 0;
  });
}
