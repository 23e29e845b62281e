/**
 * ORM overhead benchmark: the same queries through the ORM and as raw statements of the Effect 4 SQL client
 * (`effect/sql`), on the same client in the same run, on PGlite (in memory) and on the PostgreSQL server
 * (`@effect/sql-pg` on `DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/test; skipped with a note when
 * unreachable). On PGlite the driver itself without Effect (`PGlite.query`) is a third column; on the server the raw
 * drivers are compared in the peer benchmark (`../shared/bench-peers`).
 *
 *   (a) get by pk:                 Book.objects.get({ id })
 *   (b) filter + orderBy + limit:  Book.objects.filter({ pages: { gt: N } }).orderBy("-pubdate").limit(50)
 *   (c) selectRelated + filter:    Book.objects.selectRelated("publisher").filter({ pages: { gt: N } })
 *                                    .orderBy("-pubdate").limit(50)  (one query, INNER JOIN; raw: the same JOIN)
 *   (d) prefetchRelated:           Publisher.objects.orderBy("name").limit(20).prefetchRelated("books")
 *                                    (two queries; raw: the same two statements in sequence, grouped in JS)
 *
 * Each variant is warmed up, then timed over N sequential iterations in several rounds (variants interleaved, their
 * order rotated each round); the table shows the median per-operation time of the rounds.
 *
 * The data: 100 publishers, 2,000 books (20 per publisher). Raw and driver statements select the same columns as the ORM.
 *
 * Run with `npm run bench` (or `npx tsx bench/run.ts`). The server run creates two uniquely named tables (publishers
 * and books) and drops them.
 * Knobs: BENCH_ROUNDS, BENCH_GET_N, BENCH_FILTER_N, BENCH_JOIN_N, BENCH_PREFETCH_N (server iterations; PGlite runs the
 * same counts).
 */
import { Effect, Redacted } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { randomBytes } from "node:crypto"
import { parsers } from "../src/drivers/pgliteTypes.js"
import { Db, Field, Model, PGlite, Postgres, QueryLog, Tables } from "../src/index.js"

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const ROWS = 2_000
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const GET_N = Number(process.env.BENCH_GET_N ?? 2_000)
const FILTER_N = Number(process.env.BENCH_FILTER_N ?? 500)
const JOIN_N = Number(process.env.BENCH_JOIN_N ?? 500)
const PREFETCH_N = Number(process.env.BENCH_PREFETCH_N ?? 300)
const PAGES_GT = 500
const PUBLISHERS = 100
const PREFETCH_PUBLISHERS = 20

// Fresh, uniquely named tables, so the server run never touches anything else.
const suffix = `${process.pid}_${randomBytes(4).toString("hex")}`
const table = `bench_book_${suffix}`
const pubTable = `bench_publisher_${suffix}`

class Publisher extends Model.Class<Publisher>("Publisher")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 100, unique: true }),
  books: Field.Reverse((): Model.Ref<Book> => Book, "publisher")
}, { table: pubTable }) {}

class Book extends Model.Class<Book>("Book")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 255 }),
  pages: Field.Integer(),
  rating: Field.Float({ nullable: true }),
  price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2 }),
  pubdate: Field.Date(),
  publisher: Field.ForeignKey(() => Publisher, { onDelete: "CASCADE" })
}, { table }) {}

// The columns the ORM selects (it aliases publisher_id as "publisherId"; raw and driver rows keep the column name).
const COLUMNS = "id, name, pages, rating, price, pubdate, publisher_id"
const GET_SQL = `SELECT ${COLUMNS} FROM "${table}" WHERE id = $1`
const FILTER_SQL = `SELECT ${COLUMNS} FROM "${table}" WHERE pages > $1 ORDER BY pubdate DESC LIMIT 50`
// selectRelated("publisher"): the book's columns and the publisher's, one INNER JOIN (the key is not nullable).
const JOIN_SQL = `SELECT b.id, b.name, b.pages, b.rating, b.price, b.pubdate, b.publisher_id, p.id AS pub_id, p.name AS pub_name
  FROM "${table}" AS b INNER JOIN "${pubTable}" AS p ON p.id = b.publisher_id
  WHERE b.pages > $1 ORDER BY b.pubdate DESC LIMIT 50`
// prefetchRelated("books"): the publishers, then their books by key.
const PUBS_SQL = `SELECT id, name FROM "${pubTable}" ORDER BY name LIMIT ${PREFETCH_PUBLISHERS}`
const BOOKS_OF_SQL = `SELECT ${COLUMNS} FROM "${table}" WHERE publisher_id = ANY($1::integer[])`

// Deterministic data: publishers "Publisher 001".."Publisher 100" (ids 1..100); pages 50..999 (about half the books
// have more than 500), a fifth of ratings NULL, distinct pubdates, book g published by 1 + g % 100 (20 books each).
const SEED_PUBLISHERS_SQL = `INSERT INTO "${pubTable}" (name)
  SELECT 'Publisher ' || lpad(g::text, 3, '0') FROM generate_series(1, ${PUBLISHERS}) AS g`
const SEED_SQL = `INSERT INTO "${table}" (name, pages, rating, price, pubdate, publisher_id)
  SELECT 'Book ' || g, 50 + (g * 7919) % 950,
         CASE WHEN g % 5 = 0 THEN NULL ELSE ((g * 31) % 50) / 10.0 END,
         ((g * 13) % 10000) / 100.0, DATE '2000-01-01' + (g * 37) % 9000, 1 + g % ${PUBLISHERS}
  FROM generate_series(1, ${ROWS}) AS g`

type Row = Record<string, unknown>

/** Raw prefetch result: each publisher row with its book rows. */
interface PublisherBooks {
  readonly publisher: Row
  readonly books: ReadonlyArray<Row>
}

/** Groups `books` under `publishers` by `publisher_id`, in the publishers' order. */
const groupBooks = (publishers: ReadonlyArray<Row>, books: ReadonlyArray<Row>): ReadonlyArray<PublisherBooks> => {
  const byPublisher = new Map<unknown, Array<Row>>(publishers.map((p) => [p.id, []]))
  for (const b of books) byPublisher.get(b.publisher_id)?.push(b)
  return publishers.map((p) => ({ publisher: p, books: byPublisher.get(p.id)! }))
}

/** The ids to read, in a fixed pseudo-random order. */
const ids = Array.from({ length: 4096 }, (_, i) => 1 + ((i * 7919 + 13) % ROWS))

interface Variant {
  readonly name: string
  /** Runs `n` sequential iterations and returns the elapsed milliseconds. */
  readonly run: (n: number) => Effect.Effect<number, unknown, Db.Db | SqlClient.SqlClient>
}

const effectLoop = (op: (i: number) => Effect.Effect<unknown, unknown, Db.Db | SqlClient.SqlClient>) => (n: number) =>
  Effect.gen(function*() {
    const t0 = performance.now()
    for (let i = 0; i < n; i++) yield* op(i)
    return performance.now() - t0
  })

/** A plain async loop (no Effect per iteration), entered once per round. */
const promiseLoop = (op: (i: number) => Promise<unknown>) => (n: number) =>
  Effect.promise(async () => {
    const t0 = performance.now()
    for (let i = 0; i < n; i++) await op(i)
    return performance.now() - t0
  })

interface Driver {
  readonly name: string
  readonly get: (id: number) => Promise<ReadonlyArray<Row>>
  readonly filter: (gt: number) => Promise<ReadonlyArray<Row>>
  readonly join: (gt: number) => Promise<ReadonlyArray<Row>>
  /** The two prefetch statements in sequence, grouped. */
  readonly prefetch: () => Promise<ReadonlyArray<PublisherBooks>>
}

interface Result {
  readonly driver: string
  readonly op: string
  readonly n: number
  /** Median microseconds per operation, and the spread of the rounds as min–max. */
  readonly us: Record<string, { readonly median: number; readonly min: number; readonly max: number }>
}

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

const measure = (driver: string, op: string, n: number, variants: ReadonlyArray<Variant>) =>
  Effect.gen(function*() {
    const warm = Math.max(50, Math.round(n / 5))
    for (const v of variants) yield* v.run(warm)
    const times: Record<string, Array<number>> = Object.fromEntries(variants.map((v) => [v.name, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(k + round) % variants.length]!
        // A macrotask turn between runs, so signals (Ctrl-C) are handled: PGlite alone never leaves the microtask queue.
        yield* Effect.sleep(0)
        times[v.name]!.push(((yield* v.run(n)) * 1000) / n)
      }
    }
    const us = Object.fromEntries(
      variants.map((v) => [v.name, { median: median(times[v.name]!), min: Math.min(...times[v.name]!), max: Math.max(...times[v.name]!) }])
    )
    const result: Result = { driver, op, n, us }
    process.stdout.write(`  ${driver} ${op}: done\n`)
    return result
  })

/** Runs the measurements on the `Db`/`SqlClient` in context, with `baseline` as the no-Effect driver column if any. */
const suite = (driverName: string, baseline: Driver | undefined) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(SEED_PUBLISHERS_SQL)
    yield* sql.unsafe(SEED_SQL)
    yield* sql.unsafe(`ANALYZE "${pubTable}"`)
    yield* sql.unsafe(`ANALYZE "${table}"`)

    const ormGet = (i: number) => Book.objects.get({ id: ids[i % ids.length]! })
    const rawGet = (i: number) =>
      sql`SELECT id, name, pages, rating, price, pubdate, publisher_id FROM ${sql(table)} WHERE id = ${ids[i % ids.length]!}`
    const longBooks = Book.objects.filter({ pages: { gt: PAGES_GT } }).orderBy("-pubdate").limit(50)
    const rawFilter = sql`SELECT id, name, pages, rating, price, pubdate, publisher_id FROM ${sql(table)} WHERE pages > ${PAGES_GT} ORDER BY pubdate DESC LIMIT 50`
    const longBooksWithPublisher = Book.objects.selectRelated("publisher").filter({ pages: { gt: PAGES_GT } })
      .orderBy("-pubdate").limit(50)
    const rawJoin = sql`SELECT b.id, b.name, b.pages, b.rating, b.price, b.pubdate, b.publisher_id, p.id AS pub_id, p.name AS pub_name
      FROM ${sql(table)} AS b INNER JOIN ${sql(pubTable)} AS p ON p.id = b.publisher_id
      WHERE b.pages > ${PAGES_GT} ORDER BY b.pubdate DESC LIMIT 50`
    const publishersWithBooks = Publisher.objects.orderBy("name").limit(PREFETCH_PUBLISHERS).prefetchRelated("books")
    const rawPrefetch = Effect.gen(function*() {
      const publishers = yield* sql`SELECT id, name FROM ${sql(pubTable)} ORDER BY name LIMIT ${PREFETCH_PUBLISHERS}`
      const books = yield* sql`SELECT id, name, pages, rating, price, pubdate, publisher_id FROM ${sql(table)} WHERE publisher_id = ANY(${
        publishers.map((p) => p.id)
      }::integer[])`
      return groupBooks(publishers, books)
    })

    // Same rows both ways, and show the statements the ORM sends.
    const { queries: [getStatement], result: book } = yield* QueryLog.capture(ormGet(0))
    const [rawBook] = yield* rawGet(0)
    if (book.id !== rawBook!.id || book.name !== rawBook!.name) throw new Error("ORM and raw get disagree")
    const { queries: [filterStatement], result: books } = yield* QueryLog.capture(longBooks)
    const rawBooks = yield* rawFilter
    const driverBooks = baseline === undefined ? rawBooks : yield* Effect.promise(() => baseline.filter(PAGES_GT))
    if (books.length !== 50 || rawBooks.length !== 50 || driverBooks.length !== 50) throw new Error("expected 50 rows")
    if (books.some((b, i) => b.id !== rawBooks[i]!.id)) throw new Error("ORM and raw filter disagree")
    if (books.some((b, i) => b.id !== driverBooks[i]!.id)) throw new Error("ORM and driver filter disagree")

    const { queries: joinStatements, result: joined } = yield* QueryLog.capture(longBooksWithPublisher)
    const rawJoined = yield* rawJoin
    const driverJoined = baseline === undefined ? rawJoined : yield* Effect.promise(() => baseline.join(PAGES_GT))
    if (joinStatements.length !== 1) throw new Error(`selectRelated ran ${joinStatements.length} statements, expected 1`)
    if (joined.length !== 50 || rawJoined.length !== 50 || driverJoined.length !== 50) {
      throw new Error(`selectRelated: expected 50 rows, got ORM ${joined.length}, raw ${rawJoined.length}, driver ${driverJoined.length}`)
    }
    joined.forEach((b, i) => {
      for (const [label, other] of [["raw", rawJoined[i]!], ["driver", driverJoined[i]!]] as const) {
        if (b.id !== other.id || b.publisherId !== other.publisher_id || b.publisher.id !== other.pub_id || b.publisher.name !== other.pub_name) {
          throw new Error(
            `ORM and ${label} selectRelated disagree at row ${i}: ORM book ${b.id} publisher ${b.publisherId}/${b.publisher.id} ` +
              `${JSON.stringify(b.publisher.name)}, ${label} book ${other.id} publisher ${other.publisher_id}/${other.pub_id} ${JSON.stringify(other.pub_name)}`
          )
        }
      }
      // The ORM's rows also equal its plain filter's (same books, same order) with the publisher attached.
      if (b.id !== books[i]!.id) throw new Error(`selectRelated and filter disagree at row ${i}: ${b.id} vs ${books[i]!.id}`)
    })

    const { queries: prefetchStatements, result: pubs } = yield* QueryLog.capture(publishersWithBooks)
    const rawPubs = yield* rawPrefetch
    const driverPubs = baseline === undefined ? rawPubs : yield* Effect.promise(() => baseline.prefetch())
    if (prefetchStatements.length !== 2) throw new Error(`prefetchRelated ran ${prefetchStatements.length} statements, expected 2`)
    for (const [label, other] of [["raw", rawPubs], ["driver", driverPubs]] as const) {
      if (pubs.length !== PREFETCH_PUBLISHERS || other.length !== PREFETCH_PUBLISHERS) {
        throw new Error(`prefetchRelated: expected ${PREFETCH_PUBLISHERS} publishers, got ORM ${pubs.length}, ${label} ${other.length}`)
      }
      pubs.forEach((p, i) => {
        const o = other[i]!
        if (p.id !== o.publisher.id || p.name !== o.publisher.name) {
          throw new Error(`ORM and ${label} prefetch disagree at publisher ${i}: ${p.id} ${p.name} vs ${o.publisher.id} ${o.publisher.name}`)
        }
        if (p.books.length !== ROWS / PUBLISHERS || o.books.length !== ROWS / PUBLISHERS) {
          throw new Error(`prefetch: publisher ${p.id} has ${p.books.length} books (ORM), ${o.books.length} (${label}), expected ${ROWS / PUBLISHERS}`)
        }
        if (p.books.some((b) => b.publisherId !== p.id)) throw new Error(`prefetch: publisher ${p.id} got another publisher's book`)
        const ormIds = p.books.map((b) => b.id).sort((a, b) => a - b).join()
        const otherIds = o.books.map((b) => b.id as number).sort((a, b) => a - b).join()
        if (ormIds !== otherIds) throw new Error(`ORM and ${label} prefetch disagree on the books of publisher ${p.id}`)
      })
    }

    console.log(`  ${driverName} ORM get:      ${getStatement!.sql}`)
    console.log(`  ${driverName} ORM filter:   ${filterStatement!.sql}`)
    console.log(`  ${driverName} ORM select:   ${joinStatements[0]!.sql}`)
    prefetchStatements.forEach((s, i) => console.log(`  ${driverName} ORM prefetch${i + 1}: ${s.sql}`))

    const driver = (run: (b: Driver) => Variant["run"]): ReadonlyArray<Variant> =>
      baseline === undefined ? [] : [{ name: "driver", run: run(baseline) }]
    const get = yield* measure(driverName, "get by pk", GET_N, [
      { name: "orm", run: effectLoop(ormGet) },
      { name: "raw", run: effectLoop(rawGet) },
      ...driver((b) => promiseLoop((i) => b.get(ids[i % ids.length]!)))
    ])
    const filter = yield* measure(driverName, "filter+order+limit 50", FILTER_N, [
      { name: "orm", run: effectLoop(() => longBooks) },
      { name: "raw", run: effectLoop(() => rawFilter) },
      ...driver((b) => promiseLoop(() => b.filter(PAGES_GT)))
    ])
    const join = yield* measure(driverName, "selectRelated+filter+limit 50", JOIN_N, [
      { name: "orm", run: effectLoop(() => longBooksWithPublisher) },
      { name: "raw", run: effectLoop(() => rawJoin) },
      ...driver((b) => promiseLoop(() => b.join(PAGES_GT)))
    ])
    const prefetch = yield* measure(driverName, `prefetchRelated books of ${PREFETCH_PUBLISHERS} pubs`, PREFETCH_N, [
      { name: "orm", run: effectLoop(() => publishersWithBooks) },
      { name: "raw", run: effectLoop(() => rawPrefetch) },
      ...driver((b) => promiseLoop(() => b.prefetch()))
    ])
    return [get, filter, join, prefetch]
  })

const pgliteRun = Effect.gen(function*() {
  yield* Tables.create(Publisher, Book)
  const db = yield* PGlite.Instance
  // The ORM driver's parsers, so the baseline reads the same values.
  return yield* suite("pglite", {
    name: "PGlite.query",
    get: (id) => db.query(GET_SQL, [id], { parsers }).then((r) => r.rows),
    filter: (gt) => db.query(FILTER_SQL, [gt], { parsers }).then((r) => r.rows),
    join: (gt) => db.query(JOIN_SQL, [gt], { parsers }).then((r) => r.rows),
    prefetch: async () => {
      const publishers = (await db.query(PUBS_SQL, [], { parsers })).rows
      const books = (await db.query(BOOKS_OF_SQL, [publishers.map((p) => p.id)], { parsers })).rows
      return groupBooks(publishers, books)
    }
  })
}).pipe(Effect.provide(PGlite.layer()))

const redact = (url: string) => url.replace(/:\/\/([^:@/]+):[^@/]*@/, "://$1:***@")

/** The server's version, or undefined (with a note) when it cannot be reached. */
const reachable = (url: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ server_version: string }>`SHOW server_version`
    return rows[0]!.server_version as string | undefined
  }).pipe(
    Effect.provide(Postgres.layer({ url: Redacted.make(url), connectTimeout: "3 seconds" })),
    Effect.catchCause((cause) =>
      Effect.sync(() => {
        console.log(`\nPostgreSQL server at ${redact(url)} is unreachable (${String(cause).split("\n")[0]}): skipping it.`)
        return undefined
      }))
  )

const serverRun = Effect.gen(function*() {
  // Create the tables now, drop them however the run ends.
  yield* Effect.acquireRelease(Tables.create(Publisher, Book), () => Effect.orDie(Tables.drop(Book, Publisher)))
  return yield* suite("postgres", undefined)
  // One connection, as the raw statements and the ORM share it in turn.
}).pipe(Effect.scoped, Effect.provide(Postgres.layer({ url: Redacted.make(DATABASE_URL), maxConnections: 1 })))

const fmt = (n: number) => n >= 100 ? n.toFixed(0) : n.toFixed(1)

const printTable = (results: ReadonlyArray<Result>) => {
  const header = ["driver", "operation", "iters", "ORM µs", "raw effect/sql µs", "ORM/raw", "driver µs (no Effect)", "raw/driver"]
  const rows = results.map((r) => {
    const { driver, orm, raw } = r.us as Record<"orm" | "raw", Result["us"][string]> & { driver?: Result["us"][string] }
    return [
      r.driver,
      r.op,
      `${ROUNDS}×${r.n}`,
      `${fmt(orm.median)} (${fmt(orm.min)}–${fmt(orm.max)})`,
      `${fmt(raw.median)} (${fmt(raw.min)}–${fmt(raw.max)})`,
      `${(orm.median / raw.median).toFixed(2)}×`,
      driver === undefined ? "–" : `${fmt(driver.median)} (${fmt(driver.min)}–${fmt(driver.max)})`,
      driver === undefined ? "–" : `${(raw.median / driver.median).toFixed(2)}×`
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")
  console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`)
  for (const row of rows) console.log(line(row))
  console.log(
    "\nPer-operation microseconds: median of the rounds (min–max of the rounds in parentheses); sequential, one client."
  )
  console.log(
    "The driver column is the bare driver without Effect: PGlite.query in process, with the ORM driver's type parsers; on\n" +
      "the server, raw drivers are in the peer benchmark. The server client has one connection and prepares statements.\n" +
      "The ORM hydrates model instances (Decimal → BigDecimal); raw rows are not.\n" +
      "selectRelated: raw and driver read the same JOIN as flat rows (the ORM nests the publisher instance). prefetchRelated:\n" +
      "raw and driver run the same two statements in sequence and group the books by publisher_id in JS."
  )
}

const main = async () => {
  const started = performance.now()
  console.log(
    `effect-orm bench: ${ROWS} books, ${PUBLISHERS} publishers, ${ROUNDS} rounds, node ${process.version}, tables ${table}, ${pubTable}`
  )
  const results: Array<Result> = []
  console.log("\nPGlite (in memory):")
  results.push(...await Effect.runPromise(pgliteRun))
  const version = await Effect.runPromise(reachable(DATABASE_URL))
  if (version !== undefined) {
    console.log(`\nPostgreSQL ${version} at ${redact(DATABASE_URL)}:`)
    // Ctrl-C interrupts the run, so the tables are still dropped.
    const abort = new AbortController()
    const onSigint = () => abort.abort()
    process.once("SIGINT", onSigint)
    try {
      results.push(...await Effect.runPromise(serverRun, { signal: abort.signal }))
    } catch (error) {
      if (!abort.signal.aborted) throw error
      console.log(`\nInterrupted; tables ${table} and ${pubTable} dropped.`)
      process.exit(130)
    } finally {
      process.off("SIGINT", onSigint)
    }
  }
  printTable(results)
  console.log(`\nTotal ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
