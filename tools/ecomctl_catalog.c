/*
 * ecomctl_catalog.c — the catalog as CSV from the command line, for
 * catalogs too large for a browser upload and for scripts.
 *
 *   ecomctl catalog export --as EMAIL [--out FILE]       (default: stdout)
 *   ecomctl catalog import --as EMAIL --file FILE [--mode check|apply]
 *
 * --as names the admin or seller the changes are made as: a seller exports
 * and changes only their own products, and the events record who it was.
 * The import checks every row first and changes nothing when any is wrong
 * (the problems are listed by line and column, exit 1); with --mode check
 * it stops there.  On a terminal a progress bar shows the rows read and
 * applied.  Exit status: 0 done, 1 failed or refused, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/arena.h"
#include "ecomctl.h"
#include "product/product.h"
#include "user/user.h"

/* The admin or seller with this e-mail as a catalog actor. */
static int
actor_by_email(arena *a, const char *email, catalog_actor *who)
{
	user_filter f = { email, -1, 1 };
	page pg = { 1, 20, 0 };
	user_page up;
	error e;

	err_clear(&e);
	if (user_list(a, &f, &pg, &up, &e) != E_OK) {
		fprintf(stderr, "ecomctl: %s\n", e.message);
		return -1;
	}
	for (size_t i = 0; i < up.n; i++)
		if (strcasecmp(up.items[i].email, email) == 0) {
			if (up.items[i].role < ROLE_SELLER) {
				fprintf(stderr, "ecomctl: %s is a customer; --as needs an admin or seller\n",
				    email);
				return -1;
			}
			who->user_id = up.items[i].id;
			who->role = up.items[i].role;
			who->request_id = NULL;
			return 0;
		}
	fprintf(stderr, "ecomctl: no active account has the e-mail %s\n", email);
	return -1;
}

static int
write_chunk(void *ud, const char *data, size_t n)
{
	return fwrite(data, 1, n, ud) == n ? 0 : -1;
}

/* "\r[#####     ] 1200/5000 rows" on a terminal; nothing otherwise. */
static void
progress(void *ud, int64_t done, int64_t total)
{
	const char *what = ud;
	char bar[41];
	int fill;

	if (!isatty(STDERR_FILENO) || (done % 100 != 0 && done != total))
		return;
	if (total <= 0) {
		fprintf(stderr, "\r%s: %lld rows checked", what, (long long)done);
		return;
	}
	fill = (int)(done * 40 / total);
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, ' ', (size_t)(40 - fill));
	bar[40] = '\0';
	fprintf(stderr, "\r%s: [%s] %lld/%lld rows", what, bar, (long long)done, (long long)total);
}

static int
cmd_export(arena *a, const catalog_actor *who, const char *path)
{
	FILE *fp = path != NULL ? fopen(path, "w") : stdout;
	error e;

	if (fp == NULL) {
		fprintf(stderr, "ecomctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	err_clear(&e);
	if (catalog_csv_export(a, who, write_chunk, fp, &e) != E_OK) {
		fprintf(stderr, "ecomctl: export failed: %s\n", e.message);
		if (path != NULL)
			fclose(fp);
		return 1;
	}
	/* stdout is flushed, a file of our own closed: either way a full disk shows here */
	if (path == NULL ? fflush(fp) != 0 : fclose(fp) != 0) {
		fprintf(stderr, "ecomctl: writing the export failed: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

/* The whole file into the arena (bounded by CATALOG_CSV_BYTES_MAX). */
static char *
slurp(arena *a, const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *data;

	if (fp == NULL) {
		fprintf(stderr, "ecomctl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	data = arena_alloc(a, CATALOG_CSV_BYTES_MAX + 1);
	*len = data != NULL ? fread(data, 1, CATALOG_CSV_BYTES_MAX + 1, fp) : 0;
	fclose(fp);
	if (data == NULL || *len > CATALOG_CSV_BYTES_MAX) {
		fprintf(stderr, "ecomctl: %s is larger than %d MiB; split it\n", path,
		    CATALOG_CSV_BYTES_MAX >> 20);
		return NULL;
	}
	return data;
}

static int
cmd_import(arena *a, const catalog_actor *who, const char *path, bool check_only)
{
	catalog_csv_report rep;
	char *data;
	size_t len;
	error e;
	ecode rc;

	if ((data = slurp(a, path, &len)) == NULL)
		return 1;
	err_clear(&e);
	rc = catalog_csv_import(a, who, data, len, check_only, progress, "import", &rep, &e);
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	for (size_t i = 0; i < rep.nerrors; i++)
		fprintf(stderr, "%s:%zu: %s%s%s\n", path, rep.errors[i].line, rep.errors[i].column,
		    rep.errors[i].column[0] ? ": " : "", rep.errors[i].message);
	if (rc != E_OK) {
		fprintf(stderr, "ecomctl: %s\n", e.message);
		return 1;
	}
	if (check_only)
		printf("%lld rows checked: no problems\n", (long long)rep.rows);
	else
		printf("%lld rows: %lld products created, %lld updated; %lld variants created,"
		    " %lld updated\n", (long long)rep.rows, (long long)rep.products_created,
		    (long long)rep.products_updated, (long long)rep.variants_created,
		    (long long)rep.variants_updated);
	return 0;
}

int
cmd_catalog(int argc, char **argv)
{
	static const char *const names[] = { "--as", "--out", "--file", "--mode", NULL };
	const char *v[5];
	catalog_actor who;
	arena *a;
	int rc;

	if (argc < 3 || (strcmp(argv[2], "export") != 0 && strcmp(argv[2], "import") != 0) ||
	    ecomctl_opts(argc - 1, argv + 1, names, v) != 0 || v[0] == NULL)
		return ecomctl_usage();
	if (strcmp(argv[2], "import") == 0 && (v[2] == NULL || v[1] != NULL ||
	    (v[3] != NULL && strcmp(v[3], "check") != 0 && strcmp(v[3], "apply") != 0)))
		return ecomctl_usage();
	if (strcmp(argv[2], "export") == 0 && (v[2] != NULL || v[3] != NULL))
		return ecomctl_usage();
	if ((a = arena_new(1 << 20)) == NULL)
		return 1;
	if (actor_by_email(a, v[0], &who) != 0)
		rc = 1;
	else if (strcmp(argv[2], "export") == 0)
		rc = cmd_export(a, &who, v[1]);
	else
		rc = cmd_import(a, &who, v[2], v[3] != NULL && strcmp(v[3], "check") == 0);
	arena_free(a);
	return rc;
}
