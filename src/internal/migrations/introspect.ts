/**
 * Introspection (`inspectdb`): the schema state of an existing PostgreSQL schema, read from `pg_catalog`, so that
 * `modelCode` can write models for it. For tables the ORM created, the state equals `State.fromModels` of the models
 * they came from, except for what PostgreSQL does not store:
 *
 * - `onDelete`: the ORM enforces it itself and creates foreign keys without `ON DELETE`. A foreign key's `ON DELETE`
 *   action is read when it has one (`CASCADE`, `RESTRICT`, `SET NULL`, `SET DEFAULT`); `NO ACTION` gives
 *   `DO_NOTHING`, as Django's inspectdb writes (the constraint still refuses a delete that would leave a dangling
 *   key). The join tables of automatic many-to-many fields get `CASCADE`, as the ORM declares them.
 * - `relatedName`: not set, except where two relations of one model reach the same target, whose default reverse
 *   names would clash: `<model><Relation>Set` (a one-to-one: `<model><Relation>`).
 * - a `NULL` default (PostgreSQL stores no default for `DEFAULT NULL`), a `Version` field (an integer defaulting to 0),
 *   a default given as a function, and many-to-many fields through an explicit model (that model is read as it is).
 * - names: a model is named after its table (`book_author` → `BookAuthor`), a field after its column (`num_awards` →
 *   `numAwards`, a foreign key `publisher_id` → `publisher`); `table` and `dbColumn` carry other names.
 * - a `range` check: PostgreSQL stores `BETWEEN` as `>=` and `<=`, and that is what is read back.
 *
 * An automatic join table is recognized by the shape and names the ORM gives it (`<table>_<field>`, an `id` key, key
 * columns named after the two models, unique together as `<join table>_uniq`), so only when its source model is named
 * after its table; any other join table is read as a model with two foreign keys. A foreign key's `ON DELETE` action
 * and whether it is deferrable stay in the database as they are, but the ORM's DDL would create it without the action
 * and deferrable.
 *
 * What the ORM cannot represent is read loosely and reported in `warnings`, never as a failure: an unknown column
 * type becomes a `Text` field, a table without a single-column primary key is skipped, a composite foreign key stays a
 * plain column, exclusion constraints and indexes the model cannot declare (INCLUDE, other methods, descending
 * expressions) are left out, and check constraints the filters cannot express, like index expressions and conditions
 * the ORM's functions and filters cannot write (`introspectIndexes.ts`), are kept in the state with PostgreSQL's SQL.
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as SqlError from "effect/sql/SqlError"
import type { DataError } from "../../Errors.js"
import type * as Field from "../../Field.js"
import type * as Relation from "../../Relation.js"
import * as Executor from "../executor.js"
import { derivedName, lowerFirst, snakeCase } from "../names.js"
import type { Db } from "../service.js"
import * as History from "./history.js"
import { checkFilter, choicesOf } from "./introspectChecks.js"
import { readIndex } from "./introspectIndexes.js"
import { checkBody, defaultLiteral, type TypeFacts, typeFacts } from "./introspectSql.js"
import { columnNames } from "./names.js"
import * as State from "./state.js"

/** Something read loosely or left out, with the table (and column or constraint) it concerns. @internal */
export interface Warning {
  readonly table: string
  readonly column?: string | undefined
  /** The constraint it concerns, when that constraint is kept in the state (a check kept as SQL). */
  readonly constraint?: string | undefined
  readonly message: string
}

/** What `introspect` read. @internal */
export interface Introspected {
  readonly state: State.SchemaState
  readonly warnings: ReadonlyArray<Warning>
}

/** Options of `introspect`. @internal */
export interface Options {
  /** The schema to read; `public` by default. */
  readonly schema?: string | undefined
  /** Tables to leave out (besides `effect_orm_migrations`, always left out). */
  readonly exclude?: ReadonlyArray<string> | undefined
}

/** The table of applied migrations, never introspected. @internal */
export const MIGRATIONS_TABLE: string = History.TABLE

// ---- the catalog ----

const TABLES = `SELECT c.oid::text AS oid, c.relname::text AS name
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname`

const COLUMNS = `SELECT a.attrelid::text AS rel, a.attnum::int4 AS num, a.attname::text AS name,
  pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notNull",
  a.attidentity::text AS identity, a.attgenerated::text AS generated,
  pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS "default",
  CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END AS "domainBase",
  CASE WHEN t.typtype = 'e' THEN (SELECT array_to_json(array_agg(e.enumlabel::text ORDER BY e.enumsortorder))::text
    FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) END AS "enumLabels"
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`

const CONSTRAINTS = `SELECT k.conrelid::text AS rel, k.conname::text AS name, k.contype::text AS type,
  array_to_json(k.conkey)::text AS columns, k.confrelid::text AS "targetRel", array_to_json(k.confkey)::text AS "targetColumns",
  k.confdeltype::text AS "onDelete", k.condeferrable AS deferrable, k.convalidated AS validated,
  pg_catalog.pg_get_constraintdef(k.oid) AS def
FROM pg_catalog.pg_constraint k
JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND k.contype IN ('p', 'u', 'c', 'f', 'x')
ORDER BY k.conrelid, k.conname`

const INDEXES = `SELECT i.indrelid::text AS rel, ic.relname::text AS name, i.indisunique AS "unique",
  array_to_json(i.indkey::int2[])::text AS columns, array_to_json(i.indoption::int2[])::text AS options,
  i.indnatts::int4 AS "allColumns", i.indnkeyatts::int4 AS "keyColumns",
  i.indpred IS NOT NULL AS partial, i.indexprs IS NOT NULL AS expressions, am.amname::text AS method,
  (SELECT json_agg(CASE WHEN oc.opcdefault THEN NULL ELSE oc.opcname::text END ORDER BY k.n)
    FROM unnest(i.indclass::oid[]) WITH ORDINALITY AS k(oid, n) JOIN pg_catalog.pg_opclass oc ON oc.oid = k.oid)::text AS opclasses,
  pg_catalog.pg_get_indexdef(i.indexrelid) AS def,
  (SELECT json_agg(pg_catalog.pg_get_indexdef(i.indexrelid, k, false) ORDER BY k)
    FROM generate_series(1, i.indnkeyatts::int4) AS k)::text AS "keyDefs",
  pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate,
  EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')) AS "backsConstraint"
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
WHERE n.nspname = $1
ORDER BY i.indrelid, ic.relname`

interface ColumnRow {
  readonly rel: string
  readonly num: number
  readonly name: string
  readonly type: string
  readonly notNull: boolean
  readonly identity: string
  readonly generated: string
  readonly default: string | null
  /** The base type of a domain. */
  readonly domainBase: string | null
  /** The labels of an enum, as JSON. */
  readonly enumLabels: string | null
}

interface ConstraintRow {
  readonly rel: string
  readonly name: string
  readonly type: string
  readonly columns: string | null
  readonly targetRel: string
  readonly targetColumns: string | null
  readonly onDelete: string
  readonly deferrable: boolean
  readonly validated: boolean
  readonly def: string
}

interface IndexRow {
  readonly rel: string
  readonly name: string
  readonly unique: boolean
  readonly columns: string
  readonly options: string
  readonly allColumns: number
  readonly keyColumns: number
  readonly partial: boolean
  readonly expressions: boolean
  readonly method: string
  /** The operator class of each column, null where it is the type's default (JSON). */
  readonly opclasses: string | null
  readonly def: string
  /** Each key column's definition (a column's name, or an expression), as JSON. */
  readonly keyDefs: string | null
  /** A partial index's condition. */
  readonly predicate: string | null
  readonly backsConstraint: boolean
}

const indexMethods: ReadonlyArray<string> = ["btree", "gin", "gist", "hash", "brin"]

const numbers = (json: string | null): ReadonlyArray<number> => json === null ? [] : JSON.parse(json) as Array<number>

// ---- names ----

const RESERVED = new Set(["Field", "Model", "Q", "F", "BigDecimal", "DateTime", "Duration", "Schema", "Object", "Function", "Symbol"])

/** `book_author` → `BookAuthor`: a class name, made unique among `taken`. @internal */
export const modelName = (table: string, taken: Set<string>): string => {
  let name = table.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0).map((w) => w[0]!.toUpperCase() + w.slice(1)).join("")
  if (name === "") name = "Table"
  if (/^[0-9]/.test(name)) name = `T${name}`
  if (RESERVED.has(name)) name = `${name}Table`
  let unique = name
  for (let i = 2; taken.has(unique); i++) unique = `${name}${i}`
  taken.add(unique)
  return unique
}

/** `num_awards` → `numAwards`; a column that is not lower snake case keeps its name. @internal */
export const fieldName = (column: string): string =>
  /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(column) ? column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : column.replace(/\./g, "_")

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

// ---- reading ----

interface Table {
  readonly oid: string
  readonly table: string
  readonly name: string
  readonly columns: ReadonlyArray<ColumnRow>
  readonly constraints: ReadonlyArray<ConstraintRow>
  readonly indexes: ReadonlyArray<IndexRow>
  readonly pk: ColumnRow
  /** Field names by column. */
  readonly keys: Map<string, string>
}

/** The field a column maps to: by its type, a domain's base type, or Text for an enum. */
const columnFacts = (column: ColumnRow): TypeFacts => {
  if (column.domainBase !== null) {
    const base = typeFacts(column.domainBase)
    return {
      ...base,
      loose: `the domain ${column.type} over ${column.domainBase}, read as ${base.kind}${base.loose === undefined ? "" : ` (${base.loose})`}; its checks are not kept`
    }
  }
  if (column.enumLabels !== null) {
    const labels = (JSON.parse(column.enumLabels) as Array<string> | null) ?? []
    return { kind: "Text", loose: `the enum ${column.type} (${labels.map((l) => JSON.stringify(l)).join(", ")}), read as Text` }
  }
  return typeFacts(column.type)
}

const ON_DELETE: Record<string, Relation.OnDelete> = { c: "CASCADE", r: "RESTRICT", n: "SET_NULL", d: "SET_DEFAULT" }

const groupBy = <A extends { readonly rel: string }>(rows: ReadonlyArray<A>): Map<string, Array<A>> => {
  const map = new Map<string, Array<A>>()
  for (const row of rows) {
    const list = map.get(row.rel)
    if (list === undefined) map.set(row.rel, [row])
    else list.push(row)
  }
  return map
}

/**
 * Reads the tables of a PostgreSQL schema (`public` by default) into a schema state, one model per table, with the
 * warnings of what could only be read loosely or not at all. Runs on the `Db` in context (either driver), inside its
 * transaction when there is one.
 * @internal
 */
export const introspect = (options: Options = {}): Effect.Effect<Introspected, SqlError.SqlError | DataError, Db> =>
  Effect.gen(function*() {
    const schema = options.schema ?? "public"
    const read = <A>(sql: string) => Effect.map(Executor.select({ sql, params: [schema] }), (rows) => rows as ReadonlyArray<A>)
    const tableRows = yield* read<{ oid: string; name: string }>(TABLES)
    const columns = groupBy(yield* read<ColumnRow>(COLUMNS))
    const constraints = groupBy(yield* read<ConstraintRow>(CONSTRAINTS))
    const indexes = groupBy(yield* read<IndexRow>(INDEXES))
    return build(tableRows, columns, constraints, indexes, options.exclude ?? [])
  })

const build = (
  tableRows: ReadonlyArray<{ readonly oid: string; readonly name: string }>,
  columnsByRel: Map<string, Array<ColumnRow>>,
  constraintsByRel: Map<string, Array<ConstraintRow>>,
  indexesByRel: Map<string, Array<IndexRow>>,
  exclude: ReadonlyArray<string>
): Introspected => {
  const warnings: Array<Warning> = []
  const warn = (table: string, message: string, column?: string, constraint?: string) =>
    warnings.push(State.compact({ table, column, constraint, message }))
  const taken = new Set<string>()
  const tables = new Map<string, Table>()
  for (const { name: table, oid } of tableRows) {
    if (table === MIGRATIONS_TABLE || exclude.includes(table)) continue
    const columns = columnsByRel.get(oid) ?? []
    const cons = constraintsByRel.get(oid) ?? []
    const pks = cons.filter((c) => c.type === "p")
    const pkNums = pks.length === 1 ? numbers(pks[0]!.columns) : []
    if (pkNums.length !== 1) {
      warn(table, pkNums.length === 0
        ? "the table has no primary key; skipped (a model needs exactly one primary key field)"
        : "the table has a composite primary key; skipped (a model needs exactly one primary key field)")
      continue
    }
    const keys = new Map<string, string>()
    const used = new Set<string>()
    for (const column of columns) {
      let key = fieldName(column.name)
      if (key === "pk" && column.num !== pkNums[0]) key = "pkField"
      let unique = key
      for (let i = 2; used.has(unique); i++) unique = `${key}${i}`
      used.add(unique)
      keys.set(column.name, unique)
    }
    tables.set(oid, {
      oid,
      table,
      name: modelName(table, taken),
      columns,
      constraints: cons,
      indexes: indexesByRel.get(oid) ?? [],
      pk: columns.find((c) => c.num === pkNums[0])!,
      keys
    })
  }

  const pkFacts = (t: Table) => {
    const facts = columnFacts(t.pk)
    const auto = t.pk.identity !== "" || (t.pk.default ?? "").startsWith("nextval(")
    return { facts, auto: auto && (facts.kind === "Integer" || facts.kind === "BigInteger") }
  }

  const models: Record<string, State.ModelState> = {}
  const pendingChecks = new Map<string, Array<ConstraintRow>>()
  const pendingIndexes = new Map<string, Array<Parameters<typeof readIndex>[1]>>()
  for (const t of tables.values()) {
    const byNum = new Map(t.columns.map((c) => [c.num, c]))
    const fields: Record<string, Record<string, unknown>> = {}
    for (const column of t.columns) {
      const facts = columnFacts(column)
      if (facts.loose !== undefined) warn(t.table, facts.loose, column.name)
      const key = t.keys.get(column.name)!
      const isPk = column === t.pk
      let kind = facts.kind
      if (isPk && pkFacts(t).auto) {
        kind = facts.kind === "Integer" ? "AutoField" : "BigAutoField"
        if (column.identity === "a") warn(t.table, "GENERATED ALWAYS AS IDENTITY; the ORM declares GENERATED BY DEFAULT", column.name)
        if (column.identity === "") warn(t.table, "a serial key (a sequence default); the ORM declares an identity column", column.name)
      } else if (column.identity !== "") {
        warn(t.table, "an identity column that is not the primary key; read as a plain column", column.name)
      }
      if (column.generated !== "") warn(t.table, `a generated column (${column.default}); read as a plain column`, column.name)
      let dflt: string | undefined
      if (column.default !== null && !(isPk && kind !== facts.kind) && column.generated === "" && column.identity === "") {
        dflt = defaultLiteral(column.default, kind)
        if (dflt === undefined) warn(t.table, `the default ${column.default} is not a value; not kept in the model`, column.name)
      }
      fields[key] = {
        kind,
        column: column.name,
        nullable: !column.notNull && !isPk,
        primaryKey: isPk,
        unique: false,
        index: false,
        default: dflt,
        maxLength: facts.maxLength,
        maxDigits: facts.maxDigits,
        decimalPlaces: facts.decimalPlaces
      }
    }
    const modelIndexes: Array<State.IndexState> = []
    const modelConstraints: Array<State.ConstraintState> = []
    const checks: Array<ConstraintRow> = []
    for (const c of t.constraints) {
      const cols = numbers(c.columns).map((n) => byNum.get(n)!)
      const names = cols.length === 1 ? columnNames(t.table, cols[0]!.name) : undefined
      if (c.type === "u") {
        if (c.deferrable) warn(t.table, `the unique constraint ${c.name} is deferrable; the ORM's are not`)
        if (names !== undefined && c.name === names.unique && cols[0] !== t.pk) fields[t.keys.get(cols[0]!.name)!]!.unique = true
        else modelConstraints.push({ kind: "unique", name: c.name, columns: cols.map((x) => x.name) })
      } else if (c.type === "c") {
        if (!c.validated) warn(t.table, `the check constraint ${c.name} is NOT VALID; read as a valid one`)
        const field = names === undefined ? undefined : fields[t.keys.get(cols[0]!.name)!]!
        const choices = field !== undefined && c.name === names!.check
          ? choicesOf(checkBody(c.def), cols[0]!.name, field.kind as Field.FieldKind)
          : undefined
        if (choices !== undefined) field!.choices = choices
        else checks.push(c)
      } else if (c.type === "x") {
        warn(t.table, `the exclusion constraint ${c.name} (${c.def}) cannot be expressed; left out`)
      }
    }
    const expressionIndexes: Array<Parameters<typeof readIndex>[1]> = []
    for (const index of t.indexes) {
      if (index.backsConstraint) continue
      const nums = numbers(index.columns)
      const opts = numbers(index.options)
      const opclasses = index.opclasses === null ? [] : JSON.parse(index.opclasses) as Array<string | null>
      const opclass = opclasses[0] ?? undefined
      if (
        !indexMethods.includes(index.method) || index.allColumns !== index.keyColumns ||
        opclasses.some((o) => o !== (opclass ?? null)) || (opclass !== undefined && !/^[a-z_][a-z0-9_]*$/.test(opclass)) ||
        (index.expressions && opts.some((o) => o !== 0))
      ) {
        warn(t.table, `the index ${index.name} (${index.def}) cannot be expressed (INCLUDE, a method other than ${indexMethods.join(", ")}, operator classes that differ by column, or an expression in descending order); left out`)
        continue
      }
      const using = index.method === "btree" ? undefined : index.method as State.IndexState["using"]
      if (opts.some((o) => ((o & 1) << 1) !== (o & 2))) warn(t.table, `the index ${index.name} orders NULLs unlike PostgreSQL's default; read without it`)
      if (index.partial || index.expressions) {
        // Read once every field is known, as checks are (see `introspectIndexes.ts`).
        expressionIndexes.push({
          name: index.name,
          def: index.def,
          unique: index.unique,
          keyDefs: index.keyDefs === null ? [] : JSON.parse(index.keyDefs) as Array<string>,
          columns: nums.map((n, i) => n === 0 ? undefined : { column: byNum.get(n)!.name, descending: (opts[i]! & 1) === 1 }),
          predicate: index.predicate,
          using,
          opclass
        })
        continue
      }
      const cols = nums.map((n) => byNum.get(n)!)
      const field = cols.length === 1 ? fields[t.keys.get(cols[0]!.name)!]! : undefined
      if (
        field !== undefined && !index.unique && (opts[0]! & 1) === 0 && index.name === columnNames(t.table, cols[0]!.name).index &&
        !field.unique && !field.primaryKey && using === undefined && opclass === undefined
      ) field.index = true
      else {
        modelIndexes.push(State.compact({
          name: index.name,
          columns: cols.map((c, i) => ({ column: c.name, descending: (opts[i]! & 1) === 1 })),
          unique: index.unique,
          using,
          opclass
        }))
      }
    }
    models[t.oid] = {
      name: t.name,
      table: t.table,
      fields: fields as unknown as Record<string, State.FieldState>,
      indexes: modelIndexes,
      constraints: modelConstraints
    }
    // Checks, expression indexes and partial indexes are read once every field is known.
    pendingChecks.set(t.oid, checks)
    pendingIndexes.set(t.oid, expressionIndexes)
  }

  // Foreign keys: the key column of a relation to the target's primary key.
  for (const t of tables.values()) {
    const model = models[t.oid]! as State.ModelState & { fields: Record<string, any> }
    const byNum = new Map(t.columns.map((c) => [c.num, c]))
    for (const c of t.constraints.filter((x) => x.type === "f")) {
      const cols = numbers(c.columns).map((n) => byNum.get(n)!)
      const target = tables.get(c.targetRel)
      if (cols.length !== 1) {
        warn(t.table, `the composite foreign key ${c.name} cannot be expressed; its columns stay plain`)
        continue
      }
      const column = cols[0]!
      if (target === undefined) {
        warn(t.table, `the foreign key ${c.name} references a table outside the models (another schema, excluded or skipped); the column stays plain`, column.name)
        continue
      }
      if (numbers(c.targetColumns)[0] !== target.pk.num) {
        warn(t.table, `the foreign key ${c.name} references a column other than ${target.table}'s primary key; the column stays plain`, column.name)
        continue
      }
      if (column === t.pk) {
        warn(t.table, `the primary key is also the foreign key ${c.name}; read as a plain primary key`, column.name)
        continue
      }
      const oldKey = t.keys.get(column.name)!
      const field = model.fields[oldKey]
      if (field.references !== undefined) continue
      const base = oldKey.endsWith("Id") && oldKey.length > 2 ? oldKey.slice(0, -2) : oldKey
      const clashes = (r: string) =>
        r === "pk" || (r !== oldKey && r in model.fields) || (`${r}Id` !== oldKey && `${r}Id` in model.fields)
      let relation = base
      for (let i = 2; clashes(relation); i++) relation = `${base}Rel${i === 2 ? "" : i}`
      const targetPk = models[target.oid]!.fields[target.keys.get(target.pk.name)!]!
      const keyKind = targetPk.kind === "AutoField" ? "Integer" : targetPk.kind === "BigAutoField" ? "BigInteger" : targetPk.kind
      if (keyKind !== field.kind) warn(t.table, `the column is ${field.kind} but references a ${targetPk.kind} key; read as ${keyKind}`, column.name)
      const oneToOne = field.unique === true
      let onDelete: Relation.OnDelete = ON_DELETE[c.onDelete] ?? "DO_NOTHING"
      if (onDelete === "SET_NULL" && !field.nullable) {
        warn(t.table, `${c.name} is ON DELETE SET NULL on a NOT NULL column; read as DO_NOTHING`, column.name)
        onDelete = "DO_NOTHING"
      }
      if (onDelete === "SET_DEFAULT" && field.default === undefined) {
        warn(t.table, `${c.name} is ON DELETE SET DEFAULT on a column without a default; read as DO_NOTHING`, column.name)
        onDelete = "DO_NOTHING"
      }
      if (!oneToOne && !field.index) {
        warn(t.table, `the foreign key column has no index named ${columnNames(t.table, column.name).index}; the ORM indexes every foreign key, so the model has one`, column.name)
      }
      delete model.fields[oldKey]
      model.fields[`${relation}Id`] = State.compact({
        ...field,
        kind: keyKind,
        maxLength: targetPk.maxLength,
        maxDigits: targetPk.maxDigits,
        decimalPlaces: targetPk.decimalPlaces,
        choices: undefined,
        index: !oneToOne,
        references: { model: target.name, relation, kind: oneToOne ? "OneToOne" : "ForeignKey", onDelete }
      })
      t.keys.set(column.name, `${relation}Id`)
    }
  }

  // Checks, once the fields are known (a check that filters cannot express keeps PostgreSQL's SQL); so are the
  // expressions and conditions of indexes (in the catalog's order, by name).
  for (const t of tables.values()) {
    const model = models[t.oid]! as State.ModelState & { constraints: Array<State.ConstraintState>; indexes: Array<State.IndexState> }
    for (const row of pendingIndexes.get(t.oid) ?? []) {
      const read = readIndex(model, row)
      read.warnings.forEach((w) => warn(t.table, w))
      model.indexes.push(read.index)
    }
    model.indexes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const c of pendingChecks.get(t.oid) ?? []) {
      const body = checkBody(c.def)
      const found = checkFilter(model, body)
      if (found === undefined) warn(t.table, `the check constraint ${c.name} (${c.def}) cannot be written as a filter; kept as SQL`, undefined, c.name)
      model.constraints.push({ kind: "check", name: c.name, sql: found?.sql ?? body })
    }
  }

  const result: Record<string, State.ModelState> = {}
  for (const t of tables.values()) {
    const model = models[t.oid]!
    // In the order of the columns (foreign keys were renamed `<relation>Id`).
    const fields: Record<string, State.FieldState> = {}
    for (const column of t.columns) {
      const key = t.keys.get(column.name)!
      fields[key] = State.compact(model.fields[key]!)
    }
    result[model.name] = State.compact({ ...model, fields })
  }
  joinModels(result)
  relatedNames(result)
  return { state: { models: result }, warnings }
}

/**
 * Recognizes the join tables the ORM makes for automatic many-to-many fields (`<table>_<field>`: an `id` key, keys
 * to the two sides named after their models, indexed, unique together as `<join table>_uniq`) and renames them as the
 * ORM names their models (`<Model>_<field>`), marked `autoCreated`.
 */
const joinModels = (models: Record<string, State.ModelState>): void => {
  for (const join of Object.values(models)) {
    const entries = Object.entries(join.fields)
    if (entries.length !== 3 || join.indexes.length !== 0 || join.constraints.length !== 1) continue
    const [[idKey, id], [, source], [, target]] = entries as [[string, State.FieldState], [string, State.FieldState], [string, State.FieldState]]
    const unique = join.constraints[0]!
    if (idKey !== "id" || id.kind !== "AutoField" || id.column !== "id" || id.default !== undefined) continue
    const plain = (f: State.FieldState) =>
      f.references?.kind === "ForeignKey" && !f.nullable && f.default === undefined && f.index && !f.unique
    if (!plain(source) || !plain(target)) continue
    if (unique.kind !== "unique" || unique.name !== derivedName(`${join.table}_uniq`)) continue
    if (unique.columns.length !== 2 || unique.columns[0] !== source.column || unique.columns[1] !== target.column) continue
    const from = models[source.references!.model]!
    const to = models[target.references!.model]!
    const self = from === to
    const sourceName = self ? `from${from.name}` : lowerFirst(from.name)
    const targetName = self ? `to${to.name}` : lowerFirst(to.name)
    if (source.column !== snakeCase(`${sourceName}Id`) || target.column !== snakeCase(`${targetName}Id`)) continue
    const prefix = `${from.table}_`
    const rest = join.table.startsWith(prefix) ? join.table.slice(prefix.length) : ""
    let field = fieldName(rest)
    if (rest === "" || snakeCase(field) !== rest || derivedName(`${from.table}_${rest}`) !== join.table) field = fieldName(join.table)
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(field) || field in from.fields || `${field}Id` in from.fields) continue
    const name = `${from.name}_${field}`
    if (models[name] !== undefined) continue
    const key = (f: State.FieldState, relation: string): State.FieldState => ({
      ...f,
      references: { model: f.references!.model, relation, kind: "ForeignKey", onDelete: "CASCADE" }
    })
    delete models[join.name]
    models[name] = {
      ...join,
      name,
      fields: { id, [`${sourceName}Id`]: key(source, sourceName), [`${targetName}Id`]: key(target, targetName) },
      autoCreated: true
    }
  }
}

/** Gives distinct reverse names to relations of one model that reach the same target (their defaults would clash). */
const relatedNames = (models: Record<string, State.ModelState>): void => {
  for (const model of Object.values(models)) {
    if (model.autoCreated === true) continue
    const byTarget = new Map<string, Array<string>>()
    for (const [key, f] of Object.entries(model.fields)) {
      if (f.references === undefined) continue
      byTarget.set(f.references.model, [...(byTarget.get(f.references.model) ?? []), key])
    }
    const fields = model.fields as Record<string, State.FieldState>
    for (const keys of byTarget.values()) {
      if (keys.length < 2) continue
      for (const key of keys) {
        const ref = fields[key]!.references!
        const base = `${lowerFirst(model.name)}${capitalize(ref.relation)}`
        fields[key] = { ...fields[key]!, references: { ...ref, relatedName: ref.kind === "OneToOne" ? base : `${base}Set` } }
      }
    }
  }
}
