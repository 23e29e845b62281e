/**
 * Models as API codecs: a model class decodes what an HTTP API receives (JSON) and encodes what it sends, and
 * `Model.createInput` / `Model.updateInput` are the Schemas of create and update request bodies. The database codecs
 * stay exact (checked by the round trips of fields.test.ts); here: the JSON side, and that a decoded input writes.
 */
import { describe, expect, expectTypeOf, it, layer } from "@effect/vitest"
import { BigDecimal, DateTime, Duration, Effect, Result, Schema } from "effect"
import { Field, Model, type QuerySet } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

class CdPublisher extends Model.Class<CdPublisher>("CdPublisher")({
  id: Field.BigAutoField(),
  name: Field.Char({ maxLength: 50 })
}, { table: "cd_publisher" }) {}

class CdBook extends Model.Class<CdBook>("CdBook")({
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 100 }),
  pages: Field.Integer({ validators: [Schema.isGreaterThanOrEqualTo(1)] }),
  copies: Field.BigInteger({ default: 0n }),
  price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2 }),
  rating: Field.Float({ nullable: true }),
  published: Field.Date(),
  printedAt: Field.DateTime({ nullable: true }),
  opensAt: Field.Time({ nullable: true }),
  readingTime: Field.Duration({ nullable: true }),
  code: Field.UUID({ autoGenerate: true }),
  inPrint: Field.Boolean({ default: true }),
  format: Field.Char({ maxLength: 9, choices: ["hardcover", "paperback"], default: "paperback" }),
  meta: Field.JSON(Schema.Struct({ tags: Schema.Array(Schema.String), weight: Schema.BigIntFromString }), { nullable: true }),
  version: Field.Version(),
  publisher: Field.ForeignKey(() => CdPublisher, { onDelete: "CASCADE" })
}, { table: "cd_book" }) {}

const dec = BigDecimal.fromStringUnsafe

/** A book as an API receives it: only JSON values. */
const body = {
  id: 7,
  title: "Effect in Action",
  pages: 340,
  copies: "9007199254740993",
  price: "44.50",
  rating: null,
  published: "2024-05-17",
  printedAt: "2024-05-17T10:30:00.250+02:00",
  opensAt: "09:30:00.5",
  readingTime: "PT2H30M0.000001S",
  code: "123e4567-e89b-12d3-a456-426614174000",
  inPrint: true,
  format: "hardcover",
  meta: { tags: ["effect", "sql"], weight: "12345678901234567890" },
  version: 0,
  publisherId: "3"
}

describe("a model is an API codec", () => {
  it("decodes JSON: ISO date-times with any offset, decimal and big integer strings, ISO durations", () => {
    const book = Schema.decodeUnknownSync(CdBook)(body)
    expect(book).toBeInstanceOf(CdBook)
    expect(book.copies).toBe(9007199254740993n)
    expect(BigDecimal.equals(book.price, dec("44.5"))).toBe(true)
    expect(DateTime.toEpochMillis(book.printedAt!)).toBe(Date.UTC(2024, 4, 17, 8, 30, 0, 250))
    expect(Duration.toNanosUnsafe(book.readingTime!)).toBe(9_000_000_001_000n)
    expect(book.meta!.weight).toBe(12345678901234567890n)
    expect(book.publisherId).toBe(3n)
  })

  it("encodes JSON-safe values (strings for decimals, big integers, date-times and durations) and decodes them back", () => {
    const book = Schema.decodeUnknownSync(CdBook)(body)
    const encoded = Schema.encodeSync(CdBook)(book)
    expect(encoded).toEqual({
      ...body,
      printedAt: "2024-05-17T08:30:00.250Z",
      readingTime: "PT2H30M0.000001S"
    })
    // JSON.stringify works on the encoded value (a bigint or a BigDecimal would not survive it).
    const again = Schema.decodeUnknownSync(CdBook)(JSON.parse(JSON.stringify(encoded)))
    expect(Schema.encodeSync(CdBook)(again)).toEqual(encoded)
    // A decimal keeps its scale.
    expect(Schema.encodeSync(CdBook)(new CdBook({ ...book, price: dec("29.90") })).price).toBe("29.90")
  })

  it("refuses what the fields refuse, with the field named", () => {
    const bad = (patch: Record<string, unknown>) => {
      const result = Schema.decodeUnknownResult(CdBook)({ ...body, ...patch })
      expect(Result.isFailure(result)).toBe(true)
      return Result.isFailure(result) ? result.failure.message : ""
    }
    expect(bad({ price: "44.505" })).toMatch(/decimal places[\s\S]*price/)
    expect(bad({ price: 44.5 })).toMatch(/price/)
    expect(bad({ price: "" })).toMatch(/price/)
    expect(bad({ copies: "1.5" })).toMatch(/copies/)
    expect(bad({ copies: "9223372036854775808" })).toMatch(/copies/)
    expect(bad({ printedAt: "yesterday" })).toMatch(/printedAt/)
    expect(bad({ readingTime: "P1M" })).toMatch(/readingTime/)
    expect(bad({ published: "2023-02-30" })).toMatch(/published/)
    expect(bad({ opensAt: "25:00:00" })).toMatch(/opensAt/)
    expect(bad({ pages: 0 })).toMatch(/pages/)
    expect(bad({ format: "scroll" })).toMatch(/format/)
    expect(bad({ title: "x".repeat(101) })).toMatch(/title/)
  })
})

describe("create and update inputs", () => {
  const create = Model.createInput(CdBook)
  const update = Model.updateInput(CdBook)

  it("createInput: the columns create takes, without generated keys and the version; defaults and nullables optional", () => {
    expect(Object.keys(create.fields).sort()).toEqual([
      "code", "copies", "format", "inPrint", "meta", "opensAt", "pages", "price", "printedAt", "published", "publisherId",
      "rating", "readingTime", "title"
    ])
    const minimal = Schema.decodeUnknownSync(create)({ title: "T", pages: 1, price: "1.00", published: "2020-01-01", publisherId: "1" })
    const { price, ...rest } = minimal
    expect(rest).toEqual({ title: "T", pages: 1, published: "2020-01-01", publisherId: 1n })
    expect(BigDecimal.equals(price, dec("1.00"))).toBe(true)
    // A missing required field, and one the model refuses, are both named (with `errors: "all"`, as an API wants).
    const result = Schema.decodeUnknownResult(create)({ title: "T", pages: 0, published: "2020-01-01", publisherId: "1" }, { errors: "all" })
    const message = Result.isFailure(result) ? result.failure.message : ""
    expect(message).toMatch(/price/)
    expect(message).toMatch(/pages/)
    // Keys it does not know (the generated id, the version) are dropped.
    expect(Schema.decodeUnknownSync(create)({ ...body, id: 99, version: 5 })).not.toHaveProperty("id")
  })

  it("updateInput: every writable column, all optional, no primary key", () => {
    expect(Object.keys(update.fields)).not.toContain("id")
    expect(Object.keys(update.fields)).not.toContain("version")
    expect(Schema.decodeUnknownSync(update)({})).toEqual({})
    const patch = Schema.decodeUnknownSync(update)({ price: "2.50", rating: null })
    expect(Object.keys(patch)).toEqual(["price", "rating"])
    expect(BigDecimal.equals(patch.price!, dec("2.50")) && patch.rating === null).toBe(true)
  })

  it("types: the decoded inputs are what create and update take", () => {
    type Create = typeof create.Type
    type Update = typeof update.Type
    type Fields = typeof CdBook extends Model.ModelClass<any, infer F> ? F : never
    expectTypeOf<Create>().toMatchTypeOf<QuerySet.CreateInput<Fields>>()
    expectTypeOf<Update>().toMatchTypeOf<QuerySet.UpdateInput<Fields>>()
    expectTypeOf<Create["price"]>().toEqualTypeOf<BigDecimal.BigDecimal>()
    expectTypeOf<Create["rating"]>().toEqualTypeOf<number | null | undefined>()
    expectTypeOf<typeof create.Encoded["price"]>().toEqualTypeOf<string>()
    expectTypeOf<typeof create.Encoded["publisherId"]>().toEqualTypeOf<string>()
    expectTypeOf<(typeof CdBook)["Encoded"]["printedAt"]>().toEqualTypeOf<string | null>()
    expectTypeOf<(typeof CdBook)["Encoded"]["meta"]>().toEqualTypeOf<{ readonly tags: ReadonlyArray<string>; readonly weight: string } | null>()
    // @ts-expect-error the generated key is not part of a create input
    expectTypeOf<Create["id"]>()
  })
})

for (const driver of Testing.drivers([CdPublisher, CdBook])) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("a decoded create input is created, and the row encodes back to the same JSON values", () =>
      Testing.isolated(Effect.gen(function*() {
        const publisher = yield* CdPublisher.objects.create({ name: "P" })
        const input = yield* Schema.decodeUnknownEffect(Model.createInput(CdBook))({ ...body, publisherId: String(publisher.id) })
        const created = yield* CdBook.objects.create(input)
        const read = yield* CdBook.objects.get({ id: created.id })
        const encoded = Schema.encodeSync(CdBook)(read)
        expect({ ...encoded, id: 0, publisherId: "0" }).toEqual({
          ...body,
          id: 0,
          publisherId: "0",
          printedAt: "2024-05-17T08:30:00.250Z",
          readingTime: "PT2H30M0.000001S"
        })
        const patch = yield* Schema.decodeUnknownEffect(Model.updateInput(CdBook))({ price: "9.99", rating: 4.5 })
        expect(yield* CdBook.objects.filter({ id: created.id }).update(patch)).toBe(1)
        const updated = yield* CdBook.objects.get({ id: created.id })
        expect(Schema.encodeSync(CdBook)(updated)).toMatchObject({ price: "9.99", rating: 4.5, version: 1 })
      })))
  })
}
