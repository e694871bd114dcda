/*
 * admin_catalog_io.c — /admin/catalog/io: the catalog as CSV.
 *
 * The export is streamed (resp_stream): rows leave as the catalog is read,
 * a page of 500 at a time, so a large catalog never sits in memory.  The
 * import takes the uploaded file, checks every row and changes nothing
 * when any is wrong, listing the problems by line and column; "check only"
 * stops there.  The rules are the catalog's (lib/product/csv.c, the same
 * as `ecomctl catalog import`); this file only moves bytes and renders.
 */
#include <stdio.h>
#include <time.h>

#include "admin.h"
#include "core/log.h"
#include "product/product.h"

typedef struct export_stream {
	request      *req;
	catalog_actor who;
} export_stream;

static int
write_rows(void *ud, const char *data, size_t n)
{
	return resp_write(ud, data, n);
}

static int
stream_export(response *res, void *ud)
{
	export_stream *x = ud;
	error e;

	err_clear(&e);
	if (catalog_csv_export(x->req->a, &x->who, write_rows, res, &e) != E_OK) {
		log_msg(LOG_ERROR, "catalog export: %s", e.message);
		return -1;
	}
	return 0;
}

ecode
h_catalog_export(request *req, response *res, error *e)
{
	export_stream *x = arena_calloc(req->a, 1, sizeof *x);
	char name[64];
	time_t now = time(NULL);
	struct tm tm;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if (x == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	x->req = req;
	x->who = catalog_actor_of(req);
	gmtime_r(&now, &tm);
	strftime(name, sizeof name, "attachment; filename=\"catalog-%Y%m%d-%H%M.csv\"", &tm);
	res->status = 200;
	res->content_type = "text/csv; charset=utf-8";
	resp_set_header(res, "Content-Disposition", name);
	resp_set_header(res, "Cache-Control", "no-store");
	resp_stream(res, stream_export, x);
	return E_OK;
}

ecode
h_catalog_io(request *req, response *res, error *e)
{
	json_object *ctx;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	ctx = json_object_new_object();
	json_object_object_add(ctx, "rows_max", json_object_new_int(CATALOG_CSV_ROWS_MAX));
	json_object_object_add(ctx, "mib_max", json_object_new_int(CATALOG_CSV_BYTES_MAX >> 20));
	return admin_render(req, res, 200, "admin/catalog_io", ctx, &me, "Import and export", e);
}
