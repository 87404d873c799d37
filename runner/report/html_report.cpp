#include "runner/report/html_report.hpp"

#include <algorithm>
#include <stdexcept>

#include "contract/rules.hpp"
#include "runner/report/html_compare.hpp"
#include "runner/report/html_page.hpp"
#include "runner/report/html_timeline.hpp"
#include "runner/report/run_summary.hpp"
#include "common/text_escape.hpp"

namespace partcheck::runner {
namespace {

using html::format_duration_ms;
using html::verdict_badge;
using html::verdict_slug;

// Filters: verdict checkboxes, family select, free text; header chips and rule
// links are shortcuts that set them. Plain DOM, no libraries.
constexpr std::string_view kScript = R"js(
(function(){
var items=[].slice.call(document.querySelectorAll('details.scenario'));
var boxes=[].slice.call(document.querySelectorAll('input[name=verdict]'));
var family=document.getElementById('f-family'),search=document.getElementById('f-search'),count=document.getElementById('f-count');
items.forEach(function(el){el._text=(el.getAttribute('data-text')||'').toLowerCase();});
function apply(){
  var on={};boxes.forEach(function(b){if(b.checked)on[b.value]=1;});
  var f=family.value,q=search.value.trim().toLowerCase(),n=0;
  items.forEach(function(el){
    var ok=on[el.getAttribute('data-verdict')]&&(!f||el.getAttribute('data-family')===f)&&(!q||el._text.indexOf(q)>=0);
    el.hidden=!ok;if(ok)n++;});
  count.textContent=n+' of '+items.length+' scenarios';
}
boxes.forEach(function(b){b.addEventListener('change',apply);});
family.addEventListener('change',apply);search.addEventListener('input',apply);
[].slice.call(document.querySelectorAll('.chip')).forEach(function(c){c.addEventListener('click',function(){
  var v=c.getAttribute('data-verdict');boxes.forEach(function(b){b.checked=!v||b.value===v;});
  family.value='';search.value='';apply();document.getElementById('scenarios').scrollIntoView();});});
[].slice.call(document.querySelectorAll('a[data-rule]')).forEach(function(a){a.addEventListener('click',function(e){
  e.preventDefault();boxes.forEach(function(b){b.checked=true;});family.value='';
  search.value=a.getAttribute('data-rule');apply();document.getElementById('scenarios').scrollIntoView();});});
document.getElementById('f-expand').addEventListener('click',function(){items.forEach(function(el){if(!el.hidden)el.open=true;});});
document.getElementById('f-collapse').addEventListener('click',function(){items.forEach(function(el){el.open=false;});});
apply();
})();
)js";

std::string esc(std::string_view text) { return html_escape(text); }

std::string render_header(const RunResult& run) {
  const VerdictCounts totals = count_verdicts(run);
  std::string out = "<header>\n<h1>partcheck report";
  if (!run.target_name.empty()) out += " &middot; " + esc(run.target_name);
  out += "</h1>\n<div class=\"meta\">target <code>" + esc(run.target) + "</code>";
  if (!run.started_at.empty()) out += " &middot; started " + esc(run.started_at);
  out += " &middot; " + format_duration_ms(run.duration_s * 1000) + " &middot; seed " + std::to_string(run.seed);
  if (!run.tool_version.empty()) out += " &middot; " + esc(run.tool_version);
  out += "</div>\n<div class=\"totals\">\n<button class=\"chip\" data-verdict=\"\">scenarios<b>" +
         std::to_string(totals.total()) + "</b></button>\n";
  for (auto v : kAllVerdicts) {
    out += "<button class=\"chip v-" + std::string{verdict_slug(v)} + "\" data-verdict=\"" +
           std::string{verdict_name(v)} + "\">" + std::string{verdict_name(v)} + "<b>" + std::to_string(totals[v]) +
           "</b></button>\n";
  }
  return out + "</div>\n</header>\n";
}

// What the target offered beyond the reference: why some scenarios are SKIPPED.
std::string render_capabilities(const RunResult& run) {
  if (run.capabilities.empty()) return {};
  std::string out = "<section id=\"capabilities\">\n<h2>Capabilities</h2>\n<table class=\"matrix\">\n"
                    "<thead><tr><th>Capability</th><th>Present</th><th>How it was found</th></tr></thead>\n<tbody>\n";
  for (const auto& c : run.capabilities)
    out += "<tr><td><code>" + esc(c.name) + "</code></td><td>" + (c.present ? "yes" : "no") + "</td><td>" +
           esc(c.detail) + "</td></tr>\n";
  return out + "</tbody>\n</table>\n</section>\n";
}

std::string render_matrix(const RunResult& run) {
  const auto rules = summarize_rules(run);
  std::string out = "<section id=\"rules\">\n<h2>Rules</h2>\n<table class=\"matrix\">\n<thead><tr><th>Rule</th>"
                    "<th>Level</th><th>Statement</th><th>Verdict</th>";
  for (auto v : kAllVerdicts) out += "<th class=\"n\">" + std::string{verdict_name(v)} + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  std::string family;
  for (const auto& rule : rules) {
    if (rule.family != family) {
      family = rule.family;
      out += "<tr class=\"family\"><th colspan=\"9\">" + esc(family) + "</th></tr>\n";
    }
    out += "<tr><td class=\"rule\"><a href=\"#scenarios\" data-rule=\"" + esc(rule.id) + "\">" + esc(rule.id) +
           "</a></td><td><span class=\"level level-" + esc(rule.level) + "\">" + esc(rule.level) + "</span></td><td>" +
           html::text_with_code(rule.text) + "</td><td>" + verdict_badge(rule.verdict) + "</td>";
    for (auto v : kAllVerdicts) {
      auto n = rule.counts[v];
      out += n == 0 ? std::string{"<td class=\"n zero\">0</td>"}
                    : "<td class=\"n v-" + std::string{verdict_slug(v)} + "\">" + std::to_string(n) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
  std::string missing;
  std::size_t catalogue = 0, unchecked = 0;
  for (const auto& rule : rule_catalogue(run)) {
    ++catalogue;
    auto same_id = [&](const RuleSummary& r) { return r.id == rule.id; };
    if (std::none_of(rules.begin(), rules.end(), same_id)) {
      ++unchecked;
      missing += (missing.empty() ? "" : ", ") + std::string{rule.id};
    }
  }
  out += "<p class=\"note\">" + std::to_string(catalogue - unchecked) + " of " + std::to_string(catalogue) +
         (run.kind == "client" ? " client rules" : " contract rules") + " checked by this run";
  if (!missing.empty()) out += "; not checked: " + esc(missing);
  return out + ".</p>\n</section>\n";
}

std::string render_request(const RequestLog& r) {
  std::string status_class = "s" + std::to_string(r.status / 100);
  std::string out = "<div class=\"req\">\n<div class=\"reqline\"><span class=\"muted\">step " + std::to_string(r.step);
  if (!r.step_name.empty()) out += " &middot; " + esc(r.step_name);
  out += "</span><b>" + esc(r.method) + "</b><code>" + esc(r.url) + "</code>&rarr;<span class=\"status " +
         status_class + "\">" + (r.status == 0 ? std::string{"no response"} : std::to_string(r.status)) + "</span>";
  if (!r.code.empty()) out += "<code>" + esc(r.code) + "</code>";
  out += "<span class=\"muted\">" + format_duration_ms(r.duration_ms) + " &middot; " + html::format_bytes(r.bytes_sent) +
         " sent</span></div>\n";
  if (!r.error.empty()) out += "<div class=\"reason\">transport error: " + esc(r.error) + "</div>\n";
  if (!r.headers.empty()) {
    std::string headers;
    for (const auto& [name, value] : r.headers) headers += name + ": " + value + "\n";
    out += "<div class=\"label\">request headers</div><pre>" + esc(headers) + "</pre>\n";
  }
  if (!r.response_excerpt.empty())
    out += "<div class=\"label\">response</div><pre>" + esc(r.response_excerpt) + "</pre>\n";
  if (!r.curl.empty()) out += "<div class=\"label\">curl</div><pre>" + esc(r.curl) + "</pre>\n";
  return out + "</div>\n";
}

std::string render_scenario(const ScenarioResult& s) {
  const std::string family = scenario_family(s);
  std::string rules, search_text = s.id + " " + s.title + " " + s.reason + " " + s.file;
  for (const auto& id : s.rules) {
    rules += (rules.empty() ? "" : " ") + id;
    search_text += " " + id;
  }
  const std::string slug{verdict_slug(s.verdict)};
  std::string out = "<details class=\"scenario b-" + slug + "\" data-verdict=\"" + std::string{verdict_name(s.verdict)} +
                    "\" data-family=\"" + esc(family) + "\" data-text=\"" + esc(search_text) + "\"" +
                    (s.verdict == Verdict::Fail ? " open" : "") + ">\n<summary>" + verdict_badge(s.verdict) +
                    "<span class=\"sid mono\">" + esc(s.id) + "</span><span class=\"stitle\">" + esc(s.title) +
                    "</span><span class=\"srules\">" + esc(rules) + "</span><span class=\"sdur\">" +
                    format_duration_ms(s.duration_ms) + "</span></summary>\n<div class=\"body\">\n";
  if (!s.reason.empty()) out += "<p class=\"reason\">" + esc(s.reason) + "</p>\n";
  out += "<div class=\"file\">" + html::text_with_code(describe_rules(s));
  if (!s.file.empty()) out += " &middot; " + esc(s.file);
  out += "</div>\n";
  if (s.verdict == Verdict::Fail) {
    if (const RequestLog* request = failing_request(s); request && !request->curl.empty())
      out += "<div class=\"curl\"><div class=\"label\">reproduce</div><pre>" + esc(request->curl) + "</pre></div>\n";
  }
  if (!s.judgements.empty()) {
    out += "<table class=\"judgements\"><thead><tr><th>Aspect</th><th>Step</th><th>Verdict</th><th>Expected</th>"
           "<th>Actual</th></tr></thead><tbody>\n";
    for (const auto& j : s.judgements) {
      out += "<tr><td>" + esc(j.aspect) + "</td><td>" + (j.step < 0 ? std::string{"all"} : std::to_string(j.step)) +
             "</td><td>" + verdict_badge(j.verdict) + "</td><td>" + esc(j.expected) + "</td><td>" + esc(j.actual) +
             "</td></tr>\n";
    }
    out += "</tbody></table>\n";
  }
  out += html::render_timeline(s);
  out += "<details class=\"transcript\"><summary>Transcript (" + std::to_string(s.transcript.size()) +
         (s.transcript.size() == 1 ? " request" : " requests") + ")</summary>\n";
  for (const auto& r : s.transcript) out += render_request(r);
  out += "</details>\n";
  if (!s.client_output.empty())
    out += "<details class=\"transcript\"><summary>What the client printed</summary><pre>" + esc(s.client_output) +
           "</pre></details>\n";
  return out + "</div>\n</details>\n";
}

std::string render_scenarios(const RunResult& run) {
  std::string out = "<section id=\"scenarios\">\n<h2>Scenarios</h2>\n<div class=\"filters\">\n";
  for (auto v : kAllVerdicts) {
    out += "<label><input type=\"checkbox\" name=\"verdict\" value=\"" + std::string{verdict_name(v)} +
           "\" checked> " + std::string{verdict_name(v)} + "</label>\n";
  }
  out += "<select id=\"f-family\" aria-label=\"rule family\"><option value=\"\">all families</option>";
  for (const auto& [family, counts] : counts_by_family(run))
    out += "<option value=\"" + esc(family) + "\">" + esc(family) + " (" + std::to_string(counts.total()) + ")</option>";
  out += "</select>\n<input type=\"search\" id=\"f-search\" placeholder=\"search id, title, rule, reason\">\n"
         "<button id=\"f-expand\" type=\"button\">expand</button><button id=\"f-collapse\" type=\"button\">collapse"
         "</button>\n<span class=\"count\" id=\"f-count\"></span>\n</div>\n";
  for (const auto& s : run.scenarios) out += render_scenario(s);
  return out + "</section>\n";
}

}  // namespace

std::string render_html(const std::vector<RunResult>& runs) {
  if (runs.empty()) throw std::invalid_argument("render_html: no run to render");
  if (runs.size() > 1) return html::render_comparison(runs);
  const RunResult& run = runs.front();
  std::string out = html::page_start("partcheck: " + (run.target_name.empty() ? run.target : run.target_name));
  out += render_header(run);
  out += "<main>\n" + render_capabilities(run) + render_matrix(run) + render_scenarios(run) + "</main>\n";
  return out + html::page_end(kScript);
}

}  // namespace partcheck::runner
