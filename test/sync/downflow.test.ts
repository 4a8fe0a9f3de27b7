// Hub → branches over real HTTP: the chain's price list set at the hub reaches every
// branch's bills by pull; a branch's own price overrides it at that branch only.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chainOrigin } from '../../src/kernel';
import type { TestServer } from '../helpers/server';
import { type BranchSide, eventsOf, registerPatients, startBranch, startHub, verified } from './fixture';

let hub: TestServer;
let a: BranchSide;
let b: BranchSide;

beforeAll(async () => {
  hub = await startHub();
  a = await startBranch(hub, 'BLR1');
  b = await startBranch(hub, 'MYS1');
  await Promise.all([a.agent.hello(), b.agent.hello()]);
});
afterAll(async () => {
  await Promise.all([a.s.stop(), b.s.stop()]);
  await hub.stop();
});

const rupees = (r: number) => ({ amount: r * 100, currency: 'INR' });
const consultation = (price: number, extra: Record<string, unknown> = {}) => ({ name: 'Consultation', kind: 'consultation', unit_price: rupees(price), tax_rate: 0, sac_hsn: '9993', ...extra });

async function billCons(side: BranchSide): Promise<{ status: number; total: number; line: { unit_price: { amount: number }; description: string } }> {
  const [patientId] = await registerPatients(side.s, 1, `Bill ${Math.random().toString(36).slice(2, 7)}`);
  const res = await side.s.api('/api/v1/invoices', { method: 'POST', json: { patient_id: patientId, lines: [{ item_code: 'CONS', qty: 1 }] } });
  const body = (await res.json()) as { total: { amount: number }; lines: { unit_price: { amount: number }; description: string }[] };
  return { status: res.status, total: body.total?.amount, line: body.lines?.[0] };
}

const pricesAt = async (side: BranchSide) =>
  ((await (await side.s.api('/api/v1/prices')).json()) as { items: { item_code: string; unit_price: { amount: number }; source: string }[] }).items;

describe('chain prices flow down', () => {
  test('before the hub sets a chain price, CONS is unknown at a branch', async () => {
    const r = await billCons(a);
    expect(r.status).toBe(422);
  });

  test('set at the hub (under its chain origin), pulled by both branches, billed there', async () => {
    const put = await hub.api('/api/v1/chain/prices/cons', { method: 'PUT', json: consultation(500) });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { item_code: string }).item_code).toBe('CONS');
    const chain = chainOrigin(hub.svc.kernel.db)!;
    expect(eventsOf(hub, chain).length).toBe(1);

    expect((await a.agent.round()).pulled).toBe(1);
    expect((await b.agent.round()).pulled).toBe(1);
    for (const side of [a, b]) {
      expect(eventsOf(side.s, chain).length).toBe(1);
      const r = await billCons(side);
      expect(r.status).toBe(201);
      expect(r.total).toBe(50000);
      expect(r.line.description).toBe('Consultation');
      expect((await pricesAt(side)).find((p) => p.item_code === 'CONS')).toMatchObject({ unit_price: { amount: 50000 }, source: 'chain' });
    }
    // Pulling again brings nothing new.
    expect((await a.agent.round()).pulled).toBe(0);
  });

  test('a branch override wins at that branch only; a later chain change reaches the others', async () => {
    const own = await a.s.api('/api/v1/prices/CONS', { method: 'PUT', json: consultation(650) });
    expect(own.status).toBe(200);
    const change = await hub.api('/api/v1/chain/prices/CONS', { method: 'PUT', json: consultation(550) });
    expect(change.status).toBe(200);
    await Promise.all([a.agent.round(), b.agent.round()]);

    expect((await billCons(a)).total).toBe(65000);
    expect((await billCons(b)).total).toBe(55000);
    expect((await pricesAt(a)).find((p) => p.item_code === 'CONS')).toMatchObject({ unit_price: { amount: 65000 }, source: 'branch' });
    expect((await pricesAt(b)).find((p) => p.item_code === 'CONS')).toMatchObject({ unit_price: { amount: 55000 }, source: 'chain' });
    // The chain list itself is the same everywhere; the override did not leak into it.
    for (const s of [hub, a.s, b.s]) {
      const list = (await (await s.api('/api/v1/chain/prices')).json()) as { items: { item_code: string; unit_price: { amount: number } }[] };
      expect(list.items.map((i) => [i.item_code, i.unit_price.amount])).toEqual([['CONS', 55000]]);
    }
    // The override reached the hub as BLR1's own event, not the chain's.
    await a.agent.round();
    const hubPrice = hub.svc.kernel.db.query("SELECT unit_price FROM price_items WHERE branch_id = ? AND item_code = 'CONS'").all(a.s.branchId);
    expect(hubPrice).toEqual([{ unit_price: 65000 }]);
  });

  test('a branch cannot set the chain list; nor can a hub user without chain.manage; bad bodies are 4xx', async () => {
    const atBranch = await a.s.api('/api/v1/chain/prices/CONS', { method: 'PUT', json: consultation(1) });
    expect(atBranch.status).toBe(404);
    expect(((await atBranch.json()) as { error: { code: string } }).error.code).toBe('not_a_hub');

    await hub.addUser('desk', 'front_desk');
    const desk = await hub.token('desk', 'staff-pass-1');
    expect((await hub.api('/api/v1/chain/prices/CONS', { method: 'PUT', json: consultation(1), token: desk })).status).toBe(403);

    const before = hub.eventCount();
    const bad = await hub.api('/api/v1/chain/prices/CONS', { method: 'PUT', json: { ...consultation(1), unit_price: { amount: -5, currency: 'INR' } } });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    const doc = await hub.api('/api/v1/chain/prices/CONS', { method: 'PUT', json: consultation(1, { doctor_id: crypto.randomUUID() }) });
    expect(doc.status).toBe(422);
    expect(((await doc.json()) as { error: { code: string } }).error.code).toBe('doctor_not_chain_wide');
    expect(hub.eventCount()).toBe(before);
  });

  test('retiring a chain item removes it where the branch has no override; every log verifies', async () => {
    const del = await hub.api('/api/v1/chain/prices/CONS', { method: 'DELETE' });
    expect(del.status).toBe(200);
    await Promise.all([a.agent.round(), b.agent.round()]);
    expect((await billCons(b)).status).toBe(422);
    expect((await billCons(a)).total).toBe(65000);
    await Promise.all([a.agent.round(), b.agent.round()]);
    for (const s of [hub, a.s, b.s]) expect(verified(s).ok).toBe(true);
  });

  test('chain policies: the cancellation policy and a default deposit rule reach the branches; a branch’s own wins there', async () => {
    expect((await hub.api('/api/v1/chain/billing-policy', { method: 'PUT', json: { refundable_until_hours: 48 } })).status).toBe(200);
    expect((await hub.api('/api/v1/chain/deposit-rules', { method: 'PUT', json: { mode: 'in_person', kind: 'percent', value: 40 } })).status).toBe(200);
    const withDoctor = await hub.api('/api/v1/chain/deposit-rules', { method: 'PUT', json: { doctor_id: crypto.randomUUID(), mode: 'in_person', kind: 'percent', value: 10 } });
    expect(withDoctor.status).toBe(422);
    expect(await (await hub.api('/api/v1/chain/policies')).json()).toEqual({
      refundable_until_hours: 48,
      deposit_rules: [{ doctor_id: null, mode: 'in_person', kind: 'percent', value: 40 }],
    });
    expect((await b.s.api('/api/v1/billing-policy', { method: 'PUT', json: { refundable_until_hours: 6 } })).status).toBe(200);
    await Promise.all([a.agent.round(), b.agent.round()]);

    const policy = async (side: BranchSide) => ((await (await side.s.api('/api/v1/billing-policy')).json()) as { refundable_until_hours: number }).refundable_until_hours;
    expect(await policy(a)).toBe(48);
    expect(await policy(b)).toBe(6);
    const doctor = (await (await a.s.api('/api/v1/doctors', { method: 'POST', json: { name: 'Dr Iyer', specialty: 'Paediatrics', registration_number: 'KMC 777', slot_minutes: 15, fee: rupees(600) } })).json()) as { id: string };
    const due = (await (await a.s.api(`/api/v1/deposits/due?doctor_id=${doctor.id}&mode=in_person`)).json()) as { amount: { amount: number } };
    expect(due.amount.amount).toBe(24000); // 40 % of ₹600, from the chain
    expect((await a.s.api('/api/v1/deposit-rules', { method: 'PUT', json: { mode: 'in_person', kind: 'amount', value: rupees(100) } })).status).toBe(200);
    const own = (await (await a.s.api(`/api/v1/deposits/due?doctor_id=${doctor.id}&mode=in_person`)).json()) as { amount: { amount: number } };
    expect(own.amount.amount).toBe(10000);
    expect((await a.s.api('/api/v1/chain/billing-policy', { method: 'PUT', json: { refundable_until_hours: 1 } })).status).toBe(404);
  });

  test('announcements: posted at the hub, shown on every branch’s start page (escaped) until withdrawn', async () => {
    const post = await hub.api('/api/v1/chain/announcements', { method: 'POST', json: { title: 'New fees from Monday <script>x</script>', body: 'Consultation ₹550.\nReview visits stay free.' } });
    expect(post.status).toBe(201);
    const a1 = (await post.json()) as { id: string; posted_by: string };
    expect(a1.posted_by).toBe('Olivia Owner');
    const expired = await hub.api('/api/v1/chain/announcements', { method: 'POST', json: { title: 'Old', body: 'x', show_until: '2020-01-01' } });
    expect(expired.status).toBe(422);
    expect((await hub.api('/api/v1/chain/announcements', { method: 'POST', json: { title: ' ', body: 'x' } })).status).toBe(422);
    expect((await a.s.api('/api/v1/chain/announcements', { method: 'POST', json: { title: 'From a branch', body: 'x' } })).status).toBe(404);
    await Promise.all([a.agent.round(), b.agent.round()]);

    for (const side of [a, b]) {
      const list = (await (await side.s.api('/api/v1/announcements')).json()) as { items: { id: string; title: string }[] };
      expect(list.items.map((i) => i.id)).toEqual([a1.id]);
      const home = await (await side.s.api('/')).text();
      expect(home).toContain('From HQ');
      expect(home).toContain('New fees from Monday &lt;script&gt;x&lt;/script&gt;');
      expect(home).not.toContain('<script>x</script>');
    }
    expect((await hub.api(`/api/v1/chain/announcements/${a1.id}/withdraw`, { method: 'POST' })).status).toBe(200);
    expect((await hub.api(`/api/v1/chain/announcements/${a1.id}/withdraw`, { method: 'POST' })).status).toBe(409);
    expect((await hub.api(`/api/v1/chain/announcements/${crypto.randomUUID()}/withdraw`, { method: 'POST' })).status).toBe(404);
    await a.agent.round();
    expect(((await (await a.s.api('/api/v1/announcements')).json()) as { items: unknown[] }).items).toEqual([]);
    expect(await (await a.s.api('/')).text()).not.toContain('From HQ');
    for (const s of [hub, a.s]) expect(verified(s).ok).toBe(true);
  });
  test('doctor directory: listed at the hub (codes checked), pulled by every branch, searchable there, edits and delisting follow', async () => {
    const entry = { name: 'Dr. Meera Rao <b>', specialty: 'Paediatrics', qualifications: 'MBBS, MD (Paediatrics)', registration_number: 'KMC 12345', branch_codes: ['mys1', 'BLR1'], visiting: 'Tue, Fri 10:00–13:00 at MYS1' };
    const before = hub.eventCount();
    const unknown = await hub.api('/api/v1/chain/doctors', { method: 'POST', json: { ...entry, branch_codes: ['BLR1', 'XYZ9'] } });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'unknown_branch', message: 'No branch of the chain has the code XYZ9' });
    expect((await hub.api('/api/v1/chain/doctors', { method: 'POST', json: { ...entry, name: '  ' } })).status).toBe(422);
    expect((await hub.api('/api/v1/chain/doctors', { method: 'POST', json: { ...entry, registration_number: 'KMC;DROP' } })).status).toBe(422);
    expect((await hub.api('/api/v1/chain/doctors', { method: 'POST', json: { ...entry, extra: 1 } })).status).toBe(400);
    expect((await a.s.api('/api/v1/chain/doctors', { method: 'POST', json: entry })).status).toBe(404);
    expect(hub.eventCount()).toBe(before);

    const post = await hub.api('/api/v1/chain/doctors', { method: 'POST', json: entry });
    expect(post.status).toBe(201);
    const meera = (await post.json()) as { id: string; branch_codes: string[] };
    expect(meera.branch_codes).toEqual(['BLR1', 'MYS1']);
    const other = (await (await hub.api('/api/v1/chain/doctors', { method: 'POST', json: { name: 'Dr. Arjun Shetty', specialty: 'Orthopaedics', branch_codes: ['BLR1'] } })).json()) as { id: string };
    await Promise.all([a.agent.round(), b.agent.round()]);
    const one = await a.s.api(`/api/v1/chain/doctors/${meera.id}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ id: meera.id, name: 'Dr. Meera Rao <b>', registration_number: 'KMC 12345', branch_codes: ['BLR1', 'MYS1'], delisted_at: null });
    expect((await a.s.api(`/api/v1/chain/doctors/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await a.s.api('/api/v1/chain/doctors/not-an-id')).status).toBe(404);

    for (const side of [a, b]) {
      const list = (await (await side.s.api('/api/v1/chain/doctors')).json()) as { items: { id: string; name: string }[] };
      expect(list.items.map((d) => d.name)).toEqual(['Dr. Arjun Shetty', 'Dr. Meera Rao <b>']);
      const atMys = (await (await side.s.api('/api/v1/chain/doctors?branch=mys1')).json()) as { items: { id: string }[] };
      expect(atMys.items.map((d) => d.id)).toEqual([meera.id]);
      const ortho = (await (await side.s.api('/api/v1/chain/doctors?q=ORTHO')).json()) as { items: { id: string }[] };
      expect(ortho.items.map((d) => d.id)).toEqual([other.id]);
      const page = await (await side.s.api('/directory?q=paediatr')).text();
      expect(page).toContain('Dr. Meera Rao &lt;b&gt;');
      expect(page).not.toContain('Dr. Arjun Shetty');
      expect(page).toContain('Reg. KMC 12345');
    }
    // A branch's front desk reads it too.
    await a.s.addUser('frontdesk', 'front_desk');
    const desk = await a.s.token('frontdesk', 'staff-pass-1');
    expect((await a.s.api('/api/v1/chain/doctors', { token: desk })).status).toBe(200);
    expect((await a.s.api('/api/v1/chain/doctors?branch=../x')).status).toBe(400);

    const edit = await hub.api(`/api/v1/chain/doctors/${meera.id}`, { method: 'PUT', json: { ...entry, name: 'Dr. Meera Rao', visiting: 'Fridays only at MYS1' } });
    expect(edit.status).toBe(200);
    const same = hub.eventCount();
    expect((await hub.api(`/api/v1/chain/doctors/${meera.id}`, { method: 'PUT', json: { ...entry, name: 'Dr. Meera Rao', visiting: 'Fridays only at MYS1' } })).status).toBe(200);
    expect(hub.eventCount()).toBe(same); // unchanged: nothing recorded
    expect((await hub.api(`/api/v1/chain/doctors/${other.id}/delist`, { method: 'POST', json: { reason: 'Left the chain' } })).status).toBe(200);
    expect((await hub.api(`/api/v1/chain/doctors/${other.id}/delist`, { method: 'POST' })).status).toBe(409);
    expect((await hub.api(`/api/v1/chain/doctors/${other.id}`, { method: 'PUT', json: entry })).status).toBe(409);
    expect((await hub.api(`/api/v1/chain/doctors/${crypto.randomUUID()}/delist`, { method: 'POST' })).status).toBe(404);
    await Promise.all([a.agent.round(), b.agent.round()]);
    for (const side of [a, b]) {
      const list = (await (await side.s.api('/api/v1/chain/doctors')).json()) as { items: { name: string; visiting: string }[] };
      expect(list.items).toMatchObject([{ name: 'Dr. Meera Rao', visiting: 'Fridays only at MYS1' }]);
      const all = (await (await side.s.api('/api/v1/chain/doctors?include_delisted=true')).json()) as { items: { id: string; delisted_at: string | null }[] };
      expect(all.items.find((d) => d.id === other.id)?.delisted_at).toBeString();
    }
    for (const s of [hub, a.s, b.s]) expect(verified(s).ok).toBe(true);
  });
});
