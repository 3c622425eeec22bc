/**
 * The facet counts: public products by category, brand (its spelling, and the lower-case key the
 * storefront groups by; '' for none) and stock. A search without words reads its facets from these
 * few rows instead of counting every public product. They change in the same statement as the
 * products, from the rows it changed: the old keys of rows that were public count one less, the
 * new keys of rows that are public one more. Rows at zero stay (they are few) and are skipped.
 */

/**
 * Wraps a statement that changes products and returns their new `id, category_id, brand, in_stock,
 * is_public` (a data-modifying CTE named `changed`) with the counting. `before` selects the same
 * columns of the rows it may change, as they were (every part of one statement sees the rows as
 * they were before it).
 */
export function withFacetCounts(schema: string, before: string, change: string): string {
  const s = `"${schema}"`;
  return `with before as (${before}),
    changed as (${change}),
    delta as (
      select b.category_id, coalesce(b.brand, '') as brand, b.in_stock, -1 as n from before b join changed c on c.id = b.id where b.is_public
      union all
      select category_id, coalesce(brand, ''), in_stock, 1 from changed where is_public),
    summed as (
      select category_id, lower(brand) as brand_key, brand, in_stock, sum(n)::int as n from delta group by category_id, brand, in_stock having sum(n) <> 0)
    insert into ${s}.facet_counts as f (category_id, brand_key, brand, in_stock, count)
    select category_id, brand_key, brand, in_stock, n from summed
    on conflict (category_id, brand_key, brand, in_stock) do update set count = f.count + excluded.count`;
}

export const FACET_COLUMNS = 'id, category_id, brand, in_stock, is_public';
