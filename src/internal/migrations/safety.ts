/**
 * What each operation does to a live database: whether it only adds, destroys data, rewrites the table, takes a
 * lock that blocks writes, or may fail depending on the rows; and warnings, with the safe alternative, for the known
 * traps (the ones squawk-style linters catch). A table created by the same migration is new: nothing to lock.
 * @internal
 */
import type { Operation } from "./operations.js"
import { baseType } from "./sql.js"
import type { FieldState, SchemaState } from "./state.js"

/** How an operation affects a database in use. @internal */
export type Impact = "additive" | "destructive" | "rewrite" | "blocking" | "data-dependent"

/** A trap, and the safe way around it. @internal */
export interface Warning {
  readonly message: string
  readonly safe: string
}

/** @internal */
export interface Assessment {
  readonly impacts: ReadonlyArray<Impact>
  readonly warnings: ReadonlyArray<Warning>
}

/** Whether changing a column's type from `a` to `b` keeps its bytes (no rewrite): a longer varchar, text, more digits. */
const binaryCoercible = (a: FieldState, b: FieldState): boolean => {
  if (a.kind === "Char" && b.kind === "Char") return (b.maxLength ?? 0) >= (a.maxLength ?? 0)
  if (a.kind === "Char" && b.kind === "Text") return true
  if (a.kind === "Decimal" && b.kind === "Decimal") return b.decimalPlaces === a.decimalPlaces && (b.maxDigits ?? 0) >= (a.maxDigits ?? 0)
  return false
}

const NOT_NULL: Warning = {
  message: "adding a NOT NULL column without a default fails on a table that has rows",
  safe: "give the field a default, or add it nullable, fill it, then make it NOT NULL"
}
const INDEX: Warning = {
  message: "creating an index on an existing table blocks writes to it until the index is built",
  safe: "build it CONCURRENTLY: makemigrations --safe (the migration then runs outside a transaction)"
}
const UNIQUE: Warning = {
  message: "adding a unique constraint builds its index while writes to the table are blocked",
  safe: "build a unique index CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX (RunSql with atomic: false)"
}
const FOREIGN_KEY: Warning = {
  message: "adding a foreign key checks every row while writes to both tables are blocked",
  safe: "add it NOT VALID, then VALIDATE it, which does not block writes: makemigrations --safe"
}
const CHECK: Warning = {
  message: "adding a check constraint checks every row while writes are blocked",
  safe: "add it NOT VALID, then VALIDATE it: makemigrations --safe"
}
const SET_NOT_NULL: Warning = {
  message: "SET NOT NULL scans the whole table while writes are blocked (and fails if a row is NULL)",
  safe: "add CHECK (column IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL: makemigrations --safe"
}
const TYPE: Warning = {
  message: "changing the column's type rewrites the table while reads and writes are blocked",
  safe: "add a column of the new type, fill it in batches, switch the code to it, then remove the old one"
}
const RENAME_COLUMN: Warning = {
  message: "renaming a column breaks running code that still reads or writes the old name",
  safe: "deploy code that no longer uses the old name first (or add the new column and copy, then remove the old)"
}
const RENAME_TABLE: Warning = {
  message: "renaming a table breaks running code that still uses the old name",
  safe: "deploy code that no longer uses the old name first"
}
const DROP: Warning = {
  message: "dropping a column or table loses its data, and breaks running code that still uses it",
  safe: "deploy code that no longer uses it first; back the data up if it may be needed"
}

/**
 * The impact of `operation` on the schema `before`; `created` names the models the same migration created (new
 * tables hold no rows and no one writes to them yet).
 * @internal
 */
export const assess = (operation: Operation, before: SchemaState, created: ReadonlySet<string>): Assessment => {
  const impacts = new Set<Impact>()
  const warnings: Array<Warning> = []
  const existing = (model: string) => !created.has(model)
  const warn = (warning: Warning, ...kinds: ReadonlyArray<Impact>) => {
    warnings.push(warning)
    kinds.forEach((k) => impacts.add(k))
  }
  switch (operation._tag) {
    case "CreateModel":
      impacts.add("additive")
      break
    case "DeleteModel":
      warn(DROP, "destructive")
      break
    case "RenameModel":
    case "AlterModelTable": {
      const from = operation._tag === "RenameModel" ? operation.from : operation.name
      if (before.models[from]?.table !== operation.table) warn(RENAME_TABLE, "blocking")
      else impacts.add("additive")
      break
    }
    case "AddField": {
      impacts.add("additive")
      if (!existing(operation.model)) break
      const field = operation.field
      const generated = field.kind === "AutoField" || field.kind === "BigAutoField"
      if (!field.nullable && field.default === undefined && !generated) warn(NOT_NULL, "data-dependent")
      if (operation.safe !== true) {
        if (field.index) warn(INDEX, "blocking")
        if (field.references !== undefined) warn(FOREIGN_KEY, "blocking", "data-dependent")
      }
      if (field.unique) warn(UNIQUE, "blocking", "data-dependent")
      break
    }
    case "RemoveField":
      warn(DROP, "destructive")
      break
    case "AlterField": {
      const old = before.models[operation.model]?.fields[operation.name]
      if (old === undefined) break
      const field = operation.field
      const live = existing(operation.model)
      if (baseType(old) !== baseType(field) && !binaryCoercible(old, field)) {
        if (live) warn(TYPE, "rewrite", "blocking", "data-dependent")
        else impacts.add("rewrite")
      }
      if (old.column !== field.column) warn(RENAME_COLUMN, "blocking")
      if (old.nullable && !field.nullable) {
        if (live && operation.safe !== true) warn(SET_NOT_NULL, "blocking", "data-dependent")
        else impacts.add("data-dependent")
      }
      if (!old.unique && field.unique) {
        if (live) warn(UNIQUE, "blocking", "data-dependent")
        else impacts.add("data-dependent")
      }
      if (field.choices !== undefined && JSON.stringify(old.choices) !== JSON.stringify(field.choices)) impacts.add("data-dependent")
      if (live && operation.safe !== true) {
        if (!old.index && field.index) warn(INDEX, "blocking")
        if (field.references !== undefined && old.references?.model !== field.references.model) warn(FOREIGN_KEY, "blocking", "data-dependent")
        if (field.choices !== undefined && JSON.stringify(old.choices) !== JSON.stringify(field.choices)) warn(CHECK, "blocking")
      }
      if (impacts.size === 0) impacts.add("additive")
      break
    }
    case "RenameField": {
      const old = before.models[operation.model]?.fields[operation.from]
      if (old !== undefined && old.column !== operation.column) warn(RENAME_COLUMN, "blocking")
      else impacts.add("additive")
      break
    }
    case "AddIndex":
      if (existing(operation.model) && operation.concurrently !== true) warn(INDEX, "blocking")
      else impacts.add("additive")
      if (operation.index.unique) impacts.add("data-dependent")
      break
    case "RemoveIndex":
    case "RemoveConstraint":
      impacts.add("additive")
      break
    case "AddConstraint":
      impacts.add("data-dependent")
      if (existing(operation.model)) {
        if (operation.constraint.kind === "check" && operation.notValid !== true) warn(CHECK, "blocking")
        if (operation.constraint.kind === "unique") warn(UNIQUE, "blocking")
      }
      break
    case "RunSql":
    case "RunEffect":
      impacts.add("data-dependent")
      break
  }
  return { impacts: [...impacts], warnings }
}
