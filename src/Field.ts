/**
 * Field definitions: each field is an Effect `Schema` for its TypeScript value plus the facts about its column.
 *
 * @since 0.1.0
 */
import * as BigDecimal from "effect/BigDecimal"
import * as Duration from "effect/Duration"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import * as Codec from "./internal/codec.js"

export { ForeignKey, ManyToMany, OneToOne, Reverse } from "./Relation.js"

/**
 * The family of lookups a field accepts (see `Lookup.ts`).
 * @since 0.1.0
 */
export type LookupKind =
  | "string"
  | "number"
  | "bigint"
  | "decimal"
  | "boolean"
  | "date"
  | "datetime"
  | "time"
  | "duration"
  | "uuid"
  | "json"

/**
 * The name of a field's type, used in DDL and error messages.
 * @since 0.1.0
 */
export type FieldKind =
  | "AutoField"
  | "BigAutoField"
  | "Char"
  | "Text"
  | "Integer"
  | "SmallInteger"
  | "BigInteger"
  | "Float"
  | "Decimal"
  | "Boolean"
  | "Date"
  | "DateTime"
  | "Time"
  | "Duration"
  | "UUID"
  | "JSON"

/** @since 0.1.0 */
export const TypeId: unique symbol = Symbol.for("effect-orm/Field")
/** @since 0.1.0 */
export type TypeId = typeof TypeId

/**
 * How a value of lookup family `K` and type `T` travels in JSON (the encoded side of its field's Schema): as it is
 * for text, numbers and booleans, as a string for big integers, decimals, dates and times, durations and UUIDs.
 * @since 0.2.0
 */
export type EncodedOf<K extends LookupKind, T> = K extends "string" | "number" | "boolean" ? T
  : K extends "json" ? unknown
  : null extends T ? string | null
  : string

/**
 * A model field. `T` is the value's TypeScript type (with `| null` when nullable), `K` its lookup family,
 * `Opt` whether `create` may omit it (it has a default, is generated, or is nullable), `Pk` whether it is the
 * primary key, `E` how the value is written in JSON (the encoded side of `schema`).
 * @since 0.1.0
 */
export interface Field<
  T,
  K extends LookupKind = LookupKind,
  Opt extends boolean = boolean,
  Pk extends boolean = boolean,
  E = EncodedOf<K, T>
> {
  readonly [TypeId]: { readonly _T: (_: T) => T; readonly _K: K; readonly _Opt: Opt; readonly _Pk: Pk; readonly _E: E }
  readonly kind: FieldKind
  readonly lookupKind: K
  /**
   * The schema of the value: its type side is what a model instance holds, and validates writes; its encoded side is
   * JSON-safe (ISO strings for dates and times, strings for decimals and big integers), for API input and output.
   * The database codec (`fromDb`, `toDb`) is separate and exact.
   */
  readonly schema: Schema.Codec<T, E>
  /** Checks a value against the type side of `schema`: `undefined` when it is valid, else the problem. */
  readonly validate: (u: unknown) => string | undefined
  /** Non-null structural check for values used in lookups (no length or refinement checks). */
  readonly isValue: (u: unknown) => boolean
  /** Converts between the driver's representation and the value (never called with null). */
  readonly fromDb: (raw: unknown) => unknown
  readonly toDb: (value: unknown) => unknown
  readonly nullable: boolean
  readonly primaryKey: boolean
  readonly unique: boolean
  readonly dbIndex: boolean
  readonly dbColumn: string | undefined
  /** A value or a function giving one, applied by `create` when the field is omitted. */
  readonly default: unknown
  readonly hasDefault: boolean
  /** The database generates the value (identity columns). */
  readonly generated: boolean
  readonly maxLength: number | undefined
  readonly maxDigits: number | undefined
  readonly decimalPlaces: number | undefined
  readonly choices: ReadonlyArray<string | number> | undefined
  /** The optimistic-concurrency version counter: every save and update bumps it, and a stale save fails. */
  readonly version: boolean
  /** For the key column of a foreign key: the relation field it belongs to and its target. */
  readonly references: { readonly relation: string; readonly target: () => import("./Model.js").Any } | undefined
}

/** @since 0.1.0 */
export type Any = Field<any, LookupKind, boolean, boolean, any>

/** The value type of a field. @since 0.1.0 */
export type Type<F> = F extends Field<infer T, any, any, any, any> ? T : never

/** How a field's value is written in JSON. @since 0.2.0 */
export type Encoded<F> = F extends Field<any, any, any, any, infer E> ? E : never

/** Options shared by every field. @since 0.1.0 */
export interface CommonOptions<T> {
  /** The column accepts NULL; the TypeScript type becomes `T | null`. */
  readonly nullable?: boolean
  /** Used by `create` when the field is omitted: a value or a function called for each row. */
  readonly default?: NoInfer<T> | null | (() => NoInfer<T> | null)
  /** A unique constraint on the column, named `<table>_<column>_key`. */
  readonly unique?: boolean
  /** An index on the column, named `<table>_<column>_idx`. */
  readonly dbIndex?: boolean
  /** The column name; defaults to the field name in snake_case. */
  readonly dbColumn?: string
  /** The model's primary key (exactly one field per model; AutoField and BigAutoField are). */
  readonly primaryKey?: boolean
  /** Schema checks applied on every write, e.g. `[Schema.isBetween({ minimum: 1, maximum: 5 })]`. */
  readonly validators?: ReadonlyArray<SchemaAST.Check<NoInfer<T>>>
}

type Nullable<O, T> = O extends { readonly nullable: true } ? T | null : T
type Optional<O> = O extends { readonly default: any } ? true : O extends { readonly nullable: true } ? true : false
type IsPk<O> = O extends { readonly primaryKey: true } ? true : false

/** The field type a builder returns for options `O`. @since 0.1.0 */
export type Make<T, K extends LookupKind, O, E = EncodedOf<K, T>> = Field<
  Nullable<O, T>,
  K,
  Optional<O>,
  IsPk<O>,
  Nullable<O, E>
>

interface Spec<T> {
  readonly kind: FieldKind
  readonly lookupKind: LookupKind
  readonly base: Schema.Codec<T, any>
  readonly isValue: (u: unknown) => boolean
  /**
   * A quick test that implies the base schema accepts `u` (never the converse): values it passes skip the Schema
   * decoder, the rest are checked (and their problem worded) by the schema.
   */
  readonly accepts?: (u: unknown) => boolean
  readonly fromDb?: (raw: unknown) => unknown
  readonly toDb?: (value: unknown) => unknown
  readonly generated?: boolean
  readonly maxLength?: number
  readonly maxDigits?: number
  readonly decimalPlaces?: number
  readonly choices?: ReadonlyArray<string | number>
  readonly version?: boolean
}


/** The check of a value against a schema's type side, with the problem as text. @internal */
export const validator = (schema: Schema.Top): (u: unknown) => string | undefined => {
  const decode = Schema.decodeUnknownResult(Schema.toType(schema as Schema.Codec<unknown, unknown>))
  return (u) => {
    const result = decode(u)
    return Result.isFailure(result) ? result.failure.message : undefined
  }
}

/**
 * A field that is not nullable refuses null even when its schema holds it (JSON's null): null is written as SQL NULL,
 * which the column's NOT NULL would refuse.
 */
const nonNull = (validate: (u: unknown) => string | undefined) => (u: unknown): string | undefined => {
  const problem = validate(u)
  return problem === undefined && u === null ? "null is written as SQL NULL, which a field without `nullable: true` refuses" : problem
}

/**
 * The check of writes: the quick test of the spec where it has one and the developer added no validators (a value of
 * a bulk insert is checked in nanoseconds instead of a Schema decode), else, and for every value it does not pass, the
 * schema's, which words the problem.
 */
const validation = (spec: Spec<any>, schema: Schema.Top, nullable: boolean, validated: boolean) => {
  const full = nullable ? validator(schema) : nonNull(validator(schema))
  const accepts = validated ? undefined : spec.accepts
  if (accepts === undefined) return full
  return nullable
    ? (u: unknown) => u === null || accepts(u) ? undefined : full(u)
    : (u: unknown) => accepts(u) ? undefined : full(u)
}

const make = <T>(spec: Spec<T>, options: CommonOptions<T> = {}): Any => {
  let schema: Schema.Codec<any, any> = spec.base
  const validators = options.validators ?? []
  if (validators.length > 0) schema = schema.check(...(validators as [SchemaAST.Check<any>]))
  const nullable = options.nullable === true
  if (nullable) schema = Schema.NullOr(schema)
  return {
    [TypeId]: undefined as any,
    kind: spec.kind,
    lookupKind: spec.lookupKind,
    schema,
    validate: validation(spec, schema, nullable, validators.length > 0),
    isValue: spec.isValue,
    fromDb: spec.fromDb ?? Codec.identity,
    toDb: spec.toDb ?? Codec.identity,
    nullable,
    primaryKey: options.primaryKey === true || spec.generated === true,
    unique: options.unique === true,
    dbIndex: options.dbIndex === true,
    dbColumn: options.dbColumn,
    default: options.default,
    hasDefault: "default" in options,
    generated: spec.generated === true,
    maxLength: spec.maxLength,
    maxDigits: spec.maxDigits,
    decimalPlaces: spec.decimalPlaces,
    choices: spec.choices,
    version: spec.version === true,
    references: undefined
  }
}

const isString = Codec.isText
const isNumber = (u: unknown): u is number => typeof u === "number"
const isBoolean = (u: unknown): u is boolean => typeof u === "boolean"
const INT4_MIN = -2147483648
const INT4_MAX = 2147483647
const isIntegerIn = (min: number, max: number) => (u: unknown) =>
  Number.isSafeInteger(u) && (u as number) >= min && (u as number) <= max

/** A field the database generates (an identity primary key): `create` inputs leave it out. @since 0.2.0 */
export interface Generated {
  readonly generated: true
}

/** Integer primary key generated by the database (identity column). @since 0.1.0 */
export const AutoField = (options: { readonly dbColumn?: string } = {}): Field<number, "number", true, true> & Generated =>
  make({
    kind: "AutoField",
    lookupKind: "number",
    base: Schema.Int.check(Schema.isBetween({ minimum: INT4_MIN, maximum: INT4_MAX })),
    isValue: isIntegerIn(INT4_MIN, INT4_MAX),
    accepts: isIntegerIn(INT4_MIN, INT4_MAX),
    generated: true
  }, options) as any

/** 64-bit primary key generated by the database, as `bigint` (a string in JSON). @since 0.1.0 */
export const BigAutoField = (options: { readonly dbColumn?: string } = {}): Field<bigint, "bigint", true, true> & Generated =>
  make({
    kind: "BigAutoField",
    lookupKind: "bigint",
    base: Schema.BigIntFromString,
    isValue: Codec.isInt8,
    accepts: Codec.isInt8,
    fromDb: Codec.bigintFromDb,
    toDb: String,
    generated: true
  }, options) as any

/** Options of text fields, with optional `choices`. @since 0.1.0 */
export interface TextOptions<C extends string = string> extends CommonOptions<C> {
  readonly choices?: ReadonlyArray<C>
}

const textSpec = (kind: "Char" | "Text", choices: ReadonlyArray<string> | undefined, maxLength?: number): Spec<any> => {
  let base: Schema.Codec<any, any> = choices ? Schema.Literals(choices) : Codec.Text
  if (maxLength !== undefined) base = base.check(Codec.maxCharacters(maxLength))
  // UTF-16 units are at least as many as characters: text within `maxLength` units is within the limit.
  const accepts = choices ? undefined : maxLength === undefined ? isString : (u: unknown) => isString(u) && u.length <= maxLength
  return { kind, lookupKind: "string", base, isValue: isString, accepts, maxLength, choices }
}

/** Bounded text, `varchar(maxLength)`; `choices` narrows the type to a literal union. @since 0.1.0 */
export const Char = <const C extends string = string, const O extends TextOptions<C> = {}>(
  options: O & TextOptions<C> & { readonly maxLength: number }
): Make<string extends C ? string : C, "string", O> =>
  make(textSpec("Char", options.choices, options.maxLength), options) as any

/** Unbounded text. @since 0.1.0 */
export const Text = <const C extends string = string, const O extends TextOptions<C> = {}>(
  options?: O & TextOptions<C>
): Make<string extends C ? string : C, "string", O> =>
  make(textSpec("Text", options?.choices), options) as any

/** Options of integer fields, with optional `choices`. @since 0.1.0 */
export interface IntegerOptions<C extends number = number> extends CommonOptions<C> {
  readonly choices?: ReadonlyArray<C>
}

const integerField = (kind: "Integer" | "SmallInteger", min: number, max: number, options?: IntegerOptions<any>) =>
  make({
    kind,
    lookupKind: "number",
    base: options?.choices ? Schema.Literals(options.choices) : Schema.Int.check(Schema.isBetween({ minimum: min, maximum: max })),
    isValue: isIntegerIn(min, max),
    accepts: options?.choices ? undefined : isIntegerIn(min, max),
    choices: options?.choices
  }, options)

/** 32-bit integer. @since 0.1.0 */
export const Integer = <const C extends number = number, const O extends IntegerOptions<C> = {}>(
  options?: O & IntegerOptions<C>
): Make<number extends C ? number : C, "number", O> =>
  integerField("Integer", INT4_MIN, INT4_MAX, options) as any

/** The version counter of a model (`Version`): `create` and `update` inputs leave it out. @since 0.2.0 */
export interface Versioned {
  readonly version: true
}

/**
 * A version counter for optimistic concurrency (beyond Django): starts at 0; `save`, `update` and `bulkUpdate` add 1,
 * and saving or deleting an instance whose version is no longer the row's fails with `StaleObjectError`.
 * @since 0.1.0
 */
export const Version = (options: { readonly dbColumn?: string } = {}): Field<number, "number", true, false> & Versioned =>
  make({
    kind: "Integer",
    lookupKind: "number",
    base: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: INT4_MAX })),
    isValue: isIntegerIn(0, INT4_MAX),
    accepts: isIntegerIn(0, INT4_MAX),
    version: true
  }, { ...options, default: 0 }) as any

/** 16-bit integer. @since 0.1.0 */
export const SmallInteger = <const C extends number = number, const O extends IntegerOptions<C> = {}>(
  options?: O & IntegerOptions<C>
): Make<number extends C ? number : C, "number", O> =>
  integerField("SmallInteger", -32768, 32767, options) as any

/** 64-bit integer as `bigint` (exact beyond 2^53; a string in JSON). @since 0.1.0 */
export const BigInteger = <const O extends CommonOptions<bigint> = {}>(options?: O): Make<bigint, "bigint", O> =>
  make({
    kind: "BigInteger",
    lookupKind: "bigint",
    base: Schema.BigIntFromString.check(Schema.isBetweenBigInt({ minimum: Codec.INT8_MIN, maximum: Codec.INT8_MAX })),
    isValue: Codec.isInt8,
    accepts: Codec.isInt8,
    fromDb: Codec.bigintFromDb,
    toDb: String
  }, options) as any

/** Double-precision float. @since 0.1.0 */
export const Float = <const O extends CommonOptions<number> = {}>(options?: O): Make<number, "number", O> =>
  make({
    kind: "Float",
    lookupKind: "number",
    base: Schema.Number,
    isValue: isNumber,
    accepts: isNumber,
    toDb: Codec.floatToDb
  }, options) as any

/** Options of a decimal field. @since 0.1.0 */
export interface DecimalOptions extends CommonOptions<BigDecimal.BigDecimal> {
  readonly maxDigits: number
  readonly decimalPlaces: number
}

/**
 * Exact decimal, `numeric(maxDigits, decimalPlaces)`, as effect `BigDecimal` (never a JS float; a string in JSON,
 * written in full with its scale: `"29.90"`).
 * @since 0.1.0
 */
export const Decimal = <const O extends DecimalOptions>(options: O): Make<BigDecimal.BigDecimal, "decimal", O> =>
  make({
    kind: "Decimal",
    lookupKind: "decimal",
    base: Codec.DecimalString.check(Codec.decimalDigits(options.maxDigits, options.decimalPlaces)),
    isValue: Codec.isStorableDecimal,
    accepts: Codec.fitsDecimal(options.maxDigits, options.decimalPlaces),
    fromDb: Codec.decimalFromDb,
    toDb: Codec.decimalToDb,
    maxDigits: options.maxDigits,
    decimalPlaces: options.decimalPlaces
  }, options) as any

/** Boolean. @since 0.1.0 */
export const Boolean = <const O extends CommonOptions<boolean> = {}>(options?: O): Make<boolean, "boolean", O> =>
  make({ kind: "Boolean", lookupKind: "boolean", base: Schema.Boolean, isValue: isBoolean, accepts: isBoolean }, options) as any

/** A calendar date as an ISO `YYYY-MM-DD` string, checked by the schema. @since 0.1.0 */
export const Date = <const O extends CommonOptions<string> = {}>(options?: O): Make<string, "date", O> =>
  make({
    kind: "Date",
    lookupKind: "date",
    base: Codec.IsoDate,
    isValue: Codec.isIsoDate,
    accepts: Codec.isIsoDate,
    fromDb: Codec.dateFromDb
  }, options) as any

/**
 * A point in time, timezone-aware, as effect `DateTime.Utc` (millisecond precision; an ISO-8601 string in JSON,
 * `"2024-01-01T00:00:00.000Z"`, any offset accepted on input).
 * @since 0.1.0
 */
export const DateTime = <const O extends CommonOptions<import("effect/DateTime").Utc> = {}>(
  options?: O
): Make<import("effect/DateTime").Utc, "datetime", O> =>
  make({
    kind: "DateTime",
    lookupKind: "datetime",
    base: Schema.DateTimeUtcFromString.check(Codec.storableDateTime),
    isValue: Codec.isStorableDateTime,
    accepts: Codec.isStorableDateTime,
    fromDb: Codec.dateTimeFromDb,
    toDb: Codec.dateTimeToDb
  }, options) as any

/** A time of day as `HH:MM:SS[.ffffff]`. @since 0.1.0 */
export const Time = <const O extends CommonOptions<string> = {}>(options?: O): Make<string, "time", O> =>
  make({
    kind: "Time",
    lookupKind: "time",
    base: Codec.IsoTime,
    isValue: Codec.isIsoTime,
    accepts: Codec.isIsoTime,
    fromDb: Codec.timeFromDb
  }, options) as any

/**
 * A length of time as effect `Duration` (microsecond precision in the database; an ISO-8601 duration in JSON,
 * `"PT1.5S"`, `"P400D"`).
 * @since 0.1.0
 */
export const Duration_ = <const O extends CommonOptions<Duration.Duration> = {}>(
  options?: O
): Make<Duration.Duration, "duration", O> =>
  make({
    kind: "Duration",
    lookupKind: "duration",
    base: Schema.DurationFromIsoString.check(Codec.finiteDuration),
    isValue: Codec.isStorableDuration,
    accepts: Codec.isStorableDuration,
    fromDb: Codec.durationFromDb,
    toDb: Codec.durationToDb
  }, options) as any
export { Duration_ as Duration }

/** Options of a UUID field. @since 0.1.0 */
export interface UUIDOptions extends CommonOptions<string> {
  /** Give each new row a random UUID (v4) when none is given. */
  readonly autoGenerate?: boolean
}

type UUIDOptional<O> = O extends { readonly autoGenerate: true } ? true : Optional<O>

/** A UUID string, checked by the schema; `autoGenerate` gives new rows a random one. @since 0.1.0 */
export const UUID = <const O extends UUIDOptions = {}>(
  options?: O
): Field<Nullable<O, string>, "uuid", UUIDOptional<O>, IsPk<O>> =>
  make(
    { kind: "UUID", lookupKind: "uuid", base: Codec.UuidString, isValue: Codec.isUuid, accepts: Codec.isUuid },
    options?.autoGenerate ? { default: () => globalThis.crypto.randomUUID(), ...options } : options
  ) as any

/** JSON content typed by a Schema (stored as `jsonb`; in JSON, as the schema encodes it). @since 0.1.0 */
export const JSON = <A, I, const O extends CommonOptions<A> = {}>(
  schema: Schema.Codec<A, I>,
  options?: O
): Make<A, "json", O, I> => {
  const decode = Schema.decodeUnknownSync(schema)
  const encode = Schema.encodeSync(schema)
  // What jsonb cannot hold exactly (NaN, a bigint, a cycle, NUL, a lone surrogate) is refused before it is
  // stringified: JSON.stringify would write null for NaN, or throw.
  const problem = (a: A): string | undefined => {
    try {
      return Codec.jsonProblem(encode(a))
    } catch (error) {
      return error instanceof Error ? error.message : String(error)
    }
  }
  const isType = Schema.is(Schema.toType(schema))
  return make({
    kind: "JSON",
    lookupKind: "json",
    base: schema.check(Schema.makeFilter((a: A) => problem(a) ?? true)),
    isValue: (u) => isType(u) && problem(u) === undefined,
    fromDb: decode,
    toDb: (value) => globalThis.JSON.stringify(encode(value as A))
  }, options) as any
}
