/**
 * QuerySet behaviour on every driver: laziness, immutability, ordering, slicing, the terminal operations and their
 * errors, projections, SQL, plans and streams.
 */
import { expect, layer } from "@effect/vitest"
import { Chunk, Effect, Either, Option, Stream } from "effect"
import { Db, F, Field, Model } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

class QsBook extends Model.Class<QsBook>("QsBook")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 100 }),
  pages: Field.Integer(),
  rating: Field.Float({ nullable: true }),
  pubDate: Field.Date(),
  isbn: Field.Char({ maxLength: 13, nullable: true, unique: true }),
  genre: Field.Char({ maxLength: 20 })
}, { table: "qs_book", ordering: ["name"] }) {}

/** A model without a default ordering. */
class QsNote extends Model.Class<QsNote>("QsNote")({
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 50 }),
  rank: Field.Integer()
}, { table: "qs_note" }) {}

// Inserted out of alphabetical order, so name order, pk order and page order all differ.
const BOOKS = [
  { name: "Dune", pages: 412, rating: 4.5, pubDate: "1965-08-01", isbn: "9780441013593", genre: "scifi" },
  { name: "Anathem", pages: 937, rating: 4.0, pubDate: "2008-09-09", isbn: null, genre: "scifi" },
  { name: "Circe", pages: 393, rating: null, pubDate: "2018-04-10", isbn: "9780316556347", genre: "fantasy" },
  { name: "Beloved", pages: 324, rating: 4.0, pubDate: "1987-09-02", isbn: null, genre: "literary" },
  { name: "Emma", pages: 474, rating: 3.5, pubDate: "1815-12-23", isbn: "9780141439587", genre: "literary" },
  { name: "Foundation", pages: 255, rating: 4.5, pubDate: "1951-06-01", isbn: "9780553293357", genre: "scifi" }
] as const

const BY_NAME = ["Anathem", "Beloved", "Circe", "Dune", "Emma", "Foundation"]
const BY_PK = ["Dune", "Anathem", "Circe", "Beloved", "Emma", "Foundation"]
const BY_PAGES = ["Foundation", "Beloved", "Circe", "Dune", "Emma", "Anathem"]

const seedBooks = Effect.forEach(BOOKS, (row) => QsBook.objects.create(row))

const seedNotes = Effect.forEach([["zeta", 3], ["alpha", 1], ["mid", 2]] as const, ([title, rank]) =>
  QsNote.objects.create({ title, rank }))

/** The names of the rows, in the order the queryset returns them. */
const names = <E, R>(qs: Effect.Effect<ReadonlyArray<QsBook>, E, R>) => Effect.map(qs, (rows) => rows.map((b) => b.name))

/** How a run ended: the names, or the error's tag. */
const outcome = <E extends { readonly _tag: string }, R>(qs: Effect.Effect<ReadonlyArray<QsBook>, E, R>) =>
  Effect.map(Effect.either(names(qs)), Either.match({ onLeft: (e) => e._tag, onRight: (n) => n }))

const flipTag = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (e) => e._tag)

for (const driver of Testing.drivers([QsBook, QsNote])) {
  layer(driver.layer)(driver.name, (it) => {
    // ---- laziness and immutability ----

    it.effect("building a queryset runs nothing; yielding it runs it, every time", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        const built = yield* Testing.captureQueries(Effect.sync(() => {
          const qs = QsBook.objects.filter({ genre: "scifi" }).exclude({ pages: { gt: 900 } }).orderBy("-pages").slice(0, 5)
          // Terminal Effects are values too: nothing runs until they are run.
          qs.count()
          qs.exists()
          qs.first()
          qs.delete()
          qs.values("name")
          QsBook.objects.create({ ...BOOKS[0], name: "Never", isbn: null })
          return qs
        }))
        expect(built.queries).toEqual([])
        expect(yield* QsBook.objects.count()).toBe(6)
        const qs = built.result
        const first = yield* Testing.captureQueries(qs)
        expect(first.queries).toHaveLength(1)
        expect(first.result.map((b) => b.name)).toEqual(["Dune", "Foundation"])
        const second = yield* Testing.captureQueries(qs)
        expect(second.queries).toHaveLength(1)
        expect(second.queries[0]).toEqual(first.queries[0])
        // No result cache: a second run sees new rows.
        yield* QsBook.objects.create({ name: "Hyperion", pages: 482, rating: 4.2, pubDate: "1989-05-26", isbn: null, genre: "scifi" })
        expect(yield* names(qs)).toEqual(["Hyperion", "Dune", "Foundation"])
        const twice = yield* Testing.captureQueries(Effect.all([qs, qs]))
        expect(twice.queries).toHaveLength(2)
      })))

    it.effect("filter and every chained call return a new queryset and leave the original unchanged", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        const base = QsBook.objects.filter({ genre: "scifi" })
        const before = yield* base.toSql()
        const narrowed = base.filter({ pages: { gt: 500 } })
        const derived = [
          narrowed,
          base.exclude({ name: "Dune" }),
          base.orderBy("-pages"),
          base.reverse(),
          base.distinct(),
          base.slice(1, 2),
          base.none(),
          base.all()
        ]
        for (const qs of derived) expect(qs).not.toBe(base)
        base.values("name")
        base.valuesList("name", { flat: true })
        expect(yield* base.toSql()).toEqual(before)
        expect(yield* names(base)).toEqual(["Anathem", "Dune", "Foundation"])
        expect(yield* names(narrowed)).toEqual(["Anathem"])
        expect(QsBook.objects.filter({})).not.toBe(QsBook.objects)
        expect(yield* QsBook.objects.count()).toBe(6)
      })))

    it.effect("all() returns every row in the default ordering", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* names(QsBook.objects.all())).toEqual(BY_NAME)
        expect(yield* names(QsBook.objects)).toEqual(BY_NAME)
        const all = yield* QsBook.objects.all()
        expect(all.every((b) => b instanceof QsBook)).toBe(true)
        expect(all[0]).toMatchObject({ name: "Anathem", pages: 937, rating: 4, pubDate: "2008-09-09", isbn: null, genre: "scifi" })
        expect(yield* names(QsBook.objects.filter({ genre: "literary" }).all())).toEqual(["Beloved", "Emma"])
      })))

    // ---- ordering ----

    it.effect("orderBy ascending, descending, on several fields, by pk; replacing the previous ordering", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* names(QsBook.objects.orderBy("pages"))).toEqual(BY_PAGES)
        expect(yield* names(QsBook.objects.orderBy("-pages"))).toEqual([...BY_PAGES].reverse())
        expect(yield* names(QsBook.objects.orderBy("genre", "-pages"))).toEqual([
          "Circe",
          "Emma",
          "Beloved",
          "Anathem",
          "Dune",
          "Foundation"
        ])
        expect(yield* names(QsBook.objects.orderBy("-genre", "name"))).toEqual([
          "Anathem",
          "Dune",
          "Foundation",
          "Beloved",
          "Emma",
          "Circe"
        ])
        expect(yield* names(QsBook.objects.orderBy("pubDate"))).toEqual(["Emma", "Foundation", "Dune", "Beloved", "Anathem", "Circe"])
        expect(yield* names(QsBook.objects.orderBy("pk"))).toEqual(BY_PK)
        expect(yield* names(QsBook.objects.orderBy("-pk"))).toEqual([...BY_PK].reverse())
        expect(yield* names(QsBook.objects.orderBy("pages").orderBy("-name"))).toEqual([...BY_NAME].reverse())
        expect(yield* names(QsBook.objects.filter({ genre: "scifi" }).orderBy("-pages"))).toEqual(["Anathem", "Dune", "Foundation"])
      })))

    it.effect("the model's default ordering applies, and orderBy() with no argument clears it", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        yield* seedNotes
        expect(yield* names(QsBook.objects)).toEqual(BY_NAME)
        const ordered = yield* QsBook.objects.toSql()
        expect(ordered.sql).toMatch(/ ORDER BY "t0"\."name" ASC$/)
        const cleared = yield* QsBook.objects.orderBy().toSql()
        expect(cleared.sql).not.toContain("ORDER BY")
        expect([...(yield* names(QsBook.objects.orderBy()))].sort()).toEqual(BY_NAME)
        const notes = yield* QsNote.objects.toSql()
        expect(notes.sql).not.toContain("ORDER BY")
        expect(yield* QsNote.objects.count()).toBe(3)
      })))

    it.effect("reverse reverses the ordering, twice restores it, and does nothing on an unordered queryset", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        yield* seedNotes
        expect(yield* names(QsBook.objects.reverse())).toEqual([...BY_NAME].reverse())
        expect(yield* names(QsBook.objects.reverse().reverse())).toEqual(BY_NAME)
        expect(yield* names(QsBook.objects.orderBy("genre", "-pages").reverse())).toEqual([
          "Foundation",
          "Dune",
          "Anathem",
          "Beloved",
          "Emma",
          "Circe"
        ])
        expect(yield* names(QsBook.objects.orderBy("-pk").reverse())).toEqual(BY_PK)
        expect(yield* names(QsBook.objects.filter({ genre: "literary" }).reverse())).toEqual(["Emma", "Beloved"])
        const unordered = yield* QsNote.objects.reverse().toSql()
        expect(unordered.sql).not.toContain("ORDER BY")
      })))

    // ---- distinct ----

    it.effect("distinct removes duplicate rows; distinct on fields keeps the first row of each group", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* QsBook.objects.valuesList("genre", { flat: true }).orderBy("genre").distinct()).toEqual([
          "fantasy",
          "literary",
          "scifi"
        ])
        expect(yield* QsBook.objects.values("genre", "rating").orderBy("genre", "rating").distinct()).toEqual([
          { genre: "fantasy", rating: null },
          { genre: "literary", rating: 3.5 },
          { genre: "literary", rating: 4 },
          { genre: "scifi", rating: 4 },
          { genre: "scifi", rating: 4.5 }
        ])
        // Whole rows differ by their primary key: nothing is removed.
        expect(yield* names(QsBook.objects.distinct())).toEqual(BY_NAME)
        const { sql } = yield* QsBook.objects.distinct().toSql()
        expect(sql).toMatch(/^SELECT DISTINCT /)
        // DISTINCT ON: the longest book of each genre.
        expect(yield* names(QsBook.objects.orderBy("genre", "-pages").distinct("genre"))).toEqual(["Circe", "Emma", "Anathem"])
        const on = yield* QsBook.objects.orderBy("genre", "-pages").distinct("genre").toSql()
        expect(on.sql).toMatch(/^SELECT DISTINCT ON \("t0"\."genre"\) /)
        expect(yield* QsBook.objects.orderBy("genre", "rating").distinct("genre", "rating").valuesList("name", { flat: true }))
          .toHaveLength(5)
      })))

    it.effect("distinct values of a model with a default ordering run (Django adds the ordering columns)", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        const result = yield* Effect.either(QsBook.objects.valuesList("genre", { flat: true }).distinct())
        expect(Either.isRight(result) ? "ran" : `failed: ${result.left.message}`).toBe("ran")
        if (Either.isRight(result)) expect(new Set(result.right)).toEqual(new Set(["fantasy", "literary", "scifi"]))
      })))

    // ---- slicing ----

    it.effect("slice, limit and offset, and slices of slices", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        const qs = QsBook.objects.orderBy("name")
        expect(yield* names(qs.slice(1, 3))).toEqual(["Beloved", "Circe"])
        expect(yield* names(qs.slice(4))).toEqual(["Emma", "Foundation"])
        expect(yield* names(qs.slice(0, 0))).toEqual([])
        expect(yield* names(qs.slice(5, 100))).toEqual(["Foundation"])
        expect(yield* names(qs.slice(6))).toEqual([])
        expect(yield* names(qs.limit(2))).toEqual(["Anathem", "Beloved"])
        expect(yield* names(qs.offset(4))).toEqual(["Emma", "Foundation"])
        expect(yield* names(qs.offset(1).limit(2))).toEqual(["Beloved", "Circe"])
        expect(yield* names(qs.limit(4).offset(1))).toEqual(["Beloved", "Circe", "Dune"])
        expect(yield* names(qs.slice(1, 5).slice(1, 3))).toEqual(["Circe", "Dune"])
        expect(yield* names(qs.slice(1, 5).slice(2))).toEqual(["Dune", "Emma"])
        expect(yield* names(qs.slice(2).slice(1, 2))).toEqual(["Dune"])
        expect(yield* names(qs.slice(1, 3).slice(1, 10))).toEqual(["Circe"])
        expect(yield* names(qs.slice(1, 3).slice(5))).toEqual([])
        expect(yield* names(qs.slice(1, 5).slice(1, 3).slice(1))).toEqual(["Dune"])
        expect(yield* names(QsBook.objects.orderBy("-pages").limit(3))).toEqual(["Anathem", "Emma", "Dune"])
      })))

    it.effect("a negative or inverted slice is a QueryError, before any SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        const bad = [
          QsBook.objects.slice(-1),
          QsBook.objects.slice(0, -1),
          QsBook.objects.slice(3, 1),
          QsBook.objects.slice(1.5),
          QsBook.objects.limit(-2),
          QsBook.objects.offset(-1),
          QsBook.objects.slice(1, 3).slice(-1)
        ]
        for (const qs of bad) {
          const { queries, result } = yield* Testing.captureQueries(Effect.all([
            flipTag(qs),
            flipTag(qs.count()),
            flipTag(qs.exists()),
            flipTag(qs.first()),
            flipTag(qs.toSql()),
            flipTag(Stream.runCollect(qs.stream()))
          ]))
          expect(result).toEqual(["QueryError", "QueryError", "QueryError", "QueryError", "QueryError", "QueryError"])
          expect(queries).toEqual([])
        }
        const error = yield* Effect.flip(QsBook.objects.slice(-1))
        expect(error._tag === "QueryError" && error.model).toBe("QsBook")
      })))

    it.effect("filtering, reordering or reversing a slice is a QueryError, as Django refuses it", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        const sliced = QsBook.objects.orderBy("name").slice(0, 2) // Anathem, Beloved
        const cases = {
          filter: sliced.filter({ genre: "fantasy" }),
          exclude: sliced.exclude({ name: "Anathem" }),
          orderBy: sliced.orderBy("-pages"),
          reverse: sliced.reverse(),
          distinct: sliced.distinct()
        }
        const verdicts: Record<string, unknown> = {}
        for (const [key, qs] of Object.entries(cases)) verdicts[key] = yield* outcome(qs)
        expect(verdicts).toEqual({
          filter: "QueryError",
          exclude: "QueryError",
          orderBy: "QueryError",
          reverse: "QueryError",
          distinct: "QueryError"
        })
        expect((yield* Effect.flip(sliced.inBulk()))._tag).toBe("QueryError")
        expect((yield* Effect.flip(sliced.get({ genre: "scifi" })))._tag).toBe("QueryError")
        // Projections and terminal reads of the slice itself stay allowed.
        expect(yield* sliced.valuesList("name", { flat: true })).toEqual(["Anathem", "Beloved"])
      })))

    // ---- none ----

    it.effect("none() matches nothing and runs no query", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        const { queries, result } = yield* Testing.captureQueries(Effect.all({
          rows: QsBook.objects.none(),
          filtered: QsBook.objects.filter({ genre: "scifi" }).none(),
          chained: QsBook.objects.none().filter({ genre: "scifi" }).orderBy("-pages").slice(0, 3),
          values: QsBook.objects.none().values("name"),
          list: QsBook.objects.none().valuesList("name", { flat: true }),
          count: QsBook.objects.none().count(),
          exists: QsBook.objects.none().exists(),
          first: QsBook.objects.none().first(),
          last: QsBook.objects.none().last(),
          bulk: QsBook.objects.none().inBulk(),
          updated: QsBook.objects.none().update({ pages: 1 }),
          deleted: QsBook.objects.none().delete(),
          streamed: Stream.runCollect(QsBook.objects.none().stream())
        }))
        expect(queries).toEqual([])
        expect(result.rows).toEqual([])
        expect(result.filtered).toEqual([])
        expect(result.chained).toEqual([])
        expect(result.values).toEqual([])
        expect(result.list).toEqual([])
        expect(result.count).toBe(0)
        expect(result.exists).toBe(false)
        expect(Option.isNone(result.first)).toBe(true)
        expect(Option.isNone(result.last)).toBe(true)
        expect(result.bulk.size).toBe(0)
        expect(result.updated).toBe(0)
        expect(result.deleted).toEqual({ total: 0, perModel: {} })
        expect(Chunk.size(result.streamed)).toBe(0)
        expect(yield* QsBook.objects.count()).toBe(6)
        const dne = yield* Effect.flip(QsBook.objects.none().get())
        expect(dne._tag).toBe("DoesNotExist")
      })))

    // ---- get ----

    it.effect("get returns the one matching row", () =>
      Testing.isolated(Effect.gen(function*() {
        const created = yield* seedBooks
        const circe = yield* QsBook.objects.get({ name: "Circe" })
        expect(circe).toBeInstanceOf(QsBook)
        expect(circe.id).toBe(created[2]!.id)
        expect(circe.pages).toBe(393)
        expect((yield* QsBook.objects.get({ pk: created[0]!.id })).name).toBe("Dune")
        expect((yield* QsBook.objects.filter({ genre: "fantasy" }).get()).name).toBe("Circe")
        expect((yield* QsBook.objects.get({ genre: "scifi" }, { pages: { gt: 900 } })).name).toBe("Anathem")
        expect((yield* QsBook.objects.filter({ genre: "literary" }).get({ rating: { lt: 4 } })).name).toBe("Emma")
        const { queries } = yield* Testing.captureQueries(QsBook.objects.get({ name: "Dune" }))
        expect(queries).toHaveLength(1)
      })))

    it.effect("get fails with DoesNotExist or MultipleObjectsReturned naming the model and the lookup", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        const missing = yield* Effect.flip(QsBook.objects.get({ name: "Nope" }))
        expect(missing._tag).toBe("DoesNotExist")
        if (missing._tag === "DoesNotExist") {
          expect(missing.model).toBe("QsBook")
          expect(missing.lookup).toContain("Nope")
          expect(missing.message).toContain("QsBook")
        }
        const several = yield* Effect.flip(QsBook.objects.get({ genre: "scifi" }))
        expect(several._tag).toBe("MultipleObjectsReturned")
        if (several._tag === "MultipleObjectsReturned") {
          expect(several.model).toBe("QsBook")
          expect(several.lookup).toContain("scifi")
        }
        expect((yield* Effect.flip(QsBook.objects.get()))._tag).toBe("MultipleObjectsReturned")
        expect((yield* Effect.flip(QsBook.objects.filter({ pages: { gt: 10000 } }).get()))._tag).toBe("DoesNotExist")
        const recovered = yield* QsBook.objects.get({ name: "Nope" }).pipe(
          Effect.map((b) => b.name),
          Effect.catchTag("DoesNotExist", (e) => Effect.succeed(`no ${e.model}`))
        )
        expect(recovered).toBe("no QsBook")
        const many = yield* QsBook.objects.get({ genre: "literary" }).pipe(
          Effect.map((b) => b.name),
          Effect.catchTag("MultipleObjectsReturned", (e) => Effect.succeed(`several ${e.model}`))
        )
        expect(many).toBe("several QsBook")
      })))

    it.effect("get on a sliced queryset looks only inside the slice, in its ordering", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect((yield* QsBook.objects.slice(0, 1).get()).name).toBe("Anathem")
        expect((yield* QsBook.objects.orderBy("-pages").slice(0, 1).get()).name).toBe("Anathem")
        expect((yield* QsBook.objects.orderBy("pages").slice(1, 2).get()).name).toBe("Beloved")
        expect((yield* Effect.flip(QsBook.objects.orderBy("pages").slice(1, 3).get()))._tag).toBe("MultipleObjectsReturned")
      })))

    // ---- first and last ----

    it.effect("first and last follow the ordering, or the primary key when unordered", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        yield* seedNotes
        const name = (o: Option.Option<QsBook>) => Option.map(o, (b) => b.name)
        expect(name(yield* QsBook.objects.first())).toEqual(Option.some("Anathem"))
        expect(name(yield* QsBook.objects.last())).toEqual(Option.some("Foundation"))
        expect(name(yield* QsBook.objects.orderBy("pages").first())).toEqual(Option.some("Foundation"))
        expect(name(yield* QsBook.objects.orderBy("pages").last())).toEqual(Option.some("Anathem"))
        expect(name(yield* QsBook.objects.orderBy("-pages").first())).toEqual(Option.some("Anathem"))
        expect(name(yield* QsBook.objects.reverse().first())).toEqual(Option.some("Foundation"))
        expect(name(yield* QsBook.objects.reverse().last())).toEqual(Option.some("Anathem"))
        expect(name(yield* QsBook.objects.filter({ genre: "literary" }).first())).toEqual(Option.some("Beloved"))
        expect(name(yield* QsBook.objects.filter({ genre: "literary" }).last())).toEqual(Option.some("Emma"))
        // Unordered: by primary key.
        expect(name(yield* QsBook.objects.orderBy().first())).toEqual(Option.some("Dune"))
        expect(name(yield* QsBook.objects.orderBy().last())).toEqual(Option.some("Foundation"))
        const title = (o: Option.Option<QsNote>) => Option.map(o, (n) => n.title)
        expect(title(yield* QsNote.objects.first())).toEqual(Option.some("zeta"))
        expect(title(yield* QsNote.objects.last())).toEqual(Option.some("mid"))
        expect(title(yield* QsNote.objects.orderBy("title").first())).toEqual(Option.some("alpha"))
        expect(title(yield* QsNote.objects.orderBy("title").last())).toEqual(Option.some("zeta"))
        expect(title(yield* QsNote.objects.orderBy("-rank").first())).toEqual(Option.some("zeta"))
        // first/last of a slice stay within it.
        expect(name(yield* QsBook.objects.slice(2, 4).first())).toEqual(Option.some("Circe"))
        const first = yield* Testing.captureQueries(QsBook.objects.first())
        expect(first.queries).toHaveLength(1)
        expect(first.queries[0]!.sql).toMatch(/LIMIT \$1$/)
      })))

    it.effect("first and last are Option.none on an empty table or when nothing matches", () =>
      Testing.isolated(Effect.gen(function*() {
        expect(yield* QsNote.objects.count()).toBe(0)
        expect(Option.isNone(yield* QsNote.objects.first())).toBe(true)
        expect(Option.isNone(yield* QsNote.objects.last())).toBe(true)
        expect(Option.isNone(yield* QsBook.objects.orderBy("-pages").last())).toBe(true)
        yield* seedNotes
        expect(Option.isNone(yield* QsNote.objects.filter({ rank: 99 }).first())).toBe(true)
        expect(Option.isNone(yield* QsNote.objects.filter({ rank: 99 }).last())).toBe(true)
      })))

    it.effect("last of a sliced queryset is a QueryError, as Django cannot reverse a slice", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        const last = yield* Effect.flip(QsBook.objects.orderBy("name").slice(1, 3).last())
        expect(last._tag).toBe("QueryError")
      })))

    // ---- count and exists ----

    it.effect("count, with filters, distinct and slices", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* QsBook.objects.count()).toBe(6)
        expect(yield* QsBook.objects.filter({ genre: "scifi" }).count()).toBe(3)
        expect(yield* QsBook.objects.exclude({ rating: { gte: 4 } }).count()).toBe(2)
        expect(yield* QsBook.objects.filter({ pages: { gt: 10000 } }).count()).toBe(0)
        expect(yield* QsBook.objects.distinct().count()).toBe(6)
        expect(yield* QsBook.objects.valuesList("genre", { flat: true }).orderBy().distinct().count()).toBe(3)
        expect(yield* QsBook.objects.values("genre", "rating").orderBy().distinct().count()).toBe(5)
        expect(yield* QsBook.objects.orderBy("genre").distinct("genre").count()).toBe(3)
        expect(yield* QsBook.objects.slice(1, 4).count()).toBe(3)
        expect(yield* QsBook.objects.slice(4).count()).toBe(2)
        expect(yield* QsBook.objects.slice(5, 9).count()).toBe(1)
        expect(yield* QsBook.objects.slice(9).count()).toBe(0)
        expect(yield* QsBook.objects.limit(0).count()).toBe(0)
        expect(yield* QsBook.objects.filter({ genre: "scifi" }).slice(1).count()).toBe(2)
        expect(yield* QsBook.objects.slice(1, 5).slice(1, 10).count()).toBe(3)
        const { queries, result } = yield* Testing.captureQueries(QsBook.objects.filter({ genre: "literary" }).count())
        expect(result).toBe(2)
        expect(queries).toHaveLength(1)
        expect(queries[0]!.sql).toMatch(/^SELECT COUNT\(\*\)/)
      })))

    it.effect("exists", () =>
      Testing.isolated(Effect.gen(function*() {
        expect(yield* QsBook.objects.exists()).toBe(false)
        yield* seedBooks
        expect(yield* QsBook.objects.exists()).toBe(true)
        expect(yield* QsBook.objects.filter({ name: "Emma" }).exists()).toBe(true)
        expect(yield* QsBook.objects.filter({ name: "Ulysses" }).exists()).toBe(false)
        expect(yield* QsBook.objects.exclude({ pages: { gt: 0 } }).exists()).toBe(false)
        expect(yield* QsBook.objects.slice(5).exists()).toBe(true)
        expect(yield* QsBook.objects.slice(6).exists()).toBe(false)
        expect(yield* QsBook.objects.filter({ genre: "fantasy" }).slice(1).exists()).toBe(false)
        const { queries } = yield* Testing.captureQueries(QsBook.objects.exists())
        expect(queries).toHaveLength(1)
      })))

    it.effect("exists on an empty slice is false", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* QsBook.objects.slice(0, 0).count()).toBe(0)
        expect(yield* QsBook.objects.slice(0, 0).exists()).toBe(false)
        expect(yield* QsBook.objects.slice(2, 2).exists()).toBe(false)
        expect(yield* QsBook.objects.limit(0).exists()).toBe(false)
      })))

    // ---- create ----

    it.effect("create inserts a row and returns the instance with its generated primary key", () =>
      Testing.isolated(Effect.gen(function*() {
        const book = yield* QsBook.objects.create({ name: "Ubik", pages: 202, pubDate: "1969-05-01", genre: "scifi" })
        expect(book).toBeInstanceOf(QsBook)
        expect(typeof book.id).toBe("number")
        expect(book).toMatchObject({ name: "Ubik", pages: 202, rating: null, isbn: null, pubDate: "1969-05-01", genre: "scifi" })
        const other = yield* QsBook.objects.create({ ...BOOKS[0] })
        expect(other.id).toBeGreaterThan(book.id)
        expect(yield* QsBook.objects.count()).toBe(2)
        const fetched = yield* QsBook.objects.get({ pk: book.id })
        expect(fetched).toEqual(book)
        const { queries } = yield* Testing.captureQueries(QsNote.objects.create({ title: "t", rank: 1 }))
        expect(queries).toHaveLength(1)
        expect(queries[0]!.sql).toMatch(/^INSERT INTO "qs_note"/)
      })))

    // ---- update ----

    it.effect("update returns the number of rows, with values and with F expressions", () =>
      Testing.isolated(Effect.gen(function*() {
        const created = yield* seedBooks
        expect(yield* QsBook.objects.filter({ genre: "scifi" }).update({ rating: 5 })).toBe(3)
        expect(yield* QsBook.objects.filter({ rating: 5 }).valuesList("name", { flat: true })).toEqual([
          "Anathem",
          "Dune",
          "Foundation"
        ])
        expect(yield* QsBook.objects.filter({ pk: created[0]!.id }).update({ pages: F("pages").add(1) })).toBe(1)
        expect((yield* QsBook.objects.get({ name: "Dune" })).pages).toBe(413)
        expect(yield* QsBook.objects.update({ pages: F("pages").mul(2) })).toBe(6)
        expect(yield* QsBook.objects.orderBy("pages").valuesList("pages", { flat: true })).toEqual([
          510,
          648,
          786,
          826,
          948,
          1874
        ])
        expect(yield* QsBook.objects.filter({ genre: "literary" }).update({ pages: F("pages").sub(8), rating: null })).toBe(2)
        expect(yield* QsBook.objects.filter({ genre: "literary" }).valuesList("pages", "rating")).toEqual([[640, null], [940, null]])
        expect(yield* QsBook.objects.filter({ name: "Nope" }).update({ pages: 1 })).toBe(0)
        expect(yield* QsBook.objects.exclude({ rating: { gte: 5 } }).update({ isbn: null })).toBe(3)
        // Ordering does not stop an update.
        expect(yield* QsBook.objects.orderBy("-pages").filter({ genre: "fantasy" }).update({ pages: 1 })).toBe(1)
      })))

    it.effect("update and delete of a sliced queryset are QueryErrors; nothing runs and nothing changes", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        const snapshot = QsBook.objects.orderBy("id").valuesList("name", "pages", "rating")
        const before = yield* snapshot
        for (const qs of [QsBook.objects.slice(0, 2), QsBook.objects.limit(1), QsBook.objects.offset(1), QsBook.objects.slice(1, 3).filter({ genre: "scifi" })]) {
          const { queries, result } = yield* Testing.captureQueries(Effect.all([
            flipTag(qs.update({ pages: 1 })),
            flipTag(qs.update({ pages: F("pages").add(1) })),
            flipTag(qs.delete())
          ]))
          expect(result).toEqual(["QueryError", "QueryError", "QueryError"])
          expect(queries).toEqual([])
        }
        const error = yield* Effect.flip(QsBook.objects.slice(0, 2).delete())
        expect(error._tag === "QueryError" && error.model).toBe("QsBook")
        expect(yield* snapshot).toEqual(before)
      })))

    // ---- delete ----

    it.effect("delete returns the number of rows deleted, in total and per model", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* QsBook.objects.filter({ genre: "literary" }).delete()).toEqual({ total: 2, perModel: { QsBook: 2 } })
        expect(yield* names(QsBook.objects)).toEqual(["Anathem", "Circe", "Dune", "Foundation"])
        expect(yield* QsBook.objects.filter({ genre: "literary" }).delete()).toEqual({ total: 0, perModel: {} })
        expect((yield* QsBook.objects.exclude({ rating: { gte: 4.5 } }).delete()).total).toBe(2)
        expect(yield* names(QsBook.objects)).toEqual(["Dune", "Foundation"])
        expect((yield* QsBook.objects.orderBy("-pages").delete()).total).toBe(2)
        expect(yield* QsBook.objects.count()).toBe(0)
        expect((yield* QsBook.objects.delete()).total).toBe(0)
      })))

    // ---- inBulk ----

    it.effect("inBulk keys rows by primary key or a unique field", () =>
      Testing.isolated(Effect.gen(function*() {
        const created = yield* seedBooks
        const ids = created.map((b) => b.id)
        const all = yield* QsBook.objects.inBulk()
        expect(all.size).toBe(6)
        expect([...all.keys()].sort((a, b) => (a as number) - (b as number))).toEqual(ids)
        for (const book of created) expect(all.get(book.id)).toEqual(book)
        const some = yield* QsBook.objects.inBulk([ids[0]!, ids[2]!, 999_999])
        expect(some.size).toBe(2)
        expect(some.get(ids[0]!)?.name).toBe("Dune")
        expect(some.get(ids[2]!)?.name).toBe("Circe")
        expect(some.has(999_999)).toBe(false)
        const scifi = yield* QsBook.objects.filter({ genre: "scifi" }).inBulk([ids[0]!, ids[2]!])
        expect([...scifi.values()].map((b) => b.name)).toEqual(["Dune"])
        const byIsbn = yield* QsBook.objects.inBulk(["9780441013593", "9780141439587", "0000000000000"], { fieldName: "isbn" })
        expect(byIsbn.size).toBe(2)
        expect(byIsbn.get("9780441013593")?.name).toBe("Dune")
        expect(byIsbn.get("9780141439587")?.name).toBe("Emma")
        const byPk = yield* QsBook.objects.inBulk([ids[1]!], { fieldName: "id" })
        expect(byPk.get(ids[1]!)?.name).toBe("Anathem")
      })))

    it.effect("inBulk with an empty key list is an empty Map and runs no query; a non-unique field is a FieldError", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        const empty = yield* Testing.captureQueries(QsBook.objects.inBulk([]))
        expect(empty.result.size).toBe(0)
        expect(empty.queries).toEqual([])
        const emptyIsbn = yield* Testing.captureQueries(QsBook.objects.inBulk([], { fieldName: "isbn" }))
        expect(emptyIsbn.result.size).toBe(0)
        expect(emptyIsbn.queries).toEqual([])
        const { queries, result } = yield* Testing.captureQueries(Effect.flip(QsBook.objects.inBulk(["scifi"], { fieldName: "genre" })))
        expect(queries).toEqual([])
        expect(result._tag).toBe("FieldError")
        if (result._tag === "FieldError") {
          expect(result.field).toBe("genre")
          expect(result.model).toBe("QsBook")
        }
        const unknown = yield* Effect.flip(QsBook.objects.inBulk(undefined, { fieldName: "nope" as any }))
        expect(unknown._tag).toBe("FieldError")
      })))

    // ---- values and valuesList ----

    it.effect("values() gives plain objects of every field, or of the chosen ones", () =>
      Testing.isolated(Effect.gen(function*() {
        const created = yield* seedBooks
        const rows = yield* QsBook.objects.values()
        expect(rows).toHaveLength(6)
        expect(rows[0]).toEqual({
          id: created[1]!.id,
          name: "Anathem",
          pages: 937,
          rating: 4,
          pubDate: "2008-09-09",
          isbn: null,
          genre: "scifi"
        })
        expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype)
        expect(rows.map((r) => r.name)).toEqual(BY_NAME)
        const chosen = yield* QsBook.objects.filter({ genre: "literary" }).values("name", "pubDate")
        expect(chosen).toEqual([{ name: "Beloved", pubDate: "1987-09-02" }, { name: "Emma", pubDate: "1815-12-23" }])
        expect(Object.keys(chosen[0]!)).toEqual(["name", "pubDate"])
        const { queries } = yield* Testing.captureQueries(QsBook.objects.values("name"))
        expect(queries[0]!.sql).toMatch(/^SELECT "t0"\."name" FROM/)
        expect(yield* QsBook.objects.orderBy("-pages").values("pages").slice(0, 2)).toEqual([{ pages: 937 }, { pages: 474 }])
      })))

    it.effect("valuesList gives tuples, or the values themselves with { flat: true }", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* QsBook.objects.valuesList("name", "pages")).toEqual([
          ["Anathem", 937],
          ["Beloved", 324],
          ["Circe", 393],
          ["Dune", 412],
          ["Emma", 474],
          ["Foundation", 255]
        ])
        expect(yield* QsBook.objects.filter({ genre: "fantasy" }).valuesList("rating", "pubDate", "isbn")).toEqual([
          [null, "2018-04-10", "9780316556347"]
        ])
        expect(yield* QsBook.objects.valuesList("name")).toEqual(BY_NAME.map((n) => [n]))
        expect(yield* QsBook.objects.valuesList("name", { flat: true })).toEqual(BY_NAME)
        expect(yield* QsBook.objects.orderBy("pk").valuesList("rating", { flat: true })).toEqual([4.5, 4, null, 4, 3.5, 4.5])
        const bad = yield* Testing.captureQueries(flipTag(
          (QsBook.objects as any).valuesList("name", "pages", { flat: true }) as Effect.Effect<unknown, { _tag: string }, Db.Db>
        ))
        expect(bad.result).toBe("QueryError")
        expect(bad.queries).toEqual([])
        const unknown = yield* flipTag(QsBook.objects.valuesList("nope" as any))
        expect(unknown).toBe("FieldError")
      })))

    // ---- SQL, plans, streams ----

    it.effect("toSql shows the statement and its parameters without running it", () =>
      Testing.isolated(Effect.gen(function*() {
        const { queries, result } = yield* Testing.captureQueries(
          QsBook.objects.filter({ pages: { gt: 300 } }).exclude({ genre: "fantasy" }).orderBy("-pages", "name").slice(1, 3).toSql()
        )
        expect(queries).toEqual([])
        expect(result.sql).toMatch(
          /^SELECT "t0"\."id", "t0"\."name", "t0"\."pages", "t0"\."rating", "t0"\."pub_date" AS "pubDate", "t0"\."isbn", "t0"\."genre" FROM "qs_book" AS "t0" WHERE .*"t0"\."pages" > \$1.*"t0"\."genre" = \$2.* ORDER BY "t0"\."pages" DESC, "t0"\."name" ASC LIMIT \$3 OFFSET \$4$/
        )
        expect(result.params).toEqual([300, "fantasy", 2, 1])
        const values = yield* QsBook.objects.orderBy().valuesList("name", { flat: true }).toSql()
        expect(values).toEqual({ sql: "SELECT \"t0\".\"name\" FROM \"qs_book\" AS \"t0\"", params: [] })
      })))

    it.effect("explain returns PostgreSQL's plan as text", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        const plan = yield* QsBook.objects.filter({ pages: { gt: 300 } }).explain()
        expect(typeof plan).toBe("string")
        expect(plan).toMatch(/Scan/)
        expect(plan).toContain("qs_book")
        const analyzed = yield* QsBook.objects.filter({ pages: { gt: 300 } }).explain({ analyze: true })
        expect(analyzed).toMatch(/actual time=/)
        expect(yield* QsBook.objects.count()).toBe(6)
      })))

    const streamChecks = Effect.gen(function*() {
      const rows = Chunk.toReadonlyArray(yield* Stream.runCollect(QsBook.objects.stream()))
      expect(rows.map((b) => b.name)).toEqual(BY_NAME)
      expect(rows.every((b) => b instanceof QsBook)).toBe(true)
      const pages = yield* Stream.runCollect(QsBook.objects.orderBy("-pages").valuesList("pages", { flat: true }).stream())
      expect(Chunk.toReadonlyArray(pages)).toEqual([937, 474, 412, 393, 324, 255])
      const scifi = yield* Stream.runCollect(QsBook.objects.filter({ genre: "scifi" }).values("name").stream())
      expect(Chunk.toReadonlyArray(scifi)).toEqual([{ name: "Anathem" }, { name: "Dune" }, { name: "Foundation" }])
      const sliced = yield* Stream.runCollect(QsBook.objects.slice(1, 3).stream())
      expect(Chunk.toReadonlyArray(sliced).map((b) => b.name)).toEqual(["Beloved", "Circe"])
      const taken = yield* Stream.runCollect(QsBook.objects.stream().pipe(Stream.take(2)))
      expect(Chunk.toReadonlyArray(taken).map((b) => b.name)).toEqual(["Anathem", "Beloved"])
      const { queries } = yield* Testing.captureQueries(Stream.runDrain(QsBook.objects.stream()))
      expect(queries).toHaveLength(1)
      const bad = yield* Testing.captureQueries(flipTag(Stream.runCollect(QsBook.objects.filter({ nope: 1 } as any).stream())))
      expect(bad.result).toBe("FieldError")
      expect(bad.queries).toEqual([])
      // The connection is still usable after a partly consumed stream.
      expect(yield* QsBook.objects.count()).toBe(6)
    })

    it.effect("stream yields every row, in order (committed rows, outside a transaction)", () =>
      Effect.gen(function*() {
        yield* seedBooks
        yield* streamChecks
      }).pipe(Effect.ensuring(Effect.orDie(QsBook.objects.delete()))))

    it.effect("stream inside a transaction runs on the transaction's connection and sees its rows", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        yield* streamChecks
      })))
  })
}
