/**
 * Streaming rows with their relations: selectRelated rows come from the cursor, prefetchRelated relations are loaded
 * per chunk of rows, inside and outside a transaction.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Stream } from "effect"
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
    it.effect("streams rows with prefetched relations, one query per relation and chunk of 1,000 (or chunkSize)", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const { queries, result: rows } = yield* Testing.captureQueries(
          Stream.runCollect(Publisher.objects.prefetchRelated("books.authors").stream())
        )
        expect(rows.length).toBe(1200)
        expect(rows.every((p) => p.books.length === 1 && p.books[0]!.publisherId === p.id)).toBe(true)
        expect(rows[0]!.books[0]!.authors.map((a) => a.name)).toEqual(["Ann", "Bob"])
        expect(rows[1]!.books[0]!.authors).toEqual([])
        // Books and authors once for each of 2 chunks of 1,000 rows (in the test's transaction the rows come from
        // DECLARE / FETCH, so that these queries can run on the same connection between fetches).
        const prefetches = queries.filter((q) => q.sql.startsWith("SELECT") && !q.sql.includes("FROM \"publisher\""))
        expect(prefetches.length).toBe(2 * 2)
        // The stream's own query is logged once (the DECLARE and FETCH statements that read it are not logged), and
        // nothing else ran: the publishers' query, then books and authors per chunk.
        expect(queries.filter((q) => q.sql.includes("FROM \"publisher\"")).length).toBe(1)
        expect(queries[0]!.sql).toContain("FROM \"publisher\"")
        expect(queries.length).toBe(1 + 2 * 2)
        // chunkSize sets the rounds: 3 of 500 rows.
        const chunked = yield* Testing.captureQueries(Stream.runCollect(Publisher.objects.prefetchRelated("books.authors").stream({ chunkSize: 500 })))
        expect(chunked.result.map((p) => p.name)).toEqual(rows.map((p) => p.name))
        expect(chunked.queries.length).toBe(1 + 3 * 2)
      })))

    it.effect("a bad chunkSize is a QueryError before any SQL", () =>
      Effect.gen(function*() {
        for (const chunkSize of [0, -1, 1.5, Number.NaN, Infinity, "10" as unknown as number]) {
          const { queries, result } = yield* Testing.captureQueries(Effect.flip(Stream.runCollect(Publisher.objects.stream({ chunkSize }))))
          expect(result._tag).toBe("QueryError")
          expect(result.message).toContain("chunkSize must be a positive integer")
          expect(queries).toEqual([])
        }
      }))

    it.effect("streams with prefetching outside a transaction, in a read-only one of its own", () =>
      Effect.gen(function*() {
        yield* seed
        expect(yield* Db.inTransaction).toBe(false)
        const rows = yield* Stream.runCollect(Publisher.objects.prefetchRelated("books").stream())
        expect(rows.length).toBe(1200)
        expect(rows.every((p) => p.books.length === 1)).toBe(true)
        // Stopping early releases the transaction and its connection.
        const first = yield* Stream.runCollect(Publisher.objects.prefetchRelated("books").stream().pipe(Stream.take(3)))
        expect(first.map((p) => p.name)).toEqual(["P0000", "P0001", "P0002"])
        expect(yield* Publisher.objects.count()).toBe(1200)
      }).pipe(Effect.ensuring(Effect.orDie(Effect.zip(Publisher.objects.delete(), Author.objects.delete())))))

    it.effect("streams selectRelated rows and prefetches inside a transaction", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const rows = yield* Db.atomic(Stream.runCollect(
          Book.objects.selectRelated("publisher").prefetchRelated("authors").filter({ pages: { lt: 3 } }).orderBy("pages").stream()
        ))
        expect(rows.map((b) => [b.name, b.publisher.name, b.authors.length])).toEqual([
          ["B0", "P0000", 2],
          ["B1", "P0001", 0],
          ["B2", "P0002", 0]
        ])
      })))
  })
}
