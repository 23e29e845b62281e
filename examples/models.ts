/**
 * The quick start's models: a publisher has books, a book has authors (many-to-many). Their tables come from the
 * migrations in examples/migrations (`npm run examples:makemigrations` after a change).
 */
import { Schema } from "effect"
import { Field, Model } from "effect-orm"

export class Publisher extends Model.Class<Publisher>("Publisher")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 255, unique: true }),
  numAwards: Field.Integer({ default: 0, validators: [Schema.isGreaterThanOrEqualTo(0)] }),
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
}, { table: "book", ordering: ["name"] }) {}
