/**
 * Creating and dropping the models' tables, with their join tables, constraints and indexes: for tests, scripts and
 * the quick start (migrations will manage production schemas).
 *
 * @since 0.1.0
 */
import type * as SqlError from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import type { IntegrityError, QueryError } from "./Errors.js"
import * as Ddl from "./internal/ddl.js"
import * as Executor from "./internal/executor.js"
import type { Db } from "./internal/service.js"
import type * as Model from "./Model.js"
import * as Transaction from "./Transaction.js"

/** The statements that create the models' tables, constraints and indexes. @since 0.1.0 */
export const createSql = (...models: ReadonlyArray<Model.Any>): ReadonlyArray<string> => {
  const all = Ddl.withJoinModels(models)
  return [...all.flatMap((model) => Ddl.createTable(model)), ...Ddl.foreignKeys(all)]
}

/**
 * Creates the models' tables, with primary keys, NOT NULL, defaults, unique, check and foreign key constraints and
 * indexes, and the join tables of their many-to-many fields, in one transaction. For tests and the quick start; migrations manage production schemas.
 * @since 0.1.0
 */
export const create = (
  ...models: ReadonlyArray<Model.Any>
): Effect.Effect<void, SqlError.SqlError | IntegrityError | QueryError, Db> =>
  Transaction.atomic(
    Effect.forEach(createSql(...models), (sql) => Executor.rows({ sql, params: [] }), { discard: true })
  )

/** Drops the models' tables (and automatic many-to-many join tables) if they exist, with CASCADE. @since 0.1.0 */
export const drop = (
  ...models: ReadonlyArray<Model.Any>
): Effect.Effect<void, SqlError.SqlError | IntegrityError, Db> =>
  Effect.forEach(Ddl.withJoinModels(models), (model) => Executor.rows({ sql: Ddl.dropTable(model), params: [] }), { discard: true })
