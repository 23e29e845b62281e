/**
 * The models of the property tests and the rows seeded once per driver (committed in the layer's throwaway database):
 * `PpRow` holds a field of every kind with diverse values (unicode, LIKE metacharacters, -0, NaN, extremes of every
 * range, leap days, BC timestamps, 24:00:00, negative durations, NULLs), `PpOwner` its forward relation (and the
 * reverse `rows`), `PpWrite` the target of the write properties (rolled back after each test).
 */
import { BigDecimal, DateTime, Duration, Effect, Schema } from "effect"
import { Field, Model } from "../../src/index.js"

export class PpOwner extends Model.Class<PpOwner>("PpOwner")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 20 }),
  rows: Field.Reverse((): Model.Ref<PpRow> => PpRow, "owner")
}, { table: "pp_owner" }) {}

export class PpRow extends Model.Class<PpRow>("PpRow")({
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 40 }),
  body: Field.Text({ nullable: true }),
  n: Field.Integer({ nullable: true }),
  small: Field.SmallInteger({ nullable: true }),
  big: Field.BigInteger({ nullable: true }),
  ratio: Field.Float({ nullable: true }),
  price: Field.Decimal({ maxDigits: 12, decimalPlaces: 4, nullable: true }),
  flag: Field.Boolean({ nullable: true }),
  day: Field.Date({ nullable: true }),
  at: Field.DateTime({ nullable: true }),
  time: Field.Time({ nullable: true }),
  span: Field.Duration({ nullable: true }),
  uuid: Field.UUID({ nullable: true }),
  doc: Field.JSON(Schema.Unknown, { nullable: true }),
  owner: Field.ForeignKey(() => PpOwner, { nullable: true, onDelete: "SET_NULL", relatedName: "rows" })
}, { table: "pp_row" }) {}

/** The typed JSON of `PpWrite.score`: what it stores is what this schema encodes. */
export const Score = Schema.Struct({ value: Schema.Number, tags: Schema.optional(Schema.Array(Schema.String)) })

export class PpWrite extends Model.Class<PpWrite>("PpWrite")({
  id: Field.AutoField(),
  char: Field.Char({ maxLength: 8, nullable: true }),
  text: Field.Text({ nullable: true }),
  int: Field.Integer({ nullable: true }),
  small: Field.SmallInteger({ nullable: true }),
  big: Field.BigInteger({ nullable: true }),
  float: Field.Float({ nullable: true }),
  dec: Field.Decimal({ maxDigits: 9, decimalPlaces: 3, nullable: true }),
  bool: Field.Boolean({ nullable: true }),
  date: Field.Date({ nullable: true }),
  datetime: Field.DateTime({ nullable: true }),
  time: Field.Time({ nullable: true }),
  duration: Field.Duration({ nullable: true }),
  uuid: Field.UUID({ nullable: true }),
  json: Field.JSON(Schema.Unknown, { nullable: true }),
  score: Field.JSON(Score, { nullable: true }),
  /** Not nullable: JSON null is a value of its schema, but it is written as SQL NULL, so the field refuses it. */
  strict: Field.JSON(Schema.Unknown, { default: {} }),
  label: Field.Char({ maxLength: 20, default: "x" }),
  req: Field.Integer()
}, { table: "pp_write" }) {}

export const models = [PpOwner, PpRow, PpWrite]

// ---- the seeded values: one pool per column, rows take them with different strides so that they mix ----

const dec = BigDecimal.fromStringUnsafe
const utc = (iso: string) => DateTime.makeUnsafe(iso)
const micros = (n: bigint) => Duration.micros(n)

export const OWNER_NAMES = ["alpha", "Beta", "gamma_%", "delta (no rows)"] as const

export const TITLES: ReadonlyArray<string> = [
  "", "a", "A", "ab", "Ab", "aB", "abc", "b", "B", "%", "_", "\\", "a%b", "a_b", "a\\b", "100%", "50%_off",
  "snake_case", "É", "é", "éa", "ß", "SS", "ss", "İ", "i", "I", "😀", "😀x", "x😀", "\ufffd", "x\ufffdy", "日本語",
  "emoji 😀 mix", "  spaces ", "O'Reilly", "quote\"d", "tab\tnew\nline", "Zz", "zz", "ǅ", "ΣΑΣ", "σας",
  "\u{10ffff}", "\ue000", "a".repeat(40), "😀".repeat(40), "a"
]

const BODIES: ReadonlyArray<string | null> = [
  null, "", "Hello World", "hello world", "100% pure", "100 pure", "snake_case", "snakeXcase", "C:\\path\\file",
  "C:path", "O'Reilly'); --", "ÉCOLE", "école", "straße", "STRASSE", "😀😀", "\ufffd", "line1\nline2", "%_\\",
  "x".repeat(300)
]
const INTS: ReadonlyArray<number | null> = [null, 0, 1, -1, 2, 42, 42, -42, 100, 1000000, 2147483647, -2147483648, 7, -7, 13]
const SMALLS: ReadonlyArray<number | null> = [null, 0, 1, -1, 32767, -32768, 255, -256, 12, 12]
const BIGS: ReadonlyArray<bigint | null> = [
  null, 0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n, -9007199254740993n, 2n ** 53n, 42n
]
const FLOATS: ReadonlyArray<number | null> = [
  null, 0, -0, 1.5, -1.5, NaN, Infinity, -Infinity, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 0.1 + 0.2,
  1e-300, 3, -3, 1e21, 2 ** 53 + 2, 42
]
const PRICES: ReadonlyArray<BigDecimal.BigDecimal | null> = [
  null, dec("0"), dec("0.0001"), dec("-0.0001"), dec("99999999.9999"), dec("-99999999.9999"), dec("1.5"), dec("1.50"),
  dec("12345.6789"), dec("-0.5"), dec("3"), dec("42.4200"), dec("0.1"), dec("-12345678")
]
const FLAGS: ReadonlyArray<boolean | null> = [null, true, false]
const DAYS: ReadonlyArray<string | null> = [
  null, "2024-02-29", "2023-02-28", "2000-02-29", "1900-03-01", "0001-01-01", "9999-12-31", "1970-01-01", "2024-12-31",
  "2025-01-01", "1582-10-10", "0004-02-29", "2024-03-10"
]
const ATS: ReadonlyArray<DateTime.Utc | null> = [
  null, utc("2024-02-29T12:34:56.789Z"), utc("1970-01-01T00:00:00.000Z"), utc("1969-12-31T23:59:59.999Z"),
  utc("-000044-03-15T12:00:00.000Z"), utc("-004712-01-01T00:00:00.000Z"), utc("9999-12-31T23:59:59.999Z"),
  utc("+275760-09-13T00:00:00.000Z"), utc("2000-01-01T00:00:00.000Z"), utc("2024-03-10T02:30:15.250Z"),
  utc("0001-01-01T00:00:00.000Z"), utc("0000-12-31T23:59:59.999Z"), utc("2024-07-04T12:45:30.001Z")
]
const TIMES: ReadonlyArray<string | null> = [
  null, "00:00:00", "23:59:59.999999", "24:00:00", "12:00:00.5", "08:15:30", "12:30:00", "00:00:00.000001",
  "13:14:15.161718", "12:00:00"
]
const SPANS: ReadonlyArray<Duration.Duration | null> = [
  null, Duration.zero, micros(1n), micros(-1n), Duration.seconds(1.5), Duration.seconds(-90.5), Duration.days(400),
  Duration.days(-400), micros(2n ** 62n), micros(-(2n ** 62n)), micros(2n ** 63n - 1n), micros(-(2n ** 63n)),
  Duration.hours(1), Duration.seconds(86400)
]
const UUIDS: ReadonlyArray<string | null> = [
  null, "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12", "123e4567-e89b-12d3-a456-426614174000"
]
const DOCS: ReadonlyArray<unknown> = [
  null, { a: 1 }, [1, 2, 3], "str", 1.5, true, false, {}, [], { b: { c: [null, "😀"] } },
  JSON.parse("{\"__proto__\": {\"x\": 1}, \"constructor\": 2}"), "", 0, { a: 1, b: 2 }, { b: 2, a: 1 }, [[[]]],
  { "": "" }, -1e300, "\ufffd", { "é": "😀", "a%": "_" }, [null], { a: [1, { b: null }] }
]

const pick = <A>(pool: ReadonlyArray<A>, i: number, stride: number): A => pool[(i * stride) % pool.length]!

/** The row `i` of the seed (`owner` is an index into the owners, or null). */
export const seedRow = (i: number) => ({
  title: TITLES[i]!,
  body: pick(BODIES, i, 3),
  n: pick(INTS, i, 7),
  small: pick(SMALLS, i, 3),
  big: pick(BIGS, i, 7),
  ratio: pick(FLOATS, i, 5),
  price: pick(PRICES, i, 3),
  flag: pick(FLAGS, i, 1),
  day: pick(DAYS, i, 5),
  at: pick(ATS, i, 7),
  time: pick(TIMES, i, 3),
  span: pick(SPANS, i, 3),
  uuid: pick(UUIDS, i, 1),
  doc: pick(DOCS, i, 5),
  owner: i % 5 === 4 ? null : i % 3
})

export const SEED_ROWS = TITLES.length

/** Seeds the owners and rows (committed: each driver layer has a database of its own). */
export const seed = Effect.gen(function*() {
  const owners = yield* Effect.forEach(OWNER_NAMES, (name) => PpOwner.objects.create({ name }))
  yield* PpRow.objects.bulkCreate(Array.from({ length: SEED_ROWS }, (_, i) => {
    const { owner, ...row } = seedRow(i)
    return { ...row, ownerId: owner === null ? null : owners[owner]!.id }
  }))
})

/** Values of the seed pools, for generators that aim at existing values. */
export const POOLS = {
  title: TITLES,
  body: BODIES,
  n: INTS,
  small: SMALLS,
  big: BIGS,
  ratio: FLOATS,
  price: PRICES,
  flag: FLAGS,
  day: DAYS,
  at: ATS,
  time: TIMES,
  span: SPANS,
  uuid: UUIDS,
  doc: DOCS
} as const
