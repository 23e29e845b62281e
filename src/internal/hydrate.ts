/**
 * Turns driver rows into model instances, value objects or tuples. Column types are guaranteed by the database,
 * so each field's `fromDb` converts without re-validating.
 * @internal
 */
import type { RelatedColumns } from "./compiler.js"
import type { Projection } from "./query.js"
import * as Effect from "effect/Effect"
import { DecodeError } from "../Errors.js"
import type * as Model from "../Model.js"
import * as Codec from "./codec.js"
import { sqlAlias } from "./names.js"
import type * as Ast from "./query.js"

/** A function from a raw row to what the queryset yields. @internal */
export type Hydrator = (raw: Record<string, unknown>) => any

/**
 * Decodes the selected columns of a raw row into `target`, keyed by field name, and returns it. A value the field
 * cannot decode (JSON not matching its schema, written by another program) throws a `DecodeError`, which `decoding`
 * turns into a failure.
 */
const decodeInto = <T extends Record<string, unknown>>(
  target: T,
  columns: Reads,
  raw: Record<string, unknown>
): T => columns.decode(target, raw, columns.conversions, columns.fail) as T

/** Decodes the columns one by one: where functions cannot be compiled from text. */
const loopDecoder = (columns: ReadonlyArray<Read>): Decode => (target, raw, conversions, fail) => {
  let i = 0
  try {
    for (; i < columns.length; i++) {
      const value = raw[columns[i]!.alias]
      target[columns[i]!.key] = value === null || value === undefined ? null : conversions[i]!(value)
    }
  } catch (error) {
    throw fail(i, raw, error)
  }
  return target
}

/**
 * Whether functions can be compiled from text here (a content security policy may forbid it). Where they can, each
 * set of columns gets a decoder of its own, whose property reads and writes are named (a loop over names makes every
 * access a dictionary lookup: 3 to 4 times slower per row).
 */
const canCompile = (() => {
  try {
    return new Function("return true")() === true
  } catch {
    return false
  }
})()

/** A decoder's text depends on the names and on which columns are passed as they are; the conversions are arguments. */
const compiled = new Map<string, Decode>()
const MAX_COMPILED = 2000

/** The decoder of a set of columns: compiled once per names (see `canCompile`), else the loop. @internal */
export const compileDecoder = (columns: ReadonlyArray<Read>, compile = canCompile): Decode => {
  if (!compile) return loopDecoder(columns)
  const plain = columns.map((c) => c.field.fromDb === Codec.identity)
  const key = columns.map((c, i) => `${c.alias}\u0000${c.key}\u0000${plain[i] ? 1 : 0}`).join("\u0001")
  let decode = compiled.get(key)
  if (decode !== undefined) return decode
  if (compiled.size >= MAX_COMPILED) return loopDecoder(columns)
  // Names enter the text only as JSON string literals; values and conversions only as arguments.
  const steps = columns.map((c, i) =>
    `i = ${i}; v = raw[${JSON.stringify(c.alias)}]; t[${JSON.stringify(c.key)}] = v === null || v === undefined ? null : ${
      plain[i] ? "v" : `f[${i}](v)`
    };`
  )
  decode = new Function(`return function decode(t, raw, f, fail) { let i = 0, v; try { ${steps.join(" ")} } catch (error) { throw fail(i, raw, error) } return t }`)() as Decode
  compiled.set(key, decode)
  return decode
}

/** Decodes a raw row's columns into `target`: the conversions are the fields' `fromDb`, `fail` names a column that threw. @internal */
export type Decode = (
  target: Record<string, unknown>,
  raw: Record<string, unknown>,
  conversions: ReadonlyArray<(raw: unknown) => unknown>,
  fail: (index: number, raw: Record<string, unknown>, error: unknown) => DecodeError
) => Record<string, unknown>

const decodeError = (columns: Reads, column: Read, raw: Record<string, unknown>, error: unknown) =>
  new DecodeError({
    model: columns.model,
    pk: columns.pkAlias === undefined ? undefined : raw[columns.pkAlias],
    field: column.key,
    reason: error instanceof Error ? error.message : String(error)
  })

/**
 * Runs `f`, which decodes rows, turning a `DecodeError` it throws into a failure (the rows are the database's: they
 * never reach the caller half decoded).
 * @internal
 */
export const decoding = <A>(f: () => A): Effect.Effect<A, DecodeError> => {
  try {
    return Effect.succeed(f())
  } catch (error) {
    if (error instanceof DecodeError) return Effect.fail(error)
    throw error
  }
}

/** A column to read: its field, the name the value takes (`key`) and the name the row carries it under (`alias`). @internal */
export interface Read {
  readonly field: Ast.Column["field"]
  readonly key: string
  readonly alias: string
}

/**
 * The columns of one model read from a row, with their decoder and conversions, and what a `DecodeError` names: the
 * model, and its key's alias.
 */
type Reads = ReadonlyArray<Read> & {
  readonly model: string
  readonly pkAlias: string | undefined
  readonly decode: Decode
  readonly conversions: ReadonlyArray<(raw: unknown) => unknown>
  readonly fail: (index: number, raw: Record<string, unknown>, error: unknown) => DecodeError
}

const reads = (columns: ReadonlyArray<Ast.Column>, model: Model.Any, keyOf: (c: Ast.Column) => string = (c) => c.key): Reads => {
  const read = columns.map((c) => ({ field: c.field, key: keyOf(c), alias: sqlAlias(c.key) }))
  const pk = columns.find((c) => c.field === model.meta.fields[model.meta.pk])
  const result: Reads = Object.assign(read, {
    model: model.meta.name,
    pkAlias: pk === undefined ? undefined : sqlAlias(pk.key),
    decode: compileDecoder(read),
    conversions: read.map((c) => c.field.fromDb),
    fail: (index: number, raw: Record<string, unknown>, error: unknown) => decodeError(result, result[index]!, raw, error)
  })
  return result
}

const readsCache = new WeakMap<ReadonlyArray<Ast.Column>, Reads>()

/** The reads of a model's columns, kept per array of columns (a model's whole row, `selectRelated`'s): built once. */
const readsOf = (columns: ReadonlyArray<Ast.Column>, model: Model.Any): Reads => {
  let cached = readsCache.get(columns)
  if (cached === undefined) readsCache.set(columns, cached = reads(columns, model))
  return cached
}

/**
 * Decodes a whole row of `model` (its `wholeRow` columns) into an instance of it, built in place, without the Schema
 * class's constructor: values read from the database are already checked by their column types, and a model's
 * constructor would parse every row again.
 * @internal
 */
export const decodeInstance = (model: Model.Any, columns: ReadonlyArray<Ast.Column>, raw: Record<string, unknown>): any =>
  decodeInto(Object.create(model.prototype as object), readsOf(columns, model), raw)

const builders = new WeakMap<ReadonlyArray<RelatedColumns>, (raw: Record<string, unknown>, props: Record<string, unknown>) => void>()

/** The builder of `related`, kept per array (`selectRelated`'s columns are kept per model and paths). */
const relatedBuilder = (related: ReadonlyArray<RelatedColumns>) => {
  let builder = builders.get(related)
  if (builder === undefined) builders.set(related, builder = makeRelatedBuilder(related))
  return builder
}

/** Builds the instances of `selectRelated` paths (children before parents) and attaches them to the row's props. */
const makeRelatedBuilder = (related: ReadonlyArray<RelatedColumns>) => {
  const plans = [...related].reverse().map((r) => {
    const target = r.path[r.path.length - 1]!.target
    const strip = r.name.length + 1
    const children = related.filter((c) => c.path.length === r.path.length + 1 && c.name.startsWith(`${r.name}.`))
    return {
      name: r.name,
      top: r.path.length === 1,
      attribute: r.path[r.path.length - 1]!.name,
      pkKey: sqlAlias(`${r.name}.${target.meta.pk}`),
      columns: reads(r.columns, target, (c) => c.key.slice(strip)),
      children: children.map((c) => ({ name: c.name, attribute: c.path[c.path.length - 1]!.name })),
      target
    }
  })
  return (raw: Record<string, unknown>, props: Record<string, unknown>) => {
    const built = new Map<string, unknown>()
    for (const plan of plans) {
      if (raw[plan.pkKey] === null || raw[plan.pkKey] === undefined) {
        built.set(plan.name, null)
        continue
      }
      const related: Record<string, unknown> = decodeInto(Object.create(plan.target.prototype as object), plan.columns, raw)
      for (const child of plan.children) related[child.attribute] = built.get(child.name)
      built.set(plan.name, related)
    }
    for (const plan of plans) if (plan.top) props[plan.attribute] = built.get(plan.name)
  }
}

/** @internal */
export const hydrator = (
  query: Ast.Query,
  selected: ReadonlyArray<Ast.Column>,
  related: ReadonlyArray<RelatedColumns> = []
): Hydrator => {
  const projection: Projection = query.projection
  const columns = readsOf(selected, query.model)
  switch (projection._tag) {
    case "Model": {
      const proto = query.model.prototype as object
      // The instance is built in place: one object per row.
      if (related.length === 0) return (raw) => decodeInto(Object.create(proto), columns, raw)
      const attach = relatedBuilder(related)
      return (raw) => {
        const row = decodeInto(Object.create(proto), columns, raw)
        attach(raw, row)
        return row
      }
    }
    case "Values":
      return (raw) => decodeInto({}, columns, raw)
    case "ValuesList": {
      if (projection.flat) {
        const column = columns[0]!
        const { alias, field } = column
        return (raw) => {
          const value = raw[alias]
          if (value === null || value === undefined) return null
          try {
            return field.fromDb(value)
          } catch (error) {
            throw decodeError(columns, column, raw, error)
          }
        }
      }
      return (raw) => {
        const record: Record<string, unknown> = decodeInto({}, columns, raw)
        return columns.map((c) => record[c.key])
      }
    }
  }
}
