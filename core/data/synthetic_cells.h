#pragma once
// The biology half of the synthetic screen generator (internal to gandl_data; it exposes OpenCV
// types, which only the data library links): it places cells of one cell type in a field of view
// and paints the five stains of RxRx19a as the noiseless light the cells emit, at twice the output
// resolution. Infection is a per-cell state with a morphological and textural phenotype (rounding,
// loss of stress fibres, cytoplasmic RNA puncta, a fragmented Golgi, syncytia) rather than a
// brightness change; a cytotoxic compound removes cells and condenses the nuclei of the dying.
// The camera (focus, illumination, gain, noise) is applied afterwards by the screen writer.

#include <array>
#include <cstdint>
#include <random>

#include <opencv2/core.hpp>

namespace gandl::data::synthetic {

// Every random draw of the generator, from an explicit 64-bit seed. The distributions are written
// out here rather than taken from <random>, whose algorithms differ between standard libraries:
// the same seed gives the same screen with any compiler.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  // A seed for an independent stream, derived from a parent seed and a key (SplitMix64 finaliser).
  static std::uint64_t derive(std::uint64_t seed, std::uint64_t key);

  std::uint64_t bits() { return engine_(); }
  double uniform();  // [0, 1)
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  int uniformInt(int low, int high);  // inclusive bounds
  bool chance(double probability) { return uniform() < probability; }
  double normal();
  double logNormal(double sigma);  // median 1
  int poisson(double mean);

 private:
  std::mt19937_64 engine_;
  double spare_normal_ = 0.0;
  bool has_spare_ = false;
};

enum class CellType { Hrce, Vero };

// What the experiment did to the cells of one site.
struct SiteBiology {
  CellType cell_type = CellType::Hrce;
  double infection_probability = 0.0;  // per cell
  double survival = 1.0;               // fraction of seeded cells a compound left alive
  double density = 1.0;                // seeding density of the well relative to the plate's
};

inline constexpr int kStains = 5;  // w1 Hoechst, w2 ConA, w3 phalloidin, w4 SYTO14, w5 WGA

struct StainedField {
  std::array<cv::Mat, kStains> stains;  // CV_32F, render resolution, emitted light (arbitrary units)
  int cells = 0;
  int infected = 0;
  int dying = 0;
};

// Paints one site at render_size x render_size (twice the output size) into `field`, whose images
// are reused from call to call. `output_size` sets the optical magnification: larger sites show
// both more cells and more detail per cell.
void renderCells(const SiteBiology& biology, int output_size, int render_size, Random& random, StainedField& field);

// Render pixels per morphology unit (about a micrometre) for a given output size.
double renderScale(int output_size, int render_size);

}  // namespace gandl::data::synthetic
