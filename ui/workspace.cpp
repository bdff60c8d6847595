#include "ui/workspace.h"

#include "core/analysis/normalization.h"
#include "core/data/screen.h"
#include "core/pipeline/analyze_task.h"
#include "core/pipeline/store_embeddings.h"
#include "core/pipeline/embed_task.h"
#include "core/store/embedding_store.h"
#include "ui/task_manager.h"

namespace fs = std::filesystem;

namespace gandl::ui {

namespace {

QString qpath(const fs::path& path) { return QString::fromStdString(path.string()); }

// The screen a store was embedded from, as its provenance records it.
fs::path screenOfStore(const fs::path& store) {
  const auto provenance = store::EmbeddingStore::open(store).provenance();
  const auto it = provenance.find("screen");
  return it == provenance.end() ? fs::path() : fs::path(store::toString(it->second));
}

}  // namespace

Workspace::Workspace(TaskManager* tasks, QObject* parent) : QObject(parent), tasks_(tasks) {}
Workspace::~Workspace() = default;

void Workspace::setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis,
                            std::shared_ptr<const data::Screen> screen, const fs::path& store,
                            const fs::path& screenPath) {
  analysis_ = std::move(analysis);
  storePath_ = store;
  const bool screenChangedNow = screen != screen_;
  screen_ = std::move(screen);
  screenPath_ = screenPath;
  Q_EMIT analysisChanged();
  if (screenChangedNow) Q_EMIT screenChanged();
}

pipeline::AnalyzeOptions Workspace::analyzeOptions(const fs::path& store, const QString& embedding) const {
  pipeline::AnalyzeOptions options;
  options.embeddings = store;
  options.embedding = embedding.toStdString();
  options.normalization.method = analysis::parseNormalizationMethod(settings_.normalization.toStdString());
  options.seed = settings_.seed;
  options.doseResponse.curve.plateaus =
      settings_.plateaus == QLatin1String("free") ? analysis::Plateaus::Free : analysis::Plateaus::AnchoredToControls;
  options.writeToStore = false;  // the GUI never rewrites a store it only looks at
  return options;
}

BackgroundTask* Workspace::openStore(const fs::path& store, const fs::path& screenHint) {
  struct Outcome {
    std::shared_ptr<pipeline::AnalysisResult> analysis, comparison;
    QStringList embeddings;
    std::shared_ptr<data::Screen> screen;
    fs::path screenPath;
    QString screenWarning;
  };
  auto outcome = std::make_shared<Outcome>();
  const pipeline::AnalyzeOptions options = analyzeOptions(store, settings_.embedding);
  const pipeline::AnalyzeOptions compareOptions = analyzeOptions(store, settings_.compare);
  const bool compare = !settings_.compare.isEmpty() && settings_.compare != settings_.embedding;
  auto* task = tasks_->start(
      QStringLiteral("Analyse %1").arg(qpath(store.filename())),
      [outcome, options, compareOptions, compare, store, screenHint](const tasks::TaskContext& context) {
        if (!fs::exists(store)) throw std::runtime_error(store.string() + ": no such store");
        const bool controls = pipeline::storeHasControls(store);
        const auto embeddings = pipeline::analysableEmbeddings(store);
        for (const auto& name : embeddings) outcome->embeddings << QString::fromStdString(name);
        if (controls) {
          // Table 1 across every embedding of the store (GAN-DL, intensity, random-D, plugins).
          pipeline::AnalyzeOptions all = options;
          for (const auto& name : embeddings)
            if (name != (options.embedding.empty() ? std::string("X") : options.embedding)) all.compare.push_back(name);
          outcome->analysis = std::make_shared<pipeline::AnalysisResult>(pipeline::runAnalysis(all, context));
        } else {
          // A screen without C+ / C- (a real RxRx1 slice): browse it rather than refuse it.
          pipeline::ZeroShotOptions browse;
          browse.embeddings = options.embeddings;
          browse.embedding = options.embedding;
          browse.normalization = options.normalization;
          browse.seed = options.seed;
          outcome->analysis = std::make_shared<pipeline::AnalysisResult>(pipeline::runBrowse(browse, context));
        }
        context.checkCancelled();
        if (controls && compare && outcome->embeddings.contains(QString::fromStdString(compareOptions.embedding)))
          outcome->comparison =
              std::make_shared<pipeline::AnalysisResult>(pipeline::runAnalysis(compareOptions, context));
        fs::path screen = screenHint.empty() ? screenOfStore(store) : screenHint;
        outcome->screenPath = screen;
        if (screen.empty()) {
          outcome->screenWarning =
              QStringLiteral("%1 does not record its screen folder; site images are not shown").arg(qpath(store));
        } else if (!fs::exists(screen / "metadata.csv")) {
          outcome->screenWarning = QStringLiteral("the screen of %1 is not at %2 (moved?); site images are not shown")
                                       .arg(qpath(store), qpath(screen));
        } else {
          try {
            outcome->screen = std::make_shared<data::Screen>(data::loadScreen(screen, data::Layout::Auto, context));
          } catch (const tasks::Cancelled&) {
            throw;
          } catch (const std::exception& e) {
            outcome->screenWarning = QString::fromStdString(e.what());
          }
        }
      },
      [this, outcome, store] {
        if (!outcome->screenWarning.isEmpty()) Q_EMIT logMessage(QStringLiteral("warning"), outcome->screenWarning);
        for (const auto& w : outcome->analysis->warnings)
          Q_EMIT logMessage(QStringLiteral("warning"), QString::fromStdString(w));
        Q_EMIT logMessage(QStringLiteral("info"), QStringLiteral("analysed %1: %2 sites, %3 compounds in %4 s")
                                                      .arg(qpath(store))
                                                      .arg(outcome->analysis->sites.size())
                                                      .arg(outcome->analysis->compounds.size())
                                                      .arg(outcome->analysis->seconds, 0, 'f', 1));
        embeddingNames_ = outcome->embeddings;
        comparison_ = outcome->comparison;
        setAnalysis(outcome->analysis, outcome->screen, store, outcome->screenPath);
        Q_EMIT comparisonChanged();
      });
  connect(task, &BackgroundTask::failed, this, [this, store](const QString& error) {
    Q_EMIT failed(QStringLiteral("Opening %1").arg(qpath(store)), error);
  });
  return task;
}

BackgroundTask* Workspace::embedAndOpen(const fs::path& screen, const fs::path& store, const QString& checkpoint,
                                        const QString& embedder) {
  pipeline::EmbedTaskOptions options;
  options.data = screen;
  options.out = store;
  options.checkpoint = checkpoint.toStdString();
  options.embedder = embedder.toStdString();
  options.device = "auto";
  options.overwrite = true;  // the save dialog asked before an existing store is replaced
  checkpoint_ = checkpoint;
  auto result = std::make_shared<pipeline::EmbedTaskResult>();
  auto* task = tasks_->start(
      QStringLiteral("Embed %1").arg(qpath(screen.filename())),
      [options, result](const tasks::TaskContext& context) { *result = pipeline::runEmbedding(options, context); },
      [this, store, screen, result] {
        // What was and was not embedded, said once: incomplete sites are skipped, never silently.
        Q_EMIT logMessage(QStringLiteral("info"), QStringLiteral("embedded %1 sites of %2 into %3 (%4 already stored)")
                                                      .arg(result->embedded + result->already_stored)
                                                      .arg(qpath(screen), qpath(store))
                                                      .arg(result->already_stored));
        if (result->incomplete_skipped > 0)
          Q_EMIT logMessage(QStringLiteral("warning"),
                            QStringLiteral("%1 incomplete sites of %2 were skipped (a channel file missing or "
                                           "unreadable); `gandl inspect --data %2` lists each with its reason")
                                .arg(result->incomplete_skipped)
                                .arg(qpath(screen)));
        for (const auto& warning : result->warnings)
          Q_EMIT logMessage(QStringLiteral("warning"), QString::fromStdString(warning));
        openStore(store, screen);
      });
  connect(task, &BackgroundTask::failed, this, [this, screen](const QString& error) {
    Q_EMIT failed(QStringLiteral("Embedding %1").arg(qpath(screen)), error);
  });
  return task;
}

BackgroundTask* Workspace::setComparisonEmbedding(const QString& name) {
  settings_.compare = name;
  if (name.isEmpty() || !analysis_ || name == QString::fromStdString(analysis_->embedding)) {
    comparison_.reset();
    Q_EMIT comparisonChanged();
    return nullptr;
  }
  auto result = std::make_shared<std::shared_ptr<pipeline::AnalysisResult>>();
  const pipeline::AnalyzeOptions options = analyzeOptions(storePath_, name);
  const fs::path store = storePath_;
  auto* task = tasks_->start(
      QStringLiteral("Analyse %1 on %2").arg(qpath(store.filename()), name),
      [result, options](const tasks::TaskContext& context) {
        *result = std::make_shared<pipeline::AnalysisResult>(pipeline::runAnalysis(options, context));
      },
      [this, result, store, name] {
        if (store != storePath_ || settings_.compare != name) return;  // superseded meanwhile
        comparison_ = *result;
        Q_EMIT logMessage(QStringLiteral("info"),
                          QStringLiteral("analysed %1 on embedding %2 for comparison").arg(qpath(store), name));
        Q_EMIT comparisonChanged();
      });
  connect(task, &BackgroundTask::failed, this, [this, name](const QString& error) {
    Q_EMIT failed(QStringLiteral("Analysing embedding %1").arg(name), error);
  });
  return task;
}

BackgroundTask* Workspace::setPlateaus(const QString& plateaus) {
  if (plateaus != QLatin1String("anchored") && plateaus != QLatin1String("free"))
    throw std::invalid_argument("unknown plateaus '" + plateaus.toStdString() + "'; expected anchored or free");
  if (plateaus == settings_.plateaus) return nullptr;
  settings_.plateaus = plateaus;
  if (storePath_.empty()) return nullptr;
  return openStore(storePath_, screenPath_);
}

BackgroundTask* Workspace::setPrimaryEmbedding(const QString& name) {
  const QString stored = name == QLatin1String("X") ? QString() : name;
  if (stored == settings_.embedding) return nullptr;
  settings_.embedding = stored;
  if (settings_.compare == name) settings_.compare.clear();  // comparing an embedding with itself says nothing
  if (storePath_.empty()) return nullptr;
  return openStore(storePath_, screenPath_);
}

BackgroundTask* Workspace::openScreen(const fs::path& screenPath) {
  auto holder = std::make_shared<std::shared_ptr<data::Screen>>();
  auto* task = tasks_->start(
      QStringLiteral("Load screen %1").arg(qpath(screenPath.filename())),
      [holder, screenPath](const tasks::TaskContext& context) {
        *holder = std::make_shared<data::Screen>(data::loadScreen(screenPath, data::Layout::Auto, context));
      },
      [this, holder, screenPath] {
        screen_ = *holder;
        screenPath_ = screenPath;
        Q_EMIT logMessage(
            QStringLiteral("info"),
            QStringLiteral("loaded screen %1: %2 sites").arg(qpath(screenPath)).arg((*holder)->sites.size()));
        Q_EMIT screenChanged();
      });
  connect(task, &BackgroundTask::failed, this, [this, screenPath](const QString& error) {
    Q_EMIT failed(QStringLiteral("Opening screen %1").arg(qpath(screenPath)), error);
  });
  return task;
}

}  // namespace gandl::ui
