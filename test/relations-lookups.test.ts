/**
 * Filters, excludes, orderings and projections across relations, on every driver, with Django's semantics: forward
 * and reverse foreign keys, many-to-many (automatic, through a model, self-referential), one-to-one and a
 * self-referencing key, to any depth; no duplicate rows; one related row per filter call; exclude keeping rows
 * without related rows; writes and aggregates of querysets filtered across relations; bad input refused before any SQL.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import { Count, Db, Prefetch, Q, Sum } from "../src/index.js"
import * as Testing from "../src/testing/index.js"
import {
  Author,
  Book,
  Category,
  Country,
  Group,
  Membership,
  models,
  Person,
  Place,
  Publisher,
  Restaurant
} from "./fixtures/library.js"

// ---- seeds (inside each test's rolled-back transaction) ----

/**
 * | book | pages | publisher | editor | authors    |
 * |------|-------|-----------|--------|------------|
 * | Lore | 600   | Apress    | Ann    | Pat, Ann   |
 * | Slim | 100   | Apress    | -      | Ann        |
 * | Saga | 700   | Addison   | Zed    | Paula      |
 * | Tome | 800   | Addison   | Ann    | Paula, Pat |
 * | Epic | 900   | Addison   | -      | Zed        |
 * | Tiny | 50    | Bantam    | Pat    | -          |
 *
 * Publishers: Addison (France, 5 awards), Apress (France, 2), Bantam (no country, 0), Corvus (Spain, 7, no books).
 * Countries: France, Japan (no publishers), Spain.
 */
const seedLibrary = Effect.gen(function*() {
  const [france, spain, japan] = yield* Country.objects.bulkCreate([{ name: "France" }, { name: "Spain" }, { name: "Japan" }])
  const addison = yield* Publisher.objects.create({ name: "Addison", numAwards: 5, country: france! })
  const apress = yield* Publisher.objects.create({ name: "Apress", numAwards: 2, countryId: france!.id })
  const bantam = yield* Publisher.objects.create({ name: "Bantam", numAwards: 0, countryId: null })
  const corvus = yield* Publisher.objects.create({ name: "Corvus", numAwards: 7, countryId: spain!.id })
  const ann = yield* Author.objects.create({ name: "Ann", age: 30 })
  const pat = yield* Author.objects.create({ name: "Pat", age: 50 })
  const paula = yield* Author.objects.create({ name: "Paula", age: 60 })
  const zed = yield* Author.objects.create({ name: "Zed", age: 70 })
  const lore = yield* Book.objects.create({ name: "Lore", pages: 600, publisher: apress, editorId: ann.id })
  const slim = yield* Book.objects.create({ name: "Slim", pages: 100, publisherId: apress.id })
  const saga = yield* Book.objects.create({ name: "Saga", pages: 700, publisherId: addison.id, editor: zed })
  const tome = yield* Book.objects.create({ name: "Tome", pages: 800, publisherId: addison.id, editorId: ann.id })
  const epic = yield* Book.objects.create({ name: "Epic", pages: 900, publisher: addison })
  const tiny = yield* Book.objects.create({ name: "Tiny", pages: 50, publisherId: bantam.id, editorId: pat.id })
  yield* Book.objects.related(lore, "authors").add(pat, ann)
  yield* Book.objects.related(slim, "authors").add(ann.id)
  yield* Book.objects.related(saga, "authors").add(paula)
  yield* Book.objects.related(tome, "authors").add(paula, pat)
  yield* Book.objects.related(epic, "authors").add(zed)
  return {
    countries: { france: france!, spain: spain!, japan: japan! },
    publishers: { addison, apress, bantam, corvus },
    authors: { ann, pat, paula, zed },
    books: { lore, slim, saga, tome, epic, tiny }
  }
})

/** Fiction > (Fantasy, SciFi > Space Opera); Nonfiction. */
const seedCategories = Effect.gen(function*() {
  const fiction = yield* Category.objects.create({ name: "Fiction", parentId: null })
  const nonfiction = yield* Category.objects.create({ name: "Nonfiction", parentId: null })
  const scifi = yield* Category.objects.create({ name: "SciFi", parentId: fiction.id })
  const fantasy = yield* Category.objects.create({ name: "Fantasy", parent: fiction })
  const opera = yield* Category.objects.create({ name: "Space Opera", parentId: scifi.id })
  return { fiction, nonfiction, scifi, fantasy, opera }
})

/** Ann befriends Bob and Cy, Bob befriends Cy (one direction each); Dee has no friends. Chess: Ann (captain), Bob; Go: Bob; Poker: nobody. */
const seedPeople = Effect.gen(function*() {
  const [ann, bob, cy, dee] = yield* Person.objects.bulkCreate([{ name: "Ann" }, { name: "Bob" }, { name: "Cy" }, { name: "Dee" }])
  yield* Person.objects.related(ann!, "friends").add(bob!, cy!)
  yield* Person.objects.related(bob!, "friends").add(cy!.id)
  const [chess, go, poker] = yield* Group.objects.bulkCreate([{ name: "Chess" }, { name: "Go" }, { name: "Poker" }])
  yield* Membership.objects.bulkCreate([
    { personId: ann!.id, groupId: chess!.id, role: "captain", since: "2020-01-01" },
    { personId: bob!.id, groupId: chess!.id, since: null },
    { personId: bob!.id, groupId: go!.id, role: "captain", since: "2021-06-01" }
  ])
  return { ann: ann!, bob: bob!, cy: cy!, dee: dee!, chess: chess!, go: go!, poker: poker! }
})

/** The `name` of each row, in the queryset's order. */
const names = <E, R>(qs: Effect.Effect<ReadonlyArray<{ readonly name: string }>, E, R>) =>
  Effect.map(qs, (rows) => rows.map((row) => row.name))

/**
 * Runs `effect` expecting a FieldError whose field is `field`, and no SQL statement at all; each fragment must appear
 * in the error's reason.
 */
const expectFieldError = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  field: string | RegExp,
  ...reasonFragments: ReadonlyArray<string>
) =>
  Effect.gen(function*() {
    const { queries, result } = yield* Testing.captureQueries(Effect.either(effect))
    expect(queries).toEqual([])
    expect(Either.isLeft(result)).toBe(true)
    const error = (result as Either.Left<any, A>).left
    expect(error._tag).toBe("FieldError")
    if (typeof field === "string") expect(error.field).toBe(field)
    else expect(error.field).toMatch(field)
    for (const fragment of reasonFragments) expect(String(error.reason)).toContain(fragment)
  })

/** Every book's name, pages and publisher key, to show nothing changed. */
const snapshot = Effect.map(Book.objects.orderBy("id").valuesList("name", "pages", "publisherId"), (rows) => [...rows])

for (const driver of Testing.drivers([...models])) {
  layer(driver.layer)(driver.name, (it) => {
    // ---- forward foreign keys ----

    it.effect("forward foreign key: a filter of the related model, one and two levels deep", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        expect(yield* names(Book.objects.filter({ publisher: { name: { startsWith: "A" } } }))).toEqual([
          "Epic",
          "Lore",
          "Saga",
          "Slim",
          "Tome"
        ])
        expect(yield* names(Book.objects.filter({ publisher: { name: "Bantam" } }))).toEqual(["Tiny"])
        expect(yield* names(Book.objects.filter({ publisher: { name: "Corvus" } }))).toEqual([])
        expect(yield* names(Book.objects.filter({ publisher: { numAwards: { gte: 3 } } }))).toEqual(["Epic", "Saga", "Tome"])
        expect(yield* names(Book.objects.filter({ publisher: { country: { name: "France" } } }))).toEqual([
          "Epic",
          "Lore",
          "Saga",
          "Slim",
          "Tome"
        ])
        expect(yield* names(Book.objects.filter({ publisher: { country: { name: "Spain" } } }))).toEqual([])
        // Past a null key: the book of a publisher without a country.
        expect(yield* names(Book.objects.filter({ publisher: { country: null } }))).toEqual(["Tiny"])
        expect(yield* names(Book.objects.filter({ publisher: { country: { isNull: false } }, pages: { lt: 650 } }))).toEqual([
          "Lore",
          "Slim"
        ])
        // One statement, whatever the depth.
        const { queries } = yield* Testing.captureQueries(Book.objects.filter({ publisher: { country: { name: "France" } } }))
        expect(queries).toHaveLength(1)
      })))

    it.effect("forward foreign key: by key, by instance, by the key column, and null on a nullable key", () =>
      Testing.isolated(Effect.gen(function*() {
        const { authors, publishers } = yield* seedLibrary
        expect(yield* names(Book.objects.filter({ publisher: publishers.apress.id }))).toEqual(["Lore", "Slim"])
        expect(yield* names(Book.objects.filter({ publisher: publishers.apress }))).toEqual(["Lore", "Slim"])
        expect(yield* names(Book.objects.filter({ publisherId: publishers.bantam.id }))).toEqual(["Tiny"])
        expect(yield* names(Book.objects.filter({ publisherId: { in: [publishers.apress.id, publishers.bantam.id] } }))).toEqual([
          "Lore",
          "Slim",
          "Tiny"
        ])
        expect(yield* names(Book.objects.filter({ publisher: { id: { in: [publishers.corvus.id] } } }))).toEqual([])
        // `in` on the relation itself takes keys and instances, compared on the key column.
        const inRelation = Book.objects.filter({ publisher: { in: [publishers.apress, publishers.bantam.id] } })
        expect(yield* names(inRelation)).toEqual(["Lore", "Slim", "Tiny"])
        expect((yield* inRelation.toSql()).sql).not.toContain("EXISTS")
        expect(yield* names(Author.objects.filter({ books: { in: [] } }))).toEqual([])
        const badIn = yield* Effect.flip(Book.objects.filter({ publisher: { in: ["x"] } } as any).count())
        expect(badIn._tag).toBe("FieldError")
        expect(yield* names(Book.objects.filter({ publisher: { pk: publishers.addison.id } }))).toEqual(["Epic", "Saga", "Tome"])
        expect(yield* names(Book.objects.filter({ editor: authors.ann }))).toEqual(["Lore", "Tome"])
        expect(yield* names(Book.objects.filter({ editor: null }))).toEqual(["Epic", "Slim"])
        expect(yield* names(Book.objects.filter({ editorId: null }))).toEqual(["Epic", "Slim"])
        expect(yield* names(Book.objects.filter({ editor: { isNull: true } }))).toEqual(["Epic", "Slim"])
        expect(yield* names(Book.objects.filter({ editor: { isNull: false } }))).toEqual(["Lore", "Saga", "Tiny", "Tome"])
        expect(yield* names(Book.objects.filter({ editor: { age: { gte: 50 } } }))).toEqual(["Saga", "Tiny"])
        // A filter by key compares the key column: no join at all.
        const { queries } = yield* Testing.captureQueries(Book.objects.filter({ publisher: publishers.apress }))
        expect(queries).toHaveLength(1)
        expect(queries[0]!.sql).not.toContain("JOIN")
        expect(queries[0]!.params).toEqual([publishers.apress.id])
      })))

    // ---- reverse foreign keys and many-to-many ----

    it.effect("reverse foreign key: publishers by their books, each publisher once, and counted once", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        // Addison has three books over 500 pages, Apress one.
        const long = Publisher.objects.filter({ books: { pages: { gt: 500 } } })
        expect(yield* names(long)).toEqual(["Addison", "Apress"])
        expect(yield* long.count()).toBe(2)
        expect(yield* long.valuesList("name", { flat: true })).toEqual(["Addison", "Apress"])
        expect(yield* names(Publisher.objects.filter({ books: { pages: { gt: 650 } } }))).toEqual(["Addison"])
        expect(yield* Publisher.objects.filter({ books: { pages: { gt: 650 } } }).count()).toBe(1)
        expect(yield* names(Publisher.objects.filter({ books: { name: "Tiny" } }))).toEqual(["Bantam"])
        // get() sees one row, not MultipleObjectsReturned, when three books match.
        expect((yield* Publisher.objects.get({ books: { pages: { gt: 650 } } })).name).toBe("Addison")
        expect((yield* Effect.flip(Publisher.objects.get({ books: { pages: { gt: 500 } } })))._tag).toBe("MultipleObjectsReturned")
        // A slice is taken from rows without duplicates.
        expect(yield* names(Publisher.objects.filter({ books: { pages: { gt: 0 } } }).slice(0, 2))).toEqual(["Addison", "Apress"])
        const { queries, result } = yield* Testing.captureQueries(long.count())
        expect(result).toBe(2)
        expect(queries).toHaveLength(1)
      })))

    it.effect("reverse foreign key with null and isNull: rows with or without related rows", () =>
      Testing.isolated(Effect.gen(function*() {
        const { authors, books } = yield* seedLibrary
        // By instance or key of the related row, as for a forward key.
        expect(yield* names(Publisher.objects.filter({ books: books.lore }))).toEqual(["Apress"])
        expect(yield* names(Publisher.objects.filter({ books: books.tiny.id }))).toEqual(["Bantam"])
        expect(yield* names(Author.objects.filter({ books: books.tome }))).toEqual(["Pat", "Paula"])
        expect(yield* names(Book.objects.filter({ authors: authors.ann.id }))).toEqual(["Lore", "Slim"])
        expect(yield* names(Publisher.objects.filter({ books: null }))).toEqual(["Corvus"])
        expect(yield* names(Publisher.objects.filter({ books: { isNull: true } }))).toEqual(["Corvus"])
        expect(yield* names(Publisher.objects.filter({ books: { isNull: false } }))).toEqual(["Addison", "Apress", "Bantam"])
        expect(yield* Publisher.objects.filter({ books: { isNull: false } }).count()).toBe(3)
        expect(yield* names(Country.objects.filter({ publishers: null }))).toEqual(["Japan"])
        expect(yield* names(Country.objects.filter({ publishers: { isNull: false } }))).toEqual(["France", "Spain"])
        // Django's LEFT JOINs: "a publisher without books" also matches a country without publishers.
        expect(yield* names(Country.objects.filter({ publishers: { books: null } }))).toEqual(["Japan", "Spain"])
      })))

    it.effect("many-to-many, forward and reverse: distinct rows and exact counts", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        const byP = Book.objects.filter({ authors: { name: { startsWith: "P" } } })
        // Tome has two authors starting with P: it appears once.
        expect(yield* names(byP)).toEqual(["Lore", "Saga", "Tome"])
        expect(yield* byP.count()).toBe(3)
        expect(yield* names(Book.objects.filter({ authors: { name: "Ann" } }))).toEqual(["Lore", "Slim"])
        expect(yield* names(Book.objects.filter({ authors: null }))).toEqual(["Tiny"])
        expect(yield* names(Author.objects.filter({ books: { name: "Tome" } }))).toEqual(["Pat", "Paula"])
        // Paula wrote two Addison books: she appears once.
        const addisonAuthors = Author.objects.filter({ books: { publisher: { name: "Addison" } } })
        expect(yield* names(addisonAuthors)).toEqual(["Pat", "Paula", "Zed"])
        expect(yield* addisonAuthors.count()).toBe(3)
        expect(yield* names(Author.objects.filter({ books: { pages: { lt: 500 } } }))).toEqual(["Ann"])
        // Reverse of the nullable editor key.
        expect(yield* names(Author.objects.filter({ edited: { pages: { gt: 500 } } }))).toEqual(["Ann", "Zed"])
        expect(yield* names(Author.objects.filter({ edited: null }))).toEqual(["Paula"])
      })))

    it.effect("relations to any depth: publisher > books > authors, country > publishers > books > authors", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        const deep = Publisher.objects.filter({ books: { authors: { name: { startsWith: "P" } } } })
        // Addison matches through Saga and Tome (Tome twice): once.
        expect(yield* names(deep)).toEqual(["Addison", "Apress"])
        expect(yield* deep.count()).toBe(2)
        expect(yield* names(Publisher.objects.filter({ books: { authors: { name: "Zed" } } }))).toEqual(["Addison"])
        expect(yield* names(Publisher.objects.filter({ books: { authors: { age: { lt: 40 } }, pages: { lt: 500 } } }))).toEqual([
          "Apress"
        ])
        const countries = Country.objects.filter({ publishers: { books: { authors: { name: { startsWith: "P" } } } } })
        expect(yield* names(countries)).toEqual(["France"])
        expect(yield* countries.count()).toBe(1)
        expect(yield* names(Country.objects.filter({ publishers: { books: { pages: { lt: 60 } } } }))).toEqual([])
        expect(yield* names(Country.objects.filter({ publishers: { numAwards: { gt: 6 } } }))).toEqual(["Spain"])
        // Back and forth: authors who share a publisher with Zed.
        expect(yield* names(Author.objects.filter({ books: { publisher: { books: { authors: { name: "Zed" } } } } }))).toEqual([
          "Pat",
          "Paula",
          "Zed"
        ])
        const { queries } = yield* Testing.captureQueries(countries)
        expect(queries).toHaveLength(1)
      })))

    // ---- multi-valued semantics ----

    it.effect("conditions in one filter call refer to the same related row; chained filters may match different rows", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        // Apress has a long book (Lore) and a book starting with S (Slim), but not one book that is both; Addison's Saga is both.
        expect(yield* names(Publisher.objects.filter({ books: { pages: { gt: 500 }, name: { startsWith: "S" } } }))).toEqual([
          "Addison"
        ])
        expect(yield* Publisher.objects.filter({ books: { pages: { gt: 500 }, name: { startsWith: "S" } } }).count()).toBe(1)
        const chained = Publisher.objects.filter({ books: { pages: { gt: 500 } } }).filter({ books: { name: { startsWith: "S" } } })
        expect(yield* names(chained)).toEqual(["Addison", "Apress"])
        expect(yield* chained.count()).toBe(2)
        // Several conditions of one call (arguments or Q.and) are one scope too.
        expect(yield* names(Publisher.objects.filter({ books: { pages: { gt: 500 } } }, { books: { name: { startsWith: "S" } } })))
          .toEqual(["Addison"])
        expect(yield* names(Publisher.objects.filter(Q.and({ books: { pages: { gt: 500 } } }, { books: { name: { startsWith: "S" } } }))))
          .toEqual(["Addison"])
        // Same over a many-to-many: Ann wrote Lore (600) and Slim (100), but no book both short and long.
        expect(yield* names(Author.objects.filter({ books: { pages: { gt: 500 }, name: "Slim" } }))).toEqual([])
        expect(yield* names(Author.objects.filter({ books: { pages: { gt: 500 } } }).filter({ books: { name: "Slim" } }))).toEqual([
          "Ann"
        ])
      })))

    // ---- exclude, Q.not, Q.or ----

    it.effect("exclude over a multi-valued relation drops rows having such a related row and keeps rows with none", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        expect(yield* names(Publisher.objects.exclude({ books: { pages: { gt: 500 } } }))).toEqual(["Bantam", "Corvus"])
        expect(yield* Publisher.objects.exclude({ books: { pages: { gt: 500 } } }).count()).toBe(2)
        expect(yield* names(Publisher.objects.exclude({ books: { pages: { gt: 500 } } }).exclude({ books: null }))).toEqual(["Bantam"])
        expect(yield* names(Publisher.objects.exclude({ books: null }))).toEqual(["Addison", "Apress", "Bantam"])
        // Tiny, without authors, is kept.
        expect(yield* names(Book.objects.exclude({ authors: { name: "Ann" } }))).toEqual(["Epic", "Saga", "Tiny", "Tome"])
        expect(yield* names(Author.objects.exclude({ books: { publisher: { name: "Addison" } } }))).toEqual(["Ann"])
        expect(yield* names(Country.objects.exclude({ publishers: { books: { authors: { name: "Zed" } } } }))).toEqual([
          "Japan",
          "Spain"
        ])
      })))

    it.effect("exclude over a nullable forward key keeps the rows whose key is NULL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        expect(yield* names(Book.objects.exclude({ editor: { name: "Ann" } }))).toEqual(["Epic", "Saga", "Slim", "Tiny"])
        expect(yield* Book.objects.exclude({ editor: { name: "Ann" } }).count()).toBe(4)
        expect(yield* names(Book.objects.exclude({ editor: null }))).toEqual(["Lore", "Saga", "Tiny", "Tome"])
        // A null two levels away: Bantam has no country.
        expect(yield* names(Book.objects.exclude({ publisher: { country: { name: "France" } } }))).toEqual(["Tiny"])
        expect(yield* names(Publisher.objects.exclude({ country: { name: "France" } }))).toEqual(["Bantam", "Corvus"])
        expect(yield* names(Book.objects.filter(Q.not({ editor: { age: { gt: 40 } } })))).toEqual(["Epic", "Lore", "Slim", "Tome"])
      })))

    it.effect("Q.not inside filter is 'no related row matches'; Q.or mixes relations and local fields", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        expect(yield* names(Publisher.objects.filter(Q.not({ books: { pages: { gt: 500 } } })))).toEqual(["Bantam", "Corvus"])
        // French publishers with no short book: Apress has Slim.
        expect(yield* names(Publisher.objects.filter({ country: { name: "France" } }, Q.not({ books: { pages: { lt: 200 } } }))))
          .toEqual(["Addison"])
        // A long book, and no book by Zed: Apress only (Addison has Epic by Zed).
        expect(yield* names(Publisher.objects.filter(Q.and({ books: { pages: { gt: 500 } } }, Q.not({ books: { authors: { name: "Zed" } } })))))
          .toEqual(["Apress"])
        // Corvus has no books but 7 awards; Bantam's Tiny is short.
        const either = Publisher.objects.filter(Q.or({ books: { pages: { lt: 60 } } }, { numAwards: { gte: 7 } }))
        expect(yield* names(either)).toEqual(["Bantam", "Corvus"])
        expect(yield* either.count()).toBe(2)
        expect(yield* names(Publisher.objects.filter(Q.or({ books: { name: "Epic" } }, { country: null })))).toEqual([
          "Addison",
          "Bantam"
        ])
        expect(yield* names(Book.objects.filter(Q.or({ authors: { name: "Zed" } }, { editor: { name: "Zed" } }, { pages: { lt: 60 } }))))
          .toEqual(["Epic", "Saga", "Tiny"])
        expect(yield* names(Publisher.objects.exclude(Q.or({ books: { pages: { gt: 650 } } }, { country: null })))).toEqual([
          "Apress",
          "Corvus"
        ])
      })))

    // ---- self-references, through models, one-to-one ----

    it.effect("self-referencing foreign key: parent and children in both directions, to two levels", () =>
      Testing.isolated(Effect.gen(function*() {
        const { fiction } = yield* seedCategories
        expect(yield* names(Category.objects.filter({ parent: null }))).toEqual(["Fiction", "Nonfiction"])
        expect(yield* names(Category.objects.filter({ parent: fiction }))).toEqual(["Fantasy", "SciFi"])
        expect(yield* names(Category.objects.filter({ parent: { name: "Fiction" } }))).toEqual(["Fantasy", "SciFi"])
        expect(yield* names(Category.objects.filter({ parent: { parent: { name: "Fiction" } } }))).toEqual(["Space Opera"])
        expect(yield* names(Category.objects.filter({ children: { name: "SciFi" } }))).toEqual(["Fiction"])
        expect(yield* names(Category.objects.filter({ children: { name: { startsWith: "S" } } }))).toEqual(["Fiction", "SciFi"])
        const parents = Category.objects.filter({ children: { isNull: false } })
        expect(yield* names(parents)).toEqual(["Fiction", "SciFi"])
        expect(yield* parents.count()).toBe(2)
        expect(yield* names(Category.objects.filter({ children: null }))).toEqual(["Fantasy", "Nonfiction", "Space Opera"])
        expect(yield* names(Category.objects.filter({ children: { children: { isNull: false } } }))).toEqual(["Fiction"])
        // NULL parents are kept by exclude.
        expect(yield* names(Category.objects.exclude({ parent: { name: "Fiction" } }))).toEqual(["Fiction", "Nonfiction", "Space Opera"])
      })))

    it.effect("self-referential many-to-many: friends is one-directional, friendOf is its reverse", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedPeople
        expect(yield* names(Person.objects.filter({ friends: { name: "Bob" } }))).toEqual(["Ann"])
        expect(yield* names(Person.objects.filter({ friends: { name: "Cy" } }))).toEqual(["Ann", "Bob"])
        // Ann added Bob, Bob did not add Ann.
        expect(yield* names(Person.objects.filter({ friends: { name: "Ann" } }))).toEqual([])
        expect(yield* names(Person.objects.filter({ friendOf: { name: "Ann" } }))).toEqual(["Bob", "Cy"])
        expect(yield* names(Person.objects.filter({ friendOf: { name: "Bob" } }))).toEqual(["Cy"])
        expect(yield* names(Person.objects.filter({ friends: null }))).toEqual(["Cy", "Dee"])
        expect(yield* names(Person.objects.filter({ friendOf: null }))).toEqual(["Ann", "Dee"])
        // Friends of friends: Ann, through Bob.
        expect(yield* names(Person.objects.filter({ friends: { friends: { name: "Cy" } } }))).toEqual(["Ann"])
        // Cy is befriended by two people: counted once.
        expect(yield* Person.objects.filter({ friendOf: { isNull: false } }).count()).toBe(2)
        expect(yield* names(Person.objects.exclude({ friendOf: { name: "Ann" } }))).toEqual(["Ann", "Dee"])
      })))

    it.effect("many-to-many through a model: both sides, and the through model's own keys", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedPeople
        expect(yield* names(Group.objects.filter({ members: { name: "Ann" } }))).toEqual(["Chess"])
        expect(yield* names(Group.objects.filter({ members: { name: "Bob" } }))).toEqual(["Chess", "Go"])
        const either = Group.objects.filter({ members: { name: { in: ["Ann", "Bob"] } } })
        expect(yield* names(either)).toEqual(["Chess", "Go"])
        expect(yield* either.count()).toBe(2)
        expect(yield* names(Group.objects.filter({ members: null }))).toEqual(["Poker"])
        expect(yield* names(Person.objects.filter({ groups: { name: "Chess" } }))).toEqual(["Ann", "Bob"])
        expect(yield* names(Person.objects.filter({ groups: null }))).toEqual(["Cy", "Dee"])
        expect(yield* names(Person.objects.exclude({ groups: { name: "Go" } }))).toEqual(["Ann", "Cy", "Dee"])
        // The join rows' own columns, through their foreign keys.
        const captains = yield* Membership.objects.filter({ role: "captain", group: { name: { in: ["Chess", "Go"] } } })
          .orderBy("group.name")
          .valuesList("person.name", { flat: true })
        expect(captains).toEqual(["Ann", "Bob"])
        expect(yield* Membership.objects.filter({ person: { name: "Bob" }, since: null }).valuesList("group.name", { flat: true }))
          .toEqual(["Chess"])
        // Groups whose members are friends of Ann: Chess and Go through Bob.
        expect(yield* names(Group.objects.filter({ members: { friendOf: { name: "Ann" } } }))).toEqual(["Chess", "Go"])
      })))

    it.effect("one-to-one in both directions, with null for a place without a restaurant", () =>
      Testing.isolated(Effect.gen(function*() {
        const [main, high, low] = yield* Place.objects.bulkCreate([{ address: "1 Main St" }, { address: "2 High St" }, {
          address: "3 Low Rd"
        }])
        yield* Restaurant.objects.create({ place: main!, servesPizza: true })
        yield* Restaurant.objects.create({ placeId: high!.id, servesPizza: false })
        const addresses = <E, R>(qs: Effect.Effect<ReadonlyArray<Place>, E, R>) => Effect.map(qs, (rows) => rows.map((p) => p.address))
        expect(yield* addresses(Place.objects.filter({ restaurant: { servesPizza: true } }).orderBy("address"))).toEqual(["1 Main St"])
        expect(yield* addresses(Place.objects.filter({ restaurant: null }).orderBy("address"))).toEqual(["3 Low Rd"])
        expect(yield* addresses(Place.objects.filter({ restaurant: { isNull: false } }).orderBy("address"))).toEqual([
          "1 Main St",
          "2 High St"
        ])
        expect(yield* addresses(Place.objects.exclude({ restaurant: { servesPizza: true } }).orderBy("address"))).toEqual([
          "2 High St",
          "3 Low Rd"
        ])
        const restaurants = yield* Restaurant.objects.filter({ place: { address: { endsWith: "St" } } }).orderBy("place.address")
        expect(restaurants.map((r) => r.placeId)).toEqual([main!.id, high!.id])
        expect(yield* Restaurant.objects.filter({ place: low! }).count()).toBe(0)
        expect(yield* Place.objects.orderBy("address").valuesList("restaurant.servesPizza", { flat: true })).toEqual([true, false, null])
      })))

    // ---- ordering and projections across relations ----

    it.effect("orderBy across relations, including nullable paths, keeps every row", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        expect(yield* names(Book.objects.orderBy("publisher.name", "-name"))).toEqual(["Tome", "Saga", "Epic", "Slim", "Lore", "Tiny"])
        expect(yield* names(Book.objects.orderBy("-publisher.numAwards", "pages"))).toEqual([
          "Saga",
          "Tome",
          "Epic",
          "Slim",
          "Lore",
          "Tiny"
        ])
        // PostgreSQL puts NULLs last ascending and first descending; books without an editor are not dropped.
        expect(yield* names(Book.objects.orderBy("editor.name", "name"))).toEqual(["Lore", "Tome", "Tiny", "Saga", "Epic", "Slim"])
        expect(yield* names(Book.objects.orderBy("-editor.name", "name"))).toEqual(["Epic", "Slim", "Saga", "Tiny", "Lore", "Tome"])
        expect(yield* names(Book.objects.orderBy("publisher.country.name", "-pages"))).toEqual([
          "Epic",
          "Tome",
          "Saga",
          "Lore",
          "Slim",
          "Tiny"
        ])
        expect(yield* names(Book.objects.orderBy("editor.name", "name").reverse())).toEqual(["Slim", "Epic", "Saga", "Tiny", "Tome", "Lore"])
        // Ordering combined with a filter across another relation.
        expect(yield* names(Book.objects.filter({ authors: { name: { startsWith: "P" } } }).orderBy("-publisher.name", "name")))
          .toEqual(["Lore", "Saga", "Tome"])
      })))

    it.effect("orderBy on a self-referencing key orders by the parent's name, parentless rows last", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedCategories
        expect(yield* names(Category.objects.orderBy("parent.name", "name"))).toEqual([
          "Fantasy",
          "SciFi",
          "Space Opera",
          "Fiction",
          "Nonfiction"
        ])
        expect(yield* Category.objects.filter({ name: "Space Opera" }).values("name", "parent.name", "parent.parent.name")).toEqual([
          { name: "Space Opera", "parent.name": "SciFi", "parent.parent.name": "Fiction" }
        ])
        expect(yield* Category.objects.orderBy("name").valuesList("name", "parent.parent.name")).toEqual([
          ["Fantasy", null],
          ["Fiction", null],
          ["Nonfiction", null],
          ["SciFi", null],
          ["Space Opera", "Fiction"]
        ])
      })))

    it.effect("values and valuesList across single-valued relations: keys are the paths, null past a null key", () =>
      Testing.isolated(Effect.gen(function*() {
        const { authors } = yield* seedLibrary
        const rows = yield* Book.objects.orderBy("name").values("name", "publisher.name", "publisher.country.name")
        expect(rows).toEqual([
          { name: "Epic", "publisher.name": "Addison", "publisher.country.name": "France" },
          { name: "Lore", "publisher.name": "Apress", "publisher.country.name": "France" },
          { name: "Saga", "publisher.name": "Addison", "publisher.country.name": "France" },
          { name: "Slim", "publisher.name": "Apress", "publisher.country.name": "France" },
          { name: "Tiny", "publisher.name": "Bantam", "publisher.country.name": null },
          { name: "Tome", "publisher.name": "Addison", "publisher.country.name": "France" }
        ])
        expect(Object.keys(rows[0]!)).toEqual(["name", "publisher.name", "publisher.country.name"])
        expect(yield* Book.objects.valuesList("publisher.name", { flat: true })).toEqual([
          "Addison",
          "Apress",
          "Addison",
          "Apress",
          "Bantam",
          "Addison"
        ])
        expect(yield* Book.objects.orderBy("name").valuesList("editor.name", "editor.age", "editor")).toEqual([
          [null, null, null],
          ["Ann", 30, authors.ann.id],
          ["Zed", 70, authors.zed.id],
          [null, null, null],
          ["Pat", 50, authors.pat.id],
          ["Ann", 30, authors.ann.id]
        ])
        // A filter across one relation and values across another, in one statement.
        const { queries, result } = yield* Testing.captureQueries(
          Book.objects.filter({ authors: { name: "Ann" } }).values("name", "publisher.numAwards")
        )
        expect(result).toEqual([{ name: "Lore", "publisher.numAwards": 2 }, { name: "Slim", "publisher.numAwards": 2 }])
        expect(queries).toHaveLength(1)
      })))

    it.effect("values across a many-valued relation: one row per related row, null for a row without any", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        expect(yield* Publisher.objects.orderBy("name", "books.name").values("name", "books.name")).toEqual([
          { name: "Addison", "books.name": "Epic" },
          { name: "Addison", "books.name": "Saga" },
          { name: "Addison", "books.name": "Tome" },
          { name: "Apress", "books.name": "Lore" },
          { name: "Apress", "books.name": "Slim" },
          { name: "Bantam", "books.name": "Tiny" },
          { name: "Corvus", "books.name": null }
        ])
        expect(yield* Book.objects.orderBy("name", "authors.name").valuesList("name", "authors.name")).toEqual([
          ["Epic", "Zed"],
          ["Lore", "Ann"],
          ["Lore", "Pat"],
          ["Saga", "Paula"],
          ["Slim", "Ann"],
          ["Tiny", null],
          ["Tome", "Pat"],
          ["Tome", "Paula"]
        ])
        // Both projected paths share one join: each book with its own pages.
        expect(yield* Publisher.objects.filter({ name: "Apress" }).orderBy("books.pages").valuesList("books.name", "books.pages")).toEqual([
          ["Slim", 100],
          ["Lore", 600]
        ])
      })))

    it.effect("related sets and Prefetch querysets filtered across relations", () =>
      Testing.isolated(Effect.gen(function*() {
        const { authors, publishers } = yield* seedLibrary
        expect(yield* names(Publisher.objects.related(publishers.addison, "books").filter({ authors: { name: { startsWith: "P" } } })))
          .toEqual(["Saga", "Tome"])
        const patsAddison = Author.objects.related(authors.pat, "books").filter({ publisher: { name: "Addison" } })
        expect(yield* names(patsAddison)).toEqual(["Tome"])
        expect(yield* patsAddison.count()).toBe(1)
        const { queries, result } = yield* Testing.captureQueries(
          Publisher.objects.prefetchRelated(Prefetch("books", Book.objects.filter({ authors: { name: { startsWith: "P" } } })))
        )
        expect(result.map((p) => [p.name, p.books.map((b) => b.name)])).toEqual([
          ["Addison", ["Saga", "Tome"]],
          ["Apress", ["Lore"]],
          ["Bantam", []],
          ["Corvus", []]
        ])
        expect(queries).toHaveLength(2)
        // Through the join table: each book's authors that edited some book.
        const withEditors = yield* Book.objects.filter({ publisher: { name: "Addison" } })
          .prefetchRelated(Prefetch("authors", Author.objects.filter({ edited: { isNull: false } })))
        expect(withEditors.map((b) => [b.name, b.authors.map((a) => a.name)])).toEqual([
          ["Epic", ["Zed"]],
          ["Saga", []],
          ["Tome", ["Pat"]]
        ])
      })))

    // ---- writes, counts and aggregates ----

    it.effect("update of a queryset filtered across relations updates each matching row once", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        expect(yield* Book.objects.filter({ publisher: { name: "Addison" } }).update({ pages: 1 })).toBe(3)
        expect(yield* Book.objects.orderBy("name").valuesList("name", "pages")).toEqual([
          ["Epic", 1],
          ["Lore", 600],
          ["Saga", 1],
          ["Slim", 100],
          ["Tiny", 50],
          ["Tome", 1]
        ])
        // Paula wrote two matching books, Pat one: two authors updated.
        expect(yield* Author.objects.filter({ books: { publisher: { name: "Addison" } }, age: { lt: 65 } }).update({ age: 99 })).toBe(2)
        expect(yield* Author.objects.valuesList("name", "age")).toEqual([["Ann", 30], ["Pat", 99], ["Paula", 99], ["Zed", 70]])
        expect(yield* Publisher.objects.exclude({ books: { isNull: false } }).update({ numAwards: 0 })).toBe(1)
        expect(yield* Publisher.objects.valuesList("name", "numAwards")).toEqual([
          ["Addison", 5],
          ["Apress", 2],
          ["Bantam", 0],
          ["Corvus", 0]
        ])
        expect(yield* Book.objects.filter({ publisher: { country: { name: "Japan" } } }).update({ pages: 2 })).toBe(0)
      })))

    it.effect("delete of a queryset filtered across relations cascades and reports per model", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        // Addison's three books and their four author links.
        expect(yield* Book.objects.filter({ publisher: { name: "Addison" } }).delete()).toEqual({
          total: 7,
          perModel: { Book: 3, Book_authors: 4 }
        })
        expect(yield* names(Book.objects)).toEqual(["Lore", "Slim", "Tiny"])
        expect(yield* names(Author.objects.filter({ books: null }))).toEqual(["Paula", "Zed"])
        // Publishers with a book by Pat: Apress, with Lore and Slim and their three author links.
        expect(yield* Publisher.objects.filter({ books: { authors: { name: "Pat" } } }).delete()).toEqual({
          total: 6,
          perModel: { Publisher: 1, Book: 2, Book_authors: 3 }
        })
        expect(yield* names(Publisher.objects)).toEqual(["Addison", "Bantam", "Corvus"])
        expect(yield* names(Book.objects)).toEqual(["Tiny"])
        expect(yield* Author.objects.count()).toBe(4)
        expect(yield* Book.objects.filter({ editor: { name: "Nobody" } }).delete()).toEqual({ total: 0, perModel: {} })
      })))

    it.effect("count, exists and aggregate of querysets filtered across relations count each row once", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        const long = Publisher.objects.filter({ books: { pages: { gt: 500 } } })
        expect(yield* long.aggregate({ n: Count(), awards: Sum("numAwards") })).toEqual({ n: 2, awards: 7 })
        expect(yield* Book.objects.filter({ authors: { name: { startsWith: "P" } } }).aggregate({ n: Count(), pages: Sum("pages") }))
          .toEqual({ n: 3, pages: 2100 })
        expect(yield* long.exists()).toBe(true)
        expect(yield* Publisher.objects.filter({ books: { pages: { gt: 5000 } } }).exists()).toBe(false)
        expect(yield* Country.objects.filter({ publishers: { books: { authors: { name: "Zed" } } } }).exists()).toBe(true)
        expect(yield* Author.objects.filter({ books: { publisher: { country: { name: "France" } } } }).count()).toBe(4)
        expect(yield* Author.objects.filter({ books: { publisher: { country: null } } }).count()).toBe(0)
        // distinct and a slice go through the subquery path of count.
        expect(yield* long.distinct().count()).toBe(2)
        expect(yield* long.slice(0, 5).count()).toBe(2)
        expect(yield* names(long.distinct())).toEqual(["Addison", "Apress"])
      })))

    it.effect("count and Count() of values across a many-valued path count the rows it yields", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        const perBook = Publisher.objects.values("name", "books.name")
        const rows = yield* perBook
        expect(rows).toHaveLength(7)
        // A sliced count wraps the SELECT, joins included.
        expect(yield* perBook.slice(0, 100).count()).toBe(7)
        // As in Django, the projection's LEFT JOIN is part of what is counted.
        expect(yield* perBook.count()).toBe(rows.length)
        expect(yield* perBook.aggregate({ n: Count() })).toEqual({ n: 7 })
        // Addison's books by author: Epic (Zed), Saga (Paula), Tome (Pat, Paula).
        const authorsOfAddison = Book.objects.filter({ publisher: { name: "Addison" } }).valuesList("authors.name", { flat: true })
        expect([...(yield* authorsOfAddison)].sort()).toEqual(["Pat", "Paula", "Paula", "Zed"])
        expect(yield* authorsOfAddison.count()).toBe(4)
      })))

    it.effect("aggregate of a sliced or distinct projection filtered across relations", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        const long = Publisher.objects.filter({ books: { pages: { gt: 500 } } }).valuesList("name", { flat: true })
        expect(yield* long).toEqual(["Addison", "Apress"])
        // Each in a savepoint, so that one failing statement does not abort the other.
        const sliced = yield* Effect.either(Db.atomic(long.slice(0, 10).aggregate({ awards: Sum("numAwards") })))
        const distinct = yield* Effect.either(Db.atomic(long.distinct().aggregate({ awards: Sum("numAwards"), n: Count() })))
        expect({ sliced, distinct }).toEqual({ sliced: Either.right({ awards: 7 }), distinct: Either.right({ awards: 7, n: 2 }) })
      })))

    // ---- bad input and SQL safety ----

    it.effect("unknown fields and relations in nested filters are FieldErrors before any SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        const before = yield* snapshot
        yield* expectFieldError(Book.objects.filter({ publisher: { nope: 1 } } as any), "publisher.nope", "unknown field")
        yield* expectFieldError(Book.objects.filter({ publisher: { country: { nope: 1 } } } as any), "publisher.country.nope")
        yield* expectFieldError(Book.objects.filter({ nope: { name: "x" } } as any), "nope", "unknown field")
        yield* expectFieldError(Publisher.objects.filter({ books: { authors: { nope: "x" } } } as any), "books.authors.nope")
        yield* expectFieldError(Publisher.objects.exclude({ books: { nope: 1 } } as any), "books.nope")
        yield* expectFieldError(Publisher.objects.filter(Q.not({ books: { nope: 1 } } as any)), "books.nope")
        yield* expectFieldError(Publisher.objects.filter({ books: { nope: 1 } } as any).count(), "books.nope")
        yield* expectFieldError(Book.objects.filter({ publisher: { nope: 1 } } as any).update({ pages: 1 }), "publisher.nope")
        yield* expectFieldError(Book.objects.filter({ publisher: { nope: 1 } } as any).exists(), "publisher.nope")
        expect(yield* snapshot).toEqual(before)
      })))

    it.effect("wrong value types and lookups inside a relation are FieldErrors before any SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        const before = yield* snapshot
        yield* expectFieldError(Book.objects.filter({ publisher: { numAwards: "x" } } as any), "publisher.numAwards", "\"x\"")
        yield* expectFieldError(Publisher.objects.filter({ books: { pages: { gt: "many" } } } as any), "books.pages", "gt")
        yield* expectFieldError(Book.objects.filter({ publisher: { name: { nope: "x" } } } as any), "publisher.name", "nope")
        yield* expectFieldError(Book.objects.filter({ authors: { age: { in: "30" } } } as any), "authors.age", "array")
        yield* expectFieldError(Book.objects.filter({ editor: { isNull: "yes" } } as any), /^editor/, "boolean")
        yield* expectFieldError(Publisher.objects.filter({ books: { pk: "abc" } } as any), /^books\.(pk|id)$/)
        expect(yield* snapshot).toEqual(before)
      })))

    it.effect("a key of the wrong type for a relation is a FieldError before any SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        const wrongKey = yield* Testing.captureQueries(Effect.flip(Book.objects.filter({ publisher: "abc" } as any)))
        expect(wrongKey.queries).toEqual([])
        expect(wrongKey.result._tag).toBe("FieldError")
        expect((wrongKey.result as any).field).toMatch(/^publisher/)
        const wrongInstance = yield* Testing.captureQueries(Effect.flip(Book.objects.filter({ publisher: { id: 1.5 } } as any)))
        expect(wrongInstance.queries).toEqual([])
        expect(wrongInstance.result._tag).toBe("FieldError")
        const nested = yield* Testing.captureQueries(Effect.flip(Publisher.objects.filter({ books: { editor: "Ann" } } as any)))
        expect(nested.queries).toEqual([])
        expect(nested.result._tag).toBe("FieldError")
        expect((nested.result as any).field).toMatch(/^books\.editor/)
      })))

    it.effect("unknown paths in orderBy, values and valuesList are FieldErrors before any SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        yield* expectFieldError(Book.objects.orderBy("publisher.nope" as any), "publisher.nope", "unknown field")
        yield* expectFieldError(Book.objects.orderBy("-publisher.country.nope" as any), "publisher.country.nope")
        yield* expectFieldError(Book.objects.orderBy("nope.name" as any), "nope.name")
        yield* expectFieldError(Book.objects.values("name", "publisher.nope" as any), "publisher.nope")
        yield* expectFieldError(Book.objects.valuesList("publisher.country.nope" as any, { flat: true }), "publisher.country.nope")
        yield* expectFieldError(Publisher.objects.values("books.nope" as any), "books.nope")
        yield* expectFieldError(Book.objects.orderBy("publisher.nope" as any).first(), "publisher.nope")
        // The error comes first even when the filter across a relation is valid.
        yield* expectFieldError(Book.objects.filter({ publisher: { name: "Addison" } }).orderBy("editor.nope" as any), "editor.nope")
      })))

    it.effect("a delete with a bad nested filter fails with a FieldError and deletes nothing", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        const before = yield* snapshot
        const { queries, result } = yield* Testing.captureQueries(
          Effect.flip(Book.objects.filter({ publisher: { nope: 1 } } as any).delete())
        )
        expect(result._tag).toBe("FieldError")
        expect((result as any).field).toBe("publisher.nope")
        expect(queries).toEqual([])
        expect(yield* snapshot).toEqual(before)
      })))

    it.effect("malicious strings in nested filters are bound parameters: no match, tables intact", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedLibrary
        const evil = "x'); DROP TABLE book; --"
        const before = yield* snapshot
        const { queries, result } = yield* Testing.captureQueries(
          Book.objects.filter({ publisher: { country: { name: evil } } })
        )
        expect(result).toEqual([])
        expect(queries).toHaveLength(1)
        expect(queries[0]!.sql).not.toContain("DROP")
        expect(queries[0]!.params).toContain(evil)
        expect(yield* names(Publisher.objects.filter({ books: { authors: { name: { contains: evil } } } }))).toEqual([])
        expect(yield* names(Publisher.objects.filter({ books: { name: { iStartsWith: "' OR 1=1 --" } } }))).toEqual([])
        expect(yield* names(Publisher.objects.exclude({ books: { name: evil } }))).toEqual(["Addison", "Apress", "Bantam", "Corvus"])
        expect(yield* Book.objects.filter({ publisher: { name: evil } }).update({ pages: 0 })).toBe(0)
        expect(yield* Book.objects.filter({ authors: { name: evil } }).delete()).toEqual({ total: 0, perModel: {} })
        // LIKE wildcards in a nested value are matched literally.
        expect(yield* names(Book.objects.filter({ publisher: { name: { startsWith: "%" } } }))).toEqual([])
        expect(yield* names(Book.objects.filter({ publisher: { name: { contains: "_" } } }))).toEqual([])
        expect(yield* snapshot).toEqual(before)
        expect(yield* Book.objects.count()).toBe(6)
      })))
  })
}
