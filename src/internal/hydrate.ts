/**
 * Turns driver rows into model instances, value objects or tuples. Column types are guaranteed by the database,
 * so each field's `fromDb` converts without re-validating.
 * @internal
 */
import type { RelatedColumns } from "./compiler.js"
import type { Projection } from "./query.js"
import type * as Ast from "./query.js"

/**
 * A model instance holding `props`, built without the Schema class's constructor: values read from the database are
 * already checked by their column types, and a model's constructor would parse every row again.
 * @internal
 */
export const instance = (model: { readonly prototype: object }, props: Record<string, unknown>): any =>
  Object.assign(Object.create(model.prototype), props)

/** A function from a raw row to what the queryset yields. @internal */
export type Hydrator = (raw: Record<string, unknown>) => any

/** Decodes the selected columns of a raw row into `target`, keyed by field name, and returns it. */
const decodeInto = <T extends Record<string, unknown>>(
  target: T,
  columns: ReadonlyArray<Ast.Column>,
  raw: Record<string, unknown>
): T => {
  for (let i = 0; i < columns.length; i++) {
    const { field, key } = columns[i]!
    const value = raw[key]
    ;(target as Record<string, unknown>)[key] = value === null || value === undefined ? null : field.fromDb(value)
  }
  return target
}

/** Decodes the selected columns of a raw row into a record keyed by field name. @internal */
export const decodeRecord = (columns: ReadonlyArray<Ast.Column>, raw: Record<string, unknown>): Record<string, unknown> =>
  decodeInto({}, columns, raw)

/** Builds the instances of `selectRelated` paths (children before parents) and attaches them to the row's props. */
const relatedBuilder = (related: ReadonlyArray<RelatedColumns>) => {
  const plans = [...related].reverse().map((r) => {
    const target = r.path[r.path.length - 1]!.target
    const strip = r.name.length + 1
    const children = related.filter((c) => c.path.length === r.path.length + 1 && c.name.startsWith(`${r.name}.`))
    return {
      name: r.name,
      top: r.path.length === 1,
      attribute: r.path[r.path.length - 1]!.name,
      pkKey: `${r.name}.${target.meta.pk}`,
      columns: r.columns.map((c) => ({ ...c, field: c.field, out: c.key.slice(strip) })),
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
      const values: Record<string, unknown> = {}
      for (const { field, key, out } of plan.columns) {
        const value = raw[key]
        values[out] = value === null || value === undefined ? null : field.fromDb(value)
      }
      for (const child of plan.children) values[child.attribute] = built.get(child.name)
      built.set(plan.name, instance(plan.target, values))
    }
    for (const plan of plans) if (plan.top) props[plan.attribute] = built.get(plan.name)
  }
}

/** @internal */
export const hydrator = (
  query: Ast.Query,
  columns: ReadonlyArray<Ast.Column>,
  related: ReadonlyArray<RelatedColumns> = []
): Hydrator => {
  const projection: Projection = query.projection
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
