/**
 * A field's `validate` takes a quick path for values its kind recognises at a glance (bulk inserts check thousands of
 * values). It must answer exactly as the field's schema does, for valid and invalid values alike: this compares the
 * two over edge values of every kind, nullable or not, with and without choices and validators.
 */
import { describe, expect, it } from "@effect/vitest"
import { BigDecimal, DateTime, Duration, Schema } from "effect"
import { Field } from "../src/index.js"

/** The answer of the schema alone (as every field answered before the quick path). */
const schemaAnswer = (field: Field.Any) => {
  const check = Field.validator(field.schema)
  return (u: unknown): string | undefined => {
    const problem = check(u)
    return problem === undefined && u === null && !field.nullable
      ? "null is written as SQL NULL, which a field without `nullable: true` refuses"
      : problem
  }
}

const dec = (s: string) => BigDecimal.fromStringUnsafe(s)
const common: ReadonlyArray<unknown> = [null, undefined, "", "x", 0, -0, 1, 1.5, NaN, Infinity, true, {}, [], 1n]
const values: Record<string, ReadonlyArray<unknown>> = {
  text: ["abc", "a".repeat(10), "a".repeat(11), "😀".repeat(10), "😀".repeat(6), "é", "a\u0000b", "\ud800", "\udc00x", "\ud83d\ude00", "x\ud83d", " "],
  int: [2147483647, 2147483648, -2147483648, -2147483649, 32767, 32768, -32768, -32769, 2 ** 53, 1e300, "1", 3, 7],
  big: [2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n, "12"],
  float: [1e308, -1e-308, Number.MAX_VALUE, -Infinity],
  decimal: ["1.5", dec("1234.56"), dec("12345.6"), dec("1.234"), dec("-9999.99"), dec("0"), dec("1e3"), dec("1e-2"), dec("100000")],
  date: ["2024-02-29", "2023-02-29", "0000-01-01", "0001-01-01", "9999-12-31", "2024-13-01", "2024-1-01", " 2024-01-01"],
  time: ["00:00:00", "23:59:59.999999", "24:00:00", "24:00:01", "12:30", "12:30:00.1234567"],
  datetime: [DateTime.makeUnsafe(0), DateTime.makeUnsafe("2024-01-01T00:00:00Z"), DateTime.makeUnsafe(-8.64e15), new Date(0), "2024-01-01T00:00:00Z"],
  duration: [Duration.seconds(1), Duration.zero, Duration.infinity, Duration.nanos(2n ** 80n), Duration.millis(-5)],
  uuid: ["123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174000", "123e4567e89b12d3a456426614174000", "not-a-uuid"]
}
const all = [...common, ...Object.values(values).flat()]

const fields: Record<string, Field.Any> = {
  auto: Field.AutoField(),
  bigAuto: Field.BigAutoField(),
  char: Field.Char({ maxLength: 10 }),
  charNullable: Field.Char({ maxLength: 10, nullable: true }),
  charChoices: Field.Char({ maxLength: 10, choices: ["abc", "x"] }),
  text: Field.Text(),
  integer: Field.Integer(),
  integerNullable: Field.Integer({ nullable: true }),
  integerChoices: Field.Integer({ choices: [3, 7] }),
  integerValidated: Field.Integer({ validators: [Schema.isGreaterThan(5)] }),
  small: Field.SmallInteger(),
  bigInteger: Field.BigInteger(),
  float: Field.Float(),
  decimal: Field.Decimal({ maxDigits: 6, decimalPlaces: 2 }),
  decimalNullable: Field.Decimal({ maxDigits: 6, decimalPlaces: 2, nullable: true }),
  boolean: Field.Boolean(),
  date: Field.Date(),
  dateTime: Field.DateTime({ nullable: true }),
  time: Field.Time(),
  duration: Field.Duration(),
  uuid: Field.UUID(),
  version: Field.Version()
}

describe("write validation", () => {
  for (const [name, field] of Object.entries(fields)) {
    it(`${name}: the quick path answers as the schema does, problem for problem`, () => {
      const expected = schemaAnswer(field)
      const mismatches = all.filter((u) => field.validate(u) !== expected(u))
      expect(mismatches).toEqual([])
      // The corpus holds values each field accepts and values it refuses.
      expect(all.some((u) => expected(u) === undefined)).toBe(true)
      expect(all.some((u) => expected(u) !== undefined)).toBe(true)
    })
  }
})
