/**
 * Dotted paths (`"publisher.country.name"`), checked as written: each method that takes paths (`orderBy`, `values`,
 * `valuesList`, `distinct`, `selectRelated`, `prefetchRelated`, `Prefetch`, `selectForUpdate`) reads the literal
 * string the user wrote and walks the model one segment at a time, through forward keys, reverse sides and
 * many-to-manys. A call costs what its paths are long, not what the schema is wide: no union of every path is ever
 * built, so a model referenced by every other model (an audit `createdBy` key to `User`) costs nothing more.
 *
 * A wrong path is a compile error whose expected type lists the valid continuations at the failing segment, with the
 * part of the path that was right: `"publisher.nmae"` on a Book is "not assignable to `"publisher.id" |
 * "publisher.name" | ...`" (and an editor completes from the same list).
 *
 * Depth: a path may cross up to {@link MaxDepth} (10) relations. The limit keeps the compiler's recursion bounded;
 * a deeper path is refused with a message saying so.
 *
 * @since 0.3.0
 */
import type { Ordering } from "./Expr.js"
import type * as Relation from "./Relation.js"

/**
 * The most relations a checked path may cross (`"parent.parent.name"` crosses 2). Paths are checked one segment at
 * a time, so this only keeps the compiler's recursion bounded; no real query comes near it.
 * @since 0.3.0
 */
export type MaxDepth = 10

/** Counts segments down from `MaxDepth`. */
type Down = [never, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]

/** The declared fields of the model a relation of `F` reaches. */
type Next<F, K> = K extends keyof F ? Relation.FieldsOf<Relation.Target<F[K]>> : never

/**
 * Which relations a path may cross, and what may end it. The unions are written out here rather than through the
 * aliases of `Relation` so that an error prints their members, not an alias over the model's field descriptors.
 */
interface Kinds<F> {
  /** A path to a column (`values`, `orderBy`, `distinct`): relations, then a column, `pk` or a relation (its key). */
  readonly field: {
    readonly cross: { [K in keyof F]: F[K] extends Relation.Any ? K : never }[keyof F] & string
    readonly leaf:
      | "pk"
      | (keyof F & string)
      | { [K in keyof F]: F[K] extends Relation.ForeignKey<any, any, any, any> ? `${K & string}Id` : never }[keyof F]
  }
  /** A path of single-valued relations (`selectRelated`, `selectForUpdate({ of })`). */
  readonly single: {
    readonly cross: { [K in keyof F]: F[K] extends Relation.Any ? Relation.IsMany<F[K]> extends true ? never : K : never }[keyof F] & string
    readonly leaf: { [K in keyof F]: F[K] extends Relation.Any ? Relation.IsMany<F[K]> extends true ? never : K : never }[keyof F] & string
  }
  /** A path of relations of any kind (`prefetchRelated`, `Prefetch`). */
  readonly relation: {
    readonly cross: { [K in keyof F]: F[K] extends Relation.Any ? K : never }[keyof F] & string
    readonly leaf: { [K in keyof F]: F[K] extends Relation.Any ? K : never }[keyof F] & string
  }
}

/** The kinds of path: `"field"`, `"single"` (single-valued relations) and `"relation"`. @since 0.3.0 */
export type Kind = keyof Kinds<unknown>

type Cross<F, K extends Kind> = Kinds<F>[K]["cross"]
type Leaf<F, K extends Kind> = Kinds<F>[K]["leaf"]

/** The names that may end a path of kind `K` at the model fields `F` (as a union of its members). @since 0.3.0 */
export type Names<F, K extends Kind = "field"> = Leaf<F, K>

/**
 * `never` when `P` is a valid path of kind `K` from the model fields `F`, otherwise what the failing segment could
 * have been: the valid continuations there, prefixed by the part of the path that was right.
 */
type Problem<F, P extends string, K extends Kind, Done extends string, D> = [D] extends [never]
  ? `${Done}(a path crosses at most 10 relations)`
  : P extends `${infer H}.${infer R}`
    ? H extends Cross<F, K> ? Problem<Next<F, H>, R, K, `${Done}${H}.`, Down[D & keyof Down]>
    : `${Done}${Cross<F, K>}.${string}` | `${Done}${Leaf<F, K>}`
  : P extends Leaf<F, K> ? never
  : `${Done}${Leaf<F, K>}`

/**
 * `P` itself when it is a valid path of kind `K` from the model fields `F`; otherwise the valid continuations at the
 * failing segment (so the call fails there, listing them).
 * @since 0.3.0
 */
export type Check<F, P extends string, K extends Kind = "field"> = [Problem<F, P, K, "", MaxDepth>] extends [never] ? P
  // NoInfer: the path is inferred from the argument alone, not through the list of what could have been written.
  : NoInfer<Problem<F, P, K, "", MaxDepth>>

/** A field path, or one with `-` for descending. @since 0.3.0 */
export type CheckOrder<F, P extends string> = P extends `-${infer R}` ? `-${Check<F, R>}` : Check<F, P>

/** Each path of a list checked with {@link Check}. @since 0.3.0 */
export type CheckAll<F, P extends ReadonlyArray<string>, K extends Kind = "field"> = { readonly [I in keyof P]: Check<F, P[I], K> }

/** Each ordering of a list checked with {@link CheckOrder} (expression orderings, `F("x").desc()`, pass as they are). @since 0.3.0 */
export type CheckOrders<F, P extends ReadonlyArray<unknown>> = {
  readonly [I in keyof P]: P[I] extends string ? CheckOrder<F, P[I]>
    // An expression's ordering names fields of the model (by the first segment of each path).
    : P[I] extends Ordering<infer R>
      ? [Exclude<R, Kinds<F>["field"]["leaf"] | Kinds<F>["field"]["cross"]>] extends [never] ? P[I] : { readonly "unknown field in an ordering": Exclude<R, Kinds<F>["field"]["leaf"] | Kinds<F>["field"]["cross"]> }
    : P[I]
}
