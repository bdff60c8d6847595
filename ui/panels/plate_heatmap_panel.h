#pragma once
// One plate as a grid of wells coloured by a per-well value (mean E2 On score, or sites per
// well), C+ and C- wells marked, wells without sites drawn as missing (hatched), the plate's Z'
// shown. The grid spans from row A / column 1 to the plate's last row and column (rounded up to
// 96, 384 or 1536 wells), so plates that do not start at A01 or use two-letter rows draw right.
// Clicking a well selects it everywhere.

#include <QWidget>
#include <memory>

#include "ui/figure_export.h"

class QComboBox;
class QLabel;

namespace gandl::pipeline {
struct AnalysisResult;
}

namespace gandl::ui {

class SelectionModel;
class PlateGrid;

class PlateHeatmapPanel : public QWidget, public ExportableFigure {
  Q_OBJECT

 public:
  PlateHeatmapPanel(SelectionModel* selection, QWidget* parent = nullptr);
  void setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis);

  QComboBox* plateBox() const { return plate_; }
  PlateGrid* grid() const { return grid_; }
  QString zPrimeText() const;

  QString figureName() const override { return QStringLiteral("plate_heatmap"); }
  QSize figureSize() const override { return {900, 620}; }
  void renderFigure(QCPPainter& painter, const QSize& size) override;
  std::string figureCsv() const override;

 private:
  void showPlate(int plate);

  SelectionModel* selection_;
  std::shared_ptr<const pipeline::AnalysisResult> analysis_;
  QComboBox* plate_;
  QComboBox* value_;
  QLabel* zPrime_;
  PlateGrid* grid_;
};

// The painted grid (separate so tests can click wells through wellCentre()).
class PlateGrid : public QWidget {
  Q_OBJECT

 public:
  struct Well {
    QString wellId, name;
    int row = 0, column = 0;
    int sites = 0;
    double value = 0.0;
    int control = 0;  // +1 C+, -1 C-, 0 otherwise
    bool selected = false;
  };
  explicit PlateGrid(QWidget* parent = nullptr);
  void setPlate(QVector<Well> wells, int rows, int columns, bool valueIsScore, QString title);
  void setSelectedWells(const QSet<QString>& wellIds);
  QPointF wellCentre(int row, int column) const;
  const QVector<Well>& wells() const { return wells_; }
  void paintGrid(QPainter& painter, const QRect& area) const;

 Q_SIGNALS:
  void wellClicked(const QString& wellId);

 protected:
  void paintEvent(QPaintEvent*) override;
  void mouseReleaseEvent(QMouseEvent* event) override;

 private:
  QRectF cellRect(const QRect& area, int row, int column) const;
  QVector<Well> wells_;
  int rows_ = 8, columns_ = 12;
  bool valueIsScore_ = true;
  double maxValue_ = 1.0;
  QString title_;
};

}  // namespace gandl::ui
