// REST for the patient registry (pages live in ./pages.ts).
import { Elysia, t } from 'elysia';
import { WholeNumber } from '../http/schema';
import { badRequest, notFound } from '../core/errors';
import { isUuid } from '../core/ids';
import { actorOf, type Scope } from '../core/scope';
import { idempotencyOf } from '../http/idempotency';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';
import { getBranch } from '../org/queries';
import { correctPatient, registerPatient } from './commands';
import { patientPages } from './pages';
import { getPatient, isValidCursor, patientHistory, searchPatients, todayIn, toView } from './queries';

const Sex = t.Union([t.Literal('male'), t.Literal('female'), t.Literal('other')]);

export const PatientFieldsSchema = {
  name: t.String({ maxLength: 200, description: 'Full name as the patient gives it' }),
  phone: t.String({ maxLength: 32, description: '10-digit Indian mobile, or +<country code><number>' }),
  sex: Sex,
  date_of_birth: t.Optional(t.Nullable(t.String({ maxLength: 10, description: 'YYYY-MM-DD' }))),
  age_years: t.Optional(t.Nullable(WholeNumber({ minimum: 0, maximum: 130, description: 'When the date of birth is not known' }))),
  email: t.Optional(t.Nullable(t.String({ maxLength: 254 }))),
  address: t.Optional(t.Nullable(t.String({ maxLength: 500 }))),
  abha_number: t.Optional(t.Nullable(t.String({ maxLength: 32, description: 'ABHA number, 14 digits' }))),
};

export const RegisterBody = t.Object(PatientFieldsSchema, { additionalProperties: false });

const CorrectBody = t.Object(
  {
    name: t.Optional(PatientFieldsSchema.name),
    phone: t.Optional(PatientFieldsSchema.phone),
    sex: t.Optional(Sex),
    date_of_birth: PatientFieldsSchema.date_of_birth,
    age_years: PatientFieldsSchema.age_years,
    email: PatientFieldsSchema.email,
    address: PatientFieldsSchema.address,
    abha_number: PatientFieldsSchema.abha_number,
    reason: t.Optional(t.String({ maxLength: 500, description: 'Why the record is corrected (kept in its history)' })),
    expected_version: t.Optional(WholeNumber({ minimum: 1, description: 'Refuse with 409 if the record changed since this version' })),
  },
  { additionalProperties: false },
);

export function branchToday(svc: Services, scope: Scope): string {
  return todayIn(getBranch(svc.kernel.db, scope.branchId)?.timezone ?? 'Asia/Kolkata', svc.kernel.clock.now());
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return 50;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw badRequest('invalid_limit', 'limit must be an integer from 1 to 500');
  return n;
}

export function patientsRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { runner, db } = svc.kernel;
  const findPatient = (scope: Scope, id: string) => {
    // Another branch's patient, or a malformed id, is simply not found: existence must not leak.
    const row = isUuid(id) ? getPatient(db, scope.branchId, id) : null;
    if (!row) throw notFound('Patient');
    return row;
  };

  return new Elysia({ name: 'patients-routes', seed: svc.kernel.origin })
    .use(guard)
    .use(patientPages(svc, guard))
    .post(
      '/api/v1/patients',
      async ({ scope, body, request }) => {
        const res = await runner.submitIdempotent({ actor: actorOf(scope) }, idempotencyOf(scope, request, body), (tx) => {
          const r = registerPatient(tx, scope, body);
          return { status: 201, body: { ...r.patient, possible_duplicates: r.possible_duplicates } };
        });
        return new Response(JSON.stringify(res.body), {
          status: res.status,
          headers: { 'content-type': 'application/json', location: `/api/v1/patients/${(res.body as { id: string }).id}`, ...(res.replayed ? { 'idempotent-replayed': 'true' } : {}) },
        });
      },
      {
        auth: 'patients.write',
        body: RegisterBody,
        detail: {
          tags: ['patients'],
          summary: 'Register a patient',
          description:
            'Answers 201 with the patient (id, mrn, …). `possible_duplicates` lists patients of this branch with the same name, phone and date of birth (or age within a year): a warning only — records are never merged, since families share phones. Give `date_of_birth` or `age_years`.',
        },
      },
    )
    .get(
      '/api/v1/patients',
      ({ scope, query }) => {
        const limit = parseLimit(query.limit);
        if (query.cursor && !isValidCursor(query.cursor)) throw badRequest('invalid_cursor', 'cursor is not one this server gave out');
        const page = searchPatients(db, scope.branchId, query.q ?? '', limit, query.cursor ?? null);
        const today = branchToday(svc, scope);
        return { items: page.items.map((p) => toView(p, today)), next_cursor: page.nextCursor };
      },
      {
        auth: 'patients.read',
        query: t.Object({ q: t.Optional(t.String({ maxLength: 200 })), limit: t.Optional(t.String()), cursor: t.Optional(t.String({ maxLength: 500 })) }),
        detail: { tags: ['patients'], summary: 'Search patients by name, phone or MRN', description: 'Words match name word prefixes; 3+ digits match phone numbers; MRN matches anywhere. Ordered by name.' },
      },
    )
    .get('/api/v1/patients/:id', ({ scope, params }) => toView(findPatient(scope, params.id), branchToday(svc, scope)), {
      auth: 'patients.read',
      detail: { tags: ['patients'], summary: 'One patient' },
    })
    .patch(
      '/api/v1/patients/:id',
      ({ scope, params, body }) => {
        findPatient(scope, params.id);
        const { reason, expected_version, ...fields } = body;
        return runner.submit({ actor: actorOf(scope) }, (tx) => correctPatient(tx, scope, params.id, fields, reason ?? null, expected_version));
      },
      {
        auth: 'patients.write',
        body: CorrectBody,
        detail: { tags: ['patients'], summary: 'Correct demographics', description: 'Only the fields given change; the old and new values are kept in the patient’s history. 422 no_changes when nothing differs.' },
      },
    )
    .get('/api/v1/patients/:id/history', ({ scope, params }) => ({ items: patientHistory(db, scope.branchId, findPatient(scope, params.id).id) }), {
      auth: 'patients.read',
      detail: { tags: ['patients'], summary: 'The patient record’s history of changes (from the event log)' },
    });
}
