/**
 * Loading relations on every driver: selectRelated joins, prefetchRelated (plain paths and `Prefetch`), `related`
 * for one instance and its batching, many-to-many writes (automatic join table, explicit through model,
 * self-referential), one-to-one in both directions, and creating rows by related instance.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { Db, Prefetch } from "../src/index.js"
import * as Testing from "../src/testing/index.js"
import { Author, Book, Country, Group, Membership, models, Person, Place, Publisher, Restaurant } from "./fixtures/library.js"

/**
 * Countries France and Japan; publishers Acme (France), Bolt (no country) and Crest (Japan, no books); authors Ann,
 * Bob and Cid (no books); books:
 *
 * | book    | pages | publisher | editor | authors  |
 * | Anathem | 937   | Acme      | -      | Ann      |
 * | Circe   | 393   | Bolt      | Bob    | -        |
 * | Dune    | 412   | Acme      | Ann    | Ann, Bob |
 * | Emma    | 474   | Acme      | -      | Bob      |
 */
const seed = Effect.gen(function*() {
  const france = yield* Country.objects.create({ name: "France" })
  const japan = yield* Country.objects.create({ name: "Japan" })
  const acme = yield* Publisher.objects.create({ name: "Acme", countryId: france.id })
  const bolt = yield* Publisher.objects.create({ name: "Bolt", country: null })
  const crest = yield* Publisher.objects.create({ name: "Crest", country: japan })
  const ann = yield* Author.objects.create({ name: "Ann", age: 30 })
  const bob = yield* Author.objects.create({ name: "Bob", age: 50 })
  const cid = yield* Author.objects.create({ name: "Cid" })
  const dune = yield* Book.objects.create({ name: "Dune", pages: 412, publisher: acme, editor: ann })
  const emma = yield* Book.objects.create({ name: "Emma", pages: 474, publisherId: acme.id })
  const circe = yield* Book.objects.create({ name: "Circe", pages: 393, publisher: bolt, editorId: bob.id })
  const anathem = yield* Book.objects.create({ name: "Anathem", pages: 937, publisher: acme })
  yield* Book.objects.related(dune, "authors").add(ann, bob)
  yield* Book.objects.related(emma, "authors").add(bob)
  yield* Book.objects.related(anathem, "authors").add(ann)
  return { france, japan, acme, bolt, crest, ann, bob, cid, dune, emma, circe, anathem }
})

/**
 * 100 publishers P000..P099; publisher i has i % 3 books `B<i>-<k>`; authors A0, A1, A2 (A2 has no books). Book k = 0
 * is by A0, book k = 1 by A0 and A1: A0 is shared by 99 books.
 */
const seedHundred = Effect.gen(function*() {
  const publishers = yield* Publisher.objects.bulkCreate(
    Array.from({ length: 100 }, (_, i) => ({ name: `P${String(i).padStart(3, "0")}` }))
  )
  const specs = publishers.flatMap((p, i) => Array.from({ length: i % 3 }, (_, k) => ({ p, i, k })))
  const books = yield* Book.objects.bulkCreate(
    specs.map(({ i, k, p }) => ({ name: `B${String(i).padStart(3, "0")}-${k}`, pages: 100 + i * 3 + k, publisherId: p.id }))
  )
  const [a0, a1, a2] = yield* Author.objects.bulkCreate([{ name: "A0" }, { name: "A1" }, { name: "A2" }])
  yield* Author.objects.related(a0, "books").add(...books)
  yield* Author.objects.related(a1, "books").add(...books.filter((_, j) => specs[j].k === 1))
  return { publishers, books, specs, a0, a1, a2 }
})

/** A Restaurant at "1 Main St"; no restaurant at "2 Side St". */
const seedPlaces = Effect.gen(function*() {
  const main = yield* Place.objects.create({ address: "1 Main St" })
  const side = yield* Place.objects.create({ address: "2 Side St" })
  const pizzeria = yield* Restaurant.objects.create({ place: main, servesPizza: true })
  return { main, side, pizzeria }
})

/** People Ann, Bob, Cid; Ann befriends Bob and Cid, Bob befriends Cid. Groups Chess (Ann, Bob) and Go (Bob). */
const seedPeople = Effect.gen(function*() {
  const ann = yield* Person.objects.create({ name: "Ann" })
  const bob = yield* Person.objects.create({ name: "Bob" })
  const cid = yield* Person.objects.create({ name: "Cid" })
  yield* Person.objects.related(ann, "friends").add(bob, cid)
  yield* Person.objects.related(bob, "friends").add(cid.id)
  const chess = yield* Group.objects.create({ name: "Chess" })
  const go = yield* Group.objects.create({ name: "Go" })
  yield* Group.objects.related(chess, "members").add(ann, bob)
  yield* Group.objects.related(go, "members").add(bob)
  return { ann, bob, cid, chess, go }
})

const names = (rows: ReadonlyArray<{ readonly name: string }>) => rows.map((r) => r.name)

for (const driver of Testing.drivers([...models])) {
  layer(driver.layer)(driver.name, (it) => {
    // ---- selectRelated ----

    it.effect("selectRelated joins nested forward relations into one query", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const { queries, result } = yield* Testing.captureQueries(Book.objects.selectRelated("publisher.country", "editor"))
        expect(queries).toHaveLength(1)
        expect(queries[0].sql).toContain("JOIN \"publisher\"")
        expect(queries[0].sql).toContain("JOIN \"country\"")
        expect(queries[0].sql).toContain("JOIN \"author\"")
        expect(result.map((b) => [b.name, b.publisher.name, b.publisher.country?.name ?? null, b.editor?.name ?? null])).toEqual([
          ["Anathem", "Acme", "France", null],
          ["Circe", "Bolt", null, "Bob"],
          ["Dune", "Acme", "France", "Ann"],
          ["Emma", "Acme", "France", null]
        ])
        const dune = result[2]
        expect(dune).toBeInstanceOf(Book)
        expect(dune.publisher).toBeInstanceOf(Publisher)
        expect(dune.publisher.country).toBeInstanceOf(Country)
        expect(dune.editor).toBeInstanceOf(Author)
        expect(dune.publisher).toMatchObject({ name: "Acme", numAwards: 0, countryId: dune.publisher.country!.id })
        expect(dune.publisherId).toBe(dune.publisher.id)
        expect(dune.editor).toMatchObject({ name: "Ann", age: 30 })
      })))

    it.effect("selectRelated LEFT JOINs nullable keys: a NULL key gives null and keeps the row", () =>
      Testing.isolated(Effect.gen(function*() {
        const { bolt } = yield* seed
        const { queries, result } = yield* Testing.captureQueries(
          Book.objects.selectRelated("publisher.country", "editor").filter({ publisher: bolt })
        )
        expect(queries).toHaveLength(1)
        // The required publisher is an INNER join; the nullable country and editor are LEFT joins.
        expect(queries[0].sql).toMatch(/INNER JOIN "publisher"/)
        expect(queries[0].sql).toMatch(/LEFT JOIN "country"/)
        expect(queries[0].sql).toMatch(/LEFT JOIN "author"/)
        expect(result).toHaveLength(1)
        expect(result[0].name).toBe("Circe")
        expect(result[0].publisher.name).toBe("Bolt")
        expect(result[0].publisher.countryId).toBeNull()
        expect(result[0].publisher.country).toBeNull()
        const noEditor = yield* Book.objects.selectRelated("editor").filter({ editor: null })
        expect(noEditor.map((b) => [b.name, b.editorId, b.editor])).toEqual([["Anathem", null, null], ["Emma", null, null]])
        expect(yield* Book.objects.selectRelated("publisher.country", "editor").count()).toBe(4)
      })))

    it.effect("selectRelated works with filter, orderBy, slice, get and first, in one query each", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const sliced = yield* Testing.captureQueries(
          Book.objects.selectRelated("publisher", "editor")
            .filter({ publisher: { country: { name: "France" } } })
            .orderBy("-pages")
            .slice(0, 2)
        )
        expect(sliced.queries).toHaveLength(1)
        expect(sliced.result.map((b) => [b.name, b.publisher.name, b.editor?.name ?? null])).toEqual([
          ["Anathem", "Acme", null],
          ["Emma", "Acme", null]
        ])
        const ordered = yield* Book.objects.selectRelated("editor").orderBy("editor.name", "name").slice(1, 3)
        expect(ordered.map((b) => [b.name, b.editor?.name ?? null])).toEqual([["Circe", "Bob"], ["Anathem", null]])
        const got = yield* Testing.captureQueries(Book.objects.selectRelated("editor", "publisher.country").get({ name: "Circe" }))
        expect(got.queries).toHaveLength(1)
        expect(got.result.editor?.name).toBe("Bob")
        expect(got.result.publisher.country).toBeNull()
        const first = yield* Testing.captureQueries(Book.objects.selectRelated("publisher.country").orderBy("pages").first())
        expect(first.queries).toHaveLength(1)
        const book = Option.getOrThrow(first.result)
        expect([book.name, book.publisher.name, book.publisher.country?.name]).toEqual(["Circe", "Bolt", undefined])
        const none = yield* Book.objects.selectRelated("publisher").filter({ pages: { gt: 10_000 } }).first()
        expect(Option.isNone(none)).toBe(true)
      })))

    it.effect("selectRelated follows one-to-one in both directions; a missing reverse row is null", () =>
      Testing.isolated(Effect.gen(function*() {
        const { pizzeria } = yield* seedPlaces
        const places = yield* Testing.captureQueries(Place.objects.selectRelated("restaurant").orderBy("address"))
        expect(places.queries).toHaveLength(1)
        expect(places.result.map((p) => [p.address, p.restaurant?.id ?? null])).toEqual([["1 Main St", pizzeria.id], ["2 Side St", null]])
        expect(places.result[0].restaurant).toBeInstanceOf(Restaurant)
        expect(places.result[0].restaurant?.servesPizza).toBe(true)
        const restaurants = yield* Testing.captureQueries(Restaurant.objects.selectRelated("place"))
        expect(restaurants.queries).toHaveLength(1)
        expect(restaurants.result.map((r) => r.place.address)).toEqual(["1 Main St"])
        expect(restaurants.result[0].place).toBeInstanceOf(Place)
        // Past a LEFT join, a required key is LEFT joined too: the place without restaurant stays.
        const nested = yield* Place.objects.selectRelated("restaurant.place").orderBy("address")
        expect(nested.map((p) => [p.address, p.restaurant?.place.address ?? null])).toEqual([["1 Main St", "1 Main St"], ["2 Side St", null]])
      })))

    it.effect("selectRelated refuses many-valued and unknown paths with a FieldError before any query", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const { queries, result } = yield* Testing.captureQueries(Effect.all([
          // @ts-expect-error many-valued: prefetchRelated's job
          Effect.flip(Book.objects.selectRelated("authors")),
          // @ts-expect-error a reverse foreign key is many-valued too
          Effect.flip(Publisher.objects.selectRelated("books")),
          // @ts-expect-error not a relation
          Effect.flip(Book.objects.selectRelated("publisher.nope"))
        ]))
        expect(queries).toEqual([])
        expect(result.map((e) => e._tag)).toEqual(["FieldError", "FieldError", "FieldError"])
      })))

    // ---- prefetchRelated ----

    it.effect("prefetch two levels over 100 publishers: 3 queries, each publisher gets exactly its books", () =>
      Testing.isolated(Effect.gen(function*() {
        const { specs } = yield* seedHundred
        const { queries, result } = yield* Testing.captureQueries(Publisher.objects.prefetchRelated("books.authors"))
        expect(queries).toHaveLength(3)
        expect(result).toHaveLength(100)
        const expected = Array.from({ length: 100 }, (_, i) => {
          const pad = String(i).padStart(3, "0")
          return [
            `P${pad}`,
            specs.filter((s) => s.i === i).map((s) => [`B${pad}-${s.k}`, s.k === 0 ? ["A0"] : ["A0", "A1"]])
          ]
        })
        expect(result.map((p) => [p.name, p.books.map((b) => [b.name, names(b.authors)])])).toEqual(expected)
        expect(result.filter((p) => p.books.length === 0)).toHaveLength(34)
        expect(result.every((p) => p.books.every((b) => b.publisherId === p.id && b instanceof Book))).toBe(true)
        expect(result[2].books[1].authors.every((a) => a instanceof Author)).toBe(true)
      })))

    it.effect("prefetch two levels over 100 books: 3 queries, a shared author appears under each of its books", () =>
      Testing.isolated(Effect.gen(function*() {
        const { books, a0 } = yield* seedHundred
        yield* Book.objects.bulkCreate([{ name: "Z-orphan", pages: 1, publisherId: books[0].publisherId }])
        const { queries, result } = yield* Testing.captureQueries(Book.objects.prefetchRelated("authors.books"))
        expect(queries).toHaveLength(3)
        expect(result).toHaveLength(100)
        const allNames = [...names(books)].sort()
        const a1Names = names(books.filter((b) => b.name.endsWith("-1"))).sort()
        for (const book of result) {
          if (book.name === "Z-orphan") {
            expect(book.authors).toEqual([])
            continue
          }
          const isK1 = book.name.endsWith("-1")
          expect(names(book.authors)).toEqual(isK1 ? ["A0", "A1"] : ["A0"])
          expect(book.authors[0].id).toBe(a0.id)
          expect(names(book.authors[0].books)).toEqual(allNames)
          if (isK1) expect(names(book.authors[1].books)).toEqual(a1Names)
        }
        expect(allNames).toHaveLength(99)
        expect(a1Names).toHaveLength(33)
      })))

    it.effect("Prefetch with a custom queryset: its filter and ordering apply within each group, into `to`", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const { queries, result } = yield* Testing.captureQueries(
          Publisher.objects.prefetchRelated(
            "books",
            Prefetch("books", Book.objects.filter({ pages: { gt: 400 } }).orderBy("-pages"), { to: "longBooks" })
          )
        )
        expect(queries).toHaveLength(3)
        expect(result.map((p) => [p.name, names(p.books), names(p.longBooks)])).toEqual([
          ["Acme", ["Anathem", "Dune", "Emma"], ["Anathem", "Emma", "Dune"]],
          ["Bolt", ["Circe"], []],
          ["Crest", [], []]
        ])
        const only = yield* Publisher.objects.prefetchRelated(Prefetch("books", Book.objects.filter({ name: "Dune" }), { to: "dune" }))
        expect(only.map((p) => p.dune.length)).toEqual([1, 0, 0])
        expect(only.every((p) => !("books" in p))).toBe(true)
      })))

    it.effect("a Prefetch queryset may itself selectRelated and prefetchRelated", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const { queries, result } = yield* Testing.captureQueries(
          Publisher.objects.filter({ name: { in: ["Acme", "Bolt"] } }).prefetchRelated(
            Prefetch("books", Book.objects.selectRelated("editor").prefetchRelated("authors").orderBy("pages"), { to: "catalogue" })
          )
        )
        // Publishers, books joined with their editor, the books' authors.
        expect(queries).toHaveLength(3)
        expect(result.map((p) => [p.name, p.catalogue.map((b) => [b.name, b.editor?.name ?? null, names(b.authors)])])).toEqual([
          ["Acme", [["Dune", "Ann", ["Ann", "Bob"]], ["Emma", null, ["Bob"]], ["Anathem", null, ["Ann"]]]],
          ["Bolt", [["Circe", "Bob", []]]]
        ])
      })))

    it.effect("a sliced Prefetch queryset is a QueryError; an unknown relation a FieldError", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const sliced = yield* Effect.flip(
          Publisher.objects.prefetchRelated(Prefetch("books", Book.objects.orderBy("pages").slice(0, 1), { to: "first" }))
        )
        expect(sliced._tag).toBe("QueryError")
        // @ts-expect-error not a relation of Publisher
        const unknown = yield* Effect.flip(Publisher.objects.prefetchRelated("nope"))
        expect(unknown._tag).toBe("FieldError")
        if (unknown._tag === "FieldError") expect(unknown.field).toBe("nope")
        // @ts-expect-error not a relation of Book
        const nested = yield* Effect.flip(Publisher.objects.prefetchRelated("books.nope"))
        expect(nested._tag).toBe("FieldError")
      })))

    it.effect("prefetch of forward keys: one query per relation, null for a NULL key, nested through the target", () =>
      Testing.isolated(Effect.gen(function*() {
        const { acme } = yield* seed
        const { queries, result } = yield* Testing.captureQueries(Book.objects.prefetchRelated("publisher.country", "editor"))
        expect(queries).toHaveLength(4)
        expect(result.map((b) => [b.name, b.publisher.name, b.publisher.country?.name ?? null, b.editor?.name ?? null])).toEqual([
          ["Anathem", "Acme", "France", null],
          ["Circe", "Bolt", null, "Bob"],
          ["Dune", "Acme", "France", "Ann"],
          ["Emma", "Acme", "France", null]
        ])
        expect(result[0].publisher).toBeInstanceOf(Publisher)
        expect(result[0].publisher.id).toBe(acme.id)
        // The key list of the publisher query has each publisher once.
        expect(queries[1].params.filter((p) => p === acme.id || p === String(acme.id))).toHaveLength(1)
        const plain = yield* Testing.captureQueries(Book.objects.prefetchRelated("publisher"))
        expect(plain.queries).toHaveLength(2)
        expect(names(plain.result.map((b) => b.publisher))).toEqual(["Acme", "Bolt", "Acme", "Acme"])
      })))

    it.effect("prefetch across a many-to-many through model, from both sides", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedPeople
        const groups = yield* Testing.captureQueries(Group.objects.prefetchRelated("members"))
        expect(groups.queries).toHaveLength(2)
        expect(groups.result.map((g) => [g.name, names(g.members)])).toEqual([["Chess", ["Ann", "Bob"]], ["Go", ["Bob"]]])
        expect(groups.result[0].members[0]).toBeInstanceOf(Person)
        const people = yield* Testing.captureQueries(Person.objects.prefetchRelated("groups.members"))
        expect(people.queries).toHaveLength(3)
        expect(people.result.map((p) => [p.name, p.groups.map((g) => [g.name, names(g.members)])])).toEqual([
          ["Ann", [["Chess", ["Ann", "Bob"]]]],
          ["Bob", [["Chess", ["Ann", "Bob"]], ["Go", ["Bob"]]]],
          ["Cid", []]
        ])
      })))

    it.effect("prefetch of a self-referential many-to-many keeps friends and friendOf apart", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedPeople
        const { queries, result } = yield* Testing.captureQueries(Person.objects.prefetchRelated("friends", "friendOf"))
        expect(queries).toHaveLength(3)
        expect(result.map((p) => [p.name, names(p.friends), names(p.friendOf)])).toEqual([
          ["Ann", ["Bob", "Cid"], []],
          ["Bob", ["Cid"], ["Ann"]],
          ["Cid", [], ["Ann", "Bob"]]
        ])
        const nested = yield* Person.objects.filter({ name: "Ann" }).prefetchRelated("friends.friends")
        expect(nested.map((p) => p.friends.map((f) => [f.name, names(f.friends)]))).toEqual([[["Bob", ["Cid"]], ["Cid", []]]])
      })))

    it.effect("prefetch on an empty result runs the one query", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const { queries, result } = yield* Testing.captureQueries(
          Publisher.objects.filter({ name: "Nobody" }).prefetchRelated("books.authors", "country")
        )
        expect(result).toEqual([])
        expect(queries).toHaveLength(1)
        const crest = yield* Testing.captureQueries(Publisher.objects.filter({ name: "Crest" }).prefetchRelated("books.authors"))
        // Crest has no books: the authors level has no parents and runs nothing.
        expect(crest.result.map((p) => [p.name, p.books])).toEqual([["Crest", []]])
        expect(crest.queries).toHaveLength(2)
      })))

    // ---- related ----

    it.effect("related of a foreign key gives the instance, or null for a NULL nullable key", () =>
      Testing.isolated(Effect.gen(function*() {
        const { acme, ann, bolt, circe, dune, emma, france } = yield* seed
        const publisher = yield* Testing.captureQueries(Book.objects.related(dune, "publisher"))
        expect(publisher.queries).toHaveLength(1)
        expect(publisher.result).toBeInstanceOf(Publisher)
        expect(publisher.result).toMatchObject({ id: acme.id, name: "Acme", countryId: france.id })
        expect((yield* Book.objects.related(circe, "publisher")).name).toBe(bolt.name)
        const editor = yield* Book.objects.related(dune, "editor")
        expect(editor).toBeInstanceOf(Author)
        expect(editor?.id).toBe(ann.id)
        expect(yield* Book.objects.related(emma, "editor")).toBeNull()
        expect(yield* Publisher.objects.related(bolt, "country")).toBeNull()
        expect((yield* Publisher.objects.related(acme, "country"))?.name).toBe("France")
        // @ts-expect-error not a relation
        const unknown = yield* Effect.flip(Book.objects.related(dune, "nope") as Effect.Effect<unknown, { readonly _tag: string }>)
        expect(unknown._tag).toBe("FieldError")
      })))

    it.effect("related of a reverse foreign key is a chainable QuerySet of that instance's rows", () =>
      Testing.isolated(Effect.gen(function*() {
        const { acme, bolt, crest, ann, france } = yield* seed
        const books = Publisher.objects.related(acme, "books")
        expect(names(yield* books)).toEqual(["Anathem", "Dune", "Emma"])
        expect(yield* books.count()).toBe(3)
        expect(names(yield* books.filter({ pages: { lt: 450 } }))).toEqual(["Dune"])
        expect(names(yield* books.orderBy("-pages"))).toEqual(["Anathem", "Emma", "Dune"])
        expect(yield* books.filter({ authors: ann }).count()).toBe(2)
        expect(names(yield* Publisher.objects.related(bolt, "books"))).toEqual(["Circe"])
        expect(yield* Publisher.objects.related(crest, "books")).toEqual([])
        expect(yield* Publisher.objects.related(crest, "books").count()).toBe(0)
        expect(names(yield* Author.objects.related(ann, "edited"))).toEqual(["Dune"])
        expect(names(yield* Country.objects.related(france, "publishers"))).toEqual(["Acme"])
        // The set is lazy: it sees rows created after it was built.
        yield* Book.objects.create({ name: "Beloved", pages: 324, publisher: acme })
        expect(names(yield* books)).toEqual(["Anathem", "Beloved", "Dune", "Emma"])
      })))

    it.effect("batched related loads of a foreign key run one query, for 100 concurrent loads too", () =>
      Testing.isolated(Effect.gen(function*() {
        const { acme, bolt, dune, emma, circe, anathem } = yield* seed
        const books = [dune, emma, circe, anathem]
        const sequential = yield* Testing.captureQueries(
          Effect.forEach(books, (b) => Book.objects.related(b, "publisher"), { batching: true })
        )
        expect(sequential.queries).toHaveLength(1)
        expect(sequential.result.map((p) => p.id)).toEqual([acme.id, acme.id, bolt.id, acme.id])
        expect(sequential.result.every((p) => p instanceof Publisher)).toBe(true)
        const { books: hundred, publishers } = yield* seedHundred
        const extra = yield* Book.objects.bulkCreate([{ name: "X", pages: 1, publisherId: publishers[0].id }])
        const many = [...hundred, ...extra]
        expect(many).toHaveLength(100)
        const concurrent = yield* Testing.captureQueries(
          Effect.forEach(many, (b) => Book.objects.related(b, "publisher"), { concurrency: "unbounded", batching: true })
        )
        expect(concurrent.queries).toHaveLength(1)
        expect(concurrent.result.map((p) => p.id)).toEqual(many.map((b) => b.publisherId))
        // Without batching, one query per load.
        const unbatched = yield* Testing.captureQueries(Effect.forEach(books, (b) => Book.objects.related(b, "publisher")))
        expect(unbatched.queries).toHaveLength(4)
      })))

    it.effect("mixed relations in one batch: one query per relation", () =>
      Testing.isolated(Effect.gen(function*() {
        const { dune, emma, circe, anathem } = yield* seed
        const { queries, result } = yield* Testing.captureQueries(
          Effect.forEach(
            [dune, emma, circe, anathem],
            (b) =>
              Effect.all([Book.objects.related(b, "publisher"), Book.objects.related(b, "editor")], {
                concurrency: "unbounded",
                batching: true
              }),
            { concurrency: "unbounded", batching: true }
          )
        )
        expect(queries).toHaveLength(2)
        expect(result.map(([p, e]) => [p.name, e?.name ?? null])).toEqual([
          ["Acme", "Ann"],
          ["Acme", null],
          ["Bolt", "Bob"],
          ["Acme", null]
        ])
      })))

    it.effect("batched loads of reverse and many-to-many sets: one query, each result only its own rows", () =>
      Testing.isolated(Effect.gen(function*() {
        const { acme, bolt, crest, ann, bob, cid, dune, emma, circe, anathem } = yield* seed
        const reverse = yield* Testing.captureQueries(
          Effect.forEach([acme, bolt, crest], (p) => Publisher.objects.related(p, "books"), { batching: true })
        )
        expect(reverse.queries).toHaveLength(1)
        expect(reverse.result.map(names)).toEqual([["Anathem", "Dune", "Emma"], ["Circe"], []])
        const m2m = yield* Testing.captureQueries(
          Effect.forEach([dune, emma, circe, anathem], (b) => Book.objects.related(b, "authors"), { concurrency: "unbounded", batching: true })
        )
        expect(m2m.queries).toHaveLength(1)
        expect(m2m.result.map(names)).toEqual([["Ann", "Bob"], ["Bob"], [], ["Ann"]])
        const back = yield* Testing.captureQueries(
          Effect.forEach([ann, bob, cid], (a) => Author.objects.related(a, "books"), { batching: true })
        )
        expect(back.queries).toHaveLength(1)
        expect(back.result.map(names)).toEqual([["Anathem", "Dune"], ["Dune", "Emma"], []])
      })))

    // ---- many-to-many writes ----

    it.effect("many-to-many add by instance and by key, idempotent; remove and clear leave the rows", () =>
      Testing.isolated(Effect.gen(function*() {
        const { ann, bob, cid, circe } = yield* seed
        const authors = Book.objects.related(circe, "authors")
        expect(yield* authors.count()).toBe(0)
        yield* authors.add(ann, cid.id)
        expect(names(yield* authors)).toEqual(["Ann", "Cid"])
        // Adding twice (and listing one twice) links once.
        yield* authors.add(ann, ann.id, cid)
        expect(yield* authors.count()).toBe(2)
        expect(yield* Author.objects.related(ann, "books").count()).toBe(3)
        yield* authors.add()
        yield* authors.remove(ann)
        expect(names(yield* authors)).toEqual(["Cid"])
        expect(yield* Author.objects.count()).toBe(3)
        yield* authors.remove(bob.id)
        expect(names(yield* authors)).toEqual(["Cid"])
        yield* authors.add(bob)
        yield* authors.clear()
        expect(yield* authors.count()).toBe(0)
        expect(names(yield* Author.objects)).toEqual(["Ann", "Bob", "Cid"])
        // Other books' links are untouched.
        expect(names(yield* Author.objects.related(ann, "books"))).toEqual(["Anathem", "Dune"])
        expect(yield* Book.objects.filter({ authors: bob }).count()).toBe(2)
      })))

    it.effect("many-to-many set replaces the links exactly; from the reverse side too", () =>
      Testing.isolated(Effect.gen(function*() {
        const { ann, bob, cid, dune, emma, circe, anathem } = yield* seed
        const authors = Book.objects.related(dune, "authors")
        yield* authors.set([bob.id, cid])
        expect(names(yield* authors)).toEqual(["Bob", "Cid"])
        yield* authors.set([cid])
        expect(names(yield* authors)).toEqual(["Cid"])
        yield* authors.set([])
        expect(yield* authors.count()).toBe(0)
        // From the author's side: the same join table.
        const books = Author.objects.related(ann, "books")
        yield* books.set([circe, emma.id])
        expect(names(yield* books)).toEqual(["Circe", "Emma"])
        expect(names(yield* Book.objects.related(emma, "authors"))).toEqual(["Ann", "Bob"])
        expect(names(yield* Book.objects.related(anathem, "authors"))).toEqual([])
        yield* books.add(dune)
        expect(names(yield* Book.objects.related(dune, "authors"))).toEqual(["Ann"])
        yield* books.clear()
        expect(yield* Book.objects.filter({ authors: ann }).count()).toBe(0)
        expect(yield* Book.objects.count()).toBe(4)
      })))

    it.effect("many-to-many through a model: add creates Memberships with the defaults; remove, set, clear", () =>
      Testing.isolated(Effect.gen(function*() {
        const { ann, bob, cid, chess, go } = yield* seedPeople
        expect(yield* Membership.objects.count()).toBe(3)
        const memberships = yield* Membership.objects.filter({ group: chess }).orderBy("person.name")
        expect(memberships.map((m) => [m.personId, m.groupId, m.role, m.since])).toEqual([
          [ann.id, chess.id, "member", null],
          [bob.id, chess.id, "member", null]
        ])
        const members = Group.objects.related(go, "members")
        yield* members.add(cid.id, bob)
        yield* members.add(cid)
        expect(names(yield* members)).toEqual(["Bob", "Cid"])
        expect(yield* members.count()).toBe(2)
        expect(yield* Membership.objects.count()).toBe(4)
        // A membership made directly, with another role, is a link like the others.
        yield* Membership.objects.create({ person: ann, group: go, role: "admin" })
        expect(names(yield* members)).toEqual(["Ann", "Bob", "Cid"])
        yield* members.remove(bob)
        expect(names(yield* members)).toEqual(["Ann", "Cid"])
        expect(yield* Membership.objects.count()).toBe(4)
        yield* members.set([bob, cid])
        expect(names(yield* members)).toEqual(["Bob", "Cid"])
        // Cid's membership was kept as it was; Bob's is new, with the default role.
        expect((yield* Membership.objects.filter({ group: go }).orderBy("person.name").valuesList("role", { flat: true }))).toEqual(["member", "member"])
        expect(yield* Membership.objects.count()).toBe(4)
        // From the person's side.
        yield* Person.objects.related(cid, "groups").add(chess)
        expect(names(yield* Group.objects.related(chess, "members"))).toEqual(["Ann", "Bob", "Cid"])
        yield* members.clear()
        expect(yield* members.count()).toBe(0)
        expect(yield* Membership.objects.filter({ group: go }).count()).toBe(0)
        expect(yield* Membership.objects.count()).toBe(3)
        expect(yield* Person.objects.count()).toBe(3)
      })))

    it.effect("self-referential many-to-many writes are one-directional: friends and friendOf", () =>
      Testing.isolated(Effect.gen(function*() {
        const { ann, bob, cid } = yield* seedPeople
        expect(names(yield* Person.objects.related(ann, "friends"))).toEqual(["Bob", "Cid"])
        expect(names(yield* Person.objects.related(ann, "friendOf"))).toEqual([])
        expect(names(yield* Person.objects.related(cid, "friendOf"))).toEqual(["Ann", "Bob"])
        yield* Person.objects.related(cid, "friends").add(ann)
        expect(names(yield* Person.objects.related(ann, "friendOf"))).toEqual(["Cid"])
        expect(names(yield* Person.objects.related(ann, "friends"))).toEqual(["Bob", "Cid"])
        yield* Person.objects.related(cid, "friendOf").remove(ann)
        expect(names(yield* Person.objects.related(ann, "friends"))).toEqual(["Bob"])
        expect(names(yield* Person.objects.related(cid, "friends"))).toEqual(["Ann"])
        yield* Person.objects.related(bob, "friends").set([bob])
        expect(names(yield* Person.objects.related(bob, "friends"))).toEqual(["Bob"])
        expect(names(yield* Person.objects.related(bob, "friendOf"))).toEqual(["Ann", "Bob"])
      })))

    // ---- one-to-one ----

    it.effect("one-to-one related in both directions; a place without restaurant gives null", () =>
      Testing.isolated(Effect.gen(function*() {
        const { main, side, pizzeria } = yield* seedPlaces
        const place = yield* Restaurant.objects.related(pizzeria, "place")
        expect(place).toBeInstanceOf(Place)
        expect(place.address).toBe("1 Main St")
        const restaurant = yield* Place.objects.related(main, "restaurant")
        expect(restaurant).toBeInstanceOf(Restaurant)
        expect(restaurant?.id).toBe(pizzeria.id)
        expect(yield* Place.objects.related(side, "restaurant")).toBeNull()
        const batch = yield* Testing.captureQueries(
          Effect.forEach([main, side], (p) => Place.objects.related(p, "restaurant"), { batching: true })
        )
        expect(batch.queries).toHaveLength(1)
        expect(batch.result.map((r) => r?.id ?? null)).toEqual([pizzeria.id, null])
        const prefetched = yield* Place.objects.prefetchRelated("restaurant").orderBy("address")
        expect(prefetched.map((p) => p.restaurant?.servesPizza ?? null)).toEqual([true, null])
      })))

    it.effect("a second restaurant for the same place is an IntegrityError of kind unique", () =>
      Testing.isolated(Effect.gen(function*() {
        const { main, side } = yield* seedPlaces
        const error = yield* Effect.flip(Db.atomic(Restaurant.objects.create({ place: main })))
        expect(error._tag).toBe("IntegrityError")
        if (error._tag === "IntegrityError") {
          expect(error.kind).toBe("unique")
          expect(error.table).toBe("restaurant")
          expect(error.constraint).toBe("restaurant_place_id_key")
        }
        expect(yield* Restaurant.objects.count()).toBe(1)
        const other = yield* Restaurant.objects.create({ placeId: side.id })
        expect((yield* Place.objects.related(side, "restaurant"))?.id).toBe(other.id)
      })))

    // ---- creating by instance ----

    it.effect("create with a related instance stores its key; related works on the fresh instance", () =>
      Testing.isolated(Effect.gen(function*() {
        const { acme, bolt, bob, ann } = yield* seed
        const book = yield* Book.objects.create({ name: "Beloved", pages: 324, publisher: bolt, editor: bob })
        expect(book.publisherId).toBe(bolt.id)
        expect(book.editorId).toBe(bob.id)
        expect((book as unknown as Record<string, unknown>).publisher).toBeUndefined()
        const stored = yield* Book.objects.get({ id: book.id })
        expect([stored.publisherId, stored.editorId]).toEqual([bolt.id, bob.id])
        expect((yield* Book.objects.related(book, "publisher")).name).toBe("Bolt")
        expect((yield* Book.objects.related(book, "editor"))?.name).toBe("Bob")
        expect(yield* Book.objects.related(book, "authors").count()).toBe(0)
        yield* Book.objects.related(book, "authors").add(ann)
        expect(names(yield* Book.objects.related(book, "authors"))).toEqual(["Ann"])
        expect(names(yield* Publisher.objects.related(bolt, "books"))).toEqual(["Beloved", "Circe"])
        // update by instance moves it.
        expect(yield* Book.objects.filter({ id: book.id }).update({ publisher: acme, editor: null })).toBe(1)
        const moved = yield* Book.objects.selectRelated("publisher", "editor").get({ id: book.id })
        expect([moved.publisherId, moved.publisher.name, moved.editor]).toEqual([acme.id, "Acme", null])
        const fresh = yield* Publisher.objects.create({ name: "Dawn" })
        expect(yield* Publisher.objects.related(fresh, "books")).toEqual([])
        expect(yield* Publisher.objects.related(fresh, "country")).toBeNull()
      })))
  })
}
