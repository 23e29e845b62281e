/**
 * What a migration file holds: `Migration.make({ dependencies, operations })`, and one constructor per operation.
 * `makemigrations` writes these files; write `RunSql` and `RunEffect` (data migrations) by hand, in a migration of
 * their own (`makemigrations --empty`).
 *
 * @since 0.3.0
 */
import type * as Effect from "effect/Effect"
import type * as Internal from "../internal/migrations/migration.js"
import type * as Operations from "../internal/migrations/operations.js"
import type * as State from "../internal/migrations/state.js"
import type { Db } from "../internal/service.js"

/** A column of a model, as the schema holds it. @since 0.3.0 */
export type FieldState = State.FieldState
/** A model's table: its columns, indexes and constraints. @since 0.3.0 */
export type ModelState = State.ModelState
/** A model index: over columns, or over expressions (as SQL). @since 0.3.0 */
export type IndexState = State.IndexState
/** A unique or check constraint. @since 0.3.0 */
export type ConstraintState = State.ConstraintState
/** The whole schema, models by name. @since 0.3.0 */
export type SchemaState = State.SchemaState
/** One step of a migration. @since 0.3.0 */
export type Operation = Operations.Operation
/** A migration, named after its file. @since 0.3.0 */
export type Migration = Internal.Migration
/**
 * A model of a data migration: rows are plain instances of the schema at that point (no methods of today's class);
 * its QuerySet takes the field names of that schema, unchecked by the compiler (they are checked at run time).
 * @since 0.3.0
 */
export type HistoricalModel = Operations.HistoricalModel

/** The models of a data migration, by name: the schema as it is at that migration, not as today's models describe it. @since 0.3.0 */
export type HistoricalModels = Operations.HistoricalModels

/** What a migration file exports (its name comes from the file). @since 0.3.0 */
export interface Definition {
  readonly _tag: "MigrationDefinition"
  readonly dependencies: ReadonlyArray<string>
  readonly operations: ReadonlyArray<Operation>
  readonly replaces?: ReadonlyArray<string> | undefined
  readonly atomic?: boolean | undefined
}

/**
 * A migration: the migrations it follows (by file name without extension) and its operations, applied in order in
 * one transaction unless one of them cannot run in one (`atomic: false` forces statement-by-statement).
 * @since 0.3.0
 */
export const make = (definition: {
  readonly dependencies?: ReadonlyArray<string>
  readonly operations: ReadonlyArray<Operation>
  readonly replaces?: ReadonlyArray<string>
  readonly atomic?: boolean
}): Definition => ({
  _tag: "MigrationDefinition",
  dependencies: definition.dependencies ?? [],
  operations: definition.operations,
  replaces: definition.replaces,
  atomic: definition.atomic
})

/** Whether a value is what `make` returns. @since 0.3.0 */
export const isDefinition = (u: unknown): u is Definition =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "MigrationDefinition"

type Of<Tag extends Operation["_tag"]> = Omit<Extract<Operation, { _tag: Tag }>, "_tag">

/** A field as a migration file writes it: the flags that are false may be left out. @since 0.3.0 */
export type FieldInput =
  & Omit<FieldState, "nullable" | "primaryKey" | "unique" | "index">
  & { readonly nullable?: boolean; readonly primaryKey?: boolean; readonly unique?: boolean; readonly index?: boolean }

/**
 * An index as a migration file writes it: an index over expressions without its (empty) `columns`, as in
 * `{ name: "book_title_lower", expressions: ["LOWER(\"title\")"], unique: false }`.
 * @since 0.3.0
 */
export type IndexInput = Omit<IndexState, "columns"> & { readonly columns?: IndexState["columns"] }

/** A model as a migration file writes it: fields in their short form, no indexes or constraints when it has none. @since 0.3.0 */
export type ModelInput =
  & Omit<ModelState, "fields" | "indexes" | "constraints">
  & {
    readonly fields: { readonly [field: string]: FieldInput }
    readonly indexes?: ReadonlyArray<IndexInput>
    readonly constraints?: ReadonlyArray<ConstraintState>
  }

const field = (input: FieldInput): FieldState => ({ nullable: false, primaryKey: false, unique: false, index: false, ...input })

const index = (input: IndexInput): IndexState => ({ ...input, columns: input.columns ?? [] })

const model = (input: ModelInput): ModelState => ({
  ...input,
  fields: Object.fromEntries(Object.entries(input.fields).map(([k, f]) => [k, field(f)])),
  indexes: (input.indexes ?? []).map(index),
  constraints: input.constraints ?? []
})

const op = <Tag extends Operation["_tag"]>(tag: Tag) => (props: Of<Tag>): Extract<Operation, { _tag: Tag }> =>
  ({ _tag: tag, ...props }) as Extract<Operation, { _tag: Tag }>

/** Creates a model's table, with its columns, indexes and constraints. @since 0.3.0 */
export const CreateModel = (props: { readonly model: ModelInput }): Operation => ({ _tag: "CreateModel", model: model(props.model) })
/** Drops a model's table (reversed by creating it again, empty). @since 0.3.0 */
export const DeleteModel = op("DeleteModel")
/** Renames a model, and its table when `table` differs. @since 0.3.0 */
export const RenameModel = op("RenameModel")
/** Renames a model's table. @since 0.3.0 */
export const AlterModelTable = op("AlterModelTable")
/** Adds a column; `safe` builds its index CONCURRENTLY and its foreign key NOT VALID, then VALIDATE. @since 0.3.0 */
export const AddField = (props: Omit<Of<"AddField">, "field"> & { readonly field: FieldInput }): Operation => ({
  _tag: "AddField",
  ...props,
  field: field(props.field)
})
/** Drops a column (reversed by adding it again, empty). @since 0.3.0 */
export const RemoveField = op("RemoveField")
/** Changes a column: type, null, default, unique, index, length, digits, choices, foreign key. @since 0.3.0 */
export const AlterField = (props: Omit<Of<"AlterField">, "field"> & { readonly field: FieldInput }): Operation => ({
  _tag: "AlterField",
  ...props,
  field: field(props.field)
})
/** Renames a field, and its column to `column`. @since 0.3.0 */
export const RenameField = op("RenameField")
/** Creates an index; `concurrently` builds it without blocking writes (outside a transaction). @since 0.3.0 */
export const AddIndex = (props: Omit<Of<"AddIndex">, "index"> & { readonly index: IndexInput }): Operation => ({
  _tag: "AddIndex",
  ...props,
  index: index(props.index)
})
/** Drops an index. @since 0.3.0 */
export const RemoveIndex = op("RemoveIndex")
/** Adds a unique or check constraint; `notValid` adds a check NOT VALID, then VALIDATE. @since 0.3.0 */
export const AddConstraint = op("AddConstraint")
/** Drops a constraint. @since 0.3.0 */
export const RemoveConstraint = op("RemoveConstraint")

/**
 * Runs SQL statements; `reverseSql` undoes them (without it the migration cannot be unapplied); `atomic: false`
 * for statements that cannot run in a transaction. The schema the autodetector sees does not change: keep what the
 * SQL does out of the models, or describe it there too.
 * @since 0.3.0
 */
export const RunSql = (props: {
  readonly sql: string | ReadonlyArray<string>
  readonly reverseSql?: string | ReadonlyArray<string>
  readonly atomic?: boolean
}): Operation => ({
  _tag: "RunSql",
  sql: typeof props.sql === "string" ? [props.sql] : props.sql,
  reverseSql: typeof props.reverseSql === "string" ? [props.reverseSql] : props.reverseSql,
  atomic: props.atomic
})

/**
 * A data migration: an Effect run with the ORM on the models as they are at this point of the migrations (use
 * `models.Book.objects`, never today's `Book`), in the migration's transaction. `backward` undoes it.
 * @since 0.3.0
 */
export const RunEffect = (props: {
  readonly forward: (models: HistoricalModels) => Effect.Effect<unknown, unknown, Db>
  readonly backward?: (models: HistoricalModels) => Effect.Effect<unknown, unknown, Db>
  readonly description?: string
}): Operation => ({ _tag: "RunEffect", ...props })
