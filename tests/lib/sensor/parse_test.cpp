// Both line dialects, line splitting and fault classification.
#include <catch2/catch.hpp>

#include <hc/sensor/parse.h>

#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

using namespace hc::sensor;

namespace {

struct Decoded {
  LineStatus status;
  std::vector<Reading> readings;
  std::string why;
};

Decoded decode(Decoder& d, std::string_view line) {
  Decoded r;
  r.status = d.decode(line, 1000, r.readings, &r.why);
  return r;
}

Decoded decode1(std::string_view line) {
  Decoder d;
  return decode(d, line);
}

std::string hc_line(Kind k, std::vector<double> values, uint32_t seq = 7, double rate = 0) {
  Reading r;
  r.kind = k;
  r.seq = seq;
  r.device_ms = 1234;
  if (is_waveform(k)) {
    r.samples = std::move(values);
    r.rate_hz = rate;
  } else {
    r.values = std::move(values);
  }
  return format_hc_line(r);
}

std::string hex4(uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04X", v);
  return buf;
}

}  // namespace

TEST_CASE("CRC-16/CCITT-FALSE check value") {
  CHECK(crc16("123456789") == 0x29B1);
  CHECK(crc16("") == 0xFFFF);
}

TEST_CASE("hc protocol: every kind round-trips") {
  struct Case {
    Kind kind;
    std::vector<double> values;
    double rate;
  };
  std::vector<Case> cases = {{Kind::pulse, {72}, 0},       {Kind::spo2, {97}, 0},     {Kind::resp, {14}, 0},
                             {Kind::temp, {36.52}, 0},     {Kind::bp, {120, 80}, 0},  {Kind::glucose, {95}, 0},
                             {Kind::gsr, {2.31}, 0},       {Kind::position, {3}, 0},  {Kind::ecg, {0.1, -0.25, 1.2}, 250},
                             {Kind::emg, {412, 500}, 500}, {Kind::airflow, {512}, 50}};
  for (auto& c : cases) {
    std::string line = hc_line(c.kind, c.values, 7, c.rate);
    INFO(line);
    auto d = decode1(line);
    REQUIRE(d.status == LineStatus::reading);
    REQUIRE(d.readings.size() == 1);
    const auto& r = d.readings[0];
    CHECK(r.kind == c.kind);
    CHECK(r.dialect == Dialect::hc);
    CHECK(r.seq == 7u);
    CHECK(r.device_ms == 1234u);
    CHECK(r.host_ms == 1000);
    if (is_waveform(c.kind)) {
      CHECK(r.samples == c.values);
      CHECK(r.rate_hz == c.rate);
    } else {
      CHECK(r.values == c.values);
    }
  }
  CHECK(hc_line(Kind::pulse, {72}, 0) == "$HC1,0,1234,PULSE,72*" + hex4(crc16("HC1,0,1234,PULSE,72")));
}

TEST_CASE("hc protocol: corruption and bad content are told apart") {
  std::string good = hc_line(Kind::temp, {36.5});
  std::string flipped = good;
  flipped[good.find("36.5")] = '4';
  CHECK(decode1(flipped).status == LineStatus::checksum);
  CHECK(decode1(good.substr(0, good.size() - 5)).status == LineStatus::checksum);  // no checksum
  CHECK(decode1(good.substr(0, good.size() - 1)).status == LineStatus::checksum);  // truncated
  std::string lower = good;
  for (auto& c : lower) c = static_cast<char>(std::tolower(c));
  CHECK(decode1("$" + lower.substr(1)).status != LineStatus::reading);
  auto signed_line = [](std::string body) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", crc16(body));
    return "$" + body + "*" + buf;
  };
  CHECK(decode1(signed_line("HC1,1,2,TEMP,36.5")).status == LineStatus::reading);
  CHECK(decode1(signed_line("HC2,1,2,TEMP,36.5")).status == LineStatus::malformed);
  CHECK(decode1(signed_line("HC1,1,2,FOO,36.5")).status == LineStatus::malformed);
  CHECK(decode1(signed_line("HC1,1,2,TEMP")).status == LineStatus::malformed);
  CHECK(decode1(signed_line("HC1,1,2,TEMP,36.5,1")).status == LineStatus::malformed);
  CHECK(decode1(signed_line("HC1,1,2,TEMP,1e3")).status == LineStatus::malformed);
  CHECK(decode1(signed_line("HC1,1,2,TEMP,.5")).status == LineStatus::malformed);
  CHECK(decode1(signed_line("HC1,1,2,BP,120")).status == LineStatus::malformed);
  CHECK(decode1(signed_line("HC1,1,2,POS,6")).status == LineStatus::malformed);
  CHECK(decode1(signed_line("HC1,1,2,POS,2.5")).status == LineStatus::malformed);
  CHECK(decode1(signed_line("HC1,1,2,ECG,0,1,2")).status == LineStatus::malformed);
  CHECK(decode1(signed_line("HC1,1,2,ECG,250")).status == LineStatus::malformed);
  CHECK(decode1(signed_line("HC1,4294967296,2,PULSE,1")).status == LineStatus::malformed);
  CHECK(decode1(signed_line("HC1,-1,2,PULSE,1")).status == LineStatus::malformed);
  std::string many = "HC1,1,2,ECG,250";
  for (int i = 0; i < 201; ++i) many += ",1";
  CHECK(decode1(signed_line(many)).status == LineStatus::malformed);
}

TEST_CASE("hc protocol: sequence gaps count lost lines") {
  Decoder d;
  for (uint32_t s : {0u, 1u, 2u, 5u, 6u, 10u}) REQUIRE(decode(d, hc_line(Kind::pulse, {70}, s)).status == LineStatus::reading);
  CHECK(d.seq_gaps() == 2 + 3);
  REQUIRE(decode(d, hc_line(Kind::pulse, {70}, 0)).status == LineStatus::reading);  // device restart
  CHECK(d.seq_gaps() == 5);
  REQUIRE(decode(d, hc_line(Kind::pulse, {70}, 1)).status == LineStatus::reading);
  CHECK(d.seq_gaps() == 5);
  Decoder w;
  decode(w, hc_line(Kind::pulse, {70}, 0xFFFFFFFFu));
  decode(w, hc_line(Kind::pulse, {70}, 0));  // wraps
  CHECK(w.seq_gaps() == 0);
}

TEST_CASE("e-Health: the sketches' single-line forms") {
  auto one = [](std::string_view line, Kind k, double v) {
    INFO(std::string(line));
    auto d = decode1(line);
    REQUIRE(d.status == LineStatus::reading);
    REQUIRE(d.readings.size() == 1);
    CHECK(d.readings[0].kind == k);
    CHECK(d.readings[0].dialect == Dialect::ehealth);
    const auto& xs = is_waveform(k) ? d.readings[0].samples : d.readings[0].values;
    REQUIRE(xs.size() == 1);
    CHECK(xs[0] == Approx(v));
  };
  one("ECG value :  1.23 V", Kind::ecg, 1230);
  one("ECG value :  1.234567 V", Kind::ecg, 1234.567);
  one("Temperature (\xc2\xba" "C): 36.52", Kind::temp, 36.52);  // U+00BA in UTF-8
  one("Temperature (\xba" "C): 36.52", Kind::temp, 36.52);      // the same as one Latin-1 byte
  one("Temperature : 36.520000", Kind::temp, 36.52);              // Raspberry Pi build
  one("Temperature(*C):36.5", Kind::temp, 36.5);
  one("The Airflow Value is 512", Kind::airflow, 512);
  one("Conductance : 2.31", Kind::gsr, 2.31);
  one("Conductance : 2.310000", Kind::gsr, 2.31);
  one("EMG value :  412", Kind::emg, 412);
  one("  EMG   value:412\r", Kind::emg, 412);
  one("Current position : Supine position", Kind::position, 1);
  one("Current position : Left lateral decubitus", Kind::position, 2);
  one("Current position : Rigth lateral decubitus", Kind::position, 3);
  one("Current position : Right lateral decubitus", Kind::position, 3);
  one("Current position : Prone position", Kind::position, 4);
  one("Current position : Stand or sit position", Kind::position, 5);
  one("Body Position: Prone position", Kind::position, 4);
  one("Stand or sit position", Kind::position, 5);
  CHECK(decode1("Resistance : 432900.00").status == LineStatus::recognised);
  CHECK(decode1("Conductance Voltage : 0.23").status == LineStatus::recognised);
  CHECK(decode1("=============================").status == LineStatus::recognised);
  CHECK(decode1("Current position : non-defined position").status == LineStatus::recognised);
}

TEST_CASE("e-Health: pulse oximeter line gives two readings") {
  auto d = decode1("PRbpm : 72    %SPo2 : 97");
  REQUIRE(d.status == LineStatus::reading);
  REQUIRE(d.readings.size() == 2);
  CHECK(d.readings[0].kind == Kind::pulse);
  CHECK(d.readings[0].values[0] == 72);
  CHECK(d.readings[1].kind == Kind::spo2);
  CHECK(d.readings[1].values[0] == 97);
  CHECK(decode1("PRbpm : 72 %SPo2 : x").status == LineStatus::malformed);
}

TEST_CASE("e-Health: multi-line records") {
  Decoder d;
  SECTION("position name on the next line") {
    CHECK(decode(d, "Current position : ").status == LineStatus::recognised);
    auto r = decode(d, "Rigth lateral decubitus");
    REQUIRE(r.status == LineStatus::reading);
    CHECK(r.readings[0].values[0] == 3);
    CHECK(decode(d, "Current position :").status == LineStatus::recognised);
    CHECK(decode(d, "Sideways").status == LineStatus::malformed);
  }
  SECTION("blood pressure memory dump") {
    CHECK(decode(d, "Number of measures : 2").status == LineStatus::recognised);
    CHECK(decode(d, "Measure number 1").status == LineStatus::recognised);
    CHECK(decode(d, "Date -> 12 of March of 2026 at 09:05").status == LineStatus::recognised);
    CHECK(decode(d, "Systolic value : 120 mmHg").status == LineStatus::recognised);
    auto bp = decode(d, "Diastolic value : 80 mmHg");
    REQUIRE(bp.status == LineStatus::reading);
    CHECK(bp.readings[0].kind == Kind::bp);
    CHECK(bp.readings[0].values == std::vector<double>{120, 80});
    CHECK(bp.readings[0].device_time.substr(0, 19) == "2026-03-12T09:05:00");
    auto pulse = decode(d, "Pulse value : 72 bpm");
    REQUIRE(pulse.status == LineStatus::reading);
    CHECK(pulse.readings[0].kind == Kind::pulse);
    CHECK(pulse.readings[0].device_time.substr(0, 16) == "2026-03-12T09:05");
    // Measure 2, Raspberry Pi style: the unit on a line of its own.
    CHECK(decode(d, "Measure number 2").status == LineStatus::recognised);
    CHECK(decode(d, "Date -> 1 of 13 of 2026 at 25:05").status == LineStatus::recognised);  // unreadable date
    CHECK(decode(d, "Systolic value : 135").status == LineStatus::recognised);
    CHECK(decode(d, " mmHg").status == LineStatus::recognised);
    auto bp2 = decode(d, "Diastolic value : 91 mmHg");
    REQUIRE(bp2.status == LineStatus::reading);
    CHECK(bp2.readings[0].device_time.empty());  // falls back to the host clock
    CHECK(decode(d, "Diastolic value : 91 mmHg").status == LineStatus::malformed);  // no systolic before it
  }
  SECTION("glucometer dump") {
    decode(d, "Number of measures : 1");
    decode(d, "Measure number 1");
    decode(d, "Date -> 3 of Nov of 2026 at 07:30");
    auto g = decode(d, "Glucose value : 95 mg/dL");
    REQUIRE(g.status == LineStatus::reading);
    CHECK(g.readings[0].kind == Kind::glucose);
    CHECK(g.readings[0].values[0] == 95);
    CHECK(g.readings[0].device_time.substr(0, 16) == "2026-11-03T07:30");
  }
}

TEST_CASE("faults: garbage, noise and bad values are classified") {
  CHECK(decode1("").status == LineStatus::empty);
  CHECK(decode1("   \r").status == LineStatus::empty);
  CHECK(decode1("hello world").status == LineStatus::unknown);
  CHECK(decode1("Body position").status == LineStatus::malformed);  // found by sensor_ehealth_fuzz
  CHECK(decode1("current position").status == LineStatus::malformed);
  CHECK(decode1("\xfe\x81\x93\x07\xc3").status == LineStatus::noise);  // wrong baud rate
  CHECK(decode1("ab\x01" "cd").status == LineStatus::noise);
  CHECK(decode1("ECG value : abc V").status == LineStatus::malformed);
  CHECK(decode1("Temperature (\xc2\xba" "C): ").status == LineStatus::malformed);
  CHECK(decode1("Glucose value : 95 furlongs").status == LineStatus::malformed);
  CHECK(decode1(std::string(k_max_line + 1, 'A')).status == LineStatus::malformed);
}

TEST_CASE("LineSplitter: partial lines, CRLF across reads, over-long lines") {
  LineSplitter sp;
  std::vector<std::string> lines;
  int overlong = 0;
  auto on_line = [&](std::string_view l) { lines.emplace_back(l); };
  auto on_over = [&] { ++overlong; };
  sp.feed("ab", on_line, on_over);
  CHECK(lines.empty());
  CHECK(sp.pending() == 2);
  sp.feed("c\r", on_line, on_over);
  sp.feed("\nde\n\nf", on_line, on_over);
  CHECK(lines == std::vector<std::string>{"abc", "de", ""});
  CHECK(sp.partial() == "f");
  sp.feed(std::string(k_max_line, 'x'), on_line, on_over);  // "f" + 1024 x: too long
  sp.feed("yyy\r\nok\n", on_line, on_over);
  CHECK(overlong == 1);
  CHECK(lines.back() == "ok");
  sp.feed("tail", on_line, on_over);
  CHECK(sp.drop_partial());
  CHECK_FALSE(sp.drop_partial());
  std::string exact(k_max_line, 'z');
  sp.feed(exact + "\n", on_line, on_over);
  CHECK(lines.back() == exact);
}
