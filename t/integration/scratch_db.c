/*
 * scratch_db.c — a throw-away database for a suite (scratch_db.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <libpq-fe.h>

#include "scratch_db.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"

extern char **environ;

static char dbname[64];
static int redis_db;
static const char *extra;
static char *shop_db_url, *shop_redis_url;	/* as the suite found them */

/* Run fn in a child process; its output on fd is read into out. */
static int
in_child(int (*fn)(int fd), char *out, size_t outlen)
{
	int p[2], status;
	ssize_t got = 0, r;
	pid_t kid;

	if (pipe(p) != 0 || (kid = fork()) < 0)
		return -1;
	if (kid == 0) {
		close(p[0]);
		_exit(fn(p[1]));
	}
	close(p[1]);
	while (out != NULL && (size_t)got < outlen - 1 &&
	    (r = read(p[0], out + got, outlen - 1 - (size_t)got)) > 0)
		got += r;
	if (out != NULL)
		out[got] = '\0';
	close(p[0]);
	return waitpid(kid, &status, 0) == kid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
simple(db_conn *c, const char *s)
{
	PGresult *r = PQexec(db_pg(c), s);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "scratch_db: %s: %s", s, PQerrorMessage(db_pg(c)));
	PQclear(r);
	return ok ? 0 : 1;
}

/* "redis://h:p/0" -> "redis://h:p/<redis_db>" (a unix socket URL stays). */
static void
put_redis_url(FILE *f, const char *url)
{
	const char *host = strstr(url, "://");
	const char *slash = host != NULL ? strrchr(host + 3, '/') : NULL;

	if (host == NULL)
		fprintf(f, "%s", url);
	else
		fprintf(f, "%.*s/%d", (int)(slash != NULL ? slash - url : (long)strlen(url)), url,
		    redis_db);
}

static int
drop_on_shop(db_conn *c)
{
	char cmd[160];

	snprintf(cmd, sizeof cmd, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
	return simple(c, cmd);
}

/* CREATE DATABASE on the shop's server; writes the new conninfo and the
 * Redis URL to fd, one a line. */
static int
create_db(int fd)
{
	char cmd[160];
	PQconninfoOption *opts;
	db_conn *c;
	error e;
	FILE *f = fdopen(fd, "w");

	err_clear(&e);
	if (f == NULL || config_init() != 0 || !(c = db_for("catalog", &e)) || drop_on_shop(c) != 0)
		return 1;
	snprintf(cmd, sizeof cmd, "CREATE DATABASE %s", dbname);
	if (simple(c, cmd) != 0 || !(opts = PQconninfo(db_pg(c))))
		return 1;
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
		if (o->val != NULL && *o->val != '\0' &&
		    (strcmp(o->keyword, "host") == 0 || strcmp(o->keyword, "hostaddr") == 0 ||
		    strcmp(o->keyword, "port") == 0 || strcmp(o->keyword, "user") == 0 ||
		    strcmp(o->keyword, "password") == 0 || strcmp(o->keyword, "sslmode") == 0))
			fprintf(f, "%s='%s' ", o->keyword, o->val);
	fprintf(f, "dbname=%s\n", dbname);
	PQconninfoFree(opts);
	put_redis_url(f, cfg->redis_url);
	return fclose(f) == 0 ? 0 : 1;
}

/* The repository's migrations, then the suite's own tables. */
static int
migrate_db(int fd)
{
	int applied;
	db_conn *c;
	error e;

	(void)fd;
	err_clear(&e);
	if (config_init() != 0 || !(c = db_for("catalog", &e)))
		return 1;
	log_init("scratch_db", "error");
	if (db_migrate(c, cfg->sql_dir, NULL, &applied, &e) != 0) {
		fprintf(stderr, "scratch_db: migrate: %s\n", e.message);
		return 1;
	}
	return extra != NULL ? simple(c, extra) : 0;
}

static int
drop_db(int fd)
{
	db_conn *c;
	error e;

	(void)fd;
	err_clear(&e);
	if (config_init() != 0 || !(c = db_for("catalog", &e)))
		return 1;
	return drop_on_shop(c);
}

static void
set_or_unset(const char *key, const char *val)
{
	if (val != NULL)
		setenv(key, val, 1);
	else
		unsetenv(key);
}

int
scratch_db_create(const char *name, int db, const char *extra_sql)
{
	char url[1024], *redis_url;

	if ((getenv("ECOM_DB_URL") != NULL && !(shop_db_url = strdup(getenv("ECOM_DB_URL")))) ||
	    (getenv("ECOM_REDIS_URL") != NULL && !(shop_redis_url = strdup(getenv("ECOM_REDIS_URL")))))
		return -1;
	snprintf(dbname, sizeof dbname, "ecom_%s_%ld", name, (long)getpid());
	redis_db = db;
	extra = extra_sql;
	if (in_child(create_db, url, sizeof url) != 0 || !(redis_url = strchr(url, '\n'))) {
		fprintf(stderr, "scratch_db: cannot create %s\n", dbname);
		return -1;
	}
	*redis_url++ = '\0';
	setenv("ECOM_DB_URL", url, 1);
	setenv("ECOM_REDIS_URL", redis_url, 1);
	/* the shop's per-domain databases do not apply to the scratch one */
	for (char **v = environ; *v != NULL;) {
		char key[128];
		const char *eq = strchr(*v, '=');

		if (strncmp(*v, "ECOM_DB_URL_", 12) == 0 && eq != NULL &&
		    (size_t)(eq - *v) < sizeof key) {
			snprintf(key, sizeof key, "%.*s", (int)(eq - *v), *v);
			unsetenv(key);	/* environ shifts: look at *v again */
		} else {
			v++;
		}
	}
	if (in_child(migrate_db, NULL, 0) != 0) {
		fprintf(stderr, "scratch_db: cannot migrate %s\n", dbname);
		scratch_db_drop();
		return -1;
	}
	return 0;
}

void
scratch_db_shop(void)
{
	set_or_unset("ECOM_DB_URL", shop_db_url);
	set_or_unset("ECOM_REDIS_URL", shop_redis_url);
}

void
scratch_db_drop(void)
{
	scratch_db_shop();
	if (in_child(drop_db, NULL, 0) != 0)
		fprintf(stderr, "scratch_db: could not drop %s\n", dbname);
}
