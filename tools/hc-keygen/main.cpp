// hc-keygen: create and manage hc key pairs (see hc-keygen(1)).
#include "common/cli.h"
#include "common/options.h"

#include <hc/core/io.h>
#include <hc/keys/keys.h>
#include <hc/seal/age.h>

#include <fmt/format.h>

namespace {

struct Options {
  std::string role = "doctor", label, output, key_file, pub_file;
  std::string passphrase_file, new_passphrase_file;
  bool no_passphrase = false, quiet = false, pem = false, jwk = false, force = false;
  bool age_recipient = false, age_identity = false;
  uint32_t argon2_memory = hc::crypto::Argon2Params{}.memory_kib;
  uint32_t argon2_iterations = hc::crypto::Argon2Params{}.iterations;
};

hc::keys::SealOptions seal_options(const Options& o) {
  hc::keys::SealOptions s;
  s.argon2.memory_kib = o.argon2_memory;
  s.argon2.iterations = o.argon2_iterations;
  return s;
}

hc::keys::PassphraseFn unlock(const Options& o, const std::string& what) {
  return hc::tool::passphrase_for(what, {.file = o.passphrase_file});
}

void add_kdf_options(CLI::App* cmd, Options& o) {
  cmd->add_option("--argon2-memory", o.argon2_memory, "Argon2id memory in KiB (default 65536 = 64 MiB)")
      ->check(CLI::Range(8u, 4u << 20));
  cmd->add_option("--argon2-iterations", o.argon2_iterations, "Argon2id passes (default 3)")->check(CLI::Range(1, 64));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Create and manage hc keys: an Ed25519 signing key and an X25519 encryption key per person or "
               "organisation, kept in a passphrase-protected file."};
  hc::tool::setup(app, "hc-keygen");
  Options o;
  app.add_flag("-q,--quiet", o.quiet, "Print nothing but data and errors");
  app.require_subcommand(1);
  app.fallthrough();  // global flags such as --quiet may follow the subcommand

  auto* cmd_new = app.add_subcommand("new", "Create NAME.key (private, mode 0600) and NAME.pub (public)");
  cmd_new->add_option("--role", o.role, "doctor, patient or org")->check(CLI::IsMember({"doctor", "patient", "org"}));
  cmd_new->add_option("--label", o.label, "Name shown with the key, e.g. \"Dr Alice Example\"")->required();
  cmd_new->add_option("-o,--output", o.output, "Path prefix of the two files (NAME.key, NAME.pub)")->required();
  cmd_new->add_option("--passphrase-file", o.passphrase_file, "Read the new passphrase from the first line of FILE");
  cmd_new->add_flag("--no-passphrase", o.no_passphrase, "Store the private key unencrypted (not recommended)");
  add_kdf_options(cmd_new, o);

  auto* cmd_pub = app.add_subcommand("pub", "Print the public key file of a private key");
  cmd_pub->add_option("KEY", o.key_file, "Private key file")->required();
  cmd_pub->add_option("-o,--output", o.output, "Write to FILE instead of standard output");
  cmd_pub->add_flag("-f,--force", o.force, "Replace an existing output file");
  cmd_pub->add_option("--passphrase-file", o.passphrase_file, "Read the passphrase from FILE");

  auto* cmd_id = app.add_subcommand("id", "Print the key ID (patient public ID) of a key file");
  cmd_id->add_option("FILE", o.pub_file, "Public or private key file")->required();

  auto* cmd_passwd = app.add_subcommand("passwd", "Change the passphrase of a private key file, atomically");
  cmd_passwd->add_option("KEY", o.key_file, "Private key file")->required();
  cmd_passwd->add_option("--passphrase-file", o.passphrase_file, "Current passphrase from FILE");
  cmd_passwd->add_option("--new-passphrase-file", o.new_passphrase_file, "New passphrase from FILE");
  cmd_passwd->add_flag("--no-passphrase", o.no_passphrase, "Remove the passphrase (not recommended)");
  add_kdf_options(cmd_passwd, o);

  auto* cmd_export = app.add_subcommand("export", "Print a public key in a standard form for other tools");
  auto* pem = cmd_export->add_flag("--pem", o.pem, "SubjectPublicKeyInfo PEM (RFC 8410), for openssl");
  auto* jwk = cmd_export->add_flag("--jwk", o.jwk, "OKP JSON Web Key (RFC 8037), for JOSE and SD-JWT tools");
  auto* age_r = cmd_export->add_flag("--age-recipient", o.age_recipient,
                                     "age recipient (age1...) of the X25519 key, for age -r");
  auto* age_i = cmd_export->add_flag("--age-identity", o.age_identity,
                                     "age identity file (AGE-SECRET-KEY-1...) of a private key, for age -d -i: "
                                     "a SECRET, printed to standard output only");
  pem->excludes(jwk, age_r, age_i);
  jwk->excludes(age_r, age_i);
  age_r->excludes(age_i);
  cmd_export->add_option("--passphrase-file", o.passphrase_file, "Passphrase of the private key (--age-identity)");
  cmd_export->add_option("FILE", o.pub_file, "Public or private key file")->required();

  cmd_export->callback([&] {
    if (!o.pem && !o.jwk && !o.age_recipient && !o.age_identity)
      throw CLI::RequiredError("--pem, --jwk, --age-recipient or --age-identity");
  });

  return hc::tool::run(app, argc, argv, [&]() -> int {
    hc::tool::set_quiet(o.quiet);
    if (cmd_new->parsed()) {
      auto key = hc::keys::generate(hc::keys::parse_role(o.role), o.label, hc::keys::now_rfc3339());
      if (o.no_passphrase) {
        hc::tool::warn("the private key is stored UNENCRYPTED: anyone who can read " + o.output +
                       ".key can sign as you");
        hc::keys::write_key_pair(o.output, key, nullptr, seal_options(o));
      } else {
        auto pass = hc::tool::read_new_passphrase({.file = o.passphrase_file}, o.output + ".key");
        hc::keys::write_key_pair(o.output, key, &pass, seal_options(o));
      }
      hc::tool::note(fmt::format("created {0}.key and {0}.pub, key ID {1}", o.output, key.pub.key_id));
      hc::tool::print_json(key.pub.to_json());
    } else if (cmd_pub->parsed()) {
      // Decrypt, so the public keys printed are derived from the secrets and
      // not copied from the file's unauthenticated clear members.
      auto key = hc::tool::unlock_key(o.key_file, {.file = o.passphrase_file});
      hc::io::write_output(o.output, hc::json::dump(key.pub.to_json(), true), o.force);
    } else if (cmd_id->parsed()) {
      hc::io::write_stdout(hc::keys::load_public(o.pub_file).key_id + "\n");
    } else if (cmd_passwd->parsed()) {
      if (o.no_passphrase) {
        hc::tool::warn("the private key will be stored UNENCRYPTED");
        hc::keys::change_passphrase(o.key_file, unlock(o, o.key_file), nullptr, seal_options(o));
      } else {
        auto fresh = hc::tool::read_new_passphrase({.file = o.new_passphrase_file, .env_name = "HC_NEW_PASSPHRASE"},
                                                   o.key_file);
        hc::keys::change_passphrase(o.key_file, unlock(o, o.key_file), &fresh, seal_options(o));
      }
      hc::tool::note("passphrase changed");
    } else if (cmd_export->parsed() && o.age_identity) {
      // The identity is the key file's X25519 scalar: decrypted like any
      // private-key read, written to stdout only, wiped after.
      auto key = hc::tool::unlock_key(o.pub_file, {.file = o.passphrase_file});
      auto recipient = hc::seal::recipient_string(hc::crypto::x25519_public(key.x25519_secret));
      if (recipient != hc::seal::recipient_string(key.pub.x25519))
        throw hc::Error(hc::Exit::data, "the key file's X25519 public key does not match its secret").file(o.pub_file);
      hc::crypto::SecretString text("# hc key ID: " + key.pub.key_id + "\n# public key: ");
      text.append(recipient.data(), recipient.size());
      text.push_back('\n');
      auto id = hc::seal::identity_string(key.x25519_secret);
      text.append(id.data(), id.size());
      text.push_back('\n');
      // write(2) straight from the wiped buffer: no stdio copy of the secret.
      hc::seal::StdoutSink().write(hc::crypto::as_bytes({text.data(), text.size()}), text.size());
    } else if (cmd_export->parsed() && o.age_recipient) {
      hc::io::write_stdout(hc::seal::recipient_string(hc::keys::load_public(o.pub_file).x25519) + "\n");
    } else if (cmd_export->parsed()) {
      auto pub = hc::keys::load_public(o.pub_file);
      hc::io::write_stdout(o.pem ? hc::keys::to_pem(pub) : hc::json::dump(hc::keys::to_jwk(pub), false));
    }
    return 0;
  });
}
