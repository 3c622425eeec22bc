import { createHash } from 'node:crypto';
import type { Database } from '../../src';

/** The sample read model's rows (through the readers' views), counted and hashed for comparison. */
export async function readModelHash(db: Database, projector: string): Promise<{ orders: number; buyers: number; hash: string }> {
  const orders = (await db.knex.raw(`select * from "${projector}".orders order by order_id`)).rows as Array<Record<string, unknown>>;
  const buyers = (await db.knex.raw(`select * from "${projector}".buyers order by buyer_id`)).rows as Array<Record<string, unknown>>;
  const normal = (rows: Array<Record<string, unknown>>) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : String(v)])));
  const hash = createHash('sha256').update(JSON.stringify([normal(orders), normal(buyers)])).digest('hex');
  return { orders: orders.length, buyers: buyers.length, hash };
}

