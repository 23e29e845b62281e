/**
 * The text the command prints: plans with their SQL, impacts and warnings, migration lists, what makemigrations
 * wrote. Plain functions of plain data, so tests can read them.
 * @internal
 */
import type * as Make from "../internal/migrations/make.js"
import type { Assessment } from "../internal/migrations/safety.js"
import type { Status, Step } from "../migrations/Migrator.js"

const impacts = (assessment: Assessment) => assessment.impacts.join(", ")

const warnings = (assessment: Assessment, indent: string): ReadonlyArray<string> =>
  assessment.warnings.flatMap((w) => [`${indent}! ${w.message}`, `${indent}  safer: ${w.safe}`])

/** A plan (`migrate --plan`) or one migration's SQL (`sqlmigrate`), with `sql` statements shown. @internal */
export const steps = (plan: ReadonlyArray<Step>, options: { readonly sql: boolean }): string => {
  if (plan.length === 0) return "No migrations to apply."
  const lines: Array<string> = []
  for (const step of plan) {
    lines.push(`${step.direction === "forward" ? "Apply" : "Unapply"} ${step.migration.name}${step.atomic ? "" : " (not atomic: each statement on its own)"}`)
    for (const op of step.operations) {
      lines.push(`  - ${op.description} [${impacts(op.assessment)}]`)
      lines.push(...warnings(op.assessment, "    "))
      if (options.sql) for (const statement of op.sql) lines.push(...statement.split("\n").map((l) => `      ${l}`).map((l, i, all) => i === all.length - 1 ? `${l};` : l))
    }
  }
  return lines.join("\n")
}

/** The list of `showmigrations`. @internal */
export const statuses = (list: ReadonlyArray<Status>): string =>
  list.length === 0
    ? "No migrations."
    : list.map((s) => `[${s.applied ? "X" : " "}] ${s.name}${s.appliedAt !== undefined ? `  (${s.appliedAt.toISOString()})` : ""}`).join("\n")

/** What makemigrations did. @internal */
export const made = (result: Make.Made): string => {
  if (result.path === undefined) return "No changes detected."
  if (result.operations.length === 0) return `Wrote ${result.path}`
  const lines = [`Wrote ${result.path}:`]
  for (const op of result.operations) {
    lines.push(`  - ${op.description} [${impacts(op.assessment)}]`)
    lines.push(...warnings(op.assessment, "    "))
  }
  return lines.join("\n")
}
