/**
 * Every lookup, on every driver, asserting the exact rows it returns; Q combinations; exclude's NULL semantics;
 * dynamic bad input (FieldError before any SQL); and that every value is a bound parameter.
 */
import { expect, layer } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { BigDecimal, DateTime, Duration, Effect, Either } from "effect"
import { F, Field, type Lookup, Model, Q } from "../src/index.js"
import * as Testing from "../src/testing/index.js"

// ---- models ----

class LkBook extends Model.Class<LkBook>("LkBook")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 100 }),
  pages: Field.Integer({ dbColumn: "page_count" }),
  rating: Field.Float({ nullable: true }),
  pubdate: Field.Date(),
  isbn: Field.Char({ maxLength: 13, nullable: true, unique: true })
}, { table: "lk_book", ordering: ["name"] }) {}

class LkText extends Model.Class<LkText>("LkText")({
  id: Field.AutoField(),
  label: Field.Char({ maxLength: 2 }),
  body: Field.Char({ maxLength: 50, nullable: true })
}, { table: "lk_text" }) {}

class LkEvent extends Model.Class<LkEvent>("LkEvent")({
  id: Field.AutoField(),
  label: Field.Char({ maxLength: 2 }),
  at: Field.DateTime({ nullable: true }),
  time: Field.Time({ nullable: true })
}, { table: "lk_event" }) {}

class LkValue extends Model.Class<LkValue>("LkValue")({
  id: Field.AutoField(),
  label: Field.Char({ maxLength: 2 }),
  price: Field.Decimal({ maxDigits: 10, decimalPlaces: 2, nullable: true }),
  big: Field.BigInteger({ nullable: true }),
  flag: Field.Boolean({ nullable: true }),
  uuid: Field.UUID({ nullable: true }),
  span: Field.Duration({ nullable: true })
}, { table: "lk_value" }) {}

// ---- seeds (inside each test's rolled-back transaction) ----

const seedBooks = Effect.forEach([
  { name: "Python Basics", pages: 300, rating: 4.5, pubdate: "2007-12-06", isbn: "9780000000001" }, // Thu
  { name: "Django Unchained", pages: 450, rating: 3.0, pubdate: "2008-06-23", isbn: null }, // Mon
  { name: "Effect in Depth", pages: 520, rating: null, pubdate: "2010-01-16", isbn: "9780000000003" }, // Sat
  { name: "SQL Cookbook", pages: 150, rating: 5.0, pubdate: "2008-11-03", isbn: null }, // Mon
  { name: "Rust Book", pages: 600, rating: 2.5, pubdate: "2012-02-29", isbn: "9780000000005" }, // Wed
  { name: "Go Programming", pages: 380, rating: null, pubdate: "2005-07-03", isbn: "9780000000006" } // Sun
], (row) => LkBook.objects.create(row))

const PY = "Python Basics", DJ = "Django Unchained", EF = "Effect in Depth", SQ = "SQL Cookbook", RU = "Rust Book",
  GO = "Go Programming"
const ALL_BOOKS = [PY, DJ, EF, SQ, RU, GO]

/** Names of the matching books, in insertion (primary key) order. */
const books = (qs: typeof LkBook.objects) => Effect.map(qs.orderBy("id").valuesList("name", { flat: true }), (r) => [...r])

const EVIL = "O'Reilly'); --"
const seedTexts = Effect.forEach([
  ["a", "Hello World"],
  ["b", "hello world"],
  ["c", "100% pure"],
  ["d", "100 pure"],
  ["e", "snake_case"],
  ["f", "snakeXcase"],
  ["g", "C:\\path\\file"],
  ["h", "C:path"],
  ["i", null],
  ["j", EVIL]
] as const, ([label, body]) => LkText.objects.create({ label, body }))

const texts = (qs: typeof LkText.objects) => Effect.map(qs.orderBy("id").valuesList("label", { flat: true }), (r) => [...r])

const utc = (iso: string) => DateTime.unsafeMake(iso)
const seedEvents = Effect.forEach([
  ["e1", "2024-03-10T02:30:15.250Z", "08:15:30"], // Sunday
  ["e2", "2024-03-10T23:59:59Z", "23:05:00"], // Sunday (Monday in Tokyo)
  ["e3", "2023-12-31T23:00:00Z", "00:00:59.500000"], // Sunday (2024-01-01 in Tokyo)
  ["e4", "2024-01-01T00:00:00Z", null], // Monday (2023-12-31 in Los Angeles)
  ["e5", "2024-07-04T12:45:30Z", "12:45:00"], // Thursday
  ["e6", null, null]
] as const, ([label, at, time]) => LkEvent.objects.create({ label, at: at === null ? null : utc(at), time }))

type EventFilter = Lookup.Condition<typeof LkEvent.meta.fields>
const events = (qs: typeof LkEvent.objects) => Effect.map(qs.orderBy("id").valuesList("label", { flat: true }), (r) => [...r])

const dec = BigDecimal.unsafeFromString
const U1 = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
const U2 = "b1ffcd00-0d1c-4ef8-bb6d-6bb9bd380a22"
const U3 = "c2aade11-1e2d-4ef8-bb6d-6bb9bd380a33"
const seedValues = Effect.forEach([
  { label: "v1", price: dec("1.50"), big: 2n ** 60n, flag: true, uuid: U1, span: Duration.seconds(90) },
  { label: "v2", price: dec("10.00"), big: -5n, flag: false, uuid: U2, span: Duration.millis(1500) },
  { label: "v3", price: dec("99.99"), big: 9007199254740993n, flag: null, uuid: null, span: Duration.days(1) },
  { label: "v4", price: null, big: null, flag: true, uuid: U3, span: null }
], (row) => LkValue.objects.create(row))

const values = (qs: typeof LkValue.objects) => Effect.map(qs.orderBy("id").valuesList("label", { flat: true }), (r) => [...r])

/**
 * Runs `effect` expecting a FieldError naming `field` and no SQL statement at all; each fragment (the lookup, say)
 * must appear in the error's field or reason.
 */
const expectFieldError = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  field: string,
  ...reasonFragments: ReadonlyArray<string>
) =>
  Effect.gen(function*() {
    const { queries, result } = yield* Testing.captureQueries(Effect.either(effect))
    expect(queries).toEqual([])
    expect(Either.isLeft(result)).toBe(true)
    const error = (result as Either.Left<any, A>).left
    expect(error._tag).toBe("FieldError")
    // A lookup on a date part names the part too: `pubdate.year`.
    expect(String(error.field).split(".")[0]).toBe(field)
    for (const fragment of reasonFragments) expect(`${error.field} ${error.reason}`).toContain(fragment)
  })

for (const driver of Testing.drivers([LkBook, LkText, LkEvent, LkValue])) {
  layer(driver.layer)(driver.name, (it) => {
    // ---- comparison lookups ----

    it.effect("exact, with a bare value and with { exact }", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* books(LkBook.objects.filter({ pages: 300 }))).toEqual([PY])
        expect(yield* books(LkBook.objects.filter({ pages: { exact: 450 } }))).toEqual([DJ])
        expect(yield* books(LkBook.objects.filter({ name: "Rust Book" }))).toEqual([RU])
        expect(yield* books(LkBook.objects.filter({ name: "rust book" }))).toEqual([])
        expect(yield* books(LkBook.objects.filter({ rating: 5 }))).toEqual([SQ])
        expect(yield* books(LkBook.objects.filter({ pubdate: "2012-02-29" }))).toEqual([RU])
        expect(yield* books(LkBook.objects.filter({ pages: 301 }))).toEqual([])
      })))

    it.effect("null means IS NULL, as { f: null } and { f: { exact: null } }", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* books(LkBook.objects.filter({ rating: null }))).toEqual([EF, GO])
        expect(yield* books(LkBook.objects.filter({ rating: { exact: null } }))).toEqual([EF, GO])
        expect(yield* books(LkBook.objects.filter({ isbn: null }))).toEqual([DJ, SQ])
        expect(yield* books(LkBook.objects.exclude({ rating: null }))).toEqual([PY, DJ, SQ, RU])
        expect(yield* books(LkBook.objects.exclude({ rating: { exact: null } }))).toEqual([PY, DJ, SQ, RU])
        const { sql } = yield* LkBook.objects.filter({ rating: null }).toSql()
        expect(sql).toContain("IS NULL")
      })))

    it.effect("gt, gte, lt, lte", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* books(LkBook.objects.filter({ pages: { gt: 450 } }))).toEqual([EF, RU])
        expect(yield* books(LkBook.objects.filter({ pages: { gte: 450 } }))).toEqual([DJ, EF, RU])
        expect(yield* books(LkBook.objects.filter({ pages: { lt: 300 } }))).toEqual([SQ])
        expect(yield* books(LkBook.objects.filter({ pages: { lte: 300 } }))).toEqual([PY, SQ])
        // NULL never compares: rows with a NULL rating match neither side.
        expect(yield* books(LkBook.objects.filter({ rating: { gt: 3 } }))).toEqual([PY, SQ])
        expect(yield* books(LkBook.objects.filter({ rating: { lte: 3 } }))).toEqual([DJ, RU])
        expect(yield* books(LkBook.objects.filter({ name: { gte: "R" } }))).toEqual([SQ, RU])
        expect(yield* books(LkBook.objects.filter({ pubdate: { lt: "2008-01-01" } }))).toEqual([PY, GO])
        // Several lookups on one field are ANDed.
        expect(yield* books(LkBook.objects.filter({ pages: { gt: 200, lt: 500 } }))).toEqual([PY, DJ, GO])
      })))

    it.effect("range is inclusive at both ends", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* books(LkBook.objects.filter({ pages: { range: [300, 450] } }))).toEqual([PY, DJ, GO])
        expect(yield* books(LkBook.objects.filter({ pubdate: { range: ["2008-01-01", "2010-01-16"] } }))).toEqual([
          DJ,
          EF,
          SQ
        ])
        expect(yield* books(LkBook.objects.filter({ rating: { range: [2.5, 3] } }))).toEqual([DJ, RU])
        expect(yield* books(LkBook.objects.filter({ pages: { range: [451, 519] } }))).toEqual([])
      })))

    it.effect("in, and the empty list matching nothing without an SQL error", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* books(LkBook.objects.filter({ pages: { in: [300, 600, 999] } }))).toEqual([PY, RU])
        expect(yield* books(LkBook.objects.filter({ name: { in: [GO, SQ] } }))).toEqual([SQ, GO])
        expect(yield* books(LkBook.objects.filter({ pubdate: { in: ["2012-02-29"] } }))).toEqual([RU])
        expect(yield* books(LkBook.objects.filter({ pages: { in: [] } }))).toEqual([])
        expect(yield* LkBook.objects.filter({ pages: { in: [] } }).count()).toBe(0)
        expect(yield* LkBook.objects.filter({ pages: { in: [] } }).exists()).toBe(false)
        expect(yield* books(LkBook.objects.filter(Q.or({ pages: { in: [] } }, { name: RU })))).toEqual([RU])
        // exclude of an always-false condition keeps everything, rows with NULLs included.
        expect(yield* books(LkBook.objects.exclude({ pages: { in: [] } }))).toEqual(ALL_BOOKS)
        expect(yield* books(LkBook.objects.exclude({ rating: { in: [] } }))).toEqual(ALL_BOOKS)
        expect(yield* LkBook.objects.exclude({ rating: { in: [] } }).count()).toBe(6)
        expect(yield* books(LkBook.objects.filter(Q.not({ isbn: { in: [] } })))).toEqual(ALL_BOOKS)
      })))

    it.effect("isNull true and false", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* books(LkBook.objects.filter({ rating: { isNull: true } }))).toEqual([EF, GO])
        expect(yield* books(LkBook.objects.filter({ rating: { isNull: false } }))).toEqual([PY, DJ, SQ, RU])
        expect(yield* books(LkBook.objects.filter({ isbn: { isNull: true } }))).toEqual([DJ, SQ])
        expect(yield* books(LkBook.objects.exclude({ isbn: { isNull: true } }))).toEqual([PY, EF, RU, GO])
        expect(yield* books(LkBook.objects.filter({ pages: { isNull: true } }))).toEqual([])
      })))

    // ---- text lookups ----

    it.effect("exact and iexact on text; iexact escapes % and _", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedTexts
        expect(yield* texts(LkText.objects.filter({ body: "Hello World" }))).toEqual(["a"])
        expect(yield* texts(LkText.objects.filter({ body: { iexact: "hello WORLD" } }))).toEqual(["a", "b"])
        expect(yield* texts(LkText.objects.filter({ body: { iexact: "SNAKE_CASE" } }))).toEqual(["e"])
        expect(yield* texts(LkText.objects.filter({ body: { iexact: "100_pure" } }))).toEqual([])
        expect(yield* texts(LkText.objects.filter({ body: { iexact: "100%" } }))).toEqual([])
        expect(yield* texts(LkText.objects.filter({ body: { iexact: "c:\\PATH\\file" } }))).toEqual(["g"])
        expect(yield* texts(LkText.objects.filter({ body: { iexact: "o'reilly'); --" } }))).toEqual(["j"])
      })))

    it.effect("contains and icontains match %, _ and \\ literally", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedTexts
        expect(yield* texts(LkText.objects.filter({ body: { contains: "World" } }))).toEqual(["a"])
        expect(yield* texts(LkText.objects.filter({ body: { contains: "world" } }))).toEqual(["b"])
        expect(yield* texts(LkText.objects.filter({ body: { icontains: "WORLD" } }))).toEqual(["a", "b"])
        expect(yield* texts(LkText.objects.filter({ body: { contains: "%" } }))).toEqual(["c"])
        expect(yield* texts(LkText.objects.filter({ body: { contains: "0%" } }))).toEqual(["c"])
        expect(yield* texts(LkText.objects.filter({ body: { icontains: "% PURE" } }))).toEqual(["c"])
        expect(yield* texts(LkText.objects.filter({ body: { contains: "_" } }))).toEqual(["e"])
        expect(yield* texts(LkText.objects.filter({ body: { contains: "e_c" } }))).toEqual(["e"])
        expect(yield* texts(LkText.objects.filter({ body: { icontains: "E_C" } }))).toEqual(["e"])
        expect(yield* texts(LkText.objects.filter({ body: { contains: "\\" } }))).toEqual(["g"])
        expect(yield* texts(LkText.objects.filter({ body: { contains: "\\p" } }))).toEqual(["g"])
        expect(yield* texts(LkText.objects.filter({ body: { icontains: "\\PATH\\" } }))).toEqual(["g"])
        expect(yield* texts(LkText.objects.filter({ body: { contains: "'); --" } }))).toEqual(["j"])
        expect(yield* texts(LkText.objects.filter({ body: { contains: "" } }))).toEqual(["a", "b", "c", "d", "e", "f", "g", "h", "j"])
      })))

    it.effect("startsWith, iStartsWith, endsWith, iEndsWith match %, _ and \\ literally", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedTexts
        expect(yield* texts(LkText.objects.filter({ body: { startsWith: "hello" } }))).toEqual(["b"])
        expect(yield* texts(LkText.objects.filter({ body: { iStartsWith: "HELLO" } }))).toEqual(["a", "b"])
        expect(yield* texts(LkText.objects.filter({ body: { startsWith: "100" } }))).toEqual(["c", "d"])
        expect(yield* texts(LkText.objects.filter({ body: { startsWith: "100%" } }))).toEqual(["c"])
        expect(yield* texts(LkText.objects.filter({ body: { startsWith: "snake_" } }))).toEqual(["e"])
        expect(yield* texts(LkText.objects.filter({ body: { iStartsWith: "SNAKE_" } }))).toEqual(["e"])
        expect(yield* texts(LkText.objects.filter({ body: { startsWith: "C:\\" } }))).toEqual(["g"])
        expect(yield* texts(LkText.objects.filter({ body: { iStartsWith: "c:\\" } }))).toEqual(["g"])
        expect(yield* texts(LkText.objects.filter({ body: { startsWith: "C:" } }))).toEqual(["g", "h"])
        expect(yield* texts(LkText.objects.filter({ body: { endsWith: "world" } }))).toEqual(["b"])
        expect(yield* texts(LkText.objects.filter({ body: { iEndsWith: "WORLD" } }))).toEqual(["a", "b"])
        expect(yield* texts(LkText.objects.filter({ body: { endsWith: "% pure" } }))).toEqual(["c"])
        expect(yield* texts(LkText.objects.filter({ body: { iEndsWith: "% PURE" } }))).toEqual(["c"])
        expect(yield* texts(LkText.objects.filter({ body: { endsWith: "_case" } }))).toEqual(["e"])
        expect(yield* texts(LkText.objects.filter({ body: { iEndsWith: "E_CASE" } }))).toEqual(["e"])
        expect(yield* texts(LkText.objects.filter({ body: { endsWith: "\\file" } }))).toEqual(["g"])
        expect(yield* texts(LkText.objects.filter({ body: { iEndsWith: "\\FILE" } }))).toEqual(["g"])
        expect(yield* texts(LkText.objects.filter({ body: { endsWith: "pure" } }))).toEqual(["c", "d"])
      })))

    it.effect("regex and iregex (POSIX)", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedTexts
        expect(yield* texts(LkText.objects.filter({ body: { regex: "^hello" } }))).toEqual(["b"])
        expect(yield* texts(LkText.objects.filter({ body: { regex: "^[Hh]ello" } }))).toEqual(["a", "b"])
        expect(yield* texts(LkText.objects.filter({ body: { iregex: "^HELLO" } }))).toEqual(["a", "b"])
        expect(yield* texts(LkText.objects.filter({ body: { regex: "ake.case" } }))).toEqual(["e", "f"])
        expect(yield* texts(LkText.objects.filter({ body: { regex: "^1[0-9]+ " } }))).toEqual(["d"])
        expect(yield* texts(LkText.objects.filter({ body: { regex: "\\\\" } }))).toEqual(["g"])
        expect(yield* texts(LkText.objects.filter({ body: { iregex: "X" } }))).toEqual(["f"])
        expect(yield* texts(LkText.objects.filter({ body: { regex: "X" } }))).toEqual(["f"])
        expect(yield* texts(LkText.objects.filter({ body: { regex: "x" } }))).toEqual([])
      })))

    it.effect("exclude on text lookups keeps rows whose column is NULL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedTexts
        expect(yield* texts(LkText.objects.exclude({ body: { icontains: "o" } }))).toEqual(["c", "d", "e", "f", "g", "h", "i"])
        expect(yield* texts(LkText.objects.exclude({ body: { regex: "^[a-z]" } }))).toEqual(["a", "c", "d", "g", "h", "i", "j"])
        expect(yield* texts(LkText.objects.filter(Q.not({ body: { startsWith: "100" } })))).toEqual([
          "a",
          "b",
          "e",
          "f",
          "g",
          "h",
          "i",
          "j"
        ])
      })))

    // ---- date and time parts ----

    it.effect("year, month, day on a Date field, with nested lookups", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* books(LkBook.objects.filter({ pubdate: { year: 2008 } }))).toEqual([DJ, SQ])
        expect(yield* books(LkBook.objects.filter({ pubdate: { year: { exact: 2008 } } }))).toEqual([DJ, SQ])
        expect(yield* books(LkBook.objects.filter({ pubdate: { year: { gte: 2008 } } }))).toEqual([DJ, EF, SQ, RU])
        expect(yield* books(LkBook.objects.filter({ pubdate: { year: { lt: 2008 } } }))).toEqual([PY, GO])
        expect(yield* books(LkBook.objects.filter({ pubdate: { year: { in: [2005, 2012] } } }))).toEqual([RU, GO])
        expect(yield* books(LkBook.objects.filter({ pubdate: { year: { range: [2007, 2008] } } }))).toEqual([PY, DJ, SQ])
        expect(yield* books(LkBook.objects.filter({ pubdate: { month: 6 } }))).toEqual([DJ])
        expect(yield* books(LkBook.objects.filter({ pubdate: { month: { lte: 2 } } }))).toEqual([EF, RU])
        expect(yield* books(LkBook.objects.filter({ pubdate: { day: 29 } }))).toEqual([RU])
        expect(yield* books(LkBook.objects.filter({ pubdate: { day: { gt: 20 } } }))).toEqual([DJ, RU])
        expect(yield* books(LkBook.objects.filter({ pubdate: { day: { in: [3, 6] } } }))).toEqual([PY, SQ, GO])
        // Several parts in one object are ANDed.
        expect(yield* books(LkBook.objects.filter({ pubdate: { year: 2008, month: { gte: 7 } } }))).toEqual([SQ])
        expect(yield* books(LkBook.objects.exclude({ pubdate: { year: 2008 } }))).toEqual([PY, EF, RU, GO])
      })))

    it.effect("weekDay on a Date field: 1 = Sunday ... 7 = Saturday", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* books(LkBook.objects.filter({ pubdate: { weekDay: 1 } }))).toEqual([GO])
        expect(yield* books(LkBook.objects.filter({ pubdate: { weekDay: 2 } }))).toEqual([DJ, SQ])
        expect(yield* books(LkBook.objects.filter({ pubdate: { weekDay: 4 } }))).toEqual([RU])
        expect(yield* books(LkBook.objects.filter({ pubdate: { weekDay: 5 } }))).toEqual([PY])
        expect(yield* books(LkBook.objects.filter({ pubdate: { weekDay: 7 } }))).toEqual([EF])
        expect(yield* books(LkBook.objects.filter({ pubdate: { weekDay: { in: [1, 7] } } }))).toEqual([EF, GO])
        expect(yield* books(LkBook.objects.filter({ pubdate: { weekDay: { range: [2, 6] } } }))).toEqual([PY, DJ, SQ, RU])
        expect(yield* books(LkBook.objects.filter({ pubdate: { weekDay: 0 } }))).toEqual([])
      })))

    it.effect("year, month, day, weekDay, hour, minute, second, date on a DateTime field", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedEvents
        const ev = (filter: EventFilter) => events(LkEvent.objects.filter(filter))
        expect(yield* ev({ at: { year: 2024 } })).toEqual(["e1", "e2", "e4", "e5"])
        expect(yield* ev({ at: { year: { lt: 2024 } } })).toEqual(["e3"])
        expect(yield* ev({ at: { year: { gte: 2024 }, month: { gte: 3 } } })).toEqual(["e1", "e2", "e5"])
        expect(yield* ev({ at: { month: 3 } })).toEqual(["e1", "e2"])
        expect(yield* ev({ at: { month: { in: [1, 12] } } })).toEqual(["e3", "e4"])
        expect(yield* ev({ at: { day: 10 } })).toEqual(["e1", "e2"])
        expect(yield* ev({ at: { day: { gt: 4 } } })).toEqual(["e1", "e2", "e3"])
        expect(yield* ev({ at: { weekDay: 1 } })).toEqual(["e1", "e2", "e3"])
        expect(yield* ev({ at: { weekDay: 2 } })).toEqual(["e4"])
        expect(yield* ev({ at: { weekDay: { gte: 2 } } })).toEqual(["e4", "e5"])
        expect(yield* ev({ at: { hour: 23 } })).toEqual(["e2", "e3"])
        expect(yield* ev({ at: { hour: { lt: 3 } } })).toEqual(["e1", "e4"])
        expect(yield* ev({ at: { hour: { range: [2, 12] } } })).toEqual(["e1", "e5"])
        expect(yield* ev({ at: { minute: 45 } })).toEqual(["e5"])
        expect(yield* ev({ at: { minute: { in: [0, 30] } } })).toEqual(["e1", "e3", "e4"])
        expect(yield* ev({ at: { second: 15 } })).toEqual(["e1"])
        expect(yield* ev({ at: { second: { gte: 30 } } })).toEqual(["e2", "e5"])
        expect(yield* ev({ at: { second: 0 } })).toEqual(["e3", "e4"])
        expect(yield* ev({ at: { date: "2024-03-10" } })).toEqual(["e1", "e2"])
        expect(yield* ev({ at: { date: { gte: "2024-01-01" } } })).toEqual(["e1", "e2", "e4", "e5"])
        expect(yield* ev({ at: { date: { lt: "2024-01-01" } } })).toEqual(["e3"])
        expect(yield* ev({ at: { date: { in: ["2024-01-01", "2024-07-04"] } } })).toEqual(["e4", "e5"])
        expect(yield* ev({ at: { date: { range: ["2023-12-31", "2024-01-01"] } } })).toEqual(["e3", "e4"])
        expect(yield* ev({ at: { year: 2024, hour: 23, minute: 59 } })).toEqual(["e2"])
        expect(yield* events(LkEvent.objects.exclude({ at: { year: 2024 } }))).toEqual(["e3", "e6"])
        expect(yield* events(LkEvent.objects.exclude({ at: { hour: { gte: 12 } } }))).toEqual(["e1", "e4", "e6"])
      })))

    it.effect("date followed by part lookups, as the DateLookups type allows ({ date: { year } })", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedEvents
        expect(yield* events(LkEvent.objects.filter({ at: { date: { year: 2024 } } }))).toEqual(["e1", "e2", "e4", "e5"])
        expect(yield* events(LkEvent.objects.filter({ at: { date: { month: { gte: 7 } } } }))).toEqual(["e3", "e5"])
      })))

    it.effect("DateTime comparisons and parts are taken in UTC, whatever the session time zone", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedEvents
        const sql = yield* SqlClient.SqlClient
        for (const zone of ["Asia/Tokyo", "America/Los_Angeles"]) {
          yield* sql.unsafe(`SET LOCAL TIME ZONE '${zone}'`)
          const ev = (filter: EventFilter) => events(LkEvent.objects.filter(filter))
          expect(yield* ev({ at: { year: 2023 } })).toEqual(["e3"])
          expect(yield* ev({ at: { day: 10 } })).toEqual(["e1", "e2"])
          expect(yield* ev({ at: { hour: 23 } })).toEqual(["e2", "e3"])
          expect(yield* ev({ at: { weekDay: 1 } })).toEqual(["e1", "e2", "e3"])
          expect(yield* ev({ at: { date: "2024-03-10" } })).toEqual(["e1", "e2"])
          expect(yield* ev({ at: { date: "2024-01-01" } })).toEqual(["e4"])
          expect(yield* ev({ at: utc("2024-03-10T02:30:15.250Z") })).toEqual(["e1"])
          expect(yield* ev({ at: { gt: utc("2024-03-10T02:30:15.250Z") } })).toEqual(["e2", "e5"])
          expect(yield* ev({ at: { lte: utc("2024-01-01T00:00:00Z") } })).toEqual(["e3", "e4"])
          expect(yield* ev({ at: { range: [utc("2024-01-01T00:00:00Z"), utc("2024-03-10T23:59:59Z")] } })).toEqual([
            "e1",
            "e2",
            "e4"
          ])
          expect(yield* ev({ at: { isNull: true } })).toEqual(["e6"])
          // Values read back are the same instants.
          const e2 = yield* LkEvent.objects.get({ label: "e2" })
          expect(e2.at === null ? null : DateTime.formatIso(e2.at)).toBe("2024-03-10T23:59:59.000Z")
        }
      })))

    it.effect("hour, minute, second on a Time field", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedEvents
        expect(yield* events(LkEvent.objects.filter({ time: { hour: 8 } }))).toEqual(["e1"])
        expect(yield* events(LkEvent.objects.filter({ time: { hour: { gte: 12 } } }))).toEqual(["e2", "e5"])
        expect(yield* events(LkEvent.objects.filter({ time: { minute: { in: [5, 45] } } }))).toEqual(["e2", "e5"])
        expect(yield* events(LkEvent.objects.filter({ time: { second: 59 } }))).toEqual(["e3"])
        expect(yield* events(LkEvent.objects.filter({ time: { gt: "12:00:00" } }))).toEqual(["e2", "e5"])
        expect(yield* events(LkEvent.objects.filter({ time: null }))).toEqual(["e4", "e6"])
      })))

    // ---- other value types ----

    it.effect("lookups on Decimal values compare exactly", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedValues
        expect(yield* values(LkValue.objects.filter({ price: dec("1.5") }))).toEqual(["v1"])
        expect(yield* values(LkValue.objects.filter({ price: { exact: dec("10") } }))).toEqual(["v2"])
        expect(yield* values(LkValue.objects.filter({ price: { gt: dec("9.99") } }))).toEqual(["v2", "v3"])
        expect(yield* values(LkValue.objects.filter({ price: { gte: dec("10.00") } }))).toEqual(["v2", "v3"])
        expect(yield* values(LkValue.objects.filter({ price: { lt: dec("99.99") } }))).toEqual(["v1", "v2"])
        expect(yield* values(LkValue.objects.filter({ price: { lte: dec("1.50") } }))).toEqual(["v1"])
        expect(yield* values(LkValue.objects.filter({ price: { in: [dec("1.5"), dec("99.99")] } }))).toEqual(["v1", "v3"])
        expect(yield* values(LkValue.objects.filter({ price: { range: [dec("1.5"), dec("10")] } }))).toEqual(["v1", "v2"])
        expect(yield* values(LkValue.objects.filter({ price: { isNull: true } }))).toEqual(["v4"])
        expect(yield* values(LkValue.objects.exclude({ price: { gt: dec("5") } }))).toEqual(["v1", "v4"])
        // A value between two cents matches nothing exactly.
        expect(yield* values(LkValue.objects.filter({ price: dec("1.505") }))).toEqual([])
      })))

    it.effect("lookups on BigInteger values are exact beyond 2^53", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedValues
        expect(yield* values(LkValue.objects.filter({ big: 2n ** 60n }))).toEqual(["v1"])
        expect(yield* values(LkValue.objects.filter({ big: 9007199254740993n }))).toEqual(["v3"])
        expect(yield* values(LkValue.objects.filter({ big: 9007199254740992n }))).toEqual([])
        expect(yield* values(LkValue.objects.filter({ big: { gt: 0n } }))).toEqual(["v1", "v3"])
        expect(yield* values(LkValue.objects.filter({ big: { gt: 9007199254740993n } }))).toEqual(["v1"])
        expect(yield* values(LkValue.objects.filter({ big: { lte: -5n } }))).toEqual(["v2"])
        expect(yield* values(LkValue.objects.filter({ big: { in: [-5n, 2n ** 60n] } }))).toEqual(["v1", "v2"])
        expect(yield* values(LkValue.objects.filter({ big: { range: [-5n, 9007199254740993n] } }))).toEqual(["v2", "v3"])
        expect(yield* values(LkValue.objects.exclude({ big: { lt: 0n } }))).toEqual(["v1", "v3", "v4"])
        expect((yield* LkValue.objects.get({ label: "v3" })).big).toBe(9007199254740993n)
      })))

    it.effect("lookups on Boolean values, and exclude keeping NULL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedValues
        expect(yield* values(LkValue.objects.filter({ flag: true }))).toEqual(["v1", "v4"])
        expect(yield* values(LkValue.objects.filter({ flag: { exact: false } }))).toEqual(["v2"])
        expect(yield* values(LkValue.objects.filter({ flag: null }))).toEqual(["v3"])
        expect(yield* values(LkValue.objects.filter({ flag: { in: [true, false] } }))).toEqual(["v1", "v2", "v4"])
        expect(yield* values(LkValue.objects.exclude({ flag: true }))).toEqual(["v2", "v3"])
        expect(yield* values(LkValue.objects.filter(Q.not({ flag: false })))).toEqual(["v1", "v3", "v4"])
      })))

    it.effect("lookups on UUID values, case-insensitively as PostgreSQL's uuid", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedValues
        expect(yield* values(LkValue.objects.filter({ uuid: U1 }))).toEqual(["v1"])
        expect(yield* values(LkValue.objects.filter({ uuid: U2.toUpperCase() }))).toEqual(["v2"])
        expect(yield* values(LkValue.objects.filter({ uuid: { in: [U1, U3] } }))).toEqual(["v1", "v4"])
        expect(yield* values(LkValue.objects.filter({ uuid: { isNull: true } }))).toEqual(["v3"])
        expect(yield* values(LkValue.objects.filter({ uuid: { gt: U1 } }))).toEqual(["v2", "v4"])
        expect(yield* values(LkValue.objects.exclude({ uuid: U2 }))).toEqual(["v1", "v3", "v4"])
      })))

    it.effect("lookups on Duration values", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedValues
        expect(yield* values(LkValue.objects.filter({ span: Duration.millis(1500) }))).toEqual(["v2"])
        expect(yield* values(LkValue.objects.filter({ span: { exact: Duration.hours(24) } }))).toEqual(["v3"])
        expect(yield* values(LkValue.objects.filter({ span: { gt: Duration.minutes(1) } }))).toEqual(["v1", "v3"])
        expect(yield* values(LkValue.objects.filter({ span: { lte: Duration.seconds(90) } }))).toEqual(["v1", "v2"])
        expect(yield* values(LkValue.objects.filter({ span: { range: [Duration.seconds(1), Duration.minutes(2)] } })))
          .toEqual(["v1", "v2"])
        expect(yield* values(LkValue.objects.filter({ span: { in: [Duration.seconds(90), Duration.days(1)] } }))).toEqual([
          "v1",
          "v3"
        ])
        expect(yield* values(LkValue.objects.filter({ span: { isNull: true } }))).toEqual(["v4"])
        expect(yield* values(LkValue.objects.exclude({ span: { gt: Duration.minutes(1) } }))).toEqual(["v2", "v4"])
        const v1 = yield* LkValue.objects.get({ label: "v1" })
        expect(v1.span === null ? null : Duration.toMillis(v1.span)).toBe(90_000)
      })))

    // ---- combinations ----

    it.effect("several keys in one filter are ANDed, and chained filters too", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* books(LkBook.objects.filter({ pages: { gt: 300 }, rating: { gte: 3 } }))).toEqual([DJ])
        expect(yield* books(LkBook.objects.filter({ pages: { gt: 300 } }).filter({ rating: { gte: 3 } }))).toEqual([DJ])
        expect(yield* books(LkBook.objects.filter({ pages: { gt: 300 } }, { rating: { gte: 3 } }))).toEqual([DJ])
        expect(yield* books(LkBook.objects.filter({ pubdate: { year: 2008 } }).filter({ pages: { lt: 200 } }))).toEqual([SQ])
        expect(yield* books(LkBook.objects.filter({ pubdate: { year: 2008 } }).exclude({ pages: { lt: 200 } }))).toEqual([DJ])
        expect(yield* books(LkBook.objects.filter({ name: RU, pages: 1 }))).toEqual([])
        // An empty filter object or an empty Q.and matches everything; an empty Q.or matches nothing.
        expect(yield* books(LkBook.objects.filter({}))).toEqual(ALL_BOOKS)
        expect(yield* books(LkBook.objects.filter(Q.and()))).toEqual(ALL_BOOKS)
        expect(yield* books(LkBook.objects.filter(Q.or()))).toEqual([])
      })))

    it.effect("Q.and, Q.or, Q.not, nested", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* books(LkBook.objects.filter(Q.or({ pages: { lt: 200 } }, { pages: { gt: 550 } })))).toEqual([SQ, RU])
        expect(yield* books(LkBook.objects.filter(Q.and({ pages: { gt: 200 } }, { pages: { lt: 400 } })))).toEqual([PY, GO])
        expect(yield* books(LkBook.objects.filter(
          Q.or({ pages: { lt: 200 } }, Q.and({ rating: { gte: 4 } }, { pubdate: { year: 2007 } }))
        ))).toEqual([PY, SQ])
        expect(yield* books(LkBook.objects.filter(
          Q.and(Q.not({ pubdate: { year: 2008 } }), Q.or({ rating: null }, { rating: { gte: 4.5 } }))
        ))).toEqual([PY, EF, GO])
        expect(yield* books(LkBook.objects.filter(Q.not(Q.or({ name: PY }, { name: GO }))))).toEqual([DJ, EF, SQ, RU])
        expect(yield* books(LkBook.objects.filter(Q.not(Q.not({ pages: { gt: 500 } }))))).toEqual([EF, RU])
        expect(yield* books(LkBook.objects.filter(Q.or({ name: PY }, { name: RU }), { pages: { gt: 400 } }))).toEqual([RU])
        expect(yield* books(LkBook.objects.filter(Q.or(Q.and({ rating: { gt: 4 } }, { pages: { lt: 200 } }), { isbn: null }))))
          .toEqual([DJ, SQ])
        expect(yield* books(LkBook.objects.exclude(Q.or({ rating: { gt: 4 } }, { pages: { lt: 200 } })))).toEqual([DJ, EF, RU, GO])
      })))

    it.effect("exclude and Q.not keep rows whose condition is unknown because of NULL (Django)", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* books(LkBook.objects.exclude({ rating: { gt: 3 } }))).toEqual([DJ, EF, RU, GO])
        expect(yield* books(LkBook.objects.filter(Q.not({ rating: { gt: 3 } })))).toEqual([DJ, EF, RU, GO])
        expect(yield* LkBook.objects.exclude({ rating: { gt: 3 } }).count()).toBe(4)
        expect(yield* books(LkBook.objects.exclude({ rating: 3 }))).toEqual([PY, EF, SQ, RU, GO])
        expect(yield* books(LkBook.objects.exclude({ rating: { in: [3, 4.5] } }))).toEqual([EF, SQ, RU, GO])
        expect(yield* books(LkBook.objects.exclude({ isbn: { startsWith: "978" } }))).toEqual([DJ, SQ])
        // exclude(a, b) drops rows where both hold; a NULL makes the conjunction unknown, so the row stays.
        expect(yield* books(LkBook.objects.exclude({ rating: { gt: 3 }, pages: { gt: 200 } }))).toEqual([DJ, EF, SQ, RU, GO])
        expect(yield* books(LkBook.objects.exclude({ rating: { lt: 4 } }, { pages: { gt: 400 } }))).toEqual([PY, EF, SQ, GO])
        // Q.not nested in Q.or keeps the NULL rows too.
        expect(yield* books(LkBook.objects.filter(Q.or(Q.not({ rating: { gte: 3 } }), { name: PY })))).toEqual([PY, EF, RU, GO])
      })))

    it.effect("exclude with no condition (an empty object, or only undefined values) removes nothing, as Django", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        expect(yield* books(LkBook.objects.filter({ rating: undefined }))).toEqual(ALL_BOOKS)
        expect(yield* books(LkBook.objects.exclude({}))).toEqual(ALL_BOOKS)
        expect(yield* books(LkBook.objects.exclude({ rating: undefined }))).toEqual(ALL_BOOKS)
      })))

    it.effect("F expressions compare a column with another column or a computation", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        // pages / 100 is an integer division in PostgreSQL: 3, 4, 5, 1, 6, 3.
        expect(yield* books(LkBook.objects.filter({ rating: { gt: F("pages").div(100) } }))).toEqual([PY, SQ])
        expect(yield* books(LkBook.objects.filter({ pages: F("pages") }))).toEqual(ALL_BOOKS)
        expect(yield* books(LkBook.objects.filter({ pages: { in: [150, F("id").mul(0)] } }))).toEqual([SQ])
        expect(yield* books(LkBook.objects.exclude({ pages: { lt: F("pages").add(1) } }))).toEqual([])
        expect(yield* books(LkBook.objects.filter({ pages: { range: [F("pages").sub(1), 300] } }))).toEqual([PY, SQ])
        const { params, sql } = yield* LkBook.objects.filter({ rating: { gt: F("pages").div(100) } }).toSql()
        expect(sql).toContain(`("t0"."page_count" / $1)`)
        expect(params).toEqual([100])
        yield* expectFieldError(LkBook.objects.filter({ pages: { gt: F("nope" as "pages") } }), "nope")
      })))

    it.effect("pk is an alias of the primary key", () =>
      Testing.isolated(Effect.gen(function*() {
        const created = yield* seedBooks
        const [py, dj, ef] = created.map((b) => b.id)
        expect(yield* books(LkBook.objects.filter({ pk: dj! }))).toEqual([DJ])
        expect(yield* books(LkBook.objects.filter({ pk: { in: [py!, ef!] } }))).toEqual([PY, EF])
        expect(yield* books(LkBook.objects.filter({ pk: { lte: dj! } }))).toEqual([PY, DJ])
        expect(yield* books(LkBook.objects.exclude({ pk: py! }))).toEqual([DJ, EF, SQ, RU, GO])
        expect((yield* LkBook.objects.get({ pk: ef! })).name).toBe(EF)
        expect(yield* books(LkBook.objects.filter(Q.or({ pk: py! }, { name: RU })))).toEqual([PY, RU])
      })))

    // ---- dynamic bad input ----

    it.effect("an unknown field or lookup is a FieldError before any SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        yield* expectFieldError(LkBook.objects.filter({ nope: 1 } as any), "nope")
        yield* expectFieldError(LkBook.objects.filter({ pages: { like: 3 } } as any), "pages", "like")
        yield* expectFieldError(LkBook.objects.filter({ pages: { gt: 1, between: [1, 2] } } as any), "pages", "between")
        yield* expectFieldError(LkBook.objects.filter({ pubdate: { year: { near: 2008 } } } as any), "pubdate", "near")
        yield* expectFieldError(LkBook.objects.filter(Q.or({ name: PY }, { name: { matches: "x" } } as any)), "name", "matches")
        yield* expectFieldError(LkBook.objects.exclude({ pages: { like: 3 } } as any), "pages", "like")
      })))

    it.effect("a lookup not valid for the field's type is a FieldError before any SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        yield* seedValues
        yield* seedEvents
        yield* expectFieldError(LkBook.objects.filter({ pages: { contains: "3" } } as any), "pages", "contains")
        yield* expectFieldError(LkBook.objects.filter({ pages: { regex: "3" } } as any), "pages", "regex")
        yield* expectFieldError(LkBook.objects.filter({ name: { year: 2008 } } as any), "name", "year")
        yield* expectFieldError(LkBook.objects.filter({ pubdate: { hour: 3 } } as any), "pubdate", "hour")
        yield* expectFieldError(LkBook.objects.filter({ pubdate: { date: "2008-06-23" } } as any), "pubdate", "date")
        yield* expectFieldError(LkBook.objects.filter({ pubdate: { icontains: "2008" } } as any), "pubdate", "icontains")
        yield* expectFieldError(LkEvent.objects.filter({ time: { year: 2024 } } as any), "time", "year")
        yield* expectFieldError(LkEvent.objects.filter({ at: { year: { contains: "2" } } } as any), "at", "contains")
        yield* expectFieldError(LkValue.objects.filter({ price: { startsWith: "1" } } as any), "price", "startsWith")
        yield* expectFieldError(LkValue.objects.filter({ flag: { month: 1 } } as any), "flag", "month")
      })))

    it.effect("a value of the wrong type is a FieldError naming field and lookup, before any SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        yield* seedValues
        yield* expectFieldError(LkBook.objects.filter({ pages: "300" } as any), "pages", "exact")
        yield* expectFieldError(LkBook.objects.filter({ pages: { exact: 3.5 } } as any), "pages", "exact")
        yield* expectFieldError(LkBook.objects.filter({ pages: { gt: "300" } } as any), "pages", "gt")
        yield* expectFieldError(LkBook.objects.filter({ pages: { in: [1, "2"] } } as any), "pages", "in")
        yield* expectFieldError(LkBook.objects.filter({ pages: { gt: 2 ** 31 } }), "pages", "gt")
        yield* expectFieldError(LkBook.objects.filter({ name: 5 } as any), "name", "exact")
        yield* expectFieldError(LkBook.objects.filter({ name: { contains: 5 } } as any), "name", "contains")
        yield* expectFieldError(LkBook.objects.filter({ name: { iStartsWith: null } } as any), "name", "iStartsWith")
        yield* expectFieldError(LkBook.objects.filter({ pages: { in: 300 } } as any), "pages", "in")
        yield* expectFieldError(LkBook.objects.filter({ pages: { in: "300" } } as any), "pages", "in")
        yield* expectFieldError(LkBook.objects.filter({ pages: { range: [1, 2, 3] } } as any), "pages", "range")
        yield* expectFieldError(LkBook.objects.filter({ pages: { range: [1] } } as any), "pages", "range")
        yield* expectFieldError(LkBook.objects.filter({ pages: { range: [1, "x"] } } as any), "pages", "range")
        yield* expectFieldError(LkBook.objects.filter({ rating: { gt: null } } as any), "rating", "gt")
        yield* expectFieldError(LkBook.objects.filter({ rating: { isNull: "yes" } } as any), "rating", "isNull")
        yield* expectFieldError(LkBook.objects.filter({ pubdate: "2008-02-30" } as any), "pubdate", "exact")
        yield* expectFieldError(LkBook.objects.filter({ pubdate: { year: "2008" } } as any), "pubdate", "year")
        yield* expectFieldError(LkBook.objects.filter({ pubdate: { year: { gte: "2008" } } } as any), "pubdate", "year", "gte")
        yield* expectFieldError(LkValue.objects.filter({ price: 1.5 } as any), "price", "exact")
        yield* expectFieldError(LkValue.objects.filter({ big: 5 } as any), "big", "exact")
        yield* expectFieldError(LkValue.objects.filter({ flag: "true" } as any), "flag", "exact")
        yield* expectFieldError(LkValue.objects.filter({ uuid: { in: ["not-a-uuid"] } } as any), "uuid", "in")
        yield* expectFieldError(LkValue.objects.filter({ span: { gt: 1000 } } as any), "span", "gt")
        yield* expectFieldError(LkValue.objects.filter({ span: { gt: Duration.infinity } } as any), "span", "gt")
      })))

    it.effect("bad input fails every terminal operation before any SQL, and leaves the data unchanged", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedBooks
        const snapshot = LkBook.objects.orderBy("id").valuesList("name", "pages", "rating")
        const before = yield* snapshot
        const bad = LkBook.objects.filter({ pages: { contains: "3" } } as any)
        yield* expectFieldError(bad, "pages", "contains")
        yield* expectFieldError(bad.count(), "pages", "contains")
        yield* expectFieldError(bad.exists(), "pages", "contains")
        yield* expectFieldError(bad.first(), "pages", "contains")
        yield* expectFieldError(bad.get(), "pages", "contains")
        yield* expectFieldError(bad.values("name"), "pages", "contains")
        yield* expectFieldError(bad.toSql(), "pages", "contains")
        yield* expectFieldError(bad.update({ pages: 1 }), "pages", "contains")
        yield* expectFieldError(bad.delete(), "pages", "contains")
        yield* expectFieldError(LkBook.objects.exclude({ pages: "x" } as any).delete(), "pages", "exact")
        yield* expectFieldError(LkBook.objects.filter(Q.not({ rating: { range: [1, 2, 3] } } as any)).update({ pages: 2 }), "rating", "range")
        yield* expectFieldError(LkBook.objects.get({ nope: 1 } as any), "nope")
        expect(yield* snapshot).toEqual(before)
        expect(yield* LkBook.objects.count()).toBe(6)
      })))

    // ---- parameters ----

    it.effect("every value is a bound parameter: the SQL text never contains the user's value", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seedTexts
        yield* seedBooks
        yield* seedEvents
        const check = (compiled: { readonly sql: string; readonly params: ReadonlyArray<unknown> }, secret: string) => {
          expect(compiled.sql).not.toContain(secret)
          expect(compiled.sql).not.toContain("Reilly")
          expect(compiled.sql).not.toContain("--")
          expect(compiled.params.some((p) => String(p).includes(secret))).toBe(true)
          // As many placeholders as parameters.
          const placeholders = new Set(compiled.sql.match(/\$\d+/g) ?? [])
          expect(placeholders.size).toBe(compiled.params.length)
        }
        const textFilters = [
          { body: EVIL },
          { body: { exact: EVIL } },
          { body: { iexact: EVIL } },
          { body: { contains: EVIL } },
          { body: { icontains: EVIL } },
          { body: { startsWith: EVIL } },
          { body: { iStartsWith: EVIL } },
          { body: { endsWith: EVIL } },
          { body: { iEndsWith: EVIL } },
          { body: { regex: EVIL.replace("(", "\\(").replace(")", "\\)") } },
          { body: { iregex: EVIL.replace("(", "\\(").replace(")", "\\)") } },
          { body: { in: ["x", EVIL] } },
          { body: { gt: EVIL } },
          { body: { gte: EVIL } },
          { body: { lt: EVIL } },
          { body: { lte: EVIL } },
          { body: { range: [EVIL, `${EVIL}z`] } }
        ] as const
        for (const filter of textFilters) {
          check(yield* LkText.objects.filter(filter).toSql(), "O'Reilly")
          check(yield* LkText.objects.exclude(filter).toSql(), "O'Reilly")
          check(yield* LkText.objects.filter(Q.or(Q.not(filter), { label: "zz" })).toSql(), "O'Reilly")
          // And it runs: the value is data, not SQL.
          yield* LkText.objects.filter(filter).count()
        }
        expect(yield* texts(LkText.objects.filter({ body: EVIL }))).toEqual(["j"])
        expect(yield* texts(LkText.objects.filter({ body: { iStartsWith: "o'reilly'" } }))).toEqual(["j"])
        check(yield* LkBook.objects.filter({ pages: 31337 }).toSql(), "31337")
        check(yield* LkBook.objects.filter({ pages: { in: [31337, 4242] } }).toSql(), "4242")
        check(yield* LkBook.objects.filter({ pubdate: { year: { gte: 1987 } } }).toSql(), "1987")
        check(yield* LkBook.objects.filter({ pubdate: "1999-12-31" }).toSql(), "1999-12-31")
        check(yield* LkBook.objects.filter({ rating: { gt: 4.25 } }).toSql(), "4.25")
        check(yield* LkEvent.objects.filter({ at: { date: "2024-03-10" } }).toSql(), "2024-03-10")
        check(yield* LkEvent.objects.filter({ at: { gt: utc("2024-03-10T02:30:15.250Z") } }).toSql(), "2024-03-10")
        check(yield* LkBook.objects.orderBy("name").slice(4243, 4343).toSql(), "4243")
        check(yield* LkBook.objects.orderBy("name").slice(4243, 4343).toSql(), "100")
      })))
  })
}
