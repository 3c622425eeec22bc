/**
 * The checkout aggregate: one buyer's single "place order" for a cart (or explicit lines) that
 * spans one or more shops. Stream `checkout-<uuid>`, where the id is derived from the buyer and
 * their Idempotency-Key, and the one event is appended expecting no stream: the same key can only
 * ever make one checkout, however many times (or however concurrently) it is sent.
 *
 * The checkout records every order it makes, whole; the orders' own streams are then written from
 * it (placeCheckout.ts). If the process stops between the two, the checkout is completed from this
 * event (checkoutCompletion.ts), so a checkout never leaves some of its shops' orders unmade.
 */
import type { Money } from '@bdbazar/shared-kernel';
import type { OrderLine, PaymentMethod, ShippingAddress } from '../order';

export interface CheckoutOrder {
  orderId: string;
  shopId: string;
  shopName: string;
  sellerId: string;
  lines: OrderLine[];
  itemsTotal: Money;
  shippingFee: Money;
  total: Money;
}

export type CheckoutEvent = {
  type: 'CheckoutPlaced';
  data: {
    checkoutId: string;
    buyerId: string;
    /** A digest of what was asked (lines, address, method, note): the same key with another request is refused. */
    requestFingerprint: string;
    /** Where the lines came from; the cart's items that were checked out (removed from it). */
    source: 'cart' | 'lines';
    cartItemIds: string[];
    paymentMethod: PaymentMethod;
    shippingAddress: ShippingAddress;
    note: string | null;
    orders: CheckoutOrder[];
    itemsTotal: Money;
    shippingFee: Money;
    total: Money;
    paymentDueBy: string;
    placedAt: string;
  };
};

export type CheckoutState = { status: 'none' } | { status: 'placed'; placed: CheckoutEvent['data'] };

export const initialCheckoutState = (): CheckoutState => ({ status: 'none' });

export const checkoutStreamId = (checkoutId: string): string => `checkout-${checkoutId}`;

export function evolveCheckout(_state: CheckoutState, event: CheckoutEvent): CheckoutState {
  return { status: 'placed', placed: event.data };
}
