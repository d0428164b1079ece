// Noise_XX_25519_ChaChaPoly_SHA256 against the published cacophony and snow
// vectors (tests/data/net/noise_xx_25519_chachapoly_sha256.json, sources named
// in the file): every handshake message byte for byte, the handshake hash,
// and the transport messages after Split().
#include <hc/core/error.h>
#include <hc/json/json.h>
#include <hc/net/noise.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace hc;
using namespace hc::net;

namespace {

json::Value load_vectors() {
  std::ifstream in(std::string(HC_SOURCE_DIR) + "/tests/data/net/noise_xx_25519_chachapoly_sha256.json");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str(), "noise vectors");
}

SecretBytes secret(const json::Value& v, const char* k) {
  auto b = crypto::unhex(v.at(k).get<std::string>());
  return SecretBytes(b.begin(), b.end());
}
std::string text(const json::Value& v, const char* k) {
  auto b = crypto::unhex(v.at(k).get<std::string>());
  return std::string(b.begin(), b.end());
}
std::string str(const Bytes& b) { return std::string(b.begin(), b.end()); }

}  // namespace

TEST_CASE("Noise XX vectors: handshake and transport match byte for byte") {
  auto doc = load_vectors();
  REQUIRE(doc.at("vectors").size() == 2);
  for (const auto& v : doc.at("vectors")) {
    INFO(v.at("source").get<std::string>());
    REQUIRE(v.at("protocol_name") == "Noise_XX_25519_ChaChaPoly_SHA256");
    HandshakeXX init(true, secret(v, "init_static"), text(v, "init_prologue"), secret(v, "init_ephemeral"));
    HandshakeXX resp(false, secret(v, "resp_static"), text(v, "resp_prologue"), secret(v, "resp_ephemeral"));
    const auto& msgs = v.at("messages");
    REQUIRE(msgs.size() >= 3);
    for (size_t i = 0; i < 3; ++i) {
      HandshakeXX& w = i % 2 == 0 ? init : resp;
      HandshakeXX& r = i % 2 == 0 ? resp : init;
      REQUIRE(w.my_turn());
      Bytes ct = w.write_message(text(msgs[i], "payload"));
      CHECK(crypto::hex(ct) == msgs[i].at("ciphertext").get<std::string>());
      CHECK(str(r.read_message(str(ct))) == text(msgs[i], "payload"));
    }
    REQUIRE(init.complete());
    REQUIRE(resp.complete());
    CHECK(*init.remote_static() == crypto::x25519_public(secret(v, "resp_static")));
    CHECK(*resp.remote_static() == crypto::x25519_public(secret(v, "init_static")));
    if (v.contains("handshake_hash"))
      CHECK(crypto::hex(init.handshake_hash()) == v.at("handshake_hash").get<std::string>());
    CHECK(init.handshake_hash() == resp.handshake_hash());
    Transport ti = init.split(), tr = resp.split();
    // After the handshake the vectors alternate senders: message 3 is the
    // responder's (the initiator wrote message 2), then the initiator's, ...
    for (size_t i = 3; i < msgs.size(); ++i) {
      Transport& w = i % 2 == 0 ? ti : tr;
      Transport& r = i % 2 == 0 ? tr : ti;
      Bytes ct = w.send.encrypt_with_ad({}, text(msgs[i], "payload"));
      CHECK(crypto::hex(ct) == msgs[i].at("ciphertext").get<std::string>());
      CHECK(str(r.recv.decrypt_with_ad({}, str(ct))) == text(msgs[i], "payload"));
    }
  }
}

TEST_CASE("Noise XX: any flipped bit in a handshake message is refused") {
  auto v = load_vectors().at("vectors")[0];
  for (size_t msg = 1; msg < 3; ++msg) {
    HandshakeXX init(true, secret(v, "init_static"), "p", secret(v, "init_ephemeral"));
    HandshakeXX resp(false, secret(v, "resp_static"), "p", secret(v, "resp_ephemeral"));
    for (size_t i = 0; i < msg; ++i) {
      HandshakeXX& w = i % 2 == 0 ? init : resp;
      HandshakeXX& r = i % 2 == 0 ? resp : init;
      r.read_message(str(w.write_message({})));
    }
    HandshakeXX& w = msg % 2 == 0 ? init : resp;
    HandshakeXX& r = msg % 2 == 0 ? resp : init;
    Bytes ct = w.write_message({});
    ct[ct.size() / 2] ^= 0x01;
    CHECK_THROWS_AS(r.read_message(str(ct)), Error);
  }
}

TEST_CASE("Noise XX: different prologues never complete") {
  auto v = load_vectors().at("vectors")[0];
  HandshakeXX init(true, secret(v, "init_static"), "hc-net/1 network A");
  HandshakeXX resp(false, secret(v, "resp_static"), "hc-net/1 network B");
  resp.read_message(str(init.write_message({})));
  CHECK_THROWS_WITH(init.read_message(str(resp.write_message({}))), Catch::Contains("authentication"));
}

TEST_CASE("Noise XX: a low-order ephemeral key is refused (all-zero DH)") {
  auto v = load_vectors().at("vectors")[0];
  HandshakeXX resp(false, secret(v, "resp_static"), "p");
  // The point 0 and the point 1 are of small order on Curve25519.
  for (uint8_t first : {uint8_t(0), uint8_t(1)}) {
    HandshakeXX r(false, secret(v, "resp_static"), "p");
    std::string msg1(32, '\0');
    msg1[0] = static_cast<char>(first);
    r.read_message(msg1);
    CHECK_THROWS_WITH(r.write_message({}), Catch::Contains("low order"));
  }
}

TEST_CASE("Noise XX: short, long and out-of-turn messages are refused") {
  auto v = load_vectors().at("vectors")[0];
  HandshakeXX init(true, secret(v, "init_static"), "p");
  HandshakeXX resp(false, secret(v, "resp_static"), "p");
  CHECK_THROWS_AS(init.read_message(std::string(32, 'x')), Error);  // initiator writes first
  CHECK_THROWS_AS(resp.read_message(std::string(31, 'x')), Error);
  CHECK_THROWS_AS(resp.read_message(std::string(65536, 'x')), Error);
  resp.read_message(str(init.write_message({})));
  Bytes m2 = resp.write_message({});
  CHECK_THROWS_AS(init.read_message(str(m2).substr(0, 32 + 48 + 15)), Error);
}
