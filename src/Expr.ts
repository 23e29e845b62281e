/**
 * Expressions computed by the database, as Django's `F()` and `Value()`: `F("pages")` refers to a field (or a path
 * through relations, `F("publisher.numAwards")`, or an annotation), and arithmetic combines it with values and other
 * expressions: `Book.objects.filter({ id: 1 }).update({ pages: F("pages").add(1) })`.
 *
 * An expression is written before the model it applies to is known, so its type is a description (`Ref<"pages">`,
 * `Arith<"+", Ref<"pages">, Lit<number, "number">>`) that the method receiving it resolves against the model's fields
 * (see `ExprType`): there a reference to an unknown field, or arithmetic across kinds (`F("title").add(1)`), is a
 * compile error, and the same mistake in dynamic input is a `FieldError` before SQL.
 *
 * @since 0.1.0
 */
import type * as BigDecimal from "effect/BigDecimal"
import type * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import type * as Field from "./Field.js"

/** @since 0.1.0 */
export const TypeId: unique symbol = Symbol.for("effect-orm/Expr")

/** An arithmetic operator. @since 0.1.0 */
export type Operator = "+" | "-" | "*" | "/"

/** The kinds of values expressions compute: a field's lookup family, or an array (`ArrayAgg`). @since 0.3.0 */
export type Kind = Field.LookupKind | "array"

/** The SQL types `Cast` converts to. @since 0.3.0 */
export type CastTarget = "integer" | "bigint" | "float" | "decimal" | "text" | "boolean" | "date" | "datetime" | "time" | "duration" | "uuid" | "json"

/**
 * An expression node: plain, inspectable data. `Call` is a function of the dialect's table (`lower`, `coalesce`, ...)
 * or a user's template (see `Functions.define`).
 * @since 0.1.0
 */
export type Node =
  | { readonly _tag: "Ref"; readonly field: string }
  | { readonly _tag: "Value"; readonly value: unknown }
  | { readonly _tag: "Binary"; readonly op: Operator; readonly left: Node; readonly right: Node }
  | { readonly _tag: "Call"; readonly fn: string; readonly args: ReadonlyArray<Node>; readonly template?: Template }
  | { readonly _tag: "Cast"; readonly arg: Node; readonly to: CastTarget }
  | {
    readonly _tag: "Case"
    readonly whens: ReadonlyArray<{ readonly condition: unknown; readonly then: Node }>
    readonly otherwise: Node | undefined
  }
  /** A window function or an aggregate over a window of rows (SQL `OVER (...)`). */
  | {
    readonly _tag: "Window"
    readonly fn: Node
    readonly partitionBy: ReadonlyArray<Node>
    readonly orderBy: ReadonlyArray<Ordering<any>>
    readonly frame: Frame | undefined
  }
  /** A field of the query around a subquery, as Django's `OuterRef`. */
  | { readonly _tag: "OuterRef"; readonly field: string }
  /** A query as a value (its one column, of its first row) or, with `exists`, whether it has rows. */
  | { readonly _tag: "Subquery"; readonly query: unknown; readonly exists: boolean }
  | {
    readonly _tag: "Aggregate"
    readonly fn: AggregateFunction
    /** `undefined` for `Count()` of rows. */
    readonly arg: Node | undefined
    readonly distinct: boolean
    /** A filter of the rows aggregated (SQL `FILTER (WHERE ...)`). */
    readonly filter: unknown
    /** What an aggregate over no rows gives instead of NULL (Django's `default=`). */
    readonly default: Node | undefined
    /** `StringAgg`'s separator. */
    readonly separator?: string
    /** `StdDev` and `Variance` of a sample (n - 1) rather than of the population. */
    readonly sample?: boolean
    /** The order of the values of `StringAgg` and `ArrayAgg`. */
    readonly ordering?: ReadonlyArray<Ordering<any>>
  }

/** A bound of a window frame: a number of rows (or groups) before or after the current one, or the partition's edge. @since 0.3.0 */
export type FrameBound = "unboundedPreceding" | "currentRow" | "unboundedFollowing" | { readonly preceding: number } | { readonly following: number }

/** A window frame: which rows around the current one a window aggregate sees (SQL `ROWS/GROUPS BETWEEN ...`). @since 0.3.0 */
export interface Frame {
  readonly unit: "rows" | "groups"
  readonly start: FrameBound
  readonly end: FrameBound
}

/** The aggregate functions. @since 0.3.0 */
export type AggregateFunction =
  | "count" | "sum" | "avg" | "min" | "max" | "stddev" | "variance" | "stringAgg" | "arrayAgg" | "boolAnd" | "boolOr"

/**
 * A user-defined SQL function: `sql` is text with `{0}`, `{1}`, ... standing for the arguments (each compiled and
 * parenthesised, values bound as parameters), `kind` the kind of its result.
 * @since 0.3.0
 */
export interface Template {
  readonly sql: string
  readonly kind: Kind
  readonly arity: number
  /** Whether it is an aggregate (so that it groups, and a filter on it is HAVING). */
  readonly aggregate: boolean
}

// ---- the type-level description of an expression ----

/** A field, a path through relations or an annotation, by name. @since 0.3.0 */
export interface Ref<P extends string> {
  readonly _tag: "Ref"
  readonly path: P
}

/** A field of the query around a subquery (`OuterRef`): checked when the query is compiled. @since 0.3.0 */
export interface Outer<P extends string> {
  readonly _tag: "Outer"
  readonly path: P
}

/** A literal value of type `T` and kind `K`. @since 0.3.0 */
export interface Lit<T, K extends Kind> {
  readonly _tag: "Lit"
  readonly type: T
  readonly kind: K
}

/** Arithmetic of two descriptions. @since 0.3.0 */
export interface Arith<Op extends Operator, L, R> {
  readonly _tag: "Arith"
  readonly op: Op
  readonly left: L
  readonly right: R
}

/**
 * How a function's result may be NULL: `"strict"` when an argument is (SQL's strict functions), `"always"` (an
 * aggregate over no rows), `"never"`, or `"all"` when every argument is (Coalesce).
 * @since 0.3.0
 */
export type NullRule = "strict" | "always" | "never" | "all"

/** A fixed result type. @since 0.3.0 */
export interface Fixed<T, K extends Kind> {
  readonly _tag: "Fixed"
  readonly type: T
  readonly kind: K
}

/** The result has the type of argument `I`. @since 0.3.0 */
export interface Same<I extends number = 0> {
  readonly _tag: "Same"
  readonly index: I
}

/** The result has the type of every argument, which must share a kind (`Coalesce`, `Greatest`, `Case`). @since 0.3.0 */
export interface Common {
  readonly _tag: "Common"
}

/**
 * A result computed from the kind of argument 0: `"Sum"` keeps it; `"Avg"` makes integers exact decimals
 * (`bigint`) or floats (`number`); `"Real"` gives a float for numbers and an exact decimal for decimals and bigints
 * (`StdDev`, `Power`, `Sqrt`); `"Array"` an array of its values.
 * @since 0.3.0
 */
export interface Derived<Tag extends "Sum" | "Avg" | "Real" | "Array"> {
  readonly _tag: Tag
}

/**
 * A function call: `Args` are pairs of the kinds an argument accepts and its description; `O` the result; `N` when
 * it is NULL; `C` filter conditions it holds (checked against the model too).
 * @since 0.3.0
 */
export interface Call<Args extends ReadonlyArray<readonly [Kind, unknown]>, O, N extends NullRule, C = never, A extends boolean = false> {
  readonly _tag: "Call"
  readonly args: Args
  readonly out: O
  readonly nulls: N
  readonly conditions: C
  /** Whether it is an aggregate (allowed in `annotate`, `alias` and `aggregate`, not in a filter's value or `update`). */
  readonly aggregate: A
}

/** Whether a description holds an aggregate. @since 0.3.0 */
export type HasAggregate<D> = D extends Call<infer Args, any, any, any, infer A> ? (A extends true ? true : true extends ArgsHaveAggregate<Args> ? true : false)
  : D extends Arith<any, infer L, infer R> ? (true extends HasAggregate<L> | HasAggregate<R> ? true : false)
  : false

type ArgsHaveAggregate<Args> = { [I in keyof Args]: Args[I] extends readonly [any, infer D] ? HasAggregate<D> : false }[keyof Args & `${number}`]

/** Kinds arithmetic and numeric functions take. @since 0.3.0 */
export type Numeric = "number" | "bigint" | "decimal"

/** The description of a literal operand. @since 0.3.0 */
export type LitOf<V> = V extends Expr<infer D, any> ? D
  : V extends number ? Lit<number, "number">
  : V extends bigint ? Lit<bigint, "bigint">
  : V extends BigDecimal.BigDecimal ? Lit<BigDecimal.BigDecimal, "decimal">
  : V extends Duration.Duration ? Lit<Duration.Duration, "duration">
  : V extends DateTime.Utc ? Lit<DateTime.Utc, "datetime">
  : V extends string ? Lit<string, "string">
  : V extends boolean ? Lit<boolean, "boolean">
  : V extends null ? Lit<null, never>
  : never

/** The kind of a value, as far as its TypeScript type tells (`Kind`, any kind, when it cannot). @since 0.3.0 */
export type KindOfValue<V> = [V] extends [number] ? "number"
  : [V] extends [bigint] ? "bigint"
  : [V] extends [BigDecimal.BigDecimal] ? "decimal"
  : [V] extends [Duration.Duration] ? "duration"
  : [V] extends [DateTime.Utc] ? "datetime"
  : [V] extends [boolean] ? "boolean"
  : [V] extends [string] ? "string"
  : Kind

/** The names of the fields an expression refers to (the first segment of each path). @since 0.3.0 */
export type RefsOf<V> = V extends Expr<any, infer R> ? R : never

/** The first segment of a path. */
type Head<P extends string> = P extends `${infer H}.${string}` ? H : P

/**
 * An expression. `D` describes it (resolved against a model by `ExprType.TypeOf`), `R` names the fields it refers to.
 * @since 0.1.0
 */
export interface Expr<out D = unknown, out R extends string = string> {
  readonly [TypeId]: { readonly _D: () => D; readonly _R: () => R }
  readonly node: Node
  /** Adds a value or another expression. */
  add<const O extends Operand>(other: O): Expr<Arith<"+", D, LitOf<O>>, R | RefsOf<O>>
  /** Subtracts a value or another expression. */
  sub<const O extends Operand>(other: O): Expr<Arith<"-", D, LitOf<O>>, R | RefsOf<O>>
  /** Multiplies by a value or another expression. */
  mul<const O extends Operand>(other: O): Expr<Arith<"*", D, LitOf<O>>, R | RefsOf<O>>
  /** Divides by a value or another expression (integers divide as integers, as in SQL). */
  div<const O extends Operand>(other: O): Expr<Arith<"/", D, LitOf<O>>, R | RefsOf<O>>
  /** Orders ascending by this expression; `nulls` places NULLs first or last. */
  asc(options?: { readonly nulls?: "first" | "last" }): Ordering<R>
  /** Orders descending by this expression; `nulls` places NULLs first or last. */
  desc(options?: { readonly nulls?: "first" | "last" }): Ordering<R>
}

/** Any expression. @since 0.3.0 */
export type Any = Expr<any, string>

/**
 * A value or an expression: numbers, bigints and BigDecimals combine with numeric fields, Durations with durations and
 * points in time. Operands and fields are checked before SQL runs (a `FieldError` for `F("title").add(1)`).
 * @since 0.1.0
 */
export type Operand = Any | number | bigint | BigDecimal.BigDecimal | Duration.Duration | DateTime.Utc

/** @since 0.3.0 */
export const OrderingTypeId: unique symbol = Symbol.for("effect-orm/Ordering")

/** An ordering by an expression, from `expr.asc()` / `expr.desc()`, for `orderBy`. @since 0.3.0 */
export interface Ordering<out R extends string = string> {
  readonly [OrderingTypeId]: () => R
  readonly node: Node
  readonly descending: boolean
  readonly nulls: "first" | "last" | undefined
}

/** @since 0.3.0 */
export const isOrdering = (u: unknown): u is Ordering => typeof u === "object" && u !== null && OrderingTypeId in u

/** @since 0.1.0 */
export const isExpr = (u: unknown): u is Any => typeof u === "object" && u !== null && TypeId in u

/** The node of an operand: an expression's own, or a value. @since 0.3.0 */
export const toNode = (operand: unknown): Node => isExpr(operand) ? operand.node : { _tag: "Value", value: operand }

const binary = (op: Operator) =>
  function(this: Any, other: unknown) {
    return make({ _tag: "Binary", op, left: this.node, right: toNode(other) })
  }

const ordering = (descending: boolean) =>
  function(this: Any, options?: { readonly nulls?: "first" | "last" }): Ordering {
    return { [OrderingTypeId]: undefined as any, node: this.node, descending, nulls: options?.nulls }
  }

const proto = {
  add: binary("+"),
  sub: binary("-"),
  mul: binary("*"),
  div: binary("/"),
  asc: ordering(false),
  desc: ordering(true)
}

/** An expression over a node; its type is the caller's to give. @since 0.3.0 */
export const make = (node: Node): Expr<any, never> => Object.assign(Object.create(proto), { [TypeId]: undefined, node })

/** A reference to a field, a path through relations (`"publisher.name"`) or an annotation, as Django's `F()`. @since 0.1.0 */
export const F = <const P extends string>(path: P): Expr<Ref<P>, Head<P>> => make({ _tag: "Ref", field: path })

/**
 * A value as an expression, as Django's `Value()`: bound as a parameter, typed by its value
 * (`Value("x")`, `Value(BigDecimal.fromStringUnsafe("1.50"))`).
 * @since 0.3.0
 */
export const Value = <const V extends string | number | bigint | boolean | BigDecimal.BigDecimal | Duration.Duration | DateTime.Utc>(
  value: V
): Expr<LitOf<V extends string ? string : V extends number ? number : V extends boolean ? boolean : V>, never> =>
  make({ _tag: "Value", value })
