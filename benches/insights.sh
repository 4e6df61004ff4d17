#!/usr/bin/env bash
# The insights benchmark of docs/performance.md (issue 16): twelve national
# months (12 × 1,000,000 decision rows) through `payrun insights`, with wall
# time and peak RSS from GNU time and the load average before and after.
# Target: under 60 s and under 2 GiB on the 2-core machine.
#
#   bash benches/insights.sh [DIR] [MONTHS] [LINES]
set -euo pipefail
dir=${1:-/tmp/insights-bench}
months=${2:-12}
lines=${3:-1000000}
cd "$(dirname "$0")/.."
cargo build --release --bin payrun --example insights_data
if [ ! -f "$dir/.done-$months-$lines" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    target/release/examples/insights_data "$dir" "$months" "$lines"
    touch "$dir/.done-$months-$lines"
fi
echo "start: $(uptime)"
/usr/bin/time -v target/release/payrun insights "$dir"/run-* --out "$dir/out" 2> "$dir/time.txt" || {
    cat "$dir/time.txt"
    exit 1
}
echo "end:   $(uptime)"
grep -E 'payrun insights|Elapsed|Maximum resident|User time|System time' "$dir/time.txt"
