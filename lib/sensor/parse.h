// The two line dialects a sensor board speaks, told apart per line:
//   - hc's own line protocol (hc-formats(5), SENSOR LINE PROTOCOL):
//       $HC1,<seq>,<device-ms>,<TAG>,<value>[,<value>...]*<CRC-16 hex>
//   - the plain text printed by the e-Health platform's example sketches
//     ("PRbpm : 72    %SPo2 : 97", "Temperature (ºC): 36.52", BP dumps, ...).
// Everything here is bounded and never throws on bad input: every line ends
// up as readings, a recognised non-reading line, or one counted fault.
#pragma once

#include <hc/sensor/reading.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hc::sensor {

/// Longest accepted line in bytes, without the line end.
inline constexpr size_t k_max_line = 1024;
/// Most samples on one hc protocol waveform line.
inline constexpr size_t k_max_samples_per_line = 200;

/// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final
/// xor); check value 0x29B1 for "123456789".
uint16_t crc16(std::string_view data) noexcept;

/// Formats one hc protocol line (without the line end) for `r`: kind, seq,
/// device_ms and values, or rate_hz and samples for waveforms.
std::string format_hc_line(const Reading& r);

/// What became of one line.
enum class LineStatus : uint8_t {
  reading,      ///< one or more readings
  recognised,   ///< a known line that carries no reading by itself (separators, headers)
  empty,        ///< blank
  checksum,     ///< hc protocol line with a wrong or missing checksum
  malformed,    ///< hc protocol line with a good checksum but bad content, or a bad e-Health value
  unknown,      ///< printable text in neither dialect
  noise,        ///< control or invalid bytes: line noise or a wrong baud rate
};
const char* status_name(LineStatus s) noexcept;

/// Parses lines of both dialects. Stateful only for the e-Health multi-line
/// records (position name on the next line, BP and glucometer dumps).
class Decoder {
 public:
  /// Parses one line (no line end; a trailing '\r' is ignored). Appends
  /// readings to `out`, stamped with `host_ms`. `why` gets a short reason for
  /// a fault.
  LineStatus decode(std::string_view line, int64_t host_ms, std::vector<Reading>& out, std::string* why = nullptr);

  /// hc protocol: lines missed according to the sequence numbers so far.
  uint64_t seq_gaps() const { return m_gaps; }

 private:
  LineStatus decode_hc(std::string_view line, int64_t host_ms, std::vector<Reading>& out, std::string* why);
  LineStatus decode_ehealth(std::string_view line, int64_t host_ms, std::vector<Reading>& out, std::string* why);

  std::optional<uint32_t> m_last_seq;
  uint64_t m_gaps = 0;
  // e-Health state.
  bool m_want_position = false;
  std::string m_dump_time;
  std::optional<double> m_systolic;
};

/// Splits a byte stream into lines, bounded: a line longer than k_max_line
/// is dropped whole (counted) up to its end; "\n", "\r\n" and lone "\r" end lines.
class LineSplitter {
 public:
  /// Feeds bytes; calls `on_line(std::string_view)` for each complete line
  /// and `on_overlong()` for each dropped over-long line.
  template <class OnLine, class OnOverlong>
  void feed(std::string_view data, OnLine&& on_line, OnOverlong&& on_overlong);
  /// Bytes of an unfinished line held back.
  size_t pending() const { return m_skipping ? 0 : m_buf.size(); }
  /// Forgets an unfinished line (returns true if there was one).
  bool drop_partial();
  /// The unfinished line, if any (to decode it at end of input).
  std::string_view partial() const { return m_skipping ? std::string_view{} : std::string_view(m_buf); }

 private:
  std::string m_buf;
  bool m_skipping = false;
  bool m_last_cr = false;
};

template <class OnLine, class OnOverlong>
void LineSplitter::feed(std::string_view data, OnLine&& on_line, OnOverlong&& on_overlong) {
  size_t i = 0;
  while (i < data.size()) {
    if (m_last_cr && data[i] == '\n') {  // "\r\n": the '\r' already ended the line
      m_last_cr = false;
      ++i;
      continue;
    }
    m_last_cr = false;
    size_t end = i;
    while (end < data.size() && data[end] != '\n' && data[end] != '\r') ++end;
    std::string_view chunk = data.substr(i, end - i);
    bool complete = end < data.size();
    if (!m_skipping) {
      if (m_buf.size() + chunk.size() > k_max_line) {
        m_skipping = true;
        m_buf.clear();
      } else if (complete && m_buf.empty()) {
        on_line(chunk);  // the common case: a whole line inside one read, no copy
      } else {
        m_buf.append(chunk);
        if (complete) {
          on_line(std::string_view(m_buf));
          m_buf.clear();
        }
      }
    }
    if (!complete) break;
    if (m_skipping) {
      on_overlong();
      m_skipping = false;
    }
    m_last_cr = data[end] == '\r';
    i = end + 1;
  }
}

}  // namespace hc::sensor
