/**
 * The SQL of each migration operation, forwards, and the operations that undo it (run forwards in their turn).
 * @internal
 */
import { quote } from "../compiler.js"
import { derivedName } from "../names.js"
import { columnNames } from "./names.js"
import type { Operation } from "./operations.js"
import { StateError } from "./operations.js"
import * as Sql from "./sql.js"
import { type FieldState, type ModelState, same, type SchemaState } from "./state.js"

const table = (model: ModelState) => quote(model.table)

/** Renames a column's derived constraint and index names after its table or column was renamed. */
const renameDerived = (
  before: { readonly table: string; readonly field: FieldState },
  after: { readonly table: string; readonly field: FieldState }
): ReadonlyArray<string> => {
  const old = columnNames(before.table, before.field.column)
  const next = columnNames(after.table, after.field.column)
  const on = quote(after.table)
  const statements: Array<string> = []
  if (before.field.unique && old.unique !== next.unique) statements.push(`ALTER TABLE ${on} RENAME CONSTRAINT ${quote(old.unique)} TO ${quote(next.unique)}`)
  if (before.field.choices !== undefined && old.check !== next.check) statements.push(`ALTER TABLE ${on} RENAME CONSTRAINT ${quote(old.check)} TO ${quote(next.check)}`)
  if (before.field.references !== undefined && old.foreignKey !== next.foreignKey) {
    statements.push(`ALTER TABLE ${on} RENAME CONSTRAINT ${quote(old.foreignKey)} TO ${quote(next.foreignKey)}`)
  }
  if (before.field.index && old.index !== next.index) statements.push(`ALTER INDEX ${quote(old.index)} RENAME TO ${quote(next.index)}`)
  return statements
}

const encoder = new TextEncoder()

/** PostgreSQL's name for the primary key of a table created without naming it: the table name cut to fit, `_pkey`. */
const primaryKeyName = (table: string): string => {
  let prefix = ""
  for (const ch of table) {
    if (encoder.encode(prefix + ch).length > 58) break
    prefix += ch
  }
  return `${prefix}_pkey`
}

/** Renames a table, and the names the ORM derived from it (its primary key's, so they are those of a new table). */
const renameTableSql = (before: ModelState, after: ModelState): ReadonlyArray<string> => {
  if (before.table === after.table) return []
  const statements = [`ALTER TABLE ${quote(before.table)} RENAME TO ${quote(after.table)}`]
  if (primaryKeyName(before.table) !== primaryKeyName(after.table)) {
    statements.push(`ALTER TABLE ${quote(after.table)} RENAME CONSTRAINT ${quote(primaryKeyName(before.table))} TO ${quote(primaryKeyName(after.table))}`)
  }
  for (const [key, field] of Object.entries(before.fields)) {
    statements.push(...renameDerived({ table: before.table, field }, { table: after.table, field: after.fields[key] ?? field }))
  }
  before.indexes.forEach((index, i) => {
    const renamed = after.indexes[i]
    if (renamed !== undefined && renamed.name !== index.name) statements.push(`ALTER INDEX ${quote(index.name)} RENAME TO ${quote(renamed.name)}`)
  })
  before.constraints.forEach((constraint, i) => {
    const renamed = after.constraints[i]
    if (renamed !== undefined && renamed.name !== constraint.name) {
      statements.push(`ALTER TABLE ${quote(after.table)} RENAME CONSTRAINT ${quote(constraint.name)} TO ${quote(renamed.name)}`)
    }
  })
  return statements
}

/**
 * A check added NOT VALID, then validated (which does not block writes). A VALIDATE that fails (a row breaks the
 * check) leaves the NOT VALID check behind, so it is first dropped if there: running the migration again resumes.
 */
const notValidCheck = (on: string, name: string, check: string): ReadonlyArray<string> => [
  `ALTER TABLE ${on} DROP CONSTRAINT IF EXISTS ${quote(name)}`,
  `ALTER TABLE ${on} ADD CONSTRAINT ${quote(name)} ${check} NOT VALID`,
  `ALTER TABLE ${on} VALIDATE CONSTRAINT ${quote(name)}`
]

const addConstraintSql = (model: ModelState, constraint: Extract<Operation, { _tag: "AddConstraint" }>): ReadonlyArray<string> => {
  if (constraint.notValid === true && constraint.constraint.kind === "check") {
    return notValidCheck(table(model), constraint.constraint.name, `CHECK (${constraint.constraint.sql})`)
  }
  return [`ALTER TABLE ${table(model)} ADD ${Sql.constraintDefinition(constraint.constraint)}`]
}

/** The statements of a field's index and foreign key, added after its column exists. */
const fieldExtras = (state: SchemaState, model: ModelState, field: FieldState, safe: boolean): ReadonlyArray<string> => {
  const statements: Array<string> = []
  if (field.index) {
    if (safe) statements.push(Sql.dropLeftoverIndex(columnNames(model.table, field.column).index))
    statements.push(Sql.columnIndex(model.table, field, { concurrently: safe }))
  }
  if (field.references !== undefined) {
    statements.push(Sql.foreignKey(state, model, field, { notValid: safe }))
    if (safe) statements.push(`ALTER TABLE ${table(model)} VALIDATE CONSTRAINT ${quote(columnNames(model.table, field.column).foreignKey)}`)
  }
  return statements
}

/** The statements turning column `before` into `after` (same table). */
const alterFieldSql = (state: SchemaState, model: ModelState, before: FieldState, after: FieldState, safe: boolean): ReadonlyArray<string> => {
  const statements: Array<string> = []
  const on = table(model)
  const column = quote(after.column)
  const names = columnNames(model.table, after.column)
  if ((before.kind === "AutoField" || before.kind === "BigAutoField") !== (after.kind === "AutoField" || after.kind === "BigAutoField")) {
    throw new StateError(`changing ${model.name}.${after.column} to or from a generated key is not supported: write RunSql`)
  }
  if (before.column !== after.column) {
    statements.push(`ALTER TABLE ${on} RENAME COLUMN ${quote(before.column)} TO ${column}`)
    statements.push(...renameDerived({ table: model.table, field: before }, { table: model.table, field: { ...before, column: after.column } }))
  }
  const referencesChanged = !same(before.references?.model, after.references?.model) || Sql.baseType(before) !== Sql.baseType(after)
  if (before.references !== undefined && referencesChanged) statements.push(`ALTER TABLE ${on} DROP CONSTRAINT ${quote(names.foreignKey)}`)
  if (before.choices !== undefined && !same(before.choices, after.choices)) statements.push(`ALTER TABLE ${on} DROP CONSTRAINT ${quote(names.check)}`)
  if (before.unique && !after.unique) statements.push(`ALTER TABLE ${on} DROP CONSTRAINT ${quote(names.unique)}`)
  if (before.index && !after.index) statements.push(`DROP INDEX ${quote(names.index)}`)
  if (Sql.baseType(before) !== Sql.baseType(after)) {
    statements.push(`ALTER TABLE ${on} ALTER COLUMN ${column} TYPE ${Sql.baseType(after)} USING ${column}::${Sql.baseType(after)}`)
  }
  if (before.default !== after.default) {
    statements.push(after.default === undefined
      ? `ALTER TABLE ${on} ALTER COLUMN ${column} DROP DEFAULT`
      : `ALTER TABLE ${on} ALTER COLUMN ${column} SET DEFAULT ${after.default}`)
  }
  if (before.nullable !== after.nullable && !after.primaryKey) {
    if (safe && !after.nullable) {
      // A validated CHECK (column IS NOT NULL) lets SET NOT NULL skip its scan; VALIDATE does not block writes.
      const check = derivedName(`${model.table}_${after.column}_not_null`)
      statements.push(
        ...notValidCheck(on, check, `CHECK (${column} IS NOT NULL)`),
        `ALTER TABLE ${on} ALTER COLUMN ${column} SET NOT NULL`,
        `ALTER TABLE ${on} DROP CONSTRAINT ${quote(check)}`
      )
    } else statements.push(`ALTER TABLE ${on} ALTER COLUMN ${column} ${after.nullable ? "DROP" : "SET"} NOT NULL`)
  }
  if (!before.unique && after.unique) statements.push(`ALTER TABLE ${on} ADD CONSTRAINT ${quote(names.unique)} UNIQUE (${column})`)
  if (after.choices !== undefined && !same(before.choices, after.choices)) {
    statements.push(...safe
      ? notValidCheck(on, names.check, Sql.choicesCheck(after))
      : [`ALTER TABLE ${on} ADD CONSTRAINT ${quote(names.check)} ${Sql.choicesCheck(after)}`])
  }
  if (!before.index && after.index) statements.push(...fieldExtras(state, model, { ...after, references: undefined }, safe))
  if (after.references !== undefined && (before.references === undefined || referencesChanged)) {
    statements.push(...fieldExtras(state, model, { ...after, index: false }, safe))
  }
  return statements
}

/** The SQL of `operation`, from the schema `before` to `after` (the state it leads to). @internal */
export const forwardSql = (operation: Operation, before: SchemaState, after: SchemaState): ReadonlyArray<string> => {
  switch (operation._tag) {
    case "CreateModel":
      return [...Sql.createTable(operation.model), ...Sql.foreignKeys(after, operation.model)]
    case "DeleteModel":
      return [`DROP TABLE ${quote(before.models[operation.name]!.table)}`]
    case "RenameModel":
      return renameTableSql(before.models[operation.from]!, after.models[operation.to]!)
    case "AlterModelTable":
      return renameTableSql(before.models[operation.name]!, after.models[operation.name]!)
    case "AddField": {
      const model = after.models[operation.model]!
      return [
        `ALTER TABLE ${table(model)} ADD COLUMN ${Sql.columnDefinition(model.table, operation.field)}`,
        ...fieldExtras(after, model, operation.field, operation.safe === true)
      ]
    }
    case "RemoveField": {
      const model = before.models[operation.model]!
      return [`ALTER TABLE ${table(model)} DROP COLUMN ${quote(model.fields[operation.name]!.column)}`]
    }
    case "AlterField": {
      const model = after.models[operation.model]!
      return alterFieldSql(after, model, before.models[operation.model]!.fields[operation.name]!, operation.field, operation.safe === true)
    }
    case "RenameField": {
      const model = before.models[operation.model]!
      const field = model.fields[operation.from]!
      if (field.column === operation.column) return []
      return [
        `ALTER TABLE ${table(model)} RENAME COLUMN ${quote(field.column)} TO ${quote(operation.column)}`,
        ...renameDerived({ table: model.table, field }, { table: model.table, field: { ...field, column: operation.column } }),
        ...before.models[operation.model]!.indexes.flatMap((index, i) => {
          const renamed = after.models[operation.model]!.indexes[i]
          return renamed !== undefined && renamed.name !== index.name ? [`ALTER INDEX ${quote(index.name)} RENAME TO ${quote(renamed.name)}`] : []
        })
      ]
    }
    case "AddIndex":
      return [
        ...(operation.concurrently === true ? [Sql.dropLeftoverIndex(operation.index.name)] : []),
        Sql.createIndex(after.models[operation.model]!.table, operation.index, { concurrently: operation.concurrently })
      ]
    case "RemoveIndex":
      return [`DROP INDEX ${operation.concurrently === true ? "CONCURRENTLY IF EXISTS " : ""}${quote(operation.name)}`]
    case "AddConstraint":
      return addConstraintSql(after.models[operation.model]!, operation)
    case "RemoveConstraint":
      return [`ALTER TABLE ${table(before.models[operation.model]!)} DROP CONSTRAINT ${quote(operation.name)}`]
    case "RunSql":
      return operation.sql
    case "RunEffect":
      return []
  }
}

/**
 * The operations that undo `operation` applied to `before`, or a reason why it cannot be undone. Dropped tables and
 * columns come back empty: their schema is reversible, their data is not.
 * @internal
 */
export const inverse = (operation: Operation, before: SchemaState): ReadonlyArray<Operation> | string => {
  switch (operation._tag) {
    case "CreateModel":
      return [{ _tag: "DeleteModel", name: operation.model.name }]
    case "DeleteModel":
      return [{ _tag: "CreateModel", model: before.models[operation.name]! }]
    case "RenameModel":
      return [{ _tag: "RenameModel", from: operation.to, to: operation.from, table: before.models[operation.from]!.table }]
    case "AlterModelTable":
      return [{ _tag: "AlterModelTable", name: operation.name, table: before.models[operation.name]!.table }]
    case "AddField":
      return [{ _tag: "RemoveField", model: operation.model, name: operation.name }]
    case "RemoveField":
      return [{ _tag: "AddField", model: operation.model, name: operation.name, field: before.models[operation.model]!.fields[operation.name]! }]
    case "AlterField":
      return [{ _tag: "AlterField", model: operation.model, name: operation.name, field: before.models[operation.model]!.fields[operation.name]! }]
    case "RenameField":
      return [{ _tag: "RenameField", model: operation.model, from: operation.to, to: operation.from, column: before.models[operation.model]!.fields[operation.from]!.column }]
    case "AddIndex":
      return [{ _tag: "RemoveIndex", model: operation.model, name: operation.index.name, concurrently: operation.concurrently }]
    case "RemoveIndex":
      return [{ _tag: "AddIndex", model: operation.model, index: before.models[operation.model]!.indexes.find((i) => i.name === operation.name)!, concurrently: operation.concurrently }]
    case "AddConstraint":
      return [{ _tag: "RemoveConstraint", model: operation.model, name: operation.constraint.name }]
    case "RemoveConstraint":
      return [{ _tag: "AddConstraint", model: operation.model, constraint: before.models[operation.model]!.constraints.find((c) => c.name === operation.name)! }]
    case "RunSql":
      return operation.reverseSql === undefined
        ? "raw SQL without reverseSql cannot be undone"
        : [{ _tag: "RunSql", sql: operation.reverseSql, reverseSql: operation.sql, atomic: operation.atomic }]
    case "RunEffect":
      return operation.backward === undefined
        ? "a data migration without backward cannot be undone"
        : [{ _tag: "RunEffect", forward: operation.backward, backward: operation.forward, description: operation.description }]
  }
}
