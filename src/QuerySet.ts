/**
 * QuerySets: immutable, lazy descriptions of a query. Every chainable method returns a new QuerySet and nothing
 * runs until the QuerySet (an `Effect` yielding its rows) or one of its terminal Effects is run.
 *
 * @since 0.1.0
 */
import type * as SqlError from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Db } from "./Db.js"
import { DoesNotExist, FieldError, type IntegrityError, MultipleObjectsReturned, QueryError, ValidationError, type ValidationIssue } from "./Errors.js"
import * as Expr from "./Expr.js"
import type * as Field from "./Field.js"
import * as Compiler from "./internal/compiler.js"
import * as Executor from "./internal/executor.js"
import * as Hydrate from "./internal/hydrate.js"
import * as Ast from "./internal/query.js"
import { type Condition, Q } from "./Lookup.js"
import type * as Model from "./Model.js"

type Fields = Model.Fields

/** Errors of reading a queryset. @since 0.1.0 */
export type ReadError = FieldError | QueryError | SqlError.SqlError

/** Errors of writing through a queryset. @since 0.1.0 */
export type WriteError = ReadError | ValidationError | IntegrityError

type OptionalKeys<F> = { [K in keyof F]: F[K] extends Field.Field<any, any, true, any> ? K : never }[keyof F]

/** What `create` takes: every field, optional where the field has a default, is generated or is nullable. @since 0.1.0 */
export type CreateInput<F> =
  & { readonly [K in Exclude<keyof F, OptionalKeys<F>>]: Field.Type<F[K]> }
  & { readonly [K in OptionalKeys<F>]?: Field.Type<F[K]> }

/** What `update` takes: values or expressions (`F("pages").add(1)`) for some fields. @since 0.1.0 */
export type UpdateInput<F> = { readonly [K in keyof F]?: Field.Type<F[K]> | Expr.Expr<keyof F & string> }

/** A row of `values(...)`. @since 0.1.0 */
export type Values<F, K extends keyof F> = { readonly [P in K]: Field.Type<F[P]> }

interface Plan {
  readonly statement: Compiler.Compiled
  readonly hydrate: Hydrate.Hydrator
}

/** The model name and the conditions, for error messages. */
const describeLookup = (conditions: ReadonlyArray<unknown>) => {
  try {
    return JSON.stringify(conditions.length === 1 ? conditions[0] : conditions, (_, v) => typeof v === "bigint" ? `${v}n` : v)
  } catch {
    return String(conditions)
  }
}

const fromEither = <A, E>(either: Either.Either<A, E>): Effect.Effect<A, E> =>
  Either.isRight(either) ? Effect.succeed(either.right) : Effect.fail(either.left)

const issueMessage = (error: ParseResult.ParseError) => ParseResult.TreeFormatter.formatErrorSync(error)

/**
 * A lazy query over a model. `F` is the model's fields, `Self` its instance type, `Row` what running it yields.
 * @since 0.1.0
 */
export class QuerySet<F extends Fields, Self, Row = Self>
  extends Effectable.Class<ReadonlyArray<Row>, ReadError, Db>
{
  /** @internal */
  constructor(readonly query: Ast.Query) {
    super()
  }

  /** Runs the query and returns its rows. */
  commit(): Effect.Effect<ReadonlyArray<Row>, ReadError, Db> {
    return this.fetch()
  }

  private with(changes: Partial<Ast.Query>): QuerySet<F, Self, Row> {
    return new QuerySet({ ...this.query, ...changes })
  }

  private get sliced(): boolean {
    return this.query.limit !== undefined || this.query.offset > 0
  }

  /** Django refuses to filter, reorder or reverse a sliced queryset: the slice would silently change meaning. */
  private refuseSliced(action: string): QuerySet<F, Self, Row> | undefined {
    return this.sliced
      ? this.with({ invalid: new QueryError({ model: this.modelName, reason: `cannot ${action} a sliced queryset` }) })
      : undefined
  }

  private withProjection<R>(projection: Ast.Projection): QuerySet<F, Self, R> {
    return new QuerySet({ ...this.query, projection })
  }

  private get modelName() {
    return this.query.model.meta.name
  }

  /** The compiled SELECT and its row builder, per `forceOrder`: a QuerySet is immutable, so it compiles once. */
  private readonly plans: Array<Either.Either<Plan, FieldError> | undefined> = [undefined, undefined]

  private plan(forceOrder: boolean): Either.Either<Plan, FieldError> {
    const index = forceOrder ? 1 : 0
    let plan = this.plans[index]
    if (plan === undefined) {
      plan = Either.map(Compiler.select(this.query, { forceOrder }), ({ columns, compiled }) => ({
        statement: compiled,
        hydrate: Hydrate.hydrator(this.query, columns)
      }))
      this.plans[index] = plan
    }
    return plan
  }

  private fetch(options?: { readonly forceOrder?: boolean }): Effect.Effect<ReadonlyArray<Row>, ReadError, Db> {
    return Effect.suspend((): Effect.Effect<ReadonlyArray<Row>, ReadError, Db> => {
      if (this.query.invalid) return Effect.fail(this.query.invalid)
      if (this.query.empty) return Effect.succeed([])
      const plan = this.plan(options?.forceOrder === true)
      if (Either.isLeft(plan)) return Effect.fail(plan.left)
      const { hydrate, statement } = plan.right
      return Effect.map(Executor.select(statement), (rows) => rows.map(hydrate))
    })
  }

  // ---- chainable ----

  /** A copy of this QuerySet. */
  all(): QuerySet<F, Self, Row> {
    return this.with({})
  }

  /** Keeps rows matching every condition (a filter object or a `Q`). */
  filter(...conditions: ReadonlyArray<Condition<F>>): QuerySet<F, Self, Row> {
    const refused = this.refuseSliced("filter")
    if (refused) return refused
    const condition = conditions.length === 1 ? conditions[0] : Q.and(...conditions)
    return this.with({ where: [...this.query.where, { negate: false, condition }] })
  }

  /** Drops rows matching all the conditions; rows where a condition is unknown because of NULL are kept, as in Django. */
  exclude(...conditions: ReadonlyArray<Condition<F>>): QuerySet<F, Self, Row> {
    const refused = this.refuseSliced("filter")
    if (refused) return refused
    const condition = conditions.length === 1 ? conditions[0] : Q.and(...conditions)
    return this.with({ where: [...this.query.where, { negate: true, condition }] })
  }

  /** Orders by fields (`"-field"` descending), replacing any ordering; no argument means no ordering. */
  orderBy(...fields: ReadonlyArray<Model.OrderKey<F> | "pk" | "-pk">): QuerySet<F, Self, Row> {
    return this.refuseSliced("reorder") ?? this.with({ ordering: fields, reversed: false })
  }

  /** Reverses the ordering (no effect on an unordered QuerySet). */
  reverse(): QuerySet<F, Self, Row> {
    return this.refuseSliced("reverse") ?? this.with({ reversed: !this.query.reversed })
  }

  /** Removes duplicate rows; with fields, keeps the first row of each group (PostgreSQL `DISTINCT ON`). */
  distinct(...fields: ReadonlyArray<keyof F & string>): QuerySet<F, Self, Row> {
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

  /** Rows as plain objects holding the given fields (all fields when none are given). */
  values(): QuerySet<F, Self, Values<F, keyof F>>
  values<const K extends ReadonlyArray<keyof F & string>>(...fields: K): QuerySet<F, Self, Values<F, K[number]>>
  values(...fields: ReadonlyArray<string>): QuerySet<F, Self, any> {
    return this.withProjection({ _tag: "Values", fields })
  }

  /** Rows as tuples of the given fields; with `{ flat: true }` and one field, the values themselves. */
  valuesList<K extends keyof F & string>(field: K, options: { readonly flat: true }): QuerySet<F, Self, Field.Type<F[K]>>
  valuesList<const K extends ReadonlyArray<keyof F & string>>(
    ...fields: K
  ): QuerySet<F, Self, { readonly [I in keyof K]: Field.Type<F[K[I]]> }>
  valuesList(...args: ReadonlyArray<unknown>): QuerySet<F, Self, any> {
    const last = args[args.length - 1]
    const flat = typeof last === "object" && last !== null && (last as { flat?: boolean }).flat === true
    const fields = (flat ? args.slice(0, -1) : args) as ReadonlyArray<string>
    if (flat && fields.length !== 1) {
      return this.with({
        invalid: new QueryError({ model: this.modelName, reason: "valuesList with flat takes exactly one field" })
      }) as any
    }
    return this.withProjection({ _tag: "ValuesList", fields, flat })
  }

  // ---- terminal ----

  /** Exactly one row matching the conditions, or `DoesNotExist` / `MultipleObjectsReturned`. */
  get(...conditions: ReadonlyArray<Condition<F>>): Effect.Effect<Row, ReadError | DoesNotExist | MultipleObjectsReturned, Db> {
    const qs = conditions.length === 0 ? this : this.filter(...conditions)
    const lookup = describeLookup(conditions)
    // Two rows tell one from several; the ordering matters only to a sliced queryset, whose rows it chooses.
    const probe = qs.sliced
      ? qs.slice(0, 2)
      : qs.with({ ordering: [], limit: 2 })
    return Effect.flatMap(probe.fetch(), (rows): Effect.Effect<Row, DoesNotExist | MultipleObjectsReturned> => {
      if (rows.length === 0) return Effect.fail(new DoesNotExist({ model: this.modelName, lookup }))
      if (rows.length > 1) return Effect.fail(new MultipleObjectsReturned({ model: this.modelName, lookup }))
      return Effect.succeed(rows[0]!)
    })
  }

  /** The first row (by the ordering, or the primary key when unordered and not sliced). */
  first(): Effect.Effect<Option.Option<Row>, ReadError, Db> {
    return Effect.map(this.slice(0, 1).fetch({ forceOrder: !this.sliced }), (rows) => Option.fromNullable(rows[0]))
  }

  /** The last row (by the ordering, or the primary key when unordered). */
  last(): Effect.Effect<Option.Option<Row>, ReadError, Db> {
    if (this.sliced) return Effect.fail(new QueryError({ model: this.modelName, reason: "cannot reverse a sliced queryset" }))
    const ordered = this.query.ordering ?? this.query.model.meta.ordering
    const base = ordered.length === 0 ? this.orderBy(this.query.model.meta.pk as Model.OrderKey<F>) : this
    return Effect.map(base.reverse().slice(0, 1).fetch({ forceOrder: true }), (rows) => Option.fromNullable(rows[0]))
  }

  /** The number of rows. */
  count(): Effect.Effect<number, ReadError, Db> {
    return Effect.suspend((): Effect.Effect<number, ReadError, Db> => {
      if (this.query.invalid) return Effect.fail(this.query.invalid)
      if (this.query.empty) return Effect.succeed(0)
      return Effect.flatMap(fromEither(Compiler.count(this.query)), (compiled) =>
        Effect.map(Executor.select(compiled), (rows) => Number(rows[0].count)))
    })
  }

  /** Whether any row matches. */
  exists(): Effect.Effect<boolean, ReadError, Db> {
    return Effect.suspend((): Effect.Effect<boolean, ReadError, Db> => {
      if (this.query.invalid) return Effect.fail(this.query.invalid)
      if (this.query.empty) return Effect.succeed(false)
      return Effect.flatMap(fromEither(Compiler.exists(this.query)), (compiled) =>
        Effect.map(Executor.select(compiled), (rows) => rows[0].exists === true))
    })
  }

  /** Rows keyed by a unique field (the primary key by default), optionally only those with the given keys. */
  inBulk<K extends keyof F & string = never>(
    keys?: ReadonlyArray<Exclude<Field.Type<F[[K] extends [never] ? keyof F : K]>, null>>,
    options?: { readonly fieldName?: K }
  ): Effect.Effect<ReadonlyMap<unknown, Row>, ReadError, Db> {
    return Effect.suspend(() => {
      const fieldName: string = options?.fieldName ?? this.query.model.meta.pk
      const column = Ast.resolveField(this.query.model, fieldName)
      if (Either.isLeft(column)) return Effect.fail(column.left)
      if (!column.right.field.unique && !column.right.field.primaryKey) {
        return Effect.fail(new FieldError({ model: this.modelName, field: fieldName, reason: "inBulk needs a unique field" }))
      }
      if (this.sliced) return Effect.fail(new QueryError({ model: this.modelName, reason: "cannot use inBulk on a sliced queryset" }))
      if (keys !== undefined && keys.length === 0) return Effect.succeed(new Map())
      const qs = keys === undefined ? this : this.filter({ [fieldName]: { in: keys } } as Condition<F>)
      return Effect.map(qs.withProjection<any>({ _tag: "Model" }).fetch(), (rows) =>
        new Map(rows.map((row: any) => [row[fieldName], row] as const)) as ReadonlyMap<unknown, Row>)
    })
  }

  /** Inserts a row (defaults applied, every value validated) and returns the instance with generated values. */
  create(data: CreateInput<F>): Effect.Effect<Self, WriteError, Db> {
    return Effect.suspend((): Effect.Effect<Self, WriteError, Db> => {
      const model = this.query.model
      const meta = model.meta
      const input = data as Record<string, unknown>
      for (const key of Object.keys(input)) {
        if (!Object.prototype.hasOwnProperty.call(meta.fields, key)) {
          return Effect.fail(new FieldError({ model: meta.name, field: key, reason: "unknown field" }))
        }
      }
      const values: Array<readonly [Ast.Column, unknown]> = []
      const issues: Array<ValidationIssue> = []
      for (const key of Object.keys(meta.fields)) {
        const field: Field.Any = meta.fields[key]
        let value = input[key]
        if (value === undefined) {
          if (field.hasDefault) value = typeof field.default === "function" ? field.default() : field.default
          else if (field.nullable) value = null
          else if (field.generated) continue
          else {
            issues.push({ field: key, message: "is required" })
            continue
          }
        }
        const checked = Schema.validateEither(field.schema)(value)
        if (Either.isLeft(checked)) {
          issues.push({ field: key, message: issueMessage(checked.left) })
          continue
        }
        const column: Ast.Column = { key, column: meta.columns[key], field }
        values.push([column, value === null ? null : field.toDb(value)])
      }
      if (issues.length > 0) return Effect.fail(new ValidationError({ model: meta.name, issues }))
      const compiled = Compiler.insert(model, values)
      const columns = Object.keys(meta.fields).map((key) => ({ key, column: meta.columns[key], field: meta.fields[key] }))
      return Effect.map(Executor.rows(compiled), (rows) => new model(Hydrate.decodeRecord(columns, rows[0]), true))
    })
  }

  /** Updates every matching row and returns how many were updated. */
  update(values: UpdateInput<F>): Effect.Effect<number, WriteError, Db> {
    return Effect.suspend((): Effect.Effect<number, WriteError, Db> => {
      if (this.query.invalid) return Effect.fail(this.query.invalid)
      const model = this.query.model
      const assignments: Array<Compiler.Assignment> = []
      const issues: Array<ValidationIssue> = []
      for (const key of Object.keys(values)) {
        const value = (values as Record<string, unknown>)[key]
        if (value === undefined) continue
        const column = Ast.resolveField(model, key)
        if (Either.isLeft(column)) return Effect.fail(column.left)
        if (Expr.isExpr(value)) {
          const node = Ast.resolveExpr(model, value.node)
          if (Either.isLeft(node)) return Effect.fail(node.left)
          assignments.push({ column: column.right, value: { _tag: "Expr", node: node.right } })
          continue
        }
        const field = column.right.field
        const checked = Schema.validateEither(field.schema)(value)
        if (Either.isLeft(checked)) {
          issues.push({ field: key, message: issueMessage(checked.left) })
          continue
        }
        assignments.push({ column: column.right, value: { _tag: "Param", value: value === null ? null : field.toDb(value) } })
      }
      if (issues.length > 0) return Effect.fail(new ValidationError({ model: model.meta.name, issues }))
      if (assignments.length === 0 || this.query.empty) return Effect.succeed(0)
      return Effect.flatMap(fromEither(Compiler.update(this.query, assignments)), Executor.affected)
    })
  }

  /** Deletes every matching row and returns how many were deleted. */
  delete(): Effect.Effect<number, WriteError, Db> {
    return Effect.suspend(() => {
      if (this.query.invalid) return Effect.fail(this.query.invalid)
      if (this.query.empty) return Effect.succeed(0)
      return Effect.flatMap(fromEither(Compiler.delete_(this.query)), Executor.affected)
    })
  }

  /** Streams the rows (a server-side cursor on the PostgreSQL server), with backpressure. */
  stream(): Stream.Stream<Row, ReadError, Db> {
    return Stream.unwrap(Effect.gen(this, function*() {
      if (this.query.invalid) return yield* this.query.invalid
      if (this.query.empty) return Stream.empty
      const { hydrate, statement } = yield* fromEither(this.plan(false))
      return Executor.stream(statement).pipe(Stream.map(hydrate))
    }))
  }

  /** The SQL text and parameters this QuerySet runs. */
  toSql(): Effect.Effect<Compiler.Compiled, FieldError | QueryError> {
    return Effect.suspend((): Effect.Effect<Compiler.Compiled, FieldError | QueryError> => {
      if (this.query.invalid) return Effect.fail(this.query.invalid)
      return Effect.map(fromEither(this.plan(false)), (plan) => plan.statement)
    })
  }

  /** PostgreSQL's plan for this QuerySet (`EXPLAIN`, optionally `ANALYZE`). */
  explain(options?: { readonly analyze?: boolean; readonly verbose?: boolean }): Effect.Effect<string, ReadError, Db> {
    return Effect.flatMap(this.toSql(), (compiled) => {
      const flags = [options?.analyze ? "ANALYZE" : undefined, options?.verbose ? "VERBOSE" : undefined].filter(Boolean)
      const sql = `EXPLAIN ${flags.length > 0 ? `(${flags.join(", ")}) ` : ""}${compiled.sql}`
      return Effect.map(Executor.select({ sql, params: compiled.params }), (rows) =>
        rows.map((row) => row["QUERY PLAN"]).join("\n"))
    })
  }
}

/** The base QuerySet of a model (what `Model.objects` returns). @since 0.1.0 */
export const make = (model: Model.Any): QuerySet<any, any> => new QuerySet(Ast.initial(model))
