#include <iostream>
#include <sstream>

#include "app/gandl/cli_progress.h"
#include "app/gandl/commands.h"
#include "core/model/torch_runtime.h"
#include "core/pipeline/analyze_task.h"
#include "core/pipeline/analysis_report.h"
#include "core/pipeline/ground_truth.h"
#include "core/pipeline/demo.h"
#include "core/store/csv_export.h"
#include "core/store/embedding_store.h"

namespace gandl::cli {

void addDemoCommand(CLI::App& app) {
  struct Options {
    pipeline::DemoOptions demo;
    int threads = 0;
    bool csv = true;
  };
  auto o = std::make_shared<Options>();
  o->demo.root = "out/demo";
  auto* command =
      app.add_subcommand("demo",
                         "The demo, headless: the demo screen, embedded with the shipped model (and the intensity "
                         "baseline beside it), analysed against its ground truth; reuses what DIR holds");
  command->add_option("--out", o->demo.root, "demo folder (screen/, demo.h5ad, analysis/, demo.csv)")
      ->capture_default_str();
  command->add_option("--device", o->demo.device, "auto, cpu, cuda or cuda:<i>")->capture_default_str();
  command->add_option("--threads", o->threads, "LibTorch threads (0: every core)")->check(kThreadsRange);
  command->add_flag("!--no-csv", o->csv, "do not export the embedding as demo.csv");
  command->callback([o] {
    model::configureThreads(o->threads);
    pipeline::DemoResult demo;
    {
      CliProgress progress("demo");
      demo = pipeline::prepareDemo(o->demo, progress.context());
      progress.finish(std::string(demo.embedded ? "embedded" : "reused") + " " + demo.store.string() + " (" +
                      demo.embedder + ", model " + demo.checkpoint + ")");
    }
    for (const auto& note : demo.notes) std::cerr << "gandl: " << note.level << ": " << note.text << "\n";

    pipeline::AnalyzeOptions analyze;
    analyze.embeddings = demo.store;
    analyze.compare = {"intensity"};
    analyze.writeToStore = false;
    const auto analysisDir = demo.paths.root / "analysis";
    CliProgress progress("analyze");
    auto result = pipeline::runAnalysis(analyze, progress.context());
    if (const auto truth = pipeline::findGroundTruth(demo.store))
      result.groundTruth = pipeline::compareWithGroundTruth(result, *truth);
    const auto files = pipeline::writeAnalysisReport(result, analysisDir);
    if (o->csv) {
      const auto store = store::EmbeddingStore::open(demo.store);
      store::exportCsv(store, demo.paths.root / "demo.csv", "", progress.context());
    }
    progress.finish("wrote " + std::to_string(files.size()) + " files to " + analysisDir.string() +
                    (o->csv ? " and " + (demo.paths.root / "demo.csv").string() : std::string()));
    printAnalysisSummary(result);
  });
}

}  // namespace gandl::cli
