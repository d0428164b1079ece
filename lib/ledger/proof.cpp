// Offline proof checking (RFC 9162 §2.1.3.2 and §2.1.4.2 via merkle.h).
#include <hc/ledger/proof.h>

#include <hc/core/error.h>
#include <hc/ledger/format.h>

#include <fmt/format.h>

namespace hc::ledger {
namespace {

using json::Value;

[[noreturn]] void invalid(const std::string& why) { throw Error(Exit::invalid, "proof does not verify: " + why); }

uint64_t get_uint(const Value& v, const char* key) {
  const Value& x = json::require(v, key);
  if (!x.is_number_unsigned()) throw Error(Exit::data, "must be a non-negative integer").field(key);
  return x.get<uint64_t>();
}

Hash get_hash(const Value& v, const char* key) { return hash_from_hex(json::require_string(v, key), key); }

std::vector<Hash> get_path(const Value& v, const char* key) {
  const Value& a = json::require(v, key);
  if (!a.is_array()) throw Error(Exit::data, "must be an array of hex hashes").field(key);
  if (a.size() > 128) throw Error(Exit::data, "longer than 128 hashes").field(key);
  std::vector<Hash> out;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string()) throw Error(Exit::data, "must be a hex hash").field(fmt::format("{}[{}]", key, i));
    out.push_back(hash_from_hex(a[i].get<std::string>(), fmt::format("{}[{}]", key, i)));
  }
  return out;
}

Header header_of(const Value& v) {
  // Either {"header":{...},"sig":...} or a bare header object.
  if (v.is_object() && v.contains("header")) return SignedHeader::from_json(v).header;
  return Header::from_json(v);
}

/// True if `h` is the trusted block.
bool trusted(const Header& h, const Trust& t, const Header* trusted_header) {
  if (t.block_hash && *t.block_hash == to_hex(h.hash())) return true;
  if (trusted_header && trusted_header->canonical() == h.canonical()) return true;
  return false;
}

}  // namespace

json::Value check_proof(const json::Value& p, const Trust& trust) {
  if (!trust.block_hash && !trust.header)
    throw Error(Exit::usage, "nothing trusted to check the proof against").hint("give --trusted-hash HEX or --trusted-header FILE");
  if (trust.block_hash) hash_from_hex(*trust.block_hash, "trusted hash");
  std::optional<Header> th;
  if (trust.header) th = header_of(*trust.header);
  if (!p.is_object()) throw Error(Exit::data, "a proof must be a JSON object");

  if (p.contains("tx_id")) {
    Hash id = get_hash(p, "tx_id");
    uint64_t height = get_uint(p, "height"), idx = get_uint(p, "leaf_index"), size = get_uint(p, "tree_size");
    Hash root = get_hash(p, "root");
    Header h = Header::from_json(json::require(p, "header"));
    SignedHeader head = SignedHeader::from_json(json::require(p, "head"));
    if (h.height != height) invalid("the header is not at the proof's height");
    if (h.tx_root != root) invalid("root is not the header's tx_root");
    if (h.tx_count != size) invalid("tree_size is not the header's tx_count");
    if (!merkle::verify_inclusion(merkle::leaf_hash(id), idx, size, get_path(p, "audit_path"), root))
      invalid("the audit path does not lead from the transaction to the block's root");
    // The block, in the history tree of the head.
    uint64_t hidx = get_uint(p, "history_index"), hsize = get_uint(p, "history_size");
    if (hidx != h.height || hsize != head.header.height) invalid("history_index/history_size do not match the headers");
    if (h.height == head.header.height) {
      if (h.canonical() != head.header.canonical()) invalid("the head is not the block");
    } else if (!merkle::verify_inclusion(merkle::leaf_hash(h.hash()), hidx, hsize, get_path(p, "history_path"),
                                         head.header.history_root)) {
      invalid("the history path does not lead from the block to the head's history root");
    }
    if (h.chain != head.header.chain) invalid("the block and the head belong to different chains");
    if (!trusted(head.header, trust, th ? &*th : nullptr) && !trusted(h, trust, th ? &*th : nullptr))
      invalid("neither the head nor the block is the trusted one");
    return Value{{"ok", true}, {"kind", "inclusion"}, {"tx_id", to_hex(id)}, {"height", height},
                 {"head", to_hex(head.header.hash())}, {"head_height", head.header.height}};
  }
  if (p.contains("consistency_path")) {
    uint64_t first = get_uint(p, "first"), second = get_uint(p, "second");
    Hash r1 = get_hash(p, "first_root"), r2 = get_hash(p, "second_root");
    if (!merkle::verify_consistency(first, second, r1, r2, get_path(p, "consistency_path")))
      invalid("the consistency path does not link the two history roots");
    std::optional<Header> a, b;
    if (p.contains("first_header")) a = header_of(p["first_header"]);
    if (p.contains("second_header")) b = header_of(p["second_header"]);
    if (a && (a->height != first || a->history_root != r1)) invalid("first_header does not carry first_root at height first");
    if (b && (b->height != second || b->history_root != r2)) invalid("second_header does not carry second_root at height second");
    bool anchored = (b && trusted(*b, trust, th ? &*th : nullptr)) || (a && trusted(*a, trust, th ? &*th : nullptr));
    if (!anchored && th && ((th->height == second && th->history_root == r2) || (th->height == first && th->history_root == r1)))
      anchored = true;
    if (!anchored) invalid("neither header is the trusted one");
    return Value{{"ok", true}, {"kind", "consistency"}, {"first", first}, {"second", second}};
  }
  throw Error(Exit::data, "not a proof (no tx_id or consistency_path member)");
}

}  // namespace hc::ledger
