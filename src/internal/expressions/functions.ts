/**
 * The typing of each built-in function and aggregate: which kinds its arguments take and what it yields. Their SQL
 * is the dialect's (`dialect.ts`).
 * @internal
 */
import type * as Expr from "../../Expr.js"
import * as Types from "./types.js"

type Check = (args: ReadonlyArray<Types.Type>) => Types.Type | string

const numeric: ReadonlyArray<Expr.Kind> = ["number", "bigint", "decimal"]
const ordered: ReadonlyArray<Expr.Kind> = [...numeric, "duration", "string", "date", "datetime", "time", "uuid"]

/** The kinds argument `i` of a call accepts, checked in order; a problem names the argument. */
const takes = (kinds: ReadonlyArray<ReadonlyArray<Expr.Kind> | "any">, then: Check): Check => (args) => {
  for (let i = 0; i < args.length; i++) {
    const accepted = kinds[Math.min(i, kinds.length - 1)]!
    if (accepted !== "any" && !accepted.includes(args[i]!.kind)) {
      return `argument ${i + 1} is ${Types.describeType(args[i]!)}, expected ${accepted.join(" or ")}`
    }
  }
  return then(args)
}

/** Arguments that must share the first one's kind (numbers of any width join). @internal */
export const common: Check = (args) => {
  let result: Types.Type = { kind: args[0]!.kind, float: args[0]!.float }
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!
    if (Types.isNumeric(result) && Types.isNumeric(a)) {
      result = Types.joinNumeric(result, a)
    } else if (a.kind !== result.kind) {
      return `argument ${i + 1} is ${Types.describeType(a)}, expected ${result.kind} as the first`
    }
  }
  return args.length === 1 && args[0]!.field !== undefined ? { ...result, field: args[0]!.field } : result
}

const fixed = (type: Types.Type): Check => () => type
const same: Check = (args) => ({ kind: args[0]!.kind, float: args[0]!.float })
const real: Check = (args) => args.some((a) => a.kind === "decimal" || a.kind === "bigint") ? { kind: "decimal" } : { kind: "number", float: true }

/** The arity (least, most) and typing of each function of `Functions.ts`. @internal */
export const functions: Readonly<Record<string, { readonly arity: readonly [number, number]; readonly check: Check }>> = {
  coalesce: { arity: [2, Infinity], check: common },
  greatest: { arity: [2, Infinity], check: takes(["any"], common) },
  least: { arity: [2, Infinity], check: takes(["any"], common) },
  nullif: { arity: [2, 2], check: common },
  lower: { arity: [1, 1], check: takes([["string"]], fixed({ kind: "string" })) },
  upper: { arity: [1, 1], check: takes([["string"]], fixed({ kind: "string" })) },
  trim: { arity: [1, 1], check: takes([["string"]], fixed({ kind: "string" })) },
  length: { arity: [1, 1], check: takes([["string"]], fixed({ kind: "number" })) },
  substr: { arity: [2, 3], check: takes([["string"], ["number", "bigint"]], fixed({ kind: "string" })) },
  replace: { arity: [3, 3], check: takes([["string"]], fixed({ kind: "string" })) },
  strpos: { arity: [2, 2], check: takes([["string"]], fixed({ kind: "number" })) },
  concat: { arity: [2, Infinity], check: fixed({ kind: "string" }) },
  now: { arity: [0, 0], check: fixed({ kind: "datetime" }) },
  extract: { arity: [1, 1], check: takes([["date", "datetime", "time", "duration"]], fixed({ kind: "number", float: true })) },
  trunc: { arity: [1, 1], check: takes([["date", "datetime"]], same) },
  abs: { arity: [1, 1], check: takes([numeric], same) },
  ceil: { arity: [1, 1], check: takes([numeric], same) },
  floor: { arity: [1, 1], check: takes([numeric], same) },
  // The places are an integer: ROUND(numeric, double precision) does not exist.
  round: { arity: [2, 2], check: takes([numeric, ["number"]], (args) => args[1]!.float === true ? "the places are not an integer" : same(args)) },
  mod: { arity: [2, 2], check: takes([numeric], common) },
  power: { arity: [2, 2], check: takes([numeric], real) },
  sqrt: { arity: [1, 1], check: takes([numeric], real) }
}

const dateParts = ["year", "isoYear", "quarter", "month", "week", "day", "weekDay", "isoWeekDay", "dayOfYear", "epoch"]
const timeParts = ["hour", "minute", "second", "epoch"]

/** Why `Extract` cannot take `part` from a value of type `t`, or undefined. @internal */
export const extractPart = (part: string, t: Types.Type): string | undefined => {
  const parts = t.kind === "date" ? dateParts
    : t.kind === "time" ? timeParts
    // A Duration is stored as microseconds: its `day` is 0 and its `hour` may pass 23.
    : t.kind === "duration" ? ["day", ...timeParts]
    : [...dateParts, "hour", "minute", "second"]
  return parts.includes(part) ? undefined : `Extract of a ${t.kind} value takes ${parts.join(", ")}, got ${JSON.stringify(part)}`
}

const precisions = ["year", "quarter", "month", "week", "day", "hour", "minute", "second"]

/** Why `Trunc` cannot truncate a value of type `t` to `precision`, or undefined. @internal */
export const truncPrecision = (precision: string, t: Types.Type): string | undefined => {
  const allowed = t.kind === "date" ? precisions.slice(0, 5) : precisions
  return allowed.includes(precision) ? undefined : `Trunc of a ${t.kind} value takes ${allowed.join(", ")}, got ${JSON.stringify(precision)}`
}

/** The window functions (`Window.ts`), valid only as the function of a `Window`. @internal */
export const windowFunctions: Readonly<Record<string, { readonly arity: readonly [number, number]; readonly check: Check }>> = {
  rowNumber: { arity: [0, 0], check: fixed({ kind: "number" }) },
  rank: { arity: [0, 0], check: fixed({ kind: "number" }) },
  denseRank: { arity: [0, 0], check: fixed({ kind: "number" }) },
  percentRank: { arity: [0, 0], check: fixed({ kind: "number", float: true }) },
  cumeDist: { arity: [0, 0], check: fixed({ kind: "number", float: true }) },
  ntile: { arity: [1, 1], check: takes([["number"]], fixed({ kind: "number" })) },
  lag: { arity: [2, 3], check: (args) => offsetThen(args) },
  lead: { arity: [2, 3], check: (args) => offsetThen(args) },
  firstValue: { arity: [1, 1], check: (args) => args[0]! },
  lastValue: { arity: [1, 1], check: (args) => args[0]! },
  nthValue: { arity: [2, 2], check: (args) => args[1]!.kind === "number" ? args[0]! : `the position is ${Types.describeType(args[1]!)}, expected number` }
}

/** `Lag`/`Lead`: an offset that is a number, and a default of the value's kind. */
const offsetThen: Check = (args) => {
  if (args[1]!.kind !== "number") return `the offset is ${Types.describeType(args[1]!)}, expected number`
  if (args.length === 3) {
    const joined = common([args[0]!, args[2]!])
    if (typeof joined === "string") return `the default: ${joined}`
  }
  return args[0]!
}

/** The typing of each aggregate over its argument. @internal */
export const aggregates: Readonly<Record<Expr.AggregateFunction, Check>> = {
  count: fixed({ kind: "number" }),
  sum: takes([[...numeric, "duration"]], (args) => args[0]!.kind === "number" ? { kind: "number", float: args[0]!.float } : { kind: args[0]!.kind }),
  avg: takes([[...numeric, "duration"]], (args) =>
    args[0]!.kind === "number" ? { kind: "number", float: true } : args[0]!.kind === "duration" ? { kind: "duration" } : { kind: "decimal" }),
  min: takes([ordered], (args) => args[0]!),
  max: takes([ordered], (args) => args[0]!),
  stddev: takes([numeric], real),
  variance: takes([numeric], real),
  stringAgg: takes([["string"]], fixed({ kind: "string" })),
  arrayAgg: (args) =>
    args[0]!.kind === "json" || args[0]!.kind === "array" ? "ArrayAgg does not collect JSON or arrays" : { kind: "array", element: args[0]! },
  boolAnd: takes([["boolean"]], fixed({ kind: "boolean" })),
  boolOr: takes([["boolean"]], fixed({ kind: "boolean" }))
}
