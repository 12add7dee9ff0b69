"""Over 20 s at --rate 400 with 100 ms gateway latency: no one-second window at the gateway
holds more than 400 arrivals, and the achieved rate is at least 98% of the cap."""
import json, os, sys
sys.path.insert(0, os.path.dirname(__file__))
from harness import *

work = workdir()
g = Gateway(work, latency_ms=100)
q = os.path.join(work, "q.db")
enqueue(q, [f"R{i:06d}" for i in range(9000)])
r = replay("run", "--sink", g.url, "--rate", "400", "--max-seconds", "20", queue=q, timeout=90)
g.stop()
summary = json.loads(r.stdout)
times = sorted(t for t, _ in g.arrivals())
window = max_window(times)
span = times[-1] - times[0]
rate = (len(times) - 1) / span
print(f"arrivals {len(times)} over {span:.2f} s: {rate:.1f}/s, busiest one-second window {window}, "
      f"dispatch jitter up to {summary['max_jitter_ms']} ms")
check(window <= 400, f"no one-second window at the gateway holds more than 400 (max {window})")
# 98% is the product's figure, for the optimised build. Under ASan and UBSan (BCP_SANITIZED,
# set by scripts/test --sanitize) a pause of the slower runner widens the window for a second
# or two (test_rate_load.py): the cap must still hold exactly, the rate 96%.
floor = 0.96 if os.environ.get("BCP_SANITIZED") else 0.98
check(rate >= floor * 400, f"achieved rate at least {floor:.0%} of 400/s (got {rate:.1f}/s)")
check(span >= 19, f"the run lasted the 20 seconds (arrivals over {span:.1f} s)")
check(summary["max_window"] <= 400, "the runner's own count agrees")
check(len({k for _, k in g.arrivals()}) == len(times), "no key arrived twice")
check(r.returncode == 5 and summary["remaining"] > 0, "stopped by --max-seconds with messages left: exit 5")
finish()
