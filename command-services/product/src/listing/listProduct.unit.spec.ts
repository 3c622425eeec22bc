import { IllegalStateError, ValidationError } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import { productDecider } from '../productDecider';
import { L, M, adminId, details, facts, level, listed, now, openingStock, otherSellerId, productId, published, sellerId, shopId } from '../testing/productBuilders';
import type { ListProduct } from './listProduct';

const spec = DeciderSpecification.for(productDecider);
const list = (overrides: Partial<ListProduct['data']> = {}): ListProduct => ({
  type: 'ListProduct',
  data: { productId, shopId, sellerId, details: details(), openingStock, publish: false, actorId: sellerId, now, ...overrides },
});

describe('listing a product', () => {
  it('lists a draft with each variant at its opening stock, nothing reserved', () => spec.given([]).when(list()).then([listed()]));

  it('publishes it in the same decision when asked', () => spec.given([]).when(list({ publish: true })).then([listed(), published()]));

  it('starts a variant the opening stock leaves out at 0', () => spec.given([]).when(list({ openingStock: { [M]: 10 } })).then([listed(details(), [level(M, 10), level(L, 0)])]));

  it('records who listed it: an admin on the seller\'s behalf', () =>
    spec
      .given([])
      .when(list({ actorId: adminId, publish: true }))
      .then([
        { type: 'ProductListed', data: { ...facts, ...details(), status: 'draft', stock: [level(M, 10), level(L, 5)], listedBy: adminId, listedAt: now } },
        { type: 'ProductPublished', data: { ...facts, publishedBy: adminId, publishedAt: now } },
      ]));

  it('refuses an opening stock that is not a whole number of units', () =>
    spec.given([]).when(list({ openingStock: { [M]: -1 } })).thenThrows(ValidationError, 'The opening stock of TS-RED-M must be a whole number of units from 0 to 1000000; got -1.'));

  it('treats the same listing retried as done, whatever became of it since', () => {
    spec.given([listed()]).when(list()).thenNothingHappened();
    spec.given([listed(), published()]).when(list({ publish: true })).thenNothingHappened();
  });

  it('refuses a product id that is taken, by another seller, shop or listing', () => {
    const taken = /Product .* is already listed; a new listing needs a new product id/;
    spec.given([listed()]).when(list({ sellerId: otherSellerId })).thenThrows(IllegalStateError, taken);
    spec.given([listed()]).when(list({ shopId: '0193a5c2-0000-4000-8000-00000000a002' })).thenThrows(IllegalStateError, taken);
    spec.given([listed()]).when(list({ details: details({ title: 'Linen T-shirt' }) })).thenThrows(IllegalStateError, taken);
  });
});
