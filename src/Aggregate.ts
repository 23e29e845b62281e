/**
 * Aggregates, as Django's: `Count`, `Sum`, `Avg`, `Min`, `Max`, `StdDev`, `Variance`, `StringAgg`, `ArrayAgg`,
 * `BoolAnd`, `BoolOr`. Each takes a field, a path through relations (`Avg("books.rating")`) or an expression
 * (`Sum(F("price").mul(F("pages")))`), with `filter` (SQL `FILTER (WHERE ...)`) and `default` (what an aggregate over
 * no rows gives instead of NULL). They are expressions: `aggregate({ ... })` computes them over a QuerySet's rows,
 * `annotate({ ... })` per row (or per group after `values(...)`).
 *
 * Results are exact where the values are: a Decimal's sum or average is a `BigDecimal`, a BigInteger's sum a
 * `bigint`; an average of integers is a float, as Django's.
 *
 * @since 0.1.0
 */
import * as Expr from "./Expr.js"
import { type Arg, argNode, type ArgOf, type RefsOfArg } from "./Functions.js"

type Summable = Expr.Numeric | "duration"
type Ordered = Summable | "string" | "date" | "datetime" | "time" | "uuid"

/** Options every aggregate takes. @since 0.3.0 */
export interface Options<C> {
  /** Aggregates only the rows matching this filter (SQL `FILTER (WHERE ...)`). */
  readonly filter?: C
}

/** Options of aggregates that may be NULL over no rows. @since 0.3.0 */
export interface DefaultOptions<C, D> extends Options<C> {
  /** The result over no rows instead of NULL (Django's `default=`). */
  readonly default?: D
}

/** An aggregate's expression type: its argument's description, result rule and conditions. @since 0.3.0 */
export type Aggregate<K extends Expr.Kind, A, O, N extends Expr.NullRule, C, D = never> = Expr.Expr<
  // A `default` is checked as a second argument of the aggregate's kinds.
  Expr.Call<readonly [readonly [K, ArgOf<A>], ...([D] extends [never] ? [] : [readonly [K, ArgOf<D>]])], O, N, C, true>,
  RefsOfArg<A>
>

type DefaultOf<O> = O extends { readonly default: infer D } ? D : never

type NullsOf<O> = O extends { readonly default: any } ? "never" : "always"
type FilterOf<O> = O extends { readonly filter: infer C } ? C : never

const make = (
  fn: Expr.AggregateFunction,
  arg: unknown,
  options: {
    readonly distinct?: boolean
    readonly filter?: unknown
    readonly default?: unknown
    readonly ordering?: ReadonlyArray<Expr.Ordering<any>>
  } | undefined,
  extra: { readonly separator?: string; readonly sample?: boolean } = {}
): Expr.Expr<any, any> =>
  Expr.make({
    _tag: "Aggregate",
    fn,
    arg: arg === undefined ? undefined : argNode(arg),
    distinct: options?.distinct === true,
    filter: options?.filter,
    default: options?.default === undefined ? undefined : argNode(options.default),
    ...extra,
    ...(options?.ordering === undefined ? {} : { ordering: options.ordering })
  })

/**
 * The number of rows (`Count()`), or of non-NULL values of a field, path or expression; `distinct` counts each value
 * once. Never NULL: 0 over no rows.
 * @since 0.1.0
 */
export const Count: {
  (): Expr.Expr<Expr.Call<readonly [], Expr.Fixed<number, "number">, "never", never, true>, never>
  <const A extends Arg, const O extends Options<unknown> & { readonly distinct?: boolean } = {}>(
    arg: A,
    options?: O
  ): Aggregate<Expr.Kind, A, Expr.Fixed<number, "number">, "never", FilterOf<O>>
} = ((arg?: unknown, options?: { readonly distinct?: boolean; readonly filter?: unknown }) =>
  make("count", arg, options)) as any

/** The sum of numbers or durations (NULL over no rows, or `default`). @since 0.1.0 */
export const Sum = <const A extends Arg, const O extends DefaultOptions<unknown, Arg> & { readonly distinct?: boolean } = {}>(
  arg: A,
  options?: O
): Aggregate<Summable, A, Expr.Derived<"Sum">, NullsOf<O>, FilterOf<O>, DefaultOf<O>> => make("sum", arg, options)

/**
 * The average of numbers or durations: a float for numbers, exact (`BigDecimal`) for decimals and bigints; NULL
 * over no rows, or `default`.
 * @since 0.1.0
 */
export const Avg = <const A extends Arg, const O extends DefaultOptions<unknown, Arg> & { readonly distinct?: boolean } = {}>(
  arg: A,
  options?: O
): Aggregate<Summable, A, Expr.Derived<"Avg">, NullsOf<O>, FilterOf<O>, DefaultOf<O>> => make("avg", arg, options)

/** The smallest value (NULL over no rows, or `default`). @since 0.1.0 */
export const Min = <const A extends Arg, const O extends DefaultOptions<unknown, Arg> = {}>(
  arg: A,
  options?: O
): Aggregate<Ordered, A, Expr.Same<0>, NullsOf<O>, FilterOf<O>, DefaultOf<O>> => make("min", arg, options)

/** The largest value (NULL over no rows, or `default`). @since 0.1.0 */
export const Max = <const A extends Arg, const O extends DefaultOptions<unknown, Arg> = {}>(
  arg: A,
  options?: O
): Aggregate<Ordered, A, Expr.Same<0>, NullsOf<O>, FilterOf<O>, DefaultOf<O>> => make("max", arg, options)

/** Options of `StdDev` and `Variance`. @since 0.3.0 */
export interface DeviationOptions<C, D> extends DefaultOptions<C, D> {
  /** The sample's (divided by n - 1) rather than the population's (by n, the default, as Django's). */
  readonly sample?: boolean
}

/** The standard deviation: a float for numbers, exact for decimals and bigints. @since 0.3.0 */
export const StdDev = <const A extends Arg, const O extends DeviationOptions<unknown, Arg> = {}>(
  arg: A,
  options?: O
): Aggregate<Expr.Numeric, A, Expr.Derived<"Real">, NullsOf<O>, FilterOf<O>, DefaultOf<O>> =>
  make("stddev", arg, options, { sample: options?.sample === true })

/** The variance: a float for numbers, exact for decimals and bigints. @since 0.3.0 */
export const Variance = <const A extends Arg, const O extends DeviationOptions<unknown, Arg> = {}>(
  arg: A,
  options?: O
): Aggregate<Expr.Numeric, A, Expr.Derived<"Real">, NullsOf<O>, FilterOf<O>, DefaultOf<O>> =>
  make("variance", arg, options, { sample: options?.sample === true })

/** Options of `StringAgg` and `ArrayAgg`. @since 0.3.0 */
export interface CollectOptions<C, D> extends DefaultOptions<C, D> {
  readonly distinct?: boolean
  /** The order of the values (`F("name").asc()`). */
  readonly ordering?: ReadonlyArray<Expr.Ordering<any>>
}

/** The values of a text expression joined with `separator` (NULL over no rows, or `default`). @since 0.3.0 */
export const StringAgg = <const A extends Arg, const O extends CollectOptions<unknown, Arg> = {}>(
  arg: A,
  separator: string,
  options?: O
): Aggregate<"string", A, Expr.Fixed<string, "string">, NullsOf<O>, FilterOf<O>, DefaultOf<O>> => make("stringAgg", arg, options, { separator })

/** The values as an array (NULL over no rows, or `default`); NULL values are kept out. @since 0.3.0 */
export const ArrayAgg = <const A extends Arg, const O extends CollectOptions<unknown, Arg> = {}>(
  arg: A,
  options?: O
): Aggregate<Exclude<Expr.Kind, "array" | "json">, A, Expr.Derived<"Array">, NullsOf<O>, FilterOf<O>, DefaultOf<O>> =>
  make("arrayAgg", arg, options)

/** Whether every value is true (NULL over no rows, or `default`). @since 0.3.0 */
export const BoolAnd = <const A extends Arg, const O extends DefaultOptions<unknown, Arg> = {}>(
  arg: A,
  options?: O
): Aggregate<"boolean", A, Expr.Fixed<boolean, "boolean">, NullsOf<O>, FilterOf<O>, DefaultOf<O>> => make("boolAnd", arg, options)

/** Whether any value is true (NULL over no rows, or `default`). @since 0.3.0 */
export const BoolOr = <const A extends Arg, const O extends DefaultOptions<unknown, Arg> = {}>(
  arg: A,
  options?: O
): Aggregate<"boolean", A, Expr.Fixed<boolean, "boolean">, NullsOf<O>, FilterOf<O>, DefaultOf<O>> => make("boolOr", arg, options)
