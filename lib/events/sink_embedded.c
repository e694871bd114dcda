/*
 * sink_embedded.c — the sink of a shop without Kafka (events.h): each
 * event goes straight to every in-tree consumer that wants it, in this
 * process.
 *
 * An event is ok only when every consumer that wants it handled it.  A
 * consumer that failed is remembered per event (failed_by), so the dead
 * letter names it and a replay goes to it alone; the consumers that
 * succeeded get the event again on the retry, which their claim
 * (event_claim) turns into a no-op.
 *
 * Per-aggregate order inside a batch: once a consumer failed an event, it
 * is not handed the later events of that aggregate in the same batch.
 * They are "not tried" (ok false, no error) unless another consumer failed
 * them, so the relay retries them after the failed one without counting
 * an attempt against them.
 */
#include <stdlib.h>
#include <string.h>

#include "events/internal.h"

#define EMBEDDED_MAX_CONSUMERS 64	/* one bit each in a blocked mask */

typedef struct embedded {
	const consumer *const *consumers;
	size_t                 n;
	const char          ***failed;	/* per event of the last batch, in its arena */
	size_t                 nfailed;
} embedded;

/* Whether consumer j must skip event i: it failed or skipped an earlier
 * event of the same aggregate in this batch. */
static bool
held_back(const event *evs, const uint64_t *blocked, size_t i, size_t j)
{
	for (size_t k = 0; k < i; k++)
		if ((blocked[k] >> j & 1) && strcmp(evs[k].aggregate_id, evs[i].aggregate_id) == 0)
			return true;
	return false;
}

/* errors[i] grows by "group: message". */
static void
note_failure(arena *a, embedded *m, size_t i, size_t *nf, const char *group, const char *msg,
    const char **errors)
{
	m->failed[i][(*nf)++] = group;
	errors[i] = errors[i] == NULL ? arena_printf(a, "%s: %s", group, msg)
	    : arena_printf(a, "%s; %s: %s", errors[i], group, msg);
	if (errors[i] == NULL)
		errors[i] = "out of memory";
}

static int
deliver(event_sink *s, arena *a, const event *evs, size_t n, bool *ok, const char **errors)
{
	embedded *m = s->state;
	uint64_t *blocked = arena_calloc(a, n ? n : 1, sizeof *blocked);

	m->failed = arena_calloc(a, n ? n : 1, sizeof *m->failed);
	m->nfailed = 0;
	if (blocked == NULL || m->failed == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t nf = 0;
		bool held = false;

		if (!(m->failed[i] = arena_calloc(a, m->n + 1, sizeof *m->failed[i])))
			return -1;
		m->nfailed = i + 1;
		errors[i] = NULL;
		for (size_t j = 0; j < m->n; j++) {
			const consumer *c = m->consumers[j];
			error ce;

			if (!consumer_wants(c, evs[i].type))
				continue;
			if (held_back(evs, blocked, i, j)) {
				blocked[i] |= UINT64_C(1) << j;
				held = true;
				continue;
			}
			err_clear(&ce);
			if (c->handle(a, &evs[i], &ce) != E_OK) {
				blocked[i] |= UINT64_C(1) << j;
				note_failure(a, m, i, &nf, c->group,
				    ce.message[0] != '\0' ? ce.message : "failed", errors);
			}
		}
		ok[i] = nf == 0 && !held;
	}
	return 0;
}

static const char *const *
failed_by(event_sink *s, size_t i)
{
	embedded *m = s->state;

	return i < m->nfailed ? m->failed[i] : NULL;
}

static void
close_sink(event_sink *s)
{
	if (s != NULL)
		free(s->state);
	free(s);
}

event_sink *
event_sink_embedded(const consumer *const *consumers, error *e)
{
	event_sink *s = calloc(1, sizeof *s);
	embedded *m = calloc(1, sizeof *m);

	if (s == NULL || m == NULL) {
		free(s);
		free(m);
		err_set(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	m->consumers = consumers;
	while (consumers[m->n] != NULL)
		m->n++;
	if (m->n > EMBEDDED_MAX_CONSUMERS) {
		free(s);
		free(m);
		err_set(e, E_INTERNAL, "at most %d consumers", EMBEDDED_MAX_CONSUMERS);
		return NULL;
	}
	s->name = "embedded";
	s->deliver = deliver;
	s->close = close_sink;
	s->failed_by = failed_by;
	s->state = m;
	return s;
}

const consumer *const *
sink_embedded_consumers(const event_sink *s)
{
	return s != NULL && s->deliver == deliver ? ((const embedded *)s->state)->consumers : NULL;
}
