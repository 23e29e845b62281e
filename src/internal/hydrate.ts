/**
 * Turns driver rows into model instances, value objects or tuples. Column types are guaranteed by the database,
 * so each field's `fromDb` converts without re-validating.
 * @internal
 */
import type { Projection } from "./query.js"
import type * as Ast from "./query.js"

/** A function from a raw row to what the queryset yields. @internal */
export type Hydrator = (raw: Record<string, unknown>) => any

/** Decodes the selected columns of a raw row into a record keyed by field name. @internal */
export const decodeRecord = (columns: ReadonlyArray<Ast.Column>, raw: Record<string, unknown>): Record<string, unknown> => {
  const props: Record<string, unknown> = {}
  for (const { field, key } of columns) {
    const value = raw[key]
    props[key] = value === null || value === undefined ? null : field.fromDb(value)
  }
  return props
}

/** @internal */
export const hydrator = (query: Ast.Query, columns: ReadonlyArray<Ast.Column>): Hydrator => {
  const projection: Projection = query.projection
  switch (projection._tag) {
    case "Model": {
      const Model = query.model
      return (raw) => new Model(decodeRecord(columns, raw), true)
    }
    case "Values":
      return (raw) => decodeRecord(columns, raw)
    case "ValuesList": {
      if (projection.flat) {
        const [{ field, key }] = columns as [Ast.Column]
        return (raw) => {
          const value = raw[key]
          return value === null || value === undefined ? null : field.fromDb(value)
        }
      }
      return (raw) => {
        const record = decodeRecord(columns, raw)
        return columns.map((c) => record[c.key])
      }
    }
  }
}
