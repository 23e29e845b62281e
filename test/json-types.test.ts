/**
 * Type-level tests of JSON field lookups (checked by `npm run typecheck`): a `path` or `key` is checked against the
 * field's schema (its encoded side, the JSON stored), and each lookup's value has the type at the path. Every
 * `@ts-expect-error` line must fail to compile and every other line must compile; at run time this file only builds
 * querysets, which never run.
 */
import { Schema } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import { Field, type JsonLookup, type Lookup, Model } from "../src/index.js"

const Settings = Schema.Struct({
  theme: Schema.Literals(["light", "dark"]),
  volume: Schema.Number,
  beta: Schema.optional(Schema.Boolean),
  tags: Schema.Array(Schema.String),
  owner: Schema.Struct({ name: Schema.String, email: Schema.NullOr(Schema.String) }),
  history: Schema.Array(Schema.Struct({ at: Schema.String, score: Schema.Number })),
  /** Stored as a string: paths follow the encoded side. */
  quota: Schema.BigIntFromString,
  extra: Schema.Unknown,
  counters: Schema.Record(Schema.String, Schema.Number)
})

/** Nested deeper than the checked depth. */
const Deep = Schema.Struct({
  a: Schema.Struct({ b: Schema.Struct({ c: Schema.Struct({ d: Schema.Struct({ e: Schema.Struct({ f: Schema.Struct({ g: Schema.Number }) }) }) }) }) })
})

class JtDoc extends Model.Class<JtDoc>("JtDoc")({
  id: Field.AutoField(),
  settings: Field.JSON(Settings),
  maybe: Field.JSON(Settings, { nullable: true }),
  free: Field.JSON(Schema.Unknown),
  list: Field.JSON(Schema.Array(Schema.Number)),
  deep: Field.JSON(Deep)
}, { table: "jt_doc" }) {}

const qs = JtDoc.objects

describe("JSON paths are checked against the schema", () => {
  it("keys of objects, numbers for arrays, to any checked depth", () => {
    qs.filter({ settings: { key: "volume", gt: 3 } })
    qs.filter({ settings: { path: ["volume"], lte: 10 } })
    qs.filter({ settings: { path: ["owner", "name"], exact: "Ann" } })
    qs.filter({ settings: { path: ["history", 0, "score"], gte: 5 } })
    qs.filter({ settings: { path: ["tags", -1], startsWith: "a" } })
    qs.filter({ settings: { path: ["counters", "anything"], gt: 1 } })
    qs.filter({ list: { key: 0, exact: 1 } })
    qs.filter({ list: { path: [2], in: [1, 2] } })
    qs.filter({ deep: { path: ["a", "b", "c", "d", "e"], hasKey: "f" } })
    // @ts-expect-error no key `volum` in the schema
    qs.filter({ settings: { key: "volum", gt: 3 } })
    // @ts-expect-error no key `nmae` under `owner`
    qs.filter({ settings: { path: ["owner", "nmae"], exact: "Ann" } })
    // @ts-expect-error an array is indexed by numbers
    qs.filter({ settings: { path: ["history", "first", "score"], gte: 5 } })
    // @ts-expect-error an object is not indexed by numbers
    qs.filter({ settings: { path: ["owner", 0], exact: "Ann" } })
    // @ts-expect-error no path below a number
    qs.filter({ settings: { path: ["volume", "x"], exact: 1 } })
    // @ts-expect-error a path is an array, not a dotted string
    qs.filter({ settings: { path: "owner.name", exact: "Ann" } })
    // @ts-expect-error `path` and `key` are two spellings of one thing: one at a time
    qs.filter({ settings: { key: "owner", path: ["owner", "name"], exact: "Ann" } })
    // @ts-expect-error an array field's key is an index
    qs.filter({ list: { key: "first", exact: 1 } })
  })

  it("paths into an unknown part of the schema, or past the checked depth, are free", () => {
    qs.filter({ free: { path: ["any", 0, "thing"], exact: { x: [1] } } })
    qs.filter({ free: { key: "a", gt: "m", hasKey: "b", contains: { c: 1 } } })
    qs.filter({ settings: { path: ["extra", "anything", 3], exact: null } })
    qs.filter({ deep: { path: ["a", "b", "c", "d", "e", "f", "g"], gt: 1 } })
    // @ts-expect-error still JSON: a function is no value
    qs.filter({ free: { key: "a", exact: () => 1 } })
    // @ts-expect-error still JSON: a bigint is no value
    qs.filter({ free: { key: "a", exact: 1n } })
    // @ts-expect-error comparisons take numbers or strings
    qs.filter({ free: { key: "a", gt: true } })
  })
})

describe("lookup values have the type at the path", () => {
  it("exact, in, comparisons and text lookups", () => {
    qs.filter({ settings: { key: "theme", exact: "dark" } })
    qs.filter({ settings: { key: "theme", in: ["light", "dark"] } })
    qs.filter({ settings: { path: ["owner", "email"], exact: null } })
    qs.filter({ settings: { key: "owner", exact: { name: "Ann", email: null } } })
    qs.filter({ settings: { key: "quota", exact: "100" } })
    qs.filter({ settings: { key: "beta", isNull: true } })
    qs.filter({ settings: { path: ["owner", "name"], icontains: "an", iregex: "^a" } })
    // @ts-expect-error `theme` is "light" or "dark"
    qs.filter({ settings: { key: "theme", exact: "blue" } })
    // @ts-expect-error `volume` is a number
    qs.filter({ settings: { key: "volume", exact: "3" } })
    // @ts-expect-error `volume` is a number
    qs.filter({ settings: { key: "volume", gt: "3" } })
    // @ts-expect-error `in` takes values of the type at the path
    qs.filter({ settings: { key: "volume", in: ["3"] } })
    // @ts-expect-error `name` is never null (JSON null is for a schema that holds it)
    qs.filter({ settings: { path: ["owner", "name"], exact: null } })
    // @ts-expect-error the stored `quota` is a string (the schema's encoded side), not a bigint
    qs.filter({ settings: { key: "quota", exact: 100n } })
    // @ts-expect-error objects are not ordered
    qs.filter({ settings: { key: "owner", gt: 1 } })
    // @ts-expect-error text lookups need a value that can be a string
    qs.filter({ settings: { key: "volume", startsWith: "1" } })
    // @ts-expect-error `isNull` takes a boolean
    qs.filter({ settings: { key: "beta", isNull: 1 } })
    // @ts-expect-error no such lookup
    qs.filter({ settings: { key: "volume", like: 1 } })
  })

  it("containment and keys follow the shape of the value", () => {
    qs.filter({ settings: { contains: { owner: { name: "Ann" }, tags: ["a"] } } })
    qs.filter({ settings: { contains: { history: [{ score: 3 }] } } })
    qs.filter({ settings: { containedBy: { theme: "dark", volume: 3 } } })
    qs.filter({ settings: { key: "tags", contains: "admin" } })
    qs.filter({ settings: { key: "tags", contains: ["admin", "dev"] } })
    qs.filter({ settings: { hasKey: "beta", hasKeys: ["theme", "volume"], hasAnyKeys: ["beta"] } })
    qs.filter({ settings: { key: "owner", hasKey: "email" } })
    qs.filter({ settings: { key: "counters", hasKey: "any" } })
    qs.filter({ settings: { key: "tags", hasKey: "admin" } })
    qs.filter({ list: { contains: [1, 2] } })
    // @ts-expect-error no key `colour` to contain
    qs.filter({ settings: { contains: { colour: "red" } } })
    // @ts-expect-error `volume` holds numbers
    qs.filter({ settings: { contains: { volume: "3" } } })
    // @ts-expect-error `tags` holds strings
    qs.filter({ settings: { key: "tags", contains: [1] } })
    // @ts-expect-error no key `colour`
    qs.filter({ settings: { hasKey: "colour" } })
    // @ts-expect-error no key `colour`
    qs.filter({ settings: { hasKeys: ["theme", "colour"] } })
    // @ts-expect-error `hasKeys` takes a list
    qs.filter({ settings: { hasKeys: "theme" } })
    // @ts-expect-error a number has no keys
    qs.filter({ settings: { key: "volume", hasKey: "x" } })
  })

  it("the whole value keeps its `exact` and `isNull`; a nullable field's `exact: null` is SQL NULL", () => {
    qs.filter({ maybe: { exact: null } })
    qs.filter({ maybe: { isNull: true, hasKey: "theme" } })
    qs.filter({ maybe: { path: ["owner", "name"], exact: "Ann" } })
    // @ts-expect-error `exact: null` only on nullable JSON fields
    qs.filter({ settings: { exact: null } })
    // @ts-expect-error the whole value is an object: not ordered
    qs.filter({ settings: { gt: 1 } })
    // @ts-expect-error JSON fields take lookups only, not a bare value
    qs.filter({ settings: { theme: "dark" } })
  })

  it("names the types: a field's filter is a JsonFilter of its type and stored JSON", () => {
    type F = Lookup.LookupsOf<(typeof JtDoc.meta.fields)["list"]>
    expectTypeOf<F>().toEqualTypeOf<JsonLookup.JsonFilter<ReadonlyArray<number>, ReadonlyArray<number>>>()
    expectTypeOf<JsonLookup.KeyOf<{ readonly a: 1; readonly b?: 2 }>>().toEqualTypeOf<"a" | "b">()
    expectTypeOf<JsonLookup.KeyOf<unknown>>().toEqualTypeOf<string>()
    expectTypeOf<JsonLookup.Ordered<number | string | null>>().toEqualTypeOf<number | string>()
    expectTypeOf<JsonLookup.Ordered<boolean>>().toEqualTypeOf<never>()
    expectTypeOf<JsonLookup.Containment<ReadonlyArray<string>>>().toEqualTypeOf<ReadonlyArray<string> | string>()
  })
})
