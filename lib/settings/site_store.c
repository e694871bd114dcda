/*
 * site_store.c — the settings module's reader for every process's copy
 * of the settings (lib/core/site.h).  The copy's cache and TTL live in
 * core because core (the page layout) and every domain read it; the SQL
 * lives here, since only this module touches the settings schema, and
 * reaches core as the loader settings_site_register() installs.
 */
#include <stdio.h>

#include "core/db.h"
#include "core/site.h"
#include "settings/settings.h"

static db_stmt site_rows_stmt = DB_STMT("settings_site_rows",
    "SELECT key, value FROM settings.settings ORDER BY key LIMIT $1::int", 1);

/* site_loader_fn: every stored row, at most max; -1 with e set when the
 * database cannot be read. */
static int
site_rows(arena *a, site_row *rows, int max, error *e)
{
	char lim[16];
	const char *p[1] = { lim };
	db_conn *c;
	PGresult *r;
	int n;

	snprintf(lim, sizeof lim, "%d", max);
	if (!(c = db_for("settings", e)) || !(r = db_exec(c, a, &site_rows_stmt, p, e)))
		return -1;
	n = PQntuples(r) < max ? PQntuples(r) : max;
	for (int i = 0; i < n; i++) {
		rows[i].key = db_val(r, i, 0);
		rows[i].value = db_val(r, i, 1);
	}
	return n;
}

void
settings_site_register(void)
{
	site_set_loader(site_rows);
}
