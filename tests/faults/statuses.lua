-- wrk script of the load scenarios: print one summary line that tests/faults/load.py parses.
-- No response() callback: it would make wrk itself the bottleneck. wrk counts every status
-- above 399 in errors.status; the loaded endpoints never redirect, so 3xx cannot hide there.

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "FAULTS ok=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p99_ms=%.1f seconds=%.1f\n",
    summary.requests - errors.status, errors.status, errors.connect, errors.read, errors.write,
    errors.timeout, latency:percentile(99) / 1000, summary.duration / 1e6))
end
