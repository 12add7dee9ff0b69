"""Each gateway fault ends in the state the delivery semantics say (bcp-replay(1))."""
import json, os, sys
sys.path.insert(0, os.path.dirname(__file__))
from harness import *

work = workdir()
faults = """\
OK status 200
BAD status 400
GONE status 404
SLOW429 status 429 retry-after=1 x1
BUSY503 status 503 x2
TIMEOUT408 status 408 x1
ERR500 status 500
DROPB drop-before
DROPA drop-after
HANG hang
"""
g = Gateway(work, faults=faults)
q = os.path.join(work, "q.db")
keys = ["OK", "BAD", "GONE", "SLOW429", "BUSY503", "TIMEOUT408", "ERR500", "DROPB", "DROPA", "HANG"]
enqueue(q, keys)
r = replay("run", "--sink", g.url, "--timeout", "2", "--retry-max", "5", queue=q)
summary = json.loads(r.stdout)
s = states(q)
g.stop()
expect = {"OK": "accepted", "BAD": "rejected", "GONE": "rejected", "SLOW429": "accepted",
          "BUSY503": "accepted", "TIMEOUT408": "accepted", "ERR500": "unknown",
          "DROPB": "unknown", "DROPA": "unknown", "HANG": "unknown"}
for k, want in expect.items():
    check(s[k]["state"] == want, f"{k} ends {want} (got {s[k]['state']}: {s[k]['last_response']})")
check(s["SLOW429"]["attempts"] == 2, "429 with Retry-After: sent again once, after the wait")
check(s["BUSY503"]["attempts"] == 3, "503 twice: third attempt accepted")
check(json.loads(s["OK"]["last_response"])["key"] == "OK", "2xx response body kept (carries the MRN)")
check("status 400" in s["BAD"]["last_response"] and s["BAD"]["last_status"] == 400,
      "4xx: rejected with the body and status kept")
check(summary["push_backs"] >= 3, "429/503 counted as push-back")
check(r.returncode == 3, f"exit 3 when messages end rejected or unknown (got {r.returncode})")
arrivals = [k for _, k in g.arrivals()]
for k in ["ERR500", "DROPA", "HANG"]:
    check(arrivals.count(k) == 1, f"{k} arrived once and was never re-sent automatically")
check("DROPB" not in arrivals, "drop-before: the gateway never took it, still unknown to us")

# Nothing listens: connection refused before anything was sent -> back to queued, exit 5.
q2 = os.path.join(work, "q2.db")
enqueue(q2, ["R1", "R2"])
r = replay("run", "--sink", "http://127.0.0.1:9/none", "--max-seconds", "2", "--retry-max", "1",
           queue=q2)
s2 = states(q2)
check(all(m["state"] == "queued" for m in s2.values()), "connection refused: messages stay queued")
check(r.returncode == 5, f"exit 5 (retry later) while messages remain queued (got {r.returncode})")

# An operator resolves an unknown message; --resend-unknown sends again with the same key.
r = replay("resolve", "--key", "ERR500", "--as", "accepted", "--note", "MRN seen in PLDA", queue=q)
check(r.returncode == 0 and json.loads(r.stdout)["state"] == "accepted", "resolve unknown -> accepted")
r = replay("resolve", "--key", "OK", "--as", "retry", queue=q)
check(r.returncode == 3 and "only unknown" in r.stderr, "an accepted message cannot be resolved")
r = replay("resolve", "--key", "NOPE", "--as", "retry", queue=q)
check(r.returncode == 1 and "Try" not in r.stderr, "unknown key: not found (exit 1), no --help hint")
g2 = Gateway(work)
r = replay("run", "--sink", g2.url, "--resend-unknown", queue=q)
s = states(q)
g2.stop()
check(s["DROPA"]["state"] == "accepted" and s["HANG"]["state"] == "accepted",
      "--resend-unknown sends unknown messages again")
check(sorted(k for _, k in g2.arrivals()) == ["DROPA", "DROPB", "HANG"],
      "--resend-unknown sends only the unknown ones, with their keys")
finish()
