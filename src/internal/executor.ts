/**
 * Runs compiled statements on the `SqlClient` of the `Db` service (the transaction's connection when there is
 * one), records them in the query log, and turns constraint violations into `IntegrityError`.
 * @internal
 */
import type * as SqlError from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Stream from "effect/Stream"
import { Db } from "../Db.js"
import { IntegrityError, type IntegrityKind } from "../Errors.js"
import type { Compiled } from "./compiler.js"

/** The statements run by the current fiber and its children, when someone is listening. @internal */
export const currentQueryLog: FiberRef.FiberRef<Array<Compiled> | undefined> = FiberRef.unsafeMake<
  Array<Compiled> | undefined
>(undefined)

const integrityKinds: Record<string, IntegrityKind> = {
  "23505": "unique",
  "23503": "foreignKey",
  "23502": "notNull",
  "23514": "check",
  "23P01": "exclusion"
}

/** Maps a driver error carrying a PostgreSQL integrity SQLSTATE to `IntegrityError`; others stay `SqlError`. @internal */
export const mapSqlError = (error: SqlError.SqlError): IntegrityError | SqlError.SqlError => {
  const cause = error.cause as
    | { code?: string; constraint?: string; table?: string; column?: string; detail?: string; message?: string }
    | undefined
  const kind = cause?.code === undefined ? undefined : integrityKinds[cause.code]
  if (kind === undefined) return error
  return new IntegrityError({
    kind,
    constraint: cause!.constraint || undefined,
    table: cause!.table || undefined,
    column: cause!.column || undefined,
    detail: cause!.detail || cause!.message || error.message,
    cause: error
  })
}

const record = (compiled: Compiled) =>
  Effect.flatMap(FiberRef.get(currentQueryLog), (log) => Effect.sync(() => log?.push(compiled)))

/** Runs a read and returns its rows (a read cannot break a constraint, so errors stay `SqlError`). @internal */
export const select = (compiled: Compiled): Effect.Effect<ReadonlyArray<any>, SqlError.SqlError, Db> =>
  Effect.flatMap(Db, (db) =>
    Effect.zipRight(record(compiled), db.sql.unsafe<any>(compiled.sql, compiled.params as Array<unknown>).withoutTransform))

/** Runs a write and returns the rows it returns. @internal */
export const rows = (compiled: Compiled): Effect.Effect<ReadonlyArray<any>, IntegrityError | SqlError.SqlError, Db> =>
  Effect.mapError(select(compiled), mapSqlError)

/** Runs a write and returns the number of rows it affected. @internal */
export const affected = (compiled: Compiled): Effect.Effect<number, IntegrityError | SqlError.SqlError, Db> =>
  Effect.flatMap(Db, (db) =>
    record(compiled).pipe(
      Effect.zipRight(db.sql.unsafe(compiled.sql, compiled.params as Array<unknown>).raw),
      Effect.map((raw) => Number((raw as { rowCount?: number | null }).rowCount ?? 0)),
      Effect.mapError(mapSqlError)
    ))

/** Streams a read's rows through the driver's cursor. @internal */
export const stream = (compiled: Compiled): Stream.Stream<any, SqlError.SqlError, Db> =>
  Stream.unwrap(Effect.flatMap(Db, (db) =>
    Effect.as(record(compiled), db.sql.unsafe<any>(compiled.sql, compiled.params as Array<unknown>).stream)))
