/**
 * The PostgreSQL type of each field kind: for DDL, and for casting parameters where PostgreSQL cannot infer their
 * type (the rows of a VALUES list, the array of an `= ANY(...)`).
 * @internal
 */
import type * as Field from "../Field.js"

/** What the SQL type of a column depends on. @internal */
export interface TypeFacts {
  readonly kind: Field.FieldKind
  readonly maxLength?: number | undefined
  readonly maxDigits?: number | undefined
  readonly decimalPlaces?: number | undefined
}

/** @internal */
export const sqlType = (field: TypeFacts): string => {
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

/**
 * The type of a field's values without its length or precision, for casting parameters: a cast to `varchar(3)` or
 * `numeric(5, 2)` would silently truncate or round a value instead of comparing it as it is.
 * @internal
 */
export const valueType = (field: Field.Any): string => {
  switch (field.kind) {
    case "Char":
      return "text"
    case "Decimal":
      return "numeric"
    default:
      return sqlType(field)
  }
}
