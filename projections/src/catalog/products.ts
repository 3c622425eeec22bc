/**
 * The catalogue's product rows: a pure fold of a product's events (`evolveProduct`), and the
 * set-based SQL that applies a batch: one select of the rows the batch touches, the fold in
 * memory, one multi-row upsert. The shop's facts (active, name, slug) come from the `shops`
 * table in the same statement, so a product listed before its shop is known picks them up later
 * (see shops.ts), the search vector is rebuilt only when the text changed, and the facet counts
 * move in the same statement (facetCounts.ts).
 */
import type { Knex } from 'knex';
import type { ProductEvent, ProductStatus, Recorded, StockLevel, VariantDetails } from './catalogEvents';
import { FACET_COLUMNS, withFacetCounts } from './facetCounts';

export interface VariantRow {
  sku: string;
  options: Record<string, string>;
  price: { amount: number; currency: 'BDT' };
  compareAtPrice: { amount: number; currency: 'BDT' } | null;
  weightGrams: number | null;
  onHand: number;
  reserved: number;
  available: number;
}

/** What the fold keeps of a product: the columns that come from its own stream. */
export interface ProductDoc {
  id: string;
  shop_id: string;
  seller_id: string;
  title: string;
  description: string | null;
  category_id: string;
  images: string[];
  brand: string | null;
  attributes: Record<string, string>;
  variants: VariantRow[];
  status: ProductStatus;
  removed_reason: string | null;
  listed_at: string;
  published_at: string | null;
  updated_at: string;
  revision: number;
}

const variantsOf = (variants: VariantDetails[], stock: StockLevel[]): VariantRow[] => {
  const levels = new Map(stock.map((level) => [level.sku, level]));
  return variants.map((v) => {
    const level = levels.get(v.sku);
    return {
      sku: v.sku,
      options: v.options,
      price: v.price,
      compareAtPrice: v.compareAtPrice,
      weightGrams: v.weightGrams,
      onHand: level?.onHand ?? 0,
      reserved: level?.reserved ?? 0,
      available: level?.available ?? 0,
    };
  });
};

const withLevels = (variants: VariantRow[], levels: StockLevel[]): VariantRow[] => {
  const bySku = new Map(levels.map((level) => [level.sku, level]));
  return variants.map((v) => {
    const level = bySku.get(v.sku);
    return level ? { ...v, onHand: level.onHand, reserved: level.reserved, available: level.available } : v;
  });
};

/**
 * The product after one event; null while it has not been listed. Pure. The caller skips events
 * the row already reflects (revision at or below the row's).
 */
/** The columns a listing and a change of details both set. */
function detailColumns(d: Extract<ProductEvent, { type: 'ProductListed' | 'ProductDetailsChanged' }>['data']) {
  return {
    title: d.title,
    description: d.description,
    category_id: d.categoryId,
    images: d.images,
    brand: d.brand,
    attributes: d.attributes,
    variants: variantsOf(d.variants, d.stock),
  };
}

export function evolveProduct(row: ProductDoc | null, event: ProductEvent, revision: number): ProductDoc | null {
  if (event.type === 'ProductListed') {
    const d = event.data;
    return {
      id: d.productId,
      shop_id: d.shopId,
      seller_id: d.sellerId,
      ...detailColumns(d),
      status: 'draft',
      removed_reason: null,
      listed_at: d.listedAt,
      published_at: null,
      updated_at: d.listedAt,
      revision,
    };
  }
  if (!row) return null;
  const next = (changes: Partial<ProductDoc>, at: string): ProductDoc => ({ ...row, ...changes, updated_at: at, revision });
  switch (event.type) {
    case 'ProductDetailsChanged': {
      const d = event.data;
      return next({ ...detailColumns(d), status: d.status }, d.changedAt);
    }
    case 'ProductPublished':
      return next({ status: 'published', published_at: event.data.publishedAt }, event.data.publishedAt);
    case 'ProductUnpublished':
      return next({ status: 'unpublished' }, event.data.unpublishedAt);
    case 'ProductArchived':
      return next({ status: 'archived' }, event.data.archivedAt);
    case 'ProductRemoved':
      return next({ status: 'removed', removed_reason: event.data.reason }, event.data.removedAt);
    case 'StockAdjusted':
      return next({ variants: withLevels(row.variants, [event.data.level]) }, event.data.adjustedAt);
    case 'StockReserved':
      return next({ variants: withLevels(row.variants, event.data.levels) }, event.data.reservedAt);
    case 'StockReservationRefused':
      // Nothing the catalogue shows changes; the revision moves on all the same.
      return next({}, event.data.refusedAt);
    case 'StockReservationReleased':
      return next({ variants: withLevels(row.variants, event.data.levels) }, event.data.releasedAt);
    case 'StockReservationCommitted':
      return next({ variants: withLevels(row.variants, event.data.levels) }, event.data.committedAt);
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** The columns derived from the variants: the "from" price, the price range, the struck-through price, stock. */
export function pricesOf(variants: VariantRow[]) {
  let cheapest: VariantRow | undefined;
  let max = 0;
  for (const v of variants) {
    if (!cheapest || v.price.amount < cheapest.price.amount) cheapest = v;
    if (v.price.amount > max) max = v.price.amount;
  }
  return {
    price_min: cheapest?.price.amount ?? 0,
    price_max: max,
    // The "was" price of the variant the "from" price belongs to.
    compare_at_price: cheapest?.compareAtPrice?.amount ?? null,
    in_stock: variants.some((v) => v.available > 0),
  };
}

/** NFC, so that a Bangla word typed with a precomposed letter (ড়) finds the same word typed with a nukta. */
const nfc = (text: string): string => text.normalize('NFC');

/**
 * The text the search vector is built from: the title (weight A), the brand (B), the description
 * and attribute values (C). Only what normalising changed travels twice.
 */
export function searchTexts(doc: ProductDoc) {
  const changedBy = (text: string | null): string | null => {
    if (text === null) return null;
    const normal = nfc(text);
    return normal === text ? null : normal;
  };
  return {
    reindex: true,
    search_title: changedBy(doc.title),
    search_brand: changedBy(doc.brand),
    search_body: changedBy(doc.description),
    search_attributes: nfc(Object.values(doc.attributes).join(' ')),
  };
}

/**
 * 'english' matches word forms (shirts, shirt; running, run) and keeps Bangla words whole (its
 * stemmer and stop words are English only); the title is also kept unstemmed ('simple') for
 * exact and prefix matches. The query side (query-api/src/catalog/searchQuery.ts) matches every
 * word as 'english' or as a 'simple' prefix, so both find these lexemes.
 */
const SEARCH_VECTOR = `setweight(to_tsvector('english', coalesce(r.search_title, r.title)), 'A')
  || setweight(to_tsvector('simple', coalesce(r.search_title, r.title)), 'A')
  || setweight(to_tsvector('english', coalesce(r.search_brand, r.brand, '')), 'B')
  || setweight(to_tsvector('english', coalesce(r.search_body, r.description, '') || ' ' || r.search_attributes), 'C')`;

const OWN_COLUMNS = [
  'id uuid',
  'shop_id uuid',
  'seller_id uuid',
  'title text',
  'description text',
  'category_id uuid',
  'images jsonb',
  'brand text',
  'attributes jsonb',
  'variants jsonb',
  'price_min bigint',
  'price_max bigint',
  'compare_at_price bigint',
  'in_stock boolean',
  'status text',
  'removed_reason text',
  'listed_at timestamptz',
  'published_at timestamptz',
  'updated_at timestamptz',
  'revision integer',
];
const OWN_NAMES = OWN_COLUMNS.map((c) => c.split(' ')[0]!);
const DERIVED = new Set(['price_min', 'price_max', 'compare_at_price', 'in_stock']);
const SEARCH_COLUMNS = ['reindex boolean', 'search_title text', 'search_brand text', 'search_body text', 'search_attributes text'];

type LoadedRow = Omit<ProductDoc, 'listed_at' | 'published_at' | 'updated_at'> & { listed_at: Date | string; published_at: Date | string | null; updated_at: Date | string };

/** Events that move stock levels only: what the storefront shows of them is whether a product is in stock. */
const STOCK_LEVEL_EVENTS: ReadonlySet<ProductEvent['type']> = new Set([
  'StockAdjusted',
  'StockReserved',
  'StockReservationRefused',
  'StockReservationReleased',
  'StockReservationCommitted',
]);

/**
 * Applies the batch's product events; answers whether anything a storefront answer shows changed:
 * false when only stock levels moved and no product went in or out of stock (the storefront's
 * cached answers then stay good, see ProjectionBatchOutcome).
 */
export async function applyProductEvents(trx: Knex.Transaction, schema: string, events: Array<Recorded<ProductEvent>>): Promise<boolean> {
  if (events.length === 0) return false;
  // A product whose batch starts at its listing is folded from nothing: no need to read its row
  // (the upsert below keeps a row that is further on, should this be a replay).
  const first = new Map<string, boolean>();
  for (const { event, revision } of events) {
    if (!first.has(event.data.productId)) first.set(event.data.productId, event.type === 'ProductListed' && revision === 0);
  }
  const toLoad = [...first].filter(([, fromListing]) => !fromListing).map(([productId]) => productId);
  const docs = new Map<string, ProductDoc | null>();
  if (toLoad.length > 0) {
    const loaded = await trx.raw<{ rows: LoadedRow[] }>(
      `select ${OWN_NAMES.filter((c) => !DERIVED.has(c)).join(', ')} from "${schema}".products where id = any(?::uuid[])`,
      [toLoad],
    );
    for (const row of loaded.rows) {
      docs.set(row.id, { ...row, listed_at: iso(row.listed_at)!, published_at: iso(row.published_at), updated_at: iso(row.updated_at)! });
    }
  }
  const textChanged = new Set<string>();
  const changed = new Set<string>();
  // Whether each changed product was in stock before the batch (null: it had no row).
  const inStockBefore = new Map<string, boolean | null>();
  let visible = false;
  for (const { event, revision } of events) {
    const id = event.data.productId;
    const row = docs.get(id) ?? null;
    // An event the row already reflects (a replay) changes nothing.
    if (row && revision <= row.revision) continue;
    const next = evolveProduct(row, event, revision);
    if (next === row) continue;
    if (!inStockBefore.has(id)) inStockBefore.set(id, row ? pricesOf(row.variants).in_stock : null);
    docs.set(id, next);
    changed.add(id);
    if (!STOCK_LEVEL_EVENTS.has(event.type)) visible = true;
    if (event.type === 'ProductListed' || event.type === 'ProductDetailsChanged') textChanged.add(id);
  }
  const records: object[] = [];
  for (const id of changed) {
    const doc = docs.get(id);
    if (!doc) {
      visible = true;
      continue;
    }
    const prices = pricesOf(doc.variants);
    if (inStockBefore.get(id) !== prices.in_stock) visible = true;
    records.push({ ...doc, ...prices, ...(textChanged.has(id) ? searchTexts(doc) : {}) });
  }
  if (records.length === 0) return visible;
  const upsert = `insert into "${schema}".products as p (${OWN_NAMES.join(', ')}, shop_active, shop_name, shop_slug, rating_avg, rating_count, rating_sum, search)
     select ${OWN_NAMES.map((c) => `r.${c}`).join(', ')}, coalesce(s.status = 'active', false), s.name, s.slug, null, 0, 0,
            case when r.reindex then ${SEARCH_VECTOR} end
       from json_to_recordset(?::json) as r(${[...OWN_COLUMNS, ...SEARCH_COLUMNS].join(', ')})
       left join "${schema}".shops s on s.id = r.shop_id
     on conflict (id) do update set
       ${OWN_NAMES.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ')},
       shop_active = excluded.shop_active, shop_name = excluded.shop_name, shop_slug = excluded.shop_slug,
       search = coalesce(excluded.search, p.search)
     where p.revision < excluded.revision
     returning ${FACET_COLUMNS.split(', ').map((c) => `p.${c}`).join(', ')}`;
  const before = `select ${FACET_COLUMNS} from "${schema}".products where id = any(?::uuid[])`;
  await trx.raw(withFacetCounts(schema, before, upsert), [[...changed], JSON.stringify(records)]);
  return visible;
}

function iso(value: Date | string | null): string | null {
  return value === null ? null : value instanceof Date ? value.toISOString() : value;
}
