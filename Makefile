# balnet — two commands matter: `make run` and `make test` (see README.md).
# The default build is pure Go: it needs nothing but the Go toolchain.
export CGO_ENABLED ?= 0
# Go 1.26's simd/archsimd (GOEXPERIMENT=simd) gives the fused op its AVX2/AVX-512 kernels
# (model/engine/kernel*.go); without it (a plain `go install`) the same code runs on gonum.
export GOEXPERIMENT ?= simd

GO      ?= go
RUN_DIR ?= runs/default
EPOCHS  ?= 10000

.PHONY: build run test test-short bench bench-openblas bench-peer bench-sweep openblas docs lint clean

# -buildvcs=auto overrides a -buildvcs=false in GOFLAGS, so that balnet version and
# provenance.yaml name the git revision when the build runs in a git clone.
build:
	$(GO) build -buildvcs=auto -o bin/balnet ./cmd/balnet

# Train the embedded default configuration (docs/science.md §1.6) for EPOCHS epochs, long enough
# for the loss to fall and the balance to tighten (about 30 s); writes metrics, analysis,
# checkpoints and figures into RUN_DIR. The previous run there is replaced.
run: build
	rm -rf $(RUN_DIR)
	./bin/balnet train --epochs $(EPOCHS) --out $(RUN_DIR)

# The whole test suite, slow tests included, with the SIMD kernels (the whole target measured
# 6 min wall on 2 cores from an empty build cache, 2026-12-02), timeout 15 min; then the model packages (kernels, fused
# engine, determinism) again in the build without the experiment, where the fused op runs on
# gonum (about 25 s more).
test:
	test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo 'gofmt: the files above need formatting'; exit 1; }
	$(GO) vet ./...
	GOEXPERIMENT= $(GO) vet ./model/...
	$(GO) test -count=1 -timeout 15m ./...
	GOEXPERIMENT= $(GO) test -count=1 -timeout 5m ./model/...

# The fast subset: slow tests skip under -short.
test-short:
	$(GO) test -short ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Whole training epochs of every build (SIMD default, plain gonum, OpenBLAS) against the
# PyTorch peer (torch_reference.py, PEER=path; see scripts/bench-peer.sh), N=100 and N=1000/T=500, one thread,
# interleaved rounds, medians and CPU time; installs python3-torch with apt-get when missing.
bench-peer:
	bash scripts/bench-peer.sh

# Throughput of the sweep pool: 16 runs of 2000 epochs with 1 and with 2 workers (~3 min).
bench-sweep:
	bash scripts/bench-sweep.sh

# Optional OpenBLAS build (cgo; BLAS and, through LAPACKE, LAPACK): installs libopenblas-dev
# and liblapacke-dev with apt-get when they are missing.
# (The check links a test program: the runtime library alone, without -dev, cannot link.)
openblas:
	@echo 'int main(void){return 0;}' | cc -x c - -llapacke -lopenblas -o /dev/null 2>/dev/null || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas-dev liblapacke-dev; }
	CGO_ENABLED=1 $(GO) build -tags openblas -o bin/balnet-openblas ./cmd/balnet

# The epoch benchmarks of the OpenBLAS build (run `make openblas` once first).
bench-openblas:
	CGO_ENABLED=1 $(GO) test -tags openblas -run '^$$' -bench BenchmarkEpoch -benchmem -count 6 ./model/engine/

# Regenerate the summary figure shown in README.md from a fresh default run.
docs: run
	mkdir -p docs
	cp $(RUN_DIR)/figures/summary.png docs/summary.png

lint:
	gofmt -l .
	$(GO) vet ./...

clean:
	rm -rf bin
