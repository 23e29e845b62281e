/**
 * Introspection (`inspectdb`) on every driver: models → `Tables.create` → `introspect` gives the state of the models
 * (but for what PostgreSQL does not store: onDelete, relatedName, a NULL default); `modelCode` of that state is a
 * module whose models give the same state again, and which type-checks; a schema made by hand (types the ORM does not
 * emit, no primary key, ON DELETE CASCADE, an expression index) gives a state and warnings, never a defect.
 */
import { expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import ts from "typescript"
import fc from "fast-check"
import { afterAll } from "vitest"
import { Abs, Coalesce, Extract, F, Field, Greatest, Length, Lower, Model, Q, Round, Substr, Tables, Upper } from "../src/index.js"
import { checkSql } from "../src/internal/ddl.js"
import * as Executor from "../src/internal/executor.js"
import { checkFilter } from "../src/internal/migrations/introspectChecks.js"
import { introspect, type Warning } from "../src/internal/migrations/introspect.js"
import { modelCode } from "../src/internal/migrations/modelCode.js"
import * as State from "../src/internal/migrations/state.js"
import * as Testing from "../src/testing/index.js"

// ---- a rich set of models ----

class IspAuthor extends Model.Class<IspAuthor>("IspAuthor")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 100 }),
  age: Field.Integer({ default: 40 }),
  email: Field.Char({ maxLength: 200, unique: true }),
  bio: Field.Text({ nullable: true }),
  rating: Field.SmallInteger({ choices: [1, 2, 3], default: 1 }),
  status: Field.Char({ maxLength: 10, choices: ["active", "retired"], default: "active" }),
  kind: Field.Text({ choices: ["a", "b's"] })
}, {
  constraints: [
    { kind: "check", name: "isp_author_patterns", check: { name: { regex: "^[A-Z]", endsWith: "z" }, email: { iregex: "@x\\.org$" } } },
    { kind: "check", name: "isp_author_cases", check: { name: { iStartsWith: "a", iEndsWith: "Q", contains: "50%_\\" } } },
    { kind: "check", name: "isp_author_numbers", check: { bio: { isNull: false }, age: { gt: -5, lte: 150 }, rating: { in: [1, 2] } } }
  ]
}) {}

class IspPublisher extends Model.Class<IspPublisher>("IspPublisher")({
  id: Field.BigAutoField(),
  name: Field.Char({ maxLength: 100, dbIndex: true }),
  country: Field.Char({ maxLength: 2 }),
  founded: Field.Date({ nullable: true, default: "1990-01-01" }),
  head: Field.ForeignKey(() => IspAuthor, { onDelete: "DO_NOTHING", nullable: true })
}, { constraints: [{ kind: "check", name: "isp_publisher_founded", check: { founded: { gte: "1900-01-01" }, country: { in: ["FR", "JP"] } } }] }) {}

class IspBook extends Model.Class<IspBook>("IspBook")({
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 200 }),
  pages: Field.Integer(),
  price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2, default: BigDecimal.fromStringUnsafe("9.90") }),
  weight: Field.Float({ default: 1.5 }),
  copies: Field.BigInteger({ default: 5n }),
  inPrint: Field.Boolean({ default: true }),
  published: Field.DateTime({ nullable: true, default: DateTime.makeUnsafe("2020-02-03T04:05:06.789Z") }),
  readingTime: Field.Duration({ default: Duration.micros(90_000_000_000n) }),
  opensAt: Field.Time({ default: "09:30:00" }),
  code: Field.UUID({ unique: true }),
  meta: Field.JSON(Schema.Unknown, { default: { a: 1, list: [true, null] } }),
  publisher: Field.ForeignKey(() => IspPublisher, { onDelete: "CASCADE" }),
  editor: Field.ForeignKey(() => IspAuthor, { onDelete: "SET_NULL", nullable: true }),
  translator: Field.ForeignKey(() => IspAuthor, { onDelete: "SET_DEFAULT", default: 1 }),
  authors: Field.ManyToMany(() => IspAuthor, { relatedName: "books" })
}, {
  indexes: [
    { fields: ["title", "-pages"] },
    { fields: ["-price"], name: "isp_book_price_desc" },
    { fields: ["pages", "weight"], unique: true, name: "isp_book_pages_weight_uniq" },
    // Index methods and operator classes: a JSON field's GIN indexes (the default jsonb_ops, and jsonb_path_ops).
    { fields: ["meta"], using: "gin", name: "isp_book_meta_gin" },
    { fields: ["meta"], using: "gin", opclass: "jsonb_path_ops", name: "isp_book_meta_path" },
    { fields: ["code"], using: "hash" },
    { fields: ["title"], opclass: "text_pattern_ops", name: "isp_book_title_pattern" },
    // Expression and partial indexes: PostgreSQL prints them normalised (`lower((title)::text)`), read back as the
    // ORM writes them.
    { name: "isp_book_title_lower", expressions: [Lower("title")] },
    { name: "isp_book_value", expressions: [F("price").mul(F("pages")), Upper("title"), Coalesce("weight", 0)], unique: true },
    { name: "isp_book_parts", expressions: [Extract("published", "year"), Extract("opensAt", "hour"), Extract("readingTime", "epoch")] },
    { name: "isp_book_numbers", expressions: [Greatest("pages", "copies"), Round("price", 1), F("pages").add(1).div(2), Abs(F("weight").sub(1))] },
    { name: "isp_book_short", expressions: [Length("title"), Substr("title", 1, 3)], where: { pages: { lt: 100 } } },
    { fields: ["pages"], name: "isp_book_pages_in_print", where: { inPrint: true, title: { startsWith: "A" } } },
    { name: "isp_book_title_like", expressions: [Lower("title")], opclass: "text_pattern_ops" }
  ],
  constraints: [
    { kind: "unique", fields: ["title", "publisherId"], name: "isp_book_title_publisher" },
    { kind: "check", name: "isp_book_pages_positive", check: { pages: { gt: 0 } } },
    { kind: "check", name: "isp_book_cheap_or_out", check: Q.or<any>({ price: { lt: BigDecimal.fromStringUnsafe("100.5") } }, { inPrint: false }) as any },
    { kind: "check", name: "isp_book_title_a", check: { title: { startsWith: "A_%" }, pages: { lte: 5000, gte: 1 } } },
    { kind: "check", name: "isp_book_not_both", check: Q.not<any>({ copies: { in: [1n, 2n] }, opensAt: { isNull: true } }) as any },
    { kind: "check", name: "isp_book_weight", check: { weight: { lt: F("pages").add(10) } } },
    { kind: "check", name: "isp_book_title_x", check: { title: { icontains: "x" } } },
    { kind: "check", name: "isp_book_range", check: { pages: { range: [1, 9999] } } },
    { kind: "check", name: "isp_book_signs", check: { weight: { gt: -1.5 }, price: { gte: BigDecimal.fromStringUnsafe("-10.25") }, opensAt: { lt: "23:00:00" } } },
    {
      kind: "check",
      name: "isp_book_times",
      check: { published: { gt: DateTime.makeUnsafe("2000-01-02T03:04:05.678Z") }, readingTime: { lte: Duration.micros(90_061_500_000n) } }
    }
  ]
}) {}

class IspCategory extends Model.Class<IspCategory>("IspCategory")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  parent: Field.ForeignKey((): Model.Ref<IspCategory, number> => IspCategory, { onDelete: "CASCADE", nullable: true, relatedName: "children" })
}) {}

class IspPerson extends Model.Class<IspPerson>("IspPerson")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  friends: Field.ManyToMany((): Model.Ref<IspPerson> => IspPerson)
}) {}

class IspAlpha extends Model.Class<IspAlpha>("IspAlpha")({
  id: Field.AutoField(),
  beta: Field.ForeignKey((): Model.Ref<IspBeta, number> => IspBeta, { onDelete: "SET_NULL", nullable: true })
}) {}

class IspBeta extends Model.Class<IspBeta>("IspBeta")({
  id: Field.AutoField(),
  alpha: Field.ForeignKey(() => IspAlpha, { onDelete: "PROTECT" })
}) {}

class IspPlace extends Model.Class<IspPlace>("IspPlace")({
  code: Field.Char({ maxLength: 8, primaryKey: true }),
  address: Field.Char({ maxLength: 100 })
}) {}

class IspRestaurant extends Model.Class<IspRestaurant>("IspRestaurant")({
  id: Field.AutoField(),
  place: Field.OneToOne(() => IspPlace, { onDelete: "CASCADE", relatedName: "restaurant" }),
  servesPizza: Field.Boolean({ default: false })
}) {}

class IspGroup extends Model.Class<IspGroup>("IspGroup")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  members: Field.ManyToMany((): Model.Ref<IspPerson> => IspPerson, { through: (): Model.Any => IspMembership })
}) {}

class IspMembership extends Model.Class<IspMembership>("IspMembership")({
  id: Field.AutoField(),
  person: Field.ForeignKey(() => IspPerson, { onDelete: "RESTRICT" }),
  group: Field.ForeignKey(() => IspGroup, { onDelete: "CASCADE" }),
  role: Field.Char({ maxLength: 20, default: "it's a member" })
}, { constraints: [{ kind: "unique", fields: ["personId", "groupId"], name: "isp_membership_once" }] }) {}

const rich = [IspAuthor, IspPublisher, IspBook, IspCategory, IspPerson, IspAlpha, IspBeta, IspPlace, IspRestaurant, IspGroup, IspMembership]

// ---- random check constraints ----

const probeFields = {
  id: Field.AutoField(),
  n: Field.Integer({ nullable: true }),
  m: Field.SmallInteger(),
  big: Field.BigInteger(),
  name: Field.Char({ maxLength: 30 }),
  t: Field.Text(),
  d: Field.Decimal({ maxDigits: 8, decimalPlaces: 3 }),
  f: Field.Float(),
  b: Field.Boolean(),
  day: Field.Date()
}
const text = fc.string({ unit: fc.constantFrom("a", "B", "%", "_", "\\", "'", "\"", " ", "é", "(", ")"), maxLength: 5 })
// An empty pattern is ambiguous: `startsWith: ""` and `endsWith: ""` are both `LIKE '%'`.
const pattern = fc.string({ unit: fc.constantFrom("a", "B", "%", "_", "\\", "'", "\"", " ", "é", "(", ")"), minLength: 1, maxLength: 5 })
const comparisons = <A>(value: fc.Arbitrary<A>) =>
  fc.oneof(
    ...["exact", "gt", "gte", "lt", "lte"].map((lookup) => value.map((v) => ({ [lookup]: v }))),
    // One value would read back as `=`: PostgreSQL stores `IN (v)` as `= v`.
    fc.array(value, { minLength: 2, maxLength: 3 }).map((v) => ({ in: v })),
    fc.boolean().map((v) => ({ isNull: v }))
  )
const lookupsOf: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  n: fc.oneof(comparisons(fc.integer({ min: -100000, max: 100000 })), fc.integer({ min: -50, max: 50 }).map((k) => ({ gt: F("m").add(k) }))),
  m: comparisons(fc.integer({ min: -300, max: 300 })),
  big: comparisons(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n })),
  name: fc.oneof(
    comparisons(text),
    ...["startsWith", "endsWith", "contains", "iexact", "icontains", "iStartsWith", "iEndsWith", "regex", "iregex"].map((k) => pattern.map((v) => ({ [k]: v })))
  ),
  t: fc.oneof(comparisons(text), pattern.map((v) => ({ contains: v }))),
  d: comparisons(fc.integer({ min: -9999999, max: 9999999 }).map((x) => BigDecimal.make(BigInt(x), 3))),
  f: fc.oneof(comparisons(fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((x) => Math.round(x * 1000) / 1000)), fc.constant({ lt: F("n").mul(2) })),
  b: fc.boolean().map((v) => ({ exact: v })),
  day: comparisons(fc.constantFrom("2020-01-01", "1999-12-31"))
}
/** A filter object: one to three fields, each with one or two lookups. */
const filterObject = fc.uniqueArray(fc.constantFrom(...Object.keys(lookupsOf)), { minLength: 1, maxLength: 3 }).chain((keys) =>
  fc.tuple(...keys.map((k) => fc.array(lookupsOf[k]!, { minLength: 1, maxLength: 2 }).map((ls) => [k, Object.assign({}, ...ls)] as const)))
    .map((entries) => Object.fromEntries(entries))
)
/** What the ORM renders in one way only: objects, `Q.or` of objects, `Q.not` of one. */
const plainCheck = fc.oneof(
  filterObject,
  fc.array(filterObject, { minLength: 2, maxLength: 3 }).map((xs) => Q.or<any>(...xs)),
  filterObject.map((x) => Q.not<any>(x))
)
/** Anything: nested `Q.and`, `Q.or` and `Q.not` too, which PostgreSQL may regroup. */
const anyCheck: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    filterObject,
    fc.array(tie("node"), { minLength: 2, maxLength: 3 }).map((xs) => Q.or<any>(...(xs as Array<any>))),
    fc.array(tie("node"), { minLength: 2, maxLength: 3 }).map((xs) => Q.and<any>(...(xs as Array<any>))),
    tie("node").map((x) => Q.not<any>(x as any))
  )
})).node

// ---- helpers ----

type MutableState = { models: Record<string, { fields: Record<string, any>; autoCreated?: boolean }> }

/** The facts PostgreSQL does not store, set as introspection documents them. */
const withoutNonDatabaseFacts = (state: State.SchemaState, relatedNames: Record<string, string | undefined>): State.SchemaState => {
  const copy = structuredClone(state) as MutableState
  for (const [name, model] of Object.entries(copy.models)) {
    for (const [key, field] of Object.entries(model.fields)) {
      if (field.default === "NULL") delete field.default
      if (field.references === undefined) continue
      field.references.onDelete = model.autoCreated === true ? "CASCADE" : "DO_NOTHING"
      delete field.references.relatedName
      const relatedName = relatedNames[`${name}.${key}`]
      if (relatedName !== undefined) field.references.relatedName = relatedName
    }
  }
  return copy as State.SchemaState
}

/**
 * Indexes and constraints in name order: PostgreSQL has no order for them (introspection reads them by name), while
 * `fromModels` keeps the order of declaration and `State.same` compares arrays in order.
 */
const byName = State.byName

/** PostgreSQL stores `BETWEEN` as two comparisons: a `range` check reads back as `gte` and `lte`. */
const betweenRewritten = (state: State.SchemaState): State.SchemaState => {
  const copy = structuredClone(state) as unknown as { models: Record<string, { constraints: Array<{ kind: string; sql?: string }> }> }
  for (const model of Object.values(copy.models)) {
    for (const c of model.constraints) {
      if (c.kind === "check") c.sql = c.sql!.replace(/^"(\w+)" BETWEEN (\S+) AND (\S+)$/, `("$1" >= $2) AND ("$1" <= $3)`)
    }
  }
  return copy as unknown as State.SchemaState
}

/** The facts introspection leaves at their documented defaults, field by field. */
const references = (state: State.SchemaState) =>
  Object.fromEntries(
    Object.values(state.models).flatMap((m) =>
      Object.entries(m.fields).filter(([, f]) => f.references !== undefined).map(([k, f]) => [`${m.name}.${k}`, [f.references!.onDelete, f.references!.relatedName]])
    )
  )

const here = dirname(fileURLToPath(import.meta.url))
const generatedDir = join(here, ".generated")
afterAll(() => rmSync(generatedDir, { recursive: true, force: true }))

let counter = 0
/** Writes the code of a state into the test folder and imports it. */
const roundTrip = (state: State.SchemaState, warnings: ReadonlyArray<Warning>) =>
  Effect.promise(async () => {
    mkdirSync(generatedDir, { recursive: true })
    const file = join(generatedDir, `introspected_${process.pid}_${++counter}.ts`)
    const code = modelCode(state, { importFrom: "../../src/index.js", warnings })
    writeFileSync(file, code)
    const module = await import(pathToFileURL(file).href) as { models: ReadonlyArray<Model.Any> }
    return { file, code, models: module.models }
  })

/** The type errors of a generated module, under the root tsconfig's options. */
const typeErrors = (file: string): ReadonlyArray<string> => {
  const configPath = join(here, "..", "tsconfig.json")
  const config = ts.readConfigFile(configPath, ts.sys.readFile)
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath))
  const program = ts.createProgram([file], { ...parsed.options, noEmit: true })
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) =>
    `${d.file === undefined ? "" : `${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: `}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
  )
}

const tablesOf = (state: State.SchemaState) => Object.values(state.models).map((m) => m.table).sort()

// ---- model code from any state (the facts PostgreSQL does not store included) ----

class RtOwner extends Model.Class<RtOwner>("RtOwner")({
  id: Field.BigAutoField({ dbColumn: "owner_key" }),
  name: Field.Char({ maxLength: 50, dbColumn: "Name" }),
  version: Field.Version()
}, { table: "rt owners" }) {}

class RtThing extends Model.Class<RtThing>("RtThing")({
  id: Field.UUID({ primaryKey: true }),
  owner: Field.ForeignKey(() => RtOwner, { onDelete: "PROTECT", dbColumn: "owner", relatedName: "things" }),
  backup: Field.ForeignKey(() => RtOwner, { onDelete: "SET_NULL", nullable: true }),
  tags: Field.ManyToMany(() => RtTag, { dbTable: "rt_thing_tag_links", relatedName: "things" }),
  "weird-key": Field.Integer({ dbColumn: "weird" })
}, { indexes: [{ fields: ["-weird-key"], name: "rt_weird" }] }) {}

class RtTag extends Model.Class<RtTag>("Rt-Tag")({
  id: Field.AutoField(),
  label: Field.Text({ default: "" }),
  parent: Field.OneToOne((): Model.Ref<RtTag, number> => RtTag, { onDelete: "SET_DEFAULT", nullable: true, default: null })
}, { table: "rt_tag" }) {}

/** A model not named after its table: its join table is not recognized as automatic, and reads as a model. */
class IspThing extends Model.Class<IspThing>("IspThing")({
  id: Field.AutoField(),
  tags: Field.ManyToMany(() => IspRawTag)
}, { table: "isp_things" }) {}

class IspRawTag extends Model.Class<IspRawTag>("IspRawTag")({
  id: Field.AutoField(),
  label: Field.Text()
}) {}

it.effect("modelCode of any state gives it back: table and column names, relatedName, onDelete, Version, dbTable", () =>
  Effect.gen(function*() {
    const state = State.fromModels([RtOwner, RtThing, RtTag])
    const { code, file, models } = yield* roundTrip(state, [])
    expect(State.fromModels(models)).toEqual(state)
    expect(code).toContain(`export class Rt_Tag extends Model.Class<Rt_Tag>("Rt-Tag")({`)
    expect(code).toContain(`"weird-key": Field.Integer({ dbColumn: "weird" })`)
    expect(code).toContain(`tags: Field.ManyToMany((): Model.Ref<Rt_Tag> => Rt_Tag, { dbTable: "rt_thing_tag_links" })`)
    expect(typeErrors(file)).toEqual([])
    // The type check does see errors.
    const broken = join(generatedDir, `broken_${process.pid}.ts`)
    writeFileSync(broken, `import { Field } from "../../src/index.js"\nexport const f: number = Field.Integer()\n`)
    expect(typeErrors(broken).length).toBe(1)
  }), 120_000)

for (const driver of Testing.drivers([])) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("the state of models created by Tables.create reads back, but for what PostgreSQL does not store", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* Tables.create(...rich)
        const { state, warnings } = yield* introspect()
        const expected = State.fromModels(rich)
        expect(tablesOf(state)).toEqual(tablesOf(expected))
        // onDelete and relatedName are not stored: DO_NOTHING (CASCADE for join tables), and distinct reverse names
        // only where two relations of a model reach one target.
        const relatedNames = {
          "IspBook.editorId": "ispBookEditorSet",
          "IspBook.translatorId": "ispBookTranslatorSet"
        }
        expect(references(state)).toEqual(references(withoutNonDatabaseFacts(expected, relatedNames)))
        const comparable = byName(betweenRewritten(withoutNonDatabaseFacts(expected, relatedNames)))
        for (const name of Object.keys(expected.models)) {
          expect([name, byName(state).models[name]]).toEqual([name, comparable.models[name]])
        }
        expect(State.same(byName(state), comparable)).toBe(true)
        // PostgreSQL prints `lower((title)::text)`: read back as the ORM writes it.
        expect(state.models.IspBook!.indexes.find((i) => i.name === "isp_book_title_lower"))
          .toEqual({ name: "isp_book_title_lower", columns: [], unique: false, expressions: [`LOWER("title")`] })
        expect(state.models.IspBook!.constraints.find((c) => c.name === "isp_book_range"))
          .toEqual({ kind: "check", name: "isp_book_range", sql: `("pages" >= 1) AND ("pages" <= 9999)` })
        expect(warnings).toEqual([])
      })), 120_000)

    it.effect("modelCode writes models whose state is the introspected one, and which type-check", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* Tables.create(...rich)
        const { state, warnings } = yield* introspect()
        const { code, file, models } = yield* roundTrip(state, warnings)
        expect(State.fromModels(models)).toEqual(state)
        expect(State.same(State.fromModels(models), state)).toBe(true)
        expect(code).toContain(
          `import { Abs, Coalesce, Extract, F, Field, Greatest, Length, Lower, Model, Q, Round, Substr, Upper } from "../../src/index.js"`
        )
        expect(code).toContain(`authors: Field.ManyToMany(`)
        expect(code).toContain(`friends: Field.ManyToMany((): Model.Ref<IspPerson> => IspPerson)`)
        expect(code).toContain(`{ fields: ["meta"], name: "isp_book_meta_path", using: "gin", opclass: "jsonb_path_ops" }`)
        expect(code).toContain(`{ fields: ["code"], using: "hash" }`)
        expect(code).toContain(`{ name: "isp_book_title_lower", expressions: [Lower("title")] }`)
        expect(code).toContain(`{ name: "isp_book_value", expressions: [F("price").mul(F("pages")), Upper("title"), Coalesce("weight", 0)], unique: true }`)
        expect(code).toContain(`expressions: [Extract("published", "year"), Extract("opensAt", "hour"), Extract("readingTime", "epoch")]`)
        expect(code).toContain(`{ name: "isp_book_short", expressions: [Length("title"), Substr("title", 1, 3)], where: { pages: { lt: 100 } } }`)
        expect(typeErrors(file)).toEqual([])
      })), 120_000)

    it.effect("random check constraints read back as filters, exactly where the ORM's SQL has one reading", () =>
      Testing.isolated(Effect.gen(function*() {
        const seed = Number(process.env.ISP_SEED ?? 13)
        const plain = fc.sample(plainCheck, { numRuns: 100, seed })
        const any = fc.sample(anyCheck, { numRuns: 60, seed })
        const name = (i: number) => `isp_probe_c${String(i).padStart(3, "0")}`
        const checks = [...plain, ...any].map((check, i) => ({ kind: "check", name: name(i), check }))
        const IspProbe = Model.Class<any>("IspProbe")(probeFields, { constraints: checks as any })
        yield* Tables.create(IspProbe)
        const { state, warnings } = yield* introspect()
        expect(warnings).toEqual([])
        const model = state.models.IspProbe!
        const read = (i: number) => (model.constraints.find((c) => c.name === name(i)) as { sql: string }).sql
        // Plain filters read back as the ORM writes them.
        plain.forEach((check, i) => expect([i, read(i)]).toEqual([i, checkSql(IspProbe, check)]))
        // Any filter reads back as a filter (nested Q.and and Q.or may be regrouped): its SQL is the ORM's own.
        any.forEach((_, j) => {
          const sql = read(plain.length + j)
          expect([j, checkFilter(model, sql)?.sql]).toEqual([j, sql])
        })
      })), 120_000)

    it.effect("a schema made by hand gives a state and warnings", () =>
      Testing.isolated(Effect.gen(function*() {
        const statements = [
          `CREATE TYPE "isp_mood" AS ENUM ('sad', 'ok', 'happy')`,
          `CREATE DOMAIN "isp_short" AS varchar(12) CHECK (VALUE <> '')`,
          `CREATE TABLE "isp_raw_parent" ("id" uuid PRIMARY KEY, "code" smallint NOT NULL DEFAULT 3, "ratio" real, "happened" timestamp without time zone,
            "note" varchar, "price" numeric, "tags" text[], "created" timestamptz DEFAULT now(), "ip" inet, "Odd Name" text, "class" integer, "pk" integer, "mood" "isp_mood" DEFAULT 'ok', "nick" "isp_short")`,
          `CREATE TABLE "isp_raw_child" ("id" serial PRIMARY KEY, "parent_id" uuid NOT NULL REFERENCES "isp_raw_parent" ("id") ON DELETE CASCADE,
            "label" text NOT NULL CONSTRAINT "isp_raw_label_len" CHECK (length("label") > 2), "n" integer CHECK ("n" <> 4))`,
          `CREATE INDEX "isp_raw_child_lower" ON "isp_raw_child" (lower("label"))`,
          `CREATE INDEX "isp_raw_child_partial" ON "isp_raw_child" ("n") WHERE "n" > 0`,
          // The ORM's functions cannot write md5, %, nor a condition with <>: kept as PostgreSQL prints them.
          `CREATE INDEX "isp_raw_child_md5" ON "isp_raw_child" (md5("label"), ("n" % 7), "id")`,
          `CREATE UNIQUE INDEX "isp_raw_child_not_empty" ON "isp_raw_child" ("label") WHERE "label" <> ''`,
          `CREATE INDEX "isp_raw_child_desc" ON "isp_raw_child" (lower("label") DESC)`,
          `CREATE INDEX "isp_raw_child_classes" ON "isp_raw_child" ("label" text_pattern_ops, "n")`,
          `CREATE INDEX "isp_raw_child_spgist" ON "isp_raw_child" USING spgist ("label")`,
          `CREATE TABLE "isp_raw_log" ("at" timestamptz, "message" text)`,
          `CREATE TABLE "isp_raw_pair" ("a" integer, "b" integer, PRIMARY KEY ("a", "b"))`,
          `CREATE TABLE "isp_raw_excluded" ("id" integer PRIMARY KEY)`,
          `CREATE TABLE "isp Raw Odd" ("ID" integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            "code" varchar(5) CONSTRAINT "isp Raw Odd_code_check" CHECK ("code" IN ('a', 'b')),
            "parent_code" uuid REFERENCES "isp_raw_parent" ("id") ON DELETE SET NULL, "ref" integer REFERENCES "isp_raw_excluded",
            "first_id" integer NOT NULL DEFAULT 1 REFERENCES "isp_raw_child" ON DELETE SET DEFAULT,
            "second_id" integer REFERENCES "isp_raw_child" ON DELETE RESTRICT,
            CONSTRAINT "odd_code_uniq" UNIQUE ("code"))`
        ]
        for (const statement of statements) yield* Executor.ddl(statement)
        yield* Tables.create(IspThing, IspRawTag)
        const { state, warnings } = yield* introspect({ exclude: ["isp_raw_pair", "isp_raw_excluded"] })
        expect(Object.keys(state.models).sort()).toEqual(["IspRawChild", "IspRawOdd", "IspRawParent", "IspRawTag", "IspThings", "IspThingsTags"])
        const links = state.models.IspThingsTags!
        expect(links.autoCreated).toBeUndefined()
        expect(Object.values(links.fields).map((f) => f.references?.model)).toEqual([undefined, "IspThings", "IspRawTag"])
        const odd = state.models.IspRawOdd!
        expect(odd.table).toBe("isp Raw Odd")
        expect(odd.fields.ID).toMatchObject({ kind: "AutoField", column: "ID" })
        expect(odd.fields.code).toMatchObject({ kind: "Char", maxLength: 5, choices: ["a", "b"], unique: false })
        expect(odd.fields.parentCodeId).toMatchObject({ column: "parent_code", references: { relation: "parentCode", onDelete: "SET_NULL" } })
        expect(odd.fields.ref).toEqual({ kind: "Integer", column: "ref", nullable: true, primaryKey: false, unique: false, index: false })
        expect(odd.constraints).toEqual([{ kind: "unique", name: "odd_code_uniq", columns: ["code"] }])
        // Two relations to one target get distinct reverse names.
        expect(odd.fields.firstId!.references).toEqual({
          model: "IspRawChild", relation: "first", kind: "ForeignKey", onDelete: "SET_DEFAULT", relatedName: "ispRawOddFirstSet"
        })
        expect(odd.fields.secondId!.references).toEqual({
          model: "IspRawChild", relation: "second", kind: "ForeignKey", onDelete: "RESTRICT", relatedName: "ispRawOddSecondSet"
        })
        const parent = state.models.IspRawParent!.fields
        expect(parent.id).toEqual({ kind: "UUID", column: "id", nullable: false, primaryKey: true, unique: false, index: false })
        expect(parent.code).toMatchObject({ kind: "SmallInteger", default: "3", nullable: false })
        expect([parent.ratio!.kind, parent.happened!.kind, parent.note!.kind, parent.price!.kind, parent.tags!.kind, parent.ip!.kind])
          .toEqual(["Float", "DateTime", "Text", "Text", "Text", "Text"])
        expect(parent.mood).toMatchObject({ kind: "Text", default: "'ok'" })
        expect(parent.nick).toMatchObject({ kind: "Char", maxLength: 12 })
        expect(parent.created).toMatchObject({ kind: "DateTime" })
        expect(parent.created!.default).toBeUndefined()
        expect(parent["Odd Name"]).toMatchObject({ column: "Odd Name" })
        expect(parent.pkField).toMatchObject({ column: "pk" })
        const child = state.models.IspRawChild!
        expect(child.fields.id).toMatchObject({ kind: "AutoField", primaryKey: true })
        expect(child.fields.parentId).toMatchObject({
          kind: "UUID",
          index: true,
          references: { model: "IspRawParent", relation: "parent", kind: "ForeignKey", onDelete: "CASCADE" }
        })
        expect(child.constraints).toEqual([
          { kind: "check", name: "isp_raw_child_n_check", sql: "n <> 4" },
          { kind: "check", name: "isp_raw_label_len", sql: "length(label) > 2" }
        ])
        const messages = warnings.map((w) => `${w.table}${w.column === undefined ? "" : `.${w.column}`}: ${w.message}`)
        for (
          const expected of [
            "isp_raw_log: the table has no primary key",
            "isp_raw_parent.ratio: real",
            "isp_raw_parent.happened: timestamp without time zone",
            "isp_raw_parent.note: varchar without a length",
            "isp_raw_parent.tags: type text[] is not one the ORM maps",
            "isp_raw_parent.created: the default now() is not a value",
            `isp_raw_parent.mood: the enum isp_mood ("sad", "ok", "happy"), read as Text`,
            "isp_raw_parent.nick: the domain isp_short over character varying(12), read as Char; its checks are not kept",
            "isp_raw_child.id: a serial key",
            "isp_raw_child: the index isp_raw_child_md5 (CREATE INDEX isp_raw_child_md5 ON public.isp_raw_child USING btree (md5(label), ((n % 7)), id)): the ORM's functions cannot write md5(label), ((n % 7)); kept as PostgreSQL prints it",
            "isp_raw_child: the index isp_raw_child_not_empty (CREATE UNIQUE INDEX isp_raw_child_not_empty ON public.isp_raw_child USING btree (label) WHERE (label <> ''::text)): the ORM's functions cannot write its condition (label <> ''::text)",
            "isp_raw_child: the index isp_raw_child_desc (CREATE INDEX isp_raw_child_desc ON public.isp_raw_child USING btree (lower(label) DESC)) cannot be expressed",
            "isp_raw_child: the index isp_raw_child_classes",
            "isp_raw_child: the index isp_raw_child_spgist",
            "isp_raw_child: the check constraint isp_raw_label_len",
            "isp_raw_child.parent_id: the foreign key column has no index",
            "isp Raw Odd.ID: GENERATED ALWAYS AS IDENTITY",
            "isp Raw Odd.ref: the foreign key isp Raw Odd_ref_fkey references a table outside the models"
          ]
        ) expect(messages.some((m) => m.startsWith(expected)), `${expected} in ${messages.join("\n")}`).toBe(true)
        expect(messages.some((m) => m.startsWith("isp_raw_pair"))).toBe(false)
        for (const readBack of ["isp_raw_child_lower", "isp_raw_child_partial"]) expect(messages.some((m) => m.includes(readBack))).toBe(false)
        // An expression index and a partial index the ORM can write read as it writes them; the others keep
        // PostgreSQL's SQL (every column of an expression index is an expression: `id` reads as "id").
        expect(child.indexes).toEqual([
          { name: "isp_raw_child_lower", columns: [], unique: false, expressions: [`LOWER("label")`] },
          { name: "isp_raw_child_md5", columns: [], unique: false, expressions: ["md5(label)", "((n % 7))", `"id"`] },
          { name: "isp_raw_child_not_empty", columns: [{ column: "label", descending: false }], unique: true, where: "(label <> ''::text)" },
          { name: "isp_raw_child_partial", columns: [{ column: "n", descending: false }], unique: false, where: `"n" > 0` }
        ])

        // Another schema: only its tables, and references out of it stay plain columns.
        yield* Executor.ddl(`CREATE SCHEMA "isp_other"`)
        yield* Executor.ddl(`CREATE TABLE "isp_other"."isp_far" ("id" bigint PRIMARY KEY, "near_id" integer REFERENCES "public"."isp_raw_child")`)
        const other = yield* introspect({ schema: "isp_other" })
        expect(Object.keys(other.state.models)).toEqual(["IspFar"])
        expect(other.state.models.IspFar!.fields.nearId!.references).toBeUndefined()
        expect(other.warnings.map((w) => w.message)).toEqual([
          "the foreign key isp_far_near_id_fkey references a table outside the models (another schema, excluded or skipped); the column stays plain"
        ])

        // The code keeps what cannot be expressed as comments, and gives the state back without it.
        const { code, file, models } = yield* roundTrip(state, warnings)
        expect(code).toContain("// check constraint isp_raw_label_len: length(label) > 2 (not expressible; kept by migrations as RunSql)")
        expect(code).toContain(
          `// index isp_raw_child_md5 (the ORM's expressions and filters cannot write it): CREATE INDEX "isp_raw_child_md5" ON "isp_raw_child" ((md5(label)), (((n % 7))), ("id"))`
        )
        expect(code).toContain(`{ name: "isp_raw_child_lower", expressions: [Lower("label")] }`)
        expect(code).toContain(`{ fields: ["n"], name: "isp_raw_child_partial", where: { n: { gt: 0 } } }`)
        expect(code).toContain("// table isp_raw_log: the table has no primary key")
        expect(code).toContain(`"Odd Name": Field.Text({ nullable: true, dbColumn: "Odd Name" })`)
        expect(code).toContain(`table: "isp Raw Odd"`)
        expect(code).toContain(`parentCode: Field.ForeignKey(() => IspRawParent, { onDelete: "SET_NULL", nullable: true, dbColumn: "parent_code" })`)
        const expressible = structuredClone(state) as unknown as { models: Record<string, { constraints: Array<unknown>; indexes: Array<State.IndexState> }> }
        expressible.models.IspRawChild!.constraints = []
        expressible.models.IspRawChild!.indexes = child.indexes.filter((i) => i.name === "isp_raw_child_lower" || i.name === "isp_raw_child_partial")
        expect(State.fromModels(models)).toEqual(expressible)
        expect(typeErrors(file)).toEqual([])
      })), 120_000)
  })
}
