/**
 * Historical models: model classes built from a schema state, for data migrations, which must see the schema as it
 * is at their point of the migrations rather than as today's models describe it (Django's `apps.get_model` in
 * `RunPython`).
 *
 * Each model of the state becomes `Model.Class(name)({ ...fields }, { table, indexes, constraints })`: its columns
 * with every fact the state holds (column, null, primary key, unique, index, default, max length, digits, choices,
 * version), its foreign keys and one-to-ones as relation fields whose targets are the other historical models (cycles
 * and self-references included), and each automatic join model rebuilt as the many-to-many field that makes it, so
 * the join model comes out the same. `State.modelState` of each equals the state's model, but for:
 * - check constraints: the state keeps their SQL, the models declare checks as filters, and SQL cannot be turned back
 *   into a filter. (Expression indexes and partial indexes' conditions are kept: their SQL is carried as it is.) Historical models have none (the database, whose tables the migrations made, enforces them), so
 *   `State.fromModels(Object.values(modelsAt(state)))` equals `withoutChecks(state)`.
 * - what the state does not hold: a default that is a function (`UUID({ autoGenerate })`, `() => ...`) is the
 *   database's (a column without a DEFAULT must then be given), validators, a JSON field's schema (values are any
 *   JSON), default ordering, `relatedName` of many-to-many fields (the reverse side is `<model>Set`) and many-to-many
 *   fields with a `through` model (the through model is there, with its foreign keys).
 *
 * They are recorded in the registry apart from the declared models (`Registry.apart`): a declared model's reverse
 * relations, cascades and join models never reach them, and theirs stay among themselves.
 * @internal
 */
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import * as Field from "../../Field.js"
import * as Model from "../../Model.js"
import type * as Relation from "../../Relation.js"
import { decimalFromDb } from "../codec.js"
import * as IndexExpressions from "../indexExpressions.js"
import { lowerFirst, snakeCase } from "../names.js"
import * as Registry from "../registry.js"
import type { HistoricalModels } from "./operations.js"
import { type FieldState, type ModelState, modelState, same, type SchemaState } from "./state.js"

/** The state without its check constraints, which historical models do not carry (see the module's comment). @internal */
export const withoutChecks = (state: SchemaState): SchemaState => ({
  models: Object.fromEntries(Object.entries(state.models).map(([name, model]) => [
    name,
    { ...model, constraints: model.constraints.filter((c) => c.kind !== "check") }
  ]))
})

/** The many-to-many field an automatic join model comes from: `<Source>_<field>`, keys to each side. */
interface JoinOf {
  readonly source: string
  readonly field: string
  readonly target: string
  readonly table: string
}

const joinOf = (state: SchemaState, join: ModelState): JoinOf => {
  const refs = Object.values(join.fields).flatMap((f) => f.references === undefined ? [] : [f.references])
  const fail = (): never => {
    throw new Error(`The join model ${join.name} is not the automatic join model of a many-to-many field`)
  }
  if (refs.length !== 2) fail()
  const [a, b] = refs as [typeof refs[0], typeof refs[0]]
  const candidates: Array<readonly [string, string]> = []
  if (a.model === b.model) {
    // A self-referential many-to-many: `from<Model>` and `to<Model>`.
    const names = [a.relation, b.relation].sort()
    if (names[0] === `from${a.model}` && names[1] === `to${a.model}`) candidates.push([a.model, a.model])
  } else {
    for (const [s, t] of [[a, b], [b, a]] as const) {
      if (s.relation === lowerFirst(s.model) && t.relation === lowerFirst(t.model)) candidates.push([s.model, t.model])
    }
  }
  for (const [source, target] of candidates) {
    const model = state.models[source]
    const field = join.name.slice(source.length + 1)
    if (join.name.startsWith(`${source}_`) && field !== "" && model !== undefined && model.autoCreated !== true && !(field in model.fields)) {
      return { source, field, target, table: join.table }
    }
  }
  return fail()
}

/** A default's SQL literal (`literal`'s output) as the driver's value: `NULL`, a boolean, a number or a text. */
const parseLiteral = (sql: string): unknown => {
  if (sql === "NULL") return null
  if (sql === "TRUE" || sql === "FALSE") return sql === "TRUE"
  if (sql.startsWith("'") && sql.endsWith("'") && sql.length >= 2) return sql.slice(1, -1).replace(/''/g, "'")
  const n = Number(sql)
  if (sql.trim() !== "" && !Number.isNaN(n)) return n
  throw new Error(`Cannot read the default ${sql}`)
}

/** PostgreSQL's timestamptz text as `dateTimeToDb` writes it: `2024-01-31 12:00:00.000+00`, ` BC` after BC years. */
const timestampFromText = (text: string): DateTime.Utc => {
  const m = /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})\+00( BC)?$/.exec(text)
  if (m === null) throw new Error(`Cannot read the timestamp ${text}`)
  const year = Number(m[1])
  const d = new globalThis.Date(0)
  d.setUTCFullYear(m[8] === undefined ? year : 1 - year, Number(m[2]) - 1, Number(m[3]))
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]))
  return DateTime.makeUnsafe(d)
}

/** The value of a default of a column of `kind` from its SQL literal (the inverse of `literal(field.toDb(value))`). */
const defaultValue = (kind: Field.FieldKind, sql: string): unknown => {
  const raw = parseLiteral(sql)
  if (raw === null) return null
  switch (kind) {
    case "BigInteger":
    case "BigAutoField":
      return BigInt(raw as string | number)
    case "Float":
      return Number(raw)
    case "Decimal":
      return decimalFromDb(raw)
    case "DateTime":
      return timestampFromText(String(raw))
    case "Duration": {
      const m = /^(-?\d+) microseconds$/.exec(String(raw))
      if (m === null) throw new Error(`Cannot read the interval ${String(raw)}`)
      return Duration.micros(BigInt(m[1]!))
    }
    case "JSON":
      return JSON.parse(String(raw))
    default:
      return raw
  }
}

/** The options every field takes, from its state (`key` names the field, for its default column name). */
const common = (key: string, field: FieldState, defaultKind: Field.FieldKind): Record<string, unknown> => {
  const options: Record<string, unknown> = {}
  if (field.column !== snakeCase(key)) options.dbColumn = field.column
  if (field.nullable) options.nullable = true
  if (field.primaryKey) options.primaryKey = true
  if (field.unique) options.unique = true
  if (field.index) options.dbIndex = true
  if (field.default !== undefined) options.default = defaultValue(defaultKind, field.default)
  return options
}

/** The scalar field of a column's state. */
const scalarField = (key: string, field: FieldState): Field.Any => {
  const options: Record<string, any> = common(key, field, field.kind)
  const dbColumn = options.dbColumn === undefined ? {} : { dbColumn: options.dbColumn as string }
  const choices = field.choices === undefined ? {} : { choices: field.choices }
  if (field.version === true) return Field.Version(dbColumn)
  switch (field.kind) {
    case "AutoField":
      return Field.AutoField(dbColumn)
    case "BigAutoField":
      return Field.BigAutoField(dbColumn)
    case "Char":
      return Field.Char({ ...options, ...choices, maxLength: field.maxLength! } as any)
    case "Text":
      return Field.Text({ ...options, ...choices } as any)
    case "Integer":
      return Field.Integer({ ...options, ...choices } as any)
    case "SmallInteger":
      return Field.SmallInteger({ ...options, ...choices } as any)
    case "BigInteger":
      return Field.BigInteger(options)
    case "Float":
      return Field.Float(options)
    case "Decimal":
      return Field.Decimal({ ...options, maxDigits: field.maxDigits!, decimalPlaces: field.decimalPlaces! })
    case "Boolean":
      return Field.Boolean(options)
    case "Date":
      return Field.Date(options)
    case "DateTime":
      return Field.DateTime(options)
    case "Time":
      return Field.Time(options)
    case "Duration":
      return Field.Duration(options)
    case "UUID":
      return Field.UUID(options)
    case "JSON":
      return Field.JSON(Schema.Unknown, options)
  }
}

/**
 * The models of `state`, by name, the automatic join models included: historical models, recorded apart from the
 * declared ones (see the module's comment). Throws when the state holds something a model cannot express.
 * @internal
 */
export const modelsAt = (state: SchemaState): HistoricalModels =>
  // Every model class has `objects` (Model.Class defines it): the record is of historical models.
  Registry.apart((): HistoricalModels => {
    const result: Record<string, Model.Any> = {}
    const model = (name: string) => (): Model.Any => {
      const found = result[name]
      if (found === undefined) throw new Error(`The historical model ${name} does not exist`)
      return found
    }
    const joins = Object.values(state.models).filter((m) => m.autoCreated === true).map((join) => joinOf(state, join))
    for (const ms of Object.values(state.models)) {
      if (ms.autoCreated === true) continue
      const fields: Record<string, Field.Any | Relation.Any> = {}
      const keyOf: Record<string, string> = {}
      for (const [key, field] of Object.entries(ms.fields)) {
        keyOf[field.column] = key
        const ref = field.references
        if (ref === undefined) {
          fields[key] = scalarField(key, field)
          continue
        }
        if (key !== `${ref.relation}Id`) throw new Error(`${ms.name}.${key}: the key of relation ${ref.relation} must be named ${ref.relation}Id`)
        const target = state.models[ref.model]
        if (target === undefined) throw new Error(`${ms.name}.${key} references ${ref.model}, which is not in the state`)
        const targetPk = Object.values(target.fields).find((f) => f.primaryKey)
        const options = common(key, field, targetPk?.kind ?? field.kind)
        delete options.unique
        delete options.dbIndex
        delete options.primaryKey
        const relOptions = { ...options, onDelete: ref.onDelete, ...(ref.relatedName === undefined ? {} : { relatedName: ref.relatedName }) }
        fields[ref.relation] = ref.kind === "OneToOne"
          ? Field.OneToOne(model(ref.model), relOptions)
          : Field.ForeignKey(model(ref.model), relOptions)
      }
      for (const join of joins) {
        if (join.source === ms.name) fields[join.field] = Field.ManyToMany(model(join.target), { dbTable: join.table })
      }
      const column = (c: string) => keyOf[c] ?? `(no field has the column ${c})`
      const options: Model.Options<any> = {
        table: ms.table,
        indexes: ms.indexes.map((index): Model.Index<any> => {
          const common = {
            ...(index.unique ? { unique: true } : {}),
            ...(index.using === undefined ? {} : { using: index.using }),
            ...(index.opclass === undefined ? {} : { opclass: index.opclass }),
            // The state holds SQL, which stand-ins give back as it is (see `indexExpressions.ts`).
            ...(index.where === undefined ? {} : { where: IndexExpressions.conditionFromState(index.where) as never })
          }
          return index.expressions !== undefined
            ? { name: index.name, expressions: index.expressions.map(IndexExpressions.fromState), ...common }
            : { name: index.name, fields: index.columns.map((c) => `${c.descending ? "-" : ""}${column(c.column)}`), ...common }
        }),
        constraints: ms.constraints.flatMap((c) => c.kind === "unique" ? [{ kind: "unique" as const, name: c.name, fields: c.columns.map(column) }] : [])
      }
      result[ms.name] = Model.Class<any>(ms.name)(fields, options) as unknown as Model.Any
    }
    for (const join of joins) {
      const source = result[join.source]!
      const through = Registry.throughOf(source, join.field, source.meta.relations[join.field] as Relation.ManyToMany<any>).model
      result[through.meta.name] = through
    }
    // What the models came out as must be the state (but for check constraints): anything else is a bug here.
    const expected = withoutChecks(state)
    for (const [name, built] of Object.entries(result)) {
      if (!same(modelState(built), expected.models[name])) {
        throw new Error(`The historical model ${name} does not match its state: ${JSON.stringify(modelState(built))}`)
      }
    }
    return result as HistoricalModels
  })
