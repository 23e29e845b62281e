/**
 * Constraint violations, recognised by PostgreSQL's SQLSTATE on the driver's error, become `IntegrityError`; data
 * exceptions (class 22) become `DataError`.
 * @internal
 */
import type * as SqlError from "effect/sql/SqlError"
import { DataError, IntegrityError, type IntegrityKind } from "../Errors.js"

const integrityKinds: Record<string, IntegrityKind> = {
  "23505": "unique",
  "23503": "foreignKey",
  "23502": "notNull",
  "23514": "check",
  "23P01": "exclusion"
}

type PgFields = { code?: string; constraint?: string; table?: string; column?: string; detail?: string; message?: string }

// The driver's error, with PostgreSQL's fields, is the cause of the SqlError's reason.
const pgFields = (error: SqlError.SqlError) => error.reason?.cause as PgFields | undefined

/** Maps a driver error of SQLSTATE class 22 (data exception) to `DataError`; others stay `SqlError`. @internal */
export const mapDataError = (error: SqlError.SqlError): DataError | SqlError.SqlError => {
  const cause = pgFields(error)
  if (typeof cause?.code !== "string" || !cause.code.startsWith("22")) return error
  return new DataError({ code: cause.code, detail: cause.message || error.message, cause: error })
}

/** A write's error: a constraint violation is an `IntegrityError`, a data exception a `DataError`. @internal */
export const mapWriteError = (error: SqlError.SqlError): IntegrityError | DataError | SqlError.SqlError => {
  const mapped = mapSqlError(error)
  return mapped === error ? mapDataError(error) : mapped
}

/** Maps a driver error carrying a PostgreSQL integrity SQLSTATE to `IntegrityError`; others stay `SqlError`. @internal */
export const mapSqlError = (error: SqlError.SqlError): IntegrityError | SqlError.SqlError => {
  const cause = pgFields(error)
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

