# balnet — two commands matter: `make run` and `make test` (see README.md).
# The default build is pure Go: it needs nothing but the Go toolchain.
export CGO_ENABLED ?= 0

GO      ?= go
RUN_DIR ?= runs/default
EPOCHS  ?= 3000

.PHONY: build run test test-short bench lint clean

build:
	$(GO) build -o bin/balnet ./cmd/balnet

# Train the embedded default configuration (SCIENCE.md §1.6) long enough for the loss to
# fall visibly; writes RUN_DIR/{config.yaml,metrics.csv,...}. The previous run is replaced.
run: build
	rm -rf $(RUN_DIR)
	./bin/balnet train --epochs $(EPOCHS) --out $(RUN_DIR)

# The whole test suite, slow tests included (about 10 minutes on 2 cores).
test:
	test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo 'gofmt: the files above need formatting'; exit 1; }
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...

# The fast subset: slow tests skip under -short.
test-short:
	$(GO) test -short ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

lint:
	gofmt -l .
	$(GO) vet ./...

clean:
	rm -rf bin
