/* linetime: runs a command and reports, from exec, when each marker string
 * first appears in its output (stdout and stderr together), the last line
 * it printed and how it ended. For boot benchmarks: "how far did it get,
 * and how long did that take". Never fails on a timing.
 *
 *   linetime [--timeout SEC] [--mark STR]... -- COMMAND [ARG]...
 *
 * Prints "mark <STR>: <seconds> s" or "mark <STR>: not reached", then
 * "last line (<seconds> s): <text>" and "ended: status N | signal N |
 * killed after SEC s". */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MARKS 16
#define LINE_MAX_LEN 512

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	const char *marks[MAX_MARKS];
	double seen[MAX_MARKS], timeout = 0, t0, last_t = 0;
	unsigned nmarks = 0;
	char line[LINE_MAX_LEN], last[LINE_MAX_LEN] = "";
	size_t len = 0;
	int i = 1, p[2], st = 0;
	bool killed = false;
	pid_t pid;

	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout = atof(argv[++i]);
		else if (!strcmp(argv[i], "--mark") && i + 1 < argc && nmarks < MAX_MARKS)
			marks[nmarks++] = argv[++i];
		else {
			fprintf(stderr, "usage: linetime [--timeout SEC] [--mark STR]... -- COMMAND [ARG]...\n");
			return 2;
		}
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "linetime: no command\n");
		return 2;
	}
	for (unsigned m = 0; m < nmarks; m++)
		seen[m] = -1;
	if (pipe(p) < 0)
		return 1;
	t0 = now();
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execvp(argv[i + 1], argv + i + 1);
		fprintf(stderr, "linetime: exec %s: %s\n", argv[i + 1], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pf = {.fd = p[0], .events = POLLIN};
		int wait_ms = -1;
		char c;

		if (timeout > 0) {
			double left = timeout - (now() - t0);
			if (left <= 0) {
				kill(pid, SIGKILL);
				killed = true;
				break;
			}
			wait_ms = (int)(left * 1000) + 1;
		}
		if (poll(&pf, 1, wait_ms) < 0 && errno != EINTR)
			break;
		if (!pf.revents)
			continue;
		if (read(p[0], &c, 1) != 1)
			break;
		if (c != '\n' && len + 1 < sizeof(line)) {
			if (c != '\r')
				line[len++] = c;
			continue;
		}
		line[len] = '\0';
		len = 0;
		if (!line[0])
			continue;
		last_t = now() - t0;
		snprintf(last, sizeof(last), "%s", line);
		for (unsigned m = 0; m < nmarks; m++)
			if (seen[m] < 0 && strstr(line, marks[m]))
				seen[m] = last_t;
	}
	close(p[0]);
	waitpid(pid, &st, 0);
	for (unsigned m = 0; m < nmarks; m++)
		if (seen[m] >= 0)
			printf("mark %s: %.3f s\n", marks[m], seen[m]);
		else
			printf("mark %s: not reached\n", marks[m]);
	printf("last line (%.3f s): %s\n", last_t, last);
	if (killed)
		printf("ended: killed after %.0f s\n", timeout);
	else if (WIFEXITED(st))
		printf("ended: status %d after %.3f s\n", WEXITSTATUS(st), now() - t0);
	else
		printf("ended: signal %d after %.3f s\n", WTERMSIG(st), now() - t0);
	return 0;
}
