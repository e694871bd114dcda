/*
 * check_audit_coverage.c — every state-changing route of the admin panel
 * leaves an audit entry (docs/DECISIONS.md, entry 29 and the coverage
 * entry): a table lists each POST route of `admin.fcgi --routes`, with a
 * driver that makes one real change through the panel as a signed-in
 * admin (cookies, CSRF, forms) — or, for the few that change no shop
 * state (signing in and out), the reason it is exempt.  Each driver's
 * change must become an entry naming the admin's e-mail, the entity and
 * the data after (and before, where the log had seen the entity) once
 * the relay has run in this process, as in check_audit.c.  A POST route
 * the table does not list fails the suite, so a new route cannot skip
 * the audit log.  Without ECOM_TEST_BASE_URL, ECOM_CONFIG or
 * ECOM_TEST_ECOMCTL the suite is skipped with 77.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <check.h>

#include "../check_run.h"
#include "../../workers/consumers.h"
#include "auth/totp.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/util.h"
#include "core/view.h"
#include "events/events.h"
#include "http_client.h"

static arena *a;
static char run_tag[32], admin_email[128], password[64], *admin_id, *admin_tok;

#define JAR_MAX 16

typedef struct jar {
	char name[JAR_MAX][64];
	char value[JAR_MAX][1024];
	int  n;
} jar;

static void
jar_store(jar *j, const char *line)
{
	const char *eq = strchr(line, '='), *end;
	size_t nn, vn;
	int i;

	if (eq == NULL || (nn = (size_t)(eq - line)) == 0 || nn >= sizeof j->name[0])
		return;
	end = eq + 1 + strcspn(eq + 1, ";\r\n");
	vn = (size_t)(end - eq - 1);
	ck_assert_uint_lt(vn, sizeof j->value[0]);
	for (i = 0; i < j->n && (strlen(j->name[i]) != nn || strncmp(j->name[i], line, nn) != 0); i++)
		;
	if (vn == 0 || strcasestr(end, "max-age=0") != NULL) {
		if (i < j->n && i != --j->n) {
			strcpy(j->name[i], j->name[j->n]);
			strcpy(j->value[i], j->value[j->n]);
		}
		return;
	}
	if (i == j->n) {
		ck_assert_int_lt(j->n, JAR_MAX);
		j->n++;
	}
	memcpy(j->name[i], line, nn);
	j->name[i][nn] = '\0';
	memcpy(j->value[i], eq + 1, vn);
	j->value[i][vn] = '\0';
}

/* One request as the browser of `j`; a POST body is a url-encoded form
 * unless ctype says otherwise.  A made-up client address keeps this
 * suite's rate-limit buckets apart from the others'. */
static http_result *
browse_as(jar *j, const char *method, const char *path, const char *body, const char *ctype)
{
	char cookie[8192] = "Cookie: ", ct[256];
	const char *hdrs[4] = { "X-Forwarded-For: 10.77.7.61", NULL, NULL, NULL };
	size_t used = strlen(cookie);
	int nh = 1;
	http_result *r;

	for (int i = 0; i < j->n; i++)
		used += (size_t)snprintf(cookie + used, sizeof cookie - used, "%s%s=%s",
		    i > 0 ? "; " : "", j->name[i], j->value[i]);
	ck_assert_uint_lt(used, sizeof cookie);
	if (j->n > 0)
		hdrs[nh++] = cookie;
	if (body != NULL) {
		snprintf(ct, sizeof ct, "Content-Type: %s",
		    ctype != NULL ? ctype : "application/x-www-form-urlencoded");
		hdrs[nh++] = ct;
	}
	r = http_do(test_base_url(), method, path, body, hdrs);
	for (const char *p = r->headers; p != NULL && *p != '\0'; ) {
		if (strncmp(p, "set-cookie:", 11) == 0) {
			const char *v = p + 11;

			while (*v == ' ')
				v++;
			jar_store(j, v);
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return r;
}

static http_result *
browse(jar *j, const char *method, const char *path, const char *form)
{
	return browse_as(j, method, path, form, NULL);
}

/* The csrf_token field of a page (static buffer). */
static const char *
csrf_of(const http_result *r)
{
	static char tok[128];
	const char *p = strstr(r->body, "name=\"csrf_token\" value=\"");
	size_t n;

	ck_assert_msg(p != NULL, "no csrf_token field in: %.400s", r->body);
	p += strlen("name=\"csrf_token\" value=\"");
	n = strcspn(p, "\"");
	ck_assert_uint_lt(n, sizeof tok);
	memcpy(tok, p, n);
	tok[n] = '\0';
	return tok;
}

/* A fresh page's token (GET path first). */
static const char *
token_for(jar *j, const char *path)
{
	http_result *r = browse(j, "GET", path, NULL);
	const char *t;

	ck_assert_msg(r->status == 200, "GET %s: %ld %.300s", path, r->status, r->body);
	t = csrf_of(r);
	http_result_free(r);
	return t;
}


/* The admin's browser, signed in once for the suite. */
static jar admin_jar;

/* Test plumbing, not application code: fixed SQL through plain libpq. */
static const char *
sql(const char *s)
{
	error e;
	db_conn *c;
	PGresult *r;
	const char *v;

	err_clear(&e);
	c = db_for("audit", &e);
	ck_assert_msg(c != NULL, "no database: %s", e.message);
	r = PQexec(db_pg(c), s);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK,
	    "%s: %s", s, PQerrorMessage(db_pg(c)));
	v = PQntuples(r) >= 1 && !PQgetisnull(r, 0, 0) ? arena_strdup(a, PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	return v;
}

static long long
sql_int(const char *s)
{
	const char *v = sql(s);
	int64_t n;

	ck_assert_msg(v != NULL, "no value: %s", s);
	ck_assert_msg(parse_i64(v, INT64_MIN, INT64_MAX, &n) == 0, "not a number: %s", v);
	return n;
}



static char *
make_account(const char *email, const char *role_s, const char *secret)
{
	char cmd[1024], *id;

	snprintf(password, sizeof password, "Coverage-lamp-%d-harbour", (int)getpid());
	snprintf(cmd, sizeof cmd, "printf '%%s\\n' '%s' | '%s' user create --email '%s' --role %s"
	    " --first-name Cover --last-name Age%s%s", password, getenv("ECOM_TEST_ECOMCTL"),
	    email, role_s, secret ? " --totp-secret " : "", secret ? secret : "");
	id = run_capture(cmd);
	ck_assert_msg(id != NULL && strlen(id) == 36, "ecomctl user create failed: %s", cmd);
	return id;
}

/* A JSON API call as the holder of tok. */
static http_result *
api(const char *method, const char *path, const char *tok, const char *body)
{
	char auth[4096];
	const char *hdrs[4] = { "X-Forwarded-For: 198.51.100.61", NULL, NULL, NULL };
	int n = 1;

	if (tok != NULL) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
		hdrs[n++] = auth;
	}
	if (body != NULL)
		hdrs[n++] = "Content-Type: application/json";
	return http_do(test_base_url(), method, path, body, hdrs);
}

/* POST form (url-encoded, without the token) to path as the admin; the
 * status must be a 303 (the panel's "done"). */
static void
post_form(const char *path, const char *form)
{
	const char *tok = token_for(&admin_jar, "/admin");
	http_result *r = browse(&admin_jar, "POST", path, arena_printf(a, "csrf_token=%s%s%s",
	    url_encode(a, tok), form[0] ? "&" : "", form));

	ck_assert_msg(r->status == 303, "POST %s: status %ld: %.600s", path, r->status,
	    r->body ? strstr(r->body, "<main") ? strstr(r->body, "<main") : r->body : "");
	http_result_free(r);
}

static void
sign_in_admin(void)
{
	char secret[TOTP_SECRET_B32_MAX], body[512];
	http_result *r;

	ck_assert_int_eq(totp_secret_new(secret), 0);
	admin_id = make_account(admin_email, "admin", secret);
	r = browse(&admin_jar, "GET", "/admin/login", NULL);
	ck_assert_int_eq(r->status, 200);
	snprintf(body, sizeof body, "csrf_token=%s&next=%%2Fadmin&email=%s&password=%s",
	    url_encode(a, csrf_of(r)), url_encode(a, admin_email), password);
	http_result_free(r);
	r = browse(&admin_jar, "POST", "/admin/login", body);
	ck_assert_int_eq(r->status, 303);
	http_result_free(r);
	r = browse(&admin_jar, "GET", "/admin/login/code?next=%2Fadmin", NULL);
	ck_assert_int_eq(r->status, 200);
	snprintf(body, sizeof body, "csrf_token=%s&next=%%2Fadmin&code=%06d",
	    url_encode(a, csrf_of(r)), totp_code(secret, time(NULL)));
	http_result_free(r);
	r = browse(&admin_jar, "POST", "/admin/login/code", body);
	ck_assert_int_eq(r->status, 303);
	http_result_free(r);
}

/* ------------------------------------------------------------ the changes */

/* What a driver changed: the entry to find. */
typedef struct change {
	const char *schema;		/* whose outbox has the event ("catalog") */
	const char *event_type;		/* without "ecommerce." */
	const char *aggregate_type;
	const char *aggregate_id;
	bool        before_known;	/* the log had seen the entity */
	bool        direct;		/* written without an event (no relay needed) */
} change;

static const char *
fresh_name(const char *what)
{
	static int k;

	return arena_printf(a, "Cov %s %s %d", what, run_tag, ++k);
}

static const char *
banner_form(const char *title)
{
	return arena_printf(a, "title=%s&subtitle=&image_url=%s&link_url=%s&link_type=external&position=hero"
	    "&sort_order=3&active=1&starts_at=&ends_at=", url_encode(a, title),
	    url_encode(a, "https://cdn.example.com/banner.png"),
	    url_encode(a, "https://www.example.com/sale"));
}

static const char *
new_banner(void)
{
	const char *title = fresh_name("banner"), *id;

	post_form("/admin/banners", banner_form(title));
	id = sql(arena_printf(a, "SELECT id FROM catalog.banners WHERE title = '%s'", title));
	ck_assert_msg(id != NULL, "the banner %s was not made", title);
	return id;
}

static void
banner_create(change *c)
{
	*c = (change){ "catalog", "banner.created", "banner", new_banner(), false, false };
}

static void
banner_update(change *c)
{
	const char *id = new_banner();

	post_form(arena_printf(a, "/admin/banners/%s", id), banner_form(fresh_name("renamed")));
	*c = (change){ "catalog", "banner.updated", "banner", id, true, false };
}

static void
banner_delete(change *c)
{
	const char *id = new_banner();

	post_form(arena_printf(a, "/admin/banners/%s/delete", id), "");
	*c = (change){ "catalog", "banner.deleted", "banner", id, true, false };
}

/* A customer's review of a published product, through the API. */
static void
review_status(change *c)
{
	const char *email = arena_printf(a, "cov-rev-%s@example.com", run_tag), *pid, *rid;
	char *cust = make_account(email, "customer", NULL), *tok = mint_token("customer", cust);
	http_result *r;

	pid = sql("SELECT id FROM catalog.products WHERE status = 'published' ORDER BY created_at"
	    " LIMIT 1");
	ck_assert_ptr_nonnull(pid);
	r = api("POST", arena_printf(a, "/api/v1/products/%s/reviews", pid), tok,
	    "{\"rating\":4,\"title\":\"Coverage\",\"body\":\"Sturdy enough.\"}");
	ck_assert_msg(r->status == 201, "%ld %.300s", r->status, r->body);
	rid = arena_strdup(a, jstr(r->json, "data.id"));
	http_result_free(r);
	post_form(arena_printf(a, "/admin/reviews/%s/status", rid), "status=rejected&back=");
	*c = (change){ "catalog", "review.updated", "review", rid, true, false };
	free(tok);
	free(cust);
}

static const char *
new_campaign(void)
{
	http_result *r = api("POST", "/api/v1/campaigns", admin_tok, arena_printf(a,
	    "{\"name\":\"%s\",\"type\":\"percentage\",\"discount_value\":500,"
	    "\"start_date\":\"2030-01-01T00:00:00Z\",\"end_date\":\"2031-01-01T00:00:00Z\"}",
	    fresh_name("campaign")));
	const char *id;

	ck_assert_msg(r->status == 201, "%ld %.300s", r->status, r->body);
	id = arena_strdup(a, jstr(r->json, "data.id"));
	http_result_free(r);
	return id;
}

static const char *
new_rule(const char **campaign)
{
	const char *x = new_campaign(), *y = new_campaign(), *id;

	post_form(arena_printf(a, "/admin/campaigns/%s/stacking-rules", x),
	    arena_printf(a, "campaign_id=%s&rule=forbidden", y));
	id = sql(arena_printf(a, "SELECT id FROM campaigns.stacking_rules WHERE campaign_a = '%s'", x));
	ck_assert_ptr_nonnull(id);
	*campaign = x;
	return id;
}

static void
rule_add(change *c)
{
	const char *x;

	*c = (change){ "campaigns", "stacking_rule.created", "stacking_rule", new_rule(&x), false, false };
}

static void
rule_delete(change *c)
{
	const char *x, *id = new_rule(&x);

	post_form(arena_printf(a, "/admin/campaigns/stacking-rules/%s/delete", id),
	    arena_printf(a, "campaign_id=%s", x));
	*c = (change){ "campaigns", "stacking_rule.deleted", "stacking_rule", id, true, false };
}

static void
order_note(change *c)
{
	/* a canceled order of its own (earns nothing, so no figure moves);
	 * year 2000 numbers are never issued by the shop */
	const char *id = sql("INSERT INTO orders.orders (id, number, checkout_id, email, status,"
	    " currency, subtotal, total, ship_full_name, ship_line1, ship_city, ship_postal_code,"
	    " ship_country) SELECT gen_random_uuid(), 'EC-2000-' ||"
	    " lpad((random() * 999999999)::bigint::text, 9, '0'), 'cov-' || gen_random_uuid(),"
	    " 'cov@admin-test.example', 'canceled', 'EUR', 100, 100, 'Cover Age', '1 Audit St',"
	    " 'Log', '12345', 'FR' RETURNING id");

	ck_assert_msg(id != NULL, "the order insert failed");
	post_form(arena_printf(a, "/admin/orders/%s/notes", id),
	    arena_printf(a, "body=%s", url_encode(a, fresh_name("note"))));
	*c = (change){ "orders", "order.note_added", "order", id, false, false };
}

static const char *
template_event_id(void)
{
	const char *id = sql("SELECT aggregate_id FROM notifications.outbox WHERE event_type ="
	    " 'ecommerce.mail_template.updated' AND payload->'data'->>'name' = 'order-shipped'"
	    " ORDER BY seq DESC LIMIT 1");

	ck_assert_ptr_nonnull(id);
	return id;
}

static void
template_save(change *c)
{
	post_form("/admin/mail/templates/order-shipped", arena_printf(a,
	    "subject=%s&txt=&html=", url_encode(a, "Shipped: {{order_number}} (cov)")));
	*c = (change){ "notifications", "mail_template.updated", "mail_template", template_event_id(), false, false };
}

static void
template_reset(change *c)
{
	change first;

	template_save(&first);
	post_form("/admin/mail/templates/order-shipped/reset", "");
	*c = (change){ "notifications", "mail_template.updated", "mail_template", template_event_id(), true, false };
}

/* A dead letter parked here, as a consumer that gave up would. */
static void
event_replay(change *c)
{
	char eid[37];
	const char *payload, *id;
	event ev;
	error e;

	ck_assert_int_eq(uuid_v4(eid), 0);
	payload = arena_printf(a, "{\"event_id\":\"%s\",\"event_type\":\"ecommerce.user.updated\","
	    "\"aggregate_id\":\"%s\",\"aggregate_type\":\"user\",\"version\":1,"
	    "\"timestamp\":\"2026-01-01T00:00:00Z\",\"source\":\"users\",\"correlation_id\":null,"
	    "\"data\":{},\"metadata\":{\"actor_id\":null,\"actor_role\":\"system\"}}", eid, admin_id);
	err_clear(&e);
	ck_assert_int_eq(event_parse(a, payload, strlen(payload), &ev, &e), E_OK);
	ck_assert_msg(dead_letter_park(a, &ev, "coverage-test", "parked by the test", 3, &e) == E_OK,
	    "%s", e.message);
	id = sql(arena_printf(a, "SELECT id FROM events.dead_letters WHERE event_id = '%s'", eid));
	ck_assert_ptr_nonnull(id);
	post_form(arena_printf(a, "/admin/events/%s/replay", id), "");
	*c = (change){ NULL, "dead_letter.replay_requested", "dead_letter", id, true, true };
}

/* ------------------------------------------------------------ the table */

typedef struct coverage {
	const char *route;		/* "POST /admin/banners", as --routes prints it */
	void (*drive)(change *);	/* NULL: exempt or not driven here, see why */
	const char *why;
} coverage;

#define EXEMPT(route, why) { route, NULL, why }
#define ELSEWHERE(route, where) { route, NULL, "recorded through its domain's event; driven in " where }

static const coverage table[] = {
	EXEMPT("POST /admin/login", "signing in changes no shop state (sessions are not audited)"),
	EXEMPT("POST /admin/login/code", "signing in changes no shop state"),
	EXEMPT("POST /admin/logout", "signing out changes no shop state"),
	ELSEWHERE("POST /admin/2fa/enrol", "check_admin (user.updated, own account)"),
	ELSEWHERE("POST /admin/users/{id}", "check_audit (user.updated)"),
	ELSEWHERE("POST /admin/inventory/{productId}/{variantId}", "check_audit (inventory.updated)"),
	ELSEWHERE("POST /admin/warehouses", "check_admin_shop (inventory.updated, warehouse)"),
	ELSEWHERE("POST /admin/warehouses/{id}", "check_admin_shop (inventory.updated, warehouse)"),
	ELSEWHERE("POST /admin/campaigns/new", "check_audit (campaign.created)"),
	ELSEWHERE("POST /admin/campaigns/{id}", "check_audit (campaign.updated)"),
	ELSEWHERE("POST /admin/campaigns/{id}/pause", "check_campaigns (campaign.updated)"),
	{ "POST /admin/campaigns/{id}/stacking-rules", rule_add, NULL },
	{ "POST /admin/campaigns/stacking-rules/{ruleId}/delete", rule_delete, NULL },
	ELSEWHERE("POST /admin/products/new", "check_audit (product.created)"),
	ELSEWHERE("POST /admin/products/{id}", "check_admin_catalog (product.updated)"),
	ELSEWHERE("POST /admin/products/{id}/status", "check_admin_catalog (product.updated)"),
	ELSEWHERE("POST /admin/products/{id}/archive", "check_admin_catalog (product.updated)"),
	ELSEWHERE("POST /admin/products/{id}/variants", "check_admin_catalog (product.updated)"),
	ELSEWHERE("POST /admin/products/{id}/variants/{vid}", "check_admin_catalog (product.updated)"),
	ELSEWHERE("POST /admin/products/{id}/variants/{vid}/delete",
	    "check_admin_catalog (product.updated)"),
	ELSEWHERE("POST /admin/products/{id}/images", "check_media (media.uploaded)"),
	ELSEWHERE("POST /admin/products/{id}/images/{iid}", "check_admin_catalog (product.updated)"),
	ELSEWHERE("POST /admin/products/{id}/images/{iid}/delete", "check_media (media.deleted)"),
	ELSEWHERE("POST /admin/categories", "check_search (category.created)"),
	ELSEWHERE("POST /admin/categories/{id}", "check_search (category.updated)"),
	ELSEWHERE("POST /admin/categories/{id}/move", "check_search (category.updated)"),
	ELSEWHERE("POST /admin/categories/{id}/delete", "check_search (category.deleted)"),
	ELSEWHERE("POST /admin/brands", "check_search (brand.created)"),
	ELSEWHERE("POST /admin/brands/{id}", "check_search (brand.updated)"),
	ELSEWHERE("POST /admin/brands/{id}/delete", "check_search (brand.deleted)"),
	{ "POST /admin/banners", banner_create, NULL },
	{ "POST /admin/banners/{id}", banner_update, NULL },
	{ "POST /admin/banners/{id}/delete", banner_delete, NULL },
	{ "POST /admin/reviews/{id}/status", review_status, NULL },
	ELSEWHERE("POST /admin/catalog/import", "check_admin_catalog (product.created per row)"),
	ELSEWHERE("POST /admin/orders/{id}/status", "check_orders (order.status_changed)"),
	ELSEWHERE("POST /admin/orders/{id}/refund", "check_payments (payment.refunded)"),
	{ "POST /admin/orders/{id}/notes", order_note, NULL },
	{ "POST /admin/events/{id}/replay", event_replay, NULL },
	{ "POST /admin/mail/templates/{name}", template_save, NULL },
	{ "POST /admin/mail/templates/{name}/reset", template_reset, NULL },
	ELSEWHERE("POST /admin/mail/{id}/retry", "check_notifications (notification.retried)"),
	ELSEWHERE("POST /admin/settings", "check_settings (settings.updated)"),
};
#define NTABLE ((int)(sizeof table / sizeof table[0]))

/* Run the relay until the admin's entry of c exists (or give up). */
static void
assert_entry(const change *c)
{
	const char *where = arena_printf(a, "FROM audit.entries WHERE actor_email = '%s'"
	    " AND event_type = '%s' AND aggregate_type = '%s' AND aggregate_id = '%s'",
	    admin_email, c->event_type, c->aggregate_type, c->aggregate_id), *q;

	/* the entry of this very change: its event's id (the newest about it) */
	if (!c->direct) {
		const char *ev = sql(arena_printf(a, "SELECT id FROM %s.outbox WHERE aggregate_id ="
		    " '%s' AND event_type = 'ecommerce.%s' ORDER BY seq DESC LIMIT 1", c->schema,
		    c->aggregate_id, c->event_type));

		ck_assert_msg(ev != NULL, "no %s event about %s in %s.outbox", c->event_type,
		    c->aggregate_id, c->schema);
		where = arena_printf(a, "%s AND id = '%s'", where, ev);
	}
	q = arena_printf(a, "SELECT count(*) %s", where);

	for (int round = 0; round < 100 && !c->direct && sql_int(q) == 0; round++) {
		relay_opts o = { 100, 0, false, NULL };
		relay_stats st = { 0, 0, 0, 0 };
		event_sink *s;
		error e;

		err_clear(&e);
		ck_assert_msg((s = event_sink_embedded(worker_consumers, &e)) != NULL, "%s", e.message);
		ck_assert_msg(relay_run(s, &o, &st, &e) == E_OK, "relay: %s", e.message);
		s->close(s);
		if (sql_int(q) == 0)
			usleep(100 * 1000);
	}
	ck_assert_msg(sql_int(q) >= 1, "no audit entry: %s", where);
	ck_assert_str_eq(sql(arena_printf(a, "SELECT actor_role %s LIMIT 1", where)), "admin");
	ck_assert_ptr_nonnull(sql(arena_printf(a, "SELECT after::text %s LIMIT 1", where)));
	ck_assert_ptr_nonnull(sql(arena_printf(a, "SELECT summary %s LIMIT 1", where)));
	if (c->before_known)
		ck_assert_msg(sql(arena_printf(a, "SELECT before::text %s AND before IS NOT NULL"
		    " LIMIT 1", where)) != NULL, "no before: %s", where);
}

START_TEST(each_driven_route_leaves_an_entry)
{
	change c;

	if (table[_i].drive == NULL)
		return;
	memset(&c, 0, sizeof c);
	table[_i].drive(&c);
	assert_entry(&c);
}
END_TEST

/* Every POST row of the route table is in the table above, and nothing
 * the table lists is gone from it. */
START_TEST(every_admin_post_route_is_listed)
{
	char cmd[512], *out, *line, *save = NULL;
	int listed = 0;

	snprintf(cmd, sizeof cmd, "'%s/admin.fcgi' --routes | awk '$1 == \"POST\" {print $1\" \"$2}'",
	    getenv("ECOM_TEST_BIN"));
	out = run_capture(cmd);
	ck_assert_msg(out != NULL && out[0] != '\0', "no routes from %s", cmd);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		bool found = false;

		for (int i = 0; i < NTABLE && !found; i++)
			found = strcmp(table[i].route, line) == 0;
		ck_assert_msg(found, "%s is not in check_audit_coverage's table: make it leave an"
		    " audit entry (an event with the actor) and add a row", line);
		listed++;
	}
	free(out);
	ck_assert_int_eq(listed, NTABLE);
}
END_TEST

static void
setup_once(void)
{
	ck_assert_int_eq(config_init(), 0);
	log_init("check_audit_coverage", "error");
	a = arena_new(256 * 1024);
	snprintf(run_tag, sizeof run_tag, "%ld%d", (long)time(NULL) % 100000000, (int)getpid() % 10000);
	snprintf(admin_email, sizeof admin_email, "cov-%s@admin-test.example", run_tag);
	sign_in_admin();
	admin_tok = mint_token("admin", admin_id);
	ck_assert_ptr_nonnull(admin_tok);
	arena_free(a);
}

static void
setup(void)
{
	a = arena_new(256 * 1024);
	ck_assert_ptr_nonnull(a);
}

static void
teardown(void)
{
	arena_free(a);
	db_close_all();
}

int
main(void)
{
	Suite *s;
	TCase *tc;

	if (test_base_url() == NULL || getenv("ECOM_CONFIG") == NULL ||
	    getenv("ECOM_TEST_ECOMCTL") == NULL || getenv("ECOM_TEST_BIN") == NULL) {
		puts("SKIP: ECOM_TEST_BASE_URL / ECOM_CONFIG / ECOM_TEST_ECOMCTL / ECOM_TEST_BIN not set");
		return 77;
	}
	s = suite_create("audit_coverage");
	tc = tcase_create("audit_coverage");
	tcase_add_unchecked_fixture(tc, setup_once, NULL);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_admin_post_route_is_listed);
	tcase_add_loop_test(tc, each_driven_route_leaves_an_entry, 0, NTABLE);
	suite_add_tcase(s, tc);
	return check_run(s);
}
