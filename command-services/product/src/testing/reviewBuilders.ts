/** Short "given" states for review tests: a buyer's review of the usual product and what follows it. */
import { reviewIdOf, type ReviewEvent, type ReviewFacts } from '../reviews/review';
import { adminId, buyerId, now, productId, sellerId, shopId } from './productBuilders';

export const reviewId = reviewIdOf(productId, buyerId);
export const reviewFacts: ReviewFacts = { reviewId, productId, shopId, sellerId, buyerId };

export const written = (rating = 4, text = 'Soft and true to size.'): ReviewEvent => ({ type: 'ReviewWritten', data: { ...reviewFacts, rating, text, writtenAt: now } });
export const edited = (rating: number, text: string, previousRating: number): ReviewEvent => ({ type: 'ReviewEdited', data: { ...reviewFacts, rating, text, previousRating, editedAt: now } });
export const replied = (reply = 'Thank you for shopping with us!', by = sellerId): ReviewEvent => ({ type: 'ReviewReplied', data: { ...reviewFacts, reply, repliedBy: by, repliedAt: now } });
export const hidden = (rating = 4, reason = 'Abusive language.'): ReviewEvent => ({ type: 'ReviewHidden', data: { ...reviewFacts, rating, reason, hiddenBy: adminId, hiddenAt: now } });
export const shown = (rating = 4): ReviewEvent => ({ type: 'ReviewShown', data: { ...reviewFacts, rating, shownBy: adminId, shownAt: now } });
