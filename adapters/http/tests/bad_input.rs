//! The bad-input corpus: malformed JSON, unknown fields, wrong types, missing fields, an
//! application that does not match its workflow's declared fields, a case or task that
//! does not exist, a body over the limit, the wrong media type, bad query
//! parameters, unknown routes and methods. Each gets `application/problem+json` with the
//! right status and a detail naming the field, and changes nothing.

mod common;

use axum::body::Body;
use axum::http::{header, Request};
use common::Fixture;

struct Bad {
    what: &'static str,
    method: &'static str,
    path: &'static str,
    who: &'static str,
    /// The raw body, sent as JSON unless `content_type` says otherwise.
    body: Option<String>,
    content_type: &'static str,
    status: u16,
    /// The `field` member expected, if any.
    field: Option<&'static str>,
    /// Text the detail must contain.
    detail: &'static str,
}

fn bad(
    what: &'static str,
    (method, path, who): (&'static str, &'static str, &'static str),
    body: Option<&str>,
    (status, field, detail): (u16, Option<&'static str>, &'static str),
) -> Bad {
    Bad {
        what,
        method,
        path,
        who,
        body: body.map(str::to_string),
        content_type: "application/json",
        status,
        field,
        detail,
    }
}

fn corpus() -> Vec<Bad> {
    let launch = ("POST", "/api/v1/cases", "coordinator-city");
    let reject = (
        "POST",
        "/api/v1/cases/{case}/tasks/intake/reject",
        "officer-service-center",
    );
    let supplement = (
        "POST",
        "/api/v1/cases/{case}/tasks/intake/request-supplement",
        "officer-service-center",
    );
    let mut corpus = vec![
        bad(
            "malformed JSON",
            launch,
            Some(r#"{"workflow": "enterprise-registration", "#),
            (400, None, "malformed JSON"),
        ),
        bad(
            "trailing garbage",
            launch,
            Some(r#"{"workflow": "x", "application": {}} x"#),
            (400, None, "malformed JSON"),
        ),
        bad(
            "unknown field",
            launch,
            Some(r#"{"workflow": "enterprise-registration", "application": {}, "priority": 1}"#),
            (422, Some("priority"), "unknown field `priority`"),
        ),
        bad(
            "wrong type of a field",
            launch,
            Some(r#"{"workflow": 7, "application": {}}"#),
            (422, Some("workflow"), "invalid type"),
        ),
        bad(
            "missing field",
            launch,
            Some(r#"{"workflow": "enterprise-registration"}"#),
            (422, None, "missing field `application`"),
        ),
        bad(
            "application not an object",
            launch,
            Some(r#"{"workflow": "enterprise-registration", "application": [1]}"#),
            (422, Some("application"), "JSON object"),
        ),
        bad(
            "an application that does not match the declared fields",
            launch,
            Some(r#"{"workflow": "enterprise-registration", "application": {"employees": "12"}}"#),
            (
                422,
                Some("application.applicant"),
                "申请内容与流程声明的字段不符",
            ),
        ),
        bad(
            "unknown workflow",
            launch,
            Some(r#"{"workflow": "no-such-workflow", "application": {}}"#),
            (422, Some("workflow"), "no-such-workflow"),
        ),
        bad(
            "empty rejection reason",
            reject,
            Some(r#"{"reason": ""}"#),
            (422, Some("reason"), "must not be empty"),
        ),
        bad(
            "no materials",
            supplement,
            Some(r#"{"materials": []}"#),
            (422, Some("materials"), "list every missing material"),
        ),
        bad(
            "a blank material",
            supplement,
            Some(r#"{"materials": ["营业执照", "  "]}"#),
            (422, Some("materials[1]"), "is blank"),
        ),
        bad(
            "nested wrong type",
            supplement,
            Some(r#"{"materials": ["a", 2]}"#),
            (422, Some("materials[1]"), "invalid type"),
        ),
        bad(
            "unknown procedure",
            (
                "POST",
                "/api/v1/cases/{case}/tasks/intake/special-procedure/start",
                "officer-service-center",
            ),
            Some(r#"{"procedure": "prayer", "granted_days": 1}"#),
            (422, Some("procedure"), "unknown variant `prayer`"),
        ),
        bad(
            "negative days",
            (
                "POST",
                "/api/v1/cases/{case}/tasks/intake/special-procedure/start",
                "officer-service-center",
            ),
            Some(r#"{"procedure": "hearing", "granted_days": -1}"#),
            (422, Some("granted_days"), "invalid value"),
        ),
        bad(
            "bad rating",
            ("POST", "/api/v1/cases/{case}/rate", "coordinator-city"),
            Some(r#"{"rating": "great"}"#),
            (422, Some("rating"), "unknown variant"),
        ),
        bad(
            "unknown case",
            (
                "GET",
                "/api/v1/cases/jilin-city-00000000",
                "coordinator-city",
            ),
            None,
            (404, None, "no case `jilin-city-00000000`"),
        ),
        bad(
            "unknown case, command",
            ("POST", "/api/v1/cases/nope/issue", "coordinator-city"),
            None,
            (404, None, "no case `nope`"),
        ),
        bad(
            "unknown task",
            (
                "POST",
                "/api/v1/cases/{case}/tasks/no-such-task/approve",
                "officer-service-center",
            ),
            None,
            (404, None, "no task `no-such-task`"),
        ),
        bad(
            "bad state filter",
            ("GET", "/api/v1/cases?state=lost", "coordinator-city"),
            None,
            (400, Some("state"), "`state` is `lost`"),
        ),
        bad(
            "bad limit",
            ("GET", "/api/v1/cases?limit=many", "coordinator-city"),
            None,
            (400, Some("limit"), "query parameter `limit`"),
        ),
        bad(
            "limit above 1000",
            ("GET", "/api/v1/cases?limit=5000", "coordinator-city"),
            None,
            (400, Some("limit"), "use 1 to 1000"),
        ),
        bad(
            "path parameter of the wrong type",
            ("GET", "/api/v1/calendars/cn/next-year", "coordinator-city"),
            None,
            (400, Some("year"), "path parameter `year`"),
        ),
        bad(
            "bad alert level",
            ("GET", "/api/v1/cases?alert=purple", "coordinator-city"),
            None,
            (400, Some("alert"), "purple"),
        ),
        bad(
            "bad date",
            (
                "GET",
                "/api/v1/cases?launched_from=yesterday",
                "coordinator-city",
            ),
            None,
            (400, Some("launched_from"), "launched_from"),
        ),
        bad(
            "unknown query parameter",
            ("GET", "/api/v1/cases?colour=red", "coordinator-city"),
            None,
            (400, None, "unknown field `colour`"),
        ),
        bad(
            "lease too short",
            (
                "POST",
                "/api/v1/cases/{case}/tasks/intake/claim?lease_seconds=5",
                "officer-service-center",
            ),
            None,
            (400, Some("lease_seconds"), "60 to 86400"),
        ),
        bad(
            "bad DAG format",
            (
                "GET",
                "/api/v1/cases/{case}/dag?format=png",
                "coordinator-city",
            ),
            None,
            (400, Some("format"), "png"),
        ),
        bad(
            "bad version",
            (
                "GET",
                "/api/v1/definitions/enterprise-registration/versions/newest",
                "policy-city",
            ),
            None,
            (400, Some("version"), "`newest`"),
        ),
        bad(
            "unknown version",
            (
                "GET",
                "/api/v1/definitions/enterprise-registration/versions/42",
                "policy-city",
            ),
            None,
            (404, None, "no version `42`"),
        ),
        bad(
            "unknown workflow, diff",
            ("GET", "/api/v1/definitions/nothing/diff", "policy-city"),
            None,
            (404, None, "nothing"),
        ),
        bad(
            "publish without YAML",
            ("POST", "/api/v1/definitions", "policy-city"),
            Some(r#"{"rules": "fn x() { 1 }"}"#),
            (422, None, "missing field `workflow`"),
        ),
        bad(
            "publish rules with no rules named",
            ("POST", "/api/v1/definitions", "policy-city"),
            Some(
                r#"{"workflow": "id: w\nname: W\ncalendar: cn\ntasks: []\n", "rules": "fn x() { 1 }"}"#,
            ),
            (422, Some("rules"), "names none"),
        ),
        bad(
            "publish YAML that is not a workflow",
            ("POST", "/api/v1/definitions", "policy-city"),
            Some(r#"{"workflow": "just: [text"}"#),
            (422, Some("workflow"), "does not validate"),
        ),
        bad(
            "unknown route",
            ("GET", "/api/v1/nothing-here", "coordinator-city"),
            None,
            (404, None, "no route `/api/v1/nothing-here`"),
        ),
        bad(
            "wrong method",
            ("DELETE", "/api/v1/cases", "coordinator-city"),
            None,
            (405, None, "`DELETE` is not allowed"),
        ),
        bad(
            "inquiry without code",
            ("GET", "/api/v1/inquiry/{case}", "coordinator-city"),
            None,
            (400, None, "missing field `code`"),
        ),
    ];
    corpus.push(Bad {
        content_type: "text/plain",
        ..bad(
            "not JSON",
            launch,
            Some("workflow=enterprise-registration"),
            (415, None, "must be JSON"),
        )
    });
    corpus.push(Bad {
        content_type: "",
        ..bad(
            "no content type",
            launch,
            Some("{}"),
            (415, None, "must be JSON"),
        )
    });
    let big = format!(
        r#"{{"workflow": "enterprise-registration", "application": {{"padding": "{}"}}}}"#,
        "x".repeat(1024 * 1024)
    );
    corpus.push(Bad {
        body: Some(big),
        ..bad(
            "body over 1 MiB",
            launch,
            None,
            (413, None, "larger than 1048576 bytes"),
        )
    });
    corpus
}

#[tokio::test]
async fn every_bad_input_gets_a_problem_naming_the_field_and_changes_nothing() {
    let f = Fixture::new().await;
    let case = f.launch_company().await;
    let claim = f
        .call(
            "POST",
            &format!("/api/v1/cases/{case}/tasks/intake/claim"),
            Some("officer-service-center"),
            None,
        )
        .await;
    assert_eq!(claim.status, 200);
    let before = f
        .get(&format!("/api/v1/cases/{case}"), "admin")
        .await
        .json();
    let cases_before = f.get("/api/v1/cases", "admin").await.json()["cases"]
        .as_array()
        .unwrap()
        .len();

    let mut failures = Vec::new();
    for bad in corpus() {
        let mut request = Request::builder()
            .method(bad.method)
            .uri(bad.path.replace("{case}", &case))
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", common::token(bad.who)),
            );
        if !bad.content_type.is_empty() && bad.body.is_some() {
            request = request.header(header::CONTENT_TYPE, bad.content_type);
        }
        let body = bad.body.clone().map_or_else(Body::empty, Body::from);
        let reply = f.send(request.body(body).unwrap()).await;
        let ok =
            reply.status == bad.status && reply.content_type == "application/problem+json" && {
                let problem = reply.json();
                problem["status"] == bad.status
                    && problem["detail"]
                        .as_str()
                        .is_some_and(|d| d.contains(bad.detail))
                    && bad.field.is_none_or(|field| problem["field"] == field)
                    && problem["title"].as_str().is_some_and(|t| !t.is_empty())
            };
        if !ok {
            failures.push(format!(
                "{}: expected {} with field {:?} and detail containing {:?}; got {} {} {}",
                bad.what,
                bad.status,
                bad.field,
                bad.detail,
                reply.status,
                reply.content_type,
                reply.text().chars().take(300).collect::<String>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );

    let after = f
        .get(&format!("/api/v1/cases/{case}"), "admin")
        .await
        .json();
    assert_eq!(before["timeline"], after["timeline"], "nothing changed");
    let cases_after = f.get("/api/v1/cases", "admin").await.json()["cases"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(cases_before, cases_after);
    assert_eq!(
        f.get(
            "/api/v1/definitions/enterprise-registration/versions/latest",
            "admin"
        )
        .await
        .json()["version"],
        1
    );
}

#[tokio::test]
async fn wrong_access_codes_make_the_case_wait_before_the_next_is_checked() {
    let f = Fixture::new().await;
    let launched = f
        .launch(
            "coordinator-city",
            "enterprise-registration",
            "enterprise-registration-limited-company.json",
        )
        .await;
    let case = launched["case"].as_str().unwrap();
    let code = launched["access_code"].as_str().unwrap();
    // Three wrong codes are free, the fourth makes the case wait 2 s.
    for _ in 0..4 {
        let reply = f
            .call(
                "GET",
                &format!("/api/v1/inquiry/{case}?code=999999x"),
                None,
                None,
            )
            .await;
        reply.problem(404);
    }
    let locked = f
        .call(
            "GET",
            &format!("/api/v1/inquiry/{case}?code={code}"),
            None,
            None,
        )
        .await;
    let problem = locked.problem(429);
    assert_eq!(locked.headers["retry-after"], "2", "{problem}");
    f.clock.advance(chrono::Duration::seconds(2));
    let reply = f
        .call(
            "GET",
            &format!("/api/v1/inquiry/{case}?code={code}"),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}

#[tokio::test]
async fn an_application_that_does_not_match_the_declared_fields_is_refused_field_by_field() {
    let f = Fixture::new().await;
    let mut application = common::example("enterprise-registration-limited-company.json");
    let object = application.as_object_mut().unwrap();
    object.remove("applicant");
    object.insert("employees".into(), serde_json::json!("12"));
    object.insert("enterprise_type".into(), serde_json::json!("company"));
    let cases = |reply: common::Reply| reply.json()["cases"].as_array().unwrap().len();
    let before = cases(f.get("/api/v1/cases", "admin").await);

    let reply = f
        .post(
            "/api/v1/cases",
            "coordinator-city",
            serde_json::json!({ "workflow": "enterprise-registration", "application": application }),
        )
        .await;
    let problem = reply.problem(422);
    assert_eq!(problem["field"], "application.applicant", "{problem:#}");
    assert_eq!(
        problem["errors"],
        serde_json::json!([
            { "file": "application", "line": 0, "column": 0,
              "field": "application.applicant", "message": "必填 required" },
            { "file": "application", "line": 0, "column": 0,
              "field": "application.enterprise_type",
              "message": "`company` 不是可选值 is not one of: `limited_company` (有限责任公司), \
                          `joint_stock_company` (股份有限公司), `sole_proprietorship` (个人独资企业), \
                          `partnership` (合伙企业), `individual_business` (个体工商户)" },
            { "file": "application", "line": 0, "column": 0,
              "field": "application.employees",
              "message": "应为数字 must be a number, not the string `12`" },
        ]),
        "{problem:#}"
    );
    assert_eq!(
        cases(f.get("/api/v1/cases", "admin").await),
        before,
        "no case was created"
    );

    // A dry run answers the same.
    let dry_run = f
        .post(
            "/api/v1/definitions/enterprise-registration/plan",
            "coordinator-city",
            serde_json::json!({ "application": application }),
        )
        .await
        .problem(422);
    assert_eq!(dry_run["field"], "application.applicant");
    assert_eq!(dry_run["errors"], problem["errors"]);
}
