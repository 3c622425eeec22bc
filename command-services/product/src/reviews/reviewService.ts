/**
 * The review use cases: a buyer reviews a product they can see on the storefront (once; writing
 * again edits it), the product's seller replies, an admin hides a review with a reason or shows
 * it again. The review's stream id comes from the product and the buyer, so a buyer's second
 * review, even racing the first, lands on the same stream.
 */
import { NotFoundError, fold, handleCommand, type CommandContext, type CurrentRevision, type EventStore } from '@bdbazar/shared-kernel';
import type { CommandResult } from '@bdbazar/shared-kernel';
import type { ProductActor } from '../guards';
import type { ProductState } from '../product';
import { evolveReview, initialReviewState, reviewIdOf, reviewStreamId, type ReviewEvent, type ReviewState } from './review';
import { reviewDecider, type ReviewCommand } from './reviewDecider';

export function createReviewService(deps: { store: EventStore; loadProduct: (productId: string) => Promise<{ state: ProductState }>; clock?: () => Date }) {
  const { store } = deps;
  const clock = deps.clock ?? (() => new Date());
  const now = () => clock().toISOString();

  const loadReview = async (reviewId: string): Promise<{ state: ReviewState; revision: CurrentRevision }> => {
    const recorded = await store.readStream(reviewStreamId(reviewId));
    return { state: fold({ initialState: initialReviewState, evolve: evolveReview }, recorded.map((e) => ({ type: e.type, data: e.data }) as unknown as ReviewEvent)), revision: recorded.at(-1)?.revision ?? 'no_stream' };
  };

  const execute = async (reviewId: string, command: ReviewCommand, context: CommandContext): Promise<CommandResult & { created: boolean }> => {
    const result = await handleCommand({ eventStore: store, decider: reviewDecider, streamId: reviewStreamId(reviewId), command, context, retries: 3 });
    if (result.nextExpectedRevision === 'no_stream' || result.position === null) throw new NotFoundError(`There is no review ${reviewId}.`, { reviewId });
    return { id: reviewId, revision: result.nextExpectedRevision, position: result.position, created: result.events.some((e) => e.type === 'ReviewWritten') };
  };

  /** The review, which must be of this product. */
  const reviewOf = async (productId: string, reviewId: string) => {
    const { state } = await loadReview(reviewId);
    if (state.status === 'none' || state.productId !== productId) throw new NotFoundError(`Product ${productId} has no review ${reviewId}.`, { productId, reviewId });
    return state;
  };

  return {
    /** Writes the buyer's review of a product, or edits it if they reviewed it before. */
    async write(productId: string, buyerId: string, input: { rating: number; text?: string | null }, context: CommandContext) {
      const { state: product } = await deps.loadProduct(productId);
      if (product.status !== 'published') {
        throw new NotFoundError(`There is no product ${productId} on the storefront to review.`, { productId });
      }
      const reviewId = reviewIdOf(productId, buyerId);
      return execute(
        reviewId,
        { type: 'WriteReview', data: { reviewId, productId, shopId: product.shopId, sellerId: product.sellerId, buyerId, rating: input.rating, text: input.text ?? '', now: now() } },
        context,
      );
    },

    async reply(productId: string, reviewId: string, actor: ProductActor, reply: string, context: CommandContext) {
      await reviewOf(productId, reviewId);
      return execute(reviewId, { type: 'ReplyToReview', data: { reviewId, actor, reply, now: now() } }, context);
    },

    async hide(reviewId: string, adminId: string, reason: string, context: CommandContext) {
      return execute(reviewId, { type: 'HideReview', data: { reviewId, adminId, reason, now: now() } }, context);
    },

    async show(reviewId: string, adminId: string, context: CommandContext) {
      return execute(reviewId, { type: 'ShowReview', data: { reviewId, adminId, now: now() } }, context);
    },
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;
