/*
 * db.c — PostgreSQL connections, prepared statements and transactions (db.h).
 *
 * Connections are opened lazily, one per distinct conninfo, and kept for
 * the life of the process.  A statement is prepared the first time it runs
 * on a connection "generation"; after a reconnect the generation changes and
 * statements prepare again.  Outside a transaction a lost connection is
 * reopened once and the statement retried, so a PostgreSQL restart costs a
 * responder one slow request rather than a crash.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <sys/random.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "parse.h"
#include "util.h"

#define MAX_CONNS 16

struct db_conn {
	char     *conninfo;
	PGconn   *pg;
	unsigned  gen;		/* bumped on every (re)connect */
	int       in_tx;
	int       retryable;
	char      sqlstate[6];
	char      constraint[64];
};

static db_conn conns[MAX_CONNS];
static int nconns;

/* Server notices ("relation already exists, skipping") are for the debug
 * log, not for a responder's stderr or a tool's terminal. */
static void
notice_to_log(void *arg, const char *message)
{
	(void)arg;
	log_msg(LOG_DEBUG, "postgres: %s", message);
}

static int
conn_open(db_conn *c)
{
	char timeout[16];
	const char *keys[] = { "dbname", "connect_timeout", "application_name", NULL };
	/* the program's name ("catalog.fcgi", "ecomctl") tells pg_stat_activity
	 * which responder holds a connection */
	const char *vals[] = { c->conninfo, timeout, program_invocation_short_name, NULL };

	snprintf(timeout, sizeof timeout, "%lld", (long long)cfg->db_timeout_s);
	if (c->pg != NULL)
		PQfinish(c->pg);
	/* expand_dbname=1: the "dbname" value is a full conninfo string */
	c->pg = PQconnectdbParams(keys, vals, 1);
	c->gen++;
	c->in_tx = 0;
	if (PQstatus(c->pg) != CONNECTION_OK) {
		log_msg(LOG_ERROR, "database connection failed: %s", PQerrorMessage(c->pg));
		return -1;
	}
	PQsetNoticeProcessor(c->pg, notice_to_log, NULL);
	return 0;
}

db_conn *
db_for(const char *domain, error *e)
{
	char key[96];
	const char *url;
	db_conn *c = NULL;

	snprintf(key, sizeof key, "ECOM_DB_URL_");
	for (size_t i = 0, o = strlen(key); domain[i] != '\0' && o < sizeof key - 1; i++, o++) {
		key[o] = (char)(domain[i] >= 'a' && domain[i] <= 'z' ? domain[i] - 32 : domain[i]);
		key[o + 1] = '\0';
	}
	url = config_raw(key);
	if (url == NULL || *url == '\0')
		url = cfg->db_url;
	for (int i = 0; i < nconns; i++)
		if (strcmp(conns[i].conninfo, url) == 0)
			c = &conns[i];
	if (c == NULL) {
		if (nconns == MAX_CONNS) {
			err_set(e, E_INTERNAL, "too many database connections");
			return NULL;
		}
		c = &conns[nconns];
		c->conninfo = strdup(url);
		if (c->conninfo == NULL) {
			err_set(e, E_INTERNAL, "out of memory");
			return NULL;
		}
		nconns++;
	}
	if (c->pg == NULL || (PQstatus(c->pg) != CONNECTION_OK && !c->in_tx)) {
		if (conn_open(c) != 0) {
			err_set(e, E_UNAVAILABLE, "the database is unavailable; try again shortly");
			return NULL;
		}
	}
	return c;
}

PGconn *
db_pg(db_conn *c)
{
	return c->pg;
}

static void
clear_result(void *p)
{
	PQclear(p);
}

static int
state_retryable(const char *state)
{
	return state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0);
}

/* Whether a failed result means the connection is gone: libpq noticed
 * (CONNECTION_BAD), or the server said so (class 08, or 57P01-57P03 when
 * an administrator or a restart ended the backend). */
static int
conn_lost(const db_conn *c, const PGresult *r)
{
	const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	return PQstatus(c->pg) == CONNECTION_BAD || state == NULL ||
	    strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0;
}

/* Map a failed result to the typed error (and remember SQLSTATE). */
static void
map_error(db_conn *c, const PGresult *r, const db_stmt *st, error *e)
{
	const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *cons = r != NULL ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
	const char *col = r != NULL ? PQresultErrorField(r, PG_DIAG_COLUMN_NAME) : NULL;

	snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state != NULL ? state : "");
	snprintf(c->constraint, sizeof c->constraint, "%s", cons != NULL ? cons : "");
	/* inside a transaction the first failure decides: after a 40001 every
	 * later statement fails with 25P02, and the retry must not be lost */
	if (!c->in_tx || !c->retryable)
		c->retryable = state_retryable(state);
	/* client mistakes and retryable conflicts are expected; the rest is ours */
	log_msg(state != NULL && state[0] == '2' ? LOG_INFO : c->retryable ? LOG_WARN : LOG_ERROR,
	    "sql %s failed [%s]: %s",
	    st != NULL ? st->name : "-", c->sqlstate, PQerrorMessage(c->pg));
	if (state == NULL) {
		err_set(e, E_UNAVAILABLE, "the database is unavailable; try again shortly");
	} else if (strcmp(state, "23505") == 0) {
		err_set(e, E_ALREADY_EXISTS, "%s already exists", cons != NULL ? cons : "the record");
	} else if (strcmp(state, "23503") == 0) {
		err_set(e, E_VALIDATION, "a referenced record does not exist (%s)", cons != NULL ? cons : "foreign key");
	} else if (strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0) {
		err_set(e, E_VALIDATION, "a value is out of range (%s)",
		    cons != NULL ? cons : col != NULL ? col : "check");
	} else if (strcmp(state, "22P02") == 0 || strcmp(state, "22001") == 0 ||
	    strcmp(state, "22003") == 0 || strcmp(state, "22007") == 0 || strcmp(state, "22008") == 0) {
		err_set(e, E_VALIDATION, "a value has the wrong format or size");
	} else if (c->retryable) {
		err_set(e, E_CONFLICT, "the record changed concurrently; try again");
	} else if (strcmp(state, "57014") == 0 || strncmp(state, "08", 2) == 0 ||
	    strcmp(state, "57P01") == 0) {
		err_set(e, E_UNAVAILABLE, "the database is unavailable; try again shortly");
	} else {
		err_set(e, E_INTERNAL, "database error");
	}
}

static PGresult *
exec_once(db_conn *c, db_stmt *st, const char *const *params)
{
	if (st->prepared_on != c || st->prepared_gen != c->gen) {
		PGresult *p = PQprepare(c->pg, st->name, st->sql, st->nparams, NULL);
		const char *state = PQresultErrorField(p, PG_DIAG_SQLSTATE);
		/* 42P05: already prepared on this connection, by a statement
		 * value that last ran on another connection; the name is the
		 * statement, so the one there is ours */
		if (PQresultStatus(p) != PGRES_COMMAND_OK &&
		    (state == NULL || strcmp(state, "42P05") != 0 || c->in_tx))
			return p;	/* the caller maps the failure */
		PQclear(p);
		st->prepared_on = c;
		st->prepared_gen = c->gen;
	}
	return PQexecPrepared(c->pg, st->name, st->nparams, params, NULL, NULL, 0);
}

PGresult *
db_exec(db_conn *c, arena *a, db_stmt *st, const char *const *params, error *e)
{
	PGresult *r = exec_once(c, st, params);
	ExecStatusType s = PQresultStatus(r);

	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK && !c->in_tx && conn_lost(c, r)) {
		PQclear(r);
		log_msg(LOG_WARN, "database connection lost; reconnecting");
		if (conn_open(c) != 0) {
			err_set(e, E_UNAVAILABLE, "the database is unavailable; try again shortly");
			return NULL;
		}
		r = exec_once(c, st, params);
		s = PQresultStatus(r);
	}
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		map_error(c, r, st, e);
		PQclear(r);
		return NULL;
	}
	c->retryable = 0;
	if (arena_defer(a, clear_result, r) != 0) {
		err_set(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	return r;
}

int
db_retryable(const db_conn *c)
{
	return c->retryable;
}

const char *
db_last_sqlstate(const db_conn *c)
{
	return c->sqlstate;
}

const char *
db_last_constraint(const db_conn *c)
{
	return c->constraint;
}

static int
simple(db_conn *c, const char *sql)
{
	PGresult *r = PQexec(c->pg, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		if (!c->retryable)
			c->retryable = state_retryable(state);
		snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state != NULL ? state : "");
		log_msg(c->retryable ? LOG_WARN : LOG_ERROR, "sql %s failed [%s]: %s", sql,
		    c->sqlstate, PQerrorMessage(c->pg));
	}
	PQclear(r);
	return ok ? 0 : -1;
}

/* Sleep 1..8 ms times the attempt number.  The jitter comes from the
 * kernel, not rand(): every FastCGI worker would start rand() from the same
 * seed, and two retriers in lockstep would collide again. */
static void
backoff(int attempt)
{
	unsigned char j = 0;
	struct timespec ts;

	if (getrandom(&j, 1, GRND_NONBLOCK) != 1)
		j = (unsigned char)attempt;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(1 + j % 8) * (attempt + 1) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

ecode
db_tx(db_conn *c, arena *a, db_tx_fn fn, void *ud, error *e)
{
	for (int attempt = 0;; attempt++) {
		ecode rc;

		if (PQstatus(c->pg) != CONNECTION_OK && conn_open(c) != 0)
			return err_set(e, E_UNAVAILABLE, "the database is unavailable; try again shortly");
		if (simple(c, "BEGIN") != 0)
			return err_set(e, E_UNAVAILABLE, "the database is unavailable; try again shortly");
		c->in_tx = 1;
		c->retryable = 0;
		err_clear(e);
		rc = fn(c, a, ud, e);
		if (rc == E_OK && simple(c, "COMMIT") == 0) {
			c->in_tx = 0;
			return E_OK;
		}
		if (rc == E_OK)
			err_set(e, c->retryable ? E_CONFLICT : E_INTERNAL, "the transaction could not commit");
		if (PQstatus(c->pg) == CONNECTION_OK)	/* a lost connection rolled back already */
			simple(c, "ROLLBACK");
		c->in_tx = 0;
		if (!c->retryable || attempt + 1 >= DB_TX_RETRIES)
			return e->code != E_OK ? e->code : E_INTERNAL;
		log_msg(LOG_INFO, "transaction retry %d after %s", attempt + 1, c->sqlstate);
		backoff(attempt);
	}
}

/*
 * One SELECT 1 that gives up after PING_TIMEOUT_MS: a server that accepts
 * the connection but never answers (a full disk, a stopped VM) must turn
 * /health/ready into a 503, not hang the load balancer's probe.  On timeout
 * the connection is dropped, since a reply may still be on its way; the
 * next user reconnects.  0 ok, -1 failed.
 */
#define PING_TIMEOUT_MS 2000

static int
ping_once(db_conn *c)
{
	uint64_t deadline = now_us() + PING_TIMEOUT_MS * 1000u;
	PGresult *r;
	int ok = 0;

	if (PQsendQuery(c->pg, "SELECT 1") != 1)
		return -1;
	while (PQisBusy(c->pg)) {
		struct pollfd pf = { PQsocket(c->pg), POLLIN, 0 };
		uint64_t now = now_us();
		int n = now < deadline ? poll(&pf, 1, (int)((deadline - now) / 1000u) + 1) : 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_msg(LOG_WARN, "database ping timed out; dropping the connection");
			PQfinish(c->pg);
			c->pg = NULL;
			c->in_tx = 0;
			return -1;
		}
		if (PQconsumeInput(c->pg) != 1)
			break;
	}
	while ((r = PQgetResult(c->pg)) != NULL) {
		ok |= PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
	}
	return ok ? 0 : -1;
}

int
db_ping(db_conn *c)
{
	if (c == NULL)
		return -1;
	if (PQstatus(c->pg) != CONNECTION_OK && conn_open(c) != 0)
		return -1;
	if (ping_once(c) == 0)
		return 0;
	/* one reconnect, as for statements: the server may just have restarted
	 * (not after a timeout: a hung server would only hang again) */
	if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_OK || conn_open(c) != 0)
		return -1;
	return ping_once(c);
}

void
db_close_all(void)
{
	for (int i = 0; i < nconns; i++) {
		PQfinish(conns[i].pg);
		free(conns[i].conninfo);
		conns[i].pg = NULL;
		conns[i].conninfo = NULL;
	}
	nconns = 0;
}

const char *
db_val(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

int64_t
db_i64(const PGresult *r, int row, int col)
{
	int64_t v = 0;

	if (!PQgetisnull(r, row, col))
		parse_i64(PQgetvalue(r, row, col), INT64_MIN, INT64_MAX, &v);
	return v;
}

int
db_bool(const PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}
