# bcp-notice: from a vendor's status-page history (data/samples/notices/status-history.txt, the
# project's own sample) to what is in force at a chosen time and a calendar of the windows.
notices="$SAMPLES/notices/status-history.txt"

step "Notices: emergency procedures announced on the status page"
show "bcp-notice --reference-time 2025-11-28T00:00:00Z '$notices' | jq -c 'select(.procedures != []) | {country, systems, procedures: [.procedures[] | {system, call, start, "end": .end}]}'"

step "Notices: what is in force at 2025-11-27T10:30:00Z (exit 0 when something is)"
show "bcp-notice active --at 2025-11-27T10:30:00Z --format text '$notices'"
show "bcp-notice active --at 2025-11-27T10:30:00Z --system AES '$notices' > '$DEMO_DIR/active-aes.jsonl'; echo \"exit \$?: \$(wc -l < '$DEMO_DIR/active-aes.jsonl') notice(s) about AES\""
show "bcp-notice active --at 2025-11-27T10:30:00Z --country DE '$notices' || echo \"exit \$?: nothing in force in Germany\""

step "Notices: what the parser warns about"
show "bcp-notice --reference-time 2025-11-28T00:00:00Z '$notices' | jq -r 'select(.warnings != []) | .warnings[] | \"\\(.code): \\(.message)\"'"

step "Notices: the calendar of windows (RFC 5545), for any calendar application"
show "bcp-notice --format ics --reference-time 2025-11-28T00:00:00Z '$notices' > '$DEMO_DIR/windows.ics' && grep -c BEGIN:VEVENT '$DEMO_DIR/windows.ics' && grep -m 8 -E '^(SUMMARY|DTSTART|DTEND):' '$DEMO_DIR/windows.ics'"
