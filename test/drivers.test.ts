import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { Chunk, ConfigProvider, Context, Effect, Layer, Stream } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Db, Field, Model, PGlite, Postgres, Tables } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

class Note extends Model.Class<Note>("Note")({
  id: Field.AutoField(),
  body: Field.Text()
}, { table: "driver_note" }) {}

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
    }).pipe(Effect.provide(PGlite.layer())), 60_000)

  it.live("streams through a cursor: in chunks, stopped early, failing mid-way, inside and outside transactions", () =>
    Effect.gen(function*() {
      yield* Tables.create(Note)
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO driver_note (body) SELECT 'n' || g FROM generate_series(1, 1000) g`
      expect(Chunk.size(yield* Stream.runCollect(Note.objects.stream()))).toBe(1000)
      const firstThree = yield* Stream.runCollect(Note.objects.orderBy("id").stream().pipe(Stream.take(3)))
      expect(Chunk.toReadonlyArray(firstThree).map((n) => n.body)).toEqual(["n1", "n2", "n3"])
      const failing = yield* Effect.flip(Stream.runDrain(sql`SELECT 1 / (g - 500) AS x FROM generate_series(1, 1000) g`.stream))
      expect(failing._tag).toBe("SqlError")
      // No cursor or transaction was left open: a transaction and a stream inside one still work.
      const inside = yield* Db.atomic(Effect.gen(function*() {
        yield* Note.objects.create({ body: "uncommitted" })
        return yield* Stream.runCollect(Note.objects.filter({ body: "uncommitted" }).stream())
      }))
      expect(Chunk.size(inside)).toBe(1)
      // While a stream is read, its rows come from an open server-side cursor.
      const cursors = yield* Db.atomic(Note.objects.stream().pipe(
        Stream.take(1),
        Stream.mapEffect(() => sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_cursors WHERE name LIKE 'effect_orm_cursor_%'`),
        Stream.runCollect
      ))
      expect(Chunk.toReadonlyArray(cursors)[0]![0]!.n).toBe(1)
      expect(yield* Note.objects.count()).toBe(1001)
    }).pipe(Effect.provide(PGlite.layer())), 60_000)
})

const url = process.env.DATABASE_URL

describe.runIf(url !== undefined)("Postgres", () => {
  it.live("layerFromEnv reads DATABASE_URL through Config", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ db: string }>`SELECT current_database() AS db`
      expect(rows[0]!.db).toBe(new URL(url!).pathname.slice(1))
      expect((yield* Db.Db).driver).toBe("postgres")
    }).pipe(
      Effect.provide(Postgres.layerFromEnv().pipe(
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["DATABASE_URL", url!]]))))
      ))
    ))

  it.live("layerFromEnv fails with a ConfigError when DATABASE_URL is missing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(Postgres.layerFromEnv()).pipe(
        Effect.scoped,
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
      ))
      expect(error._tag).not.toBe("SqlError")
      expect(String(error)).toContain("DATABASE_URL")
    }))
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
