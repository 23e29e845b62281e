/**
 * Type-level tests of expressions (issue #12), checked by `npm run typecheck` (`tsc --noEmit`): the exact type of
 * every aggregate, function and arithmetic result, of `annotate` / `alias` rows and of the names they add, and the
 * misuses that must not compile (each `@ts-expect-error` names the misuse that makes its line fail). At run time
 * this file only builds querysets and expressions (lazily: nothing touches a database).
 */
import type { DateTime } from "effect"
import { BigDecimal, Duration, Effect } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import type { Expr, ExprType, Lookup, QuerySet, Relation } from "../src/index.js"
import {
  Abs,
  ArrayAgg,
  Avg,
  BoolAnd,
  BoolOr,
  Case,
  Cast,
  Ceil,
  Coalesce,
  Concat,
  Count,
  Extract,
  F,
  Floor,
  Functions,
  Greatest,
  Least,
  Length,
  Lower,
  Max,
  Min,
  Mod,
  Now,
  NullIf,
  Power,
  Q,
  Replace,
  Round,
  Sqrt,
  StdDev,
  StrIndex,
  StringAgg,
  Substr,
  Sum,
  Trim,
  Trunc,
  Upper,
  Value,
  Variance,
  When
} from "../src/index.js"
import { Author, Book, Publisher, Store } from "./fixtures/aggregation.js"

type Row<Q> = Q extends QuerySet.QuerySet<any, any, infer R> ? R : never
type Result<E> = Effect.Success<E>
type BookF = Relation.FieldsOf<Book>
type PublisherF = Relation.FieldsOf<Publisher>
/** What an expression resolves to over a model's fields: `Typed<T, kind>` or `Invalid<why>`. */
type On<F, E> = ExprType.TypeOf<F, ExprType.DescriptionOf<E>>
/** The value an annotation `e` gives on a Book row. */
type OnBook<E extends Expr.Any> = ExprType.ValueOf<BookF, E>
/** A row as one object type (a `values(...).annotate(...)` row is an intersection, which `toEqualTypeOf` tells apart). */
type Flat<T> = { [K in keyof T]: T[K] }

describe("aggregate results", () => {
  it("Count, Sum, Avg, Min, Max: exact types, NULL over no rows", () => {
    const r = Book.objects.aggregate({
      rows: Count(),
      ids: Count("id"),
      authors: Count("authors", { distinct: true }),
      pages: Sum("pages"),
      price: Sum("price"),
      avgPages: Avg("pages"),
      avgRating: Avg("rating"),
      avgPrice: Avg("price"),
      first: Min("pubdate"),
      last: Max("pubdate"),
      longest: Max("pages"),
      cheapest: Min("price"),
      firstName: Min("name")
    })
    expectTypeOf<Result<typeof r>>().toEqualTypeOf<{
      readonly rows: number
      readonly ids: number
      readonly authors: number
      readonly pages: number | null
      readonly price: BigDecimal.BigDecimal | null
      readonly avgPages: number | null
      readonly avgRating: number | null
      readonly avgPrice: BigDecimal.BigDecimal | null
      readonly first: string | null
      readonly last: string | null
      readonly longest: number | null
      readonly cheapest: BigDecimal.BigDecimal | null
      readonly firstName: string | null
    }>()
    const p = Publisher.objects.aggregate({ total: Sum("duration"), avg: Avg("duration"), max: Max("duration") })
    expectTypeOf<Result<typeof p>>().toEqualTypeOf<{
      readonly total: Duration.Duration | null
      readonly avg: Duration.Duration | null
      readonly max: Duration.Duration | null
    }>()
    const s = Store.objects.aggregate({ opened: Min("originalOpening"), closes: Max("fridayNightClosing") })
    expectTypeOf<Result<typeof s>>().toEqualTypeOf<{
      readonly opened: DateTime.Utc | null
      readonly closes: string | null
    }>()
  })

  it("default makes a result non-null; filter keeps the type", () => {
    const r = Book.objects.aggregate({
      pages: Sum("pages", { default: 0 }),
      price: Avg("price", { default: Value(0) }),
      first: Min("pubdate", { default: Value("2000-01-01") }),
      good: Count("id", { filter: { rating: { gte: 4 } } }),
      goodPages: Sum("pages", { filter: { rating: { gte: 4 } } })
    })
    expectTypeOf<Result<typeof r>>().toEqualTypeOf<{
      readonly pages: number
      readonly price: BigDecimal.BigDecimal
      readonly first: string
      readonly good: number
      readonly goodPages: number | null
    }>()
    // A Q as an aggregate's filter is given its model (inferred from `unknown`, it would be refused).
    const q = Book.objects.aggregate({
      n: Count("id", { filter: Q.or<Lookup.Where<Book>>({ rating: { gte: 4 } }, Q.not({ pages: { lt: 100 } })) })
    })
    expectTypeOf<Result<typeof q>>().toEqualTypeOf<{ readonly n: number }>()
  })

  it("StdDev, Variance, StringAgg, ArrayAgg, BoolAnd, BoolOr", () => {
    const r = Book.objects.aggregate({
      sdRating: StdDev("rating"),
      sdPages: StdDev("pages", { sample: true }),
      varPrice: Variance("price"),
      varPages: Variance("pages", { default: 0 }),
      names: StringAgg("name", ", ", { ordering: [F("name").asc()] }),
      pages: ArrayAgg("pages"),
      prices: ArrayAgg("price", { distinct: true }),
      dates: ArrayAgg("pubdate"),
      all: BoolAnd(Cast("pages", "boolean")),
      any: BoolOr(Cast("pages", "boolean"), { default: Value(false) })
    })
    expectTypeOf<Result<typeof r>>().toEqualTypeOf<{
      readonly sdRating: number | null
      readonly sdPages: number | null
      readonly varPrice: BigDecimal.BigDecimal | null
      readonly varPages: number
      readonly names: string | null
      readonly pages: ReadonlyArray<number> | null
      readonly prices: ReadonlyArray<BigDecimal.BigDecimal> | null
      readonly dates: ReadonlyArray<string> | null
      readonly all: boolean | null
      readonly any: boolean
    }>()
  })

  it("over relation paths and over expressions", () => {
    const p = Publisher.objects.aggregate({
      rating: Avg("books.rating"),
      price: Sum("books.price"),
      books: Count("books"),
      oldest: Min("books.pubdate"),
      value: Sum(F("books.price").mul(F("books.pages")))
    })
    expectTypeOf<Result<typeof p>>().toEqualTypeOf<{
      readonly rating: number | null
      readonly price: BigDecimal.BigDecimal | null
      readonly books: number
      readonly oldest: string | null
      readonly value: BigDecimal.BigDecimal | null
    }>()
    const b = Book.objects.aggregate({
      perBook: Sum("pages").div(Count()),
      plusTwo: Avg("price").add(2),
      awards: Max("publisher.numAwards"),
      ages: Avg("authors.age"),
      sure: Sum("pages", { default: 0 }).mul(Count())
    })
    expectTypeOf<Result<typeof b>>().toEqualTypeOf<{
      readonly perBook: number | null
      readonly plusTwo: BigDecimal.BigDecimal | null
      readonly awards: number | null
      readonly ages: number | null
      readonly sure: number
    }>()
    // An aggregate of annotations.
    const over = Publisher.objects.annotate({ n: Count("books") }).aggregate({ avg: Avg("n"), max: Max("n") })
    expectTypeOf<Result<typeof over>>().toEqualTypeOf<{ readonly avg: number | null; readonly max: number | null }>()
  })

  it("refuses aggregates of the wrong kind, unknown fields and paths", () => {
    // @ts-expect-error a sum of text
    Book.objects.aggregate({ x: Sum("name") })
    // @ts-expect-error an average of a date
    Book.objects.aggregate({ x: Avg("pubdate") })
    // @ts-expect-error a standard deviation of a duration
    Publisher.objects.aggregate({ x: StdDev("duration") })
    // @ts-expect-error StringAgg of a number
    Book.objects.aggregate({ x: StringAgg("pages", ",") })
    // @ts-expect-error BoolAnd of a number
    Book.objects.aggregate({ x: BoolAnd("pages") })
    // @ts-expect-error an unknown field
    Book.objects.aggregate({ x: Sum("nope") })
    // @ts-expect-error an unknown field at the end of a path
    Publisher.objects.aggregate({ x: Avg("books.nope") })
    // @ts-expect-error `name` is not a relation
    Book.objects.aggregate({ x: Max("name.length") })
    // @ts-expect-error an aggregate's filter on an unknown field
    Book.objects.aggregate({ x: Count("id", { filter: { nope: 1 } }) })
    // @ts-expect-error an aggregate's filter with a value of the wrong type (rating is a number)
    Book.objects.aggregate({ x: Count("id", { filter: { rating: { gt: "4" } } }) })
    // @ts-expect-error arithmetic of an aggregate across kinds
    Book.objects.aggregate({ x: Max("pubdate").mul(2) })
    expectTypeOf<On<BookF, ReturnType<typeof Sum<"name">>>>().toEqualTypeOf<
      ExprType.Invalid<"argument 0 is string, a kind it does not take">
    >()
    expectTypeOf<On<PublisherF, ReturnType<typeof Avg<"books.nope">>>>().toEqualTypeOf<
      ExprType.Invalid<`unknown field or path "books.nope"`>
    >()
  })
})

describe("annotate and alias", () => {
  it("instances gain the annotations and keep their fields", () => {
    const qs = Publisher.objects.annotate({ n: Count("books"), avg: Avg("books.rating") })
    expectTypeOf<Row<typeof qs>>().toEqualTypeOf<Publisher & { readonly n: number; readonly avg: number | null }>()
    const program = Effect.gen(function*() {
      const rows = yield* qs
      return rows[0]!
    })
    type P = Result<typeof program>
    expectTypeOf<P["n"]>().toEqualTypeOf<number>()
    expectTypeOf<P["avg"]>().toEqualTypeOf<number | null>()
    expectTypeOf<P["name"]>().toEqualTypeOf<string>()
    expectTypeOf<P["duration"]>().toEqualTypeOf<Duration.Duration | null>()
    // Chained annotations see the earlier ones.
    const twice = qs.annotate({ m: F("n").mul(2) })
    expectTypeOf<Row<typeof twice>["m"]>().toEqualTypeOf<number>()
  })

  it("values(...).annotate(...) groups: rows of the fields and the aggregates", () => {
    const groups = Book.objects.values("rating").annotate({ n: Count("id") })
    expectTypeOf<Flat<Row<typeof groups>>>().toEqualTypeOf<{ readonly rating: number; readonly n: number }>()
    const byPublisher = Book.objects.values("publisher.name").annotate({ totalPages: Sum("pages"), avgPrice: Avg("price") })
    expectTypeOf<Flat<Row<typeof byPublisher>>>().toEqualTypeOf<{
      readonly "publisher.name": string
      readonly totalPages: number | null
      readonly avgPrice: BigDecimal.BigDecimal | null
    }>()
  })

  it("annotation names are fields for orderBy, values, valuesList and filter", () => {
    const qs = Publisher.objects.annotate({ n: Count("books"), avg: Avg("books.rating") })
    qs.orderBy("-n", "avg", "name")
    const values = qs.values("name", "n")
    expectTypeOf<Row<typeof values>>().toEqualTypeOf<{ readonly name: string; readonly n: number }>()
    const flat = qs.valuesList("n", { flat: true })
    expectTypeOf<Row<typeof flat>>().toEqualTypeOf<number>()
    const pairs = qs.valuesList("name", "avg")
    expectTypeOf<Row<typeof pairs>>().toEqualTypeOf<readonly [string, number | null]>()
    const filtered = qs.filter({ n: { gt: 1 } }, { avg: { lte: 4.5 }, name: { startsWith: "A" } })
    expectTypeOf<Row<typeof filtered>>().toEqualTypeOf<Row<typeof qs>>()
    qs.exclude({ n: 0 })
  })

  it("alias names an expression without adding it to the row", () => {
    const qs = Publisher.objects.alias({ n: Count("books") })
    expectTypeOf<Row<typeof qs>>().toEqualTypeOf<Publisher>()
    const filtered = qs.filter({ n: { gt: 1 } }).orderBy("-n")
    expectTypeOf<Row<typeof filtered>>().toEqualTypeOf<Publisher>()
    const annotated = qs.annotate({ twice: F("n").mul(2) })
    expectTypeOf<Row<typeof annotated>>().toEqualTypeOf<Publisher & { readonly twice: number }>()
  })

  it("refuses what is not an expression, and names that are neither annotations nor fields", () => {
    // @ts-expect-error an annotation must be an expression, not a number
    Publisher.objects.annotate({ n: 3 })
    // @ts-expect-error an alias must be an expression, not a string
    Publisher.objects.alias({ n: "books" })
    const qs = Publisher.objects.annotate({ n: Count("books") })
    // @ts-expect-error `m` is neither an annotation nor a field
    qs.orderBy("-m")
    // @ts-expect-error `m` is neither an annotation nor a field
    qs.values("name", "m")
    // @ts-expect-error `m` is neither an annotation nor a field
    qs.valuesList("m", { flat: true })
    // @ts-expect-error `m` is neither an annotation nor a field
    qs.filter({ m: { gt: 1 } })
    // @ts-expect-error an annotation of number is filtered by a number, not a string
    qs.filter({ n: { gt: "1" } })
    // @ts-expect-error `n` is not annotated on this queryset
    Publisher.objects.orderBy("-n")
    // @ts-expect-error an invalid expression in annotate
    Publisher.objects.annotate({ x: F("name").add(1) })
  })
})

describe("functions", () => {
  it("text, conversion and comparison", () => {
    const qs = Book.objects.annotate({
      lower: Lower("name"),
      upper: Upper("publisher.name"),
      concat: Concat("name", Value(" by "), "publisher.name"),
      length: Length("name"),
      at: StrIndex("name", Value("Django")),
      rated: Coalesce("rating", Value(0)),
      nullIf: NullIf("pages", Value(0)),
      decimal: Cast("pages", "decimal"),
      text: Cast("price", "text"),
      year: Extract("pubdate", "year"),
      month: Trunc("pubdate", "month"),
      now: Now()
    })
    type R = Row<typeof qs>
    expectTypeOf<R["lower"]>().toEqualTypeOf<string>()
    expectTypeOf<R["upper"]>().toEqualTypeOf<string>()
    expectTypeOf<R["concat"]>().toEqualTypeOf<string>()
    expectTypeOf<R["length"]>().toEqualTypeOf<number>()
    expectTypeOf<R["at"]>().toEqualTypeOf<number>()
    expectTypeOf<R["rating"]>().toEqualTypeOf<number>()
    expectTypeOf<R["nullIf"]>().toEqualTypeOf<number | null>()
    expectTypeOf<R["decimal"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
    expectTypeOf<R["text"]>().toEqualTypeOf<string>()
    expectTypeOf<R["year"]>().toEqualTypeOf<number>()
    expectTypeOf<R["month"]>().toEqualTypeOf<string>()
    expectTypeOf<R["now"]>().toEqualTypeOf<DateTime.Utc>()
    const more = Book.objects.annotate({
      sub: Substr("name", 1, 10),
      rep: Replace("name", Value("Django"), "isbn"),
      trim: Trim("isbn"),
      most: Greatest("pages", Value(300), "publisher.numAwards"),
      least: Least("pubdate", Cast(Value("2000-01-01"), "date")),
      since: Coalesce("pubdate", Cast(Value("2000-01-01"), "date")),
      mod: Mod("pages", 7),
      ceil: Ceil("price"),
      floor: Floor("rating")
    })
    expectTypeOf<Flat<Omit<Row<typeof more>, keyof Book>>>().toEqualTypeOf<{
      readonly sub: string
      readonly rep: string
      readonly trim: string
      readonly most: number
      readonly least: string
      readonly since: string
      readonly mod: number
      readonly ceil: BigDecimal.BigDecimal
      readonly floor: number
    }>()
    const store = Store.objects.annotate({ day: Trunc("originalOpening", "day"), hour: Extract("fridayNightClosing", "hour") })
    expectTypeOf<Row<typeof store>["day"]>().toEqualTypeOf<DateTime.Utc>()
    expectTypeOf<Row<typeof store>["hour"]>().toEqualTypeOf<number>()
  })

  it("Coalesce is NULL only when every argument may be; strict functions are NULL when an argument may be", () => {
    const qs = Author.objects.annotate({
      fallback: Coalesce("rating", "age"),
      both: Coalesce("rating", "rating"),
      zero: Coalesce("rating", Value(0)),
      abs: Abs("rating"),
      cast: Cast("rating", "decimal"),
      nullIf: NullIf("age", Value(30)),
      concat: Concat("name", "rating"),
      plus: F("rating").add(1),
      times: F("age").mul(F("rating")),
      round: Round("rating", 1)
    })
    type R = Row<typeof qs>
    expectTypeOf<R["fallback"]>().toEqualTypeOf<number>()
    expectTypeOf<R["both"]>().toEqualTypeOf<number | null>()
    expectTypeOf<R["zero"]>().toEqualTypeOf<number>()
    expectTypeOf<R["abs"]>().toEqualTypeOf<number | null>()
    expectTypeOf<R["cast"]>().toEqualTypeOf<BigDecimal.BigDecimal | null>()
    expectTypeOf<R["nullIf"]>().toEqualTypeOf<number | null>()
    expectTypeOf<R["concat"]>().toEqualTypeOf<string>()
    expectTypeOf<R["plus"]>().toEqualTypeOf<number | null>()
    expectTypeOf<R["times"]>().toEqualTypeOf<number | null>()
    expectTypeOf<R["round"]>().toEqualTypeOf<number | null>()
    // A path through a many-valued relation may be NULL (no related row).
    const p = Publisher.objects.annotate({ lower: Lower("books.name"), late: F("duration").add(Duration.days(1)) })
    expectTypeOf<Row<typeof p>["lower"]>().toEqualTypeOf<string | null>()
    expectTypeOf<Row<typeof p>["late"]>().toEqualTypeOf<Duration.Duration | null>()
  })

  it("numbers: Round and Abs keep the type; Power and Sqrt are floats, or exact for decimals", () => {
    const qs = Book.objects.annotate({
      roundPrice: Round("price", 1),
      roundRating: Round("rating"),
      absPages: Abs("pages"),
      absPrice: Abs(F("price").sub(30)),
      powPages: Power("pages", 2),
      powPrice: Power("price", 2),
      sqrtPages: Sqrt("pages"),
      sqrtPrice: Sqrt("price")
    })
    type R = Row<typeof qs>
    expectTypeOf<R["roundPrice"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
    expectTypeOf<R["roundRating"]>().toEqualTypeOf<number>()
    expectTypeOf<R["absPages"]>().toEqualTypeOf<number>()
    expectTypeOf<R["absPrice"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
    expectTypeOf<R["powPages"]>().toEqualTypeOf<number>()
    expectTypeOf<R["powPrice"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
    expectTypeOf<R["sqrtPages"]>().toEqualTypeOf<number>()
    expectTypeOf<R["sqrtPrice"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
  })

  it("Case: NULL without a default, the branches' type with one", () => {
    const qs = Book.objects.annotate({
      label: Case(When({ rating: { gte: 4 } }, Value("good")), When({ rating: { gte: 2 } }, Value("fair"))),
      labelled: Case(When({ rating: { gte: 4 } }, Value("good")), { default: Value("other") }),
      pageCount: Case(When({ publisher: { numAwards: { gt: 5 } } }, "pages"), { default: Value(0) }),
      cost: Case(When({ pages: { gt: 500 } }, F("price").mul(2)), { default: "price" })
    })
    type R = Row<typeof qs>
    expectTypeOf<R["label"]>().toEqualTypeOf<string | null>()
    expectTypeOf<R["labelled"]>().toEqualTypeOf<string>()
    expectTypeOf<R["pages"]>().toEqualTypeOf<number>()
    expectTypeOf<R["price"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
    const q = Book.objects.annotate({
      r: Case(When(Q.or<Lookup.Where<Book>>({ pages: { gt: 500 } }, { rating: { gte: 4.5 } }), Value(true)), { default: Value(false) })
    })
    expectTypeOf<Row<typeof q>["r"]>().toEqualTypeOf<boolean>()
    // A branch that may be NULL makes the result nullable, default or not.
    const a = Author.objects.annotate({ r: Case(When({ age: { gt: 30 } }, "rating"), { default: Value(0) }) })
    expectTypeOf<Row<typeof a>["r"]>().toEqualTypeOf<number | null>()
  })

  it("refuses functions of the wrong kind of argument", () => {
    // @ts-expect-error Lower of a number
    Book.objects.annotate({ x: Lower("pages") })
    // @ts-expect-error Length of a decimal
    Book.objects.annotate({ x: Length("price") })
    // @ts-expect-error Extract of text
    Book.objects.annotate({ x: Extract("name", "year") })
    // @ts-expect-error Trunc of a number
    Book.objects.annotate({ x: Trunc("pages", "day") })
    // @ts-expect-error Sqrt of text
    Book.objects.annotate({ x: Sqrt("name") })
    // @ts-expect-error Coalesce of text and a number
    Book.objects.annotate({ x: Coalesce("name", Value(0)) })
    // @ts-expect-error Coalesce of a date and a decimal
    Book.objects.annotate({ x: Coalesce("pubdate", "price") })
    // @ts-expect-error Case branches of different kinds (text, number)
    Book.objects.annotate({ x: Case(When({ rating: { gte: 4 } }, Value("good")), When({ rating: { lt: 4 } }, Value(1))) })
    // @ts-expect-error Case default of another kind than the branches
    Book.objects.annotate({ x: Case(When({ rating: { gte: 4 } }, Value("good")), { default: "pages" }) })
    // @ts-expect-error a When condition on an unknown field
    Book.objects.annotate({ x: Case(When({ nope: 1 }, Value("good"))) })
    // @ts-expect-error a When condition with a value of the wrong type (rating is a number)
    Book.objects.annotate({ x: Case(When({ rating: { gte: "4" } }, Value("good"))) })
    // @ts-expect-error a date compared with text: a date literal is written Cast(Value("2000-01-01"), "date")
    Book.objects.annotate({ x: Coalesce("pubdate", Value("2000-01-01")) })
    // @ts-expect-error an unknown field in a function
    Book.objects.annotate({ x: Upper("nope") })
    expectTypeOf<On<BookF, ReturnType<typeof Lower<"pages">>>>().toEqualTypeOf<
      ExprType.Invalid<"argument 0 is number, a kind it does not take">
    >()
    expectTypeOf<On<BookF, ReturnType<typeof Coalesce<readonly ["name", Expr.Expr<Expr.Lit<number, "number">, never>]>>>>()
      .toEqualTypeOf<ExprType.Invalid<"argument 1 is number, expected string as the first">>()
  })
})

describe("functions of your own", () => {
  const Similarity = Functions.define<[string, string], number>("similarity({0}, {1})", { kind: "number" })

  it("are typed by their declaration", () => {
    const qs = Book.objects.annotate({ s: Similarity("name", Value("django")) }).orderBy("-s")
    expectTypeOf<Row<typeof qs>["s"]>().toEqualTypeOf<number>()
    // @ts-expect-error an argument of another kind than declared (pages is a number)
    Book.objects.annotate({ s: Similarity("pages", Value("django")) })
  })
})

describe("F and arithmetic", () => {
  it("types arithmetic from the operands' kinds", () => {
    const qs = Book.objects.annotate({
      value: F("price").mul(F("pages")),
      pagesPlus: F("pages").add(1),
      ratio: F("pages").div(F("rating")),
      discount: F("price").sub(BigDecimal.fromStringUnsafe("1.50")),
      nextDay: F("pubdate").add(Duration.days(1)),
      awards: F("publisher.numAwards"),
      awardsPlus: F("publisher.numAwards").add(F("pages")),
      duration: F("publisher.duration").mul(2),
      publisherKey: F("publisher"),
      key: F("pk")
    })
    type R = Row<typeof qs>
    expectTypeOf<R["value"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
    expectTypeOf<R["pagesPlus"]>().toEqualTypeOf<number>()
    expectTypeOf<R["ratio"]>().toEqualTypeOf<number>()
    expectTypeOf<R["discount"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
    expectTypeOf<R["nextDay"]>().toEqualTypeOf<string>()
    expectTypeOf<R["awards"]>().toEqualTypeOf<number>()
    expectTypeOf<R["awardsPlus"]>().toEqualTypeOf<number>()
    expectTypeOf<R["duration"]>().toEqualTypeOf<Duration.Duration | null>()
    expectTypeOf<R["publisherKey"]>().toEqualTypeOf<number>()
    expectTypeOf<R["key"]>().toEqualTypeOf<number>()
    const s = Store.objects.annotate({
      later: F("originalOpening").add(Duration.hours(1)),
      age: Now().sub(F("originalOpening")),
      closing: F("fridayNightClosing").sub(Duration.minutes(30))
    })
    expectTypeOf<Row<typeof s>["later"]>().toEqualTypeOf<DateTime.Utc>()
    expectTypeOf<Row<typeof s>["age"]>().toEqualTypeOf<Duration.Duration>()
    expectTypeOf<Row<typeof s>["closing"]>().toEqualTypeOf<string>()
    expectTypeOf<OnBook<ReturnType<typeof F<"pages">>>>().toEqualTypeOf<number>()
  })

  it("refuses arithmetic across kinds and unknown fields or paths", () => {
    // @ts-expect-error text plus a number
    Book.objects.annotate({ x: F("name").add(1) })
    // @ts-expect-error a date times a number
    Book.objects.annotate({ x: F("pubdate").mul(2) })
    // @ts-expect-error a duration plus a number
    Publisher.objects.annotate({ x: F("duration").add(1) })
    // @ts-expect-error a date minus a date (PostgreSQL gives an integer of days, not a duration)
    Book.objects.annotate({ x: F("pubdate").sub(F("pubdate")) })
    // @ts-expect-error a number plus a date
    Book.objects.annotate({ x: F("pages").add(F("pubdate")) })
    // @ts-expect-error an unknown field
    Book.objects.annotate({ x: F("nope") })
    // @ts-expect-error an unknown field through a relation
    Book.objects.annotate({ x: F("publisher.nope") })
    // @ts-expect-error an unknown field inside arithmetic
    Book.objects.annotate({ x: F("pages").add(F("nope")) })
    const textPlusOne = F("name").add(1)
    expectTypeOf<On<BookF, typeof textPlusOne>>().toEqualTypeOf<ExprType.Invalid<`"+" does not combine string with number`>>()
    const datePlusDate = F("pubdate").add(F("pubdate"))
    expectTypeOf<On<BookF, typeof datePlusDate>>().toEqualTypeOf<ExprType.Invalid<`"+" does not combine date with date`>>()
  })
})

describe("update with expressions", () => {
  it("takes expressions of the field's type", () => {
    const n = Book.objects.filter({ id: 1 }).update({ pages: F("pages").add(1), price: F("price").mul(2), rating: Coalesce("rating", Value(0)) })
    expectTypeOf<Result<typeof n>>().toEqualTypeOf<number>()
    Author.objects.update({ age: Coalesce("rating", "age"), rating: F("age") })
    Publisher.objects.update({ duration: F("duration").add(Duration.days(1)), name: Lower("name") })
  })

  it("refuses an expression of another type, an unknown field, a nullable value for a non-null field", () => {
    // @ts-expect-error a number for a text field
    Book.objects.update({ name: F("pages") })
    // @ts-expect-error an unknown field inside the expression
    Book.objects.update({ pages: F("rating").add(F("nope")) })
    // @ts-expect-error a nullable expression for a non-null field
    Author.objects.update({ age: F("rating") })
    // @ts-expect-error a nullable expression (arithmetic over a nullable field) for a non-null field
    Author.objects.update({ age: F("rating").add(1) })
    // @ts-expect-error a decimal for an integer field
    Book.objects.update({ pages: F("price") })
    // @ts-expect-error an invalid expression (text plus a number)
    Book.objects.update({ pages: F("name").add(1) })
  })
})
