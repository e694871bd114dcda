/*
 * log.h — JSON-line logging on stderr.
 *
 * One line per request (log_request) and structured lines for errors and
 * worker batches.  Every user-influenced string is JSON-escaped, control
 * characters included, so a log line can never be forged or split.
 */
#ifndef ECOM_LOG_H
#define ECOM_LOG_H

#include <json-c/json.h>

struct request;

typedef enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

void log_init(const char *component, const char *level);
int  log_enabled(log_level lv);
/* {"ts":..,"level":..,"component":..,"request_id":..,"msg":..} */
void log_msg(log_level lv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A structured line: msg plus every member of the object `fields` as a
 * field of its own (security events, worker batches).  fields is borrowed. */
void log_fields(log_level lv, const char *msg, json_object *fields);
/* The per-request line: id, method, path, status, duration, user id. */
void log_request(const struct request *r, int status, long duration_us);
/* Request id for lines logged while a request is running (or NULL). */
void log_set_request_id(const char *id);

#endif
