// The C2SP CCTV age test vectors (../shared/testdata/age): every vector with
// an X25519 identity must give exactly its expected outcome and release
// exactly the plaintext whose SHA-256 it names, armored ones included.
// Vectors with only scrypt or hybrid (ML-KEM) identities are skipped and listed.
#include <catch2/catch.hpp>

#include <hc/crypto/crypto.h>
#include <hc/seal/age.h>

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace {

struct Vector {
  std::string name, expect, payload, comment;
  std::vector<std::string> identities;
  bool armored = false, compressed = false, passphrase = false;
  std::string file;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string inflate_zlib(const std::string& in) {
  z_stream z{};
  REQUIRE(inflateInit(&z) == Z_OK);
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char buf[65536];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    REQUIRE((rc == Z_OK || rc == Z_STREAM_END));
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc != Z_STREAM_END);
  inflateEnd(&z);
  return out;
}

Vector load(const std::filesystem::path& p) {
  Vector v;
  v.name = p.filename().string();
  std::string text = slurp(p.string());
  size_t pos = 0;
  for (;;) {
    size_t nl = text.find('\n', pos);
    REQUIRE(nl != std::string::npos);
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) break;
    auto colon = line.find(": ");
    REQUIRE(colon != std::string::npos);
    std::string k = line.substr(0, colon), val = line.substr(colon + 2);
    if (k == "expect") v.expect = val;
    else if (k == "payload") v.payload = val;
    else if (k == "identity") v.identities.push_back(val);
    else if (k == "armored") v.armored = val == "yes";
    else if (k == "compressed") v.compressed = val == "zlib";
    else if (k == "passphrase") v.passphrase = true;
    else if (k == "comment") v.comment = val;
  }
  v.file = text.substr(pos);
  if (v.compressed) v.file = inflate_zlib(v.file);
  return v;
}

}  // namespace

TEST_CASE("age CCTV vectors with X25519 identities give their expected outcome", "[seal][vectors]") {
  std::vector<std::filesystem::path> files;
  for (auto& e : std::filesystem::directory_iterator(std::string(HC_TESTDATA) + "/age"))
    if (e.path().filename() != "LICENSE") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() == 143);

  std::vector<std::string> skipped;
  size_t ran = 0;
  for (const auto& path : files) {
    Vector v = load(path);
    std::vector<hc::crypto::SecretBytes> ids;
    for (const auto& id : v.identities)
      if (id.rfind("AGE-SECRET-KEY-1", 0) == 0) ids.push_back(hc::seal::parse_identity(id));
    // "empty" (a zero-byte file) names no identity: any X25519 key must refuse it.
    if (v.identities.empty() && !v.passphrase)
      ids.push_back(hc::seal::parse_identity("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"));
    if (ids.empty()) {
      skipped.push_back(v.name);
      continue;
    }
    ++ran;
    INFO("vector " << v.name << " (" << v.comment << "), expect " << v.expect);
    hc::seal::MemorySource src(v.file, v.name);
    hc::seal::StringSink out;
    std::string outcome = "success";
    try {
      hc::seal::decrypt(ids, src, out, v.armored ? hc::seal::Input::armor : hc::seal::Input::binary);
    } catch (const hc::seal::AgeError& e) {
      outcome = hc::seal::failure_name(e.kind());
      INFO("error: " << e.describe());
      CHECK(outcome == v.expect);
    }
    CHECK(outcome == v.expect);
    // Exactly the plaintext the vector allows to be released, even on failure.
    auto digest = hc::crypto::hex(hc::crypto::sha256(out.data));
    if (v.payload.empty())
      CHECK(out.data.empty());
    else
      CHECK(digest == v.payload);
  }
  std::cout << "age vectors: " << ran << " run, " << skipped.size() << " skipped (scrypt-only or hybrid identities):";
  for (const auto& s : skipped) std::cout << ' ' << s;
  std::cout << '\n';
  CHECK(ran + skipped.size() == 143);
  // Pinned so that a change in which vectors run is noticed.
  CHECK(skipped.size() == 43);
}
