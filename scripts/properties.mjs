// Runs the property tests (test/properties*.test.ts) with more inputs than `npm test` does: every property's number
// of runs times EFFECT_ORM_PROPERTY_RUNS (default 10). Other arguments go to vitest. The base seed is
// EFFECT_ORM_PROPERTY_SEED (fixed by default), so that a failure reproduces with the same two variables:
//
//   npm run test:properties
//   EFFECT_ORM_PROPERTY_RUNS=50 EFFECT_ORM_PROPERTY_SEED=7 npm run test:properties
//
// With DATABASE_URL set, the PostgreSQL server is tested as well as PGlite. At the end, the inputs checked per
// driver (each file prints its own count) are added up.
import { spawn } from "node:child_process"
import { readdirSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

const require = createRequire(import.meta.url)
const vitest = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs")
const runs = process.env.EFFECT_ORM_PROPERTY_RUNS || "10"
const files = readdirSync("test").filter((f) => /^properties.*\.test\.ts$/.test(f)).sort().map((f) => `test/${f}`)
const started = Date.now()
const child = spawn(process.execPath, [vitest, "run", ...files, ...process.argv.slice(2)], {
  stdio: ["inherit", "pipe", "inherit"],
  env: { ...process.env, EFFECT_ORM_PROPERTY_RUNS: runs }
})
const totals = new Map()
let pending = ""
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk)
  pending += chunk.toString()
  const lines = pending.split("\n")
  pending = lines.pop()
  for (const line of lines) {
    // eslint-disable-next-line no-control-regex
    const m = /properties \(.*\) on (\S+): (\d+) properties, (\d+) inputs/.exec(line.replace(/\u001b\[[0-9;]*m/g, ""))
    if (m !== null) {
      const t = totals.get(m[1]) ?? { properties: 0, inputs: 0 }
      totals.set(m[1], { properties: t.properties + Number(m[2]), inputs: t.inputs + Number(m[3]) })
    }
  }
})
child.on("close", (code) => {
  for (const [driver, t] of totals) {
    console.log(`property tests on ${driver}: ${t.properties} properties, ${t.inputs} inputs (runs x${runs})`)
  }
  console.log(`property tests: ${((Date.now() - started) / 1000).toFixed(0)} s in all`)
  process.exit(code ?? 1)
})
