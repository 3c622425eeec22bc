/**
 * What the catalogue bench reads from the database beside the API, for context only: how far the
 * event store and the catalog projector have got (cheap enough to sample during seeding: a
 * sequence and one checkpoint row), and, at the end, the events by type and the sizes on disk.
 */
import { Client } from 'pg';
import { DEFAULT_RUNTIME_SCHEMA, runtimeTables } from '@bdbazar/shared-kernel';

/** The catalogue projector's fixed name (projections/src/catalog). */
export const CATALOG_PROJECTOR = 'catalog';
const EVENTS = 'event_store.events';

export interface Progress {
  /** ms since the epoch. */
  at: number;
  /** The event store's global position sequence: events appended so far (roughly; a rolled-back append uses numbers too). */
  appended: number;
  /** Events the catalog projector's live generation has applied; null before it has a checkpoint. */
  catalogApplied: number | null;
  /** Transactions committed and rolled back in the database so far (pg_stat_database: each autocommit statement is one; flushed by backends within a second or so). */
  commits: number;
  rollbacks: number;
}

export interface StoreSummary {
  events: number;
  eventsByType: Array<{ type: string; events: number }>;
  databaseBytes: number;
  biggestRelations: Array<{ name: string; bytes: number }>;
}

export class StoreFacts {
  private constructor(private readonly client: Client) {}

  static async open(databaseUrl: string): Promise<StoreFacts> {
    const client = new Client({ connectionString: databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    return new StoreFacts(client);
  }

  async progress(): Promise<Progress> {
    const tables = runtimeTables(DEFAULT_RUNTIME_SCHEMA);
    const { rows: sequence } = await this.client.query<{ appended: string | null }>(
      `select (select last_value from pg_sequences where schemaname || '.' || sequencename = pg_get_serial_sequence($1, 'global_position')::text) ::text as appended`,
      [EVENTS],
    );
    const exists = await this.client.query<{ t: string | null }>('select to_regclass($1)::text as t', [tables.generations]);
    let catalogApplied: number | null = null;
    if (exists.rows[0]?.t) {
      const { rows } = await this.client.query<{ applied: string }>(
        `select c.events_applied::text as applied
           from ${tables.checkpoints} c join ${tables.generations} g on g.projector = c.projector and g.live_generation = c.generation
          where c.projector = $1`,
        [CATALOG_PROJECTOR],
      );
      if (rows[0]) catalogApplied = Number(rows[0].applied);
    }
    const { rows: stats } = await this.client.query<{ commits: string; rollbacks: string }>(
      'select xact_commit::text as commits, xact_rollback::text as rollbacks from pg_stat_database where datname = current_database()',
    );
    return { at: Date.now(), appended: Number(sequence[0]?.appended ?? 0), catalogApplied, commits: Number(stats[0]?.commits ?? 0), rollbacks: Number(stats[0]?.rollbacks ?? 0) };
  }

  async summary(): Promise<StoreSummary> {
    const { rows: byType } = await this.client.query<{ type: string; events: string }>(`select type, count(*)::text as events from ${EVENTS} group by type order by count(*) desc`);
    const { rows: size } = await this.client.query<{ bytes: string }>('select pg_database_size(current_database())::text as bytes');
    const { rows: relations } = await this.client.query<{ name: string; bytes: string }>(
      `select n.nspname || '.' || c.relname as name, pg_total_relation_size(c.oid)::text as bytes
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'm') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
        order by pg_total_relation_size(c.oid) desc limit 6`,
    );
    const eventsByType = byType.map((row) => ({ type: row.type, events: Number(row.events) }));
    return {
      events: eventsByType.reduce((sum, row) => sum + row.events, 0),
      eventsByType,
      databaseBytes: Number(size[0]?.bytes ?? 0),
      biggestRelations: relations.map((row) => ({ name: row.name, bytes: Number(row.bytes) })),
    };
  }

  /** Samples progress every `intervalMs` until stopped (one query at a time); a failed sample is reported, not fatal. */
  sample(intervalMs: number, onSample: (progress: Progress) => void, onError: (error: unknown) => void): () => Promise<Progress[]> {
    const samples: Progress[] = [];
    let running: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      running = running.then(() =>
        this.progress().then(
          (progress) => {
            samples.push(progress);
            onSample(progress);
          },
          onError,
        ),
      );
    }, intervalMs);
    return async () => {
      clearInterval(timer);
      await running;
      return samples;
    };
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
