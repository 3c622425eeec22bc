/**
 * How command routes answer and how they read a client's expectation: `{ id, revision, position }`
 * with the revision as a strong ETag, and `If-Match` turned into an expected revision (a mismatch
 * then fails in the event store with a ConcurrencyError, which the error middleware makes a 412).
 */
import type { Request, Response } from 'express';
import { ConcurrencyError, ValidationError } from '../errors';

export interface CommandResult {
  /** The id of the aggregate the command acted on. */
  id: string;
  /** The stream's revision after the command: the ETag, and the If-Match of the next command. */
  revision: number;
  /** The position of the last appended event: what a client passes as X-Consistent-After. */
  position: string;
}

export function etagOf(revision: number): string {
  return `"${revision}"`;
}

export function sendCommandResult(res: Response, result: CommandResult, status = 200): void {
  const { id, revision, position } = result;
  res.status(status).set('ETag', etagOf(revision)).json({ id, revision, position });
}

/** One entity tag (RFC 9110): optionally weak, then quoted visible characters but `"`. */
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

/**
 * The revision a command expects, from `If-Match`: a number for `"<revision>"`, `'stream_exists'`
 * for `*`, undefined without the header. A tag that cannot be one of our revisions (weak ones
 * never match, RFC 9110 section 13.1.1) fails the precondition; a header that is not an ETag is a 400.
 */
export function expectedRevisionFromIfMatch(req: Request): number | 'stream_exists' | undefined {
  const header = req.get('If-Match');
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return 'stream_exists';
  const match = ENTITY_TAG.exec(value);
  if (!match) {
    throw new ValidationError(
      `If-Match must be the one ETag a command or query answered, in double quotes (If-Match: "3"), or *; got ${JSON.stringify(header)}.`,
      { header: 'If-Match', value: header },
    );
  }
  const [, weak, opaque] = match;
  const revision = /^(0|[1-9]\d*)$/.test(opaque!) ? Number(opaque) : NaN;
  if (weak || !Number.isSafeInteger(revision)) {
    throw new ConcurrencyError(
      `If-Match ${header} cannot match: the current representation has a strong ETag holding its revision (such as "3").`,
      { header: 'If-Match', value: header },
    );
  }
  return revision;
}
