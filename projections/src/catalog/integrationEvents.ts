/**
 * The product service's public contract, mapped from its domain events. Small and self-contained:
 * no stream to fold, no call back.
 *
 * - The catalogue (`ProductListed` ... `StockAdjusted`): what another service (the order service
 *   first) needs to keep its own copy of what can be sold, at what price and weight, by which
 *   shop, and whether it is on sale at all.
 * - Reservations (`StockReserved`, `StockReservationRefused`, `StockReservationReleased`,
 *   `StockReservationCommitted`): the product side's answers in the order process, one per
 *   product and order, keyed by `orderId`, with the lines concerned and what is left to sell
 *   of each SKU afterwards (`available`; on hand and reserved stay inside the product service).
 *   A release may have no lines: the order was released here before it reserved anything, and
 *   no reservation will be made for it.
 */
import type { IntegrationEventDraft, JsonObject, RecordedEvent } from '@bdbazar/shared-kernel';
import type { ProductEvent, ProductFacts, ProductStatus, StockLevel, StockLine, StockShortage, VariantDetails } from './catalogEvents';

const facts = (d: ProductFacts) => ({ productId: d.productId, shopId: d.shopId, sellerId: d.sellerId });

const linesOf = (lines: StockLine[]) => lines.map(({ sku, quantity }) => ({ sku, quantity }));
const availableOf = (levels: StockLevel[]) => levels.map(({ sku, available }) => ({ sku, available }));
const shortagesOf = (shortages: StockShortage[]) => shortages.map(({ sku, requested, available }) => ({ sku, requested, available }));

const variantsOf = (variants: VariantDetails[], stock: StockLevel[]) => {
  const available = new Map(stock.map((level) => [level.sku, level.available]));
  // `options` (size, colour) came after v1 was first published: an added field, which readers of v1 may ignore.
  return variants.map((v) => ({ sku: v.sku, options: v.options, price: v.price, compareAtPrice: v.compareAtPrice, weightGrams: v.weightGrams, available: available.get(v.sku) ?? 0 }));
};

const standing = (type: string, d: ProductFacts, status: ProductStatus, at: string, extra: JsonObject = {}): IntegrationEventDraft[] => [
  { type, data: { ...facts(d), status, ...extra, at } },
];

export function productIntegrationEvents(recorded: RecordedEvent): IntegrationEventDraft[] {
  if (!recorded.streamId.startsWith('product-')) return [];
  const event = { type: recorded.type, data: recorded.data } as unknown as ProductEvent;
  switch (event.type) {
    case 'ProductListed':
    case 'ProductDetailsChanged': {
      const d = event.data;
      const data = {
        ...facts(d),
        title: d.title,
        categoryId: d.categoryId,
        image: d.images[0] ?? null,
        status: event.type === 'ProductListed' ? 'draft' : event.data.status,
        variants: variantsOf(d.variants, d.stock),
        at: event.type === 'ProductListed' ? event.data.listedAt : event.data.changedAt,
      };
      return [{ type: `product.${event.type}.v1`, data: data as unknown as JsonObject }];
    }
    case 'ProductPublished':
      return standing('product.ProductPublished.v1', event.data, 'published', event.data.publishedAt);
    case 'ProductUnpublished':
      return standing('product.ProductUnpublished.v1', event.data, 'unpublished', event.data.unpublishedAt);
    case 'ProductArchived':
      return standing('product.ProductArchived.v1', event.data, 'archived', event.data.archivedAt);
    case 'ProductRemoved':
      return standing('product.ProductRemoved.v1', event.data, 'removed', event.data.removedAt, { reason: event.data.reason });
    case 'StockAdjusted':
      return [{ type: 'product.StockAdjusted.v1', data: { ...facts(event.data), sku: event.data.sku, available: event.data.level.available, at: event.data.adjustedAt } }];
    case 'StockReserved': {
      const d = event.data;
      return [{ type: 'product.StockReserved.v1', data: { ...facts(d), orderId: d.orderId, lines: linesOf(d.lines), levels: availableOf(d.levels), at: d.reservedAt } }];
    }
    case 'StockReservationRefused': {
      const d = event.data;
      const data = { ...facts(d), orderId: d.orderId, lines: linesOf(d.lines), reason: d.reason, shortages: shortagesOf(d.shortages), at: d.refusedAt };
      return [{ type: 'product.StockReservationRefused.v1', data }];
    }
    case 'StockReservationReleased': {
      const d = event.data;
      const data = { ...facts(d), orderId: d.orderId, lines: linesOf(d.lines), reason: d.reason, levels: availableOf(d.levels), at: d.releasedAt };
      return [{ type: 'product.StockReservationReleased.v1', data }];
    }
    case 'StockReservationCommitted': {
      const d = event.data;
      return [{ type: 'product.StockReservationCommitted.v1', data: { ...facts(d), orderId: d.orderId, lines: linesOf(d.lines), levels: availableOf(d.levels), at: d.committedAt } }];
    }
    default:
      return [];
  }
}
