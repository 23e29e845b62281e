/**
 * Property tests of F expressions: names and operands of every type in filters, parts and updates, refused by kind
 * before SQL or computed as the reference computes them (or a DataError it predicts).
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
import { BigDecimal, DateTime, Duration, Effect, Exit, Option } from "effect"
import fc from "fast-check"
import { F } from "../src/index.js"
import * as Testing from "../src/testing/index.js"
import { name as nameArb } from "./properties/arbitraries.js"
import * as X from "./properties/expressions.js"
import { attempt, check, expectDataError, expectRefused, success, typedError } from "./properties/harness.js"
import { PpRow } from "./properties/models.js"
import * as Ref from "./properties/reference.js"
import { ROW_FIELDS } from "./properties/queries.js"
import { propertySuite, TIMEOUT } from "./properties/suite.js"
import { expectSameRows, expectSameValue, loadWorld, type World } from "./properties/world.js"

// ---- F expressions ----

const F_LOOKUPS = ["exact", "gt", "gte", "lt", "lte", "in", "range"] as const
type FLookup = (typeof F_LOOKUPS)[number]

const fTargets = ["n", "small", "big", "ratio", "price", "span", "at", "day", "time", "title", "body", "flag", "uuid", "doc"]

/** `key` spells the column in the filter when it is not its name (`pk`, a forward relation's `owner`). */
const fFilter = (world: World) => (input: { readonly column: string; readonly key?: string; readonly lookup: FLookup; readonly e1: X.E; readonly e2: X.E }, note: (outcome: string) => void) =>
  Effect.gen(function*() {
    const { column, e1, e2, lookup } = input
    const exprs = lookup === "in" || lookup === "range" ? [e1, e2] : [e1]
    const target = X.columnKind(column)
    // JSON fields have `exact` (and isNull) only.
    const valid = (column !== "doc" || lookup === "exact") && exprs.every((e) => {
      const k = X.kindOf(e)
      return k !== undefined && X.fits(target, k)
    })
    const operand = lookup === "in" || lookup === "range" ? exprs.map(X.toF) : X.toF(e1)
    const outcome = yield* attempt(PpRow.objects.filter({ [input.key ?? column]: { [lookup]: operand } } as any).valuesList("id", { flat: true }))
    if (!valid) return void (expectRefused(outcome, "FieldError"), note("refused"))
    const errors = new Set<string>()
    let maybe = false
    const ids: Array<unknown> = []
    const unknown = new Set<unknown>()
    world.rows.forEach((row) => {
      const values = exprs.map((e) => X.evaluate(e, row))
      const codes = values.map(X.errorOf).filter((c): c is string => c !== undefined)
      // A range is two comparisons ANDed, and `in` over expressions equalities ORed: PostgreSQL may stop at the
      // first that decides, so an error in another may not be raised.
      if (codes.length > 0) {
        codes.forEach((c) => errors.add(c))
        if (lookup === "range" || lookup === "in") maybe = true
        unknown.add(row.id)
        return
      }
      const c = values.map((v) => X.compareWith(column, row, v))
      let match: Ref.TV
      if (c.includes("?")) match = "?"
      else if (lookup === "in") match = c.includes(0) ? true : c.includes(null) ? null : false
      else if (lookup === "range") match = c[0] === null || c[1] === null ? null : (c[0] as number) >= 0 && (c[1] as number) <= 0
      else if (c[0] === null) match = null
      else {
        const x = c[0] as number
        match = lookup === "exact" ? x === 0 : lookup === "gt" ? x > 0 : lookup === "gte" ? x >= 0 : lookup === "lt" ? x < 0 : x <= 0
      }
      if (match === "?") unknown.add(row.id)
      else if (match === true) ids.push(row.id)
    })
    if (errors.size > 0 && !maybe) return void (expectDataError(outcome.exit, [...errors]), note("DataError predicted"))
    if (Exit.isFailure(outcome.exit) && (maybe || unknown.size > 0)) {
      return void (expectDataError(outcome.exit, ["22003", "22008", "22012", "22015"]), note("DataError possible"))
    }
    expectSameRows(success(outcome.exit), { ids, unknown })
    note(unknown.size === world.rows.length ? "rows left to PostgreSQL" : "rows")
  })

const fUpdate = (world: World) => (input: { readonly target: string; readonly e: X.E }, note: (outcome: string) => void) =>
  Effect.gen(function*() {
    const { e, target } = input
    const k = X.kindOf(e)
    const valid = k !== undefined && X.fits(X.columnKind(target), k)
    if (!valid) {
      const outcome = yield* attempt(PpRow.objects.update({ [target]: X.toF(e) } as any))
      return void (expectRefused(outcome, "FieldError"), note("refused"))
    }
    const stored = world.rows.map((row) => X.store(target, X.evaluate(e, row)))
    const errors = new Set(stored.flatMap((s) => (typeof s === "object" && s !== null && "error" in s ? [s.error] : [])))
    const unknown = stored.includes("?")
    const outcome = yield* attempt(guarded(true, Effect.gen(function*() {
      const count = yield* PpRow.objects.update({ [target]: X.toF(e) } as any)
      const after = yield* Effect.exit(PpRow.objects.orderBy("id").valuesList(target as "n", { flat: true }))
      return { count, after }
    })))
    // NULL into the NOT NULL title is the constraint's to refuse (PostgreSQL stops at the first bad row, whichever).
    if (target === "title" && stored.includes(null)) {
      const error = typedError(outcome.exit)
      if (error._tag === "IntegrityError") return void (expect(error.kind).toBe("notNull"), note("NOT NULL"))
    }
    if (errors.size > 0) {
      expectDataError(outcome.exit, unknown ? ["22001", "22003", "22008", "22012", ...errors] : [...errors])
      return note("DataError predicted")
    }
    if (unknown && Exit.isFailure(outcome.exit)) {
      return void (expectDataError(outcome.exit, ["22001", "22003", "22008", "22012"]), note("DataError possible"))
    }
    const { after, count } = success(outcome.exit)
    expect(count).toBe(world.rows.length)
    if (stored.includes("undecodable")) {
      // Stored by PostgreSQL, but beyond what the field holds (a timestamp past 275760 AD, a numeric NaN).
      expect(typedError(after)._tag).toBe("DecodeError")
      return note("DecodeError predicted")
    }
    // A value the reference leaves to PostgreSQL may be one the field cannot hold (a date past 9999).
    if (unknown && Exit.isFailure(after) && typedError(after)._tag === "DecodeError") return note("DecodeError possible")
    const values = success(after)
    stored.forEach((s, i) => {
      if (s === "?") return
      expectSameValue(values[i], s === null ? null : (s as { value: unknown }).value, `row ${world.rows[i]!.id} ${target}`)
    })
    note(unknown ? "values, some left to PostgreSQL" : "values")
  })

const propertyKeyOf = (u: unknown): string | symbol => (typeof u === "string" || typeof u === "symbol" ? u : typeof u === "number" ? String(u) : "nope")

/**
 * Runs `effect` in a savepoint when the reference says it is valid (it may then fail in the database, which must not
 * abort the test's transaction), else as it is (it must be refused before any statement).
 */
const guarded = <A, E, R>(valid: boolean, effect: Effect.Effect<A, E, R>) => (valid ? Testing.isolated(effect) : effect)

/** Whether an expression names a path through a relation (`"owner.name"`), which filters follow and the oracle does not model. */
const throughRelation = (e: X.E): boolean =>
  e._tag === "ref" ? typeof e.field === "string" && /^(owner|rows)\./.test(e.field) : e._tag === "bin" && (throughRelation(e.left) || throughRelation(e.right))

const fAny = (world: World) => (input: { readonly where: "update" | "filter" | "part"; readonly target: unknown; readonly lookup: FLookup; readonly part: string; readonly e: X.E }, note: (outcome: string) => void) =>
  Effect.gen(function*() {
    const { e } = input
    const k = X.kindOf(e)
    const key = propertyKeyOf(input.target)
    // A symbol key is not a name: an object read with Object.keys does not have it (no assignment, no condition).
    const symbol = typeof key === "symbol"
    if (input.where === "update") {
      // A forward relation is written through its key column, an expression as any value.
      const field = key === "owner" ? "ownerId" : X.fieldOf(key)
      const valid = field !== undefined && k !== undefined && X.fits(X.columnKind(field), k)
      const outcome = yield* attempt(guarded(valid || symbol, PpRow.objects.update({ [key]: X.toF(e) } as any)))
      if (symbol) return void expect(success(outcome.exit)).toBe(0)
      if (!valid) return void (expectRefused(outcome, "FieldError"), note("refused"))
      if (Exit.isSuccess(outcome.exit)) return note("updated")
      note("refused by the database")
      const error = typedError(outcome.exit)
      // Changing keys may break their constraints, NULL breaks NOT NULL; anything else refused is a DataError.
      if (error._tag === "IntegrityError" && (field === "id" || field === "ownerId" || error.kind === "notNull")) return
      expectDataError(outcome.exit, ["22001", "22003", "22008", "22012"])
      return
    }
    let condition: Record<string | symbol, unknown>
    let valid: boolean
    if (throughRelation(e)) {
      // A filter follows the path (EXISTS over the related rows): a count, a FieldError, or a DataError; never a defect.
      const field = input.where === "filter" ? key : input.part.split(".")[0]!
      const outcome = yield* attempt(Testing.isolated(PpRow.objects.filter({ [field]: input.where === "filter" ? { [input.lookup]: input.lookup === "in" || input.lookup === "range" ? [X.toF(e), X.toF(e)] : X.toF(e) } : { [input.part.split(".")[1]!]: X.toF(e) } } as any).count()))
      if (Exit.isSuccess(outcome.exit)) return note("through a relation: counted")
      const error = typedError(outcome.exit)
      expect(["FieldError", "DataError"]).toContain(error._tag)
      return note("through a relation: refused")
    }
    if (input.where === "filter") {
      // `{ owner: { in: [...] } }` compares the key column; any other lookup is a field of PpOwner (there is none).
      const field = key === "owner" && input.lookup === "in" ? "ownerId" : X.fieldOf(key)
      const operand = input.lookup === "in" || input.lookup === "range" ? [X.toF(e), X.toF(e)] : X.toF(e)
      condition = { [key]: { [input.lookup]: operand } }
      valid = symbol || (field !== undefined && k !== undefined && X.fits(X.columnKind(field), k) &&
        (field !== "doc" || input.lookup === "exact"))
      // A comparison PostgreSQL can compute selects the reference's rows (the same check as "F in filters").
      if (valid && !symbol) return yield* Testing.isolated(fFilter(world)({ column: field!, key: key as string, lookup: input.lookup, e1: e, e2: e }, note))
    } else {
      const [field, part] = input.part.split(".") as [string, string]
      condition = { [field]: { [part]: X.toF(e) } }
      valid = k !== undefined && X.fits(part === "date" ? "date" : "numeric", k)
    }
    const outcome = yield* attempt(guarded(valid, PpRow.objects.filter(condition as any).count()))
    if (!valid) return void (expectRefused(outcome, "FieldError"), note("refused"))
    // No condition at all (a symbol key): every row.
    if (symbol && input.where === "filter") return void (expect(success(outcome.exit)).toBe(world.rows.length), note("no condition"))
    if (Exit.isFailure(outcome.exit)) return void (expectDataError(outcome.exit, ["22003", "22008", "22012"]), note("refused by the database"))
    note("counted")
  })

propertySuite("expressions", (it, D) => {
  it.effect("F in filter comparisons: refused by kind, or the reference's rows (or a DataError it predicts)", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      const input = fc.constantFrom(...fTargets, "id", "ownerId").chain((column) =>
        fc.record({ column: fc.constant(column), lookup: fc.constantFrom(...F_LOOKUPS), e1: X.exprFor(column), e2: X.exprFor(column) })
      )
      yield* check(D, "F in filters", input, 400, fFilter(world))
    }), TIMEOUT)

  it.effect("F in updates: refused by kind, or every row holds the reference's value (or a DataError it predicts)", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      const input = fc.constantFrom(...fTargets).chain((target) => fc.record({ target: fc.constant(target), e: X.exprFor(target) }))
      yield* Testing.isolated(check(D, "F in updates", input, 200, fUpdate(world)))
    }), TIMEOUT)

  it.effect("F with any name and operand of any type: a FieldError before SQL unless PostgreSQL can compute it", () =>
    Effect.gen(function*() {
      const world = yield* loadWorld
      const input = fc.record({
        where: fc.constantFrom("update" as const, "filter" as const, "part" as const),
        target: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ROW_FIELDS, "pk") }, { weight: 1, arbitrary: nameArb }),
        lookup: fc.constantFrom(...F_LOOKUPS),
        part: fc.constantFrom("at.year", "at.hour", "at.date", "day.month", "day.weekDay", "time.second"),
        e: X.anyExpr
      })
      yield* Testing.isolated(check(D, "F with any operands", input, 3000, fAny(world)))
    }), TIMEOUT)

  // ---- regressions: failures of src/ these properties found, each on its minimal input ----

  it.effect("an F operand the database cannot hold is a FieldError before SQL", () =>
    Effect.gen(function*() {
      expectRefused(yield* attempt(PpRow.objects.update({ price: F("price").add(BigDecimal.make(1n, -200_000)) })), "FieldError")
      expectRefused(yield* attempt(PpRow.objects.update({ span: F("span").add(Duration.micros(2n ** 63n)) })), "FieldError")
      expectRefused(yield* attempt(PpRow.objects.filter({ price: { gt: F("price").mul(BigDecimal.make(1n, 20_000)) } }).count()), "FieldError")
    }), TIMEOUT)

  it.effect("a Date column outside 0001-9999 (computed by F) reads as a DecodeError naming the model, key and field", () =>
    Testing.isolated(Effect.gen(function*() {
      const [id] = yield* PpRow.objects.filter({ day: "2024-02-29" }).valuesList("id", { flat: true })
      yield* PpRow.objects.filter({ id: id! }).update({ day: F("day").sub(Duration.days(800_000)) })
      const error = typedError(yield* Effect.exit(PpRow.objects.filter({ id: id! }).valuesList("day", { flat: true })))
      expect(error._tag).toBe("DecodeError")
      expect(typedError(yield* Effect.exit(PpRow.objects.get({ id: id! })))).toMatchObject({ _tag: "DecodeError", model: "PpRow", pk: id, field: "day" })
    })), TIMEOUT)

  it.effect("a timestamp with microseconds reads truncated towards the past, before and after 2000, on every driver", () =>
    Testing.isolated(Effect.gen(function*() {
      const row = yield* PpRow.objects.filter({ at: { isNull: false } }).first()
      const id = Option.getOrThrow(row).id
      for (const ms of [0, 946_684_800_000, -1_000_000_000_000, 1_700_000_000_000]) {
        yield* PpRow.objects.filter({ id }).update({ at: DateTime.makeUnsafe(ms) })
        yield* PpRow.objects.filter({ id }).update({ at: F("at").add(Duration.micros(1n)) })
        expect(DateTime.toEpochMillis((yield* PpRow.objects.get({ id })).at!)).toBe(ms)
        yield* PpRow.objects.filter({ id }).update({ at: F("at").sub(Duration.micros(2n)) })
        expect(DateTime.toEpochMillis((yield* PpRow.objects.get({ id })).at!)).toBe(ms - 1)
      }
    })), TIMEOUT)
})
