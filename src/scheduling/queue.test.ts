// The daily queue decider: numbering, one live token per patient, the token state machine
// (waiting → called → in consultation → done; skipped and recalled), and the service order.
import { describe, expect, test } from 'bun:test';
import { given } from '../../test/helpers/decider';
import type { EventOf, Priority, TokenState } from './events';
import { nextTokenNumber, type QueueCommand, queueDecider, type Token, waitingOrder } from './queue';

type QueueEvent = Parameters<typeof queueDecider.evolve>[1];

const issued = (n: number, patient = `p${n}`, priority: Priority = 'normal', appointment: string | null = null): EventOf<'queue.token_issued'> => ({
  type: 'queue.token_issued',
  data: {
    token_id: `t${n}`,
    number: n,
    doctor_id: 'd1',
    date: '2026-12-01',
    patient_id: patient,
    appointment_id: appointment,
    kind: appointment ? 'appointment' : 'walk_in',
    priority,
  },
});
const issue = (n: number, patient = `p${n}`, priority: Priority = 'normal', appointment: string | null = null): QueueCommand => ({
  kind: 'issue',
  tokenId: `t${n}`,
  doctorId: 'd1',
  date: '2026-12-01',
  patientId: patient,
  appointmentId: appointment,
  priority,
});
const called = (n: number): QueueEvent => ({ type: 'queue.token_called', data: { token_id: `t${n}` } });
const started = (n: number): QueueEvent => ({ type: 'queue.consultation_started', data: { token_id: `t${n}` } });
const completed = (n: number): QueueEvent => ({ type: 'queue.consultation_completed', data: { token_id: `t${n}` } });
const skipped = (n: number): QueueEvent => ({ type: 'queue.token_skipped', data: { token_id: `t${n}` } });
const recalled = (n: number): QueueEvent => ({ type: 'queue.token_recalled', data: { token_id: `t${n}` } });
const move = (kind: Exclude<QueueCommand['kind'], 'issue'>, n: number): QueueCommand => ({ kind, tokenId: `t${n}` });

/** Events that take token 1 to each state. */
const toState: Record<TokenState, QueueEvent[]> = {
  waiting: [issued(1)],
  called: [issued(1), called(1)],
  in_consultation: [issued(1), called(1), started(1)],
  done: [issued(1), called(1), started(1), completed(1)],
  skipped: [issued(1), skipped(1)],
};

const stateOf = (events: QueueEvent[]) => events.reduce(queueDecider.evolve, queueDecider.initialState);

describe('issuing tokens', () => {
  test('numbers run 1, 2, 3 in arrival order', () => {
    given(queueDecider, []).when(issue(1)).then([issued(1)]);
    given(queueDecider, [issued(1)]).when(issue(2)).then([issued(2)]);
    given(queueDecider, [issued(1), issued(2)]).when(issue(3)).then([issued(3)]);
  });

  test('numbers keep counting past done and skipped tokens', () => {
    given(queueDecider, [...toState.done, issued(2), skipped(2)]).when(issue(3)).then([issued(3)]);
    expect(nextTokenNumber(stateOf([...toState.done, issued(2)]))).toBe(3);
    expect(nextTokenNumber(queueDecider.initialState)).toBe(1);
  });

  test('a token for an appointment is of kind appointment; without one, walk_in; priority kept', () => {
    given(queueDecider, []).when(issue(1, 'p1', 'elderly', 'a1')).then([issued(1, 'p1', 'elderly', 'a1')]);
    expect(issued(1, 'p1', 'elderly', 'a1').data.kind).toBe('appointment');
    given(queueDecider, []).when(issue(1, 'p1', 'emergency')).then([issued(1, 'p1', 'emergency')]);
  });

  for (const state of ['waiting', 'called', 'in_consultation'] as const) {
    test(`the same patient twice while ${state} → already_in_queue`, () => {
      const e = given(queueDecider, toState[state]).when(issue(2, 'p1')).thenThrows('already_in_queue');
      expect(e.status).toBe(409);
      expect(e.details).toEqual({ token_id: 't1', number: 1 });
      expect(e.message).toContain('token 1');
    });
  }

  test('the same patient again once done gets a new number', () => {
    given(queueDecider, toState.done).when(issue(2, 'p1')).then([issued(2, 'p1')]);
  });

  test('another patient is never blocked by someone else’s token', () => {
    given(queueDecider, toState.in_consultation).when(issue(2, 'p2')).then([issued(2, 'p2')]);
  });
});

describe('moving tokens: each move from each state', () => {
  // [move, state it is legal from → state after]; every other state is refused.
  const legal: Record<Exclude<QueueCommand['kind'], 'issue'>, Partial<Record<TokenState, QueueEvent['type']>>> = {
    call: { waiting: 'queue.token_called' },
    start: { waiting: 'queue.consultation_started', called: 'queue.consultation_started' },
    complete: { in_consultation: 'queue.consultation_completed' },
    skip: { waiting: 'queue.token_skipped', called: 'queue.token_skipped' },
    recall: { skipped: 'queue.token_recalled' },
  };
  const words: Record<TokenState, string> = { waiting: 'waiting', called: 'called', in_consultation: 'in consultation', done: 'done', skipped: 'skipped' };
  for (const [kind, from] of Object.entries(legal) as [Exclude<QueueCommand['kind'], 'issue'>, Partial<Record<TokenState, QueueEvent['type']>>][]) {
    for (const state of Object.keys(toState) as TokenState[]) {
      const type = from[state];
      if (type) {
        test(`${kind} from ${state} → ${type}`, () => {
          given(queueDecider, toState[state]).when(move(kind, 1)).then([{ type, data: { token_id: 't1' } } as QueueEvent]);
        });
      } else {
        test(`${kind} from ${state} → invalid_transition`, () => {
          const e = given(queueDecider, toState[state]).when(move(kind, 1)).thenThrows('invalid_transition');
          expect(e.status).toBe(409);
          expect(e.message).toBe(`Cannot ${kind} token 1: it is ${words[state]}`);
          expect(e.details).toEqual({ state });
        });
      }
    }
  }

  test('a token that is not in the queue → not_found', () => {
    for (const kind of ['call', 'start', 'complete', 'skip', 'recall'] as const) {
      const e = given(queueDecider, toState.waiting).when(move(kind, 9)).thenThrows('not_found');
      expect(e.status).toBe(404);
    }
  });

  test('evolve moves only the named token', () => {
    const s = stateOf([issued(1), issued(2), issued(3), called(2), started(2), skipped(3)]);
    expect(s.tokens.map((t) => [t.number, t.state])).toEqual([
      [1, 'waiting'],
      [2, 'in_consultation'],
      [3, 'skipped'],
    ]);
    expect(stateOf([issued(1), skipped(1), recalled(1)]).tokens[0].state).toBe('waiting');
  });
});

describe('one at a time', () => {
  test('only one token is called at a time → another_called', () => {
    const e = given(queueDecider, [issued(1), issued(2), called(1)]).when(move('call', 2)).thenThrows('another_called');
    expect(e.details).toEqual({ token_id: 't1' });
    expect(e.message).toContain('Token 1');
  });

  test('once the called token is started, skipped or done, the next can be called', () => {
    given(queueDecider, [issued(1), issued(2), called(1), started(1)]).when(move('call', 2)).then([called(2)]);
    given(queueDecider, [issued(1), issued(2), called(1), skipped(1)]).when(move('call', 2)).then([called(2)]);
  });

  test('only one token in consultation → doctor_busy, from called or from waiting', () => {
    const busy = [issued(1), issued(2), issued(3), called(1), started(1), called(2)];
    const e = given(queueDecider, busy).when(move('start', 2)).thenThrows('doctor_busy');
    expect(e.details).toEqual({ token_id: 't1' });
    given(queueDecider, busy).when(move('start', 3)).thenThrows('doctor_busy');
  });

  test('after completing, the doctor can start the next one', () => {
    given(queueDecider, [issued(1), issued(2), called(1), started(1), completed(1), called(2)]).when(move('start', 2)).then([started(2)]);
  });

  test('a recalled token waits again and can be called', () => {
    given(queueDecider, [issued(1), skipped(1), recalled(1)]).when(move('call', 1)).then([called(1)]);
  });

  test('recalling a skipped token while its patient holds another live token → already_in_queue', () => {
    // Skipped is not live, so the patient could take a new token; recalling the old one
    // would then give one patient two live tokens in the same queue.
    const history = [issued(1, 'p1'), skipped(1), issued(2, 'p1')];
    given(queueDecider, history).when(move('recall', 1)).thenThrows('already_in_queue');
    given(queueDecider, [...history, called(2), started(2), completed(2)]).when(move('recall', 1)).then([recalled(1)]);
  });
});

describe('waitingOrder', () => {
  const token = (number: number, priority: Priority, state: TokenState = 'waiting'): Token => ({
    id: `t${number}`,
    number,
    patientId: `p${number}`,
    appointmentId: null,
    priority,
    state,
  });

  test('emergency, then elderly, then normal; by number within each', () => {
    const tokens = [
      token(1, 'normal'),
      token(2, 'elderly'),
      token(3, 'normal'),
      token(4, 'emergency'),
      token(5, 'elderly'),
      token(6, 'emergency'),
      token(7, 'normal'),
    ];
    expect(waitingOrder(tokens).map((t) => t.number)).toEqual([4, 6, 2, 5, 1, 3, 7]);
  });

  test('only waiting tokens (recalled ones included), input left untouched', () => {
    const tokens = [token(3, 'normal'), token(1, 'emergency', 'called'), token(2, 'normal', 'in_consultation'), token(4, 'elderly', 'done'), token(5, 'emergency', 'skipped'), token(6, 'normal')];
    const copy = structuredClone(tokens);
    expect(waitingOrder(tokens).map((t) => t.number)).toEqual([3, 6]);
    expect(tokens).toEqual(copy);
    expect(waitingOrder([])).toEqual([]);
  });

  test('a recalled token goes back by its number, not to the end', () => {
    const s = stateOf([issued(1), issued(2), issued(3), skipped(1), recalled(1)]);
    expect(waitingOrder(s.tokens).map((t) => t.number)).toEqual([1, 2, 3]);
  });
});
