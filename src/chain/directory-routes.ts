// The chain's doctor directory over REST:
//   GET  /api/v1/chain/doctors?branch=&q=&include_delisted=   the directory (any mode, any staff)
//   GET  /api/v1/chain/doctors/{id}
//   POST /api/v1/chain/doctors                                 list a doctor (hub only)
//   PUT  /api/v1/chain/doctors/{id}                            replace an entry (hub only)
//   POST /api/v1/chain/doctors/{id}/delist                     take one off (hub only)
import { Elysia, t } from 'elysia';
import { json } from '../billing/routes';
import { DomainError } from '../core/errors';
import { isUuid } from '../core/ids';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';
import {
  chainBranchCodes,
  delistDirectoryDoctor,
  directoryDoctors,
  directoryEntry,
  directoryJson,
  getDirectoryDoctor,
  listDirectoryDoctor,
  updateDirectoryDoctor,
} from './directory';
import { chainCommands } from './submit';

const EntryBody = t.Object(
  {
    name: t.String({ maxLength: 200, description: 'As patients know the doctor, e.g. “Dr. Meera Rao”; at most 120 characters' }),
    specialty: t.String({ maxLength: 200, description: 'At most 80 characters' }),
    qualifications: t.Optional(t.Nullable(t.String({ maxLength: 300, description: 'e.g. “MBBS, MD (Paediatrics)”' }))),
    registration_number: t.Optional(t.Nullable(t.String({ maxLength: 80, description: 'Medical council registration number' }))),
    branch_codes: t.Optional(t.Array(t.String({ maxLength: 16 }), { maxItems: 50, description: 'Codes of the branches the doctor sees patients at; each must be a branch of the chain' })),
    visiting: t.Optional(t.Nullable(t.String({ maxLength: 600, description: 'When, in words: “Mon, Thu 10:00–13:00 at BLR1”' }))),
  },
  { additionalProperties: false },
);

const notFound = () => new DomainError(404, 'not_found', 'Directory entry not found');

export function directoryRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db } = svc.kernel;
  const chain = chainCommands(svc);
  const entryOf = (body: Record<string, unknown>) => directoryEntry(body, chainBranchCodes(db));
  return new Elysia({ name: 'directoryRoutes', seed: svc.kernel.origin })
    .use(guard)
    .get(
      '/api/v1/chain/doctors',
      ({ query }) => {
        const branch = query.branch?.trim() || null;
        if (branch && !/^[A-Za-z0-9]{1,8}$/.test(branch)) throw new DomainError(400, 'invalid_branch', 'branch must be a branch code (letters and digits, at most 8)');
        const includeDelisted = query.include_delisted === 'true';
        const items = directoryDoctors(db, { branchCode: branch, q: query.q ?? null, includeDelisted });
        return { items: items.map(directoryJson), next_cursor: null };
      },
      {
        auth: 'signed_in',
        query: t.Object({
          branch: t.Optional(t.String({ maxLength: 16 })),
          q: t.Optional(t.String({ maxLength: 100 })),
          include_delisted: t.Optional(t.Union([t.Literal('true'), t.Literal('false')])),
        }),
        detail: {
          tags: ['chain'],
          summary: 'The chain’s doctor directory',
          description:
            'Doctors of the whole chain as HQ lists them, by name (at most 500): at a branch, as last pulled from the hub. `branch` keeps those seeing patients at that branch code, `q` matches name or specialty. Reference for referrals: a directory entry is not a bookable doctor of this branch.',
        },
      },
    )
    .get(
      '/api/v1/chain/doctors/:id',
      ({ params }) => {
        const d = isUuid(params.id) ? getDirectoryDoctor(db, params.id) : null;
        if (!d) throw notFound();
        return directoryJson(d);
      },
      { auth: 'signed_in', detail: { tags: ['chain'], summary: 'One directory entry', description: 'Delisted entries too (with `delisted_at`).' } },
    )
    .post(
      '/api/v1/chain/doctors',
      async ({ scope, body, request }) => {
        chain.hubOnly('Directory entries');
        const entry = entryOf(body);
        const res = await chain.submit(scope, request, body, (tx) => {
          const id = listDirectoryDoctor(tx, entry);
          return { status: 201, body: directoryJson(getDirectoryDoctor(tx.db, id)!) };
        });
        return json(res);
      },
      {
        auth: 'chain.manage',
        body: EntryBody,
        detail: {
          tags: ['chain'],
          summary: 'List a doctor in the chain’s directory (hub only)',
          description: 'Every branch pulls it. 201 with the entry; 422 `unknown_branch` when a code is not a branch of the chain, `invalid_<field>` for a missing or bad field.',
        },
      },
    )
    .put(
      '/api/v1/chain/doctors/:id',
      async ({ scope, params, body, request }) => {
        chain.hubOnly('Directory entries');
        if (!isUuid(params.id)) throw notFound();
        const entry = entryOf(body);
        const res = await chain.submit(scope, request, { id: params.id, ...body }, (tx) => {
          updateDirectoryDoctor(tx, params.id, entry);
          return { status: 200, body: directoryJson(getDirectoryDoctor(tx.db, params.id)!) };
        });
        return json(res);
      },
      {
        auth: 'chain.manage',
        body: EntryBody,
        detail: { tags: ['chain'], summary: 'Replace a directory entry (hub only)', description: 'The whole entry; unchanged records nothing. 404 unknown, 409 `delisted`.' },
      },
    )
    .post(
      '/api/v1/chain/doctors/:id/delist',
      async ({ scope, params, body, request }) => {
        chain.hubOnly('Directory entries');
        if (!isUuid(params.id)) throw notFound();
        const res = await chain.submit(scope, request, { id: params.id, ...(body ?? {}) }, (tx) => {
          delistDirectoryDoctor(tx, params.id, body?.reason ?? null);
          return { status: 200, body: directoryJson(getDirectoryDoctor(tx.db, params.id)!) };
        });
        return json(res);
      },
      {
        auth: 'chain.manage',
        body: t.Optional(t.Object({ reason: t.Optional(t.Nullable(t.String({ maxLength: 400 }))) }, { additionalProperties: false })),
        detail: { tags: ['chain'], summary: 'Take a doctor off the directory (hub only)', description: 'Branches stop listing them once pulled. 404 unknown, 409 `delisted` when already off.' },
      },
    );
}
