/**
 * The category tree's decider: an admin creates, renames, moves and retires categories (the
 * route has checked the admin role), and the helpers the product listing and the read side use
 * to ask the tree about a category.
 *
 * A slug is given, or derived from the name by the rule shops use (slugOf in the shared kernel):
 * `Women's Saree` gives `women-s-saree`, a name with no Latin words (`শাড়ি`) gives
 * `category-<last 12 hex digits of the id>`, a mixed one (`শাড়ি Saree`) its Latin words and the
 * id's tail. A rename without a slug derives it again from the new name; pass the current slug
 * to keep the category's address (the event carries the previous slug, so the read side can
 * redirect). Slugs are unique across the tree, retired categories included, since their
 * addresses still name them.
 */
import { ConflictError, IllegalStateError, NotFoundError, SLUG_PATTERN, ValidationError, slugOf, type Decider } from '@bdbazar/shared-kernel';
import { tidyText } from '../productDetails/productDetails';
import { evolveCategoryTree, initialCategoryTreeState, type Category, type CategoryEvent, type CategoryTreeState } from './categoryTree';

export const CATEGORY_NAME_MIN_LENGTH = 2;
export const CATEGORY_NAME_MAX_LENGTH = 60;
export const CATEGORY_SLUG_MAX_LENGTH = 60;

export type CreateCategory = {
  type: 'CreateCategory';
  /** `slug` null or absent: derived from the name. `parentId` null: a top-level category. */
  data: { categoryId: string; name: string; slug?: string | null; parentId: string | null; adminId: string; now: string };
};
/** `slug` null or absent: derived from the new name. */
export type RenameCategory = { type: 'RenameCategory'; data: { categoryId: string; name: string; slug?: string | null; adminId: string; now: string } };
export type MoveCategory = { type: 'MoveCategory'; data: { categoryId: string; parentId: string | null; adminId: string; now: string } };
export type RetireCategory = { type: 'RetireCategory'; data: { categoryId: string; adminId: string; now: string } };

export type CategoryCommand = CreateCategory | RenameCategory | MoveCategory | RetireCategory;

export function decideCategoryTree(command: CategoryCommand, state: CategoryTreeState): CategoryEvent[] {
  switch (command.type) {
    case 'CreateCategory':
      return createCategory(command.data, state);
    case 'RenameCategory':
      return renameCategory(command.data, state);
    case 'MoveCategory':
      return moveCategory(command.data, state);
    case 'RetireCategory':
      return retireCategory(command.data, state);
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const categoryTreeDecider: Decider<CategoryCommand, CategoryEvent, CategoryTreeState> = {
  initialState: initialCategoryTreeState,
  evolve: evolveCategoryTree,
  decide: decideCategoryTree,
};

function createCategory(data: CreateCategory['data'], state: CategoryTreeState): CategoryEvent[] {
  const { categoryId, parentId, adminId, now } = data;
  const name = categoryNameFrom(data.name);
  const slug = categorySlugFrom(data.slug, name, categoryId);
  const existing = state.categories[categoryId];
  if (existing) {
    // The same creation retried: nothing more to do.
    if (existing.name === name && existing.slug === slug && existing.parentId === parentId) return [];
    throw new IllegalStateError(`Category ${categoryId} already exists ("${existing.name}"); a new category needs a new id.`, { categoryId });
  }
  if (parentId !== null) openParent(state, parentId);
  uniqueSlug(state, slug, categoryId);
  uniqueAmongSiblings(state, name, parentId, categoryId);
  return [{ type: 'CategoryCreated', data: { categoryId, name, slug, parentId, createdBy: adminId, createdAt: now } }];
}

function renameCategory(data: RenameCategory['data'], state: CategoryTreeState): CategoryEvent[] {
  const { categoryId, adminId, now } = data;
  const category = existingCategory(state, categoryId);
  const name = categoryNameFrom(data.name);
  const slug = categorySlugFrom(data.slug, name, categoryId);
  if (category.name === name && category.slug === slug) return [];
  notRetired(category, 'rename it');
  uniqueSlug(state, slug, categoryId);
  uniqueAmongSiblings(state, name, category.parentId, categoryId);
  return [{ type: 'CategoryRenamed', data: { categoryId, name, slug, previousName: category.name, previousSlug: category.slug, renamedBy: adminId, renamedAt: now } }];
}

function moveCategory(data: MoveCategory['data'], state: CategoryTreeState): CategoryEvent[] {
  const { categoryId, parentId, adminId, now } = data;
  const category = existingCategory(state, categoryId);
  if (category.parentId === parentId) return [];
  notRetired(category, 'move it');
  if (parentId !== null) {
    if (parentId === categoryId) throw new IllegalStateError(`Category "${category.name}" cannot be put under itself.`, { categoryId, parentId });
    const parent = openParent(state, parentId);
    // From the new parent up to the root: the category must not be on that path.
    const above = categoryPath(state, parent.categoryId);
    const at = above.findIndex((c) => c.categoryId === categoryId);
    if (at >= 0) {
      const chain = above.slice(at).map((c) => c.name).join(' > ');
      throw new IllegalStateError(
        `Moving "${category.name}" under "${parent.name}" would make a cycle: "${parent.name}" is inside "${category.name}" (${chain}). Move "${parent.name}" out first, or pick another parent.`,
        { categoryId, parentId, cycle: above.slice(at).map((c) => c.categoryId) },
      );
    }
  }
  uniqueAmongSiblings(state, category.name, parentId, categoryId);
  return [{ type: 'CategoryMoved', data: { categoryId, parentId, previousParentId: category.parentId, movedBy: adminId, movedAt: now } }];
}

function retireCategory(data: RetireCategory['data'], state: CategoryTreeState): CategoryEvent[] {
  const { categoryId, adminId, now } = data;
  const category = existingCategory(state, categoryId);
  if (category.retired) return [];
  const open = childrenOf(state, categoryId).filter((child) => !child.retired);
  if (open.length > 0) {
    throw new IllegalStateError(
      `Category "${category.name}" still has subcategories that are not retired: ${open.map((c) => `"${c.name}" (${c.categoryId})`).join(', ')}. Retire them, or move them elsewhere, first.`,
      { categoryId, openChildren: open.map((c) => c.categoryId) },
    );
  }
  return [{ type: 'CategoryRetired', data: { categoryId, slug: category.slug, retiredBy: adminId, retiredAt: now } }];
}

/** A category name tidied (NFC, one space between words, none around), 2 to 60 characters. */
export function categoryNameFrom(value: string): string {
  const name = tidyText(value);
  const length = [...name].length;
  if (length < CATEGORY_NAME_MIN_LENGTH || length > CATEGORY_NAME_MAX_LENGTH) {
    throw new ValidationError(`A category name needs ${CATEGORY_NAME_MIN_LENGTH} to ${CATEGORY_NAME_MAX_LENGTH} characters besides spaces around it; "${name}" has ${length}.`, { field: 'name' });
  }
  return name;
}

/** The slug given (checked), or one derived from the name. */
export function categorySlugFrom(given: string | null | undefined, name: string, categoryId: string): string {
  if (given !== null && given !== undefined) {
    const slug = given.trim();
    if (!SLUG_PATTERN.test(slug) || slug.length > CATEGORY_SLUG_MAX_LENGTH) {
      throw new ValidationError(
        `slug "${slug}" must be lower-case letters a-z and digits in words joined by single dashes (such as "womens-saree"), at most ${CATEGORY_SLUG_MAX_LENGTH} characters.`,
        { field: 'slug' },
      );
    }
    return slug;
  }
  const slug = slugOf(name, categoryId, { fallback: 'category', minCharacters: 2 });
  if (slug.length > CATEGORY_SLUG_MAX_LENGTH) {
    throw new ValidationError(`The slug derived from the name, "${slug}", is longer than ${CATEGORY_SLUG_MAX_LENGTH} characters; pass a shorter slug.`, { field: 'slug' });
  }
  return slug;
}

/**
 * Why a product cannot be put in this category (it does not exist, it is retired), in words a
 * seller can act on; null when it can.
 */
export function categoryProblem(state: CategoryTreeState, categoryId: string): string | null {
  const category = state.categories[categoryId];
  if (!category) return `There is no category ${categoryId}; pick one of the marketplace's categories.`;
  if (category.retired) return `The category "${category.name}" is retired and takes no new products; pick another.`;
  return null;
}

/** Whether the category exists and is not retired: it takes products and subcategories. */
export function isOpenCategory(state: CategoryTreeState, categoryId: string): boolean {
  return categoryProblem(state, categoryId) === null;
}

/** The category and its ancestors, from the root down to it (for breadcrumbs); [] if there is no such category. */
export function categoryPath(state: CategoryTreeState, categoryId: string): Category[] {
  const path: Category[] = [];
  const seen = new Set<string>();
  for (let current = state.categories[categoryId]; current && !seen.has(current.categoryId); current = current.parentId === null ? undefined : state.categories[current.parentId]) {
    seen.add(current.categoryId);
    path.unshift(current);
  }
  return path;
}

/** The category's direct subcategories, retired ones included. */
export function childrenOf(state: CategoryTreeState, categoryId: string): Category[] {
  return Object.values(state.categories).filter((category) => category.parentId === categoryId);
}

function existingCategory(state: CategoryTreeState, categoryId: string): Category {
  const category = state.categories[categoryId];
  if (!category) throw new NotFoundError(`There is no category ${categoryId}.`, { categoryId });
  return category;
}

function openParent(state: CategoryTreeState, parentId: string): Category {
  const parent = state.categories[parentId];
  if (!parent) throw new NotFoundError(`There is no category ${parentId} to put it under; pick an existing parent, or none for a top-level category.`, { field: 'parentId', parentId });
  if (parent.retired) throw new IllegalStateError(`The category "${parent.name}" is retired and takes no new subcategories; pick another parent.`, { field: 'parentId', parentId });
  return parent;
}

function notRetired(category: Category, doing: string): void {
  if (category.retired) {
    throw new IllegalStateError(`Category "${category.name}" is retired, so you cannot ${doing}: a retired category stays as it was for the products and history that name it.`, {
      categoryId: category.categoryId,
    });
  }
}

function uniqueSlug(state: CategoryTreeState, slug: string, categoryId: string): void {
  const holder = Object.values(state.categories).find((c) => c.slug === slug && c.categoryId !== categoryId);
  if (holder) {
    const retired = holder.retired ? ', retired,' : '';
    throw new ConflictError(`The slug "${slug}" belongs to the category "${holder.name}"${retired} (${holder.categoryId}); pass another slug.`, { field: 'slug', slug, categoryId: holder.categoryId });
  }
}

/** Two open categories side by side must not share a name (in any case): buyers could not tell them apart. */
function uniqueAmongSiblings(state: CategoryTreeState, name: string, parentId: string | null, categoryId: string): void {
  const key = name.toLowerCase();
  const twin = Object.values(state.categories).find((c) => c.parentId === parentId && c.categoryId !== categoryId && !c.retired && c.name.toLowerCase() === key);
  if (twin) {
    const where = parentId === null ? 'at the top of the tree' : `under "${state.categories[parentId]?.name ?? parentId}"`;
    throw new ConflictError(`There is already a category "${twin.name}" ${where} (${twin.categoryId}); give this one another name or put it elsewhere.`, { field: 'name', categoryId: twin.categoryId });
  }
}
