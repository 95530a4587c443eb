# dnb — the two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PACKAGES := libedit-dev libopenblas-dev zlib1g-dev libstb-dev gnuplot-nox tmux
DNB_DATA ?= $(firstword $(wildcard ../shared/data/mnist ./data/mnist))
export DNB_DATA

.PHONY: all install build release run test bench clean

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

test: install release
	swift build --build-tests
	swift test --skip-build --disable-xctest

bench: release
	.build/release/dnb-bench

clean:
	rm -rf .build
