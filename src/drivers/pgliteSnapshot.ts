/**
 * Fast PGlite start-up: a fresh PGlite runs `initdb` (3 to 5 s on a small machine), while restoring a data-directory
 * snapshot takes under a second. Snapshots of a cluster, after optional setup statements (a schema's DDL), are kept
 * on disk, keyed by the PGlite version, the cluster's user and database and the statements, and made on first use.
 * @internal
 */
import * as Effect from "effect/Effect"
import { createHash, randomBytes } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { mkdir, readFile, rename, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

/** Where snapshots are kept: `EFFECT_ORM_CACHE`, else `node_modules/.cache/effect-orm` under the working directory. @internal */
export const cacheDir = (): string => process.env.EFFECT_ORM_CACHE ?? join(process.cwd(), "node_modules", ".cache", "effect-orm")

let version: string | undefined

/** The installed PGlite's version (found without loading it): snapshots are only valid for the build that wrote them. */
const pgliteVersion = (): string => {
  if (version !== undefined) return version
  try {
    let dir = dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"))
    while (!existsSync(join(dir, "package.json"))) dir = dirname(dir)
    version = String(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version)
  } catch {
    version = "unknown"
  }
  return version
}

const read = (path: string): Effect.Effect<Blob | undefined> =>
  Effect.promise(() => readFile(path).then((buffer) => new Blob([buffer]), () => undefined))

/** Writes then renames, so a concurrent process never reads half a snapshot; a cache that cannot be written is skipped. */
const write = (path: string, dump: Effect.Effect<Blob>): Effect.Effect<void> =>
  Effect.flatMap(dump, (blob) =>
    Effect.promise(async () => {
      try {
        await mkdir(dirname(path), { recursive: true })
        const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`
        await writeFile(tmp, Buffer.from(await blob.arrayBuffer()))
        await rename(tmp, path)
      } catch {
        // A read-only file system, say: the next start initialises again.
      }
    }))

/** What a snapshot is made of and started with. @internal */
export interface SnapshotOf<Db> {
  /** Starts PGlite, from the given data-directory dump when there is one. */
  readonly start: (loadDataDir: Blob | undefined) => Effect.Effect<Db, unknown, import("effect/Scope").Scope>
  readonly dump: (db: Db) => Effect.Effect<Blob>
  readonly exec: (db: Db, sql: string) => Effect.Effect<void, unknown>
  /** The cluster's user and database, which a snapshot is made for. */
  readonly cluster: string
}

/**
 * Starts PGlite from the snapshot of `setupSql` run on a new cluster, making the snapshots (the empty cluster's and
 * this one's) on first use.
 * @internal
 */
export const start = <Db>(
  setupSql: ReadonlyArray<string>,
  of: SnapshotOf<Db>
): Effect.Effect<Db, unknown, import("effect/Scope").Scope> =>
  Effect.gen(function*() {
    const key = (statements: ReadonlyArray<string>) =>
      createHash("sha256").update(pgliteVersion()).update(of.cluster).update(statements.join(";\n")).digest("hex")
        .slice(0, 16)
    const path = join(cacheDir(), `pglite-${key(setupSql)}.tar`)
    const cached = yield* read(path)
    if (cached !== undefined) return yield* of.start(cached)
    const emptyPath = join(cacheDir(), `pglite-${key([])}.tar`)
    const empty = setupSql.length === 0 ? undefined : yield* read(emptyPath)
    const db = yield* of.start(empty)
    if (empty === undefined) yield* write(emptyPath, of.dump(db))
    if (setupSql.length === 0) return db
    for (const sql of setupSql) yield* of.exec(db, sql)
    yield* write(path, of.dump(db))
    return db
  })
