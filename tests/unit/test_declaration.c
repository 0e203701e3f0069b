/*
 * Unit tests for the declarations module: Forge manifests, Connect
 * descriptors and .jira-scopes files, including hostile input (alias
 * bombs, deep nesting, random bytes).
 */
#include "unit.h"

#include <dirent.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "declaration.h"

static char temp_dir[] = "/tmp/gjs-test-declaration-XXXXXX";

static gjs_declaration *parse_text(gjs_declaration_kind kind, const char *path, const char *text)
{
	gjs_declaration *decl = NULL;

	assert_int_equal(gjs_declaration_parse(&decl, kind, path, text, strlen(text)), 0);
	assert_non_null(decl);
	assert_int_equal(decl->kind, kind);
	assert_string_equal(decl->path, path);
	return decl;
}

static void assert_scope(const gjs_declaration *decl, size_t i, const char *scope, unsigned line)
{
	assert_true(i < decl->scope_count);
	assert_string_equal(decl->scopes[i].scope, scope);
	assert_int_equal(decl->scopes[i].line, line);
}

static void assert_parse_error(gjs_declaration_kind kind, const char *path, const char *text,
	const char *expected)
{
	gjs_declaration *decl = parse_text(kind, path, text);

	assert_non_null(decl->error);
	assert_string_equal(decl->error, expected);
	assert_int_equal(decl->scope_count, 0);
	gjs_declaration_free(decl);
}

/* ---- paths and names ---------------------------------------------------- */

static void test_kind_for_path(void **state)
{
	(void)state;
	assert_int_equal(gjs_declaration_kind_for_path("manifest.yml"), GJS_DECL_FORGE);
	assert_int_equal(gjs_declaration_kind_for_path("apps/jira/manifest.yaml"), GJS_DECL_FORGE);
	assert_int_equal(gjs_declaration_kind_for_path("atlassian-connect.json"), GJS_DECL_CONNECT);
	assert_int_equal(gjs_declaration_kind_for_path("x/atlassian-connect.json"), GJS_DECL_CONNECT);
	assert_int_equal(gjs_declaration_kind_for_path(".jira-scopes"), GJS_DECL_SCOPES_FILE);
	assert_int_equal(gjs_declaration_kind_for_path("a/b/.jira-scopes"), GJS_DECL_SCOPES_FILE);
	assert_int_equal(gjs_declaration_kind_for_path("manifest.yml.bak"), -1);
	assert_int_equal(gjs_declaration_kind_for_path("Manifest.yml"), -1);
	assert_int_equal(gjs_declaration_kind_for_path("manifest.yml/readme"), -1);
	assert_int_equal(gjs_declaration_kind_for_path("my-manifest.yml"), -1);
	assert_int_equal(gjs_declaration_kind_for_path(""), -1);
}

static void test_kind_name(void **state)
{
	(void)state;
	assert_string_equal(gjs_declaration_kind_name(GJS_DECL_FORGE), "forge");
	assert_string_equal(gjs_declaration_kind_name(GJS_DECL_CONNECT), "connect");
	assert_string_equal(gjs_declaration_kind_name(GJS_DECL_SCOPES_FILE), "scopes-file");
}

static void test_dir_top_level_and_nested(void **state)
{
	static const struct {
		gjs_declaration_kind kind;
		const char *path;
		const char *dir;
	} cases[] = {
		{ GJS_DECL_FORGE, "manifest.yml", "" },
		{ GJS_DECL_FORGE, "apps/jira/manifest.yml", "apps/jira" },
		{ GJS_DECL_CONNECT, "atlassian-connect.json", "" },
		{ GJS_DECL_CONNECT, "connect/atlassian-connect.json", "connect" },
		{ GJS_DECL_SCOPES_FILE, ".jira-scopes", "" },
		{ GJS_DECL_SCOPES_FILE, "a/b/c/.jira-scopes", "a/b/c" },
	};
	const char *text[] = { "", "{}", "" };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		gjs_declaration *decl = parse_text(cases[i].kind, cases[i].path, text[cases[i].kind]);

		assert_null(decl->error);
		assert_string_equal(decl->dir, cases[i].dir);
		gjs_declaration_free(decl);
	}
}

/* ---- Forge manifest.yml -------------------------------------------------- */

static void test_forge_scope_list(void **state)
{
	const char *text =
		"modules:\n"
		"  jira:issuePanel:\n"
		"    - key: panel\n"
		"      scopes: [not-a-scope]\n"
		"permissions:\n"
		"  scopes:\n"
		"    - read:jira-work\n"
		"    - 'write:jira-work'\n"
		"    - read:jira-work\n"
		"    - \"storage:app\"\n"
		"  external:\n"
		"    fetch:\n"
		"      backend:\n"
		"        - https://example.com\n"
		"app:\n"
		"  id: ari:cloud:ecosystem::app/0000\n";
	gjs_declaration *decl = parse_text(GJS_DECL_FORGE, "manifest.yml", text);

	(void)state;
	assert_null(decl->error);
	assert_int_equal(decl->scope_count, 3);
	assert_scope(decl, 0, "read:jira-work", 7);
	assert_scope(decl, 1, "write:jira-work", 8);
	assert_scope(decl, 2, "storage:app", 10);
	assert_false(decl->has_scope_list);
	gjs_declaration_free(decl);
}

static void test_forge_scope_map_with_options(void **state)
{
	const char *text =
		"app:\n"
		"  id: ari:cloud:ecosystem::app/0000\n"
		"permissions:\n"
		"  content:\n"
		"    styles: [unsafe-inline]\n"
		"  scopes:\n"
		"    read:jira-work:\n"
		"    write:jira-work:\n"
		"      allowImpersonation: true\n"
		"    manage:jira-webhook: ~\n"
		"    read:jira-user: null\n"
		"    read:jira-work: {}\n";
	gjs_declaration *decl = parse_text(GJS_DECL_FORGE, "apps/a/manifest.yml", text);

	(void)state;
	assert_null(decl->error);
	assert_int_equal(decl->scope_count, 4);
	assert_scope(decl, 0, "read:jira-work", 7);
	assert_scope(decl, 1, "write:jira-work", 8);
	assert_scope(decl, 2, "manage:jira-webhook", 10);
	assert_scope(decl, 3, "read:jira-user", 11);
	gjs_declaration_free(decl);
}

static void test_forge_flow_sequence_lines(void **state)
{
	const char *text = "permissions: {scopes: [read:jira-work,\n  write:jira-work]}\n";
	gjs_declaration *decl = parse_text(GJS_DECL_FORGE, "manifest.yml", text);

	(void)state;
	assert_null(decl->error);
	assert_int_equal(decl->scope_count, 2);
	assert_scope(decl, 0, "read:jira-work", 1);
	assert_scope(decl, 1, "write:jira-work", 2);
	gjs_declaration_free(decl);
}

static void test_forge_connect_scopes_upper_cased(void **state)
{
	const char *text =
		"connectModules: {}\n"
		"permissions:\n"
		"  scopes:\n"
		"    - read\n"
		"    - Write\n"
		"    - act_as_user\n"
		"    - access_email_addresses\n"
		"    - project_admin\n"
		"    - READ\n"
		"    - read:jira-work\n"
		"    - readme:custom\n";
	gjs_declaration *decl = parse_text(GJS_DECL_FORGE, "manifest.yml", text);

	(void)state;
	assert_null(decl->error);
	assert_int_equal(decl->scope_count, 7);
	assert_scope(decl, 0, "READ", 4);
	assert_scope(decl, 1, "WRITE", 5);
	assert_scope(decl, 2, "ACT_AS_USER", 6);
	assert_scope(decl, 3, "ACCESS_EMAIL_ADDRESSES", 7);
	assert_scope(decl, 4, "PROJECT_ADMIN", 8);
	assert_scope(decl, 5, "read:jira-work", 10);
	assert_scope(decl, 6, "readme:custom", 11);
	gjs_declaration_free(decl);
}

static void test_forge_without_scopes(void **state)
{
	static const char *const texts[] = {
		"",
		"# only a comment\n",
		"---\n",
		"app:\n  id: x\n",
		"permissions:\n",
		"permissions:\n  external:\n    fetch:\n      backend: [a.example.com]\n",
		"permissions:\n  scopes:\n",
		"permissions:\n  scopes: []\n",
		"app:\n  id: x\n---\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		gjs_declaration *decl = parse_text(GJS_DECL_FORGE, "manifest.yml", texts[i]);

		assert_null(decl->error);
		assert_int_equal(decl->scope_count, 0);
		gjs_declaration_free(decl);
	}
}

static void test_forge_malformed_yaml(void **state)
{
	(void)state;
	assert_parse_error(GJS_DECL_FORGE, "apps/a/manifest.yml",
		"app:\n"
		"  id: x\n"
		"permissions:\n"
		"  scopes:\n"
		"    - read:jira-work\n"
		"  - write:jira-work\n",
		"apps/a/manifest.yml:6: did not find expected key; fix the YAML syntax");
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"app: {id: x\n"
		"permissions:\n",
		"manifest.yml:2: did not find expected ',' or '}'; fix the YAML syntax");
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"permissions:\n"
		"  scopes:\n"
		"    - \"read:jira-work\n",
		"manifest.yml:4: found unexpected end of stream; fix the YAML syntax");
}

static void test_forge_scalar_scopes(void **state)
{
	(void)state;
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"app:\n  id: x\npermissions:\n  scopes: read:jira-work\n",
		"manifest.yml:4: permissions.scopes is a single value, not a list; "
		"write one scope per line as `- read:jira-work`");
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"permissions: read:jira-work\n",
		"manifest.yml:1: permissions is not a mapping; write `scopes:` under `permissions:`");
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"- read:jira-work\n",
		"manifest.yml:1: the manifest is not a YAML mapping; "
		"start it with keys such as `app:` and `permissions:`");
}

static void test_forge_bad_scope_items(void **state)
{
	(void)state;
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"permissions:\n"
		"  scopes:\n"
		"    - read:jira-work\n"
		"    - name: write:jira-work\n",
		"manifest.yml:4: item of permissions.scopes is not a scope name; "
		"write each scope as a string such as read:jira-work");
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"permissions:\n"
		"  scopes:\n"
		"    - [read:jira-work]\n",
		"manifest.yml:3: item of permissions.scopes is not a scope name; "
		"write each scope as a string such as read:jira-work");
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"permissions:\n"
		"  scopes:\n"
		"    - read:jira-work\n"
		"    -\n"
		"    - write:jira-work\n",
		"manifest.yml:4: empty scope in permissions.scopes; "
		"write a scope name or remove the entry");
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"permissions:\n"
		"  scopes:\n"
		"    ? [a, b]\n"
		"    : x\n",
		"manifest.yml:3: key of permissions.scopes is not a scope name; "
		"write each scope as a string key");
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"permissions:\n"
		"  scopes:\n"
		"    - \"read\\0:jira-work\"\n",
		"manifest.yml:3: scope name contains a NUL character; "
		"remove it from permissions.scopes");
}

static void test_forge_repeated_keys(void **state)
{
	(void)state;
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"permissions:\n"
		"  scopes: [read:jira-work]\n"
		"  scopes: [write:jira-work]\n",
		"manifest.yml:3: permissions.scopes appears twice; merge the two into one");
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"permissions: {}\n"
		"app: {}\n"
		"permissions: {}\n",
		"manifest.yml:3: permissions appears twice; merge the two into one");
}

static void test_forge_merge_key_rejected(void **state)
{
	(void)state;
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"base: &base\n"
		"  permissions:\n"
		"    scopes: [manage:jira-configuration]\n"
		"<<: *base\n",
		"manifest.yml:4: YAML merge key `<<` is not supported here; "
		"write the keys out in place of the merge");
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"base: &base\n"
		"  scopes: [manage:jira-configuration]\n"
		"permissions:\n"
		"  <<: *base\n",
		"manifest.yml:4: YAML merge key `<<` is not supported here; "
		"write the keys out in place of the merge");
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"extra: &extra {manage:jira-configuration: ~}\n"
		"permissions:\n"
		"  scopes:\n"
		"    read:jira-work:\n"
		"    <<: *extra\n",
		"manifest.yml:5: YAML merge key `<<` is not supported here; "
		"write the keys out in place of the merge");
}

static void test_forge_second_document(void **state)
{
	(void)state;
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"app: {}\n"
		"---\n"
		"permissions:\n"
		"  scopes: [manage:jira-configuration]\n",
		"manifest.yml:3: more than one YAML document; keep the manifest in a single document");
}

static void test_forge_alias_bomb(void **state)
{
	gjs_buf text = GJS_BUF_INIT;
	gjs_declaration *decl;

	(void)state;
	/* Nine levels of ten aliases each would expand to 10^9 strings. */
	gjs_buf_puts(&text, "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (int i = 1; i < 10; i++) {
		gjs_buf_printf(&text, "a%d: &a%d [", i, i);
		for (int j = 0; j < 10; j++)
			gjs_buf_printf(&text, "%s*a%d", j ? ", " : "", i - 1);
		gjs_buf_puts(&text, "]\n");
	}
	gjs_buf_puts(&text, "modules: *a9\npermissions:\n  scopes:\n    - read:jira-work\n");

	decl = parse_text(GJS_DECL_FORGE, "manifest.yml", gjs_buf_cstr(&text));
	assert_null(decl->error);
	assert_int_equal(decl->scope_count, 1);
	assert_scope(decl, 0, "read:jira-work", 14);
	gjs_declaration_free(decl);
	gjs_buf_free(&text);
}

static void test_forge_alias_in_scopes(void **state)
{
	(void)state;
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"x: &s read:jira-work\n"
		"permissions:\n"
		"  scopes:\n"
		"    - *s\n",
		"manifest.yml:4: YAML alias used as an item of permissions.scopes; "
		"write the value out in place of the alias");
	assert_parse_error(GJS_DECL_FORGE, "manifest.yml",
		"x: &s [read:jira-work]\n"
		"permissions:\n"
		"  scopes: *s\n",
		"manifest.yml:3: YAML alias used as permissions.scopes; "
		"write the value out in place of the alias");
}

static void test_forge_deep_nesting(void **state)
{
	gjs_buf flow = GJS_BUF_INIT;
	gjs_buf block = GJS_BUF_INIT;
	gjs_declaration *decl;

	(void)state;
	gjs_buf_puts(&flow, "modules: ");
	for (int i = 0; i < 100000; i++)
		gjs_buf_putc(&flow, '[');
	for (int i = 0; i < 100000; i++)
		gjs_buf_putc(&flow, ']');
	gjs_buf_puts(&flow, "\npermissions: {scopes: [read:jira-work]}\n");
	decl = parse_text(GJS_DECL_FORGE, "manifest.yml", gjs_buf_cstr(&flow));
	assert_non_null(decl->error);
	assert_string_equal(decl->error,
		"manifest.yml:1: YAML nested deeper than 64 levels; flatten the manifest");
	assert_int_equal(decl->scope_count, 0);
	gjs_declaration_free(decl);

	for (int i = 0; i < 200; i++) {
		for (int j = 0; j < i; j++)
			gjs_buf_putc(&block, ' ');
		gjs_buf_puts(&block, "k:\n");
	}
	decl = parse_text(GJS_DECL_FORGE, "manifest.yml", gjs_buf_cstr(&block));
	assert_non_null(decl->error);
	assert_string_equal(decl->error,
		"manifest.yml:65: YAML nested deeper than 64 levels; flatten the manifest");
	gjs_declaration_free(decl);

	gjs_buf_free(&flow);
	gjs_buf_free(&block);
}

static void test_forge_invalid_encoding(void **state)
{
	const char text[] = "permissions:\n  scopes:\n    - read:jira-work\xff\n";
	gjs_declaration *decl = NULL;

	(void)state;
	assert_int_equal(gjs_declaration_parse(&decl, GJS_DECL_FORGE, "manifest.yml", text,
				 sizeof(text) - 1),
		0);
	assert_non_null(decl->error);
	assert_string_equal(decl->error,
		"manifest.yml:3: invalid leading UTF-8 octet; fix the YAML syntax");
	gjs_declaration_free(decl);
}

/* ---- hostile bytes in every format -------------------------------------- */

static void test_nul_byte_rejected(void **state)
{
	const char text[] = "[scopes]\n\tscope = read:jira-work\0\n";
	gjs_declaration *decl = NULL;

	(void)state;
	for (int kind = GJS_DECL_FORGE; kind <= GJS_DECL_SCOPES_FILE; kind++) {
		assert_int_equal(gjs_declaration_parse(&decl, (gjs_declaration_kind)kind, "f", text,
					 sizeof(text) - 1),
			0);
		assert_non_null(decl->error);
		assert_string_equal(decl->error, "f:2: unexpected NUL byte; save the file as UTF-8 text");
		assert_int_equal(decl->scope_count, 0);
		gjs_declaration_free(decl);
	}
}

/* Deterministic pseudo-random bytes, so a failure can be replayed. */
static unsigned long next_random(unsigned long *seed)
{
	*seed = *seed * 6364136223846793005UL + 1442695040888963407UL;
	return *seed >> 33;
}

static void test_random_bytes_do_not_crash(void **state)
{
	static const char alphabet[] = "{}[]\":,-? &*!|>'\\\n\t #abcdREAD[scopes]=\xc3\xa9";
	unsigned long seed = 42;
	char data[512];

	(void)state;
	for (int round = 0; round < 600; round++) {
		size_t len = next_random(&seed) % sizeof(data);
		bool structured = round % 2;

		/* Odd rounds draw from syntax characters, which reach deeper parser states. */
		for (size_t i = 0; i < len; i++) {
			unsigned long r = next_random(&seed);

			data[i] = structured ? alphabet[r % (sizeof(alphabet) - 1)] : (char)(r & 0xff);
		}
		for (int kind = GJS_DECL_FORGE; kind <= GJS_DECL_SCOPES_FILE; kind++) {
			gjs_declaration *decl = NULL;

			assert_int_equal(gjs_declaration_parse(&decl, (gjs_declaration_kind)kind, "f",
						 data, len),
				0);
			assert_non_null(decl);
			if (decl->error)
				assert_int_equal(decl->scope_count, 0);
			gjs_declaration_free(decl);
		}
	}
}

/* ---- Connect atlassian-connect.json -------------------------------------- */

static void test_connect_scopes_on_several_lines(void **state)
{
	const char *text =
		"{\n"
		"  \"key\": \"my-app\",\n"
		"  \"name\": \"scopes\",\n"
		"  \"modules\": {\"scopes\": [\"ADMIN\"]},\n"
		"  \"scopes\": [\n"
		"    \"read\",\n"
		"    \"Write\",\n"
		"    \"act_as_user\", \"READ\",\n"
		"    \"custom:thing\"\n"
		"  ]\n"
		"}\n";
	gjs_declaration *decl = parse_text(GJS_DECL_CONNECT, "atlassian-connect.json", text);

	(void)state;
	assert_null(decl->error);
	assert_int_equal(decl->scope_count, 4);
	assert_scope(decl, 0, "READ", 6);
	assert_scope(decl, 1, "WRITE", 7);
	assert_scope(decl, 2, "ACT_AS_USER", 8);
	assert_scope(decl, 3, "CUSTOM:THING", 9);
	gjs_declaration_free(decl);
}

static void test_connect_scopes_on_one_line(void **state)
{
	const char *text =
		"{\"key\": \"a\",\n"
		"\"links\": {\"self\": \"/x\"}, \"scopes\": [\"read\", \"delete\", \"project_admin\"]}";
	gjs_declaration *decl = parse_text(GJS_DECL_CONNECT, "c/atlassian-connect.json", text);

	(void)state;
	assert_null(decl->error);
	assert_int_equal(decl->scope_count, 3);
	assert_scope(decl, 0, "READ", 2);
	assert_scope(decl, 1, "DELETE", 2);
	assert_scope(decl, 2, "PROJECT_ADMIN", 2);
	gjs_declaration_free(decl);
}

static void test_connect_escapes_do_not_confuse_lines(void **state)
{
	const char *text =
		"{\n"
		"  \"description\": \"a \\\"scopes\\\": [\\\"ADMIN\\\"] trap, \\\" \\\\\",\n"
		"  \"sc\\u006fpes\"\n"
		"  :\n"
		"  [\"read\",\n"
		"   \"DELE\\u0054E\",\n"
		"\n"
		"   \"w\\\"x\"]\n"
		"}\n";
	gjs_declaration *decl = parse_text(GJS_DECL_CONNECT, "atlassian-connect.json", text);

	(void)state;
	assert_null(decl->error);
	assert_int_equal(decl->scope_count, 3);
	assert_scope(decl, 0, "READ", 5);
	assert_scope(decl, 1, "DELETE", 6);
	assert_scope(decl, 2, "W\"X", 8);
	gjs_declaration_free(decl);
}

static void test_connect_malformed_json(void **state)
{
	(void)state;
	assert_parse_error(GJS_DECL_CONNECT, "atlassian-connect.json",
		"{\n"
		"  \"scopes\": [\n"
		"    \"READ\"\n"
		"    \"WRITE\"\n"
		"  ]\n"
		"}\n",
		"atlassian-connect.json:4: invalid JSON; fix the JSON syntax");
	assert_parse_error(GJS_DECL_CONNECT, "atlassian-connect.json", "",
		"atlassian-connect.json:1: invalid JSON; fix the JSON syntax");
	assert_parse_error(GJS_DECL_CONNECT, "atlassian-connect.json",
		"{\"scopes\": [\"READ\"]}\n\n{\"scopes\": [\"ADMIN\"]}\n",
		"atlassian-connect.json:3: unexpected text after the JSON object; fix the JSON syntax");
	assert_parse_error(GJS_DECL_CONNECT, "atlassian-connect.json", "[\"READ\"]",
		"atlassian-connect.json:1: the descriptor is not a JSON object; "
		"write it as { \"key\": ..., \"scopes\": [...] }");
}

static void test_connect_scopes_not_an_array(void **state)
{
	(void)state;
	assert_parse_error(GJS_DECL_CONNECT, "atlassian-connect.json",
		"{\n  \"key\": \"a\",\n  \"scopes\": \"READ\"\n}\n",
		"atlassian-connect.json:3: \"scopes\" is not an array; "
		"write it as \"scopes\": [\"READ\", \"WRITE\"]");
	assert_parse_error(GJS_DECL_CONNECT, "atlassian-connect.json",
		"{\n  \"scopes\": [\n    \"READ\",\n    {\"scope\": \"WRITE\"}\n  ]\n}\n",
		"atlassian-connect.json:4: item of \"scopes\" is not a string; "
		"write each scope as a string such as \"READ\"");
	assert_parse_error(GJS_DECL_CONNECT, "atlassian-connect.json",
		"{\"scopes\": [\"READ\",\n\"\"]}",
		"atlassian-connect.json:2: empty scope in \"scopes\"; "
		"write a scope name or remove the entry");
}

static void test_connect_repeated_scopes_key(void **state)
{
	(void)state;
	assert_parse_error(GJS_DECL_CONNECT, "atlassian-connect.json",
		"{\n  \"scopes\": [\"READ\"],\n  \"modules\": {},\n  \"scopes\": [\"ADMIN\"]\n}\n",
		"atlassian-connect.json:4: \"scopes\" appears twice; merge the two lists into one");
}

static void test_connect_without_scopes(void **state)
{
	gjs_declaration *decl = parse_text(GJS_DECL_CONNECT, "atlassian-connect.json",
		"{\"key\": \"a\", \"Scopes\": [\"ADMIN\"], \"modules\": {\"scopes\": [\"ADMIN\"]}}");

	(void)state;
	assert_null(decl->error);
	assert_int_equal(decl->scope_count, 0);
	gjs_declaration_free(decl);
}

/* ---- .jira-scopes -------------------------------------------------------- */

static void test_scopes_file_multivalued(void **state)
{
	const char *text =
		"# scopes of the 3LO reporting app\n"
		"[scopes]\n"
		"\tscope = read:jira-work\n"
		"\tscope = write:jira-work manage:jira-project\n"
		"\tscope = read:jira-user,read:me , offline_access\n"
		"\tscope = \"act_as_user\" ; Connect name\n"
		"[files]\n"
		"\tinclude = src/*.js\n"
		"\tinclude = lib/\n"
		"\texclude = src/vendor/*\n"
		"[Scopes]\n"
		"\tScope = read:jira-work report:jira\n";
	gjs_declaration *decl = parse_text(GJS_DECL_SCOPES_FILE, "tools/.jira-scopes", text);

	(void)state;
	assert_null(decl->error);
	assert_true(decl->has_scope_list);
	assert_int_equal(decl->scope_count, 8);
	assert_scope(decl, 0, "read:jira-work", 3);
	assert_scope(decl, 1, "write:jira-work", 4);
	assert_scope(decl, 2, "manage:jira-project", 4);
	assert_scope(decl, 3, "read:jira-user", 5);
	assert_scope(decl, 4, "read:me", 5);
	assert_scope(decl, 5, "offline_access", 5);
	assert_scope(decl, 6, "ACT_AS_USER", 6);
	assert_scope(decl, 7, "report:jira", 12);

	assert_int_equal(decl->include.count, 2);
	assert_string_equal(decl->include.items[0], "src/*.js");
	assert_string_equal(decl->include.items[1], "lib/");
	assert_int_equal(decl->exclude.count, 1);
	assert_string_equal(decl->exclude.items[0], "src/vendor/*");
	assert_string_equal(decl->dir, "tools");
	gjs_declaration_free(decl);
}

static void test_scopes_file_without_scopes(void **state)
{
	gjs_declaration *decl = parse_text(GJS_DECL_SCOPES_FILE, ".jira-scopes",
		"[files]\n\texclude = test/\n[scopes \"other\"]\n\tscope = admin:x\n");

	(void)state;
	assert_null(decl->error);
	assert_false(decl->has_scope_list);
	assert_int_equal(decl->scope_count, 0);
	assert_int_equal(decl->include.count, 0);
	assert_int_equal(decl->exclude.count, 1);
	assert_string_equal(decl->exclude.items[0], "test/");
	gjs_declaration_free(decl);

	decl = parse_text(GJS_DECL_SCOPES_FILE, ".jira-scopes", "[scopes]\n\tscope =\n");
	assert_null(decl->error);
	assert_true(decl->has_scope_list);
	assert_int_equal(decl->scope_count, 0);
	gjs_declaration_free(decl);

	decl = parse_text(GJS_DECL_SCOPES_FILE, ".jira-scopes", "");
	assert_null(decl->error);
	assert_false(decl->has_scope_list);
	gjs_declaration_free(decl);
}

static void test_scopes_file_invalid_syntax(void **state)
{
	(void)state;
	assert_parse_error(GJS_DECL_SCOPES_FILE, "apps/x/.jira-scopes",
		"[files]\n\tinclude = src/\n[scopes\n\tscope = read:jira-work\n",
		"apps/x/.jira-scopes:3: missing ']' in section header; fix the git-config syntax");
	assert_parse_error(GJS_DECL_SCOPES_FILE, ".jira-scopes",
		"[scopes]\n\tscope = read:jira-work\n\t= write:jira-work\n",
		".jira-scopes:3: invalid configuration key; fix the git-config syntax");
	assert_parse_error(GJS_DECL_SCOPES_FILE, ".jira-scopes",
		"[scopes]\n\tscope = \"read\\q\"\n",
		".jira-scopes: invalid escape at q\"; fix the git-config syntax");
	assert_parse_error(GJS_DECL_SCOPES_FILE, ".jira-scopes",
		"[scopes]\n\tscope = read:jira-work\n\tscope\n",
		".jira-scopes:3: scopes.scope has no value; write `scope = VALUE`");
	assert_parse_error(GJS_DECL_SCOPES_FILE, ".jira-scopes",
		"[files]\n\texclude\n",
		".jira-scopes:2: files.exclude has no value; write `exclude = VALUE`");
}

static void test_scopes_file_include_rejected(void **state)
{
	(void)state;
	assert_parse_error(GJS_DECL_SCOPES_FILE, ".jira-scopes",
		"[scopes]\n\tscope = read:jira-work\n[Include]\n\tpath = /etc/gitconfig\n",
		".jira-scopes:3: include sections are not supported in .jira-scopes; "
		"copy the settings into this file");
	assert_parse_error(GJS_DECL_SCOPES_FILE, ".jira-scopes",
		"[includeIf \"gitdir:/\"]\n\tpath = x\n",
		".jira-scopes:1: include sections are not supported in .jira-scopes; "
		"copy the settings into this file");
}

static void test_scopes_file_leaves_no_temporary_file(void **state)
{
	gjs_declaration *decl = parse_text(GJS_DECL_SCOPES_FILE, ".jira-scopes",
		"[scopes]\n\tscope = read:jira-work\n");
	DIR *dir;
	struct dirent *entry;
	int files = 0;

	(void)state;
	assert_null(decl->error);
	gjs_declaration_free(decl);
	decl = parse_text(GJS_DECL_SCOPES_FILE, ".jira-scopes", "[scopes\n");
	assert_non_null(decl->error);
	gjs_declaration_free(decl);

	dir = opendir(temp_dir);
	assert_non_null(dir);
	while ((entry = readdir(dir)))
		if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, ".."))
			files++;
	closedir(dir);
	assert_int_equal(files, 0);
}

/* ---- find ---------------------------------------------------------------- */

static void test_find(void **state)
{
	gjs_declaration *forge = parse_text(GJS_DECL_FORGE, "manifest.yml",
		"permissions:\n  scopes:\n    - read:jira-work\n    - act_as_user\n");
	gjs_declaration *connect = parse_text(GJS_DECL_CONNECT, "atlassian-connect.json",
		"{\"scopes\": [\"read\", \"Custom\"]}");
	const gjs_declared_scope *found;

	(void)state;
	found = gjs_declaration_find(forge, "read:jira-work");
	assert_non_null(found);
	assert_int_equal(found->line, 3);
	assert_null(gjs_declaration_find(forge, "READ:JIRA-WORK"));
	assert_null(gjs_declaration_find(forge, "read:jira"));
	found = gjs_declaration_find(forge, "Act_As_User");
	assert_non_null(found);
	assert_string_equal(found->scope, "ACT_AS_USER");

	found = gjs_declaration_find(connect, "read");
	assert_non_null(found);
	assert_string_equal(found->scope, "READ");
	assert_non_null(gjs_declaration_find(connect, "READ"));
	assert_non_null(gjs_declaration_find(connect, "custom"));
	assert_null(gjs_declaration_find(connect, "WRITE"));

	gjs_declaration_free(forge);
	gjs_declaration_free(connect);
}

static void test_free_accepts_null(void **state)
{
	(void)state;
	gjs_declaration_free(NULL);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(temp_dir))
		return -1;
	setenv("TMPDIR", temp_dir, 1);
	setenv("HOME", temp_dir, 1);
	setenv("LC_ALL", "C", 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	return git_libgit2_init() < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	git_libgit2_shutdown();
	return rmdir(temp_dir);
}

/* Keys that other YAML readers resolve to `permissions` must not hide it. */
static void forge_hidden_keys_are_errors(void **state)
{
	static const struct {
		const char *text;
		const char *error;
	} cases[] = {
		{ "app:\n  name: &p permissions\n*p :\n  scopes:\n    - manage:jira-configuration\n",
			"manifest.yml:3: YAML alias used as a mapping key; write the value out in place of the alias" },
		{ "base: &b\n  permissions:\n    scopes: [manage:jira-configuration]\n!!merge \"<<\": *b\n",
			"manifest.yml:4: YAML merge key `<<` is not supported here; write the keys out in place of the merge" },
		{ "base: &b\n  permissions:\n    scopes: [manage:jira-configuration]\n!!merge x: *b\n",
			"manifest.yml:4: YAML merge key `<<` is not supported here; write the keys out in place of the merge" },
		{ "permissions:\n  name: &s scopes\n  *s :\n    - manage:jira-configuration\n",
			"manifest.yml:3: YAML alias used as a mapping key; write the value out in place of the alias" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gjs_declaration *decl = NULL;

		assert_int_equal(gjs_declaration_parse(&decl, GJS_DECL_FORGE, "manifest.yml", cases[i].text,
					 strlen(cases[i].text)), 0);
		assert_non_null(decl->error);
		assert_string_equal(decl->error, cases[i].error);
		assert_int_equal(decl->scope_count, 0);
		gjs_declaration_free(decl);
	}
}

/* An include section hidden behind a byte order mark or a vertical tab
 * would make libgit2 read a file outside the revision. */
static void scopes_file_hidden_include_is_error(void **state)
{
	static const char *const texts[] = {
		"\xef\xbb\xbf[include]\n\tpath = /etc/passwd\n",
		"[scopes]\n\tscope = read:jira-work\n\v[include]\n\tpath = /etc/passwd\n",
		"[scopes]\n\tscope = read:jira-work\n\f[includeIf \"gitdir:/\"]\n\tpath = /etc/passwd\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		gjs_declaration *decl = NULL;

		assert_int_equal(gjs_declaration_parse(&decl, GJS_DECL_SCOPES_FILE, ".jira-scopes", texts[i],
					 strlen(texts[i])), 0);
		assert_non_null(decl->error);
		assert_non_null(strstr(decl->error, "include sections are not supported in .jira-scopes"));
		gjs_declaration_free(decl);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scopes_file_hidden_include_is_error),
		cmocka_unit_test(forge_hidden_keys_are_errors),
		cmocka_unit_test(test_kind_for_path),
		cmocka_unit_test(test_kind_name),
		cmocka_unit_test(test_dir_top_level_and_nested),
		cmocka_unit_test(test_forge_scope_list),
		cmocka_unit_test(test_forge_scope_map_with_options),
		cmocka_unit_test(test_forge_flow_sequence_lines),
		cmocka_unit_test(test_forge_connect_scopes_upper_cased),
		cmocka_unit_test(test_forge_without_scopes),
		cmocka_unit_test(test_forge_malformed_yaml),
		cmocka_unit_test(test_forge_scalar_scopes),
		cmocka_unit_test(test_forge_bad_scope_items),
		cmocka_unit_test(test_forge_repeated_keys),
		cmocka_unit_test(test_forge_merge_key_rejected),
		cmocka_unit_test(test_forge_second_document),
		cmocka_unit_test(test_forge_alias_bomb),
		cmocka_unit_test(test_forge_alias_in_scopes),
		cmocka_unit_test(test_forge_deep_nesting),
		cmocka_unit_test(test_forge_invalid_encoding),
		cmocka_unit_test(test_nul_byte_rejected),
		cmocka_unit_test(test_random_bytes_do_not_crash),
		cmocka_unit_test(test_connect_scopes_on_several_lines),
		cmocka_unit_test(test_connect_scopes_on_one_line),
		cmocka_unit_test(test_connect_escapes_do_not_confuse_lines),
		cmocka_unit_test(test_connect_malformed_json),
		cmocka_unit_test(test_connect_scopes_not_an_array),
		cmocka_unit_test(test_connect_repeated_scopes_key),
		cmocka_unit_test(test_connect_without_scopes),
		cmocka_unit_test(test_scopes_file_multivalued),
		cmocka_unit_test(test_scopes_file_without_scopes),
		cmocka_unit_test(test_scopes_file_invalid_syntax),
		cmocka_unit_test(test_scopes_file_include_rejected),
		cmocka_unit_test(test_scopes_file_leaves_no_temporary_file),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_free_accepts_null),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
