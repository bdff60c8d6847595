#pragma once
// The screen browser: the experiment / plate / well / site tree above the compound table (sort by
// any column, filter by name and status). Picking a site, well or plate in the tree, or compounds
// in the table, drives the shared selection; the selection made elsewhere is shown here.

#include <QWidget>
#include <memory>

#include "ui/figure_export.h"

class QComboBox;
class QLineEdit;
class QTableView;
class QTreeView;

namespace gandl::pipeline {
struct AnalysisResult;
}

namespace gandl::ui {

class CompoundFilterModel;
class CompoundTableModel;
class ScreenTreeModel;
class SelectionModel;

class ScreenBrowserPanel : public QWidget {
  Q_OBJECT

 public:
  ScreenBrowserPanel(SelectionModel* selection, QWidget* parent = nullptr);
  void setAnalysis(std::shared_ptr<const pipeline::AnalysisResult> analysis);

  QTreeView* tree() const { return tree_; }
  QTableView* compoundTable() const { return table_; }
  QLineEdit* filterEdit() const { return filter_; }
  CompoundFilterModel* compoundProxy() const { return proxy_; }
  std::string compoundCsv() const;

 private:
  void showCurrentSite(int row);
  void showCompounds();
  void onTreeSelection();
  void onTableSelection();

  SelectionModel* selection_;
  ScreenTreeModel* treeModel_;
  CompoundTableModel* compounds_;
  CompoundFilterModel* proxy_;
  QTreeView* tree_;
  QTableView* table_;
  QLineEdit* filter_;
  QComboBox* status_;
  bool updating_ = false;
};

}  // namespace gandl::ui
