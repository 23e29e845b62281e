/**
 * Instance writes on every driver: save, refresh, deleteInstance, getOrCreate, updateOrCreate, bulkCreate,
 * bulkUpdate, optimistic concurrency with a version field, and row locks.
 */
import { expect, layer } from "@effect/vitest"
import { Deferred, Effect, Either, Option, Schema } from "effect"
import { Db, F, Field, Model } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

class WrAccount extends Model.Class<WrAccount>("WrAccount")({
  id: Field.AutoField(),
  email: Field.Char({ maxLength: 100, unique: true }),
  name: Field.Char({ maxLength: 20 }),
  balance: Field.Integer({ default: 0, validators: [Schema.nonNegative()] }),
  note: Field.Text({ nullable: true })
}, { table: "wr_account", ordering: ["email"] }) {}

class WrDoc extends Model.Class<WrDoc>("WrDoc")({
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 50 }),
  version: Field.Version()
}, { table: "wr_doc", ordering: ["id"] }) {}

/** Primary keys other than an integer identity. */
class WrCode extends Model.Class<WrCode>("WrCode")({
  code: Field.Char({ maxLength: 8, primaryKey: true }),
  label: Field.Text()
}, { table: "wr_code" }) {}

class WrToken extends Model.Class<WrToken>("WrToken")({
  id: Field.UUID({ primaryKey: true, autoGenerate: true }),
  label: Field.Text()
}, { table: "wr_token" }) {}

class WrEvent extends Model.Class<WrEvent>("WrEvent")({
  id: Field.BigAutoField(),
  label: Field.Text()
}, { table: "wr_event" }) {}

const account = (email: string, extra: Partial<{ name: string; balance: number }> = {}) =>
  WrAccount.objects.create({ email, name: extra.name ?? email.split("@")[0]!, balance: extra.balance ?? 0 })
const emails = Effect.map(WrAccount.objects.valuesList("email", { flat: true }), (rows) => [...rows])

for (const driver of Testing.drivers([WrAccount, WrDoc, WrCode, WrToken, WrEvent])) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("save updates the row and returns the instance as stored", () =>
      Testing.isolated(Effect.gen(function*() {
        const a = yield* account("ann@x.org", { balance: 5 })
        const saved = yield* WrAccount.objects.save(new WrAccount({ ...a, name: "Annie", balance: 7 }))
        expect(saved).toBeInstanceOf(WrAccount)
        expect([saved.name, saved.balance, saved.id]).toEqual(["Annie", 7, a.id])
        const row = yield* WrAccount.objects.get({ pk: a.id })
        expect([row.name, row.balance]).toEqual(["Annie", 7])
        // The original instance is unchanged: instances are immutable values.
        expect(a.name).toBe("ann")
      })))

    it.effect("save with updateFields writes only those columns", () =>
      Testing.isolated(Effect.gen(function*() {
        const a = yield* account("bob@x.org", { balance: 1 })
        yield* WrAccount.objects.filter({ pk: a.id }).update({ balance: 100 }) // someone else's write
        const saved = yield* WrAccount.objects.save(new WrAccount({ ...a, name: "Bobby", balance: 2 }), { updateFields: ["name"] })
        expect([saved.name, saved.balance]).toEqual(["Bobby", 100])
        const error = yield* Effect.flip(WrAccount.objects.save(a, { updateFields: ["nope" as "name"] }))
        expect(error._tag).toBe("FieldError")
        const pkError = yield* Effect.flip(WrAccount.objects.save(a, { updateFields: ["id"] }))
        expect(pkError._tag).toBe("FieldError")
      })))

    it.effect("save inserts when no row has the instance's key, and validates first", () =>
      Testing.isolated(Effect.gen(function*() {
        const fresh = new WrAccount({ id: 4242, email: "new@x.org", name: "new", balance: 3, note: null })
        const saved = yield* WrAccount.objects.save(fresh)
        expect(saved.id).toBe(4242)
        expect(yield* emails).toEqual(["new@x.org"])
        const invalid = yield* Effect.flip(
          WrAccount.objects.save(new WrAccount({ ...saved, balance: -1 }, true))
        )
        expect(invalid._tag).toBe("ValidationError")
        expect((yield* WrAccount.objects.get({ pk: 4242 })).balance).toBe(3)
      })))

    it.effect("text, UUID and 64-bit primary keys work through create, get, save, inBulk and delete", () =>
      Testing.isolated(Effect.gen(function*() {
        const code = yield* WrCode.objects.create({ code: "AB-1", label: "first" })
        expect((yield* WrCode.objects.get({ pk: "AB-1" })).label).toBe("first")
        expect((yield* WrCode.objects.save(new WrCode({ ...code, label: "second" }))).label).toBe("second")
        yield* WrCode.objects.save(new WrCode({ code: "ZZ-9", label: "inserted by save" }))
        expect(yield* WrCode.objects.orderBy("code").valuesList("code", { flat: true })).toEqual(["AB-1", "ZZ-9"])
        const duplicate = yield* Effect.flip(Db.atomic(WrCode.objects.create({ code: "AB-1", label: "again" })))
        expect(duplicate._tag === "IntegrityError" && duplicate.kind).toBe("unique")

        const [byPk, createdByPk] = yield* WrCode.objects.getOrCreate({ pk: "PK-7" }, { label: "via pk" })
        expect([byPk.code, byPk.label, createdByPk]).toEqual(["PK-7", "via pk", true])

        const [t1, t2] = yield* WrToken.objects.bulkCreate([{ label: "a" }, { label: "b" }])
        expect(t1!.id).toMatch(/^[0-9a-f-]{36}$/)
        expect(t1!.id).not.toBe(t2!.id)
        const byId = yield* WrToken.objects.inBulk([t1!.id])
        expect([...byId.keys()]).toEqual([t1!.id])

        const events = yield* WrEvent.objects.bulkCreate([{ label: "x" }, { label: "y" }])
        expect(events.map((e) => typeof e.id)).toEqual(["bigint", "bigint"])
        expect((yield* WrEvent.objects.get({ pk: events[1]!.id })).label).toBe("y")
        const renamed = yield* WrEvent.objects.bulkUpdate([new WrEvent({ ...events[0]!, label: "x2" })], ["label"])
        expect(renamed).toBe(1)
        expect(yield* WrEvent.objects.deleteInstance(events[1]!)).toEqual({ total: 1, perModel: { WrEvent: 1 } })
        expect(yield* WrEvent.objects.valuesList("label", { flat: true })).toEqual(["x2"])
      })))

    it.effect("refresh reads the row again; deleteInstance deletes it and reports counts", () =>
      Testing.isolated(Effect.gen(function*() {
        const a = yield* account("cat@x.org")
        yield* WrAccount.objects.filter({ pk: a.id }).update({ balance: F("balance").add(9) })
        expect((yield* WrAccount.objects.refresh(a)).balance).toBe(9)
        expect(yield* WrAccount.objects.deleteInstance(a)).toEqual({ total: 1, perModel: { WrAccount: 1 } })
        expect(yield* WrAccount.objects.deleteInstance(a)).toEqual({ total: 0, perModel: {} })
        expect((yield* Effect.flip(WrAccount.objects.refresh(a)))._tag).toBe("DoesNotExist")
      })))

    it.effect("getOrCreate reads or creates, from the lookup's exact values and the defaults", () =>
      Testing.isolated(Effect.gen(function*() {
        const [created, wasCreated] = yield* WrAccount.objects.getOrCreate({ email: "dan@x.org" }, { name: "Dan", balance: 4 })
        expect(wasCreated).toBe(true)
        expect([created.email, created.name, created.balance]).toEqual(["dan@x.org", "Dan", 4])
        const [found, again] = yield* WrAccount.objects.getOrCreate({ email: { exact: "dan@x.org" } }, { name: "Other" })
        expect(again).toBe(false)
        expect(found.id).toBe(created.id)
        expect(found.name).toBe("Dan")
        const invalid = yield* Effect.flip(WrAccount.objects.getOrCreate({ email: "eve@x.org" }, { name: "x".repeat(30) }))
        expect(invalid._tag).toBe("ValidationError")
        expect(yield* emails).toEqual(["dan@x.org"])
      })))

    it.effect("concurrent getOrCreate calls leave one row", () =>
      Testing.isolated(Effect.gen(function*() {
        const results = yield* Effect.all(
          Array.from({ length: 5 }, () => WrAccount.objects.getOrCreate({ email: "race@x.org" }, { name: "race" })),
          { concurrency: "unbounded" }
        )
        expect(results.filter(([, created]) => created)).toHaveLength(1)
        expect(new Set(results.map(([row]) => row.id)).size).toBe(1)
        expect(yield* WrAccount.objects.filter({ email: "race@x.org" }).count()).toBe(1)
      })))

    it.effect("getOrCreate and updateOrCreate racing on separate connections leave one row", () =>
      Effect.gen(function*() {
        // Outside Testing.isolated, so that on the server each call has its own connection and transaction.
        const cleanup = WrAccount.objects.filter({ email: { endsWith: "@race.org" } }).delete()
        yield* cleanup
        const gets = yield* Effect.all(
          Array.from({ length: 8 }, () => WrAccount.objects.getOrCreate({ email: "get@race.org" }, { name: "g" })),
          { concurrency: "unbounded" }
        )
        const updates = yield* Effect.all(
          Array.from({ length: 8 }, (_, i) => WrAccount.objects.updateOrCreate({ email: "upd@race.org" }, { name: `u${i}` })),
          { concurrency: "unbounded" }
        )
        expect(gets.filter(([, created]) => created)).toHaveLength(1)
        expect(updates.filter(([, created]) => created)).toHaveLength(1)
        expect(yield* WrAccount.objects.filter({ email: { endsWith: "@race.org" } }).count()).toBe(2)
        yield* cleanup
      }))

    it.effect("updateOrCreate updates the matching row or creates it", () =>
      Testing.isolated(Effect.gen(function*() {
        const [made, created] = yield* WrAccount.objects.updateOrCreate({ email: "fay@x.org" }, { name: "Fay", balance: 1 })
        expect(created).toBe(true)
        const [updated, createdAgain] = yield* WrAccount.objects.updateOrCreate({ email: "fay@x.org" }, { balance: 50 })
        expect(createdAgain).toBe(false)
        expect([updated.id, updated.name, updated.balance]).toEqual([made.id, "Fay", 50])
        expect(yield* WrAccount.objects.count()).toBe(1)
      })))

    it.effect("bulkCreate inserts in batches and returns the rows with their keys", () =>
      Testing.isolated(Effect.gen(function*() {
        const data = ["a", "b", "c", "d", "e"].map((n) => ({ email: `${n}@bulk.org`, name: n }))
        const { queries, result } = yield* Testing.captureQueries(WrAccount.objects.bulkCreate(data, { batchSize: 2 }))
        expect(queries.filter((q) => q.sql.startsWith("INSERT"))).toHaveLength(3)
        expect(result.map((r) => r.email)).toEqual(data.map((d) => d.email))
        expect(result.every((r) => typeof r.id === "number" && r.balance === 0)).toBe(true)
        expect(new Set(result.map((r) => r.id)).size).toBe(5)
        expect(yield* WrAccount.objects.count()).toBe(5)
        expect(yield* WrAccount.objects.bulkCreate([])).toEqual([])
      })))

    it.effect("bulkCreate validates every row first and writes nothing on a bad one", () =>
      Testing.isolated(Effect.gen(function*() {
        const error = yield* Effect.flip(WrAccount.objects.bulkCreate([
          { email: "ok@bulk.org", name: "ok" },
          { email: "bad@bulk.org", name: "x".repeat(30), balance: -2 }
        ]))
        expect(error._tag).toBe("ValidationError")
        if (error._tag === "ValidationError") {
          expect(error.issues.map((i) => i.field).sort()).toEqual(["[1].balance", "[1].name"])
        }
        expect(yield* WrAccount.objects.count()).toBe(0)
      })))

    it.effect("bulkCreate is all or nothing across batches", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* account("dup@bulk.org")
        const error = yield* Effect.flip(WrAccount.objects.bulkCreate(
          [{ email: "one@bulk.org", name: "1" }, { email: "two@bulk.org", name: "2" }, { email: "dup@bulk.org", name: "3" }],
          { batchSize: 2 }
        ))
        expect(error._tag).toBe("IntegrityError")
        expect(yield* emails).toEqual(["dup@bulk.org"])
      })))

    it.effect("bulkCreate with ignoreConflicts skips duplicates; with updateConflicts updates them", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* account("old@bulk.org", { name: "old", balance: 1 })
        const ignored = yield* WrAccount.objects.bulkCreate(
          [{ email: "old@bulk.org", name: "new" }, { email: "other@bulk.org", name: "other" }],
          { ignoreConflicts: true }
        )
        expect(ignored.map((r) => r.email)).toEqual(["other@bulk.org"])
        expect((yield* WrAccount.objects.get({ email: "old@bulk.org" })).name).toBe("old")
        const upserted = yield* WrAccount.objects.bulkCreate(
          [{ email: "old@bulk.org", name: "renamed", balance: 9 }, { email: "third@bulk.org", name: "third" }],
          { updateConflicts: { uniqueFields: ["email"], updateFields: ["name"] } }
        )
        expect(upserted.map((r) => [r.email, r.name, r.balance])).toEqual([
          ["old@bulk.org", "renamed", 1],
          ["third@bulk.org", "third", 0]
        ])
        expect(yield* WrAccount.objects.count()).toBe(3)
        const both = yield* Effect.flip(WrAccount.objects.bulkCreate([], {
          ignoreConflicts: true,
          updateConflicts: { uniqueFields: ["email"], updateFields: ["name"] }
        }))
        expect(both._tag).toBe("QueryError")
      })))

    it.effect("bulkUpdate writes the given fields of many instances in one statement per batch", () =>
      Testing.isolated(Effect.gen(function*() {
        const rows = yield* WrAccount.objects.bulkCreate(["p", "q", "r"].map((n) => ({ email: `${n}@up.org`, name: n })))
        const changed = rows.map((r, i) => new WrAccount({ ...r, name: r.name.toUpperCase(), balance: (i + 1) * 10 }))
        const { queries, result } = yield* Testing.captureQueries(WrAccount.objects.bulkUpdate(changed, ["balance"], { batchSize: 2 }))
        expect(result).toBe(3)
        expect(queries.filter((q) => q.sql.startsWith("UPDATE"))).toHaveLength(2)
        const stored = yield* WrAccount.objects.values("name", "balance")
        expect(stored).toEqual([{ name: "p", balance: 10 }, { name: "q", balance: 20 }, { name: "r", balance: 30 }])
        const invalid = yield* Effect.flip(WrAccount.objects.bulkUpdate([new WrAccount({ ...rows[0]!, balance: -5 }, true)], ["balance"]))
        expect(invalid._tag).toBe("ValidationError")
        expect((yield* WrAccount.objects.get({ pk: rows[0]!.id })).balance).toBe(10)
      })))

    it.effect("a version field makes a stale save, delete or bulkUpdate fail and write nothing", () =>
      Testing.isolated(Effect.gen(function*() {
        const doc = yield* WrDoc.objects.create({ title: "draft" })
        expect(doc.version).toBe(0)
        const v1 = yield* WrDoc.objects.save(new WrDoc({ ...doc, title: "first" }))
        expect(v1.version).toBe(1)
        // `doc` still says version 0: saving it would overwrite "first".
        const stale = yield* Effect.flip(WrDoc.objects.save(new WrDoc({ ...doc, title: "lost update" })))
        expect(stale._tag).toBe("StaleObjectError")
        expect((yield* WrDoc.objects.refresh(doc)).title).toBe("first")
        // A queryset update bumps the version too, so v1 becomes stale.
        yield* WrDoc.objects.filter({ pk: doc.id }).update({ title: F("title") })
        expect((yield* Effect.flip(WrDoc.objects.save(v1)))._tag).toBe("StaleObjectError")
        expect((yield* Effect.flip(WrDoc.objects.deleteInstance(v1)))._tag).toBe("StaleObjectError")
        const current = yield* WrDoc.objects.refresh(doc)
        expect(current.version).toBe(2)
        const other = yield* WrDoc.objects.create({ title: "other" })
        const bulk = yield* Effect.flip(WrDoc.objects.bulkUpdate(
          [new WrDoc({ ...other, title: "x" }), new WrDoc({ ...v1, title: "y" })],
          ["title"]
        ))
        expect(bulk._tag).toBe("StaleObjectError")
        expect(yield* WrDoc.objects.valuesList("title", { flat: true })).toEqual(["first", "other"])
        expect((yield* WrDoc.objects.deleteInstance(current)).total).toBe(1)
      })))

    it.effect("selectForUpdate locks rows inside a transaction and is refused outside", () =>
      Effect.gen(function*() {
        const outside = yield* Effect.flip(WrAccount.objects.selectForUpdate())
        expect(outside._tag).toBe("QueryError")
        yield* Testing.isolated(Effect.gen(function*() {
          yield* account("lock@x.org", { balance: 3 })
          const rows = yield* WrAccount.objects.selectForUpdate({ of: ["self"] }).filter({ email: "lock@x.org" })
          expect(rows.map((r) => r.balance)).toEqual([3])
          const sql = yield* WrAccount.objects.selectForUpdate({ skipLocked: true }).toSql()
          expect(sql.sql).toMatch(/FOR UPDATE SKIP LOCKED$/)
          expect((yield* WrAccount.objects.selectForUpdate({ nowait: true }).toSql()).sql).toMatch(/FOR UPDATE NOWAIT$/)
          const both = yield* Effect.flip(WrAccount.objects.selectForUpdate({ nowait: true, skipLocked: true }))
          expect(both._tag).toBe("QueryError")
        }))
      }))

    it.effect("transactions racing with selectForUpdate reach the right total (server)", () =>
      Effect.gen(function*() {
        if (driver.name !== "postgres") return // one connection on PGlite: nothing races
        yield* WrAccount.objects.filter({ email: "counter@x.org" }).delete()
        const counter = yield* account("counter@x.org")
        const increment = Db.atomic(Effect.gen(function*() {
          const row = yield* WrAccount.objects.selectForUpdate().get({ pk: counter.id })
          yield* Effect.yieldNow()
          yield* WrAccount.objects.save(new WrAccount({ ...row, balance: row.balance + 1 }), { updateFields: ["balance"] })
        }))
        yield* Effect.all(Array.from({ length: 20 }, () => increment), { concurrency: 5 })
        expect((yield* WrAccount.objects.refresh(counter)).balance).toBe(20)

        // NOWAIT fails at once on a locked row; SKIP LOCKED passes over it.
        const locked = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        const holder = yield* Effect.fork(Db.atomic(Effect.gen(function*() {
          yield* WrAccount.objects.selectForUpdate().filter({ pk: counter.id })
          yield* Deferred.succeed(locked, undefined)
          yield* Deferred.await(release)
        })))
        yield* Deferred.await(locked)
        const nowait = yield* Effect.either(Db.atomic(WrAccount.objects.selectForUpdate({ nowait: true }).filter({ pk: counter.id })))
        expect(Either.isLeft(nowait) && nowait.left._tag).toBe("SqlError")
        const skipped = yield* Db.atomic(WrAccount.objects.selectForUpdate({ skipLocked: true }).filter({ pk: counter.id }))
        expect(skipped).toEqual([])
        yield* Deferred.succeed(release, undefined)
        yield* holder.await
        yield* WrAccount.objects.filter({ email: "counter@x.org" }).delete()
        expect(Option.isNone(yield* WrAccount.objects.filter({ email: "counter@x.org" }).first())).toBe(true)
      }))
  })
}
