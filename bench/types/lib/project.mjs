// Writes a generated project to disk: its files, a package.json (ESM, for NodeNext resolution), a tsconfig with the
// root project's compiler options where they matter, and a node_modules link to the packages it imports.
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import path from "node:path"

/** The options copied from the root tsconfig: those that change what type-checks and how much work it is. */
const ROOT_OPTIONS = [
  "target", "module", "moduleResolution", "lib", "strict", "exactOptionalPropertyTypes", "noUncheckedIndexedAccess",
  "noImplicitOverride", "esModuleInterop", "types"
]

/** The root project's compiler options (the tsconfig has comments: TypeScript's own parser reads it). */
export const rootCompilerOptions = (repoRoot, tscDir) => {
  const ts = createRequire(path.join(tscDir, "package.json"))("typescript")
  const file = path.join(repoRoot, "tsconfig.json")
  const { config, error } = ts.parseConfigFileTextToJson(file, readFileSync(file, "utf8"))
  if (error) throw new Error(`cannot read ${file}: ${ts.flattenDiagnosticMessageText(error.messageText, "\n")}`)
  return Object.fromEntries(ROOT_OPTIONS.filter((k) => k in config.compilerOptions).map((k) => [k, config.compilerOptions[k]]))
}

/**
 * The generated tsconfig: the root's options, skipLibCheck (as the root has it, so that the libraries' own
 * declarations are not what is measured), `paths` for "effect-orm" and `types` as the ORM's sources need them.
 */
const tsconfigFor = ({ rootOptions, paths, types }) => ({
  compilerOptions: {
    ...rootOptions,
    skipLibCheck: true,
    noEmit: true,
    ...(types ? { types } : {}),
    ...(paths ? { paths } : {})
  },
  include: ["**/*.ts"]
})

/**
 * Writes `files` under `dir` (emptied first), with `node_modules` linked to `nodeModules` so that the project
 * resolves its packages from an existing install without copying it.
 */
export const writeProject = ({ dir, files, nodeModules, rootOptions, paths, types }) => {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  symlinkSync(nodeModules, path.join(dir, "node_modules"), "dir")
  writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ private: true, type: "module" }, null, 2)}\n`)
  writeFileSync(path.join(dir, "tsconfig.json"), `${JSON.stringify(tsconfigFor({ rootOptions, paths, types }), null, 2)}\n`)
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name)
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, text)
  }
  return dir
}
