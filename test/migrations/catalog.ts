/**
 * A snapshot of tables as the catalog describes them, for comparing a schema built by migrations with one created
 * directly: columns (type, nullability, default, identity), constraints (definition, validated) and
 * indexes (definition), each sorted by name, so column order and creation order do not matter. NOT NULL constraints
 * (PostgreSQL 18 lists them in pg_constraint, named after the column when it was made NOT NULL) are left out: the
 * columns' nullability says it.
 */
import { Effect } from "effect"
import * as SqlClient from "effect/sql/SqlClient"

/** What the catalog says about some tables. */
export interface Snapshot {
  readonly columns: ReadonlyArray<string>
  readonly constraints: ReadonlyArray<string>
  readonly indexes: ReadonlyArray<string>
}

const list = (tables: ReadonlyArray<string>) => tables.map((t) => `'${t.replace(/'/g, "''")}'`).join(", ")

/** The catalog's description of `tables` (in the current schema). */
export const snapshot = (tables: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    if (tables.length === 0) return { columns: [], constraints: [], indexes: [] } satisfies Snapshot
    const query = (text: string) => sql.unsafe<Record<string, unknown>>(text).unprepared
    const rels = `SELECT c.oid FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relname IN (${list(tables)})`
    const columns = yield* query(`
      SELECT c.relname AS t, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
        pg_get_expr(d.adbin, d.adrelid) AS def, a.attidentity AS identity
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid IN (${rels}) AND a.attnum > 0 AND NOT a.attisdropped`)
    const constraints = yield* query(`
      SELECT c.conrelid::regclass::text AS t, c.conname AS name, pg_get_constraintdef(c.oid) AS def,
        c.convalidated AS validated
      FROM pg_constraint c WHERE c.conrelid IN (${rels}) AND c.contype <> 'n'`)
    const indexes = yield* query(`
      SELECT tablename AS t, indexname AS name, indexdef AS def FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename IN (${list(tables)})`)
    const lines = (rows: ReadonlyArray<Record<string, unknown>>, f: (r: Record<string, unknown>) => string) => rows.map(f).sort()
    return {
      columns: lines(columns, (r) =>
        `${r.t}.${r.name} ${r.type}${r.notnull ? " NOT NULL" : ""}${r.def == null ? "" : ` DEFAULT ${r.def}`}${
          r.identity === "a" || r.identity === "d" ? ` IDENTITY ${r.identity}` : ""
        }`),
      constraints: lines(constraints, (r) => `${r.t} ${r.name}: ${r.def}${r.validated ? "" : " NOT VALID"}`),
      indexes: lines(indexes, (r) => `${r.t} ${r.name}: ${r.def}`)
    } satisfies Snapshot
  })
