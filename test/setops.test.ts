/**
 * Set operations on every driver: `union` (with and without `all`), `intersection`, `difference`, chains of them,
 * ordering and slicing of the result, sliced operands, values operands (of two models), the terminal Effects on a
 * combination, parameters across operands, relations, the refusals, and the types.
 */
import { describe, expect, expectTypeOf, it as vitestIt, layer } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import type { Db } from "../src/index.js"
import { Field, Model, Prefetch } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

class SoPublisher extends Model.Class<SoPublisher>("SoPublisher")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  books: Field.Reverse((): Model.Ref<SoBook> => SoBook, "publisher")
}, { table: "so_publisher", ordering: ["name"] }) {}

class SoBook extends Model.Class<SoBook>("SoBook")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  pages: Field.Integer(),
  genre: Field.Char({ maxLength: 20 }),
  publisher: Field.ForeignKey(() => SoPublisher, { onDelete: "CASCADE", relatedName: "books" })
}, { table: "so_book", ordering: ["name"] }) {}

class SoAuthor extends Model.Class<SoAuthor>("SoAuthor")({
  id: Field.AutoField(),
  name: Field.Text(),
  born: Field.Integer()
}, { table: "so_author" }) {}

/**
 * Publishers Acme and Bolt; authors Emma (1775) and Zed (1990); books, by primary key:
 *
 * | pk | book       | pages | genre    | publisher |
 * | 1  | Dune       | 412   | scifi    | Acme      |
 * | 2  | Anathem    | 937   | scifi    | Bolt      |
 * | 3  | Circe      | 393   | fantasy  | Acme      |
 * | 4  | Beloved    | 324   | literary | Bolt      |
 * | 5  | Emma       | 474   | literary | Acme      |
 * | 6  | Foundation | 255   | scifi    | Acme      |
 */
const seed = Effect.gen(function*() {
  const acme = yield* SoPublisher.objects.create({ name: "Acme" })
  const bolt = yield* SoPublisher.objects.create({ name: "Bolt" })
  const rows = [
    ["Dune", 412, "scifi", acme],
    ["Anathem", 937, "scifi", bolt],
    ["Circe", 393, "fantasy", acme],
    ["Beloved", 324, "literary", bolt],
    ["Emma", 474, "literary", acme],
    ["Foundation", 255, "scifi", acme]
  ] as const
  yield* SoBook.objects.bulkCreate(rows.map(([name, pages, genre, publisher]) => ({ name, pages, genre, publisher })))
  yield* SoAuthor.objects.bulkCreate([{ name: "Emma", born: 1775 }, { name: "Zed", born: 1990 }])
})

const scifi = SoBook.objects.filter({ genre: "scifi" })
const literary = SoBook.objects.filter({ genre: "literary" })
const long = SoBook.objects.filter({ pages: { gt: 400 } })

const names = <E, R>(qs: Effect.Effect<ReadonlyArray<SoBook>, E, R>) => Effect.map(qs, (rows) => rows.map((b) => b.name))

/** The failure of `effect`, with the statements it ran. */
const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Testing.captureQueries(Effect.flip(effect)), ({ queries, result }) => ({ error: result, queries: queries.length }))

for (const driver of Testing.drivers([SoPublisher, SoBook, SoAuthor])) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("union removes duplicate rows; with all it keeps them; the rows are instances", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const union = scifi.union(long)
        const rows = yield* union.orderBy("name")
        expect(rows.map((b) => b.name)).toEqual(["Anathem", "Dune", "Emma", "Foundation"])
        expect(rows.every((b) => b instanceof SoBook)).toBe(true)
        expect(yield* names(scifi.union(long, { all: true }).orderBy("name"))).toEqual(
          ["Anathem", "Anathem", "Dune", "Dune", "Emma", "Foundation"]
        )
        expect(yield* union.count()).toBe(4)
        expect(yield* scifi.union(long, { all: true }).count()).toBe(6)
        // The model's default ordering does not apply to the combination (as in Django): unordered, one statement.
        const { queries, result } = yield* Testing.captureQueries(union)
        expect(queries).toHaveLength(1)
        expect([...result.map((b) => b.name)].sort()).toEqual(["Anathem", "Dune", "Emma", "Foundation"])
      })))

    it.effect("intersection and difference (EXCEPT)", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        expect(yield* names(scifi.intersection(long).orderBy("name"))).toEqual(["Anathem", "Dune"])
        expect(yield* names(scifi.difference(long).orderBy("name"))).toEqual(["Foundation"])
        expect(yield* names(long.difference(scifi).orderBy("name"))).toEqual(["Emma"])
        expect(yield* scifi.intersection(literary).exists()).toBe(false)
        expect(yield* scifi.intersection(long).exists()).toBe(true)
      })))

    it.effect("three-way chains: several operands, and combinations of combinations", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const fantasy = SoBook.objects.filter({ genre: "fantasy" })
        expect(yield* scifi.union(literary, fantasy).count()).toBe(6)
        // No other operand: the combination of the QuerySet alone, as in Django.
        expect(yield* names(scifi.union().orderBy("-pages").slice(0, 2))).toEqual(["Anathem", "Dune"])
        expect(yield* names(SoBook.objects.all().difference(scifi, literary))).toEqual(["Circe"])
        expect(yield* names(SoBook.objects.all().intersection(scifi, long).orderBy("-name"))).toEqual(["Dune", "Anathem"])
        // (scifi ∪ literary) ∩ long, grouped as written.
        const nested = scifi.union(literary).intersection(long).orderBy("name")
        expect(yield* names(nested)).toEqual(["Anathem", "Dune", "Emma"])
        const { sql } = yield* nested.toSql()
        expect(sql).toMatch(/^\(\(SELECT .* UNION \(SELECT .*\)\) INTERSECT \(SELECT .*\) ORDER BY "name" ASC$/)
        // scifi ∪ (literary ∩ long)
        expect(yield* names(scifi.union(literary.intersection(long)).orderBy("name"))).toEqual(
          ["Anathem", "Dune", "Emma", "Foundation"]
        )
        // UNION ALL inside a UNION: the outer union removes the duplicates.
        expect(yield* scifi.union(long, { all: true }).union(literary).count()).toBe(5)
      })))

    it.effect("the result is ordered by its columns and sliced; first and last", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const union = scifi.union(literary)
        expect(yield* names(union.orderBy("-pages"))).toEqual(["Anathem", "Emma", "Dune", "Beloved", "Foundation"])
        expect(yield* names(union.orderBy("-pages").slice(1, 3))).toEqual(["Emma", "Dune"])
        expect(yield* names(union.orderBy("pages").reverse().slice(0, 2))).toEqual(["Anathem", "Emma"])
        expect(yield* names(union.orderBy("genre", "-name"))).toEqual(["Emma", "Beloved", "Foundation", "Dune", "Anathem"])
        expect(yield* names(union.orderBy("pk").slice(3))).toEqual(["Emma", "Foundation"])
        expect(yield* union.orderBy("-pages").slice(1, 3).count()).toBe(2)
        expect(yield* union.slice(5).exists()).toBe(false)
        expect(Option.map(yield* union.orderBy("-pages").first(), (b) => b.name)).toEqual(Option.some("Anathem"))
        // Unordered: first and last by the primary key.
        expect(Option.map(yield* union.first(), (b) => b.name)).toEqual(Option.some("Dune"))
        expect(Option.map(yield* union.last(), (b) => b.name)).toEqual(Option.some("Foundation"))
        expect(Option.map(yield* union.orderBy("pages").last(), (b) => b.name)).toEqual(Option.some("Anathem"))
        expect((yield* Effect.flip(union.get()))._tag).toBe("MultipleObjectsReturned")
        expect((yield* literary.intersection(long).get()).name).toBe("Emma")
        expect(yield* union.orderBy("name").explain()).toMatch(/Append|Unique|HashSetOp|Sort/)
        const streamed = yield* Stream.runCollect(union.orderBy("name").stream())
        expect(streamed.map((b) => b.name)).toEqual(["Anathem", "Beloved", "Dune", "Emma", "Foundation"])
      })))

    it.effect("operands keep their own ordering and slice only when sliced", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const twoLongest = SoBook.objects.orderBy("-pages").slice(0, 2)
        const shortest = SoBook.objects.orderBy("pages").slice(0, 1)
        expect(yield* names(twoLongest.union(shortest).orderBy("name"))).toEqual(["Anathem", "Emma", "Foundation"])
        expect(yield* names(scifi.difference(twoLongest).orderBy("name"))).toEqual(["Dune", "Foundation"])
        // A slice with an offset, and a slice of a combination used as an operand.
        expect(yield* names(SoBook.objects.orderBy("pages").slice(1, 3).union(shortest).orderBy("pages"))).toEqual(
          ["Foundation", "Beloved", "Circe"]
        )
        const top = scifi.union(literary).orderBy("-pages").slice(0, 2)
        expect(yield* names(top.union(shortest).orderBy("name"))).toEqual(["Anathem", "Emma", "Foundation"])
        // A sliced distinct operand ordered by a column it does not select.
        const distinctNames = SoBook.objects.values("genre").distinct().orderBy("-pages").slice(0, 1)
        expect(yield* distinctNames.union(SoBook.objects.filter({ genre: "fantasy" }).values("genre")).orderBy("genre")).toEqual(
          [{ genre: "fantasy" }, { genre: "scifi" }]
        )
        // A DISTINCT ON operand keeps the ordering that chooses the row of each group: the longest book of each genre.
        const longestOfEach = SoBook.objects.values("genre", "name").distinct("genre").orderBy("genre", "-pages")
        expect(yield* longestOfEach.union(SoBook.objects.filter({ name: "Dune" }).values("genre", "name")).orderBy("name")).toEqual([
          { genre: "scifi", name: "Anathem" },
          { genre: "fantasy", name: "Circe" },
          { genre: "scifi", name: "Dune" },
          { genre: "literary", name: "Emma" }
        ])
        // An unsliced operand is compiled without ORDER BY, its default ordering included.
        const { sql } = yield* scifi.orderBy("-pages").union(twoLongest).toSql()
        expect(sql.split("ORDER BY")).toHaveLength(2)
        expect(sql).toMatch(/^\(SELECT [^()]* WHERE "t0"."genre" = \$1\) UNION \(SELECT .* ORDER BY "t0"."pages" DESC LIMIT \$2\)$/)
      })))

    it.effect("values and valuesList operands, of one model or of two", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const bookNames = literary.values("name")
        const authorNames = SoAuthor.objects.values("name")
        const rows = yield* bookNames.union(authorNames).orderBy("name")
        expect(rows).toEqual([{ name: "Beloved" }, { name: "Emma" }, { name: "Zed" }])
        expectTypeOf(rows).toEqualTypeOf<ReadonlyArray<{ readonly name: string }>>()
        expect(yield* bookNames.union(authorNames, { all: true }).orderBy("-name")).toEqual(
          [{ name: "Zed" }, { name: "Emma" }, { name: "Emma" }, { name: "Beloved" }]
        )
        expect(yield* bookNames.intersection(authorNames)).toEqual([{ name: "Emma" }])
        const flat = yield* SoBook.objects.valuesList("name", { flat: true }).difference(
          SoAuthor.objects.valuesList("name", { flat: true })
        ).orderBy("name")
        expect(flat).toEqual(["Anathem", "Beloved", "Circe", "Dune", "Foundation"])
        // Tuples pair their values by position: the names of the fields may differ.
        const pairs = yield* literary.valuesList("name", "pages").union(SoAuthor.objects.valuesList("name", "born")).orderBy("-name")
        expect(pairs).toEqual([["Zed", 1990], ["Emma", 474], ["Emma", 1775], ["Beloved", 324]])
        expectTypeOf(pairs).toEqualTypeOf<ReadonlyArray<readonly [string, number]>>()
        // values() on the result of model querysets projects every operand.
        const projected = yield* scifi.union(literary).values("name", "pages").orderBy("pages").slice(0, 2)
        expect(projected).toEqual([{ name: "Foundation", pages: 255 }, { name: "Beloved", pages: 324 }])
        expect(yield* scifi.union(literary).valuesList("pages", { flat: true }).orderBy("-pages").first()).toEqual(Option.some(937))
        // ... of nested combinations too.
        expect(yield* scifi.union(literary).intersection(long).values("name").orderBy("name")).toEqual(
          [{ name: "Anathem" }, { name: "Dune" }, { name: "Emma" }]
        )
        const joinedNested = yield* scifi.union(literary).difference(long).selectRelated("publisher").orderBy("name")
        expect(joinedNested.map((b) => [b.name, b.publisher.name])).toEqual([["Beloved", "Bolt"], ["Foundation", "Acme"]])
        // values of a relation path in each operand, first() of an unordered result without a primary key.
        const paths = SoBook.objects.filter({ pages: { lt: 300 } }).values("publisher.name")
        expect(yield* paths.union(SoBook.objects.filter({ name: "Anathem" }).values("publisher.name")).orderBy("publisher.name"))
          .toEqual([{ "publisher.name": "Acme" }, { "publisher.name": "Bolt" }])
        expect(yield* SoBook.objects.values("genre").union(SoBook.objects.values("genre")).first()).toEqual(
          Option.some({ genre: "fantasy" })
        )
      })))

    it.effect("the parameters of every operand are bound in order", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const qs = long.orderBy("pages").slice(0, 2).union(literary, SoBook.objects.filter({ name: { startsWith: "F" } }))
          .orderBy("-name").slice(1, 3)
        const { params, sql } = yield* qs.toSql()
        expect(params).toEqual([400, 2, "literary", "F%", 2, 1])
        expect(sql).toContain("UNION (SELECT")
        expect(sql).toMatch(/ ORDER BY "name" DESC LIMIT \$5 OFFSET \$6$/)
        // long by pages: Dune, Emma; literary: Beloved, Emma; F: Foundation → by name descending, rows 1 and 2.
        expect(yield* names(qs)).toEqual(["Emma", "Dune"])
        // Operands with filters on different values of the same field.
        expect(yield* names(SoBook.objects.filter({ pages: { gt: 900 } }).union(SoBook.objects.filter({ pages: { lt: 300 } })).orderBy("pages")))
          .toEqual(["Foundation", "Anathem"])
      })))

    it.effect("none() operands: no statement when the result is known to be empty", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        expect(yield* names(SoBook.objects.none().union(scifi).orderBy("name"))).toEqual(["Anathem", "Dune", "Foundation"])
        const empty = yield* Testing.captureQueries(Effect.all([
          scifi.intersection(SoBook.objects.none()),
          SoBook.objects.none().difference(scifi),
          SoBook.objects.none().union(SoBook.objects.none()).count()
        ]))
        expect(empty.result).toEqual([[], [], 0])
        expect(empty.queries).toEqual([])
        expect(yield* names(scifi.difference(SoBook.objects.none()).orderBy("name"))).toEqual(["Anathem", "Dune", "Foundation"])
      })))

    it.effect("selectRelated and prefetchRelated on a union of model querysets", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const joined = yield* Testing.captureQueries(scifi.union(literary).selectRelated("publisher").orderBy("name").slice(0, 3))
        expect(joined.queries).toHaveLength(1)
        expect(joined.result.map((b) => [b.name, b.publisher.name])).toEqual([["Anathem", "Bolt"], ["Beloved", "Bolt"], ["Dune", "Acme"]])
        // Operands that select the same relations; the result is ordered by a related column it carries.
        const both = yield* scifi.selectRelated("publisher").union(literary.selectRelated("publisher")).orderBy("publisher.name", "name")
        expect(both.map((b) => `${b.publisher.name}/${b.name}`)).toEqual(
          ["Acme/Dune", "Acme/Emma", "Acme/Foundation", "Bolt/Anathem", "Bolt/Beloved"]
        )
        const prefetched = yield* Testing.captureQueries(
          SoPublisher.objects.filter({ name: "Acme" }).union(SoPublisher.objects.filter({ name: "Bolt" })).orderBy("name")
            .prefetchRelated("books")
        )
        expect(prefetched.queries).toHaveLength(2)
        expect(prefetched.result.map((p) => [p.name, p.books.map((b) => b.name)])).toEqual([
          ["Acme", ["Circe", "Dune", "Emma", "Foundation"]],
          ["Bolt", ["Anathem", "Beloved"]]
        ])
        const operand = yield* failure(SoPublisher.objects.prefetchRelated("books").union(SoPublisher.objects.prefetchRelated("books")))
        expect(operand.error._tag).toBe("QueryError")
        expect(operand.error.message).toContain("prefetchRelated on an operand of union() is not applied")
        expect(operand.queries).toBe(0)
        const asPrefetch = yield* failure(SoPublisher.objects.prefetchRelated(Prefetch("books", scifi.union(literary))))
        expect(asPrefetch.error.message).toContain("cannot prefetch books with the result of union()")
        expect(asPrefetch.queries).toBe(1)
        // Operands joining different relations have different rows.
        const mismatch = yield* failure(scifi.selectRelated("publisher").union(literary as any))
        expect(mismatch.error._tag).toBe("FieldError")
        expect(mismatch.queries).toBe(0)
      })))

    it.effect("refusals: filter and writes after a set operation, and other orderings than the result's columns", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const union = scifi.union(literary)
        type Failing = Effect.Effect<unknown, { readonly _tag: string; readonly message: string }, Db.Db>
        const refused: ReadonlyArray<Failing> = [
          union.filter({ pages: { gt: 1 } }),
          union.exclude({ pages: { gt: 1 } }),
          union.distinct(),
          union.update({ pages: 1 }),
          union.delete(),
          union.count().pipe(Effect.andThen(union.filter({ name: "Dune" }).count())),
          union.get({ name: "Dune" }),
          union.inBulk(),
          SoBook.objects.values("name").union(SoAuthor.objects.values("name")).values("name"),
          SoBook.objects.values("name").union(SoAuthor.objects.values("name")).selectRelated()
        ]
        for (const effect of refused) {
          const { error, queries } = yield* failure(effect)
          expect(error._tag).toBe("QueryError")
          expect(error.message).toMatch(/\(\) after union\(\) is not supported/)
          expect(queries).toBeLessThanOrEqual(1)
        }
        expect((yield* failure(union.filter({ pages: 1 }))).error.message).toContain("filter() after union() is not supported: filter its operands")
        expect((yield* failure(union.update({ pages: 1 }))).error.message).toContain("update() after union()")
        expect((yield* failure(scifi.intersection(literary).delete())).error.message).toContain("delete() after intersection()")
        expect(yield* SoBook.objects.count()).toBe(6)
        const byPages = yield* failure(SoBook.objects.values("name").union(SoAuthor.objects.values("name")).orderBy("pages" as any))
        expect(byPages.error._tag).toBe("FieldError")
        expect(byPages.error.message).toContain("ordered by its own columns (name)")
        expect(byPages.queries).toBe(0)
        const byRelation = yield* failure(union.orderBy("publisher.name"))
        expect(byRelation.error._tag).toBe("FieldError")
        expect(byRelation.queries).toBe(0)
      })))

    it.effect("shapes that differ at run time are a FieldError naming both, before any statement", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const ofModels = SoBook.objects.union(SoAuthor.objects as any)
        const cases: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string; readonly message: string }, Db.Db>> = [
          SoBook.objects.values("name").union(SoAuthor.objects.values("born") as any),
          SoBook.objects.values("name", "pages").union(SoAuthor.objects.values("name") as any),
          SoBook.objects.valuesList("pages", { flat: true }).union(SoAuthor.objects.valuesList("name", { flat: true }) as any),
          ofModels,
          SoBook.objects.values("name").union(SoAuthor.objects.valuesList("name") as any)
        ]
        for (const qs of cases) {
          const { error, queries } = yield* failure(qs)
          expect(error._tag).toBe("FieldError")
          expect(queries).toBe(0)
        }
        const { error } = yield* failure(cases[0]!)
        expect(error.message).toContain("the operands of union() must have the same rows: values(name: Char) of SoBook and values(born: Integer) of SoAuthor")
        const models = yield* failure(ofModels.count())
        expect(models.error.message).toContain("SoBook instances (id: AutoField, name: Char")
        expect(models.error.message).toContain("SoAuthor instances (id: AutoField, name: Text, born: Integer)")
        // Dynamic misuse: anything but a QuerySet.
        const notQs = yield* failure(SoBook.objects.union(...([42] as any)))
        expect(notQs.error._tag).toBe("QueryError")
        expect(notQs.error.message).toContain("union() takes QuerySets, got 42")
      })))
  })
}

describe("set operation types", () => {
  vitestIt("the operands must have the same rows", () => {
    expectTypeOf(SoBook.objects.union(SoBook.objects.filter({ pages: 1 }))).toMatchTypeOf<Effect.Effect<ReadonlyArray<SoBook>, any, any>>()
    expectTypeOf(SoBook.objects.values("name").union(SoAuthor.objects.values("name"), { all: true }))
      .toMatchTypeOf<Effect.Effect<ReadonlyArray<{ readonly name: string }>, any, any>>()
    expectTypeOf(SoBook.objects.valuesList("name", "pages").intersection(SoAuthor.objects.valuesList("name", "born")))
      .toMatchTypeOf<Effect.Effect<ReadonlyArray<readonly [string, number]>, any, any>>()
    expectTypeOf(SoBook.objects.selectRelated("publisher").union(SoBook.objects.selectRelated("publisher")).first())
      .toMatchTypeOf<Effect.Effect<Option.Option<SoBook & { readonly publisher: SoPublisher }>, any, any>>()
    // @ts-expect-error instances of two models
    SoBook.objects.union(SoAuthor.objects)
    // @ts-expect-error values of different fields
    SoBook.objects.values("name").union(SoAuthor.objects.values("born"))
    // @ts-expect-error a subset of the fields is not the same shape
    SoBook.objects.values("name", "pages").union(SoBook.objects.values("name"))
    // @ts-expect-error nor a superset
    SoBook.objects.values("name").intersection(SoBook.objects.values("name", "pages"))
    // @ts-expect-error tuples of other types
    SoBook.objects.valuesList("pages", { flat: true }).difference(SoAuthor.objects.valuesList("name", { flat: true }))
    // @ts-expect-error one operand of several differs, with options
    SoBook.objects.values("name").union(SoAuthor.objects.values("name"), SoBook.objects.values("pages"), { all: true })
    // @ts-expect-error a relation loaded in one operand only
    SoBook.objects.selectRelated("publisher").union(SoBook.objects)
    // @ts-expect-error intersection takes no options
    SoBook.objects.intersection(SoBook.objects, { all: true })
  })
})
