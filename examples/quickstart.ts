/**
 * The quick start: models and relations, lazy querysets, lookups, loading related rows, updates, transactions and
 * typed errors, on the embedded PostgreSQL (PGlite, in memory). Run with `npm start`.
 */
import { BigDecimal, Console, Effect, Option, Stream } from "effect"
import { Avg, Count, Db, F, Max, PGlite, Prefetch, Q, QueryLog } from "effect-orm"
import { Migrator } from "effect-orm/migrations"
import { fileURLToPath } from "node:url"
import { Author, Book, Publisher } from "./models.js"

const price = BigDecimal.fromStringUnsafe

const show = (title: string, value: unknown) => Console.log(`\n${title}\n  ${JSON.stringify(value, replacer, 1).replace(/\n\s*/g, " ")}`)
// JSON.stringify calls BigDecimal's toJSON first: print the decimal itself instead of its parts.
const replacer = (_: string, v: any) =>
  v?._id === "BigDecimal" ? BigDecimal.format(BigDecimal.make(BigInt(v.value), v.scale)) : typeof v === "bigint" ? `${v}n` : v

const program = Effect.gen(function*() {
  yield* Console.log("Migrating an in-memory PostgreSQL (PGlite): examples/migrations...")
  // The schema as production gets it: the migration files `effect-orm makemigrations` wrote from models.ts.
  yield* Migrator.migrate(fileURLToPath(new URL("./migrations", import.meta.url)))

  const apressPub = yield* Publisher.objects.create({ name: "Apress", numAwards: 3 })
  const oreilly = yield* Publisher.objects.create({ name: "O'Reilly", numAwards: 7 })
  const [ada, bo] = yield* Author.objects.bulkCreate([{ name: "Ada" }, { name: "Bo" }])
  const books = [
    { name: "Practical Django", pages: 520, rating: 4.5, price: price("29.99"), pubdate: "2008-12-01", publisher: apressPub },
    { name: "Effect in Action", pages: 340, rating: null, price: price("44.50"), pubdate: "2024-05-17", format: "ebook" as const, publisher: oreilly },
    { name: "PostgreSQL Internals", pages: 610, rating: 4.8, price: price("59.00"), pubdate: "2019-03-08", format: "hardcover" as const, publisher: oreilly },
    { name: "Async Python", pages: 280, rating: 3.2, price: price("19.95"), pubdate: "2021-07-30", publisher: apressPub }
  ]
  for (const data of books) {
    const book = yield* Book.objects.create(data)   // stores publisherId
    yield* Book.objects.related(book, "authors").add(data.pages > 500 ? ada! : bo!)
  }

  // A QuerySet is a lazy, immutable value: nothing runs until it is yielded.
  const long = Book.objects.filter({ pages: { gt: 500 } }).orderBy("-pubdate")
  yield* show("SQL of books over 500 pages, newest first:", yield* long.toSql())
  yield* show("Their names:", (yield* long).map((b) => b.name))

  yield* show(
    "Published from 2019 on, or rated below 4 (Q.or, date parts):",
    yield* Book.objects.filter(Q.or({ pubdate: { year: { gte: 2019 } } }, { rating: { lt: 4 } })).valuesList("name", { flat: true })
  )
  yield* show(
    "exclude({ rating: { gte: 4 } }) keeps unrated books, as in Django:",
    yield* Book.objects.exclude({ rating: { gte: 4 } }).valuesList("name", { flat: true })
  )
  yield* show("values('name', 'price') of the two cheapest:", yield* Book.objects.orderBy("price").values("name", "price").slice(0, 2))
  yield* show("count() of ebooks:", yield* Book.objects.filter({ format: "ebook" }).count())
  const stats = yield* Book.objects.aggregate({ books: Count(), avgPrice: Avg("price"), longest: Max("pages") })
  yield* show("aggregate(): count, exact average price (a BigDecimal, rounded here to cents), longest book:", {
    ...stats,
    avgPrice: stats.avgPrice === null ? null : BigDecimal.format(BigDecimal.round(stats.avgPrice, { scale: 2 }))
  })

  // Relations: lookups across them, and loading them explicitly (the row type says what was loaded).
  yield* show("Publishers with a book over 500 pages by an author named Ada (an EXISTS, no duplicates):",
    yield* Publisher.objects.filter({ books: { pages: { gt: 500 }, authors: { name: "Ada" } } }).valuesList("name", { flat: true }))
  yield* show("selectRelated('publisher'): one query with a JOIN, book.publisher typed:",
    (yield* Book.objects.selectRelated("publisher").orderBy("publisher.name", "name")).map((b) => `${b.name} / ${b.publisher.name}`))
  const withBooks = yield* QueryLog.capture(Publisher.objects.prefetchRelated(
    "books.authors",
    Prefetch("books", Book.objects.filter({ pages: { gt: 400 } }), { to: "longBooks" })
  ))
  yield* show(`prefetchRelated('books.authors') and a Prefetch, in ${withBooks.queries.length} queries:`,
    withBooks.result.map((p) => ({
      publisher: p.name,
      books: p.books.map((b) => `${b.name} by ${b.authors.map((a) => a.name).join(", ")}`),
      longBooks: p.longBooks.map((b) => b.name)
    })))
  const allBooks = yield* Book.objects.all()
  const batched = yield* QueryLog.capture(
    // Loads run concurrently are batched into one query per relation.
    Effect.forEach(allBooks, (b) => Book.objects.related(b, "publisher"), { concurrency: "unbounded" })
  )
  yield* show(`related(book, 'publisher') for ${allBooks.length} books, batched into ${batched.queries.length} query:`,
    batched.result.map((p) => p.name))

  const updated = yield* Book.objects.filter({ name: { icontains: "django" } }).update({ pages: F("pages").add(10) })
  yield* show("update() with F('pages').add(10), rows updated:", updated)

  const first = yield* Book.objects.first()
  yield* show("first() by the model ordering (name):", Option.map(first, (b) => b.name))

  yield* show("get() of a missing book fails with a typed DoesNotExist:",
    yield* Book.objects.get({ name: "Missing" }).pipe(Effect.catchTag("DoesNotExist", (e) => Effect.succeed(e.message))))

  yield* show("A bad write fails with ValidationError listing every bad field, and writes nothing:",
    yield* Publisher.objects.create({ name: "x".repeat(300), numAwards: -1 }).pipe(
      Effect.catchTag("ValidationError", (e) => Effect.succeed(e.issues.map((i) => i.field)))
    ))

  yield* show("A duplicate name fails with a typed IntegrityError:",
    yield* Publisher.objects.create({ name: "Apress" }).pipe(
      Effect.catchTag("IntegrityError", (e) => Effect.succeed({ kind: e.kind, constraint: e.constraint }))
    ))

  // A failure inside Db.atomic rolls the whole block back.
  yield* Db.atomic(Effect.gen(function*() {
    yield* Publisher.objects.create({ name: "Doomed Press" })
    return yield* Effect.fail("changed my mind")
  })).pipe(Effect.ignore)
  yield* show("After a rolled-back transaction, publishers are:", yield* Publisher.objects.valuesList("name", { flat: true }))

  // Instances are immutable: save() returns the row as stored.
  const apress = yield* Publisher.objects.get({ name: "Apress" })
  const renamed = yield* Publisher.objects.save(new Publisher({ ...apress, numAwards: apress.numAwards + 1 }))
  yield* show("save() of a changed copy returns the stored row:", { name: renamed.name, numAwards: renamed.numAwards })

  const [manning, created] = yield* Publisher.objects.getOrCreate({ name: "Manning" }, { numAwards: 2 })
  yield* show("getOrCreate() creates once, then finds:", [manning.name, created, (yield* Publisher.objects.getOrCreate({ name: "Manning" }))[1]])

  const added = yield* Book.objects.bulkCreate([
    { name: "Rust in Action", pages: 456, price: price("39.99"), pubdate: "2021-08-10", publisherId: manning.id },
    { name: "SQL Antipatterns", pages: 328, price: price("34.95"), pubdate: "2010-06-25", publisherId: manning.id }
  ])
  yield* show("bulkCreate() inserts in one statement and returns the new ids:", added.map((b) => b.id))

  yield* show("Deleting a publisher cascades to its books and their author links, counted per model:",
    yield* Publisher.objects.deleteInstance(apressPub))

  yield* Db.atomic(Effect.gen(function*() {
    yield* Book.objects.filter({ pages: { lt: 350 } }).delete()
    yield* Db.onCommit(Console.log("\nonCommit: the transaction committed, short books are gone"))
  }))

  yield* Console.log("\nStreaming every book:")
  yield* Book.objects.stream().pipe(Stream.runForEach((b) => Console.log(`  ${b.name} (${b.pages} pages, ${BigDecimal.format(b.price)})`)))
})

program.pipe(Effect.provide(PGlite.layer()), Effect.runPromise).then(
  () => console.log("\nDone."),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
