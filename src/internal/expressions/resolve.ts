/**
 * Resolution of expression nodes against a model: each field path becomes a checked column, each annotation name its
 * expression, and each node gets its type (see `types.ts`), or the whole expression a `FieldError` saying why it
 * cannot be computed.
 * @internal
 */
import * as Result from "effect/Result"
import { FieldError } from "../../Errors.js"
import type * as Expr from "../../Expr.js"
import type * as Model from "../../Model.js"
import type { Column, Path, Where } from "../query.js"
import * as Functions from "./functions.js"
import * as Types from "./types.js"

/** An ordering inside an aggregate (`StringAgg`, `ArrayAgg`). @internal */
export interface ResolvedOrdering {
  readonly node: Resolved
  readonly descending: boolean
  readonly nulls: "first" | "last" | undefined
}

/** A checked expression: every node carries its type. @internal */
export type Resolved =
  | { readonly _tag: "Column"; readonly column: Column; readonly type: Types.Type }
  | { readonly _tag: "Annotation"; readonly name: string; readonly node: Resolved; readonly type: Types.Type }
  | { readonly _tag: "Value"; readonly value: unknown; readonly type: Types.Type }
  | { readonly _tag: "Binary"; readonly op: Expr.Operator; readonly left: Resolved; readonly right: Resolved; readonly type: Types.Type }
  | { readonly _tag: "Call"; readonly fn: string; readonly args: ReadonlyArray<Resolved>; readonly template?: Expr.Template; readonly type: Types.Type }
  | { readonly _tag: "Cast"; readonly arg: Resolved; readonly to: Expr.CastTarget; readonly type: Types.Type }
  | {
    readonly _tag: "Case"
    readonly whens: ReadonlyArray<{ readonly condition: Where; readonly then: Resolved }>
    readonly otherwise: Resolved | undefined
    readonly type: Types.Type
  }
  /** A window function or an aggregate over a window. */
  | {
    readonly _tag: "Window"
    readonly fn: Resolved
    readonly partitionBy: ReadonlyArray<Resolved>
    readonly orderBy: ReadonlyArray<ResolvedOrdering>
    readonly frame: Expr.Frame | undefined
    readonly type: Types.Type
  }
  /** A column of the query around the subquery (`OuterRef`). */
  | { readonly _tag: "Outer"; readonly column: Column; readonly type: Types.Type }
  /** A subquery: the value of its one column (NULL without rows), or whether it has rows. */
  | { readonly _tag: "Subquery"; readonly query: unknown; readonly exists: boolean; readonly type: Types.Type }
  | {
    readonly _tag: "Aggregate"
    readonly fn: Expr.AggregateFunction
    readonly arg: Resolved | undefined
    readonly distinct: boolean
    readonly filter: Where | undefined
    readonly default: Resolved | undefined
    readonly separator: string | undefined
    readonly sample: boolean
    readonly ordering: ReadonlyArray<ResolvedOrdering>
    readonly type: Types.Type
  }

/** What resolution needs from the query, given by its caller (so that this module need not import the filter resolver). @internal */
export interface Context {
  readonly model: Model.Any
  /** Resolves a field path (`"publisher.name"`) to its column. */
  readonly path: (dotted: string) => Result.Result<Column, FieldError>
  /** Resolves a filter (of `When` and of an aggregate's `filter`). */
  readonly condition: (condition: unknown) => Result.Result<Where, FieldError>
  /** The query's annotations, by name, which `F` may name. */
  readonly annotations: ReadonlyMap<string, Resolved>
  /** Where aggregates are allowed (`annotate`, `aggregate`), and why not otherwise. */
  readonly aggregates: true | string
  /** In a subquery, the context of the query around it (what `OuterRef` names). */
  readonly outer?: Context | undefined
  /**
   * The type of a subquery's one column, and the query to compile with `OuterRef` resolved in this context (given by
   * the filter resolver, which knows queries).
   */
  readonly subquery?: (query: unknown, exists: boolean, outer: Context) => Result.Result<{ readonly query: unknown; readonly type: Types.Type }, FieldError>
}

const castTypes: Record<Expr.CastTarget, Types.Type> = {
  integer: { kind: "number" },
  bigint: { kind: "bigint" },
  float: { kind: "number", float: true },
  decimal: { kind: "decimal" },
  text: { kind: "string" },
  boolean: { kind: "boolean" },
  date: { kind: "date" },
  datetime: { kind: "datetime" },
  time: { kind: "time" },
  duration: { kind: "duration" },
  uuid: { kind: "uuid" },
  json: { kind: "json" }
}

/** The nodes an expression is computed from, as far as its row is concerned (not a subquery's, not a filter's). */
const children = (node: Resolved): ReadonlyArray<Resolved> => {
  switch (node._tag) {
    case "Annotation":
      return [node.node]
    case "Binary":
      return [node.left, node.right]
    case "Call":
      return node.args
    case "Cast":
      return [node.arg]
    case "Case":
      return [...node.whens.map((w) => w.then), ...(node.otherwise === undefined ? [] : [node.otherwise])]
    case "Window":
      return [node.fn, ...node.partitionBy, ...node.orderBy.map((o) => o.node)]
    default:
      return []
  }
}

/** Whether an expression holds an aggregate (directly or through an annotation). @internal */
export const containsAggregate = (node: Resolved): boolean => {
  if (node._tag === "Aggregate" || (node._tag === "Call" && node.template?.aggregate === true)) return true
  // A window aggregate does not group the rows; an aggregate in its partition or order (a rank by count) does.
  return (node._tag === "Window" && node.fn._tag === "Aggregate" ? children(node).slice(1) : children(node)).some(containsAggregate)
}

/** Whether an expression holds a window (directly or through an annotation). @internal */
export const containsWindow = (node: Resolved): boolean => node._tag === "Window" || children(node).some(containsWindow)

/**
 * Every sub-expression of a node: its `children`, and an aggregate's argument, default and ordering (which are
 * computed over the rows it aggregates).
 * @internal
 */
export const parts = (node: Resolved): ReadonlyArray<Resolved> =>
  node._tag === "Aggregate"
    ? [...(node.arg === undefined ? [] : [node.arg]), ...(node.default === undefined ? [] : [node.default]), ...node.ordering.map((o) => o.node)]
    : children(node)

/** A node with each of its `parts` replaced by what `f` makes of it. @internal */
export const mapParts = (node: Resolved, f: (part: Resolved) => Resolved): Resolved => {
  switch (node._tag) {
    case "Annotation":
      return { ...node, node: f(node.node) }
    case "Binary":
      return { ...node, left: f(node.left), right: f(node.right) }
    case "Call":
      return { ...node, args: node.args.map(f) }
    case "Cast":
      return { ...node, arg: f(node.arg) }
    case "Case":
      return { ...node, whens: node.whens.map((w) => ({ ...w, then: f(w.then) })), otherwise: node.otherwise === undefined ? undefined : f(node.otherwise) }
    case "Window":
      return { ...node, fn: f(node.fn), partitionBy: node.partitionBy.map(f), orderBy: node.orderBy.map((o) => ({ ...o, node: f(o.node) })) }
    case "Aggregate":
      return {
        ...node,
        arg: node.arg === undefined ? undefined : f(node.arg),
        default: node.default === undefined ? undefined : f(node.default),
        ordering: node.ordering.map((o) => ({ ...o, node: f(o.node) }))
      }
    default:
      return node
  }
}

/** The relation paths the columns of an expression are reached through, outside its aggregates. @internal */
export const pathsOf = (node: Resolved, found: Map<string, Path> = new Map()): Map<string, Path> => {
  const visit = (n: Resolved): void => {
    if (n._tag === "Column") {
      if (n.column.path.length > 0) found.set(n.column.path.map((r) => r.name).join("."), n.column.path)
      return
    }
    // A window aggregate reads the statement's own rows; another aggregate's columns are those of the rows it
    // aggregates, not of the row it is computed for (its `children` are none).
    if (n._tag === "Window" && n.fn._tag === "Aggregate") pathsOfAggregate(n.fn).forEach((p, k) => found.set(k, p))
    children(n).forEach(visit)
  }
  visit(node)
  return found
}

/** Resolves an expression node, or gives the FieldError that says why it cannot be computed. @internal */
export const resolve = (ctx: Context, node: Expr.Node, label?: string): Result.Result<Resolved, FieldError> => {
  try {
    return Result.succeed(new Resolver(ctx, label).node(node))
  } catch (error) {
    if (error instanceof FieldError) return Result.fail(error)
    throw error
  }
}

class Resolver {
  constructor(readonly ctx: Context, readonly label: string | undefined) {}

  fail(reason: string): never {
    throw new FieldError({ model: this.ctx.model.meta.name, field: this.label, reason })
  }

  unwrap<A>(result: Result.Result<A, FieldError>): A {
    if (Result.isFailure(result)) {
      const e = result.failure
      // A problem inside the expression is reported under the name the expression is given (the annotation).
      throw this.label === undefined || e.field === this.label ? e : new FieldError({ model: e.model, field: this.label, reason: `${e.field === undefined ? "" : `${e.field}: `}${e.reason}` })
    }
    return result.success
  }

  typed(type: Types.Type | string, what: () => string): Types.Type {
    if (typeof type === "string") this.fail(`cannot compute ${what()}: ${type}`)
    return type
  }

  node(node: Expr.Node): Resolved {
    if (typeof node !== "object" || node === null) this.fail("expected an expression")
    switch (node._tag) {
      case "Ref": {
        const annotation = typeof node.field === "string" ? this.ctx.annotations.get(node.field) : undefined
        if (annotation !== undefined) return { _tag: "Annotation", name: node.field, node: annotation, type: annotation.type }
        const column = this.unwrap(this.ctx.path(node.field))
        return { _tag: "Column", column, type: Types.fieldType(column.field) }
      }
      case "Value": {
        const type = Types.valueType(node.value)
        if (typeof type === "string") this.fail(type)
        return { _tag: "Value", value: node.value, type }
      }
      case "Binary": {
        const left = this.node(node.left)
        const right = this.node(node.right)
        const type = this.typed(Types.binaryType(node.op, left.type, right.type), () => `${describe(left)} ${node.op} ${describe(right)}`)
        return { _tag: "Binary", op: node.op, left, right, type }
      }
      case "Call":
        return this.call(node)
      case "Cast": {
        const arg = this.node(node.arg)
        const type = castTypes[node.to]
        if (type === undefined) this.fail(`Cast to "${String(node.to)}": choices are ${Object.keys(castTypes).join(", ")}`)
        return { _tag: "Cast", arg, to: node.to, type }
      }
      case "Case": {
        if (!Array.isArray(node.whens) || node.whens.length === 0) this.fail("Case needs at least one When")
        // Each condition is a scope of its own, as a `filter` call: relations in it match in EXISTS, never multiplying rows.
        const whens = node.whens.map((w) => ({
          condition: { _tag: "Scope", node: this.unwrap(this.ctx.condition(w.condition)) } as Where,
          then: this.node(w.then)
        }))
        const otherwise = node.otherwise === undefined ? undefined : this.node(node.otherwise)
        const results = [...whens.map((w) => w.then), ...(otherwise === undefined ? [] : [otherwise])]
        const type = this.typed(Functions.common(results.map((r) => r.type)), () => "Case: its results must have one kind")
        return { _tag: "Case", whens, otherwise, type: { ...type, field: undefined } }
      }
      case "Aggregate":
        return this.aggregate(node)
      case "Window":
        return this.window(node)
      case "OuterRef": {
        if (this.ctx.outer === undefined) this.fail(`OuterRef("${String(node.field)}") is only valid in a subquery`)
        const column = this.unwrap(this.ctx.outer.path(node.field))
        if (column.path.length > 0) {
          this.fail(`OuterRef("${node.field}") names a field of the outer row, not a path through its relations: annotate the outer query with F("${node.field}") and name that annotation`)
        }
        return { _tag: "Outer", column, type: Types.fieldType(column.field) }
      }
      case "Subquery": {
        const { query, type } = this.unwrap(this.ctx.subquery!(node.query, node.exists === true, this.ctx))
        return { _tag: "Subquery", query, exists: node.exists === true, type }
      }
      default:
        return this.fail(`unknown expression ${String((node as { _tag?: unknown })._tag)}`)
    }
  }

  call(node: Extract<Expr.Node, { _tag: "Call" }>): Resolved {
    const args = node.args.map((a) => this.node(a))
    if (node.template !== undefined) {
      const { arity, kind } = node.template
      if (args.length !== arity) this.fail(`the function ${JSON.stringify(node.template.sql)} takes ${arity} arguments, got ${args.length}`)
      return { _tag: "Call", fn: "template", args, template: node.template, type: { kind, float: kind === "number" } }
    }
    const name = node.fn.split(":")[0]!
    if (name === "window") {
      this.fail(`${node.fn.slice("window:".length)}() is a window function: give it to Window(..., { partitionBy, orderBy })`)
    }
    const spec = Functions.functions[name]
    if (spec === undefined) this.fail(`unknown function ${node.fn}`)
    const [least, most] = spec.arity
    if (args.length < least || args.length > most) {
      this.fail(`${name} takes ${least === most ? least : most === Infinity ? `at least ${least}` : `${least} to ${most}`} arguments, got ${args.length}`)
    }
    if (name === "extract" || name === "trunc") {
      const option = node.fn.slice(name.length + 1)
      const problem = (name === "extract" ? Functions.extractPart : Functions.truncPrecision)(option, args[0]!.type)
      if (problem !== undefined) this.fail(problem)
    }
    const type = this.typed(spec.check(args.map((a) => a.type)), () => `${name}(...)`)
    return { _tag: "Call", fn: node.fn, args, type }
  }

  window(node: Extract<Expr.Node, { _tag: "Window" }>): Resolved {
    if (this.ctx.aggregates !== true) this.fail("a window is computed in annotate or alias, and filtered by its name")
    const fn = node.fn
    let resolved: Resolved
    if (fn?._tag === "Call" && fn.fn.startsWith("window:")) {
      const name = fn.fn.slice("window:".length)
      const spec = Functions.windowFunctions[name]
      if (spec === undefined) this.fail(`unknown window function ${name}`)
      const args = fn.args.map((a) => this.node(a))
      const [least, most] = spec.arity
      if (args.length < least || args.length > most) this.fail(`${name} takes ${least === most ? least : `${least} to ${most}`} arguments, got ${args.length}`)
      for (const a of args) if (containsWindow(a)) this.fail(`a window inside ${name}() is not allowed`)
      const type = this.typed(spec.check(args.map((a) => a.type)), () => `${name}(...)`)
      resolved = { _tag: "Call", fn: fn.fn, args, type: { kind: type.kind, float: type.float } }
    } else if (fn?._tag === "Aggregate") {
      resolved = this.node(fn)
      const paths = [...pathsOfAggregate(resolved as Extract<Resolved, { _tag: "Aggregate" }>).values()]
      if (paths.some((p) => p.some((r) => r.many))) this.fail("an aggregate over a window reads the query's rows, not a many-valued relation")
    } else {
      return this.fail("Window takes a window function (RowNumber(), Rank(), Lag(...) ...) or an aggregate")
    }
    const partitionBy = node.partitionBy.map((p) => this.node(p))
    const orderBy = node.orderBy.map((o) => ({ node: this.node(o.node), descending: o.descending, nulls: o.nulls }))
    for (const part of [...partitionBy, ...orderBy.map((o) => o.node)]) if (containsWindow(part)) this.fail("a window inside a window is not allowed")
    if (node.frame !== undefined) this.frame(node.frame)
    return { _tag: "Window", fn: resolved, partitionBy, orderBy, frame: node.frame, type: resolved.type }
  }

  frame(frame: Expr.Frame): void {
    if (frame.unit !== "rows" && frame.unit !== "groups") this.fail(`a frame's unit is "rows" or "groups", got ${JSON.stringify(frame.unit)}`)
    const rank = (b: Expr.FrameBound): number => {
      if (b === "unboundedPreceding") return 0
      if (b === "currentRow") return 2
      if (b === "unboundedFollowing") return 4
      const n = typeof b === "object" && b !== null ? ("preceding" in b ? b.preceding : "following" in b ? b.following : undefined) : undefined
      if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) this.fail(`a frame bound is "unboundedPreceding", "currentRow", "unboundedFollowing" or { preceding | following: a non-negative integer }, got ${JSON.stringify(b)}`)
      return "preceding" in (b as object) ? 1 : 3
    }
    if (rank(frame.start) > rank(frame.end) || frame.start === "unboundedFollowing" || frame.end === "unboundedPreceding") {
      this.fail(`the frame ${JSON.stringify(frame.start)} to ${JSON.stringify(frame.end)} is empty: its start must come before its end`)
    }
  }

  aggregate(node: Extract<Expr.Node, { _tag: "Aggregate" }>): Resolved {
    if (this.ctx.aggregates !== true) this.fail(this.ctx.aggregates)
    const check = Functions.aggregates[node.fn]
    if (check === undefined) this.fail(`unknown aggregate ${String(node.fn)}`)
    const arg = node.arg === undefined ? undefined : this.node(node.arg)
    if (arg !== undefined && containsAggregate(arg)) this.fail(`cannot compute ${node.fn}(${describe(arg)}): it contains an aggregate`)
    if (arg !== undefined && containsWindow(arg)) this.fail(`cannot compute ${node.fn}(${describe(arg)}): it contains a window (filter on the window annotation, then aggregate)`)
    const type = arg === undefined ? { kind: "number" as const } : this.typed(check([arg.type]), () => `${node.fn}(${describe(arg)})`)
    const filter = node.filter === undefined ? undefined : this.unwrap(this.ctx.condition(node.filter))
    const otherwise = node.default === undefined ? undefined : this.node(node.default)
    if (otherwise !== undefined && !Types.fits(otherwise.type, type)) {
      this.fail(`the default of ${node.fn} is ${Types.describeType(otherwise.type)}, expected ${type.kind}`)
    }
    const ordering = (node.ordering ?? []).map((o) => ({ node: this.node(o.node), descending: o.descending, nulls: o.nulls }))
    return {
      _tag: "Aggregate",
      fn: node.fn,
      arg,
      distinct: node.distinct === true,
      filter,
      default: otherwise,
      separator: node.separator,
      sample: node.sample === true,
      ordering,
      type: { ...type, field: type.field }
    }
  }
}

/** The relation paths an aggregate's argument, default and ordering read. @internal */
export const pathsOfAggregate = (node: Extract<Resolved, { _tag: "Aggregate" }>): Map<string, Path> => {
  const paths = new Map<string, Path>()
  parts(node).forEach((p) => pathsOf(p, paths))
  return paths
}

/** How an expression is named in errors. @internal */
export const describe = (node: Resolved): string => {
  switch (node._tag) {
    case "Column":
      return `${node.column.key} (${node.column.field.kind})`
    case "Annotation":
      return `${node.name} (${Types.describeType(node.type)})`
    case "Value":
      return `a ${node.type.kind} value`
    default:
      return `a ${Types.describeType(node.type)} expression`
  }
}

/**
 * Why `node` cannot be compared with, or assigned to, a value of type `target` (`what` names it: "a Char field"), or
 * `undefined`.
 * @internal
 */
export const problem = (node: Resolved, target: Types.Type, what: string): string | undefined =>
  Types.fits(node.type, target) ? undefined : `${describe(node)} does not fit ${what}`
