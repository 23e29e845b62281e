/**
 * The models in use, for reverse relations and deletes: each declared model (the user's subclass once seen), and the
 * join models of many-to-many fields. Automatic join models are built with the model constructor that `Model.ts`
 * hands in as it loads, so this module does not import it.
 *
 * Historical models (`migrations/historical.ts`: the models of a migration's schema state, for data migrations) have
 * the names of the declared models but are recorded apart, each set in a map of its own held weakly (`apart`): they
 * are never the registered model of a declared model's metadata, and a set is dropped once its models are. They are
 * among `models()`, so their reverse relations and cascades work among themselves; they never reach a declared model
 * because every lookup over `models()` matches by metadata identity (`rel.target().meta === model.meta`) and a
 * historical model's relations target only models of its own set (and join models are per relation).
 * @internal
 */
import * as Field from "../Field.js"
import type * as Model from "../Model.js"
import type * as Relation from "../Relation.js"
import { derivedName, lowerFirst, snakeCase } from "./names.js"

// ---- the models in use, for reverse relations and deletes ----

/**
 * Every model, by its metadata: the class `Model.Class` returned (recorded when declared), replaced by the user's
 * subclass once it is seen (its `objects` used, `Tables.create`, a relation's target), so rows are built with it.
 */
const known = new Map<object, Model.Any>()

// ---- historical models, recorded apart ----

/** The set of each historical model, by its metadata (declared models are in `known`). */
const sets = new WeakMap<object, Map<object, Model.Any>>()
/** Every set of historical models, held weakly: a set goes when nothing uses its models. */
const historical = new Set<WeakRef<Map<object, Model.Any>>>()
/** The set the models being declared go to (`apart`, and the join models of historical models). */
let defining: Map<object, Model.Any> | undefined

/** Runs `f` (synchronous) with the models declared meanwhile recorded in `set`. */
const declaringIn = <A>(set: Map<object, Model.Any> | undefined, f: () => A): A => {
  const previous = defining
  defining = set
  try {
    return f()
  } finally {
    defining = previous
  }
}

/**
 * Runs `build`, which declares models with `Model.Class`, recording them as a set of historical models apart from the
 * declared ones (see the module's comment); the join models of their many-to-many fields join the same set.
 * @internal
 */
export const apart = <A>(build: () => A): A => {
  const set = new Map<object, Model.Any>()
  historical.add(new WeakRef(set))
  return declaringIn(set, build)
}

/** Whether `model` is a historical model (built by `apart`). @internal */
export const isHistorical = (model: Model.Any): boolean => sets.has(model.meta)

const setOf = (model: Model.Any): Map<object, Model.Any> => sets.get(model.meta) ?? known

let changes = 0

/**
 * A number that changes whenever a model is recorded: what was looked up among the models (a name that is no
 * relation) holds while it stays the same.
 * @internal
 */
export const version = (): number => changes

/** Records a model class as it is declared. @internal */
export const define = (model: Model.Any): void => {
  if (defining !== undefined) sets.set(model.meta, defining)
  const set = setOf(model)
  if (!set.has(model.meta)) {
    set.set(model.meta, model)
    changes++
  }
}

/** Records a model class (the user's subclass) and, when they can be reached already, the models it relates to. @internal */
export const register = (model: Model.Any): void => {
  const set = setOf(model)
  if (set.get(model.meta) === model) return
  set.set(model.meta, model)
  changes++
  for (const [name, rel] of Object.entries(model.meta.relations)) {
    try {
      register(rel.target())
      if (rel.kind === "ManyToMany") register(throughOf(model, name, rel).model)
    } catch {
      // A target still being defined (module initialisation order): it is registered when used.
    }
  }
}

/** The declared models, then those of each live set of historical models. */
const all = (): Array<Model.Any> => {
  const result = [...known.values()]
  for (const ref of historical) {
    const set = ref.deref()
    if (set === undefined) historical.delete(ref)
    else result.push(...set.values())
  }
  return result
}

/** The known models (historical ones included), with the automatic join models of their many-to-many fields. @internal */
export const models = (): ReadonlyArray<Model.Any> => {
  for (const model of all()) {
    for (const [name, rel] of Object.entries(model.meta.relations)) {
      if (rel.kind === "ManyToMany" && rel.through === undefined) {
        try {
          register(throughOf(model, name, rel).model)
        } catch {
          // The target is still being defined.
        }
      }
    }
  }
  return all()
}

// ---- many-to-many join models ----

let modelFactory: typeof Model.Class | undefined

/**
 * Hands in the model constructor, with which automatic join models are built: `Model.ts` calls it as it loads, so
 * that this module need not import `Model.ts`, which (through QuerySet and relations) imports this one.
 * @internal
 */
export const setModelFactory = (factory: typeof Model.Class): void => {
  modelFactory = factory
}

/** The model constructor; set before any model exists, since models are made by it. */
const modelClass = (): typeof Model.Class => {
  if (modelFactory === undefined) throw new Error("effect-orm: the Model module is not loaded")
  return modelFactory
}

const autoThrough = new WeakMap<object, Model.Any>()
const autoThroughMetas = new WeakSet<object>()

/** Whether `model` is the automatic join model of a many-to-many field (its reverse relations are hidden, as Django's). @internal */
export const isAutoThroughModel = (model: Model.Any): boolean => autoThroughMetas.has(model.meta)

/** The join model of a many-to-many field of `model`, with its key fields to each side. @internal */
export const throughOf = (
  model: Model.Any,
  name: string,
  rel: Relation.ManyToMany<any>
): { readonly model: Model.Any; readonly sourceKey: string; readonly targetKey: string } => {
  const target = rel.target()
  if (rel.through !== undefined) {
    const through = rel.through()
    const fks = Object.entries(through.meta.relations).filter(([, r]) => r.kind === "ForeignKey" || r.kind === "OneToOne")
    let source: string | undefined
    let dest: string | undefined
    if (rel.throughFields !== undefined) [source, dest] = rel.throughFields
    else {
      source = fks.find(([, r]) => r.target().meta === model.meta)?.[0]
      dest = fks.find(([key, r]) => r.target().meta === target.meta && key !== source)?.[0]
    }
    const ok = (key: string | undefined, to: Model.Any) =>
      key !== undefined && fks.some(([k, r]) => k === key && r.target().meta === to.meta)
    if (!ok(source, model) || !ok(dest, target)) {
      throw new Error(
        `${model.meta.name}.${name}: the through model ${through.meta.name} needs foreign keys to ${model.meta.name} and ${target.meta.name} (give throughFields)`
      )
    }
    return { model: through, sourceKey: `${source}Id`, targetKey: `${dest}Id` }
  }
  let through = autoThrough.get(rel)
  const self = target.meta === model.meta
  const sourceName = self ? `from${model.meta.name}` : lowerFirst(model.meta.name)
  const targetName = self ? `to${target.meta.name}` : lowerFirst(target.meta.name)
  if (through === undefined) {
    const table = rel.dbTable ?? derivedName(`${model.meta.table}_${snakeCase(name)}`)
    const Class = modelClass()
    // A historical model's join model belongs to its set.
    through = declaringIn(sets.get(model.meta), () => Class<any>(`${model.meta.name}_${name}`)({
      id: Field.AutoField(),
      [sourceName]: Field.ForeignKey(() => model, { onDelete: "CASCADE" }),
      [targetName]: Field.ForeignKey(() => target, { onDelete: "CASCADE" })
    }, {
      table,
      constraints: [{ kind: "unique", fields: [`${sourceName}Id`, `${targetName}Id`], name: derivedName(`${table}_uniq`) }] as any
    })) as unknown as Model.Any
    autoThrough.set(rel, through)
    autoThroughMetas.add(through.meta)
  }
  return { model: through, sourceKey: `${sourceName}Id`, targetKey: `${targetName}Id` }
}

/** Whether a many-to-many field uses an automatic join model (whose rows `add` and `remove` may write). @internal */
export const isAutoThrough = (rel: Relation.ManyToMany<any>): boolean => rel.through === undefined
