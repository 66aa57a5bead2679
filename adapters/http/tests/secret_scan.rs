//! The access code and its hash leave the server nowhere but where they are meant to: a
//! whole case run, launch to rating, by every role through the API and the web desk, with
//! every response (status line, headers, body), the live streams (`/api/v1/events` of a
//! coordinator, a supervisor and the admin; the desk's `/live`) and every log line (a
//! tracing subscriber at TRACE into a buffer) scanned for the code and for the PHC string,
//! its salt and its hash segment. The code is answered once, to the launch; the
//! applicant's own inquiry page carries it back in its form fields only (`value="…"`),
//! which the scan allows for that page alone.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, Request};
use common::{Fixture, Reply};
use greenlane_engine::ids::CaseId;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// Every log line written, shared with the subscriber.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the run saw.
#[derive(Default)]
struct Seen {
    text: String,
    replies: usize,
}

impl Seen {
    fn keep(&mut self, what: &str, reply: &Reply) {
        self.replies += 1;
        self.text
            .push_str(&format!("\n== {what}: {}\n", reply.status));
        for (name, value) in &reply.headers {
            self.text
                .push_str(&format!("{name}: {}\n", value.to_str().unwrap_or("?")));
        }
        self.text.push_str(&reply.text());
    }
}

fn request(
    method: &str,
    path: &str,
    who: Option<&str>,
    cookie: Option<&str>,
    form: Option<String>,
) -> Request<Body> {
    let mut r = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "desk.test");
    if let Some(who) = who {
        r = r.header(
            header::AUTHORIZATION,
            format!("Bearer {}", common::token(who)),
        );
    }
    if let Some(cookie) = cookie {
        r = r.header(header::COOKIE, cookie);
    }
    match form {
        Some(form) => r
            .header(header::ORIGIN, "http://desk.test")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap(),
        None => r.body(Body::empty()).unwrap(),
    }
}

/// Reads a stream's body until it ends (when the app closes), into a string.
fn collect_stream(body: Body) -> tokio::task::JoinHandle<String> {
    tokio::spawn(async move {
        let mut body = body;
        let mut text = String::new();
        while let Some(Ok(frame)) = body.frame().await {
            if let Ok(data) = frame.into_data() {
                text.push_str(&String::from_utf8_lossy(&data));
            }
        }
        text
    })
}

fn field(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no field {name}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Whether `text` holds `code` as a number of its own (not inside a longer one).
fn holds_code(text: &str, code: &str) -> bool {
    text.match_indices(code).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

#[tokio::test]
async fn a_whole_case_run_shows_neither_the_code_nor_its_hash_anywhere() {
    let logs = Logs::default();
    let writer = logs.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish(),
    )
    .unwrap();

    let f = Fixture::new().await;
    let mut seen = Seen::default();

    // Live streams, open before the launch.
    let mut streams = Vec::new();
    for who in ["coordinator-city", "supervisor-city", "admin"] {
        let response = f
            .router()
            .oneshot(request("GET", "/api/v1/events", Some(who), None, None))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        streams.push(collect_stream(response.into_body()));
    }
    // The desk: the coordinator logs in and follows /live.
    let login = f.send(request("GET", "/login", None, None, None)).await;
    seen.keep("GET /login", &login);
    let csrf = field(&login.text(), "csrf");
    let cookie = |reply: &Reply| {
        reply
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let pre = cookie(&login);
    let form = format!(
        "csrf={csrf}&next=%2F&token={}",
        common::token("coordinator-city")
    );
    let logged = f
        .send(request("POST", "/login", None, Some(&pre), Some(form)))
        .await;
    seen.keep("POST /login", &logged);
    assert_eq!(logged.status, 303, "{}", logged.text());
    let session = cookie(&logged);
    let live = f
        .router()
        .oneshot(request("GET", "/live", None, Some(&session), None))
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    streams.push(collect_stream(live.into_body()));

    // Launch (the one answer that carries the code).
    let launched = f
        .post(
            "/api/v1/cases",
            "coordinator-city",
            serde_json::json!({
                "workflow": "enterprise-registration",
                "application": common::example("enterprise-registration-limited-company.json"),
            }),
        )
        .await;
    assert_eq!(launched.status, 201, "{}", launched.text());
    let case = launched.json()["case"].as_str().unwrap().to_string();
    let code = launched.json()["access_code"].as_str().unwrap().to_string();
    let stored = f
        .app
        .runtime()
        .case(&CaseId::new(case.as_str()))
        .await
        .unwrap()
        .access_code_hash;
    let parts: Vec<&str> = stored.split('$').collect();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    let (salt, digest) = (parts[parts.len() - 2], parts[parts.len() - 1]);

    // Every officer decides through the API; everyone reads.
    loop {
        let view = f
            .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
            .await;
        seen.keep("GET case", &view);
        let ready: Vec<(String, String)> = view.json()["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["state"] == "ready")
            .map(|t| {
                (
                    t["id"].as_str().unwrap().to_string(),
                    t["department"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        if ready.is_empty() {
            break;
        }
        for (task, department) in ready {
            let officer = format!("officer-{department}");
            let inbox = f
                .get(&format!("/api/v1/departments/{department}/inbox"), &officer)
                .await;
            seen.keep("GET inbox", &inbox);
            let base = format!("/api/v1/cases/{case}/tasks/{task}");
            for action in ["claim", "approve"] {
                let reply = f
                    .call("POST", &format!("{base}/{action}"), Some(&officer), None)
                    .await;
                assert_eq!(reply.status, 200, "{}", reply.text());
                seen.keep(action, &reply);
            }
            let page = f
                .send(request(
                    "GET",
                    &format!("/cases/{case}"),
                    None,
                    Some(&session),
                    None,
                ))
                .await;
            seen.keep("desk case page", &page);
        }
    }
    for (who, path) in [
        ("coordinator-city", format!("/api/v1/cases/{case}")),
        ("coordinator-city", format!("/api/v1/cases/{case}/dag")),
        ("coordinator-city", "/api/v1/cases".to_string()),
        ("supervisor-city", format!("/api/v1/cases/{case}")),
        ("supervisor-city", "/api/v1/supervision/alerts".to_string()),
        ("supervisor-city", "/api/v1/supervision/kpis".to_string()),
        ("policy-city", "/api/v1/definitions".to_string()),
        ("admin", format!("/api/v1/cases/{case}")),
        ("admin", "/api/v1/cases".to_string()),
        ("admin", "/api/v1/me".to_string()),
    ] {
        let reply = f.get(&path, who).await;
        seen.keep(&path, &reply);
    }
    let metrics = f.call("GET", "/metrics", None, None).await;
    seen.keep("metrics", &metrics);
    let issued = f
        .post(
            &format!("/api/v1/cases/{case}/issue"),
            "coordinator-city",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(issued.status, 200, "{}", issued.text());
    seen.keep("issue", &issued);
    for path in ["/cases", "/inbox"] {
        let page = f
            .send(request("GET", path, None, Some(&session), None))
            .await;
        seen.keep(path, &page);
    }

    // The applicant: a wrong code, the inquiry, then the rating on the web inquiry page.
    let wrong = f
        .call(
            "GET",
            &format!("/api/v1/inquiry/{case}?code=999999x"),
            None,
            None,
        )
        .await;
    seen.keep("wrong code", &wrong);
    let inquiry = f
        .call(
            "GET",
            &format!("/api/v1/inquiry/{case}?code={code}"),
            None,
            None,
        )
        .await;
    assert_eq!(inquiry.status, 200, "{}", inquiry.text());
    seen.keep("inquiry", &inquiry);
    let page = f
        .send(request(
            "POST",
            "/inquiry/rate",
            None,
            None,
            Some(format!("case={case}&code={code}&rating=5")),
        ))
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains(&format!("value=\"{code}\"")));
    // The applicant's own page holds the code in its form fields, and only there.
    let own = page
        .text()
        .replace(&format!("value=\"{code}\""), "value=\"\"");
    seen.keep(
        "applicant's inquiry page",
        &Reply {
            body: own.into_bytes(),
            ..page.clone()
        },
    );
    let rated = f
        .get(&format!("/api/v1/cases/{case}"), "coordinator-city")
        .await;
    assert!(rated.text().contains("case_rated"), "{}", rated.text());
    seen.keep("rated case", &rated);

    // The streams end when the app closes.
    f.app.close();
    let mut streamed = String::new();
    for stream in streams {
        streamed.push_str(&stream.await.unwrap());
    }
    assert!(
        streamed.contains("case_launched") || streamed.contains("launched"),
        "{streamed}"
    );
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(!logged.is_empty(), "the run logged something");
    assert!(seen.replies > 30, "{} replies", seen.replies);

    for (name, text) in [
        ("responses", &seen.text),
        ("streams", &streamed),
        ("logs", &logged),
    ] {
        assert!(!holds_code(text, &code), "the code {code} is in the {name}");
        for secret in [stored.as_str(), salt, digest] {
            assert!(!text.contains(secret), "`{secret}` is in the {name}");
        }
        assert!(
            !text.contains("access_code_hash"),
            "a hash field is in the {name}"
        );
    }
}
