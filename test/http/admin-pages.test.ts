// The staff and branch admin pages through real HTTP: sign in with the login form, then use
// the pages' forms with their CSRF field, as a browser without JavaScript would.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { OWNER, startServer, type TestServer } from '../helpers/server';

let srv: TestServer;

beforeAll(async () => {
  srv = await startServer();
});
afterAll(async () => {
  await srv.stop();
});

/** A cookie jar and helpers for one browser. */
class Browser {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private store(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (!value || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string): Promise<Response> {
    const res = await fetch(this.base + path, { redirect: 'manual', headers: { cookie: this.cookieHeader(), accept: 'text/html' } });
    this.store(res);
    return res;
  }

  async post(path: string, fields: Record<string, string | string[]>): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const res = await fetch(this.base + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(), accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    this.store(res);
    return res;
  }

  /** GETs a page and returns its HTML and the _csrf value of its first form. */
  async page(path: string): Promise<{ status: number; html: string; csrf: string }> {
    const res = await this.get(path);
    const html = await res.text();
    return { status: res.status, html, csrf: csrfOf(html) };
  }

  async signIn(username: string, password: string): Promise<Response> {
    const { csrf } = await this.page('/login');
    expect(this.cookies.has('mm_csrf')).toBe(true);
    return this.post('/login', { username, password, _csrf: csrf });
  }
}

/** The HTML with every double-quoted attribute value blanked out. */
const outsideAttributes = (html: string) => html.replace(/="[^"]*"/g, '=""');

function csrfOf(html: string): string {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
}

async function signedIn(username: string, password: string): Promise<Browser> {
  const b = new Browser(srv.url);
  const res = await b.signIn(username, password);
  expect(res.status).toBe(303);
  expect(b.cookies.has('mm_session')).toBe(true);
  return b;
}

const lastEvent = (type: string) =>
  srv.svc.kernel.db.query('SELECT stream, data, meta FROM events WHERE type = ? ORDER BY seq DESC LIMIT 1').get(type) as {
    stream: string;
    data: string;
    meta: string;
  } | null;

const userIdOf = (username: string) => (srv.svc.kernel.db.query('SELECT id FROM users WHERE username = ?').get(username) as { id: string } | null)?.id;

describe('staff pages', () => {
  test('owner creates a front desk user through the form; the user can sign in; the event names the owner', async () => {
    const owner = await signedIn(OWNER.username, OWNER.password);
    const form = await owner.page('/admin/users/new');
    expect(form.status).toBe(200);
    expect(form.html).toContain('name="branch_ids"');
    expect(form.html).toContain('BLR1');
    const res = await owner.post('/admin/users', {
      _csrf: form.csrf,
      username: 'fd.asha',
      name: 'Asha Front',
      role: 'front_desk',
      branch_ids: srv.branchId,
      password: 'asha-pass-77',
      password_confirm: 'asha-pass-77',
    });
    expect(res.status).toBe(303);
    const id = userIdOf('fd.asha')!;
    expect(id).toBeTruthy();
    expect(res.headers.get('location')).toBe(`/admin/users/${id}`);

    const ev = lastEvent('user.created')!;
    expect(ev.stream).toBe(`user-${id}`);
    expect(JSON.parse(ev.meta).actor).toBe(srv.ownerId);

    // The account page shows the flash and the history, without the password hash.
    const detail = await owner.page(`/admin/users/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.html).toContain('Account fd.asha created');
    expect(detail.html).toContain('Olivia Owner');
    expect(detail.html).not.toContain('$argon2id');

    const list = await owner.page('/admin/users');
    expect(list.html).toContain('Asha Front');
    expect(list.html).toContain('fd.asha');

    const asha = await signedIn('fd.asha', 'asha-pass-77');
    expect((await asha.get('/')).status).toBe(200);
  });

  test('a form with an error is shown again with the message and the values kept (422, no event)', async () => {
    const owner = await signedIn(OWNER.username, OWNER.password);
    const { csrf } = await owner.page('/admin/users/new');
    const before = srv.eventCount();
    const res = await owner.post('/admin/users', {
      _csrf: csrf,
      username: 'ravi.doc',
      name: 'Ravi Kumar',
      role: 'doctor',
      branch_ids: srv.branchId,
      password: 'ravi-pass-12',
      password_confirm: 'ravi-pass-13',
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('The two passwords do not match');
    expect(html).toContain('value="ravi.doc"');
    expect(html).toContain('value="Ravi Kumar"');
    expect(html).toMatch(/<option value="doctor" selected/);
    expect(srv.eventCount()).toBe(before);

    const dup = await owner.post('/admin/users', {
      _csrf: csrf,
      username: 'owner',
      name: 'Another',
      role: 'doctor',
      branch_ids: srv.branchId,
      password: 'other-pass-12',
      password_confirm: 'other-pass-12',
    });
    expect(dup.status).toBe(422);
    expect(await dup.text()).toMatch(/id="f-username-error" class="error">Username owner is already taken/);
    expect(srv.eventCount()).toBe(before);
  });

  test('a front desk user gets 403 on the staff pages', async () => {
    await srv.addUser('fd.only', 'front_desk');
    const fd = await signedIn('fd.only', 'staff-pass-1');
    expect((await fd.get('/admin/users')).status).toBe(403);
    expect((await fd.get('/admin/users/new')).status).toBe(403);
    expect((await fd.get('/admin/branches')).status).toBe(403);
    const home = await fd.page('/');
    expect(home.html).not.toContain('href="/admin/users"');
  });

  test('an admin cannot create an owner: refused with a message, no event', async () => {
    await srv.addUser('adm.mira', 'admin');
    const admin = await signedIn('adm.mira', 'staff-pass-1');
    const form = await admin.page('/admin/users/new');
    expect(form.status).toBe(200);
    expect(form.html).not.toContain('<option value="owner"');
    expect(form.html).not.toContain('<option value="admin"');
    const before = srv.eventCount();
    const res = await admin.post('/admin/users', {
      _csrf: form.csrf,
      username: 'sneaky',
      name: 'Sneaky Owner',
      role: 'owner',
      password: 'sneaky-pass-1',
      password_confirm: 'sneaky-pass-1',
    });
    expect([403, 422]).toContain(res.status);
    expect(await res.text()).toContain('Only an owner can give the owner role');
    expect(srv.eventCount()).toBe(before);
    expect(userIdOf('sneaky')).toBeUndefined();

    // Nor can the admin open the owner's account page: it looks absent.
    expect((await admin.get(`/admin/users/${srv.ownerId}`)).status).toBe(404);
  });

  test('disabling a user ends their session at once and they cannot sign in', async () => {
    const id = await srv.addUser('doc.victim', 'doctor');
    const doc = await signedIn('doc.victim', 'staff-pass-1');
    expect((await doc.get('/')).status).toBe(200);

    const owner = await signedIn(OWNER.username, OWNER.password);
    const page = await owner.page(`/admin/users/${id}`);
    expect(page.html).toContain(`action="/admin/users/${id}/disable"`);
    const res = await owner.post(`/admin/users/${id}/disable`, { _csrf: page.csrf, reason: 'Left the clinic' });
    expect(res.status).toBe(303);
    expect(JSON.parse(lastEvent('user.disabled')!.meta).actor).toBe(srv.ownerId);

    const next = await doc.get('/');
    expect([303, 401]).toContain(next.status);
    if (next.status === 303) expect(next.headers.get('location')).toStartWith('/login');

    const again = await new Browser(srv.url).signIn('doc.victim', 'staff-pass-1');
    expect(again.status).toBe(401);

    // The list shows the account as disabled; the account page offers to enable it.
    const list = await owner.page('/admin/users');
    expect(list.html).toMatch(/doc\.victim[\s\S]*?badge-off/);
    const detail = await owner.page(`/admin/users/${id}`);
    expect(detail.html).toContain('Disabled: Left the clinic');
    const en = await owner.post(`/admin/users/${id}/enable`, { _csrf: detail.csrf });
    expect(en.status).toBe(303);
    expect((await new Browser(srv.url).signIn('doc.victim', 'staff-pass-1')).status).toBe(303);
  });

  test('you cannot disable yourself: the message is shown', async () => {
    const owner = await signedIn(OWNER.username, OWNER.password);
    const page = await owner.page(`/admin/users/${srv.ownerId}`);
    const before = srv.eventCount();
    const res = await owner.post(`/admin/users/${srv.ownerId}/disable`, { _csrf: page.csrf, reason: 'testing' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('You cannot disable your own account');
    expect(srv.eventCount()).toBe(before);
  });

  test('changing name, role and branches; a new password works; removing every branch is refused', async () => {
    const id = await srv.addUser('lab.neha', 'lab');
    const owner = await signedIn(OWNER.username, OWNER.password);
    let page = await owner.page(`/admin/users/${id}`);
    let res = await owner.post(`/admin/users/${id}`, { _csrf: page.csrf, name: 'Neha Lab', role: 'billing', branch_ids: srv.branchId });
    expect(res.status).toBe(303);
    const ev = JSON.parse(lastEvent('user.updated')!.data);
    expect(ev).toEqual({ name: 'Neha Lab', role: 'billing' });

    page = await owner.page(`/admin/users/${id}`);
    expect(page.html).toContain('Name changed to Neha Lab; role changed to Billing');
    res = await owner.post(`/admin/users/${id}`, { _csrf: page.csrf, name: 'Neha Lab', role: 'billing' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('Give the user at least one branch');

    res = await owner.post(`/admin/users/${id}/password`, { _csrf: page.csrf, password: 'short', password_confirm: 'short' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('at least 8 characters');
    res = await owner.post(`/admin/users/${id}/password`, { _csrf: page.csrf, password: 'neha-new-pass', password_confirm: 'neha-new-pass' });
    expect(res.status).toBe(303);
    expect((await new Browser(srv.url).signIn('lab.neha', 'neha-new-pass')).status).toBe(303);
    expect((await new Browser(srv.url).signIn('lab.neha', 'staff-pass-1')).status).toBe(401);
  });

  test('an admin manages only staff of their branches, and keeps memberships elsewhere', async () => {
    const hub = srv.addBranch('HUB1', 'Hebbal');
    const both = await srv.addUser('doc.both', 'doctor', [srv.branchId, hub]);
    const hubOnly = await srv.addUser('doc.hub', 'doctor', [hub]);
    await srv.addUser('adm.blr1', 'admin');
    const admin = await signedIn('adm.blr1', 'staff-pass-1');

    const list = await admin.page('/admin/users');
    expect(list.html).toContain('doc.both');
    expect(list.html).not.toContain('doc.hub');
    // Owners are listed but not linked for an admin.
    expect(list.html).not.toContain(`href="/admin/users/${srv.ownerId}"`);
    expect((await admin.get(`/admin/users/${hubOnly}`)).status).toBe(404);

    const page = await admin.page(`/admin/users/${both}`);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('HUB1 · Hebbal');
    const res = await admin.post(`/admin/users/${both}`, { _csrf: page.csrf, name: 'Dr Both', role: 'doctor', branch_ids: srv.branchId });
    expect(res.status).toBe(303);
    const ids = (srv.svc.kernel.db.query('SELECT branch_id FROM user_branches WHERE user_id = ?').all(both) as { branch_id: string }[]).map((r) => r.branch_id);
    expect(ids.sort()).toEqual([srv.branchId, hub].sort());

    // Giving a branch the admin does not have is refused.
    const before = srv.eventCount();
    const bad = await admin.post(`/admin/users/${both}`, { _csrf: page.csrf, name: 'Dr Both', role: 'admin', branch_ids: srv.branchId });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Only an owner can give the admin role');
    expect(srv.eventCount()).toBe(before);
  });

  test('unknown users are a 404 page', async () => {
    const owner = await signedIn(OWNER.username, OWNER.password);
    const res = await owner.get('/admin/users/no-such-user');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
  });

  test('a form without _csrf is refused (403) and nothing is appended', async () => {
    const owner = await signedIn(OWNER.username, OWNER.password);
    const before = srv.eventCount();
    const res = await owner.post('/admin/users', {
      username: 'nocsrf',
      name: 'No Csrf',
      role: 'doctor',
      branch_ids: srv.branchId,
      password: 'nocsrf-pass-1',
      password_confirm: 'nocsrf-pass-1',
    });
    expect(res.status).toBe(403);
    const wrong = await owner.post('/admin/branches', { _csrf: 'forged', code: 'X1', name: 'Forged' });
    expect(wrong.status).toBe(403);
    expect(srv.eventCount()).toBe(before);
    expect(userIdOf('nocsrf')).toBeUndefined();
  });

  test('names are escaped: a user called <script> shows as text', async () => {
    const owner = await signedIn(OWNER.username, OWNER.password);
    const { csrf } = await owner.page('/admin/users/new');
    const res = await owner.post('/admin/users', {
      _csrf: csrf,
      username: 'xss.user',
      name: '<script>alert(1)</script>',
      role: 'doctor',
      branch_ids: srv.branchId,
      password: 'xss-pass-123',
      password_confirm: 'xss-pass-123',
    });
    expect(res.status).toBe(303);
    const list = await owner.page('/admin/users');
    expect(list.html).not.toContain('<script>alert(1)</script>');
    expect(list.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The account page shows it as text; in the name input's value (a quoted attribute,
    // where only the quote needs escaping) it is inert.
    const detail = await owner.page(res.headers.get('location')!);
    expect(detail.html).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(outsideAttributes(detail.html)).not.toContain('<script>alert(1)');
    // The refused form echoes values escaped too.
    const bad = await owner.post('/admin/users', { _csrf: csrf, username: '"><script>x</script>', name: '<b>x</b>', role: 'doctor', password: 'x', password_confirm: 'x' });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(outsideAttributes(badHtml)).not.toContain('<script>x</script>');
    expect(outsideAttributes(badHtml)).not.toContain('<b>x</b>');
    expect(badHtml).toContain('value="&#34;><script>x</script>"');
  });
});

describe('branch pages', () => {
  test('owner opens a branch, edits it, renames the clinic; each change names the owner', async () => {
    const owner = await signedIn(OWNER.username, OWNER.password);
    const list = await owner.page('/admin/branches');
    expect(list.status).toBe(200);
    expect(list.html).toContain('Open a branch');
    expect(list.html).toContain('Asia/Kolkata');

    const form = await owner.page('/admin/branches/new');
    expect(form.html).toContain('starts every receipt number');
    const bad = await owner.post('/admin/branches', { _csrf: form.csrf, code: 'TOOLONG', name: 'Koramangala', timezone: 'Asia/Kolkata' });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toMatch(/id="f-code-error" class="error">Branch code must be 1 to 4/);
    expect(badHtml).toContain('value="Koramangala"');

    const res = await owner.post('/admin/branches', { _csrf: form.csrf, code: 'blr2', name: 'Koramangala', timezone: 'Asia/Kolkata', address: '80 Feet Rd', phone: '', gstin: '' });
    expect(res.status).toBe(303);
    const opened = lastEvent('branch.opened')!;
    expect(JSON.parse(opened.meta).actor).toBe(srv.ownerId);
    const id = JSON.parse(opened.data).branch_id as string;

    const after = await owner.page('/admin/branches');
    expect(after.html).toContain('BLR2');
    expect(after.html).toContain('Branch BLR2 · Koramangala is open');
    // The header now offers the branch switcher.
    expect(after.html).toContain('id="branch-select"');

    const edit = await owner.page(`/admin/branches/${id}`);
    expect(edit.status).toBe(200);
    expect(edit.html).toContain('readonly');
    const badGst = await owner.post(`/admin/branches/${id}`, { _csrf: edit.csrf, name: 'Koramangala', timezone: 'Asia/Kolkata', address: '', phone: '', gstin: 'nope' });
    expect(badGst.status).toBe(422);
    expect(await badGst.text()).toContain('GSTIN must be 15 characters');
    const ok = await owner.post(`/admin/branches/${id}`, { _csrf: edit.csrf, name: 'Koramangala 5th Block', timezone: 'Asia/Kolkata', address: '', phone: '080 4000 1234', gstin: '29ABCDE1234F1Z5' });
    expect(ok.status).toBe(303);
    expect(JSON.parse(lastEvent('branch.details_changed')!.data).changes).toEqual({ name: 'Koramangala 5th Block', address: null, phone: '080 4000 1234', gstin: '29ABCDE1234F1Z5' });

    const rn = await owner.post('/admin/clinic', { _csrf: edit.csrf, clinic_name: 'Sunrise Clinics' });
    expect(rn.status).toBe(303);
    expect(JSON.parse(lastEvent('clinic.renamed')!.meta).actor).toBe(srv.ownerId);
    expect((await owner.page('/admin/branches')).html).toContain('Sunrise Clinics');
  });

  test('an admin sees only their branches, cannot open one, and gets 404 for other branches', async () => {
    const other = srv.addBranch('MYS1', 'Mysuru');
    await srv.addUser('adm.blr', 'admin');
    const admin = await signedIn('adm.blr', 'staff-pass-1');
    const list = await admin.page('/admin/branches');
    expect(list.status).toBe(200);
    expect(list.html).not.toContain('MYS1');
    expect(list.html).not.toContain('Open a branch');
    expect(list.html).not.toContain('action="/admin/clinic"');
    expect((await admin.get('/admin/branches/new')).status).toBe(403);
    expect((await admin.get(`/admin/branches/${other}`)).status).toBe(404);
    expect((await admin.get(`/admin/branches/${srv.branchId}`)).status).toBe(200);
    const before = srv.eventCount();
    expect((await admin.post('/admin/clinic', { _csrf: list.csrf, clinic_name: 'Mine now' })).status).toBe(403);
    expect(srv.eventCount()).toBe(before);
  });
});
