/*
 * Entry point of git-jira-scopes: global options and the command table.
 * Each command lives in its own cmd_*.c file.
 */
#include <errno.h>
#include <git2.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "frontend.h"

static const char usage_text[] =
	"usage: git jira-scopes [-v] <command> [<args>]\n"
	"\n"
	"commands:\n"
	"   check [REV]          declared against needed scopes at one revision\n"
	"   diff [BASE] [HEAD]   scopes added and removed between two revisions\n"
	"   endpoints [REV]      every call site with its operation and scopes\n"
	"   explain SCOPE        operations a scope allows\n"
	"   explain 'METHOD PATH'  scopes an operation needs\n"
	"   catalog import SPEC.json...  write a catalog from OpenAPI specs\n"
	"   pre-receive          server-side hook: reject unreviewed broad scopes\n"
	"   pre-push             client-side hook with the same rules\n"
	"   comment              post the scope report on a pull or merge request\n"
	"\n"
	"Run 'git jira-scopes <command> -h' for a command's options.\n";

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "check", gjs_cmd_check },
	{ "diff", gjs_cmd_diff },
	{ "endpoints", gjs_cmd_endpoints },
	{ "explain", gjs_cmd_explain },
	{ "catalog", gjs_cmd_catalog },
	{ "pre-receive", gjs_cmd_pre_receive },
	{ "pre-push", gjs_cmd_pre_push },
};

/*
 * Runs the comment bot, a binary of its own (git-jira-scopes-comment) so
 * that this one links no HTTP library. It is looked up beside this binary
 * first, then on PATH. Returns only on failure.
 */
static int run_comment_binary(char **argv)
{
	static const char name[] = "git-jira-scopes-comment";
	char self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	argv[0] = (char *)name;
	if (len > 0) {
		char *slash;

		self[len] = '\0';
		slash = strrchr(self, '/');
		if (slash && (size_t)(slash - self) + sizeof(name) + 1 < sizeof(self)) {
			memcpy(slash + 1, name, sizeof(name));
			execv(self, argv);
		}
	}
	execvp(name, argv);
	fprintf(stderr, "fatal: cannot run %s: %s; install it beside git-jira-scopes "
			"('make install' installs both)\n", name, strerror(errno));
	return GJS_EXIT_FATAL;
}

int main(int argc, char **argv)
{
	int arg = 1;
	int status;

	while (arg < argc && argv[arg][0] == '-') {
		if (!strcmp(argv[arg], "-v") || !strcmp(argv[arg], "--verbose")) {
			/* Set in the environment, so that the comment binary traces too. */
			setenv("GJS_TRACE", "1", 1);
			gjs_trace_enable(true);
		} else if (!strcmp(argv[arg], "-h") || !strcmp(argv[arg], "--help")) {
			fputs(usage_text, stdout);
			return GJS_EXIT_OK;
		} else if (!strcmp(argv[arg], "--version")) {
			printf("git-jira-scopes version %s\n", GJS_VERSION);
			return GJS_EXIT_OK;
		} else {
			gjs_print_error("unknown option '%s'", argv[arg]);
			fputs(usage_text, stderr);
			return GJS_EXIT_USAGE;
		}
		arg++;
	}
	if (arg >= argc) {
		fputs(usage_text, stderr);
		return GJS_EXIT_USAGE;
	}

	if (!strcmp(argv[arg], "comment"))
		return run_comment_binary(argv + arg);

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[arg], commands[i].name))
			continue;
		gjs_git_init();
		status = commands[i].run(argc - arg, argv + arg);
		git_libgit2_shutdown();
		return status;
	}

	gjs_print_error("'%s' is not a git jira-scopes command", argv[arg]);
	fputs(usage_text, stderr);
	return GJS_EXIT_USAGE;
}
