"""bcp-notice watch against a real IMAP server: Debian's Dovecot started on a 127.0.0.1 port
with a Maildir behind it and a certificate of our own. Checks: one notice per message, by UID;
only the messages after the last UID seen are fetched on the next poll; nothing is deleted;
a wrong password and an unverified certificate are failures for now (exit 5) that print no
credentials; UIDs given anew (UIDVALIDITY changed) report nothing twice; kill -9 during polls
loses and repeats nothing.
test_imap.py BIN_DIR DATA_DIR"""
import getpass, json, os, pwd, grp, random, shutil, signal, socket, subprocess, sys, tempfile, time
sys.path.insert(0, os.path.dirname(__file__))
from checks import check, failures, finish

BIN, DATA = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="bcp-imap-")
os.chmod(work, 0o755)


DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
if not os.path.exists(DOVECOT):
    print("FAIL dovecot is not installed (scripts/lib.sh installs dovecot-imapd)")
    sys.exit(1)

# Dovecot refuses mail access as root: as root the mail belongs to nobody, else to us.
root = os.geteuid() == 0
user = "nobody" if root else getpass.getuser()
group = grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
pem, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", pem, "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
mail = os.path.join(work, "mail", "ops")
for d in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(mail, d))
os.makedirs(os.path.join(work, "run"))
os.makedirs(os.path.join(work, "state"))
open(os.path.join(work, "passwd"), "w").write("ops:{PLAIN}s3cret-pw\n")
conf = os.path.join(work, "dovecot.conf")
open(conf, "w").write(f"""protocols = imap
listen = 127.0.0.1
base_dir = {work}/run
state_dir = {work}/state
log_path = {work}/dovecot.log
ssl = required
ssl_cert = <{pem}
ssl_key = <{key}
auth_mechanisms = plain
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {work}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={work}/home/%u mail=maildir:{work}/mail/%u
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service auth {{
  user = {user}
}}
""")
seq = [0]


def deliver(subject, body, mid):
    seq[0] += 1
    name = os.path.join(mail, "new", f"{int(time.time())}.{seq[0]}.host")
    open(name + ".tmp", "w").write(
        f"From: Toldstyrelsen <driftsstatus@toldst.dk>\nSubject: {subject}\nDate: Mon, 1 Mar 2027 09:00:00 +0100\n"
        f"Message-ID: <{mid}@toldst.dk>\n\n{body}\n")
    os.rename(name + ".tmp", name)
    if root:
        os.chown(name, pwd.getpwnam(user).pw_uid, -1)


def chown_all():
    if root:
        for dirpath, dirs, files in os.walk(work):
            for n in dirs + files:
                os.lchown(os.path.join(dirpath, n), pwd.getpwnam(user).pw_uid, -1)


deliver("DMS Import nedbrud", "DMS Import er utilgængelig den 6. marts 2027 fra kl. 18.00 til kl. 22.00.", "m1")
deliver("NCTS maintenance", "NCTS will be unavailable on 7 March 2027 from 08:00 to 10:00.", "m2")
chown_all()
subprocess.run([DOVECOT, "-c", conf], check=True)
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        break
    except OSError:
        time.sleep(0.05)
url = f"imaps://127.0.0.1:{port}/INBOX"
env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "BCPKIT_DATA_DIR": DATA,
       "IMAP_CRED": "ops:s3cret-pw"}
cfg = os.path.join(work, "sources.toml")


def sources(cred_env="IMAP_CRED"):
    open(cfg, "w").write(f'[[source]]\nid = "ops-mail"\nkind = "imap"\nurl = "{url}"\nauthority = "dk"\n'
                         f'credentials_env = "{cred_env}"\ninterval = 60\n')


def watch(*args, store="i.db", extra_env=None):
    e = dict(env, **(extra_env or {}))
    r = subprocess.run([os.path.join(BIN, "bcp-notice"), "watch", "--store", os.path.join(work, store), "--sources", cfg,
                        "--cacert", pem, *args], capture_output=True, text=True, env=e, timeout=60)
    r.changes = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    return r


try:
    sources()
    # 1. First poll: one notice per message, known by its Message-ID.
    r = watch()
    ids = sorted(c["source_id"] for c in r.changes)
    check(r.returncode == 0 and ids == ["<m1@toldst.dk>", "<m2@toldst.dk>"], f"first poll: one notice per message ({ids}: {r.stderr})")
    dms = [c["notice"] for c in r.changes if c["source_id"] == "<m1@toldst.dk>"]
    check(dms and dms[0]["country"] == "DK" and dms[0]["window"]["start"] == "2027-03-06T17:00:00Z",
          f"the message is parsed: country DK, the window ({dms and dms[0]['window']})")
    # 2. Nothing new: no change, and no message fetched again. A fetch sets \Seen; the flag is
    # taken off the first message by hand, and stays off when the watch does not fetch it.
    cur = os.path.join(mail, "cur")
    read = sorted(n for n in os.listdir(cur) if n.endswith(",S"))
    check(len(read) == 2, f"the two messages were fetched (\\Seen: {read})")
    os.rename(os.path.join(cur, read[0]), os.path.join(cur, read[0][:-1]))
    r = watch("--force")
    check(r.returncode == 1 and not r.changes, f"no new message: exit 1 ({r.returncode}: {r.stderr})")
    check(os.path.exists(os.path.join(cur, read[0][:-1])), "a message seen before is not fetched again (no \\Seen set)")
    # 3. A new message: only it is fetched and reported.
    deliver("DMS Import genoptaget", "DMS Import er tilgængelig igen. Nedbruddet den 6. marts 2027 er afsluttet.", "m3")
    r = watch("--force")
    check([c["source_id"] for c in r.changes] == ["<m3@toldst.dk>"], f"a new message: only it ({[c['source_id'] for c in r.changes]})")
    # Nothing was deleted or expunged: the three messages are still in the Maildir.
    kept = sum(len(os.listdir(os.path.join(mail, d))) for d in ("cur", "new"))
    check(kept == 3, f"nothing deleted on the server ({kept} messages)")
    # 4. A wrong password, and an unverified certificate: failures for now, no credentials printed.
    r = watch("--force", extra_env={"IMAP_CRED": "ops:wrong-pw"})
    check(r.returncode == 5 and "wrong-pw" not in r.stderr + r.stdout and "s3cret" not in r.stderr,
          f"a wrong password: exit 5, no credentials printed ({r.returncode}: {r.stderr.strip()})")
    e = dict(env)
    r2 = subprocess.run([os.path.join(BIN, "bcp-notice"), "watch", "--store", os.path.join(work, "i.db"), "--sources", cfg,
                         "--force"], capture_output=True, text=True, env=e, timeout=60)
    check(r2.returncode == 5 and "certificate" in r2.stderr.lower(), f"without --cacert the self-signed server is refused ({r2.stderr.strip()})")
    # 5. UIDs given anew (the mailbox recreated: a new UIDVALIDITY): the messages are read again
    # but, known by their Message-IDs, none is reported twice.
    subprocess.run(["doveadm", "-c", conf, "stop"], capture_output=True)
    time.sleep(0.3)
    for n in os.listdir(mail):
        if n.startswith("dovecot"):
            os.remove(os.path.join(mail, n))
    chown_all()
    subprocess.run([DOVECOT, "-c", conf], check=True)
    time.sleep(0.5)
    r = watch("--force")
    check(r.returncode == 1 and not r.changes, f"new UIDVALIDITY: nothing reported twice ({r.returncode}: {r.stdout}{r.stderr})")
    # 6. kill -9 at random moments while messages arrive: every message reported once.
    rng = random.Random(7)
    seen = {c for c in ["<m1@toldst.dk>", "<m2@toldst.dk>", "<m3@toldst.dk>"]}
    reported = []
    for i in range(8):
        deliver(f"Meddelelse {i}", f"ICS2 er utilgængelig den {8 + i}. marts 2027 fra kl. 10.00 til kl. 12.00.", f"k{i}")
        p = subprocess.Popen([os.path.join(BIN, "bcp-notice"), "watch", "--store", os.path.join(work, "i.db"), "--sources", cfg,
                              "--cacert", pem, "--force"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        time.sleep(rng.uniform(0.0, 0.25))
        p.send_signal(signal.SIGKILL)
        out, _ = p.communicate()
        reported += [json.loads(l) for l in out.decode().splitlines() if l.strip().endswith("}")]
    r = watch("--force")
    reported += r.changes
    by_seq = {}
    for c in reported:
        by_seq.setdefault(c["seq"], c)
    got = sorted(c["source_id"] for c in by_seq.values())
    want = sorted(f"<k{i}@toldst.dk>" for i in range(8))
    check(got == want, f"kill -9 during polls: each message reported once, none lost ({len(got)} of {len(want)})")
finally:
    subprocess.run(["doveadm", "-c", conf, "stop"], capture_output=True)
    if failures:
        print(open(os.path.join(work, "dovecot.log")).read()[-2000:] if os.path.exists(os.path.join(work, "dovecot.log")) else "")

finish()
