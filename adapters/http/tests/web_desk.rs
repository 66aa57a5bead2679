//! The web desk as a browser without JavaScript sees it: log in with a token, launch an
//! application through the form (an invalid form names the field), confirm and read the
//! 受理通知书, follow the case, claim and decide as an officer, check progress as the
//! applicant. Then what must be refused: a forged or cross-site form post changes nothing,
//! a sibling center's coordinator sees neither the case nor its page, an officer acts only
//! for their own department; the live stream carries nothing a user may not see.

mod common;

use axum::body::Body;
use axum::http::{header, Request};
use common::{Fixture, Reply};
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use tower::ServiceExt;

/// One user's browser: its cookies, sent back on every request.
struct Browser<'f> {
    fixture: &'f Fixture,
    cookies: BTreeMap<String, String>,
}

const ORIGIN: &str = "http://desk.test";

impl<'f> Browser<'f> {
    fn new(fixture: &'f Fixture) -> Self {
        Browser {
            fixture,
            cookies: BTreeMap::new(),
        }
    }

    /// A browser logged in as `who` through the log-in form.
    async fn logged_in(fixture: &'f Fixture, who: &str) -> Self {
        let mut browser = Browser::new(fixture);
        let page = browser.get("/login").await;
        assert_eq!(page.status, 200, "{}", page.text());
        let csrf = field(&page.text(), "csrf");
        let token = common::token(who);
        let reply = browser
            .post(
                "/login",
                &[("csrf", &csrf), ("next", "/"), ("token", &token)],
            )
            .await;
        assert_eq!(reply.status, 303, "{}", reply.text());
        assert!(browser.cookies.contains_key("greenlane_session"));
        browser
    }

    fn keep_cookies(&mut self, reply: &Reply) {
        for value in reply.headers.get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn get(&mut self, path: &str) -> Reply {
        let request = Request::builder()
            .uri(path)
            .header(header::HOST, "desk.test")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let reply = self.fixture.send(request).await;
        self.keep_cookies(&reply);
        reply
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.post_from(path, form, ORIGIN).await
    }

    async fn post_from(&mut self, path: &str, form: &[(&str, &str)], origin: &str) -> Reply {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::HOST, "desk.test")
            .header(header::ORIGIN, origin)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let reply = self.fixture.send(request).await;
        self.keep_cookies(&reply);
        reply
    }

    /// The CSRF token of this browser's session, read off `path`.
    async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        assert_eq!(page.status, 200, "{}", page.text());
        field(&page.text(), "csrf")
    }
}

fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The value of the first input named `name` in `page`, unescaped.
fn field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no input {name} in {page}"))
        + marker.len();
    let end = start + page[start..].find('"').unwrap();
    unescape(&page[start..end])
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// The text of the element right after `label` (a `<dt>`) in `page`.
fn after(page: &str, label: &str) -> String {
    let start = page.find(label).unwrap_or_else(|| panic!("no {label}"));
    let rest = &page[start..];
    let open = rest.find("<dd>").unwrap() + 4;
    let close = rest.find("</dd>").unwrap();
    let inner = &rest[open..close];
    // Strip the tags inside.
    let mut out = String::new();
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// The limited-company example as the form's fields.
fn company_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("applicant", "吉林市北山数码科技有限公司（筹）"),
        ("legal_representative", "王立新"),
        ("enterprise_name", "吉林市北山数码科技有限公司"),
        ("enterprise_type", "limited_company"),
        ("registered_capital_wan", "500"),
        ("business_scope", "软件开发\n信息技术咨询服务"),
        ("address", "吉林省吉林市船营区北京路88号"),
        ("employees", "12"),
        ("name_pre_approved", "false"),
        ("organization_code_required", "true"),
        ("needs_invoices", "true"),
        ("wants_seal", "true"),
        ("wants_bank_account", "true"),
        ("public_gathering_place", "false"),
        ("green_channel", "false"),
    ]
}

/// Launches the company through the form as `browser`'s coordinator: (case id, access code).
async fn launch_through_form(browser: &mut Browser<'_>) -> (String, String) {
    let csrf = browser.csrf("/launch/enterprise-registration").await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend(company_form());
    let preview = browser
        .post("/launch/enterprise-registration/preview", &form)
        .await;
    assert_eq!(preview.status, 200, "{}", preview.text());
    let text = preview.text();
    assert!(text.contains("关键路径"), "{text}");
    assert!(text.contains("营业执照"), "{text}");
    let application = field(&text, "application");
    let parsed: serde_json::Value = serde_json::from_str(&application).unwrap();
    assert_eq!(parsed["registered_capital_wan"], 500);
    assert_eq!(parsed["organization_code_required"], true);
    assert_eq!(parsed["business_scope"].as_array().unwrap().len(), 2);
    let notice = browser
        .post(
            "/launch/enterprise-registration",
            &[("csrf", &csrf), ("application", &application)],
        )
        .await;
    assert_eq!(notice.status, 201, "{}", notice.text());
    let text = notice.text();
    assert!(text.contains("受理通知书"), "{text}");
    assert!(text.contains("吉林市北山数码科技有限公司（筹）"), "{text}");
    let case = after(&text, "案件编号");
    let code = after(&text, "查询码");
    assert!(!case.is_empty() && !code.is_empty());
    (case, code)
}

#[tokio::test]
async fn a_case_goes_from_the_launch_form_to_the_applicants_inquiry() {
    let fixture = Fixture::new().await;
    let mut coordinator = Browser::logged_in(&fixture, "coordinator-city").await;
    let (case, code) = launch_through_form(&mut coordinator).await;

    // The case page shows every department's task, and the board lists the case.
    let page = coordinator.get(&format!("/cases/{case}")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let text = page.text();
    for item in ["综合受理", "<svg"] {
        assert!(text.contains(item), "{item} missing on the case page");
    }
    assert!(!text.contains(&code), "the access code is shown only once");
    let board = coordinator.get("/cases?q=北山数码").await;
    assert!(board.text().contains(&case), "{}", board.text());
    let none = coordinator.get("/cases?q=没有这个企业").await;
    assert!(!none.text().contains(&case));

    // The window officer claims the intake from the inbox and approves it.
    let mut officer = Browser::logged_in(&fixture, "officer-service-center").await;
    let inbox = officer.get("/inbox").await;
    assert_eq!(inbox.status, 200);
    assert!(inbox.text().contains(&case), "{}", inbox.text());
    let csrf = field(&inbox.text(), "csrf");
    let claimed = officer
        .post(
            "/inbox/claim-next",
            &[("csrf", &csrf), ("department", "service-center")],
        )
        .await;
    assert_eq!(claimed.status, 303, "{}", claimed.text());
    let task_page = claimed.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(task_page.ends_with("/tasks/intake"), "{task_page}");
    let page = officer.get(&task_page).await;
    assert!(page.text().contains("准予许可") || page.text().contains("approve"));
    let approved = officer
        .post(
            &format!("{task_page}/approve"),
            &[("csrf", &csrf), ("opinion", "材料齐全")],
        )
        .await;
    assert_eq!(approved.status, 303, "{}", approved.text());
    let case_json = fixture
        .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
        .await
        .json();
    let intake = case_json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "intake")
        .unwrap()
        .clone();
    assert_eq!(intake["state"], "approved", "{intake}");

    // Every other department approves (over the API); the window issues from the case page.
    assert!(fixture.approve_all(&case).await >= 6);
    let csrf = coordinator.csrf(&format!("/cases/{case}")).await;
    let issued = coordinator
        .post(&format!("/cases/{case}/issue"), &[("csrf", &csrf)])
        .await;
    assert_eq!(issued.status, 303, "{}", issued.text());

    // The applicant checks progress with the case id and the access code, and rates.
    let mut applicant = Browser::new(&fixture);
    assert_eq!(applicant.get("/inquiry").await.status, 200);
    let progress = applicant
        .post("/inquiry", &[("case", &case), ("code", &code)])
        .await;
    assert_eq!(progress.status, 200, "{}", progress.text());
    assert!(progress.text().contains("综合受理"), "{}", progress.text());
    let wrong = applicant
        .post("/inquiry", &[("case", &case), ("code", "000000")])
        .await;
    assert_ne!(wrong.status, 200);
    assert!(!wrong.text().contains("综合受理"));
    let rated = applicant
        .post(
            "/inquiry/rate",
            &[("case", &case), ("code", &code), ("rating", "4")],
        )
        .await;
    assert!(rated.status < 400, "{}", rated.text());
    let case_json = fixture
        .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
        .await
        .json();
    assert!(
        case_json["rating"].to_string().contains('4'),
        "{}",
        case_json["rating"]
    );
}

#[tokio::test]
async fn an_invalid_form_comes_back_with_the_field_named_and_launches_nothing() {
    let fixture = Fixture::new().await;
    let mut coordinator = Browser::logged_in(&fixture, "coordinator-city").await;
    let csrf = coordinator.csrf("/launch/enterprise-registration").await;
    let mut form: Vec<(&str, &str)> = company_form()
        .into_iter()
        .filter(|(k, _)| *k != "applicant")
        .map(|(k, v)| {
            if k == "registered_capital_wan" {
                (k, "五百")
            } else {
                (k, v)
            }
        })
        .collect();
    form.push(("csrf", &csrf));
    let reply = coordinator
        .post("/launch/enterprise-registration/preview", &form)
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text());
    let text = reply.text();
    assert!(
        text.contains("申请人："),
        "the missing field is named: {text}"
    );
    assert!(
        text.contains("注册资本（万元）："),
        "the wrong number is named"
    );
    assert!(text.contains("aria-invalid=\"true\""));
    // What was entered is kept.
    assert!(text.contains("吉林市北山数码科技有限公司"));
    let cases = fixture
        .get("/api/v1/cases", "coordinator-city")
        .await
        .json();
    assert_eq!(cases["cases"].as_array().unwrap().len(), 0, "{cases}");
}

#[tokio::test]
async fn forged_and_cross_site_posts_change_nothing() {
    let fixture = Fixture::new().await;
    let mut coordinator = Browser::logged_in(&fixture, "coordinator-city").await;
    let csrf = coordinator.csrf("/launch/enterprise-registration").await;
    let application = serde_json::to_string(&common::example(
        "enterprise-registration-limited-company.json",
    ))
    .unwrap();

    let wrong = coordinator
        .post(
            "/launch/enterprise-registration",
            &[("csrf", "0000"), ("application", &application)],
        )
        .await;
    assert_eq!(wrong.status, 403, "{}", wrong.text());
    assert!(wrong.text().contains("请求无效"));
    let missing = coordinator
        .post(
            "/launch/enterprise-registration",
            &[("application", &application)],
        )
        .await;
    assert_eq!(missing.status, 403);
    let cross_site = coordinator
        .post_from(
            "/launch/enterprise-registration",
            &[("csrf", &csrf), ("application", &application)],
            "http://evil.test",
        )
        .await;
    assert_eq!(cross_site.status, 403);
    let cases = fixture
        .get("/api/v1/cases", "coordinator-city")
        .await
        .json();
    assert_eq!(cases["cases"].as_array().unwrap().len(), 0, "{cases}");

    // A wrong token at the log-in form opens no session.
    let mut stranger = Browser::new(&fixture);
    let page = stranger.get("/login").await;
    let login_csrf = field(&page.text(), "csrf");
    let refused = stranger
        .post(
            "/login",
            &[
                ("csrf", &login_csrf),
                ("next", "/"),
                ("token", "demo-nobody"),
            ],
        )
        .await;
    assert_eq!(refused.status, 401, "{}", refused.text());
    assert!(refused.text().contains("令牌无效"));
    assert!(!stranger.cookies.contains_key("greenlane_session"));
    let board = stranger.get("/cases").await;
    assert_eq!(board.status, 303, "no session: to the log-in page");
}

#[tokio::test]
async fn a_sibling_center_and_another_department_are_refused() {
    let fixture = Fixture::new().await;
    let mut chuanying = Browser::logged_in(&fixture, "coordinator-chuanying").await;
    let (case, _) = launch_through_form(&mut chuanying).await;

    let mut fengman = Browser::logged_in(&fixture, "coordinator-fengman").await;
    let page = fengman.get(&format!("/cases/{case}")).await;
    assert_eq!(page.status, 404, "a sibling center's case is not found");
    assert!(!page.text().contains("北山数码"));
    let board = fengman.get("/cases").await;
    assert_eq!(board.status, 200);
    assert!(!board.text().contains(&case));
    let csrf = field(&board.text(), "csrf");
    let withdraw = fengman
        .post(
            &format!("/cases/{case}/withdraw"),
            &[("csrf", &csrf), ("reason", "试图撤回")],
        )
        .await;
    assert_eq!(withdraw.status, 404);

    // The parent center sees the case.
    let mut city = Browser::logged_in(&fixture, "coordinator-city").await;
    assert_eq!(city.get(&format!("/cases/{case}")).await.status, 200);

    // The market-regulation officer cannot claim the window's intake.
    let mut market = Browser::logged_in(&fixture, "officer-market-regulation").await;
    let inbox = market.get("/inbox").await;
    assert!(!inbox
        .text()
        .contains(&format!("/cases/{case}/tasks/intake")));
    let csrf = field(&inbox.text(), "csrf");
    let claim = market
        .post(
            &format!("/cases/{case}/tasks/intake/claim"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(claim.status, 403, "{}", claim.text());
    let case_json = fixture
        .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
        .await
        .json();
    let intake = &case_json["tasks"][0];
    assert_eq!(intake["id"], "intake");
    assert!(intake["officer"].is_null(), "{intake}");

    // An officer asking for another department's inbox gets their own; nor do they launch.
    let other = market.get("/inbox?department=service-center").await;
    assert_eq!(other.status, 200);
    assert!(!other
        .text()
        .contains(&format!("/cases/{case}/tasks/intake")));
    assert_eq!(market.get("/launch").await.status, 403);
}

/// The `/live` stream of `browser`'s session (optionally for one case), unread.
async fn live(browser: &Browser<'_>, query: &str) -> Body {
    let request = Request::builder()
        .uri(format!("/live{query}"))
        .header(header::COOKIE, browser.cookie_header())
        .body(Body::empty())
        .unwrap();
    let response = browser.fixture.router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    response.into_body()
}

/// Everything `stream` sends within `wait`.
async fn received(stream: &mut Body, wait: std::time::Duration) -> String {
    let mut text = String::new();
    let until = tokio::time::Instant::now() + wait;
    while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(until, stream.frame()).await {
        if let Some(data) = frame.data_ref() {
            text.push_str(&String::from_utf8_lossy(data));
        }
    }
    text
}

#[tokio::test]
async fn live_updates_reach_only_those_who_may_see_the_case() {
    let fixture = Fixture::new().await;
    let mut chuanying = Browser::logged_in(&fixture, "coordinator-chuanying").await;
    let city = Browser::logged_in(&fixture, "coordinator-city").await;
    let fengman = Browser::logged_in(&fixture, "coordinator-fengman").await;
    let window = Browser::logged_in(&fixture, "officer-service-center").await;
    let market = Browser::logged_in(&fixture, "officer-market-regulation").await;
    let mut streams = [
        live(&city, "").await,
        live(&window, "").await,
        live(&fengman, "").await,
        live(&market, "").await,
    ];
    let (case, code) = launch_through_form(&mut chuanying).await;
    let short = std::time::Duration::from_millis(300);
    let [city_stream, window_stream, fengman_stream, market_stream] = &mut streams;

    let seen = received(city_stream, short).await;
    assert!(seen.contains("event: change"), "{seen}");
    assert!(
        seen.contains(&case),
        "the parent center sees the launch: {seen}"
    );
    assert!(!seen.contains(&code), "no access code on the stream");
    assert!(
        !seen.contains("北山数码"),
        "no application data on the stream: {seen}"
    );
    let seen = received(window_stream, short).await;
    assert!(
        seen.contains(&case),
        "the intake's department sees its task: {seen}"
    );
    let seen = received(fengman_stream, short).await;
    assert!(
        !seen.contains(&case),
        "a sibling center sees nothing: {seen}"
    );
    let seen = received(market_stream, short).await;
    assert!(
        !seen.contains(&case),
        "another department sees nothing yet: {seen}"
    );
}

#[tokio::test]
async fn a_supervisor_urges_a_late_task_and_the_officer_sees_it_on_the_task() {
    let f = Fixture::new().await;
    let case = f.launch_company().await;
    let urge = format!("/api/v1/cases/{case}/tasks/intake/urge");
    let note = serde_json::json!({ "note": "请今日内办结 Finish it today" });
    let early = f.post(&urge, "supervisor-city", note.clone()).await;
    assert!(
        early.problem(422)["detail"]
            .as_str()
            .unwrap()
            .contains("no alert"),
        "a task on time is not urged"
    );
    // Nobody decides the intake (due the day it was launched) for two days.
    f.clock.advance(chrono::Duration::days(2));
    f.app.runtime().tick().await.unwrap();
    let officer = f.post(&urge, "officer-service-center", note.clone()).await;
    assert!(officer.problem(403)["detail"]
        .as_str()
        .unwrap()
        .contains("tasks:urge"));
    let sub_center = f.post(&urge, "supervisor-fengman", note.clone()).await;
    sub_center.problem(404);
    let urged = f.post(&urge, "supervisor-city", note).await.json();
    assert_eq!(urged["events"][0]["kind"], "task_urged", "{urged}");

    let view = f
        .get(&format!("/api/v1/cases/{case}"), "officer-service-center")
        .await
        .json();
    let intake = &view["tasks"][0];
    assert_eq!(intake["id"], "intake");
    assert_eq!(intake["urges"][0]["note"], "请今日内办结 Finish it today");
    assert_eq!(intake["urges"][0]["by"], "supervisor-city");
    let told: Vec<_> = f
        .notifier
        .delivered()
        .into_iter()
        .filter(|n| {
            matches!(
                n.event.event,
                greenlane_engine::case::Event::TaskUrged { .. }
            )
        })
        .collect();
    assert_eq!(told.len(), 1, "the urge is handed over for delivery");

    let mut officer = Browser::logged_in(&f, "officer-service-center").await;
    let page = officer
        .get(&format!("/cases/{case}/tasks/intake"))
        .await
        .text();
    assert!(
        page.contains("督办 Urged by the supervision office"),
        "{page}"
    );
    assert!(page.contains("请今日内办结 Finish it today"));
}
