import { IllegalStateError, NotFoundError, ValidationError } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import { shopDecider } from '../shopDecider';
import { adminId, approved, details, now, opened, reinstated, shopId, suspended } from '../testing/shopBuilders';

const spec = DeciderSpecification.for(shopDecider);
const approve = { type: 'ApproveShop' as const, data: { shopId, adminId, now } };
const suspend = (reason = 'Counterfeit goods reported by buyers.') => ({ type: 'SuspendShop' as const, data: { shopId, adminId, reason, now } });
const reinstate = { type: 'ReinstateShop' as const, data: { shopId, adminId, now } };

describe('approving a shop', () => {
  it('approves a pending shop', () => spec.given([opened()]).when(approve).then([approved()]));
  it('treats approving an active shop as done', () => spec.given([opened(), approved()]).when(approve).thenNothingHappened());
  it('refuses to approve a suspended shop, pointing at reinstating', () =>
    spec.given([opened(), approved(), suspended()]).when(approve).thenThrows(IllegalStateError, /is suspended \(Counterfeit goods reported by buyers\.\); reinstate it rather than approve it/));
  it('carries the current name and location in the event', () => {
    const moved = details({ name: 'Mim Sylhet', slug: 'mim-sylhet', location: { division: 'Sylhet', district: 'Sylhet', addressLine: 'Zindabazar' } });
    spec
      .given([opened(), { type: 'ShopDetailsChanged', data: { shopId, ownerId: opened().data.ownerId, status: 'pending', ...moved, changedBy: adminId, changedAt: now } }])
      .when(approve)
      .then([approved(moved)]);
  });
});

describe('suspending a shop', () => {
  it('suspends an active shop with its reason', () => spec.given([opened(), approved()]).when(suspend()).then([suspended()]));
  it('suspends a pending shop too', () => spec.given([opened()]).when(suspend('Fake trade licence.')).then([suspended('Fake trade licence.')]));
  it('treats suspending a suspended shop as done', () => spec.given([opened(), approved(), suspended()]).when(suspend('Another reason.')).thenNothingHappened());
  it('refuses a suspension without a reason', () => spec.given([opened(), approved()]).when(suspend('   ')).thenThrows(ValidationError, /Say why the shop is suspended/));
});

describe('reinstating a shop', () => {
  it('returns an approved shop to active', () => spec.given([opened(), approved(), suspended()]).when(reinstate).then([reinstated('active')]));
  it('returns a shop suspended before approval to pending', () => spec.given([opened(), suspended()]).when(reinstate).then([reinstated('pending')]));
  it('treats reinstating a shop that is not suspended as done', () => {
    spec.given([opened(), approved()]).when(reinstate).thenNothingHappened();
    spec.given([opened(), approved(), suspended(), reinstated('active')]).when(reinstate).thenNothingHappened();
  });
});

describe('any admin decision', () => {
  it.each([approve, suspend(), reinstate])('refuses a shop that does not exist: $type', (command) => spec.given([]).when(command).thenThrows(NotFoundError, `There is no shop ${shopId}.`));
});
