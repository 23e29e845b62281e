/**
 * The embedded PostgreSQL driver: PGlite (PostgreSQL compiled to WebAssembly) in this process, in memory by
 * default or on a data directory. It is an Effect SQL client built with `SqlClient.make`, so transactions,
 * savepoints, `afterCommit` and spans behave as on the server, and it hands back values in the shapes of the server
 * driver (`@effect/sql-pg`): int8 as `bigint`, numeric as text, date as `YYYY-MM-DD`, time as microseconds, timestamps
 * as `Date`, interval as `{ months, days, microseconds }`.
 *
 * `@electric-sql/pglite` is an optional peer dependency: install it to use this driver. It is loaded when a PGlite
 * starts, so importing the ORM (or using only the server driver) does not load it, and its types are not part of the
 * ORM's declarations (this module describes the part of PGlite it uses).
 *
 * @since 0.1.0
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Reactivity from "effect/reactivity/Reactivity"
import type * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import * as SqlClient from "effect/sql/SqlClient"
import type * as SqlConnection from "effect/sql/SqlConnection"
import { SqlError, UnknownError } from "effect/sql/SqlError"
import * as Stream from "effect/Stream"
import * as Db from "../Db.js"
import { inferParameterTypes, parsers } from "./pgliteTypes.js"
import * as Snapshot from "./pgliteSnapshot.js"
import { classify } from "./sqlState.js"

/** The result of a PGlite query. @since 0.2.0 */
export interface Results {
  readonly rows: Array<any>
  readonly fields: ReadonlyArray<{ readonly name: string; readonly dataTypeID: number }>
  readonly affectedRows?: number
  readonly command?: string
}

/**
 * A PGlite instance, as far as this driver uses one: an `@electric-sql/pglite` `PGlite` fits it (pass yours to
 * `layerOn`; `Instance` gives it back, to `dumpDataDir` a snapshot, say).
 * @since 0.2.0
 */
export interface Database {
  query(sql: string, params?: Array<any>, options?: any): Promise<Results>
  exec(sql: string, options?: any): Promise<Array<Results>>
  dumpDataDir(compression?: "auto" | "gzip" | "none"): Promise<Blob>
  close(): Promise<void>
}

/** The PGlite instance behind the driver (for snapshots with `dumpDataDir`). @since 0.1.0 */
export class Instance extends Context.Service<Instance, Database>()("effect-orm/PGlite/Instance") {}

/**
 * Options of the embedded driver, passed to PGlite: `dataDir` to keep the database in a directory (in memory
 * without it), `loadDataDir` to restore a dump, and the others as PGlite documents them. `snapshot` (on by default,
 * in memory only) starts from a cached snapshot of a new cluster instead of running `initdb` each time: see
 * `cacheDir`.
 * @since 0.1.0
 */
export interface Options {
  readonly dataDir?: string
  readonly loadDataDir?: Blob
  readonly username?: string
  readonly database?: string
  readonly debug?: 0 | 1 | 2 | 3 | 4 | 5
  readonly relaxedDurability?: boolean
  readonly initialMemory?: number
  /** PGlite extensions (`{ vector }`, from `@electric-sql/pglite/vector`). */
  readonly extensions?: Readonly<Record<string, unknown>>
  readonly startParams?: ReadonlyArray<string>
  readonly snapshot?: boolean
}

/** Where PGlite snapshots are kept: `EFFECT_ORM_CACHE`, else `node_modules/.cache/effect-orm` under the working directory. @since 0.2.0 */
export const cacheDir: () => string = Snapshot.cacheDir

const sqlError = (cause: unknown, message: string, operation: string): SqlError =>
  new SqlError({ reason: classify(cause, message, operation) })

const attempt = <A>(operation: string, run: () => Promise<A>): Effect.Effect<A, SqlError> =>
  // A running query cannot be cancelled inside PGlite: let it finish before the fiber moves on.
  Effect.uninterruptible(Effect.tryPromise({ try: run, catch: (cause) => sqlError(cause, "PGlite: Query failed", operation) }))

type Rows = ReadonlyArray<any>
type TransformRows = (<A extends object>(row: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined

let cursorCounter = 0
// A query, after any leading comments (the ORM marks statements with its schema epoch in one).
const cursorable = /^\s*(?:\/\*[\s\S]*?\*\/\s*)*(SELECT|WITH|VALUES|TABLE)\b/i

/**
 * The one connection to a PGlite instance. `run` wraps each statement: outside a transaction it takes the
 * instance's lock for that statement only; inside one (which holds the lock) it runs the statement as it is.
 */
const makeConnection = (
  db: Database,
  run: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E>,
  inTransaction: boolean
): SqlConnection.Connection => {
  const query = (sql: string, params: ReadonlyArray<unknown>, rowMode?: "array") =>
    run(attempt("query", () =>
      db.query(sql, params as Array<unknown>, { parsers, rowMode, paramTypes: inferParameterTypes(params) })))
  const exec = (sql: string) =>
    run(attempt("query", () => db.exec(sql, { parsers }))).pipe(
      Effect.map((results) => results[results.length - 1]?.rows ?? [])
    )
  const transform = (effect: Effect.Effect<Rows, SqlError>, transformRows: TransformRows) =>
    transformRows === undefined ? effect : Effect.map(effect, transformRows)
  const rows = (sql: string, params: ReadonlyArray<unknown>) => Effect.map(query(sql, params), (r) => r.rows)
  return {
    execute: (sql, params, transformRows) => transform(rows(sql, params), transformRows),
    // Shaped like the server driver's result: the rows, the command tag and the number of rows affected or returned.
    executeRaw: (sql, params) =>
      Effect.map(query(sql, params), (r) => ({
        rows: r.rows,
        command: (r as { command?: string }).command,
        rowCount: r.affectedRows || r.rows.length
      })),
    executeValues: (sql, params) => Effect.map(query(sql, params, "array"), (r) => r.rows as any),
    executeValuesUnprepared: (sql, params) => Effect.map(query(sql, params, "array"), (r) => r.rows as any),
    executeUnprepared: (sql, params, transformRows) =>
      transform(params.length > 0 ? rows(sql, params) : exec(sql), transformRows),
    executeStream: (sql, params, transformRows) => cursorStream(rows, exec, sql, params, transformRows, inTransaction)
  }
}

/**
 * Streams a query's rows through a server-side cursor, 128 rows per FETCH, so memory stays constant in JavaScript.
 * Inside a transaction the cursor lives in it. Outside one the cursor is declared `WITH HOLD` and each FETCH takes
 * the instance's lock on its own, so other statements (of the stream's consumer, say) run between fetches instead
 * of waiting for the stream to end; PGlite keeps the result until the cursor is closed. Statements a cursor cannot
 * run (an INSERT ... RETURNING) are read at once and emitted in one chunk.
 */
const cursorStream = (
  rows: (sql: string, params: ReadonlyArray<unknown>) => Effect.Effect<Rows, SqlError>,
  exec: (sql: string) => Effect.Effect<Rows, SqlError>,
  sql: string,
  params: ReadonlyArray<unknown>,
  transformRows: TransformRows,
  inTransaction: boolean
): Stream.Stream<any, SqlError> => {
  const emit = (r: Rows) => transformRows ? transformRows(r) : r
  if (!cursorable.test(sql)) {
    return Stream.flatMap(Stream.fromEffect(rows(sql, params)), (r) => Stream.fromArray(emit(r)))
  }
  return Stream.unwrap(Effect.gen(function*() {
    const name = `effect_orm_pglite_cursor_${++cursorCounter}`
    yield* Effect.acquireRelease(
      rows(`DECLARE ${name} NO SCROLL CURSOR${inTransaction ? "" : " WITH HOLD"} FOR ${sql}`, params),
      // Inside a transaction that failed the cursor is gone with it.
      () => Effect.ignore(exec(`CLOSE ${name}`))
    )
    const pull = Effect.flatMap(rows(`FETCH 128 FROM ${name}`, []), (r) =>
      r.length === 0 ? Cause.done() : Effect.succeed(emit(r) as NonEmptyReadonlyArray<any>))
    return Stream.fromPull(Effect.succeed(pull))
  }))
}

/** PostgreSQL answers COMMIT with ROLLBACK when the transaction had failed: that is an error, not a commit. */
const commit = (conn: SqlConnection.Connection): Effect.Effect<void, SqlError> =>
  Effect.flatMap(conn.executeRaw("COMMIT", []), (result) =>
    (result as { command?: string }).command === "ROLLBACK"
      ? Effect.fail(
        new SqlError({
          reason: new UnknownError({
            cause: new Error("COMMIT rolled back an aborted transaction"),
            message: "PGlite: COMMIT rolled back an aborted transaction",
            operation: "commit"
          })
        })
      )
      : Effect.void)

/** Builds an `SqlClient` on a PGlite instance: one connection, held by one statement or transaction at a time. @since 0.1.0 */
export const makeClient = (db: Database): Effect.Effect<SqlClient.SqlClient, never, Reactivity.Reactivity> =>
  Effect.suspend(() => {
    const lock = Semaphore.makeUnsafe(1)
    const shared = makeConnection(db, (effect) => lock.withPermit(effect), false)
    // A transaction holds the only connection, and the lock, until it ends; its statements run as they are.
    const held = makeConnection(db, (effect) => effect, true)
    const transactionAcquirer: Effect.Effect<SqlConnection.Connection, never, Scope.Scope> = Effect.as(
      Effect.acquireRelease(lock.take(1), () => lock.release(1)),
      held
    )
    return SqlClient.make({
      acquirer: Effect.succeed(shared),
      borrower: (f) => f(shared),
      transactionAcquirer,
      compiler: PgClient.makeCompiler(),
      driver: "pglite",
      commit,
      releaseSavepoint: (name) => `RELEASE SAVEPOINT ${name}`,
      spanAttributes: [["db.system.name", "postgresql"], ["db.namespace", "pglite"]]
    })
  })

/** Loads PGlite, with a clear error when the optional peer dependency is not installed. */
const load = Effect.tryPromise({
  try: () => import("@electric-sql/pglite"),
  catch: (cause) =>
    sqlError(cause, "PGlite: @electric-sql/pglite is not installed (npm install @electric-sql/pglite)", "connect")
})

/** Starts a PGlite instance (running `initdb` unless `loadDataDir` or an existing `dataDir` is given), closed when the scope closes. @since 0.1.0 */
export const start = (options: Options = {}): Effect.Effect<Database, SqlError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.flatMap(load, ({ PGlite }) =>
      Effect.tryPromise({
        try: () => PGlite.create({ ...options, snapshot: undefined, parsers } as any) as unknown as Promise<Database>,
        catch: (cause) => sqlError(cause, "PGlite: Failed to start", "connect")
      })),
    (db) => Effect.promise(() => db.close())
  )

/**
 * Starts an in-memory PGlite from the cached snapshot of a new cluster after `setupSql`, making the snapshots on
 * first use (PGlite's start-up then takes under a second instead of several).
 * @since 0.2.0
 */
export const startFromSnapshot = (
  setupSql: ReadonlyArray<string> = [],
  options: Omit<Options, "dataDir" | "loadDataDir" | "snapshot"> = {}
): Effect.Effect<Database, SqlError, Scope.Scope> =>
  Snapshot.start(setupSql, {
    start: (loadDataDir) => start(loadDataDir === undefined ? options : { ...options, loadDataDir }),
    // Uncompressed (about 40 MB a cluster): restoring a compressed dump takes a third longer.
    dump: (db) => Effect.promise(() => db.dumpDataDir("none")),
    exec: (db, sql) => attempt("query", () => db.exec(sql)),
    cluster: `${options.username ?? ""}\u0000${options.database ?? ""}`
  }).pipe(Effect.mapError((error) => error instanceof SqlError ? error : sqlError(error, "PGlite: Failed to start", "connect")))

/**
 * A `Db` (and `SqlClient`) on a PGlite instance in this process: in memory unless `dataDir` is given, started from a
 * cached snapshot unless `snapshot: false` (or a `dataDir` or `loadDataDir`) is given.
 * @since 0.1.0
 */
export const layer = (
  options: Options = {}
): Layer.Layer<Db.Db | SqlClient.SqlClient | Instance, SqlError> => {
  const fromSnapshot = options.snapshot !== false && options.dataDir === undefined && options.loadDataDir === undefined
  return Layer.unwrap(Effect.map(fromSnapshot ? startFromSnapshot([], options) : start(options), layerOn))
}

/** A `Db` (and `SqlClient`) on a PGlite instance you started yourself. @since 0.1.0 */
export const layerOn = (db: Database): Layer.Layer<Db.Db | SqlClient.SqlClient | Instance> =>
  Layer.provideMerge(
    Db.layerFromSqlClient("pglite"),
    Layer.merge(
      Layer.effect(SqlClient.SqlClient, makeClient(db)).pipe(Layer.provide(Reactivity.layer)),
      Layer.succeed(Instance, db)
    )
  )
