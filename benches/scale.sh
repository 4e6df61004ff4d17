#!/usr/bin/env bash
# Reproduces docs/performance.md (issue 17): builds release, generates the
# sample months, runs payrun under GNU time and the I/O floor
# (examples/floor.rs) on the same files, and prints per-stage timings, wall,
# ratio to the floor, peak RSS and the machine's load average. CPU time
# (user + system) is printed beside each wall time: on a shared machine it
# moves far less with the load than wall time does.
#
#   benches/scale.sh [SIZE...]      SIZE: 100k | 300k | 1m   (default: 1m)
#   PAIRS=3 benches/scale.sh 100k   interleaved payrun/floor pairs, medians
#   PAYRUN=path/to/payrun ...       measure another binary (e.g. a baseline)
#   SCALE_DIR=/tmp/payrun-scale     where inputs and outputs go (not committed)
#   THREADS=1 ...                   RAYON_NUM_THREADS for payrun
#   CONFIG=dir ...                  --config for payrun (default: its lookup, ./config)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${SCALE_DIR:-/tmp/payrun-scale}
pairs=${PAIRS:-1}
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1m)

if [ -z "${PAYRUN:-}" ]; then
  cargo build --release --quiet --bin payrun --example floor
  PAYRUN=target/release/payrun
fi
floor=target/release/examples/floor
[ -x "$floor" ] || cargo build --release --quiet --example floor
[ -x /usr/bin/time ] || { echo "scale.sh: needs GNU time (/usr/bin/time, Debian package 'time')" >&2; exit 2; }

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "?"; else if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
load() { cut -d' ' -f1 /proc/loadavg; }

for size in "${sizes[@]}"; do
  case $size in
    100k) args=(--staff 2000 --lines 100000 --seed 3) ;;
    300k) args=(--staff 6000 --lines 300000 --seed 3) ;;
    1m|1M) args=(--staff 20000 --lines 1000000 --seed 3) ;;
    *) echo "scale.sh: unknown size $size (100k, 300k, 1m)" >&2; exit 2 ;;
  esac
  in=$dir/$size
  if [ ! -f "$in/roster.xlsx" ] || [ ! -f "$in/expenses.xlsx" ]; then
    echo "== generating $size: payrun sample ${args[*]}"
    rm -rf "$in"
    "$PAYRUN" sample "${args[@]}" --out "$in" >/dev/null
  fi
  walls=(); floors=(); rss=(); loads=()
  for i in $(seq 1 "$pairs"); do
    rm -rf "$in/out" "$in/state"
    l0=$(load)
    RAYON_NUM_THREADS=${THREADS:-} /usr/bin/time -v -o "$in/time.txt" "$PAYRUN" run --period 2025-06 ${CONFIG:+--config "$CONFIG"} \
      --roster "$in/roster.xlsx" --expenses "$in/expenses.xlsx" \
      --out "$in/out" --state "$in/state" 2>"$in/stderr.txt" || { cat "$in/stderr.txt" >&2; exit 1; }
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(k=1;k<=n;k++) s=s*60+t[k]; printf "%d", s*1000}' "$in/time.txt")
    cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%d", s*1000}' "$in/time.txt")
    peak=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$in/time.txt")
    floor_ms=$(/usr/bin/time -o "$in/floor-time.txt" "$floor" "$in/roster.xlsx" "$in/expenses.xlsx" "$in/out" | awk '/floor total/ {print $3}')
    floor_cpu=$(awk '/user/ {sub("user","",$1); sub("system","",$2); printf "%d", ($1+$2)*1000}' "$in/floor-time.txt")
    l1=$(load)
    stages=$(grep -h 'timings ms' "$in/stderr.txt" | sed 's/.*timings ms: //' || true)
    echo "$size pair $i: wall ${wall} ms (CPU ${cpu} ms), floor ${floor_ms} ms (CPU ${floor_cpu} ms), ratio $(awk -v a="$wall" -v b="$floor_ms" 'BEGIN {printf "%.2f", a/b}'), peak RSS ${peak} KB, load ${l0} → ${l1}"
    echo "   stages ms: $stages"
    walls+=("$wall"); floors+=("$floor_ms"); rss+=("$peak"); loads+=("$l0" "$l1")
  done
  mw=$(printf '%s\n' "${walls[@]}" | median); mf=$(printf '%s\n' "${floors[@]}" | median)
  mr=$(printf '%s\n' "${rss[@]}" | median)
  lmin=$(printf '%s\n' "${loads[@]}" | sort -n | head -1)
  lmax=$(printf '%s\n' "${loads[@]}" | sort -n | tail -1)
  ratio=$(awk -v a="$mw" -v b="$mf" 'BEGIN {printf "%.2f", a/b}')
  echo "== $size (${args[*]}), $pairs pair(s): median wall ${mw} ms, median floor ${mf} ms, ratio ${ratio}, median peak RSS ${mr} KB, load ${lmin} to ${lmax} (1-min average, $(nproc) cores)"
done
