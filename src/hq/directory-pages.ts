// HQ pages for the chain's doctor directory, at the hub: /hq/doctors lists every entry with
// the form to list a doctor (owners, admins), /hq/doctors/{id} edits one, .../delist takes
// one off. The hq role reads. Bad input renders the form again with the message (4xx).
import { Elysia } from 'elysia';
import { type DirectoryFormValues, formValuesOf, HqDoctorsPage } from '../../views/hq/doctors';
import { chainBranchCodes, delistDirectoryDoctor, directoryDoctors, directoryEntry, type DirectoryRow, getDirectoryDoctor, listDirectoryDoctor, updateDirectoryDoctor } from '../chain/directory';
import { DomainError } from '../core/errors';
import { isUuid, randomToken } from '../core/ids';
import type { Tx } from '../core/runner';
import { actorOf, type Scope } from '../core/scope';
import type { authGuard } from '../http/guard';
import { idempotencyOf } from '../http/idempotency';
import { clinicName, formFields, html, pageUser, redirectWithFlash, takeFlash } from '../http/page';
import { can } from '../http/permissions';
import type { Services } from '../http/services';
import { chainOrigin } from '../kernel';
import { getBranch } from '../org/queries';
import { assertHub } from './routes';

const NO_STORE = { 'cache-control': 'no-store' };
const FIELDS = ['name', 'specialty', 'qualifications', 'registration_number', 'branch_codes', 'visiting'] as const;

const isUserError = (e: unknown): e is DomainError => e instanceof DomainError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 403;
const notFound = () => new DomainError(404, 'not_found', 'Directory entry not found');

export function hqDirectoryPages(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db } = svc.kernel;

  function page(
    scope: Scope,
    opts: { editing?: DirectoryRow | null; values?: DirectoryFormValues; error?: { message: string; field: string | null }; flash?: ReturnType<typeof takeFlash> },
    headers: Record<string, string>,
    status = 200,
  ) {
    return html(
      HqDoctorsPage({
        user: pageUser(svc, scope),
        clinicName: clinicName(svc),
        timeZone: getBranch(db, scope.branchId)?.timezone ?? 'Asia/Kolkata',
        items: directoryDoctors(db, { includeDelisted: true }),
        branchCodes: [...chainBranchCodes(db)].sort(),
        canManage: can(scope.role, 'chain.manage'),
        formToken: randomToken(18),
        editing: opts.editing ?? null,
        values: opts.values ?? (opts.editing ? formValuesOf(opts.editing) : undefined),
        error: opts.error ?? null,
        flash: opts.flash ?? null,
      }) as string,
      status,
      headers,
    );
  }

  const valuesOf = (body: unknown): DirectoryFormValues => {
    const f = formFields(body);
    return Object.fromEntries(FIELDS.map((k) => [k, f[k] ?? ''])) as DirectoryFormValues;
  };

  /** Runs a directory command under the chain origin; a user error renders the form again. */
  function save(scope: Scope, request: Request, body: unknown, editing: DirectoryRow | null, fn: (tx: Tx, values: DirectoryFormValues) => void, done: string) {
    const values = valuesOf(body);
    try {
      const idem = idempotencyOf(scope, request, { id: editing?.id ?? null, ...values }, formFields(body)._form_token || undefined);
      svc.kernel.runner.runIdempotent({ actor: actorOf(scope), origin: chainOrigin(db, true)! }, idem, (tx) => {
        fn(tx, values);
        return { status: 200, body: null };
      });
      return redirectWithFlash('/hq/doctors', { kind: 'ok', text: done });
    } catch (e) {
      if (!isUserError(e)) throw e;
      const field = typeof e.details?.field === 'string' ? e.details.field : null;
      return page(scope, { editing, values, error: { message: e.message, field } }, { ...NO_STORE }, e.status);
    }
  }

  const entryOf = (values: DirectoryFormValues) => directoryEntry(values, chainBranchCodes(db));
  const existing = (id: string) => {
    const d = isUuid(id) ? getDirectoryDoctor(db, id) : null;
    if (!d) throw notFound();
    return d;
  };

  return new Elysia({ name: 'hq-directory-pages', seed: svc.kernel.origin })
    .use(guard)
    .get(
      '/hq/doctors',
      ({ scope, request }) => {
        assertHub(svc);
        const headers: Record<string, string> = { ...NO_STORE };
        return page(scope, { flash: takeFlash(request, headers) }, headers);
      },
      { auth: 'hq.read', detail: { hide: true } },
    )
    .post(
      '/hq/doctors',
      ({ scope, body, request }) => {
        assertHub(svc);
        return save(scope, request, body, null, (tx, v) => listDirectoryDoctor(tx, entryOf(v)), 'Listed: every branch sees it once synced.');
      },
      { auth: 'chain.manage', detail: { hide: true } },
    )
    .get(
      '/hq/doctors/:id',
      ({ scope, params }) => {
        assertHub(svc);
        const d = existing(params.id);
        if (d.delisted_at) return redirectWithFlash('/hq/doctors', { kind: 'error', text: `${d.name} was delisted; list them again as a new entry.` });
        return page(scope, { editing: d }, { ...NO_STORE });
      },
      { auth: 'chain.manage', detail: { hide: true } },
    )
    .post(
      '/hq/doctors/:id',
      ({ scope, params, body, request }) => {
        assertHub(svc);
        const d = existing(params.id);
        return save(scope, request, body, d, (tx, v) => updateDirectoryDoctor(tx, d.id, entryOf(v)), 'Saved: every branch sees the change once synced.');
      },
      { auth: 'chain.manage', detail: { hide: true } },
    )
    .post(
      '/hq/doctors/:id/delist',
      ({ scope, params }) => {
        assertHub(svc);
        try {
          const d = existing(params.id);
          svc.kernel.runner.run({ actor: actorOf(scope), origin: chainOrigin(db, true)! }, (tx) => delistDirectoryDoctor(tx, d.id, null));
          return redirectWithFlash('/hq/doctors', { kind: 'ok', text: `Delisted ${d.name}: branches stop listing them once synced.` });
        } catch (e) {
          if (e instanceof DomainError && (e.status === 404 || e.status === 409)) return redirectWithFlash('/hq/doctors', { kind: 'error', text: e.message });
          throw e;
        }
      },
      { auth: 'chain.manage', detail: { hide: true } },
    );
}
