/*
 * consumers.c — the list of in-tree consumers (consumers.h).  Each domain
 * that consumes events adds its one line here.
 */
#include "consumers.h"

#include "audit/audit.h"
#include "notification/notification.h"
#include "search/search.h"

const consumer *const worker_consumers[] = {
	&audit_consumer,
	&notification_consumer,
	&search_consumer,
	NULL
};
