/*
 * store_import.c — the SQL of catalog import jobs (import_job.c):
 * catalog.import_jobs rows, the worker's claim and the end of a job.
 */
#include "product/internal.h"

static db_stmt insert_stmt = DB_STMT("catalog_import_job_insert",
    "INSERT INTO catalog.import_jobs (id, actor_id, actor_role, filename, data, bytes, dry_run)"
    " VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::bigint, $7::boolean)", 7);

#define JOB_COLS \
    "id, actor_id, status, filename, bytes, dry_run, message, coalesce(report::text, '')," \
    " extract(epoch FROM created_at)::bigint," \
    " coalesce(extract(epoch FROM started_at)::bigint, 0)," \
    " coalesce(extract(epoch FROM finished_at)::bigint, 0)"

static db_stmt get_stmt = DB_STMT("catalog_import_job_get",
    "SELECT " JOB_COLS " FROM catalog.import_jobs WHERE id = $1::uuid", 1);

static db_stmt claim_stmt = DB_STMT("catalog_import_job_claim",
    "UPDATE catalog.import_jobs SET status = 'running', started_at = now()"
    " WHERE id = (SELECT id FROM catalog.import_jobs"
    "  WHERE status = 'queued' OR (status = 'running'"
    "   AND started_at < now() - make_interval(secs => $1::int))"
    "  ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)"
    " RETURNING id, actor_id, actor_role, data, dry_run", 1);

static db_stmt claim_one_stmt = DB_STMT("catalog_import_job_claim_one",
    "UPDATE catalog.import_jobs SET status = 'running', started_at = now()"
    " WHERE id = $1::uuid AND status = 'queued'"
    " RETURNING id, actor_id, actor_role, data, dry_run", 1);

static db_stmt list_stmt = DB_STMT("catalog_import_job_list",
    "SELECT " JOB_COLS " FROM catalog.import_jobs"
    " WHERE $1::uuid IS NULL OR actor_id = $1::uuid ORDER BY created_at DESC LIMIT $2::int", 2);

static db_stmt finish_stmt = DB_STMT("catalog_import_job_finish",
    "UPDATE catalog.import_jobs SET status = $2, message = $3, report = $4::jsonb,"
    " finished_at = now(), data = NULL WHERE id = $1::uuid", 4);

ecode
store_import_insert(db_conn *c, arena *a, const char *const params[7], error *e)
{
	return db_exec(c, a, &insert_stmt, params, e) != NULL ? E_OK : e->code;
}

ecode
store_import_get(db_conn *c, arena *a, const char *id, PGresult **out, error *e)
{
	const char *p[1] = { id };

	return (*out = db_exec(c, a, &get_stmt, p, e)) != NULL ? E_OK : e->code;
}

ecode
store_import_list(db_conn *c, arena *a, const char *actor_id, const char *limit,
    PGresult **out, error *e)
{
	const char *p[2] = { actor_id, limit };

	return (*out = db_exec(c, a, &list_stmt, p, e)) != NULL ? E_OK : e->code;
}

ecode
store_import_claim(db_conn *c, arena *a, const char *id, const char *stale_s,
    PGresult **out, error *e)
{
	const char *p[1] = { id != NULL ? id : stale_s };

	return (*out = db_exec(c, a, id != NULL ? &claim_one_stmt : &claim_stmt, p, e)) != NULL ?
	    E_OK : e->code;
}

ecode
store_import_finish(db_conn *c, arena *a, const char *const params[4], error *e)
{
	return db_exec(c, a, &finish_stmt, params, e) != NULL ? E_OK : e->code;
}
