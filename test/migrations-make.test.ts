/**
 * From models to migration files and back, on every driver: makemigrations writes files that load and apply; the
 * schema they build is the one the models describe (read back by introspection, and compared with the catalog of
 * tables created directly); one changed field gives one migration with one operation; --check fails when the models
 * changed without a migration; --empty and --merge; a test database built from the migrations folder
 * (Testing.fromMigrations).
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { randomBytes } from "node:crypto"
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll } from "vitest"
import { Field, Lower, Model, Tables } from "../src/index.js"
import { introspect } from "../src/internal/migrations/introspect.js"
import * as State from "../src/internal/migrations/state.js"
import { Migrator } from "../src/migrations/index.js"
import * as Testing from "../src/testing/index.js"
import { snapshot } from "./migrations/catalog.js"

class MkAuthor extends Model.Class<MkAuthor>("MkAuthor")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 100, dbIndex: true }),
  email: Field.Char({ maxLength: 200, unique: true, nullable: true })
}, { table: "mk_author" }) {}

class MkBook extends Model.Class<MkBook>("MkBook")({
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 100 }),
  pages: Field.Integer({ default: 0 }),
  price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2, nullable: true }),
  format: Field.Char({ maxLength: 9, choices: ["hardcover", "paperback"], default: "paperback" }),
  author: Field.ForeignKey(() => MkAuthor, { onDelete: "CASCADE" }),
  coauthors: Field.ManyToMany(() => MkAuthor, { relatedName: "cowritten" })
}, { table: "mk_book", indexes: [
  { fields: ["title", "-pages"] },
  { fields: ["title"], using: "hash", name: "mk_book_title_hash" },
  { name: "mk_book_title_lower", expressions: [Lower("title")], where: { format: "paperback" } }
], constraints: [{ kind: "unique", fields: ["title", "authorId"], name: "mk_book_title_author" }] }) {}

/** The same book with one change: `pages` nullable. */
class MkBook2 extends Model.Class<MkBook2>("MkBook")({
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 100 }),
  pages: Field.Integer({ default: 0, nullable: true }),
  price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2, nullable: true }),
  format: Field.Char({ maxLength: 9, choices: ["hardcover", "paperback"], default: "paperback" }),
  author: Field.ForeignKey(() => MkAuthor, { onDelete: "CASCADE" }),
  coauthors: Field.ManyToMany(() => MkAuthor, { relatedName: "cowritten" })
}, { table: "mk_book", indexes: [
  { fields: ["title", "-pages"] },
  { fields: ["title"], using: "hash", name: "mk_book_title_hash" },
  { name: "mk_book_title_lower", expressions: [Lower("title")], where: { format: "paperback" } }
], constraints: [{ kind: "unique", fields: ["title", "authorId"], name: "mk_book_title_author" }] }) {}

const v1 = [MkAuthor, MkBook]
const v2 = [MkAuthor, MkBook2]
const tables = ["mk_author", "mk_book", "mk_book_coauthors"]

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, ".generated", `make-${process.pid}-${randomBytes(3).toString("hex")}`)
const importFrom = "../../../../src/migrations/index.js"
afterAll(() => rmSync(root, { recursive: true, force: true }))

let folders = 0
const folder = () => {
  const path = join(root, `m${++folders}`)
  mkdirSync(path, { recursive: true })
  return path
}

const dropAll = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`DROP TABLE IF EXISTS ${[...tables, "effect_orm_migrations"].join(", ")} CASCADE`).unprepared
})

/** The state without what PostgreSQL does not store (on-delete rules and reverse names are the ORM's). */
const databaseFacts = (state: State.SchemaState) =>
  Object.fromEntries(Object.entries(State.byName(state).models).map(([name, m]) => [name, {
    ...m,
    fields: Object.fromEntries(Object.entries(m.fields).map(([k, f]) => [k, f.references === undefined ? f : { ...f, references: { ...f.references, onDelete: undefined, relatedName: undefined } }]))
  }]))

for (const driver of Testing.drivers([])) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("models to migrations to a database, and back by introspection, give the same schema", () =>
      Effect.gen(function*() {
        yield* dropAll
        const dir = folder()
        const made = yield* Migrator.makeMigrations({ models: v1, folder: dir, importFrom })
        expect(made.name).toBe("0001_initial")
        expect(made.operations.map((o) => o.description)).toEqual([
          "Create model MkAuthor",
          "Create model MkBook",
          "Create model MkBook_coauthors"
        ])
        expect(readdirSync(dir)).toEqual(["0001_initial.ts"])
        expect(readFileSync(join(dir, "0001_initial.ts"), "utf8")).toContain("Migration.CreateModel({")
        // An index method travels through the file, the migration and introspection.
        expect(readFileSync(join(dir, "0001_initial.ts"), "utf8")).toContain(`using: "hash"`)
        // So does an expression index, as its SQL (without the empty columns of its short form).
        const file = readFileSync(join(dir, "0001_initial.ts"), "utf8")
        expect(file).toContain(`name: "mk_book_title_lower",\n            expressions: ["LOWER(\\"title\\")"],\n            unique: false,\n            where: "\\"format\\" = 'paperback'"\n`)
        expect(file).not.toContain("columns: []")
        yield* Migrator.migrate(dir)
        const { state, warnings } = yield* introspect({ exclude: [] })
        expect(warnings).toEqual([])
        const ours = Object.fromEntries(Object.entries(state.models).filter(([, m]) => tables.includes(m.table)))
        expect(databaseFacts({ models: ours })).toEqual(databaseFacts(State.fromModels(v1)))
        // The same tables as Tables.create makes.
        const migrated = yield* snapshot(tables)
        yield* dropAll
        yield* Tables.create(...v1)
        expect(yield* snapshot(tables)).toEqual(migrated)
        yield* dropAll
      }))

    it.effect("one changed field gives one migration with one operation; --check fails until it is written", () =>
      Effect.gen(function*() {
        yield* dropAll
        const dir = folder()
        yield* Migrator.makeMigrations({ models: v1, folder: dir, importFrom })
        expect((yield* Migrator.makeMigrations({ models: v1, folder: dir, importFrom, check: true })).operations).toEqual([])
        const pending = yield* Effect.flip(Migrator.makeMigrations({ models: v2, folder: dir, importFrom, check: true }))
        expect(pending.problem).toBe("pending")
        expect(pending.message).toContain("Alter field pages of MkBook")
        expect(readdirSync(dir)).toEqual(["0001_initial.ts"])
        const made = yield* Migrator.makeMigrations({ models: v2, folder: dir, importFrom })
        expect(made.name).toBe("0002_alter_mk_book_pages")
        expect(made.operations.map((o) => o.description)).toEqual(["Alter field pages of MkBook"])
        expect((yield* Migrator.makeMigrations({ models: v2, folder: dir, importFrom })).path).toBeUndefined()
        yield* Migrator.migrate(dir)
        const sql = yield* SqlClient.SqlClient
        yield* sql.unsafe("INSERT INTO mk_author (name) VALUES ('Ann')")
        yield* sql.unsafe("INSERT INTO mk_book (title, pages, author_id) SELECT 'Emma', NULL, id FROM mk_author")
        // Back to 0001 would make pages NOT NULL again, which the NULL row refuses: nothing changes.
        const refused = yield* Effect.flip(Migrator.migrate(dir, { target: "0001" }))
        expect(refused.problem).toBe("apply")
        expect(refused.message).toContain("Nothing of 0002_alter_mk_book_pages was applied")
        expect((yield* Migrator.status(dir)).map((s) => s.applied)).toEqual([true, true])
        yield* sql.unsafe("UPDATE mk_book SET pages = 10")
        yield* Migrator.migrate(dir, { target: "0001" })
        const rows = yield* sql.unsafe<{ title: string; pages: number }>("SELECT title, pages FROM mk_book")
        expect(rows.map((r) => [r.title, r.pages])).toEqual([["Emma", 10]])
        yield* dropAll
      }))

    it.effect("--empty writes a migration to fill by hand; two leaves need --merge, which joins them", () =>
      Effect.gen(function*() {
        const dir = folder()
        yield* Migrator.makeMigrations({ models: v1, folder: dir, importFrom })
        const empty = yield* Migrator.makeMigrations({ models: v1, folder: dir, importFrom, empty: true, name: "fill data" })
        expect(empty.name).toBe("0002_fill_data")
        expect(readFileSync(empty.path!, "utf8")).toContain(`dependencies: ["0001_initial"]`)
        // A second branch from 0001, as a teammate's file would arrive.
        const other = readFileSync(empty.path!, "utf8")
        const { writeFileSync } = yield* Effect.promise(() => import("node:fs"))
        writeFileSync(join(dir, "0002_teammate.ts"), other)
        const conflict = yield* Effect.flip(Migrator.makeMigrations({ models: v2, folder: dir, importFrom }))
        expect(conflict.problem).toBe("graph")
        expect(conflict.message).toContain("0002_fill_data, 0002_teammate are all leaves")
        const merge = yield* Migrator.makeMigrations({ models: v1, folder: dir, importFrom, merge: true })
        expect(merge.name).toBe("0003_merge_0002_fill_data_0002_teammate")
        expect(readFileSync(merge.path!, "utf8")).toContain(`dependencies: ["0002_fill_data", "0002_teammate"]`)
        const next = yield* Migrator.makeMigrations({ models: v2, folder: dir, importFrom })
        expect(next.name).toBe("0004_alter_mk_book_pages")
        expect(readFileSync(next.path!, "utf8")).toContain(`dependencies: ["0003_merge_0002_fill_data_0002_teammate"]`)
      }))

    it.effect("a test database built from the migrations folder has the migrated schema and history", () =>
      Effect.gen(function*() {
        const dir = folder()
        yield* Migrator.makeMigrations({ models: v1, folder: dir, importFrom })
        yield* Migrator.makeMigrations({ models: v2, folder: dir, importFrom })
        const testLayer = driver.name === "pglite"
          ? Testing.pglite(Testing.fromMigrations(dir))
          : Testing.postgres(Testing.fromMigrations(dir), process.env.DATABASE_URL!)
        const seen = yield* Effect.provide(
          Effect.gen(function*() {
            const status = yield* Migrator.status(dir)
            return { status: status.map((s) => [s.name, s.applied]), schema: yield* snapshot(tables) }
          }),
          testLayer
        )
        expect(seen.status).toEqual([["0001_initial", true], ["0002_alter_mk_book_pages", true]])
        yield* dropAll
        yield* Tables.create(...v2)
        expect(yield* snapshot(tables)).toEqual(seen.schema)
        yield* dropAll
      }))
  })
}
