/*
 * fuzz_event.c — libFuzzer harness for the event envelope reader
 * (events.h: event_parse), which takes what a Kafka topic or an outbox row
 * hands the consumers.
 *
 * event_parse must either refuse with a 400 or return an event whose
 * required fields are all there, with UUIDs and a topic under
 * "ecommerce."; everything it allocated, the parsed JSON included, must
 * be released by the arena reset (LeakSanitizer checks that).
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "core/util.h"
#include "events/events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static arena *a;
	event ev;
	error e;

	if (a == NULL && (a = arena_new(64 * 1024)) == NULL)
		return 0;
	err_clear(&e);
	if (event_parse(a, (const char *)data, size, &ev, &e) == E_OK) {
		assert(uuid_valid(ev.id) && uuid_valid(ev.aggregate_id));
		assert(ev.aggregate_type != NULL && ev.source != NULL && ev.timestamp != NULL);
		assert(json_object_is_type(ev.data, json_type_object));
		assert(strncmp(ev.type, EVENT_TOPIC_PREFIX, strlen(EVENT_TOPIC_PREFIX)) == 0);
		assert(event_is(&ev, ev.type + strlen(EVENT_TOPIC_PREFIX)));
		assert(ev.payload != NULL && memcmp(ev.payload, data, size) == 0);
	} else {
		assert(e.code == E_INVALID_INPUT || e.code == E_INTERNAL);
	}
	arena_reset(a);
	return 0;
}
