#include "core/model/sample_draws.h"

#include <torch/torch.h>

#include <stdexcept>

namespace gandl::model {
namespace {

thread_local SampleDraws* active = nullptr;

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::uint64_t key(std::uint64_t seed, std::int64_t step, std::uint64_t phase, std::int64_t image) {
  return mix(mix(mix(mix(seed) ^ static_cast<std::uint64_t>(step)) ^ phase) ^ static_cast<std::uint64_t>(image + 1));
}

std::vector<std::int64_t> withCount(std::int64_t n, at::IntArrayRef shape) {
  std::vector<std::int64_t> full{n};
  full.insert(full.end(), shape.begin(), shape.end());
  return full;
}

}  // namespace

SampleDraws::SampleDraws(std::uint64_t seed, std::int64_t step, std::uint64_t phase, const std::vector<int>& members)
    : shared_(at::detail::createCPUGenerator(key(seed, step, phase, -1))) {
  perImage_.reserve(members.size());
  for (int m : members) perImage_.push_back(at::detail::createCPUGenerator(key(seed, step, phase, m)));
}

// [count, shape...]: row i drawn by `draw` from image i's generator.
template <typename Draw>
at::Tensor SampleDraws::perImage(at::IntArrayRef shape, at::ScalarType type, Draw draw) {
  if (perImage_.empty()) return torch::empty(withCount(0, shape), type);
  std::vector<at::Tensor> rows;
  rows.reserve(perImage_.size());
  for (auto& g : perImage_) rows.push_back(draw(g));
  return torch::stack(rows);
}

at::Tensor SampleDraws::randn(at::IntArrayRef shape) {
  return perImage(shape, torch::kFloat32, [&](at::Generator& g) { return torch::randn(shape, g); });
}

at::Tensor SampleDraws::rand(at::IntArrayRef shape) {
  return perImage(shape, torch::kFloat32, [&](at::Generator& g) { return torch::rand(shape, g); });
}

at::Tensor SampleDraws::randint(std::int64_t high, at::IntArrayRef shape) {
  return perImage(shape, torch::kLong, [&](at::Generator& g) { return torch::randint(high, shape, g, torch::kLong); });
}

UseSampleDraws::UseSampleDraws(SampleDraws& draws) : previous_(active) { active = &draws; }
UseSampleDraws::~UseSampleDraws() { active = previous_; }

SampleDraws* activeSampleDraws() { return active; }

}  // namespace gandl::model
