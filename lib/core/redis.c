/*
 * redis.c — one Redis connection per process (redis.h).
 *
 * ECOM_REDIS_URL is redis://host[:port][/db] or unix:/path[?db=N].  Commands
 * are formatted only by hiredis with %s/%b arguments (or argv).  An I/O
 * error (including the one-second timeout) reconnects once and retries, so
 * a Redis restart costs one slow request.  The retry may repeat a command
 * the server did execute before the connection broke; the callers' commands
 * (cart writes, rate-limit counters with their own expiry) tolerate that.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "parse.h"
#include "redis.h"

static redisContext *ctx;

/* Where to connect: a TCP host and port, or a socket path (port 0). */
struct target {
	char    host[256];
	int64_t port, db;
};

/* Parse redis://host[:port][/db] or unix:/path[?db=N]; 0 or -1. */
static int
parse_url(const char *url, struct target *t)
{
	const char *p;
	size_t n;

	t->port = 6379;
	t->db = 0;
	if (strncmp(url, "unix:", 5) == 0) {
		n = strcspn(url + 5, "?");
		if (n == 0 || n >= sizeof t->host)
			return -1;
		memcpy(t->host, url + 5, n);
		t->host[n] = '\0';
		t->port = 0;
		p = url + 5 + n;
		if (*p == '\0')
			return 0;
		return strncmp(p, "?db=", 4) == 0 ? parse_i64(p + 4, 0, 15, &t->db) : -1;
	}
	if (strncmp(url, "redis://", 8) != 0)
		return -1;
	url += 8;
	n = strcspn(url, ":/");
	if (n == 0 || n >= sizeof t->host)
		return -1;
	memcpy(t->host, url, n);
	t->host[n] = '\0';
	p = url + n;
	if (*p == ':') {
		size_t plen = strcspn(p + 1, "/");
		if (parse_i64n(p + 1, plen, 1, 65535, &t->port) != 0)
			return -1;
		p += 1 + plen;
	}
	if (*p == '/' && p[1] != '\0')
		return parse_i64(p + 1, 0, 15, &t->db);
	return *p == '\0' || strcmp(p, "/") == 0 ? 0 : -1;
}

/* Connect (and SELECT the database) from the URL; 0 or -1, logged. */
static int
connect_url(const char *url)
{
	struct timeval tv = { 1, 0 };
	struct target t;

	if (parse_url(url, &t) != 0) {
		log_msg(LOG_ERROR, "redis: ECOM_REDIS_URL \"%s\" is not redis://host[:port][/db] "
		    "or unix:/path[?db=N]", url);
		return -1;
	}
	ctx = t.port == 0 ? redisConnectUnixWithTimeout(t.host, tv) :
	    redisConnectWithTimeout(t.host, (int)t.port, tv);
	if (ctx == NULL || ctx->err) {
		log_msg(LOG_ERROR, "redis: cannot connect to %s: %s", url,
		    ctx != NULL ? ctx->errstr : "out of memory");
		redisFree(ctx);
		ctx = NULL;
		return -1;
	}
	redisSetTimeout(ctx, tv);
	if (t.db != 0) {
		redisReply *r = redisCommand(ctx, "SELECT %lld", (long long)t.db);
		int ok = r != NULL && r->type == REDIS_REPLY_STATUS;
		freeReplyObject(r);
		if (!ok) {
			log_msg(LOG_ERROR, "redis: SELECT %lld failed", (long long)t.db);
			redis_close();
			return -1;
		}
	}
	return 0;
}

redisContext *
redis_get(error *e)
{
	if (ctx == NULL && connect_url(cfg->redis_url) != 0) {
		err_set(e, E_UNAVAILABLE, "the cache is unavailable; try again shortly");
		return NULL;
	}
	return ctx;
}

static void
free_reply(void *p)
{
	freeReplyObject(p);
}

static redisReply *
finish(arena *a, redisReply *r, error *e)
{
	if (r == NULL) {
		err_set(e, E_UNAVAILABLE, "the cache is unavailable; try again shortly");
		return NULL;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		log_msg(LOG_ERROR, "redis: %s", r->str);
		freeReplyObject(r);
		err_set(e, E_INTERNAL, "cache error");
		return NULL;
	}
	if (arena_defer(a, free_reply, r) != 0) {
		err_set(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	return r;
}

redisReply *
redis_argv(arena *a, error *e, int argc, const char **argv, const size_t *lens)
{
	redisReply *r;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (redis_get(e) == NULL)
			return NULL;
		r = redisCommandArgv(ctx, argc, argv, lens);
		if (r != NULL)
			return finish(a, r, e);
		log_msg(LOG_WARN, "redis: %s; reconnecting", ctx->errstr);
		redis_close();
	}
	return finish(a, NULL, e);
}

redisReply *
redis_cmd(arena *a, error *e, const char *fmt, ...)
{
	redisReply *r;
	va_list ap;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (redis_get(e) == NULL)
			return NULL;
		va_start(ap, fmt);
		r = redisvCommand(ctx, fmt, ap);
		va_end(ap);
		if (r != NULL)
			return finish(a, r, e);
		log_msg(LOG_WARN, "redis: %s; reconnecting", ctx->errstr);
		redis_close();
	}
	return finish(a, NULL, e);
}

int
redis_ping(void)
{
	error e;
	redisReply *r;
	int ok;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (redis_get(&e) == NULL)
			return -1;
		r = redisCommand(ctx, "PING");
		if (r != NULL) {
			ok = r->type == REDIS_REPLY_STATUS;
			freeReplyObject(r);
			return ok ? 0 : -1;
		}
		redis_close();
	}
	return -1;
}

void
redis_close(void)
{
	redisFree(ctx);
	ctx = NULL;
}
