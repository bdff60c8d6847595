// Embedding store throughput: writing 30,000 x 512 float32 embeddings plate by plate (1,536 sites
// a plate, with their obs metadata, flushed after every plate) and reading them back, beside a
// raw binary file of the same floats as the reference. Prints a table; figures go to
// docs/benchmarks.md. Usage: bench_store [DIR] (default: the system temporary directory).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "bench/bench_timing.h"
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <vector>

#include "core/data/screen.h"
#include "core/store/embedding_store.h"
#include "core/store/embedding_writer.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

using gandl::bench::medianSeconds;

namespace {

constexpr int kSites = 30000;
constexpr int kDimension = 512;
constexpr int kPlateSites = 1536;
constexpr int kRuns = 3;

std::vector<gandl::data::Site> makeSites() {
  std::vector<gandl::data::Site> sites(kSites);
  for (int i = 0; i < kSites; ++i) {
    auto& s = sites[i];
    s.experiment = "HRCE-1";
    s.plate = i / kPlateSites + 1;
    const int well = (i % kPlateSites) / 4;
    s.well = std::string(1, char('B' + well / 24)) + std::to_string(well % 24 + 1);
    s.site = i % 4 + 1;
    s.well_id = s.experiment + "_" + std::to_string(s.plate) + "_" + s.well;
    s.site_id = s.well_id + "_" + std::to_string(s.site);
    s.cell_type = "HRCE";
    s.disease_condition = "Active SARS-CoV-2";
    s.treatment = "Compound " + std::to_string(well % 97) + ", hydrochloride";
    s.concentration_uM = 0.1 * (well % 6 + 1);
    s.smiles = "CC(=O)Nc1ccc(O)cc1";
    s.role = gandl::data::Role::Compound;
  }
  return sites;
}

void writeRaw(const fs::path& path, const std::vector<float>& values) {
  const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const auto* bytes = reinterpret_cast<const char*>(values.data());
  std::size_t left = values.size() * sizeof(float);
  while (left > 0) {
    const ssize_t written = ::write(file, bytes, left);
    if (written <= 0) break;
    bytes += written;
    left -= static_cast<std::size_t>(written);
  }
  ::fsync(file);  // as EmbeddingWriter::finish() does before its rename
  ::close(file);
}

std::vector<float> readRaw(const fs::path& path) {
  std::vector<float> values(std::size_t(kSites) * kDimension);
  const int file = ::open(path.c_str(), O_RDONLY);
  auto* bytes = reinterpret_cast<char*>(values.data());
  std::size_t left = values.size() * sizeof(float);
  while (left > 0) {
    const ssize_t got = ::read(file, bytes, left);
    if (got <= 0) break;
    bytes += got;
    left -= static_cast<std::size_t>(got);
  }
  ::close(file);
  return values;
}

void row(const char* what, const char* size, double seconds, double megabytes, double rows) {
  std::printf("%-46s %16s %9.3f %9.1f MB/s %11.0f rows/s\n", what, size, seconds, megabytes / seconds, rows / seconds);
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path dir = (argc > 1 ? fs::path(argv[1]) : fs::temp_directory_path()) / "gandl-bench-store";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path store = dir / "embeddings.h5ad";
  const fs::path raw = dir / "embeddings.f32";

  // Features like a discriminator's: signed, dense, no two alike (gzip gains little on them).
  std::mt19937 random(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(std::size_t(kSites) * kDimension);
  for (float& value : x) value = normal(random);
  const auto sites = makeSites();
  const double megabytes = double(x.size()) * sizeof(float) / 1e6;
  char size[32];
  std::snprintf(size, sizeof size, "%d x %d", kSites, kDimension);

  std::printf("%-46s %16s %9s %14s %18s\n", "what (median of 3)", "size", "s", "throughput", "");
  const double write = medianSeconds(kRuns, [&] {
    fs::remove(store);
    gandl::store::EmbeddingWriter writer(store, kDimension, {{"checkpoint_hash", "bench"}});
    for (int first = 0; first < kSites; first += kPlateSites) {
      const int count = std::min(kPlateSites, kSites - first);
      writer.append(std::vector<gandl::data::Site>(sites.begin() + first, sites.begin() + first + count),
                    x.data() + std::size_t(first) * kDimension);
    }
    writer.finish();
  });
  row("store write, plates of 1536 + obs, flushed", size, write, megabytes, kSites);
  const double rawWrite = medianSeconds(kRuns, [&] { writeRaw(raw, x); });
  row("  reference: raw float32 file write + fsync", size, rawWrite, megabytes, kSites);

  gandl::store::RowMatrix back;
  const double read = medianSeconds(kRuns, [&] { back = gandl::store::EmbeddingStore::open(store).readAll(); });
  row("store open + readAll", size, read, megabytes, kSites);
  const double rawRead = medianSeconds(kRuns, [&] { readRaw(raw); });
  row("  reference: raw float32 file read", size, rawRead, megabytes, kSites);
  if (!std::equal(x.begin(), x.end(), back.data())) {
    std::fprintf(stderr, "readAll returned other values than were written\n");
    return 1;
  }

  const auto opened = gandl::store::EmbeddingStore::open(store);
  std::vector<std::size_t> picks(1000);
  std::uniform_int_distribution<std::size_t> anyRow(0, kSites - 1);
  for (auto& pick : picks) pick = anyRow(random);
  const double scattered = medianSeconds(kRuns, [&] { opened.readRows(picks); });
  row("store readRows, 1000 random sites", "1000 x 512", scattered, 1000 * kDimension * 4 / 1e6, 1000);
  const double plate = medianSeconds(kRuns, [&] { opened.readPlate("HRCE-1", 7); });
  row("store readPlate (rows indexed at open)", "1536 x 512", plate, kPlateSites * kDimension * 4 / 1e6, kPlateSites);

  std::printf("file: %.1f MB for %.1f MB of floats (%.0f%%)\n", fs::file_size(store) / 1e6, megabytes,
              100.0 * double(fs::file_size(store)) / 1e6 / megabytes);
  fs::remove_all(dir);
  return 0;
}
