#include <hc/sensor/parse.h>

#include <array>
#include <charconv>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

namespace hc::sensor {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Strict decimal: -?DIGITS(.DIGITS)?, at most 15 digits, no exponent.
/// Returns the number of characters used (0 = none). The digits make an
/// integer below 2^53 and 10^k is exact for k <= 15, so one IEEE division
/// gives the correctly rounded value, as strtod would (and without
/// std::from_chars<double>, which libstdc++ 12 runs through strtod and a
/// locale switch: 25 times slower here).
size_t parse_number(std::string_view s, double& out) {
  static constexpr double k_pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && s[i] == '-') neg = true, ++i;
  uint64_t mant = 0;
  int digits = 0, frac = 0;
  size_t int_start = i;
  while (i < s.size() && is_digit(s[i])) {
    if (++digits > 15) return 0;
    mant = mant * 10 + static_cast<uint64_t>(s[i] - '0');
    ++i;
  }
  if (i == int_start) return 0;
  if (i < s.size() && s[i] == '.') {
    size_t frac_start = ++i;
    while (i < s.size() && is_digit(s[i])) {
      if (++digits > 15) return 0;
      mant = mant * 10 + static_cast<uint64_t>(s[i] - '0');
      ++frac;
      ++i;
    }
    if (i == frac_start) return 0;
  }
  double v = static_cast<double>(mant) / k_pow10[frac];
  out = neg ? -v : v;
  return i;
}

bool whole_number(std::string_view s, double& out) { return !s.empty() && parse_number(s, out) == s.size(); }

bool parse_uint(std::string_view s, size_t max_digits, uint64_t& out) {
  if (s.empty() || s.size() > max_digits) return false;
  auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string format_value(double v) {
  std::string s = fmt::format("{:.3f}", v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

void set_why(std::string* why, std::string text) {
  if (why) *why = std::move(text);
}

/// True if `s` holds control bytes (other than tab) or is not valid UTF-8;
/// Latin-1 0xBA ('º' as a one-byte sketch may send it) is tolerated by callers
/// that recognised the line first.
bool looks_like_noise(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
      ++i;
      continue;
    }
    size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
    if (n == 0 || i + n > s.size()) return true;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return true;
    i += n;
  }
  return false;
}

/// Lower-cased ASCII with runs of spaces and tabs made one space, trimmed.
std::string fold(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

void skip_spaces(std::string_view& s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
}

/// After a key: optional spaces, ':', optional spaces, a number, then
/// optionally spaces and `unit` (or nothing). `rest` gets what follows.
bool colon_value(std::string_view s, double& out, std::string_view unit = {}, std::string_view* rest = nullptr) {
  skip_spaces(s);
  if (s.empty() || s.front() != ':') return false;
  s.remove_prefix(1);
  skip_spaces(s);
  size_t n = parse_number(s, out);
  if (n == 0) return false;
  s.remove_prefix(n);
  if (rest) {
    *rest = s;
    return true;
  }
  skip_spaces(s);
  if (!unit.empty() && starts_with(s, unit)) s.remove_prefix(unit.size());
  skip_spaces(s);
  return s.empty();
}

std::optional<Position> position_from_text(std::string_view s) {
  if (starts_with(s, "supine")) return Position::supine;
  if (starts_with(s, "left lateral decubitus")) return Position::left_lateral;
  if (starts_with(s, "rigth lateral decubitus") || starts_with(s, "right lateral decubitus"))
    return Position::right_lateral;
  if (starts_with(s, "prone")) return Position::prone;
  if (starts_with(s, "stand or sit")) return Position::upright;
  return std::nullopt;
}

/// "12 of March of 2014 at 09:05" (month as a name or number) in the host's
/// local time, as RFC 3339 with the host's UTC offset; "" if it does not parse.
std::string parse_dump_date(std::string_view s) {
  std::array<std::string_view, 7> tok{};
  size_t n = 0;
  while (!s.empty() && n < tok.size()) {
    skip_spaces(s);
    size_t e = s.find(' ');
    tok[n++] = s.substr(0, e);
    s = e == std::string_view::npos ? std::string_view{} : s.substr(e);
    skip_spaces(s);
  }
  if (n != 7 || !s.empty() || tok[1] != "of" || tok[3] != "of" || tok[5] != "at") return "";
  uint64_t day = 0, month = 0, year = 0, hour = 0, minute = 0;
  if (!parse_uint(tok[0], 2, day) || !parse_uint(tok[4], 4, year)) return "";
  if (!parse_uint(tok[2], 2, month)) {
    static constexpr std::array<const char*, 12> names{"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
    for (size_t m = 0; m < names.size(); ++m)
      if (tok[2].size() >= 3 && starts_with(tok[2], names[m])) month = m + 1;
  }
  auto colon = tok[6].find(':');
  if (colon == std::string_view::npos || !parse_uint(tok[6].substr(0, colon), 2, hour) ||
      !parse_uint(tok[6].substr(colon + 1), 2, minute))
    return "";
  if (day < 1 || day > 31 || month < 1 || month > 12 || year < 2000 || year > 2099 || hour > 23 || minute > 59)
    return "";
  std::tm tm{};
  tm.tm_year = static_cast<int>(year) - 1900;
  tm.tm_mon = static_cast<int>(month) - 1;
  tm.tm_mday = static_cast<int>(day);
  tm.tm_hour = static_cast<int>(hour);
  tm.tm_min = static_cast<int>(minute);
  tm.tm_isdst = -1;
  std::tm copy = tm;
  if (::mktime(&copy) == static_cast<std::time_t>(-1) || copy.tm_mday != tm.tm_mday) return "";
  long off = copy.tm_gmtoff / 60;
  char sign = off < 0 ? '-' : '+';
  off = off < 0 ? -off : off;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:00{}{:02}:{:02}", year, month, day, hour, minute, sign,
                     off / 60, off % 60);
}

}  // namespace

namespace {
constexpr std::array<uint16_t, 256> make_crc_table() {
  std::array<uint16_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    auto crc = static_cast<uint16_t>(i << 8);
    for (int b = 0; b < 8; ++b)
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021) : static_cast<uint16_t>(crc << 1);
    t[i] = crc;
  }
  return t;
}
constexpr auto k_crc_table = make_crc_table();
}  // namespace

uint16_t crc16(std::string_view data) noexcept {
  uint16_t crc = 0xFFFF;
  for (unsigned char c : data) crc = static_cast<uint16_t>((crc << 8) ^ k_crc_table[((crc >> 8) ^ c) & 0xff]);
  return crc;
}

std::string format_hc_line(const Reading& r) {
  std::string body = fmt::format("HC1,{},{},{}", r.seq.value_or(0), r.device_ms.value_or(0), kind_tag(r.kind));
  if (is_waveform(r.kind)) {
    body += ',';
    body += format_value(r.rate_hz);
    for (double s : r.samples) {
      body += ',';
      body += format_value(s);
    }
  } else {
    for (double v : r.values) {
      body += ',';
      body += format_value(v);
    }
  }
  return fmt::format("${}*{:04X}", body, crc16(body));
}

const char* status_name(LineStatus s) noexcept {
  switch (s) {
    case LineStatus::reading: return "reading";
    case LineStatus::recognised: return "recognised";
    case LineStatus::empty: return "empty";
    case LineStatus::checksum: return "checksum";
    case LineStatus::malformed: return "malformed";
    case LineStatus::unknown: return "unknown";
    case LineStatus::noise: return "noise";
  }
  return "?";
}

LineStatus Decoder::decode(std::string_view line, int64_t host_ms, std::vector<Reading>& out, std::string* why) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  if (line.empty()) return LineStatus::empty;
  if (line.size() > k_max_line) {
    set_why(why, "line too long");
    return LineStatus::malformed;
  }
  if (line.front() == '$') return decode_hc(line, host_ms, out, why);
  return decode_ehealth(line, host_ms, out, why);
}

LineStatus Decoder::decode_hc(std::string_view line, int64_t host_ms, std::vector<Reading>& out, std::string* why) {
  size_t star = line.rfind('*');
  if (star == std::string_view::npos || line.size() - star != 5) {
    set_why(why, "no checksum");
    return looks_like_noise(line) ? LineStatus::noise : LineStatus::checksum;
  }
  uint32_t stated = 0;
  for (size_t i = star + 1; i < line.size(); ++i) {
    int h = hex_value(line[i]);
    if (h < 0) {
      set_why(why, "bad checksum digits");
      return LineStatus::checksum;
    }
    stated = stated << 4 | static_cast<uint32_t>(h);
  }
  std::string_view body = line.substr(1, star - 1);
  uint16_t actual = crc16(body);
  if (actual != stated) {
    set_why(why, fmt::format("checksum {:04X}, computed {:04X}", stated, actual));
    return LineStatus::checksum;
  }
  // Fields.
  std::array<std::string_view, 4 + k_max_samples_per_line + 1> f{};
  size_t n = 0;
  while (true) {
    if (n == f.size()) {
      set_why(why, "too many fields");
      return LineStatus::malformed;
    }
    size_t comma = body.find(',');
    f[n++] = body.substr(0, comma);
    if (comma == std::string_view::npos) break;
    body.remove_prefix(comma + 1);
  }
  if (n < 5 || f[0] != "HC1") {
    set_why(why, n < 5 ? "too few fields" : "unknown protocol version");
    return LineStatus::malformed;
  }
  uint64_t seq = 0, dms = 0;
  if (!parse_uint(f[1], 10, seq) || seq > 0xFFFFFFFFu) {
    set_why(why, "bad sequence number");
    return LineStatus::malformed;
  }
  if (!parse_uint(f[2], 15, dms)) {
    set_why(why, "bad device time");
    return LineStatus::malformed;
  }
  auto kind = kind_from_tag(f[3]);
  if (!kind) {
    set_why(why, fmt::format("unknown sensor tag \"{}\"", f[3].substr(0, 16)));
    return LineStatus::malformed;
  }
  Reading r;
  r.kind = *kind;
  r.dialect = Dialect::hc;
  r.host_ms = host_ms;
  r.device_ms = dms;
  r.seq = static_cast<uint32_t>(seq);
  std::vector<double> nums;
  nums.reserve(n - 4);
  for (size_t i = 4; i < n; ++i) {
    double v = 0;
    if (!whole_number(f[i], v)) {
      set_why(why, fmt::format("bad number in field {}", i + 1));
      return LineStatus::malformed;
    }
    nums.push_back(v);
  }
  size_t want = r.kind == Kind::bp ? 2 : 1;
  if (is_waveform(r.kind)) {
    if (nums.size() < 2 || nums[0] <= 0 || nums[0] > 10000) {
      set_why(why, "a waveform line needs a rate (0 < Hz <= 10000) and samples");
      return LineStatus::malformed;
    }
    r.rate_hz = nums[0];
    r.samples.assign(nums.begin() + 1, nums.end());
  } else {
    if (nums.size() != want) {
      set_why(why, fmt::format("{} needs {} value{}", kind_tag(r.kind), want, want > 1 ? "s" : ""));
      return LineStatus::malformed;
    }
    if (r.kind == Kind::position && (nums[0] != std::floor(nums[0]) || nums[0] < 1 || nums[0] > 5)) {
      set_why(why, "position must be 1 to 5");
      return LineStatus::malformed;
    }
    r.values = std::move(nums);
  }
  // Loss accounting: a forward jump is lost lines; a backward one is a device restart.
  if (m_last_seq) {
    uint32_t expected = *m_last_seq + 1;
    uint32_t gap = static_cast<uint32_t>(seq) - expected;
    if (gap != 0 && gap < 0x80000000u) m_gaps += gap;
  }
  m_last_seq = static_cast<uint32_t>(seq);
  out.push_back(std::move(r));
  return LineStatus::reading;
}

LineStatus Decoder::decode_ehealth(std::string_view raw, int64_t host_ms, std::vector<Reading>& out,
                                   std::string* why) {
  std::string folded = fold(raw);
  std::string_view s = folded;
  auto emit = [&](Kind k, std::vector<double> values, std::string device_time = {}) {
    Reading r;
    r.kind = k;
    r.dialect = Dialect::ehealth;
    r.host_ms = host_ms;
    r.device_time = std::move(device_time);
    if (is_waveform(k))
      r.samples = std::move(values);
    else
      r.values = std::move(values);
    out.push_back(std::move(r));
    return LineStatus::reading;
  };
  auto bad = [&](const char* what) {
    set_why(why, fmt::format("bad {} value", what));
    return LineStatus::malformed;
  };
  double v = 0, w = 0;
  bool want_position = m_want_position;
  m_want_position = false;

  if (auto pos = position_from_text(s)) return emit(Kind::position, {static_cast<double>(*pos)});
  if (starts_with(s, "non-defined position")) return LineStatus::recognised;
  if (s.find_first_not_of('=') == std::string_view::npos || s.find_first_not_of('-') == std::string_view::npos)
    return LineStatus::recognised;
  if (starts_with(s, "prbpm")) {
    std::string_view rest;
    if (!colon_value(s.substr(5), v, {}, &rest)) return bad("PRbpm");
    skip_spaces(rest);
    if (!starts_with(rest, "%spo2") || !colon_value(rest.substr(5), w)) return bad("%SPo2");
    emit(Kind::pulse, {v});
    return emit(Kind::spo2, {w});
  }
  if (starts_with(s, "temperature")) {
    // "Temperature (ºC): 36.52" (U+00BA in UTF-8 or Latin-1) or "Temperature : 36.520000".
    size_t colon = s.find(':');
    if (colon == std::string_view::npos || colon > 24) return bad("temperature");
    if (!colon_value(s.substr(colon), v, "c")) return bad("temperature");
    return emit(Kind::temp, {v});
  }
  if (starts_with(s, "ecg value")) {
    if (!colon_value(s.substr(9), v, "v")) return bad("ECG");
    return emit(Kind::ecg, {v * 1000.0});  // the sketch prints volts; hc carries mV
  }
  if (starts_with(s, "emg value")) {
    if (!colon_value(s.substr(9), v)) return bad("EMG");
    return emit(Kind::emg, {v});
  }
  if (starts_with(s, "the airflow value is")) {
    std::string_view rest = s.substr(20);
    skip_spaces(rest);
    if (!whole_number(rest, v)) return bad("airflow");
    return emit(Kind::airflow, {v});
  }
  if (starts_with(s, "conductance voltage") || starts_with(s, "resistance")) {
    size_t key = starts_with(s, "resistance") ? 10 : 19;
    if (!colon_value(s.substr(key), v, "v")) {
      std::string_view r = s.substr(key);
      if (!colon_value(r, v, "ohm") && !colon_value(r, v, "ohms")) return bad("GSR");
    }
    return LineStatus::recognised;  // conductance carries the reading
  }
  if (starts_with(s, "conductance")) {
    if (!colon_value(s.substr(11), v, "us")) return bad("conductance");
    return emit(Kind::gsr, {v});
  }
  if (starts_with(s, "current position") || starts_with(s, "body position")) {
    std::string_view rest = s.substr(starts_with(s, "current") ? 16 : 13);  // after "position"
    skip_spaces(rest);
    if (rest.empty() || rest.front() != ':') return bad("position");
    rest.remove_prefix(1);
    skip_spaces(rest);
    if (rest.empty()) {
      m_want_position = true;
      return LineStatus::recognised;
    }
    if (auto pos = position_from_text(rest)) return emit(Kind::position, {static_cast<double>(*pos)});
    if (starts_with(rest, "non-defined")) return LineStatus::recognised;
    return bad("position");
  }
  if (starts_with(s, "number of measures")) {
    if (!colon_value(s.substr(18), v)) return bad("number of measures");
    m_dump_time.clear();
    m_systolic.reset();
    return LineStatus::recognised;
  }
  if (starts_with(s, "measure number")) {
    m_dump_time.clear();
    m_systolic.reset();
    return LineStatus::recognised;
  }
  if (starts_with(s, "date ->")) {
    m_dump_time = parse_dump_date(s.substr(7));
    return LineStatus::recognised;
  }
  if (starts_with(s, "systolic value")) {
    if (!colon_value(s.substr(14), v, "mmhg")) return bad("systolic");
    m_systolic = v;
    return LineStatus::recognised;
  }
  if (starts_with(s, "diastolic value")) {
    if (!colon_value(s.substr(15), v, "mmhg")) return bad("diastolic");
    if (!m_systolic) {
      set_why(why, "diastolic value without a systolic value before it");
      return LineStatus::malformed;
    }
    double sys = *m_systolic;
    m_systolic.reset();
    return emit(Kind::bp, {sys, v}, m_dump_time);
  }
  if (starts_with(s, "pulse value")) {
    if (!colon_value(s.substr(11), v, "bpm")) return bad("pulse");
    return emit(Kind::pulse, {v}, m_dump_time);
  }
  if (starts_with(s, "glucose value")) {
    if (!colon_value(s.substr(13), v, "mg/dl")) return bad("glucose");
    return emit(Kind::glucose, {v}, m_dump_time);
  }
  if (s == "mmhg" || s == "bpm" || s == "mg/dl") return LineStatus::recognised;  // Raspberry Pi print quirk
  if (want_position) {
    set_why(why, "unknown position name");
    return LineStatus::malformed;
  }
  if (looks_like_noise(raw)) {
    set_why(why, "control or invalid bytes (line noise or wrong baud rate?)");
    return LineStatus::noise;
  }
  set_why(why, "not a line of either dialect");
  return LineStatus::unknown;
}

bool LineSplitter::drop_partial() {
  bool had = !m_buf.empty() && !m_skipping;
  m_buf.clear();
  m_skipping = false;
  m_last_cr = false;
  return had;
}

}  // namespace hc::sensor
