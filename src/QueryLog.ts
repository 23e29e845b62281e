/**
 * The statements an effect runs: captured, for tests that assert how many queries a piece of code makes, or logged
 * with their durations, for debugging.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import type { Compiled } from "./internal/compiler.js"
import { currentQueryLog, LogStatements as LogStatementsReference } from "./internal/queryLog.js"

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

/**
 * When `true`, every statement the ORM runs is logged at debug level once it has run (`Effect.logDebug`, message
 * `effect-orm: statement`), annotated with its `sql`, the number of `parameters`, `durationMs` and `outcome`. Off by
 * default. Provide it around a program (`Effect.provideService(QueryLog.LogStatements, true)`, or
 * `QueryLog.logStatements(program)`) and let debug logs through (the minimum log level is `Info` by default:
 * `Effect.provideService(program, References.MinimumLogLevel, "Debug")`).
 * @since 0.2.0
 */
export const LogStatements = LogStatementsReference

/** Runs `effect` with every statement logged at debug level, with its duration (see `LogStatements`). @since 0.2.0 */
export const logStatements = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(effect, LogStatements, true)
