/**
 * Type-level tests of relations (checked by `npm run typecheck`): what the row type says was loaded, and what
 * filters, paths and writes accept.
 */
import { BigDecimal, Effect } from "effect"
import { describe, expect, expectTypeOf, it } from "vitest"
import type { Db, Inputs, QuerySet } from "../src/index.js"
import { Prefetch } from "../src/index.js"
import { Author, Book, Category, Country, Group, Membership, Person, Place, Publisher, Restaurant } from "./fixtures/library.js"

type Rows<Q> = Q extends Effect.Effect<ReadonlyArray<infer R>, any, any> ? R : never

const book = new Book({ id: 1, name: "b", pages: 1, publisherId: 1, editorId: null })
const publisher = new Publisher({ id: 1, name: "p", numAwards: 0, countryId: null })
const author = new Author({ id: 1, name: "a", age: 30 })
const place = new Place({ id: 1, address: "here" })
const group = new Group({ id: 1, name: "g" })
const person = new Person({ id: 1, name: "p" })

describe("instances", () => {
  it("hold foreign keys as scalars, not the related instances", () => {
    expectTypeOf(book.publisherId).toEqualTypeOf<number>()
    expectTypeOf(book.editorId).toEqualTypeOf<number | null>()
    expectTypeOf<Category["parentId"]>().toEqualTypeOf<number | null>()
    // @ts-expect-error an unloaded relation is not reachable
    expect(book.publisher).toBeUndefined()
    // @ts-expect-error a many-to-many is not a property
    expect(book.authors).toBeUndefined()
    // @ts-expect-error nor a reverse relation
    expect(publisher.books).toBeUndefined()
  })
})

describe("selectRelated", () => {
  it("adds the related instances to the row type, nested and nullable as declared", () => {
    const rows = Book.objects.selectRelated("publisher.country", "editor")
    type Row = Rows<typeof rows>
    expectTypeOf<Row["publisher"]>().toMatchTypeOf<Publisher>()
    expectTypeOf<Row["publisher"]["name"]>().toEqualTypeOf<string>()
    expectTypeOf<Row["publisher"]["country"]>().toMatchTypeOf<Country | null>()
    expectTypeOf<Row["editor"]>().toEqualTypeOf<Author | null>()
    const one = Book.objects.selectRelated("publisher")
    type One = Rows<typeof one>
    // @ts-expect-error the country was not selected
    type _ = One["publisher"]["country"]
    expectTypeOf(Restaurant.objects.selectRelated("place")).toMatchTypeOf<Effect.Effect<ReadonlyArray<Restaurant & { readonly place: Place }>, any, any>>()
    expectTypeOf(Place.objects.selectRelated("restaurant")).toMatchTypeOf<Effect.Effect<ReadonlyArray<Place & { readonly restaurant: Restaurant | null }>, any, any>>()
  })

  it("refuses unknown and many-valued paths", () => {
    // @ts-expect-error not a relation
    Book.objects.selectRelated("name")
    // @ts-expect-error many-valued: prefetchRelated's job
    Book.objects.selectRelated("authors")
    // @ts-expect-error unknown nested relation
    Book.objects.selectRelated("publisher.nope")
  })
})

describe("prefetchRelated", () => {
  it("adds arrays (or single rows) to the row type, nested", () => {
    const rows = Publisher.objects.prefetchRelated("books.authors", "country")
    type Row = Rows<typeof rows>
    expectTypeOf<Row["books"]>().toMatchTypeOf<ReadonlyArray<Book & { readonly authors: ReadonlyArray<Author> }>>()
    expectTypeOf<Row["books"][number]["authors"][number]["name"]>().toEqualTypeOf<string>()
    expectTypeOf<Row["country"]>().toEqualTypeOf<Country | null>()
    // @ts-expect-error books were loaded, their publisher was not
    type _ = Row["books"][number]["publisher"]
  })

  it("types a Prefetch by its queryset and attribute", () => {
    const rows = Publisher.objects.prefetchRelated(
      Prefetch("books", Book.objects.filter({ pages: { gt: 300 } }).selectRelated("editor"), { to: "longBooks" })
    )
    type Row = Rows<typeof rows>
    expectTypeOf<Row["longBooks"]>().toEqualTypeOf<ReadonlyArray<Book & { readonly editor: Author | null }>>()
    // @ts-expect-error the attribute is longBooks
    type _ = Row["books"]
    // @ts-expect-error not a relation of Publisher
    Publisher.objects.prefetchRelated(Prefetch("authors"))
  })
})

describe("lookups across relations", () => {
  it("accept nested filters, keys, instances and null where allowed", () => {
    Book.objects.filter({ publisher: { name: { startsWith: "A" }, country: { name: "France" } } })
    Publisher.objects.filter({ books: { authors: { name: { startsWith: "P" } } } })
    Book.objects.filter({ publisher: 1 }, { publisher: publisher }, { publisherId: { in: [1, 2] } })
    Book.objects.filter({ editor: null }, { authors: author }, { authors: { isNull: true } })
    Book.objects.filter({ publisher: { in: [publisher, 2] } }, { authors: { in: [author] } })
    // @ts-expect-error `in` takes keys or instances of the target
    Book.objects.filter({ publisher: { in: [author] } })
    Author.objects.exclude({ books: { pages: { gt: 500 } } })
    Book.objects.orderBy("-publisher.name", "publisher.country.name", "name")
    const values = Book.objects.values("name", "publisher.name", "editor.name", "authors.name")
    expectTypeOf(values).toMatchTypeOf<
      Effect.Effect<ReadonlyArray<{ readonly name: string; readonly "publisher.name": string; readonly "editor.name": string | null; readonly "authors.name": string | null }>, any, any>
    >()
    expectTypeOf(Book.objects.valuesList("publisher.country.name", { flat: true })).toMatchTypeOf<Effect.Effect<ReadonlyArray<string | null>, any, any>>()
    // @ts-expect-error a non-nullable foreign key cannot be null
    Book.objects.filter({ publisher: null })
    // @ts-expect-error wrong value type inside a relation
    Book.objects.filter({ publisher: { name: 3 } })
    // @ts-expect-error unknown field of the related model
    Book.objects.filter({ publisher: { nope: 1 } })
    // @ts-expect-error an instance of another model
    Book.objects.filter({ publisher: author })
    // @ts-expect-error an unknown path
    Book.objects.orderBy("publisher.nope")
  })
})

describe("related and writes", () => {
  it("gives an Effect for single-valued relations and a RelatedSet for many", () => {
    expectTypeOf(Book.objects.related(book, "publisher")).toMatchTypeOf<Effect.Effect<Publisher, any, Db.Db>>()
    expectTypeOf(Book.objects.related(book, "editor")).toMatchTypeOf<Effect.Effect<Author | null, any, Db.Db>>()
    expectTypeOf(Place.objects.related(place, "restaurant")).toMatchTypeOf<Effect.Effect<Restaurant | null, any, Db.Db>>()
    const authors = Book.objects.related(book, "authors")
    expectTypeOf(authors).toMatchTypeOf<QuerySet.QuerySet<any, Author, Author>>()
    authors.add(author, 3)
    authors.set([1, 2])
    Author.objects.related(author, "books").remove(book)
    Group.objects.related(group, "members").clear()
    // @ts-expect-error a reverse foreign key has no add
    Publisher.objects.related(publisher, "books").add(book)
    // @ts-expect-error add takes the target's instances or keys
    authors.add(book)
    // @ts-expect-error not a relation
    Book.objects.related(book, "name")
  })

  it("create and update take a foreign key by key or by instance", () => {
    Book.objects.create({ name: "x", pages: 1, publisherId: 1 })
    Book.objects.create({ name: "x", pages: 1, publisher: publisher, editor: null })
    Membership.objects.create({ person: person, groupId: 1 })
    Book.objects.filter({ pages: 1 }).update({ publisher: publisher, editor: null })
    // @ts-expect-error the publisher is required
    Book.objects.create({ name: "x", pages: 1 })
    // @ts-expect-error not both
    Book.objects.create({ name: "x", pages: 1, publisher: publisher, publisherId: 1 })
    // @ts-expect-error an instance of another model
    Book.objects.create({ name: "x", pages: 1, publisher: author })
    // @ts-expect-error not nullable
    Book.objects.filter({}).update({ publisher: null })
    expectTypeOf(Book.objects.aggregate).parameter(0).toMatchTypeOf<Record<string, unknown>>()
    expectTypeOf<BigDecimal.BigDecimal>().not.toBeAny()
  })
})

describe("create's errors", () => {
  it("name every missing field at once, a foreign key by its key", () => {
    // @ts-expect-error pages and publisherId are missing
    Book.objects.create({ name: "x" })
    expectTypeOf<keyof Inputs.CreateMissing<Book, { name: string }>>().toEqualTypeOf<"pages" | "publisherId">()
    expectTypeOf<keyof Inputs.CreateMissing<Book, { name: string; pages: number }>>().toEqualTypeOf<"publisherId">()
    // The instance form gives the key too; nullable keys are never missing.
    expectTypeOf<keyof Inputs.CreateMissing<Book, { name: string; pages: number; publisher: Publisher }>>().toEqualTypeOf<never>()
    expectTypeOf<keyof Inputs.CreateMissing<Membership, {}>>().toEqualTypeOf<"personId" | "groupId">()
    // A key given both ways takes only one; a name that is no field takes nothing.
    expectTypeOf<Inputs.CreateCheck<Book, { publisher: Publisher; publisherId: number }>["publisher"]>().toEqualTypeOf<undefined>()
    expectTypeOf<Inputs.CreateCheck<Book, { nope: number }>["nope"]>().toEqualTypeOf<never>()
    expectTypeOf<Inputs.CreateCheck<Book, { pages: number }>["pages"]>().toEqualTypeOf<number>()
    expectTypeOf<Inputs.CreateCheck<Book, { editor: unknown }>["editor"]>().toEqualTypeOf<Author | null | undefined>()
    // @ts-expect-error a required field is not undefined
    Book.objects.create({ name: undefined, pages: 1, publisherId: 1 })
    // @ts-expect-error nor a required foreign key
    Book.objects.create({ name: "x", pages: 1, publisher: undefined })
    // @ts-expect-error a name that is no field takes no value
    Book.objects.create({ name: "x", pages: 1, publisherId: 1, nope: 1 })
  })
})
