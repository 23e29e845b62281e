/**
 * The reason of a driver error, from PostgreSQL's SQLSTATE, as `@effect/sql-pg` classifies its own (its classifier
 * is internal to it): the PGlite driver's errors carry the same reasons as the server driver's.
 * @internal
 */
import {
  AuthenticationError,
  AuthorizationError,
  ConnectionError,
  ConstraintError,
  DeadlockError,
  LockTimeoutError,
  SerializationError,
  type SqlErrorReason,
  SqlSyntaxError,
  StatementTimeoutError,
  UniqueViolation,
  UnknownError
} from "effect/sql/SqlError"

/** @internal */
export const classify = (cause: unknown, message: string, operation: string): SqlErrorReason => {
  const fields = typeof cause === "object" && cause !== null ? cause as { code?: unknown; constraint?: unknown } : {}
  const code = typeof fields.code === "string" ? fields.code : undefined
  const props = { cause, message, operation }
  if (code === undefined) return new UnknownError(props)
  if (code.startsWith("08")) return new ConnectionError(props)
  if (code.startsWith("28")) return new AuthenticationError(props)
  if (code === "42501") return new AuthorizationError(props)
  if (code.startsWith("42")) return new SqlSyntaxError(props)
  if (code === "23505") {
    const constraint = typeof fields.constraint === "string" && fields.constraint.trim() !== "" ? fields.constraint : "unknown"
    return new UniqueViolation({ ...props, constraint })
  }
  if (code.startsWith("23")) return new ConstraintError(props)
  if (code === "40P01") return new DeadlockError(props)
  if (code === "40001") return new SerializationError(props)
  if (code === "55P03") return new LockTimeoutError(props)
  if (code === "57014") return new StatementTimeoutError(props)
  return new UnknownError(props)
}
