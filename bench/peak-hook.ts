// Loaded with --import (or NODE_OPTIONS=--import=…) into a measured process: on exit it
// reports the process's own peak RSS and CPU on stderr, without touching its code.
process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(`bench-maxrss-kb=${u.maxRSS} bench-cpu-us=${u.userCPUTime + u.systemCPUTime}\n`);
});
