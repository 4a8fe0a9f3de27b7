// The patient pages over real HTTP without a browser: a cookie session from the login form,
// CSRF on form posts, the one-time form token, duplicates, corrections, 404s.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { OWNER, startServer, type TestServer } from '../helpers/server';
import { Client, hidden } from '../helpers/web-client';


let server: TestServer;
let web: Client;
let csrf: string;

async function signIn(client: Client, username = OWNER.username, password = OWNER.password): Promise<string> {
  const login = await client.get('/login');
  expect(login.status).toBe(200);
  expect(client.cookies.has('mm_csrf')).toBe(true);
  const res = await client.post('/login', { _csrf: hidden(await login.text(), '_csrf'), username, password, next: '/patients' });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/patients');
  expect(client.cookies.has('mm_session')).toBe(true);
  const page = await client.get('/patients/new');
  expect(page.status).toBe(200);
  return hidden(await page.text(), '_csrf');
}

async function newFormToken(): Promise<string> {
  return hidden(await (await web.get('/patients/new')).text(), '_form_token');
}

const ASHA = { name: 'Asha Rao', phone: '98450 12345', sex: 'female', age_years: '34', date_of_birth: '', email: '', address: '12 MG Road\nBengaluru', abha_number: '' };

beforeAll(async () => {
  server = await startServer();
  web = new Client(server.url);
  csrf = await signIn(web);
});
afterAll(() => server.stop());

describe('patient pages over HTTP', () => {
  test('POST /patients without the CSRF token is refused and records nothing', async () => {
    const before = server.eventCount();
    const res = await web.post('/patients', { ...ASHA, _form_token: await newFormToken() });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('did not come from this site');
    const wrong = await web.post('/patients', { ...ASHA, _csrf: 'x'.repeat(43), _form_token: await newFormToken() });
    expect(wrong.status).toBe(403);
    expect(server.eventCount()).toBe(before);
  });

  let ashaId = '';
  test('POST /patients with the token registers once, even when submitted twice', async () => {
    const before = server.eventCount();
    const token = await newFormToken();
    const res = await web.post('/patients', { ...ASHA, _csrf: csrf, _form_token: token });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/patients\/[0-9a-f-]{36}$/);
    ashaId = location.split('/').pop()!;
    expect(server.eventCount()).toBe(before + 1);
    // The same form sent again (double click, back + resubmit): same answer, no new patient.
    const again = await web.post('/patients', { ...ASHA, _csrf: csrf, _form_token: token });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(location);
    expect(server.eventCount()).toBe(before + 1);

    const page = await web.get(location);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('Registered Asha Rao — MRN BLR1-000001');
    expect(body).toContain('about 34 years');
    expect(body).toContain('+91 98450 12345');
    // The flash shows once.
    expect(await (await web.get(location)).text()).not.toContain('Registered Asha Rao — MRN');
  });

  test('a possible duplicate is not registered until confirmed', async () => {
    const before = server.eventCount();
    const res = await web.post('/patients', { ...ASHA, age_years: '35', _csrf: csrf, _form_token: await newFormToken() });
    expect(res.status).toBe(422);
    const body = await res.text();
    expect(body).toContain('Possible duplicate');
    expect(body).toContain(`href="/patients/${ashaId}"`);
    expect(body).toContain('name="confirm_duplicate" value="1"');
    expect(body).toContain('value="Asha Rao"');
    expect(server.eventCount()).toBe(before);

    const confirmed = await web.post('/patients', { ...ASHA, age_years: '35', confirm_duplicate: '1', _csrf: csrf, _form_token: hidden(body, '_form_token') });
    expect(confirmed.status).toBe(303);
    expect(server.eventCount()).toBe(before + 1);
    expect(await (await web.get(confirmed.headers.get('location')!)).text()).toContain('BLR1-000002');
  });

  test('the inline check answers a warning fragment, or nothing', async () => {
    const res = await web.post('/patients/check', { ...ASHA, _csrf: csrf }, { 'hx-request': 'true' });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('Possible duplicate');
    expect(body).not.toContain('<html');
    const none = await web.post('/patients/check', { name: 'Asha', _csrf: csrf }, { 'hx-request': 'true' });
    expect(none.status).toBe(200);
    expect((await none.text()).trim()).toBe('');
  });

  test('invalid input re-renders the form with the message at its field, values kept', async () => {
    const before = server.eventCount();
    const res = await web.post('/patients', {
      ...ASHA,
      name: 'Ravi"><b>Kumar</b>',
      phone: '12345',
      address: '</textarea><script>alert(1)</script>',
      _csrf: csrf,
      _form_token: await newFormToken(),
    });
    expect(res.status).toBe(422);
    const body = await res.text();
    expect(body).toMatch(/id="f-phone-error" class="error">Phone must be a 10-digit Indian mobile number/);
    // Values come back as typed, escaped: quotes in attributes, tags in the textarea.
    expect(body).toContain('value="Ravi&#34;><b>Kumar</b>"');
    expect(body).toContain('&lt;/textarea&gt;&lt;script&gt;');
    expect(body).not.toContain('<script>alert');
    expect(server.eventCount()).toBe(before);

    const noAge = await web.post('/patients', { ...ASHA, name: 'Ravi', age_years: '', _csrf: csrf, _form_token: await newFormToken() });
    expect(noAge.status).toBe(422);
    expect(await noAge.text()).toContain('Give a date of birth or an age in years');
  });

  test('search: full page with ?q=, fragment for htmx', async () => {
    const page = await web.get('/patients?q=asha');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html');
    expect(html).toContain('BLR1-000001');
    expect(html).toContain('value="asha"');
    const frag = await web.get('/patients/search?q=98450', { 'hx-request': 'true' });
    expect(frag.status).toBe(200);
    const f = await frag.text();
    expect(f).not.toContain('<html');
    expect(f).toContain('BLR1-000002');
    expect(frag.headers.get('hx-replace-url')).toBe('/patients?q=98450');
    const none = await web.get('/patients/search?q=zzz', { 'hx-request': 'true' });
    expect(await none.text()).toContain('No patient matches');
  });

  test('correcting the phone keeps old → new in the history; a stale form gets 409', async () => {
    const edit = await web.get(`/patients/${ashaId}/edit`);
    expect(edit.status).toBe(200);
    const form = await edit.text();
    expect(form).toContain('value="9845012345"');
    const fields = {
      _csrf: csrf,
      _form_token: hidden(form, '_form_token'),
      expected_version: hidden(form, 'expected_version'),
      name: 'Asha Rao',
      phone: '9845099999',
      sex: 'female',
      age_years: '34',
      date_of_birth: '',
      email: '',
      address: '12 MG Road\nBengaluru',
      abha_number: '',
      reason: 'New number',
    };
    const res = await web.post(`/patients/${ashaId}`, fields);
    expect(res.status).toBe(303);
    const page = await (await web.get(`/patients/${ashaId}`)).text();
    expect(page).toContain('+91 98450 12345');
    expect(page).toContain('+91 98450 99999');
    expect(page).toContain('New number');
    // Only the phone changed: an age re-sent as shown does not count as a correction.
    expect(page).not.toMatch(/Age \(years\)<\/span>/);

    const stale = await web.post(`/patients/${ashaId}`, { ...fields, _form_token: 'another-token', phone: '9845088888' });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('changed by someone else');
  });

  test('a form token sent again with other values is refused with a fresh form', async () => {
    const token = await newFormToken();
    const first = await web.post('/patients', { ...ASHA, name: 'Token Test', phone: '9000000077', _csrf: csrf, _form_token: token });
    expect(first.status).toBe(303);
    const before = server.eventCount();
    const other = await web.post('/patients', { ...ASHA, name: 'Someone Else', phone: '9000000078', _csrf: csrf, _form_token: token });
    expect(other.status).toBe(422);
    const body = await other.text();
    expect(body).toContain('already been sent with other values');
    expect(hidden(body, '_form_token')).not.toBe(token);
    expect(server.eventCount()).toBe(before);
  });

  test('another branch’s patient, or a bad id, is a 404 page', async () => {
    const other = server.addBranch('MYS1', 'Mysuru');
    const token = await server.token();
    const created = await server.api('/api/v1/patients', {
      method: 'POST',
      token,
      headers: { 'x-branch-id': other },
      json: { name: 'Other Branch', phone: '9000000001', sex: 'male', age_years: 40 },
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    const res = await web.get(`/patients/${id}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Patient not found');
    expect((await web.get('/patients/not-an-id')).status).toBe(404);
    expect((await web.get(`/patients/${id}/edit`)).status).toBe(404);
  });

  test('roles: a lab user may read but not register', async () => {
    await server.addUser('lab1', 'lab');
    const lab = new Client(server.url);
    const login = await lab.get('/login');
    const res = await lab.post('/login', { _csrf: hidden(await login.text(), '_csrf'), username: 'lab1', password: 'staff-pass-1', next: '/' });
    expect(res.status).toBe(303);
    const search = await lab.get('/patients');
    expect(search.status).toBe(200);
    expect(await search.text()).not.toContain('Register new patient');
    expect((await lab.get('/patients/new')).status).toBe(403);
  });
});
