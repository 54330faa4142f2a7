/* signals.c -- see signals.h.  The handler only writes the signal number
 * into a non-blocking pipe; the loop source reads it back. */
#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"

static int pipe_fds[2] = {-1, -1};
static signals_fn user_fn;
static void *user_arg;

static void on_signal(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;
	ssize_t w = write(pipe_fds[1], &b, 1);
	(void)w;
	errno = saved;
}

static void sig_prepare(void *arg, struct loop_fds *fds, int64_t *timeout_ms)
{
	(void)arg;
	(void)timeout_ms;
	loop_fds_add(fds, pipe_fds[0], 1, 0);
}

static void sig_dispatch(void *arg, const struct loop_fds *fds)
{
	(void)arg;
	if (!FD_ISSET(pipe_fds[0], &fds->rd))
		return;
	unsigned char buf[16];
	ssize_t n;
	while ((n = read(pipe_fds[0], buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < n; i++)
			user_fn(buf[i], user_arg);
}

int signals_install(struct loop *loop, signals_fn fn, void *arg)
{
	if (pipe(pipe_fds) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(pipe_fds[i], F_SETFL, fcntl(pipe_fds[i], F_GETFL) | O_NONBLOCK);
		fcntl(pipe_fds[i], F_SETFD, FD_CLOEXEC);
	}
	user_fn = fn;
	user_arg = arg;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct loop_source src = {"signals", sig_prepare, sig_dispatch, NULL};
	return loop_add_source(loop, &src);
}
