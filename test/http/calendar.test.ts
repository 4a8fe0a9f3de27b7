// The per-doctor iCalendar feed through real HTTP, read back with ical.js (an independent,
// strict parser): the right events at the right instants in IST and in a DST zone (a London
// branch in July, BST), and a feed that answers a bare 404 to any token but the current one.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import ICAL from 'ical.js';
import { issueApiKey } from '../../src/auth/api-keys';
import { fixedClock } from '../../src/core/clock';
import { systemActor, type Tx } from '../../src/core/runner';
import type { Scope } from '../../src/core/scope';
import { openBranch } from '../../src/org/commands';
import { registerPatient } from '../../src/patients/commands';
import { bookAppointment, cancelAppointment, issueCalendarToken, registerDoctor, rescheduleAppointment, revokeCalendarToken, setAvailability } from '../../src/scheduling/commands';
import { startServer, type TestServer } from '../helpers/server';

const NOW = '2026-12-01T03:00:00Z'; // Tuesday, 08:30 in Kolkata
const clock = fixedClock(NOW);
let srv: TestServer;
let ownerKey = '';

beforeAll(async () => {
  srv = await startServer({ clock });
  ownerKey = run((tx) => issueApiKey(tx, srv.branchId, srv.ownerId, 'tests', null)).key;
});
afterAll(async () => {
  await srv.stop();
});

function run<R>(fn: (tx: Tx) => R): R {
  return srv.svc.kernel.runner.run({ actor: systemActor('cli') }, fn);
}

const scopeIn = (branchId: string): Scope => ({
  userId: srv.ownerId,
  username: 'owner',
  name: 'Olivia Owner',
  role: 'owner',
  branchId,
  branchIds: [branchId],
  sessionId: 'test',
  via: 'bearer',
});

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '13:00' }));

function doctorIn(scope: Scope, name: string): string {
  const id = run((tx) => registerDoctor(tx, scope, { name, specialty: 'General Medicine', registration_number: `REG ${name.length}`, slot_minutes: 15, fee: { amount: 50000, currency: 'INR' } }));
  run((tx) => setAvailability(tx, scope, id, EVERY_DAY, []));
  return id;
}

const row = (id: string) =>
  srv.svc.kernel.db.query('SELECT start, "end", status, version, updated_at, created_at FROM appointments WHERE id = ?').get(id) as {
    start: string;
    end: string;
    status: string;
    version: number;
    updated_at: string;
    created_at: string;
  };

function parse(ics: string) {
  const cal = new ICAL.Component(ICAL.parse(ics));
  const vtz = cal.getFirstSubcomponent('vtimezone');
  const events = new Map(cal.getAllSubcomponents('vevent').map((v) => [String(v.getFirstPropertyValue('uid')), v]));
  return { cal, vtz, events };
}

/** An event's start and end as UTC instants, resolved with the feed's own VTIMEZONE. */
function instants(vtz: ICAL.Component, vevent: ICAL.Component): { start: string; end: string } {
  const tzid = String(vtz.getFirstPropertyValue('tzid'));
  ICAL.TimezoneService.register(vtz);
  try {
    const e = new ICAL.Event(vevent);
    expect(e.startDate.zone?.tzid).toBe(tzid);
    return { start: e.startDate.toJSDate().toISOString(), end: e.endDate.toJSDate().toISOString() };
  } finally {
    ICAL.TimezoneService.remove(tzid);
  }
}

const utcStamp = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');

async function feed(url: string) {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('IST branch', () => {
  let doctorA = '';
  let doctorB = '';
  let patient = '';
  const appt: Record<string, string> = {};
  let feedUrl = '';

  test('setup: appointments booked, rescheduled and cancelled; one long ago, one too far ahead', () => {
    const scope = scopeIn(srv.branchId);
    doctorA = doctorIn(scope, 'Dr. Meera Rao');
    doctorB = doctorIn(scope, 'Dr. Arjun Nair');
    patient = run((tx) => registerPatient(tx, scope, { name: 'राधिका कृष्णमूर्ति अय्यंगार', phone: '9845012345', sex: 'female', age_years: 52 })).patient.id;
    // Before "now", seen from an earlier clock: 40 days ago (outside the feed) and 20 days ago (inside).
    clock.set('2026-10-01T03:00:00Z');
    appt.old = run((tx) => bookAppointment(tx, scope, { patient_id: patient, doctor_id: doctorA, start: '2026-10-22T10:00:00+05:30', mode: 'in_person' }));
    appt.recent = run((tx) => bookAppointment(tx, scope, { patient_id: patient, doctor_id: doctorA, start: '2026-11-11T10:00:00+05:30', mode: 'in_person' }));
    clock.set(NOW);
    appt.booked = run((tx) =>
      bookAppointment(tx, scope, { patient_id: patient, doctor_id: doctorA, start: '2026-12-01T10:30:00+05:30', mode: 'in_person', note: 'Fasting; bring reports, old ECG \\ BP review' }),
    );
    appt.cancelled = run((tx) => bookAppointment(tx, scope, { patient_id: patient, doctor_id: doctorA, start: '2026-12-02T09:00:00+05:30', mode: 'tele' }));
    run((tx) => cancelAppointment(tx, scope, appt.cancelled, 'Patient travelling'));
    appt.moved = run((tx) => bookAppointment(tx, scope, { patient_id: patient, doctor_id: doctorA, start: '2026-12-03T09:00:00+05:30', mode: 'in_person' }));
    run((tx) => rescheduleAppointment(tx, scope, appt.moved, '2026-12-04T11:45:00+05:30'));
    appt.far = run((tx) => bookAppointment(tx, scope, { patient_id: patient, doctor_id: doctorA, start: '2027-07-01T09:00:00+05:30', mode: 'in_person' }));
    appt.otherDoctor = run((tx) => bookAppointment(tx, scope, { patient_id: patient, doctor_id: doctorB, start: '2026-12-01T10:30:00+05:30', mode: 'in_person' }));
    expect(row(appt.moved).version).toBe(2);
  });

  test('the doctor page creates the link once, absolute, on the host the browser used', async () => {
    const res = await fetch(`${srv.url}/admin/doctors/${doctorA}/calendar-token`, { method: 'POST', headers: { authorization: `Bearer ${ownerKey}`, accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    feedUrl = /id="feed-url" type="text" readonly value="([^"]+)"/.exec(html)![1].replaceAll('&amp;', '&');
    expect(feedUrl.startsWith(`${srv.url}/calendar/${doctorA}.ics?token=`)).toBe(true);
    expect(html).toContain('webcal://127.0.0.1');
    // Only the hash is stored.
    const token = new URL(feedUrl).searchParams.get('token')!;
    expect(srv.svc.kernel.db.query('SELECT count(*) AS n FROM events WHERE data LIKE ?').get(`%${token}%`)).toEqual({ n: 0 });
    // Shown once: the page afterwards says a link exists but not what it is.
    const later = await (await fetch(`${srv.url}/admin/doctors/${doctorA}`, { headers: { authorization: `Bearer ${ownerKey}`, accept: 'text/html' } })).text();
    expect(later).toContain('Link active');
    expect(later).not.toContain(token);
  });

  test('the feed is RFC 5545 text that ical.js parses, with VTIMEZONE, UID, DTSTAMP and the booked instants', async () => {
    const f = await feed(feedUrl);
    expect(f.status).toBe(200);
    expect(f.type).toBe('text/calendar; charset=utf-8');
    expect(f.body.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//MyMedic//Clinic Server//EN\r\n')).toBe(true);
    expect(/[^\r]\n/.test(f.body)).toBe(false);
    for (const line of f.body.split('\r\n')) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);

    const { cal, vtz, events } = parse(f.body);
    expect(cal.getFirstPropertyValue('version')).toBe('2.0');
    expect(cal.getFirstPropertyValue('prodid')).toBe('-//MyMedic//Clinic Server//EN');
    expect(cal.getFirstPropertyValue('calscale')).toBe('GREGORIAN');
    expect(cal.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(cal.getFirstPropertyValue('x-wr-timezone')).toBe('Asia/Kolkata');
    expect(String(cal.getFirstPropertyValue('x-wr-calname'))).toContain('Dr. Meera Rao');
    expect(vtz).not.toBeNull();
    expect(vtz!.getFirstPropertyValue('tzid')).toBe('Asia/Kolkata');
    const std = vtz!.getFirstSubcomponent('standard')!;
    expect(std.getFirstProperty('tzoffsetfrom')!.toICALString()).toBe('TZOFFSETFROM:+0530');
    expect(std.getFirstProperty('tzoffsetto')!.toICALString()).toBe('TZOFFSETTO:+0530');
    expect(vtz!.getFirstSubcomponent('daylight')).toBeNull();

    // Exactly this doctor's appointments from 30 days back to 180 days ahead.
    expect([...events.keys()].sort()).toEqual([appt.recent, appt.booked, appt.cancelled, appt.moved].map((id) => `${id}@mymedic`).sort());

    const booked = events.get(`${appt.booked}@mymedic`)!;
    expect(instants(vtz!, booked)).toEqual({ start: '2026-12-01T05:00:00.000Z', end: '2026-12-01T05:15:00.000Z' });
    expect(booked.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART;TZID=Asia/Kolkata:20261201T103000');
    expect(booked.getFirstProperty('dtstamp')!.toICALString()).toBe(`DTSTAMP:${utcStamp(row(appt.booked).updated_at)}`);
    expect(booked.getFirstPropertyValue('status')).toBe('CONFIRMED');
    expect(booked.getFirstPropertyValue('sequence') as unknown).toBe(1);
    expect(booked.getFirstPropertyValue('summary')).toMatch(/^राधिका कृष्णमूर्ति अय्यंगार \(MRN BLR1-\d{6}\) · In person$/);
    expect(booked.getFirstPropertyValue('description')).toBe('Fasting; bring reports, old ECG \\ BP review');
    expect(f.body).toContain('\r\nDESCRIPTION:Fasting\\; bring reports\\, old ECG \\\\ BP review\r\n'); // escaped on the wire
    expect(booked.getFirstProperty('last-modified')).not.toBeNull();

    const cancelled = events.get(`${appt.cancelled}@mymedic`)!;
    expect(cancelled.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(cancelled.getFirstPropertyValue('sequence') as unknown).toBe(2);
    expect(cancelled.getFirstPropertyValue('description')).toBe('Cancelled: Patient travelling');
    expect(String(cancelled.getFirstPropertyValue('summary'))).toContain('Tele-consultation');

    const moved = events.get(`${appt.moved}@mymedic`)!;
    expect(instants(vtz!, moved)).toEqual({ start: '2026-12-04T06:15:00.000Z', end: '2026-12-04T06:30:00.000Z' });
    expect(moved.getFirstPropertyValue('sequence') as unknown).toBe(2);

    // The doctor's phone gets no phone numbers.
    expect(f.body).not.toContain('9845012345');
    expect(f.body).not.toContain('98450');
  });

  test('wrong, missing, other doctors\' and malformed tokens all get the same bare 404', async () => {
    const token = new URL(feedUrl).searchParams.get('token')!;
    const tokenB = run((tx) => issueCalendarToken(tx, scopeIn(srv.branchId), doctorB));
    expect((await feed(`${srv.url}/calendar/${doctorB}.ics?token=${tokenB}`)).status).toBe(200);
    const wrong = [
      `${srv.url}/calendar/${doctorA}.ics?token=${tokenB}`,
      `${srv.url}/calendar/${doctorB}.ics?token=${token}`,
      `${srv.url}/calendar/${doctorA}.ics`,
      `${srv.url}/calendar/${doctorA}.ics?token=`,
      `${srv.url}/calendar/${doctorA}.ics?token=${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
      `${srv.url}/calendar/${doctorA}?token=${token}`,
      `${srv.url}/calendar/not-a-doctor.ics?token=${token}`,
      `${srv.url}/calendar/01a209d7-799c-72d3-b7b3-d473835f09e5.ics?token=${token}`,
    ];
    for (const url of wrong) {
      const f = await feed(url);
      expect({ url, status: f.status, body: f.body }).toEqual({ url, status: 404, body: 'Not found\n' });
    }
  });

  test('a new link replaces the old one; a revoked link is 404', async () => {
    const oldToken = new URL(feedUrl).searchParams.get('token')!;
    const newToken = run((tx) => issueCalendarToken(tx, scopeIn(srv.branchId), doctorA));
    expect((await feed(`${srv.url}/calendar/${doctorA}.ics?token=${oldToken}`)).status).toBe(404);
    expect((await feed(`${srv.url}/calendar/${doctorA}.ics?token=${newToken}`)).status).toBe(200);
    // Revoked through the page.
    const res = await fetch(`${srv.url}/admin/doctors/${doctorA}/calendar-token/revoke`, {
      method: 'POST',
      redirect: 'manual',
      headers: { authorization: `Bearer ${ownerKey}`, accept: 'text/html' },
    });
    expect(res.status).toBe(303);
    expect((await feed(`${srv.url}/calendar/${doctorA}.ics?token=${newToken}`)).status).toBe(404);
    // Revoking again is refused on the page, not a server error.
    const again = await fetch(`${srv.url}/admin/doctors/${doctorA}/calendar-token/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ownerKey}`, accept: 'text/html' },
    });
    expect(again.status).toBe(422);
  });
});

describe('a London branch in July (BST) and November (GMT)', () => {
  test('events resolve to the booked UTC instants through the generated DAYLIGHT/STANDARD rules', async () => {
    const london = run((tx) => openBranch(tx, { code: 'LON1', name: 'Kensington', timezone: 'Europe/London' }));
    const scope = scopeIn(london);
    clock.set('2027-06-01T08:00:00Z');
    try {
      const doctor = doctorIn(scope, 'Dr. Sarah Patel');
      const patient = run((tx) => registerPatient(tx, scope, { name: 'Oliver Brown', phone: '9845077777', sex: 'male', age_years: 40 })).patient.id;
      const july = run((tx) => bookAppointment(tx, scope, { patient_id: patient, doctor_id: doctor, start: '2027-07-15T10:00:00+01:00', mode: 'in_person' }));
      const november = run((tx) => bookAppointment(tx, scope, { patient_id: patient, doctor_id: doctor, start: '2027-11-10T10:00:00Z', mode: 'tele' }));
      const token = run((tx) => issueCalendarToken(tx, scope, doctor));

      const f = await feed(`${srv.url}/calendar/${doctor}.ics?token=${token}`);
      expect(f.status).toBe(200);
      const { cal, vtz, events } = parse(f.body);
      expect(cal.getFirstPropertyValue('x-wr-timezone')).toBe('Europe/London');
      expect(vtz!.getFirstPropertyValue('tzid')).toBe('Europe/London');
      const daylight = vtz!.getFirstSubcomponent('daylight')!;
      const standard = vtz!.getFirstSubcomponent('standard')!;
      expect(daylight.getFirstProperty('rrule')!.toICALString()).toBe('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU');
      expect(standard.getFirstProperty('rrule')!.toICALString()).toBe('RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU');
      expect(daylight.getFirstProperty('tzoffsetto')!.toICALString()).toBe('TZOFFSETTO:+0100');

      const j = events.get(`${july}@mymedic`)!;
      expect(j.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART;TZID=Europe/London:20270715T100000');
      expect(instants(vtz!, j)).toEqual({ start: '2027-07-15T09:00:00.000Z', end: '2027-07-15T09:15:00.000Z' });
      expect(instants(vtz!, j).start).toBe(new Date(row(july).start).toISOString()); // the booked slot, exactly
      const n = events.get(`${november}@mymedic`)!;
      expect(n.getFirstProperty('dtstart')!.toICALString()).toBe('DTSTART;TZID=Europe/London:20271110T100000');
      expect(instants(vtz!, n)).toEqual({ start: '2027-11-10T10:00:00.000Z', end: '2027-11-10T10:15:00.000Z' });
    } finally {
      clock.set(NOW);
    }
  });
});
