/**
 * The resolution of a JSON field's lookups: a path into the value (`path`, or its shorthand `key`) and the lookups
 * on the value there, or the containment and key lookups on the whole value. Every path element, key and value is
 * checked here and travels as a parameter; what is wrong is a FieldError naming the field, before any SQL.
 * @internal
 */
import * as Codec from "./codec.js"
import type * as Field from "../Field.js"
import { lookupNames } from "../Lookup.js"
import type { Column, Operand, Where } from "./query.js"

/**
 * What a JSON lookup applies to: the value at `path` (the whole value when undefined), or that value as text (`#>>`,
 * for the text lookups). `compareAs` is the JSON type `gt`, `gte`, `lt` and `lte` compare.
 * @internal
 */
export interface JsonTarget {
  readonly path: ReadonlyArray<string> | undefined
  readonly text: boolean
  readonly compareAs?: "number" | "string" | undefined
}

/** Lookups on the value as text: a string without its quotes, other values as their JSON text. */
const textLookups: ReadonlyArray<string> = [
  "iexact", "icontains", "startsWith", "iStartsWith", "endsWith", "iEndsWith", "regex", "iregex"
]

/** Every lookup of a JSON field, on the whole value or at a path (`path` and `key` choose the path). */
const names = lookupNames.json

const selectors = ["path", "key"]

/** Whether a filter value needs this module: a path, or a lookup other than the whole value's `exact` and `isNull`. @internal */
export const isJsonFilter = (value: Record<string, unknown>): boolean =>
  Object.keys(value).some((k) => value[k] !== undefined && k !== "exact" && k !== "isNull")

/** How the resolver reports a problem (it throws a FieldError naming the field) and shows a value. @internal */
export interface Context {
  readonly fail: (reason: string) => never
  readonly describe: (u: unknown) => string
}

/** Maps every index of an array, holes included (`map` skips them, and a hole would travel as null). */
const each = <A>(items: ReadonlyArray<unknown>, f: (u: unknown) => A): Array<A> => {
  const result: Array<A> = []
  for (let i = 0; i < items.length; i++) result.push(f(items[i]))
  return result
}

/** A path element as `#>` takes it: text; an integer indexes an array (negative from the end). */
const element = (u: unknown, ctx: Context): string => {
  if (typeof u === "string") {
    const problem = Codec.textProblem(u)
    if (problem !== undefined) ctx.fail(`a path key: ${problem}`)
    return u
  }
  if (Number.isSafeInteger(u)) return String(u)
  return ctx.fail(`a path holds keys (strings) and array indexes (integers), got ${ctx.describe(u)}`)
}

const pathOf = (value: Record<string, unknown>, ctx: Context): ReadonlyArray<string> | undefined => {
  const path = value.path
  const key = value.key
  if (path !== undefined && key !== undefined) ctx.fail("give either `path` or `key`, not both")
  if (key !== undefined) return [element(key, ctx)]
  if (path === undefined) return undefined
  if (!Array.isArray(path)) ctx.fail(`\`path\` expects an array of keys and indexes, got ${ctx.describe(path)}`)
  if ((path as ReadonlyArray<unknown>).length === 0) ctx.fail("`path` needs at least one key (lookups without a path apply to the whole value)")
  return each(path as ReadonlyArray<unknown>, (u) => element(u, ctx))
}

/** A value as jsonb text, or a FieldError when jsonb cannot hold it exactly. */
const jsonText = (lookup: string, u: unknown, ctx: Context): string => {
  if (u === undefined) ctx.fail(`lookup "${lookup}" expects a JSON value, got undefined`)
  const problem = Codec.jsonProblem(u)
  if (problem !== undefined) ctx.fail(`lookup "${lookup}" expects a JSON value (${problem}), got ${ctx.describe(u)}`)
  return JSON.stringify(u)
}

const keyList = (lookup: string, u: unknown, ctx: Context): ReadonlyArray<string> => {
  if (!Array.isArray(u)) ctx.fail(`lookup "${lookup}" expects an array of keys, got ${ctx.describe(u)}`)
  return each(u as ReadonlyArray<unknown>, (k) => key(lookup, k, ctx))
}

const key = (lookup: string, u: unknown, ctx: Context): string => {
  if (typeof u !== "string") ctx.fail(`lookup "${lookup}" expects a key (a string), got ${ctx.describe(u)}`)
  const problem = Codec.textProblem(u as string)
  if (problem !== undefined) ctx.fail(`lookup "${lookup}": ${problem}`)
  return u as string
}

/**
 * Resolves the lookups object of a JSON field `column` (`isJsonFilter` holds for it) into checked conditions, all of
 * which must hold.
 * @internal
 */
export const resolve = (column: Column, value: Record<string, unknown>, ctx: Context): Where => {
  const path = pathOf(value, ctx)
  const field: Field.Any = column.field
  const nodes: Array<Where> = []
  const leaf = (lookup: string, operands: ReadonlyArray<Operand>, json: JsonTarget | undefined): Where =>
    ({ _tag: "Leaf", column, transform: undefined, lookup, operands, ...(json === undefined ? {} : { json }) })
  const param = (u: unknown): ReadonlyArray<Operand> => [{ _tag: "Param", value: u }]
  const target: JsonTarget = { path, text: false }
  for (const lookup of Object.keys(value)) {
    const v = value[lookup]
    if (v === undefined || selectors.includes(lookup)) continue
    if (!names.includes(lookup)) {
      ctx.fail(`unsupported lookup "${lookup}" for a JSON field; choices are path, key, ${names.join(", ")}`)
    }
    if (path === undefined && lookup === "exact") {
      // The whole value: written through the field's schema, `null` meaning SQL NULL, as a bare `exact`.
      if (v === null) {
        nodes.push(leaf("exact", [], undefined))
        continue
      }
      if (!field.isValue(v)) {
        const why = field.validate(v)
        ctx.fail(`lookup "exact" expects a JSON value of the field's schema${why === undefined ? "" : ` (${why.split("\n")[0]})`}, got ${ctx.describe(v)}`)
      }
      nodes.push(leaf("exact", param(field.toDb(v)), undefined))
      continue
    }
    if (lookup === "isNull") {
      if (typeof v !== "boolean") ctx.fail(`lookup "isNull" expects a boolean, got ${ctx.describe(v)}`)
      nodes.push(leaf("isNull", param(v), path === undefined ? undefined : target))
      continue
    }
    if (textLookups.includes(lookup)) {
      if (typeof v !== "string") ctx.fail(`lookup "${lookup}" expects a string, got ${ctx.describe(v)}`)
      const problem = Codec.textProblem(v as string)
      if (problem !== undefined) ctx.fail(`lookup "${lookup}": ${problem}`)
      nodes.push(leaf(lookup, param(v), { path, text: true }))
      continue
    }
    switch (lookup) {
      case "exact":
        // At a path, `null` is JSON null: the key is there and holds null.
        nodes.push(leaf(lookup, param(jsonText(lookup, v, ctx)), target))
        break
      case "in": {
        if (!Array.isArray(v)) ctx.fail(`lookup "in" expects an array, got ${ctx.describe(v)}`)
        if ((v as ReadonlyArray<unknown>).length === 0) {
          nodes.push({ _tag: "Const", value: false })
          break
        }
        // The list is checked whole: every element (holes too) must be JSON; each travels as its JSON text.
        jsonText(lookup, v, ctx)
        nodes.push(leaf(lookup, param(each(v as ReadonlyArray<unknown>, (item) => JSON.stringify(item))), target))
        break
      }
      case "gt":
      case "gte":
      case "lt":
      case "lte": {
        const compareAs = typeof v === "number" && Number.isFinite(v) ? "number" : typeof v === "string" ? "string" : undefined
        if (compareAs === undefined) ctx.fail(`lookup "${lookup}" expects a number or a string, got ${ctx.describe(v)}`)
        nodes.push(leaf(lookup, param(jsonText(lookup, v, ctx)), { path, text: false, compareAs }))
        break
      }
      case "contains":
      case "containedBy":
        nodes.push(leaf(lookup, param(jsonText(lookup, v, ctx)), target))
        break
      case "hasKey":
        nodes.push(leaf(lookup, param(key(lookup, v, ctx)), target))
        break
      case "hasKeys":
      case "hasAnyKeys":
        nodes.push(leaf(lookup, param(keyList(lookup, v, ctx)), target))
        break
    }
  }
  if (nodes.length === 0 && path !== undefined) ctx.fail("a path needs lookups to apply there, e.g. { path: [...], exact: value }")
  return { _tag: "And", nodes }
}
