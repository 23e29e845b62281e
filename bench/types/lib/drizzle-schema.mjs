// Renders the schema as Drizzle 0.45 tables (`pgTable`) and relations (`relations`), the same tables the effect-orm
// models describe: a many-to-many becomes an explicit join table (Drizzle has no many-to-many field), and every
// relation is named (`relationName`) so that several keys between two tables stay unambiguous.
import { modelOf, snake, upperFirst } from "./schema.mjs"

/** The join table of a many-to-many: its variable, SQL name and key columns. */
export const junctionOf = (schema, source, m2m) => {
  const target = modelOf(schema, m2m.target)
  return {
    varName: `${source.varName}${upperFirst(m2m.name)}`,
    table: `${source.table}_${snake(m2m.name)}`,
    source,
    target,
    sourceKey: `${source.varName}Id`,
    targetKey: `${target.varName}Id`
  }
}

const ON_DELETE = { CASCADE: "cascade", SET_NULL: "set null", PROTECT: "restrict" }

const JSON_TYPES = { struct: "{ source: string; version: number }", array: "string[]" }

const literal = (v) => (typeof v === "bigint" ? `${v}n` : JSON.stringify(v))

/** The column builder of a scalar field, without its modifiers. */
const columnType = (field) => {
  const col = JSON.stringify(snake(field.name))
  switch (field.kind) {
    case "Char":
      return field.choices
        ? `varchar(${col}, { length: ${field.maxLength}, enum: ${JSON.stringify(field.choices)} })`
        : `varchar(${col}, { length: ${field.maxLength} })`
    case "Text":
      return `text(${col})`
    case "Integer":
      return field.choices ? `integer(${col}).$type<${field.choices.join(" | ")}>()` : `integer(${col})`
    case "BigInteger":
      return `bigint(${col}, { mode: "bigint" })`
    case "Decimal":
      return `numeric(${col}, { precision: ${field.maxDigits}, scale: ${field.decimalPlaces} })`
    case "Boolean":
      return `boolean(${col})`
    case "Date":
      return `date(${col})`
    case "DateTime":
      return `timestamp(${col}, { withTimezone: true })`
    case "JSON":
      return `jsonb(${col}).$type<${JSON_TYPES[field.json]}>()`
  }
  throw new Error(`no Drizzle column for ${field.kind}`)
}

/** NOT NULL, defaults and unique, as the effect-orm field declares them. */
const modifiers = (field) => {
  let out = field.nullable ? "" : ".notNull()"
  if (field.default === "emptyArray") out += ".$defaultFn(() => [])"
  else if (field.default !== undefined) out += `.default(${literal(field.default)})`
  if (field.unique) out += ".unique()"
  return out
}

/**
 * A foreign key column. A key closing a cycle has its thunk annotated (`(): AnyPgColumn => order.id`), as Drizzle's
 * docs ask for self-references: without it the table's type refers to itself.
 */
const keyColumn = (schema, fk) => {
  const target = modelOf(schema, fk.target)
  const ref = fk.cycle ? `(): AnyPgColumn => ${target.varName}.id` : `() => ${target.varName}.id`
  return `integer("${snake(fk.name)}_id")${fk.nullable ? "" : ".notNull()"}.references(${ref}, { onDelete: "${ON_DELETE[fk.onDelete]}" })`
}

const renderTable = (schema, model) => {
  const columns = [
    'id: serial("id").primaryKey()',
    ...model.scalars.map((f) => `${f.name}: ${columnType(f)}${modifiers(f)}`),
    ...model.fks.map((fk) => `${fk.name}Id: ${keyColumn(schema, fk)}`)
  ]
  return `export const ${model.varName} = pgTable("${model.table}", {\n  ${columns.join(",\n  ")}\n})\n`
}

const renderJunctionTable = (j) => `export const ${j.varName} = pgTable("${j.table}", {
  id: serial("id").primaryKey(),
  ${j.sourceKey}: integer("${snake(j.sourceKey)}").notNull().references(() => ${j.source.varName}.id, { onDelete: "cascade" }),
  ${j.targetKey}: integer("${snake(j.targetKey)}").notNull().references(() => ${j.target.varName}.id, { onDelete: "cascade" })
}, (t) => [unique().on(t.${j.sourceKey}, t.${j.targetKey})])
`

/** The relation name shared by a key's `one` and its reverse `many`. */
export const keyRelationName = (source, fieldName) => `${source.varName}_${fieldName}`

/**
 * A model's relations: `one` per foreign key (the audit key too), `many` to the join table per many-to-many, and
 * `many` per declared reverse side (the effect-orm `Field.Reverse`s), through the join table for a many-to-many.
 */
const renderRelations = (schema, model) => {
  const entries = model.fks.map((fk) => {
    const target = modelOf(schema, fk.target)
    return `${fk.name}: one(${target.varName}, { fields: [${model.varName}.${fk.name}Id], references: [${target.varName}.id], relationName: "${keyRelationName(model, fk.name)}" })`
  })
  for (const m2m of model.m2ms) {
    const j = junctionOf(schema, model, m2m)
    entries.push(`${m2m.name}: many(${j.varName}, { relationName: "${j.varName}_source" })`)
  }
  for (const r of model.reverses) {
    const source = modelOf(schema, r.source)
    if (r.viaM2M) {
      const j = junctionOf(schema, source, source.m2ms.find((m) => m.name === r.field))
      entries.push(`${r.name}: many(${j.varName}, { relationName: "${j.varName}_target" })`)
    } else {
      entries.push(`${r.name}: many(${source.varName}, { relationName: "${keyRelationName(source, r.field)}" })`)
    }
  }
  if (entries.length === 0) return ""
  const helpers = [entries.some((e) => e.includes(": one(")) && "one", entries.some((e) => e.includes(": many(")) && "many"].filter(Boolean)
  return `export const ${model.varName}Relations = relations(${model.varName}, ({ ${helpers.join(", ")} }) => ({\n  ${entries.join(",\n  ")}\n}))\n`
}

const renderJunctionRelations = (j) => `export const ${j.varName}Relations = relations(${j.varName}, ({ one }) => ({
  ${j.source.varName}: one(${j.source.varName}, { fields: [${j.varName}.${j.sourceKey}], references: [${j.source.varName}.id], relationName: "${j.varName}_source" }),
  ${j.target.varName}: one(${j.target.varName}, { fields: [${j.varName}.${j.targetKey}], references: [${j.target.varName}.id], relationName: "${j.varName}_target" })
}))
`

/** Every join table of the schema. */
export const junctions = (schema) => schema.models.flatMap((m) => m.m2ms.map((m2m) => junctionOf(schema, m, m2m)))

/** `schema.ts`: the tables, the join tables, then the relations. */
export const renderSchema = (schema) =>
  [
    'import { relations } from "drizzle-orm"',
    "import {",
    "  type AnyPgColumn, bigint, boolean, date, integer, jsonb, numeric, pgTable, serial, text, timestamp, unique, varchar",
    '} from "drizzle-orm/pg-core"',
    "",
    ...schema.models.map((m) => renderTable(schema, m)),
    ...junctions(schema).map(renderJunctionTable),
    ...schema.models.map((m) => renderRelations(schema, m)).filter(Boolean),
    ...junctions(schema).map(renderJunctionRelations)
  ].join("\n")

/** `db.ts`: a database typed by the schema, as `drizzle(client, { schema })` gives it; declared only. */
export const renderDb = () => `import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core"
import type * as schema from "./schema.js"

export declare const db: PgDatabase<PgQueryResultHKT, typeof schema>
`
