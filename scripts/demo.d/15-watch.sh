# bcp-notice watch: a feed published on a local web server (python3's http.server on
# 127.0.0.1, serving a feed written here for the demo), polled twice; between the polls the
# notice's end moves later, and the second poll reports only that.
site="$DEMO_DIR/site"
mkdir -p "$site"
feed() {  # feed END_TIME: the demo's own RSS feed with one Danish notice
  cat >"$site/feed.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Demo customs status feed</title>
<item><guid>demo-dms-1</guid><title>DMS Import: planned maintenance</title>
<description>Toldstyrelsen: DMS Import will be unavailable on 6 March 2027 from 18:00 to $1.</description>
<pubDate>Mon, 01 Mar 2027 09:00:00 +0100</pubDate></item></channel></rss>
XML
}
feed 22:00
touch -d '2027-03-01 09:00' "$site/feed.xml"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$site" "$port" >/dev/null 2>&1 &
site_pid=$!
for _ in $(seq 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break; sleep 0.05; done
export FEED="rss=http://127.0.0.1:$port/feed.xml" WATCH_STORE="$DEMO_DIR/notices.db"

step "Watch: the first poll of a feed reports its notice as new"
show "bcp-notice watch --source \"\$FEED\" --store \"\$WATCH_STORE\" | jq -c '{seq, change, source_id, country: .notice.country, window: .notice.window | {start, \"end\": .end}}'"
step "Watch: polled again at once, nothing is asked (the interval) and nothing reported (exit 1)"
show "bcp-notice watch --source \"\$FEED\" --store \"\$WATCH_STORE\" || echo \"exit \$?\""
feed 23:30
touch -d '2027-03-02 09:00' "$site/feed.xml"
step "Watch: the publisher moves the end to 23:30; the next poll (--force: inside the interval) reports the change and its diff"
show "bcp-notice watch --source \"\$FEED\" --store \"\$WATCH_STORE\" --force | jq -c '{seq, change, diff}'"
show "bcp-notice watch --source \"\$FEED\" --store \"\$WATCH_STORE\" --force --format text || echo \"exit \$?: unchanged (a conditional request)\""
kill "$site_pid" 2>/dev/null; wait "$site_pid" 2>/dev/null || true

step "Board: the situation board of 6 March 2027 20:00 UTC from the store, one self-contained HTML page for the desk"
show "bcp-notice board --store \"\$WATCH_STORE\" --at 2027-03-06T20:00:00Z --out \"\$DEMO_DIR/board.html\" && grep -o '<h[23]>[^<]*\|class=\"kind\">[^<]*' \"\$DEMO_DIR/board.html\""
