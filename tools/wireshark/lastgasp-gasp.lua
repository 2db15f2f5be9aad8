-- Wireshark/tshark dissector for the lastgasp gasp and hello (docs/gasp-protocol.md), in both
-- encapsulations: raw Ethernet, EtherType 0x88B5 (IEEE 802 Local Experimental 1), and
-- UDP/IPv4 port 19527. Written from the protocol document, independently of the TypeScript
-- and AssemblyScript code: the tests use it as a second reader of the format.
--
--   tshark -X lua_script:tools/wireshark/lastgasp-gasp.lua -r build/demo/linecard-a.bp0--linecard-b.bp0.pcap -V
--
-- Every field is named (lgasp.*). The MAC is shown; with the chassis key as a preference it
-- is also verified (HMAC-SHA256, RFC 2104, truncated to 128 bits) — lgasp.mac.status Good or
-- Bad, with an expert error for a bad one:
--
--   tshark -X lua_script:tools/wireshark/lastgasp-gasp.lua -o "lgasp.key:$(cat chassis.key)" -r F
--
-- Layout (big-endian): magic u16 0x4C47, version u8, type u8 (1 GASP, 2 HELLO), chassis u32,
-- unit u8, role u8, priority u8, key id u8, boot u32, epoch u32, flags u8 (bit 0 SELF_FENCED,
-- bit 1 EXCERPT_TRUNCATED), cause u8, excerpt length n u8, reserved u8, sequence u64, PC u64,
-- uptime u64 (microseconds), vector u32, excerpt [n], MAC [16] over bytes 0 .. 52+n.

local p = Proto("lgasp", "lastgasp gasp")

local TYPES = { [1] = "GASP", [2] = "HELLO" }
local ROLES = { [0] = "none", [1] = "active", [2] = "standby" }
local CAUSES = {
  [0] = "none", [1] = "trap", [2] = "exception", [3] = "watchdog", [4] = "power-loss",
  [5] = "operator", [6] = "machine check", [7] = "thermal",
}
local MAC_STATUS = { [0] = "Unverified (no key)", [1] = "Good", [2] = "Bad" }

local FIXED, MAC_LEN, EXCERPT_MAX = 52, 16, 64

local f = {
  magic = ProtoField.uint16("lgasp.magic", "Magic", base.HEX),
  version = ProtoField.uint8("lgasp.version", "Version"),
  type = ProtoField.uint8("lgasp.type", "Type", base.DEC, TYPES),
  chassis = ProtoField.uint32("lgasp.chassis", "Chassis id", base.HEX),
  unit = ProtoField.uint8("lgasp.unit", "Unit id"),
  role = ProtoField.uint8("lgasp.role", "Role", base.DEC, ROLES),
  priority = ProtoField.uint8("lgasp.priority", "Priority"),
  key_id = ProtoField.uint8("lgasp.key_id", "Key id"),
  boot = ProtoField.uint32("lgasp.boot", "Boot counter"),
  epoch = ProtoField.uint32("lgasp.epoch", "Epoch"),
  flags = ProtoField.uint8("lgasp.flags", "Flags", base.HEX),
  self_fenced = ProtoField.bool("lgasp.flags.self_fenced", "Self-fenced", 8, nil, 0x01),
  truncated = ProtoField.bool("lgasp.flags.excerpt_truncated", "Excerpt truncated", 8, nil, 0x02),
  cause = ProtoField.uint8("lgasp.cause", "Fault cause", base.DEC, CAUSES),
  excerpt_len = ProtoField.uint8("lgasp.excerpt_len", "Excerpt length"),
  reserved = ProtoField.uint8("lgasp.reserved", "Reserved", base.HEX),
  seq = ProtoField.uint64("lgasp.seq", "Sequence"),
  pc = ProtoField.uint64("lgasp.pc", "Program counter", base.HEX),
  uptime = ProtoField.uint64("lgasp.uptime", "Uptime (us)"),
  vector = ProtoField.uint32("lgasp.vector", "Exception vector", base.HEX),
  excerpt = ProtoField.string("lgasp.excerpt", "Crash excerpt"),
  mac = ProtoField.bytes("lgasp.mac", "MAC (HMAC-SHA256/128)"),
  mac_status = ProtoField.uint8("lgasp.mac.status", "MAC status", base.DEC, MAC_STATUS),
}
p.fields = {
  f.magic, f.version, f.type, f.chassis, f.unit, f.role, f.priority, f.key_id, f.boot, f.epoch,
  f.flags, f.self_fenced, f.truncated, f.cause, f.excerpt_len, f.reserved, f.seq, f.pc, f.uptime,
  f.vector, f.excerpt, f.mac, f.mac_status,
}

local e_short = ProtoExpert.new("lgasp.short", "Message shorter than its fixed part, excerpt and MAC", expert.group.MALFORMED, expert.severity.ERROR)
local e_excerpt = ProtoExpert.new("lgasp.excerpt_len.bad", "Excerpt length over 64", expert.group.MALFORMED, expert.severity.ERROR)
local e_udp_len = ProtoExpert.new("lgasp.udp_len.bad", "UDP payload is not exactly the message", expert.group.MALFORMED, expert.severity.ERROR)
local e_bad_mac = ProtoExpert.new("lgasp.mac.bad", "MAC does not verify with the configured key", expert.group.CHECKSUM, expert.severity.ERROR)
p.experts = { e_short, e_excerpt, e_udp_len, e_bad_mac }

p.prefs.key = Pref.string("Chassis key (hex)", "", "The chassis key in hex (as in a --key-file): the MAC of every message is verified with it")
p.prefs.udp_port = Pref.uint("UDP port", 19527, "The gasp's UDP port (both source and destination)")

-- ---- SHA-256 (FIPS 180-4) and HMAC (RFC 2104), for the MAC check -------------------------
local band, bor, bxor, bnot, rrot, rshift = bit32.band, bit32.bor, bit32.bxor, bit32.bnot, bit32.rrotate, bit32.rshift
local K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

local function sha256(msg)
  local h = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }
  local bits = #msg * 8
  local tail = {}
  for i = 7, 0, -1 do tail[#tail + 1] = string.char(math.floor(bits / 2 ^ (8 * i)) % 256) end
  msg = msg .. "\128" .. string.rep("\0", (55 - #msg) % 64) .. table.concat(tail)
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 0, 15 do
      local a, b, c, d = msg:byte(chunk + 4 * i, chunk + 4 * i + 3)
      w[i] = ((a * 256 + b) * 256 + c) * 256 + d
    end
    for i = 16, 63 do
      local s0 = bxor(rrot(w[i - 15], 7), rrot(w[i - 15], 18), rshift(w[i - 15], 3))
      local s1 = bxor(rrot(w[i - 2], 17), rrot(w[i - 2], 19), rshift(w[i - 2], 10))
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) % 2 ^ 32
    end
    local a, b, c, d, e, f_, g, hh = h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
    for i = 0, 63 do
      local S1 = bxor(rrot(e, 6), rrot(e, 11), rrot(e, 25))
      local ch = bxor(band(e, f_), band(bnot(e), g))
      local t1 = (hh + S1 + ch + K[i + 1] + w[i]) % 2 ^ 32
      local S0 = bxor(rrot(a, 2), rrot(a, 13), rrot(a, 22))
      local maj = bxor(band(a, b), band(a, c), band(b, c))
      local t2 = (S0 + maj) % 2 ^ 32
      hh, g, f_, e, d, c, b, a = g, f_, e, (d + t1) % 2 ^ 32, c, b, a, (t1 + t2) % 2 ^ 32
    end
    h[1], h[2], h[3], h[4] = (h[1] + a) % 2 ^ 32, (h[2] + b) % 2 ^ 32, (h[3] + c) % 2 ^ 32, (h[4] + d) % 2 ^ 32
    h[5], h[6], h[7], h[8] = (h[5] + e) % 2 ^ 32, (h[6] + f_) % 2 ^ 32, (h[7] + g) % 2 ^ 32, (h[8] + hh) % 2 ^ 32
  end
  local out = {}
  for i = 1, 8 do
    out[#out + 1] = string.char(rshift(h[i], 24), band(rshift(h[i], 16), 255), band(rshift(h[i], 8), 255), band(h[i], 255))
  end
  return table.concat(out)
end

local function hmac_sha256(key, msg)
  if #key > 64 then key = sha256(key) end
  key = key .. string.rep("\0", 64 - #key)
  local ipad, opad = {}, {}
  for i = 1, 64 do
    local k = key:byte(i)
    ipad[i] = string.char(bxor(k, 0x36))
    opad[i] = string.char(bxor(k, 0x5c))
  end
  return sha256(table.concat(opad) .. sha256(table.concat(ipad) .. msg))
end

local function key_bytes()
  local hex = (p.prefs.key or ""):gsub("%s", "")
  if hex == "" or #hex % 2 == 1 or hex:find("[^0-9a-fA-F]") then return nil end
  return (hex:gsub("..", function(x) return string.char(tonumber(x, 16)) end))
end

-- ---- the message ---------------------------------------------------------------------------
local function dissect(tvb, pinfo, tree, udp)
  if tvb:len() < 4 or tvb(0, 2):uint() ~= 0x4C47 then return 0 end
  pinfo.cols.protocol = "LGASP"
  local t = tree:add(p, tvb(), "lastgasp gasp")
  t:add(f.magic, tvb(0, 2))
  t:add(f.version, tvb(2, 1))
  local typ = tvb(3, 1):uint()
  t:add(f.type, tvb(3, 1))
  if tvb:len() < FIXED then
    t:add_proto_expert_info(e_short)
    pinfo.cols.info = (TYPES[typ] or "?") .. " (short)"
    return tvb:len()
  end
  t:add(f.chassis, tvb(4, 4))
  t:add(f.unit, tvb(8, 1))
  t:add(f.role, tvb(9, 1))
  t:add(f.priority, tvb(10, 1))
  t:add(f.key_id, tvb(11, 1))
  t:add(f.boot, tvb(12, 4))
  t:add(f.epoch, tvb(16, 4))
  local fl = t:add(f.flags, tvb(20, 1))
  fl:add(f.self_fenced, tvb(20, 1))
  fl:add(f.truncated, tvb(20, 1))
  t:add(f.cause, tvb(21, 1))
  local n = tvb(22, 1):uint()
  local nitem = t:add(f.excerpt_len, tvb(22, 1))
  t:add(f.reserved, tvb(23, 1))
  t:add(f.seq, tvb(24, 8))
  t:add(f.pc, tvb(32, 8))
  t:add(f.uptime, tvb(40, 8))
  t:add(f.vector, tvb(48, 4))
  local info = string.format("%s unit %d boot %d seq %s", TYPES[typ] or ("type " .. typ), tvb(8, 1):uint(), tvb(12, 4):uint(), tostring(tvb(24, 8):uint64()))
  if typ == 1 then info = info .. " cause " .. (CAUSES[tvb(21, 1):uint()] or tvb(21, 1):uint()) end
  pinfo.cols.info = info
  if n > EXCERPT_MAX then
    nitem:add_proto_expert_info(e_excerpt)
    return tvb:len()
  end
  local total = FIXED + n + MAC_LEN
  if tvb:len() < total then
    t:add_proto_expert_info(e_short)
    return tvb:len()
  end
  if udp and tvb:len() ~= total then t:add_proto_expert_info(e_udp_len) end
  if n > 0 then t:add(f.excerpt, tvb(FIXED, n)) end
  t:add(f.mac, tvb(FIXED + n, MAC_LEN))
  local key = key_bytes()
  local status = 0
  if key then
    local want = hmac_sha256(key, tvb:raw(0, FIXED + n)):sub(1, MAC_LEN)
    status = (want == tvb:raw(FIXED + n, MAC_LEN)) and 1 or 2
  end
  local st = t:add(f.mac_status, status):set_generated()
  if status == 2 then st:add_proto_expert_info(e_bad_mac) end
  return total
end

local raw = Proto("lgasp.raw", "lastgasp gasp (raw 0x88B5)")
function raw.dissector(tvb, pinfo, tree) return dissect(tvb, pinfo, tree, false) end
local udp = Proto("lgasp.udp", "lastgasp gasp (UDP)")
function udp.dissector(tvb, pinfo, tree) return dissect(tvb, pinfo, tree, true) end

DissectorTable.get("ethertype"):add(0x88B5, raw)
local udp_table = DissectorTable.get("udp.port")
local current = p.prefs.udp_port
udp_table:add(current, udp)
function p.prefs_changed()
  if p.prefs.udp_port ~= current then
    udp_table:remove(current, udp)
    current = p.prefs.udp_port
    udp_table:add(current, udp)
  end
end
