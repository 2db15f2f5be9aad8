// Just enough DNS (RFC 1035 §4.1) for the simulation's UDP service: a query for one A record
// and an answer naming the server that gave it, so that captures of the service on port 53
// dissect as DNS (and show which back end answered).

const NAME = Uint8Array.of(2, 0x6c, 0x62, 7, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0); // lb.example.
const QTYPE_A = 1;
const QCLASS_IN = 1;

/** A standard query (RD) with id for lb.example. IN A. */
export function dnsQuery(id: number): Uint8Array {
  const q = new Uint8Array(12 + NAME.length + 4);
  const v = new DataView(q.buffer);
  v.setUint16(0, id & 0xffff);
  v.setUint16(2, 0x0100); // RD
  v.setUint16(4, 1); // QDCOUNT
  q.set(NAME, 12);
  v.setUint16(12 + NAME.length, QTYPE_A);
  v.setUint16(14 + NAME.length, QCLASS_IN);
  return q;
}

/** The answer to a query dnsQuery() built: the question echoed, one A record = addr. Null for anything else. */
export function dnsAnswer(query: Uint8Array, addr: Uint8Array): Uint8Array | null {
  const qlen = 12 + NAME.length + 4;
  if (query.length !== qlen || query[4] !== 0 || query[5] !== 1 || (query[2] & 0x80) !== 0) return null;
  const a = new Uint8Array(qlen + 16);
  a.set(query);
  const v = new DataView(a.buffer);
  v.setUint16(2, 0x8180); // response, RD, RA, no error
  v.setUint16(6, 1); // ANCOUNT
  const o = qlen;
  v.setUint16(o, 0xc00c); // the name: a pointer to the question's (RFC 1035 §4.1.4)
  v.setUint16(o + 2, QTYPE_A);
  v.setUint16(o + 4, QCLASS_IN);
  v.setUint32(o + 6, 60); // TTL
  v.setUint16(o + 10, 4);
  a.set(addr, o + 12);
  return a;
}
