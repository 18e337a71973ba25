# eisweep: the two commands a user needs are `make run` and `make test`.
GO       ?= go
PYTHON   ?= /usr/bin/python3
BIN      := bin
DUCK     := $(BIN)/duckcheck

.PHONY: run sweeps figures network-compare bench-network goldens-network build install test test-slurm test-chaos test-short vet bench bench-brian2 goldens clean

## run: run the seed sweep (sweeps/seed.toml) into results/seed, print what it measured, aggregate it
run: build
	$(BIN)/eisweep run sweeps/seed.toml
	$(BIN)/eisweep aggregate results/seed

## sweeps: run and aggregate every definition in sweeps/ (the balance lines come from inhibition.toml),
## and solve those with a [solve] table (solve-*.toml)
sweeps: build
	@for f in sweeps/*.toml; do \
	  n=$$(basename $$f .toml); \
	  if grep -q '^\[solve' $$f; then \
	    $(BIN)/eisweep solve --quiet $$f || exit $$?; \
	  else \
	    $(BIN)/eisweep run --quiet $$f && $(BIN)/eisweep aggregate results/$$n || exit $$?; \
	  fi; \
	done

## figures: draw the figures of the seed, inhibition and solve-setpoints sweeps (results/*/figures) and refresh docs/
figures: sweeps
	$(BIN)/eisweep figure results/seed
	$(BIN)/eisweep figure results/inhibition
	$(BIN)/eisweep figure results/solve-setpoints
	cp results/inhibition/figures/balance-lines-e.png docs/balance-lines-e.png
	cp results/inhibition/figures/heatmap-rate-e-weights-mult-ei-vs-input-rate-exc.png docs/heatmap-rate-e.png
	cp results/solve-setpoints/figures/solved-w-ei-vs-input-rate-exc.png docs/solved-w-ei.png
	cp results/solve-setpoints/figures/solved-predictions-w-ei.png docs/solved-predictions-w-ei.png

## network-compare: the network's Up-state rates beside the single-unit experiment's, at the trained
## weights and at those solve finds for 5/14 Hz (the README's table and docs/network-vs-unit.png)
network-compare: build
	$(BIN)/eisweep run --quiet sweeps/seed.toml
	$(BIN)/eisweep solve --quiet sweeps/solve-seed.toml
	$(BIN)/eisweep run --quiet sweeps/network-compare.toml
	$(GO) run ./tools/netcompare results/seed results/solve-seed results/network-compare

## build: build bin/eisweep (the first build compiles arrow-go, gonum and gonum/plot: a few minutes)
build:
	@test -x $(BIN)/eisweep || echo "building bin/eisweep; the first build compiles arrow-go, gonum and gonum/plot and takes a few minutes (later ones seconds)"
	$(GO) build -o $(BIN)/eisweep ./cmd/eisweep

## install: install eisweep into $$(go env GOBIN), or $$(go env GOPATH)/bin when GOBIN is unset
install:
	$(GO) install ./cmd/eisweep
	@d=$$($(GO) env GOBIN); [ -n "$$d" ] || d=$$($(GO) env GOPATH)/bin; \
	 echo "installed $$d/eisweep"; \
	 case ":$$PATH:" in *":$$d:"*) ;; *) echo "$$d is not on your PATH: add it, e.g. export PATH=\"$$d:\$$PATH\"";; esac

## test: gofmt, go vet, every test (the store, runner, commands and CLI under the race detector), DuckDB reading the output
test: vet $(DUCK)
	@echo "running the tests (the first time, Go compiles arrow-go, gonum and the tests twice, once for the race detector: about 5 minutes on two cores)"
	EISWEEP_DUCKCHECK=$(abspath $(DUCK)) $(GO) test -count=1 ./...
	@echo "the build without assembly (purego): runs one at a time, the same rows, the same Poisson input"
	$(GO) test -tags purego -count=1 -run 'Batch|ResultsIndependentOfWorkers|InterruptLosesNothing|Poisson|Exp|PCG|FillRun|Golden' ./sim/ ./pipeline/
	EISWEEP_DUCKCHECK=$(abspath $(DUCK)) $(GO) test -count=1 -race ./store/... ./pipeline/... ./solve/... ./aggregate/... ./report/... ./cmd/... ./sweep/... ./analysis/... ./cluster/... ./train/... ./sensitivity/...

## test-slurm: the SLURM integration tests, against a real single-node SLURM started on this machine
## (tools/slurm_local.sh installs slurm-wlm and munge with apt if needed, and stops them afterwards)
test-slurm: $(DUCK)
	@d=$$(mktemp -d /tmp/eisweep-slurm-XXXXXX); \
	 bash tools/slurm_local.sh start $$d || { bash tools/slurm_local.sh stop $$d; exit 1; }; \
	 SLURM_CONF=$$d/slurm.conf EISWEEP_SLURM=1 EISWEEP_DUCKCHECK=$(abspath $(DUCK)) $(GO) test -count=1 -run Slurm -v ./cluster/; rc=$$?; \
	 bash tools/slurm_local.sh stop $$d; exit $$rc

## test-chaos: the chaos suite: real processes killed, signalled, started together, on a full disk, with corrupted and crafted files (a few minutes)
test-chaos: $(DUCK)
	EISWEEP_CHAOS=1 EISWEEP_DUCKCHECK=$(abspath $(DUCK)) $(GO) test -count=1 -v -timeout 15m ./chaos/

## test-short: the tests without DuckDB or the race detector
test-short:
	$(GO) test -short ./...

vet:
	@echo "gofmt and go vet (the first time, go vet compiles every dependency: a few minutes)"
	@fmt=$$(gofmt -l .); \
	 if [ -n "$$fmt" ]; then echo "gofmt would change:"; echo "$$fmt"; exit 1; fi
	$(GO) vet ./...

# DuckDB (embedded via cgo) in its own module, so that eisweep itself needs no cgo.
$(DUCK): tools/duckcheck/main.go tools/duckcheck/go.mod
	cd tools/duckcheck && $(GO) build -o $(abspath $(DUCK)) .

## bench: the simulator's benchmarks (one Euler step, one seed run, the full f-I test)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./sim/

## bench-brian2: eisweep and Brian2 side by side, the single unit and the network, and the lockstep path against commit 8d1530a (needs python3-brian and git; ~30 min); writes BENCHMARKS.md
bench-brian2:
	{ bash tools/bench_brian2.sh && echo && bash tools/bench_lockstep.sh && echo && bash tools/bench_network.sh; } > BENCHMARKS.md.new && mv BENCHMARKS.md.new BENCHMARKS.md && cat BENCHMARKS.md

## bench-network: only the network's side-by-side benchmark (needs python3-brian; a few minutes); prints Markdown
bench-network:
	bash tools/bench_network.sh

## goldens: regenerate the Brian2 golden data of the single unit (needs Debian's python3-brian)
goldens:
	$(PYTHON) tools/brian2_goldens.py

## goldens-network: regenerate the network's Brian2 goldens (about 15 min for the noise-free runs,
## 40 min per 200 seeds of both noisy settings; the committed noisy files merge two runs of 200)
goldens-network:
	$(PYTHON) tools/network_goldens.py

clean:
	rm -rf $(BIN) results
