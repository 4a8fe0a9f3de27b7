// `mymedic init`: creates the clinic, its first branch and its owner account without the
// browser, for scripted installs. Asks for what is missing when run on a terminal.
import { existsSync } from 'node:fs';
import { databaseFile } from '../core/config';
import { systemActor } from '../core/runner';
import { setUpClinic } from '../org/commands';
import { openDatabase } from '../core/db';
import { DomainError } from '../core/errors';
import { checkPassword, cleanBranchCode, cleanLabel, cleanTimezone, cleanUsername, hashPassword } from '../org/rules';
import {
  ask,
  askPassword,
  assertUsableSqlite,
  CliExit,
  dataDirOf,
  err,
  EXIT_USAGE,
  openKernelChecked,
  out,
  parseFlags,
  reachableBaseUrls,
  readPasswordFile,
  stdinIsTty,
  withKernel,
} from './common';

export const initUsage = `
Usage: mymedic init --data DIR --clinic NAME --branch-code CODE --admin USER --password-file FILE [options]

Creates a new clinic in DIR: the clinic, its first branch and the owner's account.
Run it once, before the first \`mymedic serve\`. It refuses to touch a data folder that
already holds a clinic. (Without init, \`mymedic serve\` prints a one-time link to do the
same in a browser.)

Options:
  --data DIR            data folder (default: $MYMEDIC_DATA, else ./data); created if needed
  --clinic NAME         the clinic's name, as printed on receipts
  --branch-code CODE    1 to 4 letters or digits, e.g. BLR1; starts every receipt number
  --branch-name NAME    the first branch's name (default: the clinic's name)
  --timezone TZ         the branch's IANA time zone (default: Asia/Kolkata)
  --admin USER          the owner's username (3 to 32 letters, digits, . _ -)
  --admin-name NAME     the owner's full name (default: the username)
  --password-file FILE  file holding the owner's password on one line (- reads stdin);
                        at least 8 characters. Delete the file afterwards.
  -h, --help            show this help

On a terminal, missing values are asked for (the password without echo). Without a
terminal, every required flag must be given; missing ones end with exit code 2.

Example:
  umask 077; printf '%s\\n' 'a long passphrase' > /root/owner.pw
  mymedic init --data /var/lib/mymedic --clinic "Sunrise Clinic" --branch-code BLR1 \\
    --admin asha --admin-name "Dr Asha Rao" --password-file /root/owner.pw
  rm /root/owner.pw

Exit codes: 0 created, 1 refused or failed (already initialised, bad value),
2 wrong usage, 3 the database was written by a newer mymedic.
`;

const options = {
  data: { type: 'string' },
  clinic: { type: 'string' },
  'branch-code': { type: 'string' },
  'branch-name': { type: 'string' },
  timezone: { type: 'string' },
  admin: { type: 'string' },
  'admin-name': { type: 'string' },
  'password-file': { type: 'string' },
} as const;

const REQUIRED = ['clinic', 'branch-code', 'admin', 'password-file'] as const;

export async function initCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, options, initUsage, 'init');
  const dataDir = dataDirOf(values.data);
  // The data folder holds patient records and the session key: nobody else may read what we create.
  process.umask(0o077);
  assertUsableSqlite();
  refuseIfInitialised(dataDir);

  const interactive = stdinIsTty();
  const missing = REQUIRED.filter((f) => !values[f]);
  if (missing.length && !interactive) {
    throw new CliExit(
      `error: missing ${missing.map((f) => `--${f}`).join(', ')} (no terminal to ask on)\nRun \`mymedic init --help\` for usage.`,
      EXIT_USAGE,
    );
  }

  const asking = interactive && missing.length > 0;
  // Every value is checked before the password is read, so a typo fails fast; on a
  // terminal a bad answer is asked again.
  const value = (given: string | undefined, question: string, fallback: string | undefined, clean: (v: string) => string): string => {
    if (given !== undefined || !asking) return clean(given ?? fallback ?? '');
    for (;;) {
      try {
        return clean(ask(question, fallback));
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        err(`  ${e.message}`);
      }
    }
  };
  if (asking) out(`Setting up a new clinic in ${dataDir}`);
  const clinicName = value(values.clinic, 'Clinic name', undefined, (v) => cleanLabel(v, 'clinic name'));
  const branchCode = value(values['branch-code'], 'Branch code (1-4 letters/digits, starts receipt numbers)', 'MAIN', cleanBranchCode);
  const branchName = value(values['branch-name'], 'Branch name', clinicName, (v) => cleanLabel(v, 'branch name'));
  const timezone = value(values.timezone, 'Time zone', 'Asia/Kolkata', cleanTimezone);
  const admin = value(values.admin, "Owner's username", undefined, cleanUsername);
  const adminName = value(values['admin-name'], "Owner's full name", admin, (v) => cleanLabel(v, 'name'));
  let password: string;
  if (values['password-file']) password = checkPassword(await readPasswordFile(values['password-file']));
  else {
    for (;;) {
      try {
        password = checkPassword(askPassword("Owner's password (at least 8 characters)"));
        break;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        err(`  ${e.message}`);
      }
    }
  }

  // argon2id is slow on purpose: hash before taking the write lock.
  const passwordHash = await hashPassword(password);
  const kernel = openKernelChecked(dataDir);
  await withKernel(kernel, (k) =>
    k.runner.run({ actor: systemActor('cli') }, (tx) =>
      setUpClinic(tx, {
        clinicName,
        branch: { code: branchCode, name: branchName, timezone },
        owner: { username: admin, name: adminName, passwordHash },
      }),
    ),
  );
  out(`Created clinic "${clinicName}" with branch ${branchCode} and owner ${admin} in ${databaseFile(dataDir)}`);
  out('Next: start the server with');
  out(`  mymedic serve --data ${dataDir}`);
  const port = Number(process.env.MYMEDIC_PORT ?? 8080) || 8080;
  out(`then sign in at ${reachableBaseUrls('0.0.0.0', port)[0]}/ as ${admin}.`);
  return 0;
}

function refuseIfInitialised(dataDir: string): void {
  const file = databaseFile(dataDir);
  if (!existsSync(file)) return;
  const db = openDatabase(file);
  try {
    const hasTable = db.query(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'clinics'`).get();
    const clinic = hasTable ? (db.query('SELECT name FROM clinics LIMIT 1').get() as { name: string } | null) : null;
    if (clinic) throw new CliExit(`error: ${file} is already initialised (clinic "${clinic.name}"); nothing changed`);
  } finally {
    db.close();
  }
}
