// REST for OPD scheduling (pages live in ./pages.ts and ./admin-pages.ts): doctors, their
// availability, branch holidays, slots, appointments, the walk-in queue, follow-ups and the
// calendar-feed token. Handlers parse, call the commands in ./commands.ts through the group
// committing runner, and answer JSON built by ./queries.ts, times in the branch's zone.
import type { Database } from 'bun:sqlite';
import { Elysia, t } from 'elysia';
import { WholeNumber } from '../http/schema';
import { refundDepositsOnCancel } from '../billing/commands';
import { getRefund, refundJson } from '../billing/queries';
import { badRequest, forbidden, notFound, unprocessable } from '../core/errors';
import { isUuid } from '../core/ids';
import type { StoredResponse, Tx } from '../core/runner';
import { actorOf, type Scope } from '../core/scope';
import { idempotencyOf } from '../http/idempotency';
import type { authGuard } from '../http/guard';
import { can } from '../http/permissions';
import type { Services } from '../http/services';
import { getBranch } from '../org/queries';
import { isValidDate } from '../patients/rules';
import {
  bookAppointment,
  cancelAppointment,
  cancelFollowup,
  changeDoctor,
  checkIn,
  declareHoliday,
  issueCalendarToken,
  issueWalkIn,
  markNoShow,
  moveToken,
  registerDoctor,
  removeHoliday,
  rescheduleAppointment,
  revokeCalendarToken,
  scheduleFollowup,
  setAvailability,
  setDoctorActive,
  type TokenMove,
} from './commands';
import {
  appointmentJson,
  appointmentsOn,
  availabilityOf,
  doctorDay,
  doctorJson,
  followupJson,
  followupsDue,
  getAppointment,
  getDoctor,
  getFollowup,
  getToken,
  holidaysOf,
  listDoctors,
  queueFor,
  slotJson,
  tokenJson,
  type AppointmentRow,
  type DoctorRow,
  type FollowupRow,
  type TokenRow,
} from './queries';
import { toLocal } from './time';

const TAGS = ['scheduling'];

// ---- schemas

const Money = t.Object(
  {
    amount: WholeNumber({ description: 'Integer paise (₹500 = 50000)' }),
    currency: t.Optional(t.String({ maxLength: 3, description: 'ISO 4217 code; INR when left out' })),
  },
  { additionalProperties: false },
);

const Id = (description: string) => t.String({ maxLength: 64, description });
const Time = (description: string) => t.String({ maxLength: 5, description: `${description}, HH:MM in the branch's time zone` });
const DateText = (description: string) => t.String({ maxLength: 10, description: `${description}, YYYY-MM-DD` });

const DoctorFields = {
  name: t.String({ maxLength: 200, description: 'Name as shown to patients, e.g. "Dr. Meera Rao"' }),
  specialty: t.String({ maxLength: 200 }),
  registration_number: t.String({ maxLength: 100, description: 'Medical council registration number' }),
  slot_minutes: WholeNumber({ description: 'Length of one appointment slot: 5 to 240 minutes, in steps of 5' }),
  fee: Money,
  languages: t.Optional(t.Array(t.String({ maxLength: 100 }), { maxItems: 50, description: 'Languages the doctor consults in' })),
  user_id: t.Optional(t.Nullable(Id('The staff account of this doctor (a user of this branch): they see their own queue and day'))),
};

const DoctorBody = t.Object(DoctorFields, { additionalProperties: false });
const DoctorPatch = t.Object(
  {
    name: t.Optional(DoctorFields.name),
    specialty: t.Optional(DoctorFields.specialty),
    registration_number: t.Optional(DoctorFields.registration_number),
    slot_minutes: t.Optional(DoctorFields.slot_minutes),
    fee: t.Optional(Money),
    languages: DoctorFields.languages,
    user_id: DoctorFields.user_id,
  },
  { additionalProperties: false },
);

const Session = t.Object(
  {
    weekday: WholeNumber({ minimum: 1, maximum: 7, description: '1 = Monday … 7 = Sunday' }),
    start: Time('Session start'),
    end: Time('Session end'),
    walk_in_allowance: t.Optional(WholeNumber({ minimum: 0, maximum: 500, description: 'Walk-in tokens the doctor takes in this session beyond the booked slots (0 = no limit)' })),
  },
  { additionalProperties: false },
);

const ExceptionKind = t.Union([t.Literal('leave'), t.Literal('cancelled'), t.Literal('extra'), t.Literal('block')], {
  description: 'leave: the whole day off; cancelled: the sessions overlapping start–end (or the whole day without them); extra: an extra session start–end; block: slots in start–end held back',
});

const AvailabilityException = t.Object(
  {
    date: DateText('The day'),
    kind: ExceptionKind,
    start: t.Optional(Time('Range start')),
    end: t.Optional(Time('Range end')),
    note: t.Optional(t.Nullable(t.String({ maxLength: 500 }))),
  },
  { additionalProperties: false },
);

const AvailabilityBody = t.Object(
  {
    sessions: t.Array(Session, { maxItems: 100, description: 'The weekly sessions; sessions of one weekday must not overlap' }),
    exceptions: t.Optional(t.Array(AvailabilityException, { maxItems: 1000, description: 'Dated exceptions; left out = none' })),
  },
  { additionalProperties: false },
);

const Mode = t.Union([t.Literal('in_person'), t.Literal('tele')]);
const Source = t.Union([t.Literal('desk'), t.Literal('phone'), t.Literal('portal'), t.Literal('api')], {
  description: "Where the booking came from; 'api' for bearer-token callers and 'desk' for the browser when left out",
});
const Priority = t.Union([t.Literal('normal'), t.Literal('elderly'), t.Literal('emergency')], {
  description: 'Emergency tokens are served first, then elderly, then the rest, each in arrival order',
});
const AppointmentStatus = t.Union([t.Literal('booked'), t.Literal('checked_in'), t.Literal('completed'), t.Literal('cancelled'), t.Literal('no_show')]);
const Instant = t.String({ maxLength: 40, description: 'ISO-8601 time with an offset, e.g. 2026-12-01T10:30:00+05:30; must be the start of a free slot' });

const BookBody = t.Object(
  {
    patient_id: Id('A patient of this branch'),
    doctor_id: Id('A doctor of this branch'),
    start: Instant,
    mode: Mode,
    note: t.Optional(t.Nullable(t.String({ maxLength: 500 }))),
    source: t.Optional(Source),
    followup_id: t.Optional(t.Nullable(Id('The follow-up this visit answers; when left out, the patient’s due follow-up with this doctor (if any) is marked booked'))),
  },
  { additionalProperties: false },
);

const CancelBody = t.Object(
  {
    reason: t.String({ maxLength: 500, description: 'Why the appointment is cancelled' }),
    override_policy: t.Optional(t.Boolean({ description: 'Refund deposits even after the policy deadline (owner, admin, billing)' })),
  },
  { additionalProperties: false },
);

const ReasonBody = t.Object({ reason: t.String({ maxLength: 500, description: 'Why (kept in the history)' }) }, { additionalProperties: false });
const OptionalReasonBody = t.Optional(t.Object({ reason: t.Optional(t.Nullable(t.String({ maxLength: 500 }))) }, { additionalProperties: false }));
const EmptyBody = t.Optional(t.Object({}, { additionalProperties: false }));

const yes = (s: string) => s === 'true';

// ---- helpers

function answer(res: StoredResponse<unknown>, location?: string): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (location) headers.location = location;
  if (res.replayed) headers['idempotent-replayed'] = 'true';
  return new Response(JSON.stringify(res.body), { status: res.status, headers });
}

const PageQuery = {
  limit: t.Optional(t.String({ maxLength: 4, description: 'At most this many items (1 to 500); all when left out' })),
  cursor: t.Optional(t.String({ maxLength: 100, description: 'next_cursor of the previous page' })),
};

/**
 * One page of a list that is small by nature (a day's appointments, a branch's doctors): all
 * of it unless `limit` is given; the cursor is the position after the last item returned.
 */
function page<T>(all: T[], q: { limit?: string; cursor?: string }): { items: T[]; next_cursor: string | null } {
  let offset = 0;
  if (q.cursor !== undefined) {
    const m = /^o(\d{1,7})$/.exec(q.cursor);
    if (!m) throw badRequest('invalid_cursor', 'cursor is not one this server gave out');
    offset = Number(m[1]);
  }
  if (q.limit === undefined) return { items: all.slice(offset), next_cursor: null };
  const limit = Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw badRequest('invalid_limit', 'limit must be an integer from 1 to 500');
  const items = all.slice(offset, offset + limit);
  return { items, next_cursor: offset + limit < all.length ? `o${offset + limit}` : null };
}

function dateParam(value: string | undefined, field: string, fallback: () => string): string {
  if (value === undefined || value === '') return fallback();
  if (!isValidDate(value)) throw badRequest('invalid_date', `${field} must be a real date, YYYY-MM-DD`, { field });
  return value;
}

function findDoctor(db: Database, scope: Scope, id: string): DoctorRow {
  // Another branch's doctor, or a malformed id, is simply not found: existence must not leak.
  const row = isUuid(id) ? getDoctor(db, scope.branchId, id) : null;
  if (!row) throw notFound('Doctor');
  return row;
}

function findAppointment(db: Database, scope: Scope, id: string): AppointmentRow {
  const row = isUuid(id) ? getAppointment(db, scope.branchId, id) : null;
  if (!row) throw notFound('Appointment');
  return row;
}

function findToken(db: Database, scope: Scope, id: string): TokenRow {
  const row = isUuid(id) ? getToken(db, scope.branchId, id) : null;
  if (!row) throw notFound('Token');
  return row;
}

function findFollowup(db: Database, scope: Scope, id: string): FollowupRow {
  const row = isUuid(id) ? getFollowup(db, scope.branchId, id) : null;
  if (!row) throw notFound('Follow-up');
  return row;
}

/** A token with its place among the waiting (1 = called next; null once it is not waiting). */
function tokenView(db: Database, scope: Scope, token: TokenRow) {
  const waiting = queueFor(db, scope.branchId, token.doctorId, token.date).filter((r) => r.state === 'waiting');
  const i = waiting.findIndex((r) => r.id === token.id);
  return tokenJson(token, i < 0 ? null : i + 1);
}

function followupView(f: FollowupRow, today: string) {
  return { ...followupJson(f), overdue: f.status === 'due' && f.dueDate < today };
}

export function schedulingRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { runner, db } = svc.kernel;
  const tzOf = (scope: Scope) => getBranch(db, scope.branchId)?.timezone ?? 'Asia/Kolkata';
  const todayOf = (scope: Scope) => toLocal(svc.kernel.clock.now(), tzOf(scope)).date;
  const appointmentView = (tx: Pick<Tx, 'db'>, scope: Scope, id: string) => appointmentJson(getAppointment(tx.db, scope.branchId, id)!, tzOf(scope));
  const ctx = (scope: Scope) => ({ actor: actorOf(scope) });

  /** POST /api/v1/appointments/:id/<action>: the appointment after the change. */
  const appointmentAction = (scope: Scope, request: Request, body: unknown, id: string, act: (tx: Tx) => void) => {
    findAppointment(db, scope, id);
    return runner
      .submitIdempotent(ctx(scope), idempotencyOf(scope, request, body), (tx) => {
        act(tx);
        return { status: 200, body: appointmentView(tx, scope, id) };
      })
      .then((res) => answer(res));
  };

  const queueMove = (move: TokenMove, summary: string, description: string) =>
    [
      `/api/v1/queue/:token_id/${move}`,
      ({ scope, params, request, body }: { scope: Scope; params: { token_id: string }; request: Request; body: unknown }) => {
        findToken(db, scope, params.token_id);
        return runner
          .submitIdempotent(ctx(scope), idempotencyOf(scope, request, body), (tx) => {
            moveToken(tx, scope, params.token_id, move);
            return { status: 200, body: tokenView(tx.db, scope, getToken(tx.db, scope.branchId, params.token_id)!) };
          })
          .then((res) => answer(res));
      },
      { auth: 'queue.move' as const, body: EmptyBody, detail: { tags: TAGS, summary, description: `${description} Answers the token. Illegal moves are 409 invalid_transition.` } },
    ] as const;

  const app = new Elysia({ name: 'schedulingRoutes', seed: svc.kernel.origin }).use(guard);

  // ---- doctors
  app
    .post(
      '/api/v1/doctors',
      async ({ scope, body, request }) => {
        const res = await runner.submitIdempotent(ctx(scope), idempotencyOf(scope, request, body), (tx) => {
          const id = registerDoctor(tx, scope, { ...body, fee: { amount: body.fee.amount, currency: body.fee.currency ?? 'INR' } });
          return { status: 201, body: doctorJson(getDoctor(tx.db, scope.branchId, id)!) };
        });
        return answer(res, `/api/v1/doctors/${(res.body as { id: string }).id}`);
      },
      {
        auth: 'doctors.manage',
        body: DoctorBody,
        detail: {
          tags: TAGS,
          summary: 'Register a doctor',
          description:
            'Answers 201 with the doctor. `fee` is money in paise; `slot_minutes` 5–240 in steps of 5. `user_id`, if given, must be a staff account of this branch (422 unknown_user). Set the weekly sessions next with PUT /api/v1/doctors/{id}/availability.',
        },
      },
    )
    .get(
      '/api/v1/doctors',
      ({ scope, query }) => page(listDoctors(db, scope.branchId, yes(query.include_inactive ?? 'false')).map(doctorJson), query),
      {
        auth: 'schedule.read',
        query: t.Object({ include_inactive: t.Optional(t.Union([t.Literal('true'), t.Literal('false')], { description: 'Also list doctors who were deactivated' })), ...PageQuery }),
        detail: { tags: TAGS, summary: 'The branch’s doctors', description: 'Active doctors by name; `include_inactive=true` adds the deactivated ones.' },
      },
    )
    .get('/api/v1/doctors/:id', ({ scope, params }) => doctorJson(findDoctor(db, scope, params.id)), {
      auth: 'schedule.read',
      detail: { tags: TAGS, summary: 'One doctor', description: '404 for an unknown id or a doctor of another branch.' },
    })
    .patch(
      '/api/v1/doctors/:id',
      ({ scope, params, body }) => {
        findDoctor(db, scope, params.id);
        const { fee, ...rest } = body;
        return runner.submit(ctx(scope), (tx) => {
          changeDoctor(tx, scope, params.id, { ...rest, ...(fee ? { fee: { amount: fee.amount, currency: fee.currency ?? 'INR' } } : {}) });
          return doctorJson(getDoctor(tx.db, scope.branchId, params.id)!);
        });
      },
      {
        auth: 'doctors.manage',
        body: DoctorPatch,
        detail: { tags: TAGS, summary: 'Change a doctor’s profile', description: 'Only the fields given change; `user_id: null` unlinks the staff account. Answers the doctor.' },
      },
    );

  for (const [action, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    app.post(
      `/api/v1/doctors/:id/${action}`,
      async ({ scope, params, request, body }) => {
        findDoctor(db, scope, params.id);
        const res = await runner.submitIdempotent(ctx(scope), idempotencyOf(scope, request, body), (tx) => {
          setDoctorActive(tx, scope, params.id, active);
          return { status: 200, body: doctorJson(getDoctor(tx.db, scope.branchId, params.id)!) };
        });
        return answer(res);
      },
      {
        auth: 'doctors.manage',
        body: EmptyBody,
        detail: {
          tags: TAGS,
          summary: active ? 'Reactivate a doctor' : 'Deactivate a doctor',
          description: active
            ? 'The doctor takes appointments again. 409 already_active if they are active.'
            : 'The doctor takes no new appointments or walk-ins; existing appointments stay. 409 already_inactive if they are inactive.',
        },
      },
    );
  }

  // ---- availability and holidays
  app
    .put(
      '/api/v1/doctors/:id/availability',
      ({ scope, params, body }) => {
        findDoctor(db, scope, params.id);
        return runner.submit(ctx(scope), (tx) => {
          setAvailability(tx, scope, params.id, body.sessions, body.exceptions ?? []);
          return { doctor_id: params.id, ...availabilityOf(tx.db, params.id) };
        });
      },
      {
        auth: 'doctors.manage',
        body: AvailabilityBody,
        detail: {
          tags: TAGS,
          summary: 'Set a doctor’s weekly sessions and exceptions',
          description:
            'Replaces both lists. Times are HH:MM in the branch’s time zone; weekday 1 = Monday … 7 = Sunday. 422 when an end is not after its start, sessions of a weekday overlap, or an extra session overlaps a regular one. Answers the stored availability. Appointments already booked are kept.',
        },
      },
    )
    .get('/api/v1/doctors/:id/availability', ({ scope, params }) => ({ doctor_id: params.id, ...availabilityOf(db, findDoctor(db, scope, params.id).id) }), {
      auth: 'schedule.read',
      detail: { tags: TAGS, summary: 'A doctor’s weekly sessions and exceptions', description: 'As stored by PUT: `{"doctor_id","sessions":[…],"exceptions":[…]}`.' },
    })
    .get(
      '/api/v1/holidays',
      ({ scope, query }) => page(holidaysOf(db, scope.branchId, dateParam(query.from, 'from', () => todayOf(scope))), query),
      {
        auth: 'schedule.read',
        query: t.Object({ from: t.Optional(t.String({ maxLength: 10, description: 'First date, YYYY-MM-DD; today when left out' })), ...PageQuery }),
        detail: { tags: TAGS, summary: 'The branch’s holidays', description: 'Holidays on or after `from`, by date: `{"items":[{"date","name"}]}`. No doctor works on a holiday.' },
      },
    )
    .put(
      '/api/v1/holidays/:date',
      ({ scope, params, body }) =>
        runner.submit(ctx(scope), (tx) => {
          declareHoliday(tx, scope, params.date, body.name);
          return holidaysOf(tx.db, scope.branchId, params.date)[0];
        }),
      {
        auth: 'doctors.manage',
        body: t.Object({ name: t.String({ maxLength: 200, description: 'e.g. "Christmas"' }) }, { additionalProperties: false }),
        detail: {
          tags: TAGS,
          summary: 'Declare a branch holiday',
          description: 'Declares (or renames) the holiday on that date, YYYY-MM-DD. Answers `{"date","name"}`. Appointments already booked that day are kept: cancel or reschedule them.',
        },
      },
    )
    .delete(
      '/api/v1/holidays/:date',
      async ({ scope, params }) => {
        if (!isValidDate(params.date)) throw notFound('Holiday');
        await runner.submit(ctx(scope), (tx) => removeHoliday(tx, scope, params.date));
        return new Response(null, { status: 204 });
      },
      { auth: 'doctors.manage', detail: { tags: TAGS, summary: 'Remove a branch holiday', description: '204; 404 when there is no holiday on that date.' } },
    );

  // ---- slots
  app.get(
    '/api/v1/slots',
    ({ scope, query }) => {
      const date = dateParam(query.date, 'date', () => {
        throw badRequest('invalid_date', 'date is required, YYYY-MM-DD', { field: 'date' });
      });
      const doctor = findDoctor(db, scope, query.doctor_id);
      const tz = tzOf(scope);
      const day = doctorDay(db, doctor, date, tz, svc.kernel.clock.now());
      const items = day.slots.map((s) => slotJson(s, tz));
      return {
        items: doctor.active ? items : items.map((s) => ({ ...s, available: false, reason: 'inactive' })),
        next_cursor: null,
        date,
        doctor_id: doctor.id,
        holiday: day.holiday,
      };
    },
    {
      auth: 'schedule.read',
      query: t.Object({ doctor_id: t.String({ maxLength: 64 }), date: t.String({ maxLength: 10, description: 'YYYY-MM-DD in the branch’s time zone' }) }),
      detail: {
        tags: TAGS,
        summary: 'A doctor’s slots on a day',
        description:
          '`{"items":[{"start","end","available","reason"?}]}` in time order, times with the branch’s offset. `reason` says why a slot is not available: booked, blocked, past (or inactive for a deactivated doctor). No slots on leave days or holidays (`holiday` names it). 400 for a missing or malformed date, 404 for an unknown doctor.',
      },
    },
  );

  // ---- appointments
  app
    .post(
      '/api/v1/appointments',
      async ({ scope, body, request }) => {
        const res = await runner.submitIdempotent(ctx(scope), idempotencyOf(scope, request, body), (tx) => {
          const id = bookAppointment(tx, scope, { ...body, source: body.source ?? (scope.via === 'bearer' ? 'api' : 'desk') });
          return { status: 201, body: appointmentView(tx, scope, id) };
        });
        return answer(res, `/api/v1/appointments/${(res.body as { id: string }).id}`);
      },
      {
        auth: 'schedule.book',
        body: BookBody,
        detail: {
          tags: TAGS,
          summary: 'Book an appointment',
          description:
            'Answers 201 with the appointment (`status: "booked"`). `start` must be the start of one of the doctor’s slots, in the future. 409 slot_taken when the slot is gone; 404 for an unknown doctor; 422 for an unknown patient (unknown_patient), a time outside the sessions (outside_sessions), not on a slot boundary (not_slot_boundary), in the past (slot_in_past), on a holiday (holiday), or a blocked slot (slot_blocked); 409 doctor_inactive.',
        },
      },
    )
    .get(
      '/api/v1/appointments',
      ({ scope, query }) => {
        const date = dateParam(query.date, 'date', () => todayOf(scope));
        const doctorId = query.doctor_id ? findDoctor(db, scope, query.doctor_id).id : undefined;
        const tz = tzOf(scope);
        return page(appointmentsOn(db, scope.branchId, { date, doctorId, status: query.status }).map((a) => appointmentJson(a, tz)), query);
      },
      {
        auth: 'schedule.read',
        query: t.Object({
          date: t.Optional(t.String({ maxLength: 10, description: 'YYYY-MM-DD in the branch’s time zone; today when left out' })),
          doctor_id: t.Optional(t.String({ maxLength: 64 })),
          status: t.Optional(AppointmentStatus),
          ...PageQuery,
        }),
        detail: { tags: TAGS, summary: 'A day’s appointments', description: 'In start order, optionally for one doctor and one status; the whole day unless `limit` is given. 400 for a malformed date, 404 for an unknown doctor.' },
      },
    )
    .get('/api/v1/appointments/:id', ({ scope, params }) => appointmentJson(findAppointment(db, scope, params.id), tzOf(scope)), {
      auth: 'schedule.read',
      detail: { tags: TAGS, summary: 'One appointment', description: 'Status is booked, checked_in, completed (the consultation was completed in the queue), cancelled or no_show.' },
    })
    .post(
      '/api/v1/appointments/:id/cancel',
      ({ scope, params, body, request }) => {
        findAppointment(db, scope, params.id);
        return runner
          .submitIdempotent(ctx(scope), idempotencyOf(scope, request, body), (tx) => {
            cancelAppointment(tx, scope, params.id, body.reason);
            // The cancellation policy, in the same transaction: deposits come back when the
            // cancellation is early enough; later only with a manager's override (a refused
            // override rolls the cancellation back too).
            const refunds = refundDepositsOnCancel(tx, scope, params.id, body.override_policy ?? false);
            return {
              status: 200,
              body: { ...appointmentView(tx, scope, params.id), deposit_refunds: refunds.map((id) => refundJson(getRefund(tx.db, scope.branchId, id)!)) },
            };
          })
          .then((res) => answer(res));
      },
      {
        auth: 'schedule.book',
        body: CancelBody,
        detail: {
          tags: TAGS,
          summary: 'Cancel an appointment',
          description:
            'Frees the slot. Only a booked appointment can be cancelled: otherwise 409 invalid_transition. Deposits taken at booking are refunded to their original method when the cancellation is at least the branch policy\'s hours before the start (`deposit_refunds` lists them); later, only with `override_policy: true` by a role allowed to refund (else 403 and nothing changes). Answers the appointment.',
        },
      },
    )
    .post(
      '/api/v1/appointments/:id/reschedule',
      ({ scope, params, body, request }) => appointmentAction(scope, request, body, params.id, (tx) => rescheduleAppointment(tx, scope, params.id, body.start)),
      {
        auth: 'schedule.book',
        body: t.Object({ start: Instant }, { additionalProperties: false }),
        detail: {
          tags: TAGS,
          summary: 'Move an appointment to another slot',
          description: 'Same doctor, a free future slot; the old slot is freed. Same rules and errors as booking; 409 invalid_transition unless booked, 409 same_slot. Answers the appointment.',
        },
      },
    )
    .post(
      '/api/v1/appointments/:id/check-in',
      async ({ scope, params, body, request }) => {
        findAppointment(db, scope, params.id);
        const res = await runner.submitIdempotent(ctx(scope), idempotencyOf(scope, request, body), (tx) => {
          const token = checkIn(tx, scope, params.id, body?.priority ?? 'normal');
          return { status: 200, body: { ...appointmentView(tx, scope, params.id), token: tokenView(tx.db, scope, getToken(tx.db, scope.branchId, token.tokenId)!) } };
        });
        return answer(res);
      },
      {
        auth: 'schedule.book',
        body: t.Optional(t.Object({ priority: t.Optional(Priority) }, { additionalProperties: false })),
        detail: {
          tags: TAGS,
          summary: 'Check a patient in',
          description:
            'On the appointment’s day only (409 not_today otherwise): the appointment becomes checked_in and the patient gets a token in the doctor’s queue. Answers the appointment with `token: {id, number, state, position, …}`. 409 invalid_transition unless booked.',
        },
      },
    )
    .post(
      '/api/v1/appointments/:id/no-show',
      ({ scope, params, body, request }) => appointmentAction(scope, request, body, params.id, (tx) => markNoShow(tx, scope, params.id)),
      {
        auth: 'schedule.book',
        body: EmptyBody,
        detail: { tags: TAGS, summary: 'Mark an appointment as a no-show', description: 'Once its start has passed (409 not_yet before); 409 invalid_transition unless booked. Answers the appointment.' },
      },
    );

  // ---- walk-ins and the queue
  app
    .post(
      '/api/v1/walk-ins',
      async ({ scope, body, request }) => {
        const res = await runner.submitIdempotent(ctx(scope), idempotencyOf(scope, request, body), (tx) => {
          const token = issueWalkIn(tx, scope, body);
          return { status: 201, body: tokenView(tx.db, scope, getToken(tx.db, scope.branchId, token.tokenId)!) };
        });
        return answer(res);
      },
      {
        auth: 'schedule.book',
        body: t.Object({ patient_id: Id('A patient of this branch'), doctor_id: Id('A doctor of this branch'), priority: t.Optional(Priority) }, { additionalProperties: false }),
        detail: {
          tags: TAGS,
          summary: 'Give a walk-in patient a token',
          description:
            'Answers 201 with the token in today’s queue of the doctor: `{id, number, state: "waiting", position, …}`. 409 doctor_unavailable when the doctor has no session today, walk_ins_full past the sessions’ walk-in allowance, already_in_queue when the patient holds a live token.',
        },
      },
    )
    .get(
      '/api/v1/queue',
      ({ scope, query }) => {
        const doctor = findDoctor(db, scope, query.doctor_id);
        const date = dateParam(query.date, 'date', () => todayOf(scope));
        let position = 0;
        const items = queueFor(db, scope.branchId, doctor.id, date).map((r) => tokenJson(r, r.state === 'waiting' ? ++position : null));
        return { items, next_cursor: null };
      },
      {
        auth: 'schedule.read',
        query: t.Object({ doctor_id: t.String({ maxLength: 64 }), date: t.Optional(t.String({ maxLength: 10, description: 'YYYY-MM-DD; today when left out' })) }),
        detail: {
          tags: TAGS,
          summary: 'A doctor’s queue for a day',
          description:
            'Tokens in service order: in consultation, called, waiting (emergency, elderly, then the rest, each by number; `position` 1 is called next), skipped, done. State is waiting, called, in_consultation, done or skipped.',
        },
      },
    )
    .post(...queueMove('call', 'Call a token', 'waiting → called; one token is called at a time (409 another_called).'))
    .post(...queueMove('start', 'Start the consultation', 'called (or waiting) → in_consultation; one at a time (409 doctor_busy).'))
    .post(...queueMove('complete', 'Complete the consultation', 'in_consultation → done; a checked-in appointment becomes completed.'))
    .post(...queueMove('skip', 'Skip a token', 'waiting or called → skipped (the patient did not answer the call).'))
    .post(...queueMove('recall', 'Recall a skipped token', 'skipped → waiting, in its original place by number and priority.'));

  // ---- follow-ups
  app
    .post(
      '/api/v1/followups',
      async ({ scope, body, request }) => {
        if (body.in_days !== undefined && body.due_date !== undefined) throw unprocessable('invalid_due', 'Give in_days or due_date, not both', { field: 'in_days' });
        const res = await runner.submitIdempotent(ctx(scope), idempotencyOf(scope, request, body), (tx) => {
          const id = scheduleFollowup(tx, scope, body);
          return { status: 201, body: followupView(getFollowup(tx.db, scope.branchId, id)!, toLocal(tx.now, tzOf(scope)).date) };
        });
        return answer(res, `/api/v1/followups/${(res.body as { id: string }).id}`);
      },
      {
        auth: 'schedule.book',
        body: t.Object(
          {
            patient_id: Id('A patient of this branch'),
            doctor_id: Id('A doctor of this branch'),
            in_days: t.Optional(WholeNumber({ description: 'Review in this many days (1 to 730)' })),
            due_date: t.Optional(DateText('Or the due date')),
            note: t.Optional(t.Nullable(t.String({ maxLength: 500 }))),
          },
          { additionalProperties: false },
        ),
        detail: {
          tags: TAGS,
          summary: 'Set a follow-up ("review in N days")',
          description: 'Answers 201 with the follow-up (status due). The next appointment booked for this patient with this doctor marks it booked.',
        },
      },
    )
    .get(
      '/api/v1/followups',
      ({ scope, query }) => {
        const today = todayOf(scope);
        const until = dateParam(query.until, 'until', () => today);
        const doctorId = query.doctor_id ? findDoctor(db, scope, query.doctor_id).id : undefined;
        return page(followupsDue(db, scope.branchId, until, doctorId).map((f) => followupView(f, today)), query);
      },
      {
        auth: 'schedule.read',
        query: t.Object({
          until: t.Optional(t.String({ maxLength: 10, description: 'Due on or before this date, YYYY-MM-DD; today when left out' })),
          doctor_id: t.Optional(t.String({ maxLength: 64 })),
          ...PageQuery,
        }),
        detail: { tags: TAGS, summary: 'The recall list', description: 'Follow-ups not yet booked, due on or before `until`, oldest first; `overdue` when the due date has passed.' },
      },
    )
    .get('/api/v1/followups/:id', ({ scope, params }) => followupView(findFollowup(db, scope, params.id), todayOf(scope)), {
      auth: 'schedule.read',
      detail: { tags: TAGS, summary: 'One follow-up', description: 'Status due, booked (with `appointment_id`) or cancelled.' },
    })
    .post(
      '/api/v1/followups/:id/cancel',
      async ({ scope, params, body, request }) => {
        findFollowup(db, scope, params.id);
        const res = await runner.submitIdempotent(ctx(scope), idempotencyOf(scope, request, body), (tx) => {
          cancelFollowup(tx, scope, params.id, body?.reason ?? null);
          return { status: 200, body: followupView(getFollowup(tx.db, scope.branchId, params.id)!, toLocal(tx.now, tzOf(scope)).date) };
        });
        return answer(res);
      },
      {
        auth: 'schedule.book',
        body: OptionalReasonBody,
        detail: { tags: TAGS, summary: 'Cancel a follow-up', description: 'Only a due follow-up (409 invalid_transition otherwise). Answers the follow-up.' },
      },
    );

  // ---- calendar feed token
  const mayManageFeed = (scope: Scope, doctor: DoctorRow) => {
    if (!can(scope.role, 'doctors.manage') && doctor.userId !== scope.userId) throw forbidden('Only an administrator or the doctor may manage this calendar feed');
  };
  app
    .post(
      '/api/v1/doctors/:id/calendar-token',
      async ({ scope, params, request, body }) => {
        mayManageFeed(scope, findDoctor(db, scope, params.id));
        const res = await runner.submitIdempotent(ctx(scope), idempotencyOf(scope, request, body), (tx) => {
          const token = issueCalendarToken(tx, scope, params.id);
          return { status: 201, body: { url: `/calendar/${params.id}.ics?token=${encodeURIComponent(token)}`, token } };
        });
        return answer(res);
      },
      {
        auth: 'schedule.read',
        body: EmptyBody,
        detail: {
          tags: TAGS,
          summary: 'Issue a calendar feed URL',
          description:
            'A secret iCalendar subscription URL for the doctor’s appointments: `{"url":"/calendar/{doctor_id}.ics?token=…","token"}` (shown once). Any earlier token stops working. For administrators and the doctor’s own account.',
        },
      },
    )
    .delete(
      '/api/v1/doctors/:id/calendar-token',
      async ({ scope, params }) => {
        mayManageFeed(scope, findDoctor(db, scope, params.id));
        await runner.submit(ctx(scope), (tx) => revokeCalendarToken(tx, scope, params.id));
        return new Response(null, { status: 204 });
      },
      {
        auth: 'schedule.read',
        detail: { tags: TAGS, summary: 'Revoke the calendar feed', description: '204; the feed URL stops working. 409 no_calendar_token when there is none. For administrators and the doctor’s own account.' },
      },
    );

  return app;
}
