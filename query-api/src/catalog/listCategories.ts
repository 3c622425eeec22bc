/**
 * GET /v1/categories: the category tree, nested, children by name; open categories only unless an
 * admin asks for the retired ones too. Each category counts the public products filed under it or
 * under any of its subcategories (from the facet counts the projector keeps, summed up the tree).
 */
import type { Knex } from 'knex';
import { CATALOG } from './catalogRows';

export interface CategoryNode {
  id: string;
  name: string;
  slug: string;
  retired: boolean;
  productCount: number;
  children: CategoryNode[];
}

interface Row {
  id: string;
  parent_id: string | null;
  name: string;
  slug: string;
  retired: boolean;
  path: string[];
  products: number;
}

export async function listCategories(knex: Knex, options: { includeRetired: boolean }): Promise<{ items: CategoryNode[] }> {
  const result = await knex.raw<{ rows: Row[] }>(
    `select c.id, c.parent_id, c.name, c.slug, c.retired, to_json(c.path) as path, coalesce(n.products, 0)::int as products
       from ${CATALOG.categories} c
       left join (select category_id, sum(count) as products from ${CATALOG.facetCounts} group by category_id) n on n.category_id = c.id
      order by c.name, c.id`,
  );
  const nodes = new Map<string, CategoryNode>();
  for (const row of result.rows) nodes.set(row.id, { id: row.id, name: row.name, slug: row.slug, retired: row.retired, productCount: 0, children: [] });
  // A category's products count for it and every ancestor on its path.
  for (const row of result.rows) {
    for (const ancestor of row.path) {
      const node = nodes.get(ancestor);
      if (node) node.productCount += row.products;
    }
  }
  const roots: CategoryNode[] = [];
  // Rows come ordered by name, so children are too.
  for (const row of result.rows) {
    const node = nodes.get(row.id)!;
    if (node.retired && !options.includeRetired) continue;
    const parentId = row.path.length > 1 ? row.path[row.path.length - 2]! : null;
    const parent = parentId === null ? undefined : nodes.get(parentId);
    if (parentId === null) roots.push(node);
    else if (parent && (!parent.retired || options.includeRetired)) parent.children.push(node);
  }
  return { items: roots };
}
