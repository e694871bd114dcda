/*
 * import_job.c — catalog CSV imports applied by a worker instead of the
 * web request (large files; see product.h, "import jobs").
 *
 * A job is a row of catalog.import_jobs holding the file, who uploaded it
 * and, once finished, the report.  The worker (catalog_import_jobs_run,
 * called by the janitor) claims the oldest waiting job with
 * FOR UPDATE SKIP LOCKED, so two runs never take the same one, and runs
 * catalog_csv_import with the uploader's rights: the same checks, the
 * same single transaction, the same report as an import within the
 * request.  A job whose worker died stays "running"; after
 * IMPORT_STALE_S it is claimed again, which is safe because the apply is
 * one transaction that either committed (and then the job was marked
 * done in the statement right after) or did not happen.
 *
 * The SQL is store_import.c's.  Progress lives in Redis (catalog:import:<id> = "<done> <total>", an
 * hour's TTL) rather than in the row, because the rows are applied inside
 * one transaction on the catalog connection and an update of the job row
 * made there would stay invisible until the very end.  Without Redis the
 * page still shows the state; only the running count is missing.
 */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/redis.h"
#include "core/util.h"
#include "product/internal.h"

#define IMPORT_STALE_S		1800
#define PROGRESS_EVERY		250	/* rows between two progress writes */
#define PROGRESS_TTL_S		"3600"

/* ------------------------------------------------------------ report <-> JSON */

static json_object *
report_json(const catalog_csv_report *rep)
{
	json_object *o = json_object_new_object(), *errs = json_object_new_array();

	for (size_t i = 0; i < rep->nerrors; i++) {
		json_object *x = json_object_new_object();

		json_object_object_add(x, "line", json_object_new_int64((int64_t)rep->errors[i].line));
		json_object_object_add(x, "column", json_object_new_string(rep->errors[i].column));
		json_object_object_add(x, "message", json_object_new_string(rep->errors[i].message));
		json_object_array_add(errs, x);
	}
	json_object_object_add(o, "errors", errs);
	json_object_object_add(o, "truncated", json_object_new_boolean(rep->truncated));
	json_object_object_add(o, "rows", json_object_new_int64(rep->rows));
	json_object_object_add(o, "products_created", json_object_new_int64(rep->products_created));
	json_object_object_add(o, "products_updated", json_object_new_int64(rep->products_updated));
	json_object_object_add(o, "variants_created", json_object_new_int64(rep->variants_created));
	json_object_object_add(o, "variants_updated", json_object_new_int64(rep->variants_updated));
	return o;
}

static int64_t
jint(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static ecode
report_from(arena *a, const char *text, catalog_csv_report *rep, error *e)
{
	json_object *o, *errs;
	size_t n;

	memset(rep, 0, sizeof *rep);
	if (text == NULL || text[0] == '\0')
		return E_OK;
	if ((o = json_tokener_parse(text)) == NULL)
		return err_set(e, E_INTERNAL, "an import report is unreadable");
	rep->rows = jint(o, "rows");
	rep->products_created = jint(o, "products_created");
	rep->products_updated = jint(o, "products_updated");
	rep->variants_created = jint(o, "variants_created");
	rep->variants_updated = jint(o, "variants_updated");
	rep->truncated = jint(o, "truncated") != 0 ||
	    json_object_get_boolean(json_object_object_get(o, "truncated"));
	errs = json_object_object_get(o, "errors");
	n = errs != NULL ? json_object_array_length(errs) : 0;
	if (n > CATALOG_CSV_ERRORS_MAX)
		n = CATALOG_CSV_ERRORS_MAX;
	if (n > 0 && (rep->errors = arena_calloc(a, n, sizeof *rep->errors)) == NULL) {
		json_object_put(o);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(errs, i);

		rep->errors[i].line = (size_t)jint(x, "line");
		rep->errors[i].column = arena_strdup(a,
		    json_object_get_string(json_object_object_get(x, "column")));
		rep->errors[i].message = arena_strdup(a,
		    json_object_get_string(json_object_object_get(x, "message")));
	}
	rep->nerrors = n;
	json_object_put(o);
	return E_OK;
}

/* ------------------------------------------------------------ the web side */

ecode
catalog_import_job_create(arena *a, const catalog_actor *who, const char *filename,
    const char *data, size_t len, bool dry_run, const char **id_out, error *e)
{
	char id[37];
	const char *p[7];
	db_conn *c;

	if (!who || !who->user_id || who->role < ROLE_SELLER)
		return err_set(e, E_FORBIDDEN, "only sellers and admins can import products");
	if (len > CATALOG_CSV_BYTES_MAX)
		return err_set(e, E_PAYLOAD_TOO_LARGE, "the file is larger than %d MiB; split it",
		    CATALOG_CSV_BYTES_MAX >> 20);
	/* the column is text: the file must be what a CSV export is, UTF-8 */
	if (!utf8_valid(data, len))
		return err_set(e, E_INVALID_INPUT, "the file is not UTF-8 text (save it as CSV UTF-8)");
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	p[0] = id;
	p[1] = who->user_id;
	p[2] = who->role == ROLE_ADMIN ? "admin" : "seller";
	p[3] = filename != NULL && utf8_valid(filename, strlen(filename)) &&
	    strlen(filename) <= 255 ? filename : "";
	p[4] = arena_strndup(a, data, len);
	p[5] = arena_printf(a, "%zu", len);
	p[6] = dry_run ? "true" : "false";
	if (p[4] == NULL || p[5] == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (store_import_insert(c, a, p, e) != E_OK)
		return e->code;
	if ((*id_out = arena_strdup(a, id)) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	return E_OK;
}

/* The running count from Redis, if any. */
static void
progress_read(arena *a, catalog_import_job *j)
{
	error e;
	redisReply *r;
	long long done = 0, total = 0;

	err_clear(&e);
	r = redis_cmd(a, &e, "GET catalog:import:%s", j->id);
	if (r != NULL && r->type == REDIS_REPLY_STRING &&
	    sscanf(r->str, "%lld %lld", &done, &total) == 2) {
		j->rows_done = done;
		j->rows_total = total;
	}
}

/* Row i of a JOB_COLS result into *out. */
static ecode
job_of(arena *a, PGresult *r, int i, catalog_import_job *out, error *e)
{
	out->id = arena_strdup(a, db_val(r, i, 0));
	out->actor_id = arena_strdup(a, db_val(r, i, 1));
	out->status = arena_strdup(a, db_val(r, i, 2));
	out->filename = arena_strdup(a, db_val(r, i, 3));
	out->bytes = db_i64(r, i, 4);
	out->dry_run = db_bool(r, i, 5);
	out->message = arena_strdup(a, db_val(r, i, 6));
	out->created_at = db_i64(r, i, 8);
	out->started_at = db_i64(r, i, 9);
	out->finished_at = db_i64(r, i, 10);
	if (report_from(a, db_val(r, i, 7), &out->report, e) != E_OK)
		return e->code;
	if (strcmp(out->status, "running") == 0)
		progress_read(a, out);
	else if (strcmp(out->status, "done") == 0)
		out->rows_done = out->rows_total = out->report.rows;
	return E_OK;
}

ecode
catalog_import_job_get(arena *a, const catalog_actor *who, const char *id,
    catalog_import_job *out, error *e)
{
	const char *p[1] = { id };
	PGresult *r;
	db_conn *c;

	memset(out, 0, sizeof *out);
	if (id == NULL || !uuid_valid(id) || !who || !who->user_id || who->role < ROLE_SELLER)
		return err_set(e, E_NOT_FOUND, "there is no such import");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	if (store_import_get(c, a, p[0], &r, e) != E_OK)
		return e->code;
	/* someone else's import is as absent as a wrong id */
	if (PQntuples(r) != 1 || (who->role != ROLE_ADMIN && strcmp(db_val(r, 0, 1), who->user_id) != 0))
		return err_set(e, E_NOT_FOUND, "there is no such import");
	return job_of(a, r, 0, out, e);
}

ecode
catalog_import_job_list(arena *a, const catalog_actor *who, int limit,
    catalog_import_job **out, size_t *n, error *e)
{
	const char *p[2] = { NULL, arena_printf(a, "%d", limit) };
	PGresult *r;
	db_conn *c;

	*out = NULL;
	*n = 0;
	if (!who || !who->user_id || who->role < ROLE_SELLER)
		return E_OK;
	if (who->role != ROLE_ADMIN)
		p[0] = who->user_id;
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	if (store_import_list(c, a, p[0], p[1], &r, e) != E_OK)
		return e->code;
	if (PQntuples(r) > 0 && (*out = arena_calloc(a, (size_t)PQntuples(r), sizeof **out)) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < PQntuples(r); i++)
		if (job_of(a, r, i, &(*out)[(*n)++], e) != E_OK)
			return e->code;
	return E_OK;
}

/* ------------------------------------------------------------ the worker side */

typedef struct progress_ctx {
	arena      *a;
	const char *id;
	int64_t     last;	/* done at the last write */
	int64_t     total;	/* of the phase: 0 while reading, the rows while applying */
} progress_ctx;

static void
progress_write(void *ud, int64_t done, int64_t total)
{
	progress_ctx *p = ud;
	const char *key, *val;
	error e;

	if (total != p->total) {	/* reading is over: applying counts from 1 again */
		p->total = total;
		p->last = -PROGRESS_EVERY;
	}
	if (done - p->last < PROGRESS_EVERY && done != total)
		return;
	p->last = done;
	err_clear(&e);
	key = arena_printf(p->a, "catalog:import:%s", p->id);
	val = arena_printf(p->a, "%lld %lld", (long long)done, (long long)total);
	if (key != NULL && val != NULL)
		(void)redis_cmd(p->a, &e, "SET %s %s EX " PROGRESS_TTL_S, key, val);
}

/* Run one claimed job to its end; the job's row records how it ended. */
static ecode
run_one(arena *a, db_conn *c, PGresult *job, error *e)
{
	catalog_actor who = { db_val(job, 0, 1), ROLE_SELLER, NULL };
	progress_ctx pc = { a, db_val(job, 0, 0), -PROGRESS_EVERY, 0 };
	const char *data = db_val(job, 0, 3), *p[4];
	catalog_csv_report rep;
	json_object *rj;
	error ie;
	ecode rc;

	if (strcmp(db_val(job, 0, 2), "admin") == 0)
		who.role = ROLE_ADMIN;
	err_clear(&ie);
	rc = catalog_csv_import(a, &who, data != NULL ? data : "", data != NULL ? strlen(data) : 0,
	    db_bool(job, 0, 4), progress_write, &pc, &rep, &ie);
	rj = report_json(&rep);
	p[0] = pc.id;
	p[1] = rc == E_OK ? "done" : "failed";
	p[2] = rc == E_OK ? "" : ie.message;
	p[3] = arena_strdup(a, json_object_to_json_string_ext(rj, JSON_C_TO_STRING_PLAIN));
	json_object_put(rj);
	if (p[3] == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (store_import_finish(c, a, p, e) != E_OK)
		return e->code;
	log_msg(LOG_INFO, "catalog import %s: %s (%lld rows, %zu problems)", pc.id, p[1],
	    (long long)rep.rows, rep.nerrors);
	return E_OK;
}

ecode
catalog_import_job_run(arena *a, const char *id, error *e)
{
	const char *p[1] = { id };
	PGresult *job;
	db_conn *c;

	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	if (store_import_claim(c, a, p[0], NULL, &job, e) != E_OK)
		return e->code;
	if (PQntuples(job) == 0)
		return err_set(e, E_CONFLICT, "the import is no longer waiting");
	return run_one(a, c, job, e);
}

ecode
catalog_import_jobs_run(arena *a, int max_jobs, int64_t *count, error *e)
{
	const char *p[1] = { arena_printf(a, "%d", IMPORT_STALE_S) };
	db_conn *c;

	*count = 0;
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	for (int i = 0; i < max_jobs; i++) {
		PGresult *job;

		if (store_import_claim(c, a, NULL, p[0], &job, e) != E_OK)
			return e->code;
		if (PQntuples(job) == 0)
			break;
		if (run_one(a, c, job, e) != E_OK)
			return e->code;
		(*count)++;
	}
	return E_OK;
}
