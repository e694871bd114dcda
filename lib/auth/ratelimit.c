/*
 * ratelimit.c — fixed-window request counters in Redis (ratelimit.h).
 *
 * Why a fixed window: one key per (class, client, window start), counted by
 * a three-line Lua script that INCRs and, on a key without a TTL, sets the
 * expiry — atomic and one round trip, with O(1) memory per client.  A
 * sliding log would cost a sorted-set entry per request, which is exactly
 * what a flood would exploit.  The known price is that a client can spend
 * up to twice its limit across a window boundary; for abuse brakes that is
 * acceptable, and the window start in the key makes X-RateLimit-Reset
 * exact.  Windows are aligned to wall-clock time so that every process and
 * every web node counts into the same key.
 *
 * IPv6 clients are counted per /64: one subscriber usually holds a whole
 * /64 and could otherwise rotate addresses to escape the limit.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ratelimit.h"
#include "core/config.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/redis.h"
#include "core/util.h"

static const char *const class_names[RL__COUNT] = {
	[RL_READ] = "read", [RL_WRITE] = "write", [RL_LOGIN] = "login",
	[RL_REGISTER] = "register", [RL_PASSWORD] = "password", [RL_NONE] = "none",
};

static rl_limit limits[RL__COUNT];
static int loaded;

/* After Redis fails, skip it for this long: a dead or black-holed server
 * must not add a connect timeout to every request. */
#define RL_BACKOFF_US	(2 * 1000000ULL)
/* and log the outage at most this often per process */
#define RL_LOG_EVERY_US	(10 * 1000000ULL)

static uint64_t down_until_us, last_log_us;

static const char incr_script[] =
    "local n = redis.call('INCR', KEYS[1])\n"
    "if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end\n"
    "return n\n";

void
ratelimit_defaults(rl_limit out[RL__COUNT])
{
	out[RL_READ] = (rl_limit){ 600, 60 };
	out[RL_WRITE] = (rl_limit){ 120, 60 };
	out[RL_LOGIN] = (rl_limit){ 10, 60 };
	out[RL_REGISTER] = (rl_limit){ 5, 600 };
	out[RL_PASSWORD] = (rl_limit){ 5, 600 };
	out[RL_NONE] = (rl_limit){ 0, 60 };
}

/* One "class=limit/seconds" or "class=off" item of n bytes; 0 or -1. */
static int
parse_item(const char *s, size_t n, rl_limit out[RL__COUNT], char *err, size_t errlen)
{
	const char *eq = memchr(s, '=', n), *slash;
	int64_t lim, win;
	int c;

	if (eq == NULL) {
		snprintf(err, errlen, "\"%.*s\" is not class=limit/seconds", (int)n, s);
		return -1;
	}
	size_t name = (size_t)(eq - s);

	while (name > 0 && (s[name - 1] == ' ' || s[name - 1] == '\t'))
		name--;
	for (c = 0; c < RL__COUNT; c++)
		if (c != RL_NONE && strlen(class_names[c]) == name && memcmp(class_names[c], s, name) == 0)
			break;
	if (c == RL__COUNT) {
		snprintf(err, errlen, "unknown class \"%.*s\" (read, write, login, register, password)",
		    (int)name, s);
		return -1;
	}
	n -= (size_t)(eq + 1 - s);
	s = eq + 1;
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (n == 3 && memcmp(s, "off", 3) == 0) {
		out[c].limit = 0;
		return 0;
	}
	slash = memchr(s, '/', n);
	if (slash == NULL || parse_i64n(s, (size_t)(slash - s), 1, 1000000, &lim) != 0 ||
	    parse_i64n(slash + 1, n - (size_t)(slash - s) - 1, 1, 86400, &win) != 0) {
		snprintf(err, errlen, "%s: \"%.*s\" is not limit/seconds (1..1000000 per 1..86400 s) or off",
		    class_names[c], (int)n, s);
		return -1;
	}
	out[c] = (rl_limit){ lim, win };
	return 0;
}

int
ratelimit_parse(const char *spec, rl_limit out[RL__COUNT], char *err, size_t errlen)
{
	size_t len = strlen(spec);

	if (len > RL_SPEC_MAX) {
		snprintf(err, errlen, "longer than %d bytes", RL_SPEC_MAX);
		return -1;
	}
	while (*spec != '\0') {
		size_t n = strcspn(spec, ",");
		const char *s = spec;

		spec += n + (spec[n] == ',');
		while (n > 0 && (*s == ' ' || *s == '\t'))
			s++, n--;
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n == 0)
			continue;	/* "a=1/2," and ",," are harmless */
		if (parse_item(s, n, out, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int
ratelimit_init(void)
{
	char err[256];

	if (loaded)
		return 0;
	ratelimit_defaults(limits);
	if (ratelimit_parse(cfg->rate_limits, limits, err, sizeof err) != 0) {
		fprintf(stderr, "config: ECOM_RATE_LIMITS: %s\n", err);
		return -1;
	}
	loaded = 1;
	return 0;
}

rl_limit
ratelimit_get(rate_class c)
{
	if (!loaded)
		ratelimit_defaults(limits);
	loaded = 1;
	return c >= 0 && c < RL__COUNT ? limits[c] : limits[RL_NONE];
}

/* The counting identity of an address: the canonical text of an IPv4
 * address, the /64 of an IPv6 one, the string itself for anything else
 * (a unix socket, a test harness). */
static void
client_key(const char *ip, char *out, size_t outlen)
{
	unsigned char a6[16];

	if (ip == NULL || *ip == '\0') {
		snprintf(out, outlen, "-");
		return;
	}
	if (strchr(ip, ':') != NULL && inet_pton(AF_INET6, ip, a6) == 1) {
		static const unsigned char v4mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
		if (memcmp(a6, v4mapped, 12) == 0) {
			inet_ntop(AF_INET, a6 + 12, out, (socklen_t)outlen);
			return;
		}
		memset(a6 + 8, 0, 8);
		if (inet_ntop(AF_INET6, a6, out, (socklen_t)outlen) != NULL) {
			size_t n = strlen(out);

			if (snprintf(out + n, outlen - n, "/64") == 3 && n + 3 < outlen)
				return;
		}
	}
	snprintf(out, outlen, "%.64s", ip);
}

static void
set_num_header(response *res, const char *name, int64_t v)
{
	char s[24];

	snprintf(s, sizeof s, "%lld", (long long)v);
	resp_set_header(res, name, s);
}

/* Redis could not count: open or closed by class, logged now and then. */
static ecode
counter_down(request *req, rate_class c, const char *why, error *e)
{
	uint64_t now = now_us();
	int closed = c != RL_READ && c != RL_WRITE;

	if (now - last_log_us >= RL_LOG_EVERY_US || last_log_us == 0) {
		last_log_us = now;
		log_msg(LOG_WARN, "rate limit: counter store unavailable (%s); %s class fails %s",
		    why, class_names[c], closed ? "closed" : "open");
	}
	(void)req;
	if (!closed)
		return E_OK;
	return err_set(e, E_UNAVAILABLE, "this is briefly unavailable; try again in a minute");
}

ecode
ratelimit_gate(request *req, response *res, rate_class c, error *e)
{
	rl_limit l = ratelimit_get(c);
	char who[80], key[192], ttl[24];
	const char *argv[5];
	size_t lens[5];
	redisReply *r;
	error re;
	int64_t now, start, reset, remaining;

	if (c == RL_NONE || l.limit == 0)
		return E_OK;
	if (down_until_us != 0 && now_us() < down_until_us)
		return counter_down(req, c, "backing off", e);
	now = (int64_t)time(NULL);
	start = now - now % l.window_s;
	reset = start + l.window_s - now;
	client_key(req->client_ip, who, sizeof who);
	snprintf(key, sizeof key, "rl:%s:%lld:%lld:%s", class_names[c], (long long)l.window_s,
	    (long long)start, who);
	/* a key outlives its window by a second, so a slow clock elsewhere
	 * still finds it */
	snprintf(ttl, sizeof ttl, "%lld", (long long)l.window_s + 1);
	argv[0] = "EVAL";
	argv[1] = incr_script;
	argv[2] = "1";
	argv[3] = key;
	argv[4] = ttl;
	for (int i = 0; i < 5; i++)
		lens[i] = strlen(argv[i]);
	err_clear(&re);
	r = redis_argv(req->a, &re, 5, argv, lens);
	if (r == NULL || r->type != REDIS_REPLY_INTEGER) {
		down_until_us = now_us() + RL_BACKOFF_US;
		return counter_down(req, c, r == NULL ? re.message : "unexpected reply", e);
	}
	down_until_us = 0;
	remaining = l.limit - (int64_t)r->integer;
	set_num_header(res, "X-RateLimit-Limit", l.limit);
	set_num_header(res, "X-RateLimit-Remaining", remaining > 0 ? remaining : 0);
	set_num_header(res, "X-RateLimit-Reset", reset);
	if (remaining >= 0)
		return E_OK;
	err_set(e, E_RATE_LIMITED, "too many requests; try again in %lld seconds",
	    (long long)reset);
	e->retry_after = (int)reset;
	return E_RATE_LIMITED;
}
