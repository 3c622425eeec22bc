/**
 * A sign-in session (`session-<uuid>`): the refresh token it holds now, rotated on every use.
 * A refresh token that was already rotated away and comes back means it was stolen (or the
 * client is confused): the whole session is revoked, so neither copy works any longer.
 * Tokens are kept as hashes only.
 */
import { IllegalStateError, type Decider } from '@bdbazar/shared-kernel';
import { UnauthenticatedError } from '@bdbazar/shared-kernel';

export type RevocationReason = 'logout' | 'refresh_token_reused' | 'account_blocked' | 'account_deleted';

export type SessionEvent =
  | { type: 'SessionStarted'; data: { sessionId: string; accountId: string; refreshTokenHash: string; expiresAt: string; startedAt: string } }
  | { type: 'RefreshTokenRotated'; data: { sessionId: string; accountId: string; refreshTokenHash: string; expiresAt: string; rotatedAt: string } }
  | { type: 'SessionRevoked'; data: { sessionId: string; accountId: string; reason: RevocationReason; revokedAt: string } };

export type SessionCommand =
  | { type: 'StartSession'; data: { sessionId: string; accountId: string; refreshTokenHash: string; expiresAt: string; now: string } }
  | {
      type: 'RotateRefreshToken';
      /** `accountUsable`: the account is neither blocked nor deleted (the handler reads it). */
      data: { sessionId: string; presentedHash: string; newHash: string; expiresAt: string; accountUsable: boolean; now: string };
    }
  | { type: 'RevokeSession'; data: { sessionId: string; reason: RevocationReason; now: string } };

export type SessionState =
  | { status: 'none' }
  | { status: 'active' | 'revoked'; accountId: string; currentHash: string; usedHashes: string[]; expiresAt: string };

export const sessionStreamId = (sessionId: string): string => `session-${sessionId}`;

/** Why a refresh was refused, as the event that records it (or none) and the error the caller gets. */
export class RefreshRefusedError extends UnauthenticatedError {}

export function decideSession(command: SessionCommand, state: SessionState): SessionEvent[] {
  const { sessionId, now } = command.data;
  switch (command.type) {
    case 'StartSession': {
      if (state.status !== 'none') throw new IllegalStateError(`Session ${sessionId} already exists.`);
      const { accountId, refreshTokenHash, expiresAt } = command.data;
      return [{ type: 'SessionStarted', data: { sessionId, accountId, refreshTokenHash, expiresAt, startedAt: now } }];
    }
    case 'RotateRefreshToken': {
      if (state.status === 'none') throw new RefreshRefusedError('This refresh token is not valid; log in again.');
      if (state.status === 'revoked') throw new RefreshRefusedError('This session was ended; log in again.');
      const { presentedHash, newHash, expiresAt, accountUsable } = command.data;
      const { accountId } = state;
      if (state.usedHashes.includes(presentedHash)) {
        // Reuse of a rotated token: revoke the session. The handler appends these events and then
        // refuses the caller (see revocationOnRefusal).
        return [{ type: 'SessionRevoked', data: { sessionId, accountId, reason: 'refresh_token_reused', revokedAt: now } }];
      }
      if (presentedHash !== state.currentHash) throw new RefreshRefusedError('This refresh token is not valid; log in again.');
      if (!accountUsable) return [{ type: 'SessionRevoked', data: { sessionId, accountId, reason: 'account_blocked', revokedAt: now } }];
      if (state.expiresAt <= now) throw new RefreshRefusedError('This refresh token expired; log in again.');
      return [{ type: 'RefreshTokenRotated', data: { sessionId, accountId, refreshTokenHash: newHash, expiresAt, rotatedAt: now } }];
    }
    case 'RevokeSession':
      if (state.status !== 'active') return [];
      return [{ type: 'SessionRevoked', data: { sessionId, accountId: state.accountId, reason: command.data.reason, revokedAt: now } }];
  }
}

export function evolveSession(state: SessionState, event: SessionEvent): SessionState {
  switch (event.type) {
    case 'SessionStarted':
      return { status: 'active', accountId: event.data.accountId, currentHash: event.data.refreshTokenHash, usedHashes: [], expiresAt: event.data.expiresAt };
    case 'RefreshTokenRotated':
      if (state.status === 'none') return state;
      return { ...state, currentHash: event.data.refreshTokenHash, usedHashes: [...state.usedHashes, state.currentHash], expiresAt: event.data.expiresAt };
    case 'SessionRevoked':
      return state.status === 'none' ? state : { ...state, status: 'revoked' };
  }
}

export const sessionDecider: Decider<SessionCommand, SessionEvent, SessionState> = {
  initialState: () => ({ status: 'none' }),
  evolve: evolveSession,
  decide: decideSession,
};
