/**
 * Compiles checked query nodes into SQL text and bound parameters for PostgreSQL. Identifiers come from model
 * metadata and are quoted; every value is a parameter (DDL, which cannot take parameters, renders literals through
 * `literal`, which escapes them).
 * @internal
 */
import * as BigDecimal from "effect/BigDecimal"
import * as Duration from "effect/Duration"
import * as Result from "effect/Result"
import { FieldError } from "../Errors.js"
import type * as Model from "../Model.js"
import { decimalToDb, durationToDb } from "./codec.js"
import { valueType } from "./columnTypes.js"
import * as JsonSql from "./jsonSql.js"
import { sqlAlias } from "./names.js"
import * as Ast from "./query.js"

/** SQL text with its parameters. @since 0.1.0 */
export interface Compiled {
  readonly sql: string
  readonly params: ReadonlyArray<unknown>
  /**
   * Run without preparing it: its text depends on the data (the number of rows of a multi-row INSERT), so it would
   * only fill the connection's cache of prepared statements.
   */
  readonly unprepared?: boolean
  /**
   * Run in a savepoint inside a transaction: the statement can fail on its input alone (an invalid regular
   * expression), which must not abort the transaction around it.
   */
  readonly savepoint?: boolean
}

/** Quotes an identifier (doubling embedded quotes). @internal */
export const quote = (identifier: string): string => `"${identifier.replace(/"/g, "\"\"")}"`

/** Renders a value as an SQL literal, for DDL only. @internal */
export const literal = (value: unknown): string => {
  if (value === null || value === undefined) return "NULL"
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE"
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`Cannot render ${value} as SQL`)
    return String(value)
  }
  if (typeof value === "bigint") return String(value)
  if (typeof value === "string") {
    if (value.includes("\u0000")) throw new Error("Cannot render a NUL character as SQL")
    return `'${value.replace(/'/g, "''")}'`
  }
  throw new Error(`Cannot render ${typeof value} as SQL`)
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`)

/** Accumulates parameters, or inlines them as literals (for DDL). @internal */
export class Writer {
  readonly params: Array<unknown> = []
  /** See `Compiled.savepoint`. */
  savepoint = false
  private aliases = 0
  constructor(readonly inline = false) {}
  /** A table alias unique in the statement. */
  alias(prefix: string): string {
    return quote(`${prefix}${++this.aliases}`)
  }
  param(value: unknown): string {
    if (this.inline) return literal(value)
    this.params.push(value)
    return `$${this.params.length}`
  }
}

/** The alias of the query's own table. @internal */
export const T0 = "\"t0\""

/** The alias of the table a path leads to, within the statement being written. @internal */
export type AliasOf = (path: Ast.Path) => string | null

/**
 * LEFT JOINs along relation paths from a base alias, sharing common prefixes: each distinct path is joined once, so
 * every condition on it refers to the same related row.
 * @internal
 */
export class Joins {
  private readonly byPath = new Map<string, string>()
  sql = ""
  constructor(readonly w: Writer, readonly base: string, readonly prefix: string, readonly innerWhenRequired = false) {}

  /** The alias of a path's table, joining it first if needed. */
  add(path: Ast.Path): string {
    let alias = this.base
    for (let i = 0; i < path.length; i++) {
      const name = Ast.pathName(path.slice(0, i + 1))
      const known = this.byPath.get(name)
      if (known !== undefined) {
        alias = known
        continue
      }
      const required = this.innerWhenRequired && path.slice(0, i + 1).every((r) => r.kind === "forward" && !r.nullable)
      for (const hop of path[i]!.hops) {
        const next = this.w.alias(this.prefix)
        this.sql += ` ${required ? "INNER" : "LEFT"} JOIN ${quote(hop.model.meta.table)} AS ${next} ON ${next}.${quote(hop.column)} = ${alias}.${quote(hop.fromColumn)}`
        alias = next
      }
      this.byPath.set(name, alias)
    }
    return alias
  }

  aliasOf: AliasOf = (path) => path.length === 0 ? this.base : this.add(path)
}

/** A column, qualified by its table's alias when there is one. @internal */
export const columnSql = (column: Ast.Column, alias: string | null) =>
  alias === null ? quote(column.column) : `${alias}.${quote(column.column)}`

const transformSql = (lhs: string, column: Ast.Column, transform: Ast.Transform): string => {
  // Parts of a timestamp are taken in UTC, whatever the session time zone.
  const source = column.field.lookupKind === "datetime" ? `(${lhs} AT TIME ZONE 'UTC')` : lhs
  switch (transform) {
    case "date":
      return `${source}::date`
    case "weekDay":
      return `(EXTRACT(DOW FROM ${source}) + 1)`
    case "second":
      return `FLOOR(EXTRACT(SECOND FROM ${source}))`
    default:
      return `EXTRACT(${transform.toUpperCase()} FROM ${source})`
  }
}

/** @internal */
export const exprSql = (node: Ast.ResolvedExpr, w: Writer, alias: string | null): string => {
  switch (node._tag) {
    case "Column":
      return columnSql(node.column, alias)
    case "Value":
      return valueSql(node.value, w)
    case "Binary":
      return `(${exprSql(node.left, w, alias)} ${node.op} ${exprSql(node.right, w, alias)})`
  }
}

/**
 * A literal operand of an expression, typed by its value: an untyped parameter would take the other operand's type,
 * and `"pages" + $1` with 1.5 fails as an integer.
 */
const valueSql = (value: unknown, w: Writer): string => {
  if (typeof value === "bigint") return `${w.param(String(value))}::int8`
  if (typeof value === "number") {
    if (Number.isInteger(value) && Math.abs(value) <= 2147483647) return w.param(value)
    return Number.isSafeInteger(value) ? `${w.param(String(value))}::int8` : `${w.param(value)}::float8`
  }
  if (BigDecimal.isBigDecimal(value)) return `${w.param(decimalToDb(value))}::numeric`
  if (Duration.isDuration(value)) return `${w.param(durationToDb(value))}::interval`
  return w.param(value)
}

const operandSql = (operand: Ast.Operand, w: Writer, alias: string | null) =>
  operand._tag === "Param" ? w.param(operand.value) : exprSql(operand.node, w, alias)

/**
 * The values of an `in` lookup as one array parameter. Floats, and the numbers of a date or time part, go as text:
 * the drivers type a JavaScript array by its elements, and `[1, 2.5]` mixes integers and doubles, `[2024, 2 ** 31]`
 * 32-bit and wider integers.
 */
const arrayParam = (leaf: Extract<Ast.Where, { _tag: "Leaf" }>, ops: ReadonlyArray<Ast.Operand>): ReadonlyArray<unknown> => {
  const asText = leaf.column.field.kind === "Float" || (leaf.transform !== undefined && leaf.transform !== "date")
  return ops.map((op) => {
    const value = (op as { readonly value: unknown }).value
    return asText && typeof value === "number" ? String(value) : value
  })
}

/** The type the compared values have: the field's, or that of the date or time part taken from it. */
const partType = (leaf: Extract<Ast.Where, { _tag: "Leaf" }>): string =>
  leaf.transform === undefined ? valueType(leaf.column.field) : leaf.transform === "date" ? "date" : "numeric"

const leafSql = (leaf: Extract<Ast.Where, { _tag: "Leaf" }>, w: Writer, aliasOf: AliasOf): string => {
  let lhs = columnSql(leaf.column, aliasOf(leaf.column.path))
  if (leaf.transform !== undefined) lhs = transformSql(lhs, leaf.column, leaf.transform)
  if (leaf.json !== undefined) {
    // JSON lookups are jsonSql's; one on the value as text continues below, as on a text column.
    const json = JsonSql.leaf(lhs, leaf.json, leaf.lookup, (leaf.operands[0] as { readonly value: unknown }).value, w)
    if ("sql" in json) return json.sql
    lhs = json.text
  }
  const ops = leaf.operands
  // Expressions name the query's own fields (the base table).
  const rhs = (i = 0) => operandSql(ops[i]!, w, aliasOf([]))
  const like = (op: "LIKE" | "ILIKE", pattern: (v: string) => string) => `${lhs} ${op} ${w.param(pattern(escapeLike((ops[0] as any).value)))}`
  switch (leaf.lookup) {
    case "exact":
      return ops.length === 0 ? `${lhs} IS NULL` : `${lhs} = ${rhs()}`
    case "isNull":
      return (ops[0] as any).value ? `${lhs} IS NULL` : `${lhs} IS NOT NULL`
    case "in": {
      // One array parameter, so the statement's text (and its prepared plan) is the same for any number of values,
      // and lists beyond PostgreSQL's 65,535 parameters work. Expressions in the list, and DDL, keep `IN (...)`.
      if (w.inline || ops.some((op) => op._tag === "Expr")) return `${lhs} IN (${ops.map((_, i) => rhs(i)).join(", ")})`
      return `${lhs} = ANY(${w.param(arrayParam(leaf, ops))}::${partType(leaf)}[])`
    }
    case "range":
      return `${lhs} BETWEEN ${rhs(0)} AND ${rhs(1)}`
    case "gt":
      return `${lhs} > ${rhs()}`
    case "gte":
      return `${lhs} >= ${rhs()}`
    case "lt":
      return `${lhs} < ${rhs()}`
    case "lte":
      return `${lhs} <= ${rhs()}`
    case "iexact":
      return like("ILIKE", (v) => v)
    case "contains":
      return like("LIKE", (v) => `%${v}%`)
    case "icontains":
      return like("ILIKE", (v) => `%${v}%`)
    case "startsWith":
      return like("LIKE", (v) => `${v}%`)
    case "iStartsWith":
      return like("ILIKE", (v) => `${v}%`)
    case "endsWith":
      return like("LIKE", (v) => `%${v}`)
    case "iEndsWith":
      return like("ILIKE", (v) => `%${v}`)
    case "regex":
      w.savepoint = true
      return `${lhs} ~ ${rhs()}`
    case "iregex":
      w.savepoint = true
      return `${lhs} ~* ${rhs()}`
  }
  throw new Error(`Unknown lookup ${leaf.lookup}`)
}

/** The relation paths a scope's own conditions use (not those of nested scopes). */
const scopePaths = (node: Ast.Where, found: Map<string, Ast.Path>): void => {
  switch (node._tag) {
    case "Leaf":
      if (node.column.path.length > 0) found.set(Ast.pathName(node.column.path), node.column.path)
      return
    case "Not":
      return scopePaths(node.node, found)
    case "And":
    case "Or":
      return node.nodes.forEach((n) => scopePaths(n, found))
  }
}

/**
 * Compiles a condition; `undefined` means it is always true. `alias` is the base table's alias, or a function giving
 * the alias of each relation path.
 * @internal
 */
export const whereSql = (node: Ast.Where, w: Writer, alias: string | null | AliasOf = T0): string | undefined => {
  const aliasOf: AliasOf = typeof alias === "function" ? alias : () => alias
  switch (node._tag) {
    case "Const":
      return node.value ? undefined : "FALSE"
    case "Leaf":
      return leafSql(node, w, aliasOf)
    case "Scope": {
      const paths = new Map<string, Ast.Path>()
      scopePaths(node.node, paths)
      if (paths.size === 0) return whereSql(node.node, w, aliasOf)
      // Relations are matched in a correlated subquery: no duplicate rows, and one related row per path and scope.
      const joins = new Joins(w, aliasOf([])!, "j")
      for (const path of paths.values()) joins.add(path)
      const inner = whereSql(node.node, w, joins.aliasOf)
      return `EXISTS (SELECT 1 FROM (SELECT 1) AS ${w.alias("s")}${joins.sql}${inner === undefined ? "" : ` WHERE ${inner}`})`
    }
    case "Not": {
      const inner = whereSql(node.node, w, aliasOf)
      // IS NOT TRUE keeps rows where the inner condition is NULL (a NULL column), as Django's exclude does.
      // Negating an empty condition is no condition, as Django's `exclude()` of an empty Q.
      return inner === undefined ? undefined : `(${inner}) IS NOT TRUE`
    }
    case "And": {
      // An always-false child makes the whole AND false: the parameters its siblings wrote are dropped with their SQL.
      const mark = w.params.length
      const parts: Array<string> = []
      for (const child of node.nodes) {
        const sql = whereSql(child, w, aliasOf)
        if (sql === "FALSE") {
          w.params.length = mark
          return "FALSE"
        }
        if (sql !== undefined) parts.push(sql)
      }
      return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(" AND ")
    }
    case "Or": {
      // An empty child (no condition) is left out, as Django leaves out an empty Q() it combines with `|`: so a
      // condition and its negation always partition the rows. An OR of nothing but empty children is empty; an OR
      // of no children at all matches nothing.
      const parts: Array<string> = []
      let empty = node.nodes.length > 0
      for (const child of node.nodes) {
        const sql = whereSql(child, w, aliasOf)
        if (sql === undefined) continue
        empty = false
        if (sql !== "FALSE") parts.push(sql)
      }
      if (empty) return undefined
      return parts.length === 0 ? "FALSE" : parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(" OR ")
    }
  }
}

/** The resolved WHERE tree of a query, or its first FieldError. @internal */
export const resolveWhere = (query: Ast.Query): Result.Result<Ast.Where, FieldError> => {
  const nodes: Array<Ast.Where> = []
  for (const { condition, negate } of query.where) {
    const resolved = Ast.resolveCondition(query.model, condition)
    if (Result.isFailure(resolved)) return Result.fail(resolved.failure)
    const scope: Ast.Where = { _tag: "Scope", node: resolved.success }
    nodes.push(negate ? { _tag: "Not", node: scope } : scope)
  }
  if (query.empty) nodes.push({ _tag: "Const", value: false })
  return Result.succeed({ _tag: "And", nodes })
}

/** A model's columns and their select list, computed once per model (the common `SELECT` of whole rows). */
const modelSelect = new WeakMap<Model.Any, { readonly columns: ReadonlyArray<Ast.Column>; readonly list: string }>()

/** @internal */
export const wholeRow = (model: Model.Any) => {
  let cached = modelSelect.get(model)
  if (cached === undefined) {
    const columns = Object.keys(model.meta.fields).map((key) => Result.getOrThrow(Ast.resolveField(model, key)))
    cached = { columns, list: selectList(columns, T0) }
    modelSelect.set(model, cached)
  }
  return cached
}

const sameColumn = (a: Ast.Column, b: Ast.Column) =>
  a.column === b.column && a.path.length === b.path.length && a.path.every((r, i) => r === b.path[i])

/** A select list of columns, aliased to their keys where the names differ. @internal */
export const selectList = (columns: ReadonlyArray<Ast.Column>, alias: string | null | AliasOf) => {
  const aliasOf: AliasOf = typeof alias === "function" ? alias : () => alias
  return columns.map((c) => {
    const ref = columnSql(c, aliasOf(c.path))
    return c.column === c.key && c.path.length === 0 ? ref : `${ref} AS ${quote(sqlAlias(c.key))}`
  }).join(", ")
}

/** The columns of a related model hydrated by `selectRelated`, keyed `"<path>.<field>"`. @internal */
export interface RelatedColumns {
  readonly name: string
  readonly path: Ast.Path
  readonly columns: ReadonlyArray<Ast.Column>
}

/** The joined relations of `selectRelated`: each path and its prefixes, parents first. */
const relatedColumns = (query: Ast.Query): Result.Result<ReadonlyArray<RelatedColumns>, FieldError> => {
  const byName = new Map<string, RelatedColumns>()
  for (const dotted of query.selectRelated) {
    const parts = dotted.split(".")
    for (let i = 1; i <= parts.length; i++) {
      const name = parts.slice(0, i).join(".")
      if (byName.has(name)) continue
      const column = Ast.resolvePath(query.model, `${name}.pk`, { single: "use prefetchRelated" })
      if (Result.isFailure(column)) return Result.fail(column.failure)
      const path = column.success.path
      if (path.length !== i) {
        return Result.fail(new FieldError({ model: query.model.meta.name, field: dotted, reason: "selectRelated takes relations" }))
      }
      const target = path[path.length - 1]!.target
      const columns = wholeRow(target).columns.map((c) => ({ ...c, key: `${name}.${c.key}`, path }))
      byName.set(name, { name, path, columns })
    }
  }
  return Result.succeed([...byName.values()])
}

const orderItems = (
  query: Ast.Query,
  forceOrder: boolean
): Result.Result<ReadonlyArray<{ readonly column: Ast.Column; readonly descending: boolean }>, FieldError> => {
  const model = query.model
  let keys: ReadonlyArray<string> = query.ordering ?? model.meta.ordering
  if (keys.length === 0 && forceOrder) keys = [model.meta.pk]
  return resolveAll(keys, (key) => Ast.resolveOrder(model, key))
}

type OrderItem = { readonly column: Ast.Column; readonly descending: boolean }

/**
 * The ordering of a `DISTINCT ON` query. PostgreSQL wants the ORDER BY to start with the DISTINCT ON columns (in any
 * order), and, when it leaves some of them out, to hold nothing else. An ordering the user gave that does not is a
 * FieldError before SQL; a default one (the model's, or the key that `first()` orders by) is led by the distinct
 * columns, ascending, and then decides which row of each group is kept.
 */
const distinctOnOrder = (
  query: Ast.Query,
  on: ReadonlyArray<Ast.Column>,
  given: ReadonlyArray<OrderItem>
): Result.Result<ReadonlyArray<OrderItem>, FieldError> => {
  // A column ordered by a second time changes nothing (its ties are already broken): it is left out.
  const order = given.filter((o, i) => given.findIndex((p) => sameColumn(p.column, o.column)) === i)
  const inOn = (o: OrderItem) => on.some((c) => sameColumn(c, o.column))
  const lead = order.findIndex((o) => !inOn(o))
  const prefix = lead === -1 ? order : order.slice(0, lead)
  const rest = lead === -1 ? [] : order.slice(lead)
  const covered = on.every((c) => prefix.some((o) => sameColumn(c, o.column)))
  if (rest.every((o) => !inOn(o)) && (covered || rest.length === 0)) return Result.succeed(order)
  if (query.ordering === undefined || query.ordering.length === 0) {
    const leading = on.filter((c, i) => on.findIndex((d) => sameColumn(c, d)) === i).map((column) => ({ column, descending: false }))
    return Result.succeed([...leading, ...order.filter((o) => !inOn(o))])
  }
  const distinct = (query.distinct as ReadonlyArray<string>).join(", ")
  return Result.fail(new FieldError({
    model: query.model.meta.name,
    field: rest[0]!.column.key,
    reason: `distinct(${distinct}) needs an ordering that starts with its fields (PostgreSQL's DISTINCT ON): order by ${distinct} first`
  }))
}

const fromClauses = new WeakMap<Model.Any, string>()

/** `"table" AS "t0"`, once per model. @internal */
export const from = (model: Model.Any): string => {
  let clause = fromClauses.get(model)
  if (clause === undefined) fromClauses.set(model, clause = `${quote(model.meta.table)} AS ${T0}`)
  return clause
}

/** What a SELECT returns: its statement, the columns of the rows, and the related columns of `selectRelated`. @internal */
export interface Select {
  readonly compiled: Compiled
  readonly columns: ReadonlyArray<Ast.Column>
  readonly related: ReadonlyArray<RelatedColumns>
}

/** Resolves each of `keys` with `resolve`, or returns the first FieldError. */
const resolveAll = <A>(
  keys: ReadonlyArray<string>,
  resolve: (key: string) => Result.Result<A, FieldError>
): Result.Result<ReadonlyArray<A>, FieldError> => {
  const resolved: Array<A> = []
  for (const key of keys) {
    const one = resolve(key)
    if (Result.isFailure(one)) return Result.fail(one.failure)
    resolved.push(one.success)
  }
  return Result.succeed(resolved)
}

/**
 * Compiles a SELECT. `forceOrder` orders by the primary key when nothing else orders the rows (first/last). Every
 * query runs through here, so it is written without generators.
 * @internal
 */
export const select = (
  query: Ast.Query,
  options: { readonly forceOrder?: boolean; readonly writer?: Writer } = {}
): Result.Result<Select, FieldError> => {
  // A set operation compiles its operands into one writer: their parameters are numbered across the statement.
  const w = options.writer ?? new Writer()
  const model = query.model
  // Joins of the main query: INNER along required foreign keys, LEFT elsewhere (absent rows give NULL).
  const joins = new Joins(w, T0, "t", true)
  const isModel = query.projection._tag === "Model" || query.projection.fields.length === 0
  let columns = wholeRow(model).columns
  if (!isModel) {
    // Rows carry the names asked for (`values("pk")` gives `pk`, not the key field's name).
    const projected = resolveAll(
      (query.projection as { readonly fields: ReadonlyArray<string> }).fields,
      (key) => Result.map(Ast.resolvePath(model, key), (column) => column.key === key ? column : { ...column, key })
    )
    if (Result.isFailure(projected)) return Result.fail(projected.failure)
    columns = projected.success
  }
  let related: ReadonlyArray<RelatedColumns> = []
  if (isModel && query.selectRelated.length > 0) {
    const found = relatedColumns(query)
    if (Result.isFailure(found)) return Result.fail(found.failure)
    related = found.success
  }
  const node = resolveWhere(query)
  if (Result.isFailure(node)) return Result.fail(node.failure)
  const where = whereSql(node.success, w)
  const ordered = orderItems(query, options.forceOrder === true)
  if (Result.isFailure(ordered)) return Result.fail(ordered.failure)
  let order = ordered.success
  let list = isModel && related.length === 0
    ? wholeRow(model).list
    : selectList([...columns, ...related.flatMap((r) => r.columns)], joins.aliasOf)
  let distinct = ""
  if (query.distinct === true) {
    distinct = "DISTINCT "
    // PostgreSQL wants ORDER BY columns of a DISTINCT query selected: like Django, select them too (rows ignore them),
    // which makes them part of what is distinct.
    const missing = order.filter((o) => !columns.some((c) => sameColumn(c, o.column)))
    missing.forEach((o, i) => list += `, ${columnSql(o.column, joins.aliasOf(o.column.path))} AS ${quote(`__order_${i}`)}`)
  } else if (Array.isArray(query.distinct) && query.distinct.length > 0) {
    const on = resolveAll(query.distinct, (key) => Ast.resolvePath(model, key))
    if (Result.isFailure(on)) return Result.fail(on.failure)
    distinct = `DISTINCT ON (${on.success.map((c) => columnSql(c, joins.aliasOf(c.path))).join(", ")}) `
    const ordering = distinctOnOrder(query, on.success, order)
    if (Result.isFailure(ordering)) return Result.fail(ordering.failure)
    order = ordering.success
  }
  const orderSql = order.length === 0 ? "" : ` ORDER BY ${
    order.map(({ column, descending }) =>
      `${columnSql(column, joins.aliasOf(column.path))} ${descending !== query.reversed ? "DESC" : "ASC"}`
    ).join(", ")
  }`
  let lockOf: ReadonlyArray<string> = []
  if (query.lock?.of !== undefined) {
    const locked = resolveAll(query.lock.of, (name) =>
      name === "self"
        ? Result.succeed(T0)
        : Result.map(Ast.resolvePath(model, `${name}.pk`, { single: "cannot lock it" }), (c) => joins.aliasOf(c.path)!))
    if (Result.isFailure(locked)) return Result.fail(locked.failure)
    lockOf = locked.success
  }
  let conditions = where === undefined ? [] : [where]
  let viaJoin = ""
  if (query.via !== undefined) {
    const via = query.via
    const pk = wholeRow(model).columns.find((c) => c.key === model.meta.pk)!
    viaJoin = ` INNER JOIN ${quote(via.table)} AS "v" ON "v".${quote(via.column)} = ${columnSql(pk, T0)}`
    list += `, "v".${quote(via.sourceColumn)} AS "__via"`
    conditions = [`"v".${quote(via.sourceColumn)} = ANY(${w.param(via.keys)}::${via.type}[])`, ...conditions]
  }
  let sql = `SELECT ${distinct}${list} FROM ${from(model)}${joins.sql}${viaJoin}`
  if (conditions.length > 0) sql += ` WHERE ${conditions.length === 1 ? conditions[0] : conditions.map((c) => `(${c})`).join(" AND ")}`
  sql += orderSql
  if (query.limit !== undefined) sql += ` LIMIT ${w.param(query.limit)}`
  if (query.offset > 0) sql += ` OFFSET ${w.param(query.offset)}`
  if (query.lock !== undefined) {
    sql += " FOR UPDATE"
    if (lockOf.length > 0) sql += ` OF ${lockOf.join(", ")}`
    if (query.lock.nowait) sql += " NOWAIT"
    else if (query.lock.skipLocked) sql += " SKIP LOCKED"
  }
  return Result.succeed({ compiled: { sql, params: w.params, savepoint: w.savepoint }, columns, related })
}

/** Compiles `SELECT COUNT(*)`, wrapping the query when it is distinct or sliced. @internal */
/** A projection over relation paths joins tables, which may give several rows per row of the model. */
const projectsPaths = (query: Ast.Query) =>
  query.projection._tag !== "Model" && query.projection.fields.some((f) => typeof f === "string" && f.includes("."))

export const count = (query: Ast.Query): Result.Result<Compiled, FieldError> => {
  if (query.distinct !== false || query.limit !== undefined || query.offset > 0 || projectsPaths(query)) {
    return Result.map(select({ ...query, ordering: [], reversed: false }), ({ compiled }) => ({
      sql: `SELECT COUNT(*) AS "count" FROM (${compiled.sql}) AS "sub"`,
      params: compiled.params,
      savepoint: compiled.savepoint
    }))
  }
  return Result.map(resolveWhere(query), (node) => {
    const w = new Writer()
    const where = whereSql(node, w)
    return { sql: `SELECT COUNT(*) AS "count" FROM ${from(query.model)}${where === undefined ? "" : ` WHERE ${where}`}`, params: w.params, savepoint: w.savepoint }
  })
}

/** Compiles an existence check. @internal */
export const exists = (query: Ast.Query): Result.Result<Compiled, FieldError> =>
  Result.map(select({ ...query, ordering: [], reversed: false, limit: query.limit === undefined ? 1 : Math.min(query.limit, 1) }), ({ compiled }) => ({
    sql: `SELECT EXISTS (${compiled.sql}) AS "exists"`,
    params: compiled.params,
      savepoint: compiled.savepoint
  }))

/** One aggregate to compile: its function, its column (none for `COUNT(*)`), and whether over distinct values. @internal */
export interface AggregateItem {
  readonly fn: "count" | "sum" | "avg" | "min" | "max"
  readonly column: Ast.Column | undefined
  readonly distinct: boolean
}

/**
 * Compiles aggregates over a query's rows into one row with columns `a0`, `a1`, ... (positional aliases, so no
 * user-given name reaches the SQL). A sliced or distinct query is aggregated as a subquery.
 * @internal
 */
export const aggregate = (query: Ast.Query, items: ReadonlyArray<AggregateItem>): Result.Result<Compiled, FieldError> => {
  const wrap = query.distinct !== false || query.limit !== undefined || query.offset > 0 || projectsPaths(query)
  const expressions = (ref: (column: Ast.Column) => string) =>
    items.map(({ column, distinct, fn }, i) => {
      const arg = column === undefined ? "*" : `${distinct ? "DISTINCT " : ""}${ref(column)}`
      // The average of integers as a float, as Django's Avg; of numeric and bigint exactly.
      const cast = fn === "avg" && column !== undefined && column.field.lookupKind === "number" ? "::float8" : ""
      return `${fn.toUpperCase()}(${arg})${cast} AS ${quote(`a${i}`)}`
    }).join(", ")
  if (wrap) {
    // The inner rows carry the projected fields (which decide what is distinct and how many rows there are) and each
    // aggregated field under its name.
    const projection = query.projection
    const inner = select(
      projection._tag === "Model" || projection.fields.length === 0 ? query : {
        ...query,
        projection: {
          _tag: "Values",
          fields: [...new Set([...projection.fields, ...items.flatMap((i) => i.column === undefined ? [] : [i.column.key])])]
        }
      }
    )
    return Result.map(inner, ({ compiled }) => ({
      sql: `SELECT ${expressions((c) => `"sub".${quote(sqlAlias(c.key))}`)} FROM (${compiled.sql}) AS "sub"`,
      params: compiled.params,
      savepoint: compiled.savepoint
    }))
  }
  return Result.map(resolveWhere(query), (node) => {
    const w = new Writer()
    const where = whereSql(node, w)
    return {
      sql: `SELECT ${expressions((c) => columnSql(c, T0))} FROM ${from(query.model)}${where === undefined ? "" : ` WHERE ${where}`}`,
      params: w.params,
      savepoint: w.savepoint
    }
  })
}
