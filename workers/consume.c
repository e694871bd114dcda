/*
 * consume.c — one in-tree consumer as a Kafka consumer group
 * (events.h: consume_run).
 *
 *   consume --group NAME [--budget SECONDS]
 *
 * NAME is a consumer of workers/consumers.c ("notifier", "search-indexer",
 * ...).  Without --budget it runs until SIGTERM (the notifier, under a
 * supervisor); with it, it stops after that many seconds (the search
 * indexer from cron).  Only meaningful with ECOM_KAFKA_BROKERS: without
 * Kafka the relay hands events to the consumers itself.  One JSON log line
 * per run.  Exit status 0, 1 when the run failed, 2 for a bad command line
 * or an unknown group.
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

static void
list_groups(void)
{
	fprintf(stderr, "groups:");
	for (size_t i = 0; worker_consumers[i] != NULL; i++)
		fprintf(stderr, " %s", worker_consumers[i]->group);
	fprintf(stderr, "\n");
}

static int
usage(void)
{
	fprintf(stderr, "usage: consume --group NAME [--budget SECONDS]\n");
	list_groups();
	return 2;
}

static const consumer *
find(const char *group)
{
	for (size_t i = 0; worker_consumers[i] != NULL; i++)
		if (strcmp(worker_consumers[i]->group, group) == 0)
			return worker_consumers[i];
	return NULL;
}

static void
log_run(const consumer *c, const relay_stats *st, ecode rc, const error *e)
{
	json_object *f = json_object_new_object();

	if (f != NULL) {
		json_object_object_add(f, "group", json_object_new_string(c->group));
		json_object_object_add(f, "handled", json_object_new_int64(st->published));
		json_object_object_add(f, "failed", json_object_new_int64(st->failed));
		json_object_object_add(f, "dead", json_object_new_int64(st->dead));
		json_object_object_add(f, "replayed", json_object_new_int64(st->replayed));
		if (rc != E_OK)
			json_object_object_add(f, "error", json_object_new_string(e->message));
	}
	log_fields(rc == E_OK ? LOG_INFO : LOG_ERROR, rc == E_OK ? "consume run done" :
	    "consume run failed", f);
	json_object_put(f);
}

int
main(int argc, char **argv)
{
	consume_opts o = { NULL, 0, 0, &worker_stop };
	relay_stats st = { 0, 0, 0, 0 };
	const char *group = NULL;
	const consumer *c;
	error e;
	ecode rc;
	int64_t v;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--group") == 0 && i + 1 < argc) {
			group = argv[++i];
		} else if (strcmp(argv[i], "--budget") == 0 && i + 1 < argc &&
		    parse_i64(argv[i + 1], 1, 86400, &v) == 0) {
			o.budget_ms = v * 1000;
			i++;
		} else {
			return usage();
		}
	}
	if (group == NULL)
		return usage();
	if (!(c = find(group))) {
		fprintf(stderr, "consume: no consumer group \"%s\"; ", group);
		list_groups();
		return 2;
	}
	if (config_init() != 0)
		return 1;
	settings_site_register();
	log_init("consume", cfg->log_level);
	if (cfg->kafka_brokers[0] == '\0') {
		fprintf(stderr, "consume: ECOM_KAFKA_BROKERS is not set; without Kafka the relay"
		    " hands events to the consumers itself\n");
		return 1;
	}
	o.brokers = cfg->kafka_brokers;
	worker_catch_term();
	err_clear(&e);
	rc = consume_run(c, &o, &st, &e);
	log_run(c, &st, rc, &e);
	db_close_all();
	return rc == E_OK ? 0 : 1;
}
