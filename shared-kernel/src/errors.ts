/**
 * Domain error classes. The HTTP kit maps each class to one status code in one place:
 * ValidationError 400, NotFoundError 404, ConflictError and IllegalStateError 409,
 * ConcurrencyError 412, UnprocessableError 422. Every message is meant for a person to act on.
 */
export abstract class DomainError extends Error {
  /** A stable, machine-readable code (for problem+json `type` and for clients' branching). */
  abstract readonly code: string;
  /** Extra, JSON-safe facts a client can act on (field names, the actual revision, ...). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** The input is malformed or breaks a rule that needs no state to check. */
export class ValidationError extends DomainError {
  readonly code: string = 'validation';
}

/** The thing asked for does not exist (or the caller may not know that it exists). */
export class NotFoundError extends DomainError {
  readonly code: string = 'not_found';
}

/** The request clashes with something that already exists (a taken email, a reused SKU). */
export class ConflictError extends DomainError {
  readonly code: string = 'conflict';
}

/** The command is not allowed in the current state (shipping a cancelled order). */
export class IllegalStateError extends DomainError {
  readonly code: string = 'illegal_state';
}

/** The caller's view of the state is stale (a revision mismatch, an If-Match that no longer holds). */
export class ConcurrencyError extends DomainError {
  readonly code: string = 'concurrency';
}

/** Well-formed but cannot be processed (an idempotency key reused with another body). */
export class UnprocessableError extends DomainError {
  readonly code: string = 'unprocessable';
}
