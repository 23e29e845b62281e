/**
 * Property tests of dynamic names: fields, paths and hostile keys in values, valuesList, orderBy, distinct and filter
 * keys, checked against the reference's values, order and groups.
 *
 * Part of the property-based tests of issue #10 (see docs/testing.md, "Property tests"): generated input, valid and
 * hostile, on every driver. Each property asserts semantics: valid input gives exactly what a JavaScript reference
 * computes over the same seeded rows (test/properties/reference.ts documents every decision where PostgreSQL's
 * semantics matter: collation, case folding, NaN, -0, BC years, precision); invalid input is a typed FieldError or
 * ValidationError with no statement run and nothing written; and never a defect or an untyped SqlError.
 *
 * `EFFECT_ORM_PROPERTY_RUNS` multiplies every property's runs (`npm run test:properties` runs ten times as many);
 * `EFFECT_ORM_PROPERTY_SEED` changes the base seed. A failure prints fast-check's seed, path and shrunk
 * counterexample: rerun with the same two variables to reproduce it.
 */
import { expect } from "@effect/vitest"
import { Effect, Option } from "effect"
import fc from "fast-check"
import { hostile, name as nameArb } from "./properties/arbitraries.js"
import { attempt, check, expectRefused, success } from "./properties/harness.js"
import { PpRow } from "./properties/models.js"
import { semantic } from "./properties/queries.js"
import * as Ref from "./properties/reference.js"
import { propertySuite, TIMEOUT } from "./properties/suite.js"
import { expectSameValue, loadWorld, type Query, type World } from "./properties/world.js"

// ---- names (values, valuesList, orderBy, distinct, filter keys) ----

interface PathRef {
  /** The column it reaches: the relations followed and the field (`owner.name`; `pk` is `id`). */
  readonly column: string
  readonly many: boolean
  readonly kind: Ref.Kind
  /** The value as the ORM returns it for row `i`. */
  readonly read: (i: number) => unknown
}

/** How the ORM resolves a field path of PpRow (`"owner.name"`, `"pk"`, `"owner"`), or undefined when it must refuse it. */
const resolvePath = (world: World, path: unknown): PathRef | undefined => {
  if (typeof path !== "string") return undefined
  const parts = path.split(".")
  let model = Ref.ROW
  let many = false
  const hops: Array<string> = []
  const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k)
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    const last = i === parts.length - 1
    let field: string | undefined
    if (last && (own(model.fields, part) || part === "pk")) field = part === "pk" ? model.pk : part
    else {
      const rel = own(model.relations, part) ? model.relations[part]! : undefined
      if (rel === undefined) return undefined
      if (rel.kind === "reverse") many = true
      if (last && rel.kind === "forward") field = rel.key
      else {
        hops.push(part)
        model = rel.target()
        if (last) field = model.pk
      }
    }
    if (field !== undefined) {
      const def = model.fields[field]!
      const column = [...hops, field].join(".")
      if (many) return { column, many, kind: def.kind, read: () => undefined }
      const read = (row: number): unknown => {
        if (hops.length === 0) return (world.raw[row] as unknown as Record<string, unknown>)[field!]
        const owner = world.owners.find((o) => o.id === world.raw[row]!.ownerId)
        return owner === undefined ? null : (owner as unknown as Record<string, unknown>)[field!]
      }
      return { column, many, kind: def.kind, read }
    }
  }
  return undefined
}

/** PostgreSQL's order of one key (ASC: NULLs last; DESC: NULLs first); "?" where the reference cannot tell. */
const orderOf = (kind: Ref.Kind, a: unknown, b: unknown, descending: boolean): number | "?" => {
  if (a === null || b === null) {
    const c = a === null ? (b === null ? 0 : 1) : -1
    return descending ? -c : c
  }
  if (kind === "json") return "?"
  const c = Ref.compare(kind, Ref.normal(kind, a), Ref.normal(kind, b))
  return c === "?" ? "?" : descending ? -c : c
}

const keyEqual = (kind: Ref.Kind, a: unknown, b: unknown) =>
  a === null || b === null ? a === b : Ref.equal(kind, Ref.normal(kind, a), Ref.normal(kind, b))

/** Groups of rows with equal keys (NULLs equal), as DISTINCT sees them. */
const groupCount = (rows: ReadonlyArray<number>, keys: ReadonlyArray<PathRef>) => {
  const reps: Array<number> = []
  for (const r of rows) {
    if (!reps.some((s) => keys.every((k) => keyEqual(k.kind, k.read(r), k.read(s))))) reps.push(r)
  }
  return reps
}

type NameApi =
  | "values"
  | "valuesList"
  | "valuesListFlat"
  | "valuesListFlatMany"
  | "orderBy"
  | "distinct"
  | "valuesDistinct"
  | "distinctOrderBy"
  | "distinctMisordered"
  | "filterKey"
  | "excludeKey"

interface NameInput {
  readonly api: NameApi
  readonly names: ReadonlyArray<unknown>
  readonly value: unknown
}

const nameInput: fc.Arbitrary<NameInput> = fc.record({
  api: fc.constantFrom<NameApi>(
    "values", "valuesList", "valuesListFlat", "valuesListFlatMany", "orderBy", "distinct", "valuesDistinct",
    "distinctOrderBy", "distinctMisordered", "filterKey", "excludeKey"
  ),
  names: fc.array(nameArb, { maxLength: 3 }),
  value: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: hostile })
})

const propertyKey = (u: unknown): string | number | symbol | undefined =>
  typeof u === "string" || typeof u === "number" || typeof u === "symbol" ? u : undefined

const names = (world: World) => (input: NameInput, note: (outcome: string) => void) =>
  Effect.gen(function*() {
    const rows = world.raw.map((_, i) => i)
    const idOf = new Map(world.raw.map((r, i) => [r.id, i]))
    const { api } = input
    if (api === "filterKey" || api === "excludeKey") {
      const key = propertyKey(input.names[0] ?? "title")
      const condition: Record<PropertyKey, unknown> = {}
      if (key !== undefined) Object.defineProperty(condition, key, { value: input.value, enumerable: true, configurable: true, writable: true })
      // Symbol keys are not names: filter objects are read with Object.keys, as JSON would give them.
      const q: Query = { mode: api === "filterKey" ? "filter" : "exclude", a: { _tag: "leaf", filter: condition }, b: { _tag: "leaf", filter: {} } }
      return yield* semantic(world)(q, note)
    }
    const list = input.names as Array<any>
    if (api === "valuesListFlatMany") {
      const outcome = yield* attempt(PpRow.objects.valuesList(...list, ...(list.length === 1 ? ["id"] : []), { flat: true } as any))
      expectRefused(outcome, "QueryError")
      return note("QueryError")
    }
    if (api === "distinctMisordered") {
      // DISTINCT ON wants the ordering to start with its fields: another field first is a FieldError before SQL
      // (the same field again is no new key).
      const on = list[0] ?? "title", other = list[1] ?? "n"
      const a = resolvePath(world, on), b = resolvePath(world, typeof other === "string" && other.startsWith("-") ? other.slice(1) : other)
      const outcome = yield* attempt(PpRow.objects.distinct(on).orderBy(other, on).valuesList("id", { flat: true }))
      if (a === undefined || b === undefined || a.column !== b.column) return void (expectRefused(outcome, "FieldError"), note("refused"))
      const ids = success(outcome.exit) as ReadonlyArray<number>
      note("distinct")
      if (a.many) return
      const order = ids.map((id) => idOf.get(id)!)
      expect(order.length).toBe(groupCount(rows, [a]).length)
      expect(groupCount(order, [a]).length).toBe(order.length)
      return
    }
    if (api === "orderBy" || api === "distinctOrderBy") {
      const first = list[0] ?? "title"
      const ordering = api === "distinctOrderBy"
        ? [typeof first === "string" && list.length % 2 === 1 ? `-${first}` : first, ...list.slice(1)]
        : list
      const keys = ordering.map((n) => {
        const descending = typeof n === "string" && n.startsWith("-")
        const path = resolvePath(world, descending ? (n as string).slice(1) : n)
        return path === undefined ? undefined : { path, descending }
      })
      const distinctOn = api === "distinctOrderBy" ? resolvePath(world, first) : undefined
      const qs = api === "distinctOrderBy" ? PpRow.objects.distinct(first).orderBy(...ordering) : PpRow.objects.orderBy(...ordering)
      const outcome = yield* attempt(qs.valuesList("id", { flat: true }))
      if (keys.includes(undefined) || (api === "distinctOrderBy" && distinctOn === undefined)) {
        expectRefused(outcome, "FieldError")
        return note("refused")
      }
      note("ordered")
      const ids = success(outcome.exit) as ReadonlyArray<number>
      const defined = keys as ReadonlyArray<{ path: PathRef; descending: boolean }>
      if (defined.some((k) => k.path.many) || distinctOn?.many === true) return
      const order = ids.map((id) => idOf.get(id)!)
      if (distinctOn !== undefined) {
        // DISTINCT ON keeps one row per group, ordered by the groups.
        expect(order.length).toBe(groupCount(rows, [distinctOn]).length)
        expect(groupCount(order, [distinctOn]).length).toBe(order.length)
      } else expect([...order].sort((a, b) => a - b)).toEqual(rows)
      const checked = distinctOn !== undefined ? defined.slice(0, 1) : defined
      for (let i = 1; i < order.length; i++) {
        for (const { descending, path } of checked) {
          const c = orderOf(path.kind, path.read(order[i - 1]!), path.read(order[i]!), descending)
          if (c === "?" || c < 0) break
          if (c > 0) throw new Error(`rows ${ids[i - 1]} and ${ids[i]} are out of order for ${describe(ordering)}`)
        }
      }
      return
    }
    const paths = list.map((n) => resolvePath(world, n))
    const invalid = paths.includes(undefined)
    if (api === "distinct") {
      const outcome = yield* attempt(PpRow.objects.distinct(...list).valuesList("id", { flat: true }))
      if (invalid) return void (expectRefused(outcome, "FieldError"), note("refused"))
      const ids = success(outcome.exit) as ReadonlyArray<number>
      note("distinct")
      const keys = paths as ReadonlyArray<PathRef>
      if (keys.some((k) => k.many)) return
      const order = ids.map((id) => idOf.get(id)!)
      const expected = keys.length === 0 ? rows.length : groupCount(rows, keys).length
      expect(order.length).toBe(expected)
      if (keys.length > 0) expect(groupCount(order, keys).length).toBe(order.length)
      return
    }
    if (api === "valuesDistinct") {
      const outcome = yield* attempt(PpRow.objects.values(...list).distinct())
      if (invalid) return void (expectRefused(outcome, "FieldError"), note("refused"))
      const result = success(outcome.exit)
      note("distinct")
      const keys = paths as ReadonlyArray<PathRef>
      if (keys.some((k) => k.many)) return
      expect(result.length).toBe(keys.length === 0 ? rows.length : groupCount(rows, keys).length)
      return
    }
    // values, valuesList, valuesListFlat: one row per row, each with the values asked for.
    const flat = api === "valuesListFlat"
    const chosen = flat ? [list[0] ?? "title"] : list
    const chosenPaths = flat ? [resolvePath(world, chosen[0])] : paths
    const qs = PpRow.objects.orderBy("id")
    const outcome = yield* attempt(
      api === "values" ? qs.values(...chosen) : flat ? qs.valuesList(chosen[0], { flat: true }) : qs.valuesList(...chosen)
    )
    if (chosenPaths.includes(undefined)) return void (expectRefused(outcome, "FieldError"), note("refused"))
    const result = success(outcome.exit) as ReadonlyArray<any>
    note("values")
    const keys = chosenPaths as ReadonlyArray<PathRef>
    if (keys.some((k) => k.many)) return
    expect(result.length).toBe(rows.length)
    const all = chosen.length === 0
    const fields = all ? Object.keys(PpRow.meta.fields) : (chosen as ReadonlyArray<string>)
    const refs = all ? fields.map((f) => resolvePath(world, f)!) : keys
    result.forEach((row, i) => {
      fields.forEach((f, j) => {
        const actual = api === "values" ? row[f] : flat ? row : row[j]
        expectSameValue(actual, refs[j]!.read(i), `row ${world.raw[i]!.id} ${f}`)
      })
    })
  })

const describe = (u: unknown): string => {
  try {
    return JSON.stringify(u, (_, v) => (typeof v === "symbol" ? String(v) : v)) ?? String(u)
  } catch {
    return "(unprintable)"
  }
}

propertySuite("names", (it, D) => {
  it.effect("names in values, valuesList, orderBy, distinct and filter keys: refused, or the reference's values and order", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      yield* check(D, "names", nameInput, 1500, names(world))
    }), TIMEOUT)

  // ---- regressions: failures of src/ these properties found, each on its minimal input ----

  it.effect("distinct(a).orderBy(b) is a FieldError before SQL; orderBy(a, b) keeps the first row of each group by b", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      expectRefused(yield* attempt(PpRow.objects.distinct("title").orderBy("n").valuesList("id", { flat: true })), "FieldError")
      expectRefused(yield* attempt(PpRow.objects.distinct("title", "n").orderBy("title", "id", "n").valuesList("id", { flat: true })), "FieldError")
      const kept = yield* PpRow.objects.distinct("title").orderBy("title", "n", "id").values("title", "n", "id")
      const titles = [...new Set(world.raw.map((r) => r.title))]
      expect(kept).toHaveLength(titles.length)
      for (const row of kept) {
        // ASC puts NULLs last: the row kept has the least n of its title (the least id among those).
        const group = world.raw.filter((r) => r.title === row.title)
        const best = [...group].sort((x, y) => (x.n === y.n ? x.id - y.id : x.n === null ? 1 : y.n === null ? -1 : x.n - y.n))[0]!
        expect(row.id).toBe(best.id)
      }
      // A default ordering (the key, for first()) is led by the distinct fields.
      expect(Option.isSome(yield* PpRow.objects.distinct("title").first())).toBe(true)
    }), TIMEOUT)
})
