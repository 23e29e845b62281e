/**
 * Compiles writes: UPDATE (of a query's rows, or of many rows each with its own values), DELETE and INSERT (with ON
 * CONFLICT), from checked query nodes. As in the SELECT compiler, identifiers come from model metadata and are
 * quoted, and every value is a parameter.
 * @internal
 */
import * as Result from "effect/Result"
import { QueryError, type FieldError } from "../Errors.js"
import type * as Model from "../Model.js"
import { sqlType, valueType } from "./columnTypes.js"
import { sqlAlias } from "./names.js"
import { postgres } from "./dialect.js"
import * as Select from "./select.js"
import { columnSql, type Compiled, exprSql, from, quote, resolveWhere, selectList, T0, wholeRow, whereSql, Writer } from "./compiler.js"
import type * as Ast from "./query.js"

const refuseSliced = (query: Ast.Query, action: string): Result.Result<void, QueryError> =>
  query.limit !== undefined || query.offset > 0
    ? Result.fail(new QueryError({ model: query.model.meta.name, reason: `cannot ${action} a sliced queryset` }))
    : Result.succeed(undefined)

const mutationWhere = (query: Ast.Query, w: Writer): Result.Result<string, FieldError | QueryError> => {
  if ((query.annotations ?? []).length > 0 || query.groupBy !== undefined) {
    if (query.groupBy !== undefined) {
      return Result.fail(new QueryError({ model: query.model.meta.name, reason: "cannot update the groups of values(...).annotate(...): update the model's rows" }))
    }
    // Filters on annotations choose the rows by key, through the annotated query (as Django does).
    const pk = query.model.meta.pk
    const keys = Select.select({ ...query, projection: { _tag: "ValuesList", fields: [pk], flat: true }, ordering: [] }, { writer: w, base: w.alias("u") })
    return Result.map(keys, ({ compiled }) => ` WHERE ${T0}.${quote(query.model.meta.columns[pk]!)} IN (${compiled.sql})`)
  }
  return Result.map(resolveWhere(query), (node) => {
    const where = whereSql(node, w)
    return where === undefined ? "" : ` WHERE ${where}`
  })
}

/** An assignment of an UPDATE: a parameter or an expression. @internal */
export type Assignment = { readonly column: Ast.Column; readonly value: Ast.Operand }

const setList = (assignments: ReadonlyArray<Assignment>, w: Writer) =>
  assignments.map(({ column, value }) =>
    `${quote(column.column)} = ${value._tag === "Param" ? w.param(value.value) : exprSql(value.node, w, T0)}`
  ).join(", ")

/** Compiles `UPDATE ... SET ... WHERE`, optionally returning the updated rows. @internal */
export const update = (
  query: Ast.Query,
  assignments: ReadonlyArray<Assignment>,
  options: { readonly returning?: boolean } = {}
): Result.Result<Compiled, FieldError | QueryError> =>
{
  // Written without generators: every update runs through here.
  const sliced = refuseSliced(query, "update")
  if (Result.isFailure(sliced)) return Result.fail(sliced.failure)
  const w = new Writer()
  const set = setList(assignments, w)
  const where = mutationWhere(query, w)
  if (Result.isFailure(where)) return Result.fail(where.failure)
  const returning = options.returning ? ` RETURNING ${wholeRow(query.model).list}` : ""
  return Result.succeed({ sql: `UPDATE ${from(query.model)} SET ${set}${where.success}${returning}`, params: w.params, savepoint: w.savepoint })
}

/**
 * Compiles one UPDATE of many rows, each with its own values, joined from a VALUES list by primary key (and by
 * version, when `versioned`), returning the keys of the rows it updated.
 * @internal
 */
export const updateMany = (
  model: Model.Any,
  columns: ReadonlyArray<Ast.Column>,
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  versioned: boolean
): Compiled => {
  const w = new Writer()
  const pk = wholeRow(model).columns.find((c) => c.key === model.meta.pk)!
  const version = versioned ? wholeRow(model).columns.find((c) => c.key === model.meta.version)! : undefined
  const keyed = [pk, ...(version ? [version] : []), ...columns]
  // Parameters in VALUES have no type to infer from: cast each to its column's type.
  const values = rows.map((row) => `(${row.map((v, i) => `${w.param(v)}::${sqlType(keyed[i]!.field)}`).join(", ")})`)
  const names = keyed.map((_, i) => quote(`c${i}`))
  const set = columns.map((c, i) => `${quote(c.column)} = "v".${names[i + keyed.length - columns.length]}`)
  if (version) set.push(`${quote(version.column)} = ${columnSql(version, T0)} + 1`)
  let where = `${columnSql(pk, T0)} = "v".${names[0]}`
  if (version) where += ` AND ${columnSql(version, T0)} = "v".${names[1]}`
  return {
    sql: `UPDATE ${from(model)} SET ${set.join(", ")} FROM (VALUES ${values.join(", ")}) AS "v" (${names.join(", ")}) WHERE ${where} RETURNING ${
      columnSql(pk, T0)
    } AS ${quote(sqlAlias(pk.key))}`,
    params: w.params,
    savepoint: w.savepoint,
    unprepared: rows.length > 1
  }
}

/** Compiles `DELETE ... WHERE`. @internal */
export const delete_ = (query: Ast.Query): Result.Result<Compiled, FieldError | QueryError> =>
{
  const sliced = refuseSliced(query, "delete")
  if (Result.isFailure(sliced)) return Result.fail(sliced.failure)
  const w = new Writer()
  const where = mutationWhere(query, w)
  if (Result.isFailure(where)) return Result.fail(where.failure)
  return Result.succeed({ sql: `DELETE FROM ${from(query.model)}${where.success}`, params: w.params, savepoint: w.savepoint })
}

/** What an INSERT does when a row conflicts with a unique constraint. @internal */
export type OnConflict =
  | { readonly _tag: "Ignore" }
  | { readonly _tag: "Update"; readonly unique: ReadonlyArray<Ast.Column>; readonly update: ReadonlyArray<Ast.Column> }

const conflictSql = (model: Model.Any, table: string, onConflict: OnConflict | undefined): string => {
  if (onConflict?._tag === "Ignore") return postgres.onConflict(undefined)
  if (onConflict?._tag !== "Update") return ""
  const set = onConflict.update.map((c) => postgres.fromConflicting(quote(c.column)))
  const version = model.meta.version
  if (version !== undefined && !onConflict.update.some((c) => c.key === version)) {
    const column = quote(model.meta.columns[version])
    set.push(`${column} = ${table}.${column} + 1`)
  }
  return postgres.onConflict({ unique: onConflict.unique.map((c) => quote(c.column)), set })
}

const returningLists = new WeakMap<Model.Any, string>()

/** Every column of a model, unqualified, as an INSERT returns them (kept per model). */
const returningList = (model: Model.Any): string => {
  let list = returningLists.get(model)
  if (list === undefined) returningLists.set(model, list = selectList(wholeRow(model).columns, null))
  return list
}

/** A value as an element of a text array: PostgreSQL casts the array to the column's type. */
const elementText = (value: unknown): string | null =>
  value === null ? null : typeof value === "string" ? value : String(value)

/**
 * Compiles an INSERT of many rows as one array per column (`INSERT ... SELECT * FROM unnest($1::integer[], ...)`): two
 * parameters for any number of rows instead of one per value, and one statement text for every row count, so the
 * driver prepares it once. Each array travels as text and is cast to its column's type (without length or precision,
 * which a cast would apply by truncating; the column's own type checks them on assignment, as in a VALUES list).
 * Rows hold a value for every column (no DEFAULT: the caller uses `insert` for those).
 * @internal
 */
export const insertArrays = (
  model: Model.Any,
  columns: ReadonlyArray<Ast.Column>,
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  onConflict?: OnConflict,
  returnRows = true
): Compiled => {
  const w = new Writer()
  const table = quote(model.meta.table)
  const arrays = columns.map((column, i) => {
    let anyValue = false
    const array = rows.map((row) => {
      const text = elementText(row[i])
      if (text !== null) anyValue = true
      return text
    })
    // The driver cannot type an array of NULLs only: the literal `{NULL,...}` is read by the cast instead.
    const param = anyValue ? array : `{${array.map(() => "NULL").join(",")}}`
    return `${w.param(param)}::${valueType(column.field)}[]`
  })
  const returning = returnRows ? ` RETURNING ${returningList(model)}` : ""
  return {
    sql: `INSERT INTO ${table} (${columns.map((c) => quote(c.column)).join(", ")}) SELECT * FROM unnest(${arrays.join(", ")}) AS "r"${
      conflictSql(model, table, onConflict)
    }${returning}`,
    params: w.params
  }
}

/**
 * Compiles an INSERT of one or more rows returning every column of the rows it wrote (nothing when `returnRows` is
 * false). `rows` hold a value per column, or `isDefault` values for columns left to their database default.
 * @internal
 */
export const insert = (
  model: Model.Any,
  columns: ReadonlyArray<Ast.Column>,
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  isDefault: (value: unknown) => boolean,
  onConflict?: OnConflict,
  returnRows = true
): Compiled => {
  const w = new Writer()
  const table = quote(model.meta.table)
  const returning = returnRows ? ` RETURNING ${returningList(model)}` : ""
  if (columns.length === 0) {
    // A row of defaults only; several such rows each need their own statement, which the caller issues.
    return { sql: `INSERT INTO ${table} DEFAULT VALUES${returning}`, params: [] }
  }
  const values = rows.map((row) => `(${row.map((v) => isDefault(v) ? "DEFAULT" : w.param(v)).join(", ")})`)
  return {
    sql: `INSERT INTO ${table} (${columns.map((c) => quote(c.column)).join(", ")}) VALUES ${values.join(", ")}${
      conflictSql(model, table, onConflict)
    }${returning}`,
    params: w.params,
    savepoint: w.savepoint,
    unprepared: rows.length > 1
  }
}

