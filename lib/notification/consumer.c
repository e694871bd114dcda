/*
 * consumer.c — notification_consumer, the "notifier" group: the events
 * that become messages, rendered and queued in the transaction that
 * claims the event, so a redelivery (at least once, embedded or Kafka)
 * queues nothing twice.
 *
 *   order.created          order-confirmation (items and totals) to the buyer,
 *                          new-order to the shop (orders_notify_email, else
 *                          every active admin)
 *   order.status_changed   order-shipped (+ an SMS when the account has a
 *                          phone number), order-refunded
 *   order.canceled         order-canceled
 *   payment.failed         payment-failed to the account's address
 *   inventory.low_stock    low-stock to every active admin
 *   inventory.back_in_stock  back-in-stock to each open subscription
 *                          of the variant (restock.c, its own claim)
 *
 * What the event does not carry is read through the owning domain's
 * header before the transaction (the order's lines and totals, an
 * account's address, the product's name): those may live in other
 * databases.  An event about something that no longer exists is handled
 * by sending nothing.
 */
#include <string.h>

#include "core/config.h"
#include "core/site.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"
#include "notification/internal.h"
#include "order/order.h"
#include "payment/payment.h"
#include "product/product.h"
#include "settings/settings.h"
#include "user/user.h"

#define NOTIFY_PER_EVENT_MAX	50	/* admins told of one low stock */

static const char *const topics[] = {
	EVENT_TOPIC_PREFIX "order.created",
	EVENT_TOPIC_PREFIX "order.status_changed",
	EVENT_TOPIC_PREFIX "order.canceled",
	EVENT_TOPIC_PREFIX "payment.failed",
	EVENT_TOPIC_PREFIX "inventory.low_stock",
	EVENT_TOPIC_PREFIX "inventory.back_in_stock",
	NULL
};

typedef struct batch {
	/* an order's confirmation and, at most NOTIFY_PER_EVENT_MAX, the shop's */
	notify_new m[NOTIFY_PER_EVENT_MAX + 1];
	size_t     n;
	const event *ev;
} batch;

static void
put_s(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v != NULL ? v : ""));
}

static void
put_money(arena *a, json_object *o, const char *k, int64_t v, const char *currency)
{
	const char *s = money_format_a(a, v, currency);

	put_s(o, k, s != NULL ? s : "");
}

/* Render kind with ctx (consumed) and add it to b for `to`. */
static ecode
add_mail(db_conn *c, arena *a, batch *b, const char *kind, const char *user_id,
    const char *to, json_object *ctx, error *e)
{
	notify_new *m;
	ecode rc;

	if (ctx == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (!mime_address_ok(to) || b->n >= NOTIFY_PER_EVENT_MAX) {
		json_object_put(ctx);
		return E_OK;	/* nothing we could send: not a failure to retry */
	}
	m = &b->m[b->n];
	memset(m, 0, sizeof *m);
	m->channel = "email";
	m->kind = kind;
	m->user_id = user_id;
	m->recipient = to;
	m->event_id = b->ev->id;
	rc = render_mail(c, a, kind, ctx, &m->subject, &m->text, &m->html, e);
	json_object_put(ctx);
	if (rc == E_OK)
		b->n++;
	return rc;
}

/* The order as template context: number, status, lines, totals, link. */
static json_object *
order_ctx(arena *a, const order *o, const char *first_name)
{
	json_object *ctx = json_object_new_object(), *items = json_object_new_array();

	if (!ctx || !items) {
		json_object_put(ctx);
		json_object_put(items);
		return NULL;
	}
	put_s(ctx, "number", o->number);
	put_s(ctx, "status", o->status);
	put_s(ctx, "first_name", first_name);
	put_s(ctx, "currency", o->currency);
	put_s(ctx, "link", arena_printf(a, "%s/orders/%s", cfg->base_url, o->number));
	for (size_t i = 0; i < o->nitems; i++) {
		const order_item *it = &o->items[i];
		json_object *row = json_object_new_object();

		if (!row)
			break;
		put_s(row, "name", it->name);
		put_s(row, "sku", it->sku);
		json_object_object_add(row, "quantity", json_object_new_int64(it->quantity));
		put_money(a, row, "unit_price", it->unit_price, o->currency);
		put_money(a, row, "line_total", it->line_total, o->currency);
		json_object_array_add(items, row);
	}
	json_object_object_add(ctx, "items", items);
	put_money(a, ctx, "subtotal", o->subtotal, o->currency);
	if (o->discount_total > 0)
		put_money(a, ctx, "discount", o->discount_total, o->currency);
	put_money(a, ctx, "shipping", o->shipping, o->currency);
	put_money(a, ctx, "tax", o->tax, o->currency);
	put_money(a, ctx, "total", o->total, o->currency);
	return ctx;
}

/* The account's first name and phone, when the order has one. */
static ecode
account_of(arena *a, const char *user_id, user *u, bool *found, error *e)
{
	error le;

	*found = false;
	if (user_id == NULL || !uuid_valid(user_id))
		return E_OK;
	err_clear(&le);
	if (user_get(a, user_id, u, &le) == E_OK) {
		*found = true;
		return E_OK;
	}
	if (le.code == E_NOT_FOUND)
		return E_OK;
	*e = le;
	return e->code;
}

/* "captured (card •••• 4242)", "pending (bank transfer)", or from the
 * order's status when the payment cannot be read (or there is none). */
static const char *
payment_state(arena *a, const order *o)
{
	payment p;
	error le;
	char *method;

	err_clear(&le);
	if (o->payment_id == NULL || payment_get(a, o->payment_id, &p, &le) != E_OK)
		return strcmp(o->status, "pending") == 0 ? "not paid yet" : "paid";
	if (!(method = arena_strdup(a, p.method != NULL ? p.method : "")))
		return p.status;
	for (char *q = method; *q; q++)
		if (*q == '_')
			*q = ' ';
	if (p.card_last4 != NULL)
		return arena_printf(a, "%s (%s •••• %s)", p.status,
		    p.card_brand != NULL ? p.card_brand : "card", p.card_last4);
	return arena_printf(a, "%s (%s)", p.status, method);
}

/* The shop's view of a new order: the confirmation's context, plus who
 * bought, where it goes, the payment and the admin page. */
static json_object *
merchant_ctx(arena *a, const order *o)
{
	const order_address *ad = &o->address;
	const char *const lines[] = { ad->full_name, ad->address_line1, ad->address_line2,
	    arena_printf(a, "%s%s%s", ad->postal_code ? ad->postal_code : "",
	    ad->postal_code && ad->city ? " " : "", ad->city ? ad->city : ""),
	    ad->state, ad->country, ad->phone };
	json_object *ctx = order_ctx(a, o, ""), *addr;

	if (!ctx || !(addr = json_object_new_array())) {
		json_object_put(ctx);
		return NULL;
	}
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		if (lines[i] != NULL && lines[i][0] != '\0')
			json_object_array_add(addr, json_object_new_string(lines[i]));
	json_object_object_add(ctx, "address", addr);
	put_s(ctx, "email", o->email);
	put_s(ctx, "customer", o->user_id != NULL ? "account" : "guest");
	put_s(ctx, "shipping_method", o->shipping_method);
	put_s(ctx, "payment", payment_state(a, o));
	put_s(ctx, "link", arena_printf(a, "%s/admin/orders/%s", cfg->base_url, o->id));
	return ctx;
}

/* Queue one rendered copy for `to` (user_id NULL for a configured
 * address); a full batch or an unusable address is skipped. */
static void
add_copy(batch *b, const notify_new *proto, const char *user_id, const char *to)
{
	notify_new *m;

	if (b->n >= sizeof b->m / sizeof b->m[0] || !mime_address_ok(to))
		return;
	m = &b->m[b->n++];
	*m = *proto;
	m->user_id = user_id;
	m->recipient = to;
}

/* new-order to the shop: the addresses of orders_notify_email, or every
 * active admin (at most NOTIFY_PER_EVENT_MAX) when it is empty.  A
 * stored list that no longer parses is logged and the admins are told:
 * a new order must not go unnoticed. */
static ecode
on_order_merchant(db_conn *c, arena *a, batch *b, const order *o, error *e)
{
	notify_new proto;
	settings_recipients *r = arena_calloc(a, 1, sizeof *r);
	json_object *ctx;
	char why[160];
	ecode rc;

	if (!r)
		return err_set(e, E_INTERNAL, "out of memory");
	if (settings_recipients_parse(site_orders_notify_email(), r, why, sizeof why) != 0)
		log_msg(LOG_WARN, "orders_notify_email: %s; new orders go to every admin", why);
	memset(&proto, 0, sizeof proto);
	proto.channel = "email";
	proto.kind = "new-order";
	proto.event_id = b->ev->id;
	if (!(ctx = merchant_ctx(a, o)))
		return err_set(e, E_INTERNAL, "out of memory");
	rc = render_mail(c, a, proto.kind, ctx, &proto.subject, &proto.text, &proto.html, e);
	json_object_put(ctx);
	if (rc != E_OK)
		return rc;
	if (r->n > 0) {
		for (size_t i = 0; i < r->n; i++) {
			const char *to = arena_strdup(a, r->addr[i]);

			if (!to)
				return err_set(e, E_INTERNAL, "out of memory");
			add_copy(b, &proto, NULL, to);
		}
	} else {
		user_filter f = { NULL, ROLE_ADMIN, 1 };
		page pg = { 1, NOTIFY_PER_EVENT_MAX, 0 };
		user_page admins;

		if (user_list(a, &f, &pg, &admins, e) != E_OK)
			return e->code;
		for (size_t i = 0; i < admins.n; i++)
			add_copy(b, &proto, admins.items[i].id, admins.items[i].email);
	}
	return E_OK;
}

static ecode
on_order(db_conn *c, arena *a, batch *b, const char *kind, error *e)
{
	const char *id = json_member_str(b->ev->data, "order_id");
	order o;
	user u;
	bool have_user;
	json_object *ctx;
	error le;

	err_clear(&le);
	if (id == NULL || !uuid_valid(id))
		return E_OK;
	if (order_get(a, id, &o, &le) != E_OK) {
		if (le.code == E_NOT_FOUND)
			return E_OK;
		*e = le;
		return e->code;
	}
	if (account_of(a, o.user_id, &u, &have_user, e) != E_OK)
		return e->code;
	if (!(ctx = order_ctx(a, &o, have_user ? u.first_name : "")))
		return err_set(e, E_INTERNAL, "out of memory");
	put_s(ctx, "reason", json_member_str(b->ev->data, "reason"));
	if (add_mail(c, a, b, kind, o.user_id, o.email, ctx, e) != E_OK)
		return e->code;
	if (strcmp(kind, "order-confirmation") == 0)
		return on_order_merchant(c, a, b, &o, e);
	/* a shipped order is worth a text message when we have a number */
	if (strcmp(kind, "order-shipped") == 0 && have_user && u.phone[0] != '\0' &&
	    b->n < NOTIFY_PER_EVENT_MAX) {
		notify_new *m = &b->m[b->n++];

		memset(m, 0, sizeof *m);
		m->channel = "sms";
		m->kind = kind;
		m->user_id = o.user_id;
		m->recipient = u.phone;
		m->subject = "";
		m->html = "";
		m->event_id = b->ev->id;
		m->text = arena_printf(a, "%s: your order %s is on its way. %s/orders/%s",
		    site_store_name(), o.number, cfg->base_url, o.number);
	}
	return E_OK;
}

static ecode
on_payment_failed(db_conn *c, arena *a, batch *b, error *e)
{
	json_object *d = b->ev->data, *ctx, *v;
	const char *currency = json_member_str(d, "currency");
	user u;
	bool found;

	if (account_of(a, json_member_str(d, "user_id"), &u, &found, e) != E_OK)
		return e->code;
	if (!found || currency == NULL)
		return E_OK;	/* a guest's card declined at checkout: they saw it there */
	if (!(ctx = json_object_new_object()))
		return err_set(e, E_INTERNAL, "out of memory");
	put_s(ctx, "first_name", u.first_name);
	put_money(a, ctx, "amount", json_object_object_get_ex(d, "amount", &v) ?
	    json_object_get_int64(v) : 0, currency);
	put_s(ctx, "reason", json_member_str(d, "failure_message"));
	put_s(ctx, "link", arena_printf(a, "%s/cart", cfg->base_url));
	return add_mail(c, a, b, "payment-failed", u.id, u.email, ctx, e);
}

static ecode
on_low_stock(db_conn *c, arena *a, batch *b, error *e)
{
	json_object *d = b->ev->data, *v;
	const char *pid = json_member_str(d, "product_id"), *vid = json_member_str(d, "variant_id");
	const char *name = pid, *sku = "";
	catalog_actor who = { NULL, ROLE_ADMIN, NULL };
	user_filter f = { NULL, ROLE_ADMIN, 1 };
	page pg = { 1, NOTIFY_PER_EVENT_MAX, 0 };
	user_page admins;
	product p;
	error le;

	if (pid == NULL || vid == NULL || !uuid_valid(pid) || !uuid_valid(vid))
		return E_OK;
	err_clear(&le);
	if (product_get(a, &who, pid, &p, &le) == E_OK) {
		name = p.s.name;
		for (size_t i = 0; i < p.nvariants; i++)
			if (strcmp(p.variants[i].id, vid) == 0 && p.variants[i].sku != NULL)
				sku = p.variants[i].sku;
	} else if (le.code != E_NOT_FOUND) {
		*e = le;
		return e->code;
	}
	if (user_list(a, &f, &pg, &admins, e) != E_OK)
		return e->code;
	for (size_t i = 0; i < admins.n; i++) {
		json_object *ctx = json_object_new_object();

		if (ctx) {
			put_s(ctx, "first_name", admins.items[i].first_name);
			put_s(ctx, "product", name);
			put_s(ctx, "sku", sku);
			put_s(ctx, "warehouse", json_member_str(d, "warehouse_code"));
			json_object_object_add(ctx, "available", json_object_new_int64(
			    json_object_object_get_ex(d, "available", &v) ? json_object_get_int64(v) : 0));
			json_object_object_add(ctx, "threshold", json_object_new_int64(
			    json_object_object_get_ex(d, "low_stock_threshold", &v) ?
			    json_object_get_int64(v) : 0));
			put_s(ctx, "link", arena_printf(a, "%s/admin/inventory/%s/%s", cfg->base_url,
			    pid, vid));
		}
		if (add_mail(c, a, b, "low-stock", admins.items[i].id, admins.items[i].email, ctx,
		    e) != E_OK)
			return e->code;
	}
	return E_OK;
}

static ecode
queue_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	batch *b = ud;
	bool fresh;

	if (nstore_claim(c, a, b->ev, &fresh, e) != E_OK)
		return e->code;
	if (!fresh) {
		b->n = 0;	/* nothing queued by this delivery */
		return E_OK;
	}
	for (size_t i = 0; i < b->n; i++)
		if (nstore_insert(c, a, &b->m[i], e) != E_OK)
			return e->code;
	return E_OK;
}

static ecode
notify_handle(arena *a, const event *ev, error *e)
{
	batch *b = arena_calloc(a, 1, sizeof *b);
	const char *to;
	db_conn *c;
	ecode rc = E_OK;

	if (!b)
		return err_set(e, E_INTERNAL, "out of memory");
	b->ev = ev;
	/* its mails are one per subscriber, more than a batch holds */
	if (event_is(ev, "inventory.back_in_stock"))
		return restock_on_back_in_stock(a, ev, e);
	if (!(c = notify_db(e)))
		return e->code;
	if (event_is(ev, "order.created")) {
		rc = on_order(c, a, b, "order-confirmation", e);
	} else if (event_is(ev, "order.status_changed")) {
		to = json_member_str(ev->data, "to_status");
		if (to != NULL && strcmp(to, "shipped") == 0)
			rc = on_order(c, a, b, "order-shipped", e);
		else if (to != NULL && strcmp(to, "refunded") == 0)
			rc = on_order(c, a, b, "order-refunded", e);
	} else if (event_is(ev, "order.canceled")) {
		rc = on_order(c, a, b, "order-canceled", e);
	} else if (event_is(ev, "payment.failed")) {
		rc = on_payment_failed(c, a, b, e);
	} else if (event_is(ev, "inventory.low_stock")) {
		rc = on_low_stock(c, a, b, e);
	}
	if (rc != E_OK)
		return rc;
	/* claimed even when nothing is sent, so the log of claims is complete */
	if (db_tx(c, a, queue_in_tx, b, e) != E_OK)
		return e->code;
	if (notification_file_transport())
		for (size_t i = 0; i < b->n; i++)
			notify_deliver_now(a, b->m[i].id);
	return E_OK;
}

const consumer notification_consumer = { "notifier", topics, notify_handle };
