/**
 * Runs compiled statements on the `SqlClient` of the `Db` service (the transaction's connection when there is
 * one), records them in the query log, and turns constraint violations into `IntegrityError`.
 * @internal
 */
import type * as SqlError from "@effect/sql/SqlError"
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { currentQueryLog } from "../QueryLog.js"
import * as Transaction from "../Transaction.js"
import type { IntegrityError } from "../Errors.js"
import { mapSqlError } from "./integrity.js"
import type { Compiled } from "./compiler.js"
import { Db } from "./service.js"

/**
 * Records the statement and runs it on the `Db`'s client, outside the current transaction when that transaction
 * belongs to another database. Reads the fiber's state once, synchronously: this is every query's path.
 */
const execute = <A, E, R>(
  compiled: Compiled,
  run: (sql: SqlClient.SqlClient) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R | Db> =>
  Effect.withFiberRuntime((fiber) => {
    fiber.getFiberRef(currentQueryLog)?.push(compiled)
    const context = fiber.currentContext as Context.Context<Db>
    const { sql } = Context.get(context, Db)
    const effect = run(sql)
    return Transaction.onAnotherDatabase(context, sql) ? Effect.mapInputContext(effect, Transaction.omitTransaction) : effect
  })

/** Runs a read and returns its rows (a read cannot break a constraint, so errors stay `SqlError`). @internal */
export const select = (compiled: Compiled): Effect.Effect<ReadonlyArray<any>, SqlError.SqlError, Db> =>
  execute(compiled, (sql) => sql.unsafe<any>(compiled.sql, compiled.params as Array<unknown>).withoutTransform)

/** Runs a write and returns the rows it returns. @internal */
export const rows = (compiled: Compiled): Effect.Effect<ReadonlyArray<any>, IntegrityError | SqlError.SqlError, Db> =>
  Effect.mapError(select(compiled), mapSqlError)

/** Runs a write and returns the number of rows it affected. @internal */
export const affected = (compiled: Compiled): Effect.Effect<number, IntegrityError | SqlError.SqlError, Db> =>
  execute(compiled, (sql) =>
    sql.unsafe(compiled.sql, compiled.params as Array<unknown>).raw.pipe(
      Effect.map((raw) => Number((raw as { rowCount?: number | null }).rowCount ?? 0)),
      Effect.mapError(mapSqlError)
    ))

let cursors = 0

/**
 * Streams a read's rows through an SQL cursor (`DECLARE` / `FETCH`) when in a transaction, so that other statements
 * (prefetch queries) can run on the transaction's connection between fetches; a driver cursor holds the connection
 * until it is closed. Outside a transaction it is the driver's cursor on a connection of its own.
 * @internal
 */
export const interleavableStream = (compiled: Compiled, size: number): Stream.Stream<any, SqlError.SqlError, Db> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    if (!(yield* Transaction.inTransaction)) return stream(compiled)
    const name = `"effect_orm_cursor_${++cursors}"`
    yield* Effect.acquireRelease(
      select({ sql: `DECLARE ${name} NO SCROLL CURSOR FOR ${compiled.sql}`, params: compiled.params }),
      // After a failed statement the transaction is aborted and the cursor gone with it.
      () => Effect.ignore(select({ sql: `CLOSE ${name}`, params: [] }))
    )
    const fetch = select({ sql: `FETCH ${size} FROM ${name}`, params: [] })
    return Stream.repeatEffectChunkOption(
      Effect.flatMap(Effect.mapError(fetch, Option.some), (rows) =>
        rows.length === 0 ? Effect.fail(Option.none()) : Effect.succeed(Chunk.unsafeFromArray(rows as Array<any>)))
    )
  }))

/** Streams a read's rows through the driver's cursor. @internal */
export const stream = (compiled: Compiled): Stream.Stream<any, SqlError.SqlError, Db> =>
  Stream.unwrap(execute(compiled, (sql) => Effect.succeed(sql.unsafe<any>(compiled.sql, compiled.params as Array<unknown>).stream)))
