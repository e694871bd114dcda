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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "parse.h"

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
	const char *vals[] = { c->conninfo, timeout, "ecommerce", NULL };

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

/* Map a failed result to the typed error (and remember SQLSTATE). */
static void
map_error(db_conn *c, const PGresult *r, const db_stmt *st, error *e)
{
	const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *cons = r != NULL ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
	const char *col = r != NULL ? PQresultErrorField(r, PG_DIAG_COLUMN_NAME) : NULL;

	snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state != NULL ? state : "");
	snprintf(c->constraint, sizeof c->constraint, "%s", cons != NULL ? cons : "");
	c->retryable = state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0);
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
		ExecStatusType s = PQresultStatus(p);
		if (s != PGRES_COMMAND_OK)
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

	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK && PQstatus(c->pg) == CONNECTION_BAD &&
	    !c->in_tx) {
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
		c->retryable = state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0);
		snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state != NULL ? state : "");
	}
	PQclear(r);
	return ok ? 0 : -1;
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
		simple(c, "ROLLBACK");
		c->in_tx = 0;
		if (!c->retryable || attempt + 1 >= DB_TX_RETRIES)
			return e->code != E_OK ? e->code : E_INTERNAL;
		/* back off 1..8 ms times the attempt, so two retriers drift apart */
		struct timespec ts = { 0, (long)((1 + rand() % 8) * (attempt + 1)) * 1000000L };
		nanosleep(&ts, NULL);
		log_msg(LOG_INFO, "transaction retry %d after %s", attempt + 1, c->sqlstate);
	}
}

int
db_ping(db_conn *c)
{
	PGresult *r;
	int ok;

	if (c == NULL || PQstatus(c->pg) != CONNECTION_OK)
		if (c == NULL || conn_open(c) != 0)
			return -1;
	r = PQexec(c->pg, "SELECT 1");
	ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	if (!ok && PQstatus(c->pg) == CONNECTION_BAD && conn_open(c) == 0) {
		r = PQexec(c->pg, "SELECT 1");
		ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
	}
	return ok ? 0 : -1;
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
