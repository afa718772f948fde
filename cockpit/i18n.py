"""Labels in 中文 (default) and English (?lang=en), and Chinese number/date formats.

Indicator names come from the catalog (name_zh / name_en); everything else a
screen says is a key here. Sections: SHELL, WALL, DESK, REPORTS — add keys to the
section of the page that uses them.
"""

from __future__ import annotations

LANGS = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    # -- SHELL ---------------------------------------------------------------
    "app_title": ("领导驾驶舱", "Leadership cockpit"),
    "as_of": ("数据截至", "Data as of"),
    "updated_at": ("更新于", "Updated"),
    "stale": (
        "数据可能已过时：最近一次成功刷新早于计划的两次刷新时间，请检查刷新任务和数据源。",
        "Data may be stale: the last successful refresh is older than two refresh intervals.",
    ),
    "nav_wall": ("校情大屏", "School screen"),
    "nav_phone": ("今日校情", "Today"),
    "nav_departments": ("各学院", "Departments"),
    "nav_catalog": ("指标字典", "Indicators"),
    "nav_status": ("数据状态", "Data status"),
    "nav_approvals": ("审批", "Approvals"),
    "refresh_failed": (
        "最近一次刷新失败，当前显示上一次成功的数据。",
        "The last refresh failed; the figures are those of the last successful one.",
    ),
    "demo_badge": ("演示模式 · 未启用登录", "Demo mode · sign-in off"),
    "sign_out": ("退出登录", "Sign out"),
    "nav_menu": ("菜单", "Menu"),
    "forbidden": ("无权查看：该内容不在您的权限范围内。", "Not allowed: this is outside your scope."),
    "offline": ("与服务器的连接中断，正在重试……", "Lost the connection to the server; retrying…"),
    "crumb_school": ("全校", "Whole school"),
    "nav_alerts": ("预警", "Alerts"),
    "alerts_title": ("预警清单", "Alerts"),
    "alerts_count": ("共 {n} 条", "{n} alerts"),
    "alerts_level": ("级别", "Level"),
    "alerts_indicator": ("指标", "Indicator"),
    "alerts_where": ("对象", "Where"),
    "alerts_all": ("全部", "All"),
    "desk_department": ("学院", "Department"),
    "desk_snapshot": ("数据日期", "Snapshot"),
    "desk_history": ("历史快照", "Past snapshot"),
    "desk_history_text": (
        "本页显示 {date} 的快照，不是最新数据。",
        "This page shows the snapshot of {date}, not the latest figures.",
    ),
    "desk_out_of_scope": (
        "没有找到该学院或专业，或不在您的权限范围内。",
        "No such department or major in your scope.",
    ),
    "desk_major_cohorts": ("各届数据", "By cohort"),
    "desk_cohort": ("届别", "Cohort"),
    "nav_departments_list": ("各学院", "Departments"),
    "dept_title": ("各学院概览", "Departments"),
    "dept_intro": (
        "点击学院名称打开该学院大屏，点击数值打开指标详情。",
        "Open a department's screen from its name, an indicator from its value.",
    ),
    "dept_code": ("代码", "Code"),
    "dept_name": ("学院", "Department"),
    "dept_status": ("状态", "Status"),
    "dept_alerts": ("预警数", "Alerts"),
    # -- ADMIN ---------------------------------------------------------------
    "nav_admin": ("管理", "Admin"),
    "admin_title": ("用户、大屏与审计", "Users, walls and audit"),
    "admin_users": ("用户", "Users"),
    "admin_walls": ("大屏设备", "Wall devices"),
    "admin_audit": ("审计日志", "Audit log"),
    "admin_name": ("用户名", "Name"),
    "admin_roles": ("角色", "Roles"),
    "admin_departments": ("学院代码（逗号分隔）", "Department codes (comma-separated)"),
    "admin_families": ("指标族", "Indicator families"),
    "admin_password": ("本地密码（可留空）", "Local password (optional)"),
    "admin_save": ("保存用户", "Save user"),
    "admin_remove": ("删除用户", "Remove user"),
    "admin_all": ("全部", "all"),
    "admin_local": ("本地密码", "Local password"),
    "admin_disabled": ("已停用", "Disabled"),
    "admin_wall_name": ("大屏名称", "Wall name"),
    "admin_wall_paths": (
        "页面（空格分隔，/ 或 /department/代码）",
        "Screens (space-separated, / or /department/CODE)",
    ),
    "admin_wall_rotate": ("轮播秒数（可留空）", "Rotate seconds (optional)"),
    "admin_wall_add": ("生成大屏链接", "Create wall link"),
    "admin_wall_revoke": ("撤销大屏", "Revoke wall"),
    "admin_wall_url": (
        "在大屏浏览器中打开一次此链接（仅一次有效）：",
        "Open this link once on the wall's browser (works once):",
    ),
    "admin_state": ("状态", "State"),
    "admin_enrolled": ("已启用", "Enrolled"),
    "admin_pending": ("待启用", "Waiting for first visit"),
    "admin_revoked": ("已撤销", "Revoked"),
    "admin_done": ("已完成：{what}", "Done: {what}"),
    "admin_at": ("时间", "Time"),
    "admin_actor": ("操作者", "Who"),
    "admin_action": ("动作", "Action"),
    "admin_target": ("对象", "Target"),
    "admin_outcome": ("结果", "Outcome"),
    "admin_ip": ("来源地址", "From"),
    "admin_detail": ("说明", "Detail"),
    "admin_csv": ("导出审计日志 CSV", "Audit log as CSV"),
    "role_leader": ("校领导", "Leader"),
    "role_department": ("二级学院", "Department"),
    "role_office": ("职能部门", "Office"),
    "role_admin": ("管理员", "Admin"),
    # -- WALL ----------------------------------------------------------------
    "school_title": ("校情综合大屏", "School overview"),
    "department_title": ("部门业务大屏", "Department screen"),
    "target": ("目标", "Target"),
    "vs_week": ("较上周", "w/w"),
    "vs_season": ("同比", "YoY"),
    "panel_progress": ("毕业去向落实进度", "Placement progress"),
    "this_cohort": ("{cohort}届", "Class of {cohort}"),
    "panel_ranking": ("各学院毕业去向落实率", "Placement rate by department"),
    "panel_majors": ("各专业毕业去向落实率", "Placement rate by major"),
    "panel_destinations": ("毕业生去向：对口·省内·市内", "Where graduates work"),
    "panel_fit": ("专业—产业结构匹配", "Major–industry fit"),
    "fit_index": ("匹配度", "Fit index"),
    "supply_demand": ("专业供给 vs 区域需求 偏离度", "Supply vs regional demand: deviation"),
    "panel_internship": ("岗位实习", "Internships"),
    "panel_latency": ("审批时长（按周）", "Approval latency by week"),
    "panel_backlog": ("在办积压（按流程）", "Pending approvals by process"),
    "panel_steps": ("最慢审批环节（本月中位数）", "Slowest steps (median)"),
    "panel_dept_internship": ("各专业实习保险覆盖率", "Internship insurance by major"),
    "sla_line": ("时限（各流程SLA中位数）{sla}", "SLA (median of processes) {sla}"),
    "alerts": ("预警", "Alerts"),
    "no_alerts": ("当前没有预警", "No alerts"),
    "level_warning": ("预警", "warning"),
    "level_critical": ("严重", "critical"),
    "threshold": ("阈值", "threshold"),
    # after an alert's value in the ticker: full-width brackets in Chinese only
    "threshold_note": ("（阈值 {value}）", " (threshold {value})"),
    "no_data": ("暂无数据", "No data"),
    "no_snapshot": (
        "还没有可用的指标快照。请先运行 python -m cockpit refresh（演示数据：make run）。",
        "No snapshot yet. Run python -m cockpit refresh (demo: make run).",
    ),
    "unknown_department": ("没有找到学院“{code}”。", "No academic department “{code}”."),
    "back_to_school": ("返回校情大屏", "Back to the school screen"),
    "compliance_gap": ("合规缺口", "compliance gap"),
    "uninsured": ("未投保实习", "Uninsured"),
    "underpaid": ("报酬不达标", "Underpaid"),
    "phone_home_link": ("手机版：今日校情 →", "Phone view: Today →"),
    # -- PHONE (/m) ----------------------------------------------------------
    "phone_title": ("今日校情", "Today"),
    "phone_alerts_unit": ("条", "open"),
    # -- DESK ----------------------------------------------------------------
    "desk_definition": ("口径", "Definition"),
    "desk_formula": ("计算公式", "Formula"),
    "desk_unit": ("单位", "Unit"),
    "desk_direction": ("方向", "Direction"),
    "desk_owner": ("负责部门", "Owner"),
    "desk_sources": ("来源表", "Source tables"),
    "desk_grains": ("粒度", "Grains"),
    "desk_periods": ("周期", "Periods"),
    "desk_thresholds": ("目标与阈值", "Target and thresholds"),
    "desk_target": ("目标", "Target"),
    "desk_warning": ("预警", "Warning"),
    "desk_critical": ("严重预警", "Critical"),
    "desk_level": ("预警级别", "Alert level"),
    "desk_level_ok": ("—", "—"),
    "not_yet_due": ("未到统计期", "not yet due"),
    "not_yet_due_text": (
        "未到统计期：该届学生尚未到本指标的统计时点，暂无数据。",
        "Not yet due: this cohort has not reached the point where this indicator is measured.",
    ),
    "status_met": ("达标", "Target met"),
    "status_below": ("未达标", "Below target"),
    "status_warning": ("预警", "Warning"),
    "status_critical": ("严重", "Critical"),
    "desk_none": ("未设", "not set"),
    "desk_higher": ("越高越好", "higher is better"),
    "desk_lower": ("越低越好", "lower is better"),
    "unit_ratio": ("比例（%）", "ratio (%)"),
    "unit_yuan": ("元", "yuan"),
    "unit_workdays": ("工作日", "working days"),
    "unit_count": ("个数", "count"),
    "unit_index": ("指数（0–1）", "index (0–1)"),
    "unit_score": ("分（0–100）", "score (0–100)"),
    "grain_school": ("全校", "School"),
    "grain_department": ("院系", "Department"),
    "grain_major": ("专业", "Major"),
    "grain_process": ("流程", "Process"),
    "grain_step": ("环节", "Step"),
    "grain_industry": ("行业门类", "Industry section"),
    "period_cohort": ("届别", "Cohort"),
    "period_month": ("月", "Month"),
    "period_week": ("周", "Week"),
    "period_day": ("统计日", "Day"),
    "desk_period": ("统计期", "Period"),
    "desk_breakdown": ("分项明细", "Breakdown"),
    "desk_trend": ("历次快照走势", "Over the snapshots"),
    "desk_series_month": ("近12个月（当前快照）", "Last 12 months (current snapshot)"),
    "desk_series_week": ("近13周（当前快照）", "Last 13 weeks (current snapshot)"),
    "desk_csv": ("下载CSV", "Download CSV"),
    "desk_name": ("名称", "Name"),
    "desk_code": ("代码", "Code"),
    "desk_value": ("数值", "Value"),
    "desk_display": ("显示值", "Shown as"),
    "desk_numerator": ("分子", "Numerator"),
    "desk_denominator": ("分母", "Denominator"),
    "desk_n": ("样本数", "Observations"),
    "desk_as_of": ("统计日", "As of"),
    "desk_unknown_metric": ("没有这个指标：", "No such indicator: "),
    "desk_to_catalog": ("查看指标字典", "See the indicator catalog"),
    "desk_no_snapshot": (
        "还没有可用的指标快照。请先运行 python -m cockpit refresh。",
        "No snapshot yet. Run python -m cockpit refresh first.",
    ),
    "desk_no_values": ("该统计期在此粒度下没有数据。", "No values for this period at this grain."),
    "desk_no_history": ("快照库中只有一份快照，暂无走势。", "Only one snapshot in the store: no trend yet."),
    "desk_no_total_trend": (
        "此指标没有全校值，分项过多不宜同图展示，请看分项明细。",
        "No school-wide value and too many groups for one chart: see the breakdown.",
    ),
    "desk_scope_note": (
        "按流程、环节和行业的数据只对全校范围开放。",
        "Process, step and industry figures are shown for the whole school only.",
    ),
    "desk_failed_metrics": ("本快照未能计算的指标", "Indicators this snapshot could not compute"),
    "catalog_title": ("指标字典", "Indicator catalog"),
    "catalog_intro": (
        "全部指标的口径、公式、来源表、粒度、周期、方向、单位、负责部门与配置的目标和阈值。",
        "Every indicator: definition, formula, source tables, grains, periods, direction, unit, "
        "owner, and the configured target and thresholds.",
    ),
    "family_employment": ("毕业去向", "Employment"),
    "family_internship": ("岗位实习", "Internship"),
    "family_fit": ("专业与产业匹配", "Major–industry fit"),
    "family_approvals": ("审批效能", "Approvals"),
    "family_steps": ("审批环节", "Approval steps"),
    "appr_title": ("审批效能", "Approvals"),
    "appr_processes": ("流程一览", "Processes"),
    "appr_volume": ("发起量", "Submitted"),
    "appr_p50": ("时长P50", "Latency P50"),
    "appr_p90": ("时长P90", "Latency P90"),
    "appr_overdue": ("超时率", "Overdue rate"),
    "appr_backlog": ("在办积压", "Pending"),
    "appr_oldest": ("最长在办", "Oldest pending"),
    "appr_sla": ("办结时限", "SLA"),
    "appr_steps": ("环节时长中位数", "Step latency P50"),
    "appr_step_trend": ("各环节近12个月", "Steps over 12 months"),
    "appr_pending": ("最久未办结的审批件", "Oldest pending instances"),
    "appr_instance": ("审批单号", "Instance"),
    "appr_waiting_step": ("当前环节", "Waiting at step"),
    "appr_submitted": ("发起时间", "Submitted"),
    "appr_age": ("已等待", "Age"),
    "appr_back": ("返回流程一览", "Back to all processes"),
    "appr_unknown_process": ("没有这个流程：", "No such process: "),
    "appr_month_of": ("统计月", "Month"),
    "appr_step_no": ("顺序", "No."),
    "appr_step_pending": ("在办件数", "Pending"),
    "appr_step_oldest": ("最久等待", "Oldest"),
    "appr_workflow": ("流程环节（按审批顺序）", "Steps in workflow order"),
    "appr_no_step": (
        "另有 {n} 件各环节均已办理、流程尚未办结。",
        "{n} more have every step acted but are not closed yet.",
    ),
    "appr_at_step": ("在此环节等待的审批件", "Instances waiting at this step"),
    "appr_at_step_count": ("共 {n} 件", "{n} in all"),
    "appr_at_step_listed": (
        "共 {n} 件，列出最久的 {shown} 件",
        "{n} in all; the {shown} oldest are listed",
    ),
    "appr_department": ("申请部门", "Applicant department"),
    "appr_none_at_step": ("此环节当前没有在办件。", "Nothing is waiting at this step."),
    "appr_step_age": ("本环节已等待", "Waiting at step"),
    "appr_over_sla": ("超时限", "Over SLA"),
    "appr_over_yes": ("超时", "over"),
    "appr_unknown_step": ("这个流程没有这个环节：", "No such step in this process: "),
    "appr_back_process": ("返回流程环节", "Back to the process"),
    "appr_oa_link": ("在OA中打开", "Open in the OA system"),
    "appr_filter_note": (
        "环节时长为全校数据；在办件按申请部门筛选。",
        "Step latencies are the school's; pending instances are filtered by applicant department.",
    ),
    # -- internship hosts (pages/internships.py) --------------------------------
    "nav_internships": ("实习单位", "Internship hosts"),
    "hosts_title": ("实习单位问题清单", "Internship hosts to act on"),
    "hosts_intro": (
        "{cohort}已开始的岗位实习中，有未投保、报酬不达标（低于同岗工资80%）或企业评价低于{low}分的实习单位。",
        "Host enterprises of the {cohort} internships under way with an uninsured or underpaid "
        "(below 80% of the reference wage) internship, or a score below {low}.",
    ),
    "hosts_intro_no_low": (
        "{cohort}已开始的岗位实习中，有未投保或报酬不达标（低于同岗工资80%）的实习单位（未配置评价预警线）。",
        "Host enterprises of the {cohort} internships under way with an uninsured or underpaid "
        "(below 80% of the reference wage) internship (no score warning threshold configured).",
    ),
    "hosts_enterprise": ("实习单位", "Host enterprise"),
    "hosts_code": ("统一社会信用代码", "Credit code"),
    "hosts_partner": ("合作企业", "Partner"),
    "hosts_internships": ("实习数", "Internships"),
    "hosts_uninsured": ("未投保", "Uninsured"),
    "hosts_underpaid": ("报酬不达标", "Underpaid"),
    "hosts_pay_known": ("有报酬数据", "With pay data"),
    "hosts_avg_score": ("企业评价均分", "Mean score"),
    "hosts_low_score": ("低分实习", "Low scores"),
    "hosts_departments": ("学生所在学院", "Students' departments"),
    "hosts_count": ("{n} 家单位", "{n} enterprises"),
    "hosts_none": ("当前范围内没有需要处理的实习单位。", "No host enterprise to act on in this scope."),
    "hosts_not_computed": (
        "当前快照没有实习单位数据，下次刷新后可见。",
        "This snapshot has no host figures; the next refresh computes them.",
    ),
    "hosts_family_note": ("没有查看岗位实习指标的权限。", "Internship figures are outside your access."),
    "yes": ("是", "yes"),
    "status_title": ("数据状态", "Data status"),
    "status_current": ("当前快照", "Current snapshot"),
    "status_next_run": ("下次计划刷新", "Next scheduled refresh"),
    "status_no_schedule": ("本进程未安排刷新", "no refresh scheduled"),
    "status_backfill": ("历史回填", "History backfill"),
    "status_backfill_progress": ("{done}/{total} 周", "{done} of {total} weeks"),
    "status_backfill_starting": ("正在准备", "starting"),
    "status_backfill_done": ("已完成（{total} 个快照）", "done ({total} snapshots)"),
    "status_first_reports": ("上周报告", "Last week's reports"),
    "status_reports_running": ("{week} 正在生成", "{week} being made"),
    "status_reports_done": ("{week} 已生成", "{week} made"),
    "status_task_failed": ("失败：{detail}", "failed: {detail}"),
    "status_last_failed": ("最近一次刷新失败", "The last refresh failed"),
    "status_showing_previous": ("当前显示上一次成功的数据。", "The screens show the last successful data."),
    "status_snapshots": ("最近的快照", "Recent snapshots"),
    "status_id": ("编号", "Id"),
    "status_started": ("开始时间", "Started"),
    "status_duration": ("耗时", "Duration"),
    "status_status": ("状态", "Status"),
    "status_trigger": ("触发方式", "Trigger"),
    "status_error": ("错误", "Error"),
    "status_quality": ("数据质量", "Data quality"),
    "status_rule": ("规则", "Rule"),
    "status_table": ("表", "Table"),
    "status_rows": ("行数", "Rows"),
    "status_extract_mb": ("抽取MB", "Extract MB"),
    "status_extract_s": ("抽取秒", "Extract s"),
    "status_examples": ("示例键", "Example keys"),
    "status_no_quality": ("未发现数据质量问题。", "No data-quality issue found."),
    "status_sources": ("源表行数", "Source row counts"),
    "status_clean_checks": (
        "另有 {n} 项规则与表的检查未发现问题。",
        "{n} more rule/table checks found nothing.",
    ),
    "status_superseded": ("已被当日新快照取代", "superseded"),
    "status_ok": ("成功", "ok"),
    "status_partial": ("部分成功", "partial"),
    "status_failed": ("失败", "failed"),
    "status_running": ("运行中", "running"),
    "status_abandoned": ("已中断", "abandoned"),
    "trigger_schedule": ("定时", "schedule"),
    "trigger_cli": ("命令行", "command line"),
    "trigger_backfill": ("补算历史", "backfill"),
    # -- REPORTS -------------------------------------------------------------
    "nav_reports": ("周报", "Weekly reports"),
    "reports_title": ("周报归档", "Weekly report archive"),
    "reports_intro": (
        "每周生成的全校周报与各学院周报，按周排列，最新的在前。",
        "The school's and each department's weekly reports, newest week first.",
    ),
    "reports_empty": (
        "归档中还没有周报。周报每周一早上自动生成（上一个完整周）；管理员也可以在本页生成。",
        "No weekly report in the archive yet. They are made every Monday morning (the last full week); "
        "an admin can also make one on this page.",
    ),
    "reports_partial": ("本周未完", "week under way"),
    "reports_generate": ("生成周报", "Make weekly reports"),
    "reports_generate_button": ("生成", "Make"),
    "reports_generate_started": ("已开始生成 {week} 的周报…", "Making the reports of {week}…"),
    "reports_generate_running": ("正在生成…", "Working…"),
    "reports_generate_done": ("已生成 {week} 的 {n} 个文件。", "{n} file(s) of {week} made."),
    "reports_generate_reload": ("刷新归档", "Reload the archive"),
    "reports_generate_failed": ("生成失败", "Failed"),
    "reports_week": ("{year}年第{week}周", "Week {week}, {year}"),
    "reports_report": ("报告", "Report"),
    "reports_school": ("全校周报", "School report"),
    "reports_department": ("{name}周报", "{name}"),
    "reports_files": ("下载", "Download"),
    "reports_format_pdf": ("PDF报告", "PDF report"),
    "reports_format_png": ("大屏图片", "Screen PNG"),
    "reports_format_card": ("摘要卡片", "Summary card"),
    "reports_created": ("生成时间", "Generated"),
    "reports_count": ("{n} 份报告", "Reports: {n}"),
    "export_png": ("导出图片", "Export PNG"),
    "export_pdf": ("导出PDF", "Export PDF"),
    "export_title": ("下载本页（当前筛选与语言）", "Download this page as shown (filters and language)"),
    "export_busy": ("正在生成…", "Preparing…"),
    "export_failed": ("导出失败", "Export failed"),
    "export_weekly": ("周报", "Weekly report"),
    "export_weekly_title": ("打开周报归档", "Open the weekly report archive"),
    # -- WALL charts: the unit of each chart's value axis (issue 10) ----------------
    "axis_ratio": ("百分比（%）", "percent (%)"),
    "axis_workdays": ("工作日", "working days"),
    "axis_count": ("件数", "items"),
    "axis_yuan": ("元", "yuan"),
    "axis_index": ("指数（0–1）", "index (0–1)"),
    "axis_score": ("分", "points"),
    "deviation_axis": (
        "偏离度 = 毕业生占比 ÷ 区域需求占比 − 1",
        "deviation = graduates' share ÷ regional demand share − 1",
    ),
    "deviation_hover": (
        "毕业生占比 %{customdata[1]:.1%} · 区域需求占比 %{customdata[2]:.1%}",
        "graduates' share %{customdata[1]:.1%} · regional demand share %{customdata[2]:.1%}",
    ),
}


def lang_of(query: dict | None) -> str:
    """The language a page speaks: ?lang=en switches to English, anything else is 中文."""
    return "en" if (query or {}).get("lang") == "en" else "zh"


def t(key: str, lang: str = "zh") -> str:
    """The label for a key; an unknown key is a bug, so it raises."""
    zh, en = LABELS[key]
    return en if lang == "en" else zh


# -- DESK formats ------------------------------------------------------------


def desk_number(value: float | None, unit: str, lang: str = "zh") -> str:
    """A value as the desk pages show it: 92.6%, 4,827元, 1.3个工作日 (English:
    4,827 yuan, 1.3 wd). Kept beside the labels so both languages change together."""
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "yuan":
        return f"{value:,.0f}元" if lang == "zh" else f"{value:,.0f} yuan"
    if unit == "workdays":
        return f"{value:.1f}个工作日" if lang == "zh" else f"{value:.1f} wd"
    if unit == "score":
        return f"{value:.1f}分" if lang == "zh" else f"{value:.1f}"
    if unit == "index":
        return f"{value:.3f}"
    return f"{value:,.0f}"


def desk_date(iso: str | None, lang: str = "zh") -> str:
    """2026-11-21 -> 2026年11月21日 (English keeps ISO)."""
    if not iso:
        return "—"
    y, m, d = iso[:10].split("-")
    return f"{y}年{int(m)}月{int(d)}日" if lang == "zh" else iso[:10]


def desk_period(period: str, lang: str = "zh") -> str:
    """cohort:2026 -> 2026届, month:2026-03 -> 2026年3月, week:2026-W10 -> 2026年第10周, day:… -> a date."""
    kind, _, rest = period.partition(":")
    if kind == "cohort":
        return f"{rest}届" if lang == "zh" else f"class of {rest}"
    if kind == "month":
        return f"{rest[:4]}年{int(rest[5:7])}月" if lang == "zh" else rest
    if kind == "week":
        return f"{rest[:4]}年第{int(rest[6:])}周" if lang == "zh" else rest
    if kind == "day":
        return desk_date(rest, lang)
    return period


# -- formats (SHELL/WALL): 92.6%, 4,827元, 1.3个工作日, 2026年11月21日, 14:30 -------

_UNITS = {
    "yuan": ("{:,.0f}元", "{:,.0f} yuan"),
    "workdays": ("{:.1f}个工作日", "{:.1f} workdays"),
    "score": ("{:.1f}分", "{:.1f} pts"),
    "index": ("{:.3f}", "{:.3f}"),
    "count": ("{:,.0f}", "{:,.0f}"),
}
_CHANGE_UNITS = {
    "ratio": ("{:+.1f}个百分点", "{:+.1f} pp"),
    "yuan": ("{:+,.0f}元", "{:+,.0f} yuan"),
    "workdays": ("{:+.1f}个工作日", "{:+.1f} workdays"),
    "score": ("{:+.1f}分", "{:+.1f} pts"),
    "index": ("{:+.3f}", "{:+.3f}"),
    "count": ("{:+,.0f}", "{:+,.0f}"),
}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fmt_value(value: float | None, unit: str, lang: str = "zh") -> str:
    """A figure as screens show it; "—" when there is none (never a made-up 0)."""
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    zh, en = _UNITS.get(unit, _UNITS["count"])
    return (en if lang == "en" else zh).format(value)


def fmt_change(delta: float | None, unit: str, lang: str = "zh") -> str:
    """A change between two snapshots: rates in percentage points; "—" without a comparison."""
    if delta is None:
        return "—"
    zh, en = _CHANGE_UNITS.get(unit, _CHANGE_UNITS["count"])
    text = (en if lang == "en" else zh).format(delta * 100 if unit == "ratio" else delta)
    if change_is_zero(delta, unit):
        text = text.replace("+", "", 1).replace("-", "", 1)  # no change: neither "+0.0" nor "−0.0"
    return text


def change_is_zero(delta: float | None, unit: str) -> bool:
    """True when a change shows as zero at its display precision: a neutral change, never
    coloured as better or worse."""
    if delta is None:
        return False
    digits = {"ratio": 1, "workdays": 1, "score": 1, "index": 3}.get(unit, 0)
    shown = delta * 100 if unit == "ratio" else delta
    return round(shown, digits) == 0


def fmt_date(iso: str | None, lang: str = "zh") -> str:
    """2026年11月21日 / 21 Nov 2026, from YYYY-MM-DD (or a longer ISO text)."""
    if not iso:
        return "—"
    y, m, d = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    return f"{d} {_MONTHS_EN[m - 1]} {y}" if lang == "en" else f"{y}年{m}月{d}日"


def fmt_time(iso: str | None) -> str:
    """14:30, from an ISO date-time."""
    return iso[11:16] if iso and len(iso) >= 16 else "—"


# A value's status against target and thresholds (cockpit.service.status_of) -> label key.
STATUS_KEYS = {
    "critical": "status_critical",
    "warning": "status_warning",
    "below": "status_below",
    "met": "status_met",
    None: "desk_level_ok",
}


def status_label(status: str | None, lang: str = "zh") -> str:
    """达标 / 未达标 / 预警 / 严重, or "—" without a target."""
    return t(STATUS_KEYS.get(status, "desk_level_ok"), lang)
