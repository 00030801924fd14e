/*
 * listen.c - test helper for tests/e2e/ports_oracle.sh: opens one socket
 * of each kind the ports probe must see (TCP on 127.0.0.1, TCP on
 * 0.0.0.0, TCP on ::, UDP on 0.0.0.0), each on a port the kernel picks, and
 * prints "PROTO ADDRESS PORT" per socket and then "ready".  It never
 * accepts or reads a connection, and exits when its standard input closes
 * or after the given number of seconds (default 30), whichever is first,
 * so a failing test cannot leave it behind.
 *
 * usage: listen [SECONDS]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Longest a run may last, whatever the caller asks. */
#define LISTEN_SECONDS_MAX 600

struct listen_spec {
	const char *proto;
	int family;
	int type;
	const char *addr;
};

/* Opens and binds one socket; prints its line.  Returns the descriptor
 * or -1 with a message on stderr. */
static int
listen_open(const struct listen_spec *s)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;
	unsigned port;

	memset(&ss, 0, sizeof(ss));
	fd = socket(s->family, s->type | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "listen: socket %s %s: %s\n", s->proto, s->addr,
			strerror(errno));
		return -1;
	}
	if (s->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		(void)inet_pton(AF_INET, s->addr, &in->sin_addr);
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		/* Left dual-stack (the host's bindv6only default, 0 on
		 * Debian), so ss prints it as "*", the form the oracle most
		 * needs to normalise. */
		in6->sin6_family = AF_INET6;
		(void)inet_pton(AF_INET6, s->addr, &in6->sin6_addr);
		len = sizeof(*in6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    (s->type == SOCK_STREAM && listen(fd, 1) != 0) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		fprintf(stderr, "listen: %s %s: %s\n", s->proto, s->addr,
			strerror(errno));
		close(fd);
		return -1;
	}
	port = s->family == AF_INET ?
		ntohs(((struct sockaddr_in *)&ss)->sin_port) :
		ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	printf("%s %s %u\n", s->proto, s->addr, port);
	return fd;
}

int
main(int argc, char **argv)
{
	static const struct listen_spec specs[] = {
		{ "tcp", AF_INET, SOCK_STREAM, "127.0.0.1" },
		{ "tcp", AF_INET, SOCK_STREAM, "0.0.0.0" },
		{ "tcp", AF_INET6, SOCK_STREAM, "::" },
		{ "udp", AF_INET, SOCK_DGRAM, "0.0.0.0" },
	};
	int fds[sizeof(specs) / sizeof(specs[0])];
	long seconds = 30;
	time_t end;
	size_t i;

	if (argc > 1) {
		char *endp;

		seconds = strtol(argv[1], &endp, 10);
		if (*endp != '\0' || seconds < 1 || seconds > LISTEN_SECONDS_MAX) {
			fprintf(stderr, "usage: listen [SECONDS 1-%d]\n",
				LISTEN_SECONDS_MAX);
			return 2;
		}
	}
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if ((fds[i] = listen_open(&specs[i])) < 0)
			return 1;
	printf("ready\n");
	if (fflush(stdout) != 0)
		return 1;
	end = time(NULL) + seconds;
	for (;;) {
		struct pollfd p = { .fd = 0, .events = POLLIN };
		time_t now = time(NULL);
		char buf[256];
		int r;

		if (now >= end)
			break;
		r = poll(&p, 1, (int)(end - now) * 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		/* Input is ignored; end of input (or an error) ends the run. */
		if (read(0, buf, sizeof(buf)) <= 0)
			break;
	}
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		close(fds[i]);
	return 0;
}
