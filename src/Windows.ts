/**
 * Window functions, as Django's `Window` and `django.db.models.functions.window`: a value computed over the rows
 * related to the current one (its partition), in an order, without grouping them.
 *
 * ```ts
 * Book.objects.annotate({
 *   rank: Window(Rank(), { partitionBy: ["publisher"], orderBy: [F("rating").desc()] }),
 *   running: Window(Sum("pages"), { orderBy: [F("pubdate").asc()], frame: { unit: "rows", start: "unboundedPreceding", end: "currentRow" } })
 * }).filter({ rank: 1 })
 * ```
 *
 * A filter on a window annotation runs on the computed rows (the query becomes a subquery first, as Django 4.2 does).
 *
 * @since 0.3.0
 */
import * as Expr from "./Expr.js"
import { type Arg, argNode, type ArgOf, type RefsOfArg } from "./Functions.js"

/** How a window is formed: its partitions, its order, and the frame of a window aggregate. @since 0.3.0 */
export interface Options {
  /** Fields, paths or expressions whose values split the rows into partitions (none: one partition). */
  readonly partitionBy?: ReadonlyArray<Arg>
  /** The order of the rows in each partition (`F("rating").desc()`; a string is ascending). */
  readonly orderBy?: ReadonlyArray<Expr.Ordering<any> | string>
  /** The rows around the current one a window aggregate sees (by default SQL's: the partition up to the current row). */
  readonly frame?: Expr.Frame
}

type PartitionRefs<O> = O extends { readonly partitionBy: ReadonlyArray<infer A> } ? RefsOfArg<A> : never
type OrderRefs<O> = O extends { readonly orderBy: ReadonlyArray<infer A> } ? A extends Expr.Ordering<infer R> ? R : A extends string ? RefsOfArg<A> : never : never

/** The window function or aggregate `fn` computed over a window of rows. @since 0.3.0 */
export const Window = <D, R extends string, const O extends Options = {}>(
  fn: Expr.Expr<D, R>,
  options?: O
): Expr.Expr<D, R | PartitionRefs<O> | OrderRefs<O>> =>
  Expr.make({
    _tag: "Window",
    fn: fn.node,
    partitionBy: (options?.partitionBy ?? []).map(argNode),
    orderBy: (options?.orderBy ?? []).map((o) => typeof o === "string" ? Expr.F(o).asc() : o),
    frame: options?.frame
  })

type Fn<Args extends ReadonlyArray<readonly [Expr.Kind, unknown]>, O, N extends Expr.NullRule, R extends string = never> = Expr.Expr<Expr.Call<Args, O, N>, R>

const call = (fn: string, args: ReadonlyArray<unknown>): Expr.Expr<any, never> =>
  Expr.make({ _tag: "Call", fn: `window:${fn}`, args: args.map(argNode) })

/** The row's number in its partition, from 1. @since 0.3.0 */
export const RowNumber = (): Fn<readonly [], Expr.Fixed<number, "number">, "never"> => call("rowNumber", [])
/** The row's rank in its partition, with gaps after ties (1, 1, 3). @since 0.3.0 */
export const Rank = (): Fn<readonly [], Expr.Fixed<number, "number">, "never"> => call("rank", [])
/** The row's rank in its partition, without gaps (1, 1, 2). @since 0.3.0 */
export const DenseRank = (): Fn<readonly [], Expr.Fixed<number, "number">, "never"> => call("denseRank", [])
/** The row's relative rank, (rank - 1) / (rows - 1), from 0 to 1. @since 0.3.0 */
export const PercentRank = (): Fn<readonly [], Expr.Fixed<number, "number">, "never"> => call("percentRank", [])
/** The fraction of the partition's rows ordered before or as the row, from above 0 to 1. @since 0.3.0 */
export const CumeDist = (): Fn<readonly [], Expr.Fixed<number, "number">, "never"> => call("cumeDist", [])
/** The bucket (1 to `buckets`) the row falls in when the partition is split as evenly as possible. @since 0.3.0 */
export const Ntile = (buckets: number): Fn<readonly [], Expr.Fixed<number, "number">, "never"> =>
  Expr.make({ _tag: "Call", fn: "window:ntile", args: [{ _tag: "Value", value: buckets }] })

/** The value `offset` rows (1 by default) before the row in its partition, or `default` (NULL). @since 0.3.0 */
export const Lag = <const A extends Arg>(value: A, offset = 1, otherwise?: Arg): Fn<readonly [readonly [Expr.Kind, ArgOf<A>]], Expr.Same<0>, "always", RefsOfArg<A>> =>
  call("lag", otherwise === undefined ? [value, offset] : [value, offset, otherwise])
/** The value `offset` rows (1 by default) after the row in its partition, or `default` (NULL). @since 0.3.0 */
export const Lead = <const A extends Arg>(value: A, offset = 1, otherwise?: Arg): Fn<readonly [readonly [Expr.Kind, ArgOf<A>]], Expr.Same<0>, "always", RefsOfArg<A>> =>
  call("lead", otherwise === undefined ? [value, offset] : [value, offset, otherwise])
/** The value at the frame's first row. @since 0.3.0 */
export const FirstValue = <const A extends Arg>(value: A): Fn<readonly [readonly [Expr.Kind, ArgOf<A>]], Expr.Same<0>, "always", RefsOfArg<A>> =>
  call("firstValue", [value])
/** The value at the frame's last row (by default the current row: give a frame to reach the partition's end). @since 0.3.0 */
export const LastValue = <const A extends Arg>(value: A): Fn<readonly [readonly [Expr.Kind, ArgOf<A>]], Expr.Same<0>, "always", RefsOfArg<A>> =>
  call("lastValue", [value])
/** The value at the frame's `n`-th row (from 1), NULL when the frame has fewer. @since 0.3.0 */
export const NthValue = <const A extends Arg>(value: A, n: number): Fn<readonly [readonly [Expr.Kind, ArgOf<A>]], Expr.Same<0>, "always", RefsOfArg<A>> =>
  call("nthValue", [value, n])
