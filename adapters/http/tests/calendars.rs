//! The calendars API: every principal lists the calendars in use (2027 provisional, the
//! coverage warning in December 2026) and reads one year's days; only policy staff and
//! admins publish a year, a bad one is refused at its line and column with nothing changed,
//! and the official 2027 re-dates an open industrial project (its timeline, the applicant's
//! inquiry); `/metrics` shows the coverage gauges.

mod common;

use chrono::{TimeZone, Utc};
use common::Fixture;
use greenlane_engine::ids::{CalendarId, PrincipalId};
use greenlane_testkit::conformance::official_2027;
use serde_json::{json, Value};

/// One principal of each role.
const EVERY_ROLE: [&str; 5] = [
    "coordinator-city",
    "officer-service-center",
    "policy-city",
    "supervisor-city",
    "admin",
];

/// The fixture with the shipped `cn` calendar published as version 1 (what `serve` does at
/// start), its clock at `(y, m, d)` 09:00 in Shanghai.
async fn fixture_on(y: i32, m: u32, d: u32) -> Fixture {
    let f = Fixture::new().await;
    let published = f
        .app
        .runtime()
        .publish_missing_calendar_years(
            &CalendarId::new("cn"),
            &greenlane_engine::calendar::shipped::cn_sources(),
            &PrincipalId::new("system"),
        )
        .await
        .unwrap()
        .expect("the store had no calendar");
    assert_eq!(published.version, 1);
    f.clock.set(Utc.with_ymd_and_hms(y, m, d, 1, 0, 0).unwrap());
    f
}

/// The `cn` entry of the calendars list, as `who`.
async fn cn(f: &Fixture, who: &str) -> Value {
    let reply = f.get("/api/v1/calendars", who).await;
    assert_eq!(reply.status, 200, "{who}: {}", reply.text());
    let list = reply.json();
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["calendar"] == "cn")
        .unwrap_or_else(|| panic!("no cn in {list}"))
        .clone()
}

/// The kind of `year` in a calendar entry of the list.
fn kind_of(calendar: &Value, year: i32) -> Value {
    calendar["years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == year)
        .unwrap_or_else(|| panic!("no {year} in {calendar}"))["kind"]
        .clone()
}

/// The official 2027 with Friday 19 February under `work` instead of Saturday 20 February.
fn friday_worked() -> String {
    let text = official_2027().text;
    assert!(text.contains("  - { date: 2027-02-20"));
    text.replace("  - { date: 2027-02-20", "  - { date: 2027-02-19")
}

/// Claims and approves `task` of `case` as the officer of `department`.
async fn approve(f: &Fixture, case: &str, task: &str, department: &str) {
    let officer = format!("officer-{department}");
    let base = format!("/api/v1/cases/{case}/tasks/{task}");
    for step in ["claim", "approve"] {
        let reply = f
            .call("POST", &format!("{base}/{step}"), Some(&officer), None)
            .await;
        assert_eq!(reply.status, 200, "{step}: {}", reply.text());
    }
}

#[tokio::test]
async fn every_role_lists_the_calendars_with_2027_provisional_and_a_warning_in_december() {
    let f = fixture_on(2026, 12, 1).await;
    for who in EVERY_ROLE {
        let cn = cn(&f, who).await;
        assert_eq!(cn["version"], 1, "{who}: {cn}");
        assert_eq!(cn["first"], "2024-01-01", "{cn}");
        assert_eq!(cn["official_until"], "2026-12-31", "{cn}");
        assert_eq!(cn["covered_until"], "2027-12-31", "{cn}");
        assert_eq!(cn["warning"], true, "{cn}");
        let years: Vec<_> = cn["years"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| y["year"].as_i64().unwrap())
            .collect();
        assert_eq!(years, vec![2024, 2025, 2026, 2027]);
        for year in 2024..=2026 {
            assert_eq!(kind_of(&cn, year), "official", "{year}: {cn}");
        }
        assert_eq!(kind_of(&cn, 2027), "provisional", "{cn}");
        let y2026 = &cn["years"][2];
        assert!(
            y2026["source"]
                .as_str()
                .unwrap()
                .starts_with("https://www.gov.cn/"),
            "{y2026}"
        );
        // Coverage from Tuesday 1 December 2026: the rest of December is official, 2027's
        // working days come on top.
        let official = cn["official_working_days_left"].as_u64().unwrap();
        let covered = cn["working_days_left"].as_u64().unwrap();
        assert!((20..=23).contains(&official), "{cn}");
        assert!(covered > official + 240, "{cn}");
        let versions = cn["versions"].as_array().unwrap();
        assert_eq!(versions.len(), 1, "{cn}");
        assert_eq!(versions[0]["version"], 1);
        assert_eq!(versions[0]["published_by"], "system");
        assert_eq!(versions[0]["changed"], json!([2024, 2025, 2026, 2027]));
    }

    // In March 2026 the official years still run for most of a year: no warning.
    f.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap());
    let march = cn(&f, "coordinator-city").await;
    assert_eq!(march["warning"], false, "{march}");
    assert!(
        march["official_working_days_left"].as_u64().unwrap() > 180,
        "{march}"
    );

    for path in ["/api/v1/calendars", "/api/v1/calendars/cn/2027"] {
        let reply = f.call("GET", path, None, None).await;
        reply.problem(401);
    }
}

#[tokio::test]
async fn one_year_lists_its_days_off_and_worked() {
    let f = fixture_on(2026, 12, 1).await;
    let reply = f
        .get("/api/v1/calendars/cn/2027", "officer-service-center")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let year = reply.json();
    assert_eq!(year["calendar"], "cn");
    assert_eq!(year["version"], 1);
    assert_eq!(year["year"], 2027);
    assert_eq!(year["kind"], "provisional");
    let days = year["days"].as_array().unwrap();
    assert!(
        days.contains(&json!({ "date": "2027-02-09", "kind": "off", "name": "春节" })),
        "the make-up day (补假) is off: {year}"
    );
    assert!(
        days.iter().all(|d| d["kind"] == "off"),
        "a provisional year has no adjusted working day: {year}"
    );
    assert_eq!(days.len(), 19, "{year}");
    let dates: Vec<&str> = days.iter().map(|d| d["date"].as_str().unwrap()).collect();
    let mut sorted = dates.clone();
    sorted.sort_unstable();
    assert_eq!(dates, sorted, "in date order");
    // 261 weekdays in 2027, 13 of them off.
    assert_eq!(year["working_days"], 248, "{year}");
    assert!(year["text"].as_str().unwrap().contains("kind: provisional"));

    // An official year lists its adjusted working days (Saturdays and Sundays worked).
    let y2026 = f.get("/api/v1/calendars/cn/2026", "admin").await.json();
    assert_eq!(y2026["kind"], "official");
    let worked: Vec<&str> = y2026["days"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "work")
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert!(worked.contains(&"2026-02-14"), "{y2026}");
    assert!(worked.contains(&"2026-02-28"), "{y2026}");

    for path in [
        "/api/v1/calendars/cn/2030",
        "/api/v1/calendars/cn/2023",
        "/api/v1/calendars/mars/2027",
    ] {
        f.get(path, "coordinator-city").await.problem(404);
    }
}

#[tokio::test]
async fn only_policy_staff_publish_and_a_bad_year_is_located_and_changes_nothing() {
    let f = fixture_on(2026, 12, 1).await;
    let body = json!({
        "text": official_2027().text,
        "name": "2027.yaml",
        "note": "国务院办公厅关于2027年部分节假日安排的通知",
    });
    for who in [
        "officer-service-center",
        "coordinator-city",
        "supervisor-city",
    ] {
        let problem = f
            .post("/api/v1/calendars/cn", who, body.clone())
            .await
            .problem(403);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("definitions:publish"),
            "{problem}"
        );
    }
    f.call("POST", "/api/v1/calendars/cn", None, Some(body.clone()))
        .await
        .problem(401);

    // A Friday under `work`: refused, located at the entry.
    let text = friday_worked();
    let reply = f
        .post(
            "/api/v1/calendars/cn",
            "policy-city",
            json!({ "text": text, "name": "2027.yaml" }),
        )
        .await;
    let problem = reply.problem(422);
    assert_eq!(problem["field"], "text", "{problem}");
    let errors = problem["errors"].as_array().unwrap();
    assert!(!errors.is_empty(), "{problem}");
    let line_of = 1 + text.lines().position(|l| l.contains("2027-02-19")).unwrap();
    let at = errors
        .iter()
        .find(|e| e["line"] == line_of)
        .unwrap_or_else(|| panic!("no error at line {line_of}: {problem}"));
    assert_eq!(at["file"], "2027.yaml", "{at}");
    let line = text.lines().nth(line_of - 1).unwrap();
    let column = at["column"].as_u64().unwrap() as usize;
    assert!(column >= 1, "{at}");
    assert!(
        line[column - 1..].starts_with("2027-02-19"),
        "column {column} of `{line}`: {at}"
    );
    assert!(
        at["message"].as_str().unwrap().contains("2027-02-19"),
        "{at}"
    );

    // Nothing changed: still version 1, 2027 provisional.
    let cn = cn(&f, "policy-city").await;
    assert_eq!(cn["version"], 1, "{cn}");
    assert_eq!(cn["versions"].as_array().unwrap().len(), 1, "{cn}");
    assert_eq!(kind_of(&cn, 2027), "provisional");
    let year = f
        .get("/api/v1/calendars/cn/2027", "policy-city")
        .await
        .json();
    assert_eq!(year["kind"], "provisional");

    // An unknown calendar.
    f.post("/api/v1/calendars/mars", "policy-city", body)
        .await
        .problem(404);
}

#[tokio::test]
async fn publishing_the_official_2027_redates_an_open_industrial_project() {
    // Friday 29 January 2027: the land pre-review becomes ready today and its 10 working
    // days cross the Spring Festival, counted on the provisional 2027.
    let f = fixture_on(2027, 1, 29).await;
    let launched = f
        .launch(
            "coordinator-city",
            "industrial-project",
            "industrial-project-chemical-plant.json",
        )
        .await;
    let case = launched["case"].as_str().unwrap().to_string();
    let code = launched["access_code"].as_str().unwrap().to_string();
    assert_eq!(launched["promised_completion_provisional"], true);
    approve(&f, &case, "intake", "service-center").await;
    let before = f
        .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
        .await
        .json();
    let pre_review = |view: &Value| {
        view["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == "land-pre-review")
            .unwrap()
            .clone()
    };
    assert_eq!(pre_review(&before)["state"], "ready", "{before}");
    assert_eq!(pre_review(&before)["committed_due_provisional"], true);

    let reply = f
        .post(
            "/api/v1/calendars/cn",
            "policy-city",
            json!({
                "text": official_2027().text,
                "name": "2027.yaml",
                "note": "国务院办公厅关于2027年部分节假日安排的通知",
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let published = reply.json();
    assert_eq!(published["calendar"], "cn");
    assert_eq!(published["version"], 2, "{published}");
    assert_eq!(published["changed"], json!([2027]));
    assert!(published["redated"].as_u64().unwrap() >= 1, "{published}");

    // The case's timeline records the re-dating, by whom and on which version.
    let after = f
        .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
        .await
        .json();
    let redated: Vec<&Value> = after["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "case_redated")
        .collect();
    assert_eq!(redated.len(), 1, "{after}");
    let event = &redated[0]["event"];
    assert_eq!(event["calendar"], "cn", "{event}");
    assert_eq!(event["calendar_version"], 2, "{event}");
    assert_eq!(event["published_by"], "policy-city", "{event}");
    let tasks = event["tasks"].as_array().unwrap();
    let moved = tasks
        .iter()
        .find(|t| t["task"] == "land-pre-review")
        .unwrap_or_else(|| panic!("the land pre-review moved: {event}"));
    // Ready on 29 January: 10 working days end Thursday 18 February on the provisional
    // year, Saturday 20 February (worked) once 11 and 12 February are off.
    assert_eq!(moved["committed_due"]["from"], "2027-02-18", "{moved}");
    assert_eq!(moved["committed_due"]["to"], "2027-02-20", "{moved}");
    assert_eq!(pre_review(&after)["committed_due"], "2027-02-20", "{after}");
    assert_eq!(
        pre_review(&before)["committed_due"],
        moved["committed_due"]["from"]
    );
    if let Some(promised) = event.get("promised_completion") {
        assert_eq!(promised["from"], before["promised_completion"], "{event}");
        assert_eq!(promised["to"], after["promised_completion"], "{event}");
    }

    // The applicant sees the date change.
    let inquiry = f
        .call(
            "GET",
            &format!("/api/v1/inquiry/{case}?code={code}"),
            None,
            None,
        )
        .await;
    assert_eq!(inquiry.status, 200, "{}", inquiry.text());
    let inquiry = inquiry.json();
    let changes = inquiry["date_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{inquiry}");
    assert_eq!(changes[0]["calendar"], "cn");
    assert_eq!(changes[0]["calendar_version"], 2);
    assert!(
        changes[0]["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["from"] == "2027-02-18" && i["to"] == "2027-02-20"),
        "{inquiry}"
    );

    // The list: 2027 official, two versions, the second by policy with its note.
    let cn = cn(&f, "officer-service-center").await;
    assert_eq!(cn["version"], 2, "{cn}");
    assert_eq!(kind_of(&cn, 2027), "official", "{cn}");
    assert_eq!(cn["official_until"], "2027-12-31", "{cn}");
    assert_eq!(cn["official_until"], cn["covered_until"]);
    assert_eq!(cn["official_working_days_left"], cn["working_days_left"]);
    let versions = cn["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{cn}");
    assert_eq!(versions[1]["published_by"], "policy-city");
    assert_eq!(versions[1]["changed"], json!([2027]));
    assert_eq!(
        versions[1]["note"],
        "国务院办公厅关于2027年部分节假日安排的通知"
    );
    let year = f
        .get("/api/v1/calendars/cn/2027", "coordinator-city")
        .await
        .json();
    assert_eq!(year["version"], 2);
    assert_eq!(year["kind"], "official");
    assert_eq!(
        year["source"],
        "https://www.gov.cn/zhengce/content/2027-notice.htm"
    );
    let days = year["days"].as_array().unwrap();
    assert!(days.contains(&json!({ "date": "2027-02-12", "kind": "off", "name": "春节" })));
    assert!(days.contains(&json!({ "date": "2027-02-20", "kind": "work", "name": "春节" })));

    // Publishing the same year again moves no date.
    let again = f
        .post(
            "/api/v1/calendars/cn",
            "admin",
            json!({ "text": official_2027().text, "name": "2027.yaml" }),
        )
        .await;
    assert_eq!(again.status, 201, "{}", again.text());
    assert_eq!(again.json()["version"], 3);
    assert_eq!(again.json()["redated"], 0);
}

/// The value of the metric line starting with `name` (labels included).
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_show_the_coverage_gauges() {
    let f = fixture_on(2026, 12, 1).await;
    let cn = cn(&f, "admin").await;
    let text = f.call("GET", "/metrics", None, None).await.text();
    let official = r#"greenlane_calendar_working_days_left{calendar="cn",years="official"}"#;
    let covered = r#"greenlane_calendar_working_days_left{calendar="cn",years="covered"}"#;
    let warning = r#"greenlane_calendar_coverage_warning{calendar="cn"}"#;
    assert_eq!(
        metric(&text, official),
        cn["official_working_days_left"].as_f64(),
        "{text}"
    );
    assert_eq!(
        metric(&text, covered),
        cn["working_days_left"].as_f64(),
        "{text}"
    );
    assert_eq!(metric(&text, warning), Some(1.0), "{text}");
    assert!(text.contains("# TYPE greenlane_calendar_working_days_left gauge"));
    assert!(text.contains("# TYPE greenlane_calendar_coverage_warning gauge"));

    f.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap());
    let text = f.call("GET", "/metrics", None, None).await.text();
    assert_eq!(metric(&text, warning), Some(0.0), "{text}");
}
