#!/usr/bin/env bash
# bench-breakdown.sh: where a benchmark row spends what its baseline does
# not. Reads a CPU profile of the benchmark table (its measured blocks carry
# the pprof labels bench=baseline|row and row=<name>) and prints, for every
# row, the CPU seconds of the row's blocks and of its bank-send blocks (the
# same number of txs) split into the parts of a block:
#   ante      the ante handler (signature, fee, sequence, spend caps)
#   messages  the message handlers (runMsgs)
#   store     the block's writes into the IAVL trees and their hashing
#             (workingHash: cache stores written through, nodes made)
#   commit    Commit (nodes saved to the database)
#   other     the rest of FinalizeBlock (tx decoding, begin/end block,
#             events) and the measured blocks' own goroutines
# Work on other goroutines (the GC's background marking, goleveldb's
# compactions) carries no label and is not in the split; the table's ratio
# counts it, so the split's total ratio can differ from the table's.
#
# Usage: go test -c -o /tmp/bench.test ./tests/bench
#        (cd tests/bench && /tmp/bench.test -test.run TestBenchTable -bench.full -test.cpuprofile /tmp/bench.prof)
#        scripts/bench-breakdown.sh /tmp/bench.test /tmp/bench.prof
set -euo pipefail
bin=${1:?usage: bench-breakdown.sh BENCH_BINARY PROFILE}
prof=${2:?usage: bench-breakdown.sh BENCH_BINARY PROFILE}

# seconds BENCH ROW [FOCUS]: CPU seconds of the samples labelled bench=BENCH
# and row=ROW (a regexp), within FOCUS when given.
seconds() {
  local args=(-tagfocus "row=$2" -tags)
  if [ -n "${3:-}" ]; then args+=(-focus "$3"); fi
  go tool pprof "${args[@]}" "$bin" "$prof" 2>/dev/null |
    awk -v want="$1" '
      /^ [a-z]+: Total/ { section = $1; next }
      section == "bench:" && index($0, "): ") {
        name = substr($0, index($0, "): ") + 3)
        if (name != want) next
        v = $1
        if (v ~ /ms$/) { sub(/ms$/, "", v); v = v / 1000 } else { sub(/s$/, "", v) }
        print v; found = 1
      }
      END { if (!found) print 0 }'
}

# The rows with samples, from the row label's values.
mapfile -t rows < <(go tool pprof -tagfocus bench=row -tags "$bin" "$prof" 2>/dev/null |
  awk '/^ [a-z]+: Total/ { section = $1; next } section == "row:" && index($0, "): ") { print substr($0, index($0, "): ") + 3) }')
if [ ${#rows[@]} -eq 0 ]; then
  echo "no labelled row samples in $prof" >&2
  exit 1
fi

parts=(ante messages store commit)
focus=('ChainAnteDecorators' 'BaseApp\).runMsgs$' 'BaseApp\).workingHash$' 'BaseApp\).Commit$')
printf '%-40s | %-8s | %9s | %9s | %6s | %s\n' row part "send s" "row s" "ratio" "share of the difference"
for row in "${rows[@]}"; do
  re="^$(printf '%s' "$row" | sed 's/[][().*+?^$|\\{}]/\\&/g')\$"
  base_total=$(seconds baseline "$re")
  row_total=$(seconds row "$re")
  diff=$(awk -v a="$base_total" -v b="$row_total" 'BEGIN { print b - a }')
  base_rest=$base_total
  row_rest=$row_total
  for i in "${!parts[@]}"; do
    b=$(seconds baseline "$re" "${focus[$i]}")
    r=$(seconds row "$re" "${focus[$i]}")
    base_rest=$(awk -v x="$base_rest" -v y="$b" 'BEGIN { print x - y }')
    row_rest=$(awk -v x="$row_rest" -v y="$r" 'BEGIN { print x - y }')
    awk -v row="$row" -v part="${parts[$i]}" -v b="$b" -v r="$r" -v d="$diff" 'BEGIN {
      printf "%-40s | %-8s | %9.2f | %9.2f | %6s | %s\n", row, part, b, r, (r > 0 ? sprintf("%.2f", b / r) : "-"), (d > 0 ? sprintf("%.0f%%", 100 * (r - b) / d) : "-") }'
  done
  awk -v row="$row" -v b="$base_rest" -v r="$row_rest" -v d="$diff" 'BEGIN {
    printf "%-40s | %-8s | %9.2f | %9.2f | %6s | %s\n", row, "other", b, r, (r > 0 ? sprintf("%.2f", b / r) : "-"), (d > 0 ? sprintf("%.0f%%", 100 * (r - b) / d) : "-") }'
  awk -v row="$row" -v b="$base_total" -v r="$row_total" 'BEGIN {
    printf "%-40s | %-8s | %9.2f | %9.2f | %6s |\n", row, "total", b, r, (r > 0 ? sprintf("%.2f", b / r) : "-") }'
done
