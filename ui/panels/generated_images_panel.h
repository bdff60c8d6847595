#pragma once
// Generator samples of a run: the grids the trainer writes (samples/step-<N>.png, refreshed live
// while a run trains) and new grids drawn from the EMA generator at a chosen seed and truncation
// on a worker thread.

#include <QImage>
#include <QWidget>

#include "ui/figure_export.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace gandl::ui {

class ImageView;
class TaskManager;

class GeneratedImagesPanel : public QWidget, public ExportableFigure {
  Q_OBJECT

 public:
  GeneratedImagesPanel(TaskManager* tasks, QWidget* parent = nullptr);

  void setRunDirectory(const QString& path);
  QString runDirectory() const;
  QComboBox* stepBox() const { return steps_; }
  const QImage& shownImage() const;
  QString captionText() const;  // what was generated, or why generating failed

 public Q_SLOTS:
  // Rescans samples/ and shows the newest grid.
  void refresh();
  void generate();

 Q_SIGNALS:
  void generated();
  void failed(const QString& error);  // also shown in the caption

 public:
  QString figureName() const override { return QStringLiteral("generated_images"); }
  QSize figureSize() const override;
  void renderFigure(QCPPainter& painter, const QSize& size) override;
  std::string figureCsv() const override;

 private:
  TaskManager* tasks_;
  QLineEdit* run_;
  QComboBox* steps_;
  QSpinBox* seed_;
  QSpinBox* count_;
  QDoubleSpinBox* truncation_;
  QLabel* caption_;
  ImageView* view_;
};

}  // namespace gandl::ui
