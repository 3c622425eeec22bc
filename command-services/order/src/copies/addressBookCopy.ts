/**
 * The order service's copy of buyers' address books, so that a checkout can ship to an address
 * the buyer keeps (by its id) without calling the account service. Kept from
 * `account.Address*.v1` events; erased, and kept erased, when the account is deleted
 * (`account.AccountDeleted.v1`): the order service holds no personal data of a forgotten buyer.
 *
 * Each address and each account's default keep the revision they were set from; an older message
 * changes nothing.
 */
import { NotFoundError, quoteIdentifier, type Database, type IntegrationEvent } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { createKeptReads } from './keptReads';
import type { ShippingAddress } from '../order';

export async function migrateAddressBookCopy(knex: Knex, schema: string): Promise<void> {
  const s = quoteIdentifier(schema);
  await knex.raw(`create schema if not exists ${s}`);
  await knex.raw(
    `create table if not exists ${s}.addresses (
       account_id uuid not null,
       address_id text not null,
       address jsonb,
       revision integer not null,
       primary key (account_id, address_id)
     )`,
  );
  await knex.raw(`create table if not exists ${s}.erased_accounts (account_id uuid primary key)`);
}

/** An address as `account.Address*.v1` carries it: what a parcel needs, and the buyer's label for it. */
type AddressMessage = ShippingAddress & { label: string };

export const ADDRESS_BOOK_EVENT_TYPES = [
  'account.AddressAdded.v1',
  'account.AddressChanged.v1',
  'account.AddressRemoved.v1',
  'account.AccountDeleted.v1',
] as const;

/** Applies one account event, inside the consumer's transaction. */
export async function applyAddressBookEvent(trx: Knex.Transaction, schema: string, event: IntegrationEvent): Promise<void> {
  const s = quoteIdentifier(schema);
  const data = event.data as Record<string, unknown>;
  const accountId = data['accountId'] as string;
  const revision = event.source.revision;
  switch (event.type) {
    case 'account.AddressAdded.v1':
    case 'account.AddressChanged.v1':
    case 'account.AddressRemoved.v1': {
      const address = event.type === 'account.AddressRemoved.v1' ? null : (data['address'] as AddressMessage);
      const addressId = address?.addressId ?? (data['addressId'] as string);
      // A removed address stays as a null row at its revision, so that an older "added" cannot bring it back.
      await trx.raw(
        `insert into ${s}.addresses as a (account_id, address_id, address, revision)
         select ?, ?, ?::jsonb, ? where not exists (select 1 from ${s}.erased_accounts where account_id = ?)
         on conflict (account_id, address_id) do update set address = excluded.address, revision = excluded.revision where a.revision < excluded.revision`,
        [accountId, addressId, address ? JSON.stringify(address) : null, revision, accountId],
      );
      return;
    }
    case 'account.AccountDeleted.v1':
      await trx.raw(`insert into ${s}.erased_accounts (account_id) values (?) on conflict do nothing`, [accountId]);
      await trx.raw(`delete from ${s}.addresses where account_id = ?`, [accountId]);
      return;
    default:
      return;
  }
}

export interface AddressBookCopy {
  /**
   * The buyer's address to ship to; a NotFoundError a person can act on when it is not in their
   * book. Served from what this process read at most `cacheTtlMs` ago, or since the buyer's copy
   * last changed here.
   */
  shippingAddress(buyerId: string, addressId: string): Promise<ShippingAddress>;
  /** The buyer's copy changed (or was erased): what is kept of it is read again. */
  forget(accountId: string): void;
}

export interface AddressBookCopyOptions {
  /** Default 2,000 ms; 0 reads every time. */
  cacheTtlMs?: number;
  /** Addresses kept. Default 20,000. */
  cacheSize?: number;
}

export function openAddressBookCopy(db: Database, schema: string, options: AddressBookCopyOptions = {}): AddressBookCopy {
  const s = quoteIdentifier(schema);
  const kept = createKeptReads<{ accountId: string; address: ShippingAddress }>({ ttlMs: options.cacheTtlMs ?? 2_000, size: options.cacheSize ?? 20_000 });
  return {
    async shippingAddress(buyerId, addressId) {
      const key = `${buyerId}:${addressId}`;
      const now = Date.now();
      const found = kept.get(key, now);
      if (found) return found.address;
      const mark = kept.mark();
      const result = (await db.knex.raw(`select address from ${s}.addresses where account_id = ? and address_id = ?`, [buyerId, addressId])) as {
        rows: Array<{ address: AddressMessage | null }>;
      };
      const row = result.rows[0]?.address;
      if (!row) {
        throw new NotFoundError(
          `There is no address ${addressId} in your address book. Add it first (POST /v1/users/{id}/addresses), then check out with its addressId; a new address takes a moment to reach checkout.`,
          { field: 'addressId', addressId },
        );
      }
      const { recipient, phone, division, district, area, line1, line2, postcode } = row;
      const address: ShippingAddress = { addressId, recipient, phone, division, district, area, line1, line2, postcode };
      kept.keep(mark, key, { accountId: buyerId, address }, now);
      return address;
    },
    forget(accountId) {
      kept.forget((entry) => entry.accountId === accountId);
    },
  };
}
