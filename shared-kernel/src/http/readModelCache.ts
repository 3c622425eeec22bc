/**
 * Answers of public read routes (storefront search, category tree) kept for as long as the read
 * models behind them have not changed. Each answer is stored with the version of the read models
 * it was computed at (every listed projector's live generation and content version), and served
 * again only while that version is still the current one: any batch a projector applies that may
 * change what readers see (all of them, unless the projector says otherwise:
 * ProjectionBatchOutcome), or a rebuild that goes live, makes every stored answer stale at once.
 * So the cache never shows what the read model would not; it only saves computing the same answer
 * twice between two changes.
 *
 * The version is read at most once per `versionTtlMs` under load (requests in between share the
 * last reading), and read afresh before answering when the last reading is older than that: an
 * answer is at most `versionTtlMs` behind the read model, well within a projector's own lag. A
 * request with X-Consistent-After skips the lookup (its position may be newer than the last reading).
 */
import type { Request, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { quoteIdentifier, type Database } from '../database/database';
import { DEFAULT_RUNTIME_SCHEMA } from '../projections/runtimeSchema';
import { CONSISTENT_AFTER_HEADER } from './consistentAfter';
import { VALIDATES_RESPONSES } from './createHttpApp';

export interface ReadModelCacheOptions {
  db: Database;
  runtimeSchema?: string;
  /** The projectors whose read models the cached answers come from. */
  projectors: string[];
  /** Answers kept; the least recently used go first. Default 5,000. */
  maxEntries?: number;
  /** How old a reading of the read models' version may be. Default 50 ms. */
  versionTtlMs?: number;
}

export interface ReadModelCacheStats {
  hits: number;
  misses: number;
  entries: number;
}

export interface ReadModelCache {
  /** The answer for `key`: the stored one if the read models have not moved since, else `compute()`'s (then stored). */
  answer<T>(req: Request, key: string, compute: () => Promise<T>): Promise<T>;
  /**
   * Sends the request's answer as JSON, serialized (and given its weak ETag) once per stored answer
   * rather than once per request; a client that already holds it (If-None-Match) gets a 304.
   */
  send(req: Request, res: Response, compute: () => Promise<unknown>): Promise<void>;
  stats(): ReadModelCacheStats;
}

/** A request's key: its path and its query parameters in a fixed order. */
export function requestKey(req: Request): string {
  const params = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
  params.sort();
  return `${req.path}?${params.toString()}`;
}

/** An answer as sent: its JSON bytes and their ETag, made by the app's own ETag function (none if the app sends none). */
interface Serialized {
  body: Buffer;
  etag: string | undefined;
}

type ETagFunction = (body: Buffer, encoding?: string) => string | undefined;

function serialized(value: unknown, etagOf: ETagFunction | undefined): Serialized {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  return { body, etag: etagOf?.(body) };
}

export function createReadModelCache(options: ReadModelCacheOptions): ReadModelCache {
  const { db, maxEntries = 5_000, versionTtlMs = 50 } = options;
  const schema = quoteIdentifier(options.runtimeSchema ?? DEFAULT_RUNTIME_SCHEMA);
  const projectors = [...new Set(options.projectors)].sort();
  if (projectors.length === 0) throw new Error('A read model cache needs the names of the projectors its answers come from.');
  const entries = new LRUCache<string, { version: string; value: unknown; sent?: Serialized }>({ max: maxEntries });
  const counts = { hits: 0, misses: 0 };
  let known: { version: string; at: number } | null = null;
  let reading: Promise<string> | null = null;

  const readVersion = async (): Promise<string> => {
    const { rows } = (await db.knex.raw(
      `select g.projector, g.live_generation, c.content_version
         from ${schema}.projector_generations g
         left join ${schema}.projector_checkpoints c on c.projector = g.projector and c.generation = g.live_generation
        where g.projector = any(?)
        order by g.projector`,
      [projectors],
    )) as { rows: Array<{ projector: string; live_generation: number | null; content_version: string | null }> };
    return projectors.map((name) => rows.find((row) => row.projector === name)).map((row) => `${row?.live_generation ?? '-'}:${row?.content_version ?? '-'}`).join(',');
  };

  const currentVersion = async (): Promise<string> => {
    if (known && Date.now() - known.at < versionTtlMs) return known.version;
    reading ??= readVersion().then(
      (version) => {
        known = { version, at: Date.now() };
        reading = null;
        return version;
      },
      (error: unknown) => {
        reading = null;
        throw error;
      },
    );
    return reading;
  };

  const cache: ReadModelCache = {
    async send(req, res, compute) {
      const key = requestKey(req);
      const value = await cache.answer(req, key, compute);
      // Validated where responses are validated (tests): res.json is what the validator checks.
      if (req.app.get(VALIDATES_RESPONSES) === true) {
        res.json(value);
        return;
      }
      const entry = entries.get(key);
      const etagOf = req.app.get('etag fn') as ETagFunction | undefined;
      const sent = entry && entry.value === value ? (entry.sent ??= serialized(value, etagOf)) : serialized(value, etagOf);
      // With the ETag set, Express neither hashes the body again nor converts it: it only answers
      // 304 to a client whose If-None-Match holds it.
      if (sent.etag !== undefined) res.set('ETag', sent.etag);
      res.type('application/json').send(sent.body);
    },
    async answer<T>(req: Request, key: string, compute: () => Promise<T>): Promise<T> {
      const version = await currentVersion();
      if (req.get(CONSISTENT_AFTER_HEADER) === undefined) {
        const entry = entries.get(key);
        if (entry && entry.version === version) {
          counts.hits++;
          return entry.value as T;
        }
      }
      counts.misses++;
      // Read after `version`: the answer is at least as new as the version it is stored under.
      const value = await compute();
      entries.set(key, { version, value });
      return value;
    },
    stats: () => ({ ...counts, entries: entries.size }),
  };
  return cache;
}
