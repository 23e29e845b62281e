/**
 * ORM overhead benchmark: the same queries through the ORM and as raw `@effect/sql` statements, on the same client in
 * the same run, on PGlite (in memory) and on the PostgreSQL server (`DATABASE_URL`, default
 * postgres://postgres@127.0.0.1:5432/test; skipped with a note when unreachable). The driver itself without Effect
 * (`pg.Pool` on the server, `PGlite.query` in process) is the baseline.
 *
 *   (a) get by pk:                 Book.objects.get({ id })
 *   (b) filter + orderBy + limit:  Book.objects.filter({ pages: { gt: N } }).orderBy("-pubdate").limit(50)
 *
 * Each variant is warmed up, then timed over N sequential iterations in several rounds (variants interleaved, their
 * order rotated each round); the table shows the median per-operation time of the rounds.
 *
 * Run with `npm run bench` (or `npx tsx bench/run.ts`). The server run creates one uniquely named table and drops it.
 * Knobs: BENCH_ROUNDS, BENCH_GET_N, BENCH_FILTER_N (server iterations; PGlite runs the same counts).
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Redacted } from "effect"
import type { PGlite as PGliteDb } from "@electric-sql/pglite"
import { randomBytes } from "node:crypto"
import pg from "pg"
import { Db, Field, Model, PGlite, Postgres } from "../src/index.js"
import { textOids } from "../src/drivers/types.js"

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"
const ROWS = 2_000
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const GET_N = Number(process.env.BENCH_GET_N ?? 2_000)
const FILTER_N = Number(process.env.BENCH_FILTER_N ?? 500)
const PAGES_GT = 500

// A fresh, uniquely named table, so the server run never touches anything else.
const table = `bench_book_${process.pid}_${randomBytes(4).toString("hex")}`

class Book extends Model.Class<Book>("Book")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 255 }),
  pages: Field.Integer(),
  rating: Field.Float({ nullable: true }),
  price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2 }),
  pubdate: Field.Date()
}, { table }) {}

const COLUMNS = "id, name, pages, rating, price, pubdate"
const GET_SQL = `SELECT ${COLUMNS} FROM "${table}" WHERE id = $1`
const FILTER_SQL = `SELECT ${COLUMNS} FROM "${table}" WHERE pages > $1 ORDER BY pubdate DESC LIMIT 50`

// Deterministic data: pages 50..999 (about half the rows have more than 500), a fifth of ratings NULL.
const SEED_SQL = `INSERT INTO "${table}" (name, pages, rating, price, pubdate)
  SELECT 'Book ' || g, 50 + (g * 7919) % 950,
         CASE WHEN g % 5 = 0 THEN NULL ELSE ((g * 31) % 50) / 10.0 END,
         ((g * 13) % 10000) / 100.0, DATE '2000-01-01' + (g * 37) % 9000
  FROM generate_series(1, ${ROWS}) AS g`

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
  readonly get: (id: number) => Promise<ReadonlyArray<unknown>>
  readonly filter: (gt: number) => Promise<ReadonlyArray<unknown>>
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

/** Runs both measurements on the `Db`/`SqlClient` in context, with `baseline` as the no-Effect driver column. */
const suite = (driverName: string, baseline: Driver) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(SEED_SQL)
    yield* sql.unsafe(`ANALYZE "${table}"`)

    const ormGet = (i: number) => Book.objects.get({ id: ids[i % ids.length]! })
    const rawGet = (i: number) => sql`SELECT id, name, pages, rating, price, pubdate FROM ${sql(table)} WHERE id = ${ids[i % ids.length]!}`
    const longBooks = Book.objects.filter({ pages: { gt: PAGES_GT } }).orderBy("-pubdate").limit(50)
    const rawFilter = sql`SELECT id, name, pages, rating, price, pubdate FROM ${sql(table)} WHERE pages > ${PAGES_GT} ORDER BY pubdate DESC LIMIT 50`

    // Same rows both ways, and show the statements the ORM sends.
    const { queries: [getStatement], result: book } = yield* Db.captureQueries(ormGet(0))
    const [rawBook] = yield* rawGet(0)
    if (book.id !== rawBook!.id || book.name !== rawBook!.name) throw new Error("ORM and raw get disagree")
    const { queries: [filterStatement], result: books } = yield* Db.captureQueries(longBooks)
    const rawBooks = yield* rawFilter
    const driverBooks = yield* Effect.promise(() => baseline.filter(PAGES_GT))
    if (books.length !== 50 || rawBooks.length !== 50 || driverBooks.length !== 50) throw new Error("expected 50 rows")
    if (books.some((b, i) => b.id !== rawBooks[i]!.id)) throw new Error("ORM and raw filter disagree")
    console.log(`  ${driverName} ORM get:    ${getStatement!.sql}`)
    console.log(`  ${driverName} ORM filter: ${filterStatement!.sql}`)

    const get = yield* measure(driverName, "get by pk", GET_N, [
      { name: "orm", run: effectLoop(ormGet) },
      { name: "raw", run: effectLoop(rawGet) },
      { name: "driver", run: promiseLoop((i) => baseline.get(ids[i % ids.length]!)) }
    ])
    const filter = yield* measure(driverName, "filter+order+limit 50", FILTER_N, [
      { name: "orm", run: effectLoop(() => longBooks) },
      { name: "raw", run: effectLoop(() => rawFilter) },
      { name: "driver", run: promiseLoop(() => baseline.filter(PAGES_GT)) }
    ])
    return [get, filter]
  })

const pgTypes: pg.CustomTypesConfig = {
  // The ORM driver's parsers (int8, numeric, date and time types as text), so the baseline does the same work.
  getTypeParser: ((oid: number, format?: string) =>
    textOids.includes(oid) ? (value: string) => value : pg.types.getTypeParser(oid, format as any)) as any
}

const pgliteRun = Effect.gen(function*() {
  yield* Db.createTables(Book)
  const db: PGliteDb = yield* PGlite.Instance
  const parsers = Object.fromEntries(textOids.map((oid) => [oid, (value: string) => value]))
  return yield* suite("pglite", {
    name: "PGlite.query",
    get: (id) => db.query(GET_SQL, [id], { parsers }).then((r) => r.rows),
    filter: (gt) => db.query(FILTER_SQL, [gt], { parsers }).then((r) => r.rows)
  })
}).pipe(Effect.provide(PGlite.layer()))

const reachable = async (url: string): Promise<string | undefined> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 })
  try {
    await client.connect()
    const { rows } = await client.query("SHOW server_version")
    return rows[0].server_version
  } catch (error) {
    console.log(`\nPostgreSQL server at ${redact(url)} is unreachable (${(error as Error).message}): skipping it.`)
    return undefined
  } finally {
    await client.end().catch(() => undefined)
  }
}

const redact = (url: string) => url.replace(/:\/\/([^:@/]+):[^@/]*@/, "://$1:***@")

const serverRun = Effect.gen(function*() {
  const pool = yield* Effect.acquireRelease(
    Effect.sync(() => new pg.Pool({ connectionString: DATABASE_URL, max: 1, types: pgTypes })),
    (pool) => Effect.promise(() => pool.end())
  )
  // Create the table now, drop it however the run ends.
  yield* Effect.acquireRelease(Db.createTables(Book), () => Effect.orDie(Db.dropTables(Book)))
  return yield* suite("postgres", {
    name: "pg.Pool",
    get: (id) => pool.query(GET_SQL, [id]).then((r) => r.rows),
    filter: (gt) => pool.query(FILTER_SQL, [gt]).then((r) => r.rows)
  })
}).pipe(Effect.scoped, Effect.provide(Postgres.layer({ url: Redacted.make(DATABASE_URL) })))

const fmt = (n: number) => n >= 100 ? n.toFixed(0) : n.toFixed(1)

const printTable = (results: ReadonlyArray<Result>) => {
  const header = ["driver", "operation", "iters", "ORM µs", "raw @effect/sql µs", "ORM/raw", "driver µs (no Effect)", "raw/driver"]
  const rows = results.map((r) => {
    const { orm, raw, driver } = r.us as Record<"orm" | "raw" | "driver", Result["us"][string]>
    return [
      r.driver,
      r.op,
      `${ROUNDS}×${r.n}`,
      `${fmt(orm.median)} (${fmt(orm.min)}–${fmt(orm.max)})`,
      `${fmt(raw.median)} (${fmt(raw.min)}–${fmt(raw.max)})`,
      `${(orm.median / raw.median).toFixed(2)}×`,
      `${fmt(driver.median)} (${fmt(driver.min)}–${fmt(driver.max)})`,
      `${(raw.median / driver.median).toFixed(2)}×`
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
    "The driver column is the bare driver without Effect: PGlite.query in process, pg.Pool (max 1) on the server, with the\n" +
      "same type parsers as the ORM's drivers. The ORM hydrates model instances (Decimal → BigDecimal); raw rows are not."
  )
}

const main = async () => {
  const started = performance.now()
  console.log(`effect-orm bench: ${ROWS} rows, ${ROUNDS} rounds, node ${process.version}, table ${table}`)
  const results: Array<Result> = []
  console.log("\nPGlite (in memory):")
  results.push(...await Effect.runPromise(pgliteRun))
  const version = await reachable(DATABASE_URL)
  if (version !== undefined) {
    console.log(`\nPostgreSQL ${version} at ${redact(DATABASE_URL)}:`)
    // Ctrl-C interrupts the run, so the table is still dropped.
    const abort = new AbortController()
    const onSigint = () => abort.abort()
    process.once("SIGINT", onSigint)
    try {
      results.push(...await Effect.runPromise(serverRun, { signal: abort.signal }))
    } catch (error) {
      if (!abort.signal.aborted) throw error
      console.log(`\nInterrupted; table ${table} dropped.`)
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
