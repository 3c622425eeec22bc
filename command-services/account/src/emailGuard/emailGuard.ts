/**
 * One email, one account, even under concurrent registrations: each email has a guard stream
 * (`accountemail-<blind index of the email>`), and claiming it is an append with an expected
 * revision, so of two registrations racing for one email exactly one wins. A read model lookup
 * would race. The stream holds no personal data: its id is a keyed hash of the email.
 */
import { ConflictError, type Decider } from '@bdbazar/shared-kernel';

export type EmailGuardEvent =
  | { type: 'EmailClaimed'; data: { accountId: string; claimedAt: string } }
  | { type: 'EmailReleased'; data: { accountId: string; releasedAt: string } };

export type EmailGuardCommand =
  | { type: 'ClaimEmail'; data: { accountId: string; now: string } }
  | { type: 'ReleaseEmail'; data: { accountId: string; now: string } };

export type EmailGuardState = { claimedBy: string | null };

export const emailGuardStreamId = (blindIndex: string): string => `accountemail-${blindIndex}`;

export function decideEmailGuard(command: EmailGuardCommand, state: EmailGuardState): EmailGuardEvent[] {
  const { accountId, now } = command.data;
  switch (command.type) {
    case 'ClaimEmail':
      if (state.claimedBy === accountId) return [];
      if (state.claimedBy !== null) throw new ConflictError('An account with this email already exists; log in, or use another email.', { field: 'email' });
      return [{ type: 'EmailClaimed', data: { accountId, claimedAt: now } }];
    case 'ReleaseEmail':
      return state.claimedBy === accountId ? [{ type: 'EmailReleased', data: { accountId, releasedAt: now } }] : [];
  }
}

export const emailGuardDecider: Decider<EmailGuardCommand, EmailGuardEvent, EmailGuardState> = {
  initialState: () => ({ claimedBy: null }),
  evolve: (_state, event) => ({ claimedBy: event.type === 'EmailClaimed' ? event.data.accountId : null }),
  decide: decideEmailGuard,
};
