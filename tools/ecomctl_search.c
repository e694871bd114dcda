/*
 * ecomctl_search.c — `ecomctl search reindex`: rebuild every search
 * document from the catalog and the inventory now (lib/search), with a
 * progress bar on a terminal.  The same rebuild an admin's
 * POST /api/v1/search/reindex queues for the janitor.  Exit status: 0
 * done, 1 failed, 2 usage.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/db.h"
#include "ecomctl.h"
#include "search/search.h"

/* "\rreindex: [#####     ] 1200/5000 products" on a terminal. */
static void
progress(void *ud, int64_t done, int64_t total)
{
	char bar[41];
	int fill;

	(void)ud;
	if (!isatty(STDERR_FILENO) || total <= 0 || (done % 50 != 0 && done != total))
		return;
	fill = (int)(done * 40 / total);
	if (fill > 40)
		fill = 40;
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, ' ', (size_t)(40 - fill));
	bar[40] = '\0';
	fprintf(stderr, "\rreindex: [%s] %lld/%lld products", bar, (long long)done, (long long)total);
}

int
cmd_search(int argc, char **argv)
{
	arena *a;
	error e;
	int64_t docs = 0;
	int rc = 1;

	if (argc != 3 || strcmp(argv[2], "reindex") != 0)
		return ecomctl_usage();
	if (!(a = arena_new(64 * 1024)))
		return 1;
	err_clear(&e);
	if (search_reindex(a, progress, NULL, &docs, &e) == E_OK) {
		if (isatty(STDERR_FILENO))
			fputc('\n', stderr);
		printf("search: %lld documents indexed\n", (long long)docs);
		rc = 0;
	} else {
		if (isatty(STDERR_FILENO))
			fputc('\n', stderr);
		fprintf(stderr, "ecomctl search reindex: %s\n", e.message);
	}
	arena_free(a);
	db_close_all();
	return rc;
}
