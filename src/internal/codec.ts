/**
 * Conversions between what the PostgreSQL drivers return and the Effect values the fields hold. Both drivers hand
 * these functions the same shapes (the PGlite driver parses its text results into them): int8 as `bigint`, numeric
 * as a string, date as `YYYY-MM-DD`, time as microseconds since midnight (`bigint`), timestamps as `Date`, interval
 * as `{ months, days, microseconds }`.
 * @internal
 */
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"

/** The conversion of a value the driver returns as the field holds it (text, integers, floats, booleans). @internal */
export const identity = <A>(u: A): A => u

/** @internal */
export const INT8_MIN = -(2n ** 63n)
/** @internal */
export const INT8_MAX = 2n ** 63n - 1n
/** @internal */
export const isInt8 = (u: unknown): u is bigint => typeof u === "bigint" && u >= INT8_MIN && u <= INT8_MAX

// Text without NUL or any surrogate is storable: one quick scan decides most strings.
const maybeUnstorable = /[\u0000\ud800-\udfff]/

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * Why PostgreSQL cannot store `s` as text, or `undefined`: it refuses the NUL character, and a lone surrogate (which
 * is not Unicode) would be stored as U+FFFD, changing the text silently (PGlite refuses some of them outright).
 * @internal
 */
export const textProblem = (s: string): string | undefined =>
  !maybeUnstorable.test(s)
    ? undefined
    : s.includes("\u0000")
    ? "Text cannot contain the NUL character"
    : loneSurrogate.test(s)
    ? "Text must be well-formed Unicode (it contains a lone surrogate)"
    : undefined

/** Text PostgreSQL can store (see `textProblem`). @internal */
export const isText = (u: unknown): u is string => typeof u === "string" && textProblem(u) === undefined

/** Text PostgreSQL can store: no NUL character, no lone surrogate. @internal */
export const Text = Schema.String.check(Schema.makeFilter((s: string) => textProblem(s) ?? true))

/** The deepest nesting of arrays and objects a JSON value may have. @internal */
export const MAX_JSON_DEPTH = 1000

/**
 * Why `jsonb` cannot store `value` (a JSON value as a field's schema encodes it) exactly, or `undefined`: its strings
 * and keys must be text PostgreSQL can store, its numbers finite (`JSON.stringify` writes NaN as null), and it must be
 * plain JSON (no bigint, function, symbol or cycle, which `JSON.stringify` refuses or drops).
 * @internal
 */
export const jsonProblem = (value: unknown, path = "", seen = new Set<object>(), depth = 0): string | undefined => {
  const at = path === "" ? "" : ` at ${path}`
  switch (typeof value) {
    case "string": {
      const problem = textProblem(value)
      return problem === undefined ? undefined : `${problem}${at}`
    }
    case "number":
      return Number.isFinite(value) ? undefined : `JSON cannot hold ${value}${at}`
    case "boolean":
      return undefined
    case "undefined":
      return `JSON cannot hold undefined${at}`
    case "bigint":
    case "function":
    case "symbol":
      return `JSON cannot hold a ${typeof value}${at}`
  }
  if (value === null) return undefined
  if (seen.has(value as object)) return `JSON cannot hold a cycle${at}`
  // Deeper nesting would overflow the stack of JSON.stringify (and of this check) before PostgreSQL sees it.
  if (depth >= MAX_JSON_DEPTH) return `JSON nested more than ${MAX_JSON_DEPTH} levels deep is refused${path === "" ? "" : ` (at ${path.length > 60 ? `${path.slice(0, 60)}…` : path})`}`
  seen.add(value as object)
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const problem = jsonProblem(value[i], `${path}[${i}]`, seen, depth + 1)
        if (problem !== undefined) return problem
      }
      return undefined
    }
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) return `JSON holds only plain objects and arrays${at}`
    for (const [key, item] of Object.entries(value as object)) {
      const keyProblem = textProblem(key)
      if (keyProblem !== undefined) return `${keyProblem} (in a key)${at}`
      // Keys whose value is undefined are left out of JSON, as JSON.stringify does.
      if (item === undefined) continue
      const problem = jsonProblem(item, path === "" ? key : `${path}.${key}`, seen, depth + 1)
      if (problem !== undefined) return problem
    }
    return undefined
  } finally {
    seen.delete(value as object)
  }
}

/** At most `max` characters, counted as PostgreSQL's varchar does (code points, so an emoji is one). @internal */
export const maxCharacters = (max: number) =>
  Schema.makeFilter<string>((s) => {
    let n = 0
    for (const _ of s) if (++n > max) return `Expected at most ${max} characters, got ${[...s].length}`
    return true
  })

/** @internal */
export const bigintFromDb = (raw: unknown): bigint => (typeof raw === "bigint" ? raw : BigInt(raw as string))

/**
 * A decimal from PostgreSQL's numeric text (`-123.45`: digits, an optional point, never an exponent). `NaN` and the
 * infinities, which a BigDecimal cannot hold, throw.
 * @internal
 */
export const decimalFromDb = (raw: unknown): BigDecimal.BigDecimal => {
  const text = typeof raw === "string" ? raw : String(raw)
  const dot = text.indexOf(".")
  return dot === -1
    ? BigDecimal.make(BigInt(text), 0)
    : BigDecimal.make(BigInt(text.slice(0, dot) + text.slice(dot + 1)), text.length - dot - 1)
}

/**
 * A decimal in plain notation with all its digits (`BigDecimal.format` switches to exponential notation for 16 places
 * or more), as PostgreSQL's numeric reads it exactly.
 * @internal
 */
export const decimalToDb = (value: unknown): string => {
  const { scale, value: digits } = value as BigDecimal.BigDecimal
  const negative = digits < 0n
  const absolute = (negative ? -digits : digits).toString()
  let text: string
  if (scale <= 0) text = absolute + "0".repeat(-scale)
  else {
    const padded = absolute.padStart(scale + 1, "0")
    text = `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`
  }
  return negative ? `-${text}` : text
}

/**
 * A decimal in JSON: a string (`"29.90"`, `"-1e-3"`; never a JSON number, which a parser reads as a float), written
 * back in plain notation with its scale. The empty string is refused (`BigDecimal.fromString` reads it as zero).
 * @internal
 */
export const DecimalString: Schema.Codec<BigDecimal.BigDecimal, string> = Schema.String.pipe(
  Schema.decodeTo(
    Schema.BigDecimal,
    SchemaTransformation.transformEffect<BigDecimal.BigDecimal, string>({
      decode: (s, options) => {
        const parsed = s.trim() === "" ? Option.none() : BigDecimal.fromString(s.trim())
        return Option.isSome(parsed)
          ? Effect.succeed(parsed.value)
          : Effect.fail(new SchemaIssue.InvalidValue({ expected: "a decimal number written as a string" }, s, options))
      },
      encode: (value) => Effect.succeed(decimalToDb(value))
    })
  )
)

// PostgreSQL's numeric holds up to 131,072 digits before the point and 16,383 after.
const NUMERIC_WHOLE_DIGITS = 131_072
const NUMERIC_DECIMAL_DIGITS = 16_383

/** A decimal PostgreSQL's numeric can hold (a filter value; a field's own digits are checked by its schema). @internal */
export const isStorableDecimal = (u: unknown): u is BigDecimal.BigDecimal => {
  if (!BigDecimal.isBigDecimal(u)) return false
  const { decimals, whole } = decimalShape(u)
  return whole <= NUMERIC_WHOLE_DIGITS && decimals <= NUMERIC_DECIMAL_DIGITS
}

/** A float for the driver: -0 as text, since a JavaScript -0 is an integer to the drivers (and int4 has no -0). @internal */
export const floatToDb = (value: unknown): unknown => Object.is(value, -0) ? "-0" : value

/** Counts whole and fractional digits the way Django's DecimalValidator does. @internal */
export const decimalShape = (value: BigDecimal.BigDecimal): { readonly whole: number; readonly decimals: number } => {
  const n = BigDecimal.normalize(value)
  const digits = (n.value < 0n ? -n.value : n.value).toString().length
  if (n.value === 0n) return { whole: 0, decimals: 0 }
  return n.scale >= 0
    ? { whole: Math.max(digits - n.scale, 0), decimals: n.scale }
    : { whole: digits - n.scale, decimals: 0 }
}

/** Whether `u` is a decimal with at most `maxDigits` digits, `decimalPlaces` of them after the point. @internal */
export const fitsDecimal = (maxDigits: number, decimalPlaces: number) => (u: unknown): boolean => {
  if (!BigDecimal.isBigDecimal(u)) return false
  const { decimals, whole } = decimalShape(u)
  return decimals <= decimalPlaces && whole <= maxDigits - decimalPlaces
}

/** Check: at most `maxDigits` digits, of which at most `decimalPlaces` after the point. @internal */
export const decimalDigits = (maxDigits: number, decimalPlaces: number) =>
  Schema.makeFilter<BigDecimal.BigDecimal>((value) => {
    const { decimals, whole } = decimalShape(value)
    if (decimals > decimalPlaces) return `Expected at most ${decimalPlaces} decimal places, got ${decimals}`
    if (whole > maxDigits - decimalPlaces) {
      return `Expected at most ${maxDigits - decimalPlaces} digits before the decimal point, got ${whole}`
    }
    return true
  })

const isoDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/

/** A real calendar date written `YYYY-MM-DD`. @internal */
export const isIsoDate = (u: unknown): u is string => {
  if (typeof u !== "string") return false
  const m = isoDatePattern.exec(u)
  if (m === null) return false
  const year = Number(m[1]), month = Number(m[2]), day = Number(m[3])
  if (year < 1 || month < 1 || month > 12 || day < 1) return false
  const d = new globalThis.Date(0)
  d.setUTCFullYear(year, month - 1, day)
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day
}

const dbDatePattern = /^\d{4}-\d{2}-\d{2}$/

/**
 * A date as the drivers return it (`2024-02-29`). A date PostgreSQL holds but a Date field does not (BC, a year past
 * 9999, `infinity`, written by another program or computed by `F()`) throws, which reads as a `DecodeError`.
 * @internal
 */
export const dateFromDb = (raw: unknown): string => {
  if (typeof raw === "string" && dbDatePattern.test(raw) && !raw.startsWith("0000")) return raw
  throw new Error(`the date ${String(raw)} is outside what a Date field holds (0001-01-01 to 9999-12-31)`)
}

/** @internal */
export const IsoDate = Schema.String.check(
  Schema.makeFilter((s: string) => isIsoDate(s) || "Expected a date written YYYY-MM-DD")
).annotate({ identifier: "IsoDate" })

const isoTimePattern = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,6})?$/

/** @internal */
export const isIsoTime = (u: unknown): u is string => typeof u === "string" && (isoTimePattern.test(u) || u === "24:00:00")

/** @internal */
export const IsoTime = Schema.String.check(
  Schema.makeFilter((s: string) => isIsoTime(s) || "Expected a time written HH:MM:SS[.ffffff]")
).annotate({ identifier: "IsoTime" })

const pad = (n: number | bigint, width = 2) => String(n).padStart(width, "0")

/**
 * A time of day from the driver's microseconds since midnight, written as PostgreSQL writes it: `HH:MM:SS`, with the
 * fraction of a second when there is one, without trailing zeros (`12:30:00.5`).
 * @internal
 */
export const timeFromDb = (raw: unknown): string => {
  if (typeof raw === "string") return raw
  const micros = raw as bigint
  const seconds = micros / 1_000_000n
  const fraction = micros % 1_000_000n
  const text = `${pad(seconds / 3600n)}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}`
  return fraction === 0n ? text : `${text}.${pad(fraction, 6).replace(/0+$/, "")}`
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** @internal */
export const isUuid = (u: unknown): u is string => typeof u === "string" && uuidPattern.test(u)

/** @internal */
export const UuidString = Schema.String.check(
  Schema.makeFilter((s: string) => isUuid(s) || "Expected a UUID")
).annotate({ identifier: "UUID" })

/** @internal */
export const isUtc = (u: unknown): u is DateTime.Utc => DateTime.isDateTime(u) && DateTime.isUtc(u)

/** A timestamp from the driver (a `Date`; PostgreSQL's infinities and out-of-range values are invalid ones). @internal */
export const dateTimeFromDb = (raw: unknown): DateTime.Utc => {
  const date = raw instanceof globalThis.Date ? raw : new globalThis.Date(raw as string)
  if (Number.isNaN(date.getTime())) throw new Error(`Cannot read timestamp ${String(raw)}: outside the range of a DateTime`)
  return DateTime.makeUnsafe(date)
}

// PostgreSQL's timestamptz starts at 4713 BC (year -4712 counted astronomically).
const MIN_TIMESTAMP_YEAR = -4712

/** A DateTime.Utc within PostgreSQL's timestamptz range. @internal */
export const isStorableDateTime = (u: unknown): u is DateTime.Utc =>
  isUtc(u) && new globalThis.Date(DateTime.toEpochMillis(u)).getUTCFullYear() >= MIN_TIMESTAMP_YEAR

/** Check: a date-time within PostgreSQL's timestamptz range. @internal */
export const storableDateTime = Schema.makeFilter((d: DateTime.Utc) => isStorableDateTime(d) || "Expected a date-time from 4713 BC on")

/** Writes PostgreSQL's own timestamptz text (years beyond 9999 and BC included, which ISO 8601 text is not). @internal */
export const dateTimeToDb = (value: unknown): string => {
  const d = new globalThis.Date(DateTime.toEpochMillis(value as DateTime.Utc))
  const year = d.getUTCFullYear()
  const era = year <= 0 ? " BC" : ""
  return `${pad(year <= 0 ? 1 - year : year, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${
    pad(d.getUTCMinutes())
  }:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+00${era}`
}

/** A Duration an interval holds: finite, and its whole microseconds within 64 bits. @internal */
export const isStorableDuration = (u: unknown): u is Duration.Duration => {
  if (!Duration.isDuration(u) || !Duration.isFinite(u)) return false
  const micros = Duration.toNanosUnsafe(u) / 1000n
  return micros >= INT8_MIN && micros <= INT8_MAX
}

/** @internal */
export const finiteDuration = Schema.makeFilter<Duration.Duration>(
  (d) =>
    !Duration.isFinite(d)
      ? "Expected a finite duration"
      : isStorableDuration(d) || "Expected a duration within 2^63 microseconds (about 292,000 years)"
)

/** Sends a Duration as an interval of whole microseconds. @internal */
export const durationToDb = (value: unknown): string =>
  `${Duration.toNanosUnsafe(value as Duration.Duration) / 1000n} microseconds`

/** An interval as the drivers return it. @internal */
export interface Interval {
  readonly months: number
  readonly days: number
  readonly microseconds: bigint
}

const MICROS_PER_DAY = 86_400_000_000n

/**
 * An interval as a Duration, counted as PostgreSQL's `EXTRACT(EPOCH FROM ...)` does: a year is 365.25 days, a
 * remaining month 30 days. A negative interval (a Duration cannot be) is 0.
 * @internal
 */
export const durationFromDb = (raw: unknown): Duration.Duration => {
  const { days, microseconds, months } = raw as Interval
  const years = BigInt(Math.trunc(months / 12))
  const rest = BigInt(months % 12)
  const micros = years * 31_557_600_000_000n + (rest * 30n + BigInt(days)) * MICROS_PER_DAY + BigInt(microseconds)
  // Negative intervals are durations too (Effect 4's Duration is signed).
  return Duration.micros(micros)
}

/** A primary key usable as a Map key: a BigDecimal key by its normalized text, other objects by their text. @internal */
export const mapKey = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return value
  return BigDecimal.isBigDecimal(value) ? decimalToDb(BigDecimal.normalize(value)) : String(value)
}
