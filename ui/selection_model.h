#pragma once
// The one selection every panel shares. A site, a well, a plate, a set of compounds or a lasso of
// store rows picked in any panel lands here, and every panel redraws from here. Rows are store rows
// (indices into AnalysisResult::sites). Setters emit only when something changed, so a panel that
// echoes a change back into the model does not loop.

#include <QObject>
#include <QString>
#include <memory>
#include <vector>

namespace gandl::pipeline {
struct AnalysisResult;
}

namespace gandl::ui {

class SelectionModel : public QObject {
  Q_OBJECT

 public:
  explicit SelectionModel(QObject* parent = nullptr);

  // The analysis whose rows, wells and compounds the selection refers to; clears the selection.
  void setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis);
  const pipeline::AnalysisResult* analysis() const { return analysis_.get(); }

  const std::vector<std::size_t>& rows() const { return rows_; }  // ascending, unique
  bool isSelected(std::size_t row) const;
  int currentRow() const { return currentRow_; }                    // the site shown; -1 = none
  const std::vector<int>& compounds() const { return compounds_; }  // indices into compounds
  int plate() const { return plate_; }                              // index into plateNames; -1
  const QString& well() const { return well_; }                     // well_id; empty = none

 public Q_SLOTS:
  // One site: current row, its well and plate; rows = {row}.
  void selectSite(int row);
  // Several rows (a lasso, a tree range); the current row becomes the first of them.
  void selectRows(std::vector<std::size_t> rows);
  // Compounds (indices into AnalysisResult::compounds); rows = all their sites.
  void selectCompounds(std::vector<int> compounds);
  // Shows one of the selected rows (the site viewer follows) without changing the selection.
  void showSelectedSite(int row);
  void selectPlate(int plate);
  // Every site of a well of a plate.
  void selectWell(int plate, const QString& wellId);
  void clear();

 Q_SIGNALS:
  void rowsChanged();
  void currentRowChanged(int row);
  void compoundsChanged();
  void plateChanged(int plate);
  void wellChanged(const QString& wellId);

 private:
  void setRows(std::vector<std::size_t> rows);
  void setCurrentRow(int row);
  void setPlate(int plate);
  void setWell(const QString& well);

  std::shared_ptr<const pipeline::AnalysisResult> analysis_;
  std::vector<std::size_t> rows_;
  std::vector<char> mask_;
  int currentRow_ = -1;
  std::vector<int> compounds_;
  int plate_ = -1;
  QString well_;
};

}  // namespace gandl::ui
