#pragma once
// Each `gandl <command>` registers its options and its action on the CLI11 app.

#include <CLI/CLI.hpp>

namespace gandl::pipeline {
struct AnalysisResult;
}

namespace gandl::cli {

// Bounds of every count a user gives (a typo of 100000 threads must fail with a message, not
// abort the process or leave half-written output).
inline const CLI::Range kThreadsRange(0, 256);       // LibTorch / worker threads; 0: every core
inline const CLI::Range kLoaderThreadsRange(1, 64);  // PNG decoding threads
inline const CLI::Range kBatchRange(1, 4096);        // images or views per forward pass

void addAnalyzeCommand(CLI::App& app);
void addDemoCommand(CLI::App& app);
void addEmbedCommand(CLI::App& app);
void addExportCommand(CLI::App& app);
void addExportModelCommand(CLI::App& app);
void addImportEmbeddingsCommand(CLI::App& app);
void addInfoCommand(CLI::App& app);
void addPluginsCommand(CLI::App& app);
void addMergeCommand(CLI::App& app);
void addInspectCommand(CLI::App& app);
void addProbeCommand(CLI::App& app);
void addSynthCommand(CLI::App& app);
void addTrainCommand(CLI::App& app);
void addZeroShotCommand(CLI::App& app);

// The accuracy table, warnings and the ground-truth line of an analysis (analyze, demo).
void printAnalysisSummary(const pipeline::AnalysisResult& result);

}  // namespace gandl::cli
