/**
 * Running a QuerySet's reads: its compiled plans and fetch (with `prefetchRelated`), the terminal Effects that read
 * (`get`'s one row, `count`, `exists`, `aggregate`, `inBulk`), streaming, `toSql` and `explain`. They take the
 * QuerySet's query (and its plans), so that they need not import QuerySet.ts.
 * @internal
 */
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import { DoesNotExist, FieldError, MultipleObjectsReturned, QueryError } from "../Errors.js"
import type { QuerySet, ReadError } from "../QuerySet.js"
import * as Transaction from "../Transaction.js"
import type * as Compiler from "./compiler.js"
import * as Executor from "./executor.js"
import * as Hydrate from "./hydrate.js"
import * as Prefetcher from "./prefetch.js"
import * as Ast from "./query.js"
import * as Select from "./select.js"
import type { Db } from "./service.js"
import * as SetOps from "./setOps.js"

/** The compiled SELECT of a query and its row builder. @internal */
export interface Plan {
  readonly statement: Compiler.Compiled
  readonly hydrate: Hydrate.Hydrator
}

/** A QuerySet's plans, per `forceOrder`, compiled on first use. @internal */
export type Plans = Array<Result.Result<Plan, FieldError | QueryError> | undefined>

/** No plan compiled yet. @internal */
export const noPlans = (): Plans => [undefined, undefined]

/** The plan of `query` for `forceOrder`: a QuerySet is immutable, so it compiles once, into its `plans`. @internal */
export const plan = (plans: Plans, query: Ast.Query, forceOrder: boolean): Result.Result<Plan, FieldError | QueryError> => {
  const index = forceOrder ? 1 : 0
  let plan = plans[index]
  if (plan === undefined) {
    const select = query.combined === undefined ? Select.select(query, { forceOrder }) : SetOps.select(query, { forceOrder })
    plan = Result.map(select, ({ columns, compiled, related }) => ({
      statement: compiled,
      hydrate: Hydrate.hydrator(query, columns, related)
    }))
    plans[index] = plan
  }
  return plan
}

/** Whether a query is sliced (a LIMIT or an OFFSET). @internal */
export const isSliced = (query: Ast.Query): boolean => query.limit !== undefined || query.offset > 0

/**
 * The rows of a query. The plan is compiled when this is called (it is pure; the QuerySet calls this when it is run)
 * and a plain read is one statement and one map: this is every query's path.
 * @internal
 */
export const fetch = <Row>(
  query: Ast.Query,
  plans: Plans,
  options?: { readonly forceOrder?: boolean }
): Effect.Effect<ReadonlyArray<Row>, ReadError, Db> => {
  if (query.prefetch.length > 0 || query.via !== undefined) {
    return Effect.map(fetchRows<Row>(query, plans, options), (result) => result.rows)
  }
  if (query.invalid) return Effect.fail(query.invalid)
  if (query.empty) return Effect.succeed([])
  const compiled = plan(plans, query, options?.forceOrder === true)
  if (Result.isFailure(compiled)) return Effect.fail(compiled.failure)
  const { hydrate, statement } = compiled.success
  const run = Effect.flatMap(Executor.select(statement), (raw) => Hydrate.decoding(() => raw.map(hydrate) as ReadonlyArray<Row>))
  return query.lock === undefined ? run : Effect.andThen(requireTransaction(query), run)
}

/** The rows, with their `prefetchRelated` relations, and the `__via` keys of a prefetch through a join table. @internal */
export const fetchRows = <Row>(
  query: Ast.Query,
  plans: Plans,
  options?: { readonly forceOrder?: boolean }
): Effect.Effect<{ readonly rows: ReadonlyArray<Row>; readonly via: ReadonlyArray<unknown> }, ReadError, Db> => {
  if (query.invalid) return Effect.fail(query.invalid)
  if (query.empty) return Effect.succeed({ rows: [], via: [] })
  const compiled = plan(plans, query, options?.forceOrder === true)
  if (Result.isFailure(compiled)) return Effect.fail(compiled.failure)
  const { hydrate, statement } = compiled.success
  let run: Effect.Effect<{ readonly rows: ReadonlyArray<Row>; readonly via: ReadonlyArray<unknown> }, ReadError, Db> = Effect.flatMap(Executor.select(statement), (raw) =>
    Hydrate.decoding(() => ({
      rows: raw.map(hydrate) as ReadonlyArray<Row>,
      via: query.via === undefined ? [] : raw.map((r) => r.__via)
    })))
  if (query.prefetch.length > 0) {
    run = Effect.flatMap(run, ({ rows, via }) =>
      Effect.map(Prefetcher.prefetch(query.model, rows, query.prefetch, runQuery), (rows) => ({ rows, via })))
  }
  return query.lock === undefined ? run : Effect.andThen(requireTransaction(query), run)
}

/** Runs a query for the prefetch and batched loaders. @internal */
export const runQuery: Prefetcher.Runner = (query) => fetchRows(query, noPlans())

/** Row locks last until the transaction ends: outside one they would be released at once, so they are refused. */
const requireTransaction = (query: Ast.Query): Effect.Effect<void, QueryError> =>
  Effect.flatMap(Transaction.inTransaction, (inTransaction) =>
    inTransaction
      ? Effect.void
      : Effect.fail(new QueryError({ model: query.model.meta.name, reason: "selectForUpdate needs a transaction (Db.atomic)" })))

/** The model name and the conditions, for error messages. @internal */
export const describeLookup = (conditions: ReadonlyArray<unknown>) => {
  try {
    return JSON.stringify(conditions.length === 1 ? conditions[0] : conditions, (_, v) => typeof v === "bigint" ? `${v}n` : v)
  } catch {
    return String(conditions)
  }
}

/**
 * `get`: the one row among the (at most two) rows of `probe`, or `DoesNotExist` / `MultipleObjectsReturned` naming
 * the model and the conditions.
 * @internal
 */
export const single = <Row>(
  probe: Effect.Effect<ReadonlyArray<Row>, ReadError, Db>,
  model: string,
  conditions: ReadonlyArray<unknown>
): Effect.Effect<Row, ReadError | DoesNotExist | MultipleObjectsReturned, Db> =>
  Effect.flatMap(probe, (rows): Effect.Effect<Row, DoesNotExist | MultipleObjectsReturned> => {
    if (rows.length === 1) return Effect.succeed(rows[0]!)
    const lookup = describeLookup(conditions)
    if (rows.length === 0) return Effect.fail(new DoesNotExist({ model, lookup }))
    return Effect.fail(new MultipleObjectsReturned({ model, lookup }))
  })

/** `count`: the number of rows. @internal */
export const count = (query: Ast.Query): Effect.Effect<number, ReadError, Db> =>
  Effect.suspend((): Effect.Effect<number, ReadError, Db> => {
    if (query.invalid) return Effect.fail(query.invalid)
    if (query.empty) return Effect.succeed(0)
    const compiled = query.combined === undefined ? Select.count(query) : SetOps.count(query)
    return Effect.flatMap(Effect.fromResult(compiled), (compiled) =>
      Effect.map(Executor.select(compiled), (rows) => Number(rows[0].count)))
  })

/** `exists`: whether any row matches. @internal */
export const exists = (query: Ast.Query): Effect.Effect<boolean, ReadError, Db> =>
  Effect.suspend((): Effect.Effect<boolean, ReadError, Db> => {
    if (query.invalid) return Effect.fail(query.invalid)
    if (query.empty) return Effect.succeed(false)
    const compiled = query.combined === undefined ? Select.exists(query) : SetOps.exists(query)
    return Effect.flatMap(Effect.fromResult(compiled), (compiled) =>
      Effect.map(Executor.select(compiled), (rows) => rows[0].exists === true))
  })

/** What an aggregate gives over no rows, without a query: a count 0, a `default` value, else NULL. */
const overNoRows = (node: Ast.ResolvedExpr): unknown => {
  if (node._tag !== "Aggregate") return null
  if (node.default !== undefined) return node.default._tag === "Value" ? node.default.value : null
  return node.fn === "count" ? 0 : null
}

/** `aggregate`: the aggregates over the matching rows, in one query, each decoded by its type. @internal */
export const aggregate = (
  query: Ast.Query,
  aggregates: Readonly<Record<string, unknown>>
): Effect.Effect<any, ReadError, Db> =>
  Effect.suspend((): Effect.Effect<any, ReadError, Db> => {
    if (query.invalid) return Effect.fail(query.invalid)
    if (query.combined !== undefined) return Effect.fail(SetOps.refusal(query, "aggregate"))
    const compiled = Select.aggregate(query, aggregates)
    if (Result.isFailure(compiled)) return Effect.fail(compiled.failure)
    const { decode, names, nodes } = compiled.success
    if (query.empty || names.length === 0) return Effect.succeed(Object.fromEntries(names.map((name, i) => [name, overNoRows(nodes[i]!)])))
    return Effect.flatMap(Executor.select(compiled.success.compiled), (rows) =>
      Hydrate.decoding(() =>
        Object.fromEntries(names.map((name, i) => {
          const raw = rows[0]?.[`a${i}`]
          return [name, raw === null || raw === undefined ? null : decode[i]!(raw)]
        }))
      ))
  })

/** `inBulk`: the rows of `qs` keyed by a unique field (the primary key by default), optionally only those with `keys`. @internal */
export const inBulk = <Row>(
  qs: QuerySet<any, any, any>,
  keys: ReadonlyArray<unknown> | undefined,
  field: string | undefined
): Effect.Effect<ReadonlyMap<unknown, Row>, ReadError, Db> =>
  Effect.suspend(() => {
    const fieldName: string = field ?? qs.query.model.meta.pk
    const modelName = qs.query.model.meta.name
    const column = Ast.resolveField(qs.query.model, fieldName)
    if (Result.isFailure(column)) return Effect.fail(column.failure)
    if (!column.success.field.unique && !column.success.field.primaryKey) {
      return Effect.fail(new FieldError({ model: modelName, field: fieldName, reason: "inBulk needs a unique field" }))
    }
    if (qs.query.combined !== undefined) return Effect.fail(SetOps.refusal(qs.query, "inBulk"))
    if (isSliced(qs.query)) return Effect.fail(new QueryError({ model: modelName, reason: "cannot use inBulk on a sliced queryset" }))
    if (keys !== undefined && keys.length === 0) return Effect.succeed(new Map())
    const filtered = keys === undefined ? qs : qs.filter({ [fieldName]: { in: keys } })
    return Effect.map(fetch<any>({ ...filtered.query, projection: { _tag: "Model" } }, noPlans()), (rows) =>
      new Map(rows.map((row: any) => [row[fieldName], row] as const)) as ReadonlyMap<unknown, Row>)
  })

/** Rows per cursor fetch and per prefetch round of a stream, unless the caller says otherwise. @internal */
export const STREAM_CHUNK_SIZE = 1000

/**
 * `stream`: the rows with backpressure. Inside a transaction it reads an SQL cursor `chunkSize` rows per fetch, so that
 * the prefetch queries, and those of the stream's consumer, run between fetches; `prefetchRelated` relations are
 * loaded per `chunkSize` rows.
 * @internal
 */
export const stream = <Row>(query: Ast.Query, plans: Plans, chunkSize = STREAM_CHUNK_SIZE): Stream.Stream<Row, ReadError, Db> =>
  Stream.unwrap(Effect.suspend((): Effect.Effect<Stream.Stream<Row, ReadError, Db>, ReadError, Db> => {
    if (query.invalid) return Effect.fail(query.invalid)
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
      return Effect.fail(new QueryError({ model: query.model.meta.name, reason: `stream's chunkSize must be a positive integer, got ${String(chunkSize)}` }))
    }
    if (query.empty) return Effect.succeed(Stream.empty)
    const compiled = plan(plans, query, false)
    if (Result.isFailure(compiled)) return Effect.fail(compiled.failure)
    const { hydrate, statement } = compiled.success
    const { model, prefetch } = query
    const rows = Stream.mapArrayEffect(
      Executor.stream(statement, chunkSize),
      (raw) => Hydrate.decoding(() => Arr.map(raw, hydrate) as Arr.NonEmptyArray<Row>)
    )
    // Prefetching per chunk of rows keeps memory bounded: one query per relation and chunk, between fetches.
    const loaded: Stream.Stream<Row, ReadError, Db> = prefetch.length === 0 ? rows : rows.pipe(
      Stream.grouped(chunkSize),
      Stream.mapEffect((chunk) => Prefetcher.prefetch(model, chunk, prefetch, runQuery)),
      Stream.flattenIterable
    )
    return query.lock === undefined ? Effect.succeed(loaded) : Effect.as(requireTransaction(query), loaded)
  }))

/** The statement a query runs, compiled without running it. */
const statementOf = (query: Ast.Query, plans: Plans): Effect.Effect<Compiler.Compiled, FieldError | QueryError> =>
  Effect.suspend((): Effect.Effect<Compiler.Compiled, FieldError | QueryError> =>
    query.invalid ? Effect.fail(query.invalid) : Effect.map(Effect.fromResult(plan(plans, query, false)), (p) => p.statement)
  )

/** `toSql`: the SQL text and parameters the query runs. @internal */
export const toSql = (query: Ast.Query, plans: Plans): Effect.Effect<Compiler.Compiled, FieldError | QueryError> =>
  Effect.map(statementOf(query, plans), ({ params, sql }) => ({ sql, params }))

/** `explain`: PostgreSQL's plan for the query (`EXPLAIN`, optionally `ANALYZE`). @internal */
export const explain = (
  query: Ast.Query,
  plans: Plans,
  options?: { readonly analyze?: boolean; readonly verbose?: boolean }
): Effect.Effect<string, ReadError, Db> =>
  Effect.flatMap(statementOf(query, plans), (compiled) => {
    const flags = [options?.analyze ? "ANALYZE" : undefined, options?.verbose ? "VERBOSE" : undefined].filter(Boolean)
    const sql = `EXPLAIN ${flags.length > 0 ? `(${flags.join(", ")}) ` : ""}${compiled.sql}`
    return Effect.map(Executor.select({ ...compiled, sql }), (rows) => rows.map((row) => row["QUERY PLAN"]).join("\n"))
  })
