import { SLUG_PATTERN, slugOf } from './slug';

const id = '0193a5c2-7d4e-4000-8000-3f9a1c2b7d4e';
const shop = { fallback: 'shop' };

describe('the slug of a name', () => {
  it.each([
    ['Mim Fashion House', 'mim-fashion-house'],
    ['  MIM   fashion—house!! ', 'mim-fashion-house'],
    ['Café Dhaka', 'cafe-dhaka'],
    ["Rahim's Books & Stationery", 'rahim-s-books-stationery'],
    ['Shop 24/7', 'shop-24-7'],
    ['abc', 'abc'],
  ])('gives a Latin name its words: %s', (name, slug) => expect(slugOf(name, id, shop)).toBe(slug));

  it.each([
    ['মিম ফ্যাশন', 'shop-3f9a1c2b7d4e'],
    ['মিম Fashion', 'fashion-3f9a1c2b7d4e'],
    ['আড়ং ২৪', 'shop-3f9a1c2b7d4e'],
  ])('gives a name in Bangla its Latin words (or the fallback word) and the tail of the id: %s', (name, slug) => expect(slugOf(name, id, shop)).toBe(slug));

  it('falls back to the id for a Latin name with too few letters and digits', () => expect(slugOf('A & B', id, shop)).toBe('a-b-3f9a1c2b7d4e'));

  it('takes the fallback word and the minimum length from the rule', () => {
    expect(slugOf('শাড়ি', id, { fallback: 'category' })).toBe('category-3f9a1c2b7d4e');
    expect(slugOf('TV', id, { fallback: 'category', minCharacters: 2 })).toBe('tv');
    expect(slugOf('TV', id, { fallback: 'category' })).toBe('tv-3f9a1c2b7d4e');
  });

  it('gives two Bangla names alike different slugs', () =>
    expect(slugOf('মিম ফ্যাশন', '0193a5c2-7d4e-4000-8000-000000000001', shop)).not.toBe(slugOf('মিম ফ্যাশন', '0193a5c2-7d4e-4000-8000-000000000002', shop)));

  it('always gives lower-case ASCII letters, digits and single dashes', () => {
    for (const name of ['Mim Fashion House', 'মিম ফ্যাশন', '--Ünïcødé--Shop--', 'ℌ𝔢𝔩𝔩𝔬 Store', 'Ærø Shop', '日本の店']) expect(slugOf(name, id, shop)).toMatch(SLUG_PATTERN);
  });

  it('needs a UUID to make a slug unique', () => expect(() => slugOf('মিম', 'shop-1', shop)).toThrow("A slug's id must be a UUID, got 'shop-1'."));
});
