/** The product service's integration events as the catalogue projector maps them: whole payloads, nothing more. */
import { checkedDrafts, type RecordedEvent } from '@bdbazar/shared-kernel';
import { catalogProjector } from './catalogProjector';
import { at, id, level, productEvents, type Built } from './testing/catalogBuilders';

const shirt = { productId: id(1, 'c'), shopId: id(1, 'b'), sellerId: id(1, 'e') };
const facts = { productId: shirt.productId, shopId: shirt.shopId, sellerId: shirt.sellerId };
const orderId = id(1, '7');

const recorded = (built: Built, streamId = `product-${shirt.productId}`): RecordedEvent => ({
  id: id(99, 'f'),
  type: built.type,
  data: built.data as RecordedEvent['data'],
  metadata: {},
  streamId,
  revision: 3,
  position: '1',
  createdAt: new Date(at(0)),
});
const published = (built: Built) => checkedDrafts(catalogProjector, recorded(built));

describe("the product service's reservation answers, published for the order process", () => {
  it('publishes a reservation with its lines and what is left of each SKU', () =>
    expect(published(productEvents.stockReserved(shirt, orderId, [{ sku: 'SHIRT-M', quantity: 2 }, { sku: 'SHIRT-L', quantity: 1 }], [level('SHIRT-M', 5, 2), level('SHIRT-L', 1, 1)], at(1)))).toEqual([
      {
        type: 'product.StockReserved.v1',
        data: {
          ...facts,
          orderId,
          lines: [{ sku: 'SHIRT-M', quantity: 2 }, { sku: 'SHIRT-L', quantity: 1 }],
          levels: [{ sku: 'SHIRT-M', available: 3 }, { sku: 'SHIRT-L', available: 0 }],
          at: at(1),
        },
      },
    ]));

  it('publishes a refusal with its reason and shortages', () =>
    expect(published(productEvents.reservationRefused(shirt, orderId, [{ sku: 'SHIRT-M', quantity: 4 }], at(2)))).toEqual([
      {
        type: 'product.StockReservationRefused.v1',
        data: { ...facts, orderId, lines: [{ sku: 'SHIRT-M', quantity: 4 }], reason: 'Not enough stock.', shortages: [{ sku: 'SHIRT-M', requested: 4, available: 0 }], at: at(2) },
      },
    ]));

  it('publishes a release with its reason and what is left of each SKU', () =>
    expect(published(productEvents.reservationReleased(shirt, orderId, [{ sku: 'SHIRT-M', quantity: 2 }], [level('SHIRT-M', 5, 0)], at(3)))).toEqual([
      {
        type: 'product.StockReservationReleased.v1',
        data: { ...facts, orderId, lines: [{ sku: 'SHIRT-M', quantity: 2 }], reason: 'cancelled', levels: [{ sku: 'SHIRT-M', available: 5 }], at: at(3) },
      },
    ]));

  it('publishes a release that came before any reservation, with no lines and no levels', () =>
    expect(published(productEvents.reservationReleased(shirt, orderId, [], [], at(4)))).toEqual([
      { type: 'product.StockReservationReleased.v1', data: { ...facts, orderId, lines: [], reason: 'cancelled', levels: [], at: at(4) } },
    ]));

  it('publishes a commit (the stock shipped) with what is left of each SKU', () =>
    expect(published(productEvents.reservationCommitted(shirt, orderId, [{ sku: 'SHIRT-M', quantity: 2 }], [level('SHIRT-M', 3, 0)], at(5)))).toEqual([
      {
        type: 'product.StockReservationCommitted.v1',
        data: { ...facts, orderId, lines: [{ sku: 'SHIRT-M', quantity: 2 }], levels: [{ sku: 'SHIRT-M', available: 3 }], at: at(5) },
      },
    ]));

  it('publishes only the contract: no stock on hand or reserved, no field the domain event adds later', () => {
    const reserved = productEvents.stockReserved(shirt, orderId, [{ sku: 'SHIRT-M', quantity: 1 }], [level('SHIRT-M', 5, 1)], at(6));
    const grown: Built = {
      type: reserved.type,
      data: { ...reserved.data, reservedBy: 'someone', lines: [{ sku: 'SHIRT-M', quantity: 1, note: 'x' }], levels: [{ ...level('SHIRT-M', 5, 1), bin: 'A1' }] },
    };
    expect(published(grown)).toEqual([
      { type: 'product.StockReserved.v1', data: { ...facts, orderId, lines: [{ sku: 'SHIRT-M', quantity: 1 }], levels: [{ sku: 'SHIRT-M', available: 4 }], at: at(6) } },
    ]);
  });

  it('publishes nothing for an event of another stream category', () =>
    expect(checkedDrafts(catalogProjector, recorded(productEvents.stockReserved(shirt, orderId, [], [], at(7)), `shop-${shirt.shopId}`))).toEqual([]));
});
