/*
 * health.c — liveness and readiness (health.h).
 *
 * live answers as long as the process loops; ready also proves that the
 * database and Redis answer, so a load balancer stops sending traffic to a
 * node that cannot serve it (503).  Both bodies use the api-v1 envelope:
 * {"data":{"status", "timestamp"[, "checks":{"db", "redis"}]}}.  A probe is
 * bounded in time by db_ping's timeout and Redis's one-second timeouts.
 */
#include <time.h>

#include "db.h"
#include "health.h"
#include "json.h"
#include "redis.h"
#include "util.h"

/* {"status": status, "timestamp": now}, or NULL when out of memory. */
static json_object *
status_object(const char *status)
{
	json_object *o = json_object_new_object();
	char now[21];

	if (o == NULL)
		return NULL;
	time_rfc3339((int64_t)time(NULL), now);
	if (json_object_object_add(o, "status", json_object_new_string(status)) != 0 ||
	    json_object_object_add(o, "timestamp", json_object_new_string(now)) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

ecode
health_live(request *req, response *res, error *e)
{
	json_object *o = status_object("ok");

	if (o == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	json_reply(req, res, 200, o);
	return E_OK;
}

ecode
health_ready(request *req, response *res, error *e)
{
	error dbe;
	db_conn *c;
	int db_ok, redis_ok;
	json_object *o, *checks;

	err_clear(&dbe);
	c = db_for("catalog", &dbe);
	db_ok = c != NULL && db_ping(c) == 0;
	redis_ok = redis_ping() == 0;
	o = status_object(db_ok && redis_ok ? "ok" : "degraded");
	checks = json_object_new_object();
	if (o == NULL || checks == NULL ||
	    json_object_object_add(checks, "db", json_object_new_string(db_ok ? "ok" : "down")) != 0 ||
	    json_object_object_add(checks, "redis", json_object_new_string(redis_ok ? "ok" : "down")) != 0 ||
	    json_object_object_add(o, "checks", checks) != 0) {
		json_object_put(checks);
		json_object_put(o);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	/* the same envelope at 503: the probe wants the checks, not an error */
	json_reply(req, res, db_ok && redis_ok ? 200 : 503, o);
	return E_OK;
}
