import { ValidationError } from '@bdbazar/shared-kernel';
import { factsOf, type ProductEvent, type ProductState } from '../product';
import { existing, notFinal, ownerOrAdmin, type ProductActor } from '../guards';

/**
 * A product's place on the storefront:
 *
 *   draft, unpublished --publish--> published --unpublish--> unpublished
 *   draft, published, unpublished --archive (seller's delete)--> archived
 *   any but removed --remove (admin, with a reason)--> removed
 *
 * Archived and removed are final. An admin may remove an archived product: the removal records
 * why (a counterfeit, a banned item) for the seller and the audit, and a seller must not escape
 * it by archiving first. Repeating a decision already in force changes nothing, so that a
 * retried request is harmless; that includes unpublishing what is not on the storefront (a
 * draft, an archived or removed product) and archiving a removed one, which is gone already.
 * Publishing needs no stock: a product sold out is shown as such.
 */
export type PublishingCommand =
  | { type: 'PublishProduct'; data: { productId: string; actor: ProductActor; now: string } }
  | { type: 'UnpublishProduct'; data: { productId: string; actor: ProductActor; now: string } }
  | { type: 'ArchiveProduct'; data: { productId: string; actor: ProductActor; now: string } }
  /** The route has checked the admin role. */
  | { type: 'RemoveProduct'; data: { productId: string; adminId: string; reason: string; now: string } };

export function publishProduct(command: PublishingCommand, state: ProductState): ProductEvent[] {
  const { productId, now } = command.data;
  const product = existing(state, productId);
  const facts = factsOf(product);
  switch (command.type) {
    case 'PublishProduct': {
      const { actor } = command.data;
      ownerOrAdmin(product, actor);
      if (product.status === 'published') return [];
      notFinal(product, 'publish it');
      return [{ type: 'ProductPublished', data: { ...facts, publishedBy: actor.id, publishedAt: now } }];
    }
    case 'UnpublishProduct': {
      const { actor } = command.data;
      ownerOrAdmin(product, actor);
      if (product.status !== 'published') return [];
      return [{ type: 'ProductUnpublished', data: { ...facts, unpublishedBy: actor.id, unpublishedAt: now } }];
    }
    case 'ArchiveProduct': {
      const { actor } = command.data;
      ownerOrAdmin(product, actor);
      if (product.status === 'archived' || product.status === 'removed') return [];
      return [{ type: 'ProductArchived', data: { ...facts, archivedBy: actor.id, archivedAt: now } }];
    }
    case 'RemoveProduct': {
      const reason = command.data.reason.trim();
      if (reason === '') throw new ValidationError('Say why the product is removed: its seller sees the reason and needs it to put things right.', { field: 'reason' });
      if (product.status === 'removed') return [];
      return [{ type: 'ProductRemoved', data: { ...facts, reason, removedBy: command.data.adminId, removedAt: now } }];
    }
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}
