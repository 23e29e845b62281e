/**
 * Relation fields: `ForeignKey`, `OneToOne`, `ManyToMany` and the declared reverse side `Reverse`. They reference
 * their target lazily (`() => Publisher`), so models may refer to each other in any order and in cycles.
 *
 * In a cycle (a self-reference, or models naming each other), TypeScript needs one thunk per cycle annotated with
 * the target: `Field.ForeignKey((): Model.Ref<Category> => Category, ...)` (see `Ref` for a primary key that is not a
 * number).
 *
 * @since 0.1.0
 */
import type * as Field from "./Field.js"
import type * as Model from "./Model.js"

/** What happens to rows that reference a deleted row, with Django's semantics. @since 0.1.0 */
export type OnDelete = "CASCADE" | "PROTECT" | "RESTRICT" | "SET_NULL" | "SET_DEFAULT" | "DO_NOTHING"

/** @since 0.1.0 */
export const TypeId: unique symbol = Symbol.for("effect-orm/Relation")
/** @since 0.1.0 */
export type TypeId = typeof TypeId

/** @since 0.1.0 */
export declare const KeyTypeId: unique symbol

/** @since 0.3.0 */
export declare const NumberKeyId: unique symbol

/**
 * The key type `Ref<T>` stands for when none is given: a number, the type of an `AutoField` primary key (Django's
 * default, and this ORM's).
 * @since 0.3.0
 */
export interface NumberKey {
  readonly [NumberKeyId]: "NumberKey"
}

/**
 * Where `Ref<T>` names a model whose primary key is not a number: the key's type, to give as `Ref<T, K>`.
 * @since 0.3.0
 */
export interface RefNeedsKeyType<K> {
  readonly "the primary key is not a number: write Model.Ref<Target, KeyType> with this KeyType": K
}

/** `Ref<T>` (the key type left out) is for a target with a number primary key; an unannotated thunk infers `K`. */
type KeyCheck<T, K> = 0 extends 1 & K ? unknown
  : [K] extends [NumberKey] ? [PkOf<T>] extends [number] ? unknown : RefNeedsKeyType<PkOf<T>>
  : unknown

/**
 * A model class known by its instance type: the annotation that lets models reference each other in cycles. Annotate
 * one thunk per cycle (a self-reference, two or more models naming each other): `(): Model.Ref<Book> => Book`. It
 * tells TypeScript the target and the type of its primary key without reading the target's declaration (which is
 * not finished yet in a cycle): a number by default, as with an `AutoField`; another type is given as the second
 * parameter, `(): Model.Ref<Tag, string> => Tag`, and a wrong one is a compile error on the annotation.
 * @since 0.1.0
 */
export interface Ref<T, K = NumberKey> {
  new(props: any, options?: any): T
  readonly meta: Model.Meta<any> & KeyCheck<T, K>
  readonly [KeyTypeId]?: K
}

/**
 * A foreign key (many-to-one) or one-to-one relation to `T`. The model's instances hold the raw key as a scalar
 * named after the field plus `Id` (`publisher` → `publisherId`, column `publisher_id`); the related instance itself is
 * there only after `selectRelated` or `prefetchRelated`.
 * @since 0.1.0
 */
export interface ForeignKey<
  T,
  Null extends boolean = boolean,
  Opt extends boolean = boolean,
  One extends boolean = boolean,
  K = unknown
> {
  readonly [TypeId]: { readonly _T: (_: T) => T; readonly _Null: Null; readonly _Opt: Opt; readonly _One: One; readonly _K: K }
  readonly kind: "ForeignKey" | "OneToOne"
  readonly target: () => Model.Any
  readonly onDelete: OnDelete
  /** The name of the reverse relation on the target; defaults to `<model>Set` (one-to-one: `<model>`). */
  readonly relatedName: string | undefined
  readonly nullable: boolean
  readonly dbColumn: string | undefined
  readonly default: unknown
  readonly hasDefault: boolean
}

/** A many-to-many relation to `T`, through an automatic join table or an explicit `through` model. @since 0.1.0 */
export interface ManyToMany<T> {
  readonly [TypeId]: { readonly _T: (_: T) => T }
  readonly kind: "ManyToMany"
  readonly target: () => Model.Any
  readonly relatedName: string | undefined
  /** The join model, when it carries extra columns; otherwise a join table `<table>_<field>` is made. */
  readonly through: (() => Model.Any) | undefined
  /** The join model's foreign keys to this model and to the target, when it has several to the same model. */
  readonly throughFields: readonly [string, string] | undefined
  /** The automatic join table's name. */
  readonly dbTable: string | undefined
}

/**
 * The reverse side of a `ForeignKey`, `OneToOne` or `ManyToMany` declared on `T`: `books: Field.Reverse(() => Book,
 * "publisher")`. Declaring it types reverse lookups, `prefetchRelated` and `related` on this model.
 * @since 0.1.0
 */
export interface Reverse<T, K extends string = string> {
  readonly [TypeId]: { readonly _T: (_: T) => T; readonly _K: K }
  readonly kind: "Reverse"
  readonly target: () => Model.Any
  readonly field: K
}

/** Any relation field. @since 0.1.0 */
export type Any = ForeignKey<any, boolean, boolean, boolean, any> | ManyToMany<any> | Reverse<any, string>

/** @since 0.1.0 */
export const isRelation = (u: unknown): u is Any => typeof u === "object" && u !== null && TypeId in u

/** Options of `ForeignKey` and `OneToOne`. @since 0.1.0 */
export interface ForeignKeyOptions {
  readonly onDelete: OnDelete
  readonly relatedName?: string
  /** The column accepts NULL (needed by `SET_NULL`). */
  readonly nullable?: boolean
  /** The column name; defaults to the field name in snake_case plus `_id`. */
  readonly dbColumn?: string
  /** The key used by `create` when none is given (needed by `SET_DEFAULT`). */
  readonly default?: unknown
}

type IsNull<O> = O extends { readonly nullable: true } ? true : false
type IsOpt<O> = O extends { readonly default: any } ? true : IsNull<O>

const forward = (kind: "ForeignKey" | "OneToOne", target: () => Model.Any, options: ForeignKeyOptions): any => {
  if (options.onDelete === "SET_NULL" && options.nullable !== true) {
    throw new Error(`${kind} with onDelete SET_NULL must be nullable`)
  }
  if (options.onDelete === "SET_DEFAULT" && !("default" in options)) {
    throw new Error(`${kind} with onDelete SET_DEFAULT needs a default`)
  }
  return {
    [TypeId]: undefined,
    kind,
    target,
    onDelete: options.onDelete,
    relatedName: options.relatedName,
    nullable: options.nullable === true,
    dbColumn: options.dbColumn,
    default: options.default,
    hasDefault: "default" in options
  } satisfies Omit<ForeignKey<any>, TypeId> & { [TypeId]: undefined }
}

/** A many-to-one relation: `publisher: Field.ForeignKey(() => Publisher, { onDelete: "CASCADE" })`. @since 0.1.0 */
export const ForeignKey = <T, const O extends ForeignKeyOptions, K = unknown>(
  target: () => Ref<T, K>,
  options: O
): ForeignKey<T, IsNull<O>, IsOpt<O>, false, K> => forward("ForeignKey", target as () => Model.Any, options)

/** A one-to-one relation: a unique foreign key whose reverse side is a single row. @since 0.1.0 */
export const OneToOne = <T, const O extends ForeignKeyOptions, K = unknown>(
  target: () => Ref<T, K>,
  options: O
): ForeignKey<T, IsNull<O>, IsOpt<O>, true, K> => forward("OneToOne", target as () => Model.Any, options)

/** Options of `ManyToMany`. @since 0.1.0 */
export interface ManyToManyOptions {
  readonly relatedName?: string
  readonly through?: () => Model.Any
  readonly throughFields?: readonly [string, string]
  readonly dbTable?: string
}

/** A many-to-many relation: `authors: Field.ManyToMany(() => Author)`. @since 0.1.0 */
export const ManyToMany = <T>(target: () => Ref<T, any>, options: ManyToManyOptions = {}): ManyToMany<T> => ({
  [TypeId]: undefined as any,
  kind: "ManyToMany",
  target: target as () => Model.Any,
  relatedName: options.relatedName,
  through: options.through,
  throughFields: options.throughFields,
  dbTable: options.dbTable
})

/** The reverse side of `field` on `T`, declared on the target model. @since 0.1.0 */
export const Reverse = <T, const K extends string>(target: () => Ref<T, any>, field: K): Reverse<T, K> => ({
  [TypeId]: undefined as any,
  kind: "Reverse",
  target: target as () => Model.Any,
  field
})

// ---- types over a model's declared fields ----

/** The declared fields of a model instance type. @since 0.1.0 */
export type FieldsOf<T> = T extends { readonly [Model.FieldsTypeId]?: infer F } ? F : never

/** The target instance type of a relation field. @since 0.1.0 */
export type Target<R> = R extends { readonly [TypeId]: { readonly _T: (_: infer T) => any } } ? T : never

/** Keys of scalar fields. @since 0.1.0 */
export type ScalarKeys<F> = { [K in keyof F]: F[K] extends Field.Any ? K : never }[keyof F] & string
/** Keys of foreign keys and one-to-ones. @since 0.1.0 */
export type ForwardKeys<F> = { [K in keyof F]: F[K] extends ForeignKey<any, any, any, any> ? K : never }[keyof F] & string
/** Keys of every relation field. @since 0.1.0 */
export type RelationKeys<F> = { [K in keyof F]: F[K] extends Any ? K : never }[keyof F] & string

type PkKeyOf<F> = { [K in keyof F]: F[K] extends Field.Field<any, any, any, true> ? K : never }[keyof F]

/** The primary key field of a model's declared fields. @since 0.1.0 */
export type PkField<F> = F[PkKeyOf<F> & keyof F]

/** The primary key value of a model instance type. @since 0.1.0 */
export type PkOf<T> = Field.Type<PkField<FieldsOf<T>>>

/** The column field a foreign key adds (`publisherId`). @since 0.1.0 */
export type KeyField<R> = R extends ForeignKey<infer T, infer Null, infer Opt, any, infer Key>
  ? unknown extends Key ? PkField<FieldsOf<T>> extends Field.Field<infer V, infer K, any, any>
      ? Field.Field<Null extends true ? V | null : V, K, Opt, false>
    : never
  : Field.Field<Null extends true ? KeyValue<Key> | null : KeyValue<Key>, KindOf<KeyValue<Key>>, Opt, false>
  : never

/** The key type a `Ref` annotation gives: `number` for `Ref<T>`. */
type KeyValue<Key> = [Key] extends [NumberKey] ? number : Key

type KindOf<V> = V extends number ? "number" : V extends bigint ? "bigint" : V extends string ? "string" : Field.LookupKind

/** The columns of a model: its scalar fields and a `<name>Id` key per foreign key. @since 0.1.0 */
export type Columns<F> =
  & { readonly [K in ScalarKeys<F>]: F[K] }
  & { readonly [K in ForwardKeys<F> as `${K}Id`]: KeyField<F[K]> }

/** Whether a relation holds many rows (reverse foreign keys and many-to-many) or one. @since 0.1.0 */
export type IsMany<R> = R extends ManyToMany<any> ? true
  : R extends Reverse<infer T, infer K> ? (FieldsOf<T>[K & keyof FieldsOf<T>] extends ForeignKey<any, any, any, true> ? false : true)
  : false

/** Whether a single-valued relation may be absent (a nullable key, or a reverse one-to-one). @since 0.1.0 */
export type IsNullable<R> = R extends ForeignKey<any, infer Null, any, any> ? Null : true

/** Whether a relation is many-to-many (from either side), whose rows `add`, `remove`, `set` and `clear` link. @since 0.1.0 */
export type IsManyToMany<R> = R extends ManyToMany<any> ? true
  : R extends Reverse<infer T, infer K> ? (FieldsOf<T>[K & keyof FieldsOf<T>] extends ManyToMany<any> ? true : false)
  : false

type Prev = [never, 0, 1, 2, 3]
type Head<P> = P extends `${infer H}.${string}` ? H : P
type Tail<P, H extends string> = P extends `${H}.${infer T}` ? T : never
type Next<F, K extends keyof F> = FieldsOf<Target<F[K]>>

/** `V`, or `V | null` when the relation may be absent. @since 0.1.0 */
export type MaybeNull<R, V> = IsNullable<R> extends true ? V | null : V

/** Dotted paths to a column through relations (three relations deep): `"name"`, `"publisher.country.name"`.
 * @deprecated The union of every such path, which grows with the schema (past 100,000 members TypeScript refuses it,
 * TS2590); the QuerySet methods check the path written instead, with `Path.Check`.
 * @since 0.1.0
 */
export type FieldPath<F, D extends number = 3> =
  | (keyof Columns<F> & string)
  | "pk"
  | ([D] extends [never] ? never
    : { [K in RelationKeys<F>]: K | `${K}.${FieldPath<Next<F, K>, Prev[D]>}` }[RelationKeys<F>])

/** An ordering key: a field path, with `-` for descending.
 * @deprecated The union of every such path, which grows with the schema (past 100,000 members TypeScript refuses it,
 * TS2590); the QuerySet methods check the path written instead, with `Path.Check`.
 * @since 0.1.0
 */
export type OrderPath<F> = FieldPath<F> | `-${FieldPath<F>}`

/** The value at a field path; `null` is possible past a relation that may be absent or reaches many rows. @since 0.1.0 */
export type PathValue<F, P> = P extends keyof Columns<F> ? Field.Type<Columns<F>[P]>
  : P extends "pk" ? Field.Type<PkField<F>>
  : P extends `${infer H}.${infer R}` ? H extends RelationKeys<F> ? ManyOrNull<F[H], PathValue<Next<F, H>, R>> : never
  : P extends RelationKeys<F> ? ManyOrNull<F[P], PkOf<Target<F[P]>>>
  : never

type ManyOrNull<R, V> = IsMany<R> extends true ? V | null : MaybeNull<R, V>

type SingleKeys<F> = { [K in RelationKeys<F>]: IsMany<F[K]> extends true ? never : K }[RelationKeys<F>]

/** Paths of single-valued relations (three deep), which `selectRelated` joins: `"publisher"`, `"publisher.country"`.
 * @deprecated The union of every such path, which grows with the schema (past 100,000 members TypeScript refuses it,
 * TS2590); the QuerySet methods check the path written instead, with `Path.Check`.
 * @since 0.1.0
 */
export type SinglePath<F, D extends number = 3> = [D] extends [never] ? never
  : { [K in SingleKeys<F>]: K | `${K}.${SinglePath<Next<F, K>, Prev[D]>}` }[SingleKeys<F>]

/** What `selectRelated(...paths)` adds to a row: the related instances, nested. @since 0.1.0 */
export type Selected<F, P extends string> = {
  readonly [H in Head<P> & RelationKeys<F>]: MaybeNull<F[H], With<Target<F[H]>, Selected<Next<F, H>, Tail<P, H>>, Tail<P, H>>>
}

/** `T`, with what was loaded on it when anything was. */
type With<T, Extra, Tails> = [Tails] extends [never] ? T : T & Extra

/** Paths of relations (three deep), which `prefetchRelated` loads: `"books"`, `"books.authors"`.
 * @deprecated The union of every such path, which grows with the schema (past 100,000 members TypeScript refuses it,
 * TS2590); the QuerySet methods check the path written instead, with `Path.Check`.
 * @since 0.1.0
 */
export type RelationPath<F, D extends number = 3> = [D] extends [never] ? never
  : { [K in RelationKeys<F>]: K | `${K}.${RelationPath<Next<F, K>, Prev[D]>}` }[RelationKeys<F>]

/** What a loaded relation holds: an array of rows, or one row (or null). @since 0.1.0 */
export type Loaded<R, X> = IsMany<R> extends true ? ReadonlyArray<X> : MaybeNull<R, X>

/** What `prefetchRelated(...paths)` adds to a row: arrays (or single rows) of related instances, nested. @since 0.1.0 */
export type Prefetched<F, P extends string> = {
  readonly [H in Head<P> & RelationKeys<F>]: Loaded<F[H], With<Target<F[H]>, Prefetched<Next<F, H>, Tail<P, H>>, Tail<P, H>>>
}
