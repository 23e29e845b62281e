/**
 * Compiles reads: the SELECT of a query (with its joins, annotations, grouping, ordering, DISTINCT, slice and lock),
 * its COUNT and EXISTS, and `aggregate()`. Conditions and expressions come from `compiler.ts` and `expressions/`; how
 * annotations and aggregates are computed from `annotate.ts`.
 * @internal
 */
import * as Result from "effect/Result"
import { FieldError } from "../Errors.js"
import * as Annotate from "./annotate.js"
import {
  columnSql,
  type Compiled,
  exprScope,
  resolveWhere,
  from,
  Joins,
  quote,
  sameColumn,
  selectList,
  subqueries,
  T0,
  wholeRow,
  whereSql,
  Writer
} from "./compiler.js"
import { postgres } from "./dialect.js"
import * as Compile from "./expressions/compile.js"
import * as Resolve from "./expressions/resolve.js"
import * as Types from "./expressions/types.js"
import { sqlAlias } from "./names.js"
import * as Ast from "./query.js"

import type { RelatedColumns } from "./compiler.js"

const relatedCache = new WeakMap<object, Map<string, ReadonlyArray<RelatedColumns>>>()

/**
 * The joined relations of `selectRelated`: each path and its prefixes, parents first. They depend on the model and the
 * paths only, so they are kept per model (the same arrays let the SELECT's hydrator be built from them each time).
 */
const relatedColumns = (query: Ast.Query): Result.Result<ReadonlyArray<RelatedColumns>, FieldError> => {
  const key = query.selectRelated.join(",")
  let byModel = relatedCache.get(query.model)
  const cached = byModel?.get(key)
  if (cached !== undefined) return Result.succeed(cached)
  const found = findRelatedColumns(query)
  if (Result.isSuccess(found)) {
    if (byModel === undefined) relatedCache.set(query.model, byModel = new Map())
    byModel.set(key, found.success)
  }
  return found
}

const findRelatedColumns = (query: Ast.Query): Result.Result<ReadonlyArray<RelatedColumns>, FieldError> => {
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
  forceOrder: boolean,
  annotations: Ast.Annotations,
  grouped: boolean
): Result.Result<ReadonlyArray<OrderItem>, FieldError> => {
  const model = query.model
  // A grouped query ignores the model's default ordering, as Django's (it would split the groups).
  let keys: ReadonlyArray<string | import("../Expr.js").Ordering> = query.ordering ?? (grouped ? [] : model.meta.ordering)
  if (keys.length === 0 && forceOrder) keys = [model.meta.pk]
  return resolveAll(keys, (key) => Ast.resolveOrder(model, key, annotations))
}

type OrderItem = Ast.OrderItem
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

/** What a SELECT returns: its statement, the columns of the rows, and the related columns of `selectRelated`. @internal */
export interface Select {
  readonly compiled: Compiled
  readonly columns: ReadonlyArray<Ast.Column>
  readonly related: ReadonlyArray<RelatedColumns>
}

/** Resolves each of `keys` with `resolve`, or returns the first FieldError. */
const resolveAll = <A, K = string>(
  keys: ReadonlyArray<K>,
  resolve: (key: K) => Result.Result<A, FieldError>
): Result.Result<ReadonlyArray<A>, FieldError> => {
  const resolved: Array<A> = []
  for (const key of keys) {
    const one = resolve(key)
    if (Result.isFailure(one)) return Result.fail(one.failure)
    resolved.push(one.success)
  }
  return Result.succeed(resolved)
}

/** A selected annotation: its name and expression. */
interface Computed {
  readonly name: string
  readonly node: Ast.ResolvedExpr
}

/** The projected columns (annotations as their stand-ins) and the annotations computed among them. */
const projection = (
  query: Ast.Query,
  annotated: Annotate.Annotated
): Result.Result<{ readonly columns: ReadonlyArray<Ast.Column>; readonly computed: ReadonlyArray<Computed>; readonly isModel: boolean }, FieldError> => {
  const model = query.model
  const { annotations } = annotated
  const isModel = query.projection._tag === "Model" || query.projection.fields.length === 0
  const computed: Array<Computed> = []
  const annotation = (name: string): Ast.Column => {
    const node: Ast.ResolvedExpr = { _tag: "Annotation", name, node: annotations.get(name)!, type: annotations.get(name)!.type }
    computed.push({ name, node })
    return Ast.annotationColumn(name, annotations.get(name)!)
  }
  // Without annotations the columns are the model's whole row, the same array each time (its reads are built once).
  if (isModel) {
    const columns = annotated.selected.length === 0 ? wholeRow(model).columns : [...wholeRow(model).columns, ...annotated.selected.map(annotation)]
    return Result.succeed({ columns, computed, isModel })
  }
  const fields = (query.projection as { readonly fields: ReadonlyArray<string> }).fields
  // `values(...)` before `annotate` makes the rows groups, which carry the annotations too.
  const names = query.groupBy === fields ? [...fields, ...annotated.selected.filter((n) => !fields.includes(n))] : fields
  // Rows carry the names asked for (`values("pk")` gives `pk`, not the key field's name).
  const projected = resolveAll(names, (key) =>
    typeof key === "string" && annotations.has(key)
      ? Result.succeed(annotation(key))
      : Result.map(Ast.resolvePath(model, key), (column) => column.key === key ? column : { ...column, key }))
  return Result.map(projected, (columns) => ({ columns, computed, isModel }))
}

/**
 * Compiles a SELECT. `forceOrder` orders by the primary key when nothing else orders the rows (first/last). Every
 * query runs through here, so it is written without generators.
 * @internal
 */
export const select = (
  query: Ast.Query,
  options: { readonly forceOrder?: boolean; readonly writer?: Writer; readonly base?: string } = {}
): Result.Result<Select, FieldError> => {
  // A set operation compiles its operands into one writer: their parameters are numbered across the statement.
  const w = options.writer ?? new Writer()
  const model = query.model
  // A subquery's base table has an alias of its own, so that `OuterRef` can name the outer query's.
  const base = options.base ?? T0
  // Joins of the main query: INNER along required foreign keys, LEFT elsewhere (absent rows give NULL).
  const joins = new Joins(w, base, "t", true)
  const resolved = Annotate.resolve(query)
  if (Result.isFailure(resolved)) return Result.fail(resolved.failure)
  const annotated = resolved.success
  if (annotated.entries.some((e) => e.window) && query.qualified === undefined) return qualify(query, annotated, w, base, options.forceOrder === true)
  const { annotations, grouped } = annotated
  const outer = w.expressions
  if (annotations.size > 0) {
    w.expressions = Annotate.expressions(query, annotated, w, Annotate.correlation(query, grouped, base), joins.aliasOf, !grouped)
  }
  try {
    const projected = projection(query, annotated)
    if (Result.isFailure(projected)) return Result.fail(projected.failure)
    const { columns, computed, isModel } = projected.success
    let related: ReadonlyArray<RelatedColumns> = []
    if (isModel && query.selectRelated.length > 0) {
      const found = relatedColumns(query)
      if (Result.isFailure(found)) return Result.fail(found.failure)
      related = found.success
    }
    const scope = exprScope(w, joins.aliasOf)
    const plain = computed.length === 0 ? columns : columns.filter((c) => !computed.some((a) => a.name === c.key && c.path.length === 0 && c.column === a.name))
    let list = isModel && related.length === 0 && computed.length === 0 && base === T0
      ? wholeRow(model).list
      : [
        ...(plain.length + related.length > 0 ? [selectList([...plain, ...related.flatMap((r) => r.columns)], joins.aliasOf)] : []),
        ...computed.map((a) => `${Compile.selectSql(a.node, w, scope)} AS ${quote(sqlAlias(a.name))}`)
      ].join(", ")
    let where: string | undefined
    let having: string | undefined
    if (annotations.size === 0 && query.groupBy === undefined) {
      const node = resolveWhere(query)
      if (Result.isFailure(node)) return Result.fail(node.failure)
      where = whereSql(node.success, w, base)
    } else {
      // In a grouped query a condition on an aggregate is tested on the groups.
      const entries = annotated.entries
      const nodes = (having: boolean): Ast.Where => ({
        _tag: "And",
        nodes: [
          ...entries.filter((e) => !e.window && (grouped && e.aggregate) === having).map((e) => e.node),
          ...(query.empty && !having ? [{ _tag: "Const", value: false } as const] : [])
        ]
      })
      where = whereSql(nodes(false), w, base)
      having = grouped ? whereSql(nodes(true), w, base) : undefined
    }
    const ordered = orderItems(query, options.forceOrder === true, annotations, grouped)
    if (Result.isFailure(ordered)) return Result.fail(ordered.failure)
    let order = ordered.success
    // A selected annotation is ordered by its output column: computed once, and as DISTINCT wants it.
    const itemSql = (o: OrderItem) =>
      o.expr === undefined ? columnSql(o.column, joins.aliasOf(o.column.path))
        : o.expr._tag === "Annotation" && computed.some((a) => a.name === (o.expr as { readonly name: string }).name) ? quote(sqlAlias(o.expr.name))
        : Compile.exprSql(o.expr, w, scope)
    let distinct = ""
    if (query.distinct === true) {
      distinct = "DISTINCT "
      // PostgreSQL wants ORDER BY columns of a DISTINCT query selected: like Django, select them too (rows ignore them),
      // which makes them part of what is distinct.
      const missing = order.filter((o) => !columns.some((c) => sameColumn(c, o.column)))
      missing.forEach((o, i) => list += `, ${itemSql(o)} AS ${quote(`__order_${i}`)}`)
    } else if (Array.isArray(query.distinct) && query.distinct.length > 0) {
      const on = resolveAll(query.distinct, (key) => Ast.resolvePath(model, key))
      if (Result.isFailure(on)) return Result.fail(on.failure)
      distinct = postgres.distinctOn(on.success.map((c) => columnSql(c, joins.aliasOf(c.path))))
      const ordering = distinctOnOrder(query, on.success, order)
      if (Result.isFailure(ordering)) return Result.fail(ordering.failure)
      order = ordering.success
    }
    const orderSql = order.length === 0 ? "" : ` ORDER BY ${
      order.map((o) => (scope.dialect ?? postgres).nulls(`${itemSql(o)} ${o.descending !== query.reversed ? "DESC" : "ASC"}`, o.nulls)).join(", ")
    }`
    let groupSql = ""
    if (grouped) {
      // The groups are the `values(...)` fields given before `annotate` (whatever a later `values` selects), and the
      // other selected and ordered columns that are no aggregates, as Django does.
      const byName = resolveAll(query.groupBy!, (key) =>
        annotations.has(key)
          ? Result.succeed<Ast.ResolvedExpr>({ _tag: "Annotation", name: key, node: annotations.get(key)!, type: annotations.get(key)!.type })
          : Result.map(Ast.resolvePath(model, key), (column): Ast.ResolvedExpr => ({ _tag: "Column", column, type: Types.fieldType(column.field) })))
      if (Result.isFailure(byName)) return Result.fail(byName.failure)
      const selected = columns.map((c): Ast.ResolvedExpr => {
        const a = computed.find((x) => x.name === c.key)
        return a === undefined ? { _tag: "Column", column: c, type: Types.fieldType(c.field) } : a.node
      })
      const ordered = order.map((o): Ast.ResolvedExpr => o.expr ?? { _tag: "Column", column: o.column, type: Types.fieldType(o.column.field) })
      // A selected item is grouped by its position in the select list: an expression compiled again would bind its
      // values as new parameters, which PostgreSQL does not see as the same expression.
      const position = (n: Ast.ResolvedExpr): number => {
        if (n._tag === "Annotation") {
          const i = computed.findIndex((a) => a.name === n.name)
          return i === -1 ? -1 : plain.length + related.reduce((k, r) => k + r.columns.length, 0) + i + 1
        }
        if (n._tag === "Column") return plain.findIndex((c) => sameColumn(c, n.column)) + 1 || -1
        return -1
      }
      const parts = [...byName.success, ...selected, ...ordered]
        .filter((n) => !Resolve.containsAggregate(n))
        .map((n) => position(n) > 0 ? String(position(n)) : Compile.exprSql(n, w, scope))
      if (parts.length > 0) groupSql = ` GROUP BY ${[...new Set(parts)].join(", ")}`
    }
    let lockOf: ReadonlyArray<string> = []
    if (query.lock?.of !== undefined) {
      const locked = resolveAll(query.lock.of, (name) =>
        name === "self"
          ? Result.succeed(base)
          : Result.map(Ast.resolvePath(model, `${name}.pk`, { single: "cannot lock it" }), (c) => joins.aliasOf(c.path)!))
      if (Result.isFailure(locked)) return Result.fail(locked.failure)
      lockOf = locked.success
    }
    let conditions = where === undefined ? [] : [where]
    let viaJoin = ""
    if (query.via !== undefined) {
      const via = query.via
      const pk = wholeRow(model).columns.find((c) => c.key === model.meta.pk)!
      viaJoin = ` INNER JOIN ${quote(via.table)} AS "v" ON "v".${quote(via.column)} = ${columnSql(pk, base)}`
      list += `, "v".${quote(via.sourceColumn)} AS "__via"`
      conditions = [postgres.anyOf(`"v".${quote(via.sourceColumn)}`, w.param(via.keys), via.type), ...conditions]
    }
    let sql = `SELECT ${distinct}${list} FROM ${base === T0 ? from(model) : `${quote(model.meta.table)} AS ${base}`}${joins.sql}${viaJoin}`
    if (conditions.length > 0) sql += ` WHERE ${conditions.length === 1 ? conditions[0] : conditions.map((c) => `(${c})`).join(" AND ")}`
    sql += groupSql
    if (having !== undefined) sql += ` HAVING ${having}`
    sql += orderSql
    if (query.limit !== undefined) sql += ` LIMIT ${w.param(query.limit)}`
    if (query.offset > 0) sql += ` OFFSET ${w.param(query.offset)}`
    if (query.lock !== undefined) sql += postgres.lock(lockOf, query.lock.nowait === true, query.lock.skipLocked === true)
    return Result.succeed({ compiled: { sql, params: w.params, savepoint: w.savepoint }, columns, related })
  } catch (error) {
    // A subquery's own problem, found while its expression compiles.
    if (error instanceof FieldError) return Result.fail(error)
    throw error
  } finally {
    w.expressions = outer
  }
}

/** A condition rebased on the columns of a query's rows as a subquery (`"q"`): each column by the name it is selected under. */
const rebaseWhere = (node: Ast.Where, model: string): Ast.Where => {
  switch (node._tag) {
    case "Leaf": {
      if (node.column.path.length > 0) {
        throw new FieldError({ model, field: node.column.key, reason: "a filter on a window annotation tests the query's own fields and annotations, not relations" })
      }
      return {
        ...node,
        column: { ...node.column, column: sqlAlias(node.column.key) },
        expr: node.expr === undefined ? undefined : rebase(node.expr, model),
        operands: node.operands.map((o) => o._tag === "Expr" ? { _tag: "Expr", node: rebase(o.node, model) } : o)
      }
    }
    case "Bool":
      return { ...node, expr: rebase(node.expr, model) }
    case "Not":
    case "Scope":
      return { ...node, node: rebaseWhere(node.node, model) }
    case "And":
    case "Or":
      return { ...node, nodes: node.nodes.map((n) => rebaseWhere(n, model)) }
    default:
      return node
  }
}

/**
 * A query filtered on a window annotation: windows are computed after WHERE, so the query (with its other filters)
 * becomes a subquery whose computed rows the window conditions, the ordering and the slice then apply to, as Django
 * 4.2 does.
 */
const qualify = (query: Ast.Query, annotated: Annotate.Annotated, w: Writer, base: string, forceOrder: boolean): Result.Result<Select, FieldError> => {
  const model = query.model.meta.name
  const qualified = annotated.entries.flatMap((e, i) => e.window ? [i] : [])
  // Every annotation is selected inside, so that conditions and ordering can name those of `alias` too, and (unless
  // the rows are groups) every field of the model.
  const hidden = new Set((query.annotations ?? []).filter((a) => !a.select).map((a) => a.name))
  const projection = query.projection
  const names = (query.annotations ?? []).map((a) => a.name)
  const wanted = projection._tag === "Model" || projection.fields.length === 0
    ? undefined
    : new Set([...projection.fields, ...(query.groupBy === projection.fields ? annotated.selected : [])])
  const inner = select({
    ...query,
    qualified,
    projection: wanted === undefined ? projection : {
      ...(projection as Extract<Ast.Projection, { _tag: "Values" | "ValuesList" }>),
      fields: [...new Set([...wanted, ...names, ...(annotated.grouped ? [] : Object.keys(query.model.meta.fields))])]
    },
    annotations: (query.annotations ?? []).map((a) => ({ ...a, select: true })),
    ordering: [],
    limit: undefined,
    offset: 0,
    lock: undefined
  }, { writer: w, base })
  if (Result.isFailure(inner)) return inner
  try {
    const q = quote("q")
    const conditions = qualified.map((i) => {
      const entry = annotated.entries[i]!
      const inner = rebaseWhere(entry.inner, model)
      return whereSql(entry.negate ? { _tag: "Not", node: inner } : inner, w, q)
    }).filter((c): c is string => c !== undefined)
    const ordered = orderItems(query, forceOrder, annotated.annotations, annotated.grouped)
    if (Result.isFailure(ordered)) return Result.fail(ordered.failure)
    const scope = exprScope(w, q, { aggregate: undefined, annotation: undefined })
    const order = ordered.success.map((o) => {
      const expr: Ast.ResolvedExpr = o.expr ?? { _tag: "Column", column: o.column, type: Types.fieldType(o.column.field) }
      return postgres.nulls(`${Compile.exprSql(rebase(expr, model), w, scope)} ${o.descending !== query.reversed ? "DESC" : "ASC"}`, o.nulls)
    })
    let sql = `SELECT * FROM (${inner.success.compiled.sql}) AS ${q}`
    if (conditions.length > 0) sql += ` WHERE ${conditions.map((c) => `(${c})`).join(" AND ")}`
    if (order.length > 0) sql += ` ORDER BY ${order.join(", ")}`
    if (query.limit !== undefined) sql += ` LIMIT ${w.param(query.limit)}`
    if (query.offset > 0) sql += ` OFFSET ${w.param(query.offset)}`
    return Result.succeed({
      compiled: { sql, params: w.params, savepoint: w.savepoint },
      columns: wanted === undefined
        ? inner.success.columns.filter((c) => !(c.path.length === 0 && hidden.has(c.key)))
        : [...wanted].map((key) => inner.success.columns.find((c) => c.key === key)!),
      related: inner.success.related
    })
  } catch (error) {
    if (error instanceof FieldError) return Result.fail(error)
    throw error
  }
}

subqueries.compile = (query, w, base) => {
  const compiled = select({ ...query, ordering: query.limit === undefined && query.offset === 0 ? [] : query.ordering }, { writer: w, base })
  if (Result.isFailure(compiled)) throw compiled.failure
  return compiled.success.compiled.sql
}

/** Compiles `SELECT COUNT(*)`, wrapping the query when it is distinct, sliced, annotated or over relation paths. @internal */
export const count = (query: Ast.Query): Result.Result<Compiled, FieldError> => {
  if (Annotate.needsWrap(query)) {
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

/** `aggregate({ ... })` compiled: the statement (one row, columns `a0`, `a1`, ...) and each result's decoder. @internal */
export interface Aggregation {
  readonly compiled: Compiled
  readonly names: ReadonlyArray<string>
  readonly decode: ReadonlyArray<(raw: unknown) => unknown>
  readonly nodes: ReadonlyArray<Ast.ResolvedExpr>
}

/** The column of the wrapped rows (`"sub"`) an expression's own columns and annotations are read from. */
const rebase = (node: Ast.ResolvedExpr, model: string): Ast.ResolvedExpr => {
  const map = (n: Ast.ResolvedExpr): Ast.ResolvedExpr => {
    switch (n._tag) {
      case "Column":
        if (n.column.path.length > 0) {
          throw new FieldError({ model, field: n.column.key, reason: "an aggregate over a sliced, distinct, grouped or annotated queryset reads its own rows' fields and annotations, not relations" })
        }
        return { ...n, column: { ...n.column, column: sqlAlias(n.column.key) } }
      case "Annotation":
        return { _tag: "Column", column: { ...Ast.annotationColumn(n.name, n.node), column: sqlAlias(n.name) }, type: { ...n.type, field: undefined } }
      default:
        return Resolve.mapParts(n, map)
    }
  }
  return map(node)
}

/** The own fields and annotations an expression reads. */
const ownNames = (node: Ast.ResolvedExpr, found: Set<string>): Set<string> => {
  if (node._tag === "Column" && node.column.path.length === 0) found.add(node.column.key)
  else if (node._tag === "Annotation") found.add(node.name)
  else Resolve.parts(node).forEach((p) => ownNames(p, found))
  return found
}

/**
 * Compiles `aggregate({ ... })` over a query's rows into one row. Plain rows are aggregated in place (aggregates over
 * many-valued relations in subqueries, see `annotate.ts`); sliced, distinct, annotated or grouped rows first as a
 * subquery, whose fields and annotations the aggregates read.
 * @internal
 */
export const aggregate = (query: Ast.Query, aggregates: Readonly<Record<string, unknown>>): Result.Result<Aggregation, FieldError> => {
  const resolved = Annotate.resolve(query)
  if (Result.isFailure(resolved)) return Result.fail(resolved.failure)
  const annotated = resolved.success
  const names = Object.keys(aggregates)
  const nodes: Array<Ast.ResolvedExpr> = []
  const wrap = Annotate.needsWrap(query)
  // Over wrapped rows an annotation is a column of those rows, even when it is an aggregate of its own.
  const visible: Ast.Annotations = wrap
    ? new Map([...annotated.annotations].map(([name, node]) => [name, { _tag: "Column", column: Ast.annotationColumn(name, node), type: { ...node.type, field: undefined } }]))
    : annotated.annotations
  const context = Ast.exprContext(query.model, visible, true)
  for (const name of names) {
    const value = aggregates[name]
    const node = typeof value === "object" && value !== null && "node" in value ? (value as { readonly node: unknown }).node : undefined
    if (node === undefined) return Result.fail(Annotate.notAggregate(query, name, "expected an aggregate such as Count() or Sum(\"field\")"))
    const one = Resolve.resolve(context, node as any, name)
    if (Result.isFailure(one)) return Result.fail(one.failure)
    if (!Resolve.containsAggregate(one.success)) return Result.fail(Annotate.notAggregate(query, name, "is not an aggregate expression"))
    nodes.push(one.success)
  }
  const decode = nodes.map((n) => Types.decoder(n.type))
  const w = new Writer()
  try {
    if (wrap) {
      const used = new Set<string>()
      nodes.forEach((n) => ownNames(n, used))
      const base = query.projection._tag === "Model" || query.projection.fields.length === 0
        ? query.groupBy !== undefined && query.groupBy.length > 0 ? [...query.groupBy, ...annotated.selected] : Object.keys(query.model.meta.fields)
        : (query.projection as { readonly fields: ReadonlyArray<string> }).fields
      const fields = [...new Set([...base, ...(query.groupBy === (query.projection as any).fields ? annotated.selected : []), ...used])]
      const inner = select({ ...query, projection: { _tag: "Values", fields }, ordering: query.limit !== undefined || query.offset > 0 ? query.ordering : [] }, { writer: w })
      if (Result.isFailure(inner)) return Result.fail(inner.failure)
      const scope = exprScope(w, "\"sub\"", { aggregate: undefined, annotation: undefined })
      const list = nodes.map((n, i) => `${Compile.selectSql(rebase(n, query.model.meta.name), w, scope)} AS ${quote(`a${i}`)}`)
      return Result.succeed({
        compiled: { sql: `SELECT ${list.join(", ")} FROM (${inner.success.compiled.sql}) AS "sub"`, params: w.params, savepoint: w.savepoint },
        names,
        decode,
        nodes
      })
    }
    const joins = new Joins(w, T0, "t", true)
    w.expressions = Annotate.expressions(query, annotated, w, Annotate.correlation(query, true), joins.aliasOf, false)
    const scope = exprScope(w, joins.aliasOf)
    const list = nodes.map((n, i) => `${Compile.selectSql(n, w, scope)} AS ${quote(`a${i}`)}`)
    const node = resolveWhere(query, annotated.annotations)
    if (Result.isFailure(node)) return Result.fail(node.failure)
    const where = whereSql(node.success, w)
    return Result.succeed({
      compiled: {
        sql: `SELECT ${list.join(", ")} FROM ${from(query.model)}${joins.sql}${where === undefined ? "" : ` WHERE ${where}`}`,
        params: w.params,
        savepoint: w.savepoint
      },
      names,
      decode,
      nodes
    })
  } catch (error) {
    if (error instanceof FieldError) return Result.fail(error)
    throw error
  }
}

