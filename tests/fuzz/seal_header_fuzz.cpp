// Fuzzes the age header parser (and the Bech32 key parsers): any input is
// refused with hc::Error or parses into a header whose MAC input is a prefix
// of the input ending in "---"; a decoded key re-encodes to its text.
#include <hc/core/error.h>
#include <hc/seal/age.h>
#include <hc/seal/bech32.h>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    hc::seal::MemorySource src(text, "fuzz");
    hc::seal::Reader reader(src);
    auto h = hc::seal::read_header(reader);
    if (h.stanzas.empty() || h.stanzas.size() > hc::seal::k_max_stanzas) std::abort();
    if (text.substr(0, h.mac_input.size()) != h.mac_input) std::abort();
    if (h.mac_input.size() < 3 || h.mac_input.compare(h.mac_input.size() - 3, 3, "---") != 0) std::abort();
    for (const auto& s : h.stanzas)
      if (s.type.empty()) std::abort();
  } catch (const hc::Error&) {
  }
  try {
    auto b = hc::seal::bech32_decode(text);
    auto again = hc::seal::bech32_encode(b.hrp, b.data.data(), b.data.size());
    if (again.size() != text.size()) std::abort();
    for (size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (again[i] != c) std::abort();
    }
  } catch (const hc::Error&) {
  }
  return 0;
}
