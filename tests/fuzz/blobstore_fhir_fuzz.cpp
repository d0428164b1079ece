// Fuzzes the parsers of FHIR server answers (untrusted input): search
// Bundles, Binary reads, create answers and OperationOutcomes. Any input
// either fails with hc::Error or yields well-formed results.
#include <hc/blobstore/fhir.h>
#include <hc/core/error.h>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace hc::blobstore::fhir;
  try {
    std::string next;
    for (const auto& ref : parse_search(text, "", &next, 1 << 20)) {
      // Whatever the server says, what we go on to request stays well-formed.
      if (ref.object_id.size() != 64 || !valid_id(ref.binary_id) || !valid_id(ref.resource_id)) std::abort();
    }
    if (next.find_first_of("# \r\n") != std::string::npos) std::abort();
  } catch (const hc::Error&) {
  }
  try {
    parse_binary(text, 1 << 20);
  } catch (const hc::Error&) {
  }
  try {
    auto id = parse_created_id(text, std::string(text.substr(0, 200)), "Binary", 1 << 20);
    if (!valid_id(id)) std::abort();
  } catch (const hc::Error&) {
  }
  auto summary = outcome_text(text);
  for (char c : summary)
    if (static_cast<unsigned char>(c) < 0x20) std::abort();
  return 0;
}
