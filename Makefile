# justclick: the two commands a user needs are `make demo` and `make test`.
# Everything else here is a building block of those, or install/bench/fuzz.
# `make help` lists every target (the `##` lines).

CARGO    ?= cargo
PREFIX   ?= /usr/local
PROFILE  ?= release
VERSION  := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
MAJOR    := $(firstword $(subst ., ,$(VERSION)))
# The release archive `make dist` makes, and where `make test` unpacks it:
# the suites load the library users install from there.
DIST_NAME := justclick-$(VERSION)-x86_64-linux-gnu
SHIPPED   := $(CURDIR)/target/shipped/$(DIST_NAME)

ifeq ($(PROFILE),release)
PROFILE_FLAG := --release
else
PROFILE_FLAG :=
endif

.PHONY: all help build demo test deps lint test-build shipped test-rust test-php test-python \
	test-fuzz test-cpp test-install storm header install bench fuzz deps clean dist deb wheel test-dist

## all: the same as build
all: build

## help: this list
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

## build: the release library (no sandbox code) in target/release
build:
	$(CARGO) build --release --lib

## demo: build, start the sandbox, run the C and PHP examples against it
demo:
	packaging/ensure-deps.sh demo
	$(CARGO) build --release
	examples/demo.sh

## test: every suite, then every install route (installs what it needs as root).
##   The PHP, Python and C/C++ suites load the shipped library (the release
##   archive's lib/, unpacked in target/shipped); the Rust tests and the sandbox
##   are the workspace's release build. See README, Testing.
test: lint test-rust test-php test-python test-fuzz test-dist

## lint: cargo fmt --check and clippy -D warnings
lint: | deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## test-build: the release build of the workspace (the library and the
##   sandbox binary), and the library with the test hooks in
##   target/release/hooks/ for the panic tests (tests/hooks-lib.sh)
test-build: | deps
	$(CARGO) build --release
	CARGO=$(CARGO) tests/hooks-lib.sh release

## shipped: `make dist`, then the archive unpacked in target/shipped/
shipped: dist | deps
	rm -rf $(dir $(SHIPPED))
	mkdir -p $(dir $(SHIPPED))
	tar -xzf dist/$(DIST_NAME).tar.gz -C $(dir $(SHIPPED))

## test-rust: cargo test (release, the library and the sandbox); the C/C++ programs it
##   builds use the shipped headers, justclick.pc and library. The fault storm
##   runs 10 s here (`make storm`: 60 s)
test-rust: test-build shipped
	JUSTCLICK_TEST_SHIPPED=$(SHIPPED) JUSTCLICK_STORM_SECONDS=10 $(CARGO) test --release

## test-php: the PHPUnit suite (php-fpm included) against the shipped library
test-php: test-build shipped
	JUSTCLICK_TEST_LIB=$(SHIPPED)/lib/libjustclick.so bindings/php/run-tests.sh

## test-python: the pytest suite against the shipped library
test-python: test-build shipped
	JUSTCLICK_TEST_LIB=$(SHIPPED)/lib/libjustclick.so bindings/python/run-tests.sh

## test-fuzz: every fuzz target briefly (ASan build of its own)
test-fuzz: | deps
	fuzz/smoke.sh

## test-cpp: include/justclick.hpp (C++17 under valgrind, C++20 under
##   ASan/UBSan) and the C++ example, against the shipped library
test-cpp: test-build shipped
	JUSTCLICK_TEST_SHIPPED=$(SHIPPED) $(CARGO) test --release --test c_abi cpp_

## test-install: make install from source, then programs built with
##   pkg-config, shared and --static (libjustclick.a only, under valgrind)
test-install: test-build
	$(CARGO) test --release --test c_abi make_install

## storm: the fault storm for 60 s (16 threads, one client; see README)
storm: test-build
	JUSTCLICK_STORM_SECONDS=60 $(CARGO) test --release --test storm -- --nocapture

## header: regenerate what the method table drives (tests/generated.rs), the PHP engine's CA roots, then the C and PHP headers
# Two runs: the regions include src/ffi/methods.rs, which the headers are made from.
header:
	JUSTCLICK_BLESS=1 $(CARGO) test --release --test generated
	JUSTCLICK_BLESS=1 $(CARGO) test --release --test php_roots
	php bindings/php/resources/roots.php
	JUSTCLICK_BLESS=1 $(CARGO) test --release --test header

## install: library, headers (C and C++), justclick.pc and the justclick command line under $(PREFIX)
##   make install PREFIX=/opt/justclick   (PROFILE=debug for a debug build)
# justclick.pc's Libs.private (for `pkg-config --static`) is what rustc says
# a Rust staticlib needs on this machine (--print native-static-libs, asked
# of an empty crate: the crate adds no native library, see packaging/common.sh),
# so the staticlib cargo already built is installed without compiling again.
CARGO_FEATURES = $(if $(FEATURES),--features $(FEATURES))
install:
	$(CARGO) build $(PROFILE_FLAG) --lib $(CARGO_FEATURES)
	$(CARGO) build $(PROFILE_FLAG) -p justclick-cli --bin justclick
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 0755 target/$(PROFILE)/justclick $(DESTDIR)$(PREFIX)/bin/justclick
	install -m 0755 target/$(PROFILE)/libjustclick.so $(DESTDIR)$(PREFIX)/lib/libjustclick.so.$(VERSION)
	ln -sf libjustclick.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libjustclick.so.$(MAJOR)
	ln -sf libjustclick.so.$(MAJOR) $(DESTDIR)$(PREFIX)/lib/libjustclick.so
	install -m 0644 target/$(PROFILE)/libjustclick.a $(DESTDIR)$(PREFIX)/lib/libjustclick.a
	install -m 0644 include/justclick.h include/justclick.hpp include/justclick_php.h $(DESTDIR)$(PREFIX)/include/
	libs=$$(bash -c '. packaging/common.sh && native_static_libs') && \
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' -e "s|@LIBS_PRIVATE@|$$libs|" \
	    justclick.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/justclick.pc
	@echo "installed in $(DESTDIR)$(PREFIX); build with: cc app.c \$$(PKG_CONFIG_PATH=$(PREFIX)/lib/pkgconfig pkg-config --cflags --libs justclick)"
	@echo "  (statically: pkg-config --static --libs, with the .so files out of the link path)"

## bench: the benchmark harness (prints ratios; see README)
bench:
	$(CARGO) build --release
	bench/run.sh

## fuzz: every fuzz target for FUZZ_SECONDS (default 600) each
fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} fuzz/run.sh

## deps: the Debian packages (apt as root) and PyPI tools (a venv in target/)
##   the tests need; cheap when all is there
deps:
	packaging/ensure-deps.sh test

## clean: cargo clean
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
test-dist: dist deb wheel test-build | deps
	packaging/test-installed.sh
