/*
 * check_audit_diff.c — what an audit entry shows (lib/audit/diff.c): the
 * changed fields between two states, nested keys included; the one-line
 * summary; cutting long text at a character boundary.
 *
 * Table-driven: each row carries its __LINE__ and runs as its own loop
 * test, so a failure names the row that broke.
 */
#include <string.h>
#include <check.h>

#include "../check_run.h"

#include "audit/internal.h"

#define NROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

static void
put(void *p)
{
	json_object_put(p);
}

static json_object *
parse(arena *a, const char *s)
{
	json_object *o;

	if (s == NULL)
		return NULL;
	o = json_tokener_parse(s);
	ck_assert_msg(o != NULL, "bad JSON in the table: %s", s);
	ck_assert_int_eq(arena_defer(a, put, o), 0);
	return o;
}

/* before, after, and the changes as "path<mark>" joined by spaces:
 * + added, - removed, ~ changed. */
static const struct {
	int         line;
	const char *before, *after, *want;
} diffs[] = {
	{ __LINE__, NULL, "{\"a\":1,\"b\":\"x\"}", "a+ b+" },
	{ __LINE__, "{\"a\":1,\"b\":\"x\"}", "{\"a\":1,\"b\":\"x\"}", "" },
	{ __LINE__, "{\"a\":1,\"b\":\"x\"}", "{\"a\":2,\"b\":\"x\"}", "a~" },
	/* a top-level key the event left out is not removed: events may be partial */
	{ __LINE__, "{\"a\":1,\"b\":\"x\"}", "{\"a\":1}", "" },
	{ __LINE__, "{\"a\":1}", "{\"a\":1,\"c\":null}", "c+" },
	{ __LINE__, "{\"a\":null}", "{\"a\":null}", "" },
	{ __LINE__, "{\"a\":null}", "{\"a\":0}", "a~" },
	{ __LINE__, "{\"a\":\"1\"}", "{\"a\":1}", "a~" },
	/* nested objects key by key; a nested key lost is removed */
	{ __LINE__, "{\"addr\":{\"city\":\"Lyon\",\"zip\":\"69001\"}}",
	    "{\"addr\":{\"city\":\"Nice\",\"zip\":\"69001\"}}", "addr.city~" },
	{ __LINE__, "{\"addr\":{\"city\":\"Lyon\",\"zip\":\"69001\"}}",
	    "{\"addr\":{\"city\":\"Lyon\"}}", "addr.zip-" },
	{ __LINE__, "{\"m\":{\"n\":{\"o\":1}}}", "{\"m\":{\"n\":{\"o\":2,\"p\":3}}}", "m.n.o~ m.n.p+" },
	/* an object replacing a scalar (or the other way) is one change */
	{ __LINE__, "{\"m\":1}", "{\"m\":{\"n\":1}}", "m~" },
	/* arrays compare whole */
	{ __LINE__, "{\"t\":[1,2]}", "{\"t\":[1,2]}", "" },
	{ __LINE__, "{\"t\":[1,2]}", "{\"t\":[2,1]}", "t~" },
};

START_TEST(diff_rows)
{
	arena *a = arena_new(16 * 1024);
	audit_change *ch;
	size_t n;
	bool more;
	error e;
	char got[512] = "";

	err_clear(&e);
	ck_assert_int_eq(audit_diff(a, parse(a, diffs[_i].before), parse(a, diffs[_i].after), &ch,
	    &n, &more, &e), E_OK);
	for (size_t i = 0; i < n; i++) {
		char mark = ch[i].added ? '+' : ch[i].removed ? '-' : '~';
		size_t used = strlen(got);

		snprintf(got + used, sizeof got - used, "%s%s%c", i ? " " : "", ch[i].path, mark);
		/* the values are the compared objects' own */
		if (!ch[i].added && !ch[i].removed)
			ck_assert(!json_object_equal(ch[i].before, ch[i].after));
	}
	ck_assert_msg(strcmp(got, diffs[_i].want) == 0, "line %d: got \"%s\", want \"%s\"",
	    diffs[_i].line, got, diffs[_i].want);
	ck_assert(!more);
	arena_free(a);
}
END_TEST

START_TEST(diff_is_bounded)
{
	arena *a = arena_new(64 * 1024);
	json_object *after = json_object_new_object();
	audit_change *ch;
	size_t n;
	bool more;
	error e;

	ck_assert_int_eq(arena_defer(a, put, after), 0);
	for (int i = 0; i < AUDIT_DIFF_MAX + 7; i++) {
		char k[16];

		snprintf(k, sizeof k, "k%d", i);
		json_object_object_add(after, k, json_object_new_int(i));
	}
	err_clear(&e);
	ck_assert_int_eq(audit_diff(a, NULL, after, &ch, &n, &more, &e), E_OK);
	ck_assert_uint_eq(n, AUDIT_DIFF_MAX);
	ck_assert(more);
	/* a state that is not an object is refused, not compared */
	ck_assert_int_eq(audit_diff(a, NULL, NULL, &ch, &n, &more, &e), E_INTERNAL);
	arena_free(a);
}
END_TEST

/* ------------------------------------------------------------ summary */

static const struct {
	int         line;
	const char *type, *aggregate_type, *part, *before, *after, *want;
} summaries[] = {
	{ __LINE__, "ecommerce.campaign.created", "campaign", NULL, NULL,
	    "{\"name\":\"Winter\",\"priority\":1}", "Campaign “Winter” created" },
	{ __LINE__, "ecommerce.campaign.updated", "campaign", NULL, "{\"name\":\"Winter\",\"priority\":1}",
	    "{\"name\":\"Winter\",\"priority\":2}", "Campaign “Winter” updated: priority" },
	{ __LINE__, "ecommerce.campaign.updated", "campaign", NULL, "{\"name\":\"Winter\"}",
	    "{\"name\":\"Winter\"}", "Campaign “Winter” updated (nothing changed)" },
	{ __LINE__, "ecommerce.user.updated", "user", NULL, NULL, "{\"email\":\"a@b.c\",\"role\":\"admin\"}",
	    "User “a@b.c” updated (no earlier state known)" },
	{ __LINE__, "ecommerce.order.status_changed", "order", NULL, "{\"number\":\"EC-1\"}",
	    "{\"number\":\"EC-1\",\"to_status\":\"shipped\"}", "Order “EC-1” status changed: to_status" },
	/* another domain's event about this aggregate says whose */
	{ __LINE__, "ecommerce.inventory.updated", "variant", "BER-1", "{\"on_hand\":1}",
	    "{\"on_hand\":4}", "Variant 0a1b2c3d in BER-1 inventory updated: on_hand" },
	{ __LINE__, "ecommerce.product.updated", "product", NULL,
	    "{\"name\":\"P\",\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1}",
	    "{\"name\":\"P\",\"a\":2,\"b\":2,\"c\":2,\"d\":2,\"e\":2,\"f\":2,\"g\":2}",
	    "Product “P” updated: a, b, c, d, e (+2 more)" },
	/* a two-word aggregate reads as two words */
	{ __LINE__, "ecommerce.mail_template.updated", "mail_template", NULL,
	    "{\"name\":\"order-shipped\",\"subject\":null}",
	    "{\"name\":\"order-shipped\",\"subject\":\"S\"}",
	    "Mail template “order-shipped” updated: subject" },
};

START_TEST(summary_rows)
{
	arena *a = arena_new(16 * 1024);
	event ev;
	json_object *before = parse(a, summaries[_i].before), *after = parse(a, summaries[_i].after);
	audit_change *ch;
	size_t n;
	bool more;
	error e;
	const char *got;

	memset(&ev, 0, sizeof ev);
	ev.type = summaries[_i].type;
	ev.aggregate_type = summaries[_i].aggregate_type;
	ev.aggregate_id = "0a1b2c3d-0000-4000-8000-000000000000";
	ev.data = after;
	err_clear(&e);
	ck_assert_int_eq(audit_diff(a, before, after, &ch, &n, &more, &e), E_OK);
	got = audit_summary(a, &ev, after, summaries[_i].part, ch, n, before != NULL);
	ck_assert_msg(got != NULL && strcmp(got, summaries[_i].want) == 0,
	    "line %d: got \"%s\", want \"%s\"", summaries[_i].line, got, summaries[_i].want);
	arena_free(a);
}
END_TEST

START_TEST(clip_keeps_characters_whole)
{
	arena *a = arena_new(4096);

	ck_assert_str_eq(audit_clip(a, "short", 10), "short");
	ck_assert_str_eq(audit_clip(a, "abcdef", 3), "abc…");
	/* "é" is two bytes: a cut inside it goes back to before it */
	ck_assert_str_eq(audit_clip(a, "aé", 2), "a…");
	ck_assert_str_eq(audit_clip(a, "aéb", 3), "aé…");
	ck_assert_ptr_null(audit_clip(a, NULL, 3));
	arena_free(a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("audit_diff");
	TCase *tc = tcase_create("diff");

	tcase_add_loop_test(tc, diff_rows, 0, NROWS(diffs));
	tcase_add_test(tc, diff_is_bounded);
	tcase_add_loop_test(tc, summary_rows, 0, NROWS(summaries));
	tcase_add_test(tc, clip_keeps_characters_whole);
	suite_add_tcase(s, tc);
	return check_run(s);
}
