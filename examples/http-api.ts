/**
 * A small JSON API over one model, on Node's own HTTP server and the embedded PostgreSQL (PGlite, in memory): request
 * bodies are decoded with `Model.createInput` and `Model.updateInput`, rows are encoded with the model's Schema.
 * Run with `npx tsx examples/http-api.ts`, then:
 *
 *   curl -X POST localhost:3000/books -d '{"name":"Rust in Action","pages":456,"price":"39.90","pubdate":"2021-08-10"}'
 *   curl localhost:3000/books/1
 *   curl -X PATCH localhost:3000/books/1 -d '{"price":"35.00"}'
 *   curl localhost:3000/books
 *   curl 'localhost:3000/books?pages__gte=300&name__icontains=rust&ordering=-pubdate'
 *   curl 'localhost:3000/books?pages__gte=lots'        # 400, listing every bad parameter
 */
import { createServer } from "node:http"
import { Effect, ManagedRuntime, Schema } from "effect"
import { Field, FilterSet, Model, PGlite, Tables } from "effect-orm"

class Book extends Model.Class<Book>("Book")({
  id: Field.AutoField(),
  name: Field.Char({ maxLength: 255 }),
  pages: Field.Integer({ validators: [Schema.isGreaterThan(0)] }),
  price: Field.Decimal({ maxDigits: 6, decimalPlaces: 2 }),
  pubdate: Field.Date(),
  rating: Field.Float({ nullable: true }),
  version: Field.Version()
}, { table: "book", ordering: ["name"] }) {}

const runtime = ManagedRuntime.make(PGlite.layer())

const CreateBook = Model.createInput(Book)   // name, pages, price, pubdate; rating optional; no id, no version
const UpdateBook = Model.updateInput(Book)   // every writable column, all optional
const encode = Schema.encodeSync(Book)

// What a search may filter and order by: nothing else reaches the QuerySet.
const BookSearch = FilterSet.make(Book, {
  fields: {
    name: ["icontains", "startsWith"],
    pages: ["exact", "gte", "lte", "range"],
    price: ["lte", "gte"],
    pubdate: ["year", "gte", "lt"],
    rating: ["gte", "isNull"]
  },
  ordering: ["name", "pubdate", "pages", "price"]
})

interface Reply {
  readonly status: number
  readonly body: unknown
}

const reply = (status: number, body: unknown): Reply => ({ status, body })

/** The response to one request. */
const route = (method: string, url: URL, body: unknown) =>
  Effect.gen(function*() {
    const path = url.pathname
    const id = /^\/books\/(\d+)$/.exec(path)?.[1]
    if (method === "GET" && path === "/books") {
      const books = yield* BookSearch.apply(Book.objects.all(), FilterSet.fromSearchParams(url.searchParams))
      return reply(200, (yield* books).map((book) => encode(book)))
    }
    if (method === "POST" && path === "/books") {
      const input = yield* Schema.decodeUnknownEffect(CreateBook)(body, { errors: "all" })
      return reply(201, encode(yield* Book.objects.create(input)))
    }
    if (method === "GET" && id !== undefined) {
      return reply(200, encode(yield* Book.objects.get({ pk: Number(id) })))
    }
    if (method === "PATCH" && id !== undefined) {
      const values = yield* Schema.decodeUnknownEffect(UpdateBook)(body, { errors: "all" })
      yield* Book.objects.filter({ pk: Number(id) }).update(values)
      return reply(200, encode(yield* Book.objects.get({ pk: Number(id) })))
    }
    return reply(404, { error: "not found" })
  }).pipe(
    // Every failure the ORM can report becomes a status and a message.
    Effect.catchTags({
      SchemaError: (e) => Effect.succeed(reply(400, { error: e.message })),
      ParamsError: (e) => Effect.succeed(reply(400, { error: "bad parameters", issues: e.issues })),
      ValidationError: (e) => Effect.succeed(reply(400, { error: e.message, issues: e.issues })),
      DoesNotExist: () => Effect.succeed(reply(404, { error: "no such book" })),
      IntegrityError: (e) => Effect.succeed(reply(409, { error: e.message }))
    }),
    Effect.catchCause((cause) => Effect.as(Effect.logError("request failed", cause), reply(500, { error: "internal error" })))
  )

const server = createServer((request, response) => {
  let text = ""
  request.setEncoding("utf8")
  request.on("data", (chunk: string) => (text += chunk))
  request.on("end", () => {
    let body: unknown
    try {
      body = text === "" ? undefined : JSON.parse(text)
    } catch {
      response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: "the body is not JSON" }))
      return
    }
    runtime.runPromise(route(request.method ?? "GET", new URL(request.url ?? "/", "http://localhost"), body)).then(({ body, status }) =>
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
    )
  })
})

const port = Number(process.env.PORT ?? 3000)
runtime.runPromise(Tables.create(Book)).then(() =>
  server.listen(port, () => console.log(`Listening on http://localhost:${port}/books (Ctrl-C to stop)`))
)
process.on("SIGINT", () => {
  server.close()
  runtime.dispose().then(() => process.exit(0))
})
