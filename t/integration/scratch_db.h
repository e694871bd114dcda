/*
 * scratch_db.h — a throw-away database for suites that need one of their
 * own (the relay drains every outbox and the carts' stream, so a suite that
 * counts deliveries cannot share the shop's).
 *
 * scratch_db_create() makes database ecom_<name>_<pid> on the shop's
 * server, applies the repository's migrations and extra_sql, and points
 * this process at it (ECOM_DB_URL, and ECOM_REDIS_URL at Redis database
 * redis_db), dropping the shop's per-domain ECOM_DB_URL_* overrides.  The
 * work happens in child processes because the configuration is read once
 * per process.  scratch_db_shop() points the process back at the shop;
 * scratch_db_drop() does that and drops the database.
 */
#ifndef ECOM_T_SCRATCH_DB_H
#define ECOM_T_SCRATCH_DB_H

/* 0, or -1 with the reason on stderr. */
int scratch_db_create(const char *name, int redis_db, const char *extra_sql);
void scratch_db_shop(void);
void scratch_db_drop(void);

#endif
