/**
 * Migrations: files of operations that evolve a schema, the autodetector that writes them from the models, and the
 * runner that applies them (`effect-orm/migrations`). The `effect-orm` command line is built on this module.
 *
 * @since 0.3.0
 */
export * as Migration from "./Migration.js"
export * as Migrator from "./Migrator.js"
export * as Config from "./Config.js"
export { defineConfig } from "./Config.js"
export { MigrationError } from "../Errors.js"
