/**
 * The autodetector on schema states built from real models: one changed field, one operation; renames asked, never
 * guessed; drops; cycles; many-to-many join tables; safe mode; its self-check. The database side is in
 * migrations-autodetect-db.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { Coalesce, F, Field, Lower, type Model, Upper, Value } from "../src/index.js"
import { parseRename, suggestName, summarize, verify } from "../src/internal/migrations/autodetect.js"
import { forwardSql } from "../src/internal/migrations/operationSql.js"
import { apply, describe as describeOp } from "../src/internal/migrations/operations.js"
import * as State from "../src/internal/migrations/state.js"
import { fk, type M, m2m, model, ops, refused, state, tags } from "./migrations/detect.js"

describe("autodetector: fields", () => {
  const Pub = model("AdPub", { id: Field.AutoField(), name: Field.Char({ maxLength: 50 }) })
  const Pub2 = model("AdPub2", { id: Field.AutoField() })
  const base = {
    id: Field.AutoField(),
    title: Field.Char({ maxLength: 50 }),
    pages: Field.Integer(),
    price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2 }),
    pub: fk(() => Pub)
  }
  const from = state(model("AdBook", base), Pub, Pub2)
  const changed = (fields: Partial<Record<keyof typeof base | string, unknown>>, options: Model.Options<any> = {}) =>
    state(model("AdBook", Object.fromEntries(Object.entries({ ...base, ...fields }).filter(([, v]) => v !== undefined)) as any, options), Pub, Pub2)

  it("no change gives no operation", () => {
    expect(ops(from, from)).toEqual([])
    expect(ops(from, changed({}))).toEqual([])
  })

  it("an added field is one AddField, named book_pages-style", () => {
    const to = changed({ isbn: Field.Char({ maxLength: 13, default: "" }) })
    const result = ops(from, to)
    expect(result).toEqual([{ _tag: "AddField", model: "AdBook", name: "isbn", field: to.models.AdBook!.fields.isbn }])
    expect(suggestName(result)).toBe("ad_book_isbn")
    expect(summarize(result)).toBe("  - Add field isbn to AdBook")
  })

  it("a removed field with no look-alike is one RemoveField", () => {
    expect(ops(from, changed({ price: undefined }))).toEqual([{ _tag: "RemoveField", model: "AdBook", name: "price" }])
  })

  const alterations: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ["type", { pages: Field.BigInteger() }],
    ["kind with the same type family", { title: Field.Text() }],
    ["null", { pages: Field.Integer({ nullable: true }) }],
    ["default", { pages: Field.Integer({ default: 1 }) }],
    ["unique", { title: Field.Char({ maxLength: 50, unique: true }) }],
    ["index", { title: Field.Char({ maxLength: 50, dbIndex: true }) }],
    ["max length", { title: Field.Char({ maxLength: 80 }) }],
    ["digits", { price: Field.Decimal({ maxDigits: 8, decimalPlaces: 3 }) }],
    ["choices", { title: Field.Char({ maxLength: 50, choices: ["a", "b"] }) }],
    ["column", { pages: Field.Integer({ dbColumn: "page_count" }) }],
    ["on delete", { pub: fk(() => Pub, { onDelete: "PROTECT" }) }],
    ["related name", { pub: fk(() => Pub, { onDelete: "CASCADE", relatedName: "adBooks" }) }],
    ["the referenced model", { pub: fk(() => Pub2) }],
    ["null on a foreign key", { pub: fk(() => Pub, { onDelete: "SET_NULL", nullable: true }) }]
  ]
  for (const [what, fields] of alterations) {
    it(`a change of ${what} is one AlterField`, () => {
      const to = changed(fields)
      const result = ops(from, to)
      expect(result.length).toBe(1)
      const op = result[0]!
      expect(op._tag).toBe("AlterField")
      if (op._tag !== "AlterField") return
      expect(op.field).toEqual(to.models.AdBook!.fields[op.name])
      expect(op.safe).toBeUndefined()
    })
  }

  it("a rename is refused without an answer, naming both candidates and both answers", () => {
    const to = changed({ title: undefined, heading: Field.Char({ maxLength: 50 }) })
    const error = refused(from, to)
    expect(error.questions).toEqual([{
      removed: "AdBook.title",
      added: ["AdBook.heading"],
      message: "AdBook.title was removed and AdBook.heading added: a rename? Answer --rename AdBook.title=heading, or --drop AdBook.title"
    }])
    expect(error.message).toBe(error.questions[0]!.message)
    // Answered as a rename: the column follows; as a drop: remove and add.
    expect(ops(from, to, { renames: [{ _tag: "FieldRename", model: "AdBook", from: "title", to: "heading" }] })).toEqual([
      { _tag: "RenameField", model: "AdBook", from: "title", to: "heading", column: "heading" }
    ])
    expect(tags(ops(from, to, { drops: ["AdBook.title"] }))).toEqual(["RemoveField", "AddField"])
  })

  it("every candidate is named; a field of another kind is not a candidate", () => {
    const to = changed({ title: undefined, a: Field.Text(), b: Field.Char({ maxLength: 9 }), n: Field.Integer({ default: 0 }) })
    const [question] = refused(from, to).questions
    expect(question!.added).toEqual(["AdBook.a", "AdBook.b"])
    expect(question!.message).toContain("--rename AdBook.title=a or --rename AdBook.title=b, or --drop AdBook.title")
  })

  it("a renamed foreign key is asked by its relation name, and answered by either name", () => {
    const to = changed({ pub: undefined, press: fk(() => Pub) })
    expect(refused(from, to).questions[0]!.message).toBe(
      "AdBook.pub was removed and AdBook.press added: a rename? Answer --rename AdBook.pub=press, or --drop AdBook.pub"
    )
    for (const [a, b] of [["pub", "press"], ["pubId", "pressId"]]) {
      const result = ops(from, to, { renames: [{ _tag: "FieldRename", model: "AdBook", from: a!, to: b! }] })
      // The relation's name follows its key field's: nothing else to alter.
      expect(result).toEqual([{ _tag: "RenameField", model: "AdBook", from: "pubId", to: "pressId", column: "press_id" }])
      expect(apply(from, result[0]!).models.AdBook!.fields.pressId!.references!.relation).toBe("press")
    }
  })

  it("a rename that names nothing, or something kept, is an error; so is a drop of nothing", () => {
    const to = changed({ title: undefined, heading: Field.Char({ maxLength: 50 }) })
    const rename = (m: string, a: string, b: string) => ({ renames: [{ _tag: "FieldRename" as const, model: m, from: a, to: b }] })
    expect(refused(from, to, rename("AdBook", "titel", "heading")).problems[0]).toMatch(/AdBook has no field titel/)
    expect(refused(from, to, rename("AdBook", "title", "headline")).problems[0]).toMatch(/AdBook has no field headline/)
    expect(refused(from, to, rename("AdBook", "pages", "heading")).problems[0]).toMatch(/pages is still among/)
    expect(refused(from, to, rename("Nope", "title", "heading")).problems.join()).toMatch(/no model Nope/)
    expect(refused(from, to, { drops: ["AdBook.title", "AdBook.nothing"] }).problems).toEqual(["--drop AdBook.nothing: no such model or field was removed"])
    expect(refused(from, to, { renames: [{ _tag: "ModelRename", from: "AdBook", to: "AdPub" }] }).problems[0]).toMatch(/AdBook is still among the models/)
  })

  it("changing the primary key's kind to or from a generated key is refused by the self-check, not written", () => {
    const to = changed({ id: Field.Integer({ primaryKey: true }) })
    expect(refused(from, to).problems.join()).toMatch(/generated key is not supported/)
  })

  it("indexes and constraints: added after their fields, removed before them, a changed one removed and added", () => {
    const withIndex = changed({}, {
      indexes: [{ fields: ["title", "-pages"] }, { fields: ["price"], name: "ad_book_price" }],
      constraints: [{ kind: "unique", fields: ["title", "pubId"], name: "ad_book_once" }, { kind: "check", check: { pages: { gte: 0 } }, name: "ad_book_pages" }]
    })
    expect(tags(ops(from, withIndex))).toEqual(["AddIndex", "AddIndex", "AddConstraint", "AddConstraint"])
    expect(tags(ops(withIndex, from))).toEqual(["RemoveIndex", "RemoveIndex", "RemoveConstraint", "RemoveConstraint"])
    const redefined = changed({}, {
      indexes: [{ fields: ["title", "-pages"] }, { fields: ["price"], name: "ad_book_price", unique: true }],
      constraints: [{ kind: "unique", fields: ["title", "pubId"], name: "ad_book_once" }, { kind: "check", check: { pages: { gte: 1 } }, name: "ad_book_pages" }]
    })
    expect(ops(withIndex, redefined).map((op) => `${op._tag} ${"name" in op ? op.name : ""}`)).toEqual([
      "RemoveIndex ad_book_price", "RemoveConstraint ad_book_pages", "AddIndex ", "AddConstraint "
    ])
    // Dropping an indexed field drops its index first; adding one adds the index after the field.
    const gone = changed({ price: undefined }, { indexes: [{ fields: ["title", "-pages"] }] })
    expect(tags(ops(withIndex, gone))).toEqual(["RemoveIndex", "RemoveConstraint", "RemoveConstraint", "RemoveField"])
    const fresh = changed({ isbn: Field.Char({ maxLength: 13, default: "" }) }, { indexes: [{ fields: ["isbn"] }] })
    expect(tags(ops(from, fresh))).toEqual(["AddField", "AddIndex"])
    // A renamed field's derived index name follows it: no index operation.
    const indexed = changed({}, { indexes: [{ fields: ["title"] }] })
    const renamed = changed({ title: undefined, heading: Field.Char({ maxLength: 50 }) }, { indexes: [{ fields: ["heading"] }] })
    expect(tags(ops(indexed, renamed, { renames: [{ _tag: "FieldRename", model: "AdBook", from: "title", to: "heading" }] }))).toEqual(["RenameField"])
  })
})

describe("autodetector: index methods and operator classes", () => {
  const fields = { id: Field.AutoField(), data: Field.JSON(Schema.Unknown), code: Field.Char({ maxLength: 8 }) }
  const at = (indexes: Model.Options<any>["indexes"]) => state(model("AdDoc", fields, { indexes }))
  const plain = at([{ fields: ["data"], name: "ad_doc_data" }])
  const gin = at([{ fields: ["data"], name: "ad_doc_data", using: "gin" }])
  const pathOps = at([{ fields: ["data"], name: "ad_doc_data", using: "gin", opclass: "jsonb_path_ops" }])

  it("a btree index's state has no method, as before; another method and an operator class are in it", () => {
    expect(plain.models.AdDoc!.indexes).toEqual([{ name: "ad_doc_data", columns: [{ column: "data", descending: false }], unique: false }])
    expect(at([{ fields: ["data"], name: "ad_doc_data", using: "btree" }])).toEqual(plain)
    expect(pathOps.models.AdDoc!.indexes).toEqual([
      { name: "ad_doc_data", columns: [{ column: "data", descending: false }], unique: false, using: "gin", opclass: "jsonb_path_ops" }
    ])
  })

  it("a change of method or operator class is the index removed and added again; none is no operation", () => {
    expect(ops(gin, gin)).toEqual([])
    for (const [from, to] of [[plain, gin], [gin, pathOps], [pathOps, plain]] as const) {
      const result = ops(from, to)
      expect(tags(result)).toEqual(["RemoveIndex", "AddIndex"])
      expect(result[1]).toEqual({ _tag: "AddIndex", model: "AdDoc", index: to.models.AdDoc!.indexes[0] })
    }
  })

  it("the DDL names the method and the operator class (quoted)", () => {
    const [remove, add] = ops(plain, pathOps)
    const between = apply(plain, remove!)
    expect(forwardSql(add!, between, apply(between, add!))).toEqual([
      `CREATE INDEX "ad_doc_data" ON "ad_doc" USING gin ("data" "jsonb_path_ops")`
    ])
    const hash = at([{ fields: ["code"], using: "hash" }, { fields: ["code", "-id"], opclass: "text_pattern_ops", name: "ad_doc_code_pattern" }])
    let before = State.empty
    const statements = ops(State.empty, hash).flatMap((op) => {
      const after = apply(before, op)
      const sql = forwardSql(op, before, after)
      before = after
      return sql
    })
    expect(statements).toContain(`CREATE INDEX "ad_doc_code_idx" ON "ad_doc" USING hash ("code")`)
    expect(statements).toContain(`CREATE INDEX "ad_doc_code_pattern" ON "ad_doc" ("code" "text_pattern_ops", "id" "text_pattern_ops" DESC)`)
  })

  it("a model refuses an index it cannot have: unique or descending but not btree, an unknown method, an odd class", () => {
    const bad = (index: Record<string, unknown>) => () => model("AdBad", fields, { indexes: [{ fields: ["data"], ...index } as any] })
    expect(bad({ using: "gin", unique: true })).toThrow(/unique, which only a btree index can be/)
    expect(bad({ using: "gin", fields: ["-data"] })).toThrow(/descending, which only a btree index can/)
    expect(bad({ using: "rtree" })).toThrow(/uses "rtree"; the methods are btree, gin, gist, hash, brin/)
    expect(bad({ using: "gin", opclass: "jsonb_path_ops\") DROP TABLE x; --" })).toThrow(/operator class is a lower-case name/)
    expect(bad({ using: "gin", opclass: "JsonbPathOps" })).toThrow(/operator class/)
  })
})

describe("autodetector: expression and partial indexes", () => {
  const fields = { id: Field.AutoField(), title: Field.Char({ maxLength: 50 }), pages: Field.Integer(), note: Field.Text({ nullable: true }) }
  const at = (indexes: Model.Options<any>["indexes"], extra: Record<string, unknown> = {}) =>
    state(model("AdExpr", { ...fields, ...extra } as any, { table: "ad_expr", indexes }))
  const lower = at([{ name: "ad_expr_lower", expressions: [Lower("title")] }])
  const upper = at([{ name: "ad_expr_lower", expressions: [Upper("title")] }])
  /** Runs the operations from `from`, giving the SQL of each. */
  const sqlOf = (from: State.SchemaState, list: ReturnType<typeof ops>) => {
    let before = from
    return list.flatMap((op) => {
      const after = apply(before, op)
      const sql = forwardSql(op, before, after)
      before = after
      return sql
    })
  }

  it("an expression index's state holds each expression's SQL; an index over fields has none, as before", () => {
    expect(lower.models.AdExpr!.indexes).toEqual([{ name: "ad_expr_lower", columns: [], unique: false, expressions: [`LOWER("title")`] }])
    const mixed = at([{ name: "ad_expr_mix", expressions: [F("pages").mul(2).add(F("id")), Coalesce("note", Value("it's")), F("title")], unique: true, where: { pages: { gt: 0 } } }])
    expect(mixed.models.AdExpr!.indexes).toEqual([{
      name: "ad_expr_mix",
      columns: [],
      unique: true,
      expressions: [`(("pages" * 2) + "id")`, `COALESCE("note", 'it''s')`, `"title"`],
      where: `"pages" > 0`
    }])
    expect(at([{ fields: ["title"] }]).models.AdExpr!.indexes).toEqual([{ name: "ad_expr_title_idx", columns: [{ column: "title", descending: false }], unique: false }])
  })

  it("an added, removed or changed expression is an index added or removed; the same one is no operation", () => {
    expect(ops(lower, at([{ name: "ad_expr_lower", expressions: [Lower("title")] }]))).toEqual([])
    expect(ops(at([]), lower)).toEqual([{ _tag: "AddIndex", model: "AdExpr", index: lower.models.AdExpr!.indexes[0] }])
    expect(ops(lower, at([]))).toEqual([{ _tag: "RemoveIndex", model: "AdExpr", name: "ad_expr_lower" }])
    expect(tags(ops(lower, upper))).toEqual(["RemoveIndex", "AddIndex"])
    // A condition, a second expression, unique: each a change.
    for (const to of [
      at([{ name: "ad_expr_lower", expressions: [Lower("title")], where: { pages: { gt: 0 } } }]),
      at([{ name: "ad_expr_lower", expressions: [Lower("title"), F("pages")] }]),
      at([{ name: "ad_expr_lower", expressions: [Lower("title")], unique: true }])
    ]) expect(tags(ops(lower, to))).toEqual(["RemoveIndex", "AddIndex"])
  })

  it("the DDL: each expression in parentheses, the condition after WHERE; safe mode builds it CONCURRENTLY", () => {
    const to = at([
      { name: "ad_expr_lower", expressions: [Lower("title")] },
      { name: "ad_expr_pages", expressions: [F("pages").add(1)], unique: true, where: { note: { isNull: false } } },
      { fields: ["title"], name: "ad_expr_partial", where: { title: { startsWith: "A'" } } }
    ])
    expect(sqlOf(at([]), ops(at([]), to))).toEqual([
      `CREATE INDEX "ad_expr_lower" ON "ad_expr" ((LOWER("title")))`,
      `CREATE UNIQUE INDEX "ad_expr_pages" ON "ad_expr" ((("pages" + 1))) WHERE "note" IS NOT NULL`,
      `CREATE INDEX "ad_expr_partial" ON "ad_expr" ("title") WHERE "title" LIKE 'A''%'`
    ])
    expect(sqlOf(at([]), ops(at([]), lower, { safe: true }))).toEqual([
      `DROP INDEX CONCURRENTLY IF EXISTS "ad_expr_lower"`,
      `CREATE INDEX CONCURRENTLY "ad_expr_lower" ON "ad_expr" ((LOWER("title")))`
    ])
    expect(sqlOf(at([]), ops(at([]), at([{ name: "ad_expr_like", expressions: [Lower("title")], opclass: "text_pattern_ops" }])))).toEqual([
      `CREATE INDEX "ad_expr_like" ON "ad_expr" ((LOWER("title")) "text_pattern_ops")`
    ])
  })

  it("a renamed field is renamed in the expressions and the condition (as PostgreSQL does): no index rebuilt", () => {
    const from = at([{ name: "ad_expr_lower", expressions: [Lower("title"), F("pages")], where: { title: { gt: "" } } }])
    const { title: _, ...rest } = fields
    const to = state(model("AdExpr", { ...rest, heading: Field.Char({ maxLength: 50 }) } as any, {
      table: "ad_expr",
      indexes: [{ name: "ad_expr_lower", expressions: [Lower("heading"), F("pages")], where: { heading: { gt: "" } } }]
    }))
    const result = ops(from, to, { renames: [{ _tag: "FieldRename", model: "AdExpr", from: "title", to: "heading" }] })
    expect(result).toEqual([{ _tag: "RenameField", model: "AdExpr", from: "title", to: "heading", column: "heading" }])
    expect(apply(from, result[0]!).models.AdExpr!.indexes).toEqual(to.models.AdExpr!.indexes)
    // Only the quoted column is renamed, not the same word in a string.
    expect(State.renameColumnIn(`CASE WHEN "title" = '"title"' THEN "title" END`, "title", "heading"))
      .toBe(`CASE WHEN "heading" = '"title"' THEN "heading" END`)
  })

  it("a removed field its expression index reads: the index is removed first", () => {
    const from = at([{ name: "ad_expr_note", expressions: [Upper("note")] }])
    const { note: _, ...rest } = fields
    const to = state(model("AdExpr", rest as any, { table: "ad_expr" }))
    expect(tags(ops(from, to))).toEqual(["RemoveIndex", "RemoveField"])
    expect(() => apply(from, { _tag: "RemoveField", model: "AdExpr", name: "note" })).toThrow(/is used by ad_expr_note: remove those first/)
  })
})

describe("autodetector: models", () => {
  it("creates referenced models first and many-to-many join tables after both sides; deletes in reverse", () => {
    const Tag = model("AdmTag", { id: Field.AutoField(), label: Field.Char({ maxLength: 20 }) })
    const Post = model("AdmPost", { id: Field.AutoField(), author: fk(() => Author), tags: m2m(() => Tag) })
    const Author = model("AdmAuthor", { id: Field.AutoField(), name: Field.Text() })
    const to = state(Post, Tag, Author)
    const created = ops(State.empty, to)
    expect(created.map((op) => op._tag === "CreateModel" ? op.model.name : op._tag)).toEqual(["AdmTag", "AdmAuthor", "AdmPost", "AdmPost_tags"])
    expect(suggestName(created, { initial: true })).toBe("initial")
    const deleted = ops(to, State.empty)
    expect(deleted.map((op) => op._tag === "DeleteModel" ? op.name : op._tag)).toEqual(["AdmPost_tags", "AdmPost", "AdmTag", "AdmAuthor"])
    expect(suggestName(ops(state(Tag, Author), state(Tag, Author, model("AdmExtra", { id: Field.AutoField() }))))).toBe("adm_extra")
  })

  it("a many-to-many field added or removed is its join table created or deleted", () => {
    const Tag = model("Ad2Tag", { id: Field.AutoField() })
    const before = state(model("Ad2Post", { id: Field.AutoField() }), Tag)
    const after = state(model("Ad2Post", { id: Field.AutoField(), tags: m2m(() => Tag) }), Tag)
    const added = ops(before, after)
    expect(added).toEqual([{ _tag: "CreateModel", model: after.models.Ad2Post_tags }])
    expect(suggestName(added)).toBe("ad2_post_tags")
    expect(ops(after, before)).toEqual([{ _tag: "DeleteModel", name: "Ad2Post_tags" }])
    // A renamed many-to-many field is its join table renamed, asked as such; a renamed target renames its key.
    const labels = state(model("Ad2Post", { id: Field.AutoField(), labels: m2m(() => Tag) }), Tag)
    expect(refused(after, labels).questions[0]!.message).toBe(
      "Ad2Post_tags was removed and Ad2Post_labels added (join tables of many-to-many fields): a rename? Answer --rename Ad2Post_tags=Ad2Post_labels, or --drop Ad2Post_tags"
    )
    expect(ops(after, labels, { renames: [{ _tag: "ModelRename", from: "Ad2Post_tags", to: "Ad2Post_labels" }] }).map(describeOp)).toEqual(["Rename model Ad2Post_tags to Ad2Post_labels"])
    const Label = model("Ad2Label", { id: Field.AutoField() })
    const relabeled = state(model("Ad2Post", { id: Field.AutoField(), tags: m2m(() => Label) }), Label)
    expect(ops(after, relabeled, { renames: [{ _tag: "ModelRename", from: "Ad2Tag", to: "Ad2Label" }] }).map(describeOp)).toEqual([
      "Rename model Ad2Tag to Ad2Label", "Rename field ad2TagId of Ad2Post_tags to ad2LabelId"
    ])
    const person = (name: string) => {
      const P: M = model(name, { id: Field.AutoField(), friends: m2m(() => P) })
      return state(P)
    }
    const renamed = ops(person("Ad2Person"), person("Ad2Human"), { renames: [{ _tag: "ModelRename", from: "Ad2Person", to: "Ad2Human" }] })
    expect(tags(renamed)).toEqual(["RenameModel", "RenameModel", "RenameField", "RenameField"])
  })

  it("a cycle of foreign keys: created without the closing key, added after; deleted after dropping one key", () => {
    const A = model("Ad3A", { id: Field.AutoField(), b: fk(() => B, { onDelete: "SET_NULL", nullable: true }) }, { indexes: [{ fields: ["bId", "-id"] }] })
    const B = model("Ad3B", { id: Field.AutoField(), a: fk(() => A) })
    const to = state(A, B)
    const created = ops(State.empty, to)
    expect(created.map((op) => `${op._tag} ${op._tag === "CreateModel" ? op.model.name : "model" in op ? op.model : ""}`)).toEqual([
      "CreateModel Ad3A", "CreateModel Ad3B", "AddField Ad3A", "AddIndex Ad3A"
    ])
    const first = created[0]!
    expect(first._tag === "CreateModel" && Object.keys(first.model.fields)).toEqual(["id"])
    const deleted = ops(to, State.empty)
    expect(tags(deleted)).toEqual(["AlterField", "DeleteModel", "DeleteModel"])
    const self = model("Ad3Tree", { id: Field.AutoField(), parent: fk(() => self, { onDelete: "CASCADE", nullable: true }) })
    expect(tags(ops(State.empty, state(self)))).toEqual(["CreateModel"])
  })

  it("a model rename is refused without an answer; answered, it is one RenameModel and its join tables follow", () => {
    const Tag = model("Ad4Tag", { id: Field.AutoField() })
    const Writer = model("Ad4Writer", { id: Field.AutoField(), name: Field.Char({ maxLength: 50, unique: true }), tags: m2m(() => Tag) }, { indexes: [{ fields: ["name"] }] })
    const Book = model("Ad4Book", { id: Field.AutoField(), by: fk(() => Writer) })
    const Author = model("Ad4Author", { id: Field.AutoField(), name: Field.Char({ maxLength: 50, unique: true }), tags: m2m(() => Tag) }, { indexes: [{ fields: ["name"] }] })
    const Book2 = model("Ad4Book", { id: Field.AutoField(), by: fk(() => Author) })
    const from = state(Writer, Book, Tag)
    const to = state(Author, Book2, Tag)
    const error = refused(from, to)
    expect(error.questions.map((q) => q.message)).toEqual([
      "Ad4Writer was removed and Ad4Author added: a rename? Answer --rename Ad4Writer=Ad4Author, or --drop Ad4Writer"
    ])
    const result = ops(from, to, { renames: [{ _tag: "ModelRename", from: "Ad4Writer", to: "Ad4Author" }] })
    expect(result.map((op) => `${op._tag} ${describeOp(op)}`)).toEqual([
      "RenameModel Rename model Ad4Writer to Ad4Author",
      "RenameModel Rename model Ad4Writer_tags to Ad4Author_tags",
      "RenameField Rename field ad4WriterId of Ad4Author_tags to ad4AuthorId"
    ])
    expect(result[0]).toEqual({ _tag: "RenameModel", from: "Ad4Writer", to: "Ad4Author", table: "ad4_author" })
    // The table's primary key and the join table's unique constraint are renamed with their tables.
    const sql = forwardSql(result[1]!, from, apply(from, result[1]!))
    expect(sql).toContain(`ALTER TABLE "ad4_author_tags" RENAME CONSTRAINT "ad4_writer_tags_pkey" TO "ad4_author_tags_pkey"`)
    expect(sql).toContain(`ALTER TABLE "ad4_author_tags" RENAME CONSTRAINT "ad4_writer_tags_uniq" TO "ad4_author_tags_uniq"`)
    // A field question in a renamed model names the model by its new name.
    const Author2 = model("Ad4Author", { id: Field.AutoField(), label: Field.Char({ maxLength: 50, unique: true }), tags: m2m(() => Tag) }, { indexes: [{ fields: ["label"] }] })
    const asked = refused(from, state(Author2, Book2, Tag), { renames: [{ _tag: "ModelRename", from: "Ad4Writer", to: "Ad4Author" }] })
    expect(asked.questions.map((q) => q.removed)).toEqual(["Ad4Author.name"])
    // Answered as a drop: the model, its join table and the key that references it go, the new ones come.
    const dropped = ops(from, to, { drops: ["Ad4Writer"] })
    expect(tags(dropped)).toEqual(["CreateModel", "CreateModel", "AlterField", "DeleteModel", "DeleteModel"])
  })

  it("a model that keeps its name and changes its table is one AlterModelTable", () => {
    const A = model("Ad5", { id: Field.AutoField(), code: Field.Char({ maxLength: 5, unique: true }) }, { table: "ad5_old" })
    const B = model("Ad5", { id: Field.AutoField(), code: Field.Char({ maxLength: 5, unique: true }) }, { table: "ad5_new" })
    expect(ops(state(A), state(B))).toEqual([{ _tag: "AlterModelTable", name: "Ad5", table: "ad5_new" }])
    // Its join tables are named after its table: they follow, with their unique constraint.
    const Tag = model("Ad5Tag", { id: Field.AutoField() })
    const C = model("Ad5C", { id: Field.AutoField(), tags: m2m(() => Tag) }, { table: "ad5_c" })
    const D = model("Ad5C", { id: Field.AutoField(), tags: m2m(() => Tag) }, { table: "ad5_d" })
    expect(ops(state(C, Tag), state(D, Tag))).toEqual([
      { _tag: "AlterModelTable", name: "Ad5C", table: "ad5_d" },
      { _tag: "AlterModelTable", name: "Ad5C_tags", table: "ad5_d_tags" }
    ])
  })

  it("every question is asked at once: models and fields", () => {
    const before = state(model("Ad10Writer", { id: Field.AutoField(), n: Field.Integer() }), model("Ad10Book", { id: Field.AutoField(), titel: Field.Text() }))
    const after = state(model("Ad10Author", { id: Field.AutoField(), n: Field.Integer() }), model("Ad10Book", { id: Field.AutoField(), title: Field.Text() }))
    expect(refused(before, after).questions.map((q) => q.removed)).toEqual(["Ad10Writer", "Ad10Book.titel"])
    expect(refused(before, after, { drops: ["Ad10Writer"] }).questions.map((q) => q.removed)).toEqual(["Ad10Book.titel"])
  })

  it("a dropped model whose name a new model's table takes is deleted first", () => {
    const Old = model("Ad6Old", { id: Field.AutoField() }, { table: "ad6" })
    const New = model("Ad6New", { id: Field.AutoField() }, { table: "ad6" })
    expect(tags(ops(state(Old), state(New), { drops: ["Ad6Old"] }))).toEqual(["DeleteModel", "CreateModel"])
  })
})

describe("autodetector: what it cannot order", () => {
  it("two tables swapping names cannot be ordered: refused with the operations, not written", () => {
    const a = (table: string) => model("Ad8A", { id: Field.AutoField() }, { table })
    const b = (table: string) => model("Ad8B", { id: Field.AutoField() }, { table })
    const error = refused(state(a("ad8_x"), b("ad8_y")), state(a("ad8_y"), b("ad8_x")))
    expect(error.problems[0]).toMatch(/could not order these operations[\s\S]*Rename the table of Ad8A to ad8_y/)
  })

  it("a large schema is detected quickly, created and deleted", () => {
    const all: Array<M> = []
    for (let i = 0; i < 150; i++) {
      const prev = all[i - 1]
      const links: Model.Fields = prev === undefined ? {} : { prev: fk(() => prev), tags: m2m(() => all[0]!) }
      all.push(model(`Ad9M${i}`, { id: Field.AutoField(), name: Field.Char({ maxLength: 20, dbIndex: true }), ...links }, { indexes: [{ fields: ["name", "-id"] }] }))
    }
    const to = state(...all)
    const start = Date.now()
    expect(ops(State.empty, to).length).toBe(299)
    expect(ops(to, State.empty).length).toBe(299)
    expect(Date.now() - start).toBeLessThan(5_000)
  })
})

describe("autodetector: safe mode, answers, self-check, names", () => {
  const Pub = model("Ad7Pub", { id: Field.AutoField() })
  const from = state(Pub, model("Ad7Book", { id: Field.AutoField(), note: Field.Text({ nullable: true }) }))
  const book = { id: Field.AutoField(), note: Field.Text(), pub: fk(() => Pub, { onDelete: "SET_NULL", nullable: true }), extra: Field.Integer({ nullable: true }) }
  const to = state(
    Pub,
    model("Ad7Book", book, { indexes: [{ fields: ["extra"] }], constraints: [{ kind: "check", check: { extra: { gte: 0 } }, name: "ad7_extra" }] }),
    model("Ad7New", { id: Field.AutoField(), pub: fk(() => Pub) }, { indexes: [{ fields: ["pubId", "-id"] }] })
  )

  it("writes the safe forms on existing tables, and plain ones on new tables", () => {
    const plain = ops(from, to)
    expect(plain.some((op) => "safe" in op || "concurrently" in op || "notValid" in op)).toBe(false)
    const safe = ops(from, to, { safe: true })
    expect(safe.map((op) => `${describeOp(op)}${"safe" in op ? " safe" : ""}${"notValid" in op ? " notValid" : ""}`)).toEqual([
      "Create model Ad7New",
      "Alter field note of Ad7Book safe",
      "Add field pubId to Ad7Book safe",
      "Add field extra to Ad7Book",
      "Add index ad7_book_extra_idx to Ad7Book (concurrently)",
      "Add constraint ad7_extra to Ad7Book notValid"
    ])
  })

  it("parses --rename values, with a clear error on a malformed one", () => {
    expect(parseRename("Writer=Author")).toEqual(Result.succeed({ _tag: "ModelRename", from: "Writer", to: "Author" }))
    expect(parseRename(" Book.titel=title ")).toEqual(Result.succeed({ _tag: "FieldRename", model: "Book", from: "titel", to: "title" }))
    expect(parseRename("Book.titel=Book.title")).toEqual(Result.succeed({ _tag: "FieldRename", model: "Book", from: "titel", to: "title" }))
    for (const [bad, why] of [["Book", "exactly one ="], ["a=b=c", "exactly one ="], ["Book.x=Other.y", "stays in its model"], ["a.b.c=d", "too many dots"], ["1a=b", "letters"], ["Book.=x", "letters"]]) {
      const result = parseRename(bad!)
      expect(Result.isFailure(result) && result.failure).toMatch(why!)
    }
  })

  it("the self-check refuses operations that do not lead to the target, with the difference", () => {
    const wrong = verify(from, to, [{ _tag: "AddField", model: "Ad7Book", name: "extra", field: to.models.Ad7Book!.fields.extra! }])
    expect(Result.isFailure(wrong) && wrong.failure.message).toMatch(/do not lead to the models' schema \(a bug[\s\S]*Ad7Book\.fields\.note/)
    const inconsistent = verify(from, to, [{ _tag: "RemoveField", model: "Ad7Book", name: "nothing" }])
    expect(Result.isFailure(inconsistent) && inconsistent.failure.message).toMatch(/has no field nothing/)
    expect(Result.isSuccess(verify(from, to, ops(from, to)))).toBe(true)
  })

  it("suggests names from the operations, and auto when there are many", () => {
    expect(suggestName([{ _tag: "RemoveField", model: "Book", name: "pages" }])).toBe("remove_book_pages")
    expect(suggestName([{ _tag: "RenameModel", from: "Writer", to: "Author", table: "author" }])).toBe("rename_writer_author")
    expect(suggestName(ops(from, to))).toBe("auto")
    expect(suggestName([{ _tag: "RunSql", sql: ["SELECT 1"] }])).toBe("auto")
  })
})
