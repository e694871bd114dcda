/*
 * redis.c — one Redis connection per process (redis.h).
 *
 * ECOM_REDIS_URL is redis://host:port/db or unix:/path?db=N.  Commands are
 * formatted only by hiredis with %s/%b arguments; an I/O error reconnects
 * once and retries, so a Redis restart costs one slow request.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "parse.h"
#include "redis.h"

static redisContext *ctx;

static int
connect_url(const char *url)
{
	struct timeval tv = { 1, 0 };
	char host[256];
	int64_t port = 6379, db = 0;
	const char *p;

	if (strncmp(url, "unix:", 5) == 0) {
		size_t n = strcspn(url + 5, "?");
		if (n == 0 || n >= sizeof host)
			return -1;
		memcpy(host, url + 5, n);
		host[n] = '\0';
		p = strstr(url + 5 + n, "db=");
		if (p != NULL && parse_i64(p + 3, 0, 15, &db) != 0)
			return -1;
		ctx = redisConnectUnixWithTimeout(host, tv);
	} else if (strncmp(url, "redis://", 8) == 0) {
		const char *h = url + 8, *colon, *slash;
		size_t n;
		slash = strchr(h, '/');
		colon = strchr(h, ':');
		if (colon != NULL && slash != NULL && colon > slash)
			colon = NULL;
		n = colon != NULL ? (size_t)(colon - h) : slash != NULL ? (size_t)(slash - h) : strlen(h);
		if (n == 0 || n >= sizeof host)
			return -1;
		memcpy(host, h, n);
		host[n] = '\0';
		if (colon != NULL) {
			size_t plen = slash != NULL ? (size_t)(slash - colon - 1) : strlen(colon + 1);
			if (parse_i64n(colon + 1, plen, 1, 65535, &port) != 0)
				return -1;
		}
		if (slash != NULL && slash[1] != '\0' && parse_i64(slash + 1, 0, 15, &db) != 0)
			return -1;
		ctx = redisConnectWithTimeout(host, (int)port, tv);
	} else {
		return -1;
	}
	if (ctx == NULL || ctx->err) {
		log_msg(LOG_ERROR, "redis: cannot connect to %s: %s", url,
		    ctx != NULL ? ctx->errstr : "out of memory");
		redisFree(ctx);
		ctx = NULL;
		return -1;
	}
	redisSetTimeout(ctx, tv);
	if (db != 0) {
		redisReply *r = redisCommand(ctx, "SELECT %lld", (long long)db);
		int ok = r != NULL && r->type == REDIS_REPLY_STATUS;
		freeReplyObject(r);
		if (!ok) {
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
