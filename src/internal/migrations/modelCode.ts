/**
 * Model code from a schema state (`inspectdb`): a TypeScript module declaring one model class per table, with every
 * option needed for `State.fromModels` of its models to give the state back. Automatic join models become the
 * `ManyToMany` fields of their source models. What the model API cannot express is written as comments: the
 * warnings of `introspect` next to their table or column, checks the filters cannot express, and indexes whose
 * expressions or condition the ORM's functions and filters cannot write (`introspectIndexes.ts`).
 * @internal
 */
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import * as Field from "../../Field.js"
import { literal } from "../compiler.js"
import { derivedName, lowerFirst, snakeCase } from "../names.js"
import type { Warning } from "./introspect.js"
import { checkFilter, type CodeNeeds, filterCode, propertyKey } from "./introspectChecks.js"
import { indexCode } from "./introspectIndexes.js"
import { derivedIndexName } from "./names.js"
import { createIndex } from "./sql.js"
import type { FieldState, ModelState, SchemaState } from "./state.js"

/** Options of `modelCode`. @internal */
export interface Options {
  /** The module the generated code imports `Field`, `Model`, `Q` and `F` from; `"effect-orm"` by default. */
  readonly importFrom?: string | undefined
  /** Warnings of `introspect`, written as comments next to their model or field. */
  readonly warnings?: ReadonlyArray<Warning> | undefined
  /** A comment for the top of the module. */
  readonly header?: string | undefined
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const RESERVED = new Set([
  "Field", "Model", "Q", "F", "BigDecimal", "DateTime", "Duration", "Schema", "models",
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum", "export",
  "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null", "return", "super",
  "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "let", "static", "yield", "await"
])

const comment = (text: string) => `// ${text.replace(/[\r\n]+/g, " ")}`

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

/** The class identifier of each model: its name when that is an identifier, else a cleaned, unique one. */
const classNames = (models: ReadonlyArray<ModelState>): Map<string, string> => {
  const taken = new Set<string>()
  const names = new Map<string, string>()
  for (const model of models) {
    let name = model.name.replace(/[^A-Za-z0-9_$]/g, "_")
    if (!IDENTIFIER.test(name)) name = `_${name}`
    if (RESERVED.has(name)) name = `${name}Model`
    let unique = name
    for (let i = 2; taken.has(unique); i++) unique = `${name}${i}`
    taken.add(unique)
    names.set(model.name, unique)
  }
  return names
}

/** Models ordered so that the targets of foreign keys come first where they can (cycles keep the given order). */
const ordered = (models: ReadonlyArray<ModelState>): ReadonlyArray<ModelState> => {
  const byName = new Map(models.map((m) => [m.name, m]))
  const done = new Set<string>()
  const visiting = new Set<string>()
  const out: Array<ModelState> = []
  const visit = (model: ModelState) => {
    if (done.has(model.name) || visiting.has(model.name)) return
    visiting.add(model.name)
    for (const f of Object.values(model.fields)) {
      const target = f.references === undefined ? undefined : byName.get(f.references.model)
      if (target !== undefined && target !== model) visit(target)
    }
    visiting.delete(model.name)
    done.add(model.name)
    out.push(model)
  }
  models.forEach(visit)
  return out
}

/** The TypeScript type of a key of `kind`, for `Model.Ref<T, K>`; `undefined` when the type is not a primitive. */
const keyType = (kind: Field.FieldKind): string | undefined => {
  switch (kind) {
    case "AutoField":
    case "Integer":
    case "SmallInteger":
    case "Float":
      return "number"
    case "BigAutoField":
    case "BigInteger":
      return "bigint"
    case "Char":
    case "Text":
    case "UUID":
    case "Date":
    case "Time":
      return "string"
    default:
      return undefined
  }
}

/** Reads an SQL literal the ORM wrote (`NULL`, `TRUE`, a number, a quoted string). */
const readLiteral = (sql: string): string | number | boolean | null | undefined => {
  if (sql === "NULL") return null
  if (sql === "TRUE" || sql === "FALSE") return sql === "TRUE"
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(sql)) return Number(sql)
  if (sql.startsWith("'") && sql.endsWith("'")) return sql.slice(1, -1).replace(/''/g, "'")
  return undefined
}

/** A field of `kind` for checking that a default's code gives the state's literal back. */
const probe = (kind: Field.FieldKind): Field.Any => {
  switch (kind) {
    case "BigAutoField":
    case "BigInteger":
      return Field.BigInteger()
    case "Decimal":
      return Field.Decimal({ maxDigits: 1000, decimalPlaces: 500 })
    case "DateTime":
      return Field.DateTime()
    case "Duration":
      return Field.Duration()
    case "Float":
      return Field.Float()
    case "JSON":
      return Field.JSON(Schema.Unknown)
    default:
      return Field.Text()
  }
}

/**
 * The code and the value of a default, from the SQL literal the state holds, or `undefined` when the literal cannot be
 * written back as a value of the field (the code is then checked to give the same literal).
 */
const defaultCode = (sql: string, kind: Field.FieldKind, needs: Needs): string | undefined => {
  const raw = readLiteral(sql)
  if (raw === undefined) return undefined
  if (raw === null) return "null"
  let code: string
  let value: unknown
  const text = String(raw)
  try {
    switch (kind) {
      case "BigAutoField":
      case "BigInteger":
        value = BigInt(text)
        code = `${text}n`
        break
      case "Decimal":
        value = BigDecimal.fromStringUnsafe(text)
        code = `BigDecimal.fromStringUnsafe(${JSON.stringify(text)})`
        needs.bigDecimal = true
        break
      case "DateTime": {
        const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d:\d\d:\d\d\.\d{3})\+00$/.exec(text)
        if (m === null) return undefined
        const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}Z`
        value = DateTime.makeUnsafe(iso)
        code = `DateTime.makeUnsafe(${JSON.stringify(iso)})`
        needs.dateTime = true
        break
      }
      case "Duration": {
        const m = /^(-?\d+) microseconds$/.exec(text)
        if (m === null) return undefined
        value = Duration.micros(BigInt(m[1]!))
        code = `Duration.micros(${m[1]}n)`
        needs.duration = true
        break
      }
      case "JSON":
        value = JSON.parse(text)
        code = JSON.stringify(value)
        break
      case "Float":
        value = text === "-0" ? -0 : Number(text)
        code = text === "-0" ? "-0" : String(value)
        break
      case "Integer":
      case "SmallInteger":
      case "AutoField":
        if (typeof raw !== "number") return undefined
        value = raw
        code = String(raw)
        break
      case "Boolean":
        if (typeof raw !== "boolean") return undefined
        value = raw
        code = String(raw)
        break
      default:
        if (typeof raw !== "string") return undefined
        value = raw
        code = JSON.stringify(raw)
    }
    const field = probe(kind)
    return literal(field.toDb(value)) === sql ? code : undefined
  } catch {
    return undefined
  }
}

interface Needs extends CodeNeeds {
  schema?: boolean
}

const options = (entries: ReadonlyArray<readonly [string, string | undefined]>): string => {
  const present = entries.filter(([, v]) => v !== undefined)
  return present.length === 0 ? "" : `{ ${present.map(([k, v]) => `${k}: ${v}`).join(", ")} }`
}

const BUILDERS: Record<Field.FieldKind, string> = {
  AutoField: "AutoField",
  BigAutoField: "BigAutoField",
  Char: "Char",
  Text: "Text",
  Integer: "Integer",
  SmallInteger: "SmallInteger",
  BigInteger: "BigInteger",
  Float: "Float",
  Decimal: "Decimal",
  Boolean: "Boolean",
  Date: "Date",
  DateTime: "DateTime",
  Time: "Time",
  Duration: "Duration",
  UUID: "UUID",
  JSON: "JSON"
}

/**
 * The TypeScript source of a module declaring the models of `state` (automatic join models as `ManyToMany` fields),
 * importing from `options.importFrom` (`"effect-orm"`), and exporting them as `models` too.
 * @internal
 */
export const modelCode = (state: SchemaState, opts: Options = {}): string => {
  const all = Object.values(state.models)
  // Many-to-many fields of automatic join models, by source model; a join model that cannot be one is declared.
  const manyToMany = new Map<string, Array<{ field: string; target: string; dbTable: string | undefined }>>()
  const attached = new Set<string>()
  for (const join of all.filter((m) => m.autoCreated === true)) {
    const keys = Object.values(join.fields).filter((f) => f.references !== undefined)
    const source = keys[0] === undefined ? undefined : state.models[keys[0].references!.model]
    if (source === undefined || keys.length !== 2 || !join.name.startsWith(`${source.name}_`)) continue
    const field = join.name.slice(source.name.length + 1)
    if (field in source.fields) continue
    const dbTable = join.table === derivedName(`${source.table}_${snakeCase(field)}`) ? undefined : join.table
    manyToMany.set(source.name, [...(manyToMany.get(source.name) ?? []), { field, target: keys[1]!.references!.model, dbTable }])
    attached.add(join.name)
  }
  const declared = ordered(all.filter((m) => !attached.has(m.name)))
  const names = classNames(declared)
  const position = new Map(declared.map((m, i) => [m.name, i]))
  const needs: Needs = {}
  const warnings = opts.warnings ?? []
  const tables = new Set(all.map((m) => m.table))
  // A check kept as SQL gets a comment of its own, with the model's other constraints.
  const byTable = (table: string, column?: string) =>
    warnings.filter((w) => w.table === table && w.column === column && w.constraint === undefined).map((w) => comment(w.message))

  const thunk = (from: ModelState, target: string, withKey: boolean): string => {
    const cls = names.get(target) ?? target
    const at = position.get(target)
    if (at !== undefined && at < position.get(from.name)!) return `() => ${cls}`
    const targetModel = state.models[target]
    const pk = targetModel === undefined ? undefined : Object.values(targetModel.fields).find((f) => f.primaryKey)
    // A foreign key names its key's type too: TypeScript cannot compute it from a model not declared yet.
    const key = withKey && pk !== undefined ? keyType(pk.kind) : undefined
    return `(): Model.Ref<${cls}${key === undefined ? "" : `, ${key}`}> => ${cls}`
  }

  const fieldCode = (model: ModelState, key: string, f: FieldState): { name: string; code: string; notes: Array<string> } => {
    const notes: Array<string> = []
    const dflt = (kind: Field.FieldKind) => {
      if (f.default === undefined) return undefined
      const code = defaultCode(f.default, kind, needs)
      if (code === undefined) notes.push(comment(`default ${f.default} cannot be written as a value of the field; left out`))
      return code
    }
    if (f.references !== undefined) {
      const ref = f.references
      const column = f.column === snakeCase(`${ref.relation}Id`) ? undefined : JSON.stringify(f.column)
      if (f.unique !== (ref.kind === "OneToOne") || f.index !== (ref.kind === "ForeignKey")) {
        notes.push(comment(`the key column is ${f.unique ? "" : "not "}unique and ${f.index ? "" : "not "}indexed; a ${ref.kind} is ${ref.kind === "OneToOne" ? "unique" : "indexed"}`))
      }
      const code = `Field.${ref.kind}(${thunk(model, ref.model, true)}, ${
        options([
          ["onDelete", JSON.stringify(ref.onDelete)],
          ["relatedName", ref.relatedName === undefined ? undefined : JSON.stringify(ref.relatedName)],
          ["nullable", f.nullable ? "true" : undefined],
          ["dbColumn", column],
          ["default", dflt(f.kind)]
        ])
      })`
      return { name: ref.relation, code, notes }
    }
    const column = f.column === snakeCase(key) ? undefined : JSON.stringify(f.column)
    if (f.version === true) return { name: key, code: `Field.Version(${options([["dbColumn", column]])})`, notes }
    if (f.kind === "AutoField" || f.kind === "BigAutoField") {
      return { name: key, code: `Field.${f.kind}(${options([["dbColumn", column]])})`, notes }
    }
    const entries: Array<readonly [string, string | undefined]> = []
    if (f.kind === "Char") entries.push(["maxLength", String(f.maxLength)])
    if (f.kind === "Decimal") entries.push(["maxDigits", String(f.maxDigits)], ["decimalPlaces", String(f.decimalPlaces)])
    entries.push(
      ["primaryKey", f.primaryKey ? "true" : undefined],
      ["nullable", f.nullable ? "true" : undefined],
      ["unique", f.unique ? "true" : undefined],
      ["dbIndex", f.index ? "true" : undefined],
      ["dbColumn", column],
      ["choices", f.choices === undefined ? undefined : `[${f.choices.map((c) => JSON.stringify(c)).join(", ")}]`],
      ["default", dflt(f.kind)]
    )
    if (f.kind === "JSON") {
      needs.schema = true
      const rest = options(entries)
      return { name: key, code: `Field.JSON(Schema.Unknown${rest === "" ? "" : `, ${rest}`})`, notes }
    }
    return { name: key, code: `Field.${BUILDERS[f.kind]}(${options(entries)})`, notes }
  }

  const blocks: Array<string> = []
  for (const model of declared) {
    const cls = names.get(model.name)!
    const lines: Array<string> = [...byTable(model.table)]
    if (model.autoCreated === true) lines.push(comment("an automatic many-to-many join model that no model's field can name; declared as a model"))
    const keyOf = new Map(Object.entries(model.fields).map(([k, f]) => [f.column, k]))
    const fieldLines: Array<string> = []
    for (const [key, f] of Object.entries(model.fields)) {
      const { name, code, notes } = fieldCode(model, key, f)
      for (const note of [...byTable(model.table, f.column), ...notes]) fieldLines.push(`  ${note}`)
      fieldLines.push(`  ${propertyKey(name)}: ${code},`)
    }
    for (const m2m of manyToMany.get(model.name) ?? []) {
      const relations = Object.values(model.fields).filter((f) => f.references?.model === m2m.target).length +
        (manyToMany.get(model.name) ?? []).filter((x) => x.target === m2m.target).length
      const relatedName = relations > 1 ? JSON.stringify(`${lowerFirst(model.name)}${capitalize(m2m.field)}Set`) : undefined
      const rest = options([["relatedName", relatedName], ["dbTable", m2m.dbTable === undefined ? undefined : JSON.stringify(m2m.dbTable)]])
      fieldLines.push(`  ${propertyKey(m2m.field)}: Field.ManyToMany(${thunk(model, m2m.target, false)}${rest === "" ? "" : `, ${rest}`}),`)
    }
    if (fieldLines.length > 0) fieldLines[fieldLines.length - 1] = fieldLines[fieldLines.length - 1]!.replace(/,$/, "")

    const modelOptions: Array<string> = []
    if (model.table !== snakeCase(model.name)) modelOptions.push(`  table: ${JSON.stringify(model.table)}`)
    const fieldKey = (column: string) => JSON.stringify(keyOf.get(column) ?? column)
    const indexItems: Array<string> = []
    for (const index of model.indexes) {
      let code: ReturnType<typeof indexCode> = { expressions: undefined, where: undefined }
      if (index.expressions !== undefined || index.where !== undefined) {
        code = indexCode(model, index, needs)
        if (code === undefined) {
          lines.push(comment(`index ${index.name} (the ORM's expressions and filters cannot write it): ${createIndex(model.table, index)}`))
          continue
        }
      }
      const fields = index.columns.map((c) => (c.descending ? JSON.stringify(`-${keyOf.get(c.column) ?? c.column}`) : fieldKey(c.column)))
      const derived = index.expressions === undefined && index.name === derivedIndexName(model.table, index.columns)
      indexItems.push(`    ${
        options([
          ["fields", index.expressions === undefined ? `[${fields.join(", ")}]` : undefined],
          ["name", derived ? undefined : JSON.stringify(index.name)],
          ["expressions", code.expressions],
          ["unique", index.unique ? "true" : undefined],
          ["using", index.using === undefined ? undefined : JSON.stringify(index.using)],
          ["opclass", index.opclass === undefined ? undefined : JSON.stringify(index.opclass)],
          ["where", code.where]
        ])
      }`)
    }
    if (indexItems.length > 0) modelOptions.push(`  indexes: [\n${indexItems.join(",\n")}\n  ]`)
    const constraints: Array<string> = []
    for (const c of model.constraints) {
      if (c.kind === "unique") {
        constraints.push(`    { kind: "unique", fields: [${c.columns.map(fieldKey).join(", ")}], name: ${JSON.stringify(c.name)} }`)
        continue
      }
      const found = checkFilter(model, c.sql)
      if (found === undefined || found.sql !== c.sql) {
        lines.push(comment(`check constraint ${c.name}: ${c.sql} (not expressible; kept by migrations as RunSql)`))
        continue
      }
      // The check option's type takes a filter object; Q's combinators, which the ORM renders too, need a cast.
      const cast = found.filter.t === "obj" ? "" : " as any"
      constraints.push(`    { kind: "check", name: ${JSON.stringify(c.name)}, check: ${filterCode(found.filter, needs)}${cast} }`)
    }
    if (constraints.length > 0) modelOptions.push(`  constraints: [\n${constraints.join(",\n")}\n  ]`)
    lines.push(
      `export class ${cls} extends Model.Class<${cls}>(${JSON.stringify(model.name)})({`,
      ...fieldLines,
      modelOptions.length === 0 ? "}) {}" : `}, {\n${modelOptions.join(",\n")}\n}) {}`
    )
    blocks.push(lines.join("\n"))
  }

  const skipped = [...new Set(warnings.filter((w) => !tables.has(w.table)).map((w) => w.table))]
    .map((table) => comment(`table ${table}: ${warnings.filter((w) => w.table === table).map((w) => w.message).join("; ")}`))
  const from = JSON.stringify(opts.importFrom ?? "effect-orm")
  const imports = [
    needs.bigDecimal ? `import * as BigDecimal from "effect/BigDecimal"` : undefined,
    needs.dateTime ? `import * as DateTime from "effect/DateTime"` : undefined,
    needs.duration ? `import * as Duration from "effect/Duration"` : undefined,
    needs.schema ? `import * as Schema from "effect/Schema"` : undefined,
    `import { ${[needs.f ? "F" : "", "Field", "Model", needs.q ? "Q" : "", ...(needs.names ?? [])].filter((x) => x !== "").sort().join(", ")} } from ${from}`
  ].filter((x) => x !== undefined)
  const header = (opts.header ?? "Models read from the database by effect-orm inspectdb: review them before use.").replace(/\*\//g, "* /").split("\n").map((l) => ` * ${l}`.trimEnd())
  return [
    `/**\n${header.join("\n")}\n */`,
    imports.join("\n"),
    ...(skipped.length > 0 ? [skipped.join("\n")] : []),
    ...blocks,
    `/** Every model of this module. */\nexport const models = [${declared.map((m) => names.get(m.name)).join(", ")}] as const`
  ].join("\n\n") + "\n"
}
