/*
 * hello.c — the benchmark's baseline: the smallest useful FastCGI responder.
 *
 * It links only libfcgi and answers every request with a fixed 13-byte body,
 * so its requests/s measure the web server, the FastCGI protocol and the
 * load generator on this machine in this run.  bench/run divides every
 * endpoint's figure by this one; the ratio is what we track, because the
 * machines are shared and absolute numbers drift.
 */
#include <fcgiapp.h>

int
main(void)
{
	static const char reply[] =
	    "Status: 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 13\r\n"
	    "\r\n"
	    "Hello, world\n";
	FCGX_Request req;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(reply, (int)sizeof reply - 1, req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
