/**
 * Generators of user input: values aimed at the seeded rows (so that filters match), values of every JavaScript type
 * (so that they are refused), lookups objects, condition trees, JSON (hostile included) and names.
 */
import { BigDecimal, DateTime, Duration } from "effect"
import fc from "fast-check"
import { POOLS } from "./models.js"
import * as Ref from "./reference.js"

// ---- hostile values of every type ----

class Thing {
  readonly x = 1
  toString() {
    return "a thing"
  }
}
const cycle: Record<string, unknown> = { a: 1 }
cycle.self = cycle
const nullProto = Object.create(null) as Record<string, unknown>
const nullProtoWithKey = Object.assign(Object.create(null) as object, { exact: 1 })
const throwingToString = { toString: () => { throw new Error("no") } }

/** Values of every JavaScript type and shape that do not belong anywhere (a few do, by chance, and are checked). */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    undefined, null, NaN, Infinity, -Infinity, -0, 0, 1, 1.5, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, Number.MAX_SAFE_INTEGER,
    Number.MIN_VALUE, 1e308, "", "a", "\u0000", "a\u0000b", "\ud800", "x\udc00", "😀", "1", "true", "null", true, false,
    0n, 1n, -1n, 2n ** 63n, -(2n ** 63n) - 1n, 2n ** 64n, Symbol("s"), Symbol.for("exact"), () => 1, [], [1], [null],
    [1, 2, 3], [[]], {}, nullProto, nullProtoWithKey, new Date(0), new Date(NaN), new Map([["a", 1]]), new Set([1]), /re/,
    new Thing(), cycle, throwingToString, new String("x"), new Number(1), Object(1n), new Uint8Array([1]),
    BigDecimal.fromStringUnsafe("1.5"), BigDecimal.fromStringUnsafe("1e400000"), Duration.seconds(1), Duration.infinity,
    Duration.negativeInfinity, DateTime.makeUnsafe(0), DateTime.setZoneOffset(DateTime.makeUnsafe(0), 3_600_000),
    "2024-02-30", "2024-02-29", "24:00:00", "25:00:00", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", { exact: 1 },
    { gt: null }, { in: [] }, { isNull: "yes" }, { __proto__: null, in: [1] }, JSON.parse("{\"__proto__\": 1}")
  ),
  fc.double(),
  fc.integer(),
  fc.bigInt(),
  fc.string({ unit: "binary", maxLength: 4 }),
  fc.anything({ maxDepth: 2, withBigInt: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true })
)

// ---- text ----

const UNITS = [
  "a", "A", "b", "B", "s", "S", "i", "I", "z", "Z", "%", "_", "\\", " ", "é", "É", "ß", "😀", "\ufffd", "日", "'", "\"",
  "\n", "0", "9", "ǅ", "σ", "Σ", "ς", "İ", "ı", "-", ".", "x", "\u{10ffff}", "\ue000"
]
export const text = (maxLength = 6) => fc.string({ unit: fc.constantFrom(...UNITS), maxLength })

/** Text PostgreSQL cannot store: NUL and lone surrogates, among ordinary characters. */
export const badText = fc.string({
  unit: fc.oneof(fc.constantFrom("\u0000", "\ud800", "\udbff", "\udc00", "\udfff"), fc.constantFrom(...UNITS)),
  minLength: 1,
  maxLength: 5
}).filter((s) => !Ref.textOk(s))

const present = <A>(pool: ReadonlyArray<A | null>): ReadonlyArray<A> => pool.filter((x): x is A => x !== null)
const fromPool = <A>(pool: ReadonlyArray<A | null>) => fc.constantFrom(...present(pool))

const substringOf = (pool: ReadonlyArray<string | null>) =>
  fc.tuple(fromPool(pool), fc.nat(), fc.nat()).map(([s, a, b]) => {
    const i = a % (s.length + 1), j = b % (s.length + 1)
    return s.slice(Math.min(i, j), Math.max(i, j))
  })

const caseVariant = (pool: ReadonlyArray<string | null>) =>
  fc.tuple(fromPool(pool), fc.boolean()).map(([s, upper]) => (upper ? s.toUpperCase() : s.toLowerCase()))

export const textValue = (pool: ReadonlyArray<string | null>) =>
  fc.oneof(
    { weight: 4, arbitrary: fromPool(pool) },
    { weight: 3, arbitrary: substringOf(pool) },
    { weight: 2, arbitrary: caseVariant(pool) },
    { weight: 3, arbitrary: text() },
    { weight: 1, arbitrary: badText },
    { weight: 1, arbitrary: hostile }
  )

/** Patterns for regex lookups: mostly valid, some not (unbalanced groups, bad ranges, dangling quantifiers). */
export const regexText = fc.string({
  unit: fc.constantFrom("a", "b", "A", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "^", "$", "|", "\\", "-", "1", "😀", "é"),
  maxLength: 6
})

// ---- numbers ----

const intValue = (pool: ReadonlyArray<number | null>, [min, max]: readonly [number, number]) =>
  fc.oneof(
    { weight: 4, arbitrary: fromPool(pool) },
    { weight: 3, arbitrary: fc.integer({ min, max }) },
    { weight: 1, arbitrary: fc.constantFrom(min, max, min - 1, max + 1, -0, 0.5, 2 ** 53, NaN, Infinity) },
    { weight: 1, arbitrary: hostile }
  )

const bigValue = fc.oneof(
  { weight: 4, arbitrary: fromPool(POOLS.big) },
  { weight: 3, arbitrary: fc.bigInt({ min: Ref.INT8_MIN, max: Ref.INT8_MAX }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(Ref.INT8_MAX + 1n, Ref.INT8_MIN - 1n, 5, "5") },
  { weight: 1, arbitrary: hostile }
)

const floatValue = fc.oneof(
  { weight: 4, arbitrary: fromPool(POOLS.ratio) },
  { weight: 3, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: hostile }
)

export const decimal = fc.tuple(fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }), fc.integer({ min: -6, max: 10 }))
  .map(([value, scale]) => BigDecimal.make(value, scale))

const decimalValue = fc.oneof(
  { weight: 4, arbitrary: fromPool(POOLS.price) },
  { weight: 3, arbitrary: decimal },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      BigDecimal.make(1n, -131071), // 131,072 digits before the point: the most numeric holds
      BigDecimal.make(1n, -131072),
      BigDecimal.make(1n, 16383),
      BigDecimal.make(1n, 16384),
      1.5,
      "1.5"
    )
  },
  { weight: 1, arbitrary: hostile }
)

// ---- dates and times ----

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

export const isoDate = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 10000 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })) }
).map(([y, m, d]) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`)

const dateValue = fc.oneof(
  { weight: 4, arbitrary: fromPool(POOLS.day) },
  { weight: 3, arbitrary: isoDate },
  { weight: 1, arbitrary: fc.constantFrom<unknown>("2024-2-3", "2024-02-29T00:00:00Z", "+12024-01-01", " 2024-01-01", "0000-01-01") },
  { weight: 1, arbitrary: hostile }
)

const JS_MAX_MS = 8.64e15
export const dateTime = fc.oneof(
  fc.integer({ min: -JS_MAX_MS, max: JS_MAX_MS }),
  fc.tuple(fc.constantFrom(...present(POOLS.at)), fc.integer({ min: -100_000, max: 100_000 }))
    .map(([d, offset]) => Math.max(-JS_MAX_MS, Math.min(JS_MAX_MS, DateTime.toEpochMillis(d) + offset))),
  fc.integer({ min: -10_000_000_000_000, max: 10_000_000_000_000 })
).map((ms) => DateTime.makeUnsafe(ms))

const dateTimeValue = fc.oneof(
  { weight: 4, arbitrary: fromPool(POOLS.at) },
  { weight: 3, arbitrary: dateTime },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      DateTime.makeUnsafe(Date.UTC(-4712, 0, 1)), // the earliest the ORM accepts
      DateTime.makeUnsafe(Date.UTC(-4712, 0, 1) - 1),
      DateTime.makeUnsafe(-JS_MAX_MS),
      DateTime.setZoneOffset(DateTime.makeUnsafe(0), -3_600_000),
      new Date(0),
      "2024-01-01T00:00:00.000Z",
      0
    )
  },
  { weight: 1, arbitrary: hostile }
)

export const isoTime = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), fc.option(fc.string({ unit: fc.constantFrom("0", "1", "5", "9"), minLength: 1, maxLength: 6 }))) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 61 }), fc.option(fc.string({ unit: fc.constantFrom("0", "5"), maxLength: 8 }))) }
).map(([h, m, s, f]) => `${pad(h)}:${pad(m)}:${pad(s)}${f === null ? "" : `.${f}`}`)

const timeValue = fc.oneof(
  { weight: 4, arbitrary: fromPool(POOLS.time) },
  { weight: 3, arbitrary: isoTime },
  { weight: 1, arbitrary: fc.constantFrom<unknown>("24:00:00", "24:00:00.0", "24:00:01", "1:02:03", "12:00", "12:00:00Z") },
  { weight: 1, arbitrary: hostile }
)

/** Durations, mostly ones the database can hold; beyond 64-bit microseconds now and then (refused before SQL). */
export const duration = fc.oneof(
  fc.bigInt({ min: Ref.INT8_MIN, max: Ref.INT8_MAX }).map((n) => Duration.micros(n)),
  fc.constantFrom(Ref.INT8_MAX + 1n, Ref.INT8_MIN - 1n, 2n ** 64n, 10n ** 30n).map((n) => Duration.micros(n)),
  fc.constantFrom(1e300, -1e300, 9.3e15, -9.3e15).map((ms) => Duration.millis(ms)),
  fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }).map((n) => Duration.micros(n)),
  fc.double({ min: -1e12, max: 1e12, noNaN: true }).map((ms) => Duration.millis(ms)),
  fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }).map((n) => Duration.nanos(n))
)

const durationValue = fc.oneof(
  { weight: 4, arbitrary: fromPool(POOLS.span) },
  { weight: 3, arbitrary: duration },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(Duration.infinity, Duration.negativeInfinity, 1000, "PT1S") },
  { weight: 1, arbitrary: hostile }
).filter((d) => !Duration.isDuration(d) || !Duration.isFinite(d) || Ref.durationOk(d))

const uuidValue = fc.oneof(
  { weight: 4, arbitrary: fromPool(POOLS.uuid) },
  { weight: 2, arbitrary: fromPool(POOLS.uuid).map((u) => u.toUpperCase()) },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constantFrom<unknown>("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "a0eebc999c0b4ef8bb6d6bb9bd380a11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}") },
  { weight: 1, arbitrary: hostile }
)

// ---- JSON ----

const jsonKey = fc.oneof(
  { weight: 4, arbitrary: text(4) },
  { weight: 1, arbitrary: fc.constantFrom("__proto__", "constructor", "toString", "", "a\u0000", "\ud800") }
)

/** JSON as a value would hold it: mostly what jsonb holds exactly, with hostile leaves and keys now and then. */
export const json: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    fc.oneof(
      { weight: 8, arbitrary: fc.oneof(fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), text(5)) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(NaN, Infinity, -Infinity, -0, 1n, undefined, "\u0000", "x\ud800", new Date(0), new Thing(), new Map(), () => 1, Symbol("j")) }
    ),
    fc.array(tie("node"), { maxLength: 4 }),
    fc.array(fc.tuple(jsonKey, tie("node")), { maxLength: 4 }).map((entries) => {
      const o: Record<string, unknown> = {}
      // defineProperty, so that "__proto__" is an own key, as JSON.parse makes it.
      for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
      return o
    })
  )
})).node

/** Nested arrays or objects `depth` deep (JSON well within and far beyond what recursion in JavaScript handles). */
export const deepJson = fc.tuple(
  fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 200 }) }, { weight: 2, arbitrary: fc.integer({ min: 200, max: 1000 }) }, { weight: 1, arbitrary: fc.constantFrom(5000, 20000, 100_000) }),
  fc.boolean()
).map(([depth, arrays]) => {
  let value: unknown = "leaf"
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { k: value }
  // fast-check would print it recursively.
  return { depth, value, [fc.toStringMethod]: () => `${arrays ? "arrays" : "objects"} ${depth} deep` }
})

/** Cycles, made fresh. */
export const cyclic = fc.constantFrom("object", "array", "deep").map((shape) => {
  if (shape === "array") {
    const a: Array<unknown> = [1]
    a.push(a)
    return a
  }
  const o: Record<string, unknown> = { a: [1, { b: null }] }
  if (shape === "object") o.self = o
  else ((o.a as Array<unknown>)[1] as Record<string, unknown>).b = o
  return o
})

export const jsonValue = fc.oneof(
  { weight: 3, arbitrary: fromPool(POOLS.doc) },
  { weight: 6, arbitrary: json },
  { weight: 1, arbitrary: cyclic },
  { weight: 1, arbitrary: hostile }
)

// ---- values and lookups per field of PpRow ----

const idPool = Array.from({ length: 50 }, (_, i) => i)

/** Builds an arbitrary once per key (generators call these inside `chain`, for every input). */
export const memo = <A>(make: (key: string) => fc.Arbitrary<A>): ((key: string) => fc.Arbitrary<A>) => {
  const cache = new Map<string, fc.Arbitrary<A>>()
  return (key) => {
    let arb = cache.get(key)
    if (arb === undefined) cache.set(key, arb = make(key))
    return arb
  }
}

/** A value for a lookup on `field` (of PpRow, or PpOwner's `name` and `id`). */
export const valueFor = memo((field: string): fc.Arbitrary<unknown> => {
  switch (field) {
    case "title":
      return textValue(POOLS.title)
    case "body":
      return textValue(POOLS.body)
    case "name":
      return textValue(["alpha", "Beta", "gamma_%", "delta (no rows)", "ALPHA", "gamma"])
    case "n":
      return intValue(POOLS.n, Ref.INT4)
    case "small":
      return intValue(POOLS.small, Ref.INT2)
    case "id":
    case "pk":
    case "ownerId":
      return intValue(idPool, Ref.INT4)
    case "big":
      return bigValue
    case "ratio":
      return floatValue
    case "price":
      return decimalValue
    case "flag":
      return fc.oneof({ weight: 6, arbitrary: fc.boolean() }, { weight: 1, arbitrary: hostile })
    case "day":
      return dateValue
    case "at":
      return dateTimeValue
    case "time":
      return timeValue
    case "span":
      return durationValue
    case "uuid":
      return uuidValue
    case "doc":
      return jsonValue
  }
  throw new Error(`no values for ${field}`)
})

const BOGUS_LOOKUPS = ["Exact", "in ", "__proto__", "constructor", "toString", "gt.lt", "year", "hour", "date", "contains", "regex", "like", "", "valueOf"]

/** Builds an object with own keys (defineProperty: "__proto__" stays an own key). */
export const objectOf = (entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> => {
  const o: Record<string, unknown> = {}
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
  return o
}

const lookupsObject = (names: fc.Arbitrary<string>, valueOf: (name: string) => fc.Arbitrary<unknown>) =>
  fc.uniqueArray(names, { maxLength: 3 }).chain((keys) =>
    keys.length === 0 ? fc.constant({}) : fc.tuple(...keys.map(valueOf)).map((values) => objectOf(keys.map((k, i) => [k, values[i]])))
  )

const orNull = (arb: fc.Arbitrary<unknown>) => fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) })
const sometimes = (arb: fc.Arbitrary<unknown>, odd: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 12, arbitrary: arb }, { weight: 1, arbitrary: odd })

const comparableValue = (name: string, value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => {
  switch (name) {
    case "exact":
      return orNull(value)
    case "in":
      return sometimes(fc.array(orNull(value), { maxLength: 4 }), hostile)
    case "range":
      return sometimes(fc.tuple(value, value), fc.oneof(fc.array(value, { maxLength: 3 }), hostile))
    case "isNull":
      return sometimes(fc.boolean(), fc.oneof(hostile, fc.constant(undefined)))
    default:
      return value
  }
}

const COMPARABLE = ["exact", "in", "gt", "gte", "lt", "lte", "range", "isNull"]

/** Values of a date or time part; `in` lists mix integers within 32 bits with wider ones. */
const partInt = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -2, max: 61 }) },
  { weight: 2, arbitrary: fc.constantFrom(2024, 2000, 1970, 1582, -45, -4713, 9999, 275760, 1, 0) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(2 ** 31, 2 ** 53 - 1, -(2 ** 53) + 1, 1.5, NaN, "2024", 2024n, null) },
  { weight: 1, arbitrary: hostile }
)
const partIn = fc.array(orNull(partInt), { maxLength: 4 })

const partValue: (part: Ref.Part) => fc.Arbitrary<unknown> = memo((part: string): fc.Arbitrary<unknown> => {
  if (part === "date") {
    const date = fc.oneof({ weight: 5, arbitrary: isoDate }, { weight: 1, arbitrary: fromPool(POOLS.day) }, { weight: 1, arbitrary: hostile })
    const names = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...COMPARABLE) },
      { weight: 2, arbitrary: fc.constantFrom("year", "month", "day", "weekDay") },
      { weight: 1, arbitrary: fc.constantFrom("hour", "date", "contains", "second") }
    )
    return fc.oneof(
      { weight: 3, arbitrary: orNull(date) },
      { weight: 4, arbitrary: lookupsObject(names, memo((n) => COMPARABLE.includes(n) ? comparableValue(n, date) : partValue(n as Ref.Part))) }
    )
  }
  const names = fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...COMPARABLE) }, { weight: 1, arbitrary: fc.constantFrom(...BOGUS_LOOKUPS) })
  return fc.oneof(
    { weight: 3, arbitrary: orNull(partInt) },
    { weight: 4, arbitrary: lookupsObject(names, memo((n) => (n === "in" ? sometimes(partIn, hostile) : comparableValue(n, partInt)))) }
  )
}) as (part: Ref.Part) => fc.Arbitrary<unknown>

const TEXT_LOOKUP_NAMES = ["iexact", "contains", "icontains", "startsWith", "iStartsWith", "endsWith", "iEndsWith"]

/** What a filter gives a field: a value (exact), null (IS NULL) or a lookups object (regex lookups aside). */
export const specFor = (field: string, def: Ref.FieldDef): fc.Arbitrary<unknown> => specs(`${field}:${def.kind}`)

const specs = memo((key: string): fc.Arbitrary<unknown> => {
  const [field, kind] = key.split(":") as [string, Ref.Kind]
  const def = Ref.fieldDef(kind)
  const value = valueFor(field)
  const lookups = Ref.lookupsOf(def).filter((n) => n !== "regex" && n !== "iregex")
  const names = fc.oneof({ weight: 14, arbitrary: fc.constantFrom(...lookups) }, { weight: 1, arbitrary: fc.constantFrom(...BOGUS_LOOKUPS) })
  const valueOf = (name: string): fc.Arbitrary<unknown> => {
    if (COMPARABLE.includes(name)) return comparableValue(name, value)
    if (TEXT_LOOKUP_NAMES.includes(name)) return def.kind === "string" ? value : fc.oneof(text(), hostile)
    if (name === "regex" || name === "iregex") return sometimes(regexText, hostile)
    if ((Ref.ALL_PARTS as ReadonlyArray<string>).includes(name)) return partValue(name as Ref.Part)
    return fc.oneof(value, hostile)
  }
  const lookupsArb = lookupsObject(names, memo(valueOf))
  return fc.oneof(
    { weight: 3, arbitrary: value },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 8, arbitrary: lookupsArb },
    // A JSON field's lookups at a key or a path (well-formed or hostile).
    ...(kind === "json" ? [{ weight: 8, arbitrary: fc.tuple(jsonTarget, lookupsArb).map(([t, l]) => ({ ...t, ...(l as object) })) }] : [])
  )
})

/** Where a JSON lookup applies: a key, a path (mostly of keys and indexes the rows have), or something hostile. */
const jsonTarget: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constantFrom<unknown>("a", "b", "x", 0, 1, -1, "0").map((key) => ({ key })),
  fc.array(fc.oneof(fc.constantFrom<unknown>("a", "b", "x", "0", 0, 1, -1), text(), hostile), { minLength: 1, maxLength: 3 }).map((path) => ({ path })),
  hostile.map((path) => ({ path })),
  fc.tuple(hostile, hostile).map(([key, path]) => ({ key, path }))
)

/** A filter object over some of `fields`: one to three keys, each with a spec. */
export const filterOver = (
  fields: ReadonlyArray<string>,
  spec: (field: string) => fc.Arbitrary<unknown>
): fc.Arbitrary<Record<string, unknown>> =>
  fc.uniqueArray(fc.constantFrom(...fields), { minLength: 1, maxLength: 3 }).chain((keys) =>
    fc.tuple(...keys.map(spec)).map((values) => objectOf(keys.map((k, i) => [k, values[i]])))
  )

/** Condition trees over leaves, with `Q.and`, `Q.or` and `Q.not`. */
export const treeOf = (leafArb: fc.Arbitrary<unknown>): fc.Arbitrary<Ref.Tree> =>
  fc.letrec<{ tree: Ref.Tree }>((tie) => ({
    tree: fc.oneof(
      { depthSize: "small", maxDepth: 3 },
      leafArb.map((filter): Ref.Tree => ({ _tag: "leaf", filter })),
      fc.tuple(fc.constantFrom("and" as const, "or" as const), fc.array(tie("tree"), { maxLength: 3 }))
        .map(([tag, children]): Ref.Tree => ({ _tag: tag, children })),
      tie("tree").map((child): Ref.Tree => ({ _tag: "not", child }))
    )
  })).tree

// ---- names ----

/** Field names, paths and lookups as dynamic input gives them: valid, invalid, hostile and not strings at all. */
export const name: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "id", "pk", "title", "body", "n", "small", "big", "ratio", "price", "flag", "day", "at", "time", "span", "uuid", "doc",
      "ownerId", "owner", "owner.name", "owner.pk", "owner.id", "owner.rows", "owner.rows.title", "owner.rows.owner.name",
      "__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype", "-title", "--title", "-", "", ".",
      "owner.", ".owner", "owner..name", "owner.nope", "nope", "title.x", "owner_id", "OWNER", "Title", "id ", " id",
      "pk.pk", "owner.pk.pk", "rows", "owner.__proto__", "owner.constructor", "owner__name", "?", "-pk", "-owner.name",
      "objects", "meta", "rows.title", "title\u0000", "\ud800"
    )
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("owner", "rows", "title", "pk"), fc.constantFrom("name", "pk", "rows", "title", "x", "")).map(([a, b]) => `${a}.${b}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      12, 0, -1, 1.5, NaN, Symbol("title"), Symbol.for("id"), null, undefined, true, nullProto, {}, [], ["title"], () => "id", 1n,
      new String("title"), throwingToString
    )
  }
)
