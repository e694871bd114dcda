/*
 * service_banner.c — storefront banners.
 *
 * The public sees active banners inside their date window (checked by the
 * database's clock for lists, so every web node agrees); admins see and
 * change every banner.  Writes repeat the admin check the route table
 * already made, so callers other than the API cannot skip it, and leave
 * as banner.created|updated|deleted events in their transaction, so the
 * audit log sees who changed which banner.
 */
#include <string.h>
#include <time.h>

#include "core/outbox.h"
#include "core/util.h"
#include "product/internal.h"

static ecode
check_admin(const catalog_actor *who, error *e)
{
	if (!catalog_is_admin(who))
		return err_set(e, E_FORBIDDEN, "only admins can change banners");
	return E_OK;
}

typedef struct banner_tx {
	const char         *id;
	const banner_input *in;
	banner             *out;
	const catalog_actor *who;	/* for the event */
} banner_tx;

ecode
catalog_emit(db_conn *c, arena *a, const catalog_actor *who, const char *type,
    const char *aggregate_type, const char *id, json_object *data, error *e)
{
	event_origin o = { "catalog", who ? who->request_id : NULL,
	    who ? who->user_id : NULL, who ? who->role : ROLE_PUBLIC };

	return outbox_emit(c, a, store_outbox_stmt(), &o, type, aggregate_type, id, data, e);
}

ecode
banner_list(arena *a, const catalog_actor *who, const banner_filter *f,
    banner **out, size_t *n, error *e)
{
	db_conn    *c;
	bool        public_view = !catalog_is_admin(who);
	const char *key = NULL;
	const void *hit;
	uint64_t    gen = catalog_cache_generation();

	*out = NULL;
	*n = 0;
	/* The public's banners are everyone's; the window may lag by at most
	 * ECOM_CACHE_TTL seconds. */
	if (public_view && (key = arena_printf(a, "p=%s", f && f->position ? f->position : "*")) &&
	    cache_get(CK_BANNERS, key, &hit, n)) {
		*out = (banner *)copy_banners(a, hit, *n);
		return *out ? E_OK : err_set(e, E_INTERNAL, "out of memory");
	}
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	if (store_banner_list(c, a, public_view, f, out, n, e) != E_OK)
		return e->code;
	if (key)
		cache_put(CK_BANNERS, key, gen, copy_banners, *out, *n);
	return E_OK;
}

ecode
banner_list_active(arena *a, const char *position, banner **out, size_t *n,
    error *e)
{
	banner_filter f = { position, -1 };

	return banner_list(a, NULL, &f, out, n, e);
}

ecode
banner_get(arena *a, const catalog_actor *who, const char *id, banner *out,
    error *e)
{
	db_conn *c;
	int64_t  now = (int64_t)time(NULL);

	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "banner not found");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	if (store_banner_get(c, a, id, out, e) != E_OK)
		return e->code;
	if (!catalog_is_admin(who) && (!out->is_active ||
	    (out->starts_at && out->starts_at > now) || (out->ends_at && out->ends_at <= now)))
		return err_set(e, E_NOT_FOUND, "banner not found");
	return E_OK;
}

static ecode
banner_create_tx(db_conn *c, arena *a, void *ud, error *e)
{
	banner_tx *t = ud;

	if (store_banner_insert(c, a, t->id, t->in, e) != E_OK ||
	    store_banner_get(c, a, t->id, t->out, e) != E_OK)
		return e->code;
	return catalog_emit(c, a, t->who, "banner.created", "banner", t->id,
	    banner_to_json(t->out), e);
}

ecode
banner_create(arena *a, const catalog_actor *who, const banner_input *in,
    banner *out, error *e)
{
	char     id[37];
	banner_tx   t = { id, in, out, who };
	db_conn *c;

	if (check_admin(who, e) != E_OK || banner_input_validate(in, true, e) != E_OK)
		return e->code;
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, banner_create_tx, &t, e));
}

static ecode
banner_update_tx(db_conn *c, arena *a, void *ud, error *e)
{
	banner_tx *t = ud;

	if (store_banner_update(c, a, t->id, t->in, e) != E_OK ||
	    store_banner_get(c, a, t->id, t->out, e) != E_OK)
		return e->code;
	return catalog_emit(c, a, t->who, "banner.updated", "banner", t->id,
	    banner_to_json(t->out), e);
}

ecode
banner_update(arena *a, const catalog_actor *who, const char *id,
    const banner_input *in, banner *out, error *e)
{
	banner_tx   t = { id, in, out, who };
	db_conn *c;

	if (check_admin(who, e) != E_OK || banner_input_validate(in, false, e) != E_OK)
		return e->code;
	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "banner not found");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, banner_update_tx, &t, e));
}

static ecode
banner_delete_tx(db_conn *c, arena *a, void *ud, error *e)
{
	banner_tx   *t = ud;
	json_object *d;

	if (store_banner_delete(c, a, t->id, e) != E_OK)
		return e->code;
	if (!(d = json_object_new_object()))
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_add(d, "id", json_object_new_string(t->id));
	return catalog_emit(c, a, t->who, "banner.deleted", "banner", t->id, d, e);
}

ecode
banner_delete(arena *a, const catalog_actor *who, const char *id, error *e)
{
	banner_tx t = { id, NULL, NULL, who };
	db_conn *c;

	if (check_admin(who, e) != E_OK)
		return e->code;
	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "banner not found");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, banner_delete_tx, &t, e));
}
