// hc::share::Index — a persisted index of the sharing transactions, so that
// one consent check, grant, revoke or release costs O(log n) B-tree lookups
// at any chain length instead of a read of every block (Chain::load).
//
//   share::Index ix(ledger);                 // opens DIR/share-index, catches up
//   Chain c = ix.for_check(request, height); // what check() needs, nothing more
//   check(c, request)                        // the same answer as on Chain::load
//
// The index is derived data kept in its own LMDB environment beside the
// ledger (DIR/share-index/), never part of the ledger itself:
//   meta    "version" → "1"; "chain" → chain ID; "height" → be64 last block
//           indexed; "hash" → that block's hash (32 bytes)
//   emr     EMR (64 hex) be64(height) be32(index) → tx ID (32)      emr.index
//   pair    grantor "/" grantee-or-* "/" be64(height) be32(index) → grant ID (64 hex)
//   grant   grant ID (64 hex) → be64(h) be32(i) tx ID (32)
//           [+ revocation: be64(h) be32(i) tx ID (32) be64(time)]
//   request request ID (64 hex) be64(height) be32(index) → ""      access with ext.request
// Opening checks the stored chain ID and the hash of the last indexed block
// against the ledger, rebuilding from scratch if they differ (another chain,
// a re-imported ledger); it then indexes the blocks appended since, so a
// command pays only for the blocks added since the previous one. Every record
// read is fetched from the ledger by its transaction ID and checked against
// the key that led to it (kind, height, EMR, grant ID), so a damaged index
// cannot substitute a record. It can still omit one (a revocation, a deny):
// the folder is as sensitive as the ledger's own (mode 0700), hc-ledger
// verify does not check it, and deleting it is always safe (it is rebuilt).
//
// Determinism: answers at height H use only records at heights <= H, and
// check() evaluates them with the same consent::State code, so the decision,
// reason and rule are those Chain::load(ledger, H) gives (the unit tests
// compare the two at every height).
//
// If the index cannot be kept (the folder is not writable, a read-only
// medium), Index reads the whole chain instead: slower, same answers.
#pragma once

#include <hc/share/share.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hc::share {

class Index {
 public:
  /// Opens (creating or rebuilding as needed) the index of `ledger` and
  /// brings it up to the ledger's head. The ledger must outlive the Index.
  explicit Index(ledger::Ledger& ledger);
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  /// False when the index could not be kept and answers come from reading
  /// every block; why() says what failed.
  bool persisted() const;
  const std::string& why() const;

  const std::string& chain_id() const;
  /// The last block the index covers (the ledger's head when it was opened).
  uint64_t head() const;
  /// `height`, or the head if none; Error{usage} if beyond the head.
  uint64_t height(std::optional<uint64_t> height) const;

  /// A Chain holding what check() needs for `request` at `height` (default
  /// head): chain ID, height, that block's time, the index entries of
  /// request.emr, and the grants (with revocations) whose grantor indexed it
  /// and whose grantee is request.grantee or "*". Error{usage} if `height` is
  /// beyond the head, as Chain::load.
  Chain for_check(const CheckRequest& request, std::optional<uint64_t> height = std::nullopt);

  /// The index entries of one EMR up to `height`, in chain order.
  std::vector<IndexEntry> find_index(const std::string& emr, std::optional<uint64_t> height = std::nullopt);
  /// One grant, with its revocation if that is at or below `height`.
  std::optional<GrantRecord> grant(const std::string& id, std::optional<uint64_t> height = std::nullopt);
  /// The first access record that answered the signed request `request_id`.
  std::optional<AccessRecord> answer(const std::string& request_id, std::optional<uint64_t> height = std::nullopt);

  /// Folder of the index of a ledger in `ledger_dir`.
  static std::string folder(const std::string& ledger_dir);

 private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

}  // namespace hc::share
