/**
 * Migrations as a graph: each names the migrations it follows. The graph checks that every dependency exists and
 * that there is no cycle, orders the migrations (dependencies first, then by name), finds its leaves, and resolves
 * squashed migrations against what a database has applied. It also gives the state at any point.
 * @internal
 */
import { MigrationError } from "../../Errors.js"
import type { Migration } from "./migration.js"
import { apply, StateError } from "./operations.js"
import { empty, type SchemaState } from "./state.js"

/** @internal */
export interface Graph {
  readonly nodes: ReadonlyMap<string, Migration>
  /** Every migration, dependencies first (ties broken by name, so the order is the same on every machine). */
  readonly order: ReadonlyArray<string>
  /** The migrations nothing depends on. */
  readonly leaves: ReadonlyArray<string>
}

const graphError = (message: string, migration?: string) => new MigrationError({ problem: "graph", message, migration })

/** Orders `nodes` dependencies first; fails on a missing dependency or a cycle. */
const topological = (nodes: ReadonlyMap<string, Migration>): ReadonlyArray<string> => {
  const order: Array<string> = []
  const state = new Map<string, "visiting" | "done">()
  const visit = (name: string, path: ReadonlyArray<string>): void => {
    const mark = state.get(name)
    if (mark === "done") return
    if (mark === "visiting") throw graphError(`Migrations depend on each other in a cycle: ${[...path, name].join(" -> ")}`, name)
    state.set(name, "visiting")
    const migration = nodes.get(name)!
    for (const dependency of [...migration.dependencies].sort()) {
      if (!nodes.has(dependency)) {
        throw graphError(`Migration ${name} depends on ${dependency}, which does not exist`, name)
      }
      visit(dependency, [...path, name])
    }
    state.set(name, "done")
    order.push(name)
  }
  for (const name of [...nodes.keys()].sort()) visit(name, [])
  return order
}

/** Builds the graph of `migrations` as they are (squashed ones included, see `resolve`). @internal */
export const build = (migrations: ReadonlyArray<Migration>): Graph => {
  const nodes = new Map<string, Migration>()
  for (const migration of migrations) {
    if (nodes.has(migration.name)) throw graphError(`Two migrations are named ${migration.name}`, migration.name)
    nodes.set(migration.name, migration)
  }
  const order = topological(nodes)
  const depended = new Set(migrations.flatMap((m) => m.dependencies))
  return { nodes, order, leaves: order.filter((name) => !depended.has(name)) }
}

/**
 * The migrations to use with a database that has applied `applied`: a squashed migration stands for the ones it
 * replaces when all or none of those were applied (it counts as applied when all were); otherwise the replaced ones
 * are used and the squashed one is left out until they have all run. Dependencies on a replaced migration then
 * point at its replacement.
 * @internal
 */
export const resolve = (migrations: ReadonlyArray<Migration>, applied: ReadonlySet<string>): ReadonlyArray<Migration> => {
  const replacedBy = new Map<string, string>()
  const dropped = new Set<string>()
  for (const migration of migrations) {
    const replaces = migration.replaces ?? []
    if (replaces.length === 0) continue
    const ran = replaces.filter((name) => applied.has(name)).length
    if (ran === 0 || ran === replaces.length) {
      for (const name of replaces) {
        replacedBy.set(name, migration.name)
        dropped.add(name)
      }
    } else dropped.add(migration.name)
  }
  return migrations
    .filter((m) => !dropped.has(m.name))
    .map((m) => ({
      ...m,
      dependencies: [...new Set(m.dependencies.map((d) => replacedBy.get(d) ?? d))].filter((d) => d !== m.name)
    }))
}

/** Whether the database has applied a migration: itself, or all the migrations a squashed one replaces. @internal */
export const isApplied = (migration: Migration, applied: ReadonlySet<string>): boolean =>
  applied.has(migration.name) ||
  (migration.replaces !== undefined && migration.replaces.length > 0 && migration.replaces.every((name) => applied.has(name)))

/** The migrations `name` depends on, directly or not, and itself. @internal */
export const ancestors = (graph: Graph, name: string): ReadonlySet<string> => {
  const result = new Set<string>()
  const visit = (n: string) => {
    if (result.has(n)) return
    result.add(n)
    for (const d of graph.nodes.get(n)!.dependencies) visit(d)
  }
  visit(name)
  return result
}

/** The migrations that depend on `name`, directly or not (not itself). @internal */
export const descendants = (graph: Graph, name: string): ReadonlySet<string> => {
  const result = new Set<string>()
  let grew = true
  while (grew) {
    grew = false
    for (const [n, migration] of graph.nodes) {
      if (!result.has(n) && migration.dependencies.some((d) => d === name || result.has(d))) {
        result.add(n)
        grew = true
      }
    }
  }
  return result
}

/** Applies a migration's operations to `state`; an operation that does not fit is a MigrationError naming it. @internal */
export const applyMigration = (state: SchemaState, migration: Migration): SchemaState => {
  let current = state
  migration.operations.forEach((operation, i) => {
    try {
      current = apply(current, operation)
    } catch (error) {
      if (error instanceof StateError) {
        throw new MigrationError({
          problem: "state",
          message: `Migration ${migration.name}, operation ${i + 1} (${operation._tag}): ${error.message}`,
          migration: migration.name
        })
      }
      throw error
    }
  })
  return current
}

/** The schema that the migrations `names` build, applied in the graph's order. @internal */
export const stateOf = (graph: Graph, names: ReadonlySet<string>): SchemaState =>
  graph.order.filter((name) => names.has(name)).reduce((state, name) => applyMigration(state, graph.nodes.get(name)!), empty)

/** The schema the whole graph builds; there must be one leaf (else a merge is needed). @internal */
export const finalState = (graph: Graph): SchemaState => stateOf(graph, new Set(graph.order))

/** Fails when the graph has more than one leaf, naming them and the merge command. @internal */
export const singleLeaf = (graph: Graph): string | undefined => {
  if (graph.leaves.length > 1) {
    throw graphError(
      `Conflicting migrations: ${graph.leaves.join(", ")} are all leaves (two branches each added a migration). ` +
        "Run `effect-orm makemigrations --merge` to write a migration that depends on them all."
    )
  }
  return graph.leaves[0]
}
