#include "ui/embed_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "core/data/screen.h"
#include "core/data/screen_summary.h"
#include "core/pipeline/site_embedder.h"

namespace gandl::ui {

EmbedDialog::EmbedDialog(const QString& checkpoint, QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Embed a screen"));
  setObjectName(QStringLiteral("embedDialog"));
  screen_ = new QLineEdit(this);
  screen_->setObjectName(QStringLiteral("embedScreen"));
  store_ = new QLineEdit(this);
  store_->setObjectName(QStringLiteral("embedStore"));
  model_ = new QLineEdit(checkpoint, this);
  model_->setObjectName(QStringLiteral("embedModel"));
  model_->setToolTip(tr("'demo' (the shipped model), a run folder or an exported model"));
  embedder_ = new QComboBox(this);
  embedder_->setObjectName(QStringLiteral("embedderBox"));
  for (const auto& info : pipeline::EmbedderRegistry::instance().list()) {
    QString text = QString::fromStdString(info.name);
    if (!info.description.empty()) text += QStringLiteral(": ") + QString::fromStdString(info.description);
    if (info.source != "built-in") text += tr(" (plugin)");
    embedder_->addItem(text, QString::fromStdString(info.name));
    embedder_->setItemData(embedder_->count() - 1, static_cast<int>(info.needs), Qt::UserRole + 1);
  }
  screenNote_ = new QLabel(this);
  screenNote_->setObjectName(QStringLiteral("embedScreenNote"));
  screenNote_->setWordWrap(true);
  plan_ = new QLabel(this);
  plan_->setObjectName(QStringLiteral("embedPlan"));
  plan_->setWordWrap(true);

  const auto withBrowse = [this](QLineEdit* edit, auto choose) {
    auto* row = new QHBoxLayout;
    row->addWidget(edit, 1);
    auto* browse = new QPushButton(tr("Browse..."), this);
    row->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, choose);
    return row;
  };
  auto* form = new QFormLayout;
  form->addRow(tr("Screen folder"), withBrowse(screen_, [this] {
                 const QString folder =
                     QFileDialog::getExistingDirectory(this, tr("Screen folder (with metadata.csv)"), screen_->text());
                 if (!folder.isEmpty()) setScreenFolder(folder);
               }));
  form->addRow(QString(), screenNote_);
  form->addRow(tr("Embedder"), embedder_);
  form->addRow(tr("Model"), withBrowse(model_, [this] {
                 const QString folder = QFileDialog::getExistingDirectory(this, tr("Model or run folder"));
                 if (!folder.isEmpty()) model_->setText(folder);
               }));
  form->addRow(tr("Store to write"), withBrowse(store_, [this] {
                 const QString file =
                     QFileDialog::getSaveFileName(this, tr("New store"), store_->text(), tr("AnnData stores (*.h5ad)"));
                 if (!file.isEmpty()) setStore(file);
               }));
  buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons_->button(QDialogButtonBox::Ok)->setText(tr("Embed"));
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(plan_);
  layout->addWidget(buttons_);
  connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(screen_, &QLineEdit::editingFinished, this, &EmbedDialog::checkScreen);
  connect(store_, &QLineEdit::textChanged, this, &EmbedDialog::update);
  connect(model_, &QLineEdit::textChanged, this, &EmbedDialog::update);
  connect(embedder_, &QComboBox::currentIndexChanged, this, &EmbedDialog::update);
  checkScreen();
}

void EmbedDialog::setScreenFolder(const QString& folder) {
  screen_->setText(folder);
  checkScreen();
}

void EmbedDialog::setStore(const QString& store) { store_->setText(store); }

void EmbedDialog::setEmbedder(const QString& name) {
  const int index = embedder_->findData(name);
  if (index >= 0) embedder_->setCurrentIndex(index);
}

QString EmbedDialog::screenFolder() const { return screen_->text().trimmed(); }
QString EmbedDialog::store() const { return store_->text().trimmed(); }
QString EmbedDialog::embedder() const { return embedder_->currentData().toString(); }

QString EmbedDialog::checkpoint() const {
  return needs() == pipeline::EmbedderNeeds::Nothing ? QString() : model_->text().trimmed();
}

// The folder is read as soon as it is chosen, before anything asks where to save.
void EmbedDialog::checkScreen() {
  completeSites_ = 0;
  screenProblem_.clear();
  const QString folder = screenFolder();
  if (folder.isEmpty()) {
    screenProblem_ = tr("Choose the screen folder (it holds metadata.csv and images/).");
  } else {
    try {
      const auto screen = data::loadScreen(folder.toStdString());
      const auto summary = data::summarize(screen);
      completeSites_ = static_cast<qsizetype>(summary.complete);
      QString note = tr("%1 sites, %2 complete, %3 plates, %4 compounds")
                         .arg(summary.sites)
                         .arg(summary.complete)
                         .arg(summary.by_plate.size())
                         .arg(summary.compounds);
      if (summary.incomplete > 0)
        note +=
            tr("; %1 incomplete sites will be skipped (a channel file missing or unreadable)").arg(summary.incomplete);
      if (!summary.by_role.count("positive_control") || !summary.by_role.count("negative_control"))
        note += tr("; no C+ / C- controls: the store opens in browse mode");
      screenNote_->setText(note);
      if (summary.complete == 0) screenProblem_ = tr("The screen has no complete site to embed.");
      if (store().isEmpty()) store_->setText(QDir::cleanPath(folder) + QStringLiteral(".h5ad"));
    } catch (const std::exception& e) {
      screenProblem_ = QString::fromStdString(e.what());
    }
  }
  if (!screenProblem_.isEmpty()) screenNote_->setText(screenProblem_);
  update();
}

pipeline::EmbedderNeeds EmbedDialog::needs() const {
  return static_cast<pipeline::EmbedderNeeds>(embedder_->currentData(Qt::UserRole + 1).toInt());
}

QString EmbedDialog::problem() const {
  if (!screenProblem_.isEmpty()) return screenProblem_;
  if (store().isEmpty()) return tr("Choose the store to write.");
  if (embedder().isEmpty()) return tr("No embedder is available.");
  if (needs() != pipeline::EmbedderNeeds::Nothing && checkpoint().isEmpty())
    return tr("Choose the model to embed with.");
  return {};
}

bool EmbedDialog::ready() const { return problem().isEmpty(); }

QString EmbedDialog::plan() const {
  if (const QString why = problem(); !why.isEmpty()) return why;
  const QString model = checkpoint();
  QString text = tr("Embed %1 complete sites with %2%3 into %4")
                     .arg(completeSites_)
                     .arg(embedder(), model.isEmpty() ? QString() : tr(" (model %1)").arg(model), store());
  if (QFileInfo::exists(store()))
    text += tr(", replacing the store there once the new one is complete");
  else if (QFileInfo::exists(store() + QStringLiteral(".partial")))
    text += tr(", resuming the interrupted run found there");
  return text + QLatin1Char('.');
}

void EmbedDialog::update() {
  plan_->setText(plan());
  buttons_->button(QDialogButtonBox::Ok)->setEnabled(ready());
}

}  // namespace gandl::ui
