/**
 * The kinds of `F` expressions, checked before SQL: which operands an operator accepts, what it yields, and whether the
 * result fits the column it is compared with or assigned to. PostgreSQL would otherwise refuse at run time
 * (`operator does not exist: character varying + integer`).
 * @internal
 */
import * as BigDecimal from "effect/BigDecimal"
import * as Duration from "effect/Duration"
import type * as Field from "../Field.js"
import { INT8_MAX, INT8_MIN, isStorableDecimal, isStorableDuration } from "./codec.js"
import type * as Ast from "./query.js"

/**
 * What an expression computes. Arithmetic exists for numbers, durations and points in time; other kinds (text,
 * booleans, UUIDs, JSON) may only be copied or compared as they are, to a column of the same kind.
 * @internal
 */
export type Kind = "numeric" | "duration" | "datetime" | "date" | "time" | "string" | "boolean" | "uuid" | "json"

/** The kind of a field's values. @internal */
export const fieldKind = (field: Field.Any): Kind => {
  switch (field.lookupKind) {
    case "number":
    case "bigint":
    case "decimal":
      return "numeric"
    default:
      return field.lookupKind
  }
}

/** The kind of a literal operand, or why it cannot be one. @internal */
export const valueKind = (value: unknown): Kind | string => {
  if (typeof value === "number") return Number.isFinite(value) ? "numeric" : `${value} is not a finite number`
  if (typeof value === "bigint") return value >= INT8_MIN && value <= INT8_MAX ? "numeric" : `${value}n is outside the 64-bit range`
  if (BigDecimal.isBigDecimal(value)) {
    return isStorableDecimal(value) ? "numeric" : "a BigDecimal outside PostgreSQL's numeric range cannot be stored"
  }
  if (Duration.isDuration(value)) {
    if (!Duration.isFinite(value)) return "an infinite Duration cannot be stored"
    return isStorableDuration(value) ? "duration" : "a Duration beyond 2^63 microseconds cannot be stored"
  }
  return `expression operands are numbers, bigints, BigDecimals, Durations or F() references, got ${
    typeof value === "string" ? `the string ${JSON.stringify(value)}` : typeof value
  }`
}

const isKind = (k: Kind | string): k is Kind => k in compatible

/** What `left op right` yields, or undefined when PostgreSQL has no such operator. */
const binaryKind = (op: "+" | "-" | "*" | "/", left: Kind, right: Kind): Kind | undefined => {
  if (left === "numeric" && right === "numeric") return "numeric"
  const additive = op === "+" || op === "-"
  if (additive) {
    if (left === "duration" && right === "duration") return "duration"
    if ((left === "datetime" || left === "date" || left === "time") && right === "duration") return left
    if (op === "+" && left === "duration" && (right === "datetime" || right === "date" || right === "time")) return right
    if (op === "-" && left === right && (left === "datetime" || left === "time")) return "duration"
    return undefined
  }
  if (left === "duration" && right === "numeric") return "duration"
  if (op === "*" && left === "numeric" && right === "duration") return "duration"
  return undefined
}

/** The kinds a column of kind `target` accepts from an expression (compared with it, or assigned to it). */
const compatible: Record<Kind, ReadonlyArray<Kind>> = {
  numeric: ["numeric"],
  duration: ["duration"],
  datetime: ["datetime", "date"],
  date: ["date", "datetime"],
  time: ["time"],
  string: ["string"],
  boolean: ["boolean"],
  uuid: ["uuid"],
  json: ["json"]
}

const describeNode = (node: Ast.ResolvedExpr): string =>
  node._tag === "Column"
    ? `${node.column.key} (${node.column.field.kind})`
    : node._tag === "Value"
    ? "a value"
    : "an expression"

/** The kind of a checked expression, or why PostgreSQL could not compute it. @internal */
export const exprKind = (node: Ast.ResolvedExpr): Kind | string => {
  switch (node._tag) {
    case "Column":
      return fieldKind(node.column.field)
    case "Value":
      return valueKind(node.value)
    case "Binary": {
      const left = exprKind(node.left)
      if (!isKind(left)) return left
      const right = exprKind(node.right)
      if (!isKind(right)) return right
      const result = binaryKind(node.op, left, right)
      if (result !== undefined) return result
      return `cannot compute ${describeNode(node.left)} ${node.op} ${describeNode(node.right)}: ${
        left === right && compatible[left].length === 1 && !["numeric", "duration"].includes(left)
          ? `there is no arithmetic on ${left} values`
          : `"${node.op}" does not combine ${left} with ${right}`
      }`
    }
  }
}

/**
 * Why `node` cannot be compared with, or assigned to, a value of kind `target` (`what` names it: "a Char field"), or
 * `undefined`: its kind must be computable and fit the target's.
 * @internal
 */
export const exprProblem = (node: Ast.ResolvedExpr, target: Kind, what: string): string | undefined => {
  const kind = exprKind(node)
  if (!isKind(kind)) return kind
  if (compatible[target].includes(kind)) return undefined
  return `${node._tag === "Column" ? describeNode(node) : `a ${kind} expression`} does not fit ${what}`
}
