// given/when/then for deciders, after emmett's DeciderSpecification: no database, just the
// three pure functions. `given(decider, events).when(command).then(events)` or `.thenThrows(code)`.
import { expect } from 'bun:test';
import type { Decider } from '../../src/core/decider';
import { DomainError } from '../../src/core/errors';
import type { NewEvent } from '../../src/core/events';

export interface DeciderSpec<E> {
  /** The command must produce exactly these events (an empty list: nothing to record). */
  then(expected: E[]): void;
  /** The command must be refused with a DomainError carrying this code. */
  thenThrows(code: string): DomainError;
}

export function given<S, E extends NewEvent, C>(decider: Decider<S, E, C>, events: E[]) {
  return {
    when(command: C): DeciderSpec<E> {
      const decide = () => decider.decide(command, events.reduce((s, e) => decider.evolve(s, e), decider.initialState));
      return {
        then(expected) {
          expect(decide()).toEqual(expected);
        },
        thenThrows(code) {
          let produced: E[];
          try {
            produced = decide();
          } catch (e) {
            if (!(e instanceof DomainError)) throw e;
            expect(e.code).toBe(code);
            return e;
          }
          throw new Error(`expected the command to be refused with ${code}, but it produced ${JSON.stringify(produced)}`);
        },
      };
    },
  };
}
