/*
 * Helpers shared by the commands: git-style messages and exit codes,
 * opening the repository, resolving revisions, loading the catalog and
 * policy. Only front ends include this header; the core never prints.
 */
#ifndef GJS_FRONTEND_H
#define GJS_FRONTEND_H

#include <git2.h>
#include <stdbool.h>
#include <stdio.h>

#include "catalog.h"
#include "common.h"
#include "policy.h"

/* Initializes libgit2 for a command; see frontend.c for the options set. */
void gjs_git_init(void);

/* Exit codes, as git uses them. */
enum {
	GJS_EXIT_OK = 0,
	GJS_EXIT_FINDINGS = 1, /* --exit-code findings, or a push rejected by policy */
	GJS_EXIT_FATAL = 128,  /* could not decide */
	GJS_EXIT_USAGE = 129,
};

/* Prints "fatal: MESSAGE" on stderr and returns GJS_EXIT_FATAL. */
int gjs_fatal(const char *fmt, ...) GJS_PRINTF(1, 2);
/* Prints "error: MESSAGE" on stderr. */
void gjs_print_error(const char *fmt, ...) GJS_PRINTF(1, 2);
void gjs_print_warning(const char *fmt, ...) GJS_PRINTF(1, 2);
/* Prints "usage: USAGE" and an optional "error: MESSAGE"; returns GJS_EXIT_USAGE. */
int gjs_usage_error(const char *usage, const char *fmt, ...) GJS_PRINTF(2, 3);
/* Prints a trace line on stderr when GJS_TRACE is set or -v was given. */
void gjs_trace(const char *fmt, ...) GJS_PRINTF(1, 2);
void gjs_trace_enable(bool on);

/* Reports whether to use colour on `stream`: never with NO_COLOR, else as
 * git's color.ui sets it (auto, always, never), auto meaning on a terminal. */
bool gjs_use_color(FILE *stream, git_repository *repo);

/* Opens the repository that contains the current directory, or with `flags`
 * from git_repository_open_ext (GIT_REPOSITORY_OPEN_FROM_ENV for hooks).
 * On failure prints the fatal message and returns GJS_EXIT_FATAL. */
int gjs_open_repository(git_repository **out, unsigned int flags);

/* Resolves a revision to a commit; prints the fatal message itself. A base
 * that is missing from a shallow clone gets a hint to deepen the fetch. */
int gjs_resolve_commit(git_commit **out, git_repository *repo, const char *revision);

/* Loads jira-scopes.* policy from the repository's config. */
int gjs_load_policy(gjs_policy **out, git_repository *repo);

/* Loads the built-in catalog, or the file at jira-scopes.catalog. */
int gjs_load_catalog(gjs_catalog **out, const gjs_policy *policy);

/* Writes a buffer to stdout; returns GJS_EXIT_FATAL on a write error. */
int gjs_write_stdout(const char *data, size_t len);

/* Commands: each returns the process exit code. argv[0] is the command name. */
int gjs_cmd_check(int argc, char **argv);
int gjs_cmd_diff(int argc, char **argv);
int gjs_cmd_explain(int argc, char **argv);
int gjs_cmd_catalog(int argc, char **argv);
int gjs_cmd_endpoints(int argc, char **argv);
int gjs_cmd_pre_receive(int argc, char **argv);
int gjs_cmd_pre_push(int argc, char **argv);
int gjs_cmd_comment(int argc, char **argv);

#endif
