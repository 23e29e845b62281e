/**
 * The schema as plain data: what the models describe and what a list of migrations builds, compared by the
 * autodetector and rendered to DDL. JSON-safe throughout, so migration files can hold it and checksums can hash it.
 * @internal
 */
import type * as Expr from "../../Expr.js"
import type * as Field from "../../Field.js"
import type * as Model from "../../Model.js"
import type * as Relation from "../../Relation.js"
import { literal } from "../compiler.js"
import { checkSql, indexExpressionSql, indexWhereSql, withJoinModels } from "../ddl.js"
import { indexLabel } from "../indexExpressions.js"
import { derivedIndexName } from "./names.js"
import * as Registry from "../registry.js"

/** The foreign key a column holds. @internal */
export interface ReferenceState {
  /** The target model's name. */
  readonly model: string
  /** The relation field on the model (`publisher` for the column of `publisherId`). */
  readonly relation: string
  readonly kind: "ForeignKey" | "OneToOne"
  /** Enforced by the ORM (it deletes or updates the referencing rows itself); recorded so models can be rebuilt. */
  readonly onDelete: Relation.OnDelete
  readonly relatedName?: string | undefined
}

/** One column of a model, by field name. @internal */
export interface FieldState {
  /** The storage kind (a foreign key's column has the kind of the target's key: `Integer` for an `AutoField`). */
  readonly kind: Field.FieldKind
  readonly column: string
  readonly nullable: boolean
  readonly primaryKey: boolean
  readonly unique: boolean
  /** A single-column index (`dbIndex`, and foreign keys). */
  readonly index: boolean
  /** The column's DEFAULT as an SQL literal, for defaults that are values (not functions). */
  readonly default?: string | undefined
  readonly maxLength?: number | undefined
  readonly maxDigits?: number | undefined
  readonly decimalPlaces?: number | undefined
  readonly choices?: ReadonlyArray<string | number> | undefined
  readonly version?: boolean | undefined
  readonly references?: ReferenceState | undefined
}

/**
 * A model index: over columns, or over expressions (`columns` then empty). The members added since 0.2 are left out
 * when unused, so the states (and checksums) of older migrations stay the same.
 * @internal
 */
export interface IndexState {
  readonly name: string
  readonly columns: ReadonlyArray<{ readonly column: string; readonly descending: boolean }>
  readonly unique: boolean
  /** The index method other than btree (left out for btree, so the states of older migrations stay the same). */
  readonly using?: "gin" | "gist" | "hash" | "brin" | undefined
  /** The operator class of every column, where it is not the type's default. */
  readonly opclass?: string | undefined
  /**
   * The SQL of each expression of an expression index, as the ORM compiles it (columns not qualified by a table,
   * values as escaped literals: the same expression always gives the same text).
   */
  readonly expressions?: ReadonlyArray<string> | undefined
  /** The condition of a partial index, as SQL. */
  readonly where?: string | undefined
}

/** A table constraint: unique over columns, or a check as SQL. @internal */
export type ConstraintState =
  | { readonly kind: "unique"; readonly name: string; readonly columns: ReadonlyArray<string> }
  | { readonly kind: "check"; readonly name: string; readonly sql: string }

/** A model's table. @internal */
export interface ModelState {
  readonly name: string
  readonly table: string
  readonly fields: { readonly [field: string]: FieldState }
  readonly indexes: ReadonlyArray<IndexState>
  readonly constraints: ReadonlyArray<ConstraintState>
  /** The automatic join model of a many-to-many field. */
  readonly autoCreated?: boolean | undefined
}

/** The whole schema, models by name. @internal */
export interface SchemaState {
  readonly models: { readonly [name: string]: ModelState }
}

/** @internal */
export const empty: SchemaState = { models: {} }

const fieldState = (model: Model.Any, key: string): FieldState => {
  const field: Field.Any = model.meta.fields[key]
  const rel = field.references === undefined ? undefined : model.meta.relations[field.references.relation] as Relation.ForeignKey<any>
  return compact({
    kind: field.kind,
    column: model.meta.columns[key] as string,
    nullable: field.nullable,
    primaryKey: field.primaryKey,
    unique: field.unique && !field.primaryKey,
    index: field.dbIndex && !field.unique && !field.primaryKey,
    default: field.hasDefault && typeof field.default !== "function"
      ? field.default === null ? "NULL" : literal(field.toDb(field.default))
      : undefined,
    maxLength: field.maxLength,
    maxDigits: field.maxDigits,
    decimalPlaces: field.decimalPlaces,
    choices: field.choices,
    version: field.version || undefined,
    references: rel === undefined ? undefined : compact({
      model: rel.target().meta.name,
      relation: field.references!.relation,
      kind: rel.kind,
      onDelete: rel.onDelete,
      relatedName: rel.relatedName
    })
  })
}

/** The state of one model (its table, columns, indexes and constraints). @internal */
export const modelState = (model: Model.Any): ModelState => {
  const meta = model.meta
  const fields: Record<string, FieldState> = {}
  for (const key of Object.keys(meta.fields)) fields[key] = fieldState(model, key)
  const indexes = meta.indexes.map((index): IndexState => {
    const label = indexLabel(index)
    const where = index.where === undefined ? undefined : indexWhereSql(model, label, index.where)
    const common = {
      unique: index.unique === true,
      using: index.using === "btree" ? undefined : index.using,
      opclass: index.opclass,
      where
    }
    if (index.expressions !== undefined) {
      const expressions = index.expressions.map((e: Expr.Any, i: number) => indexExpressionSql(model, `${label} (expression ${i + 1})`, e))
      return compact({ name: index.name, columns: [], expressions, ...common })
    }
    const columns = index.fields.map((f: string) => ({
      column: meta.columns[f.replace(/^-/, "")] as string,
      descending: f.startsWith("-")
    }))
    return compact({ name: index.name ?? derivedIndexName(meta.table, columns), columns, ...common })
  })
  const constraints = meta.constraints.map((c): ConstraintState =>
    c.kind === "unique"
      ? { kind: "unique", name: c.name, columns: c.fields.map((f: string) => meta.columns[f] as string) }
      : { kind: "check", name: c.name, sql: checkSql(model, c.check) }
  )
  return compact({
    name: meta.name,
    table: meta.table,
    fields,
    indexes,
    constraints,
    autoCreated: Registry.isAutoThroughModel(model) || undefined
  })
}

/** The schema the models describe, with the join models of their many-to-many fields. @internal */
export const fromModels = (models: ReadonlyArray<Model.Any>): SchemaState => {
  const all = withJoinModels(models)
  const result: Record<string, ModelState> = {}
  for (const model of all) {
    if (result[model.meta.name] !== undefined) throw new Error(`Two models are named ${model.meta.name}`)
    result[model.meta.name] = modelState(model)
  }
  for (const model of Object.values(result)) {
    for (const [key, field] of Object.entries(model.fields)) {
      if (field.references !== undefined && result[field.references.model] === undefined) {
        throw new Error(`${model.name}.${key} references ${field.references.model}, which is not among the models`)
      }
    }
  }
  return { models: result }
}

/** The primary key field of a model state. @internal */
export const primaryKey = (model: ModelState): readonly [string, FieldState] => {
  const found = Object.entries(model.fields).find(([, f]) => f.primaryKey)
  if (found === undefined) throw new Error(`Model ${model.name} has no primary key`)
  return found
}

/**
 * The identifiers an index's SQL names (its expressions' and condition's columns: the ORM writes nothing else in
 * double quotes), each with where it stands, outside string literals.
 */
const quotedNames = (sql: string): Array<{ readonly name: string; readonly start: number; readonly end: number }> => {
  const found: Array<{ name: string; start: number; end: number }> = []
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]
    if (c !== "'" && c !== "\"") continue
    const start = i
    let text = ""
    for (i++; i < sql.length; i++) {
      if (sql[i] === c) {
        if (sql[i + 1] === c) {
          text += c
          i++
          continue
        }
        break
      }
      text += sql[i]
    }
    if (c === "\"") found.push({ name: text, start, end: i + 1 })
  }
  return found
}

/** Whether an index reads `column`: as one of its columns, in an expression or in its condition. @internal */
export const indexUses = (index: IndexState, column: string): boolean =>
  index.columns.some((c) => c.column === column) ||
  [...(index.expressions ?? []), ...(index.where === undefined ? [] : [index.where])].some((sql) => quotedNames(sql).some((n) => n.name === column))

/** SQL with the column `from` renamed `to` (PostgreSQL renames it in its indexes too). @internal */
export const renameColumnIn = (sql: string, from: string, to: string): string => {
  let result = ""
  let at = 0
  for (const n of quotedNames(sql)) {
    if (n.name !== from) continue
    result += sql.slice(at, n.start) + `"${to.replace(/"/g, "\"\"")}"`
    at = n.end
  }
  return result + sql.slice(at)
}

/** Drops `undefined` members, so states compare and serialize the same however they were built. @internal */
export const compact = <T extends object>(value: T): T => {
  const result: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) if (v !== undefined) result[k] = v
  return result as T
}

/** A canonical JSON text of a value (object keys sorted), for equality and checksums. @internal */
export const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v)

/** Whether two states (or parts of states) are the same. @internal */
export const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b)

const byNameOrder = (a: { readonly name: string }, b: { readonly name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/**
 * A state with each model's indexes and constraints in name order: their order has no meaning to the database (the
 * catalog lists them by name), while the models keep the order they were declared in.
 * @internal
 */
export const byName = (state: SchemaState): SchemaState => ({
  models: Object.fromEntries(Object.entries(state.models).map(([k, m]) => [k, {
    ...m,
    indexes: [...m.indexes].sort(byNameOrder),
    constraints: [...m.constraints].sort(byNameOrder)
  }]))
})

/** Whether two schemas are the same but for the order of indexes and constraints. @internal */
export const sameSchema = (a: SchemaState, b: SchemaState): boolean => same(byName(a), byName(b))
