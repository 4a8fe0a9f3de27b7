// The scheduling pages over real HTTP without a browser: a cookie session from the login
// form, the day board's counts, booking (CSRF, the one-time form token, a slot just taken),
// the appointment's actions, the queue's moves (plain and htmx), walk-ins, the doctor's own
// queue, and the waiting-room display's secret link. The clock is pinned to 10:00 IST on
// Tuesday 1 December 2026.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { fixedClock } from '../../src/core/clock';
import type { Tx } from '../../src/core/runner';
import type { Scope } from '../../src/core/scope';
import { registerPatient } from '../../src/patients/commands';
import { bookAppointment, cancelAppointment, checkIn, declareHoliday, moveToken, registerDoctor, setAvailability } from '../../src/scheduling/commands';
import { displayToken } from '../../src/scheduling/pages';
import { OWNER, startServer, type TestServer } from '../helpers/server';
import { Client, hidden } from '../helpers/web-client';


/** The one-time token of the form posting to `action`. */
const formToken = (html: string, action: string): string => {
  const i = html.indexOf(`action="${action}"`);
  if (i < 0) throw new Error(`no form posting to ${action}`);
  return hidden(html.slice(i), '_form_token');
};

const clock = fixedClock('2026-12-01T04:30:00Z'); // 10:00 IST, a Tuesday
const DAY = '2026-12-01';
let server: TestServer;
let web: Client;
let csrf = '';
let scope: Scope;
const ids = { meera: '', arjun: '', asha: '', ravi: '', sunita: '', kiran: '', appt0900: '', appt0930: '', appt1030: '' };

const run = <R>(fn: (tx: Tx) => R): R => server.svc.kernel.runner.run({ actor: { userId: server.ownerId, name: 'Olivia Owner', role: 'owner', via: 'cli' } }, fn);
const at = (hhmm: string, date = DAY) => `${date}T${hhmm}:00+05:30`;
const countOf = (type: string) => (server.svc.kernel.db.query('SELECT count(*) AS n FROM events WHERE type = ?').get(type) as { n: number }).n;

async function signIn(client: Client, username = OWNER.username, password = OWNER.password): Promise<string> {
  const login = await client.get('/login');
  const res = await client.post('/login', { _csrf: hidden(await login.text(), '_csrf'), username, password, next: '/' });
  expect(res.status).toBe(303);
  return hidden(await (await client.get('/')).text(), '_csrf');
}

beforeAll(async () => {
  server = await startServer({ clock });
  scope = { userId: server.ownerId, username: 'owner', name: 'Olivia Owner', role: 'owner', branchId: server.branchId, branchIds: [server.branchId], sessionId: 'seed', via: 'bearer' };
  const doctorUser = await server.addUser('drmeera', 'doctor');
  await server.addUser('desk', 'front_desk');
  await server.addUser('lab', 'lab');
  ids.meera = run((tx) =>
    registerDoctor(tx, scope, { name: 'Dr. Meera Iyer', specialty: 'General medicine', registration_number: 'KMC-1001', slot_minutes: 15, fee: { amount: 50000, currency: 'INR' }, user_id: doctorUser }),
  );
  ids.arjun = run((tx) => registerDoctor(tx, scope, { name: 'Dr. Arjun Rao', specialty: 'Paediatrics', registration_number: 'KMC-1002', slot_minutes: 20, fee: { amount: 60000, currency: 'INR' } }));
  const weekdays = [1, 2, 3, 4, 5, 6].flatMap((weekday) => [
    { weekday, start: '09:00', end: '13:00' },
    { weekday, start: '17:00', end: '19:00' },
  ]);
  run((tx) => setAvailability(tx, scope, ids.meera, weekdays, [{ date: DAY, kind: 'block', start: '12:30', end: '13:00', note: 'Ward round' }]));
  run((tx) => setAvailability(tx, scope, ids.arjun, weekdays, [{ date: DAY, kind: 'leave', note: 'Conference' }]));
  run((tx) => declareHoliday(tx, scope, '2026-12-03', 'Founders Day'));
  const reg = (name: string, phone: string) => run((tx) => registerPatient(tx, scope, { name, phone, sex: 'female', age_years: 40 })).patient.id;
  ids.asha = reg('Asha Rao', '9845012345');
  ids.ravi = reg('Ravi Kumar', '9845012346');
  ids.sunita = reg('Sunita Devi', '9845012347');
  ids.kiran = reg('Kiran Shah', '9845012348');
  const patientC = reg('Chitra Menon', '9845012349');
  // The morning's bookings were made yesterday.
  clock.set('2026-11-30T04:30:00Z');
  ids.appt0900 = run((tx) => bookAppointment(tx, scope, { patient_id: ids.sunita, doctor_id: ids.meera, start: at('09:00'), mode: 'in_person' }));
  const appt0915 = run((tx) => bookAppointment(tx, scope, { patient_id: ids.kiran, doctor_id: ids.meera, start: at('09:15'), mode: 'in_person' }));
  ids.appt0930 = run((tx) => bookAppointment(tx, scope, { patient_id: patientC, doctor_id: ids.meera, start: at('09:30'), mode: 'tele' }));
  ids.appt1030 = run((tx) => bookAppointment(tx, scope, { patient_id: ids.ravi, doctor_id: ids.meera, start: at('10:30'), mode: 'in_person', note: 'Fever since Sunday' }));
  const cancelled = run((tx) => bookAppointment(tx, scope, { patient_id: ids.asha, doctor_id: ids.meera, start: at('11:30'), mode: 'in_person' }));
  run((tx) => cancelAppointment(tx, scope, cancelled, 'Travelling'));
  clock.set('2026-12-01T04:30:00Z');
  run((tx) => checkIn(tx, scope, ids.appt0900, 'normal'));
  const t2 = run((tx) => checkIn(tx, scope, appt0915, 'normal'));
  run((tx) => moveToken(tx, scope, t2.tokenId, 'start'));
  run((tx) => moveToken(tx, scope, t2.tokenId, 'complete'));
  web = new Client(server.url);
  csrf = await signIn(web);
});
afterAll(() => server.stop());

/** The board's section for one doctor. */
function section(html: string, doctorId: string): string {
  const i = html.indexOf(`aria-labelledby="doc-${doctorId}"`);
  expect(i).toBeGreaterThan(0);
  const end = html.indexOf('</section>', i);
  return html.slice(i, end);
}

describe('day board', () => {
  test('every active doctor with the day’s counts, colours, gaps and the next free slot', async () => {
    const res = await web.get('/board');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Tue, 1 Dec 2026');
    const meera = section(html, ids.meera);
    // 09:30 and 10:30 booked; 09:00 checked in; 09:15 done; 11:30 cancelled (its slot free again).
    expect(meera).toContain('<strong>2</strong> <span>booked</span>');
    expect(meera).toContain('<strong>1</strong> <span>checked in</span>');
    expect(meera).toContain('<strong>1</strong> <span>done</span>');
    expect(meera).toContain('<strong>1</strong> <span>cancelled</span>');
    // Future slots 10:15–12:15 (9), minus 10:30 booked; 12:30 and 12:45 are blocked; 17:00–18:45 (8).
    expect(meera).toContain('<strong>16</strong> <span>free</span>');
    expect(meera).toContain(`class="slot s-checked_in" href="/appointments/${ids.appt0900}"`);
    expect(meera).toMatch(/class="slot s-completed" href="\/appointments\/[0-9a-f-]{36}"/);
    expect(meera).toContain(`class="slot s-booked" href="/appointments/${ids.appt1030}"`);
    expect(meera).toMatch(/<span class="slot s-past" title="10:00 past, not booked">/);
    expect(meera).toMatch(/<span class="slot s-blocked" title="12:30 blocked">/);
    expect(meera).toContain('Next free: <strong>10:15</strong>');
    expect(meera).toContain('10:15–10:30, 10:45–12:30, 17:00–19:00');
    // One click from the board to booking that slot.
    expect(meera).toContain(`href="/appointments/new?doctor_id=${ids.meera}&date=${DAY}&start=2026-12-01T10%3A15%3A00%2B05%3A30"`);
    // Patients' names are in the slots' text for screen readers and hover.
    expect(meera).toContain('10:30 booked: Ravi Kumar');
    const arjun = section(html, ids.arjun);
    expect(arjun).toContain('<strong>On leave</strong>');
    expect(arjun).toContain('Conference');
    expect(arjun).not.toContain('class="slot');
  });

  test('a holiday, date navigation, a bad date', async () => {
    const res = await web.get('/board?date=2026-12-03');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<strong>Holiday:</strong> <span>Founders Day</span>');
    expect(html).toContain('href="/board?date=2026-12-02"');
    expect(html).toContain('href="/board?date=2026-12-04"');
    expect(html).toContain(`href="/board?date=${DAY}"`); // back to today
    expect((await web.get('/board?date=2026-02-30')).status).toBe(400);
  });

  test('a doctor’s week: seven days, sessions with counts, free slots to book', async () => {
    const res = await web.get(`/board/doctor/${ids.meera}?week=2026-12-02`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('week of Mon, 30 Nov 2026');
    for (const d of ['30 Nov', '1 Dec', '2 Dec', '3 Dec', '4 Dec', '5 Dec', '6 Dec']) expect(html).toContain(d);
    expect(html).toContain('Holiday — Founders Day');
    expect(html).toContain('No session'); // Sunday
    expect(html).toContain('4 booked · 8 free'); // Tuesday morning after 10:00
    expect(html).toContain(`/appointments/new?doctor_id=${ids.meera}&date=2026-12-02&start=2026-12-02T09%3A00%3A00%2B05%3A30`);
    expect((await web.get(`/board/doctor/${crypto.randomUUID()}`)).status).toBe(404);
  });
});

describe('booking', () => {
  test('search a patient (htmx fragment), choose, see the slots as buttons', async () => {
    const frag = await web.get(`/appointments/new/patients?q=asha&doctor_id=${ids.meera}&date=${DAY}`, { 'hx-request': 'true' });
    expect(frag.status).toBe(200);
    const f = await frag.text();
    expect(f).not.toContain('<html');
    expect(f).toContain('Asha Rao');
    expect(f).toContain(`href="/appointments/new?doctor_id=${ids.meera}&date=${DAY}&patient_id=${ids.asha}"`);

    const before = await (await web.get(`/appointments/new?doctor_id=${ids.meera}&date=${DAY}`)).text();
    expect(before).toContain('Choose the patient first');
    expect(before).toMatch(/name="start" value="2026-12-01T10:15:00\+05:30" class="slot-button" disabled/);

    const page = await web.get(`/appointments/new?patient_id=${ids.asha}&doctor_id=${ids.meera}&date=${DAY}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Asha Rao');
    expect(html).toContain('Click a time to book it.');
    expect(html).toMatch(/<button type="submit" form="booking-form" name="start" value="2026-12-01T11:00:00\+05:30" class="slot-button">/);
    // Taken, past and blocked times are not buttons.
    expect(html).not.toContain('value="2026-12-01T10:30:00+05:30"');
    expect(html).not.toContain('value="2026-12-01T09:45:00+05:30"');
    expect(html).not.toContain('value="2026-12-01T12:30:00+05:30"');
    // The date box answers the slots for another day in place.
    const slots = await web.get(`/appointments/new/slots?patient_id=${ids.asha}&doctor_id=${ids.meera}&date=2026-12-03`, { 'hx-request': 'true' });
    expect(slots.status).toBe(200);
    const s = await slots.text();
    expect(s).not.toContain('<html');
    expect(s).toContain('Holiday: Founders Day');
    expect(slots.headers.get('hx-replace-url')).toBe(`/appointments/new?patient_id=${ids.asha}&doctor_id=${ids.meera}&date=2026-12-03`);
  });

  test('POST /appointments without the CSRF token is refused and records nothing', async () => {
    const page = await (await web.get(`/appointments/new?patient_id=${ids.asha}&doctor_id=${ids.meera}&date=${DAY}`)).text();
    const before = server.eventCount();
    const fields = { _form_token: formToken(page, '/appointments'), patient_id: ids.asha, doctor_id: ids.meera, mode: 'in_person', note: '', start: at('11:00') };
    const res = await web.post('/appointments', fields);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('did not come from this site');
    expect((await web.post('/appointments', { ...fields, _csrf: 'x'.repeat(43) })).status).toBe(403);
    expect(server.eventCount()).toBe(before);
  });

  let bookedAt = '';
  test('a double-submitted booking form books once', async () => {
    const page = await (await web.get(`/appointments/new?patient_id=${ids.asha}&doctor_id=${ids.meera}&date=${DAY}`)).text();
    const before = countOf('appointment.booked');
    const fields = { _csrf: csrf, _form_token: formToken(page, '/appointments'), patient_id: ids.asha, doctor_id: ids.meera, mode: 'in_person', note: 'Follow-up of BP', start: at('11:00') };
    const [a, b] = [await web.post('/appointments', fields), await web.post('/appointments', fields)];
    expect(a.status).toBe(303);
    expect(b.status).toBe(303);
    bookedAt = a.headers.get('location')!;
    expect(bookedAt).toMatch(/^\/appointments\/[0-9a-f-]{36}$/);
    expect(b.headers.get('location')).toBe(bookedAt);
    expect(countOf('appointment.booked')).toBe(before + 1);
    const shown = await (await web.get(bookedAt)).text();
    expect(shown).toContain('Booked Asha Rao with Dr. Meera Iyer on Tue, 1 Dec 2026 at 11:00');
    expect(shown).toContain('Follow-up of BP');
    expect(shown).toContain('Tue, 1 Dec 2026, 11:00–11:15');
  });

  test('a slot taken meanwhile: 409, the message, the fresh slot list', async () => {
    const page = await (await web.get(`/appointments/new?patient_id=${ids.kiran}&doctor_id=${ids.meera}&date=${DAY}`)).text();
    const before = server.eventCount();
    // Someone else takes 11:15 while this page is open.
    run((tx) => bookAppointment(tx, scope, { patient_id: ids.ravi, doctor_id: ids.meera, start: at('11:15'), mode: 'in_person' }));
    const res = await web.post('/appointments', { _csrf: csrf, _form_token: formToken(page, '/appointments'), patient_id: ids.kiran, doctor_id: ids.meera, mode: 'tele', note: 'x', start: at('11:15') });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain('Dr. Meera Iyer is already booked at 11:15 on 2026-12-01. Choose another time.');
    expect(html).toContain('id="slot-error"');
    expect(html).not.toContain('value="2026-12-01T11:15:00+05:30"');
    expect(html).toContain('value="2026-12-01T11:45:00+05:30"');
    expect(html).toContain('value="tele" checked');
    expect(server.eventCount()).toBe(before + 1); // only the booking made behind its back
  });

  test('refused input comes back at its field: a too-long note, no patient', async () => {
    const page = await (await web.get(`/appointments/new?patient_id=${ids.kiran}&doctor_id=${ids.meera}&date=${DAY}`)).text();
    const res = await web.post('/appointments', { _csrf: csrf, _form_token: formToken(page, '/appointments'), patient_id: ids.kiran, doctor_id: ids.meera, mode: 'in_person', note: 'n'.repeat(501), start: at('11:45') });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/id="f-note-error" class="error">note is too long/);
    const none = await web.post('/appointments', { _csrf: csrf, _form_token: 'tok-none-1', doctor_id: ids.meera, mode: 'in_person', start: at('11:45') });
    expect(none.status).toBe(422);
    expect(await none.text()).toContain('Choose the patient first');
  });

  test('roles: the lab reads the board but cannot book', async () => {
    const lab = new Client(server.url);
    await signIn(lab, 'lab', 'staff-pass-1');
    expect((await lab.get('/board')).status).toBe(200);
    expect((await lab.get('/appointments/new')).status).toBe(403);
  });
});

describe('one appointment', () => {
  const page = async (id: string) => (await web.get(`/appointments/${id}`)).text();

  test('cancel needs a reason; the reason is kept', async () => {
    const html = await page(ids.appt0930);
    const none = await web.post(`/appointments/${ids.appt0930}/cancel`, { _csrf: csrf, _form_token: formToken(html, `/appointments/${ids.appt0930}/cancel`), reason: ' ' });
    expect(none.status).toBe(422);
    expect(await none.text()).toMatch(/id="f-reason-error" class="error">Give a reason/);
    const ok = await web.post(`/appointments/${ids.appt0930}/cancel`, { _csrf: csrf, _form_token: formToken(html, `/appointments/${ids.appt0930}/cancel`), reason: 'Patient unwell' });
    expect(ok.status).toBe(303);
    const after = await page(ids.appt0930);
    expect(after).toContain('Cancelled the appointment');
    expect(after).toContain('Reason: Patient unwell');
    expect(after).not.toContain('Check in</button>');
  });

  test('a no-show before the time is a 409 with the message; reschedule to a free slot', async () => {
    const html = await page(ids.appt1030);
    expect(html).not.toContain('Mark as no-show'); // not started yet
    const early = await web.post(`/appointments/${ids.appt1030}/no-show`, { _csrf: csrf, _form_token: 'early-no-show' });
    expect(early.status).toBe(409);
    expect(await early.text()).toContain('The appointment has not started yet');
    const moved = await web.post(`/appointments/${ids.appt1030}/reschedule`, { _csrf: csrf, _form_token: formToken(html, `/appointments/${ids.appt1030}/reschedule`), start: at('12:00') });
    expect(moved.status).toBe(303);
    const after = await page(ids.appt1030);
    expect(after).toContain('Moved to Tue, 1 Dec 2026 at 12:00');
    expect(after).toContain('From 1 Dec 2026, 10:30 to 1 Dec 2026, 12:00');
  });

  test('check in with a priority: the token, and the queue shows it', async () => {
    const html = await page(ids.appt1030);
    const res = await web.post(`/appointments/${ids.appt1030}/check-in`, { _csrf: csrf, _form_token: formToken(html, `/appointments/${ids.appt1030}/check-in`), priority: 'elderly' });
    expect(res.status).toBe(303);
    const after = await page(ids.appt1030);
    expect(after).toContain('Checked in: token 3');
    expect(after).toContain(`href="/queue/${ids.meera}?date=${DAY}"`);
    const again = await web.post(`/appointments/${ids.appt1030}/check-in`, { _csrf: csrf, _form_token: 'second-check-in', priority: 'normal' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('Cannot check in an appointment that is already checked in');
    expect((await web.get(`/appointments/${crypto.randomUUID()}`)).status).toBe(404);
  });
});

describe('queues', () => {
  const tokenOf = (n: number) => (server.svc.kernel.db.query('SELECT id, state FROM queue_tokens WHERE doctor_id = ? AND number = ?').get(ids.meera, n) as { id: string; state: string });

  test('the queue page: tokens in service order with their moves; the list is a polled fragment', async () => {
    const res = await web.get(`/queue/${ids.meera}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    // Token 3 (elderly) is served before token 1.
    expect(html.indexOf('id="token-' + tokenOf(3).id)).toBeLessThan(html.indexOf('id="token-' + tokenOf(1).id));
    expect(html).toContain(`hx-get="/queue/${ids.meera}/tokens?date=${DAY}"`);
    expect(html).toContain('every 2s');
    expect(html).toContain('Ravi Kumar');
    const frag = await web.get(`/queue/${ids.meera}/tokens?date=${DAY}`, { 'hx-request': 'true' });
    expect(frag.status).toBe(200);
    const f = await frag.text();
    expect(f.startsWith('<div id="tokens"')).toBe(true);
    expect(f).toContain('Ravi Kumar');
  });

  test('moves: plain form → redirect with flash; htmx → the list; an illegal move → 409 with the message', async () => {
    const page = await (await web.get(`/queue/${ids.meera}`)).text();
    const t3 = tokenOf(3);
    const call = await web.post(`/queue/tokens/${t3.id}/call`, { _csrf: csrf, _form_token: formToken(page, `/queue/tokens/${t3.id}/call`) });
    expect(call.status).toBe(303);
    expect(call.headers.get('location')).toBe(`/queue/${ids.meera}?date=${DAY}`);
    expect(await (await web.get(call.headers.get('location')!)).text()).toContain('Called token 3');
    expect(tokenOf(3).state).toBe('called');
    const t1 = tokenOf(1);
    const refused = await web.post(`/queue/tokens/${t1.id}/call`, { _csrf: csrf, _form_token: 'call-1-while-3' }, { 'hx-request': 'true' });
    expect(refused.status).toBe(409);
    const r = await refused.text();
    expect(r).toContain('Token 3 is still called: start or skip it first');
    expect(r).toContain('<hx-partial hx-target="#queue-msg"');
    const start = await web.post(`/queue/tokens/${t3.id}/start`, { _csrf: csrf, _form_token: 'start-3' }, { 'hx-request': 'true' });
    expect(start.status).toBe(200);
    const s = await start.text();
    expect(s.startsWith('<div id="tokens"')).toBe(true);
    expect(s).toContain('Started the consultation of token 3');
    expect(tokenOf(3).state).toBe('in_consultation');
  });

  test('complete with "review in N days" schedules the follow-up in the same step', async () => {
    const t3 = tokenOf(3);
    const bad = await web.post(`/queue/tokens/${t3.id}/complete`, { _csrf: csrf, _form_token: 'complete-3-bad', review_days: '0' }, { 'hx-request': 'true' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Review in: give a whole number of days from 1 to 730');
    expect(tokenOf(3).state).toBe('in_consultation');
    const before = countOf('followup.scheduled');
    const ok = await web.post(`/queue/tokens/${t3.id}/complete`, { _csrf: csrf, _form_token: 'complete-3', review_days: '14' });
    expect(ok.status).toBe(303);
    expect(tokenOf(3).state).toBe('done');
    expect(countOf('followup.scheduled')).toBe(before + 1);
    const f = server.svc.kernel.db.query('SELECT patient_id, doctor_id, due_date FROM followups ORDER BY created_at DESC LIMIT 1').get() as { patient_id: string; doctor_id: string; due_date: string };
    expect(f).toEqual({ patient_id: ids.ravi, doctor_id: ids.meera, due_date: '2026-12-15' });
    expect(await (await web.get(ok.headers.get('location')!)).text()).toContain('Completed token 3; review due Tue, 15 Dec 2026');
  });

  test('the recall’s "Book" opens booking with the patient, the doctor and the due date', async () => {
    const f = server.svc.kernel.db.query(`SELECT id FROM followups WHERE status = 'due'`).get() as { id: string };
    const res = await web.get(`/appointments/new?followup_id=${f.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('For the follow-up due Tue, 15 Dec 2026.');
    expect(html).toMatch(/<a href="\/patients\/[0-9a-f-]{36}"><strong>Ravi Kumar<\/strong><\/a>/);
    expect(html).toContain('aria-current="true"');
    expect(html).toContain('<h3 class="slots-day"><span>Dr. Meera Iyer</span> · <span>Tue, 15 Dec 2026</span></h3>');
    expect(html).toContain(`name="followup_id" value="${f.id}"`);
    const before = countOf('followup.booked');
    const res2 = await web.post('/appointments', {
      _csrf: csrf,
      _form_token: formToken(html, '/appointments'),
      patient_id: ids.ravi,
      doctor_id: ids.meera,
      followup_id: f.id,
      mode: 'in_person',
      note: '',
      start: at('09:30', '2026-12-15'),
    });
    expect(res2.status).toBe(303);
    expect(countOf('followup.booked')).toBe(before + 1);
  });

  test('walk-ins: search fragment, a token, refused twice for the same patient', async () => {
    const frag = await (await web.get(`/queue/${ids.meera}/patients?q=kiran`, { 'hx-request': 'true' })).text();
    expect(frag).toContain(`name="patient_id" value="${ids.kiran}" form="walkin-form"`);
    const page = await (await web.get(`/queue/${ids.meera}?q=kiran`)).text();
    const token = formToken(page, '/walk-ins');
    const res = await web.post('/walk-ins', { _csrf: csrf, _form_token: token, doctor_id: ids.meera, priority: 'emergency', patient_id: ids.kiran });
    expect(res.status).toBe(303);
    expect(await (await web.get(res.headers.get('location')!)).text()).toContain('Token 4 for Kiran Shah');
    const again = await web.post('/walk-ins', { _csrf: csrf, _form_token: 'walk-in-again', doctor_id: ids.meera, priority: 'normal', patient_id: ids.kiran });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already holds token 4');
  });

  test('a doctor’s account goes straight to their own queue', async () => {
    const doctor = new Client(server.url);
    await signIn(doctor, 'drmeera', 'staff-pass-1');
    const res = await doctor.get('/queue');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/queue/${ids.meera}`);
    expect((await doctor.get('/queue?all=1')).status).toBe(200);
    expect((await doctor.get('/queue/display-link')).status).toBe(403);
  });
});

describe('waiting-room display', () => {
  test('the display link is for admins', async () => {
    const res = await web.get('/queue/display-link');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`/display?branch=${server.branchId}&token=${displayToken(server.svc.secret, server.branchId)}`);
    const desk = new Client(server.url);
    await signIn(desk, 'desk', 'staff-pass-1');
    expect((await desk.get('/queue/display-link')).status).toBe(403);
  });

  test('without, or with a wrong, token: 404; with it: the called number, no names', async () => {
    const anon = new Client(server.url);
    const token = displayToken(server.svc.secret, server.branchId);
    expect((await anon.get(`/display?branch=${server.branchId}`)).status).toBe(404);
    expect((await anon.get(`/display?branch=${server.branchId}&token=${token.slice(0, -2)}xx`)).status).toBe(404);
    expect((await anon.get(`/display?branch=${crypto.randomUUID()}&token=${token}`)).status).toBe(404);
    expect((await anon.get('/display')).status).toBe(404);
    // Call token 1 so there is a number to show.
    run((tx) => moveToken(tx, scope, (server.svc.kernel.db.query('SELECT id FROM queue_tokens WHERE number = 1 AND doctor_id = ?').get(ids.meera) as { id: string }).id, 'call'));
    const res = await anon.get(`/display?branch=${server.branchId}&token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Dr. Meera Iyer');
    expect(html).toMatch(/<p class="now-number" data-state="called">1<\/p>/);
    expect(html).toContain('http-equiv="refresh"');
    expect(html).toContain('every 3s');
    for (const name of ['Asha', 'Ravi', 'Sunita', 'Kiran', 'Chitra']) expect(html).not.toContain(name);
    const frag = await anon.get(`/display?branch=${server.branchId}&token=${encodeURIComponent(token)}`, { 'hx-request': 'true' });
    const f = await frag.text();
    expect(f.startsWith('<main id="display"')).toBe(true);
    // Another secret (a rotated server secret) makes the old link stop working.
    expect(displayToken('another-secret', server.branchId)).not.toBe(token);
  });
});
