/*
 * request_build.h — private to lib/core: turning the server's environment
 * into a request (request.c), used by the loop in app.c.
 */
#ifndef ECOM_REQUEST_BUILD_H
#define ECOM_REQUEST_BUILD_H

#include "http.h"

/* Fill method, path, query, cookies, request id, client address from
 * r->getenv; r->a and r->getenv must be set.  4xx errors name the problem. */
ecode request_build(request *r, error *e);

#endif
