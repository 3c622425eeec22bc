import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import { productDecider } from '../productDecider';
import { L, M, admin, adminId, adjusted, archived, level, listed, now, otherSeller, productId, published, removed, reserved, seller } from '../testing/productBuilders';
import type { ProductActor } from '../guards';

const spec = DeciderSpecification.for(productDecider);
const set = (quantity: number, reason = 'Counted the shelf.', sku = M, actor: ProductActor = seller) => ({ type: 'SetStock' as const, data: { productId, actor, sku, quantity, reason, now } });
const adjust = (change: number, reason = 'Counted the shelf.', sku = M, actor: ProductActor = seller) => ({ type: 'AdjustStock' as const, data: { productId, actor, sku, change, reason, now } });
/** 10 of M on hand, 4 of them held for an order. */
const holding = [listed(), published(), reserved([{ sku: M, quantity: 4 }], [level(M, 10, 4)])];

describe('setting stock (a count)', () => {
  it('makes stock on hand the number counted, recording the difference', () => {
    spec.given([listed()]).when(set(14)).then([adjusted(M, 4, level(M, 14))]);
    spec.given([listed()]).when(set(0)).then([adjusted(M, -10, level(M, 0))]);
  });

  it('keeps what orders hold', () => spec.given(holding).when(set(6)).then([adjusted(M, -4, level(M, 6, 4))]));

  it('refuses a count below what orders hold, saying how many', () =>
    spec.given(holding).when(set(3)).thenThrows(IllegalStateError, 'Orders hold 4 of TS-RED-M that have not shipped yet, so its stock on hand cannot be set below 4; you asked for 3.'));

  it('changes nothing when the count is what it was', () => spec.given([listed()]).when(set(10)).thenNothingHappened());

  it.each([-1, 1.5, 1_000_001])('refuses a quantity of %d', (quantity) => spec.given([listed()]).when(set(quantity)).thenThrows(ValidationError, `quantity must be a whole number of units from 0 to 1000000; got ${quantity}.`));
});

describe('adjusting stock (a movement)', () => {
  it('adds what was received and takes away what was lost', () => {
    spec.given([listed()]).when(adjust(20, 'Received from the factory.')).then([adjusted(M, 20, level(M, 30), 'Received from the factory.')]);
    spec.given([listed()]).when(adjust(-2, 'Damaged in the rain.', L)).then([adjusted(L, -2, level(L, 3), 'Damaged in the rain.')]);
  });

  it('takes away stock nobody holds, up to what orders hold', () => spec.given(holding).when(adjust(-6)).then([adjusted(M, -6, level(M, 4, 4))]));

  it('refuses to take away stock orders hold, saying how much can go', () =>
    spec.given(holding).when(adjust(-7)).thenThrows(IllegalStateError, 'TS-RED-M has 10 on hand, and orders hold 4 of them that have not shipped yet: at most 6 can be taken away, not 7.'));

  it('refuses to go below nothing', () => spec.given([listed()]).when(adjust(-6, 'Lost.', L)).thenThrows(IllegalStateError, 'TS-RED-L has 5 on hand: at most 5 can be taken away, not 6.'));

  it('refuses to go above the most a variant may have', () =>
    spec.given([listed()]).when(adjust(999_995)).thenThrows(IllegalStateError, 'TS-RED-M would have 1000005 on hand, more than the 1000000 a variant may have.'));

  it.each([0, 2.5, Number.NaN])('refuses a change of %d', (change) => spec.given([listed()]).when(adjust(change)).thenThrows(ValidationError, /^change must be a whole number of units other than 0/));
});

describe('any stock correction', () => {
  it('finds the variant by its SKU in any case', () => spec.given([listed()]).when(adjust(1, 'Found one.', ' ts-red-l ')).then([adjusted(L, 1, level(L, 6), 'Found one.')]));

  it('lets an admin correct it, recording who did', () => spec.given([listed()]).when(set(12, 'Audit.', M, admin)).then([adjusted(M, 2, level(M, 12), 'Audit.', adminId)]));

  it('trims the reason and refuses a blank or long one', () => {
    spec.given([listed()]).when(set(12, '  Audit. ')).then([adjusted(M, 2, level(M, 12), 'Audit.')]);
    spec.given([listed()]).when(set(12, ' ')).thenThrows(ValidationError, /^Say why the stock changes/);
    spec.given([listed()]).when(adjust(1, 'x'.repeat(201))).thenThrows(ValidationError, 'reason may have at most 200 characters; it has 201.');
  });

  it("refuses an unknown SKU, naming the product's", () =>
    spec.given([listed()]).when(set(3, 'Counted.', 'TS-BLUE-M')).thenThrows(NotFoundError, `Product ${productId} has no variant with SKU TS-BLUE-M; its SKUs are TS-RED-M, TS-RED-L.`));

  it('refuses an archived or removed product', () => {
    spec.given([listed(), archived()]).when(set(3)).thenThrows(IllegalStateError, /was archived by its seller, which is final; you cannot change its stock/);
    spec.given([listed(), removed()]).when(adjust(3)).thenThrows(IllegalStateError, /was removed by an admin .*, which is final; you cannot change its stock/);
  });

  it('refuses anyone but its seller or an admin', () => {
    spec.given([listed()]).when(set(3, 'Counted.', M, otherSeller)).thenThrows(ForbiddenError);
    spec.given([listed()]).when(adjust(3, 'Counted.', M, { id: seller.id, role: 'buyer' })).thenThrows(ForbiddenError);
  });

  it('refuses a product that does not exist', () => spec.given([]).when(set(3)).thenThrows(NotFoundError, `There is no product ${productId}.`));
});
