/*
 * test_store_deliver.c - the outgoing delivery queue: idempotent
 * enqueueing, oldest-first bounded listing per channel, claims that let
 * only one sender through, sent rows never listed again, failures kept
 * with their message, and argument checks.
 *
 * Every test works on a fresh history in its own mkdtemp directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store.h"
#include "store_deliver.h"
#include "support.h"

struct fx {
	char dir[SUPPORT_DIR_MAX];
	struct store *s;
	int64_t seq;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct errbuf e;
	json_t *doc;
	char *db;
	int r;

	support_tmpdir(f->dir, sizeof(f->dir), "deliver");
	db = xasprintf("%s/history.db", f->dir);
	r = store_open(db, &f->s, &e);
	free(db);
	if (r != 0)
		return -1;
	doc = json_pack("{s:{s:s, s:s, s:{s:s}, s:{s:s, s:s}}, s:[]}",
			"scan", "id", "scan-one", "started",
			"2026-01-05T10:00:00Z", "host", "machine_id", "m1",
			"baseline", "id", "b", "version", "1.0.0", "results");
	r = store_add_scan(f->s, doc, &f->seq, &e);
	json_decref(doc);
	if (r != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->s);
	support_rmtree(f->dir);
	free(f);
	return 0;
}

static void
enqueue_ok(struct fx *f, const char *channel, const char *target,
	   const char *key, const char *payload, int want_added)
{
	struct errbuf e;
	int added = -1;

	assert_int_equal(store_deliver_enqueue(f->s, channel, target, key,
					       f->seq, payload, &added, &e),
			 0);
	assert_int_equal(added, want_added);
}

static void
enqueue__same_triple_twice_is_one_row_keeping_the_first_payload(void **state)
{
	struct fx *f = *state;
	struct store_delivery *d = NULL;
	struct errbuf e;
	size_t n = 0;

	enqueue_ok(f, "webhook", "msp", "scan-one/msp/webhook", "{\"a\":1}", 1);
	enqueue_ok(f, "webhook", "msp", "scan-one/msp/webhook", "{\"a\":2}", 0);
	assert_int_equal(store_deliver_pending(f->s, "webhook", 10, &d, &n, &e),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(d[0].payload, "{\"a\":1}");
	assert_string_equal(d[0].target, "msp");
	assert_int_equal(d[0].scan_seq, f->seq);
	assert_int_equal(d[0].attempts, 0);
	assert_null(d[0].last_error);
	assert_null(d[0].sent);
	assert_non_null(d[0].created);
	store_deliveries_free(d, n);
}

static void
enqueue__same_key_on_other_channel_or_target_is_another_row(void **state)
{
	struct fx *f = *state;
	struct store_delivery *d = NULL;
	struct errbuf e;
	size_t n = 0;

	enqueue_ok(f, "webhook", "msp", "k", "1", 1);
	enqueue_ok(f, "smtp", "msp", "k", "2", 1);
	enqueue_ok(f, "webhook", "internal", "k", "3", 1);
	assert_int_equal(store_deliver_pending(f->s, NULL, 10, &d, &n, &e), 0);
	assert_int_equal(n, 3);
	store_deliveries_free(d, n);
}

static void
pending__lists_one_channel_oldest_first_and_bounded(void **state)
{
	struct fx *f = *state;
	struct store_delivery *d = NULL;
	struct errbuf e;
	size_t n = 0;

	enqueue_ok(f, "push", "https://c.example/x", "s1", "p1", 1);
	enqueue_ok(f, "webhook", "msp", "s1", "w1", 1);
	enqueue_ok(f, "push", "https://c.example/x", "s2", "p2", 1);
	enqueue_ok(f, "push", "https://c.example/x", "s3", "p3", 1);
	assert_int_equal(store_deliver_pending(f->s, "push", 2, &d, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].key, "s1");
	assert_string_equal(d[1].key, "s2");
	assert_string_equal(d[0].channel, "push");
	store_deliveries_free(d, n);
}

static void
pending__empty_queue_gives_null_and_zero(void **state)
{
	struct fx *f = *state;
	struct store_delivery *d = (void *)1;
	struct errbuf e;
	size_t n = 7;

	assert_int_equal(store_deliver_pending(f->s, "push", 5, &d, &n, &e), 0);
	assert_null(d);
	assert_int_equal(n, 0);
}

static void
claim__only_the_first_of_two_listers_may_send(void **state)
{
	struct fx *f = *state;
	struct store_delivery *a = NULL, *b = NULL;
	struct errbuf e;
	size_t na = 0, nb = 0;
	int mine = -1;

	enqueue_ok(f, "webhook", "msp", "k", "x", 1);
	assert_int_equal(store_deliver_pending(f->s, NULL, 5, &a, &na, &e), 0);
	assert_int_equal(store_deliver_pending(f->s, NULL, 5, &b, &nb, &e), 0);
	assert_int_equal(store_deliver_claim(f->s, &a[0], &mine, &e), 0);
	assert_int_equal(mine, 1);
	assert_int_equal(a[0].attempts, 1);
	assert_non_null(a[0].last_attempt);
	assert_int_equal(store_deliver_claim(f->s, &b[0], &mine, &e), 0);
	assert_int_equal(mine, 0);
	assert_int_equal(b[0].attempts, 0);
	store_deliveries_free(a, na);
	store_deliveries_free(b, nb);
}

static void
sent__row_is_never_listed_or_claimed_again(void **state)
{
	struct fx *f = *state;
	struct store_delivery *d = NULL;
	struct errbuf e;
	size_t n = 0;
	int mine = -1;

	enqueue_ok(f, "webhook", "msp", "k", "x", 1);
	assert_int_equal(store_deliver_pending(f->s, NULL, 5, &d, &n, &e), 0);
	assert_int_equal(store_deliver_claim(f->s, &d[0], &mine, &e), 0);
	assert_int_equal(store_deliver_sent(f->s, d[0].id, &e), 0);
	assert_int_equal(store_deliver_claim(f->s, &d[0], &mine, &e), 0);
	assert_int_equal(mine, 0);
	store_deliveries_free(d, n);
	assert_int_equal(store_deliver_pending(f->s, NULL, 5, &d, &n, &e), 0);
	assert_int_equal(n, 0);
	/* Enqueueing it again (the next run) does not revive it. */
	enqueue_ok(f, "webhook", "msp", "k", "x", 0);
	assert_int_equal(store_deliver_pending(f->s, NULL, 5, &d, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_deliver_for_scan(f->s, f->seq, &d, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_non_null(d[0].sent);
	assert_int_equal(d[0].attempts, 1);
	store_deliveries_free(d, n);
}

static void
failed__keeps_row_pending_with_message_and_attempts(void **state)
{
	struct fx *f = *state;
	struct store_delivery *d = NULL;
	struct errbuf e;
	size_t n = 0;
	int mine = 0, i;

	enqueue_ok(f, "smtp", "internal", "k", "x", 1);
	for (i = 0; i < 3; i++) {
		assert_int_equal(store_deliver_pending(f->s, "smtp", 5, &d, &n,
						       &e), 0);
		assert_int_equal(n, 1);
		assert_int_equal(store_deliver_claim(f->s, &d[0], &mine, &e),
				 0);
		assert_int_equal(mine, 1);
		assert_int_equal(store_deliver_failed(f->s, d[0].id,
						      "connection refused",
						      &e), 0);
		store_deliveries_free(d, n);
	}
	assert_int_equal(store_deliver_pending(f->s, "smtp", 5, &d, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d[0].attempts, 3);
	assert_string_equal(d[0].last_error, "connection refused");
	assert_null(d[0].sent);
	/* Success later clears the error. */
	assert_int_equal(store_deliver_sent(f->s, d[0].id, &e), 0);
	store_deliveries_free(d, n);
	assert_int_equal(store_deliver_for_scan(f->s, f->seq, &d, &n, &e), 0);
	assert_null(d[0].last_error);
	store_deliveries_free(d, n);
}

static void
failed__long_message_is_cut_to_valid_utf8(void **state)
{
	struct fx *f = *state;
	struct store_delivery *d = NULL;
	struct errbuf e;
	char msg[2000];
	size_t n = 0, i;

	/* "é" is two bytes; PLUMB_ERRMSG_MAX - 1 is odd, so a plain cut
	 * would split one. */
	for (i = 0; i + 2 < sizeof(msg); i += 2)
		memcpy(msg + i, "\xc3\xa9", 2);
	msg[i] = '\0';
	enqueue_ok(f, "smtp", "internal", "k", "x", 1);
	assert_int_equal(store_deliver_pending(f->s, NULL, 5, &d, &n, &e), 0);
	assert_int_equal(store_deliver_failed(f->s, d[0].id, msg, &e), 0);
	store_deliveries_free(d, n);
	assert_int_equal(store_deliver_pending(f->s, NULL, 5, &d, &n, &e), 0);
	assert_true(strlen(d[0].last_error) < PLUMB_ERRMSG_MAX);
	assert_true(strlen(d[0].last_error) % 2 == 0);
	store_deliveries_free(d, n);
}

static void
sent_and_failed__unknown_id_is_enoent(void **state)
{
	struct fx *f = *state;
	struct errbuf e;

	assert_int_equal(store_deliver_sent(f->s, 999, &e), PLUMB_ENOENT);
	assert_int_equal(store_deliver_failed(f->s, 999, "x", &e),
			 PLUMB_ENOENT);
}

struct bad_enqueue {
	const char *channel, *target, *key, *payload;
	int64_t seq;
	int want;
};

static void
enqueue__refuses_bad_arguments(void **state)
{
	static const struct bad_enqueue cases[] = {
		{ "", "t", "k", "p", 0, PLUMB_EUSAGE },
		{ "c", NULL, "k", "p", 0, PLUMB_EUSAGE },
		{ "c", "t", "", "p", 0, PLUMB_EUSAGE },
		{ "c", "t", "k", NULL, 0, PLUMB_EUSAGE },
		{ "c", "t", "k\xff", "p", 0, PLUMB_EINVAL },
		{ "c", "t", "k", "p\xc3", 0, PLUMB_EINVAL },
		{ "c", "t", "k", "p", 12345, PLUMB_EUSAGE },	/* no scan */
		{ "c", "t", "k", "p", -1, PLUMB_EUSAGE },
	};
	struct fx *f = *state;
	struct store_delivery *d = NULL;
	struct errbuf e;
	size_t i, n = 0;
	int added;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		added = -1;
		assert_int_equal(store_deliver_enqueue(f->s, cases[i].channel,
						       cases[i].target,
						       cases[i].key,
						       cases[i].seq,
						       cases[i].payload,
						       &added, &e),
				 cases[i].want);
		assert_int_equal(added, 0);
	}
	assert_int_equal(store_deliver_pending(f->s, NULL, 5, &d, &n, &e), 0);
	assert_int_equal(n, 0);
}

static void
enqueue__no_scan_and_long_target_limits(void **state)
{
	struct fx *f = *state;
	struct errbuf e;
	char *big = xmalloc(PLUMB_DELIVERY_FIELD_MAX + 2);

	memset(big, 'a', PLUMB_DELIVERY_FIELD_MAX + 1);
	big[PLUMB_DELIVERY_FIELD_MAX + 1] = '\0';
	assert_int_equal(store_deliver_enqueue(f->s, "push", big, "k", 0, "p",
					       NULL, &e), PLUMB_ELIMIT);
	big[PLUMB_DELIVERY_FIELD_MAX] = '\0';
	assert_int_equal(store_deliver_enqueue(f->s, "push", big, "k", 0, "p",
					       NULL, &e), 0);
	free(big);
}

static void
pending__refuses_out_of_range_batch(void **state)
{
	struct fx *f = *state;
	struct store_delivery *d = NULL;
	struct errbuf e;
	size_t n = 0;

	assert_int_equal(store_deliver_pending(f->s, NULL, 0, &d, &n, &e),
			 PLUMB_EUSAGE);
	assert_int_equal(store_deliver_pending(f->s, NULL,
					       PLUMB_DELIVERY_BATCH_MAX + 1,
					       &d, &n, &e), PLUMB_EUSAGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(enqueue__same_triple_twice_is_one_row_keeping_the_first_payload),
		T(enqueue__same_key_on_other_channel_or_target_is_another_row),
		T(pending__lists_one_channel_oldest_first_and_bounded),
		T(pending__empty_queue_gives_null_and_zero),
		T(claim__only_the_first_of_two_listers_may_send),
		T(sent__row_is_never_listed_or_claimed_again),
		T(failed__keeps_row_pending_with_message_and_attempts),
		T(failed__long_message_is_cut_to_valid_utf8),
		T(sent_and_failed__unknown_id_is_enoent),
		T(enqueue__refuses_bad_arguments),
		T(enqueue__no_scan_and_long_target_limits),
		T(pending__refuses_out_of_range_batch),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
