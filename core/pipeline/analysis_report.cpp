// The files of `gandl analyze` / `gandl zeroshot` (../shared/DESIGN.md section 3: UTF-8, header
// row, one row per entity, '.' decimals, units in column names). Numbers are written in their
// shortest round-trip form; a missing value (NaN) is an empty field.
#include <charconv>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include <nlohmann/json.hpp>

#include "core/common/atomic_file.h"
#include "core/data/csv.h"
#include "core/data/data_error.h"
#include "core/pipeline/analyze_task.h"
#include "core/pipeline/analysis_report.h"
#include "core/pipeline/ground_truth.h"
#include "core/store/embedding_store.h"

namespace gandl::pipeline {
namespace {

using data::csvRow;

std::string number(double value) {
  if (std::isnan(value)) return {};
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return error == std::errc() ? std::string(buffer, end) : std::string();
}
std::string number(int value) { return std::to_string(value); }
std::string number(std::size_t value) { return std::to_string(value); }

std::string roleName(SiteTable::Role role) {
  switch (role) {
    case SiteTable::Role::PositiveControl:
      return "positive_control";
    case SiteTable::Role::NegativeControl:
      return "negative_control";
    case SiteTable::Role::Compound:
      return "compound";
    case SiteTable::Role::Other:
      break;
  }
  return "other";
}

std::string fileSafe(std::string text) {
  for (auto& ch : text)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.')) ch = '_';
  return text;
}

// confusion_<task>.csv for the canonical subset of the primary embedding, with _<subset> and
// _<embedding> suffixes for the others.
std::string confusionFileName(const AnalysisResult& result, const ClassificationOutcome& o) {
  std::string name = "confusion_" + o.task;
  if (o.subset != "all" && o.subset != "controls") name += "_" + fileSafe(o.subset);
  if (o.embedding != result.embedding) name += "_" + fileSafe(o.embedding);
  return name + ".csv";
}

nlohmann::json finiteOrNull(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(); }

}  // namespace

std::string accuracyCsv(const AnalysisResult& result) {
  std::string out = csvRow({"task", "subset", "embedding", "normalization", "n_train_wells", "n_test_wells",
                            "n_test_sites", "accuracy", "balanced_accuracy", "svm_c"});
  for (const auto& o : result.classifications)
    out += csvRow({o.task, o.subset, o.embedding, result.normalization, number(o.nTrainWells), number(o.nTestWells),
                   number(o.nTestSites), number(o.accuracy), number(o.balancedAccuracy), number(o.c)});
  return out;
}

std::string confusionCsv(const ClassificationOutcome& o) {
  // Rows: true label; columns: predicted label; counts of held-out sites.
  std::vector<std::string> header{"true_label"};
  for (const auto& name : o.confusion.names) header.push_back("predicted_" + name);
  header.push_back("n_sites");
  std::string out = csvRow(header);
  for (Eigen::Index i = 0; i < o.confusion.counts.rows(); ++i) {
    std::vector<std::string> row{o.confusion.names[static_cast<std::size_t>(i)]};
    for (Eigen::Index j = 0; j < o.confusion.counts.cols(); ++j) row.push_back(number(o.confusion.counts(i, j)));
    row.push_back(number(static_cast<int>(o.confusion.counts.row(i).sum())));
    out += csvRow(row);
  }
  return out;
}

std::string splitCsv(const AnalysisResult& result) {
  std::string out = csvRow({"well_id", "task", "split"});
  for (const auto& e : result.split) out += csvRow({e.wellId, e.task, e.train ? "train" : "test"});
  return out;
}

std::string projectionCsv(const AnalysisResult& result, const ProjectionOutcome& p) {
  const SiteTable& s = result.sites;
  std::string out = csvRow({"site_id", "on", "off", "well_id", "experiment", "plate", "well", "site", "cell_type",
                            "disease_condition", "treatment", "treatment_conc_uM", "role"});
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    out += csvRow({s.siteId[i], number(p.scores.on(r)), number(p.scores.off(r)), s.wellId[i], s.experiment[i],
                   number(s.plate[i]), s.well[i], number(s.site[i]), s.cellType[i], s.diseaseCondition[i],
                   s.treatment[i], number(s.concentrationMicromolar[i]), roleName(s.role[i])});
  }
  return out;
}

std::string doseResponseCsv(const AnalysisResult& result) {
  std::string out = csvRow({"compound", "cell_type", "treatment_conc_uM", "n_sites", "mean_on", "sem_on", "median_on"});
  for (const auto& c : result.compounds)
    for (const auto& d : c.response.doses)
      out += csvRow({c.compound, c.cellType, number(d.concentrationMicromolar), number(d.count), number(d.mean),
                     number(d.sem), number(d.median)});
  return out;
}

std::string doseFitsCsv(const AnalysisResult& result) {
  std::vector<std::size_t> all(result.compounds.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  return doseFitsCsv(result, all);
}

std::string doseFitsCsv(const AnalysisResult& result, const std::vector<std::size_t>& compounds) {
  std::string out =
      csvRow({"hit_rank", "compound", "cell_type", "status", "ec50_uM", "ec50_lower_uM", "ec50_upper_uM", "hill_slope",
              "top", "bottom", "r_squared", "max_efficacy", "f_test_p", "n_sites", "n_doses", "toxic_conc_uM", "note"});
  for (const std::size_t index : compounds) {
    const auto& c = result.compounds.at(index);
    const auto& r = c.response;
    std::string toxic;
    for (double t : r.toxicConcentrations) toxic += (toxic.empty() ? "" : ";") + number(t);
    const double nan = std::nan("");
    out +=
        csvRow({number(r.hitRank), c.compound, c.cellType, analysis::doseResponseStatusName(r.status),
                number(r.ec50Micromolar), number(r.ec50LowerMicromolar), number(r.ec50UpperMicromolar),
                number(r.hasFit ? r.fit.hill : nan), number(r.hasFit ? r.fit.top : nan),
                number(r.hasFit ? r.fit.bottom : nan), number(r.hasFit ? r.fit.rSquared : nan), number(r.maxEfficacy),
                number(r.fTestPValue), number(r.pointCount), number(r.doses.size()), toxic, r.note});
  }
  return out;
}

std::string plateQcCsv(const AnalysisResult& result) {
  std::string out = csvRow({"plate", "n_positive", "n_negative", "mean_positive", "sd_positive", "mean_negative",
                            "sd_negative", "z_prime", "flagged", "note"});
  for (const auto& q : result.plateQuality)
    out += csvRow({result.sites.plateNames.at(static_cast<std::size_t>(q.plate)), number(q.positiveCount),
                   number(q.negativeCount), number(q.positiveMean), number(q.positiveSd), number(q.negativeMean),
                   number(q.negativeSd), number(q.zPrime), q.flagged ? "1" : "0", q.note});
  return out;
}

std::string summaryJson(const AnalysisResult& result) {
  nlohmann::json j;
  j["store"] = result.store.string();
  j["embedding"] = result.embedding;
  j["normalization"] = result.normalization;
  j["seed"] = result.seed;
  j["n_sites"] = result.sites.size();
  j["n_plates"] = result.sites.plateNames.size();
  std::map<std::string, int> roles;
  for (auto r : result.sites.role) ++roles[roleName(r)];
  j["sites_by_role"] = roles;
  auto& classifications = j["classifications"] = nlohmann::json::array();
  for (const auto& o : result.classifications)
    classifications.push_back({{"task", o.task},
                               {"subset", o.subset},
                               {"embedding", o.embedding},
                               {"accuracy", o.accuracy},
                               {"balanced_accuracy", o.balancedAccuracy},
                               {"n_test_sites", o.nTestSites},
                               {"svm_c", o.c}});
  for (const auto* p : {&result.e2, &result.c2})
    if (*p)
      j["projections"][(*p)->name] = {{"positive", (*p)->positiveLabel},
                                      {"negative", (*p)->negativeLabel},
                                      {"off_explained_variance", finiteOrNull((*p)->axes.offExplainedVariance)}};
  std::map<std::string, int> statuses;
  for (const auto& c : result.compounds) ++statuses[analysis::doseResponseStatusName(c.response.status)];
  j["compounds"] = {{"n", result.compounds.size()}, {"by_status", statuses}};
  auto& hits = j["compounds"]["top_hits"] = nlohmann::json::array();
  for (const auto& c : result.compounds) {
    if (hits.size() >= 10) break;
    if (c.response.status != analysis::DoseResponseStatus::Fitted &&
        c.response.status != analysis::DoseResponseStatus::Ambiguous)
      continue;
    hits.push_back({{"rank", c.response.hitRank},
                    {"compound", c.compound},
                    {"cell_type", c.cellType},
                    {"status", analysis::doseResponseStatusName(c.response.status)},
                    {"ec50_uM", finiteOrNull(c.response.ec50Micromolar)}});
  }
  auto& plates = j["plate_qc"] = nlohmann::json::array();
  for (const auto& q : result.plateQuality)
    plates.push_back({{"plate", result.sites.plateNames.at(static_cast<std::size_t>(q.plate))},
                      {"z_prime", finiteOrNull(q.zPrime)},
                      {"flagged", q.flagged}});
  if (result.groundTruth) {
    const auto& g = *result.groundTruth;
    j["ground_truth"] = {{"file", g.file.string()},
                         {"active_curves", g.activeCurves},
                         {"active_within_0_3_log10", g.activeWithin03},
                         {"fraction_active_within_0_3_log10",
                          finiteOrNull(g.activeCurves ? double(g.activeWithin03) / g.activeCurves : std::nan(""))},
                         {"median_abs_log10_error", finiteOrNull(g.medianAbsLog10Error)},
                         {"inactive_curves", g.inactiveCurves},
                         {"inactive_called_inactive", g.inactiveCalledInactive},
                         {"toxic_curves", g.toxicCurves},
                         {"toxic_flagged", g.toxicFlagged},
                         {"nontoxic_curves", g.nontoxicCurves},
                         {"nontoxic_flagged", g.nontoxicFlagged}};
  }
  j["embedding_labels"] = result.embeddingLabels;
  j["warnings"] = result.warnings;
  j["seconds"] = result.seconds;
  return j.dump(2) + "\n";
}

std::vector<std::filesystem::path> writeAnalysisReport(const AnalysisResult& result, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::vector<std::filesystem::path> written;
  const auto write = [&](const std::string& name, const std::string& content) {
    const auto path = dir / name;
    common::writeFileAtomically(path, content);
    written.push_back(path);
  };
  write("accuracy.csv", accuracyCsv(result));
  for (const auto& o : result.classifications) write(confusionFileName(result, o), confusionCsv(o));
  write("split.csv", splitCsv(result));
  if (result.e2) write("projection_E2.csv", projectionCsv(result, *result.e2));
  if (result.c2) write("projection_C2.csv", projectionCsv(result, *result.c2));
  if (!result.compounds.empty()) {
    write("dose_response.csv", doseResponseCsv(result));
    write("dose_fits.csv", doseFitsCsv(result));
  }
  if (!result.plateQuality.empty()) write("plate_qc.csv", plateQcCsv(result));
  if (result.groundTruth) write("ground_truth_comparison.csv", groundTruthCsv(*result.groundTruth));
  write("summary.json", summaryJson(result));
  // Files an earlier report left in `dir` that this one did not write (another embedding's
  // confusion matrix, a C2 projection the new store cannot make) would read as part of it.
  const auto isReportFile = [](const std::string& name) {
    static const char* fixed[] = {
        "accuracy.csv",  "split.csv",    "projection_E2.csv",           "projection_C2.csv", "dose_response.csv",
        "dose_fits.csv", "plate_qc.csv", "ground_truth_comparison.csv", "summary.json"};
    for (const char* f : fixed)
      if (name == f) return true;
    return name.rfind("confusion_", 0) == 0 && name.size() > 4 && name.substr(name.size() - 4) == ".csv";
  };
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const auto name = entry.path().filename().string();
    if (isReportFile(name) && std::find(written.begin(), written.end(), entry.path()) == written.end())
      std::filesystem::remove(entry.path(), error);
  }
  return written;
}

}  // namespace gandl::pipeline

namespace gandl::pipeline {

std::optional<std::filesystem::path> findGroundTruth(const std::filesystem::path& storePath) {
  const auto provenance = store::EmbeddingStore::open(storePath).provenance();
  const auto it = provenance.find("screen");
  if (it == provenance.end()) return std::nullopt;
  const auto file = std::filesystem::path(store::toString(it->second)) / "ground_truth.csv";
  if (!std::filesystem::exists(file)) return std::nullopt;
  return file;
}

GroundTruthComparison compareWithGroundTruth(const AnalysisResult& result, const std::filesystem::path& file) {
  const auto table = data::readCsv(file);
  const auto column = [&](const char* name) { return static_cast<std::size_t>(table.column(name)); };
  const std::size_t compound = column("compound"), active = column("active"), ec50 = column("ec50_uM"),
                    toxic = column("toxic");
  struct Truth {
    bool active, toxic;
    double ec50;
  };
  std::map<std::string, Truth> truths;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    const auto flag = [&](std::size_t c, const char* name) {
      if (row[c] != "0" && row[c] != "1") throw data::DataError(file.string(), table.lines[r], name, row[c], "0 or 1");
      return row[c] == "1";
    };
    Truth t{flag(active, "active"), flag(toxic, "toxic"), std::nan("")};
    if (t.active) {
      char* end = nullptr;
      t.ec50 = std::strtod(row[ec50].c_str(), &end);
      if (row[ec50].empty() || *end != '\0' || !(t.ec50 > 0))
        throw data::DataError(file.string(), table.lines[r], "ec50_uM", row[ec50],
                              "a positive concentration for an active compound");
    }
    truths[row[compound]] = t;
  }
  GroundTruthComparison out;
  out.file = file;
  std::vector<double> errors;
  for (const auto& c : result.compounds) {
    const auto it = truths.find(c.compound);
    if (it == truths.end())
      throw data::DataError(file.string(), "does not list compound '" + c.compound + "' of the analysed store");
    GroundTruthRow row;
    row.compound = c.compound;
    row.cellType = c.cellType;
    row.active = it->second.active;
    row.toxic = it->second.toxic;
    row.trueEc50Micromolar = it->second.ec50;
    row.status = analysis::doseResponseStatusName(c.response.status);
    row.ec50Micromolar = c.response.ec50Micromolar;
    row.log10Error = std::log10(row.ec50Micromolar / row.trueEc50Micromolar);  // NaN unless both exist
    row.flaggedToxic =
        c.response.status == analysis::DoseResponseStatus::Cytotoxic || !c.response.toxicConcentrations.empty();
    ++(row.toxic ? out.toxicCurves : out.nontoxicCurves);
    if (row.flaggedToxic) ++(row.toxic ? out.toxicFlagged : out.nontoxicFlagged);
    if (row.active) {
      ++out.activeCurves;
      if (std::isfinite(row.log10Error)) {
        errors.push_back(std::abs(row.log10Error));
        if (std::abs(row.log10Error) <= 0.3) ++out.activeWithin03;
      }
    } else {
      ++out.inactiveCurves;
      // Not a hit is right: Inactive, or Cytotoxic for a compound the truth marks toxic.
      if (c.response.status == analysis::DoseResponseStatus::Inactive ||
          (row.toxic && c.response.status == analysis::DoseResponseStatus::Cytotoxic))
        ++out.inactiveCalledInactive;
    }
    out.rows.push_back(row);
  }
  std::sort(errors.begin(), errors.end());
  out.medianAbsLog10Error = errors.empty()      ? std::nan("")
                            : errors.size() % 2 ? errors[errors.size() / 2]
                                                : 0.5 * (errors[errors.size() / 2 - 1] + errors[errors.size() / 2]);
  return out;
}

std::string groundTruthCsv(const GroundTruthComparison& g) {
  std::string out = csvRow({"compound", "cell_type", "true_active", "true_toxic", "true_ec50_uM", "status", "ec50_uM",
                            "log10_error", "within_0_3_log10", "flagged_toxic"});
  for (const auto& r : g.rows)
    out += csvRow({r.compound, r.cellType, r.active ? "1" : "0", r.toxic ? "1" : "0", number(r.trueEc50Micromolar),
                   r.status, number(r.ec50Micromolar), number(r.log10Error),
                   r.active ? (std::abs(r.log10Error) <= 0.3 ? "1" : "0") : "", r.flaggedToxic ? "1" : "0"});
  return out;
}

}  // namespace gandl::pipeline
