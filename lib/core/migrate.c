/*
 * migrate.c — the migration runner (db.h: db_migrate).
 *
 * Files sql/<domain>/NNN_name.sql run in order, each in its own transaction
 * together with the row that records it, so a failed file leaves nothing
 * half-applied and a successful one never runs twice.  The row keeps the
 * file's SHA-256: editing a file after it ran is refused, because the
 * databases that already ran it would silently differ from new ones.
 * A transaction-scoped advisory lock serialises concurrent runners (two
 * responders starting at once, or a deploy racing ./serve).  This is the one
 * place where SQL text comes from a file rather than a constant — files of
 * the repository, never input.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/evp.h>

#include "db.h"
#include "log.h"
#include "parse.h"

#define MAX_FILES   512			/* per domain */
#define MAX_DOMAINS 64
#define MAX_SQL     (4 * 1024 * 1024)	/* bytes of one file */
#define LOCK_KEY    "7420113"		/* pg_advisory_xact_lock key of the runner */

struct mfile {
	char    name[128];
	int64_t version;
};

static int
cmp_file(const void *a, const void *b)
{
	const struct mfile *x = a, *y = b;

	return x->version < y->version ? -1 : x->version > y->version;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A domain is a schema name and a folder name: [a-z0-9_], 1..63. */
static int
domain_ok(const char *d)
{
	size_t n = strspn(d, "abcdefghijklmnopqrstuvwxyz0123456789_");

	return n > 0 && n < 64 && d[n] == '\0';
}

/* The whole file, malloc'd and NUL-terminated, or NULL. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n <= MAX_SQL &&
	    fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n + 1)) != NULL) {
		if (fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		} else {
			p[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return p;
}

static int
sha256_hex(const char *s, size_t n, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(s, n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return -1;
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

static int
exec_ok(PGconn *pg, const char *sql, ExecStatusType want)
{
	PGresult *r = PQexec(pg, sql);
	int ok = PQresultStatus(r) == want;

	if (!ok)
		log_msg(LOG_ERROR, "migration: %s", PQerrorMessage(pg));
	PQclear(r);
	return ok;
}

/* BEGIN and take the runner's lock; 0 or -1 (rolled back). */
static int
begin_locked(PGconn *pg)
{
	if (exec_ok(pg, "BEGIN", PGRES_COMMAND_OK) &&
	    exec_ok(pg, "SELECT pg_advisory_xact_lock(" LOCK_KEY ")", PGRES_TUPLES_OK))
		return 0;
	exec_ok(pg, "ROLLBACK", PGRES_COMMAND_OK);
	return -1;
}

/* The NNN_name.sql files of dir/domain, sorted by NNN, into files (cap
 * MAX_FILES); returns how many, or -1 with e filled. */
static int
list_files(const char *dir, const char *domain, struct mfile *files, error *e)
{
	char path[1024];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof path, "%s/%s", dir, domain);
	if ((d = opendir(path)) == NULL)
		return err_set(e, E_INTERNAL, "cannot open %s", path), -1;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		int64_t v;

		if (len < 4 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;	/* README.md and friends */
		if (len < 9 || de->d_name[3] != '_' || parse_i64n(de->d_name, 3, 1, 999, &v) != 0) {
			log_msg(LOG_WARN, "migration: %s/%s ignored: not named NNN_name.sql",
			    path, de->d_name);
			continue;
		}
		if (n == MAX_FILES || len >= sizeof files[0].name) {
			closedir(d);
			return err_set(e, E_INTERNAL, "%s: too many files or a name too long", path), -1;
		}
		memcpy(files[n].name, de->d_name, len + 1);
		files[n].version = v;
		n++;
	}
	closedir(d);
	qsort(files, (size_t)n, sizeof files[0], cmp_file);
	for (int i = 1; i < n; i++)
		if (files[i].version == files[i - 1].version)
			return err_set(e, E_INTERNAL, "%s: %s and %s share a number", path,
			    files[i - 1].name, files[i].name), -1;
	return n;
}

/* The checksum recorded for (domain, version): 1 found (into sum), 0 not
 * applied yet, -1 error.  Runs inside the caller's transaction. */
static int
recorded(PGconn *pg, const char *const params[2], char sum[65])
{
	PGresult *r = PQexecParams(pg, "SELECT checksum FROM public.schema_migrations "
	    "WHERE domain = $1 AND version = $2::int", 2, NULL, params, NULL, NULL, 0);
	int rc = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		rc = PQntuples(r) == 1;
		if (rc == 1)
			snprintf(sum, 65, "%s", PQgetvalue(r, 0, 0));
	} else {
		log_msg(LOG_ERROR, "migration: %s", PQerrorMessage(pg));
	}
	PQclear(r);
	return rc;
}

/* The current transaction's id as text into out[24]; 0 or -1. */
static int
xact_id(PGconn *pg, char out[24])
{
	PGresult *r = PQexec(pg, "SELECT txid_current()::text");
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;

	if (ok)
		snprintf(out, 24, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return ok ? 0 : -1;
}

/* Run one file's text and record it, inside the caller's transaction;
 * 0 or -1 (the caller rolls back). */
static int
run_and_record(PGconn *pg, const char *path, const char *sql, const char *const params[4])
{
	char before[24], after[24];
	PGresult *r;
	ExecStatusType st;
	int ok;

	if (xact_id(pg, before) != 0)
		return -1;
	r = PQexec(pg, sql);
	st = PQresultStatus(r);
	ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
	if (!ok)
		log_msg(LOG_ERROR, "migration %s: %s", path, PQerrorMessage(pg));
	PQclear(r);
	if (!ok)
		return -1;
	/* Still the runner's transaction?  A COMMIT in the file (even one
	 * followed by BEGIN) made part of it permanent and dropped the lock. */
	if (PQtransactionStatus(pg) != PQTRANS_INTRANS || xact_id(pg, after) != 0 ||
	    strcmp(before, after) != 0) {
		log_msg(LOG_ERROR, "migration %s ended the runner's transaction: "
		    "files must not hold BEGIN/COMMIT", path);
		return -1;
	}
	r = PQexecParams(pg, "INSERT INTO public.schema_migrations (domain, version, name, checksum) "
	    "VALUES ($1, $2::int, $3, $4)", 4, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		log_msg(LOG_ERROR, "migration %s: %s", path, PQerrorMessage(pg));
	PQclear(r);
	return ok ? 0 : -1;
}

/* Apply one file unless it is recorded; 1 applied, 0 already there, -1. */
static int
apply_file(PGconn *pg, const char *dir, const char *domain, const struct mfile *f, error *e)
{
	char path[1024], ver[24], sum[65], old[65];
	const char *params[4];
	size_t len = 0;
	char *sql;
	int rc;

	snprintf(path, sizeof path, "%s/%s/%s", dir, domain, f->name);
	if ((sql = slurp(path, &len)) == NULL)
		return err_set(e, E_INTERNAL, "cannot read %s (or it exceeds %d bytes)", path, MAX_SQL), -1;
	if (sha256_hex(sql, len, sum) != 0) {
		free(sql);
		return err_set(e, E_INTERNAL, "cannot hash %s", path), -1;
	}
	snprintf(ver, sizeof ver, "%lld", (long long)f->version);
	params[0] = domain;
	params[1] = ver;
	params[2] = f->name;
	params[3] = sum;
	if (begin_locked(pg) != 0) {
		free(sql);
		return err_set(e, E_UNAVAILABLE, "cannot start a migration transaction"), -1;
	}
	rc = recorded(pg, params, old);
	if (rc == 1) {
		free(sql);
		exec_ok(pg, "ROLLBACK", PGRES_COMMAND_OK);
		if (strcmp(old, sum) == 0)
			return 0;
		return err_set(e, E_CONFLICT, "%s was changed after it was applied "
		    "(recorded sha256 %.12s..., now %.12s...); add a new migration instead",
		    path, old, sum), -1;
	}
	if (rc == 0 && run_and_record(pg, path, sql, params) == 0 &&
	    exec_ok(pg, "COMMIT", PGRES_COMMAND_OK)) {
		free(sql);
		return 1;
	}
	free(sql);
	if (PQtransactionStatus(pg) != PQTRANS_IDLE)
		exec_ok(pg, "ROLLBACK", PGRES_COMMAND_OK);
	return err_set(e, E_INTERNAL, "%s failed: see the log", path), -1;
}

/* Apply one domain's files in order; 0 or -1. */
static int
migrate_domain(PGconn *pg, const char *dir, const char *domain, int *applied, error *e)
{
	struct mfile *files = calloc(MAX_FILES, sizeof *files);
	int n, rc = 0;

	if (files == NULL)
		return err_set(e, E_INTERNAL, "out of memory"), -1;
	n = list_files(dir, domain, files, e);
	if (n < 0)
		rc = -1;
	for (int i = 0; i < n && rc == 0; i++) {
		int r = apply_file(pg, dir, domain, &files[i], e);
		if (r < 0)
			rc = -1;
		else if (r == 1) {
			log_msg(LOG_INFO, "migration applied: %s/%s", domain, files[i].name);
			(*applied)++;
		}
	}
	free(files);
	return rc;
}

/* The sub-folders of dir that are domains, sorted, "catalog" first (later
 * domains may build on its events, never on its tables) and without "demo"
 * (demo data is loaded on request, not migrated); malloc'd names into
 * found[MAX_DOMAINS].  Returns how many, or -1 with e filled. */
static int
list_domains(const char *dir, char **found, error *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return err_set(e, E_INTERNAL, "cannot open %s", dir), -1;
	while ((de = readdir(d)) != NULL) {
		char path[1024];
		struct stat st;

		if (!domain_ok(de->d_name) || strcmp(de->d_name, "demo") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		if (n == MAX_DOMAINS || (found[n] = strdup(de->d_name)) == NULL) {
			closedir(d);
			while (n > 0)
				free(found[--n]);
			return err_set(e, E_INTERNAL, "%s: too many domains or out of memory", dir), -1;
		}
		n++;
	}
	closedir(d);
	qsort(found, (size_t)n, sizeof found[0], cmp_str);
	for (int i = 1; i < n; i++)
		if (strcmp(found[i], "catalog") == 0) {
			char *cat = found[i];
			memmove(found + 1, found, (size_t)i * sizeof found[0]);
			found[0] = cat;
		}
	return n;
}

/* Create the bookkeeping table under the runner's lock: two runners doing
 * CREATE TABLE IF NOT EXISTS at once can both miss the table and one then
 * fails on pg_type's unique index. */
static int
ensure_table(PGconn *pg)
{
	if (begin_locked(pg) != 0)
		return -1;
	if (exec_ok(pg, "CREATE TABLE IF NOT EXISTS public.schema_migrations ("
	    "domain text NOT NULL, version int NOT NULL, name text NOT NULL, "
	    "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), "
	    "PRIMARY KEY (domain, version))", PGRES_COMMAND_OK) &&
	    exec_ok(pg, "COMMIT", PGRES_COMMAND_OK))
		return 0;
	if (PQtransactionStatus(pg) != PQTRANS_IDLE)
		exec_ok(pg, "ROLLBACK", PGRES_COMMAND_OK);
	return -1;
}

int
db_migrate(db_conn *c, const char *dir, const char *const *domains, int *applied, error *e)
{
	PGconn *pg = db_pg(c);
	char *found[MAX_DOMAINS];
	int n, rc = 0;

	*applied = 0;
	if (domains != NULL)
		for (const char *const *d = domains; *d != NULL; d++)
			if (!domain_ok(*d))
				return err_set(e, E_INVALID_INPUT, "\"%.64s\" is not a domain name "
				    "(a-z, 0-9, _)", *d), -1;
	if (ensure_table(pg) != 0)
		return err_set(e, E_UNAVAILABLE, "cannot create public.schema_migrations"), -1;
	if (domains != NULL) {
		for (; *domains != NULL && rc == 0; domains++)
			rc = migrate_domain(pg, dir, *domains, applied, e);
		return rc;
	}
	if ((n = list_domains(dir, found, e)) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (rc == 0)
			rc = migrate_domain(pg, dir, found[i], applied, e);
		free(found[i]);
	}
	return rc;
}
