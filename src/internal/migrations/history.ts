/**
 * What a database has applied: the table `effect_orm_migrations` (one row per applied migration, with the checksum
 * of its operations), and the lock that keeps two `migrate` runs from applying the same migration.
 * @internal
 */
import { createHash } from "node:crypto"
import * as Effect from "effect/Effect"
import * as Semaphore from "effect/Semaphore"
import type * as SqlError from "effect/sql/SqlError"
import type { DataError, IntegrityError } from "../../Errors.js"
import { literal, quote } from "../compiler.js"
import * as Executor from "../executor.js"
import { Db } from "../service.js"
import type { Migration } from "./migration.js"
import { canonical } from "./state.js"

/** The table of applied migrations. @internal */
export const TABLE = "effect_orm_migrations"

/** A row of the history table. @internal */
export interface Applied {
  readonly name: string
  readonly checksum: string
  readonly appliedAt: Date
}

type SqlFailure = SqlError.SqlError | IntegrityError | DataError

/**
 * The checksum of a migration: SHA-256 of its dependencies and operations as canonical JSON, data migrations by
 * their functions' source. Reformatting a file keeps it; changing what it does changes it.
 * @internal
 */
export const checksum = (migration: Migration): string =>
  createHash("sha256")
    .update(canonical(withSources({
      dependencies: [...migration.dependencies].sort(),
      replaces: migration.replaces,
      operations: migration.operations
    })))
    .digest("hex")

/** The value with its functions replaced by their source text. */
const withSources = (value: unknown): unknown =>
  typeof value === "function"
    ? value.toString()
    : Array.isArray(value)
    ? value.map(withSources)
    : typeof value === "object" && value !== null
    ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSources(v)]))
    : value

/** The DDL of the history table. @internal */
export const tableSql = `CREATE TABLE IF NOT EXISTS ${quote(TABLE)} (` +
  `"name" text PRIMARY KEY, "checksum" text NOT NULL, "applied_at" timestamptz NOT NULL DEFAULT now())`

/** Creates the history table if it does not exist. @internal */
export const ensureTable: Effect.Effect<void, SqlFailure, Db> = Executor.ddl(tableSql)

/**
 * Every statement that applies `migrations` from nothing and records them, as plain SQL, for schemas made once and
 * kept (test snapshots); `undefined` when a data migration needs the ORM to run.
 * @internal
 */
export const scriptOf = (steps: ReadonlyArray<{ readonly migration: Migration; readonly operations: ReadonlyArray<{ readonly operation: { readonly _tag: string }; readonly sql: ReadonlyArray<string> }> }>): ReadonlyArray<string> | undefined => {
  if (steps.some((s) => s.operations.some((o) => o.operation._tag === "RunEffect"))) return undefined
  return [
    tableSql,
    ...steps.flatMap((s) => s.operations.flatMap((o) => o.sql)),
    ...steps.map((s) => `INSERT INTO ${quote(TABLE)} ("name", "checksum") VALUES (${literal(s.migration.name)}, ${literal(checksum(s.migration))})`)
  ]
}

/** Whether the history table exists (read-only commands do not create it). */
const tableExists: Effect.Effect<boolean, SqlFailure, Db> = Effect.map(
  Executor.select({ sql: "SELECT to_regclass($1) IS NOT NULL AS \"exists\"", params: [quote(TABLE)] }),
  (rows) => rows[0]?.exists === true
)

/** The applied migrations, oldest first; none when the table does not exist yet. @internal */
export const applied: Effect.Effect<ReadonlyArray<Applied>, SqlFailure, Db> = Effect.flatMap(tableExists, (exists) =>
  exists
    ? Effect.map(
      Executor.select({
        sql: `SELECT "name", "checksum", "applied_at" FROM ${quote(TABLE)} ORDER BY "applied_at", "name"`,
        params: []
      }),
      (rows) => rows.map((row): Applied => ({ name: row.name, checksum: row.checksum, appliedAt: new Date(row.applied_at) }))
    )
    : Effect.succeed([]))

/** Records a migration as applied. @internal */
export const record = (name: string, sum: string): Effect.Effect<void, SqlFailure, Db> =>
  Effect.asVoid(Executor.rows({ sql: `INSERT INTO ${quote(TABLE)} ("name", "checksum") VALUES ($1, $2)`, params: [name, sum] }))

/** Forgets a migration (unapplied). @internal */
export const unrecord = (name: string): Effect.Effect<void, SqlFailure, Db> =>
  Effect.asVoid(Executor.rows({ sql: `DELETE FROM ${quote(TABLE)} WHERE "name" = $1`, params: [name] }))

/** The advisory lock key: a fixed 64-bit number, the same for every process migrating this database. */
const LOCK_KEY = 4_185_090_573_163_721n

/** A waiting run tries the lock again after 200 ms of real time (a test's TestClock must not stop the wait). */
const pause = Effect.callback<void>((resume) => {
  const timer = setTimeout(() => resume(Effect.void), 200)
  return Effect.sync(() => clearTimeout(timer))
})

/** Runs on PGlite wait on each other here: it has one session, where an advisory lock excludes no one. */
const local = Semaphore.makeUnsafe(1)

/**
 * Runs `effect` holding the migration lock: a session advisory lock on a connection reserved for the run (on the
 * server), so a second `migrate` waits until the first is done and then finds its migrations applied; `onWait` runs
 * when the lock is taken by someone else. Needs a pool of at least two connections on the server.
 * @internal
 */
export const withLock = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  onWait: Effect.Effect<void> = Effect.void
): Effect.Effect<A, E | SqlError.SqlError, R | Db> =>
  Effect.gen(function*() {
    const { driver, sql } = yield* Db
    if (driver === "pglite") return yield* local.withPermits(1)(effect)
    return yield* Effect.scoped(Effect.gen(function*() {
      const connection = yield* sql.reserve
      // Polled, not a blocking pg_advisory_lock: a waiting query holds a snapshot, and the other run's CREATE INDEX
      // CONCURRENTLY waits for every snapshot older than its own, so both would wait forever.
      const tryLock = Effect.map(
        connection.execute("SELECT pg_try_advisory_lock($1) AS locked", [LOCK_KEY], undefined),
        ([row]) => row?.locked === true
      )
      if (!(yield* tryLock)) {
        yield* onWait
        while (!(yield* tryLock)) yield* pause
      }
      yield* Effect.addFinalizer(() => Effect.ignore(connection.execute("SELECT pg_advisory_unlock($1)", [LOCK_KEY], undefined)))
      return yield* effect
    }))
  })
