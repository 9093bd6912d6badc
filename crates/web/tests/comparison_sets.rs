//! The compare-areas chart of the indicator page with its three comparison sets: the
//! same welfare region, the same urban/rural class and a similar size. Each test runs
//! on SQLite and on PostgreSQL (`both!`).

#[macro_use]
mod common;

use common::*;
use hyte_domain::IndicatorId;
use reqwest::StatusCode;

/// Indicator 2328 and population (127) for four municipalities of Päijät-Häme:
/// Asikkala (semi-urban, 8 300 residents), Hollola (semi-urban, 23 000), Kärkölä
/// (rural, 9 000) and Lahti (urban, 120 000).
const SNAPSHOT: &str = "indicator,region_category,region_code,region_title_fi,year,gender,value
2328,KUNTA,016,Asikkala,2011,total,39.4
2328,KUNTA,098,Hollola,2011,total,43.1
2328,KUNTA,316,Kärkölä,2011,total,43.1
2328,KUNTA,398,Lahti,2011,total,41.6
127,KUNTA,016,Asikkala,2011,total,8300
127,KUNTA,098,Hollola,2011,total,23000
127,KUNTA,316,Kärkölä,2011,total,9000
127,KUNTA,398,Lahti,2011,total,120000
";

async fn load(app: &TestApp) {
    app.store
        .ingest("sets.csv", SNAPSHOT.as_bytes().to_vec(), None, "test")
        .await
        .expect("ingest");
    let mut ind = app
        .store
        .indicator(IndicatorId(2328))
        .await
        .unwrap()
        .expect("placeholder definition");
    ind.unit = "PROS".into();
    app.store.put_indicator(&ind).await.expect("put_indicator");
}

/// Names of the areas in the compare-areas table of a page.
fn compared_areas(html: &str) -> Vec<String> {
    let start = html.find("id=\"compare-h\"").expect("compare section");
    let end = start + html[start..].find("</section>").expect("end of section");
    html[start..end]
        .split("<tr><th scope=\"row\">")
        .skip(1)
        .filter_map(|s| s.split('<').next().map(str::to_string))
        .collect()
}

both!(
    comparison_sets_choose_the_compared_municipalities,
    |app: TestApp| async move {
        load(&app).await;
        let page = |set: &'static str| {
            let app = &app;
            async move {
                app.get_text(
                    &app.client,
                    &format!("/org/KUNTA:016/indicators/2328?year=2011&lang=en&set={set}"),
                )
                .await
            }
        };
        let (status, html) = page("region").await;
        assert_eq!(status, StatusCode::OK);
        let mut region = compared_areas(&html);
        region.sort();
        assert_eq!(region, ["Asikkala", "Hollola", "Kärkölä", "Lahti"]);

        let (status, html) = page("urban").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("same urban/rural class"),
            "the heading names the set"
        );
        let mut urban = compared_areas(&html);
        urban.sort();
        assert_eq!(urban, ["Asikkala", "Hollola"], "semi-urban only");

        let (status, html) = page("size").await;
        assert_eq!(status, StatusCode::OK);
        let mut size = compared_areas(&html);
        size.sort();
        assert_eq!(size, ["Asikkala", "Kärkölä"], "5 000–9 999 residents only");

        let (status, _) = page("biggest").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "an unknown set is refused");
    }
);
