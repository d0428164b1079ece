#include <hc/consensus/safety.h>

#include <hc/core/error.h>
#include <hc/core/io.h>
#include <hc/json/json.h>

#include <sys/stat.h>

#include <tuple>

namespace hc::consensus {

LastSigned FileSafetyStore::load() {
  struct stat st;
  if (::stat(m_path.c_str(), &st) != 0 && errno == ENOENT) return {};
  std::string text = io::read_all(m_path, 4096);
  try {
    auto v = json::parse(text, m_path);
    if (!v.is_object() || v.size() != 5 || json::require_string(v, "type") != "hc-last-signed-v1")
      throw Error(Exit::data, "not an hc-last-signed-v1 record");
    LastSigned l;
    l.any = true;
    const auto& h = json::require(v, "height");
    const auto& r = json::require(v, "round");
    if (!h.is_number_unsigned() || !r.is_number_unsigned() || r.get<uint64_t>() > UINT32_MAX)
      throw Error(Exit::data, "height and round must be unsigned integers");
    l.height = h.get<uint64_t>();
    l.round = uint32_t(r.get<uint64_t>());
    auto s = json::require_string(v, "step");
    if (s == "propose") l.step = Step::propose;
    else if (s == "prevote") l.step = Step::prevote;
    else if (s == "precommit") l.step = Step::precommit;
    else throw Error(Exit::data, "unknown step").field("step");
    auto hash = crypto::unhex(json::require_string(v, "sign_sha256"));
    if (hash.size() != 32) throw Error(Exit::data, "sign_sha256 must be 32 bytes").field("sign_sha256");
    std::copy(hash.begin(), hash.end(), l.sign_hash.begin());
    return l;
  } catch (Error& e) {
    if (e.file().empty()) e.file(m_path);
    throw;
  }
}

void FileSafetyStore::save(const LastSigned& last) {
  json::Value v = {{"type", "hc-last-signed-v1"},
                   {"height", last.height},
                   {"round", last.round},
                   {"step", step_name(last.step)},
                   {"sign_sha256", crypto::hex(last.sign_hash)}};
  io::AtomicFile f(m_path, 0600, io::Overwrite::replace);
  f.write(json::canonical(v) + "\n");
  f.commit();
}

SafetyGuard::SafetyGuard(SafetyStore& store) : m_store(store), m_last(store.load()) {}

bool SafetyGuard::permit(uint64_t height, uint32_t round, Step step, std::string_view sign_bytes) {
  Hash h = crypto::sha256(sign_bytes);
  if (m_last.any) {
    auto now = std::make_tuple(height, round, uint8_t(step));
    auto last = std::make_tuple(m_last.height, m_last.round, uint8_t(m_last.step));
    if (now < last) return false;
    if (now == last) return h == m_last.sign_hash;
  }
  LastSigned next{true, height, round, step, h};
  m_store.save(next);  // durable before the signature exists
  m_last = next;
  return true;
}

}  // namespace hc::consensus
