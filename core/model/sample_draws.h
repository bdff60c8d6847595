#pragma once
// Random draws keyed by image rather than by stream position. In a data-parallel step every image
// of the global batch (its latent, its synthesis noise, its augmentation, its path-length probe)
// draws from its own generator, seeded by (run seed, step, phase, position in the global batch),
// so a step's result does not depend on how the batch is split over ranks: one process and N
// ranks compute the same step, and a run resumes under another world size. Draws shared by the
// whole batch (ada's one style-mixing cutoff per batch) come from a stream keyed by (seed, step,
// phase) alone, identical on every rank.
//
// The layers that draw (modulated convolutions' noise, the augmentation) ask activeSampleDraws()
// and fall back to LibTorch's global stream when none is active (a one-process run in ada's draw
// order, which the trainer-parity test replays).

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace gandl::model {

class SampleDraws {
 public:
  // members: the positions in the global batch of the images this process holds, in order.
  SampleDraws(std::uint64_t seed, std::int64_t step, std::uint64_t phase, const std::vector<int>& members);

  std::int64_t count() const { return static_cast<std::int64_t>(perImage_.size()); }
  // [count, shape...]: row i from image i's generator (standard normal / uniform [0,1) / integers
  // in [0, high)), each image's generator advancing by its own draws only.
  at::Tensor randn(at::IntArrayRef shape);
  at::Tensor rand(at::IntArrayRef shape);
  at::Tensor randint(std::int64_t high, at::IntArrayRef shape);
  // The batch-wide stream, the same on every rank.
  at::Generator& shared() { return shared_; }

 private:
  template <typename Draw>
  at::Tensor perImage(at::IntArrayRef shape, at::ScalarType type, Draw draw);

  std::vector<at::Generator> perImage_;
  at::Generator shared_;
};

// Makes `draws` the source of the model's per-image draws on this thread while alive.
class UseSampleDraws {
 public:
  explicit UseSampleDraws(SampleDraws& draws);
  ~UseSampleDraws();
  UseSampleDraws(const UseSampleDraws&) = delete;
  UseSampleDraws& operator=(const UseSampleDraws&) = delete;

 private:
  SampleDraws* previous_;
};

// The draws active on this thread, or nullptr (then the global stream is used).
SampleDraws* activeSampleDraws();

}  // namespace gandl::model
