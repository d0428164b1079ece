// Fuzzes hc's sensor line protocol: any line either fails with a counted
// status or decodes to a reading that formats back to a line decoding to the
// same reading; the splitter never hands out a line over the bound.
#include <hc/sensor/parse.h>

#include <cstdlib>
#include <string>
#include <vector>

using namespace hc::sensor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Decoder dec;
  LineSplitter sp;
  std::vector<Reading> out;
  sp.feed(
      text,
      [&](std::string_view line) {
        if (line.size() > k_max_line) std::abort();
        out.clear();
        LineStatus s = dec.decode(line, 0, out);
        if (s != LineStatus::reading) {
          if (!out.empty()) std::abort();
          return;
        }
        for (const auto& r : out) {
          if (r.dialect != Dialect::hc) continue;
          std::vector<Reading> again;
          Decoder d2;
          if (d2.decode(format_hc_line(r), 0, again) != LineStatus::reading || again.size() != 1) std::abort();
          if (again[0].kind != r.kind || again[0].seq != r.seq || again[0].device_ms != r.device_ms) std::abort();
          if (again[0].values.size() != r.values.size() || again[0].samples.size() != r.samples.size()) std::abort();
        }
      },
      [] {});
  return 0;
}
