// age's ASCII armor (C2SP age specification, "ASCII armor"): strict
// PEM-like text, "-----BEGIN AGE ENCRYPTED FILE-----", padded standard base64
// in lines of 64 columns (the last one shorter, or full), then
// "-----END AGE ENCRYPTED FILE-----". LF or CRLF line ends; whitespace only
// before the first line and after the last (at most 1024 bytes each).
#pragma once

#include <hc/seal/stream.h>

#include <string>
#include <string_view>

namespace hc::seal {

inline constexpr std::string_view k_armor_header = "-----BEGIN AGE ENCRYPTED FILE-----";
inline constexpr std::string_view k_armor_footer = "-----END AGE ENCRYPTED FILE-----";

/// Decodes armor from `in` as a Source. Throws AgeError{armor}, naming the
/// line, at the first fault. The end of the armor (footer and trailing
/// whitespace) is checked before the last decoded bytes are returned, so a
/// reader never acts on data from a file whose armor turns out to be bad.
class ArmorSource final : public Source {
 public:
  explicit ArmorSource(Reader& in) : m_in(in) {}
  size_t read(uint8_t* buf, size_t n) override;
  const std::string& name() const override { return m_in.name(); }

 private:
  bool next_line(std::string& line);
  void finish();
  Reader& m_in;
  bool m_started = false, m_done = false, m_have_next = false;
  std::string m_next, m_line;
  std::string m_decoded;
  size_t m_pos = 0;
  uint64_t m_line_no = 0;
};

/// Writes armor around what it is given; finish() writes the last line and
/// the footer.
class ArmorSink final : public Sink {
 public:
  explicit ArmorSink(Sink& out);
  void write(const uint8_t* buf, size_t n) override;
  void finish();

 private:
  Sink& m_out;
  std::string m_pending;
};

}  // namespace hc::seal
