/**
 * PostgreSQL's spellings of JSON lookups, and nothing else: each function takes SQL text already compiled (the
 * column, parameter placeholders) and returns SQL text. The path and every value arrive as placeholders, so no user
 * text reaches the SQL here; a later dialect routes these functions to its own spellings.
 * @internal
 */
import type { JsonTarget } from "./jsonLookups.js"

/** A `text[]` from one array parameter. @internal */
export const textArray = (param: string): string => `${param}::text[]`

/** A `text[]` from one placeholder (or literal) per element: DDL, which takes no parameters, writes arrays so. @internal */
export const textArrayOf = (elements: ReadonlyArray<string>): string => `ARRAY[${elements.join(", ")}]::text[]`

/** The JSON value at a path (`#>`, a `text[]`): SQL NULL where the path leads nowhere. @internal */
export const extract = (lhs: string, path: string): string => `(${lhs} #> ${path})`

/**
 * The value at a path as text (`#>>`): a string without its quotes, other values as JSON text. `path` undefined
 * means the whole value.
 * @internal
 */
export const extractText = (lhs: string, path: string | undefined): string =>
  path === undefined ? `(${lhs} #>> '{}')` : `(${lhs} #>> ${path})`

/** JSON equality (jsonb's: `1` equals `1.0`, object keys in any order). @internal */
export const equals = (value: string, param: string): string => `${value} = ${param}::jsonb`

/** Absent (SQL NULL): a missing key, a path through a scalar, or a NULL column; JSON null is present. @internal */
export const isAbsent = (value: string, absent: boolean): string => `${value} IS ${absent ? "" : "NOT "}NULL`

/**
 * Equal to one of the values of a `text[]` of JSON texts: one parameter, whatever the number of values, and no
 * subquery (which a check constraint cannot hold).
 * @internal
 */
export const inArray = (value: string, texts: string): string => `${value} = ANY(${texts}::jsonb[])`

/** The comparison operators of `gt`, `gte`, `lt` and `lte`. @internal */
export type Comparison = ">" | ">=" | "<" | "<="

/**
 * An ordering comparison between values of one JSON type: jsonb orders across types too (every boolean after every
 * number), which a filter `gt: 3` must not match, so the value's type is checked first.
 * @internal
 */
export const compare = (value: string, op: Comparison, param: string, type: "number" | "string"): string =>
  `(jsonb_typeof(${value}) = '${type}' AND ${value} ${op} ${param}::jsonb)`

/** jsonb containment (`@>`), which a GIN index serves. @internal */
export const contains = (value: string, param: string): string => `${value} @> ${param}::jsonb`

/** Contained in (`<@`). @internal */
export const containedBy = (value: string, param: string): string => `${value} <@ ${param}::jsonb`

/** A top-level key of an object, or a string element of an array (`?`). @internal */
export const hasKey = (value: string, param: string): string => `${value} ? ${param}`

/** Every one of the keys (`?&`, a `text[]`); an empty list holds. @internal */
export const hasKeys = (value: string, keys: string): string => `${value} ?& ${keys}`

/** Any one of the keys (`?|`, a `text[]`); an empty list matches nothing. @internal */
export const hasAnyKeys = (value: string, keys: string): string => `${value} ?| ${keys}`

/** Where a statement's parameters go: placeholders, or literals in DDL (`inline`). @internal */
export interface Params {
  readonly inline: boolean
  readonly param: (value: unknown) => string
}

/**
 * A JSON lookup of the resolver (`jsonLookups.ts`) on `lhs`, the column: its SQL, or, for a lookup on the value as
 * text, the text (`#>>`) that the text lookups of the compiler compare. The path is bound first, then the operand.
 * @internal
 */
export const leaf = (
  lhs: string,
  target: JsonTarget,
  name: string,
  operand: unknown,
  w: Params
): { readonly sql: string } | { readonly text: string } => {
  // One array parameter keeps the text the same for any number of elements; DDL spells the elements out.
  const array = (values: ReadonlyArray<unknown>) => w.inline ? textArrayOf(values.map((v) => w.param(v))) : textArray(w.param(values))
  const path = target.path === undefined ? undefined : array(target.path)
  if (target.text) return { text: extractText(lhs, path) }
  const value = path === undefined ? lhs : extract(lhs, path)
  switch (name) {
    case "exact":
      return { sql: equals(value, w.param(operand)) }
    case "isNull":
      return { sql: isAbsent(value, operand === true) }
    case "in":
      return { sql: inArray(value, array(operand as ReadonlyArray<string>)) }
    case "contains":
      return { sql: contains(value, w.param(operand)) }
    case "containedBy":
      return { sql: containedBy(value, w.param(operand)) }
    case "hasKey":
      return { sql: hasKey(value, w.param(operand)) }
    case "hasKeys":
      return { sql: hasKeys(value, array(operand as ReadonlyArray<string>)) }
    case "hasAnyKeys":
      return { sql: hasAnyKeys(value, array(operand as ReadonlyArray<string>)) }
    case "gt":
      return { sql: compare(value, ">", w.param(operand), target.compareAs!) }
    case "gte":
      return { sql: compare(value, ">=", w.param(operand), target.compareAs!) }
    case "lt":
      return { sql: compare(value, "<", w.param(operand), target.compareAs!) }
    case "lte":
      return { sql: compare(value, "<=", w.param(operand), target.compareAs!) }
  }
  throw new Error(`Unknown JSON lookup ${name}`)
}
