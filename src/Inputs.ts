/**
 * What the writes take: `create`'s input (every column; a foreign key by key or by instance) and `update`'s. `create`
 * checks the object written as a whole, so that a missing foreign key is named by its key (`publisherId`) together
 * with the other missing fields, in one error. And the options of `bulkCreate` and `stream`.
 *
 * @since 0.3.0
 */
import type * as Expr from "./Expr.js"
import type * as ExprType from "./ExprType.js"
import type * as Field from "./Field.js"
import type * as Relation from "./Relation.js"

type Columns<F> = Relation.Columns<F>

type UnionToIntersection<U> = (U extends any ? (_: U) => void : never) extends (_: infer I) => void ? I : never

type OptionalKeys<C> = { [K in keyof C]: C[K] extends Field.Field<any, any, true, any> ? K : never }[keyof C]

/**
 * What `create` takes: every column (a foreign key as `publisherId`), optional where the field has a default, is
 * generated or is nullable.
 * @since 0.1.0
 */
export type CreateInput<F, C = Columns<F>> =
  & { readonly [K in Exclude<keyof C, OptionalKeys<C> | KeyColumns<F>>]: Field.Type<C[K]> }
  & { readonly [K in Exclude<OptionalKeys<C>, KeyColumns<F>>]?: Field.Type<C[K]> }
  & PkInput<C>
  & ForeignKeyInput<F>

type PkField<C> = { [K in keyof C]: C[K] extends Field.Field<any, any, any, true> ? K : never }[keyof C]

/** `pk`, naming the primary key in writes as in filters (a FieldError when the field is given by name too). */
type PkInput<C> = "pk" extends keyof C ? unknown : { readonly pk?: Field.Type<C[PkField<C>]> }

type KeyColumns<F> = `${Relation.ForwardKeys<F>}Id`

/** Each foreign key given by key (`publisherId: 1`) or by instance (`publisher: p`). */
type ForeignKeyInput<F, Keys = Relation.ForwardKeys<F>> = [Keys] extends [never] ? unknown
  : KeyOrInstance<F, LastOf<Keys>> & ForeignKeyInput<F, Exclude<Keys, LastOf<Keys>>>

type LastOf<U> = UnionToIntersection<U extends any ? () => U : never> extends () => infer R ? R : never

type KeyOrInstance<F, K> = K extends Relation.ForwardKeys<F>
  ? Relation.KeyField<F[K]> extends Field.Field<infer V, any, infer Opt, any> ? Opt extends true ?
        & { readonly [P in `${K}Id`]?: V }
        & { readonly [P in K]?: Relation.Target<F[K]> | Extract<V, null> }
    :
      | ({ readonly [P in `${K}Id`]: V } & { readonly [P in K]?: undefined })
      | ({ readonly [P in K]: Relation.Target<F[K]> } & { readonly [P in `${K}Id`]?: undefined })
  : never
  : never

/**
 * What `update` takes: values or expressions (`F("pages").add(1)`) for some columns; a foreign key by key or
 * instance.
 * @since 0.1.0
 */
export type UpdateInput<F, C = Columns<F>> =
  & { readonly [K in keyof C]?: Field.Type<C[K]> | Expr.Expr<unknown, keyof C & string> }
  & ("pk" extends keyof C ? unknown : { readonly pk?: Field.Type<C[PkField<C>]> | Expr.Expr<unknown, keyof C & string> })
  & { readonly [K in Relation.ForwardKeys<F>]?: Relation.Target<F[K]> | Extract<Field.Type<Relation.KeyField<F[K]>>, null> }

/** The foreign keys `create` needs (neither nullable nor defaulted). */
type RequiredForeignKeys<F> = {
  [K in Relation.ForwardKeys<F>]: Relation.KeyField<F[K]> extends Field.Field<any, any, false, any> ? K : never
}[Relation.ForwardKeys<F>]

/** The foreign keys named by key columns among `K` (`publisherId` → `publisher`). */
type KeyOwners<K> = K extends `${infer R}Id` ? R : never

/**
 * The key columns (`publisherId`) of the required foreign keys that `D` gives neither by key nor by instance. (`D`
 * is inferred from the names written: only its keys are read.)
 */
type MissingKeys<F, D> = `${Exclude<RequiredForeignKeys<F>, keyof D | KeyOwners<keyof D>>}Id`

/** The foreign keys `D` gives both by key and by instance. */
type GivenTwice<F, D> = Extract<Relation.ForwardKeys<F>, keyof D> & KeyOwners<keyof D>

/** The value of a key column, `publisherId`. */
type KeyValue<F, K> = K extends `${infer R}Id` ? R extends keyof F ? Field.Type<Relation.KeyField<F[R]>> : never : never

/** The value each name `create` knows takes: columns, `pk`, and foreign keys by instance. */
type Known<F, C = Columns<F>> =
  & { readonly [K in keyof C]: Field.Type<C[K]> | (K extends RequiredColumns<F> | `${RequiredForeignKeys<F>}Id` ? never : undefined) }
  & { readonly pk: Field.Type<C[PkField<C>]> | undefined }
  & {
    readonly [K in Relation.ForwardKeys<F>]:
      | Relation.Target<F[K]>
      | Extract<KeyValue<F, `${K}Id`>, null>
      | (K extends RequiredForeignKeys<F> ? never : undefined)
  }

/** Columns `create` needs that are no foreign key's: neither optional, generated nor versioned. */
type RequiredColumns<F, C = Columns<F>> = Exclude<keyof C, OptionalKeys<C> | KeyColumns<F>> & string

/** The required columns `D` leaves out (the primary key may be given as `pk`), and the missing foreign keys. */
type Missing<F, D> =
  | Exclude<RequiredColumns<F>, keyof D | ("pk" extends keyof D ? PkField<Columns<F>> : never)>
  | MissingKeys<F, D>

/**
 * What `create(data)` checks each name of `data` (of type `D`) against, on the model whose instances are `T`: the
 * value its column or relation takes; a foreign key given both by key and by instance takes only one; a name that is
 * no field takes nothing. `create` checks `data` against `CreateInput` first, which costs the compiler less, and
 * against this (with `CreateMissing`) only when that fails, for the error.
 * @since 0.3.0
 */
export type CreateCheck<T, D> = {
  readonly [K in keyof D]: K extends GivenTwice<Relation.FieldsOf<T>, D> ? undefined
    : K extends keyof Known<Relation.FieldsOf<T>> ? Known<Relation.FieldsOf<T>>[K]
    : never
}

/**
 * What `create(data)` misses on the model whose instances are `T`: one property per required field `data` leaves
 * out, a foreign key by its key's name (`publisherId`; giving the instance, `publisher`, does too), so that one
 * error lists them all.
 * @since 0.3.0
 */
export type CreateMissing<T, D> = {
  readonly [K in Missing<Relation.FieldsOf<T>, D>]: K extends keyof Known<Relation.FieldsOf<T>> ? Known<Relation.FieldsOf<T>>[K] : never
}

/** `update`'s values checked: each expression must compute a value of its field's type, and each key be a field. @since 0.3.0 */
export type CheckUpdate<F, U> = {
  readonly [K in keyof U]: K extends keyof UpdateInput<F> ? U[K] extends Expr.Any ? (
      Expr.HasAggregate<ExprType.DescriptionOf<U[K]>> extends true ? ExprType.ExprError<"an update cannot assign an aggregate: annotate, then read it with a Subquery">
        : ExprType.TypeOf<F, ExprType.DescriptionOf<U[K]>> extends ExprType.Invalid<infer M> ? ExprType.ExprError<M>
        : 0 extends 1 & ExprType.ValueOf<F, U[K]> ? unknown
        : ExprType.ValueOf<F, U[K]> extends Field.Type<Relation.Columns<F>[K & keyof Relation.Columns<F>]> ? unknown
        : ExprType.ExprError<`the expression's value does not fit the field ${K & string}`>
    )
    : unknown
    : ExprType.ExprError<`${K & string} is not a field of the model`>
}

/** Options of `bulkCreate`. @since 0.3.0 */
export interface BulkCreateOptions<F> {
  /**
   * Rows per INSERT; all in one by default (as one array per column). Rows that leave a column to its default go as
   * a VALUES list, split to stay within PostgreSQL's 65,535 parameters.
   */
  readonly batchSize?: number
  /** Skip the rows that break a unique constraint. */
  readonly ignoreConflicts?: boolean
  /** Update the conflicting row's `updateFields` instead (PostgreSQL `ON CONFLICT (uniqueFields) DO UPDATE`). */
  readonly updateConflicts?: {
    readonly uniqueFields: ReadonlyArray<keyof Relation.Columns<F> & string>
    readonly updateFields: ReadonlyArray<keyof Relation.Columns<F> & string>
  }
}

/** Options of `stream`. @since 0.3.0 */
export interface StreamOptions {
  /**
   * Rows per fetch of the SQL cursor a stream reads inside a transaction, and per round of `prefetchRelated`
   * queries (1,000 by default). Outside a transaction the server driver reads the result in one round trip, with
   * backpressure, whatever the size.
   */
  readonly chunkSize?: number
}
