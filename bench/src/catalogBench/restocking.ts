/**
 * Sellers receiving stock while shoppers search: stock adjustments (+1 unit, through the product
 * service's HTTP API) at a steady rate, to products that are in stock already, so that no product
 * goes in or out of stock. What the storefront shows stays the same, and so should its cached
 * answers: the bench runs the search mix meanwhile and compares.
 */
import { Client } from 'pg';
import { call } from '../httpBench/workloads';

export interface RestockTarget {
  productId: string;
  sku: string;
  shopId: string;
}

export interface Restocking {
  /** Stops sending, waits for the adjustments in flight; what was sent. */
  stop(): Promise<{ ok: number; failed: number; perSecond: number; firstFailure: string | null }>;
}

/** Up to `count` public products in stock, each with a variant in stock, read from the catalogue. */
export async function restockTargets(databaseUrl: string, count: number): Promise<RestockTarget[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; shop_id: string; sku: string }>(
      `select p.id, p.shop_id, (select v->>'sku' from jsonb_array_elements(p.variants) v where (v->>'available')::int > 0 limit 1) as sku
         from catalog.products p where p.is_public and p.in_stock order by p.id limit $1`,
      [count],
    );
    return rows.filter((row) => row.sku !== null).map((row) => ({ productId: row.id, sku: row.sku, shopId: row.shop_id }));
  } finally {
    await client.end();
  }
}

/** Sends `perSecond` adjustments a second, round the targets, at most `maxInFlight` at once, until stopped. */
export function startRestocking(url: string, targets: readonly RestockTarget[], tokens: Readonly<Record<string, string>>, perSecond: number, maxInFlight = 16): Restocking {
  if (targets.length === 0) throw new Error('no product in stock to restock');
  const unknown = targets.find((target) => tokens[target.shopId] === undefined);
  if (unknown) throw new Error(`no seller token for shop ${unknown.shopId}`);
  const startedAt = performance.now();
  const counts = { ok: 0, failed: 0 };
  let firstFailure: string | null = null;
  let inFlight = 0;
  let next = 0;
  const pending = new Set<Promise<void>>();
  const send = (): void => {
    if (inFlight >= maxInFlight) return;
    const target = targets[next++ % targets.length]!;
    const token = tokens[target.shopId]!;
    inFlight++;
    const path = `/v1/products/${target.productId}/variants/${encodeURIComponent(target.sku)}/stock-adjustments`;
    const request = call(url, 'POST', path, token, { change: 1, reason: 'received from the supplier' })
      .then(
        (answer) => {
          if (answer.status >= 200 && answer.status < 300) counts.ok++;
          else {
            counts.failed++;
            firstFailure ??= `${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
          }
        },
        (error: unknown) => {
          counts.failed++;
          firstFailure ??= error instanceof Error ? error.message : String(error);
        },
      )
      .finally(() => {
        inFlight--;
        pending.delete(request);
      });
    pending.add(request);
  };
  // Paced by the clock, not by the answers: the rate holds whatever the latency.
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - startedAt) / 1000) * perSecond);
    while (counts.ok + counts.failed + inFlight < due && inFlight < maxInFlight) send();
  }, 10);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([...pending]);
      const seconds = (performance.now() - startedAt) / 1000;
      return { ...counts, perSecond: counts.ok / seconds, firstFailure };
    },
  };
}
