/**
 * A reference implementation, in plain JavaScript, of what the ORM's filters mean: written from the documented
 * lookups (src/Lookup.ts) and PostgreSQL's semantics, over the rows as read back once. It decides whether a filter
 * is valid (else `Invalid`: the ORM must fail with a FieldError before any SQL) and, per row, whether it matches.
 *
 * Decisions where the answer legitimately depends on PostgreSQL (each is tested for what it guarantees):
 *
 * - Logic is SQL's three-valued logic (true, false, null), plus "?" where the reference cannot know the answer
 *   (case folding outside ASCII, text ordering under a collation other than code point order, regex lookups): rows
 *   whose value is "?" are left out of the comparison. A filter keeps rows that are true; `exclude` (and `Q.not`) keep
 *   rows whose condition is not true (`IS NOT TRUE`, so NULL comparisons are kept, as Django does). An empty condition
 *   (`{}`, `{ f: {} }`, `Q.and()`) is no condition, and negating it is still no condition (Django's `exclude()`);
 *   `Q.or()` with no conditions matches nothing.
 * - Text ordering (gt/gte/lt/lte/range on text) is code point order, which is what PostgreSQL's "C" and "C.UTF-8"
 *   collations give (PGlite's database is "C", the server's test database "C.UTF-8"); JavaScript's `<` compares UTF-16
 *   code units, which differs above U+FFFF ("😀" > "\ufffd" in code points). Under any other collation the reference
 *   answers "?" for text ordering (see `setCodePointCollation`). Equality is exact under any deterministic collation.
 * - Case-insensitive lookups (iexact, icontains, iStartsWith, iEndsWith) are PostgreSQL's ILIKE, which lower-cases
 *   both sides with the database's ctype (per code point: "ß" stays "ß", "İ" becomes "i" under glibc, unlike
 *   JavaScript's toLowerCase). The reference folds ASCII only: a match under ASCII folding is a match for any ctype;
 *   a non-match is certain only when no non-ASCII cased character could make the strings match, else "?".
 * - Floats follow PostgreSQL: NaN equals NaN and is greater than every number (+Infinity included), -0 equals 0.
 * - Decimals compare by value (1.5 = 1.50); UUIDs case-insensitively; times as microseconds ("24:00:00" is the
 *   largest); durations as microseconds (a filter value is truncated towards zero to microseconds, the documented
 *   precision); JSON by jsonb equality (object keys unordered, numbers by value, `undefined` members dropped).
 * - Date parts of a timestamp are taken in UTC; PostgreSQL has no year 0, so EXTRACT(YEAR) of a BC timestamp is the
 *   astronomical year minus one (1 BC is -1), and weekDay is 1 (Sunday) to 7.
 */
import { BigDecimal, DateTime, Duration } from "effect"

// ---- three-valued logic, with "?" (unknown to the reference) and EMPTY (no condition) ----

export const EMPTY: unique symbol = Symbol("empty")
export type TV = boolean | null | "?"
export type Value = TV | typeof EMPTY

/** The filter is not valid: the ORM must refuse it with a FieldError before any statement. */
export class Invalid extends Error {}

export const and = (values: ReadonlyArray<Value>): Value => {
  const present = values.filter((v) => v !== EMPTY) as Array<TV>
  if (present.length === 0) return EMPTY
  if (present.includes(false)) return false
  if (present.includes("?")) return "?"
  if (present.includes(null)) return null
  return true
}

export const or = (values: ReadonlyArray<Value>): Value => {
  if (values.length === 0) return false
  // An empty child (no condition) is left out, as Django leaves out an empty Q() combined with `|`; an OR of nothing
  // but empty children is empty.
  values = values.filter((v) => v !== EMPTY)
  if (values.length === 0) return EMPTY
  if (values.includes(true)) return true
  if (values.includes("?")) return "?"
  if (values.includes(null)) return null
  return false
}

/** `IS NOT TRUE`: two-valued; negating no condition is no condition. */
export const not = (value: Value): Value => value === EMPTY ? EMPTY : value === "?" ? "?" : value !== true

// ---- value domains: see domains.ts ----

export * from "./domains.js"
import {
  dateTimeOk,
  durationMicros,
  durationOk,
  INT2,
  INT4,
  INT8_MAX,
  INT8_MIN,
  isoDateOk,
  isoTimeOk,
  jsonEqual,
  jsonNormal,
  jsonOk,
  storableDecimal,
  textOk,
  uuidOk
} from "./domains.js"

// ---- comparisons, as PostgreSQL orders each type ----

export type Kind =
  | "string"
  | "int"
  | "bigint"
  | "float"
  | "decimal"
  | "boolean"
  | "date"
  | "datetime"
  | "time"
  | "duration"
  | "uuid"
  | "json"

let codePointCollation = true

/** Whether the database orders text by code point ("C", "C.UTF-8", "POSIX", "ucs_basic"). */
export const setCodePointCollation = (value: boolean) => {
  codePointCollation = value
}
export const hasCodePointCollation = () => codePointCollation

export const codePointCompare = (a: string, b: string): number => {
  const x = [...a], y = [...b]
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!
    if (d !== 0) return Math.sign(d)
  }
  return Math.sign(x.length - y.length)
}

const sign = (a: number | bigint, b: number | bigint) => (a < b ? -1 : a > b ? 1 : 0)

/** PostgreSQL's float8 order: NaN = NaN and above everything, -0 = 0. */
export const floatCompare = (a: number, b: number): number =>
  Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : sign(a, b)

export const decimalCompare = (a: BigDecimal.BigDecimal, b: BigDecimal.BigDecimal): number => {
  const scale = Math.max(a.scale, b.scale)
  return sign(a.value * 10n ** BigInt(scale - a.scale), b.value * 10n ** BigInt(scale - b.scale))
}

/** A date as [astronomical year, month, day]. */
export type Ymd = readonly [number, number, number]
export const ymdOf = (iso: string): Ymd => iso.split("-").map(Number) as unknown as Ymd
const ymdCompare = (a: Ymd, b: Ymd) => sign(a[0], b[0]) || sign(a[1], b[1]) || sign(a[2], b[2])

export const timeMicros = (t: string): number => {
  const [hms, fraction = ""] = t.split(".")
  const [h, m, s] = hms!.split(":").map(Number) as [number, number, number]
  return ((h * 60 + m) * 60 + s) * 1_000_000 + Number(fraction.padEnd(6, "0"))
}

/**
 * A value as compared: strings as they are, dates as [y, m, d], timestamps as epoch milliseconds, times and
 * durations as microseconds, UUIDs in lower case, decimals as BigDecimals, JSON as stored.
 */
export const normal = (kind: Kind, v: unknown): unknown => {
  switch (kind) {
    case "date":
      return ymdOf(v as string)
    case "datetime":
      return DateTime.toEpochMillis(v as DateTime.Utc)
    case "time":
      return timeMicros(v as string)
    case "duration":
      return durationMicros(v as Duration.Duration)
    case "uuid":
      return (v as string).toLowerCase()
    case "json":
      return jsonNormal(v)
    case "boolean":
      return v ? 1 : 0
    default:
      return v
  }
}

/** Compares two normal values of `kind`; "?" where the order is the collation's and not code points. */
export const compare = (kind: Kind, a: unknown, b: unknown): number | "?" => {
  switch (kind) {
    case "string":
      return codePointCollation ? codePointCompare(a as string, b as string) : "?"
    case "float":
      return floatCompare(a as number, b as number)
    case "decimal":
      return decimalCompare(a as BigDecimal.BigDecimal, b as BigDecimal.BigDecimal)
    case "date":
      return ymdCompare(a as Ymd, b as Ymd)
    case "json":
      throw new Error("JSON values are not ordered by the reference")
    default:
      return sign(a as number | bigint, b as number | bigint)
  }
}

export const equal = (kind: Kind, a: unknown, b: unknown): boolean =>
  kind === "json"
    ? jsonEqual(a, b)
    : kind === "string" || kind === "uuid"
    ? a === b
    : compare(kind, a, b) === 0

// ---- case-insensitive matching: see text.ts ----

import { insensitive } from "./text.js"

export { insensitive }

// ---- date and time parts ----

export type Part = "year" | "month" | "day" | "weekDay" | "hour" | "minute" | "second" | "date"

const utcDate = (ymd: Ymd) => {
  const d = new Date(0)
  d.setUTCFullYear(ymd[0], ymd[1] - 1, ymd[2])
  return d
}

/** A part of a normal date, timestamp or time value (a number; the date of a timestamp as [y, m, d]). */
export const partOf = (kind: Kind, part: Part, v: unknown): unknown => {
  if (kind === "date") {
    const ymd = v as Ymd
    switch (part) {
      case "year":
        return ymd[0]
      case "month":
        return ymd[1]
      case "day":
        return ymd[2]
      case "weekDay":
        return utcDate(ymd).getUTCDay() + 1
    }
  }
  if (kind === "time") {
    const micros = v as number
    switch (part) {
      case "hour":
        return Math.floor(micros / 3_600_000_000)
      case "minute":
        return Math.floor(micros / 60_000_000) % 60
      case "second":
        return Math.floor(micros / 1_000_000) % 60
    }
  }
  if (kind === "datetime") {
    const d = new Date(v as number)
    const year = d.getUTCFullYear()
    switch (part) {
      case "year":
        return year <= 0 ? year - 1 : year
      case "month":
        return d.getUTCMonth() + 1
      case "day":
        return d.getUTCDate()
      case "weekDay":
        return d.getUTCDay() + 1
      case "hour":
        return d.getUTCHours()
      case "minute":
        return d.getUTCMinutes()
      case "second":
        return d.getUTCSeconds()
      case "date":
        return [year, d.getUTCMonth() + 1, d.getUTCDate()] as Ymd
    }
  }
  throw new Error(`no part ${part} of ${kind}`)
}

// ---- models as the reference sees them ----

export interface FieldDef {
  readonly kind: Kind
  /** The integer range of "int" fields. */
  readonly range?: readonly [number, number]
  readonly parts: ReadonlyArray<Part>
}

export const COMPARABLE = ["exact", "in", "gt", "gte", "lt", "lte", "range", "isNull"]
const TEXT_LOOKUPS = ["iexact", "contains", "icontains", "startsWith", "iStartsWith", "endsWith", "iEndsWith", "regex", "iregex"]
export const DATE_PARTS: ReadonlyArray<Part> = ["year", "month", "day", "weekDay"]
export const TIME_PARTS: ReadonlyArray<Part> = ["hour", "minute", "second"]
export const ALL_PARTS: ReadonlyArray<Part> = [...DATE_PARTS, ...TIME_PARTS, "date"]

/** A JSON field's lookups, on the whole value or at a path. */
const JSON_LOOKUPS = [
  "exact", "in", "gt", "gte", "lt", "lte", "isNull", "contains", "containedBy", "hasKey", "hasKeys", "hasAnyKeys",
  "iexact", "icontains", "startsWith", "iStartsWith", "endsWith", "iEndsWith", "regex", "iregex"
]

export const lookupsOf = (def: FieldDef): ReadonlyArray<string> =>
  def.kind === "json" ? JSON_LOOKUPS : [...COMPARABLE, ...(def.kind === "string" ? TEXT_LOOKUPS : []), ...def.parts]

export const fieldDef = (kind: Kind, range?: readonly [number, number]): FieldDef => ({
  kind,
  ...(range === undefined ? {} : { range }),
  parts: kind === "date" ? DATE_PARTS : kind === "time" ? TIME_PARTS : kind === "datetime" ? ALL_PARTS : []
})

/** Whether `v` is a value of the field's kind that a lookup accepts. */
export const valueOk = (def: FieldDef, v: unknown): boolean => {
  switch (def.kind) {
    case "string":
      return textOk(v)
    case "int":
      return Number.isSafeInteger(v) && (v as number) >= def.range![0] && (v as number) <= def.range![1]
    case "bigint":
      return typeof v === "bigint" && v >= INT8_MIN && v <= INT8_MAX
    case "float":
      return typeof v === "number"
    case "decimal":
      return storableDecimal(v)
    case "boolean":
      return typeof v === "boolean"
    case "date":
      return isoDateOk(v)
    case "datetime":
      return dateTimeOk(v)
    case "time":
      return isoTimeOk(v)
    case "duration":
      return durationOk(v)
    case "uuid":
      return uuidOk(v)
    case "json":
      return jsonOk(v)
  }
}

export interface ModelDef {
  readonly name: string
  readonly fields: Readonly<Record<string, FieldDef>>
  readonly pk: string
  /** Relations: forward ones compare `key` on this table; reverse ones reach many rows of `target`. */
  readonly relations: Readonly<Record<string, { readonly kind: "forward" | "reverse"; readonly target: () => ModelDef; readonly key: string }>>
}

export const OWNER: ModelDef = {
  name: "PpOwner",
  pk: "id",
  fields: { id: fieldDef("int", INT4), name: fieldDef("string") },
  relations: { rows: { kind: "reverse", target: () => ROW, key: "ownerId" } }
}

export const ROW: ModelDef = {
  name: "PpRow",
  pk: "id",
  fields: {
    id: fieldDef("int", INT4),
    title: fieldDef("string"),
    body: fieldDef("string"),
    n: fieldDef("int", INT4),
    small: fieldDef("int", INT2),
    big: fieldDef("bigint"),
    ratio: fieldDef("float"),
    price: fieldDef("decimal"),
    flag: fieldDef("boolean"),
    day: fieldDef("date"),
    at: fieldDef("datetime"),
    time: fieldDef("time"),
    span: fieldDef("duration"),
    uuid: fieldDef("uuid"),
    doc: fieldDef("json"),
    ownerId: fieldDef("int", INT4)
  },
  relations: { owner: { kind: "forward", target: () => OWNER, key: "ownerId" } }
}

// ---- rows and the compiled filters ----

/** A row as the reference sees it: its fields' normal values (null for NULL). */
export type Rec = Readonly<Record<string, unknown>>

/** The rows related to a row through a relation of its model (a NULL row when there is none, as a LEFT JOIN gives). */
export type Related = (model: ModelDef, relation: string, row: Rec) => ReadonlyArray<Rec>

export interface Ctx {
  readonly row: Rec
  /** The related row bound to each relation path in the current scope. */
  readonly bound: ReadonlyMap<string, Rec>
}

export interface Pred {
  readonly eval: (ctx: Ctx) => Value
  /** Relation paths used directly in this scope (not inside a nested `Q.not`). */
  readonly paths: ReadonlySet<string>
  /** No condition at all (evaluates to EMPTY). */
  readonly empty: boolean
}

const constant = (value: Value): Pred => ({ eval: () => value, paths: new Set(), empty: false })
const andPred = (preds: ReadonlyArray<Pred>): Pred => ({
  eval: (ctx) => and(preds.map((p) => p.eval(ctx))),
  paths: new Set(preds.flatMap((p) => [...p.paths])),
  empty: preds.every((p) => p.empty)
})
const orPred = (preds: ReadonlyArray<Pred>): Pred => ({
  eval: (ctx) => or(preds.map((p) => p.eval(ctx))),
  paths: new Set(preds.flatMap((p) => [...p.paths])),
  empty: preds.some((p) => p.empty)
})

/**
 * One `filter()` call, or a negated part: relation paths in it are matched by an EXISTS over a LEFT JOIN, one related
 * row per path for all its conditions (two-valued: a NULL inside is no match).
 */
export const scope = (model: ModelDef, pred: Pred, related: Related): Pred => {
  if (pred.paths.size === 0) {
    return { eval: (ctx) => pred.eval({ row: ctx.row, bound: new Map() }), paths: new Set(), empty: pred.empty }
  }
  const paths = [...pred.paths]
  return {
    paths: new Set(),
    empty: pred.empty,
    eval: (ctx) => {
      let unknown = false
      const bind = (i: number, bound: Map<string, Rec>): boolean => {
        if (i === paths.length) {
          const v = pred.eval({ row: ctx.row, bound })
          if (v === "?") unknown = true
          return v === true || v === EMPTY
        }
        return related(model, paths[i]!, ctx.row).some((r) => bind(i + 1, new Map([...bound, [paths[i]!, r]])))
      }
      return bind(0, new Map()) ? true : unknown ? "?" : false
    }
  }
}

export const notPred = (model: ModelDef, pred: Pred, related: Related): Pred => {
  const inner = scope(model, pred, related)
  return { eval: (ctx) => not(inner.eval(ctx)), paths: new Set(), empty: inner.empty }
}

export const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

const defined = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined)

/** Reads a field of the row the condition is on: the query's row, or the row bound to its relation path. */
type Getter = (ctx: Ctx) => unknown

interface Column {
  readonly def: FieldDef
  readonly get: Getter
  readonly path: string | undefined
}

const leaf = (column: Column, test: (v: unknown) => TV, onNull: TV = null): Pred => ({
  eval: (ctx) => {
    const v = column.get(ctx)
    return v === null ? onNull : test(v)
  },
  paths: new Set(column.path === undefined ? [] : [column.path]),
  empty: false
})

/** Compiles a lookup on a column (or on a part of it), checking its value. */
const lookup = (column: Column, part: Part | undefined, name: string, value: unknown): Pred => {
  if (part === undefined && (ALL_PARTS as ReadonlyArray<string>).includes(name)) return partFilter(column, name as Part, value)
  const kind: Kind = part === undefined ? column.def.kind : part === "date" ? "date" : "int"
  const ok = (v: unknown) =>
    part === undefined ? valueOk(column.def, v) : part === "date" ? isoDateOk(v) : Number.isSafeInteger(v)
  const operand = (v: unknown) => {
    if (!ok(v)) throw new Invalid(`${name}: ${String(typeof v)}`)
    return normal(kind, v)
  }
  const extract: (v: unknown) => unknown = part === undefined ? (v) => v : (v) => partOf(column.def.kind, part, v)
  const on = (test: (v: unknown) => TV, onNull: TV = null) => leaf(column, (v) => test(extract(v)), onNull)
  const order = (v: unknown, test: (c: number) => boolean) => {
    const operandValue = operand(v)
    return on((x) => {
      const c = compare(kind, x, operandValue)
      return c === "?" ? "?" : test(c)
    })
  }
  switch (name) {
    case "exact": {
      if (value === null) return on(() => false, true)
      const v = operand(value)
      return on((x) => equal(kind, x, v))
    }
    case "isNull":
      if (typeof value !== "boolean") throw new Invalid("isNull")
      return on(() => !value, value)
    case "in": {
      if (!Array.isArray(value)) throw new Invalid("in")
      const present = value.filter((v) => v !== null).map(operand)
      if (present.length === 0) return constant(false)
      return on((x) => present.some((v) => equal(kind, x, v)))
    }
    case "range": {
      if (!Array.isArray(value) || value.length !== 2) throw new Invalid("range")
      const lo = operand(value[0]), hi = operand(value[1])
      return on((x) => {
        const a = compare(kind, lo, x), b = compare(kind, x, hi)
        return a === "?" || b === "?" ? "?" : a <= 0 && b <= 0
      })
    }
    case "gt":
      return order(value, (c) => c > 0)
    case "gte":
      return order(value, (c) => c >= 0)
    case "lt":
      return order(value, (c) => c < 0)
    case "lte":
      return order(value, (c) => c <= 0)
  }
  // Text lookups (only strings have them).
  if (!textOk(value)) throw new Invalid(name)
  const needle = value
  switch (name) {
    case "contains":
      return on((x) => (x as string).includes(needle))
    case "startsWith":
      return on((x) => (x as string).startsWith(needle))
    case "endsWith":
      return on((x) => (x as string).endsWith(needle))
    case "iexact":
      return on((x) => insensitive("exact", x as string, needle))
    case "icontains":
      return on((x) => insensitive("contains", x as string, needle))
    case "iStartsWith":
      return on((x) => insensitive("start", x as string, needle))
    case "iEndsWith":
      return on((x) => insensitive("end", x as string, needle))
    case "regex":
    case "iregex":
      // POSIX regular expressions are not modelled: the property only checks the outcome is typed.
      return on(() => "?", "?")
  }
  throw new Error(`unknown lookup ${name}`)
}

/** `{ year: 2024 }`, `{ year: { gte: 2008 } }`, `{ date: "2024-02-29" }`, `{ date: { year: 2024, gt: "..." } }`. */
const partFilter = (column: Column, part: Part, value: unknown): Pred => {
  if (part === "date" && isPlainObject(value)) {
    const parts = Object.keys(value).filter((k) => (ALL_PARTS as ReadonlyArray<string>).includes(k))
    if (parts.length > 0) {
      const preds = parts.filter((k) => value[k] !== undefined).map((k) => {
        if (!(DATE_PARTS as ReadonlyArray<string>).includes(k)) throw new Invalid(`${k} after date`)
        return partFilter(column, k as Part, value[k])
      })
      const rest = Object.fromEntries(Object.entries(value).filter(([k]) => !parts.includes(k)))
      return andPred([...preds, partFilter(column, "date", rest)])
    }
  }
  if (!isPlainObject(value)) return lookup(column, part, "exact", value)
  return andPred(defined(value).map((name) => {
    if (!COMPARABLE.includes(name)) throw new Invalid(`${name} after ${part}`)
    return lookup(column, part, name, value[name])
  }))
}

const pathElementOk = (u: unknown) => textOk(u) || Number.isSafeInteger(u)
const keysOk = (u: unknown) => Array.isArray(u) && Array.from({ length: u.length }, (_, i) => i in u && textOk(u[i])).every(Boolean)

/**
 * A JSON field's paths and lookups beyond the whole value's `exact` and `isNull`: checked as the ORM checks them, and
 * their rows left to PostgreSQL (jsonb containment, key and ordering semantics are not modelled; json-lookups.test.ts
 * asserts their rows).
 */
const jsonFilter = (column: Column, value: Record<string, unknown>): Pred => {
  const { key, path } = value
  if (key !== undefined && path !== undefined) throw new Invalid("path and key")
  if (key !== undefined && !pathElementOk(key)) throw new Invalid("key")
  if (path !== undefined && (!Array.isArray(path) || path.length === 0 || !keysOk(path.map((p) => typeof p === "number" && Number.isSafeInteger(p) ? String(p) : p)))) {
    throw new Invalid("path")
  }
  const atPath = key !== undefined || path !== undefined
  const names = defined(value).filter((k) => k !== "key" && k !== "path")
  if (atPath && names.length === 0) throw new Invalid("a path without lookups")
  return andPred(names.map((name) => {
    const v = value[name]
    if (!JSON_LOOKUPS.includes(name)) throw new Invalid(`unsupported lookup ${name}`)
    if (!atPath && (name === "exact" || name === "isNull")) return lookup(column, undefined, name, v)
    if (name === "isNull" && typeof v !== "boolean") throw new Invalid("isNull")
    if (name === "in") {
      if (!Array.isArray(v) || !jsonOk(v)) throw new Invalid("in")
      if (v.length === 0) return constant(false)
    }
    if (["gt", "gte", "lt", "lte"].includes(name) && !(typeof v === "number" && Number.isFinite(v)) && !textOk(v)) throw new Invalid(name)
    if (["exact", "contains", "containedBy"].includes(name) && !jsonOk(v)) throw new Invalid(name)
    if (name === "hasKey" && !textOk(v)) throw new Invalid(name)
    if ((name === "hasKeys" || name === "hasAnyKeys") && !keysOk(v)) throw new Invalid(name)
    if (JSON_LOOKUPS.indexOf(name) >= JSON_LOOKUPS.indexOf("iexact") && !textOk(v)) throw new Invalid(name)
    return leaf(column, () => "?", "?")
  }))
}

const fieldFilter = (column: Column, value: unknown): Pred => {
  if (column.def.kind === "json" && isPlainObject(value) && defined(value).some((k) => k !== "exact" && k !== "isNull")) {
    return jsonFilter(column, value)
  }
  if (isPlainObject(value)) {
    const names = lookupsOf(column.def)
    return andPred(defined(value).map((name) => {
      if (!names.includes(name)) throw new Invalid(`unsupported lookup ${name}`)
      return lookup(column, undefined, name, value[name])
    }))
  }
  if (column.def.kind === "json" && value !== null) throw new Invalid("JSON fields take lookups")
  return lookup(column, undefined, "exact", value)
}

/** The model's instances (a relation filter's value may be one): set by the test, which knows the model classes. */
export interface Instances {
  readonly pkOf: (model: ModelDef, u: unknown) => { readonly pk: unknown } | undefined
}

/** Compiles a filter object of `model`, reached through relation `path` (undefined: the query's own rows). */
export const filterObject = (model: ModelDef, condition: unknown, instances: Instances, path?: string): Pred => {
  if (!isPlainObject(condition)) throw new Invalid("not a filter object")
  const getter = (field: string): Getter =>
    path === undefined ? (ctx) => ctx.row[field] : (ctx) => ctx.bound.get(path)![field]
  const column = (field: string): Column => ({ def: model.fields[field]!, get: getter(field), path })
  return andPred(defined(condition).map((key) => {
    const value = condition[key]
    const field = key === "pk" ? model.pk : key
    if (Object.prototype.hasOwnProperty.call(model.fields, field)) return fieldFilter(column(field), value)
    const rel = Object.prototype.hasOwnProperty.call(model.relations, key) ? model.relations[key]! : undefined
    if (rel === undefined) throw new Invalid(`unknown field ${key}`)
    if (path !== undefined) throw new Error("the reference follows one relation only")
    const target = rel.target()
    // A forward relation's key and `isNull` / `in` are compared on this table's key column; a reverse one's on the
    // related rows' primary key.
    const keyColumn: Column = rel.kind === "forward"
      ? column(rel.key)
      : { def: target.fields[target.pk]!, get: (ctx) => ctx.bound.get(key)![target.pk], path: key }
    const asKey = (u: unknown) => instances.pkOf(target, u)?.pk ?? u
    if (isPlainObject(value)) {
      const preds: Array<Pred> = []
      const rest: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) {
        // An undefined lookup is no lookup, here as everywhere.
        if (k === "isNull" && !(k in target.fields)) {
          if (v !== undefined) preds.push(lookup(keyColumn, undefined, "isNull", v))
        }
        else if (k === "in" && !(k in target.fields) && v !== undefined) {
          preds.push(lookup(keyColumn, undefined, "in", Array.isArray(v) ? v.map(asKey) : v))
        } else rest[k] = v
      }
      preds.push(filterObject(target, rest, instances, key))
      return andPred(preds)
    }
    return lookup(keyColumn, undefined, "exact", asKey(value))
  }))
}

/** A condition tree, as the generators build it (turned into filter objects and `Q`s by the test). */
export type Tree =
  | { readonly _tag: "leaf"; readonly filter: unknown }
  | { readonly _tag: "and" | "or"; readonly children: ReadonlyArray<Tree> }
  | { readonly _tag: "not"; readonly child: Tree }

export const compileTree = (model: ModelDef, tree: Tree, instances: Instances, related: Related): Pred => {
  switch (tree._tag) {
    case "leaf":
      return filterObject(model, tree.filter, instances)
    case "and":
      return andPred(tree.children.map((c) => compileTree(model, c, instances, related)))
    case "or":
      return orPred(tree.children.map((c) => compileTree(model, c, instances, related)))
    case "not":
      return notPred(model, compileTree(model, tree.child, instances, related), related)
  }
}

