#include "ui/screenshot_tour.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QTimer>

#include "ui/main_window.h"
#include "ui/panels/dose_response_panel.h"
#include "ui/panels/plate_heatmap_panel.h"
#include "ui/workspace.h"

namespace gandl::ui {

void takeScreenshotsOnceAnalysed(MainWindow& mainWindow, const QString& shots) {
  MainWindow* w = &mainWindow;
  QObject::connect(
      w, &MainWindow::analysisShown, w,
      [w, shots] {
        QTimer::singleShot(2000, w, [w, shots] {
          QDir().mkpath(shots);
          const auto save = [w, shots](const QString& dock, const QString& name) {
            w->docks().value(dock)->raise();
            QApplication::processEvents();
            w->docks().value(dock)->widget()->grab().save(QDir(shots).filePath(name));
          };
          const auto& docks = w->docks();
          for (auto it = docks.begin(); it != docks.end(); ++it)
            save(it.key(), QStringLiteral("demo_%1.png").arg(it.key()));
          w->docks().value(QStringLiteral("activity"))->raise();
          QApplication::processEvents();
          w->grab().save(QDir(shots).filePath(QStringLiteral("demo_workbench.png")));

          auto* plate = w->plateHeatmap();
          plate->allPlatesBox()->setChecked(true);
          const int cells = plate->valueBox()->findData(QStringLiteral("cells"));
          if (cells >= 0) plate->valueBox()->setCurrentIndex(cells);
          save(QStringLiteral("plate"), QStringLiteral("demo_plate_all.png"));
          auto* dose = w->doseResponse();
          if (dose->compareBox()->count() < 2) {
            QApplication::quit();
            return;
          }
          QObject::connect(w->workspace(), &Workspace::comparisonChanged, w, [w, save] {
            save(QStringLiteral("dose_response"), QStringLiteral("demo_dose_response_compare.png"));
            QApplication::quit();
          });
          dose->compareBox()->setCurrentIndex(1);
          Q_EMIT dose->compareBox()->activated(1);
        });
      },
      Qt::SingleShotConnection);
}

}  // namespace gandl::ui
