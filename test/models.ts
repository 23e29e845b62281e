import { Schema } from "effect"
import { Field, Model } from "../src/index.js"

/** Every field type, for round-trip tests. */
export class Sample extends Model.Class<Sample>("Sample")({
  id: Field.AutoField(),
  char: Field.Char({ maxLength: 20, nullable: true }),
  text: Field.Text({ nullable: true }),
  int: Field.Integer({ nullable: true }),
  small: Field.SmallInteger({ nullable: true }),
  big: Field.BigInteger({ nullable: true }),
  float: Field.Float({ nullable: true }),
  decimal: Field.Decimal({ maxDigits: 20, decimalPlaces: 6, nullable: true }),
  flag: Field.Boolean({ nullable: true }),
  day: Field.Date({ nullable: true }),
  at: Field.DateTime({ nullable: true }),
  time: Field.Time({ nullable: true }),
  span: Field.Duration({ nullable: true }),
  uuid: Field.UUID({ nullable: true }),
  data: Field.JSON(Schema.Struct({ tags: Schema.Array(Schema.String), n: Schema.Number }), { nullable: true }),
  status: Field.Char({ maxLength: 10, choices: ["draft", "published"], default: "draft" })
}) {}

export class Publisher extends Model.Class<Publisher>("Publisher")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 255, unique: true }),
  numAwards: Field.Integer({ default: 0, validators: [Schema.nonNegative()] })
}, { ordering: ["name"], constraints: [{ kind: "check", name: "publisher_awards_nonneg", check: { numAwards: { gte: 0 } } }] }) {}

export class Book extends Model.Class<Book>("Book")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 255 }),
  pages: Field.Integer(),
  rating: Field.Float({ nullable: true }),
  price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2 }),
  pubdate: Field.Date(),
  isbn: Field.Char({ maxLength: 13, unique: true, nullable: true })
}, { table: "book", ordering: ["name"], indexes: [{ fields: ["-pubdate", "name"] }] }) {}

export const allModels = [Sample, Publisher, Book]
