/**
 * Filters from untrusted input, as django-filter's FilterSet: an explicit allowlist of the paths, lookups and
 * orderings a request may use turns its parameters (a query string or a JSON body) into a QuerySet filter.
 *
 * ```ts
 * const BookSearch = FilterSet.make(Book, {
 *   fields: { pages: ["exact", "gt", "lt"], name: ["icontains"], "publisher.name": ["exact"] },
 *   ordering: ["pubdate", "name"]
 * })
 * // ?pages__gt=300&name__icontains=django&publisher__name=Apress&ordering=-pubdate
 * const books = BookSearch.apply(Book.objects.all(), { pages__gt: "300", name__icontains: "django", ... })
 * ```
 *
 * Anything not allowed is refused, never ignored: an unknown parameter, a lookup or a relation the allowlist does not
 * name, a value of the wrong kind, an object or list where one value is expected. `apply` fails with one
 * `ParamsError` listing every bad parameter, before any SQL runs.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { type ParamIssue, ParamsError } from "./Errors.js"
import type * as Field from "./Field.js"
import * as Ast from "./internal/query.js"
import * as ParamValues from "./internal/paramValues.js"
import * as Relations from "./internal/relations.js"
import { type Condition, lookupNames, Q } from "./Lookup.js"
import type * as Model from "./Model.js"
import type * as Path from "./Path.js"
import type { QuerySet } from "./QuerySet.js"
import type * as Relation from "./Relation.js"

/** Lookups comparing a value of the field's kind. @since 0.2.0 */
export type Comparison = "exact" | "in" | "gt" | "gte" | "lt" | "lte" | "range" | "isNull"

/** Lookups of text fields; `regex` and `iregex` need `allowRegex`. @since 0.2.0 */
export type TextLookup =
  | "iexact"
  | "contains"
  | "icontains"
  | "startsWith"
  | "iStartsWith"
  | "endsWith"
  | "iEndsWith"
  | "regex"
  | "iregex"

/** Parts of dates and times, compared as numbers. @since 0.2.0 */
export type Part = "year" | "month" | "day" | "weekDay" | "hour" | "minute" | "second"

/**
 * A lookup a parameter may use: `"gt"`, `"icontains"`, a part (`"year"`, equality) or a part's comparison
 * (`"year.gte"`), and the date of a date-time (`"date"`, `"date.lt"`).
 * @since 0.2.0
 */
export type LookupExpr =
  | Comparison
  | TextLookup
  | Part
  | `${Part}.${Exclude<Comparison, "isNull">}`
  | "date"
  | `date.${Exclude<Comparison, "isNull">}`

/** Where `fields` names a path that does not exist: the valid continuations at its wrong segment. @since 0.3.0 */
export interface UnknownPath<Valid> {
  readonly "unknown path; valid at the wrong segment": Valid
}

/**
 * What a FilterSet allows, for a model with fields `F`; `K` are the paths of `fields` and `O` those of `ordering`,
 * each checked as written (see `Path`).
 * @since 0.2.0
 */
export interface Spec<F, K extends string = string, O extends ReadonlyArray<string> = ReadonlyArray<string>> {
  /**
   * The filterable paths, each with the lookups allowed on it: a field (`"pages"`), the primary key (`"pk"`), or a
   * path through relations (`"publisher.name"`; a relation is reachable only where a path names it).
   */
  readonly fields: {
    readonly [P in K]?: P extends Path.Check<F, P> ? ReadonlyArray<LookupExpr> : UnknownPath<Path.Check<F, P>>
  }
  /** The paths a request may order by, ascending or (with `-`) descending. */
  readonly ordering?: Path.CheckAll<F, O>
  /** The parameter holding the ordering, comma-separated: `"ordering"` by default (`?ordering=-pubdate,name`). */
  readonly orderingParam?: string
  /** Parameters that are not filters (`page`, `pageSize`): passed over. Every other unknown parameter is refused. */
  readonly ignore?: ReadonlyArray<string>
  /** At most this many conditions (20 by default), orderings counted. */
  readonly maxConditions?: number
  /** At most this many values in an `in` list (100 by default). */
  readonly maxListLength?: number
  /** At most this many characters in one text value (1,000 by default). */
  readonly maxValueLength?: number
  /**
   * Allow `regex` and `iregex` where `fields` names them (off by default: a regular expression costs the database
   * what its author wants; an invalid one fails at run time with a `DataError`).
   */
  readonly allowRegex?: boolean
}

/**
 * Request parameters: a query string parsed into an object (`Object.fromEntries(url.searchParams)`,
 * `FilterSet.fromSearchParams`, Node's `querystring.parse`) or a JSON body. Keys spell a path and a lookup with `__`
 * or `.` (`"pages__gt"`, `"publisher.name"`); a JSON body may also nest them (`{ "pages": { "gt": 300 } }`). Values
 * are strings or JSON scalars; a list (a repeated parameter, a JSON array, or a comma-separated string) where a
 * lookup takes several (`in`, `range`).
 * @since 0.2.0
 */
export type Input = { readonly [param: string]: unknown }

/** The filter and ordering parsed from parameters, checked, for `QuerySet.filter` and `orderBy`. @since 0.2.0 */
export interface Parsed {
  readonly condition: Condition<any>
  readonly ordering: ReadonlyArray<string>
}

/** A model's allowlist of filters, ready to turn request parameters into a QuerySet. @since 0.2.0 */
export interface FilterSet<M extends Model.Any> {
  readonly model: M
  /** The filter and ordering of `params`, or a `ParamsError` listing every bad parameter. */
  readonly parse: (params: Input) => Result.Result<Parsed, ParamsError>
  /** `queryset` filtered and ordered by `params` (its own filters kept), or a `ParamsError`; no SQL runs. */
  readonly apply: <QS extends QuerySet<any, any, any>>(queryset: QS, params: Input) => Effect.Effect<QS, ParamsError>
}

const comparisons: ReadonlyArray<string> = ["exact", "in", "gt", "gte", "lt", "lte", "range", "isNull"]
const textLookups: ReadonlyArray<string> = ["iexact", "contains", "icontains", "startsWith", "iStartsWith", "endsWith", "iEndsWith", "regex", "iregex"]
const parts: ReadonlyArray<string> = ["year", "month", "day", "weekDay", "hour", "minute", "second", "date"]

/** An allowed lookup, resolved: the filter keys it nests under (`["year", "gte"]`) and the kind of its operand. */
interface Allowed {
  readonly keys: ReadonlyArray<string>
  readonly lookup: string
  readonly target: ParamValues.Target
}

/** An allowed path: its field and the filter object keys leading to it (`["publisher", "name"]`). */
interface AllowedPath {
  readonly field: Field.Any
  readonly keys: ReadonlyArray<string>
  readonly lookups: ReadonlyMap<string, Allowed>
}

/** Checks one lookup of the spec against the field's kind (a mistake in the spec is a programmer's: it throws). */
const allowedLookup = (model: Model.Any, path: string, field: Field.Any, expr: string, allowRegex: boolean): Allowed => {
  const fail = (reason: string): never => {
    throw new Error(`FilterSet of ${model.meta.name}: "${path}" cannot allow "${expr}": ${reason}`)
  }
  const kindLookups = lookupNames[field.lookupKind]
  const [first, second, ...rest] = expr.split(".")
  if (first === undefined || rest.length > 0) fail("a lookup is one name, or a part and a comparison")
  if (second === undefined) {
    if (!kindLookups.includes(first!)) fail(`${Ast.article(field.kind)} field's lookups are ${kindLookups.join(", ")}`)
    if ((first === "regex" || first === "iregex") && !allowRegex) fail("regular expressions need allowRegex: true")
    if (field.lookupKind === "json" && first !== "isNull") fail("JSON fields allow isNull only")
    if (parts.includes(first!)) return { keys: [first!], lookup: "exact", target: first === "date" ? "date" : "integer" }
    const target: ParamValues.Target = first === "isNull" ? "boolean" : textLookups.includes(first!) ? "text" : "field"
    return { keys: [first!], lookup: first!, target }
  }
  if (!parts.includes(first!) || !kindLookups.includes(first!)) fail(`"${first}" is not a part of ${Ast.article(field.kind)} field`)
  if (!comparisons.includes(second) || second === "isNull") fail(`a part is compared with ${comparisons.filter((c) => c !== "isNull").join(", ")}`)
  return { keys: [first!, second], lookup: second, target: first === "date" ? "date" : "integer" }
}

/**
 * The filter keys of a path: its segments, except that a path ending on a relation compares the relation's key (the
 * key column of a foreign key, the primary key of the rows a reverse or many-to-many relation reaches).
 */
const filterKeys = (model: Model.Any, path: string): ReadonlyArray<string> => {
  const segments = path.split(".")
  const keys: Array<string> = []
  let current = model
  for (const [i, segment] of segments.entries()) {
    const rel = Object.prototype.hasOwnProperty.call(current.meta.fields, segment) || segment === "pk"
      ? undefined
      : Relations.resolve(current, segment)
    if (rel === undefined) keys.push(segment)
    else if (i < segments.length - 1) {
      keys.push(segment)
      current = rel.target
    } else if (rel.kind === "forward") keys.push(rel.key!)
    else keys.push(segment, rel.target.meta.pk)
  }
  return keys
}

const allowedPath = (model: Model.Any, path: string, exprs: ReadonlyArray<string>, allowRegex: boolean): AllowedPath => {
  const column = Ast.resolvePath(model, path)
  if (Result.isFailure(column)) throw new Error(`FilterSet of ${model.meta.name}: ${column.failure.message}`)
  const field = column.success.field
  const lookups = new Map<string, Allowed>()
  for (const expr of exprs) lookups.set(expr, allowedLookup(model, path, field, expr, allowRegex))
  return { field, keys: filterKeys(model, path), lookups }
}

/** Sets `value` at `keys` in a nested filter object. */
const nest = (keys: ReadonlyArray<string>, value: unknown): Record<string, unknown> => {
  let result: unknown = value
  for (let i = keys.length - 1; i >= 0; i--) result = { [keys[i]!]: result }
  return result as Record<string, unknown>
}

const isPlainObject = (u: unknown): u is Record<string, unknown> => Ast.isPlainObject(u)

/** One parameter, flattened: its name as given, the segments of its key, its value. */
interface Entry {
  readonly param: string
  readonly segments: ReadonlyArray<string>
  readonly value: unknown
}

const MAX_NESTING = 8

/**
 * Makes a FilterSet of `model`. The spec is checked now: a path that does not exist, a lookup its field does not
 * have, or `regex` without `allowRegex` throws, as a model with a mistake does.
 * @since 0.2.0
 */
export const make = <M extends Model.Any, const K extends string = never, const O extends ReadonlyArray<string> = []>(
  model: M,
  spec: Spec<Relation.FieldsOf<Model.Instance<M>>, K, O>
): FilterSet<M> => {
  const allowRegex = spec.allowRegex === true
  const maxConditions = spec.maxConditions ?? 20
  const maxListLength = spec.maxListLength ?? 100
  const limits: ParamValues.ValueLimits = { maxLength: spec.maxValueLength ?? 1000 }
  const orderingParam = spec.orderingParam ?? "ordering"
  const ignored = new Set(spec.ignore ?? [])
  const paths = new Map<string, AllowedPath>()
  for (const [path, exprs] of Object.entries(spec.fields as Record<string, ReadonlyArray<string> | undefined>)) {
    if (exprs !== undefined) paths.set(path, allowedPath(model, path, exprs, allowRegex))
  }
  const orderable = new Set<string>()
  for (const path of (spec.ordering ?? []) as ReadonlyArray<string>) {
    const resolved = Ast.resolveOrder(model, path)
    if (Result.isFailure(resolved) || path.startsWith("-")) {
      throw new Error(`FilterSet of ${model.meta.name}: cannot order by "${path}"${Result.isFailure(resolved) ? `: ${resolved.failure.message}` : " (list paths; both directions are allowed)"}`)
    }
    orderable.add(path)
  }

  /** The parameters flattened into entries, nested spellings included; `undefined` values are absent. */
  const flatten = (params: Input, issues: Array<ParamIssue>): { entries: Array<Entry>; ordering: unknown } => {
    const entries: Array<Entry> = []
    let ordering: unknown = undefined
    const visit = (param: string, segments: ReadonlyArray<string>, value: unknown, depth: number) => {
      if (value === undefined) return
      if (isPlainObject(value)) {
        if (depth >= MAX_NESTING) return void issues.push({ param, message: "nested too deeply" })
        for (const key of Object.keys(value)) visit(`${param}.${key}`, [...segments, ...key.split(/__|\./)], value[key], depth + 1)
        return
      }
      if (entries.length >= maxConditions) {
        if (entries.length === maxConditions) issues.push({ param, message: `too many conditions (at most ${maxConditions})` })
        entries.push({ param, segments, value })
        return
      }
      entries.push({ param, segments, value })
    }
    if (!isPlainObject(params)) {
      issues.push({ param: "(parameters)", message: "expected an object of parameters" })
      return { entries, ordering }
    }
    for (const key of Object.keys(params)) {
      const value = params[key]
      if (key === orderingParam) ordering = value
      else if (!ignored.has(key)) visit(key, key.split(/__|\./), value, 0)
    }
    return { entries, ordering }
  }

  /** The condition of one entry: the longest allowed path its segments start with, then an allowed lookup. */
  const condition = (entry: Entry): Result.Result<Record<string, unknown>, string> => {
    const { segments } = entry
    for (let n = segments.length; n >= 1; n--) {
      const path = paths.get(segments.slice(0, n).join("."))
      if (path === undefined) continue
      const expr = n === segments.length ? "exact" : segments.slice(n).join(".")
      const allowed = path.lookups.get(expr)
      if (allowed === undefined) {
        return Result.fail(`lookup "${expr}" is not allowed here; allowed: ${[...path.lookups.keys()].join(", ")}`)
      }
      return Result.map(operand(path.field, allowed, entry.value), (value) => nest([...path.keys, ...allowed.keys], value))
    }
    return Result.fail(`unknown parameter; filters are ${[...paths.keys()].join(", ")}`)
  }

  const operand = (field: Field.Any, allowed: Allowed, raw: unknown): Result.Result<unknown, string> => {
    const one = (u: unknown) => ParamValues.convert(field, allowed.target, u, limits)
    if (allowed.lookup === "in" || allowed.lookup === "range") {
      return Result.flatMap(ParamValues.listItems(raw, allowed.lookup === "range" ? 2 : maxListLength), (items) => {
        if (allowed.lookup === "range" && items.length !== 2) return Result.fail("expected two values: low,high")
        const values: Array<unknown> = []
        for (const [i, item] of items.entries()) {
          const converted = one(item)
          if (Result.isFailure(converted)) return Result.fail(items.length > 1 ? `value ${i + 1}: ${converted.failure}` : converted.failure)
          values.push(converted.success)
        }
        return Result.succeed(values)
      })
    }
    return one(raw)
  }

  const orderingOf = (raw: unknown, issues: Array<ParamIssue>, budget: number): Array<string> => {
    if (raw === undefined) return []
    const items = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : undefined
    if (items === undefined || !items.every((i) => typeof i === "string")) {
      issues.push({ param: orderingParam, message: "expected field names, comma-separated" })
      return []
    }
    if (items.length > budget) {
      issues.push({ param: orderingParam, message: `too many conditions (at most ${maxConditions})` })
      return []
    }
    const result: Array<string> = []
    for (const item of items as ReadonlyArray<string>) {
      const key = item.trim()
      const bare = key.startsWith("-") ? key.slice(1) : key
      if (!orderable.has(bare.replace(/__/g, "."))) {
        issues.push({ param: orderingParam, message: `cannot order by ${JSON.stringify(key)}; allowed: ${[...orderable].join(", ")}` })
      } else result.push(key.replace(/__/g, "."))
    }
    return result
  }

  const parse = (params: Input): Result.Result<Parsed, ParamsError> => {
    const issues: Array<ParamIssue> = []
    const { entries, ordering } = flatten(params, issues)
    const conditions: Array<Record<string, unknown>> = []
    for (const entry of entries.slice(0, maxConditions)) {
      const converted = condition(entry)
      if (Result.isFailure(converted)) issues.push({ param: entry.param, message: converted.failure })
      else conditions.push(converted.success)
    }
    const order = orderingOf(ordering, issues, Math.max(maxConditions - entries.length, 0))
    if (issues.length > 0) return Result.fail(new ParamsError({ model: model.meta.name, issues }))
    const combined = conditions.length === 1 ? conditions[0]! : Q.and(...conditions)
    // The ORM checks the filter again, as every filter: a refusal here would be a bug of this module, reported so.
    const checked = Ast.resolveCondition(model, combined)
    if (Result.isFailure(checked)) {
      return Result.fail(new ParamsError({ model: model.meta.name, issues: [{ param: "(parameters)", message: checked.failure.reason }] }))
    }
    return Result.succeed({ condition: combined, ordering: order })
  }

  return {
    model,
    parse,
    apply: (queryset, params) =>
      Effect.suspend(() => {
        if (queryset.query.model.meta !== model.meta) {
          return Effect.die(new Error(`FilterSet of ${model.meta.name} applied to a QuerySet of ${queryset.query.model.meta.name}`))
        }
        return Effect.map(Effect.fromResult(parse(params)), ({ condition, ordering }) => {
          const filtered = queryset.filter(condition)
          return (ordering.length > 0 ? filtered.orderBy(...ordering) : filtered) as typeof queryset
        })
      })
  }
}

/**
 * Parameters from `URLSearchParams` (`new URL(request.url).searchParams`): a repeated parameter becomes a list.
 * @since 0.2.0
 */
export const fromSearchParams = (search: URLSearchParams): Input => {
  const result: Record<string, string | Array<string>> = {}
  for (const [key, value] of search) {
    const current = result[key]
    result[key] = current === undefined ? value : Array.isArray(current) ? [...current, value] : [current, value]
  }
  return result
}

export {
  /** Re-exported for `catchTag`: the error `apply` and `parse` fail with. */
  ParamsError
}
