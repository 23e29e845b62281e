/**
 * One property suite per test file, on every driver: the seeded rows in a database of the file's own, the suite's
 * inputs counted per driver and printed when it ends (`properties (filters) on pglite: 9 properties, 12,600 inputs`).
 */
import { afterAll, layer, type Vitest } from "@effect/vitest"
import { Layer } from "effect"
import type * as SqlClient from "effect/sql/SqlClient"
import type { Db } from "../../src/index.js"
import * as Testing from "../../src/testing/index.js"
import { MULTIPLIER, SEED, stats } from "./harness.js"
import { models, seed } from "./models.js"

/** A property test's timeout, longer when `EFFECT_ORM_PROPERTY_RUNS` asks for more inputs. */
export const TIMEOUT = Math.round(60_000 * Math.max(1, MULTIPLIER))

export type It = Vitest.MethodsNonLive<Db.Db | SqlClient.SqlClient>

/** Registers `body`'s tests once per driver, in a layer holding the seeded rows. */
export const propertySuite = (title: string, body: (it: It, driver: string) => void): void => {
  for (const driver of Testing.drivers(models)) {
    const D = driver.name
    const seeded = Layer.effectDiscard(seed).pipe(Layer.provideMerge(driver.layer))
    layer(seeded, { timeout: "120 seconds" })(`properties: ${title} (${D})`, (it) => {
      afterAll(() => {
        const mine = [...stats].filter(([k]) => k.startsWith(`${D}:`))
        const runs = mine.reduce((n, [, s]) => n + s.runs, 0)
        const ms = mine.reduce((n, [, s]) => n + s.ms, 0)
        console.log(`properties (${title}) on ${D}: ${mine.length} properties, ${runs} inputs, ${(ms / 1000).toFixed(1)} s (seed ${SEED}, runs x${MULTIPLIER})\n${
          mine.map(([k, s]) =>
            `  ${k.slice(D.length + 2)}: ${s.runs} in ${(s.ms / 1000).toFixed(2)} s${
              Object.keys(s.outcomes).length === 0 ? "" : ` (${Object.entries(s.outcomes).map(([o, n]) => `${o} ${n}`).join(", ")})`
            }`
          ).join("\n")
        }`)
      })
      body(it, D)
    })
  }
}
