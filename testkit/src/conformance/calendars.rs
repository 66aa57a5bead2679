//! Conformance of published calendars over a backend: a calendar year is stored and
//! versioned, a case launched in December on a provisional year runs across the year, a
//! published official year re-dates it and re-indexes its deadline check, a second
//! runtime sharing the store uses the new year without a restart, and a date past the
//! coverage makes no command or tick fail; a deadline check that fails is put back with
//! back-off without stopping the rest of its batch.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use greenlane_engine::calendar::{shipped, YearKind};
use greenlane_engine::case::{next_check, Command, Event, Rejection};
use greenlane_engine::ids::{CalendarId, PrincipalId, WorkflowId};
use greenlane_engine::source::SourceText;
use greenlane_runtime::ports::{Backend, Clock, DeadlineIndex, DefinitionStore};
use greenlane_runtime::RuntimeError;

use super::runtime::Harness;
use crate::faults::{Faults, FaultyBackend, Op};

/// The shipped 2027 year as the State Council's notice might give it: official, with 11
/// and 12 February off as well and Saturday 20 February worked.
pub fn official_2027() -> SourceText {
    let (_, text) = shipped::CN_YEARS
        .iter()
        .find(|(name, _)| name.ends_with("2027.yaml"))
        .expect("2027 is shipped");
    SourceText {
        name: "2027.yaml".into(),
        text: text
            .replace(
                "kind: provisional",
                "kind: official\nsource: https://www.gov.cn/zhengce/content/2027-notice.htm",
            )
            .replace(
                "  - { date: 2027-02-10, name: 春节 }   # 补假 make-up day\n",
                "  - { date: 2027-02-10, name: 春节 }\n  - { date: 2027-02-11, name: 春节 }\n  - { date: 2027-02-12, name: 春节 }\n",
            )
            .replace(
                "work: []   # 调休上班: only the notice sets them",
                "work:\n  - { date: 2027-02-20, name: 春节 }",
            ),
    }
}

/// Calendar years published, used, re-dating open cases, and nothing failing past them.
pub async fn calendar_years<B: Backend>(backend: Arc<B>) {
    let cn = CalendarId::new("cn");
    let policy = PrincipalId::new("policy-1");
    let mut h = Harness::new(backend.clone()).await;
    // A calendar from the configuration alone (never published) has no year texts to
    // publish a year beside: refused, nothing stored.
    assert!(matches!(
        h.runtime
            .publish_calendar_year(&cn, official_2027(), &policy, None)
            .await,
        Err(RuntimeError::Invalid(_))
    ));
    assert_eq!(backend.definitions().calendars().await.unwrap(), vec![]);
    let first = h
        .runtime
        .publish_missing_calendar_years(&cn, &shipped::cn_sources(), &policy)
        .await
        .unwrap()
        .expect("nothing was stored");
    assert_eq!((first.version, first.changed.len()), (1, 4));
    assert_eq!(
        h.runtime
            .publish_missing_calendar_years(&cn, &shipped::cn_sources(), &policy)
            .await
            .unwrap(),
        None,
        "publishing what is stored adds no version"
    );
    let stored = backend
        .definitions()
        .calendar(&cn, 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.years.len(), 4);
    assert_eq!(
        backend.definitions().calendars().await.unwrap(),
        vec![(cn.clone(), 1)]
    );

    // Launched on Monday 28 December 2026: the stage tasks' 5 committed days end on
    // Tuesday 5 January 2027, a provisional year. Ticks across New Year's Day fire the
    // warning and the yellow card on the provisional dates; a supplement and an approval in
    // January work.
    h.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 28, 1, 0, 0).unwrap());
    let december = h.launch().await;
    h.claim_and_approve("window").await.unwrap();
    let state = h.runtime.case(&december).await.unwrap();
    let promised = state.promised_completion;
    assert!(h
        .runtime
        .calendar(&cn)
        .unwrap()
        .calendar
        .depends_on_provisional(state.launched_on, promised));
    assert_eq!(
        state.task("s1-t1").unwrap().committed_due,
        NaiveDate::from_ymd_opt(2027, 1, 5)
    );
    for (day, hour) in [(31, 16), (1, 16), (2, 16), (3, 16)] {
        let month = if day == 31 { 12 } else { 1 };
        let year = if day == 31 { 2026 } else { 2027 };
        h.clock
            .set(Utc.with_ymd_and_hms(year, month, day, hour, 0, 0).unwrap());
        let tick = h.runtime.tick().await.unwrap();
        assert_eq!(
            tick.alerts, 0,
            "nothing due yet on {year}-{month}-{day}: {tick:?}"
        );
    }
    // The warning fires at the end of Monday 4 January, the yellow card at the end of 5
    // January (Shanghai), on the provisional year's days.
    h.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 4, 16, 0, 0).unwrap());
    assert_eq!(h.runtime.tick().await.unwrap().alerts, 3, "three warnings");
    h.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 5, 16, 0, 0).unwrap());
    assert!(
        h.runtime.tick().await.unwrap().alerts >= 3,
        "three yellow cards"
    );
    let officer = h.officer("dept-1");
    h.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 6, 1, 0, 0).unwrap());
    let claimed = h.runtime.claim_next(&officer, None).await.unwrap().unwrap();
    let request = Command::RequestSupplement {
        task: claimed.task.clone(),
        materials: vec!["营业执照副本 / business licence copy".into()],
    };
    h.runtime
        .execute(&claimed.case, &officer, request)
        .await
        .unwrap();
    h.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 8, 1, 0, 0).unwrap());
    let submit = Command::SubmitSupplement {
        task: claimed.task.clone(),
    };
    h.runtime
        .execute(&claimed.case, &h.coordinator, submit)
        .await
        .unwrap();
    h.claim_and_approve("dept-1").await.unwrap();

    // Launched on Friday 29 January 2027 (provisional); the stage tasks become ready the
    // same day, 20 statutory days crossing the Spring Festival.
    h.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 29, 1, 0, 0).unwrap());
    let case = h.launch().await;
    h.claim_and_approve("window").await.unwrap();
    let before = h.runtime.case(&case).await.unwrap();
    let t1 = before.task("s1-t1").unwrap().clone();
    assert_eq!(t1.ready_on, NaiveDate::from_ymd_opt(2027, 1, 29));

    // A bad year changes nothing and is located.
    let mut bad = official_2027();
    bad.text = bad
        .text
        .replace("  - { date: 2027-02-20", "  - { date: 2027-02-19");
    let Err(RuntimeError::Invalid(found)) = h
        .runtime
        .publish_calendar_year(&cn, bad, &policy, None)
        .await
    else {
        panic!("a Friday under `work` is refused")
    };
    assert!(found.0[0].to_string().starts_with("2027.yaml:"), "{found}");
    assert_eq!(
        backend.definitions().calendars().await.unwrap(),
        vec![(cn.clone(), 1)]
    );

    // A second node sharing the store, up before the publication.
    let other = Harness::new(backend.clone()).await;
    other.clock.set(h.clock.now());
    other.runtime.tick().await.unwrap();
    assert_eq!(other.runtime.calendar(&cn).unwrap().version, 1);

    // The official year: stored as version 2, the open case re-dated.
    let published = h
        .runtime
        .publish_calendar_year(&cn, official_2027(), &policy, Some("通知".into()))
        .await
        .unwrap();
    assert_eq!(
        (published.version, published.changed.clone()),
        (2, vec![2027])
    );
    assert!(published.redated >= 1, "{published:?}");
    let installed = h.runtime.calendar(&cn).unwrap();
    assert_eq!(installed.version, 2);
    assert_eq!(installed.calendar.years()[&2027].kind, YearKind::Official);
    let timeline = h.timeline(&case).await;
    let redated = timeline
        .iter()
        .find_map(|r| match &r.event {
            Event::CaseRedated {
                calendar_version,
                published_by,
                tasks,
                ..
            } => Some((*calendar_version, published_by.clone(), tasks.len())),
            _ => None,
        })
        .expect("a re-dating event");
    assert_eq!(
        (redated.0, redated.1.as_str(), redated.2),
        (2, "policy-1", 3)
    );
    let after = h.runtime.case(&case).await.unwrap();
    let t1_after = after.task("s1-t1").unwrap();
    assert_eq!(
        t1_after.statutory_due,
        installed
            .calendar
            .add_working_days(t1.ready_on.unwrap(), 20)
            .ok()
    );
    assert_ne!(t1_after.statutory_due, t1.statutory_due);
    // The deadline check stands where the new dates put it.
    let definition = h
        .runtime
        .definition(&WorkflowId::new("joint"), after.workflow_version)
        .await
        .unwrap();
    assert_eq!(
        backend.deadlines().get(&case).await.unwrap(),
        next_check(&after, &definition)
    );

    // The other node uses version 2 from its next tick on, with no restart: its next
    // launch is promised on the official year.
    other.runtime.tick().await.unwrap();
    assert_eq!(other.runtime.calendar(&cn).unwrap().version, 2);
    let launched = other
        .runtime
        .launch(
            &other.coordinator,
            crate::access::launch_request(&WorkflowId::new("joint"), serde_json::json!({})),
        )
        .await
        .unwrap();
    let today = NaiveDate::from_ymd_opt(2027, 1, 29).unwrap();
    assert_eq!(
        Some(launched.promised_completion),
        installed.calendar.add_working_days(today, 5).ok()
    );

    // A runtime started afterwards (a restart, a worker) uses version 2 after its first
    // tick.
    h.restart(h.notifier.clone()).await;
    assert!(h.runtime.calendar(&cn).is_some_and(|c| c.version <= 2));
    h.runtime.tick().await.unwrap();
    assert_eq!(h.runtime.calendar(&cn).unwrap().version, 2);

    // 2028 is not covered: a launch cannot promise a date and says which year is missing;
    // ticks and decisions go on.
    h.clock
        .set(Utc.with_ymd_and_hms(2028, 1, 10, 1, 0, 0).unwrap());
    let refused = h
        .runtime
        .launch(
            &h.coordinator,
            crate::access::launch_request(&WorkflowId::new("joint"), serde_json::json!({})),
        )
        .await;
    match refused {
        Err(RuntimeError::Rejected(Rejection::BeyondCalendar { year, .. })) => {
            assert_eq!(year, 2028)
        }
        other => panic!("a launch past the coverage is refused: {other:?}"),
    }
    // A publication tried on a sample whose promise lies past the coverage is not refused
    // for it: the gap is the calendar's, not the version's.
    let published = h
        .runtime
        .publish_request(
            greenlane_runtime::PublishRequest {
                samples: Some(vec![serde_json::json!({})]),
                ..crate::workloads::staged_source("joint-2028", &[1]).into()
            },
            &policy,
        )
        .await
        .expect("published despite the calendar's gap");
    assert_eq!((published.version, published.samples_tried), (1, 1));
    for _ in 0..3 {
        let tick = h.runtime.tick().await.expect("a tick past the coverage");
        assert_eq!(tick.failed_checks, 0, "{tick:?}");
    }
    h.drain().await;
    let done = h.runtime.case(&case).await.unwrap();
    assert!(!done.is_open(), "{:?}", done.status);
}

/// A deadline check that fails is put back with back-off and the rest of its batch runs:
/// one case never stops the cards of the others.
pub async fn failing_check_backs_off<B: Backend>(inner: Arc<B>) {
    let faults = Arc::new(Faults::default());
    let backend = Arc::new(FaultyBackend::new(inner, faults.clone()));
    let h = Harness::new(backend.clone()).await;
    let cases = [h.launch().await, h.launch().await];
    h.claim_and_approve("window").await.unwrap();
    h.claim_and_approve("window").await.unwrap();
    // Both cases' stage tasks warn at the end of Friday 2026-03-06 in Shanghai.
    let warning_at = Utc.with_ymd_and_hms(2026, 3, 6, 16, 0, 0).unwrap();
    h.clock.set(warning_at);
    faults.arm(Op::Append, 1);
    let tick = h
        .runtime
        .tick()
        .await
        .expect("a failing check does not fail the tick");
    assert_eq!(tick.failed_checks, 1, "{tick:?}");
    assert_eq!(tick.alerts, 3, "the other case's warnings fired: {tick:?}");
    let mut failed = None;
    for case in &cases {
        let warned = h
            .timeline(case)
            .await
            .iter()
            .any(|r| matches!(r.event, Event::AlertRaised { .. }));
        if !warned {
            failed = Some(case.clone());
        }
    }
    let failed = failed.expect("one case's check failed");
    assert_eq!(
        DeadlineIndex::get(backend.deadlines(), &failed)
            .await
            .unwrap(),
        Some(warning_at + chrono::Duration::seconds(1)),
        "put back a second later"
    );
    h.clock.set(warning_at + chrono::Duration::seconds(2));
    let tick = h.runtime.tick().await.unwrap();
    assert_eq!((tick.failed_checks, tick.alerts), (0, 3), "{tick:?}");
}
