import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as Testing from "../src/testing/index.js"
import { allModels, Publisher } from "./models.js"

for (const driver of Testing.drivers(allModels)) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("creates and reads", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* Publisher.objects.create({ name: "Apress" })
        expect(yield* Publisher.objects.count()).toBe(1)
      })))
    it.effect("is isolated", () =>
      Testing.isolated(Effect.gen(function*() {
        expect(yield* Publisher.objects.count()).toBe(0)
      })))
  })
}
describe("plain", () => { it("x", () => expect(1).toBe(1)) })
import { it } from "vitest"
