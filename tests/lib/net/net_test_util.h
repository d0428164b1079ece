// Shared helpers for the net tests: members with fresh keys.
#pragma once

#include <hc/keys/keys.h>
#include <hc/net/peers.h>

#include <string>

namespace hc::net::test {

struct Member {
  keys::SecretKey key;
  Identity id;
  explicit Member(const std::string& label)
      : key(keys::generate(keys::Role::org, label, "2026-11-26T00:00:00Z")), id(Identity::from_key(key)) {}
};

inline std::string str(const crypto::Bytes& b) { return std::string(b.begin(), b.end()); }

}  // namespace hc::net::test
