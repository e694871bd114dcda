/*
 * check_store_account.c — the storefront's account pages through lighttpd,
 * as a browser without JavaScript uses them: url-encoded forms, cookies,
 * 303 redirects.
 *
 * Covers: the session cookies' attributes; register → the verification
 * mail in ECOM_MAIL_DIR → the link → sign in → edit the profile and add an
 * address → sign out, after which the old cookies no longer work; the
 * transparent refresh when only the refresh cookie is left; a guest sent
 * to /login?next=; and CSRF on every account form: no token, another
 * session's token and a token older than 12 h are all 403 and change
 * nothing, while the same request with a fresh token goes through.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <check.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../check_run.h"

#include "http_client.h"

#define PASSWORD "correct horse battery staple 42"
#define MAXC 16

/* ------------------------------------------------------------ a cookie jar */

typedef struct browser {
	char name[MAXC][64];
	char val[MAXC][4096];
	int  n;
	char ip[32];		/* X-Forwarded-For: one client per browser */
} browser;

static int counter;

static void
browser_init(browser *b)
{
	memset(b, 0, sizeof *b);
	/* the test stack trusts loopback as a proxy, so each browser is its
	 * own client for the rate limits and the login throttle */
	snprintf(b->ip, sizeof b->ip, "10.%d.%d.%d", (int)(getpid() % 250) + 1,
	    (int)(time(NULL) % 250) + 1, ++counter % 250 + 1);
}

static const char *
cookie(const browser *b, const char *name)
{
	for (int i = 0; i < b->n; i++)
		if (strcmp(b->name[i], name) == 0)
			return b->val[i];
	return NULL;
}

static void
cookie_set(browser *b, const char *name, const char *val)
{
	int i;

	for (i = 0; i < b->n && strcmp(b->name[i], name) != 0; i++)
		;
	if (val == NULL) {		/* delete */
		if (i < b->n) {
			b->n--;
			memmove(b->name[i], b->name[b->n], sizeof b->name[i]);
			memmove(b->val[i], b->val[b->n], sizeof b->val[i]);
		}
		return;
	}
	ck_assert_int_lt(i, MAXC);
	snprintf(b->name[i], sizeof b->name[i], "%s", name);
	snprintf(b->val[i], sizeof b->val[i], "%s", val);
	if (i == b->n)
		b->n++;
}

/* The Set-Cookie line (attributes included, no CRLF) for name, or NULL;
 * malloc'd. */
static char *
set_cookie_line(const http_result *r, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = r->headers; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, "set-cookie:", 11) != 0)
			continue;
		const char *v = p + 11;
		while (*v == ' ')
			v++;
		if (strncmp(v, name, nl) == 0 && v[nl] == '=')
			return strndup(v, strcspn(v, "\r\n"));
	}
	return NULL;
}

/* Take every Set-Cookie of r into the jar (Max-Age=0 deletes). */
static void
browser_take(browser *b, const http_result *r)
{
	for (const char *p = r->headers; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char name[64], val[4096];
		const char *v, *eq;
		size_t n, vl;

		if (strncmp(p, "set-cookie:", 11) != 0)
			continue;
		for (v = p + 11; *v == ' '; v++)
			;
		eq = strchr(v, '=');
		ck_assert_ptr_nonnull(eq);
		n = (size_t)(eq - v);
		ck_assert_uint_lt(n, sizeof name);
		memcpy(name, v, n);
		name[n] = '\0';
		vl = strcspn(eq + 1, ";\r\n");
		ck_assert_uint_lt(vl, sizeof val);
		memcpy(val, eq + 1, vl);
		val[vl] = '\0';
		n = strcspn(v, "\r\n");
		cookie_set(b, name, strstr(strndupa(v, n), "Max-Age=0") != NULL ? NULL : val);
	}
}

static http_result *
browse(browser *b, const char *method, const char *path, const char *body)
{
	char ck[MAXC * 4200] = "Cookie: ", xff[64];
	const char *hdrs[4] = { NULL };
	int h = 0;
	http_result *r;

	for (int i = 0; i < b->n; i++) {
		size_t used = strlen(ck);
		snprintf(ck + used, sizeof ck - used, "%s%s=%s", i > 0 ? "; " : "", b->name[i], b->val[i]);
	}
	snprintf(xff, sizeof xff, "X-Forwarded-For: %s", b->ip);
	hdrs[h++] = xff;
	if (b->n > 0)
		hdrs[h++] = ck;
	if (body != NULL)
		hdrs[h++] = "Content-Type: application/x-www-form-urlencoded";
	r = http_do(test_base_url(), method, path, body, hdrs);
	browser_take(b, r);
	return r;
}

static http_result *
bget(browser *b, const char *path)
{
	return browse(b, "GET", path, NULL);
}

/* "k=v&k=v" from NULL-terminated pairs, values url-encoded; malloc'd. */
static char *
form(const char *k, ...)
{
	char *out = calloc(1, 16384);
	va_list ap;

	ck_assert_ptr_nonnull(out);
	va_start(ap, k);
	for (; k != NULL; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);
		char *ev = curl_easy_escape(NULL, v, 0);
		size_t used = strlen(out);
		snprintf(out + used, 16384 - used, "%s%s=%s", used > 0 ? "&" : "", k, ev);
		curl_free(ev);
	}
	va_end(ap);
	return out;
}

static http_result *
bpost(browser *b, const char *path, char *body)
{
	http_result *r = browse(b, "POST", path, body);

	free(body);
	return r;
}

/* The value of the first csrf_token field in a page; malloc'd. */
static char *
page_token(const http_result *r)
{
	const char *p = strstr(r->body, "name=\"csrf_token\" value=\"");

	ck_assert_msg(p != NULL, "no csrf_token in the page: %.300s", r->body);
	p += strlen("name=\"csrf_token\" value=\"");
	return strndup(p, strcspn(p, "\""));
}

/* GET path and return the form token it carries. */
static char *
token_from(browser *b, const char *path)
{
	http_result *r = bget(b, path);
	char *t;

	ck_assert_msg(r->status == 200, "GET %s: %ld", path, r->status);
	t = page_token(r);
	http_result_free(r);
	return t;
}

static void
assert_redirect(const http_result *r, const char *to)
{
	char loc[1024];

	ck_assert_msg(r->status == 303, "status %ld, want 303: %.400s", r->status, r->body);
	ck_assert(http_header(r, "location", loc, sizeof loc));
	ck_assert_str_eq(loc, to);
}

/* A 303 to the sign-in form with next= naming `back` (decoded: the gate
 * may percent-encode the slashes). */
static void
assert_to_login(const http_result *r, const char *back)
{
	char loc[1024], want[1024], *dec;

	ck_assert_msg(r->status == 303, "status %ld, want 303: %.400s", r->status, r->body);
	ck_assert(http_header(r, "location", loc, sizeof loc));
	dec = curl_easy_unescape(NULL, loc, 0, NULL);
	ck_assert_ptr_nonnull(dec);
	snprintf(want, sizeof want, "/login?next=%s", back);
	ck_assert_str_eq(dec, want);
	curl_free(dec);
}

/* ------------------------------------------------------------ config, mail */

/* A value from the key=value file ./check writes (ECOM_CONFIG); malloc'd. */
static char *
config_value(const char *key)
{
	const char *path = getenv("ECOM_CONFIG"), *env = getenv(key);
	char line[4096];
	size_t kl = strlen(key);
	FILE *f;
	char *out = NULL;

	if (env != NULL)
		return strdup(env);
	ck_assert_msg(path != NULL, "ECOM_CONFIG is not set");
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot read %s", path);
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, key, kl) == 0 && line[kl] == '=') {
			line[strcspn(line, "\r\n")] = '\0';
			free(out);
			out = strdup(line + kl + 1);
		}
	fclose(f);
	return out;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1)) != NULL) {
		*len = fread(p, 1, (size_t)n, f);
		p[*len] = '\0';
	}
	fclose(f);
	return p;
}

/* How many .eml files mention `needle`. */
static int
mail_count(const char *needle)
{
	char *dir = config_value("ECOM_MAIL_DIR");
	DIR *d;
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(dir);
	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		char path[4096], *s;
		size_t len;
		if (strstr(de->d_name, ".eml") == NULL)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if ((s = slurp(path, &len)) != NULL && strstr(s, needle) != NULL)
			n++;
		free(s);
	}
	closedir(d);
	free(dir);
	return n;
}

/* The path+query of the verification link in the newest mail to `email`;
 * malloc'd. */
static char *
verify_link(const char *email)
{
	char *dir = config_value("ECOM_MAIL_DIR"), *best = NULL;
	time_t best_t = 0;
	DIR *d;
	struct dirent *de;

	ck_assert_ptr_nonnull(dir);
	d = opendir(dir);
	ck_assert_msg(d != NULL, "no mail directory %s", dir);
	while ((de = readdir(d)) != NULL) {
		char path[4096], *s, *p;
		struct stat st;
		size_t len;
		if (strstr(de->d_name, ".eml") == NULL)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0 || (s = slurp(path, &len)) == NULL)
			continue;
		if (strstr(s, email) != NULL && (p = strstr(s, "/verify-email?token=")) != NULL &&
		    (best == NULL || st.st_mtime >= best_t)) {
			size_t n = strlen("/verify-email?token=");
			n += strspn(p + n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
			free(best);
			best = strndup(p, n);
			best_t = st.st_mtime;
		}
		free(s);
	}
	closedir(d);
	free(dir);
	ck_assert_msg(best != NULL, "no verification mail to %s", email);
	return best;
}

/* ------------------------------------------------------------ accounts */

static void
new_email(char *out, size_t n)
{
	snprintf(out, n, "acct-%d-%ld-%d@example.com", (int)getpid(), (long)time(NULL), ++counter);
}

/* Register through the form; b ends up signed in. */
static void
register_user(browser *b, const char *email)
{
	char *t = token_from(b, "/register");
	http_result *r = bpost(b, "/register", form("csrf_token", t, "first_name", "Ada",
	    "last_name", "Lovelace", "email", email, "password", PASSWORD, NULL));

	assert_redirect(r, "/account");
	http_result_free(r);
	free(t);
}

static void
login(browser *b, const char *email, const char *next, const char *want)
{
	char *t = token_from(b, "/login");
	http_result *r = bpost(b, "/login", form("csrf_token", t, "email", email,
	    "password", PASSWORD, "next", next, NULL));

	assert_redirect(r, want);
	http_result_free(r);
	free(t);
}

/* The account page's body; asserts 200. malloc'd. */
static char *
account_page(browser *b)
{
	http_result *r = bget(b, "/account");
	char *body;

	ck_assert_msg(r->status == 200, "GET /account: %ld", r->status);
	body = strdup(r->body);
	http_result_free(r);
	return body;
}

static const char *
access_name(void)
{
	return "access";	/* the plain-http name (session.c) */
}

START_TEST(guest_is_sent_to_login)
{
	browser b;
	http_result *r;

	browser_init(&b);
	r = bget(&b, "/account");
	assert_to_login(r, "/account");
	http_result_free(r);
	r = bget(&b, "/account/wishlist");
	assert_to_login(r, "/account/wishlist");
	http_result_free(r);
	/* next= takes only a local path: elsewhere falls back to /account */
	r = bget(&b, "/login?next=//evil.example/");
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_null(strstr(r->body, "evil.example"));
	http_result_free(r);
	/* and logout is POST only */
	r = bget(&b, "/logout");
	ck_assert_int_eq(r->status, 405);
	http_result_free(r);
}
END_TEST

START_TEST(session_cookie_attributes)
{
	browser b;
	char email[128], *t, *line;
	http_result *r;

	browser_init(&b);
	new_email(email, sizeof email);
	t = token_from(&b, "/register");
	r = bpost(&b, "/register", form("csrf_token", t, "first_name", "Ada", "last_name", "L",
	    "email", email, "password", PASSWORD, NULL));
	assert_redirect(r, "/account");
	line = set_cookie_line(r, access_name());
	ck_assert_msg(line != NULL, "no access cookie: %s", r->headers);
	ck_assert_ptr_nonnull(strstr(line, "HttpOnly"));
	ck_assert_ptr_nonnull(strstr(line, "SameSite=Lax"));
	ck_assert_ptr_nonnull(strstr(line, "Path=/"));
	ck_assert_ptr_nonnull(strstr(line, "Max-Age=900"));
	ck_assert_ptr_null(strstr(line, "Domain"));
	/* plain http: a Secure cookie would be dropped by the browser */
	ck_assert_ptr_null(strstr(line, "Secure"));
	free(line);
	line = set_cookie_line(r, "refresh");
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_nonnull(strstr(line, "HttpOnly"));
	ck_assert_ptr_nonnull(strstr(line, "SameSite=Lax"));
	ck_assert_ptr_nonnull(strstr(line, "Path=/"));
	ck_assert_ptr_nonnull(strstr(line, "Max-Age=604800"));
	free(line);
	http_result_free(r);
	free(t);
}
END_TEST

START_TEST(register_verify_login_edit_logout)
{
	browser b, old;
	char email[128], *link, *t, *page, idbuf[40];
	const char *p;
	http_result *r;

	browser_init(&b);
	new_email(email, sizeof email);
	register_user(&b, email);
	page = account_page(&b);
	ck_assert_ptr_nonnull(strstr(page, "not confirmed yet"));
	free(page);

	/* the link of the mail, opened in the same browser */
	link = verify_link(email);
	r = bget(&b, link);
	ck_assert_msg(r->status == 200, "verify: %ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "is confirmed"));
	http_result_free(r);
	/* used once: the second time it no longer works */
	r = bget(&b, link);
	ck_assert_int_eq(r->status, 400);
	http_result_free(r);
	free(link);
	page = account_page(&b);
	ck_assert_ptr_nonnull(strstr(page, ">confirmed<"));
	free(page);

	/* sign out, then in again through the form, back to the account */
	t = page_token(r = bget(&b, "/account"));
	http_result_free(r);
	r = bpost(&b, "/logout", form("csrf_token", t, NULL));
	assert_redirect(r, "/");
	http_result_free(r);
	free(t);
	ck_assert_ptr_null(cookie(&b, access_name()));
	login(&b, email, "/account", "/account");

	/* edit the profile */
	t = token_from(&b, "/account");
	r = bpost(&b, "/account/profile", form("csrf_token", t, "first_name", "Augusta",
	    "last_name", "King", "phone", "+44 20 7946 0000", NULL));
	assert_redirect(r, "/account");
	http_result_free(r);
	page = account_page(&b);
	ck_assert_ptr_nonnull(strstr(page, "value=\"Augusta\""));
	ck_assert_ptr_nonnull(strstr(page, "Your profile is saved."));	/* the flash */
	free(page);
	page = account_page(&b);
	ck_assert_ptr_null(strstr(page, "Your profile is saved."));	/* shown once */
	free(page);

	/* a refused form comes back with the error and the values */
	r = bpost(&b, "/account/addresses", form("csrf_token", t, "first_name", "Augusta",
	    "last_name", "King", "address_line1", "", "city", "London", "postal_code", "W1",
	    "country_code", "GB", NULL));
	ck_assert_int_eq(r->status, 400);
	ck_assert_ptr_nonnull(strstr(r->body, "field-error"));
	ck_assert_ptr_nonnull(strstr(r->body, "value=\"London\""));
	http_result_free(r);

	/* add an address */
	r = bpost(&b, "/account/addresses", form("csrf_token", t, "label", "Home",
	    "first_name", "Augusta", "last_name", "King", "address_line1", "12 St James's Square",
	    "address_line2", "", "city", "London", "state", "", "postal_code", "SW1Y 4JH",
	    "country_code", "GB", "phone", "", NULL));
	assert_redirect(r, "/account");
	http_result_free(r);
	page = account_page(&b);
	ck_assert_ptr_nonnull(strstr(page, "SW1Y 4JH"));
	ck_assert_ptr_nonnull(p = strstr(page, "action=\"/account/addresses/"));
	snprintf(idbuf, sizeof idbuf, "%.36s", p + strlen("action=\"/account/addresses/"));
	free(page);

	/* edit it */
	{
		char path[128];
		snprintf(path, sizeof path, "/account/addresses/%s", idbuf);
		r = bpost(&b, path, form("csrf_token", t, "label", "Home", "first_name", "Augusta",
		    "last_name", "King", "address_line1", "1 Dorset Street", "address_line2", "",
		    "city", "London", "state", "", "postal_code", "W1U 4EG", "country_code", "GB",
		    "phone", "", "is_default", "1", NULL));
		assert_redirect(r, "/account");
		http_result_free(r);
		page = account_page(&b);
		ck_assert_ptr_nonnull(strstr(page, "1 Dorset Street"));
		free(page);
	}

	/* sign out: both cookies cleared, and the old ones are dead */
	old = b;
	r = bpost(&b, "/logout", form("csrf_token", t, NULL));
	assert_redirect(r, "/");
	{
		char *la = set_cookie_line(r, access_name()), *lr = set_cookie_line(r, "refresh");
		ck_assert_ptr_nonnull(la);
		ck_assert_ptr_nonnull(lr);
		ck_assert_ptr_nonnull(strstr(la, "Max-Age=0"));
		ck_assert_ptr_nonnull(strstr(lr, "Max-Age=0"));
		free(la);
		free(lr);
	}
	http_result_free(r);
	free(t);
	r = bget(&b, "/account");
	assert_to_login(r, "/account");
	http_result_free(r);
	r = bget(&old, "/account");
	assert_to_login(r, "/account");
	http_result_free(r);
	/* the refresh cookie alone does not bring the session back either */
	cookie_set(&old, access_name(), NULL);
	r = bget(&old, "/account");
	assert_to_login(r, "/account");
	http_result_free(r);
}
END_TEST

START_TEST(expired_access_cookie_is_refreshed)
{
	browser b;
	char email[128], *page, old_refresh[4096];
	http_result *r;

	browser_init(&b);
	new_email(email, sizeof email);
	register_user(&b, email);
	/* what a browser holds after the 15-minute cookie has expired */
	cookie_set(&b, access_name(), NULL);
	snprintf(old_refresh, sizeof old_refresh, "%s", cookie(&b, "refresh"));
	r = bget(&b, "/account");
	ck_assert_msg(r->status == 200, "GET /account: %ld", r->status);
	ck_assert_ptr_nonnull(strstr(r->body, email));
	ck_assert_ptr_nonnull(cookie(&b, access_name()));
	ck_assert_ptr_nonnull(cookie(&b, "refresh"));
	ck_assert_str_ne(cookie(&b, "refresh"), old_refresh);	/* rotated */
	http_result_free(r);
	/* and the new pair keeps working */
	page = account_page(&b);
	ck_assert_ptr_nonnull(strstr(page, email));
	free(page);
	/* a second tab's request that left with the old cookie before the
	 * rotation landed: served, with no refresh cookie that would overwrite
	 * the successor, and the session survives */
	{
		browser tab = b;
		char successor[4096];

		snprintf(successor, sizeof successor, "%s", cookie(&b, "refresh"));
		cookie_set(&tab, access_name(), NULL);
		cookie_set(&tab, "refresh", old_refresh);
		r = bget(&tab, "/account");
		ck_assert_msg(r->status == 200, "racing tab: GET /account: %ld", r->status);
		ck_assert_ptr_null(set_cookie_line(r, "refresh"));
		http_result_free(r);
		cookie_set(&b, access_name(), NULL);
		ck_assert_str_eq(cookie(&b, "refresh"), successor);
		page = account_page(&b);
		ck_assert_ptr_nonnull(strstr(page, email));
		free(page);
	}
	/* a refresh cookie that does not verify: cleared, and a guest again */
	cookie_set(&b, access_name(), NULL);
	cookie_set(&b, "refresh", "not-a-token");
	r = bget(&b, "/account");
	assert_to_login(r, "/account");
	ck_assert_ptr_null(cookie(&b, "refresh"));
	http_result_free(r);
}
END_TEST

/* ------------------------------------------------------------ CSRF */

static void
b64url(const unsigned char *in, size_t n, char *out)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
		    (i + 2 < n ? in[i + 2] : 0);
		out[o++] = tbl[v >> 18 & 63];
		out[o++] = tbl[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = tbl[v >> 6 & 63];
		if (i + 2 < n)
			out[o++] = tbl[v & 63];
	}
	out[o] = '\0';
}

/* The sid claim of the browser's access token; malloc'd. */
static char *
session_of(const browser *b)
{
	const char *tok = cookie(b, access_name()), *p, *q;
	char *cmd, *sid;

	ck_assert_ptr_nonnull(tok);
	p = strchr(tok, '.');
	ck_assert_ptr_nonnull(p);
	q = strchr(p + 1, '.');
	ck_assert_ptr_nonnull(q);
	/* base64url payload -> JSON, with the shell's tools */
	ck_assert_int_gt(asprintf(&cmd, "printf '%%s' '%.*s' | tr '_-' '/+' | "
	    "{ s=$(cat); while [ $((${#s} %% 4)) -ne 0 ]; do s=\"$s=\"; done; printf '%%s' \"$s\"; } | "
	    "base64 -d | sed -n 's/.*\"sid\":\"\\([0-9a-f-]*\\)\".*/\\1/p'", (int)(q - p - 1), p + 1), 0);
	sid = run_capture(cmd);
	free(cmd);
	ck_assert_msg(sid != NULL && strlen(sid) == 36, "no sid in the access token");
	return sid;
}

/* A token as csrf.c makes it, for `binding` of `kind` ('s' session, 'g'
 * guest cookie), made `age_s` seconds ago. */
static char *
forge_token(char kind, const char *binding, long age_s)
{
	char *path = config_value("ECOM_SECRET_FILE"), msg[256], *out = malloc(44);
	unsigned char key[64], mac[EVP_MAX_MD_SIZE], raw[32];
	unsigned int maclen = 0;
	uint32_t minute = (uint32_t)((time(NULL) - age_s) / 60);
	size_t keylen;
	FILE *f;

	ck_assert_ptr_nonnull(path);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot read %s", path);
	keylen = fread(key, 1, sizeof key, f);
	fclose(f);
	free(path);
	ck_assert_uint_ge(keylen, 32);
	snprintf(msg, sizeof msg, "csrf|%c|%s|%u", kind, binding, (unsigned)minute);
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), key, (int)keylen, (unsigned char *)msg,
	    strlen(msg), mac, &maclen));
	raw[0] = (unsigned char)(minute >> 24);
	raw[1] = (unsigned char)(minute >> 16);
	raw[2] = (unsigned char)(minute >> 8);
	raw[3] = (unsigned char)minute;
	memcpy(raw + 4, mac, 28);
	b64url(raw, sizeof raw, out);
	return out;
}

/* One form: POST body with token `tok` (NULL: none) -> want status. */
static void
post_expect(browser *b, const char *path, const char *tok, const char *fields, long want,
    const char *label)
{
	char *body;
	http_result *r;

	ck_assert_int_ge(asprintf(&body, "%s%s%s", tok != NULL ? "csrf_token=" : "",
	    tok != NULL ? tok : "", fields), 0);
	if (tok == NULL && body[0] == '&')
		memmove(body, body + 1, strlen(body));
	r = browse(b, "POST", path, body);
	ck_assert_msg(r->status == want, "%s: POST %s gave %ld, want %ld: %.200s", label, path,
	    r->status, want, r->body);
	http_result_free(r);
	free(body);
}

/* The account forms of a signed-in browser, with their fields. */
static void
account_forms(const char *addr_id, const char *product_id, const char *rows[][2], size_t *n)
{
	static char a1[96], a2[96], w1[96], w2[96];
	size_t i = 0;

	snprintf(a1, sizeof a1, "/account/addresses/%s", addr_id);
	snprintf(a2, sizeof a2, "/account/addresses/%s/delete", addr_id);
	snprintf(w1, sizeof w1, "/wishlist/%s", product_id);
	snprintf(w2, sizeof w2, "/wishlist/%s/remove", product_id);
	rows[i][0] = "/account/profile";
	rows[i++][1] = "&first_name=Mallory&last_name=X&phone=";
	rows[i][0] = "/account/password";
	rows[i++][1] = "&current_password=correct+horse+battery+staple+42&new_password=another+long+passphrase+9";
	rows[i][0] = "/account/verification";
	rows[i++][1] = "";
	rows[i][0] = "/account/addresses";
	rows[i++][1] = "&first_name=M&last_name=X&address_line1=1+Evil+Road&city=Z&postal_code=1&country_code=DE";
	rows[i][0] = a1;
	rows[i++][1] = "&first_name=M&last_name=X&address_line1=2+Evil+Road&city=Z&postal_code=1&country_code=DE";
	rows[i][0] = a2;
	rows[i++][1] = "";
	rows[i][0] = "/account/2fa/setup";
	rows[i++][1] = "";
	rows[i][0] = "/account/2fa/confirm";
	rows[i++][1] = "&otp=123456";
	rows[i][0] = "/account/2fa/disable";
	rows[i++][1] = "&password=correct+horse+battery+staple+42";
	rows[i][0] = w1;
	rows[i++][1] = "";
	rows[i][0] = w2;
	rows[i++][1] = "";
	rows[i][0] = "/logout";
	rows[i++][1] = "";
	*n = i;
}

/* A published product's id, from the API. */
static char *
some_product_id(void)
{
	http_result *r = http_get("/api/v1/products?per_page=1&sort_by=name_asc");
	char *id;

	ck_assert_int_eq(r->status, 200);
	id = strdup(jstr(r->json, "data.0.id"));
	http_result_free(r);
	return id;
}

START_TEST(csrf_on_every_account_form)
{
	browser a, other;
	char email[128], email2[128], *page, *before, *sid, *old, *mine, *theirs, *pid, addr[40];
	const char *rows[16][2], *p;
	size_t n;
	int mails;
	http_result *r;

	browser_init(&a);
	browser_init(&other);
	new_email(email, sizeof email);
	new_email(email2, sizeof email2);
	register_user(&a, email);
	register_user(&other, email2);
	pid = some_product_id();
	/* an address and a wishlist entry, so update/delete/remove have a target */
	mine = token_from(&a, "/account");
	post_expect(&a, "/account/addresses", mine, "&label=Home&first_name=Ada&last_name=L"
	    "&address_line1=1+Real+Road&address_line2=&city=Y&state=&postal_code=1&country_code=DE&phone=",
	    303, "setup");
	{
		char path[96];
		snprintf(path, sizeof path, "/wishlist/%s", pid);
		post_expect(&a, path, mine, "", 303, "setup");
	}
	page = account_page(&a);
	p = strstr(page, "action=\"/account/addresses/");
	ck_assert_ptr_nonnull(p);
	snprintf(addr, sizeof addr, "%.36s", p + strlen("action=\"/account/addresses/"));
	free(page);

	theirs = token_from(&other, "/account");
	sid = session_of(&a);
	old = forge_token('s', sid, 13 * 3600);
	{
		/* the forging is right: the same recipe for now is accepted */
		char *fresh = forge_token('s', sid, 0);
		post_expect(&a, "/account/profile", fresh, "&first_name=Ada&last_name=L&phone=", 303,
		    "fresh forged token");
		free(fresh);
	}
	before = account_page(&a);
	mails = mail_count(email);
	account_forms(addr, pid, rows, &n);
	for (size_t i = 0; i < n; i++) {
		post_expect(&a, rows[i][0], NULL, rows[i][1], 403, "no token");
		post_expect(&a, rows[i][0], theirs, rows[i][1], 403, "another session's token");
		post_expect(&a, rows[i][0], old, rows[i][1], 403, "a 13-hour-old token");
		post_expect(&a, rows[i][0], "", rows[i][1], 403, "an empty token");
	}
	/* nothing changed: the page (profile, addresses, e-mail state) is the
	 * same but for the per-render nonce and token, no mail was written,
	 * the wishlist still holds the product, and the session still works */
	page = account_page(&a);
	ck_assert_ptr_nonnull(strstr(page, "value=\"Ada\""));
	ck_assert_ptr_null(strstr(page, "Mallory"));
	ck_assert_ptr_null(strstr(page, "Evil Road"));
	ck_assert_ptr_nonnull(strstr(page, "1 Real Road"));
	ck_assert_ptr_nonnull(strstr(before, "1 Real Road"));
	ck_assert_int_eq(mail_count(email), mails);
	free(page);
	r = bget(&a, "/account/wishlist");
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, pid));
	ck_assert_ptr_null(strstr(r->body, "Switch off"));	/* 2FA still off */
	http_result_free(r);
	r = bget(&a, "/account/2fa");
	ck_assert_ptr_nonnull(strstr(r->body, "Set up two-step sign-in"));
	http_result_free(r);
	/* the password was not changed: signing in with it still works */
	{
		browser c;
		browser_init(&c);
		login(&c, email, "/account", "/account");
	}
	free(before);
	free(old);
	free(sid);
	free(theirs);
	free(mine);
	free(pid);
}
END_TEST

START_TEST(csrf_on_guest_forms)
{
	browser g, other;
	char email[128], *theirs, *old, *mine, body[512];
	/* path, then the fields around the e-mail address */
	const char *forms[][3] = {
		{ "/login", "&email=", "&password=correct+horse+battery+staple+42" },
		{ "/register", "&email=", "&password=correct+horse+battery+staple+42&first_name=A&last_name=B" },
		{ "/forgot-password", "&email=", "" },
		{ "/reset-password", "&token=abc&password=another+long+passphrase+9&x=", "" },
	};
	int mails;
	http_result *r;

	browser_init(&g);
	browser_init(&other);
	new_email(email, sizeof email);
	/* an account to sign in to and to ask a reset for */
	register_user(&other, email);
	mails = mail_count(email);
	mine = token_from(&g, "/login");
	/* another guest browser's token */
	{
		browser third;
		browser_init(&third);
		theirs = token_from(&third, "/login");
	}
	old = forge_token('g', cookie(&g, "csrf"), 13 * 3600);
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		char *enc = curl_easy_escape(NULL, email, 0);
		snprintf(body, sizeof body, "%s%s%s", forms[i][1], enc, forms[i][2]);
		curl_free(enc);
		post_expect(&g, forms[i][0], NULL, body, 403, "no token");
		post_expect(&g, forms[i][0], theirs, body, 403, "another browser's token");
		post_expect(&g, forms[i][0], old, body, 403, "a 13-hour-old token");
	}
	/* nothing happened: not signed in, no reset mail */
	ck_assert_ptr_null(cookie(&g, access_name()));
	ck_assert_int_eq(mail_count(email), mails);
	r = bget(&g, "/account");
	assert_to_login(r, "/account");
	http_result_free(r);
	/* and with its own token the same browser gets in */
	r = bpost(&g, "/login", form("csrf_token", mine, "email", email, "password", PASSWORD,
	    "next", "/account/wishlist", NULL));
	assert_redirect(r, "/account/wishlist");
	http_result_free(r);
	free(old);
	free(mine);
	free(theirs);
}
END_TEST

START_TEST(login_errors_keep_email_not_password)
{
	browser b;
	char email[128], *t;
	http_result *r;

	browser_init(&b);
	new_email(email, sizeof email);
	t = token_from(&b, "/login");
	r = bpost(&b, "/login", form("csrf_token", t, "email", email, "password",
	    "a wrong password that is long", NULL));
	ck_assert_int_eq(r->status, 401);
	ck_assert_ptr_nonnull(strstr(r->body, "Wrong e-mail or password."));
	ck_assert_ptr_nonnull(strstr(r->body, email));
	ck_assert_ptr_null(strstr(r->body, "a wrong password that is long"));
	http_result_free(r);
	/* forgot-password: the same answer for an unknown address */
	r = bpost(&b, "/forgot-password", form("csrf_token", t, "email", email, NULL));
	assert_redirect(r, "/forgot-password");
	http_result_free(r);
	r = bget(&b, "/forgot-password");
	ck_assert_ptr_nonnull(strstr(r->body, "If an account uses that e-mail address"));
	http_result_free(r);
	free(t);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("store_account");
	TCase *tc = tcase_create("account");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, guest_is_sent_to_login);
	tcase_add_test(tc, session_cookie_attributes);
	tcase_add_test(tc, register_verify_login_edit_logout);
	tcase_add_test(tc, expired_access_cookie_is_refreshed);
	tcase_add_test(tc, csrf_on_every_account_form);
	tcase_add_test(tc, csrf_on_guest_forms);
	tcase_add_test(tc, login_errors_keep_email_not_password);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (test_base_url() == NULL) {
		puts("SKIP: ECOM_TEST_BASE_URL not set");
		return 77;
	}
	return check_run(suite());
}
