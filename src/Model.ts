/**
 * Models: a class declared once, whose fields are Schemas with column facts. A model is an Effect `Schema.Class`
 * (usable wherever a Schema is) with static `meta` (inspectable metadata) and `objects` (its base QuerySet).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type * as Expr from "./Expr.js"
import type * as Field from "./Field.js"
import { expressionProblem, indexLabel } from "./internal/indexExpressions.js"
import { identifierProblem, snakeCase } from "./internal/names.js"
import * as Registry from "./internal/registry.js"
import * as Relations from "./internal/relations.js"
import type { Filter } from "./Lookup.js"
import * as QuerySet from "./QuerySet.js"
import * as Relation from "./Relation.js"

/** The fields of a model: scalar fields and relation fields. @since 0.1.0 */
export type Fields = { readonly [key: string]: Field.Any | Relation.Any }

/** The scalar fields of a model (its columns). @since 0.1.0 */
export type ColumnFields = { readonly [key: string]: Field.Any }

/** Carries a model's declared fields on its instance type, so relations can reach them from `Ref<Instance>`. @since 0.1.0 */
export declare const FieldsTypeId: unique symbol

/**
 * A model class known by its instance type: annotate one thunk per cycle with it, `(): Model.Ref<Book> => Book`; for
 * a primary key that is not a number, give its type too, `Model.Ref<Tag, string>` (see `Relation.Ref`).
 * @since 0.1.0
 */
export type Ref<T, K = Relation.NumberKey> = Relation.Ref<T, K>

/** The columns of a model's declared fields (`Relation.Columns`). @since 0.1.0 */
export type Columns<F> = Relation.Columns<F>

/** An ordering key: a field name, with `-` for descending. @since 0.1.0 */
export type OrderKey<F> = (keyof F & string) | `-${keyof F & string}`

/**
 * PostgreSQL's index methods: `btree` (the default: equality, ranges, ordering, unique), `gin` (containment and keys
 * of JSON fields: `contains`, `hasKey`), `gist`, `hash` (equality), `brin` (ranges over large ordered tables).
 * @since 0.3.0
 */
export type IndexMethod = "btree" | "gin" | "gist" | "hash" | "brin"

/** What every index takes, over columns or over expressions. @since 0.3.0 */
export interface IndexOptions<F> {
  /** Unique; only a `btree` index can be. */
  readonly unique?: boolean
  /** The index method; `btree` when left out. @since 0.3.0 */
  readonly using?: IndexMethod
  /**
   * The operator class of every column (or expression) of the index, where the type's default one will not do: for a
   * GIN index of a JSON field, `"jsonb_path_ops"` (smaller and faster for `contains`, without the key lookups).
   * @since 0.3.0
   */
  readonly opclass?: string
  /**
   * A partial index: only the rows this filter matches are indexed (Django's `condition`), as in
   * `where: { published: true }`. Its values are written into the DDL as escaped literals; it reads the model's own
   * columns (no relations). A query uses the index when PostgreSQL can prove that its filter implies this one.
   * @since 0.3.0
   */
  readonly where?: Filter<F>
}

/** An index over one or more columns. @since 0.1.0 */
export interface FieldsIndex<F> extends IndexOptions<F> {
  /** Descending (`"-pages"`) only in a `btree` index. */
  readonly fields: ReadonlyArray<OrderKey<F>>
  readonly name?: string
  readonly expressions?: undefined
}

/**
 * An index over expressions, as Django's `Index(Lower("title"), name=...)`: `{ name: "book_title_lower", expressions:
 * [Lower("title")] }`. Each expression reads the model's own fields (`F`, `Value`, database functions and
 * arithmetic; no relations, aggregates, windows or subqueries, and only functions PostgreSQL declares IMMUTABLE);
 * it is checked when the model is defined. A query uses the index when it filters on the same expression
 * (`alias({ t: Lower("title") }).filter({ t: "abc" })`). The name is required, as in Django.
 * @since 0.3.0
 */
export interface ExpressionIndex<F> extends IndexOptions<F> {
  readonly expressions: ReadonlyArray<Expr.Expr<unknown, (keyof F & string) | "pk">>
  readonly name: string
  readonly fields?: undefined
}

/** An index over columns (`fields`) or over expressions (`expressions`). @since 0.1.0 */
export type Index<F> = FieldsIndex<F> | ExpressionIndex<F>

const indexMethods: ReadonlyArray<string> = ["btree", "gin", "gist", "hash", "brin"]

/** A table constraint: unique over several fields, or a check written as a filter. @since 0.1.0 */
export type Constraint<F> =
  | { readonly kind: "unique"; readonly fields: ReadonlyArray<keyof F & string>; readonly name: string }
  | { readonly kind: "check"; readonly check: Filter<F>; readonly name: string }

/** Options of a model, over its columns `F`. @since 0.1.0 */
export interface Options<F> {
  /** The table name; defaults to the model name in snake_case. */
  readonly table?: string
  /** The default ordering of querysets. */
  readonly ordering?: ReadonlyArray<OrderKey<F>>
  readonly indexes?: ReadonlyArray<Index<F>>
  readonly constraints?: ReadonlyArray<Constraint<F>>
}

/**
 * Inspectable metadata of a model, read by the compiler, `Tables.create` and migrations. `fields` are the columns
 * (a foreign key `publisher` appears as its key column `publisherId`); `relations` the relation fields.
 * @since 0.1.0
 */
export interface Meta<F extends ColumnFields = ColumnFields> {
  readonly name: string
  readonly table: string
  readonly fields: F
  readonly relations: { readonly [key: string]: Relation.Any }
  /** Field name to column name. */
  readonly columns: { readonly [K in keyof F]: string }
  readonly pk: keyof F & string
  /** The optimistic-concurrency version field, if any. */
  readonly version: (keyof F & string) | undefined
  readonly ordering: ReadonlyArray<OrderKey<F>>
  readonly indexes: ReadonlyArray<Index<F>>
  readonly constraints: ReadonlyArray<Constraint<F>>
}

/**
 * The Schema of one column as the model's Schema sees it: a value of type `T`, written `E` in JSON, required (the
 * phantom members type the model's constructor).
 * @since 0.2.0
 */
export interface FieldSchema<T, E = unknown> extends Schema.Codec<T, E> {
  readonly "~type.make": T
  readonly "~type.make.in": T
  readonly "~type.optionality": "required"
  readonly "~type.mutability": "readonly"
  readonly "~type.constructor.default": "no-default"
  readonly "~encoded.optionality": "required"
  readonly "~encoded.mutability": "readonly"
}

/** A column a create or update input may leave out. @since 0.2.0 */
export interface OptionalFieldSchema<T, E = unknown> extends Schema.Codec<T, E> {
  readonly "~type.make": T
  readonly "~type.make.in": T
  readonly "~type.optionality": "optional"
  readonly "~type.mutability": "readonly"
  readonly "~type.constructor.default": "no-default"
  readonly "~encoded.optionality": "optional"
  readonly "~encoded.mutability": "readonly"
}

/** The Schema fields of a model's instances: one per column. @since 0.1.0 */
export type SchemaFields<F extends Fields> = {
  readonly [K in keyof Relation.Columns<F>]: FieldSchema<Field.Type<Relation.Columns<F>[K]>, Field.Encoded<Relation.Columns<F>[K]>>
}

/** A model class. @since 0.1.0 */
export interface ModelClass<Self, F extends Fields>
  extends Schema.Class<Self, Schema.Struct<SchemaFields<F>>, { readonly [FieldsTypeId]?: F }>
{
  readonly meta: Meta<Relation.Columns<F>>
  /** The base QuerySet over every row of the model. */
  readonly objects: QuerySet.QuerySet<F, Self>
}

/** Any model class. @since 0.1.0 */
export interface Any {
  readonly meta: Meta<any>
  new(props: any, options?: any): any
}

export {
  /** `BookAuthor` → `book_author`. @since 0.1.0 */
  snakeCase
}

const makeMeta = (name: string, declared: Fields, options: Options<any>): Meta<ColumnFields> => {
  const fields: Record<string, Field.Any> = {}
  const relations: Record<string, Relation.Any> = {}
  for (const [key, field] of Object.entries(declared)) {
    if (!Relation.isRelation(field)) {
      fields[key] = field
      continue
    }
    relations[key] = field
    if (field.kind === "ForeignKey" || field.kind === "OneToOne") {
      if (`${key}Id` in declared) throw new Error(`Model ${name}: field ${key}Id clashes with the key of relation ${key}`)
      fields[`${key}Id`] = Relations.keyField(key, field)
    }
  }
  const pks = Object.keys(fields).filter((k) => fields[k]!.primaryKey)
  if (pks.length !== 1) {
    throw new Error(`Model ${name} must have exactly one primary key field, found ${pks.length}`)
  }
  if ("pk" in fields && pks[0] !== "pk") throw new Error(`Model ${name}: "pk" names the primary key; only the primary key field may be called pk`)
  const columns: Record<string, string> = {}
  for (const key of Object.keys(fields)) columns[key] = fields[key]!.dbColumn ?? snakeCase(key)
  // PostgreSQL truncates longer names silently: a column would read back under another name, a constraint clash.
  const identifier = (what: string, value: string, hint: string) => {
    const problem = identifierProblem(value)
    if (problem !== undefined) throw new Error(`Model ${name}: the ${what} "${value}" ${problem}; ${hint}`)
  }
  identifier("table name", options.table ?? snakeCase(name), "give a shorter `table` option")
  for (const key of Object.keys(fields)) {
    if (key.includes(".")) throw new Error(`Model ${name}: the field name "${key}" contains ".", which separates relation paths`)
    identifier(`column name of ${key}`, columns[key]!, "give the field a shorter `dbColumn`")
  }
  options.constraints?.forEach((c) => identifier("constraint name", c.name, "give it a shorter name"))
  options.indexes?.forEach((index) => {
    if (index.name !== undefined) identifier("index name", index.name, "give it a shorter name")
    const what = indexLabel(index)
    const bad = (problem: string): never => {
      throw new Error(`Model ${name}: ${what} ${problem}`)
    }
    const using = index.using ?? "btree"
    if (!indexMethods.includes(using)) bad(`uses "${using}"; the methods are ${indexMethods.join(", ")}`)
    // Written into DDL, which takes no parameters: a plain name only.
    if (index.opclass !== undefined && !/^[a-z_][a-z0-9_]*$/.test(index.opclass)) {
      bad(`has the operator class "${index.opclass}"; an operator class is a lower-case name`)
    }
    if (using !== "btree" && index.unique === true) bad("is unique, which only a btree index can be")
    if ((index.fields === undefined) === (index.expressions === undefined)) bad("takes either fields or expressions (exactly one of the two)")
    if (index.expressions !== undefined) {
      if (index.name === undefined) bad("needs a name (as in Django): { name, expressions }")
      if (!Array.isArray(index.expressions) || index.expressions.length === 0) bad("has no expressions")
      // The stand-in reads only the metadata: relations' targets may not be defined yet.
      const model = { meta: { name, fields, relations, columns, pk: pks[0]! } } as unknown as Any
      index.expressions.forEach((expr, i) => {
        const problem = expressionProblem(model, expr)
        if (problem !== undefined) bad(`cannot hold expression ${i + 1}: ${problem}`)
      })
    } else if (using !== "btree" && index.fields!.some((f) => f.startsWith("-"))) {
      bad("orders a field descending, which only a btree index can")
    }
  })
  if (Object.values(fields).filter((f) => f.version).length > 1) {
    throw new Error(`Model ${name} can have at most one Version field`)
  }
  const known = (key: string) => {
    const bare = key.startsWith("-") ? key.slice(1) : key
    if (!(bare in fields)) throw new Error(`Model ${name}: unknown field "${bare}" in options`)
  }
  options.ordering?.forEach(known)
  options.indexes?.forEach((index) => index.fields?.forEach(known))
  options.constraints?.forEach((c) => c.kind === "unique" && c.fields.forEach(known))
  return {
    name,
    table: options.table ?? snakeCase(name),
    fields,
    relations,
    columns,
    pk: pks[0]!,
    version: Object.keys(fields).find((k) => fields[k]!.version),
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
<const F extends Fields>(fields: F, options: Options<NoInfer<Relation.Columns<F>>> = {}): ModelClass<Self, F> => {
  const meta = makeMeta(name, fields, options)
  const schemaFields: Record<string, Schema.Top> = {}
  for (const key of Object.keys(meta.fields)) schemaFields[key] = meta.fields[key]!.schema
  const model = Schema.Class<any>(name)(schemaFields)
  // The statics go on the Schema class itself, not on a class in between: Effect memoises the class schema on the
  // first class that reads it, which must be the user's subclass (so decoding builds instances with its methods).
  const querySets = new WeakMap<object, unknown>()
  Object.defineProperty(model, "meta", { value: meta, enumerable: true })
  Object.defineProperty(model, "objects", {
    get(this: Any) {
      // `this` is the user's subclass, so rows are built with its methods.
      let qs = querySets.get(this)
      if (qs === undefined) {
        Registry.register(this)
        qs = QuerySet.make(this)
        querySets.set(this, qs)
      }
      return qs
    }
  })
  Registry.define(model as unknown as Any)
  return model as any
}

// The registry builds the automatic join models of many-to-many fields with `Class`: handed in here, since the
// registry cannot import this module.
Registry.setModelFactory(Class)

type Cols<M> = M extends { readonly objects: QuerySet.QuerySet<infer F, any, any> } ? Relation.Columns<F> : never

/** Columns a create input leaves out: keys the database generates, and the version counter. */
type Excluded<C> = { [K in keyof C]: C[K] extends Field.Generated | Field.Versioned ? K : never }[keyof C]

type OptionalIn<C> = { [K in keyof C]: C[K] extends Field.Field<any, any, true, any, any> ? K : never }[keyof C]

type PkOf<C> = { [K in keyof C]: C[K] extends Field.Field<any, any, any, true, any> ? K : never }[keyof C]

/** The fields of `createInput(model)`. @since 0.2.0 */
export type CreateInputFields<C> =
  & { readonly [K in Exclude<keyof C, Excluded<C> | OptionalIn<C>>]: FieldSchema<Field.Type<C[K]>, Field.Encoded<C[K]>> }
  & { readonly [K in Exclude<OptionalIn<C>, Excluded<C>>]: OptionalFieldSchema<Field.Type<C[K]>, Field.Encoded<C[K]>> }

/** The fields of `updateInput(model)`. @since 0.2.0 */
export type UpdateInputFields<C> = {
  readonly [K in Exclude<keyof C, Excluded<C> | PkOf<C>>]: OptionalFieldSchema<Field.Type<C[K]>, Field.Encoded<C[K]>>
}

const inputSchema = (model: Any, include: (field: Field.Any, key: string) => "required" | "optional" | "omit") => {
  const fields: Record<string, Schema.Top> = {}
  for (const [key, field] of Object.entries(model.meta.fields as Record<string, Field.Any>)) {
    const how = field.generated || field.version ? "omit" : include(field, key)
    if (how !== "omit") fields[key] = how === "optional" ? Schema.optionalKey(field.schema) : field.schema
  }
  return Schema.Struct(fields)
}

/**
 * The Schema of a create request's body (JSON-safe, like the model's): every column `create` takes, required unless it
 * has a default or is nullable, foreign keys by key (`publisherId`), without the keys the database generates and the
 * version counter. Its decoded value can be given to `Model.objects.create`. Keys it does not know are dropped.
 * @since 0.2.0
 */
export const createInput = <M extends Any & { readonly objects: QuerySet.QuerySet<any, any, any> }>(
  model: M
): Schema.Struct<CreateInputFields<Cols<M>>> =>
  inputSchema(model, (field) => field.hasDefault || field.nullable ? "optional" : "required") as any

/**
 * The Schema of an update request's body: every writable column, all optional, without the primary key (nor the
 * generated keys and the version counter). Its decoded value can be given to a QuerySet's `update`.
 * @since 0.2.0
 */
export const updateInput = <M extends Any & { readonly objects: QuerySet.QuerySet<any, any, any> }>(
  model: M
): Schema.Struct<UpdateInputFields<Cols<M>>> =>
  inputSchema(model, (field) => field.primaryKey ? "omit" : "optional") as any

/** The instance type of a model class. @since 0.1.0 */
export type Instance<M> = M extends new(...args: any) => infer I ? I : never
