// Fuzzes the e-Health text parser (stateful across lines) and the FHIR
// mapping of whatever it yields: no crash, no hang, bounded batches, every
// Observation serialisable as I-JSON.
#include <hc/core/error.h>
#include <hc/json/json.h>
#include <hc/sensor/fhir.h>
#include <hc/sensor/parse.h>

#include <cstdlib>
#include <vector>

using namespace hc::sensor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Decoder dec;
  LineSplitter sp;
  FhirOptions opt;
  opt.patient = "0123456789abcdef";
  opt.batch = 16;
  Mapper mapper(opt);
  std::vector<Reading> readings;
  std::vector<Emitted> emitted;
  int64_t t = 1795700000000;
  auto check = [&] {
    for (auto& e : emitted) {
      try {
        (void)hc::json::canonical(e.observation);
      } catch (const hc::Error&) {
        std::abort();  // a NaN or infinity reached the output
      }
    }
    emitted.clear();
  };
  sp.feed(
      text,
      [&](std::string_view line) {
        readings.clear();
        dec.decode(line, t += 7, readings);
        for (auto& r : readings) mapper.add(r, emitted);
        check();
      },
      [] {});
  mapper.flush(emitted);
  check();
  return 0;
}
