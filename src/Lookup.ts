/**
 * Lookups: the typed filter language. A filter is a nested object whose keys are field names and whose values are
 * either a value (exact match, `null` meaning IS NULL) or an object of lookups: `{ pages: { gt: 500 } }`,
 * `{ pubdate: { year: { gte: 2008 } } }`. `Q.and`, `Q.or` and `Q.not` combine filters.
 *
 * @since 0.1.0
 */
import type { Arith, Call, Expr, Lit, Outer, Ref, TypeId as ExprTypeId } from "./Expr.js"
import type { Source } from "./Subqueries.js"
import type * as Field from "./Field.js"
import type { JsonFilter } from "./JsonLookup.js"
import type * as Model from "./Model.js"
import type * as Relation from "./Relation.js"

type NN<T> = Exclude<T, null>

/**
 * Lookups every scalar field has. `Keys` are the model's field names, which `F(...)` expressions may refer to
 * (`{ pages: { gt: F("chapters") } }`).
 * @since 0.1.0
 */
export interface Comparable<V, Keys extends string = never, Same extends string = Keys> {
  /** Equal; `null` (on nullable fields) means IS NULL. */
  readonly exact?: V | Operand<Keys, Same>
  /** One of; an empty list matches nothing. A one-column QuerySet (or `Subquery`) is `IN (SELECT ...)`. */
  readonly in?: ReadonlyArray<NN<V> | Operand<Keys, Same>> | Source<V | null | { readonly [k: string]: V | null }> | Expr<unknown, never>
  readonly gt?: NN<V> | Operand<Keys, Same>
  readonly gte?: NN<V> | Operand<Keys, Same>
  readonly lt?: NN<V> | Operand<Keys, Same>
  readonly lte?: NN<V> | Operand<Keys, Same>
  /** Between, inclusive. */
  readonly range?: readonly [NN<V> | Operand<Keys, Same>, NN<V> | Operand<Keys, Same>]
  readonly isNull?: boolean
}

/** Lookups of text fields. @since 0.1.0 */
export interface TextLookups<V, Keys extends string = never, Same extends string = Keys> extends Comparable<V, Keys, Same> {
  readonly iexact?: string
  readonly contains?: string
  readonly icontains?: string
  readonly startsWith?: string
  readonly iStartsWith?: string
  readonly endsWith?: string
  readonly iEndsWith?: string
  /** POSIX regular expression (PostgreSQL `~`). */
  readonly regex?: string
  readonly iregex?: string
}

/** A date or time part compared as a number: `{ year: 2008 }` or `{ year: { gte: 2008 } }`. @since 0.1.0 */
export type PartFilter = number | Comparable<number>

/** Lookups of date fields. @since 0.1.0 */
export interface DateLookups<V, Keys extends string = never, Same extends string = Keys> extends Comparable<V, Keys, Same> {
  readonly year?: PartFilter
  readonly month?: PartFilter
  readonly day?: PartFilter
  /** 1 (Sunday) to 7 (Saturday), as Django's `week_day`. */
  readonly weekDay?: PartFilter
}

/** Lookups of time fields. @since 0.1.0 */
export interface TimeLookups<V, Keys extends string = never, Same extends string = Keys> extends Comparable<V, Keys, Same> {
  readonly hour?: PartFilter
  readonly minute?: PartFilter
  readonly second?: PartFilter
}

/** Lookups of timestamp fields; parts are taken in UTC. @since 0.1.0 */
export interface DateTimeLookups<V, Keys extends string = never, Same extends string = Keys> extends DateLookups<V, Keys, Same>, TimeLookups<V, Keys, Same> {
  /** The UTC calendar date, as `YYYY-MM-DD`. */
  readonly date?: string | DateLookups<string>
}

/**
 * The `exact` and `isNull` lookups of a JSON field's whole value; its filters take more (`JsonLookup.JsonFilter`:
 * paths, containment, keys).
 * @since 0.1.0
 */
export interface JsonLookups<V> {
  readonly exact?: V
  readonly isNull?: boolean
}

/**
 * The lookups of one field, named: an error about an unknown lookup prints this type, and so lists the lookups of
 * the field's kind (`Lookups<"exact" | "in" | "gt" | ..., Comparable<number>>`).
 * @since 0.3.0
 */
export type Lookups<Names extends string, L> = { readonly [K in Names & keyof L]?: L[K] }

/** The lookups object a field accepts. @since 0.1.0 */
export type LookupsOf<F, Keys extends string = never, Same extends string = Keys> = F extends Field.Field<infer T, infer K, any, any> ? (
    K extends "string" ? Lookups<
        | "exact" | "iexact" | "contains" | "icontains" | "in" | "gt" | "gte" | "lt" | "lte" | "startsWith"
        | "iStartsWith" | "endsWith" | "iEndsWith" | "range" | "isNull" | "regex" | "iregex",
        TextLookups<T, Keys, Same>
      >
      : K extends "date" ? Lookups<
          "exact" | "in" | "gt" | "gte" | "lt" | "lte" | "range" | "isNull" | "year" | "month" | "day" | "weekDay",
          DateLookups<T, Keys, Same>
        >
      : K extends "datetime" ? Lookups<
          | "exact" | "in" | "gt" | "gte" | "lt" | "lte" | "range" | "isNull" | "date" | "year" | "month" | "day"
          | "weekDay" | "hour" | "minute" | "second",
          DateTimeLookups<T, Keys, Same>
        >
      : K extends "time" ? Lookups<
          "exact" | "in" | "gt" | "gte" | "lt" | "lte" | "range" | "isNull" | "hour" | "minute" | "second",
          TimeLookups<T, Keys, Same>
        >
      : K extends "json" ? (F extends Field.Field<any, any, any, any, infer E> ? JsonFilter<T, E> : never)
      : Lookups<"exact" | "in" | "gt" | "gte" | "lt" | "lte" | "range" | "isNull", Comparable<T, Keys, Same>>
  )
  : never

/** What a filter accepts for one field: a value, or lookups. JSON fields take lookups only. @since 0.1.0 */
export type FieldFilter<F, Keys extends string = never, Same extends string = Keys> = F extends Field.Field<infer T, infer K, any, any>
  ? K extends "json" ? LookupsOf<F> : T | Operand<Keys, Same> | LookupsOf<F, Keys, Same>
  : never

/**
 * An expression a field is compared with: one over the fields `Keys` (`string`: any, checked when the query runs),
 * never a bare reference to a field of another kind (`{ pages: F("title") }`): `Same` are the fields a bare `F` may
 * name.
 * @since 0.3.0
 */
export type Operand<Keys extends string, Same extends string = Keys> = [Keys] extends [never] ? never
  : string extends Keys ? Expr<unknown, string>
  : Expr<Ref<Same> | Arith<any, any, any> | Call<any, any, any, any, false> | Lit<any, any> | Outer<any>, Keys>

type KindGroup<K> = K extends "number" | "bigint" | "decimal" ? "numeric" : K extends "date" | "datetime" ? "temporal" : K
type KindOfField<Fd> = Fd extends Field.Field<any, infer K, any, any> ? K : never

/** The columns of `C` whose values compare with those of the field `Fd` (numbers with numbers, dates with timestamps). */
type SameKind<C, Fd> = { [K in keyof C]: KindGroup<KindOfField<C[K]>> extends KindGroup<KindOfField<Fd>> ? K : never }[keyof C] & string

type PkKey<F> = { [K in keyof F]: F[K] extends Field.Field<any, any, any, true> ? K : never }[keyof F]

/** A filter over a model's columns; `pk` names the primary key. @since 0.1.0 */
export type ColumnFilter<C, Keys extends string = keyof C & string> =
  & { readonly [K in keyof C]?: FieldFilter<C[K], Keys, SameKind<C, C[K]> | Exclude<Keys, keyof C> | `${string}.${string}`> }
  & { readonly pk?: FieldFilter<C[PkKey<C>], Keys, SameKind<C, C[PkKey<C>]> | Exclude<Keys, keyof C> | `${string}.${string}`> }

/**
 * What a filter accepts for a relation: a key or an instance of the target (equality), `null` (no related row), or a
 * filter of the target's fields, to any depth, with `isNull` and `in` (keys or instances).
 * @since 0.1.0
 */
export type RelationFilter<R> = Relation.Target<R> extends infer T ?
    | Relation.PkOf<T>
    | T
    | (R extends Relation.ForeignKey<any, false, any, any> ? never : null)
    | RelatedFilter<T>
  : never

/**
 * A filter of the related model whose instances are `T`, inside a relation's filter (errors print it under the
 * model's name: `RelatedFilter<Publisher>`), with `isNull` and `in`.
 * @since 0.3.0
 */
export type RelatedFilter<T> =
  // `F(...)` inside names the query's own fields (as in Django), which this level does not know: checked when it runs.
  & Filter<Relation.FieldsOf<T>, string>
  // The symbol keeps instances of other models (structurally alike) from passing as filters.
  & {
    readonly isNull?: boolean
    readonly in?: ReadonlyArray<Relation.PkOf<T> | T>
    readonly [Model.FieldsTypeId]?: never
    // The outer query's row, in a subquery (`{ publisher: OuterRef("pk") }`), is one by its symbol.
    readonly [ExprTypeId]?: { readonly _D: () => Outer<any>; readonly _R: () => never }
  }

/**
 * A filter over a model: its columns (a foreign key `publisher` also as `publisherId`), and its relations, forward and
 * reverse: `{ publisher: { name: { startsWith: "A" } } }`, `{ books: { authors: { name: "Ann" } } }`.
 * @since 0.1.0
 */
export type Filter<F, Keys extends string = keyof Relation.Columns<F> & string | Relation.RelationKeys<F> | "pk"> =
  [Relation.RelationKeys<F>] extends [never] ? ColumnFilter<Relation.Columns<F>, Keys>
    : ColumnFilter<Relation.Columns<F>, Keys> & { readonly [K in Relation.RelationKeys<F>]?: RelationFilter<F[K]> }

/** @since 0.1.0 */
export const QTypeId: unique symbol = Symbol.for("effect-orm/Q")

/**
 * A combination of filters. Its parts sit behind a symbol, so that a filter object with a key named like one of them
 * is still checked as a filter.
 * @since 0.1.0
 */
export interface Q<F> {
  readonly [QTypeId]: {
    readonly _F: (_: F) => F
    readonly op: "and" | "or" | "not"
    readonly children: ReadonlyArray<Condition<F>>
  }
}

/** A filter or a combination of filters. @since 0.1.0 */
export type Condition<F> = Filter<F> | Q<F>

/**
 * A filter or a combination of filters over the model whose instances are `T`: what `filter`, `exclude` and `get`
 * take, printed in errors under the model's name (`Where<Book>`).
 * @since 0.3.0
 */
export type Where<T> = 0 extends 1 & T ? Condition<any> : FilterOf<T>

/**
 * A filter over the model whose instances are `T` (printed in errors under the model's name: `FilterOf<Book>`); an
 * instance is no filter.
 * @since 0.3.0
 */
export type FilterOf<T> =
  & Filter<Relation.FieldsOf<T>>
  // One object type, not a union with Q, so that a misspelt field gets the compiler's "Did you mean ...?"; a Q over
  // the same fields is one by its symbol, and so is a boolean expression (`Exists(...)`).
  & {
    readonly [Model.FieldsTypeId]?: never
    readonly [QTypeId]?: Q<Relation.FieldsOf<T>>[typeof QTypeId]
    readonly [ExprTypeId]?: { readonly _D: () => Lit<boolean, "boolean">; readonly _R: () => never }
  }

const q = <F>(op: Q<F>[typeof QTypeId]["op"], children: ReadonlyArray<Condition<F>>): Q<F> => ({
  [QTypeId]: { _F: undefined as any, op, children }
})

/** @since 0.1.0 */
export const isQ = (u: unknown): u is Q<unknown> => typeof u === "object" && u !== null && QTypeId in u

/**
 * Combinators over filters. Each takes the type its place asks for (inside `filter`, `FilterOf<Book>`), so that a
 * mistake in a part is reported under the model's name; elsewhere give it: `Q.or<Lookup.Where<Book>>(...)`.
 * @since 0.1.0
 */
export const Q = {
  /** All of the conditions hold. */
  and: <W = Condition<any>>(...conditions: ReadonlyArray<NoInfer<W>>): W => q("and", conditions as ReadonlyArray<any>) as W,
  /** Any of the conditions holds (none given: nothing matches). */
  or: <W = Condition<any>>(...conditions: ReadonlyArray<NoInfer<W>>): W => q("or", conditions as ReadonlyArray<any>) as W,
  /** The condition does not hold; rows where it is unknown because of NULL count as not holding, as in Django. */
  not: <W = Condition<any>>(condition: NoInfer<W>): W => q("not", [condition as any]) as W
}

/** Lookup names per lookup family, shared by the runtime parser and checked against the types by the tests. @since 0.1.0 */
export const lookupNames: { readonly [K in Field.LookupKind]: ReadonlyArray<string> } = (() => {
  const comparable = ["exact", "in", "gt", "gte", "lt", "lte", "range", "isNull"]
  const text = [...comparable, "iexact", "contains", "icontains", "startsWith", "iStartsWith", "endsWith", "iEndsWith", "regex", "iregex"]
  const date = [...comparable, "year", "month", "day", "weekDay"]
  const time = [...comparable, "hour", "minute", "second"]
  return {
    string: text,
    number: comparable,
    bigint: comparable,
    decimal: comparable,
    boolean: comparable,
    uuid: comparable,
    duration: comparable,
    date,
    time,
    datetime: [...date, "hour", "minute", "second", "date"],
    // The lookups of the whole value; `path` and `key` lead to a value inside it (see JsonLookup.ts).
    json: [
      "exact", "in", "gt", "gte", "lt", "lte", "isNull", "contains", "containedBy", "hasKey", "hasKeys", "hasAnyKeys",
      "iexact", "icontains", "startsWith", "iStartsWith", "endsWith", "iEndsWith", "regex", "iregex"
    ]
  }
})()
