import { expect, layer } from "@effect/vitest"
import * as SqlClient from "effect/sql/SqlClient"
import { SqlError, UnknownError } from "effect/sql/SqlError"
import { Context, Deferred, Effect, Exit, Fiber, Logger, Schedule } from "effect"
import * as TestClock from "effect/testing/TestClock"
import { Db, Field, Model, Transaction } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

class Item extends Model.Class<Item>("Item")({
  id: Field.AutoField(),
  label: Field.Char({ maxLength: 50 })
}, { table: "txx_item", ordering: ["label"] }) {}

class Counter extends Model.Class<Counter>("Counter")({
  id: Field.AutoField(),
  value: Field.Integer()
}, { table: "txx_counter" }) {}

class Greeting extends Context.Service<Greeting, string>()("test/Greeting") {}

const labels = Effect.map(Item.objects.valuesList("label", { flat: true }), (rows) => [...rows])
const add = (label: string) => Item.objects.create({ label })
const boom = new Error("boom")

/** A driver error as PostgreSQL reports a serialization failure (40001) or a deadlock (40P01). */
const pgError = (code: string) =>
  new SqlError({ reason: new UnknownError({ cause: { code, message: `simulated ${code}` }, message: "Failed to execute statement" }) })

// These tests commit for real, so each starts from empty tables instead of running in `Testing.isolated`.
const fresh = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Item.objects.delete().pipe(Effect.andThen(Counter.objects.delete()), Effect.andThen(effect))

/** Runs `effect` with a logger that records what is logged. */
const withLogs = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const logs: Array<{ level: string; message: string; cause: string }> = []
    const logger = Logger.make(({ cause, logLevel, message }) => {
      logs.push({
        level: logLevel.toUpperCase(),
        message: (Array.isArray(message) ? message : [message]).map(String).join(" "),
        cause: String(cause)
      })
    })
    return Effect.map(Effect.provide(effect, Logger.layer([logger])), (result) => ({ result, logs }))
  })

for (const driver of Testing.drivers([Item, Counter])) {
  layer(driver.layer)(driver.name, (it) => {
    // --- durable -------------------------------------------------------------------------------------------------

    it.effect("durable: works as the outermost transaction", () =>
      fresh(Effect.gen(function*() {
        expect(yield* Db.atomic(Effect.as(add("durable"), 7), { durable: true })).toBe(7)
        expect(yield* labels).toEqual(["durable"])
        const failed = yield* Effect.exit(Db.atomic(Effect.andThen(add("undone"), Effect.fail("nope")), { durable: true }))
        expect(Exit.isFailure(failed)).toBe(true)
        expect(yield* labels).toEqual(["durable"])
      })))

    it.effect("durable: inside another transaction fails with a QueryError before running anything", () =>
      fresh(Effect.gen(function*() {
        let ran = false
        const body = Effect.andThen(Effect.sync(() => ran = true), add("inner"))
        const error = yield* Db.atomic(Effect.andThen(add("outer"), Db.atomic(body, { durable: true }))).pipe(Effect.flip)
        expect(error._tag).toBe("QueryError")
        expect(error._tag === "QueryError" && error.reason).toBe("a durable atomic block cannot run inside another transaction")
        expect(ran).toBe(false)
        // Deeper too, and the caller may catch it: the enclosing transaction goes on.
        yield* Db.atomic(Effect.gen(function*() {
          yield* add("kept")
          const deep = yield* Db.atomic(Db.atomic(body, { durable: true })).pipe(Effect.flip)
          expect(deep._tag).toBe("QueryError")
        }))
        expect(ran).toBe(false)
        expect(yield* labels).toEqual(["kept"])
      })))

    it.effect("durable: allowed directly inside Testing.isolated (a savepoint), refused deeper", () =>
      fresh(Effect.gen(function*() {
        yield* Testing.isolated(Effect.gen(function*() {
          yield* Db.atomic(add("in test"), { durable: true })
          expect(yield* labels).toEqual(["in test"])
          const deeper = yield* Db.atomic(Db.atomic(add("no"), { durable: true })).pipe(Effect.flip)
          expect(deeper._tag).toBe("QueryError")
          expect(yield* labels).toEqual(["in test"])
        }))
        expect(yield* labels).toEqual([])
      })))

    it.effect("outermost options are usable directly inside Testing.isolated: retry re-runs the savepoint", () =>
      fresh(Effect.gen(function*() {
        yield* Testing.isolated(Effect.gen(function*() {
          let attempts = 0
          const result = yield* Db.atomic(Effect.gen(function*() {
            attempts++
            yield* add(`attempt ${attempts}`)
            if (attempts < 3) return yield* Effect.fail(pgError("40001"))
            return attempts
          }), { retry: Schedule.recurs(5), isolationLevel: "serializable", readOnly: false })
          expect(result).toBe(3)
          // The failed attempts' savepoints were rolled back.
          expect(yield* labels).toEqual(["attempt 3"])
          const deeper = yield* Db.atomic(Db.atomic(add("no"), { retry: Schedule.recurs(1) })).pipe(Effect.flip)
          expect(deeper._tag).toBe("QueryError")
        }))
        expect(yield* labels).toEqual([])
      })))

    // --- onCommit ------------------------------------------------------------------------------------------------

    it.effect("onCommit: callbacks run after COMMIT, in registration order, across levels, before atomic returns", () =>
      fresh(Effect.gen(function*() {
        const order: Array<string> = []
        const note = (s: string) => Effect.sync(() => order.push(s))
        yield* Db.atomic(Effect.gen(function*() {
          yield* Transaction.onCommit(note("first"))
          yield* add("a")
          yield* Db.atomic(Effect.gen(function*() {
            yield* Transaction.onCommit(note("in savepoint"))
            yield* Db.atomic(Transaction.onCommit(note("two savepoints deep")))
          }))
          yield* Transaction.onCommit(note("last"))
          yield* note("body done")
        }))
        yield* note("atomic returned")
        expect(order).toEqual(["body done", "first", "in savepoint", "two savepoints deep", "last", "atomic returned"])
      })))

    it.effect("onCommit: outside a transaction the callback runs at once", () =>
      Effect.gen(function*() {
        const order: Array<string> = []
        yield* Transaction.onCommit(Effect.sync(() => order.push("now")))
        expect(order).toEqual(["now"])
        // A failure there is logged, not raised.
        const { logs } = yield* withLogs(Transaction.onCommit(Effect.fail("bad")))
        expect(logs.filter((l) => l.level === "ERROR")).toHaveLength(1)
      }))

    it.effect("onCommit: dropped with a failed savepoint, kept for a successful sibling savepoint", () =>
      fresh(Effect.gen(function*() {
        const order: Array<string> = []
        const note = (s: string) => Effect.sync(() => order.push(s))
        yield* Db.atomic(Effect.gen(function*() {
          yield* Db.atomic(Effect.andThen(Transaction.onCommit(note("kept")), add("kept")))
          yield* Db.atomic(Effect.gen(function*() {
            yield* Transaction.onCommit(note("failed savepoint"))
            yield* add("failed")
            return yield* Effect.fail("undo savepoint")
          })).pipe(Effect.ignore)
          // A savepoint that succeeded inside one that failed goes with its parent.
          yield* Db.atomic(Effect.gen(function*() {
            yield* Db.atomic(Transaction.onCommit(note("inside a failed parent")))
            return yield* Effect.die(boom)
          })).pipe(Effect.catchDefect(() => Effect.void))
          // Sibling fibers: one savepoint commits, the other rolls back.
          const [a, b] = yield* Effect.all([
            Db.atomic(Transaction.onCommit(note("sibling kept"))),
            Db.atomic(Effect.andThen(Transaction.onCommit(note("sibling failed")), Effect.fail("sibling")))
          ], { concurrency: "unbounded", mode: "result" })
          expect(a._tag).toBe("Success")
          expect(b._tag).toBe("Failure")
          yield* Transaction.onCommit(note("after"))
        }))
        expect(order).toEqual(["kept", "sibling kept", "after"])
        expect(yield* labels).toEqual(["kept"])
      })))

    it.effect("onCommit: dropped when the transaction rolls back (failure, defect, interruption, failed COMMIT)", () =>
      fresh(Effect.gen(function*() {
        const order: Array<string> = []
        const note = (s: string) => Effect.sync(() => order.push(s))
        const failed = yield* Effect.exit(Db.atomic(Effect.gen(function*() {
          yield* Transaction.onCommit(note("failure"))
          yield* Db.atomic(Transaction.onCommit(note("savepoint of a failure")))
          return yield* Effect.fail("nope")
        })))
        expect(Exit.isFailure(failed)).toBe(true)
        const died = yield* Effect.exit(Db.atomic(Effect.andThen(Transaction.onCommit(note("defect")), Effect.die(boom))))
        expect(Exit.isFailure(died)).toBe(true)
        const registered = yield* Deferred.make<void>()
        const fiber = yield* Effect.forkChild(Db.atomic(
          Transaction.onCommit(note("interrupted")).pipe(Effect.andThen(Deferred.succeed(registered, undefined)), Effect.andThen(Effect.never))
        ))
        yield* Deferred.await(registered)
        yield* Fiber.interrupt(fiber)
        // A COMMIT refused by a deferred constraint.
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE IF NOT EXISTS txx_deferred (code int CONSTRAINT txx_deferred_code_key UNIQUE DEFERRABLE INITIALLY DEFERRED)`
        yield* sql`DELETE FROM txx_deferred`
        const commitFailed = yield* Db.atomic(Effect.gen(function*() {
          yield* Transaction.onCommit(note("failed commit"))
          yield* sql`INSERT INTO txx_deferred VALUES (1), (1)`
        })).pipe(Effect.flip)
        expect(commitFailed._tag).toBe("IntegrityError")
        yield* sql`DROP TABLE txx_deferred`
        expect(order).toEqual([])
        expect(yield* labels).toEqual([])
      })))

    it.effect("onCommit: a callback runs outside the transaction and sees the committed rows", () =>
      fresh(Effect.gen(function*() {
        const seen: Array<{ labels: Array<string>; inTransaction: boolean }> = []
        yield* Db.atomic(Effect.gen(function*() {
          yield* add("a")
          yield* Transaction.onCommit(Effect.gen(function*() {
            // On the server this reads through another pooled connection: only committed rows are visible there.
            // On PGlite the only connection must already be free, or this would wait forever.
            seen.push({ labels: yield* labels, inTransaction: yield* Db.inTransaction })
          }))
          yield* add("b")
          // A callback may open a transaction of its own.
          yield* Transaction.onCommit(Db.atomic(add("from callback")))
        }))
        expect(seen).toEqual([{ labels: ["a", "b"], inTransaction: false }])
        expect(yield* labels).toEqual(["a", "b", "from callback"])
      })))

    it.effect("onCommit: a failing callback is logged, the commit stands and later callbacks still run", () =>
      fresh(Effect.gen(function*() {
        const order: Array<string> = []
        const note = (s: string) => Effect.sync(() => order.push(s))
        const { logs, result } = yield* withLogs(Db.atomic(Effect.gen(function*() {
          yield* add("committed")
          yield* Transaction.onCommit(note("one"))
          yield* Transaction.onCommit(Effect.fail("callback failed"))
          yield* Transaction.onCommit(Effect.die(boom))
          yield* Transaction.onCommit(note("four"))
          return "value"
        })))
        expect(result).toBe("value")
        expect(order).toEqual(["one", "four"])
        expect(yield* labels).toEqual(["committed"])
        const errors = logs.filter((l) => l.level === "ERROR")
        expect(errors).toHaveLength(2)
        expect(errors[0]!.message).toContain("onCommit callback failed")
        expect(errors[0]!.cause).toContain("callback failed")
        expect(errors[1]!.cause).toContain("boom")
      })))

    it.effect("onCommit: callbacks keep the context of the fiber that registered them", () =>
      fresh(Effect.gen(function*() {
        const greetings: Array<string> = []
        yield* Db.atomic(Effect.gen(function*() {
          yield* Transaction.onCommit(Effect.map(Greeting, (g) => greetings.push(g))).pipe(
            Effect.provideService(Greeting, "registered here")
          )
        }))
        expect(greetings).toEqual(["registered here"])
      })))

    it.effect("onCommit: never runs inside Testing.isolated (always rolled back)", () =>
      fresh(Effect.gen(function*() {
        const order: Array<string> = []
        yield* Testing.isolated(Effect.gen(function*() {
          yield* add("x")
          yield* Transaction.onCommit(Effect.sync(() => order.push("top")))
          yield* Db.atomic(Transaction.onCommit(Effect.sync(() => order.push("in atomic"))))
        }))
        expect(order).toEqual([])
        expect(yield* labels).toEqual([])
      })))

    it.effect("onCommit: a transaction opened by sql.withTransaction runs them after its COMMIT too", () =>
      fresh(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const order: Array<string> = []
        const note = (s: string) => Effect.sync(() => order.push(s))
        const { logs } = yield* withLogs(sql.withTransaction(Effect.gen(function*() {
          yield* add("raw")
          yield* Transaction.onCommit(note("raw"))
          yield* Db.atomic(Effect.andThen(add("atomic in raw"), Transaction.onCommit(note("atomic in raw"))))
          yield* note("raw body done")
        })))
        expect(order).toEqual(["raw body done", "raw", "atomic in raw"])
        expect(logs.filter((l) => l.level === "ERROR")).toHaveLength(0)
        expect(yield* labels).toEqual(["atomic in raw", "raw"])
        // A raw savepoint inside atomic: kept when it succeeds, dropped when it rolls back.
        order.length = 0
        yield* Db.atomic(Effect.gen(function*() {
          yield* sql.withTransaction(Transaction.onCommit(note("raw savepoint")))
          yield* sql.withTransaction(Db.atomic(Transaction.onCommit(note("atomic in raw savepoint"))))
          yield* sql.withTransaction(Effect.andThen(Transaction.onCommit(note("failed raw savepoint")), Effect.fail("undo")))
            .pipe(Effect.ignore)
          yield* note("body done")
        }))
        expect(order).toEqual(["body done", "raw savepoint", "atomic in raw savepoint"])
        // A raw transaction that rolls back drops them.
        order.length = 0
        yield* sql.withTransaction(Effect.andThen(Transaction.onCommit(note("rolled back")), Effect.fail("undo")))
          .pipe(Effect.ignore)
        expect(order).toEqual([])
      })))

    // --- retry ---------------------------------------------------------------------------------------------------

    it.effect("isRetryable: serialization failures and deadlocks only", () =>
      Effect.sync(() => {
        expect(Transaction.isRetryable(pgError("40001"))).toBe(true)
        expect(Transaction.isRetryable(pgError("40P01"))).toBe(true)
        expect(Transaction.isRetryable(pgError("23505"))).toBe(false)
        expect(Transaction.isRetryable(new SqlError({ reason: new UnknownError({ cause: new Error("x"), message: "x" }) }))).toBe(false)
        expect(Transaction.isRetryable({ code: "40001" })).toBe(false)
        expect(Transaction.isRetryable("40001")).toBe(false)
        expect(Transaction.isRetryable(undefined)).toBe(false)
      }))

    it.effect("retry: re-runs the whole transaction on 40001/40P01; earlier attempts are rolled back", () =>
      TestClock.withLive(fresh(Effect.gen(function*() {
        let attempts = 0
        const order: Array<string> = []
        const result = yield* Db.atomic(Effect.gen(function*() {
          attempts++
          yield* add(`attempt ${attempts}`)
          yield* Transaction.onCommit(Effect.sync(() => order.push(`callback ${attempts}`)))
          if (attempts === 1) return yield* Effect.fail(pgError("40001"))
          if (attempts === 2) yield* Db.atomic(Effect.fail(pgError("40P01")))
          return attempts
        }), { retry: Schedule.max([Schedule.exponential("1 millis").pipe(Schedule.jittered), Schedule.recurs(5)]) })
        expect(result).toBe(3)
        expect(attempts).toBe(3)
        expect(yield* labels).toEqual(["attempt 3"])
        // Only the callbacks of the attempt that committed run.
        expect(order).toEqual(["callback 3"])
      }))))

    it.effect("retry: gives up when the schedule is done, with the last error", () =>
      fresh(Effect.gen(function*() {
        let attempts = 0
        const error = yield* Db.atomic(
          Effect.andThen(Effect.andThen(Effect.sync(() => attempts++), add("x")), Effect.fail(pgError("40001"))),
          { retry: Schedule.recurs(2) }
        ).pipe(Effect.flip)
        expect(attempts).toBe(3)
        expect(Transaction.isRetryable(error)).toBe(true)
        expect(yield* labels).toEqual([])
      })))

    it.effect("retry: other failures and defects are not retried", () =>
      fresh(Effect.gen(function*() {
        let attempts = 0
        const once = <E>(failure: Effect.Effect<never, E>) =>
          Effect.gen(function*() {
            attempts = 0
            const exit = yield* Effect.exit(Db.atomic(
              Effect.andThen(Effect.andThen(Effect.sync(() => attempts++), add("x")), failure),
              { retry: Schedule.recurs(5) }
            ))
            expect(Exit.isFailure(exit)).toBe(true)
            expect(attempts).toBe(1)
          })
        yield* once(Effect.fail("plain"))
        yield* once(Effect.fail(pgError("23505")))
        yield* once(Effect.die(pgError("40001")))
        // A real integrity error is not retried either.
        const sql = yield* SqlClient.SqlClient
        attempts = 0
        const integrity = yield* Db.atomic(Effect.gen(function*() {
          attempts++
          yield* sql`INSERT INTO txx_item (id, label) VALUES (1, 'a'), (1, 'b')`
        }), { retry: Schedule.recurs(5) }).pipe(Effect.flip)
        expect(attempts).toBe(1)
        expect(integrity._tag).toBe("SqlError")
        expect(yield* labels).toEqual([])
      })))

    it.effect("retry: on a nested call is a QueryError, and nothing runs", () =>
      fresh(Effect.gen(function*() {
        let ran = false
        yield* Db.atomic(Effect.gen(function*() {
          const error = yield* Db.atomic(Effect.sync(() => ran = true), { retry: Schedule.recurs(1) }).pipe(Effect.flip)
          expect(error._tag).toBe("QueryError")
          expect(error._tag === "QueryError" && error.reason).toContain("retry")
        }))
        expect(ran).toBe(false)
      })))

    it.effect("retry: a COMMIT failing with a serialization failure is retried", () =>
      fresh(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        // A deferred constraint trigger fails the first two COMMITs with SQLSTATE 40001 (sequences ignore rollback).
        yield* sql`CREATE TABLE IF NOT EXISTS txx_commit (n int)`
        yield* sql`DELETE FROM txx_commit`
        yield* sql`CREATE SEQUENCE IF NOT EXISTS txx_commit_seq`
        yield* sql`ALTER SEQUENCE txx_commit_seq RESTART WITH 1`
        yield* sql.unsafe(`CREATE OR REPLACE FUNCTION txx_commit_check() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF nextval('txx_commit_seq') <= 2 THEN
              RAISE EXCEPTION 'simulated serialization failure at commit' USING ERRCODE = 'serialization_failure';
            END IF;
            RETURN NULL;
          END $$`)
        yield* sql`DROP TRIGGER IF EXISTS txx_commit_trigger ON txx_commit`
        yield* sql.unsafe(`CREATE CONSTRAINT TRIGGER txx_commit_trigger AFTER INSERT ON txx_commit
          DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION txx_commit_check()`)
        // Without retry the COMMIT failure is a typed SqlError with the code, and the row is gone.
        const error = yield* Db.atomic(sql`INSERT INTO txx_commit VALUES (0)`).pipe(Effect.flip)
        expect(Transaction.isRetryable(error)).toBe(true)
        let attempts = 0
        const order: Array<number> = []
        yield* Db.atomic(Effect.gen(function*() {
          attempts++
          yield* sql`INSERT INTO txx_commit VALUES (${attempts})`
          yield* Transaction.onCommit(Effect.sync(() => order.push(attempts)))
        }), { retry: Schedule.recurs(3) })
        expect(attempts).toBe(2)
        expect(order).toEqual([2])
        const rows = yield* sql<{ n: number }>`SELECT n FROM txx_commit`
        expect(rows.map((r) => r.n)).toEqual([2])
        yield* sql`DROP TABLE txx_commit`
        yield* sql`DROP FUNCTION txx_commit_check()`
        yield* sql`DROP SEQUENCE txx_commit_seq`
      })))

    // --- on the server: real concurrency -------------------------------------------------------------------------

    it.effect("server: concurrent serializable increments with retry reach the exact total", () =>
      TestClock.withLive(fresh(Effect.gen(function*() {
        if (driver.name !== "postgres") return
        const counter = yield* Counter.objects.create({ value: 0 })
        let attempts = 0
        const increment = Db.atomic(Effect.gen(function*() {
          attempts++
          const current = yield* Counter.objects.get({ id: counter.id })
          // Read, wait, then write the value read: without serializable + retry, increments would be lost.
          yield* Effect.sleep("20 millis")
          yield* Counter.objects.filter({ id: counter.id }).update({ value: current.value + 1 })
        }), { isolationLevel: "serializable", retry: Schedule.recurs(20) })
        yield* Effect.all(Array.from({ length: 10 }, () => increment), { concurrency: "unbounded", discard: true })
        const final = yield* Counter.objects.get({ id: counter.id })
        expect(final.value).toBe(10)
        // The transactions did conflict, and were re-run.
        expect(attempts).toBeGreaterThan(10)
      }))))

    it.effect("server: 1,000 transactions interrupted at random moments, COMMIT included, are each all or nothing", () =>
      TestClock.withLive(fresh(Effect.gen(function*() {
        if (driver.name !== "postgres") return
        const sql = yield* SqlClient.SqlClient
        // Seeded, so a failure reproduces: interruptions spread over the whole run land before BEGIN, in the body,
        // and while COMMIT is in flight.
        let seed = 20261201
        const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
        const committed = new Set<number>()
        const fibers = yield* Effect.forEach(Array.from({ length: 1000 }, (_, i) => i), (i) =>
          Effect.forkChild(Db.atomic(Effect.gen(function*() {
            yield* Item.objects.bulkCreate([{ label: `c${i}a` }, { label: `c${i}b` }])
            yield* Transaction.onCommit(Effect.sync(() => committed.add(i)))
            yield* Transaction.onCommit(Effect.sync(() => committed.add(i)))
          }))))
        const delays = fibers.map(() => Math.floor(random() * 400))
        yield* Effect.forEach(fibers, (fiber, i) => Effect.andThen(Effect.sleep(delays[i]!), Fiber.interrupt(fiber)), {
          concurrency: "unbounded",
          discard: true
        })
        const exits = yield* Effect.forEach(fibers, Fiber.await)
        const rows = yield* sql<{ label: string }>`SELECT label FROM txx_item`
        const perTransaction = new Map<number, number>()
        for (const { label } of rows) {
          const i = Number(label.slice(1, -1))
          perTransaction.set(i, (perTransaction.get(i) ?? 0) + 1)
        }
        let interruptedButCommitted = 0
        for (let i = 0; i < 1000; i++) {
          const count = perTransaction.get(i) ?? 0
          // Never half a transaction; onCommit ran exactly for those that committed.
          expect([0, 2]).toContain(count)
          expect(committed.has(i)).toBe(count === 2)
          // A transaction that returned committed; one that did not return may have committed (COMMIT in flight).
          if (Exit.isSuccess(exits[i]!)) expect(count).toBe(2)
          else if (count === 2) interruptedButCommitted++
        }
        // The run did cover every case: some committed, some were interrupted before committing.
        expect(committed.size).toBeGreaterThan(0)
        expect(committed.size).toBeLessThan(1000)
        expect(interruptedButCommitted).toBeLessThan(1000)
        const one = yield* Effect.timeoutOrElse(sql<{ one: number }>`SELECT 1 AS one`, {
          duration: "5 seconds",
          orElse: () => Effect.fail("the pool is exhausted" as const)
        })
        expect(one[0]!.one).toBe(1)
      }))))

    it.effect("server: 1,000 transactions interrupted mid-flight leave no rows and no exhausted pool", () =>
      TestClock.withLive(fresh(Effect.gen(function*() {
        if (driver.name !== "postgres") return
        const sql = yield* SqlClient.SqlClient
        const started = yield* Deferred.make<void>()
        // 1,000 transactions on a pool of 5: five insert and sleep, the rest wait for a connection.
        const fibers = yield* Effect.forEach(Array.from({ length: 1000 }, (_, i) => i), (i) =>
          Effect.forkChild(Db.atomic(Effect.gen(function*() {
            yield* add(`tx ${i}`)
            yield* Deferred.succeed(started, undefined)
            yield* Effect.sleep("10 seconds")
          }))))
        yield* Deferred.await(started)
        yield* Effect.sleep("50 millis")
        yield* Effect.forEach(fibers, Fiber.interrupt, { concurrency: "unbounded", discard: true })
        const exits = yield* Effect.forEach(fibers, Fiber.await)
        expect(exits.every(Exit.hasInterrupts)).toBe(true)
        const within = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
          Effect.timeoutOrElse(effect, { duration: "5 seconds", orElse: () => Effect.fail("the pool is exhausted" as const) })
        // Ordinary queries still run, and none of the interrupted rows remains.
        const one = yield* within(sql<{ one: number }>`SELECT 1 AS one`)
        expect(one[0]!.one).toBe(1)
        expect(yield* within(Item.objects.count())).toBe(0)
        // Every pooled connection is usable: five transactions at once, each holding one until all have one.
        const all = yield* Deferred.make<void>()
        let holding = 0
        const results = yield* within(Effect.all(Array.from({ length: 5 }, (_, i) =>
          Db.atomic(Effect.gen(function*() {
            yield* add(`after ${i}`)
            if (++holding === 5) yield* Deferred.succeed(all, undefined)
            yield* Deferred.await(all)
            return i
          }))), { concurrency: "unbounded" }))
        expect(results).toEqual([0, 1, 2, 3, 4])
        expect(yield* within(Item.objects.count())).toBe(5)
      }))))
  })
}
