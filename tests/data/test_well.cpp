// Well names with one and two row letters.
#include <QtTest>

#include "core/data/well.h"

using gandl::data::parseWell;
using gandl::data::wellName;

class TestWell : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void parsesOneAndTwoLetterRows() {
    auto b02 = parseWell("B02");
    QVERIFY(b02);
    QCOMPARE(b02->row, 1);
    QCOMPARE(b02->column, 2);
    auto aa17 = parseWell("AA17");
    QVERIFY(aa17);
    QCOMPARE(aa17->row, 26);
    QCOMPARE(aa17->column, 17);
    QCOMPARE(parseWell("AF48")->row, 31);
    QCOMPARE(parseWell("P24")->row, 15);
  }

  void rejectsMalformedNames() {
    for (const char* bad : {"", "B", "02", "b02", "ABC1", "B0", "B2x", "B-2"}) QVERIFY2(!parseWell(bad), bad);
  }

  void roundTripsEveryWellOfA1536Plate() {
    for (int row = 0; row < 32; ++row)
      for (int column = 1; column <= 48; ++column) {
        const auto name = wellName(row, column);
        const auto parsed = parseWell(name);
        QVERIFY(parsed);
        QCOMPARE(parsed->row, row);
        QCOMPARE(parsed->column, column);
      }
    QCOMPARE(wellName(0, 1), std::string("A01"));
    QCOMPARE(wellName(26, 2), std::string("AA02"));
  }
};

QTEST_APPLESS_MAIN(TestWell)
#include "test_well.moc"
