#!/usr/bin/env node
/**
 * Proves the package works in a user's project: packs this repository (`npm pack`, which runs `prepack`, the build),
 * installs the tarball into throwaway consumer projects under the system's temporary folder, next to exact versions
 * of the peer dependencies and the tools each project needs, and runs one named case per way a user meets it:
 *
 *   a. plain node, ESM               main.mjs on PGlite: models with a foreign key, Tables.create, writes, selectRelated
 *   b. server driver without PGlite  main.mjs on DATABASE_URL in a project where @electric-sql/pglite is not installed
 *   c. tsc 5.9, NodeNext             app.ts under strict flags, skipLibCheck false; deliberate misuses must be errors
 *   d. tsc 5.9, Bundler              the same file, module ESNext, moduleResolution Bundler
 *   e./f. c and d with TypeScript 7
 *   g. vitest in the consumer        @effect/vitest with effect-orm/testing and no vitest config, run twice
 *   h./i. the command line           npx effect-orm in a project with effect-orm.config.ts (tsx loads it): --help,
 *                                    makemigrations, migrate, showmigrations, a model change, --check, --plan,
 *                                    sqlmigrate --backwards, migrate back, inspectdb; the files type-check; on PGlite
 *                                    (a data directory) and on the server (a database of its own)
 *
 * Usage: node scripts/consumer/check.mjs   (KEEP=1 keeps the projects; case b is skipped without DATABASE_URL)
 * Exits non-zero when any case fails. Plain Node ESM: no TypeScript loader, no dependencies.
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import fs from "node:fs/promises"
import os from "node:os"
import path from "node:path"
import { isDeepStrictEqual } from "node:util"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, "../..")
const fixtures = path.join(here, "fixtures")
const keep = process.env.KEEP === "1"
const databaseUrl = process.env.DATABASE_URL

/** Exact versions the consumer projects install. */
const versions = {
  effect: "4.1.0",
  "@effect/sql-pg": "4.0.5",
  "@electric-sql/pglite": "0.5.17",
  typescript: "5.9.3",
  // TypeScript 7 (the native compiler) beside 5.9, under another name; its `tsc` runs a binary from an optional
  // dependency, and its default `types` is [], hence `"types": ["node"]` in the tsconfigs below.
  typescript7: "npm:typescript@7.0.2",
  "@types/node": "22.20.7",
  vitest: "5.1.2",
  "@effect/vitest": "4.0.5",
  tsx: "4.23.15"
}

// ---------------------------------------------------------------------------------------------------------------
// Processes

const started = performance.now()
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`
const indent = (text) => text.replace(/\s+$/, "").split("\n").map((line) => `    | ${line}`).join("\n")

/**
 * Runs a command to its end, with a time limit; resolves with its exit status, its stdout, its interleaved output
 * and its duration (never rejects: a failure to start is an exit status of -1).
 */
const run = (command, args, { cwd, env = process.env, timeoutMs = 5 * 60_000 } = {}) =>
  new Promise((resolve) => {
    const t0 = performance.now()
    let stdout = ""
    let output = ""
    let timedOut = false
    // Its own process group, so a time-out stops what it started too (npm's scripts, vitest's workers).
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true })
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {}
    }, timeoutMs)
    child.stdout.on("data", (chunk) => {
      stdout += chunk
      output += chunk
    })
    child.stderr.on("data", (chunk) => {
      output += chunk
    })
    const done = (code, error) => {
      clearTimeout(timer)
      if (timedOut) output += `\n(killed after ${seconds(timeoutMs)})`
      if (error) output += `\n${error.message}`
      resolve({ code: timedOut ? -1 : code, stdout, output, ms: performance.now() - t0 })
    }
    child.on("error", (error) => done(-1, error))
    child.on("close", (code, signal) => done(code ?? (signal ? -1 : 0)))
  })

class CaseFailure extends Error {
  constructor(message, output = "") {
    super(message)
    this.output = output
  }
}

/** Fails the case unless the command exited with 0. */
const ok = (result, what) => {
  if (result.code !== 0) throw new CaseFailure(`${what} exited with ${result.code}`, result.output)
  return result
}

/** The last line of a command's stdout, as JSON. */
const lastJson = (result) => {
  const line = result.stdout.trim().split("\n").pop() ?? ""
  try {
    return JSON.parse(line)
  } catch {
    throw new CaseFailure(`expected a line of JSON last on stdout, got ${JSON.stringify(line)}`, result.output)
  }
}

const expectEqual = (actual, expected, result) => {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new CaseFailure(
      `unexpected result\n      expected ${JSON.stringify(expected)}\n      actual   ${JSON.stringify(actual)}`,
      result.output
    )
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Steps and cases, each timed and reported

const results = []

const record = (kind, name, status, ms, detail = "") => {
  results.push({ kind, name, status, ms, detail })
  const line = `${status} ${name} (${seconds(ms)})${detail ? `: ${detail}` : ""}`
  console.log(status === "FAIL" ? `\n${line}` : line)
}

/** Runs one step or case; a `CaseFailure` (or any error) is a FAIL with its output. Returns whether it passed. */
const attempt = async (kind, name, body) => {
  const t0 = performance.now()
  try {
    const detail = await body()
    record(kind, name, "PASS", performance.now() - t0, detail ?? "")
    return true
  } catch (error) {
    const failure = error instanceof CaseFailure ? error : new CaseFailure(String(error?.stack ?? error))
    record(kind, name, "FAIL", performance.now() - t0, failure.message)
    if (failure.output) console.log(`${indent(failure.output)}\n`)
    return false
  }
}

const skip = (kind, name, reason) => {
  results.push({ kind, name, status: "SKIP", ms: 0, detail: reason })
  console.log(`SKIP ${name}: ${reason}`)
}

// ---------------------------------------------------------------------------------------------------------------
// Consumer projects

const root = await fs.mkdtemp(path.join(os.tmpdir(), "effect-orm-consumer-"))
let cleaned = false
const cleanUp = async () => {
  if (cleaned) return
  cleaned = true
  if (keep) console.log(`KEEP=1: the consumer projects are in ${root}`)
  else await fs.rm(root, { recursive: true, force: true })
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    cleanUp().finally(() => process.exit(130))
  })
}

// The environment of the consumers: the caller's, without a snapshot cache folder of its own (a user's project
// keeps PGlite snapshots under its node_modules/.cache, which case g measures).
const consumerEnv = { ...process.env }
delete consumerEnv.EFFECT_ORM_CACHE

const strict = {
  target: "ES2022",
  // effect 4.1's own declarations name DOM types (CryptoKey, JsonWebKey), so with skipLibCheck false DOM is needed.
  lib: ["ES2022", "DOM"],
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  noEmit: true,
  types: ["node"]
}

/** The projects: their dependencies (beside the tarball) and files. */
const projects = {
  esm: {
    dependencies: ["effect", "@effect/sql-pg", "@electric-sql/pglite"],
    files: { "main.mjs": "esm/main.mjs" }
  },
  server: {
    dependencies: ["effect", "@effect/sql-pg"],
    files: { "main.mjs": "server/main.mjs" }
  },
  types: {
    dependencies: ["effect", "@effect/sql-pg", "typescript", "typescript7", "@types/node"],
    files: { "app.ts": "types/app.ts" },
    json: {
      "tsconfig.nodenext.json": {
        compilerOptions: { ...strict, module: "NodeNext", moduleResolution: "NodeNext" },
        files: ["app.ts"]
      },
      "tsconfig.bundler.json": {
        compilerOptions: { ...strict, module: "ESNext", moduleResolution: "Bundler" },
        files: ["app.ts"]
      }
    }
  },
  vitest: {
    dependencies: ["effect", "@effect/sql-pg", "@electric-sql/pglite", "vitest", "@effect/vitest"],
    files: { "test/orm.test.ts": "vitest/orm.test.ts" }
  },
  cli: {
    dependencies: ["effect", "@effect/sql-pg", "@electric-sql/pglite", "tsx", "typescript", "@types/node"],
    files: {
      "effect-orm.config.ts": "cli/effect-orm.config.ts",
      "src/models.ts": "cli/src/models.ts",
      "models-v2.ts": "cli/models-v2.ts",
      "admin.mjs": "cli/admin.mjs"
    },
    json: {
      "tsconfig.json": {
        compilerOptions: { ...strict, module: "NodeNext", moduleResolution: "NodeNext", skipLibCheck: true },
        include: ["src", "migrations", "effect-orm.config.ts"]
      }
    }
  }
}

const dir = (name) => path.join(root, name)

const writeProject = async (name, tarball) => {
  const project = projects[name]
  await fs.mkdir(dir(name), { recursive: true })
  const dependencies = { "effect-orm": `file:${tarball}` }
  for (const dep of project.dependencies) dependencies[dep] = versions[dep]
  const pkg = { name: `effect-orm-consumer-${name}`, version: "0.0.0", private: true, type: "module", dependencies }
  await fs.writeFile(path.join(dir(name), "package.json"), `${JSON.stringify(pkg, null, 2)}\n`)
  for (const [to, from] of Object.entries(project.files)) {
    await fs.mkdir(path.dirname(path.join(dir(name), to)), { recursive: true })
    await fs.copyFile(path.join(fixtures, from), path.join(dir(name), to))
  }
  for (const [to, value] of Object.entries(project.json ?? {})) {
    await fs.writeFile(path.join(dir(name), to), `${JSON.stringify(value, null, 2)}\n`)
  }
}

/** The consumer has a copy of the packed package, not a link to this checkout. */
const assertInstalledCopy = async (name) => {
  const installed = path.join(dir(name), "node_modules", "effect-orm")
  if ((await fs.lstat(installed)).isSymbolicLink()) {
    throw new CaseFailure(`${installed} is a symbolic link, not the packed package`)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The run

console.log(`effect-orm consumer check, node ${process.version}, in ${root}`)

let tarball
const packed = await attempt("step", "npm pack (prepack: the build)", async () => {
  const packDir = path.join(root, "pack")
  await fs.mkdir(packDir)
  ok(await run("npm", ["pack", "--pack-destination", packDir], { cwd: repo, timeoutMs: 10 * 60_000 }), "npm pack")
  const tgz = (await fs.readdir(packDir)).filter((f) => f.endsWith(".tgz"))
  if (tgz.length !== 1) throw new CaseFailure(`expected one tarball in ${packDir}, found ${JSON.stringify(tgz)}`)
  tarball = path.join(packDir, tgz[0])
  return `${tgz[0]}, ${((await fs.stat(tarball)).size / 1024).toFixed(0)} kB`
})

const wanted = ["esm", ...(databaseUrl ? ["server"] : []), "types", "vitest", "cli"]
const installed = {}
if (packed) {
  // The installs run concurrently (npm's cache is safe to share); each is reported with its own duration.
  await Promise.all(wanted.map(async (name) => {
    installed[name] = await attempt("step", `npm install (${name}: ${projects[name].dependencies.join(", ")})`, async () => {
      await writeProject(name, tarball)
      ok(await run("npm", ["install", "--no-audit", "--no-fund"], { cwd: dir(name), timeoutMs: 10 * 60_000 }), "npm install")
      await assertInstalledCopy(name)
    })
  }))
}

/** A case that needs a project: a FAIL without running when its install failed. */
const needs = (name) => {
  if (!installed[name]) throw new CaseFailure(`not run: the ${name} project could not be set up (see above)`)
}

await attempt("case", "a. plain node, ESM (PGlite)", async () => {
  needs("esm")
  const result = ok(await run("node", ["main.mjs"], { cwd: dir("esm"), env: consumerEnv }), "node main.mjs")
  expectEqual(lastJson(result), {
    books: ["Practical Django / Apress / 29.99", "Rust in Action / Manning / 39.99"],
    apressBooks: ["Async Python", "Practical Django"],
    perPublisher: ["Apress: 2", "Manning: 1"],
    total: 3
  }, result)
  return `node main.mjs ${seconds(result.ms)}`
})

if (databaseUrl) {
  await attempt("case", "b. server driver without PGlite", async () => {
    needs("server")
    const pglite = path.join(dir("server"), "node_modules", "@electric-sql", "pglite")
    if (existsSync(pglite)) throw new CaseFailure(`${pglite} exists: npm installed the optional peer dependency`)
    const result = ok(await run("node", ["main.mjs"], { cwd: dir("server"), env: consumerEnv }), "node main.mjs")
    expectEqual(lastJson(result), {
      items: ["bolt=10", "nut=3"],
      pglite: "not resolvable",
      pgliteLayer: "PGlite: @electric-sql/pglite is not installed (npm install @electric-sql/pglite)"
    }, result)
    return `node main.mjs ${seconds(result.ms)}`
  })
} else {
  skip("case", "b. server driver without PGlite", "DATABASE_URL is not set (.ci/run sets it)")
}

const tscCase = (label, compiler, tsconfig) =>
  attempt("case", label, async () => {
    needs("types")
    const tsc = path.join(dir("types"), "node_modules", compiler, "bin", "tsc")
    const version = ok(await run("node", [tsc, "--version"], { cwd: dir("types") }), "tsc --version").stdout.trim()
    const result = await run("node", [tsc, "-p", tsconfig], { cwd: dir("types") })
    if (result.code !== 0) throw new CaseFailure(`${version}: tsc -p ${tsconfig} exited with ${result.code}`, result.output)
    return `${version}, tsc -p ${tsconfig}`
  })

await tscCase("c. tsc 5.9, NodeNext", "typescript", "tsconfig.nodenext.json")
await tscCase("d. tsc 5.9, Bundler", "typescript", "tsconfig.bundler.json")
await tscCase("e. tsc 7, NodeNext", "typescript7", "tsconfig.nodenext.json")
await tscCase("f. tsc 7, Bundler", "typescript7", "tsconfig.bundler.json")

await attempt("case", "g. vitest in the consumer (no config, default timeouts)", async () => {
  needs("vitest")
  const vitest = path.join(dir("vitest"), "node_modules", "vitest", "vitest.mjs")
  const durations = []
  for (const label of ["first run", "second run"]) {
    const result = await run("node", [vitest, "run"], { cwd: dir("vitest"), env: consumerEnv })
    if (result.code !== 0) throw new CaseFailure(`vitest run (${label}) exited with ${result.code}`, result.output)
    // Every test file must have run: a test that is skipped or missing would pass silently.
    const plain = result.output.replace(/\x1b\[[0-9;]*m/g, "")
    const tests = /Tests\s+(\d+) passed \((\d+)\)/.exec(plain)
    const expected = databaseUrl ? 5 : 3
    if (!tests || Number(tests[1]) !== expected || Number(tests[2]) !== expected) {
      throw new CaseFailure(`vitest run (${label}): expected ${expected} passed tests`, result.output)
    }
    durations.push(`${label} ${seconds(result.ms)}`)
  }
  const cache = path.join(dir("vitest"), "node_modules", ".cache", "effect-orm")
  const snapshots = existsSync(cache) ? (await fs.readdir(cache)).length : 0
  return `${durations.join(", ")}; ${snapshots} PGlite snapshot(s) cached in node_modules/.cache/effect-orm`
})

/** Runs `npx effect-orm ...` in the cli project; `expectCode` 0 unless said. */
const cli = async (args, env, expectCode = 0) => {
  const result = await run("npx", ["--no-install", "effect-orm", ...args], { cwd: dir("cli"), env })
  if (result.code !== expectCode) {
    throw new CaseFailure(`effect-orm ${args.join(" ")} exited with ${result.code} (expected ${expectCode})`, result.output)
  }
  return result
}

const contains = (result, ...texts) => {
  for (const text of texts) {
    if (!result.output.includes(text)) throw new CaseFailure(`expected the output to contain ${JSON.stringify(text)}`, result.output)
  }
}

const cliCase = (label, env) =>
  attempt("case", label, async () => {
    needs("cli")
    const project = dir("cli")
    // Each driver starts from the first version of the models, no migrations and no data directory.
    await fs.rm(path.join(project, "migrations"), { recursive: true, force: true })
    await fs.rm(path.join(project, "db"), { recursive: true, force: true })
    await fs.copyFile(path.join(fixtures, "cli/src/models.ts"), path.join(project, "src/models.ts"))
    const t0 = performance.now()
    contains(await cli(["--help"], env), "makemigrations", "migrate", "showmigrations", "sqlmigrate", "inspectdb")
    contains(await cli(["migrate", "--help"], env), "--plan", "--fake")
    contains(await cli(["makemigrations"], env), "0001_initial.ts", "Create model Shelf", "Create model Item")
    contains(await cli(["migrate"], env), "Applying 0001_initial", "Done: 1 migration.")
    contains(await cli(["showmigrations"], env), "[X] 0001_initial")
    contains(await cli(["makemigrations", "--check"], env), "No changes detected")
    await fs.copyFile(path.join(project, "models-v2.ts"), path.join(project, "src/models.ts"))
    contains(await cli(["makemigrations", "--check"], env, 1), "The models changed without a migration", "Add field pages to Item")
    contains(await cli(["makemigrations"], env), "0002_item_pages.ts")
    contains(await cli(["migrate", "--plan"], env), "Apply 0002_item_pages", `ALTER TABLE "cli_item" ADD COLUMN "pages" integer NOT NULL DEFAULT 0`)
    contains(await cli(["migrate"], env), "Applying 0002_item_pages")
    contains(await cli(["sqlmigrate", "0002", "--backwards"], env), `ALTER TABLE "cli_item" DROP COLUMN "pages"`, "destructive")
    contains(await cli(["migrate", "0001"], env), "Unapplying 0002_item_pages")
    contains(await cli(["showmigrations"], env), "[X] 0001_initial", "[ ] 0002_item_pages")
    contains(await cli(["migrate", "no_such"], env, 1), "There is no migration no_such")
    contains(await cli(["inspectdb"], env), "Model.Class<CliShelf>(\"CliShelf\")", "Model.Class<CliItem>(\"CliItem\")")
    // The generated migrations and the config type-check against the package's declarations.
    ok(await run("node", [path.join(project, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: project }), "tsc -p tsconfig.json")
    return `15 commands and tsc in ${seconds(performance.now() - t0)}`
  })

await cliCase("h. the command line (PGlite in a data directory)", consumerEnv)
if (databaseUrl) {
  const name = `effect_orm_cli_${process.pid}`
  const url = new URL(databaseUrl)
  url.pathname = `/${name}`
  let created = false
  await attempt("step", "create the server database of case i", async () => {
    needs("cli")
    ok(await run("node", ["admin.mjs", "create", name], { cwd: dir("cli") }), "node admin.mjs create")
    created = true
  })
  await cliCase("i. the command line (server)", { ...consumerEnv, CLI_DATABASE_URL: url.toString() })
  if (created) await run("node", ["admin.mjs", "drop", name], { cwd: dir("cli") })
} else {
  skip("case", "i. the command line (server)", "DATABASE_URL is not set (.ci/run sets it)")
}

// ---------------------------------------------------------------------------------------------------------------
// Summary

await cleanUp()
const total = performance.now() - started
const failed = results.filter((r) => r.status === "FAIL")
console.log("\nSummary")
for (const r of results) console.log(`  ${r.status.padEnd(4)}  ${seconds(r.ms).padStart(7)}  ${r.name}`)
console.log(`  total ${seconds(total)}: ${results.filter((r) => r.kind === "case" && r.status === "PASS").length} cases passed, ` +
  `${failed.length} failed, ${results.filter((r) => r.status === "SKIP").length} skipped`)
process.exit(failed.length > 0 ? 1 : 0)
