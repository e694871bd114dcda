/*
 * http_client.c — libcurl wrapper for the integration suites (see the header).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <check.h>

#include "http_client.h"

typedef struct grow {
	char  *p;
	size_t len;
} grow;

static size_t
grow_write(char *data, size_t size, size_t n, void *ud)
{
	grow *g = ud;
	size_t add = size * n;
	char *np = realloc(g->p, g->len + add + 1);

	if (np == NULL)
		return 0;
	memcpy(np + g->len, data, add);
	g->p = np;
	g->len += add;
	g->p[g->len] = '\0';
	return add;
}

const char *
test_base_url(void)
{
	const char *u = getenv("ECOM_TEST_BASE_URL");

	return u != NULL && *u != '\0' ? u : NULL;
}

http_result *
http_do(const char *base, const char *method, const char *path,
    const char *body, const char *const *headers)
{
	return http_do_len(base, method, path, body, body != NULL ? strlen(body) : 0, headers);
}

http_result *
http_do_len(const char *base, const char *method, const char *path,
    const char *body, size_t body_len, const char *const *headers)
{
	http_result *r = calloc(1, sizeof *r);
	grow hb = { NULL, 0 }, bb = { NULL, 0 };
	struct curl_slist *hl = NULL;
	char url[4096], ct[256];
	CURL *c = curl_easy_init();
	CURLcode rc;

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_lt(snprintf(url, sizeof url, "%s%s", base, path), (int)sizeof url);
	for (; headers != NULL && *headers != NULL; headers++)
		hl = curl_slist_append(hl, *headers);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grow_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &bb);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, grow_write);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	rc = curl_easy_perform(c);
	ck_assert_msg(rc == CURLE_OK, "%s %s: %s", method, url, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);

	r->headers = hb.p != NULL ? hb.p : strdup("");
	for (char *p = r->headers; *p != '\0'; p++) {
		/* lower-case header names only: up to the first ':' of each line */
		char *eol = strchr(p, '\n'), *colon = strchr(p, ':');
		if (colon != NULL && (eol == NULL || colon < eol))
			for (; p < colon; p++)
				*p = (char)tolower((unsigned char)*p);
		if (eol == NULL)
			break;
		p = eol;
	}
	r->body = bb.p != NULL ? bb.p : strdup("");
	r->body_len = bb.len;
	if (http_header(r, "content-type", ct, sizeof ct) &&
	    strncmp(ct, "application/json", 16) == 0)
		r->json = json_tokener_parse(r->body);
	return r;
}

http_result *
http_get(const char *path)
{
	return http_do(test_base_url(), "GET", path, NULL, NULL);
}

void
http_result_free(http_result *r)
{
	if (r == NULL)
		return;
	json_object_put(r->json);
	free(r->headers);
	free(r->body);
	free(r);
}

int
http_header(const http_result *r, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);
	const char *p = r->headers;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1, *e;
			while (*v == ' ')
				v++;
			e = strpbrk(v, "\r\n");
			n = e != NULL ? (size_t)(e - v) : strlen(v);
			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return 1;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return 0;
}

json_object *
jpath(json_object *o, const char *path)
{
	char key[128];

	while (o != NULL && *path != '\0') {
		size_t n = strcspn(path, ".");
		if (n >= sizeof key)
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (json_object_is_type(o, json_type_array)) {
			char *end;
			long i = strtol(key, &end, 10);
			if (*end != '\0' || i < 0)
				return NULL;
			o = json_object_array_get_idx(o, (size_t)i);
		} else if (!json_object_object_get_ex(o, key, &o)) {
			return NULL;
		}
		path += n;
		if (*path == '.')
			path++;
	}
	return o;
}

const char *
jstr(json_object *o, const char *path)
{
	json_object *v = jpath(o, path);

	return v != NULL && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

long long
jint(json_object *o, const char *path)
{
	json_object *v = jpath(o, path);

	ck_assert_msg(v != NULL, "no JSON value at %s", path);
	return (long long)json_object_get_int64(v);
}

char *
run_capture(const char *cmd)
{
	grow g = { NULL, 0 };
	char chunk[4096];
	size_t n;
	FILE *f = popen(cmd, "r");

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (grow_write(chunk, 1, n, &g) != n)
			break;
	if (pclose(f) != 0) {
		free(g.p);
		return NULL;
	}
	while (g.p != NULL && g.len > 0 && isspace((unsigned char)g.p[g.len - 1]))
		g.p[--g.len] = '\0';
	return g.p;
}

long
media_upload_files(void)
{
	const char *var = getenv("ECOM_VAR");
	char cmd[1024], *v;
	long n;

	ck_assert_msg(var != NULL, "ECOM_VAR not set");
	snprintf(cmd, sizeof cmd, "mkdir -p %s/media/u && find %s/media -type f -path '*/u/*' | wc -l",
	    var, var);
	ck_assert_ptr_nonnull(v = run_capture(cmd));
	n = strtol(v, NULL, 10);
	free(v);
	return n;
}

char *
mint_token(const char *role, const char *sub)
{
	const char *ctl = getenv("ECOM_TEST_ECOMCTL");
	char cmd[1024];

	ck_assert_msg(ctl != NULL, "ECOM_TEST_ECOMCTL not set");
	ck_assert_int_lt(snprintf(cmd, sizeof cmd,
	    "%s token --sub %s --email %s@example.com --role %s --ttl 600",
	    ctl, sub, role, role), (int)sizeof cmd);
	return run_capture(cmd);
}

char *
psql_value(const char *sql)
{
	const char *psql = getenv("ECOM_TEST_PSQL");
	char cmd[4096];

	ck_assert_msg(psql != NULL, "ECOM_TEST_PSQL not set");
	ck_assert_int_lt(snprintf(cmd, sizeof cmd, "%s -tAc \"%s\"", psql, sql), (int)sizeof cmd);
	return run_capture(cmd);
}

http_result *
http_as(const char *client, const char *tok, const char *method, const char *path,
    const char *body)
{
	char xff[128], auth[4096];
	const char *hdrs[4] = { NULL, NULL, NULL, NULL };
	int n = 0;

	ck_assert_int_lt(snprintf(xff, sizeof xff, "X-Forwarded-For: %s", client), (int)sizeof xff);
	hdrs[n++] = xff;
	if (tok != NULL) {
		ck_assert_int_lt(snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok),
		    (int)sizeof auth);
		hdrs[n++] = auth;
	}
	if (body != NULL)
		hdrs[n++] = "Content-Type: application/json";
	return http_do(test_base_url(), method, path, body, hdrs);
}

void
expect_status(const http_result *r, long status)
{
	ck_assert_msg(r->status == status, "status %ld, want %ld: %.600s", r->status, status, r->body);
}
