/** What account routes need beyond the shared kernel's route helpers. */
import { maybeAuthOf, ForbiddenError } from '@bdbazar/shared-kernel';
import type { Response } from 'express';

/** The caller acts on their own account (admins pass requireSelfOrAdmin, not this). */
export function requireSelf(res: Response, accountId: string, what: string): void {
  const auth = maybeAuthOf(res);
  if (!auth || auth.userId !== accountId) throw new ForbiddenError(`Only the account's owner can ${what}.`);
}
