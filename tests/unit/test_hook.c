/*
 * Unit tests of the shared hook helpers: the GIT_ALTERNATE_OBJECT_DIRECTORIES
 * parser, ref update lines, ref globs and push options.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hook.h"

static void test_alternates_plain_and_quoted(void **state)
{
	gjs_strvec dirs = GJS_STRVEC_INIT;

	(void)state;
	assert_int_equal(gjs_hook_parse_alternates(&dirs,
				 "/srv/a/objects:\"/srv/with:colon/objects\"::/srv/b/objects"), 0);
	assert_int_equal(dirs.count, 3);
	assert_string_equal(dirs.items[0], "/srv/a/objects");
	assert_string_equal(dirs.items[1], "/srv/with:colon/objects");
	assert_string_equal(dirs.items[2], "/srv/b/objects");
	gjs_strvec_clear(&dirs);
}

static void test_alternates_escapes(void **state)
{
	gjs_strvec dirs = GJS_STRVEC_INIT;

	(void)state;
	assert_int_equal(gjs_hook_parse_alternates(&dirs,
				 "\"/srv/q\\\"uote\\\\d/\\303\\251t\\303\\251\\tx\""), 0);
	assert_int_equal(dirs.count, 1);
	assert_string_equal(dirs.items[0], "/srv/q\"uote\\d/\xc3\xa9t\xc3\xa9\tx");
	gjs_strvec_clear(&dirs);
}

static void test_alternates_malformed(void **state)
{
	static const char *const bad[] = {
		"\"/srv/unterminated",
		"\"/srv/a\"junk",
		"\"/srv/bad\\escape\"",
		"\"/srv/short\\30\"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		gjs_strvec dirs = GJS_STRVEC_INIT;

		assert_int_equal(gjs_hook_parse_alternates(&dirs, bad[i]), GJS_EINVALID);
		gjs_strvec_clear(&dirs);
	}
}

static void test_take_alternates_unsets(void **state)
{
	gjs_strvec dirs = GJS_STRVEC_INIT;

	(void)state;
	setenv("GIT_ALTERNATE_OBJECT_DIRECTORIES", "\"/x:y/objects\"", 1);
	assert_int_equal(gjs_hook_take_alternates(&dirs), 0);
	assert_null(getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES"));
	assert_int_equal(dirs.count, 1);
	assert_string_equal(dirs.items[0], "/x:y/objects");
	gjs_strvec_clear(&dirs);
}

static FILE *text_stream(const char *text)
{
	return fmemopen((void *)text, strlen(text), "r");
}

static void test_read_pre_receive_lines(void **state)
{
	const char *input =
		"0000000000000000000000000000000000000000 1111111111111111111111111111111111111111 refs/heads/new\n"
		"2222222222222222222222222222222222222222 0000000000000000000000000000000000000000 refs/heads/gone\n"
		"\n"
		"0000000000000000000000000000000000000000000000000000000000000000 "
		"3333333333333333333333333333333333333333333333333333333333333333 refs/tags/v1";
	gjs_hook_updates updates = { NULL, 0, 0 };
	FILE *in = text_stream(input);

	(void)state;
	assert_int_equal(gjs_hook_read_updates(&updates, in, 3), 0);
	fclose(in);
	assert_int_equal(updates.count, 3);
	assert_string_equal(updates.items[0].ref, "refs/heads/new");
	assert_true(updates.items[0].created);
	assert_false(updates.items[0].deleted);
	assert_string_equal(updates.items[1].ref, "refs/heads/gone");
	assert_false(updates.items[1].created);
	assert_true(updates.items[1].deleted);
	assert_string_equal(updates.items[1].old_hex, "2222222222222222222222222222222222222222");
	assert_string_equal(updates.items[2].ref, "refs/tags/v1");
	assert_true(updates.items[2].created);
	assert_null(updates.items[2].local_ref);
	gjs_hook_updates_clear(&updates);
}

static void test_read_pre_push_lines(void **state)
{
	const char *input =
		"refs/heads/topic 1111111111111111111111111111111111111111 refs/heads/feature "
		"0000000000000000000000000000000000000000\n";
	gjs_hook_updates updates = { NULL, 0, 0 };
	FILE *in = text_stream(input);

	(void)state;
	assert_int_equal(gjs_hook_read_updates(&updates, in, 4), 0);
	fclose(in);
	assert_int_equal(updates.count, 1);
	assert_string_equal(updates.items[0].ref, "refs/heads/feature");
	assert_string_equal(updates.items[0].local_ref, "refs/heads/topic");
	assert_string_equal(updates.items[0].new_hex, "1111111111111111111111111111111111111111");
	assert_true(updates.items[0].created);
	gjs_hook_updates_clear(&updates);
}

static void test_read_rejects_malformed_lines(void **state)
{
	static const char *const bad[] = {
		"0000000000000000000000000000000000000000 refs/heads/x\n",
		"0000000000000000000000000000000000000000 1111 refs/heads/x\n",
		"000000000000000000000000000000000000000g 1111111111111111111111111111111111111111 refs/heads/x\n",
		"0000000000000000000000000000000000000000 1111111111111111111111111111111111111111 refs/heads/x extra\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		gjs_hook_updates updates = { NULL, 0, 0 };
		FILE *in = text_stream(bad[i]);

		assert_int_equal(gjs_hook_read_updates(&updates, in, 3), GJS_EINVALID);
		fclose(in);
		gjs_hook_updates_clear(&updates);
	}
}

static void test_ref_globs(void **state)
{
	gjs_policy *policy = NULL;

	(void)state;
	assert_int_equal(gjs_policy_load(&policy, NULL), 0);
	assert_true(gjs_hook_ref_enforced(policy, "refs/heads/main"));
	assert_false(gjs_hook_ref_enforced(policy, "refs/tags/v1"));
	gjs_strvec_push(&policy->refs, "refs/tags/release-*");
	assert_true(gjs_hook_ref_enforced(policy, "refs/tags/release-2"));
	assert_false(gjs_hook_ref_enforced(policy, "refs/tags/v2"));
	gjs_policy_free(policy);
}

static void test_breakglass_option(void **state)
{
	char *reason = NULL;

	(void)state;
	unsetenv("GIT_PUSH_OPTION_COUNT");
	gjs_hook_breakglass_reason(&reason);
	assert_null(reason);

	setenv("GIT_PUSH_OPTION_COUNT", "2", 1);
	setenv("GIT_PUSH_OPTION_0", "ci.skip", 1);
	setenv("GIT_PUSH_OPTION_1", "jira-scopes.breakglass=incident 7", 1);
	gjs_hook_breakglass_reason(&reason);
	assert_string_equal(reason, "incident 7");
	free(reason);

	setenv("GIT_PUSH_OPTION_COUNT", "1", 1);
	gjs_hook_breakglass_reason(&reason);
	assert_null(reason);
	unsetenv("GIT_PUSH_OPTION_COUNT");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alternates_plain_and_quoted),
		cmocka_unit_test(test_alternates_escapes),
		cmocka_unit_test(test_alternates_malformed),
		cmocka_unit_test(test_take_alternates_unsets),
		cmocka_unit_test(test_read_pre_receive_lines),
		cmocka_unit_test(test_read_pre_push_lines),
		cmocka_unit_test(test_read_rejects_malformed_lines),
		cmocka_unit_test(test_ref_globs),
		cmocka_unit_test(test_breakglass_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
