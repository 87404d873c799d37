#include "runner/report/html_page.hpp"

#include <cstdio>

#include "common/text_escape.hpp"

namespace partcheck::runner::html {
namespace {

// One stylesheet for both pages; verdict colours are the only strong colours,
// so a glance at the matrix shows where the problems are.
constexpr std::string_view kStyle = R"css(
:root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#fff;--panel:#f6f8fa;
--pass:#1a7f37;--pass-bg:#dafbe1;--nonstrict:#9a6700;--nonstrict-bg:#fff8c5;--fail:#cf222e;--fail-bg:#ffebe9;
--info:#0969da;--info-bg:#ddf4ff;--skipped:#57606a;--skipped-bg:#eaeef2}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:18px 28px 14px;border-bottom:1px solid var(--line);background:var(--panel)}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:26px 0 10px}
main{padding:0 28px 40px;max-width:1400px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.meta{color:var(--muted)}.meta code{color:var(--fg)}
.totals{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}
.chip{border:1px solid var(--line);border-radius:16px;padding:3px 12px;font:inherit;cursor:pointer;background:#fff}
.chip b{margin-left:6px}
.badge{display:inline-block;min-width:92px;text-align:center;border-radius:4px;padding:1px 6px;font-size:11.5px;font-weight:600;letter-spacing:.02em}
.v-pass{color:var(--pass);background:var(--pass-bg)}.v-nonstrict{color:var(--nonstrict);background:var(--nonstrict-bg)}
.v-fail{color:var(--fail);background:var(--fail-bg)}.v-info{color:var(--info);background:var(--info-bg)}
.v-skipped{color:var(--skipped);background:var(--skipped-bg)}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{position:sticky;top:0;background:#fff;font-size:12px;color:var(--muted);font-weight:600}
tr.family th{background:var(--panel);font-size:12px;letter-spacing:.04em}
td.n{text-align:center;font-variant-numeric:tabular-nums;width:86px}
td.n.zero{color:#c3c9cf}
.matrix td.rule a{font-weight:600;color:inherit}
td.rule,th.sc{white-space:nowrap}
td code,.file code{background:var(--panel);border-radius:3px;padding:0 3px}
.level{font-size:11px;font-weight:600;color:var(--muted)}
.level-MUST{color:#8250df}
.note{color:var(--muted);font-size:12.5px}
.filters{display:flex;flex-wrap:wrap;align-items:center;gap:10px 16px;padding:10px 12px;margin-bottom:10px;
border:1px solid var(--line);border-radius:6px;background:var(--panel);position:sticky;top:0;z-index:2}
.filters label{white-space:nowrap}.filters input[type=search]{padding:4px 8px;min-width:240px;font:inherit}
.filters select,.filters button{font:inherit;padding:3px 8px}
.count{color:var(--muted);margin-left:auto}
details.scenario{border:1px solid var(--line);border-left-width:4px;border-radius:6px;margin:6px 0;background:#fff}
details.scenario.b-pass{border-left-color:var(--pass)}details.scenario.b-nonstrict{border-left-color:#d4a72c}
details.scenario.b-fail{border-left-color:var(--fail)}details.scenario.b-info{border-left-color:var(--info)}
details.scenario.b-skipped{border-left-color:#8c959f}
details.scenario>summary{cursor:pointer;padding:6px 10px;display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.sid{font-weight:600}.stitle{flex:1}.srules{color:var(--muted);font-size:12px}.sdur{color:var(--muted);font-size:12px}
.body{padding:2px 14px 12px;border-top:1px solid var(--line)}
.reason{margin:8px 0}.file{color:var(--muted);font-size:12px;white-space:pre-line}
pre{background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:6px 8px;margin:4px 0;
white-space:pre-wrap;word-break:break-all;max-height:320px;overflow:auto}
.curl{margin:8px 0}.curl pre{border-color:#ff818266;background:#fff5f5}
.label{font-size:11.5px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
table.judgements{margin:8px 0;font-size:13px}
details.transcript>summary{cursor:pointer;color:var(--info);margin:6px 0}
.req{border-top:1px dashed var(--line);padding:6px 0}
.reqline{display:flex;gap:8px;flex-wrap:wrap;align-items:baseline}
.status{font-weight:700}.s2{color:var(--pass)}.s4{color:var(--nonstrict)}.s5,.s0{color:var(--fail)}
.compare td.v{text-align:center}
.compare tr.diff td,.compare tr.diff th{background:#f1edfd}
.compare tr.diff th.sc{box-shadow:inset 4px 0 0 #8250df}
.compare th.n{white-space:normal;min-width:110px}
.muted{color:var(--muted)}
[hidden]{display:none!important}
)css";

}  // namespace

std::string page_start(std::string_view title) {
  std::string out = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    // Scenario data is untrusted: forbid any script but our own inline one and any fetch.
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                    "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n<title>";
  out += html_escape(title);
  out += "</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n";
  return out;
}

std::string page_end(std::string_view script) {
  std::string out = "<script>";
  out += script;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

std::string text_with_code(std::string_view text) {
  std::string out;
  bool in_code = false;
  std::size_t start = 0;
  for (std::size_t tick = text.find('`'); tick != std::string_view::npos; tick = text.find('`', start)) {
    out += html_escape(text.substr(start, tick - start));
    out += in_code ? "</code>" : "<code>";
    in_code = !in_code;
    start = tick + 1;
  }
  out += html_escape(text.substr(start));
  if (in_code) out += "</code>";
  return out;
}

std::string_view verdict_slug(Verdict verdict) {
  switch (verdict) {
    case Verdict::Pass: return "pass";
    case Verdict::NonStrict: return "nonstrict";
    case Verdict::Fail: return "fail";
    case Verdict::Informational: return "info";
    case Verdict::Skipped: return "skipped";
  }
  return "fail";
}

std::string verdict_badge(Verdict verdict) {
  return "<span class=\"badge v-" + std::string{verdict_slug(verdict)} + "\">" + std::string{verdict_name(verdict)} +
         "</span>";
}

std::string format_duration_ms(double ms) {
  char buffer[32];
  if (ms >= 1000)
    std::snprintf(buffer, sizeof buffer, "%.2f s", ms / 1000);
  else if (ms >= 10)
    std::snprintf(buffer, sizeof buffer, "%.0f ms", ms);
  else
    std::snprintf(buffer, sizeof buffer, "%.1f ms", ms);
  return buffer;
}

std::string format_bytes(std::uint64_t bytes) {
  char buffer[32];
  if (bytes < 1024) return std::to_string(bytes) + " B";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  std::snprintf(buffer, sizeof buffer, "%.1f %s", value, units[unit]);
  return buffer;
}

}  // namespace partcheck::runner::html
