/**
 * The `effect-orm` command's configuration for the examples: their models, their migrations folder, and a database
 * (the server at DATABASE_URL; the quick start itself migrates an in-memory PGlite).
 */
import { Postgres } from "effect-orm"
import { defineConfig } from "effect-orm/migrations"
import { Author, Book, Publisher } from "./models.js"

export default defineConfig({
  models: [Publisher, Author, Book],
  migrations: "migrations",
  layer: Postgres.layerFromEnv()
})
