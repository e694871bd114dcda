/*
 * internal.h — what the files of lib/campaign share and nobody else may
 * include: the store (store.c, the only SQL of the domain) and the
 * connection helper.
 */
#ifndef ECOM_CAMPAIGN_INTERNAL_H
#define ECOM_CAMPAIGN_INTERNAL_H

#include "core/db.h"
#include "core/outbox.h"
#include "campaign/campaign.h"

#define CAMPAIGN_DOMAIN "campaigns"

db_conn *campaign_db(error *e);

/* Rows -> structs.  Each returns E_OK, E_NOT_FOUND or a database error. */
ecode cstore_campaign_get(db_conn *c, arena *a, const char *id, bool for_update,
    campaign *out, error *e);
ecode cstore_campaign_list(db_conn *c, arena *a, const page *pg, const char *status,
    campaign **out, size_t *n, int64_t *total, error *e);
/* Automatic campaigns in their window and the coded ones whose lower(code)
 * is in codes_lit (a text[] literal), with usage counted for user_id. */
ecode cstore_pricing_load(db_conn *c, arena *a, const char *codes_lit, const char *user_id,
    campaign **out, size_t *n, error *e);
ecode cstore_rules_among(db_conn *c, arena *a, const char *ids_lit,
    stacking_rule **out, size_t *n, error *e);

/* Writes: id given; the row is inserted or fully rewritten from cp. */
ecode cstore_campaign_insert(db_conn *c, arena *a, const campaign *cp, error *e);
ecode cstore_campaign_update(db_conn *c, arena *a, const campaign *cp, error *e);
ecode cstore_campaign_targets(db_conn *c, arena *a, const campaign *cp, error *e);
ecode cstore_campaign_deactivate(db_conn *c, arena *a, const char *id, error *e);

ecode cstore_rule_insert(db_conn *c, arena *a, const stacking_rule *r, error *e);
ecode cstore_rule_list(db_conn *c, arena *a, const char *campaign_id,
    stacking_rule **out, size_t *n, error *e);
/* The deleted rule into *out. */
ecode cstore_rule_delete(db_conn *c, arena *a, const char *id, stacking_rule *out, error *e);

/* Usage ledger. */
ecode cstore_usage_active(db_conn *c, arena *a, const char *checkout_id, int64_t *n, error *e);
ecode cstore_usage_counts(db_conn *c, arena *a, const char *campaign_id,
    const char *user_id, const char *checkout_id, int64_t *total, int64_t *by_user, error *e);
ecode cstore_usage_insert(db_conn *c, arena *a, const char *checkout_id,
    const applied_discount *d, const char *user_id, error *e);
/* reserved -> confirmed; the rows changed (campaign_id, code, amount, user_id). */
ecode cstore_usage_confirm(db_conn *c, arena *a, const char *checkout_id,
    const char *order_id, PGresult **rows, error *e);
ecode cstore_usage_released(db_conn *c, arena *a, const char *checkout_id, int64_t *n, error *e);
ecode cstore_usage_release(db_conn *c, arena *a, const char *checkout_id, error *e);
ecode cstore_janitor_flip(db_conn *c, arena *a, PGresult **rows, error *e);
ecode cstore_janitor_release(db_conn *c, arena *a, int64_t *n, error *e);

db_stmt *cstore_outbox_stmt(void);

/* "{a,b}" text[] literal of strings that need no quoting (uuids, codes). */
char *cstore_array_lit(arena *a, const char *const *v, size_t n, bool lower);

#endif
