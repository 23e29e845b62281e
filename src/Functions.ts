/**
 * Database functions, as Django's `django.db.models.functions`: `Lower("name")`, `Coalesce("rating", Value(0))`,
 * `Extract("pubdate", "year")`, `Case(When({ rating: { gte: 4 } }, Value("good")), { default: Value("other") })`.
 * As in Django, a string argument names a field or a path (`"publisher.name"`); a literal is written with `Value`
 * (numbers, bigints, BigDecimals and Durations may be given as they are). Each result is typed from its arguments,
 * resolved against the model where the expression is used (see `ExprType`); a function of the wrong kind of
 * argument (`Lower("pages")`) is a compile error there, and a `FieldError` in dynamic input.
 *
 * A function of your own is a typed template: `const Similarity = define<[string, string], number>("similarity({0},
 * {1})", { kind: "number" })`.
 *
 * @since 0.3.0
 */
import type * as DateTime from "effect/DateTime"
import * as Expr from "./Expr.js"
import type * as ExprType from "./ExprType.js"

/** What a function takes: an expression, a field path (a string) or a literal. @since 0.3.0 */
export type Arg = Expr.Operand | string

/** The description of an argument: a string is a field path, as in Django. @since 0.3.0 */
export type ArgOf<V> = 0 extends 1 & V ? Expr.Ref<any> : V extends string ? Expr.Ref<V> : Expr.LitOf<V>

/** The fields an argument refers to. @since 0.3.0 */
export type RefsOfArg<V> = V extends `${infer H}.${string}` ? H : V extends string ? V : Expr.RefsOf<V>

type Refs<A extends ReadonlyArray<unknown>> = RefsOfArg<A[number]>
type Args<A extends ReadonlyArray<unknown>, K extends Expr.Kind> = { readonly [I in keyof A]: readonly [K, ArgOf<A[I]>] }
type Text = "string"
type Points = "date" | "datetime" | "time"

/** The node of an argument. @since 0.3.0 */
export const argNode = (arg: unknown): Expr.Node => typeof arg === "string" ? { _tag: "Ref", field: arg } : Expr.toNode(arg)

/** A call of the dialect's function `fn`. */
const call = (fn: string, args: ReadonlyArray<unknown>): Expr.Expr<any, never> =>
  Expr.make({ _tag: "Call", fn, args: args.map(argNode) })

// ---- comparison and conversion ----

/** The first argument that is not NULL (NULL if all are). @since 0.3.0 */
export const Coalesce = <const A extends readonly [Arg, Arg, ...Array<Arg>]>(
  ...args: A
): Expr.Expr<Expr.Call<Args<A, Expr.Kind>, Expr.Common, "all">, Refs<A>> => call("coalesce", args)

/** The largest argument; NULLs are ignored (PostgreSQL's GREATEST), NULL if all are. @since 0.3.0 */
export const Greatest = <const A extends readonly [Arg, Arg, ...Array<Arg>]>(
  ...args: A
): Expr.Expr<Expr.Call<Args<A, Expr.Kind>, Expr.Common, "all">, Refs<A>> => call("greatest", args)

/** The smallest argument; NULLs are ignored (PostgreSQL's LEAST), NULL if all are. @since 0.3.0 */
export const Least = <const A extends readonly [Arg, Arg, ...Array<Arg>]>(
  ...args: A
): Expr.Expr<Expr.Call<Args<A, Expr.Kind>, Expr.Common, "all">, Refs<A>> => call("least", args)

/** NULL when the two arguments are equal, else the first. @since 0.3.0 */
export const NullIf = <const A extends Arg, const B extends Arg>(
  a: A,
  b: B
): Expr.Expr<Expr.Call<readonly [readonly [Expr.Kind, ArgOf<A>], readonly [Expr.Kind, ArgOf<B>]], Expr.Common, "always">, Refs<[A, B]>> =>
  call("nullif", [a, b])

/** The kind of value each `Cast` target gives. @since 0.3.0 */
export interface CastKinds {
  readonly integer: "number"
  readonly bigint: "bigint"
  readonly float: "number"
  readonly decimal: "decimal"
  readonly text: "string"
  readonly boolean: "boolean"
  readonly date: "date"
  readonly datetime: "datetime"
  readonly time: "time"
  readonly duration: "duration"
  readonly uuid: "uuid"
  readonly json: "json"
}

/** Converts to an SQL type, as Django's `Cast(expr, output_field)`: `Cast("rating", "integer")`. @since 0.3.0 */
export const Cast = <const A extends Arg, const To extends Expr.CastTarget>(
  arg: A,
  to: To
): Expr.Expr<Expr.Call<readonly [readonly [Expr.Kind, ArgOf<A>]], Expr.Fixed<ExprType.ValueOfKind<CastKinds[To]>, CastKinds[To]>, "strict">, Refs<[A]>> =>
  Expr.make({ _tag: "Cast", arg: argNode(arg), to })

// ---- text ----

type TextFn<A extends ReadonlyArray<unknown>, K extends ReadonlyArray<Expr.Kind>, T, TK extends Expr.Kind> = Expr.Expr<
  Expr.Call<{ readonly [I in keyof A]: readonly [K[I & keyof K] & Expr.Kind, ArgOf<A[I]>] }, Expr.Fixed<T, TK>, "strict">,
  Refs<A>
>

/** Lowercase text. @since 0.3.0 */
export const Lower = <const A extends Arg>(text: A): TextFn<[A], [Text], string, "string"> => call("lower", [text])
/** Uppercase text. @since 0.3.0 */
export const Upper = <const A extends Arg>(text: A): TextFn<[A], [Text], string, "string"> => call("upper", [text])
/** Text without leading and trailing spaces. @since 0.3.0 */
export const Trim = <const A extends Arg>(text: A): TextFn<[A], [Text], string, "string"> => call("trim", [text])
/** The number of characters. @since 0.3.0 */
export const Length = <const A extends Arg>(text: A): TextFn<[A], [Text], number, "number"> => call("length", [text])

/**
 * Text of `length` characters (to the end without it) from `position` (1-based), as Django's `Substr`.
 * @since 0.3.0
 */
export const Substr = <const A extends Arg, const P extends Arg, const L extends Arg = never>(
  text: A,
  position: P,
  length?: L
): TextFn<[L] extends [never] ? [A, P] : [A, P, L], [Text, "number", "number"], string, "string"> =>
  call("substr", length === undefined ? [text, position] : [text, position, length])

/** Text with every occurrence of `from` replaced by `to` (both `Value`s or fields). @since 0.3.0 */
export const Replace = <const A extends Arg, const From extends Arg, const To extends Arg>(
  text: A,
  from: From,
  to: To
): TextFn<[A, From, To], [Text, Text, Text], string, "string"> => call("replace", [text, from, to])

/** The 1-based position of `substring` in the text, 0 when it is absent (PostgreSQL's STRPOS). @since 0.3.0 */
export const StrIndex = <const A extends Arg, const S extends Arg>(
  text: A,
  substring: S
): TextFn<[A, S], [Text, Text], number, "number"> => call("strpos", [text, substring])

/**
 * The arguments' text joined; a NULL argument counts as empty text (as Django's `Concat` on PostgreSQL), so the
 * result is never NULL.
 * @since 0.3.0
 */
export const Concat = <const A extends readonly [Arg, Arg, ...Array<Arg>]>(
  ...args: A
): Expr.Expr<Expr.Call<Args<A, Expr.Kind>, Expr.Fixed<string, "string">, "never">, Refs<A>> => call("concat", args)

// ---- dates and times ----

/** The current transaction's start time (SQL `CURRENT_TIMESTAMP`, as Django's `Now`). @since 0.3.0 */
export const Now = (): Expr.Expr<Expr.Call<readonly [], Expr.Fixed<DateTime.Utc, "datetime">, "never">, never> => call("now", [])

/** The parts `Extract` takes; date and time parts of a timestamp are taken in UTC. @since 0.3.0 */
export type Part =
  | "year" | "isoYear" | "quarter" | "month" | "week" | "day" | "weekDay" | "isoWeekDay" | "dayOfYear"
  | "hour" | "minute" | "second" | "epoch"

/**
 * A part of a date, time, timestamp or duration as a number, as Django's `Extract`: `weekDay` is 1 (Sunday) to 7, as
 * Django's `week_day`; `second` includes fractions for times and timestamps; `epoch` is seconds since 1970 (of a
 * duration: its length in seconds).
 * @since 0.3.0
 */
export const Extract = <const A extends Arg>(
  value: A,
  part: Part
): Expr.Expr<Expr.Call<readonly [readonly [Points | "duration", ArgOf<A>]], Expr.Fixed<number, "number">, "strict">, Refs<[A]>> =>
  call(`extract:${part}`, [value])

/** The precisions `Trunc` takes. @since 0.3.0 */
export type Precision = "year" | "quarter" | "month" | "week" | "day" | "hour" | "minute" | "second"

/** A date or timestamp truncated to a precision (in UTC for timestamps), as Django's `Trunc`. @since 0.3.0 */
export const Trunc = <const A extends Arg>(
  value: A,
  precision: Precision
): Expr.Expr<Expr.Call<readonly [readonly ["date" | "datetime", ArgOf<A>]], Expr.Same<0>, "strict">, Refs<[A]>> =>
  call(`trunc:${precision}`, [value])

// ---- numbers ----

type NumericFn<A extends ReadonlyArray<unknown>, O> = Expr.Expr<
  Expr.Call<{ readonly [I in keyof A]: readonly [Expr.Numeric, ArgOf<A[I]>] }, O, "strict">,
  Refs<A>
>

/** The absolute value. @since 0.3.0 */
export const Abs = <const A extends Arg>(value: A): NumericFn<[A], Expr.Same<0>> => call("abs", [value])
/** The smallest integer not below the value (of the value's type). @since 0.3.0 */
export const Ceil = <const A extends Arg>(value: A): NumericFn<[A], Expr.Same<0>> => call("ceil", [value])
/** The largest integer not above the value (of the value's type). @since 0.3.0 */
export const Floor = <const A extends Arg>(value: A): NumericFn<[A], Expr.Same<0>> => call("floor", [value])
/** The value rounded to `places` decimal places (0 by default), half away from zero. @since 0.3.0 */
export const Round = <const A extends Arg>(value: A, places = 0): NumericFn<[A], Expr.Same<0>> =>
  Expr.make({ _tag: "Call", fn: "round", args: [argNode(value), { _tag: "Value", value: places }] })
/** The remainder of `a / b`, with the sign of `a`. @since 0.3.0 */
export const Mod = <const A extends Arg, const B extends Arg>(a: A, b: B): NumericFn<[A, B], Expr.Common> => call("mod", [a, b])
/** `a` to the power `b`: a float, or an exact decimal when an argument is a decimal or a bigint. @since 0.3.0 */
export const Power = <const A extends Arg, const B extends Arg>(a: A, b: B): NumericFn<[A, B], Expr.Derived<"Real">> =>
  call("power", [a, b])
/** The square root: a float, or an exact decimal for a decimal or a bigint. @since 0.3.0 */
export const Sqrt = <const A extends Arg>(value: A): NumericFn<[A], Expr.Derived<"Real">> => call("sqrt", [value])

// ---- conditions ----

/** @since 0.3.0 */
export const WhenTypeId: unique symbol = Symbol.for("effect-orm/When")

/** One branch of `Case`: its condition (a filter or a `Q`) and its result. @since 0.3.0 */
export interface When<C, D, R extends string> {
  readonly [WhenTypeId]: { readonly _C: () => C; readonly _D: () => D; readonly _R: () => R }
  readonly condition: unknown
  readonly then: Expr.Node
}

/** A branch of `Case`: `When({ rating: { gte: 4 } }, Value("good"))`. @since 0.3.0 */
export const When = <const C, const T extends Arg>(condition: C, then: T): When<C, ArgOf<T>, RefsOfArg<T>> => ({
  [WhenTypeId]: undefined as any,
  condition,
  then: argNode(then)
})

type WhenDescriptions<W> = { readonly [I in keyof W]: W[I] extends When<any, infer D, any> ? readonly [Expr.Kind, D] : never }
type WhenConditions<W extends ReadonlyArray<unknown>> = W[number] extends infer X ? X extends When<infer C, any, any> ? C : never : never
type WhenRefs<W extends ReadonlyArray<unknown>> = W[number] extends infer X ? X extends When<any, any, infer R> ? R : never : never

/**
 * The result of the first branch whose condition holds, else `default` (NULL without one), as Django's `Case`:
 * `Case(When({ rating: { gte: 4 } }, Value("good")), When({ rating: { gte: 2 } }, Value("fair")), { default:
 * Value("poor") })`. Every result must have the same kind.
 * @since 0.3.0
 */
export const Case: {
  <const W extends readonly [When<any, any, any>, ...Array<When<any, any, any>>]>(
    ...whens: W
  ): Expr.Expr<Expr.Call<WhenDescriptions<W>, Expr.Common, "always", WhenConditions<W>>, WhenRefs<W>>
  <const W extends readonly [When<any, any, any>, ...Array<When<any, any, any>>], const D extends Arg>(
    ...args: [...whens: W, options: { readonly default: D }]
  ): Expr.Expr<
    Expr.Call<readonly [...WhenDescriptions<W>, readonly [Expr.Kind, ArgOf<D>]], Expr.Common, "strict", WhenConditions<W>>,
    WhenRefs<W> | RefsOfArg<D>
  >
} = ((...args: ReadonlyArray<any>) => {
  const last = args[args.length - 1]
  const options = last !== undefined && !(WhenTypeId in last) ? last : undefined
  const whens = (options === undefined ? args : args.slice(0, -1)) as ReadonlyArray<When<any, any, any>>
  return Expr.make({
    _tag: "Case",
    whens: whens.map((w) => ({ condition: w.condition, then: w.then })),
    otherwise: options === undefined ? undefined : argNode(options.default)
  })
}) as any

// ---- functions of your own ----

type Params<P extends ReadonlyArray<unknown>> = { readonly [I in keyof P]: Arg }

/**
 * A function of your own: a template over its arguments (`{0}`, `{1}`, ...; each compiled and bound as the other
 * expressions) and the kind of its result. `P` gives the types of its arguments and `T` of its result:
 * `const Similarity = define<[string, string], number>("similarity({0}, {1})", { kind: "number" })`. Declare an
 * aggregate with `{ aggregate: true }` (then it groups, and a filter on it is HAVING).
 * @since 0.3.0
 */
export const define = <P extends ReadonlyArray<unknown>, T>(
  sql: string,
  options: { readonly kind: Expr.Kind; readonly aggregate?: boolean }
) =>
<const A extends Params<P>>(
  ...args: A
): Expr.Expr<
  Expr.Call<{ readonly [I in keyof A]: readonly [Expr.KindOfValue<P[I & keyof P]>, ArgOf<A[I]>] } & ReadonlyArray<readonly [Expr.Kind, unknown]>, Expr.Fixed<T, Expr.KindOfValue<T>>, "strict">,
  Refs<A>
> => {
  const arity = (sql.match(/\{(\d+)\}/g) ?? []).reduce((n, m) => Math.max(n, Number(m.slice(1, -1)) + 1), 0)
  return Expr.make({
    _tag: "Call",
    fn: "template",
    args: args.map(argNode),
    template: { sql, kind: options.kind, arity, aggregate: options.aggregate === true }
  })
}
