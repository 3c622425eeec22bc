import { ForbiddenError, IllegalStateError, NotFoundError } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import type { ProductDetails, ProductEvent, ProductStatus, StockLevel } from '../product';
import { productDecider } from '../productDecider';
import { L, M, admin, adminId, archived, details, facts, level, listed, now, otherSeller, productId, published, removed, reserved, seller, sellerId, unpublished, variant } from '../testing/productBuilders';
import type { ProductActor } from '../guards';

const spec = DeciderSpecification.for(productDecider);
const S = 'TS-RED-S';
const retitled = details({ title: 'Combed Cotton T-shirt' });
const change = (d: ProductDetails = retitled, actor: ProductActor = seller, openingStock: Record<string, number> = {}) => ({
  type: 'ChangeProductDetails' as const,
  data: { productId, actor, details: d, openingStock, now },
});
const changed = (d: ProductDetails, status: ProductStatus, stock: StockLevel[], added: string[] = [], removedSkus: string[] = [], by = sellerId): ProductEvent => ({
  type: 'ProductDetailsChanged',
  data: { ...facts, ...d, status, addedSkus: added, removedSkus, stock, changedBy: by, changedAt: now },
});

describe('changing a product', () => {
  it('replaces the details, keeping the stock and the place on the storefront', () => {
    spec.given([listed()]).when(change()).then([changed(retitled, 'draft', [level(M, 10), level(L, 5)])]);
    spec.given([listed(), published()]).when(change()).then([changed(retitled, 'published', [level(M, 10), level(L, 5)])]);
    spec.given([listed(), published(), unpublished()]).when(change()).then([changed(retitled, 'unpublished', [level(M, 10), level(L, 5)])]);
  });

  it('matches variants by SKU: a kept one keeps its stock and reservations, a new one starts at its opening stock, a dropped one goes', () => {
    const small = variant({ sku: S, options: { colour: 'Red', size: 'S' } });
    const next = details({ variants: [small, variant()] });
    spec
      .given([listed(), published(), reserved([{ sku: M, quantity: 2 }], [level(M, 10, 2)])])
      .when(change(next, seller, { [S]: 7, [L]: 99 }))
      .then([changed(next, 'published', [level(S, 7), level(M, 10, 2)], [S], [L])]);
  });

  it('starts a new variant the opening stock leaves out at 0', () => {
    const next = details({ variants: [variant(), variant({ sku: S, options: { colour: 'Red', size: 'S' } })] });
    spec.given([listed()]).when(change(next)).then([changed(next, 'draft', [level(M, 10), level(S, 0)], [S], [L])]);
  });

  it('refuses to drop a variant that orders hold stock of, saying how much', () =>
    spec
      .given([listed(), published(), reserved([{ sku: L, quantity: 3 }], [level(L, 5, 3)])])
      .when(change(details({ variants: [variant()] })))
      .thenThrows(IllegalStateError, 'Orders still hold stock of TS-RED-L (3 held), so that variant cannot be removed yet; remove it once those orders have shipped or been cancelled.'));

  it('lets an admin change it, recording who did', () => spec.given([listed()]).when(change(retitled, admin)).then([changed(retitled, 'draft', [level(M, 10), level(L, 5)], [], [], adminId)]));

  it('changes nothing when nothing changed, whatever the order of the keys', () => {
    const { variants, ...rest } = details();
    const reordered = { variants: variants.map(({ price, ...v }) => ({ price, ...v })), ...rest } as ProductDetails;
    spec.given([listed()]).when(change(reordered)).thenNothingHappened();
  });

  it('refuses another seller, and a buyer', () => {
    spec.given([listed()]).when(change(retitled, otherSeller)).thenThrows(ForbiddenError, /Only the seller of product .* \(or an admin\) can change it/);
    spec.given([listed()]).when(change(retitled, { id: sellerId, role: 'buyer' })).thenThrows(ForbiddenError);
  });

  it('refuses an archived or removed product, saying so', () => {
    spec.given([listed(), archived()]).when(change()).thenThrows(IllegalStateError, /was archived by its seller, which is final; you cannot change its details/);
    spec.given([listed(), removed()]).when(change()).thenThrows(IllegalStateError, /was removed by an admin \(Counterfeit: the brand owner complained\.\), which is final; you cannot change its details/);
  });

  it('refuses a product that does not exist', () => spec.given([]).when(change()).thenThrows(NotFoundError, `There is no product ${productId}.`));
});
