import { ConflictError } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import { emailGuardDecider } from './emailGuard';

const now = '2026-11-24T10:00:00.000Z';
const spec = DeciderSpecification.for(emailGuardDecider);
const claimed = (accountId: string) => ({ type: 'EmailClaimed' as const, data: { accountId, claimedAt: now } });
const released = (accountId: string) => ({ type: 'EmailReleased' as const, data: { accountId, releasedAt: now } });

describe('the email guard', () => {
  it('lets the first account claim a free email', () => spec.given([]).when({ type: 'ClaimEmail', data: { accountId: 'a', now } }).then([claimed('a')]));
  it('treats a claim by the same account as done', () => spec.given([claimed('a')]).when({ type: 'ClaimEmail', data: { accountId: 'a', now } }).thenNothingHappened());
  it('refuses a claim by another account, saying what to do', () =>
    spec.given([claimed('a')]).when({ type: 'ClaimEmail', data: { accountId: 'b', now } }).thenThrows(ConflictError, /already exists; log in, or use another email/));
  it('lets an email be claimed again once released', () => spec.given([claimed('a'), released('a')]).when({ type: 'ClaimEmail', data: { accountId: 'b', now } }).then([claimed('b')]));
  it('releases only for the account that holds it', () => {
    spec.given([claimed('a')]).when({ type: 'ReleaseEmail', data: { accountId: 'a', now } }).then([released('a')]);
    spec.given([claimed('a')]).when({ type: 'ReleaseEmail', data: { accountId: 'b', now } }).thenNothingHappened();
    spec.given([]).when({ type: 'ReleaseEmail', data: { accountId: 'a', now } }).thenNothingHappened();
  });
});
