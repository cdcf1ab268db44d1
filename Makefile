# kstream: the two set-up commands are `make run` and `make test` (see README.md).
# Both install missing Debian packages first (scripts/setup.sh), then build.

BUILD_DIR    ?= build
SANITIZE_DIR ?= build-sanitize
JOBS         ?= $(shell nproc)
CMAKE_FLAGS  ?=
FUZZ_SECONDS ?= 20

.PHONY: all setup build run test test-unit test-sanitize bench bench-kep bench-many-pods bench-slow-clients \
        bench-scaling bench-all bench-micro bench-storage fuzz clean

all: build

setup:
	@scripts/setup.sh

# Release build with g++ (the default compiler): libraries, CLI, unit tests, benchmarks.
build: setup
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Starts the API server on the embedded store (LMDB) in ./kstream-data, HTTPS on :6443.
# RUN_FLAGS adds server flags, e.g. make run RUN_FLAGS="--secure-port=7443".
DATA_DIR  ?= kstream-data
RUN_FLAGS ?=
run: build
	@echo "Starting kstream-apiserver (data in $(DATA_DIR)/; Ctrl-C stops it)."
	@echo "Point kubectl at it from another terminal:"
	@echo "  export KUBECONFIG=$(CURDIR)/$(DATA_DIR)/kubeconfig"
	@echo "  kubectl get namespaces"
	@echo
	@exec $(BUILD_DIR)/bin/kstream-apiserver --data-dir=$(DATA_DIR) $(RUN_FLAGS)

# Every test: unit and integration tests (g++ release build), then the same tests plus
# time-bounded fuzzing under AddressSanitizer + UndefinedBehaviorSanitizer (clang).
test: test-unit test-sanitize

test-unit: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-sanitize: setup
	@cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG" \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	  -DKSTREAM_SANITIZE=address,undefined -DKSTREAM_FUZZ=ON -DKSTREAM_BENCH=OFF \
	  -DKSTREAM_FUZZ_SECONDS=$(FUZZ_SECONDS) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(SANITIZE_DIR) -j $(JOBS)
	@cd $(SANITIZE_DIR) && ctest --output-on-failure -j $(JOBS)

# The list benchmark (bench/scenarios/, kstream-bench): each scenario writes its JSON
# results, SVG plots and a markdown report under bench/results/<date>-<scenario>.
# `make bench` is scenario 1 (KEP scale: 10 clients listing 10,000 ConfigMaps of 100 KB,
# streaming vs --streaming=false vs the raw-bytes limit) on LMDB, about 10 minutes.
# BENCH_ENV passes settings to the scripts, e.g. make bench BENCH_ENV="OBJECTS=2000 STORAGE=etcd".
BENCH_ENV ?=
bench: bench-kep
bench-kep: build
	@env BIN=$(BUILD_DIR)/bin $(BENCH_ENV) bench/scenarios/kep-scale.sh
bench-many-pods: build
	@env BIN=$(BUILD_DIR)/bin $(BENCH_ENV) bench/scenarios/many-pods.sh
bench-slow-clients: build
	@env BIN=$(BUILD_DIR)/bin $(BENCH_ENV) bench/scenarios/slow-clients.sh
bench-scaling: build
	@env BIN=$(BUILD_DIR)/bin $(BENCH_ENV) bench/scenarios/scaling.sh
bench-all: bench-kep bench-many-pods bench-slow-clients bench-scaling
	@env BIN=$(BUILD_DIR)/bin STORAGE=etcd $(BENCH_ENV) bench/scenarios/kep-scale.sh

# Micro-benchmarks of the encoders; figures are written under bench/results/.
bench-micro: build
	@scripts/bench.sh $(BUILD_DIR)

# Storage benchmark: 10,000 x 100 KB written to and ranged from LMDB and a real etcd.
bench-storage: build
	@mkdir -p bench/results
	@$(BUILD_DIR)/bin/kstream-storage-bench --report=bench/results/$$(date -u +%F)-storage.md

# Longer fuzzing session (default 10 minutes per target): make fuzz FUZZ_SECONDS=600
fuzz:
	@$(MAKE) --no-print-directory test-sanitize FUZZ_SECONDS=$(or $(filter-out 20,$(FUZZ_SECONDS)),600)

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR)
