import { IllegalStateError, NotFoundError, ValidationError } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import { evolveProduct, initialProductState, type StockLine } from '../product';
import { productDecider } from '../productDecider';
import { L, M, archived, committed, level, listed, now, orderId, otherOrderId, productId, published, refused, released, removed, reserved, unpublished } from '../testing/productBuilders';

const spec = DeciderSpecification.for(productDecider);
const reserve = (lines: StockLine[], order = orderId) => ({ type: 'ReserveStock' as const, data: { productId, orderId: order, lines, now } });
const release = (reason = 'The order was cancelled.', order = orderId) => ({ type: 'ReleaseStockReservation' as const, data: { productId, orderId: order, reason, now } });
const commit = (order = orderId) => ({ type: 'CommitStockReservation' as const, data: { productId, orderId: order, now } });
const lines = [
  { sku: M, quantity: 2 },
  { sku: L, quantity: 5 },
];
const onSale = [listed(), published()];
const held = [...onSale, reserved(lines, [level(M, 10, 2), level(L, 5, 5)])];

describe('reserving stock for an order', () => {
  it('holds every line, giving the levels after', () => spec.given(onSale).when(reserve(lines)).then([reserved(lines, [level(M, 10, 2), level(L, 5, 5)])]));

  it('sums the lines of one SKU', () =>
    spec
      .given(onSale)
      .when(reserve([{ sku: M, quantity: 2 }, { sku: L, quantity: 1 }, { sku: 'ts-red-m', quantity: 3 }]))
      .then([reserved([{ sku: M, quantity: 5 }, { sku: L, quantity: 1 }], [level(M, 10, 5), level(L, 5, 1)])]));

  it('holds for a second order what the first left', () =>
    spec.given(held).when(reserve([{ sku: M, quantity: 8 }], otherOrderId)).then([reserved([{ sku: M, quantity: 8 }], [level(M, 10, 10)], otherOrderId)]));

  it('refuses the whole order when a line is short, with the shortages', () =>
    spec
      .given(held)
      .when(reserve([{ sku: M, quantity: 8 }, { sku: L, quantity: 1 }], otherOrderId))
      .then([
        refused(
          [{ sku: M, quantity: 8 }, { sku: L, quantity: 1 }],
          `Stock of product ${productId} cannot be reserved: TS-RED-L has 0 available, 1 asked.`,
          [{ sku: L, requested: 1, available: 0 }],
          otherOrderId,
        ),
      ]));

  it('refuses an unknown SKU along with the short ones', () =>
    spec
      .given(onSale)
      .when(reserve([{ sku: 'TS-BLUE-M', quantity: 1 }, { sku: M, quantity: 11 }]))
      .then([
        refused(
          [{ sku: 'TS-BLUE-M', quantity: 1 }, { sku: M, quantity: 11 }],
          `Stock of product ${productId} cannot be reserved: TS-BLUE-M is not a variant of this product; TS-RED-M has 10 available, 11 asked.`,
          [{ sku: 'TS-BLUE-M', requested: 1, available: 0 }, { sku: M, requested: 11, available: 10 }],
        ),
      ]));

  it.each([
    ['a draft', [listed()], 'draft'],
    ['an unpublished product', [...onSale, unpublished()], 'unpublished'],
    ['an archived product', [listed(), archived()], 'archived'],
    ['a removed product', [...onSale, removed()], 'removed'],
  ])('refuses %s: it is not on sale', (_, given, status) =>
    spec.given(given).when(reserve(lines)).then([refused(lines, `Product ${productId} is not on sale (it is ${status}).`, [])]));

  it('answers an order asked again with nothing new, whatever the first answer was', () => {
    spec.given(held).when(reserve(lines)).thenNothingHappened();
    spec.given(held).when(reserve([{ sku: M, quantity: 1 }])).thenNothingHappened();
    spec.given([...onSale, refused(lines, 'Not enough.', [])]).when(reserve(lines)).thenNothingHappened();
    spec.given([...held, released(lines, [level(M, 10), level(L, 5)])]).when(reserve(lines)).thenNothingHappened();
    spec.given([...held, committed(lines, [level(M, 8), level(L, 0)])]).when(reserve(lines)).thenNothingHappened();
  });

  it('refuses lines that are not positive whole numbers, or none', () => {
    spec.given(onSale).when(reserve([])).thenThrows(ValidationError, 'A reservation needs at least one line.');
    for (const quantity of [0, -1, 1.5]) {
      spec.given(onSale).when(reserve([{ sku: M, quantity: 1 }, { sku: L, quantity }])).thenThrows(ValidationError, `lines[1].quantity must be a whole number of units more than 0; got ${quantity}.`);
    }
  });

  it('refuses a product that does not exist', () => spec.given([]).when(reserve(lines)).thenThrows(NotFoundError, /There is no product .*; no stock of it can be reserved or shipped/));
});

describe('releasing an order\'s reservation', () => {
  it('gives held stock back', () => spec.given(held).when(release()).then([released(lines, [level(M, 10), level(L, 5)])]));

  it('gives it back whatever became of the product since', () =>
    spec.given([...held, removed()]).when(release('Payment timed out.')).then([released(lines, [level(M, 10), level(L, 5)], 'Payment timed out.')]));

  it('changes nothing for a reservation already released, committed or refused', () => {
    spec.given([...held, released(lines, [level(M, 10), level(L, 5)])]).when(release()).thenNothingHappened();
    spec.given([...held, committed(lines, [level(M, 8), level(L, 0)])]).when(release()).thenNothingHappened();
    spec.given([...onSale, refused(lines, 'Not enough.', [])]).when(release()).thenNothingHappened();
    spec.given([...onSale, released([], [], 'Cancelled.')]).when(release()).thenNothingHappened();
  });

  it('changes nothing for a product that does not exist: it holds nothing', () => spec.given([]).when(release()).thenNothingHappened());

  it('closes the reservation of an order that has none here yet, holding nothing and moving no stock', () => {
    spec.given(onSale).when(release('Payment timed out.')).then([released([], [], 'Payment timed out.')]);
    spec.given(held).when(release('Cancelled.', otherOrderId)).then([released([], [], 'Cancelled.', otherOrderId)]);
    // Whatever the product's status: an order is closed on a product off sale too.
    spec.given([listed(), archived()]).when(release()).then([released([], [])]);
  });

  describe('when an order is released before its reservation here arrives (another product of the order refused)', () => {
    const releasedFirst = [...onSale, released([], [], 'Another product of the order was refused.')];

    it('reserves nothing for it afterwards: the stock stays free for other orders', () => {
      spec.given(releasedFirst).when(reserve(lines)).thenNothingHappened();
      spec.given(releasedFirst).when(reserve([{ sku: M, quantity: 10 }], otherOrderId)).then([reserved([{ sku: M, quantity: 10 }], [level(M, 10, 10)], otherOrderId)]);
    });

    it('refuses to ship it: it holds nothing', () =>
      spec
        .given(releasedFirst)
        .when(commit())
        .thenThrows(IllegalStateError, `Order ${orderId}'s reservation of product ${productId} was released (Another product of the order was refused.), so none can be shipped for it.`));
  });

  it('needs a reason', () => spec.given(held).when(release(' ')).thenThrows(ValidationError, /^Say why the reservation is released/));
});

describe('committing an order\'s reservation (it shipped)', () => {
  it('takes the held stock off hand', () => spec.given(held).when(commit()).then([committed(lines, [level(M, 8), level(L, 0)])]));

  it('commits whatever became of the product since', () => spec.given([...held, archived()]).when(commit()).then([committed(lines, [level(M, 8), level(L, 0)])]));

  it('treats committing twice as done', () => spec.given([...held, committed(lines, [level(M, 8), level(L, 0)])]).when(commit()).thenNothingHappened());

  it('refuses what is not held, saying what became of it', () => {
    spec
      .given([...held, released(lines, [level(M, 10), level(L, 5)])])
      .when(commit())
      .thenThrows(IllegalStateError, `Order ${orderId}'s reservation of product ${productId} was released (The order was cancelled.), so none can be shipped for it.`);
    spec.given([...onSale, refused(lines, 'Not enough.', [])]).when(commit()).thenThrows(IllegalStateError, /reservation of product .* was refused \(Not enough\.\)/);
    spec.given(onSale).when(commit()).thenThrows(IllegalStateError, `Order ${orderId} holds no stock of product ${productId}, so none can be shipped for it.`);
  });

  it('refuses a product that does not exist', () => spec.given([]).when(commit()).thenThrows(NotFoundError));
});

describe('keeping reservations in the state', () => {
  it('leaves the state it evolved from as it was: reservations are a persistent map, never copied nor changed in place', () => {
    const before = [...onSale, reserved(lines, [level(M, 10, 2), level(L, 5, 5)])].reduce(evolveProduct, initialProductState());
    const after = evolveProduct(before, reserved([{ sku: M, quantity: 1 }], [level(M, 10, 3)], otherOrderId));
    if (before.status === 'none' || after.status === 'none') throw new Error('no product');

    expect([...before.reservations.keys()]).toEqual([orderId]);
    expect([...after.reservations.keys()].sort()).toEqual([orderId, otherOrderId].sort());
    expect(after.reservations.get(orderId)).toBe(before.reservations.get(orderId));
  });
});
