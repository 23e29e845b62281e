#!/usr/bin/env node
// Type-checking cost benchmark (issue #9, item 4): generates projects of N models (with and without an audit key to
// User) and 1,000 typed queries, for effect-orm and for Drizzle 0.45, runs tsc on each and reports errors, check
// time, CPU time, memory, types and instantiations. See README.md beside this file.
//
//   node bench/types/run.mjs                              # 25, 50 and 100 models, both variants, both ORMs
//   node bench/types/run.mjs --sizes 25,50 --only drizzle
//   node bench/types/run.mjs --sizes 50 --queries 250,500,1000   # linearity: cost against the number of queries
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import * as Drizzle from "./lib/drizzle.mjs"
import * as EffectOrm from "./lib/effect-orm.mjs"
import { rootCompilerOptions, writeProject } from "./lib/project.mjs"
import { generateQueries, kindCounts } from "./lib/queries.mjs"
import { currentUptime, renderSection, runContext, tableRow, TABLE_HEADER, writeResults } from "./lib/report.mjs"
import { describeSchema, generateSchema, withAudit } from "./lib/schema.mjs"
import { summariseTrace } from "./lib/trace.mjs"
import { runTsc, tscVersion } from "./lib/tsc.mjs"

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, "../..")
const tscDir = path.join(here, "node_modules", "typescript")

const USAGE = `usage: node bench/types/run.mjs [options]
  --sizes 25,50,100        numbers of models (default 25,50,100; 50 with several --queries)
  --queries 1000           queries per project; several (250,500,1000) measure linearity at one size
  --only effect-orm|drizzle
  --audit both|with|without
  --repeat 1               runs per project; the report gives the run with the median check time, and the range
  --timeout 600            seconds per tsc run before it is stopped and reported as a timeout
  --seed 9                 the generator's seed (same seed, same code)
  --audit-reverse          User also declares the audit key's reverse sides (Field.Reverse per model)
  --cycle-ref docs|key     how effect-orm cycle keys are annotated: Model.Ref<T> (the docs' form, default) or Model.Ref<T, number>
  --trace                  also run tsc --generateTrace (kept under the output folder) and summarise its hot spots
  --orm-from dist|src      effect-orm as an application gets it, its built declarations (dist, the default: built
                           once per run into the output folder) or its sources checked with the project (src)
  --keep                   keep the generated projects (printed at the end)
  --out DIR                where projects are generated (default: a temporary folder)
  --check                  exit with status 1 when a project has a type error or does not finish (for CI)
  --results FILE           the report (default bench/types/results.md; "-" prints only)`

const ORMS = {
  "effect-orm": {
    render: (schema, queries, options) => EffectOrm.renderProject(schema, queries, options),
    // The ORM's sources through the path mapping the root tsconfig uses, and the root's node_modules (effect).
    project: { nodeModules: path.join(repoRoot, "node_modules"), paths: { "effect-orm": [path.join(repoRoot, "src/index.ts")] } },
    // src/ uses Node's types (Buffer, node:fs), as the root tsconfig's `types: ["node"]` gives them.
    types: undefined
  },
  drizzle: {
    render: (schema, queries) => Drizzle.renderProject(schema, queries),
    project: { nodeModules: path.join(here, "node_modules"), paths: undefined },
    types: []
  }
}

const parseOptions = () => {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string" },
      queries: { type: "string", default: "1000" },
      only: { type: "string" },
      audit: { type: "string", default: "both" },
      timeout: { type: "string", default: "600" },
      repeat: { type: "string", default: "1" },
      seed: { type: "string", default: "9" },
      "cycle-ref": { type: "string", default: "docs" },
      "audit-reverse": { type: "boolean", default: false },
      "orm-from": { type: "string", default: "dist" },
      check: { type: "boolean", default: false },
      trace: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      out: { type: "string" },
      results: { type: "string", default: path.join(here, "results.md") },
      help: { type: "boolean", default: false }
    }
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const list = (s) => s.split(",").map((n) => Number(n.trim())).filter((n) => Number.isInteger(n) && n >= 0)
  const queries = list(values.queries).sort((a, b) => a - b)
  const linear = queries.length > 1
  const sizes = values.sizes ? list(values.sizes) : linear ? [50] : [25, 50, 100]
  if (linear && sizes.length !== 1) throw new Error("with several --queries, give one --sizes")
  if (values.only && !ORMS[values.only]) throw new Error(`--only takes ${Object.keys(ORMS).join(" or ")}`)
  if (!["key", "docs"].includes(values["cycle-ref"])) throw new Error("--cycle-ref takes key or docs")
  if (!["dist", "src"].includes(values["orm-from"])) throw new Error("--orm-from takes dist or src")
  const audits = { both: [false, true], with: [true], without: [false] }[values.audit]
  if (!audits) throw new Error("--audit takes both, with or without")
  return {
    sizes,
    queries,
    linear,
    orms: values.only ? [values.only] : Object.keys(ORMS),
    audits,
    timeout: Number(values.timeout),
    repeat: Math.max(1, Number(values.repeat)),
    seed: Number(values.seed),
    cycleRef: values["cycle-ref"],
    auditReverse: values["audit-reverse"],
    ormFrom: values["orm-from"],
    check: values.check,
    trace: values.trace,
    keep: values.keep || values.trace,
    out: values.out,
    results: values.results
  }
}

/** The TypeScript the root project pins, which bench/types/package.json must pin too. */
const checkTypeScript = () => {
  if (!existsSync(tscDir)) throw new Error("bench/types has no node_modules: run `npm ci` in bench/types first")
  const pinned = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")).devDependencies?.typescript
  const installed = tscVersion(tscDir)
  if (pinned && pinned !== installed) console.warn(`warning: the root pins typescript ${pinned}, bench/types has ${installed}`)
  return installed
}

/**
 * The run with the median check time of `times` runs (the machine's load moves times; types and instantiations do
 * not), with the range of the check times. A run that does not finish is not repeated.
 */
const repeated = async (times, run) => {
  const results = [await run()]
  while (results.length < times && results[0].status === "done") results.push(await run())
  if (results.length === 1) return results[0]
  const checks = results.map((r) => r.diagnostics.checkSeconds).sort((a, b) => a - b)
  const median = results.find((r) => r.diagnostics.checkSeconds === checks[Math.floor((checks.length - 1) / 2)])
  return { ...median, checkRange: [checks[0], checks.at(-1)], runs: results.length }
}

/**
 * effect-orm's declarations (`tsc -p tsconfig.build.json`, declarations only) in `workDir/effect-orm-dist`: what an
 * application reads from the package, and skips checking with `skipLibCheck`, as it does Drizzle's.
 */
const buildDeclarations = (workDir) => {
  const outDir = path.join(workDir, "effect-orm-dist")
  execFileSync(process.execPath, [
    path.join(tscDir, "lib/tsc.js"), "-p", path.join(repoRoot, "tsconfig.build.json"), "--emitDeclarationOnly",
    "--declarationMap", "false", "--sourceMap", "false", "--inlineSources", "false", "--outDir", outDir
  ], { stdio: "inherit" })
  // The declarations import effect: resolved from the repository's node_modules, linked next to them.
  if (!existsSync(path.join(workDir, "node_modules"))) symlinkSync(path.join(repoRoot, "node_modules"), path.join(workDir, "node_modules"), "dir")
  return outDir
}

/** Generates one project, runs tsc on it (and a trace, when asked), and removes it unless kept. */
const measure = async ({ options, rootOptions, workDir, orm, schema, queries }) => {
  const name = `${orm}-${schema.size}-${schema.audit ? "audit" : "plain"}-q${queries.length}`
  const dir = path.join(workDir, name)
  const spec = ORMS[orm]
  const project = orm === "effect-orm" && options.ormDist
    ? { ...spec.project, paths: { "effect-orm": [path.join(options.ormDist, "index.d.ts")] } }
    : spec.project
  // The built declarations need no Node types (src/ does: Buffer, node:fs), so they are left out as for Drizzle.
  const types = orm === "effect-orm" && options.ormDist ? [] : spec.types
  writeProject({ dir, files: spec.render(schema, queries, { cycleRef: options.cycleRef }), rootOptions, ...project, types })
  const result = await repeated(options.repeat, () => runTsc({ tscDir, dir, timeoutSeconds: options.timeout }))
  let trace
  if (options.trace && result.status === "done") {
    const traceDir = path.join(workDir, `${name}.trace`)
    await runTsc({ tscDir, dir, timeoutSeconds: options.timeout, extraArgs: ["--generateTrace", traceDir] })
    trace = await summariseTrace(traceDir, dir, repoRoot)
  }
  if (!options.keep) rmSync(dir, { recursive: true, force: true })
  return { orm, size: schema.size, audit: schema.audit, queries: queries.length, result, trace, dir }
}

const main = async () => {
  const options = parseOptions()
  const tsVersion = checkTypeScript()
  const rootOptions = rootCompilerOptions(repoRoot, tscDir)
  const workDir = options.out ? path.resolve(options.out) : mkdtempSync(path.join(os.tmpdir(), "effect-orm-bench-types-"))
  mkdirSync(workDir, { recursive: true })
  if (options.ormFrom === "dist" && options.orms.includes("effect-orm")) options.ormDist = buildDeclarations(workDir)
  const uptimeBefore = currentUptime()
  const maxQueries = options.queries.at(-1)
  const rows = []
  const schemas = []
  let kinds = {}
  console.log(TABLE_HEADER.join("\n"))
  for (const size of options.sizes) {
    const base = generateSchema({ size, seed: options.seed })
    schemas.push({ size, ...describeSchema(base) })
    // One list per size; smaller counts are its prefixes, so the linearity mode adds queries to the same code.
    const all = generateQueries({ schema: base, count: maxQueries, seed: options.seed })
    kinds = kindCounts(all)
    for (const audit of options.audits) {
      const schema = audit ? withAudit(base, { reverse: options.auditReverse }) : base
      for (const count of options.queries) {
        for (const orm of options.orms) {
          const row = await measure({ options, rootOptions, workDir, orm, schema, queries: all.slice(0, count) })
          rows.push(row)
          console.log(tableRow(row))
          if (row.trace) console.log(row.trace.text)
        }
      }
    }
  }
  const context = runContext({ tsVersion, seed: options.seed, schemas, kinds, options: { ...options, uptimeBefore, maxQueries } })
  const key = `${options.linear ? "linearity" : options.trace ? "trace" : "sizes"}${options.auditReverse ? "-audit-reverse" : ""}`
  const title = `${{
    linearity: `Linearity: ${options.sizes[0]} models, ${options.queries.join(", ")} queries`,
    trace: `Traces: ${options.sizes.join(", ")} models`,
    sizes: `Sizes: ${options.sizes.join(", ")} models, ${maxQueries} queries`
  }[key.replace("-audit-reverse", "")]}${options.auditReverse ? ", with the audit key's reverse sides declared on User" : ""}`
  const traces = rows.filter((r) => r.trace).flatMap((r) => [`### Trace: ${r.orm}, ${r.size} models, ${r.audit ? "audit" : "no audit"}`, "", r.trace.text, ""])
  const section = [renderSection({ title, context, rows, linear: options.linear }), ...traces].join("\n")
  if (options.results !== "-") {
    writeResults(options.results, key, section)
    console.log(`\nwritten to ${path.relative(process.cwd(), options.results)}`)
  } else {
    console.log(`\n${section}`)
  }
  if (options.keep) console.log(`generated projects kept in ${workDir}`)
  else rmSync(workDir, { recursive: true, force: true })
  const failed = rows.filter((r) => r.result.status !== "done" || r.result.errors.length > 0)
  if (options.check && failed.length > 0) {
    console.error(`check: ${failed.length} project(s) with type errors or not finished`)
    process.exitCode = 1
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
