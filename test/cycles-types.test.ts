/**
 * Type-level tests of cycles (checked by `npm run typecheck`): models that reference each other compile with one
 * annotated thunk per cycle, `(): Model.Ref<Target> => Target` (with the key's type when the target's primary key
 * is not a number), and every typed operation then works across the cycle.
 */
import type { Effect } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import { Field, Model } from "../src/index.js"

type Rows<Q> = Q extends Effect.Effect<ReadonlyArray<infer R>, any, any> ? R : never

/** A two-model cycle: an order has its customer, a customer its latest order (the annotated key). */
class CyOrder extends Model.Class<CyOrder>("CyOrder")({
  id: Field.AutoField(),
  total: Field.Integer(),
  customer: Field.ForeignKey(() => CyCustomer, { onDelete: "CASCADE", relatedName: "orders" })
}) {}

class CyCustomer extends Model.Class<CyCustomer>("CyCustomer")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  latestOrder: Field.ForeignKey((): Model.Ref<CyOrder> => CyOrder, { onDelete: "SET_NULL", nullable: true }),
  orders: Field.Reverse((): Model.Ref<CyOrder> => CyOrder, "customer")
}) {}

/** A three-model cycle: a team has a league, a league a region, a region its champion team (the annotated key). */
class CyTeam extends Model.Class<CyTeam>("CyTeam")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  league: Field.ForeignKey(() => CyLeague, { onDelete: "CASCADE" })
}) {}

class CyLeague extends Model.Class<CyLeague>("CyLeague")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  region: Field.ForeignKey(() => CyRegion, { onDelete: "CASCADE" })
}) {}

class CyRegion extends Model.Class<CyRegion>("CyRegion")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 50 }),
  champion: Field.ForeignKey((): Model.Ref<CyTeam> => CyTeam, { onDelete: "SET_NULL", nullable: true })
}) {}

/** A self-reference, and a self-referential many-to-many. */
class CyNode extends Model.Class<CyNode>("CyNode")({
  id: Field.AutoField(),
  label: Field.Char({ maxLength: 50 }),
  parent: Field.ForeignKey((): Model.Ref<CyNode> => CyNode, { onDelete: "CASCADE", nullable: true, relatedName: "children" }),
  children: Field.Reverse((): Model.Ref<CyNode> => CyNode, "parent"),
  links: Field.ManyToMany((): Model.Ref<CyNode> => CyNode)
}) {}

/** A model every other model references (an audit key), declaring every reverse side: the hub. */
class CyUser extends Model.Class<CyUser>("CyUser")({
  id: Field.AutoField(),
  email: Field.Char({ maxLength: 100 }),
  docs: Field.Reverse((): Model.Ref<CyDoc> => CyDoc, "createdBy"),
  notes: Field.Reverse((): Model.Ref<CyNote> => CyNote, "createdBy"),
  tags: Field.Reverse((): Model.Ref<CyTag, string> => CyTag, "createdBy")
}) {}

class CyDoc extends Model.Class<CyDoc>("CyDoc")({
  id: Field.AutoField(),
  title: Field.Char({ maxLength: 50 }),
  createdBy: Field.ForeignKey(() => CyUser, { onDelete: "PROTECT" }),
  tag: Field.ForeignKey((): Model.Ref<CyTag, string> => CyTag, { onDelete: "SET_NULL", nullable: true })
}) {}

class CyNote extends Model.Class<CyNote>("CyNote")({
  id: Field.AutoField(),
  body: Field.Text(),
  createdBy: Field.ForeignKey(() => CyUser, { onDelete: "PROTECT" }),
  doc: Field.ForeignKey(() => CyDoc, { onDelete: "CASCADE" })
}) {}

/** A primary key that is not a number: the annotation names its type. */
class CyTag extends Model.Class<CyTag>("CyTag")({
  code: Field.Char({ maxLength: 10, primaryKey: true }),
  createdBy: Field.ForeignKey(() => CyUser, { onDelete: "PROTECT" }),
  parent: Field.ForeignKey((): Model.Ref<CyTag, string> => CyTag, { onDelete: "SET_NULL", nullable: true })
}) {}

describe("cycles compile with one Model.Ref<Target> per cycle", () => {
  it("a two-model cycle", () => {
    expectTypeOf<CyOrder["customerId"]>().toEqualTypeOf<number>()
    expectTypeOf<CyCustomer["latestOrderId"]>().toEqualTypeOf<number | null>()
    CyOrder.objects.filter({ customer: { latestOrder: { total: { gt: 10 } } } }).orderBy("customer.latestOrder.customer.name")
    CyCustomer.objects.selectRelated("latestOrder.customer").prefetchRelated("orders.customer")
    CyCustomer.objects.create({ name: "Ann", latestOrderId: null })
    CyOrder.objects.create({ total: 1, customerId: 1 })
  })

  it("a three-model cycle", () => {
    expectTypeOf<CyRegion["championId"]>().toEqualTypeOf<number | null>()
    expectTypeOf<CyTeam["leagueId"]>().toEqualTypeOf<number>()
    const values = CyTeam.objects.values("league.region.champion.league.name")
    expectTypeOf<Rows<typeof values>>().toEqualTypeOf<{ readonly "league.region.champion.league.name": string | null }>()
    CyRegion.objects.filter({ champion: { league: { region: { name: "North" } } } })
    CyLeague.objects.selectRelated("region.champion.league.region")
  })

  it("a self-reference", () => {
    expectTypeOf<CyNode["parentId"]>().toEqualTypeOf<number | null>()
    CyNode.objects.filter({ parent: { parent: { label: "root" } }, children: { links: { label: "x" } } })
    CyNode.objects.prefetchRelated("children.children", "links.parent").orderBy("-parent.parent.label")
    CyNode.objects.create({ label: "leaf", parentId: 1 })
    // @ts-expect-error the key is a number
    CyNode.objects.create({ label: "leaf", parentId: "1" })
  })

  it("a model referenced by every other model, with its reverse sides", () => {
    expectTypeOf<CyDoc["createdById"]>().toEqualTypeOf<number>()
    expectTypeOf<CyDoc["tagId"]>().toEqualTypeOf<string | null>()
    CyUser.objects.filter({ docs: { title: "x" }, notes: { doc: { createdBy: { email: "a" } } }, tags: { code: "t" } })
    CyUser.objects.values("email", "docs.title", "notes.doc.tag.parent.code").orderBy("-tags.parent.createdBy.email")
    CyUser.objects.prefetchRelated("docs.createdBy.notes", "tags")
    CyNote.objects.create({ body: "b", createdById: 1, docId: 2 })
  })

  it("a key of another type is given with the annotation, and checked", () => {
    expectTypeOf<CyTag["parentId"]>().toEqualTypeOf<string | null>()
    class CyWrong extends Model.Class<CyWrong>("CyWrong")({
      code: Field.Char({ maxLength: 10, primaryKey: true }),
      // @ts-expect-error CyWrong's primary key is a string: Model.Ref<CyWrong, string>
      parent: Field.ForeignKey((): Model.Ref<CyWrong> => CyWrong, { onDelete: "SET_NULL", nullable: true })
    }) {}
    expectTypeOf<CyWrong["code"]>().toEqualTypeOf<string>()
  })
})
