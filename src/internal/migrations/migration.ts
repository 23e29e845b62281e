/**
 * A migration: its name, the migrations it follows, and its operations. Migration files export one (built by the
 * public `Migration.make`); the loader names it after its file.
 * @internal
 */
import { isAtomic, type Operation } from "./operations.js"

/** @internal */
export interface Migration {
  /** The file name without extension: `0002_add_book_pages`. */
  readonly name: string
  /** The migrations that must run before it (by name). */
  readonly dependencies: ReadonlyArray<string>
  readonly operations: ReadonlyArray<Operation>
  /** The migrations a squashed migration replaces (applied as one when none of them ran yet). */
  readonly replaces?: ReadonlyArray<string> | undefined
  /** `false` runs each statement on its own, outside a transaction; the default follows the operations. */
  readonly atomic?: boolean | undefined
}

/** Whether a migration runs in one transaction: unless it says otherwise, when all its operations can. @internal */
export const atomic = (migration: Migration): boolean => migration.atomic ?? migration.operations.every(isAtomic)
