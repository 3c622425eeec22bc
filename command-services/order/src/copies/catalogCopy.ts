/**
 * The order service's own copy of what it needs to sell: each product's shop, title, status and
 * variants (price, weight, stock available), and each shop's owner, standing and location (for
 * the shipping fee). Kept from the product and shop services' integration events, never read
 * from their tables, so that carts and checkouts keep working while those services are down.
 *
 * Messages may arrive late, twice or out of order (several at once, several replicas). Each fact
 * keeps the stream revision it was last set from and only a newer one replaces it: a product's
 * details, its status, and each variant's stock level, each on its own (a stock message carries
 * some variants, a details message all of them, a status message none), so no message has to
 * wait for another.
 */
import { NotFoundError, quoteIdentifier, type Database, type IntegrationEvent, type Money } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { createKeptReads } from './keptReads';

/** A variant as the copy keeps it (its stock is kept apart, in variant_stock). */
interface CopiedVariant {
  sku: string;
  options: Record<string, string>;
  price: Money;
  weightGrams: number | null;
}

interface CopyRow {
  product_id: string;
  title: string;
  image: string | null;
  variants: CopiedVariant[];
  status: string;
  shop_id: string;
  shop_name: string;
  shop_status: string;
  owner_id: string;
  division: string;
  district: string;
  available: Record<string, number>;
}

/** A variant as checkout needs it: what it is, its price and shop, and whether it is on sale. */
export interface OrderableVariant {
  productId: string;
  sku: string;
  title: string;
  image: string | null;
  options: Record<string, string>;
  price: Money;
  weightGrams: number | null;
  shopId: string;
  shopName: string;
  sellerId: string;
  shopDivision: string;
  shopDistrict: string;
  /** Null when it can be bought now; otherwise why not, for a person. */
  notOnSale: string | null;
}

/** A variant with the stock the copy shows now (for carts). */
export interface SellableVariant extends OrderableVariant {
  available: number;
}

export async function migrateCatalogCopy(knex: Knex, schema: string): Promise<void> {
  const s = quoteIdentifier(schema);
  await knex.raw(`create schema if not exists ${s}`);
  const tables = [
    `create table if not exists ${s}.shops (
       shop_id uuid primary key,
       owner_id uuid not null,
       name text not null,
       status text not null,
       division text not null,
       district text not null,
       revision integer not null
     )`,
    // Three registers per product, each kept by the revision it was set from, so that messages
    // handled in any order (several at once, several replicas) leave the newest of each.
    `create table if not exists ${s}.products (
       product_id uuid primary key,
       shop_id uuid not null,
       title text not null,
       image text,
       variants jsonb not null,
       revision integer not null
     )`,
    `create table if not exists ${s}.product_standing (product_id uuid primary key, status text not null, revision integer not null)`,
    `create table if not exists ${s}.variant_stock (product_id uuid not null, sku text not null, available integer not null, revision integer not null, primary key (product_id, sku))`,
  ];
  for (const sql of tables) await knex.raw(sql);
}

interface VariantMessage {
  sku: string;
  options?: Record<string, string>;
  price: Money;
  weightGrams: number | null;
  available: number;
}

const STOCK_EVENTS = new Set([
  'product.StockAdjusted.v1',
  'product.StockReserved.v1',
  'product.StockReservationReleased.v1',
  'product.StockReservationCommitted.v1',
]);

const STANDING_EVENTS = new Set(['product.ProductPublished.v1', 'product.ProductUnpublished.v1', 'product.ProductArchived.v1', 'product.ProductRemoved.v1']);

/** A register's row with the revision it was set from: of several for one key, the newest is written. */
type Versioned = { revision: number } & Record<string, unknown>;

/** Rows of one register gathered from several events, by key, the newest of each. */
class NewestRows {
  private readonly rows = new Map<string, Versioned>();
  constructor(
    /** The upsert of many rows at once: `?` is the JSON array of the rows. */
    private readonly upsert: (s: string) => string,
  ) {}

  add(key: string, row: Versioned): void {
    if ((this.rows.get(key)?.revision ?? -1) < row.revision) this.rows.set(key, row);
  }

  async write(db: Knex | Knex.Transaction, s: string): Promise<void> {
    if (this.rows.size === 0) return;
    const rows = [...this.rows.values()];
    this.rows.clear();
    await db.raw(this.upsert(s), [JSON.stringify(rows)]);
  }
}

/**
 * The writes of a batch of catalogue events, gathered so that the batch costs one statement a
 * register (shops, product details, standing, stock) rather than one or two an event. Each
 * register keeps, of every key, the row of the newest revision, and writes it only over an older
 * one: the same outcome as applying the events one by one, in any order.
 */
export interface CatalogWrites {
  /** Gathers what a product.*.v1 or shop.*.v1 event sets (other events set nothing). */
  add(event: IntegrationEvent): void;
  /** Writes what was gathered and forgets it: a statement a register, each committed by itself unless `db` is a transaction. */
  write(db: Knex | Knex.Transaction, schema: string): Promise<void>;
}

export function gatherCatalogWrites(): CatalogWrites {
  const shops = new NewestRows(
    (s) => `insert into ${s}.shops as t (shop_id, owner_id, name, status, division, district, revision)
      select r.shop_id, r.owner_id, r.name, r.status, r.division, r.district, r.revision
        from jsonb_to_recordset(?::jsonb) as r(shop_id uuid, owner_id uuid, name text, status text, division text, district text, revision integer)
      on conflict (shop_id) do update set owner_id = excluded.owner_id, name = excluded.name, status = excluded.status,
        division = excluded.division, district = excluded.district, revision = excluded.revision
      where t.revision < excluded.revision`,
  );
  const products = new NewestRows(
    (s) => `insert into ${s}.products as t (product_id, shop_id, title, image, variants, revision)
      select r.product_id, r.shop_id, r.title, r.image, r.variants, r.revision
        from jsonb_to_recordset(?::jsonb) as r(product_id uuid, shop_id uuid, title text, image text, variants jsonb, revision integer)
      on conflict (product_id) do update set title = excluded.title, image = excluded.image, variants = excluded.variants, revision = excluded.revision
      where t.revision < excluded.revision`,
  );
  const standing = new NewestRows(
    (s) => `insert into ${s}.product_standing as t (product_id, status, revision)
      select r.product_id, r.status, r.revision from jsonb_to_recordset(?::jsonb) as r(product_id uuid, status text, revision integer)
      on conflict (product_id) do update set status = excluded.status, revision = excluded.revision where t.revision < excluded.revision`,
  );
  const stock = new NewestRows(
    (s) => `insert into ${s}.variant_stock as t (product_id, sku, available, revision)
      select r.product_id, r.sku, r.available, r.revision from jsonb_to_recordset(?::jsonb) as r(product_id uuid, sku text, available integer, revision integer)
      on conflict (product_id, sku) do update set available = excluded.available, revision = excluded.revision where t.revision < excluded.revision`,
  );

  return {
    add(event) {
      const revision = event.source.revision;
      const data = event.data as Record<string, unknown>;
      const v = (key: string): unknown => data[key] ?? null;
      if (event.type.startsWith('shop.')) {
        const shopId = v('shopId') as string;
        shops.add(shopId, { shop_id: shopId, owner_id: v('ownerId'), name: v('name'), status: v('status'), division: v('division') ?? '', district: v('district') ?? '', revision });
        return;
      }
      if (!event.type.startsWith('product.')) return;
      const productId = v('productId') as string;
      const setStock = (levels: ReadonlyArray<{ sku: string; available: number }>) => {
        for (const { sku, available } of levels) stock.add(`${productId}:${sku}`, { product_id: productId, sku, available, revision });
      };
      if (event.type === 'product.ProductListed.v1' || event.type === 'product.ProductDetailsChanged.v1') {
        const incoming = data['variants'] as VariantMessage[];
        const variants: CopiedVariant[] = incoming.map((m) => ({ sku: m.sku, options: m.options ?? {}, price: m.price, weightGrams: m.weightGrams }));
        products.add(productId, { product_id: productId, shop_id: v('shopId'), title: v('title'), image: v('image'), variants, revision });
        standing.add(productId, { product_id: productId, status: v('status'), revision });
        setStock(incoming.map(({ sku, available }) => ({ sku, available })));
        return;
      }
      if (STANDING_EVENTS.has(event.type)) {
        standing.add(productId, { product_id: productId, status: v('status'), revision });
        return;
      }
      if (STOCK_EVENTS.has(event.type)) {
        setStock(
          event.type === 'product.StockAdjusted.v1'
            ? [{ sku: data['sku'] as string, available: data['available'] as number }]
            : ((data['levels'] as Array<{ sku: string; available: number }> | undefined) ?? []),
        );
      }
    },
    async write(db, schema) {
      const s = quoteIdentifier(schema);
      // A product's row refers to its shop: shops first (no foreign key, but a reader joins them).
      for (const register of [shops, products, standing, stock]) await register.write(db, s);
    },
  };
}

export interface CatalogCopy {
  /** The variants asked for, by `productId:SKU` (upper-case SKU), with their stock now; absent when the product or its shop is unknown. */
  variants(keys: ReadonlyArray<{ productId: string; sku: string }>): Promise<Map<string, SellableVariant>>;
  /**
   * The same without stock, for checkout (the product service holds the stock when it reserves):
   * served from what this process read at most `cacheTtlMs` ago, or since the copy last changed
   * here. Another replica's change reaches it within that time.
   */
  orderable(keys: ReadonlyArray<{ productId: string; sku: string }>): Promise<Map<string, OrderableVariant>>;
  /** One variant, or a NotFoundError a person can act on. */
  variant(productId: string, sku: string): Promise<SellableVariant>;
  /** The copy of a product (or of a shop's products) changed: what is kept of it is read again. */
  forget(change: { productId?: string; shopId?: string }): void;
}

export interface CatalogCopyOptions {
  /** How long checkout may use a product's details read earlier. Default 2,000 ms; 0 reads every time. */
  cacheTtlMs?: number;
  /** Products kept. Default 20,000. */
  cacheSize?: number;
}

export const variantKey = (productId: string, sku: string): string => `${productId}:${sku.toUpperCase()}`;

/** The product and shop changes of an event that the kept details depend on (stock changes are not among them). */
export function catalogChangeOf(event: IntegrationEvent): { productId?: string; shopId?: string } | null {
  const data = event.data as Record<string, unknown>;
  if (event.type.startsWith('shop.')) return typeof data['shopId'] === 'string' ? { shopId: data['shopId'] } : null;
  if (!event.type.startsWith('product.') || STOCK_EVENTS.has(event.type)) return null;
  return typeof data['productId'] === 'string' ? { productId: data['productId'] } : null;
}

export function openCatalogCopy(db: Database, schema: string, options: CatalogCopyOptions = {}): CatalogCopy {
  const s = quoteIdentifier(schema);
  const kept = createKeptReads<CopyRow>({ ttlMs: options.cacheTtlMs ?? 2_000, size: options.cacheSize ?? 20_000 });

  const load = async (productIds: string[], withStock: boolean): Promise<CopyRow[]> => {
    const stock = withStock
      ? `coalesce((select jsonb_object_agg(vs.sku, vs.available) from ${s}.variant_stock vs where vs.product_id = p.product_id), '{}'::jsonb)`
      : `'{}'::jsonb`;
    const result = (await db.knex.raw(
      `select p.product_id, p.title, p.image, p.variants, st.status, sh.shop_id, sh.name as shop_name, sh.status as shop_status, sh.owner_id, sh.division, sh.district,
              ${stock} as available
         from ${s}.products p
         join ${s}.shops sh on sh.shop_id = p.shop_id
         join ${s}.product_standing st on st.product_id = p.product_id
        where p.product_id = any(?::uuid[])`,
      [productIds],
    )) as { rows: CopyRow[] };
    return result.rows;
  };

  const pick = <V>(keys: ReadonlyArray<{ productId: string; sku: string }>, rows: CopyRow[], make: (row: CopyRow, variant: CopiedVariant, productId: string) => V): Map<string, V> => {
    const byId = new Map(rows.map((r) => [r.product_id, r]));
    const found = new Map<string, V>();
    for (const { productId, sku } of keys) {
      const row = byId.get(productId);
      const variant = row?.variants.find((v) => v.sku === sku.toUpperCase());
      if (row && variant) found.set(variantKey(productId, sku), make(row, variant, productId));
    }
    return found;
  };

  const orderableOf = (row: CopyRow, variant: CopiedVariant, productId: string): OrderableVariant => ({
    productId,
    sku: variant.sku,
    title: row.title,
    image: row.image,
    options: variant.options,
    price: variant.price,
    weightGrams: variant.weightGrams,
    shopId: row.shop_id,
    shopName: row.shop_name,
    sellerId: row.owner_id,
    shopDivision: row.division,
    shopDistrict: row.district,
    notOnSale: notOnSale(row.title, row.status, row.shop_name, row.shop_status),
  });

  const copy: CatalogCopy = {
    async variants(keys) {
      const productIds = [...new Set(keys.map((k) => k.productId))];
      if (productIds.length === 0) return new Map();
      return pick(keys, await load(productIds, true), (row, variant, productId) => ({
        ...orderableOf(row, variant, productId),
        available: Math.max(0, row.available[variant.sku] ?? 0),
      }));
    },
    async orderable(keys) {
      const now = Date.now();
      const rows: CopyRow[] = [];
      const missing: string[] = [];
      for (const productId of new Set(keys.map((k) => k.productId))) {
        const row = kept.get(productId, now);
        if (row) rows.push(row);
        else missing.push(productId);
      }
      if (missing.length > 0) {
        const mark = kept.mark();
        const loaded = await load(missing, false);
        rows.push(...loaded);
        for (const row of loaded) kept.keep(mark, row.product_id, row, now);
      }
      return pick(keys, rows, orderableOf);
    },
    async variant(productId, sku) {
      const found = (await copy.variants([{ productId, sku }])).get(variantKey(productId, sku));
      if (!found) {
        throw new NotFoundError(
          `There is no variant ${sku.toUpperCase()} of product ${productId} on bdbazar. Check the product page for its SKUs; a product listed a moment ago can take a few seconds to become orderable.`,
          { productId, sku },
        );
      }
      return found;
    },
    forget({ productId, shopId }) {
      if (productId) kept.forget(productId);
      if (shopId) kept.forget((row) => row.shop_id === shopId);
    },
  };
  return copy;
}

function notOnSale(title: string, status: string, shopName: string, shopStatus: string): string | null {
  if (status !== 'published') return `${title} is not on sale (it is ${status}).`;
  if (shopStatus !== 'active') return `${shopName} is not selling at the moment (the shop is ${shopStatus}).`;
  return null;
}
