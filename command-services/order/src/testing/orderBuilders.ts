/**
 * Short "given" states for order service tests: ids, a fixed clock, the events of an order's life,
 * and the cart, offer and catalogue-copy values a cart test needs.
 *
 * The usual order: one buyer's bKash order from Mim Fashion for two T-shirts in M, a jamdani saree
 * and a T-shirt in L, so that it touches two products (the T-shirt first) with three lines.
 */
import { poisha } from '@bdbazar/shared-kernel';
import { cartItemId, type CartEvent, type CartItem } from '../cart/cart';
import type { Offer } from '../cart/cartDecider';
import type { SellableVariant } from '../copies/catalogCopy';
import type { CancellationCause, OrderActor, OrderEvent, OrderFacts, OrderLine, OrderStatus, PaymentMethod, ShippingAddress, StockRefusal } from '../order';

export const now = '2026-11-24T10:00:00.000Z';
export const paymentDueBy = '2026-11-24T10:30:00.000Z';
/** A moment after the payment deadline. */
export const afterDeadline = '2026-11-24T10:30:00.001Z';
/** A moment before it. */
export const beforeDeadline = '2026-11-24T10:29:59.999Z';

export const orderId = '0193a5c2-0000-4000-8000-00000000d001';
export const checkoutId = '0193a5c2-0000-4000-8000-00000000c0c1';
export const buyerId = '0193a5c2-0000-4000-8000-0000000000b1';
export const otherBuyerId = '0193a5c2-0000-4000-8000-0000000000b2';
export const shopId = '0193a5c2-0000-4000-8000-00000000a001';
export const otherShopId = '0193a5c2-0000-4000-8000-00000000a002';
export const sellerId = '0193a5c2-0000-4000-8000-0000000000e1';
export const otherSellerId = '0193a5c2-0000-4000-8000-0000000000e2';
export const adminId = '0193a5c2-0000-4000-8000-0000000000ad';
/** The T-shirt (SKUs M and L) and the saree. */
export const tshirtId = '0193a5c2-0000-4000-8000-00000000b001';
export const sareeId = '0193a5c2-0000-4000-8000-00000000b002';
export const strangerProductId = '0193a5c2-0000-4000-8000-00000000b0ff';
export const M = 'TS-RED-M';
export const L = 'TS-RED-L';
export const SAREE = 'SR-JAM-01';

export const buyer: OrderActor = { id: buyerId, role: 'buyer' };
export const otherBuyer: OrderActor = { id: otherBuyerId, role: 'buyer' };
export const seller: OrderActor = { id: sellerId, role: 'seller' };
export const otherSeller: OrderActor = { id: otherSellerId, role: 'seller' };
export const admin: OrderActor = { id: adminId, role: 'admin' };
/** The order process itself (deadlines, reservations), as the decider names it. */
export const orderProcess: OrderActor = { id: 'order-process', role: 'system' };

export const facts: OrderFacts = { orderId, checkoutId, buyerId, shopId, sellerId };

export const orderLine = (overrides: Partial<OrderLine> = {}): OrderLine => {
  const line: OrderLine = {
    productId: tshirtId,
    sku: M,
    title: 'Cotton T-shirt',
    options: { colour: 'Red', size: 'M' },
    image: 'https://cdn.bdbazar.com.bd/p/ts-red-front.jpg',
    quantity: 2,
    unitPrice: poisha(85_000),
    lineTotal: poisha(170_000),
    weightGrams: 250,
    ...overrides,
  };
  return { ...line, lineTotal: overrides.lineTotal ?? poisha(line.unitPrice.amount * line.quantity) };
};

/** Two T-shirts in M, one saree, one T-shirt in L: ৳1,700 + ৳2,500.50 + ৳850 = ৳5,050.50. */
export const lines: OrderLine[] = [
  orderLine(),
  orderLine({ productId: sareeId, sku: SAREE, title: 'Jamdani saree', options: { colour: 'Blue' }, image: null, quantity: 1, unitPrice: poisha(250_050), weightGrams: null }),
  orderLine({ sku: L, options: { colour: 'Red', size: 'L' }, quantity: 1 }),
];
export const itemsTotal = poisha(505_050);
export const shippingFeeOfOrder = poisha(6_000);
export const total = poisha(511_050);

/** The lines each product holds, as its reservation answers. */
export const tshirtLines = [
  { sku: M, quantity: 2 },
  { sku: L, quantity: 1 },
];
export const sareeLines = [{ sku: SAREE, quantity: 1 }];

export const shippingAddress: ShippingAddress = {
  addressId: '0193a5c2-0000-4000-8000-0000000ad001',
  recipient: 'Nusrat Jahan',
  phone: '+8801711000000',
  division: 'Dhaka',
  district: 'Dhaka',
  area: 'Dhanmondi',
  line1: 'House 12, Road 5',
  line2: null,
  postcode: '1205',
};

export type OrderPlacedData = Extract<OrderEvent, { type: 'OrderPlaced' }>['data'];

export const placedData = (overrides: Partial<OrderPlacedData> = {}): OrderPlacedData => ({
  ...facts,
  shopName: 'Mim Fashion',
  lines,
  itemsTotal,
  shippingFee: shippingFeeOfOrder,
  total,
  paymentMethod: 'bkash',
  shippingAddress,
  paymentDueBy,
  note: 'Please call before delivery.',
  placedAt: now,
  ...overrides,
});

export const placed = (overrides: Partial<OrderPlacedData> = {}): OrderEvent => ({ type: 'OrderPlaced', data: placedData(overrides) });

export const productReserved = (productId: string, reservedLines: Array<{ sku: string; quantity: number }>, at = now): OrderEvent => ({
  type: 'OrderProductReserved',
  data: { ...facts, productId, lines: reservedLines, reservedAt: at },
});

export const stockReserved = (paymentMethod: PaymentMethod = 'bkash', at = now): OrderEvent => ({
  type: 'OrderStockReserved',
  data: { ...facts, paymentMethod, total, paymentDueBy: paymentMethod === 'cash_on_delivery' ? null : paymentDueBy, reservedAt: at },
});

export const confirmed = (why: 'cash_on_delivery' | 'payment_verified' | 'paid', by: OrderActor, paymentMethod: PaymentMethod = 'bkash', at = now): OrderEvent => ({
  type: 'OrderConfirmed',
  data: { ...facts, paymentMethod, total, why, confirmedBy: by, confirmedAt: at },
});

export const rejected = (refusal: StockRefusal, at = now): OrderEvent => ({
  type: 'OrderRejected',
  data: { ...facts, reason: `Not enough stock to place this order: ${refusal.reason}`, refusals: [refusal], productIds: [tshirtId, sareeId], rejectedAt: at },
});

export const cancelled = (reason: string, cause: CancellationCause, by: OrderActor, at = now): OrderEvent => ({
  type: 'OrderCancelled',
  data: { ...facts, reason, cause, cancelledBy: by, productIds: [tshirtId, sareeId], cancelledAt: at },
});

export const shipped = (by: OrderActor, note: string | null = null, at = now): OrderEvent => ({
  type: 'OrderShipped',
  data: { ...facts, productIds: [tshirtId, sareeId], shippedBy: by, note, shippedAt: at },
});

export const delivered = (by: OrderActor, at = now): OrderEvent => ({ type: 'OrderDelivered', data: { ...facts, deliveredBy: by, deliveredAt: at } });

export const sareeRefusal: StockRefusal = {
  productId: sareeId,
  reason: `Stock of product ${sareeId} cannot be reserved: SR-JAM-01 has 0 available, 1 asked.`,
  shortages: [{ sku: SAREE, requested: 1, available: 0 }],
};

/** The events that leave the usual bKash order in `status`. */
export function orderIn(status: OrderStatus): OrderEvent[] {
  const held = [placed(), productReserved(tshirtId, tshirtLines), productReserved(sareeId, sareeLines), stockReserved()];
  switch (status) {
    case 'pending':
      return [placed()];
    case 'awaiting_payment':
      return held;
    case 'confirmed':
      return [...held, confirmed('payment_verified', admin)];
    case 'shipped':
      return [...orderIn('confirmed'), shipped(seller)];
    case 'delivered':
      return [...orderIn('shipped'), delivered(seller)];
    case 'rejected':
      return [placed(), productReserved(tshirtId, tshirtLines), rejected(sareeRefusal)];
    case 'cancelled':
      return [...held, cancelled('Ordered the wrong size.', 'buyer', buyer)];
    default: {
      const unknown: never = status;
      return unknown;
    }
  }
}

// The cart.

export const offer = (overrides: Partial<Offer> = {}): Offer => ({
  productId: tshirtId,
  sku: M,
  shopId,
  title: 'Cotton T-shirt',
  price: poisha(85_000),
  available: 10,
  notOnSale: null,
  ...overrides,
});

/** A cart item; its id follows its product and SKU, as the cart derives it. */
export const cartItem = (overrides: Partial<Omit<CartItem, 'itemId'>> = {}): CartItem => {
  const item = { productId: tshirtId, sku: M, shopId, title: 'Cotton T-shirt', quantity: 2, priceWhenAdded: poisha(85_000), addedAt: now, ...overrides };
  return { itemId: cartItemId(item.productId, item.sku), ...item };
};

export const tshirtItem = cartItem();
export const sareeItem = cartItem({ productId: sareeId, sku: SAREE, title: 'Jamdani saree', quantity: 1, priceWhenAdded: poisha(250_050) });

export const itemAdded = (item: CartItem): CartEvent => ({ type: 'CartItemAdded', data: { buyerId, item } });
export const quantityChanged = (itemId: string, quantity: number, at = now): CartEvent => ({ type: 'CartItemQuantityChanged', data: { buyerId, itemId, quantity, changedAt: at } });
export const itemRemoved = (itemId: string, at = now): CartEvent => ({ type: 'CartItemRemoved', data: { buyerId, itemId, removedAt: at } });
export const cartCleared = (at = now): CartEvent => ({ type: 'CartCleared', data: { buyerId, clearedAt: at } });
export const checkedOut = (itemIds: string[], checkout = checkoutId, at = now): CartEvent => ({
  type: 'CartCheckedOut',
  data: { buyerId, checkoutId: checkout, itemIds, checkedOutAt: at },
});

/** A variant as the catalogue copy gives it for the cart view. */
export const sellable = (overrides: Partial<SellableVariant> = {}): SellableVariant => ({
  productId: tshirtId,
  sku: M,
  title: 'Cotton T-shirt',
  image: 'https://cdn.bdbazar.com.bd/p/ts-red-front.jpg',
  options: { colour: 'Red', size: 'M' },
  price: poisha(85_000),
  weightGrams: 250,
  available: 10,
  shopId,
  shopName: 'Mim Fashion',
  sellerId,
  shopDivision: 'Dhaka',
  shopDistrict: 'Dhaka',
  notOnSale: null,
  ...overrides,
});
