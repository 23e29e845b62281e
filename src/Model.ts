/**
 * Models: a class declared once, whose fields are Schemas with column facts. A model is an Effect `Schema.Class`
 * (usable wherever a Schema is) with static `meta` (inspectable metadata) and `objects` (its base QuerySet).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type * as Field from "./Field.js"
import type { Filter } from "./Lookup.js"
import * as QuerySet from "./QuerySet.js"

/** The fields of a model. @since 0.1.0 */
export type Fields = { readonly [key: string]: Field.Any }

/** An ordering key: a field name, with `-` for descending. @since 0.1.0 */
export type OrderKey<F> = (keyof F & string) | `-${keyof F & string}`

/** An index over one or more columns. @since 0.1.0 */
export interface Index<F> {
  readonly fields: ReadonlyArray<OrderKey<F>>
  readonly name?: string
  readonly unique?: boolean
}

/** A table constraint: unique over several fields, or a check written as a filter. @since 0.1.0 */
export type Constraint<F> =
  | { readonly kind: "unique"; readonly fields: ReadonlyArray<keyof F & string>; readonly name: string }
  | { readonly kind: "check"; readonly check: Filter<F>; readonly name: string }

/** Options of a model. @since 0.1.0 */
export interface Options<F> {
  /** The table name; defaults to the model name in snake_case. */
  readonly table?: string
  /** The default ordering of querysets. */
  readonly ordering?: ReadonlyArray<OrderKey<F>>
  readonly indexes?: ReadonlyArray<Index<F>>
  readonly constraints?: ReadonlyArray<Constraint<F>>
}

/** Inspectable metadata of a model, read by the compiler, `createTables` and migrations. @since 0.1.0 */
export interface Meta<F extends Fields = Fields> {
  readonly name: string
  readonly table: string
  readonly fields: F
  /** Field name to column name. */
  readonly columns: { readonly [K in keyof F]: string }
  readonly pk: keyof F & string
  /** The optimistic-concurrency version field, if any. */
  readonly version: (keyof F & string) | undefined
  readonly ordering: ReadonlyArray<OrderKey<F>>
  readonly indexes: ReadonlyArray<Index<F>>
  readonly constraints: ReadonlyArray<Constraint<F>>
}

/** The Schema fields of a model's instances. @since 0.1.0 */
export type SchemaFields<F extends Fields> = { readonly [K in keyof F]: F[K]["schema"] }

/** A model class. @since 0.1.0 */
export interface ModelClass<Self, F extends Fields> extends
  Schema.Class<
    Self,
    SchemaFields<F>,
    Schema.Struct.Encoded<SchemaFields<F>>,
    Schema.Struct.Context<SchemaFields<F>>,
    Schema.Struct.Constructor<SchemaFields<F>>,
    {},
    {}
  >
{
  readonly meta: Meta<F>
  /** The base QuerySet over every row of the model. */
  readonly objects: QuerySet.QuerySet<F, Self>
}

/** Any model class. @since 0.1.0 */
export interface Any {
  readonly meta: Meta<any>
  new(props: any, options?: boolean): any
}

/** `BookAuthor` → `book_author`. @since 0.1.0 */
export const snakeCase = (name: string): string =>
  name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2").toLowerCase()

const makeMeta = <F extends Fields>(name: string, fields: F, options: Options<F>): Meta<F> => {
  const pks = Object.keys(fields).filter((k) => fields[k]!.primaryKey)
  if (pks.length !== 1) {
    throw new Error(`Model ${name} must have exactly one primary key field, found ${pks.length}`)
  }
  const columns: Record<string, string> = {}
  for (const key of Object.keys(fields)) columns[key] = fields[key]!.dbColumn ?? snakeCase(key)
  if (Object.values(fields).filter((f) => f.version).length > 1) {
    throw new Error(`Model ${name} can have at most one Version field`)
  }
  const known = (key: string) => {
    const bare = key.startsWith("-") ? key.slice(1) : key
    if (!(bare in fields)) throw new Error(`Model ${name}: unknown field "${bare}" in options`)
  }
  options.ordering?.forEach(known)
  options.indexes?.forEach((index) => index.fields.forEach(known))
  options.constraints?.forEach((c) => c.kind === "unique" && c.fields.forEach(known))
  return {
    name,
    table: options.table ?? snakeCase(name),
    fields,
    columns: columns as Meta<F>["columns"],
    pk: pks[0] as keyof F & string,
    version: Object.keys(fields).find((k) => fields[k]!.version) as (keyof F & string) | undefined,
    ordering: options.ordering ?? [],
    indexes: options.indexes ?? [],
    constraints: options.constraints ?? []
  }
}

/**
 * Declares a model: `class Book extends Model.Class<Book>("Book")({ ...fields }, { ...options }) {}`.
 * @since 0.1.0
 */
export const Class = <Self>(name: string) =>
<const F extends Fields>(fields: F, options: Options<F> = {}): ModelClass<Self, F> => {
  const meta = makeMeta(name, fields, options)
  const schemaFields: Record<string, Schema.Schema.Any> = {}
  for (const key of Object.keys(fields)) schemaFields[key] = fields[key]!.schema as Schema.Schema.Any
  const Base = Schema.Class<any>(name)(schemaFields as Schema.Struct.Fields)
  const querySets = new WeakMap<object, unknown>()
  return class extends Base {
    static meta = meta
    static get objects() {
      // `this` is the user's subclass, so rows are built with its methods.
      let qs = querySets.get(this)
      if (qs === undefined) {
        qs = QuerySet.make(this as unknown as Any)
        querySets.set(this, qs)
      }
      return qs
    }
  } as any
}

/** The instance type of a model class. @since 0.1.0 */
export type Instance<M> = M extends new(...args: any) => infer I ? I : never
