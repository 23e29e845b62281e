/**
 * Expression indexes (Django's `Index(Lower("title"), name=...)`) and partial indexes (`where`), on every driver: the
 * DDL and the catalog's normalised form, a unique expression index refusing a duplicate (only among the rows of its
 * condition), queries on the same expression using the index (EXPLAIN with sequential scans off), migrations
 * (makemigrations writes the expressions' SQL, sqlmigrate shows it, a changed expression is the index removed and
 * added, safe mode builds it CONCURRENTLY, backwards drops it), the checksums of migrations without them unchanged,
 * and every expression an index cannot hold refused with the model's name.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { BigDecimal, Duration, Effect } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { randomBytes } from "node:crypto"
import { mkdirSync, readFileSync, rmSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll } from "vitest"
import {
  Case, Cast, Concat, Db, Count, Exists, Extract, F, Field, Lower, Model, Now, OuterRef, RowNumber, Subquery, Tables, Trunc, Upper,
  Value, When, Window
} from "../src/index.js"
import * as History from "../src/internal/migrations/history.js"
import * as State from "../src/internal/migrations/state.js"
import { Migration, Migrator } from "../src/migrations/index.js"
import * as Testing from "../src/testing/index.js"

// ---- models ----

class XiPublisher extends Model.Class<XiPublisher>("XiPublisher")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 })
}, { table: "xi_publisher" }) {}

class XiBook extends Model.Class<XiBook>("XiBook")({
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 100 }),
  pages: Field.Integer(),
  price: Field.Decimal({ maxDigits: 8, decimalPlaces: 2 }),
  pubdate: Field.Date(),
  published: Field.Boolean({ default: false }),
  code: Field.Char({ maxLength: 10, nullable: true }),
  publisher: Field.ForeignKey(() => XiPublisher, { onDelete: "CASCADE", relatedName: "books" })
}, {
  table: "xi_book",
  indexes: [
    { name: "xi_book_title_lower", expressions: [Lower("title")] },
    { name: "xi_book_value", expressions: [F("price").mul(F("pages"))] },
    { name: "xi_book_year", expressions: [Extract("pubdate", "year")] },
    // Unique among the published books only: Upper("a1") and Upper("A1") are the same code.
    { name: "xi_book_code", expressions: [Upper("code")], unique: true, where: { published: true } },
    { name: "xi_book_length", expressions: [Case(When({ pages: { gt: 300 } }, Value("long")), { default: Value("short") }), F("pages")] }
  ]
}) {}

const models = [XiPublisher, XiBook] as const
const dec = (s: string) => BigDecimal.fromStringUnsafe(s)

const seed = Effect.gen(function*() {
  const p = yield* XiPublisher.objects.create({ name: "Apress" })
  const rows = Array.from({ length: 60 }, (_, i) => ({
    title: i === 7 ? "Django Unleashed" : `Book ${i}`,
    pages: 100 + i * 10,
    price: dec(`${10 + (i % 7)}.50`),
    pubdate: `${2000 + (i % 20)}-06-0${1 + (i % 9)}`,
    published: i % 2 === 0,
    code: `c${i}`,
    publisherId: p.id
  }))
  yield* XiBook.objects.bulkCreate(rows)
  const sql = yield* SqlClient.SqlClient
  yield* sql`ANALYZE xi_book`
})

/** The plan of a QuerySet, with sequential scans off (so a usable index is used, however small the table). */
const plan = (qs: { toSql(): Effect.Effect<{ readonly sql: string; readonly params: ReadonlyArray<unknown> }, any> }) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`SET LOCAL enable_seqscan = off`
    const { params, sql: text } = yield* qs.toSql()
    const rows = yield* sql.unsafe<{ readonly "QUERY PLAN": string }>(`EXPLAIN ${text}`, params as Array<any>)
    return { sql: text, plan: rows.map((row) => row["QUERY PLAN"]).join("\n") }
  })

/** The titles a QuerySet of books (annotated or not) returns, by id. */
const titles = (qs: { orderBy(key: "id"): any }): Effect.Effect<Array<string>, unknown, any> =>
  Effect.map(qs.orderBy("id").valuesList("title", { flat: true }) as Effect.Effect<ReadonlyArray<string>>, (r) => [...r])

// ---- what a model refuses ----

const fields = {
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 20 }),
  pages: Field.Integer(),
  day: Field.Date(),
  at: Field.DateTime(),
  span: Field.Duration(),
  publisher: Field.ForeignKey(() => XiPublisher, { onDelete: "CASCADE" }),
  tags: Field.ManyToMany(() => XiPublisher, { relatedName: "xiBadTags" })
}
const define = (index: Record<string, unknown>) => () =>
  Model.Class<any>("XiBad")(fields, { table: "xi_bad", indexes: [index as any] })
/** A model whose index is checked when its DDL is built: its conditions read relations only then. */
const ddl = (index: Record<string, unknown>) => () => Tables.createSql(XiPublisher, define(index)())

describe("expression indexes: what a model refuses", () => {
  it("an index over expressions needs a name, and either fields or expressions", () => {
    expect(define({ expressions: [Lower("title")] })).toThrow("Model XiBad: an index over expressions needs a name (as in Django): { name, expressions }")
    expect(define({ name: "x", fields: ["title"], expressions: [Lower("title")] })).toThrow("Model XiBad: the index x takes either fields or expressions (exactly one of the two)")
    expect(define({ name: "x" })).toThrow("the index x takes either fields or expressions")
    expect(define({ name: "x", expressions: [] })).toThrow("Model XiBad: the index x has no expressions")
    expect(define({ name: "x".repeat(64), expressions: [Lower("title")] })).toThrow(/index name "x{64}" .*give it a shorter name/)
    expect(define({ name: "x", expressions: [Lower("title")], using: "rtree" })).toThrow(`the index x uses "rtree"`)
    expect(define({ name: "x", expressions: [Lower("title")], using: "gin", unique: true })).toThrow("is unique, which only a btree index can be")
    expect(define({ name: "x", expressions: [Lower("title")], opclass: "x\" DROP" })).toThrow("an operator class is a lower-case name")
  })

  it("unknown fields, relations and paths through them, with the model's name", () => {
    expect(define({ name: "x", expressions: [Lower("titel")] })).toThrow(
      "Model XiBad: the index x cannot hold expression 1: titel: unknown field; choices are id, title, pages, day, at, span, publisherId"
    )
    expect(define({ name: "x", expressions: [F("pages"), Lower("publisher.name")] })).toThrow(
      "Model XiBad: the index x cannot hold expression 2: publisher.name: a path through relations: an index reads the columns of its own table"
    )
    expect(define({ name: "x", expressions: [F("publisher")] })).toThrow("publisher: a relation: name its key column, publisherId")
    expect(define({ name: "x", expressions: [F("tags")] })).toThrow("tags: a many-to-many relation has no column to index")
    expect(define({ name: "x", expressions: [F("publisherId").add(F("pk"))] })).not.toThrow()
  })

  it("what reads other rows: aggregates, windows, subqueries, OuterRef", () => {
    const reason = (index: Record<string, unknown>) => {
      try {
        define(index)()
      } catch (e) {
        return (e as Error).message.replace("Model XiBad: the index x cannot hold expression 1: ", "")
      }
      return "accepted"
    }
    expect(reason({ name: "x", expressions: [Count("id")] })).toBe("an aggregate (count) reads many rows; an index is computed from one row")
    expect(reason({ name: "x", expressions: [F("pages").add(Count("id"))] })).toBe("an aggregate (count) reads many rows; an index is computed from one row")
    expect(reason({ name: "x", expressions: [Window(RowNumber(), { orderBy: [F("pages").asc()] })] })).toBe("a window function reads other rows; an index is computed from one row")
    expect(reason({ name: "x", expressions: [Subquery(XiPublisher.objects.valuesList("id", { flat: true }))] })).toBe("a subquery reads other rows; an index is computed from one row")
    expect(reason({ name: "x", expressions: [Exists(XiPublisher.objects.all())] })).toBe("a subquery reads other rows; an index is computed from one row")
    expect(reason({ name: "x", expressions: [OuterRef("pages")] })).toBe("OuterRef belongs in a subquery; an index is computed from one row")
  })

  it("functions PostgreSQL does not index (not IMMUTABLE), and mistakes of kind", () => {
    const reason = (expr: unknown) => {
      try {
        define({ name: "x", expressions: [expr] })()
      } catch (e) {
        return (e as Error).message.replace("Model XiBad: the index x cannot hold expression 1: ", "")
      }
      return "accepted"
    }
    expect(reason(Now())).toBe("Now() changes with time (PostgreSQL indexes only IMMUTABLE functions)")
    expect(reason(Lower(Concat("title", "title")))).toMatch(/^Concat formats its arguments/)
    expect(reason(Trunc("day", "month"))).toBe("Trunc of a date depends on the session's time zone (PostgreSQL does not index it)")
    expect(reason(Trunc("at", "month"))).toBe("accepted")
    expect(reason(F("at").add(Duration.days(1)))).toMatch(/^a timestamp plus or minus a duration depends on the session's time zone/)
    expect(reason(F("day").add(F("span")))).toBe("accepted")
    expect(reason(Cast("day", "text"))).toMatch(/^a cast between text and date depends on the session's settings/)
    expect(reason(Cast("title", "datetime"))).toMatch(/^a cast between text and datetime/)
    expect(reason(Cast("pages", "text"))).toBe("accepted")
    expect(reason(Cast("at", "date"))).toBe("accepted")
    expect(reason(Lower("pages"))).toBe("cannot compute lower(...): argument 1 is Integer, expected string")
    expect(reason(F("title").add(1))).toBe(`cannot compute title (Char) + a number value: "+" does not combine string with number`)
    expect(reason("title")).toBe(`expressions are F(...), Value(...) or functions (Lower("title")), got the string "title" (use fields for columns, or F("title"))`)
    expect(reason(Lower("title").desc())).toBe("an expression index orders ascending: give the expression without asc() or desc()")
    expect(reason(Value(Number.NaN))).toBe("NaN is not a finite number")
  })

  it("conditions (of When, and of a partial index) are checked when the DDL is built: no relations", () => {
    // The model is defined (a relation's target may not exist yet then); its DDL is refused.
    const viaRelation = { name: "x", expressions: [Case(When({ publisher: { name: "A" } }, Value(1)), { default: Value(0) })] }
    expect(define(viaRelation)).not.toThrow()
    expect(ddl(viaRelation)).toThrow("Model XiBad: the index x (expression 1): publisher.name is reached through relations; an index reads the columns of its own table")
    expect(ddl({ name: "x", fields: ["title"], where: { publisher: { name: "A" } } })).toThrow(
      "Model XiBad: the index x: its condition: publisher.name is reached through relations; an index reads the columns of its own table"
    )
    expect(ddl({ name: "x", fields: ["title"], where: { tags: { name: "A" } } })).toThrow("tags.name is reached through relations")
    expect(ddl({ name: "x", fields: ["title"], where: { titel: "A" } })).toThrow("Model XiBad: the index x: its condition: titel: unknown field")
    expect(ddl({ fields: ["title"], where: { pages: { gt: "many" } } })).toThrow("Model XiBad: the index on title: its condition: pages:")
    expect(ddl({ name: "x", fields: ["title"], where: { pages: { gt: F("publisher.id") } } })).toThrow("publisher.id is reached through relations")
    expect(ddl({ name: "x", expressions: [Case(When({ pages: { gt: 3 } }, Value("a")), { default: Value("b") })], where: { day: { lt: "2020-01-01" } } })())
      .toContain(`CREATE INDEX "x" ON "xi_bad" ((CASE WHEN "pages" > 3 THEN 'a' ELSE 'b' END)) WHERE "day" < '2020-01-01'`)
  })

  it("the types: expressions name the model's own fields", () => {
    const declare = () => {
      class XiTyped extends Model.Class<XiTyped>("XiTyped")({
      id: Field.AutoField(),
      title: Field.Char({ maxLength: 20 }),
      publisher: Field.ForeignKey(() => XiPublisher, { onDelete: "CASCADE" })
    }, {
      table: "xi_typed",
      indexes: [
        { name: "xi_typed_ok", expressions: [Lower("title"), F("publisherId"), F("pk").add(1)], where: { title: { gt: "" } } },
        // @ts-expect-error an unknown field
        { name: "xi_typed_unknown", expressions: [Lower("titel")] },
        // @ts-expect-error a path through a relation
        { name: "xi_typed_path", expressions: [Lower("publisher.name")] },
        // @ts-expect-error an expression index needs a name
        { expressions: [Lower("title")] }
      ]
    }) {}
      return XiTyped
    }
    expect(declare).toThrow("Model XiTyped: the index xi_typed_unknown cannot hold expression 1: titel: unknown field")
  })
})

// ---- the checksums of migrations without expression indexes ----

describe("expression indexes: older migrations", () => {
  it("a migration with indexes over fields (methods and classes too) keeps its checksum", () => {
    const sumModel = Model.Class<any>("XiSumBook")({ id: Field.AutoField(), title: Field.Char({ maxLength: 10 }), pages: Field.Integer({ dbIndex: true }) }, {
      indexes: [
        { fields: ["title", "-pages"] },
        { fields: ["title"], name: "xi_sum_hash", using: "hash" },
        { fields: ["title"], name: "xi_sum_ops", opclass: "text_pattern_ops", unique: true }
      ]
    })
    const state = State.fromModels([sumModel])
    const migration = {
      name: "0001_initial",
      dependencies: [],
      operations: [
        Migration.CreateModel({ model: state.models.XiSumBook! }),
        Migration.AddIndex({ model: "XiSumBook", index: { name: "xi_sum_more", columns: [{ column: "pages", descending: false }], unique: false } }),
        Migration.RemoveIndex({ model: "XiSumBook", name: "xi_sum_more" })
      ]
    }
    // Computed by the ORM before expression indexes existed.
    expect(History.checksum(migration)).toBe("d7c9f869497b9fe4dbe2abe1869bf6916999efdd84ca423a82e9c1a1a0213e94")
    for (const index of state.models.XiSumBook!.indexes) expect(Object.keys(index).filter((k) => k === "expressions" || k === "where")).toEqual([])
  })
})

// ---- migrations ----

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, ".generated", `xi-${process.pid}-${randomBytes(3).toString("hex")}`)
const importFrom = "../../../../src/migrations/index.js"
afterAll(() => rmSync(root, { recursive: true, force: true }))
let folders = 0
const folder = () => {
  const path = join(root, `m${++folders}`)
  mkdirSync(path, { recursive: true })
  return path
}

const migFields = { id: Field.AutoField(), title: Field.Char({ maxLength: 50 }), pages: Field.Integer() }
class XiMig1 extends Model.Class<XiMig1>("XiMig")(migFields, { table: "xi_mig", indexes: [{ name: "xi_mig_title", expressions: [Lower("title")] }] }) {}
/** The expression changed, and a partial unique one added. */
class XiMig2 extends Model.Class<XiMig2>("XiMig")(migFields, {
  table: "xi_mig",
  indexes: [
    { name: "xi_mig_title", expressions: [Upper("title")] },
    { name: "xi_mig_pages", expressions: [F("pages").mul(2), Lower("title")], unique: true, where: { pages: { gt: 0 } } }
  ]
}) {}

const indexDefs = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql.unsafe<{ indexname: string; indexdef: string }>(
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'xi_mig' AND indexname <> 'xi_mig_pkey' ORDER BY indexname"
  )
  return rows.map((r) => `${r.indexname}: ${r.indexdef.replace(/^.* USING btree /, "")}`)
})

const dropMigrated = Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe("DROP TABLE IF EXISTS xi_mig, effect_orm_migrations CASCADE").unprepared)

for (const driver of Testing.drivers(models)) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("the DDL and the catalog: PostgreSQL keeps the expressions normalised", () =>
      Effect.gen(function*() {
        expect(Tables.createSql(...models).filter((s) => s.includes(`INDEX`) && s.includes(`ON "xi_book"`))).toEqual([
          `CREATE INDEX "xi_book_publisher_id_idx" ON "xi_book" ("publisher_id")`,
          `CREATE INDEX "xi_book_title_lower" ON "xi_book" ((LOWER("title")))`,
          `CREATE INDEX "xi_book_value" ON "xi_book" ((("price" * "pages")))`,
          `CREATE INDEX "xi_book_year" ON "xi_book" ((EXTRACT(YEAR FROM "pubdate")::float8))`,
          `CREATE UNIQUE INDEX "xi_book_code" ON "xi_book" ((UPPER("code"))) WHERE "published" = TRUE`,
          `CREATE INDEX "xi_book_length" ON "xi_book" ((CASE WHEN "pages" > 300 THEN 'long' ELSE 'short' END), ("pages"))`
        ])
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql.unsafe<{ indexname: string; indexdef: string }>("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'xi_book' ORDER BY indexname")
        const defs = Object.fromEntries(rows.map((r) => [r.indexname, r.indexdef.replace(/^.* USING btree /, "")]))
        expect(defs.xi_book_title_lower).toBe("(lower((title)::text))")
        expect(defs.xi_book_value).toBe("(((price * (pages)::numeric)))")
        expect(defs.xi_book_year).toBe("(((EXTRACT(year FROM pubdate))::double precision))")
        expect(defs.xi_book_code).toBe("(upper((code)::text)) WHERE (published = true)")
      }))

    it.effect("a unique expression index refuses a duplicate (an IntegrityError naming it), among the rows of its condition", () =>
      Testing.isolated(Effect.gen(function*() {
        const p = yield* XiPublisher.objects.create({ name: "P" })
        const book = { title: "t", pages: 1, price: dec("1.00"), pubdate: "2020-01-01", publisherId: p.id }
        yield* XiBook.objects.create({ ...book, code: "ab1", published: true })
        // Not published: outside the index's condition.
        yield* XiBook.objects.create({ ...book, code: "AB1", published: false })
        const error = yield* Effect.flip(Db.atomic(XiBook.objects.create({ ...book, code: "AB1", published: true })))
        expect(error._tag).toBe("IntegrityError")
        if (error._tag === "IntegrityError") expect([error.kind, error.constraint]).toEqual(["unique", "xi_book_code"])
        expect(yield* XiBook.objects.count()).toBe(2)
      })))

    it.effect("a filter on the same expression uses the index: Lower, arithmetic, Extract", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const byTitle = XiBook.objects.alias({ t: Lower("title") }).filter({ t: "django unleashed" })
        const lower = yield* plan(byTitle)
        // The query qualifies the column ("t0"."title"); PostgreSQL matches expressions, not their text.
        expect(lower.sql).toContain(`WHERE LOWER("t0"."title") = $1`)
        expect(lower.plan).toContain("xi_book_title_lower")
        expect(yield* titles(byTitle)).toEqual(["Django Unleashed"])
        // The same with annotate (selected) and through Q's spelling of the filter.
        expect((yield* plan(XiBook.objects.annotate({ t: Lower("title") }).filter({ t: { exact: "book 3" } }))).plan).toContain("xi_book_title_lower")

        const byValue = XiBook.objects.alias({ v: F("price").mul(F("pages")) }).filter({ v: { gt: dec("8000") } })
        const value = yield* plan(byValue)
        expect(value.sql).toContain(`WHERE ("t0"."price" * "t0"."pages") > $1`)
        expect(value.plan).toContain("xi_book_value")
        expect((yield* titles(byValue)).length).toBeGreaterThan(0)

        const byYear = XiBook.objects.alias({ y: Extract("pubdate", "year") }).filter({ y: 2003 })
        const year = yield* plan(byYear)
        expect(year.sql).toContain(`WHERE EXTRACT(YEAR FROM "t0"."pubdate")::float8 = $1`)
        expect(year.plan).toContain("xi_book_year")
        expect(yield* titles(byYear)).toEqual(["Book 3", "Book 23", "Book 43"])

        // A partial index, when the query's filter implies its condition (the values are known when it is planned).
        const byCode = XiBook.objects.filter({ published: true }).alias({ c: Upper("code") }).filter({ c: "C4" })
        expect((yield* plan(byCode)).plan).toContain("xi_book_code")
        expect(yield* titles(byCode)).toEqual(["Book 4"])
      })))

    it.effect("migrations: the expressions' SQL in the file, sqlmigrate, a change removes and adds, backwards drops", () =>
      Effect.gen(function*() {
        yield* dropMigrated
        const dir = folder()
        const first = yield* Migrator.makeMigrations({ models: [XiMig1], folder: dir, importFrom })
        const text = readFileSync(first.path!, "utf8")
        expect(text).toContain(`indexes: [{ name: "xi_mig_title", expressions: ["LOWER(\\"title\\")"], unique: false }]`)
        expect((yield* Migrator.sql(dir, "0001")).operations[0]!.sql).toEqual([
          `CREATE TABLE "xi_mig" (\n  "id" integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n  "title" varchar(50) NOT NULL,\n  "pages" integer NOT NULL\n)`,
          `CREATE INDEX "xi_mig_title" ON "xi_mig" ((LOWER("title")))`
        ])
        // The same models: nothing to do.
        expect((yield* Migrator.makeMigrations({ models: [XiMig1], folder: dir, importFrom, check: true })).operations).toEqual([])
        yield* Migrator.migrate(dir)
        expect(yield* indexDefs).toEqual(["xi_mig_title: (lower((title)::text))"])

        const second = yield* Migrator.makeMigrations({ models: [XiMig2], folder: dir, importFrom, safe: true })
        expect(second.operations.map((o) => o.description)).toEqual([
          "Remove index xi_mig_title from XiMig",
          "Add index xi_mig_title to XiMig (concurrently)",
          "Add index xi_mig_pages to XiMig (concurrently)"
        ])
        expect(readFileSync(second.path!, "utf8")).toContain(`expressions: ["(\\"pages\\" * 2)", "LOWER(\\"title\\")"]`)
        const step = yield* Migrator.sql(dir, "0002")
        expect(step.operations.flatMap((o) => o.sql)).toEqual([
          `DROP INDEX "xi_mig_title"`,
          `DROP INDEX CONCURRENTLY IF EXISTS "xi_mig_title"`,
          `CREATE INDEX CONCURRENTLY "xi_mig_title" ON "xi_mig" ((UPPER("title")))`,
          `DROP INDEX CONCURRENTLY IF EXISTS "xi_mig_pages"`,
          `CREATE UNIQUE INDEX CONCURRENTLY "xi_mig_pages" ON "xi_mig" ((("pages" * 2)), (LOWER("title"))) WHERE "pages" > 0`
        ])
        yield* Migrator.migrate(dir)
        expect(yield* indexDefs).toEqual([
          "xi_mig_pages: (((pages * 2)), lower((title)::text)) WHERE (pages > 0)",
          "xi_mig_title: (upper((title)::text))"
        ])
        expect((yield* Migrator.makeMigrations({ models: [XiMig2], folder: dir, importFrom, check: true })).operations).toEqual([])
        // Backwards: the first index as it was.
        expect((yield* Migrator.sql(dir, "0002", { backwards: true })).operations.flatMap((o) => o.sql)).toContain(
          `CREATE INDEX "xi_mig_title" ON "xi_mig" ((LOWER("title")))`
        )
        yield* Migrator.migrate(dir, { target: "0001" })
        expect(yield* indexDefs).toEqual(["xi_mig_title: (lower((title)::text))"])
        yield* dropMigrated
      }))
  })
}
