-- audit: the admin audit log (lib/audit), built by the "audit" event
-- consumer from every domain's events (DESIGN §1, api-v1.md §Events).
--
-- The log owns no domain data: it learns of a change only from the event
-- the domain wrote in the change's transaction.  For each entity it keeps
-- the state the last event said it had (states), so that an admin's change
-- can be shown as before -> after.  Events of one aggregate arrive in
-- order, so "the last event" is well defined.  Applied by `ecomctl migrate`
-- in one transaction.

CREATE SCHEMA IF NOT EXISTS audit;

-- the consumer's claim (events.h: event_claim): each event once in effect
CREATE TABLE audit.processed_events (
	event_id   uuid PRIMARY KEY,
	handled_at timestamptz NOT NULL DEFAULT now()
);

-- The last known state of each entity: the data of its events merged key
-- by key (events may carry only what changed).  entity_key is the
-- aggregate id, or "<aggregate id>/<part>" when an aggregate's events each
-- describe one part of it (a variant's stock in one warehouse).
CREATE TABLE audit.states (
	aggregate_type text NOT NULL CHECK (length(aggregate_type) BETWEEN 1 AND 100),
	entity_key     text NOT NULL CHECK (length(entity_key) BETWEEN 36 AND 200),
	state          jsonb NOT NULL,
	event_id       uuid NOT NULL,
	updated_at     timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (aggregate_type, entity_key)
);

-- One row per change an admin or a seller made; the id is the event's.
CREATE TABLE audit.entries (
	id             uuid PRIMARY KEY,
	occurred_at    timestamptz NOT NULL,
	actor_id       uuid NOT NULL,
	actor_email    text CHECK (length(actor_email) <= 254),
	actor_role     text NOT NULL CHECK (actor_role IN ('admin', 'seller')),
	event_type     text NOT NULL CHECK (length(event_type) BETWEEN 1 AND 200),
	aggregate_type text NOT NULL CHECK (length(aggregate_type) BETWEEN 1 AND 100),
	aggregate_id   uuid NOT NULL,
	summary        text NOT NULL CHECK (length(summary) <= 1000),
	before         jsonb,
	after          jsonb NOT NULL,
	source         text NOT NULL CHECK (length(source) BETWEEN 1 AND 100),
	correlation_id text CHECK (length(correlation_id) <= 200),
	recorded_at    timestamptz NOT NULL DEFAULT now()
);
-- the list, newest first, whatever the filter (timestamps have whole
-- seconds: within one, the order the log learnt of them)
CREATE INDEX entries_time_idx ON audit.entries (occurred_at DESC, recorded_at DESC, id);
-- one entity's history, and the filters' choices (a skip scan each)
CREATE INDEX entries_entity_idx ON audit.entries (aggregate_id, occurred_at DESC);
CREATE INDEX entries_aggregate_type_idx ON audit.entries (aggregate_type, occurred_at DESC);
CREATE INDEX entries_event_type_idx ON audit.entries (event_type, occurred_at DESC);
