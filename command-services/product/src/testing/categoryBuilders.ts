/** Short "given" states for category tree tests: a small tree (Clothing > Saree > Silk Saree; Electronics). */
import type { CategoryEvent } from '../categories/categoryTree';
import { adminId, now } from './productBuilders';

export { adminId, now };

export const clothing = { categoryId: '0193a5c2-0000-4000-8000-00000000c101', name: 'Clothing', slug: 'clothing' };
export const saree = { categoryId: '0193a5c2-0000-4000-8000-00000000c102', name: 'Saree', slug: 'saree' };
export const silk = { categoryId: '0193a5c2-0000-4000-8000-00000000c103', name: 'Silk Saree', slug: 'silk-saree' };
export const electronics = { categoryId: '0193a5c2-0000-4000-8000-00000000c104', name: 'Electronics', slug: 'electronics' };

type Named = { categoryId: string; name: string; slug: string };

export const created = (category: Named, parentId: string | null = null): CategoryEvent => ({
  type: 'CategoryCreated',
  data: { ...category, parentId, createdBy: adminId, createdAt: now },
});
export const renamed = (from: Named, to: { name: string; slug: string }): CategoryEvent => ({
  type: 'CategoryRenamed',
  data: { categoryId: from.categoryId, name: to.name, slug: to.slug, previousName: from.name, previousSlug: from.slug, renamedBy: adminId, renamedAt: now },
});
export const moved = (category: Named, parentId: string | null, previousParentId: string | null): CategoryEvent => ({
  type: 'CategoryMoved',
  data: { categoryId: category.categoryId, parentId, previousParentId, movedBy: adminId, movedAt: now },
});
export const retired = (category: Named): CategoryEvent => ({ type: 'CategoryRetired', data: { categoryId: category.categoryId, slug: category.slug, retiredBy: adminId, retiredAt: now } });

/** Clothing > Saree > Silk Saree, and Electronics. */
export const tree = (): CategoryEvent[] => [created(clothing), created(saree, clothing.categoryId), created(silk, saree.categoryId), created(electronics)];
