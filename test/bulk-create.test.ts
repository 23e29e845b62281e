/**
 * `bulkCreate` on every driver. Several rows go as one text array per column (`unnest`): one statement for any number
 * of rows (beyond the 65,535 parameters of a VALUES list), the same text for every row count, conflicts and integrity
 * errors as with VALUES; rows that leave a given column to its default go as VALUES with DEFAULT. With
 * `{ returning: false }` the rows are written, nothing is read back, the count is the database's (conflicts skipped
 * are not counted), and bad rows still fail before any SQL.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Count, Db, Field, Model, Sum } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

class BcUser extends Model.Class<BcUser>("BcUser")({
  id: Field.AutoField(),
  email: Field.Char({ maxLength: 100, unique: true }),
  age: Field.Integer({ default: 30 })
}, { table: "bc_user" }) {}

for (const driver of Testing.drivers([BcUser])) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("sends the rows as one array per column: one statement text for every row count", () =>
      Testing.isolated(Effect.gen(function*() {
        const make = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ email: `a${from + i}@example.org`, age: from + i }))
        const three = yield* Testing.captureQueries(BcUser.objects.bulkCreate(make(3, 0)))
        const seven = yield* Testing.captureQueries(BcUser.objects.bulkCreate(make(7, 10)))
        expect(three.queries.length).toBe(1)
        expect(seven.queries[0]!.sql).toBe(three.queries[0]!.sql)
        expect(three.queries[0]!.sql).toContain("unnest(")
        expect(seven.queries[0]!.params).toEqual([make(7, 10).map((r) => r.email), make(7, 10).map((r) => String(r.age))])
        expect(seven.result.map((u) => [u.email, u.age])).toEqual(make(7, 10).map((r) => [r.email, r.age]))
        expect(yield* BcUser.objects.orderBy("age").valuesList("age", { flat: true })).toEqual([0, 1, 2, 10, 11, 12, 13, 14, 15, 16])
      })))

    it.effect("writes more rows in one statement than a VALUES list could bind", () =>
      Testing.isolated(Effect.gen(function*() {
        const rows = Array.from({ length: 40_000 }, (_, i) => ({ email: `m${i}@example.org`, age: i }))
        const { queries, result } = yield* Testing.captureQueries(BcUser.objects.bulkCreate(rows, { returning: false }))
        expect(result).toBe(40_000)
        expect(queries.length).toBe(1)
        expect(yield* BcUser.objects.aggregate({ n: Count(), total: Sum("age") })).toEqual({ n: 40_000, total: 799_980_000 })
      })))

    it.effect("rows that leave a given column to its default go as VALUES with DEFAULT", () =>
      Testing.isolated(Effect.gen(function*() {
        const { queries, result } = yield* Testing.captureQueries(BcUser.objects.bulkCreate([
          { id: 900, email: "given@example.org" },
          { email: "generated@example.org" }
        ]))
        expect(queries.length).toBe(1)
        expect(queries[0]!.sql).toContain("DEFAULT")
        expect(result[0]!.id).toBe(900)
        expect(result[1]!.id).not.toBe(900)
        expect(yield* BcUser.objects.count()).toBe(2)
      })))

    it.effect("conflicts through the arrays: skipped, or updated; a unique violation is an IntegrityError writing nothing", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* BcUser.objects.create({ email: "a@example.org", age: 1 })
        const skipped = yield* BcUser.objects.bulkCreate([{ email: "a@example.org", age: 2 }, { email: "b@example.org", age: 3 }], { ignoreConflicts: true })
        expect(skipped.map((u) => u.email)).toEqual(["b@example.org"])
        yield* BcUser.objects.bulkCreate(
          [{ email: "a@example.org", age: 20 }, { email: "c@example.org", age: 4 }],
          { updateConflicts: { uniqueFields: ["email"], updateFields: ["age"] } }
        )
        expect(yield* BcUser.objects.orderBy("email").valuesList("email", "age")).toEqual([["a@example.org", 20], ["b@example.org", 3], ["c@example.org", 4]])
        const error = yield* Effect.flip(Db.atomic(BcUser.objects.bulkCreate([{ email: "d@example.org" }, { email: "b@example.org" }])))
        expect(error._tag === "IntegrityError" && error.kind).toBe("unique")
        expect(yield* BcUser.objects.count()).toBe(3)
      })))

    it.effect("writes the rows and gives their count, reading nothing back", () =>
      Testing.isolated(Effect.gen(function*() {
        const rows = Array.from({ length: 250 }, (_, i) => ({ email: `u${i}@example.org`, ...(i % 2 === 0 ? { age: i } : {}) }))
        const { queries, result } = yield* Testing.captureQueries(BcUser.objects.bulkCreate(rows, { returning: false, batchSize: 100 }))
        expect(result).toBe(250)
        expect(queries.length).toBe(3)
        expect(queries.every((q) => !q.sql.includes("RETURNING"))).toBe(true)
        expect(yield* BcUser.objects.count()).toBe(250)
        expect(yield* BcUser.objects.filter({ email: "u3@example.org" }).valuesList("age", { flat: true })).toEqual([30])
        // The default form still returns instances.
        const made = yield* BcUser.objects.bulkCreate([{ email: "x@example.org" }])
        expect(made[0]!.id).toBeGreaterThan(0)
      })))

    it.effect("counts only the rows written when conflicts are skipped, and fails bad rows before SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* BcUser.objects.create({ email: "a@example.org" })
        const written = yield* BcUser.objects.bulkCreate([{ email: "a@example.org" }, { email: "b@example.org" }], { returning: false, ignoreConflicts: true })
        expect(written).toBe(1)
        expect(yield* BcUser.objects.bulkCreate([], { returning: false })).toBe(0)
        const { queries, result } = yield* Testing.captureQueries(Effect.flip(BcUser.objects.bulkCreate([{ email: "c@example.org", age: "x" as any }], { returning: false })))
        expect(result._tag).toBe("ValidationError")
        expect(queries).toEqual([])
        expect(yield* BcUser.objects.count()).toBe(2)
      })))
  })
}
