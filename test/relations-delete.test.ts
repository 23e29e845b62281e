/**
 * Deleting with relations on every driver: Django's collector semantics for `filter(...).delete()` and
 * `deleteInstance` (CASCADE through several levels and many-to-many join rows, PROTECT, RESTRICT, SET_NULL,
 * SET_DEFAULT, DO_NOTHING), exact per-model counts, all-or-nothing refusals, deletes inside `Db.atomic`, and row
 * locks over joined relations (`selectForUpdate({ of })` with `selectRelated`).
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import { Db, ProtectedError, RestrictedError } from "../src/index.js"
import * as Testing from "../src/testing/index.js"
import {
  AuditLog,
  Author,
  Book,
  Category,
  Country,
  Group,
  Membership,
  models,
  Note,
  Owner,
  Person,
  Pet,
  Place,
  Publisher,
  Restaurant,
  Tag,
  Toy,
  ToyBox
} from "./fixtures/library.js"

/**
 * Owners and what references them:
 *
 * | owner | references                                                                                  |
 * | ann   | pets Rex, Fido (PROTECT); box annBox holding kite (owner ann); tag ann-tag; note ann-note    |
 * | bob   | box bobBox1 holding car (owner bob) and top (no owner); box bobBox2 holding yoyo (owner gus); |
 * |       | tag bob-tag; note bob-note                                                                   |
 * | cat   | toy ball (owner cat, no box: RESTRICT)                                                       |
 * | dan   | an audit log (DO_NOTHING); box danBox (empty); tag dan-tag                                   |
 * | eve   | nothing                                                                                      |
 * | fay   | tag fay-tag; note fay-note                                                                   |
 * | gus   | toy yoyo, which sits in bob's bobBox2                                                        |
 *
 * plus a pet Stray, a tag free and a note loose with no owner.
 */
const seedOwners = Effect.gen(function*() {
  const [ann, bob, cat, dan, eve, fay, gus] = yield* Effect.forEach(
    ["ann", "bob", "cat", "dan", "eve", "fay", "gus"],
    (name) => Owner.objects.create({ name })
  )
  const rex = yield* Pet.objects.create({ name: "Rex", owner: ann })
  const fido = yield* Pet.objects.create({ name: "Fido", ownerId: ann.id })
  const stray = yield* Pet.objects.create({ name: "Stray", owner: null })
  const annBox = yield* ToyBox.objects.create({ owner: ann })
  const bobBox1 = yield* ToyBox.objects.create({ ownerId: bob.id })
  const bobBox2 = yield* ToyBox.objects.create({ owner: bob })
  const danBox = yield* ToyBox.objects.create({ owner: dan })
  const kite = yield* Toy.objects.create({ name: "kite", owner: ann, box: annBox })
  const car = yield* Toy.objects.create({ name: "car", owner: bob, box: bobBox1 })
  const top = yield* Toy.objects.create({ name: "top", owner: null, boxId: bobBox1.id })
  const yoyo = yield* Toy.objects.create({ name: "yoyo", ownerId: gus.id, box: bobBox2 })
  const ball = yield* Toy.objects.create({ name: "ball", owner: cat, box: null })
  yield* Tag.objects.create({ label: "ann-tag", owner: ann })
  yield* Tag.objects.create({ label: "bob-tag", owner: bob })
  yield* Tag.objects.create({ label: "dan-tag", owner: dan })
  yield* Tag.objects.create({ label: "fay-tag", owner: fay })
  yield* Tag.objects.create({ label: "free", owner: null })
  yield* Note.objects.create({ text: "ann-note", owner: ann })
  yield* Note.objects.create({ text: "bob-note", owner: bob })
  yield* Note.objects.create({ text: "fay-note", owner: fay })
  yield* Note.objects.create({ text: "loose", owner: null })
  const log = yield* AuditLog.objects.create({ owner: dan })
  return { ann, bob, cat, dan, eve, fay, gus, rex, fido, stray, annBox, bobBox1, bobBox2, danBox, kite, car, top, yoyo, ball, log }
})

/** Every row of the Owner models, by name where they have one, in creation order. */
const ownerState = Effect.all({
  owners: Owner.objects.orderBy("id").valuesList("name", { flat: true }),
  pets: Pet.objects.orderBy("id").valuesList("name", "ownerId"),
  boxes: ToyBox.objects.orderBy("id").valuesList("id", "ownerId"),
  toys: Toy.objects.orderBy("id").valuesList("name", "ownerId", "boxId"),
  tags: Tag.objects.orderBy("id").valuesList("label", "ownerId"),
  notes: Note.objects.orderBy("id").valuesList("text", "ownerId"),
  logs: AuditLog.objects.orderBy("id").valuesList("id", "ownerId")
})

/**
 * Countries France and Japan; publishers Acme (France), Bolt (no country) and Crest (Japan, no books); authors Ann,
 * Bob and Cid (no books); books:
 *
 * | book    | publisher | editor | authors  |
 * | Anathem | Acme      | -      | Ann      |
 * | Circe   | Bolt      | Bob    | -        |
 * | Dune    | Acme      | Ann    | Ann, Bob |
 * | Emma    | Acme      | -      | Bob      |
 */
const seedBooks = Effect.gen(function*() {
  const france = yield* Country.objects.create({ name: "France" })
  const japan = yield* Country.objects.create({ name: "Japan" })
  const acme = yield* Publisher.objects.create({ name: "Acme", country: france })
  const bolt = yield* Publisher.objects.create({ name: "Bolt", country: null })
  const crest = yield* Publisher.objects.create({ name: "Crest", countryId: japan.id })
  const ann = yield* Author.objects.create({ name: "Ann" })
  const bob = yield* Author.objects.create({ name: "Bob" })
  const cid = yield* Author.objects.create({ name: "Cid" })
  const anathem = yield* Book.objects.create({ name: "Anathem", pages: 937, publisher: acme })
  const circe = yield* Book.objects.create({ name: "Circe", pages: 393, publisher: bolt, editor: bob })
  const dune = yield* Book.objects.create({ name: "Dune", pages: 412, publisher: acme, editorId: ann.id })
  const emma = yield* Book.objects.create({ name: "Emma", pages: 474, publisher: acme })
  yield* Book.objects.related(anathem, "authors").add(ann)
  yield* Book.objects.related(dune, "authors").add(ann, bob)
  yield* Book.objects.related(emma, "authors").add(bob)
  return { france, japan, acme, bolt, crest, ann, bob, cid, anathem, circe, dune, emma }
})

/** The rows of book_authors as [book, author] names, read with raw SQL. */
const bookAuthors = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ book: string; author: string }>`
    SELECT b.name AS book, a.name AS author FROM book_authors ba
    JOIN book b ON b.id = ba.book_id JOIN author a ON a.id = ba.author_id ORDER BY b.name, a.name`
  return rows.map((r) => [r.book, r.author])
})

/** The rows of person_friends as [from, to] names, read with raw SQL. */
const friendships = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ from: string; to: string }>`
    SELECT f.name AS "from", t.name AS "to" FROM person_friends pf
    JOIN person f ON f.id = pf.from_person_id JOIN person t ON t.id = pf.to_person_id ORDER BY f.name, t.name`
  return rows.map((r) => [r.from, r.to])
})

const bookState = Effect.all({
  countries: Country.objects.valuesList("name", { flat: true }),
  publishers: Publisher.objects.valuesList("name", "country.name"),
  authors: Author.objects.valuesList("name", { flat: true }),
  books: Book.objects.valuesList("name", "publisher.name", "editor.name"),
  links: bookAuthors
})

/** A tree: A → A1 → A1a → A1a-x, A1 → A1b, A → A2; B → B1. */
const seedTree = Effect.gen(function*() {
  const a = yield* Category.objects.create({ name: "A", parent: null })
  const a1 = yield* Category.objects.create({ name: "A1", parent: a })
  const a2 = yield* Category.objects.create({ name: "A2", parentId: a.id })
  const a1a = yield* Category.objects.create({ name: "A1a", parent: a1 })
  const a1b = yield* Category.objects.create({ name: "A1b", parent: a1 })
  const a1ax = yield* Category.objects.create({ name: "A1a-x", parent: a1a })
  const b = yield* Category.objects.create({ name: "B", parent: null })
  const b1 = yield* Category.objects.create({ name: "B1", parent: b })
  return { a, a1, a2, a1a, a1b, a1ax, b, b1 }
})

const categories = Category.objects.valuesList("name", { flat: true })

/** A refusal's fields, for one exact comparison. */
const refusal = (e: { readonly _tag: string }) =>
  e instanceof ProtectedError || e instanceof RestrictedError
    ? { _tag: e._tag, model: e.model, protectedBy: e.protectedBy, field: e.field, keys: [...e.keys] }
    : { _tag: e._tag }

for (const driver of Testing.drivers([...models])) {
  layer(driver.layer)(driver.name, (it) => {
    // ---- CASCADE ----

    it.effect("CASCADE reaches Publisher → Book → book_authors join rows, and nothing else", () =>
      Testing.isolated(Effect.gen(function*() {
        const { acme } = yield* seedBooks
        const result = yield* Publisher.objects.filter({ name: "Acme" }).delete()
        expect(result).toEqual({ total: 8, perModel: { Publisher: 1, Book: 3, Book_authors: 4 } })
        expect(yield* bookState).toEqual({
          countries: ["France", "Japan"],
          publishers: [["Bolt", null], ["Crest", "Japan"]],
          authors: ["Ann", "Bob", "Cid"],
          books: [["Circe", "Bolt", "Bob"]],
          links: []
        })
        expect(yield* Publisher.objects.filter({ pk: acme.id }).exists()).toBe(false)
      })))

    it.effect("deleting a Book removes its join rows but not the authors", () =>
      Testing.isolated(Effect.gen(function*() {
        const { dune } = yield* seedBooks
        expect(yield* Book.objects.deleteInstance(dune)).toEqual({ total: 3, perModel: { Book: 1, Book_authors: 2 } })
        expect(yield* Author.objects.valuesList("name", { flat: true })).toEqual(["Ann", "Bob", "Cid"])
        expect(yield* bookAuthors).toEqual([["Anathem", "Ann"], ["Emma", "Bob"]])
      })))

    it.effect("deleting an Author removes its join rows, keeps the books and sets Book.editor to null", () =>
      Testing.isolated(Effect.gen(function*() {
        const { ann } = yield* seedBooks
        expect(yield* Author.objects.deleteInstance(ann)).toEqual({ total: 3, perModel: { Author: 1, Book_authors: 2 } })
        expect(yield* bookState).toEqual({
          countries: ["France", "Japan"],
          publishers: [["Acme", "France"], ["Bolt", null], ["Crest", "Japan"]],
          authors: ["Bob", "Cid"],
          books: [["Anathem", "Acme", null], ["Circe", "Bolt", "Bob"], ["Dune", "Acme", null], ["Emma", "Acme", null]],
          links: [["Dune", "Bob"], ["Emma", "Bob"]]
        })
        // An author with no books and no edits: only the author.
        const cid = yield* Author.objects.get({ name: "Cid" })
        expect(yield* Author.objects.deleteInstance(cid)).toEqual({ total: 1, perModel: { Author: 1 } })
      })))

    it.effect("CASCADE through Owner → ToyBox → Toy (via box), the toys' RESTRICT satisfied by the cascade", () =>
      Testing.isolated(Effect.gen(function*() {
        const { bob, bobBox1, bobBox2, car, top, yoyo } = yield* seedOwners
        const before = yield* ownerState
        // car's RESTRICT owner is bob, but car is deleted through bobBox1; top and gus's yoyo go with their boxes.
        const result = yield* Owner.objects.deleteInstance(bob)
        expect(result).toEqual({ total: 6, perModel: { Owner: 1, ToyBox: 2, Toy: 3 } })
        const after = yield* ownerState
        expect(after.owners).toEqual(["ann", "cat", "dan", "eve", "fay", "gus"])
        expect(after.boxes.map(([id]) => id)).not.toContain(bobBox1.id)
        expect(after.boxes.map(([id]) => id)).not.toContain(bobBox2.id)
        expect(after.boxes).toHaveLength(2)
        expect(after.toys.map(([name]) => name)).toEqual(["kite", "ball"])
        expect(yield* Toy.objects.filter({ pk: { in: [car.id, top.id, yoyo.id] } }).count()).toBe(0)
        // SET_NULL and SET_DEFAULT applied to bob's tag and note, nothing else touched.
        expect(after.tags).toEqual(before.tags.map(([label, owner]) => [label, label === "bob-tag" ? null : owner]))
        expect(after.notes).toEqual(before.notes.map(([text, owner]) => [text, text === "bob-note" ? null : owner]))
        expect(after.pets).toEqual(before.pets)
        expect(after.logs).toEqual(before.logs)
      })))

    it.effect("a self-referencing tree: a root takes all its descendants, a leaf only itself", () =>
      Testing.isolated(Effect.gen(function*() {
        const { a, a1b } = yield* seedTree
        expect(yield* Category.objects.deleteInstance(a1b)).toEqual({ total: 1, perModel: { Category: 1 } })
        expect(yield* categories).toEqual(["A", "A1", "A1a", "A1a-x", "A2", "B", "B1"])
        expect(yield* Category.objects.deleteInstance(a)).toEqual({ total: 5, perModel: { Category: 5 } })
        expect(yield* categories).toEqual(["B", "B1"])
      })))

    it.effect("a self-referencing tree: a middle node takes its subtree, its parent and siblings stay", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedTree
        expect(yield* Category.objects.filter({ name: "A1" }).delete()).toEqual({ total: 4, perModel: { Category: 4 } })
        expect(yield* categories).toEqual(["A", "A2", "B", "B1"])
        // Two roots at once.
        expect(yield* Category.objects.filter({ parent: null }).delete()).toEqual({ total: 4, perModel: { Category: 4 } })
        expect(yield* Category.objects.count()).toBe(0)
      })))

    it.effect("deleteInstance on a one-to-one target cascades to its Restaurant; without one, only the Place", () =>
      Testing.isolated(Effect.gen(function*() {
        const main = yield* Place.objects.create({ address: "1 Main St" })
        const side = yield* Place.objects.create({ address: "2 Side St" })
        const other = yield* Place.objects.create({ address: "3 Other St" })
        yield* Restaurant.objects.create({ place: main, servesPizza: true })
        const kept = yield* Restaurant.objects.create({ placeId: other.id })
        expect(yield* Place.objects.deleteInstance(main)).toEqual({ total: 2, perModel: { Place: 1, Restaurant: 1 } })
        expect(yield* Place.objects.deleteInstance(side)).toEqual({ total: 1, perModel: { Place: 1 } })
        expect(yield* Place.objects.valuesList("address", { flat: true })).toEqual(["3 Other St"])
        expect(yield* Restaurant.objects.valuesList("id", { flat: true })).toEqual([kept.id])
      })))

    it.effect("many-to-many through a model and self-referential: Membership and friends rows go, people stay", () =>
      Testing.isolated(Effect.gen(function*() {
        const ann = yield* Person.objects.create({ name: "Ann" })
        const bob = yield* Person.objects.create({ name: "Bob" })
        const cid = yield* Person.objects.create({ name: "Cid" })
        yield* Person.objects.related(ann, "friends").add(bob, cid)
        yield* Person.objects.related(bob, "friends").add(cid)
        expect(yield* friendships).toEqual([["Ann", "Bob"], ["Ann", "Cid"], ["Bob", "Cid"]])
        const chess = yield* Group.objects.create({ name: "Chess" })
        const go = yield* Group.objects.create({ name: "Go" })
        yield* Membership.objects.create({ person: ann, group: chess })
        yield* Membership.objects.create({ person: bob, group: chess })
        yield* Membership.objects.create({ person: bob, group: go })
        expect(yield* Person.objects.deleteInstance(bob)).toEqual({
          total: 5,
          perModel: { Person: 1, Membership: 2, Person_friends: 2 }
        })
        expect(yield* Person.objects.valuesList("name", { flat: true })).toEqual(["Ann", "Cid"])
        // Read with raw SQL: `related()` loads do not run in the test's transaction (see the report).
        expect(yield* friendships).toEqual([["Ann", "Cid"]])
        expect(yield* Group.objects.valuesList("name", { flat: true })).toEqual(["Chess", "Go"])
        expect(yield* Group.objects.deleteInstance(chess)).toEqual({ total: 2, perModel: { Group: 1, Membership: 1 } })
        expect(yield* Membership.objects.count()).toBe(0)
        expect(yield* Person.objects.count()).toBe(2)
      })))

    // ---- PROTECT ----

    it.effect("PROTECT refuses with ProtectedError and changes nothing, cascades and SET_NULLs included", () =>
      Testing.isolated(Effect.gen(function*() {
        const { ann, fido, rex } = yield* seedOwners
        const before = yield* ownerState
        const error = yield* Effect.flip(Owner.objects.deleteInstance(ann))
        expect(refusal(error)).toEqual({
          _tag: "ProtectedError",
          model: "Owner",
          protectedBy: "Pet",
          field: "owner",
          keys: [rex.id, fido.id]
        })
        expect(yield* ownerState).toEqual(before)
      })))

    it.effect("a PROTECT relation with no referencing rows does not refuse; a null key protects nothing", () =>
      Testing.isolated(Effect.gen(function*() {
        const { eve, stray } = yield* seedOwners
        expect(yield* Owner.objects.deleteInstance(eve)).toEqual({ total: 1, perModel: { Owner: 1 } })
        expect((yield* Pet.objects.get({ pk: stray.id })).ownerId).toBeNull()
        expect(yield* Pet.objects.count()).toBe(3)
      })))

    // ---- RESTRICT ----

    it.effect("RESTRICT refuses when the toy references the owner directly and is not otherwise deleted", () =>
      Testing.isolated(Effect.gen(function*() {
        const { ball, cat } = yield* seedOwners
        const before = yield* ownerState
        const error = yield* Effect.flip(Owner.objects.deleteInstance(cat))
        expect(refusal(error)).toEqual({ _tag: "RestrictedError", model: "Owner", protectedBy: "Toy", field: "owner", keys: [ball.id] })
        expect(yield* ownerState).toEqual(before)
      })))

    it.effect("RESTRICT: a toy in another owner's box restricts its owner alone, not both deleted together", () =>
      Testing.isolated(Effect.gen(function*() {
        const { gus, yoyo } = yield* seedOwners
        const before = yield* ownerState
        const alone = yield* Effect.flip(Owner.objects.deleteInstance(gus))
        expect(refusal(alone)).toEqual({ _tag: "RestrictedError", model: "Owner", protectedBy: "Toy", field: "owner", keys: [yoyo.id] })
        expect(yield* ownerState).toEqual(before)
        // With bob, yoyo is deleted through bob's box: the restriction is lifted.
        const together = yield* Owner.objects.filter({ name: { in: ["gus", "bob"] } }).delete()
        expect(together).toEqual({ total: 7, perModel: { Owner: 2, ToyBox: 2, Toy: 3 } })
        expect(yield* Owner.objects.orderBy("id").valuesList("name", { flat: true })).toEqual(["ann", "cat", "dan", "eve", "fay"])
        expect(yield* Toy.objects.orderBy("id").valuesList("name", { flat: true })).toEqual(["kite", "ball"])
      })))

    it.effect("deleting the restricting toy first lets the owner go", () =>
      Testing.isolated(Effect.gen(function*() {
        const { ball, cat } = yield* seedOwners
        const { queries, result } = yield* Testing.captureQueries(Toy.objects.deleteInstance(ball))
        expect(result).toEqual({ total: 1, perModel: { Toy: 1 } })
        expect(queries).toHaveLength(1)
        expect(yield* Owner.objects.deleteInstance(cat)).toEqual({ total: 1, perModel: { Owner: 1 } })
      })))

    // ---- SET_NULL, SET_DEFAULT ----

    it.effect("SET_NULL and SET_DEFAULT keep the referencing rows with a null key", () =>
      Testing.isolated(Effect.gen(function*() {
        const { fay } = yield* seedOwners
        const before = yield* ownerState
        expect(yield* Owner.objects.deleteInstance(fay)).toEqual({ total: 1, perModel: { Owner: 1 } })
        const after = yield* ownerState
        expect(after.tags).toEqual(before.tags.map(([label, owner]) => [label, label === "fay-tag" ? null : owner]))
        expect(after.notes).toEqual(before.notes.map(([text, owner]) => [text, text === "fay-note" ? null : owner]))
        expect(yield* Tag.objects.filter({ owner: null }).orderBy("label").valuesList("label", { flat: true })).toEqual(["fay-tag", "free"])
        expect(yield* Note.objects.filter({ owner: null }).orderBy("text").valuesList("text", { flat: true })).toEqual(["fay-note", "loose"])
        expect({ ...after, tags: [], notes: [], owners: [] }).toEqual({ ...before, tags: [], notes: [], owners: [] })
      })))

    it.effect("SET_NULL: deleting a Country keeps its publishers with a null country", () =>
      Testing.isolated(Effect.gen(function*() {
        const { france } = yield* seedBooks
        expect(yield* Country.objects.deleteInstance(france)).toEqual({ total: 1, perModel: { Country: 1 } })
        expect(yield* Publisher.objects.valuesList("name", "countryId")).toEqual([
          ["Acme", null],
          ["Bolt", null],
          ["Crest", (yield* Country.objects.get({ name: "Japan" })).id]
        ])
        expect(yield* Book.objects.count()).toBe(4)
      })))

    // ---- DO_NOTHING ----

    it.effect("DO_NOTHING leaves it to the database: IntegrityError foreignKey, and nothing deleted or nulled", () =>
      Testing.isolated(Effect.gen(function*() {
        const { dan } = yield* seedOwners
        const before = yield* ownerState
        const error = yield* Effect.flip(Owner.objects.deleteInstance(dan))
        expect(error._tag).toBe("IntegrityError")
        if (error._tag === "IntegrityError") {
          expect(error.kind).toBe("foreignKey")
          expect(error.constraint).toBe("audit_log_owner_id_fkey")
        }
        // danBox (CASCADE) and dan-tag (SET_NULL) were written before the refused DELETE: rolled back too.
        expect(yield* ownerState).toEqual(before)
        // The test's transaction is still usable.
        expect(yield* Owner.objects.count()).toBe(7)
      })))

    // ---- querysets of several rows ----

    it.effect("a queryset of several owners mixing CASCADE, SET_NULL, SET_DEFAULT and nothing", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedOwners
        const before = yield* ownerState
        const result = yield* Owner.objects.filter({ name: { in: ["bob", "eve", "fay"] } }).delete()
        expect(result).toEqual({ total: 8, perModel: { Owner: 3, ToyBox: 2, Toy: 3 } })
        const after = yield* ownerState
        expect(after.owners).toEqual(["ann", "cat", "dan", "gus"])
        expect(after.toys.map(([name]) => name)).toEqual(["kite", "ball"])
        expect(after.tags.map(([label, owner]) => [label, owner === null])).toEqual([
          ["ann-tag", false],
          ["bob-tag", true],
          ["dan-tag", false],
          ["fay-tag", true],
          ["free", true]
        ])
        expect(after.notes.filter(([, owner]) => owner !== null).map(([text]) => text)).toEqual(["ann-note"])
        expect(after.pets).toEqual(before.pets)
        expect(after.logs).toEqual(before.logs)
      })))

    it.effect("one protected owner in the queryset refuses the whole delete; PROTECT is reported before RESTRICT", () =>
      Testing.isolated(Effect.gen(function*() {
        const { ball, fido, rex } = yield* seedOwners
        const before = yield* ownerState
        const protectedError = yield* Effect.flip(Owner.objects.filter({ name: { in: ["bob", "ann", "eve", "fay"] } }).delete())
        expect(refusal(protectedError)).toEqual({
          _tag: "ProtectedError",
          model: "Owner",
          protectedBy: "Pet",
          field: "owner",
          keys: [rex.id, fido.id]
        })
        expect(yield* ownerState).toEqual(before)
        const both = yield* Effect.flip(Owner.objects.filter({ name: { in: ["cat", "ann"] } }).delete())
        expect(both._tag).toBe("ProtectedError")
        const restricted = yield* Effect.flip(Owner.objects.filter({ name: { in: ["bob", "cat", "fay"] } }).delete())
        expect(refusal(restricted)).toEqual({ _tag: "RestrictedError", model: "Owner", protectedBy: "Toy", field: "owner", keys: [ball.id] })
        expect(yield* ownerState).toEqual(before)
      })))

    // ---- counts and statements ----

    it.effect("deleting nothing gives { total: 0, perModel: {} }", () =>
      Testing.isolated(Effect.gen(function*() {
        const { bob } = yield* seedOwners
        const before = yield* ownerState
        const empty = { total: 0, perModel: {} }
        expect(yield* Owner.objects.filter({ name: "nobody" }).delete()).toEqual(empty)
        expect(yield* Owner.objects.none().delete()).toEqual(empty)
        expect(yield* Tag.objects.filter({ label: "nothing" }).delete()).toEqual(empty)
        expect(yield* Owner.objects.deleteInstance(bob)).toEqual({ total: 6, perModel: { Owner: 1, ToyBox: 2, Toy: 3 } })
        expect(yield* Owner.objects.deleteInstance(bob)).toEqual(empty)
        expect((yield* ownerState).owners).toEqual(before.owners.filter((n) => n !== "bob"))
      })))

    it.effect("a model nothing references is deleted with a single DELETE statement", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedOwners
        const tags = yield* Testing.captureQueries(Tag.objects.filter({ owner: null }).delete())
        expect(tags.result).toEqual({ total: 1, perModel: { Tag: 1 } })
        expect(tags.queries).toHaveLength(1)
        expect(tags.queries[0]!.sql).toMatch(/^DELETE FROM "tag"/)
        const pets = yield* Testing.captureQueries(Pet.objects.all().delete())
        expect(pets.result).toEqual({ total: 3, perModel: { Pet: 3 } })
        expect(pets.queries).toHaveLength(1)
        // A model that is referenced runs more: its referencing rows are looked up first.
        const owners = yield* Testing.captureQueries(Owner.objects.filter({ name: "eve" }).delete())
        expect(owners.result).toEqual({ total: 1, perModel: { Owner: 1 } })
        expect(owners.queries.length).toBeGreaterThan(1)
      })))

    it.effect("a sliced queryset cannot be deleted: QueryError and nothing deleted", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedOwners
        const before = yield* ownerState
        const owners = yield* Effect.flip(Owner.objects.orderBy("id").slice(0, 1).delete())
        expect(owners._tag).toBe("QueryError")
        const tags = yield* Effect.flip(Tag.objects.slice(0, 1).delete())
        expect(tags._tag).toBe("QueryError")
        const { queries } = yield* Testing.captureQueries(Effect.either(Owner.objects.filter({ name: "eve" }).slice(1).delete()))
        expect(queries).toEqual([])
        expect(yield* ownerState).toEqual(before)
      })))

    // ---- inside Db.atomic ----

    it.effect("a ProtectedError caught inside Db.atomic leaves the transaction usable and earlier writes intact", () =>
      Testing.isolated(Effect.gen(function*() {
        const { ann } = yield* seedOwners
        const before = yield* ownerState
        const outcome = yield* Db.atomic(Effect.gen(function*() {
          const zed = yield* Owner.objects.create({ name: "zed" })
          yield* Tag.objects.create({ label: "zed-tag", owner: zed })
          const refused = yield* Effect.either(Owner.objects.deleteInstance(ann))
          const later = yield* Tag.objects.create({ label: "after", owner: zed })
          return { refused, later, count: yield* Tag.objects.filter({ owner: zed }).count() }
        }))
        expect(Either.isLeft(outcome.refused) && outcome.refused.left._tag).toBe("ProtectedError")
        expect(outcome.count).toBe(2)
        const after = yield* ownerState
        expect(after.owners).toEqual([...before.owners, "zed"])
        expect(after.tags.map(([label]) => label)).toEqual([...before.tags.map(([label]) => label), "zed-tag", "after"])
        expect({ ...after, owners: [], tags: [] }).toEqual({ ...before, owners: [], tags: [] })
      })))

    it.effect("a database refusal (DO_NOTHING) caught inside Db.atomic leaves the transaction usable", () =>
      Testing.isolated(Effect.gen(function*() {
        const { dan, eve } = yield* seedOwners
        const outcome = yield* Db.atomic(Effect.gen(function*() {
          const zed = yield* Owner.objects.create({ name: "zed" })
          const refused = yield* Effect.either(Owner.objects.deleteInstance(dan))
          const deleted = yield* Owner.objects.deleteInstance(eve)
          return { refused, deleted, zed }
        }))
        expect(Either.isLeft(outcome.refused) && outcome.refused.left._tag).toBe("IntegrityError")
        expect(outcome.deleted).toEqual({ total: 1, perModel: { Owner: 1 } })
        expect(yield* Owner.objects.orderBy("id").valuesList("name", { flat: true })).toEqual(["ann", "bob", "cat", "dan", "fay", "gus", "zed"])
        expect(yield* Tag.objects.filter({ owner: dan }).valuesList("label", { flat: true })).toEqual(["dan-tag"])
        expect(yield* ToyBox.objects.filter({ owner: dan }).count()).toBe(1)
      })))

    // ---- selectForUpdate over joined relations ----

    it.effect("selectForUpdate({ of: [self, publisher] }) with selectRelated locks both tables inside Db.atomic", () =>
      Testing.isolated(Effect.gen(function*() {
        const { acme } = yield* seedBooks
        const qs = Book.objects.selectRelated("publisher").selectForUpdate({ of: ["self", "publisher"] }).filter({ publisher: acme })
        const compiled = yield* qs.toSql()
        expect(compiled.sql).toContain(`INNER JOIN "publisher" AS "t1"`)
        expect(compiled.sql).toContain(`FOR UPDATE OF "t0", "t1"`)
        expect(compiled.sql).toMatch(/FOR UPDATE OF "t0", "t1"$/)
        const { queries, result } = yield* Testing.captureQueries(Db.atomic(qs))
        expect(queries).toHaveLength(1)
        expect(queries[0]!.sql).toBe(compiled.sql)
        expect(result.map((b) => [b.name, b.publisher.name])).toEqual([["Anathem", "Acme"], ["Dune", "Acme"], ["Emma", "Acme"]])
        // Filtering across the relation adds joins of its own: the lock names the selectRelated join's alias.
        const across = Book.objects.selectRelated("publisher").selectForUpdate({ of: ["self", "publisher"] })
          .filter({ publisher: { name: "Bolt" } })
        const acrossSql = (yield* across.toSql()).sql
        const alias = /INNER JOIN "publisher" AS "(t\d+)"/.exec(acrossSql)?.[1]
        expect(acrossSql).toMatch(new RegExp(`FOR UPDATE OF "t0", "${alias}"$`))
        expect((yield* Db.atomic(across)).map((b) => [b.name, b.publisher.name])).toEqual([["Circe", "Bolt"]])
      })))

    it.effect("selectForUpdate with of: refused outside a transaction; an unknown relation is a FieldError", () =>
      Effect.gen(function*() {
        const qs = Book.objects.selectRelated("publisher").selectForUpdate({ of: ["self", "publisher"] })
        const outside = yield* Effect.flip(qs)
        expect(outside._tag).toBe("QueryError")
        yield* Testing.isolated(Effect.gen(function*() {
          const unknown = Book.objects.selectRelated("publisher").selectForUpdate({ of: ["self", "nope" as "publisher"] })
          expect((yield* Effect.flip(unknown.toSql()))._tag).toBe("FieldError")
          expect((yield* Effect.flip(Db.atomic(unknown)))._tag).toBe("FieldError")
          // A many-valued relation cannot be locked either.
          const many = Book.objects.selectForUpdate({ of: ["authors" as "publisher"] })
          expect((yield* Effect.flip(many.toSql()))._tag).toBe("FieldError")
        }))
      }))
  })
}
