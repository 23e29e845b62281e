/**
 * Creating and dropping the tables of models, for tests and the quick start; migrations manage production schemas.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import type * as SqlError from "effect/sql/SqlError"
import type { IntegrityError, QueryError } from "./Errors.js"
import * as Ddl from "./internal/ddl.js"
import * as Executor from "./internal/executor.js"
import * as Sql from "./internal/migrations/sql.js"
import * as State from "./internal/migrations/state.js"
import type { Db } from "./internal/service.js"
import type * as Model from "./Model.js"
import * as Transaction from "./Transaction.js"

/** The statements that create the models' tables, constraints and indexes. @since 0.2.0 */
export const createSql = (...models: ReadonlyArray<Model.Any>): ReadonlyArray<string> =>
  Sql.createAll(State.fromModels(models))

/**
 * Creates the models' tables, with primary keys, NOT NULL, defaults, unique, check and foreign key constraints and
 * indexes, and the join tables of their many-to-many fields, in one transaction.
 * @since 0.2.0
 */
export const create = (
  ...models: ReadonlyArray<Model.Any>
): Effect.Effect<void, SqlError.SqlError | IntegrityError | QueryError, Db> =>
  Transaction.atomic(Effect.forEach(createSql(...models), Executor.ddl, { discard: true }))

/** Drops the models' tables (and automatic many-to-many join tables) if they exist, with CASCADE. @since 0.2.0 */
export const drop = (
  ...models: ReadonlyArray<Model.Any>
): Effect.Effect<void, SqlError.SqlError | IntegrityError, Db> =>
  Effect.forEach(Ddl.withJoinModels(models), (model) => Executor.ddl(Ddl.dropTable(model)), { discard: true })
