/**
 * Request parameter values, which arrive as strings (a query string) or JSON scalars (a request body), converted to
 * the values of a field's kind: what a filter takes. Every conversion either gives a value the field accepts or says
 * why not, in words fit for a 400 response.
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Field from "../Field.js"
import * as Codec from "./codec.js"

/** What a converted value must be: the field's own kind, text (`contains`), a date part (a number) or a date. @internal */
export type Target = "field" | "text" | "integer" | "date" | "boolean"

/** Limits on one value. @internal */
export interface ValueLimits {
  /** Characters of one text value. */
  readonly maxLength: number
}

type Converted = Result.Result<unknown, string>

const fail = (message: string): Converted => Result.fail(message)

const show = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u.length > 40 ? `${u.slice(0, 40)}…` : u)
  if (Array.isArray(u)) return "a list"
  if (typeof u === "object" && u !== null) return "an object"
  return String(u)
}

/** A scalar as a request carries it: a string, or a JSON number or boolean. */
const scalar = (raw: unknown): Result.Result<string | number | boolean, string> =>
  typeof raw === "string" || typeof raw === "boolean" || (typeof raw === "number" && Number.isFinite(raw))
    ? Result.succeed(raw)
    : Result.fail(`expected a single value, got ${show(raw)}`)

const integerText = /^[+-]?\d+$/
const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const isoDateTimeText = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/

const decodeDateTime = Schema.decodeUnknownResult(Schema.DateTimeUtcFromString)
const decodeDuration = Schema.decodeUnknownResult(Schema.DurationFromIsoString)
const decodeDecimal = Schema.decodeUnknownResult(Codec.DecimalString)

const text = (value: string | number | boolean, limits: ValueLimits): Converted => {
  if (typeof value !== "string") return fail(`expected text, got ${show(value)}`)
  if (value.length > limits.maxLength) return fail(`at most ${limits.maxLength} characters`)
  const problem = Codec.textProblem(value)
  return problem === undefined ? Result.succeed(value) : fail(problem)
}

const boolean = (value: string | number | boolean): Converted => {
  if (typeof value === "boolean") return Result.succeed(value)
  const lower = String(value).toLowerCase()
  if (lower === "true" || lower === "1") return Result.succeed(true)
  if (lower === "false" || lower === "0") return Result.succeed(false)
  return fail(`expected true or false, got ${show(value)}`)
}

const integer = (value: string | number | boolean): Result.Result<number, string> => {
  const n = typeof value === "number" ? value : typeof value === "string" && integerText.test(value) ? Number(value) : NaN
  return Number.isSafeInteger(n) ? Result.succeed(n) : Result.fail(`expected an integer, got ${show(value)}`)
}

/** A value of `field`'s own kind. */
const fieldValue = (field: Field.Any, value: string | number | boolean, limits: ValueLimits): Converted => {
  const check = (converted: unknown, range: string): Converted =>
    field.isValue(converted) ? Result.succeed(converted) : fail(`${show(value)} is out of range for ${range}`)
  switch (field.lookupKind) {
    case "string": {
      const converted = text(value, limits)
      if (Result.isSuccess(converted) && field.choices !== undefined && !field.choices.includes(converted.success as string)) {
        return fail(`expected one of ${field.choices.join(", ")}, got ${show(value)}`)
      }
      return converted
    }
    case "number": {
      if (field.kind === "Float") {
        const n = typeof value === "number" ? value : typeof value === "string" && numberText.test(value.trim()) ? Number(value) : NaN
        return Number.isFinite(n) ? Result.succeed(n) : fail(`expected a number, got ${show(value)}`)
      }
      return Result.flatMap(integer(value), (n) => check(n, `${field.kind === "Integer" ? "an" : "a"} ${field.kind}`))
    }
    case "bigint": {
      if (typeof value === "number" && Number.isSafeInteger(value)) return check(BigInt(value), "a 64-bit integer")
      if (typeof value !== "string" || !integerText.test(value) || value.length > 21) return fail(`expected an integer, got ${show(value)}`)
      return check(BigInt(value), "a 64-bit integer")
    }
    case "decimal": {
      const written = typeof value === "number" ? String(value) : value
      if (typeof written !== "string" || !numberText.test(written.trim()) || written.length > 1000) {
        return fail(`expected a decimal number, got ${show(value)}`)
      }
      const decoded = decodeDecimal(written)
      return Result.isSuccess(decoded) ? check(decoded.success, "a decimal") : fail(`expected a decimal number, got ${show(value)}`)
    }
    case "boolean":
      return boolean(value)
    case "date":
      return Codec.isIsoDate(value) ? Result.succeed(value) : fail(`expected a date written YYYY-MM-DD, got ${show(value)}`)
    case "datetime": {
      if (typeof value !== "string" || !isoDateTimeText.test(value)) return fail(`expected an ISO 8601 date-time, got ${show(value)}`)
      const decoded = decodeDateTime(value)
      return Result.isSuccess(decoded) ? check(decoded.success, "a date-time") : fail(`expected an ISO 8601 date-time, got ${show(value)}`)
    }
    case "time":
      return Codec.isIsoTime(value) ? Result.succeed(value) : fail(`expected a time written HH:MM:SS, got ${show(value)}`)
    case "duration": {
      const decoded = typeof value === "string" && value.length <= 100 ? decodeDuration(value) : undefined
      return decoded !== undefined && Result.isSuccess(decoded) && Duration.isFinite(decoded.success)
        ? Result.succeed(decoded.success)
        : fail(`expected an ISO 8601 duration (PT1H30M), got ${show(value)}`)
    }
    case "uuid":
      return Codec.isUuid(value) ? Result.succeed(value) : fail(`expected a UUID, got ${show(value)}`)
    case "json":
      return fail("JSON fields are not filtered by value from parameters")
  }
}

/** Converts one parameter value for a lookup whose operand is a `target`. @internal */
export const convert = (field: Field.Any, target: Target, raw: unknown, limits: ValueLimits): Converted =>
  Result.flatMap(scalar(raw), (value): Converted => {
    switch (target) {
      case "field":
        return fieldValue(field, value, limits)
      case "text":
        return text(value, limits)
      case "integer":
        return integer(value)
      case "date":
        return Codec.isIsoDate(value) ? Result.succeed(value) : fail(`expected a date written YYYY-MM-DD, got ${show(value)}`)
      case "boolean":
        return boolean(value)
    }
  })

/**
 * The items of a list parameter (`in`, `range`): a JSON array, the repeated parameter of a query string, or one
 * comma-separated string (`"1,2,3"`).
 * @internal
 */
export const listItems = (raw: unknown, maxItems: number): Result.Result<ReadonlyArray<unknown>, string> => {
  const items = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : undefined
  if (items === undefined) return Result.fail(`expected a list, got ${show(raw)}`)
  if (items.length > maxItems) return Result.fail(`at most ${maxItems} values`)
  return Result.succeed(items)
}
