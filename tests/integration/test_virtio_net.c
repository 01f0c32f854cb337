/* build/cove --net on the nettest guest, in a network namespace of this
 * test's own (unshare), with a tap created there: this process is the host
 * side, answering each "ping K" frame from the guest with "pong K" on a
 * packet socket bound to the tap. No address leaves the namespace. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

Test(virtio_net_guest, guest_and_host_exchange_frames_over_a_tap)
{
	struct sockaddr_ll sll = {0};
	char elf[512], out[4096] = {0};
	size_t outlen = 0;
	unsigned replies = 0;
	int s, p[2], st;
	pid_t pid;

	cr_assert(getenv("COVE") && getenv("COVE_BUILD"), "run through scripts/test.sh (COVE, COVE_BUILD)");
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET) needs root");
	cr_assert_eq(system("ip tuntap add dev covet0 mode tap vnet_hdr && ip link set covet0 up"), 0);
	s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	cr_assert(s >= 0);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex("covet0");
	cr_assert_eq(bind(s, (struct sockaddr *)&sll, sizeof(sll)), 0);
	snprintf(elf, sizeof(elf), "%s/guests/virtio/nettest.elf", getenv("COVE_BUILD"));
	cr_assert_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execl(getenv("COVE"), "cove", "--timeout", "30", "--net", "tap=covet0,mac=02:00:00:00:00:42", "-a",
		      "count=10", elf, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd fds[2] = {{s, POLLIN, 0}, {p[0], POLLIN, 0}};
		uint8_t f[2048];

		if (poll(fds, 2, 40000) <= 0)
			break;
		if (fds[0].revents & POLLIN) {
			ssize_t n = recv(s, f, sizeof(f), 0);

			if (n >= 20 && f[12] == 0x88 && f[13] == 0xb5 && memcmp(f + 14, "ping ", 5) == 0) {
				uint8_t r[60] = {0};

				memcpy(r, f + 6, 6);
				memcpy(r + 6, "\x02\x00\x00\x00\x00\x01", 6);
				r[12] = 0x88;
				r[13] = 0xb5;
				memcpy(r + 14, "pong ", 5);
				memcpy(r + 19, f + 19, 20);
				cr_assert_eq(send(s, r, sizeof(r), 0), (ssize_t)sizeof(r));
				replies++;
			}
		}
		if (fds[1].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(p[0], out + outlen, sizeof(out) - 1 - outlen);

			if (n <= 0)
				break;
			outlen += (size_t)n;
		}
	}
	waitpid(pid, &st, 0);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "cove exit status %d; output:\n%s", WEXITSTATUS(st), out);
	cr_assert(strstr(out, "nettest: ok 10"), "the guest got all ten answers:\n%s", out);
	cr_assert_eq(replies, 10, "the host saw ten pings");
	close(s);
}
