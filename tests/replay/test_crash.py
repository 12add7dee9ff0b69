"""kill -9 the runner at random moments, 20 times, restarting each time: the gateway never sees
a key twice, every message ends accepted, rejected or unknown, and `unknown` is exactly what was
in flight at the kills (what a killed run left in `sending`)."""
import json, os, random, signal, subprocess, sys, time
sys.path.insert(0, os.path.dirname(__file__))
from harness import *

random.seed(1127)
work = workdir()
g = Gateway(work, latency_ms=30, faults="R000013 status 400\nR000027 status 400\n")
q = os.path.join(work, "q.db")
n = 4000
enqueue(q, [f"R{i:06d}" for i in range(n)])
# Keys, not a count: under load a run can be killed before it recovered the previous run's
# `sending` messages, and a sum would count those twice (seen in the sanitized suite).
in_flight = set()
kills = 0
cmd = [os.path.join(BIN, "bcp-replay"), "run", "--queue", q, "--sink", g.url, "--rate", "300",
       "--concurrency", "16"]
def sending():
    return {k for k, m in states(q).items() if m["state"] == "sending"}

while kills < 20:
    # What a killed run left in `sending` is exactly what it had in flight (claimed) then.
    in_flight |= sending()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(random.uniform(0.05, 0.6))
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
        kills += 1
    p.communicate()
# The run after the last kill drains the queue.
in_flight |= sending()
r = replay("run", "--sink", g.url, "--rate", "400", queue=q, timeout=120)
g.stop()
s = states(q)
counts = {}
for m in s.values():
    counts[m["state"]] = counts.get(m["state"], 0) + 1
print(f"{kills} kills; final states {counts}; left in flight by the kills {len(in_flight)}")
keys = [k for _, k in g.arrivals()]
check(len(keys) == len(set(keys)), f"the gateway never saw a key twice ({len(keys)} arrivals)")
check(set(counts) <= {"accepted", "rejected", "unknown"}, "every message ended accepted, rejected or unknown")
check({k for k, m in s.items() if m["state"] == "unknown"} == in_flight,
      "unknown = the messages in flight at the kills")
# Any other reason for unknown would be a delivery fault of the run itself: show it.
other = {}
for m in s.values():
    if m["state"] == "unknown" and not (m["last_response"] or "").startswith("interrupted while sending"):
        other[m["last_response"]] = other.get(m["last_response"], 0) + 1
check(not other, f"no message unknown for another reason than a kill ({other})")
# Left `sending` by a kill: at most the concurrency plus the claim horizon (20 ms of sends at
# 300/s, up to 100 ms when commits are slow: bcp-replay(1)).
check(counts.get("unknown", 0) <= kills * (16 + 30), "unknown bounded by what can be in flight at each kill")
check(all(m["state"] == "accepted" for k, m in s.items() if k in set(keys) and k not in ("R000013", "R000027")
          and m["state"] != "unknown"), "everything that arrived (and was not unknown) is accepted")
check(s["R000013"]["state"] in ("rejected", "unknown"), "a 400 is rejected (or unknown if killed in flight)")
arrived = set(keys)
check(all(m["state"] == "unknown" or k in arrived for k, m in s.items()),
      "every accepted/rejected message really arrived at the gateway")
finish()
