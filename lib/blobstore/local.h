// The local directory backend. Layout (hc-formats(5), OFF-CHAIN STORE):
//   ROOT/hc-store.json        {"type":"hc-blobstore-v1","hash":"sha-256","fanout":2}
//   ROOT/objects/ab/abcd...   one file per object, named by its address,
//                             in a subfolder named by its first two hex digits
//   ROOT/tmp/                 writes in progress (same file system)
// Files are written to tmp/, fsynced, hard-linked into place (never
// clobbering), and the folder is fsynced; reads hash the whole file before
// releasing any byte and again while releasing it.
#pragma once

#include "blobstore.h"

namespace hc::blobstore {

class LocalBackend : public Backend {
 public:
  LocalBackend(std::string root, const StoreOptions& options);
  ObjectInfo put(const Reader& in, const PutOptions& options) override;
  ObjectInfo get(const std::string& id, const Writer& out) override;
  std::vector<ObjectInfo> list() override;
  std::string describe() const override { return m_root; }

  /// Path of object `id` (whether or not it exists).
  std::string object_path(const std::string& id) const;

 private:
  void require_store() const;
  void init_store();
  std::string m_root;
  uint64_t m_max;
};

}  // namespace hc::blobstore
