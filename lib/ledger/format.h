// The ledger's wire and storage formats (hc-formats(5), LEDGER): signed
// transactions, block headers, blocks and the genesis document. Parsing here
// is stateless and strict; rules that need the chain's state are in state.h.
#pragma once

#include <hc/consensus/evidence.h>
#include <hc/crypto/crypto.h>
#include <hc/json/json.h>
#include <hc/ledger/merkle.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hc::keys {
struct SecretKey;
}

namespace hc::ledger {

using Hash = crypto::Hash256;

/// Bounds of the format (the chain parameters may lower the first two).
inline constexpr size_t k_max_tx_bytes = 64u << 10;      ///< one canonical transaction
inline constexpr size_t k_max_block_txs = 100000;        ///< transactions in one block
inline constexpr size_t k_max_line_bytes = 64u << 20;    ///< one exported block line
inline constexpr unsigned k_max_depth = 16;              ///< JSON nesting in a transaction

/// Domain-separation prefixes of the two signed messages.
inline constexpr std::string_view k_tx_context = "hc-ledger/tx/v1\n";
inline constexpr std::string_view k_block_context = "hc-ledger/block/v1\n";

/// Seconds since 1970 of a strict RFC 3339 UTC time "YYYY-MM-DDTHH:MM:SSZ".
/// Throws Error{data} naming `field`.
int64_t parse_time(std::string_view text, std::string_view field);
std::string format_time(int64_t seconds);

/// Lowercase hex of a hash, and back (Error{data} naming `field`).
std::string to_hex(const Hash& h);
Hash hash_from_hex(std::string_view text, std::string_view field);
/// True for a key ID / patient public ID: 16 lowercase hex digits.
bool is_key_id(std::string_view s);

/// A signed transaction.
///   wire/storage form: canonical JSON {"body":{...},"sig":"<base64url>"}
///   body: {"v":1,"chain":hex,"kind":k,"signer":keyid,"pk":b64url,"time":t,
///          ["nonce":s,] "data":{...}}
///   signature: Ed25519 by `pk` over k_tx_context || canonical(body)
///   ID: SHA-256 of the canonical bytes of the whole transaction
struct Tx {
  json::Value body;
  std::string bytes;  ///< canonical JSON of {"body","sig"}: what is stored, hashed and exported
  Hash id{};
  std::string kind, signer, chain;
  crypto::Ed25519Public pk{};
  crypto::Ed25519Signature sig{};
  int64_t time = 0;

  const json::Value& data() const { return body.at("data"); }
  std::string signing_input() const;
  /// The one acceptance rule (hc::crypto::ed25519_verify).
  bool signature_valid() const;
  json::Value to_json() const;  ///< {"body","sig"}
};

/// Parses a transaction from its JSON text (`canonical_only` refuses text
/// that is not already the canonical form, as stored bytes must be), checks
/// its structure and its kind's stateless rules. Does not check the
/// signature. Throws Error{data} naming `source`, `line` and the field.
Tx parse_tx(std::string_view text, const std::string& source = "", uint64_t line = 0, bool canonical_only = false);
Tx tx_from_json(const json::Value& value, const std::string& source = "", uint64_t line = 0);

/// Builds and signs a transaction.
Tx make_tx(const keys::SecretKey& key, std::string_view chain, std::string_view kind, json::Value data,
           int64_t time, std::string nonce = "");

/// The two conflicting consensus messages of an evidence.double_vote
/// transaction's data {"a","b"} (base64url of the signed-header wire form,
/// hc-formats(5), CONSENSUS MESSAGES): decoded strictly and checked to be
/// one validator's, for one height, round and step, with different values.
/// Signatures are the state's to check (state.cpp). Error{data} naming the field.
consensus::DoubleSign double_vote_of(const json::Value& data);

/// The kinds this version knows; "x.<name>" kinds are also accepted with any
/// object as data (room for new kinds without a format change).
const std::vector<std::string>& known_kinds();

/// A block header. Its hash is SHA-256 of its canonical JSON:
///   {"v":1,"chain":hex,"height":n,"prev":hex,"time":t,"tx_root":hex,
///    "tx_count":n,"history_root":hex,"producer":keyid[,"ext":{...}]}
/// history_root is MTH over the hashes of blocks 0..height-1 (so history
/// size = height). Genesis (height 0) has producer "" and no signature.
struct Header {
  std::string chain;
  uint64_t height = 0;
  Hash prev{};
  int64_t time = 0;
  Hash tx_root{};
  uint64_t tx_count = 0;
  Hash history_root{};
  std::string producer;
  json::Value ext;  ///< optional, for the node (e.g. round); null if absent

  json::Value to_json() const;
  std::string canonical() const;
  Hash hash() const;
  std::string signing_input() const;
  static Header from_json(const json::Value& v, const std::string& source = "");
};

/// A header with its producer's signature.
struct SignedHeader {
  Header header;
  crypto::Ed25519Signature sig{};
  json::Value to_json() const;  ///< {"header","sig"}
  static SignedHeader from_json(const json::Value& v, const std::string& source = "");
};

/// A block: {"header":{...},"sig":b64url,"txs":[tx...]} (one JSON line in
/// exports and on the network).
struct Block {
  Header header;
  crypto::Ed25519Signature sig{};
  std::vector<Tx> txs;

  Hash hash() const { return header.hash(); }
  json::Value to_json() const;
  std::string to_line() const;  ///< canonical JSON, no newline
  /// Strict parse of a block line; every transaction is parsed (not signature-checked).
  static Block parse(std::string_view text, const std::string& source = "", uint64_t line = 0,
                     unsigned threads = 1);
  /// MTH of the transaction IDs (leaf = the 32-byte ID).
  static Hash tx_root(const std::vector<Tx>& txs);
};

/// Chain parameters, fixed by the genesis document.
struct Params {
  uint32_t delegate_count = 21;   ///< delegates per round
  uint32_t round_length = 100;    ///< blocks per round; the schedule is recomputed between rounds
  uint32_t max_block_txs = 10000;
  uint32_t max_tx_bytes = 64u << 10;
  uint32_t block_interval_ms = 1000;
  uint32_t max_clock_skew_s = 600;  ///< a transaction's time may be this far after its block's
  json::Value to_json() const;
};

struct Member {
  std::string key_id;
  crypto::Ed25519Public pk{};
  std::string label;
  uint64_t stake = 1;
  std::string role = "org";
  json::Value to_json() const;
  static Member from_json(const json::Value& v, const std::string& field);
};

/// The genesis document: {"v":1,"name","time","members":[...],"delegates":[keyid...],"params":{...}}.
/// The chain ID is SHA-256 of its canonical JSON.
struct Genesis {
  json::Value doc;
  std::string name;
  int64_t time = 0;
  std::vector<Member> members;
  std::vector<std::string> delegates;
  Params params;
  std::string chain_id() const;
  Header header() const;  ///< the genesis block's header (height 0)
  static Genesis parse(const json::Value& v, const std::string& source = "");
  /// A single-organisation genesis: `member` is the only member and delegate.
  static Genesis single(const Member& member, std::string name, int64_t time);
};

/// Runs fn(i) for i in [0, n) on `threads` threads (the caller's included).
/// The first exception thrown is rethrown after all threads stop.
void parallel_for(size_t n, unsigned threads, const std::function<void(size_t)>& fn);
/// Threads to use by default: the machine's cores (at least 1).
unsigned default_threads();

}  // namespace hc::ledger
