"""Two runners started together on one queue: exactly one sends; the other exits 5 at once
(or, with --wait, runs after the first and finds nothing left)."""
import json, os, subprocess, sys, time
sys.path.insert(0, os.path.dirname(__file__))
from harness import *

work = workdir()
g = Gateway(work, latency_ms=20)
q = os.path.join(work, "q.db")
enqueue(q, [f"C{i:05d}" for i in range(600)])
cmd = [os.path.join(BIN, "bcp-replay"), "run", "--queue", q, "--sink", g.url, "--rate", "400"]
a = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
b = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
ra, rb = a.communicate(timeout=60), b.communicate(timeout=60)
codes = sorted([a.returncode, b.returncode])
check(codes == [0, 5], f"one run succeeds, the other exits 5 (got {codes})")
loser = ra if a.returncode == 5 else rb
check("another bcp-replay run holds" in loser[1], "the second run says why")
check(loser[0] == "", "the second run sent nothing and printed no summary")
keys = [k for _, k in g.arrivals()]
check(len(keys) == 600 and len(set(keys)) == 600, "all 600 sent exactly once")
# --wait: the second waits for the first, then finds nothing to send (exit 1).
enqueue(q, [f"W{i:05d}" for i in range(200)])
a = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
# b starts once a holds the queue (a W key has arrived), not after a fixed pause: under the
# sanitizers a takes longer than 0.1 s to open the queue, and b, first, made a exit 5.
deadline = time.time() + 30
while not any(k.startswith("W") for _, k in g.arrivals()) and time.time() < deadline:
    time.sleep(0.01)
b = subprocess.Popen(cmd + ["--wait"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
ra, rb = a.communicate(timeout=60), b.communicate(timeout=60)
check(a.returncode == 0 and b.returncode == 1, f"--wait runs after the first: nothing left (got {a.returncode}, {b.returncode})")
g.stop()
keys = [k for _, k in g.arrivals()]
check(len(keys) == 800 and len(set(keys)) == 800, "800 arrivals, no key twice")
finish()
