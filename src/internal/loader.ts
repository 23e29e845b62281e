/**
 * Batched loading of one instance's related rows, on Effect's Request batching: loads made concurrently (for instance
 * by `Effect.forEach(books, ..., { concurrency: "unbounded" })`) for the same relation, on the same database and in
 * the same transaction, run as one query.
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Request from "effect/Request"
import * as RequestResolver from "effect/RequestResolver"
import type * as SqlError from "effect/sql/SqlError"
import type { DataError, DecodeError, FieldError, QueryError } from "../Errors.js"
import * as Prefetch from "./prefetch.js"
import * as Ast from "./query.js"
import type * as Relations from "./relations.js"
import { Db } from "./service.js"

type LoadError = FieldError | QueryError | DecodeError | DataError | SqlError.SqlError

/** A request for the rows related to one parent row. */
interface Load extends Request.Request<ReadonlyArray<any>, LoadError, Db> {
  readonly _tag: "Load"
  readonly rel: Relations.Resolved
  readonly parent: Record<string, unknown>
  readonly run: Prefetch.Runner
}

const Load = Request.tagged<Load>("Load")

/**
 * Loads are batched per database and transaction (each batch runs with the context of one of its callers, so all its
 * callers must share the connection), then grouped into one query per relation.
 */
const resolver = RequestResolver.makeGrouped<Load, object>({
  key: ({ context }) => {
    const db = Context.get(context, Db)
    return Context.getOrUndefined(context as Context.Context<never>, db.sql.transactionService) ?? db
  },
  resolver: (entries) => {
    const byRelation = new Map<Relations.Resolved, Array<Request.Entry<Load>>>()
    for (const entry of entries) {
      const group = byRelation.get(entry.request.rel)
      if (group === undefined) byRelation.set(entry.request.rel, [entry])
      else group.push(entry)
    }
    return Effect.forEach(byRelation, ([rel, group]) =>
      Prefetch.load(rel, group.map((e) => e.request.parent), Ast.initial(rel.target), group[0]!.request.run).pipe(
        Effect.exit,
        Effect.map((exit) => {
          for (const entry of group) {
            entry.completeUnsafe(Exit.isSuccess(exit) ? Exit.succeed(exit.value(entry.request.parent)) : exit as Exit.Exit<never, LoadError>)
          }
        })
      ), { discard: true }) as Effect.Effect<void>
  }
})

/** The rows related to `parent` through `rel`, batched with concurrent loads of the same relation. @internal */
export const related = (
  rel: Relations.Resolved,
  parent: Record<string, unknown>,
  run: Prefetch.Runner
): Effect.Effect<ReadonlyArray<any>, LoadError, Db> => Effect.request(Load({ rel, parent, run }), resolver)
