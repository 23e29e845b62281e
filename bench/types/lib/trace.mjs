// Summarises a `tsc --generateTrace` folder: where check time goes (per file, per query), which types the checker
// spends its time relating, and which declarations produce the most types. Enough to say which type in src/ the
// cost concentrates in, without a trace viewer.
import { createReadStream, readFileSync } from "node:fs"
import { createInterface } from "node:readline"
import path from "node:path"

const ms = (us) => `${(us / 1000).toFixed(0)} ms`

/** Check time per source file, from the checkSourceFile begin/end pairs. */
const fileTimes = (events) => {
  const open = new Map()
  const times = new Map()
  for (const e of events) {
    if (e.name !== "checkSourceFile") continue
    if (e.ph === "B") open.set(e.args.path, e.ts)
    else if (e.ph === "E" && open.has(e.args.path)) times.set(e.args.path, (times.get(e.args.path) ?? 0) + e.ts - open.get(e.args.path))
  }
  return [...times].sort((a, b) => b[1] - a[1])
}

/** The source text of a node, on one line and cut short. */
const snippet = (file, pos, end, sources) => {
  if (!sources.has(file)) sources.set(file, readFileSync(file, "utf8"))
  const text = sources.get(file).slice(pos, end).replace(/\s+/g, " ").trim()
  return text.length > 150 ? `${text.slice(0, 150)}…` : text
}

/** The most expensive declarations of the generated queries (each query is one `export const qN = ...`). */
const hotQueries = (events, projectDir, sources) =>
  events
    .filter((e) => e.name === "checkVariableDeclaration" && e.args?.path?.startsWith(path.join(projectDir, "queries")))
    .sort((a, b) => b.dur - a.dur)
    .slice(0, 8)
    .map((e) => `${ms(e.dur)}: \`${snippet(e.args.path, e.args.pos, e.args.end, sources)}\``)

/** The outermost `structuredTypeRelatedTo` events: time spent relating types, without counting nested ones twice. */
const outermostRelations = (events) => {
  const relations = events.filter((e) => e.name === "structuredTypeRelatedTo").sort((a, b) => a.ts - b.ts)
  const outer = []
  let until = -Infinity
  for (const e of relations) {
    if (e.ts >= until) {
      outer.push(e)
      until = e.ts + e.dur
    }
  }
  return outer
}

/**
 * Streams types.json line by line (it can be larger than a string may be): a name per type id, for the ids asked, and how many
 * types each declaration (alias or symbol, where it is declared) produced.
 */
const readTypes = async (file, wanted, display) => {
  const names = new Map()
  const perDeclaration = new Map()
  const perFlag = new Map()
  const unions = []
  for await (const raw of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const line = raw.replace(/^\[/, "").replace(/[,\]]$/, "").trim()
    if (!line.startsWith("{")) continue
    const t = JSON.parse(line)
    const where = t.firstDeclaration ? ` (${display(t.firstDeclaration.path)}:${t.firstDeclaration.start.line})` : ""
    const name = t.symbolName ? `${t.symbolName}${where}` : t.intrinsicName ?? t.display?.slice(0, 60) ?? `#${t.id}`
    if (t.symbolName) perDeclaration.set(name, (perDeclaration.get(name) ?? 0) + 1)
    if (wanted.has(t.id)) names.set(t.id, name)
    for (const flag of t.flags ?? []) perFlag.set(flag, (perFlag.get(flag) ?? 0) + 1)
    // The largest unions: a union of paths (FieldPath, OrderPath) is what TS2590 refuses past 100,000 members.
    if (t.unionTypes?.length >= 1000) unions.push({ size: t.unionTypes.length, name })
  }
  unions.sort((a, b) => b.size - a.size)
  return { names, perDeclaration, perFlag, unions: unions.slice(0, 8) }
}

/** A file as the summary names it: in the project, in the repository, or in a package. */
const displayer = (projectDir, repoRoot) => (file) => {
  if (file.startsWith(projectDir)) return path.relative(projectDir, file)
  const inPackage = file.lastIndexOf("node_modules/")
  if (inPackage >= 0) return file.slice(inPackage + "node_modules/".length)
  return file.startsWith(repoRoot) ? path.relative(repoRoot, file) : file
}

/** The summary, as markdown lines, of the trace in `traceDir` for the project in `projectDir`. */
export const summariseTrace = async (traceDir, projectDir, repoRoot) => {
  const display = displayer(projectDir, repoRoot)
  const events = JSON.parse(readFileSync(path.join(traceDir, "trace.json"), "utf8"))
  const sources = new Map()
  const relations = outermostRelations(events)
  const wanted = new Set(relations.flatMap((e) => [e.args.sourceId, e.args.targetId]))
  const { names, perDeclaration, perFlag, unions } = await readTypes(path.join(traceDir, "types.json"), wanted, display)
  const byTarget = new Map()
  for (const e of relations) {
    const key = names.get(e.args.targetId) ?? `#${e.args.targetId}`
    byTarget.set(key, (byTarget.get(key) ?? 0) + e.dur)
  }
  const lines = [
    "Check time per file (top 8):",
    "",
    ...fileTimes(events).slice(0, 8).map(([file, us]) => `- ${display(file)}: ${ms(us)}`),
    "",
    "Most expensive queries (check time of the declaration):",
    "",
    ...hotQueries(events, projectDir, sources).map((l) => `- ${l}`),
    "",
    "Time relating types, by the target type (outermost `structuredTypeRelatedTo`, top 10):",
    "",
    ...[...byTarget].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([name, us]) => `- ${name}: ${ms(us)}`),
    "",
    "Types created, by declaration (top 12):",
    "",
    ...[...perDeclaration].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([name, n]) => `- ${name}: ${n.toLocaleString("en-US")}`),
    "",
    `Types by kind: ${[...perFlag].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([flag, n]) => `${flag} ${n.toLocaleString("en-US")}`).join(", ")}`,
    "",
    unions.length === 0 ? "No union of 1,000 members or more." : "The largest unions (members, the alias or symbol they come from):",
    "",
    ...unions.map((u) => `- ${u.size.toLocaleString("en-US")}: ${u.name}`)
  ]
  return { text: lines.join("\n") }
}
