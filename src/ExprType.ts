/**
 * The types of expressions, resolved against a model: what `TypeOf<F, D>` gives for the description `D` of an
 * expression (see `Expr`) over the model fields `F` (annotations included), and the checks that `annotate`, `alias`,
 * `aggregate` and `update` apply to their arguments. A description that cannot be computed resolves to `Invalid`,
 * whose message the method's error prints: `F("title").add(1)` on a Book is `"+" does not combine string with number`.
 *
 * @since 0.3.0
 */
import type * as BigDecimal from "effect/BigDecimal"
import type * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import type * as Expr from "./Expr.js"
import type * as Field from "./Field.js"
import type * as Lookup from "./Lookup.js"
import type * as Relation from "./Relation.js"

/** A resolved expression: its value's type (with `| null` when it may be NULL) and its kind. @since 0.3.0 */
export interface Typed<T, K extends Expr.Kind> {
  readonly type: T
  readonly kind: K
}

/** An expression that cannot be computed, and why. @since 0.3.0 */
export interface Invalid<M extends string> {
  readonly invalid: M
}

/** What a method's argument becomes when its expression is invalid: the message is in the error. @since 0.3.0 */
export interface ExprError<M extends string> {
  readonly "effect-orm: invalid expression": M
}

/** The TypeScript type of the values of a kind. @since 0.3.0 */
export type ValueOfKind<K> = K extends "number" ? number
  : K extends "bigint" ? bigint
  : K extends "decimal" ? BigDecimal.BigDecimal
  : K extends "duration" ? Duration.Duration
  : K extends "datetime" ? DateTime.Utc
  : K extends "boolean" ? boolean
  : K extends "string" | "date" | "time" | "uuid" ? string
  : K extends "array" ? ReadonlyArray<unknown>
  : unknown

type KindOfField<Fd> = Fd extends Field.Field<any, infer K, any, any> ? K : never

/** The field a path ends on (a relation stands for its target's key). */
type PathField<F, P> = P extends keyof Relation.Columns<F> ? Relation.Columns<F>[P]
  : P extends "pk" ? Relation.PkField<F>
  : P extends `${infer H}.${infer R}` ? H extends Relation.RelationKeys<F> ? PathField<Relation.FieldsOf<Relation.Target<F[H]>>, R> : never
  : P extends Relation.RelationKeys<F> ? Relation.PkField<Relation.FieldsOf<Relation.Target<F[P]>>>
  : never

/** Whether a type is `any` (a dynamic path or a model whose fields are not known: not checked here). */
type IsAny<T> = 0 extends 1 & T ? true : false

type RefOf<F, P extends string> = IsAny<P> extends true ? Typed<any, any>
  : IsAny<F> extends true ? Typed<any, any>
  : [PathField<F, P>] extends [never] ? Invalid<`unknown field or path "${P}"`>
  : Typed<Relation.PathValue<F, P>, KindOfField<PathField<F, P>>>

type NumericJoin<A, B> = "decimal" extends A | B ? "decimal" : "bigint" extends A | B ? "bigint" : "number"
type Point = "date" | "datetime" | "time"

/** The kind `left op right` yields, or never (the rules of `internal/expressions/kinds.ts`). */
type ArithKind<Op, L, R> = [L] extends [Expr.Numeric] ? (
    [R] extends [Expr.Numeric] ? NumericJoin<L, R> : [R] extends ["duration"] ? (Op extends "*" ? "duration" : never) : never
  )
  : [L] extends ["duration"] ? (
    [R] extends ["duration"] ? (Op extends "+" | "-" ? "duration" : never)
      : [R] extends [Point] ? (Op extends "+" ? R : never)
      : [R] extends [Expr.Numeric] ? (Op extends "*" | "/" ? "duration" : never)
      : never
  )
  : [L] extends [Point] ? (
    [R] extends ["duration"] ? (Op extends "+" | "-" ? L : never)
      : [R] extends [L] ? (Op extends "-" ? L extends "date" ? never : "duration" : never)
      : never
  )
  : never

type OrNull<Cond, T> = Cond extends true ? T | null : T
type IsNullable<T> = null extends T ? true : false

type ArithOf<Op extends string, A, B> = A extends Invalid<any> ? A
  : B extends Invalid<any> ? B
  : A extends Typed<infer TA, infer KA> ? B extends Typed<infer TB, infer KB> ? (
        // A kind not known here (`any`, or a field whose kind is any kind) is checked when the query runs.
        [Expr.Kind] extends [KA] ? Typed<any, any> : [Expr.Kind] extends [KB] ? Typed<any, any>
          : [ArithKind<Op, KA, KB>] extends [never] ? Invalid<`"${Op}" does not combine ${KA & string} with ${KB & string}`>
          : Typed<OrNull<IsNullable<TA | TB>, ValueOfKind<ArithKind<Op, KA, KB>>>, ArithKind<Op, KA, KB>>
      )
    : never
  : never

/** Each argument of a call resolved. */
type ArgsOf<F, Args> = { readonly [I in keyof Args]: Args[I] extends readonly [any, infer D] ? TypeOf<F, D> : never }

/** The first invalid argument, or one of the wrong kind, as an `Invalid`; never when all are fine. */
type ArgProblem<Args, Resolved> = {
  [I in keyof Resolved]: Resolved[I] extends Invalid<any> ? Resolved[I]
    : Resolved[I] extends Typed<any, infer K> ? Args[I & keyof Args] extends readonly [infer Accepted, any]
        ? IsAny<K> extends true ? never : [K] extends [Accepted] ? never : Invalid<`argument ${I & string} is ${K & string}, a kind it does not take`>
      : never
    : never
}[keyof Resolved & `${number}`]

type KindsOf<Resolved> = { [I in keyof Resolved]: Resolved[I] extends Typed<any, infer K> ? K : never }[keyof Resolved & `${number}`]
type IsUnion<T, U = T> = T extends any ? ([U] extends [T] ? false : true) : never
type JoinAll<K> = "decimal" extends K ? "decimal" : "bigint" extends K ? "bigint" : "number"
type TypesOf<Resolved> = { [I in keyof Resolved]: Resolved[I] extends Typed<infer T, any> ? T : never }[keyof Resolved & `${number}`]
type AllNullable<Resolved> = false extends { [I in keyof Resolved]: Resolved[I] extends Typed<infer T, any> ? IsNullable<T> : never }[keyof Resolved & `${number}`] ? false : true
type First<Resolved> = Resolved extends readonly [infer A, ...Array<any>] ? A : never

type AggregateKind<Tag, K> = Tag extends "Sum" ? K
  : Tag extends "Avg" ? (K extends "bigint" | "decimal" ? "decimal" : K)
  : never

/** The result of a call, before its NULL rule. */
type OutOf<O, Resolved> = O extends Expr.Fixed<infer T, infer K> ? Typed<T, K>
  : O extends Expr.Same<infer I> ? Resolved[I & keyof Resolved] extends Typed<infer T, infer K> ? Typed<Exclude<T, null>, K> : never
  : O extends { readonly _tag: "Common" } ? (
      [KindsOf<Resolved>] extends [Expr.Numeric] ? IsUnion<KindsOf<Resolved>> extends true
          // Numbers of several kinds join as the run time joins them.
          ? Typed<ValueOfKind<JoinAll<KindsOf<Resolved>>>, JoinAll<KindsOf<Resolved>>>
          : Typed<Exclude<TypesOf<Resolved>, null>, KindsOf<Resolved>>
        : First<Resolved> extends Typed<any, infer K> ? Typed<Exclude<TypesOf<Resolved>, null>, K> : never
    )
  : O extends { readonly _tag: "Real" } ? (
      [Extract<KindsOf<Resolved>, "bigint" | "decimal">] extends [never] ? Typed<number, "number"> : Typed<BigDecimal.BigDecimal, "decimal">
    )
  : O extends { readonly _tag: "Array" } ? First<Resolved> extends Typed<infer T, any> ? Typed<ReadonlyArray<Exclude<T, null>>, "array"> : never
  : O extends { readonly _tag: infer Tag } ? First<Resolved> extends Typed<any, infer K> ? Typed<ValueOfKind<AggregateKind<Tag, K>>, AggregateKind<Tag, K>> : never
  : never

type WithNulls<T, N, Resolved> = T extends Typed<infer V, infer K> ? (
    N extends "always" ? Typed<V | null, K>
      : N extends "never" ? Typed<Exclude<V, null>, K>
      : N extends "all" ? Typed<OrNull<AllNullable<Resolved>, Exclude<V, null>>, K>
      : Typed<OrNull<IsNullable<TypesOf<Resolved>>, V>, K>
  )
  : T

/** Mixed kinds of `Coalesce`, `Greatest`, `Least`, `Case`: every argument must have the first one's kind. */
type CommonProblem<O, Resolved> = O extends { readonly _tag: "Common" }
  ? First<Resolved> extends Typed<any, infer K> ? {
      [I in keyof Resolved]: Resolved[I] extends Typed<any, infer KI> ? [KI] extends [K] ? never
        : [KI | K] extends [Expr.Numeric] ? never
        : Invalid<`argument ${I & string} is ${KI & string}, expected ${K & string} as the first`>
        : never
    }[keyof Resolved & `${number}`]
  : never
  : never

type ConditionProblem<F, C> = [C] extends [never] ? never
  // A condition whose type is not known here (a Q built without its type) is checked when the query runs.
  : unknown extends C ? never
  : 0 extends 1 & C ? never
  : Lookup.Condition<any> extends C ? never
  : C extends Lookup.Condition<F> ? never
  : Invalid<"a condition is not a filter of the model">

type CallOf<F, Args, O, N, C> = ArgsOf<F, Args> extends infer Resolved ? (
    [ArgProblem<Args, Resolved>] extends [never] ? (
        [CommonProblem<O, Resolved>] extends [never] ? (
            [ConditionProblem<F, C>] extends [never] ? WithNulls<OutOf<O, Resolved>, N, Resolved>
              : ConditionProblem<F, C>
          )
          : CommonProblem<O, Resolved>
      )
      : ArgProblem<Args, Resolved>
  )
  : never

/**
 * The type of the expression described by `D` over the model fields `F`: a `Typed` value, or `Invalid` with why.
 * @since 0.3.0
 */
export type TypeOf<F, D> = D extends Expr.Ref<infer P> ? RefOf<F, P>
  : D extends Expr.Outer<any> ? Typed<any, any>
  : D extends Expr.Lit<infer T, infer K> ? Typed<T, K>
  : D extends Expr.Arith<infer Op, infer L, infer R> ? ArithOf<Op, TypeOf<F, L>, TypeOf<F, R>>
  : D extends Expr.Call<infer Args, infer O, infer N, infer C, infer A> ? (
      // An aggregate of an aggregate cannot be computed.
      A extends true ? ([true] extends [ArgsAggregate<Args>] ? Invalid<"an aggregate inside an aggregate"> : CallOf<F, Args, O, N, C>) : CallOf<F, Args, O, N, C>
    )
  : Invalid<"not an expression">

type ArgsAggregate<Args> = { [I in keyof Args]: Args[I] extends readonly [any, infer D] ? Expr.HasAggregate<D> : false }[keyof Args & `${number}`]

/** The description of an expression. @since 0.3.0 */
export type DescriptionOf<E> = E extends Expr.Expr<infer D, any> ? D : never

/** The value type of an expression over `F` (never when it is invalid). @since 0.3.0 */
export type ValueOf<F, E> = TypeOf<F, DescriptionOf<E>> extends Typed<infer T, any> ? T : never

/** Each expression of a record checked over `F`: an invalid one becomes an `ExprError` naming why. @since 0.3.0 */
export type CheckAll<F, N> = {
  readonly [K in keyof N]: TypeOf<F, DescriptionOf<N[K]>> extends Invalid<infer M> ? ExprError<M> : unknown
}

/**
 * Annotation names checked: a name taken by a field, a relation or a key column of the model (or `pk`, a path, a
 * name starting with `__`) is refused, as in Django.
 * @since 0.3.0
 */
export type CheckNames<F, N> = {
  readonly [K in keyof N]: K extends keyof Relation.Columns<F> | Relation.RelationKeys<F> | "pk" | `${string}.${string}` | `__${string}`
    ? ExprError<`the annotation ${K & string} conflicts with a field of the model`>
    : unknown
}

/** The values a record of expressions gives. @since 0.3.0 */
export type Values<F, N> = { readonly [K in keyof N]: ValueOf<F, N[K]> }

/**
 * Annotations as fields of the model (so that paths, filters, ordering and `values` take their names): a field of
 * the annotation's type and kind, which `create` never asks for.
 * @since 0.3.0
 */
export type AsFields<F, N> = {
  readonly [K in keyof N]: TypeOf<F, DescriptionOf<N[K]>> extends Typed<infer T, infer Kd>
    ? Field.Field<T, Kd extends Field.LookupKind ? Kd : "json", true, false>
    : never
}
