/**
 * Names derived from model and field names: table and column names, default relation names.
 * @internal
 */

/** `BookAuthor` → `book_author` (re-exported as `Model.snakeCase`). @internal */
export const snakeCase = (name: string): string =>
  name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2").toLowerCase()

/** `BookAuthor` → `bookAuthor`. @internal */
export const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)
