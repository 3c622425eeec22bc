/**
 * GET /v1/products: the storefront search over public products (published, in an active shop):
 * words, a category with all its subcategories, price range, shop, brand, stock, rating; sorted by
 * relevance, price, newness or rating; keyset pages; and facets. Page and facets come from one
 * statement: with words, from the hits the text index finds (read once); without, the page through
 * the sort's index and the facets from the facet counts the projector keeps (or, with a price, shop
 * or rating filter, from counting the hits).
 *
 * Facets count every hit of the words and filters, whatever the page:
 * - brands: the hits' brands (20 most frequent; one entry per brand whatever its case), counted
 *   WITHOUT the brand filter, so that a shopper who picked a brand still sees the others to switch to;
 * - categories: a drill-down, the children of the chosen category (the top-level categories when
 *   none is chosen) with the hits in each one's subtree, WITH every filter, brand included; a hit
 *   filed under the chosen category itself is in no child.
 * Prices filter on the "from" price (the cheapest variant): minPrice <= priceMin <= maxPrice.
 */
import { ValidationError } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import type { KeyPart } from '../cursor';
import { cursorTag, makeCursor, readCursor } from './catalogCursor';
import { CATALOG, isoOf, productPageSize, summaryOf, SUMMARY_COLUMNS, type ProductSummary, type SummaryRow } from './catalogRows';
import { join, searchWords, textQuery, type Fragment } from './searchQuery';

export type ProductSort = 'relevance' | 'price_asc' | 'price_desc' | 'newest' | 'rating';

export interface ProductSearch {
  q?: string;
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  shop?: string;
  brand?: string;
  inStock?: boolean;
  minRating?: number;
  sort?: ProductSort;
  limit?: number;
  cursor?: string;
}

export interface ProductFacets {
  categories: Array<{ id: string; name: string; slug: string; count: number }>;
  brands: Array<{ brand: string; count: number }>;
}

export interface ProductSearchPage {
  items: ProductSummary[];
  facets: ProductFacets;
  nextCursor: string | null;
}

/** A page row: a summary's columns, the category's, and the sort keys. */
type PageRow = SummaryRow & { published_at: string; rating_key: number | string; rank: number };

interface SortOrder {
  /** ORDER BY over the page's columns. */
  order: string;
  /** The keyset condition after a cursor's key, over the page's columns (as `s`). */
  after: string;
  shape: KeyPart[];
  keyOf(row: PageRow): Array<string | number>;
}

const SORTS: Record<ProductSort, SortOrder> = {
  relevance: { order: 'rank desc, id desc', after: '(s.rank, s.id) < (?::real, ?::uuid)', shape: ['number', 'uuid'], keyOf: (r) => [r.rank, r.id] },
  newest: { order: 'published_at desc, id desc', after: '(s.published_at, s.id) < (?::timestamptz, ?::uuid)', shape: ['timestamp', 'uuid'], keyOf: (r) => [isoOf(r.published_at), r.id] },
  price_asc: { order: 'price_min asc, id asc', after: '(s.price_min, s.id) > (?::bigint, ?::uuid)', shape: ['integer', 'uuid'], keyOf: (r) => [Number(r.price_min), r.id] },
  price_desc: { order: 'price_min desc, id desc', after: '(s.price_min, s.id) < (?::bigint, ?::uuid)', shape: ['integer', 'uuid'], keyOf: (r) => [Number(r.price_min), r.id] },
  rating: {
    order: 'rating_key desc, rating_count desc, id desc',
    after: '(s.rating_key, s.rating_count, s.id) < (?::numeric, ?::integer, ?::uuid)',
    shape: ['decimal', 'integer', 'uuid'],
    keyOf: (r) => [String(r.rating_key), r.rating_count, r.id],
  },
};

/** What a product list selects, checked: the parts of the SQL that depend on the request. */
export interface ProductSelection {
  /** Every filter but the brand, over `p` (the products). */
  filters: Fragment;
  /** The brand filter over a table alias, or null without one. */
  brand: ((alias: string) => Fragment) | null;
  /** The search's words, when it has some: then hits are ranked by them. */
  text: Fragment | null;
  rank: Fragment;
  sort: ProductSort;
  /** The sort key after which the page starts (from the cursor). */
  after: Array<string | number> | null;
  limit: number;
  tag: string;
}

export function selectionOf(list: string, query: ProductSearch): ProductSelection {
  const words = query.q === undefined ? [] : searchWords(query.q);
  if (query.q !== undefined && words.length === 0) {
    throw new ValidationError('q has no word to search for; use letters or digits (any script).', { field: 'q' });
  }
  if (query.minPrice !== undefined && query.maxPrice !== undefined && query.minPrice > query.maxPrice) {
    throw new ValidationError(`minPrice (${query.minPrice} poisha) is above maxPrice (${query.maxPrice} poisha); swap them or leave one out.`, { field: 'minPrice' });
  }
  const sort = query.sort ?? (words.length > 0 ? 'relevance' : 'newest');
  if (sort === 'relevance' && words.length === 0) {
    throw new ValidationError('sort=relevance ranks by the words of q, and there is no q; send q, or sort by newest, price_asc, price_desc or rating.', { field: 'sort' });
  }
  const text = words.length > 0 ? textQuery(words) : null;
  const filters: Fragment[] = [{ sql: 'p.is_public', bindings: [] }];
  if (text) filters.push({ sql: `p.search @@ ${text.sql}`, bindings: text.bindings });
  if (query.category !== undefined) filters.push({ sql: `p.category_id in (select sub.id from ${CATALOG.categories} sub where sub.path @> array[?::uuid])`, bindings: [query.category] });
  if (query.minPrice !== undefined) filters.push({ sql: 'p.price_min >= ?', bindings: [query.minPrice] });
  if (query.maxPrice !== undefined) filters.push({ sql: 'p.price_min <= ?', bindings: [query.maxPrice] });
  if (query.shop !== undefined) filters.push({ sql: 'p.shop_id = ?::uuid', bindings: [query.shop] });
  if (query.inStock !== undefined) filters.push({ sql: 'p.in_stock = ?', bindings: [query.inStock] });
  if (query.minRating !== undefined) filters.push({ sql: 'p.rating_avg >= ?', bindings: [query.minRating] });
  const tag = cursorTag(`${list}.${sort}`, { ...query, q: words, brand: query.brand?.toLowerCase(), cursor: undefined, limit: undefined, sort });
  return {
    filters: join(filters, ' and '),
    brand: query.brand === undefined ? null : (alias) => ({ sql: `lower(${alias}.brand) = lower(?)`, bindings: [query.brand] }),
    text,
    rank: text ? { sql: `ts_rank_cd(p.search, ${text.sql})`, bindings: text.bindings } : { sql: '0::real', bindings: [] },
    sort,
    after: readCursor(query.cursor, tag, SORTS[sort].shape),
    limit: productPageSize(query.limit),
    tag,
  };
}

/** The page's rows as one JSON array, one more than the page holds (to know whether another follows). */
export function pageSql(selection: ProductSelection): Fragment {
  const sort = SORTS[selection.sort];
  const where = selection.brand ? join([selection.filters, selection.brand('p')], ' and ') : selection.filters;
  const after: Fragment = selection.after ? { sql: `where ${sort.after}`, bindings: selection.after } : { sql: '', bindings: [] };
  return {
    sql: `(select coalesce(json_agg(x order by ${sort.order}), '[]'::json) from (
        select page.*, c.name as category_name, c.slug as category_slug
          from (select s.* from (
                  select ${SUMMARY_COLUMNS}, p.published_at, coalesce(p.rating_avg, 0) as rating_key, ${selection.rank.sql} as rank
                    from ${CATALOG.products} p
                   where ${where.sql}) s
                ${after.sql}
                order by ${sort.order}
                limit ?) page
          left join ${CATALOG.categories} c on c.id = page.category_id) x)`,
    bindings: [...selection.rank.bindings, ...where.bindings, ...after.bindings, selection.limit + 1],
  };
}

export function pageOf(selection: ProductSelection, rows: PageRow[], withStatus = false): { items: ProductSummary[]; nextCursor: string | null } {
  const items = rows.slice(0, selection.limit);
  const last = items[items.length - 1];
  return {
    items: items.map((row) => summaryOf(row, withStatus)),
    nextCursor: rows.length > selection.limit && last ? makeCursor(selection.tag, SORTS[selection.sort].keyOf(last)) : null,
  };
}

/**
 * With words, the hits are few enough (the text index finds them) to be read once: the facets and
 * the page both come from `hits`, and only the page's products are read again for their summaries.
 */
function rankedPageSql(selection: ProductSelection): Fragment {
  const sort = SORTS[selection.sort];
  const conditions: Fragment[] = [];
  if (selection.brand) conditions.push(selection.brand('s'));
  if (selection.after) conditions.push({ sql: sort.after, bindings: selection.after });
  const where = conditions.length > 0 ? join(conditions, ' and ') : null;
  return {
    sql: `(select coalesce(json_agg(x order by ${sort.order}), '[]'::json) from (
        select s.rank, s.rating_key, ${SUMMARY_COLUMNS}, p.published_at, c.name as category_name, c.slug as category_slug
          from (select * from hits s ${where ? `where ${where.sql}` : ''} order by ${sort.order} limit ?) s
          join ${CATALOG.products} p on p.id = s.id
          left join ${CATALOG.categories} c on c.id = p.category_id) x)`,
    bindings: [...(where?.bindings ?? []), selection.limit + 1],
  };
}

export async function searchProducts(knex: Knex, query: ProductSearch): Promise<ProductSearchPage> {
  const selection = selectionOf('products', query);
  // Without words the page is read through the sort's index (a few rows); with words, from the hits.
  const page = selection.text ? rankedPageSql(selection) : pageSql(selection);
  const statement = join([facetRowsSql(selection, query), facetsSql(selection, query, page)], ',\n');
  const result = await knex.raw<{ rows: Array<{ items: PageRow[]; brands: ProductFacets['brands']; categories: ProductFacets['categories'] }> }>(statement.sql, statement.bindings as Knex.RawBinding[]);
  const row = result.rows[0]!;
  return { ...pageOf(selection, row.items), facets: { categories: row.categories, brands: row.brands } };
}

/**
 * `facet_rows`: the hits (all filters but the brand) counted by category and brand spelling. A
 * search without words that filters on category and stock only reads them from the facet counts
 * the projector keeps (a few hundred rows, whatever the catalogue's size); any other search counts
 * its hits, which `hits` holds (ranked, with words: the page is made from them too).
 */
function facetRowsSql(selection: ProductSelection, query: ProductSearch): Fragment {
  const fromCounts = !selection.text && query.minPrice === undefined && query.maxPrice === undefined && query.shop === undefined && query.minRating === undefined;
  if (fromCounts) {
    const filters: Fragment[] = [{ sql: 'f.count <> 0', bindings: [] }];
    if (query.category !== undefined) filters.push({ sql: `f.category_id in (select sub.id from ${CATALOG.categories} sub where sub.path @> array[?::uuid])`, bindings: [query.category] });
    if (query.inStock !== undefined) filters.push({ sql: 'f.in_stock = ?', bindings: [query.inStock] });
    const where = join(filters, ' and ');
    return {
      sql: `with facet_rows as (
          select f.category_id, f.brand_key, f.brand, sum(f.count)::int as n from ${CATALOG.facetCounts} f where ${where.sql} group by 1, 2, 3)`,
      bindings: where.bindings,
    };
  }
  const hitColumns: Fragment = selection.text
    ? { sql: `p.id, p.category_id, p.brand, p.price_min, p.published_at, coalesce(p.rating_avg, 0) as rating_key, p.rating_count, ${selection.rank.sql} as rank`, bindings: selection.rank.bindings }
    : { sql: 'p.category_id, p.brand', bindings: [] };
  return {
    sql: `with hits as materialized (select ${hitColumns.sql} from ${CATALOG.products} p where ${selection.filters.sql}),
        facet_rows as (select category_id, lower(coalesce(brand, '')) as brand_key, coalesce(brand, '') as brand, count(*)::int as n from hits group by 1, 2, 3)`,
    bindings: [...hitColumns.bindings, ...selection.filters.bindings],
  };
}

/**
 * The brands (without the brand filter; the most frequent spelling names each) and the categories
 * one level below the chosen one (with every filter), then the whole answer.
 */
function facetsSql(selection: ProductSelection, query: ProductSearch, page: Fragment): Fragment {
  // Children of the chosen category (path index depth + 2, 1-based), or the top level.
  const level: Fragment =
    query.category === undefined ? { sql: '1', bindings: [] } : { sql: `(select sub.depth + 2 from ${CATALOG.categories} sub where sub.id = ?::uuid)`, bindings: [query.category] };
  const brand: Fragment = query.brand === undefined ? { sql: '', bindings: [] } : { sql: 'and r.brand_key = lower(?)', bindings: [query.brand] };
  return join(
    [
      {
        sql: `brand_facet as (
          select brand_key as key, (array_agg(brand order by n desc, brand))[1] as brand, sum(n)::int as count
            from (select brand_key, brand, sum(n) as n from facet_rows where brand <> '' group by 1, 2) spelling
           group by brand_key order by count desc, key limit 20),`,
        bindings: [],
      },
      {
        sql: `category_facet as (
          select c.path[${level.sql}] as id, sum(r.n)::int as count
            from facet_rows r join ${CATALOG.categories} c on c.id = r.category_id
           where cardinality(c.path) >= ${level.sql} ${brand.sql}
           group by 1 having sum(r.n) > 0)`,
        bindings: [...level.bindings, ...level.bindings, ...brand.bindings],
      },
      { sql: `select ${page.sql} as items,`, bindings: page.bindings },
      {
        sql: `(select coalesce(json_agg(json_build_object('brand', b.brand, 'count', b.count) order by b.count desc, b.key), '[]'::json) from brand_facet b) as brands,
          (select coalesce(json_agg(json_build_object('id', f.id, 'name', c.name, 'slug', c.slug, 'count', f.count) order by f.count desc, c.name, f.id), '[]'::json)
             from category_facet f join ${CATALOG.categories} c on c.id = f.id) as categories`,
        bindings: [],
      },
    ],
    '\n',
  );
}
