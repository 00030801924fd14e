# plumb - endpoint compliance scanner.  Plain GNU make with pkg-config.
#
#   make            build ./build/plumb
#   make scan       install missing Debian packages, build, scan this machine
#   make test       install missing Debian packages, build, run every test
#   make SANITIZE=address,undefined test    the same under ASan+UBSan
#   make install    PREFIX=/usr/local DESTDIR=
#   make lint       cppcheck and clang-tidy
#   make fuzz       libFuzzer harnesses (clang)

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
DATADIR  = $(PREFIX)/share/plumb
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

CC      ?= cc
PKG_CONFIG ?= pkg-config

# Library pkg-config name -> Debian package that provides it.
PKGS := libcrypto:libssl-dev libssl:libssl-dev libxml-2.0:libxml2-dev \
	yara:libyara-dev sqlite3:libsqlite3-dev libcurl:libcurl4-openssl-dev \
	jansson:libjansson-dev zlib:zlib1g-dev liblzma:liblzma-dev liblz4:liblz4-dev
TEST_PKGS := cmocka:libcmocka-dev
PC_NAMES := $(foreach p,$(PKGS),$(firstword $(subst :, ,$(p))))

# Debian packages the build and the tests need (make deps installs them).
DEB_BUILD := gcc make pkg-config libssl-dev libxml2-dev libyara-dev \
	libsqlite3-dev libcurl4-openssl-dev libjansson-dev zlib1g-dev \
	liblzma-dev liblz4-dev
DEB_TEST := libcmocka-dev yara sqlite3 openssl iproute2 python3 \
	python3-jsonschema xz-utils lz4 gzip libxml2-utils procps systemd
# Report and evidence-bundle oracles: oscap, headless Chromium, NIST's OSCAL
# schema through jsonschema (regex for its \p{L} patterns, rfc3987 for uris).
DEB_TEST += openscap-scanner chromium python3-regex python3-rfc3987
# Patch family: apt and dpkg-query are the oracles; faketime dates a first scan.
DEB_TEST += apt faketime
# MFA family: sshd -T is the oracle for the effective sshd configuration.
DEB_TEST += openssh-server openssh-client

ifdef SANITIZE
BUILD ?= build-san
OPT   := -O1 -g -fno-omit-frame-pointer -fsanitize=$(SANITIZE) -fno-sanitize-recover=all
LDSAN := -fsanitize=$(SANITIZE)
else
BUILD ?= build
OPT   := -O2 -g -D_FORTIFY_SOURCE=2
LDSAN :=
endif

WARN := -Wall -Wextra -Wformat=2 -Wformat-security -Wshadow -Wpointer-arith \
	-Wstrict-prototypes -Wmissing-prototypes -Wvla -Wimplicit-fallthrough \
	-Wundef -Wcast-align
WERROR ?= -Werror

# libcurl's .pc names the multiarch system directory with -I, which would
# put it ahead of gcc's own headers and break <limits.h>; it is searched
# anyway, so it is dropped.
MULTIARCH_INC := -I/usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)
PC_CFLAGS = $(filter-out $(MULTIARCH_INC),$(shell $(PKG_CONFIG) --cflags $(PC_NAMES) 2>/dev/null))
PC_LIBS   = $(shell $(PKG_CONFIG) --libs $(PC_NAMES) 2>/dev/null)

CFLAGS ?=
CPPFLAGS += -D_GNU_SOURCE -DPLUMB_VERSION='"$(VERSION)"' \
	-DPLUMB_DATADIR='"$(DATADIR)"' -iquote scanner -iquote output
ALL_CFLAGS = -std=c11 $(OPT) $(WARN) $(WERROR) -fstack-protector-strong -fPIE \
	-pthread $(PC_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now -pthread $(LDSAN) $(LDFLAGS)
LIBS = $(PC_LIBS) -lm

SRCS := $(sort $(wildcard scanner/*.c output/*.c))
OBJS := $(SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS := $(filter-out $(BUILD)/scanner/main.o,$(OBJS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(BUILD)/tests/support.o
TEST_HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))
TEST_HELPER_BINS := $(TEST_HELPER_SRCS:tests/helpers/%.c=$(BUILD)/tests/helpers/%)
EMBEDDED := $(wildcard baselines/schema/*.xsd) $(wildcard output/*.schema.json)

.PHONY: all scan test check-libs deps install uninstall lint fuzz clean test-bins

all: $(BUILD)/plumb

check-libs:
	@missing=""; for p in $(PKGS) $(if $(filter test test-bins,$(MAKECMDGOALS)),$(TEST_PKGS)); do \
	  pc=$${p%%:*}; deb=$${p#*:}; \
	  $(PKG_CONFIG) --exists $$pc || missing="$$missing $$deb"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "plumb: missing libraries; install them with:" >&2; \
	  echo "  apt-get install$$missing" >&2; exit 1; fi

# Installs what the build and tests need: with apt-get as root, otherwise
# prints the exact command to run.
deps:
	@sh tests/deps.sh $(DEB_BUILD) $(if $(filter test,$(MAKECMDGOALS)),$(DEB_TEST))

$(BUILD)/plumb: $(OBJS) | check-libs
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(BUILD)/libplumb.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $(LIB_OBJS)

$(BUILD)/%.o: %.c | check-libs
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The schemas are compiled into the binary so plumb never depends on where
# it was installed to validate what it reads and writes.
$(BUILD)/scanner/embed.o: $(EMBEDDED)
$(BUILD)/output/frameworks.o: $(wildcard output/frameworks/*.csv)

# tests/unit/support.c (scratch directories, file trees) is linked into
# every unit test binary; it is not a test itself, so it is not named test_*.
$(TEST_SUPPORT): tests/unit/support.c | check-libs
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) \
	  -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/support.h $(TEST_SUPPORT) \
		$(BUILD)/libplumb.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) \
	  $(ALL_LDFLAGS) -o $@ $< $(TEST_SUPPORT) $(BUILD)/libplumb.a $(LIBS) \
	  $(shell $(PKG_CONFIG) --libs cmocka)

$(BUILD)/tests/helpers/%: tests/helpers/%.c $(BUILD)/libplumb.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
	  $(BUILD)/libplumb.a $(LIBS)

test-bins: $(BUILD)/plumb $(UNIT_BINS) $(TEST_HELPER_BINS)

scan: deps
	@$(MAKE) --no-print-directory $(BUILD)/plumb
	@sh tests/scan-here.sh $(BUILD)/plumb

test: deps
	@$(MAKE) --no-print-directory test-bins
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) sh tests/run.sh

install: $(BUILD)/plumb
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/baselines \
	  $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(DATADIR)/schema
	install -m 0755 $(BUILD)/plumb $(DESTDIR)$(BINDIR)/plumb
	cd baselines && find . -name '*.xml' -o -name '*.xsd' | while read f; do \
	  install -D -m 0644 "$$f" "$(DESTDIR)$(DATADIR)/baselines/$$f"; done
	if [ -d rules ]; then cd rules && find . -name '*.yar' | while read f; do \
	  install -D -m 0644 "$$f" "$(DESTDIR)$(DATADIR)/rules/$$f"; done; fi
	for f in output/*.schema.json; do [ -e "$$f" ] && \
	  install -m 0644 "$$f" $(DESTDIR)$(DATADIR)/schema/; done; true
	if [ -d contrib/systemd ]; then install -d $(DESTDIR)$(PREFIX)/lib/systemd/system && \
	  for f in contrib/systemd/*.service contrib/systemd/*.timer; do [ -e "$$f" ] && \
	  sed 's|@BINDIR@|$(BINDIR)|g' "$$f" > $(DESTDIR)$(PREFIX)/lib/systemd/system/$$(basename $$f); done; fi; true
	install -D -m 0644 contrib/plumb.conf.example $(DESTDIR)$(DATADIR)/examples/plumb.conf
	install -D -m 0644 contrib/cron/plumb $(DESTDIR)$(DATADIR)/examples/cron.d-plumb

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/plumb
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(PREFIX)/lib/systemd/system/plumb.service \
	  $(DESTDIR)$(PREFIX)/lib/systemd/system/plumb.timer

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	  --inline-suppr -D_GNU_SOURCE -Iscanner -Ioutput scanner output
	clang-tidy --quiet $(SRCS) -- $(CPPFLAGS) -std=c11 $(PC_CFLAGS)

fuzz:
	@$(MAKE) --no-print-directory -f tests/fuzz/fuzz.mk

clean:
	rm -rf build build-san build-fuzz

-include $(OBJS:.o=.d) $(TEST_SUPPORT:.o=.d)
