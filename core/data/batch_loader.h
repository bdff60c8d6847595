#pragma once
// Loads batches of sites on background threads, ahead of the consumer, so that training and
// embedding never wait for PNG decoding.
//
// Which sites form batch k is a pure function of k (the BatchPlan), so the sequence of batches is
// the same whatever the thread count or timing, and a resumed training run that starts at batch k
// sees exactly the batches an uninterrupted run would have seen.

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/data/screen.h"

namespace gandl::data {

// One image of a batch: a site, whole (tile < 0, area-resized to the resolution) or one tile of
// the site's tile grid at the resolution (see tileGrid()).
struct BatchPick {
  std::size_t site = 0;  // index into the loader's site list
  int tile = -1;
};

struct Batch {
  std::int64_t index = 0;
  int channels = 0;
  int height = 0;
  int width = 0;
  std::vector<float> pixels;     // [n][C][H][W], values in [-1, 1]
  std::vector<BatchPick> picks;  // what each image is
  std::size_t size() const { return picks.size(); }
};

// Must be safe to call from several threads at once (a pure function of the batch index).
using BatchPlan = std::function<std::vector<BatchPick>(std::int64_t batchIndex)>;

class BatchLoader {
 public:
  struct Options {
    int resolution = 64;
    std::int64_t first_batch = 0;
    std::int64_t end_batch = -1;  // one past the last batch; -1 = endless
    int threads = 2;
    int depth = 4;  // batches prepared ahead of the consumer
  };

  BatchLoader(std::vector<Site> sites, BatchPlan plan, Options options);
  ~BatchLoader();  // stops and joins the workers (a batch being decoded is finished first)
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // The next batch in order; std::nullopt after end_batch. Rethrows the first error a worker hit
  // (a DataError naming the file).
  std::optional<Batch> next();

  const std::vector<Site>& sites() const { return sites_; }
  // Seconds next() spent waiting for workers: ~0 when loading keeps up with the consumer.
  double waitedSeconds() const;

 private:
  void work();
  Batch build(std::int64_t index) const;

  std::vector<Site> sites_;
  BatchPlan plan_;
  Options options_;

  mutable std::mutex mutex_;
  std::condition_variable ready_;  // a batch was finished (or an error happened)
  std::condition_variable room_;   // the consumer took a batch, or stop
  std::map<std::int64_t, Batch> done_;
  std::int64_t nextToClaim_ = 0;
  std::int64_t nextToDeliver_ = 0;
  std::exception_ptr error_;
  bool stopping_ = false;
  double waited_ = 0.0;
  std::vector<std::thread> workers_;
};

}  // namespace gandl::data
