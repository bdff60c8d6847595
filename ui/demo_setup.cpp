#include "ui/demo_setup.h"

#include <QStandardPaths>
#include <memory>

#include "ui/task_manager.h"
#include "ui/workspace.h"

namespace gandl::ui {

pipeline::DemoPaths demoPaths(const QString& dataDir) {
  const QString base = dataDir.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
                                               QStringLiteral("/demo")
                                         : dataDir;
  return pipeline::demoPaths(base.toStdString());
}

BackgroundTask* runDemo(Workspace& workspace, const pipeline::DemoPaths& paths) {
  auto result = std::make_shared<pipeline::DemoResult>();
  Workspace* ws = &workspace;
  auto* task = workspace.tasks()->start(
      QStringLiteral("Demo: screen and embedding"),
      [paths, result](const tasks::TaskContext& context) {
        pipeline::DemoOptions options;
        options.root = paths.root;
        *result = pipeline::prepareDemo(options, context);
      },
      [ws, result] {
        for (const auto& note : result->notes)
          Q_EMIT ws->logMessage(QString::fromStdString(note.level), QString::fromStdString(note.text));
        ws->setCheckpoint(QString::fromStdString(result->checkpoint));
        ws->openStore(result->store, result->paths.screen);
      });
  QObject::connect(task, &BackgroundTask::failed, ws,
                   [ws](const QString& error) { Q_EMIT ws->failed(QStringLiteral("The demo"), error); });
  return task;
}

}  // namespace gandl::ui
