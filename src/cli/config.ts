/**
 * Finding and loading the project's `effect-orm.config.ts`. TypeScript configs (and the models they import) are
 * loaded through the project's `tsx` when it has one, which handles what Node's own type stripping does not
 * (`.js` specifiers that name `.ts` files, enums, decorators); otherwise through Node's type stripping.
 * @internal
 */
import * as Effect from "effect/Effect"
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { MigrationError } from "../Errors.js"
import { type Config, isConfig } from "../migrations/Config.js"

/** The names looked for in the working directory, in order. @internal */
export const CONFIG_NAMES = ["effect-orm.config.ts", "effect-orm.config.mts", "effect-orm.config.js", "effect-orm.config.mjs"]

/** A loaded configuration, with its folder resolved. @internal */
export interface Loaded {
  readonly path: string
  readonly config: Config
  /** The migrations folder, absolute. */
  readonly folder: string
}

const loadError = (message: string, cause?: unknown) => new MigrationError({ problem: "load", message, cause })

/** Registers the project's tsx loader, when the project has tsx; says whether it did. */
const registerTsx = async (from: string): Promise<boolean> => {
  let dir: string
  try {
    dir = dirname(createRequire(join(from, "package.json")).resolve("tsx/package.json"))
  } catch {
    return false
  }
  const api = await import(pathToFileURL(join(dir, "dist", "esm", "api", "index.mjs")).href)
  api.register()
  return true
}

/** Loads the configuration at `path`, or the first of `CONFIG_NAMES` in `cwd`. @internal */
export const load = (cwd: string, path?: string): Effect.Effect<Loaded, MigrationError> =>
  Effect.gen(function*() {
    const file = path !== undefined ? resolve(cwd, path) : CONFIG_NAMES.map((n) => join(cwd, n)).find((p) => existsSync(p))
    if (file === undefined || !existsSync(file)) {
      return yield* loadError(
        path !== undefined
          ? `No configuration at ${file}`
          : `No effect-orm.config.ts in ${cwd}: create one exporting defineConfig({ models, migrations, layer }) (see docs/migrations.md), or pass --config`
      )
    }
    const module = yield* Effect.tryPromise({
      try: async () => {
        if (/\.m?ts$/.test(file)) await registerTsx(dirname(file))
        return import(pathToFileURL(file).href)
      },
      catch: (cause) => loadError(`Cannot load ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, cause)
    })
    const config = module.default
    if (!isConfig(config)) {
      return yield* loadError(`${file} must export defineConfig({ models, migrations, layer }) as default`)
    }
    return { path: file, config, folder: resolve(dirname(file), config.migrations ?? "migrations") }
  })
