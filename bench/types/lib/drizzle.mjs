// Renders the queries as Drizzle 0.45 code, equivalent to the effect-orm ones: lookups across relations and
// projections through joins of the SQL-like builder (`db.select().from().innerJoin().where()`), loading related rows
// through the relational query builder (`db.query.x.findMany({ with, where, orderBy, columns })`), writes through
// `insert().values()` and `update().set()`.
import { AUDIT_FIELD, modelOf, upperFirst } from "./schema.mjs"
import { junctionOf, renderDb, renderSchema } from "./drizzle-schema.mjs"

/** `helpers.ts`: reads a query's result as `await` would (Drizzle's builders are thenables); declared only. */
export const renderHelpers = () => `export declare function awaited<R>(query: PromiseLike<R>): R
`

/** A value in Drizzle's spelling: numerics are strings, timestamps `Date`s. */
const value = (v) => {
  switch (v.t) {
    case "bigint":
      return `${v.v}n`
    case "decimal":
      return JSON.stringify(v.v)
    case "datetime":
      return 'new Date("2024-03-01T00:00:00Z")'
    default:
      return JSON.stringify(v.v)
  }
}

/** One condition on the column `col` (`book.pages`, or an alias's column), with Drizzle's operators. */
const condition = (c, col) => {
  switch (c.op) {
    case "exact":
      return `eq(${col}, ${value(c.value)})`
    case "in":
      return `inArray(${col}, [${c.values.map(value).join(", ")}])`
    case "range":
      return `between(${col}, ${c.values.map(value).join(", ")})`
    case "iStartsWith":
      return `ilike(${col}, "${c.value.v}%")`
    case "icontains":
      return `ilike(${col}, "%${c.value.v}%")`
    case "isNull":
      return c.value.v ? `isNull(${col})` : `isNotNull(${col})`
    case "year":
      return `sql\`extract(year from \${${col}}) ${c.yearOp === "exact" ? "=" : ">="} \${${c.year}}\``
    default:
      return `${c.op}(${col}, ${value(c.value)})`
  }
}

const all = (parts) => (parts.length === 1 ? parts[0] : `and(${parts.join(", ")})`)

/**
 * The joins a select needs for `paths` from `root`: one per relation (two through a join table), each table under
 * its own name or, when the query already uses it, an `alias(...)`. `refOf(path)` names the table a path ends on.
 */
const planJoins = (schema, root, paths, { inner }) => {
  const used = new Set([root.varName])
  const aliases = []
  const joins = []
  const refs = new Map([["", root.varName]])
  const tableRef = (varName) => {
    if (!used.has(varName)) return used.add(varName), varName
    let n = 2
    while (used.has(`${varName}${n}`)) n++
    const name = `${varName}${n}`
    used.add(name)
    aliases.push(`const ${name} = alias(${varName}, "${name}")`)
    return name
  }
  for (const path of paths) {
    let key = ""
    let model = root
    let optional = false
    for (const hop of path) {
      const parent = refs.get(key)
      key = key ? `${key}.${hop.name}` : hop.name
      const target = modelOf(schema, hop.target)
      optional ||= hop.many || hop.nullable
      const how = inner || !optional ? "innerJoin" : "leftJoin"
      if (!refs.has(key)) {
        if (hop.kind === "fk" || hop.kind === "reverse") {
          const t = tableRef(target.varName)
          const on = hop.kind === "fk" ? `eq(${parent}.${hop.name}Id, ${t}.id)` : `eq(${t}.${hop.field}Id, ${parent}.id)`
          joins.push(`.${how}(${t}, ${on})`)
          refs.set(key, t)
        } else {
          const source = hop.kind === "m2m" ? model : target
          const j = junctionOf(schema, source, hop.m2m)
          const [nearKey, farKey] = hop.kind === "m2m" ? [j.sourceKey, j.targetKey] : [j.targetKey, j.sourceKey]
          const jt = tableRef(j.varName)
          const t = tableRef(target.varName)
          joins.push(`.${how}(${jt}, eq(${jt}.${nearKey}, ${parent}.id))`, `.${how}(${t}, eq(${jt}.${farKey}, ${t}.id))`)
          refs.set(key, t)
        }
      }
      model = target
    }
  }
  const refOf = (path) => refs.get(path.map((h) => h.name).join("."))
  return { aliases, joins: joins.join(""), refOf }
}

/** Every table and join table a query names, for its file's imports. */
const tablesOf = (schema, root, paths) => {
  const names = new Set([root.varName])
  for (const path of paths) {
    let model = root
    for (const hop of path) {
      const target = modelOf(schema, hop.target)
      if (hop.kind === "m2m" || hop.kind === "m2mReverse") names.add(junctionOf(schema, hop.kind === "m2m" ? model : target, hop.m2m).varName)
      names.add(target.varName)
      model = target
    }
  }
  return names
}

/** A query whose tables need aliases becomes a block that declares them first. */
const withAliases = (aliases, expr) => (aliases.length === 0 ? expr : `(() => {\n  ${aliases.join("\n  ")}\n  return ${expr}\n})()`)

const ordering = (o, ref) => `${o.desc ? "desc" : "asc"}(${ref}.${o.field.name})`

/** The query's conditions as one expression (negated for an exclude), or undefined without any. */
const whereExpr = (q, plan) => {
  if (q.conds.length === 0) return undefined
  const parts = q.conds.map((c) => condition(c, `${plan.refOf(c.path)}.${c.field.name}`))
  if (q.kind !== "exclude") return all(parts)
  // `and(...)` may be undefined (no conditions); `not` wants a condition.
  return parts.length === 1 ? `not(${parts[0]})` : `not(${all(parts)}!)`
}

const whereOf = (q, plan) => (q.conds.length === 0 ? "" : `.where(${whereExpr(q, plan)})`)

/** A select through joins: the filters, excludes and orderings that cross relations. */
const selectQuery = (schema, q, root, file) => {
  const paths = [...q.conds.map((c) => c.path), ...q.order.map((o) => o.path)]
  const plan = planJoins(schema, root, paths, { inner: q.kind !== "orderBy" })
  file.tables(tablesOf(schema, root, paths))
  let expr = `db.select().from(${root.varName})${plan.joins}${whereOf(q, plan)}`
  if (q.order.length > 0) expr += `.orderBy(${q.order.map((o) => ordering(o, plan.refOf(o.path))).join(", ")})`
  if (q.limit !== undefined) expr += `.limit(${q.limit})`
  return withAliases(plan.aliases, `awaited(${expr})[0]?.${root.table}.name`)
}

/** `values`/`valuesList` through joins: `db.select({ name: book.name, publisherCountryName: country.name })`. */
const projectionSelect = (schema, q, root, file) => {
  const plan = planJoins(schema, root, [...q.columns.map((c) => c.path), ...q.conds.map((c) => c.path)], { inner: false })
  file.tables(tablesOf(schema, root, q.columns.map((c) => c.path)))
  const key = (c) => [...c.path.map((h) => h.name), c.field.name].map((s, i) => (i === 0 ? s : upperFirst(s))).join("")
  const fields = q.columns.map((c) => `${key(c)}: ${plan.refOf(c.path)}.${c.field.name}`).join(", ")
  const expr = `db.select({ ${fields} }).from(${root.varName})${plan.joins}${whereOf(q, plan)}`
  return withAliases(plan.aliases, `awaited(${expr})[0]?.${key(q.columns.at(-1))}`)
}

const rootPlan = (root) => ({ refOf: (path) => (path.length === 0 ? root.varName : undefined), aliases: [], joins: "" })

/** `findMany` options: `columns`, `where`, `orderBy`, `limit`, `with` as the query has them. */
const findManyOptions = (q, root, { columns, withTree } = {}) => {
  const options = []
  if (columns) options.push(`columns: { ${columns.map((c) => `${c}: true`).join(", ")} }`)
  if (q.conds.length > 0) options.push(`where: ${whereExpr(q, rootPlan(root))}`)
  if (q.order.length > 0) options.push(`orderBy: [${q.order.map((o) => ordering(o, root.varName)).join(", ")}]`)
  if (q.limit !== undefined) options.push(`limit: ${q.limit}`)
  if (withTree) options.push(`with: ${withTree}`)
  return options.length > 0 ? `{ ${options.join(", ")} }` : ""
}

/** The `with` tree of relation paths: a many-to-many goes through its join table's relation to the other side. */
const withTreeOf = (schema, root, paths, custom) => {
  const tree = new Map()
  for (const path of paths) {
    let node = tree
    for (const hop of path) {
      const step = (name) => {
        if (!node.has(name)) node.set(name, new Map())
        node = node.get(name)
      }
      step(hop.name)
      if (hop.kind === "m2m") step(modelOf(schema, hop.target).varName)
      if (hop.kind === "m2mReverse") step(modelOf(schema, hop.target).varName)
    }
  }
  const render = (node, depth) =>
    `{ ${[...node].map(([name, child]) => {
      const extra = depth === 0 && custom && name === paths[0][0].name ? custom : ""
      if (child.size === 0 && !extra) return `${name}: true`
      return `${name}: { ${[extra, child.size > 0 ? `with: ${render(child, depth + 1)}` : ""].filter(Boolean).join(", ")} }`
    }).join(", ")} }`
  return render(tree, 0)
}

/** Reads a loaded path on a row: a many-to-many level reads the join row's related row. */
const readPath = (schema, path) =>
  path.map((h) => {
    if (h.kind === "fk") return `?.${h.name}`
    if (h.kind === "reverse") return `?.${h.name}[0]`
    return `?.${h.name}[0]?.${modelOf(schema, h.target).varName}`
  }).join("")

const findMany = (root, options) => `db.query.${root.varName}.findMany(${options})`

/** `with` for `selectRelated` and `prefetchRelated`, a `Prefetch`'s QuerySet as the relation's where and orderBy. */
const relatedQuery = (schema, q, root, file) => {
  file.tables(tablesOf(schema, root, []))
  let custom
  if (q.custom) {
    const target = modelOf(schema, q.paths[0][0].target)
    file.tables([target.varName])
    custom = `where: ${condition(q.custom.cond, `${target.varName}.${q.custom.cond.field.name}`)}, orderBy: [desc(${target.varName}.${q.custom.order.field.name})]`
  }
  const withTree = withTreeOf(schema, root, q.paths, custom)
  const path = q.kind === "selectRelated" ? q.paths.reduce((a, b) => (b.length > a.length ? b : a)) : q.paths[0]
  return `awaited(${findMany(root, findManyOptions(q, root, { withTree }))})[0]${readPath(schema, path)}?.name`
}

const createQuery = (schema, q, root, file) => {
  file.tables([root.varName])
  const entries = q.data.map((d) => `${d.field.name}: ${value(d.value)}`)
  for (const k of q.keys) entries.push(`${k.fk.name}Id: ${k.byInstance ? `${file.row(modelOf(schema, k.fk.target))}.id` : k.id}`)
  if (root.fks.some((fk) => fk.audit)) entries.push(`${AUDIT_FIELD}Id: ${file.row(modelOf(schema, "User"))}.id`)
  return `awaited(db.insert(${root.varName}).values({ ${entries.join(", ")} }).returning())[0]?.id`
}

const OPERATORS = { add: "+", sub: "-", mul: "*" }

/** `sql\`${book.quantity} + ${2}\``: Drizzle's spelling of `F("quantity").add(2)`. */
const sqlExpr = (root, field, e) =>
  `sql\`\${${root.varName}.${field.name}} ${OPERATORS[e.op]} \${${e.ref ? `${root.varName}.${e.ref.name}` : value(e.operand)}}\``

const updateQuery = (schema, q, root, file) => {
  file.tables([root.varName])
  const entries = q.sets.map((s) => `${s.field.name}: ${s.expr ? sqlExpr(root, s.field, s.expr) : value(s.value)}`)
  if (q.key) entries.push(`${q.key.fk.name}Id: ${q.key.id}`)
  return `awaited(db.update(${root.varName}).set({ ${entries.join(", ")} })${whereOf(q, rootPlan(root))})`
}

const AGGREGATES = { count: "count", sum: "sum", avg: "avg", min: "min", max: "max" }

const aggregateQuery = (schema, q, root, file) => {
  const plan = planJoins(schema, root, q.conds.map((c) => c.path), { inner: true })
  file.tables(tablesOf(schema, root, q.conds.map((c) => c.path)))
  const fields = q.aggs.map((a) => {
    if (!a.field) return `${a.name}: count()`
    const col = `${root.varName}.${a.field.name}`
    return `${a.name}: ${a.distinct ? "countDistinct" : AGGREGATES[a.fn]}(${col})`
  })
  const expr = `db.select({ ${fields.join(", ")} }).from(${root.varName})${plan.joins}${whereOf(q, plan)}`
  return withAliases(plan.aliases, `awaited(${expr})[0]?.${q.aggs.at(-1).name}`)
}

const ownOnly = (paths) => paths.every((p) => p.length === 0)

/** One query as a Drizzle expression that reads its result, through the builder an application would use. */
const queryExpr = (schema, q, file) => {
  const root = modelOf(schema, q.model)
  switch (q.kind) {
    case "filter":
      return selectQuery(schema, q, root, file)
    case "exclude":
    case "orderBy":
      if (!ownOnly([...q.conds.map((c) => c.path), ...q.order.map((o) => o.path)])) return selectQuery(schema, q, root, file)
      file.tables([root.varName])
      return `awaited(${findMany(root, findManyOptions(q, root))})[0]?.name`
    case "values":
    case "valuesList":
      if (!ownOnly(q.columns.map((c) => c.path))) return projectionSelect(schema, q, root, file)
      file.tables([root.varName])
      return `awaited(${findMany(root, findManyOptions(q, root, { columns: q.columns.map((c) => c.field.name) }))})[0]?.${q.columns.at(-1).field.name}`
    case "selectRelated":
    case "prefetchRelated":
      return relatedQuery(schema, q, root, file)
    case "create":
      return createQuery(schema, q, root, file)
    case "update":
      return updateQuery(schema, q, root, file)
    case "aggregate":
      return aggregateQuery(schema, q, root, file)
  }
  throw new Error(`unknown query kind ${q.kind}`)
}

/** What a query file imports and declares: the tables it names and one selected row per table used as a key. */
const fileContext = () => {
  const tables = new Set()
  const rows = new Set()
  return {
    tables: (names) => { for (const n of names) tables.add(n) },
    row: (model) => {
      tables.add(model.varName)
      rows.add(model.varName)
      return `${model.varName}Row`
    },
    imports: () => [...tables].sort(),
    declarations: () => [...rows].sort().map((t) => `declare const ${t}Row: typeof ${t}.$inferSelect`)
  }
}

export const renderQueryFile = (schema, queries) => {
  const file = fileContext()
  const body = queries.map((q) => `export const q${q.id} = ${queryExpr(schema, q, file)}`)
  return [
    "import {",
    "  and, asc, avg, between, count, countDistinct, desc, eq, gt, gte, ilike, inArray, isNotNull, isNull, lt, lte, max, min,",
    "  not, sql, sum",
    '} from "drizzle-orm"',
    'import { alias } from "drizzle-orm/pg-core"',
    'import { db } from "../db.js"',
    'import { awaited } from "../helpers.js"',
    `import { ${file.imports().join(", ")} } from "../schema.js"`,
    "",
    ...file.declarations(),
    "",
    ...body,
    ""
  ].join("\n")
}

/** Every file of the project, by path: the schema, the database, the helpers and the queries in files of `perFile`. */
export const renderProject = (schema, queries, { perFile = 100 } = {}) => {
  const files = { "schema.ts": renderSchema(schema), "db.ts": renderDb(), "helpers.ts": renderHelpers() }
  for (let i = 0; i < queries.length; i += perFile) {
    files[`queries/q${String(i / perFile).padStart(2, "0")}.ts`] = renderQueryFile(schema, queries.slice(i, i + perFile))
  }
  return files
}
