#include "contract/upload_policy.hpp"

#include <gtest/gtest.h>

#include "contract/part_plan.hpp"

using namespace partcheck::contract;

namespace {

constexpr std::uint64_t P = kMinPartSize;  // 5 MiB

ContentRange R(std::uint64_t s, std::uint64_t e, std::uint64_t n) { return {s, e, n}; }

// Feeds parts through decide/apply as a server would; returns the decisions.
struct Upload {
  explicit Upload(PolicyOptions o = {}) : options(std::move(o)) {}
  PolicyOptions options;
  std::optional<UploadState> state;
  bool expired = false;

  PartDecision send(const ContentRange& r) {
    auto d = decide_part(state ? &*state : nullptr, expired, r, options);
    if (d.accepted) state = apply_part(state ? &*state : nullptr, r, d);
    return d;
  }
};

PolicyOptions profile(Profile p, Deviations dev = {}) { return PolicyOptions{p, std::move(dev)}; }

}  // namespace

TEST(StrictPolicy, DocumentedSevenMiBExample) {
  Upload u;
  auto first = u.send(R(0, 5242880, 7340032));
  ASSERT_TRUE(first.accepted) << first.message;
  EXPECT_TRUE(first.creates);
  EXPECT_EQ(first.status, 206);
  auto second = u.send(R(5242880, 7340032, 7340032));
  ASSERT_TRUE(second.accepted) << second.message;
  EXPECT_EQ(second.status, 200);
  EXPECT_TRUE(u.state->complete);
  EXPECT_EQ(u.state->contiguous_end(), 7340032u);
}

TEST(StrictPolicy, WholeFileOfAnySizeCompletes) {
  for (std::uint64_t n : std::initializer_list<std::uint64_t>{1, 1000, P - 1, P, 3 * P + 7}) {
    Upload u;
    auto d = u.send(R(0, n, n));
    EXPECT_TRUE(d.accepted) << n;
    EXPECT_EQ(d.status, 200) << n;
  }
  Upload empty;
  EXPECT_EQ(empty.send(R(0, 0, 0)).status, 200);
}

TEST(StrictPolicy, SmallNonFinalPartIsEntityTooSmall) {
  Upload u;
  auto d = u.send(R(0, P - 1, 3 * P));
  EXPECT_FALSE(d.accepted);
  EXPECT_EQ(d.code, ErrorCode::EntityTooSmall);
  EXPECT_EQ(d.rule, "PART-1");
  EXPECT_EQ(d.status, 400);
  EXPECT_FALSE(u.state);
}

TEST(StrictPolicy, PartOverFiveGiBIsEntityTooLarge) {
  Upload u;
  auto d = u.send(R(0, kMaxPartSize + 1, 3 * kMaxPartSize));
  EXPECT_EQ(d.code, ErrorCode::EntityTooLarge);
  EXPECT_EQ(d.rule, "PART-2");
  EXPECT_TRUE(Upload{}.send(R(0, kMaxPartSize, 2 * kMaxPartSize)).accepted);
}

TEST(StrictPolicy, NonFinalPartsMustEqualTheFirst) {
  Upload u;
  ASSERT_TRUE(u.send(R(0, 2 * P, 10 * P)).accepted);
  auto smaller = u.send(R(2 * P, 3 * P, 10 * P));
  EXPECT_EQ(smaller.code, ErrorCode::InvalidPart);
  EXPECT_EQ(smaller.rule, "PART-3");
  auto bigger_last = u.send(R(2 * P, 10 * P, 10 * P));
  EXPECT_EQ(bigger_last.code, ErrorCode::InvalidPart);
  EXPECT_TRUE(u.send(R(2 * P, 4 * P, 10 * P)).accepted);
}

TEST(StrictPolicy, OutOfOrderAndGapsAreInvalidPartOrder) {
  Upload u;
  ASSERT_TRUE(u.send(R(0, P, 4 * P)).accepted);
  auto gap = u.send(R(2 * P, 3 * P, 4 * P));
  EXPECT_EQ(gap.code, ErrorCode::InvalidPartOrder);
  EXPECT_EQ(gap.rule, "ORDER-3");
  ASSERT_TRUE(u.send(R(P, 2 * P, 4 * P)).accepted);
  auto backwards = u.send(R(0, P, 4 * P));
  EXPECT_EQ(backwards.code, ErrorCode::InvalidPartOrder);
  EXPECT_EQ(backwards.rule, "ORDER-1");
}

TEST(StrictPolicy, UnknownHashWithStartAfterZeroIsNoSuchUpload) {
  Upload u;
  auto d = u.send(R(P, 2 * P, 3 * P));
  EXPECT_EQ(d.code, ErrorCode::NoSuchUpload);
  EXPECT_EQ(d.rule, "ORDER-2");
}

TEST(StrictPolicy, ExpiredHashIsNoSuchUploadEvenFromZero) {
  for (auto p : {Profile::Strict, Profile::S3, Profile::Lenient}) {
    Upload u{profile(p)};
    u.expired = true;
    auto d = u.send(R(0, P, 2 * P));
    EXPECT_EQ(d.code, ErrorCode::NoSuchUpload) << profile_name(p);
    EXPECT_EQ(d.rule, "TTL-1");
  }
}

TEST(StrictPolicy, DifferentTotalIsInvalidRange) {
  Upload u;
  ASSERT_TRUE(u.send(R(0, P, 3 * P)).accepted);
  auto d = u.send(R(P, 2 * P, 4 * P));
  EXPECT_EQ(d.code, ErrorCode::InvalidRange);
  EXPECT_EQ(d.rule, "RANGE-3");
}

TEST(StrictPolicy, RetryOfTheLastPartReplacesIt) {
  Upload u;
  ASSERT_TRUE(u.send(R(0, P, 2 * P + 3)).accepted);
  auto retry = u.send(R(0, P, 2 * P + 3));
  EXPECT_TRUE(retry.accepted);
  EXPECT_TRUE(retry.replaces);
  EXPECT_EQ(retry.status, 206);
  ASSERT_TRUE(u.send(R(P, 2 * P, 2 * P + 3)).accepted);
  ASSERT_EQ(u.send(R(2 * P, 2 * P + 3, 2 * P + 3)).status, 200);
  auto final_retry = u.send(R(2 * P, 2 * P + 3, 2 * P + 3));
  EXPECT_TRUE(final_retry.accepted);
  EXPECT_EQ(final_retry.status, 200);
  EXPECT_EQ(u.state->parts.size(), 3u);
  EXPECT_EQ(u.state->stored_bytes(), 2 * P + 3);
}

TEST(StrictPolicy, PartsAfterCompletionAreUploadComplete) {
  Upload u;
  ASSERT_TRUE(u.send(R(0, 10, 10)).accepted);
  auto d = u.send(R(0, 5, 10));
  EXPECT_EQ(d.code, ErrorCode::UploadComplete);
}

TEST(S3Policy, NonFinalPartsInAnyOrderThenCompletion) {
  Upload u{profile(Profile::S3)};
  EXPECT_EQ(u.send(R(P, 2 * P, 3 * P)).status, 206);
  EXPECT_EQ(u.send(R(0, P, 3 * P)).status, 206);
  auto last = u.send(R(2 * P, 3 * P, 3 * P));
  EXPECT_EQ(last.status, 200) << last.message;
}

TEST(S3Policy, RetryOfTheFinalPartCompletesAgain) {
  Upload u{profile(Profile::S3)};
  ASSERT_TRUE(u.send(R(0, P, P + 10)).accepted);
  ASSERT_EQ(u.send(R(P, P + 10, P + 10)).status, 200);
  auto retry = u.send(R(P, P + 10, P + 10));
  EXPECT_TRUE(retry.accepted) << retry.message;
  EXPECT_EQ(retry.status, 200);
}

TEST(S3Policy, SizeErrorsSurfaceAtTheFinalPart) {
  Upload u{profile(Profile::S3)};
  EXPECT_EQ(u.send(R(0, 1000, 1000 + P)).status, 206);  // too small, accepted for now
  auto last = u.send(R(1000, 1000 + P, 1000 + P));
  EXPECT_FALSE(last.accepted);
  EXPECT_EQ(last.code, ErrorCode::EntityTooSmall);
}

TEST(S3Policy, GapSurfacesAsInvalidPartAtTheFinalPart) {
  Upload u{profile(Profile::S3)};
  ASSERT_TRUE(u.send(R(0, P, 3 * P)).accepted);
  auto last = u.send(R(2 * P, 3 * P, 3 * P));
  EXPECT_EQ(last.code, ErrorCode::InvalidPart);
  EXPECT_EQ(last.rule, "ORDER-3");
  ASSERT_TRUE(u.send(R(P, 2 * P, 3 * P)).accepted);
  EXPECT_EQ(u.send(R(2 * P, 3 * P, 3 * P)).status, 200);
}

TEST(LenientPolicy, AssemblesByOffsetAndCompletesWhenCovered) {
  Upload u{profile(Profile::Lenient)};
  EXPECT_EQ(u.send(R(2 * P, 2 * P + 9, 2 * P + 9)).status, 206);
  EXPECT_EQ(u.send(R(P, 2 * P, 2 * P + 9)).status, 206);
  auto last = u.send(R(0, P, 2 * P + 9));
  EXPECT_EQ(last.status, 200);
  EXPECT_TRUE(u.state->covers_all());
}

TEST(LenientPolicy, OverlapIsRefused) {
  Upload u{profile(Profile::Lenient)};
  ASSERT_TRUE(u.send(R(0, 2 * P, 6 * P)).accepted);
  auto d = u.send(R(P, 3 * P, 6 * P));
  EXPECT_EQ(d.code, ErrorCode::InvalidPartOrder);
}

TEST(Deviations, EachPartRuleCanBeBroken) {
  EXPECT_TRUE(Upload{profile(Profile::Strict, {"PART-1"})}.send(R(0, 10, 3 * P)).accepted);
  EXPECT_TRUE(Upload{profile(Profile::Strict, {"PART-2"})}.send(R(0, kMaxPartSize + 1, 2 * kMaxPartSize + 2)).accepted);
  EXPECT_TRUE(Upload{profile(Profile::Strict, {"ORDER-2"})}.send(R(P, 2 * P, 3 * P)).accepted);
  EXPECT_EQ(Upload{profile(Profile::Strict, {"WHOLE-1"})}.send(R(0, 10, 10)).code, ErrorCode::EntityTooSmall);
  EXPECT_EQ(Upload{profile(Profile::Strict, {"PART-4"})}.send(R(0, P, 2 * P)).status, 200);

  Upload order{profile(Profile::Strict, {"ORDER-1"})};
  ASSERT_TRUE(order.send(R(0, P, 3 * P)).accepted);
  ASSERT_TRUE(order.send(R(P, 2 * P, 3 * P)).accepted);
  auto wrong = order.send(R(0, P, 3 * P + 0));
  EXPECT_TRUE(wrong.accepted);
  EXPECT_EQ(wrong.write_offset, 2 * P);  // appended: the silently wrong file the rule forbids

  Upload forward{profile(Profile::Strict, {"ORDER-1"})};
  ASSERT_TRUE(forward.send(R(0, P, 3 * P)).accepted);
  EXPECT_EQ(forward.send(R(2 * P, 3 * P, 3 * P)).write_offset, P);

  Upload gap{profile(Profile::Strict, {"ORDER-3"})};
  ASSERT_TRUE(gap.send(R(0, P, 3 * P)).accepted);
  auto skipped = gap.send(R(2 * P, 3 * P, 3 * P));
  EXPECT_TRUE(skipped.accepted);
  EXPECT_EQ(skipped.status, 200);
  EXPECT_EQ(skipped.write_offset, P);

  Upload total{profile(Profile::Strict, {"RANGE-3"})};
  ASSERT_TRUE(total.send(R(0, P, 3 * P)).accepted);
  EXPECT_TRUE(total.send(R(P, 2 * P, 4 * P)).accepted);

  Upload sizes{profile(Profile::Strict, {"PART-3"})};
  ASSERT_TRUE(sizes.send(R(0, 2 * P, 10 * P)).accepted);
  EXPECT_TRUE(sizes.send(R(2 * P, 3 * P, 10 * P)).accepted);
}

TEST(PartPlan, SplitsIntoEqualPartsAndAShorterLast) {
  auto parts = plan_parts(7340032, 5242880);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], (ContentRange{0, 5242880, 7340032}));
  EXPECT_EQ(parts[1], (ContentRange{5242880, 7340032, 7340032}));
  EXPECT_EQ(plan_parts(0, P).size(), 1u);
  EXPECT_EQ(plan_parts(10 * P, P).size(), 10u);
  EXPECT_THROW(plan_parts(10, 0), std::invalid_argument);
}

TEST(PartPlan, EveryPlannedSequenceIsAcceptedByTheStrictPolicy) {
  for (std::uint64_t total : std::initializer_list<std::uint64_t>{1, P, P + 1, 4 * P, 4 * P + 17}) {
    Upload u;
    auto parts = plan_parts(total, P);
    for (std::size_t i = 0; i < parts.size(); ++i) {
      auto d = u.send(parts[i]);
      ASSERT_TRUE(d.accepted) << total << " part " << i << ": " << d.message;
      EXPECT_EQ(d.status, i + 1 == parts.size() ? 200 : 206);
    }
  }
}
