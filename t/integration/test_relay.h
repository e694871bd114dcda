/*
 * test_relay.h — the relay run in the test's own process against the
 * shop's database, exactly as workers/relay would run it, delivering to
 * the shop's own consumer list (workers/consumers.c): for the suites that
 * check what a consumer made of an event.  Link with test_db.c and
 * workers/consumers.c.
 */
#ifndef ECOM_T_TEST_RELAY_H
#define ECOM_T_TEST_RELAY_H

#include "core/arena.h"

/* One run of the relay: every outbox drained once. */
void relay_once(void);

/* Relay runs until event_id is in the consumer's claims table processed
 * ("audit.processed_events"); a relay of the stack may hold the event's
 * lease for a moment, hence up to 300 rounds 100 ms apart. */
void relay_until_claimed(arena *a, const char *processed, const char *event_id);

#endif
