// A doctor's weekly sessions and dated exceptions, edited as one form that works without
// JavaScript: blank rows to fill in, a "Remove" box per row, a button for more blank rows
// (with htmx it adds a row in place). Below it, the sessions of the next seven days.
import { CsrfField, ErrorSummary } from '../components';
import { Layout } from '../layout';
import { DoctorTabs, formatDayShort, type PageBase, WEEKDAY_NAMES } from './common';

export interface SessionRowValues {
  key: string;
  weekday: string;
  start: string;
  end: string;
  walk_in: string;
}

export interface ExceptionRowValues {
  key: string;
  date: string;
  kind: string;
  start: string;
  end: string;
  note: string;
  /** Before today: kept as it is (hidden), so saving does not drop history. */
  past: boolean;
}

export interface PreviewDay {
  date: string;
  holiday: string | null;
  leave: boolean;
  sessions: { start: string; end: string; extra: boolean; slots: number; free: number }[];
}

export interface AvailabilityProps extends PageBase {
  doctor: { id: string; name: string; slotMinutes: number; active: boolean };
  sessions: SessionRowValues[];
  exceptions: ExceptionRowValues[];
  /** Messages for single rows, by row key. */
  rowErrors: Record<string, string>;
  /** A message that is not about one row (or a summary of a row's). */
  error?: string | null;
  preview: PreviewDay[];
  timeZone: string;
}

export const EXCEPTION_KINDS: [string, string][] = [
  ['leave', 'Leave (whole day)'],
  ['cancelled', 'Cancelled session'],
  ['extra', 'Extra session'],
  ['block', 'Blocked slots'],
];

function RowError({ id, message }: { id: string; message?: string }) {
  return message ? (
    <small id={id} class="error" safe>
      {message}
    </small>
  ) : null;
}

export function SessionRow({ r, n, error }: { r: SessionRowValues; n: number; error?: string }) {
  const k = r.key;
  const errId = `s-${k}-error`;
  return (
    <tr class={error ? 'has-error' : undefined}>
      <td>
        <label class="sr-only" for={`s-${k}-weekday`} safe>
          {`Session ${n}: day`}
        </label>
        <select id={`s-${k}-weekday`} name={`s_${k}_weekday`} aria-describedby={error ? errId : undefined}>
          <option value="">Day…</option>
          {WEEKDAY_NAMES.slice(1).map((name, i) => (
            <option value={String(i + 1)} selected={r.weekday === String(i + 1)} safe>
              {name}
            </option>
          ))}
        </select>
        <RowError id={errId} message={error} />
      </td>
      <td>
        <label class="sr-only" for={`s-${k}-start`} safe>
          {`Session ${n}: start`}
        </label>
        <input id={`s-${k}-start`} name={`s_${k}_start`} type="time" value={r.start} aria-invalid={error ? 'true' : undefined} />
      </td>
      <td>
        <label class="sr-only" for={`s-${k}-end`} safe>
          {`Session ${n}: end`}
        </label>
        <input id={`s-${k}-end`} name={`s_${k}_end`} type="time" value={r.end} aria-invalid={error ? 'true' : undefined} />
      </td>
      <td>
        <label class="sr-only" for={`s-${k}-walk_in`} safe>
          {`Session ${n}: walk-ins allowed`}
        </label>
        <input id={`s-${k}-walk_in`} name={`s_${k}_walk_in`} type="number" min="0" max="500" inputmode="numeric" value={r.walk_in} size="4" />
      </td>
      <td>
        <label>
          <input type="checkbox" name={`s_${k}_remove`} value="1" /> <span class="sr-only" safe>{`Session ${n}:`}</span> Remove
        </label>
      </td>
    </tr>
  );
}

export function ExceptionRow({ r, n, error }: { r: ExceptionRowValues; n: number; error?: string }) {
  const k = r.key;
  const errId = `x-${k}-error`;
  return (
    <tr class={error ? 'has-error' : undefined}>
      <td>
        <label class="sr-only" for={`x-${k}-date`} safe>
          {`Exception ${n}: date`}
        </label>
        <input id={`x-${k}-date`} name={`x_${k}_date`} type="date" value={r.date} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? errId : undefined} />
        <RowError id={errId} message={error} />
      </td>
      <td>
        <label class="sr-only" for={`x-${k}-kind`} safe>
          {`Exception ${n}: kind`}
        </label>
        <select id={`x-${k}-kind`} name={`x_${k}_kind`}>
          {EXCEPTION_KINDS.map(([value, label]) => (
            <option value={value} selected={r.kind === value} safe>
              {label}
            </option>
          ))}
        </select>
      </td>
      <td>
        <label class="sr-only" for={`x-${k}-start`} safe>
          {`Exception ${n}: from`}
        </label>
        <input id={`x-${k}-start`} name={`x_${k}_start`} type="time" value={r.start} />
      </td>
      <td>
        <label class="sr-only" for={`x-${k}-end`} safe>
          {`Exception ${n}: to`}
        </label>
        <input id={`x-${k}-end`} name={`x_${k}_end`} type="time" value={r.end} />
      </td>
      <td>
        <label class="sr-only" for={`x-${k}-note`} safe>
          {`Exception ${n}: note`}
        </label>
        <input id={`x-${k}-note`} name={`x_${k}_note`} type="text" maxlength="200" value={r.note} />
      </td>
      <td>
        <label>
          <input type="checkbox" name={`x_${k}_remove`} value="1" /> <span class="sr-only" safe>{`Exception ${n}:`}</span> Remove
        </label>
      </td>
    </tr>
  );
}

/** An exception row before today, carried along unchanged. */
function PastException({ r }: { r: ExceptionRowValues }) {
  const k = r.key;
  return (
    <>
      <input type="hidden" name={`x_${k}_date`} value={r.date} />
      <input type="hidden" name={`x_${k}_kind`} value={r.kind} />
      <input type="hidden" name={`x_${k}_start`} value={r.start} />
      <input type="hidden" name={`x_${k}_end`} value={r.end} />
      <input type="hidden" name={`x_${k}_note`} value={r.note} />
      <input type="hidden" name={`x_${k}_past`} value="1" />
    </>
  );
}

function Preview({ days, slotMinutes }: { days: PreviewDay[]; slotMinutes: number }) {
  return (
    <section class="card" id="preview">
      <h2>Next 7 days</h2>
      <p class="muted" safe>
        {`As saved. Slots of ${slotMinutes} minutes; free = not booked, blocked or past.`}
      </p>
      <table class="list">
        <caption class="sr-only">Sessions in the next 7 days</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Sessions</th>
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr>
              <th scope="row" safe>
                {formatDayShort(d.date)}
              </th>
              <td>
                {d.holiday ? (
                  <span safe>{`Holiday: ${d.holiday}`}</span>
                ) : d.leave ? (
                  <span>On leave</span>
                ) : d.sessions.length ? (
                  <ul>
                    {d.sessions.map((s) => (
                      <li safe>{`${s.start}–${s.end}${s.extra ? ' (extra)' : ''} · ${s.slots} slots, ${s.free} free`}</li>
                    ))}
                  </ul>
                ) : (
                  <span class="muted">No sessions</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function AvailabilityPage(p: AvailabilityProps) {
  const id = p.doctor.id;
  const visible = p.exceptions.filter((x) => !x.past);
  const past = p.exceptions.filter((x) => x.past);
  return (
    <Layout title={`${p.doctor.name}: sessions`} user={p.user} clinicName={p.clinicName} flash={p.flash} active="doctors">
      <p>
        <a href="/admin/doctors">← Doctors</a>
      </p>
      <div class="page-head">
        <h1 safe>{p.doctor.name}</h1>
        <p>{p.doctor.active ? <span class="badge badge-ok">Active</span> : <span class="badge badge-off">Inactive</span>}</p>
      </div>
      <DoctorTabs id={id} current="availability" />
      <ErrorSummary message={p.error} />
      <form method="post" action={`/admin/doctors/${id}/availability`}>
        <CsrfField token={p.user.csrf} />
        {/* The form's default button (Enter in a field) saves; the "more rows" buttons come later. */}
        <button type="submit" class="sr-only" tabindex="-1" aria-hidden="true">
          Save
        </button>
        <section class="card">
          <h2>Weekly sessions</h2>
          <p class="hint" safe>
            {`Times in the branch's time zone (${p.timeZone}). A day can have several sessions, e.g. Monday 10:00–13:00 and 17:00–20:00. Walk-ins: how many the doctor takes in that session beyond booked slots (0 = no limit set). Rows left blank are ignored.`}
          </p>
          <div class="table-wrap">
            <table class="list">
              <caption class="sr-only">Weekly sessions</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Start</th>
                  <th scope="col">End</th>
                  <th scope="col">Walk-ins</th>
                  <th scope="col">
                    <span class="sr-only">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody id="session-rows">
                {p.sessions.map((r, i) => (
                  <SessionRow r={r} n={i + 1} error={p.rowErrors[r.key]} />
                ))}
              </tbody>
            </table>
          </div>
          <div class="actions">
            <button
              type="submit"
              name="add_rows"
              value="sessions"
              hx-get={`/admin/doctors/${id}/availability/row?kind=session`}
              hx-target="#session-rows"
              hx-swap="beforeend"
            >
              Add a session row
            </button>
          </div>
        </section>
        <section class="card">
          <h2>Exceptions</h2>
          <p class="hint">
            Leave: no sessions that day. Cancelled session: the regular session(s) overlapping the times given (leave the times empty for the whole
            day). Extra session: an additional session that day. Blocked slots: slots in that range are not offered.
          </p>
          <div class="table-wrap">
            <table class="list">
              <caption class="sr-only">Exceptions</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Kind</th>
                  <th scope="col">From</th>
                  <th scope="col">To</th>
                  <th scope="col">Note</th>
                  <th scope="col">
                    <span class="sr-only">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody id="exception-rows">
                {visible.map((r, i) => (
                  <ExceptionRow r={r} n={i + 1} error={p.rowErrors[r.key]} />
                ))}
              </tbody>
            </table>
          </div>
          {past.map((r) => (
            <PastException r={r} />
          ))}
          {past.length ? <p class="muted" safe>{`${past.length} earlier exception${past.length === 1 ? '' : 's'} kept as history.`}</p> : null}
          <div class="actions">
            <button
              type="submit"
              name="add_rows"
              value="exceptions"
              hx-get={`/admin/doctors/${id}/availability/row?kind=exception`}
              hx-target="#exception-rows"
              hx-swap="beforeend"
            >
              Add an exception row
            </button>
          </div>
        </section>
        <div class="actions">
          <button type="submit" class="primary">
            Save sessions and exceptions
          </button>
          <a class="button" href={`/admin/doctors/${id}/availability`}>
            Discard changes
          </a>
        </div>
      </form>
      <Preview days={p.preview} slotMinutes={p.doctor.slotMinutes} />
    </Layout>
  );
}
