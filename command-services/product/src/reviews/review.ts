/**
 * A buyer's review of a product: a rating from 1 to 5 and text, one per buyer and product (the
 * stream id is derived from both, so a second review is an append to a stream that exists, and
 * two racing first reviews cannot both win), editable by its author; the shop's seller may reply;
 * an admin may hide it with a reason (and show it again). Stream `review-<uuid v5 of product and buyer>`.
 */
import { nameBasedId } from '@bdbazar/shared-kernel';

/** The facts every review event repeats. */
export interface ReviewFacts {
  reviewId: string;
  productId: string;
  shopId: string;
  sellerId: string;
  buyerId: string;
}

export type ReviewEvent =
  | { type: 'ReviewWritten'; data: ReviewFacts & { rating: number; text: string; writtenAt: string } }
  | { type: 'ReviewEdited'; data: ReviewFacts & { rating: number; text: string; previousRating: number; editedAt: string } }
  | { type: 'ReviewReplied'; data: ReviewFacts & { reply: string; repliedBy: string; repliedAt: string } }
  | { type: 'ReviewHidden'; data: ReviewFacts & { rating: number; reason: string; hiddenBy: string; hiddenAt: string } }
  | { type: 'ReviewShown'; data: ReviewFacts & { rating: number; shownBy: string; shownAt: string } };

export interface Review extends ReviewFacts {
  rating: number;
  text: string;
  reply: string | null;
  hidden: boolean;
  hiddenReason: string | null;
}

export type ReviewState = { status: 'none' } | ({ status: 'written' } & Review);

export const initialReviewState = (): ReviewState => ({ status: 'none' });

/** The namespace of review ids (a UUID v5 namespace of our own). */
const REVIEW_NAMESPACE = '6f1d3b7e-2c4a-5e8f-9a1b-3c5d7e9f1a2b';

/** The one review id of a buyer's review of a product: a name-based UUID (v5) of both. */
export function reviewIdOf(productId: string, buyerId: string): string {
  return nameBasedId(REVIEW_NAMESPACE, `${productId.toLowerCase()}:${buyerId.toLowerCase()}`);
}

export const reviewStreamId = (reviewId: string): string => `review-${reviewId}`;

export function evolveReview(state: ReviewState, event: ReviewEvent): ReviewState {
  if (event.type === 'ReviewWritten') {
    const { reviewId, productId, shopId, sellerId, buyerId, rating, text } = event.data;
    return { status: 'written', reviewId, productId, shopId, sellerId, buyerId, rating, text, reply: null, hidden: false, hiddenReason: null };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ReviewEdited':
      return { ...state, rating: event.data.rating, text: event.data.text };
    case 'ReviewReplied':
      return { ...state, reply: event.data.reply };
    case 'ReviewHidden':
      return { ...state, hidden: true, hiddenReason: event.data.reason };
    case 'ReviewShown':
      return { ...state, hidden: false, hiddenReason: null };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
