/**
 * Preparing writes: every value is checked against its field's Schema and converted for the driver before any SQL
 * is built, and all problems are collected into one `ValidationError`.
 * @internal
 */
import * as Result from "effect/Result"
import { FieldError, ValidationError, type ValidationIssue } from "../Errors.js"
import * as Expr from "../Expr.js"
import type * as Field from "../Field.js"
import type * as Model from "../Model.js"
import type { Assignment } from "./compileWrites.js"
import * as Resolve from "./expressions/resolve.js"
import * as Types from "./expressions/types.js"
import * as Ast from "./query.js"

/** Marks a column left to its database default in a multi-row INSERT. @internal */
export const DEFAULT: unique symbol = Symbol.for("effect-orm/DEFAULT")

/** Checks one value against its field and converts it for the driver. @internal */
export const encode = (field: Field.Any, value: unknown): Result.Result<unknown, string> => {
  const problem = field.validate(value)
  if (problem !== undefined) return Result.fail(problem)
  return Result.succeed(value === null ? null : field.toDb(value))
}

/**
 * Replaces forward relations given by instance or key (`publisher: p`) with their key column (`publisherId`).
 * @internal
 */
export const relationKeys = (model: Model.Any, data: Record<string, unknown>): Result.Result<Record<string, unknown>, FieldError> => {
  const pk = model.meta.pk
  if (pk !== "pk" && Object.prototype.hasOwnProperty.call(data, "pk")) {
    // `pk` names the primary key in writes too, as in Django's `create(pk=...)` and `update(pk=...)`; an undefined
    // `pk` is an omitted one, as any undefined value.
    const { pk: value, ...rest } = data
    if (value !== undefined) {
      if (data[pk] !== undefined) return Result.fail(new FieldError({ model: model.meta.name, field: "pk", reason: `give pk or ${pk}, not both` }))
      data = { ...rest, [pk]: value }
    } else data = rest
  }
  const relations = model.meta.relations
  if (!Object.keys(data).some((k) => Object.prototype.hasOwnProperty.call(relations, k))) return Result.succeed(data)
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(data)) {
    const rel = Object.prototype.hasOwnProperty.call(relations, key) ? relations[key] : undefined
    if (rel === undefined) {
      if (!(key in result)) result[key] = value
      continue
    }
    if (rel.kind !== "ForeignKey" && rel.kind !== "OneToOne") {
      return Result.fail(new FieldError({ model: model.meta.name, field: key, reason: "a many-to-many or reverse relation is written through related(instance, name)" }))
    }
    if (value === undefined) continue
    if (data[`${key}Id`] !== undefined) {
      return Result.fail(new FieldError({ model: model.meta.name, field: key, reason: `give ${key} or ${key}Id, not both` }))
    }
    const target = rel.target()
    result[`${key}Id`] = value instanceof target ? (value as Record<string, unknown>)[target.meta.pk] : value
  }
  return Result.succeed(result)
}

const unknownKey = (model: Model.Any, data: Record<string, unknown>): FieldError | undefined => {
  for (const key of Object.keys(data)) {
    if (!Object.prototype.hasOwnProperty.call(model.meta.fields, key)) {
      return new FieldError({ model: model.meta.name, field: key, reason: "unknown field" })
    }
  }
  return undefined
}

/** A model's fields in declaration order, the order of an INSERT's columns. */
const fieldsOf = new WeakMap<Model.Any, { readonly keys: ReadonlyArray<string>; readonly fields: ReadonlyArray<Field.Any> }>()

/** The keys of a model's fields, in the order of the values `insertRow` gives. @internal */
export const insertFields = (model: Model.Any): { readonly keys: ReadonlyArray<string>; readonly fields: ReadonlyArray<Field.Any> } => {
  let entry = fieldsOf.get(model)
  if (entry === undefined) {
    const keys = Object.keys(model.meta.fields)
    entry = { keys, fields: keys.map((k) => model.meta.fields[k] as Field.Any) }
    fieldsOf.set(model, entry)
  }
  return entry
}

/**
 * The column values of a new row, one per field of `insertFields`: given values, else defaults, else NULL for
 * nullable fields; generated columns without a value are left to the database (`DEFAULT`). Issues are named
 * `prefix + field`.
 * @internal
 */
export const insertRow = (
  model: Model.Any,
  data: Record<string, unknown>,
  issues: Array<ValidationIssue>,
  prefix = ""
): Result.Result<Array<unknown>, FieldError> => {
  const normalized = relationKeys(model, data)
  if (Result.isFailure(normalized)) return Result.fail(normalized.failure)
  data = normalized.success
  const bad = unknownKey(model, data)
  if (bad) return Result.fail(bad)
  const { fields, keys } = insertFields(model)
  const row = new Array<unknown>(keys.length)
  for (let i = 0; i < keys.length; i++) {
    const field = fields[i]!
    let value = data[keys[i]!]
    if (value === undefined) {
      if (field.hasDefault) value = typeof field.default === "function" ? field.default() : field.default
      else if (field.nullable) value = null
      else if (field.generated) {
        row[i] = DEFAULT
        continue
      } else {
        issues.push({ field: prefix + keys[i], message: "is required" })
        continue
      }
    }
    const encoded = encode(field, value)
    if (Result.isFailure(encoded)) issues.push({ field: prefix + keys[i], message: encoded.failure })
    else row[i] = encoded.success
  }
  return Result.succeed(row)
}

/** Fails with the collected issues, if any. @internal */
export const checkIssues = (model: Model.Any, issues: ReadonlyArray<ValidationIssue>): Result.Result<void, ValidationError> =>
  issues.length > 0 ? Result.fail(new ValidationError({ model: model.meta.name, issues })) : Result.succeed(undefined)

/**
 * The assignments of an UPDATE from values or `F` expressions. The version field, when the model has one and it is
 * not assigned explicitly, is incremented.
 * @internal
 */
export const assignments = (
  model: Model.Any,
  values: Record<string, unknown>
): Result.Result<Array<Assignment>, FieldError | ValidationError> => {
  const normalized = relationKeys(model, values)
  if (Result.isFailure(normalized)) return Result.fail(normalized.failure)
  values = normalized.success
  const result: Array<Assignment> = []
  const issues: Array<ValidationIssue> = []
  for (const key of Object.keys(values)) {
    const value = values[key]
    if (value === undefined) continue
    const column = Ast.resolveField(model, key)
    if (Result.isFailure(column)) return Result.fail(column.failure)
    if (Expr.isExpr(value)) {
      const node = Ast.resolveExpr(model, value.node)
      if (Result.isFailure(node)) return Result.fail(node.failure)
      const field = column.success.field
      // An UPDATE has no joins: a related row's value is read with a subquery, not a path (as in Django).
      if (Resolve.pathsOf(node.success).size > 0) {
        return Result.fail(new FieldError({ model: model.meta.name, field: key, reason: "an update's expressions refer to the row's own fields, not to related rows" }))
      }
      const problem = Resolve.problem(node.success, Types.fieldType(field), `${Ast.article(field.kind)} field`)
      if (problem !== undefined) return Result.fail(new FieldError({ model: model.meta.name, field: key, reason: problem }))
      result.push({ column: column.success, value: { _tag: "Expr", node: node.success } })
      continue
    }
    const encoded = encode(column.success.field, value)
    if (Result.isFailure(encoded)) issues.push({ field: key, message: encoded.failure })
    else result.push({ column: column.success, value: { _tag: "Param", value: encoded.success } })
  }
  const checked = checkIssues(model, issues)
  if (Result.isFailure(checked)) return Result.fail(checked.failure)
  const version = model.meta.version
  if (version !== undefined && result.length > 0 && !result.some((a) => a.column.key === version)) {
    const column = Result.getOrThrow(Ast.resolveField(model, version))
    result.push({
      column,
      value: { _tag: "Expr", node: Result.getOrThrow(Ast.resolveExpr(model, { _tag: "Binary", op: "+", left: { _tag: "Ref", field: version }, right: { _tag: "Value", value: 1 } })) }
    })
  }
  return Result.succeed(result)
}

/** Field names of a model other than its primary key (and version), or the chosen ones, checked. @internal */
export const writableFields = (
  model: Model.Any,
  chosen: ReadonlyArray<string> | undefined
): Result.Result<ReadonlyArray<string>, FieldError> => {
  const meta = model.meta
  const keys = chosen ?? Object.keys(meta.fields).filter((k) => k !== meta.pk && k !== meta.version)
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(meta.fields, key)) {
      return Result.fail(new FieldError({ model: meta.name, field: key, reason: "unknown field" }))
    }
    if (key === meta.pk) {
      return Result.fail(new FieldError({ model: meta.name, field: key, reason: "the primary key cannot be updated" }))
    }
  }
  return Result.succeed(keys)
}
