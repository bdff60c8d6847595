#include "ui/demo_setup.h"

#include <QStandardPaths>
#include <algorithm>
#include <memory>

#include "core/data/synthetic_screen.h"
#include "core/model/embedder.h"
#include "core/model/run_directory.h"
#include "core/model/training_config.h"
#include "core/pipeline/analyze_task.h"
#include "core/pipeline/embed_task.h"
#include "core/store/embedding_store.h"
#include "core/store/embedding_writer.h"
#include "core/store/provenance.h"
#include "ui/task_manager.h"
#include "ui/workspace.h"

namespace fs = std::filesystem;

namespace gandl::ui {

DemoPaths demoPaths(const QString& dataDir) {
  const QString base = dataDir.isEmpty()
                           ? QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/demo")
                           : dataDir;
  DemoPaths p;
  p.root = base.toStdString();
  p.screen = p.root / "screen";
  p.store = p.root / "demo.h5ad";
  p.bootstrapRun = p.root / "random-d-architecture";
  return p;
}

BackgroundTask* runDemo(Workspace& workspace, const DemoPaths& paths) {
  auto notes = std::make_shared<std::vector<std::pair<QString, QString>>>();
  auto store = std::make_shared<fs::path>(paths.store);
  Workspace* ws = &workspace;
  auto* task = workspace.tasks()->start(
      QStringLiteral("Demo: screen and embedding"),
      [paths, notes, store](const tasks::TaskContext& context) {
        fs::create_directories(paths.root);
        if (!fs::exists(paths.screen / "metadata.csv")) {
          context.report(0, 0, "", "writing the demo synthetic screen");
          data::writeSyntheticScreen(paths.screen, data::SynthPreset::Small, 1, context);
          notes->push_back({QStringLiteral("info"), QStringLiteral("wrote the demo screen to %1").arg(QString::fromStdString(paths.screen.string()))});
        }
        pipeline::EmbedTaskOptions embed;
        embed.data = paths.screen;
        embed.device = "auto";
        const fs::path demoModel = model::resolveCheckpointDirectory("demo");
        if (fs::exists(demoModel / "config.json")) {
          embed.checkpoint = "demo";
          embed.embedder = "gandl";
        } else {
          // No shipped model: the random-discriminator baseline needs only the architecture, which
          // the default training config describes.
          *store = paths.root / "demo-random-d.h5ad";
          notes->push_back({QStringLiteral("warning"),
                            QStringLiteral("the demo checkpoint is not installed (%1); embedding with the random-d "
                                           "baseline (same architecture, random weights) instead")
                                .arg(QString::fromStdString(demoModel.string()))});
          if (!fs::exists(paths.bootstrapRun / "config.json")) {
            fs::create_directories(paths.bootstrapRun);
            model::RunDirectory(paths.bootstrapRun).writeConfig(model::TrainingConfig{});
          }
          embed.checkpoint = paths.bootstrapRun.string();
          embed.embedder = "random-d";
          embed.seed = 1;
        }
        embed.out = *store;
        if (fs::exists(*store) && embed.embedder == "gandl") {
          // A store of an earlier demo model (the shipped model was updated): embed again.
          const auto current = model::describeCheckpoint(demoModel).hash;
          const auto provenance = store::EmbeddingStore::open(*store).provenance();
          const auto stored = provenance.find(store::kCheckpointHashKey);
          if (stored == provenance.end() || store::toString(stored->second) != current) {
            notes->push_back({QStringLiteral("info"),
                              QStringLiteral("%1 was embedded with another demo model; embedding again")
                                  .arg(QString::fromStdString(store->string()))});
            fs::remove(*store);
          }
        }
        if (!fs::exists(*store)) pipeline::runEmbedding(embed, context);
        // The intensity-and-texture baseline beside it, so the dose-response panel can compare.
        const auto embeddings = pipeline::analysableEmbeddings(*store);
        if (std::find(embeddings.begin(), embeddings.end(), "intensity") == embeddings.end()) {
          pipeline::EmbedTaskOptions intensity;
          intensity.data = paths.screen;
          intensity.embedder = "intensity";
          intensity.out = paths.root / "demo-intensity.h5ad";
          context.report(0, 0, "", "the intensity baseline, for comparison");
          if (!fs::exists(intensity.out)) pipeline::runEmbedding(intensity, context);
          pipeline::importEmbedding(*store, "intensity", intensity.out);
        }
      },
      [ws, notes, store, paths] {
        for (const auto& [level, text] : *notes) Q_EMIT ws->logMessage(level, text);
        ws->setCheckpoint(store->filename() == "demo.h5ad" ? QStringLiteral("demo")
                                                            : QString::fromStdString(paths.bootstrapRun.string()));
        ws->openStore(*store, paths.screen);
      });
  QObject::connect(task, &BackgroundTask::failed, ws, [ws](const QString& error) {
    Q_EMIT ws->failed(QStringLiteral("The demo"), error);
  });
  return task;
}

}  // namespace gandl::ui
