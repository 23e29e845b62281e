/**
 * The statements run by the current fiber and its children, when someone is listening (`QueryLog.capture`).
 * @internal
 */
import * as Context from "effect/Context"
import type { Compiled } from "./compiler.js"

/** @internal */
export const currentQueryLog = Context.Reference<Array<Compiled> | undefined>("effect-orm/QueryLog", {
  defaultValue: () => undefined
})
