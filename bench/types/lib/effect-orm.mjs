// Renders a schema and its queries as an effect-orm project: `models.ts` (one `Model.Class` per model),
// `helpers.ts` and the query files. The ORM is imported as "effect-orm", which the project's tsconfig maps to the
// repository's src/, so that changes to the ORM's types are measured without a build.
import { AUDIT_FIELD, modelOf } from "./schema.mjs"

/** The JSON fields' schemas, shared by every model. */
const JSON_SCHEMAS = {
  struct: "Metadata",
  array: "Labels"
}

const literal = (v) => (typeof v === "bigint" ? `${v}n` : JSON.stringify(v))

/** A field's default as effect-orm takes it: a value, or a function for a fresh empty array. */
const defaultOf = (field) => (field.default === "emptyArray" ? "() => []" : literal(field.default))

/** `Field.Char({ maxLength: 20, unique: true })`, and so on for every scalar kind. */
const scalarField = (field) => {
  const options = []
  if (field.maxLength !== undefined) options.push(`maxLength: ${field.maxLength}`)
  if (field.maxDigits !== undefined) options.push(`maxDigits: ${field.maxDigits}`, `decimalPlaces: ${field.decimalPlaces}`)
  if (field.choices) options.push(`choices: ${JSON.stringify(field.choices)}`)
  if (field.nullable) options.push("nullable: true")
  if (field.default !== undefined) options.push(`default: ${defaultOf(field)}`)
  if (field.unique) options.push("unique: true")
  const object = options.length > 0 ? `{ ${options.join(", ")} }` : ""
  if (field.kind === "JSON") return `Field.JSON(${JSON_SCHEMAS[field.json]}${object ? `, ${object}` : ""})`
  return `Field.${field.kind}(${object})`
}

/**
 * The thunk of a relation. A key that closes a cycle needs its thunk annotated; `cycleRef` says how: "docs"
 * (`Model.Ref<Order>`, the docs' form) or "key" (`Model.Ref<Order, number>`, the key's type given too).
 */
const thunk = (target, annotate, cycleRef) => {
  if (!annotate) return `() => ${target}`
  return cycleRef === "docs" ? `(): Model.Ref<${target}> => ${target}` : `(): Model.Ref<${target}, number> => ${target}`
}

const foreignKey = (fk, cycleRef) => {
  const options = [`onDelete: "${fk.onDelete}"`]
  if (fk.nullable) options.push("nullable: true")
  options.push(`relatedName: "${fk.relatedName}"`)
  return `Field.ForeignKey(${thunk(fk.target, fk.cycle, cycleRef)}, { ${options.join(", ")} })`
}

/** A model's options: a default ordering on about half the models, as applications give them. */
const modelOptions = (model) => {
  if (model.index % 2 === 1) return ""
  const newest = model.scalars.some((f) => f.name === "createdAt")
  return `, { ordering: [${newest ? '"-createdAt", ' : ""}"name"] }`
}

const renderModel = (model, cycleRef) => {
  const lines = [
    "  id: Field.AutoField(),",
    ...model.scalars.map((f) => `  ${f.name}: ${scalarField(f)},`),
    ...model.fks.map((fk) => `  ${fk.name}: ${foreignKey(fk, cycleRef)},`),
    ...model.m2ms.map((m) => `  ${m.name}: Field.ManyToMany(() => ${m.target}, { relatedName: "${m.relatedName}" }),`),
    // The declared reverse sides, annotated as the docs do (the annotation breaks the cycle with the key).
    ...model.reverses.map((r) => `  ${r.name}: Field.Reverse((): Model.Ref<${r.source}> => ${r.source}, "${r.field}"),`)
  ]
  return `export class ${model.name} extends Model.Class<${model.name}>("${model.name}")({\n${lines.join("\n").slice(0, -1)}\n}${modelOptions(model)}) {}\n`
}

/** `models.ts`: every model, in declaration order. */
export const renderModels = (schema, { cycleRef = "docs" } = {}) =>
  [
    'import { Schema } from "effect"',
    'import { Field, Model } from "effect-orm"',
    "",
    "const Metadata = Schema.Struct({ source: Schema.String, version: Schema.Number })",
    "const Labels = Schema.Array(Schema.String)",
    "",
    ...schema.models.map((m) => renderModel(m, cycleRef))
  ].join("\n")

/**
 * `helpers.ts`: what the queries use to read their results as an application would (`yield*` in a generator gives
 * the same types): the rows of a QuerySet, the value of an Effect. Declared only: nothing runs.
 */
export const renderHelpers = () => `import { BigDecimal, type DateTime, type Effect } from "effect"
import type { QuerySet } from "effect-orm"

export declare function rowsOf<R>(qs: QuerySet.QuerySet<any, any, R>): ReadonlyArray<R>
export declare function run<A>(effect: Effect.Effect<A, unknown, unknown>): A
export declare const now: DateTime.Utc
export const dec = BigDecimal.fromStringUnsafe
`

/** A value in effect-orm's spelling: decimals are `BigDecimal`s, timestamps `DateTime.Utc`s. */
const value = (v) => {
  switch (v.t) {
    case "bigint":
      return `${v.v}n`
    case "decimal":
      return `dec("${v.v}")`
    case "datetime":
      return "now"
    default:
      return JSON.stringify(v.v)
  }
}

/** The lookup of a condition: a bare value for an exact match, else a lookups object. */
const lookup = (c) => {
  switch (c.op) {
    case "exact":
      return value(c.value)
    case "in":
      return `{ in: [${c.values.map(value).join(", ")}] }`
    case "range":
      return `{ range: [${c.values.map(value).join(", ")}] }`
    case "year":
      return c.yearOp === "exact" ? `{ year: ${c.year} }` : `{ year: { gte: ${c.year} } }`
    default:
      return `{ ${c.op}: ${value(c.value)} }`
  }
}

/** Conditions as one nested filter object: `{ publisher: { country: { name: "x" } }, pages: { gt: 3 } }`. */
const filterObject = (conds) => {
  const root = new Map()
  for (const c of conds) {
    let node = root
    for (const hop of c.path) {
      if (!node.has(hop.name)) node.set(hop.name, new Map())
      node = node.get(hop.name)
    }
    node.set(c.field.name, lookup(c))
  }
  const render = (node) => `{ ${[...node].map(([k, v]) => `${k}: ${typeof v === "string" ? v : render(v)}`).join(", ")} }`
  return render(root)
}

const dotted = (c) => [...c.path.map((h) => h.name), c.field.name].join(".")

/** `.filter(...)` or `.exclude(...)`, `.orderBy(...)` and `.slice(...)`, as the query has them. */
const chain = (q) => {
  let out = ""
  if (q.conds.length > 0) out += `.${q.kind === "exclude" ? "exclude" : "filter"}(${filterObject(q.conds)})`
  if (q.order.length > 0) out += `.orderBy(${q.order.map((o) => JSON.stringify(`${o.desc ? "-" : ""}${dotted(o)}`)).join(", ")})`
  if (q.limit !== undefined) out += `.slice(0, ${q.limit})`
  return out
}

/** Reads a loaded relation path on a row: `?.publisher?.country` (a many-valued level reads its first row). */
const readPath = (path) => path.map((h) => (h.many ? `?.${h.name}[0]` : `?.${h.name}`)).join("")

/** The expression of a `create`: required columns, some optional ones, keys by value or instance. */
const createExpr = (schema, q, file) => {
  const model = modelOf(schema, q.model)
  const entries = q.data.map((d) => `${d.field.name}: ${value(d.value)}`)
  for (const k of q.keys) {
    entries.push(k.byInstance ? `${k.fk.name}: ${file.row(k.fk.target)}` : `${k.fk.name}Id: ${k.id}`)
  }
  if (model.fks.some((fk) => fk.audit)) entries.push(`${AUDIT_FIELD}: ${file.row("User")}`)
  return `run(${q.model}.objects.create({ ${entries.join(", ")} })).id`
}

/** `F("quantity").add(2)`, or over another field: `F("quantity").add(F("score"))`. */
const expr = (e) => `F("${e.fieldName}").${e.op}(${e.ref ? `F("${e.ref.name}")` : value(e.operand)})`

const updateExpr = (q) => {
  const entries = q.sets.map((s) => `${s.field.name}: ${s.expr ? expr({ ...s.expr, fieldName: s.field.name }) : value(s.value)}`)
  if (q.key) entries.push(`${q.key.fk.name}Id: ${q.key.id}`)
  return `run(${q.model}.objects${chain(q)}.update({ ${entries.join(", ")} }))`
}

const AGGREGATES = { count: "Count", sum: "Sum", avg: "Avg", min: "Min", max: "Max" }

const aggregateExpr = (q) => {
  const entries = q.aggs.map((a) => {
    const args = a.field ? `"${a.field.name}"${a.distinct ? ", { distinct: true }" : ""}` : ""
    return `${a.name}: ${AGGREGATES[a.fn]}(${args})`
  })
  return `run(${q.model}.objects${chain(q)}.aggregate({ ${entries.join(", ")} })).${q.aggs[q.aggs.length - 1].name}`
}

/** `prefetchRelated("books.authors")`, or `Prefetch("books", Book.objects.filter(...).orderBy(...))`. */
const prefetchArgs = (q, file) => {
  if (q.custom) {
    const hop = q.paths[0][0]
    file.model(hop.target)
    const sub = `${hop.target}.objects.filter(${filterObject([q.custom.cond])}).orderBy("-${q.custom.order.field.name}")`
    return `Prefetch("${hop.name}", ${sub})`
  }
  return q.paths.map((p) => JSON.stringify(p.map((h) => h.name).join("."))).join(", ")
}

/** One query as an expression that reads its result. */
const queryExpr = (schema, q, file) => {
  const base = `${q.model}.objects${chain(q)}`
  switch (q.kind) {
    case "filter":
    case "exclude":
    case "orderBy":
      return `rowsOf(${base})[0]?.name`
    case "values":
      return `rowsOf(${base}.values(${q.columns.map((c) => JSON.stringify(dotted(c))).join(", ")}))[0]?.[${JSON.stringify(dotted(q.columns.at(-1)))}]`
    case "valuesList": {
      const fields = q.columns.map((c) => JSON.stringify(dotted(c))).join(", ")
      return q.flat
        ? `rowsOf(${base}.valuesList(${fields}, { flat: true }))[0]`
        : `rowsOf(${base}.valuesList(${fields}))[0]?.[${q.columns.length - 1}]`
    }
    case "selectRelated": {
      const deepest = q.paths.reduce((a, b) => (b.length > a.length ? b : a))
      return `rowsOf(${base}.selectRelated(${q.paths.map((p) => JSON.stringify(p.map((h) => h.name).join("."))).join(", ")}))[0]${readPath(deepest)}?.name`
    }
    case "prefetchRelated":
      return `rowsOf(${base}.prefetchRelated(${prefetchArgs(q, file)}))[0]${readPath(q.paths[0])}?.name`
    case "create":
      return createExpr(schema, q, file)
    case "update":
      return updateExpr(q)
    case "aggregate":
      return aggregateExpr(q)
  }
  throw new Error(`unknown query kind ${q.kind}`)
}

/** What a query file imports and declares: the models it names and one instance per model used as a key value. */
const fileContext = () => {
  const models = new Set()
  const rows = new Set()
  return {
    models,
    rows,
    model: (name) => models.add(name),
    row: (name) => {
      models.add(name)
      rows.add(name)
      return `${name[0].toLowerCase()}${name.slice(1)}Row`
    }
  }
}

/** A query file: its imports, the instances it uses, and one exported constant per query. */
export const renderQueryFile = (schema, queries) => {
  const file = fileContext()
  const body = queries.map((q) => {
    file.model(q.model)
    return `export const q${q.id} = ${queryExpr(schema, q, file)}`
  })
  return [
    'import { Avg, Count, F, Max, Min, Prefetch, Sum } from "effect-orm"',
    'import { dec, now, rowsOf, run } from "../helpers.js"',
    `import { ${[...file.models].sort().join(", ")} } from "../models.js"`,
    "",
    ...[...file.rows].sort().map((m) => `declare const ${m[0].toLowerCase()}${m.slice(1)}Row: ${m}`),
    "",
    ...body,
    ""
  ].join("\n")
}

/** Every file of the project, by path: the models, the helpers and the queries in files of `perFile`. */
export const renderProject = (schema, queries, { perFile = 100, cycleRef = "key" } = {}) => {
  const files = { "models.ts": renderModels(schema, { cycleRef }), "helpers.ts": renderHelpers() }
  for (let i = 0; i < queries.length; i += perFile) {
    files[`queries/q${String(i / perFile).padStart(2, "0")}.ts`] = renderQueryFile(schema, queries.slice(i, i + perFile))
  }
  return files
}
