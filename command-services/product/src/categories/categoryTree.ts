/**
 * The category tree: one aggregate for the whole marketplace (stream `categorytree-marketplace`),
 * kept by admins. Categories are few and change rarely, and keeping the tree in one stream makes
 * the rules that span it (a slug unique across the tree, no category moved under its own
 * descendant) simple appends with an expected revision instead of races between streams.
 *
 * A retired category stays in the tree (products already under it keep it, and history reads
 * as it was) but takes no new products and no new subcategories; it can only be retired once
 * its subcategories are.
 */

export interface Category {
  categoryId: string;
  name: string;
  /** Lower-case ASCII words and dashes, unique across the tree (retired categories keep theirs). */
  slug: string;
  parentId: string | null;
  retired: boolean;
}

export type CategoryEvent =
  | { type: 'CategoryCreated'; data: { categoryId: string; name: string; slug: string; parentId: string | null; createdBy: string; createdAt: string } }
  | { type: 'CategoryRenamed'; data: { categoryId: string; name: string; slug: string; previousName: string; previousSlug: string; renamedBy: string; renamedAt: string } }
  | { type: 'CategoryMoved'; data: { categoryId: string; parentId: string | null; previousParentId: string | null; movedBy: string; movedAt: string } }
  | { type: 'CategoryRetired'; data: { categoryId: string; slug: string; retiredBy: string; retiredAt: string } };

export interface CategoryTreeState {
  /** By id. */
  categories: Record<string, Category>;
}

export const CATEGORY_TREE_STREAM = 'categorytree-marketplace';

export const initialCategoryTreeState = (): CategoryTreeState => ({ categories: {} });

export function evolveCategoryTree(state: CategoryTreeState, event: CategoryEvent): CategoryTreeState {
  const { categories } = state;
  switch (event.type) {
    case 'CategoryCreated': {
      const { categoryId, name, slug, parentId } = event.data;
      return { categories: { ...categories, [categoryId]: { categoryId, name, slug, parentId, retired: false } } };
    }
    case 'CategoryRenamed':
    case 'CategoryMoved':
    case 'CategoryRetired': {
      const category = categories[event.data.categoryId];
      if (!category) return state;
      const changed: Category =
        event.type === 'CategoryRenamed'
          ? { ...category, name: event.data.name, slug: event.data.slug }
          : event.type === 'CategoryMoved'
            ? { ...category, parentId: event.data.parentId }
            : { ...category, retired: true };
      return { categories: { ...categories, [category.categoryId]: changed } };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
