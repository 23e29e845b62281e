/**
 * Annotations and aggregates in a SELECT. Three rules give Django's numbers where relations multiply rows:
 *
 * - An aggregate over a many-valued relation (`Count("books")`, `Avg("books.authors.age")`) is computed in a
 *   correlated subquery of its own, over the related rows of the row (or of the group's rows): two aggregates over two
 *   relations never multiply each other, and the row is never repeated.
 * - The conditions of earlier `filter` calls on the same relation also choose the related rows it aggregates, as
 *   Django's join reuse does (`filter({ books: { rating: { gt: 3 } } }).annotate({ n: Count("books") })` counts the
 *   books rated above 3); a filter after the annotation does not.
 * - After `values(...)`, aggregates group the rows by those fields (SQL GROUP BY), and a filter on an aggregate is a
 *   HAVING condition.
 * @internal
 */
import * as Result from "effect/Result"
import { FieldError } from "../Errors.js"
import * as Expr from "../Expr.js"
import * as Compiler from "./compiler.js"
import * as Compile from "./expressions/compile.js"
import * as Resolve from "./expressions/resolve.js"
import * as Ast from "./query.js"

/** The annotations of a query, resolved, and how its rows are formed. @internal */
export interface Annotated {
  readonly annotations: Ast.Annotations
  /** The selected annotations (`annotate`, not `alias`), in order. */
  readonly selected: ReadonlyArray<string>
  /** Rows are groups of the `values(...)` fields (an aggregate follows `values`). */
  readonly grouped: boolean
  /** The query's `filter`/`exclude` entries, resolved (each a scope, negated ones under a NOT). */
  readonly entries: ReadonlyArray<Entry>
}

/** One `filter`/`exclude` call, resolved. @internal */
export interface Entry {
  readonly node: Ast.Where
  /** Its conditions, without the scope around them. */
  readonly inner: Ast.Where
  readonly negate: boolean
  /** Whether it tests an aggregate (then it is a HAVING condition of a grouped query). */
  readonly aggregate: boolean
  /** Whether it tests a window (then it filters the computed rows, around the query as a subquery). */
  readonly window: boolean
}

const noAnnotations: Annotated = { annotations: new Map(), selected: [], grouped: false, entries: [] }

/** Whether a condition compares an aggregate. */
const tests = (contains: (node: Ast.ResolvedExpr) => boolean) => {
  const visit = (node: Ast.Where): boolean => {
    switch (node._tag) {
      case "Leaf":
        return (node.expr !== undefined && contains(node.expr)) || node.operands.some((o) => o._tag === "Expr" && contains(o.node))
      case "Bool":
        return contains(node.expr)
      case "Not":
      case "Scope":
        return visit(node.node)
      case "And":
      case "Or":
        return node.nodes.some(visit)
      default:
        return false
    }
  }
  return visit
}

const testsAggregate = tests(Resolve.containsAggregate)
const testsWindow = tests(Resolve.containsWindow)

/** Resolves a query's annotations and conditions. @internal */
export const resolve = (query: Ast.Query): Result.Result<Annotated, FieldError> => {
  if ((query.annotations ?? []).length === 0 && query.groupBy === undefined) return Result.succeed(noAnnotations)
  const annotations = Ast.resolveAnnotations(query)
  if (Result.isFailure(annotations)) return Result.fail(annotations.failure)
  const entries: Array<Entry> = []
  for (const { condition, negate } of query.where) {
    const inner = Ast.resolveCondition(query.model, condition, annotations.success, query.outer)
    if (Result.isFailure(inner)) return Result.fail(inner.failure)
    const scope: Ast.Where = { _tag: "Scope", node: inner.success }
    entries.push({
      node: negate ? { _tag: "Not", node: scope } : scope,
      inner: inner.success,
      negate,
      aggregate: testsAggregate(inner.success),
      window: testsWindow(inner.success)
    })
  }
  const selected = (query.annotations ?? []).filter((a) => a.select).map((a) => a.name)
  const grouped = query.groupBy !== undefined && query.groupBy.length > 0 &&
    (query.annotations ?? []).some((a) => Resolve.containsAggregate(annotations.success.get(a.name)!))
  return Result.succeed({ annotations: annotations.success, selected, grouped, entries })
}

/** Whether any relation of a path reaches many rows. */
const isMany = (path: Ast.Path) => path.some((r) => r.many)

/** The relation paths an aggregate reads (its argument, default, ordering and filter). */
const aggregatePaths = (node: Extract<Ast.ResolvedExpr, { _tag: "Aggregate" }>): Map<string, Ast.Path> => {
  const paths = Resolve.pathsOfAggregate(node)
  if (node.filter !== undefined) Compiler.scopePaths(node.filter, paths)
  return paths
}

/**
 * How the expressions of a statement compile its aggregates: over many-valued relations, each in a correlated
 * subquery whose base rows are `correlate`d with the statement's (`= "t0"."id"` per row, `= ANY(ARRAY_AGG(...))` per
 * group); others in place. `after` gives how many filter calls choose the related rows of an annotation.
 * @internal
 */
export const expressions = (
  query: Ast.Query,
  annotated: Annotated,
  w: Compiler.Writer,
  correlate: (inner: string) => string,
  mainAliasOf: Compiler.AliasOf,
  all: boolean
): Partial<Compile.Scope> => {
  const model = query.model
  const pk = model.meta.columns[model.meta.pk]!
  const afterOf = new Map((query.annotations ?? []).map((a) => [a.name, a.after]))
  const subquery = (node: Extract<Ast.ResolvedExpr, { _tag: "Aggregate" }>, after: number): string | undefined => {
    const paths = aggregatePaths(node)
    const many = [...paths.values()].filter(isMany)
    // Per row, every aggregate is over the row's related rows; per group, only those over many-valued relations.
    if (many.length === 0 && !all) return undefined
    const a = w.alias("a")
    // INNER joins: a row without related rows has no rows to aggregate (COUNT 0, SUM NULL), not one row of NULLs.
    const joins = new Compiler.Joins(w, a, "r", false, true)
    for (const path of paths.values()) joins.add(path)
    const scope = Compiler.exprScope(w, joins.aliasOf, { aggregate: undefined, annotation: undefined })
    const sql = Compile.aggregateSql(node, w, scope)
    const conditions = [correlate(`${a}.${Compiler.quote(pk)}`)]
    const firsts = new Set(many.map((p) => p[0]!.name))
    for (const entry of annotated.entries.slice(0, after)) {
      if (entry.negate || entry.aggregate) continue
      const used = new Map<string, Ast.Path>()
      Compiler.scopePaths(entry.inner, used)
      if (used.size === 0 || ![...used.values()].every((p) => firsts.has(p[0]!.name))) continue
      const condition = Compiler.whereSql(entry.inner, w, joins.aliasOf)
      if (condition !== undefined) conditions.push(condition)
    }
    return `(SELECT ${sql} FROM ${Compiler.quote(model.meta.table)} AS ${a}${joins.sql} WHERE ${conditions.map((c) => `(${c})`).join(" AND ")})`
  }
  const scopeFor = (after: number): Partial<Compile.Scope> => ({
    aggregate: (node) => subquery(node, after),
    annotation: (name, node, selected) =>
      Compile.exprSql(node, w, { ...Compiler.exprScope(w, mainAliasOf, scopeFor(afterOf.get(name) ?? after)), selected })
  })
  return scopeFor(query.where.length)
}

/** Correlates the base rows of an aggregate's subquery: with the row itself, or with the rows of its group. @internal */
export const correlation = (query: Ast.Query, grouped: boolean, base = Compiler.T0) => {
  const pk = `${base}.${Compiler.quote(query.model.meta.columns[query.model.meta.pk]!)}`
  return grouped ? (inner: string) => `${inner} = ANY(ARRAY_AGG(${pk}))` : (inner: string) => `${inner} = ${pk}`
}

/**
 * A query with more annotations (`annotate` selects them, `alias` does not). The first one after `values(...)` makes
 * those fields the groups.
 * @internal
 */
export const add = (query: Ast.Query, annotations: Readonly<Record<string, unknown>>, select: boolean): Ast.Query => {
  const after = query.where.length
  const entries: ReadonlyArray<Ast.Annotation> = Object.keys(annotations).map((name) => {
    const value = annotations[name]
    return { name, node: Expr.isExpr(value) ? value.node : value as Expr.Node, select, after }
  })
  const projection = query.projection
  const groupBy = query.groupBy ?? (projection._tag !== "Model" && projection.fields.length > 0 ? projection.fields : undefined)
  return { ...query, annotations: [...(query.annotations ?? []), ...entries], groupBy }
}

/** Whether a query's rows need a subquery before aggregating or counting them. @internal */
export const needsWrap = (query: Ast.Query): boolean =>
  query.distinct !== false || query.limit !== undefined || query.offset > 0 || (query.annotations ?? []).length > 0 ||
  query.groupBy !== undefined ||
  (query.projection._tag !== "Model" && query.projection.fields.some((f) => typeof f === "string" && f.includes(".")))

/** A FieldError for a value of `aggregate({ ... })` that is no aggregate. @internal */
export const notAggregate = (query: Ast.Query, name: string, reason: string) =>
  new FieldError({ model: query.model.meta.name, field: name, reason })
