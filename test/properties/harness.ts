/**
 * Running fast-check properties inside an Effect test (with the test's services), and checking outcomes: a property's
 * input is refused with a typed error before any statement, or succeeds; never a defect, never an untyped SqlError.
 */
import { expect } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import fc from "fast-check"
import * as Testing from "../../src/testing/index.js"

/** `EFFECT_ORM_PROPERTY_RUNS` multiplies every property's number of runs (default 1). */
export const MULTIPLIER = (() => {
  const raw = process.env.EFFECT_ORM_PROPERTY_RUNS
  const value = raw === undefined || raw === "" ? 1 : Number(raw)
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`EFFECT_ORM_PROPERTY_RUNS must be a positive number, got ${raw}`)
  return value
})()

/** The base seed (`EFFECT_ORM_PROPERTY_SEED`); each property derives its own from it and its name. */
export const SEED = (() => {
  const raw = process.env.EFFECT_ORM_PROPERTY_SEED
  return raw === undefined || raw === "" ? 20_240_610 : Number(raw)
})()

/**
 * `EFFECT_ORM_PROPERTY_PATH` replays one failure: the `path` fast-check printed (with the same seed and runs), so that
 * only that input runs, without shrinking. Give it with a vitest name filter (`-t`) for the one property.
 */
const PATH = process.env.EFFECT_ORM_PROPERTY_PATH === undefined || process.env.EFFECT_ORM_PROPERTY_PATH === ""
  ? undefined
  : process.env.EFFECT_ORM_PROPERTY_PATH

const nameHash = (s: string) => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h
}

/** Inputs checked per driver and property name, and how they went, printed at the end of each driver's tests. */
export const stats = new Map<string, { runs: number; ms: number; outcomes: Record<string, number> }>()

/**
 * Checks `property` on `runs` (times the multiplier) inputs from `arbitrary`, with a seed derived from the base seed
 * and the property's name: a failure reports fast-check's seed, path and shrunk counterexample, which replay with
 * `EFFECT_ORM_PROPERTY_SEED` unchanged.
 */
export const check = <T, R>(
  driver: string,
  name: string,
  arbitrary: fc.Arbitrary<T>,
  runs: number,
  property: (input: T, note: (outcome: string) => void) => Effect.Effect<void, unknown, R>
): Effect.Effect<void, never, R> =>
  Effect.gen(function*() {
    const key = `${driver}: ${name}`
    const entry = stats.get(key) ?? { runs: 0, ms: 0, outcomes: {} }
    stats.set(key, entry)
    const note = (outcome: string) => {
      entry.outcomes[outcome] = (entry.outcomes[outcome] ?? 0) + 1
    }
    const context = yield* Effect.context<R>()
    const run = Effect.runPromiseExitWith(context)
    const numRuns = Math.max(1, Math.round(runs * MULTIPLIER))
    const seed = (SEED ^ nameHash(name)) | 0
    const started = performance.now()
    const details = yield* Effect.promise(() =>
      fc.check(
        fc.asyncProperty(arbitrary, async (input) => {
          const exit = await run(property(input, note))
          if (Exit.isFailure(exit)) throw new Error(Cause.pretty(exit.cause))
        }),
        { numRuns, seed, endOnFailure: PATH !== undefined, maxSkipsPerRun: 1000, ...(PATH === undefined ? {} : { path: PATH }) }
      )
    )
    entry.runs += details.numRuns
    entry.ms += performance.now() - started
    if (details.failed) {
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)
      throw new Error(`${name} (${driver}) failed:\n${fc.defaultReportMessage(details)}\nError: ${cause}`)
    }
  }).pipe(Effect.orDie)

/** What an effect did: its exit and the statements it ran. */
export interface Attempt<A> {
  readonly exit: Exit.Exit<A, unknown>
  readonly queries: ReadonlyArray<{ readonly sql: string }>
}

export const attempt = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Attempt<A>, never, R> =>
  Effect.map(Testing.captureQueries(Effect.exit(effect)), ({ queries, result }) => ({ exit: result as Exit.Exit<A, unknown>, queries }))

/** The typed error of a failed exit; a defect or an interruption fails the property. */
export const typedError = (exit: Exit.Exit<unknown, unknown>): { readonly _tag: string; readonly [k: string]: unknown } => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure, got a success")
  if (Cause.hasDies(exit.cause) || Cause.hasInterrupts(exit.cause)) throw new Error(`a defect:\n${Cause.pretty(exit.cause)}`)
  const error = Cause.findErrorOption(exit.cause)
  if (error._tag === "None") throw new Error(`no typed error:\n${Cause.pretty(exit.cause)}`)
  return error.value as { readonly _tag: string }
}

/** The value of a successful exit; any failure fails the property, with its cause. */
export const success = <A>(exit: Exit.Exit<A, unknown>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected a success:\n${Cause.pretty(exit.cause)}`)
  return exit.value
}

/** Refused with `tag` (FieldError, ValidationError) before any statement. */
export const expectRefused = (outcome: Attempt<unknown>, tag: string): { readonly _tag: string; readonly [k: string]: unknown } => {
  const error = typedError(outcome.exit)
  if (error._tag !== tag) throw new Error(`expected a ${tag}, got ${error._tag}: ${String((error as any).message)}`)
  expect(outcome.queries.map((q) => q.sql)).toEqual([])
  return error
}

/** A failure the database may legitimately report for the input: a DataError with one of `codes` (SQLSTATE). */
export const expectDataError = (exit: Exit.Exit<unknown, unknown>, codes: ReadonlyArray<string>) => {
  const error = typedError(exit)
  if (error._tag !== "DataError" || !codes.includes(error.code as string)) {
    throw new Error(`expected a DataError (${codes.join(", ")}), got ${error._tag}: ${String((error as any).message)}`)
  }
  return error
}
