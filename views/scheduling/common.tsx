// Pieces shared by the scheduling pages: how statuses, priorities, days and times are
// worded, date navigation, and the patient picker (search results with one action each).
import type { Children } from '@kitajs/html';
import { formatPhone } from '../components';

export const APPOINTMENT_STATUS: Record<string, string> = {
  booked: 'Booked',
  checked_in: 'Checked in',
  completed: 'Done',
  cancelled: 'Cancelled',
  no_show: 'No-show',
};

export const TOKEN_STATE: Record<string, string> = {
  waiting: 'Waiting',
  called: 'Called',
  in_consultation: 'With the doctor',
  done: 'Done',
  skipped: 'Skipped',
};

export const PRIORITY: Record<string, string> = { normal: 'Normal', elderly: 'Elderly', emergency: 'Emergency' };
export const MODE: Record<string, string> = { in_person: 'In person', tele: 'Tele-consultation' };
export const SOURCE: Record<string, string> = { desk: 'front desk', phone: 'phone', portal: 'patient portal', api: 'API' };

/** "2026-12-01" → "Tue, 1 Dec 2026" (a calendar date: no zone involved). */
const dayParts = new Intl.DateTimeFormat('en-IN', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
export function formatDay(ymd: string): string {
  const p: Record<string, string> = {};
  for (const x of dayParts.formatToParts(new Date(`${ymd}T00:00:00Z`))) p[x.type] = x.value;
  return `${p.weekday}, ${p.day} ${p.month} ${p.year}`;
}

/** "2026-12-01" → "Tue 1 Dec" for compact headings. */
export function formatShortDay(ymd: string): string {
  const p: Record<string, string> = {};
  for (const x of dayParts.formatToParts(new Date(`${ymd}T00:00:00Z`))) p[x.type] = x.value;
  return `${p.weekday}, ${p.day} ${p.month}`;
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();
/** An instant as the branch's wall-clock time: "10:30". */
export function formatTime(iso: string, timeZone: string): string {
  let f = timeFormats.get(timeZone);
  if (!f) timeFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  return f.format(new Date(iso));
}

/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge st-${status}`} safe>
      {APPOINTMENT_STATUS[status] ?? status}
    </span>
  );
}

export function TokenBadge({ state }: { state: string }) {
  return (
    <span class={`badge tk-${state}`} safe>
      {TOKEN_STATE[state] ?? state}
    </span>
  );
}

export function PriorityBadge({ priority }: { priority: string }) {
  if (priority === 'normal') return '';
  return (
    <span class={`badge pr-${priority}`} safe>
      {PRIORITY[priority] ?? priority}
    </span>
  );
}

/** Previous day / today / next day links and a date box (a GET form, works without JS). */
export function DateNav(p: { action: string; date: string; today: string; prev: string; next: string; hrefFor: (date: string) => string; label?: string; hidden?: Record<string, string> }) {
  return (
    <nav class="date-nav" aria-label={p.label ?? 'Choose the day'}>
      <a class="button" href={p.hrefFor(p.prev)} rel="prev">
        <span aria-hidden="true">←</span> <span safe>{formatShortDay(p.prev)}</span>
      </a>
      {p.date !== p.today ? (
        <a class="button" href={p.hrefFor(p.today)}>
          Today
        </a>
      ) : null}
      <a class="button" href={p.hrefFor(p.next)} rel="next">
        <span safe>{formatShortDay(p.next)}</span> <span aria-hidden="true">→</span>
      </a>
      <form method="get" action={p.action} class="date-pick">
        {Object.entries(p.hidden ?? {}).map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
        <label for="date-nav-date" class="sr-only">
          Date
        </label>
        <input id="date-nav-date" type="date" name="date" value={p.date} required />
        <button type="submit">Go</button>
      </form>
    </nav>
  );
}

/** A patient as the pickers list them. */
export interface PickPatient {
  id: string;
  mrn: string;
  name: string;
  phone: string;
  ageSex: string;
}

/**
 * Search results for choosing a patient: each row ends with `action`, a link or a submit
 * button. `q` empty: nothing searched yet.
 */
export function PatientChoices(p: { q: string; items: PickPatient[]; more: boolean; action: (patient: PickPatient) => Children; registerHref?: string }) {
  const term = p.q.trim();
  if (!term) return <p class="muted">Type a name, phone number or MRN.</p>;
  if (!p.items.length) {
    return (
      <p class="empty" role="status">
        No patient matches <strong safe>{`“${term}”`}</strong>.{' '}
        {p.registerHref ? <a href={p.registerHref}>Register a new patient</a> : null}
      </p>
    );
  }
  return (
    <>
      <p class="muted result-count" role="status" safe>
        {`${p.items.length}${p.more ? '+' : ''} ${p.items.length === 1 ? 'patient matches' : 'patients match'} “${term}”`}
      </p>
      <ul class="pick-list">
        {p.items.map((x) => (
          <li>
            <span class="who-picked">
              <strong safe>{x.name}</strong>{' '}
              <span class="muted">
                <span class="mono" safe>
                  {x.mrn}
                </span>{' '}
                · <span safe>{x.ageSex}</span> · <span class="nowrap" safe>{formatPhone(x.phone)}</span>
              </span>
            </span>
            {p.action(x)}
          </li>
        ))}
      </ul>
    </>
  );
}
