/**
 * Preparing writes: every value is checked against its field's Schema and converted for the driver before any SQL
 * is built, and all problems are collected into one `ValidationError`.
 * @internal
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { FieldError, ValidationError, type ValidationIssue } from "../Errors.js"
import * as Expr from "../Expr.js"
import type * as Field from "../Field.js"
import type * as Model from "../Model.js"
import type { Assignment } from "./compiler.js"
import * as Ast from "./query.js"

/** Marks a column left to its database default in a multi-row INSERT. @internal */
export const DEFAULT: unique symbol = Symbol.for("effect-orm/DEFAULT")

/** Checks one value against its field and converts it for the driver. @internal */
export const encode = (field: Field.Any, value: unknown): Either.Either<unknown, string> => {
  const checked = Schema.validateEither(field.schema)(value)
  if (Either.isLeft(checked)) return Either.left(ParseResult.TreeFormatter.formatErrorSync(checked.left))
  return Either.right(value === null ? null : field.toDb(value))
}

/**
 * Replaces forward relations given by instance or key (`publisher: p`) with their key column (`publisherId`).
 * @internal
 */
export const relationKeys = (model: Model.Any, data: Record<string, unknown>): Either.Either<Record<string, unknown>, FieldError> => {
  const relations = model.meta.relations
  if (!Object.keys(data).some((k) => Object.prototype.hasOwnProperty.call(relations, k))) return Either.right(data)
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(data)) {
    const rel = Object.prototype.hasOwnProperty.call(relations, key) ? relations[key] : undefined
    if (rel === undefined) {
      if (!(key in result)) result[key] = value
      continue
    }
    if (rel.kind !== "ForeignKey" && rel.kind !== "OneToOne") {
      return Either.left(new FieldError({ model: model.meta.name, field: key, reason: "a many-to-many or reverse relation is written through related(instance, name)" }))
    }
    if (value === undefined) continue
    if (data[`${key}Id`] !== undefined) {
      return Either.left(new FieldError({ model: model.meta.name, field: key, reason: `give ${key} or ${key}Id, not both` }))
    }
    const target = rel.target()
    result[`${key}Id`] = value instanceof target ? (value as Record<string, unknown>)[target.meta.pk] : value
  }
  return Either.right(result)
}

const unknownKey = (model: Model.Any, data: Record<string, unknown>): FieldError | undefined => {
  for (const key of Object.keys(data)) {
    if (!Object.prototype.hasOwnProperty.call(model.meta.fields, key)) {
      return new FieldError({ model: model.meta.name, field: key, reason: "unknown field" })
    }
  }
  return undefined
}

/**
 * The column values of a new row: given values, else defaults, else NULL for nullable fields; generated columns
 * without a value are left to the database (`DEFAULT`). Issues are named `prefix + field`.
 * @internal
 */
export const insertRow = (
  model: Model.Any,
  data: Record<string, unknown>,
  issues: Array<ValidationIssue>,
  prefix = ""
): Either.Either<Map<string, unknown>, FieldError> => {
  const normalized = relationKeys(model, data)
  if (Either.isLeft(normalized)) return Either.left(normalized.left)
  data = normalized.right
  const bad = unknownKey(model, data)
  if (bad) return Either.left(bad)
  const meta = model.meta
  const row = new Map<string, unknown>()
  for (const key of Object.keys(meta.fields)) {
    const field: Field.Any = meta.fields[key]
    let value = data[key]
    if (value === undefined) {
      if (field.hasDefault) value = typeof field.default === "function" ? field.default() : field.default
      else if (field.nullable) value = null
      else if (field.generated) {
        row.set(key, DEFAULT)
        continue
      } else {
        issues.push({ field: prefix + key, message: "is required" })
        continue
      }
    }
    const encoded = encode(field, value)
    if (Either.isLeft(encoded)) issues.push({ field: prefix + key, message: encoded.left })
    else row.set(key, encoded.right)
  }
  return Either.right(row)
}

/** Fails with the collected issues, if any. @internal */
export const checkIssues = (model: Model.Any, issues: ReadonlyArray<ValidationIssue>): Either.Either<void, ValidationError> =>
  issues.length > 0 ? Either.left(new ValidationError({ model: model.meta.name, issues })) : Either.void

/**
 * The assignments of an UPDATE from values or `F` expressions. The version field, when the model has one and it is
 * not assigned explicitly, is incremented.
 * @internal
 */
export const assignments = (
  model: Model.Any,
  values: Record<string, unknown>
): Either.Either<Array<Assignment>, FieldError | ValidationError> => {
  const normalized = relationKeys(model, values)
  if (Either.isLeft(normalized)) return Either.left(normalized.left)
  values = normalized.right
  const result: Array<Assignment> = []
  const issues: Array<ValidationIssue> = []
  for (const key of Object.keys(values)) {
    const value = values[key]
    if (value === undefined) continue
    const column = Ast.resolveField(model, key)
    if (Either.isLeft(column)) return Either.left(column.left)
    if (Expr.isExpr(value)) {
      const node = Ast.resolveExpr(model, value.node)
      if (Either.isLeft(node)) return Either.left(node.left)
      result.push({ column: column.right, value: { _tag: "Expr", node: node.right } })
      continue
    }
    const encoded = encode(column.right.field, value)
    if (Either.isLeft(encoded)) issues.push({ field: key, message: encoded.left })
    else result.push({ column: column.right, value: { _tag: "Param", value: encoded.right } })
  }
  const checked = checkIssues(model, issues)
  if (Either.isLeft(checked)) return Either.left(checked.left)
  const version = model.meta.version
  if (version !== undefined && result.length > 0 && !result.some((a) => a.column.key === version)) {
    const column = Either.getOrThrow(Ast.resolveField(model, version))
    result.push({
      column,
      value: { _tag: "Expr", node: { _tag: "Binary", op: "+", left: { _tag: "Column", column }, right: { _tag: "Value", value: 1 } } }
    })
  }
  return Either.right(result)
}

/** Field names of a model other than its primary key (and version), or the chosen ones, checked. @internal */
export const writableFields = (
  model: Model.Any,
  chosen: ReadonlyArray<string> | undefined
): Either.Either<ReadonlyArray<string>, FieldError> => {
  const meta = model.meta
  const keys = chosen ?? Object.keys(meta.fields).filter((k) => k !== meta.pk && k !== meta.version)
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(meta.fields, key)) {
      return Either.left(new FieldError({ model: meta.name, field: key, reason: "unknown field" }))
    }
    if (key === meta.pk) {
      return Either.left(new FieldError({ model: meta.name, field: key, reason: "the primary key cannot be updated" }))
    }
  }
  return Either.right(keys)
}
