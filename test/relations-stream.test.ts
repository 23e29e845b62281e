/**
 * Streaming rows with their relations: selectRelated rows come from the cursor, prefetchRelated relations are loaded
 * per chunk of rows, inside and outside a transaction.
 */
import { expect, layer } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { Db } from "../src/index.js"
import * as Testing from "../src/testing/index.js"
import { Author, Book, models, Publisher } from "./fixtures/library.js"

const seed = Effect.gen(function*() {
  const authors = yield* Author.objects.bulkCreate([{ name: "Ann" }, { name: "Bob" }])
  const publishers = yield* Publisher.objects.bulkCreate(
    Array.from({ length: 1200 }, (_, i) => ({ name: `P${String(i).padStart(4, "0")}` }))
  )
  const books = yield* Book.objects.bulkCreate(publishers.map((p, i) => ({ name: `B${i}`, pages: i, publisherId: p.id })))
  yield* Book.objects.related(books[0]!, "authors").add(...authors)
  return { publishers, books }
})

for (const driver of Testing.drivers([...models])) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("streams rows with prefetched relations, one query per relation and chunk of 500", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const { queries, result } = yield* Testing.captureQueries(
          Stream.runCollect(Publisher.objects.prefetchRelated("books.authors").stream())
        )
        const rows = Chunk.toReadonlyArray(result)
        expect(rows.length).toBe(1200)
        expect(rows.every((p) => p.books.length === 1 && p.books[0]!.publisherId === p.id)).toBe(true)
        expect(rows[0]!.books[0]!.authors.map((a) => a.name)).toEqual(["Ann", "Bob"])
        expect(rows[1]!.books[0]!.authors).toEqual([])
        // Books and authors once for each of 3 chunks of 500 rows (in the test's transaction the rows come from
        // DECLARE / FETCH, so that these queries can run on the same connection between fetches).
        const prefetches = queries.filter((q) => q.sql.startsWith("SELECT") && !q.sql.includes("FROM \"publisher\""))
        expect(prefetches.length).toBe(3 * 2)
        expect(queries.filter((q) => q.sql.startsWith("FETCH")).length).toBe(4)
      })))

    it.effect("streams with prefetching outside a transaction, in a read-only one of its own", () =>
      Effect.gen(function*() {
        yield* seed
        expect(yield* Db.inTransaction).toBe(false)
        const rows = Chunk.toReadonlyArray(yield* Stream.runCollect(Publisher.objects.prefetchRelated("books").stream()))
        expect(rows.length).toBe(1200)
        expect(rows.every((p) => p.books.length === 1)).toBe(true)
        // Stopping early releases the transaction and its connection.
        const first = yield* Stream.runCollect(Publisher.objects.prefetchRelated("books").stream().pipe(Stream.take(3)))
        expect(Chunk.toReadonlyArray(first).map((p) => p.name)).toEqual(["P0000", "P0001", "P0002"])
        expect(yield* Publisher.objects.count()).toBe(1200)
      }).pipe(Effect.ensuring(Effect.orDie(Effect.zip(Publisher.objects.delete(), Author.objects.delete())))))

    it.effect("streams selectRelated rows and prefetches inside a transaction", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const rows = yield* Db.atomic(Stream.runCollect(
          Book.objects.selectRelated("publisher").prefetchRelated("authors").filter({ pages: { lt: 3 } }).orderBy("pages").stream()
        ))
        expect(Chunk.toReadonlyArray(rows).map((b) => [b.name, b.publisher.name, b.authors.length])).toEqual([
          ["B0", "P0000", 2],
          ["B1", "P0001", 0],
          ["B2", "P0002", 0]
        ])
      })))
  })
}
