/**
 * Annotations, aggregates and grouping on Django's `aggregation` data set (`./fixtures/aggregation.ts`), with the
 * exact values of Django's tests (`./fixtures/aggregationExpected.ts`), on every driver. Where Django's joins
 * inflate a result, the expected value is the correct one, computed by hand.
 */
import { expect, layer } from "@effect/vitest"
import { BigDecimal, Duration, Effect } from "effect"
import {
  ArrayAgg, Avg, Case, Coalesce, Count, F, Lower, Max, Min, StdDev, StringAgg, Sum, Value, When
} from "../src/index.js"
import * as Testing from "../src/testing/index.js"
import { Author, Book, models, Publisher, seed, Store } from "./fixtures/aggregation.js"

const dec = (s: string) => BigDecimal.fromStringUnsafe(s)
/** A decimal to the cent, as text ("75.00"). */
const money = (d: BigDecimal.BigDecimal | null) => {
  if (d === null) return null
  return BigDecimal.toNumberUnsafe(d).toFixed(2)
}
const round = (n: number | null, places: number) => n === null ? null : Math.round(n * 10 ** places) / 10 ** places

for (const driver of Testing.drivers(models)) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("aggregate: sums, averages, counts, durations and decimals to the cent", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const ages = yield* Author.objects.aggregate({ sum: Sum("age"), avg: Avg("age"), n: Count("rating") })
        expect([ages.sum, round(ages.avg, 1), ages.n]).toEqual([337, 37.4, 0])
        const distinct = yield* Book.objects.aggregate({ avg: Avg("rating", { distinct: true }), n: Count("rating", { distinct: true }), sum: Sum("rating", { distinct: true }) })
        expect(distinct).toEqual({ avg: 4.125, n: 4, sum: 16.5 })
        const durations = yield* Publisher.objects.aggregate({ avg: Avg("duration"), sum: Sum("duration") })
        expect(Duration.toMillis(durations.avg!)).toBe(Duration.toMillis(Duration.hours(36)))
        expect(Duration.toMillis(durations.sum!)).toBe(Duration.toMillis(Duration.days(3)))
        const price = yield* Book.objects.filter({ rating: 4 }).aggregate({ avg: Avg("price") })
        expect(money(price.avg)).toBe("47.39")
        const precedence = yield* Book.objects.filter({ rating: 4 }).aggregate({ first: Avg("price").add(2).mul(3), second: Avg("price").add(6) })
        expect(money(precedence.first)).toBe("148.18")
        expect(money(precedence.second)).toBe("53.39")
        // Integer division of two integer aggregates, as in SQL and Django.
        const division = yield* Author.objects.aggregate({ q: Sum("age").div(Count()), avg: Avg("age") })
        expect(division.q).toBe(37)
      })))

    it.effect("aggregate across relations counts each related row, as Django's joins", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        expect(round((yield* Author.objects.aggregate({ a: Avg("friends.age") })).a, 2)).toBe(34.07)
        expect(round((yield* Book.objects.filter({ rating: { lt: 4.5 } }).aggregate({ a: Avg("authors.age") })).a, 2)).toBe(38.29)
        expect((yield* Author.objects.filter({ name: { contains: "a" } }).aggregate({ a: Avg("books.rating") })).a).toBe(4)
        expect((yield* Book.objects.aggregate({ s: Sum("publisher.numAwards") })).s).toBe(30)
        expect(money((yield* Publisher.objects.aggregate({ s: Sum("books.price") })).s)).toBe("270.27")
        const multi = yield* Store.objects.aggregate({ max: Max("books.authors.age"), links: Count("books.authors") })
        expect(multi).toEqual({ max: 57, links: 21 })
      })))

    it.effect("annotate per row: many-to-many, reverse keys, forward keys, nulls from empty groups", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const perBook = yield* Book.objects.annotate({ n: Count("authors") }).orderBy("name").valuesList("n", { flat: true })
        expect(perBook).toEqual([2, 1, 1, 3, 1, 2])
        const books = yield* Author.objects.annotate({ n: Count("books") }).orderBy("name")
        expect(books.map((a) => [a.name, a.n])).toEqual([
          ["Adrian Holovaty", 1], ["Brad Dayley", 1], ["Jacob Kaplan-Moss", 1], ["James Bennett", 1], ["Jeffrey Forcier", 1],
          ["Paul Bissex", 1], ["Peter Norvig", 2], ["Stuart Russell", 1], ["Wesley J. Chun", 1]
        ])
        const prices = yield* Publisher.objects.annotate({ total: Sum("books.price") }).orderBy("name")
        expect(prices.map((p) => [p.name, money(p.total)])).toEqual([
          ["Apress", "59.69"], ["Jonno's House of Books", null], ["Morgan Kaufmann", "75.00"], ["Prentice Hall", "112.49"], ["Sams", "23.09"]
        ])
        const friends = yield* Author.objects.annotate({ a: Avg("friends.age") }).orderBy("name").valuesList("name", "a")
        expect(friends.map(([n, a]) => [n, round(a, 2)])).toEqual([
          ["Adrian Holovaty", 32], ["Brad Dayley", null], ["Jacob Kaplan-Moss", 29.5], ["James Bennett", 34], ["Jeffrey Forcier", 27],
          ["Paul Bissex", 31], ["Peter Norvig", 46], ["Stuart Russell", 57], ["Wesley J. Chun", 33.67]
        ])
        const rating = yield* Publisher.objects.annotate({ r: Avg("books.rating", { default: 2.5 }).mul(20) }).orderBy("name").valuesList("r", { flat: true })
        expect(rating).toEqual([85, 50, 100, 80, 60])
        const earliest = yield* Publisher.objects.annotate({ d: Min("books.pubdate", { default: Value("1970-01-01") }) }).orderBy("name").valuesList("d", { flat: true })
        expect(earliest).toEqual(["2007-12-06", "1970-01-01", "1991-10-15", "1995-01-15", "2008-03-03"])
        const awards = yield* Book.objects.annotate({ s: Sum("publisher.numAwards") }).orderBy("name").valuesList("s", { flat: true })
        expect(awards).toEqual([7, 9, 3, 7, 1, 3])
      })))

    it.effect("two aggregates over two many-valued relations do not multiply each other (Django's documented trap)", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const rows = yield* Book.objects.annotate({ a: Count("authors"), s: Count("stores") }).orderBy("pk").valuesList("pk", "a", "s")
        expect(rows).toEqual([[1, 2, 2], [2, 1, 1], [3, 1, 3], [4, 3, 2], [5, 2, 2], [6, 1, 3]])
        const authors = yield* Author.objects.annotate({ pages: Sum("books.pages"), nFriends: Count("friends") }).orderBy("pk").valuesList("pk", "pages", "nFriends")
        expect(authors).toEqual([[1, 447, 2], [2, 447, 2], [3, 528, 0], [4, 300, 1], [5, 350, 2], [6, 350, 2], [7, 350, 3], [8, 2078, 1], [9, 1132, 1]])
        const publishers = yield* Publisher.objects.annotate({ total: Sum("books.price"), links: Count("books.authors") }).orderBy("name")
        expect(publishers.map((p) => [p.name, money(p.total), p.links])).toEqual([
          ["Apress", "59.69", 3], ["Jonno's House of Books", null, 0], ["Morgan Kaufmann", "75.00", 1], ["Prentice Hall", "112.49", 5], ["Sams", "23.09", 1]
        ])
        const stores = yield* Store.objects.annotate({ n: Count("books.authors", { distinct: true }), links: Count("books.authors") }).orderBy("name").valuesList("name", "n", "links")
        expect(stores).toEqual([["Amazon.com", 9, 10], ["Books.com", 5, 6], ["Mamma and Pappa's Books", 5, 5]])
      })))

    it.effect("filter then annotate counts the filtered related rows; annotate then filter counts them all", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const before = yield* Publisher.objects.filter({ books: { rating: { gt: 3 } } }).annotate({ n: Count("books") }).orderBy("name").valuesList("name", "n")
        expect(before).toEqual([["Apress", 2], ["Morgan Kaufmann", 1], ["Prentice Hall", 2]])
        const after = yield* Publisher.objects.annotate({ n: Count("books") }).filter({ books: { rating: { gt: 3 } } }).orderBy("name").valuesList("name", "n")
        expect(after).toEqual([["Apress", 2], ["Morgan Kaufmann", 1], ["Prentice Hall", 2]])
        const cheap = yield* Publisher.objects.filter({ books: { price: { lt: dec("40") } } }).annotate({ n: Count("books") }).orderBy("name").valuesList("name", "n")
        expect(cheap).toEqual([["Apress", 2], ["Prentice Hall", 1], ["Sams", 1]])
        // Both orders and two relations at once: the filter on books chooses the books, not the stores' books.
        const combined = yield* Book.objects.filter({ authors: { age: { gt: 30 } } }).annotate({ old: Count("authors"), nStores: Count("stores") }).orderBy("pk").valuesList("pk", "old", "nStores")
        // Authors' ages per book: 1 [34, 35], 2 [45], 3 [29], 4 [37, 29, 25], 5 [57, 46], 6 [57].
        expect(combined).toEqual([[1, 2, 2], [2, 1, 1], [4, 1, 2], [5, 2, 2], [6, 1, 3]])
        // An exclude does not choose the related rows (it is a NOT EXISTS), as in Django.
        const excluded = yield* Publisher.objects.exclude({ books: { rating: { lt: 4 } } }).annotate({ n: Count("books") }).orderBy("name").valuesList("name", "n")
        expect(excluded).toEqual([["Apress", 2], ["Jonno's House of Books", 0], ["Morgan Kaufmann", 1], ["Prentice Hall", 2]])
      })))

    it.effect("a filter on an aggregate annotation (HAVING), and aggregates with filter and default", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const many = yield* Publisher.objects.annotate({ n: Count("books") }).filter({ n: { gt: 1 } }).orderBy("pk").valuesList("name", { flat: true })
        expect(many).toEqual(["Apress", "Prentice Hall"])
        const cheap = yield* Publisher.objects.filter({ books: { price: { lt: dec("40") } } }).annotate({ n: Count("books") }).filter({ n: { gt: 1 } }).valuesList("name", { flat: true })
        expect(cheap).toEqual(["Apress"])
        const filtered = yield* Publisher.objects.annotate({
          good: Count("books", { filter: { books: { rating: { gte: 4 } } } }),
          all: Count("books")
        }).orderBy("name").valuesList("name", "good", "all")
        expect(filtered).toEqual([["Apress", 2, 2], ["Jonno's House of Books", 0, 0], ["Morgan Kaufmann", 1, 1], ["Prentice Hall", 2, 2], ["Sams", 0, 1]])
        const none = yield* Book.objects.filter({ pages: { gt: 10_000 } }).aggregate({ s: Sum("pages"), d: Sum("pages", { default: 0 }), n: Count() })
        expect(none).toEqual({ s: null, d: 0, n: 0 })
        const empty = yield* Book.objects.none().aggregate({ s: Sum("pages"), n: Count("id") })
        expect(empty).toEqual({ s: null, n: 0 })
      })))

    it.effect("values(...).annotate(...) groups; ordering and aggregate over the groups", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const byRating = yield* Book.objects.values("rating").annotate({ n: Count("id"), total: Sum("pages") }).orderBy("rating")
        expect(byRating).toEqual([
          { rating: 3, n: 1, total: 528 }, { rating: 4, n: 3, total: 1782 }, { rating: 4.5, n: 1, total: 447 }, { rating: 5, n: 1, total: 946 }
        ])
        const most = yield* Book.objects.values("rating").annotate({ n: Count("id") }).aggregate({ max: Max("n"), top: Max("rating") })
        expect(most).toEqual({ max: 3, top: 5 })
        const byPublisher = yield* Book.objects.values("publisher.name").annotate({ nAuthors: Count("authors") }).orderBy("-nAuthors", "publisher.name")
        expect(byPublisher.map((r) => [r["publisher.name"], r.nAuthors])).toEqual([["Prentice Hall", 5], ["Apress", 3], ["Morgan Kaufmann", 1], ["Sams", 1]])
        const grouped = yield* Book.objects.values("rating").annotate({ n: Count("id") }).filter({ n: { gt: 1 } }).valuesList("rating", { flat: true })
        expect(grouped).toEqual([4])
        // Groups of an annotation holding a value, and groups as tuples.
        const hundreds = yield* Book.objects.annotate({ h: F("pages").div(100) }).values("h").annotate({ n: Count("id") }).orderBy("h")
        expect(hundreds).toEqual([{ h: 3, n: 2 }, { h: 4, n: 1 }, { h: 5, n: 1 }, { h: 9, n: 1 }, { h: 11, n: 1 }])
        expect(yield* Book.objects.valuesList("rating").annotate({ n: Count("id") }).orderBy("rating")).toEqual([[3, 1], [4, 3], [4.5, 1], [5, 1]])
        const avgAuthors = yield* Book.objects.annotate({ n: Count("authors") }).aggregate({ avg: Avg("n") })
        expect(round(avgAuthors.avg, 2)).toBe(1.67)
      })))

    it.effect("expressions and functions in annotations: Case/When, Coalesce, Lower, StringAgg, ArrayAgg, BoolOr, StdDev", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const grades = yield* Book.objects.annotate({
          grade: Case(When({ rating: { gte: 4.5 } }, Value("great")), When({ rating: { gte: 4 } }, Value("good")), { default: Value("fair") }),
          lower: Lower("name"),
          value: F("price").mul(F("pages"))
        }).orderBy("pk").valuesList("grade", "lower", "value")
        expect(grades.map(([g, l, v]) => [g, l.slice(0, 12), money(v)])).toEqual([
          ["great", "the definiti", "13410.00"], ["fair", "sams teach y", "12191.52"], ["good", "practical dj", "8907.00"],
          ["good", "python web d", "10391.50"], ["good", "artificial i", "93729.60"], ["great", "paradigms of", "70950.00"]
        ])
        const names = yield* Publisher.objects.annotate({
          isbns: StringAgg("books.isbn", ",", { ordering: [F("books.isbn").asc()] }),
          ids: ArrayAgg("books.id", { ordering: [F("books.id").desc()] }),
          fewest: Coalesce(Min("books.pages"), Value(0))
        }).orderBy("pk").valuesList("isbns", "ids", "fewest")
        expect(names).toEqual([
          ["159059725,159059996", [3, 1], 300], ["067232959", [2], 528], ["013235613,013790395", [5, 4], 350], ["155860191", [6], 946], [null, null, 0]
        ])
        const spread = yield* Author.objects.aggregate({ s: StdDev("age") })
        expect(round(spread.s, 2)).toBe(9.59)
      })))

    it.effect("bad expressions are typed FieldErrors before SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const refused = (effect: any, pattern: RegExp) =>
          Effect.gen(function*() {
            const error: any = yield* Effect.flip(effect as Effect.Effect<unknown, unknown>)
            expect(error._tag).toBe("FieldError")
            expect(error.reason).toMatch(pattern)
          })
        yield* refused(Book.objects.annotate({ s: Sum("name" as any) as any }), /sum\(name \(Char\)\)/)
        yield* refused(Book.objects.annotate({ name: Count("id") } as any), /conflicts with a field/)
        yield* refused(Book.objects.annotate({ s: Sum(Count("id") as any) as any }), /contains an aggregate/)
        yield* refused(Book.objects.annotate({ x: F("nope") as any }), /unknown field/)
        yield* refused(Book.objects.aggregate({ x: F("pages") as any }), /not an aggregate/)
        yield* refused(Book.objects.annotate({ x: Lower("pages" as any) as any }), /expected string/)
        yield* refused(Book.objects.annotate({ x: Coalesce("name", "pages") as any }), /expected string/)
        yield* refused(Book.objects.annotate({ x: 3 as any }), /expected an expression/)
        expect(yield* Book.objects.count()).toBe(6)
      })))
  })
}
