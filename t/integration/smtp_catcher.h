/*
 * smtp_catcher.h — a small SMTP server for the tests (RFC 5321): a thread
 * on a loopback socket speaking EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA,
 * RSET, NOOP, QUIT, that keeps each message it receives (dot-stuffing
 * undone, as a real server would) and can refuse MAIL FROM with a reply
 * code to play an outage (451) or a permanent refusal (550).  It offers
 * STARTTLS only when asked to, and never completes it (454).
 *
 * Check runs each test in a forked child, and threads do not survive a
 * fork: the listening socket is made once in main (smtp_catcher_listen),
 * inherited, and each test starts the thread on it (smtp_catcher_start).
 */
#ifndef ECOM_T_SMTP_CATCHER_H
#define ECOM_T_SMTP_CATCHER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct smtp_msg {
	char *mail_from;	/* the path of MAIL FROM, brackets included */
	char *rcpt;		/* the path of RCPT TO */
	char *auth;		/* "user\0pass" decoded as "user:pass", or NULL */
	char *data;		/* the message as received, CRLF, unstuffed */
} smtp_msg;

/* Listen on 127.0.0.1 on a free port; the port, or -1. */
int  smtp_catcher_listen(void);
/* smtp_catcher_listen, then point this process's mail at it (ECOM_SMTP_URL,
 * STARTTLS optional, the configured sender): before config_init.  0 or -1. */
int  smtp_catcher_use(void);
/* Serve connections one at a time on the socket of smtp_catcher_listen. */
void smtp_catcher_start(void);
/* Refuse the next `times` MAIL FROM commands (-1: all) with `code`; 0 ends it. */
void smtp_catcher_fail(int code, int times);
void smtp_catcher_offer_starttls(bool on);
/* How many MAIL FROM commands were seen (refused ones included). */
int  smtp_catcher_mail_commands(void);
/* How many STARTTLS commands were seen. */
int  smtp_catcher_starttls_commands(void);
/* The newest message to rcpt (the address without brackets), or NULL;
 * the strings live until the process ends. */
const smtp_msg *smtp_catcher_find(const char *rcpt);
/* How many messages went to rcpt. */
int  smtp_catcher_count(const char *rcpt);

#endif
