/**
 * `makemigrations`: the operations that bring the migrations' schema to the models' one, written as the next
 * migration file (or an empty one, or a merge of two leaves), with the safety of each operation.
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { MigrationError } from "../../Errors.js"
import type * as Model from "../../Model.js"
import { detect, DetectError, parseRename, type Question, suggestName } from "./autodetect.js"
import * as Files from "./files.js"
import * as Graph from "./graph.js"
import type { Migration } from "./migration.js"
import { apply, describe, type Operation } from "./operations.js"
import { type Assessment, assess } from "./safety.js"
import * as State from "./state.js"

/** Options of `makeMigrations`. @internal */
export interface MakeOptions {
  readonly models: ReadonlyArray<Model.Any>
  /** The migrations folder. */
  readonly folder: string
  /** The name after the number (`--name`); derived from the operations by default. */
  readonly name?: string | undefined
  /** Write a migration without operations, for RunSql or a data migration written by hand (`--empty`). */
  readonly empty?: boolean | undefined
  /** Write a migration that depends on every leaf, joining two branches (`--merge`). */
  readonly merge?: boolean | undefined
  /** Write nothing; fail when the models changed without a migration (`--check`, for CI). */
  readonly check?: boolean | undefined
  /** Confirmed renames: `Old=New`, `Model.old=new` (`--rename`). */
  readonly renames?: ReadonlyArray<string> | undefined
  /** Confirmed drops: `Model`, `Model.field` (`--drop`). */
  readonly drops?: ReadonlyArray<string> | undefined
  /** Write the safe multi-step forms on existing tables (`--safe`). */
  readonly safe?: boolean | undefined
  /** Where the file imports `Migration` from (`effect-orm/migrations`). */
  readonly importFrom?: string | undefined
}

/** An operation of a made migration with its safety on the schema before it. @internal */
export interface MadeOperation {
  readonly operation: Operation
  readonly description: string
  readonly assessment: Assessment
}

/** The questions of a `question` failure (a rename or a drop to confirm), for a prompt to ask. @internal */
export const questionsOf = (error: MigrationError): ReadonlyArray<Question> =>
  error.problem === "question" && error.cause instanceof DetectError ? error.cause.questions : []

/** What `makeMigrations` found and wrote. @internal */
export interface Made {
  readonly operations: ReadonlyArray<MadeOperation>
  /** The migration's name, when one was (or, with `check`, would be) written. */
  readonly name?: string | undefined
  /** The file written. */
  readonly path?: string | undefined
}

const fail = (problem: MigrationError["problem"], message: string) => new MigrationError({ problem, message })

const assessed = (from: State.SchemaState, operations: ReadonlyArray<Operation>): ReadonlyArray<MadeOperation> => {
  const created = new Set<string>()
  let state = from
  return operations.map((operation) => {
    const made = { operation, description: describe(operation), assessment: assess(operation, state, created) }
    if (operation._tag === "CreateModel") created.add(operation.model.name)
    state = apply(state, operation)
    return made
  })
}

/** The operations from `migrations`' schema to `models`', and the leaf the next migration follows. @internal */
export const changes = (
  migrations: ReadonlyArray<Migration>,
  options: Pick<MakeOptions, "models" | "renames" | "drops" | "safe">
): Effect.Effect<{ readonly from: State.SchemaState; readonly operations: ReadonlyArray<Operation>; readonly leaf: string | undefined }, MigrationError> =>
  Effect.gen(function*() {
    // A squashed migration stands for the ones it replaces (they would be a second branch otherwise).
    const graph = yield* Effect.try({ try: () => Graph.build(Graph.resolve(migrations, new Set())), catch: (e) => e as MigrationError })
    const leaf = yield* Effect.try({ try: () => Graph.singleLeaf(graph), catch: (e) => e as MigrationError })
    const from = yield* Effect.try({ try: () => Graph.finalState(graph), catch: (e) => e as MigrationError })
    const to = yield* Effect.try({
      try: () => State.fromModels(options.models),
      catch: (e) => fail("state", `The models do not form a schema: ${e instanceof Error ? e.message : String(e)}`)
    })
    const renames = []
    for (const text of options.renames ?? []) {
      const parsed = parseRename(text)
      if (Result.isFailure(parsed)) return yield* fail("question", parsed.failure)
      renames.push(parsed.success)
    }
    const detected = detect(from, to, { renames, drops: options.drops, safe: options.safe })
    if (Result.isFailure(detected)) {
      const error = detected.failure
      return yield* new MigrationError({
        problem: error.problems.length > 0 ? "state" : "question",
        message: error.message,
        cause: error
      })
    }
    return { from, operations: detected.success, leaf }
  })

/** Writes the next migration (or checks that none is needed). @internal */
export const makeMigrations = (options: MakeOptions): Effect.Effect<Made, MigrationError> =>
  Effect.gen(function*() {
    const migrations = yield* Files.load(options.folder)
    const number = Files.nextNumber(migrations.map((m) => m.name))
    const write = (name: string, dependencies: ReadonlyArray<string>, operations: ReadonlyArray<Operation>, comment: ReadonlyArray<string>) =>
      Files.write(options.folder, name, Files.render({ dependencies, operations, comment, importFrom: options.importFrom }))
    if (options.merge === true) {
      const graph = yield* Effect.try({ try: () => Graph.build(Graph.resolve(migrations, new Set())), catch: (e) => e as MigrationError })
      if (graph.leaves.length < 2) return yield* fail("graph", "Nothing to merge: the migrations have one leaf")
      // The branches must not contradict each other: their operations applied in the graph's order must fit.
      yield* Effect.try({ try: () => Graph.finalState(graph), catch: (e) => e as MigrationError })
      const name = `${number}_${Files.slug(options.name ?? `merge_${graph.leaves.join("_")}`)}`
      const path = yield* write(name, graph.leaves, [], ["A merge: it joins the branches that each added a migration."])
      return { operations: [], name, path }
    }
    if (options.empty === true) {
      const leaf = migrations.length === 0 ? undefined : yield* Effect.try({
        try: () => Graph.singleLeaf(Graph.build(Graph.resolve(migrations, new Set()))),
        catch: (e) => e as MigrationError
      })
      const name = `${number}_${Files.slug(options.name ?? "custom")}`
      const path = yield* write(name, leaf === undefined ? [] : [leaf], [], ["Write its operations by hand: Migration.RunSql, Migration.RunEffect, ..."])
      return { operations: [], name, path }
    }
    const { from, leaf, operations } = yield* changes(migrations, options)
    if (operations.length === 0) return { operations: [] }
    const made = assessed(from, operations)
    const name = `${number}_${Files.slug(options.name ?? suggestName(operations, { initial: migrations.length === 0 }))}`
    if (options.check === true) {
      return yield* fail(
        "pending",
        `The models changed without a migration (${name} would hold ${operations.length} operation${operations.length === 1 ? "" : "s"}):\n` +
          made.map((m) => `  - ${m.description}`).join("\n") + "\nRun `effect-orm makemigrations` and commit the file."
      )
    }
    const path = yield* write(name, leaf === undefined ? [] : [leaf], operations, [])
    return { operations: made, name, path }
  })
