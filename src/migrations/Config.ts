/**
 * The project's configuration for the `effect-orm` command: `effect-orm.config.ts` at the project root exports
 * `defineConfig({ models, migrations, layer })` as default.
 *
 * @since 0.3.0
 */
import type * as Layer from "effect/Layer"
import type { Db } from "../internal/service.js"
import type * as Model from "../Model.js"

/** What the command needs to know about a project. @since 0.3.0 */
export interface Config {
  /** Every model of the application (their many-to-many join models come with them). */
  readonly models: ReadonlyArray<Model.Any>
  /** The migrations folder, relative to the config file; `migrations` by default. */
  readonly migrations?: string | undefined
  /** The database to migrate and introspect: a driver layer, such as `Postgres.layerFromEnv()`. */
  readonly layer: Layer.Layer<Db, unknown>
  /** Where migration files import `Migration` from; `effect-orm/migrations` by default. */
  readonly importFrom?: string | undefined
}

/** Declares the configuration (typed, nothing more). @since 0.3.0 */
export const defineConfig = (config: Config): Config => config

/** Whether a module's default export looks like a configuration. @since 0.3.0 */
export const isConfig = (u: unknown): u is Config =>
  typeof u === "object" && u !== null && Array.isArray((u as Config).models) && typeof (u as Config).layer === "object"
