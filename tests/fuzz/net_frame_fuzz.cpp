// Fuzzes the frame reader and the fragment reassembler: the length-prefixed
// stream is fed in input-chosen chunks; every frame and message must respect
// the bounds, and bytes are never lost or invented.
#include <hc/core/error.h>
#include <hc/net/framing.h>

#include <cstdlib>

using namespace hc::net;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t max_frame = 1 + (size_t(data[0]) << 8 | data[1]);  // 1 .. 65536 (capped at 65535)
  size_t max_message = 1000 + size_t(data[0]) * 100;
  data += 2;
  size = size - 2;
  FrameReader reader(max_frame);
  Reassembler ra(max_message);
  size_t pos = 0, framed = 0;
  try {
    while (pos < size) {
      size_t chunk = 1 + data[pos] % 97;
      if (chunk > size - pos) chunk = size - pos;
      size_t used = 0;
      while (used < chunk) {
        size_t n = reader.feed(data + pos + used, chunk - used);
        used += n;
        if (reader.ready()) {
          Bytes f = reader.take();
          if (f.empty() || f.size() > max_frame || f.size() > 65535) std::abort();
          framed += 2 + f.size();
          if (auto m = ra.add(f.data(), f.size()); m && m->size() > max_message) std::abort();
        } else if (n == 0) {
          std::abort();  // no progress without a frame
        }
      }
      pos += chunk;
    }
  } catch (const hc::Error&) {
    return 0;
  }
  if (framed + reader.buffered() != size) std::abort();
  return 0;
}
