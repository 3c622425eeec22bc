/**
 * The words of a storefront search and the PostgreSQL text-search query made of them. The user's
 * text never reaches SQL as SQL: it is cut into words here (letters, marks and digits of any
 * script, so Bangla words stay whole), and each word travels as a bound parameter.
 *
 * Every word must match, either in the 'english' configuration (word forms: shirts finds shirt,
 * running finds run) or as a prefix in the 'simple' one (শাড়ি finds শাড়িটি, shir finds shirt).
 * An English stop word ("the", "for") is left out, as PostgreSQL's own query parsers do, since the
 * catalogue does not index it (see projections/src/catalog/products.ts); a search of stop words
 * only matches them as prefixes instead.
 */
export const MAX_SEARCH_WORDS = 8;

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** The distinct words of a search, lower-case and normalised (NFC, as the catalogue indexes them), at most MAX_SEARCH_WORDS. */
export function searchWords(text: string): string[] {
  const words = text.normalize('NFC').toLowerCase().match(WORD) ?? [];
  return [...new Set(words)].slice(0, MAX_SEARCH_WORDS);
}

export interface Fragment {
  sql: string;
  bindings: unknown[];
}

/** A word as to_tsquery reads one operand: quoted (the words hold no quote, but a quote would be doubled). */
const quoted = (word: string): string => `'${word.replace(/'/g, "''")}'`;

/** The tsquery of the words, as an SQL expression with its bindings (the words must not be empty). */
export function textQuery(words: readonly string[]): Fragment {
  if (words.length === 0) throw new Error('textQuery needs at least one word.');
  const strictTerms: Fragment[] = words.map((word) => ({
    sql: `(case when numnode(to_tsquery('english', ?)) = 0 then ''::tsquery else to_tsquery('english', ?) || to_tsquery('simple', ?) end)`,
    bindings: [quoted(word), quoted(word), `${quoted(word)}:*`],
  }));
  const strict = join(strictTerms, ' && ');
  const loose = join(
    words.map((word) => ({ sql: `to_tsquery('simple', ?)`, bindings: [`${quoted(word)}:*`] })),
    ' && ',
  );
  return {
    sql: `(case when numnode(${strict.sql}) = 0 then ${loose.sql} else ${strict.sql} end)`,
    bindings: [...strict.bindings, ...loose.bindings, ...strict.bindings],
  };
}

export function join(fragments: readonly Fragment[], separator: string): Fragment {
  return { sql: fragments.map((f) => f.sql).join(separator), bindings: fragments.flatMap((f) => f.bindings) };
}
