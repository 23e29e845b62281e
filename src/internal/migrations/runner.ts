/**
 * Applying migrations: the plan from what a database has applied to a target (forward, or backward to a named
 * migration), each step with its SQL and safety, and the run that follows it. An atomic migration runs in one
 * transaction with its history row, so a failure leaves neither the schema nor the history changed; a non-atomic one
 * (CREATE INDEX CONCURRENTLY, NOT VALID then VALIDATE) runs statement by statement and is recorded when all ran.
 * @internal
 */
import * as Effect from "effect/Effect"
import { MigrationError } from "../../Errors.js"
import * as Transaction from "../../Transaction.js"
import * as Executor from "../executor.js"
import type { Db } from "../service.js"
import * as Graph from "./graph.js"
import * as History from "./history.js"
import { atomic, type Migration } from "./migration.js"
import { modelsAt } from "./historical.js"
import { describe, type Operation } from "./operations.js"
import { forwardSql, inverse } from "./operationSql.js"
import { type Assessment, assess } from "./safety.js"
import type { SchemaState } from "./state.js"

/** One operation of a plan: what it does, its statements and its safety. @internal */
export interface PlannedOperation {
  readonly operation: Operation
  readonly description: string
  /** The statements it runs (none for a data migration). */
  readonly sql: ReadonlyArray<string>
  readonly assessment: Assessment
  /** The schema it runs on, for a data migration's models. */
  readonly before: SchemaState
}

/** One migration to apply or unapply. @internal */
export interface Step {
  readonly migration: Migration
  readonly direction: "forward" | "backward"
  readonly atomic: boolean
  readonly operations: ReadonlyArray<PlannedOperation>
}

/** The target `zero` unapplies every migration. @internal */
export const ZERO = "zero"

/** The migration a target names: its full name, or a prefix only it has (`0002`). @internal */
export const findMigration = (graph: Graph.Graph, target: string): string => {
  if (graph.nodes.has(target)) return target
  const matches = graph.order.filter((name) => name.startsWith(target))
  if (matches.length === 1) return matches[0]!
  throw new MigrationError({
    problem: "graph",
    message: matches.length === 0
      ? `There is no migration ${target} (known: ${graph.order.join(", ") || "none"})`
      : `${target} names more than one migration: ${matches.join(", ")}`
  })
}

const historyError = (message: string, migration: string) => new MigrationError({ problem: "history", message, migration })

/**
 * Checks the history against the files: every applied migration has a file (or a squashed one replacing it) whose
 * checksum is the one recorded.
 * @internal
 */
export const checkHistory = (migrations: ReadonlyArray<Migration>, applied: ReadonlyArray<History.Applied>): void => {
  const byName = new Map(migrations.map((m) => [m.name, m]))
  const replaced = new Set(migrations.flatMap((m) => m.replaces ?? []))
  for (const row of applied) {
    const migration = byName.get(row.name)
    if (migration === undefined) {
      if (replaced.has(row.name)) continue
      throw historyError(
        `The database has applied migration ${row.name}, which no migration file has: restore the file, or unapply it with the code that has it`,
        row.name
      )
    }
    const sum = History.checksum(migration)
    if (sum !== row.checksum) {
      throw historyError(
        `Migration ${row.name} was edited after it was applied (checksum ${row.checksum.slice(0, 12)}, now ${sum.slice(0, 12)}): ` +
          "revert the file and write a new migration for the change",
        row.name
      )
    }
  }
}

/** Plans a migration's operations forwards from `state`; returns the step and the state after. @internal */
export const forwardStep = (migration: Migration, state: SchemaState): readonly [Step, SchemaState] => {
  const created = new Set<string>()
  const operations: Array<PlannedOperation> = []
  let current = state
  for (const operation of migration.operations) {
    const next = Graph.applyMigration(current, { ...migration, operations: [operation] })
    operations.push(planned(migration, operation, current, next, created))
    if (operation._tag === "CreateModel") created.add(operation.model.name)
    current = next
  }
  return [{ migration, direction: "forward", atomic: atomic(migration), operations }, current]
}

const planned = (
  migration: Migration,
  operation: Operation,
  before: SchemaState,
  after: SchemaState,
  created: ReadonlySet<string>
): PlannedOperation => {
  let sql: ReadonlyArray<string>
  try {
    sql = forwardSql(operation, before, after)
  } catch (error) {
    throw new MigrationError({
      problem: "state",
      message: `Migration ${migration.name}: ${describe(operation)}: ${error instanceof Error ? error.message : String(error)}`,
      migration: migration.name
    })
  }
  return { operation, description: describe(operation), sql, assessment: assess(operation, before, created), before }
}

/** Plans undoing a migration whose state before is `before`: the inverse of each operation, last first. @internal */
export const backwardStep = (migration: Migration, before: SchemaState): Step => {
  const states: Array<SchemaState> = [before]
  for (const operation of migration.operations) states.push(Graph.applyMigration(states[states.length - 1]!, { ...migration, operations: [operation] }))
  const operations: Array<PlannedOperation> = []
  let current = states[states.length - 1]!
  for (let i = migration.operations.length - 1; i >= 0; i--) {
    const operation = migration.operations[i]!
    const undo = inverse(operation, states[i]!)
    if (typeof undo === "string") {
      throw new MigrationError({
        problem: "irreversible",
        message: `Migration ${migration.name} cannot be unapplied: operation ${i + 1} (${describe(operation)}): ${undo}`,
        migration: migration.name
      })
    }
    for (const op of undo) {
      const next = Graph.applyMigration(current, { ...migration, operations: [op] })
      operations.push(planned(migration, op, current, next, new Set()))
      current = next
    }
  }
  return { migration, direction: "backward", atomic: atomic({ ...migration, operations: operations.map((o) => o.operation) }), operations }
}

/**
 * The steps from the applied migrations to `target`: without one, every migration not applied (the graph must have
 * one leaf); a target not applied is migrated forward to (with what it depends on); an applied one backward to
 * (unapplying what depends on it); `zero` unapplies everything.
 * @internal
 */
export const plan = (
  all: ReadonlyArray<Migration>,
  applied: ReadonlyArray<History.Applied>,
  target?: string
): ReadonlyArray<Step> => {
  checkHistory(all, applied)
  const appliedNames = new Set(applied.map((row) => row.name))
  const graph = Graph.build(Graph.resolve(all, appliedNames))
  const done = new Set(graph.order.filter((name) => Graph.isApplied(graph.nodes.get(name)!, appliedNames)))
  let wanted: ReadonlySet<string>
  if (target === undefined) {
    Graph.singleLeaf(graph)
    wanted = new Set(graph.order)
  } else if (target === ZERO) {
    wanted = new Set()
  } else {
    const name = findMigration(graph, target)
    wanted = done.has(name)
      ? new Set([...done].filter((n) => !Graph.descendants(graph, name).has(n)))
      : new Set([...done, ...Graph.ancestors(graph, name)])
  }
  const steps: Array<Step> = []
  // Backward first, the newest first: each migration's state before is what the rest of the applied ones build.
  const remaining = new Set(done)
  for (const name of [...graph.order].reverse()) {
    if (!remaining.has(name) || wanted.has(name)) continue
    remaining.delete(name)
    const dependents = [...Graph.descendants(graph, name)].filter((n) => remaining.has(n))
    if (dependents.length > 0) throw new MigrationError({ problem: "graph", message: `${name} cannot be unapplied before ${dependents.join(", ")}`, migration: name })
    steps.push(backwardStep(graph.nodes.get(name)!, Graph.stateOf(graph, remaining)))
  }
  let state = Graph.stateOf(graph, remaining)
  for (const name of graph.order) {
    if (remaining.has(name) || !wanted.has(name)) continue
    const [step, after] = forwardStep(graph.nodes.get(name)!, state)
    steps.push(step)
    state = after
    remaining.add(name)
  }
  return steps
}

/** A planning failure as a MigrationError (a thrown MigrationError as it is). @internal */
export const asMigrationError = (e: unknown): MigrationError =>
  e instanceof MigrationError ? e : new MigrationError({ problem: "state", message: e instanceof Error ? e.message : String(e), cause: e })

/** What a run did, for the command line and tests. @internal */
export interface Outcome {
  readonly migration: string
  readonly direction: "forward" | "backward"
  readonly faked: boolean
}

/** Options of a run. @internal */
export interface RunOptions {
  readonly target?: string | undefined
  /** Record (or forget) the migrations without running their operations: the schema is already there. */
  readonly fake?: boolean | undefined
  /** Told before each step runs. */
  readonly onStep?: ((step: Step) => Effect.Effect<void>) | undefined
  /** Told when another run holds the lock. */
  readonly onWait?: Effect.Effect<void> | undefined
}

/** The database's own message for a failure: the driver's error wraps it (`reason.cause`, or `cause`). */
const reasonOf = (cause: unknown): string => {
  const message = (u: unknown) => typeof u === "object" && u !== null && "message" in u && typeof u.message === "string" ? u.message : undefined
  const c = cause as { readonly reason?: { readonly cause?: unknown }; readonly cause?: unknown } | undefined
  return message(c?.reason?.cause) ?? message(c?.cause) ?? message(cause) ?? String(cause)
}

const applyFailure = (step: Step, index: number, statement: string | undefined, cause: unknown, partial: boolean) => {
  const op = step.operations[index]!
  const undone = partial
    ? `${step.migration.name} is not atomic: the statements before this one ran and stay, and it is not recorded. ` +
      "Index builds and validations can run again; for the rest, check the schema (`migrate --plan` shows the statements) before running migrate again."
    : `Nothing of ${step.migration.name} was applied.`
  return new MigrationError({
    problem: "apply",
    message: `${step.direction === "forward" ? "Applying" : "Unapplying"} ${step.migration.name} failed at operation ${index + 1} (${op.description}): ${reasonOf(cause)}` +
      (statement === undefined ? "" : `\n  SQL: ${statement}`) + `\n  ${undone}`,
    migration: step.migration.name,
    cause
  })
}

/** Runs one step's operations (each statement, or the data migration), then records it. */
const runStep = (step: Step, fake: boolean): Effect.Effect<void, MigrationError, Db> => {
  const body = Effect.forEach(step.operations, (op, index) => {
    if (fake) return Effect.void
    const operation = op.operation
    if (operation._tag === "RunEffect") {
      return Effect.mapError(
        Effect.suspend(() => operation.forward(modelsAt(op.before))),
        (cause) => applyFailure(step, index, undefined, cause, !step.atomic)
      )
    }
    return Effect.forEach(op.sql, (statement) =>
      Effect.mapError(Executor.ddl(statement), (cause) => applyFailure(step, index, statement, cause, !step.atomic)), { discard: true })
  }, { discard: true })
  const bookkeeping = step.direction === "forward"
    ? History.record(step.migration.name, History.checksum(step.migration))
    : History.unrecord(step.migration.name)
  const recorded = Effect.mapError(bookkeeping, (cause) => applyFailure(step, Math.max(0, step.operations.length - 1), undefined, cause, false))
  const all = Effect.andThen(body, recorded)
  return step.atomic
    ? Effect.mapError(Transaction.atomic(all), (e) => e._tag === "MigrationError" ? e : applyFailure(step, 0, undefined, e, false))
    : all
}

/**
 * Records a squashed migration as applied once every migration it replaces is, in place of their rows (as Django
 * does), so that the replaced files and the `replaces` list can be deleted when every database has run `migrate`.
 */
const recordSquashed = (
  migrations: ReadonlyArray<Migration>,
  applied: ReadonlyArray<History.Applied>
): Effect.Effect<ReadonlyArray<History.Applied>, MigrationError, Db> =>
  Effect.gen(function*() {
    let rows = applied
    for (const migration of migrations) {
      const names = new Set(rows.map((row) => row.name))
      const replaces = migration.replaces ?? []
      if (replaces.length === 0 || names.has(migration.name) || !replaces.every((name) => names.has(name))) continue
      const checksum = History.checksum(migration)
      yield* Transaction.atomic(Effect.andThen(
        History.record(migration.name, checksum),
        Effect.forEach(replaces, History.unrecord, { discard: true })
      ))
      rows = [...rows.filter((row) => !replaces.includes(row.name)), { name: migration.name, checksum, appliedAt: new Date() }]
    }
    return rows
  }).pipe(Effect.mapError((cause) =>
    cause instanceof MigrationError ? cause : new MigrationError({ problem: "apply", message: `Recording a squashed migration failed: ${reasonOf(cause)}`, cause })
  ))

/** The history after `steps` ran on `applied` (without reading it again). */
const afterSteps = (applied: ReadonlyArray<History.Applied>, steps: ReadonlyArray<Step>): ReadonlyArray<History.Applied> =>
  steps.reduce(
    (rows, step) =>
      step.direction === "forward"
        ? [...rows, { name: step.migration.name, checksum: History.checksum(step.migration), appliedAt: new Date() }]
        : rows.filter((row) => row.name !== step.migration.name),
    applied
  )

/**
 * Migrates the database of the `Db` in context to `options.target` (every migration by default), holding the
 * migration lock; the plan is made once the lock is held, so a second run finds the first one's migrations applied.
 * @internal
 */
export const run = (
  migrations: ReadonlyArray<Migration>,
  options: RunOptions = {}
): Effect.Effect<ReadonlyArray<Outcome>, MigrationError, Db> =>
  Effect.mapError(
    History.withLock(
      Effect.gen(function*() {
        yield* History.ensureTable
        const applied = yield* recordSquashed(migrations, yield* History.applied)
        const steps = yield* Effect.try({
          try: () => plan(migrations, applied, options.target),
          catch: asMigrationError
        })
        const outcomes: Array<Outcome> = []
        for (const step of steps) {
          if (options.onStep !== undefined) yield* options.onStep(step)
          yield* runStep(step, options.fake === true)
          outcomes.push({ migration: step.migration.name, direction: step.direction, faked: options.fake === true })
        }
        yield* recordSquashed(migrations, afterSteps(applied, steps))
        return outcomes
      }),
      options.onWait
    ),
    (e) => e instanceof MigrationError ? e : new MigrationError({ problem: "apply", message: `Migrating failed: ${String((e as any)?.message ?? e)}`, cause: e })
  )

/** The plan from what the database has applied, without running it (`migrate --plan`). @internal */
export const planFor = (
  migrations: ReadonlyArray<Migration>,
  target?: string
): Effect.Effect<ReadonlyArray<Step>, MigrationError, Db> =>
  Effect.flatMap(history, (applied) => Effect.try({ try: () => plan(migrations, applied, target), catch: asMigrationError }))

/** The applied migrations, a read failure as a MigrationError. @internal */
export const history: Effect.Effect<ReadonlyArray<History.Applied>, MigrationError, Db> = Effect.mapError(
  History.applied,
  (cause) => new MigrationError({ problem: "apply", message: `Reading the migration history failed: ${reasonOf(cause)}`, cause })
)
