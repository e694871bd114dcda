/*
 * health.h — /health/live and /health/ready handlers (api-v1.md §Search,
 * notifications, media): {status, timestamp, checks{db, redis}}; ready is
 * 503 when a critical check fails.  Responders list them in their tables.
 */
#ifndef ECOM_HEALTH_H
#define ECOM_HEALTH_H

#include "http.h"

ecode health_live(request *req, response *res, error *e);
ecode health_ready(request *req, response *res, error *e);

#endif
