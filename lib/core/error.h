/*
 * error.h — the one typed error carried from store to handler.
 *
 * Domain functions return an `ecode` and, on failure, fill an `error` that
 * the caller passes in.  The code maps to exactly one HTTP status and one
 * API code string (api-v1.md §Conventions); the message is for the client
 * and says what to fix; `fields` lists per-field problems for validation
 * errors, keyed by the JSON field name.  The struct is fixed-size so that
 * reporting an error never allocates.
 */
#ifndef ECOM_ERROR_H
#define ECOM_ERROR_H

typedef enum ecode {
	E_OK = 0,
	E_INVALID_INPUT,		/* 400 malformed body/query */
	E_INVALID_PARAMETER,		/* 400 a query/path parameter out of range */
	E_VALIDATION,			/* 400 VALIDATION_ERROR, with fields */
	E_UNAUTHORIZED,			/* 401 */
	E_FORBIDDEN,			/* 403 */
	E_NOT_FOUND,			/* 404 */
	E_METHOD_NOT_ALLOWED,		/* 405 */
	E_ALREADY_EXISTS,		/* 409 */
	E_CONFLICT,			/* 409 */
	E_GONE,				/* 410 */
	E_PAYLOAD_TOO_LARGE,		/* 413 */
	E_UNSUPPORTED_MEDIA_TYPE,	/* 415 */
	E_IDEMPOTENCY_MISMATCH,		/* 422 */
	E_PAYMENT_FAILED,		/* 422 */
	E_RATE_LIMITED,			/* 429 */
	E_INTERNAL,			/* 500 INTERNAL_ERROR */
	E_UNAVAILABLE,			/* 503 SERVICE_UNAVAILABLE */
	E__COUNT
} ecode;

#define ERR_MAX_FIELDS 16

typedef struct error {
	ecode code;
	char  message[256];
	int   nfields;
	struct {
		char name[64];
		char message[160];
	} fields[ERR_MAX_FIELDS];
	int   retry_after;		/* seconds, for E_RATE_LIMITED */
} error;

/* Reset to E_OK with no message or fields. */
void err_clear(error *e);
/* Set code and message; returns code so callers can `return err_set(...)`. */
ecode err_set(error *e, ecode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Add a field problem and make the code E_VALIDATION (message defaults to
 * "validation failed").  Extra fields beyond ERR_MAX_FIELDS are dropped. */
ecode err_field(error *e, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int         ecode_status(ecode c);	/* HTTP status */
const char *ecode_name(ecode c);	/* "NOT_FOUND", "VALIDATION_ERROR", ... */
const char *status_reason(int status);	/* "Not Found" */

#endif
