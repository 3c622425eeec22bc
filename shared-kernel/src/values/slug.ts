/**
 * A slug, the part of a web address that names a thing (`/shops/mim-fashion-house`,
 * `/categories/saree`), derived from its name. Shops and categories share the rule.
 *
 * The rule:
 *  1. Accents are dropped (`Café` gives `cafe`), letters lower-cased, and every run of anything
 *     but `a-z` and `0-9` becomes one dash, with none at either end.
 *  2. A name written wholly in Latin letters, digits, spaces and punctuation gets just that:
 *     `Mim Fashion House` gives `mim-fashion-house`, and whoever owns the slugs keeps them
 *     unique, so a second thing of that name (in any case or spacing) is refused.
 *  3. A name in another script (Bangla) cannot be transliterated faithfully without a dictionary,
 *     and `মিম Fashion` and `রুপা Fashion` must not fight over `fashion`. Its slug is the Latin
 *     words it has followed by the last 12 hex digits of its id, the random part of a v4 and of
 *     a v7 UUID: `মিম Fashion` gives `fashion-3f9a1c2b7d4e`, and `মিম ফ্যাশন`, which has no Latin
 *     words, gives the fallback word instead: `shop-3f9a1c2b7d4e`. Such a slug is unique by
 *     construction (and guarded all the same).
 *  4. So is a Latin name with fewer letters and digits than `minCharacters` (`A & B`): `a-b-<12 hex>`.
 */

/** Lower-case ASCII letters and digits, in words joined by single dashes. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface SlugRule {
  /** The word of a slug whose name has no Latin words: `shop` gives `shop-3f9a1c2b7d4e`. */
  fallback: string;
  /** Letters and digits a slug of words alone needs (3 unless told). */
  minCharacters?: number;
}

/** The slug of `name`; `id` (a UUID) makes it unique where the name alone cannot. */
export function slugOf(name: string, id: string, rule: SlugRule): string {
  const plain = name.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  const words = plain.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const otherScript = /[^\P{L}a-z]/u.test(plain);
  if (!otherScript && words.replace(/-/g, '').length >= (rule.minCharacters ?? 3)) return words;
  return `${words.length > 0 ? words : rule.fallback}-${idTail(id)}`;
}

function idTail(id: string): string {
  const hex = id.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`A slug's id must be a UUID, got '${id}'.`);
  return hex.slice(-12);
}
