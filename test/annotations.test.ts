/**
 * Annotations with the rest of the QuerySet API on Django's `aggregation` data set, on every driver: distinct,
 * counting, streaming, selectRelated and prefetchRelated, updates and deletes chosen by an annotation, annotations of
 * annotations, and ordering by expressions.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { Avg, Count, F, Max, Sum } from "../src/index.js"
import * as Testing from "../src/testing/index.js"
import { Author, Book, models, Publisher, seed } from "./fixtures/aggregation.js"

for (const driver of Testing.drivers(models)) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("distinct, count, exists, first and stream over annotated rows", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const perBook = Book.objects.annotate({ n: Count("authors") })
        expect(yield* perBook.values("n").distinct().orderBy("n").valuesList("n", { flat: true })).toEqual([1, 2, 3])
        expect(yield* perBook.filter({ n: { gte: 2 } }).count()).toBe(3)
        expect(yield* perBook.filter({ n: { gt: 3 } }).exists()).toBe(false)
        const first = yield* perBook.orderBy("-n", "pk").first()
        expect(first._tag === "Some" ? [first.value.id, first.value.n] : null).toEqual([4, 3])
        const streamed = yield* perBook.orderBy("pk").stream().pipe(Stream.map((b) => b.n), Stream.runCollect)
        expect(Array.from(streamed)).toEqual([2, 1, 1, 3, 2, 1])
        const sliced = yield* perBook.orderBy("-n", "pk").slice(0, 3).aggregate({ avg: Avg("n"), most: Max("n") })
        expect(sliced).toEqual({ avg: 7 / 3, most: 3 })
      })))

    it.effect("annotations with selectRelated and prefetchRelated, and annotations of annotations", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const books = yield* Book.objects.selectRelated("publisher").prefetchRelated("authors").annotate({
          n: Count("authors"),
          ages: Sum("authors.age")
        }).annotate({ mean: F("ages").div(F("n")) }).orderBy("pk")
        expect(books.map((b) => [b.publisher.name, b.authors.length, b.n, b.ages, b.mean])).toEqual([
          ["Apress", 2, 2, 69, 34], ["Sams", 1, 1, 45, 45], ["Apress", 1, 1, 29, 29],
          ["Prentice Hall", 3, 3, 91, 30], ["Prentice Hall", 2, 2, 103, 51], ["Morgan Kaufmann", 1, 1, 57, 57]
        ])
        // F of an annotation in a filter, and ordering by an expression with NULLs placed.
        const older = yield* Book.objects.annotate({ oldest: Max("authors.age") }).filter({ oldest: { gt: F("pages").div(10) } }).orderBy("pk").valuesList("pk", { flat: true })
        // Integer division: only book 4 (350 pages, an author of 37) has an author older than a tenth of its pages.
        expect(older).toEqual([4])
        const ranked = yield* Publisher.objects.annotate({ best: Max("books.rating") }).orderBy(F("best").desc({ nulls: "last" }), "pk").valuesList("name", { flat: true })
        expect(ranked).toEqual(["Morgan Kaufmann", "Apress", "Prentice Hall", "Sams", "Jonno's House of Books"])
        const first = yield* Publisher.objects.annotate({ best: Max("books.rating") }).orderBy(F("best").asc({ nulls: "first" }), "pk").valuesList("name", { flat: true })
        expect(first[0]).toBe("Jonno's House of Books")
      })))

    it.effect("update and delete the rows an annotation chooses; a grouped update is refused", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const updated = yield* Publisher.objects.annotate({ n: Count("books") }).filter({ n: { gte: 2 } }).update({ numAwards: F("numAwards").add(100) })
        expect(updated).toBe(2)
        expect(yield* Publisher.objects.orderBy("pk").valuesList("numAwards", { flat: true })).toEqual([103, 1, 107, 9, 0])
        const deleted = yield* Author.objects.annotate({ n: Count("books") }).filter({ n: 0 }).delete()
        expect(deleted.total).toBe(0)
        const refused = yield* Effect.flip(Book.objects.values("rating").annotate({ n: Count("id") }).update({ pages: 1 }))
        expect(refused._tag).toBe("QueryError")
        expect(yield* Book.objects.aggregate({ pages: Sum("pages") })).toEqual({ pages: 3703 })
      })))
  })
}
