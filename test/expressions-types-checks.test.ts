/**
 * Type tests of the checks around expressions: numbers of several kinds join as at run time, annotation names may not
 * take a field's, expression orderings name fields, and conditions in aggregates and `When` may be untyped `Q`s.
 */
import type { BigDecimal } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import type { QuerySet } from "../src/index.js"
import { Avg, Coalesce, Count, F, Greatest, Lower, Min, Mod, NullIf, Power, Q, Sqrt, Sum, Value } from "../src/index.js"
import { Book, Publisher } from "./fixtures/aggregation.js"

type Row<Q> = Q extends QuerySet.QuerySet<any, any, infer R> ? R : never

describe("expression checks", () => {
  it("keeps aggregates where they can be computed", () => {
    Book.objects.annotate({ n: Count("authors") }).filter({ n: { gt: 1 } })
    // @ts-expect-error an update cannot assign an aggregate
    Book.objects.update({ pages: Count("id") })
    // @ts-expect-error an aggregate is not a filter value (annotate it, then filter by its name)
    Book.objects.filter({ pages: Count("id") })
    // @ts-expect-error an aggregate inside an aggregate
    Book.objects.aggregate({ x: Sum(Count("id")) })
    Book.objects.aggregate({ a: Sum("pages", { default: 0 }), b: Min("pubdate", { default: Value("1970-01-01") }), c: Avg("rating", { default: Value(2.5) }) })
    // @ts-expect-error a text default for a sum of numbers
    Book.objects.aggregate({ x: Sum("pages", { default: Value("none") }) })
  })

  it("joins numbers of several kinds as the run time does", () => {
    const q = Book.objects.annotate({
      a: Coalesce("price", Value(0)),
      b: Greatest("pages", "price"),
      c: Mod("pages", "price"),
      d: NullIf("price", 0),
      e: Power(2, "price"),
      f: Power("pages", 2),
      g: Sqrt("price"),
      h: Coalesce("pages", Value(0))
    })
    expectTypeOf<Row<typeof q>["a"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
    expectTypeOf<Row<typeof q>["b"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
    expectTypeOf<Row<typeof q>["c"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
    expectTypeOf<Row<typeof q>["d"]>().toEqualTypeOf<BigDecimal.BigDecimal | null>()
    expectTypeOf<Row<typeof q>["e"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
    expectTypeOf<Row<typeof q>["f"]>().toEqualTypeOf<number>()
    expectTypeOf<Row<typeof q>["g"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
    expectTypeOf<Row<typeof q>["h"]>().toEqualTypeOf<number>()
  })

  it("refuses annotation names taken by the model", () => {
    // @ts-expect-error a field's name
    Publisher.objects.annotate({ name: Count("books") })
    // @ts-expect-error a relation's name
    Book.objects.annotate({ publisher: Count("authors") })
    // @ts-expect-error a foreign key's column
    Book.objects.alias({ publisherId: Count("authors") })
    // @ts-expect-error the primary key
    Book.objects.annotate({ pk: Count("authors") })
    Book.objects.annotate({ nAuthors: Count("authors") })
  })

  it("checks the fields an expression ordering names", () => {
    Book.objects.orderBy(F("rating").desc({ nulls: "last" }), "-pubdate", Lower("name").asc())
    Book.objects.orderBy(F("publisher.name").asc())
    // @ts-expect-error no field `nope`
    Book.objects.orderBy(F("nope").desc())
  })

  it("takes untyped Q conditions in aggregates, and F of the query's fields inside a relation's filter", () => {
    Book.objects.aggregate({ n: Count("id", { filter: Q.or({ rating: { gt: 4 } }, { pages: { lt: 100 } }) }) })
    Book.objects.filter({ publisher: { numAwards: { gt: F("pages") } } })
    Book.objects.filter({ pages: { gt: F("publisher.numAwards") } })
    Publisher.objects.annotate({ total: Sum("books.pages") }).filter({ total: { gt: F("numAwards") } })
    // @ts-expect-error F refers to a field of the model
    Book.objects.filter({ pages: { gt: F("nope") } })
  })

  it("refuses a bare F of another kind in a filter (numbers compare with numbers of any width)", () => {
    Book.objects.filter({ pages: { gt: F("rating") } }, { price: { lt: F("pages") } }, { rating: F("pages") })
    Book.objects.filter({ pages: { gt: F("rating").mul(2) } }, { pages: { in: [1, F("id")] } }, { pk: { lt: F("pages") } })
    // @ts-expect-error a number field against a text field
    Book.objects.filter({ pages: F("name") })
    // @ts-expect-error a date against a number
    Book.objects.filter({ pubdate: { gt: F("pages") } })
    // @ts-expect-error text against a number, in a range
    Book.objects.filter({ name: { range: [F("pages"), F("pages")] } })
  })
})
