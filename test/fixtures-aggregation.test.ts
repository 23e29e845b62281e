/**
 * A self-check of the Django `aggregation` fixture (`./fixtures/aggregation.ts`) on every driver: the rows and links
 * `seed` writes, and a few facts that the expected values in `./fixtures/aggregationExpected.ts` rest on.
 */
import { expect, layer } from "@effect/vitest"
import { BigDecimal, DateTime, Duration, Effect } from "effect"
import { Count, Db, Max, Min, Sum } from "../src/index.js"
import * as Testing from "../src/testing/index.js"
import { Author, Book, models, Publisher, seed, Store, tableRows } from "./fixtures/aggregation.js"

/** The rows of a table, by raw SQL (the join tables have no model of their own in the public API). */
const rowsOf = (table: string) =>
  Effect.gen(function*() {
    const { sql } = yield* Db.Db
    const [row] = yield* sql<{ n: number | string | bigint }>`SELECT count(*) AS n FROM ${sql(table)}`
    return Number(row!.n)
  })

for (const driver of Testing.drivers(models)) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("seed writes Django's rows and links, each table and join table with its row count", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        expect(yield* Author.objects.count()).toBe(9)
        expect(yield* Publisher.objects.count()).toBe(5)
        expect(yield* Book.objects.count()).toBe(6)
        expect(yield* Store.objects.count()).toBe(3)
        for (const [table, n] of Object.entries(tableRows)) expect([table, yield* rowsOf(table)]).toEqual([table, n])
      })))

    it.effect("ids are 1..n in Django's order, and the next created row gets the next id", () =>
      Testing.isolated(Effect.gen(function*() {
        const { a9, b1, b6, p5, s3 } = yield* seed
        expect([a9.id, p5.id, b1.id, b6.id, s3.id]).toEqual([9, 5, 1, 6, 3])
        expect(yield* Book.objects.orderBy("id").valuesList("isbn", { flat: true })).toEqual([
          "159059725", "067232959", "159059996", "013235613", "013790395", "155860191"
        ])
        const extra = yield* Publisher.objects.create({ name: "Expensive Publisher", numAwards: 0, duration: null })
        expect(extra.id).toBe(6)
      })))

    it.effect("links as Django's setUpTestData: 10 book-author links, 13 store-book links, 7 friendships both ways", () =>
      Testing.isolated(Effect.gen(function*() {
        const { a1, a3, a7, a8, b4, s1, s2, s3 } = yield* seed
        // Each book's authors, counted through the relation, sum to the join table's rows.
        let links = 0
        for (const book of yield* Book.objects.orderBy("id")) links += yield* Book.objects.related(book, "authors").count()
        expect(links).toBe(10)
        expect(yield* Book.objects.related(b4, "authors").orderBy("id").valuesList("name", { flat: true })).toEqual([
          "Jeffrey Forcier", "Paul Bissex", "Wesley J. Chun"
        ])
        expect(yield* Author.objects.related(a8, "books").count()).toBe(2)
        expect(yield* Author.objects.related(a8, "contactedBooks").count()).toBe(2)
        expect([
          yield* Store.objects.related(s1, "books").count(),
          yield* Store.objects.related(s2, "books").count(),
          yield* Store.objects.related(s3, "books").count()
        ]).toEqual([6, 4, 3])
        // Symmetrical friends: every pair is stored both ways, so friends and friendOf are the same set.
        const friendsOf = (a: Author, side: "friends" | "friendOf") =>
          Author.objects.related(a, side).orderBy("id").valuesList("id", { flat: true })
        expect(yield* friendsOf(a7, "friends")).toEqual([2, 5, 6])
        expect(yield* friendsOf(a7, "friendOf")).toEqual([2, 5, 6])
        expect(yield* friendsOf(a1, "friends")).toEqual([2, 4])
        expect(yield* friendsOf(a3, "friends")).toEqual([])
        const { sql } = yield* Db.Db
        const unmirrored = yield* sql<{ n: number | string }>`
          SELECT count(*) AS n FROM agg_author_friends f
          WHERE NOT EXISTS (SELECT 1 FROM agg_author_friends m
                            WHERE m.from_agg_author_id = f.to_agg_author_id AND m.to_agg_author_id = f.from_agg_author_id)`
        expect(Number(unmirrored[0]!.n)).toBe(0)
      })))

    it.effect("facts Django's expected values rest on: sums, filters and the kinds of each column", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const books = yield* Book.objects.aggregate({ pages: Sum("pages"), price: Sum("price"), ratings: Count("rating", { distinct: true }) })
        expect(books.pages).toBe(3703)
        expect(BigDecimal.equals(books.price!, BigDecimal.fromStringUnsafe("270.27"))).toBe(true)
        expect(books.ratings).toBe(4)
        // test_multiple_aggregates and test_filter_aggregate.
        expect((yield* Author.objects.aggregate({ age: Sum("age") })).age).toBe(337)
        expect((yield* Author.objects.filter({ age: { gt: 29 } }).aggregate({ age: Sum("age") })).age).toBe(254)
        expect((yield* Publisher.objects.aggregate({ awards: Sum("numAwards") })).awards).toBe(20)
        // test_sum_duration_field: the two non-null durations.
        const { duration } = yield* Publisher.objects.aggregate({ duration: Sum("duration") })
        expect(Duration.toMillis(duration!)).toBe(Duration.toMillis(Duration.days(3)))
        // test_even_more_aggregate's store facts.
        const stores = yield* Store.objects.aggregate({ closing: Max("fridayNightClosing"), opening: Min("originalOpening") })
        expect(stores.closing).toBe("23:59:59")
        expect(DateTime.formatIso(stores.opening!)).toBe("1945-04-25T16:24:14.000Z")
        expect(yield* Book.objects.filter({ rating: { lt: 4.5 } }).count()).toBe(4)
        expect(yield* Book.objects.filter({ pubdate: { gte: "2008-01-01" } }).count()).toBe(3)
        expect(yield* Author.objects.filter({ name: { contains: "a" } }).count()).toBe(6)
      })))
  })
}
