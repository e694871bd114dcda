/*
 * session.c — browser sessions in cookies (auth.h).  Work in progress:
 * the accounts issue fills in the transparent refresh.
 */
#include "auth.h"

ecode
session_gate(request *req, response *res, error *e)
{
	(void)res;
	return auth_gate(req, e);
}
