-- notifications: the messages the shop sends (e-mail, SMS, push), their
-- delivery log, the admin's template overrides, the consumer's claims and
-- the schema's outbox (notification.sent / notification.failed).
--
-- A message is rendered when it is queued (lib/notification/consumer.c for
-- events, notification_send_account_mail for the accounts domain) and sent
-- by workers/notifier, which leases due rows with FOR UPDATE SKIP LOCKED,
-- retries failures with exponential backoff and gives up after
-- max_attempts (status failed).  An admin's retry queues it for one more
-- attempt.  Applied by `ecomctl migrate` in one transaction.

CREATE SCHEMA IF NOT EXISTS notifications;

-- the consumer's claim (events.h: event_claim): each event once in effect
CREATE TABLE notifications.processed_events (
	event_id   uuid PRIMARY KEY,
	handled_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notifications.messages (
	id              uuid PRIMARY KEY,
	channel         text NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
	kind            text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9-]{0,63}$'),
	user_id         uuid,		-- the recipient's account; NULL for guests
	recipient       text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 254),
	subject         text NOT NULL CHECK (length(subject) <= 1000),
	-- what the log shows; for a message with a one-time link (verification,
	-- password reset) the link is replaced by a placeholder here ...
	body_text       text NOT NULL CHECK (length(body_text) <= 1000000),
	body_html       text NOT NULL CHECK (length(body_html) <= 1000000),
	-- ... and the parts really sent are kept here until they are sent
	secret_text     text,
	secret_html     text,
	event_id        uuid,		-- the event that caused it, if any
	status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
	attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	max_attempts    integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 100),
	last_error      text CHECK (length(last_error) <= 2000),
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	created_at      timestamptz NOT NULL DEFAULT now(),
	sent_at         timestamptz,
	read_at         timestamptz
);
-- the notifier's scan: due queued messages, oldest first
CREATE INDEX messages_due_idx ON notifications.messages (next_attempt_at) WHERE status = 'queued';
-- the admin log, newest first, and one user's messages
CREATE INDEX messages_time_idx ON notifications.messages (created_at DESC, id);
CREATE INDEX messages_user_idx ON notifications.messages (user_id, created_at DESC)
	WHERE user_id IS NOT NULL;

-- The admin's overrides of templates/email/<name>.<part>.mustache; a NULL
-- part keeps the file's.  Read at every render, so a change takes effect
-- without a restart.
CREATE TABLE notifications.templates (
	name       text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{0,63}$'),
	subject    text CHECK (length(subject) <= 1000),
	txt        text CHECK (length(txt) <= 100000),
	html       text CHECK (length(html) <= 100000),
	updated_by uuid,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- The outbox in the shape the relay drains (see sql/users/002_outbox_relay.sql).
CREATE TABLE notifications.outbox (
	id              uuid PRIMARY KEY,
	event_type      text NOT NULL,
	aggregate_type  text NOT NULL,
	aggregate_id    uuid NOT NULL,
	payload         jsonb NOT NULL,
	created_at      timestamptz NOT NULL DEFAULT now(),
	published_at    timestamptz,
	seq             bigserial NOT NULL,
	attempts        integer NOT NULL DEFAULT 0,
	last_error      text,
	next_attempt_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_pending_idx ON notifications.outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_pending_aggregate_idx ON notifications.outbox (aggregate_id, seq)
	WHERE published_at IS NULL;

CREATE FUNCTION notifications.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS
	$$ BEGIN PERFORM pg_notify('ecom_outbox', 'notifications'); RETURN NULL; END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON notifications.outbox
	FOR EACH STATEMENT EXECUTE FUNCTION notifications.outbox_notify();
