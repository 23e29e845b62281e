/**
 * The embedded PostgreSQL driver: PGlite (PostgreSQL compiled to WebAssembly) in this process, in memory by
 * default or on a data directory. It is an `@effect/sql` client built with `SqlClient.make`, so transactions,
 * savepoints, spans and `Migrator` behave as on the server.
 *
 * @since 0.1.0
 */
import { PGlite as PGliteDb, type PGliteOptions } from "@electric-sql/pglite"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlConnection from "@effect/sql/SqlConnection"
import { SqlError } from "@effect/sql/SqlError"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { layerFromSqlClient } from "../Db.js"
import type { Db } from "../internal/service.js"
import { textOids } from "./types.js"

/** The PGlite instance behind the driver (for snapshots with `dumpDataDir`). @since 0.1.0 */
export class Instance extends Context.Tag("effect-orm/PGlite/Instance")<Instance, PGliteDb>() {}

/** Options of the embedded driver: PGlite's own (`dataDir` to persist, `loadDataDir` to restore a dump). @since 0.1.0 */
export type Options = Omit<PGliteOptions, "parsers">

const parsers = Object.fromEntries(textOids.map((oid) => [oid, (value: string) => value]))

const attempt = <A>(message: string, run: () => Promise<A>): Effect.Effect<A, SqlError> =>
  // A running query cannot be cancelled inside PGlite: let it finish before the fiber moves on.
  Effect.uninterruptible(Effect.tryPromise({ try: run, catch: (cause) => new SqlError({ cause, message }) }))

let cursorCounter = 0
const cursorable = /^\s*(SELECT|WITH|VALUES|TABLE)\b/i

/**
 * Streams a query's rows through a server-side cursor, 128 rows per FETCH, so memory stays constant. Outside a
 * transaction the cursor gets one of its own (rolled back at the end: it only reads); statements a cursor cannot
 * run (an INSERT ... RETURNING) are read at once and emitted in chunks.
 */
const cursorStream = (
  db: PGliteDb,
  sql: string,
  params: ReadonlyArray<unknown>,
  transformRows: (<A extends object>(row: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined,
  ownTransaction: boolean
): Stream.Stream<any, SqlError> => {
  const emit = (rows: ReadonlyArray<any>) => Chunk.unsafeFromArray(transformRows ? transformRows(rows) : rows)
  if (!cursorable.test(sql)) {
    return Stream.flatMap(
      Stream.fromEffect(attempt("Failed to execute statement", () => db.query<any>(sql, params as Array<unknown>, { parsers }))),
      (r) => Stream.fromChunk(emit(r.rows))
    )
  }
  return Stream.unwrapScoped(Effect.gen(function*() {
    const name = `effect_orm_cursor_${++cursorCounter}`
    const exec = (statement: string) => attempt("Failed to execute statement", () => db.exec(statement))
    yield* Effect.acquireRelease(
      Effect.zipRight(
        ownTransaction ? exec("BEGIN") : Effect.void,
        attempt("Failed to execute statement", () =>
          db.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params as Array<unknown>, { parsers })).pipe(
            Effect.tapError(() => ownTransaction ? Effect.ignore(exec("ROLLBACK")) : Effect.void)
          )
      ),
      () => Effect.ignore(exec(ownTransaction ? "ROLLBACK" : `CLOSE ${name}`))
    )
    const pull = attempt("Failed to execute statement", () => db.query<any>(`FETCH 128 FROM ${name}`, [], { parsers })).pipe(
      Effect.mapError(Option.some),
      Effect.flatMap((r) => r.rows.length === 0 ? Effect.fail(Option.none()) : Effect.succeed(emit(r.rows)))
    )
    return Stream.repeatEffectChunkOption(pull)
  }))
}

const makeConnection = (db: PGliteDb, ownTransaction: boolean): SqlConnection.Connection => {
  const query = (sql: string, params: ReadonlyArray<unknown>, rowMode?: "array") =>
    attempt("Failed to execute statement", () => db.query<any>(sql, params as Array<unknown>, { parsers, rowMode }))
  const unprepared = (sql: string, params: ReadonlyArray<unknown>) =>
    params.length > 0
      ? Effect.map(query(sql, params), (r) => r.rows)
      : attempt("Failed to execute statement", () => db.exec(sql, { parsers })).pipe(
        Effect.map((results) => results[results.length - 1]?.rows ?? [])
      )
  const transform = (
    effect: Effect.Effect<ReadonlyArray<any>, SqlError>,
    transformRows: (<A extends object>(row: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined
  ) => transformRows === undefined ? effect : Effect.map(effect, transformRows)
  return {
    execute: (sql, params, transformRows) => transform(Effect.map(query(sql, params), (r) => r.rows), transformRows),
    // Shaped like node-postgres' result (rowCount counts the rows a SELECT returns too), so both drivers read alike.
    executeRaw: (sql, params) =>
      Effect.map(query(sql, params), (r) => ({ rows: r.rows, fields: r.fields, rowCount: r.affectedRows || r.rows.length })),
    executeValues: (sql, params) => Effect.map(query(sql, params, "array"), (r) => r.rows),
    executeUnprepared: (sql, params, transformRows) => transform(unprepared(sql, params), transformRows),
    executeStream: (sql, params, transformRows) => cursorStream(db, sql, params, transformRows, ownTransaction)
  }
}

/** Builds an `SqlClient` on a PGlite instance: one connection, held by one fiber (or transaction) at a time. @since 0.1.0 */
export const makeClient = (db: PGliteDb): Effect.Effect<SqlClient.SqlClient, never, Reactivity.Reactivity> =>
  Effect.gen(function*() {
    const lock = yield* Effect.makeSemaphore(1)
    // Inside a transaction (which holds the lock) statements run as they are; outside, each takes the lock.
    const raw = makeConnection(db, false)
    const outside = makeConnection(db, true)
    const locked: SqlConnection.Connection = {
      execute: (sql, params, t) => lock.withPermits(1)(raw.execute(sql, params, t)),
      executeRaw: (sql, params) => lock.withPermits(1)(raw.executeRaw(sql, params)),
      executeValues: (sql, params) => lock.withPermits(1)(raw.executeValues(sql, params)),
      executeUnprepared: (sql, params, t) => lock.withPermits(1)(raw.executeUnprepared(sql, params, t)),
      executeStream: (sql, params, t) =>
        Stream.unwrapScoped(Effect.as(Effect.acquireRelease(lock.take(1), () => lock.release(1)), outside.executeStream(sql, params, t)))
    }
    return yield* SqlClient.make({
      acquirer: Effect.succeed(locked),
      // A transaction holds the only connection until it ends.
      transactionAcquirer: Effect.as(Effect.acquireRelease(lock.take(1), () => lock.release(1)), raw),
      compiler: PgClient.makeCompiler(),
      spanAttributes: [["db.system.name", "postgresql"], ["db.namespace", "pglite"]]
    })
  })

/** Starts a PGlite instance, closed when the scope closes. @since 0.1.0 */
export const start = (options: Options = {}): Effect.Effect<PGliteDb, SqlError, import("effect/Scope").Scope> =>
  Effect.acquireRelease(
    attempt("Failed to start PGlite", () => PGliteDb.create({ ...options, parsers } as PGliteOptions)),
    (db) => Effect.promise(() => db.close())
  )

/** A `Db` (and `SqlClient`) on a PGlite instance in this process; in memory unless `dataDir` is given. @since 0.1.0 */
export const layer = (
  options: Options = {}
): Layer.Layer<Db | SqlClient.SqlClient | Instance, SqlError> =>
  Layer.unwrapScoped(Effect.map(start(options), layerOn))

/** A `Db` (and `SqlClient`) on a PGlite instance you started yourself. @since 0.1.0 */
export const layerOn = (db: PGliteDb): Layer.Layer<Db | SqlClient.SqlClient | Instance> =>
  Layer.provideMerge(
    layerFromSqlClient("pglite"),
    Layer.merge(
      Layer.effect(SqlClient.SqlClient, makeClient(db)).pipe(Layer.provide(Reactivity.layer)),
      Layer.succeed(Instance, db)
    )
  )
