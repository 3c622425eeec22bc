import type { Position, RecordedEvent, SubscriptionMessage } from '../eventStore';

export interface OrderedRelay {
  /** An item the client delivered: one of ours, or `null` for an event the port does not show. */
  received(event: RecordedEvent | null): void;
  caughtUp(): void;
  checkpoint(position: Position): void;
}

/**
 * The client (v6) announces caught-up and checkpoints as side events, outside its stream of
 * events, while items it received before them may still wait in its buffer (`buffered()` of them;
 * Node's streams usually have delivered them already, but nothing promises it). Passed on at once,
 * a checkpoint could overtake events, and a subscriber storing it would skip them after a restart;
 * so each announcement is held until every item received before it was delivered.
 */
export function orderedRelay(next: (message: SubscriptionMessage) => void, start: Position | null, buffered: () => number): OrderedRelay {
  let delivered = 0;
  let last = start;
  let caughtUp = false;
  const held: { after: number; message: SubscriptionMessage }[] = [];

  const flush = (): void => {
    while (held[0] && held[0].after <= delivered) {
      const { message } = held.shift()!;
      // a checkpoint that is not past what was delivered tells nothing
      if (message.kind === 'checkpoint' && (last === null || message.position > last)) {
        last = message.position;
        next(message);
      } else if (message.kind === 'caughtUp' && !caughtUp) {
        caughtUp = true;
        next({ kind: 'caughtUp', position: last });
      }
    }
  };
  const hold = (message: SubscriptionMessage): void => {
    held.push({ after: delivered + buffered(), message });
    flush();
  };

  return {
    received(event) {
      delivered++;
      if (event) {
        last = event.position;
        next({ kind: 'event', event });
      }
      flush();
    },
    caughtUp: () => hold({ kind: 'caughtUp', position: null }),
    checkpoint: (position) => hold({ kind: 'checkpoint', position }),
  };
}
