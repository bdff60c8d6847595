// Synthetic screens: the RxRx19a layout exactly, the same bytes for the same seed whatever the
// thread count, a ground truth that matches the metadata, a clean cancel, and phenotypes that are
// really in the pixels: measured here from the images alone, with nothing from the generator but
// ground_truth.csv.
#include <QtTest>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/data/csv.h"
#include "core/data/data_error.h"
#include "core/data/screen.h"
#include "core/data/synthetic_screen.h"
#include "core/data/well.h"

namespace fs = std::filesystem;
using namespace gandl::data;
using gandl::tasks::CancelToken;
using gandl::tasks::ProgressUpdate;
using gandl::tasks::TaskContext;

namespace {

constexpr std::uint64_t kSeed = 7;
const std::vector<double> kDoses = {0.0316228, 0.1, 0.316228, 1, 3.16228, 10};

std::string readBytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

fs::path imageFile(const fs::path& root, const std::vector<std::string>& row, int channel) {
  // metadata columns: site_id, well_id, cell_type, experiment, plate, well, site, ...
  return root / "images" / row[3] / ("Plate" + row[4]) /
         (row[5] + "_s" + row[6] + "_w" + std::to_string(channel) + ".png");
}

cv::Mat readChannel(const Site& site, int channel) {
  cv::Mat image = cv::imread(site.channel_files[channel].string(), cv::IMREAD_UNCHANGED);
  cv::Mat values;
  image.convertTo(values, CV_32F);
  return values;
}

// Threshold that separates nuclei from background on a plate (Otsu on a C+ site's Hoechst).
double otsuThreshold(const cv::Mat& hoechst) {
  cv::Mat smooth, binary, bytes;
  cv::GaussianBlur(hoechst, smooth, cv::Size(), 1.0);
  smooth.convertTo(bytes, CV_8U);
  return cv::threshold(bytes, binary, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
}

int countNuclei(const cv::Mat& hoechst, double threshold) {
  cv::Mat smooth, binary, labels, stats, centroids;
  cv::GaussianBlur(hoechst, smooth, cv::Size(), 1.0);
  cv::threshold(smooth, binary, threshold, 255, cv::THRESH_BINARY);
  binary.convertTo(binary, CV_8U);
  const int components = cv::connectedComponentsWithStats(binary, labels, stats, centroids);
  int nuclei = 0;
  for (int i = 1; i < components; ++i) nuclei += stats.at<int>(i, cv::CC_STAT_AREA) >= 3;
  return nuclei;
}

// A generic texture statistic: edge energy (mean absolute Laplacian) per unit of stain above the
// background, so it does not move with gain or offset.
double edgeEnergy(const cv::Mat& image) {
  cv::Mat smooth, laplacian, sorted;
  cv::GaussianBlur(image, smooth, cv::Size(), 0.7);
  cv::Laplacian(smooth, laplacian, CV_32F);
  cv::sort(image.reshape(1, 1), sorted, cv::SORT_ASCENDING);
  const double background = sorted.at<float>(sorted.cols / 20);
  return cv::mean(cv::abs(laplacian))[0] / (cv::mean(image)[0] - background + 1.0);
}

struct Moments {
  double mean = 0, sd = 0;
};
Moments momentsOf(const std::vector<double>& values) {
  Moments m;
  for (double v : values) m.mean += v / values.size();
  for (double v : values) m.sd += (v - m.mean) * (v - m.mean) / values.size();
  m.sd = std::sqrt(m.sd);
  return m;
}
double effectSize(const std::vector<double>& reference, const std::vector<double>& other) {
  const Moments a = momentsOf(reference), b = momentsOf(other);
  return (b.mean - a.mean) / std::sqrt(0.5 * (a.sd * a.sd + b.sd * b.sd));
}

std::string plateKey(const Site& site) { return site.experiment + "/" + std::to_string(site.plate); }

}  // namespace

class TestSyntheticScreen : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  fs::path root_;
  SynthSummary summary_;
  std::vector<ProgressUpdate> progress_;
  CsvTable metadata_, truth_;
  Screen screen_;
  std::map<std::string, std::vector<std::string>> truthByName_;

  fs::path temporary(const std::string& name) const { return fs::path(dir_.path().toStdString()) / name; }

  bool partialLeftBehind() const {
    for (const auto& entry : fs::directory_iterator(dir_.path().toStdString()))
      if (entry.path().filename().string().find(".partial-") != std::string::npos) return true;
    return false;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    root_ = temporary("demo");
    const TaskContext context([this](const ProgressUpdate& update) { progress_.push_back(update); }, nullptr);
    summary_ = writeSyntheticScreen(root_, SynthPreset::Demo, kSeed, context, 2);
    metadata_ = readCsv(root_ / "metadata.csv");
    truth_ = readCsv(root_ / "ground_truth.csv");
    for (const auto& row : truth_.rows) truthByName_[row[0]] = row;
    screen_ = loadScreen(root_);
  }

  void parsesPresetNames() {
    QVERIFY(parseSynthPreset("demo") == SynthPreset::Demo);
    QVERIFY(parseSynthPreset("small") == SynthPreset::Small);
    QVERIFY(parseSynthPreset("medium") == SynthPreset::Medium);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseSynthPreset("Demo"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseSynthPreset(""));
  }

  void writesTheRxRx19aLayout() {
    const std::vector<std::string> header = {"site_id",   "well_id",        "cell_type", "experiment",
                                             "plate",     "well",           "site",      "disease_condition",
                                             "treatment", "treatment_conc", "SMILES"};
    QCOMPARE(metadata_.header, header);
    QCOMPARE(static_cast<int>(metadata_.rows.size()), summary_.sites);
    std::size_t images = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root_ / "images")) images += entry.is_regular_file();
    QCOMPARE(images, metadata_.rows.size() * 5);  // nothing on disk that the metadata omits
    for (const auto& row : metadata_.rows) {
      const std::string well_id = row[3] + "_" + row[4] + "_" + row[5];
      QCOMPARE(row[1], well_id);
      QCOMPARE(row[0], well_id + "_" + row[6]);
      QVERIFY2((row[3] == "HRCE-1" && row[2] == "HRCE") || (row[3] == "VERO-1" && row[2] == "VERO"), row[0].c_str());
      const auto position = parseWell(row[5]);
      QVERIFY(position && position->row < 16 && position->column <= 24);
      QCOMPARE(wellName(position->row, position->column), row[5]);
      for (int channel = 1; channel <= 5; ++channel) {
        const cv::Mat image = cv::imread(imageFile(root_, row, channel).string(), cv::IMREAD_UNCHANGED);
        QVERIFY2(!image.empty(), imageFile(root_, row, channel).c_str());
        QCOMPARE(image.type(), CV_8UC1);
        QCOMPARE(image.rows, 64);
        QCOMPARE(image.cols, 64);
      }
    }
  }

  void writesConditionsAsRecursionDoes() {
    std::size_t quoted = 0, with_comma = 0;
    for (const auto& row : metadata_.rows) {
      const std::string& condition = row[7];
      QVERIFY2(condition == kMock || condition == kUvInactivated || condition == kActive, condition.c_str());
      if (row[8].empty()) {  // a control: no concentration, no structure
        QVERIFY(row[9].empty() && row[10].empty());
        continue;
      }
      QCOMPARE(condition, std::string(kActive));
      QVERIFY(!row[10].empty() && row[10].find(',') == std::string::npos);
      bool known_dose = false;
      for (double dose : kDoses) known_dose = known_dose || std::abs(std::stod(row[9]) / dose - 1) < 1e-5;
      QVERIFY2(known_dose, row[9].c_str());
      quoted += row[8].find('"') != std::string::npos;
      with_comma += row[8].find(',') != std::string::npos;
    }
    QVERIFY(quoted > 0);  // RFC 4180 quoting is exercised by the names...
    QVERIFY(with_comma > 0);
    QVERIFY(readBytes(root_ / "metadata.csv").find("\"\"") != std::string::npos);  // ...and escaped
  }

  void meetsTheDemoMinimums() {
    QCOMPARE(summary_.experiments, 2);
    QCOMPARE(summary_.plates, 4);
    QCOMPARE(summary_.image_size, 64);
    QVERIFY(summary_.compounds >= 8);
    QCOMPARE(summary_.root, root_);
    std::map<std::string, std::set<std::string>> mock, uv, infected, plates;
    std::map<std::string, std::map<std::string, int>> sites_per_well;
    std::set<std::string> wells;
    for (const auto& row : metadata_.rows) {
      const std::string& type = row[2];
      wells.insert(row[1]);
      plates[type].insert(row[4]);
      ++sites_per_well[type][row[1]];
      if (row[7] == kMock) mock[type].insert(row[1]);
      if (row[7] == kUvInactivated) uv[type].insert(row[1]);
      if (row[7] == kActive && row[8].empty()) infected[type].insert(row[1]);
    }
    QCOMPARE(static_cast<int>(wells.size()), summary_.wells);
    for (const std::string type : {"HRCE", "VERO"}) {
      QCOMPARE(plates[type].size(), std::size_t(2));
      QVERIFY(!mock[type].empty() && !uv[type].empty());
      QVERIFY(mock[type].size() + uv[type].size() >= 24);
      QVERIFY(infected[type].size() >= 24);
      for (const auto& [well, sites] : sites_per_well[type]) QCOMPARE(sites, 2);
    }
  }

  void scattersControlsOverThePlate() {
    std::map<std::string, std::set<int>> rows, columns;
    std::map<std::string, std::set<std::string>> control_wells;
    for (const auto& row : metadata_.rows) {
      if (!row[8].empty()) continue;
      const auto position = parseWell(row[5]);
      const std::string plate = row[3] + "/" + row[4] + "/" + row[7];
      rows[plate].insert(position->row);
      columns[plate].insert(position->column);
      control_wells[row[3] + "/" + row[4]].insert(row[5]);
    }
    for (const auto& [plate, used] : columns) {
      QVERIFY2(used.size() >= 3, plate.c_str());
      QVERIFY2(rows[plate].size() >= 3, plate.c_str());
    }
    QVERIFY(control_wells["HRCE-1/1"] != control_wells["HRCE-1/2"]);  // each plate has its own map
  }

  void groundTruthMatchesTheMetadata() {
    QCOMPARE(truth_.header, (std::vector<std::string>{"compound", "active", "ec50_uM", "hill_slope", "toxic"}));
    QCOMPARE(static_cast<int>(truth_.rows.size()), summary_.compounds);
    int active_toxic = 0, inactive_toxic = 0, active = 0, inactive = 0;
    for (const auto& row : truth_.rows) {
      QVERIFY(row[1] == "0" || row[1] == "1");
      QVERIFY(row[4] == "0" || row[4] == "1");
      if (row[1] == "1") {
        const double ec50 = std::stod(row[2]), hill = std::stod(row[3]);
        QVERIFY2(ec50 >= kDoses.front() && ec50 <= kDoses.back(), row[2].c_str());
        QVERIFY2(hill >= 0.8 && hill <= 2.5, row[3].c_str());
      } else {
        QVERIFY(row[2].empty());
      }
      (row[1] == "1" ? active : inactive)++;
      active_toxic += row[1] == "1" && row[4] == "1";
      inactive_toxic += row[1] == "0" && row[4] == "1";
    }
    QVERIFY(active_toxic >= 1 && inactive_toxic >= 1 && active >= 3 && inactive >= 3);

    // Every treatment is in the truth and vice versa; each at six doses in three replicate wells.
    std::map<std::string, std::map<std::string, std::set<std::string>>> wells;  // name -> type+dose -> wells
    for (const auto& row : metadata_.rows)
      if (!row[8].empty()) wells[row[8]][row[2] + " " + row[9]].insert(row[1]);
    QCOMPARE(wells.size(), truthByName_.size());
    for (const auto& [name, doses] : wells) {
      QVERIFY2(truthByName_.count(name), name.c_str());
      QCOMPARE(doses.size(), std::size_t(12));
      for (const auto& [dose, replicates] : doses) QCOMPARE(replicates.size(), std::size_t(3));
    }
  }

  void sameSeedSameBytesWhateverTheThreads() {
    const fs::path again = temporary("demo-again");
    writeSyntheticScreen(again, SynthPreset::Demo, kSeed, {}, 1);
    QCOMPARE(readBytes(again / "metadata.csv"), readBytes(root_ / "metadata.csv"));
    QCOMPARE(readBytes(again / "ground_truth.csv"), readBytes(root_ / "ground_truth.csv"));
    for (const auto& row : metadata_.rows)
      for (int channel = 1; channel <= 5; ++channel)
        QVERIFY2(readBytes(imageFile(again, row, channel)) == readBytes(imageFile(root_, row, channel)),
                 imageFile(again, row, channel).c_str());
    fs::remove_all(again);
  }

  void differentSeedDifferentScreen() {
    const fs::path other = temporary("demo-other");
    writeSyntheticScreen(other, SynthPreset::Demo, kSeed + 1);
    QVERIFY(readBytes(other / "metadata.csv") != readBytes(root_ / "metadata.csv"));
    const CsvTable rows = readCsv(other / "metadata.csv");
    for (std::size_t i = 0; i < 10; ++i)
      for (int channel = 1; channel <= 5; ++channel)
        QVERIFY(readBytes(imageFile(other, rows.rows[i], channel)) !=
                readBytes(imageFile(root_, metadata_.rows[i], channel)));
    fs::remove_all(other);
  }

  void loadsAsAScreen() {
    QVERIFY(screen_.layout == Layout::RxRx19a);
    QCOMPARE(screen_.sites.size(), metadata_.rows.size());
    QCOMPARE(screen_.completeCount(), screen_.sites.size());
    for (const Site& site : screen_.sites) {
      if (site.disease_condition == kMock || site.disease_condition == kUvInactivated)
        QVERIFY(site.role == Role::PositiveControl);
      else if (site.treatment.empty())
        QVERIFY(site.role == Role::NegativeControl);
      else
        QVERIFY(site.role == Role::Compound && site.hasConcentration());
    }
  }

  void progressCountsWells() {
    QVERIFY(!progress_.empty());
    for (std::size_t i = 1; i < progress_.size(); ++i) QVERIFY(progress_[i].done >= progress_[i - 1].done);
    QCOMPARE(progress_.back().done, static_cast<std::int64_t>(summary_.wells));
    QCOMPARE(progress_.back().total, static_cast<std::int64_t>(summary_.wells));
    QCOMPARE(progress_.back().unit, std::string("wells"));
  }

  void rawIntensityIsConfoundedByPlate() {
    // The mean Hoechst of the same kind of well (C+) differs between plates by far more than the
    // plate means' own uncertainty: gains and offsets are per plate, as in a real screen.
    std::map<std::string, std::vector<double>> means;
    for (const Site& site : screen_.sites)
      if (site.role == Role::PositiveControl && site.cell_type == "HRCE")
        for (int channel = 0; channel < 5; ++channel)
          means[plateKey(site) + " w" + std::to_string(channel)].push_back(cv::mean(readChannel(site, channel))[0]);
    double largest = 0;
    for (int channel = 0; channel < 5; ++channel) {
      const Moments a = momentsOf(means["HRCE-1/1 w" + std::to_string(channel)]);
      const Moments b = momentsOf(means["HRCE-1/2 w" + std::to_string(channel)]);
      const double error = std::sqrt((a.sd * a.sd + b.sd * b.sd) / 24.0);
      largest = std::max(largest, std::abs(a.mean - b.mean) / error);
    }
    QVERIFY2(largest > 4.0, std::to_string(largest).c_str());
  }

  void toxicCompoundsKillCellsAtTheTopDose() {
    std::map<std::string, std::vector<double>> thresholds;
    for (const Site& site : screen_.sites)
      if (site.role == Role::PositiveControl) thresholds[plateKey(site)].push_back(otsuThreshold(readChannel(site, 0)));
    std::map<std::string, double> threshold;
    for (auto& [plate, values] : thresholds) {
      std::sort(values.begin(), values.end());
      threshold[plate] = values[values.size() / 2];
    }
    double toxic_low = 0, toxic_high = 0, safe_low = 0, safe_high = 0;
    for (const Site& site : screen_.sites) {
      if (site.role != Role::Compound) continue;
      const bool lowest = std::abs(site.concentration_uM / kDoses.front() - 1) < 1e-5;
      const bool highest = std::abs(site.concentration_uM / kDoses.back() - 1) < 1e-5;
      if (!lowest && !highest) continue;
      const int nuclei = countNuclei(readChannel(site, 0), threshold[plateKey(site)]);
      const bool toxic = truthByName_.at(site.treatment)[4] == "1";
      (toxic ? (lowest ? toxic_low : toxic_high) : (lowest ? safe_low : safe_high)) += nuclei;
    }
    QVERIFY2(toxic_high < 0.6 * toxic_low, (std::to_string(toxic_high) + " vs " + std::to_string(toxic_low)).c_str());
    QVERIFY2(safe_high > 0.8 * safe_low, (std::to_string(safe_high) + " vs " + std::to_string(safe_low)).c_str());
  }

  void infectionIsTextureNotBrightness() {
    // Per plate, every statistic is z-scored on that plate's C+ sites (the normalisation a real
    // analysis does); C- then stands apart in RNA texture (replication puncta) far more than in the
    // mean intensity of RNA or actin.
    struct Features {
      double rna_texture, rna_mean, actin_mean;
    };
    std::map<std::string, std::vector<std::pair<const Site*, Features>>> plates;
    for (const Site& site : screen_.sites) {
      const cv::Mat actin = readChannel(site, 2), rna = readChannel(site, 3);
      plates[plateKey(site)].push_back({&site, {edgeEnergy(rna), cv::mean(rna)[0], cv::mean(actin)[0]}});
    }
    std::vector<double> positive[3], negative[3];
    std::map<std::string, std::vector<double>> texture_by_group;  // "active low" ... in z units
    for (const auto& [plate, sites] : plates) {
      for (int f = 0; f < 3; ++f) {
        auto value = [f](const Features& x) { return f == 0 ? x.rna_texture : f == 1 ? x.rna_mean : x.actin_mean; };
        std::vector<double> controls;
        for (const auto& [site, x] : sites)
          if (site->role == Role::PositiveControl) controls.push_back(value(x));
        const Moments reference = momentsOf(controls);
        for (const auto& [site, x] : sites) {
          const double z = (value(x) - reference.mean) / reference.sd;
          if (site->role == Role::PositiveControl) positive[f].push_back(z);
          if (site->role == Role::NegativeControl) negative[f].push_back(z);
          if (f != 0 || site->role != Role::Compound) continue;
          const auto& truth = truthByName_.at(site->treatment);
          if (truth[4] == "1") continue;  // dying cells have their own texture
          const bool lowest = std::abs(site->concentration_uM / kDoses.front() - 1) < 1e-5;
          const bool highest = std::abs(site->concentration_uM / kDoses.back() - 1) < 1e-5;
          if (lowest || highest)
            texture_by_group[(truth[1] == "1" ? "active " : "inactive ") + std::string(lowest ? "low" : "high")]
                .push_back(z);
        }
      }
    }
    const double texture = effectSize(positive[0], negative[0]);
    const double rna_mean = std::abs(effectSize(positive[1], negative[1]));
    const double actin_mean = std::abs(effectSize(positive[2], negative[2]));
    const std::string effects = "texture " + std::to_string(texture) + ", RNA mean " + std::to_string(rna_mean) +
                                ", actin mean " + std::to_string(actin_mean);
    QVERIFY2(texture > 0.6, effects.c_str());
    QVERIFY2(texture > 2 * std::max(rna_mean, actin_mean), effects.c_str());

    // Known answer along the dose axis: an active compound's top dose removes the infection
    // texture; an inactive compound's does not.
    const double c_minus = momentsOf(negative[0]).mean;
    const double active_low = momentsOf(texture_by_group["active low"]).mean;
    const double active_high = momentsOf(texture_by_group["active high"]).mean;
    const double inactive_high = momentsOf(texture_by_group["inactive high"]).mean;
    const std::string doses = "C- " + std::to_string(c_minus) + ", active low " + std::to_string(active_low) +
                              ", active high " + std::to_string(active_high) + ", inactive high " +
                              std::to_string(inactive_high);
    QVERIFY2(active_high < active_low - 0.5, doses.c_str());
    QVERIFY2(active_high < inactive_high - 0.5, doses.c_str());
    QVERIFY2(std::abs(active_high) < std::abs(active_high - c_minus),
             doses.c_str());  // nearer C+ (0) than C-
  }

  void refusesAFolderThatIsNotEmpty() {
    const fs::path occupied = temporary("occupied");
    fs::create_directories(occupied);
    std::ofstream(occupied / "notes.txt") << "keep me";
    QVERIFY_THROWS_EXCEPTION(DataError, writeSyntheticScreen(occupied, SynthPreset::Demo, kSeed));
    QCOMPARE(readBytes(occupied / "notes.txt"), std::string("keep me"));
    QVERIFY(!partialLeftBehind());
  }

  void cancelBeforeStartLeavesNothing() {
    CancelToken token;
    token.cancel();
    const fs::path out = temporary("cancelled-early");
    QVERIFY_THROWS_EXCEPTION(gandl::tasks::Cancelled,
                             writeSyntheticScreen(out, SynthPreset::Demo, kSeed, TaskContext({}, &token)));
    QVERIFY(!fs::exists(out));
    QVERIFY(!partialLeftBehind());
  }

  void cancelMidwayLeavesNothing() {
    for (int threads : {1, 2}) {
      CancelToken token;
      const TaskContext context(
          [&token](const ProgressUpdate& update) {
            if (update.done >= 10) token.cancel();
          },
          &token);
      const fs::path out = temporary("cancelled-midway");
      fs::create_directories(out);  // an empty folder the user chose: kept, and kept empty
      QVERIFY_THROWS_EXCEPTION(gandl::tasks::Cancelled,
                               writeSyntheticScreen(out, SynthPreset::Demo, kSeed, context, threads));
      QVERIFY(fs::is_directory(out) && fs::is_empty(out));
      QVERIFY(!partialLeftBehind());
      fs::remove(out);
    }
  }
};

QTEST_APPLESS_MAIN(TestSyntheticScreen)
#include "test_synthetic_screen.moc"
