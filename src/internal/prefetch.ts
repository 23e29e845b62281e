/**
 * Loading related rows for many rows at once: one query per relation, whatever the number of rows. Used by
 * `prefetchRelated` (per level) and by the batched `related` loads.
 * @internal
 */
import type * as SqlError from "effect/sql/SqlError"
import * as Effect from "effect/Effect"
import type { Db } from "./service.js"
import { type DataError, type DecodeError, FieldError, QueryError } from "../Errors.js"
import type * as Field from "../Field.js"
import type * as Model from "../Model.js"
import { mapKey } from "./codec.js"
import { valueType } from "./columnTypes.js"
import * as Ast from "./query.js"
import * as Relations from "./relations.js"

/** Runs a query: its rows (with their own prefetches done) and, when it has `via`, each row's source key. @internal */
export type Runner = (query: Ast.Query) => Effect.Effect<
  { readonly rows: ReadonlyArray<any>; readonly via: ReadonlyArray<unknown> },
  FieldError | QueryError | DecodeError | DataError | SqlError.SqlError,
  Db
>


/**
 * The related rows of each parent key: loads rows of `query` (over the relation's target) related to `parents`
 * through `rel`, in one query. For a forward relation the keys are the parents' key values.
 * @internal
 */
export const load = (
  rel: Relations.Resolved,
  parents: ReadonlyArray<Record<string, unknown>>,
  query: Ast.Query,
  run: Runner
): Effect.Effect<(parent: Record<string, unknown>) => ReadonlyArray<any>, FieldError | QueryError | DecodeError | DataError | SqlError.SqlError, Db> => {
  const model = rel.model
  const parentKey = (row: Record<string, unknown>) => rel.kind === "forward" ? row[rel.key!] : row[model.meta.pk]
  const keys = [...new Map(parents.map((row) => parentKey(row)).filter((k) => k !== null && k !== undefined).map((k) => [mapKey(k), k])).values()]
  if (query.limit !== undefined || query.offset > 0 || query.combined !== undefined) {
    const kind = query.combined === undefined ? "a sliced queryset" : `the result of ${query.combined.op}()`
    return Effect.fail(new QueryError({ model: model.meta.name, reason: `cannot prefetch ${rel.name} with ${kind}` }))
  }
  if (query.model.meta !== rel.target.meta) {
    return Effect.fail(new FieldError({ model: model.meta.name, field: rel.name, reason: `expects a queryset of ${rel.target.meta.name}, got ${query.model.meta.name}` }))
  }
  if (keys.length === 0) return Effect.succeed(() => [])
  const target = rel.target
  let restricted: Ast.Query
  let groupKey: (row: Record<string, unknown>, via: unknown) => unknown
  switch (rel.kind) {
    case "forward":
      restricted = { ...query, where: [...query.where, { negate: false, condition: { [target.meta.pk]: { in: keys } } }] }
      groupKey = (row) => row[target.meta.pk]
      break
    case "reverse":
      restricted = { ...query, where: [...query.where, { negate: false, condition: { [rel.key!]: { in: keys } } }] }
      groupKey = (row) => row[rel.key!]
      break
    case "m2m": {
      const through = rel.through!
      const pkField: Field.Any = model.meta.fields[model.meta.pk]
      restricted = {
        ...query,
        via: {
          table: through.model.meta.table,
          column: through.model.meta.columns[through.targetKey],
          sourceColumn: through.model.meta.columns[through.sourceKey],
          keys: keys.map((k) => pkField.toDb(k)),
          type: valueType(pkField)
        }
      }
      groupKey = (_, via) => via === null || via === undefined ? via : pkField.fromDb(via)
      break
    }
  }
  return Effect.map(run(restricted), ({ rows, via }) => {
    const groups = new Map<unknown, Array<any>>()
    rows.forEach((row, i) => {
      const key = mapKey(groupKey(row, via[i]))
      const group = groups.get(key)
      if (group === undefined) groups.set(key, [row])
      else group.push(row)
    })
    return (parent) => groups.get(mapKey(parentKey(parent))) ?? []
  })
}

/** A copy of a row with more attributes (rows are immutable). */
const withAttributes = (row: any, attributes: Record<string, unknown>): any =>
  Object.assign(Object.create(Object.getPrototypeOf(row)), row, attributes)

/** The value a loaded relation gives one parent: an array, or a row or `null` for a single-valued relation. @internal */
export const shape = (rel: Relations.Resolved, rows: ReadonlyArray<any>): unknown => rel.many ? rows : rows[0] ?? null

/**
 * Runs `prefetchRelated` over the rows of `model`: for each first path segment, one query (with the deeper segments
 * prefetched on its rows by the same means), then copies of the rows carrying the results.
 * @internal
 */
export const prefetch = (
  model: Model.Any,
  rows: ReadonlyArray<any>,
  specs: ReadonlyArray<Ast.PrefetchSpec>,
  run: Runner
): Effect.Effect<ReadonlyArray<any>, FieldError | QueryError | DecodeError | DataError | SqlError.SqlError, Db> =>
  Effect.gen(function*() {
    if (rows.length === 0) return rows
    // Group string paths by their first segment; a Prefetch with a queryset or a target attribute stands alone.
    const levels: Array<{ name: string; to: string; query: Ast.Query | undefined; nested: Array<string> }> = []
    for (const spec of specs) {
      const [head, ...rest] = spec.path.split(".")
      if (spec.query !== undefined || spec.to !== undefined) {
        if (rest.length > 0) {
          return yield* new FieldError({ model: model.meta.name, field: spec.path, reason: "a Prefetch names one relation; nest prefetchRelated in its queryset" })
        }
        levels.push({ name: head!, to: spec.to ?? head!, query: spec.query, nested: [] })
        continue
      }
      let level = levels.find((l) => l.name === head && l.query === undefined && l.to === head)
      if (level === undefined) {
        level = { name: head!, to: head!, query: undefined, nested: [] }
        levels.push(level)
      }
      if (rest.length > 0) level.nested.push(rest.join("."))
    }
    let result = rows
    for (const level of levels) {
      const rel = Relations.resolve(model, level.name)
      if (rel === undefined) {
        return yield* new FieldError({ model: model.meta.name, field: level.name, reason: `unknown relation; choices are ${Relations.names(model).join(", ")}` })
      }
      const base = level.query ?? Ast.initial(rel.target)
      const query: Ast.Query = {
        ...base,
        prefetch: [...base.prefetch, ...level.nested.map((path) => ({ path, query: undefined, to: undefined }))]
      }
      const related = yield* load(rel, result, query, run)
      result = result.map((row) => withAttributes(row, { [level.to]: shape(rel, related(row)) }))
    }
    return result
  })
