/**
 * Transactions as scoped resources in the fiber's context. The outermost `atomic` reserves a connection and sends
 * BEGIN; nested calls are savepoints. It shares `@effect/sql`'s `TransactionConnection`, so raw `SqlClient`
 * statements and forked fibers run on the transaction's connection.
 *
 * Two defects of `@effect/sql` 0.52's own `withTransaction` are avoided here: sibling fibers' savepoints are run one
 * at a time per transaction level (an inner rollback can never discard a sibling's committed savepoint), and a
 * failing COMMIT is a typed error (`IntegrityError` or `SqlError`), not a defect.
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlConnection from "@effect/sql/SqlConnection"
import type * as SqlError from "@effect/sql/SqlError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import { Db } from "./Db.js"
import { type IntegrityError, QueryError } from "./Errors.js"
import { mapSqlError } from "./internal/executor.js"

/** Isolation levels of PostgreSQL. @since 0.1.0 */
export type IsolationLevel = "read committed" | "repeatable read" | "serializable"

/** Options of the outermost transaction. @since 0.1.0 */
export interface AtomicOptions {
  readonly isolationLevel?: IsolationLevel
  readonly readOnly?: boolean
}

/** One level of an open transaction: its savepoints' lock is shared by the fibers working at that level. */
interface Level {
  readonly depth: number
  readonly savepoints: Effect.Semaphore
}

class CurrentLevel extends Context.Tag("effect-orm/Transaction/CurrentLevel")<CurrentLevel, Level>() {}

let savepointCounter = 0

const run = (conn: SqlConnection.Connection, statement: string): Effect.Effect<void, SqlError.SqlError | IntegrityError> =>
  conn.executeUnprepared(statement, [], undefined).pipe(Effect.asVoid, Effect.mapError(mapSqlError))

const beginStatement = (options: AtomicOptions | undefined) => {
  let sql = "BEGIN"
  if (options?.isolationLevel !== undefined) sql += ` ISOLATION LEVEL ${options.isolationLevel.toUpperCase()}`
  if (options?.readOnly === true) sql += " READ ONLY"
  return sql
}

const isolationLevels: ReadonlyArray<string> = ["read committed", "repeatable read", "serializable"]

const inLevel = <A, E, R>(effect: Effect.Effect<A, E, R>, conn: SqlConnection.Connection, level: Level) =>
  effect.pipe(
    Effect.provideService(SqlClient.TransactionConnection, [conn, level.depth] as const),
    Effect.provideService(CurrentLevel, level)
  )

/**
 * The transaction's connection, running one statement at a time: fibers forked inside a transaction may query at
 * once, and node-postgres deprecates overlapping queries on one client. Streams keep their cursor open for the
 * whole stream and are not serialized (as with node-postgres' own queue, consuming a stream while querying on the
 * same transaction waits for the stream).
 */
const serialized = (conn: SqlConnection.Connection, lock: Effect.Semaphore): SqlConnection.Connection => ({
  execute: (sql, params, transformRows) => lock.withPermits(1)(conn.execute(sql, params, transformRows)),
  executeRaw: (sql, params) => lock.withPermits(1)(conn.executeRaw(sql, params)),
  executeValues: (sql, params) => lock.withPermits(1)(conn.executeValues(sql, params)),
  executeUnprepared: (sql, params, transformRows) => lock.withPermits(1)(conn.executeUnprepared(sql, params, transformRows)),
  executeStream: (sql, params, transformRows) => conn.executeStream(sql, params, transformRows)
})

/** The outermost transaction: reserve a connection, BEGIN, then COMMIT or ROLLBACK as `finish` decides. */
const outermost = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: AtomicOptions | undefined,
  commit: boolean
): Effect.Effect<A, E | SqlError.SqlError | IntegrityError | QueryError, R | Db> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function*(): Effect.fn.Return<A, E | SqlError.SqlError | IntegrityError | QueryError, R | Db> {
      if (options?.isolationLevel !== undefined && !isolationLevels.includes(options.isolationLevel)) {
        return yield* new QueryError({ model: "atomic", reason: `unknown isolation level "${options.isolationLevel}"` })
      }
      const db = yield* Db
      const scope = yield* Scope.make()
      const lock = yield* Effect.makeSemaphore(1)
      const opened = yield* restore(Scope.extend(db.sql.reserve, scope)).pipe(
        Effect.map((conn) => serialized(conn, lock)),
        Effect.tap((conn) => run(conn, beginStatement(options))),
        Effect.onExit((exit) => Exit.isFailure(exit) ? Scope.close(scope, exit) : Effect.void)
      )
      const level: Level = { depth: 0, savepoints: yield* Effect.makeSemaphore(1) }
      const exit = yield* Effect.exit(restore(inLevel(effect, opened, level)))
      let end: Exit.Exit<void, SqlError.SqlError | IntegrityError>
      if (Exit.isSuccess(exit) && commit) {
        end = yield* Effect.exit(run(opened, "COMMIT"))
        // A failed COMMIT has already ended the transaction in PostgreSQL; ROLLBACK only clears the state.
        if (Exit.isFailure(end)) yield* Effect.ignore(run(opened, "ROLLBACK"))
      } else {
        end = yield* Effect.exit(run(opened, "ROLLBACK"))
      }
      yield* Scope.close(scope, Exit.isFailure(exit) ? exit : end)
      if (Exit.isFailure(exit)) return yield* exit
      if (Exit.isFailure(end)) return yield* Effect.failCause(end.cause)
      return exit.value
    }).pipe(Effect.withSpan("effect-orm.transaction", { attributes: { "db.transaction.depth": 0 } }))
  )

/** A nested transaction: a uniquely named savepoint, one at a time per enclosing level. */
const nested = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  conn: SqlConnection.Connection,
  parent: Level
): Effect.Effect<A, E | SqlError.SqlError | IntegrityError, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function*() {
      yield* restore(parent.savepoints.take(1))
      const name = `effect_orm_sp_${++savepointCounter}`
      const exit = yield* Effect.gen(function*() {
        yield* run(conn, `SAVEPOINT ${name}`)
        const level: Level = { depth: parent.depth + 1, savepoints: yield* Effect.makeSemaphore(1) }
        const result = yield* Effect.exit(restore(inLevel(effect, conn, level)))
        if (Exit.isFailure(result)) yield* run(conn, `ROLLBACK TO SAVEPOINT ${name}`)
        yield* run(conn, `RELEASE SAVEPOINT ${name}`)
        return yield* result
      }).pipe(Effect.exit)
      yield* parent.savepoints.release(1)
      return yield* exit
    }).pipe(Effect.withSpan("effect-orm.savepoint", { attributes: { "db.transaction.depth": parent.depth + 1 } }))
  )

/**
 * Runs `effect` in a transaction: commit on success; roll back on failure, defect or interruption. Inside another
 * transaction it is a savepoint, and options are refused (they apply to the outermost transaction only).
 * @since 0.1.0
 */
export const atomic = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options?: AtomicOptions
): Effect.Effect<A, E | SqlError.SqlError | IntegrityError | QueryError, R | Db> =>
  Effect.flatMap(Effect.serviceOption(SqlClient.TransactionConnection), (current) => {
    if (Option.isNone(current)) return outermost(effect, options, true)
    if (options?.isolationLevel !== undefined || options?.readOnly !== undefined) {
      return new QueryError({ model: "atomic", reason: "isolation level and read-only apply to the outermost transaction only" })
    }
    const [conn, depth] = current.value
    return Effect.flatMap(
      Effect.serviceOption(CurrentLevel),
      (level) =>
        // A transaction opened by `sql.withTransaction` has no level of ours: start one at its depth.
        Option.isSome(level) && level.value.depth === depth
          ? nested(effect, conn, level.value)
          : Effect.flatMap(Effect.makeSemaphore(1), (savepoints) => nested(effect, conn, { depth, savepoints }))
    )
  })

/** Whether the current fiber runs inside a transaction. @since 0.1.0 */
export const inTransaction: Effect.Effect<boolean> = Effect.map(
  Effect.serviceOption(SqlClient.TransactionConnection),
  Option.isSome
)

/**
 * Runs `effect` in a transaction that is always rolled back: the isolation of Django's `TestCase`. An `atomic`
 * inside becomes a savepoint.
 * @since 0.1.0
 */
export const rollbackAfter = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError.SqlError | IntegrityError | QueryError, R | Db> => outermost(effect, undefined, false)
