/**
 * Bad input never crashes, never reaches SQL unchecked and never changes data silently: each case the hostile-input
 * run of issue #10 found, on every driver. A refused input is a typed error with no statement run and nothing written.
 */
import { expect, layer } from "@effect/vitest"
import { BigDecimal, DateTime, Duration, Effect, Schema, Stream } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { F, Field, Model, Q, Sum, Tables } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

class BiPublisher extends Model.Class<BiPublisher>("BiPublisher")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  books: Field.Reverse((): Model.Ref<BiBook> => BiBook, "publisher")
}, { table: "bi_publisher" }) {}

class BiAuthor extends Model.Class<BiAuthor>("BiAuthor")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 })
}, { table: "bi_author" }) {}

class BiBook extends Model.Class<BiBook>("BiBook")({
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 50 }),
  body: Field.Text({ default: "" }),
  pages: Field.Integer({ default: 0 }),
  ratio: Field.Float({ nullable: true }),
  price: Field.Decimal({ maxDigits: 10, decimalPlaces: 2, nullable: true }),
  at: Field.DateTime({ nullable: true }),
  day: Field.Date({ nullable: true }),
  span: Field.Duration({ nullable: true }),
  score: Field.JSON(Schema.Struct({ value: Schema.Number }), { nullable: true }),
  any: Field.JSON(Schema.Unknown, { nullable: true }),
  strict: Field.JSON(Schema.Unknown, { default: {} }),
  publisher: Field.ForeignKey(() => BiPublisher, { onDelete: "CASCADE", nullable: true, relatedName: "books" }),
  authors: Field.ManyToMany(() => BiAuthor, { relatedName: "books" })
}, { table: "bi_book" }) {}

/** A 70-byte field name (a short column) and derived constraint names over 63 bytes. */
const LONG_FIELD = "aFieldNameFarLongerThanTheSixtyThreeBytesPostgreSQLKeepsForIdentifiers"
class BiLong extends Model.Class<BiLong>("BiLong")({
  id: Field.AutoField(),
  [LONG_FIELD]: Field.Integer({ dbColumn: "long_value", default: 0 }),
  someRatherLongColumnNameForTheConstraint: Field.Char({ maxLength: 20, unique: true, dbIndex: true })
}, { table: "bi_a_table_name_of_forty_characters_long" }) {}

const models = [BiPublisher, BiAuthor, BiBook, BiLong]

/** Runs `effect`, expecting it to fail; returns the error and the statements it ran. */
const refused = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Testing.captureQueries(Effect.flip(effect)), ({ queries, result }) => ({
    error: result as E & { readonly _tag: string; readonly message: string },
    queries
  }))

/** Expects `effect` to fail with `tag` before any statement, and the book table to be as it was. */
const expectRefused = <A, E, R>(effect: Effect.Effect<A, E, R>, tag: string, message?: string | RegExp) =>
  Effect.gen(function*() {
    const before = yield* BiBook.objects.orderBy("id").values("id", "title", "pages", "ratio", "any", "score")
    const { error, queries } = yield* refused(effect)
    expect(error._tag).toBe(tag)
    if (message !== undefined) expect(error.message).toMatch(message)
    expect(queries).toEqual([])
    expect(yield* BiBook.objects.orderBy("id").values("id", "title", "pages", "ratio", "any", "score")).toEqual(before)
    return error
  })

for (const driver of Testing.drivers(models)) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("lone surrogates are refused in writes and text lookups; well-formed text round-trips", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* BiBook.objects.create({ title: "stored" })
        yield* expectRefused(BiBook.objects.create({ title: "ab\ud800" }), "ValidationError", /lone surrogate/)
        yield* expectRefused(BiBook.objects.create({ title: "é\udc00" }), "ValidationError", /lone surrogate/)
        yield* expectRefused(BiBook.objects.create({ title: "x", body: "\udfffz" }), "ValidationError")
        yield* expectRefused(BiBook.objects.update({ title: "\ud83d" }), "ValidationError")
        yield* expectRefused(BiBook.objects.filter({ title: { contains: "\udfff" } }).count(), "FieldError", /lone surrogate/)
        yield* expectRefused(BiBook.objects.filter({ title: "a\udc00" }).count(), "FieldError")
        yield* expectRefused(BiBook.objects.filter({ title: { in: ["ok", "\ud800"] } }).count(), "FieldError")
        yield* expectRefused(BiBook.objects.filter({ title: { iregex: "\ud800" } }).count(), "FieldError")
        // A surrogate pair is well-formed (an emoji), and U+FFFD itself is ordinary text.
        const emoji = yield* BiBook.objects.create({ title: "😀 \ufffd ok" })
        expect((yield* BiBook.objects.get({ id: emoji.id })).title).toBe("😀 \ufffd ok")
        expect(yield* BiBook.objects.filter({ title: { contains: "😀" } }).count()).toBe(1)
        expect(yield* BiBook.objects.filter({ title: { contains: "\ufffd" } }).count()).toBe(1)
      })))

    it.effect("JSON: NUL, lone surrogates in values or keys, NaN and Infinity, bigints and cycles are refused", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* BiBook.objects.create({ title: "stored", any: { ok: [1, "two", null, true, { deep: 1.5 }] } })
        yield* expectRefused(BiBook.objects.create({ title: "j", any: { a: "x\u0000" } }), "ValidationError", /NUL.* at a/)
        yield* expectRefused(BiBook.objects.create({ title: "j", any: ["\ud800"] }), "ValidationError", /lone surrogate.* at \[0\]/)
        yield* expectRefused(BiBook.objects.create({ title: "j", any: { ["k\udc00"]: 1 } }), "ValidationError", /in a key/)
        yield* expectRefused(BiBook.objects.create({ title: "j", any: { ["k\u0000"]: 1 } }), "ValidationError", /in a key/)
        yield* expectRefused(BiBook.objects.create({ title: "n", score: { value: NaN } }), "ValidationError", /NaN at value/)
        yield* expectRefused(BiBook.objects.create({ title: "n", score: { value: Infinity } }), "ValidationError", /Infinity/)
        yield* expectRefused(BiBook.objects.update({ score: { value: -Infinity } }), "ValidationError", /Infinity/)
        yield* expectRefused(BiBook.objects.create({ title: "b", any: { n: 1n } }), "ValidationError", /bigint at n/)
        const cycle: Record<string, unknown> = {}
        cycle.self = cycle
        yield* expectRefused(BiBook.objects.create({ title: "c", any: cycle }), "ValidationError", /cycle at self/)
        yield* expectRefused(BiBook.objects.create({ title: "d", any: new Date(0) }), "ValidationError", /plain objects/)
        yield* expectRefused(BiBook.objects.filter({ any: { exact: cycle } }).count(), "FieldError")
        yield* expectRefused(BiBook.objects.filter({ any: { exact: { n: 1n } } }).count(), "FieldError")
        yield* expectRefused(BiBook.objects.filter({ any: { exact: "\u0000" } }).count(), "FieldError")
        yield* expectRefused(BiBook.objects.filter({ score: { exact: { value: NaN } } }).count(), "FieldError")
        // The table stays readable, and what jsonb holds exactly is accepted.
        expect(yield* BiBook.objects.filter({ any: { exact: { ok: [1, "two", null, true, { deep: 1.5 }] } } }).count()).toBe(1)
        const fine = yield* BiBook.objects.create({ title: "fine", score: { value: -0.5 }, any: { "": "", "é": "😀", u: undefined } })
        const read = yield* BiBook.objects.get({ id: fine.id })
        expect(read.score).toEqual({ value: -0.5 })
        expect(read.any).toEqual({ "": "", "é": "😀" })
      })))

    it.effect("a stored row that does not decode is a DecodeError naming the model, the key and the field", () =>
      Testing.isolated(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const publisher = yield* BiPublisher.objects.create({ name: "P" })
        const good = yield* BiBook.objects.create({ title: "good", score: { value: 1 }, publisherId: publisher.id })
        // Written by another program: the schema wants a number.
        const [{ id }] = yield* sql<{ id: number }>`INSERT INTO bi_book (title, body, pages, score) VALUES ('bad', '', 0, '{"value": "x"}') RETURNING id`
        const expectDecodeError = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
          Effect.gen(function*() {
            const error = (yield* Effect.flip(effect)) as any
            expect(error._tag).toBe("DecodeError")
            expect(error.model).toBe("BiBook")
            expect(error.field).toBe("score")
            return error
          })
        const all = yield* expectDecodeError(BiBook.objects.all())
        expect(all.pk).toBe(id)
        expect(all.message).toMatch(new RegExp(`BiBook ${id}: the stored value of score does not decode`))
        yield* expectDecodeError(BiBook.objects.get({ id }))
        yield* expectDecodeError(BiBook.objects.filter({ id }).first())
        yield* expectDecodeError(BiBook.objects.values("score"))
        yield* expectDecodeError(BiBook.objects.valuesList("score", { flat: true }))
        yield* expectDecodeError(Stream.runCollect(BiBook.objects.stream()))
        yield* expectDecodeError(Testing.isolated(Stream.runCollect(BiBook.objects.stream())))
        // Through a relation: the related rows are decoded the same way.
        yield* sql`UPDATE bi_book SET publisher_id = ${publisher.id} WHERE id = ${id}`
        yield* expectDecodeError(BiPublisher.objects.prefetchRelated("books").all())
        // The other rows and columns still read.
        expect((yield* BiBook.objects.get({ id: good.id })).score).toEqual({ value: 1 })
        expect(yield* BiBook.objects.filter({ id }).valuesList("title", { flat: true })).toEqual(["bad"])
      })))

    it.effect("the DateTime date part checks the calendar, as Date fields do", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* BiBook.objects.create({ title: "leap", at: DateTime.makeUnsafe("2024-02-29T12:00:00Z") })
        yield* expectRefused(BiBook.objects.filter({ at: { date: "2023-02-30" } }).count(), "FieldError", /YYYY-MM-DD/)
        yield* expectRefused(BiBook.objects.filter({ at: { date: { gte: "2024-13-01" } } }).count(), "FieldError")
        yield* expectRefused(BiBook.objects.filter({ day: "2023-02-29" }).count(), "FieldError")
        expect(yield* BiBook.objects.filter({ at: { date: "2024-02-29" } }).count()).toBe(1)
      })))

    it.effect("identifiers over 63 bytes are refused at declaration; long field names and derived names work", () =>
      Testing.isolated(Effect.gen(function*() {
        const long = "x".repeat(64)
        expect(() => Model.Class<any>("TooLongTable")({ id: Field.AutoField() }, { table: long })).toThrow(/64 bytes.*limit of 63/)
        expect(() => Model.Class<any>(`T${"a".repeat(70)}`)({ id: Field.AutoField() })).toThrow(/table name/)
        expect(() => Model.Class<any>("TooLongColumn")({ id: Field.AutoField(), [long]: Field.Integer() })).toThrow(/give the field a shorter `dbColumn`/)
        expect(() => Model.Class<any>("TooLongColumn2")({ id: Field.AutoField(), n: Field.Integer({ dbColumn: "é".repeat(32) }) })).toThrow(/64 bytes/)
        expect(() =>
          Model.Class<any>("TooLongConstraint")({ id: Field.AutoField(), n: Field.Integer() }, {
            constraints: [{ kind: "unique", fields: ["n"], name: long }]
          })
        ).toThrow(/constraint name/)
        expect(() => Model.Class<any>("DottedField")({ id: Field.AutoField(), ["a.b"]: Field.Integer() })).toThrow(/"\."/)
        expect(() => Model.Class<any>("PkNotKey")({ id: Field.AutoField(), pk: Field.Integer() })).toThrow(/only the primary key/)
        // A field name longer than 63 bytes (on a short column) reads back, in rows and in values.
        const created = yield* BiLong.objects.create({ [LONG_FIELD]: 42, someRatherLongColumnNameForTheConstraint: "a" } as any)
        expect((created as any)[LONG_FIELD]).toBe(42)
        expect(((yield* BiLong.objects.get({ id: created.id })) as any)[LONG_FIELD]).toBe(42)
        expect(yield* BiLong.objects.values(LONG_FIELD as any)).toEqual([{ [LONG_FIELD]: 42 }])
        expect(yield* BiLong.objects.valuesList(LONG_FIELD as any, { flat: true })).toEqual([42])
        expect(yield* BiLong.objects.orderBy(`-${LONG_FIELD}` as any).distinct().values(LONG_FIELD as any)).toEqual([{ [LONG_FIELD]: 42 }])
        // The unique constraint's derived name (`<table>_<column>_key`, 85 bytes) was shortened with a hash, not
        // truncated: the violation names it as created.
        const clash = (yield* Effect.flip(BiLong.objects.create({ someRatherLongColumnNameForTheConstraint: "a" } as any))) as any
        expect(clash._tag).toBe("IntegrityError")
        expect(clash.constraint.length).toBeLessThanOrEqual(63)
        expect(clash.constraint).toMatch(/^bi_a_table_name_of_forty_characters_long_some_.*[0-9a-f]{16}$/)
        const statements = Tables.createSql(BiLong)
        expect(statements.join("\n")).toContain(clash.constraint)
      })))

    it.effect("values(\"pk\") rows carry pk, as the type says", () =>
      Testing.isolated(Effect.gen(function*() {
        const book = yield* BiBook.objects.create({ title: "t" })
        expect(yield* BiBook.objects.values("pk")).toEqual([{ pk: book.id }])
        expect(yield* BiBook.objects.values("pk", "id", "title")).toEqual([{ pk: book.id, id: book.id, title: "t" }])
        expect(yield* BiBook.objects.valuesList("pk", { flat: true })).toEqual([book.id])
        expect(yield* BiBook.objects.orderBy("id").distinct().values("pk")).toEqual([{ pk: book.id }])
        expect(yield* BiBook.objects.filter({ publisher: null }).values("title", "publisher.pk")).toEqual([{ title: "t", "publisher.pk": null }])
      })))

    it.effect("a name that is not a string (a null-prototype object) is a FieldError everywhere", () =>
      Testing.isolated(Effect.gen(function*() {
        const name = Object.create(null) as any
        yield* expectRefused(BiBook.objects.values(name), "FieldError", /field names are strings/)
        yield* expectRefused(BiBook.objects.valuesList(name), "FieldError")
        yield* expectRefused(BiBook.objects.valuesList(name, { flat: true }), "FieldError")
        yield* expectRefused(BiBook.objects.distinct(name).all(), "FieldError")
        yield* expectRefused(BiBook.objects.orderBy(name).all(), "FieldError")
        yield* expectRefused(BiBook.objects.update({ pages: F(name) as any }), "FieldError")
        yield* expectRefused(BiBook.objects.aggregate({ n: Sum(name) as any }), "FieldError")
        yield* expectRefused(BiBook.objects.values(Symbol("x") as any), "FieldError")
        yield* expectRefused(BiBook.objects.values(12 as any), "FieldError")
      })))

    it.effect("a Decimal filter value outside PostgreSQL's numeric range is a FieldError", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* expectRefused(BiBook.objects.filter({ price: BigDecimal.fromStringUnsafe("1e999999") }).count(), "FieldError")
        yield* expectRefused(BiBook.objects.filter({ price: { lt: BigDecimal.fromStringUnsafe("1e-20000") } }).count(), "FieldError")
        yield* expectRefused(BiBook.objects.create({ title: "p", price: BigDecimal.fromStringUnsafe("1e999999") }), "ValidationError")
        expect(yield* BiBook.objects.filter({ price: { lt: BigDecimal.fromStringUnsafe("1e100000") } }).count()).toBe(0)
      })))

    it.effect("an invalid regular expression is a DataError, and an enclosing transaction stays usable", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* BiBook.objects.create({ title: "Regex (1)" })
        const error = (yield* Effect.flip(BiBook.objects.filter({ title: { regex: "(" } }).count())) as any
        expect(error._tag).toBe("DataError")
        expect(error.code).toBe("2201B")
        expect(error.message).toMatch(/invalid regular expression/)
        const insensitive = (yield* Effect.flip(BiBook.objects.filter({ title: { iregex: "[a-" } }).all())) as any
        expect(insensitive._tag).toBe("DataError")
        // Still inside Testing.isolated's transaction: it was not aborted.
        expect(yield* BiBook.objects.filter({ title: { regex: "\\(1\\)$" } }).count()).toBe(1)
        expect(yield* BiBook.objects.filter({ title: { iregex: "^regex" } }).update({ pages: 3 })).toBe(1)
        const inWrite = (yield* Effect.flip(BiBook.objects.filter({ title: { regex: "*" } }).update({ pages: 4 }))) as any
        expect(inWrite._tag).toBe("DataError")
        expect(inWrite.code).toBe("2201B")
        expect((yield* BiBook.objects.get({ title: "Regex (1)" })).pages).toBe(3)
      })))

    it.effect("F() operands and column kinds are checked before SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        const book = yield* BiBook.objects.create({
          title: "f",
          pages: 10,
          ratio: 1.5,
          price: BigDecimal.fromStringUnsafe("2.50"),
          at: DateTime.makeUnsafe("2024-01-01T00:00:00Z"),
          span: Duration.seconds(30)
        })
        yield* expectRefused(BiBook.objects.update({ pages: F("title").add(1) as any }), "FieldError", /cannot compute title \(Char\) \+ a number value/)
        yield* expectRefused(BiBook.objects.update({ title: F("pages") as any }), "FieldError", /pages \(Integer\) does not fit a Char field/)
        yield* expectRefused(BiBook.objects.update({ pages: F("pages").add("1" as any) as any }), "FieldError", /a string value/)
        yield* expectRefused(BiBook.objects.update({ pages: F("pages").add(Infinity) }), "FieldError", /not a finite number/)
        yield* expectRefused(BiBook.objects.update({ pages: F("pages").add(2n ** 70n) as any }), "FieldError", /64-bit/)
        yield* expectRefused(BiBook.objects.update({ span: F("span").add(1) as any }), "FieldError", /does not combine duration with number/)
        yield* expectRefused(BiBook.objects.update({ at: F("at").mul(2) as any }), "FieldError")
        yield* expectRefused(BiBook.objects.update({ any: F("any").add(1) as any }), "FieldError")
        yield* expectRefused(BiBook.objects.filter({ title: F("pages") as any }).count(), "FieldError", /does not fit a Char field/)
        yield* expectRefused(BiBook.objects.filter({ pages: { gt: F("at") as any } }).count(), "FieldError")
        yield* expectRefused(BiBook.objects.filter({ at: { year: F("title") as any } }).count(), "FieldError", /year/)
        // What PostgreSQL can compute runs, with each operand typed by its value.
        expect(yield* BiBook.objects.update({ pages: F("pages").add(0.6) })).toBe(1)
        expect(yield* BiBook.objects.update({ ratio: F("ratio").mul(F("pages")) })).toBe(1)
        expect(yield* BiBook.objects.update({ price: F("price").add(BigDecimal.fromStringUnsafe("0.25")) })).toBe(1)
        expect(yield* BiBook.objects.update({ span: F("span").mul(2).add(Duration.millis(500)) })).toBe(1)
        expect(yield* BiBook.objects.update({ at: F("at").add(Duration.hours(36)) })).toBe(1)
        expect(yield* BiBook.objects.update({ pages: F("pages").add(3_000_000_000).sub(3_000_000_000) })).toBe(1)
        const after = yield* BiBook.objects.get({ id: book.id })
        expect(after.pages).toBe(11)
        expect(after.ratio).toBe(16.5)
        expect(BigDecimal.format(after.price!)).toBe("2.75")
        expect(Duration.toMillis(after.span!)).toBe(60_500)
        expect(DateTime.formatIso(after.at!)).toBe("2024-01-02T12:00:00.000Z")
        expect(yield* BiBook.objects.filter({ at: { gt: F("at").sub(Duration.seconds(1)) } }).count()).toBe(1)
        expect(yield* BiBook.objects.filter({ span: { lt: F("span").add(Duration.seconds(1)) } }).count()).toBe(1)
        // A value the database cannot hold, computed by the statement: a DataError, nothing written.
        const overflow = (yield* Effect.flip(BiBook.objects.update({ pages: F("pages").mul(2147483647) }))) as any
        expect(overflow._tag).toBe("DataError")
        expect(overflow.code).toBe("22003")
      })))

    it.effect("messages show NaN and Infinity, use the right article, and hide automatic join models", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* expectRefused(BiBook.objects.filter({ pages: NaN }).count(), "FieldError", /expects an Integer value, got NaN/)
        yield* expectRefused(BiBook.objects.filter({ pages: { gt: -Infinity } }).count(), "FieldError", /got -Infinity/)
        yield* expectRefused(BiBook.objects.filter({ price: 1 as any }).count(), "FieldError", /expects a Decimal value, got 1/)
        const unknown = yield* expectRefused(BiAuthor.objects.filter({ nope: 1 } as any).count(), "FieldError")
        expect(unknown.message).toMatch(/choices are id, name, books$/)
        expect(unknown.message).not.toMatch(/Set/)
        // The automatic join model's reverse relation is not a name one can filter on.
        yield* expectRefused(BiAuthor.objects.filter({ biBook_authorsSet: { id: 1 } } as any).count(), "FieldError")
      })))

    it.effect("Float keeps -0 (and its infinities and NaN) through every write", () =>
      Testing.isolated(Effect.gen(function*() {
        const created = yield* BiBook.objects.create({ title: "z", ratio: -0 })
        expect(Object.is((yield* BiBook.objects.get({ id: created.id })).ratio, -0)).toBe(true)
        const [bulk] = yield* BiBook.objects.bulkCreate([{ title: "b", ratio: -0 }, { title: "c", ratio: 1 }])
        expect(Object.is((yield* BiBook.objects.get({ id: bulk!.id })).ratio, -0)).toBe(true)
        yield* BiBook.objects.filter({ title: "c" }).update({ ratio: -0 })
        expect(Object.is((yield* BiBook.objects.get({ title: "c" })).ratio, -0)).toBe(true)
        yield* BiBook.objects.filter({ title: "c" }).update({ ratio: Infinity })
        expect((yield* BiBook.objects.get({ title: "c" })).ratio).toBe(Infinity)
        yield* BiBook.objects.filter({ title: "c" }).update({ ratio: NaN })
        expect((yield* BiBook.objects.get({ title: "c" })).ratio).toBeNaN()
        expect(yield* BiBook.objects.filter({ ratio: { in: [-0] } }).count()).toBe(2)
      })))

    it.effect("negative durations round-trip (they were read back as 0)", () =>
      Testing.isolated(Effect.gen(function*() {
        const made = yield* BiBook.objects.create({ title: "d", span: Duration.seconds(-90.5) })
        expect(Duration.toMillis(made.span!)).toBe(-90_500)
        expect(Duration.toMillis((yield* BiBook.objects.get({ id: made.id })).span!)).toBe(-90_500)
        yield* BiBook.objects.update({ span: F("span").sub(Duration.days(400)) })
        expect(Duration.toMillis((yield* BiBook.objects.get({ id: made.id })).span!)).toBe(-90_500 - 400 * 86_400_000)
        expect(yield* BiBook.objects.filter({ span: { lt: Duration.zero } }).count()).toBe(1)
      })))

    it.effect("pk names the primary key in create and update as in filters; save never changes it", () =>
      Testing.isolated(Effect.gen(function*() {
        const made = yield* BiBook.objects.create({ pk: 500, title: "by pk" })
        expect(made.id).toBe(500)
        yield* expectRefused(BiBook.objects.create({ pk: 501, id: 502, title: "both" } as any), "FieldError", /give pk or id, not both/)
        expect(yield* BiBook.objects.filter({ pk: 500 }).update({ pk: 900 })).toBe(1)
        expect(yield* BiBook.objects.filter({ id: 900 }).valuesList("title", { flat: true })).toEqual(["by pk"])
        yield* expectRefused(BiBook.objects.filter({ pk: 900 }).update({ pk: 1, id: 2 } as any), "FieldError", /not both/)
        const instance = yield* BiBook.objects.get({ pk: 900 })
        yield* expectRefused(BiBook.objects.save(instance, { updateFields: ["id"] }), "FieldError", /primary key cannot be updated/)
        // An undefined pk is an omitted one, as any undefined value.
        expect((yield* BiBook.objects.create({ pk: undefined, title: "no pk" })).id).toBeTypeOf("number")
      })))

    it.effect("found by the property tests: values the database cannot hold are refused before SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* BiBook.objects.create({ title: "p", span: Duration.seconds(1), price: BigDecimal.fromStringUnsafe("1.00") })
        const tooLong = Duration.micros(2n ** 63n)
        yield* expectRefused(BiBook.objects.filter({ span: tooLong }).count(), "FieldError")
        yield* expectRefused(BiBook.objects.create({ title: "d", span: tooLong }), "ValidationError", /2\^63 microseconds/)
        yield* expectRefused(BiBook.objects.update({ span: F("span").add(tooLong) }), "FieldError", /2\^63 microseconds/)
        yield* expectRefused(BiBook.objects.update({ price: F("price").add(BigDecimal.make(1n, -200_000)) }), "FieldError", /numeric range/)
        let deep: unknown = 1
        for (let i = 0; i < 5_000; i++) deep = [deep]
        yield* expectRefused(BiBook.objects.create({ title: "j", any: deep }), "ValidationError", /more than 1000 levels/)
        yield* expectRefused(BiBook.objects.filter({ any: { exact: deep } }).count(), "FieldError", /more than 1000 levels/)
        yield* expectRefused(BiBook.objects.create({ title: "j", strict: null }), "ValidationError", /SQL NULL/)
        yield* expectRefused(BiBook.objects.distinct("title").orderBy("pages").values("title"), "FieldError", /starts with its fields/)
      })))

    it.effect("found by the property tests: empty and always-false conditions, parts, dates and timestamps", () =>
      Testing.isolated(Effect.gen(function*() {
        const p = yield* BiPublisher.objects.create({ name: "p" })
        yield* BiBook.objects.bulkCreate([
          { title: "a", day: "2024-02-29", publisher: p, at: DateTime.makeUnsafe("1999-12-31T23:59:59.123Z") },
          { title: "b", day: "1999-01-01" }
        ])
        // An empty condition in Q.or is left out, as Django leaves out an empty Q(): C and not C partition the rows.
        expect(yield* BiBook.objects.filter(Q.or({}, { title: "a" })).valuesList("title", { flat: true })).toEqual(["a"])
        expect(yield* BiBook.objects.filter(Q.not(Q.or({}, { title: "a" }))).valuesList("title", { flat: true })).toEqual(["b"])
        // An always-false condition drops its siblings' parameters with their SQL.
        expect(yield* BiBook.objects.filter({ title: "a", id: { in: [] } }).count()).toBe(0)
        expect(yield* BiBook.objects.filter({ publisher: { isNull: undefined } }).count()).toBe(2)
        expect(yield* BiBook.objects.filter({ day: { year: { in: [2024, 2 ** 31] } } }).valuesList("title", { flat: true })).toEqual(["a"])
        // A timestamp's microseconds are truncated towards the past on every driver, before 2000 too.
        yield* BiBook.objects.filter({ title: "a" }).update({ at: F("at").add(Duration.micros(999n)) })
        expect(DateTime.formatIso((yield* BiBook.objects.get({ title: "a" })).at!)).toBe("1999-12-31T23:59:59.123Z")
        // A date a Date field cannot hold (computed by F) is a DecodeError, not a string the field refuses.
        yield* BiBook.objects.filter({ title: "a" }).update({ day: F("day").sub(Duration.days(800_000)) })
        const error = yield* Effect.flip(BiBook.objects.get({ title: "a" }))
        expect(error).toMatchObject({ _tag: "DecodeError", model: "BiBook", field: "day" })
      })))
  })
}
