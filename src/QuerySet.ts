/**
 * QuerySets: immutable, lazy descriptions of a query. Every chainable method returns a new QuerySet and nothing
 * runs until the QuerySet (an `Effect` yielding its rows) or one of its terminal Effects is run.
 *
 * The terminal methods delegate: reads to `internal/reads.ts`, writes to `internal/instanceWrites.ts`, related
 * sets to `internal/relatedSets.ts` and deletes to `internal/deletion.ts`.
 *
 * @since 0.1.0
 */
import type * as SqlError from "effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"
import * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import {
  type DataError,
  type DecodeError,
  type DoesNotExist,
  type FieldError,
  type IntegrityError,
  type MultipleObjectsReturned,
  type ProtectedError,
  QueryError,
  type RestrictedError,
  type StaleObjectError,
  type ValidationError
} from "./Errors.js"
import * as Expr from "./Expr.js"
import type * as ExprType from "./ExprType.js"
import type * as Field from "./Field.js"
import type * as Compiler from "./internal/compiler.js"
import * as Deletion from "./internal/deletion.js"
import * as InstanceWrites from "./internal/instanceWrites.js"
import * as Annotate from "./internal/annotate.js"
import * as Ast from "./internal/query.js"
import * as Operation from "./internal/operation.js"
import * as Reads from "./internal/reads.js"
import * as RelatedSets from "./internal/relatedSets.js"
import * as SetOps from "./internal/setOps.js"
import type { Db } from "./internal/service.js"
import { type Condition, type Filter, Q, type Where as WhereOf } from "./Lookup.js"
import type * as Inputs from "./Inputs.js"
import type { BulkCreateOptions, CreateCheck, CreateInput, CreateMissing, StreamOptions, UpdateInput } from "./Inputs.js"
import type * as Model from "./Model.js"
import type * as Path from "./Path.js"
import type * as Relation from "./Relation.js"

type Fields = Model.Fields
type Columns<F> = Relation.Columns<F>

/**
 * What `filter` takes: a filter of the model (printed under its name, `FilterOf<Book>`), or, once annotations are
 * added, of its fields and annotations.
 */
type Where<F, Self> = [Relation.FieldsOf<Self>] extends [F] ? WhereOf<Self> : Condition<F> | Expr.Expr<Expr.Lit<boolean, "boolean">, never>

/** Options of `bulkCreate` and `stream` (declared in `Inputs`). @since 0.3.0 */
export type { BulkCreateOptions, StreamOptions } from "./Inputs.js"

/** Errors of reading a queryset. @since 0.1.0 */
export type ReadError = FieldError | QueryError | DecodeError | DataError | SqlError.SqlError

/** Errors of writing through a queryset. @since 0.1.0 */
export type WriteError = ReadError | ValidationError | IntegrityError

/** Errors of deleting: a write's, or a refusal by a PROTECT or RESTRICT relation. @since 0.1.0 */
export type DeleteError = WriteError | ProtectedError | RestrictedError

/** What a delete removed: rows in total and per model name (as Django's `delete()` returns). @since 0.1.0 */
export type DeleteResult = Deletion.DeleteResult

type UnionToIntersection<U> = (U extends any ? (_: U) => void : never) extends (_: infer I) => void ? I : never

export type {
  /** What `create` takes (see `Inputs.CreateInput`). @since 0.1.0 */
  CreateInput,
  /** What `update` takes (see `Inputs.UpdateInput`). @since 0.1.0 */
  UpdateInput
} from "./Inputs.js"

/** A row of `values(...)`: each path's value, keyed by the path. @since 0.1.0 */
export type Values<F, K extends string> = { readonly [P in K]: Relation.PathValue<F, P> }

/** Column names of a model's declared fields. */
type ColumnKey<F> = keyof Columns<F> & string

/**
 * A `prefetchRelated` entry loading `path` with a custom QuerySet (filtered, ordered, itself selecting or prefetching)
 * into the attribute `to` (by default the relation's name).
 * @since 0.1.0
 */
export interface Prefetch<K extends string, R, To extends string> {
  readonly _tag: "Prefetch"
  readonly path: K
  readonly queryset: QuerySet<any, any, R> | undefined
  readonly to: To
}

/** `Prefetch("books", Book.objects.filter(...), { to: "longBooks" })`. @since 0.1.0 */
export const Prefetch = <const K extends string, R = never, const To extends string = K>(
  path: K,
  queryset?: QuerySet<any, any, R>,
  options?: { readonly to?: To }
): Prefetch<K, R, To> => ({ _tag: "Prefetch", path, queryset, to: (options?.to ?? path) as To })

/**
 * Each `prefetchRelated` entry checked: a path of relations (see `Path.Check`), or a `Prefetch` of one relation of
 * the model.
 * @since 0.3.0
 */
export type CheckPrefetches<F, P extends ReadonlyArray<unknown>> = {
  readonly [I in keyof P]: P[I] extends Prefetch<infer K, infer R, infer To>
    ? Prefetch<K extends Relation.RelationKeys<F> ? K : Path.Names<F, "relation">, R, To>
    : Path.Check<F, P[I] & string, "relation">
}

/** What `Prefetch` entries add to a row. @since 0.1.0 */
export type PrefetchedBy<F, P> = UnionToIntersection<
  P extends Prefetch<infer K, infer R, infer To>
    ? K extends Relation.RelationKeys<F>
      ? { readonly [A in To]: Relation.Loaded<F[K], [R] extends [never] ? Relation.Target<F[K]> : R> }
    : never
    : never
>

/** A related instance for a single-valued relation; a RelatedSet for one that reaches many rows. @since 0.1.0 */
export type Related<R> = Relation.IsMany<R> extends true
  ? Relation.FieldsOf<Relation.Target<R>> extends infer TF extends Fields
    ? RelatedSet<TF, Relation.Target<R>, Relation.IsManyToMany<R>>
    : never
  : Effect.Effect<
    Relation.MaybeNull<R, Relation.Target<R>>,
    ReadError | (Relation.IsNullable<R> extends true ? never : DoesNotExist),
    Db
  >

/**
 * A lazy query over a model. `F` is the model's fields, `Self` its instance type, `Row` what running it yields.
 * @since 0.1.0
 */
export class QuerySet<in out F extends Fields, in out Self, out Row = Self>
  extends Effectable.Class<ReadonlyArray<Row>, ReadError, Db>
{
  /** @internal */
  constructor(readonly query: Ast.Query) {
    super()
  }

  /** Runs the query and returns its rows. */
  asEffect(): Effect.Effect<ReadonlyArray<Row>, ReadError, Db> {
    return this.traced("select", "all", this.fetch())
  }

  /** `effect` as the operation `operation`, in a span of its own (`effect-orm.select`, ...). */
  private traced<A, E, R>(kind: Operation.Kind, operation: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Operation.traced(kind, this.modelName, operation, effect)
  }

  private with(changes: Partial<Ast.Query>): QuerySet<F, Self, Row> {
    return new QuerySet(this.query.combined ? SetOps.change(this.query, changes) : { ...this.query, ...changes })
  }

  private get sliced(): boolean {
    return Reads.isSliced(this.query)
  }

  /** Django refuses to filter, reorder or reverse a sliced queryset: the slice would silently change meaning. */
  private refuseSliced(action: string): QuerySet<F, Self, Row> | undefined {
    return this.sliced
      ? this.with({ invalid: new QueryError({ model: this.modelName, reason: `cannot ${action} a sliced queryset` }) })
      : undefined
  }

  private withProjection<R>(projection: Ast.Projection, method = "values"): QuerySet<F, Self, R> {
    return new QuerySet(this.query.combined ? SetOps.project(this.query, projection, method) : { ...this.query, projection })
  }

  private get modelName() {
    return this.query.model.meta.name
  }

  /** The compiled SELECT and its row builder, per `forceOrder`: a QuerySet is immutable, so it compiles once. */
  private readonly plans: Reads.Plans = Reads.noPlans()

  private fetch(options?: { readonly forceOrder?: boolean }): Effect.Effect<ReadonlyArray<Row>, ReadError, Db> {
    return Reads.fetch(this.query, this.plans, options)
  }

  // ---- chainable ----

  /** A copy of this QuerySet. */
  all(): QuerySet<F, Self, Row> {
    return this.with({})
  }

  /** Keeps rows matching every condition (a filter object or a `Q`). */
  filter(...conditions: ReadonlyArray<Where<F, Self>>): QuerySet<F, Self, Row> {
    const refused = this.refuseSliced("filter")
    if (refused) return refused
    const condition = conditions.length === 1 ? conditions[0] : Q.and<any>(...(conditions as ReadonlyArray<Condition<any>>))
    return this.with({ where: [...this.query.where, { negate: false, condition }] })
  }

  /** Drops rows matching all the conditions; rows where a condition is unknown because of NULL are kept, as in Django. */
  exclude(...conditions: ReadonlyArray<Where<F, Self>>): QuerySet<F, Self, Row> {
    const refused = this.refuseSliced("filter")
    if (refused) return refused
    const condition = conditions.length === 1 ? conditions[0] : Q.and<any>(...(conditions as ReadonlyArray<Condition<any>>))
    return this.with({ where: [...this.query.where, { negate: true, condition }] })
  }

  /**
   * Orders by fields or dotted paths (`"-field"` descending, `"publisher.name"`), replacing any ordering; no argument
   * means no ordering. Each path is checked as written (see `Path`).
   */
  orderBy<const P extends ReadonlyArray<string | Expr.Ordering>>(...fields: Path.CheckOrders<F, P>): QuerySet<F, Self, Row> {
    return this.refuseSliced("reorder") ?? this.with({ ordering: fields, reversed: false })
  }

  /**
   * Adds computed attributes to each row (the row type gains them), as Django's `annotate`: expressions
   * (`F("price").mul(F("pages"))`), functions (`Lower("name")`) and aggregates (`Count("books")`). After
   * `values(...)`, aggregates make each row a group of those fields (SQL GROUP BY). An aggregate over a many-valued
   * relation counts, sums ... the row's related rows, chosen by the `filter` calls before it on that relation (as
   * Django's join reuse); two such aggregates never multiply each other. A later `filter` on an annotation's name
   * filters by it (HAVING for a group's aggregate); `orderBy` and `values` take the names too.
   */
  annotate<const N extends Readonly<Record<string, Expr.Any>>>(
    annotations: N & ExprType.CheckAll<F, N> & ExprType.CheckNames<F, N>
  ): QuerySet<F & ExprType.AsFields<F, N>, Self, Row & ExprType.Values<F, N>> {
    return this.annotated(annotations, true) as any
  }

  /** Names expressions without selecting them, as Django's `alias`: filter, order or annotate by them. */
  alias<const N extends Readonly<Record<string, Expr.Any>>>(
    aliases: N & ExprType.CheckAll<F, N> & ExprType.CheckNames<F, N>
  ): QuerySet<F & ExprType.AsFields<F, N>, Self, Row> {
    return this.annotated(aliases, false) as any
  }

  private annotated(annotations: Readonly<Record<string, unknown>>, select: boolean): QuerySet<any, Self, any> {
    if (this.query.combined) return this.with({ invalid: SetOps.refusal(this.query, select ? "annotate" : "alias") })
    return this.refuseSliced(select ? "annotate" : "alias") ?? new QuerySet(Annotate.add(this.query, annotations, select))
  }

  /** Reverses the ordering (no effect on an unordered QuerySet). */
  reverse(): QuerySet<F, Self, Row> {
    return this.refuseSliced("reverse") ?? this.with({ reversed: !this.query.reversed })
  }

  /** Removes duplicate rows; with fields, keeps the first row of each group (PostgreSQL `DISTINCT ON`). */
  distinct<const P extends ReadonlyArray<string>>(...fields: Path.CheckAll<F, P>): QuerySet<F, Self, Row> {
    return this.refuseSliced("make distinct") ?? this.with({ distinct: fields.length === 0 ? true : fields })
  }

  /** Rows `start` (inclusive) to `end` (exclusive) of the result, like `qs[start:end]` in Django. */
  slice(start: number, end?: number): QuerySet<F, Self, Row> {
    const { limit, offset } = this.query
    const bad = (reason: string) => this.with({ invalid: new QueryError({ model: this.modelName, reason }) })
    if (!Number.isSafeInteger(start) || start < 0) return bad(`slice start must be a non-negative integer, got ${start}`)
    if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
      return bad(`slice end must be an integer not below the start, got ${end}`)
    }
    const remaining = limit === undefined ? undefined : Math.max(limit - start, 0)
    const wanted = end === undefined ? undefined : end - start
    const newLimit = remaining === undefined ? wanted : wanted === undefined ? remaining : Math.min(remaining, wanted)
    return this.with({ offset: offset + start, limit: newLimit })
  }

  /** At most `n` rows. */
  limit(n: number): QuerySet<F, Self, Row> {
    return this.slice(0, n)
  }

  /** Skips `n` rows. */
  offset(n: number): QuerySet<F, Self, Row> {
    return this.slice(n)
  }

  /** A QuerySet that matches nothing and runs no query. */
  none(): QuerySet<F, Self, Row> {
    return this.with({ empty: true })
  }

  /** Rows as plain objects holding the given fields or paths (`"publisher.name"`); all columns when none are given. */
  values(): QuerySet<F, Self, Values<F, ColumnKey<F>>>
  values<const K extends ReadonlyArray<string>>(...fields: Path.CheckAll<F, K>): QuerySet<F, Self, Values<F, K[number]>>
  values(...fields: ReadonlyArray<string>): QuerySet<F, Self, any> {
    return this.withProjection({ _tag: "Values", fields })
  }

  /** Rows as tuples of the given fields; with `{ flat: true }` and one field, the values themselves. */
  valuesList<const K extends string>(
    field: Path.Check<F, K>,
    options: { readonly flat: true }
  ): QuerySet<F, Self, Relation.PathValue<F, K>>
  valuesList<const K extends ReadonlyArray<string>>(
    ...fields: Path.CheckAll<F, K>
  ): QuerySet<F, Self, { readonly [I in keyof K]: Relation.PathValue<F, K[I]> }>
  valuesList(...args: ReadonlyArray<unknown>): QuerySet<F, Self, any> {
    const last = args[args.length - 1]
    const flat = typeof last === "object" && last !== null && (last as { flat?: boolean }).flat === true
    const fields = (flat ? args.slice(0, -1) : args) as ReadonlyArray<string>
    if (flat && fields.length !== 1) {
      return this.with({
        invalid: new QueryError({ model: this.modelName, reason: "valuesList with flat takes exactly one field" })
      }) as any
    }
    return this.withProjection({ _tag: "ValuesList", fields, flat }, "valuesList")
  }

  /**
   * Joins single-valued relations (`"publisher"`, `"publisher.country"`) into the same query; each row then carries
   * the related instances (`null` where a nullable key is NULL). Without it the related instance is not in the type.
   */
  selectRelated<const P extends ReadonlyArray<string>>(
    ...paths: Path.CheckAll<F, P, "single">
  ): QuerySet<F, Self, Row & Relation.Selected<F, P[number]>> {
    return new QuerySet(SetOps.selectRelated(this.query, paths as ReadonlyArray<string>))
  }

  /**
   * Loads relations of the rows (reverse, many-to-many or forward; nested with dots: `"books.authors"`) with one extra
   * query per relation and level, whatever the number of rows. A `Prefetch` gives a custom QuerySet and attribute.
   */
  prefetchRelated<
    const P extends ReadonlyArray<string | Prefetch<string, any, string>>
  >(
    ...lookups: CheckPrefetches<F, P>
  ): QuerySet<
    F,
    Self,
    Row & Relation.Prefetched<F, Extract<P[number], string>> & PrefetchedBy<F, Extract<P[number], Prefetch<any, any, any>>>
  > {
    const specs = (lookups as ReadonlyArray<string | Prefetch<string, any, string>>).map((lookup): Ast.PrefetchSpec =>
      typeof lookup === "string"
        ? { path: lookup, query: undefined, to: undefined }
        : { path: lookup.path, query: lookup.queryset?.query, to: lookup.to }
    )
    return new QuerySet({ ...this.query, prefetch: [...this.query.prefetch, ...specs] })
  }

  /**
   * The rows related to `instance` through the relation `name`. For a foreign key or one-to-one: an Effect of the
   * related instance. For a reverse relation or many-to-many: a RelatedSet, a QuerySet of the related rows (with
   * `add`, `remove`, `set` and `clear` for many-to-many). Running either directly is batched: concurrent loads of the
   * same relation (`Effect.forEach(books, ..., { concurrency: "unbounded" })`) run as one query.
   */
  related<K extends Relation.RelationKeys<F>>(instance: Self, name: K): Related<F[K]>
  related(instance: Self, name: string): unknown {
    return RelatedSets.related(RelatedSet, this.query, instance as Record<string, unknown>, name)
  }

  /**
   * The rows of this QuerySet and of `others` (SQL `UNION`; `{ all: true }` keeps duplicates), as Django's `union`: rows
   * of the same shape (one model's instances, or the same `values` fields); the result may be ordered, sliced, counted.
   */
  union<const Q extends ReadonlyArray<QuerySet<any, any, any>>>(...others: SetOps.Operands<Row, Q>): QuerySet<F, Self, Row>
  union<const Q extends ReadonlyArray<QuerySet<any, any, any>>>(...args: [...others: SetOps.Operands<Row, Q>, options: SetOps.UnionOptions]): QuerySet<F, Self, Row>
  union(...args: ReadonlyArray<unknown>): QuerySet<F, Self, Row> {
    return new QuerySet(SetOps.combineArgs("union", this.query, args))
  }

  /** The rows in this QuerySet and in every one of `others` (SQL `INTERSECT`); see `union`. */
  intersection<const Q extends ReadonlyArray<QuerySet<any, any, any>>>(...others: SetOps.Operands<Row, Q>): QuerySet<F, Self, Row> {
    return new QuerySet(SetOps.combineArgs("intersection", this.query, others))
  }

  /** The rows of this QuerySet in none of `others` (SQL `EXCEPT`); see `union`. */
  difference<const Q extends ReadonlyArray<QuerySet<any, any, any>>>(...others: SetOps.Operands<Row, Q>): QuerySet<F, Self, Row> {
    return new QuerySet(SetOps.combineArgs("difference", this.query, others))
  }

  // ---- terminal ----

  /** Exactly one row matching the conditions, or `DoesNotExist` / `MultipleObjectsReturned`. */
  get(...conditions: ReadonlyArray<Where<F, Self>>): Effect.Effect<Row, ReadError | DoesNotExist | MultipleObjectsReturned, Db> {
    const qs = conditions.length === 0 ? this : this.filter(...conditions)
    // Two rows tell one from several; the ordering matters only to a sliced queryset, whose rows it chooses.
    const probe = qs.sliced
      ? qs.slice(0, 2)
      : qs.with({ ordering: [], limit: 2 })
    return this.traced("select", "get", Reads.single(probe.fetch(), this.modelName, conditions))
  }

  /** The first row (by the ordering, or the primary key when unordered and not sliced). */
  first(): Effect.Effect<Option.Option<Row>, ReadError, Db> {
    return this.traced(
      "select",
      "first",
      Effect.map(this.slice(0, 1).fetch({ forceOrder: !this.sliced }), (rows) => Option.fromNullishOr(rows[0]))
    )
  }

  /** The last row (by the ordering, or the primary key when unordered). */
  last(): Effect.Effect<Option.Option<Row>, ReadError, Db> {
    if (this.sliced) return Effect.fail(new QueryError({ model: this.modelName, reason: "cannot reverse a sliced queryset" }))
    const ordered = this.query.ordering ?? this.query.model.meta.ordering
    const base = ordered.length === 0 && !this.query.combined ? this.with({ ordering: ["pk"], reversed: false }) : this
    return this.traced(
      "select",
      "last",
      Effect.map(base.reverse().slice(0, 1).fetch({ forceOrder: true }), (rows) => Option.fromNullishOr(rows[0]))
    )
  }

  /** The number of rows. */
  count(): Effect.Effect<number, ReadError, Db> {
    return this.traced("select", "count", Reads.count(this.query))
  }

  /** Whether any row matches. */
  exists(): Effect.Effect<boolean, ReadError, Db> {
    return this.traced("select", "exists", Reads.exists(this.query))
  }

  /**
   * Computes aggregates over the matching rows in one query, as Django's `aggregate()`:
   * `aggregate({ total: Count(), avgPrice: Avg("price"), perBook: Avg("books.rating") })`, each typed from its
   * function and argument. Sums and averages of Decimal fields are exact (`BigDecimal`); over no rows, counts are 0
   * and the others `null` (or their `default`). Over annotations (`annotate({ n: Count("books") }).aggregate({ avg:
   * Avg("n") })`) the annotated rows are aggregated.
   */
  aggregate<const N extends Readonly<Record<string, Expr.Any>>>(
    aggregates: N & ExprType.CheckAll<F, N>
  ): Effect.Effect<ExprType.Values<F, N>, ReadError, Db> {
    return this.traced("select", "aggregate", Reads.aggregate(this.query, aggregates))
  }

  /** Rows keyed by a unique field (the primary key by default), optionally only those with the given keys. */
  inBulk<K extends ColumnKey<F> = never>(
    keys?: ReadonlyArray<Exclude<Field.Type<Columns<F>[[K] extends [never] ? Relation.PkField<F> extends never ? never : ColumnKey<F> : K]>, null>>,
    options?: { readonly fieldName?: K }
  ): Effect.Effect<ReadonlyMap<unknown, Row>, ReadError, Db> {
    return this.traced("select", "inBulk", Reads.inBulk(this, keys, options?.fieldName))
  }

  /**
   * Inserts a row (defaults applied, every value validated) and returns the instance with generated values. `pk` may
   * name the primary key (`create({ pk: 7, ... })`), as in filters. A foreign key is given by key (`publisherId`) or
   * by instance (`publisher`); a missing one is reported by its key's name, with the other missing fields.
   */
  create(data: CreateInput<F>): Effect.Effect<Self, WriteError, Db>
  create<D>(data: CreateCheck<Self, D> & CreateMissing<Self, D>): Effect.Effect<Self, WriteError, Db>
  create(data: object): Effect.Effect<Self, WriteError, Db> {
    return this.traced("insert", "create", InstanceWrites.create(this.query.model, data as Record<string, unknown>))
  }

  /**
   * Inserts many rows in as few statements as possible and returns them with their generated values. With
   * `ignoreConflicts`, rows that break a unique constraint are skipped (and not returned); with `updateConflicts`,
   * they update the existing row's `updateFields` instead (PostgreSQL `ON CONFLICT`). Every row is validated first;
   * any bad value fails the whole call with a ValidationError naming `[index].field`, and nothing is written. With
   * `{ returning: false }` nothing is read back: the Effect gives the number of rows written (skipped conflicts not
   * counted), and no instance is built.
   */
  bulkCreate(
    data: ReadonlyArray<CreateInput<F>>,
    options: BulkCreateOptions<F> & { readonly returning: false }
  ): Effect.Effect<number, WriteError, Db>
  bulkCreate(data: ReadonlyArray<CreateInput<F>>, options?: BulkCreateOptions<F> & { readonly returning?: true }): Effect.Effect<ReadonlyArray<Self>, WriteError, Db>
  bulkCreate(
    data: ReadonlyArray<CreateInput<F>>,
    options: BulkCreateOptions<F> & { readonly returning?: boolean } = {}
  ): Effect.Effect<ReadonlyArray<Self> | number, WriteError, Db> {
    return this.traced(
      "insert",
      "bulkCreate",
      InstanceWrites.bulkCreate(this.query.model, data as ReadonlyArray<Record<string, unknown>>, options)
    )
  }

  /**
   * Updates every matching row and returns how many were updated (the version field, if any, is incremented). As in
   * Django, this may change primary keys (`update({ pk: 99 })`, or by the field's name); `save` never does.
   */
  update<const U extends UpdateInput<F>>(values: U & Inputs.CheckUpdate<F, U>): Effect.Effect<number, WriteError, Db> {
    return this.traced("update", "update", InstanceWrites.update(this.query, values as Record<string, unknown>))
  }

  /**
   * Writes an instance and returns it as the database now has it (instances are immutable). It updates the row with
   * the instance's primary key (only `updateFields` when given); when there is no such row it inserts one, as
   * Django does. On a model with a `Field.Version()`, the update happens only if the row still has the instance's
   * version (which it then increments); otherwise it fails with StaleObjectError and writes nothing.
   */
  save(
    instance: Self,
    options: { readonly updateFields?: ReadonlyArray<ColumnKey<F>> } = {}
  ): Effect.Effect<Self, WriteError | StaleObjectError, Db> {
    return this.traced("update", "save", InstanceWrites.save(this.query.model, instance, options.updateFields))
  }

  /** The instance's row as the database has it now (Django's `refresh_from_db`). */
  refresh(instance: Self): Effect.Effect<Self, ReadError | DoesNotExist, Db> {
    return this.traced("select", "refresh", InstanceWrites.refresh(fromQuery, this.query.model, instance))
  }

  /**
   * Deletes an instance's row, with its relations' `onDelete` behaviour, and returns how many rows were deleted, in
   * total and per model. On a model with a `Field.Version()`, a stale instance fails with StaleObjectError and deletes
   * nothing.
   */
  deleteInstance(instance: Self): Effect.Effect<DeleteResult, DeleteError | StaleObjectError, Db> {
    return this.traced("delete", "deleteInstance", InstanceWrites.deleteInstance(fromQuery, this.query.model, instance))
  }

  /**
   * Updates instances' `fields` in one statement per batch and returns how many rows were updated. On a model with a
   * `Field.Version()`, every instance must still have its row's version: otherwise it fails with StaleObjectError
   * and nothing is written.
   */
  bulkUpdate(
    instances: ReadonlyArray<Self>,
    fields: ReadonlyArray<ColumnKey<F>>,
    options: { readonly batchSize?: number } = {}
  ): Effect.Effect<number, WriteError | StaleObjectError, Db> {
    return this.traced("update", "bulkUpdate", InstanceWrites.bulkUpdate(this.query.model, instances, fields, options))
  }

  /**
   * The row matching `lookup`, or a new one created from the lookup's exact values and `defaults`; with whether it
   * was created. Safe under concurrency when the lookup fields are unique: a losing concurrent create falls back to
   * reading the winner's row.
   */
  getOrCreate(
    lookup: Filter<F>,
    defaults: Partial<CreateInput<F>> = {}
  ): Effect.Effect<readonly [Self, boolean], WriteError | MultipleObjectsReturned, Db> {
    return this.traced("insert", "getOrCreate", InstanceWrites.getOrCreate(fromQuery, this.query, lookup, defaults))
  }

  /**
   * Updates the row matching `lookup` with `defaults` (locking it first), or creates it from the lookup's exact
   * values and `defaults`; returns the row and whether it was created. Runs in a transaction; safe under concurrency
   * when the lookup fields are unique.
   */
  updateOrCreate(
    lookup: Filter<F>,
    defaults: Partial<CreateInput<F>> = {}
  ): Effect.Effect<readonly [Self, boolean], WriteError | MultipleObjectsReturned, Db> {
    return this.traced("update", "updateOrCreate", InstanceWrites.updateOrCreate(fromQuery, this.query, lookup, defaults))
  }

  /**
   * Locks the selected rows until the transaction ends (`SELECT ... FOR UPDATE`), optionally without waiting
   * (`nowait`, failing with SQLSTATE 55P03) or skipping locked rows (`skipLocked`). Running it outside a transaction
   * is a QueryError.
   */
  selectForUpdate<const Of extends ReadonlyArray<string> = []>(
    options: Omit<Ast.LockOptions, "of"> & {
      readonly of?: { readonly [I in keyof Of]: Of[I] extends "self" ? "self" : Path.Check<F, Of[I], "single"> }
    } = {}
  ): QuerySet<F, Self, Row> {
    if (options.nowait && options.skipLocked) {
      return this.with({ invalid: new QueryError({ model: this.modelName, reason: "nowait and skipLocked exclude each other" }) })
    }
    return this.with({ lock: options })
  }

  /**
   * Deletes every matching row, with the `onDelete` behaviour of the relations that reference them (cascades, SET_NULL,
   * PROTECT ...), in one transaction; returns how many rows were deleted, in total and per model.
   */
  delete(): Effect.Effect<DeleteResult, DeleteError, Db> {
    return this.traced("delete", "delete", Effect.suspend((): Effect.Effect<DeleteResult, DeleteError, Db> => {
      if (this.query.invalid || this.query.combined) return Effect.fail(this.query.invalid ?? SetOps.refusal(this.query, "delete"))
      if (this.query.empty) return Effect.succeed({ total: 0, perModel: {} })
      if (this.sliced) return Effect.fail(new QueryError({ model: this.modelName, reason: "cannot delete a sliced queryset" }))
      return Deletion.deleteRows(this.query)
    }))
  }

  /**
   * Streams the rows with backpressure, in a span (`effect-orm.select`, operation `stream`) for the stream's life.
   * Inside a transaction it reads an SQL cursor on the transaction's connection, `chunkSize` rows per fetch, so the
   * stream's consumer may query the database (in the same transaction) between fetches; outside one it is the
   * driver's stream. `prefetchRelated` relations are loaded per `chunkSize` rows. A `chunkSize` that is not a
   * positive integer is a `QueryError`.
   */
  stream(options?: StreamOptions): Stream.Stream<Row, ReadError, Db> {
    return Operation.tracedStream("select", this.modelName, "stream", Reads.stream<Row>(this.query, this.plans, options?.chunkSize))
  }

  /** The SQL text and parameters this QuerySet runs. */
  toSql(): Effect.Effect<Compiler.Compiled, FieldError | QueryError> {
    return Reads.toSql(this.query, this.plans)
  }

  /** PostgreSQL's plan for this QuerySet (`EXPLAIN`, optionally `ANALYZE`). */
  explain(options?: { readonly analyze?: boolean; readonly verbose?: boolean }): Effect.Effect<string, ReadError, Db> {
    return Reads.explain(this.query, this.plans, options)
  }
}

/** What `add`, `remove` and `set` take: instances of the target or their primary keys. @since 0.1.0 */
export type Linkable<T> = T | Relation.PkOf<T>

/** The writes of a many-to-many RelatedSet. @since 0.1.0 */
export interface ManyToManyOps<T> {
  /** Links the rows (already linked ones are left as they are). */
  add(...items: ReadonlyArray<Linkable<T>>): Effect.Effect<void, DeleteError, Db>
  /** Unlinks the rows (the rows themselves stay). */
  remove(...items: ReadonlyArray<Linkable<T>>): Effect.Effect<void, DeleteError, Db>
  /** Makes the linked rows exactly these, in one transaction. */
  set(items: ReadonlyArray<Linkable<T>>): Effect.Effect<void, DeleteError, Db>
  /** Unlinks every row. */
  clear(): Effect.Effect<void, DeleteError, Db>
}

/**
 * The rows related to one instance through a reverse or many-to-many relation: a QuerySet (chain it as any other),
 * which, run as it is, is loaded in a batch with concurrent loads of the same relation.
 * @since 0.1.0
 */
export type RelatedSet<TF extends Fields, T, M2M extends boolean> = QuerySet<TF, T, T> & (M2M extends true ? ManyToManyOps<T> : {})

/** The runtime class behind `RelatedSet`, built over QuerySet by its module (which cannot import this one). */
const RelatedSet = RelatedSets.relatedSetClass(QuerySet)

/** A QuerySet over a query, for the write modules (which cannot import this module). */
const fromQuery: InstanceWrites.MakeQuerySet = (query) => new QuerySet(query)

/** The base QuerySet of a model (what `Model.objects` returns). @since 0.1.0 */
export const make = (model: Model.Any): QuerySet<any, any> => new QuerySet(Ast.initial(model))
