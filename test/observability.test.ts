/**
 * Observability: a span per ORM operation (with the model, the operation and the statement count), the SQL client's
 * statement spans inside it, and statement logging with durations.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Logger, References, Stream } from "effect"
import * as Tracer from "effect/Tracer"
import { Db, Field, Model, QueryLog } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

class ObAuthor extends Model.Class<ObAuthor>("ObAuthor")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  books: Field.Reverse((): Model.Ref<ObBook> => ObBook, "author")
}, { table: "ob_author" }) {}

class ObBook extends Model.Class<ObBook>("ObBook")({
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 50 }),
  author: Field.ForeignKey(() => ObAuthor, { onDelete: "CASCADE", relatedName: "books" })
}, { table: "ob_book" }) {}

/** Runs `effect` with a tracer that records every span. */
const withSpans = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const spans: Array<Tracer.NativeSpan> = []
    const tracer = Tracer.make({
      span: (options) => {
        const span = new Tracer.NativeSpan(options)
        spans.push(span)
        return span
      }
    })
    return Effect.map(Effect.withTracer(effect, tracer), (result) => ({ result, spans }))
  })

const orm = (spans: ReadonlyArray<Tracer.NativeSpan>) => spans.filter((s) => s.name.startsWith("effect-orm."))

for (const driver of Testing.drivers([ObAuthor, ObBook])) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("each operation has a span with its model, operation and statement count; statements nest inside", () =>
      Testing.isolated(Effect.gen(function*() {
        const { spans } = yield* withSpans(Effect.gen(function*() {
          const author = yield* ObAuthor.objects.create({ name: "Ann" })
          yield* ObBook.objects.bulkCreate([{ title: "A", author }, { title: "B", author }])
          yield* ObAuthor.objects.prefetchRelated("books")
          yield* ObBook.objects.get({ title: "A" })
          yield* ObBook.objects.filter({ title: "A" }).update({ title: "AA" })
          yield* ObAuthor.objects.filter({ name: "Ann" }).delete()
        }))
        const ops = orm(spans).map((s) => [s.name, s.attributes.get("effect-orm.model"), s.attributes.get("effect-orm.operation"), s.attributes.get("effect-orm.statements")])
        expect(ops).toEqual([
          ["effect-orm.insert", "ObAuthor", "create", 1],
          ["effect-orm.insert", "ObBook", "bulkCreate", 1],
          ["effect-orm.select", "ObAuthor", "all", 2],
          ["effect-orm.select", "ObBook", "get", 1],
          ["effect-orm.update", "ObBook", "update", 1],
          // The cascade: the authors' keys, the books referencing them, then the two deletes, in a savepoint.
          ["effect-orm.delete", "ObAuthor", "delete", 4]
        ])
        // The SQL client's statement spans are children of the operation's span.
        const select = orm(spans).find((s) => s.attributes.get("effect-orm.operation") === "all")!
        const children = spans.filter((s) => s.parent._tag === "Some" && s.parent.value === select)
        expect(children).toHaveLength(2)
        expect(children.every((s) => String(s.attributes.get("db.query.text")).includes("ob_"))).toBe(true)
        expect(orm(spans).every((s) => s.status._tag === "Ended")).toBe(true)
      })))

    it.effect("a stream's span lasts for the stream and counts its statements; a nested operation counts in its parent", () =>
      Testing.isolated(Effect.gen(function*() {
        const author = yield* ObAuthor.objects.create({ name: "Bo" })
        yield* ObBook.objects.bulkCreate([{ title: "C", author }, { title: "D", author }])
        const { spans } = yield* withSpans(Effect.gen(function*() {
          yield* Stream.runDrain(ObBook.objects.prefetchRelated("author").stream())
          yield* ObAuthor.objects.getOrCreate({ name: "Cy" })
        }))
        const streamSpan = orm(spans).find((s) => s.attributes.get("effect-orm.operation") === "stream")!
        expect(streamSpan.attributes.get("effect-orm.statements")).toBe(2)
        // Two rows, read by one fetch of the (transaction's) cursor: fewer rows than asked for end it.
        expect(streamSpan.attributes.get("effect-orm.fetches")).toBe(1)
        expect(streamSpan.status._tag).toBe("Ended")
        const getOrCreate = orm(spans).find((s) => s.attributes.get("effect-orm.operation") === "getOrCreate")!
        expect(getOrCreate.name).toBe("effect-orm.insert")
        // Its get has a span of its own, nested, whose statement is counted in getOrCreate too (with the INSERT).
        const nested = orm(spans).filter((s) => s.parent._tag === "Some" && s.parent.value === getOrCreate)
        expect(nested.map((s) => [s.attributes.get("effect-orm.operation"), s.attributes.get("effect-orm.statements")]))
          .toEqual([["get", 1]])
        expect(getOrCreate.attributes.get("effect-orm.statements")).toBe(2)
      })))

    it.effect("a stream in a transaction fetches chunkSize rows at a time, and stops after a short fetch", () =>
      Testing.isolated(Effect.gen(function*() {
        const author = yield* ObAuthor.objects.create({ name: "Fe" })
        yield* ObBook.objects.bulkCreate(Array.from({ length: 7 }, (_, i) => ({ title: `T${i}`, author })))
        const fetchesOf = (chunkSize: number) =>
          Effect.map(withSpans(Stream.runCollect(ObBook.objects.orderBy("title").stream({ chunkSize }))), ({ result, spans }) => {
            expect(result.map((b) => b.title)).toEqual(["T0", "T1", "T2", "T3", "T4", "T5", "T6"])
            return orm(spans).find((s) => s.attributes.get("effect-orm.operation") === "stream")!.attributes.get("effect-orm.fetches")
          })
        // 3 + 3 + 1; 7 then an empty fetch to learn the end; 7 of 1,000 by default.
        expect(yield* fetchesOf(3)).toBe(3)
        expect(yield* fetchesOf(7)).toBe(2)
        expect(yield* fetchesOf(1)).toBe(8)
        expect(yield* Effect.map(withSpans(Stream.runCollect(ObBook.objects.stream())), ({ spans }) =>
          orm(spans).find((s) => s.attributes.get("effect-orm.operation") === "stream")!.attributes.get("effect-orm.fetches"))).toBe(1)
      })))

    it.effect("QueryLog.logStatements logs each statement at debug level with its SQL and duration", () =>
      Testing.isolated(Effect.gen(function*() {
        const logs: Array<{ level: string; message: unknown; annotations: Record<string, unknown> }> = []
        const logger = Logger.make(({ fiber, logLevel, message }) => {
          logs.push({ level: logLevel, message, annotations: Object.fromEntries(Object.entries(fiber.getRef(References.CurrentLogAnnotations))) })
        })
        const program = Effect.gen(function*() {
          yield* ObAuthor.objects.create({ name: "Di" })
          yield* ObAuthor.objects.count()
        })
        yield* QueryLog.logStatements(program).pipe(
          Effect.provide(Logger.layer([logger])),
          Effect.provideService(References.MinimumLogLevel, "Debug")
        )
        const statements = logs.filter((l) => String(l.message).includes("effect-orm: statement"))
        expect(statements).toHaveLength(2)
        expect(statements.every((l) => l.level === "Debug")).toBe(true)
        expect(String(statements[0]!.annotations.sql)).toMatch(/^INSERT INTO "ob_author"/)
        expect(typeof statements[1]!.annotations.durationMs).toBe("number")
        expect(statements[1]!.annotations.outcome).toBe("success")
        // Off by default.
        logs.length = 0
        yield* program.pipe(Effect.provide(Logger.layer([logger])), Effect.provideService(References.MinimumLogLevel, "Debug"))
        expect(logs.filter((l) => String(l.message).includes("effect-orm: statement"))).toHaveLength(0)
        expect(yield* Db.inTransaction).toBe(true)
      })))
  })
}
