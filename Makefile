# dnb — the two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PACKAGES := libedit-dev zlib1g-dev libdeflate-dev libstb-dev libssl-dev libzmq3-dev libhdf5-dev pkg-config gnuplot-nox tmux python3-venv
# The real MNIST: DNB_DATA, else ../shared/data/mnist or ./data/mnist. Made
# absolute, since the tests run in temporary folders; left unset when there
# is none, and then the tests that need it are skipped.
DNB_DATA ?= $(firstword $(wildcard ../shared/data/mnist ./data/mnist))
override DNB_DATA := $(if $(DNB_DATA),$(abspath $(DNB_DATA)))
ifneq ($(DNB_DATA),)
export DNB_DATA
else
unexport DNB_DATA
endif
NO_MNIST := no MNIST in ../shared/data/mnist or ./data/mnist (set DNB_DATA to a folder or mnist.npz):

.PHONY: all install build release run test record venv format lint bench check-portable clean fuzz fuzz-build fuzz-smoke fuzz-seeds

all: release

# Installs only the Debian packages that are missing (sudo when not root).
install:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  sudo=; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: install
	swift build

release: install
	swift build -c release

# Replays the main notebook on MNIST and writes its plots under plots/.
run: release
	.build/release/dnb run notebooks/mnist.dnb

# The suite, then every notebook replayed and checked against its recorded outputs.
test: install lint release venv
	swift build --build-tests
	@[ -n "$(DNB_DATA)" ] || echo "$(NO_MNIST) the tests that need it are skipped"
	DNB_PYTHON=$(CURDIR)/.venv/bin/python swift test --skip-build --disable-xctest
	cd Tests/Jupyter && DNB_BIN=$(CURDIR)/.build/release/dnb $(CURDIR)/.venv/bin/python -W ignore::DeprecationWarning \
	  -m unittest discover -v -p 'test_*.py'
	cd Tests/Peers && DNB_BIN=$(CURDIR)/.build/release/dnb $(CURDIR)/.venv/bin/python -W ignore \
	  -m unittest discover -v -p 'test_*.py'
	@if [ -z "$(DNB_DATA)" ]; then echo "$(NO_MNIST) the notebooks are not replayed"; exit 0; fi; \
	for notebook in notebooks/*.dnb; do \
	  echo "checking $$notebook"; \
	  .build/release/dnb run $$notebook --check > /dev/null || exit 1; \
	done

# The checked-in .swift-format, applied (format) and enforced on the sources (lint).
format:
	swift format format -i -r Sources Tests Fuzz Package.swift

lint:
	swift format lint --strict -r Sources Fuzz Package.swift

# Re-records the outputs kept in the notebooks (after a deliberate change).
# The data path is written relative, as a reader's checkout would have it.
record: release
	@for notebook in notebooks/*.dnb; do \
	  DNB_DATA=$$(realpath --relative-to=. "$(DNB_DATA)") .build/release/dnb run $$notebook --record > /dev/null || exit 1; \
	done

# A local virtualenv with Jupyter's own clients and the model peers, in one pip
# call: nbformat validates --report notebooks; jupyter_client,
# jupyter_kernel_test and nbclient drive `dnb kernel` in Tests/Jupyter; Keras 3
# on JAX's CPU backend, onnx and onnxruntime check the models dnb writes and
# write the ones it reads (Tests/Peers, InterpreterTests/PeerRoundTripTests).
# Reinstalled when the list changes.
PY_PACKAGES := nbformat==5.11.1 jupyter_client==8.10.0 jupyter_kernel_test==0.7.0 nbclient==0.11.0 \
  keras==3.15.1 jax==0.10.2 jaxlib==0.10.2 onnx==1.23.2 onnxruntime==1.32.0
venv:
	@[ -x .venv/bin/python ] || python3 -m venv .venv
	@[ "$$(cat .venv/.dnb-packages 2>/dev/null)" = "$(PY_PACKAGES)" ] || \
	  { .venv/bin/pip install --quiet $(PY_PACKAGES) && echo "$(PY_PACKAGES)" > .venv/.dnb-packages; }

# The engine built for baseline x86-64 (no AVX2, no FMA instructions) must
# print the same numbers and write the same model files as the AVX2 build.
check-portable: release
	DNB_PORTABLE=1 swift build -c release --scratch-path .build-portable --product dnb
	@[ -n "$(DNB_DATA)" ] || { echo "$(NO_MNIST) nothing to compare"; exit 0; }; \
	dir=$$(mktemp -d) && notebook=$(CURDIR)/Tests/Fixtures/portable/same-bits.dnb && cd $$dir && \
	$(CURDIR)/.build/release/dnb run $$notebook -p out=avx2 | sed -E 's/([0-9]+m)?[0-9.]+s\b/T/g; s/avx2/OUT/g' > avx2.txt && \
	$(CURDIR)/.build-portable/release/dnb run $$notebook -p out=base | sed -E 's/([0-9]+m)?[0-9.]+s\b/T/g; s/base/OUT/g' > base.txt && \
	diff avx2.txt base.txt && cmp avx2-a.safetensors base-a.safetensors && cmp avx2-b.safetensors base-b.safetensors && \
	cmp avx2-c.safetensors base-c.safetensors && cmp avx2-d.safetensors base-d.safetensors && \
	echo "check-portable: the baseline x86-64 engine printed and saved the same bits" && cat avx2.txt | grep -E "^test:"; \
	status=$$?; rm -rf $$dir; exit $$status

# Fuzzing (see README, Robustness): every harness under libFuzzer and AddressSanitizer for
# FUZZ_SECONDS each (FUZZ_TARGETS="npz notebook" for some); findings land in Tests/Fixtures/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_SMOKE_SECONDS ?= 15

# GNU ld links it: gold stops with an internal error on libFuzzer's driver.
fuzz-build: install
	DNB_FUZZ=1 swift build -c release --scratch-path .build-fuzz --product dnb-fuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=bfd

fuzz: fuzz-build
	Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# CI's short pass: every harness for FUZZ_SMOKE_SECONDS from the committed seeds; fails on any finding.
fuzz-smoke: fuzz-build
	FUZZ_FRESH=1 Fuzz/run.sh $(FUZZ_SMOKE_SECONDS)

# Rewrites the committed seed corpora (Fuzz/Corpus) from Fuzz/make-seeds.py.
fuzz-seeds:
	python3 Fuzz/make-seeds.py

# Seed A and seed B (three fits each, plus the seed-b notebook), then one fit
# of the keras-io convnet (15 epochs: minutes). Side by side with Keras:
# benchmarks/compare-keras.sh [--convnet].
bench: release
	.build/release/dnb-bench
	.build/release/dnb-bench --recipe conv --repeats 1 --no-notebook

clean:
	rm -rf .build .build-fuzz
