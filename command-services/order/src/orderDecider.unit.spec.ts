import { ForbiddenError, IllegalStateError, NotFoundError, UnprocessableError, ValidationError } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import { ORDER_STATUSES, type OrderActor, type OrderEvent, type OrderStatus, type StockRefusal } from './order';
import { orderDecider, SETTABLE_STATUSES, type OrderCommand, type SettableStatus } from './orderDecider';
import {
  admin,
  afterDeadline,
  beforeDeadline,
  buyer,
  cancelled,
  confirmed,
  delivered,
  facts,
  orderId,
  orderIn,
  orderLine,
  orderProcess,
  otherBuyer,
  otherSeller,
  paymentDueBy,
  placed,
  placedData,
  productReserved,
  rejected,
  sareeId,
  sareeLines,
  sareeRefusal,
  seller,
  shipped,
  stockReserved,
  strangerProductId,
  tshirtId,
  tshirtLines,
  type OrderPlacedData,
} from './testing/orderBuilders';

const spec = DeciderSpecification.for(orderDecider);

const place = (overrides: Partial<OrderPlacedData> = {}): OrderCommand => ({ type: 'PlaceOrder', data: placedData(overrides) });
const recordReserved = (productId: string, lines: Array<{ sku: string; quantity: number }>, at = '2026-11-24T10:00:00.000Z'): OrderCommand => ({
  type: 'RecordStockReserved',
  data: { orderId, productId, lines, now: at },
});
const recordRefused = (refusal: StockRefusal = sareeRefusal, at = '2026-11-24T10:00:00.000Z'): OrderCommand => ({ type: 'RecordStockRefused', data: { orderId, refusal, now: at } });
const expire = (at: string): OrderCommand => ({ type: 'ExpireOrder', data: { orderId, now: at } });
const changeStatus = (status: string, actor: OrderActor, change: { reason?: string | null; note?: string | null; at?: string } = {}): OrderCommand => ({
  type: 'ChangeOrderStatus',
  data: { orderId, status, actor, reason: change.reason ?? null, note: change.note ?? null, now: change.at ?? '2026-11-24T10:00:00.000Z' },
});

const cod = placed({ paymentMethod: 'cash_on_delivery' });

describe('placing an order', () => {
  it('places it as its checkout fixed it', () => spec.given([]).when(place()).then([placed()]));

  it('decides nothing when the same order is placed again, whatever became of it', () => {
    for (const status of ORDER_STATUSES) spec.given(orderIn(status)).when(place()).thenNothingHappened();
  });
});

describe('recording that a product holds its lines', () => {
  describe('when the order is pending', () => {
    it('records one of two products and waits for the other', () =>
      spec.given([placed()]).when(recordReserved(tshirtId, tshirtLines)).then([productReserved(tshirtId, tshirtLines)]));

    it.each(['bkash', 'sslcommerz', 'upay'] as const)('with the last product, waits for a %s payment until the deadline', (paymentMethod) =>
      spec
        .given([placed({ paymentMethod }), productReserved(tshirtId, tshirtLines)])
        .when(recordReserved(sareeId, sareeLines))
        .then([
          productReserved(sareeId, sareeLines),
          { type: 'OrderStockReserved', data: { ...facts, paymentMethod, total: placedData().total, paymentDueBy, reservedAt: '2026-11-24T10:00:00.000Z' } },
        ]));

    it('with the last product of a cash on delivery order, confirms it, with no payment deadline', () =>
      spec
        .given([cod, productReserved(sareeId, sareeLines)])
        .when(recordReserved(tshirtId, tshirtLines, '2026-11-24T10:00:07.000Z'))
        .then([
          productReserved(tshirtId, tshirtLines, '2026-11-24T10:00:07.000Z'),
          stockReserved('cash_on_delivery', '2026-11-24T10:00:07.000Z'),
          confirmed('cash_on_delivery', orderProcess, 'cash_on_delivery', '2026-11-24T10:00:07.000Z'),
        ]));

    it('holds an order of one product with its first answer', () => {
      const line = orderLine({ quantity: 3 });
      spec
        .given([placed({ lines: [line], itemsTotal: line.lineTotal, total: { amount: 261_000, currency: 'BDT' } })])
        .when(recordReserved(tshirtId, [{ sku: line.sku, quantity: 3 }]))
        .then([
          productReserved(tshirtId, [{ sku: line.sku, quantity: 3 }]),
          { type: 'OrderStockReserved', data: { ...facts, paymentMethod: 'bkash', total: { amount: 261_000, currency: 'BDT' }, paymentDueBy, reservedAt: '2026-11-24T10:00:00.000Z' } },
        ]);
    });

    it('decides nothing when a product answers again', () =>
      spec.given([placed(), productReserved(tshirtId, tshirtLines)]).when(recordReserved(tshirtId, tshirtLines)).thenNothingHappened());

    it('refuses a product the order has no lines of', () =>
      spec
        .given([placed(), productReserved(tshirtId, tshirtLines)])
        .when(recordReserved(strangerProductId, [{ sku: 'XX-1', quantity: 1 }]))
        .thenThrows(UnprocessableError, `Order ${orderId} has no lines of product ${strangerProductId}; its reservation cannot count for it.`));
  });

  describe('when the order has moved on or ended', () => {
    it('decides nothing for a repeat answer once every product holds its lines', () =>
      spec.given(orderIn('awaiting_payment')).when(recordReserved(sareeId, sareeLines)).thenNothingHappened());

    it('decides nothing for a late answer after the order was rejected: its release already closed the product\'s side', () =>
      spec.given([placed(), rejected({ ...sareeRefusal, productId: tshirtId })]).when(recordReserved(sareeId, sareeLines)).thenNothingHappened());

    it('decides nothing for a late answer after the order was cancelled', () =>
      spec
        .given([placed(), cancelled('Ordered the wrong size.', 'buyer', buyer)])
        .when(recordReserved(tshirtId, tshirtLines))
        .thenNothingHappened());

    it('decides nothing for a late answer after the order was confirmed, shipped or delivered', () => {
      for (const status of ['confirmed', 'shipped', 'delivered'] as const) spec.given(orderIn(status)).when(recordReserved(tshirtId, tshirtLines)).thenNothingHappened();
    });

    it('decides nothing, rather than refusing, for a product not in an order that has ended', () =>
      spec.given(orderIn('rejected')).when(recordReserved(strangerProductId, [{ sku: 'XX-1', quantity: 1 }])).thenNothingHappened());
  });

  it('refuses an order that does not exist', () => spec.given([]).when(recordReserved(tshirtId, tshirtLines)).thenThrows(NotFoundError, `There is no order ${orderId}.`));
});

describe('recording that a product refused its lines', () => {
  describe('when the order is pending', () => {
    it('rejects the order, naming every product of it for release', () =>
      spec
        .given([placed()])
        .when(recordRefused())
        .then([
          {
            type: 'OrderRejected',
            data: {
              ...facts,
              reason: `Not enough stock to place this order: Stock of product ${sareeId} cannot be reserved: SR-JAM-01 has 0 available, 1 asked.`,
              refusals: [sareeRefusal],
              productIds: [tshirtId, sareeId],
              rejectedAt: '2026-11-24T10:00:00.000Z',
            },
          },
        ]));

    it('names also the products that already hold their lines', () =>
      spec.given([placed(), productReserved(tshirtId, tshirtLines)]).when(recordRefused()).then([rejected(sareeRefusal)]));
  });

  describe('when the order has already ended or moved on', () => {
    it('decides nothing for a late refusal after the order was rejected', () => spec.given(orderIn('rejected')).when(recordRefused()).thenNothingHappened());

    it('decides nothing for a late refusal after the order was confirmed', () => spec.given(orderIn('confirmed')).when(recordRefused()).thenNothingHappened());

    it('decides nothing for a refusal once the order awaits payment, or was cancelled, shipped or delivered', () => {
      for (const status of ['awaiting_payment', 'cancelled', 'shipped', 'delivered'] as const) spec.given(orderIn(status)).when(recordRefused()).thenNothingHappened();
    });
  });

  it('refuses an order that does not exist', () => spec.given([]).when(recordRefused()).thenThrows(NotFoundError, `There is no order ${orderId}.`));
});

describe('rejecting an order because another order of its checkout was rejected', () => {
  const failedOrderId = '0193a5c2-0000-4000-8000-00000000d0ff';
  const withCheckout = (): OrderCommand => ({ type: 'RejectWithCheckout', data: { orderId, failedOrderId, reason: 'Not enough stock to place this order: SR-JAM-01 has 0 available, 1 asked.', now: afterDeadline } });
  const why = `Order ${failedOrderId} of the same checkout could not be placed (Not enough stock to place this order: SR-JAM-01 has 0 available, 1 asked.) A checkout is placed whole or not at all, so this order was rejected too and its stock released.`;

  it('rejects it while it is pending, awaiting payment or confirmed, releasing every product', () => {
    for (const status of ['pending', 'awaiting_payment', 'confirmed'] as const) {
      spec
        .given(orderIn(status))
        .when(withCheckout())
        .then([{ type: 'OrderRejected', data: { ...facts, reason: why, refusals: [], productIds: [tshirtId, sareeId], rejectedAt: afterDeadline } }]);
    }
  });

  it('decides nothing for an order shipped, delivered or already ended', () => {
    for (const status of ['shipped', 'delivered', 'rejected', 'cancelled'] as const) spec.given(orderIn(status)).when(withCheckout()).thenNothingHappened();
  });

  it('decides nothing when told of its own rejection', () =>
    spec.given(orderIn('pending')).when({ type: 'RejectWithCheckout', data: { orderId, failedOrderId: orderId, reason: 'x', now: afterDeadline } }).thenNothingHappened());
});

describe('expiring an order at its payment deadline', () => {
  describe('before the deadline', () => {
    it('decides nothing for a pending order or one awaiting payment', () => {
      spec.given(orderIn('pending')).when(expire(beforeDeadline)).thenNothingHappened();
      spec.given(orderIn('awaiting_payment')).when(expire(beforeDeadline)).thenNothingHappened();
    });
  });

  describe('past the deadline', () => {
    it('cancels a pending order whose stock was never confirmed, releasing every product', () =>
      spec
        .given([placed(), productReserved(tshirtId, tshirtLines)])
        .when(expire(afterDeadline))
        .then([
          {
            type: 'OrderCancelled',
            data: {
              ...facts,
              reason: `Stock for this order could not be confirmed by ${paymentDueBy}, so it was cancelled.`,
              cause: 'payment_timeout',
              cancelledBy: orderProcess,
              productIds: [tshirtId, sareeId],
              cancelledAt: afterDeadline,
            },
          },
        ]));

    it('cancels an unpaid order awaiting payment and releases its stock', () =>
      spec
        .given(orderIn('awaiting_payment'))
        .when(expire(afterDeadline))
        .then([cancelled(`Not paid by ${paymentDueBy}, so the order was cancelled and its stock released.`, 'payment_timeout', orderProcess, afterDeadline)]));

    it('decides nothing for an order confirmed in time, paid or cash on delivery', () => {
      spec.given(orderIn('confirmed')).when(expire(afterDeadline)).thenNothingHappened();
      spec
        .given([cod, productReserved(tshirtId, tshirtLines), productReserved(sareeId, sareeLines), stockReserved('cash_on_delivery'), confirmed('cash_on_delivery', orderProcess, 'cash_on_delivery')])
        .when(expire(afterDeadline))
        .thenNothingHappened();
    });

    it('decides nothing for an order shipped, delivered, rejected or already cancelled', () => {
      for (const status of ['shipped', 'delivered', 'rejected', 'cancelled'] as const) spec.given(orderIn(status)).when(expire(afterDeadline)).thenNothingHappened();
    });
  });

  it('refuses an order that does not exist', () => spec.given([]).when(expire(afterDeadline)).thenThrows(NotFoundError, `There is no order ${orderId}.`));
});

describe('changing an order\'s status by hand', () => {
  type Outcome = 'decides it' | 'decides nothing' | 'is forbidden' | 'is illegal now' | 'needs a reason';
  type ByActor = { buyer: Outcome; seller: Outcome; admin: Outcome };
  const all = (outcome: Outcome): ByActor => ({ buyer: outcome, seller: outcome, admin: outcome });
  const actors = { buyer, seller, admin };

  /** Every move the buyer, the shop's seller and an admin may try, with no reason or note given. */
  const moves: Record<SettableStatus, Record<OrderStatus, ByActor>> = {
    confirmed: {
      pending: { buyer: 'is forbidden', seller: 'is forbidden', admin: 'is illegal now' },
      awaiting_payment: { buyer: 'is forbidden', seller: 'is forbidden', admin: 'decides it' },
      confirmed: all('decides nothing'),
      shipped: { buyer: 'is forbidden', seller: 'is forbidden', admin: 'is illegal now' },
      delivered: { buyer: 'is forbidden', seller: 'is forbidden', admin: 'is illegal now' },
      rejected: { buyer: 'is forbidden', seller: 'is forbidden', admin: 'is illegal now' },
      cancelled: { buyer: 'is forbidden', seller: 'is forbidden', admin: 'is illegal now' },
    },
    shipped: {
      pending: { buyer: 'is forbidden', seller: 'is illegal now', admin: 'is illegal now' },
      awaiting_payment: { buyer: 'is forbidden', seller: 'is illegal now', admin: 'is illegal now' },
      confirmed: { buyer: 'is forbidden', seller: 'decides it', admin: 'decides it' },
      shipped: all('decides nothing'),
      delivered: { buyer: 'is forbidden', seller: 'is illegal now', admin: 'is illegal now' },
      rejected: { buyer: 'is forbidden', seller: 'is illegal now', admin: 'is illegal now' },
      cancelled: { buyer: 'is forbidden', seller: 'is illegal now', admin: 'is illegal now' },
    },
    delivered: {
      pending: { buyer: 'is forbidden', seller: 'is illegal now', admin: 'is illegal now' },
      awaiting_payment: { buyer: 'is forbidden', seller: 'is illegal now', admin: 'is illegal now' },
      confirmed: { buyer: 'is forbidden', seller: 'is illegal now', admin: 'is illegal now' },
      shipped: { buyer: 'is forbidden', seller: 'decides it', admin: 'decides it' },
      delivered: all('decides nothing'),
      rejected: { buyer: 'is forbidden', seller: 'is illegal now', admin: 'is illegal now' },
      cancelled: { buyer: 'is forbidden', seller: 'is illegal now', admin: 'is illegal now' },
    },
    cancelled: {
      pending: { buyer: 'decides it', seller: 'needs a reason', admin: 'needs a reason' },
      awaiting_payment: { buyer: 'decides it', seller: 'needs a reason', admin: 'needs a reason' },
      confirmed: { buyer: 'decides it', seller: 'needs a reason', admin: 'needs a reason' },
      shipped: all('is illegal now'),
      delivered: all('is illegal now'),
      rejected: all('is illegal now'),
      cancelled: all('decides nothing'),
    },
  };

  const decided = (target: SettableStatus, actor: OrderActor): OrderEvent => {
    switch (target) {
      case 'confirmed':
        return confirmed('payment_verified', actor);
      case 'shipped':
        return shipped(actor);
      case 'delivered':
        return delivered(actor);
      case 'cancelled':
        return cancelled('Cancelled by the buyer.', 'buyer', actor);
    }
  };
  // The buyer, the seller and an admin may all cancel, so no cancellation is forbidden to them.
  const forbidden: Record<SettableStatus, string | undefined> = {
    confirmed: 'Only an admin confirms an order by hand (once its payment is verified); cash on delivery orders confirm themselves.',
    shipped: 'Only the shop\'s seller or an admin marks an order shipped.',
    delivered: 'Only the shop\'s seller or an admin marks an order delivered.',
    cancelled: undefined,
  };
  const spoken: Record<OrderStatus, string> = {
    pending: 'pending',
    awaiting_payment: 'awaiting payment',
    confirmed: 'confirmed',
    shipped: 'shipped',
    delivered: 'delivered',
    rejected: 'rejected',
    cancelled: 'cancelled',
  };
  const illegal = (target: SettableStatus, current: OrderStatus): string => {
    const why = {
      confirmed: 'only an order awaiting payment can be confirmed.',
      shipped: 'only a confirmed order can be shipped.',
      delivered: 'only a shipped order can be delivered.',
      cancelled: current === 'rejected' ? 'it has already ended.' : 'it can no longer be cancelled; ask for a return instead.',
    }[target];
    return `Order ${orderId} is ${spoken[current]}; ${why}`;
  };

  const rows = SETTABLE_STATUSES.flatMap((target) =>
    ORDER_STATUSES.flatMap((current) => (['buyer', 'seller', 'admin'] as const).map((who) => [who, target, current, moves[target][current][who]] as const)),
  );

  it.each(rows)('the %s setting %s on a %s order %s', (who, target, current, outcome) => {
    const actor = actors[who];
    const attempt = spec.given(orderIn(current)).when(changeStatus(target, actor));
    switch (outcome) {
      case 'decides it':
        return attempt.then([decided(target, actor)]);
      case 'decides nothing':
        return attempt.thenNothingHappened();
      case 'is forbidden':
        expect(forbidden[target]).toBeDefined();
        return attempt.thenThrows(ForbiddenError, forbidden[target]);
      case 'is illegal now':
        return attempt.thenThrows(IllegalStateError, (error) => error.message === illegal(target, current) && error.details.status === current && error.details.requested === target);
      case 'needs a reason':
        return attempt.thenThrows(ValidationError, (error) => error.message === 'Say why the order is cancelled (reason): the buyer is shown it.' && error.details.field === 'reason');
    }
  });

  describe('when someone other than the buyer, the shop\'s seller or an admin tries', () => {
    const strangers = [
      ['another buyer', otherBuyer],
      ['another shop\'s seller', otherSeller],
      ['the order process', orderProcess],
    ] as const;
    const strangerRows = strangers.flatMap(([who, actor]) => SETTABLE_STATUSES.flatMap((target) => ORDER_STATUSES.map((current) => [who, target, current, actor] as const)));

    it.each(strangerRows)('forbids %s to set %s on a %s order, even the status it has', (_who, target, current, actor) =>
      spec
        .given(orderIn(current))
        .when(changeStatus(target, actor, { reason: 'Because.' }))
        .thenThrows(ForbiddenError, `Only the buyer, the shop's seller or an admin may change order ${orderId}.`));

    it('forbids a buyer id acting as a seller, and a seller id acting as the buyer', () => {
      spec.given(orderIn('confirmed')).when(changeStatus('shipped', { id: buyer.id, role: 'seller' })).thenThrows(ForbiddenError, 'may change order');
      spec.given(orderIn('confirmed')).when(changeStatus('cancelled', { id: seller.id, role: 'buyer' })).thenThrows(ForbiddenError, 'may change order');
    });
  });

  describe('when the status is not one a person sets', () => {
    it.each(['pending', 'awaiting_payment', 'rejected', 'paid', 'Cancelled', ''])('refuses \'%s\'', (status) =>
      spec
        .given(orderIn('awaiting_payment'))
        .when(changeStatus(status, admin))
        .thenThrows(
          ValidationError,
          (error) =>
            error.message === `status must be one of confirmed, shipped, delivered, cancelled; '${status}' is reached by the order process itself (pending, awaiting_payment, rejected) or does not exist.` &&
            error.details.field === 'status',
        ));

    it('refuses it before asking who is changing the order', () => spec.given(orderIn('pending')).when(changeStatus('pending', otherBuyer)).thenThrows(ValidationError));
  });

  describe('when the order is cancelled by hand', () => {
    it('keeps the buyer\'s own reason, trimmed', () =>
      spec
        .given(orderIn('awaiting_payment'))
        .when(changeStatus('cancelled', buyer, { reason: '  Found it cheaper elsewhere. ' }))
        .then([cancelled('Found it cheaper elsewhere.', 'buyer', buyer)]));

    it('gives the buyer a reason when theirs is blank', () =>
      spec.given(orderIn('pending')).when(changeStatus('cancelled', buyer, { reason: '   ' })).then([cancelled('Cancelled by the buyer.', 'buyer', buyer)]));

    it('records the seller\'s reason, the seller as its cause', () =>
      spec
        .given(orderIn('confirmed'))
        .when(changeStatus('cancelled', seller, { reason: ' The last saree was damaged. ' }))
        .then([cancelled('The last saree was damaged.', 'seller', seller)]));

    it('records the admin\'s reason, the admin as its cause', () =>
      spec
        .given(orderIn('pending'))
        .when(changeStatus('cancelled', admin, { reason: 'Fraud check failed.' }))
        .then([cancelled('Fraud check failed.', 'admin', admin)]));

    it('refuses a blank reason from the seller or an admin', () => {
      spec.given(orderIn('confirmed')).when(changeStatus('cancelled', seller, { reason: '  ' })).thenThrows(ValidationError, 'Say why the order is cancelled (reason)');
      spec.given(orderIn('awaiting_payment')).when(changeStatus('cancelled', admin, { reason: '' })).thenThrows(ValidationError, 'Say why the order is cancelled (reason)');
    });

    it('decides nothing when cancelled again, whatever the reason', () =>
      spec.given(orderIn('cancelled')).when(changeStatus('cancelled', seller, { reason: 'Another reason.' })).thenNothingHappened());

    it('refuses an order that has shipped, with a reason given too', () =>
      spec
        .given(orderIn('shipped'))
        .when(changeStatus('cancelled', admin, { reason: 'The buyer asked.' }))
        .thenThrows(IllegalStateError, `Order ${orderId} is shipped; it can no longer be cancelled; ask for a return instead.`));
  });

  describe('when the order is shipped', () => {
    it('keeps the seller\'s note, trimmed', () =>
      spec
        .given(orderIn('confirmed'))
        .when(changeStatus('shipped', seller, { note: ' Sundarban Courier, parcel 4411. ' }))
        .then([shipped(seller, 'Sundarban Courier, parcel 4411.')]));

    it('keeps no note when it is blank', () => spec.given(orderIn('confirmed')).when(changeStatus('shipped', admin, { note: '  ' })).then([shipped(admin, null)]));
  });

  it('refuses an order that does not exist', () => spec.given([]).when(changeStatus('cancelled', buyer)).thenThrows(NotFoundError, `There is no order ${orderId}.`));
});

describe('the whole life of an order', () => {
  /** `step` runs a command on the events so far and keeps what it decided; `refused` runs one that must be refused. */
  const life = () => {
    const history: OrderEvent[] = [];
    return {
      step(command: OrderCommand, expected: OrderEvent[]) {
        spec.given(history).when(command).then(expected);
        history.push(...expected);
      },
      refused(command: OrderCommand, errorClass: typeof IllegalStateError, message: string) {
        spec.given(history).when(command).thenThrows(errorClass, message);
      },
    };
  };

  it('goes from pending through awaiting payment and confirmed to shipped and delivered', () => {
    const { step, refused } = life();
    step(place(), [placed()]);
    step(recordReserved(tshirtId, tshirtLines, '2026-11-24T10:00:02.000Z'), [productReserved(tshirtId, tshirtLines, '2026-11-24T10:00:02.000Z')]);
    step(recordReserved(sareeId, sareeLines, '2026-11-24T10:00:03.000Z'), [productReserved(sareeId, sareeLines, '2026-11-24T10:00:03.000Z'), stockReserved('bkash', '2026-11-24T10:00:03.000Z')]);
    step(changeStatus('confirmed', admin, { at: '2026-11-24T10:20:00.000Z' }), [confirmed('payment_verified', admin, 'bkash', '2026-11-24T10:20:00.000Z')]);
    step(expire(afterDeadline), []);
    step(changeStatus('shipped', seller, { note: 'Pathao, parcel 77.', at: '2026-11-25T09:00:00.000Z' }), [shipped(seller, 'Pathao, parcel 77.', '2026-11-25T09:00:00.000Z')]);
    refused(changeStatus('cancelled', buyer, { at: '2026-11-25T10:00:00.000Z' }), IllegalStateError, 'it can no longer be cancelled; ask for a return instead.');
    step(changeStatus('delivered', seller, { at: '2026-11-26T15:00:00.000Z' }), [delivered(seller, '2026-11-26T15:00:00.000Z')]);
    step(changeStatus('delivered', admin, { at: '2026-11-26T16:00:00.000Z' }), []);
  });

  it('goes, cash on delivery, from pending straight to confirmed, then to shipped and delivered', () => {
    const { step, refused } = life();
    step(place({ paymentMethod: 'cash_on_delivery' }), [cod]);
    step(recordReserved(sareeId, sareeLines), [productReserved(sareeId, sareeLines)]);
    step(recordReserved(tshirtId, tshirtLines), [
      productReserved(tshirtId, tshirtLines),
      stockReserved('cash_on_delivery'),
      confirmed('cash_on_delivery', orderProcess, 'cash_on_delivery'),
    ]);
    step(changeStatus('shipped', admin), [shipped(admin)]);
    step(changeStatus('delivered', admin), [delivered(admin)]);
    refused(changeStatus('shipped', seller), IllegalStateError, `Order ${orderId} is delivered; only a confirmed order can be shipped.`);
  });

  it('ends at rejected when a product refuses, and answers arriving afterwards change nothing', () => {
    const { step, refused } = life();
    step(place(), [placed()]);
    step(recordRefused(sareeRefusal), [rejected(sareeRefusal)]);
    step(recordReserved(tshirtId, tshirtLines), []);
    step(expire(afterDeadline), []);
    refused(changeStatus('cancelled', buyer), IllegalStateError, `Order ${orderId} is rejected; it has already ended.`);
  });
});
