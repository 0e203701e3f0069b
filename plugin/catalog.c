/*
 * The endpoint-to-scope catalog: loading the catalog text (built in or from
 * a file), matching call-site paths to operations, classifying scope names
 * and deciding whether a set of declared scopes allows an operation.
 * Turning OpenAPI specs into catalog text lives in catalog_import.c.
 *
 * Catalog text is line based. Lines starting with '#' are comments. An
 * operation line has seven tab-separated fields: path template, method,
 * operationId, classic set, granular set, Connect scope, and "deprecated".
 * Sets are comma-separated, and "-" marks an empty field. A line
 * "scope<TAB>NAME" records a scope name that the specs define.
 */
#include "catalog.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Generated from plugin/catalog.tsv by plugin/embed-catalog.awk. */
extern const char *const gjs_builtin_catalog[];

#define OPERATION_FIELDS 7

/* One path segment of the matching trie. Literal children are sorted by
 * segment once the trie is built, so lookups can use bsearch. */
struct trie_node {
	char *segment; /* literal text; NULL for the root and parameter nodes */
	struct trie_node **literals;
	size_t literal_count;
	size_t literal_alloc;
	struct trie_node *param; /* child for a `{param}` segment */
	size_t *ops;             /* operations whose template ends here */
	size_t op_count;
	size_t op_alloc;
};

struct gjs_catalog {
	char *text; /* owned copy of the catalog text; every field points into it */
	gjs_operation *ops;
	size_t count;
	size_t alloc;
	const char **scopes; /* sorted and unique */
	size_t scope_count;
	size_t scope_alloc;
	struct trie_node *root;
};

static const char *const connect_scopes[] = {
	"READ", "WRITE", "DELETE", "PROJECT_ADMIN", "ADMIN", "ACT_AS_USER", "ACCESS_EMAIL_ADDRESSES",
};

/*
 * Scopes an app may declare that no Jira REST operation needs: the Forge
 * platform scopes (Forge manifest reference, "Forge scopes") and the OAuth
 * 2.0 (3LO) identity scopes. A name the specs define is never looked up here.
 */
static const char *const platform_scopes[] = {
	"offline_access",
	"read:account",
	"read:app-system-token",
	"read:app-user-token",
	"read:chat:rovo",
	"read:me",
	"report:personal-data",
	"storage:app",
};

/* ---- the matching trie ---- */

static void trie_free(struct trie_node *node)
{
	if (!node)
		return;
	for (size_t i = 0; i < node->literal_count; i++)
		trie_free(node->literals[i]);
	trie_free(node->param);
	free(node->literals);
	free(node->ops);
	free(node->segment);
	free(node);
}

static struct trie_node *trie_literal_child(struct trie_node *node, const char *segment, size_t len)
{
	struct trie_node *child;

	for (size_t i = 0; i < node->literal_count; i++) {
		child = node->literals[i];
		if (strlen(child->segment) == len && !memcmp(child->segment, segment, len))
			return child;
	}
	child = gjs_xcalloc(1, sizeof(*child));
	child->segment = gjs_xstrndup(segment, len);
	GJS_GROW(node->literals, node->literal_alloc, node->literal_count + 1);
	node->literals[node->literal_count++] = child;
	return child;
}

static int compare_nodes(const void *a, const void *b)
{
	const struct trie_node *x = *(struct trie_node *const *)a;
	const struct trie_node *y = *(struct trie_node *const *)b;

	return strcmp(x->segment, y->segment);
}

static void trie_sort(struct trie_node *node)
{
	if (!node)
		return;
	if (node->literal_count)
		qsort(node->literals, node->literal_count, sizeof(*node->literals), compare_nodes);
	for (size_t i = 0; i < node->literal_count; i++)
		trie_sort(node->literals[i]);
	trie_sort(node->param);
}

/* Reports whether a segment of a normalized path matches any value. */
static bool is_wildcard(const char *segment, size_t len)
{
	return len == 2 && segment[0] == '{' && segment[1] == '}';
}

/* Adds operation `index` under its normalized path template. */
static int trie_insert(struct trie_node *root, const char *path, size_t index)
{
	struct trie_node *node = root;
	char *normalized = NULL;
	const char *segment;
	int error;

	error = gjs_catalog_normalize_path(&normalized, path);
	if (error < 0)
		return error;

	segment = normalized + 1;
	while (*segment) {
		size_t len = strcspn(segment, "/");

		if (is_wildcard(segment, len)) {
			if (!node->param)
				node->param = gjs_xcalloc(1, sizeof(*node->param));
			node = node->param;
		} else {
			node = trie_literal_child(node, segment, len);
		}
		segment += len;
		if (*segment == '/')
			segment++;
	}
	GJS_GROW(node->ops, node->op_alloc, node->op_count + 1);
	node->ops[node->op_count++] = index;
	free(normalized);
	return 0;
}

static int compare_segment_key(const void *key, const void *member)
{
	const struct trie_node *node = *(struct trie_node *const *)member;

	return strcmp(key, node->segment);
}

/*
 * Walks the trie from `node` along segments[at..count) and appends the end
 * nodes that match. A literal segment tries the literal child first and the
 * parameter child only when the literal branch matches nothing, so that
 * `/issue/bulk` is not `/issue/{issueIdOrKey}`. A wildcard segment prefers
 * the parameter child; only when that branch fails does it take every
 * literal child that leads to a match. Returns whether anything matched.
 */
static bool trie_walk(const struct trie_node *node, char **segments, size_t count, size_t at,
	const struct trie_node ***found, size_t *found_count, size_t *found_alloc)
{
	bool matched = false;

	if (at == count) {
		if (!node->op_count)
			return false;
		GJS_GROW(*found, *found_alloc, *found_count + 1);
		(*found)[(*found_count)++] = node;
		return true;
	}

	if (is_wildcard(segments[at], strlen(segments[at]))) {
		if (node->param &&
		    trie_walk(node->param, segments, count, at + 1, found, found_count, found_alloc))
			return true;
		for (size_t i = 0; i < node->literal_count; i++)
			if (trie_walk(node->literals[i], segments, count, at + 1, found, found_count,
				    found_alloc))
				matched = true;
		return matched;
	}

	if (node->literal_count) {
		struct trie_node **child = bsearch(segments[at], node->literals, node->literal_count,
			sizeof(*node->literals), compare_segment_key);

		if (child && trie_walk(*child, segments, count, at + 1, found, found_count, found_alloc))
			return true;
	}
	return node->param &&
	       trie_walk(node->param, segments, count, at + 1, found, found_count, found_alloc);
}

/* ---- parsing catalog text ---- */

static int compare_operations(const void *a, const void *b)
{
	const gjs_operation *x = a;
	const gjs_operation *y = b;
	int cmp = strcmp(x->path, y->path);

	return cmp ? cmp : strcmp(x->method, y->method);
}

static int compare_cstrings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void add_scope(gjs_catalog *catalog, const char *scope)
{
	GJS_GROW(catalog->scopes, catalog->scope_alloc, catalog->scope_count + 1);
	catalog->scopes[catalog->scope_count++] = scope;
}

/* Splits a comma-separated set in place; "-" is the empty set. */
static void split_set(gjs_catalog *catalog, char *field, const char ***out, size_t *out_count)
{
	size_t count = 0;
	char *next;

	*out = NULL;
	*out_count = 0;
	if (!strcmp(field, "-"))
		return;

	for (char *p = field; *p; p++)
		if (*p == ',')
			count++;
	*out = gjs_xcalloc(count + 1, sizeof(**out));

	while (field) {
		next = strchr(field, ',');
		if (next)
			*next++ = '\0';
		if (*field) {
			(*out)[(*out_count)++] = field;
			add_scope(catalog, field);
		}
		field = next;
	}
}

static bool valid_method(const char *method)
{
	if (!*method)
		return false;
	for (const char *p = method; *p; p++)
		if (*p < 'A' || *p > 'Z')
			return false;
	return true;
}

/* Parses one operation line, already split into fields. */
static int parse_operation(gjs_catalog *catalog, char **fields, const char *name, size_t line_no)
{
	gjs_operation *op;

	if (fields[0][0] != '/' || !valid_method(fields[1])) {
		gjs_error_set("%s:%zu: invalid operation line: expected a path starting with '/' "
			      "and an upper-case method",
			name, line_no);
		return GJS_EINVALID;
	}
	if (strcmp(fields[6], "-") && strcmp(fields[6], "deprecated")) {
		gjs_error_set("%s:%zu: invalid deprecated field '%s': expected 'deprecated' or '-'",
			name, line_no, fields[6]);
		return GJS_EINVALID;
	}

	GJS_GROW(catalog->ops, catalog->alloc, catalog->count + 1);
	op = &catalog->ops[catalog->count++];
	memset(op, 0, sizeof(*op));
	op->path = fields[0];
	op->method = fields[1];
	op->operation_id = strcmp(fields[2], "-") ? fields[2] : "";
	split_set(catalog, fields[3], &op->classic, &op->classic_count);
	split_set(catalog, fields[4], &op->granular, &op->granular_count);
	op->connect = strcmp(fields[5], "-") ? fields[5] : "";
	op->deprecated = !strcmp(fields[6], "deprecated");
	return 0;
}

/* Parses one non-comment line in place. */
static int parse_line(gjs_catalog *catalog, char *line, const char *name, size_t line_no)
{
	char *fields[OPERATION_FIELDS];
	size_t count = 0;
	char *p = line;

	while (p && count < OPERATION_FIELDS) {
		fields[count++] = p;
		p = strchr(p, '\t');
		if (p)
			*p++ = '\0';
	}
	if (p) {
		gjs_error_set("%s:%zu: too many fields: an operation line has %d", name, line_no,
			OPERATION_FIELDS);
		return GJS_EINVALID;
	}

	if (count == 2 && !strcmp(fields[0], "scope") && *fields[1]) {
		add_scope(catalog, fields[1]);
		return 0;
	}
	if (count != OPERATION_FIELDS) {
		gjs_error_set("%s:%zu: expected %d tab-separated fields or 'scope<TAB>NAME', found %zu",
			name, line_no, OPERATION_FIELDS, count);
		return GJS_EINVALID;
	}
	return parse_operation(catalog, fields, name, line_no);
}

/* Sorts the operations and scopes, rejects duplicates and builds the trie. */
static int finish_catalog(gjs_catalog *catalog, const char *name)
{
	size_t kept = 0;
	int error;

	qsort(catalog->ops, catalog->count, sizeof(*catalog->ops), compare_operations);
	for (size_t i = 1; i < catalog->count; i++) {
		if (!compare_operations(&catalog->ops[i - 1], &catalog->ops[i])) {
			gjs_error_set("%s: operation '%s %s' is listed twice", name,
				catalog->ops[i].method, catalog->ops[i].path);
			return GJS_EINVALID;
		}
	}

	if (catalog->scope_count)
		qsort(catalog->scopes, catalog->scope_count, sizeof(*catalog->scopes), compare_cstrings);
	for (size_t i = 0; i < catalog->scope_count; i++)
		if (!kept || strcmp(catalog->scopes[kept - 1], catalog->scopes[i]))
			catalog->scopes[kept++] = catalog->scopes[i];
	catalog->scope_count = kept;

	catalog->root = gjs_xcalloc(1, sizeof(*catalog->root));
	for (size_t i = 0; i < catalog->count; i++) {
		error = trie_insert(catalog->root, catalog->ops[i].path, i);
		if (error == GJS_ENOTFOUND) {
			gjs_error_set("%s: '%s' is not a Jira REST path (expected /rest/...)", name,
				catalog->ops[i].path);
			return GJS_EINVALID;
		}
		if (error < 0)
			return error;
	}
	trie_sort(catalog->root);
	return 0;
}

int gjs_catalog_parse(gjs_catalog **out, const char *text, size_t len, const char *name)
{
	gjs_catalog *catalog = gjs_xcalloc(1, sizeof(*catalog));
	size_t line_no = 0;
	char *line;
	char *end;
	int error = 0;

	*out = NULL;
	if (memchr(text, '\0', len)) {
		gjs_error_set("%s: not a catalog file (it contains NUL bytes)", name);
		error = GJS_EINVALID;
		goto done;
	}
	catalog->text = gjs_xstrndup(text, len);

	for (line = catalog->text; line && *line; line = end) {
		size_t line_len;

		line_no++;
		end = strchr(line, '\n');
		if (end)
			*end++ = '\0';
		line_len = strlen(line);
		if (line_len && line[line_len - 1] == '\r')
			line[--line_len] = '\0';
		if (!line_len || line[0] == '#')
			continue;
		error = parse_line(catalog, line, name, line_no);
		if (error < 0)
			goto done;
	}

	if (!catalog->count) {
		gjs_error_set("%s: the catalog lists no operations", name);
		error = GJS_EINVALID;
		goto done;
	}
	error = finish_catalog(catalog, name);

done:
	if (error < 0) {
		gjs_catalog_free(catalog);
		return error;
	}
	*out = catalog;
	return 0;
}

int gjs_catalog_load_builtin(gjs_catalog **out)
{
	gjs_buf text = GJS_BUF_INIT;
	int error;

	for (size_t i = 0; gjs_builtin_catalog[i]; i++)
		gjs_buf_puts(&text, gjs_builtin_catalog[i]);
	error = gjs_catalog_parse(out, gjs_buf_cstr(&text), text.len, "built-in catalog");
	gjs_buf_free(&text);
	return error;
}

static int read_file(gjs_buf *out, const char *path)
{
	char chunk[65536];
	FILE *file = fopen(path, "rb");
	size_t got;
	int error = 0;

	if (!file) {
		gjs_error_set("cannot open '%s': %s", path, strerror(errno));
		return GJS_ENOTFOUND;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), file)) > 0)
		gjs_buf_put(out, chunk, got);
	if (ferror(file)) {
		gjs_error_set("cannot read '%s': %s", path, strerror(errno));
		error = GJS_ERROR;
	}
	fclose(file);
	return error;
}

int gjs_catalog_load_file(gjs_catalog **out, const char *path)
{
	gjs_buf text = GJS_BUF_INIT;
	gjs_buf imported = GJS_BUF_INIT;
	const char *start;
	int error;

	*out = NULL;
	error = read_file(&text, path);
	if (error < 0)
		goto done;

	/* A JSON document is an OpenAPI spec: import it on the fly. */
	start = gjs_buf_cstr(&text);
	start += strspn(start, " \t\r\n");
	if (*start == '{') {
		error = gjs_catalog_import(&imported, &path, 1);
		if (error == 0)
			error = gjs_catalog_parse(out, gjs_buf_cstr(&imported), imported.len, path);
		goto done;
	}
	error = gjs_catalog_parse(out, gjs_buf_cstr(&text), text.len, path);

done:
	gjs_buf_free(&imported);
	gjs_buf_free(&text);
	return error;
}

void gjs_catalog_free(gjs_catalog *catalog)
{
	if (!catalog)
		return;
	for (size_t i = 0; i < catalog->count; i++) {
		free((void *)catalog->ops[i].classic);
		free((void *)catalog->ops[i].granular);
	}
	free(catalog->ops);
	free((void *)catalog->scopes);
	trie_free(catalog->root);
	free(catalog->text);
	free(catalog);
}

size_t gjs_catalog_count(const gjs_catalog *catalog)
{
	return catalog->count;
}

const gjs_operation *gjs_catalog_get(const gjs_catalog *catalog, size_t index)
{
	return index < catalog->count ? &catalog->ops[index] : NULL;
}

/* ---- path normalisation ---- */

/* Reports whether a `%` at `p` starts a printf-style conversion such as
 * %s, %d, %v, %1$s or %(name)s. */
static bool is_format_conversion(const char *p, const char *end)
{
	p++;
	if (p < end && *p == '(')
		return true;
	while (p < end && (isdigit((unsigned char)*p) || strchr("$-+ #.l", *p)))
		p++;
	return p < end && strchr("sdivuxq", *p);
}

/* Reports whether a segment as written contains an interpolation anywhere:
 * ${x}, {x}, {}, {0}, #{x}, %s, $x, :name or <name>. */
static bool segment_is_interpolated(const char *segment, size_t len)
{
	const char *end = segment + len;

	if (len && (segment[0] == ':' || (segment[0] == '<' && segment[len - 1] == '>')))
		return true;
	for (const char *p = segment; p < end; p++) {
		if (*p == '{' || *p == '}')
			return true;
		if (*p == '%' && is_format_conversion(p, end))
			return true;
		if (*p == '$' && p + 1 < end && (isalpha((unsigned char)p[1]) || p[1] == '_' || p[1] == '('))
			return true;
	}
	return false;
}

/* Returns the length of the path part of `text`: it ends at a query string,
 * a fragment, white space or a quote outside any interpolation braces. */
static size_t path_length(const char *text)
{
	int depth = 0;
	size_t i;

	for (i = 0; text[i]; i++) {
		char c = text[i];

		if (c == '{') {
			depth++;
		} else if (c == '}') {
			if (depth)
				depth--;
		} else if (depth == 0) {
			if (c == '?' || isspace((unsigned char)c) || c == '"' || c == '\'' || c == '`')
				break;
			if (c == '#' && text[i + 1] != '{')
				break;
		}
	}
	return i;
}

/* Finds "/rest/" followed by at least one more segment. */
static const char *find_rest_prefix(const char *text, size_t len)
{
	static const char marker[] = "/rest/";
	const size_t marker_len = sizeof(marker) - 1;

	for (size_t i = 0; i + marker_len < len; i++)
		if (!memcmp(text + i, marker, marker_len) && text[i + marker_len] != '/')
			return text + i;
	return NULL;
}

int gjs_catalog_normalize_path(char **out, const char *written)
{
	gjs_buf path = GJS_BUF_INIT;
	size_t len = path_length(written);
	const char *start = find_rest_prefix(written, len);
	const char *end = written + len;
	const char *p;
	size_t index = 0;
	bool api_version_next = false;
	bool agile_version_next = false;

	*out = NULL;
	if (!start)
		return GJS_ENOTFOUND;

	/* Segments split at '/' outside interpolation braces, so "${a/b}" stays one. */
	p = start + 1;
	while (p < end) {
		const char *segment = p;
		int depth = 0;
		size_t segment_len;

		while (p < end && (depth || *p != '/')) {
			if (*p == '{')
				depth++;
			else if (*p == '}' && depth)
				depth--;
			p++;
		}
		segment_len = (size_t)(p - segment);
		if (p < end)
			p++;
		if (!segment_len)
			continue;

		gjs_buf_putc(&path, '/');
		if (api_version_next && ((segment_len == 1 && *segment == '2') ||
					    (segment_len == 6 && !memcmp(segment, "latest", 6)))) {
			/* Atlassian documents the same operations for v2 and v3. */
			gjs_buf_putc(&path, '3');
		} else if (agile_version_next && segment_len == 6 && !memcmp(segment, "latest", 6)) {
			/* "latest" names the newest version, which is 1.0 for the agile API. */
			gjs_buf_puts(&path, "1.0");
		} else if (index > 0 && segment_is_interpolated(segment, segment_len)) {
			gjs_buf_puts(&path, "{}");
		} else {
			gjs_buf_put(&path, segment, segment_len);
		}
		api_version_next = index == 1 && segment_len == 3 && !memcmp(segment, "api", 3);
		agile_version_next = index == 1 && segment_len == 5 && !memcmp(segment, "agile", 5);
		index++;
	}

	if (index < 2) {
		gjs_buf_free(&path);
		return GJS_ENOTFOUND;
	}
	*out = gjs_buf_detach(&path);
	return 0;
}

/* ---- matching ---- */

static int compare_indices(const void *a, const void *b)
{
	size_t x = *(const size_t *)a;
	size_t y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

int gjs_catalog_match(size_t **out, size_t *out_count, const gjs_catalog *catalog,
	const char *method, const char *path)
{
	const struct trie_node **found = NULL;
	size_t found_count = 0;
	size_t found_alloc = 0;
	char *normalized = NULL;
	char **segments = NULL;
	size_t segment_count = 0;
	size_t segment_alloc = 0;
	size_t *matches = NULL;
	size_t match_count = 0;
	size_t match_alloc = 0;
	char *p;

	*out = NULL;
	*out_count = 0;
	if (method && !*method)
		method = NULL;
	if (gjs_catalog_normalize_path(&normalized, path) < 0)
		return 0;

	for (p = normalized + 1; p && *p;) {
		GJS_GROW(segments, segment_alloc, segment_count + 1);
		segments[segment_count++] = p;
		p = strchr(p, '/');
		if (p)
			*p++ = '\0';
	}

	trie_walk(catalog->root, segments, segment_count, 0, &found, &found_count, &found_alloc);
	for (size_t i = 0; i < found_count; i++) {
		for (size_t j = 0; j < found[i]->op_count; j++) {
			size_t index = found[i]->ops[j];

			if (method && strcasecmp(catalog->ops[index].method, method))
				continue;
			GJS_GROW(matches, match_alloc, match_count + 1);
			matches[match_count++] = index;
		}
	}
	if (match_count)
		qsort(matches, match_count, sizeof(*matches), compare_indices);

	free(found);
	free(segments);
	free(normalized);
	if (!match_count) {
		free(matches);
		return 0;
	}
	*out = matches;
	*out_count = match_count;
	return 0;
}

/* ---- scopes ---- */

static size_t count_parts(const char *scope)
{
	size_t parts = 1;

	for (const char *p = scope; *p; p++)
		if (*p == ':')
			parts++;
	return parts;
}

gjs_scope_kind gjs_catalog_scope_kind(const gjs_catalog *catalog, const char *scope)
{
	for (size_t i = 0; i < sizeof(connect_scopes) / sizeof(connect_scopes[0]); i++)
		if (!strcasecmp(scope, connect_scopes[i]))
			return GJS_SCOPE_CONNECT;

	if (catalog && catalog->scope_count && bsearch(&scope, catalog->scopes, catalog->scope_count,
			       sizeof(*catalog->scopes), compare_cstrings))
		return count_parts(scope) >= 3 ? GJS_SCOPE_GRANULAR : GJS_SCOPE_CLASSIC;

	for (size_t i = 0; i < sizeof(platform_scopes) / sizeof(platform_scopes[0]); i++)
		if (!strcmp(scope, platform_scopes[i]))
			return GJS_SCOPE_PLATFORM;
	return GJS_SCOPE_UNKNOWN;
}

int gjs_connect_rank(const char *scope)
{
	static const char *const ladder[] = { "READ", "WRITE", "DELETE", "PROJECT_ADMIN", "ADMIN" };

	for (size_t i = 0; i < sizeof(ladder) / sizeof(ladder[0]); i++)
		if (!strcasecmp(scope, ladder[i]))
			return (int)i + 1;
	return 0;
}

static bool set_declared(const char **set, size_t set_count, const char *const *scopes, size_t count)
{
	if (!set_count)
		return false;
	for (size_t i = 0; i < set_count; i++) {
		bool declared = false;

		for (size_t j = 0; j < count && !declared; j++)
			declared = !strcmp(set[i], scopes[j]);
		if (!declared)
			return false;
	}
	return true;
}

static bool is_connect_scope(const char *scope)
{
	for (size_t i = 0; i < sizeof(connect_scopes) / sizeof(connect_scopes[0]); i++)
		if (!strcasecmp(scope, connect_scopes[i]))
			return true;
	return false;
}

/*
 * Connect: a rung of the ladder at or above the operation's allows it;
 * ACT_AS_USER and ACCESS_EMAIL_ADDRESSES only allow themselves; NONE is
 * allowed by any Connect scope, INACCESSIBLE by none.
 */
static bool connect_allowed(const char *needed, const char *const *scopes, size_t count)
{
	int rank = gjs_connect_rank(needed);

	if (!*needed || !strcasecmp(needed, "INACCESSIBLE"))
		return false;
	for (size_t i = 0; i < count; i++) {
		if (!is_connect_scope(scopes[i]))
			continue;
		if (!strcasecmp(needed, "NONE"))
			return true;
		if (rank > 0 && gjs_connect_rank(scopes[i]) >= rank)
			return true;
		if (rank == 0 && !strcasecmp(needed, scopes[i]))
			return true;
	}
	return false;
}

bool gjs_operation_allowed(const gjs_operation *op, const char *const *scopes, size_t count)
{
	return set_declared(op->classic, op->classic_count, scopes, count) ||
	       set_declared(op->granular, op->granular_count, scopes, count) ||
	       connect_allowed(op->connect, scopes, count);
}
