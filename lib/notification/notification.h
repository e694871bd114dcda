/*
 * notification.h — the messages the shop sends its customers and admins:
 * e-mail (SMTP through libcurl, or .eml files), SMS and push (behind a
 * provider interface), their delivery log and the admin's template
 * overrides.  The only header other code includes.
 *
 * Two ways in.  Events (order.created, order.status_changed,
 * order.canceled, payment.failed, inventory.low_stock,
 * inventory.back_in_stock) reach
 * notification_consumer, which renders and queues the messages in the
 * transaction that claims the event.  Mails that carry a secret (the
 * e-mail verification and password reset links) must not travel in an
 * event — every consumer, the audit log and Kafka see events — so the
 * accounts domain queues them with notification_send_account_mail().
 *
 * workers/notifier sends what is queued: due messages are leased (FOR
 * UPDATE SKIP LOCKED), sent, and marked sent, or retried with exponential
 * backoff, and after max_attempts marked failed; either outcome is an
 * event (notification.sent / notification.failed) in this schema's
 * outbox.  With no ECOM_SMTP_URL the transport writes .eml files into
 * ECOM_MAIL_DIR, and then whoever queues a message delivers it at once,
 * so a developer (and the accounts tests) see a mail the moment the
 * request that caused it ends.
 *
 * Every function takes an arena (what it returns lives there), fills e on
 * failure and returns E_OK or the error's code.
 */
#ifndef ECOM_NOTIFICATION_H
#define ECOM_NOTIFICATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/page.h"
#include "events/events.h"

#define NOTIFY_DOMAIN		"notifications"
#define NOTIFY_MAX_ATTEMPTS	6	/* then status failed */
/* A failed attempt n waits NOTIFY_BACKOFF_BASE_S * 2^(n-1) seconds, at
 * most NOTIFY_BACKOFF_MAX_S: 1, 2, 4, 8, 16 minutes, about half an hour
 * in all before a message is given up. */
#define NOTIFY_BACKOFF_BASE_S	60
#define NOTIFY_BACKOFF_MAX_S	3600
/* A message being sent is leased this long: another notifier leaves it
 * alone, and one that died mid-send gives it back after it. */
#define NOTIFY_LEASE_S		300
#define NOTIFY_BATCH_MAX	100
#define NOTIFY_TEMPLATE_MAX	100000	/* bytes of one overridden part */
#define NOTIFY_SUBJECT_MAX	1000

/* The consumer group "notifier". */
extern const consumer notification_consumer;

/* ------------------------------------------------------------ messages */

typedef struct notification {
	const char *id;
	const char *channel;		/* "email" | "sms" | "push" */
	const char *kind;		/* template name: "order-confirmation" */
	const char *user_id;		/* NULL for guests */
	const char *recipient;		/* address or phone number */
	const char *subject;
	const char *body_text;		/* one-time links replaced by a placeholder */
	const char *body_html;
	const char *event_id;		/* NULL when not caused by an event */
	const char *status;		/* "queued" | "sent" | "failed" */
	int64_t     attempts, max_attempts;
	const char *last_error;		/* NULL when none */
	int64_t     next_attempt_at, created_at, sent_at, read_at;	/* Unix s, 0 = never */
} notification;

/* The message as api-v1 JSON; a new object. */
json_object *notification_to_json(const notification *n);

/*
 * Queue the e-mail templates/email/<kind>.* for `to` (an address the
 * caller validated; it is checked again) with ctx (borrowed; "site" is
 * added when missing).  secret_link, when not NULL, is ctx's "link": the
 * log keeps a copy rendered with a placeholder instead, and the real
 * parts are dropped once sent.  With the file transport the message is
 * written at once.  user_id may be NULL.  The id into *id when id is not
 * NULL.
 */
ecode notification_send_account_mail(arena *a, const char *kind, const char *user_id,
    const char *to, json_object *ctx, bool secret_link, const char **id, error *e);

typedef struct notification_filter {
	const char *user_id;	/* one user's; NULL = all */
	const char *status;	/* queued | sent | failed; NULL = any */
	const char *kind;	/* exact; NULL = any */
	const char *recipient;	/* substring, any case; NULL = any */
} notification_filter;

typedef struct notification_page {
	notification *items;
	size_t        n;
	int64_t       total;
} notification_page;

/* Newest first; a bad filter is E_INVALID_PARAMETER naming it. */
ecode notification_list(arena *a, const notification_filter *f, const page *pg,
    notification_page *out, error *e);
/* One message; for_user not NULL: only that user's (else E_NOT_FOUND). */
ecode notification_get(arena *a, const char *id, const char *for_user, notification *out,
    error *e);
/* Mark read (idempotent: the first time stays); for_user as above. */
ecode notification_mark_read(arena *a, const char *id, const char *for_user,
    notification *out, error *e);
/* An admin's retry: a failed message gets one more attempt, due now
 * (sent at once with the file transport); E_CONFLICT for one that is
 * sent or still queued. */
/* Leaves as a notification.retried event, admin_id its actor. */
ecode notification_retry(arena *a, const char *id, const char *admin_id, const char *request_id,
    notification *out, error *e);

/* ------------------------------------------------------------ delivery */

typedef struct notify_stats {
	int64_t sent, retried, failed;
} notify_stats;

/* Send up to batch (1..NOTIFY_BATCH_MAX) due messages; *n_taken how many
 * were due.  E_OK even when some failed (they are recorded); an error
 * only when the database is unreachable. */
ecode notification_deliver_due(arena *a, int batch, notify_stats *st, size_t *n_taken,
    error *e);

/* Whether messages go to files (no ECOM_SMTP_URL). */
bool notification_file_transport(void);

/* ------------------------------------------------------------ MIME */

typedef struct mime_parts {
	const char *from_name;	/* display name (any UTF-8; encoded as needed) */
	const char *from_addr;
	const char *to;
	const char *subject;	/* any UTF-8; line breaks refused */
	const char *text, *html;
	const char *message_id;	/* "<uuid@host>" without brackets */
	int64_t     date;	/* Unix seconds */
} mime_parts;

/*
 * An RFC 5322 multipart/alternative message (text part first, HTML part
 * last) into out: CRLF line ends, 8bit UTF-8 bodies, non-ASCII header
 * text as RFC 2047 encoded-words.  E_INVALID_INPUT when an address is not
 * a plain addr-spec, a header value holds CR, LF or another control
 * character, or a body line is over RFC 5322's 998 bytes.  Dot-stuffing
 * is the transport's (libcurl does it for SMTP).
 */
ecode mime_build(const mime_parts *p, buf *out, error *e);
/* s as RFC 2047 "B" encoded-words (whole UTF-8 characters per word,
 * folded with CRLF SP). */
void mime_encoded_words(buf *b, const char *s);
/* Whether s is usable as an addr-spec in a header and an SMTP path. */
bool mime_address_ok(const char *s);

/* ------------------------------------------------------------ templates */

/* The e-mail kinds, NULL-terminated: verify-email, reset-password,
 * order-confirmation, payment-failed, order-shipped, order-canceled,
 * order-refunded, low-stock, new-order (to the shop), back-in-stock. */
extern const char *const notification_kinds[];

typedef struct notification_template {
	const char *name;
	const char *subject, *txt, *html;	/* effective text of each part */
	bool        subject_custom, txt_custom, html_custom;
	int64_t     updated_at;		/* of the override; 0 = none */
} notification_template;

/* The effective parts of kind (override or the file); E_NOT_FOUND for an
 * unknown kind. */
ecode notification_template_get(arena *a, const char *kind, notification_template *out,
    error *e);
/* Override kind's parts (NULL or "" keeps the file's).  Each part is
 * compiled and rendered with a sample context first; a part that does
 * not compile is E_VALIDATION on "subject", "txt" or "html" with the
 * engine's message.  Set and reset leave as mail_template.updated events
 * (admin_id the actor, request_id the correlation), so the audit log
 * shows who changed which template. */
ecode notification_template_set(arena *a, const char *kind, const char *subject,
    const char *txt, const char *html, const char *admin_id, const char *request_id,
    error *e);
/* Back to the files. */
ecode notification_template_reset(arena *a, const char *kind, const char *admin_id,
    const char *request_id, error *e);

/* ------------------------------------------------------------ back in stock */

/*
 * "Tell me when it's back" (restock.c): an address waiting for an
 * out-of-stock variant of a published product.  When
 * inventory.back_in_stock arrives, notification_consumer queues one
 * back-in-stock mail per open subscription of the variant (oldest first,
 * at most RESTOCK_PER_EVENT_MAX; the rest wait for the next restock) and
 * marks them notified, in the transaction that claims the event.  Each
 * mail carries an unsubscribe link signed with the server key
 * (restock_token), which deletes the subscription.
 */
#define RESTOCK_OPEN_MAX	50	/* open subscriptions per address */
#define RESTOCK_PER_EVENT_MAX	500	/* mails queued for one restock */
#define RESTOCK_KEEP_NOTIFIED_DAYS 30	/* then the address is forgotten */

typedef struct restock_input {
	const char *product_id, *variant_id;	/* UUIDs (a bad one: E_NOT_FOUND) */
	const char *email;			/* as typed; trimmed and checked */
	const char *user_id;			/* the signed-in customer, or NULL */
} restock_input;

typedef struct restock_subscription {
	const char *id, *product_id, *variant_id, *email, *user_id;
	int64_t     created_at, notified_at;	/* Unix s; notified_at 0 = open */
} restock_subscription;

/*
 * Subscribe in->email to the variant.  The product must be published and
 * the variant active (else E_NOT_FOUND) and out of stock (else
 * E_CONFLICT: it can be bought now); asked through product.h and
 * inventory.h.  A malformed address is E_VALIDATION on "email"; an
 * address with RESTOCK_OPEN_MAX open subscriptions is E_CONFLICT.  An
 * open subscription of the same variant and address (any case) is
 * answered E_OK with *created false and no second row.
 */
ecode restock_subscribe(arena *a, const restock_input *in, bool *created, error *e);
/* The subscription `id` if token is its restock_token; else E_NOT_FOUND
 * (the same for a bad token as for a removed subscription). */
ecode restock_get(arena *a, const char *id, const char *token, restock_subscription *out,
    error *e);
/* Delete it (open or notified) under the same check. */
ecode restock_unsubscribe(arena *a, const char *id, const char *token, error *e);
/* hex(HMAC(server key, "restock:" id)), 64 characters; NULL on OOM. */
const char *restock_token(arena *a, const char *id);
/* The unsubscribe link of subscription id: <base_url>/restock/unsubscribe?... */
const char *restock_unsubscribe_url(arena *a, const char *id);
/* The janitor's job: subscriptions notified more than
 * RESTOCK_KEEP_NOTIFIED_DAYS ago are deleted (a bounded batch per run),
 * so an address is not kept for an alert that is done; *count deleted. */
ecode restock_purge_notified(arena *a, int64_t *count, error *e);

/* ------------------------------------------------------------ SMS, push */

/* A provider for a channel other than e-mail.  send() returns E_OK once
 * the provider accepted the message, else an error (retried). */
typedef struct notify_provider {
	const char *name;
	ecode (*send)(arena *a, const char *to, const char *text, error *e);
} notify_provider;

/* The provider of "sms" or "push" (today the log-only one); NULL else. */
const notify_provider *notification_provider(const char *channel);

/* Queue a short text message (channel "sms" or "push"). */
ecode notification_send_text(arena *a, const char *channel, const char *kind,
    const char *user_id, const char *to, const char *text, const char *event_id,
    error *e);

#endif
