/*
 * relay.c — the outbox relay worker (events.h: relay_run).
 *
 *   relay [--follow] [--budget SECONDS] [--batch N]
 *
 * From cron, once a minute with the default budget of 55 s: drain every
 * outbox, then keep waiting on LISTEN ecom_outbox until the budget ends,
 * so an event goes out within moments rather than at the next minute.
 * --budget 0 drains once and exits; --follow runs until SIGTERM (./serve).
 * SIGTERM or SIGINT ends the run after the current batch.
 *
 * The sink is Kafka when ECOM_KAFKA_BROKERS is set, else the in-tree
 * consumers of workers/consumers.c, called in this process.  One JSON log
 * line per run: published, failed, dead, replayed.  Exit status 0, or 1
 * when the run failed (cron mails it), 2 for a bad command line.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "consumers.h"
#include "worker.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/parse.h"
#include "settings/settings.h"

#define DEFAULT_BUDGET_S	55
#define DEFAULT_BATCH		100

static int
usage(void)
{
	fprintf(stderr, "usage: relay [--follow] [--budget SECONDS] [--batch 1..%d]\n",
	    EVENT_BATCH_MAX);
	return 2;
}

static int
parse_args(int argc, char **argv, relay_opts *o)
{
	int64_t v;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--follow") == 0) {
			o->follow = true;
			o->budget_ms = 0;
		} else if (strcmp(argv[i], "--budget") == 0 && i + 1 < argc &&
		    parse_i64(argv[i + 1], 0, 86400, &v) == 0) {
			o->budget_ms = v * 1000;
			i++;
		} else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc &&
		    parse_i64(argv[i + 1], 1, EVENT_BATCH_MAX, &v) == 0) {
			o->batch = (int)v;
			i++;
		} else {
			return -1;
		}
	}
	if (o->follow)
		o->budget_ms = 0;
	return 0;
}

static void
log_run(const event_sink *sink, const relay_stats *st, ecode rc, const error *e)
{
	json_object *f = json_object_new_object();

	if (f != NULL) {
		json_object_object_add(f, "sink", json_object_new_string(sink->name));
		json_object_object_add(f, "published", json_object_new_int64(st->published));
		json_object_object_add(f, "failed", json_object_new_int64(st->failed));
		json_object_object_add(f, "dead", json_object_new_int64(st->dead));
		json_object_object_add(f, "replayed", json_object_new_int64(st->replayed));
		if (rc != E_OK)
			json_object_object_add(f, "error", json_object_new_string(e->message));
	}
	log_fields(rc == E_OK ? LOG_INFO : LOG_ERROR, rc == E_OK ? "relay run done" :
	    "relay run failed", f);
	json_object_put(f);
}

int
main(int argc, char **argv)
{
	relay_opts o = { DEFAULT_BATCH, DEFAULT_BUDGET_S * 1000, false, &worker_stop };
	relay_stats st = { 0, 0, 0, 0 };
	event_sink *sink;
	error e;
	ecode rc;

	if (parse_args(argc, argv, &o) != 0)
		return usage();
	if (config_init() != 0)
		return 1;
	settings_site_register();
	log_init("relay", cfg->log_level);
	worker_catch_term();
	err_clear(&e);
	sink = cfg->kafka_brokers[0] != '\0' ? event_sink_kafka(cfg->kafka_brokers, &e)
	    : event_sink_embedded(worker_consumers, &e);
	if (sink == NULL) {
		log_msg(LOG_ERROR, "relay: no sink: %s", e.message);
		return 1;
	}
	rc = relay_run(sink, &o, &st, &e);
	log_run(sink, &st, rc, &e);
	sink->close(sink);
	db_close_all();
	return rc == E_OK ? 0 : 1;
}
