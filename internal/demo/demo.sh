#!/usr/bin/env bash
# The demo behind `make demo` (run after `make chdb generate build`): start the
# ConnectWise-compatible server on loopback, backfill 5000 tickets for tenant
# sitetechnology into the embedded engine, print the summary and a few rows of
# the current view, stop the server, and look at the loaded data with
# `canonic query`.
set -euo pipefail
cd "$(dirname "$0")/../.."

data_dir="${DEMO_DATA_DIR:-./data}"
tickets="${DEMO_TICKETS:-5000}"
work="$(mktemp -d)"
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

# Demo credentials: the loopback server's defaults, never real ones.
export CONNECTWISE_COMPANY=sitetechnology CONNECTWISE_PUBLIC_KEY=demo-public CONNECTWISE_PRIVATE_KEY=demo-private CONNECTWISE_CLIENT_ID=00000000-0000-0000-0000-00000000demo

bin/cwfake --addr 127.0.0.1:0 --port-file "$work/addr" --tickets "$tickets" --seed 1 \
  --company "$CONNECTWISE_COMPANY" --public-key "$CONNECTWISE_PUBLIC_KEY" --private-key "$CONNECTWISE_PRIVATE_KEY" \
  >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/addr" ] && break; sleep 0.1; done
[ -s "$work/addr" ] || { echo "demo: the ConnectWise-compatible server did not start:"; cat "$work/server.log"; exit 1; }
export CONNECTWISE_URL="http://$(cat "$work/addr")/v4_6_release/apis/3.0"
echo "== ConnectWise-compatible server at $CONNECTWISE_URL ($tickets tickets)"

echo "== backfill-connectwise-tickets --tenant sitetechnology --data-dir $data_dir"
bin/backfill-connectwise-tickets --tenant sitetechnology --data-dir "$data_dir" --show-current 5

kill "$server_pid" 2>/dev/null || true

query='SELECT status, count() AS tickets, round(sum(actual_hours), 1) AS hours, max(last_updated) AS last_change FROM tickets_current GROUP BY status ORDER BY tickets DESC LIMIT 5'
echo
echo "== canonic query --tenant sitetechnology --data-dir $data_dir \"$query\""
bin/canonic query --tenant sitetechnology --data-dir "$data_dir" "$query"
echo
echo "Try: bin/canonic query --tenant sitetechnology --data-dir $data_dir 'SELECT * FROM tickets WHERE id = 1003 FORMAT Vertical'"
