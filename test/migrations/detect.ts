/** Small model builders and detection helpers shared by the autodetector's tests. */
import { expect } from "@effect/vitest"
import { Result } from "effect"
import { Field, Model } from "../../src/index.js"
import { detect, DetectError, type DetectOptions, summarize } from "../../src/internal/migrations/autodetect.js"
import type { Operation } from "../../src/internal/migrations/operations.js"
import * as State from "../../src/internal/migrations/state.js"

export type M = Model.Any
export const model = (name: string, fields: Model.Fields, options: Model.Options<any> = {}): M =>
  Model.Class<any>(name)(fields as any, options as any) as unknown as M
export const fk = (target: () => M, options: Record<string, unknown> = { onDelete: "CASCADE" }) =>
  Field.ForeignKey(target as any, options as any)
export const m2m = (target: () => M, options: Record<string, unknown> = {}) => Field.ManyToMany(target as any, options)
export const state = (...models: ReadonlyArray<M>) => State.fromModels(models)

export const ops = (from: State.SchemaState, to: State.SchemaState, options?: DetectOptions): ReadonlyArray<Operation> => {
  const result = detect(from, to, options)
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return result.success
}
export const refused = (from: State.SchemaState, to: State.SchemaState, options?: DetectOptions): DetectError => {
  const result = detect(from, to, options)
  if (Result.isSuccess(result)) throw new Error(`expected a refusal, got ${summarize(result.success)}`)
  expect(result.failure).toBeInstanceOf(DetectError)
  return result.failure
}
export const tags = (list: ReadonlyArray<Operation>) => list.map((op) => op._tag)
