"""The desk in a real headless Chromium: a coordinator launches through the form and prints
the 受理通知书; an officer in a second browser claims, asks for a supplement, and approves
once the window has received it, while the coordinator's case page follows live; the
applicant checks progress on a phone and rates; a sibling center's coordinator cannot open
the case. axe-core runs on every page (see conftest.py)."""

import gzip
import re
import urllib.request

from conftest import SHOTS

COMPANY = {
    "#f-applicant": "吉林市江城食品有限公司（筹）",
    "#f-legal_representative": "赵敏",
    "#f-enterprise_name": "吉林市江城食品有限公司",
    "#f-registered_capital_wan": "300",
    "#f-business_scope": "食品销售\n餐饮服务",
    "#f-address": "吉林省吉林市丰满区吉林大街100号",
    "#f-employees": "8",
}


def definition(page, label):
    """The text of the <dd> after the <dt> that starts with `label`."""
    return page.locator(f"dt:has-text('{label}') + dd").first.inner_text().strip()


def launch_through_form(coordinator):
    page = coordinator.page
    coordinator.go("/cases")
    coordinator.look("board")
    page.get_by_role("link", name="发起并联审批 launch").click()
    coordinator.look("launch-choose")
    page.get_by_role("link", name=re.compile("企业登记注册并联审批")).first.click()
    coordinator.look("launch-form")

    # An empty form comes back with every required field named.
    page.get_by_role("button", name="预览 Preview").click()
    errors = page.locator("#form-errors")
    errors.wait_for()
    assert "申请人" in errors.inner_text()
    assert page.locator("#f-applicant[aria-invalid=true]").count() == 1
    coordinator.look("launch-form-errors", allow_status=True)

    for selector, value in COMPANY.items():
        page.fill(selector, value)
    page.select_option("#f-enterprise_type", "limited_company")
    for field, value in [
        ("name_pre_approved", "false"),
        ("organization_code_required", "false"),
        ("needs_invoices", "true"),
        ("wants_seal", "true"),
        ("wants_bank_account", "true"),
        ("public_gathering_place", "false"),
        ("green_channel", "false"),
    ]:
        page.check(f"#f-{field}-{value}")
    page.get_by_role("button", name="预览 Preview").click()
    page.get_by_role("heading", name=re.compile("预览 Preview")).wait_for()
    preview = page.content()
    assert "食品经营许可" in preview, "the food business scope brings the food licence"
    assert "关键路径" in preview
    coordinator.look("launch-preview")

    page.get_by_role("button", name="确认发起并联审批 Confirm and launch").click()
    page.get_by_role("heading", name=re.compile("受理通知书")).wait_for()
    case = definition(page, "案件编号")
    code = definition(page, "查询码")
    assert re.fullmatch(r"[\w/-]+", case), case
    assert code, "the access code is shown on the notice"
    assert definition(page, "承诺办结")
    coordinator.look("notice")
    assert page.locator("[data-print]").count() == 1, "the notice has a print button"
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / f"{coordinator.name}-notice-print.png"), full_page=True)
    page.pdf(path=str(SHOTS / "notice.pdf"))
    assert not page.locator("header.top").is_visible(), "the navigation is not printed"
    page.emulate_media(media="screen")
    return case, code


def test_a_case_from_the_window_through_the_departments_to_the_applicant(desk, server):
    coordinator = desk("coordinator").log_in("coordinator-city")
    case, code = launch_through_form(coordinator)

    # The case page: Gantt and DAG drawn, the intake ready; a marker shows it never reloads.
    page = coordinator.page
    page.get_by_role("link", name="查看案件 Open the case").click()
    page.get_by_role("heading", name=re.compile(f"案件 Case {re.escape(case)}")).wait_for()
    assert page.locator(".chart svg").count() == 2
    coordinator.look("case")
    left_out = page.locator("main").inner_text()
    assert "组织机构代码证" in left_out.split("不适用事项")[1], "left-out items by name"
    page.evaluate("window.__sameDocument = true")
    intake_row = page.locator("#case-live tbody tr").filter(
        has=page.get_by_role("link", name=re.compile("^综合受理"))
    )

    # The window officer, in a second browser, claims the intake from the inbox.
    officer = desk("officer").log_in("officer-service-center")
    officer.go("/inbox")
    officer.page.locator("#inbox-live").get_by_text(case).wait_for()
    officer.look("inbox")
    officer.page.get_by_role("button", name="认领下一件 Claim next").click()
    officer.page.get_by_role("heading", name=re.compile("综合受理")).wait_for()
    assert "办理中 claimed" in officer.page.locator("#task-live").inner_text()
    officer.look("task-claimed")
    intake_row.get_by_text("办理中 claimed").wait_for()

    # One-time supplement request: a material from the checklist plus free text.
    officer.page.locator("fieldset.checks input[type=checkbox]").first.check()
    officer.page.fill("#other", "股东会决议（原件）")
    officer.page.get_by_role("button", name="一次性告知补正 Request supplement").click()
    officer.page.locator("#task-live").get_by_text("待补正 supplement").wait_for()
    officer.look("task-supplement")

    # The coordinator's page shows it live, and the window marks the supplement received.
    intake_row.get_by_text("待补正 supplement").wait_for()
    assert "股东会决议" in intake_row.inner_text()
    assert page.evaluate("window.__sameDocument === true"), "the case page was reloaded"
    live = page.locator("#live-status")
    assert "更新" in live.inner_text() or live.inner_text() == ""
    coordinator.look("case-supplement")
    intake_row.get_by_role("button", name="补正材料已收 Supplement received").click()
    intake_row.get_by_text("待补正 supplement").wait_for(state="detached")

    # The officer's task page follows live too: the task is back, and the officer approves
    # with an opinion (claiming again when the supplement put it back in the queue).
    officer.page.evaluate("window.__sameDocument = true")
    decision = officer.page.get_by_role("button", name=re.compile("^(认领 Claim|通过 Approve)$"))
    decision.first.wait_for()
    assert officer.page.evaluate("window.__sameDocument === true")
    claim = officer.page.get_by_role("button", name="认领 Claim", exact=True)
    if claim.count():
        claim.click()
    officer.page.fill("#opinion", "材料齐全，同意受理")
    officer.page.get_by_role("button", name="通过 Approve").click()
    officer.page.locator("#task-live").get_by_text("已通过 approved").wait_for()
    officer.look("task-approved")
    page.reload()
    intake_row.get_by_text("已通过 approved").wait_for()
    assert "材料齐全" in page.locator(".timeline").inner_text()

    # The applicant checks progress on a phone with the case id and the access code.
    applicant = desk("applicant", viewport={"width": 390, "height": 844})
    applicant.go("/inquiry")
    applicant.look("inquiry-form")
    applicant.page.fill("#case", case)
    applicant.page.fill("#code", "000000")
    applicant.page.get_by_role("button", name=re.compile("查询进度")).click()
    applicant.page.get_by_role("alert").wait_for()
    applicant.look("inquiry-wrong-code", allow_status=True)
    applicant.page.fill("#case", case)
    applicant.page.fill("#code", code)
    applicant.page.get_by_role("button", name=re.compile("查询进度")).click()
    progress = applicant.page.get_by_role("table", name=re.compile("各部门办理情况"))
    progress.wait_for()
    assert "综合受理" in progress.inner_text()
    width = applicant.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the applicant page fits a phone ({width}px wide)"
    applicant.look("inquiry-progress")

    # Every department approves; the window issues; the applicant rates.
    assert server.approve_all(case) >= 6
    page.reload()
    page.get_by_role("button", name="一个窗口出件 Issue").click()
    page.get_by_role("heading", name=re.compile("已办结|issued|出件")).first.wait_for()
    coordinator.look("case-issued")
    applicant.page.fill("#case", case)
    applicant.page.fill("#code", code)
    applicant.page.get_by_role("button", name=re.compile("查询进度")).click()
    applicant.page.get_by_label(re.compile("满意 ★★★★$")).check()
    applicant.page.get_by_role("button", name="提交评价 Rate").click()
    applicant.page.get_by_text("感谢您的评价").wait_for()
    applicant.look("inquiry-rated")
    status, view = server.api("GET", f"/api/v1/cases/{case}", "coordinator-city")
    assert status == 200 and "4" in str(view["rating"]), view["rating"]

    # A sibling center's coordinator cannot open the case, nor find it on the board.
    sibling = desk("sibling").log_in("coordinator-fengman")
    reply = sibling.go(f"/cases/{case}")
    assert reply.status == 404
    assert "江城食品" not in sibling.page.content()
    sibling.look("sibling-refused", allow_status=True)
    sibling.go(f"/cases?q={case}")
    assert case not in sibling.page.locator("main").inner_text()
    sibling.look("sibling-board")


def test_the_board_filters_and_the_other_roles_pages(desk, server):
    coordinator = desk("coordinator2").log_in("coordinator-city")
    case, _ = launch_through_form(coordinator)
    page = coordinator.page
    coordinator.go("/cases")
    page.fill("#q", "江城食品")
    page.select_option("#state", index=1)
    page.get_by_role("button", name=re.compile("筛选|搜索|Filter|Search")).first.click()
    page.wait_for_load_state()
    assert "q=" in page.url
    coordinator.look("board-filtered")
    coordinator.go(f"/cases?q={case}")
    assert case in page.locator("main").inner_text()

    supervisor = desk("supervisor").log_in("supervisor-city")
    supervisor.go("/cases")
    assert case in supervisor.page.locator("main").inner_text()
    supervisor.look("board")
    supervisor.go(f"/cases/{case}")
    supervisor.look("case")
    assert supervisor.page.get_by_role("button", name=re.compile("撤回")).count() == 0

    market = desk("market").log_in("officer-market-regulation")
    market.go("/inbox")
    market.look("inbox-empty")
    reply = market.go("/launch")
    assert reply.status == 403
    market.look("forbidden", allow_status=True)

    # Keyboard only: the skip link first, then the navigation.
    market.page.keyboard.press("Tab")
    focused = market.page.evaluate("document.activeElement.textContent")
    assert "跳到正文" in focused

    # Logging out ends the session: the inbox asks for the log-in again.
    market.go("/inbox")
    market.page.get_by_role("button", name="退出 Log out").click()
    market.go("/inbox")
    assert "/login" in market.page.url


def test_the_pages_assets_stay_small(server):
    total = 0
    for path in [
        "/assets/desk.css",
        "/assets/desk.js",
        "/assets/vendor/htmx.min.js",
        "/assets/vendor/htmx-sse.min.js",
    ]:
        with urllib.request.urlopen(server.base + path) as reply:
            assert reply.status == 200
            total += len(gzip.compress(reply.read(), 9))
    print(f"desk JavaScript and CSS: {total} bytes gzipped")
    assert total <= 150 * 1024
