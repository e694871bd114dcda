-- users: accounts, sessions (refresh-token families), one-time tokens,
-- two-factor authentication, addresses, wishlists, and the outbox that
-- carries user events out of this schema.
--
-- Conventions as in sql/catalog: ids are UUIDs made by the service, times
-- are timestamptz, and CHECK constraints repeat the essential bounds of the
-- service so no other writer can store what it would refuse.  Secrets are
-- never stored in the clear: passwords as bcrypt hashes, refresh-token ids,
-- one-time tokens and recovery codes as SHA-256 hex digests.  Applied by
-- `ecomctl migrate` inside one transaction.

CREATE SCHEMA IF NOT EXISTS users;

CREATE TABLE users.users (
	id              uuid PRIMARY KEY,
	email           text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND position('@' IN email) > 1),
	password_hash   text NOT NULL CHECK (length(password_hash) BETWEEN 20 AND 128),
	first_name      text NOT NULL CHECK (char_length(first_name) BETWEEN 1 AND 100),
	last_name       text NOT NULL CHECK (char_length(last_name) BETWEEN 1 AND 100),
	phone           text NOT NULL DEFAULT '' CHECK (length(phone) <= 32),
	role            text NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'seller', 'admin')),
	active          boolean NOT NULL DEFAULT true,
	email_verified  boolean NOT NULL DEFAULT false,
	-- TOTP: the secret (base32) is set at enrolment start and only counts
	-- once totp_enabled; totp_last_step stops a code being used twice.
	totp_secret     text CHECK (totp_secret IS NULL OR length(totp_secret) BETWEEN 16 AND 64),
	totp_enabled    boolean NOT NULL DEFAULT false,
	totp_last_step  bigint NOT NULL DEFAULT 0,
	created_at      timestamptz NOT NULL DEFAULT now(),
	updated_at      timestamptz NOT NULL DEFAULT now(),
	last_login_at   timestamptz,
	CHECK (NOT totp_enabled OR totp_secret IS NOT NULL)
);
-- One account per address, whatever its case.
CREATE UNIQUE INDEX users_email_key ON users.users (lower(email));
CREATE INDEX users_created_idx ON users.users (created_at DESC, id);

-- A login opens a family; every refresh token it issues belongs to it.
CREATE TABLE users.sessions (
	id             uuid PRIMARY KEY,
	user_id        uuid NOT NULL REFERENCES users.users (id) ON DELETE CASCADE,
	created_at     timestamptz NOT NULL DEFAULT now(),
	last_used_at   timestamptz NOT NULL DEFAULT now(),
	expires_at     timestamptz NOT NULL,
	revoked_at     timestamptz,
	revoke_reason  text CHECK (revoke_reason IS NULL OR length(revoke_reason) <= 64),
	client_ip      text NOT NULL DEFAULT '' CHECK (length(client_ip) <= 64),
	user_agent     text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 512)
);
CREATE INDEX sessions_user_idx ON users.sessions (user_id) WHERE revoked_at IS NULL;

-- One row per refresh token issued (by the SHA-256 of its jti).  used_at is
-- set when it is rotated; presenting it again revokes the family.
CREATE TABLE users.refresh_tokens (
	jti_hash    text PRIMARY KEY CHECK (length(jti_hash) = 64),
	session_id  uuid NOT NULL REFERENCES users.sessions (id) ON DELETE CASCADE,
	issued_at   timestamptz NOT NULL DEFAULT now(),
	expires_at  timestamptz NOT NULL,
	used_at     timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON users.refresh_tokens (session_id);

-- Password-reset and e-mail-verification links: 256-bit random tokens,
-- stored hashed, single use.
CREATE TABLE users.one_time_tokens (
	token_hash  text PRIMARY KEY CHECK (length(token_hash) = 64),
	user_id     uuid NOT NULL REFERENCES users.users (id) ON DELETE CASCADE,
	purpose     text NOT NULL CHECK (purpose IN ('password_reset', 'email_verify')),
	created_at  timestamptz NOT NULL DEFAULT now(),
	expires_at  timestamptz NOT NULL,
	used_at     timestamptz
);
CREATE INDEX one_time_tokens_user_idx ON users.one_time_tokens (user_id, purpose);

CREATE TABLE users.recovery_codes (
	user_id    uuid NOT NULL REFERENCES users.users (id) ON DELETE CASCADE,
	code_hash  text NOT NULL CHECK (length(code_hash) = 64),
	used_at    timestamptz,
	PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE users.addresses (
	id             uuid PRIMARY KEY,
	user_id        uuid NOT NULL REFERENCES users.users (id) ON DELETE CASCADE,
	label          text NOT NULL DEFAULT '' CHECK (char_length(label) <= 50),
	first_name     text NOT NULL CHECK (char_length(first_name) BETWEEN 1 AND 100),
	last_name      text NOT NULL CHECK (char_length(last_name) BETWEEN 1 AND 100),
	address_line1  text NOT NULL CHECK (char_length(address_line1) BETWEEN 1 AND 200),
	address_line2  text NOT NULL DEFAULT '' CHECK (char_length(address_line2) <= 200),
	city           text NOT NULL CHECK (char_length(city) BETWEEN 1 AND 200),
	state          text NOT NULL DEFAULT '' CHECK (char_length(state) <= 200),
	postal_code    text NOT NULL CHECK (char_length(postal_code) BETWEEN 1 AND 20),
	country_code   char(2) NOT NULL CHECK (country_code ~ '^[A-Z]{2}$'),
	phone          text NOT NULL DEFAULT '' CHECK (length(phone) <= 32),
	is_default     boolean NOT NULL DEFAULT false,
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX addresses_user_idx ON users.addresses (user_id, created_at);
-- At most one default address per user.
CREATE UNIQUE INDEX addresses_one_default ON users.addresses (user_id) WHERE is_default;

-- product_id belongs to the catalog domain: checked through its API when
-- added, never joined (DESIGN §1).
CREATE TABLE users.wishlist (
	user_id     uuid NOT NULL REFERENCES users.users (id) ON DELETE CASCADE,
	product_id  uuid NOT NULL,
	added_at    timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, product_id)
);

-- Events written in the same transaction as the change (DESIGN §1).
CREATE TABLE users.outbox (
	id             uuid PRIMARY KEY,
	event_type     text NOT NULL,
	aggregate_type text NOT NULL,
	aggregate_id   uuid NOT NULL,
	payload        jsonb NOT NULL,
	created_at     timestamptz NOT NULL DEFAULT now(),
	published_at   timestamptz
);
CREATE INDEX outbox_unpublished_idx ON users.outbox (created_at, id) WHERE published_at IS NULL;
