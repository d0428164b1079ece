// lib/node/admission: the JSON Lines splitter of POST /v1/txs and the bounded
// queue of peers' transaction batches.
#include <catch2/catch.hpp>

#include <hc/core/error.h>
#include <hc/node/admission.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

using namespace hc;
using namespace hc::node;

TEST_CASE("split_batch keeps non-blank lines with their numbers") {
  auto v = split_batch("a\n\n  \r\nb\r\n\tc", 10);
  REQUIRE(v.size() == 3);
  CHECK(v[0].text == "a");
  CHECK(v[0].line == 1);
  CHECK(v[1].text == "b\r");
  CHECK(v[1].line == 4);
  CHECK(v[2].text == "\tc");
  CHECK(v[2].line == 5);
  CHECK(split_batch("", 10).empty());
  CHECK(split_batch("\n\n", 10).empty());
}

TEST_CASE("split_batch refuses more lines than allowed") {
  CHECK(split_batch("a\nb\n\n", 2).size() == 2);
  try {
    split_batch("a\nb\nc\n", 2);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::data);
    CHECK(e.message() == "more than 2 transactions in one request");
  }
}

namespace {
PeerBatch batch_of(size_t bytes) {
  PeerBatch b;
  b.source = "peer";
  b.message.assign(bytes, 7);
  return b;
}
}  // namespace

TEST_CASE("the admission queue runs batches in order on its thread") {
  std::mutex mu;
  std::vector<size_t> sizes;
  std::atomic<size_t> done{0};
  auto caller = std::this_thread::get_id();
  std::atomic<bool> other_thread{true};
  AdmissionQueue q(1 << 20, [&](PeerBatch& b) {
    if (std::this_thread::get_id() == caller) other_thread = false;
    std::lock_guard lk(mu);
    sizes.push_back(b.message.size());
    ++done;
  });
  for (size_t i = 1; i <= 5; ++i) REQUIRE(q.push(batch_of(i)));
  for (int i = 0; i < 500 && done < 5; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(done == 5);
  CHECK(sizes == std::vector<size_t>{1, 2, 3, 4, 5});
  CHECK(other_thread);
}

TEST_CASE("the admission queue is bounded in bytes and stops") {
  std::atomic<bool> release{false};
  std::atomic<size_t> started{0};
  auto q = std::make_unique<AdmissionQueue>(100, [&](PeerBatch&) {
    ++started;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  REQUIRE(q->push(batch_of(60)));  // taken by the worker, which blocks
  for (int i = 0; i < 500 && started == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(started == 1);
  CHECK(q->push(batch_of(60)));   // waits
  CHECK_FALSE(q->push(batch_of(60)));  // 120 > 100: dropped
  CHECK(q->push(batch_of(40)));   // fits exactly
  CHECK(q->pending() == 2);
  release = true;
  q->stop();
  CHECK_FALSE(q->push(batch_of(1)));
  q.reset();
}
