/**
 * The catalogue read model: products as the storefront shows and searches them (with their shop's
 * standing and their rating summary copied in, so that a search reads one table), the category
 * tree, the shop facts products need, reviews, and the counts of public products by category, brand
 * and stock that the storefront's facets read when a search has no words. A product is public when it is published and
 * its shop is active (`is_public`, a generated column every storefront index is partial on).
 *
 * A batch is applied with a few set-based statements, whatever its size: shops first (their facts
 * are copied onto products), the category tree, products (the batch's events folded per product
 * in memory, then one upsert), reviews (then the touched products' ratings counted again).
 * Every row keeps the revision of its stream's last applied event, so a replay changes nothing.
 */
import { defineProjector, type ProjectionBatch, type ProjectionBatchOutcome } from '@bdbazar/shared-kernel';
import { applyCategoryEvents } from './categories';
import { partitionEvents } from './catalogEvents';
import { productIntegrationEvents } from './integrationEvents';
import { applyProductEvents } from './products';
import { applyReviewEvents } from './reviews';
import { applyShopEvents } from './shops';

export const CATALOG_PROJECTOR = 'catalog';

/** A batch that only moved stock levels, no product going in or out of stock, leaves the storefront's answers as they were. */
async function apply({ trx, schema, events }: ProjectionBatch): Promise<ProjectionBatchOutcome> {
  const batch = partitionEvents(events);
  await applyShopEvents(trx, schema, batch.shops);
  await applyCategoryEvents(trx, schema, batch.categories);
  const productsVisible = await applyProductEvents(trx, schema, batch.products);
  await applyReviewEvents(trx, schema, batch.reviews);
  return { visibleChange: productsVisible || batch.shops.length > 0 || batch.categories.length > 0 || batch.reviews.length > 0 };
}

export const catalogProjector = defineProjector({
  name: CATALOG_PROJECTOR,
  // 2: the products_facets index (a deployment at version 1 rebuilds into a generation that has it).
  version: 2,
  filter: { streamCategories: ['product', 'categorytree', 'review', 'shop'] },
  migrations: {
    '0001_catalog': async (knex, schema) => {
      const s = `"${schema}"`;
      const statements = [
        `create table ${s}.shops (
          id uuid primary key,
          status text not null,
          name text not null,
          slug text not null,
          updated_at timestamptz not null,
          revision integer not null
        )`,
        `create table ${s}.categories (
          id uuid primary key,
          parent_id uuid,
          name text not null,
          slug text not null,
          retired boolean not null,
          path uuid[] not null,
          depth integer not null,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          revision integer not null
        )`,
        `create table ${s}.products (
          id uuid primary key,
          shop_id uuid not null,
          seller_id uuid not null,
          title text not null,
          description text,
          category_id uuid not null,
          images jsonb not null,
          brand text,
          attributes jsonb not null,
          variants jsonb not null,
          price_min bigint not null,
          price_max bigint not null,
          compare_at_price bigint,
          in_stock boolean not null,
          status text not null,
          removed_reason text,
          shop_active boolean not null,
          shop_name text,
          shop_slug text,
          rating_avg numeric(3, 2),
          rating_count integer not null,
          rating_sum integer not null,
          listed_at timestamptz not null,
          published_at timestamptz,
          updated_at timestamptz not null,
          revision integer not null,
          search tsvector,
          is_public boolean generated always as (status = 'published' and shop_active) stored
        )`,
        `create table ${s}.reviews (
          id uuid primary key,
          product_id uuid not null,
          shop_id uuid not null,
          seller_id uuid not null,
          buyer_id uuid not null,
          rating integer not null,
          text text not null,
          reply text,
          replied_at timestamptz,
          hidden boolean not null,
          hidden_reason text,
          written_at timestamptz not null,
          edited_at timestamptz,
          revision integer not null
        )`,
        // Public products counted by what the storefront's facets group and filter on, kept by every
        // statement that changes a product's standing or those keys (see facetCounts.ts).
        `create table ${s}.facet_counts (
          category_id uuid not null,
          brand_key text not null,
          brand text not null,
          in_stock boolean not null,
          count integer not null,
          primary key (category_id, brand_key, brand, in_stock)
        )`,
        // The projector itself needs these: a shop's products (standing changes; also the shop page,
        // newest first), a product's reviews (ratings; also the review pages).
        `create index products_shop on ${s}.products (shop_id, published_at desc, id desc)`,
        `create index reviews_product on ${s}.reviews (product_id, written_at desc, id desc)`,
      ];
      for (const statement of statements) await knex.raw(statement);
    },
  },
  indexes: async (knex, schema) => {
    const s = `"${schema}"`;
    // Storefront indexes cover public products only: drafts, archived products and suspended shops cost nothing here.
    await knex.raw(`create index if not exists products_search on ${s}.products using gin (search) where is_public`);
    await knex.raw(`create index if not exists products_newest on ${s}.products (published_at desc, id desc) where is_public`);
    await knex.raw(`create index if not exists products_price on ${s}.products (price_min, id) where is_public`);
    await knex.raw(`create index if not exists products_rating on ${s}.products ((coalesce(rating_avg, 0)) desc, rating_count desc, id desc) where is_public`);
    await knex.raw(`create index if not exists products_category on ${s}.products (category_id, published_at desc, id desc) where is_public`);
    await knex.raw(`create index if not exists products_brand on ${s}.products (lower(brand)) where is_public`);
    // The facets of a search filtered on price (with or without a category) count every hit: by
    // category and price, read from this narrow index alone, they do not read the wide product
    // rows. A top-level category and a price range counted 9,649 hits of 100,000 products by
    // reading the whole table, 92 ms; through this index, 6.5 ms.
    await knex.raw(`create index if not exists products_facets on ${s}.products (category_id, price_min) include (brand) where is_public`);
    // A seller's own list, every status.
    await knex.raw(`create index if not exists products_seller on ${s}.products (seller_id, listed_at desc, id desc)`);
    await knex.raw(`analyze ${s}.products`);
  },
  apply,
  integrationEvents: productIntegrationEvents,
});
