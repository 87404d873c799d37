// How the client reached the target (TLS, proxy) in the results: the JSON
// field, files written before it existed, and the words people read.
#include <gtest/gtest.h>

#include <sstream>

#include "bench/report_html.hpp"
#include "bench/results.hpp"
#include "bench/summary.hpp"

using namespace partcheck::bench;

namespace {

BenchResult over_tls() {
  BenchResult r;
  r.config.target = "https://127.0.0.1:8443/api/v2";
  r.config.target_kind = "external";
  r.transport = {true, "TLSv1.3", "TLS_AES_256_GCM_SHA384", 4, "http://127.0.0.1:3128"};
  return r;
}

}  // namespace

TEST(TransportFacts, SurviveTheJsonRoundTrip) {
  const auto json = to_json(over_tls());
  EXPECT_EQ(json["transport"]["tls"], true);
  EXPECT_EQ(json["transport"]["tls_version"], "TLSv1.3");
  EXPECT_EQ(json["transport"]["tls_cipher"], "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(json["transport"]["tls_handshakes"], 4);
  EXPECT_EQ(json["transport"]["proxy"], "http://127.0.0.1:3128");
  const auto back = bench_result_from_json(nlohmann::json::parse(json.dump()));
  EXPECT_EQ(back.transport.tls_cipher, "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(back.transport.tls_handshakes, 4u);
  EXPECT_EQ(to_json(back), json);
}

TEST(TransportFacts, PlainDirectRunsWriteNullsAndOldFilesReadAsPlain) {
  const auto json = to_json(BenchResult{});
  EXPECT_EQ(json["transport"]["tls"], false);
  EXPECT_TRUE(json["transport"]["tls_version"].is_null());
  EXPECT_TRUE(json["transport"]["proxy"].is_null());
  auto old = json;
  old.erase("transport");
  const auto back = bench_result_from_json(old);
  EXPECT_FALSE(back.transport.tls);
  EXPECT_TRUE(back.transport.proxy.empty());
  old["transport"] = "tls";
  EXPECT_THROW(bench_result_from_json(old), std::runtime_error);
}

TEST(TransportFacts, InWords) {
  EXPECT_EQ(describe_transport(TransportFacts{}), "plain HTTP, direct");
  EXPECT_EQ(describe_transport(over_tls().transport),
            "TLSv1.3 TLS_AES_256_GCM_SHA384, 4 handshakes; proxy http://127.0.0.1:3128");
  TransportFacts plain_proxy;
  plain_proxy.proxy = "http://p:3128";
  EXPECT_EQ(describe_transport(plain_proxy), "plain HTTP; proxy http://p:3128");
  TransportFacts one{true, "TLSv1.2", "ECDHE-ECDSA-AES128-GCM-SHA256", 1, ""};
  EXPECT_EQ(describe_transport(one), "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256, 1 handshake");
}

TEST(TransportFacts, ShownInTheSummaryAndTheReport) {
  std::ostringstream text;
  print_summary(over_tls(), text);
  EXPECT_NE(text.str().find("  transport  TLSv1.3 TLS_AES_256_GCM_SHA384, 4 handshakes; proxy http://127.0.0.1:3128\n"),
            std::string::npos)
      << text.str();
  std::ostringstream plain;
  print_summary(BenchResult{}, plain);
  EXPECT_EQ(plain.str().find("transport"), std::string::npos) << plain.str();
  const auto html = render_html_report(over_tls());
  EXPECT_NE(html.find("<th>transport</th><td>TLSv1.3 TLS_AES_256_GCM_SHA384, 4 handshakes; proxy http://127.0.0.1:3128</td>"),
            std::string::npos);
}
