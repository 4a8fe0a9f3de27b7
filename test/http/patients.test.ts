// The patient registry through a real server: register, read, correct, search, duplicates.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { fixedClock } from '../../src/core/clock';
import { startServer, type TestServer } from '../helpers/server';

type Patient = {
  id: string;
  mrn: string;
  branch_id: string;
  name: string;
  phone: string;
  sex: string;
  date_of_birth: string | null;
  age_years: number | null;
  age_is_estimated: boolean;
  version: number;
  possible_duplicates?: { id: string; mrn: string; name: string }[];
};
type Page = { items: Patient[]; next_cursor: string | null };
type ErrorBody = { error: { code: string; message: string } };

let s: TestServer;
let frontDesk: string;
beforeAll(async () => {
  s = await startServer();
  await s.addUser('meera', 'front_desk', [s.branchId], 'meera-pass-12');
  frontDesk = await s.token('meera', 'meera-pass-12');
});
afterAll(() => s.stop());

async function register(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await s.api('/api/v1/patients', { method: 'POST', json: body, headers });
  return { res, body: (await res.json()) as Patient };
}
async function search(query: string): Promise<Page> {
  const res = await s.api(`/api/v1/patients?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}
const names = (p: Page) => p.items.map((x) => x.name);

/** Today in Asia/Kolkata (the branch's zone), as YYYY-MM-DD. */
function kolkataToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

let asha: Patient;

describe('registering', () => {
  test('answers 201 with the patient, its id and MRN; the next patient gets the next MRN', async () => {
    const before = s.eventCount();
    const first = await register({ name: 'Asha Rao', phone: '98450 12345', sex: 'female', age_years: 34, email: 'Asha@Example.in' });
    expect(first.res.status).toBe(201);
    asha = first.body;
    expect(asha.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(asha).toMatchObject({ mrn: 'BLR1-000001', branch_id: s.branchId, name: 'Asha Rao', phone: '+919845012345', sex: 'female', version: 1 });
    expect(first.res.headers.get('location')).toBe(`/api/v1/patients/${asha.id}`);
    expect(s.eventCount()).toBe(before + 1);

    const second = await register({ name: 'Ravi Iyer', phone: '+91 99000 11111', sex: 'male', date_of_birth: '1980-01-15' });
    expect(second.res.status).toBe(201);
    expect(second.body.mrn).toBe('BLR1-000002');
    expect(second.body.id).not.toBe(asha.id);
  });

  test('GET by id answers the same patient', async () => {
    const res = await s.api(`/api/v1/patients/${asha.id}`);
    expect(res.status).toBe(200);
    const { possible_duplicates: _d, ...registered } = asha;
    expect(await res.json()).toEqual({ ...registered, email: 'asha@example.in' });
  });

  test('an age told is shown as an estimate; a date of birth gives the exact age', async () => {
    expect(asha).toMatchObject({ age_years: 34, date_of_birth: null, age_is_estimated: true });
    const today = kolkataToday();
    const [y, m, d] = today.split('-');
    if (`${m}-${d}` === '02-29') return; // no birthday "today, 30 years ago" to compare with
    const birthdayToday = `${Number(y) - 30}-${m}-${d}`;
    const a = await register({ name: 'Birthday Today', phone: '9811100001', sex: 'other', date_of_birth: birthdayToday });
    expect(a.body).toMatchObject({ date_of_birth: birthdayToday, age_years: 30, age_is_estimated: false });
    const tomorrow = new Date(Date.UTC(Number(y) - 30, Number(m) - 1, Number(d) + 1)).toISOString().slice(0, 10);
    const b = await register({ name: 'Birthday Tomorrow', phone: '9811100002', sex: 'other', date_of_birth: tomorrow });
    expect(b.body).toMatchObject({ date_of_birth: tomorrow, age_years: 29, age_is_estimated: false });
  });

  test('names in Devanagari and with emoji come back exactly as written', async () => {
    for (const name of ['राम कुमार', 'Priya 🌸 Sharma']) {
      const r = await register({ name, phone: '9822200000', sex: 'male', age_years: 50 });
      expect(r.res.status).toBe(201);
      expect(r.body.name).toBe(name);
      expect(((await (await s.api(`/api/v1/patients/${r.body.id}`)).json()) as Patient).name).toBe(name);
    }
  });
});

describe('correcting', () => {
  test('a PATCH corrects the phone; the history shows from and to, and who did it', async () => {
    const res = await s.api(`/api/v1/patients/${asha.id}`, { method: 'PATCH', token: frontDesk, json: { phone: '98450 99999', reason: 'mistyped at the desk' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: asha.id, phone: '+919845099999', version: 2, mrn: 'BLR1-000001' });
    expect(((await (await s.api(`/api/v1/patients/${asha.id}`)).json()) as Patient).phone).toBe('+919845099999');

    const hist = (await (await s.api(`/api/v1/patients/${asha.id}/history`)).json()) as {
      items: { type: string; actor: string | null; actor_name: string | null; at: string; data: Record<string, unknown> }[];
    };
    expect(hist.items.map((h) => h.type)).toEqual(['patient.registered', 'patient.demographics_corrected']);
    const meera = (await (await s.api('/api/v1/me', { token: frontDesk })).json()) as { id: string };
    expect(hist.items[1]).toMatchObject({
      actor: meera.id,
      actor_name: 'meera',
      data: { changes: { phone: { from: '+919845012345', to: '+919845099999' } }, reason: 'mistyped at the desk' },
    });
    expect(hist.items[0]).toMatchObject({ actor: s.ownerId, actor_name: 'Olivia Owner' });
  });

  test('a PATCH that changes nothing is 422 no_changes; one based on an old version is 409; neither records anything', async () => {
    const before = s.eventCount();
    const same = await s.api(`/api/v1/patients/${asha.id}`, { method: 'PATCH', json: { phone: '+91 98450 99999' } });
    expect(same.status).toBe(422);
    expect(((await same.json()) as ErrorBody).error.code).toBe('no_changes');
    const stale = await s.api(`/api/v1/patients/${asha.id}`, { method: 'PATCH', json: { name: 'Asha K Rao', expected_version: 1 } });
    expect(stale.status).toBe(409);
    expect(s.eventCount()).toBe(before);
  });
});

describe('searching', () => {
  beforeAll(async () => {
    for (const [name, phone] of [
      ['Ashok Kumar', '9845011111'],
      ['Kumar Ashwin', '9845022222'],
      ['Sushant Shah', '9845033333'],
    ]) {
      expect((await register({ name, phone, sex: 'male', age_years: 40 })).res.status).toBe(201);
    }
  });

  test('by the start of a name, or of any word in it, in any case', async () => {
    expect(names(await search('q=ash'))).toEqual(['Asha Rao', 'Ashok Kumar', 'Kumar Ashwin']);
    expect(names(await search('q=KUM'))).toEqual(['Ashok Kumar', 'Kumar Ashwin']);
    expect(names(await search('q=ash%20kum'))).toEqual(['Ashok Kumar', 'Kumar Ashwin']);
    // "sha" starts no word of "Asha Rao" or "Sushant"; it does start "Sharma" and "Shah"
    expect(names(await search('q=sha'))).toEqual(['Priya 🌸 Sharma', 'Sushant Shah']);
    expect(names(await search(`q=${encodeURIComponent('राम')}`))).toEqual(['राम कुमार']);
  });

  test('an underscore or percent sign typed in the search matches itself, not any character', async () => {
    for (const name of ['Meena_Iyer', 'Meenax Iyer', 'Ravi 100% Kumar', 'Ravi 1000 Kumar']) {
      expect((await register({ name, phone: '9845044444', sex: 'female', age_years: 33 })).res.status).toBe(201);
    }
    expect(names(await search('q=meena_'))).toEqual(['Meena_Iyer']);
    expect(names(await search(`q=${encodeURIComponent('ravi 100%')}`))).toEqual(['Ravi 100% Kumar']);
    expect(names(await search(`q=${encodeURIComponent('%')}`))).toEqual([]); // starts no word: not "everything"
  });

  test('by part of the phone number, typed with spaces or the country code', async () => {
    expect(names(await search(`q=${encodeURIComponent('98450 22')}`))).toEqual(['Kumar Ashwin']);
    expect(names(await search(`q=${encodeURIComponent('+91 98450 33333')}`))).toEqual(['Sushant Shah']);
    expect(names(await search(`q=${encodeURIComponent('99999')}`))).toEqual(['Asha Rao']);
  });

  test('by MRN', async () => {
    expect(names(await search('q=BLR1-000002'))).toEqual(['Ravi Iyer']);
    expect(names(await search('q=blr1-000001'))).toEqual(['Asha Rao']);
  });

  test('limit=1 and next_cursor walk every patient once, in the same order as one big page', async () => {
    const all = await search('limit=500');
    expect(all.next_cursor).toBeNull();
    expect(all.items.length).toBeGreaterThanOrEqual(8);
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await search(`limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(1);
      walked.push(...page.items.map((p) => p.id));
      cursor = page.next_cursor;
      expect(walked.length).toBeLessThanOrEqual(all.items.length);
    } while (cursor);
    expect(walked).toEqual(all.items.map((p) => p.id));
  });

  test('a search page walks too', async () => {
    const first = await search('q=ash&limit=2');
    expect(first.items).toHaveLength(2);
    const rest = await search(`q=ash&limit=2&cursor=${encodeURIComponent(first.next_cursor!)}`);
    expect([...names(first), ...names(rest)]).toEqual(['Asha Rao', 'Ashok Kumar', 'Kumar Ashwin']);
    expect(rest.next_cursor).toBeNull();
  });
});

describe('duplicates and retries', () => {
  const vikram = { name: 'Vikram Singh', phone: '9900012345', sex: 'male', age_years: 45 };

  test('a second registration with the same name, phone and age is registered, with a warning naming the first', async () => {
    const first = await register(vikram);
    expect(first.body.possible_duplicates).toEqual([]);
    const second = await register({ ...vikram, name: 'vikram  SINGH', age_years: 46 });
    expect(second.res.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.mrn).not.toBe(first.body.mrn);
    expect(second.body.possible_duplicates).toEqual([expect.objectContaining({ id: first.body.id, mrn: first.body.mrn, name: 'Vikram Singh' })]);
    // never merged: both records are there
    expect((await s.api(`/api/v1/patients/${first.body.id}`)).status).toBe(200);
    expect((await s.api(`/api/v1/patients/${second.body.id}`)).status).toBe(200);
  });

  test('a family sharing a phone gets no duplicate warning', async () => {
    const mother = await register({ name: 'Lakshmi Nair', phone: '9900099999', sex: 'female', age_years: 40 });
    const son = await register({ name: 'Arjun Nair', phone: '9900099999', sex: 'male', age_years: 12 });
    const daughter = await register({ name: 'Anu Nair', phone: '+919900099999', sex: 'female', age_years: 40 });
    for (const r of [mother, son, daughter]) {
      expect(r.res.status).toBe(201);
      expect(r.body.possible_duplicates).toEqual([]);
    }
  });

  test('the same Idempotency-Key twice registers one patient and answers the same id', async () => {
    const before = s.eventCount();
    const body = { name: 'Retry Patient', phone: '9876500000', sex: 'female', age_years: 28 };
    const a = await register(body, { 'idempotency-key': 'reg-7f3a' });
    const b = await register(body, { 'idempotency-key': 'reg-7f3a' });
    expect([a.res.status, b.res.status]).toEqual([201, 201]);
    expect(b.body).toEqual(a.body);
    expect(b.res.headers.get('idempotent-replayed')).toBe('true');
    expect(s.eventCount()).toBe(before + 1);
    expect((await search('q=Retry')).items).toHaveLength(1);
  });

  test('the same key with a different body is 422 idempotency_key_reused and records nothing', async () => {
    const before = s.eventCount();
    const r = await s.api('/api/v1/patients', {
      method: 'POST',
      json: { name: 'Someone Else', phone: '9876500001', sex: 'male', age_years: 30 },
      headers: { 'idempotency-key': 'reg-7f3a' },
    });
    expect(r.status).toBe(422);
    expect(((await r.json()) as ErrorBody).error.code).toBe('idempotency_key_reused');
    expect(s.eventCount()).toBe(before);
  });

  test('keys belong to the caller: another user’s same key is a new request', async () => {
    const r = await s.api('/api/v1/patients', {
      method: 'POST',
      token: frontDesk,
      json: { name: 'Other Caller', phone: '9876500002', sex: 'male', age_years: 30 },
      headers: { 'idempotency-key': 'reg-7f3a' },
    });
    expect(r.status).toBe(201);
    expect(((await r.json()) as Patient).name).toBe('Other Caller');
  });
});

describe('many desks at once', () => {
  test('ten parallel retries with one Idempotency-Key register one patient and all answer its id', async () => {
    const before = s.eventCount();
    const body = { name: 'Parallel Retry', phone: '9876511111', sex: 'male', age_years: 61 };
    const answers = await Promise.all(Array.from({ length: 10 }, () => register(body, { 'idempotency-key': 'flaky-wifi-1' })));
    expect(answers.map((a) => a.res.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(s.eventCount()).toBe(before + 1);
  });

  test('parallel registrations get distinct, gapless MRNs; a bad one among them fails alone', async () => {
    const last = (await search('limit=500')).items.map((p) => Number(p.mrn.slice(-6))).reduce((a, b) => Math.max(a, b), 0);
    const bodies = Array.from({ length: 12 }, (_, i) => ({ name: `Desk Patient ${String.fromCharCode(65 + i)}`, phone: `98765${String(20000 + i)}`, sex: 'female', age_years: 20 + i }));
    bodies.splice(5, 0, { name: 'Bad Phone', phone: '12', sex: 'female', age_years: 30 });
    const answers = await Promise.all(bodies.map((b) => register(b)));
    expect(answers.map((a) => a.res.status)).toEqual(bodies.map((b) => (b.phone === '12' ? 422 : 201)));
    const mrns = answers.filter((a) => a.res.status === 201).map((a) => a.body.mrn).sort();
    expect(mrns).toEqual(Array.from({ length: 12 }, (_, i) => `BLR1-${String(last + 1 + i).padStart(6, '0')}`));
  });
});

describe('the branch’s day, not UTC’s', () => {
  // 19:00 UTC is 00:30 the next day in Kolkata: a date of birth of "today" there is valid.
  // The nearest 19:00 UTC (within 12 hours), so tokens the pinned clock issues are still valid.
  const at = new Date();
  if (at.getUTCHours() < 7) at.setUTCDate(at.getUTCDate() - 1);
  at.setUTCHours(19, 0, 0, 0);
  const utcDay = at.toISOString().slice(0, 10);
  const kolkataDay = new Date(at.getTime() + 86400_000).toISOString().slice(0, 10);
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer({ clock: fixedClock(at.toISOString()) });
  });
  afterAll(() => t.stop());

  test('a baby born today in Kolkata (still yesterday in UTC) can be registered; tomorrow cannot', async () => {
    expect(kolkataDay).not.toBe(utcDay);
    const baby = await t.api('/api/v1/patients', { method: 'POST', json: { name: 'Baby of Lakshmi', phone: '9900011111', sex: 'female', date_of_birth: kolkataDay } });
    expect(baby.status).toBe(201);
    expect(await baby.json()).toMatchObject({ date_of_birth: kolkataDay, age_years: 0 });
    const dayAfter = new Date(at.getTime() + 2 * 86400_000).toISOString().slice(0, 10);
    const future = await t.api('/api/v1/patients', { method: 'POST', json: { name: 'Not Yet Born', phone: '9900011112', sex: 'male', date_of_birth: dayAfter } });
    expect(future.status).toBe(422);
  });

  test('an age told is recorded on the branch’s date', async () => {
    const r = await t.api('/api/v1/patients', { method: 'POST', json: { name: 'Age Told', phone: '9900011113', sex: 'male', age_years: 40 } });
    const p = (await r.json()) as Patient;
    const hist = (await (await t.api(`/api/v1/patients/${p.id}/history`)).json()) as { items: { data: { age_recorded_on: string } }[] };
    expect(hist.items[0].data.age_recorded_on).toBe(kolkataDay);
  });
});
