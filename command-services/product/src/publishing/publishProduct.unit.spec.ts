import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import { productDecider } from '../productDecider';
import { L, M, admin, adminId, archived, level, listed, now, otherSeller, productId, published, removed, seller, unpublished } from '../testing/productBuilders';
import type { ProductActor } from '../guards';

const spec = DeciderSpecification.for(productDecider);
const publish = (actor: ProductActor = seller) => ({ type: 'PublishProduct' as const, data: { productId, actor, now } });
const unpublish = (actor: ProductActor = seller) => ({ type: 'UnpublishProduct' as const, data: { productId, actor, now } });
const archive = (actor: ProductActor = seller) => ({ type: 'ArchiveProduct' as const, data: { productId, actor, now } });
const remove = (reason = 'Counterfeit: the brand owner complained.') => ({ type: 'RemoveProduct' as const, data: { productId, adminId, reason, now } });

describe('publishing a product', () => {
  it('publishes a draft, and an unpublished product', () => {
    spec.given([listed()]).when(publish()).then([published()]);
    spec.given([listed(), published(), unpublished()]).when(publish()).then([published()]);
  });

  it('publishes a product with no stock: it shows as sold out', () => spec.given([listed(undefined, [level(M, 0), level(L, 0)])]).when(publish()).then([published()]));

  it('lets an admin publish it', () => spec.given([listed()]).when(publish(admin)).then([published(adminId)]));

  it('treats publishing a published product as done', () => spec.given([listed(), published()]).when(publish()).thenNothingHappened());

  it('refuses to publish an archived or removed product', () => {
    spec.given([listed(), published(), archived()]).when(publish()).thenThrows(IllegalStateError, /was archived by its seller, which is final; you cannot publish it\. List it again as a new product instead\./);
    spec.given([listed(), removed()]).when(publish(admin)).thenThrows(IllegalStateError, /was removed by an admin \(Counterfeit: the brand owner complained\.\), which is final; you cannot publish it/);
  });
});

describe('unpublishing a product', () => {
  it('takes a published product off the storefront', () => spec.given([listed(), published()]).when(unpublish()).then([unpublished()]));

  it('treats unpublishing what is not on the storefront as done', () => {
    spec.given([listed(), published(), unpublished()]).when(unpublish()).thenNothingHappened();
    spec.given([listed()]).when(unpublish()).thenNothingHappened();
    spec.given([listed(), archived()]).when(unpublish()).thenNothingHappened();
    spec.given([listed(), removed()]).when(unpublish()).thenNothingHappened();
  });
});

describe('archiving a product (the seller\'s delete)', () => {
  it('archives a draft, a published and an unpublished product', () => {
    spec.given([listed()]).when(archive()).then([archived()]);
    spec.given([listed(), published()]).when(archive()).then([archived()]);
    spec.given([listed(), published(), unpublished()]).when(archive(admin)).then([archived(adminId)]);
  });

  it('treats archiving an archived or removed product as done', () => {
    spec.given([listed(), archived()]).when(archive()).thenNothingHappened();
    spec.given([listed(), removed()]).when(archive()).thenNothingHappened();
  });
});

describe('removing a product (an admin\'s decision)', () => {
  it('removes a product in any place, with the reason trimmed', () => {
    spec.given([listed()]).when(remove('  Counterfeit: the brand owner complained. ')).then([removed()]);
    spec.given([listed(), published()]).when(remove()).then([removed()]);
  });

  it('removes an archived product too, so that the reason is on record', () => spec.given([listed(), archived()]).when(remove()).then([removed()]));

  it('treats removing a removed product as done', () => spec.given([listed(), removed()]).when(remove('Another reason.')).thenNothingHappened());

  it('refuses a removal without a reason', () => spec.given([listed()]).when(remove('  ')).thenThrows(ValidationError, /Say why the product is removed/));
});

describe('any change of place', () => {
  it.each([publish(otherSeller), unpublish(otherSeller), archive(otherSeller), publish({ id: seller.id, role: 'buyer' })])('is refused to anyone but its seller or an admin: $type', (command) =>
    spec.given([listed(), published()]).when(command).thenThrows(ForbiddenError, /Only the seller of product .* \(or an admin\) can change it/));

  it.each([publish(), unpublish(), archive(), remove()])('refuses a product that does not exist: $type', (command) =>
    spec.given([]).when(command).thenThrows(NotFoundError, `There is no product ${productId}.`));
});
