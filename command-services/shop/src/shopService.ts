/**
 * The shop service's use cases, independent of HTTP: each loads what it needs from the event
 * store, puts the clock and new ids into the command, lets the decider decide, and appends.
 * Routes only translate HTTP to these calls.
 *
 * A shop's slug is claimed in its guard stream before the shop is written, and a rename releases
 * the old slug after the shop has changed; a claim left behind by a crash in between is taken
 * over once it is old enough and the shop that holds it does not (or no longer) use it.
 */
import { randomUUID } from 'node:crypto';
import {
  ConcurrencyError,
  ConflictError,
  NotFoundError,
  fold,
  handleCommand,
  type CommandContext,
  type CommandResult,
  type CurrentRevision,
  type EventStore,
} from '@bdbazar/shared-kernel';
import type { ShopActor } from './guards';
import { evolveShop, initialShopState, shopStreamId, type ShopEvent, type ShopState } from './shop';
import { decideShop, shopDecider, type ShopCommand } from './shopDecider';
import { shopDetailsFrom, type ShopDetailsInput } from './shopDetails/shopDetails';
import { slugGuardDecider, slugGuardStreamId, slugTakenMessage, type SlugGuardEvent } from './slugGuard/slugGuard';

export interface ShopServiceDependencies {
  store: EventStore;
  clock?: () => Date;
  newId?: () => string;
}

/** A slug claim whose shop never got written, or moved on, is taken over after this (a crash between two appends). */
export const ABANDONED_CLAIM_MS = 60_000;

export function createShopService(deps: ShopServiceDependencies) {
  const { store } = deps;
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  const now = () => clock().toISOString();

  const loadShop = async (shopId: string): Promise<{ state: ShopState; revision: CurrentRevision }> => {
    const recorded = await store.readStream(shopStreamId(shopId));
    const state = fold({ initialState: initialShopState, evolve: evolveShop }, recorded.map((e) => ({ type: e.type, data: e.data }) as unknown as ShopEvent));
    return { state, revision: recorded.at(-1)?.revision ?? 'no_stream' };
  };

  const execute = async (shopId: string, command: ShopCommand, context: CommandContext, expectedRevision?: number | 'no_stream'): Promise<CommandResult> => {
    const result = await handleCommand({ eventStore: store, decider: shopDecider, streamId: shopStreamId(shopId), command, context, expectedRevision, retries: expectedRevision === undefined ? 2 : 0 });
    if (result.nextExpectedRevision === 'no_stream' || result.position === null) throw new NotFoundError(`There is no shop ${shopId}.`, { shopId });
    return { id: shopId, revision: result.nextExpectedRevision, position: result.position };
  };

  const claimSlug = async (slug: string, shopId: string, context: CommandContext): Promise<void> => {
    const streamId = slugGuardStreamId(slug);
    const guard = fold(slugGuardDecider, (await store.readStream(streamId)).map((e) => ({ type: e.type, data: e.data }) as SlugGuardEvent));
    if (guard.claimedBy !== null && guard.claimedBy !== shopId) {
      const holder = guard.claimedBy;
      const { state } = await loadShop(holder);
      const unused = state.status === 'none' || state.details.slug !== slug;
      const old = clock().getTime() - Date.parse(guard.claimedAt ?? '') > ABANDONED_CLAIM_MS;
      if (!(unused && old)) throw new ConflictError(slugTakenMessage(slug), { field: 'name', slug });
      await handleCommand({ eventStore: store, decider: slugGuardDecider, streamId, command: { type: 'ReleaseShopSlug', data: { slug, shopId: holder, now: now() } }, context });
    }
    await handleCommand({ eventStore: store, decider: slugGuardDecider, streamId, command: { type: 'ClaimShopSlug', data: { slug, shopId, now: now() } }, context, retries: 2 });
  };

  const releaseSlug = async (slug: string, shopId: string, context: CommandContext): Promise<void> => {
    await handleCommand({ eventStore: store, decider: slugGuardDecider, streamId: slugGuardStreamId(slug), command: { type: 'ReleaseShopSlug', data: { slug, shopId, now: now() } }, context, retries: 2 });
  };

  return {
    /** An approved seller (the route checks the token) opens a shop; it is pending until an admin approves it. */
    async openShop(ownerId: string, input: ShopDetailsInput, context: CommandContext): Promise<CommandResult> {
      const shopId = newId();
      const details = shopDetailsFrom(input, shopId);
      await claimSlug(details.slug, shopId, context);
      try {
        return await execute(shopId, { type: 'OpenShop', data: { shopId, ownerId, details, now: now() } }, context, 'no_stream');
      } catch (error) {
        await releaseSlug(details.slug, shopId, context);
        throw error;
      }
    },

    /** Replaces the details; `expectedRevision` is the client's If-Match. */
    async changeDetails(shopId: string, actor: ShopActor, input: ShopDetailsInput, context: CommandContext, expectedRevision?: number): Promise<CommandResult> {
      const details = shopDetailsFrom(input, shopId);
      const command: ShopCommand = { type: 'ChangeShopDetails', data: { shopId, actor, details, now: now() } };
      // Refuse what would be refused anyway (no such shop, not the owner, a stale If-Match) before touching the slug guard.
      const { state, revision } = await loadShop(shopId);
      decideShop(command, state);
      if (expectedRevision !== undefined && revision !== expectedRevision) {
        throw new ConcurrencyError(`Shop ${shopId} has changed since you read it (it is at revision ${revision}, your If-Match names ${expectedRevision}); read it again and redo your change.`, {
          shopId,
          expectedRevision,
          actualRevision: revision,
        });
      }
      const before = state.status === 'none' ? null : state.details.slug;
      const moving = before !== null && before !== details.slug;
      if (moving) await claimSlug(details.slug, shopId, context);
      let result: CommandResult;
      try {
        result = await execute(shopId, command, context, expectedRevision);
      } catch (error) {
        if (moving) await releaseSlug(details.slug, shopId, context);
        throw error;
      }
      if (moving) await releaseSlug(before, shopId, context);
      return result;
    },

    approve: (shopId: string, adminId: string, context: CommandContext) => execute(shopId, { type: 'ApproveShop', data: { shopId, adminId, now: now() } }, context),

    suspend: (shopId: string, adminId: string, reason: string, context: CommandContext) =>
      execute(shopId, { type: 'SuspendShop', data: { shopId, adminId, reason: reason.trim(), now: now() } }, context),

    reinstate: (shopId: string, adminId: string, context: CommandContext) => execute(shopId, { type: 'ReinstateShop', data: { shopId, adminId, now: now() } }, context),
  };
}

export type ShopService = ReturnType<typeof createShopService>;
