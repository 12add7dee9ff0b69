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
# 98% is the product's figure, for the optimised build. Under ASan and UBSan (BCP_SANITIZED,
# set by scripts/test --sanitize) a pause of the slower runner widens the window for a second
# or two (test_rate_load.py): the cap must still hold exactly, the rate 96%.
floor = 0.96 if os.environ.get("BCP_SANITIZED") else 0.98
check_cap_at_gateway(g, summary, 400, floor, 20)
check(r.returncode == 5 and summary["remaining"] > 0, "stopped by --max-seconds with messages left: exit 5")
finish()
