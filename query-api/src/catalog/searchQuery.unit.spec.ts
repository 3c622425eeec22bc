import { MAX_SEARCH_WORDS, searchWords, textQuery } from './searchQuery';

describe('the words of a search', () => {
  it('keeps letters, marks and digits of any script, lower-case, each word once', () => {
    expect(searchWords("Men's  COTTON t-shirt, 2-pack! cotton")).toEqual(['men', 's', 'cotton', 't', 'shirt', '2', 'pack']);
    // Vowel signs and the virama are marks: Bangla words stay whole.
    expect(searchWords('লাল শাড়ি, জামদানি।')).toEqual(['লাল', 'শাড়ি', 'জামদানি']);
    expect(searchWords(' !? ')).toEqual([]);
  });

  it('normalises to NFC, as the catalogue indexes titles', () => {
    expect(searchWords('শা\u09dcি')).toEqual(['শা\u09a1\u09bcি']);
  });

  it(`uses at most ${MAX_SEARCH_WORDS} words`, () => {
    expect(searchWords('a b c d e f g h i j')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });
});

describe('the text query', () => {
  it('binds every word as a parameter and never puts it into the SQL', () => {
    const query = textQuery(['shirts', "o'neill"]);
    expect(query.sql).not.toContain('shirts');
    expect(query.sql).not.toContain('neill');
    expect(query.sql.split('?').length - 1).toBe(query.bindings.length);
    expect(query.bindings.slice(0, 3)).toEqual(["'shirts'", "'shirts'", "'shirts':*"]);
    expect(query.bindings).toContain("'o''neill':*");
  });
});
