/**
 * Migration operations as plain data, and what each does to the schema state. Their SQL is in `operationSql.ts`,
 * their safety in `safety.ts`.
 * @internal
 */
import type * as Effect from "effect/Effect"
import type * as Model from "../../Model.js"
import type * as QuerySet from "../../QuerySet.js"
import type { Db } from "../service.js"
import { type ConstraintState, type FieldState, indexUses, type IndexState, type ModelState, renameColumnIn, type SchemaState } from "./state.js"
import { derivedName } from "../names.js"
import { derivedIndexName } from "./names.js"

/** A model of a data migration, with its QuerySet (field names checked at run time, not by the compiler). @internal */
export interface HistoricalModel extends Model.Any {
  readonly objects: QuerySet.QuerySet<any, any>
}

/** The models of a migration's schema, for a data migration: historical models, built from the state. @internal */
export type HistoricalModels = { readonly [name: string]: HistoricalModel }

/** A data migration: an Effect run with the ORM on the models as they are at that point of the migrations. @internal */
export type DataMigration = (models: HistoricalModels) => Effect.Effect<unknown, unknown, Db>

/** @internal */
export type Operation =
  | { readonly _tag: "CreateModel"; readonly model: ModelState }
  | { readonly _tag: "DeleteModel"; readonly name: string }
  | { readonly _tag: "RenameModel"; readonly from: string; readonly to: string; readonly table: string }
  | { readonly _tag: "AlterModelTable"; readonly name: string; readonly table: string }
  | {
    readonly _tag: "AddField"
    readonly model: string
    readonly name: string
    readonly field: FieldState
    /** Build the field's index CONCURRENTLY, and add its foreign key NOT VALID then VALIDATE. */
    readonly safe?: boolean | undefined
  }
  | { readonly _tag: "RemoveField"; readonly model: string; readonly name: string }
  | { readonly _tag: "AlterField"; readonly model: string; readonly name: string; readonly field: FieldState; readonly safe?: boolean | undefined }
  | { readonly _tag: "RenameField"; readonly model: string; readonly from: string; readonly to: string; readonly column: string }
  | { readonly _tag: "AddIndex"; readonly model: string; readonly index: IndexState; readonly concurrently?: boolean | undefined }
  | { readonly _tag: "RemoveIndex"; readonly model: string; readonly name: string; readonly concurrently?: boolean | undefined }
  | { readonly _tag: "AddConstraint"; readonly model: string; readonly constraint: ConstraintState; readonly notValid?: boolean | undefined }
  | { readonly _tag: "RemoveConstraint"; readonly model: string; readonly name: string }
  | {
    readonly _tag: "RunSql"
    readonly sql: ReadonlyArray<string>
    /** The statements that undo it; without them the migration cannot be reversed. */
    readonly reverseSql?: ReadonlyArray<string> | undefined
    /** Statements that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`, `VACUUM`). */
    readonly atomic?: boolean | undefined
  }
  | {
    readonly _tag: "RunEffect"
    readonly forward: DataMigration
    readonly backward?: DataMigration | undefined
    readonly description?: string | undefined
  }

/** A mistake in a migration or its operations, found while building the state. @internal */
export class StateError extends Error {}

const fail = (message: string): never => {
  throw new StateError(message)
}

const modelOf = (state: SchemaState, name: string): ModelState =>
  state.models[name] ?? fail(`there is no model ${name} at this point of the migrations`)

const fieldOf = (model: ModelState, name: string): FieldState =>
  model.fields[name] ?? fail(`model ${model.name} has no field ${name} at this point of the migrations`)

const withModel = (state: SchemaState, model: ModelState): SchemaState => ({ models: { ...state.models, [model.name]: model } })

const withoutModel = (state: SchemaState, name: string): SchemaState => {
  const { [name]: _, ...rest } = state.models
  return { models: rest }
}

/** The models whose fields reference `name`, other than itself. */
const referencing = (state: SchemaState, name: string) =>
  Object.values(state.models).flatMap((m) =>
    Object.entries(m.fields).filter(([, f]) => f.references?.model === name && m.name !== name).map(([k]) => `${m.name}.${k}`)
  )

/** Replaces `old` by `renamed` in the fields of every model (their keys or references). */
const mapFields = (state: SchemaState, f: (model: ModelState, key: string, field: FieldState) => FieldState): SchemaState => ({
  models: Object.fromEntries(Object.entries(state.models).map(([name, model]) => [
    name,
    { ...model, fields: Object.fromEntries(Object.entries(model.fields).map(([k, field]) => [k, f(model, k, field)])) }
  ]))
})

/**
 * A model's derived index names follow its table (`<table>_<columns>_idx`), and so does the unique constraint of an
 * automatic join table (`<table>_uniq`); given names stay.
 */
const renameTable = (model: ModelState, table: string): ModelState => ({
  ...model,
  table,
  indexes: model.indexes.map((index) =>
    index.expressions === undefined && index.name === derivedIndexName(model.table, index.columns)
      ? { ...index, name: derivedIndexName(table, index.columns) }
      : index
  ),
  constraints: model.autoCreated !== true ? model.constraints : model.constraints.map((c) =>
    c.name === derivedName(`${model.table}_uniq`) ? { ...c, name: derivedName(`${table}_uniq`) } : c
  )
})

/** The schema after `operation`. @internal */
export const apply = (state: SchemaState, operation: Operation): SchemaState => {
  switch (operation._tag) {
    case "CreateModel": {
      if (state.models[operation.model.name] !== undefined) fail(`model ${operation.model.name} exists already`)
      if (Object.values(state.models).some((m) => m.table === operation.model.table)) fail(`a model already has table ${operation.model.table}`)
      for (const [key, field] of Object.entries(operation.model.fields)) {
        const target = field.references?.model
        if (target !== undefined && target !== operation.model.name && state.models[target] === undefined) {
          fail(`${operation.model.name}.${key} references ${target}, which does not exist yet (create it first)`)
        }
      }
      return withModel(state, operation.model)
    }
    case "DeleteModel": {
      modelOf(state, operation.name)
      const refs = referencing(state, operation.name)
      if (refs.length > 0) fail(`model ${operation.name} is still referenced by ${refs.join(", ")}`)
      return withoutModel(state, operation.name)
    }
    case "RenameModel": {
      const model = modelOf(state, operation.from)
      if (state.models[operation.to] !== undefined) fail(`model ${operation.to} exists already`)
      const renamed = withModel(withoutModel(state, operation.from), { ...renameTable(model, operation.table), name: operation.to })
      return mapFields(renamed, (_, __, field) =>
        field.references?.model === operation.from ? { ...field, references: { ...field.references, model: operation.to } } : field)
    }
    case "AlterModelTable":
      return withModel(state, renameTable(modelOf(state, operation.name), operation.table))
    case "AddField": {
      const model = modelOf(state, operation.model)
      if (model.fields[operation.name] !== undefined) fail(`model ${model.name} has a field ${operation.name} already`)
      if (Object.values(model.fields).some((f) => f.column === operation.field.column)) fail(`model ${model.name} has a column ${operation.field.column} already`)
      const target = operation.field.references?.model
      if (target !== undefined && state.models[target] === undefined) fail(`${model.name}.${operation.name} references ${target}, which does not exist`)
      return withModel(state, { ...model, fields: { ...model.fields, [operation.name]: operation.field } })
    }
    case "RemoveField": {
      const model = modelOf(state, operation.model)
      const field = fieldOf(model, operation.name)
      if (field.primaryKey) fail(`the primary key ${model.name}.${operation.name} cannot be removed`)
      const { [operation.name]: _, ...rest } = model.fields
      const column = field.column
      const used = [
        ...model.indexes.filter((i) => indexUses(i, column)).map((i) => i.name),
        ...model.constraints.filter((c) => c.kind === "unique" && c.columns.includes(column)).map((c) => c.name)
      ]
      if (used.length > 0) fail(`${model.name}.${operation.name} is used by ${used.join(", ")}: remove those first`)
      return withModel(state, { ...model, fields: rest })
    }
    case "AlterField": {
      const model = modelOf(state, operation.model)
      const before = fieldOf(model, operation.name)
      if (before.primaryKey !== operation.field.primaryKey) fail(`changing which field is ${model.name}'s primary key is not supported: write RunSql`)
      const target = operation.field.references?.model
      if (target !== undefined && state.models[target] === undefined) fail(`${model.name}.${operation.name} references ${target}, which does not exist`)
      return withModel(state, { ...model, fields: { ...model.fields, [operation.name]: operation.field } })
    }
    case "RenameField": {
      const model = modelOf(state, operation.model)
      const field = fieldOf(model, operation.from)
      if (model.fields[operation.to] !== undefined) fail(`model ${model.name} has a field ${operation.to} already`)
      // A foreign key's field is named after its relation (`publisherId` for `publisher`): the relation follows.
      const rel = field.references
      const relation = rel !== undefined && operation.from === `${rel.relation}Id` && /^.+Id$/.test(operation.to)
        ? { references: { ...rel, relation: operation.to.slice(0, -2) } }
        : {}
      const fields = Object.fromEntries(Object.entries(model.fields).map(([k, f]) =>
        k === operation.from ? [operation.to, { ...field, column: operation.column, ...relation }] : [k, f]
      ))
      const column = (c: string) => c === field.column ? operation.column : c
      return withModel(state, {
        ...model,
        fields,
        indexes: model.indexes.map((index): IndexState => {
          const columns = index.columns.map((c) => ({ ...c, column: column(c.column) }))
          const name = index.expressions === undefined && index.name === derivedIndexName(model.table, index.columns)
            ? derivedIndexName(model.table, columns)
            : index.name
          // PostgreSQL renames the column in the index's expressions and condition too.
          const sql = (text: string) => renameColumnIn(text, field.column, operation.column)
          return {
            ...index,
            name,
            columns,
            ...(index.expressions === undefined ? {} : { expressions: index.expressions.map(sql) }),
            ...(index.where === undefined ? {} : { where: sql(index.where) })
          }
        }),
        constraints: model.constraints.map((c) => c.kind === "unique" ? { ...c, columns: c.columns.map(column) } : c)
      })
    }
    case "AddIndex": {
      const model = modelOf(state, operation.model)
      if (model.indexes.some((i) => i.name === operation.index.name)) fail(`model ${model.name} has an index ${operation.index.name} already`)
      return withModel(state, { ...model, indexes: [...model.indexes, operation.index] })
    }
    case "RemoveIndex": {
      const model = modelOf(state, operation.model)
      if (!model.indexes.some((i) => i.name === operation.name)) fail(`model ${model.name} has no index ${operation.name}`)
      return withModel(state, { ...model, indexes: model.indexes.filter((i) => i.name !== operation.name) })
    }
    case "AddConstraint": {
      const model = modelOf(state, operation.model)
      if (model.constraints.some((c) => c.name === operation.constraint.name)) fail(`model ${model.name} has a constraint ${operation.constraint.name} already`)
      return withModel(state, { ...model, constraints: [...model.constraints, operation.constraint] })
    }
    case "RemoveConstraint": {
      const model = modelOf(state, operation.model)
      if (!model.constraints.some((c) => c.name === operation.name)) fail(`model ${model.name} has no constraint ${operation.name}`)
      return withModel(state, { ...model, constraints: model.constraints.filter((c) => c.name !== operation.name) })
    }
    case "RunSql":
    case "RunEffect":
      return state
  }
}

/**
 * Whether an operation's statements may run in one transaction. Concurrent index builds cannot, and the safe forms
 * (NOT VALID, then VALIDATE) only help when each statement commits before the next: a transaction would hold the
 * first statement's lock until its end.
 * @internal
 */
export const isAtomic = (operation: Operation): boolean => {
  switch (operation._tag) {
    case "AddIndex":
    case "RemoveIndex":
      return operation.concurrently !== true
    case "AddField":
      return operation.safe !== true || (!operation.field.index && operation.field.references === undefined)
    case "AlterField":
      return operation.safe !== true
    case "AddConstraint":
      return operation.notValid !== true
    case "RunSql":
      return operation.atomic !== false
    default:
      return true
  }
}

/** A one-line description, for plans and listings. @internal */
export const describe = (operation: Operation): string => {
  switch (operation._tag) {
    case "CreateModel":
      return `Create model ${operation.model.name}`
    case "DeleteModel":
      return `Delete model ${operation.name}`
    case "RenameModel":
      return `Rename model ${operation.from} to ${operation.to}`
    case "AlterModelTable":
      return `Rename the table of ${operation.name} to ${operation.table}`
    case "AddField":
      return `Add field ${operation.name} to ${operation.model}`
    case "RemoveField":
      return `Remove field ${operation.name} from ${operation.model}`
    case "AlterField":
      return `Alter field ${operation.name} of ${operation.model}`
    case "RenameField":
      return `Rename field ${operation.from} of ${operation.model} to ${operation.to}`
    case "AddIndex":
      return `Add index ${operation.index.name} to ${operation.model}${operation.concurrently ? " (concurrently)" : ""}`
    case "RemoveIndex":
      return `Remove index ${operation.name} from ${operation.model}`
    case "AddConstraint":
      return `Add constraint ${operation.constraint.name} to ${operation.model}`
    case "RemoveConstraint":
      return `Remove constraint ${operation.name} from ${operation.model}`
    case "RunSql":
      return "Raw SQL"
    case "RunEffect":
      return operation.description ?? "Data migration"
  }
}
