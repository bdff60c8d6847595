#pragma once
// The compounds of an analysis as a table (one row per compound and cell type, in hit-rank
// order): rank, name, cell type, doses, EC50 with its 95% interval, Hill slope, R-squared of the
// fit, the F-test's p against a flat line, max efficacy, status (its reason as tooltip), sites.
// Qt::UserRole holds the sort key of every column (numbers sort as numbers, NaN last), so a
// QSortFilterProxyModel sorts and filters it; CompoundFilterModel adds a status filter.

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <memory>

namespace gandl::pipeline {
struct AnalysisResult;
}

namespace gandl::ui {

class CompoundTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    Rank,
    Name,
    CellType,
    Doses,
    Ec50,
    Ec50Interval,
    Hill,
    Plateaus,  // "+1 / -1" (anchored at the controls) or the fitted top / bottom
    RSquared,
    FTestP,
    MaxEfficacy,
    Status,
    Sites,
    ColumnCount
  };
  static constexpr int SortRole = Qt::UserRole;
  static constexpr int CompoundIndexRole = Qt::UserRole + 1;

  explicit CompoundTableModel(QObject* parent = nullptr);
  void setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis);
  const std::shared_ptr<const pipeline::AnalysisResult>& analysis() const { return analysis_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  std::shared_ptr<const pipeline::AnalysisResult> analysis_;
};

class CompoundFilterModel : public QSortFilterProxyModel {
  Q_OBJECT

 public:
  explicit CompoundFilterModel(QObject* parent = nullptr);
  // "" = every status.
  void setStatus(const QString& status);

 protected:
  bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

 private:
  QString status_;
};

}  // namespace gandl::ui
