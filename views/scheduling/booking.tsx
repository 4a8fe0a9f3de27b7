// Booking at the front desk: one search and two clicks. Find the patient (results as you
// type, "Choose"), pick the doctor, and click a free time: the click books it. Every step is
// a link or a plain form, so it works without JavaScript; htmx only makes the search and the
// date change answer in place. The slot buttons belong to the booking form through the
// `form` attribute, and the note is a textarea, so Enter never books the first slot.
import { CsrfField, ErrorSummary } from '../components';
import { Layout, type Flash, type PageUser } from '../layout';
import { formatDay, formatShortDay, MODE, PatientChoices, type PickPatient } from './common';

export interface FormError {
  message: string;
  field: string | null;
}

export interface SlotChoice {
  local: string;
  start: string; // ISO with the branch's offset
  available: boolean;
  why?: 'booked' | 'blocked' | 'past';
}

export interface SlotArea {
  doctorId: string;
  doctorName: string;
  date: string;
  today: string;
  prev: string;
  next: string;
  /** Why the day has no slots (holiday, leave, no session). */
  dayNote: string | null;
  slots: SlotChoice[];
  /** The slot suggested by the link that opened the page (the board's "Book"). */
  start: string | null;
  /** Slots can be clicked only once the patient is chosen. */
  patientChosen: boolean;
  /** Query values kept by the links (patient_id, followup_id). */
  keep: Record<string, string>;
  error: FormError | null;
}

export interface BookingModel {
  csrf: string;
  formToken: string;
  patient: PickPatient | null;
  q: string;
  results: PickPatient[];
  more: boolean;
  doctors: { id: string; name: string; specialty: string }[];
  doctorId: string | null;
  date: string;
  today: string;
  start: string | null;
  followup: { id: string; dueDate: string } | null;
  slots: SlotArea | null;
  values: { mode: string; note: string };
  error: FormError | null;
  canRegister: boolean;
  canManageDoctors: boolean;
}

/** The booking page's URL with these choices. */
export function bookingUrl(v: { patient_id?: string | null; doctor_id?: string | null; date?: string | null; followup_id?: string | null; start?: string | null; q?: string | null }): string {
  const q = new URLSearchParams();
  for (const [k, val] of Object.entries(v)) if (val) q.set(k, val);
  const s = q.toString();
  return s ? `/appointments/new?${s}` : '/appointments/new';
}

const SLOT_WHY: Record<string, string> = { booked: 'booked', blocked: 'blocked', past: 'past' };

/** The day's slots as buttons of the booking form, with the day's navigation. */
export function SlotButtons(a: SlotArea) {
  const link = (date: string) => bookingUrl({ ...a.keep, doctor_id: a.doctorId, date });
  const free = a.slots.filter((s) => s.available);
  const slotError = a.error && (a.error.field === 'start' || a.error.field === null) ? a.error.message : null;
  return (
    <>
      <nav class="date-nav" aria-label="Other days">
        {a.prev >= a.today ? (
          <a class="button" href={link(a.prev)} rel="prev">
            <span aria-hidden="true">←</span> <span safe>{formatShortDay(a.prev)}</span>
          </a>
        ) : null}
        {a.date !== a.today ? (
          <a class="button" href={link(a.today)}>
            Today
          </a>
        ) : null}
        <a class="button" href={link(a.next)} rel="next">
          <span safe>{formatShortDay(a.next)}</span> <span aria-hidden="true">→</span>
        </a>
      </nav>
      <h3 class="slots-day">
        <span safe>{a.doctorName}</span> · <span safe>{formatDay(a.date)}</span>
      </h3>
      {slotError ? (
        <p class="flash flash-error" role="alert" id="slot-error" safe>
          {slotError}
        </p>
      ) : null}
      {a.dayNote ? (
        <p class="empty" safe>
          {a.dayNote}
        </p>
      ) : !free.length ? (
        <p class="empty">No free slot on this day. Try another day.</p>
      ) : (
        <>
          {!a.patientChosen ? (
            <p class="hint" id="slots-hint">
              Choose the patient first; then click a time to book it.
            </p>
          ) : (
            <p class="hint" id="slots-hint">
              Click a time to book it.
            </p>
          )}
          <div class="slot-buttons" role="group" aria-label="Times" aria-describedby="slots-hint">
            {a.slots.map((s) =>
              s.available ? (
                <button
                  type="submit"
                  form="booking-form"
                  name="start"
                  value={s.start}
                  class={s.start === a.start ? 'slot-button primary' : 'slot-button'}
                  disabled={!a.patientChosen}
                  autofocus={a.patientChosen && s.start === a.start}
                >
                  <span safe>{s.local}</span>
                  <span class="sr-only" safe>{` ${formatShortDay(a.date)}, book`}</span>
                </button>
              ) : (
                <span class={`slot-button taken why-${s.why ?? 'booked'}`} title={`${s.local} ${SLOT_WHY[s.why ?? 'booked']}`}>
                  <span safe>{s.local}</span>
                  <span class="sr-only" safe>{` ${SLOT_WHY[s.why ?? 'booked']}`}</span>
                </span>
              ),
            )}
          </div>
        </>
      )}
    </>
  );
}

function PatientStep(m: BookingModel) {
  const keep = { doctor_id: m.doctorId, date: m.date, start: m.start, followup_id: m.followup?.id };
  if (m.patient) {
    const p = m.patient;
    return (
      <section class="card step" aria-labelledby="step-patient">
        <h2 id="step-patient">1. Patient</h2>
        <p class="picked">
          <a href={`/patients/${p.id}`}>
            <strong safe>{p.name}</strong>
          </a>{' '}
          <span class="muted">
            <span class="mono" safe>
              {p.mrn}
            </span>{' '}
            · <span safe>{p.ageSex}</span>
          </span>{' '}
          <a class="button link" href={bookingUrl(keep)}>
            Change patient
          </a>
        </p>
        {m.followup ? (
          <p class="muted" safe>
            {`For the follow-up due ${formatDay(m.followup.dueDate)}.`}
          </p>
        ) : null}
      </section>
    );
  }
  const err = m.error?.field === 'patient_id' ? m.error.message : null;
  return (
    <section class={err ? 'card step has-error' : 'card step'} aria-labelledby="step-patient">
      <h2 id="step-patient">1. Patient</h2>
      <form method="get" action="/appointments/new" class="search-row" role="search">
        {Object.entries(keep).map(([k, v]) => (v ? <input type="hidden" name={k} value={v} /> : ''))}
        <label for="book-q" class="sr-only">
          Find the patient by name, phone or MRN
        </label>
        <input
          id="book-q"
          name="q"
          type="search"
          value={m.q}
          placeholder="Name, phone or MRN"
          autofocus
          autocomplete="off"
          spellcheck="false"
          maxlength={100}
          hx-get="/appointments/new/patients"
          hx-trigger="input changed delay:200ms, search"
          hx-include="closest form"
          hx-target="#patient-results"
          hx-sync="this:replace"
          aria-describedby={err ? 'patient-error' : undefined}
        />
        <button type="submit">Search</button>
      </form>
      {err ? (
        <p class="error" id="patient-error" safe>
          {err}
        </p>
      ) : null}
      <div id="patient-results" aria-live="polite">
        {PatientResultsForBooking({ q: m.q, items: m.results, more: m.more, keep, canRegister: m.canRegister })}
      </div>
    </section>
  );
}

export function PatientResultsForBooking(p: { q: string; items: PickPatient[]; more: boolean; keep: Record<string, string | null | undefined>; canRegister: boolean }) {
  return PatientChoices({
    q: p.q,
    items: p.items,
    more: p.more,
    registerHref: p.canRegister ? '/patients/new' : undefined,
    action: (x) => (
      <a class="button" href={bookingUrl({ ...p.keep, patient_id: x.id })}>
        Choose<span class="sr-only" safe>{` ${x.name}`}</span>
      </a>
    ),
  });
}

function DoctorStep(m: BookingModel) {
  const keep = { patient_id: m.patient?.id, date: m.date, followup_id: m.followup?.id };
  return (
    <section class="card step" aria-labelledby="step-doctor">
      <h2 id="step-doctor">2. Doctor</h2>
      {m.doctors.length ? (
        <ul class="doctor-picks">
          {m.doctors.map((d) => (
            <li>
              <a class={d.id === m.doctorId ? 'button doctor-pick chosen' : 'button doctor-pick'} href={bookingUrl({ ...keep, doctor_id: d.id })} aria-current={d.id === m.doctorId ? 'true' : undefined}>
                <span safe>{d.name}</span>
                <small safe>{d.specialty}</small>
              </a>
            </li>
          ))}
        </ul>
      ) : (
        <p class="empty">
          No active doctors in this branch. {m.canManageDoctors ? <a href="/admin/doctors">Add a doctor</a> : 'Ask an administrator to add one.'}
        </p>
      )}
    </section>
  );
}

function TimeStep(m: BookingModel) {
  if (!m.slots) {
    return (
      <section class="card step" aria-labelledby="step-time">
        <h2 id="step-time">3. Date and time</h2>
        <p class="muted">Choose a doctor to see their free times.</p>
      </section>
    );
  }
  const noteErr = m.error?.field === 'note' ? m.error.message : null;
  const modeErr = m.error?.field === 'mode' ? m.error.message : null;
  return (
    <section class="card step" aria-labelledby="step-time">
      <h2 id="step-time">3. Date and time</h2>
      <form id="booking-form" method="post" action="/appointments" class="booking-form">
        <CsrfField token={m.csrf} />
        <input type="hidden" name="_form_token" value={m.formToken} />
        {m.patient ? <input type="hidden" name="patient_id" value={m.patient.id} /> : null}
        <input type="hidden" name="doctor_id" value={m.slots.doctorId} />
        {m.followup ? <input type="hidden" name="followup_id" value={m.followup.id} /> : null}
        <fieldset class={modeErr ? 'field choice has-error' : 'field choice'}>
          <legend>Mode</legend>
          <div class="choices">
            {Object.entries(MODE).map(([v, label]) => (
              <label>
                <input type="radio" name="mode" value={v} checked={m.values.mode === v} /> <span safe>{label}</span>
              </label>
            ))}
          </div>
          {modeErr ? (
            <small class="error" safe>
              {modeErr}
            </small>
          ) : null}
        </fieldset>
        <div class={noteErr ? 'field has-error' : 'field'}>
          <label for="f-note">Note (optional)</label>
          <textarea id="f-note" name="note" rows="2" maxlength="500" aria-invalid={noteErr ? 'true' : undefined} aria-describedby={noteErr ? 'f-note-error' : undefined} safe>
            {m.values.note}
          </textarea>
          {noteErr ? (
            <small id="f-note-error" class="error" safe>
              {noteErr}
            </small>
          ) : null}
        </div>
      </form>
      <form method="get" action="/appointments/new" class="date-pick">
        {Object.entries({ patient_id: m.patient?.id, doctor_id: m.slots.doctorId, followup_id: m.followup?.id }).map(([k, v]) => (v ? <input type="hidden" name={k} value={v} /> : ''))}
        <label for="book-date">Date</label>
        <input
          id="book-date"
          type="date"
          name="date"
          value={m.date}
          min={m.today}
          required
          hx-get="/appointments/new/slots"
          hx-trigger="change"
          hx-include="closest form"
          hx-target="#booking-slots"
        />
        <button type="submit">Show times</button>
      </form>
      <div id="booking-slots" aria-live="polite">
        {SlotButtons(m.slots)}
      </div>
    </section>
  );
}

export function BookingPage(p: { user: PageUser; clinicName: string | null; flash: Flash | null; model: BookingModel }) {
  const m = p.model;
  const general = m.error && !['patient_id', 'note', 'mode', 'start'].includes(m.error.field ?? '') && !(m.slots && m.error.field === null) ? m.error.message : null;
  return (
    <Layout title="New appointment" user={p.user} clinicName={p.clinicName} flash={p.flash} active="board">
      <p class="crumbs">
        <a href={`/board?date=${m.date}`}>← Day board</a>
      </p>
      <h1>New appointment</h1>
      <ErrorSummary message={general} />
      <div class="booking">
        {PatientStep(m)}
        {DoctorStep(m)}
        {TimeStep(m)}
      </div>
    </Layout>
  );
}
