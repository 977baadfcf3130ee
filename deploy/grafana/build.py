"""Writes the Grafana dashboards (deploy/grafana/dashboards/*.json) from the panels below.

    .venv/bin/python deploy/grafana/build.py           # write them
    .venv/bin/python deploy/grafana/build.py --check   # exit 1 if a file differs (tests/ops)

One overview of the platform and one dashboard per service, each panel a PromQL query over
the metrics services/common/metrics.py defines (and the recording rules of
deploy/prometheus/rules.yml).  Gauges read from a service's database are the same in every
instance of that service, so they are shown with ``max``; counters and histograms are summed.
Grafana provisions them from deploy/grafana/provisioning (docker compose mounts both).
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
SERVICES = ("case", "review", "deadline", "library", "notify")
JOBS = SERVICES + ("gateway",)
RATE = "$__rate_interval"


def ts(title, *targets, unit="short", stack=False, description=""):
    """A time series panel; ``targets`` are ``(expr, legend)``."""
    custom = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never"}
    if stack:
        custom["stacking"] = {"mode": "normal", "group": "A"}
    return {"type": "timeseries", "title": title, "description": description,
            "fieldConfig": {"defaults": {"unit": unit, "custom": custom}, "overrides": []},
            "options": {"legend": {"displayMode": "list", "placement": "bottom"},
                        "tooltip": {"mode": "multi", "sort": "desc"}},
            "targets": targets}


def stat(title, *targets, unit="short", thresholds=None, description=""):
    steps = [{"color": "green", "value": None}] + [{"color": c, "value": v} for v, c in (thresholds or [])]
    return {"type": "stat", "title": title, "description": description,
            "fieldConfig": {"defaults": {"unit": unit, "thresholds": {"mode": "absolute", "steps": steps}},
                            "overrides": []},
            "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "colorMode": "background", "graphMode": "none", "textMode": "value_and_name"},
            "targets": targets}


def table(title, *targets, description=""):
    return {"type": "table", "title": title, "description": description,
            "fieldConfig": {"defaults": {}, "overrides": []},
            "options": {"showHeader": True}, "transformations": [{"id": "merge", "options": {}}],
            "targets": [dict(t, format="table", instant=True) for t in targets]}


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": []}


def q(expr, legend=""):
    return {"expr": expr, "legendFormat": legend}


# -- panels every service has ----------------------------------------------------------------------
def entrypoints(service):
    sel = f'service="{service}"'
    return [
        row("入口 Entrypoints"),
        ts("调用次数 calls /s", q(f"sum by (entrypoint) (rate(platform_entrypoint_seconds_count{{{sel}}}[{RATE}]))",
                                   "{{entrypoint}}"), unit="reqps"),
        ts("p99 耗时 by entrypoint", q(f"histogram_quantile(0.99, sum by (entrypoint, le) "
                                        f"(rate(platform_entrypoint_seconds_bucket{{{sel}}}[{RATE}])))", "{{entrypoint}}"),
           unit="s"),
        ts("故障 faults /s (not refusals)", q(f"sum by (entrypoint) (rate(platform_entrypoint_faults_total{{{sel}}}[{RATE}]))",
                                               "{{entrypoint}}"), unit="reqps"),
        ts("错误 errors /s by type", q(f"sum by (error) (rate(platform_entrypoint_errors_total{{{sel}}}[{RATE}]))",
                                        "{{error}}"), unit="reqps"),
    ]


def outbox_and_events(service):
    sel = f'service="{service}"'
    return [
        row("事件 Outbox and events"),
        ts("发件箱待发 outbox waiting", q(f"max(platform_outbox_pending{{{sel}}})", "rows waiting"),
           q(f"max(platform_outbox_oldest_seconds{{{sel}}})", "oldest (s)")),
        ts("发出事件 published /s", q(f"sum(rate(platform_outbox_published_total{{{sel}}}[{RATE}]))", "published"),
           unit="ops"),
        ts("处理事件 handled /s by handler and outcome",
           q(f"sum by (handler, outcome) (rate(platform_events_total{{{sel}}}[{RATE}]))", "{{handler}} {{outcome}}"),
           unit="ops"),
        ts("事件延迟 p99 creation → handled", q(f"histogram_quantile(0.99, sum by (handler, le) "
                                                f"(rate(platform_event_lag_seconds_bucket{{{sel}}}[{RATE}])))", "{{handler}}"),
           unit="s"),
        ts("重试与死信 retries, dead letters",
           q(f"sum by (handler) (rate(platform_event_retries_total{{{sel}}}[{RATE}]))", "retries {{handler}}"),
           q(f"sum by (handler) (increase(platform_event_dead_letters_total{{{sel}}}[{RATE}]))", "dead {{handler}}")),
        stat("待处理失败事件 parked events", q(f"max by (state) (platform_failed_events{{{sel}}})", "{{state}}"),
             thresholds=[(1, "red")]),
    ]


def pool(service):
    sel = f'service="{service}"'
    return [
        ts("数据库连接池 DB pool", q(f'sum by (state) (platform_db_pool_connections{{{sel}}})', "{{state}}"),
           q(f"sum(platform_db_pool_capacity{{{sel}}})", "capacity")),
        stat("实例在线 instances up", q(f'sum(up{{job="{service}"}})', "up"), thresholds=None),
    ]


# -- the dashboards --------------------------------------------------------------------------------
def overview():
    return [
        row("健康 Health"),
        stat("服务在线 instances up", q(f'sum by (job) (up{{job=~"{"|".join(JOBS)}"}})', "{{job}}")),
        stat("告警 firing alerts", q('count by (alertname) (ALERTS{alertstate="firing"})', "{{alertname}}"),
             thresholds=[(1, "red")]),
        ts("请求 HTTP requests /s by status", q("sum by (status) (rate(gateway_http_requests_total[%s]))" % RATE,
                                               "{{status}}"), unit="reqps", stack=True),
        ts("网关 p99 (interactive routes)", q("gateway:http_request_seconds:p99_5m", "p99"), unit="s"),
        ts("RPC p99 by service (as the gateway sees it)", q("service:platform_rpc_client_seconds:p99_5m", "{{service}}"),
           unit="s"),
        ts("RPC 结果 by service and outcome", q("sum by (service, outcome) (rate(platform_rpc_client_seconds_count[%s]))"
                                              % RATE, "{{service}} {{outcome}}"), unit="reqps"),
        ts("故障率 fault ratio by service", q("service:platform_entrypoint_faults:ratio_5m", "{{service}}"),
           q("gateway:http_requests_5xx:ratio_5m", "gateway 5xx"), unit="percentunit"),
        row("事件 Events"),
        ts("发件箱待发 outbox waiting by service", q("service:platform_outbox_pending:max", "{{service}}")),
        ts("最旧待发 oldest unpublished", q("service:platform_outbox_oldest_seconds:max", "{{service}}"), unit="s"),
        ts("处理事件 handled /s", q("sum by (service, outcome) (rate(platform_events_total[%s]))" % RATE,
                                   "{{service}} {{outcome}}"), unit="ops"),
        ts("事件延迟 p99 by service", q("service:platform_event_lag_seconds:p99_5m", "{{service}}"), unit="s"),
        stat("死信 dead letters", q('max by (service) (platform_failed_events{state="dead"})', "{{service}}"),
             thresholds=[(1, "red")]),
        row("业务 Deadlines, notices, webhooks"),
        stat("亮灯 items by light", q("sum by (light) (light_kind:deadline_items:max)", "{{light}}")),
        stat("巡查 sweep age", q("deadline:sweep_age_seconds", "since last sweep"), unit="s",
             thresholds=[(120, "yellow"), (180, "red")]),
        stat("回执超期 unanswered past deadline", q("sum(max by (role) (notify_notices_unanswered_overdue))", "notices"),
             thresholds=[(1, "yellow")]),
        stat("订阅方 webhook subscribers", q("state:notify_subscribers:max", "{{state}}")),
        ts("投递 deliveries waiting, dead", q("max by (state) (notify_deliveries)", "{{state}}")),
        ts("登录 login failures, throttled /s", q("sum(rate(gateway_login_failures_total[%s]))" % RATE, "failures"),
           q("sum(rate(gateway_login_throttled_total[%s]))" % RATE, "throttled (429)"), unit="ops"),
        ts("连接池 DB pool in use", q("service:platform_db_pool_in_use:ratio", "{{service}}"), unit="percentunit"),
    ]


def gateway():
    return [
        row("HTTP"),
        ts("请求 requests /s by route", q("sum by (route) (rate(gateway_http_requests_total[%s]))" % RATE, "{{route}}"),
           unit="reqps"),
        ts("状态 by status", q("sum by (status) (rate(gateway_http_requests_total[%s]))" % RATE, "{{status}}"),
           unit="reqps", stack=True),
        ts("p99 by route", q("route:gateway_http_request_seconds:p99_5m", "{{route}}"), unit="s"),
        ts("p50 by route", q("histogram_quantile(0.5, sum by (route, le) (rate(gateway_http_request_seconds_bucket[%s])))"
                             % RATE, "{{route}}"), unit="s"),
        row("RPC"),
        ts("RPC calls /s by service, method", q("sum by (service, method) (rate(platform_rpc_client_seconds_count[%s]))"
                                               % RATE, "{{service}}.{{method}}"), unit="reqps"),
        ts("RPC p99 by service, method", q("service_method:platform_rpc_client_seconds:p99_5m", "{{service}}.{{method}}"),
           unit="s"),
        ts("RPC outcomes", q("sum by (outcome) (rate(platform_rpc_client_seconds_count[%s]))" % RATE, "{{outcome}}"),
           unit="reqps", stack=True),
        row("登录 Logins"),
        ts("登录失败与限流 failures, throttled", q("sum(increase(gateway_login_failures_total[%s]))" % RATE, "failures"),
           q("sum(increase(gateway_login_throttled_total[%s]))" % RATE, "throttled")),
        *pool("gateway"),
    ]


def deadline():
    return [
        row("巡查 Sweep"),
        stat("距上次巡查 since last sweep", q("deadline:sweep_age_seconds", "age"), unit="s",
             thresholds=[(120, "yellow"), (180, "red")]),
        ts("巡查耗时 sweep duration p99", q("histogram_quantile(0.99, sum by (le) (rate(deadline_sweep_duration_seconds_bucket[%s])))"
                                          % RATE, "p99"), unit="s"),
        ts("越线 crossings by level", q("sum by (level) (increase(deadline_sweep_crossings_total[%s]))" % RATE,
                                        "{{level}}"), stack=True),
        row("亮灯 Lights"),
        ts("事项 items by light and kind", q("light_kind:deadline_items:max", "{{light}} {{kind}}")),
        stat("红灯 red items", q('sum(light_kind:deadline_items:max{light="red"})', "red"), thresholds=[(1, "red")]),
        *entrypoints("deadline"), *outbox_and_events("deadline"), *pool("deadline"),
    ]


def library():
    return [
        row("检索 Search"),
        ts("检索耗时 search p50, p99",
           q("histogram_quantile(0.5, sum by (le) (rate(library_search_seconds_bucket[%s])))" % RATE, "p50"),
           q("histogram_quantile(0.99, sum by (le) (rate(library_search_seconds_bucket[%s])))" % RATE, "p99"), unit="s"),
        ts("检索 searches /s by outcome", q("sum by (outcome) (rate(library_search_seconds_count[%s]))" % RATE,
                                            "{{outcome}}"), unit="reqps"),
        *entrypoints("library"), *pool("library"),
    ]


def notify():
    return [
        row("通知 Notices and webhooks"),
        ts("通知 notices created /s", q("sum(rate(notify_notices_total[%s]))" % RATE, "notices"), unit="ops"),
        ts("回执超期 unanswered past deadline by role", q("max by (role) (notify_notices_unanswered_overdue)", "{{role}}")),
        ts("投递 deliveries waiting, dead", q("max by (state) (notify_deliveries)", "{{state}}")),
        ts("投递尝试 attempts /s", q("sum by (channel, outcome) (rate(notify_delivery_attempts_total[%s]))" % RATE,
                                      "{{channel}} {{outcome}}"), unit="ops"),
        stat("订阅方 subscribers by state", q("state:notify_subscribers:max", "{{state}}")),
        *entrypoints("notify"), *outbox_and_events("notify"), *pool("notify"),
    ]


def service(name):
    return lambda: [*entrypoints(name), *outbox_and_events(name), *pool(name)]


DASHBOARDS = {
    "platform-overview": ("平台总览 Platform overview", overview),
    "platform-gateway": ("网关 gateway", gateway),
    "platform-case": ("案件 case", service("case")),
    "platform-review": ("报送审核 review", service("review")),
    "platform-deadline": ("期限监控 deadline", deadline),
    "platform-library": ("资料袋 library", library),
    "platform-notify": ("通知 notify", notify),
}


def layout(panels):
    """Ids and grid positions: rows across, other panels two (time series) or four (stats) a row."""
    x = y = height = 0
    placed = []
    for number, panel in enumerate(panels, start=1):
        panel = dict(panel, id=number)
        if panel["type"] == "row":
            if x:
                x, y = 0, y + height
            panel["gridPos"] = {"h": 1, "w": 24, "x": 0, "y": y}
            y += 1
            x = height = 0
        else:
            width, h = (6, 4) if panel["type"] == "stat" else (12, 8)
            if x + width > 24:
                x, y = 0, y + height
                height = 0
            panel["gridPos"] = {"h": h, "w": width, "x": x, "y": y}
            panel["datasource"] = DATASOURCE
            panel["targets"] = [dict(t, refId=chr(ord("A") + i), datasource=DATASOURCE)
                                for i, t in enumerate(panel["targets"])]
            x, height = x + width, max(height, h)
        placed.append(panel)
    return placed


def dashboard(uid, title, panels):
    links = [{"title": t, "type": "link", "url": f"/d/{u}"} for u, (t, _) in DASHBOARDS.items() if u != uid]
    return {
        "uid": uid, "title": title, "tags": ["discipline-execution"], "editable": True,
        "schemaVersion": 39, "version": 1, "graphTooltip": 1, "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"}, "timezone": "browser",
        "annotations": {"list": []}, "links": links,
        "templating": {"list": [{"name": "datasource", "label": "数据源", "type": "datasource",
                                 "query": "prometheus", "current": {}, "hide": 0}]},
        "panels": layout(panels),
    }


def render():
    return {f"{uid}.json": json.dumps(dashboard(uid, title, build()), ensure_ascii=False, indent=2) + "\n"
            for uid, (title, build) in DASHBOARDS.items()}


def main(argv):
    files = render()
    if "--check" in argv:
        stale = [name for name, text in files.items()
                 if not (OUT / name).exists() or (OUT / name).read_text(encoding="utf-8") != text]
        extra = sorted(p.name for p in OUT.glob("*.json") if p.name not in files)
        if stale or extra:
            print(f"dashboards out of date: {stale + extra}; run: python deploy/grafana/build.py")
            return 1
        return 0
    OUT.mkdir(exist_ok=True)
    for name, text in files.items():
        (OUT / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} dashboards to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
