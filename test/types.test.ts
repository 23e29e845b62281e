/**
 * Type-level tests, checked by `npm run typecheck` (`tsc --noEmit`): every `@ts-expect-error` line must fail to
 * compile and every other line must compile. At run time this file only builds querysets and Effects (lazily, so
 * nothing touches a database) and never runs them.
 */
import type { SqlError } from "effect/sql/SqlError"
import { BigDecimal, DateTime, Duration, Effect, Option, Schema } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import {
  type Db,
  DoesNotExist,
  Avg,
  Count,
  F,
  Max,
  Min,
  Sum,
  type DataError,
  type DecodeError,
  type FieldError,
  Field,
  type IntegrityError,
  Model,
  MultipleObjectsReturned,
  Q,
  type QueryError,
  type QuerySet,
  type ValidationError
} from "../src/index.js"

const Tags = Schema.Struct({ tags: Schema.Array(Schema.String), n: Schema.Number })

/** One field of every kind, required, plus nullable, defaulted, generated and choices variants. */
class Kitchen extends Model.Class<Kitchen>("Kitchen")({
  id: Field.AutoField(),
  char: Field.Char({ maxLength: 20 }),
  text: Field.Text(),
  int: Field.Integer(),
  small: Field.SmallInteger(),
  big: Field.BigInteger(),
  float: Field.Float(),
  decimal: Field.Decimal({ maxDigits: 10, decimalPlaces: 2 }),
  flag: Field.Boolean(),
  day: Field.Date(),
  at: Field.DateTime(),
  time: Field.Time(),
  span: Field.Duration(),
  uuid: Field.UUID(),
  data: Field.JSON(Tags),
  status: Field.Char({ maxLength: 10, choices: ["draft", "published"] }),
  level: Field.Integer({ choices: [1, 2, 3] }),
  // optional in `create`
  note: Field.Text({ nullable: true }),
  score: Field.Integer({ nullable: true }),
  born: Field.Date({ nullable: true }),
  seen: Field.DateTime({ nullable: true }),
  meta: Field.JSON(Tags, { nullable: true }),
  views: Field.Integer({ default: 0 }),
  kind: Field.Char({ maxLength: 10, choices: ["a", "b"], default: "a" }),
  token: Field.UUID({ autoGenerate: true })
}, { table: "kitchen" }) {}

/** A model whose primary key is not an AutoField. */
class Tagged extends Model.Class<Tagged>("Tagged")({
  code: Field.Char({ maxLength: 8, primaryKey: true }),
  big: Field.BigInteger({ dbColumn: "big_id" }),
  label: Field.Text()
}) {}

/** A model with a 64-bit generated primary key. */
class Event extends Model.Class<Event>("Event")({
  id: Field.BigAutoField(),
  at: Field.DateTime()
}) {}

type Book = Kitchen
const Book = Kitchen

/** The row type of a queryset. */
type RowOf<Q> = Q extends QuerySet.QuerySet<any, any, infer R> ? R : never
type ReadError = FieldError | QueryError | DecodeError | DataError | SqlError
type WriteError = ReadError | ValidationError | IntegrityError

const required = {
  char: "c",
  text: "t",
  int: 1,
  small: 2,
  big: 3n,
  float: 1.5,
  decimal: BigDecimal.fromStringUnsafe("1.25"),
  flag: true,
  day: "2024-01-02",
  at: DateTime.makeUnsafe("2024-01-02T03:04:05Z"),
  time: "12:34:56",
  span: Duration.seconds(5),
  uuid: "6f0c3b6e-0e4e-4b6a-9a57-3a1d2f5f0c11",
  data: { tags: ["x"], n: 1 },
  status: "draft",
  level: 2
} as const

describe("instance field types", () => {
  it("follows each field's kind", () => {
    expectTypeOf<Kitchen["id"]>().toEqualTypeOf<number>()
    expectTypeOf<Kitchen["char"]>().toEqualTypeOf<string>()
    expectTypeOf<Kitchen["text"]>().toEqualTypeOf<string>()
    expectTypeOf<Kitchen["int"]>().toEqualTypeOf<number>()
    expectTypeOf<Kitchen["small"]>().toEqualTypeOf<number>()
    expectTypeOf<Kitchen["big"]>().toEqualTypeOf<bigint>()
    expectTypeOf<Kitchen["float"]>().toEqualTypeOf<number>()
    expectTypeOf<Kitchen["decimal"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
    expectTypeOf<Kitchen["flag"]>().toEqualTypeOf<boolean>()
    expectTypeOf<Kitchen["day"]>().toEqualTypeOf<string>()
    expectTypeOf<Kitchen["at"]>().toEqualTypeOf<DateTime.Utc>()
    expectTypeOf<Kitchen["time"]>().toEqualTypeOf<string>()
    expectTypeOf<Kitchen["span"]>().toEqualTypeOf<Duration.Duration>()
    expectTypeOf<Kitchen["uuid"]>().toEqualTypeOf<string>()
    expectTypeOf<Kitchen["data"]>().toEqualTypeOf<{ readonly tags: ReadonlyArray<string>; readonly n: number }>()
    expectTypeOf<Kitchen["views"]>().toEqualTypeOf<number>()
    expectTypeOf<Kitchen["token"]>().toEqualTypeOf<string>()
    expectTypeOf<Tagged["code"]>().toEqualTypeOf<string>()
    expectTypeOf<Tagged["big"]>().toEqualTypeOf<bigint>()
    expectTypeOf<Event["id"]>().toEqualTypeOf<bigint>()
  })

  it("narrows choices to a literal union", () => {
    expectTypeOf<Kitchen["status"]>().toEqualTypeOf<"draft" | "published">()
    expectTypeOf<Kitchen["kind"]>().toEqualTypeOf<"a" | "b">()
    expectTypeOf<Kitchen["level"]>().toEqualTypeOf<1 | 2 | 3>()
  })

  it("adds null for nullable fields", () => {
    expectTypeOf<Kitchen["note"]>().toEqualTypeOf<string | null>()
    expectTypeOf<Kitchen["score"]>().toEqualTypeOf<number | null>()
    expectTypeOf<Kitchen["born"]>().toEqualTypeOf<string | null>()
    expectTypeOf<Kitchen["seen"]>().toEqualTypeOf<DateTime.Utc | null>()
    expectTypeOf<Kitchen["meta"]>().toEqualTypeOf<{ readonly tags: ReadonlyArray<string>; readonly n: number } | null>()
  })

  it("keeps instance fields read-only", () => {
    const update = (k: Kitchen) => {
      // @ts-expect-error fields of an instance are readonly
      k.int = 2
    }
    expectTypeOf(update).toBeFunction()
  })

  it("checks field options", () => {
    // @ts-expect-error a default must have the field's type
    Field.Integer({ default: "zero" })
    // @ts-expect-error a default must be one of the choices
    Field.Char({ maxLength: 5, choices: ["a", "b"], default: "c" })
    // @ts-expect-error Char needs maxLength
    Field.Char({})
  })
})

describe("create", () => {
  it("requires required fields and makes defaulted, nullable and generated ones optional", () => {
    expectTypeOf(Book.objects.create(required)).toEqualTypeOf<Effect.Effect<Kitchen, WriteError, Db.Db>>()
    Book.objects.create({ ...required, id: 7, note: null, score: 3, views: 5, kind: "b", token: "x", meta: null })
    // @ts-expect-error `int` is required
    Book.objects.create({ char: "c", text: "t", small: 2, big: 3n, float: 1.5, decimal: BigDecimal.fromStringUnsafe("1"), flag: true, day: "2024-01-02", at: DateTime.makeUnsafe(0), time: "12:00:00", span: Duration.seconds(1), uuid: "u", data: { tags: [], n: 1 }, status: "draft", level: 1 })
    // @ts-expect-error `status` is required (no default)
    Book.objects.create({ char: "c", text: "t", int: 1, small: 2, big: 3n, float: 1.5, decimal: BigDecimal.fromStringUnsafe("1"), flag: true, day: "2024-01-02", at: DateTime.makeUnsafe(0), time: "12:00:00", span: Duration.seconds(1), uuid: "u", data: { tags: [], n: 1 }, level: 1 })
    Tagged.objects.create({ code: "abc", label: "x", big: 1n })
    Event.objects.create({ at: DateTime.makeUnsafe(0) })
    // @ts-expect-error `at` is required
    Event.objects.create({})
    // @ts-expect-error a non-generated primary key is required
    Tagged.objects.create({ label: "x", big: 1n })
  })

  it("rejects values of the wrong type", () => {
    // @ts-expect-error `int` is a number
    Book.objects.create({ ...required, int: "1" })
    // @ts-expect-error `big` is a bigint
    Book.objects.create({ ...required, big: 3 })
    // @ts-expect-error `decimal` is a BigDecimal, never a JS number
    Book.objects.create({ ...required, decimal: 1.25 })
    // @ts-expect-error `at` is a DateTime.Utc
    Book.objects.create({ ...required, at: new Date() })
    // @ts-expect-error `span` is a Duration
    Book.objects.create({ ...required, span: 5000 })
    // @ts-expect-error `status` is one of the choices
    Book.objects.create({ ...required, status: "deleted" })
    // @ts-expect-error `level` is one of the choices
    Book.objects.create({ ...required, level: 4 })
    // @ts-expect-error `data` follows its schema
    Book.objects.create({ ...required, data: { tags: "x", n: 1 } })
    // @ts-expect-error `int` is not nullable
    Book.objects.create({ ...required, int: null })
    // @ts-expect-error `create` takes values, not F expressions
    Book.objects.create({ ...required, int: F("small") })
  })

  it("rejects unknown keys", () => {
    // @ts-expect-error `nope` is not a field
    Book.objects.create({ ...required, nope: 1 })
    // `pk` names the primary key in writes too (giving both `pk` and the key's name is a FieldError at run time).
    Book.objects.create({ ...required, pk: 7 })
    // @ts-expect-error the primary key's type
    Book.objects.create({ ...required, pk: "7" })
  })
})

describe("filter", () => {
  it("takes field names, and rejects unknown ones", () => {
    Book.objects.filter({ int: 1, char: "x", status: "draft", level: 2, flag: false })
    Book.objects.filter({ note: null })
    // @ts-expect-error `nope` is not a field
    Book.objects.filter({ nope: 1 })
    // @ts-expect-error `nope` is not a field
    Book.objects.exclude({ nope: 1 })
    // @ts-expect-error `nope` is not a field
    Book.objects.get({ nope: 1 })
    // @ts-expect-error a value of the wrong type
    Book.objects.filter({ int: "1" })
    // @ts-expect-error not one of the choices
    Book.objects.filter({ status: "deleted" })
    // @ts-expect-error a non-nullable field is never null
    Book.objects.filter({ int: null })
  })

  it("takes `pk` as the primary key", () => {
    Book.objects.filter({ pk: 1 })
    Book.objects.filter({ pk: { in: [1, 2] } })
    Tagged.objects.filter({ pk: "abc" })
    // @ts-expect-error the primary key is a number
    Book.objects.filter({ pk: "1" })
    // @ts-expect-error Tagged's primary key is a string
    Tagged.objects.filter({ pk: 1 })
  })

  it("accepts each field's lookups only", () => {
    Book.objects.filter({ char: { contains: "x", icontains: "y", startsWith: "a", iEndsWith: "z", regex: "^a", iexact: "A" } })
    Book.objects.filter({ int: { gt: 1, gte: 1, lt: 9, lte: 9, exact: 5, isNull: false } })
    Book.objects.filter({ day: { year: 2008, month: 12, day: { gte: 1 }, weekDay: 2 } })
    Book.objects.filter({ at: { year: 2024, hour: { gte: 2 }, minute: 0, second: { lt: 30 }, date: "2024-01-02" } })
    Book.objects.filter({ at: { date: { year: 2024 } } })
    Book.objects.filter({ time: { hour: 12, minute: { in: [0, 30] } } })
    Book.objects.filter({ data: { isNull: false } })
    // @ts-expect-error unknown lookup
    Book.objects.filter({ int: { like: 1 } })
    // @ts-expect-error `contains` is a text lookup, not an integer one
    Book.objects.filter({ int: { contains: "1" } })
    // @ts-expect-error `contains` is a text lookup, not a decimal one
    Book.objects.filter({ decimal: { contains: "1" } })
    // @ts-expect-error `year` is a date lookup, not a text one
    Book.objects.filter({ char: { year: 2008 } })
    // @ts-expect-error `hour` is not a lookup of dates
    Book.objects.filter({ day: { hour: 12 } })
    // @ts-expect-error `year` is not a lookup of times
    Book.objects.filter({ time: { year: 2008 } })
    // @ts-expect-error `date` is a lookup of timestamps only
    Book.objects.filter({ day: { date: "2024-01-02" } })
    // @ts-expect-error JSON fields take no comparison lookups
    Book.objects.filter({ data: { gt: { tags: [], n: 1 } } })
    // @ts-expect-error JSON fields take lookups only, not a bare value
    Book.objects.filter({ data: { tags: [], n: 1 } })
  })

  it("checks lookup values", () => {
    Book.objects.filter({ int: { gt: 5 } })
    Book.objects.filter({ big: { gt: 5n } })
    Book.objects.filter({ decimal: { lte: BigDecimal.fromStringUnsafe("9.99") } })
    Book.objects.filter({ at: { gte: DateTime.makeUnsafe(0) } })
    Book.objects.filter({ span: { lt: Duration.minutes(1) } })
    // @ts-expect-error `gt` of an Integer takes a number
    Book.objects.filter({ int: { gt: "5" } })
    // @ts-expect-error `gt` of a BigInteger takes a bigint
    Book.objects.filter({ big: { gt: 5 } })
    // @ts-expect-error `gte` of a DateTime takes a DateTime.Utc
    Book.objects.filter({ at: { gte: new Date() } })
    // @ts-expect-error `contains` takes a string
    Book.objects.filter({ char: { contains: 1 } })
  })

  it("compares with F expressions over the model's fields", () => {
    Book.objects.filter({ int: { gt: F("small") } })
    Book.objects.filter({ float: { lte: F("int").mul(2) }, score: { exact: F("int") } })
    Book.objects.filter({ int: { range: [F("small"), 100] } })
    Book.objects.filter({ pk: { gte: F("views") } })
    // @ts-expect-error F refers to a field of the model
    Book.objects.filter({ int: { gt: F("nope") } })
    // @ts-expect-error text lookups take strings, not expressions
    Book.objects.filter({ char: { contains: F("text") } })
  })

  it("takes arrays for `in` and pairs for `range`", () => {
    Book.objects.filter({ int: { in: [1, 2, 3] } })
    Book.objects.filter({ int: { in: [] } })
    Book.objects.filter({ status: { in: ["draft", "published"] } })
    Book.objects.filter({ int: { range: [1, 10] } })
    Book.objects.filter({ day: { range: ["2008-01-01", "2008-12-31"] } })
    // @ts-expect-error `in` takes an array
    Book.objects.filter({ int: { in: 1 } })
    // @ts-expect-error `in` takes an array of the value type
    Book.objects.filter({ int: { in: ["1"] } })
    // @ts-expect-error `in` takes choices only
    Book.objects.filter({ status: { in: ["deleted"] } })
    // @ts-expect-error `in` never takes null
    Book.objects.filter({ score: { in: [1, null] } })
    // @ts-expect-error `range` takes a pair, not one value
    Book.objects.filter({ int: { range: [1] } })
    // @ts-expect-error `range` takes a pair, not three values
    Book.objects.filter({ int: { range: [1, 2, 3] } })
    // @ts-expect-error `range` takes values of the field's type
    Book.objects.filter({ int: { range: ["1", "2"] } })
  })

  it("takes `exact: null` on nullable fields", () => {
    Book.objects.filter({ score: { exact: null } })
    Book.objects.filter({ note: { exact: null } })
    Book.objects.filter({ meta: { exact: null } })
    Book.objects.filter({ score: { isNull: true } })
    Book.objects.filter({ score: null })
    // @ts-expect-error `exact: null` only on nullable fields
    Book.objects.filter({ int: { exact: null } })
    // @ts-expect-error a null value only on nullable fields
    Book.objects.filter({ int: null })
    // @ts-expect-error `exact: null` only on nullable JSON fields
    Book.objects.filter({ data: { exact: null } })
    // @ts-expect-error `exact: null` on a primary key
    Book.objects.filter({ pk: { exact: null } })
  })

  it("takes F expressions as values, in `in`, and in arithmetic over several fields", () => {
    Book.objects.filter({ int: F("small") })
    Book.objects.filter({ int: { in: [1, F("small")] } })
    Book.objects.update({ int: F("int").add(F("small")) })
    Book.objects.update({ float: F("float").mul(F("int")).add(F("small")) })
    // @ts-expect-error `score` is nullable, so the sum may be NULL, which `float` cannot hold
    Book.objects.update({ float: F("float").add(F("score")) })
    // @ts-expect-error an expression over an unknown field
    Book.objects.update({ int: F("int").add(F("nope")) })
    // @ts-expect-error an expression over an unknown field, as a value
    Book.objects.filter({ int: F("nope") })
  })

  it("does not mistake a filter key for a part of Q", () => {
    // @ts-expect-error `op` is not a field
    Book.objects.filter({ char: "x", op: "and" })
    // @ts-expect-error `children` is not a field
    Book.objects.filter({ int: 1, children: [] })
  })

  it("takes nested part lookups", () => {
    Book.objects.filter({ day: { year: { gte: 2008 } } })
    Book.objects.filter({ day: { year: { range: [2008, 2010] }, month: { in: [1, 2] } } })
    Book.objects.filter({ born: { year: { gte: 2008 } } })
    // @ts-expect-error a part compares as a number
    Book.objects.filter({ day: { year: { gte: "2008" } } })
    // @ts-expect-error parts take comparison lookups only
    Book.objects.filter({ day: { year: { contains: "20" } } })
  })

  it("combines conditions with Q.and, Q.or and Q.not", () => {
    Book.objects.filter(Q.or({ int: { gt: 500 } }, { status: "draft" }))
    Book.objects.filter(Q.and({ day: { year: { gte: 2008 } } }, Q.not({ score: null })))
    Book.objects.filter(Q.not(Q.or({ char: { startsWith: "A" } }, { pk: 3 })))
    Book.objects.exclude(Q.and({ flag: true }, { int: { lt: 3 } }))
    Book.objects.filter({ int: 1 }, Q.or({ char: "a" }, { char: "b" }))
    Book.objects.get(Q.or({ pk: 1 }, { char: "x" }))
    Book.objects.filter(Q.or({ int: { gt: F("float") } }, { char: "x" }))
    // @ts-expect-error an unknown field inside Q.or
    Book.objects.filter(Q.or({ int: 1 }, { nope: 1 }))
    // @ts-expect-error a wrong value inside Q.and
    Book.objects.filter(Q.and({ int: "1" }))
    // @ts-expect-error a lookup of another family inside Q.not
    Book.objects.filter(Q.not({ int: { contains: "1" } }))
    // @ts-expect-error a Q over another model's fields
    Book.objects.filter(Q.or<{ readonly label: Field.Field<string, "string", false, false> }>({ label: "x" }))
  })
})

describe("orderBy and distinct", () => {
  it("takes field names, with `-` for descending, and `pk`", () => {
    Book.objects.orderBy("char", "-int", "pk", "-pk")
    Book.objects.orderBy()
    // @ts-expect-error `nope` is not a field
    Book.objects.orderBy("nope")
    // @ts-expect-error `-nope` is not a field
    Book.objects.orderBy("-nope")
    // @ts-expect-error `+` is not a direction
    Book.objects.orderBy("+int")
    Book.objects.distinct("status")
    // @ts-expect-error `nope` is not a field
    Book.objects.distinct("nope")
  })
})

describe("projections", () => {
  it("values(...) rows hold exactly the given fields", () => {
    const qs = Book.objects.values("char", "score")
    expectTypeOf<RowOf<typeof qs>>().toEqualTypeOf<{ readonly char: string; readonly score: number | null }>()
    expectTypeOf<Effect.Success<typeof qs>>().toEqualTypeOf<
      ReadonlyArray<{ readonly char: string; readonly score: number | null }>
    >()
    expectTypeOf<RowOf<typeof qs>>().not.toHaveProperty("int")
    const all = Tagged.objects.values()
    expectTypeOf<RowOf<typeof all>>().toEqualTypeOf<{ readonly code: string; readonly big: bigint; readonly label: string }>()
    // filtering and ordering keep the projection
    const chained = Book.objects.values("status").filter({ int: 1 }).orderBy("-char").limit(5)
    expectTypeOf<RowOf<typeof chained>>().toEqualTypeOf<{ readonly status: "draft" | "published" }>()
    // @ts-expect-error `nope` is not a field
    Book.objects.values("char", "nope")
  })

  it("valuesList(...) rows are tuples; `{ flat: true }` gives the values", () => {
    const tuples = Book.objects.valuesList("char", "int", "decimal", "note")
    expectTypeOf<RowOf<typeof tuples>>().toEqualTypeOf<readonly [string, number, BigDecimal.BigDecimal, string | null]>()
    const flat = Book.objects.valuesList("at", { flat: true })
    expectTypeOf<RowOf<typeof flat>>().toEqualTypeOf<DateTime.Utc>()
    const flatNullable = Book.objects.valuesList("score", { flat: true })
    expectTypeOf<RowOf<typeof flatNullable>>().toEqualTypeOf<number | null>()
    // @ts-expect-error `nope` is not a field
    Book.objects.valuesList("char", "nope")
    // @ts-expect-error `flat` takes exactly one field
    Book.objects.valuesList("char", "int", { flat: true })
  })
})

describe("terminal operations", () => {
  it("get returns the instance; first and last an Option of it; count a number", () => {
    expectTypeOf<Effect.Success<ReturnType<typeof Book.objects.get>>>().toEqualTypeOf<Kitchen>()
    expectTypeOf(Book.objects.get({ pk: 1 })).toEqualTypeOf<
      Effect.Effect<Kitchen, ReadError | DoesNotExist | MultipleObjectsReturned, Db.Db>
    >()
    expectTypeOf(Book.objects.filter({ int: 1 }).first()).toEqualTypeOf<Effect.Effect<Option.Option<Kitchen>, ReadError, Db.Db>>()
    expectTypeOf(Book.objects.last()).toEqualTypeOf<Effect.Effect<Option.Option<Kitchen>, ReadError, Db.Db>>()
    expectTypeOf(Book.objects.count()).toEqualTypeOf<Effect.Effect<number, ReadError, Db.Db>>()
    expectTypeOf(Book.objects.exists()).toEqualTypeOf<Effect.Effect<boolean, ReadError, Db.Db>>()
    expectTypeOf(Book.objects.delete()).toEqualTypeOf<Effect.Effect<QuerySet.DeleteResult, QuerySet.DeleteError, Db.Db>>()
    // A queryset is an Effect yielding its rows.
    expectTypeOf<Effect.Success<typeof Book.objects>>().toEqualTypeOf<ReadonlyArray<Kitchen>>()
    expectTypeOf<Effect.Error<typeof Book.objects>>().toEqualTypeOf<ReadError>()
    expectTypeOf<Effect.Services<typeof Book.objects>>().toEqualTypeOf<Db.Db>()
    // get on a projection returns a projected row
    expectTypeOf<Effect.Success<ReturnType<ReturnType<typeof Book.objects.values<["int"]>>["get"]>>>()
      .toEqualTypeOf<{ readonly int: number }>()
    const flatFirst = Book.objects.valuesList("char", { flat: true }).first()
    expectTypeOf<Effect.Success<typeof flatFirst>>().toEqualTypeOf<Option.Option<string>>()
  })

  it("update takes values and F expressions, and rejects wrong types", () => {
    expectTypeOf(Book.objects.update({ int: 1 })).toEqualTypeOf<Effect.Effect<number, WriteError, Db.Db>>()
    Book.objects.filter({ pk: 1 }).update({ int: F("int").add(1), score: null, note: "x", status: "published" })
    Book.objects.update({ int: F("int").mul(2).sub(1), float: F("float").div(3) })
    Book.objects.update({ big: 5n, decimal: BigDecimal.fromStringUnsafe("2.50"), at: DateTime.makeUnsafe(0) })
    Book.objects.update({ score: F("int") })
    // @ts-expect-error `int` is a number
    Book.objects.update({ int: "1" })
    // @ts-expect-error `int` is not nullable
    Book.objects.update({ int: null })
    // @ts-expect-error `status` is one of the choices
    Book.objects.update({ status: "deleted" })
    // @ts-expect-error `nope` is not a field
    Book.objects.update({ nope: 1 })
    // @ts-expect-error F refers to a field of the model
    Book.objects.update({ int: F("nope") })
    // @ts-expect-error F refers to a field of the model, also inside arithmetic
    Book.objects.update({ int: F("int").add(F("nope")) })
  })
})

describe("error channels", () => {
  it("get fails with DoesNotExist or MultipleObjectsReturned; catchTag removes them", () => {
    const got = Book.objects.get({ pk: 1 })
    expectTypeOf<Effect.Error<typeof got>>().toEqualTypeOf<ReadError | DoesNotExist | MultipleObjectsReturned>()
    const orNull = got.pipe(Effect.catchTag("DoesNotExist", () => Effect.succeed(null)))
    expectTypeOf<Effect.Error<typeof orNull>>().toEqualTypeOf<ReadError | MultipleObjectsReturned>()
    expectTypeOf<Effect.Success<typeof orNull>>().toEqualTypeOf<Kitchen | null>()
    const handled = got.pipe(
      Effect.catchTags({ DoesNotExist: () => Effect.succeed(null), MultipleObjectsReturned: () => Effect.succeed(null) })
    )
    expectTypeOf<Effect.Error<typeof handled>>().toEqualTypeOf<ReadError>()
    const instance = Effect.catchIf(got, (e): e is DoesNotExist => e instanceof DoesNotExist, (e) => Effect.succeed(e.lookup))
    expectTypeOf<Effect.Error<typeof instance>>().toEqualTypeOf<ReadError | MultipleObjectsReturned>()
    expectTypeOf(new MultipleObjectsReturned({ model: "m", lookup: "l" })._tag).toEqualTypeOf<"MultipleObjectsReturned">()
    // @ts-expect-error count never fails with DoesNotExist
    Book.objects.count().pipe(Effect.catchTag("DoesNotExist", () => Effect.succeed(0)))
    // @ts-expect-error no such error tag
    got.pipe(Effect.catchTag("NotFound", () => Effect.succeed(null)))
  })

  it("create and update fail with ValidationError or IntegrityError; catchTag removes them", () => {
    const created = Book.objects.create(required)
    expectTypeOf<Effect.Error<typeof created>>().toEqualTypeOf<WriteError>()
    expectTypeOf<ValidationError>().toMatchTypeOf<Effect.Error<typeof created>>()
    expectTypeOf<IntegrityError>().toMatchTypeOf<Effect.Error<typeof created>>()
    const safe = created.pipe(
      Effect.catchTag("ValidationError", (e) => Effect.succeed(e.issues.map((i) => i.field).join())),
      Effect.catchTag("IntegrityError", (e) => Effect.succeed(e.kind))
    )
    expectTypeOf<Effect.Error<typeof safe>>().toEqualTypeOf<ReadError>()
    expectTypeOf<Effect.Success<typeof safe>>().toEqualTypeOf<Kitchen | string>()
    const updated = Book.objects.update({ int: 1 }).pipe(Effect.catchTag("ValidationError", () => Effect.succeed(0)))
    expectTypeOf<Effect.Error<typeof updated>>().toEqualTypeOf<ReadError | IntegrityError>()
    // @ts-expect-error create never fails with DoesNotExist
    created.pipe(Effect.catchTag("DoesNotExist", () => Effect.succeed(null)))
  })
})

describe("aggregate", () => {
  it("types each result from the function and the field", () => {
    const result = Book.objects.aggregate({
      n: Count(),
      ints: Sum("int"),
      bigs: Sum("big"),
      money: Sum("decimal"),
      avgInt: Avg("int"),
      avgMoney: Avg("decimal"),
      first: Min("day"),
      last: Max("char")
    })
    expectTypeOf(result).toEqualTypeOf<
      Effect.Effect<{
        readonly n: number
        readonly ints: number | null
        readonly bigs: bigint | null
        readonly money: BigDecimal.BigDecimal | null
        readonly avgInt: number | null
        readonly avgMoney: BigDecimal.BigDecimal | null
        readonly first: string | null
        readonly last: string | null
      }, ReadError, Db.Db>
    >()
    // @ts-expect-error an unknown field
    Book.objects.aggregate({ x: Sum("nope") })
    // @ts-expect-error a sum of text
    Book.objects.aggregate({ x: Sum("char") })
    // @ts-expect-error no maximum of a boolean
    Book.objects.aggregate({ x: Max("flag") })
  })
})
