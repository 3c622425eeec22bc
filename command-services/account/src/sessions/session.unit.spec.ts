import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import { IllegalStateError } from '@bdbazar/shared-kernel';
import { RefreshRefusedError, sessionDecider, type SessionEvent } from './session';

const now = '2026-11-24T10:00:00.000Z';
const later = '2026-12-30T10:00:00.000Z';
const sessionId = '0193a5c2-0000-7000-8000-00000000005e';
const accountId = '0193a5c2-0000-7000-8000-000000000001';
const spec = DeciderSpecification.for(sessionDecider);
const started: SessionEvent = { type: 'SessionStarted', data: { sessionId, accountId, refreshTokenHash: 'h1', expiresAt: later, startedAt: now } };
const rotated: SessionEvent = { type: 'RefreshTokenRotated', data: { sessionId, accountId, refreshTokenHash: 'h2', expiresAt: later, rotatedAt: now } };
const rotate = (presentedHash: string, accountUsable = true, at = now) => ({
  type: 'RotateRefreshToken' as const,
  data: { sessionId, presentedHash, newHash: 'h2', expiresAt: later, accountUsable, now: at },
});

describe('a session', () => {
  it('starts once', () => {
    spec.given([]).when({ type: 'StartSession', data: { sessionId, accountId, refreshTokenHash: 'h1', expiresAt: later, now } }).then([started]);
    spec.given([started]).when({ type: 'StartSession', data: { sessionId, accountId, refreshTokenHash: 'h1', expiresAt: later, now } }).thenThrows(IllegalStateError);
  });

  it('rotates the current refresh token', () => spec.given([started]).when(rotate('h1')).then([rotated]));

  it('revokes the whole session when a rotated token comes back', () =>
    spec.given([started, rotated]).when(rotate('h1')).then([{ type: 'SessionRevoked', data: { sessionId, accountId, reason: 'refresh_token_reused', revokedAt: now } }]));

  it('refuses an unknown token without revoking', () => spec.given([started]).when(rotate('forged')).thenThrows(RefreshRefusedError, /not valid/));

  it('refuses a token of an unknown session', () => spec.given([]).when(rotate('h1')).thenThrows(RefreshRefusedError));

  it('revokes the session when the account was blocked or deleted', () =>
    spec.given([started]).when(rotate('h1', false)).then([{ type: 'SessionRevoked', data: { sessionId, accountId, reason: 'account_blocked', revokedAt: now } }]));

  it('refuses an expired refresh token', () => spec.given([started]).when(rotate('h1', true, '2027-01-01T00:00:00.000Z')).thenThrows(RefreshRefusedError, /expired/));

  it('refuses anything after it was revoked', () =>
    spec
      .given([started, { type: 'SessionRevoked', data: { sessionId, accountId, reason: 'logout', revokedAt: now } }])
      .when(rotate('h1'))
      .thenThrows(RefreshRefusedError, /ended/));

  it('ends on logout, once', () => {
    spec.given([started]).when({ type: 'RevokeSession', data: { sessionId, reason: 'logout', now } }).then([{ type: 'SessionRevoked', data: { sessionId, accountId, reason: 'logout', revokedAt: now } }]);
    spec.given([started, { type: 'SessionRevoked', data: { sessionId, accountId, reason: 'logout', revokedAt: now } }]).when({ type: 'RevokeSession', data: { sessionId, reason: 'logout', now } }).thenNothingHappened();
  });
});
