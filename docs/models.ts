/**
 * The models the guides' examples share: a small library of countries, publishers, authors and books, and an
 * account with a version counter, with `seed`, which creates their tables and a few rows. A block of a guide imports
 * them as `./models.js`; `scripts/check-docs.mjs` type-checks (and for `ts run` blocks runs) each block against this
 * file.
 */
import { BigDecimal, Effect, Schema } from "effect"
import { Field, Model, Tables } from "effect-orm"

export class Country extends Model.Class<Country>("Country")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 100, unique: true })
}, { ordering: ["name"] }) {}

export class Publisher extends Model.Class<Publisher>("Publisher")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 255, unique: true }),
  numAwards: Field.Integer({ default: 0, validators: [Schema.isGreaterThanOrEqualTo(0)] }),
  country: Field.ForeignKey(() => Country, { onDelete: "SET_NULL", nullable: true, relatedName: "publishers" }),
  // The reverse side of Book.publisher, declared to type it; the annotation breaks the type cycle.
  books: Field.Reverse((): Model.Ref<Book> => Book, "publisher")
}, { ordering: ["name"] }) {}

export class Author extends Model.Class<Author>("Author")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 100 }),
  books: Field.Reverse((): Model.Ref<Book> => Book, "authors")
}, { ordering: ["name"] }) {}

export class Book extends Model.Class<Book>("Book")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 255 }),
  pages: Field.Integer(),
  rating: Field.Float({ nullable: true }),
  price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2 }),
  pubdate: Field.Date(),
  format: Field.Char({ maxLength: 9, choices: ["hardcover", "paperback", "ebook"], default: "paperback" }),
  publisher: Field.ForeignKey(() => Publisher, { onDelete: "CASCADE", relatedName: "books" }),
  authors: Field.ManyToMany(() => Author, { relatedName: "books" })
}, {
  table: "book",
  ordering: ["name"],
  indexes: [{ fields: ["-pubdate", "name"] }],
  constraints: [{ kind: "check", name: "book_pages_positive", check: { pages: { gt: 0 } } }]
}) {}

export class Account extends Model.Class<Account>("Account")({
  id: Field.AutoField(),
  email: Field.Char({ maxLength: 254, unique: true }),
  name: Field.Char({ maxLength: 100 }),
  balance: Field.Integer({ default: 0 }),
  version: Field.Version()
}) {}

/** Every model above, for `Tables.create(...models)` and `Testing.drivers(models)`. */
export const models = [Country, Publisher, Author, Book, Account] as const

/**
 * Creates the tables and a few rows: two publishers (O'Reilly in France), two authors and four books.
 *
 * | book | pages | rating | price | pubdate | format | publisher | authors |
 * | --- | --- | --- | --- | --- | --- | --- | --- |
 * | Practical Django | 520 | 4.5 | 29.99 | 2008-12-01 | paperback | Apress | Ada |
 * | Async Python | 280 | 3.2 | 19.95 | 2021-07-30 | paperback | Apress | Bo |
 * | Effect in Action | 340 | null | 44.50 | 2024-05-17 | ebook | O'Reilly | Ada, Bo |
 * | PostgreSQL Internals | 610 | 4.8 | 59.00 | 2019-03-08 | hardcover | O'Reilly | Bo |
 */
export const seed = Effect.gen(function*() {
  yield* Tables.create(...models)
  const france = yield* Country.objects.create({ name: "France" })
  const apress = yield* Publisher.objects.create({ name: "Apress", numAwards: 3 })
  const oreilly = yield* Publisher.objects.create({ name: "O'Reilly", numAwards: 7, country: france })
  const [ada, bo] = yield* Author.objects.bulkCreate([{ name: "Ada" }, { name: "Bo" }])
  const price = BigDecimal.fromStringUnsafe
  const rows = [
    { name: "Practical Django", pages: 520, rating: 4.5, price: price("29.99"), pubdate: "2008-12-01", publisher: apress, by: [ada!] },
    { name: "Async Python", pages: 280, rating: 3.2, price: price("19.95"), pubdate: "2021-07-30", publisher: apress, by: [bo!] },
    { name: "Effect in Action", pages: 340, price: price("44.50"), pubdate: "2024-05-17", format: "ebook" as const, publisher: oreilly, by: [ada!, bo!] },
    { name: "PostgreSQL Internals", pages: 610, rating: 4.8, price: price("59.00"), pubdate: "2019-03-08", format: "hardcover" as const, publisher: oreilly, by: [bo!] }
  ]
  const books: Array<Book> = []
  for (const { by, ...data } of rows) {
    const book = yield* Book.objects.create(data)
    yield* Book.objects.related(book, "authors").add(...by)
    books.push(book)
  }
  return { france, apress, oreilly, ada: ada!, bo: bo!, books }
})
