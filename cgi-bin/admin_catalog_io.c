/*
 * admin_catalog_io.c — /admin/catalog/io: the catalog as CSV.
 *
 * The export is streamed (resp_stream): rows leave as the catalog is read,
 * a page of 500 at a time, so a large catalog never sits in memory.  The
 * import takes the uploaded file, checks every row and changes nothing
 * when any is wrong, listing the problems by line and column; "check only"
 * stops there.  The rules are the catalog's (lib/product/csv.c, the same
 * as `ecomctl catalog import`); this file only moves bytes and renders.
 *
 * Every upload becomes an import job (catalog_import_job_create), so each
 * has a page, /admin/catalog/import/{id}, with its report.  A file up to
 * ADMIN_IMPORT_INLINE_BYTES is run at once, within the request: a
 * refused one is shown straight away (400, nothing changed), an applied
 * one is a redirect to its page.  A larger file waits for the janitor
 * (every minute), and its page refreshes itself (the HTTP header
 * "Refresh: 3", no script and no <meta http-equiv>, which WCAG 2.2.1
 * checkers refuse) with the rows done so far until the job ends; a
 * visible "Stop refreshing" link, ?refresh=off, drops the header.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "admin_catalog.h"
#include "core/log.h"
#include "core/util.h"
#include "product/product.h"

/* Files up to this size are imported within the request (a few thousand
 * rows: seconds); larger ones by the janitor, with a progress page. */
#define ADMIN_IMPORT_INLINE_BYTES (256 * 1024)
#define ADMIN_IMPORTS_LISTED      10
#define IMPORT_URL                "/admin/catalog/import"
#define IMPORT_REFRESH_S          "3"

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

static json_object *
job_row(request *req, const catalog_import_job *j)
{
	json_object *o = json_object_new_object();

	admin_put_str(o, "url", arena_printf(req->a, IMPORT_URL "/%s", j->id));
	admin_put_str(o, "filename", j->filename[0] != '\0' ? j->filename : "(no name)");
	admin_put_str(o, "status", j->status);
	admin_put_str(o, "when", admin_time(req->a, j->created_at));
	admin_put_flag(o, "dry_run", j->dry_run);
	json_object_object_add(o, "rows", json_object_new_int64(j->report.rows));
	return o;
}

/* The page; err (may be NULL) is a refused upload's message. */
static ecode
io_render(request *req, response *res, int status, const user *me, const char *err, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	catalog_import_job *jobs;
	json_object *ctx, *rows;
	size_t n;
	ecode rc;

	if ((rc = catalog_import_job_list(req->a, &who, ADMIN_IMPORTS_LISTED, &jobs, &n, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	rows = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(rows, job_row(req, &jobs[i]));
	json_object_object_add(ctx, "imports", rows);
	json_object_object_add(ctx, "rows_max", json_object_new_int(CATALOG_CSV_ROWS_MAX));
	json_object_object_add(ctx, "mib_max", json_object_new_int(CATALOG_CSV_BYTES_MAX >> 20));
	json_object_object_add(ctx, "inline_kib", json_object_new_int(ADMIN_IMPORT_INLINE_BYTES >> 10));
	if (err != NULL)
		admin_put_str(ctx, "error", err);
	json_object_object_add(ctx, "crumbs", admin_crumb(admin_crumb(json_object_new_array(),
	    "Products", "/admin/products"), "Import and export", NULL));
	return admin_render(req, res, status, "admin/catalog_io", ctx, me, "Import and export", e);
}

ecode
h_catalog_io(request *req, response *res, error *e)
{
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	return io_render(req, res, 200, &me, NULL, e);
}

/* One import's page: its state, progress while it runs, its report. */
static ecode
job_render(request *req, response *res, int status, const user *me, const catalog_import_job *j,
    error *e)
{
	json_object *ctx = json_object_new_object(), *errs = json_object_new_array();
	const catalog_csv_report *rep = &j->report;
	bool waiting = strcmp(j->status, "queued") == 0 || strcmp(j->status, "running") == 0;
	const char *stop = req_query(req, "refresh");
	bool refresh;

	for (size_t i = 0; i < rep->nerrors; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "line", json_object_new_int64((int64_t)rep->errors[i].line));
		admin_put_str(o, "column", rep->errors[i].column[0] != '\0' ? rep->errors[i].column :
		    "(the whole row)");
		admin_put_str(o, "message", rep->errors[i].message);
		json_object_array_add(errs, o);
	}
	admin_put_str(ctx, "url", arena_printf(req->a, IMPORT_URL "/%s", j->id));
	admin_put_str(ctx, "filename", j->filename[0] != '\0' ? j->filename : "(no name)");
	admin_put_str(ctx, "status", j->status);
	admin_put_flag(ctx, "queued", strcmp(j->status, "queued") == 0);
	admin_put_flag(ctx, "running", strcmp(j->status, "running") == 0);
	admin_put_flag(ctx, "done", strcmp(j->status, "done") == 0);
	admin_put_flag(ctx, "failed", strcmp(j->status, "failed") == 0);
	admin_put_flag(ctx, "dry_run", j->dry_run);
	/* refresh while it is waiting, unless asked not to (WCAG 2.2.1) */
	refresh = waiting && !(stop != NULL && (strcmp(stop, "off") == 0 || strcmp(stop, "0") == 0));
	admin_put_flag(ctx, "refresh", refresh);
	admin_put_flag(ctx, "stopped", waiting && !refresh);
	if (refresh && resp_header(res, "Refresh", IMPORT_REFRESH_S) != 0)
		return err_set(e, E_INTERNAL, "could not set the Refresh header");
	json_object_object_add(ctx, "rows_done", json_object_new_int64(j->rows_done));
	json_object_object_add(ctx, "rows_total", json_object_new_int64(j->rows_total));
	json_object_object_add(ctx, "kib", json_object_new_int64((j->bytes + 1023) / 1024));
	admin_put_str(ctx, "message", j->message);
	admin_put_str(ctx, "created", admin_time(req->a, j->created_at));
	admin_put_str(ctx, "finished", admin_time(req->a, j->finished_at));
	json_object_object_add(ctx, "rows", json_object_new_int64(rep->rows));
	json_object_object_add(ctx, "products_created", json_object_new_int64(rep->products_created));
	json_object_object_add(ctx, "products_updated", json_object_new_int64(rep->products_updated));
	json_object_object_add(ctx, "variants_created", json_object_new_int64(rep->variants_created));
	json_object_object_add(ctx, "variants_updated", json_object_new_int64(rep->variants_updated));
	admin_put_flag(ctx, "truncated", rep->truncated);
	json_object_object_add(ctx, "problems", errs);
	json_object_object_add(ctx, "nproblems", json_object_new_int64((int64_t)rep->nerrors));
	json_object_object_add(ctx, "crumbs", admin_crumb(admin_crumb(json_object_new_array(),
	    "Import and export", "/admin/catalog/io"), arena_printf(req->a, "Import of %s",
	    j->filename[0] != '\0' ? j->filename : "a file"), NULL));
	return admin_render(req, res, status, "admin/import_job", ctx, me, "Import", e);
}

ecode
h_catalog_import_job(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	catalog_import_job j = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = catalog_import_job_get(req->a, &who, req_param(req, "id"), &j, e)) != E_OK)
		return rc;
	return job_render(req, res, 200, &me, &j, e);
}

/* POST (multipart): file, mode=check|apply. */
ecode
h_catalog_import(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const mp_part *file = req_part(req, "file");
	const char *mode = req_form(req, "mode"), *id;
	catalog_import_job j = { 0 };
	bool dry, done;
	user me;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if (file == NULL || file->filename == NULL || file->len == 0)
		return io_render(req, res, 400, &me, "Choose a CSV file to import.", e);
	if (mode == NULL || (strcmp(mode, "check") != 0 && strcmp(mode, "apply") != 0))
		return io_render(req, res, 400, &me, "Choose whether to check the file only or to "
		    "apply it.", e);
	dry = strcmp(mode, "check") == 0;
	rc = catalog_import_job_create(req->a, &who, file->filename, file->data, file->len, dry,
	    &id, e);
	if (rc == E_INVALID_INPUT || rc == E_PAYLOAD_TOO_LARGE) {
		const char *msg = arena_strdup(req->a, e->message);

		err_clear(e);
		return io_render(req, res, rc == E_PAYLOAD_TOO_LARGE ? 413 : 400, &me, msg, e);
	}
	if (rc != E_OK)
		return rc;
	if (file->len > ADMIN_IMPORT_INLINE_BYTES)	/* the janitor's */
		return admin_see_other(res, arena_printf(req->a, IMPORT_URL "/%s", id), e);
	if ((rc = catalog_import_job_run(req->a, id, e)) != E_OK && rc != E_CONFLICT)
		return rc;
	err_clear(e);
	if ((rc = catalog_import_job_get(req->a, &who, id, &j, e)) != E_OK)
		return rc;
	if (strcmp(j.status, "failed") == 0)	/* nothing changed: show why at once */
		return job_render(req, res, 400, &me, &j, e);
	return admin_flash(req, res, arena_printf(req->a, IMPORT_URL "/%s", id),
	    dry ? "import-checked" : "import-applied", e);
}
