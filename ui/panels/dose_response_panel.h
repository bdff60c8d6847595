#pragma once
// Dose-response of the selected compounds (overlaid, one colour each) on the E2 On score: every
// site's score at its dose (jittered on the log axis so replicates do not hide each other), the
// mean +- SEM per dose, the fitted 4PL curve, the EC50 with its 95% interval, and the control
// bands (C+ near +1, C- near -1: mean +- sd of the cell type's control sites).
// "Compare with" overlays the same compounds analysed on a second embedding of the store (hollow
// markers, dashed curve, same colour): both are On scores on their own C-/C+ axis, so the curves
// share the y scale.

#include <QRect>
#include <QWidget>
#include <memory>

#include "ui/figure_export.h"

class QComboBox;
class QCustomPlot;
class QLabel;

namespace gandl::pipeline {
struct AnalysisResult;
}

namespace gandl::ui {

class SelectionModel;

class DoseResponsePanel : public QWidget, public ExportableFigure {
  Q_OBJECT

 public:
  DoseResponsePanel(SelectionModel* selection, QWidget* parent = nullptr);
  void setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis);
  // The store's embeddings offered in "Compare with" and the one chosen ("" = none).
  void setEmbeddings(const QStringList& names, const QString& primary, const QString& chosen);
  void setComparison(std::shared_ptr<const pipeline::AnalysisResult> comparison);
  QComboBox* compareBox() const { return compare_; }
  // The 4PL plateaus the analysis uses: "anchored" (to the controls, +1 / -1) or "free".
  void setPlateaus(const QString& plateaus);
  QComboBox* plateausBox() const { return plateaus_; }

  QCustomPlot* plot() const { return plot_; }
  // The compound names (with cell type) currently drawn.
  QStringList shownCompounds() const { return shown_; }
  // Of those, the ones drawn for the comparison embedding too.
  QStringList comparedCompounds() const { return compared_; }

  QString figureName() const override { return QStringLiteral("dose_response"); }
  QSize figureSize() const override { return {900, 600}; }
  void renderFigure(QCPPainter& painter, const QSize& size) override;
  std::string figureCsv() const override;
  // The axis rectangle of the last exported figure, in figure coordinates (points).
  QRect lastFigureAxes() const { return lastFigureAxes_; }

 Q_SIGNALS:
  // The user chose another comparison embedding ("" = none).
  void comparisonRequested(const QString& embedding);
  // The user chose other plateaus ("anchored" or "free"): the analysis must be run again.
  void plateausRequested(const QString& plateaus);

 private:
  void redraw();

  SelectionModel* selection_;
  std::shared_ptr<const pipeline::AnalysisResult> analysis_, comparison_;
  QCustomPlot* plot_;
  QLabel* summary_;
  QComboBox* compare_;
  QComboBox* plateaus_;
  QStringList shown_, compared_;
  QRect lastFigureAxes_;
};

}  // namespace gandl::ui
