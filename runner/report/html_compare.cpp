#include "runner/report/html_compare.hpp"

#include <map>
#include <optional>
#include <set>

#include "runner/report/html_page.hpp"
#include "runner/report/run_summary.hpp"
#include "common/text_escape.hpp"

namespace partcheck::runner::html {
namespace {

constexpr std::string_view kScript = R"js(
(function(){
var only=document.getElementById('only-diff');
function apply(){[].slice.call(document.querySelectorAll('table.compare tbody tr')).forEach(function(tr){
  tr.hidden=only.checked&&!tr.classList.contains('diff')&&!tr.classList.contains('family');});}
only.addEventListener('change',apply);apply();
})();
)js";

std::string esc(std::string_view text) { return html_escape(text); }

std::string target_label(const RunResult& run) { return run.target_name.empty() ? run.target : run.target_name; }

// A row's cells: one verdict per run, or none when that run did not have the rule/scenario.
using Row = std::vector<std::optional<Verdict>>;

bool differs(const Row& row) {
  std::set<int> seen;
  for (const auto& v : row) seen.insert(v ? static_cast<int>(*v) : -1);
  return seen.size() > 1;
}

std::string cells(const Row& row, const std::vector<std::string>& titles) {
  std::string out;
  for (std::size_t i = 0; i < row.size(); ++i) {
    out += "<td class=\"v\"";
    if (!titles[i].empty()) out += " title=\"" + esc(titles[i]) + "\"";
    out += ">" + (row[i] ? verdict_badge(*row[i]) : std::string{"<span class=\"muted\">not run</span>"}) + "</td>";
  }
  return out;
}

std::string column_heads(const std::vector<RunResult>& runs) {
  std::string out;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    out += "<th class=\"n\">" + std::string(1, static_cast<char>('A' + i % 26)) + "<br><span class=\"muted\">" +
           esc(target_label(runs[i])) + "</span></th>";
  }
  return out;
}

std::string render_targets(const std::vector<RunResult>& runs) {
  std::string out = "<table>\n<thead><tr><th></th><th>Target</th><th>URL</th><th>Started</th>";
  for (auto v : kAllVerdicts) out += "<th class=\"n\">" + std::string{verdict_name(v)} + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto counts = count_verdicts(runs[i]);
    out += "<tr><th>" + std::string(1, static_cast<char>('A' + i % 26)) + "</th><td>" + esc(target_label(runs[i])) +
           "</td><td><code>" + esc(runs[i].target) + "</code></td><td>" + esc(runs[i].started_at) + "</td>";
    for (auto v : kAllVerdicts) {
      out += counts[v] == 0 ? std::string{"<td class=\"n zero\">0</td>"}
                            : "<td class=\"n v-" + std::string{verdict_slug(v)} + "\">" + std::to_string(counts[v]) +
                                  "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string render_rules(const std::vector<RunResult>& runs) {
  // Every rule any run checked, in catalogue order: summarise the union of all scenarios.
  RunResult all;
  std::vector<std::map<std::string, Verdict>> verdicts(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    all.scenarios.insert(all.scenarios.end(), runs[i].scenarios.begin(), runs[i].scenarios.end());
    for (const auto& rule : summarize_rules(runs[i])) verdicts[i][rule.id] = rule.verdict;
  }
  std::string out = "<h2>Rules</h2>\n<table class=\"compare\">\n<thead><tr><th>Rule</th><th>Level</th>"
                    "<th>Statement</th>" + column_heads(runs) + "</tr></thead>\n<tbody>\n";
  std::string family;
  for (const auto& rule : summarize_rules(all)) {
    if (rule.family != family) {
      family = rule.family;
      out += "<tr class=\"family\"><th colspan=\"" + std::to_string(3 + runs.size()) + "\">" + esc(family) +
             "</th></tr>\n";
    }
    Row row;
    for (const auto& per_run : verdicts) {
      auto it = per_run.find(rule.id);
      row.push_back(it == per_run.end() ? std::nullopt : std::optional<Verdict>{it->second});
    }
    out += std::string{"<tr"} + (differs(row) ? " class=\"diff\"" : "") + "><th class=\"sc mono\">" + esc(rule.id) +
           "</th><td><span class=\"level level-" + esc(rule.level) + "\">" + esc(rule.level) + "</span></td><td>" +
           text_with_code(rule.text) + "</td>" + cells(row, std::vector<std::string>(runs.size())) + "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string render_scenarios(const std::vector<RunResult>& runs) {
  std::vector<std::pair<std::string, std::string>> order;  // id, title, by first appearance
  std::vector<std::map<std::string, const ScenarioResult*>> by_id(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    for (const auto& s : runs[i].scenarios) {
      bool known = false;
      for (const auto& m : by_id) known = known || m.count(s.id) > 0;
      if (!known) order.emplace_back(s.id, s.title);
      by_id[i][s.id] = &s;
    }
  }
  std::string out = "<h2>Scenarios</h2>\n<table class=\"compare\">\n<thead><tr><th>Scenario</th><th>Title</th>" +
                    column_heads(runs) + "</tr></thead>\n<tbody>\n";
  for (const auto& [id, title] : order) {
    Row row;
    std::vector<std::string> reasons;
    for (const auto& m : by_id) {
      auto it = m.find(id);
      row.push_back(it == m.end() ? std::nullopt : std::optional<Verdict>{it->second->verdict});
      reasons.push_back(it == m.end() ? std::string{} : it->second->reason);
    }
    out += std::string{"<tr"} + (differs(row) ? " class=\"diff\"" : "") + "><th class=\"sc mono\">" + esc(id) +
           "</th><td>" + esc(title) + "</td>" + cells(row, reasons) + "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

}  // namespace

std::string render_comparison(const std::vector<RunResult>& runs) {
  std::string title = "partcheck comparison:";
  for (const auto& run : runs) title += " " + target_label(run);
  std::string out = page_start(title);
  out += "<header>\n<h1>partcheck comparison of " + std::to_string(runs.size()) + " targets</h1>\n"
         "<div class=\"meta\">rows where the targets differ are highlighted; hover a verdict for its reason</div>\n"
         "</header>\n<main>\n<h2>Targets</h2>\n" + render_targets(runs) +
         "<div class=\"filters\"><label><input type=\"checkbox\" id=\"only-diff\"> only differences</label></div>\n" +
         render_rules(runs) + render_scenarios(runs) + "</main>\n";
  return out + page_end(kScript);
}

}  // namespace partcheck::runner::html
