// Fuzzes the whole age decryptor with a fixed X25519 identity (the one in
// the seeds, which hc-seal wrote for it): any input is refused with an
// AgeError, and nothing is released unless it authenticated, i.e. the
// output is never larger than the payload and is a whole number of chunks
// unless decryption succeeded.
#include <hc/core/error.h>
#include <hc/seal/age.h>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<hc::crypto::SecretBytes> ids = [] {
    std::vector<hc::crypto::SecretBytes> v;
    // The CCTV test identity (public test data, not a real key).
    v.push_back(hc::seal::parse_identity("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"));
    return v;
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  hc::seal::MemorySource src(text, "fuzz");
  hc::seal::StringSink out;
  try {
    auto r = hc::seal::decrypt(ids, src, out);
    if (r.plaintext_bytes != out.data.size() || out.data.size() > size) std::abort();
  } catch (const hc::seal::AgeError&) {
    if (out.data.size() % hc::seal::k_chunk_size != 0) std::abort();
  } catch (const hc::Error&) {
    std::abort();  // every failure of an age file must be classified
  }
  return 0;
}
