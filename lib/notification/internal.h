/*
 * internal.h — shared by the files of lib/notification only.
 *
 *   mime.c      RFC 5322 / 2046 / 2047 message building
 *   render.c    templates (files or the admin's overrides) -> parts
 *   transport.c the .eml file transport, SMTP through libcurl, providers
 *   store.c     every SQL statement of the notifications schema
 *   service.c   queueing, delivery with retries, the log, retry, read
 *   consumer.c  the "notifier" event consumer
 *   restock.c   back-in-stock subscriptions and their mails
 *   store_restock.c  the SQL of restock_subscriptions
 */
#ifndef ECOM_NOTIFICATION_INTERNAL_H
#define ECOM_NOTIFICATION_INTERNAL_H

#include "core/db.h"
#include "core/outbox.h"
#include "notification/notification.h"

/* A message to queue: the parts as rendered for the log, and the parts
 * really sent when they differ (one-time links). */
typedef struct notify_new {
	const char *channel, *kind, *user_id, *recipient, *subject;
	const char *text, *html;
	const char *secret_text, *secret_html;	/* NULL when the same */
	const char *event_id;
	char        id[37];			/* filled by nstore_insert */
} notify_new;

/* A leased message as the notifier sends it. */
typedef struct notify_due {
	notification n;
	const char  *send_text, *send_html;	/* the secret parts, or the log's */
} notify_due;

/* ---- render.c */
/* Render kind's subject, text and HTML with ctx; the subject flattened to
 * one line.  E_INTERNAL (logged) when a template fails. */
ecode render_mail(db_conn *c, arena *a, const char *kind, json_object *ctx,
    const char **subject, const char **text, const char **html, error *e);
/* Add "site" {name, base_url} to ctx when missing. */
void render_add_site(json_object *ctx);
/* Whether kind is one of notification_kinds. */
bool render_kind_known(const char *kind);
/* The file's text of email/<kind>.<part> (malloc'd into the arena), or NULL. */
const char *render_file_part(arena *a, const char *kind, const char *part);
/* Compile and render text with a sample context; 0, or -1 with msg. */
int render_check(const char *text, char *msg, size_t msglen);

/* ---- transport.c */
/* Send one e-mail (a whole RFC 5322 message) from -> to; E_OK or
 * E_UNAVAILABLE with the reason (SMTP reply included) in e->message.
 * *permanent when the server refused with a 5xx reply. */
ecode transport_send_mail(arena *a, const char *from, const char *to, const buf *msg,
    bool *permanent, error *e);
/* The sender address: ECOM_MAIL_FROM or no-reply@<host of base_url>. */
const char *transport_from(arena *a);
/* The host of ECOM_BASE_URL, for Message-IDs. */
const char *transport_host(arena *a);

/* ---- store.c */
ecode nstore_claim(db_conn *c, arena *a, const event *ev, bool *fresh, error *e);
ecode nstore_insert(db_conn *c, arena *a, notify_new *m, error *e);
/* Lease up to batch due messages (attempts + 1 each). */
ecode nstore_take_due(db_conn *c, arena *a, int batch, notify_due **out, size_t *n, error *e);
/* Lease one queued message by id (the file transport's immediate send);
 * *got false when it is not queued or someone else has it. */
ecode nstore_take_one(db_conn *c, arena *a, const char *id, notify_due *out, bool *got,
    error *e);
ecode nstore_mark_sent(db_conn *c, arena *a, const char *id, error *e);
/* Failed attempt: failed for good (status failed) or backoff. */
ecode nstore_mark_failed(db_conn *c, arena *a, const char *id, const char *why, bool give_up,
    bool *gave_up, error *e);
ecode nstore_list(db_conn *c, arena *a, const notification_filter *f, const page *pg,
    notification_page *out, error *e);
ecode nstore_get(db_conn *c, arena *a, const char *id, notification *out, error *e);
ecode nstore_mark_read(db_conn *c, arena *a, const char *id, error *e);
/* *changed false unless the message had failed. */
ecode nstore_retry(db_conn *c, arena *a, const char *id, bool *changed, error *e);
/* The override of kind, parts NULL when not overridden; *found. */
ecode nstore_template_get(db_conn *c, arena *a, const char *kind, const char **subject,
    const char **txt, const char **html, int64_t *updated_at, bool *found, error *e);
ecode nstore_template_put(db_conn *c, arena *a, const char *kind, const char *subject,
    const char *txt, const char *html, const char *admin_id, error *e);
ecode nstore_template_delete(db_conn *c, arena *a, const char *kind, error *e);
db_stmt *nstore_outbox_stmt(void);

/* ---- store_restock.c */
/* Under a transaction-scoped lock of the address: how many open
 * subscriptions it has, and whether one is for variant_id. */
ecode rstore_open_of(db_conn *c, arena *a, const char *email, const char *variant_id,
    int64_t *open, bool *has_variant, error *e);
/* INSERT unless an open one exists (*inserted tells). */
ecode rstore_insert(db_conn *c, arena *a, const restock_input *in, bool *inserted, error *e);
ecode rstore_get(db_conn *c, arena *a, const char *id, restock_subscription *out, error *e);
/* E_NOT_FOUND when there was none. */
ecode rstore_delete(db_conn *c, arena *a, const char *id, error *e);
/* Mark at most limit open subscriptions of variant_id notified by
 * event_id (oldest first, rows locked) and return them. */
ecode rstore_take_open(db_conn *c, arena *a, const char *variant_id, const char *event_id,
    int limit, restock_subscription **out, size_t *n, error *e);

/* Delete notified subscriptions older than days; *count deleted. */
ecode rstore_purge(db_conn *c, arena *a, int days, int64_t *count, error *e);

/* ---- restock.c */
/* The consumer's part for inventory.back_in_stock: claims ev itself. */
ecode restock_on_back_in_stock(arena *a, const event *ev, error *e);

/* ---- service.c */
db_conn *notify_db(error *e);
/* Send the message with this id now if it is still queued (file
 * transport); failures are recorded like the notifier's. */
void notify_deliver_now(arena *a, const char *id);

#endif
