/**
 * Expression indexes (`indexes: [{ name, expressions: [Lower("title")] }]`): what an index's expressions may hold,
 * checked when the model is defined (its own fields, their kinds, no aggregate, window, subquery or outer reference,
 * no function PostgreSQL will not index) and again, with their `When` conditions, when the DDL is built
 * (`ddl.ts`); and the stand-ins of expressions and conditions read back from a schema state as SQL (historical
 * models), which compile to that SQL unchanged.
 *
 * An index is computed from one row alone, by functions PostgreSQL declares IMMUTABLE: the ORM refuses those it
 * knows are not (`Now`, `Concat`, `Trunc` of a date, a timestamp plus or minus a duration, casts between text and
 * dates, timestamps, times or durations), and PostgreSQL refuses the rest when the index is created.
 * @internal
 */
import * as Result from "effect/Result"
import { FieldError } from "../Errors.js"
import * as Expr from "../Expr.js"
import type * as Model from "../Model.js"
import * as Resolve from "./expressions/resolve.js"
import type { Column, Where } from "./query.js"

// ---- expressions and conditions read back from a schema state ----

const stateSql = new WeakMap<object, string>()

/**
 * An expression standing for SQL a schema state holds (a historical model's index): it compiles to that text as it
 * is, and is not checked again. Only the migrations make these.
 * @internal
 */
export const fromState = (sql: string): Expr.Any => {
  const expr = Expr.make({ _tag: "Value", value: null })
  stateSql.set(expr, sql)
  return expr
}

/** A partial index's condition standing for the SQL a schema state holds (see `fromState`). @internal */
export const conditionFromState = (sql: string): object => {
  const condition = Object.freeze({})
  stateSql.set(condition, sql)
  return condition
}

/** The SQL a stand-in of `fromState` or `conditionFromState` holds, or `undefined` for anything else. @internal */
export const stateText = (value: unknown): string | undefined =>
  typeof value === "object" && value !== null ? stateSql.get(value) : undefined

// ---- the model's own columns ----

const has = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key)

/**
 * The column of a field an index expression names: the model's own fields only (and `pk`). Reads nothing but the
 * model's metadata, so that it works while the model is being defined (a relation's target may not exist yet).
 */
const ownColumn = (model: Model.Any, name: unknown): Result.Result<Column, FieldError> => {
  const meta = model.meta
  const fail = (reason: string, field?: string) => Result.fail(new FieldError({ model: meta.name, field, reason }))
  if (typeof name !== "string") return fail(`field names are strings, got ${typeof name}`)
  if (name.includes(".")) return fail("a path through relations: an index reads the columns of its own table", name)
  const key = name === "pk" ? meta.pk : name
  if (has(meta.fields, key)) return Result.succeed({ key, column: meta.columns[key] as string, field: meta.fields[key], path: [] })
  const rel = has(meta.relations, name) ? meta.relations[name] : undefined
  if (rel !== undefined) {
    return fail(rel.kind === "ManyToMany" ? "a many-to-many relation has no column to index" : `a relation: name its key column, ${name}Id`, name)
  }
  return fail(`unknown field; choices are ${Object.keys(meta.fields).join(", ")}`, name)
}

/**
 * The context index expressions resolve in: the model's own columns, no annotations, no aggregates or subqueries;
 * `condition` resolves the conditions of `When` (the DDL's, which may read relations; at definition time none).
 * @internal
 */
export const context = (
  model: Model.Any,
  condition: Resolve.Context["condition"]
): Resolve.Context => ({
  model,
  path: (dotted) => ownColumn(model, dotted),
  condition,
  annotations: new Map(),
  aggregates: "an index cannot hold an aggregate: it is computed from one row",
  subquery: () => Result.fail(new FieldError({ model: model.meta.name, reason: "an index cannot hold a subquery: it is computed from one row" }))
})

/** The condition of `When` at definition time: accepted, and checked when the DDL is built. */
const unchecked: Resolve.Context["condition"] = () => Result.succeed({ _tag: "Const", value: true })

// ---- what an index cannot compute ----

/** Why an expression node (before resolution) cannot be indexed: it reads other rows. */
const otherRows = (node: Expr.Node): string | undefined => {
  switch (node._tag) {
    case "Aggregate":
      return `an aggregate (${node.fn}) reads many rows; an index is computed from one row`
    case "Window":
      return "a window function reads other rows; an index is computed from one row"
    case "Subquery":
      return "a subquery reads other rows; an index is computed from one row"
    case "OuterRef":
      return "OuterRef belongs in a subquery; an index is computed from one row"
    case "Call":
      if (node.template?.aggregate === true) return "an aggregate reads many rows; an index is computed from one row"
      if (typeof node.fn === "string" && node.fn.startsWith("window:")) return "a window function reads other rows; an index is computed from one row"
      return first(node.args, otherRows)
    case "Binary":
      return otherRows(node.left) ?? otherRows(node.right)
    case "Cast":
      return otherRows(node.arg)
    case "Case":
      return first(node.whens.map((w) => w.then), otherRows) ?? (node.otherwise === undefined ? undefined : otherRows(node.otherwise))
    default:
      return undefined
  }
}

const first = <A>(items: ReadonlyArray<A>, f: (a: A) => string | undefined): string | undefined => {
  for (const item of items) {
    const found = f(item)
    if (found !== undefined) return found
  }
  return undefined
}

const TEXT_CASTS = new Set(["date", "datetime", "time", "duration"])

/**
 * Why a checked expression cannot be indexed: a column through a relation (from a `When` condition), something that
 * reads other rows, or a function PostgreSQL does not declare IMMUTABLE.
 * @internal
 */
export const problem = (node: Resolve.Resolved): string | undefined => {
  switch (node._tag) {
    case "Column":
      return throughRelations(node.column)
    case "Value":
      return undefined
    case "Binary": {
      const kinds = [node.left.type.kind, node.right.type.kind]
      if ((node.op === "+" || node.op === "-") && kinds.includes("datetime") && kinds.includes("duration")) {
        return "a timestamp plus or minus a duration depends on the session's time zone (PostgreSQL does not index it)"
      }
      return problem(node.left) ?? problem(node.right)
    }
    case "Call": {
      const fn = node.fn.split(":")[0]
      if (fn === "now") return "Now() changes with time (PostgreSQL indexes only IMMUTABLE functions)"
      if (fn === "concat") return "Concat formats its arguments by the session's settings (PostgreSQL's CONCAT is not IMMUTABLE, so it cannot be indexed)"
      if (fn === "trunc" && node.args[0]?.type.kind === "date") return "Trunc of a date depends on the session's time zone (PostgreSQL does not index it)"
      return first(node.args, problem)
    }
    case "Cast": {
      const from = node.arg.type.kind
      if ((node.to === "text" && TEXT_CASTS.has(from)) || (from === "string" && TEXT_CASTS.has(node.to))) {
        return `a cast between text and ${from === "string" ? node.to : from} depends on the session's settings (PostgreSQL does not index it)`
      }
      return problem(node.arg)
    }
    case "Case":
      return first(node.whens, (w) => whereProblem(w.condition) ?? problem(w.then)) ??
        (node.otherwise === undefined ? undefined : problem(node.otherwise))
    case "Annotation":
      return problem(node.node)
    case "Aggregate":
      return "an aggregate reads many rows; an index is computed from one row"
    case "Window":
      return "a window function reads other rows; an index is computed from one row"
    case "Subquery":
    case "Outer":
      return "a subquery reads other rows; an index is computed from one row"
  }
}

/** A column through relations, named by its path (`publisher.name`). */
const throughRelations = (column: Column): string | undefined =>
  column.path.length > 0
    ? `${[...column.path.map((r) => r.name), column.key.split(".").pop()].join(".")} is reached through relations; an index reads the columns of its own table`
    : undefined

/** Why a checked condition (a `When`'s, or a partial index's) cannot be part of an index. @internal */
export const whereProblem = (node: Where): string | undefined => {
  switch (node._tag) {
    case "Const":
      return undefined
    case "And":
    case "Or":
      return first(node.nodes, whereProblem)
    case "Not":
    case "Scope":
      return whereProblem(node.node)
    case "Bool":
      return problem(node.expr)
    case "Leaf":
      return throughRelations(node.column) ??
        (node.expr === undefined ? undefined : problem(node.expr)) ??
        first(node.operands, (op) => op._tag === "Expr" ? problem(op.node) : undefined)
  }
}

// ---- the checks of a model's options ----

/** How an index is named in errors. @internal */
export const indexLabel = (index: {
  readonly name?: string | undefined
  readonly fields?: ReadonlyArray<string> | undefined
  readonly expressions?: unknown
}): string =>
  index.name !== undefined
    ? `the index ${index.name}`
    : index.fields !== undefined
    ? `the index on ${index.fields.join(", ")}`
    : index.expressions !== undefined
    ? "an index over expressions"
    : "an index"

const reasonOf = (e: FieldError) => e.field === undefined ? e.reason : `${e.field}: ${e.reason}`

/**
 * Checks one expression of an index against the model (its metadata, while it is being defined): the reason it cannot
 * be indexed, or `undefined`. `When` conditions are checked when the DDL is built.
 * @internal
 */
export const expressionProblem = (model: Model.Any, expr: unknown): string | undefined => {
  if (stateText(expr) !== undefined) return undefined
  if (Expr.isOrdering(expr)) return "an expression index orders ascending: give the expression without asc() or desc()"
  if (!Expr.isExpr(expr)) {
    return `expressions are F(...), Value(...) or functions (Lower("title")), got ${
      typeof expr === "string" ? `the string ${JSON.stringify(expr)} (use fields for columns, or F(${JSON.stringify(expr)}))` : typeof expr
    }`
  }
  const rows = otherRows(expr.node)
  if (rows !== undefined) return rows
  const resolved = Resolve.resolve(context(model, unchecked), expr.node)
  if (Result.isFailure(resolved)) return reasonOf(resolved.failure)
  return problem(resolved.success)
}

/** Resolves an index expression for its DDL, with the conditions of its `When`s, or throws why it cannot be. @internal */
export const resolveForDdl = (
  model: Model.Any,
  label: string,
  expr: Expr.Any,
  condition: Resolve.Context["condition"]
): Resolve.Resolved => {
  const fail = (reason: string): never => {
    throw new Error(`Model ${model.meta.name}: ${label}: ${reason}`)
  }
  const early = expressionProblem(model, expr)
  if (early !== undefined) fail(early)
  const resolved = Resolve.resolve(context(model, condition), expr.node)
  if (Result.isFailure(resolved)) return fail(reasonOf(resolved.failure))
  const late = problem(resolved.success)
  return late === undefined ? resolved.success : fail(late)
}
