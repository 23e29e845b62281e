import { Migration } from "effect-orm/migrations"

export default Migration.make({
  dependencies: [],
  operations: [
    Migration.CreateModel({
      model: {
        name: "Publisher",
        table: "publisher",
        fields: {
          id: { kind: "AutoField", column: "id", nullable: false, primaryKey: true, unique: false, index: false },
          name: {
            kind: "Char",
            column: "name",
            nullable: false,
            primaryKey: false,
            unique: true,
            index: false,
            maxLength: 255
          },
          numAwards: {
            kind: "Integer",
            column: "num_awards",
            nullable: false,
            primaryKey: false,
            unique: false,
            index: false,
            default: "0"
          }
        },
        indexes: [],
        constraints: []
      }
    }),
    Migration.CreateModel({
      model: {
        name: "Author",
        table: "author",
        fields: {
          id: { kind: "AutoField", column: "id", nullable: false, primaryKey: true, unique: false, index: false },
          name: {
            kind: "Char",
            column: "name",
            nullable: false,
            primaryKey: false,
            unique: false,
            index: false,
            maxLength: 100
          }
        },
        indexes: [],
        constraints: []
      }
    }),
    Migration.CreateModel({
      model: {
        name: "Book",
        table: "book",
        fields: {
          id: { kind: "AutoField", column: "id", nullable: false, primaryKey: true, unique: false, index: false },
          name: {
            kind: "Char",
            column: "name",
            nullable: false,
            primaryKey: false,
            unique: false,
            index: false,
            maxLength: 255
          },
          pages: {
            kind: "Integer",
            column: "pages",
            nullable: false,
            primaryKey: false,
            unique: false,
            index: false
          },
          rating: { kind: "Float", column: "rating", nullable: true, primaryKey: false, unique: false, index: false },
          price: {
            kind: "Decimal",
            column: "price",
            nullable: false,
            primaryKey: false,
            unique: false,
            index: false,
            maxDigits: 6,
            decimalPlaces: 2
          },
          pubdate: { kind: "Date", column: "pubdate", nullable: false, primaryKey: false, unique: false, index: false },
          format: {
            kind: "Char",
            column: "format",
            nullable: false,
            primaryKey: false,
            unique: false,
            index: false,
            default: "'paperback'",
            maxLength: 9,
            choices: ["hardcover", "paperback", "ebook"]
          },
          publisherId: {
            kind: "Integer",
            column: "publisher_id",
            nullable: false,
            primaryKey: false,
            unique: false,
            index: true,
            references: {
              model: "Publisher",
              relation: "publisher",
              kind: "ForeignKey",
              onDelete: "CASCADE",
              relatedName: "books"
            }
          }
        },
        indexes: [],
        constraints: []
      }
    }),
    Migration.CreateModel({
      model: {
        name: "Book_authors",
        table: "book_authors",
        fields: {
          id: { kind: "AutoField", column: "id", nullable: false, primaryKey: true, unique: false, index: false },
          bookId: {
            kind: "Integer",
            column: "book_id",
            nullable: false,
            primaryKey: false,
            unique: false,
            index: true,
            references: { model: "Book", relation: "book", kind: "ForeignKey", onDelete: "CASCADE" }
          },
          authorId: {
            kind: "Integer",
            column: "author_id",
            nullable: false,
            primaryKey: false,
            unique: false,
            index: true,
            references: { model: "Author", relation: "author", kind: "ForeignKey", onDelete: "CASCADE" }
          }
        },
        indexes: [],
        constraints: [
          { kind: "unique", name: "book_authors_uniq", columns: ["book_id", "author_id"] }
        ],
        autoCreated: true
      }
    })
  ]
})
