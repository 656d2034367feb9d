#!/usr/bin/env bash
# bench-peer.sh — balnet against its PyTorch peer on the reference setting (docs/science.md §1.6:
# N=100, B=10, T=50, S=1, float32, one thread), side by side in one run.
#
# It runs ROUNDS interleaved rounds of: the Go benchmark BenchmarkEpoch/ref/fused/float32
# (pure Go, and with OpenBLAS when libopenblas and a C compiler are available) and
# ../shared/peers/torch_reference.py --threads 1, then prints the median ms/epoch of each and
# the ratio torch/balnet (wall clock; the CPU time of the Go runs is shown too, since on a
# shared machine the wall clock includes waiting for a core). The Go figure is one
# Engine.Run (forward + backward); the torch figure is a whole epoch (batch, forward,
# backward, Adam), whose extra parts are small.
#
# Environment: ROUNDS (default 5), BENCHTIME (go -test.benchtime, default 2s),
# PEER (default ../shared/peers/torch_reference.py relative to the repository).
# Installs python3-torch with apt-get when /usr/bin/python3 cannot import torch.
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
BENCHTIME=${BENCHTIME:-2s}
PEER=${PEER:-../shared/peers/torch_reference.py}
BENCH='^BenchmarkEpoch$/^ref$/^fused$/^float32$'

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
	echo "bench-peer: installing python3-torch" >&2
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null
fi
[ -f "$PEER" ] || { echo "bench-peer: peer script $PEER not found" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

CGO_ENABLED=0 go test -c -o "$tmp/pure.test" ./model/engine/
engines=(pure)
# OpenBLAS is used when a C compiler can link against it (make openblas installs it).
if echo 'int main(void) { return 0; }' | cc -x c - -lopenblas -o /dev/null 2>/dev/null; then
	CGO_ENABLED=1 go test -tags openblas -c -o "$tmp/openblas.test" ./model/engine/
	engines+=(openblas)
else
	echo "bench-peer: OpenBLAS not available (apt-get install -y libopenblas-dev and a C compiler); pure Go only" >&2
fi

# go_ms BINARY: wall-clock and CPU ms per epoch of one benchmark run.
go_ms() {
	"$1" -test.run '^$' -test.bench "$BENCH" -test.benchtime "$BENCHTIME" -test.count 1 |
		awk '/^BenchmarkEpoch/ {
			for (i = 2; i <= NF; i++) { if ($i == "ns/op") w = $(i-1); if ($i == "cpu-ns/op") c = $(i-1) }
			printf "%.4f %.4f\n", w / 1e6, c / 1e6; exit }'
}
torch_ms() {
	/usr/bin/python3 "$PEER" --threads 1 | awk '/^seconds_per_epoch/ { printf "%.4f\n", $2 * 1e3 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR+1)/2]; else printf "%.4f\n", (v[NR/2] + v[NR/2+1]) / 2 }'; }

torch_version=$(/usr/bin/python3 -c "import torch; print(torch.__version__)")
echo "bench-peer: reference setting N=100 B=10 T=50 S=1, float32, one thread; $ROUNDS rounds; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
	for e in "${engines[@]}"; do
		read -r wall cpu < <(go_ms "$tmp/$e.test")
		echo "$wall" >>"$tmp/$e.ms"
		echo "$cpu" >>"$tmp/$e.cpu"
	done
	torch_ms >>"$tmp/torch.ms"
	echo "round $r: $(for e in "${engines[@]}" torch; do printf '%s %s ms  ' "$e" "$(tail -1 "$tmp/$e.ms")"; done)"
done

torch=$(median <"$tmp/torch.ms")
printf '\n%-32s %12s %14s %16s\n' "engine (median of $ROUNDS)" "ms/epoch" "torch/engine" "CPU ms/epoch"
for e in "${engines[@]}"; do
	ms=$(median <"$tmp/$e.ms")
	label="balnet fused (gonum, pure Go)"
	[ "$e" = openblas ] && label="balnet fused (OpenBLAS)"
	printf '%-32s %12.3f %13.2fx %16.3f\n' "$label" "$ms" "$(awk -v a="$torch" -v b="$ms" 'BEGIN { print a / b }')" "$(median <"$tmp/$e.cpu")"
done
printf '%-32s %12.3f %13.2fx %16s\n' "torch $torch_version (1 thread)" "$torch" 1 "-"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
