#include <hc/net/peers.h>

#include <hc/core/error.h>

namespace hc::net {

void AllowedPeers::add(const keys::PublicKey& member) {
  add(PeerInfo{member.x25519, member.key_id, member.label});
}

void AllowedPeers::add(const PeerInfo& member) {
  auto [it, fresh] = m_members.emplace(member.x25519, member);
  if (!fresh && it->second.key_id != member.key_id)
    throw Error(Exit::config, "two members share one X25519 key: " + it->second.key_id + " and " + member.key_id);
}

std::optional<crypto::X25519Public> AllowedPeers::remove(const std::string& key_id) {
  // Revoked, not erased: links hold pointers to the entry (PeerInfo&).
  for (const auto& [x, info] : m_members)
    if (info.key_id == key_id && m_revoked.insert(x).second) return x;
  return std::nullopt;
}

AllowedPeers AllowedPeers::from_files(const std::vector<std::string>& paths) {
  AllowedPeers out;
  for (const auto& p : paths) {
    try {
      out.add(keys::load_public(p));
    } catch (Error& e) {
      if (e.file().empty()) e.file(p);
      throw;
    }
  }
  return out;
}

const PeerInfo* AllowedPeers::find(const crypto::X25519Public& x25519) const {
  auto it = m_members.find(x25519);
  return it == m_members.end() || m_revoked.count(x25519) ? nullptr : &it->second;
}

Identity Identity::from_key(const keys::SecretKey& key) {
  return Identity{key.x25519_secret, PeerInfo{key.pub.x25519, key.pub.key_id, key.pub.label}};
}

}  // namespace hc::net
