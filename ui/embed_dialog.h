#pragma once
// File > Embed a screen: the screen folder (checked as soon as it is chosen: how many sites, how
// many complete, why the others are not), the embedder (every one of the registry, built-in or
// from a plugin, with what it needs), the model when the embedder needs one, and the store to
// write; it says in one line what it will do before the user confirms.

#include <QDialog>

#include "core/pipeline/site_embedder.h"

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace gandl::ui {

class EmbedDialog : public QDialog {
  Q_OBJECT

 public:
  // `checkpoint`: the model offered first ("demo" or a run folder).
  explicit EmbedDialog(const QString& checkpoint, QWidget* parent = nullptr);

  void setScreenFolder(const QString& folder);  // checks it at once
  void setStore(const QString& store);
  void setEmbedder(const QString& name);

  QString screenFolder() const;
  QString store() const;
  QString embedder() const;
  QString checkpoint() const;  // empty when the embedder needs no model
  // What the dialog says it will do, or why it cannot ("" never: OK is disabled then).
  QString plan() const;
  bool ready() const;

  QComboBox* embedderBox() const { return embedder_; }

 private:
  void checkScreen();
  void update();
  pipeline::EmbedderNeeds needs() const;  // of the chosen embedder
  QString problem() const;                // why Embed cannot run yet, or ""

  QLineEdit* screen_;
  QLineEdit* store_;
  QLineEdit* model_;
  QComboBox* embedder_;
  QLabel* screenNote_;
  QLabel* plan_;
  QDialogButtonBox* buttons_;
  QString screenProblem_;
  qsizetype completeSites_ = 0;
};

}  // namespace gandl::ui
