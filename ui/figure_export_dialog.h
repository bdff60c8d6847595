#pragma once
// The export dialog of every figure: format, size on the page (mm or inches, journal column
// presets), raster resolution and text size, as in Prism's export dialog. The last choices are
// remembered per user (QSettings); the file is written atomically by exportFigure().

#include <QDialog>

#include "ui/figure_export.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace gandl::ui {

class FigureExportDialog : public QDialog {
  Q_OBJECT

 public:
  FigureExportDialog(ExportableFigure& figure, QWidget* parent = nullptr);

  FigureExportSettings settings() const;  // sizes always in mm
  void setSettings(const FigureExportSettings& settings);
  FigureFormat format() const;
  void setFormat(FigureFormat format);  // Png, Svg or Pdf
  QString path() const;
  void setPath(const QString& path);
  // What the chosen settings give, e.g. "89 x 59 mm, 1051 x 697 px at 300 dpi, text 8 pt".
  QString summary() const;

  // Writes the figure with the current choices; false (and lastError()) when it could not.
  bool exportNow();
  QString lastError() const { return error_; }

  void accept() override;

 private:
  void presetChosen(int index);
  void widthChanged();
  void heightChanged();
  void formatChanged();
  void updateSummary();
  double toMm(double value) const;
  double fromMm(double mm) const;
  void browse();

  ExportableFigure& figure_;
  QComboBox* format_;
  QComboBox* preset_;
  QDoubleSpinBox* width_;
  QDoubleSpinBox* height_;
  QComboBox* unit_;
  QCheckBox* keepAspect_;
  QSpinBox* dpi_;
  QDoubleSpinBox* font_;
  QLineEdit* path_;
  QLabel* summary_;
  double aspect_ = 1.5;  // width / height of the figure
  int shownUnit_ = 0;    // the unit the size boxes hold: 0 mm, 1 inches
  QString error_;
};

}  // namespace gandl::ui
