/**
 * Resolving relation fields once every model exists: the key column a foreign key adds, and for each relation name
 * (forward or reverse) the joins that lead from a model to its target. The models in use and the join models of
 * many-to-many fields are the registry's.
 * @internal
 */
import * as Schema from "effect/Schema"
import * as Field from "../Field.js"
import type * as Model from "../Model.js"
import type * as Relation from "../Relation.js"
import { lowerFirst } from "./names.js"
import * as Registry from "./registry.js"

/** One join: `JOIN model ON model.column = previous.fromColumn`. @internal */
export interface Hop {
  readonly model: Model.Any
  readonly column: string
  readonly fromColumn: string
}

/** A relation seen from one model: forward (a key it holds), reverse (keys pointing at it) or many-to-many. @internal */
export interface Resolved {
  readonly name: string
  readonly model: Model.Any
  readonly target: Model.Any
  readonly kind: "forward" | "reverse" | "m2m"
  /** Reaches any number of rows (reverse foreign key, many-to-many). */
  readonly many: boolean
  /** A single related row may be missing (nullable key, reverse one-to-one). */
  readonly nullable: boolean
  readonly hops: ReadonlyArray<Hop>
  /** Forward: the key field on `model` (`publisherId`). Reverse: the key field on `target`. */
  readonly key: string | undefined
  /** Many-to-many (either side): the join model, its key field to `model` and its key field to `target`. */
  readonly through: { readonly model: Model.Any; readonly sourceKey: string; readonly targetKey: string } | undefined
}

/** The column field of a foreign key: the target's primary key type, read lazily (the target may not exist yet). @internal */
export const keyField = (relation: string, rel: Relation.ForeignKey<any>): Field.Any => {
  const pk = (): Field.Any => {
    const target = rel.target()
    return target.meta.fields[target.meta.pk]
  }
  const value = Schema.suspend((): Schema.Codec<any, any> => pk().schema)
  const schema: Schema.Codec<any, any> = rel.nullable ? Schema.NullOr(value) : value
  let validate: ((u: unknown) => string | undefined) | undefined
  return {
    [Field.TypeId]: undefined as any,
    get kind() {
      const kind = pk().kind
      return kind === "AutoField" ? "Integer" : kind === "BigAutoField" ? "BigInteger" : kind
    },
    get lookupKind() {
      return pk().lookupKind
    },
    schema,
    // Built on first use: the target's primary key may not exist yet.
    validate: (u) => (validate ??= Field.validator(schema))(u),
    isValue: (u) => pk().isValue(u),
    fromDb: (raw) => pk().fromDb(raw),
    toDb: (v) => pk().toDb(v),
    nullable: rel.nullable,
    primaryKey: false,
    unique: rel.kind === "OneToOne",
    dbIndex: true,
    dbColumn: rel.dbColumn,
    default: rel.default,
    hasDefault: rel.hasDefault,
    generated: false,
    get maxLength() {
      return pk().maxLength
    },
    get maxDigits() {
      return pk().maxDigits
    },
    get decimalPlaces() {
      return pk().decimalPlaces
    },
    choices: undefined,
    version: false,
    references: { relation, target: rel.target }
  }
}

// ---- references to a model, for deletes ----

/** The foreign keys (and one-to-ones) of every model that point at `model`. @internal */
export const referencing = (
  model: Model.Any
): ReadonlyArray<{ readonly model: Model.Any; readonly name: string; readonly rel: Relation.ForeignKey<any> }> => {
  Registry.register(model)
  const found: Array<{ model: Model.Any; name: string; rel: Relation.ForeignKey<any> }> = []
  for (const source of Registry.models()) {
    for (const [name, rel] of Object.entries(source.meta.relations)) {
      if ((rel.kind === "ForeignKey" || rel.kind === "OneToOne") && rel.target().meta === model.meta) found.push({ model: source, name, rel })
    }
  }
  return found
}

// ---- resolution by name ----

const pkColumn = (model: Model.Any) => model.meta.columns[model.meta.pk] as string

const forward = (model: Model.Any, name: string, rel: Relation.Any): Resolved | undefined => {
  const target = rel.target()
  switch (rel.kind) {
    case "ForeignKey":
    case "OneToOne": {
      const key = `${name}Id`
      return {
        name,
        model,
        target,
        kind: "forward",
        many: false,
        nullable: rel.nullable,
        hops: [{ model: target, column: pkColumn(target), fromColumn: model.meta.columns[key] }],
        key,
        through: undefined
      }
    }
    case "ManyToMany":
      return viaThrough(model, name, target, Registry.throughOf(model, name, rel))
    case "Reverse": {
      const source = target.meta.relations[rel.field]
      if (source === undefined || source.kind === "Reverse" || source.target().meta !== model.meta) {
        throw new Error(`${model.meta.name}.${name}: ${target.meta.name}.${rel.field} is not a relation to ${model.meta.name}`)
      }
      return reverse(model, name, target, rel.field, source)
    }
  }
}

/** A many-to-many from `model` to `target` through a join model whose `sourceKey` points at `model`. */
const viaThrough = (
  model: Model.Any,
  name: string,
  target: Model.Any,
  through: { readonly model: Model.Any; readonly sourceKey: string; readonly targetKey: string }
): Resolved => ({
  name,
  model,
  target,
  kind: "m2m",
  many: true,
  nullable: false,
  hops: [
    { model: through.model, column: through.model.meta.columns[through.sourceKey], fromColumn: pkColumn(model) },
    { model: target, column: pkColumn(target), fromColumn: through.model.meta.columns[through.targetKey] }
  ],
  key: undefined,
  through
})

/** `name` on `model` as the reverse of `field` on `source`. */
const reverse = (
  model: Model.Any,
  name: string,
  source: Model.Any,
  field: string,
  rel: Relation.ForeignKey<any> | Relation.ManyToMany<any>
): Resolved => {
  if (rel.kind === "ManyToMany") {
    // The same join model, its keys seen from the other side.
    const through = Registry.throughOf(source, field, rel)
    return viaThrough(model, name, source, { model: through.model, sourceKey: through.targetKey, targetKey: through.sourceKey })
  }
  const key = `${field}Id`
  return {
    name,
    model,
    target: source,
    kind: "reverse",
    many: rel.kind !== "OneToOne",
    nullable: true,
    hops: [{ model: source, column: source.meta.columns[key], fromColumn: pkColumn(model) }],
    key,
    through: undefined
  }
}

/** The default reverse name of a relation: `bookSet`, or `book` for a one-to-one. @internal */
export const relatedName = (source: Model.Any, rel: Relation.ForeignKey<any> | Relation.ManyToMany<any>): string =>
  rel.relatedName ?? (rel.kind === "OneToOne" ? lowerFirst(source.meta.name) : `${lowerFirst(source.meta.name)}Set`)

const cache = new WeakMap<Model.Any, Map<string, Resolved>>()
/** Names found to be no relation of a model (field names, mostly), with the registry's version then. */
const misses = new WeakMap<Model.Any, Map<string, number>>()

/** The relation `name` of `model` (declared, or the reverse of a known model's relation), or undefined. @internal */
export const resolve = (model: Model.Any, name: string): Resolved | undefined => {
  let byName = cache.get(model)
  if (byName === undefined) {
    byName = new Map()
    cache.set(model, byName)
  }
  const cached = byName.get(name)
  if (cached !== undefined) return cached
  if (misses.get(model)?.get(name) === Registry.version()) return undefined
  Registry.register(model)
  let found: Resolved | undefined
  if (Object.prototype.hasOwnProperty.call(model.meta.relations, name)) {
    found = forward(model, name, model.meta.relations[name]!)
  } else {
    outer: for (const source of Registry.models()) {
      if (Registry.isAutoThroughModel(source)) continue
      for (const [field, rel] of Object.entries(source.meta.relations)) {
        if (rel.kind === "Reverse" || rel.target().meta !== model.meta) continue
        if (relatedName(source, rel) === name) {
          found = reverse(model, name, source, field, rel)
          break outer
        }
      }
    }
  }
  // An unknown name is known to be unknown only until another model is recorded: that one may define it.
  if (found !== undefined) byName.set(name, found)
  else {
    let missed = misses.get(model)
    if (missed === undefined) misses.set(model, missed = new Map())
    missed.set(name, Registry.version())
  }
  return found
}

/** The relation names of a model, for error messages. @internal */
export const names = (model: Model.Any): ReadonlyArray<string> => {
  Registry.register(model)
  const result = new Set(Object.keys(model.meta.relations))
  for (const source of Registry.models()) {
    if (Registry.isAutoThroughModel(source)) continue
    for (const [, rel] of Object.entries(source.meta.relations)) {
      if (rel.kind !== "Reverse" && rel.target().meta === model.meta) result.add(relatedName(source, rel))
    }
  }
  return [...result]
}

/** The name, on the target, of the relation leading back to the source of `rel` (for a reverse or many-to-many). @internal */
export const inverseName = (rel: Resolved): string | undefined => {
  // Resolved relations are cached per model, so this search runs once per relation.
  if (inverses.has(rel)) return inverses.get(rel)
  const found = findInverse(rel)
  inverses.set(rel, found)
  return found
}

const inverses = new WeakMap<Resolved, string | undefined>()

const findInverse = (rel: Resolved): string | undefined => {
  for (const name of names(rel.target)) {
    const other = resolve(rel.target, name)
    if (other === undefined || other.target.meta !== rel.model.meta) continue
    if (rel.kind === "m2m" && other.kind === "m2m" && other.through!.model.meta === rel.through!.model.meta && other.through!.sourceKey === rel.through!.targetKey) return name
    if (rel.kind === "reverse" && other.kind === "forward" && other.key === rel.key) return name
    if (rel.kind === "forward" && other.kind === "reverse" && other.key === rel.key) return name
  }
  return undefined
}
