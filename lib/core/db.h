/*
 * db.h — PostgreSQL access.
 *
 * One connection per process and domain (by default every domain shares the
 * one from ECOM_DB_URL; ECOM_DB_URL_<DOMAIN> moves a domain elsewhere).
 * Statements are constant SQL declared as `db_stmt` values in each domain's
 * store.c and prepared on first use per connection; a lost connection is
 * reopened once and the statement retried (outside a transaction).
 * Results are released at arena reset.
 */
#ifndef ECOM_DB_H
#define ECOM_DB_H

#include <stdint.h>
#include <libpq-fe.h>
#include "arena.h"
#include "error.h"

typedef struct db_conn db_conn;

typedef struct db_stmt {
	const char *name;	/* unique per process: "catalog_product_get" */
	const char *sql;	/* constant, $1..$n parameters */
	int         nparams;
	/* private: which connection generation it was prepared on */
	const void *prepared_on;
	unsigned    prepared_gen;
} db_stmt;

#define DB_STMT(n, s, np) { (n), (s), (np), NULL, 0 }

/* The connection for a domain ("catalog"), opened on first use.  NULL with
 * e = E_UNAVAILABLE if the database cannot be reached. */
db_conn *db_for(const char *domain, error *e);
PGconn  *db_pg(db_conn *c);

/*
 * Execute a prepared statement with text parameters (NULL = SQL NULL).
 * Returns a result with PGRES_TUPLES_OK or PGRES_COMMAND_OK, registered for
 * release at arena reset; NULL with e filled: unique violation ->
 * E_ALREADY_EXISTS, foreign key / check violation -> E_VALIDATION (message
 * from the constraint), serialization failure / deadlock -> E_CONFLICT with
 * `db_retryable` true, connection loss -> E_UNAVAILABLE, else E_INTERNAL.
 */
PGresult *db_exec(db_conn *c, arena *a, db_stmt *st, const char *const *params, error *e);

/* Whether the last failed db_exec on c may be retried as a whole
 * transaction (SQLSTATE 40001 or 40P01). */
int db_retryable(const db_conn *c);
/* The SQLSTATE and constraint name of the last failure ("" if none). */
const char *db_last_sqlstate(const db_conn *c);
const char *db_last_constraint(const db_conn *c);

/*
 * Run fn inside BEGIN ... COMMIT on c.  If fn or COMMIT fails with a
 * serialization failure or deadlock, the transaction is rolled back and fn
 * run again, at most `DB_TX_RETRIES` times.  fn returns E_OK to commit.
 */
#define DB_TX_RETRIES 5
typedef ecode (*db_tx_fn)(db_conn *c, arena *a, void *ud, error *e);
ecode db_tx(db_conn *c, arena *a, db_tx_fn fn, void *ud, error *e);

/* SELECT 1 with a short timeout, for /health/ready. */
int db_ping(db_conn *c);
/* Close every connection (process exit, tests). */
void db_close_all(void);

/* Row helpers: value or NULL for SQL NULL. */
const char *db_val(const PGresult *r, int row, int col);
int64_t     db_i64(const PGresult *r, int row, int col);
int         db_bool(const PGresult *r, int row, int col);

/*
 * Apply migrations from dir/<domain>/NNN_name.sql in (domain order, number)
 * order, each in its own transaction, recording (domain, version, name,
 * checksum) in public.schema_migrations so each runs once.  A changed
 * checksum of an applied file is an error.  Domains are applied in the order
 * given (NULL-terminated); NULL means every folder except "demo", sorted.
 * Returns 0 or -1 with e filled; `applied` counts files run now.
 */
int db_migrate(db_conn *c, const char *dir, const char *const *domains,
    int *applied, error *e);

#endif
