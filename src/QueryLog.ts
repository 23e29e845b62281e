/**
 * The statements an effect runs, for tests that assert how many queries a piece of code makes, and for debugging.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import type { Compiled } from "./internal/compiler.js"
import { currentQueryLog } from "./internal/queryLog.js"

/**
 * Runs `effect` and returns what it produced with the statements it (and the fibers it forked) ran, in order.
 * @since 0.2.0
 */
export const capture = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<{ readonly result: A; readonly queries: ReadonlyArray<Compiled> }, E, R> =>
  Effect.suspend(() => {
    const queries: Array<Compiled> = []
    return Effect.map(Effect.provideService(effect, currentQueryLog, queries), (result) => ({ result, queries }))
  })
