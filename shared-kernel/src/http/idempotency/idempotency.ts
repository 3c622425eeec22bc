/**
 * `Idempotency-Key` for POST commands: the first request with a key runs and its answer is
 * stored; a retry with the same key and the same body gets that answer again (with
 * `Idempotent-Replayed: true`) without running the command; the same key with another body is a
 * 422. A retry that arrives while the first request still runs waits for its answer, for a
 * bounded time. 5xx answers are not kept, so that a retry runs again; 4xx answers are (the same
 * input gets the same refusal).
 *
 * Keys are scoped by the authenticated subject (`res.locals.auth.userId`, so the auth middleware
 * must run first), the method and the path. The table must exist: call migrateIdempotencyTable
 * at startup.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Request, RequestHandler, Response } from 'express';
import type { Database } from '../../database/database';
import { UnprocessableError, ValidationError } from '../../errors';
import { createLogger, type Logger } from '../../logging';
import { HttpProblemError } from '../httpErrors';
import { holdAnswer, type CapturedAnswer } from './answerCapture';
import { canonicalJson } from './canonicalJson';
import { DEFAULT_IDEMPOTENCY_TTL_HOURS, idempotencyTable, type IdempotencyTable, type KeyRow, type StoredAnswer } from './idempotencyTable';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

export interface IdempotencyOptions {
  db: Database;
  /** The schema holding `idempotency_keys`. */
  schema: string;
  /** How long a key is remembered. */
  ttlHours?: number;
  /** How long a retry waits for the first request with its key to finish before answering 409. */
  waitForConcurrentMs?: number;
  /** Refuse requests without a key (400). */
  required?: boolean;
  /**
   * A row still in progress after this long belongs to a process that died mid-request; a retry
   * takes it over. Keep it well above the slowest command.
   */
  abandonedAfterMs?: number;
  /** For requests that do not come through createHttpApp (which gives each request a logger). */
  logger?: Logger;
}

export class IdempotencyKeyReusedError extends UnprocessableError {
  override readonly code = 'idempotency_key_reused';
}

/** 1 to 200 visible ASCII characters (a UUID is a good key). */
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export function idempotency(options: IdempotencyOptions): RequestHandler {
  const { ttlHours = DEFAULT_IDEMPOTENCY_TTL_HOURS, waitForConcurrentMs = 5000, abandonedAfterMs = 60_000, required = false } = options;
  const table = idempotencyTable(options.db, options.schema, { ttlHours, abandonedAfterMs });
  const fallbackLogger = options.logger ?? createLogger({ name: 'idempotency' });

  return async (req, res, next) => {
    const key = idempotencyKey(req, required);
    if (key === undefined) return next();
    const scope = `${subject(res)} ${req.method} ${pathOf(req)}`;
    const requestHash = hashRequest(req);
    const deadline = Date.now() + waitForConcurrentMs;
    const log = req.log ?? fallbackLogger;

    for (;;) {
      const token = await table.insert(scope, key, requestHash);
      if (token !== undefined) {
        holdAnswer(res, (answer) => keep(table, scope, key, token, answer, log), (error) => {
          log.error({ err: error, idempotencyKey: key }, 'could not store the answer of an idempotent request; a retry will run it again');
          void table.remove(scope, key, token).catch((removeError: unknown) => log.error({ err: removeError }, 'could not release an idempotency key'));
        });
        return next();
      }
      let row = await table.find(scope, key);
      if (row && (row.expired || row.abandoned)) {
        await table.remove(scope, key, row.token);
        continue;
      }
      if (row && row.requestHash !== requestHash) throw reused(key);
      row = await waitForAnswer(table, scope, key, row, deadline);
      // Gone: the first attempt failed with a 5xx and let the key go, so this one runs.
      if (!row) continue;
      if (row.requestHash !== requestHash) throw reused(key);
      if (!row.answer) {
        throw new HttpProblemError({
          status: 409,
          code: 'idempotency_key_in_progress',
          title: 'Request in progress',
          detail: `A request with Idempotency-Key ${key} is still running; retry with the same key shortly to get its answer.`,
          headers: { 'Retry-After': '1' },
          extensions: { idempotencyKey: key },
        });
      }
      replay(res, row.answer);
      return;
    }
  };
}

function idempotencyKey(req: Request, required: boolean): string | undefined {
  const header = req.get(IDEMPOTENCY_KEY_HEADER);
  if (header === undefined) {
    if (!required) return undefined;
    throw new ValidationError(
      `This request needs an ${IDEMPOTENCY_KEY_HEADER} header (1 to 200 visible ASCII characters, a UUID for instance), so that a retry cannot run it twice.`,
      { header: IDEMPOTENCY_KEY_HEADER },
    );
  }
  // The IETF draft sends the key as a structured-field string, in quotes; most clients do not.
  const key = header.length >= 2 && header.startsWith('"') && header.endsWith('"') ? header.slice(1, -1) : header;
  if (!KEY_PATTERN.test(key)) {
    throw new ValidationError(`${IDEMPOTENCY_KEY_HEADER} must be 1 to 200 visible ASCII characters (no spaces); a UUID is a good key.`, {
      header: IDEMPOTENCY_KEY_HEADER,
    });
  }
  return key;
}

function subject(res: Response): string {
  const userId = (res.locals as { auth?: { userId?: unknown } }).auth?.userId;
  return userId === undefined || userId === null ? 'anonymous' : `user:${String(userId)}`;
}

function pathOf(req: Request): string {
  return req.originalUrl.split('?')[0]!;
}

function hashRequest(req: Request): string {
  const body = req.body === undefined ? '' : canonicalJson(req.body);
  return createHash('sha256').update(`${req.method}\n${pathOf(req)}\n${body}`).digest('hex');
}

function reused(key: string): IdempotencyKeyReusedError {
  return new IdempotencyKeyReusedError(
    `Idempotency-Key ${key} was already used with another request body; use a new key for a new request.`,
    { idempotencyKey: key },
  );
}

/** Polls, backing off, while the row is in progress and the deadline is ahead; undefined if the row went away. */
async function waitForAnswer(table: IdempotencyTable, scope: string, key: string, row: KeyRow | undefined, deadline: number): Promise<KeyRow | undefined> {
  let delay = 10;
  while (row && !row.answer && Date.now() < deadline) {
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
    delay = Math.min(delay * 1.5, 100);
    row = await table.find(scope, key);
  }
  return row;
}

async function keep(table: IdempotencyTable, scope: string, key: string, token: string, answer: CapturedAnswer, log: Logger): Promise<void> {
  // A server error says nothing about the request: let a retry run it again.
  if (answer.status >= 500) return table.remove(scope, key, token);
  // The body is kept as the text that was sent (a JSON string in jsonb): a jsonb object would
  // come back with its keys reordered, and a replay must be the same bytes.
  const stored: StoredAnswer = { status: answer.status, headers: answer.headers, body: answer.body.length === 0 ? null : answer.body.toString('utf8') };
  if (!(await table.complete(scope, key, token, stored))) {
    log.warn({ idempotencyKey: key }, 'the idempotency key was taken over while this request ran (it ran longer than abandonedAfterMs); its answer is not kept');
  }
}

function replay(res: Response, answer: StoredAnswer): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
  // res.end, not res.send: send would add a charset or an ETag the first answer did not have.
  const body = typeof answer.body === 'string' ? answer.body : '';
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
