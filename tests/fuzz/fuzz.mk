# tests/fuzz/fuzz.mk - libFuzzer harnesses for plumb's parsers (clang).
#
#   make fuzz                                   build every harness
#   make -f tests/fuzz/fuzz.mk run FUZZ_TIME=300   run each in turn
#   make -f tests/fuzz/fuzz.mk run-pam FUZZ_TIME=600   run one
#
# The project's objects (all of scanner/ and output/ but main.c) are built
# again with clang -fsanitize=fuzzer-no-link,address,undefined into
# $(BUILD_FUZZ)/obj, using the main Makefile's own rules and flags, so the
# harnesses fuzz exactly the code `make` builds.  Each harness links with
# -fsanitize=fuzzer.  A run works on a copy of the harness's corpus in
# $(BUILD_FUZZ)/corpus/NAME (new inputs land there, the committed seeds in
# tests/fuzz/corpus/NAME are only read), writes crash inputs as
# $(BUILD_FUZZ)/crash-NAME-*, and keeps libFuzzer's output in $(BUILD_FUZZ)/NAME.log.  A crash input worth keeping is copied into
# tests/fuzz/corpus/NAME, where tests/e2e/fuzz_replay.sh replays it in
# `make test` without libFuzzer.

BUILD_FUZZ ?= build-fuzz
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
# The issue's bar is 10 million executions or 30 minutes, whichever is first.
FUZZ_RUNS ?= 10000000
FUZZ_NICE ?= nice -n 10
# Harnesses that write their input as files of a scratch root run several
# times faster on tmpfs.
FUZZ_TMPDIR ?= $(if $(wildcard /dev/shm/.),/dev/shm,/tmp)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
# Once RSS passes half of -rss_limit_mb (ASan's quarantine alone is 256
# MiB), libFuzzer purges the allocator every second by default: thousands of
# madvise calls, each a TLB shootdown across CPUs, then every page faulted
# back in, and the harness spends most of its time in the kernel.  The
# memory stays bounded by -rss_limit_mb without it.
FUZZ_PURGE ?= -purge_allocator_interval=-1

# Set before the main Makefile is read (and over any BUILD, CC or SANITIZE
# a parent make passed on), so its object rules build into the fuzz tree.
override BUILD := $(BUILD_FUZZ)/obj
override CC := $(FUZZ_CC)
include Makefile
override OPT := -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) \
	-fsanitize=fuzzer-no-link
override LDSAN := $(FUZZ_SAN)
# Other helpers' code is warning-free for gcc; clang's extra warnings are
# shown but do not stop the fuzz build.
override WERROR :=

.DEFAULT_GOAL := fuzz-all

FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_BINS := $(FUZZ_NAMES:%=$(BUILD_FUZZ)/fuzz_%)

.PHONY: fuzz-all run $(FUZZ_NAMES:%=run-%)

fuzz-all: $(FUZZ_BINS)

$(BUILD_FUZZ)/libplumb-fuzz.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $(LIB_OBJS)

$(BUILD_FUZZ)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h \
		$(BUILD_FUZZ)/libplumb-fuzz.a
	$(CC) $(CPPFLAGS) -iquote tests/fuzz $(ALL_CFLAGS) -fsanitize=fuzzer \
	  $(ALL_LDFLAGS) -o $@ $< $(BUILD_FUZZ)/libplumb-fuzz.a $(LIBS)

run: $(FUZZ_NAMES:%=run-%)

# One harness at a time at low priority; the final stats line (executions,
# seconds) is kept in the log.
$(FUZZ_NAMES:%=run-%): run-%: $(BUILD_FUZZ)/fuzz_%
	@mkdir -p $(BUILD_FUZZ)/corpus/$*
	TMPDIR=$(FUZZ_TMPDIR) $(FUZZ_NICE) $(BUILD_FUZZ)/fuzz_$* $(BUILD_FUZZ)/corpus/$* \
	  tests/fuzz/corpus/$* -max_total_time=$(FUZZ_TIME) -runs=$(FUZZ_RUNS) -rss_limit_mb=2048 $(FUZZ_PURGE) \
	  -timeout=10 -print_final_stats=1 \
	  -artifact_prefix=$(BUILD_FUZZ)/crash-$*- >$(BUILD_FUZZ)/$*.log 2>&1; \
	  st=$$?; tail -n 25 $(BUILD_FUZZ)/$*.log; exit $$st
