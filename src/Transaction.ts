/**
 * Transactions as scoped resources in the fiber's context. The outermost `atomic` reserves a connection and sends
 * BEGIN; nested calls are savepoints. It shares `@effect/sql`'s `TransactionConnection`, so raw `SqlClient`
 * statements and forked fibers run on the transaction's connection.
 *
 * Two defects of `@effect/sql` 0.52's own `withTransaction` are avoided here: sibling fibers' savepoints are run one
 * at a time per transaction level (an inner rollback can never discard a sibling's committed savepoint), and a
 * failing COMMIT is a typed error (`IntegrityError` or `SqlError`), not a defect. A third, of `@effect/sql-pg`: a
 * fiber interrupted while it waits for a pooled connection must not leak the connection the pool hands over later.
 *
 * Beyond Django's `atomic`: `durable`, `onCommit` (Django's `transaction.on_commit`) and `retry` (re-running the
 * whole transaction on a serialization failure or deadlock).
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlConnection from "@effect/sql/SqlConnection"
import type * as SqlError from "@effect/sql/SqlError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import { type IntegrityError, QueryError } from "./Errors.js"
import { mapSqlError } from "./internal/integrity.js"
import { Db } from "./internal/service.js"

/** Isolation levels of PostgreSQL. @since 0.1.0 */
export type IsolationLevel = "read committed" | "repeatable read" | "serializable"

/**
 * Options of `atomic`. `isolationLevel`, `readOnly` and `retry` apply to the outermost transaction only (a nested
 * call given one of them fails with a `QueryError`); `durable` is checked on every call. Directly inside
 * `rollbackAfter` (`Testing.isolated`) all are accepted, so that code using them can be tested: the block is a
 * savepoint there, `retry` re-runs the savepoint, and the isolation level and read-only mode are the test's.
 * @since 0.1.0
 */
export interface AtomicOptions<RS = never> {
  readonly isolationLevel?: IsolationLevel
  readonly readOnly?: boolean
  /**
   * This block must be the outermost transaction, so that its success means its writes are committed: inside
   * another transaction it fails with a `QueryError` before running anything (Django's `durable=True`). Directly
   * inside `rollbackAfter` (`Testing.isolated`) it is allowed and becomes a savepoint, as in Django's `TestCase`.
   */
  readonly durable?: boolean
  /**
   * Re-run the whole transaction, as this schedule allows, when it fails with a serialization failure or a
   * deadlock (`isRetryable`), the failure of its COMMIT included. Other failures are not retried, nor are defects.
   * The effect runs again from the start, so effects outside the database in it run again too.
   */
  readonly retry?: Schedule.Schedule<unknown, SqlError.SqlError, RS>
}

/** One registered `onCommit` callback, with the level it was registered at. */
interface Callback {
  readonly level: Level
  readonly run: Effect.Effect<void>
}

/**
 * What all levels of one transaction share: the `onCommit` callbacks in registration order, and how it ended.
 * `foreign`: the outermost transaction was opened by `sql.withTransaction`, whose COMMIT cannot be seen from here.
 */
interface Root {
  readonly callbacks: Array<Callback>
  state: "open" | "committed" | "rolledBack" | "foreign"
  /** Opened by `rollbackAfter`: always rolled back. */
  readonly rollbackOnly: boolean
  /** The client (database) whose connection the transaction holds; unknown for `sql.withTransaction`. */
  readonly client: SqlClient.SqlClient | undefined
}

/** One level of an open transaction: its savepoints' lock is shared by the fibers working at that level. */
interface Level {
  readonly depth: number
  readonly savepoints: Effect.Semaphore
  readonly parent: Level | undefined
  readonly root: Root
  /** Set when this level's savepoint was rolled back (or failed): callbacks registered in it, or below, are dropped. */
  rolledBack: boolean
}

const makeRoot = (state: Root["state"], rollbackOnly: boolean, client: SqlClient.SqlClient | undefined): Root => ({
  callbacks: [],
  state,
  rollbackOnly,
  client
})

const makeLevel = (depth: number, parent: Level | undefined, root: Root): Effect.Effect<Level> =>
  Effect.map(Effect.makeSemaphore(1), (savepoints) => ({ depth, savepoints, parent, root, rolledBack: false }))

/** Whether `level` or one of its enclosing levels was rolled back. */
const discarded = (level: Level): boolean => {
  for (let l: Level | undefined = level; l !== undefined; l = l.parent) if (l.rolledBack) return true
  return false
}

class CurrentLevel extends Context.Tag("effect-orm/Transaction/CurrentLevel")<CurrentLevel, Level>() {}

let savepointCounter = 0

const run = (conn: SqlConnection.Connection, statement: string): Effect.Effect<void, SqlError.SqlError | IntegrityError> =>
  conn.executeUnprepared(statement, [], undefined).pipe(Effect.asVoid, Effect.mapError(mapSqlError))

const beginStatement = (options: AtomicOptions<any> | undefined) => {
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

/**
 * Reserves a connection into `scope`. The reservation runs in a fiber of its own that is never interrupted:
 * `@effect/sql-pg` waits for a pooled connection with a callback it cannot cancel, so a fiber interrupted while
 * waiting would lose the connection the pool hands over later, and after a few such interruptions every connection
 * of the pool would be gone. Here the caller may stop waiting at once: the connection, when it comes, is added to
 * the scope the caller has closed by then, which releases it at once.
 */
const reserve = (db: Db["Type"], scope: Scope.Scope): Effect.Effect<SqlConnection.Connection, SqlError.SqlError> =>
  Effect.flatMap(
    Effect.forkDaemon(Effect.uninterruptible(Scope.extend(db.sql.reserve, scope))),
    Fiber.join
  )

/** Runs the callbacks of a committed transaction, outside it, in registration order (each one is robust). */
const runCallbacks = (callbacks: ReadonlyArray<Callback>): Effect.Effect<void> =>
  Effect.forEach(callbacks, (callback) => discarded(callback.level) ? Effect.void : callback.run, { discard: true })

/** The outermost transaction: reserve a connection, BEGIN, then COMMIT or ROLLBACK as `finish` decides. */
const outermost = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: AtomicOptions<any> | undefined,
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
      const opened = yield* restore(reserve(db, scope)).pipe(
        Effect.map((conn) => serialized(conn, lock)),
        Effect.tap((conn) => run(conn, beginStatement(options))),
        Effect.onExit((exit) => Exit.isFailure(exit) ? Scope.close(scope, exit) : Effect.void)
      )
      const root = makeRoot("open", !commit, db.sql)
      const level = yield* makeLevel(0, undefined, root)
      const exit = yield* Effect.exit(restore(inLevel(effect, opened, level)))
      let end: Exit.Exit<void, SqlError.SqlError | IntegrityError>
      if (Exit.isSuccess(exit) && commit) {
        end = yield* Effect.exit(run(opened, "COMMIT"))
        // A failed COMMIT has already ended the transaction in PostgreSQL; ROLLBACK only clears the state.
        if (Exit.isFailure(end)) yield* Effect.ignore(run(opened, "ROLLBACK"))
      } else {
        end = yield* Effect.exit(run(opened, "ROLLBACK"))
      }
      const committed = Exit.isSuccess(exit) && commit && Exit.isSuccess(end)
      root.state = committed ? "committed" : "rolledBack"
      const callbacks = root.callbacks.splice(0)
      yield* Scope.close(scope, Exit.isFailure(exit) ? exit : end)
      if (Exit.isFailure(exit)) return yield* exit
      if (Exit.isFailure(end)) return yield* Effect.failCause(end.cause)
      // After the connection went back: a callback may use the database (PGlite has a single connection).
      if (committed) yield* restore(runCallbacks(callbacks))
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
      const level = yield* makeLevel(parent.depth + 1, parent, parent.root)
      const exit = yield* Effect.gen(function*() {
        yield* run(conn, `SAVEPOINT ${name}`)
        const result = yield* Effect.exit(restore(inLevel(effect, conn, level)))
        if (Exit.isFailure(result)) yield* run(conn, `ROLLBACK TO SAVEPOINT ${name}`)
        yield* run(conn, `RELEASE SAVEPOINT ${name}`)
        return yield* result
      }).pipe(Effect.exit)
      // A savepoint that failed drops the `onCommit` callbacks registered in it; one that succeeded keeps them for
      // the enclosing level (they stay in the transaction's list, in registration order).
      if (Exit.isFailure(exit)) level.rolledBack = true
      yield* parent.savepoints.release(1)
      return yield* exit
    }).pipe(Effect.withSpan("effect-orm.savepoint", { attributes: { "db.transaction.depth": parent.depth + 1 } }))
  )

const retryableCodes: ReadonlySet<string> = new Set(["40001", "40P01"])

/**
 * Whether `error` is a serialization failure (SQLSTATE 40001) or a deadlock (40P01): a `SqlError` whose driver
 * error carries that code. A transaction that failed with one may succeed when run again from the start.
 * @since 0.1.0
 */
export const isRetryable = (error: unknown): error is SqlError.SqlError =>
  Predicate.isTagged(error, "SqlError") &&
  Predicate.hasProperty(error, "cause") &&
  Predicate.hasProperty(error.cause, "code") &&
  retryableCodes.has(String(error.cause.code))

/** Runs `once` again, as `schedule` allows, while it fails with a retryable error; the schedule sees only those. */
const retrying = <A, E, R, RS>(
  once: Effect.Effect<A, E, R>,
  schedule: Schedule.Schedule<unknown, SqlError.SqlError, RS>
): Effect.Effect<A, E, R | RS> =>
  Effect.flatMap(Schedule.driver(schedule), (driver) => {
    const loop: Effect.Effect<A, E, R | RS> = Effect.catchIf(
      once,
      (error): error is E & SqlError.SqlError => isRetryable(error),
      (error) =>
        Effect.matchEffect(driver.next(error), {
          onFailure: () => Effect.fail(error),
          onSuccess: () =>
            Effect.zipRight(
              Effect.logDebug(`effect-orm: transaction retried after SQLSTATE ${(error.cause as { code: string }).code}`),
              loop
            )
        })
    )
    return loop
  })

const nestedOptionsError = () =>
  new QueryError({ model: "atomic", reason: "isolation level, read-only and retry apply to the outermost transaction only" })

/**
 * Levels of ours for transaction levels opened by `sql.withTransaction`, per connection and depth, so that sibling
 * fibers there share one savepoint lock too.
 */
const foreignLevels = new WeakMap<SqlConnection.Connection, Map<number, Level>>()

/**
 * The level of ours for the innermost transaction at `depth`. A transaction level opened by `sql.withTransaction`
 * has none: use the one kept for that connection and depth, made on first use inside the enclosing level of ours
 * if there is one.
 */
const levelAt = (conn: SqlConnection.Connection, depth: number, level: Option.Option<Level>): Effect.Effect<Level> => {
  if (Option.isSome(level) && level.value.depth === depth) return Effect.succeed(level.value)
  let byDepth = foreignLevels.get(conn)
  if (byDepth === undefined) foreignLevels.set(conn, byDepth = new Map())
  const kept = byDepth.get(depth)
  // Its only state is the savepoint lock, free whenever no savepoint is open, so it may outlive its transaction.
  const enclosing = Option.getOrUndefined(level)
  if (kept !== undefined && kept.parent === enclosing) return Effect.succeed(kept)
  return Effect.tap(
    makeLevel(depth, enclosing, enclosing?.root ?? makeRoot("foreign", false, undefined)),
    (made) => Effect.sync(() => byDepth.set(depth, made))
  )
}

/**
 * Runs `effect` in a transaction: commit on success; roll back on failure, defect or interruption. Inside another
 * transaction it is a savepoint, and `isolationLevel`, `readOnly` and `retry` are refused with a `QueryError`
 * (they apply to the outermost transaction only), as is `durable: true` (see `AtomicOptions`). With `retry`, the
 * whole transaction runs again on a serialization failure or deadlock (`isRetryable`), as the schedule allows.
 * @since 0.1.0
 */
export const atomic = <A, E, R, RS = never>(
  effect: Effect.Effect<A, E, R>,
  options?: AtomicOptions<RS>
): Effect.Effect<A, E | SqlError.SqlError | IntegrityError | QueryError, R | RS | Db> =>
  Effect.flatMap(Effect.serviceOption(SqlClient.TransactionConnection), (current) => {
    if (Option.isNone(current)) {
      const once = outermost(effect, options, true)
      return options?.retry === undefined ? once : retrying(once, options.retry)
    }
    return Effect.flatMap(Effect.all([Db, Effect.context<never>()]), ([db, context]) =>
      // A transaction on another database (another Db layer) is not ours to nest in: open one on this database.
      onAnotherDatabase(context, db.sql)
        ? Effect.mapInputContext(atomic(effect, options), omitTransaction)
        : nestedAtomic(effect, options, current.value, Context.getOption(context, CurrentLevel)))
  })

/** Removes the current transaction from a context (for work on another database, or after COMMIT). @internal */
export const omitTransaction = <R>(context: Context.Context<R>): Context.Context<R> =>
  Context.omit(SqlClient.TransactionConnection, CurrentLevel)(context) as Context.Context<R>

/**
 * Whether the transaction in `context` is on another database than `client`. `@effect/sql` keeps one transaction
 * connection in context whatever its client, so a query of a second `Db` inside the first one's transaction must
 * run with the transaction omitted, or it would run on the first database.
 * @internal
 */
export const onAnotherDatabase = (context: Context.Context<never>, client: SqlClient.SqlClient): boolean => {
  const level = Context.getOption(context, CurrentLevel)
  return Option.isSome(level) && level.value.root.client !== undefined && level.value.root.client !== client
}

/** `atomic` inside a transaction of the same database: a savepoint, after checking the options. */
const nestedAtomic = <A, E, R, RS>(
  effect: Effect.Effect<A, E, R>,
  options: AtomicOptions<RS> | undefined,
  [conn, depth]: readonly [SqlConnection.Connection, number],
  level: Option.Option<Level>
): Effect.Effect<A, E | SqlError.SqlError | IntegrityError | QueryError, R | RS> => {
  // As in Django's TestCase, the test's own transaction is invisible to the code under test: directly inside it,
  // an `atomic` keeps working as an outermost one would, as far as a savepoint can (`durable` is accepted,
  // `retry` re-runs the savepoint, and the isolation level and read-only mode are the test transaction's).
  const inTest = Option.isSome(level) && level.value.depth === depth && level.value.parent === undefined &&
    level.value.root.rollbackOnly
  if (options?.durable === true && !inTest) {
    return Effect.fail(
      new QueryError({ model: "atomic", reason: "a durable atomic block cannot run inside another transaction" })
    )
  }
  if (
    !inTest &&
    (options?.isolationLevel !== undefined || options?.readOnly !== undefined || options?.retry !== undefined)
  ) {
    return Effect.fail(nestedOptionsError())
  }
  const once = Effect.flatMap(levelAt(conn, depth, level), (parent) => nested(effect, conn, parent))
  return inTest && options?.retry !== undefined ? retrying(once, options.retry) : once
}

/** Whether the current fiber runs inside a transaction. @since 0.1.0 */
export const inTransaction: Effect.Effect<boolean> = Effect.map(
  Effect.serviceOption(SqlClient.TransactionConnection),
  Option.isSome
)

/** A callback that logs its failure (or defect) instead of failing: one callback cannot stop the next. */
const robust = (effect: Effect.Effect<unknown, unknown>): Effect.Effect<void> =>
  Effect.catchAllCause(
    Effect.asVoid(effect),
    (cause) => Effect.logError("effect-orm: an onCommit callback failed (the transaction stays committed)", cause)
  )

/**
 * Registers `effect` to run once the outermost transaction has committed (Django's `transaction.on_commit`):
 *
 * - callbacks run after COMMIT, once the connection is back in the pool, outside any transaction (a callback may
 *   query or open its own `atomic`), in the order they were registered, in the fiber that ran the outermost
 *   `atomic`, before that `atomic` returns;
 * - each runs with the context (services) of the fiber that registered it, less the transaction;
 * - a callback registered in a savepoint is kept when the savepoint succeeds and dropped when it fails or rolls
 *   back; all are dropped when the transaction rolls back, so inside `rollbackAfter` (`Testing.isolated`) they never
 *   run; with `retry`, only the callbacks of the attempt that committed run;
 * - outside a transaction, `effect` runs at once (robust too).
 *
 * Callbacks are robust, like Django's `on_commit(..., robust=True)`: the transaction is already committed, so a
 * failing callback (failure or defect) is logged with `Effect.logError` and the next callbacks still run; the
 * `atomic` still succeeds. Interrupting the fiber while callbacks run stops the remaining ones (the COMMIT stands).
 *
 * Inside a transaction opened by `sql.withTransaction` rather than `atomic`, the COMMIT cannot be seen from here:
 * the callback is not run and the refusal is logged with `Effect.logError` (Django refuses `on_commit` in a
 * transaction it does not manage). A raw `sql.withTransaction` savepoint inside an `atomic` is invisible too: a
 * callback registered in it belongs to the enclosing `atomic` level, so it is not dropped if only that raw savepoint
 * rolls back.
 * @since 0.1.0
 */
export const onCommit = <R>(effect: Effect.Effect<unknown, unknown, R>): Effect.Effect<void, never, R> =>
  Effect.flatMap(Effect.context<R>(), (context) => {
    const callback = robust(
      Effect.provide(effect, omitTransaction(context)) as Effect.Effect<unknown, unknown>
    )
    if (Option.isNone(Context.getOption(context, SqlClient.TransactionConnection))) return callback
    const level = Context.getOption(context, CurrentLevel)
    if (Option.isNone(level) || level.value.root.state === "foreign") {
      return Effect.logError(
        "effect-orm: onCommit inside a transaction not opened by atomic (sql.withTransaction): its COMMIT cannot be " +
          "seen, so the callback is dropped; open the transaction with atomic"
      )
    }
    return Effect.sync(() => {
      const { root } = level.value
      if (discarded(level.value) || root.state === "rolledBack") return Effect.void
      // Registered after the COMMIT (a fiber outliving its transaction): the transaction is committed, run it now.
      if (root.state === "committed") return callback
      root.callbacks.push({ level: level.value, run: callback })
      return Effect.void
    }).pipe(Effect.flatten)
  })

/**
 * Runs `effect` in a transaction that is always rolled back: the isolation of Django's `TestCase`. An `atomic`
 * inside becomes a savepoint (a `durable` one too, directly inside). As with Django's `TestCase`, the transaction
 * never commits, so `onCommit` callbacks registered inside never run.
 * @since 0.1.0
 */
export const rollbackAfter = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError.SqlError | IntegrityError | QueryError, R | Db> => outermost(effect, undefined, false)
