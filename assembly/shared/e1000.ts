// Intel 8254x (e1000) and i210/igb register offsets, bit fields and legacy descriptor layouts.
// Portable (asc + tsc): the core's ring code and the host's NIC model both use these.
//
// Sources: Intel 8254x Family of Gigabit Ethernet Controllers Software Developer's Manual
// (SDM) §13 (registers) and §3.2-3.3 (descriptors); Linux drivers/net/ethernet/intel/e1000/
// e1000_hw.h; QEMU hw/net/e1000_regs.h. i210: Intel Ethernet Controller I210 datasheet §8.
// All registers are 32-bit, little-endian, at byte offsets in BAR0.

// ---- general (SDM §13.4.1-13.4.2) ----
export const REG_CTRL = 0x0000;
export const REG_STATUS = 0x0008;
export const REG_EECD = 0x0010;
export const REG_CTRL_EXT = 0x0018;

export const CTRL_FD = 1 << 0;
export const CTRL_LRST = 1 << 3;
export const CTRL_ASDE = 1 << 5;
export const CTRL_SLU = 1 << 6; // set link up
export const CTRL_RST = 1 << 26; // device reset, self-clearing

// MDI control (SDM §13.4.6 MDIC; I210 §8.2.4): one PHY register read or write through the MAC.
// The carrier drop powers the PHY down (PHY control register, bit 11: IEEE 802.3 22.2.4.1.5),
// which takes the link down at the partner's end too; CTRL.SLU only tells the MAC to ignore
// the link and leaves the partner with carrier.
export const REG_MDIC = 0x0020;
export const MDIC_DATA_MASK = 0xffff;
export const MDIC_REG_SHIFT = 16;
export const MDIC_PHY_SHIFT = 21;
export const MDIC_OP_WRITE = 1 << 26;
export const MDIC_OP_READ = 2 << 26;
export const MDIC_READY = 1 << 28;
export const MDIC_ERROR = 1 << 30;
export const PHY_ADDR_INTERNAL = 1; // the internal PHY's MDIO address (8254x, I210)
export const PHY_REG_CTRL = 0; // MII control
export const MII_CR_POWER_DOWN = 0x0800;
export const PHY_CTRL_RESET_VALUE = 0x1140; // auto-negotiation enable, full duplex, speed 1000 (MSB)

export const STATUS_FD = 1 << 0;
export const STATUS_LU = 1 << 1; // link up
export const STATUS_TXOFF = 1 << 4;
export const STATUS_SPEED_1000 = 2 << 6;
export const STATUS_SPEED_MASK = 3 << 6;

// ---- interrupts (SDM §13.4.17-13.4.21) ----
export const REG_ICR = 0x00c0; // read clears
export const REG_ITR = 0x00c4;
export const REG_ICS = 0x00c8;
export const REG_IMS = 0x00d0;
export const REG_IMC = 0x00d8;

export const ICR_TXDW = 1 << 0; // TX descriptor written back
export const ICR_TXQE = 1 << 1; // TX queue empty
export const ICR_LSC = 1 << 2; // link status change
export const ICR_RXDMT0 = 1 << 4; // RX descriptor minimum threshold
export const ICR_RXO = 1 << 6; // receiver overrun
export const ICR_RXT0 = 1 << 7; // receiver timer (frame received)

// ---- receive (SDM §13.4.22-13.4.30) ----
export const REG_RCTL = 0x0100;
export const RCTL_EN = 1 << 1;
export const RCTL_SBP = 1 << 2;
export const RCTL_UPE = 1 << 3; // unicast promiscuous
export const RCTL_MPE = 1 << 4; // multicast promiscuous
export const RCTL_LPE = 1 << 5;
export const RCTL_RDMTS_HALF = 0 << 8;
export const RCTL_MO_SHIFT = 12;
export const RCTL_BAM = 1 << 15; // accept broadcast
export const RCTL_BSIZE_2048 = 0 << 16;
export const RCTL_SECRC = 1 << 26; // strip CRC

export const REG_RDBAL = 0x2800;
export const REG_RDBAH = 0x2804;
export const REG_RDLEN = 0x2808;
export const REG_RDH = 0x2810;
export const REG_RDT = 0x2818;
export const REG_RDTR = 0x2820;
export const REG_RXDCTL = 0x2828;

// ---- transmit (SDM §13.4.33-13.4.44) ----
export const REG_TCTL = 0x0400;
export const TCTL_EN = 1 << 1;
export const TCTL_PSP = 1 << 3; // pad short packets
export const TCTL_CT_SHIFT = 4;
export const TCTL_COLD_SHIFT = 12;
export const REG_TIPG = 0x0410;

export const REG_TDBAL = 0x3800;
export const REG_TDBAH = 0x3804;
export const REG_TDLEN = 0x3808;
export const REG_TDH = 0x3810;
export const REG_TDT = 0x3818;
export const REG_TIDV = 0x3820;
export const REG_TXDCTL = 0x3828;

// Write masks of the ring registers (QEMU hw/net/e1000.c mac_reg write handlers): TDLEN/RDLEN
// are multiples of 128 bytes (8 descriptors), heads/tails 16 bits, base addresses 16-byte
// aligned.
export const DLEN_MASK = 0x000fff80;
export const HEAD_TAIL_MASK = 0x0000ffff;
export const BASE_LO_MASK = ~0xf;

// ---- address filtering (SDM §13.4.25, 13.5.1) ----
export const REG_MTA = 0x5200; // 128 x 32-bit multicast table
export const MTA_WORDS = 128;
export const REG_RAL0 = 0x5400;
export const REG_RAH0 = 0x5404;
export const RAH_AV = 1 << 31; // address valid
export const RA_ENTRIES = 16;

// ---- statistics, clear on read (SDM §13.7) ----
export const REG_CRCERRS = 0x4000;
export const REG_MPC = 0x4010; // missed packets
export const REG_RNBC = 0x40a0; // receive no buffers
export const REG_GPRC = 0x4074; // good packets received
export const REG_GPTC = 0x4080; // good packets transmitted
export const REG_GORCL = 0x4088;
export const REG_GOTCL = 0x4090;
export const REG_TPR = 0x40d0; // total packets received
export const REG_TPT = 0x40d4; // total packets transmitted
export const REG_STATS_END = 0x4100; // end of the statistics block (CRCERRS 0x4000 .. TSCTFC 0x40FC)

// ---- i210 multi-queue TX (I210 datasheet §8.12.10-8.12.16; igb e1000_regs.h) ----
// The i210 has I210_TX_QUEUES queues; queue n's registers sit at 0x3800 + 0x100*n (aliased at
// 0xE000 + 0x40*n, below), each register at the same offset from its queue base as on the
// e1000 (TDBAH +4, TDLEN +8, TDH +0x10, ...).
export const I210_TX_QUEUES = 4;
export const TXDCTL_QUEUE_ENABLE = 1 << 25; // must read back set before use
export const TXQ_OFF_TDBAL = 0x00;
export const TXQ_OFF_TDBAH = 0x04;
export const TXQ_OFF_TDLEN = 0x08;
export const TXQ_OFF_TDH = 0x10;
export const TXQ_OFF_TDT = 0x18;
export const TXQ_OFF_TXDCTL = 0x28;

/** Base of TX queue n's register block (n < I210_TX_QUEUES). */
export function txQueueBase(n: i32): i32 {
  return 0x3800 + 0x100 * n;
}

// ---- legacy descriptors (SDM §3.2.3 RX, §3.3.3 TX): 16 bytes, little-endian ----
export const DESC_SIZE = 16;

export const TXD_OFF_ADDR = 0; // u64 buffer address
export const TXD_OFF_LENGTH = 8; // u16
export const TXD_OFF_CSO = 10; // u8
export const TXD_OFF_CMD = 11; // u8
export const TXD_OFF_STA = 12; // u8 (low nibble status, high nibble reserved)
export const TXD_OFF_CSS = 13; // u8
export const TXD_OFF_SPECIAL = 14; // u16

export const TXD_CMD_EOP = 1 << 0; // end of packet
export const TXD_CMD_IFCS = 1 << 1; // insert FCS
export const TXD_CMD_IC = 1 << 2;
export const TXD_CMD_RS = 1 << 3; // report status (DD write-back)
export const TXD_CMD_RPS = 1 << 4; // report packet sent (82544 only)
export const TXD_CMD_DEXT = 1 << 5; // extended descriptor (not legacy)
export const TXD_CMD_VLE = 1 << 6;
export const TXD_CMD_IDE = 1 << 7;
export const TXD_STA_DD = 1 << 0; // descriptor done
export const TXD_STA_EC = 1 << 1;
export const TXD_STA_LC = 1 << 2;
export const TXD_STA_TU = 1 << 3;

export const RXD_OFF_ADDR = 0; // u64 buffer address
export const RXD_OFF_LENGTH = 8; // u16
export const RXD_OFF_CSUM = 10; // u16
export const RXD_OFF_STATUS = 12; // u8
export const RXD_OFF_ERRORS = 13; // u8
export const RXD_OFF_SPECIAL = 14; // u16

export const RXD_STA_DD = 1 << 0;
export const RXD_STA_EOP = 1 << 1;
export const RXD_STA_IXSM = 1 << 2;
export const RXD_STA_VP = 1 << 3;
export const RXD_ERR_CE = 1 << 0;
export const RXD_ERR_RXE = 1 << 7;

// ---- added for the NIC model (issue 3); the core may use them too ----

// Reset values QEMU loads (hw/net/e1000.c mac_reg_init): CTRL = SWDPIN2 | SWDPIN0 |
// SPD_1000 | SLU; STATUS = 0x80000000 | GIO_MASTER_ENABLE | ASDV | MTXCKOK | SPEED_1000 |
// FD | LU, which a real 82540EM under QEMU 7.2 reads back as 0x80080783.
export const CTRL_SPD_1000 = 1 << 9;
export const CTRL_SWDPIN0 = 1 << 18;
export const CTRL_SWDPIN2 = 1 << 20;
export const CTRL_VME = 1 << 30;
export const STATUS_ASDV = 3 << 8; // auto-speed detect value field; QEMU sets both bits
export const STATUS_MTXCKOK = 1 << 10;
export const STATUS_GIO_MASTER_ENABLE = 1 << 19;
export const CTRL_RESET_VALUE = CTRL_SWDPIN2 | CTRL_SWDPIN0 | CTRL_SPD_1000 | CTRL_SLU;
export const STATUS_RESET_VALUE = (1 << 31) | STATUS_GIO_MASTER_ENABLE | STATUS_ASDV | STATUS_MTXCKOK | STATUS_SPEED_1000 | STATUS_FD | STATUS_LU;

// EEPROM read register (SDM §13.4.4): write START | word << 8, poll DONE, data in 31:16.
export const REG_EERD = 0x0014;
export const EERD_START = 1 << 0;
export const EERD_DONE = 1 << 4;
export const EERD_ADDR_SHIFT = 8;
export const EERD_DATA_SHIFT = 16;
export const REG_VET = 0x0038; // VLAN EtherType, QEMU resets it to 0x8100
export const REG_LEDCTL = 0x0e00;
export const REG_PBA = 0x1000; // packet buffer allocation, reset 0x00100030

// More interrupt causes (SDM §13.4.17).
export const ICR_RXSEQ = 1 << 3;
export const ICR_MDAC = 1 << 9;

// Receive control fields (SDM §13.4.22).
export const RCTL_RDMTS_SHIFT = 8; // free-descriptor threshold: 0 = 1/2, 1 = 1/4, 2 = 1/8 of the ring
export const RCTL_RDMTS_MASK = 3 << 8;
export const RCTL_MO_MASK = 3 << 12; // multicast offset: which 12 address bits index the MTA
export const RCTL_BSIZE_SHIFT = 16;
export const RCTL_BSIZE_MASK = 3 << 16;
export const RCTL_BSEX = 1 << 25; // buffer size x16
export const REG_RADV = 0x282c;
export const REG_RXCSUM = 0x5000;
export const REG_TADV = 0x382c;

// Extended/advanced TX descriptors (SDM §3.3.4-3.3.7; I210 §7.2.2.2): with CMD.DEXT set,
// bit 20 of the command dword (bit 4 of byte 10) selects data (1) or context (0). The igb
// advanced data descriptor (DTYP 0011) has that bit set too, and keeps EOP/IFCS/RS/DEXT and
// the 16-bit length where the legacy descriptor has them, and DD at bit 0 of byte 12.
export const TXD_OFF_DTYP = 10;
export const TXD_DTYP_DATA = 1 << 4; // in byte 10

// Statistics (SDM §13.7), all clear on read; 64-bit pairs clear when the high half is read.
export const REG_PRC64 = 0x405c;
export const REG_PRC127 = 0x4060;
export const REG_PRC255 = 0x4064;
export const REG_PRC511 = 0x4068;
export const REG_PRC1023 = 0x406c;
export const REG_PRC1522 = 0x4070;
export const REG_BPRC = 0x4078;
export const REG_MPRC = 0x407c;
export const REG_GORCH = 0x408c;
export const REG_GOTCH = 0x4094;
export const REG_RUC = 0x40a4;
export const REG_ROC = 0x40ac;
export const REG_TORL = 0x40c0;
export const REG_TORH = 0x40c4;
export const REG_TOTL = 0x40c8;
export const REG_TOTH = 0x40cc;
export const REG_PTC64 = 0x40d8;
export const REG_PTC127 = 0x40dc;
export const REG_PTC255 = 0x40e0;
export const REG_PTC511 = 0x40e4;
export const REG_PTC1023 = 0x40e8;
export const REG_PTC1522 = 0x40ec;
export const REG_MPTC = 0x40f0;
export const REG_BPTC = 0x40f4;

export const REG_VFTA = 0x5600; // 128 x 32-bit VLAN filter table
export const REG_RA_END = REG_RAL0 + 8 * RA_ENTRIES;

// i210 RX queue 0 (I210 datasheet §8.10.4-8.10.9): RDBAL..RXDCTL also live at 0xC000 +
// 0x40*n, aliased at the classic 0x2800 offsets; RDH is read-only, RDT writes are ignored
// while RXDCTL.ENABLE (bit 25, as TXDCTL's) is clear, and the queue receives only with it set.
export const I210_RXQ_ALT_BASE = 0xc000;
export const I210_RXDCTL_RESET = 0x00010a0c; // PTHRESH 0xC, HTHRESH 0xA, WTHRESH 1

// i210: each TX queue's registers also live at 0xE000 + 0x40*n (I210 datasheet §8.12.10:
// "for queues 0-3, these registers are aliased to 0x3800 + 0x100*n"). On the i210, TDH is
// read-only, and setting TXDCTL.ENABLE zeroes the queue's TDH and TDT (§8.12.15); the
// enable bit reads back set only once the queue is running, and clear only once it stopped.
export const I210_TXQ_ALT_BASE = 0xe000;
export const I210_TXQ_ALT_STRIDE = 0x40;
export const TXDCTL_SWFLSH = 1 << 26;

// ---- values the core's ring code programs (SDM §14.5 transmit / §14.4 receive initialisation) ----
// TCTL.CT (collision threshold) 0x0F and TCTL.COLD 0x40 (full duplex): SDM §14.5 recommended
// values, as Linux e1000_configure_tx (E1000_COLLISION_THRESHOLD, E1000_COLLISION_DISTANCE).
export const TCTL_CT_DEFAULT = 0x0f << TCTL_CT_SHIFT;
export const TCTL_COLD_FD = 0x40 << TCTL_COLD_SHIFT;
// TIPG for copper (SDM §13.4.34, table 13-77): IPGT 10, IPGR1 8, IPGR2 6.
export const TIPG_COPPER = 10 | (8 << 10) | (6 << 20);
// RXDCTL.QUEUE_ENABLE on i210 (datasheet §8.10.11), the same bit as TXDCTL's.
export const RXDCTL_QUEUE_ENABLE = 1 << 25;

// Receive address n (SDM §13.4.28): RAL(n) = 0x5400 + 8n, RAH(n) = 0x5404 + 8n.
export const REG_RAL1 = 0x5408;
export const REG_RAH1 = 0x540c;

// RX descriptor error bits (SDM §3.2.3.2) that mean "this frame is bad". TCPE/IPE only report
// checksum-offload results (RXCSUM), which the core does not enable.
export const RXD_ERR_SE = 1 << 1; // symbol error
export const RXD_ERR_SEQ = 1 << 2; // sequence error
export const RXD_ERR_CXE = 1 << 4; // carrier extension error
export const RXD_ERR_TCPE = 1 << 5;
export const RXD_ERR_IPE = 1 << 6;
export const RXD_ERR_FRAME = RXD_ERR_CE | RXD_ERR_SE | RXD_ERR_SEQ | RXD_ERR_CXE | RXD_ERR_RXE;
