// Preloaded by `npm run check:cycles`. dpdm 4.3.0's --transform calls ts.transpileModule with `jsx: preserve` and no
// file name, so TypeScript parses every file as TSX: a generic arrow function (`<A>(items: A) => ...`) reads as JSX,
// the rest of the file is garbage, and the imports used there are dropped as unused, which hides cycles. The sources
// are .ts, so dpdm gets a TypeScript whose transpileModule names the file `module.ts` (its exports are read-only).
const path = require.resolve("typescript")
const ts = require(path)
const transpileModule = (input, options) => ts.transpileModule(input, { fileName: "module.ts", ...options })
require.cache[path].exports = Object.create(ts, { transpileModule: { value: transpileModule, enumerable: true } })
