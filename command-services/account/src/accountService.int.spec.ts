/** The account use cases over the real embedded store and vault (no HTTP). */
import { ConflictError, ForbiddenError, TooManyRequestsError, UnauthenticatedError, type EventStore } from '@bdbazar/shared-kernel';
import { accountStreamId } from './account';
import type { AccountService } from './accountService';
import { accountFixture, type AccountFixture } from './testing/accountFixture';

const context = { correlationId: 'c-1', causationId: 'c-1', actor: { id: 'anonymous', role: 'system' as const } };

describe('the account service', () => {
  let fixture: AccountFixture;
  let raw: EventStore;
  let service: AccountService;
  let verify: (token: string) => { userId: string; role: string };

  beforeAll(async () => {
    fixture = await accountFixture();
    ({ raw, service } = fixture);
    verify = (token) => fixture.verifier.verifyAccessToken(token);
  });
  afterAll(async () => {
    await fixture.close();
  });

  const email = (name: string) => `${name}.${Math.random().toString(36).slice(2, 8)}@example.com.bd`;

  it('registers, logs in and hands out tokens carrying the role', async () => {
    const address = email('rahim');
    const registered = await service.register({ email: address, password: 'correct horse 1', name: 'Rahim', role: 'seller' }, context);
    const tokens = await service.login({ email: address.toUpperCase(), password: 'correct horse 1', ip: '10.0.0.1' }, context);
    expect(tokens).toEqual(expect.objectContaining({ tokenType: 'Bearer', accountId: registered.id, role: 'seller', expiresIn: 900 }));
    expect(verify(tokens.accessToken)).toEqual(expect.objectContaining({ userId: registered.id, role: 'seller' }));
  });

  it('keeps one account per email under 10 concurrent registrations', async () => {
    const address = email('karim');
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => service.register({ email: address, password: `password ${n}!`, name: 'Karim', role: 'buyer' }, context)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) expect(r.reason).toBeInstanceOf(ConflictError);
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    const address = email('salma');
    await service.register({ email: address, password: 'right password', name: 'Salma', role: 'buyer' }, context);
    await expect(service.login({ email: address, password: 'wrong password', ip: '10.0.0.2' }, context)).rejects.toThrow(new UnauthenticatedError('The email or the password is wrong.'));
    await expect(service.login({ email: email('nobody'), password: 'whatever1', ip: '10.0.0.2' }, context)).rejects.toThrow(new UnauthenticatedError('The email or the password is wrong.'));
  });

  it('rate-limits login attempts per account', async () => {
    const address = email('limit');
    await service.register({ email: address, password: 'right password', name: 'Limit', role: 'buyer' }, context);
    for (let n = 0; n < 5; n++) await expect(service.login({ email: address, password: 'nope nope', ip: '10.0.1.1' }, context)).rejects.toThrow(UnauthenticatedError);
    await expect(service.login({ email: address, password: 'right password', ip: '10.0.1.2' }, context)).rejects.toThrow(TooManyRequestsError);
  });

  it('rotates refresh tokens, and ends the session when a used one comes back', async () => {
    const address = email('nila');
    await service.register({ email: address, password: 'right password', name: 'Nila', role: 'buyer' }, context);
    const first = await service.login({ email: address, password: 'right password', ip: '10.0.0.3' }, context);
    const second = await service.refresh(first.refreshToken, context);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await expect(service.refresh(first.refreshToken, context)).rejects.toThrow(/already used, so the session was ended/);
    await expect(service.refresh(second.refreshToken, context)).rejects.toThrow(/ended/);
  });

  it('logs out: the refresh token stops working', async () => {
    const address = email('tanvir');
    await service.register({ email: address, password: 'right password', name: 'Tanvir', role: 'buyer' }, context);
    const tokens = await service.login({ email: address, password: 'right password', ip: '10.0.0.4' }, context);
    await service.logout(tokens.refreshToken, context);
    await expect(service.refresh(tokens.refreshToken, context)).rejects.toThrow(UnauthenticatedError);
  });

  it('lets a blocked user neither log in nor refresh, until unblocked', async () => {
    const address = email('blocked');
    const { id } = await service.register({ email: address, password: 'right password', name: 'Blocked', role: 'buyer' }, context);
    const tokens = await service.login({ email: address, password: 'right password', ip: '10.0.0.5' }, context);
    await service.blockAccount(id, 'admin-1', 'chargeback fraud', context);
    await expect(service.login({ email: address, password: 'right password', ip: '10.0.0.5' }, context)).rejects.toThrow(ForbiddenError);
    await expect(service.refresh(tokens.refreshToken, context)).rejects.toThrow(/can no longer sign in/);
    await service.unblockAccount(id, 'admin-1', context);
    await expect(service.login({ email: address, password: 'right password', ip: '10.0.0.5' }, context)).resolves.toEqual(expect.objectContaining({ accountId: id }));
  });

  it('deletes an account: its personal data is unreadable, the history stays, the email is free again', async () => {
    const address = email('erase');
    const { id } = await service.register({ email: address, password: 'right password', name: 'Erase Me', phone: '+8801711000000', role: 'buyer' }, context);
    await service.deleteAccount(id, 'admin-1', context);

    const history = await raw.readStream(accountStreamId(id));
    expect(history.map((e) => e.type)).toEqual(['AccountRegistered', 'AccountDeleted']);
    expect(JSON.stringify(history)).not.toContain('Erase Me');
    expect(JSON.stringify(history)).not.toContain(address);
    await expect(service.login({ email: address, password: 'right password', ip: '10.0.0.6' }, context)).rejects.toThrow(UnauthenticatedError);
    const again = await service.register({ email: address, password: 'new password', name: 'New Owner', role: 'buyer' }, context);
    expect(again.id).not.toBe(id);
  });

  it('changes a password only with the current one', async () => {
    const address = email('pw');
    const { id } = await service.register({ email: address, password: 'old password', name: 'Pw', role: 'buyer' }, context);
    await expect(service.changePassword(id, { currentPassword: 'not it at all', newPassword: 'new password' }, context)).rejects.toThrow(ForbiddenError);
    await service.changePassword(id, { currentPassword: 'old password', newPassword: 'new password' }, context);
    await expect(service.login({ email: address, password: 'new password', ip: '10.0.0.7' }, context)).resolves.toEqual(expect.objectContaining({ accountId: id }));
  });
});
