/*
 * Imports Atlassian's OpenAPI specs (JSON) into catalog text: one line per
 * operation with its classic set, granular set, Connect scope and
 * deprecation, then every scope name the specs define. The format is
 * described at the top of catalog.c. No description text is kept.
 *
 * Scope sets come from the `x-atlassian-oauth2-scopes` extension: the entry
 * in state "Current" is the classic set and any other entry (such as
 * "Beta") the granular set. Operations without the extension take the
 * scopes of their OAuth 2.0 security requirement, where a three-part name
 * (`read:board-scope:jira-software`) is granular and a shorter one classic.
 */
#include "catalog.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const http_methods[] = {
	"get", "put", "post", "delete", "patch", "head", "options", "trace",
};

struct import_operation {
	char *path;
	char *method;
	char *operation_id;
	gjs_strvec classic;
	gjs_strvec granular;
	char *connect;
	bool deprecated;
	size_t order; /* import order, so that the first spec given wins a duplicate */
};

struct import_state {
	struct import_operation *ops;
	size_t count;
	size_t alloc;
	gjs_strvec scopes;
	gjs_buf sources; /* "title version" of each spec, for the header line */
	/* the spec being read */
	const char *file;
	gjs_strvec oauth_schemes; /* names of its oauth2 security schemes */
	const cJSON *root_security;
};

static void operation_clear(struct import_operation *op)
{
	free(op->path);
	free(op->method);
	free(op->operation_id);
	gjs_strvec_clear(&op->classic);
	gjs_strvec_clear(&op->granular);
	free(op->connect);
}

/* Reports whether a value can go into one catalog field unchanged. */
static bool valid_field(const char *value, bool allow_space)
{
	if (!*value || !strcmp(value, "-"))
		return false;
	for (const char *p = value; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f || c == ',' || (!allow_space && c == ' '))
			return false;
	}
	return true;
}

static int read_spec(gjs_buf *out, const char *path)
{
	char chunk[65536];
	FILE *file = fopen(path, "rb");
	size_t got;
	int error = 0;

	if (!file) {
		gjs_error_set("cannot open spec '%s': %s", path, strerror(errno));
		return GJS_ENOTFOUND;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), file)) > 0)
		gjs_buf_put(out, chunk, got);
	if (ferror(file)) {
		gjs_error_set("cannot read spec '%s': %s", path, strerror(errno));
		error = GJS_ERROR;
	}
	fclose(file);
	return error;
}

/* Adds the string items of a JSON array of scope names to `set`. */
static int add_scope_names(struct import_state *state, gjs_strvec *set, const cJSON *names,
	const char *where)
{
	const cJSON *name;

	if (!cJSON_IsArray(names)) {
		gjs_error_set("%s: %s: the scopes are not a JSON array", state->file, where);
		return GJS_EINVALID;
	}
	cJSON_ArrayForEach(name, names) {
		if (!cJSON_IsString(name) || !valid_field(name->valuestring, false)) {
			gjs_error_set("%s: %s: invalid scope name (expected a string without "
				      "spaces or commas)",
				state->file, where);
			return GJS_EINVALID;
		}
		gjs_strvec_push(set, name->valuestring);
		gjs_strvec_push(&state->scopes, name->valuestring);
	}
	return 0;
}

static int read_scope_extension(struct import_state *state, struct import_operation *op,
	const cJSON *extension, const char *where)
{
	const cJSON *entry;
	int error;

	cJSON_ArrayForEach(entry, extension) {
		const cJSON *entry_state = cJSON_GetObjectItemCaseSensitive(entry, "state");
		const cJSON *scopes = cJSON_GetObjectItemCaseSensitive(entry, "scopes");
		bool current = cJSON_IsString(entry_state) &&
			       !strcmp(entry_state->valuestring, "Current");

		if (!cJSON_IsObject(entry)) {
			gjs_error_set("%s: %s: x-atlassian-oauth2-scopes holds a non-object entry",
				state->file, where);
			return GJS_EINVALID;
		}
		error = add_scope_names(state, current ? &op->classic : &op->granular, scopes, where);
		if (error < 0)
			return error;
	}
	return 0;
}

/* Takes scopes from the OAuth 2.0 entries of a security requirement list. */
static int read_security(struct import_state *state, struct import_operation *op,
	const cJSON *security, const char *where)
{
	gjs_strvec names = GJS_STRVEC_INIT;
	const cJSON *requirement;
	const cJSON *scheme;
	int error = 0;

	if (!cJSON_IsArray(security)) {
		gjs_error_set("%s: %s: security is not a JSON array", state->file, where);
		return GJS_EINVALID;
	}
	cJSON_ArrayForEach(requirement, security) {
		cJSON_ArrayForEach(scheme, requirement) {
			if (!scheme->string || !gjs_strvec_contains(&state->oauth_schemes, scheme->string))
				continue;
			error = add_scope_names(state, &names, scheme, where);
			if (error < 0)
				goto done;
		}
	}

	for (size_t i = 0; i < names.count; i++) {
		size_t colons = 0;

		for (const char *p = names.items[i]; *p; p++)
			colons += *p == ':';
		gjs_strvec_push(colons >= 2 ? &op->granular : &op->classic, names.items[i]);
	}

done:
	gjs_strvec_clear(&names);
	return error;
}

static int read_operation(struct import_state *state, const char *path, const char *method,
	const cJSON *operation)
{
	struct import_operation op = { 0 };
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(operation, "operationId");
	const cJSON *connect = cJSON_GetObjectItemCaseSensitive(operation, "x-atlassian-connect-scope");
	const cJSON *extension = cJSON_GetObjectItemCaseSensitive(operation, "x-atlassian-oauth2-scopes");
	const cJSON *security = cJSON_GetObjectItemCaseSensitive(operation, "security");
	gjs_buf where = GJS_BUF_INIT;
	int error = 0;

	gjs_buf_printf(&where, "operation '%s %s'", method, path);
	if (!cJSON_IsObject(operation)) {
		gjs_error_set("%s: %s is not a JSON object", state->file, where.ptr);
		error = GJS_EINVALID;
		goto done;
	}

	op.path = gjs_xstrdup(path);
	op.method = gjs_xstrdup(method);
	for (char *p = op.method; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	op.order = state->count;
	op.deprecated = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(operation, "deprecated"));

	if (cJSON_IsString(id) && *id->valuestring) {
		if (!valid_field(id->valuestring, false)) {
			gjs_error_set("%s: %s: invalid operationId", state->file, where.ptr);
			error = GJS_EINVALID;
			goto done;
		}
		op.operation_id = gjs_xstrdup(id->valuestring);
	}
	if (cJSON_IsString(connect) && *connect->valuestring) {
		if (!valid_field(connect->valuestring, false)) {
			gjs_error_set("%s: %s: invalid x-atlassian-connect-scope", state->file, where.ptr);
			error = GJS_EINVALID;
			goto done;
		}
		op.connect = gjs_xstrdup(connect->valuestring);
	}

	if (cJSON_IsArray(extension) && cJSON_GetArraySize(extension) > 0)
		error = read_scope_extension(state, &op, extension, where.ptr);
	else if (security)
		error = read_security(state, &op, security, where.ptr);
	else if (state->root_security)
		error = read_security(state, &op, state->root_security, where.ptr);
	if (error < 0)
		goto done;
	gjs_strvec_sort_unique(&op.classic);
	gjs_strvec_sort_unique(&op.granular);

	GJS_GROW(state->ops, state->alloc, state->count + 1);
	state->ops[state->count++] = op;
	memset(&op, 0, sizeof(op));

done:
	operation_clear(&op);
	gjs_buf_free(&where);
	return error;
}

/* Returns `item` when it is a JSON object, so that loops over the members
 * of an optional object skip anything else. */
static const cJSON *object_or_null(const cJSON *item)
{
	return cJSON_IsObject(item) ? item : NULL;
}

static bool is_http_method(const char *key)
{
	for (size_t i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++)
		if (!strcmp(key, http_methods[i]))
			return true;
	return false;
}

/* Records the oauth2 security schemes and every scope name their flows define. */
static int read_security_schemes(struct import_state *state, const cJSON *spec)
{
	const cJSON *components = cJSON_GetObjectItemCaseSensitive(spec, "components");
	const cJSON *schemes = cJSON_GetObjectItemCaseSensitive(components, "securitySchemes");
	const cJSON *scheme;
	const cJSON *flow;
	const cJSON *scope;

	cJSON_ArrayForEach(scheme, object_or_null(schemes)) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(scheme, "type");
		const cJSON *flows = cJSON_GetObjectItemCaseSensitive(scheme, "flows");

		if (!cJSON_IsString(type) || strcmp(type->valuestring, "oauth2"))
			continue;
		gjs_strvec_push(&state->oauth_schemes, scheme->string);
		cJSON_ArrayForEach(flow, object_or_null(flows)) {
			const cJSON *scopes = cJSON_GetObjectItemCaseSensitive(flow, "scopes");

			cJSON_ArrayForEach(scope, object_or_null(scopes)) {
				if (!valid_field(scope->string, false)) {
					gjs_error_set("%s: security scheme '%s' defines an invalid "
						      "scope name",
						state->file, scheme->string);
					return GJS_EINVALID;
				}
				gjs_strvec_push(&state->scopes, scope->string);
			}
		}
	}
	/* Atlassian's specs call their scheme "OAuth2"; a spec without
	 * components still gets its security requirements read. */
	if (!state->oauth_schemes.count)
		gjs_strvec_push(&state->oauth_schemes, "OAuth2");
	return 0;
}

static void add_source(struct import_state *state, const cJSON *spec)
{
	const cJSON *info = cJSON_GetObjectItemCaseSensitive(spec, "info");
	const cJSON *title = cJSON_GetObjectItemCaseSensitive(info, "title");
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(info, "version");
	gjs_buf source = GJS_BUF_INIT;
	char *clean;

	gjs_buf_puts(&source, cJSON_IsString(title) ? title->valuestring : "untitled spec");
	if (cJSON_IsString(version))
		gjs_buf_printf(&source, " %s", version->valuestring);
	clean = gjs_sanitize(gjs_buf_cstr(&source));
	for (char *p = clean; *p; p++)
		if (*p == '\t' || *p == ';')
			*p = ' ';

	if (state->sources.len)
		gjs_buf_puts(&state->sources, "; ");
	gjs_buf_puts(&state->sources, clean);
	free(clean);
	gjs_buf_free(&source);
}

static int import_spec(struct import_state *state, const char *file)
{
	gjs_buf text = GJS_BUF_INIT;
	cJSON *spec = NULL;
	const cJSON *version;
	const cJSON *paths;
	const cJSON *path_item;
	const cJSON *operation;
	int error;

	state->file = file;
	gjs_strvec_clear(&state->oauth_schemes);
	error = read_spec(&text, file);
	if (error < 0)
		goto done;

	spec = cJSON_ParseWithLength(gjs_buf_cstr(&text), text.len);
	if (!spec) {
		const char *at = cJSON_GetErrorPtr();
		size_t offset = at && at >= text.ptr && at <= text.ptr + text.len ?
					(size_t)(at - text.ptr) : 0;

		gjs_error_set("%s: not valid JSON (error near byte %zu)", file, offset);
		error = GJS_EINVALID;
		goto done;
	}
	version = cJSON_GetObjectItemCaseSensitive(spec, "openapi");
	if (!cJSON_IsObject(spec) || !cJSON_IsString(version) || strncmp(version->valuestring, "3.", 2)) {
		gjs_error_set("%s: not an OpenAPI 3 document (no \"openapi\": \"3.x\" field)", file);
		error = GJS_EINVALID;
		goto done;
	}
	paths = cJSON_GetObjectItemCaseSensitive(spec, "paths");
	if (!cJSON_IsObject(paths)) {
		gjs_error_set("%s: the OpenAPI document has no \"paths\" object", file);
		error = GJS_EINVALID;
		goto done;
	}

	add_source(state, spec);
	error = read_security_schemes(state, spec);
	if (error < 0)
		goto done;
	state->root_security = cJSON_GetObjectItemCaseSensitive(spec, "security");

	cJSON_ArrayForEach(path_item, paths) {
		if (path_item->string[0] != '/' || !valid_field(path_item->string, false)) {
			gjs_error_set("%s: invalid path '%s' (expected '/...' without spaces)", file,
				path_item->string);
			error = GJS_EINVALID;
			goto done;
		}
		cJSON_ArrayForEach(operation, object_or_null(path_item)) {
			if (!is_http_method(operation->string))
				continue;
			error = read_operation(state, path_item->string, operation->string, operation);
			if (error < 0)
				goto done;
		}
	}

done:
	state->root_security = NULL;
	cJSON_Delete(spec);
	gjs_buf_free(&text);
	return error;
}

static int compare_import_operations(const void *a, const void *b)
{
	const struct import_operation *x = a;
	const struct import_operation *y = b;
	int cmp = strcmp(x->path, y->path);

	if (!cmp)
		cmp = strcmp(x->method, y->method);
	if (!cmp)
		cmp = x->order < y->order ? -1 : x->order > y->order;
	return cmp;
}

static void write_set(gjs_buf *out, const gjs_strvec *set)
{
	if (!set->count) {
		gjs_buf_puts(out, "-");
		return;
	}
	for (size_t i = 0; i < set->count; i++) {
		if (i)
			gjs_buf_putc(out, ',');
		gjs_buf_puts(out, set->items[i]);
	}
}

static void write_catalog(gjs_buf *out, struct import_state *state)
{
	gjs_buf_printf(out, "# git-jira-scopes catalog from: %s\n", gjs_buf_cstr(&state->sources));
	gjs_buf_puts(out, "# tab-separated fields: path method operationId classic granular connect "
			  "deprecated ('-' is empty); 'scope<TAB>NAME' lines list every scope the specs "
			  "define\n");

	if (state->count)
		qsort(state->ops, state->count, sizeof(*state->ops), compare_import_operations);
	for (size_t i = 0; i < state->count; i++) {
		const struct import_operation *op = &state->ops[i];

		/* The same operation in two specs: the first spec given wins. */
		if (i && !strcmp(op->path, state->ops[i - 1].path) &&
		    !strcmp(op->method, state->ops[i - 1].method))
			continue;
		gjs_buf_printf(out, "%s\t%s\t%s\t", op->path, op->method,
			op->operation_id ? op->operation_id : "-");
		write_set(out, &op->classic);
		gjs_buf_putc(out, '\t');
		write_set(out, &op->granular);
		gjs_buf_printf(out, "\t%s\t%s\n", op->connect ? op->connect : "-",
			op->deprecated ? "deprecated" : "-");
	}

	gjs_strvec_sort_unique(&state->scopes);
	for (size_t i = 0; i < state->scopes.count; i++)
		gjs_buf_printf(out, "scope\t%s\n", state->scopes.items[i]);
}

int gjs_catalog_import(gjs_buf *out, const char *const *spec_paths, size_t count)
{
	struct import_state state = { 0 };
	int error = 0;

	if (!count) {
		gjs_error_set("no OpenAPI spec given to import");
		return GJS_EINVALID;
	}
	for (size_t i = 0; i < count; i++) {
		error = import_spec(&state, spec_paths[i]);
		if (error < 0)
			goto done;
	}
	write_catalog(out, &state);

done:
	for (size_t i = 0; i < state.count; i++)
		operation_clear(&state.ops[i]);
	free(state.ops);
	gjs_strvec_clear(&state.scopes);
	gjs_strvec_clear(&state.oauth_schemes);
	gjs_buf_free(&state.sources);
	return error;
}
