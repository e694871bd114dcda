/*
 * migrate.c — the migration runner (db.h: db_migrate).
 *
 * Files sql/<domain>/NNN_name.sql run in order, each in its own transaction
 * together with the row that records it, so a failed file leaves nothing
 * half-applied and a successful one never runs twice.  An advisory lock
 * serialises concurrent runners (two responders starting at once, or a
 * deploy racing ./serve).  This is the one place where SQL text comes from a
 * file rather than a constant — files of the repository, never input.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "db.h"
#include "log.h"
#include "parse.h"

#define MAX_FILES   512
#define MAX_SQL     (4 * 1024 * 1024)
#define LOCK_KEY    "7420113"		/* pg_advisory_xact_lock key of the runner */

struct mfile {
	char    domain[64];
	char    name[256];
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

static void
sha256_hex(const char *s, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(s, n, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
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

/* Apply one domain's files; returns 0 or -1. */
static int
migrate_domain(PGconn *pg, const char *dir, const char *domain, int *applied, error *e)
{
	char path[1024];
	struct mfile *files = calloc(MAX_FILES, sizeof *files);
	int n = 0, rc = -1;
	DIR *d;
	struct dirent *de;

	if (files == NULL)
		return err_set(e, E_INTERNAL, "out of memory"), -1;
	snprintf(path, sizeof path, "%s/%s", dir, domain);
	if ((d = opendir(path)) == NULL) {
		err_set(e, E_INTERNAL, "cannot open %s", path);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		int64_t v;
		if (len < 9 || strcmp(de->d_name + len - 4, ".sql") != 0 || de->d_name[3] != '_' ||
		    parse_i64n(de->d_name, 3, 1, 999, &v) != 0)
			continue;
		if (n == MAX_FILES || len >= sizeof files[0].name)
			continue;
		snprintf(files[n].domain, sizeof files[n].domain, "%s", domain);
		snprintf(files[n].name, sizeof files[n].name, "%s", de->d_name);
		files[n].version = v;
		n++;
	}
	closedir(d);
	qsort(files, (size_t)n, sizeof files[0], cmp_file);
	for (int i = 0; i < n; i++) {
		char ver[24], sum[65], *sql;
		size_t len = 0;
		const char *params[4];
		PGresult *r;

		snprintf(path, sizeof path, "%s/%s/%s", dir, domain, files[i].name);
		if ((sql = slurp(path, &len)) == NULL) {
			err_set(e, E_INTERNAL, "cannot read %s", path);
			goto out;
		}
		sha256_hex(sql, len, sum);
		snprintf(ver, sizeof ver, "%lld", (long long)files[i].version);
		params[0] = domain;
		params[1] = ver;
		if (!exec_ok(pg, "BEGIN", PGRES_COMMAND_OK) ||
		    !exec_ok(pg, "SELECT pg_advisory_xact_lock(" LOCK_KEY ")", PGRES_TUPLES_OK)) {
			free(sql);
			err_set(e, E_UNAVAILABLE, "cannot start a migration transaction");
			goto out;
		}
		r = PQexecParams(pg, "SELECT checksum FROM public.schema_migrations "
		    "WHERE domain = $1 AND version = $2::int", 2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			PQclear(r);
			free(sql);
			exec_ok(pg, "ROLLBACK", PGRES_COMMAND_OK);
			err_set(e, E_INTERNAL, "cannot read schema_migrations");
			goto out;
		}
		if (PQntuples(r) == 1) {
			int same = strcmp(PQgetvalue(r, 0, 0), sum) == 0;
			PQclear(r);
			free(sql);
			exec_ok(pg, "ROLLBACK", PGRES_COMMAND_OK);
			if (!same) {
				err_set(e, E_CONFLICT, "%s was changed after it was applied; "
				    "add a new migration instead", path);
				goto out;
			}
			continue;
		}
		PQclear(r);
		/* files hold no BEGIN/COMMIT of their own: the runner owns the transaction */
		r = PQexec(pg, sql);
		ExecStatusType st = PQresultStatus(r);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
			log_msg(LOG_ERROR, "migration %s: %s", path, PQerrorMessage(pg));
		PQclear(r);
		if ((st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) ||
		    PQtransactionStatus(pg) != PQTRANS_INTRANS) {
			free(sql);
			exec_ok(pg, "ROLLBACK", PGRES_COMMAND_OK);
			err_set(e, E_INTERNAL, "%s failed: see the log", path);
			goto out;
		}
		free(sql);
		params[2] = files[i].name;
		params[3] = sum;
		r = PQexecParams(pg, "INSERT INTO public.schema_migrations (domain, version, name, checksum) "
		    "VALUES ($1, $2::int, $3, $4)", 4, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK || !exec_ok(pg, "COMMIT", PGRES_COMMAND_OK)) {
			PQclear(r);
			exec_ok(pg, "ROLLBACK", PGRES_COMMAND_OK);
			err_set(e, E_INTERNAL, "%s failed: see the log", path);
			goto out;
		}
		PQclear(r);
		log_msg(LOG_INFO, "migration applied: %s/%s", domain, files[i].name);
		(*applied)++;
	}
	rc = 0;
out:
	free(files);
	return rc;
}

int
db_migrate(db_conn *c, const char *dir, const char *const *domains, int *applied, error *e)
{
	PGconn *pg = db_pg(c);
	char *found[128];
	int nfound = 0, rc = 0;

	*applied = 0;
	if (!exec_ok(pg, "CREATE TABLE IF NOT EXISTS public.schema_migrations ("
	    "domain text NOT NULL, version int NOT NULL, name text NOT NULL, "
	    "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), "
	    "PRIMARY KEY (domain, version))", PGRES_COMMAND_OK))
		return err_set(e, E_UNAVAILABLE, "cannot create schema_migrations"), -1;
	if (domains == NULL) {
		DIR *d = opendir(dir);
		struct dirent *de;

		if (d == NULL)
			return err_set(e, E_INTERNAL, "cannot open %s", dir), -1;
		while ((de = readdir(d)) != NULL && nfound < 127) {
			if (de->d_name[0] == '.' || strcmp(de->d_name, "demo") == 0 ||
			    strcmp(de->d_name, "catalog") == 0 || de->d_type != DT_DIR)
				continue;
			found[nfound++] = strdup(de->d_name);
		}
		closedir(d);
		qsort(found, (size_t)nfound, sizeof found[0], cmp_str);
		/* catalog first: later domains may reference its events, never its tables */
		rc = migrate_domain(pg, dir, "catalog", applied, e);
		for (int i = 0; i < nfound; i++) {
			if (rc == 0 && found[i] != NULL)
				rc = migrate_domain(pg, dir, found[i], applied, e);
			free(found[i]);
		}
		return rc;
	}
	for (; *domains != NULL && rc == 0; domains++)
		rc = migrate_domain(pg, dir, *domains, applied, e);
	return rc;
}
