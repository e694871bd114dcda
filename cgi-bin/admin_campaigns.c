/*
 * admin_campaigns.c — /admin/campaigns: the campaign list (status filter,
 * pagination), the create and edit forms with every field of api-v1.md
 * §Campaigns, pausing a campaign, and its pairwise stacking rules.
 *
 * The forms speak in the units people type — a percentage in percent
 * ("12.5"), amounts in the currency's major unit ("19.90"), dates as UTC
 * date-times — and this file converts them into the domain's units (basis
 * points, minor units, RFC 3339).  The converted form becomes the same
 * JSON body the API takes, so one validator (campaign_input_from_json and
 * the service's cross-field rules) answers for both, and its field names
 * are the form's field names: each message lands next to its field.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "core/parse.h"
#include "core/util.h"
#include "campaign/campaign.h"
#include "admin.h"

#define RULE_CHOICES 100	/* campaigns offered as the other side of a rule */
#define MAX_MAJOR    10000000000LL	/* amounts typed in major units */

static const char *const statuses[] = { "scheduled", "active", "expired", "inactive" };
static const char *const types[] = { "percentage", "fixed_amount", "free_shipping",
	"buy_x_get_y" };

/* Every field of the form, as typed. */
typedef struct cform {
	const char *name, *description, *type, *value, *buy_quantity, *currency,
	    *min_order, *max_discount, *code, *automatic, *max_usage, *max_per_user,
	    *stackable, *priority, *exclusion_group, *start, *end, *categories, *products;
} cform;

/* ------------------------------------------------------------ units */

/* "2026-12-01T08:30" (datetime-local, read as UTC) -> RFC 3339. */
static const char *
form_time(arena *a, const char *s)
{
	size_t n = strlen(s);

	if (n == 16)
		return arena_printf(a, "%s:00Z", s);
	if (n == 19)
		return arena_printf(a, "%sZ", s);
	return s;	/* the domain names what is wrong with it */
}

static const char *
local_time(arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char out[32];

	if (gmtime_r(&tt, &tm) == NULL)
		return "";
	strftime(out, sizeof out, "%Y-%m-%dT%H:%M", &tm);
	return arena_strdup(a, out);
}

/* "id id\nid,id" -> a JSON array of the pieces (the domain checks them). */
static json_object *
id_list(arena *a, const char *s, error *ferr, const char *field)
{
	json_object *arr = json_object_new_array();
	const char *sep = " \t\r\n,";
	size_t n = 0;

	while (s != NULL && *s != '\0') {
		size_t k;

		s += strspn(s, sep);
		if ((k = strcspn(s, sep)) == 0)
			break;
		if (++n > CAMPAIGN_MAX_TARGETS) {
			err_field(ferr, field, "at most %d ids", CAMPAIGN_MAX_TARGETS);
			break;
		}
		json_object_array_add(arr, json_object_new_string(arena_strndup(a, s, k)));
		s += k;
	}
	return arr;
}

/* An optional whole number: empty -> null (no limit). */
static void
put_limit(json_object *o, const char *key, const char *s, int64_t min, int64_t max,
    error *ferr)
{
	int64_t v;

	if (s == NULL || s[0] == '\0')
		json_object_object_add(o, key, NULL);
	else if (parse_i64(s, min, max, &v) != 0)
		err_field(ferr, key, "enter a whole number from %lld, or leave empty for none",
		    (long long)min);
	else
		json_object_object_add(o, key, json_object_new_int64(v));
}

/* An amount in major units: empty -> null when optional, else 0. */
static void
put_amount(json_object *o, const char *key, const char *s, int digits, bool nullable,
    error *ferr)
{
	int64_t v;

	if (s == NULL || s[0] == '\0') {
		json_object_object_add(o, key, nullable ? NULL : json_object_new_int64(0));
		return;
	}
	if (parse_decimal(s, digits, MAX_MAJOR, &v) != 0)
		err_field(ferr, key, "enter an amount such as 19.90 (at most %d decimals)", digits);
	else
		json_object_object_add(o, key, json_object_new_int64(v));
}

/* The discount value by type: percent -> basis points, amount -> minor
 * units, buy X get Y -> the number of free items; free shipping has none. */
static void
put_value(json_object *o, const cform *f, int digits, error *ferr)
{
	const char *t = f->type != NULL ? f->type : "";
	int64_t v;

	if (strcmp(t, "free_shipping") == 0) {
		json_object_object_add(o, "discount_value", json_object_new_int64(0));
		return;
	}
	if (f->value == NULL || f->value[0] == '\0')
		return;	/* "is required" comes from the domain */
	if (strcmp(t, "percentage") == 0) {
		if (parse_decimal(f->value, 2, 100, &v) != 0)
			err_field(ferr, "discount_value", "enter a percentage such as 10 or 12.5");
		else
			json_object_object_add(o, "discount_value", json_object_new_int64(v));
	} else if (strcmp(t, "buy_x_get_y") == 0)
		put_limit(o, "discount_value", f->value, 0, 100, ferr);
	else
		put_amount(o, "discount_value", f->value, digits, false, ferr);
}

/* The form as the API's JSON body; conversion problems go to ferr. */
static json_object *
form_json(arena *a, const cform *f, error *ferr)
{
	json_object *o = json_object_new_object();
	const char *cur = f->currency != NULL && f->currency[0] != '\0' ? f->currency : "EUR";
	int digits = currency_valid(cur) ? currency_digits(cur) : 2;
	int64_t v;

	admin_put_str(o, "name", f->name);
	admin_put_str(o, "description", f->description);
	if (f->type != NULL && f->type[0] != '\0')
		admin_put_str(o, "type", f->type);
	admin_put_str(o, "currency", cur);
	put_value(o, f, digits, ferr);
	if (f->type != NULL && strcmp(f->type, "buy_x_get_y") == 0)
		put_limit(o, "buy_quantity", f->buy_quantity, 1, 100, ferr);
	else
		json_object_object_add(o, "buy_quantity", json_object_new_int64(0));
	put_amount(o, "min_order_amount", f->min_order, digits, false, ferr);
	put_amount(o, "max_discount_amount", f->max_discount, digits, true, ferr);
	admin_put_str(o, "code", f->code);
	json_object_object_add(o, "is_automatic", json_object_new_boolean(f->automatic != NULL));
	put_limit(o, "max_usage_count", f->max_usage, 1, 1000000000, ferr);
	put_limit(o, "max_usage_per_user", f->max_per_user, 1, 1000000, ferr);
	json_object_object_add(o, "is_stackable", json_object_new_boolean(f->stackable != NULL));
	if (f->priority == NULL || f->priority[0] == '\0')
		json_object_object_add(o, "priority", json_object_new_int64(0));
	else if (parse_i64(f->priority, -1000, 1000, &v) != 0)
		err_field(ferr, "priority", "enter a whole number from -1000 to 1000");
	else
		json_object_object_add(o, "priority", json_object_new_int64(v));
	if (f->exclusion_group == NULL || f->exclusion_group[0] == '\0')
		json_object_object_add(o, "exclusion_group", NULL);
	else
		admin_put_str(o, "exclusion_group", f->exclusion_group);
	if (f->start != NULL && f->start[0] != '\0')
		admin_put_str(o, "start_date", form_time(a, f->start));
	if (f->end != NULL && f->end[0] != '\0')
		admin_put_str(o, "end_date", form_time(a, f->end));
	json_object_object_add(o, "applicable_categories",
	    id_list(a, f->categories, ferr, "applicable_categories"));
	json_object_object_add(o, "applicable_products",
	    id_list(a, f->products, ferr, "applicable_products"));
	return o;
}

static cform
form_of(request *req)
{
	cform f = {
		req_form(req, "name"), req_form(req, "description"), req_form(req, "type"),
		req_form(req, "discount_value"), req_form(req, "buy_quantity"),
		req_form(req, "currency"), req_form(req, "min_order_amount"),
		req_form(req, "max_discount_amount"), req_form(req, "code"),
		req_form(req, "is_automatic"), req_form(req, "max_usage_count"),
		req_form(req, "max_usage_per_user"), req_form(req, "is_stackable"),
		req_form(req, "priority"), req_form(req, "exclusion_group"),
		req_form(req, "start_date"), req_form(req, "end_date"),
		req_form(req, "applicable_categories"), req_form(req, "applicable_products"),
	};

	return f;
}

static const char *
join_ids(arena *a, const char *const *ids, size_t n)
{
	const char *s = "";

	for (size_t i = 0; i < n; i++)
		s = arena_printf(a, "%s%s%s", s, i > 0 ? "\n" : "", ids[i]);
	return s;
}

/* A stored campaign in the form's units, for the edit page. */
static cform
form_from(arena *a, const campaign *c)
{
	int digits = currency_valid(c->currency) ? currency_digits(c->currency) : 2;
	cform f;

	memset(&f, 0, sizeof f);
	f.name = c->name;
	f.description = c->description;
	f.type = c->type;
	if (strcmp(c->type, "percentage") == 0)
		f.value = decimal_format(a, c->discount_value, 2);
	else if (strcmp(c->type, "fixed_amount") == 0)
		f.value = decimal_format(a, c->discount_value, digits);
	else if (strcmp(c->type, "buy_x_get_y") == 0) {
		f.value = arena_printf(a, "%lld", (long long)c->discount_value);
		f.buy_quantity = arena_printf(a, "%lld", (long long)c->buy_quantity);
	}
	f.currency = c->currency;
	f.min_order = decimal_format(a, c->min_order_amount, digits);
	if (c->max_discount_amount > 0)
		f.max_discount = decimal_format(a, c->max_discount_amount, digits);
	f.code = c->code;
	f.automatic = c->is_automatic ? "1" : NULL;
	if (c->max_usage_count > 0)
		f.max_usage = arena_printf(a, "%lld", (long long)c->max_usage_count);
	if (c->max_usage_per_user > 0)
		f.max_per_user = arena_printf(a, "%lld", (long long)c->max_usage_per_user);
	f.stackable = c->is_stackable ? "1" : NULL;
	f.priority = arena_printf(a, "%lld", (long long)c->priority);
	f.exclusion_group = c->exclusion_group;
	f.start = local_time(a, c->start_date);
	f.end = local_time(a, c->end_date);
	f.categories = join_ids(a, c->categories, c->ncategories);
	f.products = join_ids(a, c->products, c->nproducts);
	return f;
}

static json_object *
form_to_ctx(const cform *f)
{
	json_object *o = json_object_new_object(), *tl = json_object_new_array();

	admin_put_str(o, "name", f->name);
	admin_put_str(o, "description", f->description);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		json_object *t = json_object_new_object();

		admin_put_str(t, "value", types[i]);
		admin_put_flag(t, "selected", f->type != NULL && strcmp(f->type, types[i]) == 0);
		json_object_array_add(tl, t);
	}
	json_object_object_add(o, "types", tl);
	admin_put_str(o, "discount_value", f->value);
	admin_put_str(o, "buy_quantity", f->buy_quantity);
	admin_put_str(o, "currency", f->currency != NULL ? f->currency : "EUR");
	admin_put_str(o, "min_order_amount", f->min_order);
	admin_put_str(o, "max_discount_amount", f->max_discount);
	admin_put_str(o, "code", f->code);
	admin_put_flag(o, "is_automatic", f->automatic != NULL);
	admin_put_str(o, "max_usage_count", f->max_usage);
	admin_put_str(o, "max_usage_per_user", f->max_per_user);
	admin_put_flag(o, "is_stackable", f->stackable != NULL);
	admin_put_str(o, "priority", f->priority != NULL ? f->priority : "0");
	admin_put_str(o, "exclusion_group", f->exclusion_group);
	admin_put_str(o, "start_date", f->start);
	admin_put_str(o, "end_date", f->end);
	admin_put_str(o, "applicable_categories", f->categories);
	admin_put_str(o, "applicable_products", f->products);
	return o;
}

/* ------------------------------------------------------------ list */

static json_object *
campaign_row(arena *a, const campaign *c)
{
	json_object *o = json_object_new_object();
	const char *value;

	admin_put_str(o, "url", arena_printf(a, "/admin/campaigns/%s", c->id));
	admin_put_str(o, "name", c->name);
	admin_put_str(o, "type", c->type);
	admin_put_str(o, "status", c->status);
	admin_put_str(o, "code", c->code != NULL ? c->code : "");
	admin_put_flag(o, "automatic", c->is_automatic);
	if (strcmp(c->type, "percentage") == 0)
		value = arena_printf(a, "%s %%", decimal_format(a, c->discount_value, 2));
	else if (strcmp(c->type, "fixed_amount") == 0)
		value = money_format_a(a, c->discount_value, c->currency);
	else if (strcmp(c->type, "buy_x_get_y") == 0)
		value = arena_printf(a, "buy %lld get %lld", (long long)c->buy_quantity,
		    (long long)c->discount_value);
	else
		value = "free shipping";
	admin_put_str(o, "value", value);
	admin_put_str(o, "starts", admin_time(a, c->start_date));
	admin_put_str(o, "ends", admin_time(a, c->end_date));
	return o;
}

ecode
h_campaigns(request *req, response *res, error *e)
{
	const char *st = req_query(req, "status");
	json_object *ctx, *rows, *opts;
	campaign *cs;
	size_t n;
	int64_t total;
	page pg = { 1, ADMIN_PAGE_SIZE, 0 };
	user me;
	bool done, known = false;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if (st != NULL && st[0] == '\0')
		st = NULL;
	for (size_t i = 0; st != NULL && i < sizeof statuses / sizeof statuses[0]; i++)
		known = known || strcmp(st, statuses[i]) == 0;
	if (st != NULL && !known)
		return err_set(e, E_INVALID_PARAMETER,
		    "status must be scheduled, active, expired or inactive");
	if ((rc = admin_page_param(req, &pg, e)) != E_OK)
		return rc;
	if ((rc = campaign_list(req->a, &pg, st, &cs, &n, &total, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	rows = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(rows, campaign_row(req->a, &cs[i]));
	json_object_object_add(ctx, "campaigns", rows);
	json_object_object_add(ctx, "total", json_object_new_int64(total));
	opts = json_object_new_array();
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		json_object *o = json_object_new_object();

		admin_put_str(o, "value", statuses[i]);
		admin_put_flag(o, "selected", st != NULL && strcmp(st, statuses[i]) == 0);
		json_object_array_add(opts, o);
	}
	json_object_object_add(ctx, "statuses", opts);
	json_object_object_add(ctx, "pagination", view_pagination(req->a,
	    st != NULL ? arena_printf(req->a, "/admin/campaigns?status=%s", st) : "/admin/campaigns",
	    &pg, total));
	return admin_render(req, res, 200, "admin/campaigns", ctx, &me, "Campaigns", e);
}

/* ------------------------------------------------------------ one campaign */

/* The other side of each rule, by name when it is among `all`. */
static json_object *
rules_json(arena *a, const campaign *c, const stacking_rule *rs, size_t n,
    const campaign *all, size_t nall)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		const char *other = strcmp(rs[i].campaign_a, c->id) == 0 ? rs[i].campaign_b :
		    rs[i].campaign_a;
		json_object *o = json_object_new_object();

		admin_put_str(o, "id", rs[i].id);
		admin_put_str(o, "other", other);
		admin_put_str(o, "other_url", arena_printf(a, "/admin/campaigns/%s", other));
		for (size_t k = 0; k < nall; k++)
			if (strcmp(all[k].id, other) == 0)
				admin_put_str(o, "other", all[k].name);
		admin_put_str(o, "rule", rs[i].allowed ? "allowed" : "forbidden");
		admin_put_str(o, "delete_url", arena_printf(a, "/admin/campaigns/stacking-rules/%s/delete",
		    rs[i].id));
		json_object_array_add(arr, o);
	}
	return arr;
}

typedef struct page_state {
	const cform *form;		/* what the edit form shows */
	const error *form_err;		/* edit form problems, or NULL */
	const error *rule_err;		/* rule form problems, or NULL */
	const char  *rule_other, *rule_kind;	/* the rule form as typed */
} page_state;

static ecode
campaign_render(request *req, response *res, int status, const user *me, const campaign *c,
    const page_state *ps, error *e)
{
	json_object *ctx = json_object_new_object(), *choices = json_object_new_array();
	const char *flash = req_query(req, "done");
	page pg = { 1, RULE_CHOICES, 0 };
	stacking_rule *rs;
	campaign *all;
	size_t nr, nall;
	int64_t total;
	ecode rc;

	if ((rc = campaign_rule_list(req->a, c->id, &rs, &nr, e)) != E_OK ||
	    (rc = campaign_list(req->a, &pg, NULL, &all, &nall, &total, e)) != E_OK) {
		json_object_put(ctx);
		json_object_put(choices);
		return rc;
	}
	for (size_t i = 0; i < nall; i++) {
		json_object *o;

		if (strcmp(all[i].id, c->id) == 0)
			continue;
		o = json_object_new_object();
		admin_put_str(o, "id", all[i].id);
		admin_put_str(o, "label", arena_printf(req->a, "%s%s%s%s", all[i].name,
		    all[i].code != NULL ? " (" : "", all[i].code != NULL ? all[i].code : "",
		    all[i].code != NULL ? ")" : ""));
		admin_put_flag(o, "selected", ps->rule_other != NULL && strcmp(ps->rule_other, all[i].id) == 0);
		json_object_array_add(choices, o);
	}
	json_object_object_add(ctx, "campaign", campaign_row(req->a, c));
	json_object_object_add(ctx, "form", form_to_ctx(ps->form));
	json_object_object_add(ctx, "action", json_object_new_string(
	    arena_printf(req->a, "/admin/campaigns/%s", c->id)));
	admin_put_str(ctx, "campaign_uuid", c->id);
	admin_put_flag(ctx, "pausable", strcmp(c->status, "inactive") != 0);
	json_object_object_add(ctx, "rules", rules_json(req->a, c, rs, nr, all, nall));
	json_object_object_add(ctx, "choices", choices);
	admin_put_flag(ctx, "forbidden_selected", ps->rule_kind == NULL || strcmp(ps->rule_kind, "allowed") != 0);
	if (ps->form_err != NULL) {
		json_object_object_add(ctx, "errors", admin_field_errors(ps->form_err));
		admin_put_str(ctx, "error", ps->form_err->message);
	}
	if (ps->rule_err != NULL) {
		json_object_object_add(ctx, "rule_errors", admin_field_errors(ps->rule_err));
		admin_put_str(ctx, "error", ps->rule_err->message);
	}
	if (ps->form_err == NULL && ps->rule_err == NULL && flash != NULL) {
		static const char *const flashes[][2] = { { "saved", "Saved." },
			{ "created", "Campaign created." }, { "paused", "Campaign paused." },
			{ "rule", "Stacking rule added." }, { "unrule", "Stacking rule deleted." } };

		for (size_t i = 0; i < sizeof flashes / sizeof flashes[0]; i++)
			if (strcmp(flash, flashes[i][0]) == 0)
				admin_put_str(ctx, "notice", flashes[i][1]);
	}
	return admin_render(req, res, status, "admin/campaign", ctx, me, c->name, e);
}

static ecode
new_render(request *req, response *res, int status, const user *me, const cform *f,
    const error *ferr, error *e)
{
	json_object *ctx = json_object_new_object();

	json_object_object_add(ctx, "form", form_to_ctx(f));
	admin_put_str(ctx, "action", "/admin/campaigns/new");
	admin_put_flag(ctx, "creating", true);
	if (ferr != NULL) {
		json_object_object_add(ctx, "errors", admin_field_errors(ferr));
		admin_put_str(ctx, "error", ferr->message);
	}
	return admin_render(req, res, status, "admin/campaign", ctx, me, "New campaign", e);
}

ecode
h_campaign_new(request *req, response *res, error *e)
{
	cform f;
	user me;
	bool done;
	ecode rc;
	time_t now = time(NULL);

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	memset(&f, 0, sizeof f);
	f.type = "percentage";
	f.start = local_time(req->a, (int64_t)now);
	f.end = local_time(req->a, (int64_t)now + 30 * 86400);
	return new_render(req, res, 200, &me, &f, NULL, e);
}

static ecode
load_campaign(request *req, campaign *c, error *e)
{
	const char *id = req_param(req, "id");

	if (id == NULL || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "there is no campaign with this id");
	return campaign_get(req->a, id, c, e);
}

ecode
h_campaign(request *req, response *res, error *e)
{
	campaign c;
	cform f;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_campaign(req, &c, e)) != E_OK)
		return rc;
	f = form_from(req->a, &c);
	{
		page_state ps = { &f, NULL, NULL, NULL, NULL };

		return campaign_render(req, res, 200, &me, &c, &ps, e);
	}
}

/* Validate and write the form: create (c NULL) or update c.  On a refusal
 * the form comes back with its values and the messages by the fields. */
static ecode
campaign_write(request *req, response *res, const campaign *c, error *e)
{
	campaign_actor who = campaign_actor_of(req);
	cform f = form_of(req);
	campaign_input in;
	campaign out = { 0 };
	json_object *body;
	error ferr, verr;
	user me;
	bool done;
	int status;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	err_clear(&ferr);
	err_clear(&verr);
	body = form_json(req->a, &f, &ferr);
	rc = campaign_input_from_json(req->a, body, c == NULL, &in, &verr);
	if (rc == E_OK && ferr.nfields == 0)
		rc = c == NULL ? campaign_create(req->a, &who, &in, &out, &verr) :
		    campaign_update(req->a, &who, c->id, &in, &out, &verr);
	json_object_put(body);
	if (rc == E_OK && ferr.nfields == 0)
		return admin_see_other(res, arena_printf(req->a, "/admin/campaigns/%s?done=%s", out.id,
		    c == NULL ? "created" : "saved"), e);
	if (rc != E_OK && rc != E_VALIDATION && rc != E_ALREADY_EXISTS && rc != E_CONFLICT &&
	    rc != E_INVALID_INPUT) {
		*e = verr;
		return rc;
	}
	admin_take_fields(&ferr, &verr);
	if (ferr.nfields == 0)
		err_field(&ferr, "name", "%s", verr.message);
	snprintf(ferr.message, sizeof ferr.message, "%s", "The campaign was not saved: check the "
	    "fields marked below.");
	status = rc == E_ALREADY_EXISTS || rc == E_CONFLICT ? 409 : 400;
	if (c == NULL)
		return new_render(req, res, status, &me, &f, &ferr, e);
	{
		page_state ps = { &f, &ferr, NULL, NULL, NULL };

		return campaign_render(req, res, status, &me, c, &ps, e);
	}
}

ecode
h_campaign_create(request *req, response *res, error *e)
{
	return campaign_write(req, res, NULL, e);
}

ecode
h_campaign_update(request *req, response *res, error *e)
{
	campaign c;
	ecode rc;

	if ((rc = load_campaign(req, &c, e)) != E_OK)
		return rc;
	return campaign_write(req, res, &c, e);
}

ecode
h_campaign_pause(request *req, response *res, error *e)
{
	campaign_actor who = campaign_actor_of(req);
	campaign c, out = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_campaign(req, &c, e)) != E_OK ||
	    (rc = campaign_deactivate(req->a, &who, c.id, &out, e)) != E_OK)
		return rc;
	return admin_see_other(res, arena_printf(req->a, "/admin/campaigns/%s?done=paused", c.id), e);
}

ecode
h_campaign_rule_add(request *req, response *res, error *e)
{
	const char *other = req_form(req, "campaign_id"), *kind = req_form(req, "rule");
	stacking_rule out;
	campaign_actor who;
	campaign c;
	error rerr;
	cform f;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_campaign(req, &c, e)) != E_OK)
		return rc;
	err_clear(&rerr);
	who = campaign_actor_of(req);
	rc = campaign_rule_add(req->a, &who, c.id, other, kind, &out, &rerr);
	if (rc == E_OK)
		return admin_see_other(res, arena_printf(req->a, "/admin/campaigns/%s?done=rule", c.id), e);
	if (rc != E_VALIDATION && rc != E_ALREADY_EXISTS && rc != E_CONFLICT) {
		*e = rerr;
		return rc;
	}
	if (rerr.nfields == 0)
		err_field(&rerr, "campaign_id", "%s", rerr.message);
	snprintf(rerr.message, sizeof rerr.message, "%s", "The stacking rule was not added.");
	f = form_from(req->a, &c);
	{
		page_state ps = { &f, NULL, &rerr, other, kind };

		return campaign_render(req, res, rc == E_VALIDATION ? 400 : 409, &me, &c, &ps, e);
	}
}

ecode
h_campaign_rule_delete(request *req, response *res, error *e)
{
	const char *id = req_param(req, "ruleId"), *back = req_form(req, "campaign_id");
	campaign_actor who;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	who = campaign_actor_of(req);
	if ((rc = campaign_rule_delete(req->a, &who, id, e)) != E_OK)
		return rc;
	/* back to the campaign the form was on; only a UUID reaches the URL */
	if (back != NULL && uuid_valid(back))
		return admin_see_other(res, arena_printf(req->a, "/admin/campaigns/%s?done=unrule", back), e);
	return admin_see_other(res, "/admin/campaigns", e);
}
