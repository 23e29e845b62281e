/**
 * effect-orm: a Django-style ORM on Effect 4 and its SQL modules.
 *
 * @since 0.1.0
 */
export * as Aggregate from "./Aggregate.js"
export * as Db from "./Db.js"
export * as Errors from "./Errors.js"
export * as FilterSet from "./FilterSet.js"
export * as Expr from "./Expr.js"
export * as Field from "./Field.js"
export * as Inputs from "./Inputs.js"
export * as JsonLookup from "./JsonLookup.js"
export * as Lookup from "./Lookup.js"
export * as Model from "./Model.js"
export * as Path from "./Path.js"
export * as QueryLog from "./QueryLog.js"
export * as QuerySet from "./QuerySet.js"
export * as Relation from "./Relation.js"
export * as Tables from "./Tables.js"
export * as Transaction from "./Transaction.js"
export * as Postgres from "./drivers/Postgres.js"
export * as PGlite from "./drivers/PGlite.js"
export {
  DataError,
  DecodeError,
  DoesNotExist,
  FieldError,
  IntegrityError,
  MultipleObjectsReturned,
  ParamsError,
  ProtectedError,
  QueryError,
  RestrictedError,
  StaleObjectError,
  ValidationError
} from "./Errors.js"
export { Avg, Count, Max, Min, Sum } from "./Aggregate.js"
export { F } from "./Expr.js"
export { Q } from "./Lookup.js"
export { Prefetch } from "./QuerySet.js"
