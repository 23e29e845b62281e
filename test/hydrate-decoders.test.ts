/**
 * Rows are decoded by a function compiled per set of columns, or by a loop where functions cannot be compiled from
 * text (a content security policy). Both give the same records, pass NULL and missing values as null, convert only
 * through the fields' `fromDb`, and name the column whose conversion threw; names that are not identifiers are safe.
 */
import { describe, expect, it } from "@effect/vitest"
import { BigDecimal } from "effect"
import { DecodeError, Field } from "../src/index.js"
import { compileDecoder, type Read } from "../src/internal/hydrate.js"

const columns: ReadonlyArray<Read> = [
  { field: Field.Integer(), key: "id", alias: "id" },
  { field: Field.Decimal({ maxDigits: 6, decimalPlaces: 2 }), key: "price", alias: "price" },
  { field: Field.Char({ maxLength: 10 }), key: "odd \"name\"\n\u2028", alias: "odd alias'); throw 1; //" },
  { field: Field.Date({ nullable: true }), key: "day", alias: "t.day" }
]
const conversions = columns.map((c) => c.field.fromDb)
const fail = (index: number, _raw: Record<string, unknown>, error: unknown) =>
  new DecodeError({ model: "M", pk: undefined, field: columns[index]!.key, reason: String(error) })

describe("row decoders", () => {
  for (const compile of [true, false]) {
    it(compile ? "compiled" : "loop", () => {
      const decode = compileDecoder(columns, compile)
      const raw = { id: 7, price: "12.50", "odd alias'); throw 1; //": "x", "t.day": null }
      const row = decode({}, raw, conversions, fail)
      expect(row).toEqual({ id: 7, price: BigDecimal.fromStringUnsafe("12.50"), "odd \"name\"\n\u2028": "x", day: null })
      expect(decode({}, { id: 1 }, conversions, fail)).toEqual({ id: 1, price: null, "odd \"name\"\n\u2028": null, day: null })
      const error = (() => {
        try {
          decode({}, { ...raw, "t.day": "20000-01-01" }, conversions, fail)
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(DecodeError)
      expect((error as DecodeError).field).toBe("day")
    })
  }
})
