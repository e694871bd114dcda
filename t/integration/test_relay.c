/*
 * test_relay.c — see test_relay.h.
 */
#include <unistd.h>
#include <check.h>

#include "../../workers/consumers.h"
#include "core/error.h"
#include "events/events.h"
#include "settings/settings.h"
#include "test_db.h"
#include "test_relay.h"

void
relay_once(void)
{
	relay_opts o = { 100, 0, false, NULL };
	relay_stats st = { 0, 0, 0, 0 };
	event_sink *s;
	error e;

	settings_site_register();	/* as workers/relay's main does */
	err_clear(&e);
	ck_assert_msg((s = event_sink_embedded(worker_consumers, &e)) != NULL, "%s", e.message);
	ck_assert_msg(relay_run(s, &o, &st, &e) == E_OK, "relay: %s", e.message);
	s->close(s);
}

void
relay_until_claimed(arena *a, const char *processed, const char *event_id)
{
	const char *q = arena_printf(a, "SELECT count(*) FROM %s WHERE event_id = '%s'", processed,
	    event_id);

	for (int round = 0; round < 300 && sql_int(a, q) == 0; round++) {
		relay_once();
		if (sql_int(a, q) == 0)
			usleep(100 * 1000);
	}
	ck_assert_msg(sql_int(a, q) == 1, "event %s never claimed in %s", event_id, processed);
}
