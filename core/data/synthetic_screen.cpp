#include "core/data/synthetic_screen.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <fstream>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/atomic_file.h"
#include "core/data/csv.h"
#include "core/data/data_error.h"
#include "core/data/screen.h"
#include "core/data/synthetic_cells.h"
#include "core/data/well.h"

namespace gandl::data {

namespace fs = std::filesystem;
using synthetic::Random;

SynthPreset parseSynthPreset(std::string_view name) {
  if (name == "demo") return SynthPreset::Demo;
  if (name == "small") return SynthPreset::Small;
  if (name == "medium") return SynthPreset::Medium;
  throw std::invalid_argument("unknown synthetic preset '" + std::string(name) + "'; expected demo, small or medium");
}

std::string_view synthPresetName(SynthPreset preset) {
  switch (preset) {
    case SynthPreset::Demo:
      return "demo";
    case SynthPreset::Small:
      return "small";
    case SynthPreset::Medium:
      return "medium";
  }
  return "demo";
}

namespace {

struct PresetSpec {
  int image_size, plates_per_cell_type, rows, columns, compounds, replicates, sites;
  int mock_per_plate, uv_per_plate, infected_per_plate;  // control wells on every plate
};

PresetSpec specOf(SynthPreset preset) {
  switch (preset) {
    case SynthPreset::Demo:
      return {64, 2, 16, 24, 8, 3, 2, 8, 4, 12};
    case SynthPreset::Small:
      return {128, 4, 16, 24, 30, 3, 2, 8, 4, 12};
    case SynthPreset::Medium:
      return {256, 2, 32, 48, 48, 3, 2, 16, 8, 24};
  }
  return specOf(SynthPreset::Demo);
}

constexpr int kDoses = 6;  // half-log steps from 10^-1.5 to 10 uM
constexpr double kLowestLogDose = -1.5, kHighestLogDose = 1.0;

// Keys that separate the random streams, so that changing one part never shifts another.
enum StreamTag : std::uint64_t { kLibraryStream = 1, kLayoutStream, kOpticsStream, kWellStream };

// Rounded to `digits` significant digits so the CSV holds the exact value the biology used.
double roundSignificant(double value, int digits) {
  const double scale = std::pow(10.0, digits - 1 - std::floor(std::log10(value)));
  return std::round(value * scale) / scale;
}

// Locale-independent: a Qt application sets LC_NUMERIC from the environment.
std::string formatNumber(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

double doseOf(int index) { return roundSignificant(std::pow(10.0, kLowestLogDose + 0.5 * index), 6); }

struct Compound {
  std::string name, smiles;
  bool active = false, toxic = false;
  double ec50_uM = 0, hill = 1;                      // antiviral Hill curve
  double cc50_uM = 0, toxic_hill = 1, max_kill = 0;  // cytotoxicity Hill curve
};

std::string inventName(int index, Random& random) {
  static const char* const kStarts[] = {"Ar",   "Bel", "Cor", "Dar", "El",  "Fen", "Gal", "Hex",
                                        "Il",   "Jor", "Kal", "Lum", "Mer", "Nor", "Ox",  "Pral",
                                        "Quin", "Ros", "Sel", "Tor", "Ul",  "Vam", "Xer", "Zan"};
  static const char* const kMiddles[] = {"a", "e", "i", "o", "u", "ami", "eto", "ira", "ona", "uxa"};
  static const char* const kEnds[] = {"vir",    "stat",  "nib",    "azole", "oquine", "mycin",
                                      "previr", "tinib", "sertib", "dine",  "fen",    "mide"};
  std::string middle = kMiddles[random.uniformInt(0, 9)];
  const std::string end = kEnds[random.uniformInt(0, 11)];
  auto vowel = [](char c) { return std::string_view("aeiou").find(c) != std::string_view::npos; };
  if (vowel(end.front()) && vowel(middle.back())) middle.pop_back();  // "Xeronazole", not "Xeronaazole"
  std::string name = kStarts[random.uniformInt(0, 23)] + middle + end + "-" + std::to_string(100 + index);
  // Salt forms and lot annotations put commas and quotes into names, as real libraries do.
  if (index % 4 == 1) name += random.chance(0.5) ? ", hydrochloride" : ", sodium salt";
  if (index % 7 == 3) name += " \"lot B\"";
  return name;
}

std::string inventSmiles(Random& random) {
  static const char* const kRings[] = {"c1ccccc1",   "c1ccncc1", "c1ccc2ccccc2c1", "C1CCNCC1", "C1CCOCC1",
                                       "c1cnc[nH]1", "c1ccsc1",  "N1CCN(C)CC1",    "c1ncncc1", "C1CC1"};
  static const char* const kLinkers[] = {"C(=O)N", "CC", "O", "N", "C(=O)O", "S(=O)(=O)N", "CN", "OC"};
  static const char* const kEnds[] = {"F", "Cl", "C", "OC", "C(F)(F)F", "N", "O", "C#N", "CC(C)C"};
  std::string smiles = kEnds[random.uniformInt(0, 8)];
  const int rings = random.uniformInt(1, 3);
  for (int i = 0; i < rings; ++i) {
    smiles += kRings[random.uniformInt(0, 9)];
    if (i + 1 < rings) smiles += kLinkers[random.uniformInt(0, 7)];
  }
  return smiles + kEnds[random.uniformInt(0, 8)];
}

// About half the library is active; a quarter is cytotoxic, including at least one active and one
// inactive compound, so that toxicity cannot pass for efficacy.
std::vector<Compound> compoundLibrary(int count, Random& random) {
  const int active = static_cast<int>(std::lround(0.55 * count));
  const int toxic = std::max(2, static_cast<int>(std::lround(0.25 * count)));
  std::vector<Compound> library(count);
  for (int i = 0; i < count; ++i) library[i].active = i < active;
  library[0].toxic = library[active].toxic = true;
  for (int placed = 2, i = 1; placed < toxic && i < count; ++i)
    if (i != active && random.chance(0.5)) library[i].toxic = true, ++placed;
  for (int i = count - 1; i > 0; --i) std::swap(library[i], library[random.uniformInt(0, i)]);
  for (int i = 0; i < count; ++i) {
    Compound& c = library[i];
    c.name = inventName(i, random);
    c.smiles = inventSmiles(random);
    if (c.active) {
      c.ec50_uM = roundSignificant(std::pow(10.0, random.uniform(kLowestLogDose, kHighestLogDose)), 4);
      c.hill = roundSignificant(random.uniform(0.8, 2.5), 3);
    }
    if (c.toxic) {  // CC50 above the middle of the tested range: toxicity shows at the top doses
      c.cc50_uM = std::pow(10.0, random.uniform(0.0, kHighestLogDose));
      c.toxic_hill = random.uniform(1.5, 3.0);
      c.max_kill = random.uniform(0.8, 0.95);
    }
  }
  return library;
}

struct CellLine {
  std::string experiment, cell_type;
  synthetic::CellType type;
  double max_infection;  // fraction of cells the virus infects in an untreated well (C-)
};

const std::vector<CellLine>& cellLines() {
  // VERO cells are more permissive to SARS-CoV-2 than HRCE.
  static const std::vector<CellLine> lines = {{"HRCE-1", "HRCE", synthetic::CellType::Hrce, 0.55},
                                              {"VERO-1", "VERO", synthetic::CellType::Vero, 0.75}};
  return lines;
}

struct PlannedWell {
  int line = 0, plate = 1, row = 0, column = 1;
  std::string_view condition;
  int compound = -1;  // -1 for controls
  double concentration_uM = 0;
};

// Plate maps: every plate gets its share of each control, replicates of a dose go to different
// plates, and all wells sit at random positions of the plate.
std::vector<PlannedWell> planWells(const PresetSpec& spec, int compounds, std::uint64_t seed) {
  std::vector<PlannedWell> wells;
  for (int line = 0; line < static_cast<int>(cellLines().size()); ++line)
    for (int plate = 1; plate <= spec.plates_per_cell_type; ++plate) {
      std::vector<PlannedWell> contents;
      auto add = [&](std::string_view condition, int count) {
        for (int i = 0; i < count; ++i) contents.push_back({line, plate, 0, 1, condition, -1, 0});
      };
      add(kMock, spec.mock_per_plate);
      add(kUvInactivated, spec.uv_per_plate);
      add(kActive, spec.infected_per_plate);
      for (int c = 0; c < compounds; ++c)
        for (int d = 0; d < kDoses; ++d)
          for (int r = 0; r < spec.replicates; ++r)
            if ((c + d + r) % spec.plates_per_cell_type == plate - 1)
              contents.push_back({line, plate, 0, 1, kActive, c, doseOf(d)});
      const int capacity = spec.rows * spec.columns;
      if (static_cast<int>(contents.size()) > capacity)
        throw std::logic_error("synthetic plate map overflows its plate");
      Random random(Random::derive(Random::derive(seed, kLayoutStream), line * 1000 + plate));
      std::vector<int> positions(capacity);
      for (int i = 0; i < capacity; ++i) positions[i] = i;
      for (std::size_t i = 0; i < contents.size(); ++i) {
        std::swap(positions[i], positions[random.uniformInt(static_cast<int>(i), capacity - 1)]);
        contents[i].row = positions[i] / spec.columns;
        contents[i].column = positions[i] % spec.columns + 1;
      }
      std::sort(contents.begin(), contents.end(), [](const PlannedWell& a, const PlannedWell& b) {
        return a.row != b.row ? a.row < b.row : a.column < b.column;
      });
      wells.insert(wells.end(), contents.begin(), contents.end());
    }
  return wells;
}

// The microscope and camera of one plate: per-channel gain and offset, and illumination falling
// off toward the corners of every field.
struct PlateOptics {
  std::array<double, synthetic::kStains> gain{}, offset{};
  cv::Mat illumination;  // CV_32F, output size
};

// Digital numbers per unit of emitted light, about as dim as RxRx19a's 8-bit images.
constexpr std::array<double, synthetic::kStains> kFullScale = {52, 70, 48, 95, 62};
constexpr double kAutofluorescence = 0.05, kPhotonsPerNumber = 3.0, kReadNoise = 1.2;

PlateOptics plateOptics(std::uint64_t seed, int line, int plate, int size) {
  Random random(Random::derive(Random::derive(seed, kOpticsStream), line * 1000 + plate));
  PlateOptics optics;
  for (int c = 0; c < synthetic::kStains; ++c) {
    optics.gain[c] = random.logNormal(0.25);
    optics.offset[c] = random.uniform(2.0, 10.0);
  }
  const double falloff = random.uniform(0.05, 0.2);  // corners get 70-90% of the centre's light
  const double cx = 0.5 + 0.08 * random.normal(), cy = 0.5 + 0.08 * random.normal();
  optics.illumination = cv::Mat(size, size, CV_32F);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const double dx = (x + 0.5) / size - cx, dy = (y + 0.5) / size - cy;
      optics.illumination.at<float>(y, x) = static_cast<float>(1.0 / (1.0 + falloff * (dx * dx + dy * dy) / 0.25));
    }
  return optics;
}

// Focus, downsampling (render at 2x, area-average), illumination, gain, shot noise, offset, read
// noise and 8-bit quantisation.
std::array<cv::Mat, synthetic::kStains> photograph(const synthetic::StainedField& field, const PlateOptics& optics,
                                                   int size, double unit, Random& random) {
  double focus = unit * (0.35 + 0.45 * std::abs(random.normal()));
  if (random.chance(0.04)) focus *= 3.0;  // now and then the autofocus misses
  std::array<cv::Mat, synthetic::kStains> images;
  thread_local cv::Mat blurred, small;  // reused: see synthetic::Scratch
  for (int c = 0; c < synthetic::kStains; ++c) {
    cv::GaussianBlur(field.stains[c], blurred, cv::Size(), focus * (1.0 + 0.06 * c));
    cv::resize(blurred, small, cv::Size(size, size), 0, 0, cv::INTER_AREA);
    const double gain = kFullScale[c] * optics.gain[c] * random.logNormal(0.05);
    images[c] = cv::Mat(size, size, CV_8U);
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x) {
        const double light = (small.at<float>(y, x) + kAutofluorescence) * gain * optics.illumination.at<float>(y, x);
        const double value = random.poisson(light * kPhotonsPerNumber) / kPhotonsPerNumber + optics.offset[c] +
                             kReadNoise * random.normal();
        images[c].at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L));
      }
  }
  return images;
}

fs::path plateFolder(const fs::path& root, const PlannedWell& well) {
  return root / "images" / cellLines()[well.line].experiment / ("Plate" + std::to_string(well.plate));
}

void writeWell(const fs::path& root, const PlannedWell& well, const std::vector<Compound>& library,
               const PresetSpec& spec, const PlateOptics& optics, std::uint64_t seed) {
  const CellLine& line = cellLines()[well.line];
  const std::uint64_t well_seed = Random::derive(
      Random::derive(Random::derive(seed, kWellStream), well.line * 1000 + well.plate), well.row * 1000 + well.column);
  Random random(well_seed);
  double infected_share = well.condition == kActive ? 1.0 : 0.0;
  synthetic::SiteBiology biology;
  biology.cell_type = line.type;
  if (well.compound >= 0) {
    const Compound& compound = library[well.compound];
    const double c = well.concentration_uM;
    if (compound.active) infected_share = 1.0 - 1.0 / (1.0 + std::pow(compound.ec50_uM / c, compound.hill));
    if (compound.toxic)
      biology.survival = 1.0 - compound.max_kill / (1.0 + std::pow(compound.cc50_uM / c, compound.toxic_hill));
  }
  biology.density = random.logNormal(0.2);  // seeding varies from well to well
  biology.infection_probability = std::min(0.95, line.max_infection * infected_share * random.logNormal(0.15));

  const int render = 2 * spec.image_size;
  const double unit = synthetic::renderScale(spec.image_size, render);
  const fs::path folder = plateFolder(root, well);
  const std::string name = wellName(well.row, well.column);
  for (int site = 1; site <= spec.sites; ++site) {
    Random site_random(Random::derive(well_seed, site));
    thread_local synthetic::StainedField field;
    synthetic::renderCells(biology, spec.image_size, render, site_random, field);
    const auto images = photograph(field, optics, spec.image_size, unit, site_random);
    for (int c = 0; c < synthetic::kStains; ++c) {
      const fs::path file = folder / (name + "_s" + std::to_string(site) + "_w" + std::to_string(c + 1) + ".png");
      bool written = false;
      try {
        written = cv::imwrite(file.string(), images[c]);
      } catch (const cv::Exception& e) {
        throw DataError(file.string(), std::string("cannot write PNG: ") + e.what());
      }
      if (!written) throw DataError(file.string(), "cannot write PNG (disk full or not writable?)");
    }
  }
}

// Runs work(0..count-1) on `threads` threads. Only the calling thread reports progress; every
// thread checks for cancellation before each well. The first exception stops all and propagates.
void forEachWell(std::size_t count, int threads, const tasks::TaskContext& context,
                 const std::function<void(std::size_t)>& work) {
  const auto total = static_cast<std::int64_t>(count);
  if (threads <= 1) {
    for (std::size_t i = 0; i < count; ++i) {
      context.checkCancelled();
      work(i);
      context.report(static_cast<std::int64_t>(i + 1), total, "wells", "rendering wells");
    }
    return;
  }
  std::atomic<std::size_t> next{0};
  std::atomic<std::int64_t> done{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable progressed;
  std::exception_ptr failure;
  auto worker = [&] {
    try {
      for (std::size_t i = next++; i < count && !stop; i = next++) {
        context.checkCancelled();
        work(i);
        ++done;
        progressed.notify_one();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!failure) failure = std::current_exception();
      stop = true;
      progressed.notify_one();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  try {
    for (std::int64_t reported = 0; reported < total && !stop;) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        progressed.wait_for(lock, std::chrono::milliseconds(100),
                            [&] { return stop.load() || done.load() != reported; });
      }
      if (context.isCancelled()) break;
      if (done.load() != reported) {
        reported = done.load();
        context.report(reported, total, "wells", "rendering wells");
      }
    }
  } catch (...) {  // a progress callback that throws
    stop = true;
    for (auto& thread : pool) thread.join();
    throw;
  }
  stop = true;
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
  context.checkCancelled();
}

void writeText(const fs::path& file, const std::string& text) {
  std::ofstream stream(file, std::ios::binary | std::ios::trunc);
  stream << text;
  stream.close();
  if (!stream) throw DataError(file.string(), "cannot write (disk full or not writable?)");
}

std::string metadataCsv(const std::vector<PlannedWell>& wells, const std::vector<Compound>& library, int sites) {
  std::string text = csvRow({"site_id", "well_id", "cell_type", "experiment", "plate", "well", "site",
                             "disease_condition", "treatment", "treatment_conc", "SMILES"});
  for (const PlannedWell& well : wells) {
    const CellLine& line = cellLines()[well.line];
    const std::string name = wellName(well.row, well.column);
    const std::string well_id = line.experiment + "_" + std::to_string(well.plate) + "_" + name;
    const bool treated = well.compound >= 0;
    for (int site = 1; site <= sites; ++site)
      text += csvRow({well_id + "_" + std::to_string(site), well_id, line.cell_type, line.experiment,
                      std::to_string(well.plate), name, std::to_string(site), std::string(well.condition),
                      treated ? library[well.compound].name : "", treated ? formatNumber(well.concentration_uM) : "",
                      treated ? library[well.compound].smiles : ""});
  }
  return text;
}

std::string groundTruthCsv(const std::vector<Compound>& library) {
  std::string text = csvRow({"compound", "active", "ec50_uM", "hill_slope", "toxic"});
  for (const Compound& c : library)
    text += csvRow({c.name, c.active ? "1" : "0", c.active ? formatNumber(c.ec50_uM) : "",
                    c.active ? formatNumber(c.hill) : "", c.toxic ? "1" : "0"});
  return text;
}

}  // namespace

SynthSummary writeSyntheticScreen(const fs::path& out, SynthPreset preset, std::uint64_t seed,
                                  const tasks::TaskContext& context, int threads) {
  const fs::path target = out.has_filename() ? out : out.parent_path();
  std::error_code error;
  if (fs::exists(target, error) && !(fs::is_directory(target, error) && fs::is_empty(target, error)))
    throw DataError(target.string(),
                    "already exists and is not empty; a synthetic screen is written "
                    "into a new or empty folder");
  common::removeStaleTemporaries(target, ".partial-");  // left by a synth that was killed
  const fs::path partial =
      target.parent_path() / (target.filename().string() + ".partial-" + std::to_string(::getpid()));
  const PresetSpec spec = specOf(preset);
  Random library_random(Random::derive(seed, kLibraryStream));
  const std::vector<Compound> library = compoundLibrary(spec.compounds, library_random);
  const std::vector<PlannedWell> wells = planWells(spec, spec.compounds, seed);

  fs::remove_all(partial, error);
  try {
    std::vector<PlateOptics> optics;  // indexed line * plates + plate - 1
    for (int line = 0; line < static_cast<int>(cellLines().size()); ++line)
      for (int plate = 1; plate <= spec.plates_per_cell_type; ++plate) {
        fs::create_directories(plateFolder(partial, {line, plate, 0, 1, {}, -1, 0}), error);
        if (error) throw DataError(partial.string(), "cannot create folder: " + error.message());
        optics.push_back(plateOptics(seed, line, plate, spec.image_size));
      }
    if (threads <= 0) threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
    context.report(0, static_cast<std::int64_t>(wells.size()), "wells", "rendering wells");
    forEachWell(wells.size(), threads, context, [&](std::size_t i) {
      const PlannedWell& well = wells[i];
      writeWell(partial, well, library, spec, optics[well.line * spec.plates_per_cell_type + well.plate - 1], seed);
    });
    writeText(partial / "ground_truth.csv", groundTruthCsv(library));
    writeText(partial / "metadata.csv", metadataCsv(wells, library, spec.sites));
    context.checkCancelled();
    if (fs::exists(target, error)) fs::remove(target, error);  // the empty folder we were given
    fs::rename(partial, target, error);
    if (error) throw DataError(target.string(), "cannot move the finished screen into place: " + error.message());
  } catch (...) {
    fs::remove_all(partial, error);
    throw;
  }
  context.report(static_cast<std::int64_t>(wells.size()), static_cast<std::int64_t>(wells.size()), "wells",
                 "screen written to " + target.string());

  SynthSummary summary;
  summary.root = target;
  summary.experiments = static_cast<int>(cellLines().size());
  summary.plates = summary.experiments * spec.plates_per_cell_type;
  summary.wells = static_cast<int>(wells.size());
  summary.sites = summary.wells * spec.sites;
  summary.compounds = spec.compounds;
  summary.image_size = spec.image_size;
  return summary;
}

}  // namespace gandl::data
