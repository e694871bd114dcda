/*
 * json.c — users, token pairs and addresses as api-v1 JSON.
 *
 * No secret ever reaches these shapes (no hashes, no TOTP secret).  Times
 * are RFC 3339 UTC strings, null when unset; optional strings the store
 * keeps as "" stay "" so clients see every key every time.
 */
#include "auth/auth.h"
#include "core/json.h"
#include "core/util.h"
#include "user/user.h"

static json_object *
str(const char *s)
{
	return json_object_new_string(s != NULL ? s : "");
}


json_object *
user_to_json(const user *u)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "id", str(u->id));
	json_object_object_add(o, "email", str(u->email));
	json_object_object_add(o, "first_name", str(u->first_name));
	json_object_object_add(o, "last_name", str(u->last_name));
	json_object_object_add(o, "phone", str(u->phone));
	json_object_object_add(o, "role", json_object_new_string(role_name(u->role)));
	json_object_object_add(o, "is_active", json_object_new_boolean(u->active));
	json_object_object_add(o, "email_verified", json_object_new_boolean(u->email_verified));
	json_object_object_add(o, "two_factor_enabled", json_object_new_boolean(u->totp_enabled));
	json_object_object_add(o, "created_at", json_time_or_null(u->created_at));
	json_object_object_add(o, "updated_at", json_time_or_null(u->updated_at));
	json_object_object_add(o, "last_login_at", json_time_or_null(u->last_login_at));
	return o;
}

json_object *
user_tokens_to_json(const user_tokens *t)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "access_token", str(t->access_token));
	json_object_object_add(o, "refresh_token", str(t->refresh_token));
	json_object_object_add(o, "expires_in", json_object_new_int64(t->expires_in));
	json_object_object_add(o, "refresh_expires_in",
	    json_object_new_int64(t->refresh_expires_in));
	json_object_object_add(o, "token_type", json_object_new_string("Bearer"));
	return o;
}

json_object *
address_to_json(const address *ad)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "id", str(ad->id));
	json_object_object_add(o, "user_id", str(ad->user_id));
	json_object_object_add(o, "label", str(ad->label));
	json_object_object_add(o, "first_name", str(ad->first_name));
	json_object_object_add(o, "last_name", str(ad->last_name));
	json_object_object_add(o, "address_line1", str(ad->address_line1));
	json_object_object_add(o, "address_line2", str(ad->address_line2));
	json_object_object_add(o, "city", str(ad->city));
	json_object_object_add(o, "state", str(ad->state));
	json_object_object_add(o, "postal_code", str(ad->postal_code));
	json_object_object_add(o, "country_code", str(ad->country_code));
	json_object_object_add(o, "phone", str(ad->phone));
	json_object_object_add(o, "is_default", json_object_new_boolean(ad->is_default));
	json_object_object_add(o, "created_at", json_time_or_null(ad->created_at));
	json_object_object_add(o, "updated_at", json_time_or_null(ad->updated_at));
	return o;
}
