/**
 * The schema epoch: a count of the schema changes the ORM has run in this process, written into the text of the
 * statements it runs after them. The server driver prepares statements by their text, once per connection, and a
 * prepared statement whose result columns changed type (a table dropped and created again, a column altered) fails
 * inside a transaction with "cached plan must not change result type". A new text after each schema change, and
 * again after the transaction that made it ends (a rollback changes the schema back), means a new prepared
 * statement, planned on the schema as it is.
 * @internal
 */

let epoch = 0

/** Records a schema change (a DDL statement, or the end of a transaction that ran one). @internal */
export const bump = (): void => {
  epoch++
}

/** The text to run for `sql`: as it is until the ORM first changes the schema, then marked with the epoch. @internal */
export const text = (sql: string): string => epoch === 0 ? sql : `/* effect-orm schema ${epoch} */ ${sql}`
