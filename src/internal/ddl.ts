/**
 * What DDL needs from models beyond their state (`migrations/state.ts`): the SQL of check constraints written as
 * filters (DDL cannot take bound parameters, so their values are rendered through the escaping `literal`), the join
 * models of many-to-many fields, and DROP TABLE.
 * @internal
 */
import * as Result from "effect/Result"
import type * as Model from "../Model.js"
import { quote, whereSql, Writer } from "./compiler.js"
import { resolveCondition } from "./query.js"
import * as Registry from "./registry.js"

/** The SQL of a check constraint written as a filter, with its values inlined as literals. @internal */
export const checkSql = (model: Model.Any, condition: unknown): string => {
  const node = Result.getOrThrowWith(resolveCondition(model, condition), (e) => new Error(e.message))
  return whereSql(node, new Writer(true), null) ?? "TRUE"
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
