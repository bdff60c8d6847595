#pragma once
// QCustomPlot's header spells `signals:` and `foreach`, which QT_NO_KEYWORDS (on everywhere:
// Qt's `slots` macro breaks ATen headers) removes. This wrapper maps them to Q_SIGNALS and
// Q_FOREACH for that one header only; every file includes QCustomPlot through it.

#ifdef signals
#include <qcustomplot.h>
#else
#define signals Q_SIGNALS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef foreach
#endif
