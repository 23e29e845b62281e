/**
 * JSON field lookups on every driver, with the exact rows each returns: paths and keys into the stored JSON (nested,
 * array indexes, missing keys against JSON null, numbers against strings, unicode and hostile keys), containment and
 * key lookups, the text lookups on a value; bad dynamic input as a FieldError before any SQL; every path and value a
 * bound parameter; and a GIN index serving `contains`.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Result, Schema } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { Db, Field, type Lookup, Model, Q } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

// ---- models ----

/** Any JSON: Django's test values, and ones of this suite. */
class JsonDoc extends Model.Class<JsonDoc>("JsonDoc")({
  id: Field.AutoField(),
  label: Field.Char({ maxLength: 10 }),
  data: Field.JSON(Schema.Unknown, { nullable: true })
}, { table: "json_doc" }) {}

const Profile = Schema.Struct({
  name: Schema.String,
  age: Schema.optional(Schema.Number),
  tags: Schema.Array(Schema.String),
  address: Schema.optional(Schema.Struct({ city: Schema.String, zip: Schema.NullOr(Schema.String) })),
  scores: Schema.Array(Schema.Struct({ game: Schema.String, points: Schema.Number }))
})

/** A JSON field with a schema, and a GIN index for containment. */
class JsonUser extends Model.Class<JsonUser>("JsonUser")({
  id: Field.AutoField(),
  login: Field.Char({ maxLength: 20 }),
  profile: Field.JSON(Profile)
}, { table: "json_user", indexes: [{ fields: ["profile"], using: "gin", opclass: "jsonb_path_ops", name: "json_user_profile_gin" }] }) {}

/** Reaches a JSON field across a relation. */
class JsonNote extends Model.Class<JsonNote>("JsonNote")({
  id: Field.AutoField(),
  text: Field.Char({ maxLength: 20 }),
  author: Field.ForeignKey(() => JsonUser, { onDelete: "CASCADE", relatedName: "notes" })
}, { table: "json_note" }) {}

/** Check constraints written with JSON lookups: DDL takes no parameters, so the path and values are literals. */
class JsonChecked extends Model.Class<JsonChecked>("JsonChecked")({
  id: Field.AutoField(),
  data: Field.JSON(Schema.Unknown)
}, {
  table: "json_checked",
  constraints: [
    { kind: "check", name: "json_checked_kind", check: { data: { key: "kind", in: ["a", "it's"] } } },
    { kind: "check", name: "json_checked_keys", check: { data: { hasKeys: ["kind", "n"] } } },
    // Every lookup beside a path applies at the path.
    { kind: "check", name: "json_checked_n", check: { data: { path: ["n"], gte: 0, lt: 10 } } }
  ]
}) {}

// ---- seeds (inside each test's rolled-back transaction) ----

const QUOTE_KEY = "it's \"quoted\""
const DOT_KEY = "a.b"
const BRACE_KEY = "{x,y}"
const EVIL_KEY = "') OR 1=1; --"
const UNICODE_KEY = "ключ 🔑"
/** Keys an array literal would have to quote: a backslash, the word NULL, the empty key, spaces, a comma. */
const ARRAY_KEYS = ["back\\slash", "NULL", "", " spaced ", "com,ma"]

const docs: ReadonlyArray<readonly [string, unknown]> = [
  ["null", null], // SQL NULL
  ["list0", []],
  ["obj0", {}],
  ["ab", { a: "b", c: 14 }],
  ["full", {
    a: "b",
    c: 14,
    d: ["e", { f: "g" }],
    h: true,
    i: false,
    j: null,
    k: { l: "m" },
    n: [null, true, false],
    o: "\"quoted\"",
    p: 4.2
  }],
  ["nums", [1, [2]]],
  ["kl", { k: true, l: false, foo: "bax" }],
  ["foo", { foo: "bar", baz: { a: "b", c: "d" }, bar: ["foo", "bar"], bax: { foo: "bar" } }],
  ["strs", { c: "14", p: "x" }],
  ["keys", { [QUOTE_KEY]: 1, [DOT_KEY]: 2, [BRACE_KEY]: 3, [EVIL_KEY]: 4, [UNICODE_KEY]: "значение", "0": "zero", ...Object.fromEntries(ARRAY_KEYS.map((k, i) => [k, 10 + i])) }],
  ["deep", { x: { y: { z: [10, { w: "deep" }] } } }]
]

const seedDocs = Effect.forEach(docs, ([label, data]) => JsonDoc.objects.create({ label, data }))

/** Labels of the matching docs, in insertion order. */
const labels = (qs: typeof JsonDoc.objects) => Effect.map(qs.orderBy("id").valuesList("label", { flat: true }), (r) => [...r])
const where = (...conditions: ReadonlyArray<Lookup.Where<JsonDoc>>) => labels(JsonDoc.objects.filter(...conditions))
const except = (...conditions: ReadonlyArray<Lookup.Where<JsonDoc>>) => labels(JsonDoc.objects.exclude(...conditions))

const ALL = docs.map(([label]) => label)
const without = (...out: ReadonlyArray<string>) => ALL.filter((l) => !out.includes(l))

const seedUsers = Effect.forEach([
  { login: "ann", profile: { name: "Ann", age: 31, tags: ["admin", "dev"], address: { city: "Oslo", zip: "0150" }, scores: [{ game: "chess", points: 1800 }] } },
  { login: "bob", profile: { name: "Bob", tags: ["dev"], address: { city: "Lima", zip: null }, scores: [] } },
  { login: "cy", profile: { name: "Cy", age: 19, tags: [], scores: [{ game: "go", points: 3 }, { game: "chess", points: 900 }] } }
], (row) => JsonUser.objects.create(row))

const logins = (qs: typeof JsonUser.objects) => Effect.map(qs.orderBy("id").valuesList("login", { flat: true }), (r) => [...r])

/** Runs `effect` expecting a FieldError on `field` whose reason has each fragment, with no statement run. */
const expectFieldError = <A, E, R>(effect: Effect.Effect<A, E, R>, field: string, ...fragments: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { queries, result } = yield* Testing.captureQueries(Effect.result(effect))
    expect(queries).toEqual([])
    expect(Result.isFailure(result)).toBe(true)
    const error = (result as Result.Failure<A, any>).failure
    expect(error._tag).toBe("FieldError")
    expect(error.field).toBe(field)
    for (const fragment of fragments) expect(error.reason).toContain(fragment)
  })

for (const driver of Testing.drivers([JsonDoc, JsonUser, JsonNote, JsonChecked])) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("key and path: exact by JSON equality, nested objects and array indexes", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedDocs
        expect(yield* where({ data: { key: "a", exact: "b" } })).toEqual(["ab", "full"])
        expect(yield* where({ data: { path: ["a"], exact: "b" } })).toEqual(["ab", "full"])
        expect(yield* where({ data: { path: ["k", "l"], exact: "m" } })).toEqual(["full"])
        expect(yield* where({ data: { path: ["d", 1, "f"], exact: "g" } })).toEqual(["full"])
        expect(yield* where({ data: { path: ["d", -1, "f"], exact: "g" } })).toEqual(["full"])
        expect(yield* where({ data: { path: [1, 0], exact: 2 } })).toEqual(["nums"])
        expect(yield* where({ data: { key: 0, exact: 1 } })).toEqual(["nums"])
        expect(yield* where({ data: { path: ["x", "y", "z", 1, "w"], exact: "deep" } })).toEqual(["deep"])
        // A whole object or array at a path, compared as JSON (keys in any order).
        expect(yield* where({ data: { key: "k", exact: { l: "m" } } })).toEqual(["full"])
        expect(yield* where({ data: { key: "baz", exact: { c: "d", a: "b" } } })).toEqual(["foo"])
        expect(yield* where({ data: { key: "d", exact: ["e", { f: "g" }] } })).toEqual(["full"])
        // Numbers by value (14 is 14.0), strings by text: "14" is not 14.
        expect(yield* where({ data: { key: "c", exact: 14 } })).toEqual(["ab", "full"])
        expect(yield* where({ data: { key: "c", exact: 14.0 } })).toEqual(["ab", "full"])
        expect(yield* where({ data: { key: "c", exact: "14" } })).toEqual(["strs"])
        expect(yield* where({ data: { key: "h", exact: true } })).toEqual(["full"])
        expect(yield* where({ data: { key: "k", exact: true } })).toEqual(["kl"])
        expect(yield* where({ data: { key: "o", exact: "\"quoted\"" } })).toEqual(["full"])
        expect(yield* where({ data: { key: "a", exact: "B" } })).toEqual([])
      })))

    it.effect("missing keys against JSON null: exact null is JSON null, isNull is an absent key", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedDocs
        expect(yield* where({ data: { key: "j", exact: null } })).toEqual(["full"])
        expect(yield* where({ data: { key: "j", isNull: false } })).toEqual(["full"])
        // Absent: the key is missing, the path runs through a scalar or an array, or the column is NULL.
        expect(yield* where({ data: { key: "j", isNull: true } })).toEqual(without("full"))
        expect(yield* where({ data: { key: "a", isNull: false } })).toEqual(["ab", "full"])
        expect(yield* where({ data: { path: ["a", "b"], isNull: true } })).toEqual(ALL)
        expect(yield* where({ data: { path: ["n", 0], exact: null } })).toEqual(["full"])
        expect(yield* where({ data: { path: ["n", 5], isNull: true } })).toEqual(ALL)
        // Django's `Q(key__isnull=True) | Q(key=None)`.
        expect(yield* where(Q.or({ data: { key: "a", isNull: true } }, { data: { key: "a", exact: null } }))).toEqual(without("ab", "full"))
        // The whole value: SQL NULL, as before.
        expect(yield* where({ data: { isNull: true } })).toEqual(["null"])
        expect(yield* where({ data: { exact: null } })).toEqual(["null"])
      })))

    it.effect("exclude is the complement of filter: rows without the key stay (unlike Django's exclude)", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedDocs
        expect(yield* except({ data: { key: "a", exact: "b" } })).toEqual(without("ab", "full"))
        expect(yield* where(Q.not({ data: { key: "foo", exact: "bax" } }))).toEqual(without("kl"))
        // Django's exclude, which leaves out rows without the key: add `isNull: false`.
        expect(yield* except(Q.or({ data: { key: "foo", exact: "bax" } }, { data: { key: "foo", isNull: true } }))).toEqual(["foo"])
        expect(yield* except({ data: { key: "j", exact: null } })).toEqual(without("full"))
      })))

    it.effect("in: JSON values of any type, null meaning JSON null; an empty list matches nothing", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedDocs
        expect(yield* where({ data: { key: "c", in: [14] } })).toEqual(["ab", "full"])
        expect(yield* where({ data: { key: "c", in: [14, "14"] } })).toEqual(["ab", "full", "strs"])
        expect(yield* where({ data: { key: 0, in: [1, 3] } })).toEqual(["nums"])
        expect(yield* where({ data: { key: "foo", in: ["bar", "baz"] } })).toEqual(["foo"])
        expect(yield* where({ data: { key: "bar", in: [["foo", "bar"], ["a"]] } })).toEqual(["foo"])
        expect(yield* where({ data: { key: "bax", in: [{ foo: "bar" }, { a: "b" }] } })).toEqual(["foo"])
        expect(yield* where({ data: { key: "h", in: [true, "foo"] } })).toEqual(["full"])
        expect(yield* where({ data: { key: "j", in: [null, 1] } })).toEqual(["full"])
        expect(yield* where({ data: { key: "c", in: [] } })).toEqual([])
        expect(yield* except({ data: { key: "c", in: [] } })).toEqual(ALL)
      })))

    it.effect("gt, gte, lt, lte: numbers as numbers, strings as strings, never across types", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedDocs
        expect(yield* where({ data: { key: "c", gt: 2 } })).toEqual(["ab", "full"])
        expect(yield* where({ data: { key: "c", gt: 2.33 } })).toEqual(["ab", "full"])
        expect(yield* where({ data: { key: "c", lt: 5 } })).toEqual([])
        expect(yield* where({ data: { key: "c", gte: 14, lte: 14 } })).toEqual(["ab", "full"])
        // 4.2 < 10 as numbers ("4.2" > "10" as text).
        expect(yield* where({ data: { key: "p", lt: 10 } })).toEqual(["full"])
        // Strings compare as strings: "14" > "1" and "x" > "1"; true and objects never.
        expect(yield* where({ data: { key: "c", gt: "1" } })).toEqual(["strs"])
        expect(yield* where({ data: { key: "p", gte: "a" } })).toEqual(["strs"])
        expect(yield* where({ data: { key: "h", gt: 0 } })).toEqual([])
        expect(yield* where({ data: { key: "k", gt: 0 } })).toEqual([])
        expect(yield* where({ data: { path: ["x", "y", "z", 0], gte: 10 } })).toEqual(["deep"])
      })))

    it.effect("text lookups on the value as text (#>>): a string without its quotes", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedDocs
        expect(yield* where({ data: { key: "foo", iexact: "BaR" } })).toEqual(["foo"])
        expect(yield* where({ data: { key: "foo", iexact: "\"BaR\"" } })).toEqual([])
        expect(yield* where({ data: { key: "foo", icontains: "A" } })).toEqual(["kl", "foo"])
        expect(yield* where({ data: { key: "foo", startsWith: "b" } })).toEqual(["kl", "foo"])
        expect(yield* where({ data: { key: "foo", iStartsWith: "BAX" } })).toEqual(["kl"])
        expect(yield* where({ data: { key: "foo", endsWith: "r" } })).toEqual(["foo"])
        expect(yield* where({ data: { key: "foo", iEndsWith: "X" } })).toEqual(["kl"])
        expect(yield* where({ data: { key: "foo", regex: "^ba[rx]$" } })).toEqual(["kl", "foo"])
        expect(yield* where({ data: { key: "foo", iregex: "^BAR$" } })).toEqual(["foo"])
        expect(yield* where({ data: { key: "o", startsWith: "\"quo" } })).toEqual(["full"])
        // LIKE's wildcards are text like any other.
        expect(yield* where({ data: { key: "foo", icontains: "%" } })).toEqual([])
        expect(yield* where({ data: { key: "foo", startsWith: "_" } })).toEqual([])
        // Other values as their JSON text: a number's digits.
        expect(yield* where({ data: { key: "c", startsWith: "1" } })).toEqual(["ab", "full", "strs"])
        // The whole value as text, as Django's `value__icontains`.
        expect(yield* where({ data: { icontains: "BaX" } })).toEqual(["kl", "foo"])
      })))

    it.effect("containment: contains (@>) and containedBy (<@), on the field and at a path", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedDocs
        expect(yield* where({ data: { contains: {} } })).toEqual(["obj0", "ab", "full", "kl", "foo", "strs", "keys", "deep"])
        expect(yield* where({ data: { contains: { baz: { a: "b", c: "d" } } } })).toEqual(["foo"])
        expect(yield* where({ data: { contains: { baz: { a: "b" } } } })).toEqual(["foo"])
        expect(yield* where({ data: { contains: { k: true, l: false } } })).toEqual(["kl"])
        expect(yield* where({ data: { contains: { d: ["e", { f: "g" }] } } })).toEqual(["full"])
        expect(yield* where({ data: { contains: { d: [{ f: "g" }] } } })).toEqual(["full"])
        expect(yield* where({ data: { contains: [1, [2]] } })).toEqual(["nums"])
        expect(yield* where({ data: { contains: [[2]] } })).toEqual(["nums"])
        expect(yield* where({ data: { contains: { n: [null, true, false] } } })).toEqual(["full"])
        expect(yield* where({ data: { contains: { j: null } } })).toEqual(["full"])
        expect(yield* where({ data: { containedBy: { a: "b", c: 14, h: true } } })).toEqual(["obj0", "ab"])
        // At a path: a string contains only itself; an array its elements (or one scalar element).
        expect(yield* where({ data: { key: "foo", contains: "bar" } })).toEqual(["foo"])
        expect(yield* where({ data: { key: "foo", contains: "ar" } })).toEqual([])
        expect(yield* where({ data: { key: "bar", contains: "bar" } })).toEqual(["foo"])
        expect(yield* where({ data: { key: "bar", contains: ["bar"] } })).toEqual(["foo"])
        expect(yield* where({ data: { key: "bar", contains: [] } })).toEqual(["foo"])
        expect(yield* where({ data: { key: "d", contains: "e" } })).toEqual(["full"])
        expect(yield* where({ data: { key: "baz", contains: { a: "b" } } })).toEqual(["foo"])
        expect(yield* where({ data: { key: "baz", containedBy: { a: "b", c: "d", e: "f" } } })).toEqual(["foo"])
      })))

    it.effect("hasKey, hasKeys, hasAnyKeys: on the field and at a path", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedDocs
        expect(yield* where({ data: { hasKey: "a" } })).toEqual(["ab", "full"])
        // A key holding JSON null is there.
        expect(yield* where({ data: { hasKey: "j" } })).toEqual(["full"])
        expect(yield* where({ data: { hasKeys: ["a", "c", "h"] } })).toEqual(["full"])
        expect(yield* where({ data: { hasAnyKeys: ["c", "l"] } })).toEqual(["ab", "full", "kl", "strs"])
        expect(yield* where({ data: { hasKeys: [] } })).toEqual(without("null"))
        expect(yield* where({ data: { hasAnyKeys: [] } })).toEqual([])
        expect(yield* where({ data: { key: "baz", hasKey: "a" } })).toEqual(["foo"])
        expect(yield* where({ data: { path: ["d", 1], hasKey: "f" } })).toEqual(["full"])
        expect(yield* where({ data: { key: "baz", hasKeys: ["a", "c"] } })).toEqual(["foo"])
        expect(yield* where({ data: { key: "baz", hasAnyKeys: ["a", "x"] } })).toEqual(["foo"])
        // PostgreSQL's `?` also finds a string element of an array.
        expect(yield* where({ data: { key: "bar", hasKey: "foo" } })).toEqual(["foo"])
        expect(yield* where({ data: { hasKey: "0" } })).toEqual(["keys"])
      })))

    it.effect("unicode keys, and keys with quotes, dots, braces and SQL in them, are safe", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedDocs
        for (const [key, value] of [[QUOTE_KEY, 1], [DOT_KEY, 2], [BRACE_KEY, 3], [EVIL_KEY, 4], ...ARRAY_KEYS.map((k, i) => [k, 10 + i] as const)] as const) {
          expect(yield* where({ data: { key, exact: value } })).toEqual(["keys"])
          expect(yield* where({ data: { path: [key], gte: value } })).toEqual(["keys"])
          expect(yield* where({ data: { hasKey: key } })).toEqual(["keys"])
          expect(yield* where({ data: { hasKeys: [key, "0"] } })).toEqual(["keys"])
          expect(yield* where({ data: { hasAnyKeys: [key, "missing"] } })).toEqual(["keys"])
          expect(yield* where({ data: { contains: { [key]: value } } })).toEqual(["keys"])
        }
        expect(yield* where({ data: { key: UNICODE_KEY, exact: "значение" } })).toEqual(["keys"])
        expect(yield* where({ data: { key: UNICODE_KEY, iStartsWith: "ЗНАЧ" } })).toEqual(["keys"])
        // "a.b" is one key, not a path; "0" on an object is a key.
        expect(yield* where({ data: { path: ["a", "b"], exact: 2 } })).toEqual([])
        expect(yield* where({ data: { key: "0", exact: "zero" } })).toEqual(["keys"])
        expect(yield* where({ data: { key: 0, exact: "zero" } })).toEqual(["keys"])
        // The table is untouched by a key that reads like SQL.
        expect(yield* JsonDoc.objects.count()).toBe(docs.length)
      })))

    it.effect("the path and every value are bound parameters", () =>
      Effect.gen(function*() {
        const path = yield* JsonDoc.objects.filter({ data: { path: [EVIL_KEY, 1], gt: 3 } }).toSql()
        expect(path.sql).toContain(`(jsonb_typeof(("t0"."data" #> $1::text[])) = 'number' AND ("t0"."data" #> $1::text[]) > $2::jsonb)`)
        expect(path.params).toEqual([[EVIL_KEY, "1"], "3"])
        const key = yield* JsonDoc.objects.filter({ data: { key: QUOTE_KEY, exact: EVIL_KEY } }).toSql()
        expect(key.sql).toContain(`("t0"."data" #> $1::text[]) = $2::jsonb`)
        expect(key.params).toEqual([[QUOTE_KEY], JSON.stringify(EVIL_KEY)])
        const text = yield* JsonDoc.objects.filter({ data: { key: BRACE_KEY, icontains: EVIL_KEY } }).toSql()
        expect(text.sql).toContain(`("t0"."data" #>> $1::text[]) ILIKE $2`)
        const keys = yield* JsonDoc.objects.filter({ data: { hasKey: EVIL_KEY, hasKeys: [EVIL_KEY], hasAnyKeys: [DOT_KEY], contains: { [EVIL_KEY]: 1 }, containedBy: {} } }).toSql()
        expect(keys.sql).toContain(`"t0"."data" ? $1`)
        expect(keys.sql).toContain(`"t0"."data" ?& $2::text[]`)
        expect(keys.sql).toContain(`"t0"."data" ?| $3::text[]`)
        expect(keys.sql).toContain(`"t0"."data" @> $4::jsonb`)
        expect(keys.sql).toContain(`"t0"."data" <@ $5::jsonb`)
        const inList = yield* JsonDoc.objects.filter({ data: { key: "c", in: [1, "a", null] } }).toSql()
        expect(inList.sql).toContain(`("t0"."data" #> $1::text[]) = ANY($2::text[]::jsonb[])`)
        expect(inList.params).toEqual([["c"], ["1", "\"a\"", "null"]])
        for (const compiled of [path, key, text, keys, inList]) {
          expect(compiled.sql).not.toContain("OR 1=1")
          expect(compiled.sql).not.toContain("quoted")
          expect(compiled.sql).not.toContain("{x,y}")
        }
      }))

    it.effect("typed paths on a schema: optional keys, nested arrays of objects, across a relation", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedUsers
        expect(yield* logins(JsonUser.objects.filter({ profile: { key: "age", gte: 20 } }))).toEqual(["ann"])
        expect(yield* logins(JsonUser.objects.filter({ profile: { key: "age", isNull: true } }))).toEqual(["bob"])
        expect(yield* logins(JsonUser.objects.filter({ profile: { path: ["address", "city"], iexact: "oslo" } }))).toEqual(["ann"])
        expect(yield* logins(JsonUser.objects.filter({ profile: { path: ["address", "zip"], exact: null } }))).toEqual(["bob"])
        expect(yield* logins(JsonUser.objects.filter({ profile: { path: ["scores", 0, "game"], exact: "chess" } }))).toEqual(["ann"])
        expect(yield* logins(JsonUser.objects.filter({ profile: { key: "tags", contains: ["dev"] } }))).toEqual(["ann", "bob"])
        expect(yield* logins(JsonUser.objects.filter({ profile: { key: "tags", hasKey: "admin" } }))).toEqual(["ann"])
        expect(yield* logins(JsonUser.objects.filter({ profile: { contains: { scores: [{ game: "chess" }] } } }))).toEqual(["ann", "cy"])
        expect(yield* logins(JsonUser.objects.filter({ profile: { hasKey: "address" } }))).toEqual(["ann", "bob"])
        // Lookups of one path are ANDed; two paths in Q.and, or in two filters.
        expect(yield* logins(JsonUser.objects.filter({ profile: { key: "age", gt: 18, lt: 30 } }))).toEqual(["cy"])
        expect(yield* logins(JsonUser.objects.filter(Q.and({ profile: { key: "age", gt: 18 } }, { profile: { path: ["address", "city"], exact: "Oslo" } })))).toEqual(["ann"])
        const [ann] = yield* JsonUser.objects.filter({ login: "ann" })
        yield* JsonNote.objects.create({ text: "hi", authorId: ann!.id })
        expect(yield* JsonNote.objects.filter({ author: { profile: { key: "tags", contains: "admin" } } }).valuesList("text", { flat: true })).toEqual(["hi"])
        // Writes filter the same way.
        expect(yield* JsonUser.objects.filter({ profile: { path: ["scores", 0, "points"], lt: 100 } }).update({ login: "cyrus" })).toBe(1)
        expect(yield* JsonNote.objects.filter({ author: { profile: { key: "age", gt: 30 } } }).delete()).toMatchObject({ total: 1 })
        expect(yield* logins(JsonUser.objects.all())).toEqual(["ann", "bob", "cyrus"])
        expect(yield* JsonNote.objects.count()).toBe(0)
      })))

    it.effect("bad dynamic input is a FieldError naming the field, before any SQL; data untouched", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedDocs
        const dyn = (data: unknown) => JsonDoc.objects.filter({ data } as any).count()
        yield* expectFieldError(dyn({ path: "a", exact: 1 }), "data", "`path` expects an array")
        yield* expectFieldError(dyn({ path: [], exact: 1 }), "data", "at least one key")
        yield* expectFieldError(dyn({ path: ["a", { b: 1 }], exact: 1 }), "data", "keys (strings) and array indexes (integers)")
        yield* expectFieldError(dyn({ path: ["a", 1.5], exact: 1 }), "data", "array indexes (integers)")
        yield* expectFieldError(dyn({ path: ["a", null], exact: 1 }), "data", "got null")
        yield* expectFieldError(dyn({ path: ["a\u0000"], exact: 1 }), "data", "NUL")
        yield* expectFieldError(dyn({ key: true, exact: 1 }), "data", "got true")
        yield* expectFieldError(dyn({ key: "a", path: ["a"], exact: 1 }), "data", "either `path` or `key`")
        yield* expectFieldError(dyn({ key: "a" }), "data", "needs lookups")
        yield* expectFieldError(dyn({ key: "a", like: "b" }), "data", "unsupported lookup \"like\"", "hasKey")
        yield* expectFieldError(dyn({ hasKye: "a" }), "data", "unsupported lookup \"hasKye\"")
        yield* expectFieldError(dyn({ key: "c", gt: { n: 1 } }), "data", "a number or a string")
        yield* expectFieldError(dyn({ key: "c", gt: null }), "data", "a number or a string")
        yield* expectFieldError(dyn({ key: "c", gt: Number.NaN }), "data", "a number or a string")
        yield* expectFieldError(dyn({ key: "c", exact: 1n }), "data", "JSON cannot hold a bigint")
        yield* expectFieldError(dyn({ key: "c", exact: Number.POSITIVE_INFINITY }), "data", "JSON cannot hold Infinity")
        yield* expectFieldError(dyn({ key: "c", in: 14 }), "data", "expects an array")
        yield* expectFieldError(dyn({ key: "c", in: [1, undefined] }), "data", "undefined")
        yield* expectFieldError(dyn({ key: "c", isNull: "yes" }), "data", "expects a boolean")
        yield* expectFieldError(dyn({ hasKey: 1 }), "data", "a key (a string)")
        yield* expectFieldError(dyn({ hasKeys: "a" }), "data", "an array of keys")
        yield* expectFieldError(dyn({ hasAnyKeys: ["a", 2] }), "data", "a key (a string)")
        yield* expectFieldError(dyn({ key: "a", icontains: 1 }), "data", "expects a string")
        yield* expectFieldError(dyn({ key: "a", startsWith: "\ud800" }), "data", "lone surrogate")
        yield* expectFieldError(dyn({ contains: { a: new Date(0) } }), "data", "plain objects")
        const cyclic: Record<string, unknown> = {}
        cyclic.self = cyclic
        yield* expectFieldError(dyn({ containedBy: cyclic }), "data", "cycle")
        // Inside a relation, the field is named by its path.
        yield* expectFieldError(JsonNote.objects.filter({ author: { profile: { path: "tags", exact: 1 } } } as any).count(), "author.profile", "`path`")
        expect(yield* JsonDoc.objects.count()).toBe(docs.length)
      })))

    it.effect("check constraints with JSON lookups: literals in the DDL, enforced by the database", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* JsonChecked.objects.create({ data: { kind: "it's", n: 0 } })
        for (const data of [{ kind: "c", n: 1 }, { kind: "a" }, { kind: "a", n: -1 }, { kind: "a", n: 10 }, { n: 1 }, { kind: "a", n: "1" }]) {
          const error = yield* Effect.flip(Db.atomic(JsonChecked.objects.create({ data })))
          expect([data, error._tag, (error as any).kind]).toEqual([data, "IntegrityError", "check"])
        }
        expect(yield* JsonChecked.objects.count()).toBe(1)
      })))

    it.effect("a GIN index (jsonb_path_ops) serves contains", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedUsers
        const sql = yield* SqlClient.SqlClient
        yield* sql`SET LOCAL enable_seqscan = off`
        yield* sql`ANALYZE json_user`
        const { params, sql: text } = yield* JsonUser.objects.filter({ profile: { contains: { tags: ["dev"] } } }).toSql()
        const plan = yield* sql.unsafe<{ readonly "QUERY PLAN": string }>(`EXPLAIN ${text}`, params)
        const lines = plan.map((row) => row["QUERY PLAN"]).join("\n")
        expect(lines).toContain("json_user_profile_gin")
        expect(yield* logins(JsonUser.objects.filter({ profile: { contains: { tags: ["dev"] } } }))).toEqual(["ann", "bob"])
      })))
  })
}
