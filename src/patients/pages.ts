// Patient pages for the front desk and doctors: search (as you type, with htmx), register
// (with an inline duplicate warning, never a block), one patient with the history of its
// record, and corrections. Every URL answers a full page, or its fragment to htmx; every
// form also works without JavaScript. Handlers parse the form, call the commands and
// queries the REST routes use, and render.
import { Elysia, t } from 'elysia';
import { DuplicateWarning } from '../../views/patients/common';
import { EditPatientPage, type FormError, type PatientFormValues, RegisterPage } from '../../views/patients/form';
import { PatientDetails, PatientPage } from '../../views/patients/patient';
import { PatientResults, PatientSearchPage, type SearchResults } from '../../views/patients/search';
import { DomainError, badRequest, notFound, unprocessable } from '../core/errors';
import { isUuid, randomToken } from '../core/ids';
import { actorOf, type Scope } from '../core/scope';
import type { authGuard } from '../http/guard';
import { idempotencyOf } from '../http/idempotency';
import { clinicName, formFields, html, isHtmx, pageUser, redirectWithFlash, takeFlash } from '../http/page';
import { can } from '../http/permissions';
import { infoOf } from '../http/request-info';
import type { Services } from '../http/services';
import { getBranch } from '../org/queries';
import { checkRegistration, correctPatient, registerPatient } from './commands';
import { type DuplicateMatch, getPatient, isValidCursor, patientHistory, type PatientView, searchPatients, todayIn, toView } from './queries';
import { type PatientInput, type Sex, SEXES } from './rules';

const PAGE_SIZE = 50;
const NO_STORE = { 'cache-control': 'no-store' };

/** The form's text fields, as typed (kept when the form is shown again). */
const FORM_FIELDS = ['name', 'phone', 'sex', 'age_years', 'date_of_birth', 'email', 'address', 'abha_number'] as const;
type FormField = (typeof FORM_FIELDS)[number];

function valuesOf(f: Record<string, string>): PatientFormValues {
  const v: PatientFormValues = {};
  for (const k of FORM_FIELDS) if (f[k] !== undefined) v[k] = f[k].slice(0, 600);
  if (f.reason !== undefined) v.reason = f.reason.slice(0, 600);
  return v;
}

function parseAge(raw: string | undefined): number | null {
  const s = (raw ?? '').trim();
  if (!s) return null;
  if (!/^\d{1,3}$/.test(s)) throw unprocessable('invalid_age', 'Age must be a whole number of years from 0 to 130', { field: 'age_years' });
  return Number(s);
}

const sexOf = (raw: string | undefined): Sex | undefined => (SEXES as readonly string[]).includes(raw ?? '') ? (raw as Sex) : undefined;
const optional = (raw: string | undefined): string | null => (raw?.trim() ? raw : null);

/** A registration as the commands take it. */
function registrationOf(f: Record<string, string>): PatientInput {
  return {
    name: f.name ?? '',
    phone: f.phone ?? '',
    sex: sexOf(f.sex),
    date_of_birth: optional(f.date_of_birth)?.trim() ?? null,
    age_years: parseAge(f.age_years),
    email: optional(f.email),
    address: optional(f.address),
    abha_number: optional(f.abha_number),
  };
}

/** How the edit form shows a patient: also what "unchanged" means when it comes back. */
function formValuesOfPatient(p: PatientView): Record<FormField, string> {
  return {
    name: p.name,
    phone: p.phone.startsWith('+91') ? p.phone.slice(3) : p.phone,
    sex: p.sex,
    age_years: p.date_of_birth || p.age_years === null ? '' : String(p.age_years),
    date_of_birth: p.date_of_birth ?? '',
    email: p.email ?? '',
    address: p.address ?? '',
    abha_number: p.abha_number ?? '',
  };
}

/** Only the fields the user changed: an age re-typed as it was must not restart its clock. */
function correctionOf(current: Record<FormField, string>, f: Record<string, string>): PatientInput {
  const input: PatientInput = {};
  const changed = (k: FormField) => f[k] !== undefined && f[k].trim() !== current[k].trim();
  if (changed('name')) input.name = f.name;
  if (changed('phone')) input.phone = f.phone;
  if (changed('sex')) {
    const sex = sexOf(f.sex);
    if (!sex) throw unprocessable('invalid_sex', 'Sex must be male, female or other', { field: 'sex' });
    input.sex = sex;
  }
  const dob = (f.date_of_birth ?? current.date_of_birth).trim();
  const age = (f.age_years ?? current.age_years).trim();
  if (!dob && !age) throw unprocessable('age_required', 'Give an age in years or a date of birth', { field: 'age_years' });
  if (changed('date_of_birth')) input.date_of_birth = dob || null;
  if (changed('age_years') || (changed('date_of_birth') && !dob)) input.age_years = parseAge(age);
  if (changed('email')) input.email = optional(f.email);
  if (changed('address')) input.address = optional(f.address);
  if (changed('abha_number')) input.abha_number = optional(f.abha_number);
  return input;
}

/** What a form token stands for: the submission as typed (a double-submit sends the same). */
function submission(f: Record<string, string>): Record<string, string> {
  const { _csrf: _, ...rest } = f;
  return rest;
}

const formErrorOf = (e: DomainError): FormError => ({
  // The form comes back with a fresh token, so the wording can say what to do.
  message: e.code === 'idempotency_key_reused' ? 'This form had already been sent with other values. Check the values below and send it again.' : e.message,
  field: typeof e.details?.field === 'string' ? e.details.field : null,
});

/** Errors the form shows next to its fields; anything else goes to the error page. */
const isFormError = (e: unknown): e is DomainError => e instanceof DomainError && (e.status === 400 || e.status === 409 || e.status === 422);

type RegisterOutcome = { kind: 'registered'; id: string; mrn: string; name: string } | { kind: 'duplicates'; duplicates: DuplicateMatch[] };

export function patientPages(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db, runner, clock } = svc.kernel;
  const zoneOf = (scope: Scope) => getBranch(db, scope.branchId)?.timezone ?? 'Asia/Kolkata';
  const todayOf = (scope: Scope) => todayIn(zoneOf(scope), clock.now());
  const findPatient = (scope: Scope, id: string) => {
    // Another branch's patient, or a malformed id, is simply not found: existence must not leak.
    const row = isUuid(id) ? getPatient(db, scope.branchId, id) : null;
    if (!row) throw notFound('Patient');
    return row;
  };

  const search = (scope: Scope, q: string | undefined, cursor: string | undefined): SearchResults => {
    if (cursor && !isValidCursor(cursor)) throw badRequest('invalid_cursor', 'That results link is not valid; search again');
    const term = (q ?? '').slice(0, 100);
    const page = searchPatients(db, scope.branchId, term, PAGE_SIZE, cursor ?? null);
    const today = todayOf(scope);
    return { q: term, items: page.items.map((p) => toView(p, today)), nextCursor: page.nextCursor, timeZone: zoneOf(scope) };
  };

  const searchAnswer = (scope: Scope, request: Request, query: { q?: string; cursor?: string }) => {
    const results = search(scope, query.q, query.cursor);
    if (isHtmx(request)) {
      // Keep the address bar in step, so reload and back show the same search.
      const url = results.q.trim() ? `/patients?${new URLSearchParams({ q: results.q.trim() })}` : '/patients';
      return html(PatientResults(results) as string, 200, { ...NO_STORE, 'hx-replace-url': url });
    }
    const headers: Record<string, string> = { ...NO_STORE };
    const flash = takeFlash(request, headers);
    return html(
      PatientSearchPage({ user: pageUser(svc, scope), clinicName: clinicName(svc), flash, canRegister: can(scope.role, 'patients.write'), results }) as string,
      200,
      headers,
    );
  };

  const registerPage = (scope: Scope, values: PatientFormValues, status: number, error: FormError | null = null, duplicates: DuplicateMatch[] = []) =>
    html(
      RegisterPage({ user: pageUser(svc, scope), clinicName: clinicName(svc), formToken: randomToken(18), values, today: todayOf(scope), error, duplicates }) as string,
      status,
      NO_STORE,
    );

  /** `version`: the one the form was opened at; a stale form keeps it, so it stays refused. */
  const editPage = (scope: Scope, p: PatientView, values: PatientFormValues, status: number, error: FormError | null = null, version = p.version) =>
    html(
      EditPatientPage({
        user: pageUser(svc, scope),
        clinicName: clinicName(svc),
        patient: { id: p.id, mrn: p.mrn, name: p.name, version },
        formToken: randomToken(18),
        values,
        today: todayOf(scope),
        error,
        stale: status === 409,
      }) as string,
      status,
      NO_STORE,
    );

  const SearchQuery = t.Object({ q: t.Optional(t.String({ maxLength: 200 })), cursor: t.Optional(t.String({ maxLength: 500 })) });

  return new Elysia({ name: 'patient-pages', seed: svc.kernel.origin })
    .use(guard)
    .get('/patients', ({ scope, request, query }) => searchAnswer(scope, request, query), { auth: 'patients.read', query: SearchQuery, detail: { hide: true } })
    .get('/patients/search', ({ scope, request, query }) => searchAnswer(scope, request, query), {
      auth: 'patients.read',
      query: SearchQuery,
      detail: { hide: true },
    })
    .get('/patients/new', ({ scope }) => registerPage(scope, {}, 200), { auth: 'patients.write', detail: { hide: true } })
    .post(
      '/patients/check',
      ({ scope, body }) => {
        // Inline warning while the form is filled in: an incomplete form simply has none yet.
        let matches: DuplicateMatch[] = [];
        try {
          matches = checkRegistration({ db, now: clock.now() }, scope, registrationOf(formFields(body)));
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
        }
        return html(DuplicateWarning({ matches }) as string, 200, NO_STORE);
      },
      { auth: 'patients.write', detail: { hide: true } },
    )
    .post(
      '/patients',
      ({ scope, body, request }) => {
        const f = formFields(body);
        const values = valuesOf(f);
        const confirmed = f.confirm_duplicate === '1';
        try {
          const input = registrationOf(f);
          const idem = idempotencyOf(scope, request, submission(f), f._form_token || undefined);
          // The duplicate check runs inside the command's transaction, so a double-submit
          // replays the first answer instead of warning about the patient it just registered.
          const res = runner.runIdempotent<RegisterOutcome>({ actor: actorOf(scope), requestId: infoOf(request).id }, idem, (tx) => {
            if (!confirmed) {
              const duplicates = checkRegistration(tx, scope, input);
              if (duplicates.length) return { status: 409, body: { kind: 'duplicates', duplicates } };
            }
            const r = registerPatient(tx, scope, input);
            return { status: 201, body: { kind: 'registered', id: r.patient.id, mrn: r.patient.mrn, name: r.patient.name } };
          });
          if (res.body.kind === 'duplicates') return registerPage(scope, values, 422, null, res.body.duplicates);
          return redirectWithFlash(`/patients/${res.body.id}`, { kind: 'ok', text: `Registered ${res.body.name} — MRN ${res.body.mrn}` });
        } catch (e) {
          if (isFormError(e)) return registerPage(scope, values, e.status, formErrorOf(e));
          throw e;
        }
      },
      { auth: 'patients.write', detail: { hide: true } },
    )
    .get(
      '/patients/:id',
      ({ scope, params, request }) => {
        const patient = toView(findPatient(scope, params.id), todayOf(scope));
        const history = patientHistory(db, scope.branchId, patient.id);
        const actions = { canEdit: can(scope.role, 'patients.write'), canBook: can(scope.role, 'schedule.book'), canInvoice: can(scope.role, 'billing.collect') };
        const timeZone = zoneOf(scope);
        if (isHtmx(request)) return html(PatientDetails({ patient, history, timeZone, ...actions }) as string, 200, NO_STORE);
        const headers: Record<string, string> = { ...NO_STORE };
        const flash = takeFlash(request, headers);
        return html(PatientPage({ user: pageUser(svc, scope), clinicName: clinicName(svc), flash, patient, history, timeZone, ...actions }) as string, 200, headers);
      },
      { auth: 'patients.read', detail: { hide: true } },
    )
    .get(
      '/patients/:id/edit',
      ({ scope, params }) => {
        const patient = toView(findPatient(scope, params.id), todayOf(scope));
        return editPage(scope, patient, formValuesOfPatient(patient), 200);
      },
      { auth: 'patients.write', detail: { hide: true } },
    )
    .post(
      '/patients/:id',
      ({ scope, params, body, request }) => {
        const patient = toView(findPatient(scope, params.id), todayOf(scope));
        const f = formFields(body);
        const values = valuesOf(f);
        const expected = f.expected_version === undefined || f.expected_version === '' ? undefined : Number(f.expected_version);
        try {
          if (expected !== undefined && (!Number.isInteger(expected) || expected < 1)) throw badRequest('invalid_expected_version', 'The form is damaged; open it again');
          const input = correctionOf(formValuesOfPatient(patient), f);
          const reason = f.reason?.trim() ? f.reason.trim() : null;
          if (reason && reason.length > 500) throw unprocessable('invalid_reason', 'Reason is too long (at most 500 characters)', { field: 'reason' });
          const idem = idempotencyOf(scope, request, submission(f), f._form_token || undefined);
          const res = runner.runIdempotent({ actor: actorOf(scope), requestId: infoOf(request).id }, idem, (tx) => {
            const p = correctPatient(tx, scope, patient.id, input, reason, expected);
            return { status: 200, body: { id: p.id, name: p.name } };
          });
          return redirectWithFlash(`/patients/${res.body.id}`, { kind: 'ok', text: `Saved the correction to ${res.body.name}` });
        } catch (e) {
          if (isFormError(e)) {
            const version = e.status === 409 && expected !== undefined && Number.isInteger(expected) ? expected : patient.version;
            return editPage(scope, patient, values, e.status, formErrorOf(e), version);
          }
          throw e;
        }
      },
      { auth: 'patients.write', detail: { hide: true } },
    );
}
