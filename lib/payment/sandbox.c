/*
 * sandbox.c — the client of the built-in sandbox card processor
 * (cgi-bin/sandbox.c), which is reached over HTTP like any remote
 * processor so that its timeouts are real ones.
 *
 * ECOM_PAYMENT_SANDBOX_URL (default ECOM_BASE_URL + "/sandbox/v1") and
 * ECOM_PAYMENT_TIMEOUT_MS (default 3000, 100..60000) are read through
 * config_raw().  A call that gets no complete answer in time is
 * E_UNAVAILABLE: the processor may still act on it, which is why every
 * charge carries an idempotency key and can be looked up later.  The card
 * number goes into the request body only; nothing here logs bodies.
 */
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <time.h>

#include "auth/auth.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/http.h"
#include "core/parse.h"
#include "payment/provider.h"

#define MAX_ANSWER (64 * 1024)

/* ------------------------------------------------------------ settings */

int64_t
sandbox_timeout_ms(void)
{
	const char *v = config_raw("ECOM_PAYMENT_TIMEOUT_MS");
	int64_t ms;

	if (!v || parse_i64(v, 100, 60000, &ms) != 0)
		return 3000;
	return ms;
}

static const char *
base_url(arena *a)
{
	const char *v = config_raw("ECOM_PAYMENT_SANDBOX_URL");

	if (v && *v)
		return v;
	return arena_printf(a, "%s/sandbox/v1", cfg && cfg->base_url ? cfg->base_url : "");
}

/* The webhook key: configured, else HMAC(server secret, a fixed label), so
 * every process of one installation agrees without another secret file. */
static int
webhook_secret(unsigned char *key, size_t *len)
{
	const char *v = config_raw("ECOM_PAYMENT_WEBHOOK_SECRET");
	static const char label[] = "ecommerce payment webhook secret v1";

	if (v && *v) {
		size_t n = strlen(v);
		if (n > 256)
			return -1;
		memcpy(key, v, n);
		*len = n;
		return 0;
	}
	if (auth_hmac(label, sizeof label - 1, key) != 0)
		return -1;
	*len = 32;
	return 0;
}

static int
hmac_hex(int64_t t, const char *body, size_t len, char hex[65])
{
	unsigned char key[256], mac[32];
	size_t klen;
	char ts[24];
	EVP_MAC *m = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t outl = 0;
	int rc = -1;

	if (webhook_secret(key, &klen) != 0)
		return -1;
	snprintf(ts, sizeof ts, "%lld.", (long long)t);
	params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!(m = EVP_MAC_fetch(NULL, "HMAC", NULL)) || !(ctx = EVP_MAC_CTX_new(m)) ||
	    !EVP_MAC_init(ctx, key, klen, params) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)ts, strlen(ts)) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)body, len) ||
	    !EVP_MAC_final(ctx, mac, &outl, sizeof mac) || outl != 32)
		goto out;
	for (size_t i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(m);
	OPENSSL_cleanse(key, sizeof key);
	return rc;
}

const char *
sandbox_sign(arena *a, int64_t t, const char *body, size_t len)
{
	char hex[65];

	if (hmac_hex(t, body, len, hex) != 0)
		return NULL;
	return arena_printf(a, "t=%lld,v1=%s", (long long)t, hex);
}

bool
sandbox_verify(arena *a, const char *hdr, const char *body, size_t len, int64_t now,
    int64_t tolerance_s)
{
	const char *v1;
	int64_t t;
	char hex[65];
	size_t tl;

	(void)a;
	/* exactly "t=<digits>,v1=<64 hex>": anything else is not ours */
	if (!hdr || strncmp(hdr, "t=", 2) != 0 || !(v1 = strstr(hdr, ",v1=")))
		return false;
	tl = (size_t)(v1 - hdr - 2);
	if (parse_i64n(hdr + 2, tl, 0, INT64_MAX / 2, &t) != 0 || strlen(v1 + 4) != 64)
		return false;
	if (t < now - tolerance_s || t > now + tolerance_s)
		return false;
	if (hmac_hex(t, body, len, hex) != 0)
		return false;
	return CRYPTO_memcmp(hex, v1 + 4, 64) == 0;
}

/* ------------------------------------------------------------ cards */

bool
card_luhn_ok(const char *s)
{
	int sum = 0, n = 0;

	for (size_t i = strlen(s); i-- > 0;) {
		int d;
		if (s[i] == ' ')
			continue;
		if (s[i] < '0' || s[i] > '9')
			return false;
		d = s[i] - '0';
		if (n++ % 2 == 1 && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}
	return n >= 12 && n <= 19 && sum % 10 == 0;
}

const char *
card_brand_of(const char *s)
{
	while (*s == ' ')
		s++;
	if (s[0] == '4')
		return "visa";
	if (s[0] == '5' && s[1] >= '1' && s[1] <= '5')
		return "mastercard";
	if (s[0] == '2' && s[1] >= '2' && s[1] <= '7')
		return "mastercard";
	if (s[0] == '3' && (s[1] == '4' || s[1] == '7'))
		return "amex";
	if (strncmp(s, "6011", 4) == 0 || (s[0] == '6' && s[1] == '5'))
		return "discover";
	return "unknown";
}

/* ------------------------------------------------------------ HTTP */

static void
put_json(void *p)
{
	json_object_put(p);
}

static size_t
collect(char *p, size_t size, size_t n, void *ud)
{
	buf *b = ud;

	if (n && size > MAX_ANSWER / n)
		return 0;
	if (b->len + size * n > MAX_ANSWER || buf_append(b, p, size * n) != 0)
		return 0;
	return size * n;
}

/*
 * One request; on an answer, *data is the "data" member (or NULL) and the
 * error envelope's message goes into e for 4xx.  E_UNAVAILABLE for no
 * answer or a 5xx, E_NOT_FOUND for 404.
 */
static ecode
call(arena *a, const char *method, const char *path, json_object *body,
    json_object **data, error *e)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	buf b = BUF_INIT;
	const char *url = arena_printf(a, "%s%s", base_url(a), path);
	const char *text = body ? json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN) : NULL;
	long status = 0;
	json_object *root = NULL, *v, *err;
	ecode rc;

	*data = NULL;
	if (!c || !url) {
		rc = err_set(e, E_INTERNAL, "out of memory");
		goto out;
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Accept: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)sandbox_timeout_ms());
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)sandbox_timeout_ms());
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (text)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
	if (curl_easy_perform(c) != CURLE_OK) {
		rc = err_set(e, E_UNAVAILABLE, "the payment provider did not answer in time");
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 500 || status < 200) {
		rc = err_set(e, E_UNAVAILABLE, "the payment provider is unavailable (status %ld)", status);
		goto out;
	}
	root = b.len && !b.oom ? json_tokener_parse(b.data) : NULL;
	if (!root || !json_object_is_type(root, json_type_object)) {
		rc = err_set(e, E_UNAVAILABLE, "the payment provider gave a malformed answer");
		goto out;
	}
	if (status == 404) {
		rc = err_set(e, E_NOT_FOUND, "the payment provider does not know this payment");
		goto out;
	}
	if (status >= 400) {
		const char *m = "the payment provider refused the request";
		if (json_object_object_get_ex(root, "error", &err) &&
		    json_object_object_get_ex(err, "message", &v))
			m = json_object_get_string(v);
		rc = err_set(e, status == 409 ? E_CONFLICT : E_PAYMENT_FAILED, "%s", m);
		goto out;
	}
	if (json_object_object_get_ex(root, "data", &v)) {
		*data = json_object_get(v);
		arena_defer(a, put_json, *data);
	}
	rc = E_OK;
out:
	json_object_put(root);
	json_object_put(body);
	curl_slist_free_all(h);
	if (c)
		curl_easy_cleanup(c);
	buf_free(&b);
	return rc;
}

static const char *
str_of(arena *a, json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return arena_strdup(a, json_object_get_string(v));
}

static void
result_of(arena *a, json_object *d, provider_result *out)
{
	json_object *v;

	memset(out, 0, sizeof *out);
	out->found = d != NULL;
	out->ref = str_of(a, d, "id");
	out->status = str_of(a, d, "status");
	out->decline_code = str_of(a, d, "decline_code");
	out->message = str_of(a, d, "message");
	out->brand = str_of(a, d, "brand");
	out->last4 = str_of(a, d, "last4");
	out->refund_ref = str_of(a, d, "refund_id");
	if (d && json_object_object_get_ex(d, "version", &v))
		out->version = json_object_get_int64(v);
}

static ecode
finish(arena *a, ecode rc, json_object *d, provider_result *out, error *e)
{
	if (rc != E_OK)
		return rc;
	if (!d)
		return err_set(e, E_UNAVAILABLE, "the payment provider gave a malformed answer");
	result_of(a, d, out);
	if (!out->ref || !out->status)
		return err_set(e, E_UNAVAILABLE, "the payment provider gave a malformed answer");
	return E_OK;
}

/* ------------------------------------------------------------ operations */

static ecode
sb_authorize(arena *a, const char *key, int64_t amount, const char *currency,
    const card_input *card, provider_result *out, error *e)
{
	json_object *b = json_object_new_object(), *c = json_object_new_object(), *d;

	if (!b || !c) {
		json_object_put(b);
		json_object_put(c);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	json_object_object_add(b, "idempotency_key", json_object_new_string(key));
	json_object_object_add(b, "amount", json_object_new_int64(amount));
	json_object_object_add(b, "currency", json_object_new_string(currency));
	json_object_object_add(b, "payment_method", json_object_new_string("card"));
	json_object_object_add(c, "number", json_object_new_string(card->number));
	json_object_object_add(c, "exp_month", json_object_new_string(card->exp_month));
	json_object_object_add(c, "exp_year", json_object_new_string(card->exp_year));
	json_object_object_add(c, "cvc", json_object_new_string(card->cvc));
	json_object_object_add(b, "card", c);
	ecode rc = call(a, "POST", "/authorizations", b, &d, e);

	/* call() first: it sets d */
	return finish(a, rc, d, out, e);
}

static const char *
ref_path(arena *a, const char *ref, const char *tail)
{
	/* refs come from the processor's answers or our rows; keep them to
	 * the processor's alphabet so they cannot change the path */
	for (const char *p = ref; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return NULL;
	return arena_printf(a, "/authorizations/%s%s", ref, tail);
}

static ecode
sb_post_ref(arena *a, const char *ref, const char *tail, json_object *b,
    provider_result *out, error *e)
{
	const char *p = ref_path(a, ref, tail);
	json_object *d;
	ecode rc;

	if (!p || !b) {
		json_object_put(b);
		return err_set(e, E_INTERNAL, "bad provider reference");
	}
	rc = call(a, "POST", p, b, &d, e);
	return finish(a, rc, d, out, e);
}

static ecode
sb_capture(arena *a, const char *ref, int64_t amount, provider_result *out, error *e)
{
	json_object *b = json_object_new_object();

	if (b)
		json_object_object_add(b, "amount", json_object_new_int64(amount));
	return sb_post_ref(a, ref, "/capture", b, out, e);
}

static ecode
sb_void(arena *a, const char *ref, provider_result *out, error *e)
{
	return sb_post_ref(a, ref, "/void", json_object_new_object(), out, e);
}

static ecode
sb_refund(arena *a, const char *ref, int64_t amount, const char *key, provider_result *out,
    error *e)
{
	json_object *b = json_object_new_object();

	if (b) {
		json_object_object_add(b, "amount", json_object_new_int64(amount));
		json_object_object_add(b, "idempotency_key", json_object_new_string(key));
	}
	return sb_post_ref(a, ref, "/refunds", b, out, e);
}

static ecode
sb_lookup(arena *a, const char *key, provider_result *out, error *e)
{
	CURL *c = curl_easy_init();
	char *esc = c ? curl_easy_escape(c, key, 0) : NULL;
	const char *p = esc ? arena_printf(a, "/authorizations?idempotency_key=%s", esc) : NULL;
	json_object *d;
	ecode rc;

	curl_free(esc);
	if (c)
		curl_easy_cleanup(c);
	if (!p)
		return err_set(e, E_INTERNAL, "out of memory");
	rc = call(a, "GET", p, NULL, &d, e);
	if (rc == E_NOT_FOUND) {
		err_clear(e);
		memset(out, 0, sizeof *out);
		return E_OK;
	}
	return finish(a, rc, d, out, e);
}

static ecode
sb_parse_webhook(arena *a, const char *sig, const char *body, size_t len,
    provider_event *out, error *e)
{
	json_object *root, *d, *v;
	ecode rc = E_OK;

	if (!sandbox_verify(a, sig, body, len, (int64_t)time(NULL), 300))
		return err_set(e, E_UNAUTHORIZED, "the webhook signature is missing or invalid");
	if (json_body_parse(a, body, len, &root, e) != E_OK)
		return e->code;
	memset(out, 0, sizeof *out);
	out->id = str_of(a, root, "id");
	out->type = str_of(a, root, "type");
	if (!json_object_object_get_ex(root, "data", &d) || !json_object_is_type(d, json_type_object))
		d = NULL;
	out->ref = str_of(a, d, "id");
	out->idempotency_key = str_of(a, d, "idempotency_key");
	out->status = str_of(a, d, "status");
	out->decline_code = str_of(a, d, "decline_code");
	out->message = str_of(a, d, "message");
	if (d && json_object_object_get_ex(d, "version", &v))
		out->version = json_object_get_int64(v);
	if ((out->decline_code && strlen(out->decline_code) > 64) ||
	    (out->message && strlen(out->message) > 200))
		rc = err_set(e, E_INVALID_INPUT, "the webhook event is malformed");
	else if (!out->id || strlen(out->id) > 128 || !out->type || strlen(out->type) > 64 ||
	    !out->ref || !out->idempotency_key || !out->status || out->version < 1)
		rc = err_set(e, E_INVALID_INPUT, "the webhook event is malformed");
	return rc;
}

static const payment_provider sandbox_provider = {
	"sandbox", sb_authorize, sb_capture, sb_void, sb_refund, sb_lookup, sb_parse_webhook
};

const payment_provider *
payment_provider_by_name(const char *name)
{
	if (name && strcmp(name, sandbox_provider.name) == 0)
		return &sandbox_provider;
	return NULL;
}

const payment_provider *
payment_provider_default(void)
{
	return &sandbox_provider;
}
