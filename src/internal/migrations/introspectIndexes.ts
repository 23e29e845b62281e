/**
 * Expression indexes and partial indexes read back from PostgreSQL, for `inspectdb`. PostgreSQL keeps an index's
 * expressions as parse trees and prints them normalised (`lower((title)::text)` for the ORM's `LOWER("title")`, casts
 * made explicit, names unquoted), so the text never matches what a model compiles to. As for checks
 * (`introspectChecks.ts`), each expression is parsed, turned into the ORM's expression (`Lower("title")`) when it is a
 * column, a literal, arithmetic, `Extract` or one of the functions below, and rendered again by the ORM: the state
 * then holds the ORM's SQL, which equals the state of the model it came from. What cannot be turned back (a function
 * the ORM does not have, `CASE`, a cast of its own, an operator) keeps PostgreSQL's SQL, with a warning, and
 * `modelCode` writes such an index as a comment. A partial index's condition is read as a check's is.
 * @internal
 */
import * as Expr from "../../Expr.js"
import * as Functions from "../../Functions.js"
import { indexExpressionSql } from "../ddl.js"
import { checkFilter, type CodeNeeds, filterCode, standIn } from "./introspectChecks.js"
import { parseSql, type Sql, stripCasts } from "./introspectSql.js"
import type { FieldState, IndexState, ModelState } from "./state.js"

/** The functions read back, by PostgreSQL's name: the ORM's name and how many arguments each takes. */
const FUNCTIONS: Record<string, { readonly name: keyof typeof Functions; readonly arity: readonly [number, number] }> = {
  lower: { name: "Lower", arity: [1, 1] },
  upper: { name: "Upper", arity: [1, 1] },
  length: { name: "Length", arity: [1, 1] },
  abs: { name: "Abs", arity: [1, 1] },
  ceil: { name: "Ceil", arity: [1, 1] },
  floor: { name: "Floor", arity: [1, 1] },
  sqrt: { name: "Sqrt", arity: [1, 1] },
  power: { name: "Power", arity: [2, 2] },
  mod: { name: "Mod", arity: [2, 2] },
  nullif: { name: "NullIf", arity: [2, 2] },
  coalesce: { name: "Coalesce", arity: [2, Infinity] },
  greatest: { name: "Greatest", arity: [2, Infinity] },
  least: { name: "Least", arity: [2, Infinity] },
  substr: { name: "Substr", arity: [2, 3] },
  replace: { name: "Replace", arity: [3, 3] },
  strpos: { name: "StrIndex", arity: [2, 2] }
}

/** PostgreSQL's names of `Extract`'s parts. */
const PARTS: Record<string, Functions.Part> = {
  year: "year",
  isoyear: "isoYear",
  quarter: "quarter",
  month: "month",
  week: "week",
  day: "day",
  doy: "dayOfYear",
  isodow: "isoWeekDay",
  hour: "hour",
  minute: "minute",
  second: "second",
  epoch: "epoch"
}

class Unexpressible extends Error {}
const fail = (why: string): never => {
  throw new Unexpressible(why)
}

/**
 * A translated operand: what a function of `Functions` takes (`"title"` for a column, a number, an expression) with
 * its code, and the operand as an expression of its own (`F("title")`) with its code.
 */
interface Operand {
  readonly arg: unknown
  readonly argCode: string
  readonly expr: Expr.Any
  readonly exprCode: string
  /** A number literal: arithmetic takes it as it is. */
  readonly number?: number
}

const ARITH: Record<string, "add" | "sub" | "mul" | "div"> = { "+": "add", "-": "sub", "*": "mul", "/": "div" }

/** Converts a parsed expression into the ORM's expression over `model`'s fields. */
class ToExpr {
  readonly byColumn = new Map<string, readonly [string, FieldState]>()
  constructor(readonly model: ModelState, readonly needs: CodeNeeds) {
    for (const [key, field] of Object.entries(model.fields)) this.byColumn.set(field.column, [key, field])
  }
  use(name: string): string {
    ;(this.needs.names ??= new Set()).add(name)
    return name
  }
  column(name: string): Operand {
    const [key] = this.byColumn.get(name) ?? fail(`unknown column ${name}`)
    this.needs.f = true
    return { arg: key, argCode: JSON.stringify(key), expr: Expr.F(key), exprCode: `F(${JSON.stringify(key)})` }
  }
  literal(x: Extract<Sql, { t: "lit" }>): Operand {
    if (typeof x.v === "number") {
      const n = Number(x.text)
      if (!Number.isFinite(n)) fail("not a number")
      const code = Object.is(n, -0) ? "-0" : String(n)
      return { arg: n, argCode: code, expr: Expr.Value(n), exprCode: `${this.use("Value")}(${code})`, number: n }
    }
    if (typeof x.v === "string") {
      const code = `${this.use("Value")}(${JSON.stringify(x.v)})`
      return { arg: Expr.Value(x.v), argCode: code, expr: Expr.Value(x.v), exprCode: code }
    }
    return fail("a literal other than a number or a string")
  }
  of(expr: Expr.Any, code: string): Operand {
    return { arg: expr, argCode: code, expr, exprCode: code }
  }
  extract(x: Extract<Sql, { t: "extract" }>): Operand {
    const part = PARTS[x.part] ?? fail(`the part ${x.part}`)
    // A timestamp's parts are the ORM's in UTC: `EXTRACT(... FROM (at AT TIME ZONE 'UTC'))`.
    let source = stripCasts(x.x)
    let utc = false
    if (source.t === "atZone") {
      const zone = stripCasts(source.zone)
      if (zone.t !== "lit" || zone.v !== "UTC") fail("a time zone other than UTC")
      utc = true
      source = stripCasts(source.x)
    }
    if (source.t !== "col") return fail("a part of an expression")
    const [key, field] = this.byColumn.get(source.name) ?? fail(`unknown column ${source.name}`)
    if ((field.kind === "DateTime") !== utc) fail("a part of a timestamp not in UTC")
    return this.of(Functions.Extract(key, part), `${this.use("Extract")}(${JSON.stringify(key)}, ${JSON.stringify(part)})`)
  }
  expr(x: Sql): Operand {
    // The ORM reads a part as a float (`::float8`); another part's type is another expression.
    if (x.t === "cast" && (x.type === "double precision" || x.type === "float8")) {
      const inner = stripCasts(x.x)
      if (inner.t === "extract") return this.extract(inner)
    }
    const s = stripCasts(x)
    switch (s.t) {
      case "col":
        return this.column(s.name)
      case "lit":
        return this.literal(s)
      case "bin": {
        const method = ARITH[s.op] ?? fail(`the operator ${s.op}`)
        const l = this.expr(s.l)
        const r = this.expr(s.r)
        if (l.number !== undefined) fail("arithmetic on a literal")
        const right = r.number ?? r.expr
        const code = `${l.exprCode}.${method}(${r.number === undefined ? r.exprCode : r.argCode})`
        return this.of((l.expr[method] as (o: unknown) => Expr.Any)(right), code)
      }
      case "call": {
        const spec = FUNCTIONS[s.fn] ?? (s.fn === "round" ? undefined : fail(`the function ${s.fn}`))
        const args = s.args.map((a) => this.expr(a))
        if (spec === undefined) {
          // round(x, places): the places a number.
          const places = args[1]?.number
          if (args.length !== 2 || places === undefined || !Number.isSafeInteger(places)) fail("round without its places")
          return this.of(Functions.Round(args[0]!.arg as never, places), `${this.use("Round")}(${args[0]!.argCode}, ${places})`)
        }
        if (args.length < spec.arity[0] || args.length > spec.arity[1]) fail(`${s.fn} with ${args.length} arguments`)
        const build = Functions[spec.name] as (...a: ReadonlyArray<unknown>) => Expr.Any
        return this.of(build(...args.map((a) => a.arg)), `${this.use(spec.name)}(${args.map((a) => a.argCode).join(", ")})`)
      }
      default:
        return fail(s.t)
    }
  }
}

/**
 * The ORM's expression for an index expression (as PostgreSQL prints it, or as the ORM writes it): its code and the
 * ORM's SQL for it, or `undefined` when the ORM's functions cannot write it.
 * @internal
 */
export const indexExpression = (
  model: ModelState,
  sql: string,
  needs: CodeNeeds = {}
): { readonly code: string; readonly sql: string } | undefined => {
  const own: CodeNeeds = {}
  let found: Operand
  try {
    found = new ToExpr(model, own).expr(parseSql(sql))
  } catch {
    return undefined
  }
  let rendered: string
  try {
    rendered = indexExpressionSql(standIn(model), "an index", found.expr)
  } catch {
    return undefined
  }
  // What the code imports, where the code uses it (`F` only for an operand on its own: a function takes "title").
  if (/\bF\(/.test(found.exprCode)) needs.f = true
  for (const name of own.names ?? []) if (new RegExp(`\\b${name}\\(`).test(found.exprCode)) (needs.names ??= new Set()).add(name)
  return { code: found.exprCode, sql: rendered }
}

/** What `introspect` read of an index over expressions or with a condition. @internal */
export interface ReadIndex {
  readonly index: IndexState
  readonly warnings: ReadonlyArray<string>
}

/**
 * An expression or partial index read back (`keyDefs`: each key column's definition, `pg_get_indexdef(index, n)`;
 * `columns`: each key column's name, `undefined` for an expression), in the ORM's SQL where it can be written so,
 * else in PostgreSQL's, with a warning.
 * @internal
 */
export const readIndex = (
  model: ModelState,
  row: {
    readonly name: string
    readonly def: string
    readonly unique: boolean
    readonly keyDefs: ReadonlyArray<string>
    readonly columns: ReadonlyArray<{ readonly column: string; readonly descending: boolean } | undefined>
    readonly predicate: string | null
    readonly using: IndexState["using"]
    readonly opclass: string | undefined
  }
): ReadIndex => {
  const warnings: Array<string> = []
  const raw: Array<string> = []
  let where: string | undefined
  if (row.predicate !== null) {
    where = checkFilter(model, row.predicate)?.sql
    if (where === undefined) raw.push(`its condition ${row.predicate}`)
  }
  const common = { name: row.name, unique: row.unique, using: row.using, opclass: row.opclass, where: where ?? row.predicate ?? undefined }
  let index: IndexState
  if (row.columns.every((c) => c !== undefined)) {
    index = { columns: row.columns as ReadonlyArray<{ readonly column: string; readonly descending: boolean }>, ...common }
  } else {
    const expressions = row.keyDefs.map((def) => {
      const found = indexExpression(model, def)
      if (found === undefined) raw.push(def)
      return found?.sql ?? def
    })
    index = { columns: [], ...common, expressions }
  }
  if (raw.length > 0) {
    warnings.push(
      `the index ${row.name} (${row.def}): the ORM's functions cannot write ${raw.join(", ")}; kept as PostgreSQL prints it ` +
        "(normalised, so it will not match the SQL of a model's expressions), and the model has the index as a comment"
    )
  }
  return { index: Object.fromEntries(Object.entries(index).filter(([, v]) => v !== undefined)) as unknown as IndexState, warnings }
}

/**
 * The options of an expression or partial index in a model (`expressions: [Lower("title")]`, `where: {...}`), or
 * `undefined` when the ORM cannot write one of them as the state holds it.
 * @internal
 */
export const indexCode = (
  model: ModelState,
  index: IndexState,
  needs: CodeNeeds
): { readonly expressions: string | undefined; readonly where: string | undefined } | undefined => {
  const local: CodeNeeds = {}
  let where: string | undefined
  if (index.where !== undefined) {
    const found = checkFilter(model, index.where)
    if (found === undefined || found.sql !== index.where) return undefined
    // The index option's type takes a filter object; Q's combinators need a cast.
    where = `${filterCode(found.filter, local)}${found.filter.t === "obj" ? "" : " as any"}`
  }
  let expressions: string | undefined
  if (index.expressions !== undefined) {
    const codes: Array<string> = []
    for (const sql of index.expressions) {
      const found = indexExpression(model, sql, local)
      if (found === undefined || found.sql !== sql) return undefined
      codes.push(found.code)
    }
    expressions = `[${codes.join(", ")}]`
  }
  for (const [k, v] of Object.entries(local)) {
    if (k === "names") for (const n of v as Set<string>) (needs.names ??= new Set()).add(n)
    else if (v === true) (needs as Record<string, unknown>)[k] = true
  }
  return { expressions, where }
}
