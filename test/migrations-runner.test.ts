/**
 * Applying migrations on every driver: forward, backward to a target, the history table and its checksums, atomic
 * failures that leave nothing behind, non-atomic migrations, --fake, the plan with SQL and warnings, and (on the
 * server) two concurrent runs that apply each migration once.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { Field, Model } from "../src/index.js"
import * as State from "../src/internal/migrations/state.js"
import { Migration, Migrator } from "../src/migrations/index.js"
import * as Testing from "../src/testing/index.js"

class Writer1 extends Model.Class<Writer1>("MrWriter")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 })
}, { table: "mr_writer" }) {}

class Novel1 extends Model.Class<Novel1>("MrNovel")({
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 100 }),
  writer: Field.ForeignKey(() => Writer1, { onDelete: "CASCADE" })
}, { table: "mr_novel" }) {}

/** The same novel with a page count and an index on it: the state of the second and third migrations. */
class Novel2 extends Model.Class<Novel2>("MrNovel2")({
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 100 }),
  pages: Field.Integer({ default: 0 }),
  writer: Field.ForeignKey(() => Writer1, { onDelete: "CASCADE" })
}, { table: "mr_novel" }) {}

const initial = State.fromModels([Writer1, Novel1])
const novel = { ...initial.models.MrNovel!, name: "MrNovel" }
const pages = State.modelState(Novel2).fields.pages!

const m1: Migration.Migration = {
  name: "0001_initial",
  dependencies: [],
  operations: [Migration.CreateModel({ model: initial.models.MrWriter! }), Migration.CreateModel({ model: novel })]
}
const m2: Migration.Migration = {
  name: "0002_novel_pages",
  dependencies: ["0001_initial"],
  operations: [Migration.AddField({ model: "MrNovel", name: "pages", field: pages })]
}
const m3: Migration.Migration = {
  name: "0003_pages_index",
  dependencies: ["0002_novel_pages"],
  operations: [
    Migration.AddIndex({
      model: "MrNovel",
      index: { name: "mr_novel_pages_idx", columns: [{ column: "pages", descending: false }], unique: false },
      concurrently: true
    })
  ]
}
const all = [m1, m2, m3]

const reset = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe("DROP TABLE IF EXISTS mr_novel, mr_writer, effect_orm_migrations CASCADE").unprepared
})

const columns = (table: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql.unsafe<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
      [table]
    )
    return rows.map((r) => r.column_name)
  })

const history = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql.unsafe<{ name: string }>("SELECT name FROM effect_orm_migrations ORDER BY name")
  return rows.map((r) => r.name)
})

const indexes = (table: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql.unsafe<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY indexname", [table])
    return rows.map((r) => r.indexname)
  })

for (const driver of Testing.drivers([])) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("migrates forward, records each migration, and does nothing the second time", () =>
      Effect.gen(function*() {
        yield* reset
        const outcomes = yield* Migrator.migrate(all)
        expect(outcomes.map((o) => `${o.direction} ${o.migration}`)).toEqual([
          "forward 0001_initial",
          "forward 0002_novel_pages",
          "forward 0003_pages_index"
        ])
        expect(yield* columns("mr_novel")).toEqual(["id", "title", "writer_id", "pages"])
        expect(yield* indexes("mr_novel")).toContain("mr_novel_pages_idx")
        expect(yield* history).toEqual(["0001_initial", "0002_novel_pages", "0003_pages_index"])
        expect(yield* Migrator.migrate(all)).toEqual([])
        const status = yield* Migrator.status(all)
        expect(status.map((s) => [s.name, s.applied])).toEqual([["0001_initial", true], ["0002_novel_pages", true], ["0003_pages_index", true]])
      }))

    it.effect("migrates backward to a target, keeping the data the change allows, and forward again", () =>
      Effect.gen(function*() {
        yield* reset
        yield* Migrator.migrate(all)
        const sql = yield* SqlClient.SqlClient
        yield* sql.unsafe(`INSERT INTO mr_writer (name) VALUES ('Ann')`)
        yield* sql.unsafe(`INSERT INTO mr_novel (title, writer_id, pages) SELECT 'Emma', id, 300 FROM mr_writer`)
        const back = yield* Migrator.migrate(all, { target: "0001" })
        expect(back.map((o) => `${o.direction} ${o.migration}`)).toEqual(["backward 0003_pages_index", "backward 0002_novel_pages"])
        expect(yield* columns("mr_novel")).toEqual(["id", "title", "writer_id"])
        expect(yield* history).toEqual(["0001_initial"])
        const rows = yield* sql.unsafe<{ title: string }>("SELECT title FROM mr_novel")
        expect(rows.map((r) => r.title)).toEqual(["Emma"])
        yield* Migrator.migrate(all)
        expect(yield* columns("mr_novel")).toEqual(["id", "title", "writer_id", "pages"])
        const zero = yield* Migrator.migrate(all, { target: Migrator.ZERO })
        expect(zero).toHaveLength(3)
        expect(yield* columns("mr_novel")).toEqual([])
        expect(yield* history).toEqual([])
      }))

    it.effect("a failing migration leaves neither the schema nor the history changed", () =>
      Effect.gen(function*() {
        yield* reset
        yield* Migrator.migrate([m1])
        const failing: Migration.Migration = {
          ...m2,
          operations: [...m2.operations, Migration.RunSql({ sql: "SELECT * FROM no_such_table" })]
        }
        const exit = yield* Effect.exit(Migrator.migrate([m1, failing]))
        expect(Exit.isFailure(exit)).toBe(true)
        const error = Exit.isFailure(exit) ? exit.cause : undefined
        expect(String(error)).toContain("Applying 0002_novel_pages failed at operation 2 (Raw SQL)")
        expect(String(error)).toContain("Nothing of 0002_novel_pages was applied")
        expect(yield* columns("mr_novel")).toEqual(["id", "title", "writer_id"])
        expect(yield* history).toEqual(["0001_initial"])
      }))

    it.effect("an edited applied migration is an error, and so is an applied one without a file", () =>
      Effect.gen(function*() {
        yield* reset
        yield* Migrator.migrate([m1, m2])
        const edited: Migration.Migration = {
          ...m2,
          operations: [Migration.AddField({ model: "MrNovel", name: "pages", field: { ...pages, nullable: true } })]
        }
        const error = yield* Effect.flip(Migrator.migrate([m1, edited]))
        expect(error.problem).toBe("history")
        expect(error.message).toContain("Migration 0002_novel_pages was edited after it was applied")
        const missing = yield* Effect.flip(Migrator.migrate([m1]))
        expect(missing.problem).toBe("history")
        expect(missing.message).toContain("0002_novel_pages, which no migration file has")
        expect(yield* history).toEqual(["0001_initial", "0002_novel_pages"])
      }))

    it.effect("--fake records without running; an irreversible migration refuses to go back, changing nothing", () =>
      Effect.gen(function*() {
        yield* reset
        yield* Migrator.migrate([m1], { fake: true })
        expect(yield* history).toEqual(["0001_initial"])
        expect(yield* columns("mr_novel")).toEqual([])
        yield* Migrator.migrate([m1], { target: Migrator.ZERO, fake: true })
        yield* Migrator.migrate([m1])
        const raw: Migration.Migration = { name: "0002_raw", dependencies: ["0001_initial"], operations: [Migration.RunSql({ sql: "UPDATE mr_writer SET name = upper(name)" })] }
        yield* Migrator.migrate([m1, raw])
        const error = yield* Effect.flip(Migrator.migrate([m1, raw], { target: "0001_initial" }))
        expect(error.problem).toBe("irreversible")
        expect(error.message).toContain("raw SQL without reverseSql cannot be undone")
        expect(yield* history).toEqual(["0001_initial", "0002_raw"])
      }))

    it.effect("the plan shows each operation's SQL, impact and warnings; sqlmigrate needs no database", () =>
      Effect.gen(function*() {
        yield* reset
        yield* Migrator.migrate([m1])
        const steps = yield* Migrator.plan(all)
        expect(steps.map((s) => [s.migration.name, s.atomic])).toEqual([["0002_novel_pages", true], ["0003_pages_index", false]])
        expect(steps[0]!.operations[0]!.sql).toEqual([`ALTER TABLE "mr_novel" ADD COLUMN "pages" integer NOT NULL DEFAULT 0`])
        expect(steps[0]!.operations[0]!.assessment.impacts).toEqual(["additive"])
        expect(steps[1]!.operations[0]!.sql).toEqual([
          `DROP INDEX CONCURRENTLY IF EXISTS "mr_novel_pages_idx"`,
          `CREATE INDEX CONCURRENTLY "mr_novel_pages_idx" ON "mr_novel" ("pages")`
        ])
        expect(steps[1]!.operations[0]!.assessment.warnings).toEqual([])
        const plain = yield* Migrator.sql([m1, m2, { ...m3, operations: [Migration.AddIndex({ model: "MrNovel", index: { name: "i", columns: [{ column: "pages", descending: true }], unique: false } })] }], "0003")
        expect(plain.operations[0]!.assessment.warnings.map((w) => w.message)).toEqual([
          "creating an index on an existing table blocks writes to it until the index is built"
        ])
        const back = yield* Migrator.sql(all, "0002_novel_pages", { backwards: true })
        expect(back.operations[0]!.sql).toEqual([`ALTER TABLE "mr_novel" DROP COLUMN "pages"`])
        expect(back.operations[0]!.assessment.impacts).toEqual(["destructive"])
      }))

    it.effect("a graph with two leaves is refused with the merge command; a missing dependency is named", () =>
      Effect.gen(function*() {
        yield* reset
        const other: Migration.Migration = { name: "0002_other", dependencies: ["0001_initial"], operations: [] }
        const error = yield* Effect.flip(Migrator.migrate([m1, m2, other]))
        expect(error.problem).toBe("graph")
        expect(error.message).toContain("0002_novel_pages, 0002_other are all leaves")
        expect(error.message).toContain("makemigrations --merge")
        const orphan = yield* Effect.flip(Migrator.migrate([m2]))
        expect(orphan.message).toBe("Migration 0002_novel_pages depends on 0001_initial, which does not exist")
        expect(yield* columns("mr_novel")).toEqual([])
      }))

    if (driver.name === "postgres") {
      it.effect("two concurrent runs apply each migration once: the second waits for the lock", () =>
        Effect.gen(function*() {
          yield* reset
          let waited = 0
          const slow: Migration.Migration = { name: "0004_slow", dependencies: ["0003_pages_index"], operations: [Migration.RunSql({ sql: "SELECT pg_sleep(0.3)", reverseSql: "SELECT 1" })] }
          const runs = yield* Effect.all(
            [0, 1].map(() => Migrator.migrate([...all, slow], { onWait: Effect.sync(() => void waited++) })),
            { concurrency: 2 }
          )
          expect(runs.map((r) => r.length).sort()).toEqual([0, 4])
          expect(yield* history).toEqual(["0001_initial", "0002_novel_pages", "0003_pages_index", "0004_slow"])
          expect(waited).toBe(1)
        }))
    }
  })
}
