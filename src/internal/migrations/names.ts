/**
 * The names the ORM derives for constraints and indexes from table and column names, shortened with a hash when
 * over PostgreSQL's 63 bytes. Renaming a table or a column renames them too.
 * @internal
 */
import { derivedName } from "../names.js"

/** The names of a column's unique constraint, `choices` check, index and foreign key. @internal */
export const columnNames = (table: string, column: string) => ({
  unique: derivedName(`${table}_${column}_key`),
  check: derivedName(`${table}_${column}_check`),
  index: derivedName(`${table}_${column}_idx`),
  foreignKey: derivedName(`${table}_${column}_fkey`)
})

/** The default name of a model index over `columns`. @internal */
export const derivedIndexName = (table: string, columns: ReadonlyArray<{ readonly column: string }>): string =>
  derivedName(`${table}_${columns.map((c) => c.column).join("_")}_idx`)
