/** GET /v1/sellers/{id}/shops: a seller's own shops in every state, newest first (the route checks who asks). */
import type { Knex } from 'knex';
import { page, type ShopPage } from './listShops';

export async function listSellerShops(knex: Knex, sellerId: string, query: { limit?: number; cursor?: string }): Promise<ShopPage> {
  return page(knex, query, (q) => {
    q.where('owner_id', sellerId);
  });
}
