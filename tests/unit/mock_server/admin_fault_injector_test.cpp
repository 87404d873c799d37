#include "mock_server/admin/fault_injector.hpp"

#include <gtest/gtest.h>

using namespace partcheck::mock;
using nlohmann::json;

namespace {

std::string add_error(FaultInjector& faults, const json& spec) {
  auto added = faults.add(spec);
  EXPECT_FALSE(added.fault) << "accepted " << spec.dump();
  return added.error;
}

std::string add_ok(FaultInjector& faults, const json& spec) {
  auto added = faults.add(spec);
  EXPECT_TRUE(added.fault) << spec.dump() << ": " << added.error;
  return added.fault ? added.fault->at("id").get<std::string>() : std::string();
}

constexpr const char* kUpload = "/pub/v1/disk/file/upload";

}  // namespace

TEST(FaultInjector, StoredFaultCarriesIdAndNormalisedFields) {
  FaultInjector faults;
  auto added = faults.add(json::parse(
      R"({"kind":"delay","ms":500,"match":{"method":"post","path_prefix":"/pub/v1/disk/file/upload"},"count":2})"));
  ASSERT_TRUE(added.fault) << added.error;
  const json& fault = *added.fault;
  EXPECT_EQ(fault["id"], "f1");
  EXPECT_EQ(fault["kind"], "delay");
  EXPECT_EQ(fault["ms"], 500);
  EXPECT_EQ(fault["match"]["method"], "POST");
  EXPECT_EQ(fault["match"]["path_prefix"], kUpload);
  EXPECT_EQ(fault["count"], 2);
  EXPECT_EQ(fault["remaining"], 2);
  EXPECT_EQ(fault["fired"], 0);
  EXPECT_EQ(add_ok(faults, {{"kind", "unavailable"}}), "f2");
  ASSERT_EQ(faults.list().size(), 2u);
  EXPECT_EQ(faults.list()[1]["count"], 1) << "count defaults to 1";
  EXPECT_FALSE(faults.list()[1].contains("ms"));
}

TEST(FaultInjector, EveryBadFieldIsNamed) {
  FaultInjector faults;
  struct Case {
    const char* spec;
    const char* mentions;
  };
  const Case cases[] = {
      {R"([1])", "JSON object"},
      {R"({})", "kind is missing"},
      {R"({"kind":3})", "kind must be a string"},
      {R"({"kind":"explode"})", "unknown kind 'explode'"},
      {R"({"kind":"delay"})", "kind delay needs ms"},
      {R"({"kind":"delay","ms":0})", "at least 1"},
      {R"({"kind":"delay","ms":600001})", "at most 600000"},
      {R"({"kind":"delay","ms":-5})", "must not be negative"},
      {R"({"kind":"delay","ms":1.5})", "whole number"},
      {R"({"kind":"delay","ms":"500"})", "whole number"},
      {R"({"kind":"delay","ms":5,"bytes":10})", "bytes does not apply to kind delay (it takes ms)"},
      {R"({"kind":"unavailable","ms":5})", "ms does not apply to kind unavailable"},
      {R"({"kind":"reset_after_bytes"})", "needs bytes"},
      {R"({"kind":"slow_read","bytes_per_second":0})", "at least 1"},
      {R"({"kind":"unavailable","count":-1})", "count must not be negative"},
      {R"({"kind":"unavailable","colour":"red"})", "unknown field 'colour'"},
      {R"({"kind":"unavailable","id":"f7"})", "id is given by the server"},
      {R"({"kind":"unavailable","match":"POST"})", "match must be an object"},
      {R"({"kind":"unavailable","match":{"method":"PO ST"}})", "match.method"},
      {R"({"kind":"unavailable","match":{"path_prefix":"pub"}})", "starting with '/'"},
      {R"({"kind":"unavailable","match":{"path_prefix":"/__mock/health"}})", "never faulted"},
      {R"({"kind":"unavailable","match":{"host":"x"}})", "unknown field 'match.host'"},
  };
  for (const auto& c : cases) {
    const auto error = add_error(faults, json::parse(c.spec));
    EXPECT_NE(error.find(c.mentions), std::string::npos) << c.spec << " -> " << error;
  }
  EXPECT_TRUE(faults.list().empty()) << "nothing refused is armed";
}

TEST(FaultInjector, CountUsesAreConsumedThenTheFaultIsGone) {
  FaultInjector faults;
  const auto id = add_ok(faults, {{"kind", "unavailable"}, {"count", 2}});
  for (int i = 0; i < 2; ++i) {
    const auto plan = faults.plan_for("POST", kUpload);
    EXPECT_EQ(plan.status, 503);
    EXPECT_TRUE(plan.any());
    ASSERT_EQ(plan.fault_ids.size(), 1u);
    EXPECT_EQ(plan.fault_ids[0], id);
    if (i == 0) {
      EXPECT_EQ(faults.list()[0]["remaining"], 1);
    }
  }
  const auto third = faults.plan_for("POST", kUpload);
  EXPECT_FALSE(third.any());
  EXPECT_TRUE(third.fault_ids.empty());
  EXPECT_TRUE(faults.list().empty());
}

TEST(FaultInjector, CountZeroLastsUntilRemoved) {
  FaultInjector faults;
  const auto id = add_ok(faults, {{"kind", "slow_read"}, {"bytes_per_second", 1000}, {"count", 0}});
  for (int i = 0; i < 50; ++i) EXPECT_EQ(faults.plan_for("GET", "/anything").read_bytes_per_second, 1000u);
  EXPECT_EQ(faults.list()[0]["fired"], 50);
  EXPECT_TRUE(faults.list()[0]["remaining"].is_null());
  EXPECT_FALSE(faults.remove("f999"));
  EXPECT_TRUE(faults.remove(id));
  EXPECT_FALSE(faults.plan_for("GET", "/anything").any());
}

TEST(FaultInjector, OnlyMatchingRequestsUseAFault) {
  FaultInjector faults;
  add_ok(faults, {{"kind", "delay"}, {"ms", 250}, {"match", {{"method", "POST"}, {"path_prefix", kUpload}}}});
  EXPECT_FALSE(faults.plan_for("GET", kUpload).any()) << "other method";
  EXPECT_FALSE(faults.plan_for("POST", "/pub/v1/disk/file/move").any()) << "other path";
  EXPECT_FALSE(faults.plan_for("POST", "/pub/v1").any()) << "shorter path";
  ASSERT_EQ(faults.list().size(), 1u) << "misses consume nothing";
  const auto plan = faults.plan_for("POST", "/pub/v1/disk/file/upload?hash=x");
  EXPECT_EQ(plan.delay, std::chrono::milliseconds(250));
  EXPECT_TRUE(faults.list().empty());
}

TEST(FaultInjector, AdminRequestsAreNeverFaulted) {
  FaultInjector faults;
  add_ok(faults, {{"kind", "unavailable"}, {"count", 0}});
  EXPECT_FALSE(faults.plan_for("DELETE", "/__mock/faults").any());
  EXPECT_EQ(faults.list()[0]["fired"], 0);
  EXPECT_EQ(faults.plan_for("GET", "/pub/v1/disk/download/t").status, 503);
}

TEST(FaultInjector, SeveralMatchingFaultsCombine) {
  FaultInjector faults;
  add_ok(faults, {{"kind", "delay"}, {"ms", 100}});
  add_ok(faults, {{"kind", "delay"}, {"ms", 50}});
  add_ok(faults, {{"kind", "reset_after_bytes"}, {"bytes", 4096}});
  add_ok(faults, {{"kind", "reset_after_bytes"}, {"bytes", 0}});
  add_ok(faults, {{"kind", "slow_read"}, {"bytes_per_second", 5000}});
  add_ok(faults, {{"kind", "slow_read"}, {"bytes_per_second", 2000}});
  const auto plan = faults.plan_for("POST", kUpload);
  EXPECT_EQ(plan.delay, std::chrono::milliseconds(150)) << "delays add up";
  ASSERT_TRUE(plan.reset_after_body_bytes);
  EXPECT_EQ(*plan.reset_after_body_bytes, 0u) << "the earliest reset wins";
  EXPECT_EQ(plan.read_bytes_per_second, 2000u) << "the slowest reader wins";
  EXPECT_EQ(plan.status, 0);
  EXPECT_EQ(plan.fault_ids, (std::vector<std::string>{"f1", "f2", "f3", "f4", "f5", "f6"}));
}

TEST(FaultInjector, ClearDisarmsAllAndIdsStayUnique) {
  FaultInjector faults;
  add_ok(faults, {{"kind", "unavailable"}});
  add_ok(faults, {{"kind", "unavailable"}});
  faults.clear();
  EXPECT_TRUE(faults.list().empty());
  EXPECT_FALSE(faults.plan_for("POST", kUpload).any());
  EXPECT_EQ(add_ok(faults, {{"kind", "unavailable"}}), "f3");
}

namespace {

FaultRequest part_request(std::string hash, std::uint64_t start, std::uint64_t index, std::string key = "k1") {
  return FaultRequest{"POST", kUpload, std::move(hash), start, index, std::move(key)};
}

}  // namespace

TEST(FaultInjector, AimsAtOneUploadOnePartAndOneKey) {
  FaultInjector faults;
  const std::string a = "0f8fad5b-d9cb-469f-a165-70867728950e", b = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  // The hash is matched in its canonical (lower-case) spelling.
  add_ok(faults, json::parse(R"({"kind":"unavailable","count":0,"match":{"hash":"0F8FAD5B-D9CB-469F-A165-70867728950E","part_index":1}})"));
  EXPECT_FALSE(faults.plan_for(part_request(a, 0, 0)).status == 503) << "the first part";
  EXPECT_FALSE(faults.plan_for(part_request(b, 5, 1)).status == 503) << "another upload";
  EXPECT_TRUE(faults.plan_for(part_request(a, 5, 1)).status == 503) << "the second part";
  EXPECT_TRUE(faults.plan_for(part_request(a, 5, 1)).status == 503) << "and its retry";
  faults.clear();

  add_ok(faults, json::parse(R"({"kind":"delay","ms":5,"match":{"part_start":10}})"));
  add_ok(faults, json::parse(R"({"kind":"unavailable","match":{"api_key":"k2"}})"));
  EXPECT_EQ(faults.plan_for(part_request(a, 5, 1)).delay.count(), 0);
  EXPECT_EQ(faults.plan_for(part_request(a, 10, 2)).delay.count(), 5);
  EXPECT_FALSE(faults.plan_for(part_request(a, 15, 3, "k1")).status == 503);
  EXPECT_TRUE(faults.plan_for(part_request(a, 15, 3, "k2")).status == 503);
  // The key is never shown back.
  add_ok(faults, json::parse(R"({"kind":"unavailable","match":{"api_key":"secret"}})"));
  EXPECT_EQ(faults.list().back()["match"]["api_key"], "<redacted>");
}

TEST(FaultInjector, AfterLetsMatchingRequestsThroughFirstAndTimesIsCount) {
  FaultInjector faults;
  add_ok(faults, json::parse(R"({"kind":"unavailable","after":2,"times":2,"match":{"method":"POST"}})"));
  std::vector<bool> hit;
  for (int i = 0; i < 6; ++i) {
    hit.push_back(faults.plan_for("GET", kUpload).status == 503);  // not matching: not counted
    hit.push_back(faults.plan_for("POST", kUpload).status == 503);
  }
  EXPECT_EQ(hit, (std::vector<bool>{false, false, false, false, false, true, false, true, false, false, false, false}));
  EXPECT_TRUE(faults.list().empty()) << "used up";

  EXPECT_NE(add_error(faults, json::parse(R"({"kind":"unavailable","count":1,"times":2})")).find("not both"),
            std::string::npos);
  EXPECT_NE(add_error(faults, json::parse(R"({"kind":"unavailable","after":-1})")).find("after"), std::string::npos);
  EXPECT_NE(add_error(faults, json::parse(R"({"kind":"unavailable","match":{"part_index":"2"}})")).find("match.part_index"),
            std::string::npos);
  EXPECT_NE(add_error(faults, json::parse(R"({"kind":"unavailable","match":{"hash":""}})")).find("match.hash"),
            std::string::npos);
}

TEST(FaultInjector, StatusDropResponseAndClockKindsPlanWhatTheyName) {
  FaultInjector faults;
  add_ok(faults, json::parse(R"({"kind":"status","status":403,"after":1,"times":0,"match":{"api_key":"k"}})"));
  EXPECT_EQ(faults.plan_for({"POST", kUpload, std::nullopt, std::nullopt, std::nullopt, "k"}).status, 0) << "after 1";
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(faults.plan_for({"POST", kUpload, std::nullopt, std::nullopt, std::nullopt, "k"}).status, 403)
        << "times 0: until removed";
  EXPECT_EQ(faults.plan_for({"POST", kUpload, std::nullopt, std::nullopt, std::nullopt, "other"}).status, 0);
  faults.clear();

  add_ok(faults, json::parse(R"({"kind":"drop_response","match":{"part_index":1}})"));
  EXPECT_FALSE(faults.plan_for({"POST", kUpload, "h", 0, 0, {}}).drop_response);
  const auto dropped = faults.plan_for({"POST", kUpload, "h", 5242880, 1, {}});
  EXPECT_TRUE(dropped.drop_response);
  EXPECT_TRUE(dropped.any());

  add_ok(faults, json::parse(R"({"kind":"advance_clock","seconds":3601,"match":{"path_prefix":"/pub/v1/disk/file/move"}})"));
  EXPECT_EQ(faults.plan_for("POST", "/pub/v1/disk/file/move?directoryID=d").advance_clock, std::chrono::seconds(3601));

  EXPECT_NE(add_error(faults, json::parse(R"({"kind":"status","status":200})")).find("at least 400"), std::string::npos);
  EXPECT_NE(add_error(faults, json::parse(R"({"kind":"status"})")).find("needs status"), std::string::npos);
  EXPECT_NE(add_error(faults, json::parse(R"({"kind":"drop_response","seconds":3})")).find("does not apply"),
            std::string::npos);
  EXPECT_NE(add_error(faults, json::parse(R"({"kind":"advance_clock","seconds":0})")).find("at least 1"),
            std::string::npos);
}
