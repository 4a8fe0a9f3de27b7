// A doctor's queue for one day: tokens numbered in arrival order, served by priority
// (emergency, then elderly, then everyone else) and, within a priority, by number.
// waiting → called → in_consultation → done; waiting/called → skipped → (recalled) waiting.
import type { Decider } from '../core/decider';
import { conflict, notFound } from '../core/errors';
import type { EventOf, Priority, TokenState } from './events';

type QueueEvent =
  | EventOf<'queue.token_issued'>
  | EventOf<'queue.token_called'>
  | EventOf<'queue.consultation_started'>
  | EventOf<'queue.consultation_completed'>
  | EventOf<'queue.token_skipped'>
  | EventOf<'queue.token_recalled'>;

export interface Token {
  id: string;
  number: number;
  patientId: string;
  appointmentId: string | null;
  priority: Priority;
  state: TokenState;
}

export interface QueueState {
  tokens: Token[];
}

export type QueueCommand =
  | { kind: 'issue'; tokenId: string; doctorId: string; date: string; patientId: string; appointmentId: string | null; priority: Priority }
  | { kind: 'call' | 'start' | 'complete' | 'skip' | 'recall'; tokenId: string };

const RANK: Record<Priority, number> = { emergency: 0, elderly: 1, normal: 2 };
const LIVE: TokenState[] = ['waiting', 'called', 'in_consultation'];

/** Waiting tokens in the order they will be called. */
export function waitingOrder(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.state === 'waiting').sort((a, b) => RANK[a.priority] - RANK[b.priority] || a.number - b.number);
}

export function nextTokenNumber(s: QueueState): number {
  return s.tokens.length + 1;
}

const stateAfter: Record<QueueEvent['type'], TokenState> = {
  'queue.token_issued': 'waiting',
  'queue.token_called': 'called',
  'queue.consultation_started': 'in_consultation',
  'queue.consultation_completed': 'done',
  'queue.token_skipped': 'skipped',
  'queue.token_recalled': 'waiting',
};

const describe: Record<TokenState, string> = {
  waiting: 'waiting',
  called: 'called',
  in_consultation: 'in consultation',
  done: 'done',
  skipped: 'skipped',
};

export const queueDecider: Decider<QueueState, QueueEvent, QueueCommand> = {
  initialState: { tokens: [] },
  evolve(s, e) {
    if (e.type === 'queue.token_issued') {
      const d = e.data;
      return { tokens: [...s.tokens, { id: d.token_id, number: d.number, patientId: d.patient_id, appointmentId: d.appointment_id, priority: d.priority, state: 'waiting' }] };
    }
    return { tokens: s.tokens.map((t) => (t.id === e.data.token_id ? { ...t, state: stateAfter[e.type] } : t)) };
  },
  decide(c, s) {
    if (c.kind === 'issue') {
      const live = s.tokens.find((t) => t.patientId === c.patientId && LIVE.includes(t.state));
      if (live) throw conflict('already_in_queue', `This patient already holds token ${live.number} in this doctor's queue today`, { token_id: live.id, number: live.number });
      return [
        {
          type: 'queue.token_issued',
          data: {
            token_id: c.tokenId,
            number: nextTokenNumber(s),
            doctor_id: c.doctorId,
            date: c.date,
            patient_id: c.patientId,
            appointment_id: c.appointmentId,
            kind: c.appointmentId ? 'appointment' : 'walk_in',
            priority: c.priority,
          },
        },
      ];
    }
    const token = s.tokens.find((t) => t.id === c.tokenId);
    if (!token) throw notFound('Token');
    const refuse = (action: string): never => {
      throw conflict('invalid_transition', `Cannot ${action} token ${token.number}: it is ${describe[token.state]}`, { state: token.state });
    };
    const data = { token_id: token.id };
    switch (c.kind) {
      case 'call': {
        if (token.state !== 'waiting') refuse('call');
        const called = s.tokens.find((t) => t.state === 'called');
        if (called) throw conflict('another_called', `Token ${called.number} is still called: start or skip it first`, { token_id: called.id });
        return [{ type: 'queue.token_called', data }];
      }
      case 'start': {
        if (token.state !== 'called' && token.state !== 'waiting') refuse('start');
        const busy = s.tokens.find((t) => t.state === 'in_consultation');
        if (busy) throw conflict('doctor_busy', `Token ${busy.number} is still in consultation: complete it first`, { token_id: busy.id });
        return [{ type: 'queue.consultation_started', data }];
      }
      case 'complete':
        if (token.state !== 'in_consultation') refuse('complete');
        return [{ type: 'queue.consultation_completed', data }];
      case 'skip':
        if (token.state !== 'waiting' && token.state !== 'called') refuse('skip');
        return [{ type: 'queue.token_skipped', data }];
      case 'recall': {
        if (token.state !== 'skipped') refuse('recall');
        // The patient may have taken a new token since: one live token per patient.
        const live = s.tokens.find((t) => t.patientId === token.patientId && LIVE.includes(t.state));
        if (live) throw conflict('already_in_queue', `This patient already holds token ${live.number} in this doctor's queue today`, { token_id: live.id, number: live.number });
        return [{ type: 'queue.token_recalled', data }];
      }
    }
  },
};
