// The doctor admin pages, branch holidays and the recall list through real HTTP, as a
// browser without JavaScript uses them: cookie session, forms with their CSRF field.
// The clock is pinned to Tuesday 2026-12-01 08:30 IST. Sessions are minted directly (a
// session row and a signed cookie), so the test does not depend on the real date.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHmac } from 'node:crypto';
import { createSession } from '../../src/auth/sessions';
import { fixedClock } from '../../src/core/clock';
import { systemActor } from '../../src/core/runner';
import type { Scope } from '../../src/core/scope';
import { registerPatient } from '../../src/patients/commands';
import { registerDoctor, scheduleFollowup } from '../../src/scheduling/commands';
import { startServer, type TestServer } from '../helpers/server';
import { Client as Browser } from '../helpers/web-client';

const NOW = '2026-12-01T03:00:00Z';
let srv: TestServer;

beforeAll(async () => {
  srv = await startServer({ clock: fixedClock(NOW) });
});
afterAll(async () => {
  await srv.stop();
});

function signJwt(payload: Record<string, unknown>, secret: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const data = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  return `${data}.${createHmac('sha256', secret).update(data).digest('base64url')}`;
}

/** A signed-in browser: cookies, no JavaScript. (The token must be unexpired both by the real
 * time, which the JWT library checks, and by the pinned clock, which the guard checks.) */

function signedIn(userId: string): Browser {
  const { db, clock } = srv.svc.kernel;
  const session = createSession(db, userId, 'web', 12, clock.now(), '127.0.0.1', 'test');
  const token = signJwt({ sub: userId, sid: session.id, knd: 'web', exp: Math.floor(Math.max(Date.now(), clock.now().getTime()) / 1000) + 3600 }, srv.svc.secret);
  const b = new Browser(srv.url);
  b.cookies.set('mm_session', token);
  b.cookies.set('mm_branch', srv.branchId);
  return b;
}

const countOf = (type: string) => (srv.svc.kernel.db.query('SELECT count(*) AS n FROM events WHERE type = ?').get(type) as { n: number }).n;
const lastData = (type: string) =>
  JSON.parse((srv.svc.kernel.db.query('SELECT data FROM events WHERE type = ? ORDER BY seq DESC LIMIT 1').get(type) as { data: string }).data);
const ownerScope = (): Scope => ({
  userId: srv.ownerId,
  username: 'owner',
  name: 'Olivia Owner',
  role: 'owner',
  branchId: srv.branchId,
  branchIds: [srv.branchId],
  sessionId: 'test',
  via: 'bearer',
});
const run = <R>(fn: Parameters<typeof srv.svc.kernel.runner.run<R>>[1]) => srv.svc.kernel.runner.run({ actor: systemActor('cli') }, fn);
/** The HTML with attribute values blanked, to look at text only. */
const text = (html: string) => html.replace(/="[^"]*"/g, '=""');
/** Keys of the blank rows of a group on the availability page. */
const blankKeys = (html: string, prefix: 's' | 'x') =>
  [...html.matchAll(new RegExp(`name="${prefix}_([A-Za-z0-9]+)_${prefix === 's' ? 'start' : 'date'}" type="(?:time|date)"(?: value="([^"]*)")?`, 'g'))]
    .filter((m) => !m[2])
    .map((m) => m[1]);

let owner: Browser;
let doctorId = '';
let doctorUserId = '';

describe('doctors', () => {
  test('owner adds a doctor through the form, linked to a doctor account; a double submit adds one', async () => {
    doctorUserId = await srv.addUser('dr.meera', 'doctor');
    await srv.addUser('fd.asha', 'front_desk');
    owner = signedIn(srv.ownerId);
    const list = await owner.page('/admin/doctors');
    expect(list.status).toBe(200);
    expect(list.html).toContain('No doctors yet');
    expect(list.html).toContain('href="/admin/doctors/new"');

    const form = await owner.page('/admin/doctors/new');
    expect(form.status).toBe(200);
    expect(form.html).toContain(`<option value="${doctorUserId}">dr.meera (dr.meera)</option>`);
    expect(form.html).not.toContain('fd.asha'); // only doctor accounts can be linked
    const formToken = /name="_form_token" value="([^"]+)"/.exec(form.html)![1];
    const fields = {
      _csrf: form.csrf,
      _form_token: formToken,
      name: 'Dr. Meera Rao',
      specialty: 'General Medicine',
      registration_number: 'KMC 45678',
      slot_minutes: '15',
      fee: '₹1,234.50',
      languages: 'English, Kannada, Hindi',
      user_id: doctorUserId,
    };
    const res = await owner.post('/admin/doctors/new', fields);
    expect(res.status).toBe(303);
    doctorId = (srv.svc.kernel.db.query('SELECT id FROM doctors').get() as { id: string }).id;
    expect(res.headers.get('location')).toBe(`/admin/doctors/${doctorId}/availability`);
    const again = await owner.post('/admin/doctors/new', fields);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(`/admin/doctors/${doctorId}/availability`);
    expect(countOf('doctor.registered')).toBe(1);
    const data = lastData('doctor.registered');
    expect(data.fee).toEqual({ amount: 123450, currency: 'INR' });
    expect(data.languages).toEqual(['English', 'Kannada', 'Hindi']);
    expect(data.user_id).toBe(doctorUserId);

    const after = await owner.page('/admin/doctors');
    const t = text(after.html);
    for (const s of ['Dr. Meera Rao', 'General Medicine', 'KMC 45678', '15 min', '₹1,234.50', 'English, Kannada, Hindi', 'dr.meera (dr.meera)', 'Active']) {
      expect(t).toContain(s);
    }
  });

  test('a bad fee or a non-doctor account is refused at its field; nothing is appended', async () => {
    const form = await owner.page(`/admin/doctors/${doctorId}`);
    expect(form.status).toBe(200);
    const before = srv.eventCount();
    const fdId = (srv.svc.kernel.db.query("SELECT id FROM users WHERE username = 'fd.asha'").get() as { id: string }).id;
    const base = { _csrf: form.csrf, name: 'Dr. Meera Rao', specialty: 'General Medicine', registration_number: 'KMC 45678', slot_minutes: '15', languages: '' };
    const badFee = await owner.post(`/admin/doctors/${doctorId}`, { ...base, fee: '12abc', user_id: '' });
    expect(badFee.status).toBe(422);
    const badFeeHtml = await badFee.text();
    expect(badFeeHtml).toContain('Fee must be an amount in rupees');
    expect(badFeeHtml).toContain('id="f-fee-error"');
    expect(badFeeHtml).toContain('value="12abc"');
    const badUser = await owner.post(`/admin/doctors/${doctorId}`, { ...base, fee: '500', user_id: fdId });
    expect(badUser.status).toBe(422);
    expect(await badUser.text()).toContain('id="f-user_id-error"');
    const badSlot = await owner.post(`/admin/doctors/${doctorId}`, { ...base, fee: '500', user_id: '', slot_minutes: '7' });
    expect(badSlot.status).toBe(422);
    expect(await badSlot.text()).toContain('id="f-slot_minutes-error"');
    expect(srv.eventCount()).toBe(before);
  });

  test('editing the profile changes only what changed', async () => {
    const form = await owner.page(`/admin/doctors/${doctorId}`);
    const res = await owner.post(`/admin/doctors/${doctorId}`, {
      _csrf: form.csrf,
      name: 'Dr. Meera Rao',
      specialty: 'General Medicine',
      registration_number: 'KMC 45678',
      slot_minutes: '15',
      fee: '650',
      languages: 'English, Kannada, Hindi',
      user_id: doctorUserId,
    });
    expect(res.status).toBe(303);
    expect(lastData('doctor.profile_changed').changes).toEqual({ fee: { amount: 65000, currency: 'INR' } });
    const page = await owner.page(`/admin/doctors/${doctorId}`);
    expect(page.html).toContain('Profile saved');
    expect(page.html).toContain('name="fee" type="text" value="650"');
  });

  test('deactivate and reactivate', async () => {
    const form = await owner.page(`/admin/doctors/${doctorId}`);
    expect((await owner.post(`/admin/doctors/${doctorId}/deactivate`, { _csrf: form.csrf })).status).toBe(303);
    expect((await owner.page('/admin/doctors')).html).toContain('badge badge-off">Inactive');
    expect((await owner.post(`/admin/doctors/${doctorId}/reactivate`, { _csrf: form.csrf })).status).toBe(303);
    expect(text((await owner.page(`/admin/doctors/${doctorId}`)).html)).toContain('is active again');
    expect(countOf('doctor.deactivated')).toBe(1);
    expect(countOf('doctor.reactivated')).toBe(1);
  });

  test('an unknown or malformed doctor id is 404', async () => {
    expect((await owner.get('/admin/doctors/01a209d7-799c-72d3-b7b3-d473835f09e5')).status).toBe(404);
    expect((await owner.get('/admin/doctors/nope/availability')).status).toBe(404);
  });
});

describe('availability', () => {
  test('weekly sessions and a leave day through the form; the preview shows the next 7 days', async () => {
    const page = await owner.page(`/admin/doctors/${doctorId}/availability`);
    expect(page.status).toBe(200);
    const s = blankKeys(page.html, 's');
    const x = blankKeys(page.html, 'x');
    expect(s.length).toBe(3); // blank rows to fill in without JavaScript
    expect(x.length).toBe(3);
    const res = await owner.post(`/admin/doctors/${doctorId}/availability`, {
      _csrf: page.csrf,
      [`s_${s[0]}_weekday`]: '1',
      [`s_${s[0]}_start`]: '10:00',
      [`s_${s[0]}_end`]: '13:00',
      [`s_${s[0]}_walk_in`]: '',
      [`s_${s[1]}_weekday`]: '1',
      [`s_${s[1]}_start`]: '17:00',
      [`s_${s[1]}_end`]: '20:00',
      [`s_${s[1]}_walk_in`]: '5',
      [`s_${s[2]}_weekday`]: '2',
      [`s_${s[2]}_start`]: '10:00',
      [`s_${s[2]}_end`]: '13:00',
      [`s_${s[2]}_walk_in`]: '0',
      [`x_${x[0]}_date`]: '2026-12-07',
      [`x_${x[0]}_kind`]: 'cancelled',
      [`x_${x[0]}_start`]: '17:00',
      [`x_${x[0]}_end`]: '20:00',
      [`x_${x[0]}_note`]: 'Conference',
      [`x_${x[1]}_date`]: '2026-12-08',
      [`x_${x[1]}_kind`]: 'leave',
      [`x_${x[1]}_start`]: '',
      [`x_${x[1]}_end`]: '',
      [`x_${x[1]}_note`]: '',
      [`x_${x[2]}_date`]: '',
      [`x_${x[2]}_kind`]: 'leave',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/admin/doctors/${doctorId}/availability`);
    const data = lastData('doctor.availability_set');
    expect(data.sessions).toEqual([
      { weekday: 1, start: '10:00', end: '13:00', walk_in_allowance: 0 },
      { weekday: 1, start: '17:00', end: '20:00', walk_in_allowance: 5 },
      { weekday: 2, start: '10:00', end: '13:00', walk_in_allowance: 0 },
    ]);
    expect(data.exceptions).toEqual([
      { date: '2026-12-07', kind: 'cancelled', start: '17:00', end: '20:00', note: 'Conference' },
      { date: '2026-12-08', kind: 'leave', note: null },
    ]);

    const after = await owner.page(`/admin/doctors/${doctorId}/availability`);
    const t = text(after.html);
    expect(t).toContain('saved');
    // Tue 1 Dec: 10:00–13:00, 12 slots of 15 min, all still free at 08:30.
    expect(t).toMatch(/Tue, 1 Dec<\/th>\s*<td><ul><li>10:00–13:00 · 12 slots, 12 free<\/li>/);
    // Mon 7 Dec: the evening session is cancelled.
    expect(t).toMatch(/Mon, 7 Dec<\/th>\s*<td><ul><li>10:00–13:00 · 12 slots, 12 free<\/li><\/ul>/);
    expect(t).toMatch(/Wed, 2 Dec<\/th>\s*<td><span class="">No sessions/);
    // The saved rows come back filled in, plus blank ones.
    expect(after.html).toContain('value="17:00"');
    expect(blankKeys(after.html, 's').length).toBe(3);
  });

  test('a session ending before it starts is refused next to its row, as typed; nothing is appended', async () => {
    const page = await owner.page(`/admin/doctors/${doctorId}/availability`);
    const s = blankKeys(page.html, 's');
    const before = srv.eventCount();
    // Keep the saved rows as the page sent them, add a bad one.
    const fields: Record<string, string> = { _csrf: page.csrf };
    for (const m of page.html.matchAll(/name="((?:s|x)_[A-Za-z0-9]+_[a-z_]+)"(?: type="[a-z]+")? value="([^"]*)"/g)) {
      if (!m[1].endsWith('_remove')) fields[m[1]] = m[2]; // unchecked boxes are not sent
    }
    for (const m of page.html.matchAll(/<select id="[^"]+" name="((?:s|x)_[A-Za-z0-9]+_[a-z_]+)"[^>]*>[\s\S]*?<\/select>/g)) {
      fields[m[1]] = /<option value="([^"]*)" selected>/.exec(m[0])?.[1] ?? /<option value="([^"]*)"/.exec(m[0])![1];
    }
    Object.assign(fields, { [`s_${s[0]}_weekday`]: '3', [`s_${s[0]}_start`]: '13:00', [`s_${s[0]}_end`]: '10:00' });
    const res = await owner.post(`/admin/doctors/${doctorId}/availability`, fields);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('Weekly sessions, row 4: the end (10:00) must be after the start (13:00)');
    expect(html).toContain(`id="s-${s[0]}-error"`);
    expect(html).toContain(`id="s-${s[0]}-start" name="s_${s[0]}_start" type="time" value="13:00"`);
    expect(srv.eventCount()).toBe(before);
  });

  test('overlapping sessions are refused with the day named', async () => {
    const page = await owner.page(`/admin/doctors/${doctorId}/availability`);
    const s = blankKeys(page.html, 's');
    const res = await owner.post(`/admin/doctors/${doctorId}/availability`, {
      _csrf: page.csrf,
      [`s_${s[0]}_weekday`]: '4',
      [`s_${s[0]}_start`]: '10:00',
      [`s_${s[0]}_end`]: '13:00',
      [`s_${s[1]}_weekday`]: '4',
      [`s_${s[1]}_start`]: '12:00',
      [`s_${s[1]}_end`]: '14:00',
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('on Thursday overlap');
  });

  test('"more rows" without JavaScript shows the form again as typed with more blank rows, saving nothing', async () => {
    const page = await owner.page(`/admin/doctors/${doctorId}/availability`);
    const s = blankKeys(page.html, 's');
    const before = srv.eventCount();
    const res = await owner.post(`/admin/doctors/${doctorId}/availability`, {
      _csrf: page.csrf,
      add_rows: 'sessions',
      [`s_${s[0]}_weekday`]: '5',
      [`s_${s[0]}_start`]: '09:00',
      [`s_${s[0]}_end`]: '11:00',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('value="09:00"');
    expect(blankKeys(html, 's').length).toBe(6);
    expect(srv.eventCount()).toBe(before);
    // With htmx, one more row comes as a fragment.
    const row = await owner.get(`/admin/doctors/${doctorId}/availability/row?kind=session`, { 'hx-request': 'true' });
    expect(row.status).toBe(200);
    const frag = await row.text();
    expect(frag.startsWith('<tr')).toBe(true);
    expect(frag).toMatch(/name="s_[A-Za-z0-9]+_start"/);
  });
});

describe('holidays', () => {
  test('add a holiday, see it in the list and in the preview, remove it', async () => {
    const page = await owner.page('/admin/holidays');
    expect(page.status).toBe(200);
    expect(page.html).toContain('No upcoming holidays');
    const bad = await owner.post('/admin/holidays', { _csrf: page.csrf, date: '2026-02-30', name: 'Nope' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('id="f-date-error"');
    const res = await owner.post('/admin/holidays', { _csrf: page.csrf, date: '2026-12-07', name: 'Founders’ Day' });
    expect(res.status).toBe(303);
    expect(countOf('holiday.declared')).toBe(1);
    const list = await owner.page('/admin/holidays');
    expect(list.html).toContain('7 Dec 2026');
    expect(list.html).toContain('Founders’ Day');
    expect(text((await owner.page(`/admin/doctors/${doctorId}/availability`)).html)).toContain('Holiday: Founders’ Day');

    const removed = await owner.post('/admin/holidays/remove', { _csrf: list.csrf, date: '2026-12-07' });
    expect(removed.status).toBe(303);
    expect(countOf('holiday.removed')).toBe(1);
    expect((await owner.page('/admin/holidays')).html).toContain('No upcoming holidays');
  });
});

describe('roles', () => {
  test('front desk gets 403 on the doctor and holiday admin pages, and cannot post to them', async () => {
    const fdId = (srv.svc.kernel.db.query("SELECT id FROM users WHERE username = 'fd.asha'").get() as { id: string }).id;
    const fd = signedIn(fdId);
    expect((await fd.get('/admin/doctors')).status).toBe(403);
    expect((await fd.get(`/admin/doctors/${doctorId}`)).status).toBe(403);
    expect((await fd.get('/admin/holidays')).status).toBe(403);
    const home = await fd.page('/recalls');
    expect(home.status).toBe(200);
    expect(home.html).not.toContain('href="/admin/doctors"');
    const before = srv.eventCount();
    expect((await fd.post(`/admin/doctors/${doctorId}/deactivate`, { _csrf: home.csrf })).status).toBe(403);
    expect(srv.eventCount()).toBe(before);
  });

  test('a form without its CSRF field is refused', async () => {
    const before = srv.eventCount();
    expect((await owner.post('/admin/holidays', { date: '2026-12-25', name: 'Christmas' })).status).toBe(403);
    expect(srv.eventCount()).toBe(before);
  });
});

describe('recalls', () => {
  let patientId = '';
  let overdueId = '';

  test('the recall list shows an overdue follow-up with its patient, badge and Book link', async () => {
    const scope = ownerScope();
    patientId = run((tx) => registerPatient(tx, scope, { name: 'Radha Sharma', phone: '9845012345', sex: 'female', age_years: 52 })).patient.id;
    const other = run((tx) => registerPatient(tx, scope, { name: 'Vikram Singh', phone: '9845099999', sex: 'male', age_years: 33 })).patient.id;
    overdueId = run((tx) => scheduleFollowup(tx, scope, { patient_id: patientId, doctor_id: doctorId, due_date: '2026-11-25', note: 'BP review & ECG' }));
    run((tx) => scheduleFollowup(tx, scope, { patient_id: other, doctor_id: doctorId, in_days: 5 }));
    run((tx) => scheduleFollowup(tx, scope, { patient_id: other, doctor_id: doctorId, in_days: 30, note: 'far away' }));

    const fdId = (srv.svc.kernel.db.query("SELECT id FROM users WHERE username = 'fd.asha'").get() as { id: string }).id;
    const fd = signedIn(fdId);
    const page = await fd.page('/recalls');
    expect(page.status).toBe(200);
    const t = text(page.html);
    expect(page.html).toContain(`href="/patients/${patientId}"`);
    expect(t).toContain('Radha Sharma');
    expect(t).toMatch(/MRN BLR1-\d+ · \+91 98450 12345/);
    expect(t).toContain('Overdue · 6 days');
    expect(t).toContain('BP review &amp; ECG');
    expect(t).toContain('Due in 5 days');
    expect(t).not.toContain('far away'); // due after today + 7 days
    expect(page.html.replaceAll('&amp;', '&')).toContain(`href="/appointments/new?patient_id=${patientId}&doctor_id=${doctorId}&followup_id=${overdueId}"`);
    // Overdue first.
    expect(t.indexOf('Radha Sharma')).toBeLessThan(t.indexOf('Vikram Singh'));

    const later = await fd.page(`/recalls?until=2027-01-15&doctor_id=${doctorId}`);
    expect(text(later.html)).toContain('far away');
  });

  test('cancelling a recall needs a reason; then it leaves the list', async () => {
    const page = await owner.page('/recalls');
    const before = srv.eventCount();
    const bare = await owner.post(`/recalls/${overdueId}/cancel`, { _csrf: page.csrf, reason: ' ', until: '2026-12-08', doctor_id: '' });
    expect(bare.status).toBe(422);
    expect(await bare.text()).toContain('Give a reason for cancelling this recall');
    expect(srv.eventCount()).toBe(before);
    const res = await owner.post(`/recalls/${overdueId}/cancel`, { _csrf: page.csrf, reason: 'Moved to another city', until: '2026-12-08', doctor_id: doctorId });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/recalls?doctor_id=${doctorId}&until=2026-12-08`);
    expect(lastData('followup.cancelled')).toEqual({ reason: 'Moved to another city' });
    const after = await owner.page('/recalls');
    expect(text(after.html)).toContain('Recall of Radha Sharma cancelled');
    expect(after.html).not.toContain(`followup_id=${overdueId}`);
  });

  test('a doctor account may read the list but a billing account may not cancel', async () => {
    const billingId = await srv.addUser('bill.ravi', 'billing');
    const b = signedIn(billingId);
    const page = await b.page('/recalls');
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('Cancel recall');
    expect(page.html).not.toContain('>Book<');
  });
});

describe('doctor list formatting', () => {
  test('fees in lakhs use Indian digit grouping', async () => {
    run((tx) =>
      registerDoctor(tx, ownerScope(), { name: 'Dr. Zubin Mehta', specialty: 'Cardiology', registration_number: 'MMC 1', slot_minutes: 30, fee: { amount: 99_999_950, currency: 'INR' } }),
    );
    expect(text((await owner.page('/admin/doctors')).html)).toContain('₹9,99,999.50');
  });
});
