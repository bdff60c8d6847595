#include "ui/selection_model.h"

#include <algorithm>

#include "core/pipeline/analyze_task.h"

namespace gandl::ui {

SelectionModel::SelectionModel(QObject* parent) : QObject(parent) {}

void SelectionModel::setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis) {
  analysis_ = std::move(analysis);
  mask_.assign(analysis_ ? analysis_->sites.size() : 0, 0);
  rows_.clear();
  compounds_.clear();
  currentRow_ = -1;
  plate_ = -1;
  well_.clear();
  Q_EMIT rowsChanged();
  Q_EMIT currentRowChanged(-1);
  Q_EMIT compoundsChanged();
  Q_EMIT plateChanged(-1);
  Q_EMIT wellChanged({});
}

bool SelectionModel::isSelected(std::size_t row) const { return row < mask_.size() && mask_[row]; }

void SelectionModel::setRows(std::vector<std::size_t> rows) {
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  const std::size_t n = mask_.size();
  rows.erase(std::remove_if(rows.begin(), rows.end(), [n](std::size_t r) { return r >= n; }), rows.end());
  if (rows == rows_) return;
  for (auto r : rows_) mask_[r] = 0;
  rows_ = std::move(rows);
  for (auto r : rows_) mask_[r] = 1;
  Q_EMIT rowsChanged();
}

void SelectionModel::setCurrentRow(int row) {
  if (!analysis_ || row >= static_cast<int>(analysis_->sites.size())) row = -1;
  if (row == currentRow_) return;
  currentRow_ = row;
  Q_EMIT currentRowChanged(row);
}

void SelectionModel::setPlate(int plate) {
  if (plate == plate_) return;
  plate_ = plate;
  Q_EMIT plateChanged(plate);
}

void SelectionModel::setWell(const QString& well) {
  if (well == well_) return;
  well_ = well;
  Q_EMIT wellChanged(well);
}

void SelectionModel::selectSite(int row) {
  if (!analysis_ || row < 0 || row >= static_cast<int>(analysis_->sites.size())) return;
  const auto& sites = analysis_->sites;
  setPlate(sites.plateOfRow[row]);
  setWell(QString::fromStdString(sites.wellId[row]));
  setRows({static_cast<std::size_t>(row)});
  setCurrentRow(row);
}

void SelectionModel::showSelectedSite(int row) {
  if (row < 0 || !isSelected(static_cast<std::size_t>(row))) return;
  setCurrentRow(row);
}

void SelectionModel::selectRows(std::vector<std::size_t> rows) {
  setRows(std::move(rows));
  if (rows_.empty())
    setCurrentRow(-1);
  else if (currentRow_ < 0 || !mask_[currentRow_])
    setCurrentRow(static_cast<int>(rows_.front()));
}

void SelectionModel::selectCompounds(std::vector<int> compounds) {
  if (!analysis_) return;
  const int n = static_cast<int>(analysis_->compounds.size());
  compounds.erase(std::remove_if(compounds.begin(), compounds.end(), [n](int c) { return c < 0 || c >= n; }),
                  compounds.end());
  if (compounds != compounds_) {
    compounds_ = compounds;
    Q_EMIT compoundsChanged();
  }
  std::vector<std::size_t> rows;
  for (int c : compounds_) {
    const auto& r = analysis_->compounds[c].rows;
    rows.insert(rows.end(), r.begin(), r.end());
  }
  setRows(std::move(rows));
}

void SelectionModel::selectPlate(int plate) {
  if (!analysis_ || plate < -1 || plate >= static_cast<int>(analysis_->sites.plateNames.size())) return;
  setPlate(plate);
}

void SelectionModel::selectWell(int plate, const QString& wellId) {
  if (!analysis_) return;
  setPlate(plate);
  setWell(wellId);
  const auto id = wellId.toStdString();
  const auto& sites = analysis_->sites;
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < sites.size(); ++r)
    if (sites.plateOfRow[r] == plate && sites.wellId[r] == id) rows.push_back(r);
  setRows(rows);
  setCurrentRow(rows.empty() ? -1 : static_cast<int>(rows.front()));
}

void SelectionModel::clear() {
  setRows({});
  setCurrentRow(-1);
  if (!compounds_.empty()) {
    compounds_.clear();
    Q_EMIT compoundsChanged();
  }
  setWell({});
}

}  // namespace gandl::ui
