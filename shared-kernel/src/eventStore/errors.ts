import { ConcurrencyError, ConflictError, IllegalStateError, ValidationError } from '../errors';
import type { CurrentRevision, ExpectedRevision } from './eventStore';

/** The stream's revision was not what the writer expected. Nothing was written. */
export class WrongExpectedVersionError extends ConcurrencyError {
  override readonly code = 'wrong_expected_version';
  constructor(
    readonly streamId: string,
    readonly expectedRevision: ExpectedRevision,
    readonly actualRevision: CurrentRevision,
  ) {
    super(
      `Stream '${streamId}' was expected to be at ${describeExpected(expectedRevision)} but is at ${describeActual(actualRevision)}.`,
      { streamId, expectedRevision, actualRevision },
    );
  }
}

/** The stream was tombstoned: it can never be read or written again. */
export class StreamDeletedError extends IllegalStateError {
  override readonly code = 'stream_deleted';
  constructor(readonly streamId: string) {
    super(`Stream '${streamId}' was permanently deleted (tombstoned) and can no longer be read or written.`, { streamId });
  }
}

/** An event id was appended before with other content or elsewhere: a retry that is not the same retry. */
export class DuplicateEventIdError extends ConflictError {
  override readonly code = 'duplicate_event_id';
  constructor(readonly eventId: string, detail: string) {
    super(`Event id ${eventId} is already stored ${detail}; a retried append must repeat the same events in the same order.`, { eventId });
  }
}

/** Bad input to the port (an empty stream id, an event without a type, ...). Nothing was written. */
export class EventStoreArgumentError extends ValidationError {
  override readonly code = 'invalid_event_store_argument';
}

export function describeExpected(expected: ExpectedRevision): string {
  return typeof expected === 'number' ? `revision ${expected}` : `'${expected}'`;
}

function describeActual(actual: CurrentRevision): string {
  return actual === 'no_stream' ? 'no stream (it has no events)' : `revision ${actual}`;
}
