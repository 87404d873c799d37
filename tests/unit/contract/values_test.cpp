// Small value types of the contract: sizes, uuids, names, rules, codes.
#include <gtest/gtest.h>

#include <set>

#include "contract/byte_size.hpp"
#include "contract/error_code.hpp"
#include "contract/file_name.hpp"
#include "contract/rules.hpp"
#include "contract/uuid.hpp"

using namespace partcheck::contract;

TEST(ByteSize, ParsesUnitsFractionsAndSums) {
  EXPECT_EQ(*parse_byte_size("5242880").bytes, 5242880u);
  EXPECT_EQ(*parse_byte_size("5MiB").bytes, 5 * MiB);
  EXPECT_EQ(*parse_byte_size("1.5GiB").bytes, 3 * GiB / 2);
  EXPECT_EQ(*parse_byte_size("64k").bytes, 64 * KiB);
  EXPECT_EQ(*parse_byte_size("5MiB-1").bytes, 5 * MiB - 1);
  EXPECT_EQ(*parse_byte_size("5GiB+1").bytes, 5 * GiB + 1);
  EXPECT_EQ(*parse_byte_size(" 2 MiB + 3 ").bytes, 2 * MiB + 3);
  EXPECT_EQ(*parse_byte_size("1MB").bytes, 1000000u);
}

TEST(ByteSize, RefusesNonsenseWithAReason) {
  for (const char* bad : {"", "MiB", "5XB", "1.2.3MiB", "-1", "1-2", "0.5", "abc", "99999999999TiB"}) {
    auto parsed = parse_byte_size(bad);
    EXPECT_FALSE(parsed) << bad;
    EXPECT_FALSE(parsed.error.empty()) << bad;
  }
}

TEST(ByteSize, FormatsForPeople) {
  EXPECT_EQ(format_byte_size(999), "999 B");
  EXPECT_EQ(format_byte_size(5 * MiB), "5 MiB");
  EXPECT_EQ(format_byte_size(3 * GiB / 2), "1.50 GiB");
}

TEST(Uuid, CanonicalFormOnly) {
  EXPECT_TRUE(is_uuid("0b4e7f3c-1d2a-4c5b-8e9f-0a1b2c3d4e5f"));
  EXPECT_TRUE(is_uuid("0B4E7F3C-1D2A-4C5B-8E9F-0A1B2C3D4E5F"));
  EXPECT_FALSE(is_uuid(""));
  EXPECT_FALSE(is_uuid("0b4e7f3c1d2a4c5b8e9f0a1b2c3d4e5f"));
  EXPECT_FALSE(is_uuid("{0b4e7f3c-1d2a-4c5b-8e9f-0a1b2c3d4e5f}"));
  EXPECT_FALSE(is_uuid("0b4e7f3c-1d2a-4c5b-8e9f-0a1b2c3d4e5g"));
  EXPECT_FALSE(is_uuid("../../etc/passwd-aaaaaaaaaaaaaaaaaaaaaaa"));
  auto a = new_uuid(), b = new_uuid();
  EXPECT_TRUE(is_uuid(a));
  EXPECT_NE(a, b);
}

TEST(FileName, RefusesDangerousNames) {
  EXPECT_TRUE(name_problem("report.pdf").empty());
  EXPECT_TRUE(name_problem("отчёт 2024.pdf").empty());
  for (std::string bad : {std::string(""), std::string("."), std::string(".."), std::string("a/b"),
                          std::string("..\\x"), std::string("a\0b", 3), std::string("a\nb"),
                          std::string(256, 'x'), std::string("\xff\xfe"),
                          std::string("a\xC0\xAF"), std::string("\xED\xA0\x80")})  // overlong '/', surrogate
    EXPECT_FALSE(name_problem(bad).empty()) << bad;
  EXPECT_TRUE(name_problem(std::string(255, 'x')).empty());
}

TEST(FileName, PostfixGoesBeforeTheExtension) {
  EXPECT_EQ(name_with_postfix("report.pdf", 1), "report (1).pdf");
  EXPECT_EQ(name_with_postfix("archive.tar.gz", 2), "archive.tar (2).gz");
  EXPECT_EQ(name_with_postfix("README", 3), "README (3)");
  EXPECT_EQ(name_with_postfix(".bashrc", 1), ".bashrc (1)");
  EXPECT_EQ(name_with_postfix("x.pdf", 0), "x.pdf");
}

TEST(FileName, FirstFreeNameWalksThePostfixesAndGivesUp) {
  std::set<std::string, std::less<>> taken{"a.txt", "a (1).txt"};
  auto is_taken = [&](std::string_view n) { return taken.contains(n); };
  EXPECT_EQ(*first_free_name("a.txt", is_taken, 10), "a (2).txt");
  EXPECT_EQ(*first_free_name("b.txt", is_taken, 10), "b.txt");
  EXPECT_FALSE(first_free_name("a.txt", is_taken, 1));
  std::string longest(255, 'n');
  taken.insert(longest);
  EXPECT_FALSE(first_free_name(longest, is_taken, 1000));  // " (1)" would pass 255 bytes
}

TEST(Rules, CatalogueIsCompleteAndUnique) {
  std::set<std::string_view> ids;
  for (const auto& rule : all_rules()) {
    EXPECT_TRUE(ids.insert(rule.id).second) << rule.id;
    EXPECT_FALSE(rule.text.empty());
  }
  EXPECT_EQ(ids.size(), 35u);
  EXPECT_EQ(find_rule("RANGE-2")->level, RuleLevel::Must);
  EXPECT_EQ(find_rule("INFO-4")->level, RuleLevel::Info);
  EXPECT_FALSE(find_rule("NOPE-1"));
  EXPECT_EQ(rule_family("MOVE-8"), "MOVE");
  EXPECT_EQ(*level_from_name("should"), RuleLevel::Should);
}

TEST(ErrorCodes, NamesRoundTripAndStatusesAreClientErrors) {
  for (auto name : {"EntityTooSmall", "InvalidPartOrder", "NoSuchUpload", "NameConflict", "NotEnoughSpace"}) {
    auto code = code_from_name(name);
    ASSERT_TRUE(code) << name;
    EXPECT_EQ(code_name(*code), name);
    EXPECT_GE(default_status(*code), 400);
    EXPECT_LT(default_status(*code), 500);
  }
  EXPECT_EQ(default_status(ErrorCode::NotEnoughSpace), 402);
  EXPECT_EQ(default_status(ErrorCode::Unauthorized), 403);
  EXPECT_FALSE(code_from_name("Nope"));
}
