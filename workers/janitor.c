/*
 * janitor.c — the housekeeping worker, run by cron once a minute
 * (httpd/crontab) or every 60 s by ./serve.
 *
 * One run does one pass and exits:
 *   - releases inventory reservations past their expiry, so stock held by
 *     abandoned checkouts returns to sale (inventory_release_expired);
 *   - moves campaigns through scheduled -> active -> expired on time and
 *     releases coupon uses reserved by checkouts that never finished
 *     (campaign_janitor);
 *   - settles card payments left pending by a provider timeout or a crash
 *     by asking the provider what it did (payment_reconcile);
 *   - finishes or compensates checkout sagas whose process died mid-way
 *     (checkout_janitor);
 *   - finishes the stock and refund steps of cancels and refunds that
 *     failed or were cut short (order_compensations_retry);
 *   - applies catalog CSV imports too large for a web request, uploaded on
 *     /admin/catalog/io (catalog_import_jobs_run);
 *   - runs a search reindex an admin asked for (search_reindex_pending);
 *   - forgets the search terms counted more than 400 days ago
 *     (search_terms_prune).
 *   - forgets back-in-stock alerts sent a month ago (restock_purge_notified).
 * Each job runs even if another failed; the exit status is 0 when all
 * succeeded, 1 otherwise, so cron mails a failure.  Every job commits in
 * its own transactions, so an interrupted run leaves nothing half done and
 * the next run carries on.  One JSON log line per job on stderr.
 */
#include <stdio.h>
#include <stdint.h>

#include "campaign/campaign.h"
#include "checkout/checkout.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/redis.h"
#include "inventory/inventory.h"
#include "notification/notification.h"
#include "order/order.h"
#include "payment/payment.h"
#include "product/product.h"
#include "search/search.h"
#include "settings/settings.h"

typedef ecode (*job_fn)(arena *a, int64_t *count, error *e);

/* Checkout sagas stuck mid-way are finished or compensated (the count is
 * both together), expired checkouts closed, old idempotency keys purged. */
static ecode
checkout_job(arena *a, int64_t *count, error *e)
{
	int64_t finished = 0, compensated = 0;
	ecode rc = checkout_janitor(a, &finished, &compensated, e);

	*count = finished + compensated;
	return rc;
}

/* A few queued imports per run: each may take a while, and the next run
 * a minute later takes the rest. */
static ecode
import_job(arena *a, int64_t *count, error *e)
{
	return catalog_import_jobs_run(a, 4, count, e);
}

static int
run(arena *a, const char *name, job_fn fn)
{
	error e;
	int64_t n = 0;
	json_object *f = json_object_new_object();
	ecode rc;

	err_clear(&e);
	rc = fn(a, &n, &e);
	if (f) {
		json_object_object_add(f, "job", json_object_new_string(name));
		json_object_object_add(f, "count", json_object_new_int64(n));
		if (rc != E_OK)
			json_object_object_add(f, "error", json_object_new_string(e.message));
	}
	log_fields(rc == E_OK ? LOG_INFO : LOG_ERROR, rc == E_OK ? "janitor job done" :
	    "janitor job failed", f);
	json_object_put(f);
	arena_reset(a);
	return rc == E_OK ? 0 : 1;
}

int
main(void)
{
	arena *a;
	int failed = 0;

	if (config_init() != 0)
		return 1;
	settings_site_register();
	log_init("janitor", cfg->log_level);
	if (!(a = arena_new(64 * 1024))) {
		log_msg(LOG_ERROR, "out of memory");
		return 1;
	}
	failed |= run(a, "inventory_release_expired", inventory_release_expired);
	failed |= run(a, "campaign_janitor", campaign_janitor);
	failed |= run(a, "payment_reconcile", payment_reconcile);
	failed |= run(a, "checkout_janitor", checkout_job);
	failed |= run(a, "order_compensations_retry", order_compensations_retry);
	failed |= run(a, "catalog_import", import_job);
	failed |= run(a, "search_reindex", search_reindex_pending);
	failed |= run(a, "search_terms_prune", search_terms_prune);
	failed |= run(a, "restock_purge", restock_purge_notified);
	arena_free(a);
	db_close_all();
	redis_close();		/* the import job's progress counter used it */
	return failed;
}
