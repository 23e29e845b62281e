// Runs tsc on a generated project and collects what the report needs: errors, the `--extendedDiagnostics` figures,
// and the process's CPU time and peak memory (from a preloaded hook: tsc is a Node program, so it can report its
// own resource usage at exit). A run past the timeout is killed and reported as a timeout.
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"

const HOOK = fileURLToPath(new URL("./usage-hook.cjs", import.meta.url))

/** The `--extendedDiagnostics` lines the report keeps, by their label in tsc's output. */
const DIAGNOSTICS = {
  "Files": "files",
  "Types": "types",
  "Instantiations": "instantiations",
  "Memory used": "memoryKB",
  "Program time": "programSeconds",
  "Bind time": "bindSeconds",
  "Check time": "checkSeconds",
  "Total time": "totalSeconds"
}

/** The figures of `--extendedDiagnostics` ("Check time:   7.76s", "Memory used:  399346K"). */
export const parseDiagnostics = (text) => {
  const figures = {}
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z ]+):\s+([\d.]+)[sK]?\s*$/.exec(line)
    if (match && DIAGNOSTICS[match[1].trim()]) figures[DIAGNOSTICS[match[1].trim()]] = Number(match[2])
  }
  return figures
}

/** The errors tsc printed (`file(line,col): error TS2590: message`), with their code. */
export const parseErrors = (text) =>
  text.split("\n").flatMap((line) => {
    const match = /^(?:(.+)\((\d+),(\d+)\): )?error (TS\d+): (.*)$/.exec(line)
    return match ? [{ file: match[1], line: Number(match[2]), code: match[4], message: match[5] }] : []
  })

/**
 * `tsc --noEmit --extendedDiagnostics -p <dir>` with the TypeScript in `tscDir`, stopped after `timeoutSeconds`.
 * `extraArgs` adds flags (such as `--generateTrace <dir>`).
 */
export const runTsc = ({ tscDir, dir, timeoutSeconds, extraArgs = [] }) =>
  new Promise((resolve) => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), "bench-types-usage-"))
    const usageFile = path.join(scratch, "usage.json")
    const args = ["--require", HOOK, path.join(tscDir, "lib", "tsc.js"), "--noEmit", "--extendedDiagnostics", "--pretty", "false", "-p", ".", ...extraArgs]
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, args, {
      // From the project's folder, so that errors name its files relatively (queries/q03.ts).
      cwd: dir,
      env: { ...process.env, BENCH_TYPES_USAGE: usageFile },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, timeoutSeconds * 1000)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9
      const usage = existsSync(usageFile) ? JSON.parse(readFileSync(usageFile, "utf8")) : undefined
      rmSync(scratch, { recursive: true, force: true })
      const errors = parseErrors(stdout)
      resolve({
        status: timedOut ? "timeout" : /heap out of memory/i.test(stderr) ? "out of memory" : code === 0 || errors.length > 0 ? "done" : `exit ${code ?? signal}`,
        wallSeconds,
        usage,
        errors,
        diagnostics: parseDiagnostics(stdout),
        stderr: stderr.slice(-2000)
      })
    })
  })

/** The TypeScript version in `tscDir`. */
export const tscVersion = (tscDir) => JSON.parse(readFileSync(path.join(tscDir, "package.json"), "utf8")).version
