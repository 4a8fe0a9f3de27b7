// The decider pattern: a stream's logic as three pure functions, tested without a database.
import type { NewEvent } from './events';

export interface Decider<State, Event extends NewEvent, Command> {
  initialState: State;
  evolve(state: State, event: Event): State;
  /** Returns the events the command causes, or throws a DomainError. */
  decide(command: Command, state: State): Event[];
}

export function fold<State, Event extends NewEvent>(
  d: Pick<Decider<State, Event, unknown>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State {
  return events.reduce((s, e) => d.evolve(s, e), d.initialState);
}
