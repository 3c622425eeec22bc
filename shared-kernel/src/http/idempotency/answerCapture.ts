/**
 * Holds back the end of a response until its answer is stored: a client that has seen the
 * answer can then count on a retry replaying it, never running the command again.
 */
import type { Response } from 'express';

export interface CapturedAnswer {
  status: number;
  /** Only the headers a replay repeats, lower-case. */
  headers: Record<string, string>;
  body: Buffer;
}

export const REPLAYED_HEADERS = ['etag', 'location', 'content-type'] as const;

/** `store` runs before the response is sent; its failure is reported and the response still goes out. */
export function holdAnswer(res: Response, store: (answer: CapturedAnswer) => Promise<void>, onStoreError: (error: unknown) => void): void {
  const chunks: Buffer[] = [];
  const write = res.write;
  const end = res.end;
  const collect = (chunk: unknown, encoding: unknown) => {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };

  res.write = function (this: Response, chunk: unknown, ...rest: unknown[]) {
    collect(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Response['write'];

  res.end = function (this: Response, ...args: unknown[]) {
    res.write = write;
    res.end = end;
    collect(args[0], args[1]);
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = res.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    store({ status: res.statusCode, headers, body: Buffer.concat(chunks) })
      .catch(onStoreError)
      .finally(() => (end as (...a: unknown[]) => Response).apply(res, args));
    return res;
  } as Response['end'];
}
