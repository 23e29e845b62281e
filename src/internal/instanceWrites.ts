/**
 * Running a QuerySet's writes: inserting rows (`create`, `bulkCreate`), updating the matching rows (`update`), and
 * writing instances (`save`, `refresh`, `deleteInstance`, `bulkUpdate`, `getOrCreate`, `updateOrCreate`). Values are
 * prepared by `writes.ts`; the rows written come back as model instances.
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import {
  type DoesNotExist,
  type MultipleObjectsReturned,
  QueryError,
  StaleObjectError,
  type ValidationIssue
} from "../Errors.js"
import type * as Field from "../Field.js"
import type * as Model from "../Model.js"
import type { DeleteError, DeleteResult, QuerySet, ReadError, WriteError } from "../QuerySet.js"
import * as Transaction from "../Transaction.js"
import * as CompileWrites from "./compileWrites.js"
import * as Compiler from "./compiler.js"
import * as Executor from "./executor.js"
import * as Hydrate from "./hydrate.js"
import { sqlAlias } from "./names.js"
import * as Ast from "./query.js"
import type { Db } from "./service.js"
import * as SetOps from "./setOps.js"
import * as Writes from "./writes.js"

/**
 * Builds a QuerySet over a query: the QuerySet constructor, handed in by QuerySet.ts (which imports this module, so
 * this module cannot import it).
 * @internal
 */
export type MakeQuerySet = (query: Ast.Query) => QuerySet<any, any, any>

/** A model instance from a row of every column (what writes return). @internal */
export const hydrateRow = (model: Model.Any, raw: Record<string, unknown>): any =>
  Hydrate.decodeInstance(model, Compiler.wholeRow(model).columns, raw)

/** `create`: inserts a row (defaults applied, every value validated) and returns the instance with generated values. @internal */
export const create = (model: Model.Any, data: Record<string, unknown>): Effect.Effect<any, WriteError, Db> =>
  Effect.map(insertRows(model, [data]), (rows) => rows[0]!)

/** `bulkCreate`: checks the conflict options, then inserts the rows. @internal */
export const bulkCreate = (
  model: Model.Any,
  data: ReadonlyArray<Record<string, unknown>>,
  options: {
    readonly batchSize?: number
    readonly ignoreConflicts?: boolean
    readonly updateConflicts?: {
      readonly uniqueFields: ReadonlyArray<string>
      readonly updateFields: ReadonlyArray<string>
    }
    readonly returning?: boolean
  }
): Effect.Effect<any, WriteError, Db> =>
  Effect.suspend((): Effect.Effect<any, WriteError, Db> => {
    let onConflict: CompileWrites.OnConflict | undefined
    if (options.ignoreConflicts && options.updateConflicts) {
      return Effect.fail(new QueryError({ model: model.meta.name, reason: "ignoreConflicts and updateConflicts exclude each other" }))
    }
    if (options.ignoreConflicts) onConflict = { _tag: "Ignore" }
    if (options.updateConflicts) {
      const unique = Result.all(options.updateConflicts.uniqueFields.map((k) => Ast.resolveField(model, k)))
      const update = Result.all(options.updateConflicts.updateFields.map((k) => Ast.resolveField(model, k)))
      if (Result.isFailure(unique)) return Effect.fail(unique.failure)
      if (Result.isFailure(update)) return Effect.fail(update.failure)
      if (unique.success.length === 0 || update.success.length === 0) {
        return Effect.fail(new QueryError({ model: model.meta.name, reason: "updateConflicts needs uniqueFields and updateFields" }))
      }
      onConflict = { _tag: "Update", unique: unique.success, update: update.success }
    }
    return insertRows(model, data, options.batchSize, onConflict, options.returning !== false)
  })

const insertColumnSets = new WeakMap<Model.Any, Map<string, ReadonlyArray<Ast.Column>>>()

/** The columns of the fields `kept` (indexes into `keys`), kept per model and set. */
const insertColumns = (model: Model.Any, keys: ReadonlyArray<string>, kept: ReadonlyArray<number>): ReadonlyArray<Ast.Column> => {
  let byKept = insertColumnSets.get(model)
  if (byKept === undefined) insertColumnSets.set(model, byKept = new Map())
  const id = kept.join(",")
  let columns = byKept.get(id)
  if (columns === undefined) byKept.set(id, columns = kept.map((k) => Result.getOrThrow(Ast.resolveField(model, keys[k]!))))
  return columns
}

/**
 * The INSERTs of checked rows (values in `insertFields` order). Columns every row leaves to the database are omitted.
 * Several rows go as one array per column when no row leaves a kept column to its default (any number of rows in
 * one statement); else as a VALUES list with DEFAULT where a row has no value, in batches within PostgreSQL's 65,535
 * parameters.
 */
const insertStatements = (
  model: Model.Any,
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  batchSize: number | undefined,
  onConflict: CompileWrites.OnConflict | undefined,
  returning: boolean
): Array<Compiler.Compiled> => {
  const { keys } = Writes.insertFields(model)
  const kept: Array<number> = []
  let defaults = false
  for (let k = 0; k < keys.length; k++) {
    let given = 0
    for (const row of rows) if (row[k] !== Writes.DEFAULT) given++
    if (given > 0) kept.push(k)
    if (given > 0 && given < rows.length) defaults = true
  }
  const columns = insertColumns(model, keys, kept)
  const values = kept.length === keys.length ? rows : rows.map((row) => kept.map((k) => row[k]))
  const statements: Array<Compiler.Compiled> = []
  if (rows.length > 1 && kept.length > 0 && !defaults) {
    const size = Math.max(1, batchSize ?? rows.length)
    for (let start = 0; start < values.length; start += size) {
      statements.push(CompileWrites.insertArrays(model, columns, values.slice(start, start + size), onConflict, returning))
    }
    return statements
  }
  const size = kept.length === 0 ? 1 : Math.max(1, Math.min(batchSize ?? Infinity, Math.floor(65535 / kept.length)))
  for (let start = 0; start < values.length; start += size) {
    statements.push(CompileWrites.insert(model, columns, values.slice(start, start + size), (v) => v === Writes.DEFAULT, onConflict, returning))
  }
  return statements
}

/** Validates the rows, then inserts them in as few statements as possible (in one transaction when several). */
const insertRows = (
  model: Model.Any,
  data: ReadonlyArray<Record<string, unknown>>,
  batchSize?: number,
  onConflict?: CompileWrites.OnConflict,
  returning = true
): Effect.Effect<any, WriteError, Db> =>
  Effect.suspend((): Effect.Effect<any, WriteError, Db> => {
    const issues: Array<ValidationIssue> = []
    const rows: Array<Array<unknown>> = new Array(data.length)
    for (let i = 0; i < data.length; i++) {
      const row = Writes.insertRow(model, data[i]!, issues, data.length === 1 ? "" : `[${i}].`)
      if (Result.isFailure(row)) return Effect.fail(row.failure)
      rows[i] = row.success
    }
    const checked = Writes.checkIssues(model, issues)
    if (Result.isFailure(checked)) return Effect.fail(checked.failure)
    if (rows.length === 0) return Effect.succeed(returning ? [] : 0)
    const statements = insertStatements(model, rows, batchSize, onConflict, returning)
    // Without RETURNING nothing is read back: the count of rows written is the database's.
    const run: Effect.Effect<any, WriteError, Db> = returning
      ? Effect.flatMap(
        Effect.forEach(statements, Executor.rows),
        (results) => Hydrate.decoding(() => results.flat().map((raw) => hydrateRow(model, raw)))
      )
      : Effect.map(Effect.forEach(statements, Executor.affected), (counts) => counts.reduce((a, b) => a + b, 0))
    return statements.length > 1 ? Transaction.atomic(run) : run
  })

/** `update`: updates every matching row and returns how many were updated (the version field, if any, is incremented). @internal */
export const update = (query: Ast.Query, values: Record<string, unknown>): Effect.Effect<number, WriteError, Db> =>
  Effect.suspend((): Effect.Effect<number, WriteError, Db> => {
    if (query.invalid) return Effect.fail(query.invalid)
    if (query.combined !== undefined) return Effect.fail(SetOps.refusal(query, "update"))
    const assignments = Writes.assignments(query.model, values)
    if (Result.isFailure(assignments)) return Effect.fail(assignments.failure)
    if (assignments.success.length === 0 || query.empty) return Effect.succeed(0)
    return Effect.flatMap(Effect.fromResult(CompileWrites.update(query, assignments.success)), Executor.affected)
  })

/** The query of one instance's row (by primary key, and by version when `versioned`). */
const ofInstance = (model: Model.Any, instance: unknown, versioned: boolean): Ast.Query => {
  const meta = model.meta
  const row = instance as Record<string, unknown>
  const where: Record<string, unknown> = { [meta.pk]: row[meta.pk] }
  if (versioned && meta.version !== undefined) where[meta.version] = row[meta.version]
  return { ...Ast.initial(model), where: [{ negate: false, condition: where }] }
}

const stale = (model: Model.Any, instance: unknown): StaleObjectError => {
  const meta = model.meta
  const row = instance as Record<string, unknown>
  return new StaleObjectError({ model: meta.name, pk: row[meta.pk], version: row[meta.version!] as number })
}

/**
 * `save`: updates the instance's row (only `updateFields` when given; on a versioned model only if the row still has
 * the instance's version, else StaleObjectError), or inserts it when there is no such row; returns it as stored.
 * @internal
 */
export const save = <Self>(
  model: Model.Any,
  instance: Self,
  updateFields: ReadonlyArray<string> | undefined
): Effect.Effect<Self, WriteError | StaleObjectError, Db> =>
  Effect.suspend((): Effect.Effect<Self, WriteError | StaleObjectError, Db> => {
    const meta = model.meta
    const row = instance as Record<string, unknown>
    const fields = Writes.writableFields(model, updateFields)
    if (Result.isFailure(fields)) return Effect.fail(fields.failure)
    const assignments = Writes.assignments(model, Object.fromEntries(fields.success.map((k) => [k, row[k]])))
    if (Result.isFailure(assignments)) return Effect.fail(assignments.failure)
    const target = ofInstance(model, instance, true)
    const updated = Effect.flatMap(
      Effect.fromResult(CompileWrites.update(target, assignments.success, { returning: true })),
      Executor.rows
    )
    return Effect.flatMap(updated, (rows): Effect.Effect<Self, WriteError | StaleObjectError, Db> => {
      if (rows.length > 0) return Hydrate.decoding(() => hydrateRow(model, rows[0]))
      if (meta.version !== undefined) return Effect.fail(stale(model, instance))
      const data = Object.fromEntries(Object.keys(meta.fields).map((k) => [k, row[k]]))
      return Effect.map(insertRows(model, [data]), (inserted) => inserted[0]!)
    })
  })

/** `refresh`: the instance's row as the database has it now (Django's `refresh_from_db`). @internal */
export const refresh = <Self>(
  make: MakeQuerySet,
  model: Model.Any,
  instance: Self
): Effect.Effect<Self, ReadError | DoesNotExist, Db> =>
  // A primary key matches at most one row.
  Effect.catchTag(make(ofInstance(model, instance, false)).get(), "MultipleObjectsReturned", (e) => Effect.die(e))

/** `deleteInstance`: deletes the instance's row with its relations' `onDelete`; a stale versioned instance fails. @internal */
export const deleteInstance = (
  make: MakeQuerySet,
  model: Model.Any,
  instance: unknown
): Effect.Effect<DeleteResult, DeleteError | StaleObjectError, Db> =>
  Effect.flatMap(make(ofInstance(model, instance, true)).delete(), (result) => {
    if (result.total === 0 && model.meta.version !== undefined) return Effect.fail(stale(model, instance))
    return Effect.succeed(result)
  })

/**
 * `bulkUpdate`: updates the instances' `fields` in one statement per batch, in one transaction, and returns how many
 * rows were updated; on a versioned model a stale instance fails the whole call with StaleObjectError.
 * @internal
 */
export const bulkUpdate = (
  model: Model.Any,
  instances: ReadonlyArray<unknown>,
  fields: ReadonlyArray<string>,
  options: { readonly batchSize?: number }
): Effect.Effect<number, WriteError | StaleObjectError, Db> =>
  Effect.suspend((): Effect.Effect<number, WriteError | StaleObjectError, Db> => {
    const meta = model.meta
    const keys = Writes.writableFields(model, fields)
    if (Result.isFailure(keys)) return Effect.fail(keys.failure)
    if (keys.success.length === 0) return Effect.fail(new QueryError({ model: meta.name, reason: "bulkUpdate needs fields" }))
    if (instances.length === 0) return Effect.succeed(0)
    const columns = keys.success.map((k) => Result.getOrThrow(Ast.resolveField(model, k)))
    const pkField = meta.fields[meta.pk] as Field.Any
    const versioned = meta.version !== undefined
    const issues: Array<ValidationIssue> = []
    const rows = instances.map((instance, i) => {
      const row = instance as Record<string, unknown>
      const values = keys.success.map((k) => {
        const encoded = Writes.encode(meta.fields[k], row[k])
        if (Result.isFailure(encoded)) issues.push({ field: `[${i}].${k}`, message: encoded.failure })
        return Result.getOrNull(encoded)
      })
      return [pkField.toDb(row[meta.pk]), ...(versioned ? [row[meta.version!]] : []), ...values]
    })
    const checked = Writes.checkIssues(model, issues)
    if (Result.isFailure(checked)) return Effect.fail(checked.failure)
    const size = Math.max(1, Math.min(options.batchSize ?? Infinity, Math.floor(65535 / (columns.length + 2))))
    const batches: Array<Compiler.Compiled> = []
    for (let start = 0; start < rows.length; start += size) {
      batches.push(CompileWrites.updateMany(model, columns, rows.slice(start, start + size), versioned))
    }
    return Transaction.atomic(Effect.gen(function*() {
      let updated = 0
      for (let b = 0; b < batches.length; b++) {
        const done = yield* Executor.rows(batches[b]!)
        updated += done.length
        if (versioned && done.length < Math.min(size, rows.length - b * size)) {
          // Find the first instance whose row was not updated: it is stale (changed or deleted).
          const hit = new Set(done.map((r) => String(r[sqlAlias(meta.pk)])))
          const staleInstance = instances.slice(b * size, b * size + size)
            .find((inst) => !hit.has(String(pkField.toDb((inst as Record<string, unknown>)[meta.pk]))))!
          return yield* stale(model, staleInstance)
        }
      }
      return updated
    }))
  })

/** The plain (exact) values of a lookup, which `getOrCreate` and `updateOrCreate` use to create the row. */
const exactValues = (lookup: Record<string, unknown>, pk: string): Record<string, unknown> => {
  const values: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(lookup)) {
    const key = name === "pk" ? pk : name
    if (!Ast.isPlainObject(value)) values[key] = value
    else if ("exact" in value && Object.keys(value).length === 1) values[key] = value.exact
  }
  return values
}

/** The query's rows as model instances (whatever its projection). */
const modelSet = (make: MakeQuerySet, query: Ast.Query): QuerySet<any, any, any> =>
  make({ ...query, projection: { _tag: "Model" } })

/**
 * `getOrCreate`: the row matching `lookup`, or a new one created from the lookup's exact values and `defaults`, with
 * whether it was created.
 * @internal
 */
export const getOrCreate = (
  make: MakeQuerySet,
  query: Ast.Query,
  lookup: Record<string, unknown>,
  defaults: Record<string, unknown>
): Effect.Effect<readonly [any, boolean], WriteError | MultipleObjectsReturned, Db> =>
  readOrCreate(query.model, modelSet(make, query).get(lookup), lookup, defaults)

/** Reads a row, or creates it; when a concurrent create wins the race (IntegrityError), reads the winner's row. */
const readOrCreate = (
  model: Model.Any,
  read: Effect.Effect<any, ReadError | DoesNotExist | MultipleObjectsReturned | WriteError, Db>,
  lookup: Record<string, unknown>,
  defaults: Record<string, unknown>
): Effect.Effect<readonly [any, boolean], WriteError | MultipleObjectsReturned, Db> => {
  const creating = Transaction.atomic(create(model, { ...exactValues(lookup, model.meta.pk), ...defaults }))
  return Effect.gen(function*() {
    const found = yield* Effect.result(read)
    if (Result.isSuccess(found)) return [found.success, false] as const
    if (found.failure._tag !== "DoesNotExist") return yield* Effect.fail(found.failure)
    // The create runs in a savepoint, so that losing the race leaves an enclosing transaction usable.
    const created = yield* Effect.result(creating)
    if (Result.isSuccess(created)) return [created.success, true] as const
    if (created.failure._tag !== "IntegrityError") return yield* Effect.fail(created.failure)
    const again = yield* Effect.result(read)
    if (Result.isSuccess(again)) return [again.success, false] as const
    return yield* Effect.fail(again.failure._tag === "DoesNotExist" ? created.failure : again.failure)
  })
}

/**
 * `updateOrCreate`: updates the row matching `lookup` with `defaults` (locking it first), or creates it from the
 * lookup's exact values and `defaults`, in a transaction; returns the row and whether it was created.
 * @internal
 */
export const updateOrCreate = (
  make: MakeQuerySet,
  query: Ast.Query,
  lookup: Record<string, unknown>,
  defaults: Record<string, unknown>
): Effect.Effect<readonly [any, boolean], WriteError | MultipleObjectsReturned, Db> => {
  const model = query.model
  const locked = modelSet(make, query).selectForUpdate().filter(lookup)
  const change = (row: unknown): Effect.Effect<any, WriteError, Db> => {
    if (Object.keys(defaults).length === 0) return Effect.succeed(row)
    return Effect.flatMap(Effect.fromResult(Writes.assignments(model, defaults)), (assignments) =>
      Effect.flatMap(
        Effect.fromResult(CompileWrites.update(ofInstance(model, row, false), assignments, { returning: true })),
        (compiled) => Effect.flatMap(Executor.rows(compiled), (raw) => Hydrate.decoding(() => hydrateRow(model, raw[0])))
      ))
  }
  return Transaction.atomic(readOrCreate(model, Effect.flatMap(locked.get(), change), lookup, defaults))
}
