/*
 * check_db.c — lib/core's PostgreSQL and Redis access against the real
 * servers ./check started (ECOM_CONFIG names them; skipped without it).
 *
 * Migrations run once and refuse an edited file; statements map SQLSTATEs
 * to typed errors; db_tx retries a serialization failure; a killed backend
 * or Redis connection is reopened transparently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <check.h>

#include "../check_run.h"

#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/redis.h"
#include "core/util.h"

static arena *a;
static db_conn *c;

static void
setup(void)
{
	error e;

	ck_assert_int_eq(config_init(), 0);
	log_init("check_db", "error");
	a = arena_new(64 * 1024);
	c = db_for("test", &e);
	ck_assert_msg(c != NULL, "no database: %s", e.message);
}

static void
teardown(void)
{
	arena_free(a);
	a = NULL;
}

static void
sql(const char *s)
{
	PGresult *r = PQexec(db_pg(c), s);

	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
	    "%s: %s", s, PQerrorMessage(db_pg(c)));
	PQclear(r);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(migrations_run_once_and_refuse_edits)
{
	char dir[] = "/tmp/ecom-mig-XXXXXX", sub[256], file[300], schema[64], uuid[37];
	const char *domains[2];
	error e;
	int applied = -1;

	ck_assert_int_eq(uuid_v4(uuid), 0);
	snprintf(schema, sizeof schema, "t_%.8s", uuid);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof sub, "%s/%s", dir, schema);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	snprintf(file, sizeof file, "%s/001_init.sql", sub);
	{
		char text[256];
		snprintf(text, sizeof text, "CREATE SCHEMA %s; CREATE TABLE %s.t (id int PRIMARY KEY);",
		    schema, schema);
		write_file(file, text);
	}
	domains[0] = schema;
	domains[1] = NULL;
	err_clear(&e);
	ck_assert_int_eq(db_migrate(c, dir, domains, &applied, &e), 0);
	ck_assert_int_eq(applied, 1);
	ck_assert_int_eq(db_migrate(c, dir, domains, &applied, &e), 0);
	ck_assert_int_eq(applied, 0);

	/* a failing file leaves nothing behind and is not recorded */
	snprintf(file, sizeof file, "%s/002_bad.sql", sub);
	{
		char text[256];
		snprintf(text, sizeof text, "CREATE TABLE %s.u (id int); SELECT 1/0;", schema);
		write_file(file, text);
	}
	ck_assert_int_ne(db_migrate(c, dir, domains, &applied, &e), 0);
	unlink(file);

	/* editing an applied file is refused */
	snprintf(file, sizeof file, "%s/001_init.sql", sub);
	write_file(file, "SELECT 1;");
	err_clear(&e);
	ck_assert_int_ne(db_migrate(c, dir, domains, &applied, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.message, "changed"));

	unlink(file);
	rmdir(sub);
	rmdir(dir);
	{
		char drop[256];
		snprintf(drop, sizeof drop, "DROP SCHEMA %s CASCADE; DELETE FROM public.schema_migrations "
		    "WHERE domain = '%s'", schema, schema);
		sql(drop);
	}
}
END_TEST

static db_stmt ins = DB_STMT("check_db_ins", "INSERT INTO check_db_t (k, v) VALUES ($1, $2::int)", 2);
static db_stmt sel = DB_STMT("check_db_sel", "SELECT v FROM check_db_t WHERE k = $1", 1);

START_TEST(statements_and_error_mapping)
{
	const char *p[2] = { "a", "1" };
	PGresult *r;
	error e;

	sql("CREATE TABLE IF NOT EXISTS check_db_t (k text PRIMARY KEY, v int CHECK (v >= 0))");
	sql("TRUNCATE check_db_t");
	err_clear(&e);
	ck_assert_ptr_nonnull(db_exec(c, a, &ins, p, &e));
	r = db_exec(c, a, &sel, p, &e);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(db_i64(r, 0, 0), 1);
	/* unique violation */
	ck_assert_ptr_null(db_exec(c, a, &ins, p, &e));
	ck_assert_int_eq(e.code, E_ALREADY_EXISTS);
	ck_assert_str_eq(db_last_sqlstate(c), "23505");
	/* check violation and bad input are validation errors, not 500s */
	p[0] = "b";
	p[1] = "-1";
	err_clear(&e);
	ck_assert_ptr_null(db_exec(c, a, &ins, p, &e));
	ck_assert_int_eq(e.code, E_VALIDATION);
	p[1] = "not a number";
	err_clear(&e);
	ck_assert_ptr_null(db_exec(c, a, &ins, p, &e));
	ck_assert_int_eq(e.code, E_VALIDATION);
}
END_TEST

static db_stmt bump = DB_STMT("check_db_bump", "UPDATE check_db_t SET v = v + 1 WHERE k = 'a'", 0);
static db_stmt iso = DB_STMT("check_db_iso", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", 0);
static db_stmt read_a = DB_STMT("check_db_read", "SELECT v FROM check_db_t WHERE k = 'a'", 0);

static int attempts;

/* First attempt: read, let a second connection commit a change, then
 * write — PostgreSQL must refuse with 40001, and db_tx must run us again. */
static ecode
conflicting(db_conn *conn, arena *ar, void *ud, error *e)
{
	PGconn *other = ud;

	attempts++;
	if (!db_exec(conn, ar, &iso, NULL, e) || !db_exec(conn, ar, &read_a, NULL, e))
		return e->code;
	if (attempts == 1) {
		PGresult *r = PQexec(other, "UPDATE check_db_t SET v = v + 100 WHERE k = 'a'");
		PQclear(r);
	}
	return db_exec(conn, ar, &bump, NULL, e) ? E_OK : e->code;
}

START_TEST(transactions_retry_serialization_failures)
{
	PGconn *other = PQconnectdb(cfg->db_url);
	PGresult *r;
	error e;

	ck_assert_int_eq(PQstatus(other), CONNECTION_OK);
	sql("CREATE TABLE IF NOT EXISTS check_db_t (k text PRIMARY KEY, v int CHECK (v >= 0))");
	sql("TRUNCATE check_db_t");
	sql("INSERT INTO check_db_t VALUES ('a', 0)");
	attempts = 0;
	err_clear(&e);
	ck_assert_int_eq(db_tx(c, a, conflicting, other, &e), E_OK);
	ck_assert_int_eq(attempts, 2);
	r = db_exec(c, a, &read_a, NULL, &e);
	ck_assert_int_eq(db_i64(r, 0, 0), 101);
	PQfinish(other);
}
END_TEST

START_TEST(reconnects_after_a_killed_backend)
{
	PGconn *killer = PQconnectdb(cfg->db_url);
	char q[128];
	const char *p[1] = { "a" };
	PGresult *r;
	error e;

	sql("CREATE TABLE IF NOT EXISTS check_db_t (k text PRIMARY KEY, v int CHECK (v >= 0))");
	snprintf(q, sizeof q, "SELECT pg_terminate_backend(%d)", PQbackendPID(db_pg(c)));
	r = PQexec(killer, q);
	PQclear(r);
	PQfinish(killer);
	usleep(100000);
	err_clear(&e);
	ck_assert_msg(db_exec(c, a, &sel, p, &e) != NULL, "after reconnect: %s", e.message);
	ck_assert_int_eq(db_ping(c), 0);
}
END_TEST

START_TEST(redis_commands_and_reconnect)
{
	error e;
	redisReply *r;

	err_clear(&e);
	r = redis_cmd(a, &e, "SET %s %s", "check_db:key", "value");
	ck_assert_msg(r != NULL, "%s", e.message);
	r = redis_cmd(a, &e, "GET %s", "check_db:key");
	ck_assert_str_eq(r->str, "value");
	/* kill our own connection; the next command reconnects */
	r = redis_cmd(a, &e, "CLIENT KILL TYPE normal SKIPME no");
	r = redis_cmd(a, &e, "GET %s", "check_db:key");
	ck_assert_msg(r != NULL && r->str != NULL, "after reconnect: %s", e.message);
	ck_assert_str_eq(r->str, "value");
	ck_assert_int_eq(redis_ping(), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("postgres+redis");

	if (getenv("ECOM_TEST_BASE_URL") == NULL || getenv("ECOM_CONFIG") == NULL) {
		puts("SKIP: needs the stack ./check starts");
		return 77;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, migrations_run_once_and_refuse_edits);
	tcase_add_test(tc, statements_and_error_mapping);
	tcase_add_test(tc, transactions_retry_serialization_failures);
	tcase_add_test(tc, reconnects_after_a_killed_backend);
	tcase_add_test(tc, redis_commands_and_reconnect);
	suite_add_tcase(s, tc);
	return check_run(s);
}
