/*
 * service.c — the cart's rules: which cart a request means, the limits,
 * and reading a cart back with the catalog's names and prices, the
 * inventory's stock and the campaigns' discounts (cart.h).
 *
 * Nothing a client sends about a line besides (product, variant, quantity)
 * is ever read: the unit price stored with a line is the catalog's at the
 * time of adding, kept only to tell the customer that it changed.
 */
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "campaign/campaign.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "core/outbox.h"
#include "core/site.h"
#include "core/util.h"
#include "internal.h"
#include "inventory/inventory.h"
#include "product/product.h"

/* ------------------------------------------------------------ ids and keys */

bool
cart_guest_id_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')) ||
		    i >= CART_GUEST_ID_LEN)
			return false;
	return i == CART_GUEST_ID_LEN;
}

ecode
cart_ref_of(const request *req, cart_ref *out, error *e)
{
	const char *h = req_header(req, "X-Cart-ID"), *c = req_cookie(req, CART_COOKIE);

	memset(out, 0, sizeof *out);
	out->request_id = req->request_id;
	if (req->user_id != NULL) {
		out->user_id = req->user_id;
		return E_OK;
	}
	if (h != NULL) {
		if (!cart_guest_id_valid(h))
			return err_set(e, E_INVALID_PARAMETER, "X-Cart-ID must be the 32 lower-case "
			    "hex digits this API returned");
		out->guest_id = h;
	} else if (cart_guest_id_valid(c)) {
		out->guest_id = c;
	}
	return E_OK;
}

/* 128 random bits as 32 hex digits; NULL if the kernel has no randomness. */
static char *
new_guest_id(arena *a)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[CART_GUEST_ID_LEN / 2];
	char *s = arena_alloc(a, CART_GUEST_ID_LEN + 1);
	size_t got = 0;

	while (s != NULL && got < sizeof b) {
		ssize_t k = getrandom(b + got, sizeof b - got, 0);
		if (k <= 0)
			return NULL;
		got += (size_t)k;
	}
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof b; i++) {
		s[2 * i] = hex[b[i] >> 4];
		s[2 * i + 1] = hex[b[i] & 15];
	}
	s[CART_GUEST_ID_LEN] = '\0';
	return s;
}

static const char *
key_of(arena *a, const cart_ref *ref)
{
	if (ref->user_id != NULL)
		return arena_printf(a, "cart:u:%s", ref->user_id);
	if (ref->guest_id != NULL)
		return arena_printf(a, "cart:g:%s", ref->guest_id);
	return NULL;
}

/* What a change does, for its event (ecommerce.cart.updated / .cleared). */
typedef struct cart_change {
	const char *op;			/* "add", "set", "remove", "clear", "coupon_add", ... */
	const char *product_id, *variant_id;	/* NULL when no line is named */
	int64_t     quantity;
	const char *code;		/* a coupon code, or NULL */
} cart_change;

/* The change's event envelope; store.c completes it with the cart's id,
 * version and line count inside the script that applies the change.  The
 * aggregate id here is a placeholder the script replaces. */
static const char *
change_event(arena *a, const cart_ref *ref, const cart_change *ch, error *e)
{
	event_origin o = { "cart", ref->request_id, ref->user_id,
	    ref->user_id != NULL ? ROLE_CUSTOMER : ROLE_PUBLIC };
	json_object *d = json_object_new_object();
	char id[37];

	if (d == NULL) {
		err_set(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	json_object_object_add(d, "operation", json_object_new_string(ch->op));
	json_object_object_add(d, "user_id", json_str_or_null(ref->user_id));
	if (ch->product_id != NULL) {
		json_object_object_add(d, "product_id", json_object_new_string(ch->product_id));
		json_object_object_add(d, "variant_id", json_object_new_string(ch->variant_id));
		json_object_object_add(d, "quantity", json_object_new_int64(ch->quantity));
	}
	if (ch->code != NULL)
		json_object_object_add(d, "coupon_code", json_object_new_string(ch->code));
	return outbox_envelope(a, &o, strcmp(ch->op, "clear") == 0 ? "cart.cleared" :
	    "cart.updated", "cart", "00000000-0000-0000-0000-000000000000", d, id, e);
}

/* The target of a change; a guest without a cart gets a new id here. */
static ecode
target_of(arena *a, cart_ref *ref, int64_t expected, const cart_change *ch, cart_target *t,
    error *e)
{
	char uuid[37];

	memset(t, 0, sizeof *t);
	t->expected = expected;
	if (ref->user_id == NULL && ref->guest_id == NULL) {
		if ((ref->guest_id = new_guest_id(a)) == NULL)
			return err_set(e, E_INTERNAL, "no random cart id could be made");
		ref->created = true;
	}
	if (ref->user_id != NULL) {
		if (uuid_v4(uuid) != 0)
			return err_set(e, E_INTERNAL, "no random cart id could be made");
		t->id = arena_strdup(a, uuid);
		t->user_id = ref->user_id;
		t->ttl_s = CART_USER_TTL_S;
	} else {
		t->id = ref->guest_id;
		t->user_id = "";
		t->ttl_s = CART_GUEST_TTL_S;
	}
	t->key = key_of(a, ref);
	if (t->key == NULL || t->id == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	return (t->event = change_event(a, ref, ch, e)) != NULL ? E_OK : e->code;
}

/* A refusal of a script as the client's error. */
static ecode
refusal(const cart_result *r, error *e)
{
	switch (r->st) {
	case CS_OK:
	case CS_NONE:
		return E_OK;
	case CS_CONFLICT:
		return err_set(e, E_CONFLICT, "the cart changed since you read it (it is at "
		    "version %lld now); read it again and retry", (long long)r->version);
	case CS_QUANTITY:
		return err_field(e, "quantity", "at most %d of one item fit in a cart; "
		    "it already holds %lld", CART_QTY_MAX, (long long)r->extra);
	case CS_LINES:
		return err_field(e, "product_id", "a cart holds at most %d different items; "
		    "remove one first", CART_LINES_MAX);
	case CS_MISSING:
		return err_set(e, E_NOT_FOUND, "that is not in the cart");
	case CS_COUPONS:
		return err_field(e, "code", "at most %d coupon codes per cart", CART_COUPONS_MAX);
	}
	return err_set(e, E_INTERNAL, "unknown cart status");
}

static ecode
line_ids_check(const char *pid, const char *vid, error *e)
{
	if (pid == NULL || !uuid_valid(pid))
		err_field(e, "product_id", "must be a product id (UUID)");
	if (vid == NULL || !uuid_valid(vid))
		err_field(e, "variant_id", "must be a variant id (UUID)");
	return e->code;
}

/* After a change: the cart as it is now, when the caller wants it. */
static ecode
reread(arena *a, const cart_ref *ref, cart *out, error *e)
{
	return out != NULL ? cart_get(a, ref, out, e) : E_OK;
}

/* ------------------------------------------------------------ changes */

ecode
cart_add(arena *a, cart_ref *ref, const char *product_id, const char *variant_id,
    int64_t quantity, int64_t expected_version, cart *out, error *e)
{
	catalog_line cl;
	inv_item it;
	inv_availability av;
	cart_target t;
	cart_result r;

	if (line_ids_check(product_id, variant_id, e) != E_OK)
		return e->code;
	if (quantity < 1 || quantity > CART_QTY_MAX)
		return err_field(e, "quantity", "must be between 1 and %d", CART_QTY_MAX);
	if (catalog_line_lookup(a, product_id, variant_id, &cl, e) != E_OK) {
		if (e->code == E_NOT_FOUND)
			err_set(e, E_NOT_FOUND, "no such product or variant is for sale");
		return e->code;
	}
	if (!cl.available)
		return err_field(e, "variant_id", "this option is no longer sold");
	if (strcmp(cl.currency, site_currency()) != 0)
		return err_field(e, "product_id", "this product is priced in %s, the shop in %s",
		    cl.currency, site_currency());
	it = (inv_item){ product_id, variant_id, quantity };
	if (inventory_availability(a, &it, 1, &av, e) != E_OK)
		return e->code;
	if (!av.in_stock)
		return av.available > 0 ?
		    err_field(e, "quantity", "only %lld left in stock", (long long)av.available) :
		    err_set(e, E_CONFLICT, "%s is out of stock", cl.product_name);
	if (target_of(a, ref, expected_version,
	    &(cart_change){ "add", product_id, variant_id, quantity, NULL }, &t, e) != E_OK ||
	    store_cart_add(a, &t, product_id, variant_id, quantity, cl.unit_price, &r, e) != E_OK ||
	    refusal(&r, e) != E_OK)
		return e->code;
	return reread(a, ref, out, e);
}

ecode
cart_set_quantity(arena *a, cart_ref *ref, const char *product_id, const char *variant_id,
    int64_t quantity, int64_t expected_version, cart *out, error *e)
{
	cart_target t;
	cart_result r;

	if (line_ids_check(product_id, variant_id, e) != E_OK)
		return e->code;
	if (quantity < 0 || quantity > CART_QTY_MAX)
		return err_field(e, "quantity", "must be between 0 (remove) and %d", CART_QTY_MAX);
	if (ref->user_id == NULL && ref->guest_id == NULL)
		return err_set(e, E_NOT_FOUND, "that is not in the cart");
	if (target_of(a, ref, expected_version,
	    &(cart_change){ "set", product_id, variant_id, quantity, NULL }, &t, e) != E_OK ||
	    store_cart_set(a, &t, product_id, variant_id, quantity, &r, e) != E_OK ||
	    refusal(&r, e) != E_OK)
		return e->code;
	return reread(a, ref, out, e);
}

ecode
cart_remove(arena *a, cart_ref *ref, const char *product_id, const char *variant_id,
    int64_t expected_version, cart *out, error *e)
{
	cart_target t;
	cart_result r;

	if (line_ids_check(product_id, variant_id, e) != E_OK)
		return e->code;
	/* nothing to remove from a cart that does not exist: no new id */
	if (ref->user_id == NULL && ref->guest_id == NULL)
		return reread(a, ref, out, e);
	if (target_of(a, ref, expected_version,
	    &(cart_change){ "remove", product_id, variant_id, 0, NULL }, &t, e) != E_OK ||
	    store_cart_remove(a, &t, product_id, variant_id, &r, e) != E_OK ||
	    refusal(&r, e) != E_OK)
		return e->code;
	return reread(a, ref, out, e);
}

ecode
cart_clear(arena *a, cart_ref *ref, int64_t expected_version, error *e)
{
	cart_target t;
	cart_result r;

	if (ref->user_id == NULL && ref->guest_id == NULL)
		return E_OK;
	if (target_of(a, ref, expected_version, &(cart_change){ "clear", NULL, NULL, 0, NULL },
	    &t, e) != E_OK ||
	    store_cart_clear(a, &t, &r, e) != E_OK)
		return e->code;
	return refusal(&r, e);
}

/* A code as the customer typed it, trimmed: letters, digits, '-' and '_'. */
static const char *
code_clean(arena *a, const char *code, error *e)
{
	size_t n;

	if (code == NULL)
		return err_field(e, "code", "is required"), NULL;
	while (*code == ' ' || *code == '\t')
		code++;
	n = strlen(code);
	while (n > 0 && (code[n - 1] == ' ' || code[n - 1] == '\t'))
		n--;
	if (n == 0)
		return err_field(e, "code", "is required"), NULL;
	if (n > CART_CODE_MAX)
		return err_field(e, "code", "is at most %d characters", CART_CODE_MAX), NULL;
	for (size_t i = 0; i < n; i++) {
		char c = code[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_'))
			return err_field(e, "code", "has only letters, digits, - and _"), NULL;
	}
	return arena_strndup(a, code, n);
}

static bool
code_listed(const char *code, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(code, list[i]) == 0)
			return true;
	return false;
}

ecode
cart_apply_coupon(arena *a, cart_ref *ref, const char *code, int64_t expected_version,
    cart *out, error *e)
{
	cart_target t;
	cart_result r;
	cart c;

	if ((code = code_clean(a, code, e)) == NULL)
		return e->code;
	/* Ask the campaigns with the code added before storing it, so a code
	 * that does not exist or does not apply is refused with their reason
	 * instead of sitting in the cart as a warning. */
	if (cart_get(a, ref, &c, e) != E_OK)
		return e->code;
	if (!code_listed(code, c.codes, c.ncodes)) {
		const char **codes = arena_calloc(a, c.ncodes + 1, sizeof *codes);
		if (codes == NULL)
			return err_set(e, E_INTERNAL, "out of memory");
		if (c.ncodes > 0)	/* memcpy from NULL is undefined even for 0 bytes */
			memcpy(codes, c.codes, c.ncodes * sizeof *codes);
		codes[c.ncodes] = code;
		c.codes = codes;
		c.ncodes++;
		if (cart_price(a, &c, e) != E_OK)
			return e->code;
		if (code_listed(code, c.invalid_codes, c.ninvalid)) {
			const char *why = NULL;
			for (size_t i = 0; i < c.nwarnings && why == NULL; i++)
				if (strcasestr(c.warnings[i], code) != NULL)
					why = c.warnings[i];
			return err_field(e, "code", "%s", why != NULL ? why :
			    "this code does not exist or does not apply to this cart");
		}
	}
	if (target_of(a, ref, expected_version,
	    &(cart_change){ "coupon_add", NULL, NULL, 0, code }, &t, e) != E_OK ||
	    store_cart_coupon_add(a, &t, code, &r, e) != E_OK ||
	    refusal(&r, e) != E_OK)
		return e->code;
	return reread(a, ref, out, e);
}

ecode
cart_remove_coupon(arena *a, cart_ref *ref, const char *code, int64_t expected_version,
    cart *out, error *e)
{
	cart_target t;
	cart_result r;

	if ((code = code_clean(a, code, e)) == NULL)
		return e->code;
	if (ref->user_id == NULL && ref->guest_id == NULL)
		return err_set(e, E_NOT_FOUND, "that code is not on the cart");
	if (target_of(a, ref, expected_version,
	    &(cart_change){ "coupon_remove", NULL, NULL, 0, code }, &t, e) != E_OK ||
	    store_cart_coupon_remove(a, &t, code, &r, e) != E_OK)
		return e->code;
	if (r.st == CS_MISSING)
		return err_set(e, E_NOT_FOUND, "that code is not on the cart");
	if (refusal(&r, e) != E_OK)
		return e->code;
	return reread(a, ref, out, e);
}

ecode
cart_merge(arena *a, const char *guest_cart_id, const char *user_id, error *e)
{
	cart_ref ref = { user_id, NULL, false, NULL };
	cart_target t;
	cart_result r;
	const char *gkey;

	if (!cart_guest_id_valid(guest_cart_id) || user_id == NULL)
		return E_OK;
	if (!uuid_valid(user_id))
		return err_set(e, E_INVALID_INPUT, "not a user id");
	if ((gkey = arena_printf(a, "cart:g:%s", guest_cart_id)) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (target_of(a, &ref, -1, &(cart_change){ "merge", NULL, NULL, 0, NULL }, &t, e) != E_OK ||
	    store_cart_merge(a, gkey, &t, &r, e) != E_OK)
		return e->code;
	if (r.st == CS_OK && r.extra > 0)
		log_msg(LOG_INFO, "cart merge: %lld guest lines over the %d-line limit dropped",
		    (long long)r.extra, CART_LINES_MAX);
	return E_OK;
}

/* ------------------------------------------------------------ for pages */

void
cart_cookie_set(request *req, response *res, const char *guest_id)
{
	const char *attrs = arena_printf(req->a, "Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s",
	    CART_GUEST_TTL_S, req->https ? "; Secure" : "");

	if (attrs != NULL)
		resp_cookie(res, CART_COOKIE, guest_id, attrs);
}

void
cart_cookie_clear(request *req, response *res)
{
	const char *attrs = arena_printf(req->a, "Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s",
	    req->https ? "; Secure" : "");

	if (attrs != NULL)
		resp_cookie(res, CART_COOKIE, "", attrs);
}

void
cart_login_merge(request *req, response *res, const char *user_id)
{
	const char *h = req_header(req, "X-Cart-ID"), *c = req_cookie(req, CART_COOKIE);
	const char *gid = cart_guest_id_valid(h) ? h : cart_guest_id_valid(c) ? c : NULL;
	error e;

	if (gid == NULL)
		return;
	err_clear(&e);
	if (cart_merge(req->a, gid, user_id, &e) != E_OK)
		log_msg(LOG_WARN, "login: merging the guest cart failed: %s", e.message);
	else if (c != NULL)
		cart_cookie_clear(req, res);
}

int64_t
cart_count_of(request *req)
{
	cart_ref ref;
	error e;
	const char *key;
	int64_t n = 0;

	err_clear(&e);
	if (cart_ref_of(req, &ref, &e) != E_OK || (key = key_of(req->a, &ref)) == NULL)
		return 0;
	if (store_cart_count(req->a, key, &n, &e) != E_OK) {
		log_msg(LOG_WARN, "mini-cart: %s", e.message);
		return 0;
	}
	return n;
}
