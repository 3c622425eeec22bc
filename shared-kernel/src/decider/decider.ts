/**
 * The shape of every aggregate's business logic: pure, synchronous functions with no I/O, no clock
 * and no random ids (the route puts what a decision needs into the command).
 */

/** A domain event: `type` is the TypeScript type name, a past-tense PascalCase fact; `data` is plain JSON. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface Decider<Command, Event extends DomainEvent, State> {
  /** A function, so that no two streams ever share (and mutate) one state object. */
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  /** The events the command causes in this state; `[]` when it changes nothing. Throws a domain error to refuse it. */
  decide: (command: Command, state: State) => Event[];
}

/** The state after `events`, starting from `state` (by default the decider's initial state). */
export function fold<Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
  events: Iterable<Event>,
  state: State = decider.initialState(),
): State {
  let current = state;
  for (const event of events) current = decider.evolve(current, event);
  return current;
}
