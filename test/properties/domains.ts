/**
 * The values each field kind can store, as the property tests' reference sees them (see reference.ts): integer
 * ranges, well-formed text, real dates and times, decimals within numeric's range, durations, JSON that jsonb stores.
 */
import { BigDecimal, DateTime, Duration } from "effect"

// ---- value domains ----

export const INT4: readonly [number, number] = [-2147483648, 2147483647]
export const INT2: readonly [number, number] = [-32768, 32767]
export const INT8_MIN = -(2n ** 63n)
export const INT8_MAX = 2n ** 63n - 1n

const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed()

/** Text PostgreSQL stores exactly: no NUL, no lone surrogate. */
export const textOk = (u: unknown): u is string => typeof u === "string" && !u.includes("\u0000") && isWellFormed(u)

const daysInMonth = (y: number, m: number) =>
  m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31

/** A calendar date written YYYY-MM-DD, years 0001 to 9999. */
export const isoDateOk = (u: unknown): u is string => {
  if (typeof u !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(u)) return false
  const [y, m, d] = u.split("-").map(Number) as [number, number, number]
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m)
}

export const isoTimeOk = (u: unknown): u is string =>
  typeof u === "string" && (/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?$/.test(u) || u === "24:00:00")

export const uuidOk = (u: unknown): u is string =>
  typeof u === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(u)

/** Whole and fractional digits of a decimal, trailing zeros ignored. */
export const decimalDigits = (d: BigDecimal.BigDecimal): { readonly whole: number; readonly decimals: number } => {
  let value = d.value
  let scale = d.scale
  if (value === 0n) return { whole: 0, decimals: 0 }
  while (value % 10n === 0n) {
    value /= 10n
    scale -= 1
  }
  const digits = (value < 0n ? -value : value).toString().length
  return scale >= 0 ? { whole: Math.max(digits - scale, 0), decimals: scale } : { whole: digits - scale, decimals: 0 }
}

/** PostgreSQL's numeric: up to 131,072 digits before the point and 16,383 after. */
export const storableDecimal = (u: unknown): u is BigDecimal.BigDecimal => {
  if (!BigDecimal.isBigDecimal(u)) return false
  const { decimals, whole } = decimalDigits(u)
  return whole <= 131072 && decimals <= 16383
}

/** A DateTime.Utc within timestamptz's range as the ORM writes it (from 4713 BC). */
export const dateTimeOk = (u: unknown): u is DateTime.Utc =>
  DateTime.isDateTime(u) && DateTime.isUtc(u) && new Date(DateTime.toEpochMillis(u)).getUTCFullYear() >= -4712

/** The microseconds a Duration is stored as (truncated towards zero). */
export const durationMicros = (d: Duration.Duration): bigint => Duration.toNanosUnsafe(d) / 1000n

/** A finite Duration whose microseconds fit an interval (64 bits). */
export const durationOk = (u: unknown): u is Duration.Duration => {
  if (!Duration.isDuration(u) || !Duration.isFinite(u)) return false
  const micros = durationMicros(u)
  return micros >= INT8_MIN && micros <= INT8_MAX
}

/** The deepest nesting of containers the ORM accepts in a JSON value (deeper would overflow JSON.stringify). */
export const MAX_JSON_DEPTH = 1000

/**
 * JSON that jsonb holds exactly: plain objects and arrays, finite numbers, text PostgreSQL stores, no cycle, at most
 * MAX_JSON_DEPTH containers deep.
 */
export const jsonOk = (u: unknown, seen: Set<object> = new Set()): boolean => {
  if (u === null || typeof u === "boolean") return true
  if (typeof u === "number") return Number.isFinite(u)
  if (typeof u === "string") return textOk(u)
  if (typeof u !== "object") return false
  if (seen.has(u)) return false
  if (seen.size >= MAX_JSON_DEPTH) return false
  seen.add(u)
  try {
    if (Array.isArray(u)) {
      for (let i = 0; i < u.length; i++) if (!(i in u) || !jsonOk(u[i], seen)) return false
      return true
    }
    const proto = Object.getPrototypeOf(u)
    if (proto !== Object.prototype && proto !== null) return false
    for (const key of Object.keys(u)) {
      if (!textOk(key)) return false
      const item = (u as Record<string, unknown>)[key]
      if (item !== undefined && !jsonOk(item, seen)) return false
    }
    return true
  } finally {
    seen.delete(u)
  }
}

/** What a JSON value is once stored: JSON.stringify's output parsed back (`undefined` members dropped, -0 is 0). */
export const jsonNormal = (u: unknown): unknown => JSON.parse(JSON.stringify(u))

export const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const bb = b as Array<unknown>
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]))
  }
  const ka = Object.keys(a), kb = Object.keys(b)
  return ka.length === kb.length &&
    ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual((a as any)[k], (b as any)[k]))
}
