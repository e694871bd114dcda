/*
 * stream.c — the relay's side of the Redis outbox stream (OUTBOX_STREAM in
 * core/outbox.h), where domains that keep their state in Redis (carts)
 * append their events in the same script as the change.
 *
 * The stream is read through the consumer group "relay", so several
 * relays share it and an entry is delivered by one of them at a time.
 * An entry read but not acknowledged — its relay died, or the sink
 * refused it — stays pending and is claimed again (XAUTOCLAIM) once it has
 * been idle STREAM_RETRY_MS.  A delivered entry is acknowledged and
 * deleted; one that failed EVENT_MAX_ATTEMPTS deliveries, or that is not
 * an event at all, is parked in the dead letters and deleted.  Delivery
 * is at least once, like the tables'.  Order: one relay hands a cart's
 * events over in stream order; should two relays interleave one cart,
 * consumers can tell by the cart's `version` in each event's data.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/outbox.h"
#include "core/redis.h"
#include "events/events.h"

#define STREAM_GROUP		"relay"
#define STREAM_RETRY_MS		"30000"

static const char ensure_group_lua[] =
	"pcall(redis.call, 'XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')\n"
	"return 1\n";

typedef struct entry {
	const char *id;		/* stream entry id */
	bool        parsed;
} entry;

static redisReply *
cmd(arena *a, error *e, int argc, const char **argv)
{
	size_t lens[16];

	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	return redis_argv(a, e, argc, argv, lens);
}

/* Acknowledge and delete one entry. */
static ecode
done(arena *a, const char *id, error *e)
{
	const char *ack[] = { "XACK", OUTBOX_STREAM, STREAM_GROUP, id };
	const char *del[] = { "XDEL", OUTBOX_STREAM, id };

	if (cmd(a, e, 4, ack) == NULL || cmd(a, e, 3, del) == NULL)
		return e->code;
	return E_OK;
}

/* How many times the group has handed id out (0 if it is not pending). */
static int64_t
deliveries(arena *a, const char *id, error *e)
{
	const char *argv[] = { "XPENDING", OUTBOX_STREAM, STREAM_GROUP, id, id, "1" };
	redisReply *r = cmd(a, e, 6, argv);

	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 1 ||
	    r->element[0]->type != REDIS_REPLY_ARRAY || r->element[0]->elements != 4 ||
	    r->element[0]->element[3]->type != REDIS_REPLY_INTEGER)
		return 0;
	return r->element[0]->element[3]->integer;
}

/* Entries [[id, [field, value, ...]], ...] into evs/ents from position *n. */
static void
take(arena *a, const redisReply *list, event *evs, entry *ents, size_t max, size_t *n,
    relay_stats *st)
{
	for (size_t i = 0; list != NULL && list->type == REDIS_REPLY_ARRAY &&
	    i < list->elements && *n < max; i++) {
		const redisReply *it = list->element[i], *f;
		const char *payload = NULL;
		error e;

		if (it->type != REDIS_REPLY_ARRAY || it->elements != 2 ||
		    it->element[0]->type != REDIS_REPLY_STRING)
			continue;	/* deleted meanwhile */
		f = it->element[1];
		for (size_t k = 0; f->type == REDIS_REPLY_ARRAY && k + 1 < f->elements; k += 2)
			if (f->element[k]->type == REDIS_REPLY_STRING &&
			    strcmp(f->element[k]->str, "e") == 0 &&
			    f->element[k + 1]->type == REDIS_REPLY_STRING)
				payload = f->element[k + 1]->str;
		ents[*n].id = arena_strdup(a, it->element[0]->str);
		err_clear(&e);
		ents[*n].parsed = payload != NULL &&
		    event_parse(a, payload, strlen(payload), &evs[*n], &e) == E_OK;
		if (!ents[*n].parsed) {
			/* not an event: nothing will ever deliver it */
			log_msg(LOG_ERROR, "relay: stream entry %s is no event (%s); dropped",
			    ents[*n].id, payload == NULL ? "no field e" : e.message);
			err_clear(&e);
			if (ents[*n].id != NULL && done(a, ents[*n].id, &e) == E_OK)
				st->dead++;
			continue;
		}
		(*n)++;
	}
}

/* Dead-letter evs[i] for each group that failed it (or "relay"). */
static ecode
park(event_sink *sink, arena *a, const event *ev, size_t i, const char *why, int64_t tries,
    error *e)
{
	const char *const relay[] = { "relay", NULL };
	const char *const *groups = sink->failed_by != NULL ? sink->failed_by(sink, i) : NULL;

	for (const char *const *g = groups != NULL && *groups != NULL ? groups : relay; *g; g++)
		if (dead_letter_park(a, ev, *g, why != NULL ? why : "failed", tries, e) != E_OK)
			return e->code;
	return E_OK;
}

ecode
relay_stream(event_sink *sink, arena *a, int batch, relay_stats *st, error *e)
{
	const char *keys_group[] = { "EVAL", ensure_group_lua, "1", OUTBOX_STREAM, STREAM_GROUP };
	char me[96], count[24], host[64] = "relay";
	const char *claim[] = { "XAUTOCLAIM", OUTBOX_STREAM, STREAM_GROUP, me, STREAM_RETRY_MS,
	    "0-0", "COUNT", count };
	const char *read[] = { "XREADGROUP", "GROUP", STREAM_GROUP, me, "COUNT", count,
	    "STREAMS", OUTBOX_STREAM, ">" };
	redisReply *r;
	event *evs;
	entry *ents;
	bool *ok;
	const char **errs;
	size_t n = 0, max;

	if (batch < 1 || batch > EVENT_BATCH_MAX)
		batch = EVENT_BATCH_MAX;
	max = (size_t)batch;
	gethostname(host, sizeof host - 1);
	snprintf(me, sizeof me, "%s:%ld", host, (long)getpid());
	snprintf(count, sizeof count, "%d", batch);
	if (cmd(a, e, 5, keys_group) == NULL)
		return e->code;
	evs = arena_calloc(a, max, sizeof *evs);
	ents = arena_calloc(a, max, sizeof *ents);
	ok = arena_calloc(a, max, sizeof *ok);
	errs = arena_calloc(a, max, sizeof *errs);
	if (evs == NULL || ents == NULL || ok == NULL || errs == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	/* first what others (or this relay, earlier) left pending too long */
	if ((r = cmd(a, e, 8, claim)) == NULL)
		return e->code;
	if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2)
		take(a, r->element[1], evs, ents, max, &n, st);
	if (n < max) {
		snprintf(count, sizeof count, "%zu", max - n);
		if ((r = cmd(a, e, 9, read)) == NULL)
			return e->code;
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
		    r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements == 2)
			take(a, r->element[0]->element[1], evs, ents, max, &n, st);
	}
	if (n == 0)
		return E_OK;
	if (sink->deliver(sink, a, evs, n, ok, errs) != 0)
		return err_set(e, E_UNAVAILABLE, "the %s sink is unavailable", sink->name);
	for (size_t i = 0; i < n; i++) {
		int64_t tries;

		if (ok[i]) {
			if (done(a, ents[i].id, e) != E_OK)
				return e->code;
			st->published++;
			continue;
		}
		st->failed++;
		tries = deliveries(a, ents[i].id, e);
		if (tries < EVENT_MAX_ATTEMPTS)
			continue;	/* claimed again after STREAM_RETRY_MS */
		if (park(sink, a, &evs[i], i, errs[i], tries, e) != E_OK ||
		    done(a, ents[i].id, e) != E_OK)
			return e->code;
		st->dead++;
	}
	return E_OK;
}
