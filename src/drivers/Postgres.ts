/**
 * The PostgreSQL server driver, on `@effect/sql-pg` (its own wire-protocol client, with a pool and named prepared
 * statements).
 *
 * @since 0.1.0
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as Db from "../Db.js"
import { registry } from "./pgTypes.js"

/**
 * Options of the PostgreSQL driver: `@effect/sql-pg`'s pool options, less the name and JSON transforms the ORM relies
 * on not having. Prepared statements are on by default (`prepare: true`): each statement is prepared once per
 * connection, 100 per connection at most (`preparedStatementCacheSize`). Behind PgBouncer in transaction mode before
 * version 1.21, turn them off with `prepare: false`.
 * @since 0.1.0
 */
export type Options = Omit<PgClient.PgPoolConfig, "transformResultNames" | "transformQueryNames" | "transformJson">

/** A `Db` (and `SqlClient`, `PgClient`) on a PostgreSQL server. @since 0.1.0 */
export const layer = (
  options: Options
): Layer.Layer<Db.Db | SqlClient.SqlClient | PgClient.PgClient, SqlError> =>
  Layer.provideMerge(Db.layerFromSqlClient("postgres"), PgClient.layer({ types: registry(), ...options }))

/**
 * A `Db` on the PostgreSQL server named by the `DATABASE_URL` environment variable (read through `Config`).
 * @since 0.1.0
 */
export const layerFromEnv = (
  options: Omit<Options, "url"> = {}
): Layer.Layer<Db.Db | SqlClient.SqlClient | PgClient.PgClient, SqlError | Config.ConfigError> =>
  Layer.unwrap(Effect.map(Config.Redacted("DATABASE_URL"), (url) => layer({ ...options, url })))
