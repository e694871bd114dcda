/*
 * health.c — liveness and readiness (health.h).
 *
 * live answers as long as the process loops; ready also proves that the
 * database and Redis answer, so a load balancer stops sending traffic to a
 * node that cannot serve it (503).
 */
#include <time.h>

#include "db.h"
#include "health.h"
#include "json.h"
#include "redis.h"
#include "util.h"

static json_object *
status_object(const char *status)
{
	json_object *o = json_object_new_object();
	char now[21];

	time_rfc3339((int64_t)time(NULL), now);
	json_object_object_add(o, "status", json_object_new_string(status));
	json_object_object_add(o, "timestamp", json_object_new_string(now));
	return o;
}

ecode
health_live(request *req, response *res, error *e)
{
	(void)e;
	json_reply(req, res, 200, status_object("ok"));
	return E_OK;
}

ecode
health_ready(request *req, response *res, error *e)
{
	error dbe;
	db_conn *c = db_for("catalog", &dbe);
	int db_ok = c != NULL && db_ping(c) == 0;
	int redis_ok = redis_ping() == 0;
	json_object *o = status_object(db_ok && redis_ok ? "ok" : "degraded");
	json_object *checks = json_object_new_object();

	(void)e;
	json_object_object_add(checks, "db", json_object_new_string(db_ok ? "ok" : "down"));
	json_object_object_add(checks, "redis", json_object_new_string(redis_ok ? "ok" : "down"));
	json_object_object_add(o, "checks", checks);
	json_reply(req, res, db_ok && redis_ok ? 200 : 503, o);
	return E_OK;
}
