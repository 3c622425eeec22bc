import { ForbiddenError, NotFoundError, ValidationError } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import { adminId, buyerId, now, otherSellerId, productId, sellerId, shopId } from '../testing/productBuilders';
import { edited, hidden, replied, reviewId, shown, written } from '../testing/reviewBuilders';
import { reviewIdOf } from './review';
import { reviewDecider, type ReviewCommand, type WriteReview } from './reviewDecider';

const spec = DeciderSpecification.for(reviewDecider);
const write = (rating = 4, text: string | null | undefined = 'Soft and true to size.', overrides: Partial<WriteReview['data']> = {}): ReviewCommand => ({
  type: 'WriteReview',
  data: { reviewId, productId, shopId, sellerId, buyerId, rating, text, now, ...overrides },
});
const reply = (text = 'Thank you for shopping with us!', actor: { id: string; role: 'buyer' | 'seller' | 'admin' } = { id: sellerId, role: 'seller' }): ReviewCommand => ({
  type: 'ReplyToReview',
  data: { reviewId, actor, reply: text, now },
});
const hide = (reason = 'Abusive language.'): ReviewCommand => ({ type: 'HideReview', data: { reviewId, adminId, reason, now } });
const show: ReviewCommand = { type: 'ShowReview', data: { reviewId, adminId, now } };

describe('writing a review', () => {
  it('records the rating and the text, trimmed', () => spec.given([]).when(write(4, '  Soft and true to size. ')).then([written()]));

  it('takes a rating alone', () => {
    spec.given([]).when(write(5, null)).then([written(5, '')]);
    spec.given([]).when(write(5, 'x', { text: undefined })).then([written(5, '')]);
    spec.given([]).when(write(5, '   ')).then([written(5, '')]);
  });

  it('refuses a rating that is not a whole number from 1 to 5', () => {
    for (const rating of [0, 6, 3.5, Number.NaN]) spec.given([]).when(write(rating)).thenThrows(ValidationError, `rating must be a whole number from 1 to 5; got ${rating}.`);
  });

  it('refuses text longer than 4000 characters', () => spec.given([]).when(write(4, 'x'.repeat(4001))).thenThrows(ValidationError, "A review's text may have at most 4000 characters; it has 4001."));

  it("edits the buyer's review when they write again, recording the rating it replaces", () => {
    spec.given([written()]).when(write(2, 'Shrank in the wash.')).then([edited(2, 'Shrank in the wash.', 4)]);
    spec.given([written(), edited(2, 'Shrank in the wash.', 4)]).when(write(3, 'Shrank in the wash.')).then([edited(3, 'Shrank in the wash.', 2)]);
  });

  it('keeps a hidden review hidden when it is edited', () => spec.given([written(), hidden()]).when(write(4, 'Soft.')).then([edited(4, 'Soft.', 4)]));

  it('changes nothing when the same review is written again', () => spec.given([written()]).when(write()).thenNothingHappened());

  it('refuses a review id that is not the one of this buyer and product', () =>
    expect(() => reviewDecider.decide(write(4, 'Soft.', { reviewId: reviewIdOf(productId, sellerId) }), reviewDecider.initialState())).toThrow(/is not the id of .* review of product/));
});

describe('replying to a review', () => {
  it("records the seller's reply, trimmed, and replaces an earlier one", () => {
    spec.given([written()]).when(reply('  Thank you for shopping with us! ')).then([replied()]);
    spec.given([written(), replied()]).when(reply('Sorry, we will send a new one.')).then([replied('Sorry, we will send a new one.')]);
  });

  it('lets an admin reply', () => spec.given([written()]).when(reply('Thank you.', { id: adminId, role: 'admin' })).then([replied('Thank you.', adminId)]));

  it('changes nothing when the reply is the one already there', () => spec.given([written(), replied()]).when(reply()).thenNothingHappened());

  it('refuses another seller and the buyer', () => {
    spec.given([written()]).when(reply('Buy ours instead.', { id: otherSellerId, role: 'seller' })).thenThrows(ForbiddenError, `Only the seller of product ${productId} (or an admin) can reply to its reviews.`);
    spec.given([written()]).when(reply('Me again.', { id: buyerId, role: 'buyer' })).thenThrows(ForbiddenError);
  });

  it('refuses a blank reply or one longer than 2000 characters', () => {
    spec.given([written()]).when(reply('  ')).thenThrows(ValidationError, 'A reply needs 1 to 2000 characters besides spaces around it; it has 0.');
    spec.given([written()]).when(reply('x'.repeat(2001))).thenThrows(ValidationError, /it has 2001\.$/);
  });
});

describe('hiding and showing a review', () => {
  it('hides a review with its reason, and shows it again', () => {
    spec.given([written()]).when(hide('  Abusive language. ')).then([hidden()]);
    spec.given([written(), edited(2, 'Rude words.', 4)]).when(hide()).then([hidden(2)]);
    spec.given([written(), hidden()]).when(show).then([shown()]);
  });

  it('treats hiding a hidden review and showing a shown one as done', () => {
    spec.given([written(), hidden()]).when(hide('Another reason.')).thenNothingHappened();
    spec.given([written()]).when(show).thenNothingHappened();
    spec.given([written(), hidden(), shown()]).when(show).thenNothingHappened();
  });

  it('refuses to hide without a reason', () => spec.given([written()]).when(hide(' ')).thenThrows(ValidationError, /^Say why the review is hidden/));
});

describe('any review command', () => {
  it.each([reply(), hide(), show])('refuses a review that does not exist: $type', (command) => spec.given([]).when(command).thenThrows(NotFoundError, `There is no review ${reviewId}.`));
});
