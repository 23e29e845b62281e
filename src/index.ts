/**
 * effect-orm: a Django-style ORM on Effect 4 and its SQL modules.
 *
 * @since 0.1.0
 */
export * as Aggregate from "./Aggregate.js"
export * as Db from "./Db.js"
export * as Errors from "./Errors.js"
export * as FilterSet from "./FilterSet.js"
export * as Functions from "./Functions.js"
export * as Expr from "./Expr.js"
export * as ExprType from "./ExprType.js"
export * as Field from "./Field.js"
export * as Inputs from "./Inputs.js"
export * as JsonLookup from "./JsonLookup.js"
export * as Lookup from "./Lookup.js"
export * as Model from "./Model.js"
export * as Path from "./Path.js"
export * as QueryLog from "./QueryLog.js"
export * as QuerySet from "./QuerySet.js"
export * as Relation from "./Relation.js"
export * as Subqueries from "./Subqueries.js"
export * as Tables from "./Tables.js"
export * as Transaction from "./Transaction.js"
export * as Windows from "./Windows.js"
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
export { ArrayAgg, Avg, BoolAnd, BoolOr, Count, Max, Min, StdDev, StringAgg, Sum, Variance } from "./Aggregate.js"
export { F, Value } from "./Expr.js"
export { Exists, OuterRef, Subquery } from "./Subqueries.js"
export {
  CumeDist, DenseRank, FirstValue, Lag, LastValue, Lead, NthValue, Ntile, PercentRank, Rank, RowNumber, Window
} from "./Windows.js"
export {
  Abs, Case, Cast, Ceil, Coalesce, Concat, Extract, Floor, Greatest, Least, Length, Lower, Mod, Now, NullIf, Power, Replace,
  Round, Sqrt, StrIndex, Substr, Trim, Trunc, Upper, When
} from "./Functions.js"
export { Q } from "./Lookup.js"
export { Prefetch } from "./QuerySet.js"
