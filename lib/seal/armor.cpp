// ASCII armor, written from the C2SP age specification and checked against
// the CCTV armor vectors.
#include <hc/seal/armor.h>

#include <hc/crypto/crypto.h>
#include <hc/seal/age.h>

#include <fmt/format.h>

#include <cstring>

namespace hc::seal {
namespace {

constexpr size_t k_columns = 64, k_bytes_per_line = 48, k_max_whitespace = 1024;

bool is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

bool ArmorSource::next_line(std::string& line) {
  if (m_have_next) {
    m_have_next = false;
    line.swap(m_next);
    ++m_line_no;
    return true;
  }
  bool complete;
  try {
    complete = m_in.read_line(line, 4096);
  } catch (const AgeError&) {
    throw;
  } catch (const Error& e) {
    if (e.code() != Exit::data) throw;
    AgeError a(Failure::armor, "armor: a line is longer than 64 columns");
    a.file(name()).line(m_line_no + 1);
    throw a;
  }
  if (!complete && line.empty()) return false;  // end of input
  ++m_line_no;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

void ArmorSource::finish() {
  // Only whitespace, and not too much of it, may follow the footer.
  uint8_t buf[256];
  size_t total = 0;
  for (;;) {
    size_t n = m_in.read_full(buf, sizeof buf);
    for (size_t i = 0; i < n; ++i)
      if (!is_space(buf[i])) {
        AgeError e(Failure::armor, "armor: data after the END line");
        e.file(name()).line(m_line_no + 1);
        throw e;
      }
    total += n;
    if (total >= k_max_whitespace) {
      AgeError e(Failure::armor, "armor: more than 1024 bytes of whitespace after the END line");
      e.file(name());
      throw e;
    }
    if (n < sizeof buf) break;
  }
  m_done = true;
}

size_t ArmorSource::read(uint8_t* buf, size_t n) {
  auto fail = [&](const std::string& msg) {
    AgeError e(Failure::armor, "armor: " + msg);
    e.file(name()).line(m_line_no);
    return e;
  };
  while (m_pos == m_decoded.size()) {
    if (m_done) return 0;
    m_decoded.clear();
    m_pos = 0;
    if (!m_started) {
      // Leading whitespace (bounded), then the BEGIN line exactly.
      uint8_t c;
      size_t skipped = 0;
      while (m_in.starts_with(" ") || m_in.starts_with("\t") || m_in.starts_with("\r") || m_in.starts_with("\n")) {
        m_in.read_full(&c, 1);
        if (c == '\n') ++m_line_no;
        if (++skipped > k_max_whitespace) throw fail("more than 1024 bytes of whitespace before the BEGIN line");
      }
      if (!next_line(m_line) || m_line != k_armor_header) throw fail("the first line is not " + std::string(k_armor_header));
      m_started = true;
    }
    if (!next_line(m_line)) throw fail("the file ends without an END line");
    if (m_line == k_armor_footer) {
      finish();
      return 0;
    }
    if (m_line.empty()) throw fail("an empty line");
    if (m_line.size() > k_columns) throw fail("a line is longer than 64 columns");
    crypto::Bytes bytes;
    try {
      bytes = crypto::unbase64(m_line, true);
    } catch (const Error&) {
      throw fail("a line is not canonical padded base64");
    }
    m_decoded.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    // Look one line ahead, so that the footer and what follows it are checked
    // before the last bytes are handed out.
    std::string ahead;
    bool have = next_line(ahead);
    if (bytes.size() < k_bytes_per_line) {
      if (!have || ahead != k_armor_footer) {
        throw fail(have ? "a short line is not followed by the END line" : "the file ends without an END line");
      }
      finish();
    } else if (have && ahead == k_armor_footer) {
      finish();
    } else if (have) {
      m_next.swap(ahead);
      m_have_next = true;
      --m_line_no;  // counted again when it is taken
    } else {
      throw fail("the file ends without an END line");
    }
  }
  n = std::min(n, m_decoded.size() - m_pos);
  std::memcpy(buf, m_decoded.data() + m_pos, n);
  m_pos += n;
  return n;
}

ArmorSink::ArmorSink(Sink& out) : m_out(out) {
  std::string h(k_armor_header);
  h.push_back('\n');
  m_out.write(crypto::as_bytes(h), h.size());
}

void ArmorSink::write(const uint8_t* buf, size_t n) {
  m_pending.append(reinterpret_cast<const char*>(buf), n);
  size_t whole = m_pending.size() / k_bytes_per_line * k_bytes_per_line;
  if (whole == 0) return;
  std::string text;
  text.reserve(whole / k_bytes_per_line * (k_columns + 1));
  for (size_t i = 0; i < whole; i += k_bytes_per_line) {
    text += crypto::base64(crypto::as_bytes(m_pending) + i, k_bytes_per_line, true);
    text.push_back('\n');
  }
  m_pending.erase(0, whole);
  m_out.write(crypto::as_bytes(text), text.size());
}

void ArmorSink::finish() {
  std::string text;
  if (!m_pending.empty()) text = crypto::base64(crypto::as_bytes(m_pending), m_pending.size(), true) + "\n";
  text += std::string(k_armor_footer) + "\n";
  m_out.write(crypto::as_bytes(text), text.size());
  m_pending.clear();
}

}  // namespace hc::seal
