// Preloaded into the tsc process (node --require): at exit, writes the process's own CPU time and peak memory to
// the file named by BENCH_TYPES_USAGE, which the runner reads. tsc exits through process.exit, so 'exit' fires.
const { writeFileSync } = require("node:fs")

process.on("exit", () => {
  const file = process.env.BENCH_TYPES_USAGE
  if (!file) return
  const usage = process.resourceUsage()
  writeFileSync(file, JSON.stringify({
    userSeconds: usage.userCPUTime / 1e6,
    systemSeconds: usage.systemCPUTime / 1e6,
    maxRssMB: usage.maxRSS / 1024
  }))
})
