#pragma once
// What the window is looking at: one embedding store, its analysis (runAnalysis in the
// background), the screen its images come from, the checkpoint, and the analysis settings a
// project file keeps. Opening, embedding and the demo run as BackgroundTasks; the results are
// swapped in on the GUI thread in one step, so panels never see half an analysis.

#include <QObject>
#include <QString>
#include <QStringList>
#include <filesystem>
#include <memory>

namespace gandl::pipeline {
struct AnalysisResult;
struct AnalyzeOptions;
}  // namespace gandl::pipeline
namespace gandl::data {
struct Screen;
}

namespace gandl::ui {

class BackgroundTask;
class TaskManager;

struct AnalysisSettings {
  QString normalization = QStringLiteral("plate");  // none | plate | robust | tvn
  QString embedding;                                // "" = /X
  QString compare;  // a second embedding of the store the dose-response panel overlays ("" = none)
  QString plateaus = QStringLiteral("anchored");  // 4PL plateaus: anchored (to the controls, +1/-1) | free
  quint64 seed = 0;
};

class Workspace : public QObject {
  Q_OBJECT

 public:
  explicit Workspace(TaskManager* tasks, QObject* parent = nullptr);
  ~Workspace() override;

  std::shared_ptr<const pipeline::AnalysisResult> analysis() const { return analysis_; }
  // The same store analysed on settings().compare (null when none is chosen or it failed).
  std::shared_ptr<const pipeline::AnalysisResult> comparison() const { return comparison_; }
  // The store's embeddings ("X" first), as analysableEmbeddings lists them.
  const QStringList& embeddingNames() const { return embeddingNames_; }
  std::shared_ptr<const data::Screen> screen() const { return screen_; }
  const std::filesystem::path& storePath() const { return storePath_; }
  const std::filesystem::path& screenPath() const { return screenPath_; }
  const QString& checkpoint() const { return checkpoint_; }
  void setCheckpoint(const QString& checkpoint) { checkpoint_ = checkpoint; }
  AnalysisSettings& settings() { return settings_; }
  TaskManager* tasks() const { return tasks_; }

  // Reads the store, analyses it and loads its screen (from `screen`, else the store's
  // provenance). Failures go to failed(); the previous analysis stays shown.
  BackgroundTask* openStore(const std::filesystem::path& store, const std::filesystem::path& screen = {});
  // Embeds `screen` into `store` (resuming a .partial), then opens it.
  BackgroundTask* embedAndOpen(const std::filesystem::path& screen, const std::filesystem::path& store,
                               const QString& checkpoint, const QString& embedder);
  // Analyses the open store on a second embedding (settings().compare := name; "" drops it).
  BackgroundTask* setComparisonEmbedding(const QString& name);
  // "anchored" or "free": analyses the open store again with the 4PL's plateaus so (nullptr when
  // nothing changes or no store is open).
  BackgroundTask* setPlateaus(const QString& plateaus);
  // Analyses the open store on another of its embeddings ("X" or an /obsm name), which then drives
  // every panel (nullptr when nothing changes or no store is open).
  BackgroundTask* setPrimaryEmbedding(const QString& name);
  // Only the screen (browse images before any embedding).
  BackgroundTask* openScreen(const std::filesystem::path& screen);

  // Installs a finished analysis (the tasks above call it; tests may too).
  void setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis, std::shared_ptr<const data::Screen> screen,
                   const std::filesystem::path& store, const std::filesystem::path& screenPath);

 Q_SIGNALS:
  void analysisChanged();
  void comparisonChanged();
  void screenChanged();
  void failed(const QString& what, const QString& error);
  void logMessage(const QString& level, const QString& text);

 private:
  TaskManager* tasks_;
  pipeline::AnalyzeOptions analyzeOptions(const std::filesystem::path& store, const QString& embedding) const;

  std::shared_ptr<const pipeline::AnalysisResult> analysis_, comparison_;
  QStringList embeddingNames_;
  std::shared_ptr<const data::Screen> screen_;
  std::filesystem::path storePath_, screenPath_;
  QString checkpoint_ = QStringLiteral("demo");
  AnalysisSettings settings_;
};

}  // namespace gandl::ui
