/**
 * The `Db` service tag: the database querysets run on. A leaf module, so that every layer of the ORM can depend on
 * the service without depending on the modules built on it.
 * @internal
 */
import * as Context from "effect/Context"
import type * as SqlClient from "effect/sql/SqlClient"

/** What a driver provides. @since 0.1.0 */
export interface Service {
  readonly sql: SqlClient.SqlClient
  /** The driver's name, for logs and tests. */
  readonly driver: string
}

/** The database querysets run on. @since 0.1.0 */
export class Db extends Context.Service<Db, Service>()("effect-orm/Db") {}
