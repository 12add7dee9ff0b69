"""A receiver with a small listen backlog that accepts slowly: requests that never reached it
(connect refused or timed out, or the connection reset before the receiver's TCP acknowledged a
byte of the request) go back to `queued`, never `unknown`; only a request that may have reached
the receiver is `unknown` (bcp-replay(1)). The ones turned away go out on the
next runs, each exactly once."""
import json, os, sys
sys.path.insert(0, os.path.dirname(__file__))
from harness import *

work = workdir()
g = Gateway(work, latency_ms=50, extra=["--backlog", "1", "--accept-delay-ms", "30"])
q = os.path.join(work, "q.db")
keys = [f"DMS-{i:03}" for i in range(100)]
enqueue(q, keys)
r = replay("run", "--sink", g.url, "--rate", "unlimited", "--concurrency", "64", "--timeout", "3",
           "--retry-max", "0", queue=q, timeout=120)
summary = json.loads(r.stdout.splitlines()[-1])
s = states(q)
arrived = [k for _, k in g.arrivals()]
count = lambda st: sum(1 for k in keys if s[k]["state"] == st)
print(f"first run: accepted {count('accepted')}  queued {count('queued')}  "
      f"unknown {count('unknown')}  arrived {len(arrived)}")
check(count("queued") > 0, "the small backlog turned connections away (the scenario happened)")
check(all(k not in arrived for k in keys if s[k]["state"] == "queued"),
      "every message queued again is one the receiver never saw")
unknown_not_arrived = [k for k in keys if s[k]["state"] == "unknown" and k not in arrived]
check(not unknown_not_arrived,
      f"no message the receiver never saw is unknown ({len(unknown_not_arrived)}: "
      f"{[s[k]['last_response'] for k in unknown_not_arrived[:2]]})")
check(count("accepted") == len(arrived) - count("unknown"),
      "accepted = requests the receiver logged (less those unknown)")
check(summary["unknown"] == count("unknown") and summary["requeued"] == count("queued"),
      "the summary counts what the queue holds")
check(all(s[k]["attempts"] == 0 for k in keys if s[k]["state"] == "queued"),
      "a message that never left counts no attempt")
check(summary["sent"] == len(arrived) and summary["not_sent"] == count("queued"),
      f"sent counts requests that reached the receiver ({summary['sent']} vs {len(arrived)}), "
      f"not_sent the ones turned away ({summary['not_sent']})")
check(r.returncode in (3, 5) and (r.returncode == 3) == (count("unknown") > 0),
      f"exit 5 when only queued remain, 3 when any is unknown (got {r.returncode})")

for _ in range(10):
    if count("queued") == 0:
        break
    replay("run", "--sink", g.url, "--rate", "20", "--concurrency", "2", "--timeout", "3",
           queue=q, timeout=120)
    s = states(q)
g.stop()
arrived = [k for _, k in g.arrivals()]
check(count("queued") == 0, "all sent after the later runs")
check(len(arrived) == len(set(arrived)), "no message arrived twice")
check(set(arrived) == {k for k in keys if s[k]["state"] in ("accepted", "unknown")},
      "the receiver saw exactly the messages accepted or unknown")
check(all(s[k]["attempts"] == 1 for k in keys if s[k]["state"] == "accepted"),
      "attempts is 1 for each message the receiver got once")
finish()
