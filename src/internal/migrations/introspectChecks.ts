/**
 * Check constraints read back from PostgreSQL, for `inspectdb`: the condition `pg_get_constraintdef` prints (or the
 * ORM's own SQL, as a state holds it) is parsed into a small tree, turned into the filter a model's `check` option
 * would hold, and rendered again by the ORM (`checkSql`), so that a check the ORM made compares equal to the state of
 * its model. A condition the filters cannot express (a function call, `<>`, a part of a date, a cast that changes a
 * value) gives `undefined`: the caller keeps its SQL as it is.
 * @internal
 */
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import { F } from "../../Expr.js"
import * as Field from "../../Field.js"
import { Q } from "../../Lookup.js"
import type * as Model from "../../Model.js"
import { checkSql } from "../ddl.js"
import { intervalMicros, parseSql, type Sql, stripCasts, timestampMillis } from "./introspectSql.js"
import type { FieldState, ModelState } from "./state.js"

// ---- filters, as data ----

/** A value in a filter. @internal */
export type Value =
  | { readonly t: "num"; readonly v: number }
  | { readonly t: "big"; readonly v: string }
  | { readonly t: "dec"; readonly v: string }
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "bool"; readonly v: boolean }
  | { readonly t: "dateTime"; readonly iso: string }
  | { readonly t: "duration"; readonly micros: string }
  | { readonly t: "f"; readonly field: string }
  | { readonly t: "arith"; readonly op: string; readonly l: Value; readonly r: Value }
  | { readonly t: "list"; readonly items: ReadonlyArray<Value> }

/** A filter: an object of field lookups, or Q's combinators. @internal */
export type Filter =
  | { readonly t: "obj"; readonly entries: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, Value]>]> }
  | { readonly t: "and" | "or"; readonly items: ReadonlyArray<Filter> }
  | { readonly t: "not"; readonly x: Filter }

const ARITH: Record<string, "add" | "sub" | "mul" | "div"> = { "+": "add", "-": "sub", "*": "mul", "/": "div" }
const COMPARE: Record<string, string> = { "=": "exact", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte" }
const FLIP: Record<string, string> = { "=": "=", ">": "<", ">=": "<=", "<": ">", "<=": ">=" }

class Unexpressible extends Error {}
const fail = (why: string): never => {
  throw new Unexpressible(why)
}

/** Converts a parsed condition into a filter over `model`'s fields. */
class ToFilter {
  readonly byColumn = new Map<string, readonly [string, FieldState]>()
  constructor(readonly model: ModelState) {
    for (const [key, field] of Object.entries(model.fields)) this.byColumn.set(field.column, [key, field])
  }
  column(x: Sql): readonly [string, FieldState] | undefined {
    const s = stripCasts(x)
    return s.t === "col" ? this.byColumn.get(s.name) ?? fail(`unknown column ${s.name}`) : undefined
  }
  literal(x: Sql, field: FieldState): Value {
    const s = stripCasts(x)
    if (s.t !== "lit" || s.v === null) return fail("not a literal")
    const text = typeof s.v === "number" ? s.text : String(s.v)
    switch (field.kind) {
      case "AutoField":
      case "Integer":
      case "SmallInteger":
      case "Float": {
        const n = Number(text)
        return typeof s.v === "boolean" || !Number.isFinite(n) ? fail("not a number") : { t: "num", v: n }
      }
      case "BigAutoField":
      case "BigInteger":
        return /^-?\d+$/.test(text) ? { t: "big", v: String(BigInt(text)) } : fail("not an integer")
      case "Decimal":
        return /^-?(\d+(\.\d*)?|\.\d+)$/.test(text) ? { t: "dec", v: text } : fail("not a decimal")
      case "Boolean":
        return typeof s.v === "boolean" ? { t: "bool", v: s.v } : fail("not a boolean")
      case "Char":
      case "Text":
      case "Date":
      case "Time":
      case "UUID":
        return typeof s.v === "string" ? { t: "str", v: s.v } : fail("not a string")
      case "DateTime": {
        const ms = typeof s.v === "string" ? timestampMillis(s.v) : undefined
        const date = ms === undefined ? undefined : new Date(ms)
        return date !== undefined && date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999
          ? { t: "dateTime", iso: date.toISOString() }
          : fail("not a timestamp")
      }
      case "Duration": {
        const micros = typeof s.v === "string" ? intervalMicros(s.v) : undefined
        return micros === undefined ? fail("not an interval") : { t: "duration", micros: String(micros) }
      }
      default:
        return fail(`literals of ${field.kind} fields`)
    }
  }
  operand(x: Sql, field: FieldState): Value {
    const s = stripCasts(x)
    if (s.t === "lit") return this.literal(s, field)
    return this.expr(x, field)
  }
  /** An `F(...)` expression; its literal operands take the type of the field compared. */
  expr(x: Sql, field: FieldState): Value {
    const s = stripCasts(x)
    if (s.t === "col") return { t: "f", field: this.column(s)![0] }
    if (s.t === "bin" && ARITH[s.op] !== undefined) {
      const l = this.expr(s.l, field)
      const rs = stripCasts(s.r)
      const r = rs.t === "lit" ? this.literal(rs, field) : this.expr(s.r, field)
      return { t: "arith", op: s.op, l, r }
    }
    return fail("an expression")
  }
  condition(x: Sql): Filter {
    switch (x.t) {
      case "and":
      case "or": {
        const items = x.items.map((i) => this.condition(i))
        return x.t === "and" ? merge(items) : { t: "or", items }
      }
      case "is":
        if (x.what === "not true") return { t: "not", x: this.condition(x.x) }
        if (x.what === "null" || x.what === "not null") {
          const [key] = this.column(x.x) ?? fail("IS NULL of an expression")
          return leaf(key, "isNull", { t: "bool", v: x.what === "null" })
        }
        return fail(`IS ${x.what}`)
      case "list": {
        if (x.op !== "=") return fail(`${x.op} ANY`)
        const [key, field] = this.column(x.l) ?? fail("IN of an expression")
        return leaf(key, "in", { t: "list", items: x.items.map((i) => this.literal(i, field)) })
      }
      case "bin": {
        let l = x.l
        let r = x.r
        let op = x.op
        if (this.column(l) === undefined && FLIP[op] !== undefined && this.column(r) !== undefined) {
          ;[l, r, op] = [r, l, FLIP[op]!]
        }
        const [key, field] = this.column(l) ?? fail("a condition on an expression")
        if (COMPARE[op] !== undefined) return leaf(key, COMPARE[op]!, this.operand(r, field))
        if (op === "~" || op === "~*") {
          const v = stripCasts(r)
          return v.t === "lit" && typeof v.v === "string" ? leaf(key, op === "~" ? "regex" : "iregex", { t: "str", v: v.v }) : fail("a pattern")
        }
        if (op === "~~" || op === "~~*") return this.like(key, r, op === "~~*")
        return fail(op)
      }
      default:
        return fail(x.t)
    }
  }
  like(key: string, r: Sql, insensitive: boolean): Filter {
    const v = stripCasts(r)
    if (v.t !== "lit" || typeof v.v !== "string") return fail("a pattern")
    const p = v.v
    const lead = p.startsWith("%")
    // A final `%` is a wildcard unless an odd number of backslashes escapes it.
    const slashes = /(\\*)%$/.exec(p)?.[1]?.length
    const trail = slashes !== undefined && slashes % 2 === 0 && p.length > (lead ? 1 : 0)
    const core = p.slice(lead ? 1 : 0, trail ? p.length - 1 : p.length)
    let text = ""
    for (let i = 0; i < core.length; i++) {
      const c = core[i]!
      if (c === "\\") {
        const next = core[i + 1]
        if (next === undefined || !"\\%_".includes(next)) return fail("a pattern")
        text += next
        i++
      } else if (c === "%" || c === "_") return fail("a pattern with wildcards inside")
      else text += c
    }
    const lookup = lead && trail ? "contains" : lead ? "endsWith" : trail ? "startsWith" : insensitive ? "iexact" : fail("LIKE without a wildcard")
    const named = insensitive && lookup !== "iexact"
      ? { contains: "icontains", endsWith: "iEndsWith", startsWith: "iStartsWith" }[lookup as "contains"]
      : lookup
    return leaf(key, named, { t: "str", v: text })
  }
}

const leaf = (key: string, lookup: string, value: Value): Filter => ({ t: "obj", entries: [[key, [[lookup, value]]]] })

type Entry = readonly [string, ReadonlyArray<readonly [string, Value]>]

/** The field and lookups of a filter that is one object over one field. */
const oneField = (f: Filter | undefined): Entry | undefined =>
  f !== undefined && f.t === "obj" && f.entries.length === 1 ? f.entries[0] : undefined

/**
 * A conjunction (its operands grouped as PostgreSQL groups them), as the object the ORM would render the same way
 * when there is one, else `Q.and`. An object renders its first field's lookups flat (PostgreSQL merges that left
 * operand) and each further field as one operand: a comparison, or the AND of its lookups.
 */
const merge = (items: ReadonlyArray<Filter>): Filter => {
  const first = oneField(items[0])
  if (first === undefined || first[1].length !== 1) return { t: "and", items }
  const entries: Array<Entry> = [[first[0], [...first[1]]]]
  let i = 1
  for (; i < items.length; i++) {
    const next = oneField(items[i])
    if (next === undefined || next[0] !== first[0] || next[1].length !== 1) break
    entries[0] = [first[0], [...entries[0]![1], ...next[1]]]
  }
  for (; i < items.length; i++) {
    const next = oneField(items[i])
    if (next === undefined) return { t: "and", items }
    entries.push(next)
  }
  const distinct = new Set(entries.map(([key]) => key)).size === entries.length &&
    entries.every(([, lookups]) => new Set(lookups.map(([l]) => l)).size === lookups.length)
  return distinct ? { t: "obj", entries } : { t: "and", items }
}

// ---- filters as runtime values and as code ----

const runtimeValue = (v: Value): unknown => {
  switch (v.t) {
    case "num":
    case "str":
    case "bool":
      return v.v
    case "big":
      return BigInt(v.v)
    case "dec":
      return BigDecimal.fromStringUnsafe(v.v)
    case "dateTime":
      return DateTime.makeUnsafe(v.iso)
    case "duration":
      return Duration.micros(BigInt(v.micros))
    case "f":
      return F(v.field)
    case "arith": {
      const l = runtimeValue(v.l) as ReturnType<typeof F>
      return l[ARITH[v.op]!](runtimeValue(v.r) as number)
    }
    case "list":
      return v.items.map(runtimeValue)
  }
}

/** The filter as the value a model's `check` option holds. @internal */
export const runtimeFilter = (f: Filter): unknown => {
  switch (f.t) {
    case "obj":
      return Object.fromEntries(f.entries.map(([key, lookups]) => [key, Object.fromEntries(lookups.map(([l, v]) => [l, runtimeValue(v)]))]))
    case "and":
      return Q.and(...(f.items.map(runtimeFilter) as Array<any>))
    case "or":
      return Q.or(...(f.items.map(runtimeFilter) as Array<any>))
    case "not":
      return Q.not(runtimeFilter(f.x) as any)
  }
}

/** What the code of a filter needs imported. @internal */
export interface CodeNeeds {
  q?: boolean
  f?: boolean
  /** Other names imported from the ORM (`Lower`, `Value`, ...). */
  names?: Set<string>
  bigDecimal?: boolean
  dateTime?: boolean
  duration?: boolean
}

const valueCode = (v: Value, needs: CodeNeeds): string => {
  switch (v.t) {
    case "num":
      return Object.is(v.v, -0) ? "-0" : String(v.v)
    case "big":
      return `${v.v}n`
    case "dec":
      needs.bigDecimal = true
      return `BigDecimal.fromStringUnsafe(${JSON.stringify(v.v)})`
    case "str":
      return JSON.stringify(v.v)
    case "bool":
      return String(v.v)
    case "dateTime":
      needs.dateTime = true
      return `DateTime.makeUnsafe(${JSON.stringify(v.iso)})`
    case "duration":
      needs.duration = true
      return `Duration.micros(${v.micros}n)`
    case "f":
      needs.f = true
      return `F(${JSON.stringify(v.field)})`
    case "arith":
      return `${valueCode(v.l, needs)}.${ARITH[v.op]}(${valueCode(v.r, needs)})`
    case "list":
      return `[${v.items.map((i) => valueCode(i, needs)).join(", ")}]`
  }
}

/** A property key as code: bare when it is an identifier. @internal */
export const propertyKey = (key: string): string => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key)

/** The filter as TypeScript source. @internal */
export const filterCode = (f: Filter, needs: CodeNeeds): string => {
  switch (f.t) {
    case "obj":
      return `{ ${
        f.entries.map(([key, lookups]) => `${propertyKey(key)}: { ${lookups.map(([l, v]) => `${l}: ${valueCode(v, needs)}`).join(", ")} }`).join(", ")
      } }`
    case "and":
    case "or":
      needs.q = true
      // Q's combinators cannot infer the model's columns inside its own declaration.
      return `Q.${f.t}<any>(${f.items.map((i) => filterCode(i, needs)).join(", ")})`
    case "not":
      needs.q = true
      return `Q.not<any>(${filterCode(f.x, needs)})`
  }
}

// ---- rendering through the ORM ----

const fieldOf = (state: FieldState): Field.Any => {
  switch (state.kind) {
    case "AutoField":
    case "Integer":
      return Field.Integer()
    case "BigAutoField":
    case "BigInteger":
      return Field.BigInteger()
    case "SmallInteger":
      return Field.SmallInteger()
    case "Char":
      return Field.Char({ maxLength: state.maxLength ?? 1 })
    case "Text":
      return Field.Text()
    case "Float":
      return Field.Float()
    case "Decimal":
      return Field.Decimal({ maxDigits: state.maxDigits ?? 1, decimalPlaces: state.decimalPlaces ?? 0 })
    case "Boolean":
      return Field.Boolean()
    case "Date":
      return Field.Date()
    case "DateTime":
      return Field.DateTime()
    case "Time":
      return Field.Time()
    case "Duration":
      return Field.Duration()
    case "UUID":
      return Field.UUID()
    case "JSON":
      return Field.Text()
  }
}

/**
 * A stand-in model with the columns of a model state, for `checkSql` (and the SQL of expression indexes): not
 * declared with `Model.Class`, so it is never registered among the models in use.
 * @internal
 */
export const standIn = (model: ModelState): Model.Any => {
  const fields: Record<string, Field.Any> = {}
  const columns: Record<string, string> = {}
  let pk = Object.keys(model.fields)[0] ?? "id"
  for (const [key, state] of Object.entries(model.fields)) {
    fields[key] = fieldOf(state)
    columns[key] = state.column
    if (state.primaryKey) pk = key
  }
  const meta: Model.Meta<any> = {
    name: model.name,
    table: model.table,
    fields,
    relations: {},
    columns,
    pk,
    version: undefined,
    ordering: [],
    indexes: [],
    constraints: []
  }
  return { meta } as unknown as Model.Any
}

/** The ORM's SQL of a filter on `model`, or `undefined` when the ORM refuses it. @internal */
export const renderFilter = (model: ModelState, filter: Filter): string | undefined => {
  try {
    return checkSql(standIn(model), runtimeFilter(filter))
  } catch {
    return undefined
  }
}

/**
 * The filter of a check condition (as PostgreSQL prints it, or as the ORM writes it) and the ORM's SQL for it, or
 * `undefined` when the filters cannot express it.
 * @internal
 */
export const checkFilter = (
  model: ModelState,
  sql: string
): { readonly filter: Filter; readonly sql: string } | undefined => {
  let filter: Filter
  try {
    filter = new ToFilter(model).condition(parseSql(sql))
  } catch {
    return undefined
  }
  const rendered = renderFilter(model, filter)
  return rendered === undefined ? undefined : { filter, sql: rendered }
}

/**
 * The values of a `choices` check (`col IN (...)`, printed `col = ANY (ARRAY[...])`, or `col = v` for one value) on
 * the column `column`, or `undefined`.
 * @internal
 */
export const choicesOf = (sql: string, column: string, kind: Field.FieldKind): ReadonlyArray<string | number> | undefined => {
  let parsed: Sql
  try {
    parsed = parseSql(sql)
  } catch {
    return undefined
  }
  const numeric = kind === "Integer" || kind === "SmallInteger"
  if (!numeric && kind !== "Char" && kind !== "Text") return undefined
  const lhs = parsed.t === "list" || parsed.t === "bin" ? stripCasts(parsed.l) : undefined
  if (lhs === undefined || lhs.t !== "col" || lhs.name !== column || (parsed.t === "bin" && parsed.op !== "=")) return undefined
  if (parsed.t === "list" && parsed.op !== "=") return undefined
  const items = parsed.t === "list" ? parsed.items : [(parsed as Extract<Sql, { t: "bin" }>).r]
  const values: Array<string | number> = []
  for (const item of items) {
    const s = stripCasts(item)
    if (s.t !== "lit") return undefined
    if (numeric) {
      const n = Number(s.t === "lit" && typeof s.v === "number" ? s.text : s.v)
      if (!Number.isSafeInteger(n) || typeof s.v === "boolean" || s.v === null) return undefined
      values.push(n)
    } else {
      if (typeof s.v !== "string") return undefined
      values.push(s.v)
    }
  }
  return values
}
