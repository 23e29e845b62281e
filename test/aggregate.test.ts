/**
 * Aggregates on every driver: exact results per field kind, filters, slices and distinct, empty querysets, bad input.
 */
import { expect, layer } from "@effect/vitest"
import { BigDecimal, Duration, Effect } from "effect"
import { Avg, Count, Db, Field, Max, Min, Model, Sum } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

class AgBook extends Model.Class<AgBook>("AgBook")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  genre: Field.Char({ maxLength: 20 }),
  pages: Field.Integer(),
  rating: Field.Float({ nullable: true }),
  price: Field.Decimal({ maxDigits: 8, decimalPlaces: 2 }),
  sold: Field.BigInteger(),
  pubdate: Field.Date(),
  reading: Field.Duration()
}, { table: "ag_book", ordering: ["name"] }) {}

const dec = BigDecimal.unsafeFromString
const seed = Effect.forEach([
  { name: "A", genre: "scifi", pages: 100, rating: 4, price: dec("10.10"), sold: 2n ** 60n, pubdate: "2001-01-01", reading: Duration.hours(2) },
  { name: "B", genre: "scifi", pages: 201, rating: null, price: dec("20.20"), sold: 2n ** 60n, pubdate: "1999-05-05", reading: Duration.hours(3) },
  { name: "C", genre: "poetry", pages: 300, rating: 5, price: dec("0.05"), sold: 1n, pubdate: "2010-10-10", reading: Duration.minutes(30) }
], (row) => AgBook.objects.create(row))

for (const driver of Testing.drivers([AgBook])) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("computes count, sum, avg, min and max in one query, exactly", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const { queries, result } = yield* Testing.captureQueries(AgBook.objects.aggregate({
          total: Count(),
          rated: Count("rating"),
          genres: Count("genre", { distinct: true }),
          pages: Sum("pages"),
          avgPages: Avg("pages"),
          revenue: Sum("price"),
          avgPrice: Avg("price"),
          sold: Sum("sold"),
          avgRating: Avg("rating"),
          reading: Sum("reading"),
          first: Min("pubdate"),
          last: Max("name")
        }))
        expect(queries).toHaveLength(1)
        expect(result.total).toBe(3)
        expect(result.rated).toBe(2)
        expect(result.genres).toBe(2)
        expect(result.pages).toBe(601)
        expect(result.avgPages).toBeCloseTo(200.333, 3)
        expect(BigDecimal.equals(result.revenue!, dec("30.35"))).toBe(true)
        // Exact, as PostgreSQL computes it: 30.35 / 3 to numeric's precision.
        expect(BigDecimal.equals(result.avgPrice!, dec("10.1166666666666667"))).toBe(true)
        expect(result.sold).toBe(2n ** 61n + 1n)
        expect(result.avgRating).toBe(4.5)
        expect(Duration.toMillis(result.reading!)).toBe(Duration.toMillis(Duration.minutes(330)))
        expect(result.first).toBe("1999-05-05")
        expect(result.last).toBe("C")
      })))

    it.effect("aggregates the filtered, sliced or distinct rows", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        expect(yield* AgBook.objects.filter({ genre: "scifi" }).aggregate({ n: Count(), pages: Sum("pages") })).toEqual({ n: 2, pages: 301 })
        expect(yield* AgBook.objects.exclude({ rating: { gte: 5 } }).aggregate({ n: Count() })).toEqual({ n: 2 })
        // The first two by name: A and B.
        expect(yield* AgBook.objects.orderBy("name").slice(0, 2).aggregate({ pages: Sum("pages"), top: Max("pages") }))
          .toEqual({ pages: 301, top: 201 })
        expect(yield* AgBook.objects.orderBy("genre").distinct("genre").aggregate({ n: Count() })).toEqual({ n: 2 })
      })))

    it.effect("over no rows: counts are 0, the rest null; none() runs no query", () =>
      Testing.isolated(Effect.gen(function*() {
        const empty = yield* AgBook.objects.aggregate({ n: Count(), sum: Sum("price"), max: Max("pubdate"), avg: Avg("pages") })
        expect(empty).toEqual({ n: 0, sum: null, max: null, avg: null })
        yield* seed
        const { queries, result } = yield* Testing.captureQueries(AgBook.objects.none().aggregate({ n: Count(), sum: Sum("pages") }))
        expect(result).toEqual({ n: 0, sum: null })
        expect(queries).toHaveLength(0)
      })))

    it.effect("bad input is a FieldError before any SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const bad: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }, Db.Db>> = [
          AgBook.objects.aggregate({ x: Sum("nope" as "pages") }),
          AgBook.objects.aggregate({ x: Sum("name" as "pages") }),
          AgBook.objects.aggregate({ x: Avg("pubdate" as "pages") }),
          AgBook.objects.aggregate({ x: "COUNT(*)" } as any),
          AgBook.objects.filter({ nope: 1 } as any).aggregate({ n: Count() })
        ]
        for (const effect of bad) {
          const { queries, result } = yield* Testing.captureQueries(Effect.flip(effect))
          expect(result._tag).toBe("FieldError")
          expect(queries).toEqual([])
        }
      })))
  })
}
