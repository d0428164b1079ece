// Shared fixtures for the ces unit tests.
#pragma once

#include <hc/ces/ces.h>
#include <hc/core/error.h>
#include <hc/core/io.h>

#include <catch2/catch.hpp>

#include <string>

namespace ces_test {

inline const hc::keys::SecretKey& doctor() {
  static auto k = hc::keys::generate(hc::keys::Role::doctor, "Dr Test", "2026-11-26T00:00:00Z");
  return k;
}
inline const hc::keys::SecretKey& patient() {
  static auto k = hc::keys::generate(hc::keys::Role::patient, "Patient Test", "2026-11-26T00:00:00Z");
  return k;
}
inline const hc::keys::SecretKey& other() {
  static auto k = hc::keys::generate(hc::keys::Role::doctor, "Dr Other", "2026-11-26T00:00:00Z");
  return k;
}
inline hc::json::Value load(const std::string& name) {
  std::string path = std::string(HC_CES_DATA) + "/" + name;
  return hc::json::parse(hc::io::read_all(path), path);
}
inline hc::ces::VerifyOptions trust_doctor() {
  hc::ces::VerifyOptions o;
  o.trusted.push_back(doctor().pub);
  return o;
}
inline hc::ces::SdJwt sign(const hc::json::Value& r, bool holder = true) {
  hc::ces::SignOptions so;
  if (holder) so.holder = patient().pub.ed25519;
  return hc::ces::Signer(doctor(), so).sign(r);
}
/// The exit code of the hc::Error `f` throws, or -1 if it does not throw.
template <class F>
int code_of(F&& f) {
  try {
    f();
  } catch (const hc::Error& e) {
    return static_cast<int>(e.code());
  }
  return -1;
}
template <class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const hc::Error& e) {
    return e.message();
  }
  return "";
}

}  // namespace ces_test
