/*
 * test_util.c - the helpers every module leans on: host text into JSON,
 * UTF-8 validation, integer and time parsing, hashing, bounded buffers and
 * atomic writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "support.h"
#include "util.h"

static void
json_host_str__keeps_valid_utf8_as_is(void **state)
{
	json_t *j = json_host_str("caf\xc3\xa9 \xe2\x82\xac");

	(void)state;
	assert_string_equal(json_string_value(j), "caf\xc3\xa9 \xe2\x82\xac");
	json_decref(j);
}

static void
json_host_str__shows_stray_bytes_and_keeps_valid_sequences(void **state)
{
	/* Latin-1 e-acute, then a valid UTF-8 e-acute, then a lone
	 * continuation byte and a truncated three-byte sequence. */
	json_t *j = json_host_str("a\xe9 \xc3\xa9 \x80 \xe2\x82");

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(j),
			    "a\\xe9 \xc3\xa9 \\x80 \\xe2\\x82");
	json_decref(j);
}

static void
json_host_str__null_is_json_null(void **state)
{
	json_t *j = json_host_str(NULL);

	(void)state;
	assert_true(json_is_null(j));
	json_decref(j);
}

static void
utf8_valid__refuses_what_jansson_would(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		int ok;
	} cases[] = {
		{ "plain", 5, 1 },
		{ "\xc3\xa9", 2, 1 },
		{ "\xf0\x9f\x98\x80", 4, 1 },
		{ "a\0b", 3, 0 },		/* NUL inside */
		{ "\xc0\xaf", 2, 0 },		/* overlong '/' */
		{ "\xed\xa0\x80", 3, 0 },	/* surrogate */
		{ "\xf4\x90\x80\x80", 4, 0 },	/* past U+10FFFF */
		{ "\xe2\x82", 2, 0 },		/* truncated */
		{ "\xff", 1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(utf8_valid(cases[i].s, cases[i].n) != 0,
				 cases[i].ok);
}

static void
parse_ll__whole_numbers_in_range_only(void **state)
{
	long long v = 0;

	(void)state;
	assert_int_equal(parse_ll("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_ll("-7", -10, 10, &v), 0);
	assert_int_equal(v, -7);
	assert_int_not_equal(parse_ll("101", 0, 100, &v), 0);
	assert_int_not_equal(parse_ll("4x", 0, 100, &v), 0);
	assert_int_not_equal(parse_ll("", 0, 100, &v), 0);
	assert_int_not_equal(parse_ll("99999999999999999999", 0,
				      9223372036854775807LL, &v), 0);
}

static void
time_parse__dates_and_rfc3339_round_trip(void **state)
{
	char buf[32];
	time_t t = 0;

	(void)state;
	assert_int_equal(time_parse("2026-11-23T08:00:00Z", &t), 0);
	time_rfc3339(t, buf);
	assert_string_equal(buf, "2026-11-23T08:00:00Z");
	assert_int_equal(time_parse("2026-11-23", &t), 0);
	time_rfc3339(t, buf);
	assert_string_equal(buf, "2026-11-23T00:00:00Z");
	assert_int_not_equal(time_parse("2026-13-01", &t), 0);
	assert_int_not_equal(time_parse("yesterday", &t), 0);
}

static void
sha256_hex__matches_the_known_digest(void **state)
{
	char out[65];

	(void)state;
	sha256_hex("abc", 3, out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
}

static void
dynbuf__refuses_growth_past_its_maximum(void **state)
{
	struct dynbuf b;

	(void)state;
	dynbuf_init(&b, 8);
	assert_int_equal(dynbuf_addstr(&b, "1234"), 0);
	assert_int_not_equal(dynbuf_addstr(&b, "56789"), 0);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "1234", 4);
	dynbuf_release(&b);
}

static void
write_file_atomic__replaces_whole_with_the_mode_asked(void **state)
{
	char dir[SUPPORT_DIR_MAX];
	char *path, *data = NULL;
	struct errbuf e = { "" };
	struct stat st;
	size_t len = 0;

	(void)state;
	support_tmpdir(dir, sizeof(dir), "util");
	path = xasprintf("%s/f", dir);
	assert_int_equal(write_file_atomic(path, "old", 3, 0600, &e), 0);
	assert_int_equal(write_file_atomic(path, "new!", 4, 0600, &e), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(read_local_file(path, 1024, &data, &len, &e), 0);
	assert_int_equal(len, 4);
	assert_string_equal(data, "new!");
	free(data);
	unlink(path);
	rmdir(dir);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_host_str__keeps_valid_utf8_as_is),
		cmocka_unit_test(
		    json_host_str__shows_stray_bytes_and_keeps_valid_sequences),
		cmocka_unit_test(json_host_str__null_is_json_null),
		cmocka_unit_test(utf8_valid__refuses_what_jansson_would),
		cmocka_unit_test(parse_ll__whole_numbers_in_range_only),
		cmocka_unit_test(time_parse__dates_and_rfc3339_round_trip),
		cmocka_unit_test(sha256_hex__matches_the_known_digest),
		cmocka_unit_test(dynbuf__refuses_growth_past_its_maximum),
		cmocka_unit_test(
		    write_file_atomic__replaces_whole_with_the_mode_asked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
