/*
 * Declarations: reads the scope list of one app from a Forge manifest.yml
 * (libyaml events), a Connect atlassian-connect.json (cJSON) or a
 * .jira-scopes project file (libgit2's config parser), keeping the line of
 * each scope. Malformed input is recorded in decl->error and is no failure
 * of the call. What the scopes allow is left to the catalog and the
 * analysis.
 */
#include "declaration.h"

#include <cJSON.h>
#include <errno.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

/*
 * Collections nested deeper than this in a manifest are rejected, which
 * keeps skipping unknown keys cheap on hostile input. NOTE: 64 is an
 * estimate chosen far above the nesting an ordinary manifest needs.
 */
#define FORGE_MAX_DEPTH 64

static const char *const connect_scope_names[] = {
	"READ", "WRITE", "DELETE", "PROJECT_ADMIN", "ADMIN", "ACT_AS_USER", "ACCESS_EMAIL_ADDRESSES",
};

static bool is_connect_scope(const char *scope)
{
	for (size_t i = 0; i < sizeof(connect_scope_names) / sizeof(*connect_scope_names); i++)
		if (!strcasecmp(scope, connect_scope_names[i]))
			return true;
	return false;
}

static void upper_case(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

static unsigned line_at_offset(const char *data, size_t len, size_t offset)
{
	unsigned line = 1;

	if (offset > len)
		offset = len;
	for (size_t i = 0; i < offset; i++)
		if (data[i] == '\n')
			line++;
	return line;
}

/*
 * Records "PATH:LINE: message", or "PATH: message" when the line is unknown
 * (0). The first error of a file wins.
 */
static void set_error(gjs_declaration *decl, unsigned line, const char *fmt, ...) GJS_PRINTF(3, 4);

static void set_error(gjs_declaration *decl, unsigned line, const char *fmt, ...)
{
	gjs_buf buf = GJS_BUF_INIT;
	va_list ap;

	if (decl->error)
		return;
	if (line)
		gjs_buf_printf(&buf, "%s:%u: ", decl->path, line);
	else
		gjs_buf_printf(&buf, "%s: ", decl->path);
	va_start(ap, fmt);
	gjs_buf_vprintf(&buf, fmt, ap);
	va_end(ap);
	decl->error = gjs_buf_detach(&buf);
}

/*
 * Appends a scope. Connect scopes are stored upper-cased: always in
 * atlassian-connect.json, and for the Connect names when they appear in a
 * Forge manifest (Connect-on-Forge apps) or in .jira-scopes.
 */
static void add_scope(gjs_declaration *decl, const char *name, size_t len, unsigned line)
{
	gjs_declared_scope *scope;

	GJS_GROW(decl->scopes, decl->scope_alloc, decl->scope_count + 1);
	scope = &decl->scopes[decl->scope_count++];
	scope->scope = gjs_xstrndup(name, len);
	scope->line = line;
	if (decl->kind == GJS_DECL_CONNECT || is_connect_scope(scope->scope))
		upper_case(scope->scope);
}

static int compare_scope_refs(const void *a, const void *b)
{
	const gjs_declared_scope *left = *(const gjs_declared_scope *const *)a;
	const gjs_declared_scope *right = *(const gjs_declared_scope *const *)b;
	int cmp = strcmp(left->scope, right->scope);

	if (cmp)
		return cmp;
	return left < right ? -1 : left > right;
}

/*
 * Drops repeated scopes, keeping the first one in file order. Sorting
 * pointers keeps this O(n log n) on a hostile file with many scopes.
 */
static void remove_duplicate_scopes(gjs_declaration *decl)
{
	gjs_declared_scope **refs;
	size_t kept = 0;

	if (decl->scope_count < 2)
		return;
	refs = gjs_xcalloc(decl->scope_count, sizeof(*refs));
	for (size_t i = 0; i < decl->scope_count; i++)
		refs[i] = &decl->scopes[i];
	qsort(refs, decl->scope_count, sizeof(*refs), compare_scope_refs);

	/* Ties sort by address, so the head of each run of equal names came first. */
	for (size_t i = 1, head = 0; i < decl->scope_count; i++) {
		if (strcmp(refs[i]->scope, refs[head]->scope)) {
			head = i;
			continue;
		}
		free(refs[i]->scope);
		refs[i]->scope = NULL;
	}
	free(refs);

	for (size_t i = 0; i < decl->scope_count; i++)
		if (decl->scopes[i].scope)
			decl->scopes[kept++] = decl->scopes[i];
	decl->scope_count = kept;
}

static void clear_results(gjs_declaration *decl)
{
	for (size_t i = 0; i < decl->scope_count; i++)
		free(decl->scopes[i].scope);
	decl->scope_count = 0;
	decl->has_scope_list = false;
	gjs_strvec_clear(&decl->include);
	gjs_strvec_clear(&decl->exclude);
}

int gjs_declaration_kind_for_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	if (!strcmp(base, "manifest.yml") || !strcmp(base, "manifest.yaml"))
		return GJS_DECL_FORGE;
	if (!strcmp(base, "atlassian-connect.json"))
		return GJS_DECL_CONNECT;
	if (!strcmp(base, ".jira-scopes"))
		return GJS_DECL_SCOPES_FILE;
	return -1;
}

const char *gjs_declaration_kind_name(gjs_declaration_kind kind)
{
	switch (kind) {
	case GJS_DECL_FORGE:
		return "forge";
	case GJS_DECL_CONNECT:
		return "connect";
	case GJS_DECL_SCOPES_FILE:
		return "scopes-file";
	}
	return "unknown";
}

/* ---- Forge manifest.yml ------------------------------------------------ */

/*
 * Reads the manifest as a libyaml event stream, which never expands
 * aliases. An alias inside a skipped part of the manifest is ignored and one
 * where a value is read is an error, so a "billion laughs" document costs
 * time and memory in proportion to its size.
 */
typedef struct {
	yaml_parser_t parser;
	yaml_event_t event;
	bool has_event;
	unsigned depth; /* collections open at the current event */
	gjs_declaration *decl;
	const char *data;
	size_t len;
} yaml_reader;

static unsigned event_line(const yaml_reader *reader)
{
	return (unsigned)reader->event.start_mark.line + 1;
}

static void set_yaml_syntax_error(yaml_reader *reader)
{
	const yaml_parser_t *parser = &reader->parser;
	unsigned line;

	/* Reader errors (bad encoding, control characters) carry a byte offset but no mark. */
	if (parser->error == YAML_READER_ERROR)
		line = line_at_offset(reader->data, reader->len, parser->problem_offset);
	else
		line = (unsigned)parser->problem_mark.line + 1;
	set_error(reader->decl, line, "%s; fix the YAML syntax",
		parser->problem ? parser->problem : "invalid YAML");
}

/* Moves to the next event. Returns GJS_EINVALID once decl->error is set. */
static int yaml_next(yaml_reader *reader)
{
	if (reader->has_event) {
		yaml_event_delete(&reader->event);
		reader->has_event = false;
	}
	if (!yaml_parser_parse(&reader->parser, &reader->event)) {
		if (reader->parser.error == YAML_MEMORY_ERROR) {
			gjs_error_set("%s: out of memory while parsing YAML", reader->decl->path);
			return GJS_ERROR;
		}
		set_yaml_syntax_error(reader);
		return GJS_EINVALID;
	}
	reader->has_event = true;

	switch (reader->event.type) {
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (++reader->depth > FORGE_MAX_DEPTH) {
			set_error(reader->decl, event_line(reader),
				"YAML nested deeper than %d levels; flatten the manifest",
				FORGE_MAX_DEPTH);
			return GJS_EINVALID;
		}
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		reader->depth--;
		break;
	default:
		break;
	}
	return 0;
}

/* Skips the node whose first event is the current one. */
static int yaml_skip_node(yaml_reader *reader)
{
	unsigned outside;
	int error;

	if (reader->event.type != YAML_SEQUENCE_START_EVENT &&
	    reader->event.type != YAML_MAPPING_START_EVENT)
		return 0;
	outside = reader->depth - 1;
	do {
		if ((error = yaml_next(reader)) < 0)
			return error;
	} while (reader->depth != outside);
	return 0;
}

static bool scalar_is(const yaml_reader *reader, const char *word)
{
	size_t len = strlen(word);

	return reader->event.data.scalar.length == len &&
	       !memcmp(reader->event.data.scalar.value, word, len);
}

/* An untagged plain scalar that YAML reads as null: empty, "~" or "null". */
static bool scalar_is_null(const yaml_reader *reader)
{
	const yaml_event_t *event = &reader->event;

	if (event->type != YAML_SCALAR_EVENT || event->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    !event->data.scalar.plain_implicit)
		return false;
	return !event->data.scalar.length || scalar_is(reader, "~") || scalar_is(reader, "null") ||
	       scalar_is(reader, "Null") || scalar_is(reader, "NULL");
}

/*
 * A merge key (`<<: *base`) would pull keys such as permissions in from an
 * anchor that this reader never expands, hiding scopes from the check.
 */
static bool scalar_is_merge_key(const yaml_reader *reader)
{
	const char *tag;

	if (reader->event.type != YAML_SCALAR_EVENT)
		return false;
	/* A `!!merge` tag makes any key a merge key, whatever its quoting. */
	tag = (const char *)reader->event.data.scalar.tag;
	if (tag && !strcmp(tag, "tag:yaml.org,2002:merge"))
		return true;
	return reader->event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && scalar_is(reader, "<<");
}

static int reject_merge_key(yaml_reader *reader)
{
	set_error(reader->decl, event_line(reader),
		"YAML merge key `<<` is not supported here; write the keys out in place of the merge");
	return GJS_EINVALID;
}

static int reject_alias(yaml_reader *reader, const char *what)
{
	set_error(reader->decl, event_line(reader),
		"YAML alias used as %s; write the value out in place of the alias", what);
	return GJS_EINVALID;
}

/* Adds the scope named by the current scalar event. */
static int forge_add_scope(yaml_reader *reader)
{
	const char *value = (const char *)reader->event.data.scalar.value;
	size_t len = reader->event.data.scalar.length;

	if (scalar_is_null(reader) || !len) {
		set_error(reader->decl, event_line(reader),
			"empty scope in permissions.scopes; write a scope name or remove the entry");
		return GJS_EINVALID;
	}
	if (memchr(value, '\0', len)) {
		set_error(reader->decl, event_line(reader),
			"scope name contains a NUL character; remove it from permissions.scopes");
		return GJS_EINVALID;
	}
	add_scope(reader->decl, value, len, event_line(reader));
	return 0;
}

/* permissions.scopes: a list of scope names. */
static int forge_read_scope_list(yaml_reader *reader)
{
	int error;

	for (;;) {
		if ((error = yaml_next(reader)) < 0)
			return error;
		switch (reader->event.type) {
		case YAML_SEQUENCE_END_EVENT:
			return 0;
		case YAML_SCALAR_EVENT:
			if ((error = forge_add_scope(reader)) < 0)
				return error;
			break;
		case YAML_ALIAS_EVENT:
			return reject_alias(reader, "an item of permissions.scopes");
		default:
			set_error(reader->decl, event_line(reader),
				"item of permissions.scopes is not a scope name; "
				"write each scope as a string such as read:jira-work");
			return GJS_EINVALID;
		}
	}
}

/* permissions.scopes: a mapping from scope name to its options (or null). */
static int forge_read_scope_map(yaml_reader *reader)
{
	int error;

	for (;;) {
		if ((error = yaml_next(reader)) < 0)
			return error;
		switch (reader->event.type) {
		case YAML_MAPPING_END_EVENT:
			return 0;
		case YAML_SCALAR_EVENT:
			if (scalar_is_merge_key(reader))
				return reject_merge_key(reader);
			if ((error = forge_add_scope(reader)) < 0)
				return error;
			break;
		case YAML_ALIAS_EVENT:
			return reject_alias(reader, "a key of permissions.scopes");
		default:
			set_error(reader->decl, event_line(reader),
				"key of permissions.scopes is not a scope name; "
				"write each scope as a string key");
			return GJS_EINVALID;
		}

		/* The per-scope options (allowImpersonation, ...) do not change the scope. */
		if ((error = yaml_next(reader)) < 0 || (error = yaml_skip_node(reader)) < 0)
			return error;
	}
}

static int forge_read_scopes(yaml_reader *reader)
{
	switch (reader->event.type) {
	case YAML_SEQUENCE_START_EVENT:
		return forge_read_scope_list(reader);
	case YAML_MAPPING_START_EVENT:
		return forge_read_scope_map(reader);
	case YAML_ALIAS_EVENT:
		return reject_alias(reader, "permissions.scopes");
	default:
		if (scalar_is_null(reader))
			return 0;
		set_error(reader->decl, event_line(reader),
			"permissions.scopes is a single value, not a list; "
			"write one scope per line as `- read:jira-work`");
		return GJS_EINVALID;
	}
}

/*
 * Reads the keys of the mapping whose start is the current event, and
 * calls `read_value` for the value of `wanted`; other values are skipped.
 * A repeated `wanted` key is an error because YAML readers disagree on
 * which copy wins.
 */
static int yaml_read_key(yaml_reader *reader, const char *wanted, const char *where,
	int (*read_value)(yaml_reader *reader))
{
	bool seen = false;
	int error;

	for (;;) {
		bool match;

		if ((error = yaml_next(reader)) < 0)
			return error;
		if (reader->event.type == YAML_MAPPING_END_EVENT)
			return 0;

		if (scalar_is_merge_key(reader))
			return reject_merge_key(reader);
		/* An alias key could stand for `wanted` (`*p :` with `&p permissions`). */
		if (reader->event.type == YAML_ALIAS_EVENT)
			return reject_alias(reader, "a mapping key");
		match = reader->event.type == YAML_SCALAR_EVENT && scalar_is(reader, wanted);
		if (match && seen) {
			set_error(reader->decl, event_line(reader),
				"%s%s appears twice; merge the two into one", where, wanted);
			return GJS_EINVALID;
		}
		if ((error = yaml_skip_node(reader)) < 0 || (error = yaml_next(reader)) < 0)
			return error;
		if (match) {
			seen = true;
			error = read_value(reader);
		} else {
			error = yaml_skip_node(reader);
		}
		if (error < 0)
			return error;
	}
}

static int forge_read_permissions(yaml_reader *reader)
{
	switch (reader->event.type) {
	case YAML_MAPPING_START_EVENT:
		return yaml_read_key(reader, "scopes", "permissions.", forge_read_scopes);
	case YAML_ALIAS_EVENT:
		return reject_alias(reader, "permissions");
	default:
		if (scalar_is_null(reader))
			return 0;
		set_error(reader->decl, event_line(reader),
			"permissions is not a mapping; write `scopes:` under `permissions:`");
		return GJS_EINVALID;
	}
}

static int forge_read_root(yaml_reader *reader)
{
	if (reader->event.type == YAML_MAPPING_START_EVENT)
		return yaml_read_key(reader, "permissions", "", forge_read_permissions);
	if (scalar_is_null(reader))
		return 0;
	set_error(reader->decl, event_line(reader),
		"the manifest is not a YAML mapping; start it with keys such as `app:` and `permissions:`");
	return GJS_EINVALID;
}

static int forge_read_stream(yaml_reader *reader)
{
	bool seen_document = false;
	int error;

	if ((error = yaml_next(reader)) < 0)
		return error;
	for (;;) {
		if ((error = yaml_next(reader)) < 0)
			return error;
		if (reader->event.type == YAML_STREAM_END_EVENT)
			return 0;

		/* DOCUMENT-START, the root node, DOCUMENT-END. */
		if ((error = yaml_next(reader)) < 0)
			return error;
		if (!seen_document) {
			error = forge_read_root(reader);
		} else if (!scalar_is_null(reader)) {
			/* An empty document, as after a trailing `---`, is harmless. */
			set_error(reader->decl, event_line(reader),
				"more than one YAML document; keep the manifest in a single document");
			error = GJS_EINVALID;
		}
		seen_document = true;
		if (error < 0 || (error = yaml_next(reader)) < 0)
			return error;
	}
}

static int parse_forge(gjs_declaration *decl, const char *data, size_t len)
{
	yaml_reader reader;
	int error;

	memset(&reader, 0, sizeof(reader));
	reader.decl = decl;
	reader.data = data;
	reader.len = len;
	if (!yaml_parser_initialize(&reader.parser)) {
		gjs_error_set("%s: cannot initialize the YAML parser", decl->path);
		return GJS_ERROR;
	}
	yaml_parser_set_input_string(&reader.parser, (const unsigned char *)data, len);

	error = forge_read_stream(&reader);
	if (error == GJS_EINVALID && decl->error)
		error = 0;

	if (reader.has_event)
		yaml_event_delete(&reader.event);
	yaml_parser_delete(&reader.parser);
	return error;
}

/* ---- Connect atlassian-connect.json ------------------------------------ */

static bool is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Returns the offset just past the string token that opens at `pos`. */
static size_t json_skip_string(const char *data, size_t len, size_t pos, unsigned *line)
{
	for (pos++; pos < len; pos++) {
		if (data[pos] == '\\') {
			pos++;
			continue;
		}
		if (data[pos] == '\n')
			(*line)++;
		if (data[pos] == '"')
			return pos + 1;
	}
	return len;
}

/* Compares a string token, escapes decoded, with `word`. */
static bool json_token_is(const char *token, size_t len, const char *word)
{
	cJSON *decoded;
	bool equal;

	if (!memchr(token, '\\', len))
		return len == strlen(word) + 2 && !memcmp(token + 1, word, len - 2);
	decoded = cJSON_ParseWithLength(token, len);
	equal = cJSON_IsString(decoded) && !strcmp(decoded->valuestring, word);
	cJSON_Delete(decoded);
	return equal;
}

typedef struct {
	unsigned key_line;       /* the first top-level "scopes" key, which cJSON returns */
	unsigned duplicate_line; /* a second top-level "scopes" key, or 0 */
	unsigned *lines;         /* where each element of its array starts */
	size_t count;
	size_t alloc;
} json_scope_lines;

/*
 * cJSON keeps no positions, so this tokenizer pass over text that cJSON
 * already accepted finds the lines of the top-level "scopes" keys and of
 * the elements of the first one's array.
 */
static void json_locate_scopes(const char *data, size_t len, json_scope_lines *found)
{
	unsigned line = 1;
	unsigned depth = 0;
	bool in_scopes = false;
	bool expect_element = false;

	memset(found, 0, sizeof(*found));
	for (size_t pos = 0; pos < len;) {
		char c = data[pos];
		unsigned token_line = line;

		if (is_json_space(c)) {
			if (c == '\n')
				line++;
			pos++;
			continue;
		}
		if (in_scopes && depth == 2 && expect_element && c != ']') {
			GJS_GROW(found->lines, found->alloc, found->count + 1);
			found->lines[found->count++] = line;
			expect_element = false;
		}

		if (c == '"') {
			size_t end = json_skip_string(data, len, pos, &line);
			size_t after = end;

			if (depth == 1 && !found->duplicate_line) {
				unsigned value_line = line;

				while (after < len && is_json_space(data[after]))
					value_line += data[after++] == '\n';
				if (after < len && data[after] == ':' &&
				    json_token_is(data + pos, end - pos, "scopes")) {
					if (found->key_line) {
						found->duplicate_line = token_line;
						return;
					}
					found->key_line = token_line;
					for (after++; after < len && is_json_space(data[after]); after++)
						value_line += data[after] == '\n';
					line = value_line;
					if (after < len && data[after] == '[') {
						in_scopes = true;
						expect_element = true;
						depth = 2;
						after++;
					}
					end = after;
				}
			}
			pos = end;
			continue;
		}

		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (in_scopes && depth == 2)
				in_scopes = false;
			depth--;
		} else if (c == ',' && in_scopes && depth == 2) {
			expect_element = true;
		}
		pos++;
	}
}

static int parse_connect(gjs_declaration *decl, const char *data, size_t len)
{
	cJSON *root;
	const cJSON *scopes;
	const cJSON *item;
	const char *end = NULL;
	json_scope_lines found;
	size_t item_index = 0;

	memset(&found, 0, sizeof(found));
	root = cJSON_ParseWithLengthOpts(data, len, &end, false);
	if (!root) {
		size_t offset = end && end >= data ? (size_t)(end - data) : 0;

		set_error(decl, line_at_offset(data, len, offset), "invalid JSON; fix the JSON syntax");
		goto done;
	}

	/* cJSON stops after the first value, so text after it is caught here. */
	if (end && end >= data) {
		size_t offset = (size_t)(end - data);

		while (offset < len && is_json_space(data[offset]))
			offset++;
		if (offset < len) {
			set_error(decl, line_at_offset(data, len, offset),
				"unexpected text after the JSON object; fix the JSON syntax");
			goto done;
		}
	}
	if (!cJSON_IsObject(root)) {
		set_error(decl, 1,
			"the descriptor is not a JSON object; write it as { \"key\": ..., \"scopes\": [...] }");
		goto done;
	}

	scopes = cJSON_GetObjectItemCaseSensitive(root, "scopes");
	if (!scopes)
		goto done;
	json_locate_scopes(data, len, &found);
	if (found.duplicate_line) {
		/* JSON readers disagree on which copy of a repeated key wins. */
		set_error(decl, found.duplicate_line,
			"\"scopes\" appears twice; merge the two lists into one");
		goto done;
	}
	if (!cJSON_IsArray(scopes)) {
		set_error(decl, found.key_line,
			"\"scopes\" is not an array; write it as \"scopes\": [\"READ\", \"WRITE\"]");
		goto done;
	}

	cJSON_ArrayForEach(item, scopes) {
		unsigned line = item_index < found.count ? found.lines[item_index] : 0;

		item_index++;
		if (!cJSON_IsString(item) || !item->valuestring) {
			set_error(decl, line,
				"item of \"scopes\" is not a string; write each scope as a string such as \"READ\"");
			goto done;
		}
		if (!item->valuestring[0]) {
			set_error(decl, line, "empty scope in \"scopes\"; write a scope name or remove the entry");
			goto done;
		}
		add_scope(decl, item->valuestring, strlen(item->valuestring), line);
	}

done:
	free(found.lines);
	cJSON_Delete(root);
	return 0;
}

/* ---- .jira-scopes ------------------------------------------------------ */

/*
 * What a line-by-line pass over the raw file finds, because libgit2 reports
 * no line numbers: the words of each `scope = ...` line in [scopes], the
 * first key written without a value, and the first include section.
 */
typedef struct {
	char *word;
	unsigned line;
} config_word;

typedef struct {
	config_word *words; /* sorted by word, then line, once the scan is done */
	size_t word_count;
	size_t word_alloc;
	unsigned include_line;
	gjs_strvec bare_keys; /* "section.key" of keys without '=' */
	unsigned *bare_lines;
	size_t bare_alloc;
} config_outline;

static void config_outline_free(config_outline *outline)
{
	for (size_t i = 0; i < outline->word_count; i++)
		free(outline->words[i].word);
	free(outline->words);
	gjs_strvec_clear(&outline->bare_keys);
	free(outline->bare_lines);
}

/* Blanks that libgit2's config parser skips before a key or a section
 * header; missing one here would let an [include] section slip past. */
static bool is_config_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_scope_separator(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == ',';
}

/* Reads a section header. `*section` gets "name", or "name\"sub" for a subsection. */
static const char *config_read_header(const char *p, const char *end, gjs_buf *section)
{
	gjs_buf_clear(section);
	for (p++; p < end && *p != ']'; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		gjs_buf_putc(section, c == ' ' ? '"' : c);
	}
	return p < end ? p + 1 : end;
}

static void config_outline_line(config_outline *outline, const gjs_buf *section, const char *p,
	const char *end, unsigned line)
{
	const char *key = p;
	gjs_buf name = GJS_BUF_INIT;
	const char *sec = gjs_buf_cstr(section);

	while (p < end && (*p == '-' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		(*p >= 'A' && *p <= 'Z')))
		p++;
	if (p == key)
		return;
	for (const char *k = key; k < p; k++)
		gjs_buf_putc(&name, (char)(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k));
	while (p < end && is_config_space(*p))
		p++;

	if (p == end || *p == '#' || *p == ';') {
		gjs_buf full = GJS_BUF_INIT;

		gjs_buf_printf(&full, "%s.%s", sec, gjs_buf_cstr(&name));
		GJS_GROW(outline->bare_lines, outline->bare_alloc, outline->bare_keys.count + 1);
		outline->bare_lines[outline->bare_keys.count] = line;
		gjs_strvec_push(&outline->bare_keys, gjs_buf_cstr(&full));
		gjs_buf_free(&full);
	} else if (*p == '=' && !strcmp(sec, "scopes") && !strcmp(gjs_buf_cstr(&name), "scope")) {
		/* Quotes and comments are dropped roughly: this only finds lines. */
		for (p++; p < end && *p != '#' && *p != ';';) {
			const char *word;

			while (p < end && (is_scope_separator(*p) || *p == '"'))
				p++;
			word = p;
			while (p < end && !is_scope_separator(*p) && *p != '"' && *p != '#' && *p != ';')
				p++;
			if (p > word) {
				config_word *entry;

				GJS_GROW(outline->words, outline->word_alloc, outline->word_count + 1);
				entry = &outline->words[outline->word_count++];
				entry->word = gjs_xstrndup(word, (size_t)(p - word));
				entry->line = line;
			}
		}
	}
	gjs_buf_free(&name);
}

static int compare_config_words(const void *a, const void *b)
{
	const config_word *left = a;
	const config_word *right = b;
	int cmp = strcmp(left->word, right->word);

	if (cmp)
		return cmp;
	return left->line < right->line ? -1 : left->line > right->line;
}

/*
 * Fills `outline` from the raw text, then sorts the words so that each line
 * lookup is a binary search.
 */
static void config_outline_scan(config_outline *outline, const char *data, size_t len)
{
	gjs_buf section = GJS_BUF_INIT;
	const char *p = data;
	const char *stop = data + len;
	unsigned line = 1;

	/* libgit2 skips a UTF-8 byte order mark at the start of the file. */
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < stop) {
		const char *end = memchr(p, '\n', (size_t)(stop - p));

		if (!end)
			end = stop;
		while (p < end && is_config_space(*p))
			p++;
		if (p < end && *p == '[') {
			const char *sec;
			size_t sec_len;

			p = config_read_header(p, end, &section);
			sec = gjs_buf_cstr(&section);
			sec_len = strcspn(sec, ".\"");
			if (!outline->include_line &&
			    ((sec_len == 7 && !strncmp(sec, "include", 7)) ||
				    (sec_len == 9 && !strncmp(sec, "includeif", 9))))
				outline->include_line = line;
			while (p < end && is_config_space(*p))
				p++;
		}
		if (p < end)
			config_outline_line(outline, &section, p, end, line);
		p = end < stop ? end + 1 : stop;
		line++;
	}
	gjs_buf_free(&section);
	if (outline->word_count > 1)
		qsort(outline->words, outline->word_count, sizeof(*outline->words), compare_config_words);
}

static unsigned config_word_line(const config_outline *outline, const char *word)
{
	size_t low = 0;
	size_t high = outline->word_count;

	/* Finds the first entry not below `word`; it is the earliest line of the word. */
	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (strcmp(outline->words[mid].word, word) < 0)
			low = mid + 1;
		else
			high = mid;
	}
	if (low < outline->word_count && !strcmp(outline->words[low].word, word))
		return outline->words[low].line;
	return 0;
}

static unsigned config_bare_line(const config_outline *outline, const char *key)
{
	for (size_t i = 0; i < outline->bare_keys.count; i++)
		if (!strcmp(outline->bare_keys.items[i], key))
			return outline->bare_lines[i];
	return 0;
}

typedef struct {
	gjs_declaration *decl;
	const config_outline *outline;
	gjs_strvec *globs; /* NULL while reading scopes.scope */
	const char *key;
} config_reader;

static int config_read_value(const git_config_entry *entry, void *payload)
{
	config_reader *reader = payload;
	const char *p = entry->value;

	if (!p) {
		set_error(reader->decl, config_bare_line(reader->outline, reader->key),
			"%s has no value; write `%s = VALUE`", reader->key, strrchr(reader->key, '.') + 1);
		return 0;
	}
	if (reader->globs) {
		if (*p)
			gjs_strvec_push(reader->globs, p);
		return 0;
	}

	reader->decl->has_scope_list = true;
	while (*p) {
		size_t word_len;
		char *word;

		while (*p && is_scope_separator(*p))
			p++;
		word_len = strcspn(p, " \t\r,");
		if (!word_len)
			break;
		word = gjs_xstrndup(p, word_len);
		add_scope(reader->decl, word, word_len, config_word_line(reader->outline, word));
		free(word);
		p += word_len;
	}
	return 0;
}

/*
 * libgit2 reports "failed to parse config file: PROBLEM (in FILE:LINE)"
 * with the temporary file's name; rewrite it to name the declaration.
 */
static void set_config_syntax_error(gjs_declaration *decl, const char *message)
{
	static const char prefix[] = "failed to parse config file: ";
	const char *problem = message;
	const char *in = strstr(message, " (in ");
	const char *colon;
	unsigned long line = 0;

	if (!strncmp(problem, prefix, sizeof(prefix) - 1))
		problem += sizeof(prefix) - 1;
	if (in && in > problem && (colon = strrchr(in, ':'))) {
		char *number_end;

		errno = 0;
		line = strtoul(colon + 1, &number_end, 10);
		if (errno || number_end == colon + 1 || line > 0xffffffffUL)
			line = 0;
	}
	if (in && in > problem && line)
		set_error(decl, (unsigned)line, "%.*s; fix the git-config syntax", (int)(in - problem),
			problem);
	else
		set_error(decl, 0, "%s; fix the git-config syntax", message);
}

/* Writes `data` to a new private file; `*path_out` gets its name. */
static int write_temporary_file(const char *data, size_t len, char **path_out)
{
	const char *tmpdir = getenv("TMPDIR");
	gjs_buf path = GJS_BUF_INIT;
	int fd;
	int error = 0;

	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	gjs_buf_printf(&path, "%s/gjs-scopes-XXXXXX", tmpdir);
	fd = mkstemp(path.ptr);
	if (fd < 0) {
		gjs_error_set("cannot create a temporary file in %s: %s", tmpdir, strerror(errno));
		error = GJS_ERROR;
		goto done;
	}
	while (len) {
		ssize_t written = write(fd, data, len);

		if (written < 0 && errno == EINTR)
			continue;
		if (written <= 0) {
			gjs_error_set("cannot write %s: %s", path.ptr, strerror(errno));
			error = GJS_ERROR;
			break;
		}
		data += written;
		len -= (size_t)written;
	}
	if (close(fd) < 0 && !error) {
		gjs_error_set("cannot write %s: %s", path.ptr, strerror(errno));
		error = GJS_ERROR;
	}
	if (error < 0)
		unlink(path.ptr);

done:
	if (error < 0)
		gjs_buf_free(&path);
	else
		*path_out = gjs_buf_detach(&path);
	return error;
}

/*
 * libgit2 1.5 parses config only from files, so the text goes through a
 * private temporary file that is removed as soon as libgit2 has read it.
 */
static int open_config_text(gjs_declaration *decl, const char *data, size_t len,
	git_config **out)
{
	git_config *file_config = NULL;
	char *tmp_path = NULL;
	int error;

	*out = NULL;
	if ((error = write_temporary_file(data, len, &tmp_path)) < 0)
		return error;

	error = git_config_open_ondisk(&file_config, tmp_path);
	if (!error)
		error = git_config_snapshot(out, file_config);
	unlink(tmp_path);

	if (error < 0) {
		const git_error *last = git_error_last();

		/* Parse errors are of class CONFIG; failing to read the file is OS. */
		if (last && last->klass == GIT_ERROR_CONFIG && last->message) {
			set_config_syntax_error(decl, last->message);
			error = 0;
		} else {
			gjs_error_set_git(decl->path);
			error = GJS_ERROR;
		}
	}
	git_config_free(file_config);
	free(tmp_path);
	return error;
}

static int config_read_multivar(git_config *config, config_reader *reader)
{
	int error = git_config_get_multivar_foreach(config, reader->key, NULL, config_read_value, reader);

	if (error == GIT_ENOTFOUND)
		return 0;
	if (error < 0) {
		gjs_error_set_git(reader->decl->path);
		return GJS_ERROR;
	}
	return 0;
}

static int parse_scopes_file(gjs_declaration *decl, const char *data, size_t len)
{
	config_outline outline;
	config_reader reader;
	git_config *config = NULL;
	int error = 0;

	memset(&outline, 0, sizeof(outline));
	config_outline_scan(&outline, data, len);

	/* An include would make libgit2 read files outside the revision. */
	if (outline.include_line) {
		set_error(decl, outline.include_line,
			"include sections are not supported in .jira-scopes; "
			"copy the settings into this file");
		goto done;
	}

	if ((error = open_config_text(decl, data, len, &config)) < 0 || !config)
		goto done;

	memset(&reader, 0, sizeof(reader));
	reader.decl = decl;
	reader.outline = &outline;
	reader.key = "scopes.scope";
	if ((error = config_read_multivar(config, &reader)) < 0)
		goto done;
	reader.key = "files.include";
	reader.globs = &decl->include;
	if ((error = config_read_multivar(config, &reader)) < 0)
		goto done;
	reader.key = "files.exclude";
	reader.globs = &decl->exclude;
	error = config_read_multivar(config, &reader);

done:
	git_config_free(config);
	config_outline_free(&outline);
	return error;
}

/* ---- public API -------------------------------------------------------- */

int gjs_declaration_parse(gjs_declaration **out, gjs_declaration_kind kind, const char *path,
	const char *data, size_t len)
{
	gjs_declaration *decl;
	const char *slash = strrchr(path, '/');
	const char *nul;
	int error;

	*out = NULL;
	decl = gjs_xcalloc(1, sizeof(*decl));
	decl->kind = kind;
	decl->path = gjs_xstrdup(path);
	decl->dir = slash ? gjs_xstrndup(path, (size_t)(slash - path)) : gjs_xstrdup("");
	if (!len)
		data = "";

	/* None of the three formats allows a NUL byte, and C strings would cut at it. */
	nul = memchr(data, '\0', len);
	if (nul) {
		set_error(decl, line_at_offset(data, len, (size_t)(nul - data)),
			"unexpected NUL byte; save the file as UTF-8 text");
		*out = decl;
		return 0;
	}

	switch (kind) {
	case GJS_DECL_FORGE:
		error = parse_forge(decl, data, len);
		break;
	case GJS_DECL_CONNECT:
		error = parse_connect(decl, data, len);
		break;
	case GJS_DECL_SCOPES_FILE:
		error = parse_scopes_file(decl, data, len);
		break;
	default:
		gjs_error_set("%s: unknown declaration kind %d", path, (int)kind);
		error = GJS_ERROR;
		break;
	}
	if (error < 0) {
		gjs_declaration_free(decl);
		return error;
	}

	/* Half a scope list would read as removed scopes, so an error keeps none. */
	if (decl->error)
		clear_results(decl);
	else
		remove_duplicate_scopes(decl);
	*out = decl;
	return 0;
}

void gjs_declaration_free(gjs_declaration *decl)
{
	if (!decl)
		return;
	clear_results(decl);
	free(decl->scopes);
	free(decl->path);
	free(decl->dir);
	free(decl->error);
	free(decl);
}

const gjs_declared_scope *gjs_declaration_find(const gjs_declaration *decl, const char *scope)
{
	bool fold_case = decl->kind == GJS_DECL_CONNECT || is_connect_scope(scope);

	for (size_t i = 0; i < decl->scope_count; i++) {
		const char *declared = decl->scopes[i].scope;

		if (fold_case ? !strcasecmp(declared, scope) : !strcmp(declared, scope))
			return &decl->scopes[i];
	}
	return NULL;
}
