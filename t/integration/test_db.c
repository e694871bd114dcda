/*
 * test_db.c — see test_db.h.
 */
#include <stdint.h>
#include <check.h>
#include <libpq-fe.h>

#include "core/db.h"
#include "core/error.h"
#include "core/parse.h"
#include "core/util.h"
#include "test_db.h"

static const char *domain;

void
test_db_domain(const char *d)
{
	domain = d;
}

const char *
sql(arena *a, const char *s)
{
	error e;
	db_conn *c;
	PGresult *r;
	const char *v;

	ck_assert_msg(domain != NULL, "test_db_domain() not called");
	err_clear(&e);
	c = db_for(domain, &e);
	ck_assert_msg(c != NULL, "no database: %s", e.message);
	r = PQexec(db_pg(c), s);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK,
	    "%s: %s", s, PQerrorMessage(db_pg(c)));
	v = PQntuples(r) >= 1 && !PQgetisnull(r, 0, 0) ? arena_strdup(a, PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	return v;
}

long long
sql_int(arena *a, const char *s)
{
	const char *v = sql(a, s);
	int64_t n;

	ck_assert_msg(v != NULL, "no value: %s", s);
	ck_assert_msg(parse_i64(v, INT64_MIN, INT64_MAX, &n) == 0, "not a number: %s", v);
	return n;
}

const char *
new_id(arena *a)
{
	char u[37];

	ck_assert_int_eq(uuid_v4(u), 0);
	return arena_strdup(a, u);
}

const char *
last_event(arena *a, const char *schema, const char *aggregate_id, const char *type)
{
	const char *id = sql(a, arena_printf(a, "SELECT id FROM %s.outbox WHERE aggregate_id = '%s'"
	    " AND event_type = 'ecommerce.%s' ORDER BY seq DESC LIMIT 1", schema, aggregate_id, type));

	ck_assert_msg(id != NULL, "no %s event for %s", type, aggregate_id);
	return id;
}
