import { ConflictError, IllegalStateError, NotFoundError, UnprocessableError } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import type { AccountEvent, Address } from './account';
import { accountDecider } from './accountDecider';
import { MAX_ADDRESSES } from './addressBook/addressBook';

const now = '2026-11-24T10:00:00.000Z';
const accountId = '0193a5c2-0000-7000-8000-000000000001';
const adminId = '0193a5c2-0000-7000-8000-0000000000ad';
const spec = DeciderSpecification.for(accountDecider);

const registered = (role: 'buyer' | 'seller' = 'buyer'): AccountEvent => ({
  type: 'AccountRegistered',
  data: { accountId, email: 'rahim@example.com.bd', name: 'Rahim Uddin', phone: '+8801711000000', role, passwordHash: '$2b$12$hash', registeredAt: now },
});
const address = (addressId: string, line1 = 'House 12, Road 5'): Address => ({
  addressId,
  label: 'Home',
  recipient: 'Rahim Uddin',
  phone: '+8801711000000',
  division: 'Dhaka',
  district: 'Dhaka',
  area: 'Dhanmondi',
  line1,
  line2: null,
  postcode: '1205',
});
const kycSubmitted: AccountEvent = {
  type: 'KycSubmitted',
  data: { accountId, nationalIdNumber: '1990123456789', tradeLicenceNumber: 'TRAD/DNCC/123456/2026', documents: [{ kind: 'trade_licence', reference: 'kyc/abc.pdf' }], submittedAt: now },
};
const kycApproved: AccountEvent = { type: 'KycApproved', data: { accountId, approvedBy: adminId, approvedAt: now } };
const blocked: AccountEvent = { type: 'AccountBlocked', data: { accountId, blockedBy: adminId, reason: 'fraud', blockedAt: now } };
const deleted: AccountEvent = { type: 'AccountDeleted', data: { accountId, deletedBy: adminId, deletedAt: now } };

describe('registering', () => {
  it('registers a new account', () =>
    spec
      .given([])
      .when({ type: 'RegisterAccount', data: { accountId, email: 'rahim@example.com.bd', name: 'Rahim Uddin', phone: '+8801711000000', role: 'buyer', passwordHash: '$2b$12$hash', now } })
      .then([registered()]));

  it('treats the same registration retried as done', () =>
    spec
      .given([registered()])
      .when({ type: 'RegisterAccount', data: { accountId, email: 'rahim@example.com.bd', name: 'Rahim Uddin', phone: null, role: 'buyer', passwordHash: 'other', now } })
      .thenNothingHappened());

  it('refuses another registration of the same account id', () =>
    spec
      .given([registered()])
      .when({ type: 'RegisterAccount', data: { accountId, email: 'karim@example.com.bd', name: 'Karim', phone: null, role: 'buyer', passwordHash: 'x', now } })
      .thenThrows(IllegalStateError));
});

describe('the profile', () => {
  it('updates name and phone', () =>
    spec
      .given([registered()])
      .when({ type: 'UpdateProfile', data: { accountId, name: 'Rahim U.', phone: null, now } })
      .then([{ type: 'ProfileUpdated', data: { accountId, name: 'Rahim U.', phone: null, updatedAt: now } }]));

  it('changes nothing when nothing changed', () =>
    spec.given([registered()]).when({ type: 'UpdateProfile', data: { accountId, name: 'Rahim Uddin', phone: '+8801711000000', now } }).thenNothingHappened());

  it('refuses a blocked account', () =>
    spec.given([registered(), blocked]).when({ type: 'UpdateProfile', data: { accountId, name: 'X', phone: null, now } }).thenThrows(IllegalStateError, /blocked/));

  it('reads a deleted account as gone', () =>
    spec.given([registered(), deleted]).when({ type: 'UpdateProfile', data: { accountId, name: 'X', phone: null, now } }).thenThrows(NotFoundError));

  it('refuses an account that never existed', () => spec.given([]).when({ type: 'ChangePassword', data: { accountId, passwordHash: 'x', now } }).thenThrows(NotFoundError));
});

describe('the address book', () => {
  const home = address('a1');
  it('adds the first address as the default', () =>
    spec
      .given([registered()])
      .when({ type: 'AddAddress', data: { accountId, address: home, makeDefault: false, now } })
      .then([
        { type: 'AddressAdded', data: { accountId, address: home, addedAt: now } },
        { type: 'DefaultAddressChosen', data: { accountId, addressId: 'a1', chosenAt: now } },
      ]));

  it('adds a second address without changing the default unless asked', () =>
    spec
      .given([registered(), { type: 'AddressAdded', data: { accountId, address: home, addedAt: now } }])
      .when({ type: 'AddAddress', data: { accountId, address: address('a2'), makeDefault: false, now } })
      .then([{ type: 'AddressAdded', data: { accountId, address: address('a2'), addedAt: now } }]));

  it('refuses an address id used already', () =>
    spec
      .given([registered(), { type: 'AddressAdded', data: { accountId, address: home, addedAt: now } }])
      .when({ type: 'AddAddress', data: { accountId, address: home, makeDefault: false, now } })
      .thenThrows(ConflictError));

  it(`refuses more than ${MAX_ADDRESSES} addresses`, () =>
    spec
      .given([registered(), ...Array.from({ length: MAX_ADDRESSES }, (_, n): AccountEvent => ({ type: 'AddressAdded', data: { accountId, address: address(`a${n}`), addedAt: now } }))])
      .when({ type: 'AddAddress', data: { accountId, address: address('one-more'), makeDefault: false, now } })
      .thenThrows(UnprocessableError, /at most 20/));

  it('changes, chooses as default and removes an address; removing the default clears it', () => {
    const given: AccountEvent[] = [registered(), { type: 'AddressAdded', data: { accountId, address: home, addedAt: now } }, { type: 'DefaultAddressChosen', data: { accountId, addressId: 'a1', chosenAt: now } }];
    spec.given(given).when({ type: 'ChangeAddress', data: { accountId, address: address('a1', 'House 7'), now } }).then([{ type: 'AddressChanged', data: { accountId, address: address('a1', 'House 7'), changedAt: now } }]);
    spec.given(given).when({ type: 'ChooseDefaultAddress', data: { accountId, addressId: 'a1', now } }).thenNothingHappened();
    spec.given(given).when({ type: 'RemoveAddress', data: { accountId, addressId: 'a1', now } }).then([{ type: 'AddressRemoved', data: { accountId, addressId: 'a1', removedAt: now } }]);
  });

  it.each(['ChangeAddress', 'RemoveAddress', 'ChooseDefaultAddress'] as const)('%s refuses an unknown address', (type) => {
    const data = type === 'ChangeAddress' ? { accountId, address: address('nope'), now } : { accountId, addressId: 'nope', now };
    spec.given([registered()]).when({ type, data } as never).thenThrows(NotFoundError, /no address nope/);
  });
});

describe('seller KYC and approval', () => {
  const submit = { type: 'SubmitKyc' as const, data: { accountId, nationalIdNumber: '1990123456789', tradeLicenceNumber: 'TRAD/DNCC/123456/2026', documents: [{ kind: 'trade_licence' as const, reference: 'kyc/abc.pdf' }], now } };

  it('takes a seller KYC submission', () => spec.given([registered('seller')]).when(submit).then([kycSubmitted]));
  it('refuses a buyer KYC', () => spec.given([registered('buyer')]).when(submit).thenThrows(IllegalStateError, /Only sellers/));
  it('refuses a second submission while pending', () => spec.given([registered('seller'), kycSubmitted]).when(submit).thenThrows(IllegalStateError, /waits for review/));
  it('takes a new submission after a rejection', () =>
    spec.given([registered('seller'), kycSubmitted, { type: 'KycRejected', data: { accountId, rejectedBy: adminId, reason: 'blurry', rejectedAt: now } }]).when(submit).then([kycSubmitted]));
  it('approves a pending KYC', () =>
    spec.given([registered('seller'), kycSubmitted]).when({ type: 'ApproveKyc', data: { accountId, adminId, now } }).then([kycApproved]));
  it('rejects a pending KYC with a reason', () =>
    spec
      .given([registered('seller'), kycSubmitted])
      .when({ type: 'RejectKyc', data: { accountId, adminId, reason: 'The trade licence has expired.', now } })
      .then([{ type: 'KycRejected', data: { accountId, rejectedBy: adminId, reason: 'The trade licence has expired.', rejectedAt: now } }]));
  it.each(['ApproveKyc', 'RejectKyc'] as const)('%s refuses a KYC that is not pending', (type) =>
    spec.given([registered('seller')]).when({ type, data: { accountId, adminId, reason: 'x', now } } as never).thenThrows(IllegalStateError, /not submitted|not_submitted/));

  it('approves a seller whose KYC is approved, once', () => {
    spec.given([registered('seller'), kycSubmitted, kycApproved]).when({ type: 'ApproveSeller', data: { accountId, adminId, now } }).then([{ type: 'SellerApproved', data: { accountId, approvedBy: adminId, approvedAt: now } }]);
    spec
      .given([registered('seller'), kycSubmitted, kycApproved, { type: 'SellerApproved', data: { accountId, approvedBy: adminId, approvedAt: now } }])
      .when({ type: 'ApproveSeller', data: { accountId, adminId, now } })
      .thenNothingHappened();
  });
  it('refuses to approve a seller before their KYC', () =>
    spec.given([registered('seller'), kycSubmitted]).when({ type: 'ApproveSeller', data: { accountId, adminId, now } }).thenThrows(IllegalStateError, /KYC first; it is pending/));
  it('refuses to approve a buyer as a seller', () =>
    spec.given([registered('buyer')]).when({ type: 'ApproveSeller', data: { accountId, adminId, now } }).thenThrows(IllegalStateError, /Only sellers/));
});

describe('admin actions', () => {
  it('blocks and unblocks', () => {
    spec.given([registered()]).when({ type: 'BlockAccount', data: { accountId, adminId, reason: 'fraud', now } }).then([blocked]);
    spec.given([registered(), blocked]).when({ type: 'BlockAccount', data: { accountId, adminId, reason: 'again', now } }).thenNothingHappened();
    spec.given([registered(), blocked]).when({ type: 'UnblockAccount', data: { accountId, adminId, now } }).then([{ type: 'AccountUnblocked', data: { accountId, unblockedBy: adminId, unblockedAt: now } }]);
    spec.given([registered()]).when({ type: 'UnblockAccount', data: { accountId, adminId, now } }).thenNothingHappened();
  });
  it('deletes an account; a deleted account is gone for every later command', () => {
    spec.given([registered()]).when({ type: 'DeleteAccount', data: { accountId, adminId, now } }).then([deleted]);
    spec.given([registered(), deleted]).when({ type: 'DeleteAccount', data: { accountId, adminId, now } }).thenThrows(NotFoundError);
    spec.given([registered(), deleted]).when({ type: 'BlockAccount', data: { accountId, adminId, reason: 'x', now } }).thenThrows(NotFoundError);
  });
  it('does not let an admin block or delete themselves', () => {
    spec.given([registered()]).when({ type: 'BlockAccount', data: { accountId, adminId: accountId, reason: 'x', now } }).thenThrows(IllegalStateError, /own account/);
    spec.given([registered()]).when({ type: 'DeleteAccount', data: { accountId, adminId: accountId, now } }).thenThrows(IllegalStateError, /own account/);
  });
});
