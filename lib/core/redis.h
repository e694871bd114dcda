/*
 * redis.h — Redis access (hiredis 0.14).
 *
 * One connection per process from ECOM_REDIS_URL, reopened on loss.
 * Commands are built only with %s/%b arguments or argv (STYLE 9).
 */
#ifndef ECOM_REDIS_H
#define ECOM_REDIS_H

#include <hiredis.h>
#include "arena.h"
#include "error.h"

/* The connection, opened on first use; NULL with e = E_UNAVAILABLE. */
redisContext *redis_get(error *e);
/* Run a command; reply registered for release at arena reset.  A reply of
 * type REDIS_REPLY_ERROR becomes E_INTERNAL.  Reconnects once on I/O error. */
redisReply *redis_cmd(arena *a, error *e, const char *fmt, ...);
redisReply *redis_argv(arena *a, error *e, int argc, const char **argv, const size_t *lens);
int  redis_ping(void);
void redis_close(void);

#endif
