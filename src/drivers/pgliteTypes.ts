/**
 * What the PGlite driver needs to behave as the server driver (`@effect/sql-pg`) does: parsers from PostgreSQL's
 * text output to the values the server driver decodes from its binary format, and the parameter types the server
 * driver infers from JavaScript values.
 * @internal
 */

/** `HH:MM:SS[.ffffff]` (PostgreSQL's `time` output) as microseconds since midnight. @internal */
export const parseTime = (text: string): bigint => {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text)
  if (m === null) throw new Error(`Cannot read time ${JSON.stringify(text)}`)
  const seconds = (BigInt(m[1]!) * 60n + BigInt(m[2]!)) * 60n + BigInt(m[3]!)
  return seconds * 1_000_000n + BigInt((m[4] ?? "").padEnd(6, "0"))
}

// PostgreSQL's text output of timestamps: `2024-03-10 12:34:56.123456+05:30`, years beyond 9999 and ` BC` possible.
const timestampPattern =
  /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?( BC)?$/

/**
 * A timestamp's text as a `Date` (milliseconds, the rest truncated), as the server driver decodes it: a timestamp
 * with time zone at its instant, one without at the UTC fields of its wall-clock time; the infinities are invalid
 * dates.
 * @internal
 */
export const parseTimestamp = (text: string): Date => {
  const m = timestampPattern.exec(text)
  if (m === null) return new Date(Number.NaN)
  let year = Number(m[1])
  if (m[12] !== undefined) year = 1 - year
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"))
  const d = new Date(0)
  d.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]))
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), millis)
  const offsetSeconds = m[8] === undefined
    ? 0
    : (m[8] === "-" ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0))
  return new Date(d.getTime() - offsetSeconds * 1000)
}

// PostgreSQL's default interval output: `1 year 2 mons -3 days +04:05:06.789`.
const intervalUnitPattern = /([+-]?\d+) (year|mon|day)s?/g
const intervalTimePattern = /([+-])?(\d+):(\d{2}):(\d{2})(?:\.(\d+))?$/

/** An interval's text as `{ months, days, microseconds }`, the server driver's shape. @internal */
export const parseInterval = (text: string): { months: number; days: number; microseconds: bigint } => {
  let months = 0
  let days = 0
  let microseconds = 0n
  for (const [, n, unit] of text.matchAll(intervalUnitPattern)) {
    if (unit === "year") months += Number(n) * 12
    else if (unit === "mon") months += Number(n)
    else days += Number(n)
  }
  const t = intervalTimePattern.exec(text)
  if (t !== null) {
    const fraction = BigInt((t[5] ?? "").padEnd(6, "0").slice(0, 6) || "0")
    const time = ((BigInt(t[2]!) * 60n + BigInt(t[3]!)) * 60n + BigInt(t[4]!)) * 1_000_000n + fraction
    microseconds = t[1] === "-" ? -time : time
  }
  return { months, days, microseconds }
}

const identity = (text: string) => text

/** PGlite parsers by type OID. @internal */
export const parsers: Record<number, (text: string) => unknown> = {
  20: (text) => BigInt(text), // int8
  1700: identity, // numeric
  1082: identity, // date
  1083: parseTime, // time
  1114: (text) => parseTimestamp(text), // timestamp
  1184: (text) => parseTimestamp(text), // timestamptz
  1186: parseInterval // interval
}

const INT4_MIN = -2147483648
const INT4_MAX = 2147483647
const arrayOids: Record<number, number> = { 16: 1000, 17: 1001, 20: 1016, 23: 1007, 25: 1009, 701: 1022, 1184: 1185 }

const scalarOid = (value: unknown): number => {
  switch (typeof value) {
    case "boolean":
      return 16
    case "bigint":
      return 20
    case "number":
      if (Number.isInteger(value)) return value >= INT4_MIN && value <= INT4_MAX ? 23 : Number.isSafeInteger(value) ? 20 : 701
      return 701
  }
  if (value instanceof Date) return 1184
  if (value instanceof Uint8Array) return 17
  // Strings and NULL have no type of their own: PostgreSQL infers it from the statement.
  return 0
}

/**
 * The parameter type OIDs the server driver gives these values: `bigint` is int8, a number int4 (int8 beyond it,
 * float8 when fractional), a string is left for PostgreSQL to infer, an array names its element type (a string array
 * is text[]).
 * @internal
 */
export const inferParameterTypes = (params: ReadonlyArray<unknown>): Array<number> =>
  params.map((value) => {
    if (!Array.isArray(value)) return scalarOid(value)
    let element: number | undefined
    for (const item of value) {
      if (item === null || item === undefined) continue
      const oid = scalarOid(item) || 25
      if (element === undefined) element = oid
      else if (element !== oid) return 0
    }
    return element === undefined ? 0 : arrayOids[element] ?? 0
  })
