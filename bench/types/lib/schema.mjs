// The schema both ORMs are generated from: N models with realistic fields, foreign keys (some nullable, some in
// cycles), many-to-many fields and declared reverse sides. It is plain data, so that the effect-orm and Drizzle
// renderers describe exactly the same tables.
import { makeRandom } from "./random.mjs"

/** Model names, in declaration order; `User` is always first (the audit column points to it). */
const NAMES = [
  "User", "Country", "Region", "City", "Address", "Company", "Department", "Team", "Employee", "Customer",
  "Supplier", "Product", "Category", "Brand", "Warehouse", "Shipment", "Carrier", "Order", "OrderLine", "Invoice",
  "Payment", "Refund", "Coupon", "Review", "Tag", "Article", "Author", "Publisher", "Book", "Magazine",
  "Comment", "Attachment", "Project", "Task", "Milestone", "Sprint", "Ticket", "Label", "Release", "Repository",
  "Branch", "Build", "Deployment", "Environment", "Server", "Cluster", "Service", "Endpoint", "Subscription", "Plan",
  "Feature", "License", "Contract", "Account", "Ledger", "Transfer", "Budget", "Expense", "Report", "Dashboard",
  "Widget", "Metric", "Alert", "Incident", "Notification", "Message", "Channel", "Thread", "Venue", "Booking",
  "Room", "Hotel", "Flight", "Airport", "Airline", "Passenger", "Vehicle", "Driver", "Route", "Trip",
  "Course", "Lesson", "Student", "Teacher", "School", "Enrollment", "Grade", "Exam", "Patient", "Doctor",
  "Appointment", "Prescription", "Pharmacy", "Policy", "Claim", "Agent", "Lead", "Opportunity", "Campaign", "Survey",
  "Question", "Answer", "Folder", "Workspace", "Invitation", "Membership", "Session", "Device", "Firmware", "Sensor"
]

/**
 * Scalar fields a model may have besides `id` and `name`, with the options that make them realistic: choices,
 * defaults, nullable columns. `json` says which schema a JSON field has.
 */
const SCALAR_POOL = [
  { name: "code", kind: "Char", maxLength: 20, unique: true },
  { name: "title", kind: "Char", maxLength: 200 },
  { name: "slug", kind: "Char", maxLength: 50, nullable: true },
  { name: "status", kind: "Char", maxLength: 10, choices: ["draft", "active", "archived"], default: "draft" },
  { name: "email", kind: "Char", maxLength: 254, nullable: true },
  { name: "reference", kind: "Char", maxLength: 40 },
  { name: "description", kind: "Text" },
  { name: "notes", kind: "Text", nullable: true },
  { name: "summary", kind: "Text", default: "" },
  { name: "quantity", kind: "Integer", default: 0 },
  { name: "position", kind: "Integer" },
  { name: "priority", kind: "Integer", choices: [1, 2, 3], default: 2 },
  { name: "score", kind: "Integer", nullable: true },
  { name: "externalId", kind: "BigInteger", nullable: true },
  { name: "views", kind: "BigInteger", default: 0n },
  { name: "amount", kind: "Decimal", maxDigits: 10, decimalPlaces: 2 },
  { name: "price", kind: "Decimal", maxDigits: 8, decimalPlaces: 2, nullable: true },
  { name: "rate", kind: "Decimal", maxDigits: 5, decimalPlaces: 4, nullable: true },
  { name: "isActive", kind: "Boolean", default: true },
  { name: "archived", kind: "Boolean", default: false },
  { name: "verified", kind: "Boolean" },
  { name: "startsOn", kind: "Date" },
  { name: "dueOn", kind: "Date", nullable: true },
  { name: "createdAt", kind: "DateTime" },
  { name: "publishedAt", kind: "DateTime", nullable: true },
  { name: "metadata", kind: "JSON", json: "struct", nullable: true },
  { name: "labels", kind: "JSON", json: "array", default: "emptyArray" }
]

/** Names for a second foreign key to the same model: `backupWarehouse`, `originCity`. */
const ROLES = ["backup", "origin", "billing", "primary", "secondary", "parent"]

/** Names the audit column takes, kept free in every model. */
export const AUDIT_FIELD = "createdBy"

export const lowerFirst = (s) => s[0].toLowerCase() + s.slice(1)
export const upperFirst = (s) => s[0].toUpperCase() + s.slice(1)
export const snake = (s) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase()
export const plural = (s) =>
  /[^aeiou]y$/.test(s) ? `${s.slice(0, -1)}ies` : /(s|x|ch|sh)$/.test(s) ? `${s}es` : `${s}s`

/** A model with its primary key and `name`, and room for the rest. */
const newModel = (name, index) => ({
  name,
  index,
  varName: lowerFirst(name),
  table: snake(name),
  scalars: [{ name: "name", kind: "Char", maxLength: 100 }],
  fks: [],
  m2ms: [],
  reverses: [],
  // Every name a field, a key column (`publisherId`) or a reverse side uses, so new ones never clash.
  taken: new Set(["id", "pk", "name", AUDIT_FIELD, `${AUDIT_FIELD}Id`])
})

const take = (model, name) => {
  model.taken.add(name)
  return name
}

/** `base`, or `base` with a role or a number in front until the name is free on `model`. */
const freeName = (model, base, roles = ROLES) => {
  if (!model.taken.has(base) && !model.taken.has(`${base}Id`)) return base
  for (const role of roles) {
    const name = `${role}${upperFirst(base)}`
    if (!model.taken.has(name) && !model.taken.has(`${name}Id`)) return name
  }
  for (let i = 2; ; i++) if (!model.taken.has(`${base}${i}`)) return `${base}${i}`
}

/** 4 to 9 scalar fields besides `name`: 5 to 10 in all, of mixed kinds. */
const addScalars = (rng, model) => {
  for (const field of rng.sample(SCALAR_POOL, rng.int(4, 9))) {
    model.scalars.push({ ...field })
    take(model, field.name)
  }
}

/**
 * A foreign key from `source` to `target`. `cycle` marks a key that closes a cycle (it points to a model declared
 * later, or to its own model): both ORMs need its thunk annotated. Such keys are nullable, as a cycle of
 * non-nullable keys could never be inserted.
 */
const addForeignKey = (rng, models, source, target, { cycle = false, name } = {}) => {
  const fieldName = take(source, name ?? freeName(source, target.varName))
  take(source, `${fieldName}Id`)
  const nullable = cycle || rng.chance(0.3)
  const fk = {
    name: fieldName,
    target: target.name,
    nullable,
    onDelete: nullable ? rng.pick(["SET_NULL", "CASCADE"]) : rng.pick(["CASCADE", "PROTECT"]),
    relatedName: undefined,
    cycle
  }
  source.fks.push(fk)
  return fk
}

/** The reverse side's name on `target`: `books`, or `booksByBackupPublisher` when that is taken. */
const reverseName = (target, source, fieldName) => {
  const base = plural(source.varName)
  const name = target.taken.has(base) ? `${base}By${upperFirst(fieldName)}` : base
  return take(target, freeName(target, name, []))
}

/** Names the reverse side of `rel` (on the target) and, with probability `declare`, declares it as `Field.Reverse`. */
const nameReverse = (rng, models, source, rel, declare) => {
  const target = models.find((m) => m.name === rel.target)
  rel.relatedName = source === target && !target.taken.has("children") ? take(target, "children") : reverseName(target, source, rel.name)
  if (rng.chance(declare)) {
    target.reverses.push({ name: rel.relatedName, source: source.name, field: rel.name, viaM2M: rel.kind === "m2m" })
  }
}

/**
 * Cycles: per 25 models, one self-reference (`parent`), one 2-model cycle and one 3-model cycle. The backward keys of
 * a cycle are ordinary keys; the key closing it points forward (to a model declared later).
 */
const addCycles = (rng, models) => {
  const groups = Math.max(1, Math.round(models.length / 25))
  const candidates = rng.sample(models.slice(2).map((m) => m.index), models.length - 2)
  const used = new Set()
  const pickFree = (min) => {
    const i = candidates.find((c) => c >= min && !used.has(c))
    if (i !== undefined) used.add(i)
    return i
  }
  for (let g = 0; g < groups; g++) {
    const self = models[pickFree(2)]
    addForeignKey(rng, models, self, self, { cycle: true, name: freeName(self, "parent") })
    // 2-cycle: b -> a (backward), a -> b (forward).
    const b = models[pickFree(3)]
    const a = models[rng.int(1, b.index - 1)]
    addForeignKey(rng, models, b, a)
    addForeignKey(rng, models, a, b, { cycle: true, name: freeName(a, `latest${b.name}`) })
    // 3-cycle: z -> y -> x (backward), x -> z (forward).
    const z = models[pickFree(4)]
    const y = models[rng.int(2, z.index - 1)]
    const x = models[rng.int(1, y.index - 1)]
    addForeignKey(rng, models, z, y)
    addForeignKey(rng, models, y, x)
    addForeignKey(rng, models, x, z, { cycle: true, name: freeName(x, `current${z.name}`) })
  }
  return { selfReferences: groups, twoModel: groups, threeModel: groups }
}

/** Fills every model but User up to 1-3 foreign keys, to models declared before it (now and then User itself). */
const addBackwardKeys = (rng, models) => {
  for (const model of models.slice(1)) {
    const wanted = rng.int(1, 3)
    while (model.fks.length < wanted) {
      // A few tries at a model not referenced yet: two keys to the same model are the exception.
      let target
      for (let attempt = 0; attempt < 4; attempt++) {
        target = model.index === 1 || rng.chance(0.1) ? models[0] : models[rng.int(1, model.index - 1)]
        if (!model.fks.some((fk) => fk.target === target.name)) break
      }
      addForeignKey(rng, models, model, target)
    }
  }
}

/** About one many-to-many per 5 models, to a model declared before (`tags`, `authors`). */
const addManyToManys = (rng, models) => {
  const count = Math.max(2, Math.round(models.length / 5))
  for (let n = 0; n < count; n++) {
    const source = models[rng.int(3, models.length - 1)]
    const target = models[rng.int(1, source.index - 1)]
    if (source.m2ms.some((m) => m.target === target.name)) continue
    const name = take(source, freeName(source, plural(target.varName)))
    source.m2ms.push({ kind: "m2m", name, target: target.name, relatedName: undefined })
  }
}

/**
 * Reverse sides: every key and many-to-many gets a related name. About half of them are declared (`Field.Reverse`),
 * as the docs show; a self-reference always (`children`), the forward key of a cycle (`latestOrder`) never.
 */
const addReverses = (rng, models) => {
  for (const model of models) {
    for (const fk of model.fks) {
      const self = fk.target === model.name
      nameReverse(rng, models, model, fk, self ? 1 : fk.cycle ? 0 : 0.5)
    }
    for (const m2m of model.m2ms) nameReverse(rng, models, model, m2m, 0.5)
  }
}

/**
 * The schema of `size` models for `seed`: the same models whatever the audit variant, which only adds the
 * `createdBy` key (see `withAudit`).
 */
export const generateSchema = ({ size, seed }) => {
  if (size > NAMES.length) throw new Error(`at most ${NAMES.length} models (add names to NAMES)`)
  if (size < 10) throw new Error("at least 10 models")
  const rng = makeRandom(seed)
  const models = NAMES.slice(0, size).map(newModel)
  for (const model of models) addScalars(rng, model)
  const cycles = addCycles(rng, models)
  addBackwardKeys(rng, models)
  addManyToManys(rng, models)
  addReverses(rng, models)
  return { size, audit: false, models, cycles }
}

/**
 * Django's audit column: a non-nullable `createdBy` key from every model but User to User. By default with no
 * declared reverse side (as `related_name="+"` has it in Django); with `reverse`, User declares every reverse side
 * (`booksCreated: Field.Reverse(() => Book, "createdBy")`), as Django gives every user `user.book_set`.
 */
export const withAudit = (schema, { reverse = false } = {}) => ({
  ...schema,
  audit: true,
  auditReverse: reverse,
  models: schema.models.map((model) =>
    model.index === 0 ? (reverse ? withAuditReverses(schema, model) : model) : {
      ...model,
      fks: [...model.fks, {
        name: AUDIT_FIELD,
        target: "User",
        nullable: false,
        onDelete: "PROTECT",
        relatedName: `${plural(model.varName)}Created`,
        cycle: false,
        audit: true
      }]
    }
  )
})

/** User with the reverse side of every model's audit key. */
const withAuditReverses = (schema, user) => ({
  ...user,
  reverses: [
    ...user.reverses,
    ...schema.models.slice(1).map((m) => ({ name: `${plural(m.varName)}Created`, source: m.name, field: AUDIT_FIELD, viaM2M: false }))
  ]
})

/** The model named `name`. */
export const modelOf = (schema, name) => schema.models.find((m) => m.name === name)

/**
 * The relations the types know from `model`, as query paths walk them: forward keys (the audit key excluded, so that
 * both variants run the same queries), declared reverse sides and many-to-manys.
 */
export const hopsOf = (schema, model) => [
  ...model.fks.filter((fk) => !fk.audit).map((fk) => ({ kind: "fk", name: fk.name, target: fk.target, nullable: fk.nullable, many: false, fk })),
  ...model.m2ms.map((m) => ({ kind: "m2m", name: m.name, target: m.target, nullable: true, many: true, m2m: m })),
  ...model.reverses.map((r) => ({
    kind: r.viaM2M ? "m2mReverse" : "reverse",
    name: r.name,
    target: r.source,
    nullable: true,
    many: true,
    field: r.field,
    m2m: r.viaM2M ? modelOf(schema, r.source).m2ms.find((m) => m.name === r.field) : undefined
  }))
]

/** Summary counts for the report: keys, cycles, many-to-manys, declared reverse sides. */
export const describeSchema = (schema) => {
  const fks = schema.models.flatMap((m) => m.fks)
  return {
    models: schema.models.length,
    scalars: schema.models.reduce((n, m) => n + m.scalars.length, 0),
    fks: fks.length,
    cycles: schema.cycles,
    m2ms: schema.models.reduce((n, m) => n + m.m2ms.length, 0),
    reverses: schema.models.reduce((n, m) => n + m.reverses.length, 0)
  }
}
