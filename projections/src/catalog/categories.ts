/**
 * The category tree, one row per category with its `path` (the ids from the root down to itself),
 * so that a subtree is `path @> array[id]` and a category's ancestors are its path. The tree is
 * small and changes rarely: a batch with category events loads it whole, folds the events, works
 * every path out again (a move changes a whole subtree's) and writes back the rows that changed.
 */
import type { Knex } from 'knex';
import type { CategoryEvent, Recorded } from './catalogEvents';

export interface CategoryDoc {
  id: string;
  parent_id: string | null;
  name: string;
  slug: string;
  retired: boolean;
  path: string[];
  depth: number;
  created_at: string;
  updated_at: string;
  revision: number;
}

/** The category after one event (null while it has not been created). Pure; paths are worked out after. */
export function evolveCategory(row: CategoryDoc | null, event: CategoryEvent, revision: number): CategoryDoc | null {
  switch (event.type) {
    case 'CategoryCreated': {
      const d = event.data;
      return { id: d.categoryId, parent_id: d.parentId, name: d.name, slug: d.slug, retired: false, path: [], depth: 0, created_at: d.createdAt, updated_at: d.createdAt, revision };
    }
    case 'CategoryRenamed':
      return row && { ...row, name: event.data.name, slug: event.data.slug, updated_at: event.data.renamedAt, revision };
    case 'CategoryMoved':
      return row && { ...row, parent_id: event.data.parentId, updated_at: event.data.movedAt, revision };
    case 'CategoryRetired':
      return row && { ...row, retired: true, updated_at: event.data.retiredAt, revision };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** Every category's path from the root; a parent not (yet) known ends the path where it is. */
export function withPaths(categories: Map<string, CategoryDoc>): void {
  const paths = new Map<string, string[]>();
  const pathOf = (id: string, seen: Set<string>): string[] => {
    const known = paths.get(id);
    if (known) return known;
    const row = categories.get(id)!;
    // The tree's aggregate refuses cycles; a read model must not loop forever if one slipped through.
    const parent = row.parent_id !== null && categories.has(row.parent_id) && !seen.has(row.parent_id) ? row.parent_id : null;
    const path = parent === null ? [id] : [...pathOf(parent, new Set([...seen, id])), id];
    paths.set(id, path);
    return path;
  };
  for (const [id, row] of categories) {
    const path = pathOf(id, new Set([id]));
    row.path = path;
    row.depth = path.length - 1;
  }
}

export async function applyCategoryEvents(trx: Knex.Transaction, schema: string, events: Array<Recorded<CategoryEvent>>): Promise<void> {
  if (events.length === 0) return;
  const loaded = await trx.raw<{ rows: Array<Omit<CategoryDoc, 'created_at' | 'updated_at'> & { created_at: Date; updated_at: Date }> }>(
    `select id, parent_id, name, slug, retired, to_json(path) as path, depth, created_at, updated_at, revision from "${schema}".categories`,
  );
  const categories = new Map<string, CategoryDoc>();
  const before = new Map<string, string>();
  for (const row of loaded.rows) {
    const doc = { ...row, created_at: new Date(row.created_at).toISOString(), updated_at: new Date(row.updated_at).toISOString() };
    categories.set(row.id, doc);
    before.set(row.id, JSON.stringify(doc));
  }
  for (const { event, revision } of events) {
    const row = categories.get(event.data.categoryId) ?? null;
    if (row && revision <= row.revision) continue;
    const next = evolveCategory(row, event, revision);
    if (next) categories.set(next.id, next);
  }
  withPaths(categories);
  const records = [...categories.values()].filter((doc) => before.get(doc.id) !== JSON.stringify(doc));
  if (records.length === 0) return;
  await trx.raw(
    `insert into "${schema}".categories (id, parent_id, name, slug, retired, path, depth, created_at, updated_at, revision)
     select id, parent_id, name, slug, retired, path, depth, created_at, updated_at, revision
       from json_to_recordset(?::json) as r(id uuid, parent_id uuid, name text, slug text, retired boolean, path uuid[], depth integer,
                                            created_at timestamptz, updated_at timestamptz, revision integer)
     on conflict (id) do update set parent_id = excluded.parent_id, name = excluded.name, slug = excluded.slug, retired = excluded.retired,
       path = excluded.path, depth = excluded.depth, updated_at = excluded.updated_at, revision = excluded.revision`,
    [JSON.stringify(records)],
  );
}
