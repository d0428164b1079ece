// Formatting of hc::Error for people and reports.
#include <hc/core/error.h>

#include <fmt/format.h>

namespace hc {

const char* exit_name(Exit code) noexcept {
  switch (code) {
    case Exit::ok: return "ok";
    case Exit::invalid: return "invalid";
    case Exit::usage: return "usage";
    case Exit::data: return "data";
    case Exit::no_input: return "no_input";
    case Exit::unavailable: return "unavailable";
    case Exit::internal: return "internal";
    case Exit::cant_create: return "cant_create";
    case Exit::io: return "io";
    case Exit::temp: return "temp";
    case Exit::perm: return "perm";
    case Exit::config: return "config";
  }
  return "unknown";
}

std::string Error::describe() const {
  std::string out;
  if (!m_file.empty()) {
    out += m_file;
    if (m_line != 0) out += fmt::format(":{}", m_line);
    out += ": ";
  }
  if (!m_field.empty()) out += fmt::format("field \"{}\": ", m_field);
  out += m_message;
  return out;
}

const char* Error::what() const noexcept {
  try {
    m_what = describe();
    return m_what.c_str();
  } catch (...) {
    return m_message.c_str();
  }
}

}  // namespace hc
