# bcp-mention: the checklist of Belgian AES call N04853 (customs4trade-1), then the sample declarations
# annotated with what the procedure asks of each.
step "Checklist of BE AES emergency procedure N04853"
show "bcp-mention --country BE --system AES --call N04853 --start 2025-11-27T11:00 --checklist --format text"
step "Annotate the sample AES export declarations"
show "bcp-mention --country BE --system AES --call N04853 --start 2025-11-27T11:00 \$SAMPLES/declarations-be-aes.jsonl | jq -c '[.lrn, .bcp.mentions[].value, .bcp.codes[0].value]'"
step "A transit started on paper must not go to NCTS afterwards (exit 4)"
show "bcp-mention --country NO --system NCTS --start 2025-11-24T09:00 --retrospective --no-sources \$SAMPLES/declarations-no-ncts.jsonl | jq -c '{lrn, started_on, retrospective: .bcp.retrospective, problems: [.bcp.problems[].code]}'"
