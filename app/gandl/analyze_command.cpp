#include <filesystem>
#include <iomanip>
#include <map>
#include <optional>
#include <iostream>
#include <sstream>

#include "app/gandl/cli_progress.h"
#include "app/gandl/commands.h"
#include "core/common/atomic_file.h"
#include "core/pipeline/analyze_task.h"
#include "core/pipeline/embedding_comparison.h"
#include "core/pipeline/analysis_report.h"
#include "core/pipeline/ground_truth.h"

namespace gandl::cli {
namespace {

std::map<std::string, analysis::SvmBackend> svmBackends() {
  return {{"liblinear", analysis::SvmBackend::LiblinearL2LossPrimal},
          {"liblinear-dual", analysis::SvmBackend::LiblinearL2Loss},
          {"liblinear-hinge", analysis::SvmBackend::LiblinearL1Loss},
          {"libsvm", analysis::SvmBackend::Libsvm}};
}

// The accuracy table on stdout, as a biologist reads it after the run.
void printAccuracies(const pipeline::AnalysisResult& result) {
  std::cout << std::left << std::setw(20) << "task" << std::setw(14) << "subset" << std::setw(16) << "embedding"
            << std::right << std::setw(11) << "test sites" << std::setw(10) << "accuracy" << std::setw(10) << "balanced"
            << "\n";
  for (const auto& o : result.classifications) {
    std::cout << std::left << std::setw(20) << o.task << std::setw(14) << o.subset << std::setw(16) << o.embedding
              << std::right << std::setw(11) << o.nTestSites << std::fixed << std::setprecision(3) << std::setw(10)
              << o.accuracy << std::setw(10) << o.balancedAccuracy << "\n";
  }
  for (const auto& w : result.warnings) std::cerr << "gandl: warning: " << w << "\n";
}

}  // namespace

void addAnalyzeCommand(CLI::App& app) {
  struct Options {
    pipeline::AnalyzeOptions analyze;
    std::string out, normalize = "plate", svm = "liblinear", plateaus = "anchored", groundTruth = "auto";
  };
  auto options = std::make_shared<Options>();
  auto* command =
      app.add_subcommand("analyze",
                         "Normalize, classify controls and cell types, project onto E2 / C2, fit dose-response "
                         "curves and plate QC; writes CSVs and summary.json");
  auto& a = options->analyze;
  command->add_option("--embeddings", a.embeddings, "the .h5ad store")->required()->check(CLI::ExistingFile);
  command->add_option("--out", options->out, "output folder")->required();
  command->add_option("--normalize", options->normalize, "per-plate normalization on control wells")
      ->check(CLI::IsMember({"none", "plate", "robust", "tvn"}))
      ->capture_default_str();
  command->add_option("--embedding", a.embedding, "X (default) or an /obsm entry for projections and curves");
  command->add_option("--compare", a.compare,
                      "further embeddings for the accuracy table: an /obsm name, or NAME=OTHER.h5ad (same "
                      "sites; imported into /obsm/NAME)");
  command->add_option("--seed", a.seed, "split and cross-validation seed")->capture_default_str();
  command->add_option("--train-fraction", a.trainFraction, "share of wells for training")
      ->check(CLI::Range(0.05, 0.95))
      ->capture_default_str();
  command->add_option("--svm", options->svm, "linear SVM solver")
      ->check(CLI::IsMember({"liblinear", "liblinear-dual", "liblinear-hinge", "libsvm"}))
      ->capture_default_str();
  command->add_option("--folds", a.folds, "cross-validation folds for C")
      ->check(CLI::Range(2, 20))
      ->capture_default_str();
  command->add_option("--plateaus", options->plateaus, "4PL plateaus: anchored to the controls (+1/-1) or free")
      ->check(CLI::IsMember({"anchored", "free"}))
      ->capture_default_str();
  command->add_option("--threads", a.threads, "threads for the dose-response fits (0: every core)")
      ->check(kThreadsRange);
  command
      ->add_option("--ground-truth", options->groundTruth,
                   "a synthetic screen's ground_truth.csv to score the EC50s against; auto: the embedded "
                   "screen's, when it has one; none: skip")
      ->capture_default_str();
  command->add_flag("!--no-store-write", a.writeToStore,
                    "do not write normalized / imported matrices into the store's /obsm");
  command->callback([options] {
    auto& analyze = options->analyze;
    analyze.normalization.method = analysis::parseNormalizationMethod(options->normalize);
    analyze.svm.backend = svmBackends().at(options->svm);
    analyze.doseResponse.curve.plateaus =
        options->plateaus == "free" ? analysis::Plateaus::Free : analysis::Plateaus::AnchoredToControls;
    CliProgress progress("analyze");
    auto result = pipeline::runAnalysis(analyze, progress.context());
    std::optional<std::filesystem::path> truth;
    if (options->groundTruth == "auto")
      truth = pipeline::findGroundTruth(analyze.embeddings);
    else if (options->groundTruth != "none")
      truth = std::filesystem::path(options->groundTruth);
    if (truth) result.groundTruth = pipeline::compareWithGroundTruth(result, *truth);
    auto files = pipeline::writeAnalysisReport(result, options->out);
    std::string comparison;
    const std::filesystem::path out(options->out);
    // A table from an earlier run with other embeddings must not stay beside this report.
    std::filesystem::remove(out / "comparison.csv");
    std::filesystem::remove(out / "comparison.md");
    if (!analyze.compare.empty()) {
      // One table across the embeddings: each one's EC50 figures need its own analysis.
      const auto scores = pipeline::scoreEmbeddings(analyze, result, truth, progress.context());
      comparison = pipeline::comparisonMarkdown(result, scores);
      common::writeFileAtomically(out / "comparison.csv", pipeline::comparisonCsv(result, scores));
      common::writeFileAtomically(out / "comparison.md", comparison);
      files.push_back(out / "comparison.csv");
      files.push_back(out / "comparison.md");
    }
    std::ostringstream summary;
    summary << "wrote " << files.size() << " files to " << options->out << " (" << result.sites.size() << " sites, "
            << result.compounds.size() << " compound curves, " << std::fixed << std::setprecision(1) << result.seconds
            << " s)";
    progress.finish(summary.str());
    printAnalysisSummary(result);
    if (!comparison.empty()) std::cout << "\n" << comparison;
  });
}

void printAnalysisSummary(const pipeline::AnalysisResult& result) {
  printAccuracies(result);
  if (result.groundTruth) {
    const auto& g = *result.groundTruth;
    std::cout << "ground truth (" << g.file.string() << "): " << g.activeWithin03 << "/" << g.activeCurves
              << " active curves with EC50 within 0.3 log10 (median |error| " << std::fixed << std::setprecision(3)
              << g.medianAbsLog10Error << "), " << g.inactiveCalledInactive << "/" << g.inactiveCurves
              << " inactive curves called inactive\n";
  }
}

void addZeroShotCommand(CLI::App& app) {
  struct Options {
    pipeline::ZeroShotOptions zeroShot;
    std::string out, normalize = "none";
  };
  auto options = std::make_shared<Options>();
  auto* command =
      app.add_subcommand("zeroshot",
                         "Classify cell types (e.g. RxRx1's four) on embeddings of a model trained on another screen, "
                         "split by plate");
  auto& z = options->zeroShot;
  command->add_option("--embeddings", z.embeddings, "the .h5ad store")->required()->check(CLI::ExistingFile);
  command->add_option("--out", options->out, "output folder")->required();
  command->add_option("--embedding", z.embedding, "X (default) or an /obsm entry");
  command->add_option("--normalize", options->normalize, "per-plate normalization on all sites of the plate")
      ->check(CLI::IsMember({"none", "plate", "robust"}))
      ->capture_default_str();
  command->add_option("--seed", z.seed, "split and cross-validation seed")->capture_default_str();
  command->add_option("--train-fraction", z.trainFraction, "share of plates for training")
      ->check(CLI::Range(0.05, 0.95))
      ->capture_default_str();
  command->add_option("--folds", z.folds, "cross-validation folds for C")
      ->check(CLI::Range(2, 20))
      ->capture_default_str();
  command->callback([options] {
    auto& zeroShot = options->zeroShot;
    zeroShot.normalization.method = analysis::parseNormalizationMethod(options->normalize);
    CliProgress progress("zeroshot");
    const auto result = pipeline::runZeroShot(zeroShot, progress.context());
    const auto files = pipeline::writeAnalysisReport(result, options->out);
    progress.finish("wrote " + std::to_string(files.size()) + " files to " + options->out);
    printAccuracies(result);
  });
}

}  // namespace gandl::cli
