-- Catalog CSV imports too large to apply within a web request
-- (/admin/catalog/io): the file waits here until a worker run (the
-- janitor, every minute) checks and applies it with the rights of the
-- account that uploaded it; the page /admin/catalog/import/{id} shows the
-- state, the progress (kept in Redis while it runs) and the report.
-- The file is dropped once the job has finished; the report stays.

CREATE TABLE catalog.import_jobs (
	id uuid PRIMARY KEY,
	actor_id uuid NOT NULL,
	actor_role text NOT NULL CHECK (actor_role IN ('seller', 'admin')),
	filename text NOT NULL DEFAULT '' CHECK (length(filename) <= 255),
	data text,
	bytes bigint NOT NULL CHECK (bytes >= 0),
	dry_run boolean NOT NULL DEFAULT false,
	status text NOT NULL DEFAULT 'queued'
		CHECK (status IN ('queued', 'running', 'done', 'failed')),
	message text NOT NULL DEFAULT '',
	report jsonb,
	created_at timestamptz NOT NULL DEFAULT now(),
	started_at timestamptz,
	finished_at timestamptz
);

-- the worker's queue: oldest waiting first
CREATE INDEX import_jobs_pending_idx ON catalog.import_jobs (created_at)
	WHERE status IN ('queued', 'running');
