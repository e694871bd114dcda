/*
 * check_event.c — the event envelope reader and the consumer helpers
 * (lib/events/events.h: event_parse, event_is, consumer_wants).
 *
 * Table-driven: each row carries its __LINE__ and runs as its own loop
 * test, so a failure names the row that broke.
 */
#include <stdbool.h>
#include <string.h>
#include <check.h>

#include "../check_run.h"

#include "events/events.h"

#define NROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

#define ID  "\"event_id\":\"0b6f3c2e-4a1d-4f7e-9c3b-2d5e8f1a7b90\","
#define AGG "\"aggregate_id\":\"5c1e9a7d-3b2f-4e8a-b6d4-9f0c2a1e3d57\"," \
	"\"aggregate_type\":\"order\","
#define REST "\"source\":\"orders\",\"timestamp\":\"2026-11-24T10:00:00Z\""

static const struct {
	int         line;
	const char *json;
	const char *error;	/* NULL: parses */
} rows[] = {
	{ __LINE__, "{" ID AGG REST ",\"event_type\":\"ecommerce.order.created\",\"data\":{}}", NULL },
	{ __LINE__, "{" ID AGG REST ",\"event_type\":\"ecommerce.order.created\",\"data\":{},"
	    "\"correlation_id\":null,\"metadata\":{}}", NULL },
	{ __LINE__, "{" ID AGG REST ",\"event_type\":\"ecommerce.order.created\",\"data\":{},"
	    "\"correlation_id\":7}", "event \"correlation_id\" is not a string" },
	{ __LINE__, "{" AGG REST ",\"event_type\":\"ecommerce.order.created\",\"data\":{}}",
	    "event has no string \"event_id\"" },
	{ __LINE__, "{" ID AGG REST ",\"event_type\":3,\"data\":{}}",
	    "event has no string \"event_type\"" },
	{ __LINE__, "{" ID AGG REST ",\"event_type\":\"ecommerce.order.created\",\"data\":[]}",
	    "event has no object \"data\"" },
	{ __LINE__, "{" ID AGG REST ",\"event_type\":\"order.created\",\"data\":{}}",
	    "event_type must start with \"ecommerce.\"" },
	{ __LINE__, "{\"event_id\":\"nope\"," AGG REST ",\"event_type\":\"ecommerce.order.created\","
	    "\"data\":{}}", "event_id and aggregate_id must be UUIDs" },
	{ __LINE__, "{" ID AGG REST ",\"event_type\":\"ecommerce.order.created\",\"data\":{}} x",
	    "event is not a JSON object" },
	{ __LINE__, "[1,2]", "event is not a JSON object" },
	{ __LINE__, "", "event is not a JSON object" },
};

START_TEST(parse_rows)
{
	arena *a = arena_new(4096);
	const char *json = rows[_i].json;
	event ev;
	error e;
	ecode rc;

	ck_assert_ptr_nonnull(a);
	err_clear(&e);
	rc = event_parse(a, json, strlen(json), &ev, &e);
	if (rows[_i].error == NULL) {
		ck_assert_msg(rc == E_OK, "line %d: %s", rows[_i].line, e.message);
		ck_assert_str_eq(ev.type, "ecommerce.order.created");
		ck_assert_str_eq(ev.aggregate_type, "order");
		ck_assert_str_eq(ev.source, "orders");
		ck_assert_ptr_null(ev.correlation_id);
		ck_assert_str_eq(ev.payload, json);
		ck_assert(event_is(&ev, "order.created"));
		ck_assert(!event_is(&ev, "order.create"));
		ck_assert(!event_is(&ev, "ecommerce.order.created"));
	} else {
		ck_assert_msg(rc == E_INVALID_INPUT, "line %d: %d", rows[_i].line, rc);
		ck_assert_msg(strcmp(e.message, rows[_i].error) == 0, "line %d: %s", rows[_i].line,
		    e.message);
	}
	arena_free(a);
}
END_TEST

START_TEST(oversized_envelope_is_refused_before_parsing)
{
	arena *a = arena_new(4096);
	event ev;
	error e;

	err_clear(&e);
	/* the length alone decides: the bytes are never read */
	ck_assert_int_eq(event_parse(a, "{}", EVENT_PAYLOAD_MAX + 1, &ev, &e), E_INVALID_INPUT);
	ck_assert_ptr_nonnull(strstr(e.message, "at most"));
	arena_free(a);
}
END_TEST

START_TEST(consumer_wants_only_its_topics)
{
	static const char *const topics[] = { "ecommerce.order.created", "ecommerce.user.updated",
		NULL };
	const consumer c = { "test", topics, NULL };

	ck_assert(consumer_wants(&c, "ecommerce.order.created"));
	ck_assert(consumer_wants(&c, "ecommerce.user.updated"));
	ck_assert(!consumer_wants(&c, "ecommerce.order.created2"));
	ck_assert(!consumer_wants(&c, "order.created"));
	/* every topic a consumer may name is in the platform's list */
	for (const char *const *t = topics; *t != NULL; t++) {
		bool found = false;

		for (const char *const *k = event_topics; *k != NULL; k++)
			found |= strcmp(*k, *t) == 0;
		ck_assert_msg(found, "%s", *t);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("event");
	TCase *tc = tcase_create("envelope");

	tcase_add_loop_test(tc, parse_rows, 0, NROWS(rows));
	tcase_add_test(tc, oversized_envelope_is_refused_before_parsing);
	tcase_add_test(tc, consumer_wants_only_its_topics);
	suite_add_tcase(s, tc);
	return check_run(s);
}
