/**
 * Subqueries, as Django's: `Subquery(qs)` is the value of a one-column QuerySet (its first row; NULL without rows),
 * `Exists(qs)` whether it has rows, and `OuterRef("field")` names a field of the query around it:
 *
 * ```ts
 * Publisher.objects.annotate({
 *   newest: Subquery(Book.objects.filter({ publisher: OuterRef("pk") }).orderBy("-pubdate").values("name").slice(0, 1)),
 *   rated: Exists(Book.objects.filter({ publisher: OuterRef("pk"), rating: { gte: 4 } }))
 * })
 * Publisher.objects.filter(Exists(Book.objects.filter({ publisher: OuterRef("pk") })))
 * Author.objects.filter({ id: { in: Book.objects.filter({ rating: 5 }).values("contact") } })
 * ```
 *
 * An aggregate per outer row is a grouped subquery: `Subquery(Book.objects.filter({ publisher: OuterRef("pk")
 * }).values("publisher").annotate({ total: Sum("price") }).values("total"))`.
 *
 * @since 0.3.0
 */
import type * as BigDecimal from "effect/BigDecimal"
import type * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import * as Expr from "./Expr.js"

/** What a subquery reads: a QuerySet (its query, and the rows it yields). @since 0.3.0 */
export interface Source<Row> {
  readonly query: unknown
  asEffect(): { readonly [k: string]: any } & import("effect/Effect").Effect<ReadonlyArray<Row>, any, any>
}

type Scalar = string | number | bigint | boolean | BigDecimal.BigDecimal | DateTime.Utc | Duration.Duration | null | ReadonlyArray<unknown>

/** The value of a one-column row: the value itself (`valuesList(..., { flat: true })`), or a record's one value. @since 0.3.0 */
export type ValueOfRow<Row> = Row extends Scalar ? Row : Row[keyof Row]

/** The value of a one-column QuerySet's first row, NULL when it has none (slice it: `.slice(0, 1)`). @since 0.3.0 */
export const Subquery = <Row>(
  queryset: Source<Row>
): Expr.Expr<Expr.Lit<ValueOfRow<Row> | null, Expr.KindOfValue<Exclude<ValueOfRow<Row>, null>>>, never> =>
  Expr.make({ _tag: "Subquery", query: queryset.query, exists: false })

/** Whether a QuerySet has rows (SQL `EXISTS`): an annotation, or a condition of `filter`. @since 0.3.0 */
export const Exists = (queryset: Source<unknown>): Expr.Expr<Expr.Lit<boolean, "boolean">, never> =>
  Expr.make({ _tag: "Subquery", query: queryset.query, exists: true })

/** A field of the query around a subquery, by name or path, as Django's `OuterRef`. @since 0.3.0 */
export const OuterRef = <const P extends string>(field: P): Expr.Expr<Expr.Outer<P>, never> =>
  Expr.make({ _tag: "OuterRef", field })
