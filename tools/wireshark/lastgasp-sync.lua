-- Wireshark/tshark dissector for lastgasp's config-sync segments (UDP port 50613), written
-- from docs/config-sync.md, independently of the TypeScript code: the tests use it as a
-- second reader of the format (fields and CRC-32).
--
--   tshark -X lua_script:tools/wireshark/lastgasp-sync.lua -r build/sync-demo.pcap -V
--
-- Layout (big-endian): magic u16 0x4C53, version u8, type u8 (1 DATA, 2 ACK), flags u8
-- (bit0 MORE, bit1 FIRST), reserved u8, session u16, seq/ack u32, sack u32, length u16,
-- reserved u16, crc32 u32 (over the segment with this field zero), payload.

local p = Proto("lgsync", "lastgasp config sync")

local TYPES = { [1] = "DATA", [2] = "ACK" }
local MSGS = {
  [1] = "DUMP_BEGIN", [2] = "DUMP_DATA", [3] = "DIFF", [4] = "COMPAT", [5] = "CONFIG_BEGIN",
  [6] = "CONFIG_DATA", [7] = "VERIFY", [8] = "RESULT", [9] = "CMD", [10] = "CMD_ACK",
  [11] = "VERIFY_REQ", [12] = "ABORT",
}

local f = {
  magic = ProtoField.uint16("lgsync.magic", "Magic", base.HEX),
  version = ProtoField.uint8("lgsync.version", "Version"),
  type = ProtoField.uint8("lgsync.type", "Type", base.DEC, TYPES),
  flags = ProtoField.uint8("lgsync.flags", "Flags", base.HEX),
  more = ProtoField.bool("lgsync.flags.more", "More", 8, nil, 0x01),
  first = ProtoField.bool("lgsync.flags.first", "First", 8, nil, 0x02),
  session = ProtoField.uint16("lgsync.session", "Session"),
  seq = ProtoField.uint32("lgsync.seq", "Sequence number"),
  ack = ProtoField.uint32("lgsync.ack", "Next expected"),
  sack = ProtoField.uint32("lgsync.sack", "Selective ack", base.HEX),
  length = ProtoField.uint16("lgsync.length", "Payload length"),
  crc = ProtoField.uint32("lgsync.crc", "CRC-32", base.HEX),
  crc_status = ProtoField.uint8("lgsync.crc.status", "CRC-32 status", base.DEC, { [1] = "Good", [2] = "Bad" }),
  msg = ProtoField.uint8("lgsync.msg", "Message", base.DEC, MSGS),
  payload = ProtoField.bytes("lgsync.payload", "Payload"),
}
p.fields = { f.magic, f.version, f.type, f.flags, f.more, f.first, f.session, f.seq, f.ack, f.sack, f.length, f.crc, f.crc_status, f.msg, f.payload }

local e_bad_crc = ProtoExpert.new("lgsync.crc.bad", "Bad CRC-32", expert.group.CHECKSUM, expert.severity.ERROR)
local e_short = ProtoExpert.new("lgsync.short", "Segment shorter than its header or length", expert.group.MALFORMED, expert.severity.ERROR)
p.experts = { e_bad_crc, e_short }

local band, bxor, rshift = bit32.band, bit32.bxor, bit32.rshift
local TABLE = {}
for n = 0, 255 do
  local c = n
  for _ = 1, 8 do
    if band(c, 1) == 1 then c = bxor(0xEDB88320, rshift(c, 1)) else c = rshift(c, 1) end
  end
  TABLE[n] = c
end

local function crc32(bytes, skip_from, skip_to)
  local c = 0xFFFFFFFF
  for i = 0, bytes:len() - 1 do
    local b = bytes:get_index(i)
    if i >= skip_from and i < skip_to then b = 0 end
    c = bxor(TABLE[band(bxor(c, b), 0xFF)], rshift(c, 8))
  end
  return bxor(c, 0xFFFFFFFF)
end

function p.dissector(tvb, pinfo, tree)
  if tvb:len() < 24 or tvb(0, 2):uint() ~= 0x4C53 then return 0 end
  pinfo.cols.protocol = "LGSYNC"
  local t = tree:add(p, tvb(), "lastgasp config sync")
  local typ = tvb(3, 1):uint()
  local len = tvb(16, 2):uint()
  t:add(f.magic, tvb(0, 2))
  t:add(f.version, tvb(2, 1))
  t:add(f.type, tvb(3, 1))
  local fl = t:add(f.flags, tvb(4, 1))
  fl:add(f.more, tvb(4, 1))
  fl:add(f.first, tvb(4, 1))
  t:add(f.session, tvb(6, 2))
  if typ == 2 then t:add(f.ack, tvb(8, 4)) else t:add(f.seq, tvb(8, 4)) end
  t:add(f.sack, tvb(12, 4))
  t:add(f.length, tvb(16, 2))
  t:add(f.crc, tvb(20, 4))
  local good = crc32(tvb:bytes(), 20, 24) == tvb(20, 4):uint()
  local st = t:add(f.crc_status, good and 1 or 2):set_generated()
  if not good then st:add_proto_expert_info(e_bad_crc) end
  if 24 + len ~= tvb:len() then
    t:add_proto_expert_info(e_short)
    return tvb:len()
  end
  local info = (TYPES[typ] or "?") .. " session " .. tvb(6, 2):uint()
  if typ == 2 then
    info = info .. " ack " .. tvb(8, 4):uint()
  else
    info = info .. " seq " .. tvb(8, 4):uint()
    if len > 0 then
      if band(tvb(4, 1):uint(), 2) ~= 0 then
        t:add(f.msg, tvb(24, 1))
        info = info .. " " .. (MSGS[tvb(24, 1):uint()] or "?")
      end
      t:add(f.payload, tvb(24, len))
    end
  end
  pinfo.cols.info = info
  return tvb:len()
end

DissectorTable.get("udp.port"):add(50613, p)
