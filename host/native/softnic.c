/*
 * The soft e1000 (softnic.h): registers from the TypeScript model's table, the TX engine and
 * the receive path of host/nic/e1000.ts, e1000-tx.ts and e1000-rx.ts (QEMU hw/net/e1000.c
 * start_xmit, process_tx_desc, txdesc_writeback, e1000_receive_iov; Intel 8254x SDM §3.2,
 * §3.3, §13). Async-signal-safe: no allocation, every loop bounded (the crash path runs it).
 */
#define _GNU_SOURCE
#include <string.h>

#include "lg_consts.h"
#include "softnic.h"

/* ---- registers ---------------------------------------------------------------------------- */

static int row_of(uint32_t offset) {
  int lo = 0, hi = SN_NREGS - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (sn_regs[mid].offset == offset) return mid;
    if (sn_regs[mid].offset < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/* Rows of the registers the engines use, found once (the table is sorted, the rows fixed). */
static int R_CTRL, R_STATUS, R_EERD, R_ICR, R_IMS, R_RCTL, R_TCTL, R_RDBAL, R_RDBAH, R_RDLEN, R_RDH, R_RDT,
    R_TDBAL, R_TDBAH, R_TDLEN, R_TDH, R_TDT, R_RAL0, R_MTA0;
static int rows_ready;

static void find_rows(void) {
  if (rows_ready) return;
  R_CTRL = row_of(REG_CTRL), R_STATUS = row_of(REG_STATUS), R_EERD = row_of(REG_EERD), R_ICR = row_of(REG_ICR);
  R_IMS = row_of(REG_IMS), R_RCTL = row_of(REG_RCTL), R_TCTL = row_of(REG_TCTL);
  R_RDBAL = row_of(REG_RDBAL), R_RDBAH = row_of(REG_RDBAH), R_RDLEN = row_of(REG_RDLEN), R_RDH = row_of(REG_RDH), R_RDT = row_of(REG_RDT);
  R_TDBAL = row_of(REG_TDBAL), R_TDBAH = row_of(REG_TDBAH), R_TDLEN = row_of(REG_TDLEN), R_TDH = row_of(REG_TDH), R_TDT = row_of(REG_TDT);
  R_RAL0 = row_of(REG_RAL0), R_MTA0 = row_of(REG_MTA);
  rows_ready = 1;
}

#define REG(n, r) ((n)->reg[(r)])

static uint32_t reg_at(struct lg_softnic *n, uint32_t offset) {
  int r = row_of(offset);
  return r < 0 ? 0 : n->reg[r];
}

/* Adds to a statistics counter, saturating (QEMU e1000x_inc_reg_if_not_full). */
static void count(struct lg_softnic *n, uint32_t offset, uint32_t by) {
  int r = row_of(offset);
  if (r < 0) return;
  uint64_t v = (uint64_t)n->reg[r] + by;
  n->reg[r] = v > 0xffffffffu ? 0xffffffffu : (uint32_t)v;
}

/* Adds to a 64-bit counter pair (QEMU e1000x_grow_8reg_if_not_full), low register given. */
static void count64(struct lg_softnic *n, uint32_t lo, uint32_t by) {
  int rl = row_of(lo), rh = row_of(lo + 4);
  if (rl < 0 || rh < 0) return;
  uint64_t v = ((uint64_t)n->reg[rh] << 32 | n->reg[rl]) + by;
  if (v > 0x1fffffffffffffull) v = 0x1fffffffffffffull; /* as the model: Number.MAX_SAFE_INTEGER */
  n->reg[rl] = (uint32_t)v;
  n->reg[rh] = (uint32_t)(v >> 32);
}

static void raise_cause(struct lg_softnic *n, uint32_t cause) { REG(n, R_ICR) |= cause; }

static void load_eeprom(struct lg_softnic *n) {
  memset(n->eeprom, 0, sizeof n->eeprom);
  for (int i = 0; i < 3; i++) n->eeprom[i] = (uint16_t)(n->mac[2 * i] | n->mac[2 * i + 1] << 8);
  uint32_t sum = 0;
  for (int i = 0; i < 0x3f; i++) sum += n->eeprom[i];
  n->eeprom[0x3f] = (uint16_t)((0xbaba - sum) & 0xffff);
}

static void clear_frame(struct lg_softnic *n) {
  n->size = 0;
  n->dropping = 0;
  n->ifcs = 1;
  n->wb_count = 0;
}

/* Device reset (CTRL.RST; power-on): registers to their reset values, engines idle. */
static void reset(struct lg_softnic *n) {
  for (int i = 0; i < SN_NREGS; i++) n->reg[i] = sn_regs[i].reset;
  REG(n, R_RAL0) = (uint32_t)n->mac[0] | (uint32_t)n->mac[1] << 8 | (uint32_t)n->mac[2] << 16 | (uint32_t)n->mac[3] << 24;
  REG(n, R_RAL0 + 1) = ((uint32_t)n->mac[4] | (uint32_t)n->mac[5] << 8 | RAH_AV) & 0xffffffffu; /* RAH0 follows RAL0 */
  if (!n->link) REG(n, R_STATUS) &= ~(uint32_t)STATUS_LU;
  clear_frame(n);
  n->tx_waiting = 0;
}

void sn_init(struct lg_softnic *n, const uint8_t mac[6]) {
  find_rows();
  memcpy(n->mac, mac, 6);
  load_eeprom(n);
  memset(n->phy, 0, sizeof n->phy);
  n->phy[PHY_REG_CTRL] = PHY_CTRL_RESET_VALUE;
  n->phy_powered = 1;
  n->link = sn_io_carrier(n);
  memset(&n->st, 0, sizeof n->st);
  reset(n);
}

/* ---- bus addresses -------------------------------------------------------------------------- */

uint8_t *lg_dma(struct lg_board *b, uint64_t bus, uint32_t len) {
  for (unsigned i = 0; i < b->windows && i < LG_MAX_WINDOWS; i++) {
    const struct lg_dma_window *w = &b->window[i];
    if (bus >= w->bus && bus - w->bus <= w->size && w->size - (bus - w->bus) >= len) return w->host + (bus - w->bus);
  }
  return NULL;
}

static uint64_t ld64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}
static uint16_t ld16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* ---- CRC-32 (the Ethernet FCS, IEEE 802.3 §3.2.9), bitwise: no table to initialise -------- */
static uint32_t fcs_of(const uint8_t *p, uint32_t len) {
  uint32_t c = 0xffffffffu;
  for (uint32_t i = 0; i < len; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
  }
  return ~c;
}

static int is_broadcast(const uint8_t *f) {
  for (int i = 0; i < 6; i++)
    if (f[i] != 0xff) return 0;
  return 1;
}

/* The size-bucket counter for a length with FCS (QEMU e1000x_increase_size_stats). */
static uint32_t size_counter(const uint32_t regs[6], uint32_t len) {
  if (len > 1023) return regs[5];
  if (len > 511) return regs[4];
  if (len > 255) return regs[3];
  if (len > 127) return regs[2];
  if (len > 64) return regs[1];
  return len == 64 ? regs[0] : 0;
}
static const uint32_t TX_SIZE_REGS[6] = {REG_PTC64, REG_PTC127, REG_PTC255, REG_PTC511, REG_PTC1023, REG_PTC1522};
static const uint32_t RX_SIZE_REGS[6] = {REG_PRC64, REG_PRC127, REG_PRC255, REG_PRC511, REG_PRC1023, REG_PRC1522};

/* ---- link ----------------------------------------------------------------------------------- */

static void tx_run(struct lg_softnic *n);

/* STATUS.LU follows the interface's carrier and our PHY's power; a change raises LSC and, up
 * again, resumes TX (e1000.ts updateLink). */
static void link_refresh(struct lg_softnic *n) {
  int up = n->phy_powered && sn_io_carrier(n);
  if (up == n->link) return;
  n->link = up;
  if (up) REG(n, R_STATUS) |= STATUS_LU;
  else REG(n, R_STATUS) &= ~(uint32_t)STATUS_LU;
  raise_cause(n, ICR_LSC);
  if (up) tx_run(n);
}

/* ---- transmit (e1000-tx.ts; QEMU start_xmit, process_tx_desc) ------------------------------ */

enum { TX_NEXT = 0, TX_BUSY = 1 };

/* Writes back DD (upper dword only; EC, LC, TU cleared) at a descriptor (QEMU txdesc_writeback). */
static int write_back(struct lg_softnic *n, uint64_t desc) {
  uint8_t *sta = lg_dma(&lg_board, desc + TXD_OFF_STA, 4);
  if (!sta) {
    n->st.dma_errors++;
    return 0;
  }
  uint32_t upper;
  memcpy(&upper, sta, 4);
  upper = (upper | TXD_STA_DD) & ~(uint32_t)(TXD_STA_EC | TXD_STA_LC | TXD_STA_TU);
  memcpy(sta, &upper, 4);
  return 1;
}

/* The gathered frame on the wire: FCS checked and stripped without IFCS, padded with PSP. */
static int tx_send(struct lg_softnic *n, const uint8_t *frame, uint32_t len) {
  if (!n->ifcs) {
    /* Software supplied the FCS: a receiver's MAC drops the frame when it is wrong. */
    if (len < ETH_FCS_LEN) goto bad_fcs;
    uint32_t body = len - ETH_FCS_LEN, want = fcs_of(frame, body);
    uint8_t w[4] = {(uint8_t)want, (uint8_t)(want >> 8), (uint8_t)(want >> 16), (uint8_t)(want >> 24)};
    if (memcmp(w, frame + body, 4) != 0) goto bad_fcs;
    len = body;
  }
  if (len < ETH_MIN_FRAME && (REG(n, R_TCTL) & TCTL_PSP)) {
    if (frame != n->buf) memcpy(n->buf, frame, len);
    memset(n->buf + len, 0, ETH_MIN_FRAME - len);
    frame = n->buf;
    len = ETH_MIN_FRAME;
  }
  if (!n->link) { /* the engine stalls without link; a frame caught by link loss is dropped */
    n->st.tx_errors++;
    return TX_NEXT;
  }
  int r = sn_io_send(n, frame, len);
  if (r > 0) {
    n->st.tx_busy++;
    return TX_BUSY;
  }
  if (r < 0) {
    n->st.tx_errors++;
    return TX_NEXT;
  }
  uint32_t wire = len + ETH_FCS_LEN; /* counters include the FCS */
  count(n, REG_TPT, 1);
  count(n, REG_GPTC, 1);
  count64(n, REG_GOTCL, wire);
  count64(n, REG_TOTL, wire);
  uint32_t bucket = size_counter(TX_SIZE_REGS, wire);
  if (bucket) count(n, bucket, 1);
  if (is_broadcast(frame)) count(n, REG_BPTC, 1);
  else if (frame[0] & 1) count(n, REG_MPTC, 1);
  n->st.tx_frames++;
  n->st.tx_bytes += len;
  return TX_NEXT;
bad_fcs:
  n->st.tx_bad_fcs++;
  n->st.tx_errors++;
  return TX_NEXT;
}

/* One descriptor at head; TX_BUSY when the socket's queue was full (TDH rolled back). */
static int tx_descriptor(struct lg_softnic *n, uint64_t desc, uint32_t head, int *wrote) {
  uint8_t *d = lg_dma(&lg_board, desc, DESC_SIZE);
  if (n->size == 0 && n->wb_count == 0 && !n->dropping) n->frame_head = head;
  if (!d) { /* the descriptor itself is unreachable: its frame is lost */
    n->st.dma_errors++;
    n->dropping = 1;
    return TX_NEXT;
  }
  uint8_t cmd = d[TXD_OFF_CMD];
  int context = (cmd & TXD_CMD_DEXT) && !(d[TXD_OFF_DTYP] & TXD_DTYP_DATA);
  int rs = (cmd & (TXD_CMD_RS | TXD_CMD_RPS)) != 0;
  if (!context) {
    uint32_t len = ld16(d + TXD_OFF_LENGTH);
    uint32_t take = len < SN_TX_MAX_FRAME - n->size ? len : SN_TX_MAX_FRAME - n->size;
    const uint8_t *data = NULL;
    if (take > 0) {
      data = lg_dma(&lg_board, ld64(d + TXD_OFF_ADDR), take);
      if (!data) {
        n->st.dma_errors++;
        n->dropping = 1;
      }
    }
    n->ifcs = (cmd & TXD_CMD_IFCS) != 0; /* the EOP descriptor's IFCS decides (SDM §3.3.3.1) */
    if (cmd & TXD_CMD_EOP) {
      int r = TX_NEXT;
      if (n->dropping) {
        n->st.tx_errors++;
      } else if (n->size == 0 && data) {
        r = tx_send(n, data, take); /* one descriptor: straight out of the core's memory */
      } else {
        if (data) memcpy(n->buf + n->size, data, take);
        r = tx_send(n, n->buf, n->size + take);
      }
      if (r == TX_BUSY) { /* not sent: the frame starts again at its first descriptor */
        REG(n, R_TDH) = n->frame_head;
        clear_frame(n);
        return TX_BUSY;
      }
      for (uint32_t i = 0; i < n->wb_count; i++) *wrote |= write_back(n, n->wb_pending[i]);
      if (rs) *wrote |= write_back(n, desc);
      clear_frame(n);
      return TX_NEXT;
    }
    if (data) {
      memcpy(n->buf + n->size, data, take);
      n->size += take;
    }
  }
  if (rs) {
    if (context && n->size == 0 && n->wb_count == 0) *wrote |= write_back(n, desc);
    else if (n->wb_count < SN_WB_MAX) n->wb_pending[n->wb_count++] = desc;
    else *wrote |= write_back(n, desc);
  }
  return TX_NEXT;
}

/* A doorbell (TDT or TCTL write, link back, a TDH poll with work pending): walk TDH -> TDT. */
static void tx_run(struct lg_softnic *n) {
  if (!(REG(n, R_TCTL) & TCTL_EN)) return; /* QEMU start_xmit: "tx disabled" */
  if (!n->link) return;                     /* the MAC stalls without link (e1000-tx.ts linkDownTx "stall") */
  uint32_t tdh_start = REG(n, R_TDH);
  uint32_t tdlen = REG(n, R_TDLEN);
  uint32_t ring = tdlen / DESC_SIZE;
  uint64_t base = ((uint64_t)REG(n, R_TDBAH) << 32) | (REG(n, R_TDBAL) & (uint32_t)BASE_LO_MASK);
  uint32_t cause = ICR_TXQE;
  int wrote = 0;
  n->tx_waiting = 0;
  for (uint32_t guard = 0; REG(n, R_TDH) != REG(n, R_TDT) && guard <= 0x10000; guard++) {
    uint32_t head = REG(n, R_TDH);
    if (tx_descriptor(n, base + (uint64_t)DESC_SIZE * head, head, &wrote) == TX_BUSY) {
      cause = 0; /* not empty: the rest waits for the socket */
      n->tx_waiting = 1;
      break;
    }
    uint32_t next = head + 1;
    if (next * DESC_SIZE >= tdlen) next = 0;
    REG(n, R_TDH) = next;
    /* QEMU: "the following could happen only if guest sw assigns bogus values to TDT/TDLEN" */
    if (next == tdh_start || tdh_start >= ring) {
      n->st.tx_bogus_ring++;
      break;
    }
  }
  if (wrote) cause |= ICR_TXDW;
  raise_cause(n, cause);
}

/* ---- receive (e1000-rx.ts; QEMU e1000_receive_iov) ----------------------------------------- */

static uint32_t rx_buffer_size(uint32_t rctl) {
  uint32_t bsize = (rctl & RCTL_BSIZE_MASK) >> RCTL_BSIZE_SHIFT;
  static const uint32_t ext[4] = {2048, 16384, 8192, 4096}, std[4] = {2048, 1024, 512, 256};
  return (rctl & RCTL_BSEX) ? ext[bsize] : std[bsize];
}

static int passes_filter(struct lg_softnic *n, const uint8_t *f) {
  uint32_t rctl = REG(n, R_RCTL);
  if (is_broadcast(f)) {
    if (rctl & RCTL_BAM) return 1;
  } else if (f[0] & 1) {
    if (rctl & RCTL_MPE) return 1;
  } else if (rctl & RCTL_UPE) {
    return 1;
  }
  for (int k = 0; k < RA_ENTRIES; k++) {
    uint32_t hi = REG(n, R_RAL0 + 2 * k + 1), lo = REG(n, R_RAL0 + 2 * k);
    if (!(hi & RAH_AV)) continue;
    if (f[0] == (lo & 0xff) && f[1] == ((lo >> 8) & 0xff) && f[2] == ((lo >> 16) & 0xff) && f[3] == (lo >> 24) &&
        f[4] == (hi & 0xff) && f[5] == ((hi >> 8) & 0xff))
      return 1;
  }
  static const int shifts[4] = {4, 3, 2, 0};
  uint32_t h = (((uint32_t)f[5] << 8 | f[4]) >> shifts[(rctl & RCTL_MO_MASK) >> RCTL_MO_SHIFT]) & 0xfff;
  return (REG(n, R_MTA0 + (h >> 5)) >> (h & 31)) & 1;
}

static int has_rx_buffers(struct lg_softnic *n, uint32_t total, uint32_t bufsize) {
  uint32_t rdh = REG(n, R_RDH), rdt = REG(n, R_RDT), bufs;
  if (total <= bufsize) return rdh != rdt;
  if (rdh < rdt) bufs = rdt - rdh;
  else if (rdh > rdt) bufs = REG(n, R_RDLEN) / DESC_SIZE + rdt - rdh;
  else return 0;
  return (uint64_t)total <= (uint64_t)bufs * bufsize;
}

static int overrun(struct lg_softnic *n) {
  count(n, REG_RNBC, 1);
  count(n, REG_MPC, 1);
  raise_cause(n, ICR_RXO);
  n->st.rx_dropped++;
  return 0;
}

int sn_rx_full(struct lg_softnic *n) {
  return n->link && (REG(n, R_RCTL) & RCTL_EN) && REG(n, R_RDH) == REG(n, R_RDT);
}

int sn_receive(struct lg_softnic *n, const uint8_t *in, uint32_t len) {
  uint32_t rctl = REG(n, R_RCTL);
  if (!n->link || !(rctl & RCTL_EN) || len > SN_RX_MAX - ETH_FCS_LEN) {
    n->st.rx_dropped++;
    return 0;
  }
  uint8_t *data = n->rxbuf;
  if (in != data) memmove(data, in, len);
  if (len < ETH_MIN_FRAME) { /* padded to the minimum Ethernet frame, as a real MAC receives it */
    memset(data + len, 0, ETH_MIN_FRAME - len);
    len = ETH_MIN_FRAME;
  }
  uint32_t max_long = 16384 - ETH_FCS_LEN;
  if ((len > max_long || (len > ETH_MAX_FRAME && !(rctl & RCTL_LPE))) && !(rctl & RCTL_SBP)) {
    count(n, REG_ROC, 1);
    n->st.rx_dropped++;
    return 0;
  }
  if (!passes_filter(n, data)) {
    n->st.rx_filtered++;
    return 0;
  }
  uint32_t frame_len = len, total = len;
  if (!(rctl & RCTL_SECRC)) { /* the FCS goes to memory too */
    uint32_t c = fcs_of(data, len);
    data[len] = (uint8_t)c, data[len + 1] = (uint8_t)(c >> 8), data[len + 2] = (uint8_t)(c >> 16), data[len + 3] = (uint8_t)(c >> 24);
    total += ETH_FCS_LEN;
  }
  uint32_t bufsize = rx_buffer_size(rctl);
  if (!has_rx_buffers(n, total, bufsize)) return overrun(n);
  uint64_t base = ((uint64_t)REG(n, R_RDBAH) << 32) | (REG(n, R_RDBAL) & (uint32_t)BASE_LO_MASK);
  uint32_t rdh_start = REG(n, R_RDH), rdlen = REG(n, R_RDLEN), offset = 0;
  for (uint32_t guard = 0; guard <= 0x10000; guard++) {
    uint32_t rdh = REG(n, R_RDH);
    uint64_t desc_bus = base + (uint64_t)DESC_SIZE * rdh;
    uint8_t *desc = lg_dma(&lg_board, desc_bus, DESC_SIZE);
    if (!desc) goto dma_drop;
    uint64_t buf = ld64(desc + RXD_OFF_ADDR);
    uint8_t status = desc[RXD_OFF_STATUS] & ~(uint8_t)RXD_STA_DD;
    desc[RXD_OFF_SPECIAL] = desc[RXD_OFF_SPECIAL + 1] = 0;
    if (buf != 0) {
      uint32_t chunk = total - offset < bufsize ? total - offset : bufsize;
      uint8_t *dst = lg_dma(&lg_board, buf, chunk);
      if (!dst) goto dma_drop;
      memcpy(dst, data + offset, chunk);
      offset += chunk;
      desc[RXD_OFF_LENGTH] = (uint8_t)chunk, desc[RXD_OFF_LENGTH + 1] = (uint8_t)(chunk >> 8);
      status = offset >= total ? (uint8_t)(status | RXD_STA_EOP | RXD_STA_IXSM) : (uint8_t)(status & ~RXD_STA_EOP);
    } /* else: "skip descriptors with null buf addr" (QEMU): written back, no data */
    /* The descriptor first, DD clear; then its status byte with DD (QEMU e1000_receive_iov). */
    desc[RXD_OFF_STATUS] = status;
    __sync_synchronize();
    desc[RXD_OFF_STATUS] = (uint8_t)(status | RXD_STA_DD);
    uint32_t next = rdh + 1;
    if (next * DESC_SIZE >= rdlen) next = 0;
    REG(n, R_RDH) = next;
    if (next == rdh_start || rdh_start >= rdlen / DESC_SIZE) return overrun(n); /* QEMU: RDH wraparound */
    if (offset >= total) break;
  }
  {
    uint32_t with_fcs = frame_len + ETH_FCS_LEN;
    uint32_t bucket = size_counter(RX_SIZE_REGS, total);
    if (bucket) count(n, bucket, 1);
    count(n, REG_TPR, 1);
    count(n, REG_GPRC, 1);
    count64(n, REG_TORL, with_fcs);
    count64(n, REG_GORCL, with_fcs);
    if (is_broadcast(data)) count(n, REG_BPRC, 1);
    else if (data[0] & 1) count(n, REG_MPRC, 1);
    n->st.rx_frames++;
    uint32_t cause = ICR_RXT0, rdh = REG(n, R_RDH), rdt = REG(n, R_RDT);
    if (rdt < rdh) rdt += rdlen / DESC_SIZE;
    uint32_t min_shift = ((rctl & RCTL_RDMTS_MASK) >> RCTL_RDMTS_SHIFT) + 1;
    if ((rdt - rdh) * DESC_SIZE <= rdlen >> min_shift) cause |= ICR_RXDMT0;
    raise_cause(n, cause);
  }
  return 1;
dma_drop:
  n->st.dma_errors++;
  n->st.rx_dropped++;
  return 0;
}

/* ---- MDIC (e1000.ts mdic; SDM §13.4.6) ------------------------------------------------------- */

/* One access to the internal PHY (address 1), complete at once with READY; another address
 * answers ERROR. Writing the MII control register's POWER_DOWN bit powers the PHY down. */
static void mdic(struct lg_softnic *n, int row, uint32_t v) {
  uint32_t op = v & (3u << 26), addr = (v >> MDIC_PHY_SHIFT) & 31, reg = (v >> MDIC_REG_SHIFT) & 31;
  uint32_t out = v & ~(uint32_t)(MDIC_READY | MDIC_ERROR);
  if (addr != PHY_ADDR_INTERNAL || (op != (uint32_t)MDIC_OP_WRITE && op != (uint32_t)MDIC_OP_READ)) {
    out |= MDIC_ERROR;
  } else if (op == (uint32_t)MDIC_OP_WRITE) {
    n->phy[reg] = (uint16_t)(v & MDIC_DATA_MASK);
    if (reg == PHY_REG_CTRL) {
      int powered = (v & MII_CR_POWER_DOWN) == 0;
      if (powered != n->phy_powered) {
        n->phy_powered = powered;
        sn_io_phy(n, powered);
        link_refresh(n);
      }
    }
  } else {
    out = (out & ~(uint32_t)MDIC_DATA_MASK) | n->phy[reg];
  }
  n->reg[row] = out | MDIC_READY;
}

/* ---- register access (e1000.ts read32 / write32) ------------------------------------------- */

static uint32_t read_eerd(struct lg_softnic *n) {
  uint32_t v = REG(n, R_EERD);
  if (!(v & EERD_START)) return v;
  uint32_t r = v & ~(uint32_t)EERD_START, word = r >> EERD_ADDR_SHIFT;
  if (word >= 64) return r | EERD_DONE;
  return ((uint32_t)n->eeprom[word] << EERD_DATA_SHIFT) | EERD_DONE | (r & 0xffff);
}

uint32_t sn_read32(struct lg_softnic *n, uint32_t offset) {
  if (!n || (offset & 3) || offset >= SN_BAR0_SIZE) return 0;
  int r = row_of(offset);
  if (r < 0) return 0;
  const struct sn_regdef *def = &sn_regs[r];
  if (r == R_STATUS) link_refresh(n);
  /* The engine works while software is not looking: after a full socket queue stopped it, a
   * poll of the head finds it moved on. (A walk that ended for another reason — TX disabled,
   * no link, a bogus TDT — is not resumed by a read, as on the model.) */
  if (r == R_TDH && n->tx_waiting) tx_run(n);
  switch (def->access) {
  case SN_RC: {
    uint32_t v = n->reg[r];
    n->reg[r] = 0;
    if (def->also_clears >= 0) n->reg[def->also_clears] = 0;
    return v;
  }
  case SN_WO:
    return def->reads_as >= 0 ? n->reg[def->reads_as] : 0;
  default:
    if (def->effect == SN_EFFECT_EERD) return read_eerd(n);
    return n->reg[r];
  }
}

void sn_write32(struct lg_softnic *n, uint32_t offset, uint32_t value) {
  if (!n || (offset & 3) || offset >= SN_BAR0_SIZE) return;
  int r = row_of(offset);
  if (r < 0) return;
  const struct sn_regdef *def = &sn_regs[r];
  if (def->access == SN_RO || (def->access == SN_RC && def->effect == SN_EFFECT_NONE)) return;
  uint32_t stored = value & def->write_mask & ~def->self_clearing;
  switch (def->effect) {
  case SN_EFFECT_CTRL:
    if (value & CTRL_RST) {
      link_refresh(n);
      reset(n);
      return;
    }
    n->reg[r] = stored;
    return;
  case SN_EFFECT_ICR:
    REG(n, R_ICR) &= ~value;
    return;
  case SN_EFFECT_ICS:
    raise_cause(n, value);
    return;
  case SN_EFFECT_IMS:
    REG(n, R_IMS) |= value;
    return;
  case SN_EFFECT_IMC:
    REG(n, R_IMS) &= ~value;
    return;
  case SN_EFFECT_MDIC:
    mdic(n, r, value);
    return;
  case SN_EFFECT_TCTL:
  case SN_EFFECT_TDT:
    n->reg[r] = stored;
    link_refresh(n);
    tx_run(n);
    return;
  default:
    n->reg[r] = stored;
    return;
  }
}

uint32_t sn_reg(struct lg_softnic *n, uint32_t offset) { return reg_at(n, offset); }
