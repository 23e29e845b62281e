/**
 * The autodetector on every driver: the detected operations (and their inverses) migrate a database whose catalog then
 * matches one created directly from the target state, keeping the rows; and random pairs of schemas.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Result, Schema } from "effect"
import fc from "fast-check"
import * as SqlClient from "effect/sql/SqlClient"
import { Extract, F, Field, Lower, Model, Upper } from "../src/index.js"
import { detect, type DetectOptions } from "../src/internal/migrations/autodetect.js"
import { forwardSql, inverse } from "../src/internal/migrations/operationSql.js"
import { apply, type Operation } from "../src/internal/migrations/operations.js"
import * as Sql from "../src/internal/migrations/sql.js"
import * as State from "../src/internal/migrations/state.js"
import * as Testing from "../src/testing/index.js"
import * as Catalog from "./migrations/catalog.js"
import { fk, type M, m2m, model, ops, state, tags } from "./migrations/detect.js"

// ---- on every driver: migrate a database with the detected operations and compare its catalog ----

const run = (statements: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forEach(statements, (s) => Effect.mapError(sql.unsafe(s).unprepared, (e) => new Error(`${s}: ${e.cause ?? e.message}`)), { discard: true }))

const tables = (...states: ReadonlyArray<State.SchemaState>) => [...new Set(states.flatMap((s) => Object.values(s.models).map((m) => m.table)))]

const dropAll = (names: ReadonlyArray<string>) => run(names.map((t) => `DROP TABLE IF EXISTS "${t}" CASCADE`))

/** Runs `ops` from `from`, statement by statement; returns the state they lead to and the one before each. */
const migrate = (from: State.SchemaState, list: ReadonlyArray<Operation>) =>
  Effect.gen(function*() {
    const befores: Array<State.SchemaState> = []
    let current = from
    for (const op of list) {
      befores.push(current)
      current = apply(current, op)
      yield* run(forwardSql(op, befores.at(-1)!, current))
    }
    return { state: current, befores }
  })

interface Pair {
  readonly from: State.SchemaState
  readonly to: State.SchemaState
  readonly options?: DetectOptions
  /** Statements inserting rows into `from`'s tables, and a query returning them, before and after. */
  readonly seed?: ReadonlyArray<string>
  readonly rows?: { readonly before: string; readonly after: string }
}

const roundTrip = (pair: Pair) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const all = tables(pair.from, pair.to)
    const rows = (query: string) => sql.unsafe<Record<string, unknown>>(query).unprepared
    yield* dropAll(all)
    yield* run(Sql.createAll(pair.from))
    yield* run(pair.seed ?? [])
    const data = pair.rows === undefined ? undefined : yield* rows(pair.rows.before)
    const forward = ops(pair.from, pair.to, pair.options)
    const { befores, state } = yield* migrate(pair.from, forward)
    if (pair.rows !== undefined) expect(yield* rows(pair.rows.after)).toEqual(data)
    const migrated = yield* Catalog.snapshot(all)
    // Backwards: each operation's inverse, from the last.
    const backward = forward.map((op, i) => inverse(op, befores[i]!)).reverse().flatMap((undo) => {
      if (typeof undo === "string") throw new Error(undo)
      return undo
    })
    yield* migrate(state, backward)
    if (pair.rows !== undefined) expect(yield* rows(pair.rows.before)).toEqual(data)
    const restored = yield* Catalog.snapshot(all)
    yield* dropAll(all)
    yield* run(Sql.createAll(pair.to))
    const direct = yield* Catalog.snapshot(all)
    yield* dropAll(all)
    yield* run(Sql.createAll(pair.from))
    const original = yield* Catalog.snapshot(all)
    yield* dropAll(all)
    expect(migrated).toEqual(direct)
    expect(restored).toEqual(original)
    return forward
  })

const DbPub = model("DbPub", { id: Field.AutoField(), name: Field.Char({ maxLength: 50 }) }, { table: "adb_pub" })
const DbTag = model("DbTag", { id: Field.AutoField(), label: Field.Char({ maxLength: 20 }) }, { table: "adb_tag" })

const fieldsPair: Pair = {
  from: state(DbPub, model("DbBook", {
    id: Field.AutoField(),
    titel: Field.Char({ maxLength: 50 }),
    pages: Field.Integer(),
    note: Field.Text({ nullable: true }),
    kind: Field.Char({ maxLength: 10, choices: ["novel", "essay"], default: "novel" }),
    pub: fk(() => DbPub)
  }, { table: "adb_book", indexes: [{ fields: ["titel"] }], constraints: [{ kind: "check", check: { titel: { gt: "" } }, name: "adb_book_titel" }] })),
  to: state(DbPub, model("DbBook", {
    id: Field.AutoField(),
    title: Field.Char({ maxLength: 100, unique: true }),
    pages: Field.BigInteger({ dbIndex: true }),
    kind: Field.Char({ maxLength: 10, choices: ["novel", "essay", "poem"], default: "essay" }),
    isbn: Field.Char({ maxLength: 13, default: "" }),
    rating: Field.Decimal({ maxDigits: 4, decimalPlaces: 1, nullable: true }),
    pub: fk(() => DbPub, { onDelete: "SET_NULL", nullable: true })
  }, {
    table: "adb_book",
    indexes: [{ fields: ["title"] }, { fields: ["title", "-pages"], name: "adb_book_by_title" }],
    constraints: [
      { kind: "check", check: { pages: { gte: 0n } }, name: "adb_book_pages" },
      { kind: "unique", fields: ["title", "pubId"], name: "adb_book_once" },
      { kind: "check", check: { title: { gt: "" } }, name: "adb_book_titel" }
    ]
  })),
  options: { renames: [{ _tag: "FieldRename", model: "DbBook", from: "titel", to: "title" }], drops: ["DbBook.note"] },
  seed: [`INSERT INTO adb_pub (name) VALUES ('P')`, `INSERT INTO adb_book (titel, pages, note, pub_id) SELECT 'T', 10, 'n', id FROM adb_pub`],
  rows: {
    before: `SELECT b.titel AS t, b.pages::int AS p, p.name AS n FROM adb_book b JOIN adb_pub p ON p.id = b.pub_id`,
    after: `SELECT b.title AS t, b.pages::int AS p, p.name AS n FROM adb_book b JOIN adb_pub p ON p.id = b.pub_id`
  }
}

const writer = (name: string, field: string, table: string) =>
  model(name, { id: Field.AutoField(), [field]: Field.Char({ maxLength: 50, unique: true }), tags: m2m(() => DbTag) }, { table, indexes: [{ fields: [field, "-id"] }] })
const [DbWriter, DbAuthor] = [writer("DbWriter", "name", "adb_writer"), writer("DbAuthor", "label", "adb_author")]
const renamePair: Pair = {
  from: state(DbTag, DbWriter, model("DbPost", { id: Field.AutoField(), by: fk(() => DbWriter, { onDelete: "CASCADE", dbIndex: true }) }, { table: "adb_post" })),
  to: state(DbTag, DbAuthor, model("DbPost", { id: Field.AutoField(), by: fk(() => DbAuthor, { onDelete: "CASCADE", dbIndex: true }) }, { table: "adb_post" })),
  options: { renames: [{ _tag: "ModelRename", from: "DbWriter", to: "DbAuthor" }, { _tag: "FieldRename", model: "DbAuthor", from: "name", to: "label" }] },
  seed: [
    `INSERT INTO adb_tag (label) VALUES ('x')`, `INSERT INTO adb_writer (name) VALUES ('W')`, `INSERT INTO adb_post (by_id) SELECT id FROM adb_writer`,
    `INSERT INTO adb_writer_tags (db_writer_id, db_tag_id) SELECT w.id, t.id FROM adb_writer w, adb_tag t`
  ],
  rows: {
    before: `SELECT w.name, t.label FROM adb_post p JOIN adb_writer w ON w.id = p.by_id JOIN adb_writer_tags j ON j.db_writer_id = w.id JOIN adb_tag t ON t.id = j.db_tag_id`,
    after: `SELECT w.label AS name, t.label FROM adb_post p JOIN adb_author w ON w.id = p.by_id JOIN adb_author_tags j ON j.db_author_id = w.id JOIN adb_tag t ON t.id = j.db_tag_id`
  }
}

const CycA = model("DbCycA", { id: Field.AutoField(), b: fk(() => CycB, { onDelete: "SET_NULL", nullable: true }), tags: m2m(() => DbTag) }, {
  table: "adb_cyc_a",
  constraints: [{ kind: "unique", fields: ["bId", "id"], name: "adb_cyc_a_b" }]
})
const CycB = model("DbCycB", { id: Field.AutoField(), a: fk(() => CycA) }, { table: "adb_cyc_b" })
const modelsPair: Pair = {
  from: state(DbTag, model("DbGone", { id: Field.AutoField(), tag: fk(() => DbTag) }, { table: "adb_gone" })),
  to: state(DbTag, CycA, CycB),
  // DbGone looks like DbCycB (a key and a foreign key): a rename candidate, so the drop is said.
  options: { drops: ["DbGone"] }
}

const safePair: Pair = {
  from: state(DbPub, model("DbSafe", { id: Field.AutoField(), note: Field.Text({ nullable: true }) }, { table: "adb_safe" })),
  to: state(DbPub, model("DbSafe", { id: Field.AutoField(), note: Field.Text({ dbIndex: true }), pub: fk(() => DbPub, { onDelete: "SET_NULL", nullable: true }) }, {
    table: "adb_safe",
    indexes: [{ fields: ["note", "-id"] }, { name: "adb_safe_lower", expressions: [Lower("note")], where: { id: { gt: 0 } } }],
    constraints: [{ kind: "check", check: { note: { gt: "" } }, name: "adb_safe_note" }]
  })),
  options: { safe: true },
  seed: [`INSERT INTO adb_safe (note) VALUES ('kept')`],
  rows: { before: `SELECT note FROM adb_safe`, after: `SELECT note FROM adb_safe` }
}

const DbOld = model("DbOld", { id: Field.AutoField() }, { table: "adb_old" })
const DbKeep = (fields: Model.Fields, options: Model.Options<any>) => model("DbKeep", { id: Field.AutoField(), code: Field.Char({ maxLength: 8 }), n: Field.Integer(), ...fields }, options)
const indexesPair: Pair = {
  from: state(DbTag, DbOld, DbKeep({ old: fk(() => DbOld, { onDelete: "CASCADE", nullable: true }), tags: m2m(() => DbTag) }, {
    table: "adb_keep",
    indexes: [{ fields: ["code"], name: "adb_keep_code" }, { fields: ["n"] }],
    constraints: [{ kind: "unique", fields: ["code"], name: "adb_keep_once" }, { kind: "check", check: { n: { gte: 0 } }, name: "adb_keep_n" }]
  })),
  to: state(DbTag, DbKeep({}, {
    table: "adb_kept",
    indexes: [{ fields: ["code", "-n"], name: "adb_keep_code" }, { fields: ["n"] }],
    constraints: [{ kind: "unique", fields: ["code", "n"], name: "adb_keep_once" }, { kind: "check", check: { n: { gte: 1 } }, name: "adb_keep_n" }]
  })),
  seed: [`INSERT INTO adb_keep (code, n) VALUES ('c', 5)`],
  rows: { before: `SELECT code, n FROM adb_keep`, after: `SELECT code, n FROM adb_kept` }
}

const DbDoc = (indexes: Model.Options<any>["indexes"]) =>
  model("DbDoc", { id: Field.AutoField(), data: Field.JSON(Schema.Unknown), code: Field.Char({ maxLength: 8 }) }, { table: "adb_doc", indexes })
const methodsPair: Pair = {
  from: state(DbDoc([{ fields: ["data"], name: "adb_doc_data" }, { fields: ["code"], using: "hash" }])),
  to: state(DbDoc([{ fields: ["data"], name: "adb_doc_data", using: "gin", opclass: "jsonb_path_ops" }, { fields: ["code"], using: "brin" }])),
  seed: [`INSERT INTO adb_doc (data, code) VALUES ('{"a": [1, 2]}', 'c')`],
  rows: { before: `SELECT data, code FROM adb_doc`, after: `SELECT data, code FROM adb_doc` }
}

/** Expression and partial indexes: changed, added, on a renamed column (renamed in place) and on a removed one. */
const DbExpr = (fields: Model.Fields, indexes: Model.Options<any>["indexes"]) =>
  model("DbExpr", { id: Field.AutoField(), pages: Field.Integer(), price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2 }), day: Field.Date(), ...fields }, {
    table: "adb_expr",
    indexes
  })
const expressionsPair: Pair = {
  from: state(DbExpr({ titel: Field.Char({ maxLength: 20 }), note: Field.Text({ nullable: true }) }, [
    { name: "adb_expr_titel", expressions: [Lower("titel")] },
    { name: "adb_expr_note", expressions: [Upper("note")] },
    { name: "adb_expr_value", expressions: [F("price").mul(F("pages"))] }
  ])),
  to: state(DbExpr({ title: Field.Char({ maxLength: 20 }) }, [
    { name: "adb_expr_titel", expressions: [Lower("title")] },
    { name: "adb_expr_value", expressions: [F("price").mul(F("pages")), Extract("day", "year")], unique: true, where: { pages: { gt: 0 } } },
    { fields: ["title"], name: "adb_expr_partial", where: { title: { startsWith: "it's" } } }
  ])),
  options: { renames: [{ _tag: "FieldRename", model: "DbExpr", from: "titel", to: "title" }] },
  seed: [`INSERT INTO adb_expr (pages, price, day, titel, note) VALUES (3, 1.50, '2024-02-03', 'Abc', 'n')`],
  rows: { before: `SELECT pages, titel FROM adb_expr`, after: `SELECT pages, title AS titel FROM adb_expr` }
}

// ---- random schemas: any two give operations that pass the self-check (state level) and migrate a database ----

const variants: Record<string, ReadonlyArray<() => unknown>> = {
  a: [() => Field.Char({ maxLength: 20 }), () => Field.Char({ maxLength: 40, nullable: true }), () => Field.Text({ default: "x" })],
  b: [() => Field.Integer(), () => Field.BigInteger({ dbIndex: true }), () => Field.SmallInteger({ default: 1, unique: true })],
  c: [() => Field.Decimal({ maxDigits: 6, decimalPlaces: 2 }), () => Field.Decimal({ maxDigits: 8, decimalPlaces: 3, nullable: true })],
  d: [() => Field.Boolean({ default: false }), () => Field.Char({ maxLength: 5, unique: true, nullable: true })],
  e: [() => Field.Char({ maxLength: 9, choices: ["x", "y"] }), () => Field.Char({ maxLength: 9, choices: ["x", "y", "z"], dbIndex: true })]
}
const modelArb = fc.record({
  present: fc.boolean(), table: fc.boolean(), index: fc.boolean(), unique: fc.boolean(), check: fc.boolean(), m2m: fc.option(fc.nat(3)),
  fields: fc.record(Object.fromEntries(Object.keys(variants).map((k) => [k, fc.integer({ min: -1, max: variants[k]!.length - 1 })]))),
  fks: fc.array(fc.record({ target: fc.nat(3), nullable: fc.boolean() }), { maxLength: 2 })
})
const schemaArb = fc.array(modelArb, { minLength: 4, maxLength: 4 })
type Spec = typeof modelArb extends fc.Arbitrary<infer T> ? T : never
let sample = 0

const build = (specs: ReadonlyArray<Spec>, n: number): State.SchemaState => {
  const built: Array<M | undefined> = []
  specs.forEach((spec, i) => {
    if (!spec.present) return
    const name = `Pr${n}M${i}`
    const fields: Record<string, unknown> = { id: Field.AutoField() }
    for (const [k, v] of Object.entries(spec.fields as Record<string, number>)) if (v >= 0) fields[k] = variants[k]![v]!()
    const scalars = Object.keys(fields).filter((k) => k !== "id")
    spec.fks.forEach((f: { target: number; nullable: boolean }, j: number) => {
      if (specs[f.target]!.present) fields[`r${j}`] = fk(() => built[f.target]!, f.nullable ? { onDelete: "SET_NULL", nullable: true } : { onDelete: "CASCADE" })
    })
    if (spec.m2m !== null && specs[spec.m2m]!.present) fields.mm = m2m(() => built[spec.m2m as number]!)
    const pair = scalars.slice(0, 2)
    built[i] = model(name, fields as Model.Fields, {
      table: spec.table ? `pr${n}_m${i}_t` : `pr${n}_m${i}`,
      indexes: spec.index && pair.length === 2 ? [{ fields: [pair[0]!, `-${pair[1]}`] }] : [],
      constraints: [
        ...(spec.unique && pair.length === 2 ? [{ kind: "unique" as const, fields: pair, name: `pr${n}_m${i}_u` }] : []),
        ...(spec.check && pair.length > 0 ? [{ kind: "check" as const, check: { [pair[0]!]: { isNull: false } }, name: `pr${n}_m${i}_c` }] : [])
      ]
    })
  })
  return state(...built.filter((m): m is M => m !== undefined))
}

/** Detects, answering each question with a rename or a drop as `seed`'s bits say; safe for a third of the seeds. */
const answered = (from: State.SchemaState, to: State.SchemaState, seed: number) => {
  const options = { renames: [] as Array<any>, drops: [] as Array<string>, safe: seed % 3 === 0 }
  for (let round = 0; round < 6; round++) {
    const result = detect(from, to, options)
    if (Result.isSuccess(result)) return options
    if (result.failure.problems.length > 0) throw new Error(result.failure.message)
    const taken = new Set<string>()
    result.failure.questions.forEach((q, i) => {
      const [model, field] = q.removed.split(".")
      const to = q.added.find((a) => !taken.has(a))
      taken.add(to ?? "")
      if (to === undefined || (seed >> ((round * 4 + i) % 30)) & 1) options.drops.push(q.removed)
      else if (field === undefined) options.renames.push({ _tag: "ModelRename", from: model, to })
      else options.renames.push({ _tag: "FieldRename", model, from: field, to: to.split(".")[1] })
    })
  }
  throw new Error("questions kept coming")
}

const randomPair = ([x, y, seed]: [ReadonlyArray<Spec>, ReadonlyArray<Spec>, number]): Pair => {
  const [from, to] = [build(x, sample), build(y, sample++)]
  return { from, to, options: answered(from, to, seed) }
}

describe("autodetector: random schemas", () => {
  it("any two schemas, whatever the answers, give operations that lead from one to the other", () => {
    fc.assert(fc.property(schemaArb, schemaArb, fc.nat(), (x, y, seed) => {
      const pair = randomPair([x, y, seed])
      expect(Result.isSuccess(detect(pair.from, pair.to, pair.options))).toBe(true)
    }), { numRuns: 300 })
  })
})

for (const driver of Testing.drivers([])) {
  layer(driver.layer)(`autodetected operations on ${driver.name}`, (it) => {
    it.effect("fields: rename, alter (type, length, null, default, unique, index, choices, on delete), add, drop; indexes and constraints", () =>
      Effect.asVoid(roundTrip(fieldsPair)))
    it.effect("a renamed model with a new table and a renamed field, its join table and a foreign key to it keep their rows", () =>
      Effect.map(roundTrip(renamePair), (forward) => expect(tags(forward)).toEqual(["RenameModel", "RenameModel", "RenameField", "RenameField"])))
    it.effect("models created in a cycle with a many-to-many, and a model deleted", () => Effect.asVoid(roundTrip(modelsPair)))
    it.effect("a table renamed, indexes and constraints redefined, a foreign key's model and a many-to-many dropped", () =>
      Effect.map(roundTrip(indexesPair), (forward) =>
        expect(tags(forward)).toEqual([
          "RemoveIndex", "RemoveConstraint", "RemoveConstraint", "AlterModelTable", "RemoveField", "DeleteModel", "DeleteModel",
          "AddIndex", "AddConstraint", "AddConstraint"
        ])))
    it.effect("an index's method and operator class changed: the index removed and added, forwards and back", () =>
      Effect.map(roundTrip(methodsPair), (forward) => expect(tags(forward)).toEqual(["RemoveIndex", "RemoveIndex", "AddIndex", "AddIndex"])))
    it.effect("expression and partial indexes: changed, added, on a renamed column (kept) and on a removed one, forwards and back", () =>
      Effect.map(roundTrip(expressionsPair), (forward) =>
        expect(tags(forward)).toEqual(["RemoveIndex", "RemoveIndex", "RenameField", "RemoveField", "AddIndex", "AddIndex"])))
    it.effect("random schemas: forwards and back, the catalog of the directly created schema", () =>
      Effect.forEach(fc.sample(fc.tuple(schemaArb, schemaArb, fc.nat()), { numRuns: 12, seed: 13 }), (t) => roundTrip(randomPair(t)), { discard: true }), 120_000)
    it.effect("safe mode: concurrent indexes, NOT VALID then VALIDATE, SET NOT NULL through a check", () =>
      Effect.map(roundTrip(safePair), (forward) => {
        expect(forward.some((op) => op._tag === "AddIndex" && op.concurrently === true)).toBe(true)
        // An expression index is built CONCURRENTLY as any other.
        const lower = forward.find((op) => op._tag === "AddIndex" && op.index.name === "adb_safe_lower")!
        expect(forwardSql(lower, safePair.from, safePair.to)).toEqual([
          `DROP INDEX CONCURRENTLY IF EXISTS "adb_safe_lower"`,
          `CREATE INDEX CONCURRENTLY "adb_safe_lower" ON "adb_safe" ((LOWER("note"))) WHERE "id" > 0`
        ])
      }))
  })
}
