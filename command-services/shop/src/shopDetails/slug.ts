/**
 * A shop's slug, the part of its web address that names it (`/shops/mim-fashion-house`), derived
 * from its name; never typed by the seller.
 *
 * The rule:
 *  1. Accents are dropped (`Café` gives `cafe`), letters lower-cased, and every run of anything
 *     but `a-z` and `0-9` becomes one dash, with none at either end.
 *  2. A name written wholly in Latin letters, digits, spaces and punctuation gets just that:
 *     `Mim Fashion House` gives `mim-fashion-house`, and the slug guard keeps it unique, so a
 *     second shop of that name (in any case or spacing) is refused.
 *  3. A name in another script (Bangla) cannot be transliterated faithfully without a dictionary,
 *     and `মিম Fashion` and `রুপা Fashion` must not fight over `fashion`. Its slug is the Latin
 *     words it has followed by the last 12 hex digits of the shop id, the random part of a v4 and
 *     of a v7 UUID: `মিম Fashion` gives `fashion-3f9a1c2b7d4e`, `মিম ফ্যাশন` gives
 *     `shop-3f9a1c2b7d4e`. Such a slug is unique by construction (and guarded all the same).
 *  4. So is a Latin name with fewer than 3 letters and digits (`A & B`): `shop-<12 hex>`.
 */

/** Lower-case ASCII letters and digits, in words joined by single dashes. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Letters and digits a slug of words alone needs. */
const MIN_SLUG_CHARACTERS = 3;

export function slugOf(name: string, shopId: string): string {
  const plain = name.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  const words = plain.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const otherScript = /[^\P{L}a-z]/u.test(plain);
  if (!otherScript && words.replace(/-/g, '').length >= MIN_SLUG_CHARACTERS) return words;
  return `${words.length > 0 ? words : 'shop'}-${idTail(shopId)}`;
}

function idTail(shopId: string): string {
  const hex = shopId.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`A shop id must be a UUID, got '${shopId}'.`);
  return hex.slice(-12);
}
