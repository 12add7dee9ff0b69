"""The cap under CPU load: with a busy-loop process on every core, a run at --rate 400 to the
gateway (100 ms latency) over 12 s puts no more than 400 arrivals into any one second at the
gateway, and still reaches 95% of the cap. The runner measures how late it sends (dispatch
jitter) and widens its window by it; the summary reports that jitter."""
import json, os, subprocess, sys
sys.path.insert(0, os.path.dirname(__file__))
from harness import *

work = workdir()
g = Gateway(work, latency_ms=100)
q = os.path.join(work, "q.db")
enqueue(q, [f"L{i:06d}" for i in range(6000)])
cores = os.cpu_count() or 2
hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(cores)]
try:
    r = replay("run", "--sink", g.url, "--rate", "400", "--max-seconds", "12", queue=q, timeout=90)
finally:
    for h in hogs:
        h.kill()
        h.wait()
g.stop()
summary = json.loads(r.stdout)
times = sorted(t for t, _ in g.arrivals())
window = max_window(times)
span = times[-1] - times[0]
rate = (len(times) - 1) / span
print(f"{cores} CPU hogs; arrivals {len(times)} over {span:.2f} s: {rate:.1f}/s, busiest "
      f"one-second window {window}, runner's window {summary['max_window']}, "
      f"dispatch jitter up to {summary['max_jitter_ms']} ms")
check(window <= 400, f"no one-second window at the gateway holds more than 400 (max {window})")
# The 95% is the product's figure, for the optimised build. Under ASan and UBSan (scripts/test
# --sanitize sets BCP_SANITIZED) the runner itself is several times slower and is descheduled
# longer, so the window widens more: the cap must still hold exactly, the rate only 90%.
floor = 0.90 if os.environ.get("BCP_SANITIZED") else 0.95
check(rate >= floor * 400, f"achieved rate under load at least {floor:.0%} of 400/s (got {rate:.1f}/s)")
check(span >= 11, f"the run lasted the 12 seconds (arrivals over {span:.1f} s)")
check(summary["max_window"] <= 400, "the runner's own count agrees")
check(len({k for _, k in g.arrivals()}) == len(times), "no key arrived twice")
finish()
