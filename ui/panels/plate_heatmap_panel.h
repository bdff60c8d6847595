#pragma once
// One plate as a grid of wells coloured by a per-well value (mean E2 On score, or sites per
// well), C+ and C- wells marked, wells without sites drawn as missing (hatched), the plate's Z'
// shown. The grid spans from row A / column 1 to the plate's last row and column (rounded up to
// 96, 384 or 1536 wells), so plates that do not start at A01 or use two-letter rows draw right.
// "All plates" draws every plate of the screen as small multiples on one colour scale (RxRx19a
// has 52 plates per cell type: edge effects and bad plates show at a glance). Clicking a well
// selects it everywhere.

#include <QHash>
#include <QSet>
#include <QVector>
#include <QWidget>
#include <memory>

#include "ui/figure_export.h"

class QCheckBox;
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
  QCheckBox* allPlatesBox() const { return allPlates_; }
  QComboBox* valueBox() const { return value_; }
  PlateGrid* grid() const { return grid_; }
  QString zPrimeText() const;

  QString figureName() const override { return QStringLiteral("plate_heatmap"); }
  QSize figureSize() const override { return {900, 620}; }
  void renderFigure(QCPPainter& painter, const QSize& size) override;
  std::string figureCsv() const override;

 private:
  void showPlate(int plate);
  void updateSelection();

  SelectionModel* selection_;
  std::shared_ptr<const pipeline::AnalysisResult> analysis_;
  QComboBox* plate_;
  QCheckBox* allPlates_;
  QComboBox* value_;
  QLabel* zPrime_;
  PlateGrid* grid_;
};

// The painted grid of one plate, or of several as small multiples (separate so tests can click
// wells through wellCentre()).
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
  struct Plate {
    int index = 0;  // into the analysis' plate list
    QString title;
    int rows = 8, columns = 12;
    QVector<Well> wells;
  };
  explicit PlateGrid(QWidget* parent = nullptr);
  void setPlates(QVector<Plate> plates, bool valueIsScore, QString title);
  // wellIds per plate index.
  void setSelectedWells(const QHash<int, QSet<QString>>& wellIds);
  // Centre of a well of the `slot`-th plate drawn.
  QPointF wellCentre(int row, int column, int slot = 0) const;
  const QVector<Plate>& plates() const { return plates_; }
  // The wells of the first plate drawn (the only one outside the all-plates view).
  const QVector<Well>& wells() const;
  void paintGrid(QPainter& painter, const QRect& area) const;
  // What the tooltip says at `position` (plate, well, value, sites, control; a hatched well has
  // no site in the store); "" outside every well.
  QString wellTextAt(const QPointF& position) const;

 Q_SIGNALS:
  void wellClicked(int plate, const QString& wellId);

 protected:
  bool event(QEvent* event) override;
  void paintEvent(QPaintEvent*) override;
  void mouseReleaseEvent(QMouseEvent* event) override;

 private:
  QRect tileRect(const QRect& area, int slot) const;
  QRectF cellRect(const QRect& tile, const Plate& plate, int row, int column) const;
  void paintPlate(QPainter& painter, const QRect& tile, const Plate& plate) const;
  bool compact() const { return plates_.size() > 1; }
  QVector<Plate> plates_;
  bool valueIsScore_ = true;
  double maxValue_ = 1.0;
  QString title_;
};

}  // namespace gandl::ui
