#!/usr/bin/env bash
# Before/after comparison for docs/performance.md (issue 17): runs
# benches/scale.sh with another payrun binary and with this tree's, alternated,
# two rounds per size, so each is measured beside its own floor and at the
# same machine load.
#
#   benches/before-after.sh BEFORE_BINARY [SIZE...]   (default sizes: 100k 300k 1m)
#   e.g. git worktree add /tmp/base <commit> && (cd /tmp/base && cargo build --release)
#        benches/before-after.sh /tmp/base/target/release/payrun 100k 1m
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:?usage: benches/before-after.sh BEFORE_BINARY [SIZE...]}
shift
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100k 300k 1m)
cargo build --release --quiet --bin payrun --example floor
for size in "${sizes[@]}"; do
  pairs=3
  [ "$size" = 1m ] && pairs=2
  for round in 1 2; do
    echo "### $size before round $round"
    PAIRS=$pairs PAYRUN="$before" benches/scale.sh "$size"
    echo "### $size after round $round"
    PAIRS=$pairs PAYRUN=target/release/payrun benches/scale.sh "$size"
  done
done
