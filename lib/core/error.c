/*
 * error.c — the typed error and its one mapping to HTTP (error.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static const struct {
	int         status;
	const char *name;
} codes[E__COUNT] = {
	[E_OK]                     = { 200, "OK" },
	[E_INVALID_INPUT]          = { 400, "INVALID_INPUT" },
	[E_INVALID_PARAMETER]      = { 400, "INVALID_PARAMETER" },
	[E_VALIDATION]             = { 400, "VALIDATION_ERROR" },
	[E_UNAUTHORIZED]           = { 401, "UNAUTHORIZED" },
	[E_FORBIDDEN]              = { 403, "FORBIDDEN" },
	[E_NOT_FOUND]              = { 404, "NOT_FOUND" },
	[E_METHOD_NOT_ALLOWED]     = { 405, "METHOD_NOT_ALLOWED" },
	[E_ALREADY_EXISTS]         = { 409, "ALREADY_EXISTS" },
	[E_CONFLICT]               = { 409, "CONFLICT" },
	[E_GONE]                   = { 410, "GONE" },
	[E_PAYLOAD_TOO_LARGE]      = { 413, "PAYLOAD_TOO_LARGE" },
	[E_UNSUPPORTED_MEDIA_TYPE] = { 415, "UNSUPPORTED_MEDIA_TYPE" },
	[E_IDEMPOTENCY_MISMATCH]   = { 422, "IDEMPOTENCY_MISMATCH" },
	[E_PAYMENT_FAILED]         = { 422, "PAYMENT_FAILED" },
	[E_RATE_LIMITED]           = { 429, "RATE_LIMITED" },
	[E_INTERNAL]               = { 500, "INTERNAL_ERROR" },
	[E_UNAVAILABLE]            = { 503, "SERVICE_UNAVAILABLE" },
};

void
err_clear(error *e)
{
	e->code = E_OK;
	e->message[0] = '\0';
	e->nfields = 0;
	e->retry_after = 0;
}

ecode
err_set(error *e, ecode code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	return code;
}

ecode
err_field(error *e, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (e->code != E_VALIDATION) {
		e->code = E_VALIDATION;
		snprintf(e->message, sizeof e->message, "%s", "validation failed");
	}
	if (e->nfields >= ERR_MAX_FIELDS)
		return e->code;
	snprintf(e->fields[e->nfields].name, sizeof e->fields[0].name, "%s", field);
	va_start(ap, fmt);
	vsnprintf(e->fields[e->nfields].message, sizeof e->fields[0].message, fmt, ap);
	va_end(ap);
	e->nfields++;
	return e->code;
}

int
ecode_status(ecode c)
{
	return c >= 0 && c < E__COUNT ? codes[c].status : 500;
}

const char *
ecode_name(ecode c)
{
	return c >= 0 && c < E__COUNT ? codes[c].name : "INTERNAL_ERROR";
}

const char *
status_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default:  return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
	}
}
