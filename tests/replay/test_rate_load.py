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
# Each hog stops by itself when the test is gone (killed with its ctest): it spins only while
# its parent is this process, so no busy loop outlives the run.
hog = "import os, sys\np = int(sys.argv[1])\nwhile os.getppid() == p:\n    pass\n"
hogs = [subprocess.Popen([sys.executable, "-c", hog, str(os.getpid())]) for _ in range(cores)]
try:
    r = replay("run", "--sink", g.url, "--rate", "400", "--max-seconds", "12", queue=q, timeout=90)
finally:
    for h in hogs:
        h.kill()
        h.wait()
g.stop()
summary = json.loads(r.stdout)
# The 95% is the product's figure, for the optimised build. Under ASan and UBSan (scripts/test
# --sanitize sets BCP_SANITIZED) the runner itself is several times slower and is descheduled
# longer, so the window widens more: the cap must still hold exactly, the rate only 90%.
floor = 0.90 if os.environ.get("BCP_SANITIZED") else 0.95
check_cap_at_gateway(g, summary, 400, floor, 12, note=f"{cores} CPU hogs; ")
finish()
