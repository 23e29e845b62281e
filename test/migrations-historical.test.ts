/**
 * Historical models (`modelsAt`) on every driver: the models of a schema state come out as that state (every field
 * kind and option, foreign keys with CASCADE, SET_NULL and SET_DEFAULT, one-to-one, a self-reference, many-to-many
 * with their join models), querysets run through them (create with the state's defaults, filters across relations,
 * update with F, values, deletes with cascades among themselves), they stay apart from the declared models of the
 * same names (neither side's deletes cascade through the other's models), and a state from before a field was
 * renamed and another removed queries the table as it was then; the runner runs a data migration, forward and
 * backward, on the models of its point of the migrations.
 */
import { expect, layer } from "@effect/vitest"
import { BigDecimal, DateTime, Duration, Effect, Result, Schema } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { F, Field, Lower, Model } from "../src/index.js"
import type * as QuerySet from "../src/QuerySet.js"
import * as Executor from "../src/internal/executor.js"
import { modelsAt, withoutChecks } from "../src/internal/migrations/historical.js"
import { forwardSql } from "../src/internal/migrations/operationSql.js"
import { apply, type Operation } from "../src/internal/migrations/operations.js"
import * as Sql from "../src/internal/migrations/sql.js"
import * as State from "../src/internal/migrations/state.js"
import * as Registry from "../src/internal/registry.js"
import * as Relations from "../src/internal/relations.js"
import { Migration, Migrator } from "../src/migrations/index.js"
import * as Testing from "../src/testing/index.js"

class HmPublisher extends Model.Class<HmPublisher>("HmPublisher")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 100, unique: true }),
  numAwards: Field.Integer({ default: 0 }),
  code: Field.Char({ maxLength: 4, choices: ["ab", "cd"], nullable: true, dbColumn: "pub_code" })
}, { table: "hm_publisher", ordering: ["name"] }) {}

class HmAuthor extends Model.Class<HmAuthor>("HmAuthor")({
  id: Field.BigAutoField(),
  name: Field.Char({ maxLength: 100 }),
  bio: Field.Text({ nullable: true }),
  rating: Field.SmallInteger({ choices: [1, 2, 3], default: 2 })
}, { table: "hm_author" }) {}

class HmBook extends Model.Class<HmBook>("HmBook")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 100, dbIndex: true }),
  pages: Field.Integer(),
  price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2, default: BigDecimal.fromStringUnsafe("9.90") }),
  weight: Field.Float({ nullable: true, default: -0.5 }),
  copies: Field.BigInteger({ default: 10n }),
  inPrint: Field.Boolean({ default: true }),
  pubdate: Field.Date({ default: "2020-02-29" }),
  printedAt: Field.DateTime({ nullable: true, default: DateTime.makeUnsafe("2024-01-31T12:00:00.250Z") }),
  opensAt: Field.Time({ default: "09:30:00" }),
  loan: Field.Duration({ default: Duration.days(14) }),
  isbn: Field.UUID({ nullable: true, unique: true }),
  extra: Field.JSON(Schema.Struct({ tags: Schema.Array(Schema.String) }), { default: { tags: ["new"] } }),
  blurb: Field.Text({ default: "it's good", dbColumn: "blurb_text" }),
  version: Field.Version(),
  publisher: Field.ForeignKey(() => HmPublisher, { onDelete: "CASCADE", relatedName: "books" }),
  editor: Field.ForeignKey(() => HmAuthor, { onDelete: "SET_NULL", nullable: true, relatedName: "edited" }),
  authors: Field.ManyToMany(() => HmAuthor, { relatedName: "books" })
}, {
  table: "hm_book",
  ordering: ["name"],
  indexes: [
    { fields: ["-pubdate", "name"] },
    { fields: ["name", "copies"], name: "hm_book_name_copies_u", unique: true },
    // Expression and partial indexes: historical models carry their SQL as the state holds it.
    { name: "hm_book_lower_name", expressions: [Lower("name"), F("pages").add(1)], where: { inPrint: true } },
    { fields: ["pages"], name: "hm_book_pages_partial", where: { pages: { gt: 0 } } }
  ],
  constraints: [
    { kind: "unique", fields: ["name", "publisherId"], name: "hm_book_name_pub" },
    { kind: "check", check: { copies: { gte: 0n } }, name: "hm_book_copies_check" }
  ]
}) {}

/** A tree with links between its nodes: a self-referencing foreign key and a self-referential many-to-many. */
class HmCategory extends Model.Class<HmCategory>("HmCategory")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  parent: Field.ForeignKey((): Model.Ref<HmCategory, number> => HmCategory, { onDelete: "CASCADE", nullable: true, relatedName: "children" }),
  related: Field.ManyToMany((): Model.Ref<HmCategory> => HmCategory)
}, { table: "hm_category" }) {}

/** A UUID primary key, a one-to-one and a SET_DEFAULT key. */
class HmProfile extends Model.Class<HmProfile>("HmProfile")({
  id: Field.UUID({ primaryKey: true, autoGenerate: true }),
  author: Field.OneToOne(() => HmAuthor, { onDelete: "CASCADE", relatedName: "profile" }),
  mentor: Field.ForeignKey(() => HmAuthor, { onDelete: "SET_DEFAULT", nullable: true, default: null, relatedName: "mentees" })
}, { table: "hm_profile" }) {}

/** A foreign key to a UUID key. */
class HmBadge extends Model.Class<HmBadge>("HmBadge")({
  id: Field.AutoField(),
  profile: Field.ForeignKey(() => HmProfile, { onDelete: "CASCADE", dbColumn: "owner_profile" })
}, { table: "hm_badge" }) {}

/** Only today: a model the historical state has not got yet. */
class HmLoan extends Model.Class<HmLoan>("HmLoan")({
  id: Field.AutoField(),
  book: Field.ForeignKey(() => HmBook, { onDelete: "CASCADE" })
}, { table: "hm_loan" }) {}

/** A model whose table a test alters back to an earlier schema. */
class HmEdition extends Model.Class<HmEdition>("HmEdition")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  pages: Field.Integer(),
  publisher: Field.ForeignKey(() => HmPublisher, { onDelete: "CASCADE" })
}, { table: "hm_edition" }) {}

const models = [HmPublisher, HmAuthor, HmBook, HmCategory, HmProfile, HmBadge, HmLoan, HmEdition]
const current = State.fromModels(models)

/** The queryset of a historical model (typed loosely: a historical model's fields are known only at run time). */
const objects = (model: Model.Any | undefined): QuerySet.QuerySet<any, any> => {
  if (model === undefined) throw new Error("no such historical model")
  return (model as any).objects
}

/** Only in the past: a model deleted since, referencing HmBook. */
const noteState: State.ModelState = {
  name: "HmNote",
  table: "hm_note",
  fields: {
    id: { kind: "AutoField", column: "id", nullable: false, primaryKey: true, unique: false, index: false },
    text: { kind: "Text", column: "text", nullable: false, primaryKey: false, unique: false, index: false },
    bookId: {
      kind: "Integer",
      column: "book_id",
      nullable: false,
      primaryKey: false,
      unique: false,
      index: true,
      references: { model: "HmBook", relation: "book", kind: "ForeignKey", onDelete: "CASCADE" }
    }
  },
  indexes: [],
  constraints: []
}

const applyAll = (state: State.SchemaState, operations: ReadonlyArray<Operation>) => operations.reduce(apply, state)

/** The state before HmLoan existed, when HmNote still did. */
const past = applyAll(current, [{ _tag: "DeleteModel", name: "HmLoan" }, { _tag: "CreateModel", model: noteState }])

// ---- a data migration through the runner ----

class HmxWriter extends Model.Class<HmxWriter>("HmxWriter")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 })
}, { table: "hmx_writer" }) {}

class HmxNovel extends Model.Class<HmxNovel>("HmxNovel")({
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 100 }),
  writer: Field.ForeignKey(() => HmxWriter, { onDelete: "CASCADE" })
}, { table: "hmx_novel" }) {}

/** What the data migration saw: the fields of the novel at its point of the migrations. */
const seen: Array<ReadonlyArray<string>> = []

const words = { kind: "Integer", column: "words", nullable: false, primaryKey: false, unique: false, index: false, default: "0" } as const
const initial = State.fromModels([HmxWriter, HmxNovel])
const runnerMigrations: ReadonlyArray<Migration.Migration> = [
  {
    name: "0001_initial",
    dependencies: [],
    operations: [Migration.CreateModel({ model: initial.models.HmxWriter! }), Migration.CreateModel({ model: initial.models.HmxNovel! })]
  },
  {
    name: "0002_words",
    dependencies: ["0001_initial"],
    operations: [
      Migration.AddField({ model: "HmxNovel", name: "words", field: words }),
      Migration.RunEffect({
        description: "count the words of Ann's novels",
        forward: (models) =>
          Effect.gen(function*() {
            seen.push(Object.keys(models.HmxNovel!.meta.fields).sort())
            yield* objects(models.HmxNovel).filter({ writer: { name: "Ann" } }).update({ words: F("words").add(1000) })
          }),
        backward: (models) =>
          Effect.gen(function*() {
            seen.push(Object.keys(models.HmxNovel!.meta.fields).sort())
            yield* objects(models.HmxNovel).update({ words: 0 })
          })
      })
    ]
  },
  {
    name: "0003_rename_title",
    dependencies: ["0002_words"],
    operations: [Migration.RenameField({ model: "HmxNovel", from: "title", to: "name", column: "name" })]
  }
]

const rows = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  return yield* sql.unsafe<Record<string, unknown>>("SELECT * FROM hmx_novel ORDER BY id").unprepared
})

for (const driver of Testing.drivers(models)) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("the historical models of a state come out as that state, apart from the declared ones", () =>
      Effect.sync(() => {
        const declared = Registry.models().filter((m) => !Registry.isHistorical(m))
        const hist = modelsAt(current)
        expect(Object.keys(hist).sort()).toEqual(Object.keys(current.models).sort())
        expect(Object.keys(hist)).toContain("HmBook_authors")
        expect(Object.keys(hist)).toContain("HmCategory_related")
        // Each model, and the whole schema (join models included), but for the check constraints' SQL.
        for (const [name, model] of Object.entries(current.models)) {
          expect(State.modelState(hist[name]!)).toEqual(State.compact({ ...model, constraints: model.constraints.filter((c) => c.kind !== "check") }))
        }
        expect(State.same(State.fromModels(Object.values(hist)), withoutChecks(current))).toBe(true)
        expect(State.same(withoutChecks(current), current)).toBe(false)
        // Expression and partial indexes are kept (their SQL as the state holds it).
        expect(State.modelState(hist.HmBook!).indexes.filter((i) => i.expressions !== undefined || i.where !== undefined)).toEqual([
          { name: "hm_book_lower_name", columns: [], expressions: [`LOWER("name")`, `("pages" + 1)`], unique: false, where: `"in_print" = TRUE` },
          { name: "hm_book_pages_partial", columns: [{ column: "pages", descending: false }], unique: false, where: `"pages" > 0` }
        ])
        // Same names, other classes; the join model's keys lead to the historical models.
        for (const model of Object.values(hist)) expect(Registry.isHistorical(model)).toBe(true)
        expect(hist.HmBook).not.toBe(HmBook)
        expect(hist.HmBook!.meta.name).toBe("HmBook")
        const join = hist.HmBook_authors!
        expect(Registry.isAutoThroughModel(join)).toBe(true)
        expect(join.meta.relations.hmBook!.target()).toBe(hist.HmBook)
        expect(join.meta.relations.hmAuthor!.target()).toBe(hist.HmAuthor)
        expect(hist.HmCategory!.meta.relations.parent!.target()).toBe(hist.HmCategory)
        // The declared models are as they were: the same classes, their join models their own.
        expect(Registry.models().filter((m) => !Registry.isHistorical(m))).toEqual(declared)
        expect(Registry.throughOf(HmBook, "authors", HmBook.meta.relations.authors as any).model).not.toBe(join)
        expect([...Relations.names(HmBook)].sort()).toEqual(["authors", "editor", "hmLoanSet", "publisher"])
        expect([...Relations.names(hist.HmBook!)].sort()).toEqual(["authors", "editor", "hmLoanSet", "publisher"])
        // Reverse relations follow each side's own models.
        expect([...Relations.names(modelsAt(past).HmBook!)].sort()).toEqual(["authors", "editor", "hmNoteSet", "publisher"])
        // Two states, two sets.
        expect(modelsAt(current).HmBook).not.toBe(hist.HmBook)
      }))

    it.effect("querysets run through historical models: create with the state's defaults, filter, update with F, values", () =>
      Testing.isolated(Effect.gen(function*() {
        const hist = modelsAt(current)
        const Publisher = objects(hist.HmPublisher), Author = objects(hist.HmAuthor), Book = objects(hist.HmBook)
        const apress = yield* Publisher.create({ name: "Apress", code: "ab" })
        const oreilly = yield* Publisher.create({ name: "O'Reilly" })
        const ann = yield* Author.create({ name: "ann" })
        const bob = yield* Author.create({ name: "bob", rating: 3 })
        const one = yield* Book.create({ name: "One", pages: 100, publisherId: apress.id, editorId: ann.id })
        yield* Book.create({ name: "Two", pages: 300, publisherId: oreilly.id })
        yield* objects(hist.HmBook_authors).bulkCreate([
          { hmBookId: one.id, hmAuthorId: ann.id },
          { hmBookId: one.id, hmAuthorId: bob.id }
        ])
        // The defaults the state holds, read back through today's model.
        const stored = yield* HmBook.objects.get({ id: one.id })
        expect(BigDecimal.equals(stored.price, BigDecimal.fromStringUnsafe("9.90"))).toBe(true)
        expect([stored.weight, stored.copies, stored.inPrint, stored.pubdate, stored.opensAt, stored.blurb, stored.version])
          .toEqual([-0.5, 10n, true, "2020-02-29", "09:30:00", "it's good", 0])
        expect(DateTime.formatIso(stored.printedAt!)).toBe("2024-01-31T12:00:00.250Z")
        expect(Duration.toMillis(stored.loan)).toBe(14 * 86_400_000)
        expect(stored.extra).toEqual({ tags: ["new"] })
        expect(ann.rating).toBe(2)
        // Filters across a foreign key, a many-to-many and a reverse relation.
        expect(yield* Book.filter({ publisher: { name: "Apress" } }).valuesList("name", { flat: true })).toEqual(["One"])
        expect(yield* Book.filter({ authors: { name: "bob" } }).valuesList("name", { flat: true })).toEqual(["One"])
        expect(yield* Publisher.filter({ books: { pages: { gt: 200 } } }).valuesList("name", { flat: true })).toEqual(["O'Reilly"])
        expect(yield* Author.filter({ edited: { name: "One" } }).valuesList("name", { flat: true })).toEqual(["ann"])
        // Update with F, and values.
        const n = yield* Book.filter({ publisher: { code: "ab" } }).update({ pages: F("pages").add(5) })
        expect(n).toBe(1)
        expect(yield* Book.orderBy("name").values("name", "pages")).toEqual([{ name: "One", pages: 105 }, { name: "Two", pages: 300 }])
        expect((yield* HmBook.objects.get({ id: one.id })).pages).toBe(105)
        // selectRelated through a historical foreign key builds historical instances.
        const withPublisher = yield* Book.selectRelated("publisher").get({ id: one.id })
        expect(withPublisher.publisher).toBeInstanceOf(hist.HmPublisher!)
        expect(withPublisher.publisher.name).toBe("Apress")
      })))

    it.effect("deletes through historical models cascade among them: CASCADE, SET_NULL, self-references, join rows", () =>
      Testing.isolated(Effect.gen(function*() {
        const hist = modelsAt(current)
        const Publisher = objects(hist.HmPublisher), Author = objects(hist.HmAuthor), Book = objects(hist.HmBook)
        const Category = objects(hist.HmCategory)
        const apress = yield* Publisher.create({ name: "Apress" })
        const ann = yield* Author.create({ name: "ann" })
        const bob = yield* Author.create({ name: "bob" })
        const one = yield* Book.create({ name: "One", pages: 1, publisherId: apress.id, editorId: bob.id })
        yield* Book.create({ name: "Two", pages: 2, publisherId: apress.id, editorId: bob.id })
        yield* objects(hist.HmBook_authors).create({ hmBookId: one.id, hmAuthorId: ann.id })
        const profile = yield* objects(hist.HmProfile).create({ id: "6f1c2a3e-0d4b-4c5a-9e7f-1a2b3c4d5e6f", authorId: ann.id, mentorId: bob.id })
        yield* objects(hist.HmBadge).create({ profileId: profile.id })
        // SET_NULL and SET_DEFAULT (null): bob's books and mentee stay.
        const byBob = yield* Author.filter({ id: bob.id }).delete()
        expect(byBob.perModel).toEqual({ HmAuthor: 1 })
        expect(yield* HmBook.objects.filter({ editor: { isNull: true } } as any).count()).toBe(2)
        expect((yield* HmProfile.objects.get({ id: profile.id })).mentorId).toBeNull()
        // CASCADE through a one-to-one to a foreign key on a UUID key, and the join rows.
        const byAnn = yield* Author.filter({ id: ann.id }).delete()
        expect(byAnn.perModel).toEqual({ HmAuthor: 1, HmProfile: 1, HmBadge: 1, HmBook_authors: 1 })
        const byApress = yield* Publisher.filter({ id: apress.id }).delete()
        expect(byApress.perModel).toEqual({ HmPublisher: 1, HmBook: 2 })
        expect(yield* HmBook.objects.count()).toBe(0)
        // A self-reference.
        const root = yield* Category.create({ name: "root" })
        const child = yield* Category.create({ name: "child", parentId: root.id })
        yield* Category.create({ name: "grandchild", parentId: child.id })
        yield* objects(hist.HmCategory_related).create({ fromHmCategoryId: root.id, toHmCategoryId: child.id })
        expect(yield* Category.filter({ children: { name: "grandchild" } }).valuesList("name", { flat: true })).toEqual(["child"])
        const tree = yield* Category.filter({ id: root.id }).delete()
        expect(tree.perModel).toEqual({ HmCategory: 3, HmCategory_related: 1 })
        expect(yield* HmCategory.objects.count()).toBe(0)
      })))

    it.effect("a declared model's delete does not cascade through historical models, nor theirs through declared ones", () =>
      Testing.isolated(Effect.gen(function*() {
        const hist = modelsAt(past)
        // The past's table of HmNote, which today's models do not know (rolled back with the test).
        for (const statement of [...Sql.createTable(noteState), ...Sql.foreignKeys(past, noteState)]) yield* Executor.ddl(statement)
        const referencing = (model: Model.Any) => Relations.referencing(model).map((r) => r.model)
        expect(referencing(HmBook).map((m) => m.meta.name).sort()).toEqual(["HmBook_authors", "HmLoan"])
        expect(referencing(HmBook).some(Registry.isHistorical)).toBe(false)
        expect(referencing(hist.HmBook!).map((m) => m.meta.name).sort()).toEqual(["HmBook_authors", "HmNote"])
        expect(referencing(hist.HmBook!).every(Registry.isHistorical)).toBe(true)

        const publisher = yield* HmPublisher.objects.create({ name: "Apress" })
        const book = yield* HmBook.objects.create({ name: "One", pages: 1, publisher })
        yield* objects(hist.HmNote).create({ text: "a note", bookId: book.id })
        yield* HmLoan.objects.create({ book })
        // Today's HmBook knows HmLoan, not HmNote: the note's key refuses the delete (in its savepoint).
        const declared = yield* Effect.result(HmBook.objects.deleteInstance(book))
        expect(Result.isFailure(declared) && declared.failure._tag).toBe("IntegrityError")
        expect(Result.isFailure(declared) && (declared.failure as any).kind).toBe("foreignKey")
        expect(yield* HmLoan.objects.count()).toBe(1)
        // The past's HmBook knows HmNote, not HmLoan: the loan's key refuses it.
        const Book = objects(hist.HmBook)
        const historical = yield* Effect.result(Book.filter({ id: book.id }).delete())
        expect(Result.isFailure(historical) && (historical.failure as any).kind).toBe("foreignKey")
        expect(yield* objects(hist.HmNote).count()).toBe(1)
        // Once the loan is gone, the past's cascade takes the note.
        yield* HmLoan.objects.all().delete()
        const done = yield* Book.deleteInstance(yield* Book.get({ id: book.id }))
        expect(done.perModel).toEqual({ HmBook: 1, HmNote: 1 })
        // A declared model's delete, with historical models about, still cascades as before.
        const other = yield* HmBook.objects.create({ name: "Two", pages: 2, publisher })
        yield* HmLoan.objects.create({ book: other })
        const cascade = yield* HmPublisher.objects.filter({ id: publisher.id }).delete()
        expect(cascade.perModel).toEqual({ HmPublisher: 1, HmBook: 1, HmLoan: 1 })
      })))

    it.effect("a state from before a field was renamed and another removed queries the table as it was then", () =>
      Testing.isolated(Effect.gen(function*() {
        // Today's HmEdition has name and pages; back then the field was `title` and there were no pages.
        const operations: ReadonlyArray<Operation> = [
          { _tag: "RemoveField", model: "HmEdition", name: "pages" },
          { _tag: "RenameField", model: "HmEdition", from: "name", to: "title", column: "title" }
        ]
        let state = current
        for (const operation of operations) {
          const after = apply(state, operation)
          for (const statement of forwardSql(operation, state, after)) yield* Executor.ddl(statement)
          state = after
        }
        const hist = modelsAt(state)
        expect(Object.keys(hist.HmEdition!.meta.fields).sort()).toEqual(["id", "publisherId", "title"])
        const Edition = objects(hist.HmEdition)
        const publisher = yield* objects(hist.HmPublisher).create({ name: "Apress" })
        yield* Edition.create({ title: "First", publisherId: publisher.id })
        yield* Edition.create({ title: "Second", publisherId: publisher.id })
        expect(yield* Edition.filter({ title: { startsWith: "F" } }).values("title")).toEqual([{ title: "First" }])
        yield* Edition.filter({ title: "Second" }).update({ title: "Second (revised)" })
        expect(yield* Edition.filter({ publisher: { name: "Apress" } }).orderBy("title").valuesList("title", { flat: true }))
          .toEqual(["First", "Second (revised)"])
        const removed = yield* objects(hist.HmPublisher).filter({ id: publisher.id }).delete()
        expect(removed.perModel).toEqual({ HmPublisher: 1, HmEdition: 2 })
      })))

    it.effect("the runner gives a data migration the models at its point of the migrations", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        seen.length = 0
        yield* Migrator.migrate(runnerMigrations.slice(0, 1))
        yield* sql.unsafe("INSERT INTO hmx_writer (name) VALUES ('Ann'), ('Bob')").unprepared
        yield* sql.unsafe("INSERT INTO hmx_novel (title, writer_id) SELECT 'Emma of ' || name, id FROM hmx_writer ORDER BY id").unprepared
        yield* Migrator.migrate(runnerMigrations)
        // The field added earlier in the same migration, and the title not yet renamed.
        expect(seen).toEqual([["id", "title", "words", "writerId"]])
        expect(yield* rows).toEqual([
          { id: 1, name: "Emma of Ann", writer_id: 1, words: 1000 },
          { id: 2, name: "Emma of Bob", writer_id: 2, words: 0 }
        ])
        // Backward, the reverse data migration runs too, on the models of its point.
        yield* Migrator.migrate(runnerMigrations, { target: "0001_initial" })
        expect(seen).toEqual([["id", "title", "words", "writerId"], ["id", "title", "words", "writerId"]])
        expect(yield* rows).toEqual([{ id: 1, title: "Emma of Ann", writer_id: 1 }, { id: 2, title: "Emma of Bob", writer_id: 2 }])
        yield* Migrator.migrate(runnerMigrations, { target: Migrator.ZERO })
        yield* sql.unsafe("DROP TABLE IF EXISTS hmx_novel, hmx_writer, effect_orm_migrations CASCADE").unprepared
      }))
  })
}
