/*
 * test_db.h — fixed SQL against the shop's database for the integration
 * suites (test plumbing, not application code: plain libpq, no prepared
 * statements, a failure fails the test).
 *
 * A suite names the domain whose connection it uses (db_for) once, in
 * main(), with test_db_domain(); the values come back copied into the
 * arena the caller passes, so they live as long as the test's arena.
 */
#ifndef ECOM_T_TEST_DB_H
#define ECOM_T_TEST_DB_H

#include "core/arena.h"

/* The domain of the database sql() runs in ("audit", "orders", ...). */
void test_db_domain(const char *domain);

/* Run s; the first column of the first row, or NULL (no row, or NULL). */
const char *sql(arena *a, const char *s);
/* Run s; its value as a number (fails the test when there is none). */
long long sql_int(arena *a, const char *s);
/* A fresh random uuid. */
const char *new_id(arena *a);
/* The id of the newest event of type ("order.created") about aggregate_id
 * in schema's outbox (fails the test when there is none). */
const char *last_event(arena *a, const char *schema, const char *aggregate_id, const char *type);

#endif
