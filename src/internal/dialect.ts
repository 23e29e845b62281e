/**
 * Every SQL spelling that is PostgreSQL's own, in one object: quoting, typed parameters, casts, date parts, function
 * and aggregate names. The compilers build statements from these; another dialect would override some of them
 * instead of forking the compilers.
 * @internal
 */
import type * as Expr from "../Expr.js"
import type * as Types from "./expressions/types.js"
import * as JsonSql from "./jsonSql.js"

/** The SQL spellings a compiler asks for. @internal */
export interface Dialect {
  readonly quote: (identifier: string) => string
  /** The SQL type of a `Cast` target. */
  readonly castType: (target: Expr.CastTarget) => string
  readonly cast: (sql: string, type: string) => string
  /** `Cast`: a value of type `from` converted to `to` (timestamps read in UTC). */
  readonly convert: (sql: string, from: Types.Type, to: Expr.CastTarget) => string
  /** A part of a date or time value as a number. */
  readonly extract: (part: string, sql: string, type: Types.Type) => string
  /** A date or timestamp truncated to a precision. */
  readonly trunc: (precision: string, sql: string, type: Types.Type) => string
  /** A built-in function over compiled arguments. */
  readonly call: (fn: string, args: ReadonlyArray<string>, types: ReadonlyArray<Types.Type>) => string
  /** An aggregate over its compiled argument (`*` for rows), with its modifiers. */
  readonly aggregate: (
    fn: Expr.AggregateFunction,
    arg: string | undefined,
    options: {
      readonly distinct: boolean
      readonly orderBy: string | undefined
      readonly separator: string | undefined
      readonly sample: boolean
      readonly type: Types.Type | undefined
    },
    separatorSql: (separator: string) => string
  ) => string
  readonly filter: (aggregate: string, condition: string) => string
  /** A window function over compiled arguments. */
  readonly windowFunction: (fn: string, args: ReadonlyArray<string>) => string
  /** A part of a date or timestamp column for a lookup (`{ pubdate: { year: 2024 } }`), timestamps in UTC. */
  readonly datePart: (sql: string, part: "year" | "month" | "day" | "weekDay" | "hour" | "minute" | "second" | "date", datetime: boolean) => string
  /** A text pattern match (`contains`, `iStartsWith` ...): `pattern` is a bound parameter, its wildcards escaped. */
  readonly like: (sql: string, pattern: string, caseInsensitive: boolean) => string
  /** Escapes the wildcards of a pattern's literal part. */
  readonly escapeLike: (text: string) => string
  /** A POSIX regular expression match. */
  readonly regex: (sql: string, pattern: string, caseInsensitive: boolean) => string
  /** Membership in one array parameter of the SQL type `type`. */
  readonly anyOf: (sql: string, array: string, type: string) => string
  /** `DISTINCT ON (...)`, keeping the first row of each group. */
  readonly distinctOn: (columns: ReadonlyArray<string>) => string
  /** A row lock: `FOR UPDATE [OF ...] [NOWAIT | SKIP LOCKED]`. */
  readonly lock: (of: ReadonlyArray<string>, nowait: boolean, skipLocked: boolean) => string
  /** What an INSERT does with a row that breaks a unique constraint: skip it, or update the row it conflicts with. */
  readonly onConflict: (update: { readonly unique: ReadonlyArray<string>; readonly set: ReadonlyArray<string> } | undefined) => string
  /** An assignment of a column from the row that conflicted (`"x" = EXCLUDED."x"`). */
  readonly fromConflicting: (column: string) => string
  /** The JSON operators of JSON lookups (`jsonSql.ts`). */
  readonly json: typeof JsonSql
  readonly nulls: (order: string, nulls: "first" | "last" | undefined) => string
}

const castTypes: Record<Expr.CastTarget, string> = {
  integer: "integer",
  bigint: "bigint",
  float: "double precision",
  decimal: "numeric",
  text: "text",
  boolean: "boolean",
  date: "date",
  datetime: "timestamptz",
  time: "time",
  duration: "interval",
  uuid: "uuid",
  json: "jsonb"
}

const extractParts: Record<string, string> = {
  year: "YEAR",
  isoYear: "ISOYEAR",
  quarter: "QUARTER",
  month: "MONTH",
  week: "WEEK",
  day: "DAY",
  dayOfYear: "DOY",
  isoWeekDay: "ISODOW",
  hour: "HOUR",
  minute: "MINUTE",
  second: "SECOND",
  epoch: "EPOCH"
}

/** The precisions `Trunc` takes (spliced into the SQL text, so never anything else). */
const truncPrecisions = new Set(["year", "quarter", "month", "week", "day", "hour", "minute", "second"])

/** Float arguments as numeric when another is a decimal: PostgreSQL would compute a float, the result is a decimal. */
const exact = (args: ReadonlyArray<string>, types: ReadonlyArray<Types.Type>) =>
  types.some((t) => t.kind === "decimal")
    ? args.map((a, i) => types[i]!.kind === "number" && types[i]!.float === true ? `CAST(${a} AS numeric)` : a)
    : args

/** Timestamps are read in UTC, whatever the session's time zone. */
const utc = (sql: string, type: Types.Type) => type.kind === "datetime" ? `(${sql} AT TIME ZONE 'UTC')` : sql

/** PostgreSQL. @internal */
export const postgres: Dialect = {
  // Identifiers come from model metadata and rarely hold a quote: the scan is cheaper than the replace.
  quote: (identifier) => identifier.includes("\"") ? `"${identifier.replace(/"/g, "\"\"")}"` : `"${identifier}"`,
  castType: (target) => castTypes[target],
  cast: (sql, type) => `CAST(${sql} AS ${type})`,
  convert: (sql, from, to) => {
    // A timestamp's date and time are its UTC ones, and a date becomes its UTC midnight, whatever the session's zone.
    if (from.kind === "datetime" && (to === "date" || to === "time")) return `CAST((${sql} AT TIME ZONE 'UTC') AS ${castTypes[to]})`
    if (from.kind === "date" && to === "datetime") return `(CAST(${sql} AS timestamp) AT TIME ZONE 'UTC')`
    return `CAST(${sql} AS ${castTypes[to]})`
  },
  extract: (part, sql, type) => {
    const source = utc(sql, type)
    if (part === "weekDay") return `(EXTRACT(DOW FROM ${source}) + 1)`
    const name = extractParts[part]
    if (name === undefined) throw new Error(`Unknown part ${part}`)
    return `EXTRACT(${name} FROM ${source})::float8`
  },
  trunc: (precision, sql, type) => {
    if (!truncPrecisions.has(precision)) throw new Error(`Unknown precision ${precision}`)
    if (type.kind === "date") return `CAST(DATE_TRUNC('${precision}', ${sql}) AS date)`
    return `(DATE_TRUNC('${precision}', ${utc(sql, type)}) AT TIME ZONE 'UTC')`
  },
  call: (fn, args, types) => {
    switch (fn) {
      case "now":
        return "CURRENT_TIMESTAMP"
      case "concat":
        // CONCAT skips NULLs; each argument as text, so that numbers and dates join as PostgreSQL prints them.
        return `CONCAT(${args.map((a) => `CAST(${a} AS text)`).join(", ")})`
      case "coalesce":
      case "greatest":
      case "least":
      case "nullif":
        return `${fn.toUpperCase()}(${exact(args, types).join(", ")})`
      case "ceil":
      case "floor":
        // CEIL(bigint) is CEIL(double precision), which loses digits beyond 2^53: an integer is its own ceiling.
        return types[0]!.kind === "bigint" ? `(${args[0]})` : `${fn.toUpperCase()}(${args[0]})`
      case "mod":
        // MOD(double precision, ...) does not exist: floats are taken as numeric, the result read back as a float.
        if (!types.some((t) => t.kind === "number" && t.float === true)) return `MOD(${args.join(", ")})`
        return types.some((t) => t.kind === "decimal")
          ? `MOD(${args.map((a) => `CAST(${a} AS numeric)`).join(", ")})`
          : `CAST(MOD(${args.map((a) => `CAST(${a} AS numeric)`).join(", ")}) AS double precision)`
      case "strpos":
        return `STRPOS(${args[0]}, ${args[1]})`
      case "round":
        // ROUND(double precision, integer) does not exist: a float is rounded as a numeric and read back as a float.
        return types[0]!.kind === "number" && types[0]!.float
          ? `CAST(ROUND(CAST(${args[0]} AS numeric), ${args[1]}) AS double precision)`
          : types[0]!.kind === "bigint"
          // ROUND(bigint, 2) is a numeric with decimal places ("5.00"): a bigint stays a bigint.
          ? `CAST(ROUND(${args[0]}, ${args[1]}) AS bigint)`
          : `ROUND(${args[0]}, ${args[1]})`
      case "power":
      case "sqrt":
        // Exact for decimals and bigints (numeric), a float otherwise, as the result's type says.
        return types.some((t) => t.kind === "decimal" || t.kind === "bigint")
          ? `${fn.toUpperCase()}(${args.map((a) => `CAST(${a} AS numeric)`).join(", ")})`
          : `${fn.toUpperCase()}(${args.map((a) => `CAST(${a} AS double precision)`).join(", ")})`
      default:
        return `${fn.toUpperCase()}(${args.join(", ")})`
    }
  },
  aggregate: (fn, arg, options, separatorSql) => {
    const distinct = options.distinct ? "DISTINCT " : ""
    const order = options.orderBy === undefined ? "" : ` ORDER BY ${options.orderBy}`
    switch (fn) {
      case "count":
        return `COUNT(${arg === undefined ? "*" : `${distinct}${arg}`})`
      case "avg":
        // The average of integers as a float, as Django's Avg; of numeric and bigint exactly.
        return options.type?.kind === "number" ? `AVG(${distinct}CAST(${arg} AS double precision))` : `AVG(${distinct}${arg})`
      case "stddev":
        return `${options.sample ? "STDDEV_SAMP" : "STDDEV_POP"}(${distinct}${arg})`
      case "variance":
        return `${options.sample ? "VAR_SAMP" : "VAR_POP"}(${distinct}${arg})`
      case "stringAgg":
        return `STRING_AGG(${distinct}${arg}, ${separatorSql(options.separator ?? ",")}${order})`
      case "arrayAgg":
        return `ARRAY_AGG(${distinct}${arg}${order})`
      case "boolAnd":
        return `BOOL_AND(${arg})`
      case "boolOr":
        return `BOOL_OR(${arg})`
      default:
        return `${fn.toUpperCase()}(${distinct}${arg})`
    }
  },
  filter: (aggregate, condition) => `${aggregate} FILTER (WHERE ${condition})`,
  datePart: (sql, part, datetime) => {
    // Parts of a timestamp are taken in UTC, whatever the session time zone.
    const source = datetime ? `(${sql} AT TIME ZONE 'UTC')` : sql
    switch (part) {
      case "date":
        return `${source}::date`
      case "weekDay":
        return `(EXTRACT(DOW FROM ${source}) + 1)`
      case "second":
        return `FLOOR(EXTRACT(SECOND FROM ${source}))`
      default:
        return `EXTRACT(${part.toUpperCase()} FROM ${source})`
    }
  },
  like: (sql, pattern, caseInsensitive) => `${sql} ${caseInsensitive ? "ILIKE" : "LIKE"} ${pattern}`,
  escapeLike: (text) => text.replace(/[\\%_]/g, (c) => `\\${c}`),
  regex: (sql, pattern, caseInsensitive) => `${sql} ${caseInsensitive ? "~*" : "~"} ${pattern}`,
  anyOf: (sql, array, type) => `${sql} = ANY(${array}::${type}[])`,
  distinctOn: (columns) => `DISTINCT ON (${columns.join(", ")}) `,
  lock: (of, nowait, skipLocked) =>
    ` FOR UPDATE${of.length > 0 ? ` OF ${of.join(", ")}` : ""}${nowait ? " NOWAIT" : skipLocked ? " SKIP LOCKED" : ""}`,
  onConflict: (update) =>
    update === undefined ? " ON CONFLICT DO NOTHING" : ` ON CONFLICT (${update.unique.join(", ")}) DO UPDATE SET ${update.set.join(", ")}`,
  fromConflicting: (column) => `${column} = EXCLUDED.${column}`,
  json: JsonSql,
  windowFunction: (fn, args) => `${fn.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}(${args.join(", ")})`,
  nulls: (order, nulls) => nulls === undefined ? order : `${order} NULLS ${nulls === "first" ? "FIRST" : "LAST"}`
}
