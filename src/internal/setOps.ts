/**
 * Set operations of QuerySets (`union`, `intersection`, `difference`): building a combination from its operands, and
 * compiling it into `(SELECT ...) UNION [ALL] (SELECT ...)` with the combination's own ordering and slice.
 *
 * Each operand is a query compiled by `Compiler.select` into the same `Writer`, so parameters are numbered across the
 * whole statement. An operand keeps its ORDER BY only when it is sliced or distinct on fields (it chooses its rows); it
 * is always parenthesised, as PostgreSQL wants for an operand with those clauses, and so that nested combinations keep
 * their grouping. The rows of every operand must have the same shape (the same columns, in order, of compatible
 * types): that is checked when the combination compiles, before any SQL runs.
 * @internal
 */
import * as Result from "effect/Result"
import { FieldError, QueryError } from "../Errors.js"
import type * as Model from "../Model.js"
import type { QuerySet } from "../QuerySet.js"
import { valueType } from "./columnTypes.js"
import * as Compiler from "./compiler.js"
import * as Select from "./select.js"
import { sqlAlias } from "./names.js"
import * as Ast from "./query.js"

/** The SQL keyword of each operator. */
const keywords: Record<Ast.SetOperator, string> = { union: "UNION", intersection: "INTERSECT", difference: "EXCEPT" }

/** The refusal of a method Django does not support after a set operation (`filter() after union() ...`). @internal */
export const refusal = (query: Ast.Query, method: string): QueryError =>
  new QueryError({
    model: query.model.meta.name,
    reason: `${method}() after ${query.combined?.op ?? "a set operation"}() is not supported${method === "filter" || method === "exclude" ? ": filter its operands" : ""}`
  })

/**
 * A chained change of the result of a set operation. As Django, it takes an ordering, a slice, `none()` and
 * projections (see `project`), and refuses conditions, `distinct()` and `selectForUpdate()`.
 * @internal
 */
export const change = (query: Ast.Query, changes: Partial<Ast.Query>): Ast.Query => {
  const method = changes.where !== undefined
    ? (changes.where[changes.where.length - 1]?.negate ? "exclude" : "filter")
    : changes.distinct !== undefined
    ? "distinct"
    : changes.lock !== undefined
    ? "selectForUpdate"
    : undefined
  return method === undefined ? { ...query, ...changes } : { ...query, invalid: query.invalid ?? refusal(query, method) }
}

/** The leaf queries of a query (itself when it is no combination), left to right. */
const leaves = (query: Ast.Query): ReadonlyArray<Ast.Query> =>
  query.combined === undefined ? [query] : query.combined.operands.flatMap(leaves)

/**
 * Applies `f` to a combination and to every query in it, nested combinations and leaves (a projection or
 * `selectRelated` set on the result).
 */
const mapQueries = (query: Ast.Query, f: (query: Ast.Query) => Ast.Query): Ast.Query =>
  query.combined === undefined
    ? f(query)
    : { ...f(query), combined: { ...query.combined, operands: query.combined.operands.map((o) => mapQueries(o, f)) } }

/**
 * Whether a combination has no rows without asking the database, as Django decides it: a union when every operand is
 * empty (`none()`), an intersection when any is, a difference when its first operand is.
 */
const emptyCombination = (op: Ast.SetOperator, operands: ReadonlyArray<Ast.Query>): boolean =>
  op === "union" ? operands.every((o) => o.empty) : op === "intersection" ? operands.some((o) => o.empty) : operands[0]!.empty

/** What an operand may not carry: its refusal, or `undefined`. */
const operandProblem = (op: Ast.SetOperator, operand: Ast.Query): QueryError | undefined => {
  if (operand.invalid !== undefined) return operand.invalid
  const model = operand.model.meta.name
  if (operand.lock !== undefined) return new QueryError({ model, reason: `selectForUpdate cannot lock the rows of ${op}()` })
  if (operand.prefetch.length > 0) {
    return new QueryError({ model, reason: `prefetchRelated on an operand of ${op}() is not applied: call it on the result of ${op}()` })
  }
  return undefined
}

/**
 * The combination of `first` with `others` by `op`: the query of a QuerySet whose rows are those of the set operation.
 * It takes the first operand's model and projection (the row shape), no ordering (as Django, the model's default
 * ordering does not apply) and no slice. An operand that cannot take part makes it invalid.
 * @internal
 */
export const combine = (
  op: Ast.SetOperator,
  first: Ast.Query,
  others: ReadonlyArray<Ast.Query>,
  all: boolean
): Ast.Query => {
  const operands = [first, ...others]
  const invalid = operands.map((o) => operandProblem(op, o)).find((e) => e !== undefined)
  return {
    model: first.model,
    where: [],
    ordering: [],
    reversed: false,
    distinct: false,
    limit: undefined,
    offset: 0,
    empty: emptyCombination(op, operands),
    projection: first.projection,
    lock: undefined,
    selectRelated: first.selectRelated,
    prefetch: [],
    via: undefined,
    invalid,
    combined: { op, all: op === "union" && all, operands }
  }
}

/** A compiled operand: its SQL (without the parentheses), its row shape and its `selectRelated` columns. */
interface Part {
  readonly sql: string
  readonly query: Ast.Query
  readonly columns: ReadonlyArray<Ast.Column>
  readonly related: ReadonlyArray<Compiler.RelatedColumns>
}

/** A row shape as error messages show it: `Book instances (id: AutoField, ...)`, `values(name: Char) of Author`. */
const describeShape = (part: Part): string => {
  const projection = part.query.projection
  const columns = [...part.columns, ...part.related.flatMap((r) => r.columns)]
  const list = columns.map((c) => `${c.key}: ${c.field.kind}`).join(", ")
  const model = part.query.model.meta.name
  switch (projection._tag) {
    case "Model":
      return `${model} instances (${list})`
    case "Values":
      return `values(${list}) of ${model}`
    case "ValuesList":
      return `valuesList(${list}${projection.flat ? ", flat" : ""}) of ${model}`
  }
}

const sameProjection = (a: Ast.Projection, b: Ast.Projection): boolean =>
  a._tag === b._tag && (a._tag !== "ValuesList" || a.flat === (b as typeof a).flat)

/**
 * Columns that a UNION can pair: the same SQL type (lengths and precisions aside) and, unless the rows are tuples
 * (`valuesList`, whose values are positional), the same name.
 */
const sameColumns = (a: ReadonlyArray<Ast.Column>, b: ReadonlyArray<Ast.Column>, named: boolean): boolean =>
  a.length === b.length && a.every((c, i) => (!named || c.key === b[i]!.key) && valueType(c.field) === valueType(b[i]!.field))

/** Whether two operands have the same row shape (for model instances: of the same model, with the same relations). */
const sameShape = (a: Part, b: Part): boolean =>
  sameProjection(a.query.projection, b.query.projection) &&
  (a.query.projection._tag !== "Model" || a.query.model.meta === b.query.model.meta) &&
  sameColumns(a.columns, b.columns, a.query.projection._tag !== "ValuesList") &&
  a.related.length === b.related.length &&
  a.related.every((r, i) => r.name === b.related[i]!.name && sameColumns(r.columns, b.related[i]!.columns, true))

/** The output name of a result column: the alias the select list gives it. */
const outputName = (column: Ast.Column): string => Compiler.quote(sqlAlias(column.key))

/**
 * Compiles one operand into `w`. A combination compiles recursively. An operand keeps its ordering only when it
 * chooses its rows, as Django's `clear_ordering`: when it is sliced, or distinct on fields (`DISTINCT ON` keeps the
 * first row of each group). A sliced `distinct()` operand ordered by columns it does not select carries them too, so
 * it is narrowed to its own columns.
 */
const operand = (query: Ast.Query, w: Compiler.Writer): Result.Result<Part, FieldError | QueryError> => {
  const sliced = query.limit !== undefined || query.offset > 0
  const distinctOn = Array.isArray(query.distinct) && query.distinct.length > 0
  const source = sliced || distinctOn ? query : { ...query, ordering: [], reversed: false }
  if (query.combined !== undefined) return combination(source, w, false)
  return Result.map(Select.select(source, { writer: w }), ({ columns, compiled, related }) => {
    const narrow = sliced && query.distinct === true
    const sql = narrow
      ? `SELECT ${[...columns, ...related.flatMap((r) => r.columns)].map((c) => `"n".${outputName(c)}`).join(", ")} FROM (${compiled.sql}) AS "n"`
      : compiled.sql
    return { sql, query, columns, related }
  })
}

/** The ORDER BY items of a combination: result columns by name (or `pk`), or, when forced, the key or every column. */
const orderItems = (
  query: Ast.Query,
  first: Part,
  forceOrder: boolean
): Result.Result<ReadonlyArray<string>, FieldError> => {
  const combined = query.combined!
  const columns = [...first.columns, ...first.related.flatMap((r) => r.columns)]
  const model: Model.Any = query.model
  const byName = (name: string) =>
    columns.find((c) => c.key === name) ??
      (name === "pk" && first.query.projection._tag === "Model" ? columns.find((c) => c.key === model.meta.pk) : undefined)
  let keys = (query.ordering ?? []) as ReadonlyArray<string>
  if (keys.length === 0 && forceOrder) {
    // `first()` and `last()` of an unordered combination: by its primary key when it has one, else by every column.
    const pk = byName("pk") ?? byName(model.meta.pk)
    keys = pk !== undefined ? [pk.key] : first.columns.map((c) => c.key)
  }
  const items: Array<string> = []
  for (const key of keys) {
    const descending = typeof key === "string" && key.startsWith("-")
    const name = descending ? key.slice(1) : key
    const column = typeof name === "string" ? byName(name) : undefined
    if (column === undefined) {
      return Result.fail(new FieldError({
        model: model.meta.name,
        field: typeof key === "string" ? key : undefined,
        reason: `the result of ${combined.op}() is ordered by its own columns (${columns.map((c) => c.key).join(", ")})`
      }))
    }
    items.push(`${outputName(column)} ${descending !== query.reversed ? "DESC" : "ASC"}`)
  }
  return Result.succeed(items)
}

/** Compiles a combination into `w`: its operands, their shapes checked, then its own ordering and slice. */
const combination = (
  query: Ast.Query,
  w: Compiler.Writer,
  forceOrder: boolean
): Result.Result<Part, FieldError | QueryError> => {
  const combined = query.combined!
  const model = query.model.meta.name
  if (query.invalid !== undefined) return Result.fail(query.invalid)
  if (query.where.length > 0 || query.via !== undefined) {
    return Result.fail(refusal(query, "filter"))
  }
  const parts: Array<Part> = []
  for (const query of combined.operands) {
    const part = operand(query, w)
    if (Result.isFailure(part)) return part
    parts.push(part.success)
  }
  const first = parts[0]!
  const other = parts.find((p) => !sameShape(first, p))
  if (other !== undefined) {
    return Result.fail(new FieldError({
      model,
      reason: `the operands of ${combined.op}() must have the same rows: ${describeShape(first)} and ${describeShape(other)}`
    }))
  }
  const order = orderItems(query, first, forceOrder)
  if (Result.isFailure(order)) return Result.fail(order.failure)
  let sql = parts.map((p) => `(${p.sql})`).join(` ${keywords[combined.op]}${combined.all ? " ALL" : ""} `)
  if (order.success.length > 0) sql += ` ORDER BY ${order.success.join(", ")}`
  if (query.limit !== undefined) sql += ` LIMIT ${w.param(query.limit)}`
  if (query.offset > 0) sql += ` OFFSET ${w.param(query.offset)}`
  return Result.succeed({ sql, query, columns: first.columns, related: first.related })
}

/** Whether every leaf of a combination yields model instances (so a projection or a join can apply to each). */
const ofInstances = (query: Ast.Query): boolean => leaves(query).every((leaf) => leaf.projection._tag === "Model")

/**
 * `values(...)` / `valuesList(...)` on the result of a set operation: each operand selects those fields, as in
 * Django. The operands must be model querysets (a projection of projections would be ambiguous).
 * @internal
 */
export const project = (query: Ast.Query, projection: Ast.Projection, method: string): Ast.Query =>
  ofInstances(query)
    ? mapQueries(query, (q) => ({ ...q, projection }))
    : { ...query, invalid: refusal(query, method) }

/**
 * `selectRelated(...)` of a query; on the result of a set operation, every operand (of model instances) joins the
 * relations.
 * @internal
 */
export const selectRelated = (query: Ast.Query, paths: ReadonlyArray<string>): Ast.Query =>
  query.combined === undefined
    ? { ...query, selectRelated: [...query.selectRelated, ...paths] }
    : ofInstances(query)
    ? mapQueries(query, (q) => ({ ...q, selectRelated: [...q.selectRelated, ...paths] }))
    : { ...query, invalid: refusal(query, "selectRelated") }

/** The options of `union`. @since 0.3.0 */
export interface UnionOptions {
  /** Keep duplicate rows (`UNION ALL`), as Django's `union(..., all=True)`. */
  readonly all?: boolean
}

type Mutual<A, B> = [A] extends [B] ? [B] extends [A] ? true : false : false

/** What a compile error shows when an operand's rows differ from the QuerySet's. @since 0.3.0 */
export interface RowMismatch<Expected, Got> {
  readonly "the operands of a set operation must have the same rows": { readonly expected: Expected; readonly got: Got }
}

/** The operands of a set operation on a QuerySet of `Row`: QuerySets of the same rows (model or fields alike). @since 0.3.0 */
export type Operands<Row, Q> = {
  readonly [I in keyof Q]: Q[I] extends QuerySet<any, any, infer R> ? Mutual<R, Row> extends true ? Q[I] : RowMismatch<Row, R>
    : Q[I]
}

/**
 * The combination of a QuerySet's `query` with the QuerySets of `args` (`union`'s may end with its options); with none,
 * of the query alone, as in Django. Anything but QuerySets (in dynamic code) makes it invalid.
 * @internal
 */
export const combineArgs = (op: Ast.SetOperator, query: Ast.Query, args: ReadonlyArray<unknown>): Ast.Query => {
  const last = args[args.length - 1]
  const hasOptions = op === "union" && Ast.isPlainObject(last)
  const others = hasOptions ? args.slice(0, -1) : args
  const queries = others.map((o) => (o as { readonly query?: unknown } | null)?.query)
  const bad = queries.findIndex((q) => !Ast.isPlainObject(q) || !("model" in q))
  if (bad !== -1) {
    const reason = `${op}() takes QuerySets, got ${Ast.describe(others[bad])}`
    return { ...query, invalid: new QueryError({ model: query.model.meta.name, reason }) }
  }
  return combine(op, query, queries as ReadonlyArray<Ast.Query>, hasOptions && (last as UnionOptions).all === true)
}

/**
 * Compiles the SELECT of a combination: the statement, the columns of its rows and their `selectRelated` columns (the
 * first operand's, which every operand shares).
 * @internal
 */
export const select = (
  query: Ast.Query,
  options: { readonly forceOrder?: boolean } = {}
): Result.Result<Select.Select, FieldError | QueryError> => {
  const w = new Compiler.Writer()
  return Result.map(combination(query, w, options.forceOrder === true), ({ columns, related, sql }) => ({
    compiled: { sql, params: w.params, savepoint: w.savepoint },
    columns,
    related
  }))
}

/** Compiles `SELECT COUNT(*)` over a combination's rows (within its slice). @internal */
export const count = (query: Ast.Query): Result.Result<Compiler.Compiled, FieldError | QueryError> =>
  Result.map(select({ ...query, ordering: [], reversed: false }), ({ compiled }) => ({
    ...compiled,
    sql: `SELECT COUNT(*) AS "count" FROM (${compiled.sql}) AS "sub"`
  }))

/** Compiles whether a combination has any row (within its slice). @internal */
export const exists = (query: Ast.Query): Result.Result<Compiler.Compiled, FieldError | QueryError> =>
  Result.map(
    select({ ...query, ordering: [], reversed: false, limit: query.limit === undefined ? 1 : Math.min(query.limit, 1) }),
    ({ compiled }) => ({ ...compiled, sql: `SELECT EXISTS (${compiled.sql}) AS "exists"` })
  )
