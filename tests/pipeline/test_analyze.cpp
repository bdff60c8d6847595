// `gandl analyze` / `gandl zeroshot` end to end on stores whose answers are known by construction:
// feature 0 carries the infection (C- 0, C+ 1, compounds their Hill rescue), feature 1 the cell
// type, every plate adds its own offset (normalization must remove it), the rest is noise.
#include <QtTest>

#include <cmath>
#include <fstream>
#include <map>
#include <functional>
#include <limits>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "core/data/csv.h"
#include "core/pipeline/analyze_task.h"
#include "core/pipeline/analysis_report.h"
#include "core/pipeline/embedding_comparison.h"
#include "core/store/embedding_store.h"
#include "core/data/data_error.h"
#include "core/data/intensity_features.h"
#include "core/pipeline/store_embeddings.h"
#include "core/store/embedding_writer.h"

namespace fs = std::filesystem;
using namespace gandl;

namespace {

constexpr int kDim = 8;

struct Compound {
  std::string name;
  double ec50;  // uM; <= 0: inactive
  double hill;
};
const std::vector<Compound> kCompounds = {{"Potent", 0.1, 1.5}, {"Moderate", 1.0, 1.0}, {"Inert", 0.0, 1.0}};
const std::vector<double> kDoses = {0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0};

std::string wellName(int index) {
  const int row = index / 22, column = index % 22 + 2;
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%c%02d", 'A' + row, column);
  return buffer;
}

// Two cell types, two plates each; per plate 10 C+ wells, 10 C- wells, every compound at every
// dose in one well; 2 sites per well.
// poison: a NaN in the first site (a C+ control) and an Inf in the last (a compound).
// cellCounts: the store is an intensity embedding (70 features) whose nuclei count (objects_w1) is
// 100 per site, and 20 where "Inert" is dosed at 3 uM or more (a cytotoxic, inactive compound).
fs::path writeScreenStore(const fs::path& path, std::uint64_t seed, bool poison = false, bool cellCounts = false) {
  const auto featureNames = data::intensityFeatureNames(data::kModelChannels);
  const int dim = cellCounts ? static_cast<int>(featureNames.size()) : kDim;
  const auto nuclei = std::find(featureNames.begin(), featureNames.end(), "objects_w1") - featureNames.begin();
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0.f, 1.f);
  std::vector<data::Site> sites;
  std::vector<float> rows;
  int plateIndex = 0;
  for (const std::string cellType : {"HRCE", "VERO"}) {
    for (int plate = 1; plate <= 2; ++plate, ++plateIndex) {
      const std::string experiment = cellType + "-1";
      const float offset = 3.f * static_cast<float>(plateIndex);
      int well = 0;
      const auto addWell = [&](data::Role role, const std::string& treatment, double concentration, double signal) {
        const std::string name = wellName(well++);
        for (int site = 1; site <= 2; ++site) {
          data::Site s;
          s.experiment = experiment;
          s.plate = plate;
          s.well = name;
          s.site = site;
          s.well_id = experiment + "_" + std::to_string(plate) + "_" + name;
          s.site_id = s.well_id + "_" + std::to_string(site);
          s.cell_type = cellType;
          s.role = role;
          s.treatment = treatment;
          s.concentration_uM = concentration;
          s.disease_condition = role == data::Role::PositiveControl ? "Mock" : "Active SARS-CoV-2";
          sites.push_back(s);
          rows.push_back(static_cast<float>(signal) + 0.08f * noise(rng) + offset);
          rows.push_back((cellType == "HRCE" ? 1.f : -1.f) + 0.1f * noise(rng) + offset);
          for (int d = 2; d < dim; ++d) rows.push_back(0.3f * noise(rng) + offset);
          if (cellCounts)
            rows[rows.size() - static_cast<std::size_t>(dim) + static_cast<std::size_t>(nuclei)] =
                treatment == "Inert" && concentration >= 3.0 ? 20.f : 100.f;
        }
      };
      for (int i = 0; i < 10; ++i) addWell(data::Role::PositiveControl, "", std::nan(""), 1.0);
      for (int i = 0; i < 10; ++i) addWell(data::Role::NegativeControl, "", std::nan(""), 0.0);
      for (const auto& c : kCompounds)
        for (double dose : kDoses) {
          const double rescue = c.ec50 > 0 ? 1.0 / (1.0 + std::pow(c.ec50 / dose, c.hill)) : 0.0;
          addWell(data::Role::Compound, c.name, dose, rescue);
        }
    }
  }
  if (poison) {
    rows[3] = std::nanf("");
    rows[rows.size() - static_cast<std::size_t>(dim)] = std::numeric_limits<float>::infinity();
  }
  store::EmbeddingWriter writer(path, dim, {{"embedder", std::string(cellCounts ? "intensity" : "constructed")}});
  writer.append(sites, rows.data());
  writer.finish();
  return path;
}

// Four cell types on four plates each, one class feature per cell type; no controls.
fs::path writeCellTypeStore(const fs::path& path) {
  std::mt19937_64 rng(7);
  std::normal_distribution<float> noise(0.f, 1.f);
  std::vector<data::Site> sites;
  std::vector<float> rows;
  const std::vector<std::string> types = {"HEPG2", "HUVEC", "RPE", "U2OS"};
  for (std::size_t t = 0; t < types.size(); ++t)
    for (int plate = 1; plate <= 4; ++plate)
      for (int well = 0; well < 6; ++well) {
        data::Site s;
        s.experiment = types[t] + "-01";
        s.plate = plate;
        s.well = wellName(well);
        s.site = 1;
        s.well_id = s.experiment + "_" + std::to_string(plate) + "_" + s.well;
        s.site_id = s.well_id + "_1";
        s.cell_type = types[t];
        s.role = data::Role::Other;
        sites.push_back(s);
        for (int d = 0; d < kDim; ++d) rows.push_back((d == static_cast<int>(t) ? 2.f : 0.f) + 0.3f * noise(rng));
      }
  store::EmbeddingWriter writer(path, kDim, {{"embedder", std::string("constructed")}});
  writer.append(sites, rows.data());
  writer.finish();
  return path;
}

double medianOf(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string readText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

class TestAnalyze : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  fs::path root() const { return fs::path(dir_.path().toStdString()); }

 private Q_SLOTS:
  void screenAnalysisRecoversTheConstructedAnswers() {
    const auto storePath = writeScreenStore(root() / "screen.h5ad", 1);
    pipeline::AnalyzeOptions options;
    options.embeddings = storePath;
    options.seed = 3;
    const auto result = pipeline::runAnalysis(options);
    QVERIFY2(result.warnings.empty(), result.warnings.empty() ? "" : result.warnings.front().c_str());

    // Table 1: controls over all, per cell type, and cell type vs cell type.
    std::set<std::string> tasks;
    for (const auto& o : result.classifications) {
      tasks.insert(o.task + "/" + o.subset);
      QVERIFY2(o.accuracy > 0.95, (o.task + "/" + o.subset + " accuracy " + std::to_string(o.accuracy)).c_str());
      QVERIFY(o.nTestWells > 0 && o.nTrainWells > 2 * o.nTestWells);
    }
    QCOMPARE(tasks, (std::set<std::string>{"controls/all", "controls/HRCE", "controls/VERO", "cell_type/controls"}));

    // No well on both sides of one task's split; 75 / 25 of the wells of each class.
    std::map<std::string, std::set<std::pair<std::string, bool>>> sides;
    int trainWells = 0, testWells = 0;
    for (const auto& e : result.split) {
      sides[e.task + e.wellId].insert({e.wellId, e.train});
      if (e.task == "controls/all") (e.train ? trainWells : testWells)++;
    }
    for (const auto& [key, s] : sides) QCOMPARE(s.size(), std::size_t(1));
    QCOMPARE(trainWells, 60);  // 40 C+ and 40 C- wells: 30 + 30 train
    QCOMPARE(testWells, 20);

    // E2: medians of C+ at +1 and of C- at -1 exactly; C2 likewise for HRCE / VERO.
    QVERIFY(result.e2 && result.c2);
    std::vector<double> pos, neg, hrce, vero;
    const auto& s = result.sites;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto r = static_cast<Eigen::Index>(i);
      if (s.role[i] == pipeline::SiteTable::Role::PositiveControl) pos.push_back(result.e2->scores.on(r));
      if (s.role[i] == pipeline::SiteTable::Role::NegativeControl) neg.push_back(result.e2->scores.on(r));
      if (s.role[i] == pipeline::SiteTable::Role::PositiveControl ||
          s.role[i] == pipeline::SiteTable::Role::NegativeControl)
        (s.cellType[i] == "HRCE" ? hrce : vero).push_back(result.c2->scores.on(r));
    }
    QVERIFY(std::abs(medianOf(pos) - 1.0) < 1e-6);
    QVERIFY(std::abs(medianOf(neg) + 1.0) < 1e-6);
    QVERIFY(std::abs(medianOf(hrce) - 1.0) < 1e-6);
    QVERIFY(std::abs(medianOf(vero) + 1.0) < 1e-6);

    // Dose-response per compound and cell type: EC50s recovered, the inert compound inactive,
    // hit ranks in order (potent first).
    QCOMPARE(result.compounds.size(), std::size_t(6));
    for (std::size_t k = 0; k < result.compounds.size(); ++k) {
      const auto& c = result.compounds[k];
      QCOMPARE(c.response.hitRank, static_cast<int>(k) + 1);
      QCOMPARE(c.rows.size(), kDoses.size() * 4);  // 2 plates x 2 sites
      if (c.compound == "Inert") {
        QCOMPARE(c.response.status, analysis::DoseResponseStatus::Inactive);
        continue;
      }
      const double truth = c.compound == "Potent" ? 0.1 : 1.0;
      QCOMPARE(c.response.status, analysis::DoseResponseStatus::Fitted);
      QVERIFY2(std::abs(std::log10(c.response.ec50Micromolar / truth)) < 0.3,
               (c.compound + " EC50 " + std::to_string(c.response.ec50Micromolar)).c_str());
      QVERIFY(c.response.ec50LowerMicromolar < truth && truth < c.response.ec50UpperMicromolar);
    }
    QCOMPARE(result.compounds.front().compound, std::string("Potent"));

    // Z' per plate on the On score, as computed by hand from the E2 scores.
    QCOMPARE(result.plateQuality.size(), std::size_t(4));
    for (const auto& q : result.plateQuality) {
      std::vector<double> p, n;
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (s.plateOfRow[i] != q.plate) continue;
        if (s.role[i] == pipeline::SiteTable::Role::PositiveControl)
          p.push_back(result.e2->scores.on(static_cast<Eigen::Index>(i)));
        if (s.role[i] == pipeline::SiteTable::Role::NegativeControl)
          n.push_back(result.e2->scores.on(static_cast<Eigen::Index>(i)));
      }
      const auto meanSd = [](const std::vector<double>& v) {
        double m = 0, ss = 0;
        for (double x : v) m += x;
        m /= static_cast<double>(v.size());
        for (double x : v) ss += (x - m) * (x - m);
        return std::make_pair(m, std::sqrt(ss / static_cast<double>(v.size() - 1)));
      };
      const auto [mp, sp] = meanSd(p);
      const auto [mn, sn] = meanSd(n);
      QVERIFY(std::abs(q.zPrime - (1.0 - 3.0 * (sp + sn) / std::abs(mp - mn))) < 1e-9);
      QCOMPARE(q.flagged, !(q.zPrime >= 0.5));
    }

    // The normalized matrix went to /obsm, /X untouched.
    const auto store = store::EmbeddingStore::open(storePath);
    const auto names = store.obsmNames();
    QVERIFY(std::find(names.begin(), names.end(), "X_plate") != names.end());
    QVERIFY(store.obsmMethod("X_plate").find("plate") != std::string::npos);
  }

  // Issue 12 item 12: non-finite rows are named and left out instead of blanking silently.
  void nonFiniteRowsAreNamedAndLeftOut() {
    pipeline::AnalyzeOptions options;
    options.embeddings = writeScreenStore(root() / "poisoned.h5ad", 1, true);
    options.seed = 3;
    const auto result = pipeline::runAnalysis(options);
    QCOMPARE(result.warnings.size(), std::size_t(1));
    QVERIFY2(result.warnings[0].find("2 site(s)") != std::string::npos &&
                 result.warnings[0].find("non-finite") != std::string::npos &&
                 result.warnings[0].find(result.sites.siteId.front()) != std::string::npos,
             result.warnings[0].c_str());
    QVERIFY(result.sites.role.front() == pipeline::SiteTable::Role::Other);
    for (const auto& o : result.classifications)
      QVERIFY2(o.accuracy > 0.95, (o.task + "/" + o.subset + " accuracy " + std::to_string(o.accuracy)).c_str());
  }

  void reportFilesHoldEveryTable() {
    const auto storePath = writeScreenStore(root() / "report.h5ad", 2);
    pipeline::AnalyzeOptions options;
    options.embeddings = storePath;
    options.writeToStore = false;
    const auto result = pipeline::runAnalysis(options);
    const auto out = root() / "report";
    const auto files = pipeline::writeAnalysisReport(result, out);
    for (const char* name : {"accuracy.csv", "confusion_controls.csv", "confusion_controls_HRCE.csv",
                             "confusion_cell_type.csv", "split.csv", "projection_E2.csv", "projection_C2.csv",
                             "dose_response.csv", "dose_fits.csv", "plate_qc.csv", "summary.json"})
      QVERIFY2(fs::exists(out / name), name);
    const auto csv = [&](const char* name) { return data::readCsv(out / name); };
    QCOMPARE(csv("projection_E2.csv").rows.size(), result.sites.size());
    QCOMPARE(csv("projection_E2.csv").header.front(), std::string("site_id"));
    QCOMPARE(csv("dose_fits.csv").rows.size(), std::size_t(6));
    QCOMPARE(csv("dose_response.csv").rows.size(), std::size_t(6 * kDoses.size()));
    QCOMPARE(csv("plate_qc.csv").rows.size(), std::size_t(4));
    const auto accuracy = csv("accuracy.csv");
    QCOMPARE(accuracy.header,
             (std::vector<std::string>{"task", "subset", "embedding", "normalization", "n_train_wells", "n_test_wells",
                                       "n_test_sites", "accuracy", "balanced_accuracy", "svm_c"}));
    QCOMPARE(accuracy.rows.size(), std::size_t(4));
    const auto fits = csv("dose_fits.csv");
    QCOMPARE(fits.header[4], std::string("ec50_uM"));
    const auto summary = nlohmann::json::parse(readText(out / "summary.json"));
    QCOMPARE(summary["n_sites"].get<std::size_t>(), result.sites.size());
    QCOMPARE(summary["compounds"]["by_status"]["inactive"].get<int>(), 2);
    // The store was left alone (writeToStore = false).
    QVERIFY(store::EmbeddingStore::open(storePath).obsmNames().empty());
    // A report written again into the folder leaves no file of the earlier one behind (here: a
    // stale confusion matrix and a C2 projection), and keeps what is not a report file.
    { std::ofstream(out / "confusion_controls_other.csv") << "stale"; }
    { std::ofstream(out / "notes.txt") << "mine"; }
    auto withoutC2 = result;
    withoutC2.c2.reset();
    const auto again = pipeline::writeAnalysisReport(withoutC2, out);
    QVERIFY(!fs::exists(out / "confusion_controls_other.csv"));
    QVERIFY(!fs::exists(out / "projection_C2.csv"));
    QVERIFY(fs::exists(out / "notes.txt"));
    for (const auto& f : again) QVERIFY2(fs::exists(f), f.string().c_str());
  }

  void comparesAnotherStoreOfTheSameSites() {
    const auto a = writeScreenStore(root() / "cmp-a.h5ad", 4);
    const auto b = writeScreenStore(root() / "cmp-b.h5ad", 5);
    pipeline::AnalyzeOptions options;
    options.embeddings = a;
    options.compare = {"other=" + b.string()};
    const auto result = pipeline::runAnalysis(options);
    std::set<std::string> embeddings;
    for (const auto& o : result.classifications) embeddings.insert(o.embedding);
    QCOMPARE(embeddings, (std::set<std::string>{"X", "other"}));
    const auto names = store::EmbeddingStore::open(a).obsmNames();
    QVERIFY(std::find(names.begin(), names.end(), "other") != names.end());
    // Asking for an embedding the store lacks names it.
    options.compare = {"missing"};
    try {
      pipeline::runAnalysis(options);
      QFAIL("expected an error");
    } catch (const std::exception& e) {
      QVERIFY(std::string(e.what()).find("missing") != std::string::npos);
    }
  }

  // Issue 14: one Table-1 comparison across the embeddings, with each one's EC50 figures from its
  // own analysis against the ground truth.
  void oneComparisonTableAcrossEmbeddings() {
    const auto a = writeScreenStore(root() / "table-a.h5ad", 4);
    const auto b = writeScreenStore(root() / "table-b.h5ad", 5);
    const fs::path truth = root() / "table-truth.csv";
    std::ofstream(truth) << "compound,active,ec50_uM,hill_slope,toxic\nPotent,1,0.1,1.5,0\nModerate,1,1.0,1.0,0\n"
                            "Inert,0,,1.0,1\n";
    pipeline::AnalyzeOptions options;
    options.embeddings = a;
    options.compare = {"other=" + b.string()};
    options.writeToStore = false;
    auto primary = pipeline::runAnalysis(options);
    primary.groundTruth = pipeline::compareWithGroundTruth(primary, truth);
    const auto scores = pipeline::scoreEmbeddings(options, primary, truth);
    QCOMPARE(scores.size(), std::size_t(2));
    QCOMPARE(scores[0].embedding, std::string("X"));
    QCOMPARE(scores[1].embedding, std::string("other"));
    // The other embedding's figures are those of analysing its store on its own.
    pipeline::AnalyzeOptions alone;
    alone.embeddings = b;
    alone.writeToStore = false;
    const auto own = pipeline::compareWithGroundTruth(pipeline::runAnalysis(alone), truth);
    QVERIFY(scores[1].truth.has_value());
    QCOMPARE(scores[1].truth->activeWithin03, own.activeWithin03);
    QCOMPARE(scores[1].truth->inactiveCalledInactive, own.inactiveCalledInactive);
    QCOMPARE(scores[0].truth->activeCurves, primary.groundTruth->activeCurves);
    // The constructed screens carry their signal: both EC50s are recovered by both embeddings.
    QVERIFY(scores[0].truth->activeWithin03 >= 2 && scores[1].truth->activeWithin03 >= 2);

    const std::string csv = pipeline::comparisonCsv(primary, scores);
    std::size_t rows = 0;
    for (const auto& c : primary.classifications) rows += c.embedding == "X" || c.embedding == "other";
    QCOMPARE(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), rows + 1);
    QVERIFY(csv.rfind("embedding,label,task,subset,n_test_sites,accuracy,balanced_accuracy,active_curves", 0) == 0);
    const std::string md = pipeline::comparisonMarkdown(primary, scores);
    QVERIFY2(md.find("| embedding | C+ vs C-, all (") == 0, md.c_str());
    QVERIFY2(md.find("EC50 within 0.3 log10") != std::string::npos, md.c_str());
    // Each embedding's row holds its balanced accuracy and its EC50 count, as computed.
    for (const auto& score : scores) {
      const auto& c = *std::find_if(primary.classifications.begin(), primary.classifications.end(), [&](const auto& o) {
        return o.embedding == score.embedding && o.task == "controls" && o.subset == "all";
      });
      char cell[32];
      std::snprintf(cell, sizeof cell, "| %.3f |", c.balancedAccuracy);
      const auto line = md.find("\n| " + score.label);
      QVERIFY2(line != std::string::npos, md.c_str());
      const std::string row = md.substr(line + 1, md.find('\n', line + 1) - line - 1);
      QVERIFY2(row.find(cell) != std::string::npos, row.c_str());
      QVERIFY2(row.find(std::to_string(score.truth->activeWithin03) + " / " +
                        std::to_string(score.truth->activeCurves)) != std::string::npos,
               row.c_str());
    }
  }

  void sameSeedSameNumbers() {
    const auto storePath = writeScreenStore(root() / "seeded.h5ad", 6);
    pipeline::AnalyzeOptions options;
    options.embeddings = storePath;
    options.writeToStore = false;
    options.seed = 11;
    const auto a = pipeline::runAnalysis(options);
    const auto b = pipeline::runAnalysis(options);
    QCOMPARE(pipeline::accuracyCsv(a), pipeline::accuracyCsv(b));
    QCOMPARE(pipeline::doseFitsCsv(a), pipeline::doseFitsCsv(b));
  }

  void storeWithoutControlsIsAClearError() {
    const auto storePath = writeCellTypeStore(root() / "nocontrols.h5ad");
    pipeline::AnalyzeOptions options;
    options.embeddings = storePath;
    try {
      pipeline::runAnalysis(options);
      QFAIL("expected an error");
    } catch (const std::exception& e) {
      QVERIFY(std::string(e.what()).find("control") != std::string::npos);
      QVERIFY(std::string(e.what()).find("nocontrols.h5ad") != std::string::npos);
    }
  }

  // Issue 13, 4: a store without controls is browsed: principal components of every site, the
  // zero-shot classification, and a warning that says what is not computed.
  // Issue 13, 3: the cytotoxic call uses the cell count (the nuclei of an intensity embedding):
  // a compound that kills cells without moving the On score is flagged, the others are not.
  void cellCountsFlagACytotoxicCompound() {
    pipeline::AnalyzeOptions options;
    options.embeddings = writeScreenStore(root() / "counts.h5ad", 1, false, true);
    options.seed = 3;
    const auto result = pipeline::runAnalysis(options);
    int flagged = 0;
    for (const auto& c : result.compounds) {
      const bool toxic = !c.response.toxicConcentrations.empty();
      if (c.compound == "Inert") {
        QVERIFY2(toxic && c.response.status == analysis::DoseResponseStatus::Cytotoxic,
                 (c.compound + " " + c.response.note).c_str());
        QCOMPARE(c.response.toxicConcentrations.front(), 3.0);
        ++flagged;
      } else {
        QVERIFY2(!toxic, (c.compound + " flagged toxic").c_str());
      }
    }
    QCOMPARE(flagged, 2);  // one per cell type
  }

  // Issue 13, 5: embeddings are named by what they are, in every result.
  void embeddingsAreDescribedInWords() {
    QCOMPARE(pipeline::describeEmbedder({{"embedder", std::string("gandl")},
                                         {"readout", std::string("multiscale")},
                                         {"checkpoint", std::string("/x/resources/models/demo/step-5000.pt")},
                                         {"checkpoint_step", std::int64_t{5000}}}),
             std::string("GAN-DL multiscale (demo, step 5000)"));
    QCOMPARE(pipeline::describeEmbedder({{"embedder", std::string("gandl")}, {"readout", std::string("fc512")}}),
             std::string("GAN-DL FC-512 (model)"));
    QCOMPARE(pipeline::describeEmbedder({{"embedder", std::string("intensity")}}), std::string("intensity statistics"));
    QCOMPARE(pipeline::describeEmbedder({{"embedder", std::string("random-d")}, {"tta", std::string("dihedral")}}),
             std::string("random-weight D FC-512, dihedral TTA"));
    const auto primary = writeScreenStore(root() / "labelled.h5ad", 4);
    const auto other = writeScreenStore(root() / "other.h5ad", 4, false, true);  // embedder "intensity"
    pipeline::importEmbedding(primary, "intensity", other);
    QCOMPARE(pipeline::embeddingLabel(primary, "intensity"), std::string("intensity statistics"));
    QCOMPARE(pipeline::embeddingLabel(primary, "X"), std::string("constructed"));
    pipeline::AnalyzeOptions options;
    options.embeddings = primary;
    options.compare = {"intensity"};
    const auto result = pipeline::runAnalysis(options);
    QCOMPARE(result.embeddingLabels.at("intensity"), std::string("intensity statistics"));
    QCOMPARE(result.embeddingLabels.at("X"), std::string("constructed"));
  }

  // Issue 14, 3: per-site embeddings from a CSV (Recursion's published ones) into /obsm.
  void embeddingsImportFromACsvBySiteId() {
    const auto storePath = writeScreenStore(root() / "import.h5ad", 6);
    const auto ids = store::EmbeddingStore::open(storePath).siteIds();
    const fs::path csv = root() / "recursion.csv";
    const auto writeCsv = [&](const std::function<void(std::ofstream&)>& extra, std::size_t skip = 0) {
      std::ofstream out(csv);
      out << "site_id,well_id,feature_0,feature_1,feature_2\n";
      out << "not-in-store,w,1,2,3\n";
      for (std::size_t i = ids.size(); i-- > skip;)  // reversed: matched by id, not by order
        out << ids[i] << ",w," << i << "," << 0.5 * i << ",-1.25e-3\n";
      extra(out);
    };
    writeCsv([](std::ofstream&) {});
    const auto report = pipeline::importEmbeddingsCsv(storePath, csv, "recursion");
    QCOMPARE(report.matched, ids.size());
    QCOMPARE(report.unmatched, std::size_t(1));
    QCOMPARE(report.features, std::size_t(3));
    QVERIFY(report.notes.front().find("line 2") != std::string::npos);
    const auto stored = store::EmbeddingStore::open(storePath);
    const auto matrix = stored.readObsm("recursion");
    QCOMPARE(matrix(7, 0), 7.f);
    QCOMPARE(matrix(7, 1), 3.5f);
    QCOMPARE(matrix(7, 2), -1.25e-3f);
    QCOMPARE(pipeline::embeddingLabel(storePath, "recursion"), std::string("imported recursion (3 features)"));
    const auto error = [&](const std::function<void()>& action) -> std::string {
      try {
        action();
      } catch (const data::DataError& e) {
        return e.what();
      }
      return "(no error)";
    };
    writeCsv([&](std::ofstream& out) { out << ids[0] << ",w,1,2,3\n"; });
    QVERIFY2(error([&] { pipeline::importEmbeddingsCsv(storePath, csv, "again"); }).find("already on line") !=
                 std::string::npos,
             "duplicate site_id");
    writeCsv([&](std::ofstream& out) { out << "x,w,1,0x10,3\n"; });
    const std::string bad = error([&] { pipeline::importEmbeddingsCsv(storePath, csv, "again"); });
    QVERIFY2(bad.find("column 'feature_1': got '0x10'") != std::string::npos, bad.c_str());
    writeCsv([](std::ofstream&) {}, 2);  // the first two store sites missing
    const std::string missing = error([&] { pipeline::importEmbeddingsCsv(storePath, csv, "partial"); });
    QVERIFY2(
        missing.find("2 of the store's") != std::string::npos && missing.find("--allow-missing") != std::string::npos,
        missing.c_str());
    QCOMPARE(pipeline::importEmbeddingsCsv(storePath, csv, "partial", true).missing, std::size_t(2));
    QVERIFY(std::isnan(store::EmbeddingStore::open(storePath).readObsm("partial")(0, 0)));
  }

  void storeWithoutControlsIsBrowsed() {
    const auto storePath = writeCellTypeStore(root() / "browse.h5ad");
    QVERIFY(!pipeline::storeHasControls(storePath));
    QVERIFY(pipeline::storeHasControls(writeScreenStore(root() / "with-controls.h5ad", 2)));
    pipeline::ZeroShotOptions options;
    options.embeddings = storePath;
    const auto result = pipeline::runBrowse(options);
    QVERIFY(result.pca && !result.e2 && result.compounds.empty());
    QCOMPARE(result.pca->scores.on.size(), Eigen::Index(96));
    QCOMPARE(result.classifications.size(), std::size_t(1));
    QVERIFY(result.classifications.front().accuracy > 0.95);
    QVERIFY(std::any_of(result.warnings.begin(), result.warnings.end(),
                        [](const std::string& w) { return w.find("browse mode") != std::string::npos; }));
  }

  void zeroShotSplitsByPlate() {
    const auto storePath = writeCellTypeStore(root() / "celltypes.h5ad");
    pipeline::ZeroShotOptions options;
    options.embeddings = storePath;
    const auto result = pipeline::runZeroShot(options);
    QCOMPARE(result.classifications.size(), std::size_t(1));
    const auto& o = result.classifications.front();
    QCOMPARE(o.task, std::string("zeroshot_cell_type"));
    QCOMPARE(o.nTrainWells, 12);  // plates: 3 of 4 per cell type
    QCOMPARE(o.nTestWells, 4);
    QVERIFY(o.accuracy > 0.95);
    QCOMPARE(o.confusion.names, (std::vector<std::string>{"HEPG2", "HUVEC", "RPE", "U2OS"}));
    QCOMPARE(o.confusion.total(), 4 * 6);
    for (const auto& e : result.split) QVERIFY(e.wellId.find("/Plate") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestAnalyze)
#include "test_analyze.moc"
