/*
 * consumers.h — the in-tree consumers every worker knows: the relay hands
 * events to them in embedded mode, `consume --group NAME` runs one of them
 * as a Kafka consumer group.
 */
#ifndef ECOM_WORKERS_CONSUMERS_H
#define ECOM_WORKERS_CONSUMERS_H

#include "events/events.h"

/* NULL-terminated. */
extern const consumer *const worker_consumers[];

#endif
