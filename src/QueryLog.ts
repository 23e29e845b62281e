/**
 * The statements an effect runs, for asserting query counts in tests: every statement the executor runs is pushed
 * onto the fiber's log when there is one.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type { Compiled } from "./internal/compiler.js"

/** The statements run by the current fiber and its children, when someone is listening. @internal */
export const currentQueryLog: FiberRef.FiberRef<Array<Compiled> | undefined> = FiberRef.unsafeMake<
  Array<Compiled> | undefined
>(undefined)

/**
 * Runs `effect` and returns what it produced with the statements it (and the fibers it forked) ran, in order.
 * @since 0.1.0
 */
export const capture = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<{ readonly result: A; readonly queries: ReadonlyArray<Compiled> }, E, R> =>
  Effect.suspend(() => {
    const queries: Array<Compiled> = []
    return Effect.map(Effect.locally(effect, currentQueryLog, queries), (result) => ({ result, queries }))
  })
