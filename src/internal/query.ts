/**
 * The query AST held by a QuerySet, and the resolution of user filters (typed or dynamic) into checked nodes.
 * Every field name, lookup and value is validated against the model here, before any SQL exists.
 * @internal
 */
import * as Result from "effect/Result"
import * as Codec from "./codec.js"
import { article, describe, isPlainObject } from "./describe.js"
import * as Resolve from "./expressions/resolve.js"
import * as Types from "./expressions/types.js"
import * as JsonLookups from "./jsonLookups.js"
import * as Expr from "../Expr.js"
import { FieldError, type QueryError } from "../Errors.js"
import type * as Field from "../Field.js"
import { isQ, lookupNames, QTypeId } from "../Lookup.js"
import type * as Model from "../Model.js"
import * as Relations from "./relations.js"

export { article, describe, isPlainObject } from "./describe.js"

/** What the query returns. @internal */
export type Projection =
  | { readonly _tag: "Model" }
  | { readonly _tag: "Values"; readonly fields: ReadonlyArray<string> }
  | { readonly _tag: "ValuesList"; readonly fields: ReadonlyArray<string>; readonly flat: boolean }

/** The state of a QuerySet: plain, immutable data. @internal */
export interface Query {
  readonly model: Model.Any
  /** One entry per `filter` / `exclude` call, resolved at compile time. */
  readonly where: ReadonlyArray<{ readonly negate: boolean; readonly condition: unknown }>
  /** `undefined` means the model's default ordering. Strings are field paths or annotation names. */
  readonly ordering: ReadonlyArray<string | Expr.Ordering> | undefined
  readonly reversed: boolean
  readonly distinct: boolean | ReadonlyArray<string>
  readonly limit: number | undefined
  readonly offset: number
  readonly empty: boolean
  readonly projection: Projection
  /** `SELECT ... FOR UPDATE`, from `selectForUpdate`. */
  readonly lock: LockOptions | undefined
  /** Single-valued relation paths joined and hydrated (`"publisher.country"`). */
  readonly selectRelated: ReadonlyArray<string>
  /** Relations loaded by one extra query per level after the rows. */
  readonly prefetch: ReadonlyArray<PrefetchSpec>
  /** Restricts the rows to those related to `keys` through a join model, selecting the source key as `__via`. */
  readonly via: Via | undefined
  /** Set by a chained call given bad arguments (a negative slice); running the query fails with it. */
  readonly invalid: QueryError | undefined
  /**
   * A set operation (`union`, `intersection`, `difference`) over its operand queries. The query's ordering and slice
   * then apply to the combined rows, and its projection is the combination's row shape.
   */
  readonly combined?: Combination | undefined
  /** `annotate` and `alias` entries, in order: each may refer to the ones before it. */
  readonly annotations?: ReadonlyArray<Annotation> | undefined
  /**
   * The `values(...)` fields a first `annotate` found: the rows are then groups of these fields, as Django's
   * `values(...).annotate(...)`.
   */
  readonly groupBy?: ReadonlyArray<string> | undefined
  /** The `where` entries (by index) that test windows, which a query around this one applies (see `select.ts`). */
  readonly qualified?: ReadonlyArray<number> | undefined
  /** For a subquery: the context of the query around it, which `OuterRef` names. */
  readonly outer?: Resolve.Context | undefined
}

/** One annotation: its name, its expression, whether it is selected (`annotate`) or not (`alias`). @internal */
export interface Annotation {
  readonly name: string
  readonly node: Expr.Node
  readonly select: boolean
  /**
   * How many `filter`/`exclude` calls came before it: their conditions on the relation an aggregate reaches also
   * choose the related rows it aggregates, as Django's join reuse does.
   */
  readonly after: number
}

/** A set operation of SQL and its operands, each a query of its own (possibly a combination itself). @internal */
export interface Combination {
  readonly op: SetOperator
  /** `UNION ALL` (keep duplicate rows); only for `union`. */
  readonly all: boolean
  readonly operands: ReadonlyArray<Query>
}

/** Django's names of the set operations: `difference` is SQL's `EXCEPT`. @internal */
export type SetOperator = "union" | "intersection" | "difference"

/** Options of `selectForUpdate`. @since 0.1.0 */
export interface LockOptions {
  /** Fail at once (SQLSTATE 55P03) instead of waiting for a locked row. */
  readonly nowait?: boolean
  /** Skip rows locked by others. */
  readonly skipLocked?: boolean
  /** The tables whose rows to lock: `"self"` for the queryset's own model, relation paths for joined ones. */
  readonly of?: ReadonlyArray<string>
}

/** One `prefetchRelated` entry: a relation path, optionally with the QuerySet to load and the attribute to fill. @internal */
export interface PrefetchSpec {
  readonly path: string
  readonly query: Query | undefined
  readonly to: string | undefined
}

/** See `Query.via`. @internal */
export interface Via {
  readonly table: string
  /** The join table's column holding the row's primary key. */
  readonly column: string
  /** The join table's column holding the source key, matched against `keys`. */
  readonly sourceColumn: string
  readonly keys: ReadonlyArray<unknown>
  /** The SQL type of the keys. */
  readonly type: string
}

/** @internal */
export const initial = (model: Model.Any): Query => ({
  model,
  where: [],
  ordering: undefined,
  reversed: false,
  distinct: false,
  limit: undefined,
  offset: 0,
  empty: false,
  projection: { _tag: "Model" },
  lock: undefined,
  invalid: undefined,
  selectRelated: [],
  prefetch: [],
  via: undefined
})

/** Relations followed from the query's model, in order. @internal */
export type Path = ReadonlyArray<Relations.Resolved>

/** The dotted name of a path (`"books.authors"`). @internal */
export const pathName = (path: Path): string => path.map((r) => r.name).join(".")

/** A column of the base table (empty `path`) or of a table reached through relations. @internal */
export interface Column {
  /** The name rows carry: the field name, or the dotted path for a related column. */
  readonly key: string
  readonly column: string
  readonly field: Field.Any
  readonly path: Path
}

/** A part extracted from a date or time value before comparing. @internal */
export type Transform = "year" | "month" | "day" | "weekDay" | "hour" | "minute" | "second" | "date"

/** A value bound as a parameter, or an expression computed by the database. @internal */
export type Operand = { readonly _tag: "Param"; readonly value: unknown } | { readonly _tag: "Expr"; readonly node: ResolvedExpr }

/** An expression whose field references were checked. @internal */
export type ResolvedExpr = Resolve.Resolved

/** A checked condition. @internal */
export type Where =
  | { readonly _tag: "And"; readonly nodes: ReadonlyArray<Where> }
  | { readonly _tag: "Or"; readonly nodes: ReadonlyArray<Where> }
  | { readonly _tag: "Not"; readonly node: Where }
  | { readonly _tag: "Const"; readonly value: boolean }
  /** A boolean expression as a condition (`Exists(...)`). */
  | { readonly _tag: "Bool"; readonly expr: ResolvedExpr }
  /** The conditions of one `filter` call (or one negated part): relations in it refer to the same related rows. */
  | { readonly _tag: "Scope"; readonly node: Where }
  | {
    readonly _tag: "Leaf"
    readonly column: Column
    /** The compared expression, when it is not the column itself (an annotation, whose `column` stands in for it). */
    readonly expr?: ResolvedExpr | undefined
    readonly transform: Transform | undefined
    readonly lookup: string
    readonly operands: ReadonlyArray<Operand>
    /** A JSON field's lookup at a path or beyond `exact` and `isNull` (see `jsonLookups.ts`). */
    readonly json?: JsonLookups.JsonTarget
  }

const has = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key)

/** Returns the column of a field name (or `pk`), or a FieldError. @internal */
export const resolveField = (model: Model.Any, key: string): Result.Result<Column, FieldError> => {
  const meta = model.meta
  // Names arrive from untrusted input too: anything but a string (a null-prototype object cannot even be printed by
  // String) is refused before it is used as a property key.
  if (typeof key !== "string") {
    return Result.fail(new FieldError({ model: meta.name, reason: `field names are strings, got ${describe(key)}` }))
  }
  const name = key === "pk" ? meta.pk : key
  if (!has(meta.fields, name)) {
    return Result.fail(new FieldError({ model: meta.name, field: key, reason: `unknown field; choices are ${choices(model)}` }))
  }
  return Result.succeed({ key: name, column: meta.columns[name], field: meta.fields[name], path: [] })
}

const choices = (model: Model.Any) => [...Object.keys(model.meta.fields), ...Relations.names(model)].join(", ")

/**
 * Resolves a dotted path (`"publisher.country.name"`) to a column reached through relations. A path ending on a
 * relation means its key: the key column of a foreign key, the primary key of the rows of a reverse relation.
 * `single` refuses relations that reach many rows.
 * @internal
 */
export const resolvePath = (
  model: Model.Any,
  dotted: string,
  options: { readonly single?: string } = {}
): Result.Result<Column, FieldError> => {
  if (typeof dotted !== "string") return resolveField(model, dotted)
  const parts = dotted.split(".")
  if (parts.length === 1 && Relations.resolve(model, dotted) === undefined) return resolveField(model, dotted)
  const path: Array<Relations.Resolved> = []
  let current = model
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    const last = i === parts.length - 1
    if (last && (has(current.meta.fields, part) || part === "pk")) {
      const column = Result.getOrThrow(resolveField(current, part))
      return Result.succeed({ ...column, key: dotted, path })
    }
    const rel = Relations.resolve(current, part)
    if (rel === undefined) {
      return Result.fail(new FieldError({ model: model.meta.name, field: dotted, reason: `unknown field "${part}" on ${current.meta.name}; choices are ${choices(current)}` }))
    }
    if (options.single !== undefined && rel.many) {
      return Result.fail(new FieldError({ model: model.meta.name, field: dotted, reason: `"${part}" reaches many rows: ${options.single}` }))
    }
    if (last) {
      // The relation itself stands for its key.
      if (rel.kind === "forward") return Result.succeed({ ...Result.getOrThrow(resolveField(current, rel.key!)), key: dotted, path })
      path.push(rel)
      return Result.succeed({ ...Result.getOrThrow(resolveField(rel.target, rel.target.meta.pk)), key: dotted, path })
    }
    path.push(rel)
    current = rel.target
  }
  return resolveField(model, dotted)
}

/** Annotations resolved, by name. @internal */
export type Annotations = ReadonlyMap<string, ResolvedExpr>

const noAnnotations: Annotations = new Map()

/** The context expressions of `model`'s queries resolve in. @internal */
export const exprContext = (
  model: Model.Any,
  annotations: Annotations = noAnnotations,
  aggregates: true | string = "aggregates are allowed in annotate, alias and aggregate",
  outer?: Resolve.Context
): Resolve.Context => ({
  model,
  path: (dotted) => resolvePath(model, dotted),
  condition: (condition) => resolveCondition(model, condition, annotations, outer),
  annotations,
  aggregates,
  outer,
  subquery: resolveSubquery
})

/** A subquery's query, with the query around it, and the type of its one column (or boolean for `Exists`). */
const resolveSubquery = (
  value: unknown,
  exists: boolean,
  outer: Resolve.Context
): Result.Result<{ readonly query: unknown; readonly type: Types.Type }, FieldError> => {
  if (!isQuery(value)) return Result.fail(new FieldError({ model: outer.model.meta.name, reason: "Subquery and Exists take a QuerySet" }))
  const query: Query = { ...value, outer }
  const fail = (reason: string) => Result.fail(new FieldError({ model: value.model.meta.name, reason }))
  if (query.combined !== undefined) return fail("a set operation cannot be a subquery here")
  if (query.invalid !== undefined) return Result.fail(new FieldError({ model: value.model.meta.name, reason: query.invalid.reason }))
  if (exists) return Result.succeed({ query, type: { kind: "boolean" } })
  const projection = query.projection
  if (projection._tag === "Model" || projection.fields.length + (query.groupBy === projection.fields ? (query.annotations ?? []).filter((a) => a.select).length : 0) !== 1) {
    return fail("a Subquery selects one column: values(\"field\") or valuesList(\"field\", { flat: true })")
  }
  const name = projection.fields[0] ?? (query.annotations ?? []).find((a) => a.select)!.name
  const annotations = resolveAnnotations(query)
  if (Result.isFailure(annotations)) return Result.fail(annotations.failure)
  const annotation = annotations.success.get(name)
  if (annotation !== undefined) return Result.succeed({ query, type: { ...annotation.type } })
  return Result.map(resolvePath(query.model, name), (column) => ({ query, type: Types.fieldType(column.field) }))
}

/** Resolves an expression over the model's fields (no annotations, no aggregates). @internal */
export const resolveExpr = (model: Model.Any, node: Expr.Node): Result.Result<ResolvedExpr, FieldError> =>
  Resolve.resolve(exprContext(model), node)

/**
 * The annotations of a query resolved in order (each may name those before it), or the first FieldError. A name
 * taken by a field or a relation is refused, as in Django.
 * @internal
 */
export const resolveAnnotations = (query: Query): Result.Result<Annotations, FieldError> => {
  const resolved = new Map<string, ResolvedExpr>()
  for (const { name, node } of query.annotations ?? []) {
    const model = query.model
    if (typeof name !== "string" || name.length === 0 || name.includes(".") || name === "pk" || name.startsWith("__")) {
      return Result.fail(new FieldError({ model: model.meta.name, field: String(name), reason: "an annotation's name is a plain identifier, not a path" }))
    }
    if (has(model.meta.fields, name) || Relations.resolve(model, name) !== undefined || isKeyColumn(model, name)) {
      return Result.fail(new FieldError({ model: model.meta.name, field: name, reason: "the annotation conflicts with a field of the model" }))
    }
    if (resolved.has(name)) {
      return Result.fail(new FieldError({ model: model.meta.name, field: name, reason: "the annotation is given twice" }))
    }
    const one = Resolve.resolve(exprContext(model, resolved, true, query.outer), node, name)
    if (Result.isFailure(one)) return Result.fail(one.failure)
    resolved.set(name, one.success)
  }
  return Result.succeed(resolved)
}

/** Whether `name` is a foreign key's column name (`publisherId`). */
const isKeyColumn = (model: Model.Any, name: string) => Object.values(model.meta.columns).includes(name)

/** A column standing for an annotation, so that filters and ordering treat it as one. @internal */
export const annotationColumn = (name: string, node: ResolvedExpr): Column => ({
  key: name,
  column: name,
  field: Types.standIn(node.type),
  path: []
})

const partTransforms: ReadonlyArray<string> = ["year", "month", "day", "weekDay", "hour", "minute", "second", "date"]
const textLookups = new Set(["iexact", "contains", "icontains", "startsWith", "iStartsWith", "endsWith", "iEndsWith", "regex", "iregex"])

/**
 * Resolves filters of `model`, reached from the query's `root` model through `path`; `prefix` names that path in
 * error messages.
 */
class Resolver {
  constructor(
    readonly model: Model.Any,
    readonly root: Model.Any = model,
    readonly path: Path = [],
    readonly prefix = "",
    readonly annotations: Annotations = noAnnotations,
    readonly outer: Resolve.Context | undefined = undefined
  ) {}

  fail(field: string | undefined, reason: string): never {
    throw new FieldError({ model: this.root.meta.name, field: field === undefined ? undefined : this.prefix + field, reason })
  }

  condition(condition: unknown): Where {
    if (isQ(condition)) {
      const { children, op } = condition[QTypeId]
      const nodes = children.map((c) => this.condition(c))
      // A negated part is its own scope: "no related row matches", as Django's `~Q(...)` over a relation.
      if (op === "not") return { _tag: "Not", node: { _tag: "Scope", node: nodes[0]! } }
      return { _tag: op === "and" ? "And" : "Or", nodes }
    }
    if (Expr.isExpr(condition)) {
      // A boolean expression (`Exists(...)`) is a condition of its own.
      const context = exprContext(this.root, this.annotations, "an aggregate in a filter is written as an annotation, then filtered by its name", this.outer)
      const expr = Result.getOrThrowWith(Resolve.resolve(context, condition.node), (e) => e)
      if (expr.type.kind !== "boolean") this.fail(undefined, `a condition expression must be boolean (Exists(...)), got ${Types.describeType(expr.type)}`)
      return { _tag: "Bool", expr }
    }
    if (!isPlainObject(condition)) this.fail(undefined, `expected a filter object, got ${describe(condition)}`)
    const nodes: Array<Where> = []
    for (const key of Object.keys(condition)) {
      const value = condition[key]
      if (value === undefined) continue
      const column = resolveField(this.model, key)
      if (Result.isSuccess(column)) {
        nodes.push(this.fieldFilter({ ...column.success, path: this.path }, value))
        continue
      }
      // An annotation of the query, by name (only at the query's own level).
      const annotation = this.path.length === 0 && typeof key === "string" ? this.annotations.get(key) : undefined
      if (annotation !== undefined) {
        const expr: ResolvedExpr = { _tag: "Annotation", name: key, node: annotation, type: annotation.type }
        nodes.push(this.fieldFilter(annotationColumn(key, annotation), value, expr))
        continue
      }
      const rel = Relations.resolve(this.model, key)
      if (rel === undefined) this.fail(key, `unknown field on ${this.model.meta.name}; choices are ${choices(this.model)}`)
      nodes.push(this.relation(rel, key, value))
    }
    return { _tag: "And", nodes }
  }

  /** A filter on a relation: a key or instance (equality), `null` (no related row), or a filter of the target. */
  relation(rel: Relations.Resolved, key: string, value: unknown): Where {
    const target = rel.target
    const path = [...this.path, rel]
    // A forward key is compared on this table's key column, without a join.
    const idColumn: Column = rel.kind === "forward"
      ? { ...Result.getOrThrow(resolveField(this.model, rel.key!)), path: this.path }
      : { ...Result.getOrThrow(resolveField(target, target.meta.pk)), path }
    if (isPlainObject(value)) {
      const nodes: Array<Where> = []
      const rest: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) {
        if (k === "isNull" && !has(target.meta.fields, k)) {
          // An undefined lookup is no lookup, as for a column.
          if (v !== undefined) nodes.push(this.lookup(idColumn, undefined, "isNull", v))
        } else if (k === "in" && !has(target.meta.fields, k) && v !== undefined) {
          // Keys or instances of the target.
          const keys = Array.isArray(v) ? v.map((item) => item instanceof target ? (item as Record<string, unknown>)[target.meta.pk] : item) : v
          nodes.push(this.lookup(idColumn, undefined, "in", keys))
        } else rest[k] = v
      }
      nodes.push(new Resolver(target, this.root, path, `${this.prefix}${key}.`, this.annotations, this.outer).condition(rest))
      return { _tag: "And", nodes }
    }
    if (value instanceof target) value = (value as Record<string, unknown>)[target.meta.pk]
    return this.lookup(idColumn, undefined, "exact", value)
  }

  fieldFilter(column: Column, value: unknown, expr?: ResolvedExpr): Where {
    const kind = column.field.lookupKind
    if (kind === "json" && expr === undefined && isPlainObject(value) && JsonLookups.isJsonFilter(value)) {
      return JsonLookups.resolve(column, value, { fail: (reason) => this.fail(column.key, reason), describe })
    }
    const lookup = (name: string, v: unknown): Where => {
      const leaf = this.lookup(column, undefined, name, v)
      return expr === undefined ? leaf : withExpr(leaf, expr)
    }
    if (isPlainObject(value)) {
      const nodes: Array<Where> = []
      for (const name of Object.keys(value)) {
        if (value[name] === undefined) continue
        if (!lookupNames[kind].includes(name)) {
          this.fail(column.key, `unsupported lookup "${name}" for a ${column.field.kind} field; choices are ${lookupNames[kind].join(", ")}`)
        }
        nodes.push(lookup(name, value[name]))
      }
      return { _tag: "And", nodes }
    }
    if (kind === "json" && value !== null) {
      this.fail(column.key, "JSON fields are filtered with lookups: { exact: value }, { isNull: true }, { contains: {...} }, { path: [...], gt: 3 }, ...")
    }
    return lookup("exact", value)
  }

  /** Lookups on a date or time part: the part is compared as a number (or as a date for `date`). */
  part(column: Column, transform: Transform, value: unknown): Where {
    const isDate = transform === "date"
    // `{ date: { year: 2024 } }`: parts of the UTC date are the same parts of the UTC timestamp.
    if (isDate && isPlainObject(value)) {
      const dateParts = Object.keys(value).filter((k) => partTransforms.includes(k))
      if (dateParts.length > 0) {
        const rest = Object.fromEntries(Object.entries(value).filter(([k]) => !dateParts.includes(k)))
        return {
          _tag: "And",
          nodes: [
            ...dateParts.filter((k) => value[k] !== undefined).map((k) => {
              if (k === "date" || !lookupNames.date.includes(k)) {
                this.fail(column.key, `unsupported lookup "${k}" after "date"; choices are year, month, day, weekDay`)
              }
              return this.part(column, k as Transform, value[k])
            }),
            this.part(column, "date", rest)
          ]
        }
      }
    }
    const names = isDate ? lookupNames.date.filter((n) => !partTransforms.includes(n)) : lookupNames.number
    if (!isPlainObject(value)) return this.lookup(column, transform, "exact", value)
    const nodes: Array<Where> = []
    for (const lookup of Object.keys(value)) {
      if (value[lookup] === undefined) continue
      if (!names.includes(lookup)) {
        this.fail(column.key, `unsupported lookup "${lookup}" after "${transform}"; choices are ${names.join(", ")}`)
      }
      nodes.push(this.lookup(column, transform, lookup, value[lookup]))
    }
    return { _tag: "And", nodes }
  }

  lookup(column: Column, transform: Transform | undefined, lookup: string, value: unknown): Where {
    if (transform === undefined && partTransforms.includes(lookup)) return this.part(column, lookup as Transform, value)
    const where = (operands: ReadonlyArray<Operand>): Where => ({ _tag: "Leaf", column, transform, lookup, operands })
    const field = column.field
    const label = transform === undefined ? column.key : `${column.key}.${transform}`
    // The value of a transformed column is a number (a date for `date`), not the field's own type.
    const isValue = transform === undefined
      ? field.isValue
      : transform === "date"
      ? Codec.isIsoDate
      : Number.isSafeInteger
    const toDb = transform === undefined ? field.toDb : (u: unknown) => u
    const expected = transform === undefined ? `${article(field.kind)} value` : transform === "date" ? "a YYYY-MM-DD date" : "an integer"
    const operand = (u: unknown): Operand => {
      // `F(...)` names the query's own fields, wherever it appears.
      if (Expr.isExpr(u)) {
        const context = exprContext(this.root, this.annotations, "an aggregate in a filter is written as an annotation, then filtered by its name", this.outer)
        const node = Result.getOrThrowWith(Resolve.resolve(context, u.node), (e) => e)
        const problem = transform === undefined
          ? Resolve.problem(node, Types.fieldType(field), `${article(field.kind)} field`)
          : Resolve.problem(node, transform === "date" ? { kind: "date" } : { kind: "number" }, transform === "date" ? "a date" : `the ${transform} (a number)`)
        if (problem !== undefined) this.fail(label, `lookup "${lookup}": ${problem}`)
        return { _tag: "Expr", node }
      }
      if (!isValue(u)) {
        // JSON the column cannot hold says why (a NUL, a cycle, nesting too deep), as a write does.
        const why = transform === undefined && field.lookupKind === "json" ? field.validate(u) : undefined
        this.fail(label, `lookup "${lookup}" expects ${expected}${why === undefined ? "" : ` (${why.split("\n")[0]})`}, got ${describe(u)}`)
      }
      return { _tag: "Param", value: toDb(u) }
    }
    switch (lookup) {
      case "exact":
        if (value === null) return where([])
        return where([operand(value)])
      case "isNull":
        if (typeof value !== "boolean") this.fail(label, `lookup "isNull" expects a boolean, got ${describe(value)}`)
        return where([{ _tag: "Param", value }])
      case "in": {
        // A QuerySet (or Subquery) of one column: `IN (SELECT ...)`.
        const query = subqueryOf(value)
        if (query !== undefined) return where([operand(Expr.make({ _tag: "Subquery", query, exists: false }))])
        if (!Array.isArray(value)) this.fail(label, `lookup "in" expects an array, got ${describe(value)}`)
        const present = (value as ReadonlyArray<unknown>).filter((v) => v !== null)
        if (present.length === 0) return { _tag: "Const", value: false }
        return where(present.map(operand))
      }
      case "range": {
        if (!Array.isArray(value) || value.length !== 2) {
          this.fail(label, `lookup "range" expects a [low, high] pair, got ${describe(value)}`)
        }
        return where([operand(value[0]), operand(value[1])])
      }
      default:
        if (textLookups.has(lookup)) {
          if (typeof value !== "string") this.fail(label, `lookup "${lookup}" expects a string, got ${describe(value)}`)
          const problem = Codec.textProblem(value)
          if (problem !== undefined) this.fail(label, `lookup "${lookup}": ${problem}`)
          return where([{ _tag: "Param", value }])
        }
        if (value === null) this.fail(label, `lookup "${lookup}" does not accept null`)
        return where([operand(value)])
    }
  }
}

/** The query of a QuerySet, or of a `Subquery` expression, given as a value. */
const subqueryOf = (value: unknown): unknown => {
  if (Expr.isExpr(value) && value.node._tag === "Subquery" && !value.node.exists) return value.node.query
  if (typeof value === "object" && value !== null && "query" in value && isQuery((value as { readonly query: unknown }).query)) {
    return (value as { readonly query: unknown }).query
  }
  return undefined
}

/** Whether a value is a query of this module (the AST a QuerySet holds). @internal */
export const isQuery = (u: unknown): u is Query =>
  typeof u === "object" && u !== null && "model" in u && "where" in u && "projection" in u

/** A leaf, and the leaves of an AND of lookups, comparing `expr` instead of their column. */
const withExpr = (node: Where, expr: ResolvedExpr): Where =>
  node._tag === "Leaf" ? { ...node, expr } : node._tag === "And" ? { ...node, nodes: node.nodes.map((n) => withExpr(n, expr)) } : node

/** Resolves a filter, a Q or a dynamic object into a checked condition, or a FieldError. @internal */
export const resolveCondition = (
  model: Model.Any,
  condition: unknown,
  annotations: Annotations = noAnnotations,
  outer?: Resolve.Context
): Result.Result<Where, FieldError> => {
  try {
    return Result.succeed(new Resolver(model, model, [], "", annotations, outer).condition(condition))
  } catch (error) {
    if (error instanceof FieldError) return Result.fail(error)
    throw error
  }
}

/** An ordering item: a column (or an annotation's stand-in, with its expression), its direction and NULLs' place. @internal */
export interface OrderItem {
  readonly column: Column
  readonly descending: boolean
  readonly expr?: ResolvedExpr | undefined
  readonly nulls?: "first" | "last" | undefined
}

/** Resolves an ordering key (`"name"`, `"-pubdate"`, `"pk"`, an annotation's name, or `F(...).desc()`). @internal */
export const resolveOrder = (
  model: Model.Any,
  key: string | Expr.Ordering,
  annotations: Annotations = noAnnotations
): Result.Result<OrderItem, FieldError> => {
  if (Expr.isOrdering(key)) {
    return Result.map(
      Resolve.resolve(exprContext(model, annotations, "order by an aggregate through an annotation"), key.node),
      (expr) => ({ column: expr._tag === "Column" ? expr.column : annotationColumn("__expr", expr), descending: key.descending, expr: expr._tag === "Column" ? undefined : expr, nulls: key.nulls })
    )
  }
  if (typeof key !== "string") {
    return Result.fail(new FieldError({ model: model.meta.name, reason: `ordering expects field names, got ${describe(key)}` }))
  }
  const descending = key.startsWith("-")
  const name = descending ? key.slice(1) : key
  const annotation = annotations.get(name)
  if (annotation !== undefined) {
    return Result.succeed({ column: annotationColumn(name, annotation), descending, expr: { _tag: "Annotation", name, node: annotation, type: annotation.type } })
  }
  return Result.map(resolvePath(model, name), (column) => ({ column, descending }))
}
