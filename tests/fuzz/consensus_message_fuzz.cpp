// Fuzzes the consensus message and evidence decoders: any input is refused
// with hc::Error or decodes to something that encodes back to the same bytes.
#include <hc/consensus/evidence.h>
#include <hc/core/error.h>

#include <cstdlib>

using namespace hc::consensus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    Message m = decode(data, size);
    Bytes back = m.vote ? encode(*m.vote) : encode(*m.proposal);
    if (back != Bytes(data, data + size)) std::abort();
  } catch (const hc::Error&) {
  }
  try {
    DoubleSign ev = decode_evidence(data, size);
    if (encode(ev) != Bytes(data, data + size)) std::abort();
    try {
      check(ev, "fuzz");
    } catch (const hc::Error&) {
    }
  } catch (const hc::Error&) {
  }
  return 0;
}
