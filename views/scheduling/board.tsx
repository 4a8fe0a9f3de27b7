// The day board: every active doctor of the branch with the day's sessions as a strip of
// slots coloured by status, the counts, the free stretches and the next free slot with a
// one-click "Book"; and one doctor's week. Colour is never the only cue: every slot has a
// text status (visible on hover, read by screen readers) and a mark for its kind.
import { Layout, type Flash, type PageUser } from '../layout';
import { DateNav, formatDay, formatShortDay } from './common';

export type SlotState = 'free' | 'booked' | 'checked_in' | 'completed' | 'no_show' | 'cancelled' | 'blocked' | 'past';

export interface BoardSlot {
  local: string; // HH:MM in the branch's zone
  start: string; // ISO with the branch's offset
  state: SlotState;
  appointmentId?: string;
  patientName?: string;
}

export interface BoardSession {
  start: string;
  end: string;
  extra: boolean;
  slots: BoardSlot[];
}

export interface SlotCounts {
  booked: number;
  checkedIn: number;
  done: number;
  free: number;
  cancelled: number;
  noShow: number;
}

export interface BoardDoctor {
  id: string;
  name: string;
  specialty: string;
  slotMinutes: number;
  /** Why there are no sessions: leave, a branch holiday, or no session on that weekday. */
  off: { kind: 'leave' | 'holiday' | 'none'; note: string | null } | null;
  sessions: BoardSession[];
  counts: SlotCounts;
  walkIns: number;
  /** Stretches of consecutive free slots. */
  gaps: { from: string; to: string; slots: number }[];
  nextFree: { local: string; start: string } | null;
  /** Live appointments that sit on no slot (the sessions changed after booking). */
  offSlot: { id: string; time: string; status: string; patientName: string }[];
}

export interface BoardModel {
  date: string;
  today: string;
  prev: string;
  next: string;
  holiday: string | null;
  doctors: BoardDoctor[];
  canBook: boolean;
  week: string; // the Monday of the date's week, for the week links
}

export const SLOT_LABEL: Record<SlotState, string> = {
  free: 'free',
  booked: 'booked',
  checked_in: 'checked in',
  completed: 'done',
  no_show: 'no-show',
  cancelled: 'cancelled',
  blocked: 'blocked',
  past: 'past, not booked',
};

const bookHref = (doctorId: string, date: string, start?: string) =>
  `/appointments/new?${new URLSearchParams({ doctor_id: doctorId, date, ...(start ? { start } : {}) })}`;

function SlotCell({ s, doctorId, date, canBook }: { s: BoardSlot; doctorId: string; date: string; canBook: boolean }) {
  const label = `${s.local} ${SLOT_LABEL[s.state]}${s.patientName ? `: ${s.patientName}` : ''}`;
  if (s.appointmentId) {
    return (
      <a class={`slot s-${s.state}`} href={`/appointments/${s.appointmentId}`} title={label}>
        <span safe>{s.local}</span>
        <span class="sr-only" safe>
          {` ${SLOT_LABEL[s.state]}${s.patientName ? `: ${s.patientName}` : ''}`}
        </span>
      </a>
    );
  }
  if (s.state === 'free' && canBook) {
    return (
      <a class="slot s-free" href={bookHref(doctorId, date, s.start)} title={`${label}: book`}>
        <span safe>{s.local}</span>
        <span class="sr-only"> free, book</span>
      </a>
    );
  }
  return (
    <span class={`slot s-${s.state}`} title={label}>
      <span safe>{s.local}</span>
      <span class="sr-only" safe>
        {` ${SLOT_LABEL[s.state]}`}
      </span>
    </span>
  );
}

function Count({ n, label, cls }: { n: number; label: string; cls: string }) {
  return (
    <li class={cls}>
      <strong safe>{String(n)}</strong> <span safe>{label}</span>
    </li>
  );
}

export function Legend() {
  const states: SlotState[] = ['free', 'booked', 'checked_in', 'completed', 'cancelled', 'no_show', 'blocked', 'past'];
  return (
    <ul class="slot-legend" aria-label="Colours of the slots">
      {states.map((s) => (
        <li>
          <span class={`swatch s-${s}`} aria-hidden="true"></span>{' '}
          <span safe>{SLOT_LABEL[s]}</span>
        </li>
      ))}
    </ul>
  );
}

function DoctorRow({ d, date, canBook, week }: { d: BoardDoctor; date: string; canBook: boolean; week: string }) {
  const hid = `doc-${d.id}`;
  return (
    <section class="card board-doctor" aria-labelledby={hid}>
      <div class="board-head">
        <div>
          <h2 id={hid}>
            <span safe>{d.name}</span> <small class="muted" safe>{d.specialty}</small>
          </h2>
          <p class="muted board-sessions">
            {d.sessions.length
              ? d.sessions.map((s, i) => (
                  <>
                    {i ? ', ' : ''}
                    <span class="nowrap" safe>{`${s.start}–${s.end}${s.extra ? ' (extra)' : ''}`}</span>
                  </>
                ))
              : null}
            {d.sessions.length ? <span safe>{` · ${d.slotMinutes}-minute slots`}</span> : null}
          </p>
        </div>
        <div class="board-links">
          {d.nextFree && canBook ? (
            <a class="button primary" href={bookHref(d.id, date, d.nextFree.start)}>
              Book <span safe>{d.nextFree.local}</span>
              <span class="sr-only" safe>{` with ${d.name}`}</span>
            </a>
          ) : null}
          <a class="button" href={`/queue/${d.id}?date=${date}`}>
            Queue<span class="sr-only" safe>{` of ${d.name}`}</span>
          </a>
          <a class="button link" href={`/board/doctor/${d.id}?week=${week}`}>
            Week<span class="sr-only" safe>{` of ${d.name}`}</span>
          </a>
        </div>
      </div>
      {d.off ? (
        <p class={`off-note off-${d.off.kind}`}>
          {d.off.kind === 'leave' ? (
            <>
              <strong>On leave</strong>
              {d.off.note ? <span safe>{` — ${d.off.note}`}</span> : null}
            </>
          ) : d.off.kind === 'holiday' ? (
            <>
              <strong>Holiday</strong>
              {d.off.note ? <span safe>{` — ${d.off.note}`}</span> : null}
            </>
          ) : (
            'No session on this day.'
          )}
        </p>
      ) : (
        <>
          <ul class="counts">
            <Count n={d.counts.booked} label="booked" cls="c-booked" />
            <Count n={d.counts.checkedIn} label="checked in" cls="c-checked_in" />
            <Count n={d.counts.done} label="done" cls="c-completed" />
            <Count n={d.counts.free} label="free" cls="c-free" />
            {d.walkIns ? <Count n={d.walkIns} label={d.walkIns === 1 ? 'walk-in' : 'walk-ins'} cls="c-walkin" /> : null}
            {d.counts.cancelled ? <Count n={d.counts.cancelled} label="cancelled" cls="c-off" /> : null}
            {d.counts.noShow ? <Count n={d.counts.noShow} label="no-show" cls="c-off" /> : null}
          </ul>
          {d.sessions.map((s) => (
            <div class="strip" role="group" aria-label={`${d.name}, session ${s.start} to ${s.end}`}>
              {s.slots.map((slot) => (
                <SlotCell s={slot} doctorId={d.id} date={date} canBook={canBook} />
              ))}
            </div>
          ))}
          <p class="gaps muted">
            {d.nextFree ? (
              <>
                Next free: <strong safe>{d.nextFree.local}</strong>.{' '}
              </>
            ) : (
              <>No free slot left. </>
            )}
            {d.gaps.length ? (
              <>
                Free stretches:{' '}
                <span safe>
                  {d.gaps
                    .slice(0, 5)
                    .map((g) => `${g.from}–${g.to}`)
                    .join(', ') + (d.gaps.length > 5 ? ` and ${d.gaps.length - 5} more` : '')}
                </span>
              </>
            ) : null}
          </p>
        </>
      )}
      {d.offSlot.length ? (
        <p class="flash flash-warn">
          Booked outside today's slots:{' '}
          {d.offSlot.map((a, i) => (
            <>
              {i ? ', ' : ''}
              <a href={`/appointments/${a.id}`} safe>{`${a.time} ${a.patientName}`}</a>
            </>
          ))}
        </p>
      ) : null}
    </section>
  );
}

export function BoardPage(p: { user: PageUser; clinicName: string | null; flash: Flash | null; board: BoardModel }) {
  const b = p.board;
  return (
    <Layout title={`Day board · ${formatShortDay(b.date)}`} user={p.user} clinicName={p.clinicName} flash={p.flash} active="board">
      <div class="page-head">
        <div>
          <h1>
            Day board <small class="muted" safe>{formatDay(b.date)}</small>
          </h1>
          {b.date === b.today ? <p class="muted">Today</p> : null}
        </div>
        {b.canBook ? (
          <a class="button primary" href={`/appointments/new?date=${b.date}`}>
            New appointment
          </a>
        ) : null}
      </div>
      <DateNav action="/board" date={b.date} today={b.today} prev={b.prev} next={b.next} hrefFor={(d) => `/board?date=${d}`} />
      {b.holiday ? (
        <p class="flash flash-warn" role="status">
          <strong>Holiday:</strong> <span safe>{b.holiday}</span> — no sessions.
        </p>
      ) : null}
      <Legend />
      {b.doctors.length ? (
        b.doctors.map((d) => <DoctorRow d={d} date={b.date} canBook={b.canBook} week={b.week} />)
      ) : (
        <section class="card">
          <p class="empty">No active doctors in this branch yet.</p>
        </section>
      )}
    </Layout>
  );
}

// ---- one doctor's week

export interface WeekDay {
  date: string;
  off: BoardDoctor['off'];
  sessions: { start: string; end: string; extra: boolean; counts: SlotCounts; free: BoardSlot[] }[];
}

export interface WeekModel {
  doctor: { id: string; name: string; specialty: string; slotMinutes: number };
  week: string;
  prevWeek: string;
  nextWeek: string;
  thisWeek: string;
  today: string;
  days: WeekDay[];
  canBook: boolean;
}

export function WeekPage(p: { user: PageUser; clinicName: string | null; flash: Flash | null; model: WeekModel }) {
  const m = p.model;
  const d = m.doctor;
  return (
    <Layout title={`${d.name} · week of ${formatShortDay(m.week)}`} user={p.user} clinicName={p.clinicName} flash={p.flash} active="board">
      <p class="crumbs">
        <a href={`/board?date=${m.week <= m.today && m.today <= m.days[6].date ? m.today : m.week}`}>← Day board</a>
      </p>
      <div class="page-head">
        <div>
          <h1 safe>{d.name}</h1>
          <p class="muted" safe>{`${d.specialty} · week of ${formatDay(m.week)}`}</p>
        </div>
        <a class="button" href={`/queue/${d.id}`}>
          Today's queue
        </a>
      </div>
      <nav class="date-nav" aria-label="Choose the week">
        <a class="button" href={`/board/doctor/${d.id}?week=${m.prevWeek}`} rel="prev">
          <span aria-hidden="true">←</span> Previous week
        </a>
        {m.week !== m.thisWeek ? (
          <a class="button" href={`/board/doctor/${d.id}?week=${m.thisWeek}`}>
            This week
          </a>
        ) : null}
        <a class="button" href={`/board/doctor/${d.id}?week=${m.nextWeek}`} rel="next">
          Next week <span aria-hidden="true">→</span>
        </a>
      </nav>
      <div class="week">
        {m.days.map((day) => (
          <section class={day.date === m.today ? 'card week-day today' : 'card week-day'} aria-labelledby={`day-${day.date}`}>
            <h2 id={`day-${day.date}`}>
              <a href={`/board?date=${day.date}`} safe>
                {formatShortDay(day.date)}
              </a>
              {day.date === m.today ? <span class="badge badge-ok">Today</span> : null}
            </h2>
            {day.off ? (
              <p class={`off-note off-${day.off.kind}`} safe>
                {day.off.kind === 'leave'
                  ? `On leave${day.off.note ? ` — ${day.off.note}` : ''}`
                  : day.off.kind === 'holiday'
                    ? `Holiday${day.off.note ? ` — ${day.off.note}` : ''}`
                    : 'No session'}
              </p>
            ) : (
              day.sessions.map((s) => (
                <div class="week-session">
                  <h3 safe>{`${s.start}–${s.end}${s.extra ? ' (extra)' : ''}`}</h3>
                  <p class="muted week-counts" safe>
                    {`${s.counts.booked + s.counts.checkedIn + s.counts.done} booked · ${s.counts.free} free`}
                  </p>
                  {s.free.length ? (
                    <div class="strip" role="group" aria-label={`Free slots ${formatShortDay(day.date)} ${s.start} to ${s.end}`}>
                      {s.free.map((slot) =>
                        m.canBook ? (
                          <a class="slot s-free" href={bookHref(d.id, day.date, slot.start)} title={`${slot.local} free: book`}>
                            <span safe>{slot.local}</span>
                            <span class="sr-only"> free, book</span>
                          </a>
                        ) : (
                          <span class="slot s-free" safe>
                            {slot.local}
                          </span>
                        ),
                      )}
                    </div>
                  ) : null}
                </div>
              ))
            )}
          </section>
        ))}
      </div>
    </Layout>
  );
}
