/**
 * Test support, like Django's `TestCase`: a database per test file with the models' tables, and `isolated`, which
 * runs a test in a transaction that is always rolled back (a user's `Db.atomic` inside becomes a savepoint), and
 * `captureQueries`, to assert the statements a test ran.
 *
 * PGlite starts in seconds, so its layer restores a snapshot of the created schema, kept on disk and keyed by the
 * schema's DDL; a PostgreSQL server gets a throwaway database per layer, dropped when the layer is released.
 *
 * @since 0.1.0
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Redacted from "effect/Redacted"
import type * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { randomBytes } from "node:crypto"
import type * as Db from "../Db.js"
import * as PGlite from "../drivers/PGlite.js"
import * as Postgres from "../drivers/Postgres.js"
import type * as Model from "../Model.js"
import * as QueryLog from "../QueryLog.js"
import * as History from "../internal/migrations/history.js"
import * as Runner from "../internal/migrations/runner.js"
import * as Migrator from "../migrations/Migrator.js"
import * as Tables from "../Tables.js"
import * as Transaction from "../Transaction.js"

/** A driver for the shared test suite. @since 0.1.0 */
export interface Driver {
  readonly name: string
  readonly layer: Layer.Layer<Db.Db | SqlClient.SqlClient, SqlError>
}

/** Where PGlite schema snapshots are kept (override with `EFFECT_ORM_CACHE`). @since 0.1.0 */
export const cacheDir: () => string = PGlite.cacheDir

/**
 * The schema a test database gets: the models' tables (as `Tables.create` makes them), or what a migrations folder
 * builds (`fromMigrations`), so that tests run on exactly the schema production runs.
 * @since 0.3.0
 */
export type Schema = ReadonlyArray<Model.Any> | FromMigrations

/** A schema built by migrations. @since 0.3.0 */
export interface FromMigrations {
  readonly _tag: "FromMigrations"
  readonly migrations: Migrator.Source
}

/** The schema that migrations build: a folder of migration files, or the migrations themselves. @since 0.3.0 */
export const fromMigrations = (migrations: Migrator.Source): FromMigrations => ({ _tag: "FromMigrations", migrations })

const isMigrations = (schema: Schema): schema is FromMigrations => !Array.isArray(schema)

/** The statements that build `schema` from nothing, for a snapshot; `undefined` when a data migration must run. */
const setupSql = (schema: Schema): Effect.Effect<ReadonlyArray<string> | undefined, SqlError> => {
  if (!isMigrations(schema)) return Effect.succeed(Tables.createSql(...(schema as ReadonlyArray<Model.Any>)))
  const migrations = typeof schema.migrations === "string" ? Migrator.load(schema.migrations) : Effect.succeed(schema.migrations)
  return migrations.pipe(
    Effect.flatMap((all) => Effect.try({ try: () => History.scriptOf(Runner.plan(all, [])), catch: Runner.asMigrationError })),
    Effect.orDie
  )
}

/** Builds `schema` on the database in context (after a start without a snapshot). */
const build = (schema: Schema): Effect.Effect<void, unknown, Db.Db> =>
  isMigrations(schema)
    ? Effect.asVoid(Migrator.migrate(schema.migrations))
    : Tables.create(...(schema as ReadonlyArray<Model.Any>))

/**
 * An in-memory PGlite with the models' tables (or the schema of a migrations folder, see `fromMigrations`), restored
 * from a cached snapshot of that schema. Migrations with a data migration are applied at each start instead.
 * @since 0.1.0
 */
export const pglite = (
  schema: Schema
): Layer.Layer<Db.Db | SqlClient.SqlClient | PGlite.Instance, SqlError> =>
  Layer.unwrap(Effect.gen(function*() {
    const statements = yield* setupSql(schema)
    if (statements !== undefined) return PGlite.layerOn(yield* PGlite.startFromSnapshot(statements))
    const driver = PGlite.layerOn(yield* PGlite.startFromSnapshot([]))
    return Layer.tap(driver, (context) => Effect.provide(build(schema), context).pipe(Effect.orDie))
  }))

const isLoopback = (host: string) => host === "localhost" || host.startsWith("127.") || host === "[::1]" || host === "::1"

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * A throwaway database on the PostgreSQL server at `url`, with the models' tables; dropped on release (and, on a
 * server of this machine, the next time a layer starts, if the process that made it was killed first).
 * @since 0.1.0
 */
export const postgres = (
  schema: Schema,
  url: string
): Layer.Layer<Db.Db | SqlClient.SqlClient, SqlError> =>
  Layer.unwrap(Effect.gen(function*() {
    const name = `effect_orm_test_${process.pid}_${randomBytes(4).toString("hex")}`
    // CREATE and DROP DATABASE run on a connection of their own to the server's database at `url`.
    const admin = (sql: string) =>
      Effect.scoped(Effect.flatMap(
        PgClient.makeClient({ url: Redacted.make(url), prepare: false }),
        (client) => client.unsafe<Record<string, unknown>>(sql).unprepared
      )).pipe(Effect.provide(Reactivity.layer), Effect.orDie)
    // A test process killed before its layer was released leaves its database behind: on a server of this machine,
    // drop those whose process is gone.
    if (isLoopback(new URL(url).hostname)) {
      const leftovers = yield* admin("SELECT datname FROM pg_database WHERE datname LIKE 'effect\\_orm\\_test\\_%'")
      for (const { datname } of leftovers) {
        const pid = Number(/^effect_orm_test_(\d+)_[0-9a-f]+$/.exec(String(datname))?.[1])
        if (Number.isSafeInteger(pid) && !processAlive(pid)) {
          yield* admin(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
        }
      }
    }
    yield* Effect.acquireRelease(
      admin(`CREATE DATABASE "${name}"`),
      () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    )
    const target = new URL(url)
    target.pathname = `/${name}`
    const driver = Postgres.layer({ url: Redacted.make(target.toString()), maxConnections: 5 })
    return Layer.tap(driver, (context) => Effect.provide(build(schema), context).pipe(Effect.orDie))
  }))

/** Options of `drivers`. @since 0.2.0 */
export interface DriversOptions {
  /**
   * Fail when `DATABASE_URL` is not set, rather than run on PGlite alone: for a CI that must never skip the server.
   * Defaults to whether the environment variable `EFFECT_ORM_REQUIRE_SERVER` is `1` or `true`.
   */
  readonly requireServer?: boolean
}

/**
 * The drivers every behaviour test runs on: PGlite always, the PostgreSQL server when `DATABASE_URL` is set. With
 * `requireServer`, a missing `DATABASE_URL` is an error.
 * @since 0.1.0
 */
export const drivers = (schema: Schema, options: DriversOptions = {}): ReadonlyArray<Driver> => {
  const url = process.env.DATABASE_URL
  const flag = process.env.EFFECT_ORM_REQUIRE_SERVER
  const requireServer = options.requireServer ?? (flag === "1" || flag === "true")
  if (url === undefined && requireServer) {
    throw new Error("effect-orm: the PostgreSQL server is required (EFFECT_ORM_REQUIRE_SERVER) but DATABASE_URL is not set")
  }
  return [
    { name: "pglite", layer: pglite(schema) },
    ...(url === undefined ? [] : [{ name: "postgres", layer: postgres(schema, url) }])
  ]
}

/**
 * Runs `effect` in a transaction rolled back at the end, so each test starts from the same state.
 * @since 0.1.0
 */
export const isolated = Transaction.rollbackAfter

/**
 * Runs `effect` and returns what it produced with the statements it (and the fibers it forked) ran, in order.
 * @since 0.2.0
 */
export const captureQueries = QueryLog.capture
