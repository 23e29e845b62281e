/**
 * The `effect-orm` command line, on Effect's CLI module: makemigrations, migrate, showmigrations, sqlmigrate,
 * inspectdb and squashmigrations, each with `--help`. Every command reads the project's `effect-orm.config.ts`
 * (`--config` to name another); those that need the database provide the config's layer.
 * @internal
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Argument, CliError, Command, Flag, Prompt } from "effect/cli"
import { writeFile } from "node:fs/promises"
import type { Db } from "../internal/service.js"
import { introspect } from "../internal/migrations/introspect.js"
import { modelCode } from "../internal/migrations/modelCode.js"
import * as Make from "../internal/migrations/make.js"
import * as Migrator from "../migrations/Migrator.js"
import * as ConfigFile from "./config.js"
import * as Format from "./format.js"

/** Failures shown as their message (no stack trace), with a non-zero exit. */
const userError = (error: unknown) =>
  new CliError.UserError({
    cause: error,
    userMessage: typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error)
  })

const configFlag = Flag.String("config").pipe(
  Flag.withDescription("The configuration module (default: effect-orm.config.ts in the working directory)"),
  Flag.optional
)

const loadConfig = (config: Option.Option<string>) => ConfigFile.load(process.cwd(), Option.getOrUndefined(config))

/** Runs `f` with the loaded config, on the config's database when `f` needs one; errors become user errors. */
const withConfig = <A, E>(config: Option.Option<string>, f: (loaded: ConfigFile.Loaded) => Effect.Effect<A, E, Db>) =>
  Effect.mapError(
    Effect.flatMap(loadConfig(config), (loaded) => Effect.provide(f(loaded), loaded.config.layer)),
    userError
  )

/** An answer to a rename question. */
type Answer = { readonly rename: string } | { readonly drop: string }

const makemigrations = Command.make("makemigrations", {
  config: configFlag,
  check: Flag.Boolean("check").pipe(Flag.withDefault(false), Flag.withDescription("Write nothing; fail when the models changed without a migration (for CI)")),
  name: Flag.String("name").pipe(Flag.withDescription("The migration's name after its number"), Flag.optional),
  empty: Flag.Boolean("empty").pipe(Flag.withDefault(false), Flag.withDescription("Write a migration without operations, to fill by hand")),
  merge: Flag.Boolean("merge").pipe(Flag.withDefault(false), Flag.withDescription("Write a migration joining the leaves of two branches")),
  safe: Flag.Boolean("safe").pipe(Flag.withDefault(false), 
    Flag.withDescription("On existing tables: indexes CONCURRENTLY, foreign keys and checks NOT VALID then VALIDATE, SET NOT NULL through a check")
  ),
  rename: Flag.String("rename").pipe(
    Flag.withDescription("Confirm a rename: Old=New (a model) or Model.old=new (a field); repeatable"),
    Flag.atLeast(0)
  ),
  drop: Flag.String("drop").pipe(Flag.withDescription("Confirm a drop: Model or Model.field; repeatable"), Flag.atLeast(0))
}, (flags) =>
  Effect.mapError(
    Effect.gen(function*() {
      const loaded = yield* loadConfig(flags.config)
      const renames = [...flags.rename]
      const drops = [...flags.drop]
      const make = () => Migrator.makeMigrations({
        models: loaded.config.models,
        folder: loaded.folder,
        name: Option.getOrUndefined(flags.name),
        check: flags.check,
        empty: flags.empty,
        merge: flags.merge,
        safe: flags.safe,
        renames,
        drops,
        importFrom: loaded.config.importFrom
      })
      // In a terminal, a rename question is asked (each answer may lead to the next: a model's fields after it).
      const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true && !flags.check
      let result: Migrator.Made | undefined
      for (let round = 0; result === undefined; round++) {
        const attempt = yield* Effect.result(make())
        if (attempt._tag === "Success") result = attempt.success
        else {
          const questions = Make.questionsOf(attempt.failure)
          if (!interactive || questions.length === 0 || round > 20) return yield* Effect.fail(attempt.failure)
          for (const question of questions) {
            const answer = yield* Prompt.run(Prompt.Select<Answer>({
              message: question.message.replace(/ Answer --rename.*$/, ""),
              choices: [
                ...question.added.map((added) => ({ title: `rename to ${added}`, value: { rename: `${question.removed}=${added}` } })),
                { title: `drop ${question.removed}${question.added.length > 0 ? " (and add the new one)" : ""}`, value: { drop: question.removed } }
              ]
            }))
            if ("rename" in answer) renames.push(answer.rename)
            else drops.push(answer.drop)
          }
        }
      }
      yield* Console.log(flags.check && result.path === undefined ? "No changes detected: the migrations match the models." : Format.made(result))
    }),
    userError
  )).pipe(Command.withDescription("Write the next migration from the changes to the models"))

const migrate = Command.make("migrate", {
  config: configFlag,
  target: Argument.String("target").pipe(
    Argument.withDescription("Migrate forward or backward to this migration (a name or a unique prefix); zero unapplies all"),
    Argument.optional
  ),
  plan: Flag.Boolean("plan").pipe(Flag.withDefault(false), Flag.withDescription("Show what would run, with SQL, impact and warnings; run nothing")),
  fake: Flag.Boolean("fake").pipe(Flag.withDefault(false), Flag.withDescription("Record the migrations as applied (or unapplied) without running them"))
}, (flags) =>
  withConfig(flags.config, (loaded) =>
    Effect.gen(function*() {
      const target = Option.getOrUndefined(flags.target)
      if (flags.plan) {
        yield* Console.log(Format.steps(yield* Migrator.plan(loaded.folder, target), { sql: true }))
        return
      }
      const outcomes = yield* Migrator.migrate(loaded.folder, {
        target,
        fake: flags.fake,
        onWait: Console.log("Waiting for another migrate to finish (the migration lock is taken)..."),
        onStep: (step) => Console.log(`${step.direction === "forward" ? "Applying" : "Unapplying"} ${step.migration.name}${flags.fake ? " (fake)" : ""}...`)
      })
      yield* Console.log(outcomes.length === 0 ? "No migrations to apply." : `Done: ${outcomes.length} migration${outcomes.length === 1 ? "" : "s"}.`)
    }))).pipe(Command.withDescription("Apply the migrations, or migrate to a target"))

const showmigrations = Command.make("showmigrations", { config: configFlag }, (flags) =>
  withConfig(flags.config, (loaded) => Effect.flatMap(Migrator.status(loaded.folder), (list) => Console.log(Format.statuses(list)))))
  .pipe(Command.withDescription("List the migrations and whether each is applied"))

const sqlmigrate = Command.make("sqlmigrate", {
  config: configFlag,
  name: Argument.String("name").pipe(Argument.withDescription("The migration (a name or a unique prefix)")),
  backwards: Flag.Boolean("backwards").pipe(Flag.withDefault(false), Flag.withDescription("The SQL that unapplies it"))
}, (flags) =>
  Effect.mapError(
    Effect.gen(function*() {
      const loaded = yield* loadConfig(flags.config)
      const step = yield* Migrator.sql(loaded.folder, flags.name, { backwards: flags.backwards })
      yield* Console.log(Format.steps([step], { sql: true }))
    }),
    userError
  )).pipe(Command.withDescription("Show a migration's SQL, impact and warnings (no database needed)"))

const inspectdb = Command.make("inspectdb", {
  config: configFlag,
  schema: Flag.String("schema").pipe(Flag.withDescription("The schema to read (default public)"), Flag.optional),
  exclude: Flag.String("exclude").pipe(Flag.withDescription("A table to leave out; repeatable"), Flag.atLeast(0)),
  output: Flag.String("output").pipe(Flag.withDescription("Write the models to this file instead of printing them"), Flag.optional)
}, (flags) =>
  withConfig(flags.config, () =>
    Effect.gen(function*() {
      const { state, warnings } = yield* introspect({ schema: Option.getOrUndefined(flags.schema), exclude: flags.exclude })
      const code = modelCode(state, { warnings, header: "Generated by effect-orm inspectdb: review the names, relations and on-delete rules." })
      const output = Option.getOrUndefined(flags.output)
      if (output === undefined) yield* Console.log(code)
      else {
        yield* Effect.tryPromise(() => writeFile(output, code))
        yield* Console.error(`Wrote ${Object.keys(state.models).length} models to ${output}`)
      }
      for (const w of warnings) yield* Console.error(`warning: ${w.table}${w.column === undefined ? "" : `.${w.column}`}: ${w.message}`)
    }))).pipe(Command.withDescription("Write model code for the tables of an existing database"))

const squashmigrations = Command.make("squashmigrations", {
  config: configFlag,
  from: Flag.String("from").pipe(Flag.withDescription("The first migration to squash (a name or a unique prefix; default: the first)"), Flag.optional),
  to: Argument.String("to").pipe(Argument.withDescription("The last migration to squash (a name or a unique prefix)")),
  name: Flag.String("name").pipe(Flag.withDescription("The squashed migration's name after its number (default: squashed_<from>_<to>)"), Flag.optional)
}, (flags) =>
  Effect.mapError(
    Effect.gen(function*() {
      const loaded = yield* loadConfig(flags.config)
      const path = yield* Migrator.squash(loaded.folder, {
        from: Option.getOrUndefined(flags.from),
        to: flags.to,
        name: Option.getOrUndefined(flags.name),
        importFrom: loaded.config.importFrom
      })
      yield* Console.log(
        `Wrote ${path}: it replaces the migrations its replaces lists (a database that applied them all counts it as applied).\n` +
          "Once every database has applied it, the replaced files can be deleted; make migrations that depend on them depend on it instead."
      )
    }),
    userError
  )).pipe(Command.withDescription("Write one migration replacing a chain of migrations, their operations reduced"))

/** The `effect-orm` command and its subcommands. @internal */
export const command = Command.make("effect-orm").pipe(
  Command.withDescription("effect-orm: migrations and introspection"),
  Command.withSubcommands([makemigrations, migrate, showmigrations, sqlmigrate, inspectdb, squashmigrations])
)
