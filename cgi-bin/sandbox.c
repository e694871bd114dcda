/*
 * sandbox.c — the built-in sandbox card processor, /sandbox/v1 (FastCGI).
 *
 * It plays a remote card processor so that lib/payment meets real network
 * behaviour: answers by card number like the well-known test cards
 * (4242 4242 4242 4242 authorizes, ...0002 is declined, ...9995 has
 * insufficient funds, ...0119 is a processing error, ...0077 authorizes
 * but answers only after longer than the client's timeout), checks Luhn,
 * expiry and CVC, and keeps its own ledger in schema `sandbox` keyed by
 * the merchant's idempotency key, so a replayed request finds the first
 * answer.  Every change records the webhook event it would send; outside
 * prod, GET /sandbox/v1/events?payment=<id or key> hands them out signed
 * (ECOM_PAYMENT_WEBHOOK_SECRET) for tests to deliver.  Card numbers are
 * read, judged and dropped: the ledger keeps brand and last four.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/app.h"
#include "core/config.h"
#include "core/db.h"
#include "core/json.h"
#include "core/parse.h"
#include "core/util.h"
#include "payment/provider.h"
#include "settings/settings.h"

#define SMALL (16 * 1024)

#define AUTH_JSON "jsonb_build_object('id', id, 'idempotency_key', idempotency_key," \
	" 'status', status, 'amount', amount, 'currency', currency, 'captured_amount'," \
	" captured_amount, 'refunded_amount', refunded_amount, 'brand', brand, 'last4', last4," \
	" 'decline_code', decline_code, 'message', message, 'version', version)"
/* The event of a change, written by the same statement as the change. */
#define EVENT_OF(src) " INSERT INTO sandbox.events (id, authorization_id, type, payload)" \
	" SELECT e.id, s.id, 'authorization.' || s.status, jsonb_build_object('id', e.id," \
	" 'type', 'authorization.' || s.status, 'created', floor(extract(epoch FROM now()))::bigint," \
	" 'data', s.j) FROM " src " s CROSS JOIN LATERAL (SELECT 'evt_' ||" \
	" substr(md5(gen_random_uuid()::text), 1, 24) AS id) e"

static db_stmt auth_insert_stmt = DB_STMT("sandbox_auth_insert",
    "WITH ins AS (INSERT INTO sandbox.authorizations (id, idempotency_key, amount, currency,"
    " status, brand, last4, decline_code, message) VALUES ($1::text, $2::text, $3::bigint,"
    " $4::text, $5::text, $6::text, $7::text, $8::text, $9::text)"
    " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, status, " AUTH_JSON " AS j),"
    " ev AS (" EVENT_OF("ins") ") SELECT j::text FROM ins", 9);
static db_stmt auth_by_key_stmt = DB_STMT("sandbox_auth_by_key",
    "SELECT " AUTH_JSON "::text, status FROM sandbox.authorizations WHERE idempotency_key = $1::text", 1);
static db_stmt auth_get_stmt = DB_STMT("sandbox_auth_get",
    "SELECT " AUTH_JSON "::text, status FROM sandbox.authorizations WHERE id = $1::text", 1);
static db_stmt capture_stmt = DB_STMT("sandbox_capture",
    "WITH u AS (UPDATE sandbox.authorizations SET status = 'captured', captured_amount = $2::bigint,"
    " version = version + 1, updated_at = now() WHERE id = $1::text AND status = 'authorized'"
    " AND $2::bigint BETWEEN 1 AND amount RETURNING id, status, " AUTH_JSON " AS j),"
    " ev AS (" EVENT_OF("u") ") SELECT j::text FROM u", 2);
static db_stmt void_stmt = DB_STMT("sandbox_void",
    "WITH u AS (UPDATE sandbox.authorizations SET status = 'voided', version = version + 1,"
    " updated_at = now() WHERE id = $1::text AND status = 'authorized'"
    " RETURNING id, status, " AUTH_JSON " AS j),"
    " ev AS (" EVENT_OF("u") ") SELECT j::text FROM u", 1);
static db_stmt refund_stmt = DB_STMT("sandbox_refund",
    "WITH u AS (UPDATE sandbox.authorizations SET refunded_amount = refunded_amount + $2::bigint,"
    " status = CASE WHEN refunded_amount + $2::bigint = captured_amount THEN 'refunded'"
    " ELSE 'partially_refunded' END, version = version + 1, updated_at = now()"
    " WHERE id = $1::text AND status IN ('captured', 'partially_refunded')"
    " AND refunded_amount + $2::bigint <= captured_amount RETURNING id, status, " AUTH_JSON " AS j),"
    " r AS (INSERT INTO sandbox.refunds (id, authorization_id, idempotency_key, amount)"
    " SELECT $4::text, id, $3::text, $2::bigint FROM u),"
    " ev AS (" EVENT_OF("u") ") SELECT j::text FROM u", 4);
static db_stmt refund_by_key_stmt = DB_STMT("sandbox_refund_by_key",
    "SELECT r.id, r.amount, r.authorization_id FROM sandbox.refunds r WHERE r.idempotency_key = $1::text", 1);
static db_stmt events_stmt = DB_STMT("sandbox_events",
    "SELECT e.payload::text FROM sandbox.events e JOIN sandbox.authorizations a"
    " ON a.id = e.authorization_id WHERE a.id = $1::text OR a.idempotency_key = $1::text"
    " ORDER BY e.created_at, e.id LIMIT 200", 1);

/* ------------------------------------------------------------ helpers */

static ecode
answer(request *req, response *res, int status, const char *json_text, error *e)
{
	json_object *o = json_tokener_parse(json_text);

	if (!o)
		return err_set(e, E_INTERNAL, "bad ledger row");
	json_reply(req, res, status, o);
	return E_OK;
}

static db_conn *
ledger(error *e)
{
	return db_for("sandbox", e);
}

/* "auth_" / "re_" + 24 hex digits from a random UUID. */
static const char *
new_id(arena *a, const char *prefix)
{
	char u[37], hex[25];
	size_t n = 0;

	if (uuid_v4(u) != 0)
		return NULL;
	for (size_t i = 0; u[i] && n < 24; i++)
		if (u[i] != '-')
			hex[n++] = u[i];
	hex[n] = '\0';
	return arena_printf(a, "%s%s", prefix, hex);
}

static bool
all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static const char *
exists_by_key(db_conn *c, arena *a, const char *key, error *e)
{
	const char *p[] = { key };
	PGresult *r = db_exec(c, a, &auth_by_key_stmt, p, e);

	return r && PQntuples(r) == 1 ? db_val(r, 0, 0) : NULL;
}

/* The processor's verdict on a card: NULL code = authorized. */
static void
judge(const char *num, const char *mm, const char *yy, const char *cvc, const char **code,
    const char **msg, bool *slow)
{
	time_t now = time(NULL);
	struct tm tm;
	int64_t m = 0, y = 0;

	gmtime_r(&now, &tm);
	*code = NULL;
	*msg = NULL;
	*slow = false;
	(void)parse_i64(mm, 1, 12, &m);
	(void)parse_i64(yy, 0, 9999, &y);
	if (y < 100)
		y += 2000;
	if (!card_luhn_ok(num))
		*code = "incorrect_number", *msg = "the card number is incorrect";
	else if (m < 1 || y * 12 + m < (int64_t)(tm.tm_year + 1900) * 12 + tm.tm_mon + 1)
		*code = "expired_card", *msg = "the card has expired";
	else if (!all_digits(cvc, 3, 4))
		*code = "incorrect_cvc", *msg = "the card's security code is incorrect";
	else if (strcmp(num, "4000000000000002") == 0)
		*code = "card_declined", *msg = "the card was declined";
	else if (strcmp(num, "4000000000009995") == 0)
		*code = "insufficient_funds", *msg = "insufficient funds";
	else if (strcmp(num, "4000000000000119") == 0)
		*code = "processing_error", *msg = "a processing error occurred; try again later";
	else if (strcmp(num, "4000000000000077") == 0)
		*slow = true;
}

/* ------------------------------------------------------------ handlers */

static ecode
h_authorize(request *req, response *res, error *e)
{
	const char *key = NULL, *cur = NULL, *pm = NULL, *num = NULL, *mm = NULL, *yy = NULL,
	    *cvc = NULL, *code, *msg, *id, *old;
	int64_t amount = 0;
	json_object *card = NULL;
	char digits[20], amt[24];
	size_t n = 0;
	bool slow;
	db_conn *c;
	PGresult *r;

	if (!req->json || !json_object_is_type(req->json, json_type_object))
		return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
	if (json_get_str(req->json, "idempotency_key", 1, 160, &key, e) == 0)
		err_field(e, "idempotency_key", "is required");
	if (json_get_i64(req->json, "amount", 1, 100000000000LL, &amount, e) == 0)
		err_field(e, "amount", "is required");
	if (json_get_str(req->json, "currency", 3, 3, &cur, e) == 0 || (cur && !currency_valid(cur)))
		err_field(e, "currency", "must be an ISO 4217 code");
	if (json_get_str(req->json, "payment_method", 1, 32, &pm, e) == 0 || (pm && strcmp(pm, "card") != 0))
		err_field(e, "payment_method", "must be card");
	if (!json_object_object_get_ex(req->json, "card", &card) ||
	    !json_object_is_type(card, json_type_object))
		err_field(e, "card", "is required");
	else {
		if (json_get_str(card, "number", 12, 32, &num, e) == 0)
			err_field(e, "card.number", "is required");
		if (json_get_str(card, "exp_month", 1, 2, &mm, e) == 0)
			err_field(e, "card.exp_month", "is required");
		if (json_get_str(card, "exp_year", 2, 4, &yy, e) == 0)
			err_field(e, "card.exp_year", "is required");
		if (json_get_str(card, "cvc", 1, 4, &cvc, e) == 0)
			err_field(e, "card.cvc", "is required");
	}
	if (e->code != E_OK)
		return e->code;
	for (const char *p = num; *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (*p < '0' || *p > '9' || n >= sizeof digits - 1)
			return err_field(e, "card.number", "must be 12 to 19 digits");
		digits[n++] = *p;
	}
	digits[n] = '\0';
	if (n < 12)
		return err_field(e, "card.number", "must be 12 to 19 digits");
	if (!(c = ledger(e)))
		return e->code;
	/* a replay answers at once with the first outcome, whatever the card */
	if ((old = exists_by_key(c, req->a, key, e)))
		return answer(req, res, 200, old, e);
	if (e->code != E_OK)
		return e->code;
	judge(digits, mm, yy, cvc, &code, &msg, &slow);
	snprintf(amt, sizeof amt, "%lld", (long long)amount);
	if (!(id = new_id(req->a, "auth_")))
		return err_set(e, E_INTERNAL, "no randomness");
	{
		const char *p[] = { id, key, amt, cur, code ? "declined" : "authorized",
		    card_brand_of(digits), digits + n - 4, code, msg };
		if (!(r = db_exec(c, req->a, &auth_insert_stmt, p, e)))
			return e->code;
	}
	if (PQntuples(r) == 0) {
		/* the same key raced us: its row is the answer */
		if (!(old = exists_by_key(c, req->a, key, e)))
			return e->code != E_OK ? e->code : err_set(e, E_INTERNAL, "ledger race");
		return answer(req, res, 200, old, e);
	}
	memset(digits, 0, sizeof digits);
	if (slow) {
		/* recorded first, answered late: the client times out while the
		 * authorization exists, which is what reconciliation is for */
		int64_t ms = sandbox_timeout_ms() + 1500;
		struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) != 0)
			;
	}
	return answer(req, res, 201, db_val(r, 0, 0), e);
}

static ecode
h_lookup(request *req, response *res, error *e)
{
	const char *key = req_query(req, "idempotency_key"), *j;
	db_conn *c;

	if (!key || !*key || strlen(key) > 160)
		return err_set(e, E_INVALID_PARAMETER, "idempotency_key is required");
	if (!(c = ledger(e)))
		return e->code;
	if (!(j = exists_by_key(c, req->a, key, e)))
		return e->code != E_OK ? e->code : err_set(e, E_NOT_FOUND, "no such authorization");
	return answer(req, res, 200, j, e);
}

/* A change of one authorization; when the guarded statement moves nothing,
 * the current state answers if it already is the wanted one (replay). */
static ecode
change(request *req, response *res, db_stmt *st, const char *const *p, const char *done,
    error *e)
{
	db_conn *c = ledger(e);
	PGresult *r;
	const char *q[] = { req_param(req, "id") };

	if (!c || !(r = db_exec(c, req->a, st, p, e)))
		return e->code;
	if (PQntuples(r) == 1)
		return answer(req, res, 200, db_val(r, 0, 0), e);
	if (!(r = db_exec(c, req->a, &auth_get_stmt, q, e)))
		return e->code;
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "no such authorization");
	if (done && strcmp(db_val(r, 0, 1), done) == 0)
		return answer(req, res, 200, db_val(r, 0, 0), e);
	return err_set(e, E_CONFLICT, "the authorization is %s", db_val(r, 0, 1));
}

static ecode
h_capture(request *req, response *res, error *e)
{
	int64_t amount = 0;
	char amt[24];
	const char *p[2];

	if (!req->json || json_get_i64(req->json, "amount", 1, 100000000000LL, &amount, e) != 1)
		return e->code != E_OK ? e->code : err_field(e, "amount", "is required");
	snprintf(amt, sizeof amt, "%lld", (long long)amount);
	p[0] = req_param(req, "id");
	p[1] = amt;
	return change(req, res, &capture_stmt, p, "captured", e);
}

static ecode
h_void(request *req, response *res, error *e)
{
	const char *p[] = { req_param(req, "id") };

	return change(req, res, &void_stmt, p, "voided", e);
}

static ecode
h_refund(request *req, response *res, error *e)
{
	int64_t amount = 0;
	const char *key = NULL, *rid;
	char amt[24];
	db_conn *c;
	PGresult *r;

	if (!req->json || !json_object_is_type(req->json, json_type_object))
		return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
	if (json_get_i64(req->json, "amount", 1, 100000000000LL, &amount, e) == 0)
		err_field(e, "amount", "is required");
	if (json_get_str(req->json, "idempotency_key", 1, 160, &key, e) == 0)
		err_field(e, "idempotency_key", "is required");
	if (e->code != E_OK)
		return e->code;
	if (!(c = ledger(e)))
		return e->code;
	{
		const char *p[] = { key };
		if (!(r = db_exec(c, req->a, &refund_by_key_stmt, p, e)))
			return e->code;
	}
	if (PQntuples(r) == 1) {
		const char *q[] = { db_val(r, 0, 2) };
		if (db_i64(r, 0, 1) != amount || strcmp(q[0], req_param(req, "id")) != 0)
			return err_set(e, E_IDEMPOTENCY_MISMATCH, "the key was used for another refund");
		if (!(r = db_exec(c, req->a, &auth_get_stmt, q, e)))
			return e->code;
		return answer(req, res, 200, db_val(r, 0, 0), e);
	}
	snprintf(amt, sizeof amt, "%lld", (long long)amount);
	if (!(rid = new_id(req->a, "re_")))
		return err_set(e, E_INTERNAL, "no randomness");
	{
		const char *p[] = { req_param(req, "id"), amt, key, rid };
		if (change(req, res, &refund_stmt, p, NULL, e) != E_OK)
			return e->code;
	}
	return E_OK;
}

static ecode
h_events(request *req, response *res, error *e)
{
	const char *id = req_query(req, "payment");
	json_object *list;
	db_conn *c;
	PGresult *r;
	int64_t now = (int64_t)time(NULL);
	const char *p[] = { id };

	if (!id || !*id || strlen(id) > 160)
		return err_set(e, E_INVALID_PARAMETER, "payment is required");
	if (!(c = ledger(e)) || !(r = db_exec(c, req->a, &events_stmt, p, e)))
		return e->code;
	if (!(list = json_object_new_array()))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < PQntuples(r); i++) {
		const char *body = db_val(r, i, 0);
		const char *sig = sandbox_sign(req->a, now, body, strlen(body));
		json_object *o = json_object_new_object();
		if (!o || !sig) {
			json_object_put(o);
			json_object_put(list);
			return err_set(e, E_INTERNAL, "could not sign the event");
		}
		json_object_object_add(o, "body", json_object_new_string(body));
		json_object_object_add(o, "signature", json_object_new_string(sig));
		json_object_array_add(list, o);
	}
	json_reply(req, res, 200, list);
	return E_OK;
}

/* ------------------------------------------------------------ routes */

#define SB "/sandbox/v1/authorizations"
#define POST(path, h) { "POST", path, h, ROLE_PUBLIC, CSRF_NONE, BODY_JSON, SMALL, RL_NONE }

static const route sandbox_routes[] = {
	POST(SB, h_authorize),
	{ "GET", SB, h_lookup, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_NONE },
	POST(SB "/{id}/capture", h_capture),
	POST(SB "/{id}/void", h_void),
	POST(SB "/{id}/refunds", h_refund),
	{ "GET", "/sandbox/v1/events", h_events, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_READ },
};

static const app sandbox_app = {
	"sandbox", APP_JSON, sandbox_routes, sizeof sandbox_routes / sizeof sandbox_routes[0],
	NULL, NULL
};

/* A processor that approves test cards has no place in production: there
 * it answers 404 to everything.  (Refusing to start would make the web
 * server, which spawns it at start, refuse to start too.) */
static const app sandbox_off = { "sandbox", APP_JSON, sandbox_routes, 0, NULL, NULL };

int
main(int argc, char **argv)
{
	if (config_init() != 0)
		return 1;
	settings_site_register();
	return app_main(strcmp(cfg->env, "prod") == 0 ? &sandbox_off : &sandbox_app, argc, argv);
}
