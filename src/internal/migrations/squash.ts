/**
 * Squashing (`squashmigrations`): one migration that replaces a chain of them, with their operations concatenated
 * and reduced where that is sound. A database that applied all of the replaced migrations counts the squashed one
 * as applied; one that applied none runs only the squashed one; one that applied some runs the rest of the
 * originals (see `Graph.resolve`).
 *
 * Reductions, each tried on the operations as they stand and kept only when the operations still apply in order
 * and lead to the same schema:
 * - a field operation (AddField, AlterField, RemoveField, RenameField) or an index or constraint added or removed on
 *   a model created in the range is folded into its CreateModel;
 * - a model created then renamed, or given another table, is created so;
 * - a model created then deleted disappears, with the operations on it;
 * - AddField then AlterField of that field become one AddField (unless it would then add a NOT NULL column without
 *   a default to a table that may have rows); AddField then RemoveField cancel;
 * - AddIndex then RemoveIndex (AddConstraint then RemoveConstraint) of one name cancel.
 * An operation moves only past operations that do not touch its model; raw SQL moves nothing past it.
 * @internal
 */
import { MigrationError } from "../../Errors.js"
import type { Definition } from "../../migrations/Migration.js"
import * as Graph from "./graph.js"
import type { Migration } from "./migration.js"
import { apply, type Operation, StateError } from "./operations.js"
import { sameSchema, type SchemaState } from "./state.js"

/** Which migrations to squash, in graph order: from `from` (the first migration by default) to `to`. @internal */
export interface SquashOptions {
  readonly from?: string | undefined
  readonly to: string
}

const refuse = (message: string, migration?: string) => new MigrationError({ problem: "graph", message, migration })

/** The migration a name designates: itself, or the one migration whose name starts with it (`0002`). */
const find = (graph: Graph.Graph, name: string): string => {
  if (graph.nodes.has(name)) return name
  const matches = graph.order.filter((n) => n.startsWith(name))
  if (matches.length === 1) return matches[0]!
  throw refuse(matches.length === 0
    ? `There is no migration ${name} to squash (known: ${graph.order.join(", ") || "none"})`
    : `${name} names more than one migration: ${matches.join(", ")}`)
}

// ---- what an operation touches ----

/** The models an operation reads or changes; `undefined` for raw SQL and data migrations, which may touch any. */
const touched = (op: Operation): ReadonlySet<string> | undefined => {
  const refs = (fields: ReadonlyArray<{ readonly references?: { readonly model: string } | undefined }>) =>
    fields.flatMap((f) => (f.references === undefined ? [] : [f.references.model]))
  switch (op._tag) {
    case "CreateModel":
      return new Set([op.model.name, ...refs(Object.values(op.model.fields))])
    case "DeleteModel":
    case "AlterModelTable":
      return new Set([op.name])
    case "RenameModel":
      return new Set([op.from, op.to])
    case "AddField":
    case "AlterField":
      return new Set([op.model, ...refs([op.field])])
    case "RemoveField":
    case "RenameField":
    case "AddIndex":
    case "RemoveIndex":
    case "AddConstraint":
    case "RemoveConstraint":
      return new Set([op.model])
    case "RunSql":
    case "RunEffect":
      return undefined
  }
}

/** Whether the operations strictly between `k` and `j` leave `model` alone. */
const untouchedBetween = (ops: ReadonlyArray<Operation>, k: number, j: number, model: string): boolean =>
  ops.slice(k + 1, j).every((op) => touched(op)?.has(model) === false)

const modelOf = (op: Operation): string | undefined => "model" in op && typeof op.model === "string" ? op.model : undefined

// ---- checking ----

/** The state after `ops`, or `undefined` when one of them does not apply. */
const replay = (before: SchemaState, ops: ReadonlyArray<Operation>): SchemaState | undefined => {
  try {
    return ops.reduce(apply, before)
  } catch (e) {
    if (e instanceof StateError) return undefined
    throw e
  }
}


// ---- reductions ----

/** The candidates for reducing the operation at `j` with an earlier one: the new operation lists. */
function* candidates(before: SchemaState, ops: ReadonlyArray<Operation>, j: number): Generator<ReadonlyArray<Operation>> {
  const op = ops[j]!
  const without = (...drop: ReadonlyArray<number>) => ops.filter((_, i) => !drop.includes(i))
  const latest = (test: (o: Operation) => boolean): number => {
    for (let k = j - 1; k >= 0; k--) if (test(ops[k]!)) return k
    return -1
  }
  const model = op._tag === "DeleteModel" || op._tag === "AlterModelTable" ? op.name : op._tag === "RenameModel" ? op.from : modelOf(op)
  if (model === undefined) return
  const created = latest((o) => o._tag === "CreateModel" && o.model.name === model)
  if (op._tag === "RenameModel" || op._tag === "AlterModelTable") {
    // A model created then renamed (or given another table) is created with its new name and table.
    const name = op._tag === "RenameModel" ? op.to : op.name
    if (created < 0 || !untouchedBetween(ops, created, j, model) || !untouchedBetween(ops, created, j, name)) return
    const after = replay(before, ops.slice(0, j + 1))
    if (after !== undefined) yield ops.flatMap((o, i) => i === created ? [{ _tag: "CreateModel" as const, model: after.models[name]! }] : i === j ? [] : [o])
    return
  }
  if (op._tag === "DeleteModel") {
    // Created then deleted: both go, with the operations on the model between them.
    if (created < 0) return
    const between = ops.slice(created + 1, j).map((o, i) => [created + 1 + i, o] as const).filter(([, o]) => touched(o)?.has(model) !== false)
    if (between.every(([, o]) => modelOf(o) === model)) {
      yield without(created, j, ...between.map(([i]) => i))
    }
    return
  }
  const foldable = ["AddField", "AlterField", "RemoveField", "RenameField", "AddIndex", "RemoveIndex", "AddConstraint", "RemoveConstraint"]
  if (created >= 0 && foldable.includes(op._tag) && untouchedBetween(ops, created, j, model)) {
    const state = replay(before, ops.slice(0, j))
    const after = state === undefined ? undefined : replay(state, [op])
    if (after !== undefined) {
      yield ops.flatMap((o, i) => i === created ? [{ _tag: "CreateModel" as const, model: after.models[model]! }] : i === j ? [] : [o])
    }
  }
  if (op._tag === "AlterField" || op._tag === "RemoveField") {
    const added = latest((o) => o._tag === "AddField" && o.model === model && o.name === op.name)
    const add = ops[added]
    if (add?._tag === "AddField" && untouchedBetween(ops, added, j, model)) {
      if (op._tag === "RemoveField") yield without(added, j)
      else if (op.field.nullable || op.field.default !== undefined || (!add.field.nullable && add.field.default === undefined)) {
        // Not when it would make the column NOT NULL without a default at once: the table may have rows (filled
        // between the two migrations) that the originals would accept.
        const safe = add.safe === true || op.safe === true ? { safe: true } : {}
        const { safe: _, ...rest } = add
        yield ops.flatMap((o, i) => i === added ? [{ ...rest, field: op.field, ...safe }] : i === j ? [] : [o])
      }
    }
  }
  if (op._tag === "RemoveIndex" || op._tag === "RemoveConstraint") {
    const added = latest((o) =>
      op._tag === "RemoveIndex"
        ? o._tag === "AddIndex" && o.model === model && o.index.name === op.name
        : o._tag === "AddConstraint" && o.model === model && o.constraint.name === op.name
    )
    if (added >= 0 && untouchedBetween(ops, added, j, model)) yield without(added, j)
  }
}

/** Reduces `ops` (applied to `before`) as far as the rules go; every step keeps the final schema. @internal */
export const reduce = (before: SchemaState, ops: ReadonlyArray<Operation>): ReadonlyArray<Operation> => {
  const target = replay(before, ops)
  if (target === undefined) return ops
  let current = ops
  let changed = true
  while (changed) {
    changed = false
    for (let j = 0; j < current.length && !changed; j++) {
      for (const next of candidates(before, current, j)) {
        const reached = replay(before, next)
        if (reached !== undefined && sameSchema(reached, target)) {
          current = next
          changed = true
          break
        }
      }
    }
  }
  return current
}

/**
 * A migration replacing the migrations from `options.from` (the first by default) to `options.to`, in graph order:
 * it `replaces` them, depends on what they depend on outside the range, and holds their operations, reduced.
 * Refused (a MigrationError) for fewer than two migrations, a range that is not a chain (a migration outside it
 * depends on one before its end), one with a data migration (its code cannot be written to a file), a migration
 * that is squashed already or replaced by one, or one that sets `atomic` itself.
 * @internal
 */
export const squash = (migrations: ReadonlyArray<Migration>, options: SquashOptions): Definition => {
  const graph = Graph.build(migrations)
  if (graph.order.length === 0) throw refuse("There are no migrations to squash")
  const to = find(graph, options.to)
  const from = options.from === undefined ? graph.order[0]! : find(graph, options.from)
  const start = graph.order.indexOf(from)
  const end = graph.order.indexOf(to)
  if (start > end) throw refuse(`${from} comes after ${to}: squash from the earlier one`, from)
  const range = graph.order.slice(start, end + 1)
  if (range.length < 2) throw refuse(`Squashing needs at least two migrations; ${from} to ${to} is ${range.length}`, from)
  const inRange = new Set(range)
  const replacedBy = new Map(migrations.flatMap((m) => (m.replaces ?? []).map((r) => [r, m.name] as const)))
  for (const name of range) {
    const migration = graph.nodes.get(name)!
    if ((migration.replaces ?? []).length > 0) {
      throw refuse(`${name} is a squashed migration (it replaces ${migration.replaces!.join(", ")}): it cannot be squashed again; squash the migrations after it`, name)
    }
    if (replacedBy.has(name)) throw refuse(`${name} is already replaced by ${replacedBy.get(name)}`, name)
    if (migration.atomic !== undefined) {
      throw refuse(`${name} sets atomic itself, which a squashed migration cannot carry for it: squash around it`, name)
    }
    const data = migration.operations.findIndex((op) => op._tag === "RunEffect")
    if (data >= 0) {
      throw refuse(
        `${name} has a data migration (operation ${data + 1}), whose code cannot be written to a file: squash the migrations before or after it`,
        name
      )
    }
  }
  // A chain: nothing outside depends on a migration before its end, and its members follow one another.
  for (const [name, migration] of graph.nodes) {
    if (inRange.has(name)) continue
    const inside = migration.dependencies.filter((d) => inRange.has(d) && d !== to)
    if (inside.length > 0) {
      throw refuse(`${from} to ${to} is not a chain: ${name} depends on ${inside.join(", ")}, in the middle of it; squash up to ${inside[0]} or include ${name}`, name)
    }
  }
  for (const name of range.slice(1)) {
    if (!graph.nodes.get(name)!.dependencies.some((d) => inRange.has(d))) {
      throw refuse(`${from} to ${to} is not a chain: ${name} does not follow any migration of it`, name)
    }
  }
  const dependencies = [...new Set(range.flatMap((name) => graph.nodes.get(name)!.dependencies.filter((d) => !inRange.has(d))))]
  const before = Graph.stateOf(graph, new Set(dependencies.flatMap((d) => [...Graph.ancestors(graph, d)])))
  const original = range.flatMap((name) => graph.nodes.get(name)!.operations)
  const expected = range.reduce((state, name) => Graph.applyMigration(state, graph.nodes.get(name)!), before)
  const operations = reduce(before, original)
  const reached = replay(before, operations)
  if (reached === undefined || !sameSchema(reached, expected)) {
    throw new MigrationError({ problem: "state", message: `The squashed operations of ${from} to ${to} do not build the schema the migrations build (a bug in squash)` })
  }
  return { _tag: "MigrationDefinition", dependencies, replaces: range, operations }
}

/** The file name of a squash of `from` to `to`, after `number`: `0005_squashed_0001_0004`. @internal */
export const squashedName = (number: string, replaces: ReadonlyArray<string>): string => {
  const short = (name: string) => /^(\d{4})_/.exec(name)?.[1] ?? name
  return `${number}_squashed_${short(replaces[0]!)}_${short(replaces[replaces.length - 1]!)}`
}
