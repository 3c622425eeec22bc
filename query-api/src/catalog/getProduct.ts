/**
 * GET /v1/products/{id}: the product page: details, variants with their price and what is left
 * to buy, the shop, the category with its path from the root, the rating summary. Public products
 * for anyone; the seller and admins see it in any status, with what only they need (stock on hand
 * and held for orders, a removal's reason).
 */
import { NotFoundError } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { CATALOG, isoOf, isoOrNull, mayManage, money, type Money, type ProductStatus, type Viewer } from './catalogRows';

interface VariantRow {
  sku: string;
  options: Record<string, string>;
  price: Money;
  compareAtPrice: Money | null;
  weightGrams: number | null;
  onHand: number;
  reserved: number;
  available: number;
}

export interface VariantView {
  sku: string;
  options: Record<string, string>;
  price: Money;
  compareAtPrice: Money | null;
  weightGrams: number | null;
  available: number;
  inStock: boolean;
  onHand?: number;
  reserved?: number;
}

export interface CategoryRef {
  id: string;
  name: string;
  slug: string;
}

export interface ProductView {
  id: string;
  sellerId: string;
  title: string;
  description: string | null;
  brand: string | null;
  images: string[];
  attributes: Record<string, string>;
  variants: VariantView[];
  priceMin: Money;
  priceMax: Money;
  inStock: boolean;
  status: ProductStatus;
  removedReason?: string | null;
  shop: { id: string; name: string | null; slug: string | null; active: boolean };
  category: { id: string; name: string | null; slug: string | null; path: CategoryRef[] };
  rating: { average: number | null; count: number };
  listedAt: string;
  publishedAt: string | null;
  updatedAt: string;
  revision: number;
}

interface Row {
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
  price_min: number;
  price_max: number;
  in_stock: boolean;
  status: ProductStatus;
  removed_reason: string | null;
  shop_active: boolean;
  shop_name: string | null;
  shop_slug: string | null;
  rating_avg: number | null;
  rating_count: number;
  listed_at: Date;
  published_at: Date | null;
  updated_at: Date;
  revision: number;
  is_public: boolean;
  category_path: Array<CategoryRef & { leaf: boolean }> | null;
}

export async function getProduct(knex: Knex, id: string, viewer: Viewer | undefined): Promise<ProductView> {
  const result = await knex.raw<{ rows: Row[] }>(
    `select p.id, p.shop_id, p.seller_id, p.title, p.description, p.category_id, p.images, p.brand, p.attributes, p.variants,
            p.price_min, p.price_max, p.in_stock, p.status, p.removed_reason, p.shop_active, p.shop_name, p.shop_slug,
            p.rating_avg::float8 as rating_avg, p.rating_count, p.listed_at, p.published_at, p.updated_at, p.revision, p.is_public,
            (select json_agg(json_build_object('id', a.id, 'name', a.name, 'slug', a.slug, 'leaf', a.id = c.id) order by a.depth)
               from ${CATALOG.categories} c join ${CATALOG.categories} a on a.id = any(c.path)
              where c.id = p.category_id) as category_path
       from ${CATALOG.products} p
      where p.id = ?`,
    [id],
  );
  const row = result.rows[0];
  const privileged = row !== undefined && mayManage(viewer, row.seller_id);
  // A product that is not public reads as absent to everyone else.
  if (!row || (!row.is_public && !privileged)) throw new NotFoundError(`There is no product ${id}.`, { id });
  const path = row.category_path ?? [];
  const category = path.find((c) => c.leaf);
  const view: ProductView = {
    id: row.id,
    sellerId: row.seller_id,
    title: row.title,
    description: row.description,
    brand: row.brand,
    images: row.images,
    attributes: row.attributes,
    variants: row.variants.map((v) => {
      const variant: VariantView = {
        sku: v.sku,
        options: v.options,
        price: v.price,
        compareAtPrice: v.compareAtPrice,
        weightGrams: v.weightGrams,
        available: v.available,
        inStock: v.available > 0,
      };
      if (privileged) {
        variant.onHand = v.onHand;
        variant.reserved = v.reserved;
      }
      return variant;
    }),
    priceMin: money(row.price_min),
    priceMax: money(row.price_max),
    inStock: row.in_stock,
    status: row.status,
    shop: { id: row.shop_id, name: row.shop_name, slug: row.shop_slug, active: row.shop_active },
    category: { id: row.category_id, name: category?.name ?? null, slug: category?.slug ?? null, path: path.map(({ id: pathId, name, slug }) => ({ id: pathId, name, slug })) },
    rating: { average: row.rating_avg, count: row.rating_count },
    listedAt: isoOf(row.listed_at),
    publishedAt: isoOrNull(row.published_at),
    updatedAt: isoOf(row.updated_at),
    revision: row.revision,
  };
  if (privileged) view.removedReason = row.removed_reason;
  return view;
}
