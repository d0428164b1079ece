// Extraction policies: parsing, the embedded defaults, pattern matching.
#include <hc/ces/policy.h>

#include <hc/ces/sdjwt.h>
#include <hc/core/error.h>
#include <hc/core/io.h>

#include <set>

#include <fmt/format.h>

namespace hc::ces {

// Generated at build time from lib/ces/policy/*.json (see CMakeLists.txt).
extern const std::vector<std::pair<std::string, std::string>> g_embedded_policy_files;

namespace {

std::vector<std::string> strings(const json::Value& obj, const char* key, const std::string& where, Exit code) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) throw Error(code, "must be an array of JSON Pointers").field(where + "." + key);
  for (const auto& s : *it) {
    if (!s.is_string()) throw Error(code, "must be an array of JSON Pointers").field(where + "." + key);
    auto text = s.get<std::string>();
    try {
      if (text.empty()) throw Error(Exit::usage, "the whole resource cannot be a pattern");
      pointer_split(text);
    } catch (const Error& e) {
      throw Error(code, e.message()).field(where + "." + key);
    }
    out.push_back(std::move(text));
  }
  return out;
}

void check_members(const json::Value& v, std::initializer_list<const char*> allowed, const std::string& where,
                   Exit code) {
  for (const auto& [k, _] : v.items()) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || k == a;
    if (!ok) throw Error(code, "unknown member").field(where.empty() ? k : where + "." + k);
  }
}

TypeRules rules_from(const json::Value& v, const std::string& where, Exit code) {
  if (!v.is_object()) throw Error(code, "must be an object").field(where);
  check_members(v, {"plain", "together", "required", "requires", "description", "resourceType"}, where, code);
  TypeRules r;
  r.plain = strings(v, "plain", where, code);
  r.together = strings(v, "together", where, code);
  r.required = strings(v, "required", where, code);
  if (auto it = v.find("requires"); it != v.end() && !it->is_null()) {
    if (!it->is_array()) throw Error(code, "must be an array of {\"if\", \"then\"}").field(where + ".requires");
    for (const auto& rule : *it) {
      if (!rule.is_object() || !rule.contains("if") || !rule.contains("then") || !rule["if"].is_string() ||
          !rule["then"].is_string() || rule.size() != 2)
        throw Error(code, "each rule must be {\"if\": POINTER, \"then\": POINTER}").field(where + ".requires");
      try {
        pointer_split(rule["if"].get<std::string>());
        pointer_split(rule["then"].get<std::string>());
      } catch (const Error& e) {
        throw Error(code, e.message()).field(where + ".requires");
      }
      r.requires_.emplace_back(rule["if"].get<std::string>(), rule["then"].get<std::string>());
    }
  }
  return r;
}

Policy build_default() {
  Policy p;
  bool have_global = false;
  for (const auto& [name, text] : g_embedded_policy_files) {
    auto v = json::parse(text, "policy/" + name);
    if (name == "_policy.json") {
      check_members(v, {"name", "decoy_pad", "description"}, "", Exit::internal);
      p.name = json::require_string(v, "name");
      p.decoy_pad = v.at("decoy_pad").get<unsigned>();
      have_global = true;
      continue;
    }
    auto type = json::require_string(v, "resourceType");
    p.resources[type] = rules_from(v, "policy/" + name, Exit::internal);
  }
  if (!have_global) throw Error(Exit::internal, "the embedded policy lacks _policy.json");
  return p;
}

}  // namespace

json::Value TypeRules::to_json() const {
  json::Value v = json::Value::object();
  if (!plain.empty()) v["plain"] = plain;
  if (!together.empty()) v["together"] = together;
  if (!required.empty()) v["required"] = required;
  if (!requires_.empty()) {
    json::Value arr = json::Value::array();
    for (const auto& [a, b] : requires_) arr.push_back({{"if", a}, {"then", b}});
    v["requires"] = std::move(arr);
  }
  return v;
}

TypeRules TypeRules::from_json(const json::Value& v, const std::string& where) {
  return rules_from(v, where, Exit::config);
}

const TypeRules* Policy::rules_for(const std::string& type) const {
  auto it = resources.find(type);
  if (it != resources.end()) return &it->second;
  it = resources.find("*");
  return it == resources.end() ? nullptr : &it->second;
}

json::Value Policy::to_claim(const std::vector<std::string>& types) const {
  json::Value res = json::Value::object();
  for (const auto& t : types) {
    auto it = resources.find(t);
    if (it == resources.end()) it = resources.find("*");
    if (it != resources.end()) res[it->first] = it->second.to_json();
  }
  return json::Value{{"name", name}, {"decoy_pad", decoy_pad}, {"resources", std::move(res)}};
}

json::Value Policy::to_json() const {
  json::Value res = json::Value::object();
  for (const auto& [t, r] : resources) res[t] = r.to_json();
  return json::Value{{"name", name}, {"decoy_pad", decoy_pad}, {"resources", std::move(res)}};
}

Policy Policy::from_json(const json::Value& v, const std::string& source, Exit code) {
  try {
    if (!v.is_object()) throw Error(code, "a policy must be a JSON object");
    check_members(v, {"name", "decoy_pad", "resources", "description"}, "", code);
    Policy p;
    auto name = v.find("name");
    if (name == v.end() || !name->is_string() || name->get<std::string>().empty())
      throw Error(code, "missing or not a string").field("name");
    p.name = name->get<std::string>();
    if (auto d = v.find("decoy_pad"); d != v.end()) {
      if (!d->is_number_unsigned() || d->get<uint64_t>() > 64)
        throw Error(code, "must be an integer from 0 to 64").field("decoy_pad");
      p.decoy_pad = d->get<unsigned>();
    }
    auto res = v.find("resources");
    if (res == v.end() || !res->is_object()) throw Error(code, "missing or not an object").field("resources");
    for (const auto& [t, r] : res->items()) p.resources[t] = rules_from(r, "resources." + t, code);
    return p;
  } catch (Error& e) {
    if (e.file().empty()) e.file(source);
    throw;
  }
}

const std::vector<std::pair<std::string, std::string>>& default_policy_files() { return g_embedded_policy_files; }

const Policy& default_policy() {
  static const Policy p = build_default();
  return p;
}

Policy load_policy(const std::string& path) {
  auto text = io::read_all(path, 1u << 20);
  json::Value v;
  try {
    v = json::parse(text, path, {.max_bytes = 1u << 20, .max_depth = 16});
  } catch (const Error& e) {
    throw Error(Exit::config, e.message()).file(e.file()).line(e.line());
  }
  return Policy::from_json(v, path, Exit::config);
}

bool pattern_match(const std::vector<std::string>& pattern, const std::vector<std::string>& tokens, size_t offset) {
  if (tokens.size() < offset || tokens.size() - offset != pattern.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i)
    if (pattern[i] != "*" && pattern[i] != tokens[offset + i]) return false;
  return true;
}

bool pattern_match_prefix(const std::vector<std::string>& pattern, const std::vector<std::string>& tokens,
                          size_t offset, bool include_self) {
  if (tokens.size() < offset) return false;
  size_t n = tokens.size() - offset;
  size_t limit = include_self ? n : (n == 0 ? 0 : n - 1);
  if (pattern.size() > limit || pattern.empty()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const std::string& p = pattern[i];
    if (!(p.size() == 1 && p[0] == '*') && p != tokens[offset + i]) return false;
  }
  return true;
}

}  // namespace hc::ces
