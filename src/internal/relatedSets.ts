/**
 * `related(instance, name)` and RelatedSets: the rows related to one instance through a reverse or many-to-many
 * relation, a QuerySet loaded in a batch when run as it is, with `add`, `remove`, `set` and `clear` for many-to-many.
 *
 * The RelatedSet class extends QuerySet, whose module imports this one: it is built over the QuerySet class that
 * QuerySet.ts hands in (`relatedSetClass(QuerySet)`), so this module imports QuerySet.ts for types only.
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { DoesNotExist, FieldError, QueryError } from "../Errors.js"
import type { DeleteError, ManyToManyOps, QuerySet, ReadError } from "../QuerySet.js"
import * as Transaction from "../Transaction.js"
import * as Loader from "./loader.js"
import * as Ast from "./query.js"
import * as Reads from "./reads.js"
import * as Relations from "./relations.js"
import type { Db } from "./service.js"

/** A RelatedSet at runtime: a QuerySet of the rows related to `parent` through `rel`. @internal */
export interface RelatedSetInstance extends QuerySet<any, any, any>, ManyToManyOps<any> {
  readonly rel: Relations.Resolved
  readonly parent: Record<string, unknown>
}

/** The runtime class behind `RelatedSet`. @internal */
export type RelatedSetClass = new(
  query: Ast.Query,
  rel: Relations.Resolved,
  parent: Record<string, unknown>
) => RelatedSetInstance

/** The runtime class behind `RelatedSet`, over the QuerySet class. @internal */
export const relatedSetClass = (Base: typeof QuerySet): RelatedSetClass => {
  /** The join model's QuerySet and the values linking the parent to each of `items`. */
  const links = (set: RelatedSetInstance, items: ReadonlyArray<unknown>) => {
    const { model, ...rel } = set.rel
    if (rel.kind !== "m2m") return Result.fail(new QueryError({ model: model.meta.name, reason: `${rel.name} is not a many-to-many relation` }))
    if (set.query.invalid) return Result.fail(set.query.invalid)
    const target = rel.target
    const keys = items.map((item) => item instanceof target ? (item as Record<string, unknown>)[target.meta.pk] : item)
    const through = rel.through!
    return Result.succeed({
      objects: new Base<any, any>(Ast.initial(through.model)),
      mine: { [through.sourceKey]: set.parent[model.meta.pk] },
      targetKey: through.targetKey,
      keys: [...new Set(keys)]
    })
  }

  class RelatedSetImpl extends Base<any, any, any> implements ManyToManyOps<any> {
    constructor(query: Ast.Query, readonly rel: Relations.Resolved, readonly parent: Record<string, unknown>) {
      super(query)
    }

    override asEffect(): Effect.Effect<ReadonlyArray<any>, ReadError, Db> {
      return this.query.invalid ? Effect.fail(this.query.invalid) : Loader.related(this.rel, this.parent, Reads.runQuery)
    }

    add(...items: ReadonlyArray<unknown>): Effect.Effect<void, DeleteError, Db> {
      return Effect.suspend(() => {
        const found = links(this, items)
        if (Result.isFailure(found)) return Effect.fail(found.failure)
        const { keys, mine, objects, targetKey } = found.success
        if (keys.length === 0) return Effect.void
        return Transaction.atomic(Effect.gen(function*() {
          const existing = new Set(yield* objects.filter({ ...mine, [targetKey]: { in: keys } }).valuesList(targetKey, { flat: true }))
          const missing = keys.filter((k) => !existing.has(k))
          if (missing.length > 0) yield* objects.bulkCreate(missing.map((k) => ({ ...mine, [targetKey]: k }) as any))
        }))
      })
    }

    remove(...items: ReadonlyArray<unknown>): Effect.Effect<void, DeleteError, Db> {
      return Effect.suspend(() => {
        const found = links(this, items)
        if (Result.isFailure(found)) return Effect.fail(found.failure)
        const { keys, mine, objects, targetKey } = found.success
        return keys.length === 0 ? Effect.void : Effect.asVoid(objects.filter({ ...mine, [targetKey]: { in: keys } }).delete())
      })
    }

    set(items: ReadonlyArray<unknown>): Effect.Effect<void, DeleteError, Db> {
      return Effect.suspend(() => {
        const found = links(this, items)
        if (Result.isFailure(found)) return Effect.fail(found.failure)
        const { keys, mine, objects, targetKey } = found.success
        const stale = objects.filter(mine).exclude({ [targetKey]: { in: keys } })
        return Transaction.atomic(Effect.andThen(stale.delete(), this.add(...keys)))
      })
    }

    clear(): Effect.Effect<void, DeleteError, Db> {
      return Effect.suspend(() => {
        const found = links(this, [])
        if (Result.isFailure(found)) return Effect.fail(found.failure)
        return Effect.asVoid(found.success.objects.filter(found.success.mine).delete())
      })
    }
  }

  return RelatedSetImpl
}

/**
 * `related(instance, name)` of a QuerySet of `query`: for a foreign key or one-to-one, an Effect of the related
 * instance (batched); for a reverse relation or many-to-many, a RelatedSet of the related rows.
 * @internal
 */
export const related = (
  RelatedSet: RelatedSetClass,
  query: Ast.Query,
  parent: Record<string, unknown>,
  name: string
): unknown => {
  const model = query.model
  const rel = Relations.resolve(model, name)
  if (rel === undefined) {
    return Effect.fail(new FieldError({ model: model.meta.name, field: name, reason: `unknown relation; choices are ${Relations.names(model).join(", ")}` }))
  }
  if (!rel.many) {
    return Effect.flatMap(Loader.related(rel, parent, Reads.runQuery), (rows) => {
      if (rows.length > 0) return Effect.succeed(rows[0])
      if (rel.nullable) return Effect.succeed(null)
      return Effect.fail(new DoesNotExist({ model: rel.target.meta.name, lookup: `${model.meta.name}.${name} of ${Reads.describeLookup([parent[model.meta.pk]])}` }))
    })
  }
  const pk = parent[model.meta.pk]
  const inverse = Relations.inverseName(rel)
  let relatedQuery: Ast.Query = Ast.initial(rel.target)
  if (pk === null || pk === undefined || inverse === undefined) {
    relatedQuery = { ...relatedQuery, invalid: new QueryError({ model: model.meta.name, reason: `cannot read ${name} of an instance without a primary key` }) }
  } else relatedQuery = { ...relatedQuery, where: [{ negate: false, condition: { [inverse]: pk } }] }
  return new RelatedSet(relatedQuery, rel, parent)
}
