/**
 * Typed, tagged errors. Each can be handled with `Effect.catchTag`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/** `get` found no row. @since 0.1.0 */
export class DoesNotExist extends Data.TaggedError("DoesNotExist")<{
  readonly model: string
  readonly lookup: string
}> {
  override get message() {
    return `${this.model} matching query does not exist (${this.lookup})`
  }
}

/** `get` found more than one row. @since 0.1.0 */
export class MultipleObjectsReturned extends Data.TaggedError("MultipleObjectsReturned")<{
  readonly model: string
  readonly lookup: string
}> {
  override get message() {
    return `get() returned more than one ${this.model} (${this.lookup})`
  }
}

/** A field, lookup or value given at run time does not fit the model; raised before any SQL runs. @since 0.1.0 */
export class FieldError extends Data.TaggedError("FieldError")<{
  readonly model: string
  readonly field?: string | undefined
  readonly reason: string
}> {
  override get message() {
    return `${this.model}${this.field === undefined ? "" : `.${this.field}`}: ${this.reason}`
  }
}

/** One invalid field of a write. @since 0.1.0 */
export interface ValidationIssue {
  readonly field: string
  readonly message: string
}

/** Values given to a write do not pass their fields' schemas; nothing was written. @since 0.1.0 */
export class ValidationError extends Data.TaggedError("ValidationError")<{
  readonly model: string
  readonly issues: ReadonlyArray<ValidationIssue>
}> {
  override get message() {
    return `Invalid ${this.model}: ${this.issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`
  }
}

/**
 * A row read from the database does not decode into its model: a value written by another program (or by SQL) that
 * the field's schema refuses, such as JSON not matching the field's Schema. Nothing is returned for the query.
 * @since 0.2.0
 */
export class DecodeError extends Data.TaggedError("DecodeError")<{
  readonly model: string
  /** The row's primary key as the database gave it, when it was selected. */
  readonly pk: unknown
  readonly field: string
  readonly reason: string
}> {
  override get message() {
    return `${this.model}${this.pk === undefined ? "" : ` ${String(this.pk)}`}: the stored value of ${this.field} does not decode: ${this.reason}`
  }
}

/**
 * The database refused a value computed or compared by the statement (SQLSTATE class 22: a number out of range, a
 * division by zero, text too long for its column, an invalid regular expression). Nothing was written by the
 * statement; inside a transaction, the transaction is aborted (except for regular expressions, checked in a savepoint).
 * @since 0.2.0
 */
export class DataError extends Data.TaggedError("DataError")<{
  /** PostgreSQL's SQLSTATE, e.g. `22003` (numeric value out of range), `22012` (division by zero). */
  readonly code: string
  readonly detail: string
  readonly cause: unknown
}> {
  override get message() {
    return `the database refused a value (SQLSTATE ${this.code}): ${this.detail}`
  }
}

/** One refused request parameter of a `FilterSet`. @since 0.2.0 */
export interface ParamIssue {
  /** The parameter as it was given (`"pages__gt"`, `"publisher.name"`, `"ordering"`). */
  readonly param: string
  readonly message: string
}

/**
 * Request parameters a `FilterSet` refused: every bad parameter with its reason, none applied. Meant for a 400
 * response (`issues` is plain JSON).
 * @since 0.2.0
 */
export class ParamsError extends Data.TaggedError("ParamsError")<{
  readonly model: string
  readonly issues: ReadonlyArray<ParamIssue>
}> {
  override get message() {
    return `Invalid parameters for ${this.model}: ${this.issues.map((i) => `${i.param}: ${i.message}`).join("; ")}`
  }
}

/** The kind of constraint an `IntegrityError` reports. @since 0.1.0 */
export type IntegrityKind = "unique" | "foreignKey" | "notNull" | "check" | "exclusion"

/** The database refused a write because it breaks a constraint. @since 0.1.0 */
export class IntegrityError extends Data.TaggedError("IntegrityError")<{
  readonly kind: IntegrityKind
  /** The constraint's name, when the database names it (not for NOT NULL). */
  readonly constraint: string | undefined
  readonly table: string | undefined
  readonly column: string | undefined
  readonly detail: string
  readonly cause: unknown
}> {
  override get message() {
    return `${this.kind} constraint${this.constraint ? ` "${this.constraint}"` : ""} violated: ${this.detail}`
  }
}

/** An instance was saved or deleted after its row changed (its version field no longer matches); nothing was written. @since 0.1.0 */
export class StaleObjectError extends Data.TaggedError("StaleObjectError")<{
  readonly model: string
  readonly pk: unknown
  readonly version: number
}> {
  override get message() {
    return `${this.model} ${String(this.pk)} was changed or deleted since version ${this.version} was read`
  }
}

/** The query cannot run as built (for example `update` on a sliced queryset). @since 0.1.0 */
export class QueryError extends Data.TaggedError("QueryError")<{
  readonly model: string
  readonly reason: string
}> {
  override get message() {
    return `${this.model}: ${this.reason}`
  }
}

/**
 * A delete was refused because rows of another model reference the rows being deleted through a relation with
 * `onDelete: "PROTECT"` (`ProtectedError`) or `"RESTRICT"` (`RestrictedError`, raised only when the referencing rows
 * are not deleted by the same operation); nothing was deleted.
 * @since 0.1.0
 */
export interface DeleteRefusal {
  /** The model whose rows were to be deleted. */
  readonly model: string
  /** The model of the protecting rows, and the relation field on it. */
  readonly protectedBy: string
  readonly field: string
  /** The primary keys of the protecting rows (at most 100). */
  readonly keys: ReadonlyArray<unknown>
}

const refusal = (self: DeleteRefusal, kind: string) =>
  `Cannot delete ${self.model}: referenced by ${self.protectedBy} rows (${self.keys.map(String).join(", ")}) through ${self.protectedBy}.${self.field} (${kind})`

/** See `DeleteRefusal`. @since 0.1.0 */
export class ProtectedError extends Data.TaggedError("ProtectedError")<DeleteRefusal> {
  override get message() {
    return refusal(this, "PROTECT")
  }
}

/** See `DeleteRefusal`. @since 0.1.0 */
export class RestrictedError extends Data.TaggedError("RestrictedError")<DeleteRefusal> {
  override get message() {
    return refusal(this, "RESTRICT")
  }
}

/** What went wrong with migrations, by kind; `MigrationError.message` says what to do. @since 0.3.0 */
export type MigrationProblem =
  /** A migration file cannot be loaded, or does not export a migration. */
  | "load"
  /** The migrations do not form one graph: a missing dependency, a cycle, two leaves. */
  | "graph"
  /** An applied migration was edited (its checksum changed), or the database records one that no file has. */
  | "history"
  /** An operation does not fit the schema its migration starts from. */
  | "state"
  /** The models changed in a way the autodetector will not decide alone (a rename or a drop). */
  | "question"
  /** Migrating backward through an operation that cannot be undone. */
  | "irreversible"
  /** A statement failed while applying or unapplying a migration. */
  | "apply"
  /** `makemigrations --check` found changes without a migration. */
  | "pending"

/** A migration cannot be made, loaded or applied. Nothing was changed unless the message says otherwise. @since 0.3.0 */
export class MigrationError extends Data.TaggedError("MigrationError")<{
  readonly problem: MigrationProblem
  readonly message: string
  /** The migration concerned, when there is one. */
  readonly migration?: string | undefined
  readonly cause?: unknown
}> {}
