/**
 * The account service's use cases, independent of HTTP: each loads what it needs from the event
 * store, puts the clock and new ids into the command, lets the decider decide, and appends.
 * Routes (routes.ts) only translate HTTP to these calls.
 */
import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  fold,
  createStreamStateCache,
  handleCommand,
  newRefreshToken,
  parseRefreshToken,
  type CommandContext,
  type CommandResult,
  type EventStore,
  type ExpectedRevision,
  type LoginRateLimit,
  type PasswordHasher,
  type PersonalDataVault,
  type TokenIssuer,
} from '@bdbazar/shared-kernel';
import { accountStreamId, evolveAccount, initialAccountState, type Account, type AccountEvent, type AccountState, type Address, type KycDocument, type Role } from './account';
import { accountDecider, type AccountCommand } from './accountDecider';
import { emailGuardDecider, emailGuardStreamId, type EmailGuardEvent } from './emailGuard/emailGuard';
import { sessionDecider, sessionStreamId, type SessionEvent, type SessionState } from './sessions/session';

export interface Tokens {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  accountId: string;
  role: Role;
}

export interface AccountServiceDependencies {
  /** The event store with personal data protection (protectPersonalData). */
  store: EventStore;
  vault: PersonalDataVault;
  passwords: PasswordHasher;
  tokens: TokenIssuer;
  loginLimit: LoginRateLimit;
  clock?: () => Date;
  newId?: () => string;
  refreshTokenTtlSeconds?: number;
}

/** A claim of an email whose account never got written (a crash between the two appends) is taken over after this. */
const ABANDONED_CLAIM_MS = 60_000;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function createAccountService(deps: AccountServiceDependencies) {
  const { store, vault, passwords, tokens, loginLimit } = deps;
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  const refreshTtlMs = (deps.refreshTokenTtlSeconds ?? 30 * 24 * 3600) * 1000;
  const now = () => clock().toISOString();

  // Every request of a signed-in user folds their account: keep the states, read only what is new.
  // (A deletion's event blanks the personal data in the cached state as it does in a fold.)
  const accountStates = createStreamStateCache<AccountEvent, AccountState>(store, { initialState: initialAccountState, evolve: evolveAccount });
  const loadAccount = async (accountId: string): Promise<AccountState> => (await accountStates.load(accountStreamId(accountId))).state;

  const usableAccount = async (accountId: string): Promise<Account | null> => {
    const state = await loadAccount(accountId);
    return state.status === 'active' ? state : null;
  };

  const guardStreamOf = async (email: string) => emailGuardStreamId(await vault.blindIndex('email', normalizeEmail(email)));

  const execute = async (accountId: string, command: AccountCommand, context: CommandContext, expectedRevision?: ExpectedRevision): Promise<CommandResult> => {
    const result = await handleCommand({
      eventStore: store,
      decider: accountDecider,
      streamId: accountStreamId(accountId),
      command,
      context,
      expectedRevision,
      retries: expectedRevision === undefined ? 2 : 0,
      stateCache: accountStates,
    });
    if (result.nextExpectedRevision === 'no_stream' || result.position === null) throw new NotFoundError(`There is no account ${accountId}.`);
    return { id: accountId, revision: result.nextExpectedRevision, position: result.position };
  };

  const startSession = async (account: Account, context: CommandContext): Promise<Tokens> => {
    const sessionId = newId();
    const refresh = newRefreshToken(sessionId);
    await handleCommand({
      eventStore: store,
      decider: sessionDecider,
      streamId: sessionStreamId(sessionId),
      command: { type: 'StartSession', data: { sessionId, accountId: account.accountId, refreshTokenHash: refresh.hash, expiresAt: new Date(clock().getTime() + refreshTtlMs).toISOString(), now: now() } },
      context,
      expectedRevision: 'no_stream',
    });
    return issue(account, sessionId, refresh.token);
  };

  const issue = (account: Account, sessionId: string, refreshToken: string): Tokens => {
    const access = tokens.issueAccessToken({ userId: account.accountId, role: account.role, sessionId, sellerApproved: account.sellerApproved });
    return { accessToken: access.token, tokenType: 'Bearer', expiresIn: access.expiresInSeconds, refreshToken, accountId: account.accountId, role: account.role };
  };

  const loadSession = async (sessionId: string): Promise<SessionState> =>
    fold(sessionDecider, (await store.readStream(sessionStreamId(sessionId))).map((e) => ({ type: e.type, data: e.data }) as SessionEvent));

  return {
    async register(input: { email: string; password: string; name: string; phone?: string | null; role: Role }, context: CommandContext): Promise<CommandResult> {
      const email = normalizeEmail(input.email);
      const passwordHash = await passwords.hash(input.password);
      const guardStream = await guardStreamOf(email);
      let accountId = newId();
      const guard = (await store.readStream(guardStream)).map((e) => ({ type: e.type, data: e.data }) as EmailGuardEvent);
      const last = guard[guard.length - 1];
      if (last?.type === 'EmailClaimed') {
        const claimant = await loadAccount(last.data.accountId);
        if (claimant.status === 'deleted') {
          // deleted, but its email was not freed (a crash during the deletion): free it now
          await handleCommand({ eventStore: store, decider: emailGuardDecider, streamId: guardStream, command: { type: 'ReleaseEmail', data: { accountId: last.data.accountId, now: now() } }, context });
        } else if (claimant.status === 'none' && clock().getTime() - Date.parse(last.data.claimedAt) > ABANDONED_CLAIM_MS) {
          accountId = last.data.accountId; // claimed, but the account was never written: finish it
        } else {
          throw new ConflictError('An account with this email already exists; log in, or use another email.', { field: 'email' });
        }
      }
      await handleCommand({ eventStore: store, decider: emailGuardDecider, streamId: guardStream, command: { type: 'ClaimEmail', data: { accountId, now: now() } }, context, retries: 2 });
      return execute(accountId, { type: 'RegisterAccount', data: { accountId, email, name: input.name.trim(), phone: input.phone ?? null, role: input.role, passwordHash, now: now() } }, context);
    },

    /** The first admin, from the admin:create CLI; never from an open endpoint. */
    async createAdmin(input: { email: string; password: string; name: string }, context: CommandContext): Promise<CommandResult> {
      return this.register({ ...input, role: 'admin' }, context);
    },

    async login(input: { email: string; password: string; ip: string }, context: CommandContext): Promise<Tokens> {
      const email = normalizeEmail(input.email);
      await loginLimit.check(email, input.ip);
      const refused = new UnauthenticatedError('The email or the password is wrong.');
      const guard = (await store.readStream(await guardStreamOf(email))).map((e) => ({ type: e.type, data: e.data }) as EmailGuardEvent);
      const claim = guard[guard.length - 1];
      const state = claim?.type === 'EmailClaimed' ? await loadAccount(claim.data.accountId) : null;
      if (!state || state.status === 'none' || state.status === 'deleted') {
        await passwords.verifyAgainstDummy(input.password); // the same time as a real check
        throw refused;
      }
      if (!(await passwords.verify(input.password, state.passwordHash))) throw refused;
      if (state.status === 'blocked') throw new ForbiddenError('This account is blocked. Contact bdbazar support to have it reviewed.');
      await loginLimit.succeeded(email, input.ip);
      return startSession(state, context);
    },

    async refresh(refreshToken: string, context: CommandContext): Promise<Tokens> {
      const { sessionId, hash } = parseRefreshToken(refreshToken);
      const session = await loadSession(sessionId);
      if (session.status === 'none') throw new UnauthenticatedError('This refresh token is not valid; log in again.');
      const account = await usableAccount(session.accountId);
      const next = newRefreshToken(sessionId);
      const result = await handleCommand({
        eventStore: store,
        decider: sessionDecider,
        streamId: sessionStreamId(sessionId),
        command: { type: 'RotateRefreshToken', data: { sessionId, presentedHash: hash, newHash: next.hash, expiresAt: new Date(clock().getTime() + refreshTtlMs).toISOString(), accountUsable: account !== null, now: now() } },
        context,
      });
      const revoked = result.events.find((e) => e.type === 'SessionRevoked');
      if (revoked?.type === 'SessionRevoked') {
        throw new UnauthenticatedError(
          revoked.data.reason === 'refresh_token_reused'
            ? 'This refresh token was already used, so the session was ended to protect the account; log in again.'
            : 'This account can no longer sign in.',
        );
      }
      return issue(account!, sessionId, next.token);
    },

    async logout(refreshToken: string, context: CommandContext): Promise<void> {
      const { sessionId, hash } = parseRefreshToken(refreshToken);
      const session = await loadSession(sessionId);
      if (session.status === 'none' || session.currentHash !== hash) throw new UnauthenticatedError('This refresh token is not valid.');
      await handleCommand({ eventStore: store, decider: sessionDecider, streamId: sessionStreamId(sessionId), command: { type: 'RevokeSession', data: { sessionId, reason: 'logout', now: now() } }, context, retries: 2 });
    },

    updateProfile: (accountId: string, input: { name: string; phone: string | null }, context: CommandContext, expectedRevision?: number) =>
      execute(accountId, { type: 'UpdateProfile', data: { accountId, name: input.name.trim(), phone: input.phone, now: now() } }, context, expectedRevision),

    async changePassword(accountId: string, input: { currentPassword: string; newPassword: string }, context: CommandContext): Promise<CommandResult> {
      const state = await loadAccount(accountId);
      if (state.status === 'none' || state.status === 'deleted') throw new NotFoundError(`There is no account ${accountId}.`);
      if (!(await passwords.verify(input.currentPassword, state.passwordHash))) throw new ForbiddenError('The current password is wrong.');
      return execute(accountId, { type: 'ChangePassword', data: { accountId, passwordHash: await passwords.hash(input.newPassword), now: now() } }, context);
    },

    async addAddress(accountId: string, input: Omit<Address, 'addressId' | 'area' | 'line2' | 'postcode'> & Partial<Pick<Address, 'area' | 'line2' | 'postcode'>> & { makeDefault?: boolean }, context: CommandContext): Promise<CommandResult & { addressId: string }> {
      const { makeDefault = false, ...fields } = input;
      const address: Address = { ...fields, addressId: newId(), area: fields.area ?? null, line2: fields.line2 ?? null, postcode: fields.postcode ?? null };
      const result = await execute(accountId, { type: 'AddAddress', data: { accountId, address, makeDefault, now: now() } }, context);
      return { ...result, addressId: address.addressId };
    },

    changeAddress: (accountId: string, addressId: string, input: Omit<Address, 'addressId' | 'area' | 'line2' | 'postcode'> & Partial<Pick<Address, 'area' | 'line2' | 'postcode'>>, context: CommandContext, expectedRevision?: number) =>
      execute(accountId, { type: 'ChangeAddress', data: { accountId, address: { ...input, addressId, area: input.area ?? null, line2: input.line2 ?? null, postcode: input.postcode ?? null }, now: now() } }, context, expectedRevision),

    removeAddress: (accountId: string, addressId: string, context: CommandContext, expectedRevision?: number) =>
      execute(accountId, { type: 'RemoveAddress', data: { accountId, addressId, now: now() } }, context, expectedRevision),

    chooseDefaultAddress: (accountId: string, addressId: string, context: CommandContext) =>
      execute(accountId, { type: 'ChooseDefaultAddress', data: { accountId, addressId, now: now() } }, context),

    submitKyc: (accountId: string, input: { nationalIdNumber: string; tradeLicenceNumber: string; documents: KycDocument[] }, context: CommandContext) =>
      execute(accountId, { type: 'SubmitKyc', data: { accountId, ...input, now: now() } }, context),

    approveKyc: (accountId: string, adminId: string, context: CommandContext) => execute(accountId, { type: 'ApproveKyc', data: { accountId, adminId, now: now() } }, context),

    rejectKyc: (accountId: string, adminId: string, reason: string, context: CommandContext) => execute(accountId, { type: 'RejectKyc', data: { accountId, adminId, reason, now: now() } }, context),

    approveSeller: (accountId: string, adminId: string, context: CommandContext) => execute(accountId, { type: 'ApproveSeller', data: { accountId, adminId, now: now() } }, context),

    blockAccount: (accountId: string, adminId: string, reason: string, context: CommandContext) => execute(accountId, { type: 'BlockAccount', data: { accountId, adminId, reason, now: now() } }, context),

    unblockAccount: (accountId: string, adminId: string, context: CommandContext) => execute(accountId, { type: 'UnblockAccount', data: { accountId, adminId, now: now() } }, context),

    /**
     * Deletes an account: the event first (the history keeps that it existed), then the email is
     * freed for a new account, then its key is destroyed so that its personal data is unreadable
     * everywhere. A retry after a crash between the steps finishes them.
     */
    async deleteAccount(accountId: string, adminId: string, context: CommandContext): Promise<CommandResult> {
      const before = await loadAccount(accountId);
      const email = before.status === 'none' ? null : before.email;
      let result: CommandResult | null = null;
      try {
        result = await execute(accountId, { type: 'DeleteAccount', data: { accountId, adminId, now: now() } }, context);
      } catch (error) {
        if (!(error instanceof NotFoundError && before.status === 'deleted')) throw error;
      }
      if (email) {
        await handleCommand({ eventStore: store, decider: emailGuardDecider, streamId: await guardStreamOf(email), command: { type: 'ReleaseEmail', data: { accountId, now: now() } }, context, retries: 2 });
      }
      await vault.forget(accountId);
      if (!result) throw new NotFoundError(`There is no account ${accountId}.`);
      return result;
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
