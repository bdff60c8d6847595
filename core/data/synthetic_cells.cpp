#include "core/data/synthetic_cells.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace gandl::data::synthetic {

namespace {
constexpr double kPi = 3.14159265358979323846;

std::uint64_t splitMix(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
}  // namespace

std::uint64_t Random::derive(std::uint64_t seed, std::uint64_t key) {
  return splitMix(seed ^ splitMix(key ^ 0x5851F42D4C957F2DULL));
}

double Random::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

int Random::uniformInt(int low, int high) {
  const int value = low + static_cast<int>(uniform() * (high - low + 1));
  return std::min(value, high);
}

double Random::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_normal_;
  }
  double u, v, s;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double factor = std::sqrt(-2.0 * std::log(s) / s);
  spare_normal_ = v * factor;
  has_spare_ = true;
  return u * factor;
}

double Random::logNormal(double sigma) { return std::exp(sigma * normal()); }

int Random::poisson(double mean) {
  if (!(mean > 0.0)) return 0;
  if (mean < 30.0) {  // exact, by inversion: one uniform draw per pixel
    const double u = uniform();
    double probability = std::exp(-mean), cumulative = probability;
    int count = 0;
    while (u > cumulative && count < 200) {
      ++count;
      probability *= mean / count;
      cumulative += probability;
    }
    return count;
  }
  return std::max(0, static_cast<int>(std::lround(mean + std::sqrt(mean) * normal())));
}

double renderScale(int output_size, int render_size) {
  // The field of view grows with the square root of the pixel count: a 256 px site shows four
  // times the cells of a 64 px site, each at twice the detail.
  return (static_cast<double>(render_size) / output_size) * std::sqrt(output_size / 64.0);
}

namespace {

// Cell-type morphology in units (about a micrometre at the demo magnification).
struct Morphology {
  double density;      // cells per unit^2 at the plate's seeding density
  double min_spacing;  // no two cell centres closer than this
  double long_axis, short_axis;
  double taper;      // 0 ellipse .. 1 spindle with pointed ends
  double wobble;     // irregularity of the outline
  double alignment;  // 0 random orientations .. 1 cells stream in one direction
  double nucleus_long, nucleus_short;
  double fibres, cortex;  // stress fibres vs cortical actin
};

// HRCE: epithelial cobblestone, large polygonal cells packed edge to edge, cortical actin belt.
// VERO: fibroblast-like spindles in loose parallel streams, prominent stress fibres.
Morphology morphologyOf(CellType type) {
  if (type == CellType::Hrce) return {1.0 / 240.0, 9.0, 10.5, 9.0, 0.0, 0.09, 0.0, 4.4, 3.7, 0.55, 1.0};
  return {1.0 / 560.0, 7.0, 17.0, 5.2, 0.75, 0.03, 0.8, 4.9, 2.8, 1.8, 0.55};
}

// A star-shaped outline: an ellipse (optionally tapered to a spindle) whose radius is modulated by
// angular harmonics 2..5. distance() is 0 at the centre and 1 on the outline.
struct Outline {
  double x = 0, y = 0, a = 1, b = 1, cos_angle = 1, sin_angle = 0, taper = 0;
  std::array<double, 4> wobble_cos{}, wobble_sin{};
  double wobble_sum = 0;  // bounds the harmonics' total

  void setAngle(double angle) {
    cos_angle = std::cos(angle);
    sin_angle = std::sin(angle);
  }
  double angle() const { return std::atan2(sin_angle, cos_angle); }
  double radius() const { return std::sqrt(a * b); }
  double extent() const { return std::max(a, b) * (1.0 + wobble_sum) + 1.0; }
  void randomiseWobble(double amplitude, Random& random) {
    wobble_sum = 0;
    for (int k = 0; k < 4; ++k) {
      const double amp = amplitude * random.uniform(0.3, 1.0) / std::sqrt(k + 1.0);
      const double phase = random.uniform(0, 2 * kPi);
      wobble_cos[k] = amp * std::cos(phase);
      wobble_sin[k] = amp * std::sin(phase);
      wobble_sum += amp;
    }
  }
  void scaleWobble(double factor) {
    for (int k = 0; k < 4; ++k) {
      wobble_cos[k] *= factor;
      wobble_sin[k] *= factor;
    }
    wobble_sum *= factor;
  }
  // `beyond`: any distance known to exceed it may be returned as is (saves the harmonics).
  double distance(double px, double py, double beyond = 1e300) const {
    const double dx = px - x, dy = py - y;
    const double u = (dx * cos_angle + dy * sin_angle) / a;
    double v = (-dx * sin_angle + dy * cos_angle) / b;
    if (taper > 0) v /= std::max(0.25, 1.0 - taper * u * u);
    const double rho = std::sqrt(u * u + v * v);
    if (rho > beyond * (1.0 + wobble_sum)) return rho;
    if (rho < 1e-9) return 0.0;
    // cos(k theta), sin(k theta) by the angle-addition recurrence: no trigonometry per pixel.
    const double c1 = u / rho, s1 = v / rho;
    double ck = c1, sk = s1, modulation = 1.0;
    for (int k = 0; k < 4; ++k) {
      const double c = ck * c1 - sk * s1, s = sk * c1 + ck * s1;  // harmonic k + 2
      ck = c;
      sk = s;
      modulation += wobble_cos[k] * ck - wobble_sin[k] * sk;
    }
    return rho / std::max(0.3, modulation);
  }
};

struct Nucleus {
  Outline outline;
  double brightness = 1.0;
  double texture = 1.0;  // chromatin contrast; low for condensed (pyknotic, mitotic) DNA
  bool nucleoli = true;
};

struct Cell {
  Outline outline;
  std::vector<Nucleus> nuclei;
  bool infected = false, dying = false, mitotic = false, merged_away = false;
  double fibre_cos = 1, fibre_sin = 0, fibre_spacing = 1, fibre_phase = 0;
  double fibres = 1, cortex = 1, diffuse_actin = 0.25, cytoplasmic_rna = 0.22;
  double er = 1, rna = 1, actin = 1, membrane = 1;
  std::uint64_t key = 0;
};

struct Blob {
  int stain;
  double x, y, sx, sy, angle, amplitude;
};

double square(double x) { return x * x; }

double smoothStep(double edge0, double edge1, double x) {
  const double t = std::clamp((x - edge0) / (edge1 - edge0), 0.0, 1.0);
  return t * t * (3.0 - 2.0 * t);
}

// Scratch images reused from site to site on each thread: fresh allocations of this size come
// from the kernel as zeroed pages, which costs more than the painting.
struct Scratch {
  cv::Mat white, coarse, chromatin, reticulum, fibre_breaks, membrane_grain, nearest, second, owner;
};

// Band-pass noise, zero mean and unit variance: the texture of chromatin, the ER network, ...
void bandPassNoise(int size, double fine_sigma, double coarse_sigma, Random& random, Scratch& scratch, cv::Mat& noise) {
  scratch.white.create(size, size, CV_32F);
  float* white = scratch.white.ptr<float>();
  for (int i = 0; i + 1 < size * size; i += 2) {  // two 32-bit uniforms per draw
    const std::uint64_t bits = random.bits();
    white[i] = static_cast<float>((bits & 0xFFFFFFFFu) * 0x1.0p-32 - 0.5);
    white[i + 1] = static_cast<float>((bits >> 32) * 0x1.0p-32 - 0.5);
  }
  cv::GaussianBlur(scratch.white, noise, cv::Size(), fine_sigma);
  if (coarse_sigma > 0) {
    cv::GaussianBlur(scratch.white, scratch.coarse, cv::Size(), coarse_sigma);
    noise -= scratch.coarse;
  }
  cv::Scalar mean, deviation;
  cv::meanStdDev(noise, mean, deviation);
  const double scale = 1.0 / std::max(deviation[0], 1e-12);
  noise.convertTo(noise, CV_32F, scale, -mean[0] * scale);
}

void splat(cv::Mat& image, const Blob& blob) {
  const double reach = 3.0 * std::max(blob.sx, blob.sy);
  const int x0 = std::max(0, static_cast<int>(blob.x - reach));
  const int x1 = std::min(image.cols - 1, static_cast<int>(blob.x + reach) + 1);
  const int y0 = std::max(0, static_cast<int>(blob.y - reach));
  const int y1 = std::min(image.rows - 1, static_cast<int>(blob.y + reach) + 1);
  const double c = std::cos(blob.angle), s = std::sin(blob.angle);
  for (int y = y0; y <= y1; ++y) {
    float* row = image.ptr<float>(y);
    for (int x = x0; x <= x1; ++x) {
      const double dx = x + 0.5 - blob.x, dy = y + 0.5 - blob.y;
      const double u = (dx * c + dy * s) / blob.sx, v = (-dx * s + dy * c) / blob.sy;
      row[x] += static_cast<float>(blob.amplitude * std::exp(-0.5 * (u * u + v * v)));
    }
  }
}

// Radius of a nucleus outline in a direction (ignoring its small wobble).
double radiusToward(const Outline& outline, double angle) {
  const double relative = angle - outline.angle();
  const double c = std::cos(relative) / outline.a, s = std::sin(relative) / outline.b;
  return 1.0 / std::sqrt(c * c + s * s);
}

// Seeds cells by dart throwing in the field plus a margin, so that cells cut by the border appear.
std::vector<Cell> seedCells(const Morphology& m, const SiteBiology& biology, double field, double unit,
                            Random& random) {
  const double margin = 14.0 * unit;
  const double side = field + 2 * margin;
  const double expected = m.density * (side / unit) * (side / unit) * biology.density * biology.survival;
  const int wanted = random.poisson(expected);
  const double spacing = m.min_spacing * unit;
  const double flow = random.uniform(0, kPi), swirl_phase = random.uniform(0, 2 * kPi);
  std::vector<Cell> cells;
  for (int attempt = 0; static_cast<int>(cells.size()) < wanted && attempt < 40 * wanted + 40; ++attempt) {
    const double x = random.uniform(-margin, field + margin);
    const double y = random.uniform(-margin, field + margin);
    bool crowded = false;
    for (const Cell& other : cells)
      crowded = crowded || square(other.outline.x - x) + square(other.outline.y - y) < spacing * spacing;
    if (crowded) continue;
    Cell cell;
    cell.key = random.bits();
    Outline& o = cell.outline;
    o.x = x;
    o.y = y;
    o.a = m.long_axis * unit * random.logNormal(0.12);
    o.b = m.short_axis * unit * random.logNormal(0.12);
    o.taper = m.taper;
    const double streaming = flow + 0.5 * std::sin(x / (25 * unit) + swirl_phase);
    const double angle =
        m.alignment > 0 ? streaming + (1.0 - m.alignment + 0.15) * random.normal() : random.uniform(0, kPi);
    o.setAngle(angle);
    o.randomiseWobble(m.wobble, random);

    // DNA content doubles through the cell cycle: G2 nuclei are larger and brighter.
    const double cycle = random.uniform();
    Nucleus nucleus;
    Outline& n = nucleus.outline;
    n.x = x + 0.8 * unit * random.normal();
    n.y = y + 0.8 * unit * random.normal();
    n.a = m.nucleus_long * unit * random.logNormal(0.1) * (1.0 + 0.15 * cycle);
    n.b = m.nucleus_short * unit * random.logNormal(0.1) * (1.0 + 0.15 * cycle);
    n.setAngle(angle + 0.2 * random.normal());
    n.randomiseWobble(0.04, random);
    nucleus.brightness = random.logNormal(0.12) * (0.85 + 0.3 * cycle);
    cell.nuclei.push_back(nucleus);

    const double fibre_angle = m.alignment > 0 ? angle + 0.25 * random.normal() : random.uniform(0, kPi);
    cell.fibre_cos = std::cos(fibre_angle);
    cell.fibre_sin = std::sin(fibre_angle);
    cell.fibre_spacing = 2.9 * unit * random.logNormal(0.15);
    cell.fibre_phase = random.uniform();
    cell.fibres = m.fibres;
    cell.cortex = m.cortex;
    cell.er = random.logNormal(0.18);
    cell.rna = random.logNormal(0.18);
    cell.actin = random.logNormal(0.18);
    cell.membrane = random.logNormal(0.18);
    cells.push_back(cell);
  }
  return cells;
}

// A cell that lets go of the dish (dying or dividing) rounds up, drops its stress fibres and
// condenses its DNA into a bright, smooth mass without nucleoli.
void roundUp(Cell& cell, double size, double wobble, double dna_brightness, double dna_texture, Random& random) {
  Outline& o = cell.outline;
  o.a = o.b = o.radius() * size;
  o.taper = 0;
  o.randomiseWobble(wobble, random);
  Nucleus& nucleus = cell.nuclei.front();
  nucleus.brightness *= dna_brightness;
  nucleus.texture = dna_texture;
  nucleus.nucleoli = false;
  cell.fibres = 0;
}

// Infection and death change shape and texture; the stain each cell carries stays about the same.
void applyStates(std::vector<Cell>& cells, const SiteBiology& biology, double unit, Random& random) {
  const double dying_probability = 0.02 + 0.6 * (1.0 - biology.survival);
  for (Cell& cell : cells) {
    cell.infected = random.chance(biology.infection_probability);
    cell.dying = random.chance(dying_probability);
    cell.mitotic = !cell.dying && random.chance(0.015);
    Outline& o = cell.outline;
    Nucleus& nucleus = cell.nuclei.front();
    if (cell.dying) {  // apoptosis: the cell shrinks and rounds, the DNA condenses (pyknosis)
      roundUp(cell, 0.5, 0.15, 2.6, 0.15, random);
      nucleus.outline.a *= 0.5;
      nucleus.outline.b *= 0.55;
      nucleus.outline.x = o.x;
      nucleus.outline.y = o.y;
      cell.diffuse_actin *= 2.5;
      cell.cortex *= 0.5;
      cell.rna *= 0.6;
    } else if (cell.mitotic) {  // metaphase: chromosomes in a bright bar, the cell rounds up
      roundUp(cell, 0.8, 0.02, 2.0, 0.3, random);
      nucleus.outline.a *= 0.95;
      nucleus.outline.b = 1.1 * unit;
      cell.diffuse_actin *= 1.5;
      cell.cortex *= 1.5;
    } else if (cell.infected) {  // cytopathic effect: rounding and loss of stress fibres
      const double ratio = std::pow(o.a / o.b, 0.3), radius = o.radius() * 0.86;
      o.a = radius * std::sqrt(ratio);
      o.b = radius / std::sqrt(ratio);
      o.taper *= 0.2;
      o.scaleWobble(0.4);
      // The F-actin of the lost fibres stays in the cell, as diffuse and cortical actin.
      cell.diffuse_actin += 0.08 * cell.fibres;
      cell.cortex *= 1.1;
      cell.fibres *= 0.12;
      cell.cytoplasmic_rna *= 0.55;  // the RNA gathers in replication puncta instead
    }
  }
  // Syncytia: the spike protein fuses an infected cell with an infected neighbour.
  for (std::size_t i = 0; i < cells.size(); ++i) {
    Cell& cell = cells[i];
    if (!cell.infected || cell.dying || cell.mitotic || cell.merged_away || cell.nuclei.size() > 1 ||
        !random.chance(0.3))
      continue;
    Cell* partner = nullptr;
    double nearest = 2.3 * cell.outline.radius();
    for (std::size_t j = 0; j < cells.size(); ++j) {
      Cell& other = cells[j];
      if (j == i || !other.infected || other.dying || other.mitotic || other.merged_away) continue;
      const double d = std::hypot(other.outline.x - cell.outline.x, other.outline.y - cell.outline.y);
      if (d < nearest) {
        nearest = d;
        partner = &other;
      }
    }
    if (!partner) continue;
    partner->merged_away = true;
    Outline& o = cell.outline;
    const double area = o.a * o.b, partner_area = partner->outline.a * partner->outline.b;
    o.x = (o.x * area + partner->outline.x * partner_area) / (area + partner_area);
    o.y = (o.y * area + partner->outline.y * partner_area) / (area + partner_area);
    const double radius = std::sqrt(area + partner_area) * 1.05;
    o.a = radius * 1.1;
    o.b = radius / 1.1;
    o.taper = 0;
    cell.nuclei.insert(cell.nuclei.end(), partner->nuclei.begin(), partner->nuclei.end());
    for (Nucleus& n : cell.nuclei) {  // the nuclei of a syncytium gather in its middle
      n.outline.x = o.x + 0.55 * (n.outline.x - o.x);
      n.outline.y = o.y + 0.55 * (n.outline.y - o.y);
    }
  }
  cells.erase(std::remove_if(cells.begin(), cells.end(), [](const Cell& c) { return c.merged_away; }), cells.end());
}

// Puncta and organelles, painted as Gaussian blobs after the per-pixel pass.
std::vector<Blob> organelles(const std::vector<Cell>& cells, double unit, Random& random) {
  std::vector<Blob> blobs;
  for (const Cell& cell : cells) {
    for (const Nucleus& nucleus : cell.nuclei) {
      if (!nucleus.nucleoli) continue;
      const int count = random.uniformInt(1, 4);
      for (int i = 0; i < count; ++i) {  // nucleoli: RNA-rich, DNA-poor
        const double r = 0.55 * std::sqrt(random.uniform()), t = random.uniform(0, 2 * kPi);
        const Outline& n = nucleus.outline;
        const double u = r * n.a * std::cos(t), v = r * n.b * std::sin(t);
        const double x = n.x + u * n.cos_angle - v * n.sin_angle, y = n.y + u * n.sin_angle + v * n.cos_angle;
        const double sigma = 0.6 * unit * random.logNormal(0.2);
        const double amplitude = cell.rna * 0.9 / std::pow(count, 0.3);
        blobs.push_back({3, x, y, sigma, sigma, 0, amplitude});
        blobs.push_back({0, x, y, sigma, sigma, 0, -0.3 * nucleus.brightness});
      }
    }
    const Outline& n = cell.nuclei.front().outline;
    const double cell_radius = cell.outline.radius();
    // Golgi: a compact perinuclear ribbon, fragmented into scattered stacks by infection, death
    // and mitosis. The total stain is the same either way.
    const double golgi_total = 0.9 * 2.0 * 0.9 + 2 * 0.5 * 0.7 * 0.7;
    const double toward = random.uniform(0, 2 * kPi);
    if (!(cell.infected || cell.dying || cell.mitotic)) {
      const double reach = radiusToward(n, toward) + 1.2 * unit;
      const double x = n.x + reach * std::cos(toward), y = n.y + reach * std::sin(toward);
      blobs.push_back({4, x, y, 2.0 * unit, 0.9 * unit, toward + kPi / 2, 0.9 * cell.membrane});
      for (int i = 0; i < 2; ++i)
        blobs.push_back({4, x + 1.2 * unit * random.normal(), y + 1.2 * unit * random.normal(), 0.7 * unit, 0.7 * unit,
                         0, 0.5 * cell.membrane});
    } else {
      const int stacks = random.uniformInt(6, 10);
      for (int i = 0; i < stacks; ++i) {
        const double angle = random.uniform(0, 2 * kPi);
        const double reach =
            radiusToward(n, angle) + random.uniform(0.5, std::max(1.0, 0.5 * cell_radius / unit)) * unit;
        blobs.push_back({4, n.x + reach * std::cos(angle), n.y + reach * std::sin(angle), 0.6 * unit, 0.6 * unit, 0,
                         cell.membrane * golgi_total / (stacks * 0.36)});
      }
    }
    if (cell.infected && !cell.dying) {  // viral replication organelles: cytoplasmic RNA puncta
      const int puncta = random.uniformInt(6, 14);
      for (int i = 0; i < puncta; ++i) {
        for (int attempt = 0; attempt < 4; ++attempt) {
          const double angle = random.uniform(0, 2 * kPi);
          const double inner = radiusToward(n, angle) + 0.8 * unit;
          const double reach = inner + random.uniform(0, std::max(0.7 * unit, 0.75 * cell_radius - inner));
          const double x = n.x + reach * std::cos(angle), y = n.y + reach * std::sin(angle);
          if (cell.outline.distance(x, y) > 0.9) continue;
          const double sigma = 0.5 * unit * random.logNormal(0.2);
          blobs.push_back({3, x, y, sigma, sigma, 0, 0.8 * cell.rna});
          break;
        }
      }
    }
  }
  return blobs;
}

}  // namespace

void renderCells(const SiteBiology& biology, int output_size, int render_size, Random& random, StainedField& field) {
  const double unit = renderScale(output_size, render_size);
  const Morphology morphology = morphologyOf(biology.cell_type);
  std::vector<Cell> cells = seedCells(morphology, biology, render_size, unit, random);
  applyStates(cells, biology, unit, random);
  const std::vector<Blob> blobs = organelles(cells, unit, random);

  const int size = render_size;
  thread_local Scratch scratch;
  bandPassNoise(size, 0.45 * unit, 1.3 * unit, random, scratch, scratch.chromatin);
  bandPassNoise(size, 0.5 * unit, 1.6 * unit, random, scratch, scratch.reticulum);
  bandPassNoise(size, 1.5 * unit, 0, random, scratch, scratch.fibre_breaks);
  bandPassNoise(size, 0.5 * unit, 1.5 * unit, random, scratch, scratch.membrane_grain);
  const cv::Mat &chromatin = scratch.chromatin, &reticulum = scratch.reticulum;
  const cv::Mat &fibre_breaks = scratch.fibre_breaks, &membrane_grain = scratch.membrane_grain;

  // Which cell owns each pixel: the nearest outline in shape-normalised distance, so neighbours
  // meet along polygonal borders (a cobblestone) and free edges stay rounded.
  const float far = std::numeric_limits<float>::max();
  cv::Mat &nearest = scratch.nearest, &second = scratch.second, &owner = scratch.owner;
  nearest.create(size, size, CV_32F);
  second.create(size, size, CV_32F);
  owner.create(size, size, CV_32S);
  nearest.setTo(far);
  second.setTo(far);
  owner.setTo(-1);
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const Outline& o = cells[i].outline;
    const double reach = o.extent();
    const int x0 = std::max(0, static_cast<int>(o.x - reach)), x1 = std::min(size - 1, static_cast<int>(o.x + reach));
    const int y0 = std::max(0, static_cast<int>(o.y - reach)), y1 = std::min(size - 1, static_cast<int>(o.y + reach));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const float d = static_cast<float>(o.distance(x + 0.5, y + 0.5, second.at<float>(y, x)));
        if (d < nearest.at<float>(y, x)) {
          second.at<float>(y, x) = nearest.at<float>(y, x);
          nearest.at<float>(y, x) = d;
          owner.at<int>(y, x) = static_cast<int>(i);
        } else if (d < second.at<float>(y, x)) {
          second.at<float>(y, x) = d;
        }
      }
  }

  field.cells = field.infected = field.dying = 0;
  for (auto& stain : field.stains) {
    stain.create(size, size, CV_32F);
    stain.setTo(0);
  }
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const int index = owner.at<int>(y, x);
      const double d1 = nearest.at<float>(y, x);
      if (index < 0 || d1 >= 1.0) continue;
      const Cell& cell = cells[index];
      const double px = x + 0.5, py = y + 0.5, radius = cell.outline.radius();
      const double d2 = second.at<float>(y, x);
      const double edge = (1.0 - d1) * radius;
      const double border = std::min(edge, d2 < 1.3 ? 0.5 * (d2 - d1) * radius : edge);
      const double inside = smoothStep(0.0, 0.6 * unit, edge);
      // Gaussians are cut where they fall below e^-11: most pixels are far from any border.
      const double membrane_line = border < 2 * unit ? std::exp(-square(border / (0.55 * unit))) : 0.0;
      const double cortex_band = border < 4 * unit ? std::exp(-square(border / (1.2 * unit))) : 0.0;

      const Nucleus* nucleus = nullptr;
      double dn = std::numeric_limits<double>::max();
      for (const Nucleus& n : cell.nuclei) {
        const double d = n.outline.distance(px, py);
        if (d < dn) {
          dn = d;
          nucleus = &n;
        }
      }
      const double in_nucleus = smoothStep(1.0, 0.82, dn);
      const double perinuclear = std::exp(-0.9 * std::max(0.0, dn - 1.0));
      const double cytoplasm = 1.0 - in_nucleus;

      const double dna =
          in_nucleus * nucleus->brightness * std::max(0.0, 1.0 + 0.35 * nucleus->texture * chromatin.at<float>(y, x));
      const double network = std::exp(-square(reticulum.at<float>(y, x) / 0.5));
      const double envelope = std::abs(dn - 1.0) < 0.4 ? std::exp(-square((dn - 1.0) / 0.12)) : 0.0;
      const double er = cell.er * (cytoplasm * (0.25 + 0.75 * perinuclear) * (0.3 + network) + 0.45 * envelope);
      double fibre = 0.0;
      if (cell.fibres > 0) {  // parallel lines along fibre_angle, each with its own strength
        const double t =
            ((py - cell.outline.y) * cell.fibre_cos - (px - cell.outline.x) * cell.fibre_sin) / cell.fibre_spacing +
            cell.fibre_phase;
        const double line = std::floor(t), offset = t - line - 0.5;
        const auto line_key = static_cast<std::uint64_t>(line + 1e6);
        const double strength = 0.3 + 0.7 * (Random::derive(cell.key, line_key) >> 11) * 0x1.0p-53;
        fibre = strength * std::exp(-square(offset / 0.16)) *
                std::clamp(0.55 + 0.45 * fibre_breaks.at<float>(y, x), 0.0, 1.5) * (1.0 - square(d1 * d1 * d1)) *
                (1.0 - 0.3 * in_nucleus);
      }
      const double actin = cell.actin * (cell.diffuse_actin + cell.cortex * cortex_band + cell.fibres * fibre);
      const double rna = cell.rna * (0.3 * in_nucleus + cytoplasm * cell.cytoplasmic_rna * (0.3 + 0.7 * perinuclear));
      const double wga = cell.membrane * (0.9 * membrane_line * (0.65 + 0.35 * membrane_grain.at<float>(y, x)) + 0.1);

      const double values[kStains] = {dna, er, actin, rna, wga};
      for (int s = 0; s < kStains; ++s)
        field.stains[s].at<float>(y, x) = static_cast<float>(inside * std::max(0.0, values[s]));
    }
  for (const Blob& blob : blobs) splat(field.stains[blob.stain], blob);
  for (auto& stain : field.stains) cv::threshold(stain, stain, 0.0, 0.0, cv::THRESH_TOZERO);

  for (const Cell& cell : cells) {
    if (cell.outline.x < 0 || cell.outline.y < 0 || cell.outline.x >= size || cell.outline.y >= size) continue;
    ++field.cells;
    field.infected += cell.infected;
    field.dying += cell.dying;
  }
}

}  // namespace gandl::data::synthetic
