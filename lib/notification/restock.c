/*
 * restock.c — "Tell me when it's back": subscriptions of an address to an
 * out-of-stock variant, and the back-in-stock mails that
 * inventory.back_in_stock turns them into (notification.h).
 *
 * What a subscription needs from other domains — that the product is
 * published, the variant active and out of stock — is asked through
 * product.h and inventory.h before the notifications transaction: those
 * may live in other databases.  The mails of one restock are queued, and
 * their subscriptions marked notified, in the transaction that claims the
 * event, so a redelivered event queues nothing more and a failed one
 * leaves every subscription open for the retry.
 */
#include <string.h>

#include "auth/auth.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"
#include "inventory/inventory.h"
#include "notification/internal.h"
#include "product/product.h"

#define RESTOCK_KIND "back-in-stock"

/* ------------------------------------------------------------ tokens */

const char *
restock_token(arena *a, const char *id)
{
	return auth_hmac_hex(a, "restock", id);
}

const char *
restock_unsubscribe_url(arena *a, const char *id)
{
	const char *t = restock_token(a, id);

	return t ? arena_printf(a, "%s/restock/unsubscribe?id=%s&token=%s", cfg->base_url, id, t) :
	    NULL;
}

/* The id and token of a link, checked; E_NOT_FOUND for anything wrong. */
static ecode
token_check(arena *a, const char *id, const char *token, error *e)
{
	const char *want;

	if (!id || !uuid_valid(id) || !token || strlen(token) != 64 ||
	    !(want = restock_token(a, id)) || !ct_equal(want, token, 64))
		return err_set(e, E_NOT_FOUND, "This link is not valid, or the alert was already"
		    " removed.");
	return E_OK;
}

ecode
restock_get(arena *a, const char *id, const char *token, restock_subscription *out, error *e)
{
	db_conn *c;

	if (token_check(a, id, token, e) != E_OK || !(c = notify_db(e)))
		return e->code;
	if (rstore_get(c, a, id, out, e) == E_NOT_FOUND)
		return token_check(a, NULL, NULL, e);
	return e->code;
}

ecode
restock_unsubscribe(arena *a, const char *id, const char *token, error *e)
{
	db_conn *c;

	if (token_check(a, id, token, e) != E_OK || !(c = notify_db(e)))
		return e->code;
	if (rstore_delete(c, a, id, e) == E_NOT_FOUND)
		return token_check(a, NULL, NULL, e);
	return e->code;
}

ecode
restock_purge_notified(arena *a, int64_t *count, error *e)
{
	db_conn *c;

	*count = 0;
	if (!(c = notify_db(e)))
		return e->code;
	return rstore_purge(c, a, RESTOCK_KEEP_NOTIFIED_DAYS, count, e);
}

/* ------------------------------------------------------------ subscribing */

/* The address trimmed of blanks, if it is one we can mail: an addr-spec
 * (mime_address_ok) whose domain has a dot inside it. */
static const char *
email_checked(arena *a, const char *s)
{
	const char *at, *dot;
	size_t n;

	if (s == NULL)
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strnlen(s, 300);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (!(s = arena_strndup(a, s, n)) || !mime_address_ok(s))
		return NULL;
	at = strchr(s, '@');
	dot = strrchr(at, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0' ? s : NULL;
}

/* The variant is active in a published product and cannot be bought. */
static ecode
variant_waitable(arena *a, const restock_input *in, error *e)
{
	catalog_actor pub = { NULL, ROLE_PUBLIC, NULL };
	inv_item item = { in->product_id, in->variant_id, 1 };
	inv_availability av;
	product p;
	bool active = false;

	if (product_get(a, &pub, in->product_id, &p, e) != E_OK) {
		if (e->code == E_NOT_FOUND)
			err_set(e, E_NOT_FOUND, "That product is not for sale.");
		return e->code;
	}
	for (size_t i = 0; i < p.nvariants; i++)
		if (strcmp(p.variants[i].id, in->variant_id) == 0)
			active = p.variants[i].is_active;
	if (!active)
		return err_set(e, E_NOT_FOUND, "That option of %s is not for sale.", p.s.name);
	if (inventory_availability(a, &item, 1, &av, e) != E_OK)
		return e->code;
	if (av.in_stock)
		return err_set(e, E_CONFLICT, "This option is in stock now: you can add it to"
		    " your cart.");
	return E_OK;
}

typedef struct sub_tx {
	const restock_input *in;
	bool *created;
} sub_tx;

static ecode
subscribe_tx(db_conn *c, arena *a, void *ud, error *e)
{
	sub_tx *t = ud;
	int64_t open;
	bool has;

	*t->created = false;
	if (rstore_open_of(c, a, t->in->email, t->in->variant_id, &open, &has, e) != E_OK)
		return e->code;
	if (has)
		return E_OK;
	if (open >= RESTOCK_OPEN_MAX)
		return err_set(e, E_CONFLICT, "This address already waits for %d products, the"
		    " most we keep; it gets a mail as each comes back.", RESTOCK_OPEN_MAX);
	return rstore_insert(c, a, t->in, t->created, e);
}

ecode
restock_subscribe(arena *a, const restock_input *in, bool *created, error *e)
{
	restock_input ok = *in;
	sub_tx t = { &ok, created };
	db_conn *c;

	*created = false;
	if (!(ok.email = email_checked(a, in->email)))
		return err_field(e, "email", "Enter an e-mail address like name@example.com.");
	if (!in->product_id || !in->variant_id || !uuid_valid(in->product_id) ||
	    !uuid_valid(in->variant_id))
		return err_set(e, E_NOT_FOUND, "That option is not for sale.");
	if (ok.user_id != NULL && !uuid_valid(ok.user_id))
		ok.user_id = NULL;
	if (variant_waitable(a, &ok, e) != E_OK || !(c = notify_db(e)))
		return e->code;
	return db_tx(c, a, subscribe_tx, &t, e);
}

/* ------------------------------------------------------------ the event */

typedef struct restock_tx {
	const event *ev;
	const char  *variant_id;
	const char  *product, *variant, *link;	/* NULL: nothing to send */
	notify_new  *m;
	size_t       n;
} restock_tx;

static json_object *
mail_ctx(arena *a, const restock_tx *t, const restock_subscription *s)
{
	json_object *ctx = json_object_new_object();
	const char *unsub = restock_unsubscribe_url(a, s->id);

	if (!ctx || !unsub) {
		json_object_put(ctx);
		return NULL;
	}
	json_object_object_add(ctx, "product", json_object_new_string(t->product));
	json_object_object_add(ctx, "variant", json_object_new_string(t->variant));
	json_object_object_add(ctx, "link", json_object_new_string(t->link));
	json_object_object_add(ctx, "email", json_object_new_string(s->email));
	json_object_object_add(ctx, "unsubscribe", json_object_new_string(unsub));
	return ctx;
}

static ecode
restock_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	restock_tx *t = ud;
	restock_subscription *subs;
	size_t nsubs;
	bool fresh;

	t->n = 0;
	if (nstore_claim(c, a, t->ev, &fresh, e) != E_OK)
		return e->code;
	if (!fresh || t->product == NULL)
		return E_OK;
	if (rstore_take_open(c, a, t->variant_id, t->ev->id, RESTOCK_PER_EVENT_MAX, &subs, &nsubs,
	    e) != E_OK)
		return e->code;
	if (nsubs > 0 && !(t->m = arena_calloc(a, nsubs, sizeof *t->m)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < nsubs; i++) {
		notify_new *m = &t->m[t->n];
		json_object *ctx;
		ecode rc;

		if (!mime_address_ok(subs[i].email))
			continue;	/* checked when stored; nothing we could send */
		if (!(ctx = mail_ctx(a, t, &subs[i])))
			return err_set(e, E_INTERNAL, "out of memory");
		memset(m, 0, sizeof *m);
		m->channel = "email";
		m->kind = RESTOCK_KIND;
		m->user_id = subs[i].user_id;
		m->recipient = subs[i].email;
		m->event_id = t->ev->id;
		rc = render_mail(c, a, RESTOCK_KIND, ctx, &m->subject, &m->text, &m->html, e);
		json_object_put(ctx);
		if (rc != E_OK || nstore_insert(c, a, m, e) != E_OK)
			return e->code;
		t->n++;
	}
	return E_OK;
}

/*
 * What to tell of the event's variant, or product NULL when nothing is
 * to be sent: the product is not published (the public cannot see it),
 * the variant is gone or inactive, or it is out of stock again by the
 * time the event arrives (the subscriptions then wait for the next
 * restock).
 */
static ecode
describe(arena *a, restock_tx *t, const char *product_id, error *e)
{
	catalog_actor pub = { NULL, ROLE_PUBLIC, NULL };
	inv_item item = { product_id, t->variant_id, 1 };
	inv_availability av;
	product p;
	error le;

	err_clear(&le);
	if (product_get(a, &pub, product_id, &p, &le) != E_OK) {
		if (le.code == E_NOT_FOUND)
			return E_OK;
		*e = le;
		return e->code;
	}
	for (size_t i = 0; i < p.nvariants; i++) {
		const product_variant *v = &p.variants[i];

		if (strcmp(v->id, t->variant_id) != 0 || !v->is_active)
			continue;
		if (inventory_availability(a, &item, 1, &av, e) != E_OK)
			return e->code;
		if (!av.in_stock)
			return E_OK;
		t->product = p.s.name;
		t->variant = v->name;
		t->link = arena_printf(a, "%s/p/%s?variant=%s", cfg->base_url, p.s.slug, v->id);
		if (!t->link)
			return err_set(e, E_INTERNAL, "out of memory");
	}
	return E_OK;
}

ecode
restock_on_back_in_stock(arena *a, const event *ev, error *e)
{
	const char *pid = json_member_str(ev->data, "product_id");
	restock_tx t = { ev, json_member_str(ev->data, "variant_id"), NULL, NULL, NULL, NULL, 0 };
	db_conn *c;

	if (!(c = notify_db(e)))
		return e->code;
	if (pid != NULL && t.variant_id != NULL && uuid_valid(pid) && uuid_valid(t.variant_id) &&
	    describe(a, &t, pid, e) != E_OK)
		return e->code;
	/* claimed even when nothing is sent, so the log of claims is complete */
	if (db_tx(c, a, restock_in_tx, &t, e) != E_OK)
		return e->code;
	if (t.n > 0)
		log_msg(LOG_INFO, "back in stock: %zu mails for variant %s", t.n, t.variant_id);
	if (notification_file_transport())
		for (size_t i = 0; i < t.n; i++)
			notify_deliver_now(a, t.m[i].id);
	return E_OK;
}
