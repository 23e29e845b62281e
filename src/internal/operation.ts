/**
 * A span per ORM operation (`effect-orm.select`, `.insert`, `.update`, `.delete`), with the model, the operation (the
 * QuerySet method) and the number of statements it ran as attributes (and a stream's cursor fetches); the SQL
 * client's statement spans nest inside.
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"

/** What an operation's statements are counted in; nested operations count in their parents too. */
interface Counter {
  statements: number
  /** The SQL cursor fetches of a stream (its span's `effect-orm.fetches`). */
  fetches: number
  readonly parent: Counter | undefined
}

/** The operation the current fiber runs statements for. @internal */
export const CurrentOperation = Context.Reference<Counter | undefined>("effect-orm/Operation", {
  defaultValue: () => undefined
})

/** Counts one statement in the current operation and the operations around it. @internal */
export const countStatement = (counter: Counter | undefined): void => {
  for (let c = counter; c !== undefined; c = c.parent) c.statements++
}

/** Counts one cursor fetch in the current operation (a stream's). @internal */
export const countFetch = (counter: Counter | undefined): void => {
  if (counter !== undefined) counter.fetches++
}

/** The kinds of operation, which name their spans. @internal */
export type Kind = "select" | "insert" | "update" | "delete"

const names: Record<Kind, string> = {
  select: "effect-orm.select",
  insert: "effect-orm.insert",
  update: "effect-orm.update",
  delete: "effect-orm.delete"
}

/** Runs `effect` as the operation `operation` on `model`, in a span of its own. @internal */
export const traced = <A, E, R>(
  kind: Kind,
  model: string,
  operation: string,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) => {
    const counter: Counter = { statements: 0, fetches: 0, parent: fiber.getRef(CurrentOperation) }
    const counted = effect.pipe(
      Effect.onExit(() => Effect.annotateCurrentSpan("effect-orm.statements", counter.statements)),
      Effect.provideService(CurrentOperation, counter)
    )
    // The stack of the span's creation is the ORM's own: not worth its cost on every query.
    return Effect.withSpan(counted, names[kind], {
      attributes: { "effect-orm.model": model, "effect-orm.operation": operation },
      captureStackTrace: false
    })
  })

/** Runs `stream` as the operation `operation` on `model`, in a span that lasts as long as the stream. @internal */
export const tracedStream = <A, E, R>(
  kind: Kind,
  model: string,
  operation: string,
  stream: Stream.Stream<A, E, R>
): Stream.Stream<A, E, R> =>
  Stream.unwrap(Effect.gen(function*() {
    const counter: Counter = { statements: 0, fetches: 0, parent: yield* CurrentOperation }
    const span = yield* Effect.makeSpanScoped(names[kind], {
      attributes: { "effect-orm.model": model, "effect-orm.operation": operation }
    })
    // Added after the span, so it runs before the span ends with the scope.
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        span.attribute("effect-orm.statements", counter.statements)
        span.attribute("effect-orm.fetches", counter.fetches)
      })
    )
    return stream.pipe(Stream.provideService(CurrentOperation, counter), Stream.provideService(Tracer.ParentSpan, span))
  }))
