/**
 * Aggregates over a QuerySet, as Django's `aggregate()`:
 * `Book.objects.filter(...).aggregate({ total: Count(), avgPrice: Avg("price"), longest: Max("pages") })`.
 * Results are exact where the column is: a Decimal's sum or average is a `BigDecimal`, a BigInteger's sum a `bigint`.
 *
 * @since 0.1.0
 */
import type * as BigDecimal from "effect/BigDecimal"
import type * as Duration from "effect/Duration"
import type * as Field from "./Field.js"

/** @since 0.1.0 */
export const TypeId: unique symbol = Symbol.for("effect-orm/Aggregate")

/** The aggregate functions. @since 0.1.0 */
export type Function = "count" | "sum" | "avg" | "min" | "max"

/** An aggregate of a field (or of rows, for `Count()`). @since 0.1.0 */
export interface Aggregate<Fn extends Function = Function, Name extends string = string> {
  readonly [TypeId]: { readonly _Fn: Fn; readonly _Name: Name }
  readonly fn: Fn
  /** The field, or `undefined` for `Count()` of rows. */
  readonly field: Name | undefined
  /** Count or sum each distinct value once. */
  readonly distinct: boolean
}

const make = <Fn extends Function, Name extends string>(
  fn: Fn,
  field: Name | undefined,
  distinct = false
): Aggregate<Fn, Name> => ({ [TypeId]: undefined as any, fn, field, distinct })

/** @since 0.1.0 */
export const isAggregate = (u: unknown): u is Aggregate => typeof u === "object" && u !== null && TypeId in u

/** The number of rows (`Count()`), or of non-NULL values of a field; `distinct` counts each value once. @since 0.1.0 */
export const Count: {
  (): Aggregate<"count", never>
  <const Name extends string>(field: Name, options?: { readonly distinct?: boolean }): Aggregate<"count", Name>
} = ((field?: string, options?: { readonly distinct?: boolean }) =>
  make("count", field, options?.distinct === true)) as any

/** The sum of a numeric field; `null` over no rows. @since 0.1.0 */
export const Sum = <const Name extends string>(field: Name, options?: { readonly distinct?: boolean }): Aggregate<"sum", Name> =>
  make("sum", field, options?.distinct === true)

/** The average of a numeric field; `null` over no rows. @since 0.1.0 */
export const Avg = <const Name extends string>(field: Name): Aggregate<"avg", Name> => make("avg", field)

/** The smallest value of a field; `null` over no rows. @since 0.1.0 */
export const Min = <const Name extends string>(field: Name): Aggregate<"min", Name> => make("min", field)

/** The largest value of a field; `null` over no rows. @since 0.1.0 */
export const Max = <const Name extends string>(field: Name): Aggregate<"max", Name> => make("max", field)

type Summable = "number" | "bigint" | "decimal" | "duration"
type Ordered = Summable | "string" | "date" | "datetime" | "time" | "uuid"

/** The field kinds each function accepts. @since 0.1.0 */
export const acceptedKinds: { readonly [Fn in Function]: ReadonlyArray<Field.LookupKind> | "all" } = {
  count: "all",
  sum: ["number", "bigint", "decimal", "duration"],
  avg: ["number", "bigint", "decimal", "duration"],
  min: ["number", "bigint", "decimal", "duration", "string", "date", "datetime", "time", "uuid"],
  max: ["number", "bigint", "decimal", "duration", "string", "date", "datetime", "time", "uuid"]
}

type Value<Fd> = Exclude<Field.Type<Fd>, null>
type KindOf<Fd> = Fd extends Field.Field<any, infer K, any, any> ? K : never

type SumOf<Fd> = KindOf<Fd> extends "bigint" ? bigint
  : KindOf<Fd> extends "decimal" ? BigDecimal.BigDecimal
  : KindOf<Fd> extends "duration" ? Duration.Duration
  : number

type AvgOf<Fd> = KindOf<Fd> extends "decimal" | "bigint" ? BigDecimal.BigDecimal
  : KindOf<Fd> extends "duration" ? Duration.Duration
  : number

/** What one aggregate yields over a model's fields `F`. @since 0.1.0 */
export type Result<A, F> = A extends Aggregate<infer Fn, infer Name> ? (
    Fn extends "count" ? number
      : Name extends keyof F ? (
          Fn extends "sum" ? SumOf<F[Name]> | null
            : Fn extends "avg" ? AvgOf<F[Name]> | null
            : Value<F[Name]> | null
        )
      : never
  )
  : never

/** Aggregates whose fields exist on the model and suit the function (a sum of text is a compile error). @since 0.1.0 */
export type Valid<F> = {
  readonly [Name in keyof F & string]:
    | Aggregate<"count", Name>
    | (KindOf<F[Name]> extends Ordered ? Aggregate<"min" | "max", Name> : never)
    | (KindOf<F[Name]> extends Summable ? Aggregate<"sum" | "avg", Name> : never)
}[keyof F & string] | Aggregate<"count", never>
