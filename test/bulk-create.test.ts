/**
 * `bulkCreate(rows, { returning: false })` on every driver: the rows are written, nothing is read back, the count is
 * the database's (conflicts skipped are not counted), and bad rows still fail before any SQL.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Field, Model } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

class BcUser extends Model.Class<BcUser>("BcUser")({
  id: Field.AutoField(),
  email: Field.Char({ maxLength: 100, unique: true }),
  age: Field.Integer({ default: 30 })
}, { table: "bc_user" }) {}

for (const driver of Testing.drivers([BcUser])) {
  layer(driver.layer)(driver.name, (it) => {
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
