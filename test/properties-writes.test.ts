/**
 * Property tests of writes: create, bulkCreate and update of every field kind, refused values, JSON (hostile, deep,
 * cyclic), pk in writes; every write reads back as written, and a refused one writes nothing.
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
import { Duration, Effect } from "effect"
import fc from "fast-check"
import { type Db } from "../src/index.js"
import * as Testing from "../src/testing/index.js"
import { cyclic, deepJson, hostile, json, jsonValue, valueFor } from "./properties/arbitraries.js"
import { attempt, check, expectRefused, success, typedError } from "./properties/harness.js"
import { PpRow, PpWrite } from "./properties/models.js"
import * as Ref from "./properties/reference.js"
import { propertySuite, TIMEOUT } from "./properties/suite.js"
import {
  createData,
  expectCreate,
  expectUpdate,
  rowProblems,
  updateData,
  WRITE_FIELDS,
  WRITE_KEYS,
  writeValue
} from "./properties/writes.js"

// ---- writes ----

const createOne = (input: Record<string, unknown>, note: (outcome: string) => void) =>
  Effect.gen(function*() {
    const expected = expectCreate(input)
    const outcome = yield* attempt(PpWrite.objects.create(input as any))
    note(expected._tag === "ok" ? "written" : expected._tag === "invalid" ? "ValidationError" : "FieldError")
    if (expected._tag !== "ok") {
      if (expected._tag === "unknownKey") expectRefused(outcome, "FieldError")
      else {
        const error = expectRefused(outcome, "ValidationError") as any
        expect(error.issues.map((i: any) => i.field).sort()).toEqual([...expected.fields].sort())
      }
      return false
    }
    const instance = success(outcome.exit) as unknown as Record<string, unknown>
    expect(outcome.queries).toHaveLength(1)
    expect(rowProblems(instance, expected.row)).toEqual([])
    const read = yield* PpWrite.objects.get({ id: instance.id as number })
    expect(rowProblems(read as unknown as Record<string, unknown>, expected.row)).toEqual([])
    return true
  })

const bulkCreate = (input: ReadonlyArray<Record<string, unknown>>, note: (outcome: string) => void) =>
  Effect.gen(function*() {
    const expectations = input.map((d, i) => expectCreate(d, input.length === 1 ? "" : `[${i}].`))
    note(expectations.every((e) => e._tag === "ok") ? "written" : "refused")
    const outcome = yield* attempt(PpWrite.objects.bulkCreate(input as any))
    if (expectations.some((e) => e._tag === "unknownKey")) {
      expectRefused(outcome, "FieldError")
      return 0
    }
    const invalid = expectations.flatMap((e) => (e._tag === "invalid" ? e.fields : []))
    if (invalid.length > 0) {
      const error = expectRefused(outcome, "ValidationError") as any
      expect(error.issues.map((i: any) => i.field).sort()).toEqual([...invalid].sort())
      return 0
    }
    const instances = success(outcome.exit) as unknown as ReadonlyArray<Record<string, unknown>>
    expect(outcome.queries).toHaveLength(input.length === 0 ? 0 : 1)
    expect(instances).toHaveLength(input.length)
    const rows = expectations.map((e) => (e as Extract<typeof e, { _tag: "ok" }>).row)
    instances.forEach((inst, i) => expect(rowProblems(inst, rows[i]!)).toEqual([]))
    const read = yield* PpWrite.objects.filter({ id: { in: instances.map((i) => i.id as number) } }).orderBy("id").all()
    read.forEach((r, i) => expect(rowProblems(r as unknown as Record<string, unknown>, rows[i]!)).toEqual([]))
    return input.length
  })

propertySuite("writes", (it, D) => {
  it.effect("a written value a field cannot hold is a ValidationError naming it, with nothing written", () =>
    Testing.isolated(Effect.gen(function*() {
      const base = yield* PpWrite.objects.create({ req: 1 })
      const input = fc.record({
        op: fc.constantFrom("create" as const, "bulkCreate" as const, "update" as const),
        field: fc.constantFrom(...WRITE_KEYS),
        value: fc.oneof(hostile, fc.constantFrom(...WRITE_KEYS).chain(writeValue))
      }).filter(({ field, value }) => {
        const f = WRITE_FIELDS[field]!
        return value !== undefined && (value === null ? !f.nullable : !f.ok(value))
      })
      yield* check(D, "refused written values", input, 4000, ({ field, op, value }) =>
        Effect.gen(function*() {
          const row = { req: 1, [field]: value }
          const write: Effect.Effect<unknown, unknown, Db.Db> = op === "create"
            ? PpWrite.objects.create(row as any)
            : op === "bulkCreate"
            ? PpWrite.objects.bulkCreate([{ req: 2 }, row as any])
            : PpWrite.objects.filter({ id: base.id }).update({ [field]: value } as any)
          const outcome = yield* attempt(write)
          const error = expectRefused(outcome, "ValidationError") as any
          expect(error.issues.map((i: any) => i.field)).toEqual([op === "bulkCreate" ? `[1].${field}` : field])
        }))
      expect(yield* PpWrite.objects.count()).toBe(1)
    })), TIMEOUT)

  it.effect("create: refused with every invalid field named and nothing written, or read back exactly", () =>
    Testing.isolated(Effect.gen(function*() {
      let written = 0
      yield* check(D, "create", createData, 500, (data, note) =>
        Effect.map(createOne(data, note), (ok) => {
          if (ok) written++
        }))
      // Nothing but the successful creates was written (a refused one ran no statement at all).
      expect(yield* PpWrite.objects.count()).toBe(written)
    })), TIMEOUT)

  it.effect("bulkCreate: all rows or none, each read back exactly", () =>
    Testing.isolated(Effect.gen(function*() {
      let written = 0
      yield* check(D, "bulkCreate", fc.array(createData, { maxLength: 4 }), 200, (rows, note) =>
        Effect.map(bulkCreate(rows, note), (n) => {
          written += n
        }))
      expect(yield* PpWrite.objects.count()).toBe(written)
    })), TIMEOUT)

  it.effect("update: refused with nothing written, or the row holds the new values", () =>
    Testing.isolated(Effect.gen(function*() {
      const base = yield* PpWrite.objects.create({ req: 1 })
      let current = (expectCreate({ req: 1 }) as Extract<ReturnType<typeof expectCreate>, { _tag: "ok" }>).row
      yield* check(D, "update", updateData, 300, (values, note) =>
        Effect.gen(function*() {
          const expected = expectUpdate(current, values)
          note(expected._tag === "ok" ? "written" : "refused")
          const outcome = yield* attempt(PpWrite.objects.filter({ id: base.id }).update(values as any))
          if (expected._tag === "unknownKey") return void expectRefused(outcome, "FieldError")
          if (expected._tag === "invalid") {
            const error = expectRefused(outcome, "ValidationError") as any
            expect(error.issues.map((i: any) => i.field).sort()).toEqual([...expected.fields].sort())
            return
          }
          const given = Object.values(values).some((v) => v !== undefined)
          expect(success(outcome.exit)).toBe(given ? 1 : 0)
          expect(outcome.queries).toHaveLength(given ? 1 : 0)
          const read = (yield* PpWrite.objects.get({ id: base.id })) as unknown as Record<string, unknown>
          current = expected.row
          expect(rowProblems(read, expected.row)).toEqual([])
        }))
    })), TIMEOUT)

  it.effect("JSON, hostile and deep: refused before SQL, or stored and found again by jsonb equality", () =>
    Testing.isolated(Effect.gen(function*() {
      const input = fc.oneof(
        { weight: 6, arbitrary: jsonValue.map((value) => ({ value, depth: 0 })) },
        { weight: 2, arbitrary: json.map((value) => ({ value, depth: 0 })) },
        { weight: 1, arbitrary: cyclic.map((value) => ({ value, depth: 0 })) },
        { weight: 1, arbitrary: deepJson }
      )
      yield* check(D, "JSON values", input, 400, ({ depth, value }, note) =>
        Effect.gen(function*() {
          const ok = Ref.jsonOk(value)
          const outcome = yield* attempt(PpWrite.objects.create({ req: 0, json: value }))
          if (value === undefined) return
          note(ok ? (depth > 0 ? "deep, written" : "written") : depth > Ref.MAX_JSON_DEPTH ? "too deep, refused" : "refused")
          if (!ok) {
            expectRefused(outcome, "ValidationError")
            expectRefused(yield* attempt(PpWrite.objects.filter({ json: { exact: value } }).count()), "FieldError")
            return
          }
          const row = success(outcome.exit)
          // The row as PostgreSQL returned it holds the value as JSON.stringify wrote it, and the row is found by
          // jsonb equality with the value it was written from.
          const n = yield* PpWrite.objects.filter({ id: row.id, json: (value === null ? null : { exact: value }) as any }).count()
          expect(n).toBe(1)
          expect(Ref.jsonEqual(row.json, value === null ? null : Ref.jsonNormal(value))).toBe(true)
        }))
    })), TIMEOUT)

  it.effect("pk in create and update names the primary key; with the field too, a FieldError", () =>
    Effect.gen(function*() {
      const input = fc.record({
        pk: fc.oneof(fc.integer({ min: 100_000, max: 2147483647 }), valueFor("id"), fc.constant(undefined)),
        both: fc.boolean(),
        update: fc.boolean()
      })
      yield* check(D, "pk writes", input, 150, ({ both, pk, update }, note) =>
        Effect.gen(function*() {
          const valid = Number.isSafeInteger(pk) && (pk as number) >= -2147483648 && (pk as number) <= 2147483647
          const data = both ? { pk, id: 5, req: 1 } : { pk, req: 1 }
          let created = -1
          const outcome = yield* attempt(Testing.isolated(Effect.gen(function*() {
            if (!update) return (yield* PpWrite.objects.create(data as any)).id
            const row = yield* PpWrite.objects.create({ req: 1 })
            created = row.id
            const count = yield* PpWrite.objects.filter({ pk: row.id }).update(both ? { pk, id: 5 } as any : { pk } as any)
            // An undefined pk is an omitted one: alone, nothing to update.
            expect(count).toBe(pk === undefined && !both ? 0 : 1)
            return (yield* PpWrite.objects.get({ req: 1 })).id
          })))
          if (pk === undefined) {
            // An undefined pk is an omitted one, in create as in update (with the field too, the field's value).
            note("undefined pk")
            const id = success(outcome.exit)
            if (both) expect(id).toBe(5)
            else if (update) expect(id).toBe(created)
            else expect(id).toBeTypeOf("number")
            return
          }
          if (both) {
            note("both")
            const error = typedError(outcome.exit)
            expect(error._tag).toBe("FieldError")
            expect(outcome.queries.length).toBe(update ? 1 : 0)
            return
          }
          if (!valid) {
            note("refused")
            const error = typedError(outcome.exit)
            expect(error._tag).toBe("ValidationError")
            expect(outcome.queries.length).toBe(update ? 1 : 0)
            return
          }
          note("written")
          // -0 is the key 0.
          expect(success(outcome.exit)).toBe(pk === 0 ? 0 : pk)
        }))
    }), TIMEOUT)

  // ---- regressions: failures of src/ these properties found, each on its minimal input ----

  it.effect("a Duration beyond 64-bit microseconds is a FieldError in filters and a ValidationError in writes", () =>
    Testing.isolated(Effect.gen(function*() {
      const before = yield* PpWrite.objects.count()
      const tooLong = Duration.micros(2n ** 63n)
      expectRefused(yield* attempt(PpRow.objects.filter({ span: tooLong }).count()), "FieldError")
      expectRefused(yield* attempt(PpRow.objects.filter({ span: { in: [Duration.seconds(1), tooLong] } }).count()), "FieldError")
      expectRefused(yield* attempt(PpWrite.objects.create({ req: 1, duration: tooLong })), "ValidationError")
      expectRefused(yield* attempt(PpWrite.objects.create({ req: 1, duration: Duration.millis(1e300) })), "ValidationError")
      expect(yield* PpWrite.objects.count()).toBe(before)
      // The largest interval still fits.
      const row = yield* PpWrite.objects.create({ req: 1, duration: Duration.micros(2n ** 63n - 1n) })
      expect(Duration.toNanosUnsafe((yield* PpWrite.objects.get({ id: row.id })).duration!)).toBe((2n ** 63n - 1n) * 1000n)
    })), TIMEOUT)

  it.effect("JSON nested deeper than 1,000 levels is refused before SQL (ValidationError, FieldError); 1,000 is stored", () =>
    Testing.isolated(Effect.gen(function*() {
      const before = yield* PpWrite.objects.count()
      const nest = (depth: number, arrays: boolean) => {
        let value: unknown = "leaf"
        for (let i = 0; i < depth; i++) value = arrays ? [value] : { k: value }
        return value
      }
      for (const depth of [1001, 5_000, 100_000]) {
        for (const arrays of [true, false]) {
          const value = nest(depth, arrays)
          expectRefused(yield* attempt(PpWrite.objects.create({ req: 1, json: value })), "ValidationError")
          expectRefused(yield* attempt(PpWrite.objects.filter({ json: { exact: value } }).count()), "FieldError")
        }
      }
      expect(yield* PpWrite.objects.count()).toBe(before)
      const value = nest(1000, false)
      const row = yield* PpWrite.objects.create({ req: 1, json: value })
      expect(yield* PpWrite.objects.filter({ id: row.id, json: { exact: value } }).count()).toBe(1)
    })), TIMEOUT)

  it.effect("create({ pk: undefined }) leaves the key to the database, as an omitted pk", () =>
    Testing.isolated(Effect.gen(function*() {
      const row = yield* PpWrite.objects.create({ pk: undefined, req: 1 })
      expect(row.id).toBeTypeOf("number")
      expect((yield* PpWrite.objects.create({ pk: undefined, id: 777, req: 1 })).id).toBe(777)
    })), TIMEOUT)

  it.effect("JSON null in a non-nullable JSON field is a ValidationError naming it, with nothing written", () =>
    Testing.isolated(Effect.gen(function*() {
      const before = yield* PpWrite.objects.count()
      const error = expectRefused(yield* attempt(PpWrite.objects.create({ req: 1, strict: null })), "ValidationError") as any
      expect(error.issues.map((i: any) => i.field)).toEqual(["strict"])
      const row = yield* PpWrite.objects.create({ req: 1, strict: [null] })
      expectRefused(yield* attempt(PpWrite.objects.filter({ id: row.id }).update({ strict: null })), "ValidationError")
      expect((yield* PpWrite.objects.get({ id: row.id })).strict).toEqual([null])
      expect(yield* PpWrite.objects.count()).toBe(before + 1)
    })), TIMEOUT)
})
