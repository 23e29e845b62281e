/**
 * Transactions as scoped resources in the fiber's context, on the Effect SQL client's own transactions: the
 * outermost `atomic` reserves a connection and sends BEGIN, nested calls are savepoints (run one at a time per level
 * by the client), and raw `SqlClient` statements and forked fibers run on the transaction's connection. Each client
 * (each `Db` layer) has its own transaction, so a second database never runs on the first one's connection.
 *
 * Beyond Django's `atomic`: `durable`, `onCommit` (Django's `transaction.on_commit`, on the client's `afterCommit`)
 * and `retry` (re-running the whole transaction on a serialization failure or deadlock).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type * as Schedule from "effect/Schedule"
import * as SqlClient from "effect/sql/SqlClient"
import type * as SqlError from "effect/sql/SqlError"
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
  readonly retry?: Schedule.Schedule<unknown, SqlError.SqlError, unknown, RS>
}

/**
 * What the ORM knows of a transaction it opened: whether it is the always rolled back one of `rollbackAfter`, and
 * how it ended (a fiber may outlive its transaction and register an `onCommit` late).
 */
interface Root {
  state: "open" | "committed" | "rolledBack"
  /** Set once COMMIT succeeded (by the first after-commit callback): an interruption may still end the fiber. */
  committed: boolean
  readonly rollbackOnly: boolean
  /** Run when the transaction ends, committed or not (`onEnd`). */
  readonly ended: Array<() => void>
}

const makeRoot = (rollbackOnly: boolean): Root => ({ state: "open", committed: false, rollbackOnly, ended: [] })

/** Marks how a transaction ended and runs what waited for its end. */
const end = (root: Root, state: "committed" | "rolledBack") =>
  Effect.sync(() => {
    root.state = state
    for (const f of root.ended.splice(0)) f()
  })

/**
 * The levels opened by `atomic` and `rollbackAfter`, keyed by the value the client's transaction service holds for
 * that level (a fresh `[connection, depth]` pair per level and client), so they vanish with the transaction and a
 * level of one database is never seen from another.
 */
const levels = new WeakMap<object, Root>()

/** Ends a transaction opened by `rollbackAfter` with a rollback, carrying the value out. */
class RollbackSignal<A> {
  constructor(readonly value: A) {}
}

/** A failure of the transaction's own body, told apart from failures of BEGIN and COMMIT (which are mapped). */
class BodyFailure<E> {
  constructor(readonly error: E) {}
}

const beginStatement = (options: AtomicOptions<any> | undefined): string | undefined => {
  if (options?.isolationLevel === undefined && options?.readOnly !== true) return undefined
  let sql = "BEGIN"
  if (options.isolationLevel !== undefined) sql += ` ISOLATION LEVEL ${options.isolationLevel.toUpperCase()}`
  if (options.readOnly === true) sql += " READ ONLY"
  return sql
}

const isolationLevels: ReadonlyArray<string> = ["read committed", "repeatable read", "serializable"]

/**
 * Runs `effect` in a transaction level of `sql` (a transaction, or a savepoint inside one), recording the level.
 * Failures of `effect` keep their type; a failing BEGIN, SAVEPOINT or COMMIT becomes an `IntegrityError` when it is a
 * constraint violation (a deferred constraint checked at COMMIT), otherwise it stays a `SqlError`.
 */
const level = <A, E, R>(
  sql: SqlClient.SqlClient,
  effect: Effect.Effect<A, E, R>,
  root: Root
): Effect.Effect<A, E | SqlError.SqlError | IntegrityError, R> =>
  sql.withTransaction(
    // The client provides its transaction service inside `withTransaction`.
    Effect.flatMap(Effect.service(sql.transactionService), (current) => {
      levels.set(current, root)
      return Effect.mapError(effect, (error) => new BodyFailure(error))
    }) as Effect.Effect<A, BodyFailure<E>, R>
  ).pipe(
    Effect.mapError((error) =>
      error instanceof BodyFailure ? error.error as E : mapSqlError(error as SqlError.SqlError)
    )
  )

/** The outermost transaction: BEGIN (with the isolation level and access mode asked for), then COMMIT. */
const outermost = <A, E, R>(
  sql: SqlClient.SqlClient,
  effect: Effect.Effect<A, E, R>,
  options: AtomicOptions<any> | undefined
): Effect.Effect<A, E | SqlError.SqlError | IntegrityError | QueryError, R> => {
  if (options?.isolationLevel !== undefined && !isolationLevels.includes(options.isolationLevel)) {
    return Effect.fail(new QueryError({ model: "atomic", reason: `unknown isolation level "${options.isolationLevel}"` }))
  }
  return Effect.suspend(() => {
    const root = makeRoot(false)
    const begin = beginStatement(options)
    // The BEGIN statement is for this transaction only, not for one a forked fiber opens on another database.
    const body = begin === undefined ? effect : Effect.provideService(effect, SqlClient.BeginTransaction, undefined)
    // COMMIT is uninterruptible: an interruption arriving during it ends the fiber after the commit, so the exit
    // alone does not say whether the transaction committed. The client's first after-commit callback does.
    const marked = Effect.andThen(sql.afterCommit(Effect.sync(() => { root.committed = true })), body)
    const run = level(sql, marked, root)
    return (begin === undefined ? run : Effect.provideService(run, SqlClient.BeginTransaction, begin)).pipe(
      Effect.onExit(() => end(root, root.committed ? "committed" : "rolledBack"))
    )
  })
}

const retryableCodes: ReadonlySet<string> = new Set(["40001", "40P01"])

/**
 * Whether `error` is a serialization failure (SQLSTATE 40001) or a deadlock (40P01): a `SqlError` whose driver
 * error carries that code. A transaction that failed with one may succeed when run again from the start. (The SQL
 * client's own `isRetryable` also counts connection errors and timeouts, after which a transaction's outcome may be
 * unknown; those are not retried here.)
 * @since 0.1.0
 */
export const isRetryable = (error: unknown): error is SqlError.SqlError =>
  Predicate.isTagged(error, "SqlError") &&
  Predicate.hasProperty(error, "reason") &&
  Predicate.hasProperty(error.reason, "cause") &&
  Predicate.hasProperty(error.reason.cause, "code") &&
  retryableCodes.has(String(error.reason.cause.code))

/** Runs `once` again, as `schedule` allows, while it fails with a retryable error; the schedule sees only those. */
const retrying = <A, E, R, RS>(
  once: Effect.Effect<A, E, R>,
  schedule: Schedule.Schedule<unknown, SqlError.SqlError, unknown, RS>
): Effect.Effect<A, E, R | RS> =>
  Effect.retry(
    Effect.tapError(once, (error) =>
      isRetryable(error)
        ? Effect.logDebug(`effect-orm: transaction failed with SQLSTATE ${(error.reason.cause as { code: string }).code}`)
        : Effect.void),
    { schedule: schedule as Schedule.Schedule<unknown, E, unknown, RS>, while: isRetryable }
  ) as Effect.Effect<A, E, R | RS>

const nestedOptionsError = () =>
  new QueryError({ model: "atomic", reason: "isolation level, read-only and retry apply to the outermost transaction only" })

/**
 * Runs `effect` in a transaction: commit on success; roll back on failure, defect or interruption. Inside another
 * transaction of the same database it is a savepoint, and `isolationLevel`, `readOnly` and `retry` are refused with
 * a `QueryError` (they apply to the outermost transaction only), as is `durable: true` (see `AtomicOptions`). With
 * `retry`, the whole transaction runs again on a serialization failure or deadlock (`isRetryable`), as the schedule
 * allows.
 * @since 0.1.0
 */
export const atomic = <A, E, R, RS = never>(
  effect: Effect.Effect<A, E, R>,
  options?: AtomicOptions<RS>
): Effect.Effect<A, E | SqlError.SqlError | IntegrityError | QueryError, R | RS | Db> =>
  Effect.withFiber((fiber) => {
    const { sql } = Context.get(fiber.context as Context.Context<Db>, Db)
    const current = Context.getOrUndefined(fiber.context, sql.transactionService)
    if (current === undefined) {
      const once = outermost(sql, effect, options)
      return options?.retry === undefined ? once : retrying(once, options.retry)
    }
    // As in Django's TestCase, the test's own transaction is invisible to the code under test: directly inside it,
    // an `atomic` keeps working as an outermost one would, as far as a savepoint can (`durable` is accepted,
    // `retry` re-runs the savepoint, and the isolation level and read-only mode are the test transaction's).
    const known = levels.get(current)
    // The client's depth of the current level: 0 for the outermost transaction.
    const inTest = known !== undefined && known.rollbackOnly && current[1] === 0
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
    const once = level(sql, effect, known ?? makeRoot(false))
    return inTest && options?.retry !== undefined ? retrying(once, options.retry) : once
  })

/** Whether the current fiber runs inside a transaction of the `Db` in context. @since 0.1.0 */
export const inTransaction: Effect.Effect<boolean> = Effect.withFiber((fiber) => {
  const db = Context.getOrUndefined(fiber.context as Context.Context<Db>, Db)
  return Effect.succeed(db !== undefined && Context.getOrUndefined(fiber.context, db.sql.transactionService) !== undefined)
})

/** A callback that logs its failure (or defect) instead of failing: one callback cannot stop the next. */
const robust = (effect: Effect.Effect<unknown, unknown>): Effect.Effect<void> =>
  Effect.catchCause(
    Effect.asVoid(effect),
    (cause) => Effect.logError("effect-orm: an onCommit callback failed (the transaction stays committed)", cause)
  )

/**
 * Registers `effect` to run once the outermost transaction has committed (Django's `transaction.on_commit`), on
 * the SQL client's `afterCommit`:
 *
 * - callbacks run after COMMIT, once the connection went back to the pool, outside any transaction (a callback may
 *   query or open its own `atomic`), in the order they were registered, in the fiber that ran the outermost
 *   transaction, before that transaction returns; they run uninterruptibly;
 * - each runs with the context (services) of the fiber that registered it, less the transaction;
 * - a callback registered in a savepoint is kept when the savepoint succeeds and dropped when it fails or rolls
 *   back; all are dropped when the transaction rolls back or its COMMIT fails, so inside `rollbackAfter`
 *   (`Testing.isolated`) they never run; with `retry`, only the callbacks of the attempt that committed run;
 * - outside a transaction, `effect` runs at once; registered after its transaction committed (from a fiber that
 *   outlived it), it runs at once too, and after a rollback it is dropped.
 *
 * This holds for transactions opened with `sql.withTransaction` as well as with `atomic`. Callbacks are robust,
 * like Django's `on_commit(..., robust=True)`: the transaction is already committed, so a failing callback (failure
 * or defect) is logged with `Effect.logError` and the next callbacks still run.
 * @since 0.1.0
 */
export const onCommit = <R>(effect: Effect.Effect<unknown, unknown, R>): Effect.Effect<void, never, R> =>
  Effect.withFiber((fiber) => {
    const callback = robust(effect as Effect.Effect<unknown, unknown>)
    const db = Context.getOrUndefined(fiber.context as Context.Context<Db>, Db)
    const current = db === undefined ? undefined : Context.getOrUndefined(fiber.context, db.sql.transactionService)
    if (db === undefined || current === undefined) return callback
    const state = levels.get(current)?.state
    if (state === "committed") return callback
    if (state === "rolledBack") return Effect.void
    return db.sql.afterCommit(callback)
  })

/**
 * Runs `f` when the outermost transaction (of the `Db` in context) opened by `atomic` or `rollbackAfter` ends,
 * whether it commits or not; at once outside one (or inside a transaction opened otherwise).
 * @internal
 */
export const onEnd = (f: () => void): Effect.Effect<void> =>
  Effect.withFiber((fiber) => {
    const db = Context.getOrUndefined(fiber.context as Context.Context<Db>, Db)
    const current = db === undefined ? undefined : Context.getOrUndefined(fiber.context, db.sql.transactionService)
    const root = current === undefined ? undefined : levels.get(current)
    if (root === undefined || root.state !== "open") f()
    else root.ended.push(f)
    return Effect.void
  })

/**
 * Runs `effect` in a transaction that is always rolled back: the isolation of Django's `TestCase`. An `atomic`
 * inside becomes a savepoint (a `durable` one too, directly inside). Inside another transaction it is a savepoint
 * that is always rolled back. As with Django's `TestCase`, the transaction
 * never commits, so `onCommit` callbacks registered inside never run.
 * @since 0.1.0
 */
export const rollbackAfter = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | SqlError.SqlError | IntegrityError | QueryError, R | Db> =>
  Effect.withFiber((fiber) => {
    const { sql } = Context.get(fiber.context as Context.Context<Db>, Db)
    const current = Context.getOrUndefined(fiber.context, sql.transactionService)
    const undo = Effect.flatMap(effect, (value) => Effect.fail(new RollbackSignal(value)))
    const isSignal = (error: unknown): error is RollbackSignal<A> => error instanceof RollbackSignal
    // Inside a transaction it is a savepoint that is always rolled back.
    if (current !== undefined) {
      return Effect.catchIf(level(sql, undo, levels.get(current) ?? makeRoot(false)), isSignal, (signal) => Effect.succeed(signal.value)) as
        Effect.Effect<A, E | SqlError.SqlError | IntegrityError, R>
    }
    const root = makeRoot(true)
    return level(sql, undo, root).pipe(
      Effect.catchIf(isSignal, (signal) => Effect.succeed(signal.value)),
      Effect.onExit(() => end(root, "rolledBack"))
    ) as Effect.Effect<A, E | SqlError.SqlError | IntegrityError, R>
  })
