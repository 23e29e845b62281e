import { expect, layer } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { Deferred, Effect, Exit, Fiber, TestServices } from "effect"
import { Db, Field, Model } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

class Entry extends Model.Class<Entry>("Entry")({
  id: Field.AutoField(),
  label: Field.Char({ maxLength: 50 })
}, { table: "tx_entry", ordering: ["label"] }) {}

const labels = Effect.map(Entry.objects.valuesList("label", { flat: true }), (rows) => [...rows])
const add = (label: string) => Entry.objects.create({ label })
const boom = new Error("boom")

// These tests commit for real, so each starts from an empty table instead of running in `Testing.isolated`.
const fresh = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.zipRight(Entry.objects.delete(), effect)

/**
 * Two sibling fibers in one transaction, each in a savepoint: B opens its savepoint first; A opens its own after
 * B's and commits it while B's is still open; then B fails. Rolling back B must not undo A's write ("kept").
 */
const siblings = Effect.gen(function*() {
  const bOpened = yield* Deferred.make<void>()
  const aWrote = yield* Deferred.make<void>()
  return yield* Effect.all([
    Deferred.await(bOpened).pipe(
      Effect.zipRight(Db.atomic(Effect.zipRight(add("kept"), Deferred.succeed(aWrote, undefined))))
    ),
    Db.atomic(Effect.gen(function*() {
      yield* Deferred.succeed(bOpened, undefined)
      // A bounded, real-time wait for A's write: with savepoints serialized, A only starts once B is done.
      yield* TestServices.provideLive(Effect.timeoutOption(Deferred.await(aWrote), "300 millis"))
      yield* add("discarded")
      return yield* Effect.fail("sibling failed")
    }))
  ], { concurrency: "unbounded", mode: "either" })
})

for (const driver of Testing.drivers([Entry])) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("commits on success", () =>
      fresh(Effect.gen(function*() {
        const result = yield* Db.atomic(Effect.as(add("a"), 42))
        expect(result).toBe(42)
        expect(yield* labels).toEqual(["a"])
      })))

    it.effect("rolls back on failure, defect and interruption", () =>
      fresh(Effect.gen(function*() {
        const failed = yield* Effect.exit(Db.atomic(Effect.zipRight(add("failure"), Effect.fail("nope"))))
        expect(Exit.isFailure(failed)).toBe(true)
        const died = yield* Effect.exit(Db.atomic(Effect.zipRight(add("defect"), Effect.die(boom))))
        expect(Exit.isFailure(died)).toBe(true)
        const started = yield* Deferred.make<void>()
        const fiber = yield* Effect.fork(Db.atomic(
          add("interrupted").pipe(Effect.zipRight(Deferred.succeed(started, undefined)), Effect.zipRight(Effect.never))
        ))
        yield* Deferred.await(started)
        yield* Fiber.interrupt(fiber)
        expect(yield* labels).toEqual([])
        // The connection went back to the pool in a usable state.
        yield* Db.atomic(add("after"))
        expect(yield* labels).toEqual(["after"])
      })))

    it.effect("a caught failure of a nested call rolls back only the savepoint", () =>
      fresh(Effect.gen(function*() {
        yield* Db.atomic(Effect.gen(function*() {
          yield* add("outer")
          yield* Db.atomic(Effect.zipRight(add("inner"), Effect.fail("inner failed"))).pipe(Effect.ignore)
          yield* Db.atomic(add("second inner"))
        }))
        expect(yield* labels).toEqual(["outer", "second inner"])
      })))

    it.effect("sibling fibers' savepoints never discard each other's writes", () =>
      fresh(Effect.gen(function*() {
        const [a, b] = yield* Db.atomic(siblings)
        expect(a._tag).toBe("Right")
        expect(b._tag).toBe("Left")
        expect(yield* labels).toEqual(["kept"])
      })))

    it.effect("inside sql.withTransaction too, sibling fibers' savepoints never discard each other's writes", () =>
      fresh(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [a, b] = yield* sql.withTransaction(siblings)
        expect([a._tag, b._tag]).toEqual(["Right", "Left"])
        expect(yield* labels).toEqual(["kept"])
      })))

    it.effect("fibers forked inside a transaction use its connection", () =>
      fresh(Effect.gen(function*() {
        const exit = yield* Effect.exit(Db.atomic(Effect.gen(function*() {
          yield* Effect.forEach(["x", "y", "z"], add, { concurrency: 3 })
          // Raw SQL sees the ORM's uncommitted rows: same connection, same transaction.
          const sql = yield* SqlClient.SqlClient
          const rows = yield* sql<{ n: string }>`SELECT count(*) AS n FROM tx_entry`
          expect(Number(rows[0]!.n)).toBe(3)
          return yield* Effect.fail("undo")
        })))
        expect(Exit.isFailure(exit)).toBe(true)
        expect(yield* labels).toEqual([])
      })))

    it.effect("a failing COMMIT is a typed IntegrityError, not a defect", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE IF NOT EXISTS tx_deferred (code int CONSTRAINT tx_deferred_code_key UNIQUE DEFERRABLE INITIALLY DEFERRED)`
        yield* sql`DELETE FROM tx_deferred`
        const error = yield* Db.atomic(Effect.gen(function*() {
          yield* sql`INSERT INTO tx_deferred VALUES (1)`
          yield* sql`INSERT INTO tx_deferred VALUES (1)`
        })).pipe(Effect.flip)
        expect(error._tag).toBe("IntegrityError")
        if (error._tag === "IntegrityError") {
          expect(error.kind).toBe("unique")
          expect(error.constraint).toBe("tx_deferred_code_key")
        }
        const rows = yield* sql<{ n: string }>`SELECT count(*) AS n FROM tx_deferred`
        expect(Number(rows[0]!.n)).toBe(0)
        yield* sql`DROP TABLE tx_deferred`
      }))

    it.effect("isolation level and read-only apply to the outermost transaction", () =>
      fresh(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const level = yield* Db.atomic(sql<{ transaction_isolation: string }>`SHOW transaction_isolation`, {
          isolationLevel: "serializable"
        })
        expect(level[0]!.transaction_isolation).toBe("serializable")
        const readOnly = yield* Db.atomic(add("nope"), { readOnly: true }).pipe(Effect.flip)
        expect(readOnly._tag).toBe("SqlError")
        const nested = yield* Db.atomic(Db.atomic(add("nope"), { isolationLevel: "serializable" })).pipe(Effect.flip)
        expect(nested._tag).toBe("QueryError")
        const bad = yield* Db.atomic(add("nope"), { isolationLevel: "chaos" as any }).pipe(Effect.flip)
        expect(bad._tag).toBe("QueryError")
        expect(yield* labels).toEqual([])
      })))

    it.effect("inTransaction tells whether a transaction is open", () =>
      Effect.gen(function*() {
        expect(yield* Db.inTransaction).toBe(false)
        expect(yield* Db.atomic(Db.inTransaction)).toBe(true)
      }))

    it.effect("Testing.isolated turns atomic into a savepoint and rolls everything back", () =>
      fresh(Effect.gen(function*() {
        const { queries } = yield* Testing.captureQueries(Testing.isolated(Effect.gen(function*() {
          yield* Db.atomic(add("inside"))
          expect(yield* labels).toEqual(["inside"])
        })))
        expect(queries.length).toBeGreaterThan(0)
        expect(yield* labels).toEqual([])
      })))
  })
}

