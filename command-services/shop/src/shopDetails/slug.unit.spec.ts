import { SLUG_PATTERN, slugOf } from './slug';

const shopId = '0193a5c2-7d4e-4000-8000-3f9a1c2b7d4e';

describe('the slug of a shop name', () => {
  it.each([
    ['Mim Fashion House', 'mim-fashion-house'],
    ['  MIM   fashion—house!! ', 'mim-fashion-house'],
    ['Café Dhaka', 'cafe-dhaka'],
    ["Rahim's Books & Stationery", 'rahim-s-books-stationery'],
    ['Shop 24/7', 'shop-24-7'],
    ['abc', 'abc'],
  ])('gives a Latin name its words: %s', (name, slug) => expect(slugOf(name, shopId)).toBe(slug));

  it.each([
    ['মিম ফ্যাশন', 'shop-3f9a1c2b7d4e'],
    ['মিম Fashion', 'fashion-3f9a1c2b7d4e'],
    ['আড়ং ২৪', 'shop-3f9a1c2b7d4e'],
  ])('gives a name in Bangla its Latin words (or "shop") and the tail of the shop id: %s', (name, slug) => expect(slugOf(name, shopId)).toBe(slug));

  it('falls back to the id for a Latin name with too few letters and digits', () => expect(slugOf('A & B', shopId)).toBe('a-b-3f9a1c2b7d4e'));

  it('gives two Bangla shops of one name different slugs', () =>
    expect(slugOf('মিম ফ্যাশন', '0193a5c2-7d4e-4000-8000-000000000001')).not.toBe(slugOf('মিম ফ্যাশন', '0193a5c2-7d4e-4000-8000-000000000002')));

  it('always gives lower-case ASCII letters, digits and single dashes', () => {
    for (const name of ['Mim Fashion House', 'মিম ফ্যাশন', '--Ünïcødé--Shop--', 'ℌ𝔢𝔩𝔩𝔬 Store', 'Ærø Shop', '日本の店']) expect(slugOf(name, shopId)).toMatch(SLUG_PATTERN);
  });
});
