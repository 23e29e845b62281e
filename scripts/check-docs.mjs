#!/usr/bin/env node
/**
 * Checks the code of the documentation: every ```ts block of README.md and docs/*.md is type-checked, and every block
 * whose info string says `ts run` is also run (against PGlite, in memory). It fails on the first file set with a type
 * error, and on any run block that exits with an error.
 *
 *   node scripts/check-docs.mjs            type-check every block, then run the `ts run` blocks
 *   node scripts/check-docs.mjs --no-run   type-check only
 *   node scripts/check-docs.mjs docs/writes.md ...   only these files
 *
 * How it works:
 * - Each ```ts block is written to .cache/docs/<file>-<n>.ts (`README-3.ts`, `docs-writes-2.ts`; n counts the file's
 *   ts blocks from 1), and tsc checks them all in one program with .cache/docs/tsconfig.json, written here. It extends
 *   the project's tsconfig.json (strict, the same target and module resolution) and maps the package's own names to
 *   the sources through `paths`: `effect-orm` to src/index.ts, `effect-orm/testing` to src/testing/index.ts,
 *   `effect-orm/migrations` to src/migrations/index.ts. Two
 *   options differ: `noUnusedLocals` and `noUnusedParameters` are off (an example may name a value only to show its
 *   type), and `moduleDetection` is `force`, so every block is a module of its own.
 * - Blocks must be complete modules, imports included. To avoid repeating model declarations, a block may import the
 *   shared models of docs/models.ts (a real file) as `./models.js`: the file is copied beside the blocks, to
 *   .cache/docs/models.ts, so the relative import resolves to it for tsc and at run time alike. Errors in it are
 *   reported against docs/models.ts.
 * - Errors are reported at the line of the Markdown file (`docs/writes.md:42:7`).
 * - A block that is not meant to be checked (a shell session, output, pseudo-code) takes another language tag:
 *   ```sh, ```text. A fence without a language tag is an error, so that no TypeScript goes unchecked by accident.
 * - A `ts run` block runs with tsx (the project's dev dependency) in a process of its own, from the project's root,
 *   with the same path mapping; it must exit with status 0 within two minutes. Each run block starts its own database
 *   (`PGlite.layer()`), so they run two at a time at most.
 */
import { spawn } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { availableParallelism } from "node:os"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const out = join(root, ".cache", "docs")
const started = performance.now()
const args = process.argv.slice(2)
const noRun = args.includes("--no-run")
const chosen = args.filter((a) => !a.startsWith("--")).map((a) => relative(root, resolve(a)))

const sources = chosen.length > 0 ? chosen : [
  "README.md",
  ...(existsSync(join(root, "docs"))
    ? readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)
    : [])
]

/** The fenced blocks of a Markdown file: language, the rest of the info string, first line of code (1-based), code. */
const blocksOf = (text) => {
  const lines = text.split("\n")
  const blocks = []
  const problems = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/.exec(lines[i])
    if (open === null) continue
    const [, indent, fence, language, rest] = open
    // A backtick fence's info string has no backticks (CommonMark): "```` ```ts ````" is inline code.
    if (fence[0] === "`" && rest.includes("`")) continue
    const body = []
    let j = i + 1
    const close = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`)
    for (; j < lines.length && !close.test(lines[j]); j++) {
      // Content is indented as its fence (inside a list item, say): remove that much.
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart())
    }
    if (language === "") problems.push({ line: i + 1, message: "a fenced block needs a language tag (```ts, ```sh, ```text)" })
    blocks.push({ language, info: rest.trim().split(/\s+/).filter(Boolean), line: i + 2, code: body.join("\n") })
    i = j
  }
  return { blocks, problems }
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

/** Generated file name → where its code came from. */
const origins = new Map()
const runs = []
const problems = []
for (const source of sources) {
  const found = blocksOf(readFileSync(join(root, source), "utf8"))
  for (const p of found.problems) problems.push(`${source}:${p.line}: ${p.message}`)
  let n = 0
  for (const block of found.blocks) {
    if (block.language !== "ts" && block.language !== "typescript") continue
    const name = `${source.replace(/\.md$/, "").replace(/\//g, "-")}-${++n}.ts`
    writeFileSync(join(out, name), block.code + "\n")
    origins.set(name, { source, line: block.line })
    if (block.info.includes("run")) runs.push(name)
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"))
  process.exit(1)
}
if (existsSync(join(root, "docs", "models.ts"))) copyFileSync(join(root, "docs", "models.ts"), join(out, "models.ts"))

writeFileSync(join(out, "tsconfig.json"), JSON.stringify({
  extends: "../../tsconfig.json",
  compilerOptions: {
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    moduleDetection: "force",
    // tsc reads tsconfig.json's `types` from node_modules/@types above this folder, as for the project.
    paths: {
      "effect-orm": ["../../src/index.ts"],
      "effect-orm/testing": ["../../src/testing/index.ts"],
      "effect-orm/migrations": ["../../src/migrations/index.ts"]
    }
  },
  include: ["./*.ts"]
}, null, 2))

/** Runs a command, collecting its output; resolves with the exit status. */
const run = (command, args, options = {}) =>
  new Promise((done) => {
    const child = spawn(command, args, { cwd: root, ...options })
    let output = ""
    child.stdout.on("data", (d) => (output += d))
    child.stderr.on("data", (d) => (output += d))
    const timer = options.timeout === undefined ? undefined : setTimeout(() => {
      output += `\n(timed out after ${options.timeout / 1000} s)`
      child.kill("SIGKILL")
    }, options.timeout)
    child.on("close", (status) => {
      clearTimeout(timer)
      done({ status, output })
    })
  })

/** Rewrites `.cache/docs/docs-writes-2.ts(5,7)` (tsc's format) and `.cache/docs/docs-writes-2.ts:5:7` (stack traces) as `docs/writes.md:46:7`. */
const locate = (text) =>
  text.replace(/(?:[^\s(]*\.cache\/docs\/)([\w.-]+\.ts)(?:\((\d+),(\d+)\)|:(\d+):(\d+))/g, (match, file, l1, c1, l2, c2) => {
    const line = Number(l1 ?? l2)
    const column = c1 ?? c2
    if (file === "models.ts") return `docs/models.ts:${line}:${column}`
    const origin = origins.get(file)
    return origin === undefined ? match : `${origin.source}:${origin.line + line - 1}:${column} (${file})`
  })

const tsc = join(root, "node_modules", "typescript", "bin", "tsc")
const checked = await run(process.execPath, [tsc, "-p", join(out, "tsconfig.json"), "--pretty", "false"])
if (checked.status !== 0) {
  console.error(locate(checked.output).trim())
  console.error(`check-docs: type errors in the documentation's code blocks (${relative(root, out)} holds the extracted files)`)
  process.exit(1)
}
const seconds = () => ((performance.now() - started) / 1000).toFixed(1)
console.log(`check-docs: ${origins.size} blocks from ${sources.length} files type-check (${seconds()} s)`)

if (noRun || runs.length === 0) process.exit(0)
const tsx = join(root, "node_modules", "tsx", "dist", "loader.mjs")
// Two at a time at most: each block starts its own PGlite (hundreds of megabytes, and CPU-bound).
const concurrency = Math.max(1, Math.min(2, availableParallelism()))
const queue = [...runs]
let failed = 0
const worker = async () => {
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const origin = origins.get(name)
    const result = await run(process.execPath, ["--import", tsx, join(out, name)], {
      env: { ...process.env, TSX_TSCONFIG_PATH: join(out, "tsconfig.json") },
      timeout: 120_000
    })
    if (result.status !== 0) {
      failed++
      console.error(`check-docs: the block at ${origin.source}:${origin.line} (${name}) failed:\n${locate(result.output).trim()}`)
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker))
if (failed > 0) process.exit(1)
console.log(`check-docs: ${runs.length} run blocks ran on PGlite (${seconds()} s in all)`)
