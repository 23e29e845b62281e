import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Fiber, Layer, Redacted, Stream } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Db, Field, Model, PGlite, Postgres, Tables } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

class Note extends Model.Class<Note>("Note")({
  id: Field.AutoField(),
  body: Field.Text()
}, { table: "driver_note" }) {}

const url = process.env.DATABASE_URL

/** The layer of a driver on a fresh database with `Note`'s table. */
const drivers: ReadonlyArray<readonly [string, () => Layer.Layer<Db.Db | SqlClient.SqlClient, unknown>]> = [
  ["pglite", () => Testing.pglite([Note])],
  ...(url === undefined ? [] : [["postgres", () => Testing.postgres([Note], url)] as const])
]

describe("PGlite", () => {
  it.live("keeps data in a data directory across instances", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "effect-orm-pglite-")))
      yield* Effect.gen(function*() {
        yield* Tables.create(Note)
        yield* Note.objects.create({ body: "persisted" })
      }).pipe(Effect.provide(PGlite.layer({ dataDir: dir })))
      const bodies = yield* Note.objects.valuesList("body", { flat: true }).pipe(Effect.provide(PGlite.layer({ dataDir: dir })))
      expect(bodies).toEqual(["persisted"])
      yield* Effect.promise(() => rm(dir, { recursive: true, force: true }))
    }), 60_000)

  it.live("provides the SqlClient, so raw SQL and ORM queries share one database", () =>
    Effect.gen(function*() {
      yield* Tables.create(Note)
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO driver_note (body) VALUES (${"raw"})`
      expect(yield* Note.objects.valuesList("body", { flat: true })).toEqual(["raw"])
      expect((yield* Db.Db).driver).toBe("pglite")
      expect(sql.driver).toBe("pglite")
    }).pipe(Effect.provide(PGlite.layer())), 60_000)

  it.live("streams through a cursor: in chunks, stopped early, failing mid-way, inside and outside transactions", () =>
    Effect.gen(function*() {
      yield* Tables.create(Note)
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO driver_note (body) SELECT 'n' || g FROM generate_series(1, 1000) g`
      expect((yield* Stream.runCollect(Note.objects.stream())).length).toBe(1000)
      const firstThree = yield* Stream.runCollect(Note.objects.orderBy("id").stream().pipe(Stream.take(3)))
      expect(firstThree.map((n) => n.body)).toEqual(["n1", "n2", "n3"])
      const failing = yield* Effect.flip(Stream.runDrain(sql`SELECT 1 / (g - 500) AS x FROM generate_series(1, 1000) g`.stream))
      expect(failing._tag).toBe("SqlError")
      // No cursor or transaction was left open: a transaction and a stream inside one still work.
      const inside = yield* Db.atomic(Effect.gen(function*() {
        yield* Note.objects.create({ body: "uncommitted" })
        return yield* Stream.runCollect(Note.objects.filter({ body: "uncommitted" }).stream())
      }))
      expect(inside.length).toBe(1)
      const openCursors = sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_cursors WHERE name LIKE 'effect\_orm\_%cursor\_%'`
      // While a stream is read, its rows come from an open server-side cursor, inside a transaction and outside one.
      for (const run of [Db.atomic, <A, E, R>(effect: Effect.Effect<A, E, R>) => effect]) {
        const seen = yield* run(Note.objects.stream().pipe(Stream.take(1), Stream.mapEffect(() => openCursors), Stream.runCollect))
        expect(seen[0]![0]!.n).toBe(1)
      }
      expect((yield* openCursors)[0]!.n).toBe(0)
      expect(yield* Note.objects.count()).toBe(1001)
    }).pipe(Effect.provide(PGlite.layer())), 60_000)
})

describe.runIf(url !== undefined)("Postgres", () => {
  it.live("layerFromEnv reads DATABASE_URL through Config", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ db: string }>`SELECT current_database() AS db`
      expect(rows[0]!.db).toBe(new URL(url!).pathname.slice(1))
      expect((yield* Db.Db).driver).toBe("postgres")
    }).pipe(
      Effect.provide(Postgres.layerFromEnv().pipe(
        Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: { DATABASE_URL: url! } })))
      ))
    ))

  it.live("layerFromEnv fails with a ConfigError when DATABASE_URL is missing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(Postgres.layerFromEnv()).pipe(
        Effect.scoped,
        Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: {} })))
      ))
      expect(error._tag).not.toBe("SqlError")
      expect(String(error)).toContain("DATABASE_URL")
    }))

  it.live("prepares statements by default, once per connection; prepare: false turns it off", () =>
    Effect.gen(function*() {
      // A throwaway database with the table, then clients of one connection on it, with and without preparing.
      const context = yield* Layer.build(Testing.postgres([Note], url!))
      const [{ db }] = yield* Effect.provide(SqlClient.SqlClient.pipe(Effect.flatMap((sql) => sql<{ db: string }>`SELECT current_database() AS db`)), context)
      const target = new URL(url!)
      target.pathname = `/${db}`
      const qs = Note.objects.filter({ body: "prepared?" })
      const { sql: text } = yield* qs.toSql()
      const prepared = (options: Omit<Postgres.Options, "url">) =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          yield* qs
          yield* qs
          // The ORM may mark the text with its schema epoch, in a leading comment.
          const rows = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE ${`%${text}`}`
          return rows[0]!.n
        }).pipe(Effect.provide(Postgres.layer({ url: Redacted.make(target.toString()), maxConnections: 1, ...options })))
      expect(yield* prepared({})).toBe(1)
      expect(yield* prepared({ prepare: false })).toBe(0)
      // Lists of any length share one statement, and so do multi-row INSERTs (one array per column, whatever the rows).
      const cached = yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        for (const n of [1, 3, 100]) yield* Note.objects.filter({ id: { in: Array.from({ length: n }, (_, i) => i) } })
        for (const n of [2, 3]) yield* Note.objects.bulkCreate(Array.from({ length: n }, () => ({ body: "bulk" })))
        return yield* sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%driver_note%'`
      }).pipe(Effect.provide(Postgres.layer({ url: Redacted.make(target.toString()), maxConnections: 1 })))
      const statements = cached.map((r) => r.statement)
      expect(statements.filter((t) => t.includes("ANY("))).toHaveLength(1)
      expect(statements.filter((t) => t.includes("INSERT"))).toHaveLength(1)
    }).pipe(Effect.scoped), 60_000)

  it.live("interrupting a running query on a saturated pool cancels it on the server and frees its connection", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(Testing.postgres([Note], url!))
      const sql = Context.get(context, SqlClient.SqlClient)
      const [{ db }] = yield* sql<{ db: string }>`SELECT current_database() AS db`
      // Watched from a client of its own: the pool under test has no connection to spare.
      const monitor = Context.get(yield* Layer.build(Postgres.layer({ url: Redacted.make(url!), maxConnections: 1 })), SqlClient.SqlClient)
      const sleeping = monitor<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ${db} AND query = 'SELECT pg_sleep(30)' AND state = 'active'`
      // The pool (5 connections) is saturated: five sleeping queries, one inside a transaction, and a queue.
      const running = yield* Effect.forEach([0, 1, 2, 3, 4], (i) =>
        Effect.forkChild(i === 0 ? sql.withTransaction(sql`SELECT pg_sleep(30)`) : sql`SELECT pg_sleep(30)`))
      const queued = yield* Effect.forkChild(Note.objects.count().pipe(Effect.provide(context)))
      yield* Effect.repeat(sleeping, { until: (rows) => rows[0]!.n === 5 })
      yield* Fiber.interrupt(running[0]!)
      yield* Fiber.interrupt(running[1]!)
      // The queued query gets a freed connection at once, and the server no longer runs the interrupted ones.
      const within = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.timeoutOrElse(effect, { duration: "5 seconds", orElse: () => Effect.fail("still waiting" as const) })
      expect(yield* within(Fiber.join(queued))).toBe(0)
      expect((yield* sleeping)[0]!.n).toBe(3)
      yield* Effect.forEach(running.slice(2), Fiber.interrupt)
      expect((yield* sleeping)[0]!.n).toBe(0)
    }).pipe(Effect.scoped), 60_000)
})

describe("both drivers", () => {
  for (const [name, layer] of drivers) {
    it.live(`${name}: hands the codecs the server driver's shapes for int8, numeric, date, time, timestamptz, interval`, () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [row] = yield* sql<Record<string, unknown>>`SELECT
          9007199254740993::int8 AS big, 12345678901234567890.123456789::numeric AS num, DATE '2024-02-29' AS day,
          TIME '23:59:59.999999' AS at, TIMESTAMPTZ '2024-03-10 12:34:56.789+05:30' AS ts,
          INTERVAL '1 year 2 mons 3 days 04:05:06.000007' AS span, 7::int4 AS small, 1.5::float8 AS ratio`
        expect(row).toEqual({
          big: 9007199254740993n,
          num: "12345678901234567890.123456789",
          day: "2024-02-29",
          at: 86399999999n,
          ts: new Date("2024-03-10T07:04:56.789Z"),
          span: { months: 14, days: 3, microseconds: 14706000007n },
          small: 7,
          ratio: 1.5
        })
      }).pipe(Effect.provide(layer())), 60_000)

    it.live(`${name}: a column type without a decoder gives a value, not a dropped connection`, () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        // In a transaction, which a dropped connection would end.
        const [types, count] = yield* Db.atomic(Effect.gen(function*() {
          yield* Note.objects.create({ body: "kept" })
          const types = yield* sql<{ t: unknown; v: unknown }>`SELECT ARRAY['int4'::regtype, 'text'::regtype] AS t, to_tsvector('simple', 'a b') AS v`
          return [types[0]!, yield* Note.objects.count()] as const
        }))
        // PGlite reads the type names as text; the server sends OIDs, which decode as numbers.
        expect(types.t).toEqual(name === "pglite" ? ["integer", "text"] : [23, 25])
        expect(typeof types.v).toBe("string")
        expect(count).toBe(1)
      }).pipe(Effect.provide(layer())), 60_000)

    it.live(`${name}: a lookup on 70,000 keys is one statement with one array parameter`, () =>
      Effect.gen(function*() {
        yield* Note.objects.bulkCreate([{ body: "a" }, { body: "b" }, { body: "c" }])
        const ids = yield* Note.objects.orderBy("id").valuesList("id", { flat: true })
        const keys = [...ids, ...Array.from({ length: 70_000 }, (_, i) => 1_000_000 + i)]
        const { queries, result } = yield* Testing.captureQueries(Note.objects.filter({ id: { in: keys } }).count())
        expect(result).toBe(3)
        expect(queries).toHaveLength(1)
        expect(queries[0]!.params).toHaveLength(1)
        expect(yield* Note.objects.inBulk(keys).pipe(Effect.map((m) => m.size))).toBe(3)
        expect((yield* Note.objects.filter({ id: { in: keys } }).delete()).total).toBe(3)
        // The same text for any number of values, so one prepared statement serves them all.
        const one = yield* Note.objects.filter({ id: { in: [1] } }).toSql()
        const many = yield* Note.objects.filter({ id: { in: [1, 2, 3] } }).toSql()
        expect(one.sql).toBe(many.sql)
      }).pipe(Effect.provide(layer())), 60_000)

    it.live(`${name}: DDL then queries in one transaction (Testing.isolated) run without stale prepared plans`, () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* Note.objects.create({ body: "before" })
        // Prepared before the schema change, outside the transaction.
        expect(yield* Note.objects.valuesList("body", { flat: true })).toEqual(["before"])
        const inside = yield* Testing.isolated(Effect.gen(function*() {
          yield* Tables.drop(Note)
          yield* sql`CREATE TABLE driver_note (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, body varchar(10) NOT NULL)`
          yield* Note.objects.create({ body: "after" })
          return yield* Note.objects.valuesList("body", { flat: true })
        }))
        expect(inside).toEqual(["after"])
        expect(yield* Note.objects.valuesList("body", { flat: true })).toEqual(["before"])
      }).pipe(Effect.provide(layer())), 60_000)

    it.live(`${name}: a stream's consumer can query the database, outside and inside a transaction`, () =>
      Effect.gen(function*() {
        yield* Note.objects.bulkCreate(Array.from({ length: 300 }, (_, i) => ({ body: `n${i}` })))
        const lookups = Note.objects.orderBy("id").stream().pipe(
          Stream.mapEffect((note) => Note.objects.get({ id: note.id })),
          Stream.runCollect,
          Effect.map((notes) => notes.length)
        )
        expect(yield* lookups.pipe(Effect.timeout("20 seconds"))).toBe(300)
        expect(yield* Db.atomic(lookups).pipe(Effect.timeout("20 seconds"))).toBe(300)
      }).pipe(Effect.provide(layer())), 60_000)
  }

  it("Testing.drivers requires the server only when asked, never because CI is set", () => {
    const saved = { ...process.env }
    try {
      delete process.env.DATABASE_URL
      process.env.CI = "true"
      delete process.env.EFFECT_ORM_REQUIRE_SERVER
      expect(Testing.drivers([Note]).map((d) => d.name)).toEqual(["pglite"])
      expect(() => Testing.drivers([Note], { requireServer: true })).toThrow(/DATABASE_URL/)
      process.env.EFFECT_ORM_REQUIRE_SERVER = "1"
      expect(() => Testing.drivers([Note])).toThrow(/DATABASE_URL/)
      expect(Testing.drivers([Note], { requireServer: false }).map((d) => d.name)).toEqual(["pglite"])
      process.env.DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
      expect(Testing.drivers([Note]).map((d) => d.name)).toEqual(["pglite", "postgres"])
    } finally {
      process.env = saved
    }
  })
})

describe("two databases in one program", () => {
  // PGlite beside PGlite always; the PostgreSQL server beside PGlite when DATABASE_URL is set.
  const pairs: ReadonlyArray<readonly [string, Layer.Layer<Db.Db, unknown>, Layer.Layer<Db.Db, unknown>]> = [
    ["pglite + pglite", Testing.pglite([Note]), Testing.pglite([Note])],
    ...(url === undefined ? [] : [["postgres + pglite", Testing.postgres([Note], url), Testing.pglite([Note])] as const])
  ]
  for (const [name, firstLayer, secondLayer] of pairs) {
    it.live(`${name}: a transaction on one database never carries another database's queries`, () =>
      Effect.gen(function*() {
        const first = yield* Layer.build(firstLayer).pipe(Effect.map(Context.get(Db.Db)))
        const second = yield* Layer.build(secondLayer).pipe(Effect.map(Context.get(Db.Db)))
        const onFirst = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideService(effect, Db.Db, first)
        const onSecond = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideService(effect, Db.Db, second)
        // Inside a transaction on the first database that rolls back: a write on the second database, plain and in
        // an atomic of its own, lands on the second database and stays.
        const exit = yield* Effect.exit(onFirst(Db.atomic(Effect.gen(function*() {
          yield* Note.objects.create({ body: "first, rolled back" })
          yield* onSecond(Note.objects.create({ body: "second, plain" }))
          yield* onSecond(Db.atomic(Note.objects.create({ body: "second, atomic" })))
          // The second database does not see the first one's uncommitted row.
          expect(yield* onSecond(Note.objects.filter({ body: { startsWith: "first" } }).count())).toBe(0)
          return yield* Effect.fail("roll back the first")
        }))))
        expect(exit._tag).toBe("Failure")
        expect(yield* onFirst(Note.objects.count())).toBe(0)
        expect(yield* onSecond(Note.objects.orderBy("body").valuesList("body", { flat: true }))).toEqual([
          "second, atomic",
          "second, plain"
        ])
      }).pipe(Effect.scoped), 60_000)
  }
})
