/**
 * Compilation of checked expressions into SQL: one case per kind of node, every value a bound parameter, every SQL
 * spelling the dialect's. What depends on the statement around the expression (the alias of each relation path, how
 * a condition compiles, how an aggregate over many-valued relations is computed) is given by the caller.
 * @internal
 */
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import { decimalToDb, durationToDb } from "../codec.js"
import { type Dialect, postgres } from "../dialect.js"
import type { Column, Path, Where } from "../query.js"
import type { Resolved } from "./resolve.js"
import * as Types from "./types.js"

/** Where a parameter goes (the compiler's `Writer`). @internal */
export interface Params {
  param(value: unknown): string
}

/** What an expression's SQL depends on around it. @internal */
export interface Scope {
  /** The alias of the table a relation path leads to (the base table for `[]`). */
  readonly aliasOf: (path: Path) => string | null
  /** Compiles a condition (of `When`, of an aggregate's `filter`); `undefined` means always true. */
  readonly where: (node: Where, aliasOf: (path: Path) => string | null) => string | undefined
  /**
   * Compiles an aggregate itself, when the statement computes it otherwise (in a subquery, or by the alias of an
   * outer query); `undefined` compiles it in place.
   */
  readonly aggregate?: (node: Extract<Resolved, { _tag: "Aggregate" }>) => string | undefined
  /** Compiles a subquery (its SELECT in parentheses), whose `OuterRef`s read this scope's tables. */
  readonly subquery?: (query: unknown) => string
  /** Compiles a column of the query around the subquery being written. */
  readonly outer?: (column: Column) => string
  /** Compiles a reference to an annotation (by default its expression, in place). */
  readonly annotation?: (name: string, node: Resolved, selected: boolean) => string | undefined
  readonly dialect?: Dialect
  /** The expression is selected (its value is read back by its type), not compared or assigned. */
  readonly selected?: boolean
}

/**
 * A literal operand, typed by its value: an untyped parameter would take the other operand's type, and `"pages" + $1`
 * with 1.5 fails as an integer.
 * @internal
 */
export const valueSql = (value: unknown, w: Params): string => {
  if (typeof value === "bigint") return `${w.param(String(value))}::int8`
  if (typeof value === "number") {
    // An integer parameter takes the other operand's type (an integer, or numeric beside a decimal).
    if (Number.isInteger(value) && Math.abs(value) <= 2147483647) return w.param(value)
    return Number.isSafeInteger(value) ? `${w.param(String(value))}::int8` : `${w.param(value)}::float8`
  }
  // Text takes the type the context gives it (a date beside a date, text beside text).
  if (typeof value === "string") return w.param(value)
  if (typeof value === "boolean") return `${w.param(value)}::boolean`
  if (BigDecimal.isBigDecimal(value)) return `${w.param(decimalToDb(value))}::numeric`
  if (Duration.isDuration(value)) return `${w.param(durationToDb(value))}::interval`
  if (DateTime.isDateTime(value)) return `${w.param(DateTime.formatIso(value))}::timestamptz`
  return w.param(value)
}

/** Compiles a checked expression. @internal */
export const exprSql = (node: Resolved, w: Params, scope: Scope): string => {
  const d = scope.dialect ?? postgres
  const sql = (n: Resolved): string => exprSql(n, w, scope)
  switch (node._tag) {
    case "Column": {
      const alias = scope.aliasOf(node.column.path)
      const column = d.quote(node.column.column)
      return alias === null ? column : `${alias}.${column}`
    }
    case "Annotation":
      return scope.annotation?.(node.name, node.node, scope.selected === true) ?? sql(node.node)
    case "Value":
      return valueSql(node.value, w)
    case "Binary": {
      // A selected float beside a decimal is computed as a decimal, as the result's type says (PostgreSQL would use
      // floats, whose value a decimal cannot always read back); compared or assigned, PostgreSQL's own rule applies.
      const side = (n: Resolved) => scope.selected === true && node.type.kind === "decimal" && n.type.float === true ? d.cast(sql(n), "numeric") : sql(n)
      return `(${side(node.left)} ${node.op} ${side(node.right)})`
    }
    case "Cast":
      return d.convert(sql(node.arg), node.arg.type, node.to)
    case "Call": {
      if (node.template !== undefined) {
        const args = node.args.map((a) => `(${sql(a)})`)
        // The template is the program's own text, not input: only its placeholders are replaced.
        return `(${node.template.sql.replace(/\{(\d+)\}/g, (_, i) => args[Number(i)]!)})`
      }
      const [fn, option] = node.fn.split(":") as [string, string | undefined]
      if (fn === "extract") return d.extract(option!, sql(node.args[0]!), node.args[0]!.type)
      if (fn === "trunc") return d.trunc(option!, sql(node.args[0]!), node.args[0]!.type)
      return d.call(fn, node.args.map(sql), node.args.map((a) => a.type))
    }
    case "Case": {
      const whens = node.whens.map((when) => {
        const condition = scope.where(when.condition, scope.aliasOf)
        return `WHEN ${condition ?? "TRUE"} THEN ${sql(when.then)}`
      })
      return `CASE ${whens.join(" ")}${node.otherwise === undefined ? "" : ` ELSE ${sql(node.otherwise)}`} END`
    }
    case "Aggregate":
      return scope.aggregate?.(node) ?? aggregateSql(node, w, scope)
    case "Window":
      return windowSql(node, w, scope)
    case "Outer":
      return scope.outer!(node.column)
    case "Subquery": {
      const sql = scope.subquery!(node.query)
      return node.exists ? `EXISTS ${sql}` : sql
    }
  }
}

const frameBound = (bound: import("../../Expr.js").FrameBound, w: Params): string => {
  if (bound === "unboundedPreceding") return "UNBOUNDED PRECEDING"
  if (bound === "currentRow") return "CURRENT ROW"
  if (bound === "unboundedFollowing") return "UNBOUNDED FOLLOWING"
  return "preceding" in bound ? `${w.param(String(bound.preceding))}::int8 PRECEDING` : `${w.param(String(bound.following))}::int8 FOLLOWING`
}

/** A window function, or an aggregate over the statement's own rows, `OVER (PARTITION BY ... ORDER BY ... frame)`. */
const windowSql = (node: Extract<Resolved, { _tag: "Window" }>, w: Params, scope: Scope): string => {
  const d = scope.dialect ?? postgres
  const sql = (n: Resolved) => exprSql(n, w, scope)
  let fn: string
  if (node.fn._tag === "Aggregate") fn = aggregateSql(node.fn, w, { ...scope, aggregate: undefined })
  else {
    const call = node.fn as Extract<Resolved, { _tag: "Call" }>
    const name = call.fn.slice("window:".length)
    // A bucket count, an offset or a position is an integer parameter (PostgreSQL would not infer its type).
    const position = name === "ntile" ? 0 : name === "lag" || name === "lead" || name === "nthValue" ? 1 : -1
    const args = call.args.map((a, i) => i === position && a._tag === "Value" ? `${w.param(a.value)}::int4` : sql(a))
    fn = d.windowFunction(name, args)
  }
  const parts: Array<string> = []
  if (node.partitionBy.length > 0) parts.push(`PARTITION BY ${node.partitionBy.map(sql).join(", ")}`)
  if (node.orderBy.length > 0) parts.push(`ORDER BY ${node.orderBy.map((o) => d.nulls(`${sql(o.node)} ${o.descending ? "DESC" : "ASC"}`, o.nulls)).join(", ")}`)
  if (node.frame !== undefined) parts.push(`${node.frame.unit.toUpperCase()} BETWEEN ${frameBound(node.frame.start, w)} AND ${frameBound(node.frame.end, w)}`)
  return `${fn} OVER (${parts.join(" ")})`
}

/** Compiles an aggregate in place, over the rows of the statement (or subquery) around it. @internal */
export const aggregateSql = (node: Extract<Resolved, { _tag: "Aggregate" }>, w: Params, scope: Scope): string => {
  const d = scope.dialect ?? postgres
  const inner: Scope = { ...scope, aggregate: undefined }
  const arg = node.arg === undefined ? undefined : exprSql(node.arg, w, inner)
  const orderBy = node.ordering.length === 0 ? undefined : node.ordering.map((o) =>
    d.nulls(`${exprSql(o.node, w, inner)} ${o.descending ? "DESC" : "ASC"}`, o.nulls)
  ).join(", ")
  // ArrayAgg reads its elements back as text: each driver parses arrays of other types its own way.
  const collected = node.fn === "arrayAgg" && arg !== undefined ? d.cast(arg, "text") : arg
  let sql = d.aggregate(node.fn, collected, {
    distinct: node.distinct,
    orderBy,
    separator: node.separator,
    sample: node.sample,
    type: node.arg?.type
  }, (separator) => valueSql(separator, w))
  if (node.filter !== undefined) {
    const condition = scope.where(node.filter, scope.aliasOf)
    if (condition !== undefined) sql = d.filter(sql, condition)
  }
  if (node.default !== undefined) sql = `COALESCE(${sql}, ${exprSql(node.default, w, inner)})`
  return sql
}

/** The expression as selected: cast where its SQL type could differ from what its decoder reads. @internal */
export const selectSql = (node: Resolved, w: Params, scope: Scope): string => {
  const sql = exprSql(node, w, { ...scope, selected: true })
  const cast = node._tag === "Column" ? undefined : Types.outputCast(node.type)
  return cast === undefined ? sql : (scope.dialect ?? postgres).cast(sql, cast)
}
