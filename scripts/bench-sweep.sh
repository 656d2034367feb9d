#!/usr/bin/env bash
# Throughput of the local sweep pool: a 16-run sweep of the reference setting (N = 100,
# 2000 epochs each: a 4-value grid of network.b × 4 seeds) with 1 and with 2 workers.
# Prints runs per minute, the parallel efficiency (throughput with K workers over K times
# the throughput with 1), the CPU seconds of the children, and the load average.
#
#   bash scripts/bench-sweep.sh [EPOCHS]      # (make bench-sweep)
set -euo pipefail
epochs=${1:-2000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/balnet" ./cmd/balnet
cat >"$work/spec.yaml" <<SPEC
command: train
set:
  train.epochs: $epochs
  train.test_every: 500
  train.checkpoint_every: 1000
  analysis.every: 1000
grid:
  network.b: [1, 2, 4, 8]
seeds: 4
SPEC
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# readcpu: user + system seconds of the waited-for children (grandchildren included) from
# the output of bash's times, written to $work/times by this shell itself (a command
# substitution's subshell has no children).
readcpu() { tail -1 "$work/times" | awk '{ s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } printf "%.2f", s }'; }
declare -A rate
times >"$work/times"; cpu0=$(readcpu)
for k in 1 2; do
    t0=$(date +%s.%N)
    "$work/balnet" sweep "$work/spec.yaml" --out "$work/sweep-$k" --workers "$k" --quiet >/dev/null
    t1=$(date +%s.%N)
    times >"$work/times"; cpu1=$(readcpu)
    cpu=$(echo "$cpu1 - $cpu0" | bc -l)
    cpu0=$cpu1
    wall=$(echo "$t1 - $t0" | bc -l)
    rate[$k]=$(echo "16 * 60 / $wall" | bc -l)
    printf "workers %d: %6.1f s wall, %.2f runs/min, %6.1f CPU s, load %s\n" \
        "$k" "$wall" "${rate[$k]}" "$cpu" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
printf "parallel efficiency with 2 workers: %.2f\n" "$(echo "${rate[2]} / (2 * ${rate[1]})" | bc -l)"
