/*
 * relay.c — relay_run (events.h): drain the outboxes into a sink, retry
 * with backoff, park what keeps failing, replay what an admin asked for,
 * and wait for more on LISTEN ecom_outbox.
 *
 * The outbox tables first, then the carts' Redis stream (stream.c), then
 * the replays.  One batch is three short steps, none holding a
 * transaction open while consumers work (in embedded mode they run their
 * own transactions, often on this very connection): lease the rows
 * (outbox_claim), hand them to the sink, record the outcome.  A relay
 * that dies between the last two has delivered without recording it; its
 * lease runs out, another run delivers again, and the consumers' claims
 * make the second time a no-op.  That is the whole of "at least once,
 * once in effect".
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "core/util.h"
#include "events/internal.h"

#define RELAY_POLL_MS	5000	/* waiting: look again this often (rows come due after backoff) */
#define RELAY_ARENA	(256 * 1024)
#define RELAY_CONTENDED_TRIES 500	/* claims in a row that lost a race to other relays */
#define EVENTS_DOMAIN	"events"

typedef struct relay {
	event_sink       *sink;
	const relay_opts *o;
	relay_stats      *st;
	arena            *a;
	uint64_t          deadline;	/* now_us() to stop at, 0 = none */
	bool              fault;	/* ECOM_FAULT=relay_after_deliver (tests) */
} relay;

static bool
stopping(const relay *r)
{
	return (r->o->stop != NULL && *r->o->stop) ||
	    (r->deadline != 0 && now_us() >= r->deadline);
}

/* A PostgreSQL array literal of uuids ("{a,b}"), built in one buffer of
 * room for n ids. */
typedef struct id_list {
	char   *buf;
	size_t  len;
	int64_t n;
} id_list;

static bool
id_list_init(arena *a, id_list *l, size_t n)
{
	l->len = 0;
	l->n = 0;
	l->buf = arena_alloc(a, n * 37 + 3);
	return l->buf != NULL;
}

static void
id_list_add(id_list *l, const char *id)
{
	l->buf[l->len] = l->len == 0 ? '{' : ',';
	memcpy(l->buf + l->len + 1, id, 36);	/* the row's uuid, as PostgreSQL prints it */
	l->len += 37;
	l->n++;
}

/* The literal, or NULL when no id was added. */
static const char *
id_list_end(id_list *l)
{
	if (l->len == 0)
		return NULL;
	l->buf[l->len++] = '}';
	l->buf[l->len] = '\0';
	return l->buf;
}

/* Park ev for every group that failed it ("relay" when the sink names
 * none), then publish the row: parking is idempotent, so a crash between
 * the two only parks it again. */
static ecode
park(relay *r, db_conn *c, int schema, const outbox_row *row, const char *const *groups,
    const char *why, error *e)
{
	static const char *const sink_itself[] = { "relay", NULL };

	if (groups == NULL || groups[0] == NULL)
		groups = sink_itself;
	for (size_t g = 0; groups[g] != NULL; g++) {
		if (dead_letter_park(r->a, &row->ev, groups[g], why, row->attempts + 1, e) != E_OK)
			return e->code;
		r->st->dead++;
		log_msg(LOG_WARN, "event %s (%s) dead-lettered for %s after %lld attempts: %s",
		    row->ev.id, row->ev.type, groups[g], (long long)row->attempts + 1, why);
	}
	return outbox_mark_dead(c, r->a, schema, row->id, why, e);
}

/* A failed row: backoff, or the dead letters once it has had its tries. */
static ecode
failed(relay *r, db_conn *c, int schema, const outbox_row *row, const char *const *groups,
    const char *why, error *e)
{
	if (row->parse_error != NULL || row->attempts + 1 >= EVENT_MAX_ATTEMPTS)
		return park(r, c, schema, row, groups, why, e);
	r->st->failed++;
	return outbox_mark_failed(c, r->a, schema, row->id, why, e);
}

/* Hand the parseable rows to the sink and record every row's outcome. */
static ecode
deliver_batch(relay *r, db_conn *c, int schema, outbox_row *rows, size_t n, error *e)
{
	event *evs = arena_calloc(r->a, n, sizeof *evs);
	size_t *at = arena_calloc(r->a, n, sizeof *at);
	bool *ok = arena_calloc(r->a, n, sizeof *ok);
	const char **why = arena_calloc(r->a, n, sizeof *why), *ids;
	id_list done, held;
	size_t m = 0;

	if (!evs || !at || !ok || !why || !id_list_init(r->a, &done, n) ||
	    !id_list_init(r->a, &held, n))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (rows[i].parse_error == NULL) {
			evs[m] = rows[i].ev;
			at[m++] = i;
		}
	if (m > 0 && r->sink->deliver(r->sink, r->a, evs, m, ok, why) != 0) {
		/* the sink is down, not the events: give the leases back
		 * uncounted and let the next run try */
		for (size_t k = 0; k < m; k++)
			id_list_add(&held, rows[at[k]].id);
		outbox_release(c, r->a, schema, id_list_end(&held), e);
		return err_set(e, E_UNAVAILABLE, "the %s sink is unavailable", r->sink->name);
	}
	if (r->fault)	/* tests: the worst moment to die */
		_exit(3);
	for (size_t k = 0; k < m; k++) {
		if (ok[k])
			id_list_add(&done, rows[at[k]].id);
		else if (why[k] == NULL)
			id_list_add(&held, rows[at[k]].id);
		else if (failed(r, c, schema, &rows[at[k]],
		    r->sink->failed_by != NULL ? r->sink->failed_by(r->sink, k) : NULL,
		    why[k], e) != E_OK)
			return e->code;
	}
	for (size_t i = 0; i < n; i++)
		if (rows[i].parse_error != NULL &&
		    failed(r, c, schema, &rows[i], NULL, rows[i].parse_error, e) != E_OK)
			return e->code;
	if ((ids = id_list_end(&done)) != NULL) {
		if (outbox_mark_published(c, r->a, schema, ids, e) != E_OK)
			return e->code;
		r->st->published += done.n;
	}
	if ((ids = id_list_end(&held)) != NULL &&
	    outbox_release(c, r->a, schema, ids, e) != E_OK)
		return e->code;
	return E_OK;
}

/* Batches from one outbox until it has nothing due (or the run ends). */
static ecode
drain(relay *r, int schema, error *e)
{
	db_conn *c;
	bool exists;
	int tries = 0;

	if (!(c = db_for(outbox_schemas[schema], e)) ||
	    outbox_exists(c, r->a, schema, &exists, e) != E_OK)
		return e->code;
	while (exists && !stopping(r)) {
		outbox_row *rows;
		size_t n;
		bool contended;

		arena_reset(r->a);
		if (outbox_claim(c, r->a, schema, r->o->batch, &rows, &n, &contended, e) != E_OK)
			return e->code;
		if (n == 0 && contended && tries++ < RELAY_CONTENDED_TRIES) {
			/* another relay's statement is about to let go: not empty */
			usleep(1000u + (unsigned)(now_us() % 4000u));
			continue;
		}
		if (n == 0)
			break;
		tries = 0;
		if (deliver_batch(r, c, schema, rows, n, e) != E_OK)
			return e->code;
	}
	arena_reset(r->a);
	return E_OK;
}

/* One requested replay: through the consumer, or (c NULL) the sink. */
static const char *
replay_one(relay *r, const consumer *c, const dead_letter *d)
{
	event ev;
	error pe;
	bool ok = false;
	const char *why = NULL;

	err_clear(&pe);
	if (dead_letter_event(r->a, d, &ev, &pe) != E_OK)
		return arena_strdup(r->a, pe.message);
	if (c != NULL)
		return c->handle(r->a, &ev, &pe) == E_OK ? NULL :
		    arena_strdup(r->a, pe.message[0] != '\0' ? pe.message : "failed");
	if (r->sink->deliver(r->sink, r->a, &ev, 1, &ok, &why) != 0)
		return arena_printf(r->a, "the %s sink is unavailable", r->sink->name);
	return ok ? NULL : why != NULL ? why : "held back";
}

static ecode
replay_group(relay *r, const char *group, const consumer *c, error *e)
{
	ecode rc = E_OK;

	for (;;) {
		dead_letter *d;
		size_t n;

		arena_reset(r->a);
		if (stopping(r) ||
		    (rc = dead_letter_take_replays(r->a, group, r->o->batch, &d, &n, e)) != E_OK ||
		    n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			const char *why = replay_one(r, c, &d[i]);

			if (dead_letter_mark_replayed(r->a, d[i].id, why, e) != E_OK)
				return e->code;
			r->st->replayed += why == NULL;
			log_msg(why == NULL ? LOG_INFO : LOG_WARN, "dead letter %s replay for %s: %s",
			    d[i].id, group, why == NULL ? "handled" : why);
		}
	}
	arena_reset(r->a);
	return rc;
}

/* The sink's own dead letters go through the sink again; in embedded
 * mode each consumer's go to that consumer. */
static ecode
replays(relay *r, error *e)
{
	const consumer *const *cs = sink_embedded_consumers(r->sink);

	if (replay_group(r, "relay", NULL, e) != E_OK)
		return e->code;
	for (size_t i = 0; cs != NULL && cs[i] != NULL; i++)
		if (replay_group(r, cs[i]->group, cs[i], e) != E_OK)
			return e->code;
	return E_OK;
}

/* The carts' Redis stream (stream.c), batch after batch while it yields
 * something new (entries that failed come back only after a while). */
static ecode
drain_stream(relay *r, error *e)
{
	ecode rc = E_OK;

	while (!stopping(r)) {
		int64_t before = r->st->published + r->st->failed + r->st->dead;

		arena_reset(r->a);
		if ((rc = relay_stream(r->sink, r->a, r->o->batch, r->st, e)) != E_OK ||
		    r->st->published + r->st->failed + r->st->dead == before)
			break;
	}
	arena_reset(r->a);
	return rc;
}

static ecode
pass(relay *r, error *e)
{
	for (int s = 0; s < OUTBOX_NSCHEMAS && !stopping(r); s++)
		if (drain(r, s, e) != E_OK)
			return e->code;
	if (drain_stream(r, e) != E_OK)
		return e->code;
	return stopping(r) ? E_OK : replays(r, e);
}

/* ------------------------------------------------------------ waiting */

/* The distinct connections of the outboxes and the dead letters, each
 * listening on ecom_outbox.  A reconnect (db.c does it by itself) drops
 * the LISTEN; the backend's pid tells, and the next round listens again. */
typedef struct listener {
	db_conn *c;
	int      pid;	/* backend that ran LISTEN, 0 = none */
} listener;

static size_t
listen_all(listener *ls, size_t n)
{
	for (int s = 0; s <= OUTBOX_NSCHEMAS; s++) {
		error e;
		db_conn *c;
		size_t k = 0;

		err_clear(&e);
		if (!(c = db_for(s < OUTBOX_NSCHEMAS ? outbox_schemas[s] : EVENTS_DOMAIN, &e)))
			continue;	/* down now; the pass reports it */
		while (k < n && ls[k].c != c)
			k++;
		if (k == n)
			ls[n++] = (listener){ c, 0 };
		if (ls[k].pid != PQbackendPID(db_pg(c))) {
			PGresult *res = PQexec(db_pg(c), "LISTEN ecom_outbox");

			ls[k].pid = PQresultStatus(res) == PGRES_COMMAND_OK ? PQbackendPID(db_pg(c)) : 0;
			PQclear(res);
		}
	}
	return n;
}

/* Whether a notification is waiting on any listener (all are consumed). */
static bool
notified(const listener *ls, size_t n)
{
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		PGconn *pg = db_pg(ls[i].c);
		PGnotify *no;

		if (pg == NULL || PQconsumeInput(pg) != 1)
			continue;
		while ((no = PQnotifies(pg)) != NULL) {
			any = true;
			PQfreemem(no);
		}
	}
	return any;
}

/* Sleep until NOTIFY, a signal, or ms pass. */
static void
wait_for_events(const listener *ls, size_t n, int ms)
{
	struct pollfd pf[OUTBOX_NSCHEMAS + 1];
	nfds_t np = 0;

	if (notified(ls, n))
		return;
	for (size_t i = 0; i < n; i++) {
		PGconn *pg = db_pg(ls[i].c);

		if (pg != NULL && PQsocket(pg) >= 0)
			pf[np++] = (struct pollfd){ PQsocket(pg), POLLIN, 0 };
	}
	if (poll(pf, np, ms) > 0)
		notified(ls, n);
}

/* ------------------------------------------------------------ the run */

ecode
relay_run(event_sink *sink, const relay_opts *o, relay_stats *st, error *e)
{
	listener ls[OUTBOX_NSCHEMAS + 1] = { { NULL, 0 } };
	size_t nl = 0;
	const char *f = config_raw("ECOM_FAULT");
	relay r = { sink, o, st, NULL, 0, false };
	ecode rc = E_OK;

	memset(st, 0, sizeof *st);
	if (o->batch < 1 || o->batch > EVENT_BATCH_MAX || o->budget_ms < 0)
		return err_set(e, E_INVALID_PARAMETER, "batch must be 1..%d, budget 0 or more",
		    EVENT_BATCH_MAX);
	r.fault = f != NULL && strcmp(f, "relay_after_deliver") == 0 &&
	    strcmp(cfg->env, "test") == 0;
	if (o->budget_ms > 0)
		r.deadline = now_us() + (uint64_t)o->budget_ms * 1000u;
	if (!(r.a = arena_new(RELAY_ARENA)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (;;) {
		uint64_t left;

		/* LISTEN before the pass: a NOTIFY during it must wake the wait */
		if (o->follow || o->budget_ms > 0)
			nl = listen_all(ls, nl);
		if ((rc = pass(&r, e)) != E_OK || stopping(&r) || nl == 0)
			break;
		left = r.deadline == 0 ? UINT64_MAX : r.deadline - now_us();
		wait_for_events(ls, nl, left / 1000u < RELAY_POLL_MS ? (int)(left / 1000u) + 1 :
		    RELAY_POLL_MS);
	}
	arena_free(r.a);
	return rc;
}
