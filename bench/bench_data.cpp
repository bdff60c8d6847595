// Data-layer throughput: reading a metadata file the size of RxRx19a's (305,520 rows), and
// loading 5 x 1024^2 PNG sites resized to 256 beside the bare PNG decode they contain.
// Prints a table; figures go to docs/benchmarks.md.
#include <algorithm>

#include "bench/bench_timing.h"
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/data/csv.h"
#include "core/data/screen.h"
#include "core/data/site_loader.h"
#include "core/data/well.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

using gandl::bench::medianSeconds;

namespace {

void writeMetadata(const fs::path& path, int rows) {
  std::ofstream out(path);
  out << "site_id,well_id,cell_type,experiment,plate,well,site,disease_condition,treatment,"
         "treatment_conc,SMILES\n";
  for (int i = 0; i < rows; ++i) {
    const int site = i % 4 + 1, well = (i / 4) % 1380, plate = i / 4 / 1380 + 1;
    const std::string name = gandl::data::wellName(well / 46, well % 46 + 1);
    const std::string experiment = i < 284080 ? "HRCE-1" : "VERO-1";
    const std::string id = experiment + "_" + std::to_string(plate) + "_" + name;
    out << id << "_" << site << "," << id << "," << experiment.substr(0, 4) << "," << experiment << "," << plate << ","
        << name << "," << site << ",Active SARS-CoV-2,"
        << "\"Compound " << well % 1672 << ", hydrochloride\"," << 0.1 * (well % 6 + 1) << ",CC(=O)Nc1ccc(O)cc1\n";
  }
}

cv::Mat cellLikeImage(std::mt19937& rng, int size) {
  cv::Mat image(size, size, CV_8U, cv::Scalar(8));
  std::uniform_int_distribution<int> position(0, size - 1), radius(10, 28), level(60, 220);
  for (int i = 0; i < 180; ++i)
    cv::circle(image, {position(rng), position(rng)}, radius(rng), cv::Scalar(level(rng)), cv::FILLED);
  cv::Mat noise(size, size, CV_8U);
  cv::randn(noise, 0, 6);
  image += noise;
  cv::GaussianBlur(image, image, {5, 5}, 1.5);
  return image;
}

}  // namespace

int main() {
  const fs::path dir = fs::temp_directory_path() / "gandl-bench-data";
  fs::remove_all(dir);
  fs::create_directories(dir / "images/HRCE-1/Plate1");
  std::printf("%-44s %12s %10s %14s\n", "what", "size", "median s", "throughput");

  const int rows = 305520;
  writeMetadata(dir / "metadata.csv", rows);
  const double mb = fs::file_size(dir / "metadata.csv") / 1e6;
  const double parse = medianSeconds(3, [&] { gandl::data::readCsv(dir / "metadata.csv"); });
  std::printf("%-44s %9d rows %10.3f %10.1f MB/s\n", "metadata.csv parse (RFC 4180)", rows, parse, mb / parse);
  const double load = medianSeconds(3, [&] { gandl::data::loadScreen(dir); });
  std::printf("%-44s %9d rows %10.3f %9.0f rows/s\n", "screen load (parse + validate + index)", rows, load,
              rows / load);

  std::mt19937 rng(1);
  const int sites = 8;
  std::vector<gandl::data::Site> siteList(sites);
  for (int s = 0; s < sites; ++s) {
    siteList[s].site_id = "site" + std::to_string(s);
    for (int c = 1; c <= 5; ++c) {
      const fs::path file =
          dir / "images/HRCE-1/Plate1" / ("B02_s" + std::to_string(s + 1) + "_w" + std::to_string(c) + ".png");
      cv::imwrite(file.string(), cellLikeImage(rng, 1024));
      siteList[s].channel_files.push_back(file);
    }
  }
  const double decode = medianSeconds(3, [&] {
    for (const auto& site : siteList)
      for (const auto& file : site.channel_files) cv::imread(file.string(), cv::IMREAD_UNCHANGED);
  });
  std::printf("%-44s %12s %10.3f %8.1f sites/s\n", "bare PNG decode, 5 x 1024^2 per site", "8 sites", decode,
              sites / decode);
  const double resized = medianSeconds(3, [&] {
    for (const auto& site : siteList) gandl::data::loadSiteImage(site, 256);
  });
  std::printf("%-44s %12s %10.3f %8.1f sites/s (%.0f%% of bare decode)\n", "loadSiteImage -> [5,256,256] float",
              "8 sites", resized, sites / resized, 100.0 * decode / resized);
  const double tiled = medianSeconds(3, [&] {
    for (const auto& site : siteList) gandl::data::loadSiteTiles(site, 256);
  });
  std::printf("%-44s %12s %10.3f %8.1f sites/s\n", "loadSiteTiles -> 16 x [5,256,256] float", "8 sites", tiled,
              sites / tiled);
  fs::remove_all(dir);
  return 0;
}
