/**
 * FilterSet: request parameters (a query string, a JSON body) turned into a QuerySet through an allowlist. Anything
 * not allowed is refused with one ParamsError listing every bad parameter, before any SQL; values are converted from
 * strings by the field's kind; relations are reachable only where the allowlist names them.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { BigDecimal, Effect, Result } from "effect"
import { parse as parseQueryString } from "node:querystring"
import { Field, FilterSet, Model } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

class FsPublisher extends Model.Class<FsPublisher>("FsPublisher")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  books: Field.Reverse((): Model.Ref<FsBook> => FsBook, "publisher")
}, { table: "fs_publisher" }) {}

class FsMember extends Model.Class<FsMember>("FsMember")({
  id: Field.AutoField(),
  email: Field.Char({ maxLength: 100 }),
  loans: Field.Reverse((): Model.Ref<FsLoan> => FsLoan, "member")
}, { table: "fs_member" }) {}

class FsBook extends Model.Class<FsBook>("FsBook")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 100 }),
  pages: Field.Integer(),
  rating: Field.Float({ nullable: true }),
  price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2 }),
  pubdate: Field.Date(),
  inPrint: Field.Boolean({ default: true }),
  format: Field.Char({ maxLength: 10, choices: ["hardcover", "paperback"], default: "paperback" }),
  publisher: Field.ForeignKey(() => FsPublisher, { onDelete: "CASCADE", relatedName: "books" }),
  loans: Field.Reverse((): Model.Ref<FsLoan> => FsLoan, "book")
}, { table: "fs_book", ordering: ["id"] }) {}

class FsLoan extends Model.Class<FsLoan>("FsLoan")({
  id: Field.AutoField(),
  book: Field.ForeignKey(() => FsBook, { onDelete: "CASCADE", relatedName: "loans" }),
  member: Field.ForeignKey(() => FsMember, { onDelete: "CASCADE", relatedName: "loans" })
}, { table: "fs_loan" }) {}

const BookSearch = FilterSet.make(FsBook, {
  fields: {
    name: ["exact", "icontains", "startsWith"],
    pages: ["exact", "gt", "gte", "lt", "lte", "range", "in"],
    rating: ["gte", "isNull"],
    price: ["lte", "range"],
    pubdate: ["exact", "year", "year.gte", "gte", "lt"],
    inPrint: ["exact"],
    format: ["exact", "in"],
    "publisher.name": ["exact", "icontains"],
    publisher: ["exact", "in"]
  },
  ordering: ["pubdate", "name", "pages", "publisher.name"],
  ignore: ["page"]
})

const dec = BigDecimal.fromStringUnsafe

const seed = Effect.gen(function*() {
  const apress = yield* FsPublisher.objects.create({ name: "Apress" })
  const prentice = yield* FsPublisher.objects.create({ name: "Prentice Hall" })
  const ann = yield* FsMember.objects.create({ email: "ann@example.com" })
  const books = yield* FsBook.objects.bulkCreate([
    { name: "The Definitive Guide to Django", pages: 447, rating: 4.5, price: dec("30.00"), pubdate: "2007-12-06", publisherId: apress.id },
    { name: "Practical Django Projects", pages: 300, rating: 4.0, price: dec("29.69"), pubdate: "2008-06-23", publisherId: apress.id },
    { name: "Python Web Development with Django", pages: 350, rating: null, price: dec("29.69"), pubdate: "2008-11-03", publisherId: prentice.id, format: "hardcover" },
    { name: "Artificial Intelligence", pages: 1132, rating: 4.0, price: dec("82.80"), pubdate: "1995-01-15", publisherId: prentice.id, inPrint: false }
  ])
  yield* FsLoan.objects.create({ bookId: books[0]!.id, memberId: ann.id })
  return { apress, prentice, books }
})

const names = <E, R>(effect: Effect.Effect<ReadonlyArray<FsBook>, E, R>) => Effect.map(effect, (rows) => rows.map((b) => b.name))

for (const driver of Testing.drivers([FsPublisher, FsMember, FsBook, FsLoan])) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("the issue's query string: values converted from strings, a relation the allowlist names, an ordering", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const qs = yield* BookSearch.apply(FsBook.objects.all(), {
          pages__gt: "300",
          name__icontains: "django",
          publisher__name: "Apress",
          ordering: "-pubdate"
        })
        expect(yield* names(qs)).toEqual(["The Definitive Guide to Django"])
        // The same from a real query string, and from URLSearchParams (a repeated parameter is a list).
        const fromNode = yield* BookSearch.apply(FsBook.objects.all(), parseQueryString("pages__in=300&pages__in=350&ordering=-pages"))
        expect(yield* names(fromNode)).toEqual(["Python Web Development with Django", "Practical Django Projects"])
        const search = new URL("http://x/books?pages__range=300,447&ordering=publisher__name,-pubdate&page=2").searchParams
        const fromUrl = yield* BookSearch.apply(FsBook.objects.all(), FilterSet.fromSearchParams(search))
        expect(yield* names(fromUrl)).toEqual(["Practical Django Projects", "The Definitive Guide to Django", "Python Web Development with Django"])
      })))

    it.effect("every kind converts from its string form, and the spellings (__, dots, nesting) agree", () =>
      Testing.isolated(Effect.gen(function*() {
        const { apress } = yield* seed
        const run = (params: FilterSet.Input) => Effect.flatMap(BookSearch.apply(FsBook.objects.all(), params), (qs) => names(qs))
        expect(yield* run({ inPrint: "false" })).toEqual(["Artificial Intelligence"])
        expect(yield* run({ inPrint: "1", format: "hardcover" })).toEqual(["Python Web Development with Django"])
        expect(yield* run({ rating__isNull: "true" })).toEqual(["Python Web Development with Django"])
        expect(yield* run({ rating__gte: "4.25" })).toEqual(["The Definitive Guide to Django"])
        expect(yield* run({ price__lte: "29.69" })).toHaveLength(2)
        expect(yield* run({ price__range: ["29.70", "100"] })).toEqual(["The Definitive Guide to Django", "Artificial Intelligence"])
        expect(yield* run({ pubdate__year: "2008" })).toHaveLength(2)
        expect(yield* run({ pubdate__year__gte: "2008", pubdate__lt: "2008-07-01" })).toEqual(["Practical Django Projects"])
        expect(yield* run({ pubdate: "1995-01-15" })).toEqual(["Artificial Intelligence"])
        expect(yield* run({ publisher: String(apress.id) })).toHaveLength(2)
        expect(yield* run({ format__in: "hardcover,paperback" })).toHaveLength(4)
        // The dotted and nested spellings of the API, and JSON scalars from a body.
        expect(yield* run({ "publisher.name__icontains": "apr" })).toHaveLength(2)
        expect(yield* run({ "publisher.name.icontains": "apr" })).toHaveLength(2)
        expect(yield* run({ publisher: { name: { icontains: "apr" } }, pages: { gt: 300 } })).toEqual(["The Definitive Guide to Django"])
        expect(yield* run({ pages: 300 })).toEqual(["Practical Django Projects"])
        expect(yield* run({ inPrint: false })).toEqual(["Artificial Intelligence"])
        // A relation is reachable where the allowlist names it, to any depth, and a reverse relation by its keys.
        const staff = FilterSet.make(FsBook, { fields: { "loans.member.email": ["startsWith"], loans: ["isNull"] } })
        const loaned = (params: FilterSet.Input) => Effect.flatMap(staff.apply(FsBook.objects.all(), params), (qs) => names(qs))
        expect(yield* loaned({ loans__member__email__startsWith: "ann" })).toEqual(["The Definitive Guide to Django"])
        expect(yield* loaned({ loans__isNull: "false" })).toEqual(["The Definitive Guide to Django"])
        // No parameters: the queryset as it was; its own filters are kept.
        expect(yield* run({})).toHaveLength(4)
        const mine = FsBook.objects.filter({ publisherId: apress.id })
        expect(yield* names(yield* BookSearch.apply(mine, { pages__lt: "400" }))).toEqual(["Practical Django Projects"])
      })))

    it.effect("anything not allowed is refused: one ParamsError listing every bad parameter, no SQL, nothing ignored", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const refused = (params: FilterSet.Input) =>
          Effect.gen(function*() {
            const { queries, result } = yield* Testing.captureQueries(Effect.flip(Effect.flatMap(BookSearch.apply(FsBook.objects.all(), params), (qs) => qs.asEffect())))
            expect(queries).toEqual([])
            expect(result._tag).toBe("ParamsError")
            return (result as FilterSet.ParamsError).issues
          })
        // The issue's probe: members' e-mails through loans, a relation the allowlist does not name.
        const probe = yield* refused({ loans__member__email__startsWith: "ann" })
        expect(probe).toEqual([{ param: "loans__member__email__startsWith", message: expect.stringMatching(/^unknown parameter; filters are name, pages/) }])
        // Every bad parameter at once, with its reason.
        const issues = yield* refused({
          pages__gt: "three hundred",
          pages: "1.5",
          name__iregex: ".*",
          nope: "1",
          rating__gte: "NaN",
          inPrint: "maybe",
          pubdate: "2023-02-30",
          format: "ebook",
          price__lte: "1e999999",
          "publisher.name": ["a", "b"],
          ordering: "-secret,name"
        })
        expect(Object.fromEntries(issues.map((i) => [i.param, i.message]))).toEqual({
          pages__gt: "expected an integer, got \"three hundred\"",
          pages: "expected an integer, got \"1.5\"",
          name__iregex: "lookup \"iregex\" is not allowed here; allowed: exact, icontains, startsWith",
          nope: expect.stringMatching(/^unknown parameter/),
          rating__gte: "expected a number, got \"NaN\"",
          inPrint: "expected true or false, got \"maybe\"",
          pubdate: "expected a date written YYYY-MM-DD, got \"2023-02-30\"",
          format: "expected one of hardcover, paperback, got \"ebook\"",
          price__lte: "\"1e999999\" is out of range for a decimal",
          "publisher.name": "expected a single value, got a list",
          ordering: "cannot order by \"-secret\"; allowed: pubdate, name, pages, publisher.name"
        })
        // Operator injection: an object arriving from JSON becomes lookups only where they are allowed.
        expect(yield* refused({ rating: { isNull: false, gte: "1" }, name: { isNull: true } })).toEqual([
          { param: "name.isNull", message: "lookup \"isNull\" is not allowed here; allowed: exact, icontains, startsWith" }
        ])
        expect(yield* refused({ name: { regex: ".*" } })).toHaveLength(1)
        expect((yield* refused({ pages: ["300"] }))[0]!.message).toBe("expected a single value, got a list")
        expect((yield* refused({ pages: { gt: { $ne: 1 } } }))[0]!.param).toBe("pages.gt.$ne")
        // Prototype names and odd keys are unknown parameters, not properties.
        const odd = yield* refused(JSON.parse("{\"__proto__\": {\"pages\": 1}, \"constructor\": \"x\", \"pages__\": \"1\", \"\": \"1\"}"))
        expect(odd.map((i) => i.param).sort()).toEqual(["", "__proto__.pages", "constructor", "pages__"].sort())
        // Strings with characters PostgreSQL cannot store are refused as values.
        expect((yield* refused({ name__icontains: "a\u0000" }))[0]!.message).toMatch(/NUL/)
        expect((yield* refused({ name: "\ud800" }))[0]!.message).toMatch(/lone surrogate/)
      })))

    it.effect("limits: conditions, in-list length, text length, nesting", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const small = FilterSet.make(FsBook, { fields: { pages: ["in", "gt", "lt"], name: ["icontains"] }, maxConditions: 2, maxListLength: 3, maxValueLength: 10 })
        const issues = (params: FilterSet.Input) =>
          Effect.map(Effect.flip(small.apply(FsBook.objects.all(), params)), (e) => e.issues.map((i) => i.message))
        expect(yield* issues({ pages__gt: "1", pages__lt: "9", name__icontains: "x" })).toEqual(["too many conditions (at most 2)"])
        expect(yield* issues({ pages__in: "1,2,3,4" })).toEqual(["at most 3 values"])
        expect(yield* issues({ pages__in: ["1", "x"] })).toEqual(["value 2: expected an integer, got \"x\""])
        expect(yield* issues({ name__icontains: "x".repeat(11) })).toEqual(["at most 10 characters"])
        let deep: Record<string, unknown> = { gt: "1" }
        for (let i = 0; i < 20; i++) deep = { pages: deep }
        expect(yield* issues(deep)).toEqual(["nested too deeply"])
        expect(yield* Effect.flatMap(small.apply(FsBook.objects.all(), { pages__in: "300,350,447" }), (qs) => qs.count())).toBe(3)
        // Regular expressions only with allowRegex.
        const regex = FilterSet.make(FsBook, { fields: { name: ["iregex"] }, allowRegex: true })
        expect(yield* Effect.flatMap(regex.apply(FsBook.objects.all(), { name__iregex: "^python" }), (qs) => qs.count())).toBe(1)
      })))

    it.effect("parse gives the checked filter and ordering, for code that builds its own QuerySet", () =>
      Effect.sync(() => {
        const parsed = BookSearch.parse({ pages__gte: "300", ordering: "name" })
        expect(Result.isSuccess(parsed)).toBe(true)
        if (Result.isSuccess(parsed)) expect(parsed.success).toEqual({ condition: { pages: { gte: 300 } }, ordering: ["name"] })
        expect(Result.isFailure(BookSearch.parse("pages=1" as any))).toBe(true)
      }))
  })
}

describe("FilterSet.make", () => {
  const make = (spec: any) => () => FilterSet.make(FsBook, spec)
  it("refuses an allowlist with a mistake, as a model declaration does", () => {
    expect(make({ fields: { nope: ["exact"] } })).toThrow(/unknown field/)
    expect(make({ fields: { pages: ["icontains"] } })).toThrow(/"pages" cannot allow "icontains": an Integer field's lookups are exact, in/)
    expect(make({ fields: { name: ["regex"] } })).toThrow(/allowRegex/)
    expect(make({ fields: { pubdate: ["year.isNull"] } })).toThrow(/part is compared/)
    expect(make({ fields: { pages: ["year"] } })).toThrow(/lookups are/)
    expect(make({ fields: {}, ordering: ["-pages"] })).toThrow(/cannot order by "-pages"/)
    expect(make({ fields: {}, ordering: ["secret"] })).toThrow(/cannot order by "secret"/)
  })
})
