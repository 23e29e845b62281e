/**
 * Deleting rows with the `onDelete` behaviour of the relations that reference them, as Django's collector does:
 * CASCADE collects the referencing rows (through any number of levels, join rows of many-to-many included),
 * PROTECT refuses, RESTRICT refuses unless the referencing rows are deleted by the same operation, SET_NULL and
 * SET_DEFAULT update the referencing rows, DO_NOTHING leaves them to the database's constraint.
 * @internal
 */
import type * as SqlError from "effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import type { Db } from "./service.js"
import { type DataError, type FieldError, type IntegrityError, ProtectedError, type QueryError, RestrictedError } from "../Errors.js"
import { sqlAlias } from "./names.js"
import type * as Field from "../Field.js"
import type * as Model from "../Model.js"
import * as Transaction from "../Transaction.js"
import { mapKey } from "./codec.js"
import * as CompileWrites from "./compileWrites.js"
import * as Select from "./select.js"
import * as Executor from "./executor.js"
import * as Ast from "./query.js"
import * as Relations from "./relations.js"

/** What a delete removed: rows in total and per model name. @since 0.1.0 */
export interface DeleteResult {
  readonly total: number
  readonly perModel: Readonly<Record<string, number>>
}

type DeleteError = FieldError | QueryError | IntegrityError | DataError | SqlError.SqlError | ProtectedError | RestrictedError

/** Keys per statement: well under PostgreSQL's 65,535 parameters. */
const CHUNK = 10_000

const chunks = <A>(items: ReadonlyArray<A>): ReadonlyArray<ReadonlyArray<A>> => {
  const result: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += CHUNK) result.push(items.slice(i, i + CHUNK))
  return result
}


const byKeys = (model: Model.Any, field: string, keys: ReadonlyArray<unknown>): Ast.Query => ({
  ...Ast.initial(model),
  ordering: [],
  where: [{ negate: false, condition: { [field]: { in: keys } } }]
})

/** The primary keys of a query's rows. */
const primaryKeys = (query: Ast.Query): Effect.Effect<ReadonlyArray<unknown>, FieldError | DataError | SqlError.SqlError, Db> =>
  Effect.suspend((): Effect.Effect<ReadonlyArray<unknown>, FieldError | DataError | SqlError.SqlError, Db> => {
    const meta = query.model.meta
    const compiled = Select.select({ ...query, ordering: [], projection: { _tag: "ValuesList", fields: [meta.pk], flat: true } })
    if (Result.isFailure(compiled)) return Effect.fail(compiled.failure)
    const pk: Field.Any = meta.fields[meta.pk]
    return Effect.map(Executor.select(compiled.success.compiled), (rows) => rows.map((row) => pk.fromDb(row[sqlAlias(meta.pk)])))
  })

/** The primary keys of `model`'s rows whose `field` is one of `keys`. */
const referencingKeys = (model: Model.Any, field: string, keys: ReadonlyArray<unknown>) =>
  Effect.map(Effect.forEach(chunks(keys), (chunk) => primaryKeys(byKeys(model, field, chunk))), (found) => found.flat())

class Collector {
  /** Rows to delete per model; models in the order they were last reached, so referencing models come later. */
  readonly deletes = new Map<Model.Any, Map<unknown, unknown>>()
  readonly updates: Array<{ readonly model: Model.Any; readonly field: string; readonly value: unknown; readonly keys: ReadonlyArray<unknown> }> = []
  readonly restricted: Array<{ readonly model: Model.Any; readonly source: Model.Any; readonly name: string; readonly keys: ReadonlyArray<unknown> }> = []

  collect(model: Model.Any, keys: ReadonlyArray<unknown>): Effect.Effect<void, DeleteError, Db> {
    return Effect.gen({ self: this }, function*() {
      let known = this.deletes.get(model)
      if (known === undefined) known = new Map()
      const fresh = keys.filter((k) => !known.has(mapKey(k)))
      if (fresh.length === 0) return
      for (const key of fresh) known.set(mapKey(key), key)
      this.deletes.delete(model)
      this.deletes.set(model, known)
      for (const { model: source, name, rel } of Relations.referencing(model)) {
        if (rel.onDelete === "DO_NOTHING") continue
        const field = `${name}Id`
        const found = yield* referencingKeys(source, field, fresh)
        if (found.length === 0) continue
        switch (rel.onDelete) {
          case "CASCADE":
            yield* this.collect(source, found)
            break
          case "PROTECT":
            return yield* new ProtectedError({ model: model.meta.name, protectedBy: source.meta.name, field: name, keys: found.slice(0, 100) })
          case "RESTRICT":
            this.restricted.push({ model, source, name, keys: found })
            break
          case "SET_NULL":
          case "SET_DEFAULT": {
            const value = rel.onDelete === "SET_NULL" ? null : typeof rel.default === "function" ? rel.default() : rel.default
            this.updates.push({ model: source, field, value, keys: found })
            break
          }
        }
      }
    })
  }

  /** RESTRICT allows the delete only when every restricting row is deleted too. */
  checkRestricted(): RestrictedError | undefined {
    for (const { keys, model, name, source } of this.restricted) {
      const deleted = this.deletes.get(source)
      const left = keys.filter((k) => !deleted?.has(mapKey(k)))
      if (left.length > 0) {
        return new RestrictedError({ model: model.meta.name, protectedBy: source.meta.name, field: name, keys: left.slice(0, 100) })
      }
    }
    return undefined
  }

  /** Runs the updates, then the deletes, referencing rows first; returns the counts. */
  execute(): Effect.Effect<DeleteResult, DeleteError, Db> {
    return Effect.gen({ self: this }, function*() {
      for (const { field, keys, model, value } of this.updates) {
        const deleted = this.deletes.get(model)
        const kept = keys.filter((k) => !deleted?.has(mapKey(k)))
        const column = Result.getOrThrow(Ast.resolveField(model, field))
        const encoded = value === null ? null : column.field.toDb(value)
        for (const chunk of chunks(kept)) {
          const compiled = CompileWrites.update(byKeys(model, model.meta.pk, chunk), [{ column, value: { _tag: "Param", value: encoded } }])
          yield* Effect.flatMap(Effect.fromResult(compiled), Executor.affected)
        }
      }
      const perModel: Record<string, number> = {}
      let total = 0
      for (const [model, keys] of [...this.deletes].reverse()) {
        for (const chunk of chunks([...keys.values()])) {
          const n = yield* Effect.flatMap(Effect.fromResult(CompileWrites.delete_(byKeys(model, model.meta.pk, chunk))), Executor.affected)
          if (n > 0) perModel[model.meta.name] = (perModel[model.meta.name] ?? 0) + n
          total += n
        }
      }
      return { total, perModel }
    })
  }
}

/** Deletes a query's rows and what their relations' `onDelete` says, in one transaction. @internal */
export const deleteRows = (query: Ast.Query): Effect.Effect<DeleteResult, DeleteError, Db> =>
  Effect.suspend((): Effect.Effect<DeleteResult, DeleteError, Db> => {
    const model = query.model
    const name = model.meta.name
    // Nothing references these rows with a behaviour to apply: one DELETE.
    if (Relations.referencing(model).every(({ rel }) => rel.onDelete === "DO_NOTHING")) {
      return Effect.flatMap(Effect.fromResult(CompileWrites.delete_(query)), (compiled) =>
        Effect.map(Executor.affected(compiled), (n) => ({ total: n, perModel: n === 0 ? {} : { [name]: n } })))
    }
    return Transaction.atomic(Effect.gen(function*() {
      const keys = yield* primaryKeys(query)
      const collector = new Collector()
      yield* collector.collect(model, keys)
      const restricted = collector.checkRestricted()
      if (restricted !== undefined) return yield* restricted
      return yield* collector.execute()
    }))
  })
