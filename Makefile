# justclick: the two commands a user needs are `make demo` and `make test`.
# Everything else here is a building block of those, or install/bench/fuzz.

CARGO    ?= cargo
PREFIX   ?= /usr/local
PROFILE  ?= release
VERSION  := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
MAJOR    := $(firstword $(subst ., ,$(VERSION)))

ifeq ($(PROFILE),release)
PROFILE_FLAG := --release
else
PROFILE_FLAG :=
endif

.PHONY: all build demo test test-build test-rust test-php test-python test-fuzz lint header install bench fuzz deps clean

all: build

## build: the release library (no sandbox code) in target/release
build:
	$(CARGO) build --release --lib

## demo: build, start the sandbox, run the C and PHP examples against it
demo:
	packaging/ensure-deps.sh demo
	$(CARGO) build --release --features sandbox
	examples/demo.sh

## test: every suite (Rust, C/C++ under valgrind and sanitizers, PHP, Python,
## fuzz smoke) against ONE build: the release profile users get, with the
## sandbox's server and test hooks. Plain `cargo test` (debug) also works.
test: lint test-rust test-php test-python test-fuzz

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --features sandbox -- -D warnings

# The library and the sandbox binary in target/release; the Rust tests reuse
# them, the PHP and Python suites load them.
test-build:
	$(CARGO) build --release --features sandbox

test-rust: test-build
	$(CARGO) test --release --features sandbox

test-php: test-build
	examples/php/run-tests.sh

test-python: test-build
	examples/python/run-tests.sh

test-fuzz:
	fuzz/smoke.sh

## header: regenerate include/justclick.h and include/justclick_php.h
header:
	JUSTCLICK_BLESS=1 $(CARGO) test --release --features sandbox --test header

## install: library, headers and justclick.pc under $(PREFIX)
##   make install PREFIX=/opt/justclick   (PROFILE=debug FEATURES=sandbox for tests)
install:
	$(CARGO) build $(PROFILE_FLAG) --lib $(if $(FEATURES),--features $(FEATURES))
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 0755 target/$(PROFILE)/libjustclick.so $(DESTDIR)$(PREFIX)/lib/libjustclick.so.$(VERSION)
	ln -sf libjustclick.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libjustclick.so.$(MAJOR)
	ln -sf libjustclick.so.$(MAJOR) $(DESTDIR)$(PREFIX)/lib/libjustclick.so
	install -m 0644 target/$(PROFILE)/libjustclick.a $(DESTDIR)$(PREFIX)/lib/libjustclick.a
	install -m 0644 include/justclick.h include/justclick_php.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' justclick.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/justclick.pc
	@echo "installed in $(DESTDIR)$(PREFIX); build with: cc app.c \$$(PKG_CONFIG_PATH=$(PREFIX)/lib/pkgconfig pkg-config --cflags --libs justclick)"

## bench: the benchmark harness (prints ratios; see README)
bench:
	$(CARGO) build --release --features sandbox
	examples/bench/run.sh

## fuzz: every fuzz target for FUZZ_SECONDS (default 600) each
fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} fuzz/run.sh

## deps: the Debian packages the demo and the tests need (run as root)
deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		curl gcc g++ make pkg-config php-cli php-curl php-fpm libfcgi-bin phpunit valgrind python3 python3-pytest

clean:
	$(CARGO) clean

## dist: dist/justclick-<v>-x86_64-linux-gnu.tar.gz + SHA256SUMS (glibc 2.17 build, stripped)
dist:
	packaging/ensure-deps.sh dist
	packaging/dist.sh

## deb: libjustclick0, libjustclick-dev, php-justclick in dist/ (from the archive; lintian-clean)
deb: dist
	packaging/ensure-deps.sh deb
	packaging/deb.sh

## wheel: dist/justclick-<v>-py3-none-manylinux_2_17_x86_64.whl (from the archive)
wheel: dist
	packaging/ensure-deps.sh wheel
	packaging/wheel.sh

## test-dist: every install route tested installed (archive, wheel, .debs, Composer); root
test-dist: dist deb wheel
	packaging/ensure-deps.sh test
	$(CARGO) build --release --features sandbox
	packaging/test-installed.sh

# `make test` installs what it needs first (packaging/ensure-deps.sh: apt as
# root, a pip venv under target/) and ends with the installed routes.
test: test-dist
lint test-rust test-php test-python test-fuzz: | test-deps
test-deps:
	packaging/ensure-deps.sh test

.PHONY: dist deb wheel test-dist test-deps
