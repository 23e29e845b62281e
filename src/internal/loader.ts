/**
 * Batched loading of one instance's related rows, on Effect's Request batching: loads requested together (for
 * instance by `Effect.forEach(..., { batching: true })`) for the same relation run as one `IN` query.
 * @internal
 */
import type * as SqlError from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Request from "effect/Request"
import * as RequestResolver from "effect/RequestResolver"
import type { Db } from "./service.js"
import type { FieldError, QueryError } from "../Errors.js"
import * as Prefetch from "./prefetch.js"
import * as Ast from "./query.js"
import type * as Relations from "./relations.js"

type LoadError = FieldError | QueryError | SqlError.SqlError

/** A request for the rows related to one parent row. */
interface Load extends Request.Request<ReadonlyArray<any>, LoadError> {
  readonly _tag: "Load"
  readonly rel: Relations.Resolved
  readonly parent: Record<string, unknown>
  readonly run: Prefetch.Runner
}

const Load = Request.tagged<Load>("Load")

/** One query per relation among the batched requests. */
const makeResolver = () => RequestResolver.makeBatched((requests: ReadonlyArray<Load>) => {
  const byRelation = new Map<Relations.Resolved, Array<Load>>()
  for (const request of requests) {
    const group = byRelation.get(request.rel)
    if (group === undefined) byRelation.set(request.rel, [request])
    else group.push(request)
  }
  return Effect.forEach(byRelation, ([rel, group]) =>
    Prefetch.load(rel, group.map((r) => r.parent), Ast.initial(rel.target), group[0]!.run).pipe(
      Effect.matchCauseEffect({
        onFailure: (cause) => Effect.forEach(group, (r) => Request.failCause(r, cause), { discard: true }),
        onSuccess: (related) => Effect.forEach(group, (r) => Request.succeed(r, related(r.parent)), { discard: true })
      })
    ), { discard: true })
})

// Built once, on first use.
let resolver: ReturnType<typeof makeResolver> | undefined

/** The rows related to `parent` through `rel`, batched with concurrent loads of the same relation. @internal */
export const related = (
  rel: Relations.Resolved,
  parent: Record<string, unknown>,
  run: Prefetch.Runner
): Effect.Effect<ReadonlyArray<any>, LoadError, Db> =>
  // The whole caller's context, not only `Db`: the transaction's connection lives there too.
  Effect.flatMap(Effect.context<Db>(), (context) =>
    Effect.request(Load({ rel, parent, run }), RequestResolver.provideContext(resolver ??= makeResolver(), context)))
