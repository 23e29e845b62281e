/**
 * The PostgreSQL type of each field kind: for DDL, and for casting parameters where PostgreSQL cannot infer their
 * type (the rows of a VALUES list).
 * @internal
 */
import type * as Field from "../Field.js"

/** @internal */
export const sqlType = (field: Field.Any): string => {
  switch (field.kind) {
    case "AutoField":
    case "Integer":
      return "integer"
    case "BigAutoField":
    case "BigInteger":
      return "bigint"
    case "Char":
      return `varchar(${field.maxLength})`
    case "Text":
      return "text"
    case "SmallInteger":
      return "smallint"
    case "Float":
      return "double precision"
    case "Decimal":
      return `numeric(${field.maxDigits}, ${field.decimalPlaces})`
    case "Boolean":
      return "boolean"
    case "Date":
      return "date"
    case "DateTime":
      return "timestamptz"
    case "Time":
      return "time"
    case "Duration":
      return "interval"
    case "UUID":
      return "uuid"
    case "JSON":
      return "jsonb"
  }
}
