/**
 * The PostgreSQL server driver, on `@effect/sql-pg` (node-postgres with a pool).
 *
 * @since 0.1.0
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Config from "effect/Config"
import type { ConfigError } from "effect/ConfigError"
import * as Layer from "effect/Layer"
import pg from "pg"
import { layerFromSqlClient } from "../Db.js"
import type { Db } from "../internal/service.js"
import { textOids } from "./types.js"

/** Options of the PostgreSQL driver: `@effect/sql-pg`'s, less the type parsers the ORM relies on. @since 0.1.0 */
export type Options = Omit<PgClient.PgClientConfig, "types" | "transformResultNames" | "transformQueryNames">

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    textOids.includes(oid) ? (value: string) => value : pg.types.getTypeParser(oid, format as any)) as any
}

/** A `Db` (and `SqlClient`, `PgClient`) on a PostgreSQL server. @since 0.1.0 */
export const layer = (
  options: Options
): Layer.Layer<Db | SqlClient.SqlClient | PgClient.PgClient, SqlError> =>
  Layer.provideMerge(layerFromSqlClient("postgres"), PgClient.layer({ ...options, types }))

/** A `Db` on the PostgreSQL server named by the `DATABASE_URL` environment variable (read through `Config`). @since 0.1.0 */
export const layerFromEnv = (
  options: Omit<Options, "url"> = {}
): Layer.Layer<Db | SqlClient.SqlClient | PgClient.PgClient, SqlError | ConfigError> =>
  Layer.unwrapEffect(Config.map(Config.redacted("DATABASE_URL"), (url) => layer({ ...options, url })))
