/*
 * worker.h — what every long-running worker shares: SIGTERM and SIGINT
 * end the run after the current batch.
 */
#ifndef ECOM_WORKER_H
#define ECOM_WORKER_H

#include <signal.h>

/* Set by SIGTERM or SIGINT once worker_catch_term() has run. */
extern volatile sig_atomic_t worker_stop;

/* Install the handlers without SA_RESTART, so a wait (poll on the
 * database socket for NOTIFY, a sleep) returns when the signal comes. */
void worker_catch_term(void);

#endif
