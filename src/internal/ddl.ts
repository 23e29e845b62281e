/**
 * What DDL needs from models beyond their state (`migrations/state.ts`): the SQL of check constraints written as
 * filters and of expression indexes and partial indexes' conditions (DDL cannot take bound parameters, so their
 * values are rendered through the escaping `literal`; columns are unqualified), the join models of many-to-many
 * fields, and DROP TABLE.
 * @internal
 */
import * as Result from "effect/Result"
import { FieldError } from "../Errors.js"
import type * as Expr from "../Expr.js"
import type * as Model from "../Model.js"
import { exprScope, quote, whereSql, Writer } from "./compiler.js"
import * as Compile from "./expressions/compile.js"
import * as IndexExpressions from "./indexExpressions.js"
import { resolveCondition, type Where } from "./query.js"
import * as Registry from "./registry.js"

/** The SQL of a check constraint written as a filter, with its values inlined as literals. @internal */
export const checkSql = (model: Model.Any, condition: unknown): string => {
  const node = Result.getOrThrowWith(resolveCondition(model, condition), (e) => new Error(e.message))
  return whereSql(node, new Writer(true), null) ?? "TRUE"
}

/** A condition of an index (a `When`'s, or a partial index's), checked to read the model's own columns only. */
const indexCondition = (model: Model.Any) => (condition: unknown): Result.Result<Where, FieldError> =>
  Result.flatMap(resolveCondition(model, condition), (node) => {
    const problem = IndexExpressions.whereProblem(node)
    return problem === undefined ? Result.succeed(node) : Result.fail(new FieldError({ model: model.meta.name, reason: problem }))
  })

/**
 * The SQL of one expression of an expression index: columns not qualified by a table, values as escaped literals, so
 * the same expression always gives the same text (which the schema state compares). Throws why it cannot be indexed.
 * @internal
 */
export const indexExpressionSql = (model: Model.Any, label: string, expr: Expr.Any): string => {
  const stored = IndexExpressions.stateText(expr)
  if (stored !== undefined) return stored
  const node = IndexExpressions.resolveForDdl(model, label, expr, indexCondition(model))
  const w = new Writer(true)
  return Compile.exprSql(node, w, exprScope(w, null))
}

/** The SQL of a partial index's condition, or `undefined` when it holds for every row. @internal */
export const indexWhereSql = (model: Model.Any, label: string, condition: unknown): string | undefined => {
  const stored = IndexExpressions.stateText(condition)
  if (stored !== undefined) return stored
  const node = indexCondition(model)(condition)
  if (Result.isFailure(node)) {
    const e = node.failure
    throw new Error(`Model ${model.meta.name}: ${label}: its condition: ${e.field === undefined ? e.reason : `${e.field}: ${e.reason}`}`)
  }
  return whereSql(node.success, new Writer(true), null)
}

/** The models with the automatic join models of their many-to-many fields, each once. @internal */
export const withJoinModels = (models: ReadonlyArray<Model.Any>): ReadonlyArray<Model.Any> => {
  const all: Array<Model.Any> = []
  for (const model of models) {
    // Their relations are in use: deletes of the models they reference must find them.
    Registry.register(model)
    if (!all.includes(model)) all.push(model)
    for (const [name, rel] of Object.entries(model.meta.relations)) {
      if (rel.kind !== "ManyToMany" || !Registry.isAutoThrough(rel)) continue
      const through = Registry.throughOf(model, name, rel).model
      if (!all.includes(through)) all.push(through)
    }
  }
  return all
}

/** @internal */
export const dropTable = (model: Model.Any): string => `DROP TABLE IF EXISTS ${quote(model.meta.table)} CASCADE`
