/**
 * Expressions computed by the database: `F("pages")` refers to a column, and arithmetic combines it with values,
 * e.g. `Book.objects.filter({ id: 1 }).update({ pages: F("pages").add(1) })`.
 *
 * @since 0.1.0
 */

import type { BigDecimal } from "effect/BigDecimal"
import type { Duration } from "effect/Duration"

/** @since 0.1.0 */
export const TypeId: unique symbol = Symbol.for("effect-orm/Expr")

/** An arithmetic operator. @since 0.1.0 */
export type Operator = "+" | "-" | "*" | "/"

/** An expression node. @since 0.1.0 */
export type Node =
  | { readonly _tag: "Ref"; readonly field: string }
  | { readonly _tag: "Value"; readonly value: unknown }
  | { readonly _tag: "Binary"; readonly op: Operator; readonly left: Node; readonly right: Node }

/** An expression over the fields of a row. @since 0.1.0 */
export interface Expr<Field extends string = string> {
  /** Covariant: `F("pages")` fits wherever an expression over a model's fields (including "pages") is expected. */
  readonly [TypeId]: () => Field
  readonly node: Node
  /** Adds a value or another expression. */
  add<G extends string = never>(other: Operand<G>): Expr<Field | G>
  /** Subtracts a value or another expression. */
  sub<G extends string = never>(other: Operand<G>): Expr<Field | G>
  /** Multiplies by a value or another expression. */
  mul<G extends string = never>(other: Operand<G>): Expr<Field | G>
  /** Divides by a value or another expression. */
  div<G extends string = never>(other: Operand<G>): Expr<Field | G>
}

/**
 * A value or an expression: numbers, bigints and BigDecimals combine with numeric fields, Durations with durations and
 * points in time. Operands and fields are checked before SQL runs (a `FieldError` for `F("title").add(1)`).
 * @since 0.1.0
 */
export type Operand<Field extends string = string> = Expr<Field> | number | bigint | BigDecimal | Duration

/** @since 0.1.0 */
export const isExpr = (u: unknown): u is Expr => typeof u === "object" && u !== null && TypeId in u

const toNode = (operand: Operand): Node => isExpr(operand) ? operand.node : { _tag: "Value", value: operand }

const proto = {
  add(this: Expr, other: Operand) {
    return make({ _tag: "Binary", op: "+", left: this.node, right: toNode(other) })
  },
  sub(this: Expr, other: Operand) {
    return make({ _tag: "Binary", op: "-", left: this.node, right: toNode(other) })
  },
  mul(this: Expr, other: Operand) {
    return make({ _tag: "Binary", op: "*", left: this.node, right: toNode(other) })
  },
  div(this: Expr, other: Operand) {
    return make({ _tag: "Binary", op: "/", left: this.node, right: toNode(other) })
  }
}

const make = (node: Node): Expr<any> => Object.assign(Object.create(proto), { [TypeId]: undefined, node })

/** A reference to a field of the row, like Django's `F("pages")`. @since 0.1.0 */
export const F = <const Field extends string>(field: Field): Expr<Field> => make({ _tag: "Ref", field })
