/** Short "given" states for product tests: ids, details, and the events of a product's life. */
import { poisha } from '@bdbazar/shared-kernel';
import type { ProductActor } from '../guards';
import type { ProductDetails, ProductEvent, ProductFacts, StockLevel, StockLine, VariantDetails } from '../product';
import type { ProductDetailsInput, VariantInput } from '../productDetails/productDetails';

export const now = '2026-11-24T10:00:00.000Z';
export const productId = '0193a5c2-0000-4000-8000-00000000b001';
export const shopId = '0193a5c2-0000-4000-8000-00000000a001';
export const sellerId = '0193a5c2-0000-4000-8000-0000000000e1';
export const otherSellerId = '0193a5c2-0000-4000-8000-0000000000e2';
export const adminId = '0193a5c2-0000-4000-8000-0000000000ad';
export const buyerId = '0193a5c2-0000-4000-8000-0000000000b1';
export const categoryId = '0193a5c2-0000-4000-8000-00000000c001';
export const orderId = '0193a5c2-0000-4000-8000-00000000d001';
export const otherOrderId = '0193a5c2-0000-4000-8000-00000000d002';

export const seller: ProductActor = { id: sellerId, role: 'seller' };
export const otherSeller: ProductActor = { id: otherSellerId, role: 'seller' };
export const admin: ProductActor = { id: adminId, role: 'admin' };

export const facts: ProductFacts = { productId, shopId, sellerId };

/** The two variants of the usual product: red T-shirts in M (10 on hand) and L (5 on hand). */
export const M = 'TS-RED-M';
export const L = 'TS-RED-L';

export const variantInput = (overrides: Partial<VariantInput> = {}): VariantInput => ({
  sku: M,
  options: { colour: 'Red', size: 'M' },
  price: poisha(85_000),
  compareAtPrice: poisha(99_000),
  weightGrams: 250,
  stock: 10,
  ...overrides,
});

export const detailsInput = (overrides: Partial<ProductDetailsInput> = {}): ProductDetailsInput => ({
  title: 'Cotton T-shirt',
  description: 'Soft combed cotton, made in Gazipur.',
  categoryId,
  images: ['https://cdn.bdbazar.com.bd/p/ts-red-front.jpg'],
  brand: 'Mim',
  attributes: { material: 'Cotton' },
  variants: [variantInput(), variantInput({ sku: L, options: { colour: 'Red', size: 'L' }, stock: 5 })],
  ...overrides,
});

export const variant = (overrides: Partial<VariantDetails> = {}): VariantDetails => ({
  sku: M,
  options: { colour: 'Red', size: 'M' },
  price: poisha(85_000),
  compareAtPrice: poisha(99_000),
  weightGrams: 250,
  ...overrides,
});

export const details = (overrides: Partial<ProductDetails> = {}): ProductDetails => ({
  title: 'Cotton T-shirt',
  description: 'Soft combed cotton, made in Gazipur.',
  categoryId,
  images: ['https://cdn.bdbazar.com.bd/p/ts-red-front.jpg'],
  brand: 'Mim',
  attributes: { material: 'Cotton' },
  variants: [variant(), variant({ sku: L, options: { colour: 'Red', size: 'L' } })],
  ...overrides,
});

export const openingStock: Record<string, number> = { [M]: 10, [L]: 5 };

export const level = (sku: string, onHand: number, reserved = 0): StockLevel => ({ sku, onHand, reserved, available: onHand - reserved });

export const listed = (d: ProductDetails = details(), stock: StockLevel[] = [level(M, 10), level(L, 5)]): ProductEvent => ({
  type: 'ProductListed',
  data: { ...facts, ...d, status: 'draft', stock, listedBy: sellerId, listedAt: now },
});
export const published = (by = sellerId): ProductEvent => ({ type: 'ProductPublished', data: { ...facts, publishedBy: by, publishedAt: now } });
export const unpublished = (by = sellerId): ProductEvent => ({ type: 'ProductUnpublished', data: { ...facts, unpublishedBy: by, unpublishedAt: now } });
export const archived = (by = sellerId): ProductEvent => ({ type: 'ProductArchived', data: { ...facts, archivedBy: by, archivedAt: now } });
export const removed = (reason = 'Counterfeit: the brand owner complained.'): ProductEvent => ({ type: 'ProductRemoved', data: { ...facts, reason, removedBy: adminId, removedAt: now } });

export const adjusted = (sku: string, change: number, after: StockLevel, reason = 'Counted the shelf.', by = sellerId): ProductEvent => ({
  type: 'StockAdjusted',
  data: { ...facts, sku, change, reason, level: after, adjustedBy: by, adjustedAt: now },
});

export const reserved = (lines: StockLine[], levels: StockLevel[], order = orderId): ProductEvent => ({
  type: 'StockReserved',
  data: { ...facts, orderId: order, lines, levels, reservedAt: now },
});
export const refused = (lines: StockLine[], reason: string, shortages: Array<{ sku: string; requested: number; available: number }>, order = orderId): ProductEvent => ({
  type: 'StockReservationRefused',
  data: { ...facts, orderId: order, lines, reason, shortages, refusedAt: now },
});
export const released = (lines: StockLine[], levels: StockLevel[], reason = 'The order was cancelled.', order = orderId): ProductEvent => ({
  type: 'StockReservationReleased',
  data: { ...facts, orderId: order, lines, reason, levels, releasedAt: now },
});
export const committed = (lines: StockLine[], levels: StockLevel[], order = orderId): ProductEvent => ({
  type: 'StockReservationCommitted',
  data: { ...facts, orderId: order, lines, levels, committedAt: now },
});
