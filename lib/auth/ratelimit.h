/*
 * ratelimit.h — request limits per client address and route class.
 *
 * Every route row names a rate_class (core/app.h); app_main runs
 * ratelimit_gate() for it right after routing, before the body is read, so
 * a flood costs one Redis round trip per request and nothing more.  The
 * counters live in Redis, shared by every responder process and web node.
 *
 * Defaults (requests per window): read 600/60 s, write 120/60 s, login
 * 10/60 s, register 5/600 s, password 5/600 s, none unlimited.
 * ECOM_RATE_LIMITS overrides any of them: "login=10/60,read=600/60", or
 * "read=off" to switch a class off (load tests).
 */
#ifndef ECOM_RATELIMIT_H
#define ECOM_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "core/http.h"

typedef struct rl_limit {
	int64_t limit;		/* requests per window; 0 = unlimited */
	int64_t window_s;	/* window length in seconds */
} rl_limit;

#define RL_SPEC_MAX 1024	/* bytes of ECOM_RATE_LIMITS */

/*
 * Parse an override list into `out`, which must already hold the defaults
 * (ratelimit_defaults).  Returns 0, or -1 with a message naming the bad
 * item in err.  Exposed for tests; ratelimit_init() is the caller.
 */
int ratelimit_parse(const char *spec, rl_limit out[RL__COUNT], char *err, size_t errlen);
void ratelimit_defaults(rl_limit out[RL__COUNT]);

/* Load the limits once from cfg->rate_limits; 0, or -1 after printing
 * which item of ECOM_RATE_LIMITS is wrong (the process must not start). */
int ratelimit_init(void);
/* The limit in force for a class (after ratelimit_init). */
rl_limit ratelimit_get(rate_class c);

/*
 * The gate: count this request against req->client_ip and class c.
 * Sets X-RateLimit-Limit, -Remaining and -Reset (seconds until the window
 * ends) on res whenever the count is known.  Returns E_OK; E_RATE_LIMITED
 * with e->retry_after over the limit; E_UNAVAILABLE when Redis cannot
 * count and the class fails closed (login, register, password).  READ and
 * WRITE fail open: an outage of the counter store must not take the shop
 * down, while the classes that guard credentials must not lose their
 * brake.  Either way the outage is logged.
 */
ecode ratelimit_gate(request *req, response *res, rate_class c, error *e);

#endif
