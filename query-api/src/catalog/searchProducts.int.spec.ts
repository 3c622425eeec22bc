/**
 * The storefront search over a catalogue whose answers are worked out by hand (see
 * projections/src/catalog/testing/storefrontFixture.ts): the hits, their order for every sort,
 * the facets, word forms and Bangla, paging, and refused cursors. Run on the PostgreSQL server and
 * on PGlite, the embedded default, which must answer the same.
 */
import { projectors } from '@bdbazar/projections';
import {
  createEmbeddedEventStore,
  createPostgresEventStore,
  openDatabase,
  silentLogger,
  startProjectorWorker,
  ValidationError,
  type Database,
  type EventStore,
  type ProjectorDefinition,
  type ProjectorWorker,
} from '@bdbazar/shared-kernel';
import { append, at, CATEGORY_TREE_STREAM, categoryEvents } from '../../../projections/src/catalog/testing/catalogBuilders';
import { caughtUpTo } from '../../../projections/src/catalog/testing/caughtUp';
import { appendStorefront, CATEGORIES, categoryId, SAREE_DECOMPOSED, SAREE_PRECOMPOSED, shopId } from '../../../projections/src/catalog/testing/storefrontFixture';
import { createTestDatabase } from '../../../projections/src/catalog/testing/testDatabase';
import { describeWithServer, requireServerUrl } from '../../../test/servers';
import { searchProducts, type ProductSearch, type ProductSearchPage } from './searchProducts';

const catalog = projectors.find((p) => p.name === 'catalog') as ProjectorDefinition;

interface Backend {
  store: EventStore;
  db: Database;
  close(): Promise<void>;
}

async function onPostgres(): Promise<Backend> {
  const database = await createTestDatabase(requireServerUrl('postgres'), 'bdbazar_catalog_search');
  const store = await createPostgresEventStore({ connectionString: database.url });
  const db = await openDatabase({ kind: 'postgres', connectionString: database.url });
  return {
    store,
    db,
    close: async () => {
      await store.close();
      await db.close();
      await database.drop();
    },
  };
}

async function onPglite(): Promise<Backend> {
  const store = await createEmbeddedEventStore({ dataDir: 'memory://' });
  const db = await openDatabase({ kind: 'pglite' });
  return {
    store,
    db,
    close: async () => {
      await store.close();
      await db.close();
    },
  };
}

/** The product number of a fixture id (product n is ...-c000000000nn). */
const n = (productId: string): number => Number(productId.slice(-11));
const numbers = (page: ProductSearchPage): number[] => page.items.map((item) => n(item.id));
const category = (key: keyof typeof CATEGORIES, count: number) => ({ id: CATEGORIES[key].categoryId, name: CATEGORIES[key].name, slug: CATEGORIES[key].slug, count });

/** Every public product, newest first (product n is published at minute 100 + n). */
const ALL_NEWEST = [20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
const ALL_PRICE_ASC = [9, 20, 19, 10, 1, 11, 15, 16, 5, 14, 12, 2, 18, 13, 7, 17, 3, 4, 8, 6];
const ALL_PRICE_DESC = [6, 8, 4, 3, 17, 7, 13, 18, 2, 12, 14, 5, 16, 15, 11, 1, 10, 19, 20, 9];
const ALL_RATING = [4, 12, 1, 9, 6, 2, 20, 19, 18, 17, 16, 15, 14, 13, 11, 10, 8, 7, 5, 3];
const ALL_BRANDS = [
  { brand: 'Aarong', count: 8 },
  { brand: 'Yellow', count: 5 },
  { brand: 'Pran', count: 2 },
  { brand: 'Bata', count: 1 },
];

function searchSuite(open: () => Promise<Backend>): void {
  let backend: Backend;
  let worker: ProjectorWorker;

  const caughtUp = (position: string) => caughtUpTo({ db: backend.db, store: backend.store, runtimeSchema: 'bdbazar', definition: catalog, position });

  beforeAll(async () => {
    backend = await open();
    const { catalog: position } = await appendStorefront(backend.store);
    worker = startProjectorWorker({ store: backend.store, db: backend.db, runtimeSchema: 'bdbazar', definition: catalog, logger: silentLogger(), checkIntervalMs: 50 });
    await caughtUp(position);
  });
  afterAll(async () => {
    await worker?.stop();
    await backend?.close();
  });

  const search = (query: ProductSearch) => searchProducts(backend.db.knex, query);

  /** Every page of a search, following nextCursor, as product numbers; fails on a repeat. */
  const allPages = async (query: ProductSearch, limit: number): Promise<{ pages: number[][]; all: number[] }> => {
    const pages: number[][] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await search({ ...query, limit, cursor });
      pages.push(numbers(page));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
      if (pages.length > 30) throw new Error('too many pages');
    }
    return { pages, all: pages.flat() };
  };

  describe('without words', () => {
    it('lists every public product newest first, with facets over all of them', async () => {
      expect(await search({ limit: 5 })).toEqual({
        items: expect.any(Array),
        facets: {
          categories: [category('clothing', 14), category('home', 5), category('oldStuff', 1)],
          brands: ALL_BRANDS,
        },
        nextCursor: expect.any(String),
      });
      expect(await search({})).toEqual(expect.objectContaining({ nextCursor: null }));
      expect(numbers(await search({}))).toEqual(ALL_NEWEST);
    });

    it('sorts by the "from" price both ways, ties by id', async () => {
      expect(numbers(await search({ sort: 'price_asc', limit: 50 }))).toEqual(ALL_PRICE_ASC);
      // Products 7 and 17 both start at 300,000 poisha: by id, in the sort's direction.
      expect(numbers(await search({ sort: 'price_desc', limit: 50 }))).toEqual(ALL_PRICE_DESC);
    });

    it('sorts by rating: average, then number of reviews, then id; hidden reviews do not count', async () => {
      expect(numbers(await search({ sort: 'rating', limit: 50 }))).toEqual(ALL_RATING);
    });
  });

  describe('with filters', () => {
    it('takes a category with all its subcategories, and drills the category facet down one level', async () => {
      const clothing = await search({ category: CATEGORIES.clothing.categoryId, limit: 50 });
      expect(numbers(clothing)).toEqual([18, 17, 16, 15, 14, 12, 8, 7, 6, 5, 4, 3, 2, 1]);
      expect(clothing.facets).toEqual({
        categories: [category('men', 11), category('women', 3)],
        brands: [
          { brand: 'Aarong', count: 6 },
          { brand: 'Yellow', count: 5 },
          { brand: 'Bata', count: 1 },
        ],
      });
      const saree = await search({ category: CATEGORIES.saree.categoryId });
      expect(numbers(saree)).toEqual([8, 7, 6]);
      // A leaf has no children to drill into.
      expect(saree.facets.categories).toEqual([]);
    });

    it('takes a brand in any case; the brand facet leaves its own filter out, the category facet keeps it', async () => {
      const page = await search({ category: CATEGORIES.men.categoryId, brand: 'AARONG' });
      expect(numbers(page)).toEqual([17, 14, 5, 4, 1]);
      expect(page.facets).toEqual({
        categories: [category('panjabi', 3), category('shirts', 2)],
        brands: [
          { brand: 'Aarong', count: 5 },
          { brand: 'Yellow', count: 4 },
          { brand: 'Bata', count: 1 },
        ],
      });
    });

    it('filters on the "from" price, both bounds included', async () => {
      const range = await search({ minPrice: 150_000, maxPrice: 300_000, sort: 'price_asc' });
      expect(numbers(range)).toEqual([15, 16, 5, 14, 12, 2, 18, 13, 7, 17]);
      // Counted from the hits; a tie between brands goes by name, and "Aarong" outnumbers "aarong".
      expect(range.facets).toEqual({ categories: [category('clothing', 9), category('home', 1)], brands: [{ brand: 'Aarong', count: 4 }, { brand: 'Yellow', count: 4 }] });
      // Product 4 costs 450,000 to 480,000: its "from" price is above the range.
      expect(numbers(await search({ minPrice: 460_000, maxPrice: 500_000 }))).toEqual([]);
      expect(numbers(await search({ maxPrice: 50_000, sort: 'price_asc' }))).toEqual([9, 20]);
    });

    it('filters on stock both ways, on the minimum rating and on the shop', async () => {
      const outOfStock = await search({ inStock: false });
      expect(numbers(outOfStock)).toEqual([18, 14, 10, 3]);
      expect(outOfStock.facets).toEqual({
        categories: [category('clothing', 3), category('home', 1)],
        brands: [
          { brand: 'Aarong', count: 1 },
          { brand: 'Bata', count: 1 },
          { brand: 'Yellow', count: 1 },
        ],
      });
      expect(numbers(await search({ inStock: true, limit: 50 }))).toEqual(ALL_NEWEST.filter((p) => ![18, 14, 10, 3].includes(p)));
      expect(numbers(await search({ minRating: 4 }))).toEqual([12, 9, 4, 1]);
      expect(numbers(await search({ minRating: 4.5, sort: 'rating' }))).toEqual([4, 12, 1]);
      expect(numbers(await search({ shop: shopId(1) }))).toEqual([17, 15, 14, 8, 6, 4, 1]);
      // A suspended shop's and a pending shop's products are not public.
      expect(await search({ shop: shopId(4) })).toEqual({ items: [], facets: { categories: [], brands: [] }, nextCursor: null });
      expect(numbers(await search({ shop: shopId(5) }))).toEqual([]);
    });

    it('refuses a minimum price above the maximum, and relevance without words', async () => {
      await expect(search({ minPrice: 2, maxPrice: 1 })).rejects.toThrow(new ValidationError('minPrice (2 poisha) is above maxPrice (1 poisha); swap them or leave one out.'));
      await expect(search({ sort: 'relevance' })).rejects.toThrow(ValidationError);
      await expect(search({ q: ' !? ' })).rejects.toThrow(ValidationError);
    });
  });

  describe('with words', () => {
    it('matches English word forms both ways and ranks title matches first', async () => {
      const shirts = await search({ q: 'shirts' });
      // One title match each ("shirts" or "shirt"): equal ranks, by id.
      expect(numbers(shirts)).toEqual([18, 17, 16, 15, 12, 2, 1]);
      expect(shirts.facets).toEqual({ categories: [category('clothing', 7)], brands: [{ brand: 'Yellow', count: 4 }, { brand: 'Aarong', count: 2 }] });
      expect(numbers(await search({ q: 'shirt' })).sort((a, b) => a - b)).toEqual([1, 2, 12, 15, 16, 17, 18]);
      expect(numbers(await search({ q: 'running' }))).toEqual([3]);
      expect(numbers(await search({ q: 'run' }))).toEqual([3]);
      // Title (A) before description and attributes (C); equal ranks by id.
      expect(numbers(await search({ q: 'cotton', limit: 50 }))).toEqual([1, 20, 13, 11, 5, 15]);
      expect(numbers(await search({ q: 'COTTON Shirt' }))).toEqual([1, 15]);
    });

    it('needs every word, leaves English stop words out, and takes the start of a word', async () => {
      expect(numbers(await search({ q: 'the running shoes' }))).toEqual([3]);
      expect(numbers(await search({ q: 'running boots' }))).toEqual([]);
      expect(numbers(await search({ q: 'shir' })).sort((a, b) => a - b)).toEqual([1, 2, 12, 15, 16, 17, 18]);
      // Stop words only: matched as the start of words ("formal", and "for" in a title).
      expect(numbers(await search({ q: 'for' })).sort((a, b) => a - b)).toEqual([2, 4]);
    });

    it('finds Bangla words whole and by their start, however ড় is encoded', async () => {
      // শাড়ি in 6's title, শাড়িটি in 7's (written with the precomposed letter): one title match each, by id.
      expect(numbers(await search({ q: SAREE_DECOMPOSED }))).toEqual([7, 6]);
      expect(numbers(await search({ q: SAREE_PRECOMPOSED }))).toEqual([7, 6]);
      expect(numbers(await search({ q: `${SAREE_PRECOMPOSED}টি` }))).toEqual([7]);
      expect(numbers(await search({ q: `লাল ${SAREE_DECOMPOSED}` }))).toEqual([7]);
      expect(numbers(await search({ q: 'জামদানি' }))).toEqual([6]);
      expect(numbers(await search({ q: 'পাঞ্জাবি' }))).toEqual([14]);
      expect(numbers(await search({ q: 'হাতে বোনা' }))).toEqual([6]);
    });

    it('combines words with filters and any sort', async () => {
      const query: ProductSearch = { q: 'cotton', category: CATEGORIES.clothing.categoryId, inStock: true, minPrice: 100_000 };
      const page = await search(query);
      expect(numbers(page)).toEqual([1, 5, 15]);
      expect(page.facets).toEqual({ categories: [category('men', 3)], brands: [{ brand: 'Aarong', count: 2 }, { brand: 'Yellow', count: 1 }] });
      expect(numbers(await search({ ...query, sort: 'price_asc' }))).toEqual([1, 15, 5]);
      expect(numbers(await search({ ...query, sort: 'newest' }))).toEqual([15, 5, 1]);
      expect(numbers(await search({ ...query, brand: 'yellow' }))).toEqual([15]);
    });
  });

  describe('page by page', () => {
    it.each([
      ['newest', {}, ALL_NEWEST, 3],
      ['price_asc', { sort: 'price_asc' }, ALL_PRICE_ASC, 5],
      ['price_desc', { sort: 'price_desc' }, ALL_PRICE_DESC, 4],
      ['rating', { sort: 'rating' }, ALL_RATING, 3],
      ['relevance', { q: 'cotton' }, [1, 20, 13, 11, 5, 15], 2],
      ['relevance, equal ranks', { q: 'shirts' }, [18, 17, 16, 15, 12, 2, 1], 3],
    ] as Array<[string, ProductSearch, number[], number]>)('visits every hit once by %s', async (_name, query, expected, limit) => {
      const { pages, all } = await allPages(query, limit);
      expect(all).toEqual(expected);
      expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
    });

    it('refuses a cursor of another sort, other words or filters, and a made-up one', async () => {
      const first = await search({ limit: 2 });
      const cursor = first.nextCursor!;
      expect(numbers(await search({ limit: 2, cursor }))).toEqual([18, 17]);
      // The page size may change from page to page.
      expect(numbers(await search({ limit: 3, cursor }))).toEqual([18, 17, 16]);
      for (const other of [{ sort: 'price_asc' }, { q: 'cotton', sort: 'newest' }, { brand: 'Aarong' }, { inStock: true }] as ProductSearch[]) {
        await expect(search({ ...other, cursor })).rejects.toThrow(ValidationError);
      }
      const [tag] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string];
      const forged = (key: unknown[]) => Buffer.from(JSON.stringify([tag, ...key])).toString('base64url');
      for (const bad of ['not a cursor', forged(['2025-03-01T11:58:00.000Z', 'not-a-uuid']), forged(['yesterday', categoryId(1)]), forged([1, 2])]) {
        await expect(search({ limit: 2, cursor: bad })).rejects.toThrow(ValidationError);
      }
    });
  });

  describe('when a category moves', () => {
    it('filters by the new subtree', async () => {
      const { position } = await append(backend.store, CATEGORY_TREE_STREAM, [categoryEvents.moved(CATEGORIES.panjabi.categoryId, CATEGORIES.home.categoryId, CATEGORIES.men.categoryId, at(500))]);
      await caughtUp(position);
      expect(numbers(await search({ category: CATEGORIES.men.categoryId }))).toEqual([18, 17, 16, 15, 12, 3, 2, 1]);
      const home = await search({ category: CATEGORIES.home.categoryId });
      expect(numbers(home)).toEqual([19, 14, 13, 11, 10, 9, 5, 4]);
      expect(home.facets.categories).toEqual([category('kitchen', 4), category('panjabi', 3)]);
    });
  });
}

describeWithServer('postgres', 'the storefront search on PostgreSQL', () => searchSuite(onPostgres));
describe('the storefront search on PGlite', () => searchSuite(onPglite));
