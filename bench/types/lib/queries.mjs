// The queries both ORMs are generated from, as plain data: which model, which kind of query, which paths and values.
// They are drawn from the schema without the audit key, so that both variants check the same queries (only `create`
// gains the audit key where the schema requires it).
import { hopsOf, modelOf, upperFirst } from "./schema.mjs"
import { makeRandom } from "./random.mjs"

/** How the queries are spread over the kinds of query (weights, in percent). */
export const KIND_WEIGHTS = {
  filter: 24,
  exclude: 8,
  orderBy: 10,
  values: 12,
  valuesList: 8,
  selectRelated: 10,
  prefetchRelated: 8,
  create: 8,
  update: 7,
  aggregate: 5
}

const WORDS = ["acme", "north", "blue", "delta", "orion", "vega", "atlas", "nova"]

/** A value of `field`'s type, as data the renderers write in each ORM's spelling. */
const valueFor = (rng, field) => {
  if (field.choices) return { t: typeof field.choices[0] === "number" ? "number" : "string", v: rng.pick(field.choices) }
  switch (field.kind) {
    case "Char":
    case "Text":
      return { t: "string", v: rng.pick(WORDS) }
    case "Integer":
      return { t: "number", v: rng.int(1, 500) }
    case "BigInteger":
      return { t: "bigint", v: rng.int(1, 100000) }
    case "Decimal":
      return { t: "decimal", v: field.decimalPlaces === 4 ? `0.${rng.int(1000, 9999)}` : `${rng.int(1, 999)}.${rng.int(10, 99)}` }
    case "Boolean":
      return { t: "boolean", v: rng.chance(0.5) }
    case "Date":
      return { t: "date", v: `202${rng.int(0, 5)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}` }
    case "DateTime":
      return { t: "datetime" }
    case "JSON":
      return field.json === "array" ? { t: "json", v: [rng.pick(WORDS)] } : { t: "json", v: { source: rng.pick(WORDS), version: 1 } }
  }
  throw new Error(`no value for ${field.kind}`)
}

/** The lookups a condition on `field` may use, by field kind (effect-orm's names; Drizzle maps them). */
const LOOKUPS = {
  Char: ["exact", "exact", "iStartsWith", "icontains", "in"],
  Text: ["exact", "icontains", "iStartsWith"],
  Integer: ["exact", "gt", "gte", "lt", "range", "in"],
  BigInteger: ["gte", "exact"],
  Decimal: ["gt", "lte"],
  Boolean: ["exact"],
  Date: ["exact", "gte", "year"],
  DateTime: ["gte", "lt", "year"],
  JSON: ["isNull"]
}

/** A condition on `field`: a lookup and its value(s). */
const lookupFor = (rng, field) => {
  if (field.nullable && rng.chance(0.15)) return { op: "isNull", value: { t: "boolean", v: rng.chance(0.5) } }
  const op = field.choices ? rng.pick(["exact", "in"]) : rng.pick(LOOKUPS[field.kind])
  switch (op) {
    case "isNull":
      return { op, value: { t: "boolean", v: false } }
    case "in":
      return { op, values: [valueFor(rng, field), valueFor(rng, field)] }
    case "range": {
      const low = rng.int(1, 100)
      return { op, values: [{ t: "number", v: low }, { t: "number", v: low + rng.int(1, 400) }] }
    }
    case "year":
      return { op, year: 2018 + rng.int(0, 7), yearOp: rng.pick(["exact", "gte"]) }
    default:
      return { op, value: valueFor(rng, field) }
  }
}

/** Scalar fields conditions and orderings use (JSON fields only take `isNull`, so they are rarer). */
const conditionFields = (model) => model.scalars.filter((f) => f.kind !== "JSON")
const orderFields = (model) => model.scalars.filter((f) => f.kind !== "JSON" && f.kind !== "Boolean")

/**
 * A walk of `depth` relations from `model`: each hop a relation the types know (`single` keeps to forward keys,
 * which `selectRelated`, `orderBy` and `values` take). Stops early at a model with no relation of the kind.
 */
const walk = (rng, schema, model, depth, { single = false, firstMany = false } = {}) => {
  const path = []
  let current = model
  for (let i = 0; i < depth; i++) {
    let hops = hopsOf(schema, current).filter((h) => !single || h.kind === "fk")
    if (i === 0 && firstMany && hops.some((h) => h.many)) hops = hops.filter((h) => h.many)
    if (hops.length === 0) break
    const hop = rng.pick(hops)
    path.push(hop)
    current = modelOf(schema, hop.target)
  }
  return { path, end: current }
}

const depthOf = (rng, weights) => Number(rng.weighted(weights))

/** A condition `depth` relations away (0: on the model's own columns). */
const condition = (rng, schema, model, depth, options) => {
  const { path, end } = walk(rng, schema, model, depth, options)
  const field = rng.pick(conditionFields(end))
  return { path, field, ...lookupFor(rng, field) }
}

const pathKey = (c) => [...c.path.map((h) => h.name), c.field.name].join(".")

/** Conditions whose paths are distinct (so that one filter object can hold them all). */
const distinctConditions = (conds) => {
  const seen = new Set()
  return conds.filter((c) => !seen.has(pathKey(c)) && seen.add(pathKey(c)))
}

/** A column `depth` forward keys away, for `orderBy`, `values` and `valuesList`. */
const column = (rng, schema, model, depth, fields = conditionFields) => {
  const { path, end } = walk(rng, schema, model, depth, { single: true })
  return { path, field: rng.pick(fields(end)) }
}

/** A model with at least one relation, for the queries that go through one. */
const modelWithHops = (rng, schema, single) => {
  const models = schema.models.filter((m) => hopsOf(schema, m).some((h) => !single || h.kind === "fk"))
  return rng.pick(models)
}

const own = (rng, schema, model) => condition(rng, schema, model, 0)

/** A filter through 1 to 3 relations, with now and then a second one, a condition on the model and an ordering. */
const filterQuery = (rng, schema) => {
  const model = modelWithHops(rng, schema, false)
  const conds = [condition(rng, schema, model, depthOf(rng, { 1: 50, 2: 35, 3: 15 }))]
  if (rng.chance(0.2)) conds.push(condition(rng, schema, model, depthOf(rng, { 1: 70, 2: 30 })))
  if (rng.chance(0.4)) conds.push(own(rng, schema, model))
  return {
    kind: "filter",
    model: model.name,
    conds: distinctConditions(conds),
    order: rng.chance(0.3) ? [{ path: [], field: rng.pick(orderFields(model)), desc: rng.chance(0.5) }] : [],
    limit: rng.chance(0.2) ? 20 : undefined
  }
}

/** An exclude on the model's columns or through one relation. */
const excludeQuery = (rng, schema) => {
  const model = modelWithHops(rng, schema, false)
  const depth = rng.chance(0.5) ? 1 : 0
  const conds = [condition(rng, schema, model, depth)]
  if (rng.chance(0.3)) conds.push(own(rng, schema, model))
  return { kind: "exclude", model: model.name, conds: distinctConditions(conds), order: [], limit: undefined }
}

/** An ordering of 1 to 3 keys, descending or not, some through forward keys (`"-publisher.name"`). */
const orderByQuery = (rng, schema) => {
  const model = modelWithHops(rng, schema, true)
  const order = Array.from({ length: rng.int(1, 3) }, () => ({
    ...column(rng, schema, model, depthOf(rng, { 0: 50, 1: 35, 2: 15 }), orderFields),
    desc: rng.chance(0.5)
  }))
  const unique = order.filter((o, i) => order.findIndex((p) => pathKey(p) === pathKey(o)) === i)
  return { kind: "orderBy", model: model.name, conds: rng.chance(0.3) ? [own(rng, schema, model)] : [], order: unique, limit: rng.chance(0.3) ? 50 : undefined }
}

/** `values(...)` or `valuesList(...)`: columns of the model and through forward keys (`"publisher.country.name"`). */
const projectionQuery = (rng, schema, kind) => {
  const model = modelWithHops(rng, schema, true)
  const ownOnly = rng.chance(0.4)
  const count = kind === "values" ? rng.int(2, 4) : rng.int(1, 3)
  const columns = Array.from({ length: count }, () =>
    column(rng, schema, model, ownOnly ? 0 : depthOf(rng, { 0: 45, 1: 35, 2: 15, 3: 5 }))
  ).filter((c, i, all) => all.findIndex((d) => pathKey(d) === pathKey(c)) === i)
  return {
    kind,
    model: model.name,
    conds: rng.chance(0.4) ? [own(rng, schema, model)] : [],
    order: [],
    columns,
    flat: kind === "valuesList" && columns.length === 1 && rng.chance(0.7),
    limit: undefined
  }
}

/** `selectRelated` of 1 or 2 paths of forward keys, up to 3 deep. */
const selectRelatedQuery = (rng, schema) => {
  const model = modelWithHops(rng, schema, true)
  const paths = Array.from({ length: rng.int(1, 2) }, () => walk(rng, schema, model, depthOf(rng, { 1: 50, 2: 35, 3: 15 }), { single: true }).path)
  return { kind: "selectRelated", model: model.name, conds: rng.chance(0.4) ? [own(rng, schema, model)] : [], order: [], paths: uniquePaths(paths), limit: undefined }
}

const uniquePaths = (paths) => {
  const names = paths.map((p) => p.map((h) => h.name).join("."))
  return paths.filter((p, i) => names.indexOf(names[i]) === i)
}

/**
 * `prefetchRelated` of 1 or 2 paths (reverse sides and many-to-manys first), now and then a `Prefetch` with its own
 * QuerySet over the first relation.
 */
const prefetchQuery = (rng, schema) => {
  const model = modelWithHops(rng, schema, false)
  const paths = uniquePaths(Array.from({ length: rng.int(1, 2) }, () => walk(rng, schema, model, depthOf(rng, { 1: 60, 2: 40 }), { firstMany: true }).path))
  const first = paths[0][0]
  const target = modelOf(schema, first.target)
  // Drizzle filters and orders only `many` relations, so a custom QuerySet goes on a reverse key.
  const custom = first.kind === "reverse" && paths.length === 1 && paths[0].length === 1 && rng.chance(0.3)
    ? { cond: own(rng, schema, target), order: { path: [], field: rng.pick(orderFields(target)), desc: true } }
    : undefined
  return { kind: "prefetchRelated", model: model.name, conds: [], order: [], paths, custom, limit: undefined }
}

/** `create`: every required column, some optional ones, foreign keys by key or by instance. */
const createQuery = (rng, schema) => {
  const model = rng.pick(schema.models)
  const data = model.scalars
    .filter((f) => (!f.nullable && f.default === undefined) || rng.chance(0.3))
    .map((f) => ({ field: f, value: valueFor(rng, f) }))
  const keys = model.fks
    .filter((fk) => !fk.audit && (!fk.nullable || rng.chance(0.2)))
    .map((fk) => ({ fk, byInstance: rng.chance(0.5), id: rng.int(1, 1000) }))
  return { kind: "create", model: model.name, data, keys, conds: [], order: [] }
}

/** Fields `F(...)` arithmetic applies to. */
const numeric = (model) => model.scalars.filter((f) => ["Integer", "BigInteger", "Decimal"].includes(f.kind) && !f.choices)

/** `update` of the rows matching a key or a condition: values, `F(...)` arithmetic, a foreign key. */
const updateQuery = (rng, schema) => {
  const model = rng.pick(schema.models.slice(1))
  const conds = rng.chance(0.6)
    ? [{ path: [], field: { name: "id", kind: "Integer" }, op: "exact", value: { t: "number", v: rng.int(1, 1000) } }]
    : [own(rng, schema, model)]
  const sets = rng.sample(model.scalars, rng.int(1, 2)).map((f) => ({ field: f, value: valueFor(rng, f) }))
  const candidates = numeric(model).filter((f) => !sets.some((s) => s.field === f))
  if (candidates.length > 0 && rng.chance(0.85)) {
    const field = rng.pick(candidates)
    const other = numeric(model).find((f) => f !== field && f.kind === field.kind && !f.nullable)
    sets.push({ field, expr: { op: rng.pick(["add", "sub", "mul"]), operand: field.kind === "BigInteger" ? { t: "bigint", v: 1 } : { t: "number", v: rng.int(1, 5) }, ref: other && rng.chance(0.2) ? other : undefined } })
  }
  const fk = model.fks.find((k) => !k.audit)
  const key = fk && rng.chance(0.2) ? { fk, id: rng.int(1, 1000) } : undefined
  return { kind: "update", model: model.name, conds, order: [], sets, key }
}

/** `aggregate`: `Count()` and sums, averages, minima and maxima of fields that take them. */
const aggregateQuery = (rng, schema) => {
  const model = rng.pick(schema.models.filter((m) => numeric(m).length > 0))
  const aggs = [{ name: "n", fn: "count" }]
  for (const field of rng.sample(numeric(model), rng.int(1, 2))) aggs.push({ name: `sum${upperFirst(field.name)}`, fn: "sum", field })
  if (rng.chance(0.5)) aggs.push({ name: "avg", fn: "avg", field: rng.pick(numeric(model)) })
  if (rng.chance(0.6)) {
    const field = rng.pick(orderFields(model))
    aggs.push({ name: `max${upperFirst(field.name)}`, fn: "max", field })
  }
  if (rng.chance(0.2)) aggs.push({ name: "distinctNames", fn: "count", field: model.scalars[0], distinct: true })
  const conds = rng.chance(0.5) ? [condition(rng, schema, model, rng.chance(0.3) ? 1 : 0)] : []
  return { kind: "aggregate", model: model.name, conds: conds.filter((c) => c.path.length <= 1), order: [], aggs }
}

const BUILDERS = {
  filter: filterQuery,
  exclude: excludeQuery,
  orderBy: orderByQuery,
  values: (rng, schema) => projectionQuery(rng, schema, "values"),
  valuesList: (rng, schema) => projectionQuery(rng, schema, "valuesList"),
  selectRelated: selectRelatedQuery,
  prefetchRelated: prefetchQuery,
  create: createQuery,
  update: updateQuery,
  aggregate: aggregateQuery
}

/**
 * `count` queries over `schema` (its variant without the audit key). The first n queries of a larger count are the
 * same as those of a smaller one, so the linearity mode measures growing prefixes of one list.
 */
export const generateQueries = ({ schema, count, seed }) => {
  const rng = makeRandom(seed ^ 0x5eed)
  return Array.from({ length: count }, (_, id) => ({ id, ...BUILDERS[rng.weighted(KIND_WEIGHTS)](rng, schema) }))
}

/** How many queries of each kind, for the report. */
export const kindCounts = (queries) =>
  Object.fromEntries(Object.keys(KIND_WEIGHTS).map((k) => [k, queries.filter((q) => q.kind === k).length]))
