/*
 * request.c — building a request from the CGI/FastCGI environment, and the
 * accessors handlers use (http.h).
 *
 * The path comes from REQUEST_URI (every server sets it the same way,
 * whatever its script-name conventions: lighttpd gives SCRIPT_NAME "/app"
 * for a "/app" prefix, "" for "/" with fix-root-scriptname, the first
 * segment for "/" without it), percent-decoded once and refused if it
 * holds NUL, invalid UTF-8 or dot segments.  Servers that leave REQUEST_URI
 * out give SCRIPT_NAME + PATH_INFO, already decoded.  Query string and
 * cookies are parsed eagerly and bounded; the body is read later, by the
 * gate that knows the route's limit.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "config.h"
#include "http.h"
#include "parse.h"
#include "request_build.h"
#include "util.h"

const char *
req_env(const request *r, const char *name)
{
	return r->getenv(r, name);
}

const char *
req_header(const request *r, const char *name)
{
	char var[128];
	size_t i = 0, o = 0;

	if (strcasecmp(name, "Content-Type") == 0)
		return req_env(r, "CONTENT_TYPE");
	if (strcasecmp(name, "Content-Length") == 0)
		return req_env(r, "CONTENT_LENGTH");
	memcpy(var, "HTTP_", 5);
	o = 5;
	for (; name[i] != '\0' && o < sizeof var - 1; i++, o++)
		var[o] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
	if (name[i] != '\0')
		return NULL;
	var[o] = '\0';
	return req_env(r, var);
}

static const char *
kv_find(const kv *pairs, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(pairs[i].key, key) == 0)
			return pairs[i].val;
	return NULL;
}

const char *
req_query(const request *r, const char *key)
{
	return kv_find(r->query, r->nquery, key);
}

const char *
req_form(const request *r, const char *key)
{
	return kv_find(r->form, r->nform, key);
}

const char *
req_cookie(const request *r, const char *key)
{
	return kv_find(r->cookies, r->ncookies, key);
}

const char *
req_param(const request *r, const char *key)
{
	return kv_find(r->params, r->nparams, key);
}

const mp_part *
req_part(const request *r, const char *name)
{
	return mp_find(r->parts, r->nparts, name);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Refuse a decoded path that could mean something else further on: it must
 * start with '/', be valid UTF-8 and hold no "." or ".." segment (lighttpd
 * resolves those before routing, but REQUEST_URI keeps them as sent).  A
 * NUL cannot reach here: decode_path refuses %00 and environment strings
 * end at the first NUL.
 */
static ecode
check_path(const char *p, size_t n, error *e)
{
	if (n == 0 || p[0] != '/' || !utf8_valid(p, n))
		return err_set(e, E_INVALID_INPUT, "the path must be valid UTF-8 starting with /");
	for (const char *q = p; (q = strstr(q, "/.")) != NULL; q++)
		if (q[2] == '/' || q[2] == '\0' || (q[2] == '.' && (q[3] == '/' || q[3] == '\0')))
			return err_set(e, E_INVALID_INPUT, "the path must not contain . or .. segments");
	return E_OK;
}

/* Percent-decode the path part of REQUEST_URI ('+' stays '+'), then check it. */
static ecode
decode_path(arena *a, const char *s, size_t n, const char **out, error *e)
{
	char *p = arena_alloc(a, n + 1), *o = p;

	if (p == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return err_set(e, E_INVALID_INPUT, "invalid percent-escape in the path");
			if (hi == 0 && lo == 0)
				return err_set(e, E_INVALID_INPUT, "the path must not contain NUL bytes");
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	if (check_path(p, (size_t)(o - p), e) != E_OK)
		return e->code;
	*out = p;
	return E_OK;
}

static int
id_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '-' && s[n] != '_' && s[n] != '.')
			return 0;
	return n >= 1 && n <= 64;
}

/*
 * Servers without REQUEST_URI (it is not in RFC 3875): the path is
 * SCRIPT_NAME + PATH_INFO, which the server has already percent-decoded,
 * so it is checked but not decoded a second time ("%2541" stays "%41").
 */
static ecode
path_from_cgi(request *r, error *e)
{
	const char *sn = req_env(r, "SCRIPT_NAME"), *pi = req_env(r, "PATH_INFO");
	size_t snl = sn != NULL ? strlen(sn) : 0, pil = pi != NULL ? strlen(pi) : 0;
	char *p;

	if (snl + pil > HTTP_MAX_PATH)
		return err_set(e, E_INVALID_INPUT, "the path is longer than %d bytes", HTTP_MAX_PATH);
	p = arena_printf(r->a, "%s%s", sn != NULL ? sn : "", pi != NULL ? pi : "");
	if (p == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (check_path(p, snl + pil, e) != E_OK)
		return e->code;
	r->path = p;
	return E_OK;
}

/* X-Request-ID, else X-Correlation-ID, if it is a safe token; else a new UUID. */
static ecode
pick_request_id(request *r, error *e)
{
	const char *id = req_header(r, "X-Request-ID");
	char u[37];

	if (id == NULL || !id_ok(id))
		id = req_header(r, "X-Correlation-ID");
	if (id == NULL || !id_ok(id)) {
		if (uuid_v4(u) != 0)
			return err_set(e, E_INTERNAL, "no randomness for a request id");
		id = u;
	}
	r->request_id = arena_strdup(r->a, id);
	if (r->request_id == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	return E_OK;
}

/* ------------------------------------------------------------ client address */

/*
 * The client is REMOTE_ADDR, unless that is one of our own proxies: then
 * it is the right-most X-Forwarded-For entry that is not a trusted proxy
 * either, since every entry to the right of it was appended by a hop we
 * trust and everything to its left is whatever the client chose to send.
 */
#define PROXY_MAX	32	/* entries in ECOM_TRUSTED_PROXIES */
#define XFF_MAX		1024	/* bytes of X-Forwarded-For looked at, from the right */
#define XFF_MAX_HOPS	16	/* entries looked at, from the right */

struct net {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int bits;		/* prefix length */
};

static struct net proxies[PROXY_MAX];
static size_t nproxies;

/* An address in text (at most n bytes; "[v6]" and a ":port" on IPv4 or
 * bracketed IPv6 are accepted, as proxies write them) into *a; 0 or -1.
 * IPv4-mapped IPv6 becomes IPv4, so one rule covers both spellings. */
static int
addr_parse(const char *s, size_t n, struct net *a)
{
	static const unsigned char mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
	char t[INET6_ADDRSTRLEN + 1];
	const char *colon;

	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (close == NULL || (close + 1 < s + n && close[1] != ':'))
			return -1;
		s++;
		n = (size_t)(close - s);
	} else if ((colon = memchr(s, ':', n)) != NULL && memchr(s, '.', n) != NULL &&
	    memchr(colon + 1, ':', n - (size_t)(colon + 1 - s)) == NULL) {
		n = (size_t)(colon - s);	/* "1.2.3.4:5678" */
	}
	if (n == 0 || n >= sizeof t)
		return -1;
	memcpy(t, s, n);
	t[n] = '\0';
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, t, a->addr) == 1) {
		a->family = AF_INET;
		a->bits = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, t, a->addr) != 1)
		return -1;
	a->family = AF_INET6;
	a->bits = 128;
	if (memcmp(a->addr, mapped, 12) == 0) {
		memmove(a->addr, a->addr + 12, 4);
		memset(a->addr + 4, 0, 12);
		a->family = AF_INET;
		a->bits = 32;
	}
	return 0;
}

static int
net_contains(const struct net *net, const struct net *a)
{
	int full = net->bits / 8, rest = net->bits % 8;

	if (net->family != a->family || memcmp(net->addr, a->addr, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((net->addr[full] ^ a->addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static int
trusted(const struct net *a)
{
	for (size_t i = 0; i < nproxies; i++)
		if (net_contains(&proxies[i], a))
			return 1;
	return 0;
}

/* "10.0.0.0/8" or "::1" (a single address is a full-length prefix). */
static int
net_parse(const char *s, size_t n, struct net *net)
{
	const char *slash = memchr(s, '/', n);
	int64_t bits;

	if (slash == NULL)
		return addr_parse(s, n, net);
	int v6text = memchr(s, ':', (size_t)(slash - s)) != NULL;

	if (addr_parse(s, (size_t)(slash - s), net) != 0 ||
	    parse_i64n(slash + 1, n - (size_t)(slash - s) - 1, 0, v6text ? 128 : 32, &bits) != 0)
		return -1;
	/* "::ffff:10.0.0.0/104" is the IPv4 /8 */
	if (net->family == AF_INET && v6text)
		bits -= 96;
	if (bits < 0)
		return -1;
	net->bits = (int)bits;
	return 0;
}

int
client_ip_init(void)
{
	const char *s = cfg->trusted_proxies;

	nproxies = 0;
	while (*s != '\0') {
		size_t n = strcspn(s, ",");
		const char *item = s;

		s += n + (s[n] == ',');
		while (n > 0 && (*item == ' ' || *item == '\t'))
			item++, n--;
		while (n > 0 && (item[n - 1] == ' ' || item[n - 1] == '\t'))
			n--;
		if (n == 0)
			continue;
		if (nproxies == PROXY_MAX) {
			fprintf(stderr, "config: ECOM_TRUSTED_PROXIES: more than %d entries\n", PROXY_MAX);
			return -1;
		}
		if (net_parse(item, n, &proxies[nproxies]) != 0) {
			fprintf(stderr, "config: ECOM_TRUSTED_PROXIES: \"%.*s\" is not an IP address "
			    "or CIDR (10.0.0.0/8, ::1)\n", (int)(n > 64 ? 64 : n), item);
			return -1;
		}
		nproxies++;
	}
	return 0;
}

static const char *
addr_text(arena *ar, const struct net *a)
{
	char t[INET6_ADDRSTRLEN];

	if (inet_ntop(a->family, a->addr, t, sizeof t) == NULL)
		return NULL;
	return arena_strdup(ar, t);
}

/*
 * REMOTE_ADDR, or the client a trusted proxy forwarded for, as canonical
 * text.  When every entry is trusted (or unusable), the furthest trusted
 * hop is the best we know.
 */
static ecode
pick_client_ip(request *r, error *e)
{
	const char *ra = req_env(r, "REMOTE_ADDR"), *xff, *end;
	struct net a, hop;
	size_t len;

	r->client_ip = ra;
	if (ra == NULL || addr_parse(ra, strlen(ra), &a) != 0)
		return E_OK;	/* a unix socket or a test: nothing to resolve */
	if (trusted(&a) && (xff = req_header(r, "X-Forwarded-For")) != NULL) {
		/* walk from the right; the left end of a huge header is the
		 * client's own invention and never needed */
		len = strlen(xff);
		end = xff + len;
		if (len > XFF_MAX)
			xff = end - XFF_MAX;
		for (int hops = 0; end > xff && hops < XFF_MAX_HOPS; hops++) {
			const char *p = end, *s, *t;

			while (p > xff && p[-1] != ',')
				p--;
			for (s = p; s < end && (*s == ' ' || *s == '\t'); s++)
				;
			for (t = end; t > s && (t[-1] == ' ' || t[-1] == '\t'); t--)
				;
			end = p > xff ? p - 1 : xff;
			if (addr_parse(s, (size_t)(t - s), &hop) != 0)
				continue;	/* "unknown", a cut-off entry: ignored */
			a = hop;
			if (!trusted(&hop))
				break;
		}
	}
	if ((r->client_ip = addr_text(r->a, &a)) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	return E_OK;
}

ecode
request_build(request *r, error *e)
{
	const char *m = req_env(r, "REQUEST_METHOD"), *uri = req_env(r, "REQUEST_URI");
	const char *qs = req_env(r, "QUERY_STRING"), *https;
	size_t plen;
	ecode rc;

	/* the request id first, so even a refused request can be traced */
	if ((rc = pick_request_id(r, e)) != E_OK)
		return rc;
	r->method = m != NULL ? m : "GET";
	r->path = "/";
	if ((rc = pick_client_ip(r, e)) != E_OK)
		return rc;
	https = req_env(r, "HTTPS");
	r->https = (https != NULL && strcasecmp(https, "on") == 0) ||
	    ((https = req_env(r, "REQUEST_SCHEME")) != NULL && strcmp(https, "https") == 0);
	r->content_type = req_env(r, "CONTENT_TYPE");
	if (r->content_type == NULL)
		r->content_type = "";
	if (strlen(r->method) > 16)
		return err_set(e, E_INVALID_INPUT, "unknown method");

	if (uri != NULL) {
		plen = strcspn(uri, "?");
		if (plen > HTTP_MAX_PATH)
			return err_set(e, E_INVALID_INPUT, "the path is longer than %d bytes", HTTP_MAX_PATH);
		if ((rc = decode_path(r->a, uri, plen, &r->path, e)) != E_OK)
			return rc;
		if (qs == NULL && uri[plen] == '?')
			qs = uri + plen + 1;
	} else if ((rc = path_from_cgi(r, e)) != E_OK) {
		return rc;
	}
	r->query_string = qs != NULL ? qs : "";
	if (strlen(r->query_string) > HTTP_MAX_QUERY)
		return err_set(e, E_INVALID_INPUT, "the query string is longer than %d bytes", HTTP_MAX_QUERY);
	rc = form_parse(r->a, r->query_string, strlen(r->query_string), HTTP_MAX_PARAMS,
	    &r->query, &r->nquery, e);
	if (rc != E_OK) {
		/* a bad query string is a bad parameter (api-v1.md), same message */
		if (e->code == E_INVALID_INPUT)
			e->code = E_INVALID_PARAMETER;
		return e->code;
	}
	return cookie_parse(r->a, req_env(r, "HTTP_COOKIE"), &r->cookies, &r->ncookies, e);
}
