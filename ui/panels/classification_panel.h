#pragma once
// The held-out classification results: the Table-1-style accuracy table (task, subset,
// embedding, wells, accuracy, balanced accuracy, C) and the confusion matrix of the chosen task
// in counts and row percentages, shaded by the fraction.

#include <QWidget>
#include <memory>

#include "ui/figure_export.h"

class QComboBox;
class QTableWidget;

namespace gandl::pipeline {
struct AnalysisResult;
}

namespace gandl::ui {

class ClassificationPanel : public QWidget, public ExportableFigure {
  Q_OBJECT

 public:
  explicit ClassificationPanel(QWidget* parent = nullptr);
  void setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis);

  QTableWidget* accuracyTable() const { return accuracy_; }
  QTableWidget* confusionTable() const { return confusion_; }
  QComboBox* taskBox() const { return task_; }

  QString figureName() const override { return QStringLiteral("confusion_matrix"); }
  QSize figureSize() const override { return {700, 420}; }
  void renderFigure(QCPPainter& painter, const QSize& size) override;
  std::string figureCsv() const override;

 Q_SIGNALS:
  // The user double-clicked a row: that row's embedding ("X" or an /obsm name) should drive the
  // scatter, the heatmap and the dose-response panel (Analysis > Embedding does the same).
  void embeddingRequested(const QString& embedding);

 private:
  void showConfusion(int index);

  std::shared_ptr<const pipeline::AnalysisResult> analysis_;
  QTableWidget* accuracy_;
  QTableWidget* confusion_;
  QComboBox* task_;
  QComboBox* mode_;
};

}  // namespace gandl::ui
