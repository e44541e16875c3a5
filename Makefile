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

# test-cpp and test-install are subsets of test-rust (tests/c_abi.rs), for
# running one part alone; `make test` runs them once, through test-rust.
.PHONY: test-cpp test-install

## test-cpp: include/justclick.hpp (C++17 under valgrind, C++20 under
## ASan/UBSan) and the C++ example
test-cpp:
	$(CARGO) test --features sandbox --test c_abi cpp_

## test-install: make install, then programs built with pkg-config, shared
## and --static (libjustclick.a only, run under valgrind)
test-install:
	$(CARGO) test --features sandbox --test c_abi make_install

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

## install: library, headers (C and C++) and justclick.pc under $(PREFIX)
##   make install PREFIX=/opt/justclick   (PROFILE=debug FEATURES=sandbox for tests)
## justclick.pc's Libs.private (for `pkg-config --static`) is what rustc says
## a staticlib of this crate needs on this machine (--print native-static-libs).
CARGO_FEATURES = $(if $(FEATURES),--features $(FEATURES))
NATIVE_LIBS    = target/$(PROFILE)/native-static-libs.txt
install:
	$(CARGO) build $(PROFILE_FLAG) --lib $(CARGO_FEATURES)
	$(CARGO) rustc $(PROFILE_FLAG) --lib $(CARGO_FEATURES) --crate-type staticlib -- --print native-static-libs 2> $(NATIVE_LIBS) || { cat $(NATIVE_LIBS) >&2; exit 1; }
	@grep -q 'native-static-libs: ' $(NATIVE_LIBS) || { cat $(NATIVE_LIBS) >&2; echo "rustc printed no native-static-libs" >&2; exit 1; }
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 0755 target/$(PROFILE)/libjustclick.so $(DESTDIR)$(PREFIX)/lib/libjustclick.so.$(VERSION)
	ln -sf libjustclick.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libjustclick.so.$(MAJOR)
	ln -sf libjustclick.so.$(MAJOR) $(DESTDIR)$(PREFIX)/lib/libjustclick.so
	install -m 0644 target/$(PROFILE)/libjustclick.a $(DESTDIR)$(PREFIX)/lib/libjustclick.a
	install -m 0644 include/justclick.h include/justclick.hpp include/justclick_php.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e "s|@LIBS_PRIVATE@|$$(sed -n 's/.*native-static-libs: //p' $(NATIVE_LIBS) | tail -1)|" \
	    justclick.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/justclick.pc
	@echo "installed in $(DESTDIR)$(PREFIX); build with: cc app.c \$$(PKG_CONFIG_PATH=$(PREFIX)/lib/pkgconfig pkg-config --cflags --libs justclick)"
	@echo "  (statically: pkg-config --static --libs, with the .so files out of the link path)"

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
