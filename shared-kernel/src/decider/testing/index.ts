/**
 * Given / when / then for deciders, for Jest tests only (this folder is left out of the build):
 *
 *   const spec = DeciderSpecification.for(todoList);
 *   spec.given([{ type: 'TodoAdded', data: { id: 'a', title: 'Milk' } }])
 *     .when({ type: 'CompleteTodo', data: { id: 'a' } })
 *     .then([{ type: 'TodoCompleted', data: { id: 'a' } }]);
 *
 * Whole events are compared with `toEqual`, never counted. Modelled on Emmett's DeciderSpecification.
 */
import type { Decider, DomainEvent } from '../decider';
import { fold } from '../decider';

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** A substring of the message, a pattern it matches, or a check that returns false (or throws) when the error is wrong. */
export type ErrorCheck<E extends Error> = string | RegExp | ((error: E) => boolean | void);

export interface DeciderThen<Event extends DomainEvent> {
  /** The command decided exactly these events, in this order. */
  then(expected: Event[]): void;
  /** The command was accepted and changed nothing. */
  thenNothingHappened(): void;
  /** The command was refused with an error of this class (and passing `check`). */
  thenThrows<E extends Error>(errorClass: ErrorClass<E>, check?: ErrorCheck<E>): void;
}

export const DeciderSpecification = {
  for<Command, Event extends DomainEvent, State>(decider: Decider<Command, Event, State>) {
    return {
      given(events: Event[]) {
        return {
          when(command: Command): DeciderThen<Event> {
            // Folded outside `run` so that a broken evolve fails the test instead of passing a thenThrows.
            const state = fold(decider, events);
            const run = (): { events: Event[] } | { error: unknown } => {
              try {
                return { events: decider.decide(command, state) };
              } catch (error) {
                return { error };
              }
            };
            return {
              then(expected) {
                const outcome = run();
                if ('error' in outcome) throw outcome.error;
                expect(outcome.events).toEqual(expected);
              },
              thenNothingHappened() {
                this.then([]);
              },
              thenThrows(errorClass, check) {
                const outcome = run();
                if ('events' in outcome) {
                  throw new Error(`Expected the command to be refused with ${errorClass.name}, but it decided ${JSON.stringify(outcome.events)}.`);
                }
                expect(outcome.error).toBeInstanceOf(errorClass);
                const error = outcome.error as InstanceType<typeof errorClass>;
                if (typeof check === 'string') expect(error.message).toContain(check);
                else if (check instanceof RegExp) expect(error.message).toMatch(check);
                else if (check && check(error) === false) {
                  throw new Error(`The ${errorClass.name} did not pass the check: ${error.message}`);
                }
              },
            };
          },
        };
      },
    };
  },
};
