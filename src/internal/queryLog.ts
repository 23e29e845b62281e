/**
 * The statements run by the current fiber and its children, when someone is listening (`QueryLog.capture`), and
 * whether they are logged.
 * @internal
 */
import * as Context from "effect/Context"
import type { Compiled } from "./compiler.js"

/** @internal */
export const currentQueryLog = Context.Reference<Array<Compiled> | undefined>("effect-orm/QueryLog", {
  defaultValue: () => undefined
})

/** Whether each statement is logged at debug level with its duration (`QueryLog.LogStatements`). @internal */
export const LogStatements = Context.Reference<boolean>("effect-orm/LogStatements", { defaultValue: () => false })
