/**
 * The product service's own copy of what it needs to know about shops: who owns each one, and
 * whether it may sell. It is kept from the shop service's integration events (`shop.*.v1`, each
 * carrying the shop's owner, name, slug and standing), never read from another service's tables,
 * so the product service keeps working while the shop service is down.
 *
 * Messages may arrive late, twice or out of order: each row keeps the revision of the shop event
 * it reflects, and an older one changes nothing (the consumer kit's inbox drops exact repeats).
 */
import { NotFoundError, quoteIdentifier, startConsumer, type Consumer, type Database, type IntegrationEvent, type Logger, type Transport } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';

export type ShopStanding = 'pending' | 'active' | 'suspended';

export interface KnownShop {
  shopId: string;
  ownerId: string;
  name: string;
  slug: string;
  status: ShopStanding;
}

/** The payload of every shop.*.v1 event this copy reads (the shop projector's contract). */
interface ShopEventData {
  shopId: string;
  ownerId: string;
  name: string;
  slug: string;
  status: ShopStanding;
}

export const SHOP_EVENT_TYPES = ['shop.ShopOpened.v1', 'shop.ShopDetailsChanged.v1', 'shop.ShopApproved.v1', 'shop.ShopSuspended.v1', 'shop.ShopReinstated.v1'] as const;

export async function migrateShopCopy(db: Database, schema: string): Promise<void> {
  const table = `${quoteIdentifier(schema)}.shops`;
  await db.knex.raw(`create schema if not exists ${quoteIdentifier(schema)}`);
  await db.knex.raw(
    `create table if not exists ${table} (
       shop_id uuid primary key,
       owner_id uuid not null,
       name text not null,
       slug text not null,
       status text not null,
       revision integer not null,
       updated_at timestamptz not null default now()
     )`,
  );
}

/** Applies one shop integration event to the copy, inside the consumer's transaction. */
export async function applyShopEvent(trx: Knex.Transaction, schema: string, event: IntegrationEvent): Promise<void> {
  if (!(SHOP_EVENT_TYPES as readonly string[]).includes(event.type)) return;
  const data = event.data as unknown as ShopEventData;
  await trx.raw(
    `insert into ${quoteIdentifier(schema)}.shops as s (shop_id, owner_id, name, slug, status, revision, updated_at)
     values (?, ?, ?, ?, ?, ?, now())
     on conflict (shop_id) do update
       set owner_id = excluded.owner_id, name = excluded.name, slug = excluded.slug, status = excluded.status, revision = excluded.revision, updated_at = now()
       where s.revision < excluded.revision`,
    [data.shopId, data.ownerId, data.name, data.slug, data.status, event.source.revision],
  );
}

export interface ShopCopy {
  /** The shop as last heard of; a NotFoundError when it has never been heard of. */
  get(shopId: string): Promise<KnownShop>;
  /** Who owns the shop: never changes once heard of, so kept in memory after the first look. */
  ownerOf(shopId: string): Promise<string>;
  stop(): Promise<void>;
}

export interface ShopCopyOptions {
  db: Database;
  /** The product service's own schema. */
  schema: string;
  /** The bus the shop service's integration events arrive on; none when this process only reads the copy. */
  transport?: Transport;
  /** Days the consumer's inbox keeps its records (see startConsumer). Default 30. */
  inboxRetentionDays?: number;
  logger?: Logger;
}

/** The consumer's name: its queue and inbox key. Fixed, so that a restart resumes its queue. */
export const SHOP_COPY_CONSUMER = 'product-service.shops';

export async function openShopCopy(options: ShopCopyOptions): Promise<ShopCopy> {
  const { db, schema } = options;
  await migrateShopCopy(db, schema);
  let consumer: Consumer | null = null;
  if (options.transport) {
    consumer = await startConsumer({
      name: SHOP_COPY_CONSUMER,
      routingKeys: ['shop.#'],
      db,
      transport: options.transport,
      handler: (event, trx) => applyShopEvent(trx, schema, event),
      inboxRetentionDays: options.inboxRetentionDays,
      logger: options.logger,
    });
  }
  const owners = new LRUCache<string, string>({ max: 100_000 });
  const copy: ShopCopy = {
    async ownerOf(shopId) {
      const known = owners.get(shopId);
      if (known) return known;
      const { ownerId } = await copy.get(shopId);
      owners.set(shopId, ownerId);
      return ownerId;
    },
    async get(shopId) {
      const found = (await db.knex.withSchema(schema).from('shops').where({ shop_id: shopId }).first('shop_id', 'owner_id', 'name', 'slug', 'status')) as Record<string, string> | undefined;
      if (!found) {
        throw new NotFoundError(
          `There is no shop ${shopId} that bdbazar knows of. If you opened it a moment ago, try again in a few seconds: the product service learns of new shops shortly after they open.`,
          { field: 'shopId', shopId },
        );
      }
      return { shopId: found['shop_id']!, ownerId: found['owner_id']!, name: found['name']!, slug: found['slug']!, status: found['status'] as ShopStanding };
    },
    stop: async () => {
      await consumer?.stop();
    },
  };
  return copy;
}
