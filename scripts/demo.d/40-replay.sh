# Step 4 (bcp-replay): the system is back. Queue what was buffered (annotated on the way in with
# what the procedure asks afterwards), replay it to a gateway within the rate, never twice.
# The gateway is the test gateway of the suite: a real HTTP server on 127.0.0.1 that rejects
# one declaration, to show every final state.
queue="$DEMO_DIR/replay.db"
printf 'BE-EXP-2025-000483 status 400\n' >"$DEMO_DIR/gateway.faults"
bcp-test-gateway --port-file "$DEMO_DIR/gateway.port" --log "$DEMO_DIR/gateway.log" \
  --faults "$DEMO_DIR/gateway.faults" --lifetime 120 &
gateway_pid=$!
for _ in $(seq 100); do [ -s "$DEMO_DIR/gateway.port" ] && break; sleep 0.05; done
export GATEWAY="http://127.0.0.1:$(cat "$DEMO_DIR/gateway.port")/declarations"

step "Queue the AES exports buffered during N04853, annotated on the way (bcp-mention --retrospective): code 1NPS and an MRN-format reference go into the declarations' own fields"
show "bcp-mention --country BE --system AES --call N04853 --start 2025-11-27T11:00 --retrospective $SAMPLES/declarations-be-aes.jsonl > \"$DEMO_DIR/annotated.jsonl\""
show "bcp-replay enqueue --queue \"$queue\" --prepared /date_of_preparation \"$DEMO_DIR/annotated.jsonl\""
step "What will be sent: the declaration with its codes, without our annotation (kept in the queue: list --annotation)"
show "bcp-replay run --queue \"$queue\" --sink stdout --dry-run | head -1 | jq -c ."
show "bcp-replay list --queue \"$queue\" --annotation | jq -c '{key, prepared_at, procedure: .annotation.procedure, sources: (.annotation.sources | length)}'"
step "A Norwegian transit started on paper is held: it must never reach NCTS afterwards"
show "bcp-replay enqueue --queue \"$queue\" --country NO --system NCTS $SAMPLES/declarations-no-ncts.jsonl | jq -c '{key, result, source}'"
step "Replay to the local gateway at 2 messages per second (exit 3: one was rejected, a person should look)"
show "bcp-replay run --queue \"$queue\" --sink \"\$GATEWAY\" --rate 2 | jq -c '{sent, accepted, rejected, unknown, remaining, achieved_rate, max_window}'"
show "bcp-replay status --queue \"$queue\" --format text"
show "bcp-replay list --queue \"$queue\" --format text"
step "What the gateway received: each key once, with its Idempotency-Key"
show "awk '{print \$2}' \"$DEMO_DIR/gateway.log\" | sort | uniq -c"
step "A second run finds nothing to send (exit 1) and sends nothing twice"
show "bcp-replay run --queue \"$queue\" --sink \"\$GATEWAY\" || echo \"exit \$?\""
kill "$gateway_pid" 2>/dev/null; wait "$gateway_pid" 2>/dev/null || true
