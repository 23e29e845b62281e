/**
 * squashmigrations: four migrations written by makemigrations squashed into one, its operations reduced (fields
 * folded into the models created in the range, a model created then deleted gone, an index added then removed
 * gone); on every driver, the squashed file alone builds the schema the originals build; a database that applied
 * the originals accepts it without running anything and shows it applied; one that applied some runs the rest of the
 * originals. Refusals: a data migration in the range, a range that is not a chain, fewer than two migrations. Random
 * chains of four schemas (fields, foreign keys, indexes, checks, renames and drops) squash, whole or from the second,
 * and on every driver the squashed operations give the catalog the originals give.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Result } from "effect"
import fc from "fast-check"
import * as SqlClient from "effect/sql/SqlClient"
import { randomBytes } from "node:crypto"
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll } from "vitest"
import { Field, Model } from "../src/index.js"
import { detect } from "../src/internal/migrations/autodetect.js"
import { forwardSql } from "../src/internal/migrations/operationSql.js"
import { apply, describe as describeOp, type Operation } from "../src/internal/migrations/operations.js"
import { reduce, squash } from "../src/internal/migrations/squash.js"
import * as State from "../src/internal/migrations/state.js"
import { Migration, Migrator } from "../src/migrations/index.js"
import * as Testing from "../src/testing/index.js"
import { snapshot } from "./migrations/catalog.js"

type M = Model.Any
const model = (name: string, fields: Model.Fields, options: Model.Options<any> = {}): M =>
  Model.Class<any>(name)(fields as any, options as any) as unknown as M
const fk = (target: () => M, options: Record<string, unknown> = { onDelete: "CASCADE" }) => Field.ForeignKey(target as any, options as any)

// Four versions of the models: each step is one makemigrations.
const Author = model("SqAuthor", { id: Field.AutoField(), name: Field.Char({ maxLength: 50 }) }, { table: "sq_author" })
const book = (fields: Record<string, unknown>, options: Model.Options<any> = {}) =>
  model("SqBook", { id: Field.AutoField(), author: fk(() => Author), ...fields } as any, { table: "sq_book", ...options })
const tag = (label: unknown) => model("SqTag", { id: Field.AutoField(), label } as any, { table: "sq_tag" })
const Temp = model("SqTemp", { id: Field.AutoField(), note: Field.Text() }, { table: "sq_temp" })
const versions: ReadonlyArray<ReadonlyArray<M>> = [
  [Author, book({ title: Field.Char({ maxLength: 100 }) })],
  [Author, book({ title: Field.Char({ maxLength: 100 }), pages: Field.Integer({ default: 0 }) }, { indexes: [{ fields: ["title", "-pages"] }] }), tag(Field.Char({ maxLength: 20 }))],
  [Author, book({ title: Field.Char({ maxLength: 100 }), pages: Field.Integer({ default: 0, nullable: true }) }), tag(Field.Char({ maxLength: 40 })), Temp],
  [
    Author,
    book({ heading: Field.Char({ maxLength: 100 }), pages: Field.Integer({ default: 0, nullable: true }) }, {
      constraints: [{ kind: "check", check: { pages: { gte: 0 } }, name: "sq_book_pages" }]
    }),
    tag(Field.Char({ maxLength: 40, unique: true }))
  ]
]
const tables = ["sq_author", "sq_book", "sq_tag", "sq_temp"]

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, ".generated", `squash-${process.pid}-${randomBytes(3).toString("hex")}`)
const importFrom = "../../../../src/migrations/index.js"
afterAll(() => rmSync(root, { recursive: true, force: true }))

const NAMES = ["0001_initial", "0002_books_and_tags", "0003_nullable_pages", "0004_heading"]

let folders = 0
/** A folder with the four migrations, as makemigrations writes them. */
const written = Effect.gen(function*() {
  const dir = join(root, `m${++folders}`)
  mkdirSync(dir, { recursive: true })
  for (const [i, models] of versions.entries()) {
    yield* Migrator.makeMigrations({
      models,
      folder: dir,
      importFrom,
      name: NAMES[i]!.slice(5),
      ...(i === 3 ? { renames: ["SqBook.title=heading"], drops: ["SqTemp"] } : {})
    })
  }
  return dir
})


const dropAll = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`DROP TABLE IF EXISTS ${[...tables, "effect_orm_migrations"].join(", ")} CASCADE`).unprepared
})

describe("squash: operations", () => {
  it.effect("four migrations become one, reduced, building the same schema", () =>
    Effect.gen(function*() {
      const dir = yield* written
      const originals = yield* Migrator.load(dir)
      expect(originals.map((m) => m.name)).toEqual(NAMES)
      const all = originals.flatMap((m) => m.operations)
      expect(all.map(describeOp)).toEqual([
        "Create model SqAuthor",
        "Create model SqBook",
        "Create model SqTag",
        "Add field pages to SqBook",
        "Add index sq_book_title_pages_idx to SqBook",
        "Remove index sq_book_title_pages_idx from SqBook",
        "Create model SqTemp",
        "Alter field pages of SqBook",
        "Alter field label of SqTag",
        "Rename field title of SqBook to heading",
        "Alter field label of SqTag",
        "Delete model SqTemp",
        "Add constraint sq_book_pages to SqBook"
      ])
      const squashed = squash(originals, { to: "0004" })
      expect(squashed.replaces).toEqual(NAMES)
      expect(squashed.dependencies).toEqual([])
      expect(squashed.operations.map(describeOp)).toEqual(["Create model SqAuthor", "Create model SqBook", "Create model SqTag"])
      const final = State.fromModels(versions[3]!)
      expect(squashed.operations.map((op) => op._tag === "CreateModel" && State.same(op.model, final.models[op.model.name]))).toEqual([true, true, true])
      // A later part of the chain depends on what it follows, outside the range.
      const tail = squash(originals, { from: "0002", to: "0004_heading" })
      expect(tail.replaces).toEqual(NAMES.slice(1))
      expect(tail.dependencies).toEqual(["0001_initial"])
      expect(tail.operations.map(describeOp)).toEqual([
        "Create model SqTag",
        "Add field pages to SqBook",
        "Rename field title of SqBook to heading",
        "Add constraint sq_book_pages to SqBook"
      ])
      const pages = tail.operations[1]!
      expect(pages._tag === "AddField" && pages.field.nullable).toBe(true)
    }))

  it("reductions that would change the schema or its order are not made", () => {
    const A = State.modelState(Author)
    const B = State.modelState(book({ title: Field.Char({ maxLength: 100 }) }))
    // A model referenced by another created model is not cancelled away while the reference is there.
    const kept = reduce(State.empty, [
      Migration.CreateModel({ model: A }),
      Migration.CreateModel({ model: B }),
      Migration.RunSql({ sql: "SELECT 1" }),
      Migration.AddField({ model: "SqBook", name: "pages", field: State.modelState(versions[1]![1]!).fields.pages! })
    ])
    // Raw SQL is a barrier: the AddField after it stays after it.
    expect(kept.map(describeOp)).toEqual(["Create model SqAuthor", "Create model SqBook", "Raw SQL", "Add field pages to SqBook"])
    const deleted = reduce(State.empty, [
      Migration.CreateModel({ model: A }),
      Migration.CreateModel({ model: B }),
      Migration.RemoveField({ model: "SqBook", name: "authorId" }),
      Migration.DeleteModel({ name: "SqAuthor" })
    ])
    expect(deleted.map(describeOp)).toEqual(["Create model SqBook"])
    expect(Object.keys((deleted[0] as { model: State.ModelState }).model.fields)).toEqual(["id", "title"])
    // On a table that existed before: a nullable column later made NOT NULL without a default stays two steps (rows
    // may have been filled between them); given a default, it is one AddField.
    const existing = State.fromModels(versions[0]!)
    const note = { kind: "Text" as const, column: "note", nullable: true, primaryKey: false, unique: false, index: false }
    const later = (field: State.FieldState) => reduce(existing, [
      Migration.AddField({ model: "SqBook", name: "note", field: note }),
      Migration.AlterField({ model: "SqBook", name: "note", field })
    ])
    expect(later({ ...note, nullable: false }).map(describeOp)).toEqual(["Add field note to SqBook", "Alter field note of SqBook"])
    expect(later({ ...note, nullable: false, default: "''" })).toEqual([
      Migration.AddField({ model: "SqBook", name: "note", field: { ...note, nullable: false, default: "''" } })
    ])
  })

  it.effect("refusals: a data migration, a range that is not a chain, fewer than two migrations, unknown names", () =>
    Effect.gen(function*() {
      const originals = yield* Effect.flatMap(written, Migrator.load)
      const failure = (f: () => unknown) => {
        try {
          f()
        } catch (e) {
          expect((e as { _tag?: string })._tag).toBe("MigrationError")
          return (e as { message: string }).message
        }
        throw new Error("expected a refusal")
      }
      const data = originals.map((m) =>
        m.name === "0003_nullable_pages" ? { ...m, operations: [...m.operations, Migration.RunEffect({ forward: () => Effect.void })] } : m
      )
      expect(failure(() => squash(data, { to: "0004" }))).toBe(
        "0003_nullable_pages has a data migration (operation 5), whose code cannot be written to a file: squash the migrations before or after it"
      )
      expect(squash(data, { to: "0002" }).replaces).toEqual(["0001_initial", "0002_books_and_tags"])
      const branch = [...originals, { name: "0005_side", dependencies: ["0002_books_and_tags"], operations: [] }]
      expect(failure(() => squash(branch, { to: "0003" }))).toBe(
        "0001_initial to 0003_nullable_pages is not a chain: 0005_side depends on 0002_books_and_tags, in the middle of it; squash up to 0002_books_and_tags or include 0005_side"
      )
      expect(squash(branch, { to: "0002" }).replaces).toEqual(["0001_initial", "0002_books_and_tags"])
      expect(failure(() => squash(originals, { from: "0003", to: "0003" }))).toBe("Squashing needs at least two migrations; 0003_nullable_pages to 0003_nullable_pages is 1")
      expect(failure(() => squash(originals, { from: "0004", to: "0002" }))).toBe("0004_heading comes after 0002_books_and_tags: squash from the earlier one")
      expect(failure(() => squash(originals, { to: "0009" }))).toMatch(/^There is no migration 0009 to squash/)
      expect(failure(() => squash(originals, { to: "000" }))).toMatch(/^000 names more than one migration/)
      const squashedOnce = [...originals, { name: "0005_squashed_0001_0002", dependencies: [], replaces: ["0001_initial", "0002_books_and_tags"], operations: [] }]
      expect(failure(() => squash(squashedOnce, { to: "0003" }))).toBe("0001_initial is already replaced by 0005_squashed_0001_0002")
      const after = [
        { name: "0001_squashed", dependencies: [], replaces: ["0000_a", "0000_b"], operations: originals[0]!.operations },
        ...originals.slice(1).map((m, i) => i === 0 ? { ...m, dependencies: ["0001_squashed"] } : m)
      ]
      expect(failure(() => squash(after, { to: "0003" }))).toBe(
        "0001_squashed is a squashed migration (it replaces 0000_a, 0000_b): it cannot be squashed again; squash the migrations after it"
      )
      expect(squash(after, { from: "0002", to: "0004" }).dependencies).toEqual(["0001_squashed"])
      // Through Migrator.squash: the same refusal as a typed failure, and nothing written.
      const dir = yield* written
      const refused = yield* Effect.flip(Migrator.squash(dir, { from: "0002", to: "0002" }))
      expect(refused._tag).toBe("MigrationError")
      expect(readdirSync(dir).sort()).toEqual(NAMES.map((n) => `${n}.ts`))
    }))
})

for (const driver of Testing.drivers([])) {
  layer(driver.layer)(`squashed migrations on ${driver.name}`, (it) => {
    it.effect("the squashed file alone builds the schema the originals build", () =>
      Effect.gen(function*() {
        yield* dropAll
        const dir = yield* written
        const originals = yield* Migrator.load(dir)
        yield* Migrator.migrate(originals)
        const expected = yield* snapshot(tables)
        yield* dropAll
        const path = yield* Migrator.squash(dir, { to: "0004", importFrom })
        expect(path).toBe(join(dir, "0005_squashed_0001_0004.ts"))
        const text = readFileSync(path, "utf8")
        expect(text).toContain(`replaces: ["0001_initial", "0002_books_and_tags", "0003_nullable_pages", "0004_heading"]`)
        expect(text).toContain("// Squashed from 0001_initial to 0004_heading (4 migrations): it replaces them.")
        const outcomes = yield* Migrator.migrate(dir)
        expect(outcomes.map((o) => o.migration)).toEqual(["0005_squashed_0001_0004"])
        expect(yield* snapshot(tables)).toEqual(expected)
        // The history holds the squashed migration alone: status lists the ones it replaces as applied through it, and
        // nothing is left to run.
        expect((yield* Migrator.status(dir)).map((s) => [s.name, s.applied])).toEqual([...NAMES.map((n) => [n, true]), ["0005_squashed_0001_0004", true]])
        expect(yield* Migrator.plan(dir)).toEqual([])
        // Without the replaced files (deleted once every database applied it), the same.
        const alone = (yield* Migrator.load(dir)).filter((m) => m.name.includes("squashed"))
        expect(yield* Migrator.migrate(alone)).toEqual([])
        // And backwards: unapplied as one.
        expect((yield* Migrator.migrate(dir, { target: "zero" })).map((o) => [o.migration, o.direction])).toEqual([["0005_squashed_0001_0004", "backward"]])
        expect((yield* snapshot(tables)).columns).toEqual([])
        yield* dropAll
      }))

    it.effect("a database that applied the originals accepts the squashed file: nothing runs, and it shows applied", () =>
      Effect.gen(function*() {
        yield* dropAll
        const dir = yield* written
        yield* Migrator.migrate(dir)
        const before = yield* snapshot(tables)
        yield* Migrator.squash(dir, { to: "0004_heading", name: "all four", importFrom })
        expect(readdirSync(dir)).toContain("0005_all_four.ts")
        expect(yield* Migrator.plan(dir)).toEqual([])
        expect(yield* Migrator.migrate(dir)).toEqual([])
        expect((yield* Migrator.status(dir)).map((s) => [s.name, s.applied])).toEqual([...NAMES, "0005_all_four"].map((n) => [n, true]))
        expect(yield* snapshot(tables)).toEqual(before)
        // The replaced files deleted (its replaces kept): the history's rows for them are accepted, nothing runs.
        for (const name of NAMES) rmSync(join(dir, `${name}.ts`))
        expect(yield* Migrator.migrate(dir)).toEqual([])
        expect((yield* Migrator.status(dir)).map((s) => [s.name, s.applied])).toEqual([["0005_all_four", true]])
        yield* dropAll
      }))

    it.effect("a database that applied only some of the originals runs the rest of them, then shows the squashed one applied", () =>
      Effect.gen(function*() {
        yield* dropAll
        const dir = yield* written
        const originals = yield* Migrator.load(dir)
        yield* Migrator.migrate(originals)
        const expected = yield* snapshot(tables)
        yield* dropAll
        yield* Migrator.migrate(dir, { target: "0002" })
        yield* Migrator.squash(dir, { to: "0004", importFrom })
        const outcomes = yield* Migrator.migrate(dir)
        expect(outcomes.map((o) => o.migration)).toEqual(["0003_nullable_pages", "0004_heading"])
        expect(yield* snapshot(tables)).toEqual(expected)
        expect((yield* Migrator.status(dir)).map((s) => [s.name, s.applied])).toEqual([...NAMES, "0005_squashed_0001_0004"].map((n) => [n, true]))
        expect(yield* Migrator.migrate(dir)).toEqual([])
        yield* dropAll
      }))
  })
}

// ---- random chains: the squashed operations build, on a database, the schema the originals build ----

const variants: ReadonlyArray<ReadonlyArray<() => unknown>> = [
  [() => Field.Char({ maxLength: 20 }), () => Field.Char({ maxLength: 40, nullable: true }), () => Field.Text({ default: "x" })],
  [() => Field.Integer({ default: 0 }), () => Field.BigInteger({ dbIndex: true, nullable: true }), () => Field.SmallInteger({ default: 1, unique: true })],
  [() => Field.Boolean({ default: false }), () => Field.Char({ maxLength: 9, choices: ["x", "y"], nullable: true })]
]
const modelArb = fc.record({
  present: fc.boolean(),
  table: fc.boolean(),
  fields: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 3, maxLength: 3 }),
  fk: fc.option(fc.nat(2)),
  index: fc.boolean(),
  check: fc.boolean()
})
type Spec = typeof modelArb extends fc.Arbitrary<infer T> ? T : never
const chainArb = fc.array(fc.array(modelArb, { minLength: 3, maxLength: 3 }), { minLength: 4, maxLength: 4 })
let sample = 0

const buildState = (specs: ReadonlyArray<Spec>, n: number): State.SchemaState => {
  const built: Array<M | undefined> = []
  specs.forEach((spec, i) => {
    if (!spec.present) return
    const fields: Record<string, unknown> = { id: Field.AutoField() }
    spec.fields.forEach((v, k) => {
      const choice = variants[k]![v]
      if (choice !== undefined) fields[`f${k}`] = choice()
    })
    const scalars = Object.keys(fields).filter((k) => k !== "id")
    if (spec.fk !== null && specs[spec.fk]!.present && spec.fk < i) fields.r = fk(() => built[spec.fk as number]!, { onDelete: "SET_NULL", nullable: true })
    built[i] = model(`Sr${n}M${i}`, fields as Model.Fields, {
      table: spec.table ? `sr${n}_m${i}_t` : `sr${n}_m${i}`,
      indexes: spec.index && scalars.length >= 2 ? [{ fields: [scalars[0]!, `-${scalars[1]}`] }] : [],
      constraints: spec.check && scalars.length > 0 ? [{ kind: "check" as const, check: { [scalars[0]!]: { isNull: false } }, name: `sr${n}_m${i}_c` }] : []
    })
  })
  return State.fromModels(built.filter((m): m is M => m !== undefined))
}

/** The migrations of a chain of states, each question answered (a drop, or the first candidate as a rename). */
const chain = (states: ReadonlyArray<State.SchemaState>, seed: number): ReadonlyArray<Migration.Migration> =>
  states.map((to, i) => {
    const from = i === 0 ? State.empty : states[i - 1]!
    const options = { renames: [] as Array<any>, drops: [] as Array<string> }
    for (let round = 0; round < 6; round++) {
      const result = detect(from, to, options)
      if (Result.isSuccess(result)) {
        return { name: `000${i + 1}_m`, dependencies: i === 0 ? [] : [`000${i}_m`], operations: result.success }
      }
      if (result.failure.problems.length > 0) throw new Error(result.failure.message)
      const taken = new Set<string>()
      result.failure.questions.forEach((q, j) => {
        const [m, field] = q.removed.split(".")
        const target = q.added.find((a) => !taken.has(a))
        taken.add(target ?? "")
        if (target === undefined || (seed >> ((round * 3 + j) % 30)) & 1) options.drops.push(q.removed)
        else if (field === undefined) options.renames.push({ _tag: "ModelRename", from: m, to: target })
        else options.renames.push({ _tag: "FieldRename", model: m, from: field, to: target.split(".")[1] })
      })
    }
    throw new Error("questions kept coming")
  })

const runOps = (ops: ReadonlyArray<Operation>, start: State.SchemaState = State.empty) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    let current = start
    for (const op of ops) {
      const next = apply(current, op)
      for (const statement of forwardSql(op, current, next)) yield* sql.unsafe(statement).unprepared
      current = next
    }
  })

const randomChains = fc.sample(fc.tuple(chainArb, fc.nat()), { numRuns: 40, seed: 13 }).map(([specs, seed]) => {
  const n = sample++
  return chain(specs.map((s) => buildState(s, n)), seed)
})
const tablesOfChain = (ms: ReadonlyArray<Migration.Migration>) =>
  [...new Set(ms.flatMap((m) => m.operations.flatMap((op) => op._tag === "CreateModel" ? [op.model.table] : op._tag === "RenameModel" || op._tag === "AlterModelTable" ? [op.table] : [])))]

describe("squash: random chains", () => {
  it("any chain squashes, whole or from its second migration, and the reduced operations are no more", () => {
    let before = 0
    let after = 0
    const left = new Map<string, number>()
    for (const ms of randomChains) {
      const whole = squash(ms, { to: "0004_m" })
      const original = ms.flatMap((m) => m.operations).length
      expect(whole.operations.length).toBeLessThanOrEqual(original)
      before += original
      after += whole.operations.length
      for (const op of whole.operations) left.set(op._tag, (left.get(op._tag) ?? 0) + 1)
      squash(ms, { from: "0002_m", to: "0004_m" })
    }
    // From nothing, a chain mostly becomes its CreateModels (seed 13: 552 operations to 95, 63 of them CreateModel).
    expect(after).toBeLessThan(before / 3)
    expect(left.get("CreateModel")! * 2).toBeGreaterThan(after)
  })
})

for (const driver of Testing.drivers([])) {
  layer(driver.layer)(`random squashed chains on ${driver.name}`, (it) => {
    it.effect("the squashed operations give the catalog the originals give, whole or from the second migration", () =>
      Effect.forEach(randomChains, (ms) =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const all = tablesOfChain(ms)
          const drop = Effect.forEach(all, (t) => sql.unsafe(`DROP TABLE IF EXISTS "${t}" CASCADE`).unprepared, { discard: true })
          yield* drop
          yield* runOps(ms.flatMap((m) => m.operations))
          const expected = yield* snapshot(all)
          yield* drop
          yield* runOps(squash(ms, { to: "0004_m" }).operations)
          expect(yield* snapshot(all)).toEqual(expected)
          yield* drop
          yield* runOps(ms[0]!.operations)
          yield* runOps(squash(ms, { from: "0002", to: "0004" }).operations, ms[0]!.operations.reduce(apply, State.empty))
          expect(yield* snapshot(all)).toEqual(expected)
          yield* drop
        }), { discard: true }), 300_000)
  })
}
