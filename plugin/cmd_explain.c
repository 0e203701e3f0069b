/*
 * `git jira-scopes explain`: which scopes an operation needs
 * (`explain 'METHOD PATH'`, or `explain PATH` for every method on a path),
 * and which operations need a scope (`explain SCOPE`). Reads only the
 * catalog, so it works outside a git repository too; inside one it honours
 * jira-scopes.catalog.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frontend.h"

static const char explain_usage[] =
	"git jira-scopes explain [--format=text|json] (<scope> | '<method> <path>' | <path>)";

static const char *const known_methods[] = {
	"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE",
};

enum explain_format { FORMAT_TEXT, FORMAT_JSON };

/* The operations to print, with an optional headline for text output. */
struct explain_result {
	size_t *indices;
	size_t count;
	size_t alloc;
	char *headline;
};

static const char *canonical_method(const char *word)
{
	for (size_t i = 0; i < sizeof(known_methods) / sizeof(known_methods[0]); i++)
		if (!strcasecmp(word, known_methods[i]))
			return known_methods[i];
	return NULL;
}

static bool looks_like_path(const char *query)
{
	return query[0] == '/' || strstr(query, "/rest/") || !strncmp(query, "http", 4) ||
	       query[0] == '$' || query[0] == '{';
}

/* Appends `s` with control characters replaced, since a user-supplied
 * catalog may contain anything but tabs and newlines. */
static void put_clean(gjs_buf *out, const char *s)
{
	char *clean = gjs_sanitize(s);

	gjs_buf_puts(out, clean);
	free(clean);
}

static void put_set(gjs_buf *out, const char *label, const char **set, size_t count)
{
	gjs_buf_printf(out, "  %-11s ", label);
	if (!count)
		gjs_buf_puts(out, "(none)");
	for (size_t i = 0; i < count; i++) {
		if (i)
			gjs_buf_puts(out, ", ");
		put_clean(out, set[i]);
	}
	gjs_buf_putc(out, '\n');
}

static void write_text(gjs_buf *out, const gjs_catalog *catalog, const struct explain_result *result)
{
	if (result->headline) {
		put_clean(out, result->headline);
		gjs_buf_putc(out, '\n');
	}
	for (size_t i = 0; i < result->count; i++) {
		const gjs_operation *op = gjs_catalog_get(catalog, result->indices[i]);

		if (i || result->headline)
			gjs_buf_putc(out, '\n');
		put_clean(out, op->method);
		gjs_buf_putc(out, ' ');
		put_clean(out, op->path);
		gjs_buf_putc(out, '\n');
		gjs_buf_printf(out, "  %-11s ", "operation:");
		put_clean(out, *op->operation_id ? op->operation_id : "(none)");
		gjs_buf_putc(out, '\n');
		put_set(out, "classic:", op->classic, op->classic_count);
		put_set(out, "granular:", op->granular, op->granular_count);
		gjs_buf_printf(out, "  %-11s ", "connect:");
		put_clean(out, *op->connect ? op->connect : "(none)");
		gjs_buf_printf(out, "\n  %-11s %s\n", "deprecated:", op->deprecated ? "yes" : "no");
	}
}

static cJSON *json_set(const char **set, size_t count)
{
	cJSON *array = cJSON_CreateArray();

	for (size_t i = 0; i < count; i++)
		cJSON_AddItemToArray(array, cJSON_CreateString(set[i]));
	return array;
}

static int write_json(gjs_buf *out, const gjs_catalog *catalog, const struct explain_result *result)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *operations = cJSON_AddArrayToObject(root, "operations");
	char *text;

	for (size_t i = 0; i < result->count; i++) {
		const gjs_operation *op = gjs_catalog_get(catalog, result->indices[i]);
		cJSON *item = cJSON_CreateObject();

		cJSON_AddStringToObject(item, "method", op->method);
		cJSON_AddStringToObject(item, "path", op->path);
		cJSON_AddStringToObject(item, "operation_id", op->operation_id);
		cJSON_AddItemToObject(item, "classic", json_set(op->classic, op->classic_count));
		cJSON_AddItemToObject(item, "granular", json_set(op->granular, op->granular_count));
		cJSON_AddStringToObject(item, "connect", op->connect);
		cJSON_AddBoolToObject(item, "deprecated", op->deprecated);
		cJSON_AddItemToArray(operations, item);
	}

	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		return gjs_fatal("out of memory writing JSON");
	gjs_buf_puts(out, text);
	gjs_buf_putc(out, '\n');
	cJSON_free(text);
	return 0;
}

static void add_index(struct explain_result *result, size_t index)
{
	GJS_GROW(result->indices, result->alloc, result->count + 1);
	result->indices[result->count++] = index;
}

static bool set_contains(const char **set, size_t count, const char *scope)
{
	for (size_t i = 0; i < count; i++)
		if (!strcmp(set[i], scope))
			return true;
	return false;
}

/* Reports whether a Connect scope covers an operation: the ladder rungs at
 * or below it, or exactly itself for ACT_AS_USER and ACCESS_EMAIL_ADDRESSES. */
static bool connect_covers(const char *scope, const gjs_operation *op)
{
	int rank = gjs_connect_rank(scope);
	int needed = gjs_connect_rank(op->connect);

	if (rank > 0)
		return needed > 0 && needed <= rank;
	return !strcasecmp(scope, op->connect);
}

static int explain_scope(struct explain_result *result, const gjs_catalog *catalog, const char *scope)
{
	gjs_scope_kind kind = gjs_catalog_scope_kind(catalog, scope);
	const char *kind_name = "classic";
	gjs_buf headline = GJS_BUF_INIT;
	char *clean;

	for (size_t i = 0; i < gjs_catalog_count(catalog); i++) {
		const gjs_operation *op = gjs_catalog_get(catalog, i);

		if (kind == GJS_SCOPE_CONNECT ? connect_covers(scope, op) :
		    set_contains(op->classic, op->classic_count, scope) ||
			    set_contains(op->granular, op->granular_count, scope))
			add_index(result, i);
	}

	switch (kind) {
	case GJS_SCOPE_UNKNOWN:
		gjs_fatal("no operation needs scope '%s'", scope);
		clean = gjs_sanitize(scope);
		fprintf(stderr, "hint: '%s' is not a scope the Jira specs define; check its spelling "
				"(scope names are case-sensitive)\n",
			clean);
		free(clean);
		return GJS_EXIT_FATAL;
	case GJS_SCOPE_PLATFORM:
		gjs_buf_printf(&headline, "%s: platform scope, no Jira REST operation needs it", scope);
		break;
	case GJS_SCOPE_CONNECT:
		gjs_buf_printf(&headline, "%s: Connect scope, allows %zu operation%s", scope,
			result->count, result->count == 1 ? "" : "s");
		break;
	case GJS_SCOPE_GRANULAR:
		kind_name = "granular";
		/* fall through */
	case GJS_SCOPE_CLASSIC:
		gjs_buf_printf(&headline, "%s: %s scope, in the requirement of %zu operation%s", scope,
			kind_name, result->count, result->count == 1 ? "" : "s");
		break;
	}
	result->headline = gjs_buf_detach(&headline);
	return 0;
}

static int explain_path(struct explain_result *result, const gjs_catalog *catalog,
	const char *method, const char *path)
{
	size_t *any_method = NULL;
	size_t any_count = 0;
	char *normalized = NULL;
	gjs_buf methods = GJS_BUF_INIT;

	if (gjs_catalog_normalize_path(&normalized, path) < 0) {
		gjs_fatal("'%s' is not a Jira REST path", path);
		fprintf(stderr, "hint: give a path such as /rest/api/3/issue/ABC-1, or a scope such "
				"as read:jira-work\n");
		return GJS_EXIT_FATAL;
	}
	free(normalized);

	gjs_catalog_match(&result->indices, &result->count, catalog, method, path);
	result->alloc = result->count;
	if (result->count)
		return 0;

	if (method)
		gjs_fatal("no operation matches '%s %s'", method, path);
	else
		gjs_fatal("no operation matches '%s'", path);

	gjs_catalog_match(&any_method, &any_count, catalog, NULL, path);
	for (size_t i = 0; i < any_count; i++)
		gjs_buf_printf(&methods, "%s%s", i ? ", " : "",
			gjs_catalog_get(catalog, any_method[i])->method);
	if (any_count)
		fprintf(stderr, "hint: the path is known with method %s; run 'git jira-scopes "
				"explain PATH' to list them\n",
			gjs_buf_cstr(&methods));
	else
		fprintf(stderr, "hint: the catalog contains Jira Cloud paths under /rest/api/3/ "
				"(also matched as /rest/api/2/), /rest/agile/1.0/ and "
				"/rest/servicedeskapi/\n");
	free(any_method);
	gjs_buf_free(&methods);
	return GJS_EXIT_FATAL;
}

/* Loads the catalog the config names, from the repository if there is one. */
static int load_catalog(gjs_catalog **out)
{
	git_repository *repo = NULL;
	gjs_policy *policy = NULL;
	int status;

	if (git_repository_open_ext(&repo, ".", 0, NULL) < 0) {
		repo = NULL;
		git_error_clear();
	}
	status = gjs_load_policy(&policy, repo);
	if (status == 0)
		status = gjs_load_catalog(out, policy);
	gjs_policy_free(policy);
	git_repository_free(repo);
	return status;
}

/* Runs one query: "METHOD PATH", PATH or SCOPE. */
static int explain_query(struct explain_result *result, const gjs_catalog *catalog, char *query)
{
	char *space = strchr(query, ' ');
	const char *method;

	if (space) {
		*space = '\0';
		method = canonical_method(query);
		if (!method) {
			gjs_fatal("'%s' is not an HTTP method", query);
			fprintf(stderr, "hint: write the query as 'GET /rest/api/3/...'\n");
			return GJS_EXIT_FATAL;
		}
		return explain_path(result, catalog, method, space + 1 + strspn(space + 1, " "));
	}
	if (looks_like_path(query))
		return explain_path(result, catalog, NULL, query);
	return explain_scope(result, catalog, query);
}

int gjs_cmd_explain(int argc, char **argv)
{
	enum explain_format format = FORMAT_TEXT;
	struct explain_result result = { 0 };
	gjs_catalog *catalog = NULL;
	gjs_buf query = GJS_BUF_INIT;
	gjs_buf out = GJS_BUF_INIT;
	const char *words[2] = { NULL, NULL };
	size_t word_count = 0;
	bool only_words = false;
	int arg;
	int status;

	/* Options may come before or after the query, as in git. */
	for (arg = 1; arg < argc; arg++) {
		const char *option = argv[arg];

		if (only_words || option[0] != '-' || !option[1]) {
			if (word_count == 2)
				return gjs_usage_error(explain_usage, "too many arguments; quote 'METHOD PATH'");
			words[word_count++] = option;
		} else if (!strcmp(option, "-h") || !strcmp(option, "--help")) {
			printf("usage: %s\n", explain_usage);
			return GJS_EXIT_OK;
		} else if (!strcmp(option, "--format=text")) {
			format = FORMAT_TEXT;
		} else if (!strcmp(option, "--format=json")) {
			format = FORMAT_JSON;
		} else if (!strncmp(option, "--format=", 9)) {
			return gjs_usage_error(explain_usage, "unknown format '%s' (expected text or json)",
				option + 9);
		} else if (!strcmp(option, "--")) {
			only_words = true;
		} else {
			return gjs_usage_error(explain_usage, "unknown option '%s'", option);
		}
	}
	if (!word_count)
		return gjs_usage_error(explain_usage, "give a scope, 'METHOD PATH' or a path");

	/* `explain GET /rest/...` reads as `explain 'GET /rest/...'`. */
	for (size_t i = 0; i < word_count; i++)
		gjs_buf_printf(&query, "%s%s", i ? " " : "", words[i]);
	if (word_count == 2 && !canonical_method(words[0])) {
		status = gjs_usage_error(explain_usage, "'%s' is not an HTTP method", words[0]);
		goto done;
	}

	status = load_catalog(&catalog);
	if (status)
		goto done;
	status = explain_query(&result, catalog, query.ptr + strspn(query.ptr, " "));
	if (status)
		goto done;

	if (format == FORMAT_JSON)
		status = write_json(&out, catalog, &result);
	else
		write_text(&out, catalog, &result);
	if (status == 0)
		status = gjs_write_stdout(gjs_buf_cstr(&out), out.len);

done:
	free(result.indices);
	free(result.headline);
	gjs_catalog_free(catalog);
	gjs_buf_free(&query);
	gjs_buf_free(&out);
	return status;
}
