/**
 * The reference of writes to `PpWrite`: which values each field accepts (written from the fields' documented types
 * and PostgreSQL's ranges) and what reads back, with each field's documented precision: integers have no -0 (it is
 * 0), Float keeps -0, NaN and the infinities, Decimal comes back with the column's scale (3) and the same value,
 * DateTime in milliseconds, Duration in microseconds (truncated towards zero), Time in PostgreSQL's canonical form
 * (no trailing zeros in the fraction), UUIDs in lower case, JSON as JSON.stringify writes what the field's schema
 * encodes (`undefined` members dropped).
 */
import { BigDecimal, DateTime, Duration, Schema } from "effect"
import fc from "fast-check"
import {
  badText,
  dateTime,
  duration,
  hostile,
  isoDate,
  isoTime,
  jsonValue,
  text,
  textValue,
  valueFor
} from "./arbitraries.js"
import { roundDecimal } from "./expressions.js"
import { POOLS, Score } from "./models.js"
import * as Ref from "./reference.js"

export interface WriteField {
  /** Whether a non-null value is valid. */
  readonly ok: (u: unknown) => boolean
  /** What reads back for a valid non-null value. */
  readonly expected: (u: unknown) => unknown
  readonly nullable: boolean
  /** The value when the field is left out (`undefined`: required). */
  readonly omitted: unknown
}

const same = (u: unknown) => u
const int = ([min, max]: readonly [number, number]) => (u: unknown) => Number.isSafeInteger(u) && (u as number) >= min && (u as number) <= max
const isScore = Schema.is(Score)
const encodeScore = Schema.encodeSync(Score)

const canonicalTime = (t: string): string => {
  const [hms, fraction] = t.split(".")
  const trimmed = (fraction ?? "").replace(/0+$/, "")
  return trimmed === "" ? hms! : `${hms}.${trimmed}`
}

const nullable = (ok: (u: unknown) => boolean, expected: (u: unknown) => unknown = same): WriteField => ({
  ok,
  expected,
  nullable: true,
  omitted: null
})

export const WRITE_FIELDS: Readonly<Record<string, WriteField>> = {
  char: nullable((u) => Ref.textOk(u) && [...u].length <= 8),
  text: nullable(Ref.textOk),
  int: nullable(int(Ref.INT4), (u) => (u === 0 ? 0 : u)),
  small: nullable(int(Ref.INT2), (u) => (u === 0 ? 0 : u)),
  big: nullable((u) => typeof u === "bigint" && u >= Ref.INT8_MIN && u <= Ref.INT8_MAX),
  float: nullable((u) => typeof u === "number"),
  dec: nullable((u) => {
    if (!BigDecimal.isBigDecimal(u)) return false
    const { decimals, whole } = Ref.decimalDigits(u)
    return decimals <= 3 && whole <= 6
  }, (u) => roundDecimal(u as BigDecimal.BigDecimal, 3)),
  bool: nullable((u) => typeof u === "boolean"),
  date: nullable(Ref.isoDateOk),
  datetime: nullable(Ref.dateTimeOk),
  time: nullable(Ref.isoTimeOk, (u) => canonicalTime(u as string)),
  duration: nullable(Ref.durationOk, (u) => Duration.micros(Ref.durationMicros(u as Duration.Duration))),
  uuid: nullable(Ref.uuidOk, (u) => (u as string).toLowerCase()),
  json: nullable((u) => Ref.jsonOk(u), Ref.jsonNormal),
  score: nullable((u) => {
    if (!isScore(u)) return false
    try {
      return Ref.jsonOk(encodeScore(u as any))
    } catch {
      return false
    }
  }, (u) => Ref.jsonNormal(encodeScore(u as any))),
  // JSON null is a value of Schema.Unknown, but it is written as SQL NULL: this non-nullable field refuses it.
  strict: { ok: (u) => Ref.jsonOk(u), expected: Ref.jsonNormal, nullable: false, omitted: {} },
  label: { ok: (u) => Ref.textOk(u) && [...u].length <= 20, expected: same, nullable: false, omitted: "x" },
  req: { ok: int(Ref.INT4), expected: (u) => (u === 0 ? 0 : u), nullable: false, omitted: undefined }
}

export const WRITE_KEYS = Object.keys(WRITE_FIELDS)

/** The keys a write may wrongly give: unknown names, other models' names, the primary key under another spelling. */
export const UNKNOWN_KEYS = ["nope", "__proto__", "constructor", "toString", "Char", "int ", "owner", "title", "valueOf"]

export type Expectation =
  | { readonly _tag: "unknownKey" }
  | { readonly _tag: "invalid"; readonly fields: ReadonlyArray<string> }
  | { readonly _tag: "ok"; readonly row: Readonly<Record<string, unknown>> }

/** What a create of `data` must do: refuse an unknown key, list every invalid field, or store the row. */
export const expectCreate = (data: Record<string, unknown>, prefix = ""): Expectation => {
  if (Object.keys(data).some((k) => !Object.prototype.hasOwnProperty.call(WRITE_FIELDS, k))) return { _tag: "unknownKey" }
  const invalid: Array<string> = []
  const row: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(WRITE_FIELDS)) {
    const value = data[key]
    if (value === undefined) {
      if (field.omitted === undefined) invalid.push(prefix + key)
      else row[key] = field.omitted === null ? null : field.expected(field.omitted)
    } else if (value === null) {
      if (field.nullable) row[key] = null
      else invalid.push(prefix + key)
    } else if (field.ok(value)) row[key] = field.expected(value)
    else invalid.push(prefix + key)
  }
  return invalid.length > 0 ? { _tag: "invalid", fields: invalid } : { _tag: "ok", row }
}

/** What an update of `values` must do to a row that holds `current`. */
export const expectUpdate = (current: Readonly<Record<string, unknown>>, values: Record<string, unknown>): Expectation => {
  const keys = Object.keys(values).filter((k) => values[k] !== undefined)
  if (keys.some((k) => !Object.prototype.hasOwnProperty.call(WRITE_FIELDS, k))) return { _tag: "unknownKey" }
  const invalid: Array<string> = []
  const row: Record<string, unknown> = { ...current }
  for (const key of keys) {
    const field = WRITE_FIELDS[key]!, value = values[key]
    if (value === null ? field.nullable : field.ok(value)) row[key] = value === null ? null : field.expected(value)
    else invalid.push(key)
  }
  return invalid.length > 0 ? { _tag: "invalid", fields: invalid } : { _tag: "ok", row }
}

// ---- generators ----

const scoreValue = fc.oneof(
  { weight: 4, arbitrary: fc.record({ value: fc.double(), tags: fc.option(fc.array(text(4), { maxLength: 3 }), { nil: undefined }) }, { requiredKeys: ["value"] }) },
  { weight: 1, arbitrary: fc.record({ value: fc.integer(), extra: jsonValue }) },
  { weight: 1, arbitrary: fc.record({ value: fc.constant(1), tags: fc.array(fc.oneof(text(3), badText), { maxLength: 2 }) }) },
  { weight: 1, arbitrary: jsonValue },
  { weight: 1, arbitrary: hostile }
)

const decimalValue = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }), fc.integer({ min: 0, max: 5 })).map(([v, s]) => BigDecimal.make(v, s)) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(BigDecimal.make(999999999n, 3), BigDecimal.make(1000000000n, 3), BigDecimal.make(15000n, 4), BigDecimal.make(1n, -6), BigDecimal.make(1n, -5), 1.5) },
  { weight: 1, arbitrary: hostile }
)

/** A value for each field of PpWrite, valid most of the time. */
export const writeValue = (key: string): fc.Arbitrary<unknown> => {
  switch (key) {
    case "char":
      return textValue(["a", "abc", "12345678", "123456789", "😀😀😀😀😀😀😀😀", "é", "%_\\", ""])
    case "text":
      return textValue(POOLS.body)
    case "int":
    case "req":
      return valueFor("n")
    case "small":
      return valueFor("small")
    case "big":
      return valueFor("big")
    case "float":
      return valueFor("ratio")
    case "dec":
      return decimalValue
    case "bool":
      return valueFor("flag")
    case "date":
      return fc.oneof(isoDate, valueFor("day"))
    case "datetime":
      return fc.oneof(dateTime, valueFor("at"))
    case "time":
      return fc.oneof(isoTime, valueFor("time"))
    case "duration":
      return fc.oneof(duration, valueFor("span"))
    case "uuid":
      return valueFor("uuid")
    case "json":
      return jsonValue
    case "score":
      return scoreValue
    case "strict":
      return jsonValue
    case "label":
      return textValue(["x", "a label", "twenty characters!!!", "twenty-one characters", "😀"])
  }
  throw new Error(`no values for ${key}`)
}

const fieldValue = (key: string) =>
  fc.oneof(
    { weight: 6, arbitrary: writeValue(key) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: fc.constant(undefined) }
  )

/** `null` most of the time, an `arb` value once in twelve. */
const rarely = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<A | null> =>
  fc.oneof({ weight: 11, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb })

/** Leaves out the invalid values (and gives `req` a value): a write that must succeed. */
const validOnly = (data: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(data)) {
    const field = WRITE_FIELDS[k]
    if (field === undefined) continue
    if (v === undefined || (v === null ? field.nullable : field.ok(v))) out[k] = v
  }
  if (!WRITE_FIELDS.req!.ok(out.req)) out.req = 7
  return out
}

/** The data of a create: every field or some, valid (mostly) or not, sometimes with a key no field has. */
export const createData: fc.Arbitrary<Record<string, unknown>> = fc.tuple(
  fc.record(Object.fromEntries(WRITE_KEYS.map((k) => [k, fieldValue(k)])) as Record<string, fc.Arbitrary<unknown>>),
  fc.oneof({ weight: 3, arbitrary: fc.constant("valid" as const) }, { weight: 2, arbitrary: fc.constant("any" as const) }),
  rarely(fc.tuple(fc.constantFrom(...UNKNOWN_KEYS), hostile.filter((v) => v !== undefined)))
).map(([data, mode, extra]) => {
  const out = mode === "valid" ? validOnly(data) : { ...data }
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k]
  if (extra !== null) Object.defineProperty(out, extra[0], { value: extra[1], enumerable: true, writable: true, configurable: true })
  return out
})

/** The values of an update: a few fields. */
export const updateData: fc.Arbitrary<Record<string, unknown>> = fc.tuple(
  fc.uniqueArray(fc.constantFrom(...WRITE_KEYS), { maxLength: 4 }),
  fc.boolean(),
  rarely(fc.tuple(fc.constantFrom(...UNKNOWN_KEYS), hostile.filter((v) => v !== undefined)))
).chain(([keys, valid, extra]) =>
  fc.tuple(...keys.map(fieldValue)).map((values) => {
    const out: Record<string, unknown> = {}
    keys.forEach((k, i) => {
      const v = values[i]
      const field = WRITE_FIELDS[k]!
      if (!valid || v === undefined || (v === null ? field.nullable : field.ok(v))) out[k] = v
    })
    if (extra !== null) Object.defineProperty(out, extra[0], { value: extra[1], enumerable: true, writable: true, configurable: true })
    return out
  })
)

/** Compares a row read back with the expected one, field by field. */
export const rowProblems = (actual: Record<string, unknown>, expected: Readonly<Record<string, unknown>>): ReadonlyArray<string> => {
  const problems: Array<string> = []
  for (const key of WRITE_KEYS) {
    const a = actual[key], e = expected[key]
    let same: boolean
    if (a === null || e === null) same = a === e
    else if (key === "dec") {
      same = BigDecimal.isBigDecimal(a) && (a as BigDecimal.BigDecimal).scale === 3 &&
        Ref.decimalCompare(a as BigDecimal.BigDecimal, e as BigDecimal.BigDecimal) === 0
    } else if (key === "float") same = Object.is(a, e)
    else if (key === "datetime") same = DateTime.isDateTime(a) && DateTime.toEpochMillis(a) === DateTime.toEpochMillis(e as DateTime.Utc)
    else if (key === "duration") same = Duration.isDuration(a) && Duration.toNanosUnsafe(a) === Duration.toNanosUnsafe(e as Duration.Duration)
    else if (key === "json" || key === "score" || key === "strict") same = Ref.jsonEqual(a, e)
    else same = a === e
    if (!same) problems.push(`${key}: read ${show(a)}, expected ${show(e)}`)
  }
  return problems
}

const show = (u: unknown): string => {
  if (typeof u === "bigint") return `${u}n`
  if (typeof u === "number") return Object.is(u, -0) ? "-0" : String(u)
  if (BigDecimal.isBigDecimal(u)) return `BigDecimal(${u.value}, ${u.scale})`
  if (DateTime.isDateTime(u)) return `DateTime(${DateTime.toEpochMillis(u)})`
  if (Duration.isDuration(u)) return `Duration(${Duration.toNanosUnsafe(u)}ns)`
  try {
    return JSON.stringify(u) ?? String(u)
  } catch {
    return Object.prototype.toString.call(u)
  }
}
