# git-jira-scopes build. `make` builds ./git-jira-scopes; `make demo` runs the
# main job on the bundled example; `make test` runs every test; `make bench`
# measures speed and memory. SANITIZE=1 builds with ASan and UBSan into
# build-san/.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS = libgit2 libcurl libcjson yaml-0.1

ifeq ($(SANITIZE),1)
BUILD ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT = -O1
else
BUILD ?= build
SANFLAGS =
OPT = -O2
endif

WARNINGS = -Wall -Wextra -Wshadow -Wformat=2 -Werror
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
VERSION = 0.1.0
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DGJS_VERSION=\"$(VERSION)\" -g $(OPT) $(WARNINGS) $(SANFLAGS) -Iinclude $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

SOURCES = $(wildcard plugin/*.c)
OBJECTS = $(patsubst plugin/%.c,$(BUILD)/%.o,$(SOURCES)) $(BUILD)/catalog_data.o
MAINS = $(BUILD)/main.o $(BUILD)/comment_main.o
LIB_OBJECTS = $(filter-out $(MAINS),$(OBJECTS))
# The comment bot is the only network client. It is a binary of its own, so
# that git-jira-scopes, which runs as a server hook, loads no libcurl: that
# saves about 10 ms of dynamic linking on every push.
BOT_OBJECTS = $(BUILD)/cmd_comment.o $(BUILD)/http.o $(patsubst plugin/%.c,$(BUILD)/%.o,$(wildcard plugin/provider*.c))
CORE_OBJECTS = $(filter-out $(BOT_OBJECTS),$(LIB_OBJECTS))
CORE_PKGS = libgit2 libcjson yaml-0.1
CORE_LIBS = $(shell $(PKG_CONFIG) --libs $(CORE_PKGS) 2>/dev/null)
UNIT_SOURCES = $(wildcard tests/unit/test_*.c)
UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SOURCES))

# Every build directory gets its own binary; the default build also puts one
# at the top of the repository, where git finds it with `PATH=$PWD:$PATH`.
BINARY = $(BUILD)/git-jira-scopes
BOT_BINARY = $(BUILD)/git-jira-scopes-comment
ifeq ($(BUILD),build)
TOP_BINARY = git-jira-scopes git-jira-scopes-comment
endif

.PHONY: all deps demo test unit e2e bench install clean catalog
.DEFAULT_GOAL := all

all: deps $(BINARY) $(BOT_BINARY) $(TOP_BINARY)

git-jira-scopes: $(BUILD)/git-jira-scopes
	cp $< $@

git-jira-scopes-comment: $(BUILD)/git-jira-scopes-comment
	cp $< $@

deps:
	@sh pkg/install-deps.sh build

$(BINARY): $(BUILD)/main.o $(CORE_OBJECTS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(BUILD)/main.o $(CORE_OBJECTS) $(CORE_LIBS)

$(BOT_BINARY): $(BUILD)/comment_main.o $(LIB_OBJECTS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(BUILD)/comment_main.o $(LIB_OBJECTS) $(PKG_LIBS)

$(BUILD)/%.o: plugin/%.c $(wildcard include/*.h) | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The committed catalog becomes a C string array compiled into the binary.
$(BUILD)/catalog_data.c: plugin/catalog.tsv plugin/embed-catalog.awk | $(BUILD)
	awk -f plugin/embed-catalog.awk plugin/catalog.tsv > $@

$(BUILD)/catalog_data.o: $(BUILD)/catalog_data.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD):
	mkdir -p $(BUILD)/tests

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(LIB_OBJECTS)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJECTS) $(PKG_LIBS) $(CMOCKA_LIBS) $(ALL_LDFLAGS)

# Regenerates the catalog from Atlassian's OpenAPI specs (see README).
SPECS ?= ../shared/specs/jira-platform-v3.json ../shared/specs/jira-software-agile.json \
	../shared/specs/jira-service-management.json
catalog: $(BINARY)
	$(BINARY) catalog import $(SPECS) > plugin/catalog.tsv.new
	mv plugin/catalog.tsv.new plugin/catalog.tsv

demo: all
	@sh examples/run-demo.sh $(BINARY)

test:
	@sh pkg/install-deps.sh test
	@$(MAKE) --no-print-directory all $(UNIT_TESTS)
	@sh tests/run.sh $(BINARY) $(BUILD)

bench: all
	@sh bench/run.sh $(BINARY)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BINARY) $(DESTDIR)$(PREFIX)/bin/git-jira-scopes
	install -m 755 $(BOT_BINARY) $(DESTDIR)$(PREFIX)/bin/git-jira-scopes-comment
	install -m 644 pkg/git-jira-scopes.1 $(DESTDIR)$(PREFIX)/share/man/man1/git-jira-scopes.1

clean:
	rm -rf build build-* git-jira-scopes git-jira-scopes-comment
