/**
 * Runs compiled statements on the `SqlClient` of the `Db` service (the client runs them on its transaction's
 * connection when there is one), records them in the query log, and turns constraint violations into
 * `IntegrityError`.
 * @internal
 */
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as SqlClient from "effect/sql/SqlClient"
import type * as SqlError from "effect/sql/SqlError"
import * as Stream from "effect/Stream"
import type { DataError, IntegrityError } from "../Errors.js"
import * as Transaction from "../Transaction.js"
import type { Compiled } from "./compiler.js"
import { mapDataError, mapSqlError, mapWriteError } from "./integrity.js"
import * as Operation from "./operation.js"
import { currentQueryLog, LogStatements } from "./queryLog.js"
import * as SchemaEpoch from "./schemaEpoch.js"
import { Db } from "./service.js"

/**
 * Records the statement and runs it on the `Db`'s client. Reads the fiber's state once, synchronously: this is every
 * query's path.
 */
const execute = <A, E, R>(
  compiled: Compiled,
  run: (sql: SqlClient.SqlClient, context: Context.Context<never>) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R | Db> =>
  Effect.withFiber((fiber) => {
    fiber.getRef(currentQueryLog)?.push(compiled)
    Operation.countStatement(fiber.getRef(Operation.CurrentOperation))
    const effect = run(Context.get(fiber.context as Context.Context<Db>, Db).sql, fiber.context)
    return fiber.getRef(LogStatements) ? logged(compiled, effect) : effect
  })

/** Logs a statement at debug level once it has run, with its duration (`QueryLog.LogStatements`). */
const logged = <A, E, R>(compiled: Compiled, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    const started = performance.now()
    return Effect.onExit(effect, (exit) =>
      Effect.logDebug("effect-orm: statement").pipe(
        Effect.annotateLogs({
          sql: compiled.sql,
          parameters: compiled.params.length,
          durationMs: Math.round((performance.now() - started) * 1000) / 1000,
          outcome: exit._tag === "Success" ? "success" : "failure"
        })
      ))
  })

/**
 * Runs `statement` in a savepoint when `compiled` asks for one and a transaction is open (see `Compiled.savepoint`):
 * the client's nested `withTransaction` is a savepoint.
 */
const guarded = <A, E, R>(
  compiled: Compiled,
  sql: SqlClient.SqlClient,
  context: Context.Context<never>,
  statement: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError.SqlError, R> =>
  compiled.savepoint === true && Context.getOrUndefined(context, sql.transactionService) !== undefined
    ? sql.withTransaction(statement)
    : statement

/** Runs a read and returns its rows (a read cannot break a constraint; data exceptions become `DataError`). @internal */
export const select = (compiled: Compiled): Effect.Effect<ReadonlyArray<any>, DataError | SqlError.SqlError, Db> =>
  execute(compiled, (sql, context) => {
    const statement = sql.unsafe<any>(SchemaEpoch.text(compiled.sql), compiled.params as Array<unknown>)
    return Effect.mapError(
      guarded(compiled, sql, context, compiled.unprepared === true ? statement.unprepared : statement.withoutTransform),
      mapDataError
    )
  })

/** Runs a write and returns the rows it returns. @internal */
export const rows = (compiled: Compiled): Effect.Effect<ReadonlyArray<any>, IntegrityError | DataError | SqlError.SqlError, Db> =>
  Effect.mapError(select(compiled), (error) => error._tag === "DataError" ? error : mapSqlError(error))

/** Runs a write and returns the number of rows it affected. @internal */
export const affected = (compiled: Compiled): Effect.Effect<number, IntegrityError | DataError | SqlError.SqlError, Db> =>
  execute(compiled, (sql, context) =>
    guarded(compiled, sql, context, sql.unsafe(SchemaEpoch.text(compiled.sql), compiled.params as Array<unknown>).raw).pipe(
      Effect.map((raw) => Number((raw as { rowCount?: number | bigint | null }).rowCount ?? 0)),
      Effect.mapError(mapWriteError)
    ))

/**
 * Runs DDL (which cannot take parameters) without preparing it: a statement the database will not see again does not
 * belong in the connection's cache of prepared statements. Statements after it get a new text (`SchemaEpoch`), and
 * so do those after the end of the transaction it ran in.
 * @internal
 */
export const ddl = (statement: string): Effect.Effect<void, IntegrityError | SqlError.SqlError, Db> =>
  execute({ sql: statement, params: [] }, (sql) =>
    sql.unsafe(statement).unprepared.pipe(
      Effect.ensuring(Effect.sync(SchemaEpoch.bump)),
      Effect.andThen(Transaction.onEnd(SchemaEpoch.bump)),
      Effect.mapError(mapSqlError)
    ))

let cursors = 0

/**
 * Streams a read's rows. Inside a transaction it reads through an SQL cursor (`DECLARE` / `FETCH size`), so that other
 * statements (prefetch queries, or queries of the stream's consumer) can run on the transaction's connection between
 * fetches; a driver's stream keeps the connection for itself until it ends. Outside a transaction it is the driver's
 * stream, on a connection of its own.
 * @internal
 */
export const stream = (compiled: Compiled, size: number): Stream.Stream<any, SqlError.SqlError, Db> =>
  Stream.unwrap(execute(compiled, (sql, context) => {
    const text = SchemaEpoch.text(compiled.sql)
    if (Context.getOrUndefined(context, sql.transactionService) === undefined) return Effect.succeed(sql.unsafe<any>(text, compiled.params as Array<unknown>).stream)
    return Effect.succeed(Stream.unwrap(Effect.gen(function*() {
      const name = `"effect_orm_cursor_${++cursors}"`
      yield* Effect.acquireRelease(
        sql.unsafe(`DECLARE ${name} NO SCROLL CURSOR FOR ${text}`, compiled.params as Array<unknown>).unprepared,
        // After a failed statement the transaction is aborted and the cursor gone with it.
        () => Effect.ignore(sql.unsafe(`CLOSE ${name}`).unprepared)
      )
      // FETCH takes no parameters: `size` is an integer checked by the caller.
      const fetch = sql.unsafe<any>(`FETCH ${size} FROM ${name}`).unprepared
      // A fetch of fewer rows than asked for read the last ones: no round trip to learn that the cursor is done.
      let exhausted = false
      return Stream.fromPull(Effect.succeed(Effect.withFiber((fiber) => {
        if (exhausted) return Cause.done()
        Operation.countFetch(fiber.getRef(Operation.CurrentOperation))
        return Effect.flatMap(fetch, (rows) => {
          if (rows.length < size) exhausted = true
          return rows.length === 0 ? Cause.done() : Effect.succeed(rows as NonEmptyReadonlyArray<any>)
        })
      })))
    })))
  }))
