/**
 * Constraint violations, recognised by PostgreSQL's SQLSTATE on the driver's error, become `IntegrityError`.
 * @internal
 */
import type * as SqlError from "effect/sql/SqlError"
import { IntegrityError, type IntegrityKind } from "../Errors.js"

const integrityKinds: Record<string, IntegrityKind> = {
  "23505": "unique",
  "23503": "foreignKey",
  "23502": "notNull",
  "23514": "check",
  "23P01": "exclusion"
}

/** Maps a driver error carrying a PostgreSQL integrity SQLSTATE to `IntegrityError`; others stay `SqlError`. @internal */
export const mapSqlError = (error: SqlError.SqlError): IntegrityError | SqlError.SqlError => {
  // The driver's error, with PostgreSQL's fields, is the cause of the SqlError's reason.
  const cause = error.reason?.cause as
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

