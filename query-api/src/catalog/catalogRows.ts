/**
 * The catalogue read model as the catalog projector writes it (the live generation's views in
 * the schema `catalog`), and what the catalogue's routes share: who asks, page sizes, and the
 * product summary every list shows. Nothing here writes.
 */
export const CATALOG_PROJECTOR = 'catalog';
export const ACCOUNTS_PROJECTOR = 'accounts';

export const CATALOG = {
  products: 'catalog.products',
  categories: 'catalog.categories',
  shops: 'catalog.shops',
  reviews: 'catalog.reviews',
  facetCounts: 'catalog.facet_counts',
  users: 'accounts.users',
  /** For "verified purchase" on reviews. */
  orders: 'orders.orders',
} as const;

export type ProductStatus = 'draft' | 'published' | 'unpublished' | 'archived' | 'removed';
export const PRODUCT_STATUSES: readonly ProductStatus[] = ['draft', 'published', 'unpublished', 'archived', 'removed'];

/** Who asks; undefined for an anonymous visitor. */
export interface Viewer {
  userId: string;
  role: 'buyer' | 'seller' | 'admin';
}

/** The seller of a product (or of a list of products) and admins see it in every status. */
export const mayManage = (viewer: Viewer | undefined, sellerId: string): boolean => viewer !== undefined && (viewer.role === 'admin' || viewer.userId === sellerId);

export interface Money {
  amount: number;
  currency: 'BDT';
}

export const money = (amount: number | string): Money => ({ amount: Number(amount), currency: 'BDT' });

/** A page of a list holds at most this many products (the OpenAPI document says so too). */
export const MAX_PRODUCT_PAGE = 50;
export const DEFAULT_PRODUCT_PAGE = 20;

export const productPageSize = (limit: number | undefined): number => Math.min(Math.max(Math.trunc(limit ?? DEFAULT_PRODUCT_PAGE) || DEFAULT_PRODUCT_PAGE, 1), MAX_PRODUCT_PAGE);

export interface ProductSummary {
  id: string;
  title: string;
  brand: string | null;
  image: string | null;
  priceMin: Money;
  priceMax: Money;
  compareAtPrice?: Money;
  inStock: boolean;
  rating: { average: number | null; count: number };
  shop: { id: string; name: string | null; slug: string | null };
  category: { id: string; name: string | null; slug: string | null };
  /** In a seller's own list only. */
  status?: ProductStatus;
}

/** The columns a summary is made of, `p` the product and `c` its category (a left join). */
export const SUMMARY_COLUMNS = `p.id, p.title, p.brand, p.images->>0 as image, p.price_min, p.price_max, p.compare_at_price, p.in_stock,
  p.rating_avg::float8 as rating_avg, p.rating_count, p.shop_id, p.shop_name, p.shop_slug, p.category_id, p.status`;

export interface SummaryRow {
  id: string;
  title: string;
  brand: string | null;
  image: string | null;
  price_min: number;
  price_max: number;
  compare_at_price: number | null;
  in_stock: boolean;
  rating_avg: number | null;
  rating_count: number;
  shop_id: string;
  shop_name: string | null;
  shop_slug: string | null;
  category_id: string;
  category_name: string | null;
  category_slug: string | null;
  status: ProductStatus;
}

export function summaryOf(row: SummaryRow, withStatus = false): ProductSummary {
  const summary: ProductSummary = {
    id: row.id,
    title: row.title,
    brand: row.brand,
    image: row.image,
    priceMin: money(row.price_min),
    priceMax: money(row.price_max),
    inStock: row.in_stock,
    rating: { average: row.rating_avg === null ? null : Number(row.rating_avg), count: row.rating_count },
    shop: { id: row.shop_id, name: row.shop_name, slug: row.shop_slug },
    category: { id: row.category_id, name: row.category_name, slug: row.category_slug },
  };
  if (row.compare_at_price !== null) summary.compareAtPrice = money(row.compare_at_price);
  if (withStatus) summary.status = row.status;
  return summary;
}

/** A timestamp as the API shows it, whichever way the driver or a JSON aggregate gave it. */
export const isoOf = (value: Date | string): string => new Date(value).toISOString();

export const isoOrNull = (value: Date | string | null): string | null => (value === null ? null : isoOf(value));
