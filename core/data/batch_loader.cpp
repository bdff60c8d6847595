#include "core/data/batch_loader.h"

#include <chrono>
#include <cstring>

#include "core/data/site_loader.h"

namespace gandl::data {

BatchLoader::BatchLoader(std::vector<Site> sites, BatchPlan plan, Options options)
    : sites_(std::move(sites)), plan_(std::move(plan)), options_(options) {
  nextToClaim_ = nextToDeliver_ = options_.first_batch;
  const int threads = std::max(1, options_.threads);
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  room_.notify_all();
  ready_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void BatchLoader::work() {
  for (;;) {
    std::int64_t index = 0;
    {
      std::unique_lock lock(mutex_);
      room_.wait(lock,
                 [&] { return stopping_ || error_ || nextToClaim_ < nextToDeliver_ + std::max(1, options_.depth); });
      if (stopping_ || error_) return;
      if (options_.end_batch >= 0 && nextToClaim_ >= options_.end_batch) return;
      index = nextToClaim_++;
    }
    try {
      Batch batch = build(index);
      std::lock_guard lock(mutex_);
      done_.emplace(index, std::move(batch));
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    ready_.notify_all();
  }
}

Batch BatchLoader::build(std::int64_t index) const {
  Batch batch;
  batch.index = index;
  batch.picks = plan_(index);
  const int r = options_.resolution;
  batch.channels = kModelChannels;
  batch.height = batch.width = r;
  const std::size_t imageSize = static_cast<std::size_t>(kModelChannels) * r * r;
  batch.pixels.resize(imageSize * batch.picks.size());
  // Consecutive tiles of one site (the embedding plan) decode the site once.
  std::size_t tiledSite = static_cast<std::size_t>(-1);
  std::vector<SiteImage> tiles;
  for (std::size_t i = 0; i < batch.picks.size(); ++i) {
    const BatchPick& pick = batch.picks.at(i);
    const Site& site = sites_.at(pick.site);
    const float* source = nullptr;
    SiteImage whole;
    if (pick.tile < 0) {
      whole = loadSiteImage(site, r);
      source = whole.pixels.data();
    } else {
      if (pick.site != tiledSite) {
        tiles = loadSiteTiles(site, r);
        tiledSite = pick.site;
      }
      source = tiles.at(static_cast<std::size_t>(pick.tile) % tiles.size()).pixels.data();
    }
    std::memcpy(batch.pixels.data() + i * imageSize, source, imageSize * sizeof(float));
  }
  return batch;
}

std::optional<Batch> BatchLoader::next() {
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  if (options_.end_batch >= 0 && nextToDeliver_ >= options_.end_batch) return std::nullopt;
  ready_.wait(lock, [&] { return error_ || done_.count(nextToDeliver_) > 0; });
  waited_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (error_ && !done_.count(nextToDeliver_)) std::rethrow_exception(error_);
  auto node = done_.extract(nextToDeliver_);
  ++nextToDeliver_;
  lock.unlock();
  room_.notify_all();
  return std::move(node.mapped());
}

double BatchLoader::waitedSeconds() const {
  std::lock_guard lock(mutex_);
  return waited_;
}

}  // namespace gandl::data
