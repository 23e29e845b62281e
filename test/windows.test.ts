/**
 * Window functions on Django's `aggregation` data set, on every driver: ranks and row numbers per partition, offsets,
 * first/last/nth values, aggregates over a window with frames, and filters on a window annotation (the query as a
 * subquery, as Django 4.2).
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import {
  Avg, Count, CumeDist, DenseRank, F, FirstValue, Lag, LastValue, Lead, NthValue, Ntile, PercentRank, Rank, RowNumber, Sum, Window
} from "../src/index.js"
import * as Testing from "../src/testing/index.js"
import { Book, models, Publisher, seed } from "./fixtures/aggregation.js"

for (const driver of Testing.drivers(models)) {
  layer(driver.layer)(driver.name, (it) => {
    it.effect("ranks, row numbers and distributions per partition", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const rows = yield* Book.objects.annotate({
          rank: Window(Rank(), { orderBy: [F("rating").desc()] }),
          dense: Window(DenseRank(), { orderBy: [F("rating").desc()] }),
          number: Window(RowNumber(), { partitionBy: ["publisher"], orderBy: [F("pubdate").asc()] }),
          percent: Window(PercentRank(), { orderBy: [F("rating").asc()] }),
          cume: Window(CumeDist(), { orderBy: [F("rating").asc()] }),
          tile: Window(Ntile(2), { orderBy: [F("pk").asc()] })
        }).orderBy("pk").valuesList("rating", "rank", "dense", "number", "percent", "cume", "tile")
        expect(rows).toEqual([
          [4.5, 2, 2, 1, 0.8, 5 / 6, 1], [3, 6, 4, 1, 0, 1 / 6, 1], [4, 3, 3, 2, 0.2, 4 / 6, 1],
          [4, 3, 3, 2, 0.2, 4 / 6, 2], [4, 3, 3, 1, 0.2, 4 / 6, 2], [5, 1, 1, 1, 1, 1, 2]
        ])
      })))

    it.effect("Lag, Lead, FirstValue, LastValue and NthValue, with defaults and frames", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const rows = yield* Book.objects.annotate({
          before: Window(Lag("pages"), { orderBy: ["pk"] }),
          after: Window(Lead("pages", 2, 0), { orderBy: ["pk"] }),
          first: Window(FirstValue("pages"), { partitionBy: ["publisher"], orderBy: ["pk"] }),
          last: Window(LastValue("pages"), { partitionBy: ["publisher"], orderBy: ["pk"], frame: { unit: "rows", start: "unboundedPreceding", end: "unboundedFollowing" } }),
          second: Window(NthValue("pages", 2), { orderBy: ["pk"], frame: { unit: "rows", start: "unboundedPreceding", end: "unboundedFollowing" } })
        }).orderBy("pk").valuesList("pk", "pages", "before", "after", "first", "last", "second")
        expect(rows).toEqual([
          [1, 447, null, 300, 447, 300, 528], [2, 528, 447, 350, 528, 528, 528], [3, 300, 528, 1132, 447, 300, 528],
          [4, 350, 300, 946, 350, 1132, 528], [5, 1132, 350, 0, 350, 1132, 528], [6, 946, 1132, 0, 946, 946, 528]
        ])
      })))

    it.effect("aggregates over a window: running totals, moving averages, per-partition counts", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const rows = yield* Book.objects.annotate({
          running: Window(Sum("pages"), { orderBy: ["pk"], frame: { unit: "rows", start: "unboundedPreceding", end: "currentRow" } }),
          moving: Window(Avg("pages"), { orderBy: ["pk"], frame: { unit: "rows", start: { preceding: 1 }, end: { following: 1 } } }),
          perPublisher: Window(Count("id"), { partitionBy: ["publisher"] })
        }).orderBy("pk").valuesList("running", "moving", "perPublisher")
        expect(rows.map(([r, m, p]) => [r, Math.round(m! * 100) / 100, p])).toEqual([
          [447, 487.5, 2], [975, 425, 1], [1275, 392.67, 2], [1625, 594, 2], [2757, 809.33, 2], [3703, 1039, 1]
        ])
        // A rank by an aggregate of a relation, per row.
        const ranked = yield* Publisher.objects.annotate({ n: Count("books") }).annotate({ place: Window(Rank(), { orderBy: [F("n").desc()] }) }).orderBy("place", "pk").valuesList("name", "n", "place")
        expect(ranked).toEqual([["Apress", 2, 1], ["Prentice Hall", 2, 1], ["Sams", 1, 3], ["Morgan Kaufmann", 1, 3], ["Jonno's House of Books", 0, 5]])
      })))

    it.effect("a filter on a window annotation runs on the computed rows; ordering, slicing and counting follow", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const best = Book.objects.annotate({ place: Window(RowNumber(), { partitionBy: ["publisher"], orderBy: [F("rating").desc(), F("pk").asc()] }) })
          .filter({ place: 1 }, { pages: { gt: 300 } })
        expect(yield* best.orderBy("pk").valuesList("pk", { flat: true })).toEqual([1, 2, 4, 6])
        expect(yield* best.count()).toBe(4)
        expect(yield* best.orderBy("-pk").slice(1, 3).valuesList("pk", { flat: true })).toEqual([4, 2])
        // Not the first of its publisher, with `alias` (not selected) and exclude.
        const rest = yield* Book.objects.alias({ place: Window(RowNumber(), { partitionBy: ["publisher"], orderBy: ["pk"] }) }).exclude({ place: 1 }).orderBy("pk")
        expect(rest.map((b) => b.id)).toEqual([3, 5])
        expect(Object.keys(rest[0]!)).not.toContain("place")
      })))

    it.effect("window misuse is a FieldError before SQL", () =>
      Testing.isolated(Effect.gen(function*() {
        yield* seed
        const reason = (effect: any) => Effect.map(Effect.flip(effect as Effect.Effect<unknown, any>), (e: any) => `${e._tag}: ${e.reason}`)
        expect(yield* reason(Book.objects.annotate({ x: RowNumber() as any }))).toMatch(/FieldError: .*window function/)
        expect(yield* reason(Book.objects.annotate({ x: Window(F("pages") as any) }))).toMatch(/FieldError: .*Window takes/)
        expect(yield* reason(Book.objects.annotate({ x: Window(Sum("authors.age")) }))).toMatch(/FieldError: .*many-valued/)
        expect(yield* reason(Book.objects.annotate({ x: Window(Sum("pages"), { frame: { unit: "rows", start: { preceding: -1 }, end: "currentRow" } }) }))).toMatch(/non-negative integer/)
        expect(yield* reason(Book.objects.annotate({ x: Window(Sum("pages"), { frame: { unit: "rows", start: "currentRow", end: { preceding: 1 } } }) }))).toMatch(/empty/)
        expect(yield* reason(Book.objects.annotate({ x: Window(Lag("pages", true as any)) }))).toMatch(/offset/)
        expect(yield* reason(Book.objects.filter({ pages: { gt: Window(RowNumber()) as any } }))).toMatch(/FieldError/)
        expect(yield* reason(Book.objects.aggregate({ x: Sum(Window(RowNumber()) as any) as any }))).toMatch(/FieldError: .*contains a window/)
        expect(yield* Book.objects.count()).toBe(6)
      })))
  })
}
