/* loopback.h -- a unit test's HTTP/1.0 client for a server on the test's
 * own loop: one request on a loopback socket, the loop turned while the
 * answer comes in (a bounded number of turns), the whole answer (status
 * line, headers, body) into the caller's buffer, and its status code.
 * For tests of route helpers against the real HTTP layer (http.h) with no
 * other process.  Owns nothing past the call. */
#ifndef FLEETD_TEST_LOOPBACK_H
#define FLEETD_TEST_LOOPBACK_H

#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "loop.h"

/* METHOD path to 127.0.0.1:port, turning loop; the answer in buf (cap
 * bytes, cut and terminated).  Exits 99 when it cannot connect. */
static inline void loopback_request(struct loop *loop, int port, const char *method,
				    const char *path, char *buf, size_t cap)
{
	buf[0] = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("connect");
		exit(99);
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	char req[512];
	int n = snprintf(req, sizeof req, "%s %s HTTP/1.0\r\nHost: t\r\n\r\n", method, path);
	if (n < 0 || (size_t)n >= sizeof req || send(fd, req, (size_t)n, 0) != n)
		exit(99);
	size_t len = 0;
	for (int turn = 0; turn < 2000; turn++) {
		loop_run_once(loop, 5);
		ssize_t r = recv(fd, buf + len, cap - 1 - len, 0);
		if (r > 0) {
			len += (size_t)r;
			buf[len] = 0;
		} else if (r == 0 || len == cap - 1) {
			break;
		}
	}
	close(fd);
}

/* The status code of an answer ("HTTP/1.1 201 Created": "201"), or "". */
static inline const char *loopback_status(const char *answer)
{
	static char code[4];
	const char *sp = strchr(answer, ' ');
	snprintf(code, sizeof code, "%s", sp ? sp + 1 : "");
	return code;
}

#endif
