/**
 * The seeded rows as the reference sees them (read back once per test), and the comparison of the rows a query
 * returned with the rows the reference selects.
 */
import { expect } from "@effect/vitest"
import { BigDecimal, DateTime, Duration, Effect } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { Q } from "../../src/index.js"
import { PpOwner, PpRow } from "./models.js"
import * as Ref from "./reference.js"

export interface World {
  /** The rows as read, in primary key order. */
  readonly raw: ReadonlyArray<PpRow>
  /** Their normal values (see `Ref.normal`). */
  readonly rows: ReadonlyArray<Ref.Rec>
  readonly owners: ReadonlyArray<PpOwner>
  readonly ownerRows: ReadonlyArray<Ref.Rec>
  readonly instances: Ref.Instances
  readonly related: Ref.Related
}

const CODE_POINT_COLLATIONS = ["C", "POSIX", "C.UTF-8", "C.utf8", "ucs_basic"]

export const normalRow = (model: Ref.ModelDef, instance: Record<string, unknown>): Ref.Rec =>
  Object.fromEntries(Object.entries(model.fields).map(([key, def]) => {
    const v = instance[key]
    return [key, v === null || v === undefined ? null : Ref.normal(def.kind, v)]
  }))

const nullRow = (model: Ref.ModelDef): Ref.Rec => Object.fromEntries(Object.keys(model.fields).map((k) => [k, null]))

/** Reads the seeded rows, and the database's collation (which decides whether text ordering is checked). */
export const loadWorld = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [{ datcollate }] = yield* sql<{ datcollate: string }>`SELECT datcollate FROM pg_database WHERE datname = current_database()`
  Ref.setCodePointCollation(CODE_POINT_COLLATIONS.includes(datcollate!))
  const raw = yield* PpRow.objects.orderBy("id").all()
  const owners = yield* PpOwner.objects.orderBy("id").all()
  const rows = raw.map((r) => normalRow(Ref.ROW, r as unknown as Record<string, unknown>))
  const ownerRows = owners.map((o) => normalRow(Ref.OWNER, o as unknown as Record<string, unknown>))
  const ownerById = new Map(ownerRows.map((o) => [o.id, o]))
  const rowsByOwner = new Map<unknown, Array<Ref.Rec>>()
  for (const row of rows) rowsByOwner.set(row.ownerId, [...(rowsByOwner.get(row.ownerId) ?? []), row])
  const NULL_OWNER = nullRow(Ref.OWNER), NULL_ROW = nullRow(Ref.ROW)
  const related: Ref.Related = (model, relation, row) => {
    if (model === Ref.ROW && relation === "owner") return [ownerById.get(row.ownerId) ?? NULL_OWNER]
    if (model === Ref.OWNER && relation === "rows") return rowsByOwner.get(row.id) ?? [NULL_ROW]
    throw new Error(`no relation ${relation} in the reference`)
  }
  const instances: Ref.Instances = {
    pkOf: (model, u) =>
      model === Ref.OWNER && u instanceof PpOwner ? { pk: u.id } : model === Ref.ROW && u instanceof PpRow ? { pk: u.id } : undefined
  }
  return { raw, rows, owners, ownerRows, instances, related } satisfies World
})

// ---- queries built from condition trees ----

export const toCondition = (tree: Ref.Tree): unknown => {
  switch (tree._tag) {
    case "leaf":
      return tree.filter
    case "and":
      return Q.and(...tree.children.map(toCondition) as Array<any>)
    case "or":
      return Q.or(...tree.children.map(toCondition) as Array<any>)
    case "not":
      return Q.not(toCondition(tree.child) as any)
  }
}

/** How the conditions are applied: `filter(a)`, `exclude(a)`, `filter(a).exclude(b)`, `filter(a).filter(b)`, `filter(a, b)`. */
export type Mode = "filter" | "exclude" | "filterExclude" | "filterFilter" | "filterBoth"
export const MODES: ReadonlyArray<Mode> = ["filter", "exclude", "filterExclude", "filterFilter", "filterBoth"]

export interface Query {
  readonly mode: Mode
  readonly a: Ref.Tree
  readonly b: Ref.Tree
}

export const applyQuery = <Q extends { filter(...c: Array<any>): Q; exclude(...c: Array<any>): Q }>(qs: Q, q: Query): Q => {
  const a = toCondition(q.a), b = toCondition(q.b)
  switch (q.mode) {
    case "filter":
      return qs.filter(a)
    case "exclude":
      return qs.exclude(a)
    case "filterExclude":
      return qs.filter(a).exclude(b)
    case "filterFilter":
      return qs.filter(a).filter(b)
    case "filterBoth":
      return qs.filter(a, b)
  }
}

/** The reference's predicates of a query (one per filter / exclude call, ANDed), or `Invalid`. */
export const queryPreds = (world: World, model: Ref.ModelDef, q: Query): ReadonlyArray<Ref.Pred> => {
  const compile = (t: Ref.Tree) => Ref.compileTree(model, t, world.instances, world.related)
  const scope = (t: Ref.Tree) => Ref.scope(model, compile(t), world.related)
  const not = (t: Ref.Tree) => Ref.notPred(model, compile(t), world.related)
  switch (q.mode) {
    case "filter":
      return [scope(q.a)]
    case "exclude":
      return [not(q.a)]
    case "filterExclude":
      return [scope(q.a), not(q.b)]
    case "filterFilter":
      return [scope(q.a), scope(q.b)]
    case "filterBoth":
      return [scope({ _tag: "and", children: [q.a, q.b] })]
  }
}

export const usedTrees = (q: Query): ReadonlyArray<Ref.Tree> => (q.mode === "filter" || q.mode === "exclude" ? [q.a] : [q.a, q.b])

/** The primary keys the reference selects, and those it cannot decide ("?"). */
export const selected = (rows: ReadonlyArray<Ref.Rec>, preds: ReadonlyArray<Ref.Pred>, pk = "id") => {
  const ids: Array<unknown> = []
  const unknown = new Set<unknown>()
  for (const row of rows) {
    const v = Ref.and(preds.map((p) => p.eval({ row, bound: new Map() })))
    if (v === "?") unknown.add(row[pk])
    else if (v === true || v === Ref.EMPTY) ids.push(row[pk])
  }
  return { ids, unknown }
}

const byNumber = (a: unknown, b: unknown) => (a as number) - (b as number)

/** Asserts the returned keys are the reference's, leaving out the rows it cannot decide. */
export const expectSameRows = (actual: ReadonlyArray<unknown>, expected: { readonly ids: ReadonlyArray<unknown>; readonly unknown: ReadonlySet<unknown> }) => {
  expect([...actual].filter((id) => !expected.unknown.has(id)).sort(byNumber)).toEqual([...expected.ids].sort(byNumber))
}

/** Whether a filter mentions one of `keys` as a lookup, anywhere. */
export const mentions = (u: unknown, keys: ReadonlyArray<string>, depth = 0): boolean => {
  if (depth > 20 || !Ref.isPlainObject(u)) return false
  return Object.keys(u).some((k) => keys.includes(k) || mentions(u[k], keys, depth + 1))
}
export const treeMentions = (t: Ref.Tree, keys: ReadonlyArray<string>): boolean =>
  t._tag === "leaf" ? mentions(t.filter, keys) : t._tag === "not" ? treeMentions(t.child, keys) : t.children.some((c) => treeMentions(c, keys))

// ---- values as the ORM returns them ----

/** Equality of values as read: decimals by value and scale, timestamps and durations exactly, floats with Object.is. */
export const sameValue = (a: unknown, b: unknown): boolean => {
  if (a === null || b === null || a === undefined || b === undefined) return a === b
  if (typeof a === "number" && typeof b === "number") return Object.is(a, b)
  if (BigDecimal.isBigDecimal(a) && BigDecimal.isBigDecimal(b)) return a.value === b.value && a.scale === b.scale
  if (DateTime.isDateTime(a) && DateTime.isDateTime(b)) return DateTime.toEpochMillis(a) === DateTime.toEpochMillis(b)
  if (Duration.isDuration(a) && Duration.isDuration(b)) return Duration.toNanosUnsafe(a) === Duration.toNanosUnsafe(b)
  if (typeof a === "object" || typeof b === "object") return Ref.jsonEqual(a, b)
  return a === b
}

export const describeValue = (u: unknown): string => {
  if (typeof u === "bigint") return `${u}n`
  if (typeof u === "number") return Object.is(u, -0) ? "-0" : String(u)
  if (BigDecimal.isBigDecimal(u)) return `BigDecimal(${u.value}, ${u.scale})`
  if (DateTime.isDateTime(u)) return `DateTime(${DateTime.toEpochMillis(u)})`
  if (Duration.isDuration(u)) return `Duration(${Duration.isFinite(u) ? `${Duration.toNanosUnsafe(u)}ns` : "infinite"})`
  try {
    return JSON.stringify(u) ?? String(u)
  } catch {
    return Object.prototype.toString.call(u)
  }
}

export const expectSameValue = (actual: unknown, expected: unknown, label: string) => {
  if (!sameValue(actual, expected)) {
    throw new Error(`${label}: read ${describeValue(actual)}, expected ${describeValue(expected)}`)
  }
}

