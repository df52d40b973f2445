#!/usr/bin/env bash
# sync_push_budget.sh - issue 14, item 6: one token holder cannot starve
# the other hotlines.  Two slow uploads of the largest size with one
# hotline's token: the second is that hotline's own "busy", and another
# hotline still installs at once.  An upload below min_upload_rate is
# closed after one rate window and counted as that hotline's "too-slow".
source "$(dirname "$0")/sync_lib.sh"
HOLD=$(dirname "$0")/sync_hold.py

TOP_EXTRA='"max_bundle_bytes": 1048576,'
LISTEN_EXTRA=', "limits": {"min_upload_rate": 16384, "rate_window": 2}'
two_hotlines_config
start_syncd "$CONFIG"
list b.txt b 30
"$PUBLISH" snapshot --secret be.sec --set be --version 7 --in b.txt --out be7.hwb >/dev/null

# nl's first slow upload of 1 MiB (40 KiB/s, above the minimum) holds nl's
# whole memory budget; its second is nl's own "busy".
python3 "$HOLD" upload "$PORT" "$TOKEN" 1048576 40960 8 >slow1.out &
PIDS+=($!)
SLOW1=$!
sleep 1
expect_eq "$(python3 "$HOLD" upload "$PORT" "$TOKEN" 1048576 40960 4)" "status 503" "nl's second upload"
start=$(date +%s%N)
expect_eq "$(push be7.hwb token-be | cut -d' ' -f1)" 200 "be while nl's uploads hold nl's budget"
[[ $((($(date +%s%N) - start) / 1000000)) -lt 3000 ]] || fail "be's push waited"
expect_eq "$("$SYNCD" status --config "$CONFIG" | grep -c '"busy"')" 1 "nl's refusal is nl's"
wait "$SLOW1" || true
expect_eq "$(cat slow1.out)" open "nl's slow upload above the minimum rate"

# 1 KiB/s against a minimum of 16 KiB/s over 2 s windows: closed in the
# first window's sweep.
out=$(python3 "$HOLD" upload "$PORT" second-hotline-token 1048576 1024 10)
secs=${out#closed }
[[ $out == closed* && ${secs%.*} -ge 1 && ${secs%.*} -le 4 ]] || fail "a slow upload: $out"
metrics=$(curl -s --cacert cert.pem "https://127.0.0.1:$PORT/metrics")
grep -q '^hashwall_sync_push_limited_total{reason="slow-upload"} 1$' <<<"$metrics" ||
	fail "slow-upload count: $(grep slow-upload <<<"$metrics")"
grep -q '^hashwall_sync_refusals_total{set="be",reason="too-slow"} 1$' <<<"$metrics" ||
	fail "be's too-slow refusals: $(grep too-slow <<<"$metrics")"
grep -q '^hashwall_sync_push_limited_total{reason="hotline-bytes"} 1$' <<<"$metrics" ||
	fail "hotline-bytes count: $(grep hotline-bytes <<<"$metrics")"
echo "PASS sync_push_budget"
