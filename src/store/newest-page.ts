/**
 * The SQL tail of the alert and webhook-delivery list queries, for both engines (DuckDB and PostgreSQL take the
 * same `$n` placeholders): equality filters on the columns whose value is given, newest id first, at most `limit`
 * rows (fractions floored, negatives taken as 0).
 */
export function newestPage(
  filters: readonly (readonly [column: string, value: string | number | undefined])[],
  limit: number,
): { sql: string; params: (string | number)[] } {
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  for (const [column, value] of filters) {
    if (value === undefined) continue;
    params.push(value);
    conditions.push(`${column} = $${params.length}`);
  }
  params.push(Math.max(0, Math.floor(limit)));
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')} ` : '';
  return { sql: `${where}ORDER BY id DESC LIMIT $${params.length}`, params };
}
