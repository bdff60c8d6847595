#include "core/pipeline/analyze_task.h"
#include "core/pipeline/analysis_report.h"
#include "core/pipeline/ground_truth.h"
#include "core/pipeline/store_embeddings.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "core/analysis/feature_statistics.h"
#include "core/analysis/statistics.h"
#include "core/analysis/svm_model_selection.h"
#include "core/analysis/well_split.h"
#include "core/data/csv.h"
#include "core/data/data_error.h"
#include "core/data/intensity_features.h"
#include "core/data/screen.h"
#include "core/store/embedding_store.h"

namespace gandl::pipeline {
namespace {

using analysis::FeatureMatrix;
using Rows = std::vector<Eigen::Index>;
using Role = SiteTable::Role;

constexpr const char* kEmbeddingX = "X";

std::string displayName(const std::string& embedding) { return embedding.empty() ? kEmbeddingX : embedding; }
std::string storeName(const std::string& embedding) { return embedding == kEmbeddingX ? std::string() : embedding; }

Role parseRole(const std::string& text) {
  if (text == "positive_control") return Role::PositiveControl;
  if (text == "negative_control") return Role::NegativeControl;
  if (text == "compound") return Role::Compound;
  return Role::Other;
}

bool isControl(Role role) { return role == Role::PositiveControl || role == Role::NegativeControl; }

// Distinct values of `keys` over `rows` -> dense ids (first appearance order kept in `names`).
std::vector<int> denseIds(const std::vector<std::string>& keys, std::vector<std::string>* names = nullptr) {
  std::unordered_map<std::string, int> ids;
  std::vector<int> out(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto [it, inserted] = ids.emplace(keys[i], static_cast<int>(ids.size()));
    if (inserted && names) names->push_back(keys[i]);
    out[i] = it->second;
  }
  return out;
}

FeatureMatrix rowsOf(const FeatureMatrix& x, const Rows& rows) {
  FeatureMatrix out(static_cast<Eigen::Index>(rows.size()), x.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = x.row(rows[i]);
  return out;
}

// The embeddings the accuracy table compares, by display name, in the order asked for.
struct NamedMatrix {
  std::string name;
  FeatureMatrix values;
  // For the cell-type tasks: plate effects removed within each cell type, the differences
  // between cell types kept (empty with a single cell type).
  FeatureMatrix cellTypeValues;
};

// Per-plate normalization on controls centres every plate at 0; where a plate holds one cell
// type (RxRx19a's experiments) that erases the very differences the cell-type task looks for.
// So the cell-type tasks see each plate's normalized values mapped back onto its cell type's
// pooled control location and spread: x'' = x' * sd_T + mean_T over the raw control rows of
// cell type T. Within a cell type this is one affine map, so plate effects stay removed.
FeatureMatrix restoreCellTypes(const FeatureMatrix& raw, const FeatureMatrix& normalized, const SiteTable& sites,
                               const std::vector<std::string>& cellTypes) {
  FeatureMatrix out = normalized;
  for (const auto& type : cellTypes) {
    Rows controls, all;
    for (std::size_t i = 0; i < sites.size(); ++i) {
      if (sites.cellType[i] != type) continue;
      all.push_back(static_cast<Eigen::Index>(i));
      if (isControl(sites.role[i])) controls.push_back(static_cast<Eigen::Index>(i));
    }
    if (controls.size() < 2) continue;
    const Eigen::RowVectorXd mean = analysis::meanOfRows(raw, controls);
    const Eigen::RowVectorXd sd = analysis::sdOfRows(raw, controls, mean);
    const Eigen::RowVectorXf meanF = mean.cast<float>(), sdF = sd.cast<float>();
    for (auto r : all) out.row(r) = out.row(r).cwiseProduct(sdF) + meanF;
  }
  return out;
}

constexpr const char* kImportedPrefix = "imported from ";
constexpr const char* kNormalizedPrefix = "normalize ";

constexpr const char* kDescribedAs = "; described as: ";

void writeImported(store::EmbeddingStore& store, const std::string& name, const FeatureMatrix& matrix,
                   const std::filesystem::path& file) {
  const auto provenance = store::EmbeddingStore::open(file).provenance();
  const auto embedder = provenance.count("embedder") ? store::toString(provenance.at("embedder")) : "unknown";
  store.writeObsm(name, matrix,
                  kImportedPrefix + std::filesystem::absolute(file).string() + " (embedder " + embedder + kDescribedAs +
                      describeEmbedder(provenance) + ")");
}

FeatureMatrix importAligned(const std::filesystem::path& file, const std::vector<std::string>& siteIds) {
  const auto other = store::EmbeddingStore::open(file);
  std::vector<std::size_t> rows;
  rows.reserve(siteIds.size());
  for (const auto& id : siteIds) {
    const auto row = other.rowOf(id);
    if (!row)
      throw data::DataError(file.string(),
                            "has no site '" + id + "' of the analysed store; compare stores of the same sites");
    rows.push_back(*row);
  }
  return other.readRows(rows);
}

std::vector<NamedMatrix> loadEmbeddings(const AnalyzeOptions& options, const SiteTable& sites) {
  std::vector<NamedMatrix> out;
  std::vector<std::pair<std::string, std::filesystem::path>> imports;
  {
    const auto store = store::EmbeddingStore::open(options.embeddings);
    out.push_back({displayName(options.embedding), store.readAll(storeName(displayName(options.embedding))), {}});
    const auto obsm = store.obsmNames();
    for (const auto& spec : options.compare) {
      const auto eq = spec.find('=');
      if (eq == std::string::npos) {
        if (spec != kEmbeddingX && std::find(obsm.begin(), obsm.end(), spec) == obsm.end())
          throw data::DataError(
              options.embeddings.string(), "has no embedding '" + spec + "' to compare (it has X" + [&] {
                std::string list;
                for (const auto& n : obsm) list += ", " + n;
                return list;
              }() + ")");
        out.push_back({spec, store.readAll(storeName(spec)), {}});
      } else {
        const std::string name = spec.substr(0, eq);
        const std::filesystem::path file = spec.substr(eq + 1);
        if (name.empty() || name == kEmbeddingX || file.empty())
          throw std::invalid_argument("--compare '" + spec + "': expected NAME=FILE.h5ad with NAME not X");
        out.push_back({name, importAligned(file, sites.siteId), {}});
        imports.emplace_back(name, file);
      }
    }
  }
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i].values.rows() != static_cast<Eigen::Index>(sites.size()))
      throw data::DataError(options.embeddings.string(), "embedding '" + out[i].name + "' has " +
                                                             std::to_string(out[i].values.rows()) + " rows for " +
                                                             std::to_string(sites.size()) + " sites");
  if (options.writeToStore && !imports.empty()) {
    auto store = store::EmbeddingStore::open(options.embeddings, store::EmbeddingStore::Access::ReadWrite);
    for (const auto& [name, file] : imports) {
      const auto& matrix =
          std::find_if(out.begin(), out.end(), [&](const NamedMatrix& m) { return m.name == name; })->values;
      writeImported(store, name, matrix, file);
    }
  }
  return out;
}

// One well-grouped, cross-validated classification on `rows` of x.
struct ClassifierRun {
  ClassificationOutcome outcome;
  analysis::LinearSvm model;
  std::vector<SplitEntry> split;
};

template <typename Options>
ClassifierRun classify(const FeatureMatrix& x, const Rows& rows, const std::vector<int>& labelOfRow,
                       const std::vector<int>& groupOfRow, const std::vector<std::string>& groupNames,
                       const std::map<int, std::string>& labelNames, bool splitByPlate, const std::string& task,
                       const std::string& subset, const std::string& embedding, const Options& options,
                       const tasks::TaskContext& context) {
  std::vector<int> groups, labels;
  for (auto r : rows) {
    groups.push_back(groupOfRow[static_cast<std::size_t>(r)]);
    labels.push_back(labelOfRow[static_cast<std::size_t>(r)]);
  }
  const analysis::GroupSplit split = splitByPlate
                                         ? analysis::splitByPlate(groups, labels, options.trainFraction, options.seed)
                                         : analysis::splitByWell(groups, labels, options.trainFraction, options.seed);
  Rows train, test;
  for (std::size_t i = 0; i < rows.size(); ++i) (split.isTrainRow[i] ? train : test).push_back(rows[i]);
  if (test.empty())
    throw std::invalid_argument("no " + std::string(splitByPlate ? "plate" : "well") + " left for testing");

  ClassifierRun run{{}, analysis::LinearSvm(options.svm), {}};
  const std::string taskKey = task + "/" + subset;
  for (std::size_t g = 0; g < split.groups.size(); ++g)
    run.split.push_back(
        {groupNames[static_cast<std::size_t>(split.groups[g])], taskKey, static_cast<bool>(split.isTrainGroup[g])});

  analysis::CGridSearchOptions search;
  search.cGrid = options.cGrid;
  search.folds = options.folds;
  search.seed = options.seed;
  analysis::CGridSearchResult selection;
  run.model =
      analysis::fitWithCrossValidatedC(x, labelOfRow, groupOfRow, train, options.svm, search, context, &selection);
  std::vector<int> truth;
  for (auto r : test) truth.push_back(labelOfRow[static_cast<std::size_t>(r)]);
  const auto predicted = run.model.predict(rowsOf(x, test));

  auto& o = run.outcome;
  o.task = task;
  o.subset = subset;
  o.embedding = embedding;
  o.c = selection.bestC;
  std::set<int> trainGroups, testGroups;
  for (auto r : train) trainGroups.insert(groupOfRow[static_cast<std::size_t>(r)]);
  for (auto r : test) testGroups.insert(groupOfRow[static_cast<std::size_t>(r)]);
  o.nTrainWells = static_cast<int>(trainGroups.size());
  o.nTestWells = static_cast<int>(testGroups.size());
  o.nTestSites = static_cast<int>(test.size());
  o.accuracy = analysis::accuracy(truth, predicted);
  o.balancedAccuracy = analysis::balancedAccuracy(truth, predicted);
  o.confusion = analysis::confusionMatrix(truth, predicted, labelNames);
  return run;
}

std::vector<std::string> sortedDistinct(const std::vector<std::string>& values, const Rows& rows) {
  std::set<std::string> set;
  for (auto r : rows) set.insert(values[static_cast<std::size_t>(r)]);
  return {set.begin(), set.end()};
}

ProjectionOutcome projectOn(const std::string& name, const FeatureMatrix& x, const analysis::LinearSvm& model,
                            const std::vector<int>& classOfRow, const std::string& positive,
                            const std::string& negative, const tasks::TaskContext& context) {
  // Binary models hold one weight row, for classes()[1] (+1) against classes()[0] (-1).
  if (model.classes() != std::vector<int>{-1, 1}) throw std::logic_error("projection needs a -1/+1 model");
  ProjectionOutcome p;
  p.name = name;
  p.positiveLabel = positive;
  p.negativeLabel = negative;
  const Eigen::VectorXd w = model.weights().row(0).transpose();
  p.axes = analysis::fitProjection(x, w, model.biases()(0), classOfRow, analysis::OffAxisFit::Controls, context);
  p.scores = analysis::project(p.axes, x);
  return p;
}

void analyzeDoseResponse(const AnalyzeOptions& options, AnalysisResult& result, const tasks::TaskContext& context) {
  const SiteTable& s = result.sites;
  const auto& on = result.e2->scores.on;
  const auto& off = result.e2->scores.off;
  // Control off-axis location and spread per cell type: the cytotoxicity reference.
  std::map<std::string, std::vector<double>> controlOff;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (isControl(s.role[i])) controlOff[s.cellType[i]].push_back(off(static_cast<Eigen::Index>(i)));
  // Cells per site in C- wells (infected, untreated) per cell type: the viability reference. A
  // compound that kills cells lowers the count whatever the embedding shows.
  std::map<std::string, std::vector<double>> negativeCells;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s.role[i] == Role::NegativeControl && std::isfinite(s.cellCount[i]))
      negativeCells[s.cellType[i]].push_back(s.cellCount[i]);

  std::map<std::pair<std::string, std::string>, std::size_t> index;
  std::vector<CompoundOutcome> outcomes;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.role[i] != Role::Compound || s.treatment[i].empty()) continue;
    auto [it, inserted] = index.emplace(std::make_pair(s.treatment[i], s.cellType[i]), outcomes.size());
    if (inserted) outcomes.push_back({s.treatment[i], s.cellType[i], {}, {}});
    outcomes[it->second].rows.push_back(i);
  }
  if (outcomes.empty()) return;
  const bool severalCellTypes = [&] {
    std::set<std::string> types;
    for (const auto& o : outcomes) types.insert(o.cellType);
    return types.size() > 1;
  }();

  std::vector<analysis::CompoundInput> inputs;
  for (const auto& o : outcomes) {
    analysis::CompoundInput input;
    input.name = severalCellTypes ? o.compound + " [" + o.cellType + "]" : o.compound;
    std::map<double, std::vector<double>> offByDose, cellsByDose;
    for (auto r : o.rows) {
      const double c = s.concentrationMicromolar[r];
      input.points.push_back({c, on(static_cast<Eigen::Index>(r))});
      if (!std::isfinite(c)) continue;
      offByDose[c].push_back(off(static_cast<Eigen::Index>(r)));
      if (std::isfinite(s.cellCount[r])) cellsByDose[c].push_back(s.cellCount[r]);
    }
    const auto ref = controlOff.find(o.cellType);
    const bool offReference = ref != controlOff.end() && ref->second.size() >= 2;
    const double centre = offReference ? analysis::median(ref->second) : 0.0;
    const double sd = offReference ? analysis::sampleStandardDeviation(ref->second) : 0.0;
    const auto cells = negativeCells.find(o.cellType);
    const double negativeMedian =
        cells != negativeCells.end() && cells->second.size() >= 2 ? analysis::median(cells->second) : 0.0;
    for (const auto& [c, values] : offByDose) {
      if (c <= 0) continue;  // analyzeCompound names the compound for a bad concentration
      analysis::DoseToxicity t;
      t.concentrationMicromolar = c;
      if (offReference) t.offAxisShift = sd > 0 ? std::abs(analysis::median(values) - centre) / sd : 0.0;
      const auto counted = cellsByDose.find(c);
      if (negativeMedian > 0 && counted != cellsByDose.end() && !counted->second.empty())
        t.viability = analysis::median(counted->second) / negativeMedian;
      if (std::isfinite(t.offAxisShift) || std::isfinite(t.viability)) input.toxicity.push_back(t);
    }
    inputs.push_back(std::move(input));
  }
  auto responses = analysis::analyzeCompounds(inputs, options.doseResponse, options.threads, context);
  for (std::size_t i = 0; i < outcomes.size(); ++i) outcomes[i].response = std::move(responses[i]);
  std::stable_sort(outcomes.begin(), outcomes.end(), [](const CompoundOutcome& a, const CompoundOutcome& b) {
    return a.response.hitRank < b.response.hitRank;
  });
  result.compounds = std::move(outcomes);
}

// What every result states about its inputs; Options is AnalyzeOptions or ZeroShotOptions.
template <typename Options>
AnalysisResult emptyResult(const Options& options) {
  AnalysisResult result;
  result.store = options.embeddings;
  result.embedding = displayName(options.embedding);
  result.normalization = analysis::normalizationMethodName(options.normalization.method);
  result.seed = options.seed;
  return result;
}

// Every embedding the result names (the primary one, those compared), described in words.
void labelEmbeddings(AnalysisResult& result) {
  std::vector<std::string> names{result.embedding};
  for (const auto& c : result.classifications) names.push_back(c.embedding);
  for (const auto& name : names) {
    if (result.embeddingLabels.count(name)) continue;
    try {
      result.embeddingLabels[name] = embeddingLabel(result.store, name);
    } catch (const std::exception&) {
      result.embeddingLabels[name] = name;  // a label is a courtesy; never fail an analysis for it
    }
  }
}

}  // namespace

namespace {

void readCellCounts(const store::EmbeddingStore& store, SiteTable& t) {
  const std::size_t n = t.siteId.size();
  t.cellCount.assign(n, std::nan(""));
  const auto& columns = store.obsColumns();
  if (std::find(columns.begin(), columns.end(), "cell_count") != columns.end() && store.isNumeric("cell_count")) {
    t.cellCount = store.obsNumbers("cell_count");
    t.cellCountSource = "obs cell_count";
    return;
  }
  // The nuclei count of an intensity embedding.
  const auto names = data::intensityFeatureNames(data::kModelChannels);
  const auto nuclei = static_cast<Eigen::Index>(std::find(names.begin(), names.end(), "objects_w1") - names.begin());
  const auto provenance = store.provenance();
  const bool xIsIntensity = provenance.count("embedder") && store::toString(provenance.at("embedder")) == "intensity";
  const auto obsm = store.obsmNames();
  std::string source;
  if (xIsIntensity && store.columns() == names.size())
    source = kEmbeddingX;
  else if (std::find(obsm.begin(), obsm.end(), "intensity") != obsm.end() && store.columns("intensity") == names.size())
    source = "intensity";
  if (source.empty()) return;
  const auto matrix = store.readAll(source == kEmbeddingX ? std::string() : source);
  for (std::size_t i = 0; i < n; ++i) t.cellCount[i] = matrix(static_cast<Eigen::Index>(i), nuclei);
  t.cellCountSource = "nuclei (objects_w1 of " + std::string(source == kEmbeddingX ? "/X" : "/obsm/intensity") + ")";
}

}  // namespace

SiteTable readSiteTable(const std::filesystem::path& path) {
  const auto store = store::EmbeddingStore::open(path);
  SiteTable t;
  t.siteId = store.siteIds();
  const std::size_t n = t.siteId.size();
  const auto& columns = store.obsColumns();
  const auto has = [&](const std::string& c) { return std::find(columns.begin(), columns.end(), c) != columns.end(); };
  const auto text = [&](const std::string& c) { return has(c) ? store.obsText(c) : std::vector<std::string>(n); };
  const auto integers = [&](const std::string& c) {
    std::vector<int> out(n, 0);
    if (!has(c)) return out;
    const auto values = store.obsNumbers(c);
    for (std::size_t i = 0; i < n; ++i) out[i] = std::isfinite(values[i]) ? static_cast<int>(values[i]) : 0;
    return out;
  };
  for (const char* required : {"experiment", "plate", "cell_type"})
    if (!has(required))
      throw data::DataError(path.string(), std::string("has no /obs column '") + required +
                                               "'; the analyses need the site metadata that `gandl embed` stores");
  t.wellId = text("well_id");
  t.experiment = text("experiment");
  t.well = text("well");
  t.cellType = text("cell_type");
  t.diseaseCondition = text("disease_condition");
  t.treatment = text("treatment");
  t.plate = integers("plate");
  t.site = integers("site");
  t.concentrationMicromolar =
      has("treatment_conc") ? store.obsNumbers("treatment_conc") : std::vector<double>(n, std::nan(""));
  const auto roles = text("role");
  t.role.reserve(n);
  for (const auto& r : roles) t.role.push_back(parseRole(r));
  for (std::size_t i = 0; i < n; ++i)
    if (t.wellId[i].empty()) t.wellId[i] = t.experiment[i] + "_" + std::to_string(t.plate[i]) + "_" + t.well[i];
  std::vector<std::string> plateKeys(n);
  for (std::size_t i = 0; i < n; ++i) plateKeys[i] = t.experiment[i] + "/Plate" + std::to_string(t.plate[i]);
  t.plateOfRow = denseIds(plateKeys, &t.plateNames);
  readCellCounts(store, t);
  return t;
}

AnalysisResult runAnalysis(const AnalyzeOptions& options, const tasks::TaskContext& context) {
  const auto start = std::chrono::steady_clock::now();
  AnalysisResult result = emptyResult(options);
  int stage = 0;
  constexpr int kStages = 6;
  const auto step = [&](const std::string& message) {
    context.checkCancelled();
    context.report(stage++, kStages, "stages", message);
  };

  step("reading " + options.embeddings.filename().string());
  result.sites = readSiteTable(options.embeddings);
  const SiteTable& s = result.sites;
  auto embeddings = loadEmbeddings(options, s);
  {
    // A NaN or Inf row would blank its projections silently, and in a control it would poison
    // its plate's normalization: such sites leave the controls and the curves, and say so.
    std::vector<std::string> nonFinite;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto row = static_cast<Eigen::Index>(i);
      for (const auto& e : embeddings) {
        if (!e.values.row(row).allFinite()) {
          nonFinite.push_back(s.siteId[i]);
          result.sites.role[i] = Role::Other;
          break;
        }
      }
    }
    if (!nonFinite.empty()) {
      std::string first;
      for (std::size_t k = 0; k < std::min<std::size_t>(3, nonFinite.size()); ++k)
        first += (k ? ", " : "") + nonFinite[k];
      result.warnings.push_back(std::to_string(nonFinite.size()) + " site(s) of " + options.embeddings.string() +
                                " have non-finite embedding values (NaN or Inf; first: " + first +
                                "); they are left out of the controls and the dose-response curves (role 'other')");
    }
  }

  Rows controls;
  std::vector<bool> controlFlag(s.size());
  for (std::size_t i = 0; i < s.size(); ++i)
    if (isControl(s.role[i])) {
      controls.push_back(static_cast<Eigen::Index>(i));
      controlFlag[i] = true;
    }
  if (controls.empty())
    throw data::DataError(options.embeddings.string(),
                          "has no control sites (obs role positive_control / negative_control); "
                          "`gandl analyze` needs C+ and C- wells (use `gandl zeroshot` for cell types)");

  const auto cellTypes = sortedDistinct(s.cellType, controls);
  step("normalizing (" + result.normalization + ")");
  for (auto& e : embeddings) {
    FeatureMatrix normalized = analysis::normalize(e.values, s.plateOfRow, controlFlag, options.normalization, context);
    if (cellTypes.size() > 1) {
      if (options.normalization.method == analysis::NormalizationMethod::None) {
        e.cellTypeValues = normalized;
      } else {
        // TVN whitens across features, so its output has no per-feature scale to restore:
        // the cell-type tasks then use the plain per-plate centre-scale.
        analysis::NormalizationOptions plate = options.normalization;
        plate.method = analysis::NormalizationMethod::PlateCentreScale;
        const FeatureMatrix base = options.normalization.method == analysis::NormalizationMethod::Tvn
                                       ? analysis::normalize(e.values, s.plateOfRow, controlFlag, plate, context)
                                       : normalized;
        e.cellTypeValues = restoreCellTypes(e.values, base, s, cellTypes);
      }
    }
    e.values = std::move(normalized);
  }
  if (options.writeToStore && options.normalization.method != analysis::NormalizationMethod::None) {
    auto store = store::EmbeddingStore::open(options.embeddings, store::EmbeddingStore::Access::ReadWrite);
    store.writeObsm(result.embedding + "_" + result.normalization, embeddings.front().values,
                    kNormalizedPrefix + result.normalization + " per plate on control wells of " + result.embedding);
  }

  std::vector<std::string> wellNames;
  const std::vector<int> wellOfRow = denseIds(s.wellId, &wellNames);
  std::vector<int> controlLabel(s.size(), 0);
  for (std::size_t i = 0; i < s.size(); ++i)
    controlLabel[i] = s.role[i] == Role::PositiveControl ? 1 : s.role[i] == Role::NegativeControl ? -1 : 0;
  const std::map<int, std::string> controlNames{{1, "C+"}, {-1, "C-"}};

  step("classifying controls");
  // The SVM fits report per fit; the stage line says which task is being fitted instead.
  std::string fitting;
  const tasks::TaskContext fits = context.relay([&](const tasks::ProgressUpdate& u) {
    context.report(stage - 1, kStages, "stages", "classifying " + fitting + ": " + u.message);
  });
  std::optional<analysis::LinearSvm> controlModel, cellTypeModel;
  for (std::size_t e = 0; e < embeddings.size(); ++e) {
    const auto& x = embeddings[e].values;
    const bool primary = e == 0;
    std::vector<std::pair<std::string, Rows>> subsets{{"all", controls}};
    if (cellTypes.size() > 1)
      for (const auto& type : cellTypes) {
        Rows rows;
        for (auto r : controls)
          if (s.cellType[static_cast<std::size_t>(r)] == type) rows.push_back(r);
        subsets.emplace_back(type, rows);
      }
    for (const auto& [subset, rows] : subsets) {
      try {
        fitting = "controls/" + subset + " (" + embeddings[e].name + ")";
        auto run = classify(x, rows, controlLabel, wellOfRow, wellNames, controlNames, false, "controls", subset,
                            embeddings[e].name, options, fits);
        result.classifications.push_back(run.outcome);
        if (primary) result.split.insert(result.split.end(), run.split.begin(), run.split.end());
        if (primary && subset == "all") controlModel = std::move(run.model);
      } catch (const tasks::Cancelled&) {
        throw;
      } catch (const std::exception& error) {
        result.warnings.push_back("controls/" + subset + " (" + embeddings[e].name + "): " + error.what());
      }
    }
    if (cellTypes.size() > 1) {
      std::vector<int> typeLabel(s.size(), 0);
      std::map<int, std::string> typeNames;
      for (std::size_t i = 0; i < s.size(); ++i) {
        const auto pos = std::find(cellTypes.begin(), cellTypes.end(), s.cellType[i]) - cellTypes.begin();
        // Two cell types: +1 for the first (alphabetical), -1 for the second, the C2 convention.
        typeLabel[i] = cellTypes.size() == 2 ? (pos == 0 ? 1 : -1) : static_cast<int>(pos);
      }
      for (std::size_t k = 0; k < cellTypes.size(); ++k)
        typeNames[cellTypes.size() == 2 ? (k == 0 ? 1 : -1) : static_cast<int>(k)] = cellTypes[k];
      try {
        fitting = "cell_type (" + embeddings[e].name + ")";
        auto run = classify(embeddings[e].cellTypeValues, controls, typeLabel, wellOfRow, wellNames, typeNames, false,
                            "cell_type", "controls", embeddings[e].name, options, fits);
        result.classifications.push_back(run.outcome);
        if (primary) result.split.insert(result.split.end(), run.split.begin(), run.split.end());
        if (primary && cellTypes.size() == 2) cellTypeModel = std::move(run.model);
      } catch (const tasks::Cancelled&) {
        throw;
      } catch (const std::exception& error) {
        result.warnings.push_back("cell_type (" + embeddings[e].name + "): " + error.what());
      }
    }
  }

  step("projecting (E2, C2)");
  const auto& x = embeddings.front().values;
  if (controlModel) {
    result.e2 = projectOn("E2", x, *controlModel, controlLabel, "C+ (uninfected)", "C- (infected)", context);
  } else {
    result.warnings.push_back("E2 not computed: the C+ vs C- classifier could not be fitted");
  }
  if (cellTypeModel) {
    std::vector<int> classOfRow(s.size(), 0);
    for (auto r : controls)
      classOfRow[static_cast<std::size_t>(r)] = s.cellType[static_cast<std::size_t>(r)] == cellTypes[0] ? 1 : -1;
    result.c2 = projectOn("C2", embeddings.front().cellTypeValues, *cellTypeModel, classOfRow, cellTypes[0],
                          cellTypes[1], context);
  }

  step("fitting dose-response curves");
  if (result.e2) {
    const tasks::TaskContext inner = context.relay([&](const tasks::ProgressUpdate& u) {
      context.report(stage - 1, kStages, "stages",
                     "fitting dose-response curves (" + std::to_string(u.done) + "/" + std::to_string(u.total) + ")");
    });
    analyzeDoseResponse(options, result, inner);

    step("plate QC");
    std::vector<double> scores(result.e2->scores.on.data(), result.e2->scores.on.data() + result.e2->scores.on.size());
    result.plateQuality = analysis::plateQuality(scores, s.plateOfRow, controlLabel, options.zPrimeThreshold);
  }
  context.report(kStages, kStages, "stages", "analysis done");
  labelEmbeddings(result);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

namespace {

// The first stage of runZeroShot and runBrowse: the site table into `result`, and the raw
// embedding it names.
FeatureMatrix readSitesAndEmbedding(const ZeroShotOptions& options, AnalysisResult& result, int stages,
                                    const tasks::TaskContext& context) {
  context.report(0, stages, "stages", "reading " + options.embeddings.filename().string());
  result.sites = readSiteTable(options.embeddings);
  return store::EmbeddingStore::open(options.embeddings).readAll(storeName(result.embedding));
}

}  // namespace

AnalysisResult runZeroShot(const ZeroShotOptions& options, const tasks::TaskContext& context) {
  const auto start = std::chrono::steady_clock::now();
  AnalysisResult result = emptyResult(options);
  FeatureMatrix x = readSitesAndEmbedding(options, result, 2, context);
  const SiteTable& s = result.sites;
  if (options.normalization.method != analysis::NormalizationMethod::None) {
    // Zero-shot stores (RxRx1) have no C+ / C-: normalize each plate on all of its sites.
    x = analysis::normalize(x, s.plateOfRow, std::vector<bool>(s.size(), true), options.normalization, context);
  }
  std::vector<std::string> cellTypes;
  {
    std::set<std::string> set(s.cellType.begin(), s.cellType.end());
    cellTypes.assign(set.begin(), set.end());
  }
  if (cellTypes.size() < 2)
    throw data::DataError(options.embeddings.string(), "holds " + std::to_string(cellTypes.size()) +
                                                           " cell type(s); zero-shot classification needs at least 2");
  std::vector<int> typeLabel(s.size());
  std::map<int, std::string> names;
  for (std::size_t i = 0; i < s.size(); ++i)
    typeLabel[i] = static_cast<int>(std::find(cellTypes.begin(), cellTypes.end(), s.cellType[i]) - cellTypes.begin());
  for (std::size_t k = 0; k < cellTypes.size(); ++k) names[static_cast<int>(k)] = cellTypes[k];
  Rows all(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) all[i] = static_cast<Eigen::Index>(i);
  context.report(1, 2, "stages", "classifying cell types (split by plate)");
  auto run = classify(x, all, typeLabel, s.plateOfRow, s.plateNames, names, true, "zeroshot_cell_type", "all",
                      result.embedding, options, context);
  result.classifications.push_back(run.outcome);
  result.split = run.split;
  context.report(2, 2, "stages", "zero-shot done");
  labelEmbeddings(result);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::string describeEmbedder(const store::Provenance& provenance) {
  const auto text = [&](const char* key) {
    const auto it = provenance.find(key);
    return it == provenance.end() ? std::string() : store::toString(it->second);
  };
  const std::string embedder = text("embedder");
  const std::string readout = text("readout") == "multiscale" ? "multiscale" : "FC-512";
  const std::string tta = text("tta").empty() || text("tta") == "none" ? "" : ", " + text("tta") + " TTA";
  if (embedder == "gandl") {
    const std::filesystem::path checkpoint = text("checkpoint");
    std::string model = checkpoint.parent_path().filename().string();
    if (model.empty()) model = checkpoint.filename().string();
    const std::string step = text("checkpoint_step");
    return "GAN-DL " + readout + " (" + (model.empty() ? "model" : model) + (step.empty() ? "" : ", step " + step) +
           tta + ")";
  }
  if (embedder == "random-d") return "random-weight D " + readout + tta;
  if (embedder == "intensity") return "intensity statistics";
  // A plugin says what its vectors are in the provenance's "embedding".
  if (!text("embedding").empty()) return text("embedding");
  return embedder.empty() ? "unnamed embedding" : embedder;
}

std::string embeddingLabel(const std::filesystem::path& storePath, const std::string& name) {
  const auto store = store::EmbeddingStore::open(storePath);
  if (name.empty() || name == kEmbeddingX) return describeEmbedder(store.provenance());
  const std::string method = store.obsmMethod(name);
  const auto described = method.find(kDescribedAs);
  if (method.rfind(kImportedPrefix, 0) == 0 && described != std::string::npos) {
    std::string label = method.substr(described + std::strlen(kDescribedAs));
    if (!label.empty() && label.back() == ')') label.pop_back();
    return label;
  }
  // Imports of earlier versions name only the embedder.
  const auto embedderAt = method.find("(embedder ");
  if (embedderAt != std::string::npos) {
    std::string embedder = method.substr(embedderAt + 10);
    if (!embedder.empty() && embedder.back() == ')') embedder.pop_back();
    return describeEmbedder({{"embedder", embedder}});
  }
  return name;
}

CsvImportReport importEmbeddingsCsv(const std::filesystem::path& storePath, const std::filesystem::path& csv,
                                    const std::string& name, bool allowMissing) {
  if (name.empty() || name == kEmbeddingX || name.find('/') != std::string::npos)
    throw std::invalid_argument("--name '" + name + "' cannot name an /obsm entry (not empty, not X, no '/')");
  const data::CsvTable table = data::readCsv(csv);
  const int idColumn = table.requireColumn("site_id");
  static const std::set<std::string> metadata = {
      "well_id",           "cell_type", "experiment",     "plate",  "well", "site",
      "disease_condition", "treatment", "treatment_conc", "SMILES", "role"};
  std::vector<int> featureColumns;
  for (int c = 0; c < static_cast<int>(table.header.size()); ++c)
    if (c != idColumn && !metadata.count(table.header[static_cast<std::size_t>(c)])) featureColumns.push_back(c);
  if (featureColumns.empty())
    throw data::DataError(csv.string(), 1, "", "only site_id and metadata columns", "at least one feature column");

  const auto store = store::EmbeddingStore::open(storePath);
  const auto& siteIds = store.siteIds();
  CsvImportReport report;
  report.features = featureColumns.size();
  FeatureMatrix matrix = FeatureMatrix::Constant(static_cast<Eigen::Index>(siteIds.size()),
                                                 static_cast<Eigen::Index>(featureColumns.size()),
                                                 std::numeric_limits<float>::quiet_NaN());
  std::vector<long> lineOfRow(siteIds.size(), 0);
  std::unordered_map<std::string, long> seen;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& fields = table.rows[r];
    const std::string& id = fields[static_cast<std::size_t>(idColumn)];
    const auto [previous, added] = seen.emplace(id, table.lines[r]);
    if (!added)
      throw data::DataError(csv.string(), table.lines[r], "site_id", id,
                            "a unique site_id (it is already on line " + std::to_string(previous->second) + ")");
    // Every row's numbers are checked, matched or not: a file with bad numbers is refused whole.
    std::vector<float> values(featureColumns.size());
    for (std::size_t k = 0; k < featureColumns.size(); ++k) {
      const std::string& text = fields[static_cast<std::size_t>(featureColumns[k])];
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), values[k]);
      if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(values[k]))
        throw data::DataError(csv.string(), table.lines[r], table.header[static_cast<std::size_t>(featureColumns[k])],
                              text, "a finite decimal number");
    }
    const auto row = store.rowOf(id);
    if (!row) {
      if (++report.unmatched <= 3)
        report.notes.push_back("line " + std::to_string(table.lines[r]) + ": site '" + id + "' is not in the store");
      continue;
    }
    for (std::size_t k = 0; k < featureColumns.size(); ++k)
      matrix(static_cast<Eigen::Index>(*row), static_cast<Eigen::Index>(k)) = values[k];
    lineOfRow[*row] = table.lines[r];
    ++report.matched;
  }
  for (std::size_t i = 0; i < siteIds.size(); ++i) {
    if (lineOfRow[i] != 0) continue;
    if (++report.missing <= 3) report.notes.push_back("store site '" + siteIds[i] + "' is not in the file");
  }
  if (report.missing > 0 && !allowMissing)
    throw data::DataError(csv.string(), std::to_string(report.missing) + " of the store's " +
                                            std::to_string(siteIds.size()) +
                                            " sites are not in the file (first: " + report.notes.back() +
                                            "); pass --allow-missing to import the others (the missing rows are "
                                            "left out of analyses)");
  auto writable = store::EmbeddingStore::open(storePath, store::EmbeddingStore::Access::ReadWrite);
  writable.writeObsm(name, matrix,
                     kImportedPrefix + std::filesystem::absolute(csv).string() + " (embedder csv" + kDescribedAs +
                         "imported " + name + " (" + std::to_string(featureColumns.size()) + " features))");
  return report;
}

bool storeHasControls(const std::filesystem::path& store) {
  const SiteTable sites = readSiteTable(store);
  return std::any_of(sites.role.begin(), sites.role.end(), [](SiteTable::Role role) { return isControl(role); });
}

AnalysisResult runBrowse(const ZeroShotOptions& options, const tasks::TaskContext& context) {
  const auto start = std::chrono::steady_clock::now();
  AnalysisResult result = emptyResult(options);
  FeatureMatrix x = readSitesAndEmbedding(options, result, 3, context);
  const SiteTable& s = result.sites;
  ZeroShotOptions zeroShotOptions = options;
  if (options.normalization.method != analysis::NormalizationMethod::None) {
    try {
      x = analysis::normalize(x, s.plateOfRow, std::vector<bool>(s.size(), true), options.normalization, context);
    } catch (const std::invalid_argument& error) {
      // A slice with a site or two per plate has nothing to normalize a plate on.
      result.warnings.push_back(std::string("plates not normalized (") + error.what() +
                                "); the raw embedding is shown");
      zeroShotOptions.normalization.method = analysis::NormalizationMethod::None;
    }
  }
  context.report(1, 3, "stages", "principal components");
  std::vector<Eigen::Index> finite;
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    if (x.row(r).allFinite()) finite.push_back(r);
  if (finite.size() < static_cast<std::size_t>(x.rows()))
    result.warnings.push_back(std::to_string(x.rows() - static_cast<Eigen::Index>(finite.size())) +
                              " site(s) have non-finite embedding values and are left out of the principal components");
  FeatureMatrix fitRows(static_cast<Eigen::Index>(finite.size()), x.cols());
  for (std::size_t k = 0; k < finite.size(); ++k) fitRows.row(static_cast<Eigen::Index>(k)) = x.row(finite[k]);
  ProjectionOutcome pca;
  pca.name = "PCA";
  pca.positiveLabel = "PC1";
  pca.negativeLabel = "PC2";
  pca.axes = analysis::fitPrincipalAxes(fitRows);
  pca.scores = analysis::project(pca.axes, x);
  result.pca = std::move(pca);
  result.warnings.push_back(
      "no control sites (obs role positive_control / negative_control): browse mode, without the C+ vs C- "
      "classification, E2/C2 or dose-response curves");
  context.report(2, 3, "stages", "zero-shot cell types");
  try {
    const AnalysisResult zeroShot = runZeroShot(zeroShotOptions, context);
    result.classifications = zeroShot.classifications;
    result.split = zeroShot.split;
  } catch (const tasks::Cancelled&) {
    throw;
  } catch (const std::exception& error) {
    result.warnings.push_back(std::string("zero-shot cell types not computed: ") + error.what());
  }
  context.report(3, 3, "stages", "browse ready");
  labelEmbeddings(result);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

void importEmbedding(const std::filesystem::path& store, const std::string& name, const std::filesystem::path& other) {
  if (name.empty() || name == kEmbeddingX)
    throw std::invalid_argument("an imported embedding needs a name other than X");
  std::vector<std::string> siteIds = store::EmbeddingStore::open(store).siteIds();
  const FeatureMatrix matrix = importAligned(other, siteIds);
  auto writable = store::EmbeddingStore::open(store, store::EmbeddingStore::Access::ReadWrite);
  writeImported(writable, name, matrix, other);
}

std::vector<std::string> analysableEmbeddings(const std::filesystem::path& storePath) {
  const auto store = store::EmbeddingStore::open(storePath);
  std::vector<std::string> names{kEmbeddingX};
  for (const auto& name : store.obsmNames())
    if (store.obsmMethod(name).rfind(kNormalizedPrefix, 0) != 0) names.push_back(name);
  return names;
}

}  // namespace gandl::pipeline
