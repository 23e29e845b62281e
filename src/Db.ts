/**
 * The `Db` service: the connection to a database that querysets run on. Driver layers (`Postgres`, `PGlite`)
 * provide it together with the `SqlClient` it wraps, so raw SQL and ORM queries share transactions. The transaction
 * functions of `Transaction` are re-exported here.
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Compiled } from "./internal/compiler.js"
import { Db } from "./internal/service.js"
import * as Transaction from "./Transaction.js"

export {
  /** The database querysets run on. @since 0.1.0 */
  Db
}

export type {
  /** What a driver provides. @since 0.1.0 */
  Service
} from "./internal/service.js"

/** Builds the `Db` service over the `SqlClient` in context. @since 0.1.0 */
export const layerFromSqlClient = (driver: string): Layer.Layer<Db, never, SqlClient.SqlClient> =>
  Layer.effect(Db, Effect.map(SqlClient.SqlClient, (sql) => ({ sql, driver })))

/** @since 0.1.0 */
export const atomic = Transaction.atomic
/** @since 0.1.0 */
export const inTransaction = Transaction.inTransaction
/** @since 0.1.0 */
export const onCommit = Transaction.onCommit
/** @since 0.1.0 */
export const isRetryable = Transaction.isRetryable

export type {
  /** @since 0.1.0 */
  Compiled
}
