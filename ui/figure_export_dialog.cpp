#include "ui/figure_export_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>

namespace gandl::ui {

namespace {

constexpr double kMmPerInch = 25.4;

// Journal figure widths (Nature, Cell Press, Elsevier: single column about 85-90 mm, double about
// 175-183 mm).
struct Preset {
  const char* label;
  double width_mm;  // 0: the figure's natural size; < 0: custom
};
constexpr Preset kPresets[] = {{QT_TRANSLATE_NOOP("FigureExportDialog", "Natural size"), 0},
                               {QT_TRANSLATE_NOOP("FigureExportDialog", "Single column (89 mm)"), 89},
                               {QT_TRANSLATE_NOOP("FigureExportDialog", "1.5 columns (120 mm)"), 120},
                               {QT_TRANSLATE_NOOP("FigureExportDialog", "Double column (183 mm)"), 183},
                               {QT_TRANSLATE_NOOP("FigureExportDialog", "Custom"), -1}};
constexpr int kCustom = 4;

QString suffixOf(FigureFormat format) {
  switch (format) {
    case FigureFormat::Svg:
      return QStringLiteral("svg");
    case FigureFormat::Pdf:
      return QStringLiteral("pdf");
    default:
      return QStringLiteral("png");
  }
}

}  // namespace

FigureExportDialog::FigureExportDialog(ExportableFigure& figure, QWidget* parent) : QDialog(parent), figure_(figure) {
  setWindowTitle(tr("Export figure"));
  setObjectName(QStringLiteral("figureExportDialog"));
  const QSizeF natural = figurePageSize(figure, {});
  aspect_ = natural.height() > 0 ? natural.width() / natural.height() : 1.5;

  format_ = new QComboBox(this);
  format_->setObjectName(QStringLiteral("format"));
  format_->addItem(tr("PNG (raster)"), static_cast<int>(FigureFormat::Png));
  format_->addItem(tr("SVG (vector)"), static_cast<int>(FigureFormat::Svg));
  format_->addItem(tr("PDF (vector)"), static_cast<int>(FigureFormat::Pdf));

  preset_ = new QComboBox(this);
  preset_->setObjectName(QStringLiteral("preset"));
  for (const auto& p : kPresets) preset_->addItem(tr(p.label));

  width_ = new QDoubleSpinBox(this);
  height_ = new QDoubleSpinBox(this);
  width_->setObjectName(QStringLiteral("width"));
  height_->setObjectName(QStringLiteral("height"));
  for (auto* box : {width_, height_}) {
    box->setDecimals(2);
    box->setRange(0.5, 2000);  // mm or inches
    box->setKeyboardTracking(false);
  }
  unit_ = new QComboBox(this);
  unit_->setObjectName(QStringLiteral("unit"));
  unit_->addItem(tr("mm"));
  unit_->addItem(tr("inches"));
  keepAspect_ = new QCheckBox(tr("Keep the figure's proportions"), this);
  keepAspect_->setChecked(true);
  dpi_ = new QSpinBox(this);
  dpi_->setObjectName(QStringLiteral("dpi"));
  dpi_->setRange(72, 2400);
  dpi_->setSingleStep(50);
  dpi_->setSuffix(tr(" dpi"));
  font_ = new QDoubleSpinBox(this);
  font_->setObjectName(QStringLiteral("fontSize"));
  font_->setRange(4, 36);
  font_->setDecimals(1);
  font_->setSingleStep(0.5);
  font_->setSuffix(tr(" pt"));
  path_ = new QLineEdit(this);
  path_->setObjectName(QStringLiteral("path"));
  auto* browseButton = new QPushButton(tr("Browse..."), this);
  summary_ = new QLabel(this);
  summary_->setObjectName(QStringLiteral("summary"));

  auto* sizeRow = new QHBoxLayout;
  sizeRow->addWidget(width_);
  sizeRow->addWidget(new QLabel(QStringLiteral("x"), this));
  sizeRow->addWidget(height_);
  sizeRow->addWidget(unit_);
  auto* pathRow = new QHBoxLayout;
  pathRow->addWidget(path_, 1);
  pathRow->addWidget(browseButton);
  auto* form = new QFormLayout;
  form->addRow(tr("Format"), format_);
  form->addRow(tr("Size"), preset_);
  form->addRow(QString(), sizeRow);
  form->addRow(QString(), keepAspect_);
  form->addRow(tr("Resolution"), dpi_);
  form->addRow(tr("Text"), font_);
  form->addRow(tr("File"), pathRow);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(summary_);
  layout->addWidget(buttons);

  // The last choices, or a journal's single column at 300 dpi with 8 pt text.
  QSettings stored;
  stored.beginGroup(QStringLiteral("figureExport"));
  FigureExportSettings initial;
  initial.width_mm = stored.value(QStringLiteral("width_mm"), 89.0).toDouble();
  initial.height_mm = initial.width_mm / aspect_;  // each figure keeps its own proportions
  initial.dpi = stored.value(QStringLiteral("dpi"), 300).toInt();
  initial.font_pt = stored.value(QStringLiteral("font_pt"), 8.0).toDouble();
  unit_->setCurrentIndex(stored.value(QStringLiteral("unit"), 0).toInt() == 1 ? 1 : 0);
  shownUnit_ = unit_->currentIndex();
  const auto format = static_cast<FigureFormat>(stored.value(QStringLiteral("format"), 0).toInt());
  const QString folder = stored.value(QStringLiteral("folder"), QDir::homePath()).toString();
  stored.endGroup();
  setSettings(initial);
  setFormat(format == FigureFormat::Svg || format == FigureFormat::Pdf ? format : FigureFormat::Png);
  path_->setText(QDir(folder).filePath(figure.figureName() + QLatin1Char('.') + suffixOf(this->format())));

  connect(format_, &QComboBox::currentIndexChanged, this, &FigureExportDialog::formatChanged);
  connect(preset_, &QComboBox::activated, this, &FigureExportDialog::presetChosen);
  connect(width_, &QDoubleSpinBox::valueChanged, this, &FigureExportDialog::widthChanged);
  connect(height_, &QDoubleSpinBox::valueChanged, this, &FigureExportDialog::heightChanged);
  connect(unit_, &QComboBox::currentIndexChanged, this, [this](int index) {
    // The size on the page stays; only its unit changes (the boxes still hold the old unit).
    const double old = shownUnit_ == 1 ? kMmPerInch : 1.0;
    shownUnit_ = index;
    const double widthMm = width_->value() * old, heightMm = height_->value() * old;
    const QSignalBlocker a(width_), b(height_);
    width_->setValue(fromMm(widthMm));
    height_->setValue(fromMm(heightMm));
    updateSummary();
  });
  connect(dpi_, &QSpinBox::valueChanged, this, &FigureExportDialog::updateSummary);
  connect(font_, &QDoubleSpinBox::valueChanged, this, &FigureExportDialog::updateSummary);
  connect(browseButton, &QPushButton::clicked, this, &FigureExportDialog::browse);
  connect(buttons, &QDialogButtonBox::accepted, this, &FigureExportDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &FigureExportDialog::reject);
  updateSummary();
}

double FigureExportDialog::toMm(double value) const { return unit_->currentIndex() == 1 ? value * kMmPerInch : value; }
double FigureExportDialog::fromMm(double mm) const { return unit_->currentIndex() == 1 ? mm / kMmPerInch : mm; }

FigureExportSettings FigureExportDialog::settings() const {
  FigureExportSettings s;
  s.width_mm = toMm(width_->value());
  s.height_mm = toMm(height_->value());
  s.dpi = dpi_->value();
  s.font_pt = font_->value();
  return s;
}

void FigureExportDialog::setSettings(const FigureExportSettings& settings) {
  const QSizeF natural = figurePageSize(figure_, {});
  const double widthMm = settings.width_mm > 0 ? settings.width_mm : natural.width() / 72.0 * kMmPerInch;
  const double heightMm = settings.height_mm > 0 ? settings.height_mm : natural.height() / 72.0 * kMmPerInch;
  {
    const QSignalBlocker a(width_), b(height_);
    width_->setValue(fromMm(widthMm));
    height_->setValue(fromMm(heightMm));
  }
  dpi_->setValue(settings.dpi);
  font_->setValue(settings.font_pt);
  int preset = kCustom;
  for (int i = 0; i < kCustom; ++i) {
    const double presetWidth = kPresets[i].width_mm > 0 ? kPresets[i].width_mm : natural.width() / 72.0 * kMmPerInch;
    if (std::abs(presetWidth - widthMm) < 0.05 && std::abs(widthMm / heightMm - aspect_) < 0.01) preset = i;
  }
  preset_->setCurrentIndex(preset);
  updateSummary();
}

FigureFormat FigureExportDialog::format() const { return static_cast<FigureFormat>(format_->currentData().toInt()); }

void FigureExportDialog::setFormat(FigureFormat format) {
  const int index = format_->findData(static_cast<int>(format));
  if (index >= 0) format_->setCurrentIndex(index);
  formatChanged();
}

QString FigureExportDialog::path() const { return path_->text(); }
void FigureExportDialog::setPath(const QString& path) { path_->setText(path); }

void FigureExportDialog::presetChosen(int index) {
  if (index < 0 || index >= kCustom) return;
  const QSizeF natural = figurePageSize(figure_, {});
  const double widthMm = kPresets[index].width_mm > 0 ? kPresets[index].width_mm : natural.width() / 72.0 * kMmPerInch;
  const QSignalBlocker a(width_), b(height_);
  width_->setValue(fromMm(widthMm));
  height_->setValue(fromMm(widthMm / aspect_));
  updateSummary();
}

void FigureExportDialog::widthChanged() {
  if (keepAspect_->isChecked()) {
    const QSignalBlocker b(height_);
    height_->setValue(width_->value() / aspect_);
  }
  preset_->setCurrentIndex(kCustom);
  updateSummary();
}

void FigureExportDialog::heightChanged() {
  if (keepAspect_->isChecked()) {
    const QSignalBlocker a(width_);
    width_->setValue(height_->value() * aspect_);
  }
  preset_->setCurrentIndex(kCustom);
  updateSummary();
}

void FigureExportDialog::formatChanged() {
  dpi_->setEnabled(format() == FigureFormat::Png);
  // The file name follows the format.
  const QFileInfo info(path_->text());
  if (!path_->text().isEmpty())
    path_->setText(info.dir().filePath(info.completeBaseName() + QLatin1Char('.') + suffixOf(format())));
  updateSummary();
}

QString FigureExportDialog::summary() const {
  const FigureExportSettings s = settings();
  QString text = tr("%1 x %2 mm").arg(s.width_mm, 0, 'f', 0).arg(s.height_mm, 0, 'f', 0);
  if (format() == FigureFormat::Png)
    text += tr(", %1 x %2 px at %3 dpi")
                .arg(qRound(s.width_mm / kMmPerInch * s.dpi))
                .arg(qRound(s.height_mm / kMmPerInch * s.dpi))
                .arg(s.dpi);
  else
    text += tr(", vector");
  return text + tr(", text %1 pt").arg(s.font_pt, 0, 'g', 3);
}

void FigureExportDialog::updateSummary() { summary_->setText(summary()); }

void FigureExportDialog::browse() {
  const QString suffix = suffixOf(format());
  const QString chosen = QFileDialog::getSaveFileName(this, tr("Export figure"), path_->text(),
                                                      suffix.toUpper() + QStringLiteral(" (*.") + suffix + ')');
  if (!chosen.isEmpty()) path_->setText(chosen);
}

bool FigureExportDialog::exportNow() {
  error_.clear();
  QString target = path_->text().trimmed();
  if (target.isEmpty()) {
    error_ = tr("Choose a file to write.");
    return false;
  }
  const QString suffix = QFileInfo(target).suffix().toLower();
  if (suffix.isEmpty()) {
    target += QLatin1Char('.') + suffixOf(format());
  } else if ((suffix == QLatin1String("png") || suffix == QLatin1String("svg") || suffix == QLatin1String("pdf")) &&
             suffix != suffixOf(format())) {
    error_ = tr("%1 ends in .%2 but the format is %3.").arg(target, suffix, suffixOf(format()).toUpper());
    return false;
  }
  try {
    exportFigure(figure_, target, format(), settings());
  } catch (const std::exception& e) {
    error_ = QString::fromStdString(e.what());
    return false;
  }
  QSettings stored;
  stored.beginGroup(QStringLiteral("figureExport"));
  const FigureExportSettings s = settings();
  stored.setValue(QStringLiteral("width_mm"), s.width_mm);
  stored.setValue(QStringLiteral("dpi"), s.dpi);
  stored.setValue(QStringLiteral("font_pt"), s.font_pt);
  stored.setValue(QStringLiteral("unit"), unit_->currentIndex());
  stored.setValue(QStringLiteral("format"), static_cast<int>(format()));
  stored.setValue(QStringLiteral("folder"), QFileInfo(target).absolutePath());
  stored.endGroup();
  return true;
}

void FigureExportDialog::accept() {
  if (exportNow()) {
    QDialog::accept();
    return;
  }
  QMessageBox::warning(this, tr("Export failed"), error_);
}

}  // namespace gandl::ui
