/**
 * Running migrations from code: load a folder, migrate forward or backward to a target, show the plan with its SQL
 * and safety, list what is applied. The `effect-orm` command runs these; tests and deploy scripts can too.
 *
 * @since 0.3.0
 */
import * as Effect from "effect/Effect"
import { MigrationError } from "../Errors.js"
import * as Files from "../internal/migrations/files.js"
import * as Graph from "../internal/migrations/graph.js"
import * as Make from "../internal/migrations/make.js"
import * as Runner from "../internal/migrations/runner.js"
import * as Squash from "../internal/migrations/squash.js"
import type { Db } from "../internal/service.js"
import type { Migration } from "./Migration.js"

/** One operation of a plan: its description, statements, and impact with warnings. @since 0.3.0 */
export type PlannedOperation = Runner.PlannedOperation
/** A migration to apply (`forward`) or unapply (`backward`). @since 0.3.0 */
export type Step = Runner.Step
/** What `migrate` did for one migration. @since 0.3.0 */
export type Outcome = Runner.Outcome

/** The target that unapplies every migration. @since 0.3.0 */
export const ZERO = Runner.ZERO

/** Migrations, or the folder that holds them. @since 0.3.0 */
export type Source = string | ReadonlyArray<Migration>

/** The migrations of a folder (`NNNN_name.ts` files exporting `Migration.make(...)`), checked as a graph. @since 0.3.0 */
export const load = (folder: string): Effect.Effect<ReadonlyArray<Migration>, MigrationError> =>
  Effect.flatMap(Files.load(folder), (migrations) =>
    Effect.try({
      try: () => {
        Graph.build(migrations)
        return migrations
      },
      catch: (e) => e as MigrationError
    }))

const migrationsOf = (source: Source) => typeof source === "string" ? load(source) : Effect.succeed(source)

/** Options of `migrate`. @since 0.3.0 */
export interface MigrateOptions {
  /** A migration name (or a prefix only it has) to migrate forward or backward to; `"zero"` unapplies all. */
  readonly target?: string | undefined
  /** Record the migrations as applied (or unapplied) without running them: the schema is already so. */
  readonly fake?: boolean | undefined
  /** Told before each migration runs, for progress. */
  readonly onStep?: ((step: Step) => Effect.Effect<void>) | undefined
  /** Told when another `migrate` holds the lock and this one waits. */
  readonly onWait?: Effect.Effect<void> | undefined
}

/**
 * Applies the migrations not yet applied (or migrates to `target`), each in its transaction with its history row,
 * holding a lock so that concurrent runs apply each migration once.
 * @since 0.3.0
 */
export const migrate = (source: Source, options: MigrateOptions = {}): Effect.Effect<ReadonlyArray<Outcome>, MigrationError, Db> =>
  Effect.flatMap(migrationsOf(source), (migrations) => Runner.run(migrations, options))

/** What `migrate` would do, with each operation's SQL and safety, without running it. @since 0.3.0 */
export const plan = (source: Source, target?: string): Effect.Effect<ReadonlyArray<Step>, MigrationError, Db> =>
  Effect.flatMap(migrationsOf(source), (migrations) => Runner.planFor(migrations, target))

/** A migration and whether the database has applied it. @since 0.3.0 */
export interface Status {
  readonly name: string
  readonly applied: boolean
  readonly appliedAt?: Date | undefined
}

/** Every migration in order, with whether and when it was applied (`showmigrations`). @since 0.3.0 */
export const status = (source: Source): Effect.Effect<ReadonlyArray<Status>, MigrationError, Db> =>
  Effect.gen(function*() {
    const migrations = yield* migrationsOf(source)
    const applied = yield* Runner.history
    const when = new Map(applied.map((row) => [row.name, row.appliedAt]))
    const graph = yield* Effect.try({ try: () => Graph.build(migrations), catch: Runner.asMigrationError })
    const recorded = new Set(when.keys())
    // The migrations an applied squashed migration replaces are applied too (their rows give way to its row).
    const replaced = new Map(migrations.filter((m) => recorded.has(m.name)).flatMap((m) => (m.replaces ?? []).map((r) => [r, m.name] as const)))
    return graph.order.map((name): Status => {
      const migration = graph.nodes.get(name)!
      const done = Graph.isApplied(migration, recorded) || replaced.has(name)
      return { name, applied: done, appliedAt: when.get(name) ?? when.get(replaced.get(name) ?? "") }
    })
  })

/**
 * The SQL of one migration, forwards or backwards, from the schema the migrations before it build (`sqlmigrate`);
 * needs no database.
 * @since 0.3.0
 */
export const sql = (
  source: Source,
  name: string,
  options: { readonly backwards?: boolean } = {}
): Effect.Effect<Step, MigrationError> =>
  Effect.flatMap(migrationsOf(source), (migrations) =>
    Effect.try({
      try: () => {
        const graph = Graph.build(migrations)
        const found = Runner.findMigration(graph, name)
        const before = Graph.stateOf(graph, new Set([...Graph.ancestors(graph, found)].filter((n) => n !== found)))
        const migration = graph.nodes.get(found)!
        return options.backwards === true ? Runner.backwardStep(migration, before) : Runner.forwardStep(migration, before)[0]
      },
      catch: Runner.asMigrationError
    }))

/** Options of `makeMigrations`: the models, the folder, and the answers the autodetector may need. @since 0.3.0 */
export type MakeOptions = Make.MakeOptions
/** What `makeMigrations` found and wrote. @since 0.3.0 */
export type Made = Make.Made

/**
 * Writes the next migration: the operations from the schema the folder's migrations build to the one the models
 * describe. A removed model or field that looks renamed is a question (`problem: "question"`), answered with
 * `renames` or `drops`; with `check`, writes nothing and fails (`problem: "pending"`) when a migration is needed.
 * @since 0.3.0
 */
export const makeMigrations: (options: MakeOptions) => Effect.Effect<Made, MigrationError> = Make.makeMigrations

/** Options of `squash`. @since 0.3.0 */
export interface SquashOptions {
  /** The first migration to squash (a name or a unique prefix); the first migration of the graph by default. */
  readonly from?: string | undefined
  /** The last migration to squash (a name or a unique prefix). */
  readonly to: string
  /** The name after the number; `squashed_<from>_<to>` by default (`0005_squashed_0001_0004`). */
  readonly name?: string | undefined
  /** The folder to write the file to; the source folder by default. */
  readonly folder?: string | undefined
  /** Where the file imports `Migration` from; `effect-orm/migrations` by default. */
  readonly importFrom?: string | undefined
}

/**
 * Writes a migration that replaces the migrations from `from` to `to` (`squashmigrations`): their operations in
 * one, reduced where sound (fields folded into the model that the range creates, a model created then deleted gone,
 * an index added then removed gone), checked to build the same schema; returns the file's path. A database that
 * applied all the replaced migrations counts it as applied, one that applied none runs it alone, one that applied
 * some runs the rest of them. Once every database has applied it, the replaced files can be deleted (migrations that
 * depend on them then depend on it). Refused for a range with a data migration, one that is not a chain, or fewer
 * than two migrations.
 * @since 0.3.0
 */
export const squash = (source: Source, options: SquashOptions): Effect.Effect<string, MigrationError> =>
  Effect.gen(function*() {
    const migrations = yield* migrationsOf(source)
    const folder = options.folder ?? (typeof source === "string" ? source : undefined)
    if (folder === undefined) {
      return yield* new MigrationError({ problem: "load", message: "squash needs a folder to write to: pass a folder as the source, or options.folder" })
    }
    const definition = yield* Effect.try({ try: () => Squash.squash(migrations, options), catch: Runner.asMigrationError })
    const replaces = definition.replaces ?? []
    const number = Files.nextNumber(migrations.map((m) => m.name))
    const name = options.name === undefined ? Squash.squashedName(number, replaces) : `${number}_${Files.slug(options.name)}`
    const text = yield* Effect.try({
      try: () =>
        Files.render({
          dependencies: definition.dependencies,
          replaces,
          operations: definition.operations,
          importFrom: options.importFrom,
          comment: [
            `Squashed from ${replaces[0]} to ${replaces[replaces.length - 1]} (${replaces.length} migrations): it replaces them.`,
            "Once every database has applied it, the replaced files can be deleted (make migrations that depend on them depend on this one)."
          ]
        }),
      catch: Runner.asMigrationError
    })
    return yield* Files.write(folder, name, text)
  })
