/**
 * Compiles checked query nodes into SQL text and bound parameters for PostgreSQL. Identifiers come from model
 * metadata and are quoted; every value is a parameter (DDL, which cannot take parameters, renders literals through
 * `literal`, which escapes them).
 * @internal
 */
import * as Result from "effect/Result"
import { FieldError } from "../Errors.js"
import type * as Model from "../Model.js"
import * as Compile from "./expressions/compile.js"
import * as Resolve from "./expressions/resolve.js"
import { valueType } from "./columnTypes.js"
import { postgres } from "./dialect.js"
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
export const quote = (identifier: string): string => postgres.quote(identifier)

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


/** Accumulates parameters, or inlines them as literals (for DDL). @internal */
export class Writer {
  readonly params: Array<unknown> = []
  /** See `Compiled.savepoint`. */
  savepoint = false
  /**
   * How the statement being written compiles annotations and aggregates (set by the SELECT compiler): conditions on
   * annotations compile through `whereSql`, which does not know the statement around it.
   */
  expressions: Partial<Compile.Scope> = {}
  /** The aliases of the queries around the subquery being written, innermost last (for `OuterRef`). */
  readonly outer: Array<AliasOf> = []
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
  constructor(
    readonly w: Writer,
    readonly base: string,
    readonly prefix: string,
    readonly innerWhenRequired = false,
    /** Join every path with INNER JOIN: only rows that have the related rows count (an aggregate's own rows). */
    readonly inner = false
  ) {}

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
      const required = this.inner || this.innerWhenRequired && path.slice(0, i + 1).every((r) => r.kind === "forward" && !r.nullable)
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

/**
 * Compiles a subquery into a writer, its base table under `base`: the SELECT compiler, which imports this module, sets
 * it when it loads.
 * @internal
 */
export const subqueries: { compile?: (query: Ast.Query, w: Writer, base: string) => string } = {}

/** The scope of an expression in a statement: its relation paths' aliases, and conditions compiled here. @internal */
export const exprScope = (w: Writer, alias: string | null | AliasOf, extra: Partial<Compile.Scope> = {}): Compile.Scope => {
  const aliasOf: AliasOf = typeof alias === "function" ? alias : () => alias
  return {
    aliasOf,
    where: (node, aliases) => whereSql(node, w, aliases),
    subquery: (query) => {
      // The subquery's own tables get aliases of their own; `OuterRef` reads the tables of this scope.
      w.outer.push(aliasOf)
      try {
        return `(${subqueries.compile!(query as Ast.Query, w, w.alias("u"))})`
      } finally {
        w.outer.pop()
      }
    },
    outer: (column) => columnSql(column, w.outer[w.outer.length - 1]!(column.path)),
    ...w.expressions,
    ...extra
  }
}

/** Compiles a checked expression whose columns are those of `alias` (or of each path's alias). @internal */
export const exprSql = (node: Ast.ResolvedExpr, w: Writer, alias: string | null | AliasOf): string =>
  Compile.exprSql(node, w, exprScope(w, alias))

const operandSql = (operand: Ast.Operand, w: Writer, aliasOf: AliasOf) =>
  operand._tag === "Param" ? w.param(operand.value) : exprSql(operand.node, w, aliasOf)

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
  let lhs = leaf.expr === undefined ? columnSql(leaf.column, aliasOf(leaf.column.path)) : exprSql(leaf.expr, w, aliasOf)
  if (leaf.transform !== undefined) lhs = postgres.datePart(lhs, leaf.transform, leaf.column.field.lookupKind === "datetime")
  if (leaf.json !== undefined) {
    // JSON lookups are the dialect's; one on the value as text continues below, as on a text column.
    const json = postgres.json.leaf(lhs, leaf.json, leaf.lookup, (leaf.operands[0] as { readonly value: unknown }).value, w)
    if ("sql" in json) return json.sql
    lhs = json.text
  }
  const ops = leaf.operands
  // Expressions name the query's fields, through the same relation paths as the rest of the scope.
  const rhs = (i = 0) => operandSql(ops[i]!, w, aliasOf)
  const like = (op: "LIKE" | "ILIKE", pattern: (v: string) => string) =>
    postgres.like(lhs, w.param(pattern(postgres.escapeLike((ops[0] as any).value))), op === "ILIKE")
  switch (leaf.lookup) {
    case "exact":
      return ops.length === 0 ? `${lhs} IS NULL` : `${lhs} = ${rhs()}`
    case "isNull":
      return (ops[0] as any).value ? `${lhs} IS NULL` : `${lhs} IS NOT NULL`
    case "in": {
      // One array parameter, so the statement's text (and its prepared plan) is the same for any number of values,
      // and lists beyond PostgreSQL's 65,535 parameters work. Expressions in the list, and DDL, keep `IN (...)`.
      // A subquery's rows: `IN (SELECT ...)`.
      if (ops.length === 1 && ops[0]!._tag === "Expr" && ops[0]!.node._tag === "Subquery") return `${lhs} IN ${rhs(0)}`
      if (w.inline || ops.some((op) => op._tag === "Expr")) return `${lhs} IN (${ops.map((_, i) => rhs(i)).join(", ")})`
      return postgres.anyOf(lhs, w.param(arrayParam(leaf, ops)), partType(leaf))
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
      return postgres.regex(lhs, rhs(), false)
    case "iregex":
      w.savepoint = true
      return postgres.regex(lhs, rhs(), true)
  }
  throw new Error(`Unknown lookup ${leaf.lookup}`)
}

/** The relation paths a scope's own conditions use (not those of nested scopes). @internal */
export const scopePaths = (node: Ast.Where, found: Map<string, Ast.Path>): void => {
  switch (node._tag) {
    case "Leaf":
      if (node.column.path.length > 0) found.set(Ast.pathName(node.column.path), node.column.path)
      if (node.expr !== undefined) Resolve.pathsOf(node.expr, found)
      for (const operand of node.operands) if (operand._tag === "Expr") Resolve.pathsOf(operand.node, found)
      return
    case "Bool":
      Resolve.pathsOf(node.expr, found)
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
    case "Bool":
      return exprSql(node.expr, w, aliasOf)
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
export const resolveWhere = (query: Ast.Query, annotations?: Ast.Annotations): Result.Result<Ast.Where, FieldError> => {
  const nodes: Array<Ast.Where> = []
  for (const { condition, negate } of query.where) {
    const resolved = Ast.resolveCondition(query.model, condition, annotations, query.outer)
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

/** Whether two columns are the same column reached the same way. @internal */
export const sameColumn = (a: Ast.Column, b: Ast.Column) =>
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

const fromClauses = new WeakMap<Model.Any, string>()

/** `"table" AS "t0"`, once per model. @internal */
export const from = (model: Model.Any): string => {
  let clause = fromClauses.get(model)
  if (clause === undefined) fromClauses.set(model, clause = `${quote(model.meta.table)} AS ${T0}`)
  return clause
}

