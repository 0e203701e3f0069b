/*
 * Front-end helpers: git-style messages on stderr, the trace gate, and the
 * repository, revision, policy and catalog loading that every command
 * shares. The core modules never print; these functions do.
 */
#include "frontend.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static bool trace_on;

void gjs_git_init(void)
{
	git_libgit2_init();
	/*
	 * libgit2 rehashes every object it reads by default; git does not, and
	 * the objects of a push were checked by index-pack on receipt. The
	 * rehash was a quarter of the hook's instructions in the benchmark.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}

static void print_prefixed(const char *prefix, const char *fmt, va_list ap)
{
	gjs_buf line = GJS_BUF_INIT;
	char *clean;

	gjs_buf_vprintf(&line, fmt, ap);
	clean = gjs_sanitize(gjs_buf_cstr(&line));
	fprintf(stderr, "%s%s\n", prefix, clean);
	free(clean);
	gjs_buf_free(&line);
}

int gjs_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_prefixed("fatal: ", fmt, ap);
	va_end(ap);
	return GJS_EXIT_FATAL;
}

void gjs_print_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_prefixed("error: ", fmt, ap);
	va_end(ap);
}

void gjs_print_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_prefixed("warning: ", fmt, ap);
	va_end(ap);
}

int gjs_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		print_prefixed("error: ", fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "usage: %s\n", usage);
	return GJS_EXIT_USAGE;
}

void gjs_trace_enable(bool on)
{
	trace_on = on;
}

void gjs_trace(const char *fmt, ...)
{
	va_list ap;
	const char *env = getenv("GJS_TRACE");

	if (!trace_on && !(env && *env && strcmp(env, "0")))
		return;
	va_start(ap, fmt);
	print_prefixed("trace: ", fmt, ap);
	va_end(ap);
}

bool gjs_use_color(FILE *stream, git_repository *repo)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	git_config *config = NULL;
	git_buf value = { 0 };
	int setting = -1; /* -1 auto, 0 never, 1 always */

	if (no_color && *no_color)
		return false;
	if (repo && git_repository_config_snapshot(&config, repo) == 0 &&
	    git_config_get_string_buf(&value, config, "color.ui") == 0) {
		if (!strcasecmp(value.ptr, "never") || !strcasecmp(value.ptr, "false"))
			setting = 0;
		else if (!strcasecmp(value.ptr, "always"))
			setting = 1;
	}
	git_buf_dispose(&value);
	git_config_free(config);
	if (setting >= 0)
		return setting == 1;
	if (term && !strcmp(term, "dumb"))
		return false;
	return isatty(fileno(stream));
}

int gjs_open_repository(git_repository **out, unsigned int flags)
{
	if (git_repository_open_ext(out, (flags & GIT_REPOSITORY_OPEN_FROM_ENV) ? NULL : ".",
		    flags, NULL) < 0) {
		const git_error *err = git_error_last();

		if (err && err->klass == GIT_ERROR_REPOSITORY)
			return gjs_fatal("not a git repository (or any of the parent directories); "
					 "run this inside a git repository");
		return gjs_fatal("cannot open the git repository: %s",
			err && err->message ? err->message : "unknown error");
	}
	return 0;
}

/* Reports whether `revision` names an object that the repository is shallow
 * at, or that would lie beyond its shallow boundary. */
static bool looks_cut_by_shallow_clone(git_repository *repo, const char *revision)
{
	git_oid id;

	if (!git_repository_is_shallow(repo))
		return false;
	if (strlen(revision) >= 7 && strspn(revision, "0123456789abcdefABCDEF") == strlen(revision))
		return true;
	return git_oid_fromstrp(&id, revision) == 0 || strstr(revision, "~") || strstr(revision, "^");
}

int gjs_resolve_commit(git_commit **out, git_repository *repo, const char *revision)
{
	git_object *object = NULL;
	int error;

	error = git_revparse_single(&object, repo, revision);
	if (error == 0)
		error = git_object_peel((git_object **)out, object, GIT_OBJECT_COMMIT);
	git_object_free(object);
	if (error == 0)
		return 0;

	if (!strcmp(revision, "HEAD") && git_repository_head_unborn(repo) == 1)
		return gjs_fatal("HEAD has no commits yet; commit first, or read the working tree "
				 "with 'git jira-scopes check --worktree'");
	if (looks_cut_by_shallow_clone(repo, revision)) {
		gjs_fatal("commit '%s' is not in this shallow clone", revision);
		fprintf(stderr, "hint: fetch more history with 'git fetch --deepen=100' or "
				"'git fetch --unshallow', then run again\n");
		return GJS_EXIT_FATAL;
	}
	if (error == GIT_ENOTFOUND || error == GIT_EAMBIGUOUS || error == GIT_EINVALIDSPEC)
		return gjs_fatal("unknown revision '%s'; give a commit, branch or tag that exists "
				 "in this repository", revision);
	return gjs_fatal("cannot resolve '%s' to a commit: %s", revision,
		git_error_last() ? git_error_last()->message : "unknown error");
}

/* Reads one single-quoted word of GIT_CONFIG_PARAMETERS, where git writes a
 * quote inside a word as '\''. Returns the position after it, or NULL. */
static const char *read_quoted(gjs_buf *out, const char *p)
{
	if (*p != '\'')
		return NULL;
	p++;
	for (;;) {
		const char *end = strchr(p, '\'');

		if (!end)
			return NULL;
		gjs_buf_put(out, p, (size_t)(end - p));
		p = end + 1;
		if (strncmp(p, "\\''", 3))
			return p;
		gjs_buf_putc(out, '\'');
		p += 3;
	}
}

static void add_override(gjs_buf *file, const char *key, const char *value)
{
	static const char prefix[] = "jira-scopes.";

	if (strncasecmp(key, prefix, sizeof(prefix) - 1) || strchr(key + sizeof(prefix) - 1, '.'))
		return;
	gjs_buf_printf(file, "[jira-scopes]\n\t%s = \"", key + sizeof(prefix) - 1);
	for (const char *c = value ? value : "true"; *c; c++) {
		if (*c == '\\' || *c == '"')
			gjs_buf_putc(file, '\\');
		if (*c == '\n')
			gjs_buf_puts(file, "\\n");
		else
			gjs_buf_putc(file, *c);
	}
	gjs_buf_puts(file, "\"\n");
}

/*
 * Collects the jira-scopes.* settings that `git -c KEY=VALUE` passes to a
 * command it runs: GIT_CONFIG_PARAMETERS ('key'='value' words, or 'key=value'
 * from older git) and GIT_CONFIG_COUNT with GIT_CONFIG_KEY_n/VALUE_n.
 */
static void collect_command_line_config(gjs_buf *file)
{
	const char *params = getenv("GIT_CONFIG_PARAMETERS");
	const char *count_text = getenv("GIT_CONFIG_COUNT");
	const char *p = params;

	while (p && *p) {
		gjs_buf key = GJS_BUF_INIT;
		gjs_buf value = GJS_BUF_INIT;
		bool has_value = false;

		p += strspn(p, " ");
		if (!*p)
			break;
		p = read_quoted(&key, p);
		if (p && *p == '=') {
			p = read_quoted(&value, p + 1);
			has_value = true;
		}
		if (p && key.ptr) {
			char *equals = has_value ? NULL : strchr(key.ptr, '=');

			if (equals) {
				*equals = '\0';
				add_override(file, key.ptr, equals + 1);
			} else {
				add_override(file, key.ptr, has_value ? gjs_buf_cstr(&value) : NULL);
			}
		}
		gjs_buf_free(&key);
		gjs_buf_free(&value);
	}

	if (count_text && *count_text) {
		char *end = NULL;
		long count = strtol(count_text, &end, 10);

		for (long i = 0; end && !*end && i < count && i < 10000; i++) {
			char name[64];
			const char *key;

			snprintf(name, sizeof(name), "GIT_CONFIG_KEY_%ld", i);
			key = getenv(name);
			snprintf(name, sizeof(name), "GIT_CONFIG_VALUE_%ld", i);
			if (key)
				add_override(file, key, getenv(name) ? getenv(name) : "");
		}
	}
}

/* Adds the `git -c` settings on top of `config`, at the highest level. */
static int add_command_line_config(git_config *config, git_repository *repo)
{
	gjs_buf file = GJS_BUF_INIT;
	gjs_buf path = GJS_BUF_INIT;
	const char *tmpdir = getenv("TMPDIR");
	int fd;
	int error = 0;

	collect_command_line_config(&file);
	if (!file.len)
		return 0;
	gjs_buf_printf(&path, "%s/gjs-config-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(path.ptr);
	if (fd < 0 || write(fd, file.ptr, file.len) != (ssize_t)file.len) {
		gjs_error_set("cannot write a temporary file for the git -c settings: %s", strerror(errno));
		error = GJS_ERROR;
	}
	if (fd >= 0)
		close(fd);
	if (!error && git_config_add_file_ondisk(config, path.ptr, GIT_CONFIG_LEVEL_APP, repo, 1) < 0) {
		gjs_error_set_git("cannot read the git -c settings");
		error = GJS_EINVALID;
	}
	if (fd >= 0)
		unlink(path.ptr);
	gjs_buf_free(&path);
	gjs_buf_free(&file);
	return error;
}

int gjs_load_policy(gjs_policy **out, git_repository *repo)
{
	git_config *config = NULL;
	git_config *snapshot = NULL;
	int error;

	if (repo)
		error = git_repository_config(&config, repo);
	else
		error = git_config_open_default(&config);
	if (error < 0) {
		/* Outside a repository without a readable global config: defaults. */
		if (!repo) {
			error = gjs_policy_load(out, NULL);
			goto done;
		}
		gjs_fatal("cannot read git config: %s",
			git_error_last() ? git_error_last()->message : "unknown error");
		return GJS_EXIT_FATAL;
	}
	if (add_command_line_config(config, repo) < 0) {
		git_config_free(config);
		return gjs_fatal("%s", gjs_error_last());
	}
	if (git_config_snapshot(&snapshot, config) < 0) {
		git_config_free(config);
		return gjs_fatal("cannot read git config: %s",
			git_error_last() ? git_error_last()->message : "unknown error");
	}
	error = gjs_policy_load(out, snapshot);

done:
	git_config_free(snapshot);
	git_config_free(config);
	if (error < 0)
		return gjs_fatal("%s", gjs_error_last());
	return 0;
}

int gjs_load_catalog(gjs_catalog **out, const gjs_policy *policy)
{
	int error;

	if (policy && policy->catalog) {
		error = gjs_catalog_load_file(out, policy->catalog);
		if (error < 0)
			return gjs_fatal("cannot load the catalog named by jira-scopes.catalog: %s",
				gjs_error_last());
		return 0;
	}
	if (gjs_catalog_load_builtin(out) < 0)
		return gjs_fatal("cannot load the built-in catalog: %s", gjs_error_last());
	return 0;
}

int gjs_write_stdout(const char *data, size_t len)
{
	if (len && fwrite(data, 1, len, stdout) != len)
		return gjs_fatal("cannot write to standard output: %s", strerror(errno));
	if (fflush(stdout) != 0)
		return gjs_fatal("cannot write to standard output: %s", strerror(errno));
	return 0;
}
