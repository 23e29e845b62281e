/**
 * A reference for `F` expressions: which ones PostgreSQL can compute (their kinds, written from PostgreSQL's operator
 * catalog), and what they compute for a row, with PostgreSQL's types and errors:
 *
 * - integer literals within 32 bits are int4, larger safe integers and bigints int8, other numbers float8,
 *   BigDecimals numeric; smallint op smallint is smallint, int op int the wider int, int op numeric numeric, anything
 *   op float8 float8; integer division truncates; overflow is SQLSTATE 22003, division by zero 22012;
 * - float8 follows PostgreSQL's checks: an infinite result of finite operands and a zero product or quotient of
 *   non-zero finite operands are errors (22003), x / 0 is 22012 unless x is NaN;
 * - assignment rounds: float8 to an integer half to even (rint), numeric to an integer or to numeric(12, 4) half away
 *   from zero; out of the column's range is 22003; a float8 NaN assigned to numeric(12, 4) is stored as numeric NaN,
 *   which a Decimal cannot hold (the row then reads as a DecodeError);
 * - durations are microseconds; timestamp ± interval is exact, out of PostgreSQL's range 22008, beyond JavaScript's
 *   Date range (275760 AD) stored but unreadable (DecodeError); date ± interval is a timestamp, a date again when
 *   assigned (floor); time ± interval wraps around midnight.
 *
 * Results the reference does not model are "?" (numeric division, interval × number, float8 → numeric(12, 4),
 * conversions that depend on the session's time zone): the property then only checks the outcome is typed.
 */
import { BigDecimal, DateTime, Duration } from "effect"
import fc from "fast-check"
import { F } from "../../src/index.js"
import { hostile, name as nameArb } from "./arbitraries.js"
import * as Ref from "./reference.js"

export type Op = "+" | "-" | "*" | "/"
export type E =
  | { readonly _tag: "ref"; readonly field: unknown }
  | { readonly _tag: "value"; readonly value: unknown }
  | { readonly _tag: "bin"; readonly op: Op; readonly left: E; readonly right: E }

const METHOD: Record<Op, "add" | "sub" | "mul" | "div"> = { "+": "add", "-": "sub", "*": "mul", "/": "div" }

/** The `F(...)` expression of a tree (the left of an operation is an expression; see `exprArb`). */
export const toF = (e: E): any => {
  switch (e._tag) {
    case "ref":
      return F(e.field as string)
    case "value":
      return e.value
    case "bin":
      return toF(e.left)[METHOD[e.op]](toF(e.right))
  }
}

// ---- kinds ----

export type Kind = "numeric" | "duration" | "datetime" | "date" | "time" | "string" | "boolean" | "uuid" | "json"

const fieldKind = (def: Ref.FieldDef): Kind => {
  switch (def.kind) {
    case "int":
    case "bigint":
    case "float":
    case "decimal":
      return "numeric"
    default:
      return def.kind
  }
}

export const fieldOf = (name: unknown): string | undefined =>
  typeof name === "string" ? (name === "pk" ? "id" : Object.prototype.hasOwnProperty.call(Ref.ROW.fields, name) ? name : undefined) : undefined

/** The field an `F` reference reads: a forward relation by name (`F("owner")`) is its key column, as in Django. */
const refField = (name: unknown): string | undefined => name === "owner" ? "ownerId" : fieldOf(name)

/** The kind of an operand value, or undefined when it cannot be one. */
export const valueKind = (u: unknown): Kind | undefined => {
  if (typeof u === "number") return Number.isFinite(u) ? "numeric" : undefined
  if (typeof u === "bigint") return u >= Ref.INT8_MIN && u <= Ref.INT8_MAX ? "numeric" : undefined
  if (BigDecimal.isBigDecimal(u)) return Ref.storableDecimal(u) ? "numeric" : undefined
  if (Duration.isDuration(u)) return Ref.durationOk(u) ? "duration" : undefined
  return undefined
}

const POINTS: ReadonlyArray<Kind> = ["datetime", "date", "time"]

/** What PostgreSQL's operators give (`date - date` is an integer, which no field takes: refused). */
const binaryKind = (op: Op, l: Kind, r: Kind): Kind | undefined => {
  if (l === "numeric" && r === "numeric") return "numeric"
  if (op === "+" || op === "-") {
    if (l === "duration" && r === "duration") return "duration"
    if (POINTS.includes(l) && r === "duration") return l
    if (op === "+" && l === "duration" && POINTS.includes(r)) return r
    if (op === "-" && l === r && (l === "datetime" || l === "time")) return "duration"
    return undefined
  }
  if (l === "duration" && r === "numeric") return "duration"
  if (op === "*" && l === "numeric" && r === "duration") return "duration"
  return undefined
}

/** The kind of an expression, or undefined when the ORM must refuse it. */
export const kindOf = (e: E): Kind | undefined => {
  switch (e._tag) {
    case "ref": {
      const field = refField(e.field)
      return field === undefined ? undefined : fieldKind(Ref.ROW.fields[field]!)
    }
    case "value":
      return valueKind(e.value)
    case "bin": {
      const l = kindOf(e.left), r = kindOf(e.right)
      return l === undefined || r === undefined ? undefined : binaryKind(e.op, l, r)
    }
  }
}

/** Whether an expression of kind `k` can be compared with, or assigned to, a column of kind `target`. */
export const fits = (target: Kind, k: Kind): boolean =>
  target === k || (target === "datetime" && k === "date") || (target === "date" && k === "datetime")

export const columnKind = (field: string): Kind => fieldKind(Ref.ROW.fields[field === "pk" ? "id" : field]!)

// ---- values, as PostgreSQL computes them ----

type IntType = "int2" | "int4" | "int8"
export type V =
  | { readonly t: IntType; readonly v: bigint }
  | { readonly t: "float8"; readonly v: number }
  | { readonly t: "numeric"; readonly v: BigDecimal.BigDecimal }
  /** Microseconds (timestamps since the Unix epoch, times since midnight), or days since the epoch for dates. */
  | { readonly t: "interval" | "timestamptz" | "timestamp" | "time" | "date"; readonly v: bigint }
  | { readonly t: "text" | "boolean" | "uuid" | "json"; readonly v: unknown }

export type R = V | null | "?" | { readonly error: string }

const isError = (r: R): r is { readonly error: string } => typeof r === "object" && r !== null && "error" in r
const err = (code: string): R => ({ error: code })
export const errorOf = (r: R): string | undefined => (isError(r) ? r.error : undefined)

const RANGES: Record<IntType, readonly [bigint, bigint]> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [Ref.INT8_MIN, Ref.INT8_MAX]
}
const DAY = 86_400_000_000n
/** PostgreSQL's timestamp range (4714-11-24 BC to 294277 AD, exclusive), in microseconds since the Unix epoch. */
const MIN_TIMESTAMP = -211813488000000000n + 946684800000000n
const END_TIMESTAMP = 9223371331200000000n + 946684800000000n
const JS_MAX_MS = 8_640_000_000_000_000n

const daysOf = (ymd: Ref.Ymd): bigint => {
  const d = new Date(0)
  d.setUTCFullYear(ymd[0], ymd[1] - 1, ymd[2])
  return BigInt(d.getTime() / 86_400_000)
}

/** A column's value in a row (the reference's normal values). */
const column = (field: string, row: Ref.Rec): R => {
  const v = row[field]
  if (v === null) return null
  switch (field) {
    case "small":
      return { t: "int2", v: BigInt(v as number) }
    case "n":
    case "id":
    case "ownerId":
      return { t: "int4", v: BigInt(v as number) }
    case "big":
      return { t: "int8", v: v as bigint }
    case "ratio":
      return { t: "float8", v: v as number }
    case "price":
      return { t: "numeric", v: v as BigDecimal.BigDecimal }
    case "span":
      return { t: "interval", v: v as bigint }
    case "at":
      return { t: "timestamptz", v: BigInt(v as number) * 1000n }
    case "day":
      return { t: "date", v: daysOf(v as Ref.Ymd) }
    case "time":
      return { t: "time", v: BigInt(v as number) }
    case "title":
    case "body":
      return { t: "text", v }
    case "flag":
      return { t: "boolean", v: v === 1 }
    case "uuid":
      return { t: "uuid", v }
    case "doc":
      return { t: "json", v }
  }
  throw new Error(`no column ${field}`)
}

const literal = (u: unknown): R => {
  if (typeof u === "number") {
    if (Number.isInteger(u) && Math.abs(u) <= 2147483647) return { t: "int4", v: BigInt(u) }
    return Number.isSafeInteger(u) ? { t: "int8", v: BigInt(u) } : { t: "float8", v: u }
  }
  if (typeof u === "bigint") return { t: "int8", v: u }
  if (BigDecimal.isBigDecimal(u)) return { t: "numeric", v: u }
  if (Duration.isDuration(u)) return { t: "interval", v: Ref.durationMicros(u) }
  throw new Error("not an operand")
}

// numeric arithmetic on BigDecimals
const align = (a: BigDecimal.BigDecimal, b: BigDecimal.BigDecimal) => {
  const scale = Math.max(a.scale, b.scale)
  return [a.value * 10n ** BigInt(scale - a.scale), b.value * 10n ** BigInt(scale - b.scale), scale] as const
}
export const decimalOf = (v: bigint): BigDecimal.BigDecimal => BigDecimal.make(v, 0)
const decimalString = (d: BigDecimal.BigDecimal): string => {
  if (d.scale <= 0) return (d.value * 10n ** BigInt(-d.scale)).toString()
  const negative = d.value < 0n
  const digits = (negative ? -d.value : d.value).toString().padStart(d.scale + 1, "0")
  return `${negative ? "-" : ""}${digits.slice(0, -d.scale)}.${digits.slice(-d.scale)}`
}
const toFloat = (x: V): number =>
  x.t === "float8" ? x.v : x.t === "numeric" ? Number(decimalString(x.v)) : Number(x.v as bigint)

/** Rounds half away from zero to `scale` places. */
export const roundDecimal = (d: BigDecimal.BigDecimal, scale: number): BigDecimal.BigDecimal => {
  if (d.scale <= scale) return BigDecimal.make(d.value * 10n ** BigInt(scale - d.scale), scale)
  const p = 10n ** BigInt(d.scale - scale)
  let q = d.value / p
  const r = d.value % p
  if ((r < 0n ? -r : r) * 2n >= p) q += d.value < 0n ? -1n : 1n
  return BigDecimal.make(q, scale)
}

/** float8 rounded half to even (C's rint). */
export const rint = (x: number): number => {
  if (!Number.isFinite(x)) return x
  const f = Math.floor(x), d = x - f
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1
}

const isInf = (x: number) => x === Infinity || x === -Infinity

const floatOp = (op: Op, x: number, y: number): R => {
  let r: number
  switch (op) {
    case "+":
      r = x + y
      if (isInf(r) && !isInf(x) && !isInf(y)) return err("22003")
      break
    case "-":
      r = x - y
      if (isInf(r) && !isInf(x) && !isInf(y)) return err("22003")
      break
    case "*":
      r = x * y
      if (isInf(r) && !isInf(x) && !isInf(y)) return err("22003")
      if (r === 0 && x !== 0 && y !== 0) return err("22003")
      break
    case "/":
      if (y === 0 && !Number.isNaN(x)) return err("22012")
      r = x / y
      if (isInf(r) && !isInf(x)) return err("22003")
      if (r === 0 && x !== 0 && !isInf(y)) return err("22003")
      break
  }
  return { t: "float8", v: r }
}

const numericType = (a: V, b: V): V["t"] =>
  a.t === "float8" || b.t === "float8"
    ? "float8"
    : a.t === "numeric" || b.t === "numeric"
    ? "numeric"
    : a.t === "int8" || b.t === "int8"
    ? "int8"
    : a.t === "int2" && b.t === "int2"
    ? "int2"
    : "int4"

const NUMERIC = ["int2", "int4", "int8", "float8", "numeric"]

const arithmetic = (op: Op, a: V, b: V): R => {
  if (NUMERIC.includes(a.t) && NUMERIC.includes(b.t)) {
    const t = numericType(a, b)
    if (t === "float8") return floatOp(op, toFloat(a), toFloat(b))
    if (t === "numeric") {
      const x = a.t === "numeric" ? a.v : decimalOf(a.v as bigint)
      const y = b.t === "numeric" ? b.v : decimalOf(b.v as bigint)
      const [p, q, scale] = align(x, y)
      switch (op) {
        case "+":
          return { t, v: BigDecimal.make(p + q, scale) }
        case "-":
          return { t, v: BigDecimal.make(p - q, scale) }
        case "*":
          return { t, v: BigDecimal.make(x.value * y.value, x.scale + y.scale) }
        case "/":
          return q === 0n ? err("22012") : "?"
      }
    }
    const x = a.v as bigint, y = b.v as bigint
    let r: bigint
    switch (op) {
      case "+":
        r = x + y
        break
      case "-":
        r = x - y
        break
      case "*":
        r = x * y
        break
      case "/":
        if (y === 0n) return err("22012")
        r = x / y
        break
    }
    const [min, max] = RANGES[t as IntType]
    return r < min || r > max ? err("22003") : { t: t as IntType, v: r }
  }
  const additive = op === "+" || op === "-"
  const sign = op === "-" ? -1n : 1n
  if (additive && a.t === "interval" && b.t === "interval") {
    const r = a.v + sign * b.v
    return r < Ref.INT8_MIN || r > Ref.INT8_MAX ? err("22008") : { t: "interval", v: r }
  }
  // A sum beyond 64 bits wraps around on PostgreSQL 15 and is an error from 16 on: unknown to the reference.
  const point = (t: "timestamptz" | "timestamp", micros: bigint): R =>
    BigInt.asIntN(64, micros - 946684800000000n) !== micros - 946684800000000n
      ? "?"
      : micros < MIN_TIMESTAMP || micros >= END_TIMESTAMP
      ? err("22008")
      : { t, v: micros }
  if (additive && (a.t === "timestamptz" || a.t === "date") && b.t === "interval") {
    return point(a.t === "date" ? "timestamp" : "timestamptz", (a.t === "date" ? a.v * DAY : a.v) + sign * b.v)
  }
  if (op === "+" && a.t === "interval" && (b.t === "timestamptz" || b.t === "date")) {
    return point(b.t === "date" ? "timestamp" : "timestamptz", (b.t === "date" ? b.v * DAY : b.v) + a.v)
  }
  // time ± interval: PostgreSQL adds in 64 bits, wrapping around (it is compiled with -fwrapv), then modulo a day.
  const wrap = (sum: bigint): R => {
    const micros = BigInt.asIntN(64, sum)
    let r = micros - (micros / DAY) * DAY
    if (r < 0n) r += DAY
    return { t: "time", v: r }
  }
  if (additive && a.t === "time" && b.t === "interval") return wrap(a.v + sign * b.v)
  if (op === "+" && a.t === "interval" && b.t === "time") return wrap(b.v + a.v)
  if (op === "-" && a.t === b.t && (a.t === "timestamptz" || a.t === "time")) return { t: "interval", v: (a.v as bigint) - (b.v as bigint) }
  // interval × number, interval / number, and whatever the reference does not model.
  return "?"
}

/** The value of an expression for a row (arguments are evaluated before an operator sees NULL: errors win). */
export const evaluate = (e: E, row: Ref.Rec): R => {
  switch (e._tag) {
    case "ref":
      return column(refField(e.field)!, row)
    case "value":
      return literal(e.value)
    case "bin": {
      const a = evaluate(e.left, row), b = evaluate(e.right, row)
      if (isError(a)) return a
      if (isError(b)) return b
      if (a === null || b === null) return null
      if (a === "?" || b === "?") return "?"
      return arithmetic(e.op, a, b)
    }
  }
}

/** A value as stored in (and read back from) a column, after PostgreSQL's assignment cast. */
export type Stored = { readonly value: unknown } | null | "?" | "undecodable" | { readonly error: string }

const fromFloatToInt = (x: number, t: IntType): Stored => {
  const r = rint(x)
  if (Number.isNaN(r)) return { error: "22003" }
  const [min, max] = RANGES[t]
  if (t === "int8") return r >= -(2 ** 63) && r < 2 ** 63 ? { value: BigInt(r) } : { error: "22003" }
  return r >= Number(min) && r <= Number(max) ? { value: r === 0 ? 0 : r } : { error: "22003" }
}

const intOf = (v: V, t: IntType): Stored => {
  if (v.t === "float8") return fromFloatToInt(v.v, t)
  let n: bigint
  if (v.t === "numeric") n = roundDecimal(v.v, 0).value
  else if (v.t === "int2" || v.t === "int4" || v.t === "int8") n = v.v
  else return "?"
  const [min, max] = RANGES[t]
  if (n < min || n > max) return { error: "22003" }
  return { value: t === "int8" ? n : Number(n) }
}

const formatTime = (micros: bigint): string => {
  const s = micros / 1_000_000n, f = micros % 1_000_000n
  const p = (x: bigint) => String(x).padStart(2, "0")
  const text = `${p(s / 3600n)}:${p((s / 60n) % 60n)}:${p(s % 60n)}`
  return f === 0n ? text : `${text}.${String(f).padStart(6, "0").replace(/0+$/, "")}`
}

const formatDays = (days: bigint): string | undefined => {
  const d = new Date(Number(days) * 86_400_000)
  const y = d.getUTCFullYear()
  if (!Number.isFinite(d.getTime()) || y < 1 || y > 9999) return undefined
  return `${String(y).padStart(4, "0")}-${String(d.getUTCMonth() + 1).padStart(2, "0")}-${String(d.getUTCDate()).padStart(2, "0")}`
}

const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b))

/**
 * What a column holds (as the ORM reads it) once assigned `r`. A Date outside 0001-9999 is "undecodable": PostgreSQL
 * holds it, the Date field does not (a DecodeError on reading).
 */
export const store = (target: string, r: R): Stored => {
  if (r === null || r === "?") return r
  if (isError(r)) return r
  switch (target) {
    case "n":
      return intOf(r, "int4")
    case "small":
      return intOf(r, "int2")
    case "big":
      return intOf(r, "int8")
    case "ratio":
      return r.t === "float8" || r.t === "numeric" || r.t === "int2" || r.t === "int4" || r.t === "int8"
        ? { value: toFloat(r) }
        : "?"
    case "price": {
      if (r.t === "float8") return Number.isNaN(r.v) ? "undecodable" : isInf(r.v) ? { error: "22003" } : "?"
      const d = r.t === "numeric" ? r.v : r.t === "int2" || r.t === "int4" || r.t === "int8" ? decimalOf(r.v) : undefined
      if (d === undefined) return "?"
      const rounded = roundDecimal(d, 4)
      return Ref.decimalDigits(rounded).whole > 8 ? { error: "22003" } : { value: rounded }
    }
    case "span":
      return r.t === "interval" ? { value: Duration.micros(r.v) } : "?"
    case "at": {
      if (r.t !== "timestamptz") return "?"
      // Read back with millisecond precision, the rest truncated towards the past, on every driver.
      const ms = floorDiv(r.v, 1000n)
      return ms < -JS_MAX_MS || ms > JS_MAX_MS ? "undecodable" : { value: DateTime.makeUnsafe(Number(ms)) }
    }
    case "day": {
      const days = r.t === "date" ? r.v : r.t === "timestamp" ? floorDiv(r.v, DAY) : undefined
      if (days === undefined) return "?"
      const text = formatDays(days)
      return text === undefined ? "undecodable" : { value: text }
    }
    case "time":
      return r.t === "time" ? { value: formatTime(r.v) } : "?"
    case "title":
      return r.t === "text" ? ([...(r.v as string)].length > 40 ? { error: "22001" } : { value: r.v }) : "?"
    case "body":
    case "flag":
    case "uuid":
      return "v" in r ? { value: r.v } : "?"
    case "doc":
      return r.t === "json" ? { value: r.v } : "?"
  }
  return "?"
}

/** Compares a column's value with an expression's, as PostgreSQL would (through float8 when either is one). */
export const compareWith = (field: string, row: Ref.Rec, r: R): number | null | "?" => {
  const c = column(field === "pk" ? "id" : field, row)
  if (c === null || r === null) return null
  if (r === "?" || c === "?" || isError(r) || isError(c)) return "?"
  const s = (x: bigint, y: bigint) => (x < y ? -1 : x > y ? 1 : 0)
  if (NUMERIC.includes(c.t) && NUMERIC.includes(r.t)) {
    const t = numericType(c, r)
    if (t === "float8") return Ref.floatCompare(toFloat(c), toFloat(r))
    if (t === "numeric") {
      const x = c.t === "numeric" ? c.v : decimalOf(c.v as bigint), y = r.t === "numeric" ? r.v : decimalOf(r.v as bigint)
      return Ref.decimalCompare(x, y)
    }
    return s(c.v as bigint, r.v as bigint)
  }
  if (c.t === r.t && ["interval", "timestamptz", "time", "date"].includes(c.t)) return s(c.v as bigint, r.v as bigint)
  if (c.t === "date" && r.t === "timestamp") return s((c.v as bigint) * DAY, r.v as bigint)
  if (c.t === "text" && r.t === "text") {
    return Ref.hasCodePointCollation() ? Ref.codePointCompare(c.v as string, r.v as string) : c.v === r.v ? 0 : "?"
  }
  if (c.t === "boolean" && r.t === "boolean") return s(c.v ? 1n : 0n, r.v ? 1n : 0n)
  if (c.t === "uuid" && r.t === "uuid") return c.v === r.v ? 0 : (c.v as string) < (r.v as string) ? -1 : 1
  // JSON has `exact` only: equal or not.
  if (c.t === "json" && r.t === "json") return Ref.jsonEqual(c.v, r.v) ? 0 : 1
  // A date against a timestamptz (and the reverse) depends on the session's time zone.
  return "?"
}

// ---- generators ----

export const NUMERIC_FIELDS = ["n", "small", "big", "ratio", "price", "id", "ownerId", "pk"]

const numberOperand = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -100, max: 100 }) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(2147483647, -2147483648, 2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER, 0, -0) },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }) },
  { weight: 1, arbitrary: fc.constantFrom(0.5, 1.5, -2.5, 1e-300, 1e300, Number.MAX_VALUE, Number.MIN_VALUE) },
  { weight: 2, arbitrary: fc.bigInt({ min: -1000n, max: 1000n }) },
  { weight: 1, arbitrary: fc.constantFrom(Ref.INT8_MAX, Ref.INT8_MIN, 2n ** 40n) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.bigInt({ min: -(10n ** 10n), max: 10n ** 10n }), fc.integer({ min: -3, max: 6 })).map(([v, s]) => BigDecimal.make(v, s))
  },
  // Beyond numeric's range: refused before SQL.
  { weight: 1, arbitrary: fc.constantFrom(BigDecimal.make(1n, -200_000), BigDecimal.make(1n, 20_000)) }
)

/** Durations for arithmetic on points in time: small enough that PostgreSQL's 64-bit sums cannot wrap around. */
export const durationOperand = fc.oneof(
  { weight: 3, arbitrary: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }).map((n) => Duration.micros(n)) },
  { weight: 2, arbitrary: fc.integer({ min: -1000, max: 1000 }).map((d) => Duration.days(d)) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(5n * 10n ** 17n), max: 5n * 10n ** 17n }).map((n) => Duration.micros(n)) },
  { weight: 1, arbitrary: fc.constantFrom(Duration.zero, Duration.micros(1n), Duration.millis(-1), Duration.days(365 * 3000), Duration.micros(2n ** 63n)) }
)

const ref = (fields: ReadonlyArray<string>): fc.Arbitrary<E> => fc.constantFrom(...fields).map((field) => ({ _tag: "ref", field }))
const value = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<E> => arb.map((v) => ({ _tag: "value", value: v }))

/** `F(a) op x [op y]`, the left always an expression. */
const chain = (start: fc.Arbitrary<E>, right: fc.Arbitrary<E>, ops: ReadonlyArray<Op>): fc.Arbitrary<E> =>
  fc.tuple(start, fc.array(fc.tuple(fc.constantFrom(...ops), right), { maxLength: 2 }))
    .map(([first, rest]) => rest.reduce<E>((left, [op, r]) => ({ _tag: "bin", op, left, right: r }), first))

/** Expressions of the kind of `target`, mostly computable, for the semantic properties. */
export const exprFor = (target: string): fc.Arbitrary<E> => {
  const k = columnKind(target)
  switch (k) {
    case "numeric":
      return chain(ref(NUMERIC_FIELDS), fc.oneof({ weight: 4, arbitrary: value(numberOperand) }, { weight: 1, arbitrary: ref(NUMERIC_FIELDS) }), ["+", "-", "*", "/"])
    case "duration":
      return fc.oneof(
        chain(ref(["span"]), fc.oneof({ weight: 4, arbitrary: value(durationOperand) }, { weight: 1, arbitrary: ref(["span"]) }), ["+", "-"]),
        chain(ref(["span"]), value(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -3, max: 3, noNaN: true }))), ["*", "/"]),
        fc.constantFrom<E>(
          { _tag: "bin", op: "-", left: { _tag: "ref", field: "at" }, right: { _tag: "ref", field: "at" } },
          { _tag: "bin", op: "-", left: { _tag: "ref", field: "time" }, right: { _tag: "ref", field: "time" } }
        )
      )
    case "datetime":
    case "date":
    case "time": {
      const self = k === "datetime" ? "at" : k === "date" ? "day" : "time"
      return chain(ref([self]), fc.oneof({ weight: 5, arbitrary: value(durationOperand) }, { weight: 1, arbitrary: ref(["span"]) }), ["+", "-"])
    }
    default:
      return ref(target === "title" || target === "body" ? ["title", "body"] : [target])
  }
}

/** Anything at all: names of every sort, operands of every type, any operator; mostly refused. */
export const anyExpr: fc.Arbitrary<E> = fc.letrec<{ e: E; operand: E }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    fc.oneof(ref(Object.keys(Ref.ROW.fields)), nameArb.map((field): E => ({ _tag: "ref", field }))),
    fc.tuple(fc.constantFrom<Op>("+", "-", "*", "/"), tie("e"), tie("operand")).map(([op, left, right]): E => ({ _tag: "bin", op, left, right }))
  ),
  operand: fc.oneof(
    { weight: 2, arbitrary: tie("e") },
    { weight: 2, arbitrary: value(numberOperand) },
    { weight: 1, arbitrary: value(durationOperand) },
    { weight: 3, arbitrary: value(hostile) }
  )
})).e
