/**
 * Type-level tests of dotted paths (checked by `npm run typecheck`): every method that takes paths checks the path
 * written, segment by segment, through forward keys, reverse sides and many-to-manys; a wrong path fails at its
 * segment, and the expected type lists the valid continuations there.
 */
import type { Effect } from "effect"
import { describe, expect, expectTypeOf, it } from "vitest"
import type { Field, Path, Relation } from "../src/index.js"
import { FilterSet, Lookup, Prefetch } from "../src/index.js"
import { Author, Book, Category, Person, Place, Publisher, Restaurant } from "./fixtures/library.js"

type Rows<Q> = Q extends Effect.Effect<ReadonlyArray<infer R>, any, any> ? R : never
type BookF = Relation.FieldsOf<Book>
type PublisherF = Relation.FieldsOf<Publisher>
type CategoryF = Relation.FieldsOf<Category>

describe("field paths (orderBy, values, valuesList, distinct)", () => {
  it("cross forward keys, reverse sides, many-to-manys and one-to-ones, to any reasonable depth", () => {
    Book.objects.orderBy("name", "-pages", "pk", "-pk", "publisherId", "publisher", "-publisher.country.name")
    Book.objects.orderBy("authors.books.publisher.country.name", "-editor.edited.name")
    Publisher.objects.orderBy("books.authors.name", "country.publishers.books.pages")
    Person.objects.orderBy("friends.friendOf.groups.name")
    Place.objects.orderBy("restaurant.servesPizza")
    Book.objects.distinct("publisher.name", "editor")
    // Deeper than the three relations the exhaustive unions stopped at.
    Category.objects.orderBy("parent.parent.parent.parent.parent.parent.name", "children.children.children.children.children.pk")
    const values = Category.objects.values("name", "parent.parent.parent.parent.parent.name", "children.name")
    expectTypeOf<Rows<typeof values>>().toEqualTypeOf<{
      readonly name: string
      readonly "parent.parent.parent.parent.parent.name": string | null
      readonly "children.name": string | null
    }>()
    const list = Book.objects.valuesList("publisher.country.name", "authors.age", "editorId")
    expectTypeOf<Rows<typeof list>>().toEqualTypeOf<readonly [string | null, number | null, number | null]>()
    const flat = Restaurant.objects.valuesList("place.address", { flat: true })
    expectTypeOf<Rows<typeof flat>>().toEqualTypeOf<string>()
    // A relation at the end of a path is its key.
    const keys = Book.objects.values("publisher", "authors")
    expectTypeOf<Rows<typeof keys>>().toEqualTypeOf<{ readonly publisher: number; readonly authors: number | null }>()
    // A union of literal paths is checked member by member.
    const field = "name" as "name" | "publisher.name"
    Book.objects.orderBy(field)
  })

  it("refuse a wrong segment, listing the valid continuations there", () => {
    // @ts-expect-error no field `nmae` on Book
    Book.objects.orderBy("nmae")
    // @ts-expect-error no field `nmae` on the publisher
    Book.objects.orderBy("-publisher.nmae")
    // @ts-expect-error `name` is not a relation
    Book.objects.values("name.length")
    // @ts-expect-error `+` is not a direction
    Book.objects.orderBy("+name")
    // @ts-expect-error `-` only in orderBy
    Book.objects.values("-name")
    // @ts-expect-error the second path is wrong
    Book.objects.valuesList("name", "authors.nmae")
    // @ts-expect-error a wrong flat path
    Book.objects.valuesList("editor.agee", { flat: true })
    // @ts-expect-error a wrong path in distinct
    Book.objects.distinct("publisher.country.nmae")
    expectTypeOf<Path.Check<BookF, "publisher.nmae">>().toEqualTypeOf<
      | "publisher.id"
      | "publisher.pk"
      | "publisher.name"
      | "publisher.numAwards"
      | "publisher.country"
      | "publisher.countryId"
      | "publisher.books"
    >()
    expectTypeOf<Path.CheckOrder<PublisherF, "-country.nmae">>().toEqualTypeOf<
      "-country.id" | "-country.pk" | "-country.name" | "-country.publishers"
    >()
    // Past a segment that is not a relation: the fields of that level, and the relations to continue through.
    expectTypeOf<Path.Check<PublisherF, "name.x">>().toEqualTypeOf<
      | "id"
      | "pk"
      | "name"
      | "numAwards"
      | "country"
      | "countryId"
      | "books"
      | `country.${string}`
      | `books.${string}`
    >()
    expectTypeOf<Path.Check<BookF, "publisher.country.name">>().toEqualTypeOf<"publisher.country.name">()
  })

  it("stop at ten relations, saying so", () => {
    type Deep = "parent.parent.parent.parent.parent.parent.parent.parent.parent.parent"
    expectTypeOf<Path.Check<CategoryF, `${Deep}.name`>>().toEqualTypeOf<`${Deep}.name`>()
    expectTypeOf<Path.Check<CategoryF, `${Deep}.parent.name`>>().toEqualTypeOf<
      `${Deep}.parent.(a path crosses at most 10 relations)`
    >()
  })
})

describe("relation paths (selectRelated, prefetchRelated, Prefetch, selectForUpdate)", () => {
  it("selectRelated takes single-valued relations only, nested", () => {
    const rows = Book.objects.selectRelated("publisher.country", "editor")
    expectTypeOf<Rows<typeof rows>["publisher"]["country"]>().toEqualTypeOf<Relation.Target<PublisherF["country"]> | null>()
    Place.objects.selectRelated("restaurant.place")
    // @ts-expect-error many-valued: prefetchRelated's job
    Book.objects.selectRelated("publisher.books")
    // @ts-expect-error not a relation
    Book.objects.selectRelated("name")
    expectTypeOf<Path.Check<BookF, "authors", "single">>().toEqualTypeOf<"publisher" | "editor">()
    expectTypeOf<Path.Check<BookF, "publisher.books", "single">>().toEqualTypeOf<"publisher.country">()
    Book.objects.selectForUpdate({ of: ["self", "publisher.country"] })
    // @ts-expect-error many-valued relations cannot be locked
    Book.objects.selectForUpdate({ of: ["authors"] })
  })

  it("prefetchRelated takes relations of any kind, nested; Prefetch one relation of the model", () => {
    const rows = Author.objects.prefetchRelated("books.publisher.country", "edited", Prefetch("books", Book.objects.all(), { to: "all" }))
    type Row = Rows<typeof rows>
    expectTypeOf<Row["books"][number]["publisher"]["country"]>().toEqualTypeOf<Relation.Target<PublisherF["country"]> | null>()
    expectTypeOf<Row["all"]>().toEqualTypeOf<ReadonlyArray<Book>>()
    // @ts-expect-error not a relation
    Author.objects.prefetchRelated("books.name")
    // @ts-expect-error no relation `boks`
    Author.objects.prefetchRelated("boks")
    // @ts-expect-error a Prefetch names a relation of the model
    Author.objects.prefetchRelated(Prefetch("publisher"))
    expectTypeOf<Path.Check<Relation.FieldsOf<Author>, "books.nope", "relation">>().toEqualTypeOf<
      "books.publisher" | "books.editor" | "books.authors"
    >()
    expectTypeOf<Path.Names<Relation.FieldsOf<Author>, "relation">>().toEqualTypeOf<"books" | "edited">()
  })
})

describe("FilterSet paths", () => {
  it("checks the paths of `fields` and `ordering` as written", () => {
    FilterSet.make(Book, { fields: { name: ["icontains"], "publisher.country.name": ["exact"], "authors.age": ["gte"] }, ordering: ["pages", "publisher.name"] })
    // Not run: FilterSet.make also throws on a bad path.
    const bad = () => {
      // @ts-expect-error no field `nmae` on the publisher
      FilterSet.make(Book, { fields: { "publisher.nmae": ["exact"] } })
      // @ts-expect-error no field `pagez`
      FilterSet.make(Book, { fields: {}, ordering: ["pagez"] })
    }
    expectTypeOf(bad).toBeFunction()
  })
})

describe("errors print model names and lookup names", () => {
  it("an unknown lookup's expected type lists the lookups of the field's kind", () => {
    type NumberLookups = Lookup.LookupsOf<Field.Field<number, "number">>
    expectTypeOf<keyof NumberLookups>().toEqualTypeOf<"exact" | "in" | "gt" | "gte" | "lt" | "lte" | "range" | "isNull">()
    expectTypeOf<NumberLookups>().toEqualTypeOf<
      Lookup.Lookups<"exact" | "in" | "gt" | "gte" | "lt" | "lte" | "range" | "isNull", Lookup.Comparable<number>>
    >()
    // The names the types list are the names the runtime parser knows.
    const kinds = ["string", "number", "date", "datetime", "time", "json"] as const
    type Names<K extends Field.LookupKind> = keyof Lookup.LookupsOf<Field.Field<any, K>>
    const typed: { readonly [K in (typeof kinds)[number]]: ReadonlyArray<Names<K>> } = Lookup.lookupNames as any
    expectTypeOf(typed.datetime).toEqualTypeOf<ReadonlyArray<Names<"datetime">>>()
    expect(Object.fromEntries(kinds.map((k) => [k, [...Lookup.lookupNames[k]].sort()]))).toEqual({
      string: ["contains", "endsWith", "exact", "gt", "gte", "iEndsWith", "iStartsWith", "icontains", "iexact", "in", "iregex", "isNull", "lt", "lte", "range", "regex", "startsWith"],
      number: ["exact", "gt", "gte", "in", "isNull", "lt", "lte", "range"],
      date: ["day", "exact", "gt", "gte", "in", "isNull", "lt", "lte", "month", "range", "weekDay", "year"],
      datetime: ["date", "day", "exact", "gt", "gte", "hour", "in", "isNull", "lt", "lte", "minute", "month", "range", "second", "weekDay", "year"],
      time: ["exact", "gt", "gte", "hour", "in", "isNull", "lt", "lte", "minute", "range", "second"],
      // The lookups of a JSON field's whole value; its filter also takes `path` and `key` (JsonLookup.ts).
      json: ["containedBy", "contains", "endsWith", "exact", "gt", "gte", "hasAnyKeys", "hasKey", "hasKeys", "iEndsWith", "iStartsWith", "icontains", "iexact", "in", "iregex", "isNull", "lt", "lte", "regex", "startsWith"]
    })
    expectTypeOf<Names<"string">>().toEqualTypeOf<
      | "exact" | "iexact" | "contains" | "icontains" | "in" | "gt" | "gte" | "lt" | "lte" | "startsWith"
      | "iStartsWith" | "endsWith" | "iEndsWith" | "range" | "isNull" | "regex" | "iregex"
    >()
    // @ts-expect-error `like` is no lookup of an integer (the error lists exact | in | gt | ...)
    Book.objects.filter({ pages: { like: 3 } })
  })

  it("filters are named after their model: Where<Book>, FilterOf<Book>, RelatedFilter<Publisher>", () => {
    // One object type (a Q over the same fields is one too), so that a misspelt field gets "Did you mean ...?".
    expectTypeOf<Lookup.Where<Book>>().toEqualTypeOf<Lookup.FilterOf<Book>>()
    expectTypeOf<Lookup.Q<BookF>>().toMatchTypeOf<Lookup.Where<Book>>()
    expectTypeOf<Lookup.Q<PublisherF>>().not.toMatchTypeOf<Lookup.Where<Book>>()
    // @ts-expect-error 'pagse' does not exist in type 'FilterOf<Book>'. Did you mean to write 'pages'?
    Book.objects.filter({ pagse: 1 })
    expectTypeOf<Lookup.RelationFilter<BookF["publisher"]>>().toEqualTypeOf<number | Publisher | Lookup.RelatedFilter<Publisher>>()
    Book.objects.filter({ publisher: { country: { name: "France" } } }, Lookup.Q.or({ name: "a" }, { pages: 1 }))
    // @ts-expect-error no field `nmae` on the publisher ('nmae' does not exist in type 'Publisher | RelatedFilter<Publisher>')
    Book.objects.filter({ publisher: { nmae: "x" } })
    // @ts-expect-error an instance is no filter
    Book.objects.filter(new Book({ id: 1, name: "b", pages: 1, publisherId: 1, editorId: null }))
  })

  it("Q's parts are checked as the filter they stand in: errors name the model (FilterOf<Book>)", () => {
    Book.objects.filter(Lookup.Q.or(Lookup.Q.not({ pages: { gt: 3 } }), Lookup.Q.and({ name: "x" }, { publisher: { name: "A" } })))
    Book.objects.exclude(Lookup.Q.or({ pages: 1 }, { authors: { name: "Ann" } }))
    // @ts-expect-error 'titel' does not exist in type 'FilterOf<Book>'
    Book.objects.filter(Lookup.Q.or({ pages: { gt: 3 } }, { titel: "x" }))
    // @ts-expect-error 'nmae' does not exist in type 'Publisher | RelatedFilter<Publisher>'
    Book.objects.filter(Lookup.Q.not({ publisher: { nmae: "x" } }))
    // @ts-expect-error a lookup of the wrong kind inside a Q
    Book.objects.filter(Lookup.Q.and({ pages: { startsWith: "1" } }))
    // Outside a filter, the type is given: a condition of Book to pass around.
    const cheap = Lookup.Q.or<Lookup.Where<Book>>({ pages: { lt: 100 } }, { name: { startsWith: "A" } })
    expectTypeOf(cheap).toEqualTypeOf<Lookup.FilterOf<Book>>()
    Book.objects.filter(cheap)
    // @ts-expect-error the given type checks the parts too
    Lookup.Q.or<Lookup.Where<Book>>({ pagez: 1 })
  })
})
