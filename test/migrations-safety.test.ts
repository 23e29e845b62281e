/**
 * The safety of migrations (#13, item 4), from real pairs of models: each known trap (a NOT NULL column without a
 * default on an existing table, a type change that rewrites the table, an index without CONCURRENTLY (a unique
 * constraint's too), a foreign key or check (new choices too) without NOT VALID then VALIDATE, SET NOT NULL, a renamed
 * column) gets its warning with the safe alternative and its impacts; the safe counterparts get none; the
 * autodetector's safe mode writes the multi-step forms and makes the migration non-atomic. Then, on every driver, the safe forms run for real on tables with rows,
 * statement by statement outside a transaction, and give the catalog of the schema created directly, every NOT
 * VALID constraint validated; a binary-coercible type change keeps the table's file; and the safe SET NOT NULL path
 * on a NULL row fails with a typed error, leaving only its NOT VALID check, which a second run (once the row is
 * fixed) drops and replaces; so does a check whose VALIDATE fails.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Result } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { Field, Model } from "../src/index.js"
import * as Executor from "../src/internal/executor.js"
import { detect, type DetectOptions } from "../src/internal/migrations/autodetect.js"
import { atomic } from "../src/internal/migrations/migration.js"
import { forwardSql } from "../src/internal/migrations/operationSql.js"
import { apply, describe as describeOp, type Operation } from "../src/internal/migrations/operations.js"
import { type Assessment, assess } from "../src/internal/migrations/safety.js"
import * as Sql from "../src/internal/migrations/sql.js"
import * as State from "../src/internal/migrations/state.js"
import { Migration, Migrator } from "../src/migrations/index.js"
import * as Testing from "../src/testing/index.js"
import { snapshot } from "./migrations/catalog.js"

type M = Model.Any
const model = (name: string, fields: Model.Fields, options: Model.Options<any> = {}): M =>
  Model.Class<any>(name)(fields as any, options as any) as unknown as M
const fk = (target: () => M, options: Record<string, unknown> = { onDelete: "SET_NULL", nullable: true }) =>
  Field.ForeignKey(target as any, options as any)
const state = (...models: ReadonlyArray<M>) => State.fromModels(models)

const detected = (from: State.SchemaState, to: State.SchemaState, options?: DetectOptions): ReadonlyArray<Operation> => {
  const result = detect(from, to, options)
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return result.success
}

/** Each detected operation, assessed on the schema before it (models created earlier in the migration are new). */
const assessed = (from: State.SchemaState, to: State.SchemaState, options?: DetectOptions) => {
  const created = new Set<string>()
  let current = from
  return detected(from, to, options).map((operation) => {
    const assessment = assess(operation, current, created)
    if (operation._tag === "CreateModel") created.add(operation.model.name)
    current = apply(current, operation)
    return { operation, description: describeOp(operation), ...assessment }
  })
}

/** The one operation of a pair, with its assessment. */
const single = (from: State.SchemaState, to: State.SchemaState, options?: DetectOptions) => {
  const all = assessed(from, to, options)
  expect(all.map((a) => a.description)).toHaveLength(1)
  return all[0]!
}

const sorted = (a: Assessment) => ({ impacts: [...a.impacts].sort(), warnings: a.warnings })

// The warnings, word for word: what `migrate --plan`, `sqlmigrate` and `makemigrations` print.
const NOT_NULL = {
  message: "adding a NOT NULL column without a default fails on a table that has rows",
  safe: "give the field a default, or add it nullable, fill it, then make it NOT NULL"
}
const INDEX = {
  message: "creating an index on an existing table blocks writes to it until the index is built",
  safe: "build it CONCURRENTLY: makemigrations --safe (the migration then runs outside a transaction)"
}
const UNIQUE = {
  message: "adding a unique constraint builds its index while writes to the table are blocked",
  safe: "build a unique index CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX (RunSql with atomic: false)"
}
const FOREIGN_KEY = {
  message: "adding a foreign key checks every row while writes to both tables are blocked",
  safe: "add it NOT VALID, then VALIDATE it, which does not block writes: makemigrations --safe"
}
const CHECK = {
  message: "adding a check constraint checks every row while writes are blocked",
  safe: "add it NOT VALID, then VALIDATE it: makemigrations --safe"
}
const SET_NOT_NULL = {
  message: "SET NOT NULL scans the whole table while writes are blocked (and fails if a row is NULL)",
  safe: "add CHECK (column IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL: makemigrations --safe"
}
const TYPE = {
  message: "changing the column's type rewrites the table while reads and writes are blocked",
  safe: "add a column of the new type, fill it in batches, switch the code to it, then remove the old one"
}
const RENAME_COLUMN = {
  message: "renaming a column breaks running code that still reads or writes the old name",
  safe: "deploy code that no longer uses the old name first (or add the new column and copy, then remove the old)"
}
const RENAME_TABLE = {
  message: "renaming a table breaks running code that still uses the old name",
  safe: "deploy code that no longer uses the old name first"
}
const DROP = {
  message: "dropping a column or table loses its data, and breaks running code that still uses it",
  safe: "deploy code that no longer uses it first; back the data up if it may be needed"
}

const Pub = model("SfPub", { id: Field.AutoField(), name: Field.Char({ maxLength: 50 }) }, { table: "sf_pub" })
const Pub2 = model("SfPub2", { id: Field.AutoField() }, { table: "sf_pub2" })
const base = {
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 50 }),
  pages: Field.Integer(),
  price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2 }),
  note: Field.Text({ nullable: true }),
  pub: fk(() => Pub)
}
const book = (fields: Record<string, unknown> = {}, options: Model.Options<any> = {}) =>
  model("SfBook", Object.fromEntries(Object.entries({ ...base, ...fields }).filter(([, v]) => v !== undefined)) as any, { table: "sf_book", ...options })
const from = state(book(), Pub, Pub2)
const to = (fields: Record<string, unknown>, options: Model.Options<any> = {}) => state(book(fields, options), Pub, Pub2)

describe("safety: each trap warns, with the safe alternative", () => {
  it("a NOT NULL column without a default on an existing table", () => {
    const a = single(from, to({ isbn: Field.Char({ maxLength: 13 }) }))
    expect(a.description).toBe("Add field isbn to SfBook")
    expect(sorted(a)).toEqual({ impacts: ["additive", "data-dependent"], warnings: [NOT_NULL] })
  })

  for (const [what, field] of [
    ["integer to bigint", { pages: Field.BigInteger() }],
    ["text to a number", { title: Field.Integer() }],
    ["a shorter varchar", { title: Field.Char({ maxLength: 20 }) }],
    ["more decimal places", { price: Field.Decimal({ maxDigits: 8, decimalPlaces: 3 }) }],
    ["fewer digits", { price: Field.Decimal({ maxDigits: 5, decimalPlaces: 2 }) }],
    ["text to varchar", { note: Field.Char({ maxLength: 10, nullable: true }) }]
  ] as const) {
    it(`a type change that rewrites the table: ${what}`, () => {
      const a = single(from, to(field))
      expect(a.operation._tag).toBe("AlterField")
      expect(sorted(a)).toEqual({ impacts: ["blocking", "data-dependent", "rewrite"], warnings: [TYPE] })
    })
  }

  it("an index without CONCURRENTLY on an existing table: a model index, a new indexed field, an index added to a field", () => {
    const index = single(from, to({}, { indexes: [{ fields: ["title", "-pages"] }] }))
    expect(index.description).toBe("Add index sf_book_title_pages_idx to SfBook")
    expect(sorted(index)).toEqual({ impacts: ["blocking"], warnings: [INDEX] })
    const unique = single(from, to({}, { indexes: [{ fields: ["title"], unique: true, name: "sf_book_title_once" }] }))
    expect(sorted(unique)).toEqual({ impacts: ["blocking", "data-dependent"], warnings: [INDEX] })
    const added = single(from, to({ code: Field.Char({ maxLength: 8, nullable: true, dbIndex: true }) }))
    expect(sorted(added)).toEqual({ impacts: ["additive", "blocking"], warnings: [INDEX] })
    const altered = single(from, to({ title: Field.Char({ maxLength: 50, dbIndex: true }) }))
    expect(altered.operation._tag).toBe("AlterField")
    expect(sorted(altered)).toEqual({ impacts: ["blocking"], warnings: [INDEX] })
  })

  it("a unique constraint's index, built without CONCURRENTLY: a unique field added, a field made unique, a unique constraint", () => {
    const added = single(from, to({ isbn: Field.Char({ maxLength: 13, nullable: true, unique: true }) }))
    expect(sorted(added)).toEqual({ impacts: ["additive", "blocking", "data-dependent"], warnings: [UNIQUE] })
    const altered = single(from, to({ title: Field.Char({ maxLength: 50, unique: true }) }))
    expect(sorted(altered)).toEqual({ impacts: ["blocking", "data-dependent"], warnings: [UNIQUE] })
    const constraint = single(from, to({}, { constraints: [{ kind: "unique", fields: ["title", "pages"], name: "sf_book_once" }] }))
    expect(sorted(constraint)).toEqual({ impacts: ["blocking", "data-dependent"], warnings: [UNIQUE] })
    // Safe mode has no multi-step form for it: it still says so.
    expect(single(from, to({ title: Field.Char({ maxLength: 50, unique: true }) }), { safe: true }).warnings).toEqual([UNIQUE])
  })

  it("a foreign key without NOT VALID: a new foreign key field (with its index), a foreign key to another model", () => {
    const added = single(from, to({ other: fk(() => Pub2) }))
    expect(added.description).toBe("Add field otherId to SfBook")
    expect(sorted(added)).toEqual({ impacts: ["additive", "blocking", "data-dependent"], warnings: [INDEX, FOREIGN_KEY] })
    const retargeted = single(from, to({ pub: fk(() => Pub2) }))
    expect(retargeted.operation._tag).toBe("AlterField")
    expect(sorted(retargeted)).toEqual({ impacts: ["blocking", "data-dependent"], warnings: [FOREIGN_KEY] })
  })

  it("a check without NOT VALID: a check constraint, and new choices on a field", () => {
    const check = single(from, to({}, { constraints: [{ kind: "check", check: { pages: { gte: 0 } }, name: "sf_book_pages" }] }))
    expect(check.description).toBe("Add constraint sf_book_pages to SfBook")
    expect(sorted(check)).toEqual({ impacts: ["blocking", "data-dependent"], warnings: [CHECK] })
    const choices = single(from, to({ title: Field.Char({ maxLength: 50, choices: ["a", "b"] }) }))
    expect(choices.operation._tag).toBe("AlterField")
    expect(sorted(choices)).toEqual({ impacts: ["blocking", "data-dependent"], warnings: [CHECK] })
  })

  it("SET NOT NULL on an existing table", () => {
    const a = single(from, to({ note: Field.Text() }))
    expect(a.operation._tag).toBe("AlterField")
    expect(sorted(a)).toEqual({ impacts: ["blocking", "data-dependent"], warnings: [SET_NOT_NULL] })
  })

  it("a renamed column: a field renamed, a field's column changed", () => {
    const renamed = single(from, to({ title: undefined, heading: Field.Char({ maxLength: 50 }) }), {
      renames: [{ _tag: "FieldRename", model: "SfBook", from: "title", to: "heading" }]
    })
    expect(renamed.operation).toEqual({ _tag: "RenameField", model: "SfBook", from: "title", to: "heading", column: "heading" })
    expect(sorted(renamed)).toEqual({ impacts: ["blocking"], warnings: [RENAME_COLUMN] })
    const column = single(from, to({ pages: Field.Integer({ dbColumn: "page_count" }) }))
    expect(column.operation._tag).toBe("AlterField")
    expect(sorted(column)).toEqual({ impacts: ["blocking"], warnings: [RENAME_COLUMN] })
  })

  it("a renamed table (a model renamed without an explicit table), a dropped column and a dropped table", () => {
    const Writer = model("SfWriter", { id: Field.AutoField(), name: Field.Char({ maxLength: 20 }) })
    const Author = model("SfAuthor", { id: Field.AutoField(), name: Field.Char({ maxLength: 20 }) })
    const renamed = single(state(Writer), state(Author), { renames: [{ _tag: "ModelRename", from: "SfWriter", to: "SfAuthor" }] })
    expect(renamed.operation).toEqual({ _tag: "RenameModel", from: "SfWriter", to: "SfAuthor", table: "sf_author" })
    expect(sorted(renamed)).toEqual({ impacts: ["blocking"], warnings: [RENAME_TABLE] })
    expect(sorted(single(from, to({ note: undefined })))).toEqual({ impacts: ["destructive"], warnings: [DROP] })
    expect(sorted(single(from, state(book(), Pub)))).toEqual({ impacts: ["destructive"], warnings: [DROP] })
  })
})

describe("safety: the safe changes do not warn", () => {
  it("a NOT NULL column with a default, a nullable column, a generated key on a new table", () => {
    expect(sorted(single(from, to({ isbn: Field.Char({ maxLength: 13, default: "" }) })))).toEqual({ impacts: ["additive"], warnings: [] })
    expect(sorted(single(from, to({ isbn: Field.Char({ maxLength: 13, nullable: true }) })))).toEqual({ impacts: ["additive"], warnings: [] })
    expect(sorted(single(from, to({ stock: Field.Integer({ default: 0 }) })))).toEqual({ impacts: ["additive"], warnings: [] })
  })

  for (const [what, field] of [
    ["a longer varchar", { title: Field.Char({ maxLength: 200 }) }],
    ["varchar to text", { title: Field.Text() }],
    ["more digits, the same places", { price: Field.Decimal({ maxDigits: 10, decimalPlaces: 2 }) }]
  ] as const) {
    it(`a binary-coercible type change is no rewrite: ${what}`, () => {
      const a = single(from, to(field))
      expect(a.operation._tag).toBe("AlterField")
      expect(sorted(a)).toEqual({ impacts: ["additive"], warnings: [] })
    })
  }

  it("indexes, foreign keys and checks of a table created in the same migration, however they are ordered", () => {
    const Shelf = model("SfShelf", {
      id: Field.AutoField(),
      label: Field.Char({ maxLength: 20, dbIndex: true }),
      code: Field.Char({ maxLength: 20, unique: true }),
      pages: Field.Integer(),
      book: fk(() => Pub)
    }, {
      table: "sf_shelf",
      indexes: [{ fields: ["label", "-pages"] }],
      constraints: [{ kind: "check", check: { pages: { gte: 0 } }, name: "sf_shelf_pages" }, { kind: "unique", fields: ["label", "pages"], name: "sf_shelf_once" }]
    })
    const all = assessed(from, state(book(), Pub, Pub2, Shelf))
    expect(all.map((a) => [a.description, sorted(a)])).toEqual([["Create model SfShelf", { impacts: ["additive"], warnings: [] }]])
    // Two new models in a cycle: the foreign key that closes it, and an index on its column, come after both creates.
    const CycA: M = model("SfCycA", { id: Field.AutoField(), b: fk(() => CycB) }, { table: "sf_cyc_a", indexes: [{ fields: ["bId", "-id"] }] })
    const CycB: M = model("SfCycB", { id: Field.AutoField(), a: fk(() => CycA) }, { table: "sf_cyc_b" })
    const cycle = assessed(from, state(book(), Pub, Pub2, CycA, CycB))
    expect(cycle.map((a) => a.description)).toEqual([
      "Create model SfCycA",
      "Create model SfCycB",
      "Add field bId to SfCycA",
      "Add index sf_cyc_a_b_id_id_idx to SfCycA"
    ])
    for (const a of cycle) expect(a.warnings).toEqual([])
    // Operations written by hand, on a model created earlier in the same migration.
    const created = new Set(["SfBook"])
    expect(assess({ _tag: "AddIndex", model: "SfBook", index: { name: "x", columns: [{ column: "pages", descending: false }], unique: false } }, from, created).warnings).toEqual([])
    expect(assess({ _tag: "AddConstraint", model: "SfBook", constraint: { kind: "check", name: "y", sql: "true" } }, from, created).warnings).toEqual([])
    expect(assess({ _tag: "AddConstraint", model: "SfBook", constraint: { kind: "unique", name: "z", columns: ["title"] } }, from, created).warnings).toEqual([])
    expect(assess({ _tag: "AlterField", model: "SfBook", name: "title", field: { ...from.models.SfBook!.fields.title!, unique: true } }, from, created).warnings)
      .toEqual([])
    expect(assess({ _tag: "AlterField", model: "SfBook", name: "note", field: { ...from.models.SfBook!.fields.note!, nullable: false } }, from, created).warnings)
      .toEqual([])
  })

  it("a model renamed whose table is explicit, and a field renamed whose column is explicit, rename nothing in the database", () => {
    const Writer = model("SfWriter", { id: Field.AutoField(), name: Field.Char({ maxLength: 20 }) }, { table: "sf_people" })
    const Author = model("SfAuthor", { id: Field.AutoField(), name: Field.Char({ maxLength: 20 }) }, { table: "sf_people" })
    const renamed = single(state(Writer), state(Author), { renames: [{ _tag: "ModelRename", from: "SfWriter", to: "SfAuthor" }] })
    expect(renamed.operation).toEqual({ _tag: "RenameModel", from: "SfWriter", to: "SfAuthor", table: "sf_people" })
    expect(sorted(renamed)).toEqual({ impacts: ["additive"], warnings: [] })
    const field = single(from, to({ title: undefined, heading: Field.Char({ maxLength: 50, dbColumn: "title" }) }), {
      renames: [{ _tag: "FieldRename", model: "SfBook", from: "title", to: "heading" }]
    })
    expect(field.operation).toEqual({ _tag: "RenameField", model: "SfBook", from: "title", to: "heading", column: "title" })
    expect(sorted(field)).toEqual({ impacts: ["additive"], warnings: [] })
  })

  it("safe mode writes the multi-step forms: no index, foreign key, check or SET NOT NULL warning, and a non-atomic migration", () => {
    const target = to({
      note: Field.Text(),
      code: Field.Char({ maxLength: 8, nullable: true, dbIndex: true }),
      other: fk(() => Pub2),
      pub: fk(() => Pub2),
      title: Field.Char({ maxLength: 50, choices: ["a", "b"] })
    }, { indexes: [{ fields: ["title", "-pages"] }], constraints: [{ kind: "check", check: { pages: { gte: 0 } }, name: "sf_book_pages" }] })
    const plain = assessed(from, target)
    expect(plain.flatMap((a) => a.warnings).map((w) => w.message).sort()).toEqual(
      [INDEX, INDEX, INDEX, FOREIGN_KEY, FOREIGN_KEY, CHECK, CHECK, SET_NOT_NULL].map((w) => w.message).sort()
    )
    expect(atomic({ name: "plain", dependencies: [], operations: plain.map((a) => a.operation) })).toBe(true)
    const safe = assessed(from, target, { safe: true })
    expect(safe.map((a) => [a.description, a.warnings])).toEqual(safe.map((a) => [a.description, []]))
    expect(safe.map((a) => `${a.description}${"safe" in a.operation ? " safe" : ""}${"notValid" in a.operation ? " notValid" : ""}`)).toEqual([
      "Alter field title of SfBook safe",
      "Alter field note of SfBook safe",
      "Alter field pubId of SfBook safe",
      "Add field code to SfBook safe",
      "Add field otherId to SfBook safe",
      "Add index sf_book_title_pages_idx to SfBook (concurrently)",
      "Add constraint sf_book_pages to SfBook notValid"
    ])
    expect(atomic({ name: "safe", dependencies: [], operations: safe.map((a) => a.operation) })).toBe(false)
    // Still said: what safe mode cannot avoid (a NOT NULL column without a default, a rewrite).
    const still = assessed(from, to({ isbn: Field.Char({ maxLength: 13 }), pages: Field.BigInteger() }), { safe: true })
    expect(still.map((a) => a.warnings)).toEqual([[TYPE], [NOT_NULL]])
  })
})

// ---- on every driver: the safe forms on tables with rows ----

const run = (statements: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    for (const statement of statements) yield* sql.unsafe(statement).unprepared
  })

const query = <A extends object>(text: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return yield* sql.unsafe<A>(text).unprepared
  })

const tablesOf = (...states: ReadonlyArray<State.SchemaState>) => [...new Set(states.flatMap((s) => Object.values(s.models).map((m) => m.table)))]
const dropAll = (names: ReadonlyArray<string>) => run([...names, "effect_orm_migrations"].map((t) => `DROP TABLE IF EXISTS "${t}" CASCADE`))

/** Runs each operation's statements one by one, outside a transaction, as the runner runs a non-atomic migration. */
const migrate = (start: State.SchemaState, ops: ReadonlyArray<Operation>) =>
  Effect.gen(function*() {
    let current = start
    const statements: Array<string> = []
    for (const op of ops) {
      const next = apply(current, op)
      const sql = forwardSql(op, current, next)
      statements.push(...sql)
      yield* run(sql)
      current = next
    }
    return { state: current, statements }
  })

const SPub = model("SdPub", { id: Field.AutoField(), name: Field.Char({ maxLength: 50 }) }, { table: "sd_pub" })
const SPub2 = model("SdPub2", { id: Field.AutoField() }, { table: "sd_pub2" })
const sdBase = {
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 50 }),
  pages: Field.Integer(),
  price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2 }),
  note: Field.Text({ nullable: true }),
  kind: Field.Char({ maxLength: 10, nullable: true }),
  pub: fk(() => SPub)
}
const sdBook = (fields: Record<string, unknown> = {}, options: Model.Options<any> = {}) =>
  model("SdBook", Object.fromEntries(Object.entries({ ...sdBase, ...fields }).filter(([, v]) => v !== undefined)) as any, { table: "sd_book", ...options })
const sdFrom = state(sdBook(), SPub, SPub2)
const sdTo = state(sdBook({
  note: Field.Text(),
  kind: Field.Char({ maxLength: 10, nullable: true, choices: ["novel", "essay"] }),
  code: Field.Char({ maxLength: 8, nullable: true, dbIndex: true }),
  other: fk(() => SPub2),
  pub: fk(() => SPub2),
  title: Field.Text(),
  price: Field.Decimal({ maxDigits: 10, decimalPlaces: 2 })
}, {
  indexes: [{ fields: ["title", "-pages"] }, { fields: ["pages"], unique: true, name: "sd_book_pages_once" }],
  constraints: [{ kind: "check", check: { pages: { gte: 0 } }, name: "sd_book_pages" }]
}), SPub, SPub2)
const sdTables = tablesOf(sdFrom, sdTo)

/** A few hundred rows in the "before" schema, every one of which the "after" schema accepts. */
const seed = [
  `INSERT INTO sd_pub (name) SELECT 'p' || i FROM generate_series(1, 5) i`,
  `INSERT INTO sd_pub2 (id) SELECT id FROM sd_pub`,
  `INSERT INTO sd_book (title, pages, price, note, kind, pub_id)
     SELECT 't' || i, i, i / 100.0, 'n' || i, CASE WHEN i % 2 = 0 THEN 'novel' ELSE NULL END, 1 + i % 5 FROM generate_series(1, 400) i`
]

const filenode = (table: string) => Effect.map(query<{ f: string }>(`SELECT pg_relation_filenode('${table}')::text AS f`), (rows) => rows[0]!.f)

const Nul = model("SdNul", { id: Field.AutoField(), note: Field.Text({ nullable: true }) }, { table: "sd_nul" })
const NulAfter = model("SdNul", { id: Field.AutoField(), note: Field.Text() }, { table: "sd_nul" })

for (const driver of Testing.drivers([])) {
  layer(driver.layer)(`safe migrations on ${driver.name}`, (it) => {
    it.effect("safe mode's statements, one by one outside a transaction, give the directly created schema with every constraint validated", () =>
      Effect.gen(function*() {
        yield* dropAll(sdTables)
        yield* run(Sql.createAll(sdTo))
        const direct = yield* snapshot(sdTables)
        yield* dropAll(sdTables)
        yield* run(Sql.createAll(sdFrom))
        yield* run(seed)
        const book = yield* filenode("sd_book")
        const ops = detected(sdFrom, sdTo, { safe: true })
        expect(atomic({ name: "safe", dependencies: [], operations: ops })).toBe(false)
        const { state: after, statements } = yield* migrate(sdFrom, ops)
        expect(State.same(after.models.SdBook, sdTo.models.SdBook)).toBe(true)
        // The safe forms ran: concurrent builds, NOT VALID then VALIDATE, SET NOT NULL through a validated check.
        const text = statements.join("\n")
        expect(text).toContain(`CREATE INDEX CONCURRENTLY "sd_book_code_idx"`)
        expect(text).toContain(`CREATE INDEX CONCURRENTLY "sd_book_title_pages_idx"`)
        expect(text).toContain(`CREATE UNIQUE INDEX CONCURRENTLY "sd_book_pages_once"`)
        for (const name of ["sd_book_other_id_fkey", "sd_book_pub_id_fkey", "sd_book_kind_check", "sd_book_pages", "sd_book_note_not_null"]) {
          expect(statements.filter((s) => s.includes(`"${name}"`) && s.endsWith("NOT VALID"))).toHaveLength(1)
          expect(statements).toContain(`ALTER TABLE "sd_book" VALIDATE CONSTRAINT "${name}"`)
        }
        expect(statements).toContain(`ALTER TABLE "sd_book" ALTER COLUMN "note" SET NOT NULL`)
        const migrated = yield* snapshot(sdTables)
        expect(migrated).toEqual(direct)
        expect(migrated.constraints.filter((c) => c.includes("NOT VALID"))).toEqual([])
        const invalid = yield* query<{ name: string }>(
          `SELECT conname AS name FROM pg_constraint WHERE conrelid = 'sd_book'::regclass AND NOT convalidated
           UNION ALL SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'sd_book'::regclass AND NOT indisvalid`
        )
        expect(invalid).toEqual([])
        // The rows are all there; the coercible type changes (varchar to text, more digits) did not rewrite the table.
        expect(yield* query<{ n: number }>(`SELECT count(*)::int AS n FROM sd_book WHERE note IS NOT NULL`)).toEqual([{ n: 400 }])
        expect(yield* filenode("sd_book")).toBe(book)
        yield* dropAll(sdTables)
      }))

    it.effect("a binary-coercible type change keeps the table's file; a type change that warns rewrites it", () =>
      Effect.gen(function*() {
        const tables = ["sf_pub", "sf_pub2", "sf_book"]
        for (const [fields, rewrites] of [
          [{ title: Field.Char({ maxLength: 200 }) }, false],
          [{ title: Field.Text() }, false],
          [{ price: Field.Decimal({ maxDigits: 10, decimalPlaces: 2 }) }, false],
          [{ pages: Field.BigInteger() }, true],
          [{ price: Field.Decimal({ maxDigits: 8, decimalPlaces: 3 }) }, true],
          [{ title: Field.Char({ maxLength: 20 }) }, true]
        ] as const) {
          yield* dropAll(tables)
          yield* run(Sql.createAll(from))
          yield* run([
            `INSERT INTO sf_pub (name) VALUES ('p')`,
            `INSERT INTO sf_book (title, pages, price, pub_id) SELECT 't' || i, i, 1.5, 1 FROM generate_series(1, 300) i`
          ])
          const before = yield* filenode("sf_book")
          const target = to(fields)
          const [op] = assessed(from, target)
          expect(op!.warnings).toEqual(rewrites ? [TYPE] : [])
          yield* migrate(from, [op!.operation])
          expect((yield* filenode("sf_book")) !== before).toBe(rewrites)
          expect(yield* query<{ n: number }>(`SELECT count(*)::int AS n FROM sf_book`)).toEqual([{ n: 300 }])
        }
        yield* dropAll(tables)
      }))

    it.effect("the safe SET NOT NULL on a NULL row fails with a typed error, leaves only its NOT VALID check, and resumes once fixed", () =>
      Effect.gen(function*() {
        yield* dropAll(["sd_nul"])
        const ops = detected(state(Nul), state(NulAfter), { safe: true })
        expect(ops).toEqual([{ _tag: "AlterField", model: "SdNul", name: "note", field: State.modelState(NulAfter).fields.note, safe: true }])
        const m1: Migration.Migration = { name: "0001_initial", dependencies: [], operations: [Migration.CreateModel({ model: State.modelState(Nul) })] }
        const m2: Migration.Migration = { name: "0002_note_not_null", dependencies: ["0001_initial"], operations: ops }
        yield* Migrator.migrate([m1])
        yield* run([`INSERT INTO sd_nul (note) SELECT CASE WHEN i = 150 THEN NULL ELSE 'n' || i END FROM generate_series(1, 300) i`])
        const before = yield* snapshot(["sd_nul"])
        const plan = yield* Migrator.plan([m1, m2])
        expect(plan.map((s) => [s.migration.name, s.atomic])).toEqual([["0002_note_not_null", false]])
        const error = yield* Effect.flip(Migrator.migrate([m1, m2]))
        expect(error._tag).toBe("MigrationError")
        expect(error.problem).toBe("apply")
        expect(error.migration).toBe("0002_note_not_null")
        expect(error.message).toContain(`SQL: ALTER TABLE "sd_nul" VALIDATE CONSTRAINT "sd_nul_note_not_null"`)
        expect(error.message).toContain("0002_note_not_null is not atomic: the statements before this one ran and stay")
        // What stays: the check, NOT VALID (so enforced on new writes, not on the rows already there); the column is
        // still nullable, and the migration is not recorded.
        // (pg_get_constraintdef says NOT VALID itself, and the snapshot says it again.)
        const failed = yield* snapshot(["sd_nul"])
        expect({ ...failed, constraints: failed.constraints.map((c) => c.replace(" NOT VALID NOT VALID", " NOT VALID")) }).toEqual({
          ...before,
          constraints: [...before.constraints, `sd_nul sd_nul_note_not_null: CHECK ((note IS NOT NULL)) NOT VALID`].sort()
        })
        expect((yield* Migrator.status([m1, m2])).map((s) => [s.name, s.applied])).toEqual([["0001_initial", true], ["0002_note_not_null", false]])
        const refused = yield* Effect.flip(Executor.ddl(`INSERT INTO sd_nul (note) VALUES (NULL)`))
        expect(refused._tag === "IntegrityError" && [refused.kind, refused.constraint]).toEqual(["check", "sd_nul_note_not_null"])
        // Fixed rows: running again drops the leftover check and goes through.
        yield* run([`UPDATE sd_nul SET note = 'filled' WHERE note IS NULL`])
        expect((yield* Migrator.migrate([m1, m2])).map((o) => o.migration)).toEqual(["0002_note_not_null"])
        const done = yield* snapshot(["sd_nul"])
        yield* dropAll(["sd_nul"])
        yield* run(Sql.createAll(state(NulAfter)))
        expect(done).toEqual(yield* snapshot(["sd_nul"]))
        yield* dropAll(["sd_nul"])
      }))

    it.effect("a check added NOT VALID whose VALIDATE fails on a row leaves the NOT VALID check; once the row is fixed, a second run resumes", () =>
      Effect.gen(function*() {
        yield* dropAll(["sd_nul"])
        const checked = model("SdNul", { id: Field.AutoField(), note: Field.Text({ nullable: true }) }, {
          table: "sd_nul",
          constraints: [{ kind: "check", check: { note: { startsWith: "n" } }, name: "sd_nul_note_n" }]
        })
        const ops = detected(state(Nul), state(checked), { safe: true })
        expect(ops.map((op) => op._tag === "AddConstraint" && op.notValid)).toEqual([true])
        const m1: Migration.Migration = { name: "0001_initial", dependencies: [], operations: [Migration.CreateModel({ model: State.modelState(Nul) })] }
        const m2: Migration.Migration = { name: "0002_note_check", dependencies: ["0001_initial"], operations: ops }
        yield* Migrator.migrate([m1])
        yield* run([`INSERT INTO sd_nul (note) SELECT CASE WHEN i = 7 THEN 'x' ELSE 'n' || i END FROM generate_series(1, 300) i`])
        const error = yield* Effect.flip(Migrator.migrate([m1, m2]))
        expect(error.problem).toBe("apply")
        expect(error.message).toContain(`SQL: ALTER TABLE "sd_nul" VALIDATE CONSTRAINT "sd_nul_note_n"`)
        const failed = yield* snapshot(["sd_nul"])
        expect(failed.constraints.filter((c) => c.includes("sd_nul_note_n")).map((c) => c.replace(" NOT VALID NOT VALID", " NOT VALID")))
          .toEqual([`sd_nul sd_nul_note_n: CHECK ((note ~~ 'n%'::text)) NOT VALID`])
        yield* run([`UPDATE sd_nul SET note = 'n7' WHERE note = 'x'`])
        expect((yield* Migrator.migrate([m1, m2])).map((o) => o.migration)).toEqual(["0002_note_check"])
        const done = yield* snapshot(["sd_nul"])
        yield* dropAll(["sd_nul"])
        yield* run(Sql.createAll(state(checked)))
        expect(done).toEqual(yield* snapshot(["sd_nul"]))
        yield* dropAll(["sd_nul"])
      }))
  })
}
