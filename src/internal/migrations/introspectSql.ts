/**
 * Reading what PostgreSQL prints, for `inspectdb`: column types as `format_type` prints them (the field kind each
 * maps to, loosely where the ORM has no exact match), column defaults as `pg_get_expr` prints them (the literal the
 * ORM writes for the same value), and conditions as `pg_get_constraintdef` prints them (a small parse tree, for
 * `introspectChecks`). What it does not know is refused (`undefined`, or an exception from `parseSql`), never guessed.
 * @internal
 */
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import type * as Field from "../../Field.js"
import { dateTimeToDb, decimalToDb } from "../codec.js"
import { literal } from "../compiler.js"

// ---- parsing ----

type Token =
  | { readonly t: "id"; readonly v: string; readonly quoted: boolean }
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "num"; readonly v: string }
  | { readonly t: "op"; readonly v: string }

/** A parsed SQL condition or expression. @internal */
export type Sql =
  | { readonly t: "col"; readonly name: string }
  | { readonly t: "lit"; readonly v: string | number | boolean | null; readonly text: string }
  | { readonly t: "cast"; readonly x: Sql; readonly type: string }
  | { readonly t: "bin"; readonly op: string; readonly l: Sql; readonly r: Sql }
  | { readonly t: "neg"; readonly x: Sql }
  | { readonly t: "and" | "or"; readonly items: ReadonlyArray<Sql> }
  | { readonly t: "not"; readonly x: Sql }
  | { readonly t: "is"; readonly x: Sql; readonly what: string }
  | { readonly t: "list"; readonly l: Sql; readonly op: string; readonly items: ReadonlyArray<Sql> }
  | { readonly t: "array"; readonly items: ReadonlyArray<Sql> }
  | { readonly t: "between"; readonly x: Sql; readonly lo: Sql; readonly hi: Sql }
  /** A function call (`lower(name)`), by its lower-case name. */
  | { readonly t: "call"; readonly fn: string; readonly args: ReadonlyArray<Sql> }
  /** `EXTRACT(part FROM x)`, the part in lower case. */
  | { readonly t: "extract"; readonly part: string; readonly x: Sql }
  /** `x AT TIME ZONE zone`. */
  | { readonly t: "atZone"; readonly x: Sql; readonly zone: Sql }

const OPS = ["::", "<>", "!=", "<=", ">=", "!~~*", "!~~", "~~*", "~~", "!~*", "!~", "~*", "=", "<", ">", "~", "+", "-", "*", "/", "(", ")", "[", "]", ","]

const tokenize = (text: string): Array<Token> => {
  const out: Array<Token> = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === "'") {
      let v = ""
      i++
      for (;;) {
        if (i >= text.length) throw new Error("unterminated string")
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            v += "'"
            i += 2
            continue
          }
          i++
          break
        }
        v += text[i++]
      }
      out.push({ t: "str", v })
      continue
    }
    if (c === "\"") {
      let v = ""
      i++
      for (;;) {
        if (i >= text.length) throw new Error("unterminated identifier")
        if (text[i] === "\"") {
          if (text[i + 1] === "\"") {
            v += "\""
            i += 2
            continue
          }
          i++
          break
        }
        v += text[i++]
      }
      out.push({ t: "id", v, quoted: true })
      continue
    }
    const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i))
    if (num !== null) {
      out.push({ t: "num", v: num[0] })
      i += num[0].length
      continue
    }
    const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i))
    if (word !== null) {
      out.push({ t: "id", v: word[0], quoted: false })
      i += word[0].length
      continue
    }
    const op = OPS.find((o) => text.startsWith(o, i))
    if (op === undefined) throw new Error(`unexpected ${c}`)
    out.push({ t: "op", v: op })
    i += op.length
  }
  return out
}

const KEYWORDS = new Set([
  "and", "or", "not", "is", "null", "true", "false", "in", "between", "like", "ilike", "any", "array", "unknown", "case"
])

/**
 * The operands of a chain of ANDs (ORs) as PostgreSQL's parser groups them: a left operand that is itself an AND is
 * merged into it, a right one is kept as it is (`a AND (b AND c)` stays nested, `(a AND b) AND c` does not).
 */
const leftFlat = (t: "and" | "or", items: ReadonlyArray<Sql>): ReadonlyArray<Sql> => {
  const [first, ...rest] = items
  return first !== undefined && first.t === t ? [...first.items, ...rest] : items
}

class Parser {
  i = 0
  constructor(readonly tokens: ReadonlyArray<Token>) {}
  peek(): Token | undefined {
    return this.tokens[this.i]
  }
  isOp(v: string): boolean {
    const t = this.peek()
    return t !== undefined && t.t === "op" && t.v === v
  }
  isWord(v: string): boolean {
    const t = this.peek()
    return t !== undefined && t.t === "id" && !t.quoted && t.v.toLowerCase() === v
  }
  isWordAt(i: number, v: string): boolean {
    const t = this.tokens[i]
    return t !== undefined && t.t === "id" && !t.quoted && t.v.toLowerCase() === v
  }
  expectOp(v: string): void {
    if (!this.isOp(v)) throw new Error(`expected ${v}`)
    this.i++
  }
  expectWord(v: string): void {
    if (!this.isWord(v)) throw new Error(`expected ${v}`)
    this.i++
  }
  /** Items read by `item`, separated by commas, up to and including `close` (none when it follows at once). */
  items(close: string, item: () => Sql, allowEmpty = true): Array<Sql> {
    const items: Array<Sql> = []
    if (!allowEmpty || !this.isOp(close)) {
      items.push(item())
      while (this.isOp(",")) {
        this.i++
        items.push(item())
      }
    }
    this.expectOp(close)
    return items
  }
  or(): Sql {
    const items = [this.and()]
    while (this.isWord("or")) {
      this.i++
      items.push(this.and())
    }
    return items.length === 1 ? items[0]! : { t: "or", items: leftFlat("or", items) }
  }
  and(): Sql {
    const items = [this.not()]
    while (this.isWord("and")) {
      this.i++
      items.push(this.not())
    }
    return items.length === 1 ? items[0]! : { t: "and", items: leftFlat("and", items) }
  }
  not(): Sql {
    if (this.isWord("not")) {
      this.i++
      return { t: "not", x: this.not() }
    }
    return this.is()
  }
  is(): Sql {
    let x = this.comparison()
    while (this.isWord("is")) {
      this.i++
      let what = ""
      if (this.isWord("not")) {
        this.i++
        what = "not "
      }
      const t = this.peek()
      if (t === undefined || t.t !== "id") throw new Error("expected IS NULL, TRUE, FALSE or UNKNOWN")
      this.i++
      x = { t: "is", x, what: what + t.v.toLowerCase() }
    }
    return x
  }
  comparison(): Sql {
    const l = this.additive()
    const t = this.peek()
    if (t !== undefined && t.t === "op" && ["=", "<>", "!=", "<", "<=", ">", ">=", "~~", "~~*", "!~~", "!~~*", "~", "~*", "!~", "!~*"].includes(t.v)) {
      this.i++
      if (this.isWord("any")) {
        this.i++
        this.expectOp("(")
        const inner = this.or()
        this.expectOp(")")
        const array = stripCasts(inner)
        if (array.t !== "array") throw new Error("expected ARRAY[...]")
        return { t: "list", l, op: t.v, items: array.items }
      }
      return { t: "bin", op: t.v === "!=" ? "<>" : t.v, l, r: this.additive() }
    }
    if (this.isWord("like") || this.isWord("ilike")) {
      const op = this.isWord("like") ? "~~" : "~~*"
      this.i++
      return { t: "bin", op, l, r: this.additive() }
    }
    if (this.isWord("in")) {
      this.i++
      this.expectOp("(")
      return { t: "list", l, op: "=", items: this.items(")", () => this.additive(), false) }
    }
    if (this.isWord("between")) {
      this.i++
      const lo = this.additive()
      this.expectWord("and")
      return { t: "between", x: l, lo, hi: this.additive() }
    }
    return l
  }
  additive(): Sql {
    let l = this.multiplicative()
    while (this.isOp("+") || this.isOp("-")) {
      const op = (this.tokens[this.i++] as { v: string }).v
      l = { t: "bin", op, l, r: this.multiplicative() }
    }
    return l
  }
  multiplicative(): Sql {
    let l = this.unary()
    while (this.isOp("*") || this.isOp("/")) {
      const op = (this.tokens[this.i++] as { v: string }).v
      l = { t: "bin", op, l, r: this.unary() }
    }
    return l
  }
  unary(): Sql {
    if (this.isOp("-")) {
      this.i++
      const x = this.unary()
      return x.t === "lit" && typeof x.v === "number" ? { t: "lit", v: -x.v, text: `-${x.text}` } : { t: "neg", x }
    }
    return this.postfix()
  }
  postfix(): Sql {
    let x = this.primary()
    for (;;) {
      if (this.isOp("::")) {
        this.i++
        x = { t: "cast", x, type: this.typeName() }
      } else if (this.isWord("at") && this.isWordAt(this.i + 1, "time")) {
        this.i++
        this.expectWord("time")
        this.expectWord("zone")
        x = { t: "atZone", x, zone: this.primary() }
      } else return x
    }
  }
  /** The arguments of a function call, after its name; `EXTRACT(part FROM x)` has a syntax of its own. */
  call(name: string): Sql {
    this.expectOp("(")
    const fn = name.toLowerCase()
    if (fn === "extract") {
      const part = this.peek()
      if (part === undefined || part.t !== "id") throw new Error("expected a part")
      this.i++
      this.expectWord("from")
      const x = this.or()
      this.expectOp(")")
      return { t: "extract", part: part.v.toLowerCase(), x }
    }
    return { t: "call", fn, args: this.items(")", () => this.or()) }
  }
  typeName(): string {
    const words: Array<string> = []
    for (;;) {
      const t = this.peek()
      if (t === undefined || t.t !== "id" || (!t.quoted && KEYWORDS.has(t.v.toLowerCase()) && words.length > 0)) break
      words.push(t.v.toLowerCase())
      this.i++
    }
    if (words.length === 0) throw new Error("expected a type")
    let type = words.join(" ")
    if (this.isOp("(")) {
      while (!this.isOp(")")) this.i++
      this.i++
      type += "(...)"
    }
    while (this.isOp("[")) {
      this.i++
      this.expectOp("]")
      type += "[]"
    }
    return type
  }
  primary(): Sql {
    const t = this.peek()
    if (t === undefined) throw new Error("unexpected end")
    this.i++
    if (t.t === "op" && t.v === "(") {
      const x = this.or()
      this.expectOp(")")
      return x
    }
    if (t.t === "str") return { t: "lit", v: t.v, text: t.v }
    if (t.t === "num") return { t: "lit", v: Number(t.v), text: t.v }
    if (t.t === "id" && !t.quoted) {
      const w = t.v.toLowerCase()
      if (w === "true" || w === "false") return { t: "lit", v: w === "true", text: w }
      if (w === "null") return { t: "lit", v: null, text: "null" }
      if (w === "array") {
        this.expectOp("[")
        return { t: "array", items: this.items("]", () => this.or()) }
      }
      if (this.isOp("(") && !KEYWORDS.has(w)) return this.call(t.v)
      if (KEYWORDS.has(w)) throw new Error(`unexpected ${t.v}`)
    }
    if (t.t === "id") return { t: "col", name: t.v }
    throw new Error(`unexpected ${t.v}`)
  }
}

/** Parses an SQL condition; throws on what it does not know. @internal */
export const parseSql = (text: string): Sql => {
  const parser = new Parser(tokenize(text))
  const result = parser.or()
  if (parser.i !== parser.tokens.length) throw new Error("trailing input")
  return result
}

/** The inside of `CHECK (...)` as `pg_get_constraintdef` prints it, without `NOT VALID` / `NO INHERIT`. @internal */
export const checkBody = (def: string): string => {
  const m = /^CHECK \(([\s\S]*)\)( NOT VALID| NO INHERIT)*$/.exec(def.trim())
  return m === null ? def : unwrap(m[1]!)
}

/** `(a > 0)` → `a > 0`: PostgreSQL prints a check's condition in parentheses of its own. */
const unwrap = (text: string): string => {
  if (!text.startsWith("(") || !text.endsWith(")")) return text
  let depth = 0
  let quote: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote !== undefined) {
      if (c === quote) quote = undefined
      continue
    }
    if (c === "'" || c === "\"") quote = c
    else if (c === "(") depth++
    else if (c === ")" && --depth === 0 && i < text.length - 1) return text
  }
  return text.slice(1, -1)
}

/** The casts PostgreSQL adds to a column (`(name)::text` for a varchar, `(pages)::numeric`): widening only. */
const WIDENING = new Set(["text", "character varying", "numeric", "double precision", "bigint", "text[]", "character varying[]"])

/**
 * Removes the casts PostgreSQL adds around values and columns (`'x'::character varying`, `(name)::text`); a cast of
 * anything else (a narrowing cast a user wrote) stays, and is not expressible.
 * @internal
 */
export const stripCasts = (x: Sql): Sql => {
  if (x.t !== "cast") return x
  const inner = stripCasts(x.x)
  return inner.t === "lit" || inner.t === "array" || WIDENING.has(x.type) ? inner : x
}

// ---- types and defaults ----

/** The field a column type maps to. @internal */
export interface TypeFacts {
  readonly kind: Field.FieldKind
  readonly maxLength?: number
  readonly maxDigits?: number
  readonly decimalPlaces?: number
  /** Why the mapping is loose, when it is. */
  readonly loose?: string
}

const EXACT: Record<string, Field.FieldKind> = {
  integer: "Integer",
  bigint: "BigInteger",
  smallint: "SmallInteger",
  text: "Text",
  "double precision": "Float",
  boolean: "Boolean",
  date: "Date",
  "timestamp with time zone": "DateTime",
  "time without time zone": "Time",
  interval: "Duration",
  uuid: "UUID",
  jsonb: "JSON"
}

const LOOSE: Record<string, readonly [Field.FieldKind, string]> = {
  "character varying": ["Text", "varchar without a length, read as Text"],
  real: ["Float", "real (single precision), read as Float (double precision)"],
  "timestamp without time zone": ["DateTime", "timestamp without time zone, read as DateTime (timestamptz): values are taken as UTC"],
  "time with time zone": ["Time", "time with time zone, read as Time (the offset is not kept)"],
  json: ["JSON", "json, read as JSON (jsonb)"],
  numeric: ["Text", "numeric without precision, read as Text (Decimal needs maxDigits and decimalPlaces)"]
}

/** The field kind of a column type as `format_type` prints it. @internal */
export const typeFacts = (type: string): TypeFacts => {
  if (EXACT[type] !== undefined) return { kind: EXACT[type]! }
  let m = /^character varying\((\d+)\)$/.exec(type)
  if (m !== null) return { kind: "Char", maxLength: Number(m[1]) }
  m = /^numeric\((\d+),(\d+)\)$/.exec(type)
  if (m !== null) return { kind: "Decimal", maxDigits: Number(m[1]), decimalPlaces: Number(m[2]) }
  m = /^character\((\d+)\)$/.exec(type)
  if (m !== null) return { kind: "Char", maxLength: Number(m[1]), loose: `${type} (blank-padded), read as Char` }
  if (LOOSE[type] !== undefined) return { kind: LOOSE[type]![0], loose: LOOSE[type]![1] }
  // A precision (`timestamp(3) with time zone`, `interval(0)`) is not kept.
  const bare = type.replace(/\(\d+\)/, "")
  if (bare !== type && (EXACT[bare] !== undefined || LOOSE[bare] !== undefined)) {
    const inner = typeFacts(bare)
    return { ...inner, loose: `${type}, read as ${inner.kind} (the precision is not kept)` }
  }
  return { kind: "Text", loose: `type ${type} is not one the ORM maps; read as Text` }
}

/** A `timestamptz` as PostgreSQL prints it, as epoch milliseconds. @internal */
export const timestampMillis = (text: string): number | undefined => {
  const m = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?([+-]\d\d)(?::(\d\d))?(?::(\d\d))?$/.exec(text)
  if (m === null) return undefined
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${(m[7] ?? "").slice(0, 4)}${m[8]}:${m[9] ?? "00"}`
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? undefined : ms - Number(m[10] ?? 0) * 1000 * Math.sign(Number(m[8]) || 1)
}

/** An interval as PostgreSQL prints it (`3 days 04:05:06.5`), in microseconds (a month is 30 days, a year 365.25). @internal */
export const intervalMicros = (text: string): bigint | undefined => {
  let rest = text.trim()
  // As the ORM writes it.
  const plain = /^(-?\d+) microseconds$/.exec(rest)
  if (plain !== null) return BigInt(plain[1]!)
  let micros = 0n
  const day = 86_400_000_000n
  const units: Record<string, bigint> = { year: day * 36525n / 100n, mon: 30n * day, day }
  for (;;) {
    const m = /^(-?\d+) (year|mon|day)s?\s*/.exec(rest)
    if (m === null) break
    micros += BigInt(m[1]!) * units[m[2]!]!
    rest = rest.slice(m[0].length)
  }
  if (rest !== "") {
    const m = /^(-?)(\d+):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/.exec(rest)
    if (m === null) return undefined
    const t = ((BigInt(m[2]!) * 60n + BigInt(m[3]!)) * 60n + BigInt(m[4]!)) * 1_000_000n + BigInt((m[5] ?? "").padEnd(6, "0") || "0")
    micros += m[1] === "-" ? -t : t
  }
  return micros
}

/**
 * A column default (as `pg_get_expr` prints it) as the SQL literal the ORM writes for the same value, or `undefined`
 * when it is not a value (a function call, an expression).
 * @internal
 */
export const defaultLiteral = (expr: string, kind: Field.FieldKind): string | undefined => {
  let parsed: Sql
  try {
    parsed = parseSql(expr)
  } catch {
    return undefined
  }
  while (parsed.t === "cast") parsed = parsed.x
  if (parsed.t !== "lit" || parsed.v === null) return undefined
  const text = typeof parsed.v === "number" ? parsed.text : String(parsed.v)
  switch (kind) {
    case "Integer":
    case "SmallInteger":
    case "Float": {
      const n = Number(text)
      if (typeof parsed.v === "boolean" || Number.isNaN(n) || !Number.isFinite(n)) return undefined
      return Object.is(n, -0) ? literal("-0") : literal(n)
    }
    case "BigInteger":
      return /^-?\d+$/.test(text) ? literal(String(BigInt(text))) : undefined
    case "Decimal":
      return /^-?(\d+(\.\d*)?|\.\d+)$/.test(text) ? literal(decimalToDb(BigDecimal.fromStringUnsafe(text))) : undefined
    case "Boolean":
      return typeof parsed.v === "boolean" ? literal(parsed.v) : undefined
    case "DateTime": {
      const ms = timestampMillis(text)
      return ms === undefined ? undefined : literal(dateTimeToDb(DateTime.makeUnsafe(ms)))
    }
    case "Duration": {
      const micros = intervalMicros(text)
      return micros === undefined ? undefined : literal(`${micros} microseconds`)
    }
    case "JSON":
      try {
        return literal(JSON.stringify(JSON.parse(text)))
      } catch {
        return undefined
      }
    default:
      return literal(text)
  }
}
