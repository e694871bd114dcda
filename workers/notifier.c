/*
 * notifier.c — the worker that sends queued notifications
 * (notification.h: notification_deliver_due).
 *
 *   notifier [--budget SECONDS] [--batch N]
 *
 * From cron, once a minute with the default budget of 55 s: send every
 * due message, then look again every few seconds until the budget ends,
 * so a message goes out within moments rather than at the next minute.
 * --budget 0 sends what is due once and exits.  Several notifiers may run
 * at once: each message is leased by the one that takes it.  SIGTERM or
 * SIGINT ends the run after the current batch.  One JSON log line per run
 * (sent, retried, failed); exit status 0, 1 when the database failed, 2
 * for a bad command line.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "worker.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/util.h"
#include "notification/notification.h"
#include "settings/settings.h"

#define DEFAULT_BUDGET_S	55
#define DEFAULT_BATCH		20
#define POLL_MS			2000

static int
usage(void)
{
	fprintf(stderr, "usage: notifier [--budget SECONDS] [--batch 1..%d]\n", NOTIFY_BATCH_MAX);
	return 2;
}

static void
log_run(const notify_stats *st, ecode rc, const error *e)
{
	json_object *f = json_object_new_object();

	if (f != NULL) {
		json_object_object_add(f, "sent", json_object_new_int64(st->sent));
		json_object_object_add(f, "retried", json_object_new_int64(st->retried));
		json_object_object_add(f, "failed", json_object_new_int64(st->failed));
		if (rc != E_OK)
			json_object_object_add(f, "error", json_object_new_string(e->message));
	}
	log_fields(rc == E_OK ? LOG_INFO : LOG_ERROR, rc == E_OK ? "notifier run done" :
	    "notifier run failed", f);
	json_object_put(f);
}

static void
nap(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int
main(int argc, char **argv)
{
	int64_t budget_s = DEFAULT_BUDGET_S, batch = DEFAULT_BATCH, v;
	notify_stats st = { 0, 0, 0 };
	uint64_t end;
	arena *a;
	error e;
	ecode rc = E_OK;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--budget") == 0 && i + 1 < argc &&
		    parse_i64(argv[i + 1], 0, 86400, &v) == 0)
			budget_s = v;
		else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc &&
		    parse_i64(argv[i + 1], 1, NOTIFY_BATCH_MAX, &v) == 0)
			batch = v;
		else
			return usage();
		i++;
	}
	if (config_init() != 0)
		return 1;
	settings_site_register();
	log_init("notifier", cfg->log_level);
	worker_catch_term();
	if (!(a = arena_new(64 * 1024))) {
		log_msg(LOG_ERROR, "notifier: out of memory");
		return 1;
	}
	err_clear(&e);
	end = now_us() + (uint64_t)budget_s * 1000000u;
	while (!worker_stop) {
		size_t taken = 0;

		rc = notification_deliver_due(a, (int)batch, &st, &taken, &e);
		arena_reset(a);
		if (rc != E_OK)
			break;
		if (taken > 0)
			continue;	/* more may be due */
		if (now_us() + POLL_MS * 1000u >= end)
			break;
		nap(POLL_MS);
	}
	log_run(&st, rc, &e);
	arena_free(a);
	db_close_all();
	return rc == E_OK ? 0 : 1;
}
