#include "ui/main_window.h"

#include "ui/embed_dialog.h"

#include <algorithm>

#include <QAction>
#include <QCheckBox>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QActionGroup>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QGuiApplication>
#include <QScreen>
#include <QOpenGLWidget>
#include <QScrollArea>
#include <QStatusBar>
#include <QComboBox>
#include <QToolButton>
#include <memory>

#include "core/pipeline/analyze_task.h"
#include "core/pipeline/analysis_report.h"
#include "ui/demo_setup.h"
#include "core/model/run_directory.h"
#include "core/model/torch_runtime.h"
#include "ui/figure_export.h"
#include "ui/panels/activity_panel.h"
#include "ui/panels/classification_panel.h"
#include "ui/panels/dose_response_panel.h"
#include "ui/panels/embedding_scatter_panel.h"
#include "ui/panels/generated_images_panel.h"
#include "ui/panels/plate_heatmap_panel.h"
#include "ui/panels/point_cloud_panel.h"
#include "ui/panels/screen_browser_panel.h"
#include "ui/panels/selection_gallery_panel.h"
#include "ui/panels/site_viewer_panel.h"
#include "ui/panels/training_panel.h"
#include "ui/project_file.h"
#include "ui/selection_model.h"
#include "ui/task_manager.h"
#include "ui/workspace.h"

namespace gandl::ui {

namespace {
constexpr int kMaxRecent = 8;
}

MainWindow::MainWindow(bool withPointCloud, QWidget* parent) : QMainWindow(parent) {
  setObjectName(QStringLiteral("workbenchWindow"));
  setWindowTitle(tr("GAN-DL Workbench"));
  setDockNestingEnabled(true);
  tasks_ = new TaskManager(this);
  workspace_ = new Workspace(tasks_, this);
  selection_ = new SelectionModel(this);

  browser_ = new ScreenBrowserPanel(selection_, this);
  scatter_ = new EmbeddingScatterPanel(selection_, this);
  doseResponse_ = new DoseResponsePanel(selection_, this);
  plate_ = new PlateHeatmapPanel(selection_, this);
  siteViewer_ = new SiteViewerPanel(selection_, this);
  gallery_ = new SelectionGalleryPanel(selection_, this);
  classification_ = new ClassificationPanel(this);
  activity_ = new ActivityPanel(tasks_, this);
  training_ = new TrainingPanel(tasks_, this);
  generated_ = new GeneratedImagesPanel(tasks_, this);
  if (withPointCloud) pointCloud_ = new PointCloudPanel(selection_, this);

  addPanel(QStringLiteral("browser"), tr("Screen browser"), browser_, Qt::LeftDockWidgetArea);
  addPanel(QStringLiteral("scatter"), tr("Embedding scatter"), scatter_, Qt::RightDockWidgetArea);
  auto* dose = addPanel(QStringLiteral("dose_response"), tr("Dose-response"), doseResponse_, Qt::RightDockWidgetArea);
  auto* plate = addPanel(QStringLiteral("plate"), tr("Plate heatmap"), plate_, Qt::RightDockWidgetArea);
  auto* viewer = addPanel(QStringLiteral("site_viewer"), tr("Site viewer"), siteViewer_, Qt::RightDockWidgetArea);
  auto* gallery = addPanel(QStringLiteral("gallery"), tr("Selected sites"), gallery_, Qt::RightDockWidgetArea);
  auto* classification =
      addPanel(QStringLiteral("classification"), tr("Classification"), classification_, Qt::RightDockWidgetArea);
  auto* activity = addPanel(QStringLiteral("activity"), tr("Activity and log"), activity_, Qt::BottomDockWidgetArea);
  auto* training = addPanel(QStringLiteral("training"), tr("Training"), training_, Qt::BottomDockWidgetArea);
  auto* generated = addPanel(QStringLiteral("generated"), tr("Generated images"), generated_, Qt::BottomDockWidgetArea);
  splitDockWidget(docks_[QStringLiteral("scatter")], dose, Qt::Horizontal);
  splitDockWidget(docks_[QStringLiteral("scatter")], plate, Qt::Vertical);
  splitDockWidget(dose, viewer, Qt::Vertical);
  tabifyDockWidget(plate, classification);
  tabifyDockWidget(viewer, gallery);
  tabifyDockWidget(activity, training);
  tabifyDockWidget(activity, generated);
  if (pointCloud_) {
    auto* cloud = addPanel(QStringLiteral("point_cloud"), tr("3-D view"), pointCloud_, Qt::RightDockWidgetArea);
    tabifyDockWidget(viewer, cloud);
    connect(scatter_->colourBox(), &QComboBox::currentIndexChanged, this,
            [this] { pointCloud_->setColourBy(scatter_->colourBy()); });
  }
  plate->raise();
  viewer->raise();
  activity->raise();

  connect(workspace_, &Workspace::analysisChanged, this, &MainWindow::showAnalysis);
  connect(workspace_, &Workspace::screenChanged, this, [this] {
    siteViewer_->setScreen(workspace_->screen());
    gallery_->setScreen(workspace_->screen());
    training_->setScreenFolder(QString::fromStdString(workspace_->screenPath().string()));
  });
  connect(workspace_, &Workspace::failed, this, &MainWindow::showError);
  connect(workspace_, &Workspace::comparisonChanged, this,
          [this] { doseResponse_->setComparison(workspace_->comparison()); });
  connect(doseResponse_, &DoseResponsePanel::comparisonRequested, workspace_, &Workspace::setComparisonEmbedding);
  connect(doseResponse_, &DoseResponsePanel::plateausRequested, workspace_, &Workspace::setPlateaus);
  connect(classification_, &ClassificationPanel::embeddingRequested, workspace_, &Workspace::setPrimaryEmbedding);
  connect(workspace_, &Workspace::logMessage, activity_, &ActivityPanel::log);
  connect(tasks_, &TaskManager::taskStarted, this, [this](BackgroundTask* task) {
    connect(task, &BackgroundTask::progress, this,
            [this, task](qint64 done, qint64 total, const QString&, const QString& message) {
              statusBar()->showMessage(
                  total > 0 ? QStringLiteral("%1: %2 / %3 %4").arg(task->name()).arg(done).arg(total).arg(message)
                            : QStringLiteral("%1: %2").arg(task->name(), message));
            });
    connect(task, &BackgroundTask::ended, this, [this] {
      if (tasks_->runningCount() == 0) statusBar()->showMessage(tr("Ready"), 3000);
    });
  });
  connect(training_, &TrainingPanel::samplesWritten, this, [this] {
    if (generated_->runDirectory() != training_->runFolder()) generated_->setRunDirectory(training_->runFolder());
    generated_->refresh();
  });
  buildMenus();
  defaultState_ = saveState();  // what View > Reset layout returns to
  QSettings settings;
  const bool restored = restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  sizedByUser_ = restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
  if (!restored) {
    // The first start: as large as 1400x900, but never larger than the screen's free area.
    const QScreen* screen = QGuiApplication::primaryScreen();
    const QSize available = screen ? screen->availableGeometry().size() : QSize(1400, 900);
    resize(QSize(1400, 900).boundedTo(available));
  }
  statusBar()->showMessage(tr("Open a store (Ctrl+O), a project, or run the demo (Ctrl+D)."));
}

MainWindow::~MainWindow() { tasks_->shutdown(); }

void MainWindow::resetLayout() {
  restoreState(defaultState_);
  for (auto* dock : docks_) {
    dock->setFloating(false);
    dock->show();
  }
  docks_[QStringLiteral("plate")]->raise();
  docks_[QStringLiteral("site_viewer")]->raise();
  docks_[QStringLiteral("activity")]->raise();
  arrangeForSize();
}

// Dock sizes for the current window: a narrow browser, a short activity strip, and the rest to
// the plots, the scatter and the dose-response side by side above the heatmap and the site viewer.
void MainWindow::arrangeForSize() {
  const int browser = std::clamp(width() / 6, 200, 300);
  const int activity = std::clamp(height() / 7, 90, 160);
  const int plots = std::max(200, width() - browser);
  resizeDocks({docks_[QStringLiteral("browser")]}, {browser}, Qt::Horizontal);
  resizeDocks({docks_[QStringLiteral("activity")]}, {activity}, Qt::Vertical);
  resizeDocks({docks_[QStringLiteral("scatter")], docks_[QStringLiteral("dose_response")]}, {plots / 2, plots / 2},
              Qt::Horizontal);
  const int column = std::max(200, height() - activity);
  resizeDocks({docks_[QStringLiteral("scatter")], docks_[QStringLiteral("plate")]}, {column * 3 / 5, column * 2 / 5},
              Qt::Vertical);
  resizeDocks({docks_[QStringLiteral("dose_response")], docks_[QStringLiteral("site_viewer")]},
              {column / 2, column / 2}, Qt::Vertical);
}

void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  if (!sizedByUser_) {
    sizedByUser_ = true;  // once: later shows keep what the user made of it
    arrangeForSize();
  }
}

QDockWidget* MainWindow::addPanel(const QString& name, const QString& title, QWidget* panel, Qt::DockWidgetArea area) {
  auto* dock = new QDockWidget(title, this);
  dock->setObjectName(QStringLiteral("dock_") + name);
  if (qobject_cast<QOpenGLWidget*>(panel)) {
    dock->setWidget(panel);  // a GL surface does not belong in a scroll area
  } else {
    // A panel's own minimum (a form, a toolbar row) must not set the window's: on a small screen
    // the dock shrinks and its content scrolls, so the window fits 1366x768.
    auto* scroll = new QScrollArea(dock);
    scroll->setObjectName(QStringLiteral("scroll_") + name);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setWidget(panel);
    scroll->setMinimumSize(120, 60);
    dock->setWidget(scroll);
  }
  addDockWidget(area, dock);
  docks_[name] = dock;
  return dock;
}

QMap<QString, ExportableFigure*> MainWindow::figures() const {
  QMap<QString, ExportableFigure*> out{{QStringLiteral("scatter"), scatter_},
                                       {QStringLiteral("dose_response"), doseResponse_},
                                       {QStringLiteral("plate"), plate_},
                                       {QStringLiteral("site_viewer"), siteViewer_},
                                       {QStringLiteral("classification"), classification_},
                                       {QStringLiteral("generated"), generated_}};
  if (pointCloud_) out[QStringLiteral("point_cloud")] = pointCloud_;
  return out;
}

void MainWindow::buildMenus() {
  auto* file = menuBar()->addMenu(tr("&File"));
  auto add = [this](QMenu* menu, const QString& text, const QKeySequence& keys, auto slot) {
    auto* action = menu->addAction(text);
    action->setShortcut(keys);
    connect(action, &QAction::triggered, this, slot);
    return action;
  };
  add(file, tr("&Open store..."), QKeySequence::Open, [this] {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open embedding store"), {}, tr("AnnData stores (*.h5ad)"));
    if (!path.isEmpty()) openStore(path);
  });
  add(file, tr("&Embed a screen..."), QKeySequence(tr("Ctrl+Shift+E")), [this] {
    EmbedDialog dialog(workspace_->checkpoint(), this);
    if (dialog.exec() != QDialog::Accepted) return;
    workspace_->embedAndOpen(dialog.screenFolder().toStdString(), dialog.store().toStdString(), dialog.checkpoint(),
                             dialog.embedder());
  });
  add(file, tr("Run the &demo"), QKeySequence(tr("Ctrl+D")), [this] { startDemo(); });
  file->addSeparator();
  add(file, tr("Open &project..."), QKeySequence(tr("Ctrl+Shift+O")), [this] {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open project"), {}, tr("Workbench projects (*.gandl *.json)"));
    if (!path.isEmpty()) openProject(path);
  });
  add(file, tr("&Save project..."), QKeySequence::Save, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save project"), QStringLiteral("project.gandl"),
                                                      tr("Workbench projects (*.gandl)"));
    if (!path.isEmpty()) saveProject(path);
  });
  recentMenu_ = file->addMenu(tr("Recent projects"));
  rebuildRecentMenu();
  file->addSeparator();
  add(file, tr("Export &report..."), QKeySequence(tr("Ctrl+E")), [this] {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Report folder"));
    if (!folder.isEmpty()) exportReport(folder);
  });
  file->addSeparator();
  add(file, tr("&Quit"), QKeySequence::Quit, [this] { close(); });

  auto* edit = menuBar()->addMenu(tr("&Selection"));
  add(edit, tr("&Clear selection"), QKeySequence(Qt::Key_Escape), [this] { selection_->clear(); });
  auto* lasso = edit->addAction(tr("&Lasso mode in the scatter"));
  lasso->setShortcut(QKeySequence(tr("Ctrl+L")));
  lasso->setCheckable(true);
  connect(lasso, &QAction::toggled, this, [this](bool on) {
    for (auto* button : scatter_->findChildren<QToolButton*>())
      if (button->text() == tr("Lasso")) button->setChecked(on);
  });

  viewMenu_ = menuBar()->addMenu(tr("&View"));
  for (auto* dock : docks_) viewMenu_->addAction(dock->toggleViewAction());
  viewMenu_->addSeparator();
  auto* reset = add(viewMenu_, tr("&Reset layout"), QKeySequence(), [this] { resetLayout(); });
  reset->setObjectName(QStringLiteral("resetLayout"));

  // Which embedding drives the scatter, heatmap, dose-response and hit calls; the classification
  // panel shows every one of them side by side anyway.
  auto* analysisMenu = menuBar()->addMenu(tr("&Analysis"));
  embeddingMenu_ = analysisMenu->addMenu(tr("&Embedding"));
  embeddingMenu_->setObjectName(QStringLiteral("embeddingMenu"));
  embeddingMenu_->setEnabled(false);
  auto* plateaus = analysisMenu->addMenu(tr("4PL &plateaus"));
  auto* plateauGroup = new QActionGroup(plateaus);
  for (const auto& [label, value] : {std::pair{tr("&Anchored at the controls (+1 / -1)"), QStringLiteral("anchored")},
                                     std::pair{tr("&Free"), QStringLiteral("free")}}) {
    auto* action = plateaus->addAction(label);
    action->setCheckable(true);
    action->setData(value);
    action->setChecked(value == workspace_->settings().plateaus);
    plateauGroup->addAction(action);
    connect(action, &QAction::triggered, this, [this, value = value] { workspace_->setPlateaus(value); });
  }
  connect(workspace_, &Workspace::analysisChanged, plateaus, [this, plateauGroup] {
    for (auto* action : plateauGroup->actions())
      action->setChecked(action->data().toString() == workspace_->settings().plateaus);
  });

  auto* tasksMenu = menuBar()->addMenu(tr("&Tasks"));
  add(tasksMenu, tr("&Cancel all tasks"), QKeySequence(tr("Ctrl+.")), [this] { tasks_->cancelAll(); });

  auto* help = menuBar()->addMenu(tr("&Help"));
  add(help, tr("&About"), QKeySequence(), [this] { QMessageBox::about(this, tr("GAN-DL Workbench"), aboutText()); });
}

QString MainWindow::aboutText() const {
  return tr("<b>GAN-DL Workbench %1</b><p>Self-supervised image embeddings from a StyleGAN2 discriminator, "
            "linear SVM projections and dose-response, after Mascolini et al. 2022.</p><p>%2</p>"
            "<p>Models from %3. User guide: docs/user-guide.md.</p>")
      .arg(QCoreApplication::applicationVersion(), QString::fromStdString(model::runtimeSummary()).toHtmlEscaped(),
           QString::fromStdString(model::resourcesDirectory().string()).toHtmlEscaped());
}

void MainWindow::rebuildEmbeddingMenu() {
  embeddingMenu_->clear();
  const auto analysis = workspace_->analysis();
  const QStringList names = workspace_->embeddingNames();
  embeddingMenu_->setEnabled(analysis && names.size() > 1);
  auto* group = new QActionGroup(embeddingMenu_);
  for (const QString& name : names) {
    QString label = name;
    if (analysis) {
      const auto it = analysis->embeddingLabels.find(name.toStdString());
      if (it != analysis->embeddingLabels.end())
        label = QString::fromStdString(it->second) + QStringLiteral(" [") + name + ']';
    }
    auto* action = embeddingMenu_->addAction(label);
    action->setCheckable(true);
    action->setData(name);
    action->setChecked(analysis && name.toStdString() == analysis->embedding);
    group->addAction(action);
    connect(action, &QAction::triggered, this, [this, name] { workspace_->setPrimaryEmbedding(name); });
  }
}

void MainWindow::showAnalysis() {
  const auto analysis = workspace_->analysis();
  rebuildEmbeddingMenu();
  selection_->setAnalysis(analysis);
  browser_->setAnalysis(analysis);
  scatter_->setAnalysis(analysis);
  doseResponse_->setComparison(workspace_->comparison());
  doseResponse_->setPlateaus(workspace_->settings().plateaus);
  doseResponse_->setAnalysis(analysis);
  doseResponse_->setEmbeddings(workspace_->embeddingNames(),
                               analysis ? QString::fromStdString(analysis->embedding) : QString(),
                               workspace_->settings().compare);
  plate_->setAnalysis(analysis);
  siteViewer_->setScreen(workspace_->screen());
  siteViewer_->setAnalysis(analysis);
  gallery_->setScreen(workspace_->screen());
  gallery_->setAnalysis(analysis);
  classification_->setAnalysis(analysis);
  if (pointCloud_) pointCloud_->setAnalysis(analysis);
  const QString checkpoint = workspace_->checkpoint();
  if (checkpoint != QLatin1String("demo") && QFileInfo::exists(checkpoint)) {
    training_->setRunFolder(checkpoint);
    generated_->setRunDirectory(checkpoint);
  }
  setWindowTitle(tr("GAN-DL Workbench - %1").arg(QString::fromStdString(workspace_->storePath().filename().string())));
  // Something to look at straight away: the top hit and its first site.
  if (analysis && !analysis->compounds.empty()) {
    selection_->selectCompounds({0});
    selection_->selectSite(static_cast<int>(analysis->compounds.front().rows.front()));
    selection_->selectCompounds({0});
  }
  Q_EMIT analysisShown();
}

void MainWindow::showError(const QString& what, const QString& error) {
  ++errors_;
  lastError_ = what + QStringLiteral(": ") + error;
  activity_->log(QStringLiteral("error"), lastError_);
  // Non-modal: the window stays usable, and tests are not blocked by a dialog.
  auto* box =
      new QMessageBox(QMessageBox::Warning, tr("GAN-DL Workbench"), what + tr(" failed."), QMessageBox::Ok, this);
  box->setInformativeText(error);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->setModal(false);
  box->show();
}

void MainWindow::openStore(const QString& path) {
  if (!QFileInfo::exists(path)) {
    showError(tr("Opening %1").arg(path), tr("no such file"));
    return;
  }
  workspace_->openStore(path.toStdString());
}

void MainWindow::openScreenAndEmbed(const QString& screen, const QString& store) {
  if (!QFileInfo::exists(QDir(screen).filePath(QStringLiteral("metadata.csv")))) {
    showError(tr("Opening screen %1").arg(screen), tr("%1 is not a screen folder: it has no metadata.csv").arg(screen));
    return;
  }
  workspace_->embedAndOpen(screen.toStdString(), store.toStdString(), workspace_->checkpoint(),
                           QStringLiteral("gandl"));
}

void MainWindow::startDemo(const QString& dataDir) {
  activity_->log(QStringLiteral("info"), tr("starting the demo"));
  runDemo(*workspace_, demoPaths(dataDir));
}

Project MainWindow::currentProject() const {
  Project p;
  p.screen = QString::fromStdString(workspace_->screenPath().string());
  p.store = QString::fromStdString(workspace_->storePath().string());
  p.checkpoint = workspace_->checkpoint();
  p.analysis = workspace_->settings();
  for (auto it = docks_.begin(); it != docks_.end(); ++it)
    if (it.value()->isVisible()) p.openPanels << it.key();
  p.space = scatter_->spaceName();
  p.colourBy = colourByName(scatter_->colourBy());
  p.plate = std::max(0, selection_->plate());
  p.allPlates = plate_->allPlatesBox()->isChecked();
  p.windowState = saveState();
  return p;
}

bool MainWindow::openProject(const QString& path) {
  Project p;
  try {
    p = readProject(path);
  } catch (const std::exception& e) {
    showError(tr("Opening project %1").arg(path), QString::fromStdString(e.what()));
    return false;
  }
  const QStringList missing = p.missingPaths();
  if (!missing.isEmpty()) {
    showError(tr("Opening project %1").arg(path),
              tr("files named by the project are missing (moved?):\n%1").arg(missing.join(QLatin1Char('\n'))));
    return false;
  }
  workspace_->settings() = p.analysis;
  workspace_->setCheckpoint(p.checkpoint);
  if (!p.windowState.isEmpty()) restoreState(p.windowState);
  for (auto it = docks_.begin(); it != docks_.end(); ++it)
    if (!p.openPanels.isEmpty()) it.value()->setVisible(p.openPanels.contains(it.key()));
  for (auto by : {ColourBy::Condition, ColourBy::CellType, ColourBy::Dose, ColourBy::Plate})
    if (colourByName(by) == p.colourBy) scatter_->setColourBy(by);
  connect(
      this, &MainWindow::analysisShown, this,
      [this, space = p.space, plate = p.plate, allPlates = p.allPlates] {
        scatter_->setSpace(space);
        plate_->allPlatesBox()->setChecked(allPlates);
        if (plate >= 0 && plate < plate_->plateBox()->count()) plate_->plateBox()->setCurrentIndex(plate);
      },
      Qt::SingleShotConnection);
  if (!p.store.isEmpty()) workspace_->openStore(p.store.toStdString(), p.screen.toStdString());
  addRecent(path);
  return true;
}

void MainWindow::saveProject(const QString& path) {
  try {
    writeProject(currentProject(), path);
    addRecent(path);
    activity_->log(QStringLiteral("info"), tr("saved project %1").arg(path));
  } catch (const std::exception& e) {
    showError(tr("Saving project %1").arg(path), QString::fromStdString(e.what()));
  }
}

void MainWindow::addRecent(const QString& path) {
  QSettings settings;
  QStringList recent = settings.value(QStringLiteral("recentProjects")).toStringList();
  recent.removeAll(path);
  recent.prepend(QFileInfo(path).absoluteFilePath());
  while (recent.size() > kMaxRecent) recent.removeLast();
  settings.setValue(QStringLiteral("recentProjects"), recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  if (!recentMenu_) return;
  recentMenu_->clear();
  const QStringList recent = QSettings().value(QStringLiteral("recentProjects")).toStringList();
  for (const auto& path : recent)
    connect(recentMenu_->addAction(path), &QAction::triggered, this, [this, path] { openProject(path); });
  recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::exportReport(const QString& folder) {
  const auto analysis = workspace_->analysis();
  if (!analysis) {
    showError(tr("Exporting the report"), tr("nothing is analysed yet: open a store first"));
    return;
  }
  // Figures are painted here (widgets live on this thread; each takes milliseconds); core's
  // tables are written by a worker.
  QStringList written;
  try {
    const QString figures = QDir(folder).filePath(QStringLiteral("figures"));
    const auto all = this->figures();
    for (auto it = all.begin(); it != all.end(); ++it) written << exportFigureSet(*it.value(), figures, {0, 0, 150, 8});
    writeTextFile(QDir(folder).filePath(QStringLiteral("compounds.csv")), browser_->compoundCsv());
  } catch (const std::exception& e) {
    showError(tr("Exporting the report to %1").arg(folder), QString::fromStdString(e.what()));
    return;
  }
  auto* task = tasks_->start(
      tr("Export report to %1").arg(folder),
      [analysis, folder](const tasks::TaskContext&) { pipeline::writeAnalysisReport(*analysis, folder.toStdString()); },
      [this, folder, written] {
        activity_->log(QStringLiteral("info"),
                       tr("report written to %1 (%2 figure files)").arg(folder).arg(written.size()));
        Q_EMIT reportExported(folder);
      });
  connect(task, &BackgroundTask::failed, this,
          [this, folder](const QString& error) { showError(tr("Exporting the report to %1").arg(folder), error); });
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (tasks_->runningCount() > 0) {
    const auto answer = QMessageBox::question(this, tr("Tasks running"),
                                              tr("%1 task(s) are running. Cancel them and quit? Training and "
                                                 "embedding resume from where they stopped.")
                                                  .arg(tasks_->runningCount()));
    if (answer != QMessageBox::Yes) {
      event->ignore();
      return;
    }
  }
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState());
  tasks_->shutdown();
  event->accept();
}

}  // namespace gandl::ui
