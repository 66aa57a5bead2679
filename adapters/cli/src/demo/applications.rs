//! Applications for the simulated center: an example application of the workflow with
//! seeded variations, so cases of one workflow plan differently (green channel or not,
//! employees or none, a name already approved, land already held, bigger or smaller
//! projects). Fields a workflow's rules do not read are left as they are; the example's
//! `remarks` (which describe the example, not the variation) are replaced by the case's
//! serial number. No field is added, so a variation still matches the fields its workflow
//! declares.

use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{json, Map, Value};

/// District words for generated names (吉林市 districts and areas).
const PLACES: [&str; 10] = [
    "江城",
    "北山",
    "船营",
    "昌邑",
    "龙潭",
    "丰满",
    "松花湖",
    "江南",
    "高新",
    "经开",
];

/// Trade words for generated enterprise names.
const TRADES: [&str; 10] = [
    "数码科技",
    "商贸",
    "文化传媒",
    "物流",
    "建材",
    "餐饮管理",
    "信息技术",
    "农业科技",
    "医疗器械",
    "家政服务",
];

/// Project phases appended to an industrial project's name.
const PHASES: [&str; 4] = ["", "（一期）", "（二期）", "（扩建）"];

/// A varied copy of `example`, an application of `workflow`; `serial` numbers the case.
pub(crate) fn vary(workflow: &str, example: &Value, serial: usize, rng: &mut impl Rng) -> Value {
    let mut app = example.as_object().cloned().unwrap_or_default();
    match workflow {
        "enterprise-registration" => vary_enterprise(&mut app, rng),
        "industrial-project" => vary_industrial(&mut app, rng),
        _ => {}
    }
    // The serial goes where the example had its remarks, a field its workflow declares;
    // a field of its own would not match a workflow that declares its fields.
    if app.contains_key("remarks") {
        app.insert(
            "remarks".into(),
            json!(format!(
                "演示申请 第 {serial} 件 / demo application {serial}"
            )),
        );
    }
    Value::Object(app)
}

fn vary_enterprise(app: &mut Map<String, Value>, rng: &mut impl Rng) {
    let individual =
        app.get("enterprise_type").and_then(Value::as_str) == Some("individual_business");
    let place = PLACES.choose(rng).copied().unwrap_or("江城");
    if individual {
        let surname = ["王", "李", "张", "刘", "陈", "赵"]
            .choose(rng)
            .copied()
            .unwrap_or("王");
        app.insert(
            "enterprise_name".into(),
            json!(format!("吉林市{place}区{surname}记便民店")),
        );
        app.insert("employees".into(), json!(rng.random_range(0..=3)));
    } else {
        let trade = TRADES.choose(rng).copied().unwrap_or("商贸");
        let food = app
            .get("business_scope")
            .is_some_and(|s| s.to_string().contains("餐饮"));
        let name = if food {
            format!(
                "吉林市{place}{}餐饮有限公司",
                ["味道", "食府", "小厨", "人家"][rng.random_range(0..4)]
            )
        } else {
            format!("吉林市{place}{trade}有限公司")
        };
        app.insert("enterprise_name".into(), json!(name));
        let employees = if rng.random_bool(0.12) {
            0
        } else {
            rng.random_range(1..=60)
        };
        app.insert("employees".into(), json!(employees));
        app.insert(
            "organization_code_required".into(),
            json!(rng.random_bool(0.4)),
        );
        app.insert("needs_invoices".into(), json!(rng.random_bool(0.85)));
        if food {
            app.insert("public_gathering_place".into(), json!(rng.random_bool(0.6)));
        }
    }
    app.insert("name_pre_approved".into(), json!(rng.random_bool(0.3)));
    app.insert("green_channel".into(), json!(rng.random_bool(0.15)));
}

fn vary_industrial(app: &mut Map<String, Value>, rng: &mut impl Rng) {
    let scale = rng.random_range(0.4..1.6);
    for field in [
        "investment_wan",
        "land_area_m2",
        "floor_area_m2",
        "earthwork_m3",
        "annual_energy_tce",
        "annual_electricity_10k_kwh",
    ] {
        if let Some(n) = app.get(field).and_then(Value::as_f64) {
            app.insert(field.into(), json!((n * scale).round() as i64));
        }
    }
    if let Some(name) = app.get("project_name").and_then(Value::as_str) {
        let phase = PHASES.choose(rng).copied().unwrap_or("");
        let name = format!("{name}{phase}");
        app.insert("project_name".into(), json!(name));
    }
    let holds_land = app.get("has_land_certificate").and_then(Value::as_bool) == Some(true);
    if !holds_land && rng.random_bool(0.15) {
        app.insert("has_land_certificate".into(), json!(true));
    }
    if rng.random_bool(0.25) {
        let basement = app.get("basement").and_then(Value::as_bool) == Some(true);
        app.insert("basement".into(), json!(!basement));
    }
    if rng.random_bool(0.2) {
        app.insert("green_channel".into(), json!(true));
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn variations_are_seeded_and_keep_the_example_fields() {
        let example = json!({
            "remarks": "an example",
            "enterprise_type": "limited_company",
            "business_scope": ["软件开发"],
            "employees": 12,
            "held": []
        });
        let one = vary(
            "enterprise-registration",
            &example,
            1,
            &mut StdRng::seed_from_u64(3),
        );
        let again = vary(
            "enterprise-registration",
            &example,
            1,
            &mut StdRng::seed_from_u64(3),
        );
        assert_eq!(one, again, "same seed, same application");
        assert_eq!(one["remarks"], "演示申请 第 1 件 / demo application 1");
        assert_eq!(one["held"], json!([]));
        let names: std::collections::BTreeSet<String> = (0..20)
            .map(|seed| {
                let app = vary(
                    "enterprise-registration",
                    &example,
                    1,
                    &mut StdRng::seed_from_u64(seed),
                );
                app["enterprise_name"].as_str().unwrap().to_string()
            })
            .collect();
        assert!(names.len() > 5, "names vary: {names:?}");
    }

    #[test]
    fn variations_of_the_shipped_examples_match_their_workflows_fields() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let project = greenlane_fs::Project::new(&root);
        let definitions = crate::demo::definitions::load(&project).unwrap();
        let project_workflows: Vec<_> = project
            .workflow_files()
            .unwrap()
            .into_iter()
            .map(|file| {
                project
                    .load_workflow(&greenlane_fs::display(&file))
                    .unwrap()
            })
            .collect();
        for workflow in &definitions.workflows {
            let compiled = project_workflows
                .iter()
                .find(|c| c.workflow.id == workflow.id)
                .unwrap();
            assert!(!compiled.workflow.application.is_empty(), "{}", workflow.id);
            for (i, example) in workflow.examples.iter().enumerate() {
                for seed in 0..20 {
                    let app = vary(
                        workflow.id.as_str(),
                        example,
                        i,
                        &mut StdRng::seed_from_u64(seed),
                    );
                    assert_eq!(
                        compiled.workflow.application.validate(&app),
                        Ok(()),
                        "{} example {i}, seed {seed}: {app}",
                        workflow.id
                    );
                }
            }
        }
    }
}
