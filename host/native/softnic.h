/*
 * The soft e1000 (softnic.c): an Intel 8254x register file in front of a Linux interface,
 * so that the core's ring code, fault entry and packet engine drive a linux port exactly as
 * they drive a NIC. Its register table is the TypeScript model's (host/nic/e1000-regs.ts,
 * generated into softnic_regs.h) and its engines follow the same QEMU-derived behaviour
 * (host/nic/e1000-tx.ts, e1000-rx.ts): a TDT or TCTL write walks the TX ring and sends each
 * frame's bytes — read from the core's memory through the board's bus windows — with one
 * send(2); received frames fill RX descriptors, descriptor first and DD last. What it adds
 * for a kernel interface: STATUS.LU follows the carrier; a full socket queue stops the TX
 * engine where it is, and a TDH read (the core's confirmation poll) or the next doorbell
 * resumes it. test/softnic.test.ts runs it against the TypeScript model.
 */
#ifndef LG_SOFTNIC_H
#define LG_SOFTNIC_H

#include <stdint.h>

#include "lg_port.h"
#include "softnic_regs.h"

#define SN_TX_MAX_FRAME 0x10000 /* what one frame may gather (QEMU's tx buffer), as e1000-tx.ts */
#define SN_RX_MAX 0x4004        /* the longest frame a receive may deliver: 16 KiB with its FCS */
#define SN_WB_MAX 64            /* RS write-backs held until their frame is sent */
#define SN_TEST_RING 64         /* test ports: frames sent, kept for the test to take */

struct sn_stats {
  uint64_t tx_frames, tx_bytes, tx_errors, tx_busy, tx_bad_fcs, tx_bogus_ring;
  uint64_t rx_frames, rx_filtered, rx_dropped;
  uint64_t rx_socket_drops; /* frames the kernel dropped for a full RX socket (PACKET_STATISTICS) */
  uint64_t dma_errors;
};

struct lg_softnic {
  uint32_t reg[SN_NREGS]; /* one per row of sn_regs */
  uint8_t mac[6];
  uint16_t eeprom[64];
  uint16_t phy[32];  /* the internal PHY's registers behind MDIC (kept across CTRL.RST) */
  int phy_powered;   /* MII control POWER_DOWN clear */
  int link;          /* the carrier (and the PHY powered) as last seen */
  /* the frame being gathered */
  uint32_t size;
  int dropping, ifcs;
  uint32_t frame_head;                /* TDH of its first descriptor (a busy socket rolls back to it) */
  uint64_t wb_pending[SN_WB_MAX];     /* bus addresses of its RS descriptors' status bytes */
  uint32_t wb_count;
  int tx_waiting; /* the TX engine stopped at a full socket queue: a TDH read resumes it */
  struct sn_stats st;
  /* I/O (linux.c) */
  int fd_tx, fd_rx, ifindex;
  int tap;      /* bring-up: frames this port sends come back as received */
  int test;     /* no interface: sends are kept in test_ring, receives injected (test/softnic.test.ts) */
  int test_link;
  int test_fd; /* test ports: every frame sent is also written here (u16 length, then the bytes), or -1 */
  uint32_t test_head, test_count;
  uint16_t test_len[SN_TEST_RING];
  uint8_t test_ring[SN_TEST_RING][2048];
  uint8_t buf[SN_TX_MAX_FRAME];
  uint8_t rxbuf[SN_RX_MAX + 64];
};

/* A soft e1000 with its registers at their reset values (CTRL.RST), RAL0/RAH0 = mac, STATUS.LU
 * from the carrier (its I/O fields set first). */
void sn_init(struct lg_softnic *n, const uint8_t mac[6]);
uint32_t sn_read32(struct lg_softnic *n, uint32_t offset);
void sn_write32(struct lg_softnic *n, uint32_t offset, uint32_t value);
/* A frame (without FCS) from the wire; returns 1 when it reached the RX ring. */
int sn_receive(struct lg_softnic *n, const uint8_t *frame, uint32_t len);

/* The receiver is on and has no free descriptor: a frame arriving now would be an overrun.
 * The linux pump leaves frames in the socket then (the kernel's queue is the wire). */
int sn_rx_full(struct lg_softnic *n);

/* The port's I/O (linux.c): the frame went (0), the queue is full, try again (1), dropped (-1). */
int sn_io_send(struct lg_softnic *n, const uint8_t *frame, uint32_t len);
/* Carrier: 1 up, 0 down. */
int sn_io_carrier(struct lg_softnic *n);
/* The PHY powered down (0) or up (1): a linux port's interface goes administratively down or
 * up — the carrier drop a crash path asks for last (docs/dialects.md), which the partner sees. */
void sn_io_phy(struct lg_softnic *n, int powered);

/* linux.c: the crash path's drain of a linux port (lg_port_drain). */
int lg_linux_drain(struct lg_port *p, uint32_t budget_us);

/* regops.c: rehearsal shadow of pci ports. */
void lg_dry_reset(void);

/* Where bus address [bus, bus+len) is in this process (the board's windows), or NULL. */
uint8_t *lg_dma(struct lg_board *b, uint64_t bus, uint32_t len);

#endif
