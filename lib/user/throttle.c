/*
 * throttle.c — login throttling in Redis, per account and per client IP.
 *
 * Failed sign-ins are counted in a window (THROTTLE_WINDOW_S, renewed by
 * every failure).  Past the threshold (5 for an account, 20 for an IP)
 * every failure starts a delay — 1 s, then 2 s, 4 s ... doubling up to
 * THROTTLE_MAX_DELAY_S — during which every attempt is refused with
 * E_RATE_LIMITED and a retry_after, even with the right password, so a
 * guesser cannot tell a hit from a miss while locked.  A success clears
 * the account's count (not the IP's: one good password must not launder a
 * spraying address).
 *
 * Keys carry the SHA-256 of the lower-cased e-mail and of the IP, so their
 * length is fixed whatever a client sends.  The count, its expiry and the
 * delay are set by one Lua script, atomically.  If Redis is down the
 * throttle steps aside (logged): refusing every sign-in would be a worse
 * outage than a few minutes of unthrottled guessing at bcrypt speed.
 */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/redis.h"
#include "user/internal.h"

#define THROTTLE_WINDOW_S	900
#define THROTTLE_MAX_DELAY_S	900
#define THROTTLE_ACCOUNT	5
#define THROTTLE_IP		20

#define KEY_LEN 96	/* "login:acct:count:" + 64 hex + NUL, with room */

/*
 * KEYS[1] count, KEYS[2] lock; ARGV[1] window, ARGV[2] threshold,
 * ARGV[3] max delay.  Returns {count, delay set (0 if none)}.
 */
static const char failure_script[] =
    "local n = redis.call('INCR', KEYS[1])\n"
    "local th = tonumber(ARGV[2])\n"
    "local d = 0\n"
    "if n >= th then\n"
    "  d = math.min(2 ^ math.min(n - th, 30), tonumber(ARGV[3]))\n"
    "  d = math.floor(d)\n"
    "  redis.call('SET', KEYS[2], '1', 'EX', d)\n"
    "end\n"
    "redis.call('EXPIRE', KEYS[1], math.max(tonumber(ARGV[1]), d))\n"
    "return {n, d}\n";

/* "login:<kind>:<what>:<sha256 of value>" into key. */
static void
make_key(char key[KEY_LEN], const char *kind, const char *what, const char *value)
{
	char h[65];

	sha256_hex(value, h);
	snprintf(key, KEY_LEN, "login:%s:%s:%s", kind, what, h);
}

/* The remaining delay of one lock key in seconds (0 = none, -1 = Redis
 * down). */
static int
lock_remaining(arena *a, const char *kind, const char *value)
{
	error e;
	char key[KEY_LEN];
	redisReply *r;

	err_clear(&e);
	make_key(key, kind, "lock", value);
	if ((r = redis_cmd(a, &e, "PTTL %s", key)) == NULL || r->type != REDIS_REPLY_INTEGER)
		return -1;
	/* round up: retrying one millisecond early would be refused again */
	return r->integer > 0 ? (int)((r->integer + 999) / 1000) : 0;
}

ecode
throttle_check(arena *a, const user_ctx *ctx, const char *email, error *e)
{
	const char *k = users_email_key(a, email);
	int acct, ip = 0, wait;

	if (k == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if ((acct = lock_remaining(a, "acct", k)) < 0) {
		log_msg(LOG_WARN, "login throttle unavailable (Redis down): attempt allowed");
		return E_OK;
	}
	if (ctx != NULL && ctx->client_ip != NULL && *ctx->client_ip != '\0')
		ip = lock_remaining(a, "ip", ctx->client_ip);
	wait = acct > ip ? acct : ip;
	if (wait <= 0)
		return E_OK;
	e->retry_after = wait;
	return err_set(e, E_RATE_LIMITED,
	    "too many failed sign-ins; try again in %d second%s", wait, wait == 1 ? "" : "s");
}

/* Count one failure on a key pair; the delay it started (0 if none). */
static long long
count_failure(arena *a, const char *kind, const char *value, int threshold)
{
	error e;
	char count[KEY_LEN], lock[KEY_LEN], window[16], th[16], max[16];
	const char *argv[8];
	redisReply *r;

	err_clear(&e);
	make_key(count, kind, "count", value);
	make_key(lock, kind, "lock", value);
	snprintf(window, sizeof window, "%d", THROTTLE_WINDOW_S);
	snprintf(th, sizeof th, "%d", threshold);
	snprintf(max, sizeof max, "%d", THROTTLE_MAX_DELAY_S);
	argv[0] = "EVAL";
	argv[1] = failure_script;
	argv[2] = "2";
	argv[3] = count;
	argv[4] = lock;
	argv[5] = window;
	argv[6] = th;
	argv[7] = max;
	r = redis_argv(a, &e, 8, argv, NULL);
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[1]->type != REDIS_REPLY_INTEGER) {
		log_msg(LOG_WARN, "login throttle could not count a failure: %s", e.message);
		return 0;
	}
	return r->element[1]->integer;
}

void
throttle_failure(arena *a, const user_ctx *ctx, const char *email, const char *user_id)
{
	const char *k = users_email_key(a, email);
	long long d;
	char detail[64];

	if (k != NULL && (d = count_failure(a, "acct", k, THROTTLE_ACCOUNT)) > 0) {
		snprintf(detail, sizeof detail, "account locked for %lld s", d);
		users_security_log(ctx, "lockout", user_id, detail);
	}
	if (ctx != NULL && ctx->client_ip != NULL && *ctx->client_ip != '\0' &&
	    (d = count_failure(a, "ip", ctx->client_ip, THROTTLE_IP)) > 0) {
		snprintf(detail, sizeof detail, "client IP locked for %lld s", d);
		users_security_log(ctx, "lockout", user_id, detail);
	}
}

void
throttle_success(arena *a, const char *email)
{
	error e;
	char count[KEY_LEN], lock[KEY_LEN];
	const char *k;

	if (email == NULL || (k = users_email_key(a, email)) == NULL)
		return;
	err_clear(&e);
	make_key(count, "acct", "count", k);
	make_key(lock, "acct", "lock", k);
	if (redis_cmd(a, &e, "DEL %s %s", count, lock) == NULL)
		log_msg(LOG_WARN, "login throttle could not clear a count: %s", e.message);
}
