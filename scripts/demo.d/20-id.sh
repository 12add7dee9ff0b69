# Step 1 (bcp-id): references. An emergency procedure was announced: generate BCP-IDs for the
# declarations to come, then check the references of the bundled sample files.
step "Generate five Belgian BCP-IDs for 2025 from the durable sequence"
show "bcp-id gen --year 25 --count 5 --format text"
step "Explain one of them"
show "bcp-id explain 25BECPB000000001R3"
step "Check a file of references (exit 1: some are wrong, by design)"
show "bcp-id check --format text \"\$SAMPLES/references.txt\""
step "CI gate over the sample declarations: only the invalid references"
show "bcp-id check --invalid-only --allow-missing --format text --field /lrn:lrn --field /bcp_id:bcp-id --field /declarant/eori:eori \"\$SAMPLES/declarations.jsonl\""
