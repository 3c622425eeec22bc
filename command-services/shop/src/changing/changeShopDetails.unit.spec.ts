import { ForbiddenError, NotFoundError } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import type { ShopDetails, ShopEvent, ShopStatus } from '../shop';
import { shopDecider } from '../shopDecider';
import { adminId, approved, details, now, opened, otherSellerId, ownerId, shopId, suspended } from '../testing/shopBuilders';

const spec = DeciderSpecification.for(shopDecider);
const renamed = details({ name: 'Mim Fashion Gulshan', slug: 'mim-fashion-gulshan', branding: { logoUrl: null, bannerUrl: 'https://cdn.bdbazar.com.bd/mim/banner.jpg' } });
const changed = (d: ShopDetails, status: ShopStatus, changedBy = ownerId): ShopEvent => ({ type: 'ShopDetailsChanged', data: { shopId, ownerId, status, ...d, changedBy, changedAt: now } });
const change = (actor: { id: string; role: 'buyer' | 'seller' | 'admin' }, d: ShopDetails = renamed) => ({ type: 'ChangeShopDetails' as const, data: { shopId, actor, details: d, now } });

describe('changing a shop', () => {
  it("lets the owner replace the shop's details, keeping its standing", () => {
    spec.given([opened()]).when(change({ id: ownerId, role: 'seller' })).then([changed(renamed, 'pending')]);
    spec.given([opened(), approved()]).when(change({ id: ownerId, role: 'seller' })).then([changed(renamed, 'active')]);
  });

  it('lets the owner of a suspended shop fix what got it suspended', () =>
    spec.given([opened(), approved(), suspended()]).when(change({ id: ownerId, role: 'seller' })).then([changed(renamed, 'suspended')]));

  it('lets an admin change any shop, recording who did', () =>
    spec.given([opened()]).when(change({ id: adminId, role: 'admin' })).then([changed(renamed, 'pending', adminId)]));

  it('changes nothing when nothing changed, whatever the order of the keys', () => {
    const reordered = JSON.parse(JSON.stringify({ ...details(), pickupAddress: { ...details().pickupAddress } })) as ShopDetails;
    const { contact, ...rest } = reordered;
    spec.given([opened()]).when(change({ id: ownerId, role: 'seller' }, { contact: { email: contact.email, phone: contact.phone }, ...rest })).thenNothingHappened();
  });

  it('refuses another seller, and a buyer', () => {
    spec.given([opened()]).when(change({ id: otherSellerId, role: 'seller' })).thenThrows(ForbiddenError, /Only the owner of shop .* \(or an admin\) can change it/);
    spec.given([opened()]).when(change({ id: ownerId, role: 'buyer' })).thenThrows(ForbiddenError);
  });

  it('refuses a shop that does not exist', () => spec.given([]).when(change({ id: ownerId, role: 'seller' })).thenThrows(NotFoundError, `There is no shop ${shopId}.`));
});
