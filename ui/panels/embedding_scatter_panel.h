#pragma once
// The embedding scatter: every site in the E2 or C2 space (On score across, Off score up),
// coloured by condition, cell type, dose or plate. Hover names the site, a click selects it, a
// lasso (Shift+drag, or the Lasso button) selects every site inside; the shared selection made
// elsewhere is highlighted here.

#include <QWidget>
#include <memory>

#include "ui/figure_export.h"
#include "ui/site_colouring.h"

class QComboBox;
class QLabel;
class QToolButton;

namespace gandl::pipeline {
struct AnalysisResult;
}

namespace gandl::ui {

class ScatterCanvas;
class SelectionModel;

class EmbeddingScatterPanel : public QWidget, public ExportableFigure {
  Q_OBJECT

 public:
  EmbeddingScatterPanel(SelectionModel* selection, QWidget* parent = nullptr);
  void setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis);

  ScatterCanvas* canvas() const { return canvas_; }
  QComboBox* spaceBox() const { return space_; }
  QComboBox* colourBox() const { return colour_; }
  QString spaceName() const;
  void setColourBy(ColourBy by);
  ColourBy colourBy() const;
  void setSpace(const QString& name);

  QString figureName() const override;
  QSize figureSize() const override { return {1000, 750}; }
  void renderFigure(QCPPainter& painter, const QSize& size) override;
  std::string figureCsv() const override;

 private:
  void rebuildPoints();
  void recolour();

  SelectionModel* selection_;
  std::shared_ptr<const pipeline::AnalysisResult> analysis_;
  ScatterCanvas* canvas_;
  QComboBox* space_;
  QComboBox* colour_;
  QToolButton* lasso_;
  QLabel* status_;
  SiteColouring colouring_;
};

}  // namespace gandl::ui
