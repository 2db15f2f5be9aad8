/* linux ports (linux.c): opening a soft e1000's sockets, the RX pump, the tap. */
#ifndef LG_LINUX_PORT_H
#define LG_LINUX_PORT_H

#include <stdint.h>

struct lg_softnic;

struct lg_linux_open_info {
  int ifindex;
  uint8_t mac[6]; /* the interface's own */
  int promisc;    /* joined promiscuous mode: the port's MAC is not the interface's */
  int carrier;
};

/* Opens the TX and RX sockets on ifname. 0, or -errno with *what naming the call that failed
 * (the caller closes what was opened with lg_linux_close). */
int lg_linux_open(struct lg_softnic *n, const char *ifname, const uint8_t mac[6], struct lg_linux_open_info *info, const char **what);
void lg_linux_close(struct lg_softnic *n);
/* Receives what the RX socket holds into the RX ring, waiting up to wait_us for a first frame. */
int lg_linux_pump(struct lg_softnic *n, uint32_t wait_us);
/* Frames the kernel dropped because the RX socket was full, since open (PACKET_STATISTICS). */
uint64_t lg_linux_socket_drops(struct lg_softnic *n);
/* Tap mode on or off (0, or -errno). */
int lg_linux_tap(struct lg_softnic *n, int on);

#endif
