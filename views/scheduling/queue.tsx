// A doctor's queue for a day: tokens in service order with their state and the moves that
// fit it (call, start, complete — optionally with "review in N days" —, skip, recall), and
// the walk-in form. The token list polls its own fragment every 2 s, so the desk and the
// doctor see each other's moves without a reload; it pauses while someone types in it.
// Each move is a plain form (redirect + flash without JS); with htmx it answers the list.
import { CsrfField, ErrorSummary } from '../components';
import { Layout, type Flash, type PageUser } from '../layout';
import { DateNav, formatDay, formatShortDay, ordinal, PatientChoices, type PickPatient, PRIORITY, PriorityBadge, TokenBadge } from './common';

export type Move = 'call' | 'start' | 'complete' | 'skip' | 'recall';

export interface QueueToken {
  id: string;
  number: number;
  state: string;
  priority: string;
  kind: 'appointment' | 'walk_in';
  patientId: string;
  patientName: string;
  mrn: string;
  appointmentId: string | null;
  appointmentTime: string | null;
  issuedTime: string;
  /** Place among the waiting (1 = next to be called). */
  position: number | null;
  /** One-time form tokens, one per move offered. */
  forms: Partial<Record<Move, string>>;
}

export interface TokenListModel {
  doctorId: string;
  date: string;
  live: boolean;
  tokens: QueueToken[];
  canMove: boolean;
  csrf: string;
  /** A move refused: shown on the token it was about. */
  error: { tokenId: string; message: string; field: string | null } | null;
}

const MOVE_LABEL: Record<Move, string> = { call: 'Call', start: 'Start', complete: 'Complete', skip: 'Skip', recall: 'Recall' };

export function movesFor(state: string): Move[] {
  switch (state) {
    case 'waiting':
      return ['call', 'start', 'skip'];
    case 'called':
      return ['start', 'skip'];
    case 'in_consultation':
      return ['complete'];
    case 'skipped':
      return ['recall'];
    default:
      return [];
  }
}

function MoveForm({ t, move, csrf, error }: { t: QueueToken; move: Move; csrf: string; error: TokenListModel['error'] }) {
  const url = `/queue/tokens/${t.id}/${move}`;
  const cls = move === 'call' || move === 'complete' || (move === 'start' && t.state === 'called') ? 'primary' : move === 'skip' ? 'link' : '';
  const reviewErr = error && error.tokenId === t.id && error.field === 'review_days' ? error.message : null;
  return (
    <form method="post" action={url} hx-post={url} hx-disable="find button" hx-sync="#tokens:queue" class={move === 'complete' ? 'move complete-form' : 'move'}>
      <CsrfField token={csrf} />
      <input type="hidden" name="_form_token" value={t.forms[move] ?? ''} />
      {move === 'complete' ? (
        <span class={reviewErr ? 'review has-error' : 'review'}>
          <label for={`review-${t.id}`}>Review in</label>
          <input
            id={`review-${t.id}`}
            name="review_days"
            type="number"
            inputmode="numeric"
            min="1"
            max="730"
            class="days"
            aria-describedby={reviewErr ? `review-${t.id}-error` : `review-${t.id}-hint`}
            aria-invalid={reviewErr ? 'true' : undefined}
          />
          <span id={`review-${t.id}-hint`} class="muted">
            days (optional)
          </span>
          {reviewErr ? (
            <small id={`review-${t.id}-error`} class="error" safe>
              {reviewErr}
            </small>
          ) : null}
        </span>
      ) : null}
      <button type="submit" class={cls}>
        <span safe>{MOVE_LABEL[move]}</span>
        <span class="sr-only" safe>{` token ${t.number}`}</span>
      </button>
    </form>
  );
}

function TokenItem({ t, m }: { t: QueueToken; m: TokenListModel }) {
  const err = m.error && m.error.tokenId === t.id && m.error.field !== 'review_days' ? m.error.message : null;
  return (
    <li class={`token tk-row-${t.state}`} id={`token-${t.id}`}>
      <div class="token-no" aria-label={`Token ${t.number}`}>
        <span safe>{String(t.number)}</span>
      </div>
      <div class="token-body">
        <p class="token-who">
          <a href={`/patients/${t.patientId}`} safe>
            {t.patientName}
          </a>{' '}
          <span class="muted mono" safe>
            {t.mrn}
          </span>
        </p>
        <p class="token-meta">
          <TokenBadge state={t.state} /> <PriorityBadge priority={t.priority} />{' '}
          {t.kind === 'walk_in' ? (
            <span class="muted" safe>{`walk-in at ${t.issuedTime}`}</span>
          ) : t.appointmentId ? (
            <a class="muted" href={`/appointments/${t.appointmentId}`} safe>
              {`appointment ${t.appointmentTime ?? ''}, arrived ${t.issuedTime}`}
            </a>
          ) : null}
          {t.position ? <span class="muted" safe>{` · ${t.position === 1 ? 'next' : `${ordinal(t.position)} in line`}`}</span> : null}
        </p>
        {err ? (
          <p class="flash flash-error" role="alert" safe>
            {err}
          </p>
        ) : null}
      </div>
      {m.canMove && movesFor(t.state).length ? (
        <div class="token-moves">
          {movesFor(t.state).map((move) => (
            <MoveForm t={t} move={move} csrf={m.csrf} error={m.error} />
          ))}
        </div>
      ) : null}
    </li>
  );
}

function countOf(tokens: QueueToken[], state: string) {
  return tokens.filter((t) => t.state === state).length;
}

/** The live part: replaced whole by its own poll and by the answers to the moves. */
export function TokenList(m: TokenListModel) {
  const url = `/queue/${m.doctorId}/tokens?date=${m.date}`;
  // Polls only for today; pauses while a field in the list has the focus (typing the review
  // days). A move aborts a poll in flight and a poll never overtakes a move (hx-sync), so an
  // older list cannot land after the answer to a move.
  const live = m.live
    ? { 'hx-get': url, 'hx-trigger': "every 2s [!this.querySelector('input:focus, select:focus')]", 'hx-swap': 'outerHTML', 'hx-sync': 'this:abort' }
    : {};
  const waiting = countOf(m.tokens, 'waiting');
  return (
    <div id="tokens" class="tokens" hx-target:inherited="#tokens" hx-swap:inherited="outerHTML" {...live}>
      <ul class="counts" aria-label="Tokens by state">
        <li class="c-booked">
          <strong safe>{String(waiting)}</strong> waiting
        </li>
        <li class="c-checked_in">
          <strong safe>{String(countOf(m.tokens, 'called') + countOf(m.tokens, 'in_consultation'))}</strong> called or with the doctor
        </li>
        <li class="c-completed">
          <strong safe>{String(countOf(m.tokens, 'done'))}</strong> done
        </li>
        {countOf(m.tokens, 'skipped') ? (
          <li class="c-off">
            <strong safe>{String(countOf(m.tokens, 'skipped'))}</strong> skipped
          </li>
        ) : null}
      </ul>
      {m.tokens.length ? (
        <ol class="token-list">
          {m.tokens.map((t) => (
            <TokenItem t={t} m={m} />
          ))}
        </ol>
      ) : (
        <p class="empty">No tokens yet. Patients get one when they are checked in or come as a walk-in.</p>
      )}
    </div>
  );
}

export interface WalkInModel {
  q: string;
  results: PickPatient[];
  more: boolean;
  formToken: string;
  priority: string;
  error: { message: string; field: string | null } | null;
  canRegister: boolean;
}

export function WalkInResults(p: { q: string; items: PickPatient[]; more: boolean; canRegister: boolean }) {
  return PatientChoices({
    q: p.q,
    items: p.items,
    more: p.more,
    registerHref: p.canRegister ? '/patients/new' : undefined,
    action: (x) => (
      <button type="submit" name="patient_id" value={x.id} form="walkin-form">
        Give token<span class="sr-only" safe>{` to ${x.name}`}</span>
      </button>
    ),
  });
}

function WalkIn({ doctorId, w, csrf }: { doctorId: string; w: WalkInModel; csrf: string }) {
  return (
    <section class="card" aria-labelledby="walkin-h">
      <h2 id="walkin-h">Walk-in</h2>
      <ErrorSummary message={w.error?.message} />
      <form method="get" action={`/queue/${doctorId}`} class="search-row" role="search">
        <label for="walkin-q" class="sr-only">
          Find the patient by name, phone or MRN
        </label>
        <input
          id="walkin-q"
          name="q"
          type="search"
          value={w.q}
          placeholder="Name, phone or MRN"
          autocomplete="off"
          spellcheck="false"
          maxlength={100}
          hx-get={`/queue/${doctorId}/patients`}
          hx-trigger="input changed delay:200ms, search"
          hx-target="#walkin-results"
          hx-sync="this:replace"
        />
        <button type="submit">Search</button>
      </form>
      <form id="walkin-form" method="post" action="/walk-ins" class="walkin-form">
        <CsrfField token={csrf} />
        <input type="hidden" name="_form_token" value={w.formToken} />
        <input type="hidden" name="doctor_id" value={doctorId} />
        <div class="field">
          <label for="walkin-priority">Priority</label>
          <select id="walkin-priority" name="priority">
            {Object.entries(PRIORITY).map(([v, label]) => (
              <option value={v} selected={w.priority === v} safe>
                {label}
              </option>
            ))}
          </select>
        </div>
      </form>
      <div id="walkin-results" aria-live="polite">
        {WalkInResults({ q: w.q, items: w.results, more: w.more, canRegister: w.canRegister })}
      </div>
    </section>
  );
}

export interface QueuePageModel {
  doctor: { id: string; name: string; specialty: string };
  date: string;
  today: string;
  prev: string;
  next: string;
  list: TokenListModel;
  walkIn: WalkInModel | null;
  displayLink: boolean;
}

export function QueuePage(p: { user: PageUser; clinicName: string | null; flash: Flash | null; model: QueuePageModel; status?: Flash | null }) {
  const m = p.model;
  return (
    <Layout title={`Queue · ${m.doctor.name}`} user={p.user} clinicName={p.clinicName} flash={p.flash} active="queue">
      <p class="crumbs">
        <a href="/queue">← Queues</a>
      </p>
      <div class="page-head">
        <div>
          <h1>
            <span safe>{m.doctor.name}</span> <small class="muted">queue</small>
          </h1>
          <p class="muted" safe>{`${m.doctor.specialty} · ${formatDay(m.date)}${m.date === m.today ? ' (today)' : ''}`}</p>
        </div>
        <div class="board-links">
          <a class="button" href={`/board?date=${m.date}`}>
            Day board
          </a>
          {m.displayLink ? (
            <a class="button link" href="/queue/display-link">
              Waiting-room display
            </a>
          ) : null}
        </div>
      </div>
      <DateNav action={`/queue/${m.doctor.id}`} date={m.date} today={m.today} prev={m.prev} next={m.next} hrefFor={(d) => `/queue/${m.doctor.id}?date=${d}`} />
      <div id="queue-msg" aria-live="polite"></div>
      <section class="card" aria-labelledby="tokens-h">
        <h2 id="tokens-h">
          Tokens <small class="muted" safe>{formatShortDay(m.date)}</small>
          {m.list.live ? (
            <small class="live-note muted" aria-hidden="true">
              ● live
            </small>
          ) : null}
        </h2>
        {TokenList(m.list)}
      </section>
      {m.walkIn ? <WalkIn doctorId={m.doctor.id} w={m.walkIn} csrf={m.list.csrf} /> : null}
    </Layout>
  );
}

/** The answer to a move made with htmx: the list, and the message in its own region. */
export function MoveAnswer(p: { list: TokenListModel; message: Flash | null }) {
  return (
    <>
      {TokenList(p.list)}
      {'<hx-partial hx-target="#queue-msg" hx-swap="innerHTML">'}
      {p.message ? (
        <p class={`flash flash-${p.message.kind}`} role={p.message.kind === 'error' ? 'alert' : 'status'} safe>
          {p.message.text}
        </p>
      ) : (
        ''
      )}
      {'</hx-partial>'}
    </>
  );
}

export interface QueueDoctor {
  id: string;
  name: string;
  specialty: string;
  sessions: string | null;
  waiting: number;
  called: number | null;
  done: number;
  mine: boolean;
}

export function QueuePickerPage(p: { user: PageUser; clinicName: string | null; flash: Flash | null; today: string; doctors: QueueDoctor[]; displayLink: boolean }) {
  return (
    <Layout title="Queues" user={p.user} clinicName={p.clinicName} flash={p.flash} active="queue">
      <div class="page-head">
        <div>
          <h1>Queues</h1>
          <p class="muted" safe>{formatDay(p.today)}</p>
        </div>
        {p.displayLink ? (
          <a class="button" href="/queue/display-link">
            Waiting-room display
          </a>
        ) : null}
      </div>
      {p.doctors.length ? (
        <div class="tiles queue-tiles">
          {p.doctors.map((d) => (
            <a class="tile" href={`/queue/${d.id}`}>
              <span class="doc-name">
                <strong safe>{d.name}</strong>
                {d.mine ? <span class="badge badge-ok">You</span> : null}
              </span>
              <span class="label" safe>
                {d.specialty + (d.sessions ? ` · ${d.sessions}` : ' · no session today')}
              </span>
              <span class="queue-figures">
                <span>
                  <strong safe>{String(d.waiting)}</strong> waiting
                </span>
                <span>
                  <strong safe>{String(d.done)}</strong> done
                </span>
                {d.called !== null ? (
                  <span>
                    now <strong safe>{String(d.called)}</strong>
                  </span>
                ) : null}
              </span>
            </a>
          ))}
        </div>
      ) : (
        <section class="card">
          <p class="empty">No active doctors in this branch yet.</p>
        </section>
      )}
    </Layout>
  );
}
