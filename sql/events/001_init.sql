-- events: what the event bus keeps for itself (lib/events): the dead
-- letters, events a consumer kept failing on, parked until an admin asks
-- for a replay (DESIGN §1, api-v1.md §Events).
--
-- One row per event and consumer: the relay (embedded mode) or a Kafka
-- consumer group parks an event for each consumer that failed it
-- EVENT_MAX_ATTEMPTS times, so a consumer that succeeded is never handed
-- it again.  consumer is the consumer's group ("notifier"), or "relay"
-- when the sink itself could not take the event.  A row stays (with its
-- history) after a successful replay: replayed_at says when.  Applied by
-- `ecomctl migrate` in one transaction.

CREATE SCHEMA IF NOT EXISTS events;

CREATE TABLE events.dead_letters (
	id                  uuid PRIMARY KEY,
	event_id            uuid NOT NULL,
	topic               text NOT NULL CHECK (length(topic) BETWEEN 1 AND 200),
	consumer            text NOT NULL CHECK (length(consumer) BETWEEN 1 AND 100),
	source              text NOT NULL CHECK (length(source) BETWEEN 1 AND 100),
	payload             jsonb NOT NULL,
	error               text NOT NULL CHECK (length(error) <= 2000),
	attempts            integer NOT NULL CHECK (attempts >= 0),
	created_at          timestamptz NOT NULL DEFAULT now(),
	replay_requested_at timestamptz,
	replay_requested_by uuid,
	replayed_at         timestamptz,
	UNIQUE (event_id, consumer)
);
-- the admin list, newest first, all or only the ones not yet replayed
CREATE INDEX dead_letters_created_idx ON events.dead_letters (created_at DESC, id);
CREATE INDEX dead_letters_pending_idx ON events.dead_letters (created_at DESC, id)
	WHERE replayed_at IS NULL;
-- what the relay and the consumer groups pick up on each run
CREATE INDEX dead_letters_replay_idx ON events.dead_letters (consumer, replay_requested_at)
	WHERE replay_requested_at IS NOT NULL AND replayed_at IS NULL;
