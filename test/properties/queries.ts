/**
 * Filters of the property tests: generated conditions over PpRow (and PpOwner through the reverse relation), and the
 * property every filter must have: the rows the reference selects, or a FieldError before any statement.
 */
import { expect } from "@effect/vitest"
import { Effect, Exit } from "effect"
import fc from "fast-check"
import { filterOver, hostile, memo, objectOf, specFor, treeOf, valueFor } from "./arbitraries.js"
import { attempt, expectDataError, expectRefused, success } from "./harness.js"
import { PpOwner, PpRow } from "./models.js"
import * as Ref from "./reference.js"
import {
  applyQuery,
  expectSameRows,
  MODES,
  type Query,
  queryPreds,
  selected,
  treeMentions,
  usedTrees,
  type World
} from "./world.js"

export const ROW_FIELDS = Object.keys(Ref.ROW.fields)
export const BOGUS_KEYS = ["nope", "__proto__", "constructor", "rows", "owner.name", "owner_id", "toString", "Title", ""]

/** A spec (value or lookups) for a key of a PpRow filter: a field, `pk`, the `owner` relation, or no such name. */
export const rowSpec = (world: World) => memo((key: string): fc.Arbitrary<unknown> => {
  if (key === "owner") return ownerSpec(world)
  const field = key === "pk" ? "id" : key
  if (Object.prototype.hasOwnProperty.call(Ref.ROW.fields, field)) return specFor(key, Ref.ROW.fields[field]!)
  return fc.oneof(fc.constant(null), hostile, specFor("n", Ref.ROW.fields.n!))
})

/** A value for `owner`: null, an instance, a key, or a filter of PpOwner with `isNull` and `in`. */
export const ownerSpec = (world: World): fc.Arbitrary<unknown> => {
  const key = fc.oneof(fc.constantFrom(...world.owners), valueFor("ownerId"), fc.constant(null))
  const lookups = fc.uniqueArray(fc.constantFrom("isNull", "in", "name", "id", "pk", "nope"), { maxLength: 3 }).chain((keys) =>
    fc.tuple(...keys.map((k): fc.Arbitrary<unknown> => {
      switch (k) {
        case "isNull":
          return fc.oneof({ weight: 8, arbitrary: fc.boolean() }, { weight: 1, arbitrary: hostile })
        case "in":
          return fc.array(key, { maxLength: 3 })
        case "nope":
          return hostile
        default:
          return specFor(k, Ref.OWNER.fields[k === "pk" ? "id" : k]!)
      }
    })).map((values) => objectOf(keys.map((k, i) => [k, values[i]])))
  )
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: fc.constantFrom(...world.owners) },
    { weight: 2, arbitrary: valueFor("ownerId") },
    { weight: 5, arbitrary: lookups },
    { weight: 1, arbitrary: hostile }
  )
}

const leaf = (filter: fc.Arbitrary<unknown>) => filter.map((f): Ref.Tree => ({ _tag: "leaf", filter: f }))

/** Queries over a leaf (one filter object), with filter or exclude. */
export const leafQuery = (world: World, fields: ReadonlyArray<string>): fc.Arbitrary<Query> =>
  fc.record({
    mode: fc.constantFrom("filter" as const, "exclude" as const),
    a: leaf(filterOver(fields, rowSpec(world))),
    b: fc.constant<Ref.Tree>({ _tag: "leaf", filter: {} })
  })

/** Queries over condition trees, in every mode. */
export const treeQuery = (leafArb: fc.Arbitrary<unknown>): fc.Arbitrary<Query> => {
  const tree = treeOf(leafArb)
  return fc.record({ mode: fc.constantFrom(...MODES), a: tree, b: tree })
}

/** Runs a query and checks it against the reference: the same rows, or a FieldError before any statement. */
export const semantic = (world: World, model: Ref.ModelDef = Ref.ROW) => (q: Query, note: (outcome: string) => void) =>
  Effect.gen(function*() {
    let preds: ReadonlyArray<Ref.Pred> | undefined
    try {
      preds = queryPreds(world, model, q)
    } catch (error) {
      if (!(error instanceof Ref.Invalid)) throw error
    }
    const qs = model === Ref.ROW ? applyQuery(PpRow.objects as any, q) : applyQuery(PpOwner.objects as any, q)
    const outcome = yield* attempt((qs as typeof PpRow.objects).valuesList("id", { flat: true }))
    if (preds === undefined) {
      expectRefused(outcome, "FieldError")
      return note("refused")
    }
    if (Exit.isFailure(outcome.exit) && usedTrees(q).some((t) => treeMentions(t, ["regex", "iregex"]))) {
      // An invalid regular expression is PostgreSQL's to find: a DataError, typed.
      expectDataError(outcome.exit, ["2201B"])
      return note("invalid regex")
    }
    expect(outcome.queries).toHaveLength(1)
    const rows = model === Ref.ROW ? world.rows : world.ownerRows
    const expected = selected(rows, preds)
    expectSameRows(success(outcome.exit), expected)
    note(expected.ids.length === 0 ? "no row" : expected.ids.length === rows.length ? "every row" : "some rows")
    if (expected.unknown.size > 0) note("rows left to PostgreSQL")
  })
