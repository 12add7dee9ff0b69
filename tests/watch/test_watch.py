"""bcp-notice watch against a real HTTP server on 127.0.0.1 (server.py) and real mailboxes:
changes between polls (new, window-prolonged, cancelled), ETag and 304, the interval kept
across runs, 429 with Retry-After, 500, 404, a redirect loop, a 50 MB body, a feed with a
Latin-1 charset, pages with a right, an absent and a wrong charset, an Atom feed, GOV.UK
Content API items and collections, web pages and listings, a timeout, a body cut short, a self-signed certificate without and with --cacert, Maildir and mbox, a second watch on the same store, kill -9 at random
moments with nothing reported twice or lost.
test_watch.py BIN_DIR DATA_DIR"""
import json, os, random, signal, subprocess, sys, tempfile, time
from checks import check, failures, finish
sys.path.insert(0, os.path.dirname(__file__))
from server import Server

BIN, DATA = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="bcp-watch-")


def watch(*args, store="w.db", timeout=60, data=DATA):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "BCPKIT_DATA_DIR": data,
           "XDG_CONFIG_HOME": os.path.join(work, "config"), "XDG_STATE_HOME": os.path.join(work, "state")}
    r = subprocess.run([os.path.join(BIN, "bcp-notice"), "watch", "--store", os.path.join(work, store), *args],
                       capture_output=True, text=True, env=env, timeout=timeout)
    r.changes = [json.loads(l) for l in r.stdout.splitlines() if l.strip()] if "--format" not in args else []
    return r


def incident(updates, name="DMS maintenance"):
    return json.dumps({"page": {"id": "p1", "name": "Test status"}, "incidents": [{
        "id": "inc1", "name": name, "status": "scheduled", "created_at": "2027-03-01T09:00:00Z",
        "components": [{"name": "DMS Import"}],
        "incident_updates": [{"status": s, "body": b, "display_at": t} for s, b, t in updates]}]}).encode()


srv = Server()
first = ("scheduled", "Douane: DMS will be unavailable on 6 March 2027 from 18:00 to 22:00 CET.", "2027-03-01T09:00:00Z")
srv.routes["/sp/api/v2/incidents.json"] = {"body": incident([first])}
srv.routes["/sp/api/v2/scheduled-maintenances.json"] = {"body": b'{"scheduled_maintenances": []}'}
sp = "statuspage=" + srv.url + "/sp/"

# 1. First poll: the incident is new.
r = watch("--source", sp)
check(r.returncode == 0, f"first poll: exit 0 with changes (got {r.returncode}: {r.stderr})")
check([c["change"] for c in r.changes] == ["new"], f"first poll: one 'new' change ({[c['change'] for c in r.changes]})")
check(r.changes and r.changes[0]["source_id"] == "inc1", "the change names the incident's own id")
check(r.changes and r.changes[0]["notice"]["window"]["end"] == "2027-03-06T21:00:00Z", "the parsed window is in the change")
seq1 = r.changes[0]["seq"] if r.changes else 0

# 2. Within the interval: nothing is asked of the server.
n = len(srv.log)
r = watch("--source", sp)
check(r.returncode == 1 and not r.changes, f"inside the interval: no change, exit 1 (got {r.returncode})")
check(len(srv.log) == n, "inside the interval: the server was not asked")

# 3. --force, unchanged: conditional requests answered 304, no change.
r = watch("--source", sp, "--force")
inm = [h.get("If-None-Match") for h in srv.requests("/sp/api/v2/incidents.json")]
check(r.returncode == 1 and not r.changes, f"unchanged: exit 1 (got {r.returncode}: {r.stdout})")
check(inm[-1] is not None, "the second poll sent If-None-Match with the ETag of the first")
ua = srv.requests("/sp/api/v2/incidents.json")[-1].get("User-Agent", "")
check(ua.startswith("bcp-notice-watch/"), f"a User-Agent naming the tool ({ua})")

# 4. The end moves later: window-prolonged, with a field diff.
later = ("in_progress", "Douane: DMS maintenance is extended until 23:30 CET on 6 March 2027. "
         "DMS will be unavailable on 6 March 2027 from 18:00 to 23:30 CET.", "2027-03-06T20:00:00Z")
srv.routes["/sp/api/v2/incidents.json"] = {"body": incident([later, first])}
r = watch("--source", sp, "--force")
kinds = [c["change"] for c in r.changes]
check(kinds == ["window-prolonged"], f"end moved later: window-prolonged ({kinds})")
diff = {d["field"]: d for d in r.changes[0]["diff"]} if r.changes else {}
check(diff.get("window.end", {}).get("to") == "2027-03-06T22:30:00Z" and
      diff.get("window.end", {}).get("from") == "2027-03-06T21:00:00Z", "the diff gives the end before and after")
check(r.changes and r.changes[0]["previous"]["window"]["end"] == "2027-03-06T21:00:00Z", "previous is the record before")
check(r.changes and r.changes[0]["seq"] > seq1, "seq grows")

# 5. Cancelled.
cancel = ("completed", "This maintenance has been cancelled.", "2027-03-06T21:00:00Z")
srv.routes["/sp/api/v2/incidents.json"] = {"body": incident([cancel, later, first])}
r = watch("--source", sp, "--force", "--format", "text")
check(r.returncode == 0 and " cancelled " in r.stdout and "DMS maintenance" in r.stdout,
      f"cancellation: one text line saying cancelled ({r.stdout.strip()})")

# 6. 429 with Retry-After: a failure for now (exit 5), and no request before the wait is over.
srv.routes["/busy.xml"] = {"status": 429, "headers": {"Retry-After": "3600"}, "body": b""}
r = watch("--source", "rss=" + srv.url + "/busy.xml")
check(r.returncode == 5 and "429" in r.stderr, f"429: exit 5 with the status on stderr ({r.returncode}: {r.stderr})")
n = len(srv.requests("/busy.xml"))
r = watch("--source", "rss=" + srv.url + "/busy.xml")
check(len(srv.requests("/busy.xml")) == n and r.returncode == 1, "after Retry-After 3600 the next run does not ask")

# 7. Faults: 500, 404, a redirect loop, a 50 MB body, nothing listening. The others still run.
srv.routes["/err.xml"] = {"status": 500, "body": b"oops"}
srv.routes["/loop.xml"] = {"status": 302, "headers": {"Location": "/loop.xml"}}
srv.routes["/huge.xml"] = {"body": b"<rss>" + b" " * (50 << 20) + b"</rss>"}
feed = ('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>t</title>'
        '<item><guid>d1</guid><title>Told: DMS Eksport nedbrud</title>'
        '<description>Toldstyrelsen: DMS Eksport er utilgængelig den 6. marts 2027 fra kl. 18.00 til kl. 22.00.'
        '</description><pubDate>Mon, 01 Mar 2027 09:00:00 +0100</pubDate></item></channel></rss>')
srv.routes["/latin1.xml"] = {"body": feed.encode("latin-1"), "headers": {"Content-Type": "application/rss+xml"}}
r = watch("--source", "rss=" + srv.url + "/err.xml", "--source", "rss=" + srv.url + "/loop.xml",
          "--source", "rss=" + srv.url + "/huge.xml", "--source", "rss=http://127.0.0.1:9/none.xml",
          "--source", "rss=" + srv.url + "/latin1.xml", store="f.db")
err = r.stderr
check(r.returncode == 5, f"failing sources: exit 5 (got {r.returncode})")
check("HTTP status 500" in err and "redirects" in err and "longer than" in err and "127.0.0.1:9" in err,
      f"each failure on stderr ({err})")
check(len(err.strip().splitlines()) == 4, "one line per failing source")
titles = [c["notice"]["title"] for c in r.changes]
check(titles == ["Told: DMS Eksport nedbrud"], f"the good source is still read ({titles})")
check(r.changes and "utilgængelig" in r.changes[0]["notice"]["updates"][0]["text"],
      "the XML declaration's ISO-8859-1 read right (no U+FFFD)")

# 7b. A body cut short is a failure, never a notice.
srv.routes["/cut.xml"] = {"body": feed.encode("latin-1"), "cut": True}
r = watch("--source", "rss=" + srv.url + "/cut.xml", store="c.db")
check(r.returncode == 5 and not r.changes, f"a body cut short: exit 5, nothing reported ({r.returncode}: {r.stderr})")

# 7c. TLS: a self-signed certificate is refused, and accepted with --cacert.
pem = os.path.join(work, "cert.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", pem, "-out", pem + ".crt",
                "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
               check=True, capture_output=True)
with open(pem, "a") as f:
    f.write(open(pem + ".crt").read())
tls = Server(certfile=pem)
tls.routes["/feed.xml"] = {"body": feed.encode("latin-1")}
r = watch("--source", "rss=" + tls.url + "/feed.xml", store="t.db")
check(r.returncode == 5 and "certificate" in r.stderr.lower(), f"self-signed without --cacert: refused ({r.stderr.strip()})")
r = watch("--source", "rss=" + tls.url + "/feed.xml", "--cacert", pem + ".crt", "--force", store="t.db")
check(r.returncode == 0 and len(r.changes) == 1, f"with --cacert: read ({r.returncode}: {r.stderr})")
tls.stop()

# 7d. Mailboxes: an mbox of two messages is two notices; a Maildir message edited is a change.
mbox = os.path.join(work, "box.mbox")
msg = ("From: Toldstyrelsen <driftsstatus@toldst.dk>\nSubject: {s}\nDate: Mon, 1 Mar 2027 09:00:00 +0100\n"
       "Message-ID: <{i}@example.invalid>\n\n{b}\n")
open(mbox, "w").write("From a@x Mon Mar  1 09:00:00 2027\n" + msg.format(s="DMS Import down", i="m1",
                      b="DMS Import is unavailable on 6 March 2027 from 18:00 to 22:00.") +
                      "From a@x Mon Mar  1 10:00:00 2027\n" + msg.format(s="NCTS maintenance", i="m2",
                      b="NCTS will be unavailable on 7 March 2027 from 08:00 to 10:00."))
r = watch("--source", "mbox=" + mbox, store="m.db")
check(r.returncode == 0 and sorted(c["source_id"] for c in r.changes) == ["<m1@example.invalid>", "<m2@example.invalid>"],
      f"mbox: one notice per message ({[c['source_id'] for c in r.changes]})")
md = os.path.join(work, "md")
os.makedirs(os.path.join(md, "cur"))
os.makedirs(os.path.join(md, "new"))
path = os.path.join(md, "new", "1.host")
open(path, "w").write(msg.format(s="DMS Import down", i="d1", b="DMS Import is unavailable on 6 March 2027 from 18:00 to 22:00."))
r = watch("--source", "maildir=" + md, store="m.db")
check([c["change"] for c in r.changes] == ["new"], "maildir: the message is new")
os.rename(path, os.path.join(md, "cur", "1.host:2,S"))  # read by a mail client: the name changes
r = watch("--source", "maildir=" + md, store="m.db")
check(r.returncode == 1, "maildir: a message moved to cur/ and flagged read is no change")
open(os.path.join(md, "cur", "1.host:2,S"), "w").write(msg.format(s="DMS Import down", i="d1",
     b="DMS Import is unavailable on 6 March 2027 from 18:00 to 23:30."))
r = watch("--source", "maildir=" + md, store="m.db")
check([c["change"] for c in r.changes] == ["window-prolonged"], f"maildir: the edited end is a change ({[c['change'] for c in r.changes]})")
open(os.path.join(md, "new", "0bad.host"), "w").write("From: someone@example.invalid\nSubject: cut short")
open(os.path.join(md, "new", "2.host"), "w").write(msg.format(s="NCTS down", i="d2", b="NCTS is unavailable on 8 March 2027 from 08:00 to 10:00."))
r = watch("--source", "maildir=" + md, store="m.db")
check(r.returncode == 5 and [c["source_id"] for c in r.changes] == ["<d2@example.invalid>"] and "0bad.host skipped" in r.stderr,
      f"maildir: a message that is not e-mail is reported and skipped, the others still read ({r.returncode}: {r.stderr.strip()})")
os.remove(os.path.join(md, "new", "0bad.host"))

# 7e. Answers from the store: `active --from-store` says what `active` over the same messages
# says, linked alike, at every time asked (the unit tests check the index on many more).
md2 = os.path.join(work, "md2")
os.makedirs(os.path.join(md2, "new"))
rng = random.Random(5)
bodies = []
for i in range(30):
    day, h = 1 + i // 3, rng.randint(6, 18)
    call = f"N0{4800 + i // 4}"
    kind = i % 5
    if kind == 0:
        b = f"Emergency procedure AES Call {call}\nStart: {day:02d}-03-2027 at {h:02d}:00"
    elif kind == 1:
        b = f"The emergency procedure {call} has been prolonged until {day + 1:02d}/03/27 {h:02d}:00 CET."
    elif kind == 2:
        b = f"The emergency procedure {call} has ended on {day + 1:02d}-03-2027 at {h:02d}:00 CET."
    elif kind == 3:
        b = f"NCTS of Belgian customs will be unavailable on {day:02d}-03-2027 from {h:02d}:00 to {h + 2:02d}:00 CET."
    else:
        b = f"IDMS of Belgian customs is unavailable since {day:02d}-03-2027 at {h:02d}:00 CET."
    m = (f"From: Belgian customs <helpdesk@minfin.fed.be>\nSubject: notice {i}\n"
         f"Date: {['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][day % 7]}, {day:02d} Mar 2027 07:{i:02d}:00 +0100\n"
         f"Message-ID: <s{i}@minfin.fed.be>\n\n{b}\n")
    name = os.path.join(md2, "new", f"{i:03d}.host")
    open(name, "w").write(m)
    bodies.append(name)
env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "BCPKIT_DATA_DIR": DATA,
       "BCPKIT_NOW": "2027-03-01T00:00:00Z"}
subprocess.run([os.path.join(BIN, "bcp-notice"), "watch", "--store", os.path.join(work, "s.db"),
                "--source", "maildir=" + md2], capture_output=True, env=env, check=True)
def answer(*args):
    r = subprocess.run([os.path.join(BIN, "bcp-notice"), "active", *args], capture_output=True, text=True, env=env)
    recs = []
    for l in r.stdout.splitlines():
        j = json.loads(l)
        j.pop("source")
        recs.append(j)
    return r.returncode, recs
same, in_force = 0, 0
times = [f"2027-03-{d:02d}T{h:02d}:30:00Z" for d in range(1, 13) for h in (3, 9, 15, 21)]
for at in times:
    for extra in ([], ["--procedures"], ["--horizon", "6"]):
        a = answer("--from-store", "--store", os.path.join(work, "s.db"), "--at", at, *extra)
        b = answer("--at", at, *extra, *bodies)
        same += a == b
        in_force += bool(b[1])
        if a != b:
            print(f"  differs at {at} {extra}: {a} vs {b}")
check(same == len(times) * 3, f"active --from-store answers as active over the files ({same} of {len(times) * 3})")
check(in_force > len(times), f"the times asked find notices in force ({in_force})")

# 7f. GOV.UK through the Content API, and web pages: one page as a notice, a listing whose
# links are notices (the source's patterns, then an authority profile's), each linked page read
# with conditional requests; a timeout.
def govuk_item(path, title, body, updated, documents=None):
    j = {"base_path": path, "content_id": "cid" + path.replace("/", "-"), "title": title,
         "description": "Service availability", "public_updated_at": updated, "document_type": "detailed_guide",
         "details": {"body": body, "change_history": [{"public_timestamp": updated, "note": "First published."}]}}
    if documents is not None:
        j["document_type"] = "document_collection"
        j["links"] = {"documents": [{"api_path": "/api/content" + p, "base_path": p, "title": t,
                                     "public_updated_at": u} for p, t, u in documents]}
    return json.dumps(j).encode()
cds1 = ("<p>HMRC: CDS will be unavailable from 18:00 on 6 March 2027 to 06:00 on 7 March 2027 "
        "for planned maintenance.</p>")
srv.routes["/api/content/cds-outage"] = {"body": govuk_item("/cds-outage", "CDS planned maintenance", cds1,
                                                            "2027-03-01T09:00:00+00:00")}
srv.routes["/api/content/gvms-outage"] = {"body": govuk_item("/gvms-outage", "GVMS issue",
    "<p>HMRC: GVMS is unavailable since 08:00 on 5 March 2027.</p>", "2027-03-05T08:30:00+00:00")}
coll = [("/cds-outage", "CDS planned maintenance", "2027-03-01T09:00:00+00:00"),
        ("/gvms-outage", "GVMS issue", "2027-03-05T08:30:00+00:00")]
srv.routes["/api/content/availability"] = {"body": govuk_item("/availability", "HMRC service availability", "", 
                                                              "2027-03-05T08:30:00+00:00", coll)}
r = watch("--source", "govuk=" + srv.url + "/cds-outage", store="g.db")
check(r.returncode == 0 and len(r.changes) == 1 and r.changes[0]["notice"]["window"]["start"] == "2027-03-06T18:00:00Z"
      and r.changes[0]["notice"]["country"] == "GB", f"govuk page: one notice, from the API address ({r.stdout}{r.stderr})")
check(srv.requests("/api/content/cds-outage"), "govuk: the page was asked at /api/content/<path>")
r = watch("--source", "govuk=" + srv.url + "/availability", store="g2.db")
ids = sorted(c["source_id"] for c in r.changes)
check(r.returncode == 0 and ids == ["cid-cds-outage", "cid-gvms-outage"], f"govuk collection: each document a notice ({ids})")
n = len(srv.requests("/api/content/cds-outage"))
srv.routes["/api/content/gvms-outage"]["body"] = govuk_item("/gvms-outage", "GVMS issue resolved",
    "<p>HMRC: GVMS was unavailable from 08:00 to 11:00 on 5 March 2027. The issue is resolved.</p>",
    "2027-03-05T11:05:00+00:00")
srv.routes["/api/content/availability"]["body"] = govuk_item("/availability", "HMRC service availability", "",
    "2027-03-05T11:05:00+00:00", [coll[0], ("/gvms-outage", "GVMS issue resolved", "2027-03-05T11:05:00+00:00")])
r = watch("--source", "govuk=" + srv.url + "/availability", "--force", store="g2.db")
check([c["source_id"] for c in r.changes] == ["cid-gvms-outage"], f"govuk collection: the updated document is the change ({r.stdout})")
check(len(srv.requests("/api/content/cds-outage")) == n, "govuk collection: an unchanged document is not asked again")

# Profiles of our own in a copy of the data directory: a platform with [[links]] to a listing
# on the test server, and a national authority that lists none.
import shutil
data2 = os.path.join(work, "data2")
shutil.copytree(DATA, data2)
open(os.path.join(data2, "authorities", "testnh.toml"), "w").write(
    'id = "testnh"\nkind = "vendor"\ncountry = "NL"\nname = "Test helpdesk"\nzone = "Europe/Amsterdam"\n'
    'languages = ["nl"]\nnames = []\ndomains = []\nboilerplate = []\ncalls = []\ntickets = []\ncodes = []\n'
    f'unnamed_systems = []\n[[links]]\npattern = "{srv.url}/nh/bericht/*"\nsource = "t-1"\n'
    '[[sources]]\nid = "t-1"\npublisher = "bcpkit tests"\ntitle = "A listing of our own"\n'
    'url = "https://example.invalid/"\ndate = "2026-12-03"\n')
open(os.path.join(data2, "authorities", "testnl.toml"), "w").write(
    'id = "testnl"\nkind = "authority"\ncountry = "NL"\nname = "Test customs"\nzone = "Europe/Amsterdam"\n'
    'languages = ["nl"]\nnames = []\ndomains = []\nboilerplate = []\ncalls = []\ntickets = []\ncodes = []\n'
    'unnamed_systems = []\n[[sources]]\nid = "t-1"\npublisher = "bcpkit tests"\ntitle = "A page of our own"\n'
    'url = "https://example.invalid/"\ndate = "2026-12-03"\n')
page = ('<html><head><title>Status | Douane</title><meta property="article:published_time" content="2027-03-02T10:00:00+01:00">'
        '</head><body><nav><a href="/">Home</a> DMS NCTS AES menu</nav><main><h1>{t}</h1><p>{b}</p></main>'
        '<footer>Cookies AGS</footer></body></html>')
srv.routes["/nh/status"] = {"body": page.format(t="Onderhoud DMS", b="Van zaterdag 06-03-2027 18:00 tot zaterdag "
    "06-03-2027 22:00 (CET) is DMS van de Douane niet beschikbaar.").encode(), "headers": {"Content-Type": "text/html; charset=utf-8"}}
r = watch("--source", "html=" + srv.url + "/nh/status", store="h.db")
ev = r.changes[0]["notice"] if r.changes else {}
check(r.returncode == 0 and ev.get("title") == "Onderhoud DMS" and ev.get("systems") == ["DMS"],
      f"html page: the main content is the notice, the menu and footer are not ({ev.get('title')}, {ev.get('systems')})")
check(ev.get("country") is None, f"html page: 'de Douane' alone tells no country ({ev.get('country')})")
cfg = os.path.join(work, "html.toml")
open(cfg, "w").write(f'[[source]]\nid = "nh1"\nkind = "html"\nurl = "{srv.url}/nh/status"\nauthority = "testnl"\n')
r = watch("--sources", cfg, store="h2.db", data=data2)
ev2 = r.changes[0]["notice"] if r.changes else {}
check(ev2.get("country") == "NL" and "source speaks for testnl" in ev2.get("evidence", {}).get("country", ""),
      f"html page of a source speaking for nl: country NL, with that evidence ({ev2.get('country')}, {ev2.get('evidence')}{r.stderr})")
check(ev.get("window", {}).get("start") == "2027-03-06T17:00:00Z", f"html page: its window ({ev.get('window')})")
listing = ('<html><body><main><h1>Statusberichten</h1><ul>'
           '<li><a href="/nh/bericht/dms-1">Onderhoud DMS</a></li><li><a href="bericht/ncts-2#top">Storing NCTS</a></li>'
           '<li><a href="/nh/over-ons">Over ons</a></li><li><a href="/nh/bericht/weg">Verwijderd</a></li></ul></main></body></html>')
srv.routes["/nh/"] = {"body": listing.encode()}
srv.routes["/nh/bericht/dms-1"] = srv.routes["/nh/status"]
srv.routes["/nh/bericht/ncts-2"] = {"body": page.format(t="Storing NCTS", b="Sinds 05-03-2027 09:00 (CET) is NCTS van de "
    "Douane niet beschikbaar. U kunt gebruik maken van de noodprocedure.").encode()}
srv.routes["/nh/over-ons"] = {"body": page.format(t="Over ons", b="Wie wij zijn").encode()}
open(cfg, "w").write(f'[[source]]\nid = "nh"\nkind = "html"\nurl = "{srv.url}/nh/"\nlinks = ["{srv.url}/nh/bericht/*"]\n')
r = watch("--sources", cfg, store="l.db")
got = sorted(c["source_id"] for c in r.changes)
check(r.returncode == 0 and got == [srv.url + "/nh/bericht/dms-1", srv.url + "/nh/bericht/ncts-2"],
      f"html listing: the linked notices, resolved, not the other links; a gone page skipped ({got}: {r.stderr})")
check(not srv.requests("/nh/over-ons"), "html listing: a link the pattern does not match is not fetched")
r = watch("--sources", cfg, "--force", store="l.db")
check(r.returncode == 1 and srv.requests("/nh/bericht/ncts-2")[-1].get("If-None-Match"),
      f"html listing: unchanged, the linked pages are asked conditionally ({r.returncode})")
open(cfg, "w").write(f'[[source]]\nid = "nh"\nkind = "html"\nurl = "{srv.url}/nh/"\nauthority = "testnh"\n')
r = watch("--sources", cfg, store="l2.db", data=data2)
check(sorted(c["source_id"] for c in r.changes) == got, f"html listing: the profile's link patterns ({r.stdout}{r.stderr})")
# Charsets of pages: the header's; none (not UTF-8, so not read as UTF-8); a Latin label on a
# UTF-8 body. And an Atom feed.
body = ('<html><body><main><h1>Driftsforstyrrelse</h1><p>Toldstyrelsen: DMS Eksport er utilgængelig den '
        '6. marts 2027 fra kl. 18.00 til kl. 22.00.</p></main></body></html>')
srv.routes["/cs/hdr.html"] = {"body": body.encode("latin-1"), "headers": {"Content-Type": "text/html; charset=ISO-8859-1"}}
srv.routes["/cs/none.html"] = {"body": body.encode("latin-1")}
srv.routes["/cs/wrong.html"] = {"body": body.encode("utf-8"), "headers": {"Content-Type": "text/html; charset=ISO-8859-1"}}
srv.routes["/cs/a.xml"] = {"body": ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
    '<entry><id>urn:a1</id><title>NCTS vedligeholdelse</title><updated>2027-03-01T09:00:00Z</updated><summary>Toldstyrelsen: '
    'NCTS er utilgængelig den 7. marts 2027 fra kl. 08.00 til kl. 10.00.</summary></entry></feed>').encode(),
    "headers": {"Content-Type": "application/atom+xml"}}
for path in ("hdr.html", "none.html", "wrong.html"):
    r = watch("--source", "html=" + srv.url + "/cs/" + path, store="cs-" + path + ".db")
    text = r.changes[0]["notice"]["updates"][0]["text"] if r.changes else ""
    check("utilgængelig" in text and "\ufffd" not in text and "Ã" not in text, f"html charset, {path}: read right ({text[:70]!r})")
r = watch("--source", "atom=" + srv.url + "/cs/a.xml", store="cs-atom.db")
check([c["source_id"] for c in r.changes] == ["urn:a1"] and r.changes[0]["notice"]["window"]["start"] == "2027-03-07T07:00:00Z",
      f"an Atom feed: its entry, by its id, parsed ({r.stdout[:200]}{r.stderr})")
srv.routes["/slow.xml"] = {"body": feed.encode("latin-1"), "delay": 4}
open(cfg, "w").write(f'[[source]]\nid = "slow"\nkind = "rss"\nurl = "{srv.url}/slow.xml"\ntimeout = 1\n')
t0 = time.monotonic()
r = watch("--sources", cfg, store="to.db")
check(r.returncode == 5 and "timed out" in r.stderr.lower() and time.monotonic() - t0 < 3.5,
      f"a server slower than the timeout: a failure for now, in time ({r.stderr.strip()})")

# 8. A second watch on the same store: exit 5 at once.
import fcntl
lock = open(os.path.join(work, "w.db.lock"), "a")
fcntl.flock(lock, fcntl.LOCK_EX)
r = watch("--source", sp, "--force")
check(r.returncode == 5 and "another bcp-notice watch" in r.stderr, f"second watch: exit 5 ({r.returncode}: {r.stderr})")
fcntl.flock(lock, fcntl.LOCK_UN)

# 9. Configuration errors: exit 2.
cfg = os.path.join(work, "bad.toml")
open(cfg, "w").write('[[source]]\nid = "x"\nkind = "rss"\nurl = "https://u:secret@example.invalid/f.xml"\n')
r = watch("--sources", cfg)
check(r.returncode == 2 and "password" in r.stderr and "secret" not in r.stderr, f"password in a URL refused, not echoed ({r.stderr})")
r = watch("--source", "imap=https://127.0.0.1:9/INBOX")
check(r.returncode == 2 and "not an imaps or imap URL" in r.stderr, f"an imap source at an http URL is a usage error ({r.stderr})")
for body, what in (('authority = "xx"\n', "is not a profile"), ('links = ["https://a/*"]\n', "only for kind html"),
                   ('timeout = 0\n', "timeout must be")):
    open(cfg, "w").write('[[source]]\nid = "x"\nkind = "rss"\nurl = "https://example.invalid/f.xml"\n' + body)
    r = watch("--sources", cfg)
    check(r.returncode == 2 and what in r.stderr.splitlines()[0], f"a bad source entry: exit 2 ({r.stderr.strip()})")
r = watch()
check(r.returncode == 2 and "no sources file" in r.stderr, f"no sources file and no --source: exit 2 ({r.stderr})")

# 10. kill -9 at random moments, 20 times, while the feed changes: every change reported once.
items = []
def publish():
    body = "".join(f"<item><guid>k{i}</guid><title>ATLAS Störung {i}</title><description>Zoll: ATLAS ist "
                   f"am {1 + i % 27}. März 2027 von 14:00 bis 18:00 Uhr nicht verfügbar.</description></item>"
                   for i in items)
    srv.routes["/kill.xml"] = {"body": f'<?xml version="1.0"?><rss version="2.0"><channel>{body}</channel></rss>'.encode()}
random.seed(7)
seen = []
cmd = [os.path.join(BIN, "bcp-notice"), "watch", "--store", os.path.join(work, "k.db"), "--force",
       "--source", "rss=" + srv.url + "/kill.xml"]
env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "BCPKIT_DATA_DIR": DATA}
kills = 0
for round_ in range(20):
    items.extend(range(len(items), len(items) + 3))
    publish()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    time.sleep(random.uniform(0.0, 0.08))
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
        kills += 1
    out, _ = p.communicate()
    seen += [json.loads(l) for l in out.decode().splitlines() if l.endswith("}")]
r = subprocess.run(cmd, capture_output=True, text=True, env=env)
seen += [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
# A kill between writing a line and marking it written repeats that line in the next run, with
# the same seq, by which a consumer drops it (bcp-notice-watch(1), STORE): at most one a kill.
repeated = len(seen) - len({c["seq"] for c in seen})
seen = list({c["seq"]: c for c in seen}.values())
ids = [c["source_id"] for c in seen]
print(f"{kills} kills, {len(seen)} changes, {repeated} line(s) repeated with their seq")
check(sorted(ids) == sorted(set(ids)), "kill -9: no change reported twice (under two seqs)")
check(repeated <= kills, f"kill -9: at most one line repeated a kill ({repeated})")
check(set(ids) == {f"k{i}" for i in items}, f"kill -9: none lost ({len(set(ids))} of {len(items)})")
check([c["seq"] for c in seen] == sorted(c["seq"] for c in seen), "kill -9: changes in seq order")

srv.stop()
finish()
