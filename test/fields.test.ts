/**
 * Field behaviour on every driver: round trips of every field type with edge values (create, get, filter, values),
 * filtering by typed values, write validation, dynamic (untyped) bad input, and integrity errors.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import * as SqlClient from "effect/sql/SqlClient"
import { BigDecimal, DateTime, Duration, Effect, Schema } from "effect"
import { Db, F, Field, type Lookup, Model, type QuerySet } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

// ---- models ----

const Payload = Schema.Struct({
  title: Schema.String,
  matrix: Schema.Array(Schema.Array(Schema.Number)),
  tags: Schema.Array(Schema.String),
  /** Encoded as a string in the JSON: checks that the field encodes on write and decodes on read. */
  big: Schema.BigIntFromString,
  nested: Schema.Struct({ ok: Schema.Boolean, note: Schema.NullOr(Schema.String) })
})
type Payload = typeof Payload.Type

/** Every field type, all nullable, so each round trip sets one field and leaves the others NULL. */
class RtValue extends Model.Class<RtValue>("RtValue")({
  id: Field.AutoField(),
  label: Field.Char({ maxLength: 40 }),
  char: Field.Char({ maxLength: 100, nullable: true }),
  text: Field.Text({ nullable: true }),
  int: Field.Integer({ nullable: true }),
  small: Field.SmallInteger({ nullable: true }),
  big: Field.BigInteger({ nullable: true }),
  float: Field.Float({ nullable: true }),
  decimal: Field.Decimal({ maxDigits: 20, decimalPlaces: 6, nullable: true }),
  flag: Field.Boolean({ nullable: true }),
  day: Field.Date({ nullable: true }),
  at: Field.DateTime({ nullable: true }),
  time: Field.Time({ nullable: true }),
  span: Field.Duration({ nullable: true }),
  uuid: Field.UUID({ nullable: true }),
  data: Field.JSON(Payload, { nullable: true }),
  status: Field.Char({ maxLength: 10, choices: ["draft", "published", "archived"], nullable: true }),
  priority: Field.Integer({ choices: [1, 2, 3], nullable: true })
}, { table: "rt_value" }) {}

/** Every field type, required (no nulls), for a full row read back through the instance and `values()`. */
class RtFull extends Model.Class<RtFull>("RtFull")({
  id: Field.AutoField(),
  char: Field.Char({ maxLength: 10 }),
  text: Field.Text(),
  int: Field.Integer(),
  small: Field.SmallInteger(),
  big: Field.BigInteger(),
  float: Field.Float(),
  decimal: Field.Decimal({ maxDigits: 20, decimalPlaces: 6 }),
  flag: Field.Boolean(),
  day: Field.Date(),
  at: Field.DateTime(),
  time: Field.Time(),
  span: Field.Duration(),
  uuid: Field.UUID(),
  token: Field.UUID({ autoGenerate: true }),
  data: Field.JSON(Payload),
  status: Field.Text({ choices: ["low", "high"] }),
  level: Field.SmallInteger({ choices: [10, 20] })
}, { table: "rt_full" }) {}

/** Bounded text, to compare the schema's length check with PostgreSQL's `varchar(n)` (which counts characters). */
class RtShort extends Model.Class<RtShort>("RtShort")({
  id: Field.AutoField(),
  code: Field.Char({ maxLength: 4 })
}, { table: "rt_short" }) {}

let sequence = 0
const epoch = DateTime.makeUnsafe("2000-01-01T00:00:00Z")

class RtDefaults extends Model.Class<RtDefaults>("RtDefaults")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 20, default: "unnamed" }),
  count: Field.Integer({ default: 7 }),
  seq: Field.Integer({ default: () => ++sequence }),
  ratio: Field.Decimal({ maxDigits: 5, decimalPlaces: 2, default: BigDecimal.fromStringUnsafe("1.50") }),
  since: Field.DateTime({ default: () => epoch }),
  span: Field.Duration({ default: Duration.minutes(5) }),
  flag: Field.Boolean({ default: false }),
  status: Field.Char({ maxLength: 10, choices: ["new", "old"], default: "new" }),
  token: Field.UUID({ autoGenerate: true }),
  data: Field.JSON(Schema.Array(Schema.Number), { default: () => [1, 2] }),
  note: Field.Text({ nullable: true }),
  tag: Field.Char({ maxLength: 5, nullable: true, default: "x" })
}, { table: "rt_defaults" }) {}

/** Fields with every kind of write validation. */
class RtStrict extends Model.Class<RtStrict>("RtStrict")({
  id: Field.AutoField(),
  code: Field.Char({ maxLength: 5, validators: [Schema.isPattern(/^[A-Z]+$/)] }),
  status: Field.Char({ maxLength: 10, choices: ["open", "closed"] }),
  amount: Field.Decimal({ maxDigits: 5, decimalPlaces: 2 }),
  qty: Field.Integer(),
  small: Field.SmallInteger({ default: 0 }),
  big: Field.BigInteger({ default: 0n }),
  rating: Field.SmallInteger({ validators: [Schema.isBetween({ minimum: 1, maximum: 5 })] }),
  title: Field.Text(),
  day: Field.Date({ nullable: true }),
  at: Field.DateTime({ nullable: true }),
  token: Field.UUID({ nullable: true })
}, { table: "rt_strict" }) {}

/** Constraints the database enforces. */
class RtConstrained extends Model.Class<RtConstrained>("RtConstrained")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 30, unique: true }),
  nickname: Field.Char({ maxLength: 30, nullable: true }),
  qty: Field.Integer({ default: 0 }),
  code: Field.Char({ maxLength: 10, default: "a" }),
  status: Field.Char({ maxLength: 10, choices: ["a", "b"], default: "a" })
}, {
  table: "rt_constrained",
  constraints: [
    { kind: "check", name: "rt_constrained_qty_nonneg", check: { qty: { gte: 0 } } },
    { kind: "unique", name: "rt_constrained_qty_code_uniq", fields: ["qty", "code"] }
  ]
}) {}

/** Decimals with many places, and a short text column, for the values a driver could round or truncate. */
class RtPrecise extends Model.Class<RtPrecise>("RtPrecise")({
  id: Field.AutoField(),
  amount: Field.Decimal({ maxDigits: 40, decimalPlaces: 30 }),
  code: Field.Char({ maxLength: 3, nullable: true })
}, { table: "rt_precise" }) {}

const models = [RtValue, RtFull, RtShort, RtDefaults, RtStrict, RtConstrained, RtPrecise]

// ---- helpers ----

const dec = BigDecimal.fromStringUnsafe
const at = (iso: string) => DateTime.makeUnsafe(iso)

/** A comparable form of a value, asserting its runtime type on the way. */
type Norm = (u: unknown) => unknown
const asIs: Norm = (u) => u
const asString: Norm = (u) => {
  expect(typeof u).toBe("string")
  return u
}
const asNumber: Norm = (u) => {
  expect(typeof u).toBe("number")
  return u
}
const asBigint: Norm = (u) => {
  expect(typeof u).toBe("bigint")
  return u
}
const asDecimal: Norm = (u) => {
  expect(BigDecimal.isBigDecimal(u)).toBe(true)
  return BigDecimal.format(BigDecimal.normalize(u as BigDecimal.BigDecimal))
}
const asMillis: Norm = (u) => {
  expect(DateTime.isDateTime(u) && DateTime.isUtc(u)).toBe(true)
  return DateTime.toEpochMillis(u as DateTime.Utc)
}
const asNanos: Norm = (u) => {
  expect(Duration.isDuration(u)).toBe(true)
  return Duration.toNanosUnsafe(u as Duration.Duration)
}

type VF = typeof RtValue.meta.fields
type ValueKey = Exclude<keyof VF & string, "id" | "label">
type ValueOf<K extends ValueKey> = Exclude<Field.Type<VF[K]>, null>

/**
 * Creates one row per value (only `key` set), then checks each value as `create` returned it, through `get`,
 * through an exact filter on the value (which must find exactly that row), through `values()`, `values(key)` and
 * `valuesList(key, { flat: true })`.
 */
const roundTrip = <K extends ValueKey>(key: K, values: ReadonlyArray<ValueOf<K>>, norm: Norm) =>
  Effect.gen(function*() {
    const ids: Array<number> = []
    for (const [i, value] of values.entries()) {
      const label = `${key}-${i}`
      const created = yield* RtValue.objects.create({ label, [key]: value } as QuerySet.CreateInput<VF>)
      expect(norm(created[key]), `${label}: create`).toEqual(norm(value))
      ids.push(created.id)
    }
    for (const [i, value] of values.entries()) {
      const label = `${key}-${i}`
      const id = ids[i]!
      const got = yield* RtValue.objects.get({ id })
      expect(got.label).toBe(label)
      expect(norm(got[key]), `${label}: get`).toEqual(norm(value))

      const exact = (key === "data" ? { [key]: { exact: value } } : { [key]: value }) as Lookup.Filter<VF>
      const found = yield* RtValue.objects.get(exact)
      expect(found.id, `${label}: filter`).toBe(id)
      expect(norm(found[key])).toEqual(norm(value))
      expect(yield* RtValue.objects.filter(exact).valuesList("id", { flat: true })).toEqual([id])

      const [all] = yield* RtValue.objects.filter({ id }).values()
      expect(all!.label).toBe(label)
      expect(norm(all![key]), `${label}: values()`).toEqual(norm(value))
      // A path whose type is a type parameter is checked once it is a union of literal paths.
      const [one] = yield* RtValue.objects.filter({ id }).values(key as ValueKey)
      expect(Object.keys(one!)).toEqual([key])
      expect(norm(one![key]), `${label}: values(key)`).toEqual(norm(value))
      const flat = yield* RtValue.objects.filter({ id }).valuesList(key as ValueKey, { flat: true })
      expect(norm(flat[0]), `${label}: valuesList`).toEqual(norm(value))
    }
    expect(yield* RtValue.objects.filter({ [key]: { isNull: false } } as Lookup.Filter<VF>).count()).toBe(values.length)
    // The same values in one bulkCreate (one text array per column, cast by PostgreSQL): the same values back, in
    // the returned instances and in the rows; the other columns' arrays hold only NULLs.
    const rows = values.map((value, i) => ({ label: `${key}-bulk-${i}`, [key]: value }) as QuerySet.CreateInput<VF>)
    const { queries, result: bulk } = yield* Testing.captureQueries(RtValue.objects.bulkCreate(rows))
    expect(queries.map((q) => q.sql.includes("unnest("))).toEqual(values.length > 1 ? [true] : [false])
    for (const [i, value] of values.entries()) {
      expect(bulk[i]!.label).toBe(`${key}-bulk-${i}`)
      expect(norm(bulk[i]![key]), `${key}-bulk-${i}: bulkCreate`).toEqual(norm(value))
      expect(norm((yield* RtValue.objects.get({ id: bulk[i]!.id }))[key]), `${key}-bulk-${i}: get`).toEqual(norm(value))
    }
    yield* RtValue.objects.filter({ label: { startsWith: `${key}-bulk-` } }).delete()
    return ids
  })

/** Runs `effect`, expecting it to fail; returns the error and the statements it ran. */
const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Testing.captureQueries(Effect.flip(effect)), ({ queries, result }) => ({ error: result, queries }))

const issueFields = (error: { readonly _tag: string }) => {
  expect(error._tag).toBe("ValidationError")
  return (error as unknown as { issues: ReadonlyArray<{ field: string; message: string }> }).issues
}

const strictRow = {
  code: "ABC",
  status: "open",
  amount: dec("123.45"),
  qty: 1,
  rating: 3,
  title: "valid"
} as const

const strictSnapshot = Effect.map(RtStrict.objects.orderBy("id").values(), (rows) =>
  rows.map((row) => ({ ...row, amount: BigDecimal.format(row.amount), big: String(row.big) })))

const constrainedNames = Effect.map(RtConstrained.objects.orderBy("name").valuesList("name", { flat: true }), (r) => [...r])

// ---- tests ----

for (const driver of Testing.drivers(models)) {
  layer(driver.layer)(driver.name, (it) => {
    // 1. Round trips, one field type at a time.

    it.effect("Char and Text: empty, unicode, emoji, quotes, backslashes, % and _", () =>
      Testing.isolated(Effect.gen(function*() {
        const strings = [
          "",
          "héllo wörld ñ ß 日本語 Ελληνικά עברית",
          "😀🎉👍🏽👨‍👩‍👧",
          "O'Reilly's ''quoted''",
          "say \"hi\" \"\"",
          "back\\slash \\\\ end\\",
          "100% _under_score",
          "line\nbreak\ttab",
          "  padded  "
        ]
        yield* roundTrip("char", strings, asString)
        yield* roundTrip("text", strings, asString)
      })))

    it.effect("Integer and SmallInteger: bounds and zero", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* roundTrip("int", [-2147483648, 2147483647, 0, -1], asNumber)
        yield* roundTrip("small", [-32768, 32767, 0], asNumber)
      })))

    it.effect("BigInteger: exact beyond 2^53, int8 bounds", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* roundTrip("big", [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -(2n ** 53n) - 1n, 0n], asBigint)
      })))

    it.effect("Float: 0.1, huge, subnormal, infinities", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* roundTrip("float", [0.1, -1e300, 5e-324, 1.7976931348623157e308, 0, Infinity, -Infinity], asNumber)
      })))

    it.effect("Decimal: exact digits, negative, zero, smallest step", () =>
      Testing.isolated(Effect.gen(function*() {
        const values = ["12345678901234.123456", "-12345678901234.123456", "0", "0.000001", "-0.5", "99999999999999.999999"]
        const ids = yield* roundTrip("decimal", values.map(dec), asDecimal)
        // Exact digits, never through a JS float.
        const read = yield* RtValue.objects.get({ id: ids[0]! })
        expect(BigDecimal.equals(read.decimal!, dec("12345678901234.123456"))).toBe(true)
        expect(BigDecimal.format(BigDecimal.normalize(read.decimal!))).toBe("12345678901234.123456")
        const zero = yield* RtValue.objects.get({ id: ids[2]! })
        expect(BigDecimal.equals(zero.decimal!, BigDecimal.fromBigInt(0n))).toBe(true)
      })))

    it.effect("Decimal: 16 places and more are written in full, not in exponential notation", () =>
      Testing.isolated(Effect.gen(function*() {
        const values = ["0.000000000000000000012345678901", "-1234567890.123456789012345678901234567890", "1e-30"]
        for (const text of values) {
          const created = yield* RtPrecise.objects.create({ amount: dec(text) })
          const read = yield* RtPrecise.objects.get({ id: created.id })
          expect(BigDecimal.equals(read.amount, dec(text)), text).toBe(true)
          expect(yield* RtPrecise.objects.filter({ amount: dec(text) }).count(), text).toBe(1)
          expect(yield* RtPrecise.objects.filter({ amount: { in: [dec(text), dec("1")] } }).count(), text).toBe(1)
        }
      })))

    it.effect("in: one array parameter compares values as they are (no cast that truncates or rounds)", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* RtPrecise.objects.create({ amount: dec("1.123456789012345678901234567891"), code: "abc" })
        // A cast to varchar(3) would cut "abcdef" to "abc"; to numeric(40, 30) a value with more places would round.
        expect(yield* RtPrecise.objects.filter({ code: { in: ["abcdef"] } }).count()).toBe(0)
        expect(yield* RtPrecise.objects.filter({ code: { in: ["abc", "x"] } }).count()).toBe(1)
        expect(yield* RtPrecise.objects.filter({ amount: { in: [dec("1.1234567890123456789012345678914")] } }).count()).toBe(0)
        // Integers and fractions in one list of a Float field.
        const row = yield* RtValue.objects.create({ label: "mixed", float: 2 })
        expect(yield* RtValue.objects.filter({ float: { in: [1, 2, 2.5] } }).valuesList("id", { flat: true })).toEqual([row.id])
        expect(yield* RtValue.objects.filter({ float: { in: [Number.NaN, 1e300, -0.5] } }).count()).toBe(0)
      })))

    it.effect("Boolean", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* roundTrip("flag", [true, false], (u) => {
          expect(typeof u).toBe("boolean")
          return u
        })
      })))

    it.effect("Date: leap day, first and last representable days, before 1970", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* roundTrip("day", ["2020-02-29", "0001-01-01", "9999-12-31", "1969-12-31", "1900-03-01"], asString)
      })))

    it.effect("DateTime: across DST and time zones, milliseconds, before 1970 (compared as epoch millis)", () =>
      Testing.isolated(Effect.gen(function*() {
        const values = [
          at("2024-03-10T02:30:00-05:00"),
          at("2024-10-27T01:30:00+02:00"),
          at("2024-10-27T02:30:00+01:00"),
          at("2024-06-15T12:34:56.789+05:30"),
          at("2024-01-01T00:00:00.001Z"),
          at("1969-07-20T20:17:40.123Z"),
          at("1901-12-13T20:45:52Z"),
          at("0001-01-01T00:00:00Z"),
          at("9999-12-31T23:59:59.999Z")
        ]
        const ids = yield* roundTrip("at", values, asMillis)
        const dst = yield* RtValue.objects.get({ id: ids[0]! })
        expect(DateTime.formatIso(dst.at!)).toBe("2024-03-10T07:30:00.000Z")
        const ms = yield* RtValue.objects.get({ id: ids[3]! })
        expect(DateTime.toEpochMillis(ms.at!) % 1000).toBe(789)
      })))

    it.effect("DateTime: the same instants are read back whatever the session time zone", () =>
      Testing.isolated(Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const values = [
          at("2024-03-10T02:30:00-05:00"),
          at("2024-10-27T01:30:00+02:00"),
          at("1969-07-20T20:17:40.123Z"),
          at("1850-06-01T12:00:00Z"),
          at("0001-01-01T00:00:00Z"),
          at("9999-12-31T23:59:59.999Z")
        ]
        const ids: Array<number> = []
        for (const [i, value] of values.entries()) {
          ids.push((yield* RtValue.objects.create({ label: `tz-${i}`, at: value })).id)
        }
        // Offsets with minutes (+05:30, -03:30, +13:45) and local mean time offsets with seconds (before ~1900).
        for (const zone of ["Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "America/New_York", "Europe/Amsterdam"]) {
          yield* sql.unsafe(`SET LOCAL TIME ZONE '${zone}'`)
          for (const [i, value] of values.entries()) {
            const row = yield* RtValue.objects.get({ id: ids[i]! })
            expect(asMillis(row.at), `${zone} #${i}`).toBe(DateTime.toEpochMillis(value))
            expect((yield* RtValue.objects.get({ at: value })).id, `${zone} filter #${i}`).toBe(ids[i])
          }
        }
      })))

    it.effect("DateTime: years beyond 9999 and BC years (inside PostgreSQL's timestamptz range) round-trip", () =>
      Testing.isolated(Effect.gen(function*() {
        // PostgreSQL stores 4713 BC to 294276 AD, and the codec reads years beyond 9999 and " BC"; writing must match.
        yield* roundTrip("at", [
          at("+010000-01-01T00:00:00Z"),
          at("+275760-09-13T00:00:00Z"),
          at("0000-06-15T12:00:00Z"), // 1 BC
          at("-000043-03-15T12:00:00.250Z") // 44 BC
        ], asMillis)
      })))

    it.effect("Time: midnight, microseconds", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* roundTrip("time", ["00:00:00", "23:59:59.999999", "12:30:45", "00:00:00.000001"], asString)
      })))

    it.effect("Duration: zero, one microsecond, a day and more, many days", () =>
      Testing.isolated(Effect.gen(function*() {
        const values = [
          Duration.zero,
          Duration.micros(1n),
          Duration.seconds(90061.5),
          Duration.days(400),
          Duration.sum(Duration.weeks(3), Duration.millis(1)),
          Duration.hours(24)
        ]
        const ids = yield* roundTrip("span", values, asNanos)
        const read = yield* RtValue.objects.get({ id: ids[2]! })
        expect(Duration.equals(read.span!, Duration.seconds(90061.5))).toBe(true)
        expect(Duration.toMillis(read.span!)).toBe(90061500)
      })))

    it.effect("UUID: explicit values, filtering is case-insensitive as in PostgreSQL", () =>
      Testing.isolated(Effect.gen(function*() {
        const values = ["123e4567-e89b-12d3-a456-426614174000", "00000000-0000-0000-0000-000000000000", globalThis.crypto.randomUUID()]
        const ids = yield* roundTrip("uuid", values, asString)
        const upper = yield* RtValue.objects.get({ uuid: values[0]!.toUpperCase() })
        expect(upper.id).toBe(ids[0])
      })))

    it.effect("JSON with a Schema: nested arrays, unicode, quotes, an encoded bigint", () =>
      Testing.isolated(Effect.gen(function*() {
        const values: ReadonlyArray<Payload> = [
          {
            title: "ünïcödé 日本 😀 \"quoted\" 'single' back\\slash % _",
            matrix: [[1, 2, 3], [], [4.5, -6e-7]],
            tags: ["a", "", "👍🏽"],
            big: 2n ** 70n,
            nested: { ok: true, note: null }
          },
          { title: "", matrix: [], tags: [], big: -1n, nested: { ok: false, note: "line\nbreak" } }
        ]
        const ids = yield* roundTrip("data", values, (u) => {
          expect(Schema.is(Payload)(u)).toBe(true)
          return u
        })
        const read = yield* RtValue.objects.get({ id: ids[0]! })
        expect(typeof read.data!.big).toBe("bigint")
        expect(read.data!.big).toBe(2n ** 70n)
      })))

    it.effect("choices: the literal union round-trips and filters", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* roundTrip("status", ["draft", "published", "archived"], asString)
        yield* roundTrip("priority", [1, 2, 3], asNumber)
        const row = yield* RtValue.objects.get({ status: "published" })
        // The field's type is the literal union.
        const status: "draft" | "published" | "archived" | null = row.status
        const priority: 1 | 2 | 3 | null = row.priority
        expect([status, priority]).toEqual(["published", null])
      })))

    it.effect("nullable fields hold null, found by exact null and isNull", () =>
      Testing.isolated(Effect.gen(function*() {
        const created = yield* RtValue.objects.create({ label: "nulls" })
        const keys = Object.keys(RtValue.meta.fields).filter((k) => k !== "id" && k !== "label") as Array<ValueKey>
        const row = yield* RtValue.objects.get({ id: created.id })
        const [values] = yield* RtValue.objects.filter({ id: created.id }).values()
        for (const key of keys) {
          expect(created[key], key).toBeNull()
          expect(row[key], key).toBeNull()
          expect(values![key], key).toBeNull()
          const exactNull = key === "data" ? { data: { exact: null } } : { [key]: null }
          expect((yield* RtValue.objects.get(exactNull as Lookup.Filter<VF>)).id, key).toBe(created.id)
          expect((yield* RtValue.objects.get({ [key]: { isNull: true } } as Lookup.Filter<VF>)).id, key).toBe(created.id)
        }
        // Setting a value then null again.
        yield* RtValue.objects.filter({ id: created.id }).update({ big: 5n, decimal: dec("1.5") })
        yield* RtValue.objects.filter({ id: created.id }).update({ big: null, decimal: null })
        const back = yield* RtValue.objects.get({ id: created.id })
        expect([back.big, back.decimal]).toEqual([null, null])
      })))

    it.effect("a full row of every type reads back the same through the instance and values()", () =>
      Testing.isolated(Effect.gen(function*() {
        const input = {
          char: "ñ'\"\\%_",
          text: "😀",
          int: -2147483648,
          small: 32767,
          big: -(2n ** 63n),
          float: 5e-324,
          decimal: dec("-0.000001"),
          flag: false,
          day: "2020-02-29",
          at: at("2024-03-10T02:30:00-05:00"),
          time: "23:59:59.999999",
          span: Duration.micros(1n),
          uuid: "123e4567-e89b-12d3-a456-426614174000",
          data: { title: "t", matrix: [[1]], tags: ["x"], big: 1n, nested: { ok: true, note: "n" } },
          status: "high",
          level: 20
        } as const
        const created = yield* RtFull.objects.create(input)
        const norms: Record<string, Norm> = { decimal: asDecimal, at: asMillis, span: asNanos }
        const [values] = yield* RtFull.objects.filter({ id: created.id }).values()
        const got = yield* RtFull.objects.get({ id: created.id })
        expect(Object.keys(values!).sort()).toEqual(Object.keys(RtFull.meta.fields).sort())
        for (const [key, value] of Object.entries(input)) {
          const norm = norms[key] ?? asIs
          expect(norm((created as any)[key]), `create ${key}`).toEqual(norm(value))
          expect(norm((got as any)[key]), `get ${key}`).toEqual(norm(value))
          expect(norm((values as any)[key]), `values ${key}`).toEqual(norm(value))
        }
        expect(Schema.is(Schema.String.check(Schema.isUUID()))(got.token)).toBe(true)
        expect(values!.token).toBe(created.token)
        expect(got).toBeInstanceOf(RtFull)
      })))

    it.effect("Char maxLength counts characters, as varchar(n) and Django do (emoji are one character)", () =>
      Testing.isolated(Effect.gen(function*() {
        const emoji = "😀🎉🚀🌍" // 4 characters, 8 UTF-16 code units
        const created = yield* RtShort.objects.create({ code: emoji })
        expect((yield* RtShort.objects.get({ id: created.id })).code).toBe(emoji)
        const tooLong = yield* failure(RtShort.objects.create({ code: `${emoji}😀` }))
        expect(issueFields(tooLong.error).map((i) => i.field)).toEqual(["code"])
        expect(tooLong.queries).toEqual([])
      })))

    it.effect("defaults: values and functions, applied per row; explicit values and null win", () =>
      Testing.isolated(Effect.gen(function*() {
        const before = sequence
        const a = yield* RtDefaults.objects.create({})
        const b = yield* RtDefaults.objects.create({ name: "named", count: 1, tag: null, note: "n", data: [] })
        expect(a.name).toBe("unnamed")
        expect(a.count).toBe(7)
        expect(a.seq).toBe(before + 1)
        expect(b.seq).toBe(before + 2)
        expect(asDecimal(a.ratio)).toBe("1.5")
        expect(DateTime.toEpochMillis(a.since)).toBe(DateTime.toEpochMillis(epoch))
        expect(Duration.toMillis(a.span)).toBe(5 * 60 * 1000)
        expect(a.flag).toBe(false)
        expect(a.status).toBe("new")
        expect(Schema.is(Schema.String.check(Schema.isUUID()))(a.token)).toBe(true)
        expect(Schema.is(Schema.String.check(Schema.isUUID()))(b.token)).toBe(true)
        expect(a.token).not.toBe(b.token)
        expect(a.data).toEqual([1, 2])
        expect(a.note).toBeNull()
        expect(a.tag).toBe("x")
        expect([b.name, b.count, b.tag, b.note, b.data]).toEqual(["named", 1, null, "n", []])
        // What was stored, not only what create returned.
        const rows = yield* RtDefaults.objects.orderBy("id").values("name", "seq", "tag", "token", "data")
        expect(rows).toEqual([
          { name: "unnamed", seq: before + 1, tag: "x", token: a.token, data: [1, 2] },
          { name: "named", seq: before + 2, tag: null, token: b.token, data: [] }
        ])
        // A default function's mutable result is not shared between rows.
        expect(a.data).not.toBe((yield* RtDefaults.objects.create({})).data)
      })))

    // 2. Filtering by typed values.

    it.effect("filters by exact typed values, in and range, among similar rows", () =>
      Testing.isolated(Effect.gen(function*() {
        const rows = [
          {
            label: "one",
            decimal: dec("12345678901234.123456"),
            big: 2n ** 63n - 1n,
            at: at("2024-03-10T02:30:00-05:00"),
            day: "2020-02-29",
            span: Duration.seconds(90061.5),
            uuid: "123e4567-e89b-12d3-a456-426614174000",
            flag: true,
            float: 0.1,
            time: "23:59:59.999999",
            char: "100% _x_"
          },
          {
            label: "two",
            decimal: dec("12345678901234.123455"),
            big: 2n ** 63n - 2n,
            at: at("2024-03-10T07:30:00.001Z"),
            day: "2020-02-28",
            span: Duration.seconds(90061.499999),
            uuid: "123e4567-e89b-12d3-a456-426614174001",
            flag: false,
            float: 0.30000000000000004,
            time: "23:59:59.999998",
            char: "100 and x"
          }
        ] as const
        const [one, two] = [yield* RtValue.objects.create(rows[0]), yield* RtValue.objects.create(rows[1])]
        const labels = (condition: Lookup.Filter<VF>) =>
          Effect.map(RtValue.objects.filter(condition).orderBy("label").valuesList("label", { flat: true }), (r) => [...r])
        for (const key of ["decimal", "big", "at", "day", "span", "uuid", "flag", "float", "time", "char"] as const) {
          expect(yield* labels({ [key]: rows[0][key] }), `${key} of one`).toEqual(["one"])
          expect(yield* labels({ [key]: rows[1][key] }), `${key} of two`).toEqual(["two"])
          expect(yield* labels({ [key]: { exact: rows[0][key] } }), `${key} exact`).toEqual(["one"])
          expect(yield* labels({ [key]: { in: [rows[1][key]] } }), `${key} in`).toEqual(["two"])
          expect(yield* labels({ [key]: { in: [rows[0][key], rows[1][key]] } }), `${key} in both`).toEqual(["one", "two"])
        }
        // The same decimal written with another scale.
        expect(yield* labels({ decimal: dec("12345678901234.1234560000") })).toEqual(["one"])
        expect(yield* labels({ decimal: { gt: dec("12345678901234.123455") } })).toEqual(["one"])
        expect(yield* labels({ big: { gte: 2n ** 63n - 1n } })).toEqual(["one"])
        // The same instant written in another zone; a millisecond apart is another instant.
        expect(yield* labels({ at: at("2024-03-10T08:30:00+01:00") })).toEqual(["one"])
        expect(yield* labels({ at: { gt: at("2024-03-10T07:30:00Z") } })).toEqual(["two"])
        expect(yield* labels({ at: { range: [at("2024-03-10T07:30:00Z"), at("2024-03-10T07:30:00.001Z")] } })).toEqual(["one", "two"])
        expect(yield* labels({ day: { range: ["2020-02-29", "2020-03-01"] } })).toEqual(["one"])
        expect(yield* labels({ span: { gt: Duration.seconds(90061.4999995) } })).toEqual(["one"])
        expect(yield* labels({ span: Duration.micros(90061500000n) })).toEqual(["one"])
        // LIKE wildcards in the searched text are literal.
        expect(yield* labels({ char: { contains: "%" } })).toEqual(["one"])
        expect(yield* labels({ char: { contains: "_" } })).toEqual(["one"])
        expect(yield* labels({ char: { startsWith: "100%" } })).toEqual(["one"])
        expect(yield* labels({ char: { endsWith: "_" } })).toEqual(["one"])
        expect([one.label, two.label]).toEqual(["one", "two"])
      })))

    it.effect("text lookups treat quotes, backslashes, % and _ literally", () =>
      Testing.isolated(Effect.gen(function*() {
        for (const [label, text] of [["quote", "O'Reilly"], ["dq", "a \"b\""], ["bs", "c:\\dir\\"], ["pct", "50%"], ["us", "a_b"], ["plain", "ab"]] as const) {
          yield* RtValue.objects.create({ label, text })
        }
        const labels = (condition: Lookup.Filter<VF>) =>
          Effect.map(RtValue.objects.filter(condition).orderBy("label").valuesList("label", { flat: true }), (r) => [...r])
        expect(yield* labels({ text: "O'Reilly" })).toEqual(["quote"])
        expect(yield* labels({ text: { icontains: "'rEILLY" } })).toEqual(["quote"])
        expect(yield* labels({ text: { contains: "\"" } })).toEqual(["dq"])
        expect(yield* labels({ text: { contains: "\\" } })).toEqual(["bs"])
        expect(yield* labels({ text: { endsWith: "\\" } })).toEqual(["bs"])
        expect(yield* labels({ text: { contains: "%" } })).toEqual(["pct"])
        expect(yield* labels({ text: { contains: "_" } })).toEqual(["us"])
        expect(yield* labels({ text: { iexact: "A_B" } })).toEqual(["us"])
        expect(yield* labels({ text: { startsWith: "a" } })).toEqual(["dq", "plain", "us"])
      })))

    // 3. Validation.

    it.effect("create with several invalid fields fails with a ValidationError listing every bad field, writing nothing", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* RtStrict.objects.create(strictRow)
        const before = yield* strictSnapshot
        const { error, queries } = yield* failure(RtStrict.objects.create({
          code: "TOOLONG", // maxLength 5 (the pattern holds)
          status: "pending", // not a choice
          amount: dec("1.234"), // three decimal places, two allowed
          qty: 2 ** 31, // above int4
          small: 32768, // above int2
          big: 2n ** 63n, // above int8
          rating: 9, // validators: between 1 and 5
          day: "2021-02-29", // not a date
          at: "2024-01-01T00:00:00Z", // a string, not a DateTime
          token: "not-a-uuid"
          // title: missing and required
        } as any))
        const issues = issueFields(error)
        expect(issues.map((i) => i.field).sort()).toEqual(
          ["amount", "at", "big", "code", "day", "qty", "rating", "small", "status", "title", "token"].sort()
        )
        for (const issue of issues) expect(issue.message.length).toBeGreaterThan(0)
        expect(issues.find((i) => i.field === "title")!.message).toMatch(/required/)
        expect(issues.find((i) => i.field === "amount")!.message).toMatch(/decimal places/)
        expect(queries).toEqual([])
        expect(yield* RtStrict.objects.count()).toBe(1)
        expect(yield* strictSnapshot).toEqual(before)
      })))

    it.effect("each invalid value alone is refused: digits, decimal places, bounds, refinements, choices, length", () =>
      Testing.isolated(Effect.gen(function*() {
        const cases: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
          ["amount", { amount: dec("1234.5") }], // 4 digits before the point, 3 allowed
          ["amount", { amount: dec("-0.001") }],
          ["qty", { qty: 2147483648 }],
          ["qty", { qty: -2147483649 }],
          ["qty", { qty: 1.5 }],
          ["small", { small: -32769 }],
          ["big", { big: -(2n ** 63n) - 1n }],
          ["rating", { rating: 0 }],
          ["code", { code: "abc" }], // the pattern validator
          ["code", { code: "ABCDEF" }],
          ["status", { status: "OPEN" }],
          ["title", { title: null }],
          ["qty", { qty: "1" }]
        ]
        for (const [field, change] of cases) {
          const { error, queries } = yield* failure(RtStrict.objects.create({ ...strictRow, ...change } as any))
          expect(issueFields(error).map((i) => i.field), JSON.stringify(change, (_, v) => typeof v === "bigint" ? `${v}n` : v))
            .toEqual([field])
          expect(queries).toEqual([])
        }
        expect(yield* RtStrict.objects.count()).toBe(0)
        // The limits themselves are accepted.
        const edge = yield* RtStrict.objects.create({ ...strictRow, amount: dec("-999.99"), qty: 2147483647, small: -32768, big: -(2n ** 63n), rating: 5, code: "ABCDE" })
        expect(asDecimal(edge.amount)).toBe("-999.99")
        expect(yield* RtStrict.objects.count()).toBe(1)
      })))

    it.effect("update with invalid values fails with a ValidationError and changes nothing", () =>
      Testing.isolated(Effect.gen(function*() {
        const row = yield* RtStrict.objects.create(strictRow)
        yield* RtStrict.objects.create({ ...strictRow, code: "XYZ" })
        const before = yield* strictSnapshot
        const single = yield* failure(RtStrict.objects.filter({ id: row.id }).update({ code: "TOOLONG" }))
        expect(issueFields(single.error).map((i) => i.field)).toEqual(["code"])
        expect(single.queries).toEqual([])
        // A valid value next to invalid ones is not written either; every bad field is listed.
        const several = yield* failure(RtStrict.objects.update({
          title: "changed",
          qty: 2 ** 31,
          amount: dec("0.001"),
          status: "nope",
          rating: 6
        } as any))
        expect(issueFields(several.error).map((i) => i.field).sort()).toEqual(["amount", "qty", "rating", "status"])
        expect(several.queries).toEqual([])
        expect(yield* strictSnapshot).toEqual(before)
      })))

    // 4. Dynamic bad input.

    it.effect("unknown fields in create, filter, exclude, get, orderBy, values, valuesList, update: FieldError before any SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* RtStrict.objects.create(strictRow)
        const before = yield* strictSnapshot
        const cases: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown, Db.Db>]> = [
          ["create", RtStrict.objects.create({ ...strictRow, nope: 1 } as any)],
          ["filter", RtStrict.objects.filter({ nope: 1 } as any)],
          ["filter count", RtStrict.objects.filter({ nope: 1 } as any).count()],
          ["filter exists", RtStrict.objects.filter({ code: "ABC", nope: { gt: 1 } } as any).exists()],
          ["exclude", RtStrict.objects.exclude({ nope: null } as any)],
          ["get", RtStrict.objects.get({ nope: 1 } as any)],
          ["orderBy", RtStrict.objects.orderBy("nope" as any)],
          ["orderBy desc", RtStrict.objects.orderBy("-nope" as any)],
          ["values", RtStrict.objects.values("code", "nope" as any)],
          ["valuesList", RtStrict.objects.valuesList("nope" as any, { flat: true })],
          ["update", RtStrict.objects.update({ nope: 1 } as any)],
          ["update filter", RtStrict.objects.filter({ nope: 1 } as any).update({ title: "x" })],
          ["delete filter", RtStrict.objects.filter({ nope: 1 } as any).delete()]
        ]
        for (const [name, effect] of cases) {
          const { error, queries } = yield* failure(effect)
          expect((error as any)._tag, name).toBe("FieldError")
          expect((error as any).field, name).toBe("nope")
          expect((error as any).model, name).toBe("RtStrict")
          expect(queries, name).toEqual([])
        }
        expect(yield* strictSnapshot).toEqual(before)
      })))

    it.effect("wrong value types and lookups in filters: FieldError naming the field, before any SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* RtStrict.objects.create({ ...strictRow, day: "2020-02-29" })
        const cases: ReadonlyArray<readonly [string, unknown]> = [
          ["qty", { qty: "1" }],
          ["qty", { qty: { gt: "1" } }],
          ["qty", { qty: { in: [1, "2"] } }],
          ["qty", { qty: 1.5 }],
          ["day", { day: 20200229 }],
          ["day", { day: "2020-02-30" }],
          ["day", { day: { range: ["2020-01-01", 5] } }],
          ["amount", { amount: 123.45 }],
          ["amount", { amount: "123.45" }],
          ["big", { big: 1 }],
          ["at", { at: new Date() }],
          ["at", { at: "2024-01-01T00:00:00Z" }],
          ["token", { token: "not-a-uuid" }],
          ["code", { code: 5 }],
          ["code", { code: { contains: 5 } }],
          ["qty", { qty: { contains: "1" } }], // not a lookup of integers
          ["qty", { qty: { between: [1, 2] } }]
        ]
        for (const [field, condition] of cases) {
          const { error, queries } = yield* failure(RtStrict.objects.filter(condition as any).count())
          expect((error as any)._tag, JSON.stringify(condition)).toBe("FieldError")
          expect((error as any).field, JSON.stringify(condition)).toBe(field)
          expect(queries).toEqual([])
        }
        // The right types find the row.
        expect(yield* RtStrict.objects.filter({ qty: 1, day: "2020-02-29", amount: dec("123.45"), big: 0n }).count()).toBe(1)
      })))

    it.effect("integers outside the column's range in filters: FieldError naming the field, before any SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* RtStrict.objects.create(strictRow)
        const cases: ReadonlyArray<readonly [string, unknown]> = [
          ["qty", { qty: 2 ** 31 }],
          ["qty", { qty: { gt: -(2 ** 31) - 1 } }],
          ["qty", { qty: { in: [1, 2 ** 40] } }],
          ["small", { small: 32768 }],
          ["big", { big: 2n ** 63n }],
          ["big", { big: { lt: -(2n ** 63n) - 1n } }]
        ]
        for (const [field, condition] of cases) {
          const label = JSON.stringify(condition, (_, v) => typeof v === "bigint" ? `${v}n` : v)
          const { error, queries } = yield* failure(RtStrict.objects.filter(condition as any).count())
          expect((error as any)._tag, label).toBe("FieldError")
          expect((error as any).field, label).toBe(field)
          expect(queries, label).toEqual([])
        }
        // The transaction is still usable: no statement failed in the database.
        expect(yield* RtStrict.objects.count()).toBe(1)
      })))

    // 5. Integrity errors.

    it.effect("unique: IntegrityError naming the constraint, on create and update; nothing written", () =>
      Testing.isolated(Effect.gen(function*() {
        const first = yield* RtConstrained.objects.create({ name: "alpha" })
        yield* RtConstrained.objects.create({ name: "beta", qty: 1 })
        const created = yield* Db.atomic(RtConstrained.objects.create({ name: "alpha", qty: 2 })).pipe(Effect.flip)
        expect(created._tag).toBe("IntegrityError")
        if (created._tag === "IntegrityError") {
          expect(created.kind).toBe("unique")
          expect(created.constraint).toBe("rt_constrained_name_key")
          expect(created.table).toBe("rt_constrained")
        }
        const updated = yield* Db.atomic(RtConstrained.objects.filter({ name: "beta" }).update({ name: "alpha" })).pipe(Effect.flip)
        expect(updated._tag).toBe("IntegrityError")
        if (updated._tag === "IntegrityError") {
          expect(updated.kind).toBe("unique")
          expect(updated.constraint).toBe("rt_constrained_name_key")
        }
        // A unique constraint over several fields, from the model options.
        const together = yield* Db.atomic(RtConstrained.objects.create({ name: "gamma", qty: 0, code: "a" })).pipe(Effect.flip)
        expect(together._tag).toBe("IntegrityError")
        if (together._tag === "IntegrityError") {
          expect(together.kind).toBe("unique")
          expect(together.constraint).toBe("rt_constrained_qty_code_uniq")
        }
        expect(yield* constrainedNames).toEqual(["alpha", "beta"])
        expect((yield* RtConstrained.objects.get({ id: first.id })).qty).toBe(0)
      })))

    it.effect("check constraints (model options and choices): IntegrityError naming the constraint", () =>
      Testing.isolated(Effect.gen(function*() {
        const row = yield* RtConstrained.objects.create({ name: "alpha", qty: 3, code: "zzz" })
        const created = yield* Db.atomic(RtConstrained.objects.create({ name: "neg", qty: -1 })).pipe(Effect.flip)
        expect(created._tag).toBe("IntegrityError")
        if (created._tag === "IntegrityError") {
          expect(created.kind).toBe("check")
          expect(created.constraint).toBe("rt_constrained_qty_nonneg")
          expect(created.table).toBe("rt_constrained")
        }
        // Through an expression, which the schema cannot check.
        const expr = yield* Db.atomic(RtConstrained.objects.filter({ id: row.id }).update({ qty: F("qty").sub(10) })).pipe(Effect.flip)
        expect(expr._tag).toBe("IntegrityError")
        if (expr._tag === "IntegrityError") {
          expect(expr.kind).toBe("check")
          expect(expr.constraint).toBe("rt_constrained_qty_nonneg")
        }
        // The column constraint of `choices`, reached by copying another column into it.
        const choice = yield* Db.atomic(RtConstrained.objects.filter({ id: row.id }).update({ status: F("code") as any })).pipe(Effect.flip)
        expect(choice._tag).toBe("IntegrityError")
        if (choice._tag === "IntegrityError") {
          expect(choice.kind).toBe("check")
          expect(choice.constraint).toBe("rt_constrained_status_check")
        }
        // A value outside the choices never reaches the database.
        const invalid = yield* failure(RtConstrained.objects.filter({ id: row.id }).update({ status: "zzz" as any }))
        expect(issueFields(invalid.error).map((i) => i.field)).toEqual(["status"])
        expect(invalid.queries).toEqual([])
        const after = yield* RtConstrained.objects.get({ id: row.id })
        expect([after.qty, after.status]).toEqual([3, "a"])
        expect(yield* RtConstrained.objects.count()).toBe(1)
      })))

    it.effect("NOT NULL: a null value is a ValidationError before SQL; a NULL from an expression is IntegrityError notNull", () =>
      Testing.isolated(Effect.gen(function*() {
        const row = yield* RtConstrained.objects.create({ name: "alpha" })
        const created = yield* failure(RtConstrained.objects.create({ name: null as any }))
        expect(issueFields(created.error).map((i) => i.field)).toEqual(["name"])
        expect(created.queries).toEqual([])
        const updated = yield* failure(RtConstrained.objects.filter({ id: row.id }).update({ name: null as any }))
        expect(issueFields(updated.error).map((i) => i.field)).toEqual(["name"])
        expect(updated.queries).toEqual([])
        // The ORM path that reaches the database's NOT NULL: copying a NULL column (nickname) into name.
        const error = yield* Db.atomic(RtConstrained.objects.filter({ id: row.id }).update({ name: F("nickname") as any })).pipe(Effect.flip)
        expect(error._tag).toBe("IntegrityError")
        if (error._tag === "IntegrityError") {
          expect(error.kind).toBe("notNull")
          expect(error.constraint).toBeUndefined()
          expect(error.table).toBe("rt_constrained")
          expect(error.column).toBe("name")
        }
        expect(yield* constrainedNames).toEqual(["alpha"])
      })))

    it.effect("IntegrityError is catchable with Effect.catchTag, and the transaction goes on", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* RtConstrained.objects.create({ name: "alpha" })
        const attempt = (input: { name: string; qty?: number }) =>
          Db.atomic(RtConstrained.objects.create(input)).pipe(
            Effect.map((row) => `created ${row.name}`),
            Effect.catchTag("IntegrityError", (e) => Effect.succeed(`${e.kind}:${e.constraint}`))
          )
        expect(yield* attempt({ name: "alpha", qty: 5 })).toBe("unique:rt_constrained_name_key")
        expect(yield* attempt({ name: "neg", qty: -5 })).toBe("check:rt_constrained_qty_nonneg")
        expect(yield* attempt({ name: "beta", qty: 5 })).toBe("created beta")
        const notNull = yield* Db.atomic(RtConstrained.objects.filter({ name: "beta" }).update({ name: F("nickname") as any })).pipe(
          Effect.as("updated"),
          Effect.catchTag("IntegrityError", (e) => Effect.succeed(`${e.kind}:${e.column}`))
        )
        expect(notNull).toBe("notNull:name")
        expect(yield* constrainedNames).toEqual(["alpha", "beta"])
      })))
  })
}

describe("a model is a Schema", () => {
  class Greeter extends Model.Class<Greeter>("Greeter")({
    id: Field.AutoField(),
    name: Field.Char({ maxLength: 10 }),
    amount: Field.Decimal({ maxDigits: 5, decimalPlaces: 2 })
  }, { table: "rt_greeter" }) {
    get greeting() {
      return `Hello, ${this.name}`
    }
  }

  it("decoding builds the user's class, with its methods, and checks every field", () => {
    // Touch the base class's statics first: Effect memoises a class schema on the first class that reads it.
    expect(Greeter.meta.table).toBe("rt_greeter")
    // Decimals travel as strings in JSON (see codecs.test.ts).
    const decoded = Schema.decodeUnknownSync(Greeter)({ id: 1, name: "Ada", amount: "1.50" })
    expect(decoded).toBeInstanceOf(Greeter)
    expect(decoded.greeting).toBe("Hello, Ada")
    expect(() => Schema.decodeUnknownSync(Greeter)({ id: 1, name: "a name too long", amount: "1.50" })).toThrow(/at most 10/)
    expect(() => Schema.decodeUnknownSync(Greeter)({ id: 1.5, name: "Ada", amount: "1.50" })).toThrow(/integer/)
    const constructed = new Greeter({ id: 2, name: "Bo", amount: dec("2.25") })
    expect(constructed.greeting).toBe("Hello, Bo")
    expect(() => new Greeter({ id: 2, name: "Bo", amount: dec("2.255") })).toThrow()
  })
})
