/**
 * The types of expressions at run time, checked before SQL: what each operator and function accepts and yields,
 * whether a result fits the column it is compared with or assigned to, and how its value is read back. These rules
 * mirror the compile-time ones of `ExprType.ts`; PostgreSQL would otherwise refuse at run time (`operator does not
 * exist: character varying + integer`), or answer in a type the row type does not promise.
 * @internal
 */
import * as BigDecimal from "effect/BigDecimal"
import * as Duration from "effect/Duration"
import * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import type * as Expr from "../../Expr.js"
import * as Field from "../../Field.js"
import { decimalFromDb, INT8_MAX, INT8_MIN, isStorableDecimal, isStorableDuration } from "../codec.js"

/**
 * The type of an expression: its kind, whether a number is a float (SQL `double precision`) rather than an integer,
 * the field it reads when it is one (so that its own decoding applies: choices, JSON schemas), and an array's
 * elements.
 * @internal
 */
export interface Type {
  readonly kind: Expr.Kind
  readonly float?: boolean
  readonly field?: Field.Any
  readonly element?: Type
  /** A text literal: it may stand for a date, a time or a UUID, which PostgreSQL reads from text. */
  readonly text?: boolean
}

/** The type of a field's values. @internal */
export const fieldType = (field: Field.Any): Type => ({ kind: field.lookupKind, float: field.kind === "Float", field })

/** The type of a literal operand, or why it cannot be one. @internal */
export const valueType = (value: unknown): Type | string => {
  if (typeof value === "number") return Number.isFinite(value) ? { kind: "number", float: !Number.isInteger(value) } : `${value} is not a finite number`
  if (typeof value === "bigint") return value >= INT8_MIN && value <= INT8_MAX ? { kind: "bigint" } : `${value}n is outside the 64-bit range`
  if (typeof value === "string") return { kind: "string", text: true }
  if (typeof value === "boolean") return { kind: "boolean" }
  if (BigDecimal.isBigDecimal(value)) {
    return isStorableDecimal(value) ? { kind: "decimal" } : "a BigDecimal outside PostgreSQL's numeric range cannot be stored"
  }
  if (Duration.isDuration(value)) {
    if (!Duration.isFinite(value)) return "an infinite Duration cannot be stored"
    return isStorableDuration(value) ? { kind: "duration" } : "a Duration beyond 2^63 microseconds cannot be stored"
  }
  if (DateTime.isDateTime(value)) return { kind: "datetime" }
  return `expression operands are numbers, bigints, BigDecimals, Durations, DateTimes, Value(...) or F() references, got ${
    typeof value === "object" && value !== null ? "an object" : typeof value
  }`
}

/** Kinds arithmetic and numeric functions take. @internal */
export const isNumeric = (t: Type) => t.kind === "number" || t.kind === "bigint" || t.kind === "decimal"

const isPoint = (k: Expr.Kind) => k === "date" || k === "datetime" || k === "time"

/**
 * Two numeric types joined, as the compile-time types do: a decimal if either is, a 64-bit integer if either is (and
 * no float is involved: then a float, whose static type is still `bigint`; Cast it), else a number.
 * @internal
 */
export const joinNumeric = (a: Type, b: Type): Type => {
  if (a.kind === "decimal" || b.kind === "decimal") return { kind: "decimal" }
  const float = a.float === true || b.float === true
  // A 64-bit integer with an integer stays a 64-bit integer (PostgreSQL's int8), exact beyond 2^53.
  if ((a.kind === "bigint" || b.kind === "bigint") && !float) return { kind: "bigint" }
  return { kind: "number", float }
}

/** What `left op right` yields, or why PostgreSQL has no such operator. @internal */
export const binaryType = (op: Expr.Operator, left: Type, right: Type): Type | string => {
  if (isNumeric(left) && isNumeric(right)) return joinNumeric(left, right)
  const l = left.kind
  const r = right.kind
  if (op === "+" || op === "-") {
    if (l === "duration" && r === "duration") return { kind: "duration" }
    if (isPoint(l) && r === "duration") return { kind: l }
    if (op === "+" && l === "duration" && isPoint(r)) return { kind: r }
    if (op === "-" && l === r && (l === "datetime" || l === "time")) return { kind: "duration" }
  } else {
    if (l === "duration" && isNumeric(right)) return { kind: "duration" }
    if (op === "*" && isNumeric(left) && r === "duration") return { kind: "duration" }
  }
  return l === r && !isNumeric(left) && l !== "duration"
    ? `there is no arithmetic on ${l} values`
    : `"${op}" does not combine ${l} with ${r}`
}

/** Whether a value of type `source` may be compared with, or assigned to, one of `target`. @internal */
export const fits = (source: Type, target: Type): boolean => {
  if (source.text === true && (target.kind === "date" || target.kind === "time" || target.kind === "uuid" || target.kind === "datetime")) return true
  if (isNumeric(source) && isNumeric(target)) return true
  if ((source.kind === "date" || source.kind === "datetime") && (target.kind === "date" || target.kind === "datetime")) return true
  return source.kind === target.kind
}

/** How a type is named in errors: the field's kind when it is one, else its kind. @internal */
export const describeType = (t: Type): string => t.field !== undefined ? t.field.kind : t.kind === "number" && t.float ? "float" : t.kind

/**
 * The SQL type a computed value is cast to when selected, so that each driver returns what its decoder reads (a date
 * plus a duration is a timestamp in PostgreSQL; the row type promises a date). `undefined`: no cast needed.
 * @internal
 */
export const outputCast = (t: Type): string | undefined => {
  switch (t.kind) {
    case "date":
      return "date"
    case "time":
      return "time"
    case "datetime":
      return "timestamptz"
    case "duration":
      return "interval"
    default:
      return undefined
  }
}

let representatives: Partial<Record<string, Field.Any>> | undefined

/** A field of a kind, whose codec reads and writes its values (for annotations, which have no field of their own). */
const representative = (t: Type): Field.Any => {
  representatives ??= {}
  const key = t.kind === "number" && t.float ? "float" : t.kind
  let field = representatives[key]
  if (field === undefined) {
    field = (() => {
      switch (key) {
        case "number":
          return Field.Integer()
        case "float":
          return Field.Float()
        case "bigint":
          return Field.BigInteger()
        case "decimal":
          return Field.Decimal({ maxDigits: 1000, decimalPlaces: 0 })
        case "boolean":
          return Field.Boolean()
        case "date":
          return Field.Date()
        case "datetime":
          return Field.DateTime()
        case "time":
          return Field.Time()
        case "duration":
          return Field.Duration()
        case "uuid":
          return Field.UUID()
        case "json":
        case "array":
          return Field.JSON(Schema.Unknown)
        default:
          return Field.Text()
      }
    })() as unknown as Field.Any
    representatives[key] = field
  }
  return field
}

/** Reads a value the database computed (never called with NULL). @internal */
export const decoder = (t: Type): (raw: unknown) => unknown => {
  if (t.field !== undefined) return t.field.fromDb
  switch (t.kind) {
    case "number":
      return Number
    case "bigint":
      return (raw) => typeof raw === "bigint" ? raw : BigInt(raw as string)
    case "decimal":
      return decimalFromDb
    case "array": {
      // Elements arrive as text (see `aggregateSql`): they are read by their kind, not by a field's codec.
      const element = t.element?.kind === "boolean" ? (v: unknown) => v === "true" : decoder(t.element === undefined ? { kind: "json" } : { kind: t.element.kind, float: t.element.float })
      return (raw) => (raw as ReadonlyArray<unknown>).map((v) => v === null ? null : element(v))
    }
    case "json":
      return (raw) => raw
    default:
      return representative(t).fromDb
  }
}

/**
 * A field standing for a computed value, so that an annotation is read, filtered and ordered as a column: the codec
 * of its kind, with the decoder of its type.
 * @internal
 */
export const standIn = (t: Type): Field.Any => {
  if (t.field !== undefined) return t.field
  const base = representative(t)
  const fromDb = decoder(t)
  return fromDb === base.fromDb ? base : { ...base, fromDb }
}
