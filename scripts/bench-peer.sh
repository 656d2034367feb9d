#!/usr/bin/env bash
# bench-peer.sh — whole training epochs of balnet against its PyTorch peer, side by side in
# one run, one thread each: the reference setting (docs/science.md §1.6: N=100, B=10, T=50,
# S=1, float32) and a big network (N=1000, T=500, burn-in 100, B=10).
#
# Each round runs, one after the other: train's BenchmarkEpoch (one whole epoch: batch,
# noise, forward, backward, Adam) of every balnet build — "simd" (the default build of the
# Makefile, GOEXPERIMENT=simd: AVX2/AVX-512 kernels), "plain" (a plain `go build`/`go install`
# without the experiment: gonum) and "openblas" (when a C compiler can link libopenblas) —
# with GOMAXPROCS=1 (and at the big size the default build with train.threads 2 and
# GOMAXPROCS=2), and ../shared/peers/torch_reference.py --threads 1 (its own loop of
# whole epochs; scripts/torch_cpu.py adds its CPU time). The rounds interleave the engines
# so that a change of the machine's load hits all of them; the table shows medians over the
# rounds of the wall-clock time per epoch, the ratio torch/balnet and the CPU time per epoch
# (on a shared machine the wall clock includes waiting for a core) and balnet's peak resident
# memory (each benchmark runs in its own process). In the OpenBLAS build the fused op's
# products run on the SIMD path too when the CPU has one (faster there than OpenBLAS's
# sgemm; model/engine/kernel.go), with OpenBLAS for LAPACK and the remaining products.
#
# Environment: ROUNDS (default 5) and BIG_ROUNDS (default 3), BENCHTIME (go
# -test.benchtime of the reference setting, default 2s), BIG_EPOCHS (default 3 per round),
# PEER (default ../shared/peers/torch_reference.py relative to the repository), SIZES
# (default "ref big"). Installs python3-torch with apt-get when /usr/bin/python3 cannot
# import torch.
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
BIG_ROUNDS=${BIG_ROUNDS:-3}
BENCHTIME=${BENCHTIME:-2s}
BIG_EPOCHS=${BIG_EPOCHS:-3}
SIZES=${SIZES:-ref big}
PEER=${PEER:-../shared/peers/torch_reference.py}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
	echo "bench-peer: installing python3-torch" >&2
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null
fi
[ -f "$PEER" ] || { echo "bench-peer: peer script $PEER not found" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

CGO_ENABLED=0 GOEXPERIMENT=simd go test -c -o "$tmp/simd.test" ./train/
CGO_ENABLED=0 GOEXPERIMENT= go test -c -o "$tmp/plain.test" ./train/
engines=(simd plain)
if echo 'int main(void) { return 0; }' | cc -x c - -llapacke -lopenblas -o /dev/null 2>/dev/null; then
	CGO_ENABLED=1 GOEXPERIMENT=simd go test -tags openblas -c -o "$tmp/openblas.test" ./train/
	engines+=(openblas)
else
	echo "bench-peer: OpenBLAS not available (apt-get install -y libopenblas-dev liblapacke-dev and a C compiler)" >&2
fi

# go_run BINARY SIZE [PROCS BENCH]: "wall cpu path peak" of one benchmark run (ms per epoch,
# kernel path, peak MB), with GOMAXPROCS=PROCS (default 1) of the BenchmarkEpoch size BENCH
# (default SIZE).
go_run() {
	local bt=$BENCHTIME
	[ "$2" = big ] && bt=${BIG_EPOCHS}x
	GOMAXPROCS=${3:-1} "$1" -test.run '^$' -test.bench "^BenchmarkEpoch\$/^${4:-$2}\$/^fused\$/^float32\$" -test.benchtime "$bt" -test.count 1 |
		awk '/^BenchmarkEpoch/ {
			split($1, p, "/"); path = p[5]; sub(/-[0-9]+$/, "", path)
			for (i = 2; i <= NF; i++) { if ($i == "ns/op") w = $(i-1); if ($i == "cpu-ns/op") c = $(i-1); if ($i == "peak-MB") m = $(i-1) }
			printf "%.4f %.4f %s %.0f\n", w / 1e6, c / 1e6, path, m; exit }'
}
# torch_run SIZE: "wall cpu" ms per epoch of the peer.
torch_run() {
	local args=()
	[ "$1" = big ] && args=(--N 1000 --T 500 --epochs "$BIG_EPOCHS" --warmup 1)
	/usr/bin/python3 scripts/torch_cpu.py "$PEER" --threads 1 "${args[@]}" |
		awk '/^seconds_per_epoch/ { w = $2 } /^cpu_seconds_per_epoch/ { c = $2 } END { printf "%.4f %.4f\n", w * 1e3, c * 1e3 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR+1)/2]; else printf "%.4f\n", (v[NR/2] + v[NR/2+1]) / 2 }'; }

torch_version=$(/usr/bin/python3 -c "import torch; print(torch.__version__)")
echo "bench-peer: $(date -u '+%Y-%m-%d %H:%M UTC'); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; go $(go env GOVERSION); torch $torch_version"
for size in $SIZES; do
	rounds=$ROUNDS extra=()
	# At the big size also the default build with train.threads 2 on two cores (GOMAXPROCS=2).
	[ "$size" = big ] && rounds=$BIG_ROUNDS extra=(threads2)
	desc="reference setting N=100 B=10 T=50 S=1"
	[ "$size" = big ] && desc="big network N=1000 B=10 T=500 S=1"
	echo "== $desc, float32, one thread, whole epochs; $rounds rounds; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
	for r in $(seq "$rounds"); do
		line="round $r:"
		for e in "${engines[@]}" "${extra[@]}"; do
			if [ "$e" = threads2 ]; then
				read -r wall cpu path peak < <(go_run "$tmp/simd.test" big 2 big-threads2)
			else
				read -r wall cpu path peak < <(go_run "$tmp/$e.test" "$size")
			fi
			echo "$wall" >>"$tmp/$size.$e.ms"
			echo "$cpu" >>"$tmp/$size.$e.cpu"
			echo "$peak" >>"$tmp/$size.$e.peak"
			echo "$path" >"$tmp/$size.$e.path"
			line+=" $e $wall ms"
		done
		read -r wall cpu < <(torch_run "$size")
		echo "$wall" >>"$tmp/$size.torch.ms"
		echo "$cpu" >>"$tmp/$size.torch.cpu"
		echo "$line  torch $wall ms"
	done
	torch=$(median <"$tmp/$size.torch.ms")
	printf '\n%-52s %12s %14s %14s %10s\n' "engine (median of $rounds rounds)" "ms/epoch" "torch/engine" "CPU ms/epoch" "peak MB"
	for e in "${engines[@]}" "${extra[@]}"; do
		ms=$(median <"$tmp/$size.$e.ms")
		case $e in
		threads2) label="balnet default build, train.threads 2 (2 cores)" ;;
		simd) label="balnet default build (make; $(cat "$tmp/$size.$e.path"))" ;;
		plain) label="balnet plain go build ($(cat "$tmp/$size.$e.path"))" ;;
		openblas) label="balnet OpenBLAS build (make openblas; $(cat "$tmp/$size.$e.path"))" ;;
		esac
		printf '%-52s %12.3f %13.2fx %14.3f %10.0f\n' "$label" "$ms" "$(awk -v a="$torch" -v b="$ms" 'BEGIN { print a / b }')" "$(median <"$tmp/$size.$e.cpu")" "$(median <"$tmp/$size.$e.peak")"
	done
	printf '%-52s %12.3f %13.2fx %14.3f\n\n' "torch $torch_version (1 thread)" "$torch" 1 "$(median <"$tmp/$size.torch.cpu")"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
