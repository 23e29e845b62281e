/**
 * Lookups of JSON fields, typed from the field's schema: a path into the stored JSON (`path: ["a", 0, "b"]`, or the
 * shorthand `key: "a"`) with lookups on the value there, and containment and key lookups on the whole value.
 *
 * A path follows the JSON the column stores: the schema's encoded side (for a plain JSON schema, its type). Keys of
 * objects are strings, array indexes numbers; a path is checked to `MaxDepth` levels, and any path is accepted into
 * an `unknown` part of the schema (or past that depth), where the lookups take any JSON value.
 *
 * @since 0.3.0
 */

/** A JSON value. @since 0.3.0 */
export type JsonValue = string | number | boolean | null | ReadonlyArray<JsonValue> | { readonly [key: string]: JsonValue }

/** A path element: an object's key, or an array's index (negative counts from the end). @since 0.3.0 */
export type PathElement = string | number

/** How deep a path is checked against the schema; deeper, any path is accepted. @since 0.3.0 */
export type MaxDepth = 5

/** Depth counters, one less at each level. */
type Prev = [never, 0, 1, 2, 3, 4]

/** `unknown` or `any`: nothing is known of the value. */
type Untyped<V> = unknown extends V ? true : false

/** Values `gt`, `gte`, `lt` and `lte` compare: numbers as numbers, strings as strings. @since 0.3.0 */
export type Ordered<V> = Untyped<V> extends true ? number | string : Extract<V, number | string>

/** The keys `hasKey` tests: an object's keys, or the strings of an array of strings (PostgreSQL's `?`). @since 0.3.0 */
export type KeyOf<V> = Untyped<V> extends true ? string
  : V extends ReadonlyArray<infer E> ? Extract<E, string>
  : V extends object ? keyof V & string
  : never

/** What the text lookups take: a string, where the value can be one. @since 0.3.0 */
export type TextOf<V> = Untyped<V> extends true ? string : [Extract<V, string>] extends [never] ? never : string

/**
 * What `contains` and `containedBy` take (jsonb's `@>` and `<@`): a part of an object (any of its keys, each a part
 * of its value), some elements of an array (or one scalar element), or a scalar itself.
 * @since 0.3.0
 */
export type Containment<V, D extends number = MaxDepth> = Untyped<V> extends true ? JsonValue
  : [D] extends [0] ? V
  : V extends ReadonlyArray<infer E> ? ReadonlyArray<Containment<E, Prev[D]>> | Extract<E, string | number | boolean | null>
  : V extends object ? { readonly [K in keyof V]?: Containment<V[K], Prev[D]> }
  : V

/**
 * Lookups on a JSON value of type `V` (the value at a path, or the whole value): `exact` and `in` by JSON equality
 * (`null` is JSON null), comparisons within numbers or within strings, `isNull` (the value is absent), containment,
 * keys, and the text lookups on the value as text (a string without its quotes).
 * @since 0.3.0
 */
export interface ValueLookups<V> {
  readonly exact?: Untyped<V> extends true ? JsonValue : V
  /** One of; an empty list matches nothing. */
  readonly in?: ReadonlyArray<Untyped<V> extends true ? JsonValue : V>
  readonly gt?: Ordered<V>
  readonly gte?: Ordered<V>
  readonly lt?: Ordered<V>
  readonly lte?: Ordered<V>
  /** `true`: absent (the key is missing, or the column is NULL); JSON null is present. */
  readonly isNull?: boolean
  readonly contains?: Containment<V>
  readonly containedBy?: Containment<V>
  readonly hasKey?: KeyOf<V>
  /** Every key of the list (an empty list: always). */
  readonly hasKeys?: ReadonlyArray<KeyOf<V>>
  /** Any key of the list (an empty list: never). */
  readonly hasAnyKeys?: ReadonlyArray<KeyOf<V>>
  readonly iexact?: TextOf<V>
  readonly icontains?: TextOf<V>
  readonly startsWith?: TextOf<V>
  readonly iStartsWith?: TextOf<V>
  readonly endsWith?: TextOf<V>
  readonly iEndsWith?: TextOf<V>
  /** POSIX regular expression (PostgreSQL `~`). */
  readonly regex?: TextOf<V>
  readonly iregex?: TextOf<V>
}

/** Lookups at a path `P` whose value has type `V`. @since 0.3.0 */
export type AtPath<P, V> = { readonly path: P; readonly key?: never } & ValueLookups<V>

/** Lookups at a key (or index) `K` of the value, whose value there has type `V`. @since 0.3.0 */
export type AtKey<K, V> = { readonly key: K; readonly path?: never } & ValueLookups<V>

type Defined<V> = Exclude<V, undefined>
type AnyPath<P extends ReadonlyArray<PathElement>> = AtPath<readonly [...P, PathElement, ...Array<PathElement>], unknown>

/** The lookups at every path of `V` below the prefix `P`, to depth `D`. @since 0.3.0 */
export type PathFilters<V, P extends ReadonlyArray<PathElement> = [], D extends number = MaxDepth> = Untyped<V> extends true
  ? AnyPath<P>
  : [D] extends [0] ? AnyPath<P>
  : V extends ReadonlyArray<infer E> ? AtPath<readonly [...P, number], E> | PathFilters<E, [...P, number], Prev[D]>
  : V extends object ? {
      [K in keyof V & string]-?: AtPath<readonly [...P, K], Defined<V[K]>> | PathFilters<Defined<V[K]>, [...P, K], Prev[D]>
    }[keyof V & string]
  : never

/** The lookups at each key (or index) of `V`. @since 0.3.0 */
export type KeyFilters<V> = Untyped<V> extends true ? AtKey<PathElement, unknown>
  : V extends ReadonlyArray<infer E> ? AtKey<number, E>
  : V extends object ? { [K in keyof V & string]-?: AtKey<K, Defined<V[K]>> }[keyof V & string]
  : never

/**
 * The lookups of the whole value of a JSON field whose values are `T`, stored as `E`: `exact` compares with a value
 * of the field (`null`, on a nullable field, meaning SQL NULL) and `isNull` means SQL NULL; the others follow `E`.
 * @since 0.3.0
 */
export type WholeLookups<T, E> =
  & { readonly path?: never; readonly key?: never; readonly exact?: T; readonly isNull?: boolean }
  & Omit<ValueLookups<E>, "exact" | "isNull">

/**
 * What a filter accepts for a JSON field whose values are `T`, stored as the JSON `E` (its schema's encoded side):
 * lookups on the whole value, or a `path` (or `key`) and lookups on the value there.
 * @since 0.3.0
 */
export type JsonFilter<T, E> = WholeLookups<T, Exclude<E, null>> | KeyFilters<Exclude<E, null>> | PathFilters<Exclude<E, null>>
