/**
 * The `Db` service tag, on its own so that every module can depend on it: the executor, transactions and the
 * public `Db` module all read it, and it imports nothing of the ORM.
 * @internal
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Context from "effect/Context"

/** What a driver provides. @since 0.1.0 */
export interface Service {
  readonly sql: SqlClient.SqlClient
  /** The driver's name, for logs and tests. */
  readonly driver: string
}

/** The database querysets run on. @since 0.1.0 */
export class Db extends Context.Tag("effect-orm/Db")<Db, Service>() {}
