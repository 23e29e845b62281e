/**
 * Property tests of filters: values in every lookup of every field kind, relations both ways, Q trees with filter,
 * exclude and chains, hostile conditions, refused values, regular expressions.
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
import { BigDecimal, Effect, Exit } from "effect"
import fc from "fast-check"
import { Q } from "../src/index.js"
import * as Testing from "../src/testing/index.js"
import { filterOver, hostile, memo, regexText, specFor, valueFor } from "./properties/arbitraries.js"
import * as X from "./properties/expressions.js"
import { attempt, check, expectDataError, expectRefused, success } from "./properties/harness.js"
import { PpRow, seedRow, SEED_ROWS } from "./properties/models.js"
import { BOGUS_KEYS, leafQuery, ROW_FIELDS, rowSpec, semantic, treeQuery } from "./properties/queries.js"
import * as Ref from "./properties/reference.js"
import { propertySuite, TIMEOUT } from "./properties/suite.js"
import { expectSameRows, expectSameValue, loadWorld } from "./properties/world.js"

propertySuite("filters", (it, D) => {
  it.effect("the seeded rows read back as written", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      expect(world.raw).toHaveLength(SEED_ROWS)
      world.raw.forEach((row, i) => {
        const { owner, ...expected } = seedRow(i)
        for (const [key, value] of Object.entries(expected)) {
          const read = (row as unknown as Record<string, unknown>)[key]
          let wanted: unknown = value
          if (key === "price" && value !== null) wanted = X.roundDecimal(value as BigDecimal.BigDecimal, 4)
          if (key === "uuid" && value !== null) wanted = (value as string).toLowerCase()
          if (key === "doc" && value !== null) wanted = Ref.jsonNormal(value)
          expectSameValue(read, wanted, `row ${i} ${key}`)
        }
        expect(row.ownerId === null ? null : world.owners.findIndex((o) => o.id === row.ownerId)).toBe(owner)
      })
      // The collation decides whether text ordering is checked: say which one it is.
      if (!Ref.hasCodePointCollation()) console.log(`${D}: the database does not order text by code point; text ordering is not checked`)
    }), TIMEOUT)

  it.effect("text lookups select the reference's rows", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      yield* check(D, "text lookups", leafQuery(world, ["title", "body"]), 500, semantic(world))
    }), TIMEOUT)

  it.effect("numeric lookups (integers, bigints, floats, decimals, keys) select the reference's rows", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      yield* check(D, "numeric lookups", leafQuery(world, ["n", "small", "big", "ratio", "price", "id", "pk", "ownerId"]), 500, semantic(world))
    }), TIMEOUT)

  it.effect("date, time and duration lookups and parts select the reference's rows", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      yield* check(D, "temporal lookups", leafQuery(world, ["day", "at", "time", "span"]), 600, semantic(world))
    }), TIMEOUT)

  it.effect("boolean, UUID, JSON and relation lookups select the reference's rows", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      yield* check(D, "boolean, uuid, json, relation lookups", leafQuery(world, ["flag", "uuid", "doc", "owner"]), 400, semantic(world))
    }), TIMEOUT)

  it.effect("Q trees, filter, exclude and chains select the reference's rows", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      yield* check(D, "condition trees", treeQuery(filterOver([...ROW_FIELDS, "pk", "owner"], rowSpec(world))), 600, semantic(world))
    }), TIMEOUT)

  it.effect("reverse relation filters (EXISTS over the related rows) select the reference's rows", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      const rowsSpec = fc.oneof(
        { weight: 1, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.constantFrom(...world.raw) },
        { weight: 1, arbitrary: valueFor("id") },
        {
          weight: 6,
          arbitrary: fc.tuple(
            filterOver(["title", "n", "ratio", "day", "flag", "id", "pk"], rowSpec(world)),
            fc.option(fc.boolean(), { nil: undefined }),
            fc.option(fc.array(fc.oneof(fc.constantFrom(...world.raw), valueFor("id")), { maxLength: 3 }), { nil: undefined })
          ).map(([f, isNull, list]) => ({ ...f, ...(isNull === undefined ? {} : { isNull }), ...(list === undefined ? {} : { in: list }) }))
        }
      )
      const ownerLeaf = filterOver(["rows", "name", "id"], (k) => (k === "rows" ? rowsSpec : specFor(k, Ref.OWNER.fields[k]!)))
      yield* check(D, "reverse relations", treeQuery(ownerLeaf), 250, semantic(world, Ref.OWNER))
    }), TIMEOUT)

  it.effect("hostile conditions are refused before SQL, or select the reference's rows", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      const spec = rowSpec(world)
      const hostileSpec = memo((key: string) => fc.oneof({ weight: 3, arbitrary: hostile }, { weight: 1, arbitrary: spec(key) }))
      const hostileLeaf = fc.oneof(
        { weight: 1, arbitrary: hostile },
        { weight: 4, arbitrary: filterOver([...ROW_FIELDS, "pk", "owner", ...BOGUS_KEYS], hostileSpec) }
      )
      yield* check(D, "hostile conditions", treeQuery(hostileLeaf), 3000, semantic(world))
    }), TIMEOUT)

  it.effect("a value of the wrong type, out of range or unstorable, in any lookup of any field, is refused before SQL", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      const input = fc.tuple(
        fc.constantFrom(...ROW_FIELDS, "pk"),
        fc.nat(),
        fc.nat(),
        fc.oneof({ weight: 3, arbitrary: hostile }, { weight: 1, arbitrary: fc.constantFrom(...ROW_FIELDS).chain(valueFor) }),
        fc.constantFrom("filter", "exclude", "or", "not", "get")
      ).chain(([key, i, j, value, wrap]) => {
        const def = Ref.ROW.fields[key === "pk" ? "id" : key]!
        const lookups = Ref.lookupsOf(def)
        const lookup = lookups[i % lookups.length]!
        const part = Ref.COMPARABLE[j % Ref.COMPARABLE.length]!
        return valueFor(key === "pk" ? "id" : key).map((valid) => {
          let spec: unknown
          if (lookup === "in") spec = { in: j % 2 === 0 ? [valid, value] : [value] }
          else if (lookup === "range") spec = { range: j % 2 === 0 ? [valid, value] : [value, valid] }
          else if ((Ref.ALL_PARTS as ReadonlyArray<string>).includes(lookup)) spec = { [lookup]: j % 3 === 0 ? value : { [part]: value } }
          else spec = i % 5 === 0 ? value : { [lookup]: value }
          return { condition: { [key]: spec } as Record<string, unknown>, wrap }
        })
      }).filter(({ condition }) => {
        try {
          Ref.filterObject(Ref.ROW, condition, world.instances)
          return false
        } catch (error) {
          return error instanceof Ref.Invalid
        }
      })
      yield* check(D, "refused lookup values", input, 6500, ({ condition, wrap }) =>
        Effect.gen(function*() {
          const qs = PpRow.objects
          const effect = wrap === "filter"
            ? qs.filter(condition as any).count()
            : wrap === "exclude"
            ? qs.exclude(condition as any).exists()
            : wrap === "or"
            ? qs.filter(Q.or({ id: 1 }, condition as any)).valuesList("id", { flat: true })
            : wrap === "not"
            ? qs.filter(Q.not(condition as any)).values("title")
            : qs.get(condition as any)
          expectRefused(yield* attempt(effect as Effect.Effect<unknown, unknown, never>), "FieldError")
        }))
    }), TIMEOUT)

  it.effect("regex lookups run or fail with a DataError, and leave a transaction usable", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      const input = fc.record({ field: fc.constantFrom("title", "body"), lookup: fc.constantFrom("regex", "iregex"), pattern: regexText, inTransaction: fc.boolean() })
      yield* check(D, "regex lookups", input, 100, ({ field, inTransaction, lookup, pattern }) =>
        Effect.gen(function*() {
          const query = PpRow.objects.filter({ [field]: { [lookup]: pattern } }).valuesList("id", { flat: true })
          const run = inTransaction
            ? Testing.isolated(Effect.flatMap(Effect.exit(query), (exit) => Effect.map(PpRow.objects.count(), (n) => ({ exit, n }))))
            : Effect.map(Effect.exit(query), (exit) => ({ exit, n: world.rows.length }))
          const { exit, n } = success((yield* attempt(run)).exit)
          expect(n).toBe(world.rows.length)
          if (Exit.isFailure(exit)) return void expectDataError(exit, ["2201B"])
          // What matched is PostgreSQL's POSIX regex semantics; a pattern without metacharacters is a substring.
          if (/^[a-zA-Z0-9😀é]*$/.test(pattern) && lookup === "regex") {
            const expected = world.rows.filter((r) => r[field] !== null && (r[field] as string).includes(pattern)).map((r) => r.id)
            expectSameRows(success(exit), { ids: expected, unknown: new Set() })
          }
        }))
    }), TIMEOUT)

  // ---- regressions: failures of src/ these properties found, each on its minimal input ----

  it.effect("`in` on a date part mixing 32-bit and wider integers selects the reference's rows", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      const n = yield* PpRow.objects.filter({ day: { year: { in: [2024, 2 ** 31] } } }).count()
      expect(n).toBe(world.raw.filter((r) => r.day?.startsWith("2024-")).length)
      expect(yield* PpRow.objects.filter({ time: { hour: { in: [2 ** 40, -(2 ** 40)] } } }).count()).toBe(0)
    }), TIMEOUT)

  it.effect("an empty condition in Q.or is left out (as Django's empty Q()): a condition and its negation partition the rows", () =>
    Effect.gen(function*() {
      const all = yield* PpRow.objects.count()
      const one = yield* PpRow.objects.filter({ id: 1 }).count()
      expect(yield* PpRow.objects.filter(Q.or({}, { id: 1 })).count()).toBe(one)
      expect(yield* PpRow.objects.filter(Q.not(Q.or({}, { id: 1 }))).count()).toBe(all - one)
      expect(yield* PpRow.objects.exclude(Q.or({ id: 1 }, Q.and())).count()).toBe(all - one)
      // Nothing but empty children: no condition; no children at all: nothing.
      expect(yield* PpRow.objects.filter(Q.or({}, Q.and())).count()).toBe(all)
      expect(yield* PpRow.objects.filter(Q.or()).count()).toBe(0)
    }), TIMEOUT)

  it.effect("{ owner: { isNull: undefined } } is no condition, as an undefined lookup of a column", () =>
    Effect.gen(function*() {
      expect(yield* PpRow.objects.filter({ owner: { isNull: undefined } }).count()).toBe(yield* PpRow.objects.count())
    }), TIMEOUT)

  it.effect("an always-false condition after others matches no row (its siblings' parameters go with their SQL)", () =>
    Effect.gen(function*() {
      expect(yield* PpRow.objects.filter({ title: "a", id: { in: [] } }).count()).toBe(0)
      expect(yield* PpRow.objects.filter(Q.and({ title: "a" }, { n: { gt: 1 } }, Q.or())).count()).toBe(0)
      expect(yield* PpRow.objects.exclude({ title: "a", id: { in: [] } }).count()).toBe(yield* PpRow.objects.count())
    }), TIMEOUT)
})
