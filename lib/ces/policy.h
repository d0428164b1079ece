// The extraction policy (the CEAS of the BPDS design): per FHIR resource type,
// what is signed in the clear, what is disclosed as one piece, what every
// document must have, and which parts need which others. The signer's policy
// goes into the signed "hc_policy" claim; hc-extract and hc-verify enforce it.
// File format in hc-formats(5); defaults in lib/ces/policy/, embedded.
#pragma once

#include <hc/core/error.h>
#include <hc/json/json.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hc::ces {

/// Rules for one resource type. Patterns are JSON Pointers relative to the
/// resource, where a "*" token matches any one member name or array index.
struct TypeRules {
  std::vector<std::string> plain;     ///< signed in the clear with everything under them: never removable
  std::vector<std::string> together;  ///< one disclosure each: removed or kept whole
  std::vector<std::string> required;  ///< pointers (no "*") that must exist in every document
  /// {if, then}: wherever the "if" part is disclosed, the "then" part (same
  /// "*" bindings) must be too.
  std::vector<std::pair<std::string, std::string>> requires_;

  json::Value to_json() const;
  static TypeRules from_json(const json::Value& v, const std::string& where);
};

struct Policy {
  std::string name = "hc-default-v1";
  /// Decoys: each `_sd` array and each array with disclosable elements is
  /// padded with decoy digests up to the next multiple of `decoy_pad` above
  /// the real count (so always at least one decoy). 0 turns decoys off.
  unsigned decoy_pad = 4;
  std::map<std::string, TypeRules> resources;  ///< by resourceType; "*" = any other type

  /// The rules for `type`, or those of "*"; nullptr if neither exists.
  const TypeRules* rules_for(const std::string& type) const;
  /// The signed claim: this policy restricted to `types` (and "*" if used).
  json::Value to_claim(const std::vector<std::string>& types) const;
  json::Value to_json() const;
  /// Parses a policy file or claim. Errors name `source` and the field;
  /// `code` is the exit code for malformed policies (config for files the
  /// user passes, invalid for a signed claim).
  static Policy from_json(const json::Value& v, const std::string& source, Exit code);
};

/// The built-in policy: lib/ces/policy/*.json, embedded at build time.
const Policy& default_policy();
/// The embedded policy files as (file name, text), for documentation and tests.
const std::vector<std::pair<std::string, std::string>>& default_policy_files();
/// Reads a policy file (Error{config} if malformed, Error{no_input} if missing).
Policy load_policy(const std::string& path);

/// Pattern tokens (from a pointer with "*" wildcards) against a pointer's tokens.
bool pattern_match(const std::vector<std::string>& pattern, const std::vector<std::string>& tokens,
                   size_t offset = 0);
/// True if some prefix of `tokens[offset..]` (itself included when
/// `include_self`) matches `pattern`.
bool pattern_match_prefix(const std::vector<std::string>& pattern, const std::vector<std::string>& tokens,
                          size_t offset, bool include_self);

}  // namespace hc::ces
