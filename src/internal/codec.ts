/**
 * Conversions between what PostgreSQL drivers send (text for int8, numeric, date, timestamptz, interval) and the
 * Effect values the fields hold. The drivers are configured to pass these types through as text, so both drivers
 * hand the same input to these functions.
 * @internal
 */
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"

/** @internal */
export const INT8_MIN = -(2n ** 63n)
/** @internal */
export const INT8_MAX = 2n ** 63n - 1n
/** @internal */
export const isInt8 = (u: unknown): u is bigint => typeof u === "bigint" && u >= INT8_MIN && u <= INT8_MAX

/** Text PostgreSQL can store: anything but the NUL character. @internal */
export const Text = Schema.String.pipe(
  Schema.filter((s) => !s.includes("\u0000") || "Text cannot contain the NUL character")
)

/** At most `max` characters, counted as PostgreSQL's varchar does (code points, so an emoji is one). @internal */
export const maxCharacters = (max: number) =>
  Schema.filter<Schema.Schema<string>>((s) => {
    let n = 0
    for (const _ of s) if (++n > max) return `Expected at most ${max} characters, got ${[...s].length}`
    return true
  })

/** @internal */
export const bigintFromDb = (raw: unknown): bigint => (typeof raw === "bigint" ? raw : BigInt(raw as string))

/** @internal */
export const decimalFromDb = (raw: unknown): BigDecimal.BigDecimal =>
  BigDecimal.unsafeFromString(typeof raw === "string" ? raw : String(raw))

/** @internal */
export const decimalToDb = (value: unknown): string => BigDecimal.format(value as BigDecimal.BigDecimal)

/** Counts whole and fractional digits the way Django's DecimalValidator does. @internal */
export const decimalShape = (value: BigDecimal.BigDecimal): { readonly whole: number; readonly decimals: number } => {
  const n = BigDecimal.normalize(value)
  const digits = (n.value < 0n ? -n.value : n.value).toString().length
  if (n.value === 0n) return { whole: 0, decimals: 0 }
  return n.scale >= 0
    ? { whole: Math.max(digits - n.scale, 0), decimals: n.scale }
    : { whole: digits - n.scale, decimals: 0 }
}

/** Refinement: at most `maxDigits` digits, of which at most `decimalPlaces` after the point. @internal */
export const decimalDigits = (maxDigits: number, decimalPlaces: number) =>
  Schema.filter<Schema.Schema<BigDecimal.BigDecimal>>((value) => {
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

/** @internal */
export const IsoDate = Schema.String.pipe(
  Schema.filter(isIsoDate, { message: () => "Expected a date written YYYY-MM-DD" })
).annotations({ identifier: "IsoDate" })

const isoTimePattern = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,6})?$/

/** @internal */
export const isIsoTime = (u: unknown): u is string => typeof u === "string" && (isoTimePattern.test(u) || u === "24:00:00")

/** @internal */
export const IsoTime = Schema.String.pipe(
  Schema.filter(isIsoTime, { message: () => "Expected a time written HH:MM:SS[.ffffff]" })
).annotations({ identifier: "IsoTime" })

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** @internal */
export const isUuid = (u: unknown): u is string => typeof u === "string" && uuidPattern.test(u)

/** @internal */
export const isUtc = (u: unknown): u is DateTime.Utc => DateTime.isDateTime(u) && DateTime.isUtc(u)

// PostgreSQL's text output of timestamptz: `2024-03-10 12:34:56.123456+05:30`, years beyond 9999 and ` BC` possible.
const timestamptzPattern = /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?( BC)?$/

/** Parses PostgreSQL's timestamptz text (any session time zone) into a UTC DateTime. @internal */
export const dateTimeFromDb = (raw: unknown): DateTime.Utc => {
  if (raw instanceof globalThis.Date) return DateTime.unsafeMake(raw)
  const m = timestamptzPattern.exec(raw as string)
  if (m === null) throw new Error(`Cannot read timestamp ${JSON.stringify(raw)}`)
  let year = Number(m[1])
  if (m[12] !== undefined) year = 1 - year
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"))
  const d = new globalThis.Date(0)
  d.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]))
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), millis)
  const offsetSeconds = m[8] === undefined
    ? 0
    : (m[8] === "-" ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0))
  return DateTime.unsafeMake(d.getTime() - offsetSeconds * 1000)
}

// PostgreSQL's timestamptz starts at 4713 BC (year -4712 counted astronomically).
const MIN_TIMESTAMP_YEAR = -4712

/** A DateTime.Utc within PostgreSQL's timestamptz range. @internal */
export const isStorableDateTime = (u: unknown): u is DateTime.Utc =>
  isUtc(u) && new globalThis.Date(DateTime.toEpochMillis(u)).getUTCFullYear() >= MIN_TIMESTAMP_YEAR

/** @internal */
export const StorableDateTime = Schema.DateTimeUtcFromSelf.pipe(
  Schema.filter((d) => isStorableDateTime(d) || "Expected a date-time from 4713 BC on")
)

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** Writes PostgreSQL's own timestamptz text (years beyond 9999 and BC included, which ISO 8601 text is not). @internal */
export const dateTimeToDb = (value: unknown): string => {
  const d = new globalThis.Date(DateTime.toEpochMillis(value as DateTime.Utc))
  const year = d.getUTCFullYear()
  const era = year <= 0 ? " BC" : ""
  return `${pad(year <= 0 ? 1 - year : year, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${
    pad(d.getUTCMinutes())
  }:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+00${era}`
}

/** @internal */
export const finiteDuration = Schema.filter<Schema.Schema<Duration.Duration>>(
  (d) => Duration.isFinite(d) || "Expected a finite duration"
)

/** Sends a Duration as an interval of whole microseconds. @internal */
export const durationToDb = (value: unknown): string =>
  `${Duration.unsafeToNanos(value as Duration.Duration) / 1000n} microseconds`

// PostgreSQL's default interval output: `1 year 2 mons -3 days +04:05:06.789`.
const intervalUnitPattern = /([+-]?\d+) (year|mon|day)s?/g
const intervalTimePattern = /([+-])?(\d+):(\d{2}):(\d{2})(?:\.(\d+))?$/

/** Parses PostgreSQL's interval text into a Duration (a month counts 30 days, a year 365.25, as in EXTRACT(EPOCH)). @internal */
export const durationFromDb = (raw: unknown): Duration.Duration => {
  const text = raw as string
  let days = 0n
  let micros = 0n
  for (const [, n, unit] of text.matchAll(intervalUnitPattern)) {
    const v = BigInt(n!)
    if (unit === "year") micros += v * 31_557_600_000_000n
    else if (unit === "mon") days += v * 30n
    else days += v
  }
  const t = intervalTimePattern.exec(text)
  if (t !== null) {
    const fraction = BigInt((t[5] ?? "").padEnd(6, "0").slice(0, 6) || "0")
    const time = ((BigInt(t[2]!) * 60n + BigInt(t[3]!)) * 60n + BigInt(t[4]!)) * 1_000_000n + fraction
    micros += t[1] === "-" ? -time : time
  }
  micros += days * 86_400_000_000n
  return Duration.micros(micros < 0n ? 0n : micros)
}

/** A primary key usable as a Map key: objects (a BigDecimal key) compare by their text. @internal */
export const mapKey = (value: unknown): unknown => typeof value === "object" && value !== null ? String(value) : value
