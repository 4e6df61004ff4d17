#!/bin/sh
# Soak test of issue 19 (not in CI): RUNS runs of one 100k-line month, each
# SIGKILLed at a random moment, then checks that every output folder holds
# exactly the files its manifest lists, that its CSVs are the complete run's,
# and that outputs and ledger agree (a placed period's folder carries the
# manifest the ledger committed). Every 10th run is let finish. Result and
# counts on stdout; exit 1 at the first violation.
#
#   nice -n 10 scripts/soak.sh [RUNS] [LINES]      (defaults 200, 100000)
set -eu
RUNS=${1:-200}
LINES=${2:-100000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/target/release/payrun
[ -x "$BIN" ] || (cd "$ROOT" && cargo build --release)
W=$(mktemp -d /tmp/payrun-soak.XXXXXX)
trap 'rm -rf "$W"' EXIT

"$BIN" sample --staff $((LINES / 15)) --lines "$LINES" --seed 19 --period 2025-06 --out "$W/in" >/dev/null 2>&1
run() { # out state
    "$BIN" run --quiet --period 2025-06 --roster "$W/in/roster.xlsx" --expenses "$W/in/expenses.xlsx" \
        --out "$1" --state "$2"
}
start=$(date +%s%N)
run "$W/ref" "$W/ref-state"
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "reference run: ${full_ms} ms for $LINES lines"

check() { # after a run or a kill: the invariants, printed as one word of state
    python3 - "$W" <<'PY'
import json, os, sqlite3, sys
w = sys.argv[1]
out, ref = os.path.join(w, "out"), os.path.join(w, "ref")
def fail(msg):
    print("VIOLATION: " + msg); sys.exit(1)
def csvs(d):
    return {n: open(os.path.join(d, n), "rb").read() for n in os.listdir(d) if n.endswith(".csv")}
ledger = os.path.join(w, "state", "ledger.sqlite")
row = None
if os.path.exists(ledger):
    c = sqlite3.connect(ledger)  # read-write: a killed run's journal is rolled back
    row = c.execute("SELECT placed, manifest_json FROM runs WHERE period = '2025-06'").fetchone()
    c.close()
if os.path.isdir(out):
    m = json.load(open(os.path.join(out, "manifest.json")))
    if sorted(os.listdir(out)) != sorted(m["outputs"]):
        fail("folder %s holds %s, manifest lists %s" % (out, sorted(os.listdir(out)), sorted(m["outputs"])))
    a, b = csvs(out), csvs(ref)
    differ = sorted(n for n in b if a.get(n) != b[n])
    if differ:
        fail("CSVs in place differ from a complete run's: %s" % differ)
    # A re-run of a placed period adds the correction files (SPEC 7.2); the
    # same inputs again correct nothing: headers only, zero controls.
    extra = set(a) - set(b)
    if extra - {"corrections.csv", "payroll-batch-corrections.csv", "payroll-batch-corrections-controls.csv"}:
        fail("unexpected CSVs in place: %s" % sorted(extra))
    for n in extra & {"corrections.csv", "payroll-batch-corrections.csv"}:
        if len(a[n].splitlines()) != 1:
            fail("%s of an identical re-run is not header-only" % n)
    for line in a.get("payroll-batch-corrections-controls.csv", b"").splitlines()[1:]:
        if line.rsplit(b",", 1)[-1] not in (b"0", b"0.00"):
            fail("an identical re-run's correction controls are not zero: %r" % line)
    m.pop("timings_ms")
    if row is None:
        fail("outputs in place that the ledger does not know")
    if row[0] == 1 and json.loads(row[1]) != m:
        fail("placed period's manifest differs from the ledger's")
for d in os.listdir(w):
    if d.startswith("out.replaced-"):
        p = os.path.join(w, d)
        m = json.load(open(os.path.join(p, "manifest.json")))
        if sorted(os.listdir(p)) != sorted(m["outputs"]):
            fail("kept folder %s is not one whole run" % d)
if row is None:
    print("uncommitted")
elif row[0] == 1:
    if not os.path.isdir(out):
        fail("placed period without its folder")
    print("placed")
else:
    print("committed-unplaced")
PY
}

i=0
tally=""
while [ "$i" -lt "$RUNS" ]; do
    i=$((i + 1))
    if [ $((i % 10)) -eq 0 ]; then
        err=$(run "$W/out" "$W/state" 2>&1) || { echo "VIOLATION: run $i did not complete: $err"; exit 1; }
        state=$(check) || { echo "$state"; exit 1; }
        [ "$state" = placed ] || { echo "VIOLATION: a complete run left $state"; exit 1; }
        rm -rf "$W"/out.replaced-*
    else
        # exec: $! must be payrun itself, not a subshell that kill -9 would
        # leave payrun running behind.
        (exec "$BIN" run --quiet --period 2025-06 --roster "$W/in/roster.xlsx" \
            --expenses "$W/in/expenses.xlsx" --out "$W/out" --state "$W/state" 2>/dev/null) &
        pid=$!
        # A moment anywhere in a whole run, start to end.
        delay=$(python3 -c "import random; print('%.3f' % (random.random() * $full_ms * 1.1 / 1000))")
        sleep "$delay"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        state=$(check) || { echo "$state"; exit 1; }
    fi
    tally="$tally $state"
done
run "$W/out" "$W/state" 2>/dev/null
final=$(check) || { echo "$final"; exit 1; }
[ "$final" = placed ] || { echo "VIOLATION: the last run left $final"; exit 1; }
echo "$RUNS runs, $LINES lines: no violation; states after each run:"
for s in uncommitted committed-unplaced placed; do
    printf '  %-20s %s\n' "$s" "$(echo "$tally" | tr ' ' '\n' | grep -cx "$s" || true)"
done
