/*
 * admin_orders.c — the admin panel's order pages: the list with its
 * filters (status, dates, customer e-mail, number search), one order with
 * its lines, payments, history and internal notes, the buttons for the
 * status changes the state machine allows from where the order is, the
 * refund and note forms, and the printable invoice.
 *
 * Every change is a POST with the CSRF token, redirected to the order
 * page afterwards (?done=...); a refused change shows the page again
 * with the reason (409 for a move the state machine refuses).
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "core/parse.h"
#include "core/util.h"
#include "order/order.h"
#include "orders_view.h"
#include "payment/payment.h"

#define ADMIN_ORDERS_URL "/admin/orders"

static json_object *
jstr(const char *s)
{
	return json_object_new_string(s ? s : "");
}

ecode
h_orders(request *req, response *res, error *e)
{
	order_filter f = { 0 };
	order_page op;
	page pg = { 1, ADMIN_PAGE_SIZE, 0 };
	const char *base;
	json_object *ctx, *rows, *opts;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	f.status = admin_nonempty(req_query(req, "status"));
	f.email = admin_nonempty(req_query(req, "email"));
	f.number = admin_nonempty(req_query(req, "q"));
	if (admin_day_param(req, "from", false, &f.from, e) != E_OK ||
	    admin_day_param(req, "to", true, &f.to, e) != E_OK)
		return e->code;
	if ((rc = admin_page_param(req, &pg, e)) != E_OK)
		return rc;
	if ((rc = order_list(req->a, &f, &pg, &op, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	rows = json_object_new_array();
	for (size_t i = 0; i < op.n; i++)
		json_object_array_add(rows, order_view(req->a, &op.items[i]));
	json_object_object_add(ctx, "orders", rows);
	json_object_object_add(ctx, "total", json_object_new_int64(op.total));
	opts = json_object_new_array();
	for (int s = 0; s < ORDER__NSTATUS; s++) {
		json_object *o = json_object_new_object();
		const char *name = order_status_name((order_status)s);
		json_object_object_add(o, "value", jstr(name));
		if (f.status && strcmp(f.status, name) == 0)
			json_object_object_add(o, "selected", json_object_new_boolean(1));
		json_object_array_add(opts, o);
	}
	json_object_object_add(ctx, "statuses", opts);
	json_object_object_add(ctx, "q", jstr(f.number));
	json_object_object_add(ctx, "email", jstr(f.email));
	json_object_object_add(ctx, "from", jstr(admin_nonempty(req_query(req, "from"))));
	json_object_object_add(ctx, "to", jstr(admin_nonempty(req_query(req, "to"))));
	base = arena_printf(req->a, ADMIN_ORDERS_URL "?status=%s&q=%s&email=%s&from=%s&to=%s",
	    url_encode(req->a, f.status ? f.status : ""), url_encode(req->a, f.number ? f.number : ""),
	    url_encode(req->a, f.email ? f.email : ""),
	    url_encode(req->a, admin_nonempty(req_query(req, "from")) ? req_query(req, "from") : ""),
	    url_encode(req->a, admin_nonempty(req_query(req, "to")) ? req_query(req, "to") : ""));
	json_object_object_add(ctx, "pagination", view_pagination(req->a,
	    base ? base : ADMIN_ORDERS_URL, &pg, op.total));
	return admin_render(req, res, 200, "admin/orders", ctx, &me, "Orders", e);
}

/* ------------------------------------------------------------ one order */

static json_object *
payments_view(request *req, const order *o)
{
	json_object *arr = json_object_new_array();
	payment *ps = NULL;
	size_t n = 0;
	error le;

	err_clear(&le);
	if (payment_list_for_order(req->a, o->id, &ps, &n, &le) != E_OK)
		return arr;	/* the page still helps without them */
	for (size_t i = 0; i < n; i++) {
		json_object *j = json_object_new_object();
		const char *amt = money_format_a(req->a, ps[i].amount, ps[i].currency);
		const char *ref = money_format_a(req->a, ps[i].refunded_amount, ps[i].currency);
		json_object_object_add(j, "id", jstr(ps[i].id));
		json_object_object_add(j, "method", jstr(ps[i].method));
		json_object_object_add(j, "status", jstr(ps[i].status));
		json_object_object_add(j, "amount", jstr(amt));
		json_object_object_add(j, "refunded", jstr(ref));
		json_object_object_add(j, "card", jstr(ps[i].card_last4
		    ? arena_printf(req->a, "%s •••• %s", ps[i].card_brand ? ps[i].card_brand : "card",
		    ps[i].card_last4) : NULL));
		json_object_array_add(arr, j);
	}
	return arr;
}

static json_object *
transitions_view(const order *o)
{
	json_object *arr = json_object_new_array();
	order_status from;

	if (order_status_parse(o->status, &from) != 0)
		return arr;
	for (int to = 0; to < ORDER__NSTATUS; to++) {
		json_object *j;
		if (!order_transition_allowed(from, (order_status)to))
			continue;
		j = json_object_new_object();
		json_object_object_add(j, "to", jstr(order_status_name((order_status)to)));
		if (to == ORDER_REFUNDED)
			json_object_object_add(j, "refund", json_object_new_boolean(1));
		if (to == ORDER_CANCELED)
			json_object_object_add(j, "cancel", json_object_new_boolean(1));
		json_object_array_add(arr, j);
	}
	return arr;
}

static const char *const done_messages[][2] = {
	{ "status", "The status was changed." },
	{ "refund", "The refund was made." },
	{ "note", "The note was added." },
};

/* The order page; `err` (may be NULL) is a refused change to show. */
static ecode
render_order(request *req, response *res, int status, const char *id, const error *err,
    const char *warning, error *e)
{
	order o;
	order_note *notes;
	size_t nnotes;
	json_object *ctx, *arr;
	const char *done = req_query(req, "done");
	user me;
	bool stop;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &stop, e)) != E_OK || stop)
		return rc;
	if ((rc = order_get(req->a, id, &o, e)) != E_OK ||
	    (rc = order_notes(req->a, o.id, &notes, &nnotes, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	json_object_object_add(ctx, "order", order_view(req->a, &o));
	json_object_object_add(ctx, "payments", payments_view(req, &o));
	json_object_object_add(ctx, "transitions", transitions_view(&o));
	json_object_object_add(ctx, "refund_key", jstr(arena_printf(req->a, "%s-%lld",
	    o.id, (long long)now_us())));
	arr = json_object_new_array();
	for (size_t i = 0; i < nnotes; i++) {
		json_object *j = json_object_new_object();
		json_object_object_add(j, "author", jstr(notes[i].author));
		json_object_object_add(j, "body", jstr(notes[i].body));
		json_object_object_add(j, "when", jstr(order_view_time(req->a, notes[i].created_at)));
		json_object_array_add(arr, j);
	}
	json_object_object_add(ctx, "notes", arr);
	for (size_t i = 0; done && i < sizeof done_messages / sizeof done_messages[0]; i++)
		if (strcmp(done, done_messages[i][0]) == 0)
			json_object_object_add(ctx, "done", jstr(done_messages[i][1]));
	if (warning)
		json_object_object_add(ctx, "warning", jstr(warning));
	if (err) {
		json_object_object_add(ctx, "error", jstr(err->message));
		json_object_object_add(ctx, "errors", admin_field_errors(err));
	}
	return admin_render(req, res, status, "admin/order", ctx, &me,
	    arena_printf(req->a, "Order %s", o.number), e);
}

ecode
h_order(request *req, response *res, error *e)
{
	return render_order(req, res, 200, req_param(req, "id"), NULL, NULL, e);
}

/* After a change: back to the page, or the page with what went wrong
 * when it is the admin's to fix (an illegal move, a bad amount). */
static ecode
change_done(request *req, response *res, ecode rc, error *le, const char *done, error *e)
{
	const char *id = req_param(req, "id");
	int status;

	rc = admin_action_outcome(req, res, rc, le, rc == E_CONFLICT || rc == E_VALIDATION ||
	    rc == E_IDEMPOTENCY_MISMATCH || rc == E_PAYMENT_FAILED, ADMIN_ORDERS_URL, id, done,
	    &status, e);
	if (status == 0)
		return rc;
	return render_order(req, res, status, id, le, NULL, e);
}

ecode
h_order_status(request *req, response *res, error *e)
{
	order_actor who = order_actor_of(req);
	const char *to_s = req_form(req, "status"), *reason = admin_nonempty(req_form(req, "reason"));
	const char *restock = req_form(req, "restock");
	order_change_result r = { false, false, NULL };
	order_status to;
	order o;
	error le;
	user me;
	bool stop;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &stop, e)) != E_OK || stop)
		return rc;
	err_clear(&le);
	if (!to_s || order_status_parse(to_s, &to) != 0)
		rc = err_field(&le, "status", "is not an order status");
	else
		rc = order_transition(req->a, &who, req_param(req, "id"), to, reason,
		    restock && strcmp(restock, "1") == 0, &o, &r, &le);
	if (rc == E_OK && r.warning)	/* committed, but someone must look at it */
		return render_order(req, res, 200, o.id, NULL, r.warning, e);
	return change_done(req, res, rc, &le, "status", e);
}

ecode
h_order_refund(request *req, response *res, error *e)
{
	order_actor who = order_actor_of(req);
	const char *reason = req_form(req, "reason"), *key = req_form(req, "idempotency_key");
	order o;
	error le;
	int64_t amount;
	user me;
	bool stop;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &stop, e)) != E_OK || stop)
		return rc;
	err_clear(&le);
	if ((rc = order_get(req->a, req_param(req, "id"), &o, e)) != E_OK)
		return rc;
	if (req_form(req, "amount") == NULL ||
	    parse_decimal(req_form(req, "amount"), currency_digits(o.currency), 1000000000000LL,
	    &amount) != 0)
		amount = -1;
	if (amount <= 0)
		rc = err_field(&le, "amount", "must be an amount like 12.50");
	else
		rc = order_refund(req->a, &who, o.id, amount, reason, key, &le);
	return change_done(req, res, rc, &le, "refund", e);
}

ecode
h_order_note(request *req, response *res, error *e)
{
	order_actor who = order_actor_of(req);
	error le;
	user me;
	bool stop;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &stop, e)) != E_OK || stop)
		return rc;
	err_clear(&le);
	rc = order_note_add(req->a, &who, me.email, req_param(req, "id"), req_form(req, "body"), &le);
	return change_done(req, res, rc, &le, "note", e);
}

ecode
h_order_invoice(request *req, response *res, error *e)
{
	order o;
	json_object *ctx;
	user me;
	bool stop;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &stop, e)) != E_OK || stop)
		return rc;
	if ((rc = order_get(req->a, req_param(req, "id"), &o, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	json_object_object_add(ctx, "order", order_view(req->a, &o));
	return admin_render(req, res, 200, "admin/order-invoice", ctx, &me,
	    arena_printf(req->a, "Invoice %s", o.number), e);
}
