import { ConflictError, IllegalStateError, NotFoundError, ValidationError, fold } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import { adminId, clothing, created, electronics, moved, now, renamed, retired, saree, silk, tree } from '../testing/categoryBuilders';
import { categoryPath, categoryProblem, categoryTreeDecider, childrenOf, isOpenCategory, type CategoryCommand, type CreateCategory } from './categoryTreeDecider';

const spec = DeciderSpecification.for(categoryTreeDecider);
const newId = '0193a5c2-0000-4000-8000-3f9a1c2b7d4e';
const create = (overrides: Partial<CreateCategory['data']> = {}): CategoryCommand => ({
  type: 'CreateCategory',
  data: { categoryId: newId, name: 'Panjabi', slug: null, parentId: clothing.categoryId, adminId, now, ...overrides },
});
const rename = (categoryId: string, name: string, slug?: string | null): CategoryCommand => ({ type: 'RenameCategory', data: { categoryId, name, slug, adminId, now } });
const move = (categoryId: string, parentId: string | null): CategoryCommand => ({ type: 'MoveCategory', data: { categoryId, parentId, adminId, now } });
const retire = (categoryId: string): CategoryCommand => ({ type: 'RetireCategory', data: { categoryId, adminId, now } });
const panjabi = { categoryId: newId, name: 'Panjabi', slug: 'panjabi' };

describe('creating a category', () => {
  it('creates one under a parent, its slug derived from the name', () => spec.given(tree()).when(create()).then([created(panjabi, clothing.categoryId)]));

  it('creates a top-level one', () => spec.given([]).when(create({ parentId: null })).then([created(panjabi)]));

  it('tidies the name and derives the slug from it', () =>
    spec.given([]).when(create({ name: "  Women's   Saree ", parentId: null })).then([created({ categoryId: newId, name: "Women's Saree", slug: 'women-s-saree' })]));

  it('derives a slug from the id for a name with no Latin letters, and from its Latin words for a mixed one', () => {
    spec.given([]).when(create({ name: 'শাড়ি', parentId: null })).then([created({ categoryId: newId, name: 'শাড়ি', slug: 'category-3f9a1c2b7d4e' })]);
    spec.given([]).when(create({ name: 'শাড়ি Saree', parentId: null })).then([created({ categoryId: newId, name: 'শাড়ি Saree', slug: 'saree-3f9a1c2b7d4e' })]);
  });

  it('takes a two-letter name and its slug', () => spec.given([]).when(create({ name: 'TV', parentId: null })).then([created({ categoryId: newId, name: 'TV', slug: 'tv' })]));

  it('takes the slug given', () => spec.given(tree()).when(create({ slug: ' mens-panjabi ' })).then([created({ ...panjabi, slug: 'mens-panjabi' }, clothing.categoryId)]));

  it('refuses a slug that is not lower-case words and dashes, or too long', () => {
    for (const slug of ['Mens-Panjabi', 'mens--panjabi', '-panjabi', 'পাঞ্জাবি', 'a'.repeat(61), '']) {
      spec.given([]).when(create({ slug, parentId: null })).thenThrows(ValidationError, /must be lower-case letters a-z and digits in words joined by single dashes/);
    }
  });

  it('refuses a derived slug longer than 60 characters, asking for one', () =>
    spec
      .given([])
      .when(create({ name: `শাড়ি ${'Handloom Jamdani '.repeat(3)}`.slice(0, 60), parentId: null }))
      .thenThrows(ValidationError, /^The slug derived from the name, ".*", is longer than 60 characters; pass a shorter slug\.$/));

  it('refuses a name shorter than 2 or longer than 60 characters once tidied', () => {
    spec.given([]).when(create({ name: '  P ' })).thenThrows(ValidationError, 'A category name needs 2 to 60 characters besides spaces around it; "P" has 1.');
    spec.given([]).when(create({ name: 'x'.repeat(61) })).thenThrows(ValidationError, /has 61\.$/);
  });

  it('refuses a slug another category has, retired ones included', () => {
    spec.given(tree()).when(create({ name: 'Saree' , parentId: electronics.categoryId })).thenThrows(ConflictError, `The slug "saree" belongs to the category "Saree" (${saree.categoryId}); pass another slug.`);
    spec
      .given([...tree(), retired(silk)])
      .when(create({ name: 'Silk Saree', parentId: null }))
      .thenThrows(ConflictError, `The slug "silk-saree" belongs to the category "Silk Saree", retired, (${silk.categoryId}); pass another slug.`);
  });

  it('refuses a name its new siblings have, in any case', () =>
    spec
      .given(tree())
      .when(create({ name: 'SAREE', slug: 'saree-2', parentId: clothing.categoryId }))
      .thenThrows(ConflictError, `There is already a category "Saree" under "Clothing" (${saree.categoryId}); give this one another name or put it elsewhere.`));

  it('refuses a parent that does not exist or is retired', () => {
    spec.given([]).when(create()).thenThrows(NotFoundError, `There is no category ${clothing.categoryId} to put it under; pick an existing parent, or none for a top-level category.`);
    spec.given([...tree(), retired(electronics)]).when(create({ parentId: electronics.categoryId })).thenThrows(IllegalStateError, 'The category "Electronics" is retired and takes no new subcategories; pick another parent.');
  });

  it('treats the same creation retried as done', () => spec.given([...tree(), created(panjabi, clothing.categoryId)]).when(create()).thenNothingHappened());

  it('refuses an id that is taken with other data', () =>
    spec.given([...tree(), created(panjabi, clothing.categoryId)]).when(create({ parentId: null })).thenThrows(IllegalStateError, `Category ${newId} already exists ("Panjabi"); a new category needs a new id.`));
});

describe('renaming a category', () => {
  it('renames it, deriving the slug from the new name', () => spec.given(tree()).when(rename(saree.categoryId, 'Sarees')).then([renamed(saree, { name: 'Sarees', slug: 'sarees' })]));

  it('keeps the slug when it is given', () => spec.given(tree()).when(rename(saree.categoryId, 'Sarees', 'saree')).then([renamed(saree, { name: 'Sarees', slug: 'saree' })]));

  it('changes nothing when name and slug are what they were', () => spec.given(tree()).when(rename(saree.categoryId, '  Saree ')).thenNothingHappened());

  it('refuses a slug another category has', () =>
    spec.given(tree()).when(rename(saree.categoryId, 'Gadgets', 'electronics')).thenThrows(ConflictError, /The slug "electronics" belongs to the category "Electronics"/));

  it('refuses a retired category', () =>
    spec.given([...tree(), retired(electronics)]).when(rename(electronics.categoryId, 'Gadgets')).thenThrows(IllegalStateError, 'Category "Electronics" is retired, so you cannot rename it'));

  it('refuses a category that does not exist', () => spec.given([]).when(rename(saree.categoryId, 'Sarees')).thenThrows(NotFoundError, `There is no category ${saree.categoryId}.`));
});

describe('moving a category', () => {
  it('moves it under another parent, or to the top', () => {
    spec.given(tree()).when(move(silk.categoryId, clothing.categoryId)).then([moved(silk, clothing.categoryId, saree.categoryId)]);
    spec.given(tree()).when(move(saree.categoryId, null)).then([moved(saree, null, clothing.categoryId)]);
  });

  it('changes nothing when it is under that parent already', () => spec.given(tree()).when(move(silk.categoryId, saree.categoryId)).thenNothingHappened());

  it('refuses to put a category under itself or its descendants, naming the cycle', () => {
    spec.given(tree()).when(move(saree.categoryId, saree.categoryId)).thenThrows(IllegalStateError, 'Category "Saree" cannot be put under itself.');
    spec
      .given(tree())
      .when(move(clothing.categoryId, silk.categoryId))
      .thenThrows(IllegalStateError, 'Moving "Clothing" under "Silk Saree" would make a cycle: "Silk Saree" is inside "Clothing" (Clothing > Saree > Silk Saree). Move "Silk Saree" out first, or pick another parent.');
  });

  it('refuses a parent that does not exist or is retired, and a retired category', () => {
    spec.given(tree()).when(move(silk.categoryId, newId)).thenThrows(NotFoundError, /There is no category .* to put it under/);
    spec.given([...tree(), retired(electronics)]).when(move(silk.categoryId, electronics.categoryId)).thenThrows(IllegalStateError, /"Electronics" is retired and takes no new subcategories/);
    spec.given([...tree(), retired(silk)]).when(move(silk.categoryId, clothing.categoryId)).thenThrows(IllegalStateError, 'Category "Silk Saree" is retired, so you cannot move it');
  });

  it('refuses a move beside a category of the same name', () =>
    spec.given([...tree(), created({ ...panjabi, name: 'Silk Saree', slug: 'silk-saree-2' }, clothing.categoryId)]).when(move(silk.categoryId, clothing.categoryId)).thenThrows(ConflictError, /already a category "Silk Saree" under "Clothing"/));
});

describe('retiring a category', () => {
  it('retires a category with no open subcategories', () => {
    spec.given(tree()).when(retire(silk.categoryId)).then([retired(silk)]);
    spec.given([...tree(), retired(silk)]).when(retire(saree.categoryId)).then([retired(saree)]);
  });

  it('refuses while subcategories are open, listing them', () =>
    spec
      .given([...tree(), created(panjabi, clothing.categoryId)])
      .when(retire(clothing.categoryId))
      .thenThrows(IllegalStateError, `Category "Clothing" still has subcategories that are not retired: "Saree" (${saree.categoryId}), "Panjabi" (${newId}). Retire them, or move them elsewhere, first.`));

  it('treats retiring a retired category as done', () => spec.given([...tree(), retired(electronics)]).when(retire(electronics.categoryId)).thenNothingHappened());

  it('refuses a category that does not exist', () => spec.given([]).when(retire(newId)).thenThrows(NotFoundError));
});

describe('asking the tree about a category', () => {
  const state = fold(categoryTreeDecider, [...tree(), retired(electronics)]);

  it('says whether a product can be put in it, and why not', () => {
    expect(categoryProblem(state, silk.categoryId)).toBeNull();
    expect(isOpenCategory(state, silk.categoryId)).toBe(true);
    expect(categoryProblem(state, electronics.categoryId)).toBe('The category "Electronics" is retired and takes no new products; pick another.');
    expect(isOpenCategory(state, electronics.categoryId)).toBe(false);
    expect(categoryProblem(state, newId)).toBe(`There is no category ${newId}; pick one of the marketplace's categories.`);
  });

  it('gives its path from the root, and its subcategories', () => {
    expect(categoryPath(state, silk.categoryId).map((c) => c.name)).toEqual(['Clothing', 'Saree', 'Silk Saree']);
    expect(categoryPath(state, newId)).toEqual([]);
    expect(childrenOf(state, clothing.categoryId).map((c) => c.name)).toEqual(['Saree']);
  });
});
