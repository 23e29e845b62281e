// The report: a markdown table with one row per (ORM, models, audit, queries), the errors behind it, the machine it
// ran on, and for the linearity mode a least-squares line of check time against the number of queries.
import { execFileSync } from "node:child_process"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import os from "node:os"

const fixed = (n, digits = 1) => (n === undefined ? "–" : n.toFixed(digits))
const thousands = (n) => (n === undefined ? "–" : n.toLocaleString("en-US"))

/** `TS2590 ×80, TS2345 ×9`: the error codes of a run, most frequent first. */
const errorCodes = (errors) => {
  const counts = new Map()
  for (const e of errors) counts.set(e.code, (counts.get(e.code) ?? 0) + 1)
  return [...counts].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ×${n}`).join(", ")
}

const label = (row) => `${row.orm}, ${row.size} models, ${row.audit ? "audit" : "no audit"}, ${row.queries} queries`

export const TABLE_HEADER = [
  "| ORM | models | audit FK | queries | result | errors | check s | total s | CPU s (user+sys) | wall s | memory MB | peak RSS MB | types | instantiations |",
  "| --- | ---: | --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
]

/** One table row; a timeout or a crash has only its wall time. */
export const tableRow = (row) => {
  const { result: r } = row
  const d = r.diagnostics
  const cpu = r.usage ? r.usage.userSeconds + r.usage.systemSeconds : undefined
  const errors = r.errors.length === 0 ? "0" : `${r.errors.length} (${errorCodes(r.errors)})`
  return `| ${row.orm} | ${row.size} | ${row.audit ? "yes" : "no"} | ${row.queries} | ${r.status} | ${errors} | ${fixed(d.checkSeconds)}${r.checkRange ? ` (${fixed(r.checkRange[0])}–${fixed(r.checkRange[1])})` : ""} | ${fixed(d.totalSeconds)} | ${fixed(cpu)} | ${fixed(r.wallSeconds)} | ${d.memoryKB === undefined ? "–" : Math.round(d.memoryKB / 1024)} | ${r.usage ? Math.round(r.usage.maxRssMB) : "–"} | ${thousands(d.types)} | ${thousands(d.instantiations)} |`
}

/** The first few errors of every run that had some, with where they are. */
const errorDetails = (rows, shown = 4) =>
  rows.filter((row) => row.result.errors.length > 0).flatMap((row) => [
    `- ${label(row)}: ${row.result.errors.length} errors (${errorCodes(row.result.errors)}); the first:`,
    ...row.result.errors.slice(0, shown).map((e) => `  - \`${e.file ?? ""}${e.line ? `(${e.line})` : ""}\` ${e.code}: ${e.message.slice(0, 300)}`)
  ])

/** Least squares of y on x, with R². */
export const fitLine = (points) => {
  const n = points.length
  const mx = points.reduce((s, p) => s + p.x, 0) / n
  const my = points.reduce((s, p) => s + p.y, 0) / n
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0)
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0)
  const slope = sxx === 0 ? 0 : sxy / sxx
  const intercept = my - slope * mx
  const ssTot = points.reduce((s, p) => s + (p.y - my) ** 2, 0)
  const ssRes = points.reduce((s, p) => s + (p.y - (intercept + slope * p.x)) ** 2, 0)
  return { slope, intercept, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot }
}

/** Per (ORM, audit): check time ≈ intercept + slope × queries, and the time of each step between counts. */
const linearity = (rows) => {
  const groups = new Map()
  for (const row of rows.filter((r) => r.result.diagnostics.checkSeconds !== undefined)) {
    const key = `${row.orm}|${row.audit}`
    if (!groups.has(key)) groups.set(key, [])
    groups.get(key).push(row)
  }
  const lines = ["| ORM | audit FK | check s ≈ a + b × queries | b per 1,000 queries | R² | check s per step |", "| --- | --- | --- | ---: | ---: | --- |"]
  for (const group of groups.values()) {
    if (group.length < 2) continue
    const points = group.map((r) => ({ x: r.queries, y: r.result.diagnostics.checkSeconds }))
    const { slope, intercept, r2 } = fitLine(points)
    const steps = group.slice(1).map((r, i) => `${group[i].queries}→${r.queries}: +${fixed(r.result.diagnostics.checkSeconds - group[i].result.diagnostics.checkSeconds, 2)}`)
    lines.push(`| ${group[0].orm} | ${group[0].audit ? "yes" : "no"} | ${fixed(intercept, 2)} + ${(slope * 1000).toFixed(2)} × q/1000 | ${fixed(slope * 1000, 2)} s | ${r2.toFixed(3)} | ${steps.join(", ")} |`)
  }
  return lines
}

const uptime = () => {
  try {
    return execFileSync("uptime", { encoding: "utf8" }).trim()
  } catch {
    return `load average ${os.loadavg().map((l) => l.toFixed(2)).join(", ")}`
  }
}

/** The conditions of a run: date, load, machine, versions and what was generated. */
export const runContext = ({ tsVersion, seed, schemas, kinds, options }) => [
  `- Date: ${new Date().toISOString()}; \`uptime\` before the runs: \`${options.uptimeBefore}\`; after: \`${uptime()}\``,
  `- Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GB; Node ${process.version}; TypeScript ${tsVersion}`,
  `- Seed ${seed}; timeout ${options.timeout} s; ${options.repeat > 1 ? `${options.repeat} runs per project, the one with the median check time shown (the range of check times in parentheses)` : "one run per project"}; cycle keys annotated ${options.cycleRef === "docs" ? "`Model.Ref<T>` (effect-orm, the docs' form)" : "`Model.Ref<T, number>` (effect-orm)"} and \`(): AnyPgColumn => t.id\` (Drizzle)`,
  `- effect-orm read from ${options.ormFrom === "src" ? "its sources (`src/`, checked with the project, with @types/node)" : "its built declarations (`dist/*.d.ts`, skipped by `skipLibCheck` as Drizzle's are)"}`,
  `- Audit key: \`createdBy\` (non-nullable, PROTECT) on every model but User; ${options.auditReverse ? "User declares its reverse sides (one `Field.Reverse` / `many` per model)" : "no reverse side declared on User (Django's `related_name=\"+\"`)"}; the queries are the same in both variants (a \`create\` gives the audit key where the schema has it)`,
  ...schemas.map((s) => `- ${s.size} models: ${s.scalars} scalar fields, ${s.fks} foreign keys without the audit key (in cycles: ${s.cycles.selfReferences} self-references, ${s.cycles.twoModel} 2-model and ${s.cycles.threeModel} 3-model cycles), ${s.m2ms} many-to-manys, ${s.reverses} declared reverse sides`),
  `- Queries by kind (of ${options.maxQueries}): ${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(", ")}`
]

export const currentUptime = uptime

/** The report's section for this mode: the context, the table, the errors and, for several counts, the line fit. */
export const renderSection = ({ title, context, rows, linear }) => [
  `## ${title}`,
  "",
  ...context,
  "",
  ...TABLE_HEADER,
  ...rows.map(tableRow),
  "",
  ...(linear ? ["Check time against the number of queries:", "", ...linearity(rows), ""] : []),
  ...(rows.some((r) => r.result.errors.length > 0) ? ["Errors:", "", ...errorDetails(rows), ""] : [])
].join("\n")

const PREAMBLE = `# Type-checking cost: effect-orm and Drizzle

Generated by \`node bench/types/run.mjs\` (see bench/types/README.md): N models with and without an audit foreign key
(\`createdBy\`, to User, on every model), 1,000 typed queries against each, the same schema and equivalent queries for
Drizzle 0.45; \`tsc --noEmit --extendedDiagnostics\` per project. "check s" and "total s" are tsc's own figures;
"CPU s" is the tsc process's user+sys time; "memory MB" is tsc's "Memory used" (heap), "peak RSS MB" the process's.
`

/** Writes `section` into `file` under its marker, keeping the other modes' sections. */
export const writeResults = (file, key, section) => {
  const start = `<!-- ${key}:start -->`
  const end = `<!-- ${key}:end -->`
  const current = existsSync(file) ? readFileSync(file, "utf8") : PREAMBLE
  const block = `${start}\n${section}\n${end}`
  const pattern = new RegExp(`${start}[\\s\\S]*?${end}`)
  writeFileSync(file, pattern.test(current) ? current.replace(pattern, block) : `${current.trimEnd()}\n\n${block}\n`)
}
