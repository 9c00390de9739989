SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
DOTNET ?= dotnet
CONFIG ?= Release
ARTIFACTS := artifacts

.PHONY: build test run bench bench-full docker clean

## build: restore NuGet and npm packages (the build restores the pinned protos itself) and compile everything
build:
	$(DOTNET) build ControlPlane.sln -c $(CONFIG) -nologo -clp:ErrorsOnly

## test: build, then run every test suite; ends with one "N passed, N failed, N skipped" line
test: build
	mkdir -p $(ARTIFACTS)
	$(DOTNET) test ControlPlane.sln -c $(CONFIG) --no-build -nologo 2>&1 | tee $(ARTIFACTS)/test.log || status=$$?; \
	awk -F'[:,]' '/(Passed|Failed)! +- +Failed:/ { f += $$2; p += $$4; s += $$6 } \
	  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' $(ARTIFACTS)/test.log; \
	exit $${status:-0}

## run: start the control plane on the bundled example mesh (no cluster needed)
run:
	$(DOTNET) run --project src/ControlPlane.Host -c $(CONFIG) -- --config-dir $(CURDIR)/examples/ambient-mesh $(RUN_ARGS)

## bench: quick versions of the benchmarks; bench-full: full sizes
bench:
	$(DOTNET) run --project bench/ControlPlane.Bench -c Release -- --quick

bench-full:
	$(DOTNET) run --project bench/ControlPlane.Bench -c Release

docker:
	docker build -t controlplane:dev .

clean:
	$(DOTNET) clean ControlPlane.sln -nologo -v q
	rm -rf $(ARTIFACTS) protos/envoy/.closure
