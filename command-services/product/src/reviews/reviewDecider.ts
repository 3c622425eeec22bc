/**
 * The review's decider. A buyer writes a review (the route has checked the role and that the
 * product is on the storefront); writing again is an edit, since the review id comes from the
 * product and the buyer. An edit keeps a hidden review hidden: an admin shows it again once it
 * is fit. The product's seller (or an admin) replies, a new reply replacing the last; an admin
 * hides a review with a reason and shows it again (the route has checked the admin role).
 */
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError, type Decider, type UserRole } from '@bdbazar/shared-kernel';
import { evolveReview, initialReviewState, reviewIdOf, type Review, type ReviewEvent, type ReviewFacts, type ReviewState } from './review';

export const REVIEW_TEXT_MAX_LENGTH = 4000;
export const REPLY_MAX_LENGTH = 2000;

/** `text` may be empty or absent: a rating alone is a review. */
export type WriteReview = {
  type: 'WriteReview';
  data: { reviewId: string; productId: string; shopId: string; sellerId: string; buyerId: string; rating: number; text?: string | null; now: string };
};
export type ReplyToReview = { type: 'ReplyToReview'; data: { reviewId: string; actor: { id: string; role: UserRole }; reply: string; now: string } };
export type HideReview = { type: 'HideReview'; data: { reviewId: string; adminId: string; reason: string; now: string } };
export type ShowReview = { type: 'ShowReview'; data: { reviewId: string; adminId: string; now: string } };

export type ReviewCommand = WriteReview | ReplyToReview | HideReview | ShowReview;

export function decideReview(command: ReviewCommand, state: ReviewState): ReviewEvent[] {
  switch (command.type) {
    case 'WriteReview':
      return writeReview(command.data, state);
    case 'ReplyToReview': {
      const { reviewId, actor, now } = command.data;
      const review = existing(state, reviewId);
      if (!(actor.role === 'admin' || (actor.role === 'seller' && actor.id === review.sellerId))) {
        throw new ForbiddenError(`Only the seller of product ${review.productId} (or an admin) can reply to its reviews.`, { reviewId });
      }
      const reply = command.data.reply.normalize('NFC').trim();
      const length = [...reply].length;
      if (length === 0 || length > REPLY_MAX_LENGTH) {
        throw new ValidationError(`A reply needs 1 to ${REPLY_MAX_LENGTH} characters besides spaces around it; it has ${length}.`, { field: 'reply' });
      }
      if (review.reply === reply) return [];
      return [{ type: 'ReviewReplied', data: { ...factsOf(review), reply, repliedBy: actor.id, repliedAt: now } }];
    }
    case 'HideReview': {
      const { reviewId, adminId, now } = command.data;
      const review = existing(state, reviewId);
      const reason = command.data.reason.trim();
      if (reason === '') throw new ValidationError('Say why the review is hidden: its author and the seller see the reason.', { field: 'reason' });
      if (review.hidden) return [];
      return [{ type: 'ReviewHidden', data: { ...factsOf(review), rating: review.rating, reason, hiddenBy: adminId, hiddenAt: now } }];
    }
    case 'ShowReview': {
      const { reviewId, adminId, now } = command.data;
      const review = existing(state, reviewId);
      if (!review.hidden) return [];
      return [{ type: 'ReviewShown', data: { ...factsOf(review), rating: review.rating, shownBy: adminId, shownAt: now } }];
    }
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const reviewDecider: Decider<ReviewCommand, ReviewEvent, ReviewState> = {
  initialState: initialReviewState,
  evolve: evolveReview,
  decide: decideReview,
};

function writeReview(data: WriteReview['data'], state: ReviewState): ReviewEvent[] {
  const { reviewId, productId, shopId, sellerId, buyerId, rating, now } = data;
  // One review per buyer and product rests on this id; another would be a bug in the caller.
  if (reviewId !== reviewIdOf(productId, buyerId)) throw new Error(`Review id ${reviewId} is not the id of ${buyerId}'s review of product ${productId}.`);
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw new ValidationError(`rating must be a whole number from 1 to 5; got ${rating}.`, { field: 'rating' });
  const text = (data.text ?? '').normalize('NFC').trim();
  if ([...text].length > REVIEW_TEXT_MAX_LENGTH) {
    throw new ValidationError(`A review's text may have at most ${REVIEW_TEXT_MAX_LENGTH} characters; it has ${[...text].length}.`, { field: 'text' });
  }
  if (state.status === 'none') {
    return [{ type: 'ReviewWritten', data: { reviewId, productId, shopId, sellerId, buyerId, rating, text, writtenAt: now } }];
  }
  if (state.buyerId !== buyerId) throw new IllegalStateError(`Review ${reviewId} is another buyer's.`, { reviewId });
  if (state.rating === rating && state.text === text) return [];
  return [{ type: 'ReviewEdited', data: { ...factsOf(state), rating, text, previousRating: state.rating, editedAt: now } }];
}

function existing(state: ReviewState, reviewId: string): Review {
  if (state.status === 'none') throw new NotFoundError(`There is no review ${reviewId}.`, { reviewId });
  return state;
}

function factsOf(review: Review): ReviewFacts {
  const { reviewId, productId, shopId, sellerId, buyerId } = review;
  return { reviewId, productId, shopId, sellerId, buyerId };
}
