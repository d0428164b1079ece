// Who may connect: the consortium members' X25519 keys, read from their hc
// public key files (hc-formats(5), KEY FILES). A link whose remote static key
// is not in the set is refused during the handshake.
#pragma once

#include <hc/crypto/crypto.h>
#include <hc/keys/keys.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hc::net {

/// One member as a link sees it.
struct PeerInfo {
  crypto::X25519Public x25519{};
  std::string key_id;  ///< the member's hc key ID (from its Ed25519 key)
  std::string label;
};

class AllowedPeers {
 public:
  void add(const keys::PublicKey& member);
  void add(const PeerInfo& member);
  /// Loads each public key file (or private key file's public part).
  static AllowedPeers from_files(const std::vector<std::string>& paths);
  /// The member holding `x25519`, or null when it is not a member.
  const PeerInfo* find(const crypto::X25519Public& x25519) const;
  /// Takes the member with hc key ID `key_id` out of the set (a member the
  /// chain removed); returns its X25519 key, or nullopt if it was not in it.
  std::optional<crypto::X25519Public> remove(const std::string& key_id);
  size_t size() const { return m_members.size(); }

 private:
  std::map<crypto::X25519Public, PeerInfo> m_members;
  std::set<crypto::X25519Public> m_revoked;  ///< removed members (find() returns null)
};

/// This node's link identity: its X25519 secret (from its hc private key).
struct Identity {
  crypto::SecretBytes x25519_secret;  ///< 32 bytes
  PeerInfo info;
  static Identity from_key(const keys::SecretKey& key);
};

/// Bounds on one node's links. Defaults suit a consortium of tens of members.
struct Limits {
  size_t max_message = 4u << 20;       ///< one application message (reassembled)
  size_t max_outbox = 16u << 20;       ///< bytes queued for one peer; beyond it the peer is dropped as too slow
  size_t max_peers = 64;               ///< established and handshaking links together
  int handshake_timeout_ms = 5000;     ///< a link that has not finished its handshake by then is closed
  size_t read_budget = 256u << 10;     ///< bytes read from one peer per loop turn (fairness)
};

}  // namespace hc::net
