import { IllegalStateError } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import { shopDecider } from '../shopDecider';
import { details, now, opened, otherSellerId, ownerId, shopId } from '../testing/shopBuilders';

const spec = DeciderSpecification.for(shopDecider);

describe('opening a shop', () => {
  it('opens a new shop, pending until an admin approves it', () =>
    spec.given([]).when({ type: 'OpenShop', data: { shopId, ownerId, details: details(), now } }).then([opened()]));

  it('treats the same opening retried as done', () =>
    spec.given([opened()]).when({ type: 'OpenShop', data: { shopId, ownerId, details: details(), now } }).thenNothingHappened());

  it('refuses to open a shop id that is taken, by another seller or with another name', () => {
    spec.given([opened()]).when({ type: 'OpenShop', data: { shopId, ownerId: otherSellerId, details: details(), now } }).thenThrows(IllegalStateError, /already open/);
    spec
      .given([opened()])
      .when({ type: 'OpenShop', data: { shopId, ownerId, details: details({ name: 'Other Name', slug: 'other-name' }), now } })
      .thenThrows(IllegalStateError, /already open/);
  });
});
