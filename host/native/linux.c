/*
 * linux ports: the soft e1000's I/O on a Linux interface (packet(7)).
 *
 *   TX  an AF_PACKET SOCK_RAW socket bound to the interface with protocol 0: it only sends.
 *       send(2) with MSG_DONTWAIT: a full queue (EAGAIN) stops the soft e1000's TX engine
 *       where it is; the frame is tried again on the next doorbell or TDH poll.
 *   RX  a second socket (ETH_P_ALL) with a classic BPF filter: frames the interface received
 *       — or, in tap mode (bring-up's loopback), exactly the frames the TX socket sent, as the
 *       kernel's transmit tap shows them (matched by the TX socket's SO_MARK). A packet socket
 *       never sees its own transmissions, hence two sockets.
 *   carrier  SIOCGIFFLAGS: IFF_UP and IFF_RUNNING. The PHY powered down through MDIC (the crash
 *            path's carrier drop) takes the interface administratively down (SIOCSIFFLAGS).
 *   drain    SIOCOUTQ on the TX socket: bytes the driver has not yet freed. Zero means every
 *            frame left this host (the crash path waits for it before the process ends).
 *
 * A port whose MAC is not the interface's joins promiscuous mode through its RX socket
 * (PACKET_MR_PROMISC: the kernel drops the membership when the socket closes, crash or not).
 * Test ports (sn.test) have no interface: sends are kept for the test, receives injected.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lg_consts.h"
#include "linux_port.h"
#include "softnic.h"

int sn_io_send(struct lg_softnic *n, const uint8_t *frame, uint32_t len) {
  if (lg_board.dry) return 0; /* a rehearsal: nothing reaches the wire */
  if (n->test) {
    if (n->test_fd >= 0) { /* a pipe to the test process: it outlives this one */
      uint8_t hdr[2] = {(uint8_t)len, (uint8_t)(len >> 8)};
      if (write(n->test_fd, hdr, 2) != 2 || write(n->test_fd, frame, len) != (ssize_t)len) return -1;
      return 0;
    }
    if (n->test_count >= SN_TEST_RING || len > sizeof n->test_ring[0]) return 1; /* the test has not taken them yet */
    uint32_t slot = (n->test_head + n->test_count) % SN_TEST_RING;
    memcpy(n->test_ring[slot], frame, len);
    n->test_len[slot] = (uint16_t)len;
    n->test_count++;
    return 0;
  }
  for (int tries = 0; tries < 4; tries++) {
    ssize_t r = send(n->fd_tx, frame, len, MSG_DONTWAIT);
    if (r == (ssize_t)len) return 0;
    if (r >= 0) return -1;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 1;
    return -1; /* ENOBUFS (the qdisc dropped it), ENETDOWN, ENXIO, EMSGSIZE: the frame is lost */
  }
  return 1;
}

int sn_io_carrier(struct lg_softnic *n) {
  if (n->test) return n->test_link;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  if (!if_indextoname((unsigned)n->ifindex, ifr.ifr_name)) return 0;
  if (ioctl(n->fd_tx, SIOCGIFFLAGS, &ifr) < 0) return 0;
  return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}

void sn_io_phy(struct lg_softnic *n, int powered) {
  if (n->test || lg_board.dry) return; /* a test port's carrier is test_link; a rehearsal touches nothing */
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  if (!if_indextoname((unsigned)n->ifindex, ifr.ifr_name)) return;
  if (ioctl(n->fd_tx, SIOCGIFFLAGS, &ifr) < 0) return;
  if (powered) ifr.ifr_flags |= IFF_UP;
  else ifr.ifr_flags &= ~IFF_UP;
  ioctl(n->fd_tx, SIOCSIFFLAGS, &ifr);
}

int lg_linux_drain(struct lg_port *p, uint32_t budget_us) {
  struct lg_softnic *n = p->lx.nic;
  if (!n) return -1;
  if (n->test || lg_board.dry) return 1;
  uint64_t end = lg_now_ns() + (uint64_t)budget_us * 1000;
  for (int i = 0; i < 100000; i++) {
    int queued = 0;
    if (ioctl(n->fd_tx, SIOCOUTQ, &queued) < 0) return 1; /* cannot tell: nothing to wait for */
    if (queued == 0) return 1;
    if (lg_now_ns() >= end) return 0;
    lg_delay_us(50);
  }
  return 0;
}

/* ---- filters on the RX socket (classic BPF, linux/filter.h) -------------------------------- */

/* Normal: everything but what this host sends on the interface (a NIC does not receive its own host's frames). */
static struct sock_filter rx_normal[] = {
  BPF_STMT(BPF_LD | BPF_B | BPF_ABS, (__u32)(SKF_AD_OFF + SKF_AD_PKTTYPE)),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 1),
  BPF_STMT(BPF_RET | BPF_K, 0),
  BPF_STMT(BPF_RET | BPF_K, 0x40000),
};

/* Tap: only what the TX socket sent (outgoing, with its mark). */
static struct sock_filter rx_tap_template[] = {
  BPF_STMT(BPF_LD | BPF_B | BPF_ABS, (__u32)(SKF_AD_OFF + SKF_AD_PKTTYPE)),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 3),
  BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (__u32)(SKF_AD_OFF + SKF_AD_MARK)),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0 /* the mark */, 0, 1),
  BPF_STMT(BPF_RET | BPF_K, 0x40000),
  BPF_STMT(BPF_RET | BPF_K, 0),
};

static int set_filter(int fd, struct sock_filter *code, unsigned short len) {
  struct sock_fprog prog = {.len = len, .filter = code};
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

/* The TX socket's mark, which the tap filter matches: this process and this interface. */
static uint32_t mark_of(struct lg_softnic *n) { return 0x4c000000u ^ ((uint32_t)getpid() << 8) ^ (uint32_t)n->ifindex; }

int lg_linux_tap(struct lg_softnic *n, int on) {
  if (n->test) {
    n->tap = on;
    return 0;
  }
  int rc;
  if (on) {
    struct sock_filter tap[sizeof rx_tap_template / sizeof rx_tap_template[0]];
    memcpy(tap, rx_tap_template, sizeof tap);
    tap[3].k = mark_of(n);
    rc = set_filter(n->fd_rx, tap, sizeof tap / sizeof tap[0]);
  } else {
    rc = set_filter(n->fd_rx, rx_normal, sizeof rx_normal / sizeof rx_normal[0]);
  }
  if (rc < 0) return -errno;
  n->tap = on;
  /* What the socket held was filtered the other way: drop it. */
  uint8_t scratch[64];
  for (int i = 0; i < 100000 && recv(n->fd_rx, scratch, sizeof scratch, MSG_DONTWAIT | MSG_TRUNC) >= 0; i++) {
  }
  return 0;
}

int lg_linux_open(struct lg_softnic *n, const char *ifname, const uint8_t mac[6], struct lg_linux_open_info *info, const char **what) {
  memset(info, 0, sizeof *info);
  n->fd_tx = n->fd_rx = -1;
  unsigned idx = if_nametoindex(ifname);
  if (!idx) return (*what = "if_nametoindex", -errno);
  n->ifindex = (int)idx;
  n->fd_tx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (n->fd_tx < 0) return (*what = "socket(AF_PACKET, SOCK_RAW) for TX", -errno);
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = 0; /* transmit only */
  sll.sll_ifindex = (int)idx;
  if (bind(n->fd_tx, (struct sockaddr *)&sll, sizeof sll) < 0) return (*what = "bind(AF_PACKET) TX", -errno);
  int sndbuf = 1 << 20;
  setsockopt(n->fd_tx, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);
  uint32_t mark = mark_of(n);
  if (setsockopt(n->fd_tx, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) return (*what = "setsockopt(SO_MARK)", -errno);

  n->fd_rx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (n->fd_rx < 0) return (*what = "socket(AF_PACKET, SOCK_RAW) for RX", -errno);
  /* The filter before the bind: nothing unfiltered is ever queued. */
  if (set_filter(n->fd_rx, rx_normal, sizeof rx_normal / sizeof rx_normal[0]) < 0) return (*what = "SO_ATTACH_FILTER", -errno);
  sll.sll_protocol = htons(ETH_P_ALL);
  if (bind(n->fd_rx, (struct sockaddr *)&sll, sizeof sll) < 0) return (*what = "bind(AF_PACKET) RX", -errno);
  int rcvbuf = 4 << 20;
  setsockopt(n->fd_rx, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);

  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, ifname, strnlen(ifname, IFNAMSIZ - 1));
  if (ioctl(n->fd_tx, SIOCGIFHWADDR, &ifr) < 0) return (*what = "SIOCGIFHWADDR", -errno);
  memcpy(info->mac, ifr.ifr_hwaddr.sa_data, 6);
  info->ifindex = (int)idx;
  if (memcmp(info->mac, mac, 6) != 0) {
    struct packet_mreq mr;
    memset(&mr, 0, sizeof mr);
    mr.mr_ifindex = (int)idx;
    mr.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(n->fd_rx, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) return (*what = "PACKET_ADD_MEMBERSHIP (promiscuous)", -errno);
    info->promisc = 1;
  }
  info->carrier = sn_io_carrier(n);
  return 0;
}

uint64_t lg_linux_socket_drops(struct lg_softnic *n) {
  if (n->test || n->fd_rx < 0) return n->st.rx_socket_drops;
  struct tpacket_stats ps;
  socklen_t len = sizeof ps;
  if (getsockopt(n->fd_rx, SOL_PACKET, PACKET_STATISTICS, &ps, &len) == 0) n->st.rx_socket_drops += ps.tp_drops; /* reading resets them */
  return n->st.rx_socket_drops;
}

void lg_linux_close(struct lg_softnic *n) {
  if (n->fd_tx >= 0) close(n->fd_tx);
  if (n->fd_rx >= 0) close(n->fd_rx);
  n->fd_tx = n->fd_rx = -1;
}

int lg_linux_pump(struct lg_softnic *n, uint32_t wait_us) {
  if (n->test) return 0;
  int delivered = 0;
  struct pollfd pfd = {.fd = n->fd_rx, .events = POLLIN};
  int timeout_ms = (int)((wait_us + 999) / 1000);
  if (poll(&pfd, 1, timeout_ms) <= 0) return 0;
  for (int i = 0; i < 4096; i++) {
    /* No free RX descriptor: the rest waits in the socket, as frames wait on a wire for a
     * NIC whose driver has not refilled its ring (the packet engine harvests, then pumps). */
    if (sn_rx_full(n)) break;
    ssize_t r = recv(n->fd_rx, n->rxbuf, SN_RX_MAX, MSG_DONTWAIT | MSG_TRUNC);
    if (r < 0) break;
    if ((size_t)r > SN_RX_MAX - ETH_FCS_LEN) { /* longer than any e1000 receives: dropped, as oversize */
      n->st.rx_dropped++;
      continue;
    }
    delivered += sn_receive(n, n->rxbuf, (uint32_t)r);
  }
  return delivered;
}
