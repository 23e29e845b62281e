/**
 * Migration files: a folder of TypeScript (or JavaScript) modules named `NNNN_name.ts`, each exporting a
 * `Migration.make(...)` as default. Loading imports them; writing renders operations as constructor calls.
 * @internal
 */
import * as Effect from "effect/Effect"
import { mkdir, readdir, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { MigrationError } from "../../Errors.js"
import type { Migration } from "./migration.js"
import type { Operation } from "./operations.js"
import type { FieldState, IndexState, ModelState } from "./state.js"

/** A migration file's name: four digits, an underscore, a name; `.ts`, `.mts`, `.js` or `.mjs` (not `.d.ts`). */
const FILE = /^(\d{4})_([A-Za-z0-9_]+)\.(ts|mts|js|mjs)$/

/** The migrations of a folder, by file name; a missing folder has none. @internal */
export const load = (folder: string): Effect.Effect<ReadonlyArray<Migration>, MigrationError> =>
  Effect.gen(function*() {
    const entries = yield* Effect.tryPromise({
      try: () => readdir(folder).catch((e) => e?.code === "ENOENT" ? [] : Promise.reject(e)),
      catch: (cause) => new MigrationError({ problem: "load", message: `Cannot read the migrations folder ${folder}: ${String(cause)}`, cause })
    })
    const files = entries.filter((f) => FILE.test(f) && !f.endsWith(".d.ts")).sort()
    const seen = new Map<string, string>()
    const migrations: Array<Migration> = []
    for (const file of files) {
      const name = file.replace(/\.(ts|mts|js|mjs)$/, "")
      const other = seen.get(name)
      if (other !== undefined) {
        return yield* new MigrationError({ problem: "load", message: `Two files hold migration ${name}: ${other} and ${file}`, migration: name })
      }
      seen.set(name, file)
      const module = yield* Effect.tryPromise({
        try: () => import(pathToFileURL(resolve(folder, file)).href),
        catch: (cause) =>
          new MigrationError({
            problem: "load",
            message: `Cannot load migration ${join(folder, file)}: ${cause instanceof Error ? cause.message : String(cause)}`,
            migration: name,
            cause
          })
      })
      const definition = module.default
      if (typeof definition !== "object" || definition === null || definition._tag !== "MigrationDefinition") {
        return yield* new MigrationError({
          problem: "load",
          message: `${join(folder, file)} does not export a migration: its default export must be Migration.make({ ... })`,
          migration: name
        })
      }
      migrations.push({
        name,
        dependencies: definition.dependencies,
        operations: definition.operations,
        replaces: definition.replaces,
        atomic: definition.atomic
      })
    }
    return migrations
  })

/** The number of the next migration: one more than the highest in use. @internal */
export const nextNumber = (names: ReadonlyArray<string>): string => {
  const highest = names.reduce((max, name) => Math.max(max, Number(/^(\d{4})_/.exec(name)?.[1] ?? 0)), 0)
  return String(highest + 1).padStart(4, "0")
}

/** A file name part from free text: lower case, words joined by `_`. @internal */
export const slug = (text: string): string =>
  text.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 60) || "auto"

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** A value as TypeScript source: object keys unquoted where they can be, nested values indented. */
const source = (value: unknown, indent: string): string => {
  if (value === undefined) return "undefined"
  if (value === null || typeof value !== "object") return JSON.stringify(value)
  const inner = indent + "  "
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]"
    const items = value.map((v) => source(v, inner))
    const flat = `[${items.join(", ")}]`
    return flat.length <= 80 && !flat.includes("\n") ? flat : `[\n${items.map((i) => inner + i).join(",\n")}\n${indent}]`
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined)
  if (entries.length === 0) return "{}"
  const items = entries.map(([k, v]) => `${IDENTIFIER.test(k) ? k : JSON.stringify(k)}: ${source(v, inner)}`)
  const flat = `{ ${items.join(", ")} }`
  return flat.length <= 100 && !flat.includes("\n") ? flat : `{\n${items.map((i) => inner + i).join(",\n")}\n${indent}}`
}

const FLAGS = ["nullable", "primaryKey", "unique", "index"] as const

/** A field in its short form: the flags that are false left out (the constructors put them back). */
const shortField = (field: FieldState): Record<string, unknown> =>
  Object.fromEntries(Object.entries(field).filter(([k, v]) => !((FLAGS as ReadonlyArray<string>).includes(k) && v === false)))

/** An index in its short form: an index over expressions without its empty `columns` (`Migration.IndexInput`). */
const shortIndex = (index: IndexState): Record<string, unknown> => {
  if (index.expressions === undefined || index.columns.length > 0) return index as unknown as Record<string, unknown>
  const { columns: _, ...rest } = index
  return rest
}

/** A model in its short form: short fields and indexes, no empty index or constraint lists. */
const shortModel = (model: ModelState): Record<string, unknown> => {
  const { constraints, fields, indexes, ...rest } = model
  return {
    ...rest,
    fields: Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, shortField(f)])),
    ...(indexes.length > 0 ? { indexes: indexes.map(shortIndex) } : {}),
    ...(constraints.length > 0 ? { constraints } : {})
  }
}

/** An operation as a constructor call (`Migration.AddField({ ... })`); code-bearing operations cannot be written. */
const operationSource = (operation: Operation, indent: string): string => {
  if (operation._tag === "RunEffect") throw new Error("a data migration cannot be written to a file: write it by hand")
  const { _tag, ...props } = operation
  const short = operation._tag === "CreateModel"
    ? { ...props, model: shortModel(operation.model) }
    : operation._tag === "AddField" || operation._tag === "AlterField"
    ? { ...props, field: shortField(operation.field) }
    : operation._tag === "AddIndex"
    ? { ...props, index: shortIndex(operation.index) }
    : props
  return `Migration.${_tag}(${source(short, indent)})`
}

/** The source of a migration file. @internal */
export const render = (migration: {
  readonly dependencies: ReadonlyArray<string>
  readonly operations: ReadonlyArray<Operation>
  readonly replaces?: ReadonlyArray<string> | undefined
  readonly comment?: ReadonlyArray<string> | undefined
  /** Where `Migration` is imported from: `effect-orm/migrations`. */
  readonly importFrom?: string | undefined
}): string => {
  const lines: Array<string> = []
  for (const line of migration.comment ?? []) lines.push(`// ${line}`)
  lines.push(`import { Migration } from ${JSON.stringify(migration.importFrom ?? "effect-orm/migrations")}`, "")
  lines.push("export default Migration.make({")
  lines.push(`  dependencies: ${source(migration.dependencies, "  ")},`)
  if (migration.replaces !== undefined) lines.push(`  replaces: ${source(migration.replaces, "  ")},`)
  if (migration.operations.length === 0) lines.push("  operations: []")
  else {
    lines.push("  operations: [")
    lines.push(migration.operations.map((op) => `    ${operationSource(op, "    ")}`).join(",\n"))
    lines.push("  ]")
  }
  lines.push("})", "")
  return lines.join("\n")
}

/** Writes a migration file, creating the folder; returns its path. @internal */
export const write = (folder: string, name: string, text: string): Effect.Effect<string, MigrationError> =>
  Effect.tryPromise({
    try: async () => {
      await mkdir(folder, { recursive: true })
      const path = join(folder, `${name}.ts`)
      await writeFile(path, text, { flag: "wx" })
      return path
    },
    catch: (cause) => new MigrationError({ problem: "load", message: `Cannot write migration ${name}: ${String(cause)}`, migration: name, cause })
  })
