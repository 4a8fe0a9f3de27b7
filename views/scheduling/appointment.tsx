// One appointment: who, with whom, when (the branch's time), its status and its history;
// the actions that fit its status as small forms (check in with a priority, cancel with a
// reason, reschedule to another free slot, no-show). Each form carries a one-time token.
import { CsrfField, ErrorSummary } from '../components';
import { Layout, type Flash, type PageUser } from '../layout';
import { formatDay, formatShortDay, MODE, PRIORITY, SOURCE, StatusBadge, TokenBadge } from './common';

export type AppointmentAction = 'check_in' | 'cancel' | 'reschedule' | 'no_show';

export interface ActionError {
  action: AppointmentAction;
  message: string;
  field: string | null;
}

export interface HistoryLine {
  at: string; // ISO UTC
  when: string; // as shown in the branch's zone
  what: string;
  who: string;
  detail: string | null;
}

export interface AppointmentModel {
  id: string;
  status: string;
  mode: string;
  source: string;
  note: string | null;
  cancelReason: string | null;
  patient: { id: string; name: string; mrn: string; phone: string; ageSex: string };
  doctor: { id: string; name: string; specialty: string };
  date: string;
  time: string;
  endTime: string;
  today: string;
  isToday: boolean;
  started: boolean;
  token: { number: number; state: string; date: string } | null;
  history: HistoryLine[];
  canBook: boolean;
  csrf: string;
  formTokens: Record<AppointmentAction, string>;
  reschedule: {
    date: string;
    today: string;
    prev: string;
    next: string;
    dayNote: string | null;
    slots: { local: string; start: string; available: boolean; current: boolean }[];
    open: boolean;
  } | null;
  error: ActionError | null;
  values: { reason: string; priority: string };
}

function ActionErrorNote({ e, action }: { e: ActionError | null; action: AppointmentAction }) {
  return e && e.action === action && e.field !== 'reason' ? (
    <p class="flash flash-error" role="alert" id={`err-${action}`} safe>
      {e.message}
    </p>
  ) : null;
}

function Facts(m: AppointmentModel) {
  return (
    <dl class="facts">
      <dt>Patient</dt>
      <dd>
        <a href={`/patients/${m.patient.id}`} safe>
          {m.patient.name}
        </a>{' '}
        <span class="muted">
          <span class="mono" safe>
            {m.patient.mrn}
          </span>{' '}
          · <span safe>{m.patient.ageSex}</span>
        </span>
      </dd>
      <dt>Doctor</dt>
      <dd>
        <span safe>{m.doctor.name}</span> <span class="muted" safe>{m.doctor.specialty}</span>
      </dd>
      <dt>When</dt>
      <dd>
        <strong safe>{`${formatDay(m.date)}, ${m.time}–${m.endTime}`}</strong>
      </dd>
      <dt>Mode</dt>
      <dd safe>{MODE[m.mode] ?? m.mode}</dd>
      <dt>Status</dt>
      <dd>
        <StatusBadge status={m.status} />
        {m.cancelReason ? <span class="muted" safe>{` — ${m.cancelReason}`}</span> : null}
      </dd>
      {m.token ? (
        <>
          <dt>Queue token</dt>
          <dd>
            <strong class="token-no" safe>
              {String(m.token.number)}
            </strong>{' '}
            <TokenBadge state={m.token.state} />{' '}
            <a href={`/queue/${m.doctor.id}?date=${m.token.date}`}>Open the queue</a>
          </dd>
        </>
      ) : null}
      <dt>Booked via</dt>
      <dd safe>{SOURCE[m.source] ?? m.source}</dd>
      <dt>Note</dt>
      {m.note ? (
        <dd class="pre" safe>
          {m.note}
        </dd>
      ) : (
        <dd class="muted">—</dd>
      )}
    </dl>
  );
}

function Actions(m: AppointmentModel) {
  if (!m.canBook || m.status !== 'booked') return null;
  const e = m.error;
  const reasonErr = e && e.action === 'cancel' && e.field === 'reason' ? e.message : null;
  const r = m.reschedule;
  const checkInNote: string = m.date > m.today ? `Check-in opens on ${formatDay(m.date)}.` : 'This appointment was on an earlier day.';
  return (
    <section class="card" aria-labelledby="actions-h">
      <h2 id="actions-h">Actions</h2>
      <div class="appt-actions">
        {m.isToday ? (
          <form method="post" action={`/appointments/${m.id}/check-in`} class="inline-form">
            <CsrfField token={m.csrf} />
            <input type="hidden" name="_form_token" value={m.formTokens.check_in} />
            <ActionErrorNote e={e} action="check_in" />
            <div class="field">
              <label for="f-priority">Priority</label>
              <select id="f-priority" name="priority">
                {Object.entries(PRIORITY).map(([v, label]) => (
                  <option value={v} selected={m.values.priority === v} safe>
                    {label}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" class="primary">
              Check in
            </button>
          </form>
        ) : (
          <p class="muted" safe>
            {checkInNote}
          </p>
        )}
        {m.started ? (
          <form method="post" action={`/appointments/${m.id}/no-show`} class="inline-form">
            <CsrfField token={m.csrf} />
            <input type="hidden" name="_form_token" value={m.formTokens.no_show} />
            <ActionErrorNote e={e} action="no_show" />
            <button type="submit" class="warn">
              Mark as no-show
            </button>
          </form>
        ) : null}
      </div>
      {r ? (
        <details class="action-box" open={r.open}>
          <summary>Reschedule</summary>
          <ActionErrorNote e={e} action="reschedule" />
          <nav class="date-nav" aria-label="Days to reschedule to">
            {r.prev >= r.today ? (
              <a class="button" href={`/appointments/${m.id}?reschedule_date=${r.prev}`} rel="prev">
                <span aria-hidden="true">←</span> <span safe>{formatShortDay(r.prev)}</span>
              </a>
            ) : null}
            <a class="button" href={`/appointments/${m.id}?reschedule_date=${r.next}`} rel="next">
              <span safe>{formatShortDay(r.next)}</span> <span aria-hidden="true">→</span>
            </a>
            <form method="get" action={`/appointments/${m.id}`} class="date-pick">
              <label for="f-reschedule-date" class="sr-only">
                Date
              </label>
              <input id="f-reschedule-date" type="date" name="reschedule_date" value={r.date} min={r.today} required />
              <button type="submit">Show times</button>
            </form>
          </nav>
          <h3 class="slots-day" safe>
            {formatDay(r.date)}
          </h3>
          {r.dayNote ? (
            <p class="empty" safe>
              {r.dayNote}
            </p>
          ) : !r.slots.some((s) => s.available) ? (
            <p class="empty">No free slot on this day.</p>
          ) : (
            <form method="post" action={`/appointments/${m.id}/reschedule`}>
              <CsrfField token={m.csrf} />
              <input type="hidden" name="_form_token" value={m.formTokens.reschedule} />
              <p class="hint">Click the new time.</p>
              <div class="slot-buttons" role="group" aria-label="New time">
                {r.slots.map((s) =>
                  s.available ? (
                    <button type="submit" name="start" value={s.start} class="slot-button">
                      <span safe>{s.local}</span>
                      <span class="sr-only" safe>{` ${formatShortDay(r.date)}, move here`}</span>
                    </button>
                  ) : (
                    <span class={s.current ? 'slot-button taken current' : 'slot-button taken'}>
                      <span safe>{s.local}</span>
                      <span class="sr-only">{s.current ? ' the current time' : ' taken'}</span>
                    </span>
                  ),
                )}
              </div>
            </form>
          )}
        </details>
      ) : null}
      <details class="action-box" open={!!e && e.action === 'cancel'}>
        <summary>Cancel the appointment</summary>
        <form method="post" action={`/appointments/${m.id}/cancel`}>
          <CsrfField token={m.csrf} />
          <input type="hidden" name="_form_token" value={m.formTokens.cancel} />
          <ActionErrorNote e={e} action="cancel" />
          <div class={reasonErr ? 'field has-error' : 'field'}>
            <label for="f-reason">Reason *</label>
            <input
              id="f-reason"
              name="reason"
              type="text"
              required
              maxlength={500}
              value={m.values.reason}
              autocomplete="off"
              autofocus={!!reasonErr}
              aria-invalid={reasonErr ? 'true' : undefined}
              aria-describedby={reasonErr ? 'f-reason-error' : undefined}
            />
            {reasonErr ? (
              <small id="f-reason-error" class="error" safe>
                {reasonErr}
              </small>
            ) : null}
          </div>
          <button type="submit" class="danger">
            Cancel appointment
          </button>
        </form>
      </details>
    </section>
  );
}

function History({ lines }: { lines: HistoryLine[] }) {
  return (
    <section class="card" aria-labelledby="history-h">
      <h2 id="history-h">History</h2>
      <ol class="history">
        {lines.map((l) => (
          <li>
            <p>
              <strong safe>{l.what}</strong> by <span safe>{l.who}</span> ·{' '}
              <time datetime={l.at} safe>
                {l.when}
              </time>
            </p>
            {l.detail ? (
              <p class="reason" safe>
                {l.detail}
              </p>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Whether the refused action's form is on the page (its message goes there), else the top. */
function errorHasItsForm(m: AppointmentModel): boolean {
  const e = m.error;
  if (!e || !m.canBook || m.status !== 'booked') return false;
  if (e.action === 'check_in') return m.isToday;
  if (e.action === 'no_show') return m.started;
  if (e.action === 'reschedule') return !!m.reschedule;
  return true;
}

export function AppointmentPage(p: { user: PageUser; clinicName: string | null; flash: Flash | null; model: AppointmentModel }) {
  const m = p.model;
  const topError = m.error && !errorHasItsForm(m) ? m.error.message : null;
  return (
    <Layout title={`Appointment · ${m.patient.name}`} user={p.user} clinicName={p.clinicName} flash={p.flash} active="board">
      <p class="crumbs">
        <a href={`/board?date=${m.date}`}>← Day board</a>
      </p>
      <div class="page-head">
        <div>
          <h1>
            <span safe>{m.patient.name}</span> <small class="muted" safe>{`with ${m.doctor.name}`}</small>
          </h1>
          <p class="muted" safe>{`${formatDay(m.date)}, ${m.time}`}</p>
        </div>
        {m.canBook ? (
          <a class="button" href={`/appointments/new?patient_id=${m.patient.id}`}>
            Book another for this patient
          </a>
        ) : null}
      </div>
      <ErrorSummary message={topError} />
      <div class="columns">
        <section class="card" aria-labelledby="details-h">
          <h2 id="details-h">Details</h2>
          <Facts {...m} />
        </section>
        <div>
          <Actions {...m} />
          <History lines={m.history} />
        </div>
      </div>
    </Layout>
  );
}
