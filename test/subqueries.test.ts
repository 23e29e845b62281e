/**
 * Subqueries on Django's `aggregation` data set, on every driver: `Subquery` (the first row's one column, NULL
 * without rows), `Exists`, `OuterRef`, a QuerySet in `in`, and an aggregate per outer row through a grouped subquery.
 */
import { expect, layer } from "@effect/vitest"
import { BigDecimal, Effect } from "effect"
import { Count, Exists, F, OuterRef, Q, Subquery, Sum } from "../src/index.js"
import * as Testing from "../src/testing/index.js"
import { Author, Book, models, Publisher, seed } from "./fixtures/aggregation.js"

const money = (d: BigDecimal.BigDecimal | null) => d === null ? null : BigDecimal.toNumberUnsafe(d).toFixed(2)

for (const driver of Testing.drivers(models)) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("Subquery with OuterRef: each publisher's newest book, NULL without books", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const newest = yield* Publisher.objects.annotate({
          newest: Subquery(Book.objects.filter({ publisher: OuterRef("pk") }).orderBy("-pubdate").values("name").slice(0, 1)),
          pages: Subquery(Book.objects.filter({ publisher: OuterRef("pk") }).orderBy("-pages").valuesList("pages", { flat: true }).slice(0, 1))
        }).orderBy("pk").valuesList("name", "newest", "pages")
        expect(newest.map(([n, b, p]) => [n, b?.slice(0, 20) ?? null, p])).toEqual([
          ["Apress", "Practical Django Pro", 447], ["Sams", "Sams Teach Yourself ", 528],
          ["Prentice Hall", "Python Web Developme", 1132], ["Morgan Kaufmann", "Paradigms of Artific", 946], ["Jonno's House of Books", null, null]
        ])
      })))

    it.effect("an aggregate per outer row through a grouped subquery, and ordering and filtering by it", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const totals = Book.objects.filter({ publisher: OuterRef("pk") }).values("publisher").annotate({ total: Sum("price") }).values("total")
        const rows = yield* Publisher.objects.annotate({ total: Subquery(totals) }).filter({ total: { gt: BigDecimal.fromStringUnsafe("50") } }).orderBy("-total")
        expect(rows.map((p) => [p.name, money(p.total)])).toEqual([["Prentice Hall", "112.49"], ["Morgan Kaufmann", "75.00"], ["Apress", "59.69"]])
      })))

    it.effect("Exists as an annotation and as a condition, negated with Q.not, and with conditions on the outer row", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const rated = yield* Publisher.objects.annotate({
          great: Exists(Book.objects.filter({ publisher: OuterRef("pk"), rating: { gte: 4.5 } }))
        }).orderBy("pk").valuesList("great", { flat: true })
        expect(rated).toEqual([true, false, false, true, false])
        const some = yield* Publisher.objects.filter(Exists(Book.objects.filter({ publisher: OuterRef("pk") }))).count()
        expect(some).toBe(4)
        const none = yield* Publisher.objects.filter(Q.not<any>(Exists(Book.objects.filter({ publisher: OuterRef("pk") })))).valuesList("name", { flat: true })
        expect(none).toEqual(["Jonno's House of Books"])
        // The inner query compares with an outer column: books with an author other than their contact.
        const coauthored = yield* Book.objects.filter(Exists(Author.objects.filter({ books: { id: OuterRef("pk") }, id: { gt: OuterRef("contact") } }))).orderBy("pk").valuesList("pk", { flat: true })
        expect(coauthored).toEqual([1, 4, 5])
      })))

    it.effect("a QuerySet (or Subquery) of one column in `in`", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const contacts = yield* Author.objects.filter({ id: { in: Book.objects.filter({ rating: { gte: 4.5 } }).values("contact") } }).orderBy("pk").valuesList("name", { flat: true })
        expect(contacts).toEqual(["Adrian Holovaty", "Peter Norvig"])
        const big = yield* Publisher.objects.filter({ id: { in: Subquery(Book.objects.filter({ pages: { gt: 500 } }).values("publisher")) } }).count()
        expect(big).toBe(3)
        // A correlated subquery counting per row, as an annotation.
        const counts = yield* Publisher.objects.annotate({
          n: Subquery(Book.objects.filter({ publisher: OuterRef("pk") }).values("publisher").annotate({ c: Count("id") }).values("c"))
        }).orderBy("pk").valuesList("n", { flat: true })
        expect(counts).toEqual([2, 1, 2, 1, null])
        expect(yield* Book.objects.filter({ pages: { gt: F("pages").sub(1) } }).count()).toBe(6)
      })))

    it.effect("bad subqueries are FieldErrors before SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const refused = (effect: any) => Effect.map(Effect.flip(effect as Effect.Effect<unknown, any>), (e: any) => [e._tag, e.reason])
        const [tag1, reason1] = yield* refused(Publisher.objects.annotate({ x: Subquery(Book.objects.all() as any) as any }))
        expect([tag1, reason1]).toEqual(["FieldError", expect.stringMatching(/one column/)])
        const [tag2, reason2] = yield* refused(Book.objects.filter({ publisher: OuterRef("pk") as any }))
        expect([tag2, reason2]).toEqual(["FieldError", expect.stringMatching(/only valid in a subquery/)])
        const [tag3, reason3] = yield* refused(Publisher.objects.annotate({ x: Subquery(Book.objects.filter({ publisher: OuterRef("nope") }).values("id")) }))
        expect([tag3, reason3]).toEqual(["FieldError", expect.stringMatching(/unknown field/)])
        const [tag4] = yield* refused(Publisher.objects.filter(F("name") as any))
        expect(tag4).toBe("FieldError")
        const [tag5, reason5] = yield* refused(Book.objects.filter(Exists(Author.objects.filter({ age: { gt: OuterRef("contact.age") } }))))
        expect([tag5, reason5]).toEqual(["FieldError", expect.stringMatching(/not a path/)])
        expect(yield* Publisher.objects.count()).toBe(5)
      })))
  })
}
