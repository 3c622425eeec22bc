/**
 * The search mix: GET /v1/products queries of the kinds a storefront sends, made from the
 * catalogue's own vocabulary and ids (so that most find something), the same on every run. Second
 * pages need a cursor, which only a first page gives: they are made after probing the first pages.
 */
import type { SearchQuery } from '../httpBench/protocol';
import { ALL_LEAVES, BANGLA_ADJECTIVES, CATEGORY_TREE, leafSpec, type CategoryIds, type RootSpec } from './catalogData';
import { random, type Random } from './random';

export type QueryKind = 'keyword' | 'keyword2' | 'keywordBangla' | 'keywordCategory' | 'categoryPrice' | 'brandInStock' | 'shop' | 'newest' | 'nextPage';

/** Each kind's share of the requests, and how the report names it. */
export const QUERY_MIX: Record<QueryKind, { share: number; label: string }> = {
  keyword: { share: 0.2, label: 'q, one English word' },
  keyword2: { share: 0.1, label: 'q, two English words' },
  keywordBangla: { share: 0.05, label: 'q in Bangla' },
  keywordCategory: { share: 0.15, label: 'q + category' },
  categoryPrice: { share: 0.15, label: 'category + price range, price_asc' },
  brandInStock: { share: 0.1, label: 'brand + inStock' },
  shop: { share: 0.1, label: 'shop page, newest' },
  newest: { share: 0.05, label: 'newest, no filter' },
  nextPage: { share: 0.1, label: 'second page (cursor)' },
};

export const PAGE_SIZE = 20;

const lowerWords = (text: string) => text.toLowerCase().split(/\s+/u);
const unique = (items: readonly string[]) => [...new Set(items)];

/** Every English word of the product nouns and attribute values, as a shopper types them. */
const ENGLISH_WORDS = unique(CATEGORY_TREE.flatMap((root) => [...root.attribute.values, ...root.leaves.flatMap((leaf) => leaf.nouns)].flatMap(lowerWords))).filter((word) => word.length > 2);
const TWO_WORD_NOUNS = unique(CATEGORY_TREE.flatMap((root) => root.leaves.flatMap((leaf) => leaf.nouns)).filter((noun) => noun.split(' ').length === 2)).map((noun) => noun.toLowerCase());
const BANGLA_NOUNS = unique(CATEGORY_TREE.flatMap((root) => root.leaves.flatMap((leaf) => leaf.bangla)));
const BRANDS = CATEGORY_TREE.flatMap((root) => root.brands);

/**
 * Percent-encoded as fetch clients do (a space is %20): the API's validator refuses the form
 * encoding's `+` for a space as a reserved character.
 */
function path(params: Record<string, string | number | boolean>): string {
  const query = Object.entries({ ...params, limit: PAGE_SIZE }).map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`);
  return `/v1/products?${query.join('&')}`;
}

/** A price band inside the leaf's (or the root's) range, in poisha: as a price filter a shopper would pick. */
function priceBand(r: Random, [low, high]: readonly [number, number]): { minPrice: number; maxPrice: number } {
  const min = Math.round(low * (1 + r.next() * 2)) * 100;
  const max = Math.min(high * 100, Math.round((min * (2 + r.next() * 4)) / 100) * 100);
  return { minPrice: min, maxPrice: Math.max(max, min + 100) };
}

const rootRange = (root: RootSpec): [number, number] => [Math.min(...root.leaves.map((leaf) => leaf.priceTaka[0])), Math.max(...root.leaves.map((leaf) => leaf.priceTaka[1]))];

function queryOf(kind: Exclude<QueryKind, 'nextPage'>, r: Random, categories: CategoryIds, shops: readonly string[]): SearchQuery {
  switch (kind) {
    case 'keyword':
      return { kind, path: path({ q: r.pick(ENGLISH_WORDS) }) };
    case 'keyword2': {
      const ref = r.pick(ALL_LEAVES);
      const root = CATEGORY_TREE[ref.root] as RootSpec;
      const noun = lowerWords(r.pick(leafSpec(ref).nouns)).at(-1) as string;
      return { kind, path: path({ q: r.chance(0.5) ? `${r.pick(root.attribute.values).toLowerCase()} ${noun}` : r.pick(TWO_WORD_NOUNS) }) };
    }
    case 'keywordBangla':
      return { kind, path: path({ q: r.chance(0.3) ? `${r.pick(BANGLA_ADJECTIVES)} ${r.pick(BANGLA_NOUNS)}` : r.pick(BANGLA_NOUNS) }) };
    case 'keywordCategory': {
      const ref = r.pick(ALL_LEAVES);
      const word = r.pick(lowerWords(r.pick(leafSpec(ref).nouns)));
      const category = r.chance(0.5) ? categories.roots[ref.root] : categories.leaves[ref.root]?.[ref.leaf];
      return { kind, path: path({ q: word, category: category as string }) };
    }
    case 'categoryPrice': {
      const ref = r.pick(ALL_LEAVES);
      const inLeaf = r.chance(0.6);
      const category = inLeaf ? categories.leaves[ref.root]?.[ref.leaf] : categories.roots[ref.root];
      const band = priceBand(r, inLeaf ? leafSpec(ref).priceTaka : rootRange(CATEGORY_TREE[ref.root] as RootSpec));
      return { kind, path: path({ category: category as string, ...band, sort: 'price_asc' }) };
    }
    case 'brandInStock':
      return { kind, path: path({ brand: r.pick(BRANDS), inStock: true, ...(r.chance(0.3) ? { sort: r.pick(['price_desc', 'rating']) } : {}) }) };
    case 'shop':
      return { kind, path: path({ shop: r.pick(shops), sort: 'newest' }) };
    case 'newest':
      return { kind, path: path({ sort: 'newest' }) };
  }
}

/** `count` requests in the mix's shares, second pages left out (see nextPages). */
export function firstPageQueries(input: { seed: number; count: number; categories: CategoryIds; shops: readonly string[] }): SearchQuery[] {
  const r = random(input.seed, 0x5ea2c4);
  const queries: SearchQuery[] = [];
  for (const [kind, { share }] of Object.entries(QUERY_MIX) as Array<[QueryKind, { share: number }]>) {
    if (kind === 'nextPage') continue;
    for (let i = 0; i < Math.round(share * input.count); i++) queries.push(queryOf(kind, r, input.categories, input.shops));
  }
  return queries;
}

/** What one first page answered when probed. */
export interface Probed {
  query: SearchQuery;
  items: number;
  nextCursor: string | null;
}

/** The nextPage share of `count`: the pages after probed first pages that had more, spread over the kinds. */
export function nextPages(probed: readonly Probed[], count: number, seed: number): SearchQuery[] {
  const withMore = random(seed, 0xc0).shuffle(probed.filter((p) => p.nextCursor !== null));
  const wanted = Math.round(QUERY_MIX.nextPage.share * count);
  if (withMore.length === 0) return [];
  return Array.from({ length: wanted }, (_, i) => {
    const first = withMore[i % withMore.length] as Probed;
    return { kind: 'nextPage', path: `${first.query.path}&cursor=${encodeURIComponent(first.nextCursor as string)}` };
  });
}
