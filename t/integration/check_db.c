/*
 * check_db.c — lib/core's PostgreSQL and Redis access against real servers.
 *
 * The servers are the ones ECOM_DB_URL and ECOM_REDIS_URL name (from the
 * environment or the ECOM_CONFIG file ./check writes); without both the
 * suite is skipped (exit 77).  Migrations run once, record their SHA-256 and
 * refuse an edited file, and two runners at once apply each file once;
 * SQLSTATEs map to typed errors; db_tx retries a real serialization failure
 * and nothing else; a killed backend or Redis connection is reopened
 * transparently outside a transaction and reported inside one; a backend
 * that stops answering (SIGSTOP, when we may signal it) makes db_ping and
 * /health/ready give up in bounded time.  Tests that need a second
 * connection get one through a per-domain ECOM_DB_URL_<DOMAIN>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <openssl/evp.h>
#include <check.h>

#include "../check_run.h"

#include "core/config.h"
#include "core/db.h"
#include "core/health.h"
#include "core/json.h"
#include "core/log.h"
#include "core/redis.h"
#include "core/util.h"

#define NROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

static arena *a;
static db_conn *c;

static void
setup(void)
{
	error e;

	ck_assert_int_eq(config_init(), 0);
	log_init("check_db", "error");
	a = arena_new(64 * 1024);
	ck_assert_ptr_nonnull(a);
	err_clear(&e);
	c = db_for("test", &e);
	ck_assert_msg(c != NULL, "no database: %s", e.message);
}

static void
teardown(void)
{
	arena_free(a);
	a = NULL;
}

/* Test plumbing, not application code: fixed SQL through plain libpq. */
static void
sql(const char *s)
{
	PGresult *r = PQexec(db_pg(c), s);

	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
	    "%s: %s", s, PQerrorMessage(db_pg(c)));
	PQclear(r);
}

/* The first value of a one-row query, copied into the arena. */
static const char *
sql_value(const char *s)
{
	PGresult *r = PQexec(db_pg(c), s);
	const char *v;

	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", s, PQerrorMessage(db_pg(c)));
	v = PQntuples(r) == 1 ? arena_strdup(a, PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	return v;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void
sha256_hex(const char *text, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	ck_assert_int_eq(EVP_Digest(text, strlen(text), md, &n, EVP_sha256(), NULL), 1);
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* A throwaway migrations folder <dir>/<schema>/ with a fresh schema name. */
struct migdir {
	char dir[32], sub[96], schema[16];
};

static void
migdir_new(struct migdir *m)
{
	char uuid[37];

	ck_assert_int_eq(uuid_v4(uuid), 0);
	snprintf(m->schema, sizeof m->schema, "t_%.8s", uuid);
	snprintf(m->dir, sizeof m->dir, "/tmp/ecom-mig-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(m->dir));
	snprintf(m->sub, sizeof m->sub, "%s/%s", m->dir, m->schema);
	ck_assert_int_eq(mkdir(m->sub, 0755), 0);
}

static void
migdir_file(const struct migdir *m, const char *name, const char *text)
{
	char path[160];

	snprintf(path, sizeof path, "%s/%s", m->sub, name);
	write_file(path, text);
}

static void
migdir_drop(const struct migdir *m)
{
	char cmd[160];

	snprintf(cmd, sizeof cmd, "DROP SCHEMA IF EXISTS %s CASCADE", m->schema);
	sql(cmd);
	snprintf(cmd, sizeof cmd, "DELETE FROM public.schema_migrations WHERE domain = '%s'", m->schema);
	sql(cmd);
	snprintf(cmd, sizeof cmd, "rm -rf %s", m->dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(migrations_run_once_and_refuse_edits)
{
	struct migdir m = { "", "", "" };
	char text[256], sum[65], q[256], readme[160];
	const char *domains[2];
	error e;
	int applied = -1;

	migdir_new(&m);
	snprintf(text, sizeof text, "CREATE SCHEMA %s; CREATE TABLE %s.t (id int PRIMARY KEY);",
	    m.schema, m.schema);
	migdir_file(&m, "001_init.sql", text);
	snprintf(readme, sizeof readme, "%s/README.md", m.sub);
	write_file(readme, "not a migration\n");
	domains[0] = m.schema;
	domains[1] = NULL;
	err_clear(&e);
	ck_assert_msg(db_migrate(c, m.dir, domains, &applied, &e) == 0, "%s", e.message);
	ck_assert_int_eq(applied, 1);
	ck_assert_int_eq(db_migrate(c, m.dir, domains, &applied, &e), 0);
	ck_assert_int_eq(applied, 0);

	/* the record holds the file's name and SHA-256 */
	sha256_hex(text, sum);
	snprintf(q, sizeof q, "SELECT name || ' ' || checksum FROM public.schema_migrations "
	    "WHERE domain = '%s' AND version = 1", m.schema);
	ck_assert_str_eq(sql_value(q), arena_printf(a, "001_init.sql %s", sum));

	/* a failing file leaves nothing behind and is not recorded */
	snprintf(text, sizeof text, "CREATE TABLE %s.u (id int); SELECT 1/0;", m.schema);
	migdir_file(&m, "002_bad.sql", text);
	ck_assert_int_ne(db_migrate(c, m.dir, domains, &applied, &e), 0);
	ck_assert_int_eq(applied, 0);
	snprintf(q, sizeof q, "SELECT to_regclass('%s.u') IS NULL", m.schema);
	ck_assert_str_eq(sql_value(q), "t");
	snprintf(q, sizeof q, "SELECT count(*) FROM public.schema_migrations WHERE domain = '%s'", m.schema);
	ck_assert_str_eq(sql_value(q), "1");

	/* fixed, it applies */
	snprintf(text, sizeof text, "CREATE TABLE %s.u (id int);", m.schema);
	migdir_file(&m, "002_bad.sql", text);
	err_clear(&e);
	ck_assert_msg(db_migrate(c, m.dir, domains, &applied, &e) == 0, "%s", e.message);
	ck_assert_int_eq(applied, 1);

	/* editing an applied file is refused, and nothing after it runs */
	migdir_file(&m, "001_init.sql", "SELECT 1;");
	snprintf(text, sizeof text, "CREATE TABLE %s.w (id int);", m.schema);
	migdir_file(&m, "003_more.sql", text);
	err_clear(&e);
	ck_assert_int_ne(db_migrate(c, m.dir, domains, &applied, &e), 0);
	ck_assert_int_eq(e.code, E_CONFLICT);
	ck_assert_ptr_nonnull(strstr(e.message, "changed"));
	snprintf(q, sizeof q, "SELECT to_regclass('%s.w') IS NULL", m.schema);
	ck_assert_str_eq(sql_value(q), "t");
	migdir_drop(&m);
}
END_TEST

START_TEST(migrations_refuse_bad_names_and_commits)
{
	struct migdir m = { "", "", "" };
	const char *domains[2] = { "no/such", NULL };
	char text[256];
	error e;
	int applied = -1;

	err_clear(&e);
	ck_assert_int_ne(db_migrate(c, "/tmp", domains, &applied, &e), 0);
	ck_assert_int_eq(e.code, E_INVALID_INPUT);

	/* two files with one number */
	migdir_new(&m);
	domains[0] = m.schema;
	snprintf(text, sizeof text, "CREATE SCHEMA %s;", m.schema);
	migdir_file(&m, "001_a.sql", text);
	migdir_file(&m, "001_b.sql", "SELECT 1;");
	err_clear(&e);
	ck_assert_int_ne(db_migrate(c, m.dir, domains, &applied, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.message, "share a number"));
	snprintf(text, sizeof text, "%s/001_b.sql", m.sub);
	unlink(text);

	/* a file that commits on its own is refused (the runner owns the transaction) */
	migdir_file(&m, "002_commit.sql", "COMMIT; BEGIN;");
	err_clear(&e);
	ck_assert_int_ne(db_migrate(c, m.dir, domains, &applied, &e), 0);
	migdir_drop(&m);
}
END_TEST

/* A conninfo for the same server that db_for() will not share with c. */
static const char *
separate_conninfo(const char *tag)
{
	const char *url = cfg->db_url;

	if (strncmp(url, "postgres", 8) == 0)	/* URI form */
		return arena_printf(a, "%s%capplication_name=%s", url, strchr(url, '?') ? '&' : '?', tag);
	return arena_printf(a, "%s application_name=%s", url, tag);
}

START_TEST(concurrent_migrators_apply_each_file_once)
{
	struct migdir m = { "", "", "" };
	char text[256];
	int go[2], total = 0;
	pid_t kids[2];

	migdir_new(&m);
	/* slow enough that the second runner arrives while the first holds the lock */
	snprintf(text, sizeof text, "CREATE SCHEMA %s; SELECT pg_sleep(0.3); CREATE TABLE %s.t (id int);",
	    m.schema, m.schema);
	migdir_file(&m, "001_init.sql", text);
	ck_assert_int_eq(pipe(go), 0);
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0) {
			/* own connection: the inherited one belongs to the parent */
			const char *domains[2] = { m.schema, NULL };
			char b;
			error e;
			int applied = 0;
			db_conn *mine;

			setenv("ECOM_DB_URL_MIGRATOR", separate_conninfo(k == 0 ? "mig0" : "mig1"), 1);
			close(go[1]);
			if (read(go[0], &b, 1) < 0)
				_exit(20);
			if ((mine = db_for("migrator", &e)) == NULL || mine == c)
				_exit(21);
			_exit(db_migrate(mine, m.dir, domains, &applied, &e) == 0 ? applied : 10 + applied);
		}
	}
	close(go[0]);
	close(go[1]);	/* both start now */
	for (int k = 0; k < 2; k++) {
		int st;
		ck_assert_int_eq(waitpid(kids[k], &st, 0), kids[k]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) <= 1, "runner %d: status %d", k, st);
		total += WEXITSTATUS(st);
	}
	ck_assert_int_eq(total, 1);
	migdir_drop(&m);
}
END_TEST

static db_stmt ins = DB_STMT("check_db_ins", "INSERT INTO check_db_t (k, v) VALUES ($1, $2::int)", 2);
static db_stmt sel = DB_STMT("check_db_sel", "SELECT v FROM check_db_t WHERE k = $1", 1);

static void
table_fresh(void)
{
	sql("CREATE TABLE IF NOT EXISTS check_db_t (k text PRIMARY KEY, v int CHECK (v >= 0))");
	sql("TRUNCATE check_db_t");
}

START_TEST(statements_and_error_mapping)
{
	const char *p[2] = { "a", "1" };
	PGresult *r;
	error e;

	table_fresh();
	err_clear(&e);
	ck_assert_ptr_nonnull(db_exec(c, a, &ins, p, &e));
	r = db_exec(c, a, &sel, p, &e);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(PQntuples(r), 1);
	ck_assert_int_eq(db_i64(r, 0, 0), 1);
	ck_assert_str_eq(db_val(r, 0, 0), "1");
	/* NULL parameter: no row, not an error */
	p[0] = NULL;
	r = db_exec(c, a, &sel, p, &e);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(PQntuples(r), 0);
	/* unique violation, named by its constraint */
	p[0] = "a";
	ck_assert_ptr_null(db_exec(c, a, &ins, p, &e));
	ck_assert_int_eq(e.code, E_ALREADY_EXISTS);
	ck_assert_str_eq(db_last_sqlstate(c), "23505");
	ck_assert_str_eq(db_last_constraint(c), "check_db_t_pkey");
	ck_assert_ptr_nonnull(strstr(e.message, "check_db_t_pkey already exists"));
	ck_assert_int_eq(db_retryable(c), 0);
	/* check violation and bad input are validation errors, not 500s, and
	 * the message carries no SQL */
	p[0] = "b";
	p[1] = "-1";
	err_clear(&e);
	ck_assert_ptr_null(db_exec(c, a, &ins, p, &e));
	ck_assert_int_eq(e.code, E_VALIDATION);
	ck_assert_ptr_null(strstr(e.message, "INSERT"));
	p[1] = "not a number";
	err_clear(&e);
	ck_assert_ptr_null(db_exec(c, a, &ins, p, &e));
	ck_assert_int_eq(e.code, E_VALIDATION);
	ck_assert_str_eq(db_last_sqlstate(c), "22P02");
	/* the connection is still good after all that */
	p[1] = "2";
	ck_assert_ptr_nonnull(db_exec(c, a, &ins, p, &e));
}
END_TEST

/* Two domains on two connections may run one statement value in turn: it
 * is prepared once on each, never twice on one (42P05). */
START_TEST(one_statement_on_two_connections)
{
	const char *p[1] = { "a" };
	db_conn *other;
	error e;

	table_fresh();
	setenv("ECOM_DB_URL_OTHERDOMAIN", separate_conninfo("check_db_other"), 1);
	err_clear(&e);
	other = db_for("otherdomain", &e);
	ck_assert_msg(other != NULL && other != c, "%s", e.message);
	for (int i = 0; i < 4; i++) {
		db_conn *on = i % 2 == 0 ? c : other;
		ck_assert_msg(db_exec(on, a, &sel, p, &e) != NULL, "round %d: %s", i, e.message);
	}
	unsetenv("ECOM_DB_URL_OTHERDOMAIN");
}
END_TEST

/* Every SQLSTATE db.h promises to map, raised by the server on demand. */
static db_stmt fail = DB_STMT("check_db_fail", "SELECT pg_temp.check_db_fail($1)", 1);

static const struct {
	int line;
	const char *state;
	ecode want;
	int retryable;
} state_rows[] = {
	{ __LINE__, "23505", E_ALREADY_EXISTS, 0 },
	{ __LINE__, "23503", E_VALIDATION, 0 },
	{ __LINE__, "23514", E_VALIDATION, 0 },
	{ __LINE__, "23502", E_VALIDATION, 0 },
	{ __LINE__, "22P02", E_VALIDATION, 0 },
	{ __LINE__, "22001", E_VALIDATION, 0 },
	{ __LINE__, "40001", E_CONFLICT, 1 },
	{ __LINE__, "40P01", E_CONFLICT, 1 },
	{ __LINE__, "57014", E_UNAVAILABLE, 0 },
	{ __LINE__, "42P01", E_INTERNAL, 0 },
	{ __LINE__, "XX000", E_INTERNAL, 0 },
};

START_TEST(sqlstate_row)
{
	const char *p[1] = { state_rows[_i].state };
	error e;

	/* a temporary function: per session, so parallel runs cannot collide */
	sql("CREATE OR REPLACE FUNCTION pg_temp.check_db_fail(code text) RETURNS int LANGUAGE plpgsql AS "
	    "$$BEGIN RAISE EXCEPTION USING ERRCODE = code, MESSAGE = 'forced ' || code; END$$");
	err_clear(&e);
	ck_assert_ptr_null(db_exec(c, a, &fail, p, &e));
	ck_assert_msg(e.code == state_rows[_i].want, "row at line %d: %d", state_rows[_i].line, e.code);
	ck_assert_msg(strcmp(db_last_sqlstate(c), state_rows[_i].state) == 0, "row at line %d",
	    state_rows[_i].line);
	ck_assert_msg(db_retryable(c) == state_rows[_i].retryable, "row at line %d", state_rows[_i].line);
	ck_assert_msg(strstr(e.message, "forced") == NULL, "row at line %d: server text leaked: %s",
	    state_rows[_i].line, e.message);
}
END_TEST

START_TEST(statement_timeout_is_unavailable)
{
	static db_stmt slow = DB_STMT("check_db_slow", "SELECT pg_sleep(2)", 0);
	error e;

	sql("SET statement_timeout = 50");
	err_clear(&e);
	ck_assert_ptr_null(db_exec(c, a, &slow, NULL, &e));
	ck_assert_int_eq(e.code, E_UNAVAILABLE);
	ck_assert_str_eq(db_last_sqlstate(c), "57014");
	sql("RESET statement_timeout");
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
		ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
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
	table_fresh();
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

/* Writes, then fails with the SQLSTATE in ud (a server-raised error). */
static ecode
write_then_fail(db_conn *conn, arena *ar, void *ud, error *e)
{
	const char *p[1] = { ud };

	attempts++;
	if (!db_exec(conn, ar, &bump, NULL, e))
		return e->code;
	return db_exec(conn, ar, &fail, p, e) ? E_OK : e->code;
}

START_TEST(transactions_roll_back_and_bound_retries)
{
	PGresult *r;
	error e;

	table_fresh();
	sql("INSERT INTO check_db_t VALUES ('a', 0)");
	sql("CREATE OR REPLACE FUNCTION pg_temp.check_db_fail(code text) RETURNS int LANGUAGE plpgsql AS "
	    "$$BEGIN RAISE EXCEPTION USING ERRCODE = code, MESSAGE = 'forced ' || code; END$$");
	/* not retryable: one attempt, rolled back */
	attempts = 0;
	err_clear(&e);
	ck_assert_int_eq(db_tx(c, a, write_then_fail, "23514", &e), E_VALIDATION);
	ck_assert_int_eq(attempts, 1);
	/* always conflicting: DB_TX_RETRIES attempts, then E_CONFLICT */
	attempts = 0;
	err_clear(&e);
	ck_assert_int_eq(db_tx(c, a, write_then_fail, "40001", &e), E_CONFLICT);
	ck_assert_int_eq(attempts, DB_TX_RETRIES);
	r = db_exec(c, a, &read_a, NULL, &e);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(db_i64(r, 0, 0), 0);	/* every bump rolled back */
	ck_assert_int_eq(PQtransactionStatus(db_pg(c)), PQTRANS_IDLE);
}
END_TEST

static void
terminate_backend(int pid)
{
	PGconn *killer = PQconnectdb(cfg->db_url);
	char q[128];
	PGresult *r;

	ck_assert_int_eq(PQstatus(killer), CONNECTION_OK);
	snprintf(q, sizeof q, "SELECT pg_terminate_backend(%d)", pid);
	r = PQexec(killer, q);
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
	PQfinish(killer);
	usleep(100000);
}

START_TEST(reconnects_after_a_killed_backend)
{
	const char *p[1] = { "a" };
	int pid;
	error e;

	table_fresh();
	err_clear(&e);
	/* prepared on the old connection: must be prepared again on the new */
	ck_assert_ptr_nonnull(db_exec(c, a, &sel, p, &e));
	pid = PQbackendPID(db_pg(c));
	terminate_backend(pid);
	ck_assert_msg(db_exec(c, a, &sel, p, &e) != NULL, "after reconnect: %s", e.message);
	ck_assert_int_ne(PQbackendPID(db_pg(c)), pid);
	ck_assert_int_eq(db_ping(c), 0);
	/* db_ping alone also brings a dead connection back */
	terminate_backend(PQbackendPID(db_pg(c)));
	ck_assert_int_eq(db_ping(c), 0);
}
END_TEST

/*
 * Stop a backend (SIGSTOP: it keeps its socket and never answers) with a
 * watchdog that resumes it after 10 s even if this test dies first, so a
 * failed run never leaves a frozen backend behind.  Returns the watchdog
 * for thaw_backend(), or -1 when we may not signal the backend (not root,
 * or a remote server): the caller skips.
 */
static pid_t
freeze_backend(int pid)
{
	pid_t w;

	if (kill(pid, SIGSTOP) != 0) {
		fprintf(stderr, "check_db: cannot stop backend %d (not root, or remote): "
		    "timeout path untested\n", pid);
		return -1;
	}
	w = fork();
	if (w == 0) {
		sleep(10);
		kill(pid, SIGCONT);
		_exit(0);
	}
	if (w < 0)
		kill(pid, SIGCONT);
	return w;
}

static void
thaw_backend(int pid, pid_t watchdog)
{
	kill(pid, SIGCONT);
	kill(watchdog, SIGKILL);
	waitpid(watchdog, NULL, 0);
}

START_TEST(ping_gives_up_on_a_hung_server)
{
	int pid = PQbackendPID(db_pg(c));
	uint64_t t0;
	pid_t w;
	int rc;

	ck_assert_int_eq(db_ping(c), 0);
	/* a stopped backend accepts our bytes and never answers */
	if ((w = freeze_backend(pid)) < 0)
		return;
	t0 = now_us();
	rc = db_ping(c);
	thaw_backend(pid, w);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(now_us() - t0 < 5000000u, "db_ping took %llu us",
	    (unsigned long long)(now_us() - t0));
	/* the next use reconnects */
	ck_assert_int_eq(db_ping(c), 0);
	ck_assert_int_ne(PQbackendPID(db_pg(c)), pid);
}
END_TEST

/* Run a health handler; the body's "data" object (arena-owned JSON text
 * parsed back) and the status. */
static json_object *
health_call(ecode (*h)(request *, response *, error *), int *status)
{
	static buf body = BUF_INIT;
	request req;
	response res;
	json_object *root, *data = NULL;
	error e;

	memset(&req, 0, sizeof req);
	memset(&res, 0, sizeof res);
	req.a = a;
	res.a = a;
	res.body = &body;
	buf_reset(&body);
	err_clear(&e);
	ck_assert_int_eq(h(&req, &res, &e), E_OK);
	*status = res.status;
	ck_assert_int_eq(json_body_parse(a, body.data, body.len, &root, &e), E_OK);
	ck_assert(json_object_object_get_ex(root, "data", &data));
	return data;
}

static const char *
jstr(json_object *o, const char *path1, const char *path2)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, path1, &v))
		return NULL;
	if (path2 != NULL && !json_object_object_get_ex(v, path2, &v))
		return NULL;
	return json_object_get_string(v);
}

START_TEST(health_live_and_ready)
{
	json_object *d;
	int status, pid;
	pid_t w;
	error e;

	d = health_call(health_live, &status);
	ck_assert_int_eq(status, 200);
	ck_assert_str_eq(jstr(d, "status", NULL), "ok");
	ck_assert_uint_eq(strlen(jstr(d, "timestamp", NULL)), 20);

	d = health_call(health_ready, &status);
	ck_assert_int_eq(status, 200);
	ck_assert_str_eq(jstr(d, "status", NULL), "ok");
	ck_assert_str_eq(jstr(d, "checks", "db"), "ok");
	ck_assert_str_eq(jstr(d, "checks", "redis"), "ok");

	/* the catalog connection's backend stops answering: 503, degraded */
	err_clear(&e);
	pid = PQbackendPID(db_pg(db_for("catalog", &e)));
	if ((w = freeze_backend(pid)) < 0)
		return;
	d = health_call(health_ready, &status);
	thaw_backend(pid, w);
	ck_assert_int_eq(status, 503);
	ck_assert_str_eq(jstr(d, "status", NULL), "degraded");
	ck_assert_str_eq(jstr(d, "checks", "db"), "down");
	ck_assert_str_eq(jstr(d, "checks", "redis"), "ok");
	/* and back */
	d = health_call(health_ready, &status);
	ck_assert_int_eq(status, 200);
}
END_TEST

/* Inside a transaction a lost connection is reported, never papered over
 * (the work before the loss is gone with it). */
static ecode
killed_midway(db_conn *conn, arena *ar, void *ud, error *e)
{
	(void)ud;
	attempts++;
	if (!db_exec(conn, ar, &bump, NULL, e))
		return e->code;
	terminate_backend(PQbackendPID(db_pg(conn)));
	return db_exec(conn, ar, &bump, NULL, e) ? E_OK : e->code;
}

START_TEST(connection_lost_inside_a_transaction)
{
	const char *p[1] = { "a" };
	PGresult *r;
	error e;

	table_fresh();
	sql("INSERT INTO check_db_t VALUES ('a', 0)");
	attempts = 0;
	err_clear(&e);
	ck_assert_int_eq(db_tx(c, a, killed_midway, NULL, &e), E_UNAVAILABLE);
	ck_assert_int_eq(attempts, 1);
	/* the next statement reconnects; the first bump did not survive */
	r = db_exec(c, a, &sel, p, &e);
	ck_assert_msg(r != NULL, "%s", e.message);
	ck_assert_int_eq(db_i64(r, 0, 0), 0);
}
END_TEST

START_TEST(redis_commands_and_reconnect)
{
	error e;
	redisReply *r;
	long long id;

	err_clear(&e);
	r = redis_cmd(a, &e, "SET %s %s", "check_db:key", "value");
	ck_assert_msg(r != NULL, "%s", e.message);
	r = redis_cmd(a, &e, "GET %s", "check_db:key");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->str, "value");
	/* binary-safe argv */
	{
		const char *argv[3] = { "SET", "check_db:bin", "a\0b" };
		const size_t lens[3] = { 3, 12, 3 };
		ck_assert_ptr_nonnull(redis_argv(a, &e, 3, argv, lens));
		r = redis_cmd(a, &e, "STRLEN %s", "check_db:bin");
		ck_assert_int_eq(r->integer, 3);
	}
	/* a server error is E_INTERNAL, and the connection stays usable */
	err_clear(&e);
	ck_assert_ptr_null(redis_cmd(a, &e, "INCR %s", "check_db:key"));
	ck_assert_int_eq(e.code, E_INTERNAL);
	/* kill exactly our own connection; the next command reconnects */
	r = redis_cmd(a, &e, "CLIENT ID");
	ck_assert_ptr_nonnull(r);
	id = r->integer;
	/* SKIPME no: the filter form spares the caller by default */
	redis_cmd(a, &e, "CLIENT KILL ID %lld SKIPME no", id);
	r = redis_cmd(a, &e, "GET %s", "check_db:key");
	ck_assert_msg(r != NULL && r->str != NULL, "after reconnect: %s", e.message);
	ck_assert_str_eq(r->str, "value");
	r = redis_cmd(a, &e, "CLIENT ID");
	ck_assert_int_ne(r->integer, id);
	ck_assert_int_eq(redis_ping(), 0);
	redis_cmd(a, &e, "DEL %s %s", "check_db:key", "check_db:bin");
	redis_close();
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;

	if (config_init() != 0)
		return 1;
	if (config_raw("ECOM_DB_URL") == NULL || config_raw("ECOM_REDIS_URL") == NULL) {
		puts("SKIP: set ECOM_DB_URL and ECOM_REDIS_URL (or ECOM_CONFIG) to real servers");
		return 77;
	}
	s = suite_create("db");
	tc = tcase_create("postgres+redis");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, migrations_run_once_and_refuse_edits);
	tcase_add_test(tc, migrations_refuse_bad_names_and_commits);
	tcase_add_test(tc, concurrent_migrators_apply_each_file_once);
	tcase_add_test(tc, statements_and_error_mapping);
	tcase_add_test(tc, one_statement_on_two_connections);
	tcase_add_loop_test(tc, sqlstate_row, 0, NROWS(state_rows));
	tcase_add_test(tc, statement_timeout_is_unavailable);
	tcase_add_test(tc, transactions_retry_serialization_failures);
	tcase_add_test(tc, transactions_roll_back_and_bound_retries);
	tcase_add_test(tc, reconnects_after_a_killed_backend);
	tcase_add_test(tc, connection_lost_inside_a_transaction);
	tcase_add_test(tc, ping_gives_up_on_a_hung_server);
	tcase_add_test(tc, health_live_and_ready);
	tcase_add_test(tc, redis_commands_and_reconnect);
	suite_add_tcase(s, tc);
	return check_run(s);
}
