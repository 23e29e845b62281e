import { Migration } from "effect-orm/migrations"

export default Migration.make({
  dependencies: [],
  operations: [
    Migration.CreateModel({
      model: {
        name: "Publisher",
        table: "publisher",
        fields: {
          id: { kind: "AutoField", column: "id", primaryKey: true },
          name: { kind: "Char", column: "name", unique: true, maxLength: 255 },
          numAwards: { kind: "Integer", column: "num_awards", default: "0" }
        }
      }
    }),
    Migration.CreateModel({
      model: {
        name: "Author",
        table: "author",
        fields: {
          id: { kind: "AutoField", column: "id", primaryKey: true },
          name: { kind: "Char", column: "name", maxLength: 100 }
        }
      }
    }),
    Migration.CreateModel({
      model: {
        name: "Book",
        table: "book",
        fields: {
          id: { kind: "AutoField", column: "id", primaryKey: true },
          name: { kind: "Char", column: "name", maxLength: 255 },
          pages: { kind: "Integer", column: "pages" },
          rating: { kind: "Float", column: "rating", nullable: true },
          price: { kind: "Decimal", column: "price", maxDigits: 6, decimalPlaces: 2 },
          pubdate: { kind: "Date", column: "pubdate" },
          format: {
            kind: "Char",
            column: "format",
            default: "'paperback'",
            maxLength: 9,
            choices: ["hardcover", "paperback", "ebook"]
          },
          publisherId: {
            kind: "Integer",
            column: "publisher_id",
            index: true,
            references: {
              model: "Publisher",
              relation: "publisher",
              kind: "ForeignKey",
              onDelete: "CASCADE",
              relatedName: "books"
            }
          }
        }
      }
    }),
    Migration.CreateModel({
      model: {
        name: "Book_authors",
        table: "book_authors",
        autoCreated: true,
        fields: {
          id: { kind: "AutoField", column: "id", primaryKey: true },
          bookId: {
            kind: "Integer",
            column: "book_id",
            index: true,
            references: { model: "Book", relation: "book", kind: "ForeignKey", onDelete: "CASCADE" }
          },
          authorId: {
            kind: "Integer",
            column: "author_id",
            index: true,
            references: { model: "Author", relation: "author", kind: "ForeignKey", onDelete: "CASCADE" }
          }
        },
        constraints: [
          { kind: "unique", name: "book_authors_uniq", columns: ["book_id", "author_id"] }
        ]
      }
    })
  ]
})
