/**
 * The autodetector: the operations that turn the schema the migrations build (`from`) into the one the models
 * describe (`to`). It never guesses a rename: a removed model or field with a look-alike added one is a question,
 * answered with `--rename` or `--drop`; without an answer it refuses. It checks its own result: the operations,
 * applied in order to `from`, must give `to`, and each must have its SQL.
 * @internal
 */
import * as Data from "effect/Data"
import * as Result from "effect/Result"
import { snakeCase } from "../names.js"
import { apply, describe, type Operation, StateError } from "./operations.js"
import { forwardSql } from "./operationSql.js"
import {
  byName, canonical, type ConstraintState, type FieldState, indexUses, type IndexState, type ModelState, same, sameSchema, type SchemaState
} from "./state.js"

/** A rename the user confirmed: a model (`Writer=Author`) or a field of a model (`Book.titel=title`). @internal */
export type Rename =
  | { readonly _tag: "ModelRename"; readonly from: string; readonly to: string }
  | { readonly _tag: "FieldRename"; readonly model: string; readonly from: string; readonly to: string }

/** @internal */
export type Renames = ReadonlyArray<Rename>

/** What the autodetector needs to know: a removed model or field that may have been renamed to an added one. @internal */
export interface Question {
  /** `Writer`, or `Book.titel`. */
  readonly removed: string
  /** The candidates, in the same spelling: `Author`, or `Book.title`. */
  readonly added: ReadonlyArray<string>
  readonly message: string
}

/**
 * The autodetector cannot write the operations: questions to answer (renames), answers that name nothing, or
 * operations that would not lead to the models' state (a bug in the autodetector, reported rather than written).
 * @internal
 */
export class DetectError extends Data.TaggedError("DetectError")<{
  readonly questions: ReadonlyArray<Question>
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    return [...this.questions.map((q) => q.message), ...this.problems].join("\n")
  }
}

/** Options of `detect`. @internal */
export interface DetectOptions {
  /** Confirmed renames (`--rename`). */
  readonly renames?: Renames | undefined
  /** Confirmed drops (`--drop Model`, `--drop Model.field`): a removal that is not a rename of a look-alike. */
  readonly drops?: ReadonlyArray<string> | undefined
  /**
   * Write the safe multi-step forms on tables that exist already: indexes CONCURRENTLY, foreign keys and checks
   * NOT VALID then VALIDATE, SET NOT NULL through a validated check. `safe` is set on an AddField or AlterField only
   * where it changes the SQL (a safe operation runs outside a transaction).
   */
  readonly safe?: boolean | undefined
}

const IDENT = /^[A-Za-z_$][\w$]*$/

/**
 * Parses a `--rename` value: `Old=New` renames a model, `Model.old=new` (or `Model.old=Model.new`) a field.
 * @internal
 */
export const parseRename = (text: string): Result.Result<Rename, string> => {
  const bad = (why: string) => Result.fail(`--rename ${JSON.stringify(text)}: ${why}; write Old=New for a model or Model.old=new for a field`)
  const parts = text.trim().split("=")
  if (parts.length !== 2) return bad("expected exactly one =")
  const [left, right] = parts.map((p) => p.trim().split(".")) as [Array<string>, Array<string>]
  if ([...left, ...right].some((p) => !IDENT.test(p))) return bad("names are letters, digits, _ and $, not starting with a digit")
  if (left.length === 1 && right.length === 1) return Result.succeed({ _tag: "ModelRename", from: left[0]!, to: right[0]! })
  if (left.length !== 2 || right.length > 2) return bad("too many dots")
  if (right.length === 2 && right[0] !== left[0]) return bad(`a field stays in its model (${left[0]}, not ${right[0]}); rename the model separately`)
  return Result.succeed({ _tag: "FieldRename", model: left[0]!, from: left[1]!, to: right[right.length - 1]! })
}

// ---- matching models and fields ----

const keys = (o: object) => Object.keys(o)

/** A field as the user names it: a foreign key by its relation (`publisher`), other fields by their name. */
const shown = (model: ModelState, key: string) => model.fields[key]?.references?.relation ?? key

/** The field of `model` that `name` designates (its name, or a foreign key's relation name). */
const resolveField = (model: ModelState, name: string): string | undefined =>
  model.fields[name] !== undefined ? name : keys(model.fields).find((k) => model.fields[k]!.references?.relation === name)

const FAMILY: { readonly [kind: string]: string } = {
  Char: "text", Text: "text", SmallInteger: "int", Integer: "int", BigInteger: "int",
  AutoField: "auto", BigAutoField: "auto", Float: "number", Decimal: "number"
}

/** Whether a removed field and an added field may be one field renamed. */
const compatible = (a: FieldState, b: FieldState) =>
  (FAMILY[a.kind] ?? a.kind) === (FAMILY[b.kind] ?? b.kind) && (a.references === undefined) === (b.references === undefined) &&
  a.primaryKey === b.primaryKey

/** A model's fields by kind, without names and columns: look-alike models are rename candidates. */
const shape = (model: ModelState) =>
  `${model.autoCreated === true}:` +
  Object.values(model.fields).map((f) => `${f.kind}${f.primaryKey ? "!" : ""}${f.references ? "->" : ""}`).sort().join(",")

/** The model an automatic join model belongs to (its first key). */
const owner = (model: ModelState) => Object.values(model.fields).find((f) => !f.primaryKey)?.references?.model

interface Matching {
  /** `from` model name to `to` model name, for models that are kept or renamed. */
  readonly models: Map<string, string>
  /** Per `to` model name: `from` field name to `to` field name, for renamed fields. */
  readonly fields: Map<string, Map<string, string>>
}

const match = (from: SchemaState, to: SchemaState, options: DetectOptions, questions: Array<Question>, problems: Array<string>): Matching => {
  const models = new Map<string, string>()
  const fields = new Map<string, Map<string, string>>()
  const removed = keys(from.models).filter((m) => to.models[m] === undefined)
  const added = keys(to.models).filter((m) => from.models[m] === undefined)
  for (const m of keys(from.models)) if (to.models[m] !== undefined) models.set(m, m)
  const renames = options.renames ?? []
  const drops = new Set(options.drops ?? [])
  const usedDrops = new Set<string>()
  const taken = new Set<string>()
  for (const r of renames) {
    if (r._tag !== "ModelRename") continue
    const what = `--rename ${r.from}=${r.to}`
    const a = from.models[r.from]
    const b = to.models[r.to]
    if (a === undefined) problems.push(`${what}: there is no model ${r.from} in the migrations`)
    else if (!removed.includes(r.from)) problems.push(`${what}: ${r.from} is still among the models`)
    else if (b === undefined) problems.push(`${what}: there is no model ${r.to} among the models`)
    else if (!added.includes(r.to)) problems.push(`${what}: ${r.to} exists in the migrations already`)
    else if (models.has(r.from) || taken.has(r.to)) problems.push(`${what}: ${r.from} or ${r.to} is in another rename`)
    else if ((a.autoCreated === true) !== (b.autoCreated === true)) problems.push(`${what}: one is a many-to-many join table, the other a model`)
    else {
      models.set(r.from, r.to)
      taken.add(r.to)
    }
  }
  // The join tables of a renamed model's many-to-many fields follow it (`Writer_books` to `Author_books`).
  for (const r of removed) {
    const model = from.models[r]!
    const target = models.get(owner(model) ?? "")
    if (model.autoCreated !== true || models.has(r) || target === undefined) continue
    const name = `${target}${r.slice(owner(model)!.length)}`
    if (added.includes(name) && !taken.has(name) && to.models[name]!.autoCreated === true) {
      models.set(r, name)
      taken.add(name)
    }
  }
  const dropped = (name: string) => {
    if (drops.has(name)) usedDrops.add(name)
    return drops.has(name)
  }
  const asked = new Set<string>()
  // Models first: a join table is not asked about while its model is.
  for (const r of [...removed].sort((a, b) => Number(from.models[a]!.autoCreated === true) - Number(from.models[b]!.autoCreated === true))) {
    const model = from.models[r]!
    if (models.has(r) || dropped(r)) continue
    // A join table goes with its model: no question of its own while its model is asked about or dropped.
    const own = owner(model)
    if (model.autoCreated === true && own !== undefined && (asked.has(own) || drops.has(own))) continue
    const candidates = added.filter((a) => !taken.has(a) && shape(to.models[a]!) === shape(model))
    if (candidates.length === 0) continue
    asked.add(r)
    questions.push({
      removed: r,
      added: candidates,
      message: `${r} was removed and ${candidates.join(", ")} added${model.autoCreated === true ? " (join tables of many-to-many fields)" : ""}: a rename? Answer ${
        candidates.map((c) => `--rename ${r}=${c}`).join(" or ")
      }, or --drop ${r}`
    })
  }
  for (const [f, t] of models) {
    const a = from.models[f]!
    const b = to.models[t]!
    const renamed = new Map<string, string>()
    fields.set(t, renamed)
    const gone = keys(a.fields).filter((k) => b.fields[k] === undefined)
    const fresh = keys(b.fields).filter((k) => a.fields[k] === undefined)
    if (a.autoCreated === true && b.autoCreated === true) {
      // Join tables' keys are named after the models: pair them by position.
      const before = keys(a.fields).filter((k) => !a.fields[k]!.primaryKey)
      const after = keys(b.fields).filter((k) => !b.fields[k]!.primaryKey)
      before.forEach((k, i) => {
        if (gone.includes(k) && after[i] !== undefined && fresh.includes(after[i]!)) renamed.set(k, after[i]!)
      })
    }
    for (const r of renames) {
      if (r._tag !== "FieldRename" || (r.model !== f && r.model !== t)) continue
      const what = `--rename ${r.model}.${r.from}=${r.to}`
      const old = resolveField(a, r.from)
      const next = resolveField(b, r.to)
      if (old === undefined) problems.push(`${what}: ${f} has no field ${r.from} in the migrations`)
      else if (!gone.includes(old)) problems.push(`${what}: ${t}.${r.from} is still among the model's fields`)
      else if (next === undefined) problems.push(`${what}: ${t} has no field ${r.to}`)
      else if (!fresh.includes(next)) problems.push(`${what}: ${t}.${r.to} exists in the migrations already`)
      else if (renamed.has(old) || [...renamed.values()].includes(next)) problems.push(`${what}: ${r.from} or ${r.to} is in another rename`)
      else renamed.set(old, next)
    }
    for (const k of gone) {
      if (renamed.has(k) || dropped(`${t}.${shown(a, k)}`) || dropped(`${f}.${shown(a, k)}`) || dropped(`${t}.${k}`) || dropped(`${f}.${k}`)) {
        continue
      }
      const candidates = fresh.filter((c) => ![...renamed.values()].includes(c) && compatible(a.fields[k]!, b.fields[c]!))
      if (candidates.length === 0) continue
      const name = `${t}.${shown(a, k)}`
      questions.push({
        removed: name,
        added: candidates.map((c) => `${t}.${shown(b, c)}`),
        message: `${name} was removed and ${candidates.map((c) => `${t}.${shown(b, c)}`).join(", ")} added: a rename? Answer ${
          candidates.map((c) => `--rename ${name}=${shown(b, c)}`).join(" or ")
        }, or --drop ${name}`
      })
    }
  }
  for (const r of renames) {
    if (r._tag === "FieldRename" && ![...models].some(([f, t]) => r.model === f || r.model === t)) {
      problems.push(`--rename ${r.model}.${r.from}=${r.to}: there is no model ${r.model} in both the migrations and the models`)
    }
  }
  for (const d of drops) if (!usedDrops.has(d)) problems.push(`--drop ${d}: no such model or field was removed`)
  return { models, fields }
}

// ---- generating the operations ----

const sameIndex = (a: IndexState, b: IndexState) => same(a, b)
const sameConstraint = (a: ConstraintState, b: ConstraintState) => same(a, b)

/** Whether an index or constraint uses `column`. */
const uses = (item: IndexState | ConstraintState, column: string) =>
  "kind" in item
    ? item.kind === "unique" ? item.columns.includes(column) : item.sql.includes(`"${column.replace(/"/g, "\"\"")}"`)
    : indexUses(item, column)

/** References from `model` to the models of `among`, other than itself. */
const refsTo = (model: ModelState, among: ReadonlySet<string>) =>
  keys(model.fields).filter((k) => {
    const target = model.fields[k]!.references?.model
    return target !== undefined && target !== model.name && among.has(target)
  })

/**
 * Orders `names` so each comes after those it depends on (`deps`), keeping the given order otherwise; where they form
 * a cycle, `cut` is told which of a model's dependencies it goes before, and breaks those edges.
 */
const order = (
  names: ReadonlyArray<string>,
  deps: (name: string) => Iterable<string>,
  cut: (name: string, before: ReadonlySet<string>) => void
): ReadonlyArray<string> => {
  const waiting = new Map(names.map((n) => [n, new Set<string>()]))
  const dependents = new Map(names.map((n) => [n, [] as Array<string>]))
  for (const n of names) {
    for (const d of deps(n)) {
      if (d === n || !waiting.has(d)) continue
      waiting.get(n)!.add(d)
      dependents.get(d)!.push(n)
    }
  }
  const left = new Set(names)
  const result: Array<string> = []
  while (left.size > 0) {
    let next = names.find((n) => left.has(n) && waiting.get(n)!.size === 0)
    if (next === undefined) {
      next = names.find((n) => left.has(n))!
      cut(next, waiting.get(next)!)
    }
    left.delete(next)
    result.push(next)
    for (const d of dependents.get(next)!) waiting.get(d)!.delete(next)
  }
  return result
}

const generate = (from: SchemaState, to: SchemaState, matching: Matching, options: DetectOptions): ReadonlyArray<Operation> => {
  const safe = options.safe === true
  const renames: Array<Operation> = []
  for (const [f, t] of matching.models) {
    if (f !== t) renames.push({ _tag: "RenameModel", from: f, to: t, table: to.models[t]!.table })
    else if (from.models[f]!.table !== to.models[t]!.table) renames.push({ _tag: "AlterModelTable", name: t, table: to.models[t]!.table })
  }
  for (const [t, fields] of matching.fields) {
    for (const [a, b] of fields) renames.push({ _tag: "RenameField", model: t, from: a, to: b, column: to.models[t]!.fields[b]!.column })
  }
  const current = renames.reduce(apply, from)
  const removeIndexes: Array<Operation> = []
  const creates: Array<Operation> = []
  const fieldOps: Array<Operation> = []
  const deferred: Array<Operation> = []
  const unlinks: Array<Operation> = []
  const deletes: Array<Operation> = []
  const additions: Array<Operation> = []
  for (const [name, target] of Object.entries(to.models)) {
    const model = current.models[name]
    if (model === undefined) continue
    for (const index of model.indexes) {
      const next = target.indexes.find((i) => i.name === index.name)
      if (next === undefined || !sameIndex(index, next)) removeIndexes.push({ _tag: "RemoveIndex", model: name, name: index.name })
    }
    for (const constraint of model.constraints) {
      const next = target.constraints.find((c) => c.name === constraint.name)
      if (next === undefined || !sameConstraint(constraint, next)) removeIndexes.push({ _tag: "RemoveConstraint", model: name, name: constraint.name })
    }
    for (const key of keys(model.fields)) if (target.fields[key] === undefined) fieldOps.push({ _tag: "RemoveField", model: name, name: key })
    for (const key of keys(model.fields)) {
      const field = target.fields[key]
      if (field !== undefined && !same(model.fields[key], field)) fieldOps.push({ _tag: "AlterField", model: name, name: key, field })
    }
    for (const key of keys(target.fields)) {
      if (model.fields[key] === undefined) fieldOps.push({ _tag: "AddField", model: name, name: key, field: target.fields[key]! })
    }
    for (const index of target.indexes) {
      if (!model.indexes.some((i) => sameIndex(i, index))) {
        additions.push({ _tag: "AddIndex", model: name, index, ...(safe ? { concurrently: true } : {}) })
      }
    }
    for (const constraint of target.constraints) {
      if (!model.constraints.some((c) => sameConstraint(c, constraint))) {
        additions.push({ _tag: "AddConstraint", model: name, constraint, ...(safe && constraint.kind === "check" ? { notValid: true } : {}) })
      }
    }
  }
  // New models, referenced ones first; a cycle is created without the foreign key that closes it, added after.
  const created = keys(to.models).filter((m) => current.models[m] === undefined)
  const cuts = new Map<string, ReadonlyArray<string>>()
  const createOrder = order(
    created,
    (n) => refsTo(to.models[n]!, new Set(created)).map((k) => to.models[n]!.fields[k]!.references!.model),
    (n, before) => cuts.set(n, keys(to.models[n]!.fields).filter((k) => before.has(to.models[n]!.fields[k]!.references?.model ?? "")))
  )
  for (const name of createOrder) {
    const model = to.models[name]!
    const cut = cuts.get(name) ?? []
    const columns = cut.map((k) => model.fields[k]!.column)
    const later = (item: IndexState | ConstraintState) => columns.some((c) => uses(item, c))
    creates.push({
      _tag: "CreateModel",
      model: {
        ...model,
        fields: Object.fromEntries(Object.entries(model.fields).filter(([k]) => !cut.includes(k))),
        indexes: model.indexes.filter((i) => !later(i)),
        constraints: model.constraints.filter((c) => !later(c))
      }
    })
    for (const k of cut) deferred.push({ _tag: "AddField", model: name, name: k, field: model.fields[k]! })
    for (const index of model.indexes.filter(later)) additions.push({ _tag: "AddIndex", model: name, index })
    for (const constraint of model.constraints.filter(later)) additions.push({ _tag: "AddConstraint", model: name, constraint })
  }
  // Removed models, referencing ones (join tables) first; a cycle is broken by dropping one foreign key first.
  const removed = keys(current.models).filter((m) => to.models[m] === undefined)
  const removedSet = new Set(removed)
  const referrers = new Map(removed.map((n) => [n, new Set<string>()]))
  for (const m of removed) {
    for (const k of refsTo(current.models[m]!, removedSet)) referrers.get(current.models[m]!.fields[k]!.references!.model)!.add(m)
  }
  const deleteOrder = order(removed, (n) => referrers.get(n)!, (n, before) => {
    for (const m of before) {
      const model = current.models[m]!
      for (const k of refsTo(model, new Set([n]))) {
        const { references: _, ...field } = model.fields[k]!
        unlinks.push({ _tag: "AlterField", model: m, name: k, field })
      }
    }
  })
  for (const name of deleteOrder) deletes.push({ _tag: "DeleteModel", name })
  // Indexes and constraints go before renames where they can (a check's SQL names the columns as they were, so its
  // inverse must run before the rename's inverse), after them where they have a name the rename gives them.
  return [...removeIndexes, ...renames, ...creates, ...fieldOps, ...deferred, ...unlinks, ...deletes, ...additions]
}

// ---- ordering, and the self-check ----

const fieldTags = new Set(["AddField", "RemoveField", "AlterField", "RenameField"])

/** Whether `op` may run now, beyond what `apply` checks: indexes and constraints wait for their model's fields. */
const ready = (op: Operation, state: SchemaState, left: ReadonlyArray<Operation>): boolean => {
  switch (op._tag) {
    case "AddIndex":
    case "AddConstraint":
      return !left.some((p) => p !== op && fieldTags.has(p._tag) && (p as { readonly model: string }).model === op.model)
    case "RenameModel":
    case "AlterModelTable": {
      const self = op._tag === "RenameModel" ? op.from : op.name
      return !Object.values(state.models).some((m) => m.name !== self && m.table === op.table)
    }
    default:
      return true
  }
}

/**
 * Orders the operations: each in turn the first of those left (in the order given) that `apply` accepts and whose
 * prerequisites ran. Operations that never become possible are reported.
 */
const schedule = (from: SchemaState, ops: ReadonlyArray<Operation>, problems: Array<string>): ReadonlyArray<Operation> => {
  const left = [...ops]
  const result: Array<Operation> = []
  const why = new Map<Operation, string>()
  let state = from
  while (left.length > 0) {
    const i = left.findIndex((op) => {
      if (!ready(op, state, left)) return false
      try {
        state = apply(state, op)
        return true
      } catch (e) {
        if (!(e instanceof StateError)) throw e
        why.set(op, e.message)
        return false
      }
    })
    if (i < 0) {
      problems.push(
        `the autodetector could not order these operations (a bug, or a change to write by hand):\n${
          left.map((op) => `  ${describe(op)}${why.has(op) ? `: ${why.get(op)}` : ""}`).join("\n")
        }`
      )
      return result
    }
    result.push(...left.splice(i, 1))
  }
  return result
}

/** Where two JSON values differ: up to `max` paths with both sides. */
const differences = (a: unknown, b: unknown, path = "", out: Array<string> = [], max = 5): Array<string> => {
  if (out.length >= max || canonical(a) === canonical(b)) return out
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of [...new Set([...keys(a), ...keys(b)])].sort()) {
      differences((a as any)[k], (b as any)[k], path === "" ? k : `${path}.${k}`, out, max)
    }
  } else out.push(`${path}: ${canonical(a) ?? "(none)"} instead of ${canonical(b) ?? "(none)"}`)
  return out
}

/**
 * Checks operations against the states: applied in order to `from` they must give `to` (indexes and constraints in
 * any order), and each must have its SQL. With `safe`, AddField and AlterField on tables that the operations do
 * not create take the safe form where it changes their SQL. Returns the operations, or what is wrong.
 * @internal
 */
export const verify = (
  from: SchemaState,
  to: SchemaState,
  ops: ReadonlyArray<Operation>,
  options: { readonly safe?: boolean | undefined } = {}
): Result.Result<ReadonlyArray<Operation>, DetectError> => {
  const problems: Array<string> = []
  const result: Array<Operation> = []
  const created = new Set(ops.flatMap((op) => (op._tag === "CreateModel" ? [op.model.name] : [])))
  let state = from
  for (const op of ops) {
    const before = state
    let next: Operation = op
    try {
      state = apply(state, op)
      if (options.safe === true && (op._tag === "AddField" || op._tag === "AlterField") && !created.has(op.model)) {
        const safe = { ...op, safe: true }
        if (canonical(forwardSql(safe, before, state)) !== canonical(forwardSql(op, before, state))) next = safe
      }
      forwardSql(next, before, state)
    } catch (e) {
      problems.push(`${describe(op)}: ${e instanceof Error ? e.message : String(e)}`)
    }
    result.push(next)
  }
  if (problems.length === 0 && !sameSchema(state, to)) {
    problems.push(`the autodetector's operations do not lead to the models' schema (a bug in the autodetector):\n  ${
      differences(byName(state), byName(to)).join("\n  ")
    }`)
  }
  return problems.length > 0 ? Result.fail(new DetectError({ questions: [], problems })) : Result.succeed(result)
}

/**
 * The operations that turn `from` (the state the migrations build) into `to` (the models' state), in an order
 * `apply` accepts; or the questions to answer and the problems found.
 * @internal
 */
export const detect = (
  from: SchemaState,
  to: SchemaState,
  options: DetectOptions = {}
): Result.Result<ReadonlyArray<Operation>, DetectError> => {
  const questions: Array<Question> = []
  const problems: Array<string> = []
  const matching = match(from, to, options, questions, problems)
  if (questions.length > 0 || problems.length > 0) return Result.fail(new DetectError({ questions, problems }))
  let ops: ReadonlyArray<Operation> = []
  try {
    ops = schedule(from, generate(from, to, matching, options), problems)
  } catch (e) {
    problems.push(`the autodetector failed (a bug in the autodetector): ${e instanceof Error ? e.message : String(e)}`)
  }
  if (problems.length > 0) return Result.fail(new DetectError({ questions, problems }))
  return verify(from, to, ops, { safe: options.safe })
}

// ---- output ----

/** One line per operation, for makemigrations' output. @internal */
export const summarize = (ops: ReadonlyArray<Operation>): string => ops.map((op) => `  - ${describe(op)}`).join("\n")

const part = (s: string) => snakeCase(s).replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "")

/** A fragment of a migration name for one operation (Django's `migration_name_fragment`). */
const fragment = (op: Operation): string | undefined => {
  switch (op._tag) {
    case "CreateModel":
      return part(op.model.name)
    case "DeleteModel":
      return `delete_${part(op.name)}`
    case "RenameModel":
      return `rename_${part(op.from)}_${part(op.to)}`
    case "AlterModelTable":
      return `alter_${part(op.name)}_table`
    case "AddField":
      return `${part(op.model)}_${part(op.field.references?.relation ?? op.name)}`
    case "RemoveField":
      return `remove_${part(op.model)}_${part(op.name)}`
    case "AlterField":
      return `alter_${part(op.model)}_${part(op.field.references?.relation ?? op.name)}`
    case "RenameField":
      return `rename_${part(op.from)}_${part(op.model)}_${part(op.to)}`
    case "AddIndex":
      return `${part(op.model)}_${part(op.index.name)}`
    case "RemoveIndex":
      return `remove_${part(op.model)}_${part(op.name)}`
    case "AddConstraint":
      return `${part(op.model)}_${part(op.constraint.name)}`
    case "RemoveConstraint":
      return `remove_${part(op.model)}_${part(op.name)}`
    case "RunSql":
    case "RunEffect":
      return undefined
  }
}

/**
 * A default name for a migration of `ops` (without its number): `initial` for the first migration, a name from the
 * operations when they are few (`book_pages` for one AddField), `auto` otherwise.
 * @internal
 */
export const suggestName = (ops: ReadonlyArray<Operation>, options: { readonly initial?: boolean } = {}): string => {
  if (options.initial === true) return "initial"
  // A new model's join tables are part of it.
  const created = new Set(ops.flatMap((op) => (op._tag === "CreateModel" ? [op.model.name] : [])))
  const parts = ops.filter((op) => !(op._tag === "CreateModel" && op.model.autoCreated === true && created.has(owner(op.model) ?? ""))).map(fragment)
  if (parts.length === 0 || parts.some((p) => p === undefined || p === "")) return "auto"
  const name = parts.join("_")
  return name.length <= 52 ? name : "auto"
}
